//! Drawing primitives on top of plotters: text with the bundled font, lines, axes, legend,
//! and the frame every chart shares (title, legend row, footer).
//!
//! Coordinates are backend pixels of the 1920 × 1080 canvas; every chart lays itself out in
//! these pixels, so the PNG and the SVG are the same picture.

use std::sync::Once;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{FontDesc, FontFamily, FontStyle, FontTransform, RGBColor};

use super::ChartError;
use super::data::RunData;
use crate::report::i18n::Lang;

/// Canvas width [px].
pub(crate) const W: i32 = 1920;
/// Canvas height [px].
pub(crate) const H: i32 = 1080;
/// Left and right margin [px].
pub(crate) const MARGIN: i32 = 56;

/// Font sizes as em sizes in pixels at 1920 px wide (what the minimums refer to).
pub(crate) const TITLE: f64 = 50.0;
/// Axis titles.
pub(crate) const AXIS: f64 = 32.0;
/// Tick labels.
pub(crate) const TICK: f64 = 28.0;
/// Legend entries.
pub(crate) const LEGEND: f64 = 30.0;
/// Labels of values in the plot.
pub(crate) const VALUE: f64 = 28.0;
/// The footer.
pub(crate) const FOOTER: f64 = 22.0;

/// Family name the bundled font is registered under (and written into the SVG, where
/// [`svg_fonts`] adds fallbacks).
pub(crate) const FAMILY: &str = "Noto Sans";
static REGULAR: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../../../assets/fonts/NotoSans-Bold.ttf");

/// plotters' size of a font is its ascent + descent in pixels (ab_glyph's `PxScale`), not its
/// em size: this factor converts (height / em of Noto Sans).
fn scale() -> f64 {
    use ab_glyph::Font;
    static SCALE: std::sync::OnceLock<f64> = std::sync::OnceLock::new();
    *SCALE.get_or_init(|| {
        let f = ab_glyph::FontRef::try_from_slice(REGULAR).expect("the bundled font parses");
        f64::from(f.height_unscaled()) / f64::from(f.units_per_em().unwrap_or(1000.0))
    })
}

/// Registers the bundled fonts with plotters (once per process).
pub(crate) fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Both are valid fonts compiled into the program; failing here is a build defect.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, REGULAR);
        let _ = plotters::style::register_font(FAMILY, FontStyle::Bold, BOLD);
    });
}

/// Rewrites plotters' SVG text attributes: the font size becomes the em size that the PNG
/// uses (plotters writes size / 1.24), and the family gets fallbacks so that the SVG shows
/// text in a similar sans-serif font where Noto Sans is not installed.
pub(crate) fn svg_fonts(svg: &str) -> String {
    let family = format!("font-family=\"{FAMILY}\"");
    let svg = svg.replace(
        &family,
        "font-family=\"'Noto Sans', 'Open Sans', 'Helvetica Neue', Arial, 'Liberation Sans', sans-serif\"",
    );
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg.as_str();
    const KEY: &str = "font-size=\"";
    while let Some(i) = rest.find(KEY) {
        out.push_str(&rest[..i + KEY.len()]);
        rest = &rest[i + KEY.len()..];
        let end = rest.find('"').unwrap_or(0);
        match rest[..end].parse::<f64>() {
            Ok(v) => out.push_str(&format!("{:.1}", v * 1.24 / scale())),
            Err(_) => out.push_str(&rest[..end]),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// A font: em size [px] and weight.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Font {
    pub(crate) em: f64,
    pub(crate) bold: bool,
}

/// Regular font of the given em size.
pub(crate) fn font(em: f64) -> Font {
    Font { em, bold: false }
}

/// Bold font of the given em size.
pub(crate) fn bold(em: f64) -> Font {
    Font { em, bold: true }
}

impl Font {
    fn desc(self) -> FontDesc<'static> {
        FontDesc::new(
            FontFamily::Name(FAMILY),
            self.em * scale(),
            if self.bold {
                FontStyle::Bold
            } else {
                FontStyle::Normal
            },
        )
    }

    /// Width of `text` [px].
    pub(crate) fn width(self, text: &str) -> i32 {
        self.advance(&glyphs(text)).round() as i32
    }

    fn face(self) -> ab_glyph::FontRef<'static> {
        ab_glyph::FontRef::try_from_slice(if self.bold { BOLD } else { REGULAR })
            .expect("the bundled font parses")
    }

    /// Advance width of `text` with kerning [px].
    fn advance(self, text: &str) -> f32 {
        use ab_glyph::{Font as _, ScaleFont as _};
        let face = self.face();
        let f = face.as_scaled((self.em * scale()) as f32);
        let mut x = 0.0;
        let mut prev = None;
        for ch in text.chars() {
            let id = f.glyph_id(ch);
            if let Some(p) = prev {
                x += f.kern(p, id);
            }
            x += f.h_advance(id);
            prev = Some(id);
        }
        x
    }

    /// Glyph coverage of `text` with the baseline's left end at (0, 0): `(dx, dy, coverage)`.
    fn raster(self, text: &str, mut put: impl FnMut(i32, i32, f32)) {
        use ab_glyph::{Font as _, ScaleFont as _, point};
        let face = self.face();
        let f = face.as_scaled((self.em * scale()) as f32);
        let mut x = 0.0;
        let mut prev = None;
        for ch in text.chars() {
            let id = f.glyph_id(ch);
            if let Some(p) = prev {
                x += f.kern(p, id);
            }
            let glyph = id.with_scale_and_position(f.scale(), point(x, 0.0));
            if let Some(o) = f.outline_glyph(glyph) {
                let b = o.px_bounds();
                o.draw(|gx, gy, c| put(b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32, c));
            }
            x += f.h_advance(id);
            prev = Some(id);
        }
    }

    /// Line height [px].
    pub(crate) fn line(self) -> i32 {
        (self.em * 1.3).round() as i32
    }
}

