//! Scenario validation: every rule has a fixture in `tests/data/invalid/` (named after the rule)
//! whose error must name the field path, the line and what is wrong; every file in
//! `scenarios/` and `tests/data/valid/` must load.

use std::path::{Path, PathBuf};

use covsim::model::{
    ArrivalPattern, CostSettings, MspPrice, PersonCost, Priority, Role, Target, TargetBound,
    TargetStat, Tier, UsersAffected,
};
use covsim::scenario::{self, ScenarioError};
use covsim::time::{DAY, SimTime};

fn data(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(dir)
        .join(name)
}

fn scenario_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// All errors of an invalid fixture.
fn errors(name: &str) -> Vec<ScenarioError> {
    match scenario::load(&data("invalid", name)) {
        Ok(_) => panic!("{name} should not validate"),
        Err(e) => e.0,
    }
}

/// The only error of an invalid fixture.
fn only_error(name: &str) -> ScenarioError {
    let errs = errors(name);
    assert_eq!(errs.len(), 1, "{name}: expected one error, got {errs:#?}");
    errs.into_iter().next().unwrap()
}

/// Asserts path, line and a phrase of the message (and of the hint, if given).
#[track_caller]
fn check(e: &ScenarioError, path: &str, line: usize, message: &str, hint: Option<&str>) {
    assert_eq!(e.path, path, "{e}");
    assert_eq!(e.line, line, "{e}");
    assert!(e.message.contains(message), "message of: {e}");
    if let Some(h) = hint {
        let got = e.hint.as_deref().unwrap_or_default();
        assert!(got.contains(h), "hint of: {e}");
    }
    assert!(e.file.ends_with(".toml"), "{e}");
    assert!(e.column >= 1, "{e}");
}

#[test]
fn malformed_toml() {
    let e = only_error("malformed-toml.toml");
    check(&e, "", 4, "invalid TOML", None);
    assert_eq!(e.column, 17);
}

#[test]
fn wrong_type() {
    let e = only_error("wrong-type.toml");
    check(
        &e,
        "company.pcs",
        2,
        "expected a whole number, found string \"20\"",
        Some("remove the quotes: 20"),
    );
    assert_eq!(e.column, 7);
}

#[test]
fn unknown_key_suggests_the_closest_valid_key() {
    let e = only_error("unknown-key.toml");
    check(
        &e,
        "msp.silver.respons_h",
        10,
        "unknown key 'respons_h'",
        Some("did you mean 'response_h'?"),
    );
    assert_eq!(e.column, 1);
}

#[test]
fn negative_rate() {
    let e = only_error("negative-rate.toml");
    check(
        &e,
        "categories[0].tickets_per_user_month",
        6,
        "must not be negative, got -0.1",
        None,
    );
}

#[test]
fn nan_rate() {
    let e = only_error("nan-rate.toml");
    check(
        &e,
        "profiles.it-admin.illness_episodes_per_year",
        9,
        "must be a finite number, got NaN",
        None,
    );
}

#[test]
fn share_out_of_range() {
    let e = only_error("share-out-of-range.toml");
    check(
        &e,
        "categories[0].onsite_probability",
        7,
        "between 0 and 1, got 1.5",
        None,
    );
}

#[test]
fn duration_that_cannot_be_sampled() {
    let e = only_error("unsampleable-duration.toml");
    check(
        &e,
        "categories[0].effort_h.p90",
        7,
        "p90 must be > median",
        None,
    );
}

#[test]
fn empirical_shares_must_sum_to_one() {
    let e = only_error("empirical-shares.toml");
    check(
        &e,
        "profiles.it-admin.illness_duration_days.bins",
        9,
        "sum to 0.9",
        None,
    );
}

#[test]
fn wrong_distribution_parameter() {
    let errs = errors("wrong-distribution-parameter.toml");
    assert_eq!(errs.len(), 2, "{errs:#?}");
    check(
        &errs[0],
        "categories[0].effort_h.mode",
        7,
        "missing parameter 'mode'",
        None,
    );
    check(
        &errs[1],
        "categories[0].effort_h.median",
        7,
        "'median' is not a parameter of the triangular distribution",
        Some("triangular takes min, mode, max"),
    );
}

#[test]
fn unknown_msp_contract_suggests_an_existing_one() {
    let e = only_error("unknown-msp.toml");
    check(
        &e,
        "setups[0].msp",
        14,
        "unknown MSP contract 'silvr'",
        Some("did you mean 'silver'?"),
    );
}

#[test]
fn unknown_person_suggests_an_existing_one() {
    let e = only_error("unknown-person.toml");
    check(
        &e,
        "setups[0].admins[0]",
        14,
        "unknown person 'anan'",
        Some("did you mean 'anna'?"),
    );
    assert_eq!(e.column, 11);
}

#[test]
fn unknown_profile_suggests_an_existing_one() {
    let e = only_error("unknown-profile.toml");
    check(
        &e,
        "people[0].profile",
        10,
        "unknown profile 'it-admn'",
        Some("did you mean 'it-admin'?"),
    );
}

#[test]
fn unknown_keyword_suggests_a_valid_one() {
    let e = only_error("unknown-keyword.toml");
    check(
        &e,
        "categories[0].skill",
        7,
        "unknown skill 'netwrok'",
        Some("did you mean 'network'?"),
    );
}

#[test]
fn business_hours_that_end_before_they_start() {
    let e = only_error("hours-end-before-start.toml");
    check(
        &e,
        "company.business_hours",
        3,
        "end before they start: 17:00-08:00",
        Some("08:00-17:00"),
    );
}

