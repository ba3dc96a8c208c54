//! Simulation time: integer seconds, so that the event order is total and exact.
//!
//! `SimTime(0)` is 1 January, 00:00 local time, of the scenario's first simulated year. The
//! warm-up lies before it (negative times). Daylight saving time is ignored: every day has
//! 24 hours, which keeps business-hour arithmetic exact and costs at most one hour twice a year
//! outside business hours.

use std::fmt;
use std::ops::{Add, AddAssign, Sub};

/// Seconds in one minute.
pub const MINUTE: i64 = 60;
/// Seconds in one hour.
pub const HOUR: i64 = 3_600;
/// Seconds in one day.
pub const DAY: i64 = 86_400;

/// A point in simulated time, in whole seconds since 1 January 00:00 of the first simulated year.
///
/// Seconds are fine enough that rounding a drawn duration to them biases no analytic check:
/// the mean error of rounding to the nearest second is zero and its spread (0.29 s) is far
/// below any effort or waiting time we model.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct SimTime(pub i64);

impl SimTime {
    /// The start of the first simulated year.
    pub const ZERO: SimTime = SimTime(0);
    /// Later than any event.
    pub const MAX: SimTime = SimTime(i64::MAX / 4);
    /// Earlier than any event.
    pub const MIN: SimTime = SimTime(i64::MIN / 4);

    /// Time from hours (rounded to the nearest second).
    pub fn from_hours(h: f64) -> SimTime {
        SimTime(round_i64(h * HOUR as f64))
    }

    /// Hours since the epoch, as a float.
    pub fn hours(self) -> f64 {
        self.0 as f64 / HOUR as f64
    }

    /// Seconds since the epoch.
    pub fn secs(self) -> i64 {
        self.0
    }

    /// Index of the day this time falls into (day 0 is 1 January of the first year).
    pub fn day(self) -> i64 {
        self.0.div_euclid(DAY)
    }

    /// Start (00:00) of day `day`.
    pub fn day_start(day: i64) -> SimTime {
        SimTime(day * DAY)
    }
}

impl Add<i64> for SimTime {
    type Output = SimTime;
    fn add(self, secs: i64) -> SimTime {
        SimTime(self.0 + secs)
    }
}

impl AddAssign<i64> for SimTime {
    fn add_assign(&mut self, secs: i64) {
        self.0 += secs;
    }
}

impl Sub for SimTime {
    type Output = i64;
    fn sub(self, other: SimTime) -> i64 {
        self.0 - other.0
    }
}

impl fmt::Debug for SimTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = self.day();
        let s = self.0 - d * DAY;
        write!(
            f,
            "d{}+{:02}:{:02}:{:02}",
            d,
            s / HOUR,
            (s % HOUR) / MINUTE,
            s % MINUTE
        )
    }
}

/// Longest duration a single draw may take: 20 years. Long-tailed distributions can draw
/// absurd values; capping them keeps time arithmetic far from overflow and changes nothing
/// a one-year simulation can measure.
pub const MAX_DURATION_S: i64 = 20 * 366 * DAY;

/// Converts hours (float) to whole seconds, rounded to the nearest second, within
/// `0..=MAX_DURATION_S`.
pub fn secs_from_hours(h: f64) -> i64 {
    round_i64(h * HOUR as f64).clamp(0, MAX_DURATION_S)
}

/// 2^52: from here on every `f64` is an integer.
const INTEGRAL_FROM: f64 = 4_503_599_627_370_496.0;

/// `x.round() as i64` (half away from zero, saturating, NaN → 0).
///
/// `f64::round` is a library call on baseline x86-64 (no SSE4.1), and rounding drawn times to
/// seconds is on the engine's hot path. Exact: below 2^52 the fraction `x − trunc(x)` is
/// representable, and above it every float is an integer already.
pub fn round_i64(x: f64) -> i64 {
    // NaN fails the comparison too and goes the saturating way.
    if x.abs().partial_cmp(&INTEGRAL_FROM) != Some(std::cmp::Ordering::Less) {
        return x as i64;
    }
    let t = x as i64;
    let frac = x - t as f64;
    // Without branches: the fraction of a drawn time is random, and a branch on it was
    // mispredicted half the time (several per cent of a replication in perf).
    t + i64::from(frac >= 0.5) - i64::from(frac <= -0.5)
}

/// `x.ceil() as i64` (saturating, NaN → 0), without a library call; see [`round_i64`].
pub fn ceil_i64(x: f64) -> i64 {
    // NaN fails the comparison too and goes the saturating way.
    if x.abs().partial_cmp(&INTEGRAL_FROM) != Some(std::cmp::Ordering::Less) {
        return x as i64;
    }
    let t = x as i64;
    t + i64::from((t as f64) < x)
}

/// Converts seconds to hours.
pub fn hours_from_secs(s: i64) -> f64 {
    s as f64 / HOUR as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_rounding_equals_the_library() {
        let mut xs = vec![
            0.0,
            -0.0,
            0.5,
            -0.5,
            1.5,
            -1.5,
            2.5,
            0.49999999999999994,
            -0.49999999999999994,
            4503599627370495.5,
            4503599627370497.0,
            3.9e15 + 0.5,
            4.1e15,
            1e19,
            -1e19,
            1e300,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            f64::MIN_POSITIVE,
            1e-300,
        ];
        let mut x: f64 = 1e-3;
        while x < 1e17 {
            for v in [x, x + 0.5, x - 0.5, x.next_up(), x.next_down()] {
                xs.extend([v, -v, v + 0.5, v - 0.5]);
            }
            x *= 1.37;
        }
        for x in xs {
            assert_eq!(round_i64(x), x.round() as i64, "round {x:e}");
            assert_eq!(ceil_i64(x), x.ceil() as i64, "ceil {x:e}");
        }
    }
}
