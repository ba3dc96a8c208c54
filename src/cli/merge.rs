//! `covsim merge SHARD_DIR… --out RUN_DIR`: the shards of a job, checked and merged into the
//! folder a single run of their replications writes (see `covsim::shard`).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::Args;

use covsim::report::csv::CsvLocale;
use covsim::report::output::{RunInfo, check_target};
use covsim::shard::merge::{self as shard_merge, Job, MergeError};

use super::{
    Batch, Failure, Language, Locale, Prepared, output_failure, print, start_threads, usage,
};

/// Options of `covsim merge`.
#[derive(Args, Debug)]
pub(crate) struct MergeArgs {
    /// Shard folders, or folders holding shard folders (`shard-*`, as `--shard` writes them
    /// into its --out), in any order.
    #[arg(required = true, value_name = "SHARD_DIR")]
    shards: Vec<PathBuf>,
    /// The run folder to write.
    #[arg(long)]
    out: PathBuf,
    /// Replace an existing run folder.
    #[arg(long)]
    force: bool,
    /// Merge an unbroken part of the shards (e.g. 0–49 of 100) as a run of their
    /// replications; without it, every shard of the job must be given.
    #[arg(long)]
    partial: bool,
    /// Worker threads for the charts and tables (default: one per core). Results do not
    /// depend on it.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    threads: Option<u64>,
}

static MERGE_CANCEL: AtomicBool = AtomicBool::new(false);

fn input(e: MergeError) -> Failure {
    match e {
        MergeError::Interrupted => Failure {
            code: 1,
            error: e.into(),
        },
        e => usage(e),
    }
}

/// The manifest field that says what a merged folder holds.
fn note(job: &Job) -> serde_json::Value {
    serde_json::json!({
        "shards": job.shards_text(),
        "complete": job.complete,
        "first_replication": job.first,
        "replications": job.count,
        "job_first_replication": job.reference().job_first_replication,
        "job_replications": job.reference().job_replications,
    })
}

