//! Absence processes: vacation taken exactly, illness and vacancies as configured.

use covsim::calendar::WeeklyHours;
use covsim::dist::{Dist, DistSpec};
use covsim::engine::Simulator;
use covsim::model::Tier;
use covsim::stats::MeanCi;
use covsim::time::{DAY, SimTime};

use crate::common;

/// z for a two-sided 99.9 % interval (see analytic.rs for the reasoning).
const Z999: f64 = 3.290_526_731_491_926;

fn one_admin(
    profile: covsim::model::AbsenceProfile,
    warmup_days: u32,
    years: u32,
) -> covsim::model::Model {
    use covsim::calendar::{FederalState, HolidayRule};
    let office = WeeklyHours::weekdays(8 * 60, 17 * 60);
    let mut m = common::model(
        2026,
        office,
        HolidayRule::Germany(Some(FederalState::BY)),
        warmup_days,
        years,
        0,
    );
    let mut p = common::admin("anna", office);
    p.absence = profile;
    m.people.push(p);
    m.setups
        .push(common::setup("single", vec![Tier::InHouse(vec![0])]));
    m
}

#[test]
fn configured_vacation_days_are_taken_exactly_on_working_days() {
    let mut profile = common::no_absences();
    profile.vacation.days_per_year = 30;
    profile.vacation.summer_block_days = 10;
    profile.vacation.block_days = 5;
    let m = one_admin(profile, 0, 1);
    let sim = Simulator::new(&m);
    let office = m.calendar.schedule(&m.people[0].hours, true);
    for rep in 0..50 {
        let (res, trace) = sim.run_traced(0, rep);
        assert_eq!(res.metrics.vacation_days, 30.0);
        // Count independently: working days of 2026 whose working hours are all vacation.
        let tl = &trace.responders[0].1;
        let days = (0..365)
            .filter(|&d| {
                let (a, b) = (SimTime::day_start(d), SimTime::day_start(d + 1));
                let work = office.measure_between(a, b);
                work > 0 && tl.vacation.intersect(&office).measure_between(a, b) == work
            })
            .count();
        assert_eq!(days, 30, "replication {rep}");
        // The summer block (10 working days: at least 12 calendar days) starts between
        // 15 June (day 165) and 31 August (day 242).
        assert!(
            tl.vacation
                .intervals()
                .any(|(a, b)| (165..243).contains(&a.day()) && b - a >= 12 * DAY),
            "no summer block in replication {rep}: {:?}",
            tl.vacation
        );
    }
}

#[test]
fn mean_sick_days_match_the_configured_rate_and_duration() {
    // The key r counts episodes per calendar year (issue 13): with episodes of mean m days
    // the long-run sick share is r·m / 365.25, as the insurers' sick days per insured year.
    // The calibration's bins, with the long tail as a uniform bin of the same mean (110 days):
    // the lognormal tail's variance would need far more replications for the same precision.
    let bins = common::illness_bins(DistSpec::Uniform {
        min: 43.0,
        max: 177.0,
    });
    let mut profile = common::no_absences();
    profile.illness.episodes_per_year = 1.1;
    profile.illness.duration_days = Dist::new(&DistSpec::Empirical { bins }).unwrap();
    let mean_days = profile.illness.duration_days.mean();
    let years = 4;
    let m = one_admin(profile, 365, years);
    let sim = Simulator::new(&m);
    let reps = 6000;
    let s = MeanCi::of((0..reps).map(|r| sim.run(0, r).metrics.sick_days));
    let rm = 1.1 * mean_days;
    let days_per_year = m.window_end().day() as f64 / f64::from(years);
    let expected = days_per_year * rm / 365.25;
    let half = Z999 * s.sd / (s.n as f64).sqrt();
    eprintln!(
        "sick days: expected {expected:.3}, simulated {:.3} ± {half:.3}",
        s.mean
    );
    assert!((s.mean - expected).abs() <= half);
    assert!(half < 0.1 * expected, "the CI must resolve a 10 % error");
}

#[test]
fn vacancy_lengths_follow_the_configured_distribution() {
    let mut profile = common::no_absences();
    profile.attrition.quit_probability_per_year = 0.5;
    profile.attrition.notice_days = 90.0;
    let spec = DistSpec::LogNormalMedianP90 {
        median: 200.0,
        p90: 320.0,
    };
    profile.attrition.time_to_fill_days = Dist::new(&spec).unwrap();
    let m = one_admin(profile, 0, 3);
    let sim = Simulator::new(&m);
    let mut ttf = Vec::new();
    for rep in 0..1500 {
        let (_, trace) = sim.run_traced(0, rep);
        let tl = &trace.responders[0].1;
        // A resignation leaves the position vacant from the end of the notice period until the
        // time to fill has passed; when the notice is longer, there is no vacancy.
        for (i, &quit) in tl.resignations.iter().enumerate() {
            let notice_end = quit + 90 * DAY;
            let filled = quit + (tl.time_to_fill_days[i] * DAY as f64).round() as i64;
            match tl.vacancy.interval_at(notice_end + 1) {
                Some((a, b)) => {
                    assert!(
                        (a - notice_end).abs() <= 1 && (b - filled).abs() <= 1,
                        "{a:?}..{b:?}"
                    );
                }
                None => assert!(filled <= notice_end + 1, "missing vacancy after {quit:?}"),
            }
        }
        ttf.extend(tl.time_to_fill_days.iter().copied());
    }
    let n = ttf.len() as f64;
    // Share below the median and below the P90 against binomial 99.9 % intervals.
    for (q, x) in [(0.5, 200.0), (0.9, 320.0)] {
        let share = ttf.iter().filter(|&&t| t <= x).count() as f64 / n;
        let half = Z999 * (q * (1.0 - q) / n).sqrt();
        eprintln!("P(time to fill <= {x}) = {share:.4}, expected {q} ± {half:.4} (n = {n})");
        assert!((share - q).abs() <= half);
    }
}

/// Regression: vacation of the warm-up's calendar year was planned into the warm-up's few weeks
/// only, which put everybody on vacation in the weeks before the measured year (and built a
/// backlog that took until February to clear).
#[test]
fn warm_up_vacation_is_planned_over_the_whole_previous_year() {
    let mut profile = common::no_absences();
    profile.vacation.days_per_year = 30;
    profile.vacation.summer_block_days = 10;
    profile.vacation.block_days = 5;
    let m = one_admin(profile, 28, 1);
    let sim = Simulator::new(&m);
    let office = m.calendar.schedule(&m.people[0].hours, true);
    let (warm_from, warm_to) = (m.start(), SimTime::ZERO);
    let reps = 200;
    let share = (0..reps)
        .map(|rep| {
            let (_, trace) = sim.run_traced(0, rep);
            let tl = &trace.responders[0].1;
            let work = office.measure_between(warm_from, warm_to) as f64;
            tl.vacation
                .intersect(&office)
                .measure_between(warm_from, warm_to) as f64
                / work
        })
        .sum::<f64>()
        / reps as f64;
    // 30 of about 250 working days: 12 % on average (December's share is a little higher
    // because the summer block cannot fall there); the defect gave 100 %.
    assert!(
        share < 0.25,
        "{:.0} % of the warm-up's working days are vacation",
        share * 100.0
    );
}
