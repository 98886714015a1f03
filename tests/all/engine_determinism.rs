//! Reproducibility: same scenario + seed give byte-identical summaries at any
//! thread count and on every run; trials split into pieces give the same
//! team-months; the usage a team generates does not depend on its billing
//! terms (common random numbers).

use flowcast::engine::{simulate, Observer, SimOptions, TeamMonth};
use flowcast::scenario::{load, load_with, Scenario};
use flowcast::statistics::SummaryCollector;
use std::path::Path;

fn default_scenario(overrides: &[(&str, &str)]) -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml");
    let o: Vec<(String, String)> = overrides
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    if o.is_empty() {
        load(&path).unwrap()
    } else {
        load_with(&path, &o).unwrap()
    }
}

fn opts(seed: u64, first_trial: u32, trials: u32, threads: usize) -> SimOptions {
    SimOptions {
        seed,
        first_trial,
        trials,
        threads: Some(threads),
        progress: false,
        per_run: false,
    }
}

fn summary_json(s: &Scenario, o: &SimOptions) -> String {
    let mut c = SummaryCollector::new(s, o).unwrap();
    simulate(s, o, &mut c).unwrap();
    c.finish().to_json()
}

#[test]
fn one_and_two_threads_give_byte_identical_summaries() {
    let s = default_scenario(&[]);
    let one = summary_json(&s, &opts(11, 0, 12, 1));
    let two = summary_json(&s, &opts(11, 0, 12, 2));
    let three = summary_json(&s, &opts(11, 0, 12, 3));
    assert_eq!(one, two);
    assert_eq!(one, three);
    // And it is a real summary, not an empty one.
    assert!(one.contains("\"schema_version\": 1"));
    assert!(one.contains("\"team_months\": 1800"));
}

#[test]
fn same_seed_repeats_and_another_seed_differs() {
    let s = default_scenario(&[]);
    let a = summary_json(&s, &opts(5, 0, 6, 2));
    assert_eq!(a, summary_json(&s, &opts(5, 0, 6, 2)));
    assert_ne!(a, summary_json(&s, &opts(6, 0, 6, 2)));
}

/// (trial, kind, team, cycle, credits used, demand, runs started).
#[derive(Default)]
struct Rows(Vec<(u32, usize, u32, u32, u64, u64, u64)>, Vec<u32>);
impl Observer for Rows {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        self.0.push((
            tm.trial,
            tm.kind,
            tm.team,
            tm.cycle,
            tm.record.credits_used,
            tm.demand_credits,
            tm.runs_started,
        ));
    }
    fn trial_end(&mut self, trial: u32) {
        self.1.push(trial);
    }
}

#[test]
fn trials_split_into_pieces_match_the_whole_in_order() {
    let s = default_scenario(&[]);
    let mut whole = Rows::default();
    simulate(&s, &opts(3, 0, 4, 2), &mut whole).unwrap();
    let mut a = Rows::default();
    simulate(&s, &opts(3, 0, 2, 1), &mut a).unwrap();
    simulate(&s, &opts(3, 2, 2, 2), &mut a).unwrap();
    assert_eq!(whole.0, a.0);
    assert_eq!(whole.1, vec![0, 1, 2, 3]);
    assert_eq!(a.1, whole.1);
    // Observers see (trial, kind, team, cycle) order.
    let keys: Vec<_> = whole.0.iter().map(|r| (r.0, r.1, r.2, r.3)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn usage_is_identical_whatever_the_overage_policy() {
    // api-team has overage on; turning it off blocks runs but must not
    // change the runs the teams start or what they would cost.
    let on = default_scenario(&[]);
    let off = default_scenario(&[("kinds.api-team.overage", "off")]);
    let (mut a, mut b) = (Rows::default(), Rows::default());
    simulate(&on, &opts(9, 0, 3, 2), &mut a).unwrap();
    simulate(&off, &opts(9, 0, 3, 2), &mut b).unwrap();
    assert_eq!(a.0.len(), b.0.len());
    let mut credits_differ = false;
    for (x, y) in a.0.iter().zip(&b.0) {
        assert_eq!((x.0, x.1, x.2, x.5, x.6), (y.0, y.1, y.2, y.5, y.6));
        credits_differ |= x.4 != y.4;
    }
    assert!(credits_differ, "overage off must change what is used");
}
