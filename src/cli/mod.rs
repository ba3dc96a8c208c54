//! Command-line parsing and the top-level flow. Owns flags, subcommands and exit codes;
//! simulates nothing itself.
//!
//! Exit codes: 0 success, 1 the run failed (I/O, interrupted), 2 usage or scenario error.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};

use covsim::montecarlo::{self, Hooks, Plan};
use covsim::report::charts::render_charts;
use covsim::report::csv::CsvLocale;
use covsim::report::html::render_report;
use covsim::report::i18n::Lang;
use covsim::report::output::{
    OutputError, RunInfo, check_target, read_run_folder, render_streamed, update_run_folder,
    write_replications, write_run_folder_streamed,
};
use covsim::report::{comparison_table_text, exceedance_table_text, summary_table, target_text};
use covsim::scenario;

mod backtest;
mod calibrate;
mod merge;
mod serve;
mod shard;
mod tickets;

/// Monte Carlo simulator of IT support coverage for companies with 30–100 PCs.
#[derive(Parser, Debug)]
#[command(name = "covsim", version, about, long_about = None)]
pub(crate) struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Language {
    /// English.
    En,
    /// German.
    De,
}

impl From<Language> for Lang {
    fn from(l: Language) -> Lang {
        match l {
            Language::En => Lang::En,
            Language::De => Lang::De,
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Locale {
    /// Comma-separated, decimal point.
    En,
    /// Semicolon-separated, decimal comma (German Excel).
    De,
}

impl From<Locale> for CsvLocale {
    fn from(l: Locale) -> CsvLocale {
        match l {
            Locale::En => CsvLocale::En,
            Locale::De => CsvLocale::De,
        }
    }
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulate every setup of a scenario, write the run folder and print the comparison.
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Index of the first replication: reproduces any slice of a larger run exactly.
        #[arg(long, default_value_t = 0)]
        replications_from: u64,
        /// Run until the 95 % CI half-width of every headline metric is within this share of
        /// its mean (e.g. 0.02), or the replication cap (--reps, default 100000) is reached.
        #[arg(long, value_parser = parse_precision)]
        precision: Option<f64>,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Draw the charts and the report of a finished run again, from its files.
    Report {
        /// The run folder.
        run_dir: PathBuf,
        /// Language of the charts and the report.
        #[arg(long, value_enum, default_value = "en")]
        lang: Language,
    },
    /// Check a scenario file and report every problem.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Run the scenario at every combination of the given values (common random numbers) and
    /// chart each headline metric against the swept value.
    Sweep {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// A field path and its values, e.g. `company.pcs=30,50,100` or
        /// `msp.silver.technicians=3,4,6`; repeat for a grid.
        #[arg(long = "set", value_name = "PATH=V1,V2,...", required = true)]
        set: Vec<String>,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Vary each main input of one setup by ±20 %, one at a time, and draw tornado charts of
    /// the effect on total cost and on the user-hours lost in a bad year.
    Sensitivity {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// The setup to analyse (its `name`).
        #[arg(long)]
        setup: String,
        #[command(flatten)]
        options: RunOptions,
    },
    /// Turn a client's ticket export into a scenario: ticket rates, weekday and month profiles
    /// and effort distributions per category and priority, plus calibration.html.
    #[command(group(clap::ArgGroup::new("input").required(true).args(["export", "list_presets"])))]
    Calibrate {
        /// The ticket export (CSV or XLSX).
        export: Option<PathBuf>,
        #[command(flatten)]
        read: tickets::ExportArgs,
        /// Where to write the scenario (default: <export name>.toml in this folder); the report
        /// goes beside it as <scenario name>.calibration.html.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Categories with fewer tickets (per priority) are merged into "other".
        #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=1_000_000))]
        min_count: u64,
        /// Language of calibration.html.
        #[arg(long, value_enum, default_value = "en")]
        lang: Language,
        /// Overwrite existing files at --out.
        #[arg(long)]
        force: bool,
        /// List the ticket systems whose exports are read, with the columns they expect.
        #[arg(long)]
        list_presets: bool,
    },
    /// Simulate the setup a client had over the period of its ticket export and compare each
    /// observed figure with the simulated 90 % band.
    Backtest {
        /// Scenario file (TOML), e.g. the one `covsim calibrate` wrote.
        scenario: PathBuf,
        /// The ticket export (CSV or XLSX).
        export: PathBuf,
        /// The setup the client had (its `name`).
        #[arg(long)]
        setup: String,
        #[command(flatten)]
        read: tickets::ExportArgs,
        /// Replications (default 200).
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=montecarlo::MAX_REPLICATIONS))]
        reps: Option<u64>,
        /// Master seed (default: the scenario's `simulation.seed`).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
        threads: Option<u64>,
        /// Output folder (default: output/<scenario>-backtest-<UTC date and time>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Replace an existing covsim folder at --out.
        #[arg(long)]
        force: bool,
        /// CSV format: `de` opens correctly in a German Excel.
        #[arg(long, value_enum, default_value = "en")]
        csv_locale: Locale,
        /// No progress bar.
        #[arg(long, short)]
        quiet: bool,
        /// Language of the table, charts and causes.
        #[arg(long, value_enum)]
        lang: Option<Language>,
    },
    /// Write one simulated year of a setup's tickets as a ticket system exports them (to try
    /// calibrate and backtest, or to test an import).
    ExportTickets {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// The setup whose year is exported (its `name`).
        #[arg(long)]
        setup: String,
        /// The ticket system's format (a preset of `covsim calibrate --list-presets`).
        #[arg(long, default_value = "zammad")]
        format: String,
        /// Which replication (simulated year) to export.
        #[arg(long, default_value_t = 0)]
        replication: u64,
        /// Where to write (default: <scenario>-tickets-<format>.csv).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Merge the shard folders of a job run with `--shard` into the run, sweep or sensitivity
    /// folder a single run of the same replications writes.
    Merge(merge::MergeArgs),
    /// Open a local web page that answers "what if …?" live (controls generated from the
    /// scenario; numbers as `covsim run` prints them).
    Serve(serve::ServeArgs),
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

/// Options shared by the commands that simulate (`run`, `sweep`, `sensitivity`).
#[derive(Args, Debug)]
struct RunOptions {
    /// Replications (per point of a sweep, per run of a sensitivity analysis; default: the
    /// scenario's `simulation.replications`).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=montecarlo::MAX_REPLICATIONS))]
    reps: Option<u64>,
    /// Master seed (default: the scenario's `simulation.seed`).
    #[arg(long)]
    seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
    /// Run folder (default: output/<scenario>[-sweep|-sensitivity]-<UTC date and time>).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Replace an existing run folder.
    #[arg(long)]
    force: bool,
    /// CSV format: `de` opens correctly in a German Excel.
    #[arg(long, value_enum, default_value = "en")]
    csv_locale: Locale,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// Language of the charts and the report (default: the scenario's `report.lang`, else
    /// English).
    #[arg(long, value_enum)]
    lang: Option<Language>,
    /// Run only shard K of N (counted from 0) of the replications and write a shard folder
    /// into --out, for `covsim merge`; `auto` reads K and N from the batch scheduler
    /// (Slurm array, Kubernetes Indexed Job, COVSIM_SHARD_INDEX/COVSIM_SHARD_COUNT).
    #[arg(long, value_name = "K/N|auto", value_parser = shard::parse_arg)]
    shard: Option<shard::ShardArg>,
}

fn parse_precision(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(x) if x > 0.0 && x < 1.0 => Ok(x),
        _ => Err(format!(
            "expected a share between 0 and 1 (e.g. 0.02 for ±2 %), got '{s}'"
        )),
    }
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

/// Exit code 2 when the folder chosen is the cause (it exists, it is not covsim's), 1 otherwise.
fn output_failure(e: OutputError) -> Failure {
    Failure {
        code: if e.is_usage() { 2 } else { 1 },
        error: e.into(),
    }
}

/// Stops the output phase (charts, report, writing) once the command was interrupted.
fn not_interrupted(cancel: &AtomicBool) -> Result<(), Failure> {
    if cancel.load(Ordering::SeqCst) {
        Err(output_failure(OutputError::Interrupted))
    } else {
        Ok(())
    }
}

/// Loads a scenario and warns on stderr about MSP pools loaded so heavily that the results
/// depend on the warm-up (a warning, not an error: the exit code stays 0).
fn load(path: &Path) -> Result<covsim::model::Model, Failure> {
    let model = scenario::load(path).map_err(usage)?;
    warn_load(&path.display().to_string(), &model);
    Ok(model)
}

/// Prints the MSP pool load warnings of `model` (see `scenario::msp_load`) to stderr.
fn warn_load(file: &str, model: &covsim::model::Model) {
    for w in scenario::msp_load::warnings(model) {
        eprintln!("warning: {file}: {w}");
    }
}

/// Prints to stdout; a closed pipe (`covsim run … | head`) is not an error.
fn print(text: &str) -> Result<(), Failure> {
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        r => r
            .context("cannot write to standard output")
            .map_err(Failure::from),
    }
}

fn run(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Merge(args) => merge::merge(args),
        Command::Run {
            scenario,
            replications_from,
            precision,
            options,
        } if options.shard.is_some() => {
            shard::run(&scenario, replications_from, precision, options)
        }
        Command::Sweep {
            scenario,
            set,
            options,
        } if options.shard.is_some() => shard::sweep(&scenario, &set, options),
        Command::Sensitivity {
            scenario,
            setup,
            options,
        } if options.shard.is_some() => shard::sensitivity(&scenario, &setup, options),
        Command::Validate { scenario } => {
            let model = load(&scenario)?;
            print(&format!(
                "{}: ok — {} setups, {} ticket categories, {} people, {} MSP contracts\n",
                scenario.display(),
                model.setups.len(),
                model.categories.len(),
                model.people.len(),
                model.contracts.len()
            ))
        }
        Command::Report { run_dir, lang } => {
            start_threads(None)?;
            let files = read_run_folder(&run_dir).map_err(|e| {
                usage(anyhow::anyhow!(
                    "{e}; is {} the folder of a finished covsim run?",
                    run_dir.display()
                ))
            })?;
            covsim::report::verify::verify_run_folder(&files).map_err(|e| {
                usage(anyhow::anyhow!(
                    "{}: {e}; run the scenario again to get a consistent folder",
                    run_dir.display()
                ))
            })?;
            static REPORT_CANCEL: AtomicBool = AtomicBool::new(false);
            covsim::interrupt::watch(&REPORT_CANCEL);
            let charts = render_charts(&files, lang.into())
                .with_context(|| format!("cannot draw the charts of {}", run_dir.display()))?;
            let report =
                render_report(&files, &charts, lang.into()).context("cannot write the report")?;
            let count = charts.len();
            let mut all = charts;
            all.push(("report.html".to_string(), report));
            not_interrupted(&REPORT_CANCEL)?;
            update_run_folder(&run_dir, &all, &REPORT_CANCEL).map_err(|e| match e {
                OutputError::Interrupted => anyhow::anyhow!(
                    "interrupted; some charts may be redrawn and others not: run covsim report \
                     again"
                )
                .into(),
                e => output_failure(e),
            })?;
            print(&format!(
                "wrote {count} chart files and report.html into {}\n",
                run_dir.display()
            ))
        }
        Command::Sweep {
            scenario,
            set,
            options:
                RunOptions {
                    reps,
                    seed,
                    threads,
                    out,
                    force,
                    csv_locale,
                    quiet,
                    lang,
                    ..
                },
        } => run_sweep(
            &scenario,
            &set,
            Batch {
                reps,
                seed,
                threads,
                out,
                force,
                csv_locale,
                quiet,
                lang,
            },
        ),
        Command::Sensitivity {
            scenario,
            setup,
            options:
                RunOptions {
                    reps,
                    seed,
                    threads,
                    out,
                    force,
                    csv_locale,
                    quiet,
                    lang,
                    ..
                },
        } => run_sensitivity(
            &scenario,
            &setup,
            Batch {
                reps,
                seed,
                threads,
                out,
                force,
                csv_locale,
                quiet,
                lang,
            },
        ),
        Command::Calibrate {
            export,
            read,
            out,
            min_count,
            lang,
            force,
            list_presets,
        } => {
            if list_presets {
                return print(&covsim::calibrate::ingest::list_presets_text());
            }
            let export_path = export.expect("clap requires the export without --list-presets");
            let export = read.read(&export_path)?;
            // The starter's calendar (business hours, Bavarian holidays) measures business
            // hours and open time: the written scenario is the starter with calibrated
            // categories, so both agree.
            let starter = scenario::from_str(scenario::STARTER, "starter.toml")
                .map_err(|e| anyhow::anyhow!("the built-in starter scenario is invalid: {e}"))?;
            let options = covsim::calibrate::estimate::EstimateOptions {
                min_count,
                ..Default::default()
            };
            let mut cal = covsim::calibrate::estimate::calibrate(&export, &starter, &options)
                .map_err(usage)?;
            cal.observed = covsim::calibrate::observed::observed_times(&export, &starter);
            calibrate::write_calibration(
                &cal,
                &export.report,
                &export_path,
                out.as_deref(),
                lang.into(),
                force,
            )
        }
        Command::Backtest {
            scenario,
            export,
            setup,
            read,
            reps,
            seed,
            threads,
            out,
            force,
            csv_locale,
            quiet,
            lang,
        } => {
            let export = read.read(&export)?;
            backtest::backtest_command(
                &scenario,
                &export,
                backtest::BacktestArgs {
                    setup,
                    reps,
                    seed,
                    threads,
                    out,
                    force,
                    csv_locale: csv_locale.into(),
                    quiet,
                    lang: lang.map(Lang::from),
                },
            )
        }
        Command::ExportTickets {
            scenario,
            setup,
            format,
            replication,
            out,
            force,
        } => {
            let out = out.unwrap_or_else(|| tickets::default_export_path(&scenario, &format));
            tickets::export_tickets_command(&scenario, &setup, &format, replication, &out, force)
        }
        Command::Serve(args) => serve::run(args),
        Command::Init { path, force } => {
            // --force overwrites a file, never a folder, link or device.
            let exists = match std::fs::symlink_metadata(&path) {
                Ok(m) if !m.is_file() => {
                    return Err(usage(anyhow::anyhow!(
                        "{} exists and is not a regular file (a folder, link or device); init \
                         writes one file and never replaces anything else: choose another path",
                        path.display()
                    )));
                }
                Ok(_) => true,
                Err(_) => false,
            };
            if exists && !force {
                return Err(usage(anyhow::anyhow!(
                    "{} exists already; choose another path or pass --force to overwrite it",
                    path.display()
                )));
            }
            write_atomically(&path, scenario::STARTER.as_bytes(), force).map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    usage(anyhow::anyhow!(
                        "{} appeared while writing; choose another path or pass --force to \
                         overwrite it",
                        path.display()
                    ))
                } else {
                    anyhow::anyhow!("cannot write {}: {e}", path.display()).into()
                }
            })?;
            print(&format!(
                "wrote {}; check it with: covsim validate {}\n",
                path.display(),
                path.display()
            ))
        }
        Command::Run {
            scenario,
            replications_from,
            precision,
            options:
                RunOptions {
                    reps,
                    seed,
                    threads,
                    out,
                    force,
                    csv_locale,
                    quiet,
                    lang,
                    ..
                },
        } => {
            let started = Instant::now();
            let started_utc = chrono::Utc::now();
            // Read once: what is simulated is exactly the text copied into the run folder.
            let text = scenario::read_text(&scenario).map_err(usage)?;
            let mut model =
                scenario::from_str(&text, &scenario.display().to_string()).map_err(usage)?;
            warn_load(&scenario.display().to_string(), &model);
            if let Some(s) = seed {
                model.sim.seed = s;
            }
            let dir = out.unwrap_or_else(|| {
                let stem = scenario
                    .file_stem()
                    .map_or("run".into(), |s| s.to_string_lossy().into_owned());
                Path::new("output").join(format!("{stem}-{}", started_utc.format("%Y%m%d-%H%M%S")))
            });
            check_target(&dir, force).map_err(output_failure)?;
            let threads = threads.map(|t| t as usize);
            start_threads(threads)?;
            let thread_count = threads.unwrap_or_else(rayon::current_num_threads);

            // Ctrl-C stops the run, within a replication too; nothing is written then.
            static CANCEL: AtomicBool = AtomicBool::new(false);
            covsim::interrupt::watch(&CANCEL);
            let cap = reps.unwrap_or(if precision.is_some() {
                100_000
            } else {
                model.sim.replications
            });
            montecarlo::check_range(replications_from, cap).map_err(usage)?;
            check_budget(
                &[&model],
                covsim::budget::Work {
                    replications: cap,
                    runs: 1,
                    keep_all_runs: true,
                    threads: thread_count as u64,
                    cap: precision.is_some(),
                },
            )?;
            let bar = progress_bar(cap * model.setups.len() as u64, quiet);
            let setups = model.setups.len() as u64;
            let progress = |done: u64| {
                if let Some(b) = &bar {
                    b.set_position(done * setups);
                }
            };
            let hooks = Hooks {
                cancel: &CANCEL,
                progress: &progress,
            };
            let result = match precision {
                None => montecarlo::run(
                    &model,
                    Plan {
                        first: replications_from,
                        count: cap,
                        threads,
                    },
                    &hooks,
                )
                .map(|e| (e, None)),
                Some(rel) => montecarlo::run_to_precision(
                    &model,
                    replications_from,
                    rel,
                    cap.min(200),
                    cap,
                    threads,
                    &hooks,
                )
                .map(|(e, o)| (e, Some(o))),
            };
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            let (exp, outcome) =
                result.map_err(|e| anyhow::anyhow!("{e}; no outputs were written"))?;
            let info = RunInfo {
                scenario_path: scenario.clone(),
                scenario_text: text,
                threads: thread_count,
                wall_time_s: started.elapsed().as_secs_f64(),
                started_utc: started_utc.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                locale: match csv_locale {
                    Locale::En => CsvLocale::En,
                    Locale::De => CsvLocale::De,
                },
                precision: outcome,
                command_line: std::env::args().collect::<Vec<_>>().join(" "),
            };
            let mut text = write_run(&model, &exp, &info, lang, (&dir, force), &CANCEL, None)?;
            text.push_str(&format!(
                "\nResults in {} ({:.1} s)\n",
                dir.display(),
                started.elapsed().as_secs_f64()
            ));
            print(&text)
        }
    }
}

