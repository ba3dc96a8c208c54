//! The `covsim` command line: a thin layer over the library (see `cli.rs`).

use std::process::ExitCode;

mod cli;

// Each replication allocates and frees a few megabytes (tickets, jobs, metrics). glibc's malloc
// hands that memory back to the kernel and faults it in again every time, which cost about a
// tenth of a run; mimalloc keeps it.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
