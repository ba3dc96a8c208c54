//! Merging shards: which shards belong together, and their data folded in replication order.
//!
//! The merge first reads every `shard.json` (a few hundred bytes each) and checks the set:
//! same covsim and format version, command, scenario, seed, options and number of shards; no
//! shard twice, no gap. It checks each shard's files against its manifest (size, CRC-32) and
//! only then decodes the data, one shard at a time, in replication order, straight into the
//! merged results: memory holds the output and one shard's manifest per shard, never all the
//! shards' data. Every problem names the shard; nothing is written before all shards are read.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::{DATA, FORMAT, FORMAT_VERSION, MANIFEST, SCENARIO, Shard, ShardManifest, codec};
use crate::montecarlo::Experiment;

/// Why shards cannot be merged. Every variant is an input error (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum MergeError {
    /// A problem of one shard.
    #[error("shard {}: {problem}", shard.display())]
    Shard {
        /// The shard folder.
        shard: PathBuf,
        /// What is wrong, and what to do.
        problem: String,
    },
    /// A problem of the set of shards (missing shards, nothing given).
    #[error("{0}")]
    Set(String),
    /// The merge was interrupted (Ctrl-C); nothing was written.
    #[error("interrupted; nothing was written")]
    Interrupted,
}

fn problem(shard: &Path, problem: impl Into<String>) -> MergeError {
    MergeError::Shard {
        shard: shard.to_path_buf(),
        problem: problem.into(),
    }
}

/// The shard folders named by `paths`: each is a shard folder (it has a `shard.json`) or a
/// folder of shard folders (its entries `shard-*` with a `shard.json`, in name order).
pub fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>, MergeError> {
    if paths.is_empty() {
        return Err(MergeError::Set("no shard folders given".into()));
    }
    let mut out = Vec::new();
    for p in paths {
        if p.join(MANIFEST).is_file() {
            out.push(p.clone());
            continue;
        }
        let mut inner: Vec<PathBuf> = match fs::read_dir(p) {
            Ok(entries) => entries
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().starts_with("shard-"))
                .map(|e| e.path())
                .filter(|d| d.join(MANIFEST).is_file())
                .collect(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(problem(p, "there is no such folder"));
            }
            Err(_) => Vec::new(),
        };
        if inner.is_empty() {
            return Err(problem(
                p,
                format!(
                    "neither a shard folder (it has no {MANIFEST}) nor a folder of shard \
                     folders (shard-*): give the folders that `covsim run … --shard` wrote"
                ),
            ));
        }
        inner.sort();
        out.extend(inner);
    }
    Ok(out)
}

/// Reads and checks one `shard.json`.
pub fn read_manifest(dir: &Path) -> Result<ShardManifest, MergeError> {
    let path = dir.join(MANIFEST);
    let bytes =
        fs::read(&path).map_err(|e| problem(dir, format!("cannot read {MANIFEST}: {e}")))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| {
        problem(
            dir,
            format!(
                "{MANIFEST} is not valid JSON ({e}): the file is damaged; run this shard again"
            ),
        )
    })?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(problem(
            dir,
            format!("{MANIFEST} is not the manifest of a covsim shard"),
        ));
    }
    match value
        .get("format_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(v) if v == u64::from(FORMAT_VERSION) => {}
        v => {
            return Err(problem(
                dir,
                format!(
                    "it is in shard format version {}, this covsim reads version \
                     {FORMAT_VERSION}: merge it with the covsim that wrote it",
                    v.map_or_else(|| "?".to_string(), |v| v.to_string())
                ),
            ));
        }
    }
    serde_json::from_value(value).map_err(|e| {
        problem(
            dir,
            format!("{MANIFEST} is damaged ({e}); run this shard again"),
        )
    })
}

/// A checked set of shards, in replication order.
#[derive(Debug)]
pub struct Job {
    /// Shard folders and their manifests, by shard index.
    pub shards: Vec<(PathBuf, ShardManifest)>,
    /// Whether every shard of the job is there.
    pub complete: bool,
    /// First replication of the merged shards.
    pub first: u64,
    /// Replications of the merged shards.
    pub count: u64,
}