/// Writes the run folder of `exp` (charts and report included) and returns the printed
/// summary; `note` adds a field to the manifest (a merge says which shards it holds).
fn write_run(
    model: &covsim::model::Model,
    exp: &covsim::montecarlo::Experiment,
    info: &RunInfo,
    lang: Option<Language>,
    (dir, force): (&Path, bool),
    cancel: &AtomicBool,
    note: Option<(&str, serde_json::Value)>,
) -> Result<String, Failure> {
    let lang = lang.unwrap_or(match model.report.lang.as_deref() {
        Some("de") => Language::De,
        _ => Language::En,
    });
    // Charts and report read a slim replications.csv; the full one is streamed to disk.
    let mut files = render_streamed(model, exp, info);
    if let Some((key, value)) = note {
        covsim::shard::add_manifest_field(&mut files, key, &value);
    }
    not_interrupted(cancel)?;
    let charts = render_charts(&files, lang.into()).context("cannot draw the charts")?;
    not_interrupted(cancel)?;
    let report = render_report(&files, &charts, lang.into()).context("cannot write the report")?;
    let mut all: Vec<(String, Vec<u8>)> =
        files.into_iter().map(|(n, b)| (n.to_string(), b)).collect();
    all.extend(charts);
    all.push(("report.html".to_string(), report));
    let locale = info.locale;
    let replications = |w: &mut dyn Write| write_replications(exp, false, locale, w);
    write_run_folder_streamed(
        dir,
        force,
        &all,
        &[("replications.csv", &replications)],
        cancel,
    )
    .map_err(output_failure)?;
    let mut text = summary_table(model, exp);
    text.push('\n');
    text.push_str(&comparison_table_text(model, exp));
    let exceed = exceedance_table_text(model, exp);
    if !exceed.is_empty() {
        text.push('\n');
        text.push_str(&exceed);
    }
    let target = target_text(model, exp);
    if !target.is_empty() {
        text.push('\n');
        text.push_str(&target);
    }
    if let Some(o) = &info.precision {
        text.push_str(&format!(
            "\nPrecision: {} after {} replications; widest interval: {} of \"{}\" at ±{:.1} % of its mean.\n",
            if o.reached { "reached" } else { "NOT reached (replication cap)" },
            exp.count,
            o.deciding.1,
            o.deciding.0,
            o.relative_half_width * 100.0
        ));
    }
    Ok(text)
}

