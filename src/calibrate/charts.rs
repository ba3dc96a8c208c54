//! Charts of a calibration, as SVG for `calibration.html`, drawn with the run charts' canvas
//! (bundled Noto Sans, Okabe–Ito colours, title, legend, axis titles with units, footer), so a
//! calibration report looks like a run's report.
//!
//! | name | what it shows |
//! |---|---|
//! | `daily` | tickets created per day against the Poisson 95 % band of the fitted profile |
//! | `hour-of-week` | tickets created per weekday and hour of day (heat map) |
//! | `effort-N` | category N's effort fit: QQ plot (left) and histogram with fitted density (right) |
//! | `observed-times` | observed response and resolution times per priority (cumulative shares) |
//!
//! Deterministic: the same calibration gives the same bytes.

use chrono::Datelike;
use plotters::prelude::*;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::density::{km_positions, pdf, poisson_quantile, quantile};
use super::{Calibration, CategoryEstimate, Family};
use crate::report::charts::canvas::*;
use crate::report::charts::{ChartError, SIZE};
use crate::report::i18n::Lang;

/// At most this many points per QQ plot: beyond, every k-th point by rank (the shape of the
/// plot does not change, the SVG stays small).
const MAX_QQ_POINTS: usize = 1500;

/// Colour of observed data.
const DATA: RGBColor = PALETTE[1];
/// Colour of the fitted model.
const MODEL: RGBColor = PALETTE[0];
/// Colour of censored data (still open at export).
const CENSORED: RGBColor = PALETTE[3];

/// One chart: its name (see the module table) and its SVG.
#[derive(Clone, Debug)]
pub struct CalibrationChart {
    /// `daily`, `hour-of-week`, `effort-N` (N = index in `Calibration::categories`) or
    /// `observed-times`.
    pub name: String,
    /// The SVG document.
    pub svg: String,
}

/// Draws every chart of a calibration: `daily`, `hour-of-week`, one `effort-N` per category,
/// and `observed-times` when `cal.observed` holds any time. `source` names the export in the
/// footers.
pub fn calibration_charts(
    cal: &Calibration,
    source: &str,
    lang: Lang,
) -> Result<Vec<CalibrationChart>, ChartError> {
    register_fonts();
    let footer = footer(cal, source, lang);
    let mut out = vec![
        svg("daily", lang, |c| daily(c, cal, &footer))?,
        svg("hour-of-week", lang, |c| hour_of_week(c, cal, &footer))?,
    ];
    for (i, cat) in cal.categories.iter().enumerate() {
        out.push(svg(&format!("effort-{i}"), lang, |c| {
            effort(c, cat, &footer)
        })?);
    }
    if cal
        .observed
        .iter()
        .any(|o| !o.response_bh.is_empty() || !o.resolution_bh.is_empty())
    {
        out.push(svg("observed-times", lang, |c| observed(c, cal, &footer))?);
    }
    Ok(out)
}

fn footer(cal: &Calibration, source: &str, l: Lang) -> String {
    let file = source
        .rsplit(['/', '\\'])
        .find(|s| !s.is_empty())
        .unwrap_or(source);
    format!(
        "{file} · {} {} – {} · covsim calibrate",
        l.pick("period", "Zeitraum"),
        date(l, cal.period.0),
        date(l, cal.period.1)
    )
}

/// A date as the language writes it.
pub(crate) fn date(l: Lang, d: chrono::NaiveDate) -> String {
    match l {
        Lang::En => d.format("%Y-%m-%d").to_string(),
        Lang::De => d.format("%d.%m.%Y").to_string(),
    }
}

fn svg(
    name: &str,
    lang: Lang,
    draw: impl FnOnce(&Canvas<SVGBackend>) -> Res,
) -> Result<CalibrationChart, ChartError> {
    let mut s = String::new();
    {
        let root = SVGBackend::with_string(&mut s, SIZE).into_drawing_area();
        draw(&Canvas::new(&root, lang, false))?;
        root.present()
            .map_err(|e| ChartError::Draw(e.to_string()))?;
    }
    Ok(CalibrationChart {
        name: name.to_string(),
        svg: svg_fonts(&s),
    })
}

fn labels(l: Lang, ticks: &[f64]) -> Vec<String> {
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        1.0
    };
    let d = decimals_for(step);
    ticks.iter().map(|t| l.num(*t, d)).collect()
}

