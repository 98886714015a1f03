//! The simulator against closed-form answers.
//!
//! - Poisson arrivals of runs costing a fixed number of credits: the limit is
//!   reached iff at least ceil(allotment / cost) runs arrive, a Poisson tail;
//!   the hit time is then the Erlang(k, rate) arrival time, conditioned on
//!   falling in the month.
//! - A fixed schedule: exact credits, overage blocks, blocked runs and the
//!   reaction to a suspension, computed by hand.
//! - Blocked runs never execute: with instant runs, used credits stop within
//!   one run's cost of the allotment.

use flowcast::engine::{simulate, Observer, SimOptions, TeamMonth};
use flowcast::ledger::CycleRecord;
use flowcast::scenario::{parse, Scenario};
use flowcast::statistics::SummaryCollector;
use statrs::distribution::{ContinuousCDF, DiscreteCDF, Gamma, Poisson};
use std::path::Path;

const DAY: f64 = 86_400.0;

fn scenario(text: &str) -> Scenario {
    match parse(text, Path::new("test.toml")) {
        Ok(s) => s,
        Err(e) => panic!("test scenario does not parse: {e}"),
    }
}

fn opts(trials: u32) -> SimOptions {
    SimOptions {
        seed: 7,
        first_trial: 0,
        trials,
        threads: Some(2),
        progress: false,
        per_run: false,
    }
}

/// One team-month: record, demand credits, runs started, daily, alerts.
type Kept = (CycleRecord<f64>, u64, u64, Vec<u64>, [Option<f64>; 3]);

/// Keeps every team-month's record and extras.
#[derive(Default)]
struct Keep(Vec<Kept>);
impl Observer for Keep {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        self.0.push((
            tm.record.clone(),
            tm.demand_credits,
            tm.runs_started,
            tm.daily_cumulative.to_vec(),
            tm.alerts,
        ));
    }
}

/// One kind, `teams` teams of size exactly 1, a flat Poisson flow of
/// `per_day` api runs, each 1 (run) + `http` credits, instant.
fn poisson_scenario(teams: u32, per_day: f64, http: u32, overage: &str) -> Scenario {
    scenario(&format!(
        r#"
name = "poisson-tail"
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 30
[[kinds]]
name = "k"
teams = {teams}
plan = "team"
overage = "{overage}"
overage_price = 10.0
size = 1
  [[kinds.flows]]
  name = "f"
  trigger = "api"
  arrivals = {{ poisson = {{ per_day = {per_day} }} }}
  blocks = {{ http_request = {http} }}
  duration_seconds = 0
"#
    ))
}

#[test]
fn limit_probability_is_a_poisson_tail_and_hit_time_an_erlang_quantile() {
    // 4 credits a run, 100 allotted: the limit needs 25 runs. Mean 25 runs
    // a month, so P(hit) = P(Poisson(25) >= 25) = 0.553.
    let s = poisson_scenario(400, 25.0 / 30.0, 3, "off");
    let o = opts(25);
    let mut c = SummaryCollector::new(&s, &o).unwrap();
    simulate(&s, &o, &mut c).unwrap();
    let sum = c.finish();
    let st = &sum.kinds[0].stats;
    let n = st.team_months as f64;
    assert_eq!(n, 10_000.0);

    let p = 1.0 - Poisson::new(25.0).unwrap().cdf(24);
    let se = (p * (1.0 - p) / n).sqrt();
    let hit = st.hit.probability;
    assert!(
        (hit.value - p).abs() < 4.0 * se,
        "P(hit) {} vs {p}",
        hit.value
    );
    assert!(hit.ci_low < hit.value && hit.value < hit.ci_high);

    // The 25th arrival ~ Gamma(25, rate 25/30 per day), given <= 30 days.
    let erlang = Gamma::new(25.0, 25.0 / 30.0).unwrap();
    let f30 = erlang.cdf(30.0);
    let hits = hit.value * n;
    for (q, got) in [
        (0.1, st.hit.day_p10),
        (0.5, st.hit.day_p50),
        (0.9, st.hit.day_p90),
    ] {
        let got = got.expect("some team-months hit");
        let exact = erlang.inverse_cdf(q * f30);
        // The simulated quantile's conditional CDF must be within 4 standard
        // errors of q (the order-statistic error, whatever the density).
        let cdf_at = erlang.cdf(got) / f30;
        let tol = 4.0 * (q * (1.0 - q) / hits).sqrt() + 1.0 / 4096.0;
        assert!(
            (cdf_at - q).abs() < tol,
            "P{q}: {got} days vs exact {exact}"
        );
    }
    // By the end of the month the hit share equals the probability.
    assert_eq!(*st.hit.by_day.last().unwrap(), hit.value);
}

