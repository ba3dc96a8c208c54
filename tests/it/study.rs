//! The whitepaper study (study/README.md): its scenarios validate, and the two scenarios of
//! claim 6 differ only in the admin's illness, so that their difference is what it costs.

use std::path::Path;

/// Every scenario file the study's run.sh uses.
const STUDY: &[&str] = &[
    "study/scenarios/mustermann-study.toml",
    "study/scenarios/mustermann-story.toml",
    "study/scenarios/mustermann-story-healthy.toml",
    "study/scenarios/claim2-skills.toml",
    "study/scenarios/claim2-skill-coverage.toml",
    "study/scenarios/claim3-msp-pool.toml",
];

#[test]
fn every_study_scenario_validates() {
    let mut found: Vec<String> = std::fs::read_dir("study/scenarios")
        .unwrap()
        .map(|e| e.unwrap().path().display().to_string())
        .filter(|p| p.ends_with(".toml"))
        .collect();
    found.sort();
    let mut listed: Vec<String> = STUDY.iter().map(|s| s.to_string()).collect();
    listed.sort();
    // A new scenario must be added here (and so be validated); a listed one must exist.
    assert_eq!(
        found, listed,
        "study/scenarios and the list in tests/it/study.rs differ"
    );
    for path in STUDY {
        if let Err(e) = covsim::scenario::load(Path::new(path)) {
            panic!("{path} does not validate:\n{e}");
        }
    }
}

#[test]
fn claim6_scenarios_differ_only_in_the_illness() {
    let read = |p: &str| std::fs::read_to_string(p).unwrap();
    // Comment lines and the name may differ; every other line must be equal, except the
    // planned absence that only the ill scenario has.
    let keep = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("name = "))
            .map(str::to_owned)
            .collect()
    };
    let ill = keep(&read("study/scenarios/mustermann-story.toml"));
    let healthy = keep(&read("study/scenarios/mustermann-story-healthy.toml"));
    let extra: Vec<&String> = ill.iter().filter(|l| !healthy.contains(l)).collect();
    assert_eq!(
        extra,
        [
            &"planned_absences = [ { from = 2026-03-02, to = 2026-04-12, kind = \"sick\" } ]"
                .to_owned()
        ],
        "the ill scenario must differ from the healthy one by anna's illness only"
    );
    let without: Vec<&String> = ill.iter().filter(|l| !extra.contains(l)).collect();
    assert_eq!(without, healthy.iter().collect::<Vec<_>>());
}