fn axis_title(label: &str, unit: &str) -> String {
    format!("{label} [{unit}]")
}

// ---------------------------------------------------------------------------------------------
// Tickets per day

/// Expected tickets per day: the mean count of the day's weekday times the rate-weighted month
/// factor of the categories, scaled so that the period's total is the observed total. Holidays
/// are not in this profile: they show as low days.
pub(crate) fn expected_daily(cal: &Calibration) -> Vec<f64> {
    let mut sum = [0.0; 7];
    let mut days = [0.0; 7];
    for (d, n) in &cal.daily_counts {
        let w = d.weekday().num_days_from_monday() as usize;
        sum[w] += f64::from(*n);
        days[w] += 1.0;
    }
    let rate: f64 = cal.categories.iter().map(|c| c.tickets_per_year).sum();
    let month = |m: usize| {
        if rate > 0.0 {
            cal.categories
                .iter()
                .map(|c| c.tickets_per_year * c.month_factors[m])
                .sum::<f64>()
                / rate
        } else {
            1.0
        }
    };
    let raw: Vec<f64> = cal
        .daily_counts
        .iter()
        .map(|(d, _)| {
            let w = d.weekday().num_days_from_monday() as usize;
            let mean_w = if days[w] > 0.0 { sum[w] / days[w] } else { 0.0 };
            mean_w * month(d.month0() as usize)
        })
        .collect();
    let total: f64 = cal.daily_counts.iter().map(|(_, n)| f64::from(*n)).sum();
    let raw_total: f64 = raw.iter().sum();
    let k = if raw_total > 0.0 {
        total / raw_total
    } else {
        0.0
    };
    raw.into_iter().map(|x| x * k).collect()
}

/// Days outside the Poisson 95 % band of [`expected_daily`]: (below, above).
pub(crate) fn days_outside_band(cal: &Calibration) -> (usize, usize) {
    let mut below = 0;
    let mut above = 0;
    for ((_, n), lam) in cal.daily_counts.iter().zip(expected_daily(cal)) {
        if *n < poisson_quantile(lam, 0.025) {
            below += 1;
        } else if *n > poisson_quantile(lam, 0.975) {
            above += 1;
        }
    }
    (below, above)
}

