//! Issue 13, point 9: without `other_clients_pcs`, the other clients' PCs are derived from a
//! target utilisation of the technicians, and a pool loaded beyond 90 % is warned about.

use covsim::engine::Simulator;
use covsim::model::Model;
use covsim::scenario::msp_load;
use covsim::time::{HOUR, SimTime};

use crate::analytic::assert_in_ci;

/// The SLA options scenario, silver's `other_clients_pcs` replaced by `silver` (a line of TOML,
/// or nothing) and its travel fixed at 0.5 h, so that the way back (not in the trace's work
/// sessions) is known.
fn sla_options(silver: &str) -> Model {
    let text = std::fs::read_to_string("scenarios/sla-options.toml").unwrap();
    let mut contract = String::new();
    let text = text
        .lines()
        .map(|l| {
            if l.starts_with("[msp.") {
                contract = l.to_owned();
            }
            if contract == "[msp.silver]" && l.starts_with("other_clients_pcs") {
                silver.to_owned()
            } else if contract == "[msp.silver]" && l.starts_with("travel_h") {
                "travel_h = 0.5".to_owned()
            } else {
                l.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    covsim::scenario::from_str(&text, "sla-options.toml").unwrap()
}

/// Per replication: the silver technicians' hours of work (sessions and the way back from
/// on-site work) in the measured year over their hours on duty and not absent.
fn measured_utilisation(m: &Model, reps: u64) -> Vec<f64> {
    let silver = m
        .setups
        .iter()
        .position(|s| s.name == "MSP silver")
        .unwrap();
    let sim = Simulator::new(m);
    let end = m.window_end();
    let clip = |a: SimTime, b: SimTime| (b.min(end) - a.max(SimTime::ZERO)).max(0) as f64;
    (0..reps)
        .map(|rep| {
            let (_, trace) = sim.run_traced(silver, rep);
            let techs: Vec<bool> = trace
                .responders
                .iter()
                .map(|(label, _)| label.contains(".tech"))
                .collect();
            let available: f64 = trace
                .responders
                .iter()
                .filter(|(label, _)| label.contains(".tech"))
                .map(|(_, tl)| {
                    tl.duty
                        .subtract(&tl.absent)
                        .measure_between(SimTime::ZERO, end) as f64
                })
                .sum();
            let busy: f64 = trace
                .sessions
                .iter()
                .filter(|s| techs[s.0])
                .map(|&(_, id, a, b)| {
                    let back = if trace.tickets[id].onsite && trace.resolved[id] == Some(b) {
                        HOUR / 2
                    } else {
                        0
                    };
                    clip(a, b + back)
                })
                .sum();
            busy / available
        })
        .collect()
}

#[test]
fn r13_derived_other_clients_give_the_target_utilisation() {
    let m = sla_options("target_utilisation = 0.75");
    let c = m.contracts.iter().find(|c| c.id == "silver").unwrap();
    assert_eq!(c.target_utilisation, Some(0.75));
    // Analytic: the derived PCs bring the expected utilisation to the target (to a PC).
    let per_pc = msp_load::offered_hours_per_pc_year(&m, c);
    let capacity = msp_load::capacity_hours_per_year(&m, c);
    let pcs = f64::from(m.company.pcs + c.other_clients_pcs);
    assert!(
        (pcs * per_pc / capacity - 0.75).abs() <= per_pc / capacity,
        "{} other PCs",
        c.other_clients_pcs
    );
    // Simulated: the technicians are as busy as the target says.
    let u = measured_utilisation(&m, 3000);
    assert_in_ci("silver technicians' utilisation", u, 0.75);
}

#[test]
fn r13_the_default_other_clients_follow_the_default_target() {
    let m = sla_options("");
    let c = m.contracts.iter().find(|c| c.id == "silver").unwrap();
    assert_eq!(c.target_utilisation, Some(0.75));
    assert_eq!(
        c.other_clients_pcs,
        msp_load::other_clients_for(&m, c, 0.75)
    );
    assert!((msp_load::utilisation(&m, c) - 0.75).abs() < 0.01);
    // Given explicitly, the PCs are the file's and no target is recorded.
    let m = sla_options("other_clients_pcs = 300");
    let c = m.contracts.iter().find(|c| c.id == "silver").unwrap();
    assert_eq!((c.other_clients_pcs, c.target_utilisation), (300, None));
    assert!(msp_load::warnings(&m).is_empty());
}

#[test]
fn r13_validate_warns_about_an_overloaded_pool_but_succeeds() {
    use assert_cmd::Command;
    let covsim = || Command::cargo_bin("covsim").unwrap();
    let out = covsim()
        .args(["validate", "tests/data/valid/msp-overloaded.toml"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    // 1,050 PCs × 6 tickets × 1 h / 0.9 (meetings) ≈ 7,000 h against 2 technicians' ≈ 3,000 h.
    assert!(err.contains("warning:"), "{err}");
    assert!(
        err.contains("msp.silver: the technicians would be 2"),
        "{err}"
    );
    assert!(err.contains("depend on the warm-up"), "{err}");
    for f in [
        "scenarios/mustermann-gmbh.toml",
        "scenarios/sla-options.toml",
    ] {
        let out = covsim().args(["validate", f]).output().unwrap();
        assert!(out.status.success());
        assert!(
            out.stderr.is_empty(),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
