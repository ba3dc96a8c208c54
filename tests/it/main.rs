//! Integration tests, one module per layer of the test pyramid (see docs/DESIGN.md).

mod analytic;
mod common;
mod trace;
