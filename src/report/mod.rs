//! Outputs: the printed summary table (CSV files and charts follow in later issues).

mod table;

pub use table::{SetupRuns, summary_table};