fn daily<DB: DrawingBackend>(c: &Canvas<DB>, cal: &Calibration, footer: &str) -> Res {
    let l = c.lang;
    let lam = expected_daily(cal);
    let (below, above) = days_outside_band(cal);
    let days = cal.daily_counts.len();
    let outside = below + above;
    let entries = vec![
        (
            Key::Dot(DATA),
            l.pick("tickets created that day", "an dem Tag erstellte Tickets")
                .to_string(),
        ),
        (
            Key::Line(MODEL),
            l.pick(
                "expected: weekday × month profile",
                "erwartet: Wochentags- × Monatsprofil",
            )
            .to_string(),
        ),
        (
            Key::Band(MODEL),
            l.pick("Poisson 95 % band", "Poisson-95-%-Band").to_string(),
        ),
        (
            Key::Dot(PALETTE[4]),
            match l {
                Lang::En => format!(
                    "outside the band: {} of {} days ({}; 5 % expected)",
                    outside,
                    days,
                    l.pct(outside as f64 / days.max(1) as f64, 1)
                ),
                Lang::De => format!(
                    "außerhalb des Bands: {} von {} Tagen ({}; 5 % erwartet)",
                    outside,
                    days,
                    l.pct(outside as f64 / days.max(1) as f64, 1)
                ),
            },
        ),
    ];
    let title = l.pick(
        "Tickets per day against Poisson arrivals",
        "Tickets pro Tag im Vergleich mit Poisson-Ankünften",
    );
    let (top, bottom) = frame_with_footer(c, title, &entries, footer, env!("CARGO_PKG_VERSION"))?;
    let hi = cal
        .daily_counts
        .iter()
        .map(|(_, n)| f64::from(*n))
        .chain(lam.iter().map(|x| f64::from(poisson_quantile(*x, 0.975))))
        .fold(1.0, f64::max);
    let ymax = nice_max(hi * 1.05, 6);
    let ticks = nice_ticks(0.0, ymax, 6);
    let tl = labels(l, &ticks);
    let a = Axes {
        x0: MARGIN + y_axis_width(&tl, true),
        x1: W - MARGIN,
        y0: top,
        y1: bottom - x_axis_height(true),
        xr: (-0.5, days.max(1) as f64 - 0.5),
        yr: (0.0, ymax),
    };
    y_axis(
        c,
        &a,
        &ticks,
        &tl,
        Some(&axis_title(
            l.pick("tickets created", "erstellte Tickets"),
            l.pick("per day", "pro Tag"),
        )),
    )?;
    // Month starts as x ticks.
    let mut xt = Vec::new();
    let mut xl = Vec::new();
    let long = days > 400;
    for (i, (d, _)) in cal.daily_counts.iter().enumerate() {
        if d.day() == 1 || i == 0 {
            if long && d.month0() % 3 != 0 && i != 0 {
                continue;
            }
            xt.push(i as f64);
            xl.push(if d.month0() == 0 || i == 0 {
                format!("{} {}", l.month(d.month()), d.year())
            } else {
                l.month(d.month()).to_string()
            });
        }
    }
    x_axis(
        c,
        &a,
        &xt,
        &xl,
        Some(l.pick("day of the period", "Tag des Zeitraums")),
    )?;
    let half = (f64::from(a.x1 - a.x0) / days.max(1) as f64 / 2.0).max(1.0);
    let band = alpha(MODEL, 0.22);
    for (i, x) in lam.iter().enumerate() {
        let lo = f64::from(poisson_quantile(*x, 0.025));
        let hi = f64::from(poisson_quantile(*x, 0.975));
        let px = a.px(i as f64);
        let h = half.round() as i32;
        c.rect(
            (px - h, a.py(hi)),
            (px + h, a.py(lo).max(a.py(hi) + 1)),
            &band,
        )?;
    }
    let line: Vec<(i32, i32)> = lam
        .iter()
        .enumerate()
        .map(|(i, x)| (a.px(i as f64), a.py(*x)))
        .collect();
    if line.len() > 1 {
        c.line(&line, &MODEL, 2)?;
    }
    let r = if days > 500 { 3 } else { 5 };
    for ((i, (_, n)), x) in cal.daily_counts.iter().enumerate().zip(&lam) {
        let out = *n < poisson_quantile(*x, 0.025) || *n > poisson_quantile(*x, 0.975);
        c.dot(
            (a.px(i as f64), a.py(f64::from(*n))),
            r,
            if out { &PALETTE[4] } else { &DATA },
        )?;
    }
    axis_lines(c, &a)
}

// ---------------------------------------------------------------------------------------------
// Hour of week

/// Weekday names, Monday first.
pub(crate) fn weekdays(l: Lang) -> [&'static str; 7] {
    match l {
        Lang::En => ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        Lang::De => ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
    }
}

fn shade(t: f64) -> RGBColor {
    // White to the data blue, linear in the count.
    let t = t.clamp(0.0, 1.0);
    let mix = |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
    RGBColor(mix(0xFF, DATA.0), mix(0xFF, DATA.1), mix(0xFF, DATA.2))
}

