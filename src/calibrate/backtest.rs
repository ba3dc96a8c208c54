//! The backtest: does the scenario reproduce what the client's ticket export shows?
//!
//! The named setup (the one the client actually had) is simulated over the export's years,
//! many replications. Each replication is written as an export of the same period
//! ([`super::simulated`]) and measured exactly as the client's export is measured, so observed
//! and simulated values are comparable by construction (the same business hours, the same
//! censoring at the export time, the same tickets: those created inside the period).
//!
//! # What is compared
//!
//! - response and resolution times per priority, median and 90th percentile, in business hours
//!   of the scenario's calendar (see [`super::observed`]). Tickets still pending at the export
//!   time are right-censored: the quantiles are Kaplan–Meier quantiles (the smallest time at
//!   which the estimated share done reaches the quantile), which equal the plain quantiles when
//!   nothing is censored. A quantile needs at least [`MIN_TICKETS`] tickets of its priority in
//!   the export; a quantile the export cannot reach (too many tickets still open) is left out;
//!   in a replication it counts as larger than any time;
//! - tickets created per week: the mean and the standard deviation over the whole weeks of the
//!   period (from its start), and the mean per priority;
//! - the backlog (tickets created in the period and still open) at the end of every month
//!   inside the period. Tickets created before the period are not in an export and are not
//!   counted on either side.
//!
//! # Bands and verdicts
//!
//! For each metric the simulated values of the replications give a 90 % band, from their 5th
//! to their 95th percentile (type 7). The band's own Monte Carlo uncertainty is the
//! distribution-free 95 % confidence interval of each of those two percentiles
//! ([`crate::stats::quantile_ci`]). The verdict is *inside* the band, *above* or *below*; it is
//! *borderline* when the confidence interval of a band edge reaches past the observed value, so
//! that more replications could turn the verdict.
//!
//! # The score
//!
//! If the model were right, the observed history would be one more draw of the simulated
//! process, and exchangeability puts it between the `r`-th and `s`-th of `R` replications'
//! values with probability at least `(s − r)/(R + 1)`, where `r` and `s` are the ranks just
//! inside the band's percentiles (for `R` = 200: 179/201 = 0.89). With `k` metrics, misses then
//! number about Binomial(`k`, 1 − that); the score is the share of metrics inside, and the
//! model *reproduces the history* when the misses do not exceed that binomial's 99th
//! percentile ([`acceptable_misses`]). The metrics are correlated (neighbouring month ends,
//! median and P90), which widens the real spread of the misses beyond the binomial's: a result
//! near the limit should be read metric by metric.

use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use rayon::prelude::*;

use super::observed::{BusinessClock, TicketTimes, ticket_times};
use super::{Export, simulated};
use crate::engine::Simulator;
use crate::model::{Model, Priority};
use crate::montecarlo::{Hooks, Interrupted, RunError};
use crate::scenario::{Override, ScenarioErrors};

/// Replications of a backtest unless told otherwise: enough for the band's percentiles to be
/// bounded on both sides (the 95 % CI of the 5th percentile needs about 60).
pub const DEFAULT_REPLICATIONS: u64 = 200;

/// Fewest replications a backtest accepts: below this the 90 % band's edges are the extreme
/// values and have no confidence interval.
pub const MIN_REPLICATIONS: u64 = 20;

/// Most replications a backtest accepts: the band edges' CIs shrink only with their square
/// root, and every replication's values are kept (100,000 take about six minutes on two cores).
pub const MAX_REPLICATIONS: u64 = 100_000;

/// Fewest tickets of a priority in the export for its time quantiles to be compared.
pub const MIN_TICKETS: usize = 10;

/// Level of the binomial bound on the misses of a model that reproduces the history.
pub const SCORE_LEVEL: f64 = 0.99;

/// Response or resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeKind {
    /// Creation to first response.
    Response,
    /// Creation to closing.
    Resolution,
}

/// One compared metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetricId {
    /// A quantile (50 or 90 [%]) of response or resolution times of a priority [business hours].
    Time {
        /// Response or resolution.
        kind: TimeKind,
        /// Priority.
        priority: Priority,
        /// The quantile in percent: 50 or 90.
        quantile: u8,
    },
    /// Mean tickets created per week, of one priority or (`None`) all.
    WeeklyMean(Option<Priority>),
    /// Standard deviation of the tickets created per week (all priorities).
    WeeklySd,
    /// Tickets of the period still open at the end of this day (the last day of a month).
    Backlog(NaiveDate),
}