/// `covsim merge`.
pub(super) fn merge(a: MergeArgs) -> Result<(), Failure> {
    let started = Instant::now();
    let started_utc = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let dirs = shard_merge::expand(&a.shards).map_err(input)?;
    let mut found = Vec::with_capacity(dirs.len());
    for d in dirs {
        let m = shard_merge::read_manifest(&d).map_err(input)?;
        found.push((d, m));
    }
    let job = shard_merge::check(found, a.partial, env!("CARGO_PKG_VERSION")).map_err(input)?;
    let text = shard_merge::check_files(&job).map_err(input)?;
    check_target(&a.out, a.force).map_err(output_failure)?;
    let threads = a.threads.map(|t| t as usize);
    start_threads(threads)?;
    covsim::interrupt::watch(&MERGE_CANCEL);
    let mut parts = shard_merge::fold(&job, &MERGE_CANCEL).map_err(input)?;
    let r = job.reference().clone();
    let file = r.scenario_file.clone();
    let first_dir = job.shards[0].0.clone();
    // The scenario was valid when the shards ran; this covsim is the same version.
    let scenario_error = |e: covsim::scenario::ScenarioErrors| {
        usage(anyhow::anyhow!(
            "shard {}: its scenario does not load: {e}",
            first_dir.display()
        ))
    };
    let mut model = covsim::scenario::from_str(&text, &file).map_err(scenario_error)?;
    model.sim.seed = r.seed;
    let lang = match r.lang.as_deref() {
        Some("de") => Some(Language::De),
        Some(_) => Some(Language::En),
        None => None,
    };
    let locale = if r.csv_locale == "de" {
        Locale::De
    } else {
        Locale::En
    };
    let partial_note = if job.complete {
        String::new()
    } else {
        format!(
            "\nPARTIAL merge: shards {} only, replications {}–{} of the job's {}–{}.\n",
            job.shards_text(),
            job.first,
            job.first + job.count - 1,
            r.job_first_replication,
            r.job_first_replication + r.job_replications - 1
        )
    };
    let merged = format!(
        "merged {} shards ({}) of {} replications",
        job.shards.len(),
        job.shards_text(),
        job.count
    );
    match r.command.as_str() {
        "run" => {
            let exp = parts.pop().expect("a run shard has one part");
            let info = RunInfo {
                scenario_path: PathBuf::from(&file),
                scenario_text: text,
                threads: threads.unwrap_or_else(rayon::current_num_threads),
                wall_time_s: started.elapsed().as_secs_f64(),
                started_utc,
                locale: match locale {
                    Locale::En => CsvLocale::En,
                    Locale::De => CsvLocale::De,
                },
                precision: None,
                command_line: std::env::args().collect::<Vec<_>>().join(" "),
            };
            let mut out = super::write_run(
                &model,
                &exp,
                &info,
                lang,
                (&a.out, a.force),
                &MERGE_CANCEL,
                Some(("merged_shards", note(&job))),
            )?;
            out.push_str(&partial_note);
            out.push_str(&format!(
                "\n{merged}; results in {} ({:.1} s)\n",
                a.out.display(),
                started.elapsed().as_secs_f64()
            ));
            print(&out)
        }
        "sweep" | "sensitivity" => {
            let p = Prepared {
                text,
                file,
                lang: lang
                    .unwrap_or(match model.report.lang.as_deref() {
                        Some("de") => Language::De,
                        _ => Language::En,
                    })
                    .into(),
                locale: match locale {
                    Locale::En => CsvLocale::En,
                    Locale::De => CsvLocale::De,
                },
                model,
                dir: a.out.clone(),
                started,
            };
            let b = Batch {
                reps: Some(job.count),
                seed: r.seed_option,
                threads: a.threads,
                out: Some(a.out.clone()),
                force: a.force,
                csv_locale: locale,
                quiet: true,
                lang,
            };
            if !partial_note.is_empty() {
                eprint!("{}", partial_note.trim_start());
            }
            eprintln!("{merged}");
            let note = Some(("merged_shards", note(&job)));
            if r.command == "sweep" {
                let axes = super::parse_axes(&r.sweep_set)?;
                let points = covsim::sweep::points(&p.text, &p.file, &axes, r.seed_option)
                    .map_err(scenario_error)?;
                if points.len() != parts.len() {
                    return Err(input(MergeError::Shard {
                        shard: job.shards[0].0.clone(),
                        problem: format!(
                            "it holds {} points, its sweep has {}",
                            parts.len(),
                            points.len()
                        ),
                    }));
                }
                super::finish_sweep(&p, &b, (&axes, &points, &parts), note)
            } else {
                let setup = r.sensitivity_setup.clone().unwrap_or_default();
                let runs = covsim::sweep::sensitivity_runs(&p.text, &p.file, &setup, r.seed_option)
                    .map_err(|e| {
                        usage(anyhow::anyhow!(
                            "shard {}: its sensitivity analysis does not load: {e}",
                            job.shards[0].0.display()
                        ))
                    })?;
                if runs.models.len() != parts.len() {
                    return Err(input(MergeError::Shard {
                        shard: job.shards[0].0.clone(),
                        problem: format!(
                            "it holds {} runs, its sensitivity analysis has {}",
                            parts.len(),
                            runs.models.len()
                        ),
                    }));
                }
                let metrics = covsim::sweep::sensitivity_metric_indexes();
                let results: Vec<Vec<Vec<f64>>> = parts
                    .iter()
                    .map(|e| {
                        metrics
                            .iter()
                            .map(|&m| e.setups[0].values[m].clone())
                            .collect()
                    })
                    .collect();
                let s = covsim::sweep::sensitivity_of(&runs, &setup, &results, job.count);
                super::finish_sensitivity(&p, &b, &s, runs.models.len() as u64, note)
            }
        }
        other => Err(usage(anyhow::anyhow!(
            "shard {}: its command '{other}' is not run, sweep or sensitivity",
            job.shards[0].0.display()
        ))),
    }
}
