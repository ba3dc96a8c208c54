//! Shards and merge (issue 17): shards run as separate processes and merged in any order give
//! the bytes of a single run; shards that do not belong together are refused, naming the
//! shard, and nothing is written; the cluster scripts of the README work as shipped.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use assert_cmd::Command;
use covsim::montecarlo::{self, Hooks, Plan};
use covsim::shard::codec;

const SCENARIO: &str = "scenarios/mustermann-gmbh.toml";
const REPS: &str = "12";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn covsim() -> Command {
    let mut c = Command::cargo_bin("covsim").expect("the covsim binary is built for tests");
    c.current_dir(root());
    c
}

fn ok(c: &mut Command) {
    let out = c.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        c,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every file of a folder by name.
fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The manifest fields that describe how a folder was made, not what it holds: the only
/// bytes in which a merged folder may differ from a single run's.
const RUN_DESCRIPTION: [&str; 5] = [
    "command_line",
    "threads",
    "wall_time_s",
    "started_utc",
    "merged_shards",
];

/// `merged` holds the same bytes as `single` in every file, and the same manifest but for the
/// run-description fields.
fn assert_same_run(single: &Path, merged: &Path) {
    let (a, b) = (files(single), files(merged));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    for (name, bytes) in &a {
        if name == "manifest.json" {
            continue;
        }
        assert!(
            bytes == &b[name],
            "{name} differs between {single:?} and {merged:?}"
        );
    }
    let strip = |bytes: &[u8]| {
        let mut m: serde_json::Map<String, serde_json::Value> =
            serde_json::from_slice(bytes).unwrap();
        for k in RUN_DESCRIPTION {
            m.remove(k);
        }
        m
    };
    assert_eq!(
        strip(&a["manifest.json"]),
        strip(&b["manifest.json"]),
        "manifests differ beyond the run-description fields"
    );
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("manifest.json")).unwrap()).unwrap()
}

#[test]
fn run_shards_as_processes_merged_in_shuffled_order_equal_a_single_run() {
    let t = tempfile::tempdir().unwrap();
    let (single, shards, merged) = (
        t.path().join("single"),
        t.path().join("s"),
        t.path().join("m"),
    );
    // An offset first replication: the slices and the merged range start there.
    let job = [
        "run",
        SCENARIO,
        "--reps",
        REPS,
        "--replications-from",
        "1000",
        "--quiet",
    ];
    ok(covsim()
        .args(job)
        .args(["--threads", "2", "--out"])
        .arg(&single));
    for (k, threads) in [(2, "3"), (0, "1"), (1, "2")] {
        ok(covsim()
            .args(job)
            .args(["--shard", &format!("{k}/3"), "--threads", threads, "--out"])
            .arg(&shards));
    }
    let mut dirs: Vec<PathBuf> = ["shard-2-of-3", "shard-0-of-3", "shard-1-of-3"]
        .iter()
        .map(|d| shards.join(d))
        .collect();
    dirs.rotate_left(1);
    ok(covsim().arg("merge").args(&dirs).arg("--out").arg(&merged));
    assert_same_run(&single, &merged);
    let m = manifest(&merged);
    assert_eq!(m["first_replication"], 1000);
    assert_eq!(m["merged_shards"]["complete"], true);
    assert_eq!(m["merged_shards"]["shards"], "0–2 of 3");
}

