//! Writing a calibration to disk: the calibrated scenario and its report, side by side, each
//! written atomically, nothing overwritten without `--force`, and a short summary on stdout.
//!
//! File names: the scenario goes to `--out` (default `<export stem>.toml` in the current
//! folder); the report goes beside it as `<scenario stem>.calibration.html`, so calibrations
//! of several exports (or clients) in one folder never overwrite each other's report.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use covsim::calibrate::html::calibration_html;
use covsim::calibrate::write::scenario_toml;
use covsim::calibrate::{Calibration, EffortSource, Family, IngestReport};
use covsim::report::i18n::Lang;
use covsim::scenario;

use super::{Failure, print, usage, warn_load, write_atomically};

/// The scenario file when `--out` is not given: `<export stem>.toml` in the current folder.
pub(crate) fn default_scenario_path(export: &Path) -> PathBuf {
    let stem = export
        .file_stem()
        .map_or("calibrated".into(), |s| s.to_string_lossy().into_owned());
    PathBuf::from(format!("{stem}.toml"))
}

/// The report beside the scenario: `acme.toml` → `acme.calibration.html`.
pub(crate) fn html_path(scenario: &Path) -> PathBuf {
    let stem = scenario
        .file_stem()
        .map_or("calibrated".into(), |s| s.to_string_lossy().into_owned());
    scenario.with_file_name(format!("{stem}.calibration.html"))
}

/// Refuses a target that is not a regular file, or one that exists without `force`.
/// Returns whether it exists.
fn check_target(path: &Path, force: bool) -> Result<bool, Failure> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if !m.is_file() => Err(usage(anyhow::anyhow!(
            "{} exists and is not a regular file (a folder, link or device); calibrate writes \
             files and never replaces anything else: choose another --out",
            path.display()
        ))),
        Ok(_) if !force => Err(usage(anyhow::anyhow!(
            "{} exists already; choose another --out or pass --force to overwrite it",
            path.display()
        ))),
        Ok(_) => Ok(true),
        Err(_) => Ok(false),
    }
}

fn write_one(path: &Path, bytes: &[u8], force: bool) -> Result<(), Failure> {
    write_atomically(path, bytes, force).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            usage(anyhow::anyhow!(
                "{} appeared while writing; choose another --out or pass --force to overwrite it",
                path.display()
            ))
        } else {
            anyhow::anyhow!("cannot write {}: {e}", path.display()).into()
        }
    })
}

/// Writes the calibrated scenario (to `out`, default [`default_scenario_path`]) and its
/// report ([`html_path`]) in `lang`, and prints a summary. `export` is the export's path as
/// the user gave it. Nothing is written unless both can be: existing files are refused
/// without `force` (exit code 2), and a report whose scenario could not be written is
/// removed again.
pub(crate) fn write_calibration(
    cal: &Calibration,
    ingest: &IngestReport,
    export: &Path,
    out: Option<&Path>,
    lang: Lang,
    force: bool,
) -> Result<(), Failure> {
    let scenario_path = out.map_or_else(|| default_scenario_path(export), Path::to_path_buf);
    let report_path = html_path(&scenario_path);
    check_target(&scenario_path, force)?;
    let report_existed = check_target(&report_path, force)?;
    let source = export.display().to_string();
    let text = scenario_toml(cal, ingest, &source);
    // The file must load as written: a scenario that does not is a defect of calibration, and
    // a consultant must not be handed it.
    let model = scenario::from_str(&text, &scenario_path.display().to_string()).map_err(|e| {
        Failure::from(anyhow::anyhow!(
            "the calibrated scenario does not load, so nothing was written; this is a defect \
             of covsim calibrate, please report it with this message: {e}"
        ))
    })?;
    let html = calibration_html(cal, ingest, &source, lang);
    write_one(&report_path, html.as_bytes(), force)?;
    if let Err(e) = write_one(&scenario_path, text.as_bytes(), force) {
        if !report_existed {
            let _ = std::fs::remove_file(&report_path);
        }
        return Err(e);
    }
    warn_load(&scenario_path.display().to_string(), &model);
    print(&summary_text(
        cal,
        ingest,
        &source,
        &scenario_path,
        &report_path,
    ))
}

fn family(f: Family) -> &'static str {
    match f {
        Family::Exponential => "exponential",
        Family::LogNormal => "lognormal",
        Family::Gamma => "gamma",
        Family::Weibull => "weibull",
        Family::Empirical => "empirical (no family fits)",
    }
}