impl MetricId {
    /// The metric's key in `backtest.csv`, e.g. `response_p3_p50_bh`, `tickets_per_week_mean`,
    /// `tickets_per_week_p2_mean`, `tickets_per_week_sd`, `backlog_2025-01-31`.
    pub fn key(&self) -> String {
        match self {
            MetricId::Time {
                kind,
                priority,
                quantile,
            } => format!(
                "{}_{}_p{quantile}_bh",
                match kind {
                    TimeKind::Response => "response",
                    TimeKind::Resolution => "resolution",
                },
                priority.label().to_lowercase()
            ),
            MetricId::WeeklyMean(None) => "tickets_per_week_mean".to_owned(),
            MetricId::WeeklyMean(Some(p)) => {
                format!("tickets_per_week_{}_mean", p.label().to_lowercase())
            }
            MetricId::WeeklySd => "tickets_per_week_sd".to_owned(),
            MetricId::Backlog(d) => format!("backlog_{}", d.format("%Y-%m-%d")),
        }
    }
}

/// Where the observed value lies against the simulated band.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Verdict {
    /// Between the band's 5th and 95th percentile (inclusive).
    Inside,
    /// Above the 95th percentile.
    Above,
    /// Below the 5th percentile.
    Below,
}

impl Verdict {
    /// `inside`, `above` or `below` (the value in `backtest.csv`).
    pub fn key(self) -> &'static str {
        match self {
            Verdict::Inside => "inside",
            Verdict::Above => "above",
            Verdict::Below => "below",
        }
    }
}

/// The simulated 90 % band of one metric.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Band {
    /// 5th percentile of the replications' values.
    pub p5: f64,
    /// Its distribution-free 95 % CI (an end the replications cannot bound is NaN).
    pub p5_ci: (f64, f64),
    /// Median of the replications' values.
    pub median: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Its 95 % CI.
    pub p95_ci: (f64, f64),
    /// Replications with a value (a replication without a ticket of the priority has none).
    pub replications: u64,
}

/// One metric's comparison.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    /// The metric.
    pub metric: MetricId,
    /// Its value in the export.
    pub observed: f64,
    /// The simulated band.
    pub band: Band,
    /// Inside, above or below.
    pub verdict: Verdict,
    /// More replications could turn the verdict: the CI of a band edge reaches past the
    /// observed value.
    pub borderline: bool,
}

/// A finished backtest.
#[derive(Clone, Debug, PartialEq)]
pub struct Backtest {
    /// Scenario name.
    pub scenario: String,
    /// The setup simulated.
    pub setup: String,
    /// The export's file name.
    pub source: String,
    /// Start and end of the compared period (the export's).
    pub period: (NaiveDateTime, NaiveDateTime),
    /// Tickets of the export created inside the period.
    pub tickets: u64,
    /// Replications simulated.
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// Every compared metric, in a fixed order (times, volume, backlog).
    pub comparisons: Vec<Comparison>,
    /// Metrics that could not be compared, and why (e.g. too few P1 tickets).
    pub skipped: Vec<(MetricId, String)>,
    /// Probability that a metric of a right model lies outside its band (see the module doc).
    pub miss_probability: f64,
    /// Most misses a right model shows at [`SCORE_LEVEL`].
    pub acceptable_misses: usize,
}

impl Backtest {
    /// Metrics inside their band.
    pub fn inside(&self) -> usize {
        self.comparisons
            .iter()
            .filter(|c| c.verdict == Verdict::Inside)
            .count()
    }

    /// Share of metrics inside their band (NaN without metrics).
    pub fn score(&self) -> f64 {
        self.inside() as f64 / self.comparisons.len() as f64
    }

    /// Whether the misses are few enough for a model that reproduces the history.
    pub fn reproduces(&self) -> bool {
        self.comparisons.len() - self.inside() <= self.acceptable_misses
    }
}

/// Settings of a backtest.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Options {
    /// Replications (at least [`MIN_REPLICATIONS`]).
    pub replications: u64,
    /// Master seed.
    pub seed: u64,
    /// Worker threads (`None`: one per core). Results do not depend on it.
    pub threads: Option<usize>,
}