#[test]
fn overlapping_hours_of_one_day() {
    let errs = errors("hours-overlap.toml");
    assert_eq!(errs.len(), 2, "{errs:#?}");
    check(
        &errs[0],
        "company.business_hours",
        3,
        "the working hours of Friday overlap: 08:00-12:00 and 08:00-17:00",
        Some("mon-thu 08:00-17:00; fri 08:00-12:00"),
    );
    check(
        &errs[1],
        "people[0].hours",
        11,
        "the working hours of Monday overlap: 08:00-12:00 and 11:00-17:00",
        Some("not overlapping"),
    );
}

#[test]
fn empty_setup_list() {
    let e = only_error("empty-setups.toml");
    check(
        &e,
        "setups",
        2,
        "at least one setup is needed",
        Some("[[setups]]"),
    );
}

#[test]
fn setup_without_a_qualified_responder() {
    let e = only_error("missing-skill.toml");
    check(
        &e,
        "setups[0]",
        21,
        "can work on category 'server-outage': it needs skill 'server'",
        Some("add \"server\" to the skills of anna"),
    );
    assert!(
        e.hint
            .as_deref()
            .unwrap()
            .contains("emergency = \"default\""),
        "{e}"
    );
}

#[test]
fn duplicate_id() {
    let e = only_error("duplicate-id.toml");
    check(&e, "people[1].id", 12, "duplicate person id 'anna'", None);
}

#[test]
fn both_rates_given() {
    let e = only_error("both-rates.toml");
    check(
        &e,
        "categories[0].tickets_per_year",
        7,
        "both tickets_per_user_month and tickets_per_year",
        None,
    );
}

#[test]
fn missing_required_key_points_to_its_table() {
    let e = only_error("missing-key.toml");
    check(&e, "company.pcs", 1, "missing key 'pcs'", None);
}

#[test]
fn key_not_used_by_the_preset() {
    let e = only_error("key-not-used-by-preset.toml");
    check(
        &e,
        "setups[0].msp",
        17,
        "'msp' is not used by the single-admin preset",
        Some("admins, emergency"),
    );
}

#[test]
fn key_user_listed_as_admin() {
    let e = only_error("key-user-as-admin.toml");
    check(
        &e,
        "setups[0].admins[1]",
        19,
        "'karl' is a key user, not an admin",
        Some("key_user"),
    );
}

#[test]
fn planned_absence_outside_the_simulated_period() {
    let errs = errors("planned-absence-outside.toml");
    assert_eq!(errs.len(), 2, "{errs:#?}");
    check(
        &errs[0],
        "people[0].planned_absences[1].from",
        13,
        "outside the simulated period 2025-12-04 to 2027-03-01",
        None,
    );
    check(
        &errs[1],
        "people[0].planned_absences[1].to",
        13,
        "outside the simulated period",
        None,
    );
}

#[test]
fn duplicate_setup_name() {
    let e = only_error("duplicate-setup-name.toml");
    check(
        &e,
        "setups[1].name",
        16,
        "duplicate setup name 'MSP'",
        Some("give every setup its own name"),
    );
}

#[test]
fn unknown_report_language() {
    let e = only_error("report-unknown-lang.toml");
    check(
        &e,
        "report.lang",
        18,
        "unknown language 'fr'",
        Some("write \"en\" (English) or \"de\" (German)"),
    );
}

#[test]
fn unknown_baseline_suggests_an_existing_setup() {
    let e = only_error("unknown-baseline.toml");
    check(
        &e,
        "report.baseline",
        24,
        "unknown setup 'MSP silvr'",
        Some("did you mean 'MSP silver'?"),
    );
    assert_eq!(e.column, 12);
}

#[test]
fn unknown_metric_suggests_the_closest_metric() {
    let e = only_error("unknown-metric.toml");
    check(
        &e,
        "report.thresholds.user_hour_lost",
        16,
        "unknown metric 'user_hour_lost'",
        Some("did you mean 'user_hours_lost'?"),
    );
    // At the key, as for unknown keys.
    assert_eq!(e.column, 34);
    assert!(
        e.to_string()
            .ends_with("unknown metric 'user_hour_lost' (did you mean 'user_hours_lost'?)"),
        "{e}"
    );
}

#[test]
fn thresholds_must_be_finite_numbers() {
    let errs = errors("threshold-not-finite.toml");
    assert_eq!(errs.len(), 3, "{errs:#?}");
    check(
        &errs[0],
        "report.thresholds.outage_bh[1]",
        16,
        "must be a finite number, got NaN",
        None,
    );
    assert_eq!(errs[0].column, 18);
    // A single number is reported at the key's value, not at an index.
    check(
        &errs[1],
        "report.thresholds.backlog_max",
        17,
        "must be a finite number, got inf",
        None,
    );
    check(
        &errs[2],
        "report.thresholds.uncovered_bh",
        18,
        "lists no threshold",
        Some("uncovered_bh = [10]"),
    );
}

#[test]
fn report_keys_and_types_are_checked_while_reading() {
    let errs = errors("report-unknown-key.toml");
    assert_eq!(errs.len(), 3, "{errs:#?}");
    check(
        &errs[0],
        "report.baselin",
        16,
        "unknown key 'baselin'",
        Some("did you mean 'baseline'?"),
    );
    check(
        &errs[1],
        "report.thresholds.outage_bh",
        17,
        "expected a number or a list of numbers, found string \"40\"",
        Some("remove the quotes: 40"),
    );
    // Nothing close: the hint names the headline metrics and where all are listed.
    check(
        &errs[2],
        "report.thresholds.nothing_like_a_metric",
        17,
        "unknown metric 'nothing_like_a_metric'",
        Some("user_hours_lost"),
    );
    assert!(
        errs[2]
            .hint
            .as_deref()
            .unwrap()
            .contains("scenarios/README.md")
    );
}

#[test]
fn report_target_names_a_known_metric() {
    let e = only_error("report-target-unknown-metric.toml");
    check(
        &e,
        "report.target.metric",
        16,
        "unknown metric 'outage_hours'",
        Some("did you mean 'outage_bh'?"),
    );
}

