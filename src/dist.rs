//! Probability distributions for durations and efforts.
//!
//! A [`Dist`] is built only by scenario validation ([`Dist::new`] checks every parameter), so
//! sampling is infallible. Samples are never negative. The unit (hours or days) is that of the
//! field that holds the distribution; `Dist` itself is unitless.

use rand::Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Triangular, Uniform, Weibull};

/// A checked, sampleable distribution of a non-negative quantity.
#[derive(Clone, Debug)]
pub struct Dist {
    kind: Kind,
    mean: f64,
}

#[derive(Clone, Debug)]
enum Kind {
    Fixed(f64),
    Exponential(Exp<f64>),
    LogNormal(LogNormal<f64>),
    Gamma(Gamma<f64>),
    Weibull(Weibull<f64>),
    Uniform(Uniform<f64>),
    Triangular(Triangular<f64>),
    /// Cumulative shares (last = 1) and the distribution of each bin.
    Empirical(Vec<(f64, Dist)>),
}

/// The parameters of a distribution, as a scenario states them.
#[derive(Clone, Debug, PartialEq)]
pub enum DistSpec {
    /// Always the same value.
    Fixed {
        /// The value.
        value: f64,
    },
    /// Exponential with the given mean.
    Exponential {
        /// Mean (> 0).
        mean: f64,
    },
    /// Lognormal given by its median and 90th percentile.
    LogNormalMedianP90 {
        /// Median (> 0).
        median: f64,
        /// 90th percentile (> median).
        p90: f64,
    },
    /// Lognormal given by its mean and standard deviation.
    LogNormalMeanSd {
        /// Mean (> 0).
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
    },
    /// Gamma given by its mean and standard deviation.
    Gamma {
        /// Mean (> 0).
        mean: f64,
        /// Standard deviation (> 0).
        sd: f64,
    },
    /// Weibull with shape k and scale λ: P(X > x) = exp(−(x/λ)^k). Calibration fits it to
    /// efforts whose hazard rises or falls with time spent.
    Weibull {
        /// Shape k (> 0; 1 is the exponential).
        shape: f64,
        /// Scale λ (> 0), in the field's unit.
        scale: f64,
    },
    /// Uniform on `[min, max]`.
    Uniform {
        /// Lower bound (>= 0).
        min: f64,
        /// Upper bound (> min).
        max: f64,
    },
    /// Triangular on `[min, max]` with the given mode.
    Triangular {
        /// Lower bound (>= 0).
        min: f64,
        /// Most likely value, within `[min, max]`.
        mode: f64,
        /// Upper bound (> min).
        max: f64,
    },
    /// A mixture of bins, each chosen with its share; within a bin, its own distribution
    /// (uniform between the bin's bounds, as in a histogram, or any other).
    Empirical {
        /// `(share, distribution of the bin)`; shares sum to 1.
        bins: Vec<(f64, DistSpec)>,
    },
}

/// Why a distribution cannot be built. Messages say what would be right.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum DistError {
    /// A parameter is NaN or infinite.
    #[error("{name} must be a finite number, got {value}")]
    NotFinite {
        /// Parameter name.
        name: &'static str,
        /// Offending value.
        value: f64,
    },
    /// A parameter is out of its range.
    #[error("{name} must be {rule}, got {value}")]
    OutOfRange {
        /// Parameter name.
        name: &'static str,
        /// The rule, e.g. "> 0".
        rule: &'static str,
        /// Offending value.
        value: f64,
    },
    /// The shares of an empirical distribution do not sum to 1.
    #[error("the bin shares must sum to 1, they sum to {0}")]
    SharesDoNotSumToOne(f64),
    /// A bin of an empirical distribution is invalid.
    #[error("bin {index}: {source}")]
    Bin {
        /// Index of the bin.
        index: usize,
        /// What is wrong with it.
        source: Box<DistError>,
    },
    /// An empirical distribution without bins.
    #[error("an empirical distribution needs at least one bin")]
    NoBins,
}

fn finite(name: &'static str, value: f64) -> Result<f64, DistError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(DistError::NotFinite { name, value })
    }
}

