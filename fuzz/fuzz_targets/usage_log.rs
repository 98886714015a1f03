//! A usage log (CSV) from arbitrary bytes, replayed under overage-on terms
//! (so blocks and prices are exercised). Any error is fine; a panic, abort
//! or hang is a finding.
#![no_main]

use flowcast::ledger::{Overage, PlanTerms, Terms};
use flowcast::pricing::PriceBook;
use flowcast::replay::{replay_reader, Anchor, Billing};
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let book = PriceBook::builtin();
    let plan = PlanTerms {
        label: "custom",
        allotment: 500,
        overage_allowed: true,
    };
    let terms = Terms::new(plan, 1000, Overage::On, Some(10.0)).expect("valid terms");
    let billing = Billing::new(Anchor::default(), terms);
    let _ = replay_reader(data, Path::new("fuzz.csv"), &book, &billing);
});
