//! Maximum-likelihood fits of effort distributions to right-censored samples.
//!
//! A closed ticket contributes its density, a ticket still open at export time its survival
//! function at its age (it would have taken at least that long): dropping open tickets would
//! keep the short ones of the last weeks and lose the long ones, and bias every fit low.
//!
//! Uncensored observations enter through sufficient statistics (count, Σx, Σ ln x, Σ ln² x),
//! so a fit costs O(n) once and then O(censored) per likelihood evaluation, except for the
//! Weibull whose profile likelihood needs Σ x^k over all observations.
//!
//! Choice: lowest AIC, except that the one-parameter exponential is nested in the gamma and
//! the Weibull (shape 1): a two-parameter family replaces it only when it beats it in a
//! likelihood-ratio test at 1 % (2 Δln L > χ²₁(0.99) = 6.63, i.e. ΔAIC > 4.63). Plain AIC
//! would pick a two-parameter family for exponential data in about one sample of six (the
//! chance that χ²₁ exceeds 2).

use rand::Rng;
use rand_distr::{Distribution, Exp, Gamma, LogNormal, Weibull};
use statrs::function::erf::erfc;
use statrs::function::gamma::{checked_gamma_ur, digamma, ln_gamma};

use crate::calibrate::{Family, FamilyFit};
use crate::dist::DistSpec;

/// One effort observation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Obs {
    /// Hours observed: the effort, or for a censored observation the hours reached so far.
    pub value: f64,
    /// Still open at export time: the true effort is larger than `value`.
    pub censored: bool,
    /// The censoring time that applied to this ticket (its age at export time, in the unit of
    /// `value`): for a censored observation its value; for a closed one the time it would have
    /// been censored at. The parametric bootstrap censors its simulated samples here, so they
    /// have the data's censoring pattern.
    pub bound: f64,
}

/// χ²₁ quantile at 0.99: the likelihood-ratio threshold for replacing the exponential.
pub const LR_THRESHOLD: f64 = 6.634_896_601_021_214;

/// A fitted distribution with its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Fitted {
    /// Exponential with rate λ [1/h].
    Exponential {
        /// Rate.
        rate: f64,
    },
    /// Lognormal: ln X ~ N(μ, σ²).
    LogNormal {
        /// μ.
        mu: f64,
        /// σ.
        sigma: f64,
    },
    /// Gamma with shape k and scale θ.
    Gamma {
        /// k.
        shape: f64,
        /// θ.
        scale: f64,
    },
    /// Weibull with shape k and scale λ.
    Weibull {
        /// k.
        shape: f64,
        /// λ.
        scale: f64,
    },
}

const SQRT_2: f64 = std::f64::consts::SQRT_2;
const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

impl Fitted {
    /// The family.
    pub fn family(&self) -> Family {
        match self {
            Fitted::Exponential { .. } => Family::Exponential,
            Fitted::LogNormal { .. } => Family::LogNormal,
            Fitted::Gamma { .. } => Family::Gamma,
            Fitted::Weibull { .. } => Family::Weibull,
        }
    }

    /// Number of free parameters (for AIC).
    pub fn parameters(&self) -> usize {
        match self {
            Fitted::Exponential { .. } => 1,
            _ => 2,
        }
    }

    /// `(name, value)` of the parameters, as [`FamilyFit::params`] lists them.
    pub fn params(&self) -> Vec<(&'static str, f64)> {
        match *self {
            Fitted::Exponential { rate } => vec![("mean", 1.0 / rate)],
            Fitted::LogNormal { mu, sigma } => vec![("mu", mu), ("sigma", sigma)],
            Fitted::Gamma { shape, scale } => vec![("shape", shape), ("scale", scale)],
            Fitted::Weibull { shape, scale } => vec![("shape", shape), ("scale", scale)],
        }
    }

    /// The scenario's distribution: lognormal by median and 90th percentile (the way
    /// scenarios state lognormals), gamma by mean and standard deviation.
    pub fn spec(&self) -> DistSpec {
        match *self {
            Fitted::Exponential { rate } => DistSpec::Exponential { mean: 1.0 / rate },
            Fitted::LogNormal { mu, sigma } => DistSpec::LogNormalMedianP90 {
                median: mu.exp(),
                p90: (mu + Z90 * sigma).exp(),
            },
            Fitted::Gamma { shape, scale } => DistSpec::Gamma {
                mean: shape * scale,
                sd: shape.sqrt() * scale,
            },
            Fitted::Weibull { shape, scale } => DistSpec::Weibull { shape, scale },
        }
    }

