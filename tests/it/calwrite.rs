//! Writing a calibration (issue 14): the calibrated scenario loads and holds every estimate
//! with its evidence in comments, and `calibration.html` has every section, well-formed
//! charts, and no personal data — in English and German.
//!
//! The calibrations here are built by [`sample_calibration`] the way estimation builds them:
//! samples drawn from known distributions, daily Poisson counts with a weekday profile, and
//! observed times per priority.

use chrono::{Datelike, NaiveDate};
use covsim::calibrate::html::calibration_html;
use covsim::calibrate::write::{NOT_IN_EXPORT, scenario_toml};
use covsim::calibrate::{
    Calibration, CategoryEstimate, Dispersion, EffortFit, EffortSource, Family, FamilyFit,
    GoodnessOfFit, IngestReport, ObservedTimes, Problem,
};
use covsim::dist::{Dist, DistSpec};
use covsim::model::Priority;
use covsim::report::i18n::Lang;
use covsim::rng::{Purpose, stream};
use rand::RngExt;
use rand_distr::Distribution;

/// Where the export lies on the consultant's disk: its folders name the client.
const SOURCE: &str = "/home/berater/Kunde Huber und Söhne/tickets-2025.csv";

fn ingest() -> IngestReport {
    IngestReport {
        preset: "auto: zammad".into(),
        rows: 1234,
        columns_seen: [
            "Number",
            "Title",
            "Customer",
            "Customer E-Mail",
            "Created at",
            "Closed at",
            "Priority",
            "Group",
            "Time Units",
        ]
        .map(String::from)
        .to_vec(),
        columns_used: vec![
            ("id".into(), "Number".into()),
            ("created".into(), "Created at".into()),
            ("closed".into(), "Closed at".into()),
            ("priority".into(), "Priority".into()),
            ("category".into(), "Group".into()),
            ("effort".into(), "Time Units".into()),
        ],
        priority_mapping: vec![
            ("1 low".into(), Priority::P4),
            ("2 normal".into(), Priority::P3),
            ("3 high".into(), Priority::P2),
        ],
        problems: vec![
            Problem {
                reason: "created: unparseable date-time".into(),
                count: 3,
                example_lines: vec![17, 230, 231],
            },
            Problem {
                reason: "status: merged".into(),
                count: 11,
                example_lines: vec![5, 9, 40],
            },
        ],
        notes: vec!["41 tickets still open at export: censored".into()],
    }
}

/// Draws `n` values of `spec`; every `censor_every`-th is cut at a uniform fraction of its
/// value and marked censored (an open ticket's effort so far).
fn sample(spec: &DistSpec, n: usize, censor_every: usize, seed: u64) -> Vec<(f64, bool)> {
    let d = Dist::new(spec).unwrap();
    let mut rng = stream(seed, 0, Purpose::IncidentAttributes, "calwrite");
    (0..n)
        .map(|i| {
            let x = d.sample(&mut rng);
            if censor_every > 0 && i % censor_every == 0 {
                (x * rng.random::<f64>(), true)
            } else {
                (x, false)
            }
        })
        .collect()
}