fn check(name: &'static str, value: f64, rule: &'static str, ok: bool) -> Result<(), DistError> {
    finite(name, value)?;
    if ok {
        Ok(())
    } else {
        Err(DistError::OutOfRange { name, rule, value })
    }
}

/// For parameters that pass our checks but that rand_distr still rejects (extreme ranges).
fn bad(name: &'static str) -> DistError {
    DistError::OutOfRange {
        name,
        rule: "within a range that can be sampled",
        value: f64::NAN,
    }
}

/// z of the standard normal's 90th percentile, to turn (median, P90) into sigma.
const Z90: f64 = 1.281_551_565_544_600_5;

impl Dist {
    /// Builds a distribution, checking every parameter.
    pub fn new(spec: &DistSpec) -> Result<Dist, DistError> {
        Ok(match *spec {
            DistSpec::Fixed { value } => {
                check("value", value, ">= 0", value >= 0.0)?;
                Dist {
                    kind: Kind::Fixed(value),
                    mean: value,
                }
            }
            DistSpec::Exponential { mean } => {
                check("mean", mean, "> 0", mean > 0.0)?;
                Dist {
                    kind: Kind::Exponential(Exp::new(1.0 / mean).expect("checked")),
                    mean,
                }
            }
            DistSpec::LogNormalMedianP90 { median, p90 } => {
                check("median", median, "> 0", median > 0.0)?;
                check("p90", p90, "> median", p90 > median)?;
                let mu = median.ln();
                let sigma = (p90 / median).ln() / Z90;
                let mean = (mu + sigma * sigma / 2.0).exp();
                check(
                    "p90",
                    p90,
                    "close enough to the median for a finite mean",
                    mean.is_finite(),
                )?;
                Dist {
                    kind: Kind::LogNormal(LogNormal::new(mu, sigma).map_err(|_| bad("p90"))?),
                    mean,
                }
            }
            DistSpec::LogNormalMeanSd { mean, sd } => {
                check("mean", mean, "> 0", mean > 0.0)?;
                check("sd", sd, "> 0", sd > 0.0)?;
                let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
                let mu = mean.ln() - sigma2 / 2.0;
                Dist {
                    kind: Kind::LogNormal(
                        LogNormal::new(mu, sigma2.sqrt()).map_err(|_| bad("sd"))?,
                    ),
                    mean,
                }
            }
            DistSpec::Gamma { mean, sd } => {
                check("mean", mean, "> 0", mean > 0.0)?;
                check("sd", sd, "> 0", sd > 0.0)?;
                let shape = (mean / sd).powi(2);
                let scale = sd * sd / mean;
                Dist {
                    kind: Kind::Gamma(Gamma::new(shape, scale).expect("checked")),
                    mean,
                }
            }
            DistSpec::Weibull { shape, scale } => {
                check("shape", shape, "> 0", shape > 0.0)?;
                check("scale", scale, "> 0", scale > 0.0)?;
                let mean = scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape);
                check(
                    "shape",
                    shape,
                    "large enough for a finite mean",
                    mean.is_finite(),
                )?;
                Dist {
                    kind: Kind::Weibull(Weibull::new(scale, shape).map_err(|_| bad("shape"))?),
                    mean,
                }
            }
            DistSpec::Uniform { min, max } => {
                check("min", min, ">= 0", min >= 0.0)?;
                check("max", max, "> min", max > min)?;
                Dist {
                    kind: Kind::Uniform(Uniform::new_inclusive(min, max).map_err(|_| bad("max"))?),
                    mean: (min + max) / 2.0,
                }
            }
            DistSpec::Triangular { min, mode, max } => {
                check("min", min, ">= 0", min >= 0.0)?;
                check("max", max, "> min", max > min)?;
                check(
                    "mode",
                    mode,
                    "between min and max",
                    (min..=max).contains(&mode),
                )?;
                Dist {
                    kind: Kind::Triangular(
                        Triangular::new(min, max, mode).map_err(|_| bad("mode"))?,
                    ),
                    mean: (min + mode + max) / 3.0,
                }
            }
            DistSpec::Empirical { ref bins } => {
                if bins.is_empty() {
                    return Err(DistError::NoBins);
                }
                let mut cum = 0.0;
                let mut mean = 0.0;
                let mut built = Vec::with_capacity(bins.len());
                for (index, (share, bin)) in bins.iter().enumerate() {
                    let bin_err = |e: DistError| DistError::Bin {
                        index,
                        source: Box::new(e),
                    };
                    check(
                        "share",
                        *share,
                        "between 0 and 1",
                        (0.0..=1.0).contains(share),
                    )
                    .map_err(bin_err)?;
                    let d = Dist::new(bin).map_err(bin_err)?;
                    cum += share;
                    mean += share * d.mean;
                    built.push((cum, d));
                }
                if (cum - 1.0).abs() > 1e-6 {
                    return Err(DistError::SharesDoNotSumToOne(cum));
                }
                // Guard the last cumulative share against rounding so that every u < 1 finds a bin.
                if let Some(last) = built.last_mut() {
                    last.0 = f64::INFINITY;
                }
                Dist {
                    kind: Kind::Empirical(built),
                    mean,
                }
            }
        })
    }

    /// Shorthand for a fixed value (tests and built-in defaults).
    pub fn fixed(value: f64) -> Dist {
        Dist::new(&DistSpec::Fixed { value }).expect("fixed value must be finite and >= 0")
    }

    /// Shorthand for an exponential distribution (tests and built-in defaults).
    pub fn exponential(mean: f64) -> Dist {
        Dist::new(&DistSpec::Exponential { mean }).expect("mean must be finite and > 0")
    }

    /// The analytic mean.
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Draws one value (never negative).
    ///
    /// Every variant consumes a fixed pattern of draws per call, except the rejection
    /// samplers inside rand_distr (gamma); streams are per purpose, so this never shifts
    /// another process's draws.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.kind {
            Kind::Fixed(v) => *v,
            Kind::Exponential(d) => d.sample(rng),
            Kind::LogNormal(d) => d.sample(rng),
            Kind::Gamma(d) => d.sample(rng),
            Kind::Weibull(d) => d.sample(rng),
            Kind::Uniform(d) => d.sample(rng),
            Kind::Triangular(d) => d.sample(rng),
            Kind::Empirical(bins) => {
                let u: f64 = rand::RngExt::random(rng);
                let i = bins.partition_point(|(cum, _)| *cum <= u);
                bins[i.min(bins.len() - 1)].1.sample(rng)
            }
        }
        .max(0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_parameters_are_errors_not_panics() {
        let spec = DistSpec::LogNormalMedianP90 {
            median: 1e-300,
            p90: 1e300,
        };
        assert!(Dist::new(&spec).is_err());
        assert!(Dist::new(&DistSpec::Exponential { mean: f64::NAN }).is_err());
        assert!(Dist::new(&DistSpec::Uniform { min: 2.0, max: 1.0 }).is_err());
    }

    #[test]
    fn weibull_mean_is_scale_times_gamma_of_one_plus_one_over_shape() {
        // k = 2: Γ(1.5) = √π / 2.
        let d = Dist::new(&DistSpec::Weibull {
            shape: 2.0,
            scale: 3.0,
        })
        .unwrap();
        assert!((d.mean() - 3.0 * std::f64::consts::PI.sqrt() / 2.0).abs() < 1e-12);
        // k = 1 is the exponential with mean λ.
        let e = Dist::new(&DistSpec::Weibull {
            shape: 1.0,
            scale: 0.5,
        })
        .unwrap();
        assert!((e.mean() - 0.5).abs() < 1e-12);
        assert!(
            Dist::new(&DistSpec::Weibull {
                shape: 0.0,
                scale: 1.0
            })
            .is_err()
        );
        assert!(
            Dist::new(&DistSpec::Weibull {
                shape: 1e-6,
                scale: 1.0
            })
            .is_err()
        );
    }

    #[test]
    fn lognormal_median_and_p90_give_the_analytic_mean() {
        let d = Dist::new(&DistSpec::LogNormalMedianP90 {
            median: 1.0,
            p90: Z90.exp(),
        })
        .unwrap();
        // sigma = 1: mean = exp(1/2).
        assert!((d.mean() - 0.5f64.exp()).abs() < 1e-12);
    }
}
