//! cargo fuzz target: see `checks::usage_log`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::usage_log(data));