fn hour_of_week<DB: DrawingBackend>(c: &Canvas<DB>, cal: &Calibration, footer: &str) -> Res {
    let l = c.lang;
    let max = cal
        .hour_of_week
        .iter()
        .flatten()
        .copied()
        .max()
        .unwrap_or(0);
    let total: u64 = cal
        .hour_of_week
        .iter()
        .flatten()
        .map(|x| u64::from(*x))
        .sum();
    let entries = vec![
        (
            Key::Swatch(shade(0.15)),
            l.pick("few tickets", "wenige Tickets").to_string(),
        ),
        (
            Key::Swatch(shade(1.0)),
            match l {
                Lang::En => format!("most tickets: {max} in one hour of the week"),
                Lang::De => format!("meiste Tickets: {max} in einer Stunde der Woche"),
            },
        ),
        (
            Key::Note,
            match l {
                Lang::En => format!("{} tickets, local time of creation", l.num(total as f64, 0)),
                Lang::De => format!(
                    "{} Tickets, Ortszeit der Erstellung",
                    l.num(total as f64, 0)
                ),
            },
        ),
    ];
    let title = l.pick(
        "When tickets are created: weekday × hour of day",
        "Wann Tickets entstehen: Wochentag × Tageszeit",
    );
    let (top, bottom) = frame_with_footer(c, title, &entries, footer, env!("CARGO_PKG_VERSION"))?;
    let names = weekdays(l);
    let name_w = names.iter().map(|n| font(TICK).width(n)).max().unwrap_or(0);
    let x0 = MARGIN + name_w + 20;
    let x1 = W - MARGIN;
    let y1 = bottom - x_axis_height(true);
    let cw = f64::from(x1 - x0) / 24.0;
    let ch = f64::from(y1 - top) / 7.0;
    let vf = font(if cw > 60.0 { TICK - 4.0 } else { TICK - 8.0 });
    for (d, row) in cal.hour_of_week.iter().enumerate() {
        let ya = top + (d as f64 * ch).round() as i32;
        let yb = top + ((d + 1) as f64 * ch).round() as i32;
        c.text(
            names[d],
            (x0 - 12, (ya + yb) / 2),
            font(TICK),
            INK,
            HPos::Right,
            VPos::Center,
        )?;
        for (h, n) in row.iter().enumerate() {
            let xa = x0 + (h as f64 * cw).round() as i32;
            let xb = x0 + ((h + 1) as f64 * cw).round() as i32;
            let t = if max > 0 {
                f64::from(*n) / f64::from(max)
            } else {
                0.0
            };
            // Empty hours in light grey, so the grid of the week stays visible.
            let fill = if *n == 0 {
                RGBColor(0xF3, 0xF3, 0xF3)
            } else {
                shade(0.08 + 0.92 * t)
            };
            c.rect((xa + 1, ya + 1), (xb - 1, yb - 1), &fill)?;
            if *n > 0 {
                let col = if t > 0.55 { WHITE } else { INK };
                let rgb = RGBColor(col.0, col.1, col.2);
                c.text(
                    &l.num(f64::from(*n), 0),
                    ((xa + xb) / 2, (ya + yb) / 2),
                    vf,
                    rgb,
                    HPos::Center,
                    VPos::Center,
                )?;
            }
        }
    }
    for h in (0..24).step_by(2) {
        let x = x0 + ((h as f64 + 0.5) * cw).round() as i32;
        c.text(
            &format!("{h:02}"),
            (x, y1 + 12),
            font(TICK),
            INK,
            HPos::Center,
            VPos::Top,
        )?;
    }
    c.text(
        l.pick("hour of day (starting at)", "Stunde des Tages (ab)"),
        ((x0 + x1) / 2, y1 + 12 + font(TICK).line() + 6),
        font(AXIS),
        INK,
        HPos::Center,
        VPos::Top,
    )
}

// ---------------------------------------------------------------------------------------------
// Effort fits

/// Log-scale ticks within `[lo, hi]`: 1-2-5 per decade over up to three decades, beyond that
/// one per decade (the labels of a panel half the chart wide would overlap).
fn log_ticks(lo: f64, hi: f64) -> Vec<f64> {
    let mut out = Vec::new();
    let mut e = lo.log10().floor() as i32;
    let steps: &[f64] = if (hi / lo).log10() <= 3.01 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    while 10f64.powi(e) <= hi * 1.0001 {
        for &m in steps {
            let v = m * 10f64.powi(e);
            if v >= lo * 0.9999 && v <= hi * 1.0001 {
                out.push(v);
            }
        }
        e += 1;
    }
    out
}

fn log_labels(l: Lang, ticks: &[f64]) -> Vec<String> {
    ticks
        .iter()
        .map(|t| {
            let d = if *t >= 1.0 {
                0
            } else {
                (-t.log10().floor()) as usize
            };
            l.num(*t, d)
        })
        .collect()
}

/// A log-log axes box: data in log10.
fn log_range(lo: f64, hi: f64) -> (f64, f64) {
    let lo = 10f64.powf(lo.log10().floor());
    let hi = 10f64.powf(hi.log10().ceil());
    (lo, hi)
}

pub(crate) fn family_label(l: Lang, f: Family) -> &'static str {
    match f {
        Family::Exponential => l.pick("exponential", "Exponential"),
        Family::LogNormal => l.pick("lognormal", "Lognormal"),
        Family::Gamma => l.pick("gamma", "Gamma"),
        Family::Weibull => l.pick("Weibull", "Weibull"),
        Family::Empirical => l.pick("empirical", "empirisch"),
    }
}

