//! Planning (issue 5): common random numbers, recommendation rules, sweep
//! grids, multi-month forecasts and alert lead times, each against values
//! worked out by hand (tests/data/planning/steady.toml explains them).

use flowcast::engine::{simulate, Observer, SimOptions, TeamMonth};
use flowcast::planning::alerts::AlertCollector;
use flowcast::planning::compare::{compare, plan_overrides};
use flowcast::planning::forecast::ForecastCollector;
use flowcast::planning::grid::parse_axis;
use flowcast::planning::recommend::Rule;
use flowcast::planning::sweep::sweep;
use flowcast::scenario;
use std::path::{Path, PathBuf};

fn steady() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/planning/steady.toml")
}

fn default_scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml")
}

fn opts(trials: u32) -> SimOptions {
    SimOptions {
        seed: 11,
        first_trial: 0,
        trials,
        threads: Some(2),
        progress: false,
        per_run: false,
    }
}

fn set(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Records what each team did in each trial, and whether it reached its
/// limit.
#[derive(Default)]
struct Usage(Vec<(u32, usize, u32, u32, u64, u64, u64)>, Vec<bool>);

impl Observer for Usage {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        self.0.push((
            tm.trial,
            tm.kind,
            tm.team,
            tm.cycle,
            tm.demand_credits,
            tm.runs_started,
            tm.record.credits_used,
        ));
        self.1.push(tm.record.limit_reached_at.is_some());
    }
}

/// The default scenario on each plan, every run simulated or not.
fn on_each_plan(per_run: bool) -> Vec<Usage> {
    let base = scenario::load(&default_scenario()).unwrap();
    let mut seen = Vec::new();
    for plan in ["free", "solo", "enterprise"] {
        let s = scenario::load_with(&default_scenario(), &plan_overrides(&base, plan).unwrap())
            .unwrap();
        let mut u = Usage::default();
        simulate(&s, &SimOptions { per_run, ..opts(6) }, &mut u).unwrap();
        seen.push(u);
    }
    seen
}

#[test]
fn every_plan_sees_the_same_usage_up_to_its_limit() {
    // The aggregated path: a team-month draws the same runs on every plan up
    // to the instant the first plan's limit freezes it (then the rest of
    // the cycle is drawn in aggregate, from sub-streams of its own). So
    // team-months that no plan froze are identical...
    let seen = on_each_plan(false);
    let mut same = 0;
    for i in 0..seen[0].0.len() {
        if seen.iter().all(|u| !u.1[i]) {
            assert_eq!(seen[0].0[i], seen[2].0[i]);
            assert_eq!(seen[0].0[i], seen[1].0[i]);
            same += 1;
        }
    }
    assert!(same > 0, "no team-month stayed below every limit");
    // ...and the others still move together across plans (common random
    // numbers keep paying off): demand on free and on enterprise is
    // strongly correlated team-month by team-month.
    let demand = |u: &Usage| u.0.iter().map(|r| r.4 as f64).collect::<Vec<_>>();
    let (a, b) = (demand(&seen[0]), demand(&seen[2]));
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let cov: f64 = a.iter().zip(&b).map(|(x, y)| (x - ma) * (y - mb)).sum();
    let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
    let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
    let r = cov / (va * vb).sqrt();
    assert!(r > 0.95, "demand on free vs enterprise: correlation {r}");
}

#[test]
fn every_plan_sees_the_same_usage() {
    // Common random numbers, run by run (--per-run): the same team in the
    // same trial generates the same runs (demand and run count) whatever
    // its plan; only what the ledger lets execute differs.
    let seen: Vec<_> = on_each_plan(true).into_iter().map(|u| u.0).collect();
    let demand = |v: &Vec<(u32, usize, u32, u32, u64, u64, u64)>| {
        v.iter()
            .map(|r| (r.0, r.1, r.2, r.3, r.4, r.5))
            .collect::<Vec<_>>()
    };
    assert!(!seen[0].is_empty());
    assert_eq!(demand(&seen[0]), demand(&seen[1]));
    assert_eq!(demand(&seen[0]), demand(&seen[2]));
    // ...and the plans did bill differently (free suspends, enterprise rarely).
    let used = |v: &Vec<(u32, usize, u32, u32, u64, u64, u64)>| v.iter().map(|r| r.6).sum::<u64>();
    assert!(used(&seen[0]) < used(&seen[2]));
}