#[test]
fn report_target_statistic_is_the_mean_or_a_percentile_of_the_summary() {
    let e = only_error("report-target-bad-stat.toml");
    check(
        &e,
        "report.target.stat",
        16,
        "unknown statistic 'p97'",
        Some("\"mean\" or one of the percentiles \"p5\", \"p50\", \"p90\", \"p95\", \"p99\""),
    );
    let errs = errors("report-target-several.toml");
    assert_eq!(errs.len(), 2, "{errs:#?}");
    check(
        &errs[0],
        "report.target.stat",
        17,
        "unknown statistic 'mena'",
        Some("did you mean 'mean'?"),
    );
    check(
        &errs[1],
        "report.target.min",
        17,
        "must be a share between 0 and 1, got 95",
        Some("write 95 % as 0.95"),
    );
}

#[test]
fn report_target_has_exactly_one_finite_bound() {
    let e = only_error("report-target-max-and-min.toml");
    check(
        &e,
        "report.target",
        16,
        "gives both 'max' and 'min'",
        Some("where more is better"),
    );
    let errs = errors("report-target-incomplete.toml");
    assert_eq!(errs.len(), 2, "{errs:#?}");
    check(
        &errs[0],
        "report.target.stat",
        16,
        "missing key 'stat'",
        Some("stat = \"p95\""),
    );
    check(
        &errs[1],
        "report.target.max",
        16,
        "must be a finite number, got NaN",
        None,
    );
    let text = scenario::STARTER.replace(
        "target = { metric = \"user_hours_lost\", stat = \"p95\", max = 2000 }",
        "target = { metric = \"user_hours_lost\", stat = \"p95\" }",
    );
    let e = scenario::from_str(&text, "variant.toml").unwrap_err();
    assert_eq!(e.0.len(), 1, "{e:#?}");
    assert_eq!(e.0[0].path, "report.target");
    assert!(e.0[0].message.contains("gives no bound"), "{e:#?}");
}

#[test]
fn report_targets_of_the_examples_load() {
    let m = scenario::load(&scenario_file("mustermann-gmbh.toml")).unwrap();
    assert_eq!(
        m.report.target,
        Some(Target {
            metric: "user_hours_lost".into(),
            stat: TargetStat::Percentile(95),
            bound: TargetBound::Max(2000.0),
        })
    );
    let m = scenario::load(&scenario_file("sla-options.toml")).unwrap();
    let t = m.report.target.unwrap();
    assert_eq!(
        (t.metric.as_str(), t.stat),
        ("outage_bh", TargetStat::Percentile(95))
    );
    assert_eq!(t.bound, TargetBound::Max(24.0));
    // A lower bound for a metric where more is better; the statistic in any case.
    let text = scenario::STARTER.replace(
        "target = { metric = \"user_hours_lost\", stat = \"p95\", max = 2000 }",
        "target = { metric = \"coverage_share\", stat = \"Mean\", min = 0.95 }",
    );
    let t = scenario::from_str(&text, "variant.toml")
        .unwrap()
        .report
        .target
        .unwrap();
    assert_eq!(t.stat, TargetStat::Mean);
    assert_eq!(t.bound, TargetBound::Min(0.95));
    assert!(t.met_by(0.95) && !t.met_by(0.9) && !t.met_by(f64::NAN));
    // Without a target, none.
    let m = scenario::load(&data("valid", "minimal.toml")).unwrap();
    assert_eq!(m.report.target, None);
}

#[test]
fn negative_salary() {
    let e = only_error("cost-negative-salary.toml");
    check(
        &e,
        "people[0].salary_eur_per_year",
        10,
        "must not be negative, got -64000",
        None,
    );
}

#[test]
fn cost_share_out_of_range_suggests_a_fraction() {
    let e = only_error("cost-share-out-of-range.toml");
    check(
        &e,
        "costs.employer_contribution_share",
        16,
        "must be a share between 0 and 1, got 21",
        Some("write 21 % as 0.21"),
    );
}

#[test]
fn unknown_key_in_costs_suggests_the_closest_valid_key() {
    let e = only_error("cost-unknown-key.toml");
    check(
        &e,
        "costs.downtime_eur_per_user_hr",
        17,
        "unknown key 'downtime_eur_per_user_hr'",
        Some("did you mean 'downtime_eur_per_user_hour'?"),
    );
    assert_eq!(e.column, 1);
}

#[test]
fn priced_p1_option_without_the_option() {
    let e = only_error("cost-p1-option-without-24x7.toml");
    check(
        &e,
        "msp.gold.p1_24x7_eur_per_month",
        10,
        "the 24x7 P1 option is priced, but the contract does not have it",
        Some("set p1_24x7 = true"),
    );
}

#[test]
fn sla_credits_without_a_cap() {
    let e = only_error("cost-sla-credit-without-cap.toml");
    check(
        &e,
        "msp.gold.sla_credit_eur_per_breach",
        10,
        "capped at 0 % of the fee, so none would be paid",
        Some("sla_credit_cap_share = 0.1"),
    );
}

#[test]
fn every_cost_problem_is_reported_at_once() {
    let errs = errors("cost-ranges.toml");
    let got: Vec<(&str, usize, &str)> = errs
        .iter()
        .map(|e| (e.path.as_str(), e.line, e.message.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "profiles.it-admin.overhead_eur_per_year",
                10,
                "must be at most 1000000000, got 2000000000"
            ),
            (
                "people[0].recruiting_share_of_salary",
                14,
                "must be at most 5, got 6"
            ),
            (
                "msp.silver.fee_eur_per_pc_month",
                17,
                "expected a number, found string \"60\""
            ),
            (
                "msp.silver.included_hours_per_month",
                18,
                "must not be negative, got -5"
            ),
            (
                "msp.silver.hourly_rate_eur",
                19,
                "must be a finite number, got inf"
            ),
            (
                "msp.silver.after_hours_surcharge",
                20,
                "must be at most 5, got 6"
            ),
            (
                "msp.silver.sla_credit_cap_share",
                21,
                "must be a share between 0 and 1, got 1.5"
            ),
            ("costs.sick_pay_days", 34, "must be at most 365, got 400"),
            (
                "costs.outage_eur_per_hour",
                35,
                "must not be negative, got -1"
            ),
        ],
        "{errs:#?}"
    );
    assert_eq!(errs[2].hint.as_deref(), Some("remove the quotes: 60"));
    // 1.5 is no percentage: no hint.
    assert_eq!(errs[6].hint, None);
}

