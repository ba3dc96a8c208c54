//! # covsim — Monte Carlo simulation of IT support coverage
//!
//! covsim simulates years of IT incidents, illness, vacation and staff attrition in a company
//! with 30–100 PCs, for several support setups side by side (one in-house admin, several, a
//! managed service provider, a key user plus an MSP), and measures downtime, backlog, response
//! times and coverage. It puts a number on "Einer ist keiner": one admin is no admin.
//!
//! The lifecycle, one arrow per module, each pointing one way:
//!
//! ```text
//! scenarios/*.toml ─▶ scenario (parse, validate) ─▶ model (checked types)
//!                  ─▶ engine (one replication: arrivals, people, dispatch, metrics)
//!                  ─▶ stats (means, CIs, quantiles) ─▶ cli (tables)
//! ```
//!
//! - arrivals of tickets: [`engine::arrivals`]
//! - absences of people: [`engine::people`]
//! - dispatch and the event loop: [`engine`]
//! - metrics: [`engine::Metrics`], [`engine::catalog`]
//! - random streams: [`rng`]
//!
//! ```no_run
//! let model = covsim::scenario::load("scenarios/mustermann-gmbh.toml".as_ref()).unwrap();
//! let sim = covsim::engine::Simulator::new(&model);
//! let one_year = sim.run(0, 0);
//! println!("user-hours lost: {:.0}", one_year.metrics.user_hours_lost);
//! ```

pub mod allocator;
pub mod budget;
pub mod calendar;
pub mod calibrate;
pub mod dist;
pub mod engine;
pub mod interrupt;
pub mod interval;
pub mod model;
pub mod montecarlo;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod serve;
pub mod shard;
pub mod stats;
pub mod sweep;
pub mod time;