// ---------------------------------------------------------------------------------------------
// `covsim sweep` and `covsim sensitivity`

/// The options `sweep` and `sensitivity` share with `run`.
struct Batch {
    reps: Option<u64>,
    seed: Option<u64>,
    threads: Option<u64>,
    out: Option<PathBuf>,
    force: bool,
    csv_locale: Locale,
    quiet: bool,
    lang: Option<Language>,
}

/// What `sweep` and `sensitivity` need before simulating: the scenario text, its base model,
/// the run folder (checked not to exist) and the chart language.
struct Prepared {
    text: String,
    file: String,
    model: covsim::model::Model,
    dir: PathBuf,
    lang: Lang,
    locale: CsvLocale,
    started: Instant,
}

fn prepare_batch(scenario: &Path, kind: &str, b: &Batch) -> Result<Prepared, Failure> {
    let started = Instant::now();
    start_threads(b.threads.map(|t| t as usize))?;
    let text = scenario::read_text(scenario).map_err(usage)?;
    let file = scenario.display().to_string();
    let model = scenario::from_str(&text, &file).map_err(usage)?;
    let dir = b.out.clone().unwrap_or_else(|| {
        let stem = scenario
            .file_stem()
            .map_or("run".into(), |s| s.to_string_lossy().into_owned());
        Path::new("output").join(format!(
            "{stem}-{kind}-{}",
            chrono::Utc::now().format("%Y%m%d-%H%M%S")
        ))
    });
    check_target(&dir, b.force).map_err(output_failure)?;
    let lang = b.lang.unwrap_or(match model.report.lang.as_deref() {
        Some("de") => Language::De,
        _ => Language::En,
    });
    Ok(Prepared {
        text,
        file,
        model,
        dir,
        lang: lang.into(),
        locale: match b.csv_locale {
            Locale::En => CsvLocale::En,
            Locale::De => CsvLocale::De,
        },
        started,
    })
}

