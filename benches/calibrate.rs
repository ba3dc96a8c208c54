//! Benchmark of calibration's estimation: 100,000 tickets of a simulated year, every
//! goodness-of-fit bootstrap included (199 resamples per category, the default). Issue 14
//! asks for under 2 s on one core; estimation is single-threaded.
//!
//! `cargo bench --bench calibrate`.

use std::hint::black_box;

use chrono::NaiveDateTime;
use criterion::{Criterion, criterion_group};

use covsim::calibrate::estimate::{EstimateOptions, calibrate};
use covsim::calibrate::{Export, ExportTicket, IngestReport};
use covsim::engine::Simulator;
use covsim::model::Model;
use covsim::time::{DAY, SimTime};

/// Twelve categories (three per priority), 100,000 tickets a year in all, with lognormal,
/// gamma, Weibull and exponential efforts.
fn model() -> Model {
    let efforts = [
        r#"{ dist = "lognormal", median = 1, p90 = 3 }"#,
        r#"{ dist = "gamma", mean = 2, sd = 1.2 }"#,
        r#"{ dist = "weibull", shape = 0.8, scale = 1.5 }"#,
        r#"{ dist = "exponential", mean = 0.5 }"#,
    ];
    let mut text = String::from(
        "[company]\npcs = 100\nyear = 2026\nfederal_state = \"NW\"\n\n[simulation]\nwarmup_days = 0\ndrain_days = 0\n\n",
    );
    let rates = [20_000.0, 12_000.0, 3_000.0];
    for (p, prio) in ["P1", "P2", "P3", "P4"].iter().enumerate() {
        for (k, rate) in rates.iter().enumerate() {
            let arrivals = if k == 2 { "always" } else { "business" };
            let share = if p == 0 { 0.1 } else { 1.0 };
            text.push_str(&format!(
                "[[categories]]\nid = \"c{p}{k}\"\npriority = \"{prio}\"\narrivals = \"{arrivals}\"\ntickets_per_year = {}\nmonth_factors = [1.2, 1.1, 1, 1, 1, 0.9, 0.8, 0.8, 1, 1, 1.1, 1.1]\neffort_h = {}\n\n",
                rate * share * 100_000.0 / 108_500.0,
                efforts[(p + k) % 4]
            ));
        }
    }
    text.push_str("[[people]]\nid = \"anna\"\n\n[[setups]]\nname = \"Single admin\"\npreset = \"single-admin\"\nadmins = [\"anna\"]\n");
    covsim::scenario::from_str(&text, "bench.toml").expect("valid bench scenario")
}

fn datetime(model: &Model, t: SimTime) -> NaiveDateTime {
    let day = t.day();
    model
        .calendar
        .date_of_day(day)
        .and_hms_opt(0, 0, 0)
        .expect("midnight")
        + chrono::Duration::seconds(t.0 - day * DAY)
}

/// One simulated year as an export: tickets close at arrival + effort, later ones are open.
fn export(model: &Model) -> Export {
    let end = model.window_end();
    let tickets = Simulator::new(model)
        .own_tickets(0)
        .into_iter()
        .filter(|t| t.arrival >= SimTime::ZERO && t.arrival < end)
        .enumerate()
        .map(|(i, t)| {
            let close = t.arrival + t.effort_s;
            let open = close > end;
            ExportTicket {
                id: format!("T{i}"),
                line: i as u64 + 2,
                created: datetime(model, t.arrival),
                first_response: None,
                closed: (!open).then(|| datetime(model, close)),
                priority: t.priority,
                category: model.categories[usize::from(t.category)].id.clone(),
                effort_h: Some(if open { end - t.arrival } else { t.effort_s } as f64 / 3600.0),
            }
        })
        .collect();
    Export {
        source: "bench.csv".to_owned(),
        tickets,
        observed_from: datetime(model, SimTime::ZERO),
        observed_until: datetime(model, end),
        report: IngestReport::default(),
    }
}

fn estimate(c: &mut Criterion) {
    let model = model();
    let export = export(&model);
    eprintln!("{} tickets", export.tickets.len());
    let opts = EstimateOptions::default();
    let mut g = c.benchmark_group("calibrate");
    g.sample_size(10);
    g.bench_function("100,000 tickets calibrate, bootstrap included", |b| {
        b.iter(|| black_box(calibrate(&export, &model, &opts).expect("calibrates")))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    // Criterion's plots need system fonts; the numbers are what we report.
    config = Criterion::default().without_plots();
    targets = estimate
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
}
