//! Calibration from a client's ticket export, and the backtest that shows the calibrated model
//! reproduces it.
//!
//! The flow, one arrow per part:
//!
//! ```text
//! export file ─▶ ingest (read CSV/XLSX, presets, dates, priorities) ─▶ Export
//!             ─▶ estimate (rates, profiles, effort fits) ─▶ Calibration
//!             ─▶ write (scenario TOML, calibration.html)
//! Export + scenario ─▶ backtest (simulate the export's period, compare) ─▶ verdicts
//! ```
//!
//! The types here are the contract between those parts. They hold no free text and no personal
//! data: ingest reads only the columns it needs (GDPR), so nothing downstream can leak them.

pub mod backtest;
pub mod backtest_text;
pub mod charts;
mod density;
pub mod estimate;
mod estimate_arrivals;
mod estimate_error;
pub mod fit;
pub mod fit_gof;
pub mod html;
pub mod ingest;
pub mod observed;
pub mod simulated;
pub mod write;

use chrono::{NaiveDate, NaiveDateTime};

use crate::dist::DistSpec;
use crate::model::Priority;

/// One ticket as read from an export, reduced to the fields calibration needs.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportTicket {
    /// The ticket's id in the ticket system (kept only to find duplicates and to name lines in
    /// messages; never written to any output).
    pub id: String,
    /// Line of the file the ticket's kept row came from (1 = the header), for messages.
    pub line: u64,
    /// Creation time, local wall-clock time of the client's site (DST resolved).
    pub created: NaiveDateTime,
    /// First response (first reply, assignment or work start, as the system records it), if
    /// the export has it.
    pub first_response: Option<NaiveDateTime>,
    /// Resolution or closing time; `None` when the ticket was still open at export time
    /// (right-censored at [`Export::observed_until`]).
    pub closed: Option<NaiveDateTime>,
    /// Priority mapped to P1–P4.
    pub priority: Priority,
    /// Category as in the export (`"uncategorised"` when the cell is empty).
    pub category: String,
    /// Time worked on the ticket [hours], when the export has a time-worked column.
    pub effort_h: Option<f64>,
}

/// Why rows or cells were not used, counted per reason with example line numbers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Problem {
    /// What was wrong, e.g. "created: unparseable date-time" or "status: spam".
    pub reason: String,
    /// How many rows had it.
    pub count: u64,
    /// The first few lines with it (1 = the header).
    pub example_lines: Vec<u64>,
}

/// What ingest saw and did: shown to the user, written into the calibration report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IngestReport {
    /// The preset used (`"zammad"`, …), `"auto: <preset>"` when detected from the header, or
    /// `"map"` for `--map` only.
    pub preset: String,
    /// Data rows read (without the header).
    pub rows: u64,
    /// Every column name of the header, in file order.
    pub columns_seen: Vec<String>,
    /// `(field, column)` for each column read; all others were not read at all.
    pub columns_used: Vec<(String, String)>,
    /// `(value as in the export, priority)` for every priority value met.
    pub priority_mapping: Vec<(String, Priority)>,
    /// Rows or cells not used, per reason.
    pub problems: Vec<Problem>,
    /// Other facts worth showing (event-log rows folded into tickets, censored tickets, …).
    pub notes: Vec<String>,
}

/// A ticket export, read and cleaned.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    /// File name as given (for reports).
    pub source: String,
    /// One entry per ticket, in order of creation.
    pub tickets: Vec<ExportTicket>,
    /// Start of the observation period (midnight before the first creation, unless given).
    pub observed_from: NaiveDateTime,
    /// End of the observation period: the export time. Open tickets are censored here.
    pub observed_until: NaiveDateTime,
    /// What was read and what was not.
    pub report: IngestReport,
}

/// Where effort estimates come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EffortSource {
    /// A time-worked / time-spent column.
    TimeWorked,
    /// Resolution times in business hours: an upper bound of the effort (waiting included).
    ResolutionUpperBound,
}

/// Families of effort distributions fitted by maximum likelihood.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// Exponential (1 parameter).
    Exponential,
    /// Lognormal (2).
    LogNormal,
    /// Gamma (2).
    Gamma,
    /// Weibull (2).
    Weibull,
    /// The empirical distribution: the fallback when no family fits.
    Empirical,
}