#[test]
fn sweep_and_sensitivity_shards_merged_equal_a_single_run() {
    let t = tempfile::tempdir().unwrap();
    let p = |n: &str| t.path().join(n);
    let sweep = [
        "sweep",
        SCENARIO,
        "--set",
        "company.pcs=30,60",
        "--reps",
        "9",
        "--quiet",
    ];
    ok(covsim().args(sweep).arg("--out").arg(p("sweep")));
    for (k, threads) in [(1, "1"), (2, "2"), (0, "3")] {
        ok(covsim()
            .args(sweep)
            .args(["--shard", &format!("{k}/3"), "--threads", threads, "--out"])
            .arg(p("sweep-shards")));
    }
    ok(covsim()
        .args(["merge"])
        .arg(p("sweep-shards"))
        .arg("--out")
        .arg(p("sweep-m")));
    assert_same_run(&p("sweep"), &p("sweep-m"));

    let sens = [
        "sensitivity",
        SCENARIO,
        "--setup",
        "Single admin",
        "--reps",
        "4",
        "--quiet",
    ];
    ok(covsim().args(sens).arg("--out").arg(p("sens")));
    for (k, threads) in [(1, "2"), (0, "1")] {
        ok(covsim()
            .args(sens)
            .args(["--shard", &format!("{k}/2"), "--threads", threads, "--out"])
            .arg(p("sens-shards")));
    }
    ok(covsim()
        .arg("merge")
        .arg(p("sens-shards").join("shard-1-of-2"))
        .arg(p("sens-shards").join("shard-0-of-2"))
        .arg("--out")
        .arg(p("sens-m")));
    assert_same_run(&p("sens"), &p("sens-m"));
}

#[test]
fn a_partial_merge_is_the_run_of_its_replications_and_says_so() {
    let t = tempfile::tempdir().unwrap();
    let p = |n: &str| t.path().join(n);
    let job = ["run", SCENARIO, "--reps", REPS, "--quiet"];
    for k in [1, 2] {
        ok(covsim()
            .args(job)
            .args(["--shard", &format!("{k}/4"), "--out"])
            .arg(p("s")));
    }
    // Without --partial: refused, saying which shards are missing.
    let out = covsim()
        .arg("merge")
        .arg(p("s"))
        .arg("--out")
        .arg(p("m"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("shards 0 and 3 are missing") && err.contains("--partial"),
        "{err}"
    );
    assert!(!p("m").exists());
    // Shards 1–2 of 4 of 12 replications: replications 3–8.
    ok(covsim()
        .arg("merge")
        .arg(p("s"))
        .args(["--partial", "--out"])
        .arg(p("m")));
    ok(covsim()
        .args([
            "run",
            SCENARIO,
            "--reps",
            "6",
            "--replications-from",
            "3",
            "--quiet",
            "--out",
        ])
        .arg(p("single")));
    assert_same_run(&p("single"), &p("m"));
    let m = manifest(&p("m"));
    assert_eq!(m["merged_shards"]["complete"], false);
    assert_eq!(m["merged_shards"]["shards"], "1–2 of 4");
    assert_eq!(m["merged_shards"]["job_replications"], 12);
}

/// Copies the shard folder `from` to `to`.
fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for (name, bytes) in files(from) {
        std::fs::write(to.join(name), bytes).unwrap();
    }
}

/// Edits `file` of the shard folder `dir` with `f`.
fn edit(dir: &Path, file: &str, f: impl FnOnce(&mut Vec<u8>)) {
    let mut bytes = std::fs::read(dir.join(file)).unwrap();
    f(&mut bytes);
    std::fs::write(dir.join(file), bytes).unwrap();
}

