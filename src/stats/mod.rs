//! Statistics across replications: means with confidence intervals, quantiles.
//!
//! Everything here is a pure function of values given in replication order, so results do not
//! depend on thread scheduling.

mod paired;
mod summary;

pub use paired::{PairedDiff, paired_diff};
pub use summary::{Proportion, Summary, exceedance, quantile_ci, quantile_ci_ranks};

/// Quantile of sorted data by linear interpolation between order statistics (Hyndman & Fan
/// type 7, the default of R and NumPy). `sorted` must be non-empty and ascending.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    debug_assert!(!sorted.is_empty());
    let (lo, hi, frac) = quantile_ranks(sorted.len(), q);
    interpolate(sorted[lo], sorted[hi], frac)
}

/// The type-7 quantile between its two order statistics `lo` and `hi` (see [`quantile_ranks`]).
pub fn interpolate(lo: f64, hi: f64, frac: f64) -> f64 {
    lo + frac * (hi - lo)
}

/// The two order statistics (0-based ranks) that the type-7 quantile `q` of `n` values
/// interpolates between, and the weight of the upper one: the quantile is
/// `x[lo] + frac × (x[hi] − x[lo])`.
pub fn quantile_ranks(n: usize, q: f64) -> (usize, usize, f64) {
    debug_assert!(n > 0);
    let h = (n - 1) as f64 * q.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    (lo, h.ceil() as usize, h - lo as f64)
}

/// The values of the given ranks (0-based, in any order) of `values`, as a full sort would
/// place them, in linear time: the ranks are taken in ascending order, and each selection works
/// on the part above the previous rank only. Reorders `values`.
pub fn select_ranks<T: Ord + Copy, const K: usize>(values: &mut [T], ranks: [usize; K]) -> [T; K] {
    let mut order: [usize; K] = std::array::from_fn(|i| i);
    order.sort_unstable_by_key(|&i| ranks[i]);
    let mut out = [None; K];
    // `values[..done]` holds the ranks below `done` that have been selected, the last one
    // (rank `done - 1`) in its sorted place.
    let mut done = 0;
    for i in order {
        let r = ranks[i];
        assert!(r < values.len(), "rank {r} of {} values", values.len());
        if r >= done {
            values[done..].select_nth_unstable(r - done);
            done = r + 1;
        }
        out[i] = Some(values[r]);
    }
    out.map(|v| v.expect("every rank was selected"))
}

/// Mean, standard deviation and the half-width of the 95 % confidence interval of the mean.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanCi {
    /// Number of (non-NaN) values.
    pub n: usize,
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1 denominator).
    pub sd: f64,
    /// Half-width of the 95 % confidence interval of the mean (Student t).
    pub half_width: f64,
}

impl MeanCi {
    /// Summarises `values`, skipping NaN (a replication without tickets of some priority has no
    /// response time). Welford's algorithm keeps the variance accurate for large n.
    pub fn of(values: impl IntoIterator<Item = f64>) -> MeanCi {
        let (mut n, mut mean, mut m2) = (0usize, 0.0, 0.0);
        for x in values.into_iter().filter(|x| !x.is_nan()) {
            n += 1;
            let d = x - mean;
            mean += d / n as f64;
            m2 += d * (x - mean);
        }
        if n == 0 {
            return MeanCi {
                n,
                mean: f64::NAN,
                sd: f64::NAN,
                half_width: f64::NAN,
            };
        }
        let sd = if n > 1 {
            (m2 / (n - 1) as f64).sqrt()
        } else {
            f64::NAN
        };
        let half_width = if n > 1 {
            t95(n - 1) * sd / (n as f64).sqrt()
        } else {
            f64::NAN
        };
        MeanCi {
            n,
            mean,
            sd,
            half_width,
        }
    }

    /// Lower end of the 95 % confidence interval.
    pub fn lo(&self) -> f64 {
        self.mean - self.half_width
    }

    /// Upper end of the 95 % confidence interval.
    pub fn hi(&self) -> f64 {
        self.mean + self.half_width
    }
}

/// Two-sided 97.5 % quantile of Student's t with `df` degrees of freedom.
///
/// Exact table values up to 30, then the Cornish-Fisher expansion in 1/df (Abramowitz & Stegun
/// 26.7.5), accurate to better than 1e-4 there.
pub fn t95(df: usize) -> f64 {
    const TABLE: [f64; 30] = [
        12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.160,
        2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064, 2.060, 2.056,
        2.052, 2.048, 2.045, 2.042,
    ];
    if df == 0 {
        return f64::NAN;
    }
    if df <= 30 {
        return TABLE[df - 1];
    }
    let z: f64 = 1.959_963_984_540_054;
    let n = df as f64;
    let g1 = (z.powi(3) + z) / 4.0;
    let g2 = (5.0 * z.powi(5) + 16.0 * z.powi(3) + 3.0 * z) / 96.0;
    let g3 = (3.0 * z.powi(7) + 19.0 * z.powi(5) + 17.0 * z.powi(3) - 15.0 * z) / 384.0;
    z + g1 / n + g2 / (n * n) + g3 / (n * n * n)
}

/// Quantile of `values` (NaN skipped); NaN if there are none.
pub fn quantile(values: impl IntoIterator<Item = f64>, q: f64) -> f64 {
    let mut v: Vec<f64> = values.into_iter().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    quantile_sorted(&v, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.0), 1.0);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
    }

    #[test]
    fn selected_ranks_equal_sorted_ones() {
        // A deterministic scramble with many ties, and repeated and adjacent ranks.
        let mut v: Vec<i64> = (0..1000).map(|i| (i * 7919 % 1009) / 3).collect();
        let mut sorted = v.clone();
        sorted.sort_unstable();
        // Out of order and repeated, as the interpolated quantiles of few values ask for them.
        let ranks = [0, 499, 500, 500, 898, 899, 1, 0, 949, 999, 499];
        let got = select_ranks(&mut v, ranks);
        assert_eq!(got, ranks.map(|r| sorted[r]));
        let mut two = [7, 3];
        assert_eq!(
            select_ranks(&mut two, [0, 1, 0, 1, 0, 1, 1]),
            [3, 7, 3, 7, 3, 7, 7]
        );
    }

    #[test]
    fn mean_ci_of_known_sample() {
        // Values 1..=5: mean 3, sd sqrt(2.5), t(4) = 2.776.
        let s = MeanCi::of([1.0, 2.0, 3.0, 4.0, 5.0]);
        assert_eq!(s.n, 5);
        assert!((s.mean - 3.0).abs() < 1e-12);
        assert!((s.sd - 2.5f64.sqrt()).abs() < 1e-12);
        assert!((s.half_width - 2.776 * 2.5f64.sqrt() / 5f64.sqrt()).abs() < 1e-9);
    }

    #[test]
    fn t_quantile_is_continuous_at_the_table_end() {
        assert!((t95(31) - 2.0395).abs() < 1e-3);
        assert!((t95(1000) - 1.9623).abs() < 1e-3);
    }
}
