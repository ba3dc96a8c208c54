//! The export reader on arbitrary bytes (CSV in any encoding, or a broken workbook): it must
//! return an export or an error with a message, never panic, hang or run out of memory.
#![no_main]

use covsim::calibrate::ingest::{ReadOptions, read_export_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a preset (or detection), so preset-specific value rules are reached.
    let (pick, bytes) = data.split_first().map_or((0, data), |(p, rest)| (*p, rest));
    let presets = covsim::calibrate::ingest::presets();
    let preset = presets
        .get(pick as usize % (presets.len() + 1))
        .map(|p| p.name.to_string());
    let opts = ReadOptions {
        preset,
        ..ReadOptions::default()
    };
    match read_export_bytes("fuzz.csv", bytes, &opts) {
        Ok(export) => {
            assert!(!export.tickets.is_empty(), "an export without tickets is an error");
            for t in &export.tickets {
                assert!(t.closed.is_none_or(|c| c >= t.created));
            }
        }
        // Messages are printed: formatting them must not panic either.
        Err(e) => {
            let _ = e.to_string();
        }
    }
});