#[test]
fn mustermann_cost_settings_load() {
    let m = scenario::load(&scenario_file("mustermann-gmbh.toml")).unwrap();
    assert_eq!(
        m.company.cost,
        CostSettings {
            employer_contribution_share: 0.21,
            sick_pay_days: 42.0,
            downtime_eur_per_user_hour: 40.0,
            outage_eur_per_hour: 0.0,
        }
    );
    let admin = PersonCost {
        salary_eur_per_year: 64_000.0,
        overhead_eur_per_year: 10_000.0,
        recruiting_share_of_salary: 1.0,
    };
    let costs: Vec<&PersonCost> = m.people.iter().map(|p| &p.cost).collect();
    let key_user = PersonCost {
        salary_eur_per_year: 50_000.0,
        ..admin.clone()
    };
    assert_eq!(costs, [&admin, &admin, &key_user]);
    assert_eq!(
        m.contracts[0].price,
        MspPrice {
            fee_eur_per_pc_month: 60.0,
            included_hours_per_month: None,
            hourly_rate_eur: 95.0,
            onsite_visit_eur: 0.0,
            p1_24x7_eur_per_month: 0.0,
            after_hours_surcharge: 1.0,
            sla_credit_eur_per_breach: 0.0,
            sla_credit_cap_share: 0.0,
        }
    );
    // The file states the calibration defaults: leaving the keys out changes nothing.
    assert_eq!(m.company.cost, CostSettings::default());
    assert_eq!(m.contracts[0].price, MspPrice::default());
    assert_eq!(m.people[0].cost, PersonCost::default());
}

#[test]
fn omitted_cost_keys_take_the_model_defaults() {
    let text = "[company]\npcs = 20\n[[categories]]\nid = \"x\"\ntickets_per_user_month = 1\n\
                [[people]]\nid = \"anna\"\n[[people]]\nid = \"karl\"\nrole = \"key-user\"\n\
                [msp.pool]\n[[setups]]\nname = \"Hybrid\"\npreset = \"hybrid\"\n\
                key_user = \"karl\"\nmsp = \"pool\"\n";
    let m = scenario::from_str(text, "defaults.toml").unwrap();
    assert_eq!(m.company.cost, CostSettings::default());
    assert_eq!(m.contracts[0].price, MspPrice::default());
    assert_eq!(m.people[0].cost, PersonCost::default());
    // Key users default to the built-in employee profile: 50 k€ (calibration §4, E).
    assert_eq!(m.people[1].cost.salary_eur_per_year, 50_000.0);
    assert_eq!(m.people[1].cost.overhead_eur_per_year, 10_000.0);
}

#[test]
fn person_cost_keys_override_the_profile_which_overrides_the_built_in() {
    let text = "[company]\npcs = 20\n[[categories]]\nid = \"x\"\ntickets_per_user_month = 1\n\
                [profiles.senior]\nsalary_eur_per_year = 85000\n\
                [profiles.employee]\noverhead_eur_per_year = 2000\n\
                [[people]]\nid = \"anna\"\nprofile = \"senior\"\nrecruiting_share_of_salary = 1.5\n\
                [[people]]\nid = \"ben\"\nprofile = \"senior\"\nsalary_eur_per_year = 90000\n\
                [[people]]\nid = \"karl\"\nrole = \"key-user\"\n\
                [[setups]]\nname = \"Two admins\"\npreset = \"multi-admin\"\n\
                admins = [\"anna\", \"ben\"]\n";
    let m = scenario::from_str(text, "layers.toml").unwrap();
    let cost = |i: usize| {
        let c = &m.people[i].cost;
        (
            c.salary_eur_per_year,
            c.overhead_eur_per_year,
            c.recruiting_share_of_salary,
        )
    };
    // A new profile starts from it-admin (overhead 10 k€, replacement 1.0 × salary).
    assert_eq!(cost(0), (85_000.0, 10_000.0, 1.5));
    assert_eq!(cost(1), (90_000.0, 10_000.0, 1.0));
    // A table for a built-in profile overrides it key by key.
    assert_eq!(cost(2), (50_000.0, 2_000.0, 1.0));
}

#[test]
fn sla_options_compares_three_tiers() {
    let m = scenario::load(&scenario_file("sla-options.toml")).unwrap();
    let names: Vec<&str> = m.setups.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "Single admin",
            "MSP bronze",
            "MSP silver",
            "MSP gold",
            "Hybrid silver"
        ]
    );
    assert_eq!(m.report.baseline, 0);
    let ids: Vec<&str> = m.contracts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["bronze", "silver", "gold"]);
    let (bronze, silver, gold) = (&m.contracts[0], &m.contracts[1], &m.contracts[2]);
    // Better tiers cost more and promise no less.
    assert!(bronze.price.fee_eur_per_pc_month < silver.price.fee_eur_per_pc_month);
    assert!(silver.price.fee_eur_per_pc_month < gold.price.fee_eur_per_pc_month);
    for p in 0..4 {
        assert!(gold.response_h[p] <= silver.response_h[p]);
        assert!(silver.response_h[p] <= bronze.response_h[p]);
        assert!(silver.resolution_h[p] <= bronze.resolution_h[p]);
    }
    assert!(bronze.coverage.minutes_per_week() < silver.coverage.minutes_per_week());
    assert_eq!(silver.coverage, gold.coverage);
    assert!(gold.p1_always && !silver.p1_always && !bronze.p1_always);
    assert!(gold.price.p1_24x7_eur_per_month > 0.0);
    assert!(gold.price.sla_credit_eur_per_breach > 0.0 && gold.price.sla_credit_cap_share > 0.0);
    // The starter's company, tickets and silver contract.
    let starter = scenario::load(&scenario_file("mustermann-gmbh.toml")).unwrap();
    assert_eq!(m.company.pcs, starter.company.pcs);
    assert_eq!(m.categories.len(), starter.categories.len());
    let total =
        |m: &covsim::model::Model| -> f64 { m.categories.iter().map(|c| c.tickets_per_year).sum() };
    assert_eq!(total(&m), total(&starter));
    assert_eq!(
        silver.other_clients_pcs,
        starter.contracts[0].other_clients_pcs
    );
    assert_eq!(silver.price, starter.contracts[0].price);
    assert!(matches!(
        m.setups[4].tiers.as_slice(),
        [Tier::KeyUser(1), Tier::Msp(1)]
    ));
}