#[test]
fn shards_that_do_not_belong_together_are_refused_naming_the_shard() {
    let t = tempfile::tempdir().unwrap();
    let p = |n: &str| t.path().join(n);
    let job = ["run", SCENARIO, "--reps", REPS, "--quiet"];
    for k in 0..3 {
        ok(covsim()
            .args(job)
            .args(["--shard", &format!("{k}/3"), "--out"])
            .arg(p("ok")));
    }
    let good = |k: u64| p("ok").join(format!("shard-{k}-of-3"));
    // Another seed; an edited scenario; another split: real shards of other jobs.
    ok(covsim()
        .args(job)
        .args(["--shard", "1/3", "--seed", "7", "--out"])
        .arg(p("seed")));
    let edited = p("edited.toml");
    let text = std::fs::read_to_string(root().join(SCENARIO)).unwrap();
    std::fs::write(&edited, text.replacen("pcs = 50", "pcs = 51", 1)).unwrap();
    assert_ne!(std::fs::read_to_string(&edited).unwrap(), text);
    ok(covsim()
        .args(["run"])
        .arg(&edited)
        .args(["--reps", REPS, "--quiet", "--shard", "1/3", "--out"])
        .arg(p("edited")));
    ok(covsim()
        .args(job)
        .args(["--shard", "1/4", "--out"])
        .arg(p("split")));

    let altered = |name: &str, file: &str, f: &dyn Fn(&mut Vec<u8>)| {
        let dir = p(name);
        copy(&good(1), &dir);
        edit(&dir, file, f);
        dir
    };
    let version = altered("version", "shard.json", &|b| {
        let s = String::from_utf8(b.clone()).unwrap();
        *b = s.replace(env!("CARGO_PKG_VERSION"), "0.1.0").into_bytes();
    });
    let truncated = altered("truncated", "data.bin", &|b| b.truncate(b.len() / 2));
    let corrupted = altered("corrupted", "data.bin", &|b| {
        let mid = b.len() / 2;
        b[mid] ^= 0x55;
    });
    let manifest_broken = altered("broken", "shard.json", &|b| b.truncate(b.len() - 5));
    let twin = p("twin");
    copy(&good(1), &twin);

    let cases: Vec<(&str, Vec<PathBuf>, PathBuf, &str)> = vec![
        (
            "other seed",
            vec![good(0), p("seed").join("shard-1-of-3"), good(2)],
            p("seed").join("shard-1-of-3"),
            "seed",
        ),
        (
            "edited scenario",
            vec![good(0), p("edited").join("shard-1-of-3"), good(2)],
            p("edited").join("shard-1-of-3"),
            "scenario edited",
        ),
        (
            "other split",
            vec![good(0), p("split").join("shard-1-of-4"), good(2)],
            p("split").join("shard-1-of-4"),
            "--shard N",
        ),
        (
            "other version",
            vec![good(0), version.clone(), good(2)],
            version,
            "covsim 0.1.0",
        ),
        (
            "overlap",
            vec![good(0), good(1), twin.clone(), good(2)],
            twin,
            "like",
        ),
        (
            "given twice",
            vec![p("ok"), good(1)],
            good(1),
            "given twice",
        ),
        (
            "gap",
            vec![good(0), good(2)],
            good(2),
            "shard 1 of 3 (replications 4–7) is missing",
        ),
        (
            "truncated",
            vec![good(0), truncated.clone(), good(2)],
            truncated,
            "cut short",
        ),
        (
            "corrupted",
            vec![good(0), corrupted.clone(), good(2)],
            corrupted,
            "corrupted",
        ),
        (
            "broken manifest",
            vec![good(0), manifest_broken.clone(), good(2)],
            manifest_broken,
            "not valid JSON",
        ),
    ];
    for (case, dirs, culprit, says) in cases {
        let out_dir = p("merged");
        let out = covsim()
            .arg("merge")
            .args(&dirs)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{case}: {err}");
        assert!(
            err.contains(&culprit.display().to_string()) && err.contains(says),
            "{case}: the message names {} and says '{says}': {err}",
            culprit.display()
        );
        assert!(!out_dir.exists(), "{case}: nothing is written");
        let leftovers: Vec<_> = std::fs::read_dir(t.path())
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
            .collect();
        assert!(leftovers.is_empty(), "{case}: no temporary folder is left");
    }
    // The good shards do merge: the refusals above are for the reasons given.
    ok(covsim()
        .arg("merge")
        .arg(p("ok"))
        .arg("--out")
        .arg(p("merged")));
}

/// Arguments, environment, and what the refusal says.
type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn shard_arguments_are_checked_before_simulating() {
    let t = tempfile::tempdir().unwrap();
    let cases: [Case<'_>; 5] = [
        (&["--shard", "3/3"], &[], "counted from 0 to 2"),
        (
            &["--shard", "2/20", "--reps", "12"],
            &[],
            "at most 12 shards",
        ),
        (&["--shard", "auto"], &[], "SLURM_ARRAY_TASK_ID"),
        (
            &["--shard", "auto"],
            &[("JOB_COMPLETION_INDEX", "1")],
            "COVSIM_SHARD_COUNT",
        ),
        (
            &["--shard", "0/2", "--precision", "0.1"],
            &[],
            "--precision",
        ),
    ];
    for (args, env, says) in cases {
        let mut c = covsim();
        for v in [
            "SLURM_ARRAY_TASK_ID",
            "JOB_COMPLETION_INDEX",
            "COVSIM_SHARD_INDEX",
        ] {
            c.env_remove(v);
        }
        let out = c
            .args(["run", SCENARIO, "--quiet", "--out"])
            .arg(t.path().join("s"))
            .args(args)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(!t.path().join("s").exists(), "{args:?}");
    }
}

