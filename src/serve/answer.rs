//! One answer of the page: the headline table (the terminal's numbers), the change of every
//! number against the start (paired, with its 95 % CI), and the presentation charts as SVG.

use serde::Serialize;

use crate::model::Model;
use crate::montecarlo::Experiment;
use crate::report::charts::{ChartError, render_svg_charts};
use crate::report::csv::CsvLocale;
use crate::report::i18n::Lang;
use crate::report::output::{RunInfo, render_streamed};
use crate::report::{cell_text, headline_rows, summary_table, target_text};
use crate::stats::{MeanCi, paired_diff, quantile};

use super::runs::metric_index;

/// One cell of the table.
#[derive(Serialize)]
struct Cell {
    /// Mean ± half-width of its 95 % CI.
    mean: String,
    /// The value of a bad year (P95, or P5 where more is better).
    bad: String,
    /// Change against the start, mean ± half-width of the paired 95 % CI.
    delta: String,
    /// The change is significant: its CI excludes 0.
    significant: bool,
    /// The change is for the better (only meaningful when significant).
    better: bool,
}

#[derive(Serialize)]
struct Row {
    metric: &'static str,
    label: String,
    cells: Vec<Cell>,
}

#[derive(Serialize)]
struct Chart {
    name: String,
    svg: String,
}

#[derive(Serialize)]
struct Answer<'a> {
    run: u64,
    replications: u64,
    seed: u64,
    last: bool,
    scenario: &'a str,
    setups: Vec<&'a str>,
    changed: bool,
    table_text: String,
    target_text: String,
    rows: Vec<Row>,
    charts: Vec<Chart>,
}

/// Formats a number as the terminal does (English) or with German separators.
fn text(l: Lang, x: f64, decimals: usize, percent: bool) -> String {
    match l {
        Lang::En => cell_text(x, decimals, percent),
        Lang::De if x.is_nan() => "–".into(),
        Lang::De if percent => l.pct(x, decimals),
        Lang::De => l.num(x, decimals),
    }
}

/// What [`build`] needs besides the results.
pub struct Context<'a> {
    /// The run's number for its page.
    pub run: u64,
    /// Whether this is the last stage.
    pub last: bool,
    /// The scenario label (file name).
    pub file: &'a str,
    /// The scenario's text with the page's changes.
    pub text: &'a str,
    /// Whether the page changed anything.
    pub changed: bool,
    /// Language.
    pub lang: Lang,
}

/// The run-folder files of `exp`, as `covsim run` renders them (slim replications).
pub fn files(
    model: &Model,
    exp: &Experiment,
    file: &str,
    text: &str,
) -> Vec<(&'static str, Vec<u8>)> {
    let info = RunInfo {
        scenario_path: file.into(),
        scenario_text: text.to_string(),
        threads: rayon::current_num_threads(),
        wall_time_s: 0.0,
        started_utc: String::new(),
        locale: CsvLocale::En,
        precision: None,
        command_line: format!("covsim serve {file}"),
    };
    render_streamed(model, exp, &info)
}

/// The answer as JSON: `exp` is the page's experiment, `start` the start's at the same number
/// of replications.
pub fn build(
    model: &Model,
    exp: &Experiment,
    start: &Experiment,
    cx: &Context<'_>,
) -> Result<String, ChartError> {
    let l = cx.lang;
    let mut rows = Vec::new();
    for (label, metric, decimals, percent, higher_is_better) in headline_rows() {
        let Some(m) = metric_index(metric) else {
            continue;
        };
        let label = match l {
            Lang::En => label.to_string(),
            Lang::De => l.metric(metric).0,
        };
        let cells = exp
            .setups
            .iter()
            .zip(&start.setups)
            .map(|(s, b)| {
                let v = &s.values[m];
                let ci = MeanCi::of(v.iter().copied());
                let mean = if ci.half_width.is_nan() {
                    text(l, ci.mean, decimals, percent)
                } else {
                    format!(
                        "{} ±{}",
                        text(l, ci.mean, decimals, percent),
                        text(l, ci.half_width, decimals, percent)
                    )
                };
                let q = if higher_is_better { 0.05 } else { 0.95 };
                let bad = text(l, quantile(v.iter().copied(), q), decimals, percent);
                let d = paired_diff(&b.values[m], v);
                let half = (d.ci_hi - d.ci_lo) / 2.0;
                let significant = d.n >= 2 && (d.ci_lo > 0.0 || d.ci_hi < 0.0);
                let delta = if d.n < 2 {
                    "–".to_string()
                } else {
                    let sign = if d.mean_diff > 0.0 { "+" } else { "" };
                    format!(
                        "{sign}{} ±{}",
                        text(l, d.mean_diff, decimals, percent),
                        text(l, half, decimals, percent)
                    )
                };
                Cell {
                    mean,
                    bad,
                    delta,
                    significant,
                    better: (d.mean_diff > 0.0) == higher_is_better,
                }
            })
            .collect();
        rows.push(Row {
            metric,
            label,
            cells,
        });
    }
    let files = files(model, exp, cx.file, cx.text);
    let charts = render_svg_charts(&files, l)?
        .into_iter()
        .map(|(name, svg)| Chart {
            name: name.trim_end_matches(".svg").to_string(),
            svg: String::from_utf8_lossy(&svg).into_owned(),
        })
        .collect();
    let answer = Answer {
        run: cx.run,
        replications: exp.count,
        seed: model.sim.seed,
        last: cx.last,
        scenario: &model.name,
        setups: exp.setups.iter().map(|s| s.name.as_str()).collect(),
        changed: cx.changed,
        table_text: summary_table(model, exp),
        target_text: target_text(model, exp),
        rows,
        charts,
    };
    Ok(serde_json::to_string(&answer).expect("answers serialise"))
}
