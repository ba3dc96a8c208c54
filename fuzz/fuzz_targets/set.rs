//! `--set PATH=VALUES` on the starter scenario: parsing the argument and applying every value
//! must give a model or errors, never panic.
#![no_main]

use covsim::scenario::{Override, STARTER, from_str_with, parse_set};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|arg: &str| {
    let Ok((path, values)) = parse_set(arg) else {
        return;
    };
    // A sweep runs each value on its own; a short list keeps an input fast.
    for value in values.into_iter().take(4) {
        let set = [Override::new(path.clone(), value)];
        if let Err(errors) = from_str_with(STARTER, "starter.toml", &set) {
            assert!(!errors.0.is_empty(), "an error without a problem");
            let _ = errors.to_string();
        }
    }
});
