//! The `covsim` command line: a thin layer over the library (see `cli.rs`).

use std::process::ExitCode;

mod cli;

// Each replication allocates and frees a few large vectors (tickets, jobs). glibc's malloc
// hands blocks of that size back to the kernel and takes them again, so a replication cost
// about 90 page faults, 6 % of its time in the kernel; mimalloc reuses them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}