/// Why a backtest could not run.
#[derive(Debug, thiserror::Error)]
pub enum BacktestError {
    /// The setup name is not in the scenario.
    #[error("the scenario has no setup {name:?}; its setups are: {known}")]
    UnknownSetup {
        /// The name asked for.
        name: String,
        /// The scenario's setup names.
        known: String,
    },
    /// The model does not simulate the export's period.
    #[error(
        "the scenario simulates {simulated}, but the export covers {period}; build the model with \
         calibrate::backtest::model_for_export, which sets company.year and simulation.years"
    )]
    PeriodNotSimulated {
        /// The simulated window.
        simulated: String,
        /// The export's period.
        period: String,
    },
    /// The export's period is empty or has no ticket.
    #[error("{0}")]
    NothingToCompare(String),
    /// Too few replications for a band.
    #[error(
        "{0} replications are too few for a 90 % band with a confidence interval; use at least {MIN_REPLICATIONS} (default {DEFAULT_REPLICATIONS})"
    )]
    TooFewReplications(u64),
    /// More replications than a backtest can use.
    #[error(
        "{0} replications are more than a backtest needs; use at most {MAX_REPLICATIONS} (default {DEFAULT_REPLICATIONS})"
    )]
    TooManyReplications(u64),
    /// The simulation did not finish (threads, interruption).
    #[error(transparent)]
    Run(#[from] RunError),
}

impl BacktestError {
    /// Whether the input is at fault (exit code 2) rather than the run (exit code 1).
    pub fn is_usage(&self) -> bool {
        !matches!(
            self,
            BacktestError::Run(RunError::Interrupted(_) | RunError::Threads { .. })
        )
    }
}

/// The overrides that make a scenario simulate the years of `export`'s period:
/// `company.year` = the first year, `simulation.years` = the number of years up to the last.
pub fn period_overrides(export: &Export) -> Vec<Override> {
    let (first, last) = period_years(export);
    vec![
        Override::new("company.year", toml::Value::Integer(i64::from(first))),
        Override::new(
            "simulation.years",
            toml::Value::Integer(i64::from(last - first + 1)),
        ),
    ]
}

/// First and last calendar year with an instant of the period `[observed_from, observed_until)`.
fn period_years(export: &Export) -> (i32, i32) {
    let first = export.observed_from.year();
    let last_instant = export.observed_until - Duration::seconds(1);
    (first, last_instant.year().max(first))
}

/// Validates scenario `text` (file name `file`, for messages) with the years of `export`'s
/// period ([`period_overrides`]), so that the simulation covers the period with its own
/// calendar (weekdays, holidays, dated absences).
pub fn model_for_export(text: &str, file: &str, export: &Export) -> Result<Model, ScenarioErrors> {
    crate::scenario::from_str_with(text, file, &period_overrides(export))
}

