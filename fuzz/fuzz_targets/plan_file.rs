//! A replay plan file (TOML) from arbitrary bytes. Any error is fine; a
//! panic, abort or hang is a finding.
#![no_main]

use flowcast::pricing::PriceBook;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let book = PriceBook::builtin();
    let _ = flowcast::replay::plans::parse_plan_file(text, Path::new("plans.toml"), &book);
});