fn effort<DB: DrawingBackend>(c: &Canvas<DB>, cat: &CategoryEstimate, footer: &str) -> Res {
    let l = c.lang;
    let e = &cat.effort;
    let upper = matches!(e.source, super::EffortSource::ResolutionUpperBound);
    let what = if upper {
        l.pick(
            "resolution time (upper bound of the effort)",
            "Lösungszeit (Obergrenze des Aufwands)",
        )
    } else {
        l.pick("time worked", "erfasster Aufwand")
    };
    let title = format!(
        "{}: {} {} – {}, {}",
        l.pick("Effort", "Aufwand"),
        cat.label,
        cat.priority.label(),
        family_label(l, e.chosen),
        what
    );
    let pos = km_positions(&e.data);
    let censored = pos.iter().filter(|p| p.2).count();
    let gof = match &e.gof {
        Some(g) => format!(
            "{} {}, p = {}",
            g.statistic,
            l.num(g.value, 3),
            l.num(g.p_value, 3)
        ),
        None => l
            .pick(
                "no family fits: empirical",
                "keine Familie passt: empirisch",
            )
            .to_string(),
    };
    let entries = vec![
        (
            Key::Dot(DATA),
            match l {
                Lang::En => format!("closed: {}", pos.len() - censored),
                Lang::De => format!("abgeschlossen: {}", pos.len() - censored),
            },
        ),
        (
            Key::Dot(CENSORED),
            match l {
                Lang::En => format!("still open at export (lower bounds): {censored}"),
                Lang::De => format!("beim Export offen (Untergrenzen): {censored}"),
            },
        ),
        (
            Key::Line(MODEL),
            format!("{} ({gof})", l.pick("fitted", "angepasst")),
        ),
    ];
    let (top, bottom) = frame_with_footer(c, &title, &entries, footer, env!("CARGO_PKG_VERSION"))?;
    let mid = W / 2;
    qq_panel(c, e, &pos, (MARGIN, mid - 40), (top, bottom))?;
    density_panel(c, e, (mid + 40, W - MARGIN), (top, bottom))
}

fn panel_title<DB: DrawingBackend>(c: &Canvas<DB>, s: &str, x: i32, y: i32) -> Res {
    c.text(s, (x, y), bold(AXIS), INK, HPos::Left, VPos::Top)
}

fn qq_panel<DB: DrawingBackend>(
    c: &Canvas<DB>,
    e: &super::EffortFit,
    pos: &[(f64, f64, bool)],
    (left, right): (i32, i32),
    (top, bottom): (i32, i32),
) -> Res {
    let l = c.lang;
    panel_title(
        c,
        l.pick("QQ plot (log scales)", "QQ-Diagramm (logarithmisch)"),
        left,
        top,
    )?;
    let top = top + bold(AXIS).line() + 10;
    // Points with a positive value and a plotting position inside (0, 1).
    let pts: Vec<(f64, f64, bool)> = pos
        .iter()
        .filter(|(x, p, _)| *x > 0.0 && *p > 0.0 && *p < 1.0)
        .map(|(x, p, cens)| (quantile(&e.dist, *p), *x, *cens))
        .filter(|(q, _, _)| *q > 0.0 && q.is_finite())
        .collect();
    let step = pts.len().div_ceil(MAX_QQ_POINTS).max(1);
    let lo = pts
        .iter()
        .map(|p| p.0.min(p.1))
        .fold(f64::INFINITY, f64::min);
    let hi = pts.iter().map(|p| p.0.max(p.1)).fold(0.0, f64::max);
    let (lo, hi) = if pts.is_empty() {
        (0.1, 10.0)
    } else {
        log_range(lo, hi)
    };
    let ticks = log_ticks(lo, hi);
    let tl = log_labels(l, &ticks);
    let a = Axes {
        x0: left + y_axis_width(&tl, true),
        x1: right,
        y0: top,
        y1: bottom - x_axis_height(true),
        xr: (lo.log10(), hi.log10()),
        yr: (lo.log10(), hi.log10()),
    };
    let lt: Vec<f64> = ticks.iter().map(|t| t.log10()).collect();
    y_axis(
        c,
        &a,
        &lt,
        &tl,
        Some(&axis_title(l.pick("observed", "beobachtet"), "h")),
    )?;
    x_axis(
        c,
        &a,
        &lt,
        &tl,
        Some(&axis_title(
            l.pick("fitted quantile", "Quantil der Anpassung"),
            "h",
        )),
    )?;
    c.dashed((a.x0, a.y1), (a.x1, a.y0), &MODEL, 3, 10.0)?;
    for (i, (q, x, cens)) in pts.iter().enumerate() {
        if i % step != 0 && i + 1 != pts.len() {
            continue;
        }
        let p = (a.px(q.log10()), a.py(x.log10()));
        if *cens {
            c.dot(p, 7, &CENSORED)?;
            c.dot(p, 4, &WHITE)?;
        } else {
            c.dot(p, 5, &DATA)?;
        }
    }
    if step > 1 {
        let note = match l {
            Lang::En => format!("every {step}th point by rank"),
            Lang::De => format!("jeder {step}. Punkt nach Rang"),
        };
        c.text(
            &note,
            (a.x0 + 12, a.y0 + 8),
            font(VALUE - 4.0),
            GREY,
            HPos::Left,
            VPos::Top,
        )?;
    }
    axis_lines(c, &a)
}

