// What each fuzz target does with one input, shared by the fuzz targets
// (fuzz_targets/*.rs) and by the stable test that replays the saved corpus
// (tests/all/fuzz_corpus.rs). Any error is fine; a panic, abort or hang is a
// finding.

use flowcast::engine::{guard, simulate, SimOptions};
use flowcast::ledger::{Overage, PlanTerms, Terms};
use flowcast::planning::alerts::AlertCollector;
use flowcast::pricing::PriceBook;
use flowcast::replay::{replay_reader, Anchor, Billing};
use flowcast::statistics::SummaryCollector;
use std::path::Path;

/// Scenario TOML: parse and validate; when the result is small enough to
/// simulate in milliseconds, simulate one trial into the summary and alert
/// collectors (where a saturating total once panicked).
pub fn scenario(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(s) = flowcast::scenario::parse(text, Path::new("fuzz.toml")) else {
        return;
    };
    if flowcast::engine::validate(&s, 1).is_err() {
        return;
    }
    let teams: u64 = s.kinds.iter().map(|k| u64::from(k.teams)).sum();
    // Small work only: a fuzzer must not wait on a legitimately large run.
    if guard::total_runs(&s, 1) > 2e4 || teams > 200 || s.calendar.months > 3 {
        return;
    }
    let o = SimOptions {
        seed: s.seed,
        first_trial: 0,
        trials: 1,
        threads: Some(1),
        progress: false,
        // Both paths: the run-by-run reference and the aggregated one.
        per_run: s.seed % 2 == 1,
    };
    let Ok(summary) = SummaryCollector::new(&s, &o) else {
        return;
    };
    // A pair of observers is an observer (flowcast::planning).
    let mut obs = (summary, AlertCollector::new(&s));
    if simulate(&s, &o, &mut obs).is_ok() {
        let _ = obs.0.finish().to_json();
        let _ = obs.1.finish();
    }
}

/// A usage log (CSV), replayed under overage-on terms (so blocks and prices
/// are exercised).
pub fn usage_log(data: &[u8]) {
    let book = PriceBook::builtin();
    let plan = PlanTerms {
        label: "custom",
        allotment: 500,
        overage_allowed: true,
    };
    let terms = Terms::new(plan, 1000, Overage::On, Some(10.0)).expect("valid terms");
    let billing = Billing::new(Anchor::default(), terms);
    let _ = replay_reader(data, Path::new("fuzz.csv"), &book, &billing);
}

/// A replay plan file (TOML).
pub fn plan_file(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let book = PriceBook::builtin();
    let _ = flowcast::replay::plans::parse_plan_file(text, Path::new("plans.toml"), &book);
}