fn fit(family: Family, params: Vec<(&'static str, f64)>, ll: f64) -> FamilyFit {
    let k = params.len() as f64;
    FamilyFit {
        family,
        params,
        log_likelihood: ll,
        aic: 2.0 * k - 2.0 * ll,
    }
}

#[allow(clippy::too_many_arguments)]
fn category(
    id: &str,
    label: &str,
    priority: Priority,
    per_year: f64,
    business: bool,
    dist: DistSpec,
    chosen: Family,
    source: EffortSource,
    seed: u64,
) -> CategoryEstimate {
    let n = per_year.round() as u64;
    let data = sample(&dist, n as usize, 25, seed);
    let censored = data.iter().filter(|d| d.1).count() as u64;
    let mut candidates = vec![
        fit(
            Family::LogNormal,
            vec![("mu", -0.5), ("sigma", 0.8)],
            -210.3,
        ),
        fit(Family::Gamma, vec![("shape", 1.4), ("scale", 0.6)], -212.9),
        fit(
            Family::Weibull,
            vec![("shape", 1.1), ("scale", 0.9)],
            -214.0,
        ),
        fit(Family::Exponential, vec![("mean", 0.8)], -219.5),
    ];
    // The chosen family first, as estimation orders them (best AIC first).
    if let Some(i) = candidates.iter().position(|c| c.family == chosen) {
        let c = candidates.remove(i);
        candidates.insert(
            0,
            FamilyFit {
                log_likelihood: -200.0,
                aic: 2.0 * c.params.len() as f64 + 400.0,
                ..c
            },
        );
    }
    let gof = (chosen != Family::Empirical).then_some(GoodnessOfFit {
        statistic: "Anderson–Darling",
        value: 0.412,
        p_value: 0.37,
        bootstrap: 999,
    });
    let se = per_year.sqrt();
    CategoryEstimate {
        id: id.into(),
        label: label.into(),
        priority,
        n,
        tickets_per_year: per_year,
        rate_ci: (per_year - 1.96 * se, per_year + 1.96 * se),
        business_hours: business,
        share_outside_hours: if business { 0.031 } else { 0.62 },
        weekday_factors: if business {
            [1.234567, 1.05, 0.98, 1.01, 0.72, 0.0, 0.0]
        } else {
            [1.0; 7]
        },
        month_factors: [
            1.3, 1.1, 1.0, 0.95, 0.9, 0.85, 0.7, 0.75, 1.05, 1.1, 1.15, 1.15,
        ],
        effort: EffortFit {
            source,
            n,
            censored,
            candidates,
            chosen,
            gof,
            dist,
            data,
        },
    }
}

/// A year of a 60-user company's tickets, as estimation would describe it: five categories
/// covering every family and both effort sources, one with seven empirical bins whose shares
/// (1/7) do not add up to 1 when rounded.
pub(crate) fn sample_calibration() -> Calibration {
    let categories = vec![
        category(
            "printer-p3",
            "Drucker",
            Priority::P3,
            212.4,
            true,
            DistSpec::LogNormalMedianP90 {
                median: 0.3,
                p90: 0.9,
            },
            Family::LogNormal,
            EffortSource::TimeWorked,
            1,
        ),
        category(
            "software-p3",
            "Software",
            Priority::P3,
            148.0,
            true,
            DistSpec::Gamma { mean: 1.8, sd: 1.3 },
            Family::Gamma,
            EffortSource::ResolutionUpperBound,
            2,
        ),
        category(
            "access-p2",
            "Zugang & Konten",
            Priority::P2,
            96.5,
            true,
            DistSpec::Weibull {
                shape: 0.85,
                scale: 0.6,
            },
            Family::Weibull,
            EffortSource::TimeWorked,
            3,
        ),
        category(
            "network-p1",
            "Netzwerk",
            Priority::P1,
            6.2,
            false,
            DistSpec::Exponential { mean: 3.1 },
            Family::Exponential,
            EffortSource::TimeWorked,
            4,
        ),
        category(
            "other-p4",
            "other",
            Priority::P4,
            70.0,
            true,
            DistSpec::Empirical {
                bins: (0..7)
                    .map(|k| {
                        (
                            1.0 / 7.0,
                            DistSpec::Uniform {
                                min: f64::from(k) * 0.5,
                                max: f64::from(k + 1) * 0.5,
                            },
                        )
                    })
                    .collect(),
            },
            Family::Empirical,
            EffortSource::TimeWorked,
            5,
        ),
    ];
    let from = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let to = NaiveDate::from_ymd_opt(2025, 12, 31).unwrap();
    let mut rng = stream(7, 0, Purpose::IncidentArrivals, "calwrite");
    let per_weekday = [3.0, 2.6, 2.4, 2.5, 1.9, 0.1, 0.05];
    let mut daily_counts = Vec::new();
    let mut hour_of_week = [[0u32; 24]; 7];
    let mut d = from;
    while d <= to {
        let w = d.weekday().num_days_from_monday() as usize;
        let n = rand_distr::Poisson::new(per_weekday[w])
            .unwrap()
            .sample(&mut rng) as u32;
        for _ in 0..n {
            let h = if w < 5 {
                rng.random_range(7..18)
            } else {
                rng.random_range(0..24)
            };
            hour_of_week[w][h] += 1;
        }
        daily_counts.push((d, n));
        d = d.succ_opt().unwrap();
    }
    let business: Vec<f64> = daily_counts
        .iter()
        .filter(|(d, _)| d.weekday().num_days_from_monday() < 5)
        .map(|(_, n)| f64::from(*n))
        .collect();
    let m = business.iter().sum::<f64>() / business.len() as f64;
    let v = business.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (business.len() - 1) as f64;
    let k = business.len() as f64 - 1.0;
    let observed = Priority::ALL
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let resp = sample(
                &DistSpec::LogNormalMedianP90 {
                    median: 0.5 + i as f64,
                    p90: 4.0 + 3.0 * i as f64,
                },
                80,
                0,
                10 + i as u64,
            );
            let res = sample(
                &DistSpec::LogNormalMedianP90 {
                    median: 3.0 + 4.0 * i as f64,
                    p90: 20.0 + 20.0 * i as f64,
                },
                75,
                0,
                20 + i as u64,
            );
            ObservedTimes {
                priority: Some(*p),
                response_bh: resp.into_iter().map(|x| x.0).collect(),
                resolution_bh: res.into_iter().map(|x| x.0).collect(),
                open_age_bh: vec![12.5, 40.0 + i as f64],
            }
        })
        .collect();
    Calibration {
        period: (from, to),
        years: 1.0,
        categories,
        merged: vec![
            ("Telefon".into(), Priority::P4, 4),
            ("Beamer".into(), Priority::P4, 2),
        ],
        daily_counts,
        dispersion: Dispersion {
            index: v / m,
            poisson_ci: (1.0 - 1.96 * (2.0 / k).sqrt(), 1.0 + 1.96 * (2.0 / k).sqrt()),
            days: business.len() as u32,
        },
        hour_of_week,
        observed,
        notes: vec!["Months seen less than once in full keep factor 1: Dezember".into()],
    }
}

