//! Density, distribution and quantile functions of a fitted [`DistSpec`], Kaplan–Meier
//! plotting positions of a right-censored sample, and Poisson quantiles: what the calibration
//! charts need to set data against the fitted model.
//!
//! The parameterisations are those of [`crate::dist::Dist::new`] (lognormal σ from the p90 by
//! z₀.₉₀, gamma shape (mean/sd)², …), so a chart shows exactly the distribution the scenario
//! will sample from.

use statrs::function::erf::erfc;
use statrs::function::gamma::{gamma_lr, ln_gamma};

use crate::dist::DistSpec;

/// z of the 90th percentile of the standard normal (as in `dist.rs`).
const Z90: f64 = 1.281_551_565_544_600_5;

/// Lognormal (μ, σ) of either lognormal parameterisation.
fn lognormal(spec: &DistSpec) -> Option<(f64, f64)> {
    match *spec {
        DistSpec::LogNormalMedianP90 { median, p90 } => {
            Some((median.ln(), (p90 / median).ln() / Z90))
        }
        DistSpec::LogNormalMeanSd { mean, sd } => {
            let s2 = (1.0 + (sd / mean).powi(2)).ln();
            Some((mean.ln() - s2 / 2.0, s2.sqrt()))
        }
        _ => None,
    }
}