#[test]
fn blocked_runs_never_execute_used_stops_within_one_run_of_the_limit() {
    // Instant runs of 4 credits, overage off: a hit team-month ends with
    // used in [100, 103]; one that did not hit has used < 100 and nothing
    // blocked; demand = used + blocked credits.
    let s = poisson_scenario(200, 40.0 / 30.0, 3, "off");
    let mut k = Keep::default();
    simulate(&s, &opts(5), &mut k).unwrap();
    assert_eq!(k.0.len(), 1000);
    let mut hit = 0;
    for (r, demand, started, _, _) in &k.0 {
        assert_eq!(r.credits_used % 4, 0);
        assert_eq!(*demand, r.credits_used + r.blocked_credits);
        assert_eq!(*started, r.runs_executed + r.runs_blocked);
        if r.limit_reached_at.is_some() {
            hit += 1;
            assert_eq!(
                r.credits_used, 100,
                "instant 4-credit runs stop at exactly 100"
            );
            assert_eq!(r.runs_executed, 25);
            assert_eq!(r.suspended_at, r.limit_reached_at);
        } else {
            assert!(r.credits_used < 100 && r.runs_blocked == 0);
        }
    }
    assert!(hit > 500, "mean 40 runs: most team-months hit ({hit})");
}

/// A schedule: a run every hour on the hour for 30 days (720 runs), each
/// 1 + 2 HTTP + 1 logic = 4 credits, 1 s long.
fn hourly(overage: &str) -> Scenario {
    scenario(&format!(
        r#"
name = "hourly"
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 30
[[kinds]]
name = "k"
teams = 3
plan = "team"
overage = {overage}
overage_price = 12.5
size = {{ dist = "lognormal", mu = 0, sigma = 1 }}
  [[kinds.flows]]
  name = "f"
  trigger = "schedule"
  arrivals = {{ schedule = {{ every = "1h", at = "00:00" }} }}
  blocks = {{ http_request = 2, logic = 1 }}
  duration_seconds = 1
"#
    ))
}

#[test]
fn schedule_with_overage_on_bills_exact_credits_and_blocks() {
    let mut k = Keep::default();
    simulate(&hourly("\"on\""), &opts(2), &mut k).unwrap();
    assert_eq!(k.0.len(), 6);
    for (r, demand, started, daily, alerts) in &k.0 {
        // 720 runs x 4 credits; the size multiplier does not scale schedules.
        assert_eq!(r.credits_used, 2880);
        assert_eq!(*demand, 2880);
        assert_eq!((*started, r.runs_executed, r.runs_blocked), (720, 720, 0));
        // ceil((2880 - 100) / 1000) = 3 blocks at $12.50.
        assert_eq!(r.overage_blocks, 3);
        assert_eq!(r.overage_cost, 37.5);
        // The 25th run starts at 24:00 and ends 1 s later.
        assert_eq!(r.limit_reached_at, Some(DAY + 1.0));
        assert_eq!(r.suspended_at, None);
        // 24 runs (96 credits) end on each day.
        assert_eq!(daily.len(), 30);
        assert!(daily
            .iter()
            .enumerate()
            .all(|(d, &c)| c == 96 * (d as u64 + 1)));
        // 50% = 13th run (52 credits) ends at 12:00:01, 80% the 20th at 19:00:01.
        assert_eq!(alerts[0], Some(12.0 * 3600.0 + 1.0));
        assert_eq!(alerts[1], Some(19.0 * 3600.0 + 1.0));
        assert_eq!(alerts[2], Some(23.0 * 3600.0 + 1.0));
        assert_eq!(r.by_source[0], 720); // run base
        assert_eq!(r.by_source[1], 1440); // HTTP
        assert_eq!(r.by_source[2], 720); // logic
    }
}

