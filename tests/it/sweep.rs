//! Sweeps and sensitivity: overrides of the scenario, common random numbers across grid
//! points, and the equality of a one-point sweep with a plain run.

use std::sync::atomic::AtomicBool;

use assert_cmd::Command;
use covsim::engine::Simulator;
use covsim::montecarlo::{self, Hooks, Plan};
use covsim::scenario::{self, Override, STARTER, from_str_with};
use covsim::sweep::{self, Axis};
use toml::Value;

const REPS: u64 = 24;

fn plan() -> Plan {
    Plan {
        first: 0,
        count: REPS,
        threads: None,
    }
}

fn run_hooks<T>(f: impl FnOnce(&Hooks<'_>) -> T) -> T {
    let cancel = AtomicBool::new(false);
    let progress = |_: u64| {};
    f(&Hooks {
        cancel: &cancel,
        progress: &progress,
    })
}

fn axis(path: &str, values: &[Value]) -> Axis {
    Axis {
        path: path.into(),
        values: values.to_vec(),
    }
}

#[test]
fn grid_points_share_random_numbers() {
    // The MSP's pool size does not change the company's ticket demand.
    let axes = [axis(
        "msp.silver.technicians",
        &[Value::Integer(3), Value::Integer(6)],
    )];
    let points = sweep::points(STARTER, "starter.toml", &axes, None).unwrap();
    assert_eq!(points.len(), 2);
    assert_eq!(points[0].model.contracts[0].technicians.len(), 3);
    assert_eq!(points[1].model.contracts[0].technicians.len(), 6);
    assert_eq!(points[0].model.sim.seed, points[1].model.sim.seed);
    let (a, b) = (
        Simulator::new(&points[0].model),
        Simulator::new(&points[1].model),
    );
    for rep in [0, 1, 17] {
        let key = |t: &covsim::engine::arrivals::Ticket| {
            (
                t.arrival,
                t.category,
                t.effort_s,
                t.onsite,
                t.needs_knowledge,
                t.knowledge_draw.to_bits(),
            )
        };
        let ta: Vec<_> = a.own_tickets(rep).iter().map(key).collect();
        let tb: Vec<_> = b.own_tickets(rep).iter().map(key).collect();
        assert!(!ta.is_empty());
        assert_eq!(ta, tb, "replication {rep}");
    }
    // The setups without the MSP see exactly the same years at both points (compared bit for
    // bit: a year without a stretch with nobody has no mean stretch, NaN, which `==` rejects).
    let exps = run_hooks(|h| sweep::run_points(&points, plan(), h)).unwrap();
    for setup in ["Single admin", "Two admins"] {
        let v = |k: usize| {
            exps[k]
                .setups
                .iter()
                .find(|s| s.name == setup)
                .unwrap()
                .values
                .iter()
                .map(|column| column.iter().map(|x| x.to_bits()).collect::<Vec<_>>())
                .collect::<Vec<_>>()
        };
        assert_eq!(v(0), v(1), "{setup}");
    }
    // ... and the MSP setup does not (the pool size matters).
    let msp = |k: usize| {
        exps[k]
            .setups
            .iter()
            .find(|s| s.name == "MSP")
            .unwrap()
            .values
            .iter()
            .map(|column| column.iter().map(|x| x.to_bits()).collect::<Vec<_>>())
            .collect::<Vec<_>>()
    };
    assert_ne!(msp(0), msp(1));
}

#[test]
fn a_sweep_over_one_value_equals_a_plain_run() {
    let axes = [axis("company.pcs", &[Value::Integer(80)])];
    let points = sweep::points(STARTER, "starter.toml", &axes, Some(7)).unwrap();
    let swept = run_hooks(|h| sweep::run_points(&points, plan(), h)).unwrap();
    let mut model = from_str_with(
        STARTER,
        "starter.toml",
        &[Override::parse("company.pcs=80").unwrap()],
    )
    .unwrap();
    assert_eq!(model.company.pcs, 80);
    model.sim.seed = 7;
    let plain = run_hooks(|h| montecarlo::run(&model, plan(), h)).unwrap();
    assert_eq!(swept.len(), 1);
    assert_eq!(swept[0].count, REPS);
    for (s, p) in swept[0].setups.iter().zip(&plain.setups) {
        assert_eq!(s.name, p.name);
        for (m, (a, b)) in s.values.iter().zip(&p.values).enumerate() {
            // Bitwise equal, NaN (no value) included.
            let bits = |v: &Vec<f64>| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(a), bits(b), "{} metric {m}", s.name);
        }
    }
    // sweep.csv: one row per setup × headline metric, the swept value first.
    let r = sweep::summarise(&axes, &points, &swept);
    let t = sweep::sweep_table(&r);
    assert_eq!(t.header[0], "company.pcs");
    assert_eq!(&t.header[1..4], ["setup", "metric", "n"]);
    assert_eq!(t.header.last().unwrap(), "p95_ci_hi");
    assert_eq!(
        t.rows.len(),
        model.setups.len() * sweep::headline_metrics().len()
    );
}

