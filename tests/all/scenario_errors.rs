//! Bad scenarios: every error class gives ONE line `FILE:LINE: key.path:
//! problem` naming the right line and key; distribution parameters are
//! validated; overrides hit, miss and are validated like the file.

use flowcast::scenario::{self, Dist, OveragePolicy, ScenarioError};
use std::path::Path;

/// A small valid scenario; tests replace one line and expect the error on it.
const BASE: &str = r#"name = "t"
[simulation]
trials = 5
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 30
[[kinds]]
name = "k"
teams = 2
plan = "team"
overage = "on"
overage_price = 10
[[kinds.flows]]
name = "a"
trigger = "api"
arrivals = { poisson = { per_day = 10 } }
agent = { model = "gpt-5", calls = 2, tools_per_call = 1, tools = [{ name = "t1", flow = "b" }] }
[[kinds.flows]]
name = "b"
trigger = "mcp"
blocks = { http_request = 1 }
"#;

/// BASE with line `n` (1-based) replaced by `new`.
fn with_line(n: usize, new: &str) -> String {
    let mut lines: Vec<&str> = BASE.lines().collect();
    lines[n - 1] = new;
    lines.join("\n") + "\n"
}

fn parse(text: &str) -> Result<scenario::Scenario, ScenarioError> {
    scenario::parse(text, Path::new("t.toml"))
}

/// Asserts that `text` fails at `line` on `key`, with `words` in the problem,
/// and that the message is one line in the documented shape.
#[track_caller]
fn fails(text: &str, line: usize, key: &str, words: &str) {
    let e = parse(text).expect_err("should be rejected");
    let msg = e.to_string();
    assert!(!msg.contains('\n'), "one line: {msg}");
    assert_eq!(e.line, Some(line), "{msg}");
    assert_eq!(e.key.as_deref(), Some(key), "{msg}");
    assert!(e.problem.contains(words), "'{words}' not in: {msg}");
    assert!(msg.starts_with(&format!("t.toml:{line}: {key}: ")), "{msg}");
}

#[test]
fn base_is_valid() {
    let s = parse(BASE).unwrap();
    assert_eq!(
        s.kinds[0].flows[0].run.agent.as_ref().unwrap().tools[0].flow,
        Some(1)
    );
    assert_eq!(s.trials, 5);
}

#[test]
fn unknown_fields_are_rejected_with_their_line() {
    fails(
        &with_line(12, "overage_price = 10\nbogus = 1"),
        13,
        "kinds.k.bogus",
        "unknown field `bogus`",
    );
    fails(
        &with_line(3, "trials = 5\ncolour = 1"),
        4,
        "simulation.colour",
        "unknown field",
    );
    fails(
        &with_line(16, "arrivals = { poisson = { per_day = 10, perday = 3 } }"),
        16,
        "kinds.k.flows.a.arrivals.poisson.perday",
        "unknown field",
    );
    fails(
        &with_line(21, "blocks = { http = 1 }"),
        21,
        "kinds.k.flows.b.blocks.http",
        "unknown field",
    );
}