/// Starts the global worker threads: `--threads` bounds the writing of outputs (charts, CSV
/// formatting, summaries) as well as the simulation, which runs on a pool of its own with the
/// same size. Started here, not lazily, so that a system that refuses the threads (memory,
/// process limit) gives a message instead of a panic inside rayon.
fn start_threads(threads: Option<usize>) -> Result<(), Failure> {
    let mut builder = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        builder = builder.num_threads(n);
    }
    // Nothing starts the global pool before this call, so an error is the system's refusal.
    builder.build_global().map_err(|e| {
        Failure::from(anyhow::anyhow!(
            "cannot start {} worker threads: {e}; run with fewer threads, e.g. --threads 2",
            threads.map_or_else(|| "the".to_string(), |n| n.to_string())
        ))
    })
}

/// Refuses (exit 2) a run whose estimated memory exceeds what is available, naming what
/// drives it; warns on stderr when it will take long. See `covsim::budget`.
/// Of several models (the points of a sweep), the largest estimate counts.
fn check_budget(
    models: &[&covsim::model::Model],
    work: covsim::budget::Work,
) -> Result<(), Failure> {
    use covsim::budget;
    let available = budget::available().map_err(|e| usage(anyhow::anyhow!(e)))?;
    let estimate = models
        .iter()
        .map(|m| budget::estimate(m, &work))
        .max_by_key(budget::Estimate::total_bytes)
        .ok_or_else(|| usage(anyhow::anyhow!("nothing to simulate")))?;
    match budget::check(&estimate, &work, &available) {
        Err(e) => Err(usage(e)),
        Ok(Some(warning)) => {
            eprintln!("warning: {warning}");
            Ok(())
        }
        Ok(None) => Ok(()),
    }
}

