//! Workload: turns a scenario into a team's runs (arrival times, durations,
//! block counts), drawn from its random stream.
//!
//! - [`sampling`]: fast exact samplers for the scenario's distributions;
//! - [`arrivals`]: when runs start (fixed schedules, time-varying Poisson);
//! - [`runs`]: what a run executes and what it costs.
//!
//! [`KindWorkload`] compiles one team kind for one timeline, once per
//! simulation; teams then only draw from it.

pub mod arrivals;
pub mod runs;
pub mod sampling;

use crate::pricing::{ModelId, PriceBook};
use crate::scenario::{Effect, ModelBlock, TeamKind};
use arrivals::{FlowArrivals, Timeline};
use runs::RunPlan;
use sampling::Sampler;

/// One team kind, compiled: what each of its teams draws from.
#[derive(Clone, Debug)]
pub struct KindWorkload {
    /// The team size multiplier.
    pub size: Sampler,
    /// Each flow's arrivals (index = flow index in the kind).
    pub arrivals: Vec<FlowArrivals>,
    /// Each flow's run plan (index = flow index in the kind).
    pub runs: Vec<RunPlan>,
    /// The run plans after model switches ([`crate::scenario::Effect::SwitchModel`]):
    /// `switched[mask - 1]` has the switches whose bits are set in `mask`
    /// made (bit i: the kind's i-th switch). Same samplers, other prices.
    pub switched: Vec<Vec<RunPlan>>,
}

impl KindWorkload {
    /// Compiles `kind` for `timeline`. `usage_multiplier` multiplies every
    /// Poisson rate (the scenario-wide what-if knob; 1 = as written).
    pub fn new(
        kind: &TeamKind,
        book: &PriceBook,
        timeline: &Timeline,
        usage_multiplier: f64,
    ) -> Result<KindWorkload, String> {
        let named = |f: &str, e: String| format!("kind '{}', flow '{f}': {e}", kind.name);
        check_acyclic(kind)?;
        let mut arrivals = Vec::with_capacity(kind.flows.len());
        let mut runs = Vec::with_capacity(kind.flows.len());
        for f in &kind.flows {
            arrivals.push(
                FlowArrivals::new(&f.arrivals, timeline, usage_multiplier)
                    .map_err(|e| named(&f.name, e))?,
            );
            runs.push(RunPlan::new(f, book).map_err(|e| named(&f.name, e))?);
        }
        let switches: Vec<(usize, ModelBlock, ModelId)> = kind
            .reactions
            .iter()
            .filter_map(|r| match r.effect {
                Effect::SwitchModel { flow, block, model } => Some((flow, block, model)),
                _ => None,
            })
            .collect();
        let mut switched = Vec::new();
        for mask in 1u32..(1 << switches.len()) {
            let mut flows = kind.flows.clone();
            for (bit, &(f, block, model)) in switches.iter().enumerate() {
                if mask & (1 << bit) == 0 {
                    continue;
                }
                let run = &mut flows[f].run;
                match block {
                    ModelBlock::CreateWithAi => {
                        if let Some(c) = &mut run.create_with_ai {
                            c.model = model;
                        }
                    }
                    ModelBlock::Agent => {
                        if let Some(a) = &mut run.agent {
                            a.model = model;
                        }
                    }
                }
            }
            let set = flows
                .iter()
                .map(|f| RunPlan::new(f, book).map_err(|e| named(&f.name, e)))
                .collect::<Result<Vec<_>, _>>()?;
            switched.push(set);
        }
        Ok(KindWorkload {
            size: Sampler::new(&kind.size)
                .map_err(|e| format!("kind '{}': size: {e}", kind.name))?,
            arrivals,
            runs,
            switched,
        })
    }
}

/// MCP-flow references must point inside the kind and form no cycle (the
/// parser guarantees it; checked again because the engine recurses on them).
fn check_acyclic(kind: &TeamKind) -> Result<(), String> {
    let n = kind.flows.len();
    let edges = |i: usize| -> Vec<usize> {
        kind.flows[i]
            .run
            .agent
            .iter()
            .flat_map(|a| a.tools.iter().filter_map(|t| t.flow))
            .collect()
    };
    for i in 0..n {
        if edges(i).iter().any(|&j| j >= n) {
            return Err(format!(
                "kind '{}', flow '{}': MCP flow reference out of range",
                kind.name, kind.flows[i].name
            ));
        }
    }
    // 0 = unvisited, 1 = on the stack, 2 = done.
    let mut state = vec![0u8; n];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            let out = edges(v);
            if *next < out.len() {
                let w = out[*next];
                *next += 1;
                match state[w] {
                    1 => {
                        return Err(format!(
                            "kind '{}': MCP flows call each other in a cycle through '{}'",
                            kind.name, kind.flows[w].name
                        ))
                    }
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    Ok(())
}
