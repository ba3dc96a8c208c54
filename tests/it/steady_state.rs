//! Issue 13, points 6 and 10: people's absence processes mean what the sources mean, and the
//! measured year starts in their steady state.
//!
//! Renewal theory gives the long-run values from the inputs alone: with illness episodes
//! counted per calendar year (r) of mean length D, a person is ill a share r·D/365.25 of the
//! time; a position whose holder resigns at hazard h, works a notice n and is refilled after a
//! time to fill T (from the resignation) is vacant a share E[max(0, T − n)] / (1/h + E[max(n,
//! T)]). A year measured right after a short warm-up must show these shares, and so must the
//! very first instant of the span: a process that started "everybody healthy and in post"
//! shows neither.

use covsim::calendar::WeeklyHours;
use covsim::dist::Dist;
use covsim::engine::Simulator;
use covsim::model::Tier;
use covsim::time::{DAY, SimTime};

use crate::common;

use crate::analytic::Z999;

/// One admin, always at work (so every absence shows), with `profile`, measured for one year
/// after a warm-up of `warmup_days`.
fn one_admin(profile: covsim::model::AbsenceProfile, warmup_days: u32) -> covsim::model::Model {
    use covsim::calendar::HolidayRule;
    let mut m = common::model(
        2026,
        WeeklyHours::always(),
        HolidayRule::None,
        warmup_days,
        1,
        0,
    );
    let mut p = common::admin("anna", WeeklyHours::always());
    p.absence = profile;
    m.people.push(p);
    m.setups
        .push(common::setup("single", vec![Tier::InHouse(vec![0])]));
    m
}

/// Asserts that `expected` lies in the 99.9 % CI of `values` (analytic.rs) and that the CI
/// resolves an error of `resolve` (relative) — a test that cannot fail is no test.
fn assert_in_ci(what: &str, values: impl IntoIterator<Item = f64>, expected: f64, resolve: f64) {
    let s = crate::analytic::assert_in_ci(what, values, expected);
    let half = Z999 * s.sd / (s.n as f64).sqrt();
    assert!(
        half < resolve * expected,
        "{what}: the CI ± {half} cannot resolve a {resolve} error"
    );
}

#[test]
fn r13_illness_episodes_per_calendar_year_equal_the_key() {
    // Long episodes (a share of 22 % ill) make the difference between "per healthy year" and
    // "per calendar year" large: 4 per healthy year would be 3.28 per calendar year.
    let mut profile = common::no_absences();
    profile.illness.episodes_per_year = 4.0;
    profile.illness.duration_days = Dist::exponential(20.0);
    let m = one_admin(profile, 28);
    let sim = Simulator::new(&m);
    let end = m.window_end();
    let onsets = (0..3000).map(|rep| {
        let (_, trace) = sim.run_traced(0, rep);
        // Onsets inside the year; an episode clipped to the start of the span is not one.
        let tl = &trace.responders[0].1;
        tl.sick
            .intervals()
            .filter(|&(a, _)| a > m.calendar.from() && a >= SimTime::ZERO && a < end)
            .count() as f64
            / (end.secs() as f64 / (365.25 * DAY as f64))
    });
    assert_in_ci("episodes per calendar year", onsets, 4.0, 0.05);
}

/// Attrition with fixed durations, so the renewal-theory values are exact: hazard h from a
/// quit probability of 30 % a year, 90 days' notice, 300 days to fill, no ramp-up; and
/// illness of two 30-day episodes a year.
fn busy_profile() -> covsim::model::AbsenceProfile {
    let mut profile = common::no_absences();
    profile.attrition.quit_probability_per_year = 0.3;
    profile.attrition.notice_days = 90.0;
    profile.attrition.time_to_fill_days = Dist::fixed(300.0);
    profile.attrition.rampup_days = 0.0;
    profile.illness.episodes_per_year = 2.0;
    profile.illness.duration_days = Dist::fixed(30.0);
    profile
}

/// (vacant share, ill share) of calendar time in steady state, for [`busy_profile`].
fn steady_shares() -> (f64, f64) {
    let in_post_days = 365.25 / -(1.0f64 - 0.3).ln();
    let vacant = (300.0 - 90.0) / (in_post_days + 300.0);
    let ill = 2.0 * 30.0 / 365.25;
    (vacant, ill)
}

#[test]
fn r13_the_first_year_shows_the_steady_state_vacancy_and_illness() {
    let m = one_admin(busy_profile(), 28);
    let sim = Simulator::new(&m);
    let (vacant, ill) = steady_shares();
    let days = m.window_end().secs() as f64 / DAY as f64;
    let results: Vec<_> = (0..3000).map(|rep| sim.run(0, rep).metrics).collect();
    assert_in_ci(
        "vacancy days in the first year",
        results.iter().map(|r| r.vacancy_days),
        vacant * days,
        0.1,
    );
    assert_in_ci(
        "sick days in the first year",
        results.iter().map(|r| r.sick_days),
        ill * days,
        0.1,
    );
}

#[test]
fn r13_the_span_starts_with_people_already_absent() {
    // The very first instant, before any warm-up: the share of replications in which the post
    // is vacant, or its holder ill, is the stationary probability. Starting everybody in post
    // and healthy would make both zero.
    let m = one_admin(busy_profile(), 0);
    let sim = Simulator::new(&m);
    let (vacant, ill) = steady_shares();
    let start = m.calendar.from();
    let mut at_start = (Vec::new(), Vec::new());
    for rep in 0..4000 {
        let (_, trace) = sim.run_traced(0, rep);
        let tl = &trace.responders[0].1;
        let covers = |s: &covsim::interval::IntervalSet| {
            f64::from(u8::from(
                s.intervals().any(|(a, b)| a <= start && start < b),
            ))
        };
        at_start.0.push(covers(&tl.vacancy));
        at_start.1.push(covers(&tl.sick));
    }
    assert_in_ci("P(vacant at the start)", at_start.0, vacant, 0.3);
    assert_in_ci("P(ill at the start)", at_start.1, ill, 0.3);
}
