//! The weekday × month arrival profile: open time per cell and its maximum-likelihood fit.
//!
//! Counts n_dm per (weekday d, month m) cell are Poisson with mean c · f_d · g_m · E_dm, E the
//! open time of the cell. The likelihood equations say that fitted and observed margins agree
//! (Σ_m of the means = n_d·, Σ_d = n_·m); iterative proportional fitting solves them by turns.
//! Dividing by open time is what keeps holidays (no open time under business arrivals) and
//! a period that starts on a Wednesday from biasing any factor.

use chrono::Datelike;

use crate::calendar::Calendar;
use crate::calibrate::estimate::Period;
use crate::interval::IntervalSet;
use crate::time::SimTime;

/// A number per (weekday, month-of-year) cell, Monday and January first.
pub(crate) type Cells = [[f64; 12]; 7];

/// Open seconds of `open` per (weekday, month) cell.
pub(crate) fn exposure(open: &IntervalSet, cal: &Calendar) -> Cells {
    let mut e = [[0.0; 12]; 7];
    for (s, end) in open.intervals() {
        let mut a = s;
        while a < end {
            let day = a.day();
            let b = end.min(SimTime::day_start(day + 1));
            let m = cal.date_of_day(day).month0() as usize;
            e[cal.weekday_index(day)][m] += (b - a) as f64;
            a = b;
        }
    }
    e
}

/// Which months of the year the period covers at least once in full (from the first to the
/// last day).
pub(crate) fn month_seen(p: &Period) -> [bool; 12] {
    let mut seen = [false; 12];
    let cal = &p.calendar;
    let first = cal.date_of_day(p.from.day());
    let mut month = first.with_day(1).expect("day 1 exists");
    loop {
        let next = month
            .checked_add_months(chrono::Months::new(1))
            .expect("within chrono's range");
        let (a, b) = (cal.time_of_date(month), cal.time_of_date(next));
        if a >= p.until {
            break;
        }
        if a >= p.from && b <= p.until {
            seen[month.month0() as usize] = true;
        }
        month = next;
    }
    seen
}

/// A fitted profile in the scenario's normalisation.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Profile {
    /// Weekday factors with mean 1 weighted by the given open time per weekday (all 1 when
    /// they are not estimated).
    pub(crate) weekday: [f64; 7],
    /// Month factors with mean 1; months not covered once in full are 1.
    pub(crate) month: [f64; 12],
    /// Arrivals per unit of exposure at factors 1.
    pub(crate) rate: f64,
    /// Free parameters: the rate, one per estimated weekday and month, less the two
    /// normalisations.
    pub(crate) parameters: u32,
}

/// Fits c · f_d · g_m to `counts` with exposure `e`. Weekday factors are estimated when
/// `by_weekday` (business arrivals; the engine has none for round-the-clock arrivals), for
/// weekdays with open time; month factors for the `seen` months with open time, the others
/// tied to their average (so 1 after normalisation). `weights`: open time per weekday of the
/// scenario's window, the scenario's normalisation of weekday factors.
pub(crate) fn fit_profile(
    counts: &Cells,
    e: &Cells,
    seen: &[bool; 12],
    by_weekday: bool,
    weights: &[f64; 7],
) -> Profile {
    let day_open: Vec<bool> = (0..7)
        .map(|d| by_weekday && e[d].iter().sum::<f64>() > 0.0)
        .collect();
    let month_open: Vec<bool> = (0..12)
        .map(|m| seen[m] && (0..7).map(|d| e[d][m]).sum::<f64>() > 0.0)
        .collect();
    let n_day: Vec<f64> = (0..7).map(|d| counts[d].iter().sum()).collect();
    let n_month: Vec<f64> = (0..12)
        .map(|m| (0..7).map(|d| counts[d][m]).sum())
        .collect();
    let n: f64 = n_day.iter().sum();
    let (mut f, mut g) = ([1.0; 7], [1.0; 12]);
    let expected = |f: &[f64; 7], g: &[f64; 12]| {
        let mut s = 0.0;
        for d in 0..7 {
            for m in 0..12 {
                s += f[d] * g[m] * e[d][m];
            }
        }
        s
    };
    let mut c = if n > 0.0 { n / expected(&f, &g) } else { 0.0 };
    if n > 0.0 && c.is_finite() {
        for _ in 0..500 {
            let (f0, g0) = (f, g);
            for d in (0..7).filter(|&d| day_open[d]) {
                let den: f64 = (0..12).map(|m| c * g[m] * e[d][m]).sum();
                if den > 0.0 {
                    f[d] = n_day[d] / den;
                }
            }
            for m in (0..12).filter(|&m| month_open[m]) {
                let den: f64 = (0..7).map(|d| c * f[d] * e[d][m]).sum();
                if den > 0.0 {
                    g[m] = n_month[m] / den;
                }
            }
            let free: Vec<f64> = (0..12).filter(|&m| month_open[m]).map(|m| g[m]).collect();
            let avg = if free.is_empty() {
                1.0
            } else {
                free.iter().sum::<f64>() / free.len() as f64
            };
            for m in (0..12).filter(|&m| !month_open[m]) {
                g[m] = avg;
            }
            let s = expected(&f, &g);
            if s > 0.0 {
                c = n / s;
            }
            let change = f
                .iter()
                .zip(&f0)
                .chain(g.iter().zip(&g0))
                .map(|(a, b)| (a - b).abs() / b.abs().max(1e-300))
                .fold(0.0, f64::max);
            if change < 1e-13 {
                break;
            }
        }
    }
    let total: f64 = weights.iter().sum();
    let mean_f = if total > 0.0 {
        f.iter().zip(weights).map(|(a, w)| a * w).sum::<f64>() / total
    } else {
        1.0
    };
    if mean_f > 0.0 {
        f = f.map(|x| x / mean_f);
        c *= mean_f;
    }
    let mean_g = g.iter().sum::<f64>() / 12.0;
    if mean_g > 0.0 {
        g = g.map(|x| x / mean_g);
        c *= mean_g;
    }
    let free = |v: &[bool]| v.iter().filter(|&&b| b).count().saturating_sub(1) as u32;
    Profile {
        weekday: f,
        month: g,
        rate: c,
        parameters: 1 + free(&day_open) + free(&month_open),
    }
}
