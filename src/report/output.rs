//! The run folder: every output of a run, written atomically.
//!
//! Files are written into a temporary folder beside the target and renamed into place at the
//! end, so an interrupted or failed run (Ctrl-C, SIGTERM, error, full disk) never leaves a
//! half-written run folder. The final rename never replaces anything it did not check: it fails
//! if something appeared at the target meanwhile (another run with the same `--out`), and with
//! `force` it replaces only the covsim folder that was checked (see [`super::folder`]), and only
//! after the new one is complete.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

pub use super::csv::write_replications;
use super::csv::{
    CsvLocale, comparison_table, daily_table, episodes_table, exceedance_table, summary_table,
    times_table,
};
pub use super::folder::check_target;
use super::folder::{NotOurs, Target, check_folder, rename_noreplace};
use super::verify::{Checker, CheckingWriter, add_checks, is_checked};
use crate::engine::catalog;
use crate::model::Model;
use crate::montecarlo::{Experiment, PrecisionOutcome};
use crate::stats::MeanCi;

/// Why the outputs could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// The run folder exists and `force` was not given, or it appeared while the command ran.
    #[error("{0} exists already; choose another folder with --out, or pass --force to replace it")]
    Exists(PathBuf),
    /// Something that covsim did not write is at the path: `force` does not replace it.
    #[error(
        "{path} exists and is not a folder that covsim wrote: {why}. --force replaces only a \
         covsim run, sweep or sensitivity folder, so nothing was touched; choose another folder \
         with --out{hint}"
    )]
    NotOurs {
        /// The path.
        path: PathBuf,
        /// What is there.
        why: NotOurs,
        /// What the user can do besides choosing another folder.
        hint: &'static str,
    },
    /// The folder to be replaced changed between its check and its replacement.
    #[error("{path} changed while covsim was writing ({detail}); nothing was replaced")]
    Changed {
        /// The run folder.
        path: PathBuf,
        /// What happened, and where the old folder is if it could not be put back.
        detail: String,
    },
    /// The command was interrupted (Ctrl-C, SIGTERM) before the folder was complete.
    #[error("interrupted; nothing was written")]
    Interrupted,
    /// Reading or writing failed.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

impl OutputError {
    /// Whether the user's choice of folder is the cause (exit code 2), not a failure of the
    /// run (exit code 1).
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            OutputError::Exists(_) | OutputError::NotOurs { .. } | OutputError::Changed { .. }
        )
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Facts about a run that are not results: they go into `manifest.json`.
#[derive(Clone, Debug)]
pub struct RunInfo {
    /// The scenario file as given.
    pub scenario_path: PathBuf,
    /// Its text, exactly as run.
    pub scenario_text: String,
    /// Worker threads.
    pub threads: usize,
    /// Wall time of the simulation and output [s].
    pub wall_time_s: f64,
    /// Start time, UTC, RFC 3339.
    pub started_utc: String,
    /// CSV locale.
    pub locale: CsvLocale,
    /// Outcome of a `--precision` run.
    pub precision: Option<PrecisionOutcome>,
    /// The command line that produced the run.
    pub command_line: String,
}