/// Simulates setup `setup` of `model` over `export`'s period and compares (see the module
/// documentation). `model` must simulate the period ([`model_for_export`]). Deterministic:
/// the same inputs and seed give the same result whatever the number of threads.
pub fn run(
    model: &Model,
    setup: &str,
    export: &Export,
    options: &Options,
    hooks: &Hooks<'_>,
) -> Result<Backtest, BacktestError> {
    let setup_idx = model
        .setups
        .iter()
        .position(|s| s.name == setup)
        .ok_or_else(|| BacktestError::UnknownSetup {
            name: setup.to_owned(),
            known: model
                .setups
                .iter()
                .map(|s| format!("{:?}", s.name))
                .collect::<Vec<_>>()
                .join(", "),
        })?;
    if options.replications < MIN_REPLICATIONS {
        return Err(BacktestError::TooFewReplications(options.replications));
    }
    if options.replications > MAX_REPLICATIONS {
        return Err(BacktestError::TooManyReplications(options.replications));
    }
    let (from, until) = (export.observed_from, export.observed_until);
    if until <= from {
        return Err(BacktestError::NothingToCompare(format!(
            "the export's period is empty: it ends ({until}) before it starts ({from})"
        )));
    }
    let window_start = simulated::local(&model.calendar, crate::time::SimTime::ZERO);
    let window_end = simulated::local(&model.calendar, model.window_end());
    if from < window_start || until > window_end {
        return Err(BacktestError::PeriodNotSimulated {
            simulated: format!("{} to {}", window_start.date(), window_end.date()),
            period: format!("{from} to {until}"),
        });
    }
    let observed = restrict(export, from, until);
    if observed.tickets.is_empty() {
        return Err(BacktestError::NothingToCompare(format!(
            "{}: no ticket was created between {from} and {until}",
            export.source
        )));
    }
    let clock = BusinessClock::for_export(model, &observed);
    let measure = |e: &Export| Measured::of(e, &clock);
    let obs = measure(&observed);
    let (metrics, skipped) = choose_metrics(&obs);
    if metrics.is_empty() {
        // No metric would make every score vacuous: say so instead of "reproduces".
        return Err(BacktestError::NothingToCompare(format!(
            "{}: nothing to compare between {from} and {until}: {}",
            export.source,
            skipped
                .iter()
                .map(|(id, why)| format!("{}: {why}", id.key()))
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }

    let mut model = model.clone();
    model.sim.seed = options.seed;
    let sim = Simulator::new(&model).with_cancel(hooks.cancel);
    let pool = crate::montecarlo::pool(options.threads)?;
    let done = AtomicU64::new(0);
    // Each replication is measured on its own; collecting in replication order makes the
    // result independent of the thread count.
    let values: Vec<Vec<f64>> = pool.install(|| {
        (0..options.replications)
            .into_par_iter()
            .map(|rep| {
                if hooks.cancel.load(Ordering::Relaxed) {
                    return Vec::new();
                }
                let e = restrict(&simulated::export_with(&sim, setup_idx, rep), from, until);
                let m = measure(&e);
                (hooks.progress)(done.fetch_add(1, Ordering::Relaxed) + 1);
                metrics.iter().map(|id| m.value(id)).collect()
            })
            .collect()
    });
    if hooks.cancel.load(Ordering::Relaxed) {
        return Err(RunError::Interrupted(Interrupted {
            done: done.load(Ordering::Relaxed),
            total: options.replications,
        })
        .into());
    }
    let comparisons = metrics
        .iter()
        .enumerate()
        .map(|(k, &metric)| {
            let band = band(values.iter().map(|v| v[k]));
            compare(metric, obs.value(&metric), band)
        })
        .collect::<Vec<_>>();
    let miss_probability = miss_probability(options.replications);
    Ok(Backtest {
        scenario: model.name.clone(),
        setup: setup.to_owned(),
        source: export.source.clone(),
        period: (from, until),
        tickets: observed.tickets.len() as u64,
        replications: options.replications,
        seed: options.seed,
        acceptable_misses: acceptable_misses(comparisons.len(), miss_probability, SCORE_LEVEL),
        comparisons,
        skipped,
        miss_probability,
    })
}

/// The tickets of `export` created in `[from, until)`, as an export taken at `until`: later
/// responses and closings are not known yet.
pub fn restrict(export: &Export, from: NaiveDateTime, until: NaiveDateTime) -> Export {
    let known = |t: Option<NaiveDateTime>| t.filter(|&t| t < until);
    Export {
        source: export.source.clone(),
        tickets: export
            .tickets
            .iter()
            .filter(|t| t.created >= from && t.created < until)
            .map(|t| super::ExportTicket {
                first_response: known(t.first_response),
                closed: known(t.closed),
                ..t.clone()
            })
            .collect(),
        observed_from: from,
        observed_until: until,
        report: export.report.clone(),
    }
}

/// Times of one priority `(business hours, observed)`; `false` marks a right-censored time.
type Sample = Vec<(f64, bool)>;

/// Everything compared, measured on one export.
struct Measured {
    /// Per priority: tickets, response and resolution samples.
    times: [(usize, Sample, Sample); 4],
    /// Tickets created in each whole week of the period, per priority.
    weeks: Vec<[u32; 4]>,
    /// `(last day of a month, tickets open at its end)` for every month end in the period.
    backlog: Vec<(NaiveDate, u32)>,
}

impl Measured {
    fn of(e: &Export, clock: &BusinessClock) -> Measured {
        let mut times: [(usize, Sample, Sample); 4] = Default::default();
        for t in ticket_times(e, clock) {
            let TicketTimes {
                priority,
                response,
                resolution,
            } = t;
            let slot = &mut times[priority.index()];
            slot.0 += 1;
            if let Some(r) = response {
                slot.1.push(r);
            }
            slot.2.push(resolution);
        }
        let week = Duration::days(7);
        let n_weeks = ((e.observed_until - e.observed_from).num_seconds() / week.num_seconds())
            .max(0) as usize;
        let mut weeks = vec![[0u32; 4]; n_weeks];
        for t in &e.tickets {
            let w = ((t.created - e.observed_from).num_seconds() / week.num_seconds()) as usize;
            if let Some(slot) = weeks.get_mut(w) {
                slot[t.priority.index()] += 1;
            }
        }
        let backlog = month_ends(e.observed_from, e.observed_until)
            .into_iter()
            .map(|(day, end)| {
                let open = e
                    .tickets
                    .iter()
                    .filter(|t| t.created < end && t.closed.is_none_or(|c| c >= end))
                    .count() as u32;
                (day, open)
            })
            .collect();
        Measured {
            times,
            weeks,
            backlog,
        }
    }

    /// The metric's value: NaN when the export has nothing to measure it on (no ticket of the
    /// priority, no whole week), +∞ for a time quantile that the censoring leaves unreached.
    fn value(&self, id: &MetricId) -> f64 {
        match *id {
            MetricId::Time {
                kind,
                priority,
                quantile,
            } => {
                let (_, resp, reso) = &self.times[priority.index()];
                let sample = match kind {
                    TimeKind::Response => resp,
                    TimeKind::Resolution => reso,
                };
                if sample.is_empty() {
                    return f64::NAN;
                }
                km_quantile(sample, f64::from(quantile) / 100.0).unwrap_or(f64::INFINITY)
            }
            MetricId::WeeklyMean(p) => {
                let counts = self.weekly(p);
                if counts.is_empty() {
                    return f64::NAN;
                }
                counts.iter().sum::<f64>() / counts.len() as f64
            }
            MetricId::WeeklySd => {
                let counts = self.weekly(None);
                if counts.len() < 2 {
                    return f64::NAN;
                }
                let n = counts.len() as f64;
                let mean = counts.iter().sum::<f64>() / n;
                (counts.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
            }
            MetricId::Backlog(day) => self
                .backlog
                .iter()
                .find(|(d, _)| *d == day)
                .map_or(f64::NAN, |(_, n)| f64::from(*n)),
        }
    }

    fn weekly(&self, p: Option<Priority>) -> Vec<f64> {
        self.weeks
            .iter()
            .map(|w| match p {
                Some(p) => f64::from(w[p.index()]),
                None => f64::from(w.iter().sum::<u32>()),
            })
            .collect()
    }
}

/// `(last day of the month, midnight after it)` for every month end in `(from, until]`.
fn month_ends(from: NaiveDateTime, until: NaiveDateTime) -> Vec<(NaiveDate, NaiveDateTime)> {
    let mut out = Vec::new();
    let mut first = from.date().with_day(1).expect("day 1 exists");
    while let Some(next) = first.checked_add_months(chrono::Months::new(1)) {
        let end = next.and_hms_opt(0, 0, 0).expect("midnight exists");
        if end > until {
            break;
        }
        if end > from {
            out.push((next.pred_opt().expect("a day before"), end));
        }
        first = next;
    }
    out
}

/// Which metrics the export can be compared on, and the others with the reason.
fn choose_metrics(obs: &Measured) -> (Vec<MetricId>, Vec<(MetricId, String)>) {
    let mut metrics = Vec::new();
    let mut skipped = Vec::new();
    for kind in [TimeKind::Response, TimeKind::Resolution] {
        for p in Priority::ALL {
            let (n, resp, _) = &obs.times[p.index()];
            for quantile in [50, 90] {
                let id = MetricId::Time {
                    kind,
                    priority: p,
                    quantile,
                };
                let why = if *n < MIN_TICKETS {
                    Some(format!(
                        "{n} {} tickets in the export, fewer than {MIN_TICKETS}",
                        p.label()
                    ))
                } else if kind == TimeKind::Response && resp.iter().all(|r| !r.1) {
                    Some("the export has no first responses".to_owned())
                } else if obs.value(&id).is_infinite() {
                    Some(format!(
                        "too many {} tickets still open at the export time to reach the {quantile} % point",
                        p.label()
                    ))
                } else {
                    None
                };
                match why {
                    Some(w) => skipped.push((id, w)),
                    None => metrics.push(id),
                }
            }
        }
    }
    if obs.weeks.is_empty() {
        skipped.push((
            MetricId::WeeklyMean(None),
            "the period is shorter than a week".to_owned(),
        ));
    } else {
        metrics.push(MetricId::WeeklyMean(None));
        if obs.weeks.len() >= 2 {
            metrics.push(MetricId::WeeklySd);
        } else {
            skipped.push((
                MetricId::WeeklySd,
                "the period has one whole week".to_owned(),
            ));
        }
        for p in Priority::ALL {
            metrics.push(MetricId::WeeklyMean(Some(p)));
        }
    }
    metrics.extend(obs.backlog.iter().map(|(d, _)| MetricId::Backlog(*d)));
    (metrics, skipped)
}

/// Kaplan–Meier `q` quantile of `(time, observed)` (false: right-censored at that time): the
/// smallest time at which the estimated share done reaches `q`; `None` if it never does.
/// At equal times events count before censorings, the usual convention.
pub(crate) fn km_quantile(sample: &[(f64, bool)], q: f64) -> Option<f64> {
    let mut s: Vec<(f64, bool)> = sample.to_vec();
    s.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = s.len() as f64;
    let mut survival = 1.0;
    let mut i = 0;
    while i < s.len() {
        let t = s[i].0;
        let (mut events, mut all) = (0.0, 0.0);
        while i < s.len() && s[i].0 == t {
            events += f64::from(u8::from(s[i].1));
            all += 1.0;
            i += 1;
        }
        if events > 0.0 {
            survival *= 1.0 - events / at_risk;
            // A relative tolerance, so that q·n events out of n uncensored tickets reach q.
            if 1.0 - survival >= q - 1e-12 {
                return Some(t);
            }
        }
        at_risk -= all;
    }
    None
}

/// The band of the replications' values; NaN values (nothing to measure) are left out.
fn band(values: impl Iterator<Item = f64>) -> Band {
    let mut v: Vec<f64> = values.filter(|x| !x.is_nan()).collect();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return Band {
            p5: f64::NAN,
            p5_ci: (f64::NAN, f64::NAN),
            median: f64::NAN,
            p95: f64::NAN,
            p95_ci: (f64::NAN, f64::NAN),
            replications: 0,
        };
    }
    Band {
        p5: quantile7(&v, 0.05),
        p5_ci: crate::stats::quantile_ci(&v, 0.05),
        median: quantile7(&v, 0.5),
        p95: quantile7(&v, 0.95),
        p95_ci: crate::stats::quantile_ci(&v, 0.95),
        replications: v.len() as u64,
    }
}

/// Type-7 quantile of sorted values that may hold +∞ (an interpolation weight of zero must not
/// multiply an infinite difference).
fn quantile7(sorted: &[f64], q: f64) -> f64 {
    let (lo, hi, frac) = crate::stats::quantile_ranks(sorted.len(), q);
    if frac == 0.0 || sorted[lo] == sorted[hi] {
        sorted[lo]
    } else {
        crate::stats::interpolate(sorted[lo], sorted[hi], frac)
    }
}

fn compare(metric: MetricId, observed: f64, band: Band) -> Comparison {
    let verdict = if observed > band.p95 {
        Verdict::Above
    } else if observed < band.p5 {
        Verdict::Below
    } else {
        Verdict::Inside
    };
    // The verdict could flip with more replications when the CI of a band edge reaches past
    // the observed value; an end the replications cannot bound reaches as far as can be.
    let lo = |x: f64| if x.is_nan() { f64::NEG_INFINITY } else { x };
    let hi = |x: f64| if x.is_nan() { f64::INFINITY } else { x };
    let borderline = match verdict {
        Verdict::Above => hi(band.p95_ci.1) >= observed,
        Verdict::Below => lo(band.p5_ci.0) <= observed,
        Verdict::Inside => hi(band.p5_ci.1) > observed || lo(band.p95_ci.0) < observed,
    };
    Comparison {
        metric,
        observed,
        band,
        verdict,
        borderline,
    }
}

/// Probability that one more draw of a process lies outside the 90 % band of `replications`
/// draws, at most: one minus `(s − r)/(R + 1)` with `r`, `s` the 1-based ranks just inside the
/// band's type-7 percentiles (exchangeability; ties only make "inside" likelier).
pub fn miss_probability(replications: u64) -> f64 {
    let n = replications as usize;
    let (lo, _, frac_lo) = crate::stats::quantile_ranks(n, 0.05);
    let (hi_floor, _, _) = crate::stats::quantile_ranks(n, 0.95);
    // 1-based rank at or above the 5th percentile, and at or below the 95th.
    let r = lo + 1 + usize::from(frac_lo > 0.0);
    let s = hi_floor + 1;
    1.0 - (s.saturating_sub(r)) as f64 / (replications + 1) as f64
}

/// The most misses among `k` metrics that a right model shows with probability `level`, if
/// each misses independently with probability `p`: the `level` quantile of Binomial(`k`, `p`).
pub fn acceptable_misses(k: usize, p: f64, level: f64) -> usize {
    let mut cdf = 0.0;
    let mut pmf = (1.0 - p).powi(k as i32);
    for m in 0..=k {
        cdf += pmf;
        if cdf >= level {
            return m;
        }
        pmf *= (k - m) as f64 / (m + 1) as f64 * p / (1.0 - p);
    }
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn km_equals_the_plain_quantile_without_censoring() {
        let s: Vec<(f64, bool)> = (1..=10).map(|i| (f64::from(i), true)).collect();
        assert_eq!(km_quantile(&s, 0.5), Some(5.0));
        assert_eq!(km_quantile(&s, 0.9), Some(9.0));
        assert_eq!(km_quantile(&s, 0.91), Some(10.0));
    }

    #[test]
    fn km_redistributes_censored_mass_to_later_times() {
        // 1, 2 done; 3 censored; 4, 5 done. S: 0.8 at 1, 0.6 at 2, then 0.6·(1 − 1/2) = 0.3
        // at 4, 0 at 5. The median is reached at 4; dropping the censored ticket would give 2,
        // counting it as done at 3 would give 3.
        let s = [
            (1.0, true),
            (2.0, true),
            (3.0, false),
            (4.0, true),
            (5.0, true),
        ];
        assert_eq!(km_quantile(&s, 0.5), Some(4.0));
        assert_eq!(km_quantile(&s, 0.4), Some(2.0));
        // Everything censored after 2: the 90 % point is never reached.
        let s = [(1.0, true), (2.0, true), (3.0, false), (4.0, false)];
        assert_eq!(km_quantile(&s, 0.9), None);
    }

    #[test]
    fn the_band_bound_matches_exchangeability() {
        // R = 200: ranks 11 and 190 lie inside the type-7 5th and 95th percentiles.
        assert!((miss_probability(200) - (1.0 - 179.0 / 201.0)).abs() < 1e-15);
        // R = 21: h = 1 and 19 exactly; ranks 2 and 20.
        assert!((miss_probability(21) - (1.0 - 18.0 / 22.0)).abs() < 1e-15);
    }

    #[test]
    fn acceptable_misses_is_the_binomial_quantile() {
        // Binomial(10, 0.1): P(≤ 3) = 0.9872, P(≤ 4) = 0.9984.
        assert_eq!(acceptable_misses(10, 0.1, 0.99), 4);
        assert_eq!(acceptable_misses(10, 0.1, 0.98), 3);
        assert_eq!(acceptable_misses(0, 0.1, 0.99), 0);
    }

    #[test]
    fn month_ends_lie_inside_the_period() {
        let d = |y, m, day| {
            NaiveDate::from_ymd_opt(y, m, day)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap()
        };
        let ends = month_ends(d(2025, 1, 15), d(2025, 4, 1));
        let days: Vec<String> = ends.iter().map(|(x, _)| x.to_string()).collect();
        assert_eq!(days, ["2025-01-31", "2025-02-28", "2025-03-31"]);
        assert_eq!(month_ends(d(2025, 1, 1), d(2026, 1, 1)).len(), 12);
    }
}
