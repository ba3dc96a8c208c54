//! Memory and time of a run, estimated from the checked model and the plan before anything is
//! simulated, so that a run that cannot fit is refused up front (with what drives it and what
//! to change) instead of being killed by the system hours later.
//!
//! # What takes memory
//!
//! - **Per-replication values**: every metric of every replication of every setup is kept
//!   until the end, because the quantiles and their confidence intervals are exact order
//!   statistics (see `stats`), which need all values: streaming sketches would change the
//!   published numbers. This grows with replications × setups (× sweep points) and is what
//!   usually decides.
//! - **Replications in flight**: each worker thread holds one replication's tickets, their
//!   work state, the people's timelines and the daily series. This grows with the ticket rate
//!   (including an MSP's other clients), the simulated span and the threads.
//! - **A batch of results** waiting to be folded in (daily series and time histograms), and a
//!   fixed base (program, fonts, charts).
//!
//! The figures below were measured with `/usr/bin/time -v` on release builds (December 2026,
//! x86-64 Linux, mimalloc), and rounded up: an estimate that refuses a run that would have fit
//! by a few percent is better than one that lets a run be killed.
//!
//! # Time
//!
//! The work of a run is counted in ticket-setups (each ticket of the simulated span handled in
//! one setup), plus the duty changes of many responders, whose dispatch scans every responder.
//! It only drives a warning: a long run is allowed, and Ctrl-C stops it within a second.

use crate::engine::catalog;
use crate::model::{Model, Tier};

/// Bytes kept per replication and setup: the metrics' values (8 bytes each, about 700 bytes),
/// plus what the output phase derives from them (the slim table the charts read, sorted
/// copies). Measured: 1.12 KB per replication and setup over 100,000 to 200,000 replications
/// of a one-setup scenario, 1.2 KB with the starter's four setups.
const OUTPUT_BYTES_PER_REPLICATION: u64 = 600;

/// Bytes per ticket of a replication in flight: the ticket, its work state, queue entries and
/// the per-ticket vectors of the metrics. Measured: 220 B in a balanced M/M/2 queue with a
/// million tickets a year, 780 B for one admin overloaded by as many (every ticket waits).
/// The overloaded figure is used: exploring overload is what large rates are for.
const BYTES_PER_TICKET: u64 = 800;

/// Bytes per person (in-house or MSP technician) and simulated year, for the working schedules
/// (one interval per working day) and absence timelines. Measured: 210 MB for 1,000 technicians
/// over 11.2 simulated years, about 19 KB per technician-year.
const BYTES_PER_PERSON_YEAR: u64 = 20_000;

/// The program, its fonts and the charts: 58 MB measured for a ten-replication run; rounded.
const BASE_BYTES: u64 = 80 << 20;

/// Bytes of one replication's result of one setup waiting in a batch: the time histograms
/// (at most 8 × 1,000 bins of 4 bytes) and 16 bytes per day of the daily series.
const HISTOGRAM_BYTES: u64 = 32_000;

/// Ticket-setups handled per second and thread: 1.0 million in the M/M/2 check, 0.53 million
/// with the starter's four setups and an MSP, 0.19 million for an overloaded admin (December
/// 2026, one core of a shared 2-core x86-64 server); the middle figure is used.
const TICKETS_PER_SECOND: f64 = 500_000.0;

/// Seconds per responder² and simulated year: every duty change (two a working day per
/// responder) dispatches over all responders. Measured: 47 s for one replication with 1,000
/// MSP technicians over 11.2 years, 0.45 s with 100 (4.2 and 4.0 µs).
const SECONDS_PER_RESPONDER_SQUARED_YEAR: f64 = 4.5e-6;

/// Runs estimated to take longer than this get a warning (not an error).
pub const WARN_SECONDS: f64 = 600.0;

/// Used when the memory available cannot be read (not Linux): a laptop's share, on purpose low.
const DEFAULT_AVAILABLE: u64 = 4 << 30;