    /// The distribution function at `x` (0 for x ≤ 0).
    pub fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        match *self {
            Fitted::Exponential { rate } => -(-rate * x).exp_m1(),
            Fitted::LogNormal { mu, sigma } => 0.5 * erfc(-(x.ln() - mu) / (sigma * SQRT_2)),
            Fitted::Gamma { shape, scale } => {
                1.0 - checked_gamma_ur(shape, x / scale).unwrap_or(0.0)
            }
            Fitted::Weibull { shape, scale } => -(-(x / scale).powf(shape)).exp_m1(),
        }
    }

    /// ln of the survival function at `x` (censored observations).
    pub fn ln_sf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return 0.0;
        }
        match *self {
            Fitted::Exponential { rate } => -rate * x,
            Fitted::LogNormal { mu, sigma } => ln_normal_sf((x.ln() - mu) / sigma),
            Fitted::Gamma { shape, scale } => ln_gamma_sf(shape, x / scale),
            Fitted::Weibull { shape, scale } => -(x / scale).powf(shape),
        }
    }

    /// ln of the density at `x` > 0.
    pub fn ln_pdf(&self, x: f64) -> f64 {
        let lx = x.ln();
        match *self {
            Fitted::Exponential { rate } => rate.ln() - rate * x,
            Fitted::LogNormal { mu, sigma } => {
                let z = (lx - mu) / sigma;
                -lx - sigma.ln() - LN_SQRT_2PI - 0.5 * z * z
            }
            Fitted::Gamma { shape, scale } => {
                (shape - 1.0) * lx - x / scale - shape * scale.ln() - ln_gamma(shape)
            }
            Fitted::Weibull { shape, scale } => {
                shape.ln() - scale.ln() + (shape - 1.0) * (lx - scale.ln())
                    - (x / scale).powf(shape)
            }
        }
    }

    /// The log-likelihood of a sample (densities of closed, survivals of censored tickets).
    pub fn log_likelihood(&self, obs: &[Obs]) -> f64 {
        obs.iter()
            .map(|o| {
                if o.censored {
                    self.ln_sf(o.value)
                } else {
                    self.ln_pdf(o.value)
                }
            })
            .sum()
    }

    /// Draws one value.
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // The parameters come from a successful fit, so they are finite and positive.
        match *self {
            Fitted::Exponential { rate } => Exp::new(rate).map_or(f64::NAN, |d| d.sample(rng)),
            Fitted::LogNormal { mu, sigma } => {
                LogNormal::new(mu, sigma).map_or(f64::NAN, |d| d.sample(rng))
            }
            Fitted::Gamma { shape, scale } => {
                Gamma::new(shape, scale).map_or(f64::NAN, |d| d.sample(rng))
            }
            Fitted::Weibull { shape, scale } => {
                Weibull::new(scale, shape).map_or(f64::NAN, |d| d.sample(rng))
            }
        }
    }
}

/// z of the standard normal's 90th percentile (as in `dist.rs`).
const Z90: f64 = 1.281_551_565_544_600_5;

/// ln P(Z > z) for a standard normal Z, without underflow for large z (asymptotic series
/// beyond z = 30, where erfc underflows).
fn ln_normal_sf(z: f64) -> f64 {
    if z < 30.0 {
        (0.5 * erfc(z / SQRT_2)).ln()
    } else {
        // Mills ratio: P(Z > z) ≈ φ(z)/z · (1 − 1/z²).
        -0.5 * z * z - LN_SQRT_2PI - z.ln() + (1.0 - 1.0 / (z * z)).ln()
    }
}

/// ln Q(k, x), the regularised upper incomplete gamma, with −∞ only where it truly vanishes.
fn ln_gamma_sf(k: f64, x: f64) -> f64 {
    match checked_gamma_ur(k, x) {
        Ok(q) if q > 0.0 => q.ln(),
        // Far in the tail: Q(k, x) ≈ x^(k−1) e^(−x) / Γ(k).
        _ => (k - 1.0) * x.ln() - x - ln_gamma(k),
    }
}

/// Sufficient statistics of the closed tickets, and the censored values.
struct Sample<'a> {
    obs: &'a [Obs],
    /// Closed tickets.
    d: f64,
    /// Σ x, Σ ln x, Σ ln² x over closed tickets.
    s1: f64,
    sl: f64,
    sl2: f64,
    /// Σ x over all tickets (censored included).
    s1_all: f64,
    censored: Vec<f64>,
}

