//! Weekly hours with several spans a day, from the scenario text to the engine's timeline.

use chrono::NaiveDate;
use covsim::engine::{Simulator, TraceKind};
use covsim::model::Model;
use covsim::scenario;
use covsim::time::{HOUR, MINUTE, SimTime};

/// January 2026: the 5th and the 12th are Mondays.
fn at(m: &Model, d: u32, h: i64, min: i64) -> SimTime {
    m.calendar
        .time_of_date(NaiveDate::from_ymd_opt(2026, 1, d).unwrap())
        + h * HOUR
        + min * MINUTE
}

/// One admin without absences working the night shift of scenarios/README.md; one-hour
/// tickets at the given local times.
fn night_shift(tickets: &[&str]) -> Model {
    let times: Vec<String> = tickets.iter().map(|t| format!("{t:?}")).collect();
    let text = format!(
        r#"
[company]
pcs = 10
holidays = "none"
[simulation]
warmup_days = 0
drain_days = 14
[[categories]]
id = "job"
arrivals = "scheduled"
scheduled_at = [{}]
effort_h = 1
onsite_probability = 0
knowledge_probability = 0
[profiles.night]
vacation_days_per_year = 0
illness_episodes_per_year = 0
quit_probability_per_year = 0
training_days_per_year = 0
meeting_share = 0
[[people]]
id = "nora"
role = "admin"
profile = "night"
hours = "mon-fri 22:00-24:00; tue-sat 00:00-06:00"
[[setups]]
name = "Night"
preset = "single-admin"
admins = ["nora"]
"#,
        times.join(", ")
    );
    scenario::from_str(&text, "night.toml").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_night_shift_example_is_on_duty_exactly_then() {
    let m = night_shift(&[
        "2026-01-06T03:00:00", // Tuesday, inside the morning half
        "2026-01-06T07:00:00", // Tuesday, after the shift: waits for 22:00
        "2026-01-10T05:30:00", // Saturday: half an hour, then Monday evening
        "2026-01-12T23:30:00", // Monday: runs on past midnight without a break
    ]);
    let hours = &m.people[0].hours;
    let spans = |d: usize| hours.spans(d).collect::<Vec<_>>();
    assert_eq!(spans(0), [(1320, 1440)]);
    assert_eq!(spans(1), [(0, 360), (1320, 1440)]);
    assert_eq!(spans(5), [(0, 360)]);
    assert!(!hours.is_open(6));
    assert_eq!(hours.hours_per_week(), 5.0 * 2.0 + 5.0 * 6.0);

    let (_, trace) = Simulator::new(&m).run_traced(0, 0);
    let mut steps: Vec<(SimTime, TraceKind)> =
        trace.events.iter().map(|e| (e.time, e.kind)).collect();
    steps.sort_by_key(|&(t, k)| (t, k as u8));
    use TraceKind::*;
    let mut expected = vec![
        (at(&m, 6, 3, 0), Arrived),
        (at(&m, 6, 3, 0), Started),
        (at(&m, 6, 4, 0), Resolved),
        (at(&m, 6, 7, 0), Arrived),
        (at(&m, 6, 22, 0), Started),
        (at(&m, 6, 23, 0), Resolved),
        (at(&m, 10, 5, 30), Arrived),
        (at(&m, 10, 5, 30), Started),
        (at(&m, 10, 6, 0), Paused),
        (at(&m, 12, 22, 0), Started),
        (at(&m, 12, 22, 30), Resolved),
        (at(&m, 12, 23, 30), Arrived),
        (at(&m, 12, 23, 30), Started),
        (at(&m, 13, 0, 30), Resolved),
    ];
    expected.sort_by_key(|&(t, k)| (t, k as u8));
    assert_eq!(steps, expected);
}
