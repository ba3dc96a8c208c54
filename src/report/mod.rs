//! Outputs: CSV tables, the run folder, and the printed summary table.

pub mod charts;
pub mod csv;
pub mod folder;
pub mod horizon;
pub mod html;
pub mod i18n;
pub mod output;
mod table;
pub mod verify;

pub use table::{cell_text, headline_rows};
pub use table::{comparison_table_text, exceedance_table_text, summary_table, target_text};