/// Overrides the memory available to covsim, in bytes (for tests, and for a machine where the
/// operating system's figure is misleading).
pub const LIMIT_VARIABLE: &str = "COVSIM_MEMORY_LIMIT_BYTES";

/// What a command will simulate.
#[derive(Clone, Copy, Debug)]
pub struct Work {
    /// Replications per run (the cap of a precision-driven run).
    pub replications: u64,
    /// Runs: 1 for `run`, the points of a sweep, the runs of a sensitivity analysis.
    pub runs: u64,
    /// Whether the values of every run are kept until the end (a sweep); otherwise only those
    /// of one run at a time (a sensitivity analysis keeps two metrics of the others).
    pub keep_all_runs: bool,
    /// Worker threads.
    pub threads: u64,
    /// Whether `replications` is only a cap (a precision-driven run, which usually stops far
    /// earlier): the time is then an upper bound.
    pub cap: bool,
}

/// The estimated memory and time of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct Estimate {
    /// Per-replication values kept for the statistics, over all runs kept.
    pub stored_bytes: u64,
    /// Bytes kept per replication (over the setups and kept runs).
    pub stored_bytes_per_replication: u64,
    /// Setups simulated per run.
    pub setups: u64,
    /// One replication in flight (all setups), per thread.
    pub replication_bytes: u64,
    /// Threads with a replication in flight at once.
    pub threads_in_flight: u64,
    /// Everything else: base, model, a batch of results.
    pub other_bytes: u64,
    /// Expected tickets of one replication (the company's and other clients', whole span).
    pub tickets_per_replication: f64,
    /// Estimated wall time [s].
    pub seconds: f64,
}

impl Estimate {
    /// The estimated peak memory.
    pub fn total_bytes(&self) -> u64 {
        self.stored_bytes
            .saturating_add(
                self.replication_bytes
                    .saturating_mul(self.threads_in_flight),
            )
            .saturating_add(self.other_bytes)
    }
}

fn sat(x: f64) -> u64 {
    // `as` saturates: an absurd rate gives u64::MAX, which is refused like any large figure.
    x.max(0.0).ceil() as u64
}

/// Estimates the memory and time of simulating `model` as `work` says.
pub fn estimate(model: &Model, work: &Work) -> Estimate {
    let span_years = (model.end() - model.start()) as f64 / (365.25 * 86_400.0);
    let days = ((model.window_end().secs().max(0)) / 86_400) as u64;
    let setups = model.setups.len() as u64;
    let own_per_year: f64 = model.categories.iter().map(|c| c.tickets_per_year).sum();
    let pcs = f64::from(model.company.pcs.max(1));
    let others_per_year =
        |c: usize| own_per_year * f64::from(model.contracts[c].other_clients_pcs) / pcs;
    let mut contracts_used: Vec<usize> = Vec::new();
    let mut ticket_setups_per_year = 0.0;
    let mut responder_work = 0.0;
    for s in &model.setups {
        let mut tickets = own_per_year;
        let mut responders = 0.0;
        for t in &s.tiers {
            match t {
                Tier::Msp(c) => {
                    tickets += others_per_year(*c);
                    responders += model.contracts[*c].technicians.len() as f64 + 1.0;
                    if !contracts_used.contains(c) {
                        contracts_used.push(*c);
                    }
                }
                Tier::InHouse(p) => responders += p.len() as f64,
                Tier::KeyUser(_) | Tier::Emergency(_) => responders += 1.0,
            }
        }
        ticket_setups_per_year += tickets;
        responder_work += responders * responders;
    }
    // Drawn once per replication, shared by the setups; each setup keeps its work state.
    let tickets_per_year = own_per_year
        + contracts_used
            .iter()
            .map(|&c| others_per_year(c))
            .sum::<f64>();
    let tickets_per_replication = tickets_per_year * span_years;
    let technicians: usize = contracts_used
        .iter()
        .map(|&c| model.contracts[c].technicians.len())
        .sum();
    let person_bytes =
        sat((model.people.len() + technicians) as f64 * span_years * BYTES_PER_PERSON_YEAR as f64);
    let replication_bytes = sat(tickets_per_replication * BYTES_PER_TICKET as f64)
        .saturating_add(person_bytes)
        .saturating_add(setups * days * 16);

    let metrics = catalog().len() as u64;
    let per_setup = metrics * 8 + OUTPUT_BYTES_PER_REPLICATION;
    let stored_runs = if work.keep_all_runs { work.runs } else { 1 };
    let mut stored_bytes_per_replication =
        per_setup.saturating_mul(setups.saturating_mul(stored_runs));
    if !work.keep_all_runs {
        // A sensitivity analysis keeps two metrics of every run.
        stored_bytes_per_replication =
            stored_bytes_per_replication.saturating_add(work.runs.saturating_mul(16));
    }
    let stored_bytes = stored_bytes_per_replication.saturating_mul(work.replications);

    let batch = work.replications.min(256);
    let batch_bytes = batch * setups * (HISTOGRAM_BYTES + days * 16);
    // The model's own schedules: one copy, shared by the threads.
    let other_bytes = BASE_BYTES
        .saturating_add(batch_bytes)
        .saturating_add(person_bytes)
        .saturating_add((work.runs.saturating_sub(1)).saturating_mul(person_bytes / 4 + 100_000));

    let threads = work.threads.clamp(1, work.replications.max(1));
    let per_replication_s = ticket_setups_per_year * span_years / TICKETS_PER_SECOND
        + responder_work * span_years * SECONDS_PER_RESPONDER_SQUARED_YEAR;
    // Threads beyond the cores do not add speed.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get() as u64);
    let seconds =
        per_replication_s * work.replications as f64 * work.runs as f64 / threads.min(cores) as f64;
    Estimate {
        stored_bytes,
        stored_bytes_per_replication,
        setups,
        replication_bytes,
        threads_in_flight: threads,
        other_bytes,
        tickets_per_replication,
        seconds,
    }
}