#[test]
fn overrides_get_the_scenario_checks_and_suggestions() {
    let err = |set: &str| {
        let o = Override::parse(set).unwrap();
        from_str_with(STARTER, "starter.toml", &[o])
            .unwrap_err()
            .to_string()
    };
    let e = err("company.pcs=-5");
    assert!(
        e.contains(
            "starter.toml --set company.pcs=-5: company.pcs: must be between 1 and 100000, got -5"
        ),
        "{e}"
    );
    let e = err("company.pcss=5");
    assert!(e.contains("did you mean 'pcs'?"), "{e}");
    let e = err("msp.silvr.technicians=5");
    assert!(
        e.contains("msp.silvr") && e.contains("did you mean 'silver'?"),
        "{e}"
    );
    let e = err("profiles.it-admn.illness_episodes_per_year=2");
    assert!(e.contains("did you mean 'it-admin'?"), "{e}");
    let e = err("compnay.pcs=5");
    assert!(e.contains("did you mean 'company'?"), "{e}");
    let e = err("setups[7].admins=[\"ben\"]");
    assert!(e.contains("setups has 4 entries"), "{e}");
    let e = err("people[bne].salary_eur_per_year=1");
    assert!(e.contains("did you mean 'ben'?"), "{e}");
    let e = err("msp.silver.technicians=\"four\"");
    assert!(e.contains("msp.silver.technicians"), "{e}");

    // What works: indexes, ids, names, built-in profiles, missing sections, bare words.
    let ok = |sets: &[&str]| {
        let o: Vec<Override> = sets.iter().map(|s| Override::parse(s).unwrap()).collect();
        from_str_with(STARTER, "starter.toml", &o).unwrap()
    };
    let m = ok(&[
        "setups[0].admins=[\"ben\"]",
        "people[anna].salary_eur_per_year=70000",
        "setups[\"MSP\"].documentation_quality=0.5",
        "profiles.msp-technician.illness_episodes_per_year=2",
        "msp.silver.coverage=8x5",
        "costs.outage_eur_per_hour=100",
    ]);
    assert_eq!(m.name, "Mustermann GmbH");
    assert_eq!(m.people[0].cost.salary_eur_per_year, 70000.0);
    assert_eq!(m.setups[2].documentation_quality, 0.5);
    assert_eq!(
        m.contracts[0].technicians[0]
            .absence
            .illness
            .episodes_per_year,
        2.0
    );
    assert_eq!(m.company.cost.outage_eur_per_hour, 100.0);
    // The file's own problems keep their line and column.
    let bad = STARTER.replace("pcs = 50", "pcs = 0");
    let e = from_str_with(
        &bad,
        "bad.toml",
        &[Override::parse("company.users=5").unwrap()],
    )
    .unwrap_err();
    assert!(e.0[0].line > 0, "{e}");
    assert!(scenario::parse_set("company.pcs").is_err());
}

