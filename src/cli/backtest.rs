//! `covsim backtest SCENARIO EXPORT --setup NAME`: simulates the setup the client had over the
//! export's period, writes a folder with `backtest.csv` and the charts, and prints the table.
//!
//! The subcommand's arguments (and reading the export with its `--preset` / `--map`) are wired
//! in `mod.rs`; this file takes the export already read.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use anyhow::Context;

use covsim::calibrate::Export;
use covsim::calibrate::backtest::{self, BacktestError, DEFAULT_REPLICATIONS, Options};
use covsim::calibrate::backtest_text::{csv_table, table_text};
use covsim::montecarlo::Hooks;
use covsim::report::charts::backtest::render_backtest_charts;
use covsim::report::csv::CsvLocale;
use covsim::report::i18n::Lang;
use covsim::report::output::{check_target, write_run_folder_streamed};
use covsim::scenario;

use super::{Failure, output_failure, print, progress_bar, usage, warn_load};

/// The options of `covsim backtest` besides the scenario and the export.
pub(crate) struct BacktestArgs {
    /// The setup the client had (its `name`).
    pub(crate) setup: String,
    /// Replications (default [`DEFAULT_REPLICATIONS`]).
    pub(crate) reps: Option<u64>,
    /// Master seed (default: the scenario's).
    pub(crate) seed: Option<u64>,
    /// Worker threads (default: one per core).
    pub(crate) threads: Option<u64>,
    /// Output folder (default `output/<scenario>-backtest-<UTC date and time>`).
    pub(crate) out: Option<PathBuf>,
    /// Replace an existing covsim folder.
    pub(crate) force: bool,
    /// CSV format.
    pub(crate) csv_locale: CsvLocale,
    /// No progress bar.
    pub(crate) quiet: bool,
    /// Language of table, charts and causes (default: the scenario's `report.lang`, else
    /// English).
    pub(crate) lang: Option<Lang>,
}

/// Runs the backtest of `scenario` (path of the TOML file) against `export`; see the module
/// documentation. Exit code 2 for a bad scenario, setup or period, 1 for a failed run.
pub(crate) fn backtest_command(
    scenario_path: &Path,
    export: &Export,
    args: BacktestArgs,
) -> Result<(), Failure> {
    let started = Instant::now();
    let started_utc = chrono::Utc::now();
    let file = scenario_path.display().to_string();
    // Read once: the folder holds exactly the text that was simulated (with the period's
    // years, recorded in the manifest).
    let text = scenario::read_text(scenario_path).map_err(usage)?;
    let model = backtest::model_for_export(&text, &file, export).map_err(usage)?;
    warn_load(&file, &model);
    let options = Options {
        replications: args.reps.unwrap_or(DEFAULT_REPLICATIONS),
        seed: args.seed.unwrap_or(model.sim.seed),
        threads: args.threads.map(|t| t as usize),
    };
    let dir = args.out.unwrap_or_else(|| {
        let stem = scenario_path
            .file_stem()
            .map_or("run".into(), |s| s.to_string_lossy().into_owned());
        Path::new("output").join(format!(
            "{stem}-backtest-{}",
            started_utc.format("%Y%m%d-%H%M%S")
        ))
    });
    check_target(&dir, args.force).map_err(output_failure)?;

    static CANCEL: AtomicBool = AtomicBool::new(false);
    covsim::interrupt::watch(&CANCEL);
    // The bar counts replication-years, as `covsim run`'s does.
    let years = u64::from(model.sim.years);
    let bar = progress_bar(options.replications * years, args.quiet);
    let progress = |done: u64| {
        if let Some(b) = &bar {
            b.set_position(done * years);
        }
    };
    let result = backtest::run(
        &model,
        &args.setup,
        export,
        &options,
        &Hooks {
            cancel: &CANCEL,
            progress: &progress,
        },
    );
    if let Some(b) = &bar {
        b.finish_and_clear();
    }
    let b = result.map_err(|e: BacktestError| {
        if e.is_usage() {
            usage(e)
        } else {
            Failure::from(anyhow::anyhow!("{e}; no outputs were written"))
        }
    })?;
    let lang = args.lang.unwrap_or(match model.report.lang.as_deref() {
        Some("de") => Lang::De,
        _ => Lang::En,
    });
    super::not_interrupted(&CANCEL)?;
    let charts = render_backtest_charts(&b, lang).context("cannot draw the backtest charts")?;
    let overrides: Vec<String> = backtest::period_overrides(export)
        .iter()
        .map(ToString::to_string)
        .collect();
    let manifest = covsim::sweep::manifest(&[
        ("command", "backtest".into()),
        ("scenario_name", model.name.clone().into()),
        ("scenario_file", file.clone().into()),
        ("scenario_overrides", overrides.into()),
        ("export", export.source.clone().into()),
        ("setup", b.setup.clone().into()),
        ("period_from", b.period.0.to_string().into()),
        ("period_until", b.period.1.to_string().into()),
        ("replications", b.replications.into()),
        ("seed", b.seed.into()),
        ("metrics", b.comparisons.len().into()),
        ("inside", b.inside().into()),
        ("acceptable_misses", b.acceptable_misses.into()),
        ("reproduces", b.reproduces().into()),
        (
            "command_line",
            std::env::args().collect::<Vec<_>>().join(" ").into(),
        ),
        ("started_utc", started_utc.to_rfc3339().into()),
        ("wall_time_s", started.elapsed().as_secs_f64().into()),
    ]);
    let mut files: Vec<(String, Vec<u8>)> = vec![
        ("scenario.toml".into(), text.into_bytes()),
        ("manifest.json".into(), manifest),
        (
            "backtest.csv".into(),
            csv_table(&b, lang).to_csv(args.csv_locale),
        ),
    ];
    files.extend(charts);
    write_run_folder_streamed(&dir, args.force, &files, &[], &CANCEL).map_err(output_failure)?;
    let mut out = table_text(&b, lang);
    out.push_str(&format!(
        "\n{} {} ({:.1} s)\n",
        lang.pick("Results in", "Ergebnisse in"),
        dir.display(),
        started.elapsed().as_secs_f64()
    ));
    print(&out)
}
