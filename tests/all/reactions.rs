//! Teams that react at the cap, against hand-computed ledgers and closed
//! forms: an upgrade billed from the next whole cycle (allotment and seats),
//! a throttle (deterministic on a schedule, a thinned Poisson process on a
//! Poisson flow), a model switch (the price per call from the switch on), a
//! plan file's plan change in replay, and the scenario errors.

use flowcast::engine::{simulate, Observer, SimOptions, TeamMonth};
use flowcast::ledger::CycleRecord;
use flowcast::replay::{plans::parse_plan_file, replay_reader, Billing};
use flowcast::scenario::{parse, Scenario};
use flowcast::statistics::SummaryCollector;
use std::path::Path;

const HOUR: f64 = 3600.0;
const DAY: f64 = 86_400.0;

fn scenario(text: &str) -> Scenario {
    parse(text, Path::new("test.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn opts(trials: u32) -> SimOptions {
    SimOptions {
        seed: 3,
        first_trial: 0,
        trials,
        threads: Some(2),
        progress: false,
        per_run: false,
    }
}

/// Every team-month: its record, runs started, the plan billed and the
/// seat cost.
#[derive(Default)]
struct Keep(Vec<(CycleRecord<f64>, u64, String, f64)>);
impl Observer for Keep {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        self.0.push((
            tm.record.clone(),
            tm.runs_started,
            tm.plan.name.clone(),
            f64::from(tm.seats) * tm.plan.seat_price_usd,
        ));
    }
}

/// One team, 2 seats, on `plan`, 10-day cycles: a cloud run every hour on
/// the hour (240 a cycle), instant, costing `blocks`; `extra` is appended to
/// the kind (its reactions).
fn hourly(plan: &str, overage: &str, blocks: &str, months: u32, extra: &str) -> Scenario {
    scenario(&format!(
        r#"
name = "react"
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 10
months = {months}
[[kinds]]
name = "k"
teams = 1
seats = 2
plan = "{plan}"
{overage}
size = 1
{extra}
  [[kinds.flows]]
  name = "f"
  trigger = "schedule"
  arrivals = {{ schedule = {{ every = "1h", at = "00:00" }} }}
  {blocks}
  duration_seconds = 0
"#
    ))
}

fn months_of(s: &Scenario) -> Vec<(CycleRecord<f64>, u64, String, f64)> {
    let mut k = Keep::default();
    simulate(s, &opts(1), &mut k).unwrap();
    k.0
}

#[test]
fn an_upgrade_bills_the_new_plan_from_the_next_whole_cycle() {
    // 2 credits a run (base + HTTP). Solo (50): the 25th run (hour 24)
    // reaches the limit; 215 runs (430 credits) are blocked. Team (100): the
    // 50th run (hour 49) reaches it; 190 runs (380 credits) are blocked.
    // Seats: 2 x $9 on solo, 2 x $19 on team (the price book).
    let solo = (50, 25, 215, 430, 24.0 * HOUR, "solo", 18.0);
    let team = (100, 50, 190, 380, 49.0 * HOUR, "team", 38.0);
    for (after, delay, expect) in [
        // At the first limit, at once: from cycle 2.
        (1, 0.0, [solo, team, team]),
        // At the second cycle at the limit: from cycle 3.
        (2, 0.0, [solo, solo, team]),
        // At the first limit, 10 days later (day 11): cycle 2 started on
        // day 10, so from cycle 3.
        (1, 240.0, [solo, solo, team]),
        // Too late for the horizon: never.
        (1, 1000.0, [solo, solo, solo]),
    ] {
        let s = hourly(
            "solo",
            "overage = \"off\"",
            "blocks = { http_request = 1 }",
            3,
            &format!(
                "  [[kinds.reactions]]\n  upgrade = \"team\"\n  after_limits = {after}\n  delay_hours = {delay}\n"
            ),
        );
        let got = months_of(&s);
        assert_eq!(got.len(), 3);
        for (c, ((r, _, plan, seats), e)) in got.iter().zip(expect).enumerate() {
            let start = c as f64 * 10.0 * DAY;
            assert_eq!(
                (
                    r.allotment,
                    r.runs_executed,
                    r.runs_blocked,
                    r.blocked_credits,
                    r.limit_reached_at,
                    plan.as_str(),
                    *seats
                ),
                (e.0, e.1, e.2, e.3, Some(start + e.4), e.5, e.6),
                "after {after}, delay {delay} h, cycle {}",
                c + 1
            );
            assert_eq!(r.credits_used, e.0, "used = the allotment, exactly");
        }
    }
}

#[test]
fn upgrades_follow_one_another_and_never_go_down() {
    let allotments = |blocks: &str, reactions: &str| -> Vec<(u64, String, f64)> {
        let s = hourly("solo", "overage = \"off\"", blocks, 4, reactions);
        months_of(&s)
            .into_iter()
            .map(|(r, _, plan, seats)| (r.allotment, plan, seats))
            .collect()
    };
    let two = "  [[kinds.reactions]]\n  upgrade = \"team\"\n  [[kinds.reactions]]\n  upgrade = \"enterprise\"\n  after_limits = 2\n";
    // 480 credits a cycle: solo and team reach their limits in cycles 1
    // and 2, enterprise (500) never.
    let got = allotments("blocks = { http_request = 1 }", two);
    let want = [
        (50, "solo", 18.0),
        (100, "team", 38.0),
        (500, "enterprise", 98.0),
        (500, "enterprise", 98.0),
    ];
    assert_eq!(got, want.map(|(a, p, s)| (a, p.to_string(), s)));
    // Enterprise first; at the second cycle at the limit (720 credits >=
    // 500), the move to team would be a downgrade: ignored.
    let down = "  [[kinds.reactions]]\n  upgrade = \"enterprise\"\n  [[kinds.reactions]]\n  upgrade = \"team\"\n  after_limits = 2\n";
    let got = allotments("blocks = { http_request = 1, logic = 1 }", down);
    let want = [
        (50, "solo"),
        (500, "enterprise"),
        (500, "enterprise"),
        (500, "enterprise"),
    ];
    assert_eq!(
        got.iter()
            .map(|(a, p, _)| (*a, p.as_str()))
            .collect::<Vec<_>>(),
        want
    );
}

#[test]
fn an_upgrade_raises_the_seat_cost_in_the_summary_and_compare() {
    let s = hourly(
        "solo",
        "overage = \"off\"",
        "blocks = { http_request = 1 }",
        3,
        "  [[kinds.reactions]]\n  upgrade = \"team\"\n",
    );
    let mut c = SummaryCollector::new(&s, &opts(1)).unwrap();
    simulate(&s, &opts(1), &mut c).unwrap();
    let st = &c.finish().kinds[0].stats;
    // Seats $18, then $38 twice; overage off: the total is the seats.
    let mean = (18.0 + 38.0 + 38.0) / 3.0;
    assert!((st.seat_cost_usd.mean - mean).abs() < 1e-9);
    assert!((st.total_cost_usd.mean - mean).abs() < 1e-9);
    // A plan with as many credits as the target: no upgrade.
    let s = hourly(
        "enterprise",
        "overage = \"off\"",
        "blocks = { http_request = 1 }",
        2,
        "  [[kinds.reactions]]\n  upgrade = \"team\"\n",
    );
    for (r, _, plan, _) in months_of(&s) {
        assert_eq!((r.allotment, plan.as_str()), (500, "enterprise"));
    }
}

#[test]
fn a_throttled_schedule_keeps_the_share_of_runs_it_says() {
    // Team plan, overage on, 2 credits a run: the 50th run (hour 49)
    // reaches 100; the throttle starts 1 ns later. Keeping the n-th later
    // arrival iff floor(n/2) > floor((n-1)/2) keeps the even ones: of the
    // 190 left in cycle 1 (n = 1..190), 95; of cycle 2's 240 (n = 191..430),
    // 120.
    let s = hourly(
        "team",
        "overage = \"on\"\noverage_price = 10.0",
        "blocks = { http_request = 1 }",
        2,
        "  [[kinds.reactions]]\n  throttle = { flow = \"f\", factor = 0.5 }\n",
    );
    let got = months_of(&s);
    let (r1, started1, ..) = &got[0];
    let (r2, started2, ..) = &got[1];
    assert_eq!(
        (r1.runs_executed, *started1, r1.credits_used),
        (145, 145, 290)
    );
    assert_eq!(
        (r2.runs_executed, *started2, r2.credits_used),
        (120, 120, 240)
    );
    // ceil((290 - 100) / 1000) = 1 block; likewise ceil(140 / 1000).
    assert_eq!((r1.overage_blocks, r2.overage_blocks), (1, 1));
    assert_eq!(r2.limit_reached_at, Some(10.0 * DAY + 99.0 * HOUR));
}

#[test]
fn a_throttled_poisson_flow_is_poisson_at_the_scaled_rate() {
    // 20 runs a day, 2 credits each, team plan (100): the limit comes after
    // 50 runs, P(fewer than 50 in 30 days, mean 600) ~ 1e-200, so cycle 2 is
    // throttled from its start: its runs are Poisson(0.25 x 20 x 30 = 150).
    // 600 teams: the mean's standard error is 0.5; a 4.5-sigma band
    // (+-2.25) fails with probability 7e-6 and catches a factor off by
    // 1.5% (2.25 / 150). The variance of Poisson(150) is 150; its sample
    // variance has a standard error of 150 sqrt(2/599) = 8.7; a band of
    // +-39 tells a thinned Poisson from a deterministic-share thinning
    // (variance 0, as a schedule has) or a doubled dispersion.
    let s = scenario(
        r#"
name = "thin"
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 30
months = 2
[[kinds]]
name = "k"
teams = 600
plan = "team"
overage = "on"
overage_price = 10.0
size = 1
  [[kinds.reactions]]
  throttle = { flow = "f", factor = 0.25 }
  [[kinds.flows]]
  name = "f"
  trigger = "api"
  arrivals = { poisson = { per_day = 20.0 } }
  blocks = { http_request = 1 }
  duration_seconds = 0
"#,
    );
    let mut k = Keep::default();
    simulate(&s, &opts(1), &mut k).unwrap();
    let second: Vec<f64> =
        k.0.iter()
            .filter(|(r, ..)| r.cycle_start > 0.0)
            .map(|(r, ..)| r.runs_executed as f64)
            .collect();
    assert_eq!(second.len(), 600);
    let n = second.len() as f64;
    let mean = second.iter().sum::<f64>() / n;
    let var = second.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    assert!((mean - 150.0).abs() < 2.25, "mean {mean}, expected 150");
    assert!((var - 150.0).abs() < 39.0, "variance {var}, expected 150");
}

#[test]
fn a_model_switch_prices_later_runs_at_the_new_model() {
    // An agent with 2 calls a run: on GPT-4o (15 credits a call, table B)
    // a run costs 1 + 30 = 31 credits; on GPT-5 mini (2 a call), 1 + 4 = 5.
    // Team plan (100): the 4th run (hour 3) reaches 124 >= 100; the switch
    // comes 2 h later, at hour 5: runs at hours 0-4 cost 31, the other 235
    // of cycle 1 cost 5, and all 240 of cycle 2.
    let s = scenario(
        r#"
name = "switch"
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 10
months = 2
[[kinds]]
name = "k"
teams = 1
plan = "team"
overage = "on"
overage_price = 10.0
size = 1
  [[kinds.reactions]]
  switch_model = { flow = "f", model = "gpt-5-mini" }
  delay_hours = 2
  [[kinds.flows]]
  name = "f"
  trigger = "schedule"
  arrivals = { schedule = { every = "1h", at = "00:00" } }
  duration_seconds = 0
    [kinds.flows.agent]
    model = "gpt-4o"
    calls = 2
"#,
    );
    let got = months_of(&s);
    let agent = flowcast::pricing::Source::AgentCall as usize;
    let (r1, r2) = (&got[0].0, &got[1].0);
    assert_eq!(r1.limit_reached_at, Some(3.0 * HOUR));
    assert_eq!(r1.credits_used, 5 * 31 + 235 * 5);
    assert_eq!(r1.by_source[agent], 5 * 30 + 235 * 4);
    assert_eq!(r2.credits_used, 240 * 5);
    // ceil((1330 - 100) / 1000) = 2 and ceil((1200 - 100) / 1000) = 2.
    assert_eq!((r1.overage_blocks, r2.overage_blocks), (2, 2));
}

#[test]
fn a_plan_file_change_bills_its_team_on_the_new_plan_from_that_cycle() {
    // Team "a" on solo (50), then on team (100) from 2026-07-01 (the second
    // monthly cycle); "b" stays on solo. Each runs 40 api runs of 2 credits
    // in June and in July: 80 credits of demand a month.
    let plans = parse_plan_file(
        r#"
plan = "solo"
[teams.a]
changes = [{ from = "2026-06-15T00:00:00Z", plan = "team" }]
"#,
        Path::new("plans.toml"),
        &flowcast::pricing::PriceBook::builtin(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let mut log = String::from(
        "run_id,team,flow,trigger,started_at,ended_at,parent_run_id,block,model,count
",
    );
    for team in ["a", "b"] {
        for month in [6, 7] {
            for i in 0..40 {
                let t = format!("2026-{month:02}-02T{:02}:{:02}:00Z", i / 60, i % 60);
                log.push_str(&format!(
                    "{team}-{month}-{i},{team},f,api,{t},{t},,http_request,,1
"
                ));
            }
        }
    }
    let mut billing = Billing::new(plans.anchor.unwrap_or_default(), plans.default);
    billing.teams = plans.teams;
    billing.changes = plans.changes;
    let book = flowcast::pricing::PriceBook::builtin();
    let r = replay_reader(log.as_bytes(), Path::new("log.csv"), &book, &billing).unwrap();
    let got: Vec<(&str, u64, u64, u64, u64)> = r
        .records
        .iter()
        .map(|x| {
            (
                x.team.as_str(),
                x.allotment,
                x.credits_used,
                x.runs_executed,
                x.runs_blocked,
            )
        })
        .collect();
    // Solo: 25 runs reach 50, 15 blocked. Team: all 40 (80 credits) run.
    // The change dated 15 June takes effect from the cycle starting 1 July.
    assert_eq!(
        got,
        vec![
            ("a", 50, 50, 25, 15),
            ("a", 100, 80, 40, 0),
            ("b", 50, 50, 25, 15),
            ("b", 50, 50, 25, 15),
        ]
    );
}

#[test]
fn bad_reactions_are_refused_with_their_line_and_key() {
    let base = |reaction: &str, overage: &str| {
        format!(
            r#"name = "bad"
[calendar]
start = 2026-06-01T00:00:00Z
[[kinds]]
name = "k"
teams = 1
plan = "solo"
{overage}
  [[kinds.reactions]]
  {reaction}
  [[kinds.flows]]
  name = "f"
  trigger = "api"
  arrivals = {{ poisson = {{ per_day = 1 }} }}
"#
        )
    };
    let off = r#"overage = "off""#;
    let on = "overage = \"on\"\noverage_price = 10.0";
    for (reaction, overage, line, expect) in [
        (
            r#"throttle = { flow = "g", factor = 0.5 }"#,
            off,
            10,
            "kinds.k.reactions[0].throttle.flow: no flow 'g'",
        ),
        (
            r#"throttle = { flow = "f", factor = 1.5 }"#,
            off,
            10,
            "throttle.factor: must be between 0 and 1",
        ),
        (
            r#"upgrade = "free""#,
            on,
            11,
            "plan 'free' does not allow overage",
        ),
        (r#"upgrade = "gold""#, off, 10, "unknown plan 'gold'"),
        (
            r#"switch_model = { flow = "f", model = "gpt-5" }"#,
            off,
            10,
            "has no block priced by model",
        ),
        (
            "upgrade = \"team\"\n  throttle = { flow = \"f\", factor = 0.5 }",
            off,
            9,
            "give exactly one of",
        ),
        (
            "upgrade = \"team\"\n  after_limits = 0",
            off,
            11,
            "after_limits: must be >= 1",
        ),
    ] {
        let text = base(reaction, overage);
        let e = parse(&text, Path::new("bad.toml")).unwrap_err().to_string();
        assert!(
            e.contains(&format!("bad.toml:{line}:")) && e.contains(expect),
            "{reaction}: {e}"
        );
        assert!(!e.contains('\n'), "one line: {e}");
    }
}
