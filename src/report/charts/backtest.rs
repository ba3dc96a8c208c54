//! Charts of a backtest (`covsim backtest`), as PNG (1920 × 1080) and SVG, in the style of the
//! run charts (bundled font, Okabe–Ito colours, title, legend, footer).
//!
//! Each metric is one row: its simulated 90 % band (5th to 95th percentile of the
//! replications) as a grey bar, the 95 % confidence intervals of the band's two edges as darker
//! bars on them, the simulated median as a line, and the observed value as a dot coloured by its
//! verdict (inside, above, below). Metrics have different units and sizes, so each row has its
//! own scale, from zero (or the smallest value) to the largest value shown, and states its
//! numbers in words under its label.
//!
//! | file | rows |
//! |---|---|
//! | `chart-backtest-response` | response times per priority, median and P90 |
//! | `chart-backtest-resolution` | resolution times per priority, median and P90 |
//! | `chart-backtest-volume` | tickets per week: mean, standard deviation, mean per priority |
//! | `chart-backtest-backlog` | open tickets at every month end (`-2`, `-3`, … beyond [`ROWS`] month ends) |

use plotters::prelude::*;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::canvas::*;
use super::{ChartError, SIZE, draw_err, encode_png};
use crate::calibrate::backtest::{Backtest, Comparison, MetricId, TimeKind, Verdict};
use crate::calibrate::backtest_text::{decimals, label};
use crate::report::i18n::Lang;

/// Most rows in one chart: beyond this the labels would be too small to read on a slide.
pub const ROWS: usize = 14;

/// Okabe–Ito bluish green: inside the band.
const INSIDE: RGBColor = RGBColor(0x00, 0x9E, 0x73);
/// Okabe–Ito vermillion: above the band.
const ABOVE: RGBColor = RGBColor(0xD5, 0x5E, 0x00);
/// Okabe–Ito blue: below the band.
const BELOW: RGBColor = RGBColor(0x00, 0x72, 0xB2);
/// The band.
const BAND: RGBColor = RGBColor(0xBB, 0xBB, 0xBB);
/// The confidence intervals of the band's edges.
const EDGE_CI: RGBColor = RGBColor(0x77, 0x77, 0x77);

fn colour(v: Verdict) -> RGBColor {
    match v {
        Verdict::Inside => INSIDE,
        Verdict::Above => ABOVE,
        Verdict::Below => BELOW,
    }
}

/// Draws the backtest charts (see the module documentation), PNG before SVG for each.
pub fn render_backtest_charts(
    b: &Backtest,
    lang: Lang,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    register_fonts();
    let l = lang;
    let times = |kind: TimeKind| -> Vec<&Comparison> {
        b.comparisons
            .iter()
            .filter(|c| matches!(c.metric, MetricId::Time { kind: k, .. } if k == kind))
            .collect()
    };
    let groups: [(&str, String, Vec<&Comparison>); 4] = [
        (
            "chart-backtest-response",
            l.pick(
                "Backtest: response times, observed against the model",
                "Backtest: Reaktionszeiten, beobachtet gegen das Modell",
            )
            .to_owned(),
            times(TimeKind::Response),
        ),
        (
            "chart-backtest-resolution",
            l.pick(
                "Backtest: resolution times, observed against the model",
                "Backtest: Lösungszeiten, beobachtet gegen das Modell",
            )
            .to_owned(),
            times(TimeKind::Resolution),
        ),
        (
            "chart-backtest-volume",
            l.pick(
                "Backtest: tickets per week, observed against the model",
                "Backtest: Tickets pro Woche, beobachtet gegen das Modell",
            )
            .to_owned(),
            b.comparisons
                .iter()
                .filter(|c| matches!(c.metric, MetricId::WeeklyMean(_) | MetricId::WeeklySd))
                .collect(),
        ),
        (
            "chart-backtest-backlog",
            l.pick(
                "Backtest: open tickets at month ends, observed against the model",
                "Backtest: offene Tickets am Monatsende, beobachtet gegen das Modell",
            )
            .to_owned(),
            b.comparisons
                .iter()
                .filter(|c| matches!(c.metric, MetricId::Backlog(_)))
                .collect(),
        ),
    ];
    let mut out = Vec::new();
    for (name, title, rows) in groups {
        if rows.is_empty() {
            continue;
        }
        for (k, chunk) in rows.chunks(ROWS).enumerate() {
            let file = if k == 0 {
                name.to_owned()
            } else {
                format!("{name}-{}", k + 1)
            };
            render(b, &title, chunk, &file, lang, &mut out)?;
        }
    }
    Ok(out)
}

