//! Profiling harness: runs replications of a scenario on one thread, with no output files, so
//! that `perf record` or `valgrind --tool=callgrind` see only the engine.
//!
//! ```text
//! cargo build --release --example profile
//! valgrind --tool=callgrind target/release/examples/profile scenarios/mustermann-gmbh.toml 10
//! target/release/examples/profile scenarios/mustermann-gmbh.toml 300 MSP
//! ```
//!
//! Arguments: scenario, number of replications, optionally one setup's name (default: all
//! setups, as `covsim run` simulates them). Prints the time per replication.

use std::process::ExitCode;

use covsim::engine::Simulator;

fn main() -> ExitCode {
    covsim::allocator::keep_freed_memory();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(path), Some(Ok(reps))) = (args.first(), args.get(1).map(|n| n.parse::<u64>())) else {
        eprintln!("usage: profile SCENARIO REPLICATIONS [SETUP]");
        return ExitCode::from(2);
    };
    let model = match covsim::scenario::load(path.as_ref()) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::FAILURE;
        }
    };
    let setup = match args.get(2) {
        None => None,
        Some(name) => match model.setups.iter().position(|s| &s.name == name) {
            Some(i) => Some(i),
            None => {
                eprintln!("no setup named {name:?}");
                return ExitCode::from(2);
            }
        },
    };
    let sim = Simulator::new(&model);
    let start = std::time::Instant::now();
    // On a thread of its own, as `covsim run` simulates on pool threads (with glibc's malloc,
    // the main thread's heap was trimmed after every replication and faulted in again, which
    // made this harness overstate allocation costs; see src/allocator.rs).
    let tickets = std::thread::scope(|scope| {
        scope
            .spawn(|| {
                // Sum a metric so that the work cannot be optimised away.
                let mut tickets = 0.0;
                for rep in 0..reps {
                    let results = match setup {
                        Some(s) => vec![sim.run(s, rep)],
                        None => sim.run_all(rep),
                    };
                    tickets += results.iter().map(|r| r.metrics.tickets).sum::<f64>();
                }
                tickets
            })
            .join()
            .expect("the simulation thread does not panic")
    });
    let per_rep = start.elapsed().as_secs_f64() * 1e3 / reps.max(1) as f64;
    println!("{per_rep:.3} ms per replication ({tickets:.0} tickets counted)");
    ExitCode::SUCCESS
}