static BATCH_CANCEL: AtomicBool = AtomicBool::new(false);

impl Prepared {
    /// The replication plan of every point or run.
    fn plan(&self, b: &Batch) -> Plan {
        Plan {
            first: 0,
            count: self.reps(b),
            threads: b.threads.map(|t| t as usize),
        }
    }

    /// Replications per point or run.
    fn reps(&self, b: &Batch) -> u64 {
        b.reps.unwrap_or(self.model.sim.replications)
    }

    /// Worker threads of the simulation.
    fn threads(&self, b: &Batch) -> u64 {
        b.threads
            .unwrap_or_else(|| rayon::current_num_threads() as u64)
    }

    /// Runs `simulate` with Ctrl-C cancellation and a progress bar over `total` steps, of which
    /// each finished replication reported by the hooks is `per_replication`.
    fn with_progress<T>(
        &self,
        b: &Batch,
        total: u64,
        per_replication: u64,
        simulate: impl FnOnce(&Hooks<'_>) -> T,
    ) -> T {
        let bar = progress_bar(total, b.quiet);
        let progress = |done: u64| {
            if let Some(bar) = &bar {
                bar.set_position(done * per_replication);
            }
        };
        covsim::interrupt::watch(&BATCH_CANCEL);
        let result = simulate(&Hooks {
            cancel: &BATCH_CANCEL,
            progress: &progress,
        });
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        result
    }

    /// Writes the run folder: the scenario, a manifest (the fields every batch command records
    /// around the command's own `fields`), the command's table and its charts.
    fn write_folder(
        &self,
        b: &Batch,
        command: &str,
        scenario_name: &str,
        fields: Vec<(&str, serde_json::Value)>,
        table: (&str, Vec<u8>),
        charts: Vec<(String, Vec<u8>)>,
    ) -> Result<(), Failure> {
        let mut manifest: Vec<(&str, serde_json::Value)> = vec![
            ("command", command.into()),
            ("scenario", scenario_name.into()),
            ("scenario_file", self.file.clone().into()),
            (
                "command_line",
                std::env::args().collect::<Vec<_>>().join(" ").into(),
            ),
        ];
        manifest.extend(fields);
        manifest.push(("wall_time_s", self.started.elapsed().as_secs_f64().into()));
        let mut files: Vec<(String, Vec<u8>)> = vec![
            ("scenario.toml".into(), self.text.clone().into_bytes()),
            ("manifest.json".into(), covsim::sweep::manifest(&manifest)),
            (table.0.into(), table.1),
        ];
        files.extend(charts);
        write_run_folder_streamed(&self.dir, b.force, &files, &[], &BATCH_CANCEL)
            .map_err(output_failure)
    }
}

fn run_sweep(scenario: &Path, set: &[String], b: Batch) -> Result<(), Failure> {
    use covsim::sweep;
    let p = prepare_batch(scenario, "sweep", &b)?;
    let axes = parse_axes(set)?;
    let points = sweep::points(&p.text, &p.file, &axes, b.seed).map_err(usage)?;
    let (reps, plan) = (p.reps(&b), p.plan(&b));
    check_budget(
        &points.iter().map(|pt| &pt.model).collect::<Vec<_>>(),
        covsim::budget::Work {
            replications: reps,
            runs: points.len() as u64,
            keep_all_runs: true,
            threads: p.threads(&b),
            cap: false,
        },
    )?;
    let setups = p.model.setups.len() as u64;
    let total = reps * points.len() as u64 * setups;
    let result = p.with_progress(&b, total, setups, |hooks| {
        sweep::run_points(&points, plan, hooks)
    });
    let exps = result.map_err(|e| anyhow::anyhow!("{e}; no outputs were written"))?;
    finish_sweep(&p, &b, (&axes, &points, &exps), None)
}

/// The axes of `--set PATH=V1,V2,…` arguments.
fn parse_axes(set: &[String]) -> Result<Vec<covsim::sweep::Axis>, Failure> {
    let mut axes: Vec<covsim::sweep::Axis> = Vec::new();
    for arg in set {
        let (path, values) =
            scenario::parse_set(arg).map_err(|e| usage(anyhow::anyhow!("--set {arg}: {e}")))?;
        if axes.iter().any(|a| a.path == path) {
            return Err(usage(anyhow::anyhow!(
                "--set {path} is given twice; list all its values in one --set, separated by commas"
            )));
        }
        axes.push(covsim::sweep::Axis { path, values });
    }
    Ok(axes)
}

/// Summarises the points of a sweep, writes its folder and prints its table; `note` adds a
/// field to the manifest (a merge says which shards it holds).
fn finish_sweep(
    p: &Prepared,
    b: &Batch,
    (axes, points, exps): (
        &[covsim::sweep::Axis],
        &[covsim::sweep::Point],
        &[covsim::montecarlo::Experiment],
    ),
    note: Option<(&str, serde_json::Value)>,
) -> Result<(), Failure> {
    use covsim::sweep;
    let reps = p.reps(b);
    let results = sweep::summarise(axes, points, exps);
    not_interrupted(&BATCH_CANCEL)?;
    let charts = covsim::report::charts::sweep::render_sweep_charts(&results, p.lang)
        .context("cannot draw the charts")?;
    let mut fields = vec![
        ("seed", results.seed.into()),
        ("replications_per_point", reps.into()),
        ("points", points.len().into()),
        ("axes", sweep::axes_json(axes)),
    ];
    fields.extend(note);
    p.write_folder(
        b,
        "sweep",
        &results.scenario,
        fields,
        ("sweep.csv", sweep::sweep_table(&results).to_csv(p.locale)),
        charts,
    )?;
    let mut text = sweep_text(&results);
    text.push_str(&format!(
        "\n{} points × {reps} replications; results in {} ({:.1} s)\n",
        points.len(),
        p.dir.display(),
        p.started.elapsed().as_secs_f64()
    ));
    print(&text)
}

/// The printed summary of a sweep: per point and setup, the mean total cost and user-hours
/// lost (the whole table is in sweep.csv).
fn sweep_text(r: &covsim::sweep::SweepResults) -> String {
    use covsim::sweep::value_text;
    let pick = |name: &str| r.metrics.iter().position(|m| m == name);
    let (cost, uhl) = (pick("cost_total_eur"), pick("user_hours_lost"));
    let mut out = String::new();
    let heads: Vec<&str> = r.axes.iter().map(|a| a.path.as_str()).collect();
    out.push_str(&format!(
        "{:<40} {:<20} {:>22} {:>22}\n",
        heads.join(", "),
        "setup",
        "user-hours lost/year",
        "total cost/year (€)"
    ));
    for (index, stats) in &r.points {
        let at: Vec<String> = r
            .axes
            .iter()
            .zip(index)
            .map(|(a, &i)| value_text(&a.values[i]))
            .collect();
        for (setup, per) in r.setups.iter().zip(stats) {
            let cell = |m: Option<usize>| match m.and_then(|m| per[m]) {
                Some(s) => format!("{:.0} ±{:.0}", s.mean, (s.ci_hi - s.ci_lo) / 2.0),
                None => "–".into(),
            };
            out.push_str(&format!(
                "{:<40} {:<20} {:>22} {:>22}\n",
                at.join(", "),
                setup,
                cell(uhl),
                cell(cost)
            ));
        }
    }
    out
}

/// A number with at most four decimals, without trailing zeros.
fn short_number(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn run_sensitivity(scenario: &Path, setup: &str, b: Batch) -> Result<(), Failure> {
    use covsim::sweep;
    let p = prepare_batch(scenario, "sensitivity", &b)?;
    let index = sweep::find_setup(&p.model, setup, &p.file).map_err(usage)?;
    let runs =
        1 + 2 * sweep::variations(&p.text, &p.model, index, sweep::SENSITIVITY_RANGE).len() as u64;
    let (reps, plan) = (p.reps(&b), p.plan(&b));
    check_budget(
        &[&sweep::only_setup(&p.model, index)],
        covsim::budget::Work {
            replications: reps,
            runs,
            keep_all_runs: false,
            threads: p.threads(&b),
            cap: false,
        },
    )?;
    let result = p.with_progress(&b, reps * runs, 1, |hooks| {
        sweep::sensitivity(&p.text, &p.file, setup, b.seed, plan, hooks)
    });
    let s = match result {
        Ok(s) => s,
        Err(sweep::SweepError::Scenario(e)) => return Err(usage(e)),
        Err(e) => return Err(anyhow::anyhow!("{e}; no outputs were written").into()),
    };
    finish_sensitivity(&p, &b, &s, runs, None)
}

/// Writes the folder of a sensitivity analysis of `runs` runs and prints its table; `note`
/// adds a field to the manifest (a merge says which shards it holds).
fn finish_sensitivity(
    p: &Prepared,
    b: &Batch,
    s: &covsim::sweep::Sensitivity,
    runs: u64,
    note: Option<(&str, serde_json::Value)>,
) -> Result<(), Failure> {
    use covsim::sweep;
    let reps = p.reps(b);
    not_interrupted(&BATCH_CANCEL)?;
    let charts = covsim::report::charts::sweep::render_tornado_charts(s, p.lang)
        .context("cannot draw the charts")?;
    let mut fields = vec![
        ("setup", s.setup.clone().into()),
        ("seed", s.seed.into()),
        ("replications_per_run", reps.into()),
        ("relative_change", s.range.into()),
        ("runs", runs.into()),
    ];
    fields.extend(note);
    p.write_folder(
        b,
        "sensitivity",
        &s.scenario,
        fields,
        (
            "sensitivity.csv",
            sweep::sensitivity_table(s).to_csv(p.locale),
        ),
        charts,
    )?;
    let mut text = format!(
        "Sensitivity of \"{}\" (each input −{pct:.0} % / +{pct:.0} %, {reps} replications per run):\n",
        s.setup,
        pct = s.range * 100.0
    );
    text.push_str(&format!(
        "{:<48} {:>22} {:>12} {:>12} {:>12}\n",
        "input (low – high)", "metric", "base", "low", "high"
    ));
    for r in &s.rows {
        let v = &r.variation;
        text.push_str(&format!(
            "{:<48} {:>22} {:>12.0} {:>12.0} {:>12.0}\n",
            format!(
                "{} ({} – {})",
                v.parameter,
                short_number(v.low_value),
                short_number(v.high_value)
            ),
            sweep::metric_label(&r.metric, &r.stat),
            r.base,
            r.low,
            r.high
        ));
    }
    text.push_str(&format!(
        "\n{runs} runs; results in {} ({:.1} s)\n",
        p.dir.display(),
        p.started.elapsed().as_secs_f64()
    ));
    print(&text)
}

/// A progress bar on stderr, shown only on a terminal, without --quiet, and once a run has
/// taken longer than a second (short runs stay quiet).
fn progress_bar(total: u64, quiet: bool) -> Option<indicatif::ProgressBar> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(total),
        indicatif::ProgressDrawTarget::hidden(),
    );
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{bar:40} {pos}/{len} replication-years, ETA {eta}",
        )
        .expect("a valid template"),
    );
    let shown = bar.clone();
    // The system may refuse a thread; the run does not need its progress bar.
    let delayed = std::thread::Builder::new().spawn(move || {
        std::thread::sleep(Duration::from_secs(1));
        if !shown.is_finished() {
            shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        }
    });
    delayed.is_ok().then_some(bar)
}

/// Writes to a temporary file beside `path`, then renames it: never a half-written file. Without
/// `replace`, fails with `AlreadyExists` if a file appeared at `path` meanwhile.
fn write_atomically(path: &Path, bytes: &[u8], replace: bool) -> std::io::Result<()> {
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
    let result = std::fs::write(&tmp, bytes).and_then(|()| {
        if replace {
            std::fs::rename(&tmp, path)
        } else {
            covsim::report::folder::rename_noreplace(&tmp, path)
        }
    });
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
