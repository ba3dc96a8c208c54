//! Analytic validation: the engine, reduced to textbook models, must agree with queueing and
//! probability theory.
//!
//! Tolerances come from the replications themselves: every check asserts that the theoretical
//! value lies within the 99.9 % confidence interval (z = 3.29, Student t for small samples is
//! within 2 % of it at our replication counts) of the mean across independent replications.
//! With about thirty such checks, a correct engine fails one of them with probability about
//! 3 %; the seeds are fixed, so the suite is deterministic, and a biased engine (an error of a
//! few percent) falls outside these intervals.
//!
//! Warm-up: queues start empty; the first `WARMUP_DAYS` are not measured. The relaxation time
//! of M/M/1 at ρ = 0.9 is about 1/(μ(1−√ρ)²) ≈ 380 mean service times (16 days at 1 h), so
//! 60 days leave no measurable start-up bias.

use covsim::engine::{Metrics, ReplicationResult, Simulator};
use covsim::stats::MeanCi;

use crate::common;

const WARMUP_DAYS: u32 = 60;
/// z for a two-sided 99.9 % interval.
pub(crate) const Z999: f64 = 3.290_526_731_491_926;

/// Erlang C: probability that an arrival waits in M/M/c, and the mean wait in queue.
fn erlang_c(c: usize, lambda: f64, mu: f64) -> (f64, f64) {
    let a = lambda / mu;
    let rho = a / c as f64;
    assert!(rho < 1.0);
    let mut term = 1.0; // a^k / k!
    let mut sum = 0.0;
    for k in 0..c {
        if k > 0 {
            term *= a / k as f64;
        }
        sum += term;
    }
    let top = term * a / c as f64 / (1.0 - rho); // a^c / c! / (1 − ρ)
    let p_wait = top / (sum + top);
    (p_wait, p_wait / (c as f64 * mu - lambda))
}

fn run(model: &covsim::model::Model, reps: u64) -> Vec<ReplicationResult> {
    let sim = Simulator::new(model);
    (0..reps).map(|r| sim.run(0, r)).collect()
}

/// Asserts that `expected` lies in the 99.9 % CI of `values`; returns the summary.
pub(crate) fn assert_in_ci(
    what: &str,
    values: impl IntoIterator<Item = f64>,
    expected: f64,
) -> MeanCi {
    let s = MeanCi::of(values);
    let half = Z999 * s.sd / (s.n as f64).sqrt();
    eprintln!(
        "{what}: expected {expected:.5}, simulated {:.5} ± {half:.5} (99.9 % CI, n = {})",
        s.mean, s.n
    );
    assert!(
        (s.mean - expected).abs() <= half,
        "{what}: expected {expected}, simulated {} outside the 99.9 % CI ± {half}",
        s.mean
    );
    s
}

fn check_mmc(c: usize, rho: f64, reps: u64) {
    let mu = 1.0; // per hour
    let lambda = rho * c as f64 * mu;
    let model = common::mmc(c, lambda, 1.0 / mu, WARMUP_DAYS, 1);
    let results = run(&model, reps);
    let (p_wait, wq) = erlang_c(c, lambda, mu);
    let m = |f: fn(&Metrics) -> f64| {
        results
            .iter()
            .map(move |r| f(&r.metrics))
            .collect::<Vec<_>>()
    };
    let mean = assert_in_ci(
        &format!("M/M/{c} ρ={rho} mean wait (h)"),
        m(|m| m.response[2].mean),
        wq,
    );
    // With the response target at 0, the share within target is the share that did not wait.
    assert_in_ci(
        &format!("M/M/{c} ρ={rho} P(wait > 0)"),
        m(|m| 1.0 - m.response[2].within_sla),
        p_wait,
    );
    // A test that could not fail would be no test: the interval must be narrow enough to see
    // a 10 % error in the mean wait.
    assert!(
        Z999 * mean.sd / (mean.n as f64).sqrt() < 0.1 * wq,
        "too few replications to detect a 10 % error"
    );
}

