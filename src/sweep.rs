//! Sweeps and sensitivity: the same scenario run at several values of its inputs.
//!
//! - A **sweep** ([`points`], [`run_points`], [`summarise`]) runs the grid of every combination
//!   of the values given per field path (`covsim sweep --set company.pcs=30,50,100`).
//! - A **sensitivity analysis** ([`variations`], [`sensitivity`]) varies each main input of
//!   one setup by ±20 % ([`SENSITIVITY_RANGE`]), one at a time, and measures the effect on the
//!   total cost and on the user-hours lost in a bad year.
//!
//! Both change the scenario through [`crate::scenario::Override`]s, applied to the TOML text
//! before validation, so every value is checked as if it were in the file.
//!
//! Every grid point uses the same seed and the same replication indexes. Random streams are
//! keyed by (seed, replication, purpose, entity), so the points share their random numbers
//! (common random numbers): the company's tickets are the same at every point that does not
//! change ticket demand, a person has the same illnesses, and differences between points are
//! differences of the inputs, not of luck.

use toml::Value;

use crate::engine::catalog;
use crate::model::{Model, Tier};
use crate::montecarlo::{self, Experiment, Hooks, Plan, RunError};
use crate::report::csv::{Cell, Table};
use crate::scenario::{Override, ScenarioError, ScenarioErrors, from_str_with};
use crate::stats::Summary;

/// Why a sweep or sensitivity analysis could not be done.
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// The scenario, or the scenario with some override, is invalid.
    #[error("{0}")]
    Scenario(ScenarioErrors),
    /// A run was interrupted or could not start.
    #[error(transparent)]
    Run(#[from] RunError),
}

impl From<ScenarioErrors> for SweepError {
    fn from(e: ScenarioErrors) -> Self {
        SweepError::Scenario(e)
    }
}

/// One swept field path and the values it takes, in the given order.
#[derive(Clone, Debug, PartialEq)]
pub struct Axis {
    /// Field path, e.g. `company.pcs`.
    pub path: String,
    /// The values.
    pub values: Vec<Value>,
}

/// One point of a grid: a value of every axis, and the scenario with these values.
#[derive(Clone, Debug)]
pub struct Point {
    /// Index into each axis's `values`.
    pub index: Vec<usize>,
    /// The overrides that make this point.
    pub overrides: Vec<Override>,
    /// The validated scenario at this point.
    pub model: Model,
}

/// A value as shown in tables and charts: strings without quotes, everything else in TOML
/// syntax.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value as a CSV cell: numbers as numbers, everything else as text.
pub fn value_cell(v: &Value) -> Cell {
    match v {
        Value::Integer(i) => Cell::Num(*i as f64),
        Value::Float(x) => Cell::Num(*x),
        other => Cell::Text(value_text(other)),
    }
}

/// A value as a number, if it is one.
pub fn value_number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(x) => Some(*x),
        _ => None,
    }
}

