//! Distribution summary of one metric across replications: mean with CI, quantiles with
//! distribution-free CIs, CVaR, and exceedance probabilities.

use super::{quantile_sorted, t95};
use serde::Serialize;

/// Two-sided 97.5 % quantile of the standard normal.
const Z95: f64 = 1.959_963_984_540_054;

/// Everything the reports show about one metric. NaN fields mean "not enough data".
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Summary {
    /// Number of (non-NaN) values.
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1 denominator).
    pub sd: f64,
    /// Lower end of the 95 % CI of the mean (Student t).
    pub ci_lo: f64,
    /// Upper end of the 95 % CI of the mean (Student t).
    pub ci_hi: f64,
    /// Smallest value.
    pub min: f64,
    /// 5th percentile (type 7).
    pub p5: f64,
    /// Median (type 7).
    pub p50: f64,
    /// 90th percentile (type 7).
    pub p90: f64,
    /// 95th percentile (type 7).
    pub p95: f64,
    /// 99th percentile (type 7).
    pub p99: f64,
    /// Largest value.
    pub max: f64,
    /// Mean of the worst 5 %: the average of the top ceil(0.05 n) values. Defined by a count
    /// rather than "values ≥ P95" so ties and interpolation cannot change how many are averaged.
    pub cvar95: f64,
    /// 95 % CI of `p5`, see [`quantile_ci`].
    pub p5_ci: (f64, f64),
    /// 95 % CI of `p50`, see [`quantile_ci`].
    pub p50_ci: (f64, f64),
    /// 95 % CI of `p90`, see [`quantile_ci`].
    pub p90_ci: (f64, f64),
    /// 95 % CI of `p95`, see [`quantile_ci`].
    pub p95_ci: (f64, f64),
    /// 95 % CI of `p99`, see [`quantile_ci`].
    pub p99_ci: (f64, f64),
}

impl Summary {
    /// Summarises `values` (replication order, NaN = no data in that replication, skipped).
    pub fn of(values: &[f64]) -> Summary {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
        let n = v.len();
        let (mean, var) = mean_var(&v);
        let sd = var.sqrt();
        let hw = if n > 1 {
            t95(n - 1) * sd / (n as f64).sqrt()
        } else {
            f64::NAN
        };
        v.sort_by(f64::total_cmp);
        let q = |p| {
            if n == 0 {
                f64::NAN
            } else {
                quantile_sorted(&v, p)
            }
        };
        // Integer ceil(n / 20): 0.05 * n in floating point can land just above an integer.
        let k = n.div_ceil(20);
        let cvar95 = if n == 0 {
            f64::NAN
        } else {
            neumaier(v[n - k..].iter().copied()) / k as f64
        };
        Summary {
            n,
            mean,
            sd,
            ci_lo: mean - hw,
            ci_hi: mean + hw,
            min: v.first().copied().unwrap_or(f64::NAN),
            p5: q(0.05),
            p50: q(0.5),
            p90: q(0.9),
            p95: q(0.95),
            p99: q(0.99),
            max: v.last().copied().unwrap_or(f64::NAN),
            cvar95,
            p5_ci: quantile_ci(&v, 0.05),
            p50_ci: quantile_ci(&v, 0.5),
            p90_ci: quantile_ci(&v, 0.9),
            p95_ci: quantile_ci(&v, 0.95),
            p99_ci: quantile_ci(&v, 0.99),
        }
    }
}

/// Neumaier's compensated sum (Neumaier 1974, improved Kahan–Babuška), in the given order so
/// the result does not depend on scheduling.
pub(crate) fn neumaier(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for x in values {
        let t = s + x;
        c += if s.abs() >= x.abs() {
            (s - t) + x
        } else {
            (x - t) + s
        };
        s = t;
    }
    s + c
}

/// Mean and sample variance of NaN-free `v` by the corrected two-pass algorithm (Chan, Golub &
/// LeVeque 1983, eq. 1.7) with compensated sums: a large common offset cancels exactly in the
/// deviations, which a one-pass formula would lose. NaN where undefined.
pub(crate) fn mean_var(v: &[f64]) -> (f64, f64) {
    let n = v.len() as f64;
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = neumaier(v.iter().copied()) / n;
    if v.len() < 2 {
        return (mean, f64::NAN);
    }
    let d = neumaier(v.iter().map(|x| x - mean));
    let d2 = neumaier(v.iter().map(|x| (x - mean) * (x - mean)));
    (mean, ((d2 - d * d / n) / (n - 1.0)).max(0.0))
}

