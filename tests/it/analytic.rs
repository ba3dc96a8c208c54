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
const Z999: f64 = 3.290_526_731_491_926;

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
fn assert_in_ci(what: &str, values: impl IntoIterator<Item = f64>, expected: f64) -> MeanCi {
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
    let m = |f: fn(&Metrics) -> f64| results.iter().map(move |r| f(&r.metrics)).collect::<Vec<_>>();
    let mean = assert_in_ci(&format!("M/M/{c} ρ={rho} mean wait (h)"), m(|m| m.response[2].mean), wq);
    // With the response target at 0, the share within target is the share that did not wait.
    assert_in_ci(&format!("M/M/{c} ρ={rho} P(wait > 0)"), m(|m| 1.0 - m.response[2].within_sla), p_wait);
    // A test that could not fail would be no test: the interval must be narrow enough to see
    // a 10 % error in the mean wait.
    assert!(Z999 * mean.sd / (mean.n as f64).sqrt() < 0.1 * wq, "too few replications to detect a 10 % error");
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
