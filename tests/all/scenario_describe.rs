//! `describe`'s closed-form expected values, checked against values derived
//! by hand from the source's credit tables (shared/seeds/flows-usage.md) and
//! from the distributions' textbook means (statrs).

use flowcast::pricing::Source;
use flowcast::scenario::{
    self, expectations, expected_credits_per_run, expected_runs_per_team_cycle,
};
use statrs::distribution::LogNormal;
use statrs::statistics::Distribution;
use std::path::Path;

fn bench() -> scenario::Scenario {
    scenario::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench.toml")).unwrap()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * b.abs().max(1.0)
}

#[test]
fn credits_per_run_of_the_bench_flows_match_the_source_tables() {
    let s = bench();
    let (auto, agentic) = (&s.kinds[0], &s.kinds[1]);
    // nightly-checks, a cloud run: 1 (deployed run) + 2 HTTP x 1 + 1 If x 1.
    assert_eq!(expected_credits_per_run(&s.prices, auto, 0), 4.0);
    // webhook-sync: 1 + 1 HTTP + 1 Connector x 2 + E[Poisson(3)] Evaluate x 1.
    assert_eq!(
        expected_credits_per_run(&s.prices, auto, 1),
        1.0 + 1.0 + 2.0 + 3.0
    );
    // support-agent: 1 + 1 AI Request + E[K] = 3 GPT-5 mini calls x 2
    // + 3 calls x 0.5 MCP tool calls x 2 credits (plain tools).
    assert_eq!(
        expected_credits_per_run(&s.prices, agentic, 0),
        1.0 + 1.0 + 3.0 * 2.0 + 3.0 * 0.5 * 2.0
    );
    // design-assets, a manual run (no base charge): 1 Create with AI on
    // GPT-4o mini (1 credit) + E[Poisson(0.5)] DALL-E 3 images x 10.
    assert_eq!(
        expected_credits_per_run(&s.prices, agentic, 1),
        1.0 + 0.5 * 10.0
    );
}

#[test]
fn expected_runs_of_the_bench_flows() {
    let s = bench();
    let (auto, agentic) = (&s.kinds[0], &s.kinds[1]);
    let mean_size = LogNormal::new(0.0, 0.5).unwrap().mean().unwrap();
    // Every 10 minutes for 30 days: 144 x 30, not scaled by size.
    assert_eq!(expected_runs_per_team_cycle(&s, auto, 0), 4320.0);
    // Poisson: the hour profile is normalised, so a day averages per_day.
    assert!(close(
        expected_runs_per_team_cycle(&s, auto, 1),
        200.0 * 30.0 * mean_size
    ));
    assert!(close(
        expected_runs_per_team_cycle(&s, agentic, 0),
        150.0 * 30.0 * mean_size
    ));
    // Weekdays only: a 30-day month from a Monday has 4 x 5 + 2 = 22 weekdays.
    assert!(close(
        expected_runs_per_team_cycle(&s, agentic, 1),
        5.0 * 22.0 * mean_size
    ));
}

/// A kind with an MCP flow, growth, a usage multiplier and a weekday profile.
const NESTED: &str = r#"
name = "nested"
usage_multiplier = 1.5
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 30
[[kinds]]
name = "k"
teams = 1
plan = "team"
[[kinds.flows]]
name = "front"
trigger = "api"
arrivals = { poisson = { per_day = 10, growth_per_month = 0.1 } }
agent = { model = "gpt-4o", calls = 2, tools_per_call = 1, tools = [
  { name = "lookup", weight = 1, flow = "lookup" },
  { name = "plain", weight = 1 },
] }
[[kinds.flows]]
name = "lookup"
trigger = "mcp"
blocks = { http_request = 1, connector = 1 }
agent = { model = "gpt-5-nano", calls = 1, tools_per_call = { dist = "bernoulli", p = 0.5 }, tools = [{ name = "deep", flow = "deep" }] }
[[kinds.flows]]
name = "deep"
trigger = "mcp"
blocks = { logic = 3 }
[[kinds.flows]]
name = "weekly"
trigger = "schedule"
arrivals = { schedule = { every = "6h", at = "03:00", weekdays = ["sat", "sun"] } }
[[kinds.flows]]
name = "by-hand"
trigger = "manual"
arrivals = { poisson = { per_day = 2, weekdays = [2, 1, 1, 1, 1, 0, 0] } }
blocks = { http_request = 4, logic = 4, ai_request = 1 }
"#;

