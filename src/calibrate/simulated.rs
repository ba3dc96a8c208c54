//! A simulated replication written as a ticket export: what the company's ticket system would
//! show at the end of the measured window.
//!
//! Used by the backtest (every replication is compared with the client's export exactly as
//! the export itself is measured) and by tests that need exports with known inputs.

use chrono::{NaiveDateTime, NaiveTime};

use super::{Export, ExportTicket, IngestReport};
use crate::calendar::Calendar;
use crate::engine::Simulator;
use crate::engine::TraceKind;
use crate::engine::arrivals::Client;
use crate::model::Model;
use crate::time::{DAY, SimTime};

/// The company's own tickets of replication `replication` of setup `setup` (index into
/// `model.setups`) as an export taken at the end of the measured window would show them.
///
/// - `created`: the arrival, as local date-time of the model's calendar;
/// - `first_response`: the start of the first work session, if it started before the end of
///   the window;
/// - `closed`: the resolution, if before the end of the window; otherwise `None` (the ticket is
///   right-censored at `observed_until`, the end of the window);
/// - `effort_h`: the hands-on effort drawn for the ticket (without knowledge penalty, travel,
///   meetings or ramp-up: the quantity a scenario's `effort_h` describes);
/// - `category`: the category's id; `id` is the ticket's index in the run, `line` its line in
///   a file with one header line.
///
/// Only tickets arriving in the window are listed (not the warm-up's); `observed_from` is the
/// window's start. The other clients of an MSP are not the company's and are not listed.
///
/// # Panics
///
/// If `setup` is not an index into `model.setups`.
pub fn export(model: &Model, setup: usize, replication: u64) -> Export {
    export_with(&Simulator::new(model), setup, replication)
}

/// [`export`] with a simulator built once for many replications.
pub(crate) fn export_with(sim: &Simulator<'_>, setup: usize, replication: u64) -> Export {
    let model = sim.model();
    let (_, trace) = sim.run_traced(setup, replication);
    let window_end = model.window_end();
    let mut first_start = vec![None; trace.tickets.len()];
    for e in &trace.events {
        if e.kind == TraceKind::Started && first_start[e.ticket].is_none() {
            first_start[e.ticket] = Some(e.time);
        }
    }
    let before_end = |t: Option<SimTime>| t.filter(|&t| t < window_end);
    let cal = &model.calendar;
    let tickets: Vec<ExportTicket> = trace
        .tickets
        .iter()
        .enumerate()
        .filter(|(_, t)| {
            t.client == Client::Own && t.arrival >= SimTime::ZERO && t.arrival < window_end
        })
        .map(|(i, t)| ExportTicket {
            id: i.to_string(),
            line: i as u64 + 2,
            created: local(cal, t.arrival),
            first_response: before_end(first_start[i]).map(|s| local(cal, s)),
            closed: before_end(trace.resolved[i]).map(|r| local(cal, r)),
            priority: t.priority,
            category: model.categories[usize::from(t.category)].id.clone(),
            effort_h: Some(t.effort_s as f64 / 3600.0),
        })
        .collect();
    let rows = tickets.len() as u64;
    Export {
        source: format!(
            "simulated: {}, setup {}, replication {replication}",
            model.name, model.setups[setup].name
        ),
        tickets,
        observed_from: local(cal, SimTime::ZERO),
        observed_until: local(cal, window_end),
        report: IngestReport {
            preset: "simulated".to_owned(),
            rows,
            ..IngestReport::default()
        },
    }
}

/// The local date-time of instant `t` of the model's time line (no daylight saving time, as in
/// the engine).
pub(crate) fn local(cal: &Calendar, t: SimTime) -> NaiveDateTime {
    let day = t.0.div_euclid(DAY);
    let secs = t.0.rem_euclid(DAY) as u32;
    let time =
        NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).expect("fewer seconds than a day");
    cal.date_of_day(day).and_time(time)
}
