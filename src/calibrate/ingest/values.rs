//! Status and time-worked cells.

use super::presets::{EffortUnit, Preset, StatusKind};

/// What a status value means: the preset's own values first, then words in German and
/// English. Unknown values count as open: a ticket nobody marked done is not resolved.
pub(crate) fn classify_status(raw: &str, preset: Option<&Preset>) -> (StatusKind, bool) {
    let s = raw.trim().to_lowercase();
    if let Some((_, k)) = preset.and_then(|p| p.statuses.iter().find(|(v, _)| *v == s)) {
        return (*k, true);
    }
    let has = |words: &[&str]| words.iter().any(|w| s.contains(w));
    let kind = if has(&["merge", "zusammengef"]) {
        StatusKind::Excluded("merged")
    } else if has(&["spam", "junk"]) {
        StatusKind::Excluded("spam")
    } else if has(&["cancel", "storn", "abgebrochen", "annul"]) {
        StatusKind::Excluded("cancelled")
    } else if has(&[
        "delete",
        "removed",
        "gelöscht",
        "entfernt",
        "trash",
        "papierkorb",
    ]) {
        StatusKind::Excluded("deleted")
    } else if has(&[
        "closed",
        "resolved",
        "solved",
        "complete",
        "done",
        "geschlossen",
        "gelöst",
        "erledigt",
        "abgeschlossen",
        "fertig",
    ]) {
        StatusKind::Closed
    } else {
        StatusKind::Open
    };
    (kind, false)
}

/// Hours from a time-worked cell: `h:mm[:ss]` as written, plain numbers (`,` or `.` as the
/// decimal mark) in `unit` (hours when unknown).
pub(crate) fn parse_effort(raw: &str, unit: Option<EffortUnit>) -> Option<f64> {
    let s = raw.trim();
    if s.contains(':') {
        let mut parts = s.split(':');
        let h: f64 = parts.next()?.trim().parse().ok()?;
        let m: f64 = parts.next()?.trim().parse().ok()?;
        let sec: f64 = parts.next().map_or(Some(0.0), |x| x.trim().parse().ok())?;
        if parts.next().is_some()
            || h < 0.0
            || !(0.0..60.0).contains(&m)
            || !(0.0..61.0).contains(&sec)
        {
            return None;
        }
        return Some(h + m / 60.0 + sec / 3600.0);
    }
    let v: f64 = s.replace(',', ".").parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    Some(match unit {
        Some(EffortUnit::Minutes) => v / 60.0,
        Some(EffortUnit::Seconds) => v / 3600.0,
        Some(EffortUnit::Hours) | Some(EffortUnit::HoursMinutes) | None => v,
    })
}

/// Writes hours in `unit`.
pub(crate) fn format_effort(hours: f64, unit: EffortUnit) -> String {
    match unit {
        EffortUnit::Minutes => {
            let m = (hours * 60.0 * 100.0).round() / 100.0;
            let s = format!("{m:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        }
        EffortUnit::Seconds => format!("{}", (hours * 3600.0).round() as i64),
        EffortUnit::Hours => format!("{hours:.4}"),
        EffortUnit::HoursMinutes => {
            let total = (hours * 60.0).round() as i64;
            format!("{}:{:02}", total / 60, total % 60)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_efforts() {
        assert_eq!(
            classify_status("Zusammengeführt", None).0,
            StatusKind::Excluded("merged")
        );
        assert_eq!(
            classify_status("SPAM", None).0,
            StatusKind::Excluded("spam")
        );
        assert_eq!(
            classify_status("Storniert", None).0,
            StatusKind::Excluded("cancelled")
        );
        assert_eq!(
            classify_status("erfolgreich geschlossen", None).0,
            StatusKind::Closed
        );
        assert_eq!(classify_status("in Bearbeitung", None).0, StatusKind::Open);
        assert_eq!(parse_effort("1:30", None), Some(1.5));
        assert_eq!(parse_effort("90", Some(EffortUnit::Minutes)), Some(1.5));
        assert_eq!(parse_effort("5400", Some(EffortUnit::Seconds)), Some(1.5));
        assert_eq!(parse_effort("1,5", None), Some(1.5));
        assert_eq!(parse_effort("-1", None), None);
        assert_eq!(parse_effort("soon", None), None);
        assert_eq!(format_effort(1.5, EffortUnit::HoursMinutes), "1:30");
        assert_eq!(format_effort(1.5, EffortUnit::Minutes), "90");
    }
}
