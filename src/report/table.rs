//! The tables `covsim run` prints: setups side by side, one row per headline figure, and the
//! paired differences against the baseline. Both fit a 100-column terminal.

use std::fmt::Write;

use crate::engine::catalog;
use crate::model::Model;
use crate::montecarlo::Experiment;
use crate::stats::{MeanCi, paired_diff, quantile};

/// One printed row: a label and the metric it shows.
struct Row {
    label: &'static str,
    metric: &'static str,
    decimals: usize,
    percent: bool,
    /// Whether more is better (coverage, SLA share): then a bad year is the low end.
    higher_is_better: bool,
}

const fn row(label: &'static str, metric: &'static str, decimals: usize) -> Row {
    Row {
        label,
        metric,
        decimals,
        percent: false,
        higher_is_better: false,
    }
}

const fn share(label: &'static str, metric: &'static str) -> Row {
    Row {
        label,
        metric,
        decimals: 1,
        percent: true,
        higher_is_better: true,
    }
}

const ROWS: &[Row] = &[
    row("User-hours lost / year", "user_hours_lost", 0),
    row("Outage hours / year", "outage_h", 1),
    row("Backlog max (tickets)", "backlog_max", 0),
    row("P1 response P95 (bh)", "response_p1_p95_h", 1),
    row("P2 resolution P95 (bh)", "resolution_p2_p95_h", 1),
    share("P2 resolved within SLA", "resolution_p2_within_sla_share"),
    share("Coverage of business hrs", "coverage_share"),
    row("Hours with nobody / year", "uncovered_h", 0),
    row("Longest gap (days)", "longest_gap_days", 1),
    row("Knowledge-blocked tickets", "knowledge_blocked", 1),
    row("Emergency calls / year", "emergency_calls", 1),
    row("IT cost / year (€)", "cost_it_eur", 0),
    row("Downtime cost / year (€)", "cost_downtime_eur", 0),
    row("Total cost / year (€)", "cost_total_eur", 0),
    row("Total per PC & month (€)", "cost_per_pc_month_eur", 0),
];

const LABEL_W: usize = 26;
/// Widest column; narrower when many setups must fit into 100 columns.
const MAX_COL_W: usize = 18;

/// Column width for `columns` setups: as wide as fits into 100 terminal columns, 12 at least.
fn col_w(columns: usize) -> usize {
    ((100 - LABEL_W) / columns.max(1)).clamp(12, MAX_COL_W)
}

fn fmt(x: f64, decimals: usize, percent: bool) -> String {
    if x.is_nan() {
        return "–".to_string();
    }
    if percent {
        format!("{:.*}%", decimals, x * 100.0)
    } else {
        format!("{x:.decimals$}")
    }
}

fn values<'a>(exp: &'a Experiment, setup: usize, metric: &str) -> &'a [f64] {
    let m = catalog()
        .iter()
        .position(|d| d.name == metric)
        .expect("printed metrics exist");
    &exp.setups[setup].values[m]
}

fn header(out: &mut String, exp: &Experiment, skip: Option<usize>) {
    let w = col_w(exp.setups.len() - usize::from(skip.is_some()));
    let _ = write!(out, "{:LABEL_W$}", "");
    for (i, s) in exp.setups.iter().enumerate() {
        if Some(i) == skip {
            continue;
        }
        // Long names are cut with an ellipsis rather than breaking the columns.
        let name: String = if s.name.chars().count() > w - 1 {
            s.name.chars().take(w - 2).chain(['…']).collect()
        } else {
            s.name.clone()
        };
        let _ = write!(out, "{name:>w$}");
    }
    let _ = writeln!(out);
}