/// `text` with characters the bundled font lacks replaced: the minus sign (U+2212) by an en
/// dash, arrows by nothing, and characters XML forbids by U+FFFD.
pub(crate) fn glyphs(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(['\u{2212}', '\u{2192}']) || text.chars().any(not_xml) {
        text.replace('\u{2212}', "\u{2013}")
            .replace('\u{2192}', "")
            .replace(not_xml, "\u{FFFD}")
            .into()
    } else {
        text.into()
    }
}

/// Characters that XML 1.0 does not allow, not even escaped. Validation refuses them in names,
/// but chart text also comes from the command line (sweep values); an SVG must stay well-formed.
fn not_xml(c: char) -> bool {
    matches!(c, '\0'..='\x08' | '\x0b' | '\x0c' | '\x0e'..='\x1f' | '\u{FFFE}' | '\u{FFFF}')
}

/// Splits `text` into at most `max_lines` lines no wider than `max_w`; words that do not fit
/// are cut with "…".
pub(crate) fn wrap(text: &str, f: Font, max_w: i32, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let candidate = if cur.is_empty() {
            word.to_string()
        } else {
            format!("{cur} {word}")
        };
        if f.width(&candidate) <= max_w || cur.is_empty() {
            cur = candidate;
        } else {
            lines.push(std::mem::take(&mut cur));
            cur = word.to_string();
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    if lines.len() > max_lines {
        let rest = lines.split_off(max_lines - 1).join(" ");
        lines.push(rest);
    }
    lines.into_iter().map(|l| ellipsize(&l, f, max_w)).collect()
}

/// `text` cut with "…" to fit `max_w`.
pub(crate) fn ellipsize(text: &str, f: Font, max_w: i32) -> String {
    if f.width(text) <= max_w {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    for n in (1..chars.len()).rev() {
        let s: String = chars[..n].iter().collect::<String>().trim_end().to_string() + "…";
        if f.width(&s) <= max_w {
            return s;
        }
    }
    "…".into()
}

/// Okabe–Ito colours, the colour-blind-safe palette; setups take them in this order.
pub(crate) const PALETTE: [RGBColor; 7] = [
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
];

/// Colour of the setup with index `i` (the same in every chart).
pub(crate) fn setup_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Text colour.
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text.
pub(crate) const GREY: RGBColor = RGBColor(0x66, 0x66, 0x66);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);

/// A colour with opacity.
pub(crate) fn alpha(c: RGBColor, a: f64) -> RGBAColor {
    c.mix(a)
}

/// A drawing surface of 1920 × 1080 px.
pub(crate) struct Canvas<'a, DB: DrawingBackend> {
    area: &'a DrawingArea<DB, plotters::coord::Shift>,
    pub(crate) lang: Lang,
    /// Draw text as pixels with the bundled font (PNG) instead of `<text>` (SVG).
    raster: bool,
}

fn err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

