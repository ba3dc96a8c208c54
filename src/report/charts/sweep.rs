//! Charts of sweeps and sensitivity analyses (`covsim sweep`, `covsim sensitivity`), as PNG
//! (1920 × 1080) and SVG, in the style of the run charts (bundled font, Okabe–Ito colours per
//! setup, title, legend, axis titles with units, footer with scenario, replications and seed).
//!
//! | file | what it shows |
//! |---|---|
//! | `chart-sweep-METRIC` | a headline metric's mean against the first swept value, one line per setup with its 95 % CI band; one panel per combination of the other swept values |
//! | `chart-tornado-cost` | the total cost's change when each main input is set 20 % lower or higher |
//! | `chart-tornado-downtime` | the same for the user-hours lost in a bad year (P95) |

use plotters::prelude::*;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::*;
use super::plots::tick_labels;
use super::{ChartError, SIZE, draw_err, encode_png};
use crate::report::i18n::Lang;
use crate::sweep::{Sensitivity, SensitivityRow, SweepResults, value_number, value_text};

/// At most this many panels (combinations of the other swept values) per sweep chart.
pub const MAX_PANELS: usize = 12;

/// Which chart to draw.
enum Chart<'a> {
    /// Metric `k` of `SweepResults::metrics`.
    Sweep(&'a SweepResults, usize),
    /// Metric `k` of `SENSITIVITY_METRICS`.
    Tornado(&'a Sensitivity, usize),
}

/// Draws the sweep charts, `chart-sweep-METRIC.png` and `.svg` for every headline metric, PNG
/// before SVG.
pub fn render_sweep_charts(
    r: &SweepResults,
    lang: Lang,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    register_fonts();
    let mut out = Vec::new();
    for (k, metric) in r.metrics.iter().enumerate() {
        let name = format!("chart-sweep-{}", metric.replace('_', "-"));
        render(&Chart::Sweep(r, k), &name, lang, &mut out)?;
    }
    Ok(out)
}

/// Draws the tornado charts `chart-tornado-cost` and `chart-tornado-downtime` (PNG and SVG).
pub fn render_tornado_charts(
    s: &Sensitivity,
    lang: Lang,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    register_fonts();
    let mut out = Vec::new();
    for (k, name) in ["chart-tornado-cost", "chart-tornado-downtime"]
        .iter()
        .enumerate()
    {
        render(&Chart::Tornado(s, k), name, lang, &mut out)?;
    }
    Ok(out)
}

fn render(
    chart: &Chart,
    name: &str,
    lang: Lang,
    out: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), ChartError> {
    let (w, h) = SIZE;
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&Canvas::new(&root, lang, true), chart)?;
        root.present().map_err(draw_err)?;
    }
    let png_bytes = encode_png(&rgb)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw(&Canvas::new(&root, lang, false), chart)?;
        root.present().map_err(draw_err)?;
    }
    out.push((format!("{name}.png"), png_bytes));
    out.push((format!("{name}.svg"), svg_fonts(&svg).into_bytes()));
    Ok(())
}

fn draw<DB: DrawingBackend>(c: &Canvas<DB>, chart: &Chart) -> Res {
    match chart {
        Chart::Sweep(r, k) => sweep(c, r, *k),
        Chart::Tornado(s, k) => tornado(c, s, *k),
    }
}

fn footer(l: Lang, scenario: &str, replications: u64, years: u64, seed: u64, per: &str) -> String {
    format!(
        "{scenario} · {} {} {per} · {} {seed} · {}",
        l.num((replications * years) as f64, 0),
        l.pick("simulated years", "simulierte Jahre"),
        l.pick("seed", "Seed"),
        l.pick(
            "the same random numbers in every run",
            "in jedem Lauf dieselben Zufallszahlen"
        ),
    )
}

fn padded(lo: f64, hi: f64) -> (f64, f64) {
    if !lo.is_finite() || !hi.is_finite() {
        return (0.0, 1.0);
    }
    if hi - lo < 1e-9 * hi.abs().max(1.0) {
        let d = hi.abs().max(1.0) * 0.05;
        return (lo - d, hi + d);
    }
    let pad = (hi - lo) * 0.08;
    (lo - pad, hi + pad)
}

// ---------------------------------------------------------------------------------------------
// Sweep