/// Runs the tasks `task(0)`…`task(count - 1)` at once, as a scheduler would.
fn run_tasks(count: u64, task: impl Fn(u64) -> std::process::Command) {
    let children: Vec<_> = (0..count)
        .rev()
        .map(|k| (k, task(k).spawn().unwrap()))
        .collect();
    for (k, c) in children {
        let out = c.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "task {k}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("covsim")
}

#[test]
fn the_slurm_array_script_runs_as_a_simulated_cluster() {
    let t = tempfile::tempdir().unwrap();
    let shards = t.path().join("shards");
    let script = root().join("examples/cluster/slurm-array.sh");
    // The array --array=1-4: Slurm's task IDs start at 1 here, and each task gets 1–2 CPUs.
    run_tasks(4, |k| {
        let mut c = std::process::Command::new("bash");
        c.arg(&script)
            .current_dir(root())
            .env("COVSIM", bin())
            .env("SCENARIO", SCENARIO)
            .env("REPS", REPS)
            .env("SHARDS", &shards)
            .env("SLURM_ARRAY_TASK_ID", (k + 1).to_string())
            .env("SLURM_ARRAY_TASK_MIN", "1")
            .env("SLURM_ARRAY_TASK_MAX", "4")
            .env("SLURM_ARRAY_TASK_COUNT", "4")
            .env("SLURM_CPUS_PER_TASK", (1 + k % 2).to_string());
        c
    });
    assert_eq!(
        std::fs::read_dir(&shards).unwrap().count(),
        4,
        "one shard folder per task, nothing else"
    );
    ok(covsim()
        .arg("merge")
        .arg(&shards)
        .arg("--out")
        .arg(t.path().join("m")));
    ok(covsim()
        .args(["run", SCENARIO, "--reps", REPS, "--quiet", "--out"])
        .arg(t.path().join("single")));
    assert_same_run(&t.path().join("single"), &t.path().join("m"));
}

#[test]
fn the_kubernetes_indexed_job_command_runs_as_a_simulated_cluster() {
    let yaml =
        std::fs::read_to_string(root().join("examples/cluster/k8s-indexed-job.yaml")).unwrap();
    let field = |key: &str| -> String {
        yaml.lines()
            .map(str::trim)
            .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
            .unwrap_or_else(|| panic!("no {key}"))
            .trim()
            .trim_matches('"')
            .to_string()
    };
    assert_eq!(field("completionMode"), "Indexed");
    let completions = field("completions");
    let count = {
        let after = yaml.split("name: COVSIM_SHARD_COUNT").nth(1).unwrap();
        after
            .lines()
            .nth(1)
            .unwrap()
            .split(':')
            .nth(1)
            .unwrap()
            .trim()
            .trim_matches('"')
            .to_string()
    };
    assert_eq!(completions, count, "COVSIM_SHARD_COUNT equals completions");
    // The container's command, as the pods run it, with the paths and sizes of a test.
    let command: Vec<String> = yaml
        .split("command:")
        .nth(1)
        .unwrap()
        .lines()
        .skip(1)
        .take_while(|l| l.trim_start().starts_with("- "))
        .map(|l| l.trim_start()[2..].trim().trim_matches('"').to_string())
        .collect();
    assert_eq!(command[0], "covsim");
    assert!(command.windows(2).any(|w| w == ["--shard", "auto"]));
    let t = tempfile::tempdir().unwrap();
    let data = t.path().to_path_buf();
    std::fs::copy(root().join(SCENARIO), data.join("mustermann-gmbh.toml")).unwrap();
    let args: Vec<String> = command[1..]
        .iter()
        .map(|a| match a.as_str() {
            "100000" => REPS.to_string(),
            a => a.replace("/data", &data.display().to_string()),
        })
        .collect();
    run_tasks(3, |k| {
        let mut c = std::process::Command::new(bin());
        c.args(&args)
            .env_remove("SLURM_ARRAY_TASK_ID")
            .env_remove("COVSIM_SHARD_INDEX")
            .env("JOB_COMPLETION_INDEX", k.to_string())
            .env("COVSIM_SHARD_COUNT", "3");
        c
    });
    ok(covsim()
        .arg("merge")
        .arg(data.join("shards"))
        .arg("--out")
        .arg(data.join("m")));
    ok(covsim()
        .arg("run")
        .arg(data.join("mustermann-gmbh.toml"))
        .args(["--reps", REPS, "--quiet", "--out"])
        .arg(data.join("single")));
    assert_same_run(&data.join("single"), &data.join("m"));
}

#[test]
fn the_readme_ships_the_cluster_scripts_verbatim() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    for f in [
        "examples/cluster/slurm-array.sh",
        "examples/cluster/k8s-indexed-job.yaml",
    ] {
        let text = std::fs::read_to_string(root().join(f)).unwrap();
        assert!(readme.contains(&text), "README.md holds {f} as it is");
    }
}