/// One family fitted to one sample.
#[derive(Clone, Debug, PartialEq)]
pub struct FamilyFit {
    /// The family.
    pub family: Family,
    /// `(name, value)` of its maximum-likelihood parameters.
    pub params: Vec<(&'static str, f64)>,
    /// Log-likelihood at the maximum (censored observations enter by their survival).
    pub log_likelihood: f64,
    /// Akaike information criterion, 2k − 2 ln L.
    pub aic: f64,
}

/// Goodness of fit of the chosen family.
#[derive(Clone, Debug, PartialEq)]
pub struct GoodnessOfFit {
    /// Which statistic, e.g. "Anderson–Darling" or "Kolmogorov–Smirnov".
    pub statistic: &'static str,
    /// Its value on the data.
    pub value: f64,
    /// Parametric-bootstrap p-value.
    pub p_value: f64,
    /// Bootstrap samples behind the p-value.
    pub bootstrap: u32,
}

/// The effort distribution of one calibrated category.
#[derive(Clone, Debug, PartialEq)]
pub struct EffortFit {
    /// Where the sample came from.
    pub source: EffortSource,
    /// Observations (censored included).
    pub n: u64,
    /// Of which right-censored (still open at export time).
    pub censored: u64,
    /// Every family tried, best AIC first.
    pub candidates: Vec<FamilyFit>,
    /// The family used.
    pub chosen: Family,
    /// Fit statistic of the chosen family (`None` for the empirical fallback).
    pub gof: Option<GoodnessOfFit>,
    /// What goes into the scenario's `effort_h`.
    pub dist: DistSpec,
    /// The sample `(hours, censored)`, for the QQ plot and density overlay.
    pub data: Vec<(f64, bool)>,
}

/// Estimates for one category × priority.
#[derive(Clone, Debug, PartialEq)]
pub struct CategoryEstimate {
    /// Scenario id (a slug of the label plus the priority, e.g. `"printer-p3"`).
    pub id: String,
    /// Category as in the export (or `"other"` for merged small categories).
    pub label: String,
    /// Priority.
    pub priority: Priority,
    /// Tickets observed.
    pub n: u64,
    /// Arrival rate [tickets per year] and its 95 % CI.
    pub tickets_per_year: f64,
    /// 95 % CI of the rate.
    pub rate_ci: (f64, f64),
    /// `true`: arrivals only in business hours (`arrivals = "business"`); `false`: always.
    pub business_hours: bool,
    /// Share of tickets created outside the scenario's business hours.
    pub share_outside_hours: f64,
    /// Weekday factors (Monday first), mean 1.
    pub weekday_factors: [f64; 7],
    /// Month-of-year factors (January first), mean 1.
    pub month_factors: [f64; 12],
    /// Effort.
    pub effort: EffortFit,
}

/// Index of dispersion of daily ticket counts: Poisson arrivals give 1.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispersion {
    /// Variance / mean of the counts per business day.
    pub index: f64,
    /// 95 % CI of the index under the Poisson hypothesis (a value outside rejects it).
    pub poisson_ci: (f64, f64),
    /// Days counted.
    pub days: u32,
}

/// Observed response and resolution times of one priority, in business hours of the
/// scenario's calendar.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ObservedTimes {
    /// Priority.
    pub priority: Option<Priority>,
    /// Response times [business hours] of tickets with a first response.
    pub response_bh: Vec<f64>,
    /// Resolution times [business hours] of closed tickets.
    pub resolution_bh: Vec<f64>,
    /// Tickets still open at export time, with their age at export [business hours].
    pub open_age_bh: Vec<f64>,
}

/// Everything calibration estimated from one export.
#[derive(Clone, Debug, PartialEq)]
pub struct Calibration {
    /// First and last day of the observation period.
    pub period: (NaiveDate, NaiveDate),
    /// Length of the observation period [years].
    pub years: f64,
    /// One estimate per category × priority.
    pub categories: Vec<CategoryEstimate>,
    /// `(category, priority, tickets)` merged into "other" below the minimum count.
    pub merged: Vec<(String, Priority, u64)>,
    /// Tickets created per calendar day of the period.
    pub daily_counts: Vec<(NaiveDate, u32)>,
    /// Dispersion of the daily counts.
    pub dispersion: Dispersion,
    /// Tickets created per weekday (Monday first) and hour of day.
    pub hour_of_week: [[u32; 24]; 7],
    /// Observed times, one entry per priority P1–P4.
    pub observed: Vec<ObservedTimes>,
    /// What estimation decided that a reader must know (months set to 1, efforts left out,
    /// fallbacks), one sentence each.
    pub notes: Vec<String>,
}
