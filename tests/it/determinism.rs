//! Determinism and common random numbers.

use covsim::engine::Simulator;
use covsim::engine::arrivals::Client;

use crate::common;

#[test]
fn same_model_and_seed_give_identical_results() {
    let model = common::realistic();
    let a = Simulator::new(&model);
    let b = Simulator::new(&model);
    for setup in 0..model.setups.len() {
        for rep in [0, 5, 17] {
            let (x, y) = (a.run(setup, rep), b.run(setup, rep));
            let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
            assert_eq!(bits(x.metrics.values()), bits(y.metrics.values()));
            assert_eq!(x.daily, y.daily);
        }
    }
}

#[test]
fn a_different_seed_gives_different_results() {
    let mut model = common::realistic();
    let x = Simulator::new(&model).run(0, 0);
    model.sim.seed += 1;
    let y = Simulator::new(&model).run(0, 0);
    assert_ne!(x.metrics.values(), y.metrics.values());
}

#[test]
fn every_setup_sees_the_same_incidents_and_the_same_absences() {
    let model = common::realistic();
    let sim = Simulator::new(&model);
    for rep in 0..5 {
        let traces: Vec<_> = (0..model.setups.len())
            .map(|s| sim.run_traced(s, rep).1)
            .collect();
        let own = |t: &covsim::engine::Trace| {
            t.tickets
                .iter()
                .filter(|t| t.client == Client::Own)
                .map(|t| {
                    (
                        t.arrival,
                        t.category,
                        t.effort_s,
                        t.onsite,
                        t.needs_knowledge,
                    )
                })
                .collect::<Vec<_>>()
        };
        let reference = own(&traces[0]);
        assert!(!reference.is_empty());
        for t in &traces[1..] {
            assert_eq!(own(t), reference, "replication {rep}");
        }
        // Anna falls ill on the same days alone and in a team of two.
        let anna = |t: &covsim::engine::Trace| {
            let i = t.responders.iter().position(|(l, _)| l == "anna").unwrap();
            t.responders[i].1.clone()
        };
        let (alone, team) = (anna(&traces[0]), anna(&traces[1]));
        assert_eq!(alone.sick, team.sick);
        assert_eq!(alone.vacancy, team.vacancy);
        // She plans first, so even her vacation is the same.
        assert_eq!(alone.vacation, team.vacation);
    }
}

#[test]
fn running_all_setups_together_equals_running_them_one_by_one() {
    let model = common::realistic();
    let sim = Simulator::new(&model);
    for rep in [0, 3] {
        let together = sim.run_all(rep);
        for (s, t) in together.iter().enumerate() {
            let alone = sim.run(s, rep);
            let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
            assert_eq!(
                bits(t.metrics.values()),
                bits(alone.metrics.values()),
                "setup {s}"
            );
        }
    }
}
