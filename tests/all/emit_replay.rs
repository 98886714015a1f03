//! The two halves of the billing contract bound together: a simulated log,
//! replayed with its plan file, is billed exactly as the simulator billed it
//! (credits, the limit instant to the nanosecond, overage blocks and cost,
//! runs executed and blocked, blocked credits, suspension and resumption),
//! per team and cycle. On every shipped scenario (teams capped so the test
//! stays quick; the rules do not depend on how many teams there are), and on
//! random scenarios built to hit the tie rules: zero-length runs, schedules
//! that coincide, nested MCP flows, reactions after a suspension.

use flowcast::emit::{emit_log, plan_file, team_id};
use flowcast::replay::{plans::read_plan_file, replay_reader, Billing, ReplayRecord};
use flowcast::scenario::Scenario;
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Emits `trials` trials of `s`, replays them, and compares every team-cycle
/// of the horizon. Returns how many team-cycles with runs were compared.
fn emitted_log_replays_exactly(s: &Scenario, seed: u64, trials: u32) -> usize {
    let mut log = Vec::new();
    let emitted = emit_log(s, seed, trials, &mut log).expect("emit");
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("log.plans.toml");
    std::fs::write(&plans, plan_file(s, &emitted.billed, trials)).unwrap();
    let pf = read_plan_file(&plans, &s.prices).unwrap_or_else(|e| panic!("{e}"));
    let mut billing = Billing::new(pf.anchor.expect("the plan file sets cycles"), pf.default);
    billing.teams = pf.teams;
    billing.changes = pf.changes;
    let replay = replay_reader(&log[..], "log.csv".as_ref(), &s.prices, &billing)
        .unwrap_or_else(|e| panic!("{}: {e}", s.name));

    let start = s.calendar.start.timestamp_nanos_opt().unwrap();
    let horizon = emitted
        .billed
        .iter()
        .map(|b| b.record.cycle_start)
        .max()
        .unwrap();
    // Replay's records within the simulated horizon (runs still in flight at
    // its end accrue in a later cycle, which the simulator does not bill).
    let replayed: BTreeMap<(String, i64), &ReplayRecord> = replay
        .records
        .iter()
        .filter(|r| r.cycle_start <= start + horizon)
        .map(|r| ((r.team.clone(), r.cycle_start), r))
        .collect();
    let mut compared = 0;
    for b in &emitted.billed {
        let id = team_id(s, b.kind, b.team, b.trial, trials);
        let at = |t: Option<i64>| t.map(|t| start + t);
        let key = (id.clone(), start + b.record.cycle_start);
        let Some(r) = replayed.get(&key) else {
            assert!(
                !b.record.has_runs(),
                "{}: {id} cycle {}: simulated runs, none replayed",
                s.name,
                b.record.cycle_start
            );
            continue;
        };
        compared += 1;
        let sim = &b.record;
        assert_eq!(
            (
                sim.allotment,
                sim.credits_used,
                at(sim.limit_reached_at),
                sim.overage_blocks,
                sim.overage_cost,
                sim.runs_executed,
                sim.runs_blocked,
                sim.blocked_credits,
                at(sim.suspended_at),
                at(sim.resumed_at),
            ),
            (
                r.allotment,
                r.credits_used,
                r.limit_reached_at,
                r.overage_blocks,
                r.overage_cost,
                r.runs_executed,
                r.runs_blocked,
                r.blocked_credits,
                r.suspended_at,
                r.resumed_at,
            ),
            "{}: team {id}, cycle {}",
            s.name,
            flowcast::replay::format_time(key.1)
        );
    }
    assert_eq!(
        compared,
        replayed.len(),
        "{}: replay billed team-cycles the simulator did not",
        s.name
    );
    compared
}

#[test]
fn every_shipped_scenario_replays_exactly() {
    let mut files: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the shipped scenarios are found");
    for path in files {
        let mut s = flowcast::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        for k in &mut s.kinds {
            k.teams = k.teams.min(6);
        }
        let compared = emitted_log_replays_exactly(&s, 7, 2);
        assert!(compared > 0, "{}: nothing was compared", path.display());
    }
}

