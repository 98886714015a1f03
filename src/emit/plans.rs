//! The plan file of an emitted log: every emitted team's terms as the
//! simulator billed them, in the format `replay --plan-file` reads
//! (src/replay/plans.rs), with the billing cycles of the scenario's
//! calendar. A team that reacts to a suspension gets the instant its drawn
//! reaction switched overage on, so the replay switches at the same instant;
//! one upgraded at the cap gets its plan change from the cycle it took
//! effect.

use super::team_id;
use crate::engine::{plan_of, BilledMonth};
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
    // Plan changes (upgrades) per team: (cycle start, plan number) where the
    // billed plan differs from the cycle before.
    let mut changes: BTreeMap<(u32, usize, u32), Vec<(i64, u8)>> = BTreeMap::new();
    let mut last: Option<((u32, usize, u32), u8)> = None;
    for b in billed {
        let key = (b.trial, b.kind, b.team);
        let before = match last {
            Some((k, p)) if k == key => p,
            _ => 0,
        };
        if b.plan != before {
            changes
                .entry(key)
                .or_default()
                .push((b.cycle_start, b.plan));
        }
        last = Some((key, b.plan));
    }
    for trial in 0..trials {
        for (ki, k) in s.kinds.iter().enumerate() {
            for team in 0..k.teams {
                let id = team_id(s, ki, team, trial, trials);
                let _ = writeln!(t, "\n[teams.\"{id}\"]");
                let _ = writeln!(t, "credits = {}   # plan '{}'", k.plan.credits, k.plan.name);
                if let Some(cs) = changes.get(&(trial, ki, team)) {
                    let list: Vec<String> = cs
                        .iter()
                        .map(|&(at, plan)| {
                            format!(
                                "{{ from = \"{}\", credits = {} }}",
                                format_time(start.saturating_add(at)),
                                plan_of(s, ki, plan).credits
                            )
                        })
                        .collect();
                    let names: Vec<&str> = cs
                        .iter()
                        .map(|&(_, p)| plan_of(s, ki, p).name.as_str())
                        .collect();
                    let _ = writeln!(
                        t,
                        "changes = [{}]   # upgraded at the cap to plan '{}'",
                        list.join(", "),
                        names.join("', then '")
                    );
                }
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