#[derive(Serialize)]
struct ManifestSetup {
    name: String,
    /// Means of the headline metrics.
    headline_means: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct Manifest {
    covsim_version: &'static str,
    scenario_name: String,
    scenario_file: String,
    command_line: String,
    seed: u64,
    first_replication: u64,
    replications: u64,
    years_per_replication: u32,
    baseline: String,
    csv_locale: &'static str,
    /// Volatile fields: they differ between runs that give identical results.
    threads: usize,
    wall_time_s: f64,
    started_utc: String,
    precision: Option<serde_json::Value>,
    files: Vec<&'static str>,
    setups: Vec<ManifestSetup>,
}

/// Files of a run folder, in writing order.
pub const FILES: [&str; 9] = [
    "scenario.toml",
    "summary.csv",
    "exceedance.csv",
    "comparison.csv",
    "replications.csv",
    "daily.csv",
    "times.csv",
    "episodes.csv",
    "manifest.json",
];

/// Every file of a run folder as `(name, bytes)`: pure, so it can be tested without a disk.
/// For large runs, [`render_streamed`] keeps `replications.csv` out of memory.
pub fn render(model: &Model, exp: &Experiment, info: &RunInfo) -> Vec<(&'static str, Vec<u8>)> {
    render_with(model, exp, info, false)
}

/// Like [`render`], but `replications.csv` holds only the headline metrics (what charts and
/// report read). Write the full file with [`write_run_folder_streamed`] and
/// [`write_replications`], so that memory does not hold a copy of every replication's row.
pub fn render_streamed(
    model: &Model,
    exp: &Experiment,
    info: &RunInfo,
) -> Vec<(&'static str, Vec<u8>)> {
    render_with(model, exp, info, true)
}

fn render_with(
    model: &Model,
    exp: &Experiment,
    info: &RunInfo,
    slim_replications: bool,
) -> Vec<(&'static str, Vec<u8>)> {
    let l = info.locale;
    let setups = exp
        .setups
        .iter()
        .map(|s| ManifestSetup {
            name: s.name.clone(),
            headline_means: catalog()
                .iter()
                .zip(&s.values)
                .filter(|(d, _)| d.headline)
                .map(|(d, v)| {
                    let mean = MeanCi::of(v.iter().copied()).mean;
                    (
                        d.name.clone(),
                        serde_json::Number::from_f64(mean)
                            .map_or(serde_json::Value::Null, Into::into),
                    )
                })
                .collect(),
        })
        .collect();
    let manifest = Manifest {
        covsim_version: env!("CARGO_PKG_VERSION"),
        scenario_name: model.name.clone(),
        scenario_file: info.scenario_path.display().to_string(),
        command_line: info.command_line.clone(),
        seed: model.sim.seed,
        first_replication: exp.first,
        replications: exp.count,
        years_per_replication: model.sim.years,
        baseline: exp.setups[model.report.baseline].name.clone(),
        csv_locale: if l == CsvLocale::De { "de" } else { "en" },
        threads: info.threads,
        wall_time_s: (info.wall_time_s * 1000.0).round() / 1000.0,
        started_utc: info.started_utc.clone(),
        precision: info.precision.as_ref().map(|p| {
            serde_json::json!({
                "reached": p.reached,
                "deciding_setup": p.deciding.0,
                "deciding_metric": p.deciding.1,
                "relative_half_width": p.relative_half_width,
            })
        }),
        files: FILES.to_vec(),
        setups,
    };
    let mut json = serde_json::to_vec_pretty(&manifest).expect("the manifest serialises");
    json.push(b'\n');
    vec![
        ("scenario.toml", info.scenario_text.clone().into_bytes()),
        ("summary.csv", summary_table(exp).to_csv(l)),
        ("exceedance.csv", exceedance_table(model, exp).to_csv(l)),
        ("comparison.csv", comparison_table(model, exp).to_csv(l)),
        ("replications.csv", {
            let mut buf = Vec::new();
            write_replications(exp, slim_replications, l, &mut buf)
                .expect("writing to memory cannot fail");
            buf
        }),
        ("daily.csv", daily_table(model, exp).to_csv(l)),
        ("times.csv", times_table(exp).to_csv(l)),
        ("episodes.csv", episodes_table(model, exp).to_csv(l)),
        ("manifest.json", json),
    ]
}

/// Removes the temporary folder unless the run folder was committed.
struct TempDir(Option<PathBuf>);

impl Drop for TempDir {
    fn drop(&mut self) {
        if let Some(p) = self.0.take() {
            let _ = fs::remove_dir_all(p);
        }
    }
}

/// A file written by a function instead of from bytes in memory.
pub type Streamed<'a> = (
    &'a str,
    &'a dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()>,
);

/// Writes `files` into the run folder `dir`, atomically (see [`write_run_folder_streamed`]).
pub fn write_run_folder<N: AsRef<str>>(
    dir: &Path,
    force: bool,
    files: &[(N, Vec<u8>)],
) -> Result<(), OutputError> {
    write_run_folder_streamed(dir, force, files, &[], &AtomicBool::new(false))
}

/// Writes `files`, then the `streamed` files (which replace same-named ones), into the run
/// folder `dir`, atomically; `manifest.json` is written last, with the size, CRC-32 and rows of
/// every data file added (`file_checks`). Stops with [`OutputError::Interrupted`] once `cancel`
/// is set, leaving nothing behind. Refuses what [`check_target`] refuses, and anything that
/// appears at `dir` while writing.
pub fn write_run_folder_streamed<N: AsRef<str>>(
    dir: &Path,
    force: bool,
    files: &[(N, Vec<u8>)],
    streamed: &[Streamed<'_>],
    cancel: &AtomicBool,
) -> Result<(), OutputError> {
    let target = check_target(dir, force)?;
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io(parent))?;
    let name = dir
        .file_name()
        .map_or("run".into(), |n| n.to_string_lossy().into_owned());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir(&tmp).map_err(io(&tmp))?;
    let mut guard = TempDir(Some(tmp.clone()));
    let go_on = || {
        if cancel.load(Ordering::SeqCst) {
            Err(OutputError::Interrupted)
        } else {
            Ok(())
        }
    };
    let mut checks = BTreeMap::new();
    let mut manifest = None;
    for (file, bytes) in files {
        go_on()?;
        let name: &str = file.as_ref();
        if name == "manifest.json" {
            manifest = Some(bytes);
            continue;
        }
        if streamed.iter().any(|(s, _)| *s == name) {
            continue;
        }
        let path = tmp.join(name);
        fs::write(&path, bytes).map_err(io(&path))?;
        if is_checked(name) {
            checks.insert(name.to_string(), Checker::of(name, bytes));
        }
    }
    for (name, write) in streamed {
        go_on()?;
        let path = tmp.join(name);
        let file = fs::File::create(&path).map_err(io(&path))?;
        let mut checker = Checker::new(name);
        let mut w = CheckingWriter::new(std::io::BufWriter::new(file), &mut checker);
        write(&mut w)
            .and_then(|()| std::io::Write::flush(&mut w))
            .map_err(io(&path))?;
        drop(w);
        if is_checked(name) {
            checks.insert(name.to_string(), checker.finish());
        }
    }
    if let Some(bytes) = manifest {
        go_on()?;
        let path = tmp.join("manifest.json");
        let bytes = add_checks(bytes, &checks).unwrap_or_else(|| bytes.clone());
        fs::write(&path, bytes).map_err(io(&path))?;
    }
    go_on()?;
    commit(dir, &tmp, parent, &name, target)?;
    guard.0 = None;
    Ok(())
}

