//! The summary table `covsim run` prints: setups side by side, one row per headline figure.

use std::fmt::Write;

use crate::engine::ReplicationResult;
use crate::model::Model;
use crate::stats::{MeanCi, quantile};

/// The replications of one setup, in replication order.
pub struct SetupRuns<'a> {
    /// Setup name.
    pub name: &'a str,
    /// Results, in replication order.
    pub results: &'a [ReplicationResult],
}

/// One table row: a label and how to read the value from the metrics.
struct Row {
    label: &'static str,
    get: fn(&crate::engine::Metrics) -> f64,
    decimals: usize,
    percent: bool,
    /// Whether more is better (coverage, SLA share): then a bad year is the low end.
    higher_is_better: bool,
}

const ROWS: &[Row] = &[
    Row {
        label: "User-hours lost / year",
        get: |m| m.user_hours_lost,
        decimals: 0,
        percent: false,
        higher_is_better: false,
    },
    Row {
        label: "Outage hours / year",
        get: |m| m.outage_hours,
        decimals: 1,
        percent: false,
        higher_is_better: false,
    },
    Row {
        label: "Backlog max (tickets)",
        get: |m| m.backlog_max,
        decimals: 0,
        percent: false,
        higher_is_better: false,
    },
    Row {
        label: "P1 response P95 (bh)",
        get: |m| m.response[0].p95,
        decimals: 1,
        percent: false,
        higher_is_better: false,
    },
    Row {
        label: "P2 resolution P95 (bh)",
        get: |m| m.resolution[1].p95,
        decimals: 1,
        percent: false,
        higher_is_better: false,
    },
    Row {
        label: "P2 resolved within SLA",
        get: |m| m.resolution[1].within_sla,
        decimals: 1,
        percent: true,
        higher_is_better: true,
    },
    Row {
        label: "Coverage of business hrs",
        get: |m| m.coverage_share,
        decimals: 1,
        percent: true,
        higher_is_better: true,
    },
    Row {
        label: "Hours with nobody / year",
        get: |m| m.uncovered_hours,
        decimals: 0,
        percent: false,
        higher_is_better: false,
    },
    Row {
        label: "Longest gap (days)",
        get: |m| m.longest_gap_days,
        decimals: 1,
        percent: false,
        higher_is_better: false,
    },
    Row {
        label: "Knowledge-blocked tickets",
        get: |m| m.knowledge_blocked,
        decimals: 1,
        percent: false,
        higher_is_better: false,
    },
    Row {
        label: "Emergency calls / year",
        get: |m| m.emergency_calls,
        decimals: 1,
        percent: false,
        higher_is_better: false,
    },
];

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

/// Renders the table: for every headline figure the mean (± half-width of its 95 % CI) and the
/// value of a bad year (one year in twenty is worse: the P95, or the P5 where more is better).
pub fn summary_table(
    model: &Model,
    runs: &[SetupRuns<'_>],
    replications: u64,
    seed: u64,
) -> String {
    let mut out = String::new();
    let years = model.sim.years;
    let _ = writeln!(
        out,
        "{} — {} replication{} of {} year{} each, seed {}",
        model.name,
        replications,
        if replications == 1 { "" } else { "s" },
        years,
        if years == 1 { "" } else { "s" },
        seed
    );
    let _ = writeln!(
        out,
        "mean ± half-width of its 95 % CI; \"in a bad year\": 1 year in 20 is worse\n(the P95 across replications, or the P5 where more is better)\n"
    );
    let label_w = 27;
    let col_w = 20;
    let _ = write!(out, "{:label_w$}", "");
    for r in runs {
        let name: String = r.name.chars().take(col_w - 1).collect();
        let _ = write!(out, "{name:>col_w$}");
    }
    let _ = writeln!(out);
    for row in ROWS {
        let _ = write!(out, "{:label_w$}", row.label);
        for r in runs {
            let s = MeanCi::of(r.results.iter().map(|x| (row.get)(&x.metrics)));
            let cell = if s.half_width.is_nan() {
                fmt(s.mean, row.decimals, row.percent)
            } else {
                format!(
                    "{} ±{}",
                    fmt(s.mean, row.decimals, row.percent),
                    fmt(s.half_width, row.decimals, row.percent)
                )
            };
            let _ = write!(out, "{cell:>col_w$}");
        }
        let _ = writeln!(out);
        let _ = write!(out, "{:label_w$}", "  in a bad year");
        let q = if row.higher_is_better { 0.05 } else { 0.95 };
        for r in runs {
            let p = quantile(r.results.iter().map(|x| (row.get)(&x.metrics)), q);
            let _ = write!(out, "{:>col_w$}", fmt(p, row.decimals, row.percent));
        }
        let _ = writeln!(out);
    }
    out
}
