//! Command-line parsing and the top-level flow. Owns flags, subcommands and exit codes;
//! simulates nothing itself.
//!
//! Exit codes: 0 success, 1 the run failed (I/O), 2 usage or scenario error.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};

use covsim::engine::Simulator;
use covsim::report::{SetupRuns, summary_table};
use covsim::scenario;

/// Monte Carlo simulator of IT support coverage for companies with 30–100 PCs.
#[derive(Parser, Debug)]
#[command(name = "covsim", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate every setup of a scenario and print the comparison.
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Number of replications (default: the scenario's `simulation.replications`).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
        reps: Option<u64>,
        /// Master seed (default: the scenario's `simulation.seed`).
        #[arg(long)]
        seed: Option<u64>,
    },
    /// Check a scenario file and report every problem.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Write a commented starter scenario.
    Init {
        /// Where to write it.
        #[arg(default_value = "scenario.toml")]
        path: PathBuf,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
}

/// A failure with its exit code.
struct Failure {
    code: u8,
    error: anyhow::Error,
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Self {
        Failure { code: 1, error }
    }
}

fn usage(error: impl Into<anyhow::Error>) -> Failure {
    Failure {
        code: 2,
        error: error.into(),
    }
}

pub(crate) fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {:#}", f.error);
            ExitCode::from(f.code)
        }
    }
}

fn load(path: &std::path::Path) -> Result<covsim::model::Model, Failure> {
    scenario::load(path).map_err(usage)
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Validate { scenario } => {
            let model = load(&scenario)?;
            println!(
                "{}: ok — {} setups, {} ticket categories, {} people, {} MSP contracts",
                scenario.display(),
                model.setups.len(),
                model.categories.len(),
                model.people.len(),
                model.contracts.len()
            );
            Ok(())
        }
        Command::Init { path, force } => {
            if path.exists() && !force {
                return Err(usage(anyhow::anyhow!(
                    "{} exists already; choose another path or pass --force to overwrite it",
                    path.display()
                )));
            }
            write_atomically(&path, scenario::STARTER.as_bytes())
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!(
                "wrote {}; check it with: covsim validate {}",
                path.display(),
                path.display()
            );
            Ok(())
        }
        Command::Run {
            scenario,
            reps,
            seed,
        } => {
            let mut model = load(&scenario)?;
            if let Some(s) = seed {
                model.sim.seed = s;
            }
            let reps = reps.unwrap_or(model.sim.replications);
            let sim = Simulator::new(&model);
            let results: Vec<Vec<_>> = (0..model.setups.len())
                .map(|s| (0..reps).map(|r| sim.run(s, r)).collect())
                .collect();
            let runs: Vec<SetupRuns<'_>> = model
                .setups
                .iter()
                .zip(&results)
                .map(|(s, r)| SetupRuns {
                    name: &s.name,
                    results: r,
                })
                .collect();
            let table = summary_table(&model, &runs, reps, model.sim.seed);
            let mut out = std::io::stdout().lock();
            // A closed pipe (`covsim run … | head`) is not an error.
            match out.write_all(table.as_bytes()) {
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                r => r
                    .context("cannot write to standard output")
                    .map_err(Failure::from),
            }
        }
    }
}

/// Writes to a temporary file beside `path`, then renames it: never a half-written file.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(".".as_ref());
    let tmp = dir.join(format!(
        ".{}.tmp-{}",
        path.file_name()
            .map_or("covsim".into(), |n| n.to_string_lossy()),
        std::process::id()
    ));
    let result = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }
}
