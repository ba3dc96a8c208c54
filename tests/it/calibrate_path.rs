//! The whole calibration path through files: a simulated year written in every preset's own
//! format, read back and calibrated, gives the calibration of the year itself; and the
//! command line turns the shipped sample export into a scenario that validates and backtests.

use std::path::Path;

use assert_cmd::Command;
use covsim::calibrate::estimate::{EstimateOptions, calibrate};
use covsim::calibrate::ingest::{self, ReadOptions};
use covsim::calibrate::simulated;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_preset_export_of_a_simulated_year_calibrates_like_the_year_itself() {
    let model = covsim::scenario::load(&root().join("scenarios/mustermann-gmbh.toml")).unwrap();
    let year = simulated::export(&model, 0, 3);
    let opts = EstimateOptions {
        bootstrap: 19,
        ..Default::default()
    };
    let direct = calibrate(&year, &model, &opts).unwrap();
    assert!(direct.categories.len() >= 5, "{:?}", direct.categories);
    for preset in ingest::presets() {
        let mut bytes = Vec::new();
        ingest::write_export(&year.tickets, year.observed_until, preset.name, &mut bytes).unwrap();
        let read = ingest::read_export_bytes(
            &format!("year-{}.csv", preset.name),
            &bytes,
            &ReadOptions {
                preset: Some(preset.name.to_string()),
                until: Some(year.observed_until),
                // A file cannot say when its period began (the first ticket came on 2 January).
                from: Some(year.observed_from),
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{}: {e}", preset.name));
        // Open tickets stay open (censored), none is lost or invented.
        assert_eq!(read.tickets.len(), year.tickets.len(), "{}", preset.name);
        let open =
            |e: &covsim::calibrate::Export| e.tickets.iter().filter(|t| t.closed.is_none()).count();
        assert_eq!(open(&read), open(&year), "{}", preset.name);
        let cal = calibrate(&read, &model, &opts).unwrap();
        let ids = |c: &covsim::calibrate::Calibration| {
            c.categories
                .iter()
                .map(|k| (k.id.clone(), k.priority, k.n))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&cal), ids(&direct), "{}", preset.name);
        for (a, b) in cal.categories.iter().zip(&direct.categories) {
            // Counts are exact; formats that keep minutes only move a ticket across midnight
            // or an hour boundary, never across a day of the week at these times.
            assert!(
                (a.tickets_per_year - b.tickets_per_year).abs() < 1e-9 * b.tickets_per_year,
                "{}: {} rate {} vs {}",
                preset.name,
                a.id,
                a.tickets_per_year,
                b.tickets_per_year
            );
            assert_eq!(
                a.business_hours, b.business_hours,
                "{}: {}",
                preset.name, a.id
            );
            for (x, y) in a.weekday_factors.iter().zip(&b.weekday_factors) {
                assert!(
                    (x - y).abs() < 0.02,
                    "{}: {} weekday factors {:?} vs {:?}, month {:?} vs {:?}",
                    preset.name,
                    a.id,
                    a.weekday_factors,
                    b.weekday_factors,
                    a.month_factors,
                    b.month_factors
                );
            }
        }
    }
}

#[test]
fn the_sample_export_calibrates_validates_and_backtests_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let export = root().join("scenarios/mustermann-tickets-2026.csv");
    let scenario = dir.path().join("client.toml");
    let out = Command::cargo_bin("covsim")
        .unwrap()
        .args(["calibrate"])
        .arg(&export)
        .arg("--out")
        .arg(&scenario)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(summary.contains("preset auto: znuny"), "{summary}");
    assert!(dir.path().join("client.calibration.html").is_file());
    // Nothing of the export's free text reaches the scenario.
    let text = std::fs::read_to_string(&scenario).unwrap();
    assert!(!text.contains("Support request"));
    Command::cargo_bin("covsim")
        .unwrap()
        .arg("validate")
        .arg(&scenario)
        .assert()
        .success();
    let out = Command::cargo_bin("covsim")
        .unwrap()
        .arg("backtest")
        .arg(&scenario)
        .arg(&export)
        .args([
            "--setup",
            "Single admin",
            "--reps",
            "40",
            "--threads",
            "1",
            "-q",
            "--out",
        ])
        .arg(dir.path().join("bt"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("Calibration score:"), "{table}");
    // A second calibration to the same place is refused: nothing is overwritten.
    Command::cargo_bin("covsim")
        .unwrap()
        .args(["calibrate"])
        .arg(&export)
        .arg("--out")
        .arg(&scenario)
        .assert()
        .code(2);
    // The preset list names every system the issue asks for.
    let out = Command::cargo_bin("covsim")
        .unwrap()
        .args(["calibrate", "--list-presets"])
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&out.stdout).to_lowercase();
    for system in [
        "zammad",
        "znuny",
        "osticket",
        "glpi",
        "jira",
        "servicenow",
        "freshdesk",
        "autotask",
    ] {
        assert!(
            list.contains(system),
            "{system} missing from --list-presets"
        );
    }
}
