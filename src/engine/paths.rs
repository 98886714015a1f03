//! How the simulator draws each kind and flow once a team's cycle is frozen
//! (what `flowcast check` tells a user before a run): in aggregate where
//! the laws allow it, run by run where they do not, and why.

use crate::scenario::{OveragePolicy, Scenario};
use crate::workload::runs::RunPlan;
use std::fmt::Write;

/// The section of `flowcast check` on the simulator's paths.
pub fn paths_text(s: &Scenario) -> String {
    let mut o = String::new();
    let _ = writeln!(o);
    let _ = writeln!(
        o,
        "After the limit: once nothing that starts can change how a cycle is billed, `run` draws the rest of the cycle in aggregate, per day and flow (exact in distribution; --per-run simulates every run instead)."
    );
    for k in &s.kinds {
        let when = if !k.reactions.is_empty() {
            "run by run throughout (its teams react at the cap, which can change the cycle)"
        } else {
            match k.overage {
                OveragePolicy::On => "in aggregate from the instant its limit is reached (every later run executes)",
                OveragePolicy::Off => "in aggregate from the instant it is suspended (every later credit-costing run is blocked)",
                OveragePolicy::AfterSuspension { .. } => {
                    "in aggregate from the instant it is suspended (its delay is drawn then: credit-costing runs blocked until overage is on, every run executes after)"
                }
            }
        };
        let _ = writeln!(o, "  kind '{}': {when}", k.name);
        if !k.reactions.is_empty() {
            continue;
        }
        for f in &k.flows {
            let plan = match RunPlan::new(f, &s.prices) {
                Ok(p) => p,
                Err(e) => {
                    let _ = writeln!(o, "    flow '{}': {e}", f.name);
                    continue;
                }
            };
            if matches!(f.arrivals, crate::scenario::Arrivals::OnlyAsMcpTool) {
                let _ = writeln!(o, "    flow '{}': runs only within its callers'", f.name);
                continue;
            }
            let credits = match plan.drawn_run_by_run() {
                None => "credits summed in one draw per day".to_string(),
                Some(why) => format!("credits drawn run by run: {why}"),
            };
            let split = match plan.duration.tail() {
                Some(t) if t.survival > 0.0 => format!(
                    "runs that start within {} of a day's end drawn one by one, and the {:.1e} of the others that last longer",
                    seconds_text(t.beyond),
                    t.survival
                ),
                Some(t) => format!(
                    "runs that start within {} of a day's end drawn one by one (no run lasts longer)",
                    seconds_text(t.beyond)
                ),
                None => "every duration drawn (its law has no tail split here)".to_string(),
            };
            // While suspended a manual run that may cost nothing still
            // executes and needs its own timing; with overage on every run
            // executes, and such runs are summed like any other.
            let one_by_one = "every run drawn one by one (a manual run that may cost nothing executes while suspended)";
            let timing = match (plan.may_be_free(), &k.overage) {
                (true, OveragePolicy::Off) => one_by_one.to_string(),
                (true, OveragePolicy::AfterSuspension { .. }) => {
                    format!("until overage is on, {one_by_one}; then {split}")
                }
                _ => split,
            };
            let _ = writeln!(o, "    flow '{}': {credits}; {timing}", f.name);
        }
    }
    o
}

/// A duration in words: seconds, minutes or hours.
fn seconds_text(s: f64) -> String {
    if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else {
        format!("{:.1} h", s / 3600.0)
    }
}