/// Result of drawing.
pub(crate) type Res = Result<(), ChartError>;

impl<'a, DB: DrawingBackend> Canvas<'a, DB> {
    /// A canvas on `area`.
    pub(crate) fn new(
        area: &'a DrawingArea<DB, plotters::coord::Shift>,
        lang: Lang,
        raster: bool,
    ) -> Self {
        Canvas { area, lang, raster }
    }

    /// Draws text as pixels, anchored like plotters' SVG text (baseline 0.76 em below the top,
    /// 0.5 ex below the centre, 0.5 ex above the bottom), optionally rotated to read upwards.
    fn raster_text(
        &self,
        s: &str,
        (x, y): (i32, i32),
        f: Font,
        color: RGBColor,
        (h, v): (HPos, VPos),
        up: bool,
    ) -> Res {
        let w = f.advance(s);
        let dx = match h {
            HPos::Left => 0.0,
            HPos::Center => -w / 2.0,
            HPos::Right => -w,
        };
        let ex = 0.53 * f.em as f32;
        let dy = match v {
            VPos::Top => 0.76 * f.em as f32,
            VPos::Center => 0.5 * ex,
            VPos::Bottom => -0.5 * ex,
        };
        let mut result = Ok(());
        f.raster(s, |gx, gy, cov| {
            if result.is_err() || cov <= 0.0 {
                return;
            }
            let (px, py) = (gx + dx.round() as i32, gy + dy.round() as i32);
            let (px, py) = if up { (py, -px) } else { (px, py) };
            let p = (x + px, y + py);
            if p.0 >= 0 && p.0 < W && p.1 >= 0 && p.1 < H {
                result = self
                    .area
                    .draw_pixel(p, &color.mix(f64::from(cov.min(1.0))))
                    .map_err(err);
            }
        });
        result
    }

    /// Text anchored at `(x, y)`.
    pub(crate) fn text(
        &self,
        s: &str,
        (x, y): (i32, i32),
        f: Font,
        color: RGBColor,
        h: HPos,
        v: VPos,
    ) -> Res {
        if self.raster {
            return self.raster_text(&glyphs(s), (x, y), f, color, (h, v), false);
        }
        let style = f.desc().color(&color).pos(Pos::new(h, v));
        self.area.draw_text(&glyphs(s), &style, (x, y)).map_err(err)
    }

    /// Text reading bottom to top, centred on `(x, y)`.
    pub(crate) fn text_up(&self, s: &str, (x, y): (i32, i32), f: Font, color: RGBColor) -> Res {
        if self.raster {
            return self.raster_text(
                &glyphs(s),
                (x, y),
                f,
                color,
                (HPos::Center, VPos::Center),
                true,
            );
        }
        let style = f
            .desc()
            .transform(FontTransform::Rotate270)
            .color(&color)
            .pos(Pos::new(HPos::Center, VPos::Center));
        self.area.draw_text(&glyphs(s), &style, (x, y)).map_err(err)
    }

    /// Several lines of text; `y` is the top of the first line.
    pub(crate) fn lines(
        &self,
        lines: &[String],
        (x, y): (i32, i32),
        f: Font,
        color: RGBColor,
        h: HPos,
    ) -> Res {
        for (i, l) in lines.iter().enumerate() {
            self.text(l, (x, y + i as i32 * f.line()), f, color, h, VPos::Top)?;
        }
        Ok(())
    }

    /// A polyline.
    pub(crate) fn line<C: Color>(&self, pts: &[(i32, i32)], color: &C, width: u32) -> Res {
        self.area
            .draw(&PathElement::new(pts.to_vec(), color.stroke_width(width)))
            .map_err(err)
    }

    /// A dashed straight line.
    pub(crate) fn dashed<C: Color>(
        &self,
        (x0, y0): (i32, i32),
        (x1, y1): (i32, i32),
        color: &C,
        width: u32,
        dash: f64,
    ) -> Res {
        let len = f64::from((x1 - x0).pow(2) + (y1 - y0).pow(2)).sqrt();
        let n = (len / (2.0 * dash)).ceil().max(1.0) as i32;
        for k in 0..n {
            let t0 = f64::from(2 * k) * dash / len;
            let t1 = ((f64::from(2 * k) + 1.0) * dash / len).min(1.0);
            let p = |t: f64| {
                (
                    x0 + (f64::from(x1 - x0) * t).round() as i32,
                    y0 + (f64::from(y1 - y0) * t).round() as i32,
                )
            };
            self.line(&[p(t0), p(t1)], color, width)?;
        }
        Ok(())
    }

