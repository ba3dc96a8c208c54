//! Integration tests, one module per layer of the test pyramid (see docs/DESIGN.md).

mod absences;
mod analytic;
mod bounds;
mod browser;
mod charts;
mod cli;
mod common;
mod cost;
mod determinism;
mod horizon;
mod hours;
mod invariants;
mod montecarlo;
mod msp_crn;
mod msp_load;
mod names;
mod priorities;
mod properties;
mod safety;
mod serve;
mod steady_state;
mod sweep;
mod trace;
mod validation;