#[test]
fn report_settings_resolve_the_baseline_and_sort_the_thresholds() {
    let text = scenario::STARTER
        .replace("baseline = \"Single admin\"", "baseline = \"MSP\"")
        .replace("outage_bh = [24, 40]", "outage_bh = [40, 24, 40.0]")
        .replace("backlog_max = [50]", "backlog_max = 50");
    let m = scenario::from_str(&text, "variant.toml").unwrap();
    assert_eq!(m.report.baseline, 2);
    assert_eq!(
        m.report.thresholds[1],
        ("outage_bh".to_owned(), vec![24.0, 40.0])
    );
    assert_eq!(
        m.report.thresholds[3],
        ("backlog_max".to_owned(), vec![50.0])
    );

    // Without [report]: the first setup, no thresholds.
    let m = scenario::load(&data("valid", "minimal.toml")).unwrap();
    assert_eq!(m.report.baseline, 0);
    assert!(m.report.thresholds.is_empty());
}

#[test]
fn every_metric_is_documented() {
    let readme = std::fs::read_to_string(scenario_file("README.md")).unwrap();
    for m in covsim::engine::catalog() {
        // Response and resolution times are documented as a pattern.
        let documented = match m
            .name
            .strip_prefix("response_")
            .or_else(|| m.name.strip_prefix("resolution_"))
        {
            Some(rest) => {
                let stat = rest.split_once('_').map_or(rest, |(_, s)| s);
                readme.contains(&format!("`{stat}`"))
            }
            None => readme.contains(&format!("| `{}` |", m.name)),
        };
        assert!(
            documented,
            "metric {} is missing in scenarios/README.md",
            m.name
        );
    }
}

#[test]
fn a_file_with_several_problems_reports_all_of_them() {
    let errs = errors("several-problems.toml");
    let got: Vec<(&str, usize)> = errs.iter().map(|e| (e.path.as_str(), e.line)).collect();
    assert_eq!(
        got,
        [
            ("company.federal_state", 6),
            ("simulation.replications", 9),
            ("simulation.sed", 10),
            ("categories[0].tickets_per_user_month", 14),
            ("categories[0].productivity_loss", 16),
            ("people[0].profile", 20),
            ("msp.silver.respons_h", 23),
            ("setups[0].msp", 28),
        ],
        "{errs:#?}"
    );
    assert_eq!(errs[0].hint.as_deref(), Some("did you mean 'BY'?"));
    assert_eq!(errs[2].hint.as_deref(), Some("did you mean 'seed'?"));
    assert_eq!(errs[7].hint.as_deref(), Some("did you mean 'silver'?"));
}

#[test]
fn display_has_one_line_per_error_and_a_count() {
    let err = scenario::load(&data("invalid", "several-problems.toml")).unwrap_err();
    let text = err.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 9);
    assert!(lines[2].ends_with(
        "several-problems.toml:10:1: simulation.sed: unknown key 'sed' (did you mean 'seed'?)"
    ));
    assert_eq!(lines[8], format!("8 errors in {}", err.0[0].file));
}

#[test]
fn every_invalid_fixture_fails_and_every_valid_one_loads() {
    for entry in std::fs::read_dir(data("invalid", "")).unwrap() {
        let path = entry.unwrap().path();
        assert!(
            scenario::load(&path).is_err(),
            "{} should fail",
            path.display()
        );
    }
    let mut n = 0;
    for dir in [scenario_file(""), data("valid", "")] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "toml") {
                if let Err(e) = scenario::load(&path) {
                    panic!("{} should load:\n{e}", path.display());
                }
                n += 1;
            }
        }
    }
    assert!(n >= 6, "only {n} scenario files found");
}

