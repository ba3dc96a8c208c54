//! The scenario reader on arbitrary text: it must return a model or located errors, never
//! panic, hang or run out of memory.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // `scenario::load` refuses non-UTF-8 files before parsing; the reader itself takes text.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(errors) = covsim::scenario::from_str(text, "fuzz.toml") {
        assert!(!errors.0.is_empty(), "an error without a problem");
        // Messages are printed: formatting them must not panic either.
        let _ = errors.to_string();
    }
});