impl<'a> Sample<'a> {
    fn new(obs: &'a [Obs]) -> Self {
        let mut s = Sample {
            obs,
            d: 0.0,
            s1: 0.0,
            sl: 0.0,
            sl2: 0.0,
            s1_all: 0.0,
            censored: Vec::new(),
        };
        for o in obs {
            s.s1_all += o.value;
            if o.censored {
                if o.value > 0.0 {
                    s.censored.push(o.value);
                }
            } else {
                let l = o.value.ln();
                s.d += 1.0;
                s.s1 += o.value;
                s.sl += l;
                s.sl2 += l * l;
            }
        }
        s
    }

    /// Mean and variance of ln x over closed tickets.
    fn log_moments(&self) -> (f64, f64) {
        let m = self.sl / self.d;
        (m, (self.sl2 / self.d - m * m).max(0.0))
    }
}

/// Why a sample cannot be fitted.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FitError {
    /// An observation is not a finite positive number.
    #[error("effort {0} h is not a positive finite number")]
    BadValue(f64),
    /// Fewer than two distinct closed values: no two-parameter family is identifiable.
    #[error(
        "{closed} closed ticket(s) with {distinct} distinct effort value(s): a fit needs at least two different values"
    )]
    TooFew {
        /// Closed (uncensored) observations.
        closed: usize,
        /// Distinct closed values.
        distinct: usize,
    },
}

/// Checks that `obs` can be fitted: positive finite values and at least two distinct closed
/// ones (with only censored tickets nothing bounds the effort from above).
pub fn check_sample(obs: &[Obs]) -> Result<(), FitError> {
    if let Some(o) = obs
        .iter()
        .find(|o| !(o.value.is_finite() && o.value > 0.0 && o.bound.is_finite()))
    {
        return Err(FitError::BadValue(o.value));
    }
    let mut closed: Vec<f64> = obs
        .iter()
        .filter(|o| !o.censored)
        .map(|o| o.value)
        .collect();
    let n = closed.len();
    closed.sort_unstable_by(f64::total_cmp);
    closed.dedup();
    if closed.len() < 2 {
        return Err(FitError::TooFew {
            closed: n,
            distinct: closed.len(),
        });
    }
    Ok(())
}

/// Fits one family by maximum likelihood; `None` if the optimum is not finite (degenerate
/// samples). `start` (a fit of the same family to a similar sample) speeds up the bootstrap.
pub fn fit(family: Family, obs: &[Obs], start: Option<&Fitted>) -> Option<Fitted> {
    let s = Sample::new(obs);
    if s.d < 1.0 {
        return None;
    }
    let f = match family {
        Family::Exponential => Some(Fitted::Exponential {
            rate: s.d / s.s1_all,
        }),
        Family::LogNormal => fit_lognormal(&s, start),
        Family::Gamma => fit_gamma(&s, start),
        Family::Weibull => fit_weibull(&s, start),
        Family::Empirical => None,
    }?;
    let ok = f.params().iter().all(|(_, v)| v.is_finite())
        && match f {
            Fitted::Exponential { rate } => rate > 0.0,
            Fitted::LogNormal { sigma, .. } => sigma > 0.0,
            Fitted::Gamma { shape, scale } | Fitted::Weibull { shape, scale } => {
                shape > 0.0 && scale > 0.0
            }
        };
    ok.then_some(f)
}

fn fit_lognormal(s: &Sample, start: Option<&Fitted>) -> Option<Fitted> {
    let (m, v) = s.log_moments();
    if s.censored.is_empty() {
        return (v > 0.0).then_some(Fitted::LogNormal {
            mu: m,
            sigma: v.sqrt(),
        });
    }
    let nll = |p: [f64; 2]| {
        let (mu, sigma) = (p[0], p[1].exp());
        let closed = -s.sl
            - s.d * (sigma.ln() + LN_SQRT_2PI)
            - (s.sl2 - 2.0 * mu * s.sl + s.d * mu * mu) / (2.0 * sigma * sigma);
        let cens: f64 = s
            .censored
            .iter()
            .map(|&c| ln_normal_sf((c.ln() - mu) / sigma))
            .sum();
        -(closed + cens)
    };
    let x0 = match start {
        Some(Fitted::LogNormal { mu, sigma }) => [*mu, sigma.ln()],
        _ => [m, v.sqrt().max(1e-3).ln()],
    };
    let p = nelder_mead(nll, x0, first_step(start))?;
    Some(Fitted::LogNormal {
        mu: p[0],
        sigma: p[1].exp(),
    })
}

