//! The command line: exit codes, and what stdout and stderr say.

use assert_cmd::Command;

fn covsim() -> Command {
    Command::cargo_bin("covsim").expect("the covsim binary is built for tests")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn validate_accepts_the_shipped_scenarios() {
    for f in [
        "scenarios/mustermann-gmbh.toml",
        "scenarios/textbook-mm2.toml",
    ] {
        let out = covsim().args(["validate", f]).output().unwrap();
        assert!(out.status.success(), "{f}: {}", stderr(&out));
        assert!(String::from_utf8_lossy(&out.stdout).contains("ok"));
    }
}

#[test]
fn validate_reports_location_path_and_suggestion_with_exit_code_2() {
    let out = covsim()
        .args(["validate", "tests/data/invalid/unknown-key.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("tests/data/invalid/unknown-key.toml:10:1"),
        "{err}"
    );
    assert!(err.contains("msp.silver.respons_h"), "{err}");
    assert!(err.contains("did you mean 'response_h'?"), "{err}");
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let out = covsim()
        .args(["validate", "tests/data/invalid/several-problems.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("8 errors"), "{}", stderr(&out));
}

#[test]
fn a_missing_file_is_a_usage_error() {
    let out = covsim()
        .args(["validate", "no/such/file.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
}

#[test]
fn bad_arguments_are_usage_errors() {
    let out = covsim().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = covsim()
        .args(["run", "scenarios/textbook-mm2.toml", "--reps", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--reps"), "{}", stderr(&out));
}

/// The printed tables without the last line, which names the folder and the time taken.
fn tables(out: &std::process::Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter(|l| !l.starts_with("Results in"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn run_prints_every_setup_side_by_side_and_writes_the_run_folder() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str| {
        let out_dir = dir.path().join(name);
        covsim()
            .args([
                "run",
                "scenarios/mustermann-gmbh.toml",
                "--reps",
                "5",
                "--seed",
                "3",
                "--out",
            ])
            .arg(&out_dir)
            .output()
            .unwrap()
    };
    let out = run("a");
    assert!(out.status.success(), "{}", stderr(&out));
    let table = tables(&out);
    for name in [
        "Single admin",
        "Two admins",
        "MSP",
        "Hybrid",
        "User-hours lost",
        "seed 3",
    ] {
        assert!(table.contains(name), "missing {name:?} in\n{table}");
    }
    assert!(
        table.contains("Difference against \"Single admin\""),
        "{table}"
    );
    assert!(
        table.lines().all(|l| l.chars().count() <= 100),
        "wider than 100 columns:\n{table}"
    );
    for f in covsim::report::output::FILES {
        assert!(dir.path().join("a").join(f).is_file(), "{f} missing");
    }
    // The same seed prints the same tables.
    assert_eq!(table, tables(&run("b")));
    // An existing folder is not replaced without --force, and nothing else is left behind.
    let again = run("a");
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    let entries: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(entries.len(), 2, "{entries:?}");
}

#[test]
fn init_writes_a_valid_starter_and_never_overwrites_silently() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("starter.toml");
    let p = path.to_str().unwrap();
    assert!(
        covsim()
            .args(["init", p])
            .output()
            .unwrap()
            .status
            .success()
    );
    assert!(
        covsim()
            .args(["validate", p])
            .output()
            .unwrap()
            .status
            .success()
    );
    let again = covsim().args(["init", p]).output().unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("--force"), "{}", stderr(&again));
    assert!(
        covsim()
            .args(["init", p, "--force"])
            .output()
            .unwrap()
            .status
            .success()
    );
}