#[test]
fn unreadable_and_non_utf8_files_are_errors_not_panics() {
    let err = scenario::load(Path::new("/nonexistent/scenario.toml")).unwrap_err();
    assert_eq!((err.0[0].line, err.0[0].column), (0, 0));
    assert!(err.0[0].message.contains("cannot read the file"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("binary.toml");
    std::fs::write(&file, b"name = \"x\"\n\xff\xfe\x00junk").unwrap();
    let err = scenario::load(&file).unwrap_err();
    assert_eq!((err.0[0].line, err.0[0].column), (2, 1));
    assert!(err.0[0].message.contains("not UTF-8"));
}

#[test]
fn no_input_makes_the_parser_panic() {
    let mut inputs: Vec<String> = [
        "",
        "\0",
        "=",
        "[",
        "[[",
        "a.b.c.d.e = 1",
        "company = 5",
        "company = []",
        "categories = {}",
        "setups = [1, \"x\", true]",
        "[company]\npcs = 99999999999999999999999999",
        "[company]\npcs = -9223372036854775808\nusers = 9223372036854775807",
        "[company]\npcs = inf\nyear = 1e400",
        "[company]\npcs = 20\nyear = 99999",
        "[company]\npcs = 20\nyear = -99999\n[simulation]\nwarmup_days = 99999999",
        "[[categories]]\neffort_h = { dist = \"lognormal\", median = 1e-300, p90 = 1e300 }",
        "[[categories]]\neffort_h = { dist = \"empirical\", bins = [] }",
        "[[categories]]\neffort_h = { dist = \"empirical\", bins = [ { share = nan, dist = \"fixed\", value = -inf } ] }",
        "[[categories]]\neffort_h = { dist = \"empirical\", bins = [ { share = 1, dist = \"empirical\", bins = [ { share = 1, dist = \"fixed\", value = 1 } ] } ] }",
        "[[categories]]\nusers_affected = -1\nweekday_factors = [nan, inf, -1]\nscheduled_at = [1979-05-27T07:32:00Z, 07:32:00, \"x\"]",
        "[[people]]\nid = \"\"\nplanned_absences = [ { from = 2026-01-01, to = 2025-01-01 } ]\nhours = { mon = \"24:00-24:00\", sun = \"00:00-24:01\" }",
        "[msp.\"a b\"]\ntechnicians = 0\ncoverage = \"\"\n[emergency.x]\npriorities = []",
        "[[setups]]\npreset = \"custom\"\ntiers = [ {}, { admins = [] }, { key_user = \"\" } ]",
        "[profiles.\"\"]\nvacation_days_per_year = 400\nvacation_summer_block_days = -1",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    // Every line of the starter removed, one at a time, and truncations at many points.
    let starter = scenario::STARTER;
    let lines: Vec<&str> = starter.lines().collect();
    for i in 0..lines.len() {
        let mut v = lines.clone();
        v.remove(i);
        inputs.push(v.join("\n"));
    }
    for cut in (0..starter.len()).step_by(211) {
        if starter.is_char_boundary(cut) {
            inputs.push(starter[..cut].to_owned());
        }
    }
    // Deeply nested arrays.
    inputs.push(format!("x = {}{}", "[".repeat(300), "]".repeat(300)));
    for text in &inputs {
        // Each must return, with errors or with a model.
        let _ = scenario::from_str(text, "fuzz.toml");
    }
}

#[test]
fn starter_is_the_mustermann_file() {
    let file = std::fs::read_to_string(scenario_file("mustermann-gmbh.toml")).unwrap();
    assert_eq!(scenario::STARTER, file);
}

#[test]
fn mustermann_maps_to_the_documented_model() {
    let m = scenario::load(&scenario_file("mustermann-gmbh.toml")).unwrap();
    assert_eq!(m.name, "Mustermann GmbH");
    assert_eq!((m.company.pcs, m.company.users), (50, 50));
    assert_eq!(m.sim.replications, 1000);
    assert_eq!(m.sim.seed, 20_261_127);

    // About one ticket per user and month, priority mix 2/20/48/30 % (calibration §5).
    let total: f64 = m.categories.iter().map(|c| c.tickets_per_year).sum();
    assert!((total - 600.0).abs() < 1.0, "{total}");
    let share = |p: Priority| {
        m.categories
            .iter()
            .filter(|c| c.priority == p)
            .map(|c| c.tickets_per_year)
            .sum::<f64>()
            / total
    };
    for (p, expected) in [
        (Priority::P1, 0.02),
        (Priority::P2, 0.20),
        (Priority::P3, 0.48),
        (Priority::P4, 0.30),
    ] {
        assert!((share(p) - expected).abs() < 0.005, "{p:?}: {}", share(p));
    }
    let outage = m
        .categories
        .iter()
        .find(|c| c.id == "server-outage")
        .unwrap();
    assert_eq!(outage.pattern, ArrivalPattern::Always);
    assert_eq!(outage.users_affected, UsersAffected::All);

    // People: all of [[people]] in file order; MSP technicians inside the contract.
    let ids: Vec<&str> = m.people.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["anna", "ben", "karl"]);
    assert_eq!(m.people[2].role, Role::KeyUser);
    assert!((m.people[2].it_share - 0.1).abs() < 1e-12);
    let silver = &m.contracts[0];
    assert_eq!(silver.id, "silver");
    let techs: Vec<&str> = silver.technicians.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(
        techs,
        [
            "silver.tech1",
            "silver.tech2",
            "silver.tech3",
            "silver.tech4"
        ]
    );
    assert!(
        silver
            .technicians
            .iter()
            .all(|t| t.role == Role::Technician)
    );
    assert!(
        (silver.technicians[0]
            .absence
            .attrition
            .quit_probability_per_year
            - 0.2)
            .abs()
            < 1e-12
    );
    assert_eq!(silver.other_clients_pcs, 300);
    assert_eq!(silver.response_h, [1.0, 4.0, 8.0, 16.0]);

    // Setups and their tiers.
    let names: Vec<&str> = m.setups.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["Single admin", "Two admins", "MSP", "Hybrid"]);
    assert!(
        matches!(m.setups[0].tiers.as_slice(), [Tier::InHouse(a), Tier::Emergency(_)] if a == &[0])
    );
    assert!(matches!(
        m.setups[1].tiers.as_slice(),
        [Tier::InHouse(a), Tier::Emergency(_)] if a == &[0, 1]
    ));
    assert!(matches!(m.setups[2].tiers.as_slice(), [Tier::Msp(0)]));
    assert!(matches!(
        m.setups[3].tiers.as_slice(),
        [Tier::KeyUser(2), Tier::Msp(0)]
    ));
    let docs: Vec<f64> = m.setups.iter().map(|s| s.documentation_quality).collect();
    assert_eq!(docs, [0.3, 0.6, 0.9, 0.9]);
    assert!(m.setups[1].vacation_no_overlap);
    // The MSP setups measure against the contract's targets.
    assert_eq!(m.setups[3].sla.resolution_h, [4.0, 8.0, 24.0, 40.0]);

    // Report: the first setup is the baseline; thresholds in file order.
    assert_eq!(m.report.baseline, 0);
    let thresholds: Vec<(&str, &[f64])> = m
        .report
        .thresholds
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_slice()))
        .collect();
    assert_eq!(
        thresholds,
        [
            ("user_hours_lost", &[2000.0, 5000.0][..]),
            ("outage_bh", &[24.0, 40.0][..]),
            ("longest_gap_days", &[14.0, 30.0][..]),
            ("backlog_max", &[50.0][..]),
        ]
    );

    // The calendar spans warm-up, one year and the drain; BY has 13 holidays in 2026 minus
    // Mariä Himmelfahrt (only in parts of Bavaria, see calendar.rs).
    assert_eq!(m.start(), SimTime::day_start(-28));
    assert_eq!(m.window_end(), SimTime::day_start(365));
    assert_eq!(m.end(), SimTime::day_start(365 + 60));
    let in_2026 = m
        .calendar
        .holidays()
        .iter()
        .filter(|h| chrono::Datelike::year(&h.date) == 2026)
        .count();
    assert_eq!(in_2026, 12);
}