/// The summary printed after writing: categories with rates and families, problems, files.
pub(crate) fn summary_text(
    cal: &Calibration,
    ingest: &IngestReport,
    source: &str,
    scenario_path: &Path,
    report_path: &Path,
) -> String {
    let tickets: u64 = cal.categories.iter().map(|c| c.n).sum();
    let mut s = String::new();
    let _ = writeln!(
        s,
        "calibrated {} {} from {source} ({} to {}, {tickets} tickets, preset {}):",
        cal.categories.len(),
        if cal.categories.len() == 1 {
            "category"
        } else {
            "categories"
        },
        cal.period.0,
        cal.period.1,
        if ingest.preset.is_empty() {
            "none"
        } else {
            &ingest.preset
        }
    );
    let width = cal.categories.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in &cal.categories {
        let _ = writeln!(
            s,
            "  {:width$}  {}  {:>8.1} a year  {:8}  effort {}{}",
            c.id,
            c.priority.label(),
            c.tickets_per_year,
            if c.business_hours {
                "business"
            } else {
                "always"
            },
            family(c.effort.chosen),
            if c.effort.source == EffortSource::ResolutionUpperBound {
                ", upper bound from resolution times"
            } else {
                ""
            }
        );
    }
    if !cal.merged.is_empty() {
        let _ = writeln!(
            s,
            "  {} small category x priority pairs merged into \"other\"",
            cal.merged.len()
        );
    }
    let problems: u64 = ingest.problems.iter().map(|p| p.count).sum();
    if problems == 0 {
        s.push_str("  every row was used\n");
    } else {
        let _ = writeln!(s, "  {problems} rows or cells not used:");
        for p in &ingest.problems {
            let _ = writeln!(s, "    {:>6}  {}", p.count, p.reason);
        }
    }
    let _ = writeln!(
        s,
        "wrote {} and {}; check it with: covsim validate {}",
        scenario_path.display(),
        report_path.display(),
        scenario_path.display()
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;
    use covsim::calibrate::{CategoryEstimate, Dispersion, EffortFit, Problem};
    use covsim::dist::DistSpec;
    use covsim::model::Priority;

    fn calibration() -> Calibration {
        let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        Calibration {
            period: (from, NaiveDate::from_ymd_opt(2025, 12, 31).unwrap()),
            years: 1.0,
            categories: vec![CategoryEstimate {
                id: "printer-p3".into(),
                label: "Drucker".into(),
                priority: Priority::P3,
                n: 4,
                tickets_per_year: 4.0,
                rate_ci: (1.1, 10.2),
                business_hours: true,
                share_outside_hours: 0.0,
                weekday_factors: [1.0; 7],
                month_factors: [1.0; 12],
                effort: EffortFit {
                    source: EffortSource::ResolutionUpperBound,
                    n: 4,
                    censored: 1,
                    candidates: vec![],
                    chosen: Family::Exponential,
                    gof: None,
                    dist: DistSpec::Exponential { mean: 0.5 },
                    data: vec![(0.2, false), (0.4, false), (0.9, true), (0.7, false)],
                },
            }],
            merged: vec![],
            daily_counts: (0..365)
                .map(|d| (from + chrono::Days::new(d), u32::from(d % 90 == 0)))
                .collect(),
            dispersion: Dispersion {
                index: 1.0,
                poisson_ci: (0.8, 1.2),
                days: 261,
            },
            hour_of_week: [[0; 24]; 7],
            observed: vec![],
            notes: vec![],
        }
    }

    fn ingest() -> IngestReport {
        IngestReport {
            preset: "glpi".into(),
            rows: 5,
            problems: vec![Problem {
                reason: "status: spam".into(),
                count: 1,
                example_lines: vec![3],
            }],
            ..IngestReport::default()
        }
    }

    #[test]
    fn names_put_the_report_beside_the_scenario() {
        assert_eq!(
            default_scenario_path(Path::new("/data/Kunde/tickets 2025.csv")),
            PathBuf::from("tickets 2025.toml")
        );
        assert_eq!(
            html_path(Path::new("out/huber.toml")),
            PathBuf::from("out/huber.calibration.html")
        );
    }

    #[test]
    fn writes_both_files_and_refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("huber.toml");
        let report = dir.path().join("huber.calibration.html");
        let export = Path::new("/data/Kunde Huber/tickets.csv");
        write_calibration(
            &calibration(),
            &ingest(),
            export,
            Some(&out),
            Lang::De,
            false,
        )
        .unwrap_or_else(|f| panic!("{:#}", f.error));
        let text = std::fs::read_to_string(&out).unwrap();
        scenario::from_str(&text, "huber.toml").unwrap();
        let html = std::fs::read_to_string(&report).unwrap();
        assert!(html.contains("<html lang=\"de\">"));
        assert!(!html.contains("Kunde Huber") && !text.contains("Kunde Huber"));

        // A second calibration to the same place is refused and changes nothing.
        std::fs::write(&report, "mine").unwrap();
        let f = write_calibration(
            &calibration(),
            &ingest(),
            export,
            Some(&out),
            Lang::En,
            false,
        )
        .expect_err("refused");
        assert_eq!(f.code, 2);
        assert!(format!("{:#}", f.error).contains("--force"));
        assert_eq!(std::fs::read_to_string(&report).unwrap(), "mine");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), text);

        // With --force both are replaced; no temporary files are left.
        write_calibration(
            &calibration(),
            &ingest(),
            export,
            Some(&out),
            Lang::En,
            true,
        )
        .unwrap_or_else(|f| panic!("{:#}", f.error));
        assert!(
            std::fs::read_to_string(&report)
                .unwrap()
                .contains("<html lang=\"en\">")
        );
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn a_folder_in_the_way_is_a_usage_error_and_nothing_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("huber.toml");
        std::fs::create_dir(dir.path().join("huber.calibration.html")).unwrap();
        let f = write_calibration(
            &calibration(),
            &ingest(),
            Path::new("t.csv"),
            Some(&out),
            Lang::En,
            true,
        )
        .expect_err("refused");
        assert_eq!(f.code, 2);
        assert!(format!("{:#}", f.error).contains("not a regular file"));
        assert!(!out.exists());
    }

    #[test]
    fn the_summary_names_rates_families_and_problems() {
        let s = summary_text(
            &calibration(),
            &ingest(),
            "tickets.csv",
            Path::new("huber.toml"),
            Path::new("huber.calibration.html"),
        );
        assert!(s.contains("calibrated 1 category from tickets.csv (2025-01-01 to 2025-12-31, 4 tickets, preset glpi)"));
        assert!(s.contains(
            "printer-p3  P3       4.0 a year  business  effort exponential, upper bound"
        ));
        assert!(s.contains("1 rows or cells not used"));
        assert!(s.contains("status: spam"));
        assert!(s.contains("wrote huber.toml and huber.calibration.html"));
    }
}