/// Every combination of the axes' values, the first axis varying slowest.
pub fn grid(axes: &[Axis]) -> Vec<Vec<usize>> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new()];
    for a in axes {
        out = out
            .into_iter()
            .flat_map(|p| {
                (0..a.values.len()).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    out
}

/// A sweep has at most this many points: each is validated and kept in memory before the
/// first is simulated, and each is a full run (a 1,000 × 1,000 grid would validate for an
/// hour before simulating anything). Larger studies are several sweeps.
pub const MAX_POINTS: usize = 1_000;

/// Why an axis cannot be swept, if it cannot: `simulation.replications` would be ignored (every
/// point runs the same replications, `--reps` or the file's, so that the points share their
/// random numbers and are equally precise), and a swept `simulation.seed` would be replaced by
/// `--seed`. Swept seeds and years are honoured.
fn unsweepable(path: &str, seed: Option<u64>) -> Option<String> {
    // Quoted keys name the same field (`simulation."replications"`).
    let bare: String = path.chars().filter(|c| !matches!(c, '"' | '\'')).collect();
    match bare.as_str() {
        "simulation.replications" => Some(
            "simulation.replications cannot be swept: every point runs the same replications (--reps, else the file's value), so that the points share their random numbers; set it in the file or with --reps".to_string(),
        ),
        "simulation.seed" if seed.is_some() => Some(
            "simulation.seed is swept and --seed is given: --seed would replace every point's seed; leave out one of the two".to_string(),
        ),
        _ => None,
    }
}

/// Builds and validates every point of the grid of `axes` over the scenario `text` (named
/// `file` in messages). `seed`, if given, replaces the scenario's seed at every point. Reports
/// the problems of all points at once (each problem once). Refuses more than [`MAX_POINTS`]
/// points, and axes whose values would be ignored (see `unsweepable`).
pub fn points(
    text: &str,
    file: &str,
    axes: &[Axis],
    seed: Option<u64>,
) -> Result<Vec<Point>, ScenarioErrors> {
    let usage = |message: String| {
        ScenarioErrors(vec![ScenarioError {
            file: file.to_string(),
            line: 0,
            column: 0,
            path: "--set".into(),
            message,
            hint: None,
        }])
    };
    for a in axes {
        if let Some(why) = unsweepable(&a.path, seed) {
            return Err(usage(why));
        }
    }
    let count = axes
        .iter()
        .try_fold(1usize, |n, a| n.checked_mul(a.values.len()));
    if count.is_none_or(|n| n > MAX_POINTS) {
        let sizes: Vec<String> = axes.iter().map(|a| a.values.len().to_string()).collect();
        return Err(usage(format!(
            "the grid has {} points ({}); a sweep has at most {MAX_POINTS}: split it into several sweeps or use fewer values",
            count.map_or_else(|| "too many".to_string(), |n| n.to_string()),
            sizes.join(" × ")
        )));
    }
    crate::scenario::from_str(text, file)?;
    let mut out = Vec::new();
    let mut errors: Vec<ScenarioError> = Vec::new();
    for index in grid(axes) {
        let overrides: Vec<Override> = axes
            .iter()
            .zip(&index)
            .map(|(a, &i)| Override::new(a.path.clone(), a.values[i].clone()))
            .collect();
        match from_str_with(text, file, &overrides) {
            Ok(mut model) => {
                if let Some(s) = seed {
                    model.sim.seed = s;
                }
                out.push(Point {
                    index,
                    overrides,
                    model,
                });
            }
            Err(e) => {
                for x in e.0 {
                    if !errors.contains(&x) {
                        errors.push(x);
                    }
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(ScenarioErrors(errors))
    }
}

/// Runs the replications of `plan` at every point, one after the other (each point in
/// parallel). `hooks.progress` gets the replications finished over all points.
pub fn run_points(
    points: &[Point],
    plan: Plan,
    hooks: &Hooks<'_>,
) -> Result<Vec<Experiment>, RunError> {
    let mut out = Vec::with_capacity(points.len());
    for (k, p) in points.iter().enumerate() {
        let offset = k as u64 * plan.count;
        let progress = |done: u64| (hooks.progress)(offset + done);
        let inner = Hooks {
            cancel: hooks.cancel,
            progress: &progress,
        };
        out.push(montecarlo::run(&p.model, plan, &inner)?);
    }
    Ok(out)
}

/// Indexes (into [`catalog`]) of the headline metrics.
pub fn headline_metrics() -> Vec<usize> {
    catalog()
        .iter()
        .enumerate()
        .filter(|(_, d)| d.headline)
        .map(|(i, _)| i)
        .collect()
}

/// The statistics of one point: `[setup][headline metric]`, `None` when the setup does not
/// exist at this point.
pub type PointStats = Vec<Vec<Option<Summary>>>;

/// The summarised results of a sweep: what `sweep.csv` and the charts show.
#[derive(Clone, Debug)]
pub struct SweepResults {
    /// Scenario name.
    pub scenario: String,
    /// Master seed (the same at every point).
    pub seed: u64,
    /// Replications per point.
    pub replications: u64,
    /// Measured years per replication.
    pub years: u64,
    /// The swept paths and values.
    pub axes: Vec<Axis>,
    /// Setup names, in the order of the scenario (the union over the points).
    pub setups: Vec<String>,
    /// Headline metric names, in catalog order.
    pub metrics: Vec<String>,
    /// Per point: its index into each axis's values, and `stats[setup][metric]` (`None` when
    /// the setup does not exist at this point).
    pub points: Vec<(Vec<usize>, PointStats)>,
}

/// Summarises the headline metrics of every point.
pub fn summarise(axes: &[Axis], points: &[Point], exps: &[Experiment]) -> SweepResults {
    let metric_idx = headline_metrics();
    let mut setups: Vec<String> = Vec::new();
    for e in exps {
        for s in &e.setups {
            if !setups.contains(&s.name) {
                setups.push(s.name.clone());
            }
        }
    }
    let first = points.first().map(|p| &p.model);
    SweepResults {
        scenario: first.map_or_else(String::new, |m| m.name.clone()),
        seed: first.map_or(0, |m| m.sim.seed),
        replications: exps.first().map_or(0, |e| e.count),
        years: first.map_or(1, |m| u64::from(m.sim.years)),
        axes: axes.to_vec(),
        metrics: metric_idx
            .iter()
            .map(|&m| catalog()[m].name.clone())
            .collect(),
        points: points
            .iter()
            .zip(exps)
            .map(|(p, e)| {
                let stats = setups
                    .iter()
                    .map(|name| {
                        let s = e.setups.iter().find(|s| &s.name == name);
                        metric_idx
                            .iter()
                            .map(|&m| s.map(|s| Summary::of(&s.values[m])))
                            .collect()
                    })
                    .collect();
                (p.index.clone(), stats)
            })
            .collect(),
        setups,
    }
}

/// `sweep.csv`: one row per point × setup × headline metric: one column per swept path (its
/// value), `setup`, `metric`, `n`, `mean`, `mean_ci_lo`, `mean_ci_hi`, `p95`, `p95_ci_lo`,
/// `p95_ci_hi`.
pub fn sweep_table(r: &SweepResults) -> Table {
    let mut header: Vec<String> = r.axes.iter().map(|a| a.path.clone()).collect();
    header.extend(
        [
            "setup",
            "metric",
            "n",
            "mean",
            "mean_ci_lo",
            "mean_ci_hi",
            "p95",
            "p95_ci_lo",
            "p95_ci_hi",
        ]
        .map(String::from),
    );
    let mut t = Table {
        header,
        rows: Vec::new(),
    };
    for (index, stats) in &r.points {
        for (setup, per_metric) in r.setups.iter().zip(stats) {
            for (metric, s) in r.metrics.iter().zip(per_metric) {
                let Some(s) = s else { continue };
                let mut row: Vec<Cell> = r
                    .axes
                    .iter()
                    .zip(index)
                    .map(|(a, &i)| value_cell(&a.values[i]))
                    .collect();
                row.extend([
                    Cell::Text(setup.clone()),
                    Cell::Text(metric.clone()),
                    Cell::Int(s.n as u64),
                ]);
                row.extend(
                    [s.mean, s.ci_lo, s.ci_hi, s.p95, s.p95_ci.0, s.p95_ci.1].map(Cell::Num),
                );
                t.rows.push(row);
            }
        }
    }
    t
}

// ---------------------------------------------------------------------------------------------
// Sensitivity

/// The relative change of each input in the sensitivity analysis: low = base × (1 − this),
/// high = base × (1 + this).
pub const SENSITIVITY_RANGE: f64 = 0.2;

/// The metrics of the tornado charts: (metric, statistic), the statistic `"mean"` or `"p95"`.
pub const SENSITIVITY_METRICS: [(&str, &str); 2] =
    [("cost_total_eur", "mean"), ("user_hours_lost", "p95")];

/// What a main input changes: where its value sits in the scenario.
#[derive(Clone, Copy, Debug)]
enum Target {
    /// Every ticket category's rate (`tickets_per_year` or `tickets_per_user_month`).
    TicketRates,
    /// A profile key of the setup's people (per person) and of its MSP technicians (in the
    /// technician profile).
    PeopleKey(&'static str, Kind),
    /// A key of each of the setup's MSP contracts.
    ContractKey(&'static str, Kind),
    /// A key of `[costs]`.
    CostKey(&'static str),
    /// The setup's documentation quality.
    Documentation,
}

/// How a varied value is written.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// A number.
    Number,
    /// A whole number (rounded; at least 1 for counts).
    Integer,
    /// A share: capped at 1.
    Share,
}

/// The main inputs of the sensitivity analysis, in the order of `sensitivity.csv`. Each is
/// varied by ±[`SENSITIVITY_RANGE`] around the scenario's value, one at a time; inputs the
/// setup does not have (no MSP, no in-house staff) or whose value is 0 are left out.
///
/// | id | label | what is changed |
/// |---|---|---|
/// | `ticket_rates` | ticket rates | every category's rate, also the MSP's other clients' (they follow the categories) |
/// | `illness_episodes_per_year` | illness | the setup's people, the technician profile of its MSP |
/// | `vacation_days_per_year` | vacation | as illness (whole days) |
/// | `quit_probability_per_year` | attrition | as illness |
/// | `salary_eur_per_year` | salary | the setup's in-house people (admins, key user) |
/// | `fee_eur_per_pc_month` | MSP fee | the setup's MSP contract |
/// | `technicians` | MSP technicians | the setup's MSP contract (whole people, at least 1) |
/// | `downtime_eur_per_user_hour` | downtime cost | `[costs]` |
/// | `documentation_quality` | documentation | the setup (at most 1) |
const INPUTS: [(&str, &str, &str, Target); 9] = [
    (
        "ticket_rates",
        "Ticket rates (tickets/year)",
        "Ticketaufkommen (Tickets/Jahr)",
        Target::TicketRates,
    ),
    (
        "illness_episodes_per_year",
        "Illness episodes per year",
        "Krankheitsfälle pro Jahr",
        Target::PeopleKey("illness_episodes_per_year", Kind::Number),
    ),
    (
        "vacation_days_per_year",
        "Vacation days per year",
        "Urlaubstage pro Jahr",
        Target::PeopleKey("vacation_days_per_year", Kind::Integer),
    ),
    (
        "quit_probability_per_year",
        "Quit probability per year",
        "Kündigungswahrscheinlichkeit pro Jahr",
        Target::PeopleKey("quit_probability_per_year", Kind::Share),
    ),
    (
        "salary_eur_per_year",
        "Salary (€/year)",
        "Gehalt (€/Jahr)",
        Target::PeopleKey("salary_eur_per_year", Kind::Number),
    ),
    (
        "fee_eur_per_pc_month",
        "MSP fee (€/PC/month)",
        "MSP-Pauschale (€/PC/Monat)",
        Target::ContractKey("fee_eur_per_pc_month", Kind::Number),
    ),
    (
        "technicians",
        "MSP technicians",
        "MSP-Techniker",
        Target::ContractKey("technicians", Kind::Integer),
    ),
    (
        "downtime_eur_per_user_hour",
        "Downtime cost (€/user-hour)",
        "Ausfallkosten (€/Arbeitsstunde)",
        Target::CostKey("downtime_eur_per_user_hour"),
    ),
    (
        "documentation_quality",
        "Documentation quality",
        "Dokumentationsqualität",
        Target::Documentation,
    ),
];

/// One main input, varied down and up.
#[derive(Clone, Debug)]
pub struct Variation {
    /// Input id (see [`variations`]).
    pub parameter: String,
    /// Label in English.
    pub label_en: String,
    /// Label in German.
    pub label_de: String,
    /// The scenario's value (of the first place the input is set, e.g. the first admin).
    pub base_value: f64,
    /// The value of the low run.
    pub low_value: f64,
    /// The value of the high run.
    pub high_value: f64,
    /// The overrides of the low run.
    pub low: Vec<Override>,
    /// The overrides of the high run.
    pub high: Vec<Override>,
}

fn write(kind: Kind, x: f64) -> (f64, Value) {
    match kind {
        Kind::Number => (x, Value::Float(x)),
        Kind::Share => {
            let v = x.clamp(0.0, 1.0);
            (v, Value::Float(v))
        }
        Kind::Integer => {
            let v = x.round().max(1.0);
            (v, Value::Integer(v as i64))
        }
    }
}

/// The main inputs of setup `setup` of `model` (validated from `text`), each with the overrides
/// that set it to (1 − `rel`) and (1 + `rel`) times its value. The table of inputs is
/// [`INPUTS`] (see its documentation).
pub fn variations(text: &str, model: &Model, setup: usize, rel: f64) -> Vec<Variation> {
    let doc: toml::Table = toml::from_str(text).unwrap_or_default();
    let s = &model.setups[setup];
    let mut people: Vec<usize> = Vec::new();
    let mut contracts: Vec<usize> = Vec::new();
    for t in &s.tiers {
        match t {
            Tier::InHouse(v) => people.extend(v),
            Tier::KeyUser(p) => people.push(*p),
            Tier::Msp(c) => contracts.push(*c),
            Tier::Emergency(_) => {}
        }
    }
    people.dedup();
    contracts.dedup();
    let quoted = crate::scenario::path_key;
    let mut out = Vec::new();
    for (id, en, de, target) in INPUTS {
        // (path, base value, kind) of every place the input is set.
        let mut places: Vec<(String, f64, Kind)> = Vec::new();
        match target {
            Target::TicketRates => {
                let cats = doc.get("categories").and_then(Value::as_array);
                for (i, c) in cats.into_iter().flatten().enumerate() {
                    for key in ["tickets_per_year", "tickets_per_user_month"] {
                        if let Some(x) = c
                            .get(key)
                            .and_then(|v| v.as_float().or_else(|| v.as_integer().map(|i| i as f64)))
                        {
                            places.push((format!("categories[{i}].{key}"), x, Kind::Number));
                        }
                    }
                }
            }
            Target::PeopleKey(key, kind) => {
                for &p in &people {
                    let person = &model.people[p];
                    let x = match key {
                        "illness_episodes_per_year" => person.absence.illness.episodes_per_year,
                        "vacation_days_per_year" => {
                            f64::from(person.absence.vacation.days_per_year)
                        }
                        "quit_probability_per_year" => {
                            person.absence.attrition.quit_probability_per_year
                        }
                        _ => person.cost.salary_eur_per_year,
                    };
                    places.push((format!("people[{}].{key}", quoted(&person.id)), x, kind));
                }
                if key != "salary_eur_per_year" {
                    for &c in &contracts {
                        let contract = &model.contracts[c];
                        let Some(tech) = contract.technicians.first() else {
                            continue;
                        };
                        let profile = doc
                            .get("msp")
                            .and_then(|m| m.get(&contract.id))
                            .and_then(|m| m.get("technician_profile"))
                            .and_then(Value::as_str)
                            .unwrap_or("msp-technician");
                        let x = match key {
                            "illness_episodes_per_year" => tech.absence.illness.episodes_per_year,
                            "vacation_days_per_year" => {
                                f64::from(tech.absence.vacation.days_per_year)
                            }
                            _ => tech.absence.attrition.quit_probability_per_year,
                        };
                        let path = format!("profiles.{}.{key}", quoted(profile));
                        if !places.iter().any(|p| p.0 == path) {
                            places.push((path, x, kind));
                        }
                    }
                }
            }
            Target::ContractKey(key, kind) => {
                for &c in &contracts {
                    let contract = &model.contracts[c];
                    let x = match key {
                        "fee_eur_per_pc_month" => contract.price.fee_eur_per_pc_month,
                        _ => contract.technicians.len() as f64,
                    };
                    places.push((format!("msp.{}.{key}", quoted(&contract.id)), x, kind));
                }
            }
            Target::CostKey(key) => {
                places.push((
                    format!("costs.{key}"),
                    model.company.cost.downtime_eur_per_user_hour,
                    Kind::Number,
                ));
            }
            Target::Documentation => {
                places.push((
                    format!("setups[{setup}].documentation_quality"),
                    s.documentation_quality,
                    Kind::Share,
                ));
            }
        }
        places.retain(|p| p.1 > 0.0 && p.1.is_finite());
        if places.is_empty() {
            continue;
        }
        let side = |f: f64| -> (f64, Vec<Override>) {
            let mut shown = f64::NAN;
            let mut overrides = Vec::new();
            for (path, x, kind) in &places {
                let (v, value) = write(*kind, x * f);
                if shown.is_nan() {
                    shown = v;
                }
                overrides.push(Override::new(path.clone(), value));
            }
            (shown, overrides)
        };
        let (low_value, low) = side(1.0 - rel);
        let (high_value, high) = side(1.0 + rel);
        let base_value = match target {
            Target::TicketRates => model.categories.iter().map(|c| c.tickets_per_year).sum(),
            _ => places[0].1,
        };
        let (low_value, high_value) = match target {
            Target::TicketRates => (base_value * (1.0 - rel), base_value * (1.0 + rel)),
            _ => (low_value, high_value),
        };
        out.push(Variation {
            parameter: id.to_string(),
            label_en: en.to_string(),
            label_de: de.to_string(),
            base_value,
            low_value,
            high_value,
            low,
            high,
        });
    }
    out
}

/// `model` with only setup `setup` (the baseline becomes that setup).
pub fn only_setup(model: &Model, setup: usize) -> Model {
    let mut m = model.clone();
    m.setups = vec![model.setups[setup].clone()];
    m.report.baseline = 0;
    m
}

/// One row of the sensitivity analysis: an input's effect on one metric.
#[derive(Clone, Debug)]
pub struct SensitivityRow {
    /// The input (see [`variations`]).
    pub variation: Variation,
    /// Metric name, e.g. `cost_total_eur`.
    pub metric: String,
    /// Statistic: `mean` or `p95`.
    pub stat: String,
    /// The statistic at the scenario's values.
    pub base: f64,
    /// At the low value of the input.
    pub low: f64,
    /// At the high value of the input.
    pub high: f64,
}

/// The result of a sensitivity analysis.
#[derive(Clone, Debug)]
pub struct Sensitivity {
    /// Scenario name.
    pub scenario: String,
    /// The setup analysed.
    pub setup: String,
    /// Index of the setup in the scenario (for its colour).
    pub setup_index: usize,
    /// Master seed.
    pub seed: u64,
    /// Replications per run.
    pub replications: u64,
    /// Measured years per replication.
    pub years: u64,
    /// Relative change of every input.
    pub range: f64,
    /// One row per input × metric of [`SENSITIVITY_METRICS`], inputs in the order of
    /// [`variations`].
    pub rows: Vec<SensitivityRow>,
}

/// The setup of `model` named `name`, or a scenario error naming the closest setup.
pub fn find_setup(model: &Model, name: &str, file: &str) -> Result<usize, ScenarioErrors> {
    model
        .setups
        .iter()
        .position(|s| s.name == name)
        .ok_or_else(|| {
            let names: Vec<&str> = model.setups.iter().map(|s| s.name.as_str()).collect();
            ScenarioErrors(vec![ScenarioError {
                file: file.to_string(),
                line: 0,
                column: 0,
                path: "--setup".into(),
                message: format!("the scenario has no setup named '{name}'"),
                hint: crate::scenario::did_you_mean(name, &names),
            }])
        })
}

fn stat_of(values: &[f64], stat: &str) -> f64 {
    let s = Summary::of(values);
    if stat == "p95" { s.p95 } else { s.mean }
}

/// Runs the sensitivity analysis of setup `setup_name` of scenario `text` (named `file`):
/// the base run, then each input of [`variations`] at its low and its high value, every run
/// with the replications of `plan` and the same seed (common random numbers). `seed` replaces
/// the scenario's seed. `hooks.progress` gets the replications finished over all runs; the
/// number of runs is known beforehand from [`variations`] (2 per input + 1).
pub fn sensitivity(
    text: &str,
    file: &str,
    setup_name: &str,
    seed: Option<u64>,
    plan: Plan,
    hooks: &Hooks<'_>,
) -> Result<Sensitivity, SweepError> {
    let runs = sensitivity_runs(text, file, setup_name, seed)?;
    let metric_idx = sensitivity_metric_indexes();
    let mut results: Vec<Vec<Vec<f64>>> = Vec::new();
    for (k, m) in runs.models.iter().enumerate() {
        let offset = k as u64 * plan.count;
        let progress = |done: u64| (hooks.progress)(offset + done);
        let inner = Hooks {
            cancel: hooks.cancel,
            progress: &progress,
        };
        let e = montecarlo::run(m, plan, &inner)?;
        results.push(
            metric_idx
                .iter()
                .map(|&i| e.setups[0].values[i].clone())
                .collect(),
        );
    }
    Ok(sensitivity_of(&runs, setup_name, &results, plan.count))
}

/// The runs of a sensitivity analysis, built and validated before any is simulated.
#[derive(Clone, Debug)]
pub struct SensitivityRuns {
    /// The scenario as given (with the seed replaced, if one was given).
    pub base: Model,
    /// Index of the analysed setup in the scenario.
    pub setup: usize,
    /// The inputs varied, in the order of [`variations`].
    pub variations: Vec<Variation>,
    /// The models run, each with only the analysed setup: the base, then per input its low
    /// and its high value.
    pub models: Vec<Model>,
}

/// Builds every run of the sensitivity analysis of setup `setup_name` (see [`sensitivity`]),
/// reporting the problems of all of them at once.
pub fn sensitivity_runs(
    text: &str,
    file: &str,
    setup_name: &str,
    seed: Option<u64>,
) -> Result<SensitivityRuns, SweepError> {
    let mut base = crate::scenario::from_str(text, file)?;
    if let Some(s) = seed {
        base.sim.seed = s;
    }
    let setup = find_setup(&base, setup_name, file)?;
    let vars = variations(text, &base, setup, SENSITIVITY_RANGE);
    // Validate every run before simulating any.
    let mut models = vec![only_setup(&base, setup)];
    let mut errors = Vec::new();
    for v in &vars {
        for o in [&v.low, &v.high] {
            match from_str_with(text, file, o) {
                Ok(mut m) => {
                    m.sim.seed = base.sim.seed;
                    models.push(only_setup(&m, setup));
                }
                Err(e) => errors.extend(e.0),
            }
        }
    }
    if !errors.is_empty() {
        return Err(ScenarioErrors(errors).into());
    }
    Ok(SensitivityRuns {
        base,
        setup,
        variations: vars,
        models,
    })
}

/// Indexes (into [`catalog`]) of the metrics of [`SENSITIVITY_METRICS`], in its order.
pub fn sensitivity_metric_indexes() -> Vec<usize> {
    SENSITIVITY_METRICS
        .iter()
        .map(|(m, _)| {
            catalog()
                .iter()
                .position(|d| d.name == *m)
                .expect("a metric of the catalog")
        })
        .collect()
}

/// The sensitivity analysis from the per-replication values of its runs: `results[run][m]`
/// holds, in replication order, metric `m` of [`SENSITIVITY_METRICS`] of run `run` (in the
/// order of [`SensitivityRuns::models`]).
pub fn sensitivity_of(
    runs: &SensitivityRuns,
    setup_name: &str,
    results: &[Vec<Vec<f64>>],
    replications: u64,
) -> Sensitivity {
    let mut rows = Vec::new();
    for (j, v) in runs.variations.iter().enumerate() {
        for (mi, (metric, stat)) in SENSITIVITY_METRICS.iter().enumerate() {
            rows.push(SensitivityRow {
                variation: v.clone(),
                metric: metric.to_string(),
                stat: stat.to_string(),
                base: stat_of(&results[0][mi], stat),
                low: stat_of(&results[1 + 2 * j][mi], stat),
                high: stat_of(&results[2 + 2 * j][mi], stat),
            });
        }
    }
    Sensitivity {
        scenario: runs.base.name.clone(),
        setup: setup_name.to_string(),
        setup_index: runs.setup,
        seed: runs.base.sim.seed,
        replications,
        years: u64::from(runs.base.sim.years),
        range: SENSITIVITY_RANGE,
        rows,
    }
}

/// `sensitivity.csv`: `parameter`, `low_value`, `high_value`, `metric`, `base`, `low`,
/// `high`; the metric is written `NAME` for means and `NAME_p95` for the 95th percentile.
pub fn sensitivity_table(s: &Sensitivity) -> Table {
    let mut t = Table {
        header: [
            "parameter",
            "low_value",
            "high_value",
            "metric",
            "base",
            "low",
            "high",
        ]
        .map(String::from)
        .to_vec(),
        rows: Vec::new(),
    };
    for r in &s.rows {
        t.rows.push(vec![
            Cell::Text(r.variation.parameter.clone()),
            Cell::Num(r.variation.low_value),
            Cell::Num(r.variation.high_value),
            Cell::Text(metric_label(&r.metric, &r.stat)),
            Cell::Num(r.base),
            Cell::Num(r.low),
            Cell::Num(r.high),
        ]);
    }
    t
}

/// `NAME` for a mean, `NAME_p95` for a 95th percentile.
pub fn metric_label(metric: &str, stat: &str) -> String {
    if stat == "mean" {
        metric.to_string()
    } else {
        format!("{metric}_{stat}")
    }
}

/// A small JSON manifest of a sweep or sensitivity run.
pub fn manifest(fields: &[(&str, serde_json::Value)]) -> Vec<u8> {
    let mut m = serde_json::Map::new();
    m.insert(
        "covsim_version".into(),
        env!("CARGO_PKG_VERSION").to_string().into(),
    );
    for (k, v) in fields {
        m.insert((*k).to_string(), v.clone());
    }
    let mut out = serde_json::to_vec_pretty(&serde_json::Value::Object(m)).expect("JSON");
    out.push(b'\n');
    out
}

/// The axes as JSON: `[{ "path": …, "values": [… as text] }, …]` in order.
pub fn axes_json(axes: &[Axis]) -> serde_json::Value {
    axes.iter()
        .map(|a| {
            serde_json::json!({
                "path": a.path,
                "values": a.values.iter().map(value_text).collect::<Vec<_>>(),
            })
        })
        .collect()
}