#[test]
fn sensitivity_varies_each_input_one_at_a_time() {
    let plan = Plan {
        count: 20,
        ..plan()
    };
    let s =
        run_hooks(|h| sweep::sensitivity(STARTER, "starter.toml", "Single admin", None, plan, h))
            .unwrap();
    let params: Vec<&str> = s
        .rows
        .iter()
        .map(|r| r.variation.parameter.as_str())
        .collect();
    // An in-house setup has no MSP inputs.
    assert!(params.contains(&"ticket_rates"));
    assert!(params.contains(&"salary_eur_per_year"));
    assert!(!params.contains(&"fee_eur_per_pc_month"));
    let row = |p: &str, m: &str| {
        s.rows
            .iter()
            .find(|r| r.variation.parameter == p && r.metric == m)
            .unwrap()
    };
    // The downtime price changes the cost, linearly, and not the hours lost.
    let d = row("downtime_eur_per_user_hour", "cost_total_eur");
    assert!(d.low < d.base && d.base < d.high, "{d:?}");
    assert!(((d.high - d.base) - (d.base - d.low)).abs() < 1e-6 * d.base);
    let u = row("downtime_eur_per_user_hour", "user_hours_lost");
    assert_eq!((u.low, u.high), (u.base, u.base));
    // Salary changes staff cost only: every run shares the random numbers, so the difference
    // is exactly 20 % of the salary-dependent cost, the same up and down.
    let sal = row("salary_eur_per_year", "cost_total_eur");
    assert_eq!(
        (sal.variation.low_value, sal.variation.high_value),
        (51200.0, 76800.0)
    );
    assert!(((sal.high - sal.base) - (sal.base - sal.low)).abs() < 1e-6 * sal.base);
    let t = sweep::sensitivity_table(&s);
    assert_eq!(
        t.header,
        [
            "parameter",
            "low_value",
            "high_value",
            "metric",
            "base",
            "low",
            "high"
        ]
    );
    assert_eq!(t.rows.len(), s.rows.len());
    // An unknown setup is a scenario error with a suggestion.
    let e = run_hooks(|h| sweep::sensitivity(STARTER, "starter.toml", "Hybrd", None, plan, h))
        .unwrap_err();
    assert!(e.to_string().contains("did you mean 'Hybrid'?"), "{e}");
}

#[test]
fn the_commands_write_run_folders_and_reject_bad_values() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sweep");
    let o = Command::cargo_bin("covsim")
        .unwrap()
        .args(["sweep", "scenarios/mustermann-gmbh.toml", "--set"])
        .arg("msp.silver.technicians=3,5")
        .args(["--reps", "20", "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "sweep.csv",
        "scenario.toml",
        "manifest.json",
        "chart-sweep-cost-total-eur.png",
        "chart-sweep-user-hours-lost.svg",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert!(
        csv.starts_with("msp.silver.technicians,setup,metric,n,mean,"),
        "{csv}"
    );
    // Not replaced without --force; a bad value is a usage error (exit code 2).
    let again = Command::cargo_bin("covsim")
        .unwrap()
        .args([
            "sweep",
            "scenarios/mustermann-gmbh.toml",
            "--set",
            "company.pcs=40",
        ])
        .args(["--reps", "2", "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    let bad = Command::cargo_bin("covsim")
        .unwrap()
        .args([
            "sweep",
            "scenarios/mustermann-gmbh.toml",
            "--set",
            "company.pcs=30,-1",
        ])
        .args(["--reps", "2", "-q", "--out"])
        .arg(dir.path().join("bad"))
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("--set company.pcs=-1: company.pcs: must be between"),
        "{err}"
    );
    assert!(!dir.path().join("bad").exists());

    let sens = dir.path().join("sens");
    let o = Command::cargo_bin("covsim")
        .unwrap()
        .args([
            "sensitivity",
            "scenarios/mustermann-gmbh.toml",
            "--setup",
            "Hybrid",
        ])
        .args(["--reps", "10", "-q", "--out"])
        .arg(&sens)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for f in [
        "sensitivity.csv",
        "chart-tornado-cost.png",
        "chart-tornado-downtime.svg",
    ] {
        assert!(sens.join(f).exists(), "{f}");
    }
    let csv = std::fs::read_to_string(sens.join("sensitivity.csv")).unwrap();
    assert!(csv.contains("fee_eur_per_pc_month,"), "{csv}");
}