#[test]
fn nested_mcp_flows_are_priced_into_their_parent() {
    let s = scenario::parse(NESTED, Path::new("nested.toml")).unwrap();
    let k = &s.kinds[0];
    // deep (mcp): 1 + 3 logic = 4.
    let deep = 1.0 + 3.0;
    assert_eq!(expected_credits_per_run(&s.prices, k, 2), deep);
    // lookup (mcp): 1 + 1 HTTP + 2 connector + 1 GPT-5 nano call x 1
    // + 0.5 tool calls x (2 + deep).
    let lookup = 1.0 + 1.0 + 2.0 + 1.0 + 0.5 * (2.0 + deep);
    assert_eq!(expected_credits_per_run(&s.prices, k, 1), lookup);
    // front (api): 1 + 2 GPT-4o calls x 15 + 2 tool calls x (2 + half of
    // them to the lookup flow).
    let front = 1.0 + 2.0 * 15.0 + 2.0 * (2.0 + 0.5 * lookup);
    assert!(close(expected_credits_per_run(&s.prices, k, 0), front));
    let e = &expectations(&s)[0];
    assert_eq!(e.allotment, 100);
    // By source: front's MCP tool credits include lookup's own tool calls.
    let mcp = e.flows[0].by_source[Source::McpTool as usize];
    assert!(close(mcp, 2.0 * 2.0 + 2.0 * 0.5 * (0.5 * 2.0)));
    // Runs as a tool: front's runs x 2 calls x 1 tool x weight share 1/2;
    // deep: lookup's runs x 1 call x 0.5.
    let front_runs = e.flows[0].runs;
    assert!(close(e.flows[1].runs_as_tool, front_runs));
    assert!(close(e.flows[2].runs_as_tool, front_runs * 0.5));
    assert_eq!((e.flows[1].runs, e.flows[1].credits), (0.0, 0.0));
}

#[test]
fn growth_usage_multiplier_and_weekday_profiles() {
    let s = scenario::parse(NESTED, Path::new("nested.toml")).unwrap();
    let k = &s.kinds[0];
    // Rate 10/day x usage 1.5 x (1.1)^(t / 30 days): integral over 30 days
    // = 30 x 0.1 / ln 1.1 days.
    let front = 10.0 * 1.5 * 30.0 * 0.1 / 1.1f64.ln();
    assert!(close(expected_runs_per_team_cycle(&s, k, 0), front));
    // Every 6 h from 03:00 (03, 09, 15, 21) on Saturdays and Sundays; June
    // 1st 2026 is a Monday, so 30 days hold 4 Saturdays and 4 Sundays. The
    // usage multiplier does not scale schedules.
    assert_eq!(expected_runs_per_team_cycle(&s, k, 3), 4.0 * 8.0);
    // Weekday weights are multipliers as given: 4 Mondays x 2 (+ 1 more
    // Monday, the 29th) and 4 + 1 Tuesdays, 4 each Wed-Fri at 1, none at
    // weekends: (5 x 2 + 5 + 4 + 4 + 4) x 2/day x 1.5.
    assert!(close(
        expected_runs_per_team_cycle(&s, k, 4),
        (5.0 * 2.0 + 5.0 + 4.0 + 4.0 + 4.0) * 2.0 * 1.5
    ));
    // A manual run pays only for AI Request: HTTP and logic are free.
    assert_eq!(expected_credits_per_run(&s.prices, k, 4), 1.0);
}