#[test]
fn recommendation_rules_on_a_known_answer() {
    let plans: Vec<String> = ["free", "solo", "team", "enterprise"]
        .map(String::from)
        .to_vec();
    let c = compare(
        &steady(),
        &[],
        &plans,
        Rule::NoSuspensionAbove(0.01),
        &opts(3),
    )
    .unwrap();
    let cost = |plan: &str| c.rows.iter().find(|r| r.plan == plan).unwrap();
    // Costs by hand (see steady.toml): free $0, solo $9 + $20, team $19, enterprise $49.
    assert_eq!(cost("free").total_usd.mean, 0.0);
    assert_eq!(cost("free").suspended_share.value, 1.0);
    assert_eq!(cost("free").overage_policy, "off");
    assert_eq!(cost("solo").total_usd.mean, 29.0);
    assert_eq!(cost("solo").overage_usd.p90, 20.0);
    assert_eq!(cost("team").total_usd.mean, 19.0);
    assert_eq!(cost("team").suspended_share.value, 0.0);
    assert_eq!(cost("enterprise").total_usd.mean, 49.0);
    assert_eq!(c.recommendations[0].plan.as_deref(), Some("team"));
    // The paired difference against the recommended plan is exact here.
    let vs = cost("solo").vs_recommended_usd.unwrap();
    assert_eq!((vs.value, vs.ci_low, vs.ci_high), (10.0, 10.0, 10.0));

    // Lowest expected dollars alone picks the free plan (suspension is free in dollars).
    let m = compare(&steady(), &[], &plans, Rule::LowestMean, &opts(3)).unwrap();
    assert_eq!(m.recommendations[0].plan.as_deref(), Some("free"));
    // At $5 a block, solo ($9 + $5) undercuts team ($19).
    let cheap = set(&[("kinds.steady.overage_price", "5")]);
    let s = compare(
        &steady(),
        &cheap,
        &plans,
        Rule::NoSuspensionAbove(0.01),
        &opts(3),
    )
    .unwrap();
    assert_eq!(s.recommendations[0].plan.as_deref(), Some("solo"));
    // No plan qualifies when every plan but free is excluded.
    let only_free = compare(
        &steady(),
        &[],
        &plans[..1],
        Rule::NoSuspensionAbove(0.5),
        &opts(2),
    )
    .unwrap();
    assert_eq!(only_free.recommendations[0].plan, None);
}

#[test]
fn sweep_covers_the_grid_in_order() {
    let axes = [
        parse_axis("kinds.steady.plan=solo,team").unwrap(),
        parse_axis("kinds.steady.overage_price=5,20,40").unwrap(),
    ];
    let s = sweep(&steady(), &[], &axes, &opts(2)).unwrap();
    assert_eq!(s.points.len(), 6);
    let expect = [
        ("solo", "5", 5.0),
        ("solo", "20", 20.0),
        ("solo", "40", 40.0),
        ("team", "5", 0.0),
        ("team", "20", 0.0),
        ("team", "40", 0.0),
    ];
    for (p, (plan, price, overage)) in s.points.iter().zip(expect) {
        assert_eq!(p.settings[0].1, plan);
        assert_eq!(p.settings[1].1, price);
        let pop = p.groups.iter().find(|g| g.group == "population").unwrap();
        assert_eq!(pop.overage_usd.mean, overage, "{:?}", p.settings);
        // 3 teams per trial: the population total is three teams' overage.
        assert_eq!(p.total_overage_usd.mean, 3.0 * overage);
    }
    // A key that is not in the scenario is an error naming it.
    let bad = [parse_axis("kinds.steady.no_such_field=1,2").unwrap()];
    let err = sweep(&steady(), &[], &bad, &opts(1))
        .unwrap_err()
        .to_string();
    assert!(err.contains("no_such_field"), "{err}");
}

