//! Benchmarks: one replication-year per shipped scenario and setup, the M/M/2 queue with
//! absences, and full runs on 1 and 2 threads. Benches never write to `output/`.
//!
//! `cargo bench` runs them all; `cargo bench -- replication` one group.

use std::hint::black_box;
use std::sync::atomic::AtomicBool;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};

use covsim::engine::Simulator;
use covsim::montecarlo::{self, Hooks, Plan};

fn load(path: &str) -> covsim::model::Model {
    covsim::scenario::load(path.as_ref()).expect("shipped scenarios are valid")
}

/// One replication-year of every setup of every shipped scenario.
fn replication(c: &mut Criterion) {
    let mut g = c.benchmark_group("replication");
    for path in [
        "scenarios/mustermann-gmbh.toml",
        "scenarios/textbook-mm2.toml",
        "scenarios/textbook-mm2-absences.toml",
    ] {
        let model = load(path);
        let sim = Simulator::new(&model);
        for (s, setup) in model.setups.iter().enumerate() {
            g.throughput(Throughput::Elements(1));
            let id = BenchmarkId::new(model.name.clone(), &setup.name);
            let mut rep = 0;
            g.bench_function(id, |b| {
                b.iter(|| {
                    rep += 1;
                    black_box(sim.run(s, rep))
                })
            });
        }
    }
    g.finish();
}

/// Full runs (all setups, statistics folded in) on 1 and 2 threads: the ratio is the speed-up
/// (on a machine whose speed drifts, `examples/scaling.rs` measures it in alternating pairs).
fn full_run(c: &mut Criterion) {
    let mut g = c.benchmark_group("run");
    g.sample_size(10);
    let model = load("scenarios/mustermann-gmbh.toml");
    let reps = 200;
    let cancel = AtomicBool::new(false);
    let hooks = Hooks {
        cancel: &cancel,
        progress: &|_| {},
    };
    for threads in [1, 2] {
        g.throughput(Throughput::Elements(reps * model.setups.len() as u64));
        g.bench_function(
            BenchmarkId::new("mustermann-200-reps", format!("{threads}-threads")),
            |b| {
                b.iter(|| {
                    let plan = Plan {
                        first: 0,
                        count: reps,
                        threads: Some(threads),
                    };
                    black_box(montecarlo::run(&model, plan, &hooks).expect("not cancelled"))
                })
            },
        );
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // Criterion's plots need system fonts, which a fresh machine does not have; the numbers
    // are what we report.
    config = Criterion::default().without_plots();
    targets = replication, full_run
}
// `criterion_main!` on a thread of its own, as `covsim run` simulates on pool threads (with
// glibc's malloc the main thread's heap behaved differently; see examples/profile.rs).
fn main() {
    covsim::allocator::keep_freed_memory();
    std::thread::spawn(|| {
        benches();
        Criterion::default().configure_from_args().final_summary();
    })
    .join()
    .expect("the benchmarks do not panic");
}