fn rel_eq(a: f64, b: f64) -> bool {
    // Six significant digits are written.
    (a - b).abs() <= 1e-5 * b.abs().max(1e-9)
}

fn toml_f64(v: &toml::Value) -> f64 {
    v.as_float()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .unwrap()
}

#[test]
fn calibrated_scenario_loads_and_holds_every_estimate() {
    let cal = sample_calibration();
    let text = scenario_toml(&cal, &ingest(), SOURCE);
    let model = covsim::scenario::from_str(&text, "calibrated.toml")
        .unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(model.categories.len(), cal.categories.len());
    let raw: toml::Value = toml::from_str(&text).unwrap();
    let cats = raw["categories"].as_array().unwrap();
    for (c, (m, r)) in cal.categories.iter().zip(model.categories.iter().zip(cats)) {
        assert_eq!(m.id, c.id);
        assert_eq!(m.priority, c.priority);
        assert!(
            rel_eq(m.tickets_per_year, c.tickets_per_year),
            "{}: rate {}",
            c.id,
            m.tickets_per_year
        );
        assert_eq!(
            r["arrivals"].as_str().unwrap(),
            if c.business_hours {
                "business"
            } else {
                "always"
            }
        );
        let wd: Vec<f64> = r["weekday_factors"]
            .as_array()
            .unwrap()
            .iter()
            .map(toml_f64)
            .collect();
        let mf: Vec<f64> = r["month_factors"]
            .as_array()
            .unwrap()
            .iter()
            .map(toml_f64)
            .collect();
        assert!(
            wd.iter().zip(c.weekday_factors).all(|(a, b)| rel_eq(*a, b)),
            "{}: {wd:?}",
            c.id
        );
        assert!(
            mf.iter().zip(c.month_factors).all(|(a, b)| rel_eq(*a, b)),
            "{}: {mf:?}",
            c.id
        );
        // The effort: the family's keys and values as written, and the same mean once loaded.
        let e = &r["effort_h"];
        let get = |k: &str| toml_f64(&e[k]);
        match &c.effort.dist {
            DistSpec::LogNormalMedianP90 { median, p90 } => {
                assert_eq!(e["dist"].as_str(), Some("lognormal"));
                assert!(rel_eq(get("median"), *median) && rel_eq(get("p90"), *p90));
            }
            DistSpec::Gamma { mean, sd } => {
                assert_eq!(e["dist"].as_str(), Some("gamma"));
                assert!(rel_eq(get("mean"), *mean) && rel_eq(get("sd"), *sd));
            }
            DistSpec::Weibull { shape, scale } => {
                assert_eq!(e["dist"].as_str(), Some("weibull"));
                assert!(rel_eq(get("shape"), *shape) && rel_eq(get("scale"), *scale));
            }
            DistSpec::Exponential { mean } => {
                assert_eq!(e["dist"].as_str(), Some("exponential"));
                assert!(rel_eq(get("mean"), *mean));
            }
            DistSpec::Empirical { bins } => {
                assert_eq!(e["dist"].as_str(), Some("empirical"));
                assert_eq!(e["bins"].as_array().unwrap().len(), bins.len());
            }
            other => panic!("unexpected {other:?}"),
        }
        let want = Dist::new(&c.effort.dist).unwrap().mean();
        assert!(
            (m.effort_h.mean() - want).abs() <= 1e-4 * want,
            "{}: mean effort {} vs {want}",
            c.id,
            m.effort_h.mean()
        );
    }
    // The starter's company, people and setups come through.
    let starter = covsim::scenario::from_str(covsim::scenario::STARTER, "starter.toml").unwrap();
    assert_eq!(model.people.len(), starter.people.len());
    assert_eq!(model.setups.len(), starter.setups.len());
    assert!(
        !text.contains("id = \"password-reset\""),
        "a starter category survived"
    );
}