fn density_panel<DB: DrawingBackend>(
    c: &Canvas<DB>,
    e: &super::EffortFit,
    (left, right): (i32, i32),
    (top, bottom): (i32, i32),
) -> Res {
    let l = c.lang;
    let mut xs: Vec<f64> = e
        .data
        .iter()
        .map(|d| d.0)
        .filter(|x| x.is_finite())
        .collect();
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    // The x axis ends at the larger of the data's and the fit's 99th percentile: the tail
    // beyond would flatten the histogram; the QQ plot shows it.
    let p99_data = if n > 0 {
        xs[((n as f64 * 0.99) as usize).min(n - 1)]
    } else {
        1.0
    };
    let xmax = nice_max(p99_data.max(quantile(&e.dist, 0.99)).max(1e-6), 6);
    let beyond = xs.iter().filter(|x| **x > xmax).count();
    let title = match l {
        Lang::En => format!("Histogram and fitted density (up to P99; {beyond} beyond)"),
        Lang::De => format!("Histogramm und angepasste Dichte (bis P99; {beyond} darüber)"),
    };
    panel_title(c, &title, left, top)?;
    let top = top + bold(AXIS).line() + 10;
    // Freedman–Diaconis would give hundreds of bins on large samples; √n capped at 10–50
    // keeps each bar readable.
    let bins = ((n as f64).sqrt().round() as usize).clamp(10, 50);
    let width = xmax / bins as f64;
    let mut closed = vec![0.0; bins];
    let mut open = vec![0.0; bins];
    for (x, cens) in &e.data {
        if !x.is_finite() || *x > xmax || *x < 0.0 {
            continue;
        }
        let k = ((x / width) as usize).min(bins - 1);
        if *cens {
            open[k] += 1.0
        } else {
            closed[k] += 1.0
        }
    }
    // Density scale: every observation counts 1/(n·width), so bars and curve have area 1.
    let scale = 1.0 / (n.max(1) as f64 * width);
    let curve: Vec<(f64, f64)> = (0..=400)
        .map(|i| {
            let x = xmax * (i as f64 + 0.5) / 401.0;
            (x, pdf(&e.dist, x))
        })
        .collect();
    let bar_hi = (0..bins)
        .map(|k| (closed[k] + open[k]) * scale)
        .fold(0.0, f64::max);
    // A density spike near 0 (Weibull shape < 1) must not squash the bars: the axis ends at
    // 1.5 × the highest bar unless the curve stays below.
    let curve_hi = curve.iter().map(|p| p.1).fold(0.0, f64::max);
    let ymax = nice_max(bar_hi.max(curve_hi.min(1.5 * bar_hi)).max(1e-9) * 1.05, 5);
    let yt = nice_ticks(0.0, ymax, 5);
    let yl = labels(l, &yt);
    let a = Axes {
        x0: left + y_axis_width(&yl, true),
        x1: right,
        y0: top,
        y1: bottom - x_axis_height(true),
        xr: (0.0, xmax),
        yr: (0.0, ymax),
    };
    let xt = nice_ticks(0.0, xmax, 6);
    let xl = labels(l, &xt);
    y_axis(
        c,
        &a,
        &yt,
        &yl,
        Some(&axis_title(l.pick("density", "Dichte"), "1/h")),
    )?;
    x_axis(
        c,
        &a,
        &xt,
        &xl,
        Some(&axis_title(l.pick("effort", "Aufwand"), "h")),
    )?;
    for k in 0..bins {
        let xa = a.px(k as f64 * width) + 1;
        let xb = a.px((k + 1) as f64 * width) - 1;
        let y_closed = a.py_clamped(closed[k] * scale);
        let y_all = a.py_clamped((closed[k] + open[k]) * scale);
        if closed[k] > 0.0 {
            c.rect((xa, y_closed), (xb, a.y1), &alpha(DATA, 0.55))?;
        }
        if open[k] > 0.0 {
            c.rect((xa, y_all), (xb, y_closed), &alpha(CENSORED, 0.8))?;
        }
    }
    let line: Vec<(i32, i32)> = curve
        .iter()
        .map(|(x, y)| (a.px(*x), a.py_clamped(*y)))
        .collect();
    c.line(&line, &MODEL, 4)?;
    axis_lines(c, &a)
}