/// How much memory covsim may use, and where that figure comes from.
#[derive(Clone, Debug, PartialEq)]
pub struct Available {
    /// Bytes.
    pub bytes: u64,
    /// Where the figure comes from, for messages.
    pub source: String,
}

/// The memory available: [`LIMIT_VARIABLE`] if set, else the smaller of `MemAvailable` in
/// `/proc/meminfo` and the room left under the cgroup v2 limit (`memory.max` −
/// `memory.current`), else a conservative 4 GiB.
pub fn available() -> Result<Available, String> {
    if let Ok(v) = std::env::var(LIMIT_VARIABLE) {
        let bytes = v.trim().parse::<u64>().map_err(|_| {
            format!("{LIMIT_VARIABLE} must be a number of bytes, e.g. 8000000000, got '{v}'")
        })?;
        return Ok(Available {
            bytes,
            source: LIMIT_VARIABLE.to_string(),
        });
    }
    let meminfo = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| mem_available(&t));
    let cgroup = cgroup_room();
    Ok(match (meminfo, cgroup) {
        (Some(m), Some(c)) if c < m => Available {
            bytes: c,
            source: "the memory limit of this process's cgroup".to_string(),
        },
        (Some(m), _) => Available {
            bytes: m,
            source: "MemAvailable in /proc/meminfo".to_string(),
        },
        (None, Some(c)) => Available {
            bytes: c,
            source: "the memory limit of this process's cgroup".to_string(),
        },
        (None, None) => Available {
            bytes: DEFAULT_AVAILABLE,
            source: "a default (the system's figure could not be read)".to_string(),
        },
    })
}

/// `MemAvailable` of a `/proc/meminfo` text, in bytes.
fn mem_available(meminfo: &str) -> Option<u64> {
    let line = meminfo.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kb.checked_mul(1024)
}

