//! Benchmarks of shards (issue 17): encoding one shard of 1,000 replications of the example
//! company, and decoding 100 such shards into one experiment (the merge's fold, without the
//! output it writes, which a single run writes too). Benches never write to `output/`.
//!
//! `cargo bench --bench merge`.

use std::hint::black_box;
use std::sync::atomic::AtomicBool;

use criterion::{Criterion, Throughput, criterion_group};

use covsim::montecarlo::{self, Hooks, Plan};
use covsim::shard::codec;

const REPS: u64 = 1_000;
const SHARDS: u64 = 100;

fn shard_data() -> (montecarlo::Experiment, Vec<u8>) {
    let model = covsim::scenario::load("scenarios/mustermann-gmbh.toml".as_ref())
        .expect("shipped scenarios are valid");
    let cancel = AtomicBool::new(false);
    let progress = |_: u64| {};
    let hooks = Hooks {
        cancel: &cancel,
        progress: &progress,
    };
    let plan = Plan {
        first: 0,
        count: REPS,
        threads: None,
    };
    let exp = montecarlo::run(&model, plan, &hooks).expect("the run succeeds");
    let (metrics, aggregates) = codec::layout("run").expect("run is a command");
    let mut data = Vec::new();
    codec::encode(std::slice::from_ref(&exp), &metrics, aggregates, &mut data).expect("encodes");
    (exp, data)
}

fn shards(c: &mut Criterion) {
    let (exp, data) = shard_data();
    let (metrics, aggregates) = codec::layout("run").expect("run is a command");
    eprintln!(
        "shard of {REPS} replications: {} bytes, {:.0} bytes per replication",
        data.len(),
        data.len() as f64 / REPS as f64
    );
    let mut g = c.benchmark_group("shard");
    g.sample_size(10);
    g.throughput(Throughput::Elements(REPS));
    g.bench_function("encode_1000_replications", |b| {
        b.iter(|| {
            let mut out = Vec::new();
            codec::encode(std::slice::from_ref(&exp), &metrics, aggregates, &mut out).unwrap();
            black_box(out)
        })
    });
    g.throughput(Throughput::Elements(REPS * SHARDS));
    g.bench_function("fold_100_shards_of_1000_replications", |b| {
        b.iter(|| {
            let mut parts = Vec::new();
            for k in 0..SHARDS {
                codec::decode_into(&data[..], &mut parts, k * REPS, REPS, &metrics, aggregates)
                    .unwrap();
            }
            black_box(parts)
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    // Criterion's plots need system fonts, which a fresh machine does not have.
    config = Criterion::default().without_plots();
    targets = shards
}

// Paths are relative to the repository root, where `cargo bench` runs.
fn main() {
    covsim::allocator::keep_freed_memory();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