#[test]
fn weekday_factors_keep_the_yearly_rate() {
    let m = scenario::load(&scenario_file("mustermann-gmbh.toml")).unwrap();
    let pw = m
        .categories
        .iter()
        .find(|c| c.id == "password-reset")
        .unwrap();
    // Business-hour-weighted mean over the measured window is 1.
    let mut weighted = 0.0;
    let mut total = 0.0;
    for day in 0..365 {
        let open = m
            .business
            .measure_between(SimTime::day_start(day), SimTime::day_start(day) + DAY)
            as f64;
        weighted += pw.weekday_factors[m.calendar.weekday_index(day)] * open;
        total += open;
    }
    assert!(
        (weighted / total - 1.0).abs() < 1e-9,
        "{}",
        weighted / total
    );
    // Monday is 1.2 / 0.85 times as busy as Friday.
    let f = pw.weekday_factors;
    assert!((f[0] / f[4] - 1.2 / 0.85).abs() < 1e-9);
}

#[test]
fn textbook_mm2_is_the_degenerate_model() {
    let m = scenario::load(&scenario_file("textbook-mm2.toml")).unwrap();
    assert_eq!(m.categories.len(), 1);
    let c = &m.categories[0];
    assert_eq!(c.tickets_per_year, 14_016.0);
    assert_eq!(c.pattern, ArrivalPattern::Always);
    assert_eq!(c.weekday_factors, [1.0; 7]);
    assert!((c.effort_h.mean() - 1.0).abs() < 1e-12);
    assert!(m.calendar.holidays().is_empty());
    // Round the clock: the business schedule is the whole simulated span.
    assert_eq!(m.business.measure(), m.end() - m.start());
    for p in &m.people {
        let a = &p.absence;
        assert_eq!(a.vacation.days_per_year, 0);
        assert_eq!(a.vacation.summer_block_days, 0);
        assert_eq!(a.illness.episodes_per_year, 0.0);
        assert_eq!(a.attrition.quit_probability_per_year, 0.0);
        assert_eq!(a.training_days_per_year, 0);
        assert_eq!(a.meeting_share, 0.0);
        assert_eq!(p.hours.minutes_per_week(), 7 * 24 * 60);
    }
    assert!(matches!(m.setups[0].tiers.as_slice(), [Tier::InHouse(a)] if a.len() == 2));
}

#[test]
fn what_if_settings_become_fixed_times() {
    let m = scenario::load(&data("valid", "what-if.toml")).unwrap();
    let ArrivalPattern::Scheduled(times) = &m.categories[0].pattern else {
        panic!("expected scheduled arrivals");
    };
    // 3 August 2026 is day 214; 2 November is day 305.
    assert_eq!(
        times,
        &[
            SimTime::day_start(214) + 10 * 3600,
            SimTime::day_start(305) + 8 * 3600 + 1800
        ]
    );
    let planned = &m.people[0].absence.planned;
    assert_eq!(planned.len(), 2);
    // Dates are whole days, the end date included.
    assert_eq!(
        (planned[0].from, planned[0].to),
        (SimTime::day_start(207), SimTime::day_start(226))
    );
    assert_eq!(planned[1].to - planned[1].from, DAY);
}

#[test]
fn person_overrides_and_defaults() {
    let m = scenario::load(&data("valid", "custom-tiers.toml")).unwrap();
    let ben = &m.people[1];
    assert_eq!(ben.absence.vacation.days_per_year, 20);
    assert_eq!(ben.absence.attrition.notice_days, 30.0);
    // Unset profile keys come from the IT-admin defaults.
    assert_eq!(ben.absence.attrition.quit_probability_per_year, 0.1);
    assert_eq!(m.contracts[0].resolution_h, [4.0, 8.0, 24.0, 40.0]);
    assert_eq!(m.contracts[0].response_h, [0.5, 2.0, 8.0, 16.0]);
    assert!(matches!(
        m.setups[1].tiers.as_slice(),
        [Tier::KeyUser(2), Tier::InHouse(c), Tier::Msp(0), Tier::Emergency(_)] if c == &[1]
    ));
}

