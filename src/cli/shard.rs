//! `--shard K/N|auto` for `run`, `sweep` and `sensitivity`: simulate one slice of the
//! replications and write a shard folder for `covsim merge` (see `covsim::shard`).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use covsim::montecarlo::{self, Experiment, Hooks, Plan};
use covsim::scenario;
use covsim::shard::{Shard, ShardManifest, Slice};

use super::{
    Failure, Language, Locale, RunOptions, check_budget, not_interrupted, print, progress_bar,
    start_threads, usage, warn_load,
};

/// The value of `--shard`.
#[derive(Clone, Copy, Debug)]
pub(crate) enum ShardArg {
    /// `K/N`.
    Fixed(Shard),
    /// `auto`: from the batch scheduler's environment.
    Auto,
}

/// Parses `--shard`.
pub(super) fn parse_arg(s: &str) -> Result<ShardArg, String> {
    if s == "auto" {
        Ok(ShardArg::Auto)
    } else {
        Shard::parse(s).map(ShardArg::Fixed)
    }
}

/// Which shard this process runs.
fn resolve(arg: Option<ShardArg>) -> Result<Shard, Failure> {
    match arg {
        Some(ShardArg::Fixed(s)) => Ok(s),
        Some(ShardArg::Auto) => {
            Shard::from_env(|name| std::env::var(name).ok()).map_err(|e| usage(anyhow::anyhow!(e)))
        }
        None => unreachable!("the shard commands run only with --shard"),
    }
}

static SHARD_CANCEL: AtomicBool = AtomicBool::new(false);

/// What every shard command knows before simulating.
struct Prepared {
    shard: Shard,
    started: Instant,
    started_utc: String,
    text: String,
    file: String,
    model: covsim::model::Model,
    dir: PathBuf,
    threads: Option<usize>,
}

/// Reads the scenario, picks the shard and its folder, and refuses an existing shard folder
/// before anything is simulated. `kind` names the default collection folder
/// (`output/<scenario>[-kind]-shards`).
fn prepare(scenario: &Path, kind: &str, o: &RunOptions) -> Result<Prepared, Failure> {
    let started = Instant::now();
    let started_utc = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let shard = resolve(o.shard)?;
    let text = scenario::read_text(scenario).map_err(usage)?;
    let file = scenario.display().to_string();
    let mut model = scenario::from_str(&text, &file).map_err(usage)?;
    if let Some(s) = o.seed {
        model.sim.seed = s;
    }
    let collection = o.out.clone().unwrap_or_else(|| {
        let stem = scenario
            .file_stem()
            .map_or("run".into(), |s| s.to_string_lossy().into_owned());
        Path::new("output").join(format!("{stem}{kind}-shards"))
    });
    let dir = collection.join(shard.folder_name());
    if !o.force && std::fs::symlink_metadata(&dir).is_ok() {
        return Err(usage(covsim::shard::folder::WriteError::Exists(dir)));
    }
    let threads = o.threads.map(|t| t as usize);
    start_threads(threads)?;
    Ok(Prepared {
        shard,
        started,
        started_utc,
        text,
        file,
        model,
        dir,
        threads,
    })
}

impl Prepared {
    /// The replications of the job (`--reps`, else the scenario's), and this shard's slice.
    fn slice(&self, first: u64, o: &RunOptions) -> Result<(u64, Slice), Failure> {
        let total = o.reps.unwrap_or(self.model.sim.replications);
        montecarlo::check_range(first, total).map_err(usage)?;
        let slice = self.shard.slice(first, total).map_err(|e| {
            usage(anyhow::anyhow!(
                "--shard {}/{}: {e}",
                self.shard.index,
                self.shard.count
            ))
        })?;
        Ok((total, slice))
    }

