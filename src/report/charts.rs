//! Presentation charts of a run, as PNG (1920 × 1080) and SVG, drawn with plotters.
//!
//! [`render_charts`] reads the files of a run folder (as bytes, no disk access) and draws seven
//! charts, each as `chart-NAME.png` and `chart-NAME.svg`:
//!
//! | file | what it shows |
//! |---|---|
//! | `chart-downtime` | user-hours lost per year by setup: box plot with median, mean and P95 |
//! | `chart-einer-ist-keiner` | longest stretch with nobody qualified, and uncovered hours per year |
//! | `chart-backlog` | open tickets per day over the year: median and P10–P90 band per setup |
//! | `chart-response` | cumulative response times of P1 and P2 tickets against the SLA targets |
//! | `chart-bad-year` | exceedance curve P(user-hours lost > x) per setup |
//! | `chart-comparison` | paired differences of headline metrics against the baseline, with CIs |
//! | `chart-cost-risk` | mean total cost (with CI) against user-hours lost in a bad year (P95), efficient setups marked |
//!
//! Every chart is laid out in pixels of a 1920 × 1080 canvas (16:9), with the title, a
//! legend, axis titles with units and a footer naming scenario, replications and seed. Each
//! setup has the same Okabe–Ito colour in every chart. Text uses Noto Sans (SIL Open Font
//! License, `assets/fonts/`), compiled into the program, so the PNGs look the same on every
//! machine whatever fonts it has. The SVGs keep text as `<text>` (searchable, editable in a
//! presentation program) with the font family "Noto Sans" and generic sans-serif fallbacks;
//! where Noto Sans is not installed a viewer shows a similar sans-serif font.
//!
//! Output is deterministic: the same files give byte-identical SVGs and PNGs.

pub mod backtest;
pub(crate) mod canvas;
pub(crate) mod data;
mod plots;
pub mod sweep;

use plotters::prelude::*;

pub(crate) use canvas::setup_color;
use data::RunData;

use crate::report::i18n::Lang;

/// Why the charts or the report could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// A file of the run folder is missing.
    #[error("the run folder has no {0}")]
    MissingFile(&'static str),
    /// A column (or manifest field) is missing.
    #[error("{file} has no column {column:?}")]
    MissingColumn {
        /// The file.
        file: String,
        /// The column or field.
        column: String,
    },
    /// A row the chart needs is missing.
    #[error("{file} has no row for {row}")]
    MissingRow {
        /// The file.
        file: String,
        /// The row's key.
        row: String,
    },
    /// A value is not a number (or not a date).
    #[error("{file}, line {line}, column {column:?}: {value:?} is not a valid value")]
    BadValue {
        /// The file.
        file: String,
        /// Line in the file (1 = header).
        line: usize,
        /// The column.
        column: String,
        /// The text found.
        value: String,
    },
    /// A file cannot be parsed at all.
    #[error("{file} is malformed: {reason}")]
    Malformed {
        /// The file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// Drawing or encoding failed.
    #[error("cannot draw a chart: {0}")]
    Draw(String),
}

/// Chart size [px]: 16:9.
pub const SIZE: (u32, u32) = (1920, 1080);

/// Base names of the charts, in the order [`render_charts`] returns them.
pub const CHARTS: [&str; 7] = [
    "chart-downtime",
    "chart-einer-ist-keiner",
    "chart-backlog",
    "chart-response",
    "chart-bad-year",
    "chart-comparison",
    "chart-cost-risk",
];

/// Renders every chart of a run from its files (name, bytes) as written into the run folder:
/// `chart-NAME.png` and `chart-NAME.svg` for every name of [`CHARTS`], in that order, PNG
/// before SVG.
pub fn render_charts(
    files: &[(&str, Vec<u8>)],
    lang: Lang,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    canvas::register_fonts();
    let data = RunData::parse(files)?;
    let prepared = plots::prepare(&data, lang)?;
    // Each chart is drawn twice (PNG, SVG), independently: in parallel, collected in order.
    use rayon::prelude::*;
    type Files = [(String, Vec<u8>); 2];
    let drawn: Vec<Result<Files, ChartError>> = CHARTS
        .par_iter()
        .enumerate()
        .map(|(i, name)| {
            let (png, svg) =
                rayon::join(|| to_png(&prepared, i, lang), || to_svg(&prepared, i, lang));
            Ok([
                (format!("{name}.png"), png?),
                (format!("{name}.svg"), svg?.into_bytes()),
            ])
        })
        .collect();
    let mut out = Vec::with_capacity(2 * CHARTS.len());
    for pair in drawn {
        out.extend(pair?);
    }
    Ok(out)
}

/// Renders only the SVGs of [`render_charts`] (`chart-NAME.svg`, in [`CHARTS`] order): for a
/// live page, which needs no PNG and should not wait for one.
pub fn render_svg_charts(
    files: &[(&str, Vec<u8>)],
    lang: Lang,
) -> Result<Vec<(String, Vec<u8>)>, ChartError> {
    canvas::register_fonts();
    let data = RunData::parse(files)?;
    let prepared = plots::prepare(&data, lang)?;
    use rayon::prelude::*;
    let drawn: Vec<Result<(String, Vec<u8>), ChartError>> = CHARTS
        .par_iter()
        .enumerate()
        .map(|(i, name)| {
            Ok((
                format!("{name}.svg"),
                to_svg(&prepared, i, lang)?.into_bytes(),
            ))
        })
        .collect();
    drawn.into_iter().collect()
}

fn draw_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError::Draw(e.to_string())
}

fn to_png(p: &plots::Prepared, chart: usize, lang: Lang) -> Result<Vec<u8>, ChartError> {
    let (w, h) = SIZE;
    let mut rgb = vec![255u8; (w * h * 3) as usize];
    {
        let backend = BitMapBackend::with_buffer(&mut rgb, (w, h));
        let root = backend.into_drawing_area();
        plots::draw(&root, p, chart, lang, true)?;
        root.present().map_err(draw_err)?;
    }
    encode_png(&rgb)
}

/// Encodes a 1920×1080 RGB buffer as PNG.
fn encode_png(rgb: &[u8]) -> Result<Vec<u8>, ChartError> {
    let (w, h) = SIZE;
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    // The fast (fdeflate) setting halves the time of a small run's output phase, at about
    // 120 KB instead of 70 KB per chart; the pixels are the same.
    enc.set_compression(png::Compression::Fast);
    let mut writer = enc.write_header().map_err(draw_err)?;
    writer.write_image_data(rgb).map_err(draw_err)?;
    writer.finish().map_err(draw_err)?;
    Ok(out)
}

fn to_svg(p: &plots::Prepared, chart: usize, lang: Lang) -> Result<String, ChartError> {
    let mut s = String::new();
    {
        let backend = SVGBackend::with_string(&mut s, SIZE);
        let root = backend.into_drawing_area();
        plots::draw(&root, p, chart, lang, false)?;
        root.present().map_err(draw_err)?;
    }
    Ok(canvas::svg_fonts(&s))
}