    /// A filled rectangle.
    pub(crate) fn rect<C: Color>(&self, (x0, y0): (i32, i32), (x1, y1): (i32, i32), c: &C) -> Res {
        self.area
            .draw(&Rectangle::new([(x0, y0), (x1, y1)], c.filled()))
            .map_err(err)
    }

    /// A rectangle outline.
    pub(crate) fn outline<C: Color>(
        &self,
        (x0, y0): (i32, i32),
        (x1, y1): (i32, i32),
        c: &C,
        width: u32,
    ) -> Res {
        self.line(
            &[(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)],
            c,
            width,
        )
    }

    /// A filled polygon.
    pub(crate) fn polygon<C: Color>(&self, pts: Vec<(i32, i32)>, c: &C) -> Res {
        self.area.draw(&Polygon::new(pts, c.filled())).map_err(err)
    }

    /// A filled circle.
    pub(crate) fn dot<C: Color>(&self, center: (i32, i32), r: i32, c: &C) -> Res {
        self.area
            .draw(&Circle::new(center, r, c.filled()))
            .map_err(err)
    }

    /// A diamond (the mean marker): white outline around a filled diamond.
    pub(crate) fn diamond<C: Color>(&self, (x, y): (i32, i32), r: i32, c: &C) -> Res {
        let pts = |r: i32| vec![(x, y - r), (x + r, y), (x, y + r), (x - r, y)];
        self.polygon(pts(r + 3), &WHITE)?;
        self.polygon(pts(r), c)
    }
}

/// Nice tick values covering `lo..=hi`, about `n` of them.
pub(crate) fn nice_ticks(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let step = nice_step((hi - lo) / n.max(1) as f64);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    (first..=last).map(|k| k as f64 * step).collect()
}

/// The smallest of 1, 2, 2.5, 5 × 10^k at least `raw`.
pub(crate) fn nice_step(raw: f64) -> f64 {
    if raw.is_nan() || raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * 0.999)
        .unwrap_or(10.0 * mag)
}

/// A value `x` rounded up to a nice axis end.
pub(crate) fn nice_max(x: f64, n: usize) -> f64 {
    let step = nice_step(x / n as f64);
    (x / step).ceil() * step
}

/// Decimals that tick labels with this step need.
pub(crate) fn decimals_for(step: f64) -> usize {
    let mut d = 0;
    let mut s = step;
    while d < 4 && (s - s.round()).abs() > 1e-6 {
        s *= 10.0;
        d += 1;
    }
    d
}

/// A plot area in pixels with linear scales.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Axes {
    /// Left edge [px].
    pub(crate) x0: i32,
    /// Right edge [px].
    pub(crate) x1: i32,
    /// Top edge [px].
    pub(crate) y0: i32,
    /// Bottom edge [px].
    pub(crate) y1: i32,
    /// Data range of x.
    pub(crate) xr: (f64, f64),
    /// Data range of y.
    pub(crate) yr: (f64, f64),
}

impl Axes {
    /// Pixel column of `x`.
    pub(crate) fn px(&self, x: f64) -> i32 {
        let t = (x - self.xr.0) / (self.xr.1 - self.xr.0);
        self.x0 + (t * f64::from(self.x1 - self.x0)).round() as i32
    }

    /// Pixel row of `y`.
    pub(crate) fn py(&self, y: f64) -> i32 {
        let t = (y - self.yr.0) / (self.yr.1 - self.yr.0);
        self.y1 - (t * f64::from(self.y1 - self.y0)).round() as i32
    }

    /// Pixel row of `y`, clamped to the plot area.
    pub(crate) fn py_clamped(&self, y: f64) -> i32 {
        self.py(y.clamp(self.yr.0, self.yr.1))
    }

    /// Pixel column of `x`, clamped to the plot area.
    pub(crate) fn px_clamped(&self, x: f64) -> i32 {
        self.px(x.clamp(self.xr.0, self.xr.1))
    }
}

/// Width the y axis needs left of the plot area: tick labels and the rotated axis title.
pub(crate) fn y_axis_width(tick_labels: &[String], with_title: bool) -> i32 {
    let ticks = tick_labels
        .iter()
        .map(|l| font(TICK).width(l))
        .max()
        .unwrap_or(0);
    ticks
        + 14
        + if with_title {
            font(AXIS).line() + 14
        } else {
            0
        }
}