#[test]
fn calibrated_scenario_comments_every_key() {
    let cal = sample_calibration();
    let text = scenario_toml(&cal, &ingest(), SOURCE);
    // Header: where it came from, what was read, what was not.
    for want in [
        "tickets-2025.csv",
        "preset auto: zammad",
        "period 2025-01-01 to 2025-12-31",
        "533 tickets in 5 categories",
        "14 rows or cells not used",
        "created = \"Created at\"",
        "No free text",
        "no personal data",
    ] {
        assert!(text.contains(want), "header lacks {want:?}");
    }
    for c in &cal.categories {
        let start = text.find(&format!("id = \"{}\"", c.id)).unwrap();
        let block_start = text[..start].rfind("\n# \"").unwrap();
        let end = text[start..]
            .find("[[categories]]")
            .map_or(text.len(), |e| start + e);
        let block = &text[block_start..end];
        assert!(block.contains(&format!("n = {}", c.n)), "{}: n", c.id);
        assert!(
            block.contains("2025-01-01 to 2025-12-31"),
            "{}: period",
            c.id
        );
        assert!(block.contains("95 % CI"), "{}: CI", c.id);
        assert!(
            block.contains(&format!("{} censored", c.effort.censored)),
            "{}: censored",
            c.id
        );
        assert_eq!(
            block.matches(NOT_IN_EXPORT).count(),
            5,
            "{}: keys not in the export",
            c.id
        );
        if c.effort.chosen == Family::Empirical {
            assert!(block.contains("No family fits"), "{}", c.id);
        } else {
            assert!(
                block.contains("Fitted family") && block.contains("AIC"),
                "{}: family",
                c.id
            );
            assert!(block.contains("Runners-up"), "{}: runners-up", c.id);
            assert!(
                block.contains("Anderson–Darling = 0.412, p = 0.370"),
                "{}: fit",
                c.id
            );
        }
        assert_eq!(
            block.contains("UPPER BOUND"),
            c.effort.source == EffortSource::ResolutionUpperBound,
            "{}: upper bound mark",
            c.id
        );
    }
    // The company's size is the starter's, marked.
    assert!(
        text.lines()
            .any(|l| l.starts_with("pcs = ") && l.contains(NOT_IN_EXPORT))
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("users = ") && l.contains(NOT_IN_EXPORT))
    );
}

