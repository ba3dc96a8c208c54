//! The seven charts. Each lays itself out in pixels of the 1920 × 1080 canvas.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::RGBColor;
use plotters::style::text_anchor::{HPos, VPos};

use super::ChartError;
use super::canvas::*;
use super::data::{RunData, quantile};
use crate::report::horizon::Horizon;
use crate::report::i18n::Lang;

/// What the charts need beyond the parsed files.
pub(crate) struct Prepared<'a> {
    data: &'a RunData,
    /// User-hours lost per replication, per setup, sorted.
    uhl: Vec<Vec<f64>>,
}

/// Reads the per-replication values the charts need.
pub(crate) fn prepare(data: &RunData, _lang: Lang) -> Result<Prepared<'_>, ChartError> {
    let mut uhl = data.values("user_hours_lost")?;
    for (v, name) in uhl.iter_mut().zip(&data.setups) {
        if v.is_empty() {
            return Err(ChartError::MissingRow {
                file: "replications.csv".into(),
                row: name.clone(),
            });
        }
        v.sort_by(f64::total_cmp);
    }
    Ok(Prepared { data, uhl })
}

/// Draws chart number `chart` (index into `CHARTS`).
pub(crate) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Prepared,
    chart: usize,
    lang: Lang,
    raster: bool,
) -> Res {
    let c = Canvas::new(root, lang, raster);
    match chart {
        0 => downtime(&c, p),
        1 => einer_ist_keiner(&c, p),
        2 => backlog(&c, p),
        3 => response(&c, p),
        4 => bad_year(&c, p),
        5 => comparison(&c, p),
        _ => cost_risk(&c, p),
    }
}

/// Moves label rows apart so that neighbours are at least `gap` px apart, within `lo..=hi`.
fn spread(ys: &mut [i32], gap: i32, lo: i32, hi: i32) {
    let mut idx: Vec<usize> = (0..ys.len()).collect();
    idx.sort_by_key(|&i| (ys[i], i));
    for k in 1..idx.len() {
        let prev = ys[idx[k - 1]];
        if ys[idx[k]] < prev + gap {
            ys[idx[k]] = prev + gap;
        }
    }
    if let Some(&last) = idx.last() {
        ys[last] = ys[last].min(hi);
        for k in (0..idx.len().saturating_sub(1)).rev() {
            let next = ys[idx[k + 1]];
            if ys[idx[k]] > next - gap {
                ys[idx[k]] = next - gap;
            }
        }
    }
    for y in ys.iter_mut() {
        *y = (*y).max(lo);
    }
}

/// Decimals for a value of this size.
fn auto_dec(x: f64) -> usize {
    let a = x.abs();
    if a >= 100.0 {
        0
    } else if a >= 1.0 {
        1
    } else {
        2
    }
}

/// Tick labels for `ticks`, with as many decimals as their step needs.
pub(crate) fn tick_labels(l: Lang, ticks: &[f64]) -> Vec<String> {
    let step = if ticks.len() > 1 {
        ticks[1] - ticks[0]
    } else {
        1.0
    };
    let d = decimals_for(step);
    ticks.iter().map(|t| l.num(*t, d)).collect()
}

fn axis_title(label: &str, unit: &str) -> String {
    if unit.is_empty() {
        label.to_string()
    } else {
        format!("{label} [{unit}]")
    }
}

// ---------------------------------------------------------------------------------------------
// 1. Downtime per year

fn downtime<DB: DrawingBackend>(c: &Canvas<DB>, p: &Prepared) -> Res {
    let d = p.data;
    let l = c.lang;
    let n = d.setups.len();
    struct Stat {
        p5: f64,
        p25: f64,
        p50: f64,
        p75: f64,
        p95: f64,
        mean: f64,
    }
    let stats = d
        .setups
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let sum = d.summary(s, "user_hours_lost")?;
            Ok(Stat {
                p5: sum.p5,
                p25: quantile(&p.uhl[i], 0.25),
                p50: sum.p50,
                p75: quantile(&p.uhl[i], 0.75),
                p95: sum.p95,
                mean: sum.mean,
            })
        })
        .collect::<Result<Vec<_>, ChartError>>()?;
    let entries = vec![
        (
            Key::Boxplot,
            match l {
                Lang::En => format!("box: middle half of the {}, line: median", hz(d).units(l)),
                Lang::De => format!(
                    "Kasten: mittlere Hälfte der {}, Strich: Median",
                    hz(d).units(l)
                ),
            },
        ),
        (
            Key::Whisker,
            match l {
                Lang::En => format!(
                    "whiskers: 5th–95th percentile (P95: {} is worse)",
                    hz(d).one_in(l, 20)
                ),
                Lang::De => format!(
                    "Antennen: 5.–95. Perzentil (P95: {} ist schlechter)",
                    hz(d).one_in(l, 20)
                ),
            },
        ),
        (Key::Diamond(INK), l.pick("mean", "Mittelwert").to_string()),
    ];
    let title = l.pick(
        "Downtime per year: user-hours lost by support setup",
        "Ausfallzeit pro Jahr: verlorene Arbeitsstunden je Betreuungsmodell",
    );
    let (top, bottom) = frame(c, d, title, &entries)?;

    let hi = stats.iter().map(|s| s.p95.max(s.mean)).fold(0.0, f64::max);
    let ymax = nice_max(hi * 1.06, 6).max(1.0);
    let ticks = nice_ticks(0.0, ymax, 6);
    let labels = tick_labels(l, &ticks);
    let x0 = MARGIN + y_axis_width(&labels, true);
    let x1 = W - MARGIN;
    let slot = (x1 - x0) / n as i32;
    let name_font = bold(TICK + 2.0);
    let names: Vec<Vec<String>> = d
        .setups
        .iter()
        .map(|s| wrap(s, name_font, slot - 24, 2))
        .collect();
    let name_lines = names.iter().map(Vec::len).max().unwrap_or(1) as i32;
    let below = 12 + name_lines * name_font.line() + 8 + font(AXIS).line();
    let a = Axes {
        x0,
        x1,
        y0: top,
        y1: bottom - below,
        xr: (0.0, n as f64),
        yr: (0.0, ymax),
    };
    let (label, unit) = l.metric("user_hours_lost");
    y_axis(c, &a, &ticks, &labels, Some(&axis_title(&label, unit)))?;
    axis_lines(c, &a)?;

    let vf = font(VALUE);
    let bw = ((f64::from(slot) * 0.3) as i32).min(150);
    for (i, s) in stats.iter().enumerate() {
        let left = a.x0 + slot * i as i32;
        let col = setup_color(i);
        let texts = [
            format!("P95 {}", l.num(s.p95, 0)),
            format!("{} {}", l.pick("mean", "Ø"), l.num(s.mean, 0)),
            format!("{} {}", l.pick("median", "Median"), l.num(s.p50, 0)),
        ];
        let widest = texts
            .iter()
            .map(|t| bold(VALUE).width(t))
            .max()
            .unwrap_or(0);
        // Box and labels as a group, centred in the slot; labels only where they fit.
        let group = bw + 14 + widest;
        let labelled = group <= slot - 16;
        let bx = if labelled {
            left + (slot - group) / 2 + bw / 2
        } else {
            left + slot / 2
        };
        // Whisker, box, median, mean.
        c.line(&[(bx, a.py(s.p5)), (bx, a.py(s.p95))], &INK, 3)?;
        for y in [s.p5, s.p95] {
            c.line(&[(bx - bw / 4, a.py(y)), (bx + bw / 4, a.py(y))], &INK, 3)?;
        }
        let (bt, bb) = (a.py(s.p75), a.py(s.p25).max(a.py(s.p75) + 2));
        c.rect((bx - bw / 2, bt), (bx + bw / 2, bb), &col)?;
        c.outline((bx - bw / 2, bt), (bx + bw / 2, bb), &INK, 2)?;
        c.line(
            &[(bx - bw / 2, a.py(s.p50)), (bx + bw / 2, a.py(s.p50))],
            &INK,
            6,
        )?;
        c.line(
            &[
                (bx - bw / 2 + 3, a.py(s.p50)),
                (bx + bw / 2 - 3, a.py(s.p50)),
            ],
            &WHITE,
            2,
        )?;
        c.diamond((bx, a.py_clamped(s.mean)), 13, &INK)?;
        // Value labels right of the box, pushed apart where they would overlap.
        if labelled {
            let lx = bx + bw / 2 + 14;
            let mut ys = [a.py(s.p95), a.py_clamped(s.mean), a.py(s.p50)];
            spread(
                &mut ys,
                vf.line(),
                a.y0 + vf.line() / 2,
                a.y1 - vf.line() / 2,
            );
            for (k, (t, y)) in texts.iter().zip(ys).enumerate() {
                let f = if k == 0 { bold(VALUE) } else { vf };
                c.text(t, (lx, y), f, INK, HPos::Left, VPos::Center)?;
            }
        } else {
            c.text(
                &l.num(s.p95, 0),
                (bx, a.py(s.p95) - 8),
                bold(VALUE),
                INK,
                HPos::Center,
                VPos::Bottom,
            )?;
        }
        c.lines(
            &names[i],
            (left + slot / 2, a.y1 + 12),
            name_font,
            INK,
            HPos::Center,
        )?;
    }
    c.text(
        l.pick("Support setup", "Betreuungsmodell"),
        (
            (a.x0 + a.x1) / 2,
            a.y1 + 12 + name_lines * name_font.line() + 8,
        ),
        font(AXIS),
        INK,
        HPos::Center,
        VPos::Top,
    )
}