/// Room under the cgroup v2 memory limit of this process, if it has one.
fn cgroup_room() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok();
    let rel = own
        .as_deref()
        .and_then(|t| t.lines().find_map(|l| l.strip_prefix("0::")))
        .unwrap_or("/")
        .trim()
        .to_string();
    let mut dirs = vec![format!("/sys/fs/cgroup{}", rel.trim_end_matches('/'))];
    dirs.push("/sys/fs/cgroup".to_string());
    for dir in dirs {
        let Ok(max) = std::fs::read_to_string(format!("{dir}/memory.max")) else {
            continue;
        };
        let Ok(max) = max.trim().parse::<u64>() else {
            // "max": no limit at this level.
            continue;
        };
        let current = std::fs::read_to_string(format!("{dir}/memory.current"))
            .ok()
            .and_then(|c| c.trim().parse::<u64>().ok())
            .unwrap_or(0);
        return Some(max.saturating_sub(current));
    }
    None
}

/// Bytes in words: "56 GB", "700 MB", "12 KB".
pub fn bytes_text(b: u64) -> String {
    let b = b as f64;
    if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.0} MB", b / 1e6)
    } else {
        format!("{:.0} KB", b / 1e3)
    }
}

/// Seconds in words: "40 s", "12 minutes", "3.5 hours", "2.0 days".
pub fn duration_text(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} minutes", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} hours", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86_400.0)
    }
}

/// The run does not fit in memory.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct TooLarge(pub String);