fn quick_run(reps: u64) -> montecarlo::Experiment {
    let model = covsim::scenario::load(&root().join(SCENARIO)).unwrap();
    let cancel = AtomicBool::new(false);
    let progress = |_: u64| {};
    let hooks = Hooks {
        cancel: &cancel,
        progress: &progress,
    };
    let plan = Plan {
        first: 40,
        count: reps,
        threads: Some(2),
    };
    montecarlo::run(&model, plan, &hooks).unwrap()
}

#[test]
fn shard_data_reads_back_bit_for_bit_and_damage_is_an_error_never_a_panic() {
    let exp = quick_run(3);
    let (metrics, aggregates) = codec::layout("run").unwrap();
    let mut data = Vec::new();
    codec::encode(std::slice::from_ref(&exp), &metrics, aggregates, &mut data).unwrap();
    let mut parts = Vec::new();
    codec::decode_into(&data[..], &mut parts, 40, 3, &metrics, aggregates).unwrap();
    let back = &parts[0];
    assert_eq!((back.first, back.count), (40, 3));
    for (a, b) in exp.setups.iter().zip(&back.setups) {
        assert_eq!(a.name, b.name);
        let bits = |v: &[Vec<f64>]| -> Vec<Vec<u64>> {
            v.iter()
                .map(|c| c.iter().map(|x| x.to_bits()).collect())
                .collect()
        };
        assert_eq!(bits(&a.values), bits(&b.values));
        assert_eq!(a.daily.backlog_counts, b.daily.backlog_counts);
        assert_eq!(a.daily.nobody_count, b.daily.nobody_count);
        assert_eq!(a.daily.open_p1_sum, b.daily.open_p1_sum);
        assert_eq!(a.times, b.times);
        assert_eq!(a.episodes, b.episodes);
    }
    // Wrong expectations are refused.
    assert!(codec::decode_into(&data[..], &mut Vec::new(), 40, 4, &metrics, aggregates).is_err());
    let (sweep_metrics, _) = codec::layout("sweep").unwrap();
    assert!(codec::decode_into(&data[..], &mut Vec::new(), 40, 3, &sweep_metrics, false).is_err());
    // Damage anywhere: an error (or, where zlib cannot tell, other values), never a panic.
    for at in (0..data.len()).step_by(data.len() / 300 + 1) {
        let mut bad = data.clone();
        bad[at] ^= 0xa5;
        let _ = codec::decode_into(&bad[..], &mut Vec::new(), 40, 3, &metrics, aggregates);
        assert!(
            codec::decode_into(&data[..at], &mut Vec::new(), 40, 3, &metrics, aggregates).is_err(),
            "cut at {at} of {}",
            data.len()
        );
    }
}