impl Job {
    /// The manifest the shards agree on (the first shard's).
    pub fn reference(&self) -> &ShardManifest {
        &self.shards[0].1
    }

    /// `K–L of N` (or `K of N`): which shards were merged.
    pub fn shards_text(&self) -> String {
        let (a, b) = (
            self.shards[0].1.shard,
            self.shards[self.shards.len() - 1].1.shard,
        );
        let n = self.reference().shards;
        if a == b {
            format!("{a} of {n}")
        } else {
            format!("{a}–{b} of {n}")
        }
    }
}

/// `a–b` for the replications `first..first + count`.
fn range(first: u64, count: u64) -> String {
    format!("{first}–{}", first + count - 1)
}

/// Checks that the shards `found` (folders with their manifests, in any order) belong to one
/// job, that none is there twice and none is missing in between; a job with shards missing at
/// either end is accepted only with `partial`. `version` is this covsim's version.
pub fn check(
    mut found: Vec<(PathBuf, ShardManifest)>,
    partial: bool,
    version: &str,
) -> Result<Job, MergeError> {
    if found.is_empty() {
        return Err(MergeError::Set("no shard folders given".into()));
    }
    for (dir, m) in &found {
        if m.covsim_version != version {
            return Err(problem(
                dir,
                format!(
                    "it was simulated by covsim {}, this is covsim {version}: outputs are \
                     identical only within one version; merge with covsim {} or run the shard \
                     again",
                    m.covsim_version, m.covsim_version
                ),
            ));
        }
        let shard = Shard::new(m.shard, m.shards)
            .map_err(|e| problem(dir, format!("{MANIFEST} is damaged: {e}")))?;
        crate::montecarlo::check_range(m.job_first_replication, m.job_replications)
            .map_err(|e| problem(dir, format!("{MANIFEST} is damaged: {e}")))?;
        let slice = shard
            .slice(m.job_first_replication, m.job_replications)
            .map_err(|e| problem(dir, format!("{MANIFEST} is damaged: {e}")))?;
        if (slice.first, slice.count) != (m.first_replication, m.replications) {
            return Err(problem(
                dir,
                format!(
                    "{MANIFEST} was changed: shard {} of {} of replications {} holds \
                     replications {}, it says {}",
                    m.shard,
                    m.shards,
                    range(m.job_first_replication, m.job_replications),
                    range(slice.first, slice.count),
                    range(m.first_replication, m.replications.max(1))
                ),
            ));
        }
    }
    found.sort_by(|a, b| (a.1.shard, &a.0).cmp(&(b.1.shard, &b.0)));
    let (ref_dir, r) = &found[0];
    for (dir, m) in &found[1..] {
        let differs = |what: &str, a: String, b: String, hint: &str| {
            problem(
                dir,
                format!(
                    "its {what} ({a}) differs from that of shard {} ({b}): it belongs to another \
                     job{hint}",
                    ref_dir.display()
                ),
            )
        };
        if m.command != r.command {
            return Err(differs("command", m.command.clone(), r.command.clone(), ""));
        }
        if (m.scenario_crc32.as_str(), m.scenario_bytes)
            != (r.scenario_crc32.as_str(), r.scenario_bytes)
        {
            return Err(differs(
                "scenario",
                format!("CRC-32 {}, {} bytes", m.scenario_crc32, m.scenario_bytes),
                format!("CRC-32 {}, {} bytes", r.scenario_crc32, r.scenario_bytes),
                "; was the scenario edited between the shard runs? Run the shards of the \
                 older scenario again",
            ));
        }
        if (m.seed, m.seed_option) != (r.seed, r.seed_option) {
            return Err(differs(
                "seed",
                m.seed.to_string(),
                r.seed.to_string(),
                "; run it again with the seed of the others (--seed)",
            ));
        }
        if (m.shards, m.job_first_replication, m.job_replications)
            != (r.shards, r.job_first_replication, r.job_replications)
        {
            return Err(differs(
                "split",
                format!(
                    "{} shards of replications {}",
                    m.shards,
                    range(m.job_first_replication, m.job_replications)
                ),
                format!(
                    "{} shards of replications {}",
                    r.shards,
                    range(r.job_first_replication, r.job_replications)
                ),
                "; every shard of a job needs the same --shard N, --reps and \
                 --replications-from",
            ));
        }
        let options = |x: &ShardManifest| {
            format!(
                "--csv-locale {}, --lang {}, --set {:?}, --setup {:?}",
                x.csv_locale,
                x.lang.as_deref().unwrap_or("(scenario's)"),
                x.sweep_set,
                x.sensitivity_setup.as_deref().unwrap_or("")
            )
        };
        if options(m) != options(r) || m.parts != r.parts || m.scenario_name != r.scenario_name {
            return Err(differs("options", options(m), options(r), ""));
        }
    }
    for pair in found.windows(2) {
        let ((a_dir, a), (b_dir, b)) = (&pair[0], &pair[1]);
        if a.shard == b.shard {
            if same_folder(a_dir, b_dir) {
                return Err(problem(
                    b_dir,
                    "it is given twice (directly or inside a folder of shards): each shard may \
                     be merged once",
                ));
            }
            return Err(problem(
                b_dir,
                format!(
                    "it is shard {} of {} (replications {}) like {}: each shard may be merged \
                     once",
                    b.shard,
                    b.shards,
                    range(b.first_replication, b.replications),
                    a_dir.display()
                ),
            ));
        }
        if b.shard > a.shard + 1 {
            let missing_first = a.first_replication + a.replications;
            return Err(MergeError::Set(format!(
                "{} of {} (replications {}) {} missing between {} and {}: a merge is one \
                 unbroken range of replications; run the missing shards and merge again",
                if b.shard == a.shard + 2 {
                    format!("shard {}", a.shard + 1)
                } else {
                    format!("shards {}–{}", a.shard + 1, b.shard - 1)
                },
                a.shards,
                range(missing_first, b.first_replication - missing_first),
                if b.shard == a.shard + 2 { "is" } else { "are" },
                a_dir.display(),
                b_dir.display()
            )));
        }
    }
    let last = &found[found.len() - 1].1;
    let first = r.first_replication;
    let count = last.first_replication + last.replications - first;
    let complete = r.shard == 0 && last.shard + 1 == r.shards;
    if !complete && !partial {
        return Err(MergeError::Set(format!(
            "only shards {} of {} were given (replications {} of {}): {} missing. Merge all {} \
             shards, or pass --partial to merge these as a run of replications {}",
            if r.shard == last.shard {
                r.shard.to_string()
            } else {
                format!("{}–{}", r.shard, last.shard)
            },
            r.shards,
            range(first, count),
            range(r.job_first_replication, r.job_replications),
            missing(r.shard, last.shard, r.shards),
            r.shards,
            range(first, count)
        )));
    }
    Ok(Job {
        shards: found,
        complete,
        first,
        count,
    })
}