/// Horizontal grid lines, y tick labels and the rotated y axis title.
pub(crate) fn y_axis<DB: DrawingBackend>(
    c: &Canvas<DB>,
    a: &Axes,
    ticks: &[f64],
    labels: &[String],
    title: Option<&str>,
) -> Res {
    for (t, l) in ticks.iter().zip(labels) {
        let y = a.py(*t);
        c.line(&[(a.x0, y), (a.x1, y)], &GRID, 2)?;
        c.text(
            l,
            (a.x0 - 14, y),
            font(TICK),
            INK,
            HPos::Right,
            VPos::Center,
        )?;
    }
    if let Some(title) = title {
        let w = labels
            .iter()
            .map(|l| font(TICK).width(l))
            .max()
            .unwrap_or(0);
        let x = a.x0 - 14 - w - 14 - font(AXIS).line() / 2;
        let f = font(AXIS);
        let t = ellipsize(title, f, a.y1 - a.y0 + 40);
        c.text_up(&t, (x, (a.y0 + a.y1) / 2), f, INK)?;
    }
    Ok(())
}

/// Vertical grid lines, x tick labels below the plot area, and the x axis title.
pub(crate) fn x_axis<DB: DrawingBackend>(
    c: &Canvas<DB>,
    a: &Axes,
    ticks: &[f64],
    labels: &[String],
    title: Option<&str>,
) -> Res {
    for (t, l) in ticks.iter().zip(labels) {
        let x = a.px(*t);
        c.line(&[(x, a.y0), (x, a.y1)], &GRID, 2)?;
        c.text(l, (x, a.y1 + 12), font(TICK), INK, HPos::Center, VPos::Top)?;
    }
    if let Some(title) = title {
        let y = a.y1 + 12 + font(TICK).line() + 6;
        let t = ellipsize(title, font(AXIS), a.x1 - a.x0);
        c.text(
            &t,
            ((a.x0 + a.x1) / 2, y),
            font(AXIS),
            INK,
            HPos::Center,
            VPos::Top,
        )?;
    }
    Ok(())
}

/// Height the x axis needs below the plot area.
pub(crate) fn x_axis_height(with_title: bool) -> i32 {
    12 + font(TICK).line() + if with_title { 6 + font(AXIS).line() } else { 0 }
}

/// The axis lines (left and bottom).
pub(crate) fn axis_lines<DB: DrawingBackend>(c: &Canvas<DB>, a: &Axes) -> Res {
    c.line(&[(a.x0, a.y0), (a.x0, a.y1), (a.x1, a.y1)], &GREY, 2)
}

/// What a legend entry shows before its text.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Key {
    /// A filled square.
    Swatch(RGBColor),
    /// A thick line.
    Line(RGBColor),
    /// A translucent band with a line through it.
    Band(RGBColor),
    /// A dashed line.
    Dashed(RGBColor),
    /// The mean diamond.
    Diamond(RGBColor),
    /// A box with a median line and whiskers.
    Boxplot,
    /// A vertical whisker with caps.
    Whisker,
    /// A dot.
    Dot(RGBColor),
    /// No symbol: plain text.
    Note,
}

/// Draws a legend key of 44 × 30 px with its left edge at `x`, centred on `y`.
fn draw_key<DB: DrawingBackend>(c: &Canvas<DB>, key: Key, x: i32, y: i32) -> Res {
    match key {
        Key::Swatch(col) => c.rect((x + 6, y - 14), (x + 34, y + 14), &col),
        Key::Line(col) => c.line(&[(x, y), (x + 44, y)], &col, 6),
        Key::Band(col) => {
            c.rect((x, y - 14), (x + 44, y + 14), &alpha(col, 0.25))?;
            c.line(&[(x, y), (x + 44, y)], &col, 5)
        }
        Key::Dashed(col) => c.dashed((x, y), (x + 44, y), &col, 4, 7.0),
        Key::Diamond(col) => c.diamond((x + 22, y), 11, &col),
        Key::Boxplot => {
            c.rect(
                (x + 4, y - 15),
                (x + 40, y + 15),
                &RGBColor(0xAA, 0xAA, 0xAA),
            )?;
            c.outline((x + 4, y - 15), (x + 40, y + 15), &INK, 2)?;
            c.line(&[(x + 4, y + 2), (x + 40, y + 2)], &INK, 5)?;
            c.line(&[(x + 6, y + 2), (x + 38, y + 2)], &WHITE, 1)
        }
        Key::Whisker => {
            c.line(&[(x + 22, y - 15), (x + 22, y + 15)], &INK, 3)?;
            c.line(&[(x + 14, y - 15), (x + 30, y - 15)], &INK, 3)?;
            c.line(&[(x + 14, y + 15), (x + 30, y + 15)], &INK, 3)
        }
        Key::Dot(col) => c.dot((x + 22, y), 9, &col),
        Key::Note => Ok(()),
    }
}