/// 1-based order-statistic ranks `(l, u)` of a distribution-free 95 % CI `[X(l), X(u)]` for
/// the `q` quantile of `n` values. The coverage is P(l ≤ B ≤ u − 1), B ~ Binomial(n, q), since
/// X(l) ≤ ξ iff B ≥ l and X(u) > ξ iff B < u (continuous data).
///
/// - n ≤ 1000: exact and equal-tailed, each tail ≤ 2.5 %, so coverage ≥ 95 %: the largest l with
///   P(B ≤ l − 1) ≤ 0.025 and the smallest u with P(B ≥ u) ≤ 0.025 (binomial pmf in log space).
/// - n > 1000: normal approximation of the binomial, l = ⌊nq − 1.96 s⌋, u = ⌈nq + 1.96 s⌉ + 1,
///   s = √(nq(1 − q)).
///
/// An end is `None` when it would need rank 0 or n + 1: the sample does not bound the
/// quantile on that side (e.g. the upper end of P99 from 50 values). Not clamped to min/max,
/// which would claim more certainty than the data give.
pub fn quantile_ci_ranks(n: usize, q: f64) -> (Option<usize>, Option<usize>) {
    if n == 0 || !(q > 0.0 && q < 1.0) {
        return (None, None);
    }
    let (l, u) = if n <= 1000 {
        let pmf = binomial_pmf(n, q);
        // Sum each tail from its own end: 1 − F would cancel badly for the upper tail.
        let (mut lower, mut l) = (0.0, 0);
        while l < n && lower + pmf[l] <= 0.025 {
            lower += pmf[l];
            l += 1;
        }
        let (mut upper, mut u) = (0.0, n + 1);
        while u > 1 && upper + pmf[u - 1] <= 0.025 {
            upper += pmf[u - 1];
            u -= 1;
        }
        (l as i64, u as i64)
    } else {
        let (m, s) = (n as f64 * q, (n as f64 * q * (1.0 - q)).sqrt());
        (
            (m - 1.96 * s).floor() as i64,
            (m + 1.96 * s).ceil() as i64 + 1,
        )
    };
    let ok = |r: i64| (r >= 1 && r <= n as i64).then_some(r as usize);
    (ok(l), ok(u))
}

/// Binomial(n, q) pmf for k = 0..=n. The logs follow the ratio recurrence
/// p(k+1)/p(k) = (n − k)/(k + 1) · q/(1 − q), so (1 − q)^n underflowing to 0 (n = 1000,
/// q = 0.99) does not zero the whole distribution.
fn binomial_pmf(n: usize, q: f64) -> Vec<f64> {
    let odds = (q / (1.0 - q)).ln();
    let mut ln_p = n as f64 * (-q).ln_1p();
    let mut pmf = Vec::with_capacity(n + 1);
    for k in 0..=n {
        pmf.push(ln_p.exp());
        ln_p += ((n - k) as f64 / (k + 1) as f64).ln() + odds;
    }
    pmf
}

/// Distribution-free 95 % CI `(lo, hi)` of the `q` quantile of ascending NaN-free `sorted`,
/// from the ranks of [`quantile_ci_ranks`]; an end the sample cannot bound is NaN.
pub fn quantile_ci(sorted: &[f64], q: f64) -> (f64, f64) {
    let (l, u) = quantile_ci_ranks(sorted.len(), q);
    let at = |r: Option<usize>| r.map_or(f64::NAN, |r| sorted[r - 1]);
    (at(l), at(u))
}

/// A proportion with its Wilson score 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Proportion {
    /// Observed proportion x / n (NaN if n = 0).
    pub p: f64,
    /// Lower end of the Wilson score interval.
    pub lo: f64,
    /// Upper end of the Wilson score interval.
    pub hi: f64,
    /// Number of (non-NaN) values.
    pub n: usize,
}

