//! Date-times as ticket systems write them, and the site's time zone (Europe/Berlin).
//!
//! The zone is computed from the EU rule (summer time from the last Sunday of March, 01:00
//! UTC, to the last Sunday of October, 01:00 UTC), in force since 1996. That is the whole of
//! what a German client's exports need, so no time-zone database is linked in.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};

use super::presets::DateStyle;

/// What happened to a local wall-clock time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Dst {
    /// The time does not exist (clocks jump from 02:00 to 03:00): moved forward an hour, as
    /// a clock that missed the change would have shown it.
    Gap,
    /// The time exists twice (02:00–03:00 when summer time ends): kept as written.
    Ambiguous,
}

/// A parsed cell.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Parsed {
    /// Local wall-clock time of the site.
    pub(crate) local: NaiveDateTime,
    /// The cell had an offset or `Z` and was converted.
    pub(crate) converted: bool,
    /// Daylight-saving problem of a local time, if any.
    pub(crate) dst: Option<Dst>,
}

/// Last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)
    }
    .expect("first of a month exists");
    let mut d = next.pred_opt().expect("a month has a last day");
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt().expect("a week has a Sunday");
    }
    d
}

fn at(d: NaiveDate, h: u32) -> NaiveDateTime {
    d.and_hms_opt(h, 0, 0).expect("valid hour")
}

/// UTC → Europe/Berlin wall-clock time.
pub(crate) fn utc_to_local(utc: NaiveDateTime) -> NaiveDateTime {
    let y = utc.year();
    let start = at(last_sunday(y, 3), 1);
    let end = at(last_sunday(y, 10), 1);
    let hours = if utc >= start && utc < end { 2 } else { 1 };
    utc + Duration::hours(hours)
}

/// Europe/Berlin wall-clock time → UTC. A time in the spring gap is read as standard time; a
/// repeated autumn time as its first (summer-time) occurrence.
pub(crate) fn local_to_utc(local: NaiveDateTime) -> NaiveDateTime {
    let y = local.year();
    let start = at(last_sunday(y, 3), 3);
    let end = at(last_sunday(y, 10), 3);
    let hours = if local >= start && local < end { 2 } else { 1 };
    local - Duration::hours(hours)
}

/// Whether a local wall-clock time falls into a DST change.
pub(crate) fn dst_issue(local: NaiveDateTime) -> Option<Dst> {
    let y = local.year();
    let spring = last_sunday(y, 3);
    let autumn = last_sunday(y, 10);
    if local >= at(spring, 2) && local < at(spring, 3) {
        Some(Dst::Gap)
    } else if local >= at(autumn, 2) && local < at(autumn, 3) {
        Some(Dst::Ambiguous)
    } else {
        None
    }
}

fn local(naive: NaiveDateTime) -> Parsed {
    match dst_issue(naive) {
        Some(Dst::Gap) => Parsed {
            local: naive + Duration::hours(1),
            converted: false,
            dst: Some(Dst::Gap),
        },
        dst => Parsed {
            local: naive,
            converted: false,
            dst,
        },
    }
}

/// An Excel date-time from its calendar parts (calamine resolves the 1900/1904 epoch).
pub(crate) fn from_parts(y: i32, mo: u32, d: u32, h: u32, mi: u32, s: u32) -> Option<Parsed> {
    let date = NaiveDate::from_ymd_opt(y, mo, d)?;
    let t = NaiveTime::from_hms_opt(h, mi, s)?;
    // Excel's serial 0 (1899-12-30/31) is an empty date, not a ticket time.
    if y < 1970 {
        return None;
    }
    Some(local(date.and_time(t)))
}

fn month_name(s: &str) -> Option<u32> {
    let l: String = s.chars().take(3).flat_map(char::to_lowercase).collect();
    Some(match l.as_str() {
        "jan" => 1,
        "feb" => 2,
        "mar" | "mär" | "mrz" => 3,
        "apr" => 4,
        "may" | "mai" => 5,
        "jun" => 6,
        "jul" => 7,
        "aug" => 8,
        "sep" => 9,
        "oct" | "okt" => 10,
        "nov" => 11,
        "dec" | "dez" => 12,
        _ => return None,
    })
}