// ---------------------------------------------------------------------------------------------
// Observed response and resolution times

fn ecdf(v: &[f64]) -> Vec<(f64, f64)> {
    let mut s: Vec<f64> = v.iter().copied().filter(|x| x.is_finite()).collect();
    s.sort_by(f64::total_cmp);
    let n = s.len() as f64;
    s.iter()
        .enumerate()
        .map(|(i, x)| (*x, (i + 1) as f64 / n))
        .collect()
}

fn observed<DB: DrawingBackend>(c: &Canvas<DB>, cal: &Calibration, footer: &str) -> Res {
    let l = c.lang;
    let mut entries = Vec::new();
    for (i, o) in cal.observed.iter().enumerate() {
        let p = o
            .priority
            .map_or_else(|| format!("#{}", i + 1), |p| p.label().to_string());
        let text = match l {
            Lang::En => format!(
                "{p}: {} responses, {} resolved, {} open",
                o.response_bh.len(),
                o.resolution_bh.len(),
                o.open_age_bh.len()
            ),
            Lang::De => format!(
                "{p}: {} Reaktionen, {} gelöst, {} offen",
                o.response_bh.len(),
                o.resolution_bh.len(),
                o.open_age_bh.len()
            ),
        };
        entries.push((Key::Line(prio_color(o.priority, i)), text));
    }
    let title = l.pick(
        "Observed response and resolution times per priority",
        "Beobachtete Reaktions- und Lösungszeiten je Priorität",
    );
    let (top, bottom) = frame_with_footer(c, title, &entries, footer, env!("CARGO_PKG_VERSION"))?;
    let mid = W / 2;
    let resp: Vec<&[f64]> = cal
        .observed
        .iter()
        .map(|o| o.response_bh.as_slice())
        .collect();
    let res: Vec<&[f64]> = cal
        .observed
        .iter()
        .map(|o| o.resolution_bh.as_slice())
        .collect();
    ecdf_panel(
        c,
        cal,
        &resp,
        l.pick("Response", "Reaktion"),
        (MARGIN, mid - 40),
        (top, bottom),
    )?;
    ecdf_panel(
        c,
        cal,
        &res,
        l.pick("Resolution", "Lösung"),
        (mid + 40, W - MARGIN),
        (top, bottom),
    )
}

fn prio_color(p: Option<crate::model::Priority>, i: usize) -> RGBColor {
    PALETTE[p.map_or(i, |p| p.index()) % PALETTE.len()]
}

