//! Thread scaling, measured so that a drifting machine cannot fake it: full runs (all setups,
//! statistics folded in, no output files) on 1 and on 2 threads, alternating, and the speed-up
//! of each adjacent pair. Criterion measures the two thread counts minutes apart, and on the
//! shared VM this project is developed on, speed drifts by up to 1.5× within minutes: its ratio
//! came out anywhere between 1.3 and 2.2.
//!
//! ```text
//! cargo run --release --example scaling -- scenarios/mustermann-gmbh.toml 600 7
//! ```
//!
//! Arguments: scenario, replications per run, number of pairs. Prints each pair and the median
//! speed-up.

use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use covsim::montecarlo::{self, Hooks, Plan};

fn main() -> ExitCode {
    covsim::allocator::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let parse = |i: usize| args.get(i).and_then(|n| n.parse::<u64>().ok());
    let (Some(path), Some(reps), Some(pairs)) = (args.first(), parse(1), parse(2)) else {
        eprintln!("usage: scaling SCENARIO REPLICATIONS PAIRS");
        return ExitCode::from(2);
    };
    let model = match covsim::scenario::load(path.as_ref()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let cancel = AtomicBool::new(false);
    let hooks = Hooks {
        cancel: &cancel,
        progress: &|_| {},
    };
    let seconds = |threads: usize| {
        let plan = Plan {
            first: 0,
            count: reps,
            threads: Some(threads),
        };
        let start = Instant::now();
        let exp = montecarlo::run(&model, plan, &hooks).expect("nothing cancels the run");
        assert_eq!(exp.count, reps);
        start.elapsed().as_secs_f64()
    };
    let mut ratios = Vec::new();
    for pair in 1..=pairs {
        let (one, two) = (seconds(1), seconds(2));
        ratios.push(one / two);
        println!(
            "pair {pair}: 1 thread {one:.3} s, 2 threads {two:.3} s, speed-up {:.2}",
            one / two
        );
    }
    ratios.sort_by(f64::total_cmp);
    if let Some(median) = ratios.get(ratios.len() / 2) {
        println!("median speed-up over {pairs} pairs: {median:.2}");
    }
    ExitCode::SUCCESS
}