#[test]
fn mm1_matches_erlang_c() {
    check_mmc(1, 0.5, 40);
    check_mmc(1, 0.8, 60);
    check_mmc(1, 0.9, 120);
}

#[test]
fn mm2_matches_erlang_c() {
    check_mmc(2, 0.5, 40);
    check_mmc(2, 0.8, 60);
    check_mmc(2, 0.9, 120);
}

#[test]
fn mm3_matches_erlang_c() {
    check_mmc(3, 0.5, 40);
    check_mmc(3, 0.8, 60);
    check_mmc(3, 0.9, 120);
}

/// An admin working around the clock whose only absence is illness with exponential healthy
/// spells (rate α per healthy year) and exponential episodes (mean 1/β): a server with
/// exponential breakdowns and repairs, available β/(α+β) of the time.
fn breakdown_model(n: usize, alpha_per_year: f64, mean_days: f64) -> covsim::model::Model {
    use covsim::calendar::{HolidayRule, WeeklyHours};
    let mut m = common::model(2026, WeeklyHours::always(), HolidayRule::None, 200, 4, 0);
    for i in 0..n {
        let mut p = common::admin(&format!("admin{i}"), WeeklyHours::always());
        // The key counts episodes per calendar year: one per cycle of a healthy spell (mean
        // 1/α) and an episode, so r = 1 / (1/α + D).
        p.absence.illness.episodes_per_year = 365.25 / (365.25 / alpha_per_year + mean_days);
        p.absence.illness.duration_days = covsim::dist::Dist::exponential(mean_days);
        m.people.push(p);
    }
    m.setups.push(common::setup(
        "breakdowns",
        vec![covsim::model::Tier::InHouse((0..n).collect())],
    ));
    m
}

/// Long-run share of time an admin is absent: mean down / (mean up + mean down).
fn absent_share(alpha_per_year: f64, mean_days: f64) -> f64 {
    let up_days = 365.25 / alpha_per_year;
    mean_days / (up_days + mean_days)
}

#[test]
fn server_with_breakdowns_has_availability_beta_over_alpha_plus_beta() {
    let (alpha, mean_days) = (6.0, 15.0);
    let results = run(&breakdown_model(1, alpha, mean_days), 400);
    let expected = 1.0 - absent_share(alpha, mean_days);
    let s = assert_in_ci(
        "availability",
        results.iter().map(|r| r.metrics.coverage_share),
        expected,
    );
    assert!(Z999 * s.sd / (s.n as f64).sqrt() < 0.1 * (1.0 - expected));
}

#[test]
fn share_of_time_with_nobody_present_is_p_to_the_n() {
    let (alpha, mean_days) = (6.0, 15.0);
    let p = absent_share(alpha, mean_days);
    for n in [2usize, 3] {
        let results = run(&breakdown_model(n, alpha, mean_days), 400);
        let s = assert_in_ci(
            &format!("nobody present, n = {n}"),
            results.iter().map(|r| 1.0 - r.metrics.coverage_share),
            p.powi(n as i32),
        );
        assert!(Z999 * s.sd / (s.n as f64).sqrt() < 0.25 * p.powi(n as i32));
    }
}

#[test]
fn littles_law_holds_on_the_backlog() {
    // L = λW per replication: the time-average backlog against arrival rate × mean time in
    // system. The difference must be zero within its CI (it is not exactly zero in a finite
    // window because of tickets that straddle its edges).
    let model = common::mmc(2, 1.6, 1.0, WARMUP_DAYS, 1);
    let results = run(&model, 60);
    let d = results.iter().map(|r| {
        r.metrics.backlog_mean - r.metrics.arrival_rate_per_h * r.metrics.time_in_system_mean_h
    });
    let s = assert_in_ci("L − λW", d, 0.0);
    let l = MeanCi::of(results.iter().map(|r| r.metrics.backlog_mean)).mean;
    assert!(
        Z999 * s.sd / (s.n as f64).sqrt() < 0.02 * l,
        "the CI must resolve a 2 % violation"
    );
}