/// Whether two paths name the same folder.
fn same_folder(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The shards outside `a..=b` of `n`, as text: `shard 7 is`, `shards 0–3 and 9 are`.
fn missing(a: u64, b: u64, n: u64) -> String {
    let mut parts: Vec<String> = Vec::new();
    if a > 0 {
        parts.push(if a == 1 {
            "0".into()
        } else {
            format!("0–{}", a - 1)
        });
    }
    if b + 1 < n {
        parts.push(if b + 2 == n {
            (b + 1).to_string()
        } else {
            format!("{}–{}", b + 1, n - 1)
        });
    }
    let single = parts.len() == 1 && !parts[0].contains('–');
    if single {
        format!("shard {} is", parts[0])
    } else {
        format!("shards {} are", parts.join(" and "))
    }
}

/// Checks every shard's `scenario.toml` against its manifest and the size of its `data.bin`
/// (a file cut short is found before anything is decoded); returns the scenario text.
pub fn check_files(job: &Job) -> Result<String, MergeError> {
    let mut text = None;
    for (dir, m) in &job.shards {
        let bytes = fs::read(dir.join(SCENARIO))
            .map_err(|e| problem(dir, format!("cannot read {SCENARIO}: {e}")))?;
        if bytes.len() as u64 != m.scenario_bytes || super::crc32_hex(&bytes) != m.scenario_crc32 {
            return Err(problem(
                dir,
                format!(
                    "its {SCENARIO} was changed after the shard ran ({MANIFEST} records CRC-32 \
                     {}, the file has {}): run this shard again",
                    m.scenario_crc32,
                    super::crc32_hex(&bytes)
                ),
            ));
        }
        let size = fs::metadata(dir.join(DATA))
            .map_err(|e| problem(dir, format!("cannot read {DATA}: {e}")))?
            .len();
        if size != m.data_bytes {
            return Err(problem(
                dir,
                format!(
                    "{DATA} has {size} bytes, {MANIFEST} records {}: the file was {} (an \
                     interrupted copy?); copy it again or run this shard again",
                    m.data_bytes,
                    if size < m.data_bytes {
                        "cut short"
                    } else {
                        "changed"
                    }
                ),
            ));
        }
        if text.is_none() {
            text = Some(
                String::from_utf8(bytes)
                    .map_err(|_| problem(dir, format!("its {SCENARIO} is not UTF-8")))?,
            );
        }
    }
    Ok(text.expect("a job has shards"))
}

/// A reader that computes the CRC-32 of what passes through it.
struct CrcRead<R> {
    inner: R,
    hasher: crc32fast::Hasher,
}

impl<R: Read> Read for CrcRead<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }
}

