//! Issue 13, point 2: tickets per priority, so that users can weight per-priority results
//! and check the priority mix of a run.

use covsim::engine::Simulator;
use covsim::model::Priority;

use crate::analytic::assert_in_ci;

#[test]
fn r13_tickets_per_priority_add_up_and_follow_the_scenario_mix() {
    let model = covsim::scenario::load("scenarios/mustermann-gmbh.toml".as_ref()).unwrap();
    let sim = Simulator::new(&model);
    let results: Vec<_> = (0..300).map(|r| sim.run(0, r).metrics).collect();
    for m in &results {
        let sum: f64 = m.tickets_by_priority.iter().sum();
        assert_eq!(sum, m.tickets, "the priorities partition the tickets");
    }
    for p in Priority::ALL {
        // The Poisson arrivals' expected count: the categories' rates of that priority.
        let expected: f64 = model
            .categories
            .iter()
            .filter(|c| c.priority == p)
            .map(|c| c.tickets_per_year)
            .sum();
        let s = assert_in_ci(
            &format!("{} tickets per year", p.label()),
            results.iter().map(|m| m.tickets_by_priority[p.index()]),
            expected,
        );
        assert!(s.mean > 0.0, "the example has tickets of every priority");
    }
}