/// A random scenario that provokes every tie and nesting rule.
#[allow(clippy::too_many_arguments)]
fn scenario_text(
    zero_len: bool,
    every_min: u32,
    per_day: f64,
    credits: u32,
    overage: u8,
    delay_h: f64,
    agent_calls: f64,
    cycle_days: Option<u32>,
    react: u8,
    version: Option<(u32, Option<u32>)>,
) -> String {
    // A dated price version from `from_h` hours after the start (whole hours
    // coincide with schedule runs: a run starting at `from` takes the new
    // prices), for `len_h` hours or open-ended; it re-prices a block of every
    // flow, the nested MCP flow's connector and both agent models.
    let version = match version {
        None => String::new(),
        Some((from_h, len_h)) => {
            let at = |h: u32| {
                (chrono::DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z").unwrap()
                    + chrono::Duration::hours(i64::from(h)))
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            };
            let until = len_h.map_or(String::new(), |l| format!("until = {}\n", at(from_h + l)));
            format!(
                "[prices.versions.change]\nfrom = {}\n{until}blocks.http_request = {{ manual = 0, cloud = 3 }}\nblocks.logic = {{ manual = 0, cloud = 2 }}\nblocks.connector = {{ manual = 5, cloud = 4 }}\nagent_call = {{ \"gpt-5-nano\" = 3, \"gpt-5\" = 7 }}\n",
                at(from_h)
            )
        }
    };
    // Reactions at the cap: bit 0 an upgrade, bit 1 a model switch, bit 2 a
    // throttle of a schedule, bit 3 a throttle of a Poisson flow.
    let mut reactions = String::new();
    for (bit, r) in [
        "upgrade = \"enterprise\"\n  delay_hours = { dist = \"uniform\", low = 0, high = 48 }",
        "switch_model = { flow = \"chat\", model = \"gpt-5\" }\n  after_limits = 1",
        "throttle = { flow = \"tick\", factor = 0.3 }\n  delay_hours = 2",
        "throttle = { flow = \"chat\", factor = 0.6 }",
    ]
    .iter()
    .enumerate()
    {
        if react & (1 << bit) != 0 {
            reactions.push_str(&format!("  [[kinds.reactions]]\n  {r}\n"));
        }
    }
    let overage = match overage {
        0 => "overage = \"off\"".to_string(),
        1 => "overage = \"on\"\noverage_price = 10.0".to_string(),
        _ => format!("overage = {{ after_suspension = {delay_h} }}\noverage_price = 10.0"),
    };
    let dur = if zero_len {
        "0"
    } else {
        "{ dist = \"lognormal\", median = 30, sigma = 1 }"
    };
    let calendar = match cycle_days {
        Some(d) => format!("cycle_days = {d}\nmonths = 2"),
        None => "months = 2".to_string(),
    };
    format!(
        r#"
name = "prop"
[calendar]
start = 2026-03-01T00:00:00Z
{calendar}
{version}
[prices.plans.tiny]
credits = {credits}
overage_allowed = true
seat_price_usd = 1
[[kinds]]
name = "k"
teams = 3
plan = "tiny"
{overage}
size = {{ dist = "lognormal", mu = 0, sigma = 0.5 }}
{reactions}
  [[kinds.flows]]
  name = "tick"
  trigger = "schedule"
  arrivals = {{ schedule = {{ every = "{every_min}m" }} }}
  duration_seconds = {dur}
  blocks = {{ http_request = 1 }}
  [[kinds.flows]]
  name = "tock"
  trigger = "schedule"
  arrivals = {{ schedule = {{ every = "{every_min}m" }} }}
  duration_seconds = 0
  blocks = {{ logic = {{ dist = "poisson", mean = 1 }} }}
  [[kinds.flows]]
  name = "chat"
  trigger = "manual"
  arrivals = {{ poisson = {{ per_day = {per_day} }} }}
  duration_seconds = {dur}
  blocks = {{ ai_request = {{ dist = "bernoulli", p = 0.5 }} }}
  [kinds.flows.agent]
  model = "gpt-5-nano"
  calls = {{ dist = "poisson", mean = {agent_calls} }}
  tools_per_call = {{ dist = "bernoulli", p = 0.5 }}
  tools = [ {{ name = "lookup", weight = 1, flow = "lookup" }}, {{ name = "web", weight = 1 }} ]
  [[kinds.flows]]
  name = "lookup"
  trigger = "mcp"
  blocks = {{ connector = {{ dist = "bernoulli", p = 0.5 }} }}
"#
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// For random scenarios, the simulator's billing of every team-month
    /// equals replay's billing of the same runs.
    #[test]
    fn random_scenarios_replay_exactly(
        zero_len in any::<bool>(),
        every_min in prop::sample::select(vec![30u32, 60, 120]),
        per_day in 0.0f64..40.0,
        credits in 5u32..400,
        overage in 0u8..3,
        delay_h in prop::sample::select(vec![0.0f64, 0.5, 24.0]),
        agent_calls in 0.0f64..3.0,
        cycle_days in prop::option::of(prop::sample::select(vec![7u32, 30])),
        seed in 0u64..1000,
        react in 0u8..16,
        version in prop::option::of((0u32..1500, prop::option::of(1u32..400))),
    ) {
        let text = scenario_text(zero_len, every_min, per_day, credits, overage, delay_h, agent_calls, cycle_days, react, version);
        let s = flowcast::scenario::parse(&text, "prop.toml".as_ref()).unwrap_or_else(|e| panic!("{e}\n{text}"));
        emitted_log_replays_exactly(&s, seed, 1);
    }
}

/// The tie from the issue: two hourly zero-length schedule flows on the free
/// plan (25 credits, 1 credit per run). The 25th run's end makes the limit;
/// the runs that start at that same instant were admitted before it (a
/// zero-length run ends after every start at its instant), so both runs at
/// 12:00 execute: 26 credits, in the simulator and in replay alike.
#[test]
fn zero_length_schedule_runs_at_one_instant_bill_alike() {
    let text = r#"
name = "tie"
[calendar]
start = 2026-06-01T00:00:00Z
[[kinds]]
name = "k"
teams = 1
plan = "free"
  [[kinds.flows]]
  name = "a"
  trigger = "schedule"
  arrivals = { schedule = { every = "1h" } }
  duration_seconds = 0
  [[kinds.flows]]
  name = "b"
  trigger = "schedule"
  arrivals = { schedule = { every = "1h" } }
  duration_seconds = 0
"#;
    let s = flowcast::scenario::parse(text, "tie.toml".as_ref()).unwrap();
    let mut log = Vec::new();
    let e = emit_log(&s, 1, 1, &mut log).unwrap();
    let month = &e.billed[0].record;
    // 00:00 .. 12:00 is 13 instants x 2 runs = 26 credits; from 13:00 on
    // every run is blocked (2 x 11 hours a day on day 1, then 2 x 24 a day).
    assert_eq!(month.credits_used, 26);
    let noon = 12 * 3_600_000_000_000i64;
    assert_eq!(month.limit_reached_at, Some(noon));
    assert_eq!(month.runs_blocked, 2 * (30 * 24 - 13));
    emitted_log_replays_exactly(&s, 1, 1);
}
