//! Paired differences between two setups run on common random numbers.
//!
//! Replication k of every setup sees the same incidents and absences, so the per-replication
//! difference removes the shared noise; comparing against the interval an independent design
//! would give shows how much that buys.

use super::summary::mean_var;
use super::t95;
use serde::Serialize;

/// Difference `other − baseline` with its paired 95 % CI and the independent-samples width.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PairedDiff {
    /// Number of pairs with a value on both sides.
    pub n: usize,
    /// Mean of `other − baseline` (setup minus baseline).
    pub mean_diff: f64,
    /// Lower end of the paired 95 % CI (Student t, n − 1 df).
    pub ci_lo: f64,
    /// Upper end of the paired 95 % CI.
    pub ci_hi: f64,
    /// Standard deviation of the differences.
    pub sd_diff: f64,
    /// 95 % half-width had the two samples been independent (Welch, Welch–Satterthwaite df
    /// rounded down).
    pub independent_half_width: f64,
    /// `independent_half_width / paired half-width`: how many times narrower common random
    /// numbers make the interval (∞ if the differences are constant).
    pub narrowing: f64,
}

/// Compares `other` against `baseline` pair by pair (index = replication); a pair with NaN on
/// either side is skipped, so both designs are judged on the same replications.
///
/// # Panics
/// If the slices differ in length: they must come from the same replications.
pub fn paired_diff(baseline: &[f64], other: &[f64]) -> PairedDiff {
    assert_eq!(
        baseline.len(),
        other.len(),
        "paired samples must have equal length"
    );
    let (a, b): (Vec<f64>, Vec<f64>) = baseline
        .iter()
        .zip(other)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| (*x, *y))
        .unzip();
    let d: Vec<f64> = b.iter().zip(&a).map(|(y, x)| y - x).collect();
    let n = d.len();
    let (mean_diff, var_d) = mean_var(&d);
    let sd_diff = var_d.sqrt();
    let nf = n as f64;
    let (paired_hw, independent_half_width) = if n > 1 {
        let (va, vb) = (mean_var(&a).1 / nf, mean_var(&b).1 / nf);
        // Welch–Satterthwaite df; truncation rounds down, the conservative side. NaN (both
        // variances zero) becomes 0 df, whose t95 is NaN.
        let df = (va + vb).powi(2) / ((va * va + vb * vb) / (nf - 1.0));
        (
            t95(n - 1) * sd_diff / nf.sqrt(),
            t95(df as usize) * (va + vb).sqrt(),
        )
    } else {
        (f64::NAN, f64::NAN)
    };
    PairedDiff {
        n,
        mean_diff,
        ci_lo: mean_diff - paired_hw,
        ci_hi: mean_diff + paired_hw,
        sd_diff,
        independent_half_width,
        narrowing: independent_half_width / paired_hw,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};

    #[test]
    fn five_pairs_by_hand() {
        // a = 10 12 9 11 13 (mean 11, SS 10, var 2.5); b = 8 11 6 10 10 (mean 9, SS 16, var 4).
        // d = b − a = −2 −1 −3 −1 −3: mean −2, SS 4, var 1, sd 1.
        // Paired: t(4) = 2.776, hw = 2.776 / √5 = 1.241465 → (−3.241465, −0.758535).
        // Welch: se² = 2.5/5 + 4/5 = 1.3, df = 1.69 / ((0.25 + 0.64) / 4) = 7.596 → 7,
        // t(7) = 2.365, hw = 2.365 · √1.3 = 2.696515; narrowing = 2.696515 / 1.241465 = 2.172043.
        let p = paired_diff(
            &[10.0, 12.0, 9.0, 11.0, 13.0, f64::NAN],
            &[8.0, 11.0, 6.0, 10.0, 10.0, 1.0],
        );
        assert_eq!(p.n, 5);
        assert!((p.mean_diff + 2.0).abs() < 1e-12 && (p.sd_diff - 1.0).abs() < 1e-12);
        assert!(
            (p.ci_lo + 3.241465).abs() < 1e-6 && (p.ci_hi + 0.758535).abs() < 1e-6,
            "{p:?}"
        );
        assert!((p.independent_half_width - 2.696515).abs() < 1e-6);
        assert!((p.narrowing - 2.172043).abs() < 1e-5);
    }

    #[test]
    fn narrowing_reflects_correlation() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let mut z = || -> f64 { StandardNormal.sample(&mut rng) };
        let a: Vec<f64> = (0..10_000).map(|_| z()).collect();
        let shared: Vec<f64> = a.iter().map(|x| x + 0.1 * z()).collect();
        let indep: Vec<f64> = (0..10_000).map(|_| z()).collect();
        assert!(paired_diff(&a, &shared).narrowing > 5.0);
        let n = paired_diff(&a, &indep).narrowing;
        assert!((n - 1.0).abs() < 0.05, "{n}");
    }
}