fn ecdf_panel<DB: DrawingBackend>(
    c: &Canvas<DB>,
    cal: &Calibration,
    series: &[&[f64]],
    what: &str,
    (left, right): (i32, i32),
    (top, bottom): (i32, i32),
) -> Res {
    let l = c.lang;
    panel_title(c, what, left, top)?;
    let top = top + bold(AXIS).line() + 10;
    let pos = series
        .iter()
        .flat_map(|s| s.iter().copied())
        .filter(|x| *x > 0.0 && x.is_finite());
    let (lo, hi) = pos.fold((f64::INFINITY, 0.0f64), |(a, b), x| (a.min(x), b.max(x)));
    let (lo, hi) = if hi > 0.0 {
        log_range(lo.max(hi * 1e-4), hi)
    } else {
        (0.1, 10.0)
    };
    let ticks = log_ticks(lo, hi);
    let tl = log_labels(l, &ticks);
    let yt = nice_ticks(0.0, 1.0, 5);
    let yl: Vec<String> = yt.iter().map(|y| l.pct(*y, 0)).collect();
    let a = Axes {
        x0: left + y_axis_width(&yl, true),
        x1: right,
        y0: top,
        y1: bottom - x_axis_height(true),
        xr: (lo.log10(), hi.log10()),
        yr: (0.0, 1.0),
    };
    let lt: Vec<f64> = ticks.iter().map(|t| t.log10()).collect();
    y_axis(
        c,
        &a,
        &yt,
        &yl,
        Some(l.pick("share of tickets within", "Anteil der Tickets innerhalb")),
    )?;
    x_axis(
        c,
        &a,
        &lt,
        &tl,
        Some(&axis_title(
            l.pick("business hours", "Geschäftsstunden"),
            "h",
        )),
    )?;
    for (i, s) in series.iter().enumerate() {
        let pts = ecdf(s);
        if pts.is_empty() {
            continue;
        }
        let col = prio_color(cal.observed[i].priority, i);
        // A step function; values at or below the axis start sit on it.
        let mut line = Vec::with_capacity(2 * pts.len());
        let mut prev = 0.0;
        for (x, f) in pts {
            let px = a.px_clamped(x.max(lo).log10());
            line.push((px, a.py(prev)));
            line.push((px, a.py(f)));
            prev = f;
        }
        line.push((a.x1, a.py(prev)));
        c.line(&line, &col, 4)?;
    }
    axis_lines(c, &a)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calibrate::Dispersion;
    use crate::rng::{Purpose, stream};
    use rand_distr::{Distribution, Gamma, Poisson};

    /// Three years of daily counts with a weekday profile; each day's mean is multiplied by a
    /// gamma factor of mean 1 and the given shape (`None`: no factor, plain Poisson).
    fn calibration(shape: Option<f64>) -> Calibration {
        let mut rng = stream(11, 0, Purpose::IncidentArrivals, "band");
        let per_weekday = [6.0, 5.0, 5.0, 5.0, 4.0, 0.3, 0.2];
        let from = chrono::NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
        let daily_counts = (0..3 * 365)
            .map(|i| {
                let d = from + chrono::Days::new(i);
                let mut lam = per_weekday[d.weekday().num_days_from_monday() as usize];
                if let Some(k) = shape {
                    lam *= Gamma::new(k, 1.0 / k).unwrap().sample(&mut rng);
                }
                let n = Poisson::new(lam.max(1e-9)).unwrap().sample(&mut rng) as u32;
                (d, n)
            })
            .collect();
        Calibration {
            period: (from, from + chrono::Days::new(3 * 365 - 1)),
            years: 3.0,
            categories: vec![],
            merged: vec![],
            daily_counts,
            dispersion: Dispersion {
                index: 1.0,
                poisson_ci: (0.9, 1.1),
                days: 0,
            },
            hour_of_week: [[0; 24]; 7],
            observed: vec![],
            notes: vec![],
        }
    }

    /// Upper 99.9 % bound of the share of days outside a 95 % band when arrivals are Poisson:
    /// a discrete band covers at least 95 %, so at most 5 % fall outside.
    fn bound(days: usize) -> f64 {
        const Z999: f64 = 3.290_526_731_491_926;
        0.05 + Z999 * (0.05 * 0.95 / days as f64).sqrt()
    }

    #[test]
    fn poisson_days_stay_in_the_band_and_overdispersed_days_do_not() {
        let cal = calibration(None);
        let total: f64 = cal.daily_counts.iter().map(|(_, n)| f64::from(*n)).sum();
        let expected: f64 = expected_daily(&cal).iter().sum();
        assert!(
            (expected - total).abs() < 1e-6 * total,
            "the profile keeps the total"
        );
        let (lo, hi) = days_outside_band(&cal);
        let share = (lo + hi) as f64 / cal.daily_counts.len() as f64;
        assert!(share <= bound(cal.daily_counts.len()), "Poisson: {share}");
        // Gamma-mixed (negative binomial) days with shape 2: variance λ + λ²/2, far outside.
        let cal = calibration(Some(2.0));
        let (lo, hi) = days_outside_band(&cal);
        let share = (lo + hi) as f64 / cal.daily_counts.len() as f64;
        assert!(
            share > bound(cal.daily_counts.len()),
            "overdispersed: {share}"
        );
    }

    #[test]
    fn log_ticks_thin_out_over_many_decades() {
        assert_eq!(
            log_ticks(0.1, 10.0),
            vec![0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0]
        );
        assert_eq!(log_ticks(0.001, 100.0).len(), 6);
    }
}