/// Gamma shape from s = ln(mean) − mean(ln x) > 0 (uncensored MLE), by Newton on
/// ln k − ψ(k) = s from Minka's starting value.
fn gamma_shape(s: f64) -> f64 {
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..50 {
        let f = k.ln() - digamma(k) - s;
        // d/dk (ln k − ψ(k)) = 1/k − ψ'(k); ψ'(k) by a central difference of ψ is enough
        // for Newton's step, the root is checked by f itself.
        let h = 1e-5 * k;
        let trigamma = (digamma(k + h) - digamma(k - h)) / (2.0 * h);
        let step = f / (1.0 / k - trigamma);
        let next = (k - step).max(k / 10.0);
        if (next - k).abs() <= 1e-12 * k {
            return next;
        }
        k = next;
    }
    k
}

fn fit_gamma(s: &Sample, start: Option<&Fitted>) -> Option<Fitted> {
    let mean = s.s1 / s.d;
    let spread = mean.ln() - s.sl / s.d;
    if spread <= 0.0 || !spread.is_finite() {
        return None;
    }
    let k0 = gamma_shape(spread);
    if s.censored.is_empty() {
        return Some(Fitted::Gamma {
            shape: k0,
            scale: mean / k0,
        });
    }
    let nll = |p: [f64; 2]| {
        let (k, theta) = (p[0].exp(), p[1].exp());
        let closed = (k - 1.0) * s.sl - s.s1 / theta - s.d * k * theta.ln() - s.d * ln_gamma(k);
        let cens: f64 = s.censored.iter().map(|&c| ln_gamma_sf(k, c / theta)).sum();
        -(closed + cens)
    };
    let x0 = match start {
        Some(Fitted::Gamma { shape, scale }) => [shape.ln(), scale.ln()],
        _ => [k0.ln(), (mean / k0).ln()],
    };
    let p = nelder_mead(nll, x0, first_step(start))?;
    Some(Fitted::Gamma {
        shape: p[0].exp(),
        scale: p[1].exp(),
    })
}

/// Weibull by its profile likelihood in the shape k (the scale has a closed form given k):
/// the profile is concave in k, so a safeguarded Newton iteration on its score converges.
fn fit_weibull(s: &Sample, start: Option<&Fitted>) -> Option<Fitted> {
    let lx: Vec<f64> = s
        .obs
        .iter()
        .filter(|o| o.value > 0.0)
        .map(|o| o.value.ln())
        .collect();
    let top = lx.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    // (ln Σ x^k, Σ x^k ln x / Σ x^k, Σ x^k ln² x / Σ x^k), scaled by the largest value so
    // that x^k does not overflow.
    let sums = |k: f64| {
        let (mut a0, mut a1, mut a2) = (0.0, 0.0, 0.0);
        for &l in &lx {
            let w = (k * (l - top)).exp();
            a0 += w;
            a1 += w * l;
            a2 += w * l * l;
        }
        (k * top + a0.ln(), a1 / a0, a2 / a0)
    };
    let d = s.d;
    let score = |k: f64| {
        let (_, m1, m2) = sums(k);
        (d / k - d * m1 + s.sl, -d / (k * k) - d * (m2 - m1 * m1))
    };
    let (_, v) = s.log_moments();
    let mut k = match start {
        Some(Fitted::Weibull { shape, .. }) => *shape,
        _ => (1.2825 / v.sqrt()).clamp(0.05, 50.0),
    };
    if !k.is_finite() {
        return None;
    }
    let (mut lo, mut hi) = (1e-3, 1e3);
    let mut converged = false;
    for _ in 0..200 {
        let (g, h) = score(k);
        if g > 0.0 {
            lo = k;
        } else {
            hi = k;
        }
        let mut next = k - g / h;
        if !(next > lo && next < hi && next.is_finite()) {
            next = (lo * hi).sqrt();
        }
        if (next - k).abs() <= 1e-12 * k || hi / lo < 1.0 + 1e-14 {
            k = next;
            converged = true;
            break;
        }
        k = next;
    }
    if !converged || k <= 1e-3 * 1.001 || k >= 1e3 * 0.999 {
        return None;
    }
    let (ln_a0, _, _) = sums(k);
    let scale = ((ln_a0 - d.ln()) / k).exp();
    Some(Fitted::Weibull { shape: k, scale })
}

