//! Scenarios: the TOML file that describes a population of teams and what
//! they run, parsed and validated into [`model::Scenario`].
//!
//! ```
//! let text = r#"
//! name = "tiny"
//! [calendar]
//! start = 2026-06-01T00:00:00Z
//! [[kinds]]
//! name = "ops"
//! teams = 3
//! plan = "team"
//! [[kinds.flows]]
//! name = "ping"
//! trigger = "schedule"
//! arrivals = { schedule = { every = "1h" } }
//! blocks = { http_request = 1 }
//! "#;
//! let s = flowcast::scenario::parse(text, std::path::Path::new("tiny.toml")).unwrap();
//! assert_eq!(s.kinds[0].teams, 3);
//! ```
//!
//! Files: `raw` (the file as written), `dist` (distributions), `validate`
//! (raw to model), `overrides` (`--set`), `describe` (expected values),
//! `error` (one-line errors), `model` (the validated types).

mod describe;
mod dist;
mod error;
pub mod model;
mod overrides;
mod raw;
mod validate;

pub use describe::{
    burst_weight, cycle_bounds, describe, expectations, expectations_at,
    expected_credits_by_source, expected_credits_in_cycle, expected_credits_per_run,
    expected_runs_in_cycle, expected_runs_per_team_cycle, first_cycle, horizon, horizon_ns,
    price_versions_used, prices_text, reaction_text, tool_runs_per_run, FlowExpectation,
    KindExpectation,
};
pub use error::ScenarioError;
pub use model::*;
pub use overrides::split_override;
pub use validate::{DEFAULT_SEED, DEFAULT_TRIALS, MAX_MONTHS, OFFICE_HOURS};

use error::Locator;
use serde::Deserialize;
use std::path::Path;

/// Reads and validates the scenario file at `path`.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    load_with(path, &[])
}

/// Reads the scenario file at `path`, applies `overrides` (`(key, value)`
/// pairs as given to `--set`, in order) and validates the result.
pub fn load_with(path: &Path, overrides: &[(String, String)]) -> Result<Scenario, ScenarioError> {
    let text = crate::files::read_text(path).map_err(|e| ScenarioError {
        path: e.path,
        line: e.line,
        set: None,
        key: None,
        problem: e.problem,
    })?;
    parse_with(&text, path, overrides)
}

/// An error about `key` (None: the whole file) of the scenario file at
/// `path` loaded with `overrides`, placed at the key's line, or at the
/// `--set` that brought its value in. For problems found after validation,
/// such as a resource guard's refusal.
pub fn place(
    path: &Path,
    overrides: &[(String, String)],
    key: Option<&str>,
    problem: &str,
) -> ScenarioError {
    let fallback = ScenarioError {
        path: path.to_path_buf(),
        line: None,
        set: None,
        key: key.map(str::to_string),
        problem: crate::files::one_line(problem),
    };
    let Ok(text) = crate::files::read_text(path) else {
        return fallback;
    };
    let Ok(doc) = toml::de::DeTable::parse(&text) else {
        return fallback;
    };
    let mut root = doc.into_inner();
    for (k, (key, value)) in overrides.iter().enumerate() {
        if overrides::apply(&mut root, k, key, value).is_err() {
            return fallback;
        }
    }
    let loc = Locator {
        path,
        text: &text,
        sets: set_texts(overrides),
        doc: Some(&root),
    };
    loc.error_at_key(None, key, crate::files::one_line(problem))
}

/// The overrides as errors quote them (`KEY=VALUE`), each folded onto one
/// line: an error message must stay one line.
fn set_texts(overrides: &[(String, String)]) -> Vec<String> {
    overrides
        .iter()
        .map(|(k, v)| crate::files::one_line(&format!("{k}={v}")))
        .collect()
}

/// Validates scenario `text`; `origin` names it in errors.
pub fn parse(text: &str, origin: &Path) -> Result<Scenario, ScenarioError> {
    parse_with(text, origin, &[])
}

/// Validates scenario `text` after applying `overrides`; `origin` names it in errors.
pub fn parse_with(
    text: &str,
    origin: &Path,
    overrides: &[(String, String)],
) -> Result<Scenario, ScenarioError> {
    let loc = Locator {
        path: origin,
        text,
        sets: set_texts(overrides),
        doc: None,
    };
    let doc = toml::de::DeTable::parse(text).map_err(|e| loc.error(e.span(), None, e.message()))?;
    let span = doc.span();
    let mut root = doc.into_inner();
    for (k, (key, value)) in overrides.iter().enumerate() {
        overrides::apply(&mut root, k, key, value).map_err(|problem| {
            loc.error(
                Some(error::OVERRIDE_BASE + k..error::OVERRIDE_BASE + k),
                Some(key),
                problem,
            )
        })?;
    }
    let keep = root.clone();
    let de = toml::de::Deserializer::from(toml::Spanned::new(span, root));
    let raw = raw::RawScenario::deserialize(de).map_err(|e| {
        let key = e.span().and_then(|s| overrides::path_at(&keep, &s));
        loc.error(e.span(), key.as_deref(), e.message())
    })?;
    let loc = Locator {
        doc: Some(&keep),
        ..loc
    };
    validate::scenario(raw, &loc)
}