// ---------------------------------------------------------------------------------------------
// 2. "Einer ist keiner"

fn einer_ist_keiner<DB: DrawingBackend>(c: &Canvas<DB>, p: &Prepared) -> Res {
    let d = p.data;
    let l = c.lang;
    let n = d.setups.len();
    let entries = vec![
        (
            Key::Swatch(RGBColor(0x99, 0x99, 0x99)),
            l.pick(
                "bar: mean (an average year)",
                "Balken: Mittelwert (ein durchschnittliches Jahr)",
            )
            .to_string(),
        ),
        (
            Key::Whisker,
            match l {
                Lang::En => format!(
                    "line to P95: {} ({} is worse)",
                    hz(d).bad(l),
                    hz(d).one_in(l, 20)
                ),
                Lang::De => format!(
                    "Linie bis P95: {} ({} ist schlechter)",
                    hz(d).bad(l),
                    hz(d).one_in(l, 20)
                ),
            },
        ),
    ];
    let title = l.pick(
        "“Einer ist keiner”: time with nobody qualified to fix IT problems",
        "„Einer ist keiner“: Zeit, in der niemand IT-Probleme lösen kann",
    );
    let (top, bottom) = frame(c, d, title, &entries)?;

    let name_font = bold(TICK + 2.0);
    let name_w = d
        .setups
        .iter()
        .map(|s| name_font.width(s))
        .max()
        .unwrap_or(0)
        .min(330);
    let names_x1 = MARGIN + name_w;
    let panels = [
        (
            "longest_gap_days",
            l.pick(
                "Longest stretch with nobody qualified",
                "Längste Zeit ohne qualifizierte Person",
            ),
            l.pick("calendar days in a row", "Kalendertage am Stück"),
            1usize,
        ),
        (
            "uncovered_bh",
            l.pick(
                "Business hours with nobody qualified",
                "Geschäftsstunden ohne qualifizierte Person",
            ),
            l.pick("business hours per year", "Geschäftsstunden pro Jahr"),
            0usize,
        ),
    ];
    let gap = 80;
    let px0 = names_x1 + 40;
    let pw = (W - MARGIN - px0 - gap) / 2;
    let head = bold(AXIS).line() + 16;
    let y0 = top + head;
    let y1 = bottom - x_axis_height(true);
    let row_h = (y1 - y0) / n as i32;
    let bar_h = ((f64::from(row_h) * 0.5) as i32).min(80);
    let vf = font(VALUE);
    for (k, (metric, ptitle, xtitle, dec)) in panels.iter().enumerate() {
        let x0 = px0 + k as i32 * (pw + gap);
        let stats = d
            .setups
            .iter()
            .map(|s| d.summary(s, metric))
            .collect::<Result<Vec<_>, _>>()?;
        let texts: Vec<String> = stats
            .iter()
            .map(|s| {
                format!(
                    "{} {} · P95 {}",
                    l.pick("mean", "Ø"),
                    l.num(s.mean, *dec),
                    l.num(s.p95, *dec)
                )
            })
            .collect();
        // Room for the label right of each whisker: the x range grows until every label fits.
        let mut xmax: f64 = 0.0;
        for (s, t) in stats.iter().zip(&texts) {
            let room = f64::from(pw - 16 - vf.width(t)).max(f64::from(pw) * 0.3);
            xmax = xmax.max(s.p95.max(s.mean) * f64::from(pw) / room);
        }
        let xmax = nice_max(xmax.max(1e-9), 4).max(if *dec == 0 { 1.0 } else { 0.5 });
        let a = Axes {
            x0,
            x1: x0 + pw,
            y0,
            y1,
            xr: (0.0, xmax),
            yr: (0.0, n as f64),
        };
        c.text(
            &ellipsize(ptitle, bold(AXIS), pw),
            (x0, top),
            bold(AXIS),
            INK,
            HPos::Left,
            VPos::Top,
        )?;
        let ticks = nice_ticks(0.0, xmax, 4);
        let labels = tick_labels(l, &ticks);
        x_axis(c, &a, &ticks, &labels, Some(xtitle))?;
        axis_lines(c, &a)?;
        for (i, (s, t)) in stats.iter().zip(&texts).enumerate() {
            let cy = y0 + row_h * i as i32 + row_h / 2;
            let col = setup_color(i);
            let xm = a.px_clamped(s.mean);
            c.rect(
                (a.x0 + 1, cy - bar_h / 2),
                (xm.max(a.x0 + 3), cy + bar_h / 2),
                &col,
            )?;
            let xp = a.px_clamped(s.p95);
            c.line(&[(xm, cy), (xp, cy)], &INK, 3)?;
            c.line(&[(xp, cy - bar_h / 3), (xp, cy + bar_h / 3)], &INK, 3)?;
            c.text(t, (xp + 14, cy), vf, INK, HPos::Left, VPos::Center)?;
            if k == 0 {
                let lines = wrap(&d.setups[i], name_font, name_w, 2);
                let h = lines.len() as i32 * name_font.line();
                c.lines(
                    &lines,
                    (names_x1, cy - h / 2 + 2),
                    name_font,
                    INK,
                    HPos::Right,
                )?;
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 3. Backlog over the year

const VACATION: RGBColor = RGBColor(0xF0, 0xE4, 0x42);
const WINTER: RGBColor = RGBColor(0x56, 0xB4, 0xE9);

fn backlog<DB: DrawingBackend>(c: &Canvas<DB>, p: &Prepared) -> Res {
    let d = p.data;
    let l = c.lang;
    let n = d.setups.len();
    let days = d
        .daily
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_empty())
        .map(|(_, v)| v)
        .ok_or_else(|| ChartError::MissingRow {
            file: "daily.csv".into(),
            row: d.setups[0].clone(),
        })?;
    let entries = vec![
        (
            Key::Line(INK),
            l.pick("median day", "mittlerer Tag (Median)").to_string(),
        ),
        (
            Key::Band(RGBColor(0x88, 0x88, 0x88)),
            l.pick(
                "8 of 10 years lie in the band (P10–P90)",
                "8 von 10 Jahren liegen im Band (P10–P90)",
            )
            .to_string(),
        ),
        (
            Key::Swatch(alpha_rgb(VACATION, 0.45)),
            l.pick("summer vacation season", "Urlaubszeit im Sommer")
                .to_string(),
        ),
        (
            Key::Swatch(alpha_rgb(WINTER, 0.35)),
            l.pick("winter illness season", "Erkältungszeit im Winter")
                .to_string(),
        ),
    ];
    let title = l.pick(
        "Backlog over the year: open tickets per day by support setup",
        "Rückstau im Jahresverlauf: offene Tickets pro Tag je Betreuungsmodell",
    );
    let (top, bottom) = frame(c, d, title, &entries)?;

    let cols = if n <= 1 {
        1
    } else if n <= 4 {
        2
    } else {
        3
    };
    let rows = n.div_ceil(cols);
    let hi = d
        .daily
        .iter()
        .flatten()
        .map(|x| x.p90)
        .filter(|x| x.is_finite())
        .fold(1.0, f64::max);
    let ymax = nice_max(hi * 1.05, 4);
    let ticks = nice_ticks(0.0, ymax, 4);
    let labels = tick_labels(l, &ticks);
    let left = MARGIN + y_axis_width(&labels, true);
    let col_gap = 56;
    let pw = (W - MARGIN - left - col_gap * (cols as i32 - 1)) / cols as i32;
    let head = bold(AXIS).line() + 4;
    let month_h = 10 + font(TICK).line();
    let xtitle_h = font(AXIS).line() + 4;
    let row_gap = 18;
    let ph = (bottom - top - xtitle_h - (rows as i32 - 1) * row_gap) / rows as i32;
    let first = days[0].day;
    let last = days[days.len() - 1].day + 1.0;
    let date0 = days[0].date;
    let day_of = |y: i32, m: u32, dd: u32| -> f64 {
        let a = chrono::NaiveDate::from_ymd_opt(date0.0, date0.1, date0.2);
        let b = chrono::NaiveDate::from_ymd_opt(y, m, dd);
        match (a, b) {
            (Some(a), Some(b)) => first + (b - a).num_days() as f64,
            _ => first,
        }
    };
    let month_starts: Vec<(f64, i32, u32)> = days
        .iter()
        .filter(|x| x.date.2 == 1)
        .map(|x| (x.day, x.date.0, x.date.1))
        .collect();
    let multi_year = last - first > 400.0;
    for (i, setup) in d.setups.iter().enumerate() {
        let (r, k) = (i / cols, i % cols);
        let x0 = left + k as i32 * (pw + col_gap);
        let py0 = top + r as i32 * (ph + row_gap);
        let a = Axes {
            x0,
            x1: x0 + pw,
            y0: py0 + head,
            y1: py0 + ph - month_h,
            xr: (first, last),
            yr: (0.0, ymax),
        };
        // Seasons behind everything.
        for year in date0.0..=days[days.len() - 1].date.0 {
            let spans = [
                (day_of(year, 6, 15), day_of(year, 9, 15), VACATION, 0.30),
                (day_of(year, 1, 1), day_of(year, 3, 1), WINTER, 0.22),
                (day_of(year, 12, 1), day_of(year + 1, 1, 1), WINTER, 0.22),
            ];
            for (s, e, col, op) in spans {
                let (s, e) = (s.max(first), e.min(last));
                if e > s {
                    c.rect((a.px(s), a.y0), (a.px(e), a.y1), &alpha(col, op))?;
                }
            }
        }
        let show_y = k == 0;
        let no_labels: Vec<String> = ticks.iter().map(|_| String::new()).collect();
        y_axis(
            c,
            &a,
            &ticks,
            if show_y { &labels } else { &no_labels },
            None,
        )?;
        // Months: grid lines at the first day, labels in the middle of the month.
        for (m, &(day, year, month)) in month_starts.iter().enumerate() {
            let x = a.px(day);
            c.line(&[(x, a.y1), (x, a.y1 + 8)], &GREY, 2)?;
            let end = month_starts.get(m + 1).map_or(last, |n| n.0);
            let label = if multi_year {
                if month == 1 || month == 7 {
                    format!("{} {}", l.month(month), year)
                } else {
                    continue;
                }
            } else {
                l.month(month).to_string()
            };
            let lx = if multi_year {
                x
            } else {
                a.px((day + end) / 2.0)
            };
            let h = if multi_year { HPos::Left } else { HPos::Center };
            c.text(&label, (lx, a.y1 + 8), font(TICK), INK, h, VPos::Top)?;
        }
        axis_lines(c, &a)?;
        let col = setup_color(i);
        let series = &d.daily[i];
        if !series.is_empty() {
            let mut band: Vec<(i32, i32)> = series
                .iter()
                .map(|x| (a.px(x.day + 0.5), a.py_clamped(x.p90)))
                .collect();
            band.extend(
                series
                    .iter()
                    .rev()
                    .map(|x| (a.px(x.day + 0.5), a.py_clamped(x.p10))),
            );
            c.polygon(band, &alpha(col, 0.28))?;
            let median: Vec<(i32, i32)> = series
                .iter()
                .map(|x| (a.px(x.day + 0.5), a.py_clamped(x.p50)))
                .collect();
            c.line(&median, &col, 4)?;
        }
        c.text(
            &ellipsize(setup, bold(AXIS), pw),
            (x0, py0),
            bold(AXIS),
            col,
            HPos::Left,
            VPos::Top,
        )?;
    }
    // Axis titles shared by all panels.
    c.text_up(
        l.pick(
            "Open tickets at the end of the day",
            "Offene Tickets am Tagesende",
        ),
        (
            MARGIN + font(AXIS).line() / 2,
            (top + bottom - xtitle_h) / 2,
        ),
        font(AXIS),
        INK,
    )?;
    c.text(
        l.pick(
            "Month of the simulated year",
            "Monat des simulierten Jahres",
        ),
        ((left + W - MARGIN) / 2, bottom - xtitle_h + 4),
        font(AXIS),
        INK,
        HPos::Center,
        VPos::Top,
    )
}

/// An opaque colour that looks like `c` at opacity `a` on white.
fn alpha_rgb(c: RGBColor, a: f64) -> RGBColor {
    let m = |v: u8| (255.0 - (255.0 - f64::from(v)) * a).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

// ---------------------------------------------------------------------------------------------
// 4. Response times

/// Share of tickets answered within `t` hours: exact where `t` is a bin edge of times.csv
/// (every multiple of 0.1 h up to 24 h, then the coarse edges 25, 28, 31.5, …); between edges,
/// the share at the last edge below `t`, a lower bound.
fn share_within(curve: &[(f64, f64)], t: f64) -> f64 {
    let mut share = 0.0;
    for &(upto, s) in curve {
        if upto <= t + 1e-9 {
            share = s;
        } else {
            break;
        }
    }
    share
}

fn response<DB: DrawingBackend>(c: &Canvas<DB>, p: &Prepared) -> Res {
    let d = p.data;
    let l = c.lang;
    let n = d.setups.len();
    let mut entries: Vec<(Key, String)> = d
        .setups
        .iter()
        .enumerate()
        .map(|(i, s)| (Key::Line(setup_color(i)), s.clone()))
        .collect();
    entries.push((
        Key::Dashed(INK),
        l.pick("SLA response target", "SLA-Reaktionsziel")
            .to_string(),
    ));
    entries.push((
        Key::Dot(INK),
        l.pick(
            "share answered within the target",
            "Anteil mit Reaktion im Ziel",
        )
        .to_string(),
    ));
    let title = l.pick(
        "Response times: how fast urgent tickets get an answer",
        "Reaktionszeiten: wie schnell dringende Tickets eine Antwort bekommen",
    );
    let (top, bottom) = frame(c, d, title, &entries)?;
    let panels = [
        (
            0usize,
            l.pick(
                "P1 tickets (critical: outage, security)",
                "P1-Tickets (kritisch: Ausfall, Sicherheit)",
            ),
        ),
        (
            1usize,
            l.pick(
                "P2 tickets (high: a user cannot work)",
                "P2-Tickets (hoch: jemand kann nicht arbeiten)",
            ),
        ),
    ];
    // A shared y range: from just below the lowest share at 0 h to 100 %.
    let lowest = d
        .response
        .iter()
        .flat_map(|r| r[..2].iter())
        .filter_map(|curve| curve.first().map(|x| x.1))
        .fold(1.0, f64::min);
    let ymin = ((lowest * 10.0).floor() / 10.0 - 0.1).max(0.0);
    let step = if 1.0 - ymin <= 0.3 { 0.05 } else { 0.1 };
    let yticks: Vec<f64> = nice_ticks(ymin, 1.0, ((1.0 - ymin) / step).round() as usize);
    let ylabels: Vec<String> = yticks.iter().map(|t| l.pct(*t, 0)).collect();
    let left = MARGIN + y_axis_width(&ylabels, true);
    let gap = 90;
    let pw = (W - MARGIN - left - gap) / 2;
    let head = bold(AXIS).line() + 10;
    for (k, (prio, ptitle)) in panels.iter().enumerate() {
        let x0 = left + k as i32 * (pw + gap);
        let targets: Vec<Option<f64>> = d
            .setups
            .iter()
            .map(|s| d.model_setup(s).map(|m| m.sla.response_h[*prio]))
            .collect();
        let max_target = targets.iter().flatten().fold(0.0, |a: f64, b| a.max(*b));
        let mut reach = 0.0f64;
        for r in &d.response {
            let curve = &r[*prio];
            if let Some(&(x, _)) = curve.iter().find(|(x, s)| *s >= 0.97 && x.is_finite()) {
                reach = reach.max(x);
            } else if let Some(&(x, _)) = curve.iter().rev().find(|(x, _)| x.is_finite()) {
                reach = reach.max(x);
            }
        }
        let xmax = nice_max((max_target * 1.5).max(reach).clamp(1.0, 100.0), 5);
        let a = Axes {
            x0,
            x1: x0 + pw,
            y0: top + head,
            y1: bottom - x_axis_height(true),
            xr: (0.0, xmax),
            yr: (ymin, 1.0),
        };
        c.text(
            &ellipsize(ptitle, bold(AXIS), pw),
            (x0, top),
            bold(AXIS),
            INK,
            HPos::Left,
            VPos::Top,
        )?;
        let xticks = nice_ticks(0.0, xmax, 5);
        let xlabels = tick_labels(l, &xticks);
        y_axis(
            c,
            &a,
            &yticks,
            &ylabels,
            if k == 0 {
                Some(l.pick(
                    "Tickets answered within that time [%]",
                    "Tickets mit Reaktion in dieser Zeit [%]",
                ))
            } else {
                None
            },
        )?;
        x_axis(
            c,
            &a,
            &xticks,
            &xlabels,
            Some(l.pick(
                "Response time [business hours]",
                "Reaktionszeit [Geschäftsstunden]",
            )),
        )?;
        // SLA targets: one line per distinct target, in the setup's colour where only one
        // setup has it.
        let mut distinct: Vec<f64> = targets.iter().flatten().copied().collect();
        distinct.sort_by(f64::total_cmp);
        distinct.dedup();
        for t in &distinct {
            let owners: Vec<usize> = (0..n).filter(|&i| targets[i] == Some(*t)).collect();
            let col = if owners.len() == 1 {
                setup_color(owners[0])
            } else {
                INK
            };
            let x = a.px(*t);
            c.dashed((x, a.y0), (x, a.y1), &col, 3, 10.0)?;
            c.text(
                &format!(
                    "{} {} h",
                    l.pick("target", "Ziel"),
                    l.num(*t, if t.fract() == 0.0 { 0 } else { 1 })
                ),
                (x + 10, a.y1 - 8),
                bold(VALUE),
                col,
                HPos::Left,
                VPos::Bottom,
            )?;
        }
        // Curves.
        for (i, r) in d.response.iter().enumerate() {
            let curve = &r[*prio];
            if curve.is_empty() {
                continue;
            }
            let mut pts: Vec<(i32, i32)> = Vec::new();
            let mut prev = None;
            for &(x, s) in curve {
                if !x.is_finite() || x > xmax {
                    break;
                }
                if let Some(ps) = prev {
                    pts.push((a.px(x), a.py_clamped(ps)));
                }
                pts.push((a.px(x), a.py_clamped(s)));
                prev = Some(s);
            }
            pts.push((a.x1, a.py_clamped(share_within(curve, xmax))));
            // Earlier setups drawn wider, so that identical curves stay visible.
            let width = (4 + 2 * (n - 1 - i)).min(10) as u32;
            c.line(&pts, &setup_color(i), width)?;
        }
        // Shares within target, labelled beside the dots.
        let vf = bold(VALUE);
        let mut marks: Vec<(usize, i32, i32, String)> = Vec::new();
        for (i, r) in d.response.iter().enumerate() {
            let (Some(t), false) = (targets[i], r[*prio].is_empty()) else {
                continue;
            };
            let s = share_within(&r[*prio], t);
            marks.push((i, a.px(t), a.py_clamped(s), l.pct(s, 1)));
        }
        for (i, x, y, _) in &marks {
            c.dot((*x, *y), 10, &WHITE)?;
            c.dot((*x, *y), 8, &setup_color(*i))?;
        }
        let mut ys: Vec<i32> = marks.iter().map(|m| m.2 + vf.line() / 2 + 4).collect();
        spread(&mut ys, vf.line(), a.y0 + vf.line(), a.y1 - vf.line() / 2);
        for ((i, x, _, t), y) in marks.iter().zip(ys) {
            // A light box keeps the share readable where the curves run through it.
            let half = vf.line() / 2;
            c.rect(
                (x + 8, y - half),
                (x + 16 + vf.width(t), y + half),
                &alpha(WHITE, 0.85),
            )?;
            c.text(
                t,
                (x + 12, y),
                vf,
                setup_color(*i),
                HPos::Left,
                VPos::Center,
            )?;
        }
        axis_lines(c, &a)?;
    }
    Ok(())
}

/// What one replication spans, for the labels that speak of "a year".
fn hz(d: &RunData) -> Horizon {
    Horizon::new(d.years)
}

// ---------------------------------------------------------------------------------------------
// 5. Risk of a bad year

fn bad_year<DB: DrawingBackend>(c: &Canvas<DB>, p: &Prepared) -> Res {
    let d = p.data;
    let l = c.lang;
    let p95: Vec<f64> = d
        .setups
        .iter()
        .map(|s| d.summary(s, "user_hours_lost").map(|x| x.p95))
        .collect::<Result<_, _>>()?;
    let mut entries: Vec<(Key, String)> = d
        .setups
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                Key::Line(setup_color(i)),
                format!(
                    "{s}: {} {} {} h",
                    hz(d).one_in(l, 20),
                    l.pick("above", "über"),
                    l.num(p95[i], 0)
                ),
            )
        })
        .collect();
    entries.push((
        Key::Dot(INK),
        match l {
            Lang::En => format!("P95: where {} is worse", hz(d).one_in(l, 20)),
            Lang::De => format!("P95: {} ist schlechter", hz(d).one_in(l, 20)),
        },
    ));
    let title = if hz(d).is_year() {
        l.pick(
            "Risk of a bad year: how often user-hours lost exceed x",
            "Risiko eines schlechten Jahres: wie oft die Ausfallzeit x übersteigt",
        )
        .to_string()
    } else {
        match l {
            Lang::En => format!(
                "Risk of {}: how often user-hours lost per year exceed x",
                hz(d).bad(l)
            ),
            Lang::De => format!(
                "Risiko schlechter {}: wie oft der Ausfall pro Jahr x übersteigt",
                hz(d).units(l)
            ),
        }
    };
    let title = title.as_str();
    let (top, bottom) = frame(c, d, title, &entries)?;

    let probs = [1.0, 0.5, 0.2, 0.1, 0.05, 0.02, 0.01];
    let pmin: f64 = 0.01;
    let ylabels: Vec<String> = probs.iter().map(|q| l.pct(*q, 0)).collect();
    let right_labels: Vec<String> = probs
        .iter()
        .map(|q| match *q {
            // The ends stay unlabelled: 100 % is every year, 1 % sits beside the x ticks.
            x if x >= 1.0 || x <= 0.01 => String::new(),
            x if x >= 0.5 && hz(d).is_year() => {
                l.pick("every 2nd year", "jedes 2. Jahr").to_string()
            }
            x => hz(d).one_in(l, (1.0 / x).round() as u32),
        })
        .collect();
    let right_w = right_labels
        .iter()
        .map(|t| font(TICK).width(t))
        .max()
        .unwrap_or(0)
        + 20;
    let hi = p95.iter().fold(0.0, |a: f64, b| a.max(*b));
    let xmax = nice_max((hi * 1.3).max(1.0), 6);
    let a = Axes {
        x0: MARGIN + y_axis_width(&ylabels, true),
        x1: W - MARGIN - right_w,
        y0: top,
        y1: bottom - x_axis_height(true),
        xr: (0.0, xmax),
        yr: (pmin.log10(), 0.0),
    };
    let ly = |q: f64| a.py(q.max(pmin).log10());
    // Grid with logarithmic y.
    for ((q, lab), rl) in probs.iter().zip(&ylabels).zip(&right_labels) {
        let y = ly(*q);
        c.line(&[(a.x0, y), (a.x1, y)], &GRID, 2)?;
        c.text(
            lab,
            (a.x0 - 14, y),
            font(TICK),
            INK,
            HPos::Right,
            VPos::Center,
        )?;
        let f = if (*q - 0.05).abs() < 1e-9 {
            bold(TICK)
        } else {
            font(TICK)
        };
        c.text(rl, (a.x1 + 14, y), f, INK, HPos::Left, VPos::Center)?;
    }
    // The axis is short: "periods" alone, the title and the legend say how long they are.
    let yt = match (hz(d).is_year(), l) {
        (true, _) => l.pick(
            "Share of years with more user-hours lost [%]",
            "Anteil der Jahre mit mehr Ausfall [%]",
        ),
        (false, Lang::En) => "Share of periods with more user-hours lost [%]",
        (false, Lang::De) => "Anteil der Zeiträume mit mehr Ausfall [%]",
    };
    let w = ylabels
        .iter()
        .map(|t| font(TICK).width(t))
        .max()
        .unwrap_or(0);
    c.text_up(
        &ellipsize(yt, font(AXIS), a.y1 - a.y0 + 40),
        (
            a.x0 - 14 - w - 14 - font(AXIS).line() / 2,
            (a.y0 + a.y1) / 2,
        ),
        font(AXIS),
        INK,
    )?;
    let xticks = nice_ticks(0.0, xmax, 6);
    let xlabels = tick_labels(l, &xticks);
    let (label, unit) = l.metric("user_hours_lost");
    x_axis(c, &a, &xticks, &xlabels, Some(&axis_title(&label, unit)))?;
    c.dashed((a.x0, ly(0.05)), (a.x1, ly(0.05)), &INK, 2, 8.0)?;
    // Exceedance curves: steps down at every simulated year.
    for (i, v) in p.uhl.iter().enumerate() {
        let col = setup_color(i);
        let nv = v.len() as f64;
        let mut pts = vec![(a.x0, ly(1.0))];
        let mut surv = 1.0;
        let mut exit = None;
        let mut k = 0;
        while k < v.len() {
            let x = v[k];
            let mut j = k;
            while j < v.len() && v[j] == x {
                j += 1;
            }
            if x > xmax {
                exit = Some(surv);
                break;
            }
            let next = (v.len() - j) as f64 / nv;
            pts.push((a.px(x), ly(surv)));
            if next < pmin {
                // Below the axis: the curve leaves at the bottom.
                pts.push((a.px(x), a.y1));
                break;
            }
            pts.push((a.px(x), ly(next)));
            surv = next;
            k = j;
        }
        if let Some(s) = exit {
            pts.push((a.x1, ly(s)));
            if s > pmin {
                let worst = v[v.len() - 1];
                c.text(
                    &format!(
                        "{} {} h",
                        match (hz(d).is_year(), l) {
                            (true, _) => l
                                .pick("worst simulated year:", "schlechtestes simuliertes Jahr:")
                                .to_string(),
                            (false, Lang::En) => format!("worst {}:", hz(d).unit(l)),
                            (false, Lang::De) => format!("schlechtester {}:", hz(d).unit(l)),
                        },
                        l.num(worst, 0)
                    ),
                    (a.x1 - 10, ly(s) + 12),
                    bold(VALUE),
                    col,
                    HPos::Right,
                    VPos::Top,
                )?;
            }
        }
        c.line(&pts, &col, 5)?;
    }
    for (i, x) in p95.iter().enumerate() {
        let pt = (a.px_clamped(*x), ly(0.05));
        c.dot(pt, 11, &WHITE)?;
        c.dot(pt, 9, &setup_color(i))?;
    }
    axis_lines(c, &a)
}

// ---------------------------------------------------------------------------------------------
// 6. Comparison with the baseline

/// Headline metrics shown in the comparison, all "less is better".
pub(crate) const COMPARED: [&str; 6] = [
    "user_hours_lost",
    "outage_bh",
    "backlog_max",
    "response_p1_p95_bh",
    "uncovered_bh",
    "longest_gap_days",
];

fn comparison<DB: DrawingBackend>(c: &Canvas<DB>, p: &Prepared) -> Res {
    let d = p.data;
    let l = c.lang;
    let others: Vec<(usize, &String)> = d
        .setups
        .iter()
        .enumerate()
        .filter(|(_, s)| **s != d.baseline)
        .collect();
    let metrics: Vec<&str> = COMPARED
        .iter()
        .copied()
        .filter(|m| d.comparison.iter().any(|x| x.metric == *m))
        .collect();
    let mut entries: Vec<(Key, String)> = others
        .iter()
        .map(|(i, s)| (Key::Dot(setup_color(*i)), (*s).clone()))
        .collect();
    entries.push((
        Key::Whisker,
        l.pick("95 % confidence interval", "95-%-Konfidenzintervall")
            .to_string(),
    ));
    entries.push((
        Key::Note,
        format!(
            "{} {}",
            l.pick("left of 0: less than", "links der 0: weniger als"),
            quoted(l, &d.baseline) + l.pick(" (better)", " (besser)")
        ),
    ));
    let title = format!(
        "{} {}: {}",
        l.pick("Compared with", "Vergleich mit"),
        quoted(l, &d.baseline),
        l.pick(
            "differences in the same simulated years",
            "Differenzen in denselben simulierten Jahren"
        )
    );
    let (top, bottom) = frame(c, d, &title, &entries)?;
    if metrics.is_empty() || others.is_empty() {
        c.text(
            l.pick(
                "No other setup to compare with.",
                "Kein anderes Betreuungsmodell zum Vergleich.",
            ),
            (W / 2, (top + bottom) / 2),
            font(AXIS),
            INK,
            HPos::Center,
            VPos::Center,
        )?;
        return Ok(());
    }
    let cols = 3usize;
    let rows = metrics.len().div_ceil(cols);
    let col_gap = 60;
    let row_gap = 26;
    let pw = (W - 2 * MARGIN - col_gap * (cols as i32 - 1)) / cols as i32;
    let ph = (bottom - top - row_gap * (rows as i32 - 1)) / rows as i32;
    let tf = bold(AXIS - 2.0);
    let vf = font(VALUE);
    for (m, metric) in metrics.iter().enumerate() {
        let (r, k) = (m / cols, m % cols);
        let x0 = MARGIN + k as i32 * (pw + col_gap);
        let py0 = top + r as i32 * (ph + row_gap);
        let (label, unit) = l.metric(metric);
        let tl = wrap(&label, tf, pw, 2);
        c.lines(&tl, (x0, py0), tf, INK, HPos::Left)?;
        let diffs: Vec<_> = others
            .iter()
            .map(|(i, s)| {
                (
                    *i,
                    d.comparison
                        .iter()
                        .find(|x| x.metric == *metric && x.setup == **s),
                )
            })
            .collect();
        let mut lo: f64 = 0.0;
        let mut hi: f64 = 0.0;
        for (_, x) in &diffs {
            if let Some(x) = x {
                for v in [x.lo, x.hi, x.mean] {
                    if v.is_finite() {
                        lo = lo.min(v);
                        hi = hi.max(v);
                    }
                }
            }
        }
        if hi - lo < 1e-9 {
            hi += 1.0;
        }
        let pad = (hi - lo) * 0.08;
        let (lo, hi) = (lo - pad, hi + pad);
        let a = Axes {
            x0: x0 + 4,
            x1: x0 + pw - 4,
            y0: py0 + 2 * tf.line() + 4,
            y1: py0 + ph - x_axis_height(true),
            xr: (lo, hi),
            yr: (0.0, diffs.len() as f64),
        };
        let ticks = nice_ticks(lo, hi, 4);
        let labels: Vec<String> = {
            let step = if ticks.len() > 1 {
                ticks[1] - ticks[0]
            } else {
                1.0
            };
            ticks
                .iter()
                .map(|t| l.signed(*t, decimals_for(step)))
                .collect()
        };
        x_axis(
            c,
            &a,
            &ticks,
            &labels,
            Some(&format!(
                "{} [{}]",
                l.pick("difference", "Differenz"),
                if unit.is_empty() { "–" } else { unit }
            )),
        )?;
        c.line(&[(a.x0, a.y1), (a.x1, a.y1)], &GREY, 2)?;
        c.line(&[(a.px(0.0), a.y0), (a.px(0.0), a.y1)], &INK, 3)?;
        let row_h = (a.y1 - a.y0) / diffs.len() as i32;
        for (j, (i, x)) in diffs.iter().enumerate() {
            let Some(x) = x else { continue };
            let cy = a.y0 + row_h * j as i32 + row_h / 2 + vf.line() / 3;
            let col = setup_color(*i);
            let (xl, xh, xm) = (a.px(x.lo), a.px(x.hi), a.px(x.mean));
            c.line(&[(xl, cy), (xh, cy)], &INK, 3)?;
            for xe in [xl, xh] {
                c.line(&[(xe, cy - 10), (xe, cy + 10)], &INK, 3)?;
            }
            c.dot((xm, cy), 12, &WHITE)?;
            c.dot((xm, cy), 10, &col)?;
            let t = l.signed(x.mean, auto_dec(x.mean));
            let tw = vf.width(&t);
            let tx = xm.clamp(a.x0 + tw / 2, a.x1 - tw / 2);
            c.text(&t, (tx, cy - 16), vf, INK, HPos::Center, VPos::Bottom)?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 7. Cost vs risk

/// Indexes of the efficient setups: no other setup is at most as costly and at most as risky
/// and better in one of the two (the Pareto front of cost and risk, both "less is better").
pub(crate) fn efficient(cost: &[f64], risk: &[f64]) -> Vec<usize> {
    let n = cost.len();
    (0..n)
        .filter(|&i| {
            !(0..n).any(|j| {
                j != i
                    && cost[j] <= cost[i]
                    && risk[j] <= risk[i]
                    && (cost[j] < cost[i] || risk[j] < risk[i])
            })
        })
        .collect()
}

/// An axis-aligned box in pixels: (left, top, right, bottom).
type PxBox = (i32, i32, i32, i32);

/// Overlap area of two boxes [px²].
fn overlap(a: PxBox, b: PxBox) -> i64 {
    let w = (a.2.min(b.2) - a.0.max(b.0)).max(0);
    let h = (a.3.min(b.3) - a.1.max(b.1)).max(0);
    i64::from(w) * i64::from(h)
}

/// Places labels of size `sizes` near the points `pts` (marker radius `r`) inside `bounds`:
/// each label takes, in turn, the free place nearest its point among positions around it,
/// avoiding the labels placed before and the `obstacles` (markers, whiskers; `soft` ones cost
/// less). Returns the top-left corner of each label.
fn place_labels(
    pts: &[(i32, i32)],
    sizes: &[(i32, i32)],
    r: i32,
    bounds: PxBox,
    obstacles: &[PxBox],
    soft: &[PxBox],
) -> Vec<(i32, i32)> {
    let mut placed: Vec<PxBox> = Vec::new();
    let mut out = vec![(0, 0); pts.len()];
    // Crowded points first: they have the fewest good places.
    let mut order: Vec<usize> = (0..pts.len()).collect();
    let crowd = |i: usize| {
        pts.iter()
            .filter(|q| (q.0 - pts[i].0).abs() < 400 && (q.1 - pts[i].1).abs() < 150)
            .count()
    };
    order.sort_by_key(|&i| (std::cmp::Reverse(crowd(i)), i));
    for i in order {
        let (px, py) = pts[i];
        let (w, h) = sizes[i];
        let g = r + 8;
        let mut best: Option<(i64, (i32, i32))> = None;
        for (k, dist) in [0, 40, 90, 150, 220, 300].into_iter().enumerate() {
            // Right, left, above, below, and the four diagonals.
            let cands = [
                (px + g + dist, py - h / 2),
                (px - g - dist - w, py - h / 2),
                (px - w / 2, py - g - dist - h),
                (px - w / 2, py + g + dist),
                (px + g / 2 + dist, py - g - dist - h),
                (px + g / 2 + dist, py + g + dist),
                (px - g / 2 - dist - w, py - g - dist - h),
                (px - g / 2 - dist - w, py + g + dist),
            ];
            for (j, (x, y)) in cands.into_iter().enumerate() {
                let b = (x, y, x + w, y + h);
                if b.0 < bounds.0 || b.1 < bounds.1 || b.2 > bounds.2 || b.3 > bounds.3 {
                    continue;
                }
                let hard: i64 = placed.iter().chain(obstacles).map(|o| overlap(b, *o)).sum();
                let light: i64 = soft.iter().map(|o| overlap(b, *o)).sum();
                let score = hard * 100 + light * 5 + k as i64 * 2_000 + j as i64 * 10;
                if best.is_none_or(|(s, _)| score < s) {
                    best = Some((score, (x, y)));
                }
            }
        }
        let at = best.map_or((px + g, py - h / 2), |(_, p)| p);
        placed.push((at.0, at.1, at.0 + sizes[i].0, at.1 + sizes[i].1));
        out[i] = at;
    }
    out
}

fn cost_risk<DB: DrawingBackend>(c: &Canvas<DB>, p: &Prepared) -> Res {
    let d = p.data;
    let l = c.lang;
    let n = d.setups.len();
    let risk: Vec<f64> = d
        .setups
        .iter()
        .map(|s| d.summary(s, "user_hours_lost").map(|x| x.p95))
        .collect::<Result<_, _>>()?;
    let cost: Vec<&super::data::Summary> = d
        .setups
        .iter()
        .map(|s| d.summary(s, "cost_total_eur"))
        .collect::<Result<_, _>>()?;
    let means: Vec<f64> = cost.iter().map(|x| x.mean).collect();
    let front = efficient(&means, &risk);
    let eur_per_h = d.model.company.cost.downtime_eur_per_user_hour;
    // The dashed line joins the efficient setups; with one there is no line to show.
    let entries = vec![
        if front.len() > 1 {
            (
                Key::Dashed(INK),
                l.pick(
                    "efficient (bold ring, joined): no other setup is both cheaper and less risky",
                    "effizient (fetter Ring, verbunden): kein anderes Modell ist günstiger und zugleich risikoärmer",
                )
                .to_string(),
            )
        } else {
            (
                Key::Note,
                l.pick(
                    "Bold ring: efficient, no other setup is both cheaper and less risky.",
                    "Fetter Ring: effizient, kein anderes Modell ist günstiger und zugleich risikoärmer.",
                )
                .to_string(),
            )
        },
        (
            Key::Whisker,
            l.pick(
                "95 % confidence interval of the mean cost",
                "95-%-Konfidenzintervall der mittleren Kosten",
            )
            .to_string(),
        ),
        (
            Key::Note,
            match l {
                Lang::En => format!(
                    "Cost includes downtime at {} € per lost user-hour. Lower left is better.",
                    l.num(eur_per_h, 0)
                ),
                Lang::De => format!(
                    "Kosten inkl. Ausfall zu {} € je verlorener Arbeitsstunde. Unten links ist besser.",
                    l.num(eur_per_h, 0)
                ),
            },
        ),
    ];
    let title = match l {
        Lang::En => format!(
            "Cost vs risk: total cost per year against user-hours lost {}",
            hz(d).in_bad(l)
        ),
        Lang::De => format!(
            "Kosten und Risiko: Gesamtkosten pro Jahr gegen Ausfall {}",
            hz(d).in_bad(l)
        ),
    };
    let title = title.as_str();
    let (top, bottom) = frame(c, d, title, &entries)?;

    // Axes: x from 0, y from a round value below the lowest interval (cost differences
    // between setups are what matters, not their distance from 0).
    let finite = |v: f64| v.is_finite().then_some(v);
    let x_hi = risk.iter().copied().filter_map(finite).fold(1.0, f64::max);
    let xmax = nice_max(x_hi * 1.05, 12);
    let y_hi = cost
        .iter()
        .map(|x| {
            if x.mean_hi.is_finite() {
                x.mean_hi
            } else {
                x.mean
            }
        })
        .filter_map(finite)
        .fold(1.0, f64::max);
    let y_lo = cost
        .iter()
        .map(|x| {
            if x.mean_lo.is_finite() {
                x.mean_lo
            } else {
                x.mean
            }
        })
        .filter_map(finite)
        .fold(y_hi, f64::min);
    let step = nice_step((y_hi - y_lo).max(y_hi * 0.05) / 5.0);
    let ymin = (((y_lo - 0.3 * step) / step).floor() * step).max(0.0);
    let ymax = ((y_hi + 0.3 * step) / step).ceil() * step;
    let yticks = nice_ticks(ymin, ymax, 6);
    let ylabels = tick_labels(l, &yticks);
    let a = Axes {
        x0: MARGIN + y_axis_width(&ylabels, true),
        x1: W - MARGIN,
        y0: top,
        y1: bottom - x_axis_height(true),
        xr: (0.0, xmax),
        yr: (ymin, ymax),
    };
    y_axis(
        c,
        &a,
        &yticks,
        &ylabels,
        Some(l.pick(
            "Mean total cost per year [€]",
            "Mittlere Gesamtkosten pro Jahr [€]",
        )),
    )?;
    let xticks = nice_ticks(0.0, xmax, 6);
    let xlabels = tick_labels(l, &xticks);
    x_axis(
        c,
        &a,
        &xticks,
        &xlabels,
        Some(&match (hz(d).is_year(), l) {
            (true, Lang::En) => {
                "User-hours lost in a bad year (P95: 1 year in 20 is worse) [h]".to_string()
            }
            (true, Lang::De) => "Verlorene Arbeitsstunden in einem schlechten Jahr (P95: 1 Jahr von 20 ist schlechter) [h]".to_string(),
            // A period's figure is its average per year; the P95 is taken over periods.
            (false, Lang::En) => format!(
                "User-hours lost per year {} (P95) [h]",
                hz(d).in_bad(l)
            ),
            (false, Lang::De) => format!(
                "Verlorene Arbeitsstunden pro Jahr {} (P95) [h]",
                hz(d).in_bad(l)
            ),
        }),
    )?;
    axis_lines(c, &a)?;

    let pts: Vec<(i32, i32)> = (0..n)
        .map(|i| (a.px_clamped(risk[i]), a.py_clamped(means[i])))
        .collect();
    // The efficient front, from the least risky to the cheapest.
    let mut along: Vec<usize> = front.clone();
    along.sort_by(|&i, &j| risk[i].total_cmp(&risk[j]).then(i.cmp(&j)));
    let mut soft: Vec<PxBox> = Vec::new();
    for w in along.windows(2) {
        let (p0, p1) = (pts[w[0]], pts[w[1]]);
        c.dashed(p0, p1, &INK, 3, 12.0)?;
        // The line as a chain of small boxes that labels should rather not cover.
        let steps = ((p1.0 - p0.0).abs().max((p1.1 - p0.1).abs()) / 12).max(1);
        for k in 0..=steps {
            let x = p0.0 + (p1.0 - p0.0) * k / steps;
            let y = p0.1 + (p1.1 - p0.1) * k / steps;
            soft.push((x - 6, y - 6, x + 6, y + 6));
        }
    }
    // Whiskers, then markers on top.
    let r = 15;
    let mut obstacles: Vec<PxBox> = Vec::new();
    for (i, s) in cost.iter().enumerate() {
        let (x, y) = pts[i];
        if s.mean_lo.is_finite() && s.mean_hi.is_finite() {
            let (yt, yb) = (a.py_clamped(s.mean_hi), a.py_clamped(s.mean_lo));
            c.line(&[(x, yt), (x, yb)], &INK, 3)?;
            for ye in [yt, yb] {
                c.line(&[(x - 12, ye), (x + 12, ye)], &INK, 3)?;
            }
            obstacles.push((x - 14, yt - 3, x + 14, yb + 3));
        }
        obstacles.push((x - r - 6, y - r - 6, x + r + 6, y + r + 6));
    }
    for (i, &(x, y)) in pts.iter().enumerate() {
        if front.contains(&i) {
            c.dot((x, y), r + 6, &INK)?;
            c.dot((x, y), r, &setup_color(i))?;
        } else {
            c.dot((x, y), r + 2, &WHITE)?;
            c.dot((x, y), r - 2, &setup_color(i))?;
        }
    }
    // Labels: the name, and below it the two values.
    let nf = bold(VALUE);
    let vf = font(VALUE - 4.0);
    let texts: Vec<(String, String)> = (0..n)
        .map(|i| {
            (
                ellipsize(&d.setups[i], nf, 420),
                format!("P95 {} h · {} €", l.num(risk[i], 0), l.num(means[i], 0)),
            )
        })
        .collect();
    let pad = 6;
    let sizes: Vec<(i32, i32)> = texts
        .iter()
        .map(|(a, b)| {
            (
                nf.width(a).max(vf.width(b)) + 2 * pad,
                nf.line() + vf.line() + 2 * pad,
            )
        })
        .collect();
    let at = place_labels(
        &pts,
        &sizes,
        r + 6,
        (a.x0 + 4, a.y0, a.x1, a.y1 - 4),
        &obstacles,
        &soft,
    );
    for i in 0..n {
        let (x, y) = at[i];
        let (w, h) = sizes[i];
        // A leader line where the label sits away from its point.
        let (px, py) = pts[i];
        let near = (px.clamp(x, x + w), py.clamp(y, y + h));
        let gap = f64::from((near.0 - px).pow(2) + (near.1 - py).pow(2)).sqrt();
        if gap > f64::from(r + 22) {
            let t = f64::from(r + 8) / gap;
            let start = (
                px + (f64::from(near.0 - px) * t).round() as i32,
                py + (f64::from(near.1 - py) * t).round() as i32,
            );
            c.line(&[start, near], &GREY, 2)?;
        }
        c.rect((x, y), (x + w, y + h), &alpha(WHITE, 0.85))?;
        c.text(
            &texts[i].0,
            (x + pad, y + pad),
            nf,
            INK,
            HPos::Left,
            VPos::Top,
        )?;
        c.text(
            &texts[i].1,
            (x + pad, y + pad + nf.line()),
            vf,
            INK,
            HPos::Left,
            VPos::Top,
        )?;
    }
    Ok(())
}

/// A name in the language's quotation marks.
fn quoted(l: Lang, s: &str) -> String {
    match l {
        Lang::En => format!("“{s}”"),
        Lang::De => format!("„{s}“"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn efficient_setups_are_those_nobody_beats_on_both() {
        // 0 cheap and risky, 1 dear and safe, 2 dominated by 0, 3 equal to 0 (both stay).
        let cost = [100.0, 300.0, 150.0, 100.0];
        let risk = [50.0, 10.0, 60.0, 50.0];
        assert_eq!(efficient(&cost, &risk), [0, 1, 3]);
        // One setup cheaper and safer than all others is the whole front.
        assert_eq!(efficient(&[1.0, 2.0, 3.0], &[1.0, 2.0, 1.5]), [0]);
    }

    #[test]
    fn labels_of_crowded_points_do_not_overlap() {
        let pts = [(400, 500), (420, 505), (450, 495), (480, 510), (1500, 300)];
        let sizes = [(300, 70); 5];
        let at = place_labels(&pts, &sizes, 20, (100, 100, 1800, 900), &[], &[]);
        let boxes: Vec<PxBox> = at
            .iter()
            .zip(&sizes)
            .map(|(p, s)| (p.0, p.1, p.0 + s.0, p.1 + s.1))
            .collect();
        for (i, a) in boxes.iter().enumerate() {
            assert!(
                a.0 >= 100 && a.1 >= 100 && a.2 <= 1800 && a.3 <= 900,
                "{a:?}"
            );
            for b in &boxes[i + 1..] {
                assert_eq!(overlap(*a, *b), 0, "{a:?} and {b:?}");
            }
        }
    }
}
