//! Shards: one job (a run, a sweep or a sensitivity analysis) split into independent parts
//! that a batch scheduler runs anywhere, and merged exactly.
//!
//! `covsim run|sweep|sensitivity … --shard K/N` runs the `K`-th of `N` equal slices of the
//! replications ([`Shard::slice`]); a sweep or sensitivity shard runs every point or run over
//! its slice, so that every shard does the same work and the points keep their common random
//! numbers. The shard writes a *shard folder* ([`folder`]):
//!
//! - `shard.json`: the [`ShardManifest`] (format version, covsim version, command, scenario
//!   hash, seed, `K`/`N`, the job's and the shard's replication ranges, size and CRC-32 of
//!   `data.bin`);
//! - `scenario.toml`: the scenario text, exactly as run;
//! - `data.bin`: the per-replication data every output needs ([`codec`]), zlib-compressed.
//!
//! `covsim merge` ([`merge`]) checks that the shards belong together and folds them, in
//! replication order, into the same [`crate::montecarlo::Experiment`] that a single run of
//! those replications computes: the per-replication values are concatenated (the summaries
//! are then computed by the same code, over the same values in the same order) and the
//! histograms and daily counts are integer sums, exact in any order. Hence the run folder is
//! byte-identical to a single run's.
//!
//! The format is documented in `docs/SHARDS.md`.

pub mod codec;
pub mod folder;
pub mod merge;

use serde::{Deserialize, Serialize};

/// The name of a shard folder's manifest.
pub const MANIFEST: &str = "shard.json";
/// The name of a shard folder's data file.
pub const DATA: &str = "data.bin";
/// The name of a shard folder's copy of the scenario.
pub const SCENARIO: &str = "scenario.toml";
/// The value of [`ShardManifest::format`].
pub const FORMAT: &str = "covsim-shard";
/// The version of the shard format this covsim writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The most shards a job may be split into.
pub const MAX_SHARDS: u64 = 1_000_000;

/// Which part of a job a process runs: shard `index` of `count` (0-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// `K`, from 0 to `count - 1`.
    pub index: u64,
    /// `N`.
    pub count: u64,
}