#[test]
fn the_shipped_textbook_scenario_matches_its_erlang_c_comment() {
    let model = covsim::scenario::load("scenarios/textbook-mm2.toml".as_ref()).unwrap();
    let results = run(&model, 60);
    // The file's comment: Wq = 16/9 h, C = 32/45, L = 40/9.
    let m = |f: fn(&Metrics) -> f64| {
        results
            .iter()
            .map(move |r| f(&r.metrics))
            .collect::<Vec<_>>()
    };
    assert_in_ci("textbook Wq", m(|m| m.response[2].mean), 16.0 / 9.0);
    assert_in_ci("textbook L", m(|m| m.backlog_mean), 40.0 / 9.0);
}

/// times.csv resolves the tail of a loaded queue: in M/M/1 at ρ = 0.95 the time in system is
/// exponential with mean 1/(μ − λ) = 20 h, so 0.67 % of tickets take longer than 100 h (the
/// old open bin, from 99.9 h, held all of them) and practically none longer than 10,000 h.
/// Bin edges are written as the decimals they are.
#[test]
fn times_csv_resolves_the_tail_of_a_loaded_mm1() {
    use covsim::engine::TimeHistogram;
    use covsim::montecarlo::{self, Hooks, Plan};
    use covsim::report::csv::{CsvLocale, times_table};
    let (lambda, mu) = (0.95, 1.0);
    // Relaxation time 1/(μ(1 − √ρ)²) ≈ 1,500 h: 200 days of warm-up leave no start-up bias.
    let model = common::mmc(1, lambda, 1.0 / mu, 200, 1);
    let reps = 200;
    // Per replication: the share of resolution times above 40 h (a coarse bin's edge), from
    // the bins.
    let tail_share = |r: &ReplicationResult| {
        let counts = &r.times.resolution[2];
        let above: u32 = (0..counts.len())
            .filter(|&i| TimeHistogram::upper_h(i) > 40.0)
            .map(|i| counts[i])
            .sum();
        f64::from(above) / f64::from(counts.iter().sum::<u32>())
    };
    let results = run(&model, reps);
    assert_in_ci(
        "M/M/1 ρ=0.95 P(time in system > 40 h)",
        results.iter().map(tail_share),
        (-(mu - lambda) * 40.0f64).exp(),
    );

    let cancel = std::sync::atomic::AtomicBool::new(false);
    let hooks = Hooks {
        cancel: &cancel,
        progress: &|_| {},
    };
    let plan = Plan {
        first: 0,
        count: reps,
        threads: Some(2),
    };
    let exp = montecarlo::run(&model, plan, &hooks).unwrap();
    let csv = String::from_utf8(times_table(&exp).to_csv(CsvLocale::En)).unwrap();
    assert!(
        !csv.contains("0000000") && !csv.contains("9999999"),
        "float noise in times.csv"
    );
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let resolution: Vec<(&str, u64)> = rows
        .iter()
        .filter(|r| r[1] == "resolution")
        .map(|r| (r[3], r[4].parse().unwrap()))
        .collect();
    let edges: Vec<&str> = resolution.iter().map(|r| r.0).take(4).collect();
    assert_eq!(edges, ["0", "0.1", "0.2", "0.3"]);
    // Edges past a day are the R20 series: 25, 28, 31.5, …
    let upto = |e: &str| resolution.iter().position(|r| r.0 == e);
    assert_eq!(upto("24").map(|i| resolution[i + 1].0), Some("25"));
    assert!(upto("31.5").is_some() && upto("100").is_some());
    let total: u64 = resolution.iter().map(|r| r.1).sum();
    let past_100: u64 = resolution[upto("100").unwrap() + 1..]
        .iter()
        .map(|r| r.1)
        .sum();
    let open = resolution.last().unwrap();
    assert!(past_100 > 0, "no tail bins above 100 h");
    assert!(
        open.0 != "inf" || (open.1 as f64) < 1e-4 * total as f64,
        "the open last bin holds {} of {total} tickets",
        open.1
    );
}
