//! The `covsim` command line: a thin layer over the library (see `cli.rs`).

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    covsim::allocator::keep_freed_memory();
    cli::main()
}
