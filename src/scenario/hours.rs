//! Weekly hours as scenario files write them: `"mon-fri 08:00-17:00"`, several groups
//! separated by `;` or `,` (`"mon-fri 08:00-17:00; sat 09:00-12:00"`), a named window
//! (`"8x5"`, `"10x5"`, `"12x5"`, `"24x7"`), or per weekday (`"08:00-17:00"`,
//! `"08:00-12:00, 13:00-17:00"` or `"closed"`).
//!
//! A day may have several spans (a split shift, or the two halves of night shifts:
//! `"mon-fri 22:00-24:00; tue-sat 00:00-06:00"`). Spans of one day that overlap are refused,
//! because two groups claiming the same hours are almost always a typo (`mon-fri 08:00-17:00;
//! fri 08:00-12:00` meant a short Friday); spans that only touch are joined.
//!
//! Day names may be English (`mon`, `monday`) or German (`mo`, `di`, `mi`, `do`, `fr`, `sa`,
//! `so`), because the users are German consultants who write "Mo-Fr" out of habit.

use std::str::FromStr;

use crate::calendar::{CalendarError, CoverageWindow, MAX_SPANS_PER_DAY, WeeklyHours};

/// Why hours cannot be read: what is wrong and what would be right.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct HoursError {
    pub(crate) message: String,
    pub(crate) hint: Option<String>,
}

fn err(message: String, hint: &str) -> HoursError {
    HoursError {
        message,
        hint: Some(hint.to_owned()),
    }
}

const FORMAT_HINT: &str = "write e.g. \"mon-fri 08:00-17:00\", \"mon-fri 08:00-17:00; sat 09:00-12:00\", \"8x5\" or \"24x7\"";

const REVERSED_HINT: &str = "write start-end, e.g. 08:00-17:00; split a night shift at midnight: 22:00-24:00, then 00:00-06:00 on the next day";

/// Weekday index (0 = Monday) of an English or German day name.
fn day(name: &str) -> Option<usize> {
    const NAMES: [&[&str]; 7] = [
        &["mon", "monday", "mo"],
        &["tue", "tuesday", "di"],
        &["wed", "wednesday", "mi"],
        &["thu", "thursday", "do"],
        &["fri", "friday", "fr"],
        &["sat", "saturday", "sa"],
        &["sun", "sunday", "so"],
    ];
    let n = name.trim().to_lowercase();
    NAMES.iter().position(|names| names.contains(&n.as_str()))
}

/// Minutes after midnight of `"8"`, `"08:00"`, or `"24:00"`.
fn time(t: &str) -> Option<u32> {
    let (h, m) = t.split_once(':').unwrap_or((t, "0"));
    if h.is_empty() || h.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    let h: u32 = h.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    (m < 60 && (h < 24 || (h == 24 && m == 0))).then_some(h * 60 + m)
}

/// Parses `"08:00-17:00"` (or `"closed"`) into `(start, end)` minutes after midnight.
pub(crate) fn parse_span(text: &str) -> Result<Option<(u32, u32)>, HoursError> {
    let t: String = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| if c == '–' || c == '—' { '-' } else { c })
        .collect();
    if t.eq_ignore_ascii_case("closed") || t.eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let bad = || {
        err(
            format!("'{text}' is not a time span"),
            "write start-end in 24-hour time, e.g. 08:00-17:00, or \"closed\"",
        )
    };
    let (a, b) = t.split_once('-').ok_or_else(bad)?;
    let (start, end) = (time(a).ok_or_else(bad)?, time(b).ok_or_else(bad)?);
    if end <= start {
        return Err(err(
            format!("the hours end before they start: {text}"),
            REVERSED_HINT,
        ));
    }
    Ok(Some((start, end)))
}

/// Parses the spans of one day: `"08:00-12:00, 13:00-17:00"`, or `"closed"` (no spans).
pub(crate) fn parse_spans(text: &str) -> Result<Vec<(u32, u32)>, HoursError> {
    let parts: Vec<&str> = text.split([',', ';']).collect();
    if parts.len() == 1 {
        return Ok(parse_span(text)?.into_iter().collect());
    }
    let mut spans = Vec::new();
    for part in parts {
        match parse_span(part)? {
            Some(span) => spans.push(span),
            None => {
                return Err(err(
                    format!("'{}' together with other hours", part.trim()),
                    "write either \"closed\" or the spans, e.g. \"08:00-12:00, 13:00-17:00\"",
                ));
            }
        }
    }
    Ok(spans)
}