/// Moves the complete folder `tmp` to `dir`, replacing only the covsim folder `target` that was
/// checked: it is moved aside, checked again (same folder, still covsim's), and removed only
/// once the new folder is in place. Nothing that appears at `dir` meanwhile is replaced.
fn commit(
    dir: &Path,
    tmp: &Path,
    parent: &Path,
    name: &str,
    target: Target,
) -> Result<(), OutputError> {
    let put = |from: &Path| {
        rename_noreplace(from, dir).map_err(|e| match e.kind() {
            std::io::ErrorKind::AlreadyExists | std::io::ErrorKind::DirectoryNotEmpty => {
                OutputError::Exists(dir.to_path_buf())
            }
            _ => io(dir)(e),
        })
    };
    let Target::Ours(id) = target else {
        return put(tmp);
    };
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    match rename_noreplace(dir, &old) {
        // The old folder is gone already: there is nothing left to replace.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return put(tmp),
        Err(e) => return Err(io(dir)(e)),
        Ok(()) => {}
    }
    let restore = |what: &str| {
        let detail = match put(&old) {
            Ok(()) => what.to_string(),
            Err(_) => format!("{what}; the previous folder is kept at {}", old.display()),
        };
        OutputError::Changed {
            path: dir.to_path_buf(),
            detail,
        }
    };
    match check_folder(&old) {
        Ok(now) if now == id => {}
        Ok(_) => return Err(restore("another folder was put in its place")),
        Err(why) => return Err(restore(&format!("{why} now"))),
    }
    if let Err(e) = put(tmp) {
        return Err(match e {
            OutputError::Exists(_) => restore("something else was put there meanwhile"),
            e => {
                let _ = put(&old);
                e
            }
        });
    }
    let _ = fs::remove_dir_all(&old);
    Ok(())
}

/// Replaces or adds `files` in an existing run folder, each file atomically (written beside
/// its final name, then renamed), so a reader never sees a half-written chart or report.
/// Stops with [`OutputError::Interrupted`] between files once `cancel` is set.
pub fn update_run_folder<N: AsRef<str>>(
    dir: &Path,
    files: &[(N, Vec<u8>)],
    cancel: &AtomicBool,
) -> Result<(), OutputError> {
    for (name, bytes) in files {
        if cancel.load(Ordering::SeqCst) {
            return Err(OutputError::Interrupted);
        }
        let name: &str = name.as_ref();
        let path = dir.join(name);
        let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
        let result = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, &path));
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(io(&path)(e));
        }
    }
    Ok(())
}

/// Files that covsim 0.2.0 added to the run folder: a folder whose manifest does not list them
/// was written by an earlier version, and the charts and report do not need them.
const ADDED_IN_0_2: [&str; 1] = ["episodes.csv"];

/// Reads the files of a finished run folder that charts and report are made from. A file that
/// an earlier version did not write may be missing if the manifest does not list it.
pub fn read_run_folder(dir: &Path) -> Result<Vec<(&'static str, Vec<u8>)>, OutputError> {
    let listed = |name: &str| {
        fs::read(dir.join("manifest.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
            .and_then(|m| m["files"].as_array().map(|f| f.iter().any(|x| x == name)))
            // Without a readable list, the file is required: the manifest check then says why.
            .unwrap_or(true)
    };
    let mut out = Vec::with_capacity(FILES.len());
    for &name in &FILES {
        let path = dir.join(name);
        match fs::read(&path) {
            Ok(bytes) => out.push((name, bytes)),
            Err(e)
                if e.kind() == std::io::ErrorKind::NotFound
                    && ADDED_IN_0_2.contains(&name)
                    && !listed(name) => {}
            Err(source) => return Err(OutputError::Io { path, source }),
        }
    }
    Ok(out)
}