fn render(
    b: &Backtest,
    title: &str,
    rows: &[&Comparison],
    name: &str,
    lang: Lang,
    out: &mut Vec<(String, Vec<u8>)>,
) -> Result<(), ChartError> {
    let (w, h) = SIZE;
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        draw(&Canvas::new(&root, lang, true), b, title, rows)?;
        root.present().map_err(draw_err)?;
    }
    let png_bytes = encode_png(&rgb)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw(&Canvas::new(&root, lang, false), b, title, rows)?;
        root.present().map_err(draw_err)?;
    }
    out.push((format!("{name}.png"), png_bytes));
    out.push((format!("{name}.svg"), svg_fonts(&svg).into_bytes()));
    Ok(())
}

fn draw<DB: DrawingBackend>(
    c: &Canvas<DB>,
    b: &Backtest,
    title: &str,
    rows: &[&Comparison],
) -> Res {
    let l = c.lang;
    let entries = vec![
        (
            Key::Swatch(BAND),
            l.pick("simulated 90 % band", "simuliertes 90-%-Band")
                .to_owned(),
        ),
        (
            Key::Swatch(EDGE_CI),
            l.pick("95 % CI of its edges", "95-%-KI seiner Grenzen")
                .to_owned(),
        ),
        (
            Key::Line(INK),
            l.pick("simulated median", "simulierter Median").to_owned(),
        ),
        (
            Key::Dot(INSIDE),
            l.pick("observed: inside", "beobachtet: innerhalb")
                .to_owned(),
        ),
        (Key::Dot(ABOVE), l.pick("above", "darüber").to_owned()),
        (Key::Dot(BELOW), l.pick("below", "darunter").to_owned()),
    ];
    let footer = format!(
        "{} · {} {} · {} {} · {} {} · {}: {} ({} – {})",
        b.scenario,
        l.pick("setup", "Betreuungsmodell"),
        match l {
            Lang::En => format!("“{}”", b.setup),
            Lang::De => format!("„{}“", b.setup),
        },
        l.num(b.replications as f64, 0),
        l.pick("replications", "Replikationen"),
        l.pick("seed", "Seed"),
        b.seed,
        l.pick("export", "Export"),
        // Only the file name: a chart goes into presentations, the client's folders must not.
        std::path::Path::new(&b.source)
            .file_name()
            .map_or_else(|| b.source.clone(), |n| n.to_string_lossy().into_owned()),
        b.period.0.date(),
        b.period.1.date(),
    );
    let (top, bottom) = frame_with_footer(c, title, &entries, &footer, env!("CARGO_PKG_VERSION"))?;
    let label_w = 720;
    let verdict_w = 300;
    let (x0, x1) = (MARGIN + label_w, W - MARGIN - verdict_w);
    let row_h = ((bottom - top) / rows.len().max(1) as i32).min(120);
    let lf = font(LEGEND);
    let sf = font(TICK - 6.0);
    let bar_h = ((row_h as f64) * 0.36) as i32;
    for (j, r) in rows.iter().enumerate() {
        let cy = top + row_h * j as i32 + row_h / 2;
        let (name, unit) = label(&r.metric, l);
        let d = decimals(&r.metric);
        c.text(
            &ellipsize(&format!("{name} [{unit}]"), lf, label_w - 24),
            (MARGIN, cy - 2),
            lf,
            INK,
            HPos::Left,
            VPos::Bottom,
        )?;
        let band = &r.band;
        c.text(
            &ellipsize(
                &format!(
                    "{} {} · {} {} – {}",
                    l.pick("observed", "beobachtet"),
                    l.num(r.observed, d),
                    l.pick("band", "Band"),
                    l.num(band.p5, d),
                    l.num(band.p95, d)
                ),
                sf,
                label_w - 24,
            ),
            (MARGIN, cy + 4),
            sf,
            GREY,
            HPos::Left,
            VPos::Top,
        )?;
        // The row's own scale: every finite value shown, from zero for non-negative metrics.
        let shown = [
            r.observed,
            band.p5,
            band.p95,
            band.p5_ci.0,
            band.p5_ci.1,
            band.p95_ci.0,
            band.p95_ci.1,
        ];
        let finite = shown.iter().copied().filter(|x| x.is_finite());
        let (mut lo, mut hi) = finite.fold((0.0f64, f64::NEG_INFINITY), |(a, b), x| {
            (a.min(x), b.max(x))
        });
        if hi.is_nan() || hi <= lo {
            hi = lo + 1.0;
        }
        let pad = (hi - lo) * 0.05;
        lo -= if lo < 0.0 { pad } else { 0.0 };
        hi += pad;
        let a = Axes {
            x0,
            x1,
            y0: cy - row_h / 2,
            y1: cy + row_h / 2,
            xr: (lo, hi),
            yr: (0.0, 1.0),
        };
        let px = |x: f64| {
            if x.is_nan() {
                None
            } else {
                Some(a.px_clamped(x))
            }
        };
        c.line(&[(x0, cy), (x1, cy)], &GRID, 2)?;
        if j > 0 {
            c.line(&[(MARGIN, a.y0), (W - MARGIN, a.y0)], &GRID, 1)?;
        }
        if let (Some(b0), Some(b1)) = (px(band.p5), px(band.p95)) {
            c.rect(
                (b0, cy - bar_h / 2),
                (b1.max(b0 + 2), cy + bar_h / 2),
                &BAND,
            )?;
        }
        // An end the replications cannot bound runs to the edge of the row.
        for ((lo_ci, hi_ci), edge) in [(band.p5_ci, band.p5), (band.p95_ci, band.p95)] {
            if edge.is_nan() {
                continue;
            }
            let from = if lo_ci.is_nan() {
                x0
            } else {
                a.px_clamped(lo_ci)
            };
            let to = if hi_ci.is_nan() {
                x1
            } else {
                a.px_clamped(hi_ci)
            };
            // Thin, so that the band itself stays the eye-catcher.
            c.rect((from, cy - 4), (to.max(from + 2), cy + 4), &EDGE_CI)?;
        }
        if let Some(m) = px(band.median) {
            c.line(&[(m, cy - bar_h / 2 - 6), (m, cy + bar_h / 2 + 6)], &INK, 3)?;
        }
        if let Some(o) = px(r.observed) {
            c.dot((o, cy), (bar_h / 2).clamp(7, 14), &WHITE)?;
            c.dot((o, cy), (bar_h / 2).clamp(7, 14) - 3, &colour(r.verdict))?;
        }
        c.text(
            &l.num(lo, d),
            (x0, cy + bar_h / 2 + 4),
            sf,
            GREY,
            HPos::Left,
            VPos::Top,
        )?;
        c.text(
            &l.num(hi, d),
            (x1, cy + bar_h / 2 + 4),
            sf,
            GREY,
            HPos::Right,
            VPos::Top,
        )?;
        let word = match r.verdict {
            Verdict::Inside => l.pick("inside", "innerhalb"),
            Verdict::Above => l.pick("above", "darüber"),
            Verdict::Below => l.pick("below", "darunter"),
        };
        let word = if r.borderline {
            format!("{word} ({})", l.pick("borderline", "knapp"))
        } else {
            word.to_owned()
        };
        c.text(
            &ellipsize(&word, lf, verdict_w - 24),
            (W - MARGIN, cy),
            lf,
            colour(r.verdict),
            HPos::Right,
            VPos::Center,
        )?;
    }
    Ok(())
}