/// Lays out and draws a legend as rows of entries from `(x, y)` (top) within `max_w`;
/// returns the height used.
pub(crate) fn legend<DB: DrawingBackend>(
    c: &Canvas<DB>,
    entries: &[(Key, String)],
    (x, y): (i32, i32),
    max_w: i32,
) -> Result<i32, ChartError> {
    let f = font(LEGEND);
    let row_h = f.line() + 8;
    let mut cx = x;
    let mut cy = y;
    for (key, label) in entries {
        let key_w = if matches!(key, Key::Note) { 0 } else { 54 };
        let label = ellipsize(label, f, max_w - key_w);
        let w = key_w + f.width(&label);
        if cx > x && cx + w > x + max_w {
            cx = x;
            cy += row_h;
        }
        draw_key(c, *key, cx, cy + row_h / 2)?;
        c.text(
            &label,
            (cx + key_w, cy + row_h / 2),
            f,
            INK,
            HPos::Left,
            VPos::Center,
        )?;
        cx += w + 40;
    }
    Ok(cy + row_h - y)
}

/// The shared frame of a run's charts: white background, title, legend row, and a footer
/// with scenario, simulated years and seed. Returns the top and the bottom of the space left
/// for the plot.
pub(crate) fn frame<DB: DrawingBackend>(
    c: &Canvas<DB>,
    data: &RunData,
    title: &str,
    entries: &[(Key, String)],
) -> Result<(i32, i32), ChartError> {
    let l = c.lang;
    let years = data.replications * data.years;
    let span = if data.years > 1 {
        // A multi-year replication's figures are per-year averages over its years.
        match l {
            Lang::En => format!(
                " ({} replications of {} years; per-year averages)",
                l.num(data.replications as f64, 0),
                data.years
            ),
            Lang::De => format!(
                " ({} Replikationen zu {} Jahren; Mittel pro Jahr)",
                l.num(data.replications as f64, 0),
                data.years
            ),
        }
    } else {
        String::new()
    };
    let footer = format!(
        "{} · {} {}{span} · {} {}",
        data.scenario_name,
        l.num(years as f64, 0),
        l.pick("simulated years", "simulierte Jahre"),
        l.pick("seed", "Seed"),
        data.seed
    );
    frame_with_footer(c, title, entries, &footer, &data.version)
}

/// The frame with a given footer text (sweeps and sensitivity analyses say more in it).
pub(crate) fn frame_with_footer<DB: DrawingBackend>(
    c: &Canvas<DB>,
    title: &str,
    entries: &[(Key, String)],
    footer: &str,
    version: &str,
) -> Result<(i32, i32), ChartError> {
    c.area.fill(&WHITE).map_err(err)?;
    // The title shrinks down to 44 px before it is shortened.
    let mut tf = bold(TITLE);
    while tf.em > 44.0 && tf.width(title) > W - 2 * MARGIN {
        tf.em -= 1.0;
    }
    let t = ellipsize(title, tf, W - 2 * MARGIN);
    c.text(&t, (MARGIN, 26), tf, INK, HPos::Left, VPos::Top)?;
    let top = 26 + bold(TITLE).line() + 10;
    let used = legend(c, entries, (MARGIN, top), W - 2 * MARGIN)?;
    let fy = H - 14;
    let footer = ellipsize(footer, font(FOOTER), W - 2 * MARGIN - 300);
    c.text(
        &footer,
        (MARGIN, fy),
        font(FOOTER),
        GREY,
        HPos::Left,
        VPos::Bottom,
    )?;
    c.text(
        &format!("covsim {version}"),
        (W - MARGIN, fy),
        font(FOOTER),
        GREY,
        HPos::Right,
        VPos::Bottom,
    )?;
    Ok((top + used + 24, fy - font(FOOTER).line() - 14))
}
