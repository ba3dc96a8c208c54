//! Monte Carlo runs: bit-identical whatever the threads and slicing; atomic run folders.

use std::sync::atomic::AtomicBool;

use covsim::montecarlo::{self, Experiment, Hooks, Plan};
use covsim::report::csv::CsvLocale;
use covsim::report::output::{RunInfo, render, write_run_folder};

fn mustermann() -> covsim::model::Model {
    covsim::scenario::load("scenarios/mustermann-gmbh.toml".as_ref()).unwrap()
}

fn run(model: &covsim::model::Model, first: u64, count: u64, threads: usize) -> Experiment {
    let cancel = AtomicBool::new(false);
    let hooks = Hooks {
        cancel: &cancel,
        progress: &|_| {},
    };
    montecarlo::run(
        model,
        Plan {
            first,
            count,
            threads: Some(threads),
        },
        &hooks,
    )
    .unwrap()
}

fn info(locale: CsvLocale) -> RunInfo {
    RunInfo {
        scenario_path: "scenarios/mustermann-gmbh.toml".into(),
        scenario_text: "as run".into(),
        threads: 0,
        wall_time_s: 0.0,
        started_utc: String::new(),
        locale,
        precision: None,
        command_line: String::new(),
    }
}

#[test]
fn every_output_file_is_byte_identical_with_1_2_and_8_threads() {
    let model = mustermann();
    let reference = render(&model, &run(&model, 0, 300, 1), &info(CsvLocale::En));
    for threads in [2, 8] {
        let other = render(&model, &run(&model, 0, 300, threads), &info(CsvLocale::En));
        for ((name, a), (_, b)) in reference.iter().zip(&other) {
            assert!(a == b, "{name} differs between 1 and {threads} threads");
        }
    }
}

#[test]
fn any_slice_of_a_run_reproduces_exactly() {
    let model = mustermann();
    let full = run(&model, 0, 40, 2);
    let slice = run(&model, 25, 10, 1);
    for (a, b) in full.setups.iter().zip(&slice.setups) {
        for (column_a, column_b) in a.values.iter().zip(&b.values) {
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&column_a[25..35]), bits(column_b));
        }
    }
}

