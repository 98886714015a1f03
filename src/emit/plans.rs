//! The plan file of an emitted log: every emitted team's terms as the
//! simulator billed them, in the format `replay --plan-file` reads
//! (src/replay/plans.rs), with the billing cycles of the scenario's
//! calendar. A team that reacts to a suspension gets the instant its drawn
//! reaction switched overage on, so the replay switches at the same instant.

use super::team_id;
use crate::engine::BilledMonth;
use crate::replay::format_time;
use crate::scenario::{OveragePolicy, Scenario};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The plan file for the teams in `billed` (trials `0 .. trials` of `s`).
pub fn plan_file(s: &Scenario, billed: &[BilledMonth], trials: u32) -> String {
    let start = s.calendar.start.timestamp_nanos_opt().unwrap_or(0);
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# Plans of the teams emitted from scenario '{}' (flowcast run --emit-log).\n\
         # Replay the log with: flowcast replay LOG.csv --plan-file THIS_FILE",
        s.name
    );
    // Billing cycles as the scenario's calendar cuts them.
    let _ = writeln!(t, "anchor = \"{}\"", format_time(start));
    if let Some(d) = s.calendar.cycle_days {
        let _ = writeln!(t, "cycle_days = {d}");
    }
    // Every team is listed below; the default is only required by the format.
    let first = &s.kinds[0];
    let _ = writeln!(t, "credits = {}", first.plan.credits);
    // One switch-on instant per team (the first drawn), by (trial, kind, team).
    let mut switch: BTreeMap<(u32, usize, u32), i64> = BTreeMap::new();
    for b in billed {
        if let Some(at) = b.switch_at {
            switch.entry((b.trial, b.kind, b.team)).or_insert(at);
        }
    }
    for trial in 0..trials {
        for (ki, k) in s.kinds.iter().enumerate() {
            for team in 0..k.teams {
                let id = team_id(s, ki, team, trial, trials);
                let _ = writeln!(t, "\n[teams.\"{id}\"]");
                let _ = writeln!(t, "credits = {}   # plan '{}'", k.plan.credits, k.plan.name);
                let price = k.overage_price.unwrap_or(0.0);
                match (&k.overage, switch.get(&(trial, ki, team))) {
                    (OveragePolicy::Off, _) | (OveragePolicy::AfterSuspension { .. }, None) => {
                        let _ = writeln!(t, "overage = \"off\"");
                    }
                    (OveragePolicy::On, _) => {
                        let _ = writeln!(t, "overage = \"on\"\noverage_price = {price:?}   # ASSUMPTION: the source publishes no overage price");
                    }
                    (OveragePolicy::AfterSuspension { .. }, Some(at)) => {
                        let _ = writeln!(
                            t,
                            "overage = \"{}\"   # switched on after a suspension (drawn delay)\noverage_price = {price:?}   # ASSUMPTION: the source publishes no overage price",
                            format_time(start.saturating_add(*at))
                        );
                    }
                }
            }
        }
    }
    t
}