fn sweep<DB: DrawingBackend>(c: &Canvas<DB>, r: &SweepResults, k: usize) -> Res {
    let l = c.lang;
    let metric = &r.metrics[k];
    let (label, unit) = l.metric(metric);
    let scale = if unit == "%" { 100.0 } else { 1.0 };
    let x_axis_def = &r.axes[0];
    let numeric: Option<Vec<f64>> = x_axis_def.values.iter().map(value_number).collect();
    let xs: Vec<f64> = match &numeric {
        Some(v) => v.clone(),
        None => (0..x_axis_def.values.len()).map(|i| i as f64).collect(),
    };
    // Panels: the combinations of the other axes' values, in the order of the points.
    let mut panels: Vec<Vec<usize>> = Vec::new();
    for (index, _) in &r.points {
        let rest = index[1..].to_vec();
        if !panels.contains(&rest) {
            panels.push(rest);
        }
    }
    let total_panels = panels.len();
    panels.truncate(MAX_PANELS);

    let mut entries: Vec<(Key, String)> = r
        .setups
        .iter()
        .enumerate()
        .map(|(i, s)| (Key::Line(setup_color(i)), s.clone()))
        .collect();
    entries.push((
        Key::Band(RGBColor(0x88, 0x88, 0x88)),
        l.pick(
            "95 % confidence interval of the mean",
            "95-%-Konfidenzintervall des Mittelwerts",
        )
        .to_string(),
    ));
    if total_panels > panels.len() {
        entries.push((
            Key::Note,
            format!(
                "{} {MAX_PANELS} / {total_panels}",
                l.pick("combinations shown:", "gezeigte Kombinationen:")
            ),
        ));
    }
    let title = format!(
        "{label}: {} {}",
        l.pick("mean against", "Mittelwert in Abhängigkeit von"),
        x_axis_def.path
    );
    let foot = footer(
        l,
        &r.scenario,
        r.replications,
        r.years,
        r.seed,
        l.pick("per point", "je Punkt"),
    );
    let (top, bottom) = frame_with_footer(c, &title, &entries, &foot, env!("CARGO_PKG_VERSION"))?;

    // One y range for all panels.
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (index, stats) in &r.points {
        if !panels.contains(&index[1..].to_vec()) {
            continue;
        }
        for per_setup in stats {
            if let Some(s) = per_setup[k] {
                for v in [s.ci_lo, s.ci_hi, s.mean] {
                    if v.is_finite() {
                        lo = lo.min(v * scale);
                        hi = hi.max(v * scale);
                    }
                }
            }
        }
    }
    let (ylo, yhi) = padded(lo, hi);
    let yticks = nice_ticks(ylo, yhi, 5);
    let ylabels = tick_labels(l, &yticks);
    let xr = match &numeric {
        Some(_) => {
            let (a, b) = xs
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
                    (a.min(x), b.max(x))
                });
            let pad = if b > a { (b - a) * 0.06 } else { 1.0 };
            (a - pad, b + pad)
        }
        None => (-0.5, xs.len() as f64 - 0.5),
    };
    let (xticks, xlabels): (Vec<f64>, Vec<String>) = match &numeric {
        Some(_) if xs.len() > 8 => {
            let t = nice_ticks(xr.0, xr.1, 6);
            let lab = tick_labels(l, &t);
            (t, lab)
        }
        _ => (
            xs.clone(),
            x_axis_def
                .values
                .iter()
                .map(|v| match value_number(v) {
                    Some(x) => l.num(x, decimals_for(x)),
                    None => value_text(v),
                })
                .collect(),
        ),
    };

    let n = panels.len().max(1);
    let cols = match n {
        1 => 1,
        2..=4 => 2,
        5..=9 => 3,
        _ => 4,
    };
    let rows = n.div_ceil(cols);
    let left = MARGIN + y_axis_width(&ylabels, true);
    let col_gap = 48;
    let row_gap = 24;
    let multi = r.axes.len() > 1;
    let head = if multi { bold(AXIS).line() + 6 } else { 0 };
    let pw = (W - MARGIN - left - col_gap * (cols as i32 - 1)) / cols as i32;
    let ph = (bottom - top - row_gap * (rows as i32 - 1)) / rows as i32;
    for (pi, rest) in panels.iter().enumerate() {
        let (row, col) = (pi / cols, pi % cols);
        let x0 = left + col as i32 * (pw + col_gap);
        let py0 = top + row as i32 * (ph + row_gap);
        let last_row = row + 1 == rows || pi + cols >= n;
        let a = Axes {
            x0,
            x1: x0 + pw,
            y0: py0 + head,
            y1: py0 + ph - x_axis_height(last_row),
            xr,
            yr: (ylo, yhi),
        };
        let no_labels: Vec<String> = yticks.iter().map(|_| String::new()).collect();
        y_axis(
            c,
            &a,
            &yticks,
            if col == 0 { &ylabels } else { &no_labels },
            if col == 0 && rows == 1 {
                Some(if unit.is_empty() {
                    label.clone()
                } else {
                    format!("{label} [{unit}]")
                })
            } else {
                None
            }
            .as_deref(),
        )?;
        x_axis(
            c,
            &a,
            &xticks,
            &xlabels,
            if last_row {
                Some(x_axis_def.path.as_str())
            } else {
                None
            },
        )?;
        axis_lines(c, &a)?;
        if multi {
            let t = r.axes[1..]
                .iter()
                .zip(rest)
                .map(|(ax, &i)| format!("{} = {}", ax.path, value_text(&ax.values[i])))
                .collect::<Vec<_>>()
                .join(", ");
            c.text(
                &ellipsize(&t, bold(AXIS - 4.0), pw),
                (x0, py0),
                bold(AXIS - 4.0),
                INK,
                HPos::Left,
                VPos::Top,
            )?;
        }
        for (si, _) in r.setups.iter().enumerate() {
            // (x, mean, lo, hi) along the first axis.
            let mut pts: Vec<(f64, f64, f64, f64)> = Vec::new();
            for (index, stats) in &r.points {
                if index[1..] != rest[..] {
                    continue;
                }
                if let Some(s) = stats[si][k]
                    && s.mean.is_finite()
                {
                    let lo = if s.ci_lo.is_finite() { s.ci_lo } else { s.mean };
                    let hi = if s.ci_hi.is_finite() { s.ci_hi } else { s.mean };
                    pts.push((xs[index[0]], s.mean * scale, lo * scale, hi * scale));
                }
            }
            pts.sort_by(|p, q| p.0.total_cmp(&q.0));
            let col = setup_color(si);
            if pts.len() > 1 {
                let mut band: Vec<(i32, i32)> =
                    pts.iter().map(|p| (a.px(p.0), a.py_clamped(p.3))).collect();
                band.extend(pts.iter().rev().map(|p| (a.px(p.0), a.py_clamped(p.2))));
                c.polygon(band, &alpha(col, 0.18))?;
                let line: Vec<(i32, i32)> =
                    pts.iter().map(|p| (a.px(p.0), a.py_clamped(p.1))).collect();
                c.line(&line, &col, 4)?;
            }
            for p in &pts {
                let x = a.px(p.0);
                c.line(&[(x, a.py_clamped(p.2)), (x, a.py_clamped(p.3))], &col, 2)?;
                c.dot((x, a.py_clamped(p.1)), 9, &WHITE)?;
                c.dot((x, a.py_clamped(p.1)), 7, &col)?;
            }
        }
    }
    if rows > 1 {
        c.text_up(
            &if unit.is_empty() {
                label.clone()
            } else {
                format!("{label} [{unit}]")
            },
            (MARGIN + font(AXIS).line() / 2, (top + bottom) / 2),
            font(AXIS),
            INK,
        )?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Tornado

/// Blue for the low side, vermillion for the high side (Okabe–Ito).
const LOW: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const HIGH: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

fn short(l: Lang, x: f64) -> String {
    let a = x.abs();
    let d = if a >= 100.0 || a == a.round() {
        0
    } else if a >= 1.0 {
        1
    } else {
        2
    };
    l.num(x, d)
}

fn tornado<DB: DrawingBackend>(c: &Canvas<DB>, s: &Sensitivity, k: usize) -> Res {
    let l = c.lang;
    let (metric, stat) = crate::sweep::SENSITIVITY_METRICS[k];
    let mut rows: Vec<&SensitivityRow> = s
        .rows
        .iter()
        .filter(|r| r.metric == metric && r.stat == stat)
        .collect();
    rows.sort_by(|a, b| {
        let sa = (a.high - a.low).abs();
        let sb = (b.high - b.low).abs();
        sb.total_cmp(&sa)
    });
    let (mlabel, unit) = l.metric(metric);
    let pct = format!("{:.0}\u{202f}%", s.range * 100.0);
    let quoted = match l {
        Lang::En => format!("“{}”", s.setup),
        Lang::De => format!("„{}“", s.setup),
    };
    // Short enough to fit at full title size with a long setup name: the "±20 %" must not be
    // cut off.
    let what = if stat == "p95" {
        l.pick(
            "User-hours lost in a bad year (P95)",
            "Verlorene Stunden im schlechten Jahr (P95)",
        )
    } else {
        l.pick("Total cost per year", "Gesamtkosten pro Jahr")
    };
    let title = format!("{what}, {quoted}: {} ±{pct}", l.pick("inputs", "Eingaben"));
    let base = rows.first().map_or(f64::NAN, |r| r.base);
    let entries = vec![
        (
            Key::Swatch(LOW),
            format!("{} −{pct}", l.pick("input", "Eingabe")),
        ),
        (
            Key::Swatch(HIGH),
            format!("{} +{pct}", l.pick("input", "Eingabe")),
        ),
        (
            Key::Line(INK),
            format!(
                "{}: {} {unit}",
                l.pick("scenario as given", "Szenario wie angegeben"),
                short(l, base)
            ),
        ),
    ];
    let foot = footer(
        l,
        &s.scenario,
        s.replications,
        s.years,
        s.seed,
        l.pick("per run", "je Lauf"),
    );
    let (top, bottom) = frame_with_footer(c, &title, &entries, &foot, env!("CARGO_PKG_VERSION"))?;
    if rows.is_empty() {
        c.text(
            l.pick("No input to vary.", "Keine Eingabe zu variieren."),
            (W / 2, (top + bottom) / 2),
            font(AXIS),
            INK,
            HPos::Center,
            VPos::Center,
        )?;
        return Ok(());
    }
    let (mut lo, mut hi) = (base, base);
    for r in &rows {
        for v in [r.low, r.high] {
            if v.is_finite() {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let span = (hi - lo).max(base.abs() * 0.01).max(1e-9);
    let (xlo, xhi) = (lo - span * 0.16, hi + span * 0.16);
    let label_w = 600;
    let xtitle = format!(
        "{}{} [{unit}]",
        mlabel,
        if stat == "p95" { ", P95" } else { "" }
    );
    let a = Axes {
        x0: MARGIN + label_w,
        x1: W - MARGIN,
        y0: top,
        y1: bottom - x_axis_height(true),
        xr: (xlo, xhi),
        yr: (0.0, 1.0),
    };
    let ticks = nice_ticks(xlo, xhi, 6);
    let labels = tick_labels(l, &ticks);
    x_axis(c, &a, &ticks, &labels, Some(&xtitle))?;
    c.line(&[(a.x0, a.y1), (a.x1, a.y1)], &GREY, 2)?;
    let row_h = ((a.y1 - a.y0) / rows.len() as i32).min(110);
    let bar_h = (row_h as f64 * 0.55) as i32;
    let vf = font(VALUE);
    let lf = font(LEGEND);
    let sf = font(TICK - 4.0);
    let bx = a.px(base);
    for (j, r) in rows.iter().enumerate() {
        let cy = a.y0 + row_h * j as i32 + row_h / 2;
        let v = &r.variation;
        let name = l.pick(&v.label_en, &v.label_de);
        c.text(
            &ellipsize(name, lf, label_w - 24),
            (MARGIN, cy - 4),
            lf,
            INK,
            HPos::Left,
            VPos::Bottom,
        )?;
        c.text(
            &format!(
                "{} ({} – {})",
                short(l, v.base_value),
                short(l, v.low_value),
                short(l, v.high_value)
            ),
            (MARGIN, cy + 2),
            sf,
            GREY,
            HPos::Left,
            VPos::Top,
        )?;
        let mut sides = [(r.low, LOW), (r.high, HIGH)];
        // The longer bar first, so that a shorter one on the same side stays visible.
        sides.sort_by(|p, q| (q.0 - base).abs().total_cmp(&(p.0 - base).abs()));
        // Labels go outwards from the end of the bars, per side, so that they never overlap.
        let mut right_end = bx;
        let mut left_end = bx;
        for (value, col) in sides {
            if !value.is_finite() {
                continue;
            }
            let x = a.px(value);
            let (x0, x1) = (bx.min(x), bx.max(x).max(bx.min(x) + 2));
            c.rect((x0, cy - bar_h / 2), (x1, cy + bar_h / 2), &col)?;
            right_end = right_end.max(x1);
            left_end = left_end.min(x0);
        }
        if sides.iter().all(|s| s.0 == base) {
            c.text("0", (bx + 10, cy), vf, GREY, HPos::Left, VPos::Center)?;
            continue;
        }
        for (value, col) in sides {
            let d = value - base;
            if !d.is_finite() || d == 0.0 {
                continue;
            }
            let t = l.signed(d, if d.abs() >= 100.0 { 0 } else { 1 });
            if d > 0.0 {
                c.text(&t, (right_end + 8, cy), vf, col, HPos::Left, VPos::Center)?;
                right_end += 8 + vf.width(&t) + 6;
            } else {
                c.text(&t, (left_end - 8, cy), vf, col, HPos::Right, VPos::Center)?;
                left_end -= 8 + vf.width(&t) + 6;
            }
        }
    }
    c.line(&[(bx, a.y0 - 8), (bx, a.y1)], &INK, 3)
}
