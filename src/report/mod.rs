//! Outputs: CSV tables, the run folder, and the printed summary table.

pub mod csv;
pub mod output;
mod table;

pub use table::{comparison_table_text, exceedance_table_text, summary_table};
