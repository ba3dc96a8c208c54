//! Errors of estimation: what is wrong with an export, and what would be right.

use chrono::NaiveDateTime;

use super::estimate::MIN_BOOTSTRAP;

/// Why an export cannot be calibrated. Messages say what is wrong and what would be right.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EstimateError {
    /// No tickets at all.
    #[error("{file}: the export holds no tickets; calibration needs at least 2")]
    NoTickets {
        /// File name.
        file: String,
    },
    /// Only one ticket.
    #[error("{file}: the export holds 1 ticket; calibration needs at least 2")]
    OneTicket {
        /// File name.
        file: String,
    },
    /// The observation period is empty or reversed.
    #[error(
        "{file}: the observation period {from} – {until} is empty; the export time must lie after the first creation"
    )]
    EmptyPeriod {
        /// File name.
        file: String,
        /// Start.
        from: NaiveDateTime,
        /// End.
        until: NaiveDateTime,
    },
    /// A ticket lies outside the observation period.
    #[error(
        "{file}, line {line}: created {created}, outside the observation period {from} – {until}"
    )]
    OutsidePeriod {
        /// File name.
        file: String,
        /// Line.
        line: u64,
        /// Creation time.
        created: NaiveDateTime,
        /// Start.
        from: NaiveDateTime,
        /// End.
        until: NaiveDateTime,
    },
    /// A ticket closed before it was created, or after the export time.
    #[error(
        "{file}, line {line}: closed {closed}, which is not between its creation {created} and the export time {until}"
    )]
    ClosedOutside {
        /// File name.
        file: String,
        /// Line.
        line: u64,
        /// Creation time.
        created: NaiveDateTime,
        /// Closing time.
        closed: NaiveDateTime,
        /// Export time.
        until: NaiveDateTime,
    },
    /// A time-worked value that is not a number of hours ≥ 0.
    #[error("{file}, line {line}: time worked {value} h; it must be a finite number ≥ 0")]
    BadEffort {
        /// File name.
        file: String,
        /// Line.
        line: u64,
        /// Value.
        value: f64,
    },
    /// Too few bootstrap resamples.
    #[error(
        "bootstrap = {0}: the goodness-of-fit p-value needs at least {MIN_BOOTSTRAP} resamples (default 199)"
    )]
    Bootstrap(u32),
    /// The period is too short for the dispersion check.
    #[error(
        "{file}: the period has {days} full business day(s); the dispersion check of daily counts needs more than the {parameters} parameters of the weekday and month profile (export at least a few weeks)"
    )]
    TooShort {
        /// File name.
        file: String,
        /// Full business days in the period.
        days: u32,
        /// Parameters of the pooled profile.
        parameters: u32,
    },
    /// No effort sample anywhere in the export.
    #[error("{file}: no effort can be estimated: {reason}")]
    NoEffort {
        /// File name.
        file: String,
        /// Why.
        reason: String,
    },
}
