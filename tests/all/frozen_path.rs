//! The aggregated path against the run-by-run reference (`--per-run`).
//!
//! Once a team's cycle is frozen (limit reached with overage on, or
//! suspended with nothing pending) the engine draws the rest of the cycle in
//! aggregate. That must not change the distribution of anything reported. So
//! every shipped scenario, and targeted ones (runs that outlast a day or a
//! cycle, bursts, growth, shocks, nested MCP flows, free manual runs while
//! suspended and with overage on, suspensions lifted by a drawn reaction,
//! price versions, calendar months from an afternoon start,
//! durations without a tail split), is simulated both ways with independent
//! seeds, and each team-month statistic is compared with a two-sample
//! Kolmogorov-Smirnov test per team kind: credits used, overage blocks, runs
//! executed, runs blocked and their credits, demand, runs started, credits
//! by source, and the cumulative credits at the end of several days (the
//! daily bands).
//!
//! Samples are independent: each (kind, cycle) is compared on its own (a
//! team's cycles share its size), and a scenario whose teams share shocks is
//! simulated one team per kind and trial.
//!
//! Level and power: each comparison rejects at p < 1e-4 (some 1,500
//! comparisons: a correct engine fails one by chance with probability about
//! 0.14 for a given seed; the seeds are fixed, so the suite is
//! deterministic). Power is shown, not assumed: the same test on the
//! reference against itself with 10% more usage (the scenario's usage
//! multiplier) must reject, on demand per unit of team size (the team's own
//! draws, without the spread of sizes). With 1,200 teams a side a gap of
//! about 0.09 between the two distribution functions is detected; 3% more
//! usage (a gap of 0.05) is not, at this size.

use flowcast::engine::{simulate, Observer, SimOptions, TeamMonth};
use flowcast::scenario::{load_with, Scenario};
use std::path::Path;

/// Per kind and cycle, per statistic, one value per team: independent
/// draws (a team's cycles share its size, so each cycle is compared on its
/// own; scenarios whose teams share shocks are simulated one team per trial).
#[derive(Default)]
struct Samples {
    /// (kind, cycle, statistic name) -> values.
    by: std::collections::BTreeMap<(usize, u32, String), Vec<f64>>,
}

/// Puts one statistic of one team-month.
struct Put<'a> {
    out: &'a mut Samples,
    kind: usize,
    cycle: u32,
}

impl Put<'_> {
    fn put(&mut self, name: &str, v: f64) {
        self.out
            .by
            .entry((self.kind, self.cycle, name.to_string()))
            .or_default()
            .push(v);
    }
}

impl Observer for Samples {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        let r = tm.record;
        let mut k = Put {
            out: self,
            kind: tm.kind,
            cycle: tm.cycle,
        };
        // Divided by the team's size, usage loses most of its spread
        // between teams: the sharpest comparison of the run draws.
        if tm.size > 0.0 {
            k.put(
                "demand per unit of size",
                tm.demand_credits as f64 / tm.size,
            );
            k.put(
                "credits used per unit of size",
                r.credits_used as f64 / tm.size,
            );
        }
        k.put("credits used", r.credits_used as f64);
        k.put("overage blocks", r.overage_blocks as f64);
        k.put("runs executed", r.runs_executed as f64);
        k.put("runs blocked", r.runs_blocked as f64);
        k.put("blocked credits", r.blocked_credits as f64);
        k.put("demand", tm.demand_credits as f64);
        k.put("runs started", tm.runs_started as f64);
        for (i, c) in r.by_source.iter().enumerate() {
            k.put(&format!("credits of source {i}"), *c as f64);
        }
        let days = tm.daily_cumulative.len();
        for d in [0, 1, days / 2, days.saturating_sub(2)] {
            if let Some(c) = tm.daily_cumulative.get(d) {
                k.put(&format!("credits by the end of day {}", d + 1), *c as f64);
            }
        }
    }
}

/// Each comparison rejects below this p-value.
const LEVEL: f64 = 1e-4;

fn opts(seed: u64, trials: u32, per_run: bool) -> SimOptions {
    SimOptions {
        seed,
        first_trial: 0,
        trials,
        threads: Some(2),
        progress: false,
        per_run,
    }
}

fn samples(s: &Scenario, o: &SimOptions) -> Samples {
    let mut out = Samples::default();
    if let Err(e) = simulate(s, o, &mut out) {
        panic!("scenario '{}' does not simulate: {e}", s.name);
    }
    out
}

/// Two-sample Kolmogorov-Smirnov: the largest gap between the empirical
/// distribution functions, and its asymptotic p-value (Stephens'
/// correction; conservative with ties).
fn ks(a: &[f64], b: &[f64]) -> (f64, f64) {
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (n, m) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / n - j as f64 / m).abs());
    }
    let ne = n * m / (n + m);
    let lambda = (ne.sqrt() + 0.12 + 0.11 / ne.sqrt()) * d;
    let mut p = 0.0;
    for k in 1..=100 {
        let k = f64::from(k);
        let term = 2.0 * (-1f64).powf(k - 1.0) * (-2.0 * k * k * lambda * lambda).exp();
        p += term;
    }
    (d, p.clamp(0.0, 1.0))
}

