//! Ticket exports on the command line: the options that say how to read one (shared by
//! `calibrate` and `backtest`), and `covsim export-tickets`, which writes a simulated year in a
//! ticket system's own format (for trying the whole calibration path, and for round trips).

use std::path::{Path, PathBuf};

use anyhow::anyhow;
use chrono::{NaiveDate, NaiveDateTime};
use clap::Args;

use covsim::calibrate::Export;
use covsim::calibrate::ingest::{self, IngestError, ReadOptions};

use super::{Failure, load, write_atomically};

/// How to read a ticket export (`calibrate`, `backtest`).
#[derive(Args, Debug)]
pub(crate) struct ExportArgs {
    /// The ticket system's export format (see `covsim calibrate --list-presets`); detected from
    /// the header when not given.
    #[arg(long)]
    preset: Option<String>,
    /// Columns for fields the preset does not know or names differently, as
    /// `FIELD=COLUMN,…` with fields id, created, first_response, closed, priority, category,
    /// status, effort, updated (column names as in the header).
    #[arg(long, value_name = "FIELD=COLUMN,...")]
    map: Option<String>,
    /// Priority values and the priority they mean, e.g. `"Sehr dringend=P1,Irgendwann=P4"`.
    #[arg(long, value_name = "VALUE=P1,...")]
    priority_map: Option<String>,
    /// When the export was taken (`YYYY-MM-DD HH:MM` or `YYYY-MM-DD`, local time): tickets
    /// open then are right-censored. Default: the latest time in the file.
    #[arg(long, value_parser = parse_until)]
    until: Option<NaiveDateTime>,
    /// When the observation began (same format; default: the midnight before the first
    /// ticket): give it when the first days of the period were quiet.
    #[arg(long, value_parser = parse_until)]
    from: Option<NaiveDateTime>,
}

fn parse_until(s: &str) -> Result<NaiveDateTime, String> {
    let s = s.trim();
    for f in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(t);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map(|d| d.and_hms_opt(0, 0, 0).expect("midnight exists"))
        .map_err(|_| format!("expected a local date-time like 2025-12-31 17:05, got '{s}'"))
}

impl ExportArgs {
    /// Reads `path` with these options; errors keep the reader's exit code (2 for a file
    /// that cannot be used, 1 for I/O failures).
    pub(crate) fn read(&self, path: &Path) -> Result<Export, Failure> {
        let failure = |e: IngestError| Failure {
            code: e.exit_code(),
            error: e.into(),
        };
        let options = ReadOptions {
            preset: self.preset.clone(),
            map: match &self.map {
                Some(m) => ingest::parse_map(m).map_err(failure)?,
                None => Vec::new(),
            },
            priority_map: match &self.priority_map {
                Some(m) => ingest::parse_priority_map(m).map_err(failure)?,
                None => Vec::new(),
            },
            until: self.until,
            from: self.from,
        };
        ingest::read_export(path, &options).map_err(failure)
    }
}

/// `covsim export-tickets`: one simulated year of one setup, as a ticket system exports it.
pub(crate) fn export_tickets_command(
    scenario: &Path,
    setup: &str,
    format: &str,
    replication: u64,
    out: &Path,
    force: bool,
) -> Result<(), Failure> {
    let model = load(scenario)?;
    let Some(index) = model.setups.iter().position(|s| s.name == setup) else {
        let known: Vec<&str> = model.setups.iter().map(|s| s.name.as_str()).collect();
        return Err(super::usage(anyhow!(
            "{} has no setup '{setup}'; its setups are: {}",
            scenario.display(),
            known.join(", ")
        )));
    };
    if ingest::presets().iter().all(|p| p.name != format) {
        let known: Vec<&str> = ingest::presets().iter().map(|p| p.name).collect();
        return Err(super::usage(anyhow!(
            "unknown format '{format}'; choose one of: {}",
            known.join(", ")
        )));
    }
    let export = covsim::calibrate::simulated::export(&model, index, replication);
    let mut bytes = Vec::new();
    ingest::write_export(&export.tickets, export.observed_until, format, &mut bytes).map_err(
        |e| Failure {
            code: e.exit_code(),
            error: e.into(),
        },
    )?;
    write_atomically(out, &bytes, force).map_err(|e| {
        let code = if e.kind() == std::io::ErrorKind::AlreadyExists {
            2
        } else {
            1
        };
        Failure {
            code,
            error: anyhow!(
                "cannot write {}: {e}{}",
                out.display(),
                if code == 2 {
                    "; choose another path or pass --force to overwrite it"
                } else {
                    ""
                }
            ),
        }
    })?;
    eprintln!(
        "{}: {} tickets of '{setup}' (replication {replication}, {} still open at {}) in the {format} format",
        out.display(),
        export.tickets.len(),
        export.tickets.iter().filter(|t| t.closed.is_none()).count(),
        export.observed_until.format("%Y-%m-%d %H:%M"),
    );
    Ok(())
}

/// Where `export-tickets` writes without `--out`.
pub(crate) fn default_export_path(scenario: &Path, format: &str) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or("scenario".into(), |s| s.to_string_lossy());
    PathBuf::from(format!("{stem}-tickets-{format}.csv"))
}