#[test]
fn a_precision_run_equals_a_plain_run_of_the_same_length() {
    let model = covsim::scenario::load("scenarios/textbook-mm2.toml".as_ref()).unwrap();
    let cancel = AtomicBool::new(false);
    let hooks = Hooks {
        cancel: &cancel,
        progress: &|_| {},
    };
    let (exp, outcome) =
        montecarlo::run_to_precision(&model, 0, 0.03, 10, 1000, Some(2), &hooks).unwrap();
    assert!(outcome.reached, "{outcome:?}");
    assert!(outcome.relative_half_width <= 0.03);
    assert!(exp.count > 10, "10 replications cannot be that precise");
    let plain = run(&model, 0, exp.count, 1);
    // Compared as bits: NaN (no ticket of a priority) is a value too.
    let bits = |e: &Experiment| {
        e.setups[0]
            .values
            .iter()
            .map(|c| c.iter().map(|x| x.to_bits()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    assert!(
        bits(&exp) == bits(&plain),
        "a precision run differs from a plain run"
    );
}

#[test]
fn german_csv_opens_in_a_german_excel() {
    let model = mustermann();
    let files = render(&model, &run(&model, 0, 5, 1), &info(CsvLocale::De));
    let summary = String::from_utf8(
        files
            .iter()
            .find(|f| f.0 == "summary.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let second = summary.lines().nth(1).unwrap();
    assert!(second.starts_with("Single admin;tickets;5;"), "{second}");
    assert!(second.contains(','), "decimal commas expected: {second}");
    assert!(
        !summary.lines().next().unwrap().contains(','),
        "header must use semicolons"
    );
}

#[test]
fn a_failed_write_leaves_no_run_folder_behind() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("run");
    // The second file cannot be created (its folder does not exist): the write fails halfway.
    let files = vec![("a.csv", b"x".to_vec()), ("missing/b.csv", b"y".to_vec())];
    assert!(write_run_folder(&target, false, &files).is_err());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "something was left behind"
    );
    // A complete write lands, and replacing it needs `force` (and covsim's manifest).
    let manifest = br#"{ "covsim_version": "0", "scenario_name": "s", "replications": 1 }"#;
    let ok = vec![
        ("summary.csv", b"1".to_vec()),
        ("manifest.json", manifest.to_vec()),
    ];
    write_run_folder(&target, false, &ok).unwrap();
    assert!(write_run_folder(&target, false, &ok).is_err());
    let new = vec![
        ("summary.csv", b"2".to_vec()),
        ("manifest.json", manifest.to_vec()),
    ];
    write_run_folder(&target, true, &new).unwrap();
    assert_eq!(std::fs::read(target.join("summary.csv")).unwrap(), b"2");
    // A failed replacement keeps the old folder.
    assert!(write_run_folder(&target, true, &files).is_err());
    assert_eq!(std::fs::read(target.join("summary.csv")).unwrap(), b"2");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn an_interrupted_run_returns_nothing() {
    let model = mustermann();
    let cancel = AtomicBool::new(true);
    let hooks = Hooks {
        cancel: &cancel,
        progress: &|_| {},
    };
    let r = montecarlo::run(
        &model,
        Plan {
            first: 0,
            count: 1000,
            threads: Some(1),
        },
        &hooks,
    );
    assert!(r.is_err());
}

#[test]
fn streamed_replications_equal_the_in_memory_file_and_charts_need_only_the_slim_copy() {
    use covsim::report::charts::render_charts;
    use covsim::report::i18n::Lang;
    use covsim::report::output::{render_streamed, write_replications};
    let model = mustermann();
    let exp = run(&model, 0, 30, 2);
    let mut info = info(CsvLocale::En);
    info.scenario_text = std::fs::read_to_string("scenarios/mustermann-gmbh.toml").unwrap();
    let full = render(&model, &exp, &info);
    let slim = render_streamed(&model, &exp, &info);
    let file = |files: &[(&str, Vec<u8>)], name: &str| {
        files.iter().find(|f| f.0 == name).unwrap().1.clone()
    };
    let mut streamed = Vec::new();
    write_replications(&exp, false, CsvLocale::En, &mut streamed).unwrap();
    assert!(streamed == file(&full, "replications.csv"));
    assert!(file(&slim, "replications.csv").len() < streamed.len() / 4);
    let charts_full = render_charts(&full, Lang::En).unwrap();
    let charts_slim = render_charts(&slim, Lang::En).unwrap();
    assert!(
        charts_full == charts_slim,
        "charts must not depend on the non-headline columns"
    );
}

/// `episodes.csv` pools the stretches of every replication: each measure's bins add up to the
/// replications' `nobody_episodes`, and `longer_per_year` falls to zero at the open bin.
#[test]
fn episodes_csv_pools_every_replications_stretches() {
    let model = mustermann();
    let exp = run(&model, 0, 40, 2);
    let files = render(&model, &exp, &info(CsvLocale::En));
    let text = String::from_utf8(
        files
            .iter()
            .find(|f| f.0 == "episodes.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    let col = covsim::engine::catalog()
        .iter()
        .position(|d| d.name == "nobody_episodes")
        .unwrap();
    let years = f64::from(model.sim.years);
    let mut rows = text.lines();
    assert_eq!(
        rows.next().unwrap(),
        "setup,measure,upto,episodes,per_year,cumulative_share,longer_per_year"
    );
    let rows: Vec<Vec<&str>> = rows.map(|l| l.split(',').collect()).collect();
    for s in &exp.setups {
        let want: f64 = s.values[col].iter().map(|n| n * years).sum();
        assert!(want > 0.0, "{}: no stretches with nobody", s.name);
        for measure in ["business_hours", "calendar_days"] {
            let mine: Vec<_> = rows
                .iter()
                .filter(|r| r[0] == s.name && r[1] == measure)
                .collect();
            let total: u64 = mine.iter().map(|r| r[3].parse::<u64>().unwrap()).sum();
            assert_eq!(total as f64, want.round(), "{} {measure}", s.name);
            let last = mine.last().unwrap();
            assert_eq!((last[2], last[5], last[6]), ("inf", "1", "0"));
        }
    }
}