#[test]
fn multi_month_forecast_matches_hand_computation() {
    // Solo plan, overage on at $20: every 30-day cycle uses 90 credits, 40 above
    // the allotment, one block: $20 per team per month, no rollover, so the
    // cumulative after month m is $20 m per team, $60 m for the 3 teams.
    let o = set(&[("kinds.steady.plan", "solo"), ("calendar.months", "4")]);
    let s = scenario::load_with(&steady(), &o).unwrap();
    let mut f = ForecastCollector::new(&s, 11).unwrap();
    simulate(&s, &opts(3), &mut f).unwrap();
    let f = f.finish();
    assert_eq!(f.months, 4);
    assert_eq!(f.trials, 3);
    let pop = f.groups.iter().find(|g| g.group == "population").unwrap();
    for (i, m) in pop.months.iter().enumerate() {
        let k = i as f64 + 1.0;
        assert_eq!(m.overage_usd.mean, 60.0, "month {}", m.month);
        assert_eq!(m.cumulative_usd.mean, 60.0 * k);
        assert_eq!(m.cumulative_usd.p50, 60.0 * k);
        assert_eq!(m.overage_p10, 60.0);
        assert_eq!(m.credits_used.value, 90.0);
        assert_eq!(m.suspended_share.value, 0.0);
    }
    assert_eq!(pop.months[1].cycle_start, "2026-07-01T00:00:00Z");

    // Overage off instead: suspended from run 17 (day 16, 00:00:01) to the end
    // of each 30-day cycle, every month afresh.
    let o = set(&[
        ("kinds.steady.plan", "solo"),
        ("kinds.steady.overage", "off"),
        ("calendar.months", "2"),
    ]);
    let s = scenario::load_with(&steady(), &o).unwrap();
    let mut f = ForecastCollector::new(&s, 11).unwrap();
    simulate(&s, &opts(2), &mut f).unwrap();
    let f = f.finish();
    for m in &f.groups[0].months {
        assert_eq!(m.overage_usd.mean, 0.0);
        assert_eq!(m.suspended_share.value, 1.0);
        assert!((m.days_suspended.value - (30.0 - 16.0 - 1.0 / 86400.0)).abs() < 1e-9);
        // Runs on days 17..=29 are blocked: 13 a month.
        assert_eq!(m.runs_blocked.value, 13.0);
        assert_eq!(m.credits_used.value, 51.0);
    }
}

#[test]
fn alert_lead_times_match_hand_computation() {
    let o = set(&[
        ("kinds.steady.plan", "solo"),
        ("kinds.steady.overage", "off"),
    ]);
    let s = scenario::load_with(&steady(), &o).unwrap();
    let mut a = AlertCollector::new(&s);
    simulate(&s, &opts(2), &mut a).unwrap();
    let rows = a.finish();
    let lead = |pct: u32| {
        rows.iter()
            .find(|r| r.group == "steady" && r.level_pct == pct)
            .unwrap()
    };
    for (pct, days) in [(50, 8.0), (80, 3.0), (95, 1.0)] {
        let r = lead(pct);
        assert_eq!(r.team_months_hit, 6);
        assert_eq!(r.reached_share, 1.0);
        assert!(
            (r.lead_days_p50 - days).abs() < 1e-9,
            "{pct}%: {}",
            r.lead_days_p50
        );
        assert!((r.lead_days_mean - days).abs() < 1e-9);
        assert_eq!(r.under_one_day_share, 0.0);
    }
}

#[test]
fn an_adaptive_run_is_the_fixed_run_of_the_trials_it_stopped_at() {
    use flowcast::planning::run::{run, Trials, Watch};
    use flowcast::planning::stopping::Precision;
    let s = scenario::load_with(&default_scenario(), &set(&[("calendar.months", "2")])).unwrap();
    let adaptive = run(
        &s,
        &opts(4),
        &Trials::Adaptive {
            precision: Precision::new(0.02, 64).unwrap(),
            watch: vec![Watch::Total, Watch::Hit],
        },
    )
    .unwrap();
    let n = adaptive.summary.trials;
    // Batches of 4, 4, 8, 16, 32: the stop is one of these totals.
    assert!([4, 8, 16, 32, 64].contains(&n), "{n} trials");
    let stop = adaptive.summary.stopping.clone().unwrap();
    assert_eq!(stop.watched[0], "total overage");
    assert_eq!(stop.reason == "trial_cap", stop.achieved_relative > 0.02);
    let fixed = run(&s, &opts(n), &Trials::Fixed).unwrap();
    let mut a = adaptive.summary.clone();
    a.stopping = None;
    assert_eq!(a, fixed.summary, "summary after {n} trials");
    assert_eq!(adaptive.alerts, fixed.alerts);
    assert_eq!(adaptive.forecast, fixed.forecast);
    assert_eq!(adaptive.sim.team_months, fixed.sim.team_months);
}
