//! The tables `covsim run` prints: setups side by side, one row per headline figure, and the
//! paired differences against the baseline. Both fit a 100-column terminal.

use std::fmt::Write;

use super::horizon::Horizon;
use super::i18n::Lang;
use crate::engine::catalog;
use crate::model::{Model, Target, TargetBound, TargetStat};
use crate::montecarlo::Experiment;
use crate::stats::{MeanCi, Summary, paired_diff, quantile};

/// One printed row: a label and the metric it shows.
struct Row {
    label: &'static str,
    metric: &'static str,
    decimals: usize,
    percent: bool,
    /// Whether more is better (coverage, SLA share): then a bad year is the low end.
    higher_is_better: bool,
}

impl Row {
    /// The printed label: a row about a longest stretch says over which span it is taken.
    fn label(&self, h: Horizon) -> String {
        if h.is_year() || self.metric != "longest_gap_days" {
            self.label.to_owned()
        } else {
            format!("Longest gap, {} yrs (days)", h.years())
        }
    }
}

/// Wraps `text` at spaces into lines of at most `width` characters.
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::new();
    let mut line = 0;
    for word in text.split(' ') {
        let n = word.chars().count();
        if line > 0 && line + 1 + n > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += n;
    }
    out
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
    row("Outage (bh) / year", "outage_bh", 1),
    row("Backlog max (tickets)", "backlog_max", 0),
    row("P1 response P95 (bh)", "response_p1_p95_bh", 1),
    row("P2 resolution P95 (bh)", "resolution_p2_p95_bh", 1),
    share("P2 resolved within SLA", "resolution_p2_within_sla_share"),
    share("Coverage of business hrs", "coverage_share"),
    row("Nobody qualified (bh)/yr", "uncovered_bh", 0),
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
    let h = Horizon::new(u64::from(years));
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
    if let Some(note) = h.note(Lang::En) {
        let _ = writeln!(out, "{}", wrap(&note, 92));
    }
    let _ = writeln!(
        out,
        "mean ± half-width of its 95 % CI; \"{}\": {} is worse\n\
         (the P95 across replications, or the P5 where more is better); bh: business hours\n",
        h.in_bad(Lang::En),
        h.one_in(Lang::En, 20)
    );
    header(&mut out, exp, None);
    let w = col_w(exp.setups.len());
    for row in ROWS {
        let _ = write!(out, "{:LABEL_W$}", row.label(h));
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
        let bad = if h.is_year() {
            "  in a bad year"
        } else {
            "  in a bad period"
        };
        let _ = write!(out, "{bad:LABEL_W$}");
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
    let h = Horizon::new(u64::from(model.sim.years));
    for row in ROWS {
        let _ = write!(out, "{:LABEL_W$}", row.label(h));
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
    let h = Horizon::new(u64::from(model.sim.years));
    let _ = if h.is_year() {
        writeln!(
            out,
            "Chance of a year worse than a threshold (share of simulated years)\n"
        )
    } else {
        writeln!(
            out,
            "Chance of a {} worse than a threshold (per-year average; share of replications)\n",
            h.unit(Lang::En)
        )
    };
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

/// How the setups fare against the scenario's `[report] target`.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TargetCheck {
    /// Per setup: the target's statistic of its metric (NaN: no value in any year).
    pub(crate) values: Vec<f64>,
    /// Per setup: whether it meets the target.
    pub(crate) meets: Vec<bool>,
    /// The setups meeting the target with the lowest mean total cost: empty if none meets it,
    /// several if their costs tie (equal to the euro).
    pub(crate) cheapest: Vec<usize>,
    /// The next cheapest setup meeting the target, if any.
    pub(crate) runner_up: Option<usize>,
}

/// Which setups meet `target`, given per setup the target's statistic (`values`) and the mean
/// total cost per year (`costs`), and which of them is cheapest. Costs equal to the euro tie.
pub(crate) fn check_target(target: &Target, values: &[f64], costs: &[f64]) -> TargetCheck {
    let meets: Vec<bool> = values.iter().map(|v| target.met_by(*v)).collect();
    let mut order: Vec<usize> = (0..values.len()).filter(|&i| meets[i]).collect();
    // Stable: ties keep the scenario's order. NaN costs sort last.
    order.sort_by(|&a, &b| costs[a].total_cmp(&costs[b]));
    let euro = |i: usize| costs[i].round();
    let cheapest: Vec<usize> = match order.first() {
        Some(&first) => order
            .iter()
            .copied()
            .take_while(|&i| euro(i) == euro(first))
            .collect(),
        None => Vec::new(),
    };
    let runner_up = order.get(cheapest.len()).copied();
    TargetCheck {
        values: values.to_vec(),
        meets,
        cheapest,
        runner_up,
    }
}

/// The statistic of `stat` from a [`Summary`].
pub(crate) fn target_stat(s: &Summary, stat: TargetStat) -> f64 {
    match stat {
        TargetStat::Mean => s.mean,
        TargetStat::Percentile(5) => s.p5,
        TargetStat::Percentile(50) => s.p50,
        TargetStat::Percentile(90) => s.p90,
        TargetStat::Percentile(95) => s.p95,
        TargetStat::Percentile(99) => s.p99,
        // Validation admits only the percentiles above.
        TargetStat::Percentile(_) => f64::NAN,
    }
}

/// The target in words: `P95 of outage_bh ≤ 24`.
pub(crate) fn target_label(t: &Target) -> String {
    let stat = match t.stat {
        TargetStat::Mean => "mean".to_owned(),
        TargetStat::Percentile(n) => format!("P{n}"),
    };
    let (op, x) = match t.bound {
        TargetBound::Max(x) => ("≤", x),
        TargetBound::Min(x) => ("≥", x),
    };
    format!("{stat} of {} {op} {}", t.metric, num(x))
}

/// A bound or value without trailing zeros: `24`, `0.95`, `2.5`.
fn num(x: f64) -> String {
    if x.is_nan() {
        return "–".to_owned();
    }
    let d = if x.abs() >= 100.0 {
        0
    } else if x.abs() >= 1.0 {
        1
    } else {
        3
    };
    let s = format!("{x:.d$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// What the statistic means for a year, for the printed output: `1 year in 20 is worse`.
fn stat_meaning(t: &Target, h: Horizon) -> String {
    if !h.is_year() {
        return stat_meaning_period(t, h);
    }
    match (t.stat, t.bound) {
        (TargetStat::Mean, _) => "the average year".to_owned(),
        (TargetStat::Percentile(50), _) => "half the years are worse".to_owned(),
        (TargetStat::Percentile(n), bound) => {
            let worse = match bound {
                TargetBound::Max(_) => 100 - u32::from(n),
                TargetBound::Min(_) => u32::from(n),
            };
            match worse {
                10 => "1 year in 10 is worse".to_owned(),
                5 => "1 year in 20 is worse".to_owned(),
                1 => "1 year in 100 is worse".to_owned(),
                k => format!("{k} % of years are worse"),
            }
        }
    }
}

/// [`stat_meaning`] for replications of several years: the statistic is one of N-year periods.
fn stat_meaning_period(t: &Target, h: Horizon) -> String {
    let unit = h.unit(Lang::En);
    let units = h.units(Lang::En);
    match (t.stat, t.bound) {
        (TargetStat::Mean, _) => format!("the average year, over {units}"),
        (TargetStat::Percentile(50), _) => format!("half the {units} are worse"),
        (TargetStat::Percentile(n), bound) => {
            let worse = match bound {
                TargetBound::Max(_) => 100 - u32::from(n),
                TargetBound::Min(_) => u32::from(n),
            };
            match worse {
                10 | 5 | 1 => format!("1 {unit} in {} is worse", 100 / worse),
                k => format!("{k} % of {units} are worse"),
            }
        }
    }
}

/// Renders the check of the scenario's `[report] target`: per setup the target's statistic
/// (computed like `summary.csv`), whether it meets the target and its mean total cost, then the
/// cheapest setup that meets it (or that none does, or a tie). Empty without a target.
pub fn target_text(model: &Model, exp: &Experiment) -> String {
    let mut out = String::new();
    let Some(t) = &model.report.target else {
        return out;
    };
    let m = catalog().iter().position(|d| d.name == t.metric);
    let c = catalog().iter().position(|d| d.name == "cost_total_eur");
    let (Some(m), Some(c)) = (m, c) else {
        return out;
    };
    let values: Vec<f64> = exp
        .setups
        .iter()
        .map(|s| target_stat(&Summary::of(&s.values[m]), t.stat))
        .collect();
    let costs: Vec<f64> = exp
        .setups
        .iter()
        .map(|s| MeanCi::of(s.values[c].iter().copied()).mean)
        .collect();
    let check = check_target(t, &values, &costs);
    let _ = writeln!(
        out,
        "Target: {} ({})\n",
        target_label(t),
        stat_meaning(t, Horizon::new(u64::from(model.sim.years)))
    );
    let name_w = exp
        .setups
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0)
        .clamp(LABEL_W - 2, 40);
    let stat = match t.stat {
        TargetStat::Mean => "mean".to_owned(),
        TargetStat::Percentile(n) => format!("P{n}"),
    };
    let _ = writeln!(
        out,
        "  {:name_w$}{:>10}{:>10}{:>24}",
        "", stat, "target", "mean total cost / year"
    );
    for (i, s) in exp.setups.iter().enumerate() {
        let name: String = if s.name.chars().count() > name_w {
            s.name.chars().take(name_w - 1).chain(['…']).collect()
        } else {
            s.name.clone()
        };
        let verdict = if values[i].is_nan() {
            "no value"
        } else if check.meets[i] {
            "met"
        } else {
            "missed"
        };
        let _ = writeln!(
            out,
            "  {name:name_w$}{:>10}{verdict:>10}{:>22} €",
            num(values[i]),
            fmt(costs[i], 0, false)
        );
    }
    let _ = writeln!(out);
    match check.cheapest.as_slice() {
        [] => {
            // The closest miss: the lowest value under a max, the highest under a min.
            let closest =
                (0..values.len())
                    .filter(|&i| !values[i].is_nan())
                    .min_by(|&a, &b| match t.bound {
                        TargetBound::Max(_) => values[a].total_cmp(&values[b]),
                        TargetBound::Min(_) => values[b].total_cmp(&values[a]),
                    });
            let _ = match closest {
                Some(i) => writeln!(
                    out,
                    "No setup meets the target; the closest is \"{}\" with {}.",
                    exp.setups[i].name,
                    num(values[i])
                ),
                None => writeln!(out, "No setup meets the target."),
            };
        }
        [i] => {
            let _ = write!(
                out,
                "Cheapest setup that meets the target: \"{}\"\n({} € a year on average",
                exp.setups[*i].name,
                fmt(costs[*i], 0, false)
            );
            match check.runner_up {
                Some(r) => {
                    let _ = writeln!(
                        out,
                        "; next: \"{}\", {} € more).",
                        exp.setups[r].name,
                        fmt(costs[r] - costs[*i], 0, false)
                    );
                }
                None => {
                    let _ = writeln!(out, "; the only one that meets it).");
                }
            }
        }
        tied => {
            let names: Vec<String> = tied
                .iter()
                .map(|&i| format!("\"{}\"", exp.setups[i].name))
                .collect();
            let _ = writeln!(
                out,
                "Cheapest setups that meet the target, at the same cost ({} € a year on average): {}.",
                fmt(costs[tied[0]], 0, false),
                names.join(", ")
            );
        }
    }
    out
}

/// The printed rows as `(label, metric, decimals, percent, higher_is_better)`, for other views
/// of the same table (`covsim serve`), so that labels and rounding never drift apart.
pub fn headline_rows() -> impl Iterator<Item = (&'static str, &'static str, usize, bool, bool)> {
    ROWS.iter()
        .map(|r| (r.label, r.metric, r.decimals, r.percent, r.higher_is_better))
}

/// A number as the printed tables show it (see [`headline_rows`] for `decimals` and `percent`).
pub fn cell_text(x: f64, decimals: usize, percent: bool) -> String {
    fmt(x, decimals, percent)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(bound: TargetBound) -> Target {
        Target {
            metric: "outage_bh".into(),
            stat: TargetStat::Percentile(95),
            bound,
        }
    }

    #[test]
    fn the_cheapest_setup_meeting_the_target_is_named() {
        let t = target(TargetBound::Max(24.0));
        // Setup 0 is cheapest but misses; 2 is cheaper than 1; 3 has no value.
        let values = [30.0, 20.0, 24.0, f64::NAN];
        let costs = [100.0, 300.0, 200.0, 50.0];
        let c = check_target(&t, &values, &costs);
        assert_eq!(c.meets, [false, true, true, false]);
        assert_eq!(c.cheapest, [2]);
        assert_eq!(c.runner_up, Some(1));
    }

    #[test]
    fn none_meeting_and_ties_are_stated() {
        let t = target(TargetBound::Max(10.0));
        let c = check_target(&t, &[30.0, 20.0], &[100.0, 300.0]);
        assert!(c.cheapest.is_empty() && c.runner_up.is_none());
        // Costs equal to the euro tie, in the scenario's order.
        let t = target(TargetBound::Min(0.9));
        let c = check_target(&t, &[0.95, 0.99, 0.5, 0.92], &[200.2, 199.9, 10.0, 250.0]);
        assert_eq!(c.meets, [true, true, false, true]);
        assert_eq!(c.cheapest, [1, 0]);
        assert_eq!(c.runner_up, Some(3));
    }

    #[test]
    fn the_printed_target_names_the_cheapest_setup_meeting_it() {
        let text = include_str!("../../scenarios/sla-options.toml");
        let mut model = crate::scenario::from_str(text, "sla-options.toml").unwrap();
        let cancel = std::sync::atomic::AtomicBool::new(false);
        let hooks = crate::montecarlo::Hooks {
            cancel: &cancel,
            progress: &|_| {},
        };
        let plan = crate::montecarlo::Plan {
            first: 0,
            count: 40,
            threads: Some(2),
        };
        let exp = crate::montecarlo::run(&model, plan, &hooks).unwrap();
        let out = target_text(&model, &exp);
        println!("{out}");
        assert!(out.starts_with("Target: P95 of outage_bh ≤ 24 (1 year in 20 is worse)"));
        assert!(
            out.contains("Cheapest setup that meets the target: \""),
            "{out}"
        );
        for s in &exp.setups {
            assert!(out.contains(&s.name), "{out}");
        }
        // A target nobody meets says so; without a target there is nothing to print.
        model.report.target = Some(target(TargetBound::Max(0.0)));
        let out = target_text(&model, &exp);
        assert!(out.contains("No setup meets the target"), "{out}");
        model.report.target = None;
        assert_eq!(target_text(&model, &exp), "");
    }

    #[test]
    fn the_target_reads_as_written() {
        assert_eq!(
            target_label(&target(TargetBound::Max(24.0))),
            "P95 of outage_bh ≤ 24"
        );
        assert_eq!(
            stat_meaning(&target(TargetBound::Max(24.0)), Horizon::new(1)),
            "1 year in 20 is worse"
        );
        assert_eq!(num(0.950), "0.95");
        assert_eq!(num(2000.0), "2000");
    }
}
