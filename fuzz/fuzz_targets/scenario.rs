//! Scenario TOML from arbitrary bytes: parse and validate; when the result
//! is small enough to simulate in milliseconds, simulate one trial into the
//! summary and alert collectors (where a saturating total once panicked).
//! Any error is fine; a panic, abort or hang is a finding.
#![no_main]

use flowcast::engine::{guard, simulate, Observer, SimOptions, TeamMonth};
use flowcast::planning::alerts::AlertCollector;
use flowcast::statistics::SummaryCollector;
use libfuzzer_sys::fuzz_target;
use std::path::Path;

struct Both(SummaryCollector, AlertCollector);

impl Observer for Both {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        self.0.team_month(tm);
        self.1.team_month(tm);
    }
    fn trial_end(&mut self, trial: u32) {
        self.0.trial_end(trial);
        self.1.trial_end(trial);
    }
}

fuzz_target!(|data: &[u8]| {
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
    };
    let Ok(summary) = SummaryCollector::new(&s, &o) else {
        return;
    };
    let mut obs = Both(summary, AlertCollector::new(&s));
    if simulate(&s, &o, &mut obs).is_ok() {
        let _ = obs.0.finish().to_json();
        let _ = obs.1.finish();
    }
});
