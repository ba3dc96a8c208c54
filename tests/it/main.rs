//! Integration tests, one module per layer of the test pyramid (see docs/DESIGN.md).

mod absences;
mod analytic;
mod charts;
mod cli;
mod common;
mod cost;
mod determinism;
mod horizon;
mod invariants;
mod montecarlo;
mod steady_state;
mod sweep;
mod trace;
mod validation;
