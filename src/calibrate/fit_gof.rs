//! Goodness of fit for right-censored samples, its parametric-bootstrap p-value, and the
//! empirical fallback.
//!
//! Statistic: Kolmogorov–Smirnov distance between the Kaplan–Meier estimate and the fitted
//! distribution function, sup |F_KM(t) − F(t)| over [0, largest observation]. Without
//! censoring the Kaplan–Meier estimate is the empirical distribution function and this is the
//! ordinary KS statistic. Its null distribution depends on the censoring pattern and on the
//! parameters being estimated, so no table applies: the p-value comes from a parametric
//! bootstrap that simulates from the fit, censors each simulated ticket at the censoring time
//! of the corresponding real ticket, refits the same family and recomputes the statistic.

use crate::calibrate::fit::{Fitted, Obs, fit};
use crate::dist::DistSpec;
use crate::rng::SimRng;

/// Name of the statistic, as [`crate::calibrate::GoodnessOfFit::statistic`] reports it.
pub const STATISTIC: &str = "Kolmogorov–Smirnov (Kaplan–Meier)";

/// Below this bootstrap p-value no family fits and the empirical distribution is used.
pub const P_THRESHOLD: f64 = 0.01;

/// Sorts observations by value, closed before censored at ties (the Kaplan–Meier convention:
/// a ticket closed at t was at risk at t, one censored at t counts as at risk too).
///
/// Values are positive, so their bit patterns sort like the numbers; shifted left by one with
/// the censoring flag in the lowest bit they sort as plain integers, several times faster than
/// comparing pairs (the bootstrap sorts thousands of samples).
fn sorted(obs: &[Obs]) -> Vec<(f64, bool)> {
    let mut keys: Vec<u64> = obs
        .iter()
        .map(|o| (o.value.max(0.0).to_bits() << 1) | u64::from(o.censored))
        .collect();
    keys.sort_unstable();
    keys.into_iter()
        .map(|k| (f64::from_bits(k >> 1), k & 1 == 1))
        .collect()
}

/// Kaplan–Meier steps `(time, F just before, F at time)` at each distinct closed value, from
/// observations sorted by [`sorted`].
fn kaplan_meier(v: &[(f64, bool)]) -> Vec<(f64, f64, f64)> {
    let mut steps = Vec::with_capacity(v.len());
    let mut surv = 1.0;
    let mut at_risk = v.len() as f64;
    let mut i = 0;
    while i < v.len() {
        let t = v[i].0;
        let (mut deaths, mut leaving) = (0.0, 0.0);
        while i < v.len() && v[i].0 == t {
            if !v[i].1 {
                deaths += 1.0;
            }
            leaving += 1.0;
            i += 1;
        }
        if deaths > 0.0 {
            let before = 1.0 - surv;
            surv *= 1.0 - deaths / at_risk;
            steps.push((t, before, 1.0 - surv));
        }
        at_risk -= leaving;
    }
    steps
}

/// The KS distance between the Kaplan–Meier estimate of `obs` and `f`.
pub fn ks_km(obs: &[Obs], f: &Fitted) -> f64 {
    let v = sorted(obs);
    let steps = kaplan_meier(&v);
    let mut d: f64 = 0.0;
    let mut last = 0.0;
    for &(t, before, after) in &steps {
        let ft = f.cdf(t);
        d = d.max((ft - before).abs()).max((ft - after).abs());
        last = after;
    }
    if let Some(&(tmax, _)) = v.last() {
        // Between the last step and the largest observation F_KM stays flat.
        d = d.max((f.cdf(tmax) - last).abs());
    }
    d
}

/// Parametric-bootstrap p-value of [`ks_km`] for `fitted` on `obs`, with `b` resamples:
/// (1 + #{D* ≥ D}) / (b + 1). A resample whose refit fails counts as at least as extreme
/// (conservative).
pub fn bootstrap_p(obs: &[Obs], fitted: &Fitted, observed: f64, b: u32, rng: &mut SimRng) -> f64 {
    let mut sim: Vec<Obs> = obs.to_vec();
    let mut extreme = 0u32;
    for _ in 0..b {
        for (s, o) in sim.iter_mut().zip(obs) {
            let x = fitted.sample(rng);
            // Simulated values are positive: a fit's distribution has no atom at 0, and a
            // draw that rounds to 0 is lifted to the smallest positive value.
            let x = x.max(f64::MIN_POSITIVE);
            *s = if x > o.bound {
                Obs {
                    value: o.bound.max(f64::MIN_POSITIVE),
                    censored: true,
                    bound: o.bound,
                }
            } else {
                Obs {
                    value: x,
                    censored: false,
                    bound: o.bound,
                }
            };
        }
        let stat = fit(fitted.family(), &sim, Some(fitted)).map(|g| ks_km(&sim, &g));
        match stat {
            Some(s) if s < observed => {}
            _ => extreme += 1,
        }
    }
    (1.0 + f64::from(extreme)) / (f64::from(b) + 1.0)
}

/// Bins of the empirical fallback.
pub const EMPIRICAL_BINS: usize = 20;

/// The empirical distribution of a censored sample: equal-probability bins between the
/// Kaplan–Meier quantiles, uniform within each bin. Censoring beyond the largest closed value
/// leaves mass the data cannot place; it goes into a last bin up to the largest observation,
/// so this tail is a lower bound. Returns the spec and whether such a tail bin was needed.
pub fn empirical(obs: &[Obs]) -> Option<(DistSpec, bool)> {
    let v = sorted(obs);
    let steps = kaplan_meier(&v);
    let &(t_last, _, f_last) = steps.last()?;
    let t_max = v.last()?.0;
    let quantile = |p: f64| {
        steps
            .iter()
            .find(|s| s.2 >= p - 1e-12)
            .map_or(t_last, |s| s.0)
    };
    let mut edges = vec![(0.0, v[0].0.min(steps[0].0))];
    for j in 1..=EMPIRICAL_BINS {
        let p = j as f64 / EMPIRICAL_BINS as f64;
        if p > f_last + 1e-12 {
            break;
        }
        edges.push((p, quantile(p)));
    }
    let covered = edges.last()?.0;
    if covered < f_last - 1e-12 {
        edges.push((f_last, t_last));
    }
    let mut tail = false;
    if f_last < 1.0 - 1e-12 {
        tail = true;
        edges.push((1.0, t_max.max(t_last)));
    }
    let mut bins: Vec<(f64, DistSpec)> = Vec::new();
    for w in edges.windows(2) {
        let ((p0, a), (p1, b)) = (w[0], w[1]);
        let share = p1 - p0;
        if share <= 0.0 {
            continue;
        }
        let spec = if b > a {
            DistSpec::Uniform { min: a, max: b }
        } else {
            DistSpec::Fixed { value: b }
        };
        bins.push((share, spec));
    }
    // Shares are differences of a telescoping sum to 1; fold rounding into the last bin.
    let sum: f64 = bins.iter().map(|b| b.0).sum();
    if let Some(last) = bins.last_mut() {
        last.0 += 1.0 - sum;
    }
    (!bins.is_empty()).then_some((DistSpec::Empirical { bins }, tail))
}
