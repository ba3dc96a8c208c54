//! Issue 12, point 12: a replication of several years is labelled as what it is, an N-year
//! period whose figures are per-year averages, never as "a year".

use assert_cmd::Command;

/// Runs the example company with `years` measured years per replication and returns the
/// printed tables and report.html.
fn run_with_years(years: u32) -> (String, String) {
    let text = std::fs::read_to_string("scenarios/mustermann-gmbh.toml").unwrap();
    assert!(
        text.contains("\nyears = 1 "),
        "the example states its years"
    );
    let text = text.replace("\nyears = 1 ", &format!("\nyears = {years} "));
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("s.toml");
    std::fs::write(&scenario, text).unwrap();
    let out_dir = dir.path().join("run");
    let out = Command::cargo_bin("covsim")
        .unwrap()
        .args(["run", "--reps", "12", "--quiet", "--out"])
        .arg(&out_dir)
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(out_dir.join("report.html")).unwrap();
    (String::from_utf8(out.stdout).unwrap(), html)
}

#[test]
fn r12_multi_year_replications_are_labelled_as_periods() {
    let (table, html) = run_with_years(3);
    assert!(table.contains("3 consecutive years"), "{table}");
    assert!(table.contains("in a bad period"), "{table}");
    assert!(!table.contains("in a bad year"), "{table}");
    assert!(table.contains("Longest gap, 3 yrs (days)"), "{table}");
    assert!(
        table.contains("Chance of a 3-year period worse than a threshold"),
        "{table}"
    );
    assert!(html.contains("3 consecutive years"));
    assert!(html.contains("in one 3-year period out of twenty"));
    assert!(!html.contains("in one year out of twenty"));
}

#[test]
fn r12_one_year_replications_keep_their_labels() {
    let (table, html) = run_with_years(1);
    assert!(table.contains("in a bad year"), "{table}");
    assert!(!table.contains("consecutive years"), "{table}");
    assert!(html.contains("in one year out of twenty"));
}