#[test]
fn calendar_month_cycles_and_bursts() {
    // June has 30 days; a July start has 31.
    let text = NESTED
        .replace("cycle_days = 30\n", "")
        .replace("2026-06-01", "2026-07-01")
        .replace("usage_multiplier = 1.5", "");
    let text = text.replace(
        "arrivals = { poisson = { per_day = 10, growth_per_month = 0.1 } }",
        "arrivals = { poisson = { per_day = 10, bursts = { per_month = 3, duration_hours = { dist = \"gamma\", shape = 2, scale = 2 }, multiplier = 5 } } }",
    );
    let s = scenario::parse(&text, Path::new("b.toml")).unwrap();
    let k = &s.kinds[0];
    // Burst starts: a Poisson process of rho = 3 per 30 days; D ~ Gamma(2,
    // 2 h), whose survival is e^(-u/2)(1 + u/2), so E[min(D, t)] = 2 (2 -
    // e^(-t/2) (2 + t/2)) hours. Active bursts at t: Poisson(rho E[min(D, t)]),
    // each x5 and compounding, so E[5^N] = exp(4 rho E[min(D, t)]). Expected
    // runs: 10/day x the integral of that over the 31 days (quadrature here,
    // in 1-minute steps, on the analytic E[min(D, t)]).
    let rho_per_hour = 3.0 / (30.0 * 24.0);
    let mean_min = |t: f64| 2.0 * (2.0 - (-t / 2.0).exp() * (2.0 + t / 2.0));
    let minutes = 31 * 24 * 60;
    let expected: f64 = (0..minutes)
        .map(|i| {
            let t = (f64::from(i) + 0.5) / 60.0;
            (10.0 / 24.0 / 60.0) * (4.0 * rho_per_hour * mean_min(t)).exp()
        })
        .sum();
    let got = expected_runs_per_team_cycle(&s, k, 0);
    // E[min(D, t)] from 4,096 draws: within 0.1% here (0.04% seen), which
    // tells it from never-overlapping bursts (330.67, 0.18% below).
    assert!(
        (got - expected).abs() < 1e-3 * expected,
        "{got} vs {expected}"
    );
    // Bursts that never overlapped would give 310 + 3 x 31/30 x 4 h x 4 x 10/24.
    let linear = 10.0 * 31.0 + 3.0 * 31.0 / 30.0 * 4.0 * 4.0 * (10.0 / 24.0);
    assert!((got - linear).abs() > 1e-3 * expected, "{got} vs {linear}");
}

#[test]
fn describe_shows_every_flow_and_the_allotment() {
    let s = bench();
    let text = scenario::describe(&s);
    for f in [
        "nightly-checks",
        "webhook-sync",
        "support-agent",
        "design-assets",
    ] {
        assert!(
            text.contains(&format!("flow '{f}'")),
            "{f} missing:\n{text}"
        );
    }
    assert!(text.contains("credits per run:        11.000 = run_base 1 + ai_request 1 + agent_call 6 + mcp_tool 3"), "{text}");
    assert!(
        text.contains("runs per team-cycle:    4320.0 own"),
        "{text}"
    );
    assert!(text.contains("vs allotment 100"), "{text}");
    assert!(
        text.contains("ASSUMPTION"),
        "the overage price is labelled an assumption:\n{text}"
    );
}

#[test]
fn growth_compounds_across_cycles() {
    let text = NESTED.replace("cycle_days = 30\n", "cycle_days = 30\nmonths = 3\n");
    let s = scenario::parse(&text, Path::new("g.toml")).unwrap();
    let k = &s.kinds[0];
    // (1.1)^(t/30 days) integrated over days [30i, 30i + 30): each cycle is
    // 1.1 x the one before.
    let c0 = scenario::expected_runs_in_cycle(&s, k, 0, 0);
    let c1 = scenario::expected_runs_in_cycle(&s, k, 0, 1);
    let c2 = scenario::expected_runs_in_cycle(&s, k, 0, 2);
    assert!(
        close(c1, 1.1 * c0) && close(c2, 1.21 * c0),
        "{c0} {c1} {c2}"
    );
    // Fixed-length cycles follow each other: cycle 2 starts 60 days in.
    let (a, b) = scenario::cycle_bounds(&s.calendar, 2);
    assert_eq!((b - a).num_days(), 30);
    assert_eq!((a - s.calendar.start).num_days(), 60);
    assert!(scenario::describe(&s).contains("demand by cycle:"));
}

#[test]
fn the_agent_model_pair_differs_only_in_the_model() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let a = scenario::load(&dir.join("agent-gpt4o.toml")).unwrap();
    let b = scenario::load(&dir.join("agent-gpt5mini.toml")).unwrap();
    let model = |s: &scenario::Scenario| s.kinds[0].flows[0].run.agent.as_ref().unwrap().model;
    assert_eq!(model(&a), a.prices.agent_model("gpt-4o").unwrap());
    assert_eq!(model(&b), b.prices.agent_model("gpt-5-mini").unwrap());
    let mut b_as_a = b.clone();
    b_as_a.name = a.name.clone();
    b_as_a.description = a.description.clone();
    b_as_a.kinds[0].flows[0].run.agent.as_mut().unwrap().model = model(&a);
    assert_eq!(b_as_a, a);
    // Per run: 3 calls x (15 - 2) credits apart.
    let diff = expected_credits_per_run(&a.prices, &a.kinds[0], 0)
        - expected_credits_per_run(&b.prices, &b.kinds[0], 0);
    assert!(close(diff, 3.0 * 13.0));
}