    /// Runs `simulate` with Ctrl-C cancellation and a progress bar over `total` steps.
    fn simulate<T>(
        &self,
        o: &RunOptions,
        total: u64,
        per_replication: u64,
        simulate: impl FnOnce(&Hooks<'_>) -> Result<T, montecarlo::RunError>,
    ) -> Result<T, Failure> {
        let bar = progress_bar(total, o.quiet);
        let progress = |done: u64| {
            if let Some(bar) = &bar {
                bar.set_position(done * per_replication);
            }
        };
        covsim::interrupt::watch(&SHARD_CANCEL);
        let result = simulate(&Hooks {
            cancel: &SHARD_CANCEL,
            progress: &progress,
        });
        if let Some(bar) = &bar {
            bar.finish_and_clear();
        }
        let result = result.map_err(|e| anyhow::anyhow!("{e}; no shard was written"))?;
        not_interrupted(&SHARD_CANCEL)?;
        Ok(result)
    }

    /// Encodes `parts` and writes the shard folder; prints where it went.
    fn write(
        &self,
        o: &RunOptions,
        command: &str,
        (first, total, slice): (u64, u64, Slice),
        parts: &[Experiment],
        (sweep_set, setup): (Vec<String>, Option<String>),
    ) -> Result<(), Failure> {
        let (metrics, aggregates) = covsim::shard::codec::layout(command).expect("our commands");
        let mut data = Vec::new();
        covsim::shard::codec::encode(parts, &metrics, aggregates, &mut data)
            .map_err(|e| anyhow::anyhow!("cannot encode the shard: {e}"))?;
        let manifest = ShardManifest {
            format: covsim::shard::FORMAT.into(),
            format_version: covsim::shard::FORMAT_VERSION,
            covsim_version: env!("CARGO_PKG_VERSION").into(),
            command: command.into(),
            scenario_name: self.model.name.clone(),
            scenario_file: self.file.clone(),
            scenario_bytes: self.text.len() as u64,
            scenario_crc32: covsim::shard::crc32_hex(self.text.as_bytes()),
            seed: self.model.sim.seed,
            seed_option: o.seed,
            shard: self.shard.index,
            shards: self.shard.count,
            job_first_replication: first,
            job_replications: total,
            first_replication: slice.first,
            replications: slice.count,
            csv_locale: match o.csv_locale {
                Locale::En => "en".into(),
                Locale::De => "de".into(),
            },
            lang: o.lang.map(|l| {
                match l {
                    Language::En => "en",
                    Language::De => "de",
                }
                .to_string()
            }),
            sweep_set,
            sensitivity_setup: setup,
            parts: parts.len() as u64,
            data_bytes: 0,
            data_crc32: String::new(),
            command_line: std::env::args().collect::<Vec<_>>().join(" "),
            threads: self.threads.unwrap_or_else(rayon::current_num_threads) as u64,
            wall_time_s: (self.started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
            started_utc: self.started_utc.clone(),
        };
        not_interrupted(&SHARD_CANCEL)?;
        covsim::shard::folder::write(&self.dir, &manifest, &self.text, &data, o.force).map_err(
            |e| Failure {
                code: if e.is_usage() { 2 } else { 1 },
                error: e.into(),
            },
        )?;
        let collection = self.dir.parent().unwrap_or(Path::new("."));
        print(&format!(
            "shard {} of {}: replications {}–{} ({:.1} KiB, {:.0} bytes per replication) in {} \
             ({:.1} s)\nmerge once all shards are done: covsim merge {} --out RUN_FOLDER\n",
            self.shard.index,
            self.shard.count,
            slice.first,
            slice.first + slice.count - 1,
            data.len() as f64 / 1024.0,
            data.len() as f64 / slice.count as f64,
            self.dir.display(),
            self.started.elapsed().as_secs_f64(),
            collection.display()
        ))
    }
}

/// `covsim run SCENARIO --shard …`.
pub(super) fn run(
    scenario: &Path,
    replications_from: u64,
    precision: Option<f64>,
    o: RunOptions,
) -> Result<(), Failure> {
    if precision.is_some() {
        return Err(usage(anyhow::anyhow!(
            "--shard and --precision cannot be combined: --precision decides the number of \
             replications while it runs, shards split a number known beforehand. Run with \
             --precision once, then shard that number of replications with --reps"
        )));
    }
    let p = prepare(scenario, "", &o)?;
    warn_load(&p.file, &p.model);
    let (total, slice) = p.slice(replications_from, &o)?;
    let threads = p.threads.unwrap_or_else(rayon::current_num_threads) as u64;
    check_budget(
        &[&p.model],
        covsim::budget::Work {
            replications: slice.count,
            runs: 1,
            keep_all_runs: true,
            threads,
            cap: false,
        },
    )?;
    let setups = p.model.setups.len() as u64;
    let plan = Plan {
        first: slice.first,
        count: slice.count,
        threads: p.threads,
    };
    let exp = p.simulate(&o, slice.count * setups, setups, |hooks| {
        montecarlo::run(&p.model, plan, hooks)
    })?;
    p.write(
        &o,
        "run",
        (replications_from, total, slice),
        &[exp],
        (Vec::new(), None),
    )
}

/// `covsim sweep SCENARIO --set … --shard …`: every point over the shard's replications.
pub(super) fn sweep(scenario: &Path, set: &[String], o: RunOptions) -> Result<(), Failure> {
    use covsim::sweep;
    let p = prepare(scenario, "-sweep", &o)?;
    let axes = super::parse_axes(set)?;
    let points = sweep::points(&p.text, &p.file, &axes, o.seed).map_err(usage)?;
    let (total, slice) = p.slice(0, &o)?;
    check_budget(
        &points.iter().map(|pt| &pt.model).collect::<Vec<_>>(),
        covsim::budget::Work {
            replications: slice.count,
            runs: points.len() as u64,
            keep_all_runs: true,
            threads: p.threads.unwrap_or_else(rayon::current_num_threads) as u64,
            cap: false,
        },
    )?;
    let setups = p.model.setups.len() as u64;
    let plan = Plan {
        first: slice.first,
        count: slice.count,
        threads: p.threads,
    };
    let exps = p.simulate(
        &o,
        slice.count * points.len() as u64 * setups,
        setups,
        |hooks| sweep::run_points(&points, plan, hooks),
    )?;
    p.write(&o, "sweep", (0, total, slice), &exps, (set.to_vec(), None))
}

/// `covsim sensitivity SCENARIO --setup … --shard …`: every run over the shard's replications.
pub(super) fn sensitivity(scenario: &Path, setup: &str, o: RunOptions) -> Result<(), Failure> {
    use covsim::sweep;
    let p = prepare(scenario, "-sensitivity", &o)?;
    let runs = match sweep::sensitivity_runs(&p.text, &p.file, setup, o.seed) {
        Ok(r) => r,
        Err(sweep::SweepError::Scenario(e)) => return Err(usage(e)),
        Err(e) => return Err(anyhow::anyhow!("{e}; no shard was written").into()),
    };
    let (total, slice) = p.slice(0, &o)?;
    check_budget(
        &[&runs.models[0]],
        covsim::budget::Work {
            replications: slice.count,
            runs: runs.models.len() as u64,
            keep_all_runs: false,
            threads: p.threads.unwrap_or_else(rayon::current_num_threads) as u64,
            cap: false,
        },
    )?;
    let plan = Plan {
        first: slice.first,
        count: slice.count,
        threads: p.threads,
    };
    let exps = p.simulate(&o, slice.count * runs.models.len() as u64, 1, |hooks| {
        // As `sweep::sensitivity` runs them: one after the other, progress over all.
        let mut out = Vec::with_capacity(runs.models.len());
        for (k, m) in runs.models.iter().enumerate() {
            let offset = k as u64 * plan.count;
            let progress = |done: u64| (hooks.progress)(offset + done);
            let inner = Hooks {
                cancel: hooks.cancel,
                progress: &progress,
            };
            out.push(montecarlo::run(m, plan, &inner)?);
        }
        Ok(out)
    })?;
    p.write(
        &o,
        "sensitivity",
        (0, total, slice),
        &exps,
        (Vec::new(), Some(setup.to_string())),
    )
}