/// Share of replications with a value strictly above `threshold` (NaN skipped). Wilson rather
/// than Wald because exceedances are often 0 or near it, where Wald collapses to width zero.
/// Formula: Wilson (1927), as in Agresti & Coull (1998), eq. 2.
pub fn exceedance(values: &[f64], threshold: f64) -> Proportion {
    let valid = values.iter().filter(|x| !x.is_nan());
    let (n, x) = valid.fold((0usize, 0usize), |(n, x), v| {
        (n + 1, x + usize::from(*v > threshold))
    });
    if n == 0 {
        return Proportion {
            p: f64::NAN,
            lo: f64::NAN,
            hi: f64::NAN,
            n,
        };
    }
    let (nf, z2) = (n as f64, Z95 * Z95);
    let p = x as f64 / nf;
    let denom = 1.0 + z2 / nf;
    let centre = (p + z2 / (2.0 * nf)) / denom;
    let half = Z95 / denom * (p * (1.0 - p) / nf + z2 / (4.0 * nf * nf)).sqrt();
    Proportion {
        p,
        lo: (centre - half).max(0.0),
        hi: (centre + half).min(1.0),
        n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, Normal, StandardUniform};

    #[test]
    fn variance_survives_a_large_offset() {
        let v: Vec<f64> = (0..1_000_000).map(|i| 1e9 + (i % 5 + 1) as f64).collect();
        let s = Summary::of(&v);
        // Population variance 2, so the sample variance is 2 n / (n − 1).
        let want = 2.0 * 1e6 / (1e6 - 1.0);
        assert!((s.sd * s.sd / want - 1.0).abs() < 1e-9, "{}", s.sd * s.sd);
        assert!((s.mean - (1e9 + 3.0)).abs() < 1e-6);
    }

    #[test]
    fn ci_of_a_normal_sample() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let d = Normal::new(5.0, 2.0).unwrap();
        let v: Vec<f64> = (0..10_000).map(|_| d.sample(&mut rng)).collect();
        let s = Summary::of(&v);
        assert!(s.ci_lo < 5.0 && 5.0 < s.ci_hi, "{s:?}");
        let hw = (s.ci_hi - s.ci_lo) / 2.0;
        assert!((hw / (1.96 * 2.0 / 100.0) - 1.0).abs() < 0.05, "{hw}");
    }

    #[test]
    fn quantiles_of_uniforms() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let v: Vec<f64> = (0..10_000)
            .map(|_| StandardUniform.sample(&mut rng))
            .collect();
        let s = Summary::of(&v);
        assert!((s.p90 - 0.9).abs() < 0.01);
        let (lo, hi) = s.p90_ci;
        assert!(lo < 0.9 && 0.9 < hi, "{lo} {hi}");
        let want = 2.0 * 1.96 * (0.09f64 / 10_000.0).sqrt();
        // The ranks fix the width in probability: (u − l) / n = 119 / 10⁴, within 2 %.
        let (l, u) = quantile_ci_ranks(10_000, 0.9);
        let rank_width = (u.unwrap() - l.unwrap()) as f64 / 10_000.0;
        assert!((rank_width / want - 1.0).abs() < 0.02, "{rank_width}");
        // The width in values is a sum of 119 uniform spacings, relative sd √119 / 119 ≈ 9 %,
        // so 10 % would fail for about one seed in three; 30 % is over 3 sd.
        assert!(((hi - lo) / want - 1.0).abs() < 0.3, "{}", hi - lo);
    }

    #[test]
    fn exact_ranks_reproduce_the_classic_median_interval() {
        // n = 20, median: X(6)..X(15), coverage F(14) − F(5) = 0.97931 − 0.02069 = 0.95862.
        assert_eq!(quantile_ci_ranks(20, 0.5), (Some(6), Some(15)));
        let pmf = binomial_pmf(20, 0.5);
        let cover: f64 = pmf[6..15].iter().sum();
        assert!((cover - 0.95862).abs() < 1e-5, "{cover}");
        // P99 from 50 values: P(B = 50) = 0.99^50 ≈ 0.61, nothing bounds it from above.
        let v: Vec<f64> = (1..=50).map(f64::from).collect();
        let (lo, hi) = Summary::of(&v).p99_ci;
        assert!(lo.is_finite() && hi.is_nan());
        // The exact pmf stays normalised even where (1 − q)^n underflows.
        assert!((binomial_pmf(1000, 0.99).iter().sum::<f64>() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn cvar_averages_the_top_five_percent() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(Summary::of(&v).cvar95, 98.0);
    }

    #[test]
    fn nan_is_skipped_and_empty_is_nan() {
        let s = Summary::of(&[f64::NAN, 1.0, 3.0]);
        assert_eq!((s.n, s.mean, s.min, s.max), (2, 2.0, 1.0, 3.0));
        let e = Summary::of(&[f64::NAN]);
        assert!(e.n == 0 && e.mean.is_nan() && e.p50.is_nan() && e.cvar95.is_nan());
    }

    #[test]
    fn wilson_interval_by_hand() {
        // x = 10, n = 100, z² = 3.8416: centre (0.1 + 0.019208) / 1.038416 = 0.114799,
        // half 1.96 · √(0.0009 + 0.00009604) / 1.038416 = 0.059569 → 0.05523 … 0.17437.
        let v: Vec<f64> = (0..100).map(|i| if i < 10 { 2.0 } else { 1.0 }).collect();
        let p = exceedance(&v, 1.0);
        assert_eq!((p.n, p.p), (100, 0.1));
        assert!(
            (p.lo - 0.05523).abs() < 1e-4 && (p.hi - 0.17437).abs() < 1e-4,
            "{p:?}"
        );
    }
}