/// Parses the day part of a group: `mon`, `mon-fri`, `mo-fr`.
fn parse_days(text: &str) -> Result<Vec<usize>, HoursError> {
    let bad = |d: &str| {
        err(
            format!("'{d}' is not a day of the week"),
            "use mon, tue, wed, thu, fri, sat, sun (or mo, di, mi, do, fr, sa, so), e.g. mon-fri",
        )
    };
    let t = text.trim().replace(['–', '—'], "-");
    match t.split_once('-') {
        None => Ok(vec![day(&t).ok_or_else(|| bad(&t))?]),
        Some((a, b)) => {
            let a_i = day(a).ok_or_else(|| bad(a.trim()))?;
            let b_i = day(b).ok_or_else(|| bad(b.trim()))?;
            if b_i < a_i {
                return Err(err(
                    format!("the day range {} runs backwards", t.trim()),
                    "ranges run from Monday to Sunday; write e.g. \"fri-sun 08:00-12:00; mon 08:00-12:00\"",
                ));
            }
            Ok((a_i..=b_i).collect())
        }
    }
}

/// Parses the string form of weekly hours.
///
/// Named windows keep their name (so that callers can apply the window's holiday rule); every
/// other form becomes [`CoverageWindow::Custom`].
pub(crate) fn parse_text(text: &str) -> Result<CoverageWindow, HoursError> {
    if text.trim().is_empty() {
        return Err(err("the hours are empty".to_owned(), FORMAT_HINT));
    }
    if let Ok(w) = CoverageWindow::from_str(text) {
        return Ok(w);
    }
    let mut days: [Vec<(u32, u32)>; 7] = Default::default();
    // The days of the previous group: a group of spans only continues them, so that a split
    // shift reads "mon-fri 08:00-12:00, 13:00-17:00".
    let mut previous: Option<Vec<usize>> = None;
    for group in text.split([';', ',']) {
        let group = group.trim();
        if group.is_empty() {
            continue;
        }
        let Some(split) = group.find(|c: char| c.is_ascii_digit()) else {
            return Err(err(format!("'{group}' has no time span"), FORMAT_HINT));
        };
        let (day_part, span_part) = group.split_at(split);
        let group_days = if day_part.trim().is_empty() {
            previous
                .clone()
                .ok_or_else(|| err(format!("'{group}' names no days"), FORMAT_HINT))?
        } else {
            parse_days(day_part)?
        };
        // The span part starts with a digit, so it is never "closed".
        if let Some(span) = parse_span(span_part)? {
            for &d in &group_days {
                days[d].push(span);
            }
        }
        previous = Some(group_days);
    }
    weekly(days).map(CoverageWindow::Custom)
}

