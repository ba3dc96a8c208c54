//! Observed response and resolution times of an export, in business hours of a scenario's
//! calendar.
//!
//! "Business hours" mean exactly what the engine's `_bh` metrics mean: the seconds of the
//! company's business hours (`company.business_hours`, closed on the public holidays of the
//! scenario's holiday rule unless the business runs round the clock) between two instants,
//! divided by 3,600. Export times are local wall-clock times; like the engine, the clock
//! ignores daylight saving time (every day has 24 hours), so a simulated ticket written as an
//! export and read back measures the same as in the simulation.
//!
//! The export's period need not be the scenario's simulated year: the clock is built for the
//! days the export spans, with the scenario's hours and holiday rule.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use super::{Export, ExportTicket, ObservedTimes};
use crate::calendar::{Calendar, WeeklyHours};
use crate::interval::IntervalSet;
use crate::model::{Model, Priority};
use crate::time::{DAY, SimTime};

/// Business hours of a scenario's calendar over a stretch of dates.
pub(crate) struct BusinessClock {
    calendar: Calendar,
    business: IntervalSet,
}

impl BusinessClock {
    /// The clock of `model`'s company over the days from `first` to `last` (both included).
    pub(crate) fn new(model: &Model, first: NaiveDate, last: NaiveDate) -> BusinessClock {
        let (first, last) = (first.min(last), first.max(last));
        let first_year = first.year();
        let probe = Calendar::new(
            first_year,
            SimTime::ZERO,
            SimTime::ZERO,
            model.calendar.holiday_rule().clone(),
        );
        let from = probe.time_of_date(first);
        // One day beyond the last, so that an instant on the last day is inside.
        let to = SimTime(probe.time_of_date(last).0 + DAY);
        let calendar = Calendar::new(first_year, from, to, model.calendar.holiday_rule().clone());
        // The engine's rule (scenario validation): round-the-clock business has no holidays off.
        let observe_holidays = model.company.hours != WeeklyHours::always();
        let business = calendar.schedule(&model.company.hours, observe_holidays);
        BusinessClock { calendar, business }
    }

    /// The clock covering every instant of `export`.
    pub(crate) fn for_export(model: &Model, export: &Export) -> BusinessClock {
        let mut first = export
            .observed_from
            .date()
            .min(export.observed_until.date());
        let mut last = export
            .observed_from
            .date()
            .max(export.observed_until.date());
        for t in &export.tickets {
            for x in [Some(t.created), t.first_response, t.closed]
                .into_iter()
                .flatten()
            {
                first = first.min(x.date());
                last = last.max(x.date());
            }
        }
        BusinessClock::new(model, first, last)
    }

    /// The instant of a local date-time on this clock's time line.
    pub(crate) fn time(&self, t: NaiveDateTime) -> SimTime {
        SimTime(self.calendar.time_of_date(t.date()).0 + i64::from(t.num_seconds_from_midnight()))
    }

    /// Business hours from `a` to `b`; zero when `b` is not later than `a`.
    pub(crate) fn hours_between(&self, a: NaiveDateTime, b: NaiveDateTime) -> f64 {
        let (a, b) = (self.time(a), self.time(b));
        if b <= a {
            return 0.0;
        }
        self.business.measure_between(a, b) as f64 / 3600.0
    }
}

/// One ticket's times in business hours: each either observed (`true`) or right-censored at
/// the export time (`false`, still pending then).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TicketTimes {
    /// Priority.
    pub(crate) priority: Priority,
    /// Response: the time to the first response, or the age at export of a ticket still open
    /// without one; `None` when the export gives no response for a closed ticket (unknown,
    /// not censored).
    pub(crate) response: Option<(f64, bool)>,
    /// Resolution: the time to closing, or the age at export of an open ticket.
    pub(crate) resolution: (f64, bool),
}

/// Each ticket's times, in the order of `export.tickets`.
pub(crate) fn ticket_times(export: &Export, clock: &BusinessClock) -> Vec<TicketTimes> {
    export
        .tickets
        .iter()
        .map(|t| one_ticket(t, export.observed_until, clock))
        .collect()
}

fn one_ticket(t: &ExportTicket, until: NaiveDateTime, clock: &BusinessClock) -> TicketTimes {
    let age = clock.hours_between(t.created, until);
    let resolution = match t.closed {
        Some(c) => (clock.hours_between(t.created, c), true),
        None => (age, false),
    };
    let response = match (t.first_response, t.closed) {
        (Some(r), _) => Some((clock.hours_between(t.created, r), true)),
        (None, None) => Some((age, false)),
        (None, Some(_)) => None,
    };
    TicketTimes {
        priority: t.priority,
        response,
        resolution,
    }
}

/// Response and resolution times of `export`, one entry per priority P1–P4 (in that order),
/// in business hours of `model`'s calendar (see the module documentation).
///
/// `response_bh` holds the tickets with a first response, `resolution_bh` the closed ones,
/// `open_age_bh` the age at export (`observed_until`) of the tickets still open. A time
/// before its creation counts as zero.
pub fn observed_times(export: &Export, model: &Model) -> Vec<ObservedTimes> {
    let clock = BusinessClock::for_export(model, export);
    let mut out: Vec<ObservedTimes> = Priority::ALL
        .iter()
        .map(|&p| ObservedTimes {
            priority: Some(p),
            ..ObservedTimes::default()
        })
        .collect();
    for t in &export.tickets {
        let o = &mut out[t.priority.index()];
        if let Some(r) = t.first_response {
            o.response_bh.push(clock.hours_between(t.created, r));
        }
        match t.closed {
            Some(c) => o.resolution_bh.push(clock.hours_between(t.created, c)),
            None => o
                .open_age_bh
                .push(clock.hours_between(t.created, export.observed_until)),
        }
    }
    out
}