#[test]
fn schedule_with_overage_off_blocks_every_run_after_the_limit() {
    let mut k = Keep::default();
    simulate(&hourly("\"off\""), &opts(1), &mut k).unwrap();
    for (r, demand, _, _, _) in &k.0 {
        assert_eq!(r.credits_used, 100);
        assert_eq!((r.runs_executed, r.runs_blocked), (25, 695));
        assert_eq!(r.blocked_credits, 695 * 4);
        assert_eq!(*demand, 2880);
        assert_eq!((r.overage_blocks, r.overage_cost), (0, 0.0));
        assert_eq!(r.suspended_at, Some(DAY + 1.0));
    }
}

#[test]
fn schedule_with_overage_after_a_ten_hour_reaction() {
    // Suspended at 24:00:01; overage on 10 h later (34:00:01): the starts at
    // 25:00 ... 34:00 (10 runs) are blocked, the other 710 execute.
    let mut k = Keep::default();
    simulate(&hourly("{ after_suspension = 10 }"), &opts(1), &mut k).unwrap();
    for (r, _, _, _, _) in &k.0 {
        assert_eq!((r.runs_executed, r.runs_blocked), (710, 10));
        assert_eq!(r.credits_used, 2840);
        assert_eq!(r.overage_blocks, 3);
        assert_eq!(r.resumed_at, Some(DAY + 1.0 + 36_000.0));
    }
}

#[test]
fn weekday_schedule_over_a_calendar_month_counts_its_days() {
    // June 2026 has 22 weekdays; one cloud run of 1 + 1 credits at 09:00 on
    // each; the month is 30 calendar days.
    let s = scenario(
        r#"
name = "weekdays"
[calendar]
start = 2026-06-01T00:00:00Z
months = 2
[[kinds]]
name = "k"
teams = 1
plan = "team"
  [[kinds.flows]]
  name = "f"
  trigger = "schedule"
  arrivals = { schedule = { every = "1d", at = "09:00", weekdays = "mon-fri" } }
  blocks = { http_request = 1 }
  duration_seconds = 60
"#,
    );
    let mut k = Keep::default();
    simulate(&s, &opts(1), &mut k).unwrap();
    assert_eq!(k.0.len(), 2);
    // June: 22 weekdays; July 2026: 23 weekdays; 31 days.
    assert_eq!(k.0[0].0.credits_used, 44);
    assert_eq!(k.0[0].3.len(), 30);
    assert_eq!(k.0[1].0.credits_used, 46);
    assert_eq!(k.0[1].3.len(), 31);
    assert_eq!(k.0[1].0.cycle_start, 30.0 * DAY);
}

#[test]
fn expected_runs_follow_hour_weekday_and_growth_rates() {
    // per_day 10, weekday weights Mon-Fri 1, Sat-Sun 0.5, growth 50%/month,
    // office-hour weights (normalised: the day still averages 10).
    // Expected runs over 30 days from a Monday:
    //   sum over days d of w(d) * 10 * integral of 1.5^(t/30) over day d.
    let s = scenario(
        r#"
name = "rates"
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 30
[[kinds]]
name = "k"
teams = 500
plan = "enterprise"
  [[kinds.flows]]
  name = "f"
  trigger = "manual"
  arrivals = { poisson = { per_day = 10.0, hours = "office", weekdays = [1, 1, 1, 1, 1, 0.5, 0.5], growth_per_month = 0.5 } }
  duration_seconds = 1
"#,
    );
    let beta = 1.5f64.ln() / 30.0;
    let expected: f64 = (0..30)
        .map(|d| {
            let w = if d % 7 >= 5 { 0.5 } else { 1.0 };
            let d = d as f64;
            w * 10.0 * ((beta * (d + 1.0)).exp() - (beta * d).exp()) / beta
        })
        .sum();
    let mut k = Keep::default();
    simulate(&s, &opts(4), &mut k).unwrap();
    let n = k.0.len() as f64;
    let mean = k.0.iter().map(|m| m.2 as f64).sum::<f64>() / n;
    // Poisson: variance = mean.
    let se = (expected / n).sqrt();
    assert!(
        (mean - expected).abs() < 4.0 * se,
        "mean runs {mean} vs {expected}"
    );
}