#[test]
fn calibration_html_has_every_section_and_well_formed_charts() {
    let cal = sample_calibration();
    for (lang, sections) in [
        (
            Lang::En,
            [
                "What was read",
                "Columns not read",
                "GDPR",
                "Rows and cells not used",
                "Priority mapping",
                "Merged into",
                "Estimates per category and priority",
                "Index of dispersion",
                "Effort fits",
                "Observed response and resolution times",
            ],
        ),
        (
            Lang::De,
            [
                "Was gelesen wurde",
                "Nicht gelesene Spalten",
                "DSGVO",
                "Nicht verwendete Zeilen und Zellen",
                "Zuordnung der Prioritäten",
                "Zusammengefasst unter",
                "Schätzungen je Kategorie und Priorität",
                "Dispersionsindex",
                "Aufwandsanpassungen",
                "Beobachtete Reaktions- und Lösungszeiten",
            ],
        ),
    ] {
        let h = calibration_html(&cal, &ingest(), SOURCE, lang);
        assert!(h.starts_with("<!DOCTYPE html>"));
        assert!(h.contains(&format!("<html lang=\"{}\">", lang.code())));
        for s in sections {
            assert!(h.contains(s), "{lang}: no {s:?}");
        }
        assert!(
            h.contains("<li>Months seen less than once in full keep factor 1: Dezember</li>"),
            "{lang}: estimation's notes are missing"
        );
        for want in [
            "created: unparseable date-time",
            "17, 230, 231",
            "3 high",
            "Telefon",
            "Customer E-Mail",
        ] {
            assert!(h.contains(want), "{lang}: no {want:?}");
        }
        // daily, hour of week, one per category, observed times.
        let svgs: Vec<&str> = h
            .match_indices("<svg")
            .map(|(i, _)| {
                let end = h[i..].find("</svg>").unwrap() + i + "</svg>".len();
                &h[i..end]
            })
            .collect();
        assert_eq!(svgs.len(), 3 + cal.categories.len(), "{lang}");
        for svg in svgs {
            roxmltree::Document::parse(svg).unwrap_or_else(|e| panic!("{lang}: {e}"));
        }
        assert!(
            !h.contains("<link") && !h.contains("src=\"http") && !h.contains("url(http"),
            "no external resources"
        );
        assert!(!h.contains("<script"), "no scripts");
    }
    // Without observed times, no such section and chart.
    let mut quiet = cal.clone();
    quiet.observed.clear();
    let h = calibration_html(&quiet, &ingest(), SOURCE, Lang::En);
    assert!(!h.contains("Observed response and resolution times"));
    assert_eq!(h.matches("<svg").count(), 2 + cal.categories.len());
}

#[test]
fn calibration_outputs_name_no_client_folder_and_no_unread_column() {
    let cal = sample_calibration();
    let text = scenario_toml(&cal, &ingest(), SOURCE);
    let de = calibration_html(&cal, &ingest(), SOURCE, Lang::De);
    let en = calibration_html(&cal, &ingest(), SOURCE, Lang::En);
    for out in [&text, &de, &en] {
        assert!(out.contains("tickets-2025.csv"));
        assert!(
            !out.contains("Huber"),
            "the folder naming the client leaked"
        );
        assert!(
            !out.contains("berater"),
            "the consultant's home folder leaked"
        );
    }
    // The scenario names only the columns it was built from.
    assert!(!text.contains("Customer"));
    assert!(!text.contains("Title"));
}

#[test]
fn calibration_outputs_are_deterministic() {
    let cal = sample_calibration();
    assert_eq!(
        scenario_toml(&cal, &ingest(), SOURCE),
        scenario_toml(&cal, &ingest(), SOURCE)
    );
    assert_eq!(
        calibration_html(&cal, &ingest(), SOURCE, Lang::De),
        calibration_html(&cal, &ingest(), SOURCE, Lang::De)
    );
}

/// Writes `calibration-en.html` and `calibration-de.html` of the sample into
/// `$COVSIM_CALWRITE_OUT` for a look in a browser (skipped without the variable).
#[test]
fn write_sample_pages_when_asked() {
    let Ok(dir) = std::env::var("COVSIM_CALWRITE_OUT") else {
        return;
    };
    let cal = sample_calibration();
    for lang in [Lang::En, Lang::De] {
        let path = std::path::Path::new(&dir).join(format!("calibration-{}.html", lang.code()));
        std::fs::write(path, calibration_html(&cal, &ingest(), SOURCE, lang)).unwrap();
    }
    std::fs::write(
        std::path::Path::new(&dir).join("calibrated.toml"),
        scenario_toml(&cal, &ingest(), SOURCE),
    )
    .unwrap();
}
