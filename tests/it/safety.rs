//! The user's files: what `--force` may replace, runs racing for one `--out`, interrupts while
//! writing, and `covsim report` on a damaged run folder.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use assert_cmd::Command;
use covsim::report::output::{OutputError, write_run_folder, write_run_folder_streamed};

const SCENARIO: &str = "tests/data/valid/minimal.toml";

fn covsim() -> Command {
    Command::cargo_bin("covsim").expect("the covsim binary is built for tests")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// `covsim run` of the minimal scenario with 20 replications into `out`, plus `extra` flags.
fn run_into(out: &Path, extra: &[&str]) -> std::process::Output {
    covsim()
        .args(["run", SCENARIO, "--reps", "20", "-q", "--out"])
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

/// Names in `dir`, sorted, hidden ones included.
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn covsim_manifest() -> Vec<u8> {
    br#"{ "covsim_version": "0", "scenario_name": "s", "replications": 1 }"#.to_vec()
}

// ---------------------------------------------------------------------------------------------
// 1. --force replaces only a folder that covsim wrote

#[test]
fn force_refuses_a_folder_covsim_did_not_write_and_keeps_its_files() {
    let tmp = tempfile::tempdir().unwrap();
    // A folder of the user's, holding a thesis and the scenario itself.
    let work = tmp.path().join("work");
    fs::create_dir(&work).unwrap();
    fs::write(work.join("thesis.tex"), "chapter 1").unwrap();
    fs::copy(SCENARIO, work.join("s.toml")).unwrap();
    let out = run_into(&work, &["--force"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no manifest.json"),
        "{}",
        stderr(&out)
    );
    assert_eq!(entries(&work), ["s.toml", "thesis.tex"]);
    assert_eq!(
        fs::read_to_string(work.join("thesis.tex")).unwrap(),
        "chapter 1"
    );
    // A covsim run folder into which the user saved a file of their own.
    let run = tmp.path().join("run");
    assert!(run_into(&run, &[]).status.success());
    fs::write(run.join("notes.txt"), "my notes").unwrap();
    let out = run_into(&run, &["--force", "--seed", "9"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("'notes.txt'"), "{}", stderr(&out));
    assert_eq!(
        fs::read_to_string(run.join("notes.txt")).unwrap(),
        "my notes"
    );
    // A manifest that is not covsim's does not make a folder covsim's.
    let fake = tmp.path().join("fake");
    fs::create_dir(&fake).unwrap();
    fs::write(fake.join("manifest.json"), r#"{"name": "package"}"#).unwrap();
    let out = run_into(&fake, &["--force"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(fake.join("manifest.json").is_file());
    assert_eq!(entries(tmp.path()), ["fake", "run", "work"]);
}

#[test]
fn force_refuses_a_plain_file_and_a_symlink() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("results");
    fs::write(&file, "keep me").unwrap();
    let out = run_into(&file, &["--force"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("it is a file"), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
    // A named pipe (like a device, not a folder; a real device would need root to test safely).
    #[cfg(unix)]
    {
        let fifo = tmp.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.unwrap().success());
        let out = run_into(&fifo, &["--force"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("device, pipe"), "{}", stderr(&out));
        assert!(fs::symlink_metadata(&fifo).is_ok_and(|m| !m.is_dir() && !m.is_file()));
        fs::remove_file(&fifo).unwrap();
    }
    // A link to a covsim run folder: replacing the link would not replace the folder.
    let run = tmp.path().join("run");
    assert!(run_into(&run, &[]).status.success());
    let link = tmp.path().join("link");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&run, &link).unwrap();
    let out = run_into(&link, &["--force"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("symbolic link"), "{}", stderr(&out));
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(run.join("manifest.json").is_file());
    // Sweep and sensitivity apply the same rule.
    let out = covsim()
        .args([
            "sweep",
            SCENARIO,
            "--set",
            "company.pcs=20,30",
            "--reps",
            "4",
        ])
        .args(["-q", "--force", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = covsim()
        .args(["sensitivity", SCENARIO, "--setup", "MSP", "--reps", "4"])
        .args(["-q", "--force", "--out"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_eq!(fs::read_to_string(&file).unwrap(), "keep me");
    assert_eq!(entries(tmp.path()), ["link", "results", "run"]);
}

#[test]
fn force_replaces_covsim_run_sweep_and_sensitivity_folders() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    assert!(run_into(&run, &["--seed", "1"]).status.success());
    // `covsim report` adds charts and report.html: still covsim's files.
    assert!(
        covsim()
            .arg("report")
            .arg(&run)
            .output()
            .unwrap()
            .status
            .success()
    );
    let out = run_into(&run, &["--force", "--seed", "2"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest = fs::read_to_string(run.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"seed\": 2"), "{manifest}");
    let sweep = |extra: &[&str]| {
        covsim()
            .args([
                "sweep",
                SCENARIO,
                "--set",
                "company.pcs=20,30",
                "--reps",
                "4",
            ])
            .args(["-q", "--out"])
            .arg(tmp.path().join("sweep"))
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(sweep(&[]).status.success());
    assert_eq!(sweep(&[]).status.code(), Some(2));
    let out = sweep(&["--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let sens = |extra: &[&str]| {
        covsim()
            .args(["sensitivity", SCENARIO, "--setup", "MSP", "--reps", "4"])
            .args(["-q", "--out"])
            .arg(tmp.path().join("sens"))
            .args(extra)
            .output()
            .unwrap()
    };
    assert!(sens(&[]).status.success());
    let out = sens(&["--force"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Nothing moved aside or temporary is left.
    assert_eq!(entries(tmp.path()), ["run", "sens", "sweep"]);
}

#[test]
fn init_force_never_replaces_a_folder_or_a_link() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("scenario.toml");
    fs::create_dir(&folder).unwrap();
    fs::write(folder.join("thesis.tex"), "chapter 1").unwrap();
    let out = covsim()
        .arg("init")
        .arg(&folder)
        .arg("--force")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("not a regular file"),
        "{}",
        stderr(&out)
    );
    assert_eq!(entries(&folder), ["thesis.tex"]);
    #[cfg(unix)]
    {
        let target = tmp.path().join("mine.toml");
        fs::write(&target, "my scenario").unwrap();
        let link = tmp.path().join("link.toml");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let out = covsim()
            .arg("init")
            .arg(&link)
            .arg("--force")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&target).unwrap(), "my scenario");
    }
}

// ---------------------------------------------------------------------------------------------
// 2. The final rename replaces nothing it did not check

/// Writes a run folder whose streamed file runs `meanwhile` while the folder is being written:
/// after the target was checked, before the final rename.
fn write_with(
    target: &Path,
    force: bool,
    meanwhile: &dyn Fn(),
    cancel: &AtomicBool,
) -> Result<(), OutputError> {
    let streamed = |w: &mut dyn std::io::Write| {
        meanwhile();
        w.write_all(b"replication,setup\n0,MSP\n")
    };
    write_run_folder_streamed(
        target,
        force,
        &[("manifest.json", covsim_manifest())],
        &[("replications.csv", &streamed)],
        cancel,
    )
}

#[test]
fn a_folder_that_appears_while_writing_is_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("run");
    // Another run creates the folder (empty: plain rename(2) would replace it silently).
    let r = write_with(
        &target,
        false,
        &|| fs::create_dir(&target).unwrap(),
        &AtomicBool::new(false),
    );
    assert!(matches!(r, Err(OutputError::Exists(_))), "{r:?}");
    assert!(r.unwrap_err().is_usage());
    assert_eq!(entries(&target), Vec::<String>::new());
    assert_eq!(
        entries(tmp.path()),
        ["run"],
        "the temporary folder is left behind"
    );
    // With --force too: what appears was not checked, so it is not replaced.
    let other = tmp.path().join("other");
    let r = write_with(
        &other,
        true,
        &|| {
            fs::create_dir(&other).unwrap();
            fs::write(other.join("thesis.tex"), "x").unwrap();
        },
        &AtomicBool::new(false),
    );
    assert!(matches!(r, Err(OutputError::Exists(_))), "{r:?}");
    assert_eq!(entries(&other), ["thesis.tex"]);
    assert_eq!(entries(tmp.path()), ["other", "run"]);
}

#[test]
fn force_replaces_only_the_folder_it_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("run");
    let old = vec![("manifest.json", covsim_manifest())];
    write_run_folder(&target, false, &old).unwrap();
    // The checked run folder is swapped for the user's folder while the new one is written.
    let swap = || {
        fs::rename(&target, tmp.path().join("moved")).unwrap();
        fs::create_dir(&target).unwrap();
        fs::write(target.join("thesis.tex"), "chapter 1").unwrap();
    };
    let r = write_with(&target, true, &swap, &AtomicBool::new(false));
    assert!(matches!(r, Err(OutputError::Changed { .. })), "{r:?}");
    assert_eq!(entries(&target), ["thesis.tex"]);
    assert_eq!(entries(tmp.path()), ["moved", "run"]);
    // A file of the user's saved into the checked folder meanwhile: not replaced either.
    fs::remove_dir_all(&target).unwrap();
    fs::rename(tmp.path().join("moved"), &target).unwrap();
    let save = || fs::write(target.join("notes.txt"), "mine").unwrap();
    let r = write_with(&target, true, &save, &AtomicBool::new(false));
    assert!(matches!(r, Err(OutputError::Changed { .. })), "{r:?}");
    assert_eq!(entries(&target), ["manifest.json", "notes.txt"]);
    assert_eq!(entries(tmp.path()), ["run"]);
    // Unchanged, it is replaced, and the new manifest records the data files.
    fs::remove_file(target.join("notes.txt")).unwrap();
    write_with(&target, true, &|| {}, &AtomicBool::new(false)).unwrap();
    let manifest = fs::read_to_string(target.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"file_checks\""), "{manifest}");
    assert_eq!(entries(tmp.path()), ["run"]);
}

// ---------------------------------------------------------------------------------------------
// 7. Interrupts

#[test]
fn an_interrupt_while_writing_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let target = tmp.path().join("run");
    let cancel = AtomicBool::new(false);
    let r = write_with(
        &target,
        false,
        &|| cancel.store(true, Ordering::SeqCst),
        &cancel,
    );
    assert!(matches!(r, Err(OutputError::Interrupted)), "{r:?}");
    assert!(!r.unwrap_err().is_usage());
    assert_eq!(entries(tmp.path()), Vec::<String>::new());
    // Replacing with --force: the old folder stays as it was.
    write_run_folder(&target, false, &[("manifest.json", covsim_manifest())]).unwrap();
    cancel.store(false, Ordering::SeqCst);
    let r = write_with(
        &target,
        true,
        &|| cancel.store(true, Ordering::SeqCst),
        &cancel,
    );
    assert!(matches!(r, Err(OutputError::Interrupted)), "{r:?}");
    assert_eq!(entries(&target), ["manifest.json"]);
    assert_eq!(entries(tmp.path()), ["run"]);
}

/// Whether process `pid` catches `signal` (its bit in /proc/PID/status `SigCgt`): the handler
/// is installed, so a signal now is handled, not fatal.
#[cfg(target_os = "linux")]
fn catches(pid: u32, signal: u32) -> bool {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("SigCgt:"))
        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        .is_some_and(|mask| mask & (1 << (signal - 1)) != 0)
}

#[cfg(target_os = "linux")]
fn interrupt_a_run(signal: &str, number: u32) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin("covsim"))
        .args(["run", "scenarios/mustermann-gmbh.toml", "--reps", "200000"])
        .args(["--threads", "1", "-q", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let start = std::time::Instant::now();
    while !catches(pid, number) {
        assert!(
            start.elapsed().as_secs() < 30,
            "no signal handler installed"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    let kill = std::process::Command::new("kill")
        .args([&format!("-{signal}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let result = child.wait_with_output().unwrap();
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("interrupted"),
        "{}",
        stderr(&result)
    );
    assert_eq!(entries(tmp.path()), Vec::<String>::new());
}

#[cfg(target_os = "linux")]
#[test]
fn sigterm_stops_a_run_with_exit_1_and_leaves_nothing() {
    interrupt_a_run("TERM", 15);
}

#[cfg(target_os = "linux")]
#[test]
fn sigint_stops_a_run_with_exit_1_and_leaves_nothing() {
    interrupt_a_run("INT", 2);
}

// ---------------------------------------------------------------------------------------------
// 13. `covsim report` checks the folder against its manifest

/// A fresh run folder of 20 replications, and `report` on it after `damage`.
fn report_after(damage: impl FnOnce(&Path)) -> (PathBuf, std::process::Output) {
    let tmp = tempfile::tempdir().unwrap().keep();
    let run = tmp.join("run");
    assert!(run_into(&run, &[]).status.success());
    damage(&run);
    let out = covsim().arg("report").arg(&run).output().unwrap();
    let _ = fs::remove_dir_all(&tmp);
    (run, out)
}

#[test]
fn report_accepts_an_intact_run_folder() {
    let (_, out) = report_after(|_| {});
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn report_refuses_a_truncated_replications_file() {
    let (_, out) = report_after(|run| {
        let path = run.join("replications.csv");
        let text = fs::read_to_string(&path).unwrap();
        // Cut at a line end: the last row is gone, the file still parses.
        let cut = text.trim_end_matches('\n').rfind('\n').unwrap() + 1;
        fs::write(&path, &text[..cut]).unwrap();
    });
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("replications.csv"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn report_refuses_a_doubled_row_in_daily() {
    let (_, out) = report_after(|run| {
        let path = run.join("daily.csv");
        let text = fs::read_to_string(&path).unwrap();
        let row = text.lines().nth(5).unwrap();
        fs::write(&path, format!("{text}{row}\n")).unwrap();
    });
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("daily.csv"), "{}", stderr(&out));
}

#[test]
fn report_refuses_a_missing_or_cut_episodes_file() {
    let (_, out) = report_after(|run| fs::remove_file(run.join("episodes.csv")).unwrap());
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("episodes.csv"), "{}", stderr(&out));
    // Without file_checks (as an older folder), the row count per setup still catches a cut.
    let (_, out) = report_after(|run| {
        let manifest = run.join("manifest.json");
        let text = fs::read_to_string(&manifest).unwrap();
        let cut = text.find(",\n  \"file_checks\"").unwrap();
        fs::write(&manifest, format!("{}\n}}\n", &text[..cut])).unwrap();
        let path = run.join("episodes.csv");
        let text = fs::read_to_string(&path).unwrap();
        let cut = text.trim_end_matches('\n').rfind('\n').unwrap() + 1;
        fs::write(&path, &text[..cut]).unwrap();
    });
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("episodes.csv has"),
        "{}",
        stderr(&out)
    );
}

/// A folder of covsim 0.1 has no episodes.csv and does not list it: the report still works.
#[test]
fn report_accepts_a_folder_written_before_episodes_csv() {
    let (_, out) = report_after(|run| {
        fs::remove_file(run.join("episodes.csv")).unwrap();
        let manifest = run.join("manifest.json");
        let text = fs::read_to_string(&manifest).unwrap();
        let cut = text.find(",\n  \"file_checks\"").unwrap();
        let old = text[..cut].replace("    \"episodes.csv\",\n", "");
        fs::write(&manifest, format!("{old}\n}}\n")).unwrap();
    });
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn report_refuses_a_manifest_with_a_wrong_replication_count() {
    let (_, out) = report_after(|run| {
        let path = run.join("manifest.json");
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"replications\": 20,"), "{text}");
        fs::write(
            &path,
            text.replace("\"replications\": 20,", "\"replications\": 999999,"),
        )
        .unwrap();
    });
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("999999 replications"), "{err}");
}