/// Checks `est` (of `work`) against `available`: an error naming what drives the memory and
/// what to change when it does not fit; otherwise a warning when the run will take longer
/// than [`WARN_SECONDS`].
pub fn check(est: &Estimate, work: &Work, avail: &Available) -> Result<Option<String>, TooLarge> {
    // The engine numbers a replication's tickets in 32 bits; half of that leaves room for
    // Poisson noise. Only a memory override could let such a run reach the engine.
    if est.tickets_per_replication > f64::from(u32::MAX / 2) {
        return Err(TooLarge(format!(
            "one replication would hold about {:.0} tickets, more than the {} the simulator can number; lower the ticket rates, the MSP's other_clients_pcs or simulation.years",
            est.tickets_per_replication,
            u32::MAX / 2
        )));
    }
    let total = est.total_bytes();
    if total > avail.bytes {
        let head = format!(
            "not enough memory: this run needs about {}, and {} are available ({})",
            bytes_text(total),
            bytes_text(avail.bytes),
            avail.source
        );
        let in_flight = est.replication_bytes.saturating_mul(est.threads_in_flight);
        let room = avail.bytes.saturating_sub(est.other_bytes);
        let driver = if est.stored_bytes >= in_flight {
            let fit = room.saturating_sub(in_flight) / est.stored_bytes_per_replication.max(1);
            let runs = if work.keep_all_runs && work.runs > 1 {
                format!(" × {} points", work.runs)
            } else {
                String::new()
            };
            let setups = est.setups;
            let what = format!(
                "{} replications × {} setup{}{runs} keep {} of per-replication values (every value is kept: the percentiles and their intervals are exact order statistics)",
                work.replications,
                setups,
                if setups == 1 { "" } else { "s" },
                bytes_text(est.stored_bytes)
            );
            if fit == 0 {
                format!("{what}; not even one replication fits")
            } else {
                format!("{what}; at most {fit} fit; use --reps {fit} or fewer")
            }
        } else {
            let what = format!(
                "one replication holds about {:.0} tickets ({} with the people's schedules), on {} thread{} at once: {}",
                est.tickets_per_replication,
                bytes_text(est.replication_bytes),
                est.threads_in_flight,
                if est.threads_in_flight == 1 { "" } else { "s" },
                bytes_text(in_flight)
            );
            let threads = room.saturating_sub(est.stored_bytes) / est.replication_bytes.max(1);
            if threads == 1 {
                format!("{what}; use --threads 1")
            } else if threads > 1 {
                format!("{what}; use --threads {threads} or fewer")
            } else {
                format!(
                    "{what}; not even one replication fits: lower the ticket rates, the MSP's other_clients_pcs or simulation.years"
                )
            }
        };
        return Err(TooLarge(format!("{head}: {driver}")));
    }
    if est.seconds > WARN_SECONDS {
        return Ok(Some(format!(
            "this run may take {}about {} ({:.0} tickets per replication, {} replications{}, {} thread{}); Ctrl-C stops it",
            if work.cap { "up to " } else { "" },
            duration_text(est.seconds),
            est.tickets_per_replication,
            work.replications,
            if work.runs > 1 {
                format!(" × {} runs", work.runs)
            } else {
                String::new()
            },
            est.threads_in_flight,
            if est.threads_in_flight == 1 { "" } else { "s" }
        )));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starter() -> Model {
        crate::scenario::from_str(crate::scenario::STARTER, "starter.toml").unwrap()
    }

    fn work(replications: u64) -> Work {
        Work {
            replications,
            runs: 1,
            keep_all_runs: true,
            threads: 2,
            cap: false,
        }
    }

    #[test]
    fn many_replications_are_refused_naming_replications_and_the_fitting_count() {
        let model = starter();
        let w = work(10_000_000);
        let est = estimate(&model, &w);
        let avail = Available {
            bytes: 2_000_000_000,
            source: "test".into(),
        };
        let e = check(&est, &w, &avail).unwrap_err().0;
        assert!(e.contains("10000000 replications × 4 setups"), "{e}");
        let fit: u64 = e
            .split("use --reps ")
            .nth(1)
            .and_then(|t| t.split_whitespace().next())
            .unwrap()
            .parse()
            .unwrap();
        // What it proposes fits.
        let w2 = work(fit);
        assert!(check(&estimate(&model, &w2), &w2, &avail).is_ok(), "{e}");
        assert!(fit > 100_000, "{e}");
    }

    #[test]
    fn huge_ticket_rates_are_refused_naming_tickets() {
        // 120 million password resets a year (and six times as many of the MSP's other
        // clients'): within every documented range.
        let text = crate::scenario::STARTER
            .replace(
                "tickets_per_user_month = 0.25",
                "tickets_per_user_month = 100",
            )
            .replace("users = 50 ", "users = 100000 ");
        let model = crate::scenario::from_str(&text, "s.toml").unwrap();
        let w = work(10);
        let est = estimate(&model, &w);
        let avail = Available {
            bytes: 16_000_000_000,
            source: "test".into(),
        };
        let e = check(&est, &w, &avail).unwrap_err().0;
        assert!(e.contains("tickets"), "{e}");
        assert!(e.contains("not even one replication fits"), "{e}");
        // Even where memory were no object, the tickets could not be numbered.
        let w = Work {
            replications: 1,
            ..w
        };
        let huge = text
            .replace("users = 100000 ", "users = 1000000 ")
            .replace("years = 1 ", "years = 50 ");
        let huge = crate::scenario::from_str(&huge, "s.toml").unwrap();
        let est = estimate(&huge, &w);
        let unlimited = Available {
            bytes: u64::MAX,
            source: "test".into(),
        };
        let e = check(&est, &w, &unlimited).unwrap_err().0;
        assert!(e.contains("the simulator can number"), "{e}");
    }

    #[test]
    fn the_starter_fits_a_small_machine_and_is_quick() {
        let model = starter();
        let w = work(1000);
        let est = estimate(&model, &w);
        let avail = Available {
            bytes: 1_000_000_000,
            source: "test".into(),
        };
        assert_eq!(check(&est, &w, &avail), Ok(None), "{est:?}");
    }

    #[test]
    fn long_runs_are_warned_about() {
        let model = starter();
        let w = work(5_000_000);
        let est = estimate(&model, &w);
        let avail = Available {
            bytes: u64::MAX,
            source: "test".into(),
        };
        let warning = check(&est, &w, &avail).unwrap().unwrap();
        assert!(warning.contains("may take about"), "{warning}");
    }

    #[test]
    fn meminfo_is_read_in_bytes() {
        let t = "MemTotal:       16000000 kB\nMemAvailable:    8000000 kB\n";
        assert_eq!(mem_available(t), Some(8_192_000_000));
        assert_eq!(mem_available("MemTotal: 1 kB\n"), None);
    }
}
