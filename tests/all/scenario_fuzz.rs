//! No input makes the scenario parser panic: random edits of a valid file
//! and random overrides give a scenario or a one-line error, never a crash.

use flowcast::scenario;
use proptest::prelude::*;
use std::path::Path;

const BASE: &str = include_str!("../../scenarios/default.toml");

/// Fragments that are likely to reach deep into the validator.
const TOKENS: &[&str] = &[
    "0",
    "-1",
    "1e308",
    "nan",
    "inf",
    "2.5",
    "\"\"",
    "\"x\"",
    "[]",
    "{}",
    "[1, 2]",
    "{ dist = \"poisson\", mean = -1 }",
    "{ dist = \"negbin\", mean = 1, r = 0 }",
    "{ dist = \"empirical\", values = [] }",
    "\"mcp\"",
    "\"schedule\"",
    "\"on\"",
    "{ after_suspension = 1 }",
    "\"crm-lookup\"",
    "\"support-chat\"",
    "\"24h\"",
    "\"25:00\"",
    "9999-12-31T00:00:00Z",
    "=",
    "[[kinds]]",
    "\n",
    "\"",
    "{",
    "]",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn edited_files_never_panic(at in 0usize..BASE.len(), cut in 0usize..40, token in 0usize..TOKENS.len()) {
        let mut start = at;
        while !BASE.is_char_boundary(start) { start -= 1; }
        let mut end = (start + cut).min(BASE.len());
        while !BASE.is_char_boundary(end) { end -= 1; }
        let text = format!("{}{}{}", &BASE[..start], TOKENS[token], &BASE[end..]);
        if let Err(e) = scenario::parse(&text, Path::new("fuzz.toml")) {
            let msg = e.to_string();
            prop_assert!(!msg.contains('\n'), "{}", msg);
            prop_assert!(msg.starts_with("fuzz.toml"), "{}", msg);
        }
    }

    #[test]
    fn random_overrides_never_panic(
        key in prop::sample::select(vec![
            "kinds.solo-dev.teams", "kinds.agent-team.flows.crm-lookup.trigger",
            "kinds.agent-team.flows.triage-agent.agent.tools.crm-lookup.flow",
            "kinds.0.flows.0.arrivals", "kinds.design-team.size.sigma", "calendar.start",
            "calendar.cycle_days", "kinds", "kinds.api-team.flows.order-webhook.arrivals.poisson.hours.3",
            "prices.plans.team.credits", "kinds.x.y.z", "simulation", "a.b.c.d",
        ]),
        token in 0usize..TOKENS.len(),
    ) {
        let sets = vec![(key.to_string(), TOKENS[token].to_string())];
        if let Err(e) = scenario::parse_with(BASE, Path::new("fuzz.toml"), &sets) {
            prop_assert!(!e.to_string().contains('\n'), "{}", e);
        }
    }
}