/// Compares the aggregated path (seed 101) with the reference (seed 202);
/// returns the failures, one line each.
fn compare(s: &Scenario, trials: u32) -> Vec<String> {
    let fast = samples(s, &opts(101, trials, false));
    let slow = samples(s, &opts(202, trials, true));
    let mut bad = Vec::new();
    for (key, a) in &fast.by {
        let Some(b) = slow.by.get(key) else {
            bad.push(format!("{key:?}: missing from the reference"));
            continue;
        };
        if a.iter().chain(b).all(|x| *x == a[0]) {
            continue;
        }
        let (d, p) = ks(a, b);
        if p < LEVEL {
            bad.push(format!(
                "scenario '{}', kind {}, cycle {}, {}: KS D = {d:.4}, p = {p:.2e} (n = {})",
                s.name,
                key.0,
                key.1,
                key.2,
                a.len()
            ));
        }
    }
    bad
}

fn shipped(name: &str, sets: &[(&str, &str)]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name);
    let sets: Vec<(String, String)> = sets
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    match load_with(&path, &sets) {
        Ok(s) => s,
        Err(e) => panic!("{name}: {e}"),
    }
}

/// A targeted scenario of `tests/data/frozen/` (the engine's own tests
/// run them too: `engine::team::frozen_by_run`).
fn targeted(name: &str) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/frozen")
        .join(name);
    match load_with(&path, &[]) {
        Ok(s) => s,
        Err(e) => panic!("{name}: {e}"),
    }
}

#[test]
fn the_test_has_power_against_ten_percent_more_usage() {
    // The reference against itself with 10% more usage: must be told apart
    // (at 3% the gap, D = 0.05 on 1,200 teams a side, is not).
    let base = shipped("default.toml", &[]);
    let more = shipped("default.toml", &[("usage_multiplier", "1.10")]);
    let a = samples(&base, &opts(101, 20, true));
    let b = samples(&more, &opts(202, 20, true));
    let key = (0usize, 0u32, "demand per unit of size".to_string());
    let (d, p) = ks(&a.by[&key], &b.by[&key]);
    assert!(p < LEVEL, "10% more usage not detected: D {d}, p {p}");
    // And the reference against itself (another seed) is not rejected.
    let c = samples(&base, &opts(303, 20, true));
    let (d, p) = ks(&a.by[&key], &c.by[&key]);
    assert!(
        p > LEVEL,
        "two seeds of the same scenario rejected: D {d}, p {p}"
    );
}

#[test]
fn every_shipped_scenario_agrees_with_the_run_by_run_reference() {
    // (file, trials): about 2,000 team-months per kind where it is cheap.
    let cases = [
        ("default.toml", 20),
        ("bench.toml", 2),
        ("agent-gpt4o.toml", 20),
        ("agent-gpt5mini.toml", 20),
        ("growth.toml", 10),
        ("next-quarter-overage.toml", 10),
        ("reaction-delay.toml", 20),
        ("usage-history.toml", 10),
        ("what-do-teams-do-at-the-cap.toml", 10),
        ("what-drives-overage.toml", 20),
        ("what-if-model-prices-rise.toml", 10),
        ("what-if-usage-grows.toml", 10),
        ("when-teams-move-together.toml", 10),
        ("which-plan.toml", 20),
    ];
    let mut bad = Vec::new();
    for (name, trials) in cases {
        let mut s = shipped(name, &[]);
        let mut trials = trials;
        if s.has_shocks() {
            // Teams that share shocks are not independent draws: one team
            // per kind and trial, many trials.
            for k in &mut s.kinds {
                k.teams = 1;
            }
            trials = 1500;
        }
        bad.extend(compare(&s, trials));
    }
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn runs_that_outlast_days_and_cycles_come_out_exactly() {
    // Durations of hours (a heavy log-normal tail), a schedule whose runs
    // straddle midnight, three cycles; overage on (every run executes, many
    // end on a later day or in the next cycle) and off.
    let bad = compare(&targeted("spill.toml"), 6);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn bursts_growth_nested_flows_free_manual_runs_and_price_versions_agree() {
    let bad = compare(&targeted("mixed.toml"), 5);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn free_manual_runs_are_summed_once_overage_is_on_and_agree() {
    // Manual runs whose HTTP and logic blocks are free and whose other
    // counts may all be 0 (a Bernoulli, whole-valued empirical tables):
    // while suspended they are drawn one by one (a free one executes), but
    // once overage is on every run executes, and they are summed per day
    // like any other. Overage on from the start, and on after a suspension
    // (a drawn reaction: the stretch from the suspension is drawn in
    // aggregate too, blocked until the switch and executing after, the day
    // of the switch cut in two): both must agree with the reference. (A
    // switch drawn 12 hours early is rejected on runs blocked, p ~ 1e-120.)
    let s = targeted("free-manual.toml");
    // `check` says the runs' timing is split by day (the bulk counted, not
    // every run drawn one by one) for both kinds; the credits of the kind
    // with the {0, 1, 3} table are drawn run by run within the bulk (its
    // sums are no law of its family), the other's summed.
    let paths = flowcast::engine::paths::paths_text(&s);
    let flows: Vec<&str> = paths
        .lines()
        .filter(|l| l.contains("flow 'prototype'"))
        .collect();
    assert_eq!(flows.len(), 2, "{paths}");
    assert!(
        flows.iter().all(|l| l.contains("of a day's end")),
        "{paths}"
    );
    assert!(flows[0].contains("credits drawn run by run"), "{paths}");
    assert!(flows[1].contains("summed in one draw per day"), "{paths}");
    let bad = compare(&s, 2);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