#[test]
fn control_characters_in_names_are_refused_with_their_location() {
    let errs = errors("control-characters.toml");
    assert_eq!(errs.len(), 5, "{errs:#?}");
    let hint = Some("use printable characters only");
    check(
        &errs[0],
        "name",
        2,
        "a control character (U+001B) at character 11",
        hint,
    );
    assert_eq!(errs[0].column, 8);
    check(
        &errs[1],
        "emergency.\"on\\0call\"",
        13,
        "a control character (U+0000)",
        hint,
    );
    check(
        &errs[2],
        "setups[0].name",
        16,
        "a control character (U+0007)",
        hint,
    );
    check(
        &errs[3],
        "setups[1].name",
        21,
        "a bidirectional text control (U+202E)",
        hint,
    );
    check(
        &errs[4],
        "setups[2].name",
        26,
        "a control character (U+000A)",
        hint,
    );
    // The printed messages show the characters escaped: nothing reaches the terminal raw.
    let printed = scenario::ScenarioErrors(errs).to_string();
    assert!(
        printed.contains("\"Mustermann\\u{1b}[2J GmbH\""),
        "{printed}"
    );
    assert!(
        !printed
            .chars()
            .any(|c| c != '\n' && (c.is_control() || c == '\u{202E}')),
        "{printed:?}"
    );
}

#[test]
fn omitted_keys_take_the_calibration_defaults() {
    let m = scenario::load(&data("valid", "minimal.toml")).unwrap();
    assert_eq!(m.name, "minimal");
    assert_eq!((m.company.pcs, m.company.users), (20, 20));
    assert_eq!(m.calendar.first_year(), 2026);
    let s = &m.sim;
    assert_eq!(
        (
            s.replications,
            s.seed,
            s.warmup_days,
            s.years,
            s.drain_days,
            s.aged_after_business_days
        ),
        (1000, 1, 28, 1, 60, 5)
    );
    // Mon–Fri 08:00–17:00.
    assert!(m.company.hours.spans(0).eq([(480, 1020)]));
    assert!(!m.company.hours.is_open(5));

    let c = &m.categories[0];
    assert_eq!(c.tickets_per_year, 240.0);
    assert_eq!(
        (c.priority, c.pattern.clone()),
        (Priority::P3, ArrivalPattern::Business)
    );
    assert!((c.effort_h.mean() - 2.0).abs() < 1e-9);
    assert_eq!(c.users_affected, UsersAffected::Count(1));
    assert_eq!(
        (
            c.onsite_probability,
            c.productivity_loss,
            c.knowledge_probability
        ),
        (0.15, 0.1, 0.3)
    );

    let pool = &m.contracts[0];
    assert_eq!(pool.technicians.len(), 4);
    // Derived from the default target utilisation of 75 % (calibration §7).
    assert_eq!(pool.target_utilisation, Some(0.75));
    assert_eq!(
        pool.other_clients_pcs,
        covsim::scenario::msp_load::other_clients_for(&m, pool, 0.75)
    );
    assert!((covsim::scenario::msp_load::utilisation(&m, pool) - 0.75).abs() < 0.01);
    assert!(pool.coverage.spans(0).eq([(540, 1020)]));
    assert!(pool.coverage_observes_holidays && !pool.p1_always);
    assert_eq!(
        (pool.response_h, pool.resolution_h),
        ([1.0, 4.0, 8.0, 16.0], [4.0, 8.0, 24.0, 40.0])
    );
    assert!((pool.travel_h.mean() - 0.86).abs() < 1e-9);
    let tech = &pool.technicians[0].absence;
    assert_eq!(tech.vacation.days_per_year, 30);
    assert_eq!(tech.attrition.quit_probability_per_year, 0.2);
    assert!((tech.illness.duration_days.mean() - 12.5).abs() < 0.3);
    assert_eq!(m.setups[0].documentation_quality, 0.9);
}

#[test]
fn escalation_of_a_priority_that_is_called_at_once() {
    let e = only_error("escalate-priority-called-at-once.toml");
    check(
        &e,
        "emergency.default.escalate_after_business_days.P2",
        13,
        "help is called for it at once",
        Some("drop P2"),
    );
}

#[test]
fn escalation_in_whole_business_days() {
    let e = only_error("escalate-not-whole-days.toml");
    check(
        &e,
        "emergency.default.escalate_after_business_days.P3",
        12,
        "whole number of business days",
        None,
    );
}

#[test]
fn illness_that_would_last_longer_than_the_year() {
    let e = only_error("illness-longer-than-a-year.toml");
    check(
        &e,
        "profiles.sickly.illness_episodes_per_year",
        9,
        "ill for 164 % of the year",
        Some("below 365 days"),
    );
}

#[test]
fn msp_target_utilisation_is_a_share_below_one() {
    let e = only_error("msp-target-utilisation.toml");
    check(&e, "msp.silver.target_utilisation", 10, "got 1.2", None);
}

#[test]
fn msp_other_clients_and_target_utilisation_exclude_each_other() {
    let e = only_error("msp-other-clients-and-target.toml");
    check(
        &e,
        "msp.silver.target_utilisation",
        11,
        "both other_clients_pcs and target_utilisation",
        Some("give one of them"),
    );
}

/// Issue 13, point 3: scenario files written for 0.1 name business-hour metrics with `_h`;
/// they learn the new name instead of reading "unknown metric".
#[test]
fn metrics_renamed_in_0_2_say_their_new_name() {
    let errs = errors("renamed-metric.toml");
    assert_eq!(errs.len(), 2, "{errs:#?}");
    check(
        &errs[0],
        "report.thresholds.outage_h",
        16,
        "is called 'outage_bh' since covsim 0.2.0",
        Some("write outage_bh"),
    );
    check(
        &errs[1],
        "report.target.metric",
        17,
        "is called 'response_p1_p95_bh'",
        Some("metric = \"response_p1_p95_bh\""),
    );
}

#[test]
fn month_factors_need_twelve_values() {
    let e = only_error("month-factors-count.toml");
    check(
        &e,
        "categories[0].month_factors",
        7,
        "needs 12 factors (January to December), got 3",
        Some("e.g. [1.1,"),
    );
}

#[test]
fn weibull_needs_shape_and_scale() {
    let e = only_error("weibull-without-scale.toml");
    check(
        &e,
        "categories[0].effort_h.scale",
        7,
        "missing parameter 'scale' of the weibull distribution",
        None,
    );
}
