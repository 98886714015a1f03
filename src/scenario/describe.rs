//! Closed-form expected values of a scenario (placeholder, filled in next).

use super::model::*;

/// Expected values for one flow.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowExpectation {
    /// Expected runs per team and cycle.
    pub runs: f64,
    /// Expected credits per run.
    pub credits_per_run: f64,
}

/// Expected credits of one run of `flow` of `kind`.
pub fn expected_credits_per_run(_s: &Scenario, _kind: &TeamKind, _flow: usize) -> f64 {
    0.0
}

/// Expected runs of a flow per team and cycle.
pub fn expected_runs_per_team_cycle(_s: &Scenario, _kind: &TeamKind, _flow: usize) -> f64 {
    0.0
}

/// A readable summary.
pub fn describe(s: &Scenario) -> String {
    s.name.clone()
}