/// A slice of replications: `first..first + count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slice {
    /// First replication index.
    pub first: u64,
    /// Number of replications.
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` (as given to `--shard`).
    pub fn parse(s: &str) -> Result<Shard, String> {
        let (k, n) = s.split_once('/').ok_or_else(|| {
            format!("expected K/N (shard K of N, counted from 0, e.g. 3/100) or auto, got '{s}'")
        })?;
        let num = |x: &str, what: &str| {
            x.trim().parse::<u64>().map_err(|_| {
                format!(
                    "{what} in '{s}' must be a whole number, got '{x}' (expected K/N, e.g. 3/100)"
                )
            })
        };
        Shard::new(num(k, "K")?, num(n, "N")?)
    }

    /// Shard `index` of `count`, checked: `count` between 1 and [`MAX_SHARDS`], `index` below
    /// `count`.
    pub fn new(index: u64, count: u64) -> Result<Shard, String> {
        if count == 0 || count > MAX_SHARDS {
            return Err(format!(
                "the number of shards must be between 1 and {MAX_SHARDS}, got {count}"
            ));
        }
        if index >= count {
            return Err(format!(
                "shard {index} of {count} does not exist: shards are counted from 0 to {} \
                 (with Slurm, use --array=0-{})",
                count - 1,
                count - 1
            ));
        }
        Ok(Shard { index, count })
    }

    /// This shard's slice of the replications `first..first + total`: the `index`-th of
    /// `count` parts whose sizes differ by at most one. Refuses more shards than
    /// replications, which would leave some shards empty.
    pub fn slice(&self, first: u64, total: u64) -> Result<Slice, String> {
        if self.count > total {
            return Err(format!(
                "{} shards for {total} replications would leave shards without replications; \
                 use at most {total} shards or more replications (--reps)",
                self.count
            ));
        }
        // u128: index × total cannot overflow.
        let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(self.count)) as u64;
        let (a, b) = (at(self.index), at(self.index + 1));
        Ok(Slice {
            first: first + a,
            count: b - a,
        })
    }

    /// The shard folder's name: `shard-K-of-N`, `K` zero-padded to the width of `N` so that
    /// the folders sort in shard order.
    pub fn folder_name(&self) -> String {
        let width = self.count.to_string().len();
        format!("shard-{:0width$}-of-{}", self.index, self.count)
    }

    /// The shard given by a batch scheduler's environment (`--shard auto`), read through
    /// `var`; see [`AUTO_HELP`] for the variables and their precedence.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let num =
            |name: &str| -> Result<Option<u64>, String> {
                match var(name) {
                    None => Ok(None),
                    Some(v) if v.trim().is_empty() => Ok(None),
                    Some(v) => v.trim().parse::<u64>().map(Some).map_err(|_| {
                        format!("--shard auto: {name} must be a whole number, got '{v}'")
                    }),
                }
            };
        let count_var = "COVSIM_SHARD_COUNT";
        let need_count = |source: &str| -> Result<u64, String> {
            num(count_var)?.ok_or_else(|| {
                format!(
                    "--shard auto: {source} is set but not the number of shards; set \
                     {count_var} (e.g. to the Job's completions) or give --shard K/N"
                )
            })
        };
        let checked = |k: u64, n: u64, source: &str| {
            Shard::new(k, n).map_err(|e| format!("--shard auto ({source}): {e}"))
        };
        if let Some(k) = num("COVSIM_SHARD_INDEX")? {
            return checked(k, need_count("COVSIM_SHARD_INDEX")?, "COVSIM_SHARD_INDEX");
        }
        if let Some(id) = num("SLURM_ARRAY_TASK_ID")? {
            let source = "SLURM_ARRAY_TASK_ID";
            let min = num("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let step = num("SLURM_ARRAY_TASK_STEP")?.unwrap_or(1).max(1);
            let max = num("SLURM_ARRAY_TASK_MAX")?;
            let from_range = max.map(|max| max.saturating_sub(min) / step + 1);
            let count = match (num("SLURM_ARRAY_TASK_COUNT")?, from_range) {
                (Some(c), Some(r)) if c != r => {
                    return Err(format!(
                        "--shard auto: the Slurm array has {c} tasks but spans {r} indexes \
                         ({min}–{} in steps of {step}): give the array as one range, e.g. \
                         --array=0-{}, or use --shard K/N",
                        max.unwrap_or(min),
                        c - 1
                    ));
                }
                (Some(c), _) => c,
                (None, Some(r)) => r,
                (None, None) => {
                    return Err("--shard auto: SLURM_ARRAY_TASK_ID is set but neither \
                         SLURM_ARRAY_TASK_COUNT nor SLURM_ARRAY_TASK_MAX: is this an array job \
                         (sbatch --array=0-99)?"
                        .into());
                }
            };
            if id < min || (id - min) % step != 0 {
                return Err(format!(
                    "--shard auto: SLURM_ARRAY_TASK_ID {id} is not in the array range that \
                     starts at {min} in steps of {step}"
                ));
            }
            return checked((id - min) / step, count, source);
        }
        if let Some(k) = num("JOB_COMPLETION_INDEX")? {
            return checked(
                k,
                need_count("JOB_COMPLETION_INDEX")?,
                "JOB_COMPLETION_INDEX",
            );
        }
        Err(format!("--shard auto: {AUTO_HELP}"))
    }
}

/// Where `--shard auto` reads the shard from (also the text of its error when none is set).
pub const AUTO_HELP: &str = "no shard index in the environment; set one of: \
    COVSIM_SHARD_INDEX and COVSIM_SHARD_COUNT (any launcher); SLURM_ARRAY_TASK_ID with \
    SLURM_ARRAY_TASK_COUNT or the array range (Slurm sets these in an array job, \
    sbatch --array=0-99); JOB_COMPLETION_INDEX with COVSIM_SHARD_COUNT (Kubernetes Indexed Job). \
    Or give the shard as --shard K/N";

/// `shard.json`: what a shard holds and what it must agree on with the other shards of its job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardManifest {
    /// Always [`FORMAT`].
    pub format: String,
    /// [`FORMAT_VERSION`] of the writer.
    pub format_version: u32,
    /// The covsim version that simulated the shard.
    pub covsim_version: String,
    /// `run`, `sweep` or `sensitivity`.
    pub command: String,
    /// The scenario's `name`.
    pub scenario_name: String,
    /// The scenario file as given on the command line.
    pub scenario_file: String,
    /// Size of the scenario text in bytes.
    pub scenario_bytes: u64,
    /// CRC-32 of the scenario text (8 lowercase hex digits).
    pub scenario_crc32: String,
    /// The master seed simulated (after `--seed`; a sweep may also sweep the seed).
    pub seed: u64,
    /// `--seed`, if given.
    pub seed_option: Option<u64>,
    /// `K`.
    pub shard: u64,
    /// `N`.
    pub shards: u64,
    /// First replication of the whole job.
    pub job_first_replication: u64,
    /// Replications of the whole job (per point or run of a sweep or sensitivity analysis).
    pub job_replications: u64,
    /// First replication of this shard.
    pub first_replication: u64,
    /// Replications of this shard.
    pub replications: u64,
    /// `--csv-locale` (`en` or `de`).
    pub csv_locale: String,
    /// `--lang`, if given (otherwise the scenario's `report.lang` applies).
    pub lang: Option<String>,
    /// The `--set` arguments of a sweep, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sweep_set: Vec<String>,
    /// The `--setup` of a sensitivity analysis.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity_setup: Option<String>,
    /// Parts in `data.bin`: 1 for a run, the points of a sweep, the runs of a sensitivity
    /// analysis.
    pub parts: u64,
    /// Size of `data.bin` in bytes.
    pub data_bytes: u64,
    /// CRC-32 of `data.bin`.
    pub data_crc32: String,
    /// The command line of the shard (not compared between shards).
    pub command_line: String,
    /// Worker threads of the shard (not compared).
    pub threads: u64,
    /// Wall time of the shard's simulation [s] (not compared).
    pub wall_time_s: f64,
    /// Start time of the shard, UTC, RFC 3339 (not compared).
    pub started_utc: String,
}

/// CRC-32 of `bytes` as 8 lowercase hex digits, as `shard.json` records it.
pub fn crc32_hex(bytes: &[u8]) -> String {
    format!("{:08x}", crc32fast::hash(bytes))
}

/// Adds the field `key: value` at the end of the `manifest.json` among `files` (pretty JSON as
/// covsim writes it). The text is spliced rather than parsed and printed again, so that the
/// other fields keep their order and bytes: a merged run's manifest differs from a single
/// run's only in the run-description fields and this one.
pub fn add_manifest_field<N: AsRef<str>>(
    files: &mut [(N, Vec<u8>)],
    key: &str,
    value: &serde_json::Value,
) {
    let Some((_, bytes)) = files
        .iter_mut()
        .find(|(n, _)| n.as_ref() == "manifest.json")
    else {
        return;
    };
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let Some(body) = text.trim_end().strip_suffix('}') else {
        return;
    };
    let wrapped =
        serde_json::to_string_pretty(&serde_json::json!({ key: value })).expect("JSON serialises");
    let Some(inner) = wrapped
        .strip_prefix("{\n")
        .and_then(|w| w.strip_suffix("\n}"))
    else {
        return;
    };
    *bytes = format!("{},\n{inner}\n}}\n", body.trim_end()).into_bytes();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_tile_the_range_and_differ_by_at_most_one() {
        for (first, total, n) in [(0, 10, 3), (5, 100, 7), (0, 7, 7), (1000, 1001, 1)] {
            let mut next = first;
            let mut sizes = Vec::new();
            for k in 0..n {
                let s = Shard::new(k, n).unwrap().slice(first, total).unwrap();
                assert_eq!(
                    s.first,
                    next,
                    "shard {k} of {n} starts where {} ended",
                    k.max(1) - 1
                );
                next += s.count;
                sizes.push(s.count);
            }
            assert_eq!(next, first + total);
            assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
        }
        assert!(Shard::new(0, 11).unwrap().slice(0, 10).is_err());
    }

    #[test]
    fn parse_refuses_what_does_not_exist() {
        assert_eq!(
            Shard::parse("3/100"),
            Ok(Shard {
                index: 3,
                count: 100
            })
        );
        for bad in ["100/100", "1/0", "3", "a/4", "-1/4", "1/2/3"] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert!(Shard::parse("100/100").unwrap_err().contains("0 to 99"));
    }

    #[test]
    fn a_manifest_field_is_added_last_and_the_rest_kept() {
        let before = b"{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}\n".to_vec();
        let mut files = vec![("manifest.json", before)];
        add_manifest_field(
            &mut files,
            "merged",
            &serde_json::json!({ "complete": true }),
        );
        assert_eq!(
            String::from_utf8(files[0].1.clone()).unwrap(),
            "{\n  \"a\": 1,\n  \"b\": [\n    2\n  ],\n  \"merged\": {\n    \"complete\": true\n  }\n}\n"
        );
    }

    #[test]
    fn folder_names_sort_in_shard_order() {
        let names: Vec<String> = (0..12)
            .map(|k| Shard::new(k, 12).unwrap().folder_name())
            .collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        assert_eq!(names[3], "shard-03-of-12");
    }

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn auto_reads_slurm_kubernetes_and_our_own_variables() {
        let s = |vars: &[(&str, &str)]| Shard::from_env(env(vars));
        let ok = |index, count| Ok(Shard { index, count });
        assert_eq!(
            s(&[
                ("SLURM_ARRAY_TASK_ID", "7"),
                ("SLURM_ARRAY_TASK_COUNT", "100")
            ]),
            ok(7, 100)
        );
        // --array=1-100: the task with ID 1 is shard 0.
        assert_eq!(
            s(&[
                ("SLURM_ARRAY_TASK_ID", "1"),
                ("SLURM_ARRAY_TASK_MIN", "1"),
                ("SLURM_ARRAY_TASK_MAX", "100"),
                ("SLURM_ARRAY_TASK_COUNT", "100"),
            ]),
            ok(0, 100)
        );
        // --array=0-98:2: 50 tasks.
        assert_eq!(
            s(&[
                ("SLURM_ARRAY_TASK_ID", "98"),
                ("SLURM_ARRAY_TASK_MIN", "0"),
                ("SLURM_ARRAY_TASK_MAX", "98"),
                ("SLURM_ARRAY_TASK_STEP", "2"),
            ]),
            ok(49, 50)
        );
        // --array=1,5,9: a list, not a range.
        let e = s(&[
            ("SLURM_ARRAY_TASK_ID", "5"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_MAX", "9"),
            ("SLURM_ARRAY_TASK_COUNT", "3"),
        ])
        .unwrap_err();
        assert!(e.contains("one range"), "{e}");
        assert_eq!(
            s(&[("JOB_COMPLETION_INDEX", "4"), ("COVSIM_SHARD_COUNT", "10")]),
            ok(4, 10)
        );
        let e = s(&[("JOB_COMPLETION_INDEX", "4")]).unwrap_err();
        assert!(e.contains("COVSIM_SHARD_COUNT"), "{e}");
        assert_eq!(
            s(&[
                ("COVSIM_SHARD_INDEX", "2"),
                ("COVSIM_SHARD_COUNT", "3"),
                ("SLURM_ARRAY_TASK_ID", "7"),
                ("SLURM_ARRAY_TASK_COUNT", "100"),
            ]),
            ok(2, 3)
        );
        let e = s(&[]).unwrap_err();
        assert!(
            e.contains("SLURM_ARRAY_TASK_ID") && e.contains("--shard K/N"),
            "{e}"
        );
        let e = s(&[
            ("SLURM_ARRAY_TASK_ID", "x7"),
            ("SLURM_ARRAY_TASK_COUNT", "9"),
        ])
        .unwrap_err();
        assert!(e.contains("whole number"), "{e}");
        let e = s(&[
            ("SLURM_ARRAY_TASK_ID", "100"),
            ("SLURM_ARRAY_TASK_COUNT", "100"),
        ])
        .unwrap_err();
        assert!(e.contains("does not exist"), "{e}");
    }
}