/// Decodes the shards' data in replication order into one [`Experiment`] per part (the run;
/// each point of a sweep; each run of a sensitivity analysis). Stops with
/// [`MergeError::Interrupted`] between shards once `cancel` is set.
pub fn fold(job: &Job, cancel: &AtomicBool) -> Result<Vec<Experiment>, MergeError> {
    let r = job.reference();
    let (metrics, aggregates) = codec::layout(&r.command).ok_or_else(|| {
        problem(
            &job.shards[0].0,
            format!(
                "its command '{}' is not run, sweep or sensitivity",
                r.command
            ),
        )
    })?;
    let mut parts: Vec<Experiment> = Vec::new();
    for (dir, m) in &job.shards {
        if cancel.load(Ordering::SeqCst) {
            return Err(MergeError::Interrupted);
        }
        let path = dir.join(DATA);
        let file =
            fs::File::open(&path).map_err(|e| problem(dir, format!("cannot read {DATA}: {e}")))?;
        let mut input = CrcRead {
            inner: io::BufReader::with_capacity(1 << 16, file),
            hasher: crc32fast::Hasher::new(),
        };
        let decoded = codec::decode_into(
            &mut input,
            &mut parts,
            m.first_replication,
            m.replications,
            &metrics,
            aggregates,
        );
        let corrupted = |why: String| {
            problem(
                dir,
                format!("{DATA} is corrupted: {why}; copy it again or run this shard again"),
            )
        };
        decoded.map_err(corrupted)?;
        io::copy(&mut input, &mut io::sink())
            .map_err(|e| problem(dir, format!("cannot read {DATA}: {e}")))?;
        let crc = format!("{:08x}", input.hasher.finalize());
        if crc != m.data_crc32 {
            return Err(corrupted(format!(
                "its CRC-32 is {crc}, {MANIFEST} records {}",
                m.data_crc32
            )));
        }
        if parts.len() as u64 != m.parts {
            return Err(corrupted(format!(
                "it holds {} parts, {MANIFEST} records {}",
                parts.len(),
                m.parts
            )));
        }
    }
    Ok(parts)
}
