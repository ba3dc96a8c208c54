//! Month factors: seasonality shifts tickets between months and keeps the yearly rate.

use covsim::engine::Simulator;
use covsim::time::SimTime;

use crate::analytic::assert_in_ci;

/// A company whose one category arrives at any hour, with the given `month_factors` (or
/// without the key when `None`).
fn model(month_factors: Option<&str>) -> covsim::model::Model {
    let month_factors = month_factors.map_or(String::new(), |f| format!("month_factors = {f}"));
    let text = format!(
        r#"
[company]
pcs = 20
year = 2026

[simulation]
warmup_days = 0
drain_days = 0

[[categories]]
id = "printer"
tickets_per_year = 400
arrivals = "always"
{month_factors}

[[people]]
id = "anna"

[[setups]]
name = "Single admin"
preset = "single-admin"
admins = ["anna"]
"#
    );
    covsim::scenario::from_str(&text, "seasonal.toml").unwrap()
}

#[test]
fn month_factors_scale_january_and_keep_the_yearly_rate() {
    let m = model(Some("[2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"));
    let f = m.categories[0].month_factors;
    // Stored normalised to mean 1: 2/(13/12) and 1/(13/12).
    assert!((f[0] - 24.0 / 13.0).abs() < 1e-12 && (f[1] - 12.0 / 13.0).abs() < 1e-12);
    let sim = Simulator::new(&m);
    let reps = 400;
    let jan_end = SimTime::day_start(31);
    let year_end = SimTime::day_start(365);
    let (mut jan, mut year) = (Vec::new(), Vec::new());
    for r in 0..reps {
        let t = sim.own_tickets(r);
        jan.push(t.iter().filter(|t| t.arrival < jan_end).count() as f64);
        year.push(t.iter().filter(|t| t.arrival < year_end).count() as f64);
    }
    // Poisson: January holds 400 · (2·31) / (2·31 + 334) tickets in expectation.
    let jan_expected = 400.0 * 62.0 / 396.0;
    assert_in_ci("January tickets", jan, jan_expected);
    assert_in_ci("tickets per year", year, 400.0);
}

#[test]
fn all_ones_draw_the_same_tickets_as_no_month_factors() {
    let with = model(Some("[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"));
    let without = model(None);
    let a = Simulator::new(&with).own_tickets(3);
    let b = Simulator::new(&without).own_tickets(3);
    let key = |t: &covsim::engine::arrivals::Ticket| (t.arrival, t.effort_s);
    assert_eq!(
        a.iter().map(key).collect::<Vec<_>>(),
        b.iter().map(key).collect::<Vec<_>>()
    );
}