/// Checked weekly hours from per-day spans; at least one day must be open.
pub(crate) fn weekly(days: [Vec<(u32, u32)>; 7]) -> Result<WeeklyHours, HoursError> {
    if days.iter().all(Vec::is_empty) {
        return Err(err("no day has working hours".to_owned(), FORMAT_HINT));
    }
    WeeklyHours::from_spans(days).map_err(|e| {
        let hint = match e {
            CalendarError::OverlappingHours { .. } => Some(
                "a day may have several spans, but not overlapping ones; give a shorter day on its own, e.g. \"mon-thu 08:00-17:00; fri 08:00-12:00\"".to_owned(),
            ),
            CalendarError::TooManySpans { .. } => Some(format!(
                "join spans, or give at most {MAX_SPANS_PER_DAY} per day"
            )),
            _ => None,
        };
        HoursError {
            message: e.to_string(),
            hint,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn custom(text: &str) -> [Vec<(u32, u32)>; 7] {
        match parse_text(text).unwrap() {
            CoverageWindow::Custom(w) => std::array::from_fn(|d| w.spans(d).collect()),
            other => panic!("expected custom hours, got {other}"),
        }
    }

    #[test]
    fn parses_day_ranges_groups_and_german_names() {
        let d = || vec![(480, 1020)];
        let none = Vec::new;
        let week = [d(), d(), d(), d(), d(), none(), none()];
        assert_eq!(custom("mon-fri 08:00-17:00"), week);
        assert_eq!(custom("Mo-Fr 8:00 – 17:00"), week);
        assert_eq!(
            custom("mon-thu 08:00-17:00; fri 08:00-12:00, sat 09:00-12:00"),
            [
                d(),
                d(),
                d(),
                d(),
                vec![(480, 720)],
                vec![(540, 720)],
                none()
            ]
        );
        assert_eq!(custom("sun 00:00-24:00")[6], [(0, 1440)]);
    }

    #[test]
    fn a_day_may_have_several_spans() {
        // The night shift of scenarios/README.md: Monday has only the evening, Saturday only
        // the morning, Tuesday to Friday both.
        let night = custom("mon-fri 22:00-24:00; tue-sat 00:00-06:00");
        let (evening, morning) = ((1320, 1440), (0, 360));
        assert_eq!(night[0], [evening]);
        for day in &night[1..5] {
            assert_eq!(day, &[morning, evening]);
        }
        assert_eq!(night[5], [morning]);
        assert!(night[6].is_empty());
        // A group of spans only continues the days before it; the order does not matter.
        let split = custom("mon-fri 13:00-17:00, 08:00-12:00");
        assert_eq!(split[4], [(480, 720), (780, 1020)]);
        assert!(split[5].is_empty());
        // Spans that touch are one span.
        assert_eq!(custom("mon 08:00-12:00; mon 12:00-17:00")[0], [(480, 1020)]);
    }

    #[test]
    fn overlapping_or_too_many_spans_are_refused() {
        let e = parse_text("mon-fri 08:00-17:00; fri 08:00-12:00").unwrap_err();
        assert_eq!(
            e.message,
            "the working hours of Friday overlap: 08:00-12:00 and 08:00-17:00"
        );
        assert!(e.hint.unwrap().contains("fri 08:00-12:00"));
        assert!(parse_text("mon 08:00-12:00, 11:59-13:00").is_err());
        let e = parse_text("mon 1-2, 3-4, 5-6, 7-8, 9-10").unwrap_err();
        assert!(e.message.contains("5 separate"), "{}", e.message);
        assert!(parse_text("mon 1-2, 3-4, 5-6, 7-8").is_ok());
    }

    #[test]
    fn named_windows_keep_their_name() {
        assert_eq!(parse_text("24x7").unwrap(), CoverageWindow::X24x7);
        assert_eq!(parse_text(" 10x5 ").unwrap(), CoverageWindow::X10x5);
    }

    #[test]
    fn reports_what_is_wrong() {
        let e = parse_text("mon-fri 17:00-08:00").unwrap_err();
        assert_eq!(e.message, "the hours end before they start: 17:00-08:00");
        assert!(e.hint.unwrap().contains("night shift"));
        assert!(
            parse_text("fri-mon 08:00-17:00")
                .unwrap_err()
                .message
                .contains("backwards")
        );
        assert!(
            parse_text("mon-fry 08:00-17:00")
                .unwrap_err()
                .message
                .contains("'fry'")
        );
        assert!(
            parse_text("mon-fri 8-25")
                .unwrap_err()
                .message
                .contains("not a time span")
        );
        assert!(parse_text("").is_err());
        assert!(parse_text("whenever").is_err());
        assert!(
            parse_text("08:00-17:00")
                .unwrap_err()
                .message
                .contains("names no days")
        );
    }

    #[test]
    fn single_spans_and_closed_days() {
        assert_eq!(parse_span("closed").unwrap(), None);
        assert_eq!(parse_span("09:30-12:00").unwrap(), Some((570, 720)));
        assert!(parse_span("12:00-12:00").is_err());
        assert!(weekly(Default::default()).is_err());
        assert_eq!(parse_spans("closed").unwrap(), []);
        assert_eq!(
            parse_spans("08:00-12:00, 13:00-17:00").unwrap(),
            [(480, 720), (780, 1020)]
        );
        assert!(parse_spans("08:00-12:00, closed").is_err());
    }
}