/// Renders the comparison: for every headline figure the mean (± half-width of its 95 % CI) and
/// the value of a bad year (one year in twenty is worse: the P95, or the P5 where more is better).
pub fn summary_table(model: &Model, exp: &Experiment) -> String {
    let mut out = String::new();
    let years = model.sim.years;
    let _ = writeln!(
        out,
        "{} — {} replication{} of {} year{} each, seed {}",
        model.name,
        exp.count,
        if exp.count == 1 { "" } else { "s" },
        years,
        if years == 1 { "" } else { "s" },
        model.sim.seed
    );
    let _ = writeln!(
        out,
        "mean ± half-width of its 95 % CI; \"in a bad year\": 1 year in 20 is worse\n\
         (the P95 across replications, or the P5 where more is better)\n"
    );
    header(&mut out, exp, None);
    let w = col_w(exp.setups.len());
    for row in ROWS {
        let _ = write!(out, "{:LABEL_W$}", row.label);
        for s in 0..exp.setups.len() {
            let ci = MeanCi::of(values(exp, s, row.metric).iter().copied());
            let mean = fmt(ci.mean, row.decimals, row.percent);
            let cell = if ci.half_width.is_nan() {
                mean
            } else {
                format!("{mean} ±{}", fmt(ci.half_width, row.decimals, row.percent))
            };
            let _ = write!(out, "{cell:>w$}");
        }
        let _ = writeln!(out);
        let _ = write!(out, "{:LABEL_W$}", "  in a bad year");
        let q = if row.higher_is_better { 0.05 } else { 0.95 };
        for s in 0..exp.setups.len() {
            let p = quantile(values(exp, s, row.metric).iter().copied(), q);
            let _ = write!(out, "{:>w$}", fmt(p, row.decimals, row.percent));
        }
        let _ = writeln!(out);
    }
    out
}

/// Renders the paired differences (setup − baseline) of the headline figures with their 95 %
/// CIs, and how many times narrower the pairing makes them than independent runs would.
pub fn comparison_table_text(model: &Model, exp: &Experiment) -> String {
    let mut out = String::new();
    let b = model.report.baseline;
    if exp.setups.len() < 2 {
        return out;
    }
    let _ = writeln!(
        out,
        "Difference against \"{}\" (paired: same incidents and absences; 95 % CI)\n",
        exp.setups[b].name
    );
    header(&mut out, exp, Some(b));
    let w = col_w(exp.setups.len() - 1);
    for row in ROWS {
        let _ = write!(out, "{:LABEL_W$}", row.label);
        for s in (0..exp.setups.len()).filter(|&s| s != b) {
            let d = paired_diff(values(exp, b, row.metric), values(exp, s, row.metric));
            let sign = if d.mean_diff > 0.0 { "+" } else { "" };
            let cell = if d.n < 2 {
                "–".to_string()
            } else {
                format!(
                    "{sign}{} ±{}",
                    fmt(d.mean_diff, row.decimals, row.percent),
                    fmt((d.ci_hi - d.ci_lo) / 2.0, row.decimals, row.percent)
                )
            };
            let _ = write!(out, "{cell:>w$}");
        }
        let _ = writeln!(out);
    }
    let all: Vec<f64> = ROWS
        .iter()
        .flat_map(|row| {
            (0..exp.setups.len())
                .filter(move |&s| s != b)
                .map(move |s| {
                    paired_diff(values(exp, b, row.metric), values(exp, s, row.metric)).narrowing
                })
        })
        .filter(|x| x.is_finite())
        .collect();
    if !all.is_empty() {
        let lo = all.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = all.iter().copied().fold(0.0, f64::max);
        let _ = writeln!(
            out,
            "\nAgainst independent runs, pairing narrows these intervals by a factor of {lo:.1} to\n\
             {hi:.1} (median {:.1}): most where setups share what drives a metric (the incidents).",
            quantile(all, 0.5)
        );
    }
    out
}

/// Renders the exceedance probabilities of the scenario's thresholds: the chance that a year is
/// worse than each threshold, per setup.
pub fn exceedance_table_text(model: &Model, exp: &Experiment) -> String {
    let mut out = String::new();
    if model.report.thresholds.is_empty() {
        return out;
    }
    let _ = writeln!(
        out,
        "Chance of a year worse than a threshold (share of simulated years)\n"
    );
    header(&mut out, exp, None);
    let w = col_w(exp.setups.len());
    for (metric, thresholds) in &model.report.thresholds {
        let Some(m) = catalog().iter().position(|d| &d.name == metric) else {
            continue;
        };
        for &x in thresholds {
            let label: String = format!("{metric} > {x}")
                .chars()
                .take(LABEL_W - 1)
                .collect();
            let _ = write!(out, "{label:LABEL_W$}");
            for s in &exp.setups {
                let p = crate::stats::exceedance(&s.values[m], x);
                let _ = write!(out, "{:>w$}", fmt(p.p, 1, true));
            }
            let _ = writeln!(out);
        }
    }
    out
}