fn normal_cdf(z: f64) -> f64 {
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// P(X ≤ x).
pub(crate) fn cdf(spec: &DistSpec, x: f64) -> f64 {
    if x <= 0.0 && !matches!(spec, DistSpec::Fixed { .. }) {
        return 0.0;
    }
    if let Some((mu, sigma)) = lognormal(spec) {
        return normal_cdf((x.ln() - mu) / sigma);
    }
    match spec {
        DistSpec::Fixed { value } => f64::from(u8::from(x >= *value)),
        DistSpec::Exponential { mean } => 1.0 - (-x / mean).exp(),
        DistSpec::Gamma { mean, sd } => {
            let k = (mean / sd).powi(2);
            let theta = sd * sd / mean;
            gamma_lr(k, x / theta)
        }
        DistSpec::Weibull { shape, scale } => 1.0 - (-(x / scale).powf(*shape)).exp(),
        DistSpec::Uniform { min, max } => ((x - min) / (max - min)).clamp(0.0, 1.0),
        DistSpec::Triangular { min, mode, max } => {
            if x <= *min {
                0.0
            } else if x >= *max {
                1.0
            } else if x <= *mode {
                (x - min).powi(2) / ((max - min) * (mode - min))
            } else {
                1.0 - (max - x).powi(2) / ((max - min) * (max - mode))
            }
        }
        DistSpec::Empirical { bins } => bins.iter().map(|(w, b)| w * cdf(b, x)).sum(),
        DistSpec::LogNormalMedianP90 { .. } | DistSpec::LogNormalMeanSd { .. } => {
            unreachable!("handled above")
        }
    }
}

/// Density at `x` (0 for a fixed value, which has none).
pub(crate) fn pdf(spec: &DistSpec, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if let Some((mu, sigma)) = lognormal(spec) {
        let z = (x.ln() - mu) / sigma;
        return (-0.5 * z * z).exp() / (x * sigma * (2.0 * std::f64::consts::PI).sqrt());
    }
    match spec {
        DistSpec::Fixed { .. } => 0.0,
        DistSpec::Exponential { mean } => (-x / mean).exp() / mean,
        DistSpec::Gamma { mean, sd } => {
            let k = (mean / sd).powi(2);
            let theta = sd * sd / mean;
            ((k - 1.0) * x.ln() - x / theta - ln_gamma(k) - k * theta.ln()).exp()
        }
        DistSpec::Weibull { shape, scale } => {
            let t = x / scale;
            shape / scale * t.powf(shape - 1.0) * (-t.powf(*shape)).exp()
        }
        DistSpec::Uniform { min, max } => {
            // Half-open, so that adjacent histogram bins of an empirical fit do not both count
            // their common bound.
            if (*min..*max).contains(&x) {
                1.0 / (max - min)
            } else {
                0.0
            }
        }
        DistSpec::Triangular { min, mode, max } => {
            if x < *min || x > *max {
                0.0
            } else if x <= *mode {
                2.0 * (x - min) / ((max - min) * (mode - min))
            } else {
                2.0 * (max - x) / ((max - min) * (max - mode))
            }
        }
        DistSpec::Empirical { bins } => bins.iter().map(|(w, b)| w * pdf(b, x)).sum(),
        DistSpec::LogNormalMedianP90 { .. } | DistSpec::LogNormalMeanSd { .. } => {
            unreachable!("handled above")
        }
    }
}

/// The `p`-quantile (0 < p < 1), by bisection on [`cdf`]: one method for every family,
/// mixtures included, exact to 1e-10 relative.
pub(crate) fn quantile(spec: &DistSpec, p: f64) -> f64 {
    if let DistSpec::Fixed { value } = spec {
        return *value;
    }
    let p = p.clamp(1e-12, 1.0 - 1e-12);
    let mut hi = 1.0;
    // Doubling reaches any finite quantile of a proper distribution within ~1,100 steps.
    while cdf(spec, hi) < p && hi < 1e300 {
        hi *= 2.0;
    }
    let mut lo = 0.0;
    for _ in 0..200 {
        let mid = 0.5 * (lo + hi);
        if cdf(spec, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
        if hi - lo <= 1e-10 * hi {
            break;
        }
    }
    0.5 * (lo + hi)
}

/// Plotting positions of a right-censored sample from the Kaplan–Meier estimate F̂: each
/// point `(value, p, censored)`, sorted by value, with p the midpoint of F̂ just before and at
/// the value — (i − ½)/n without censoring, Hazen's positions. A censored value (a lower
/// bound) gets F̂ at its time: the model puts its true value above that quantile.
pub(crate) fn km_positions(data: &[(f64, bool)]) -> Vec<(f64, f64, bool)> {
    let mut d: Vec<(f64, bool)> = data
        .iter()
        .copied()
        .filter(|(x, _)| x.is_finite())
        .collect();
    // At equal values, events come before censorings (the usual Kaplan–Meier convention).
    d.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    let n = d.len();
    let mut surv = 1.0;
    let mut out = Vec::with_capacity(n);
    for (i, &(x, censored)) in d.iter().enumerate() {
        let at_risk = (n - i) as f64;
        if censored {
            out.push((x, 1.0 - surv, true));
        } else {
            let before = surv;
            surv *= 1.0 - 1.0 / at_risk;
            out.push((x, 1.0 - 0.5 * (before + surv), false));
        }
    }
    out
}

/// The smallest k with P(N ≤ k) ≥ p for N ~ Poisson(λ).
pub(crate) fn poisson_quantile(lambda: f64, p: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    // The pmf is summed from the mode outwards in log space, so large λ does not underflow.
    let ln_pmf = |k: f64| k * lambda.ln() - lambda - ln_gamma(k + 1.0);
    let mut cum = 0.0;
    let mut k = 0u32;
    // Below λ − 40√λ − 40 the mass is below 1e-300: start there.
    let start = (lambda - 40.0 * lambda.sqrt() - 40.0).max(0.0).floor() as u32;
    k += start;
    loop {
        cum += ln_pmf(f64::from(k)).exp();
        if cum >= p || f64::from(k) > lambda + 40.0 * lambda.sqrt() + 40.0 {
            return k;
        }
        k += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn families() -> Vec<DistSpec> {
        vec![
            DistSpec::Exponential { mean: 1.7 },
            DistSpec::LogNormalMedianP90 {
                median: 0.5,
                p90: 1.4,
            },
            DistSpec::LogNormalMeanSd { mean: 2.0, sd: 3.0 },
            DistSpec::Gamma { mean: 2.0, sd: 1.2 },
            DistSpec::Weibull {
                shape: 0.8,
                scale: 1.5,
            },
            DistSpec::Empirical {
                bins: vec![
                    (0.6, DistSpec::Uniform { min: 0.0, max: 1.0 }),
                    (0.4, DistSpec::Uniform { min: 1.0, max: 4.0 }),
                ],
            },
        ]
    }

    #[test]
    fn quantile_inverts_cdf_and_pdf_integrates_to_cdf() {
        for f in families() {
            for p in [0.01, 0.1, 0.5, 0.9, 0.99] {
                let q = quantile(&f, p);
                assert!((cdf(&f, q) - p).abs() < 1e-8, "{f:?} p {p}");
            }
            // Trapezoid rule on a fine log grid between the 1 % and 99 % quantiles.
            let (a, b) = (quantile(&f, 0.01), quantile(&f, 0.99));
            let n = 20_000;
            let mut s = 0.0;
            for i in 0..n {
                let x0 = a + (b - a) * i as f64 / n as f64;
                let x1 = a + (b - a) * (i + 1) as f64 / n as f64;
                s += 0.5 * (pdf(&f, x0) + pdf(&f, x1)) * (x1 - x0);
            }
            assert!((s - 0.98).abs() < 1e-4, "{f:?}: ∫pdf = {s}");
        }
    }

    #[test]
    fn adjacent_bins_do_not_double_their_bound() {
        let f = &families()[5];
        assert!((pdf(f, 1.0) - 0.4 / 3.0).abs() < 1e-12);
        assert!((pdf(f, 0.999_999) - 0.6).abs() < 1e-12);
    }

    #[test]
    fn named_quantiles() {
        let ln = DistSpec::LogNormalMedianP90 {
            median: 2.0,
            p90: 5.0,
        };
        assert!((quantile(&ln, 0.5) - 2.0).abs() < 1e-8);
        assert!((quantile(&ln, 0.9) - 5.0).abs() < 1e-8);
        let w = DistSpec::Weibull {
            shape: 2.0,
            scale: 3.0,
        };
        // Weibull median: λ (ln 2)^{1/k}.
        assert!((quantile(&w, 0.5) - 3.0 * 2f64.ln().sqrt()).abs() < 1e-8);
    }

    #[test]
    fn kaplan_meier_positions() {
        // Uncensored: Hazen positions (i − ½)/n.
        let p = km_positions(&[(3.0, false), (1.0, false), (2.0, false), (4.0, false)]);
        let want = [0.125, 0.375, 0.625, 0.875];
        for (got, w) in p.iter().zip(want) {
            assert!((got.1 - w).abs() < 1e-12);
        }
        // 1, 2+ (censored), 3, 4: Ŝ = 3/4 after 1, then 3/4 · 1/2 = 3/8 after 3 (two at risk),
        // then 0 after 4.
        let p = km_positions(&[(1.0, false), (2.0, true), (3.0, false), (4.0, false)]);
        assert!((p[0].1 - 0.125).abs() < 1e-12);
        assert!(p[1].2 && (p[1].1 - 0.25).abs() < 1e-12);
        assert!((p[2].1 - (1.0 - 0.5 * (0.75 + 0.375))).abs() < 1e-12);
        assert!((p[3].1 - (1.0 - 0.5 * 0.375)).abs() < 1e-12);
    }

    #[test]
    fn poisson_quantiles_match_tables() {
        // λ = 10: P(N ≤ 3) = 0.0103, P(N ≤ 4) = 0.0293; P(N ≤ 16) = 0.9730, P(N ≤ 17) = 0.9857.
        assert_eq!(poisson_quantile(10.0, 0.025), 4);
        assert_eq!(poisson_quantile(10.0, 0.975), 17);
        assert_eq!(poisson_quantile(0.0, 0.975), 0);
        // Large λ: the normal approximation λ ± 1.96 √λ within one count.
        let hi = poisson_quantile(10_000.0, 0.975);
        assert!(
            (f64::from(hi) - (10_000.0 + 1.96 * 100.0)).abs() <= 2.0,
            "{hi}"
        );
    }
}