#[test]
fn unknown_names_are_rejected() {
    fails(
        &with_line(10, r#"plan = "gold""#),
        10,
        "kinds.k.plan",
        "unknown plan 'gold'",
    );
    fails(
        &with_line(15, r#"trigger = "cron""#),
        15,
        "kinds.k.flows.a.trigger",
        "unknown trigger 'cron'",
    );
    fails(
        &with_line(17, r#"agent = { model = "gpt-6", calls = 2 }"#),
        17,
        "kinds.k.flows.a.agent.model",
        "unknown AI Agent (table B) model 'gpt-6'",
    );
    fails(
        &with_line(21, r#"create_with_ai = { model = "gpt-5" }"#),
        21,
        "kinds.k.flows.b.create_with_ai.model",
        "unknown Create with AI (table A) model",
    );
}

#[test]
fn mcp_flow_references_are_checked() {
    fails(
        &with_line(
            17,
            r#"agent = { model = "gpt-5", calls = 2, tools = [{ name = "t1", flow = "zz" }] }"#,
        ),
        17,
        "kinds.k.flows.a.agent.tools.t1.flow",
        "no flow named 'zz'",
    );
    // A tool flow must be an MCP flow.
    let text = with_line(20, r#"trigger = "api""#).replace(
        "blocks = { http_request = 1 }",
        "arrivals = { poisson = { per_day = 1 } }",
    );
    fails(
        &text,
        17,
        "kinds.k.flows.a.agent.tools.t1.flow",
        "trigger must be 'mcp'",
    );
    // Self cycle: b calls b.
    let text = with_line(21, "blocks = { http_request = 1 }\nagent = { model = \"gpt-5\", calls = 1, tools = [{ name = \"again\", flow = \"b\" }] }");
    fails(
        &text,
        22,
        "kinds.k.flows.b.agent.tools.again.flow",
        "cycle: b -> b",
    );
    // a -> b -> a (a made an MCP flow, still with its own arrivals).
    let text = with_line(15, r#"trigger = "mcp""#).replace(
        "blocks = { http_request = 1 }",
        "agent = { model = \"gpt-5\", calls = 1, tools = [{ name = \"back\", flow = \"a\" }] }",
    );
    fails(
        &text,
        21,
        "kinds.k.flows.b.agent.tools.back.flow",
        "cycle: a -> b -> a",
    );
}

#[test]
fn duplicate_names_are_rejected() {
    fails(
        &with_line(19, r#"name = "a""#),
        19,
        "kinds.k.flows.a",
        "duplicate flow name 'a'",
    );
    let second_kind: String = BASE.lines().skip(6).collect::<Vec<_>>().join("\n");
    let text = format!("{BASE}{second_kind}\n");
    fails(&text, 8 + 15, "kinds.k", "duplicate kind name 'k'");
    fails(
        &with_line(
            17,
            r#"agent = { model = "gpt-5", calls = 2, tools = [{ name = "x" }, { name = "x" }] }"#,
        ),
        17,
        "kinds.k.flows.a.agent.tools.x",
        "duplicate tool name",
    );
}

#[test]
fn overage_rules() {
    fails(
        &with_line(10, r#"plan = "free""#),
        11,
        "kinds.k.overage",
        "does not allow overage",
    );
    fails(&with_line(12, ""), 11, "kinds.k.overage_price", "missing");
    fails(
        &with_line(12, "overage_price = -3"),
        12,
        "kinds.k.overage_price",
        "must be >= 0",
    );
    // A price whose totals could not be represented (it used to panic in
    // the overage histogram): refused at its line and key.
    fails(
        &with_line(12, "overage_price = 1e17"),
        12,
        "kinds.k.overage_price",
        "from 0 to 1e9",
    );
    fails(
        &with_line(11, r#"overage = "maybe""#),
        11,
        "kinds.k.overage",
        "expected \"off\"",
    );
    fails(
        &with_line(
            11,
            "overage = { after_suspension = { dist = \"lognormal\", median = 0, sigma = 1 } }",
        ),
        11,
        "kinds.k.overage.after_suspension.median",
        "must be > 0",
    );
    // Overage off needs no price; after_suspension parses its delay.
    let s =
        parse(&with_line(11, r#"overage = "off""#).replace("overage_price = 10\n", "")).unwrap();
    assert_eq!(
        (s.kinds[0].overage.clone(), s.kinds[0].overage_price),
        (OveragePolicy::Off, None)
    );
    let s = parse(&with_line(
        11,
        "overage = { after_suspension = { dist = \"gamma\", shape = 2, mean = 12 } }",
    ))
    .unwrap();
    assert_eq!(
        s.kinds[0].overage,
        OveragePolicy::AfterSuspension {
            delay_hours: Dist::Gamma {
                shape: 2.0,
                scale: 6.0
            }
        }
    );
}

#[test]
fn impossible_counts_and_calendar() {
    fails(
        &with_line(9, "teams = 0"),
        9,
        "kinds.k.teams",
        "must be >= 1",
    );
    fails(
        &with_line(9, "teams = 2.5"),
        9,
        "kinds.k.teams",
        "whole number",
    );
    fails(
        &with_line(6, "cycle_days = 0"),
        6,
        "calendar.cycle_days",
        "must be >= 1",
    );
    fails(
        &with_line(6, "months = 0"),
        6,
        "calendar.months",
        "must be >= 1",
    );
    fails(
        &with_line(3, "trials = 0"),
        3,
        "simulation.trials",
        "must be >= 1",
    );
    fails(
        &with_line(5, "start = 2026-06-01T00:00:00"),
        5,
        "calendar.start",
        "RFC 3339",
    );
    // Calendar months need a billing anchor on day 1..28.
    fails(
        &with_line(6, "").replace("2026-06-01", "2026-05-31"),
        5,
        "calendar.start",
        "day 1 to 28",
    );
    assert!(parse(&with_line(6, "")).is_ok());
    // With fixed-length cycles any start day will do.
    assert!(parse(&BASE.replace("2026-06-01", "2026-05-31")).is_ok());
}

#[test]
fn arrivals_are_checked() {
    let p = |inner: &str| {
        with_line(
            16,
            &format!("arrivals = {{ poisson = {{ per_day = 10, {inner} }} }}"),
        )
    };
    let key = "kinds.k.flows.a.arrivals.poisson";
    fails(
        &p("hours = [1, 2]"),
        16,
        &format!("{key}.hours"),
        "24 weights",
    );
    fails(
        &p("hours = \"night\""),
        16,
        &format!("{key}.hours"),
        "expected \"flat\"",
    );
    fails(
        &p(&format!("hours = [{}]", vec!["0"; 24].join(", "))),
        16,
        &format!("{key}.hours"),
        "not all be zero",
    );
    fails(
        &p("weekdays = [1, 1, -1, 1, 1, 1, 1]"),
        16,
        &format!("{key}.weekdays"),
        ">= 0",
    );
    fails(
        &p("weekdays = [\"mon\", \"funday\"]"),
        16,
        &format!("{key}.weekdays"),
        "unknown day 'funday'",
    );
    fails(
        &p("growth_per_month = -1"),
        16,
        &format!("{key}.growth_per_month"),
        "> -1",
    );
    fails(
        &p("bursts = { per_month = 1, duration_hours = 2, multiplier = 0.5 }"),
        16,
        &format!("{key}.bursts.multiplier"),
        ">= 1",
    );
    fails(
        &with_line(16, "arrivals = { poisson = { per_day = -1 } }"),
        16,
        &format!("{key}.per_day"),
        ">= 0",
    );
    fails(
        &with_line(16, "arrivals = { }"),
        16,
        "kinds.k.flows.a.arrivals",
        "exactly one",
    );
    fails(
        &with_line(16, ""),
        14,
        "kinds.k.flows.a.arrivals",
        "missing",
    );
    let sched = |inner: &str| with_line(16, &format!("arrivals = {{ schedule = {{ {inner} }} }}"));
    let skey = "kinds.k.flows.a.arrivals.schedule";
    fails(
        &sched("every = \"2x\""),
        16,
        &format!("{skey}.every"),
        "interval",
    );
    fails(
        &sched("every = \"2d\""),
        16,
        &format!("{skey}.every"),
        "interval",
    );
    fails(
        &sched("every = \"1h\", at = \"24:00\""),
        16,
        &format!("{skey}.at"),
        "HH:MM",
    );
    fails(
        &sched("every = \"1h\", weekdays = [1, 0.5, 1, 1, 1, 1, 1]"),
        16,
        &format!("{skey}.weekdays"),
        "0 or 1",
    );
    // A `schedule` flow must be on a schedule.
    fails(
        &with_line(15, r#"trigger = "schedule""#),
        15,
        "kinds.k.flows.a.arrivals",
        "needs arrivals = { schedule",
    );
}

#[test]
fn syntax_errors_name_their_line() {
    let e = parse(&with_line(16, "arrivals = = 3")).unwrap_err();
    assert_eq!(e.line, Some(16), "{e}");
    assert!(!e.to_string().contains('\n'));
    let e = scenario::load(Path::new("no/such/file.toml")).unwrap_err();
    assert_eq!((e.line, e.key.clone()), (None, None));
    assert!(e.to_string().starts_with("no/such/file.toml: "), "{e}");
}

#[test]
fn names_must_be_path_segments() {
    fails(
        &with_line(8, r#"name = "my.kind""#),
        8,
        "kinds.?.name",
        "contains '.'",
    );
    fails(
        &with_line(1, r#"name = """#),
        1,
        "name",
        "must not be empty",
    );
}

#[test]
fn prices_override_the_built_in_book() {
    let text = BASE.replace(
        "[simulation]",
        "[prices.agent_call]\n\"gpt-5\" = 12\n[prices.plans.team]\ncredits = 250\n[simulation]",
    );
    let s = parse(&text).unwrap();
    assert_eq!(s.kinds[0].plan.credits, 250);
    let m = s.prices.agent_model("gpt-5").unwrap();
    assert_eq!(s.prices.agent_call[m.0 as usize].credits, 12);
    let bad = BASE.replace(
        "[simulation]",
        "[prices.plans.team]\ncredits = 0\n[simulation]",
    );
    let e = parse(&bad).unwrap_err();
    assert_eq!(e.key.as_deref(), Some("prices.plans.team.credits"), "{e}");
    assert_eq!(e.line, Some(2), "{e}");
}

// ---------------------------------------------------------------- distributions

/// Parses `calls = DIST` (a count) on line 17, or `duration_seconds = DIST`.
fn calls(d: &str) -> Result<Dist, ScenarioError> {
    parse(&with_line(
        17,
        &format!("agent = {{ model = \"gpt-5\", calls = {d} }}"),
    ))
    .map(|s| s.kinds[0].flows[0].run.agent.clone().unwrap().calls)
}
fn duration(d: &str) -> Result<Dist, ScenarioError> {
    parse(&with_line(17, &format!("duration_seconds = {d}")))
        .map(|s| s.kinds[0].flows[0].duration_seconds.clone())
}

#[track_caller]
fn dist_fails(r: Result<Dist, ScenarioError>, key_suffix: &str, words: &str) {
    let e = r.expect_err("should be rejected");
    assert_eq!(e.line, Some(17), "{e}");
    assert!(e.key.as_deref().unwrap_or("").ends_with(key_suffix), "{e}");
    assert!(e.problem.contains(words), "'{words}' not in {e}");
}

#[test]
fn distributions_parse() {
    assert_eq!(calls("3").unwrap(), Dist::Constant(3.0));
    assert_eq!(
        calls(r#"{ dist = "poisson", mean = 2.5 }"#).unwrap(),
        Dist::Poisson { mean: 2.5 }
    );
    assert_eq!(
        calls(r#"{ dist = "negbin", mean = 3, r = 2 }"#).unwrap(),
        Dist::NegBinomial { mean: 3.0, r: 2.0 }
    );
    assert_eq!(
        calls(r#"{ dist = "bernoulli", p = 0.25 }"#).unwrap(),
        Dist::Bernoulli { p: 0.25 }
    );
    assert_eq!(
        calls(r#"{ dist = "empirical", values = [1, 2], weights = [3, 1] }"#).unwrap(),
        Dist::Empirical {
            values: vec![1.0, 2.0],
            weights: vec![0.75, 0.25]
        }
    );
    assert_eq!(
        calls(r#"{ dist = "empirical", values = [0, 4] }"#).unwrap(),
        Dist::Empirical {
            values: vec![0.0, 4.0],
            weights: vec![0.5, 0.5]
        }
    );
    assert_eq!(
        duration(r#"{ dist = "lognormal", median = 20, sigma = 0.7 }"#).unwrap(),
        Dist::LogNormal {
            mu: 20f64.ln(),
            sigma: 0.7
        }
    );
    assert_eq!(
        duration(r#"{ dist = "lognormal", mu = 1, sigma = 0 }"#).unwrap(),
        Dist::LogNormal {
            mu: 1.0,
            sigma: 0.0
        }
    );
    assert_eq!(
        duration(r#"{ dist = "gamma", shape = 2, scale = 3 }"#).unwrap(),
        Dist::Gamma {
            shape: 2.0,
            scale: 3.0
        }
    );
    assert_eq!(
        duration(r#"{ dist = "uniform", low = 1, high = 4 }"#).unwrap(),
        Dist::Uniform {
            low: 1.0,
            high: 4.0
        }
    );
    assert_eq!(
        duration(r#"{ dist = "constant", value = 7.5 }"#).unwrap(),
        Dist::Constant(7.5)
    );
}

#[test]
fn distribution_parameters_are_validated() {
    dist_fails(
        calls(r#"{ dist = "poisson", mean = -1 }"#),
        "calls.mean",
        ">= 0",
    );
    dist_fails(
        calls(r#"{ dist = "negbin", mean = 3, r = 0 }"#),
        "calls.r",
        "> 0",
    );
    dist_fails(
        calls(r#"{ dist = "bernoulli", p = 1.5 }"#),
        "calls.p",
        "[0, 1]",
    );
    dist_fails(
        calls(r#"{ dist = "bernoulli", p = nan }"#),
        "calls.p",
        "finite",
    );
    dist_fails(
        calls(r#"{ dist = "zipf", s = 1 }"#),
        "calls.dist",
        "unknown distribution 'zipf'",
    );
    dist_fails(
        calls(r#"{ dist = "poisson", lambda = 1 }"#),
        "calls.lambda",
        "unknown parameter",
    );
    dist_fails(calls(r#"{ mean = 1 }"#), "calls.dist", "missing");
    dist_fails(calls(r#""three""#), "calls", "expected a number");
    dist_fails(calls("2.5"), "calls", "whole number");
    dist_fails(calls("-1"), "calls", ">= 0");
    dist_fails(
        calls(r#"{ dist = "lognormal", median = 3, sigma = 1 }"#),
        "calls.dist",
        "whole-number distribution",
    );
    dist_fails(
        calls(r#"{ dist = "empirical", values = [1, 2.5] }"#),
        "calls.values",
        "whole numbers",
    );
    dist_fails(
        calls(r#"{ dist = "empirical", values = [1, 2], weights = [1] }"#),
        "calls.weights",
        "one weight per value",
    );
    dist_fails(
        calls(r#"{ dist = "empirical", values = [1, 2], weights = [0, 0] }"#),
        "calls.weights",
        "not all be zero",
    );
    dist_fails(
        calls(r#"{ dist = "empirical", values = [] }"#),
        "calls.values",
        "at least one",
    );
    dist_fails(
        duration(r#"{ dist = "lognormal", sigma = 1 }"#),
        "duration_seconds.mu",
        "give mu or median",
    );
    dist_fails(
        duration(r#"{ dist = "lognormal", mu = 0, median = 1, sigma = 1 }"#),
        "duration_seconds.median",
        "not both",
    );
    dist_fails(
        duration(r#"{ dist = "lognormal", mu = 0, sigma = -1 }"#),
        "duration_seconds.sigma",
        ">= 0",
    );
    dist_fails(
        duration(r#"{ dist = "gamma", shape = 0, scale = 1 }"#),
        "duration_seconds.shape",
        "> 0",
    );
    dist_fails(
        duration(r#"{ dist = "gamma", shape = 1 }"#),
        "duration_seconds.scale",
        "missing",
    );
    dist_fails(
        duration(r#"{ dist = "uniform", low = 3, high = 1 }"#),
        "duration_seconds.high",
        ">= low",
    );
    dist_fails(
        duration(r#"{ dist = "uniform", low = -3, high = 1 }"#),
        "duration_seconds.low",
        ">= 0",
    );
    dist_fails(duration("-2"), "duration_seconds", ">= 0");
    dist_fails(duration("inf"), "duration_seconds", "finite");
}

// ---------------------------------------------------------------- overrides

fn with(sets: &[(&str, &str)]) -> Result<scenario::Scenario, ScenarioError> {
    let sets: Vec<(String, String)> = sets
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    scenario::parse_with(BASE, Path::new("t.toml"), &sets)
}

#[test]
fn overrides_hit_their_target() {
    let s = with(&[
        ("calendar.months", "3"),
        ("kinds.k.overage_price", "12.5"),
        ("kinds.k.flows.a.agent.model", "gpt-5-mini"),
        ("kinds.k.plan", "enterprise"),
        ("usage_multiplier", "1.3"),
        ("kinds.0.teams", "7"),
        ("kinds.k.flows.a.arrivals.poisson.per_day", "25"),
        (
            "kinds.k.size",
            "{ dist = \"lognormal\", mu = 0, sigma = 0.5 }",
        ),
    ])
    .unwrap();
    assert_eq!(s.calendar.months, 3);
    let k = &s.kinds[0];
    assert_eq!(
        (k.teams, k.overage_price, k.plan.name.as_str()),
        (7, Some(12.5), "enterprise")
    );
    assert_eq!(
        k.flows[0].run.agent.as_ref().unwrap().model,
        s.prices.agent_model("gpt-5-mini").unwrap()
    );
    assert_eq!(s.usage_multiplier, 1.3);
    assert!(
        matches!(k.flows[0].arrivals, scenario::Arrivals::Poisson { per_day, .. } if per_day == 25.0)
    );
    assert_eq!(
        k.size,
        Dist::LogNormal {
            mu: 0.0,
            sigma: 0.5
        }
    );
    // A later override of the same key wins; a new optional key is added.
    let s = with(&[
        ("calendar.months", "2"),
        ("calendar.months", "4"),
        ("simulation.seed", "99"),
    ])
    .unwrap();
    assert_eq!((s.calendar.months, s.seed), (4, 99));
    // Without overrides the file's values stand.
    let s = with(&[]).unwrap();
    assert_eq!((s.calendar.months, s.usage_multiplier, s.seed), (1, 1.0, 1));
}

#[track_caller]
fn override_fails(sets: &[(&str, &str)], set: &str, key: &str, words: &str) {
    let e = with(sets).expect_err("should be rejected");
    let msg = e.to_string();
    assert!(!msg.contains('\n'));
    assert_eq!(e.line, None, "{msg}");
    assert_eq!(e.set.as_deref(), Some(set), "{msg}");
    assert_eq!(e.key.as_deref(), Some(key), "{msg}");
    assert!(e.problem.contains(words), "'{words}' not in {msg}");
    assert!(
        msg.starts_with(&format!("t.toml: --set {set}: {key}: ")),
        "{msg}"
    );
}

#[test]
fn overrides_are_validated_like_the_file() {
    override_fails(
        &[("kinds.k.teams", "0")],
        "kinds.k.teams=0",
        "kinds.k.teams",
        "must be >= 1",
    );
    override_fails(
        &[("calendar.months", "2"), ("kinds.k.overage_price", "-1")],
        "kinds.k.overage_price=-1",
        "kinds.k.overage_price",
        ">= 0",
    );
    override_fails(
        &[("kinds.k.flows.a.agent.model", "gpt-6")],
        "kinds.k.flows.a.agent.model=gpt-6",
        "kinds.k.flows.a.agent.model",
        "unknown AI Agent",
    );
    // The clash is named at the override that caused it.
    override_fails(
        &[("kinds.k.plan", "free")],
        "kinds.k.plan=free",
        "kinds.k.overage",
        "does not allow overage",
    );
    override_fails(
        &[(
            "kinds.k.flows.a.agent.calls",
            "{ dist = \"negbin\", mean = 3, r = -2 }",
        )],
        "kinds.k.flows.a.agent.calls={ dist = \"negbin\", mean = 3, r = -2 }",
        "kinds.k.flows.a.agent.calls.r",
        "> 0",
    );
    override_fails(
        &[("usage_multiplier", "-0.5")],
        "usage_multiplier=-0.5",
        "usage_multiplier",
        ">= 0",
    );
}

#[test]
fn unknown_override_paths_are_named() {
    override_fails(
        &[("calendar.mnths", "3")],
        "calendar.mnths=3",
        "calendar.mnths",
        "unknown field `mnths`",
    );
    override_fails(
        &[("kinds.zz.teams", "3")],
        "kinds.zz.teams=3",
        "kinds.zz.teams",
        "no element named 'zz'",
    );
    override_fails(
        &[("kinds.k.flows.q.trigger", "api")],
        "kinds.k.flows.q.trigger=api",
        "kinds.k.flows.q.trigger",
        "no element named 'q'",
    );
    override_fails(
        &[("kinds.k.teams.x", "1")],
        "kinds.k.teams.x=1",
        "kinds.k.teams.x",
        "not a table",
    );
    override_fails(
        &[("calendar..months", "1")],
        "calendar..months=1",
        "calendar..months",
        "not a dotted key path",
    );
    override_fails(
        &[("kinds.k.size", "{ dist =")],
        "kinds.k.size={ dist =",
        "kinds.k.size",
        "not valid TOML",
    );
}

#[test]
fn override_syntax() {
    assert_eq!(
        scenario::split_override("a.b=c=d").unwrap(),
        ("a.b".to_string(), "c=d".to_string())
    );
    assert_eq!(
        scenario::split_override(" kinds.k.teams = 3 ").unwrap(),
        ("kinds.k.teams".to_string(), "3".to_string())
    );
    assert!(scenario::split_override("novalue").is_err());
    assert!(scenario::split_override("=3").is_err());
}

#[test]
fn load_with_reads_the_file_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, BASE).unwrap();
    let s = scenario::load_with(&path, &[("calendar.months".into(), "6".into())]).unwrap();
    assert_eq!(s.calendar.months, 6);
    let e = scenario::load_with(&path, &[("kinds.k.teams".into(), "-4".into())]).unwrap_err();
    assert!(
        e.to_string()
            .starts_with(&format!("{}: --set kinds.k.teams=-4: ", path.display())),
        "{e}"
    );
}

#[test]
fn calendars_beyond_year_9999_are_rejected() {
    fails(
        &with_line(5, "start = 9999-12-15T00:00:00Z"),
        5,
        "calendar.start",
        "year 9999",
    );
    fails(
        &with_line(6, "months = 1200").replace("2026-06-01", "9950-06-01"),
        5,
        "calendar.start",
        "year 9999",
    );
}

#[test]
fn the_description_is_folded_onto_one_line() {
    let s = parse(&with_line(
        1,
        "name = \"t\"\ndescription = \"\"\"two\n  lines\"\"\"",
    ))
    .unwrap();
    assert_eq!(s.description, "two lines");
}

/// Huge but finite weights are scaled, not summed into infinity and then
/// reported as "all zero".
#[test]
fn huge_empirical_weights_are_normalised() {
    let s = parse(&BASE.replace(
        "blocks = { http_request = 1 }",
        "blocks = { http_request = { dist = \"empirical\", values = [1, 3], weights = [1e308, 1e308] } }",
    ))
    .unwrap();
    match &s.kinds[0].flows[1].run.http_request {
        Dist::Empirical { values, weights } => {
            assert_eq!(
                (values.as_slice(), weights.as_slice()),
                (&[1.0, 3.0][..], &[0.5, 0.5][..])
            );
        }
        other => panic!("{other:?}"),
    }
}

/// A count mean past what the samplers take is refused at its line and key
/// (the sampling library's own text named neither).
#[test]
fn huge_count_means_are_refused_with_their_key() {
    fails(
        &BASE.replace(
            "blocks = { http_request = 1 }",
            "blocks = { http_request = { dist = \"poisson\", mean = 1e20 } }",
        ),
        21,
        "kinds.k.flows.b.blocks.http_request.mean",
        "must be at most 1e15",
    );
}
