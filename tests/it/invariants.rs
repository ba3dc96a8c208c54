//! Invariants that hold in every run, checked on traced runs of a model with every feature on.

use covsim::engine::{Simulator, TraceKind};
use covsim::time::SimTime;

use crate::common;

#[test]
fn nobody_works_while_absent_and_tickets_are_conserved() {
    let model = common::realistic();
    let sim = Simulator::new(&model);
    for setup in 0..model.setups.len() {
        for rep in 0..8 {
            let (res, trace) = sim.run_traced(setup, rep);
            // Nobody works while absent or off duty.
            for &(r, ticket, start, end) in &trace.sessions {
                let (label, tl) = &trace.responders[r];
                assert!(start <= end, "session ends before it starts");
                let (a, b) = tl.duty.interval_at(start).unwrap_or_else(|| {
                    panic!("{label} works on ticket {ticket} at {start:?} while off duty")
                });
                assert!(
                    a <= start && end <= b,
                    "{label} works past the end of duty at {end:?}"
                );
                assert_eq!(
                    tl.absent.measure_between(start, end),
                    0,
                    "{label} works while absent"
                );
            }
            // Time never goes backwards.
            assert!(trace.events.windows(2).all(|w| w[0].time <= w[1].time));
            // Tickets in = resolved + open, and every resolution follows an arrival and a start.
            let window_end = model.window_end();
            let own: Vec<usize> = (0..trace.tickets.len())
                .filter(|&i| {
                    trace.tickets[i].client == covsim::engine::arrivals::Client::Own
                        && trace.tickets[i].arrival >= SimTime::ZERO
                        && trace.tickets[i].arrival < window_end
                })
                .collect();
            let resolved = own.iter().filter(|&&i| trace.resolved[i].is_some()).count();
            assert_eq!(own.len() as f64, res.metrics.tickets);
            assert_eq!(own.len() - resolved, res.metrics.unresolved_at_end as usize);
            let mut resolutions = vec![0; trace.tickets.len()];
            for e in &trace.events {
                if e.kind == TraceKind::Resolved {
                    resolutions[e.ticket] += 1;
                    assert!(e.time > trace.tickets[e.ticket].arrival);
                }
            }
            assert!(
                resolutions.iter().all(|&n| n <= 1),
                "a ticket was resolved twice"
            );
            // Downtime cannot exceed what the open tickets allow.
            assert!(res.metrics.user_hours_lost >= 0.0);
            assert!((0.0..=1.0).contains(&res.metrics.coverage_share));
        }
    }
}

/// Runs end once every ticket of the measured window is resolved; traced runs simulate the
/// whole drain. Both must measure exactly the same, to the last bit.
#[test]
fn ending_after_the_window_drains_changes_no_metric() {
    let shipped = covsim::scenario::load("scenarios/mustermann-gmbh.toml".as_ref())
        .expect("the shipped scenario loads");
    let mut ended_early = 0;
    let mut runs = 0;
    for model in [common::realistic(), shipped] {
        let sim = Simulator::new(&model);
        for setup in 0..model.setups.len() {
            for rep in 0..6 {
                let short = sim.run(setup, rep);
                let (full, _) = sim.run_traced(setup, rep);
                assert_eq!(
                    full.ended,
                    model.end(),
                    "a traced run follows the whole drain"
                );
                let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
                assert_eq!(
                    bits(short.metrics.values()),
                    bits(full.metrics.values()),
                    "setup {setup}, replication {rep}"
                );
                assert_eq!(short.daily, full.daily);
                assert_eq!(short.times, full.times);
                ended_early += usize::from(short.ended < model.end());
                runs += 1;
            }
        }
    }
    // Otherwise the comparison above would prove nothing.
    assert!(
        ended_early * 2 > runs,
        "only {ended_early} of {runs} runs ended early"
    );
}