fn num(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn year(s: &str) -> Option<i32> {
    let y = num(s)? as i32;
    match s.len() {
        2 => Some(2000 + y),
        4 => Some(y),
        _ => None,
    }
}

/// Parses the date part; `month_first` decides `a/b/yyyy` and `a-b-yyyy`.
fn parse_date(s: &str, month_first: bool) -> Option<NaiveDate> {
    let sep = s.chars().find(|c| matches!(c, '-' | '.' | '/'))?;
    let parts: Vec<&str> = s.split(sep).collect();
    if parts.len() != 3 {
        return None;
    }
    let (y, m, d) = if parts[0].len() == 4 {
        (year(parts[0])?, num(parts[1])?, num(parts[2])?)
    } else if let Some(m) = month_name(parts[1]).filter(|_| !parts[1].is_empty()) {
        // 31/Dec/25 (Jira), 31-Dec-2025
        if parts[1].chars().any(|c| c.is_ascii_digit()) {
            return None;
        }
        (year(parts[2])?, m, num(parts[0])?)
    } else if sep == '.' || !month_first {
        (year(parts[2])?, num(parts[1])?, num(parts[0])?)
    } else {
        (year(parts[2])?, num(parts[0])?, num(parts[1])?)
    };
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Parses `H:MM[:SS[.fff]]`.
fn parse_clock(s: &str) -> Option<(u32, u32, u32)> {
    let mut it = s.split(':');
    let h = num(it.next()?)?;
    let m = num(it.next()?)?;
    let sec = match it.next() {
        None => 0,
        Some(x) => {
            let whole = x.split(['.', ',']).next()?;
            let frac = &x[whole.len()..];
            if !frac.is_empty() && !frac[1..].bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            num(whole)?
        }
    };
    if it.next().is_some() || m > 59 || sec > 60 {
        return None;
    }
    Some((h, m, sec.min(59)))
}

/// Splits a trailing UTC offset (`Z`, `+01:00`, `+0100`, `+01`, ` UTC`) off `s`, in minutes.
fn split_offset(s: &str) -> (&str, Option<i64>) {
    let t = s.trim_end();
    for suffix in [" UTC", " GMT", "UTC", "Z", "z"] {
        if let Some(rest) = t.strip_suffix(suffix) {
            // "Z" must follow a digit (a time), not end a word.
            if rest.ends_with(|c: char| c.is_ascii_digit()) || suffix.starts_with(' ') {
                return (rest.trim_end(), Some(0));
            }
        }
    }
    if let Some(pos) = t.rfind(['+', '-']) {
        let (head, tail) = t.split_at(pos);
        let sign = if tail.starts_with('-') { -1 } else { 1 };
        let digits: String = tail[1..].chars().filter(|c| *c != ':').collect();
        // An offset follows a clock time: the head must contain ':' after its date part.
        let head_has_time = head
            .rsplit([' ', 'T'])
            .next()
            .is_some_and(|x| x.contains(':'));
        if head_has_time
            && (digits.len() == 2 || digits.len() == 4)
            && let Some(v) = num(&digits)
        {
            let (h, m) = if digits.len() == 2 {
                (v, 0)
            } else {
                (v / 100, v % 100)
            };
            if h <= 14 && m < 60 {
                return (head.trim_end(), Some(sign * (h as i64 * 60 + m as i64)));
            }
        }
    }
    (t, None)
}

/// Parses a date-time cell in any supported format. `month_first`: `a/b/yyyy` is
/// month/day (US); otherwise day/month, unless the time has AM/PM.
pub(crate) fn parse_text(cell: &str, month_first: bool) -> Option<Parsed> {
    let s = cell.trim();
    if s.is_empty() || s.len() > 40 {
        return None;
    }
    let (s, offset) = split_offset(s);
    // Date and time are separated by 'T', a space or ", ".
    let (date_s, time_s) = match s.find(['T', ' ', ',']) {
        Some(i) => (&s[..i], s[i + 1..].trim_start_matches([' ', ','])),
        None => (s, ""),
    };
    let lower = time_s.to_ascii_lowercase();
    let (clock, pm) = if let Some(c) = lower.strip_suffix("pm").or(lower.strip_suffix("p.m.")) {
        (c.trim_end().to_string(), Some(true))
    } else if let Some(c) = lower.strip_suffix("am").or(lower.strip_suffix("a.m.")) {
        (c.trim_end().to_string(), Some(false))
    } else {
        (lower, None)
    };
    let date = parse_date(date_s, month_first || pm.is_some())?;
    let (mut h, m, sec) = if clock.is_empty() {
        (0, 0, 0)
    } else {
        parse_clock(&clock)?
    };
    if let Some(pm) = pm {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = match (h, pm) {
            (12, false) => 0,
            (12, true) => 12,
            (h, true) => h + 12,
            (h, false) => h,
        };
    }
    let naive = date.and_time(NaiveTime::from_hms_opt(h, m, sec)?);
    match offset {
        Some(min) => {
            let utc = naive.checked_sub_signed(Duration::minutes(min))?;
            Some(Parsed {
                local: utc_to_local(utc),
                converted: true,
                dst: None,
            })
        }
        None => Some(local(naive)),
    }
}

/// Writes a local wall-clock time in `style`.
pub(crate) fn format(local: NaiveDateTime, style: DateStyle) -> String {
    match style {
        DateStyle::IsoSpace => local.format("%Y-%m-%d %H:%M:%S").to_string(),
        DateStyle::IsoMinutes => local.format("%Y-%m-%d %H:%M").to_string(),
        DateStyle::German => local.format("%d.%m.%Y %H:%M").to_string(),
        DateStyle::UsAmPm => local.format("%m/%d/%Y %-I:%M %p").to_string(),
        DateStyle::JiraShort => local.format("%d/%b/%y %-I:%M %p").to_string(),
        DateStyle::IsoUtc => local_to_utc(local).format("%Y-%m-%dT%H:%M:%SZ").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(y, mo, d)
            .unwrap()
            .and_hms_opt(h, mi, 0)
            .unwrap()
    }

    #[test]
    fn every_format_of_the_issue() {
        let want = dt(2025, 12, 31, 17, 5);
        for s in [
            "31.12.2025 17:05",
            "2025-12-31T17:05:00+01:00",
            "2025-12-31T16:05:00Z",
            "2025-12-31 16:05:00 UTC",
            "31/12/2025 17:05",
            "12/31/2025 5:05 PM",
            "12/31/2025 5:05 pm",
            "31/Dec/25 5:05 PM",
            "2025-12-31 17:05:00",
            "2025-12-31 17:05",
            "2025-12-31T17:05:00.123+0100",
            "31.12.25 17:05",
        ] {
            assert_eq!(parse_text(s, false).map(|p| p.local), Some(want), "{s}");
        }
        assert_eq!(
            parse_text("12/31/2025 17:05", true).map(|p| p.local),
            Some(want)
        );
        for bad in [
            "",
            "31.13.2025 10:00",
            "yesterday",
            "2025-12-31 25:00",
            "12:00",
        ] {
            assert_eq!(parse_text(bad, false), None, "{bad}");
        }
    }

    #[test]
    fn summer_time_and_its_changes() {
        // 2025: summer time from 30 March 01:00 UTC to 26 October 01:00 UTC.
        let p = parse_text("2025-07-01T10:00:00Z", false).unwrap();
        assert_eq!(p.local, dt(2025, 7, 1, 12, 0));
        assert_eq!(utc_to_local(dt(2025, 3, 30, 0, 59)), dt(2025, 3, 30, 1, 59));
        assert_eq!(utc_to_local(dt(2025, 3, 30, 1, 0)), dt(2025, 3, 30, 3, 0));
        assert_eq!(
            utc_to_local(dt(2025, 10, 26, 0, 30)),
            dt(2025, 10, 26, 2, 30)
        );
        assert_eq!(
            utc_to_local(dt(2025, 10, 26, 1, 30)),
            dt(2025, 10, 26, 2, 30)
        );
        let gap = parse_text("30.03.2025 02:30", false).unwrap();
        assert_eq!(
            (gap.local, gap.dst),
            (dt(2025, 3, 30, 3, 30), Some(Dst::Gap))
        );
        let amb = parse_text("26.10.2025 02:30", false).unwrap();
        assert_eq!(
            (amb.local, amb.dst),
            (dt(2025, 10, 26, 2, 30), Some(Dst::Ambiguous))
        );
        for t in [
            dt(2025, 1, 5, 8, 0),
            dt(2025, 6, 5, 8, 0),
            dt(2025, 10, 26, 2, 30),
        ] {
            assert_eq!(utc_to_local(local_to_utc(t)), t);
        }
    }
}
