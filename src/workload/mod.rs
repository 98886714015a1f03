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
    /// The run plans (index = flow index in the kind) of every price piece
    /// and model-switch mask: `sets[piece * masks + mask]`. Bit i of `mask`:
    /// the kind's i-th model switch ([`crate::scenario::Effect::SwitchModel`])
    /// is made. Same samplers throughout, other prices.
    sets: Vec<Vec<RunPlan>>,
    /// Model-switch masks: `2^switches`.
    masks: usize,
    /// Where each price piece after the first starts, ns from the calendar's
    /// start (the first starts before the horizon).
    piece_starts: Vec<i64>,
}

/// The prices of one stretch of the timeline: from `start` (ns from the
/// calendar's start) to the next piece's start.
pub type PricedPiece<'a> = (i64, &'a PriceBook);

impl KindWorkload {
    /// Compiles `kind` for `timeline`, priced by `prices` (the pieces of the
    /// timeline with one set of prices each, in time order; the first covers
    /// the start). `usage_multiplier` multiplies every Poisson rate (the
    /// scenario-wide what-if knob; 1 = as written).
    pub fn new(
        kind: &TeamKind,
        prices: &[PricedPiece<'_>],
        timeline: &Timeline,
        usage_multiplier: f64,
    ) -> Result<KindWorkload, String> {
        let named = |f: &str, e: String| format!("kind '{}', flow '{f}': {e}", kind.name);
        check_acyclic(kind)?;
        if prices.is_empty() {
            return Err(format!("kind '{}': no prices", kind.name));
        }
        let mut arrivals = Vec::with_capacity(kind.flows.len());
        for f in &kind.flows {
            arrivals.push(
                FlowArrivals::new(&f.arrivals, timeline, usage_multiplier)
                    .map_err(|e| named(&f.name, e))?,
            );
        }
        let switches: Vec<(usize, ModelBlock, ModelId)> = kind
            .reactions
            .iter()
            .filter_map(|r| match r.effect {
                Effect::SwitchModel { flow, block, model } => Some((flow, block, model)),
                _ => None,
            })
            .collect();
        let masks = 1usize << switches.len();
        let mut sets = Vec::with_capacity(prices.len() * masks);
        for &(_, book) in prices {
            for mask in 0..masks {
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
                sets.push(set);
            }
        }
        Ok(KindWorkload {
            size: Sampler::new(&kind.size)
                .map_err(|e| format!("kind '{}': size: {e}", kind.name))?,
            arrivals,
            sets,
            masks,
            piece_starts: prices[1..].iter().map(|&(t, _)| t).collect(),
        })
    }

    /// The run plans at the start, no model switched.
    pub fn runs(&self) -> &[RunPlan] {
        &self.sets[0]
    }

    /// The run plans of price piece `piece` with the switches of `mask` made.
    #[inline]
    pub fn plans(&self, piece: usize, mask: u32) -> &[RunPlan] {
        &self.sets[piece * self.masks + mask as usize]
    }

    /// How many price pieces the horizon has (1: one set of prices).
    pub fn pieces(&self) -> usize {
        self.piece_starts.len() + 1
    }

    /// The price piece in force at `t` (ns from the calendar's start) and
    /// when the next one starts (`i64::MAX`: none does).
    #[inline]
    pub fn piece_at(&self, t: i64) -> (usize, i64) {
        let piece = self.piece_starts.partition_point(|&s| s <= t);
        (
            piece,
            self.piece_starts.get(piece).copied().unwrap_or(i64::MAX),
        )
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