#[test]
fn bursts_raise_the_expected_runs_by_the_closed_form_factor() {
    // Flat rate r = 20/day over T = 30 days; bursts: Poisson(nu = 3) per
    // cycle, starts uniform, D = 12 h long, rate x M = 4 (overlaps compound).
    // Burst starts are a Poisson process of rate nu/T, so the bursts active
    // at t number Poisson(nu/T min(t, D)) and E[M^N(t)] = exp(a min(t, D))
    // with a = nu (M - 1) / T. Expected runs:
    //   r [ (e^(aD) - 1) / a + (T - D) e^(aD) ].
    let s = scenario(
        r#"
name = "bursts"
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 30
[[kinds]]
name = "k"
teams = 1000
plan = "enterprise"
  [[kinds.flows]]
  name = "f"
  trigger = "manual"
  arrivals = { poisson = { per_day = 20.0, bursts = { per_month = 3, duration_hours = 12, multiplier = 4 } } }
  duration_seconds = 1
"#,
    );
    let (r, t, d, a): (f64, f64, f64, f64) = (20.0, 30.0, 0.5, 3.0 * 3.0 / 30.0);
    let expected = r * ((a * d).exp_m1() / a + (t - d) * (a * d).exp());
    let mut k = Keep::default();
    simulate(&s, &opts(4), &mut k).unwrap();
    let xs: Vec<f64> = k.0.iter().map(|m| m.2 as f64).collect();
    let n = xs.len() as f64;
    let mean = xs.iter().sum::<f64>() / n;
    let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let se = (var / n).sqrt();
    assert!(
        (mean - expected).abs() < 4.0 * se,
        "mean runs {mean} vs {expected} (se {se})"
    );
    // Without bursts it would be 600: the test can tell the difference.
    assert!((mean - 600.0).abs() > 8.0 * se);
    // `flowcast check` states the same expectation (it used to add bursts
    // as if they never overlapped: 600 + 3 x 12 h x 3 x 20/24 = 690, against
    // the 696.3 of the closed form).
    let checked = flowcast::scenario::expected_runs_per_team_cycle(&s, &s.kinds[0], 0);
    assert!(
        (checked - expected).abs() < 1e-3 * expected,
        "check says {checked}, closed form {expected}"
    );
    assert!((checked - 690.0).abs() > 5.0);
}

/// An hourly agent flow whose two model calls each call one MCP tool that is
/// itself a flow. Parent (api): 1 run + 2 x 1 (gpt-5-nano) + 2 x 2 (MCP
/// tools) = 7 credits; each child run (mcp): 1 run + 1 HTTP = 2 credits, two
/// children per parent: 11 credits and 3 runs per parent run.
fn mcp_flows(overage: &str) -> Scenario {
    scenario(&format!(
        r#"
name = "mcp"
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 30
[[kinds]]
name = "k"
teams = 2
plan = "team"
overage = "{overage}"
overage_price = 10.0
  [[kinds.flows]]
  name = "parent"
  trigger = "api"
  arrivals = {{ schedule = {{ every = "1h" }} }}
  agent = {{ model = "gpt-5-nano", calls = 2, tools_per_call = 1, tools = [ {{ name = "lookup", weight = 1, flow = "child" }} ] }}
  duration_seconds = 1
  [[kinds.flows]]
  name = "child"
  trigger = "mcp"
  blocks = {{ http_request = 1 }}
"#
    ))
}

#[test]
fn mcp_flow_runs_accrue_with_their_parent_and_are_blocked_with_it() {
    let mut on = Keep::default();
    simulate(&mcp_flows("on"), &opts(1), &mut on).unwrap();
    for (r, demand, started, _, _) in &on.0 {
        assert_eq!(r.credits_used, 720 * 11);
        assert_eq!(*demand, 720 * 11);
        assert_eq!((*started, r.runs_executed), (2160, 2160));
        assert_eq!(r.by_source[0], 720 + 1440); // run base: parents + children
        assert_eq!(r.by_source[1], 1440); // children's HTTP
        assert_eq!(r.by_source[7], 1440); // agent model calls
        assert_eq!(r.by_source[8], 2880); // MCP tool calls
    }
    let mut off = Keep::default();
    simulate(&mcp_flows("off"), &opts(1), &mut off).unwrap();
    for (r, demand, started, _, _) in &off.0 {
        // The 10th parent run (110 credits) reaches the limit; the other 710
        // parents and their 1,420 children are blocked.
        assert_eq!(r.credits_used, 110);
        assert_eq!(r.runs_executed, 30);
        assert_eq!(r.runs_blocked, 2130);
        assert_eq!(r.blocked_credits, 710 * 11);
        assert_eq!((*demand, *started), (720 * 11, 2160));
    }
}