/// The initial simplex: small when starting from a fit to a similar sample (bootstrap).
fn first_step(start: Option<&Fitted>) -> [f64; 2] {
    if start.is_some() {
        [0.02, 0.02]
    } else {
        [0.1, 0.1]
    }
}

/// Nelder–Mead minimisation in two dimensions, deterministic; `None` if the minimum is not
/// finite.
fn nelder_mead(f: impl Fn([f64; 2]) -> f64, x0: [f64; 2], step: [f64; 2]) -> Option<[f64; 2]> {
    let eval = |p: [f64; 2]| {
        let v = f(p);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    let mut s = [
        (x0, eval(x0)),
        ([x0[0] + step[0], x0[1]], 0.0),
        ([x0[0], x0[1] + step[1]], 0.0),
    ];
    s[1].1 = eval(s[1].0);
    s[2].1 = eval(s[2].0);
    let lerp =
        |a: [f64; 2], b: [f64; 2], t: f64| [a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])];
    for _ in 0..2000 {
        s.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (s[0].1, s[2].1);
        let size = (s[1].0[0] - s[0].0[0])
            .abs()
            .max((s[1].0[1] - s[0].0[1]).abs())
            .max((s[2].0[0] - s[0].0[0]).abs())
            .max((s[2].0[1] - s[0].0[1]).abs());
        // Parameters to 1e-8 on their (log) scale: far below any standard error.
        if (worst - best).abs() <= 1e-12 * (best.abs() + 1e-12) && size < 1e-8 {
            break;
        }
        let c = lerp(s[0].0, s[1].0, 0.5);
        let r = lerp(c, s[2].0, -1.0);
        let fr = eval(r);
        if fr < s[0].1 {
            let e = lerp(c, s[2].0, -2.0);
            let fe = eval(e);
            s[2] = if fe < fr { (e, fe) } else { (r, fr) };
        } else if fr < s[1].1 {
            s[2] = (r, fr);
        } else {
            let k = if fr < s[2].1 {
                lerp(c, r, 0.5)
            } else {
                lerp(c, s[2].0, 0.5)
            };
            let fk = eval(k);
            if fk < s[2].1.min(fr) {
                s[2] = (k, fk);
            } else {
                for i in 1..3 {
                    let p = lerp(s[0].0, s[i].0, 0.5);
                    s[i] = (p, eval(p));
                }
            }
        }
    }
    s.sort_by(|a, b| a.1.total_cmp(&b.1));
    s[0].1.is_finite().then_some(s[0].0)
}

/// Fits every family; returns the fits with their AIC, best AIC first (ties in family order),
/// and the fitted parameters in the same order.
pub fn fit_all(obs: &[Obs]) -> Vec<(FamilyFit, Fitted)> {
    let mut out: Vec<(FamilyFit, Fitted)> = [
        Family::Exponential,
        Family::LogNormal,
        Family::Gamma,
        Family::Weibull,
    ]
    .into_iter()
    .filter_map(|family| {
        let f = fit(family, obs, None)?;
        let log_likelihood = f.log_likelihood(obs);
        log_likelihood.is_finite().then(|| {
            let k = f.parameters() as f64;
            (
                FamilyFit {
                    family,
                    params: f.params(),
                    log_likelihood,
                    aic: 2.0 * k - 2.0 * log_likelihood,
                },
                f,
            )
        })
    })
    .collect();
    out.sort_by(|a, b| a.0.aic.total_cmp(&b.0.aic));
    out
}

/// The family to use among `candidates` (best AIC first): the best AIC, except that the
/// exponential stays unless the best family beats it by the likelihood-ratio test at 1 %.
pub fn choose(candidates: &[(FamilyFit, Fitted)]) -> Option<usize> {
    let best = candidates.first()?;
    let exp = candidates
        .iter()
        .position(|c| c.0.family == Family::Exponential);
    match exp {
        Some(e) if best.0.family != Family::Exponential => {
            let lr = 2.0 * (best.0.log_likelihood - candidates[e].0.log_likelihood);
            Some(if lr > LR_THRESHOLD { 0 } else { e })
        }
        _ => Some(0),
    }
}
