//! What one run of a flow executes and what it costs.
//!
//! A [`RunPlan`] is a flow's run specification compiled against the price
//! book: a sampler per priced count and the run's unit prices
//! ([`RunPrices`], resolved once through the book). A run is drawn in one
//! way only, [`RunPlan::draw`] (its counts), and priced in one way only,
//! [`RunPrices::charge`]; a sum of runs ([`RunPlan::draw_sum`]) draws summed
//! counts and prices them with the same function.
//!
//! MCP flows: each MCP tool call of an AI Agent picks a tool by weight; a tool
//! that is a flow adds that flow's own run (trigger `mcp`, its own block
//! draws, recursively). Simplification: the nested run starts and ends with
//! its parent, so its credits accrue with the parent's (its own duration is
//! not drawn), and it executes if and only if the parent does.

use super::sampling::{binomial_half, u01, Binomial, Sampler, SimRng};
use crate::pricing::{Charge, FoldedPrices, Item, ModelId, PriceBook, RunPrices, Trigger};
use crate::scenario::{Flow, RunSpec};

pub use crate::pricing::RunCounts;

/// Where the nested MCP-flow runs of a drawn run go. The engine keeps only
/// their credits ([`NestedCredits`]); writing a usage log keeps each one's
/// flow, parent and counts ([`NestedTree`]). Both see the same draws.
pub trait NestedSink {
    /// A nested run of flow `flow`, called by the run `parent` (`None`: the
    /// top-level run; else an id returned earlier), is about to be drawn.
    /// Returns its id.
    fn enter(&mut self, flow: usize, parent: Option<u32>) -> u32;
    /// The nested run `id` was drawn: its own counts and charge (its own
    /// nested runs were reported before this call: depth-first order).
    fn leave(&mut self, id: u32, counts: &RunCounts, own: &Charge);
}

/// The engine's sink: each nested run's own credits, and their sum by source.
pub struct NestedCredits<'a> {
    /// Each nested run's own credits, in depth-first order.
    pub credits: &'a mut Vec<u64>,
    /// The nested runs' charges, summed.
    pub charge: &'a mut Charge,
}

impl NestedSink for NestedCredits<'_> {
    #[inline]
    fn enter(&mut self, _flow: usize, _parent: Option<u32>) -> u32 {
        0
    }

    #[inline]
    fn leave(&mut self, _id: u32, _counts: &RunCounts, own: &Charge) {
        self.charge.absorb(own);
        self.credits.push(own.total);
    }
}

/// Nested MCP-flow runs, summed: their charge and how many (what a sum of
/// runs needs, without keeping each one's credits).
#[derive(Default)]
struct NestedSum {
    charge: Charge,
    runs: u64,
}

impl NestedSink for NestedSum {
    #[inline]
    fn enter(&mut self, _flow: usize, _parent: Option<u32>) -> u32 {
        0
    }

    #[inline]
    fn leave(&mut self, _id: u32, _counts: &RunCounts, own: &Charge) {
        self.charge.absorb(own);
        self.runs += 1;
    }
}

/// One nested MCP-flow run, as drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NestedRun {
    /// Its flow (index in the kind).
    pub flow: usize,
    /// The run that called it: `None` for the top-level run, else an index
    /// into the same tree.
    pub parent: Option<u32>,
    /// Its own counts.
    pub counts: RunCounts,
    /// Its own credits.
    pub credits: u64,
}

/// The usage log's sink: every nested run with its parent (ids are indices
/// into `runs`, in the order the runs were entered: parents first).
#[derive(Clone, Debug, Default)]
pub struct NestedTree {
    /// The nested runs of one top-level run.
    pub runs: Vec<NestedRun>,
}

impl NestedSink for NestedTree {
    fn enter(&mut self, flow: usize, parent: Option<u32>) -> u32 {
        self.runs.push(NestedRun {
            flow,
            parent,
            counts: RunCounts::default(),
            credits: 0,
        });
        (self.runs.len() - 1) as u32
    }

    fn leave(&mut self, id: u32, counts: &RunCounts, own: &Charge) {
        if let Some(r) = self.runs.get_mut(id as usize) {
            r.counts = *counts;
            r.credits = own.total;
        }
    }
}

#[derive(Clone, Debug)]
struct CreatePlan {
    model: ModelId,
    prompts: Sampler,
    images: Sampler,
}

#[derive(Clone, Debug)]
struct AgentPlan {
    model: ModelId,
    calls: Sampler,
    tools_per_call: Sampler,
    /// `tools_per_call` is Bernoulli(1/2): a popcount of random bits.
    half: bool,
    /// How tool calls pick their tools, when some tool is an MCP flow;
    /// `None` when every tool is a plain MCP tool.
    picks: Option<ToolPicks>,
}

/// How an agent's MCP tool calls pick their tools, by weight.
#[derive(Clone, Debug)]
struct ToolPicks {
    /// Cumulative tool weights (normalised): one call's pick by inversion.
    cdf: Vec<f64>,
    /// Each tool's flow, if it is an MCP flow.
    flows: Vec<Option<usize>>,
    /// The calls per tool, summed over many calls, are multinomial: drawn
    /// as a chain of binomials, tool `i` taking each call the tools before
    /// it left with probability `(cdf[i] - cdf[i-1]) / (1 - cdf[i-1])`
    /// (the last tool takes the rest; its entry is unused).
    chain: Vec<Binomial>,
}

impl ToolPicks {
    fn new(cdf: Vec<f64>, flows: Vec<Option<usize>>) -> Self {
        let mut below = 0.0;
        let chain = cdf
            .iter()
            .map(|&c| {
                let b = Binomial::new(((c - below) / (1.0 - below)).clamp(0.0, 1.0));
                below = c;
                b
            })
            .collect();
        ToolPicks { cdf, flows, chain }
    }
}

/// A flow's run, compiled: samplers and unit prices.
#[derive(Clone, Debug)]
pub struct RunPlan {
    /// The run's trigger.
    pub trigger: Trigger,
    /// Whether it is a cloud run.
    pub cloud: bool,
    /// What its items cost.
    pub prices: RunPrices,
    /// The same, its constant counts priced once (the engine's per-run
    /// pricing).
    pub folded: FoldedPrices,
    /// Count samplers for HTTP, logic, AI Request, Connector.
    blocks: [Sampler; 4],
    /// The blocks' whole constant counts (0 for the others), and the
    /// indices of the blocks whose counts are drawn, in block order.
    const_blocks: [u64; 4],
    random_blocks: Vec<usize>,
    create: Option<CreatePlan>,
    agent: Option<AgentPlan>,
    /// Run duration, seconds.
    pub duration: Sampler,
    /// The counts when every count is a constant (nothing to draw).
    fixed: Option<RunCounts>,
    /// See [`RunPlan::may_be_free`].
    may_be_free: bool,
}

const BLOCK_ITEMS: [Item; 4] = [
    Item::HttpRequest,
    Item::Logic,
    Item::AiRequest,
    Item::Connector,
];

impl RunPlan {
    /// Compiles `flow`'s run against `book`.
    pub fn new(flow: &Flow, book: &PriceBook) -> Result<RunPlan, String> {
        let t = flow.trigger;
        let spec: &RunSpec = &flow.run;
        let s = |d| Sampler::new(d);
        let blocks = [
            s(&spec.http_request)?,
            s(&spec.logic)?,
            s(&spec.ai_request)?,
            s(&spec.connector)?,
        ];
        let check_model = |m: ModelId, len: usize| {
            if (m.0 as usize) < len {
                Ok(m)
            } else {
                Err(format!(
                    "flow '{}': model index {} out of range",
                    flow.name, m.0
                ))
            }
        };
        let create = match &spec.create_with_ai {
            None => None,
            Some(c) => Some(CreatePlan {
                model: check_model(c.model, book.create_with_ai.len())?,
                prompts: s(&c.prompts)?,
                images: s(&c.images)?,
            }),
        };
        let agent = match &spec.agent {
            None => None,
            Some(a) => {
                let model = check_model(a.model, book.agent_call.len())?;
                let tools_per_call = s(&a.tools_per_call)?;
                let picks = if a.tools.iter().any(|tool| tool.flow.is_some()) {
                    let total: f64 = a.tools.iter().map(|tool| tool.weight).sum();
                    if !(total > 0.0 && total.is_finite()) {
                        return Err(format!(
                            "flow '{}': tool weights must have a positive sum",
                            flow.name
                        ));
                    }
                    let mut acc = 0.0;
                    let cdf = a
                        .tools
                        .iter()
                        .map(|tool| {
                            acc += tool.weight / total;
                            acc
                        })
                        .collect();
                    Some(ToolPicks::new(
                        cdf,
                        a.tools.iter().map(|tool| tool.flow).collect(),
                    ))
                } else {
                    None
                };
                Some(AgentPlan {
                    model,
                    calls: s(&a.calls)?,
                    half: tools_per_call.bernoulli_p() == Some(0.5),
                    tools_per_call,
                    picks,
                })
            }
        };
        let prices = book.run_prices(
            t,
            create.as_ref().map(|c| c.model),
            agent.as_ref().map(|a| a.model),
        );
        let mut plan = RunPlan {
            trigger: t,
            cloud: t.is_cloud(),
            folded: prices.fold([None; 8]),
            prices,
            const_blocks: [0; 4],
            random_blocks: Vec::new(),
            blocks,
            create,
            agent,
            duration: s(&flow.duration_seconds)?,
            fixed: None,
            may_be_free: false,
        };
        // Derived from the compiled samplers: the counts that never vary
        // (an absent part's are 0; an agent's tool calls always vary), which
        // consume no randomness and are priced once.
        let constants = plan.counts_by(Some(0), Sampler::whole, |_| None).0;
        plan.const_blocks = [0, 1, 2, 3].map(|i| constants[i].unwrap_or(0));
        plan.random_blocks = (0..4).filter(|&i| constants[i].is_none()).collect();
        plan.fixed = constants
            .iter()
            .all(Option::is_some)
            .then(|| RunCounts::from_items(constants.map(|c| c.unwrap_or(0))));
        plan.folded = plan.prices.fold(constants);
        // The least a run can cost: every count at its least.
        let least = plan.counts_by(0, Sampler::min_count, |_| 0);
        plan.may_be_free = !plan.cloud && plan.prices.credits(&RunCounts::from_items(least.0)) == 0;
        Ok(plan)
    }

    /// The charge of a run that executed `c` (its own, not its nested
    /// runs'): [`RunPrices::charge`], identical to [`PriceBook::charge`] on
    /// [`RunPlan::usage`].
    #[inline(always)]
    pub fn price(&self, c: &RunCounts) -> Charge {
        self.prices.charge(c)
    }

    /// The run's usage as the pricing function takes it.
    pub fn usage(&self, c: &RunCounts) -> Vec<(Item, u64)> {
        let mut u: Vec<(Item, u64)> = BLOCK_ITEMS
            .iter()
            .zip([c.http_request, c.logic, c.ai_request, c.connector])
            .map(|(i, n)| (*i, n))
            .collect();
        if let Some(cr) = &self.create {
            u.push((Item::CreateWithAi(cr.model), c.prompts));
            u.push((Item::Image, c.images));
        }
        if let Some(a) = &self.agent {
            u.push((Item::AgentCall(a.model), c.agent_calls));
            u.push((Item::McpTool, c.mcp_tools));
        }
        u
    }

    /// Each count's `f` (a sampler's mean, least value, ...), in the order
    /// of [`RunCounts`]' fields; the MCP tool calls' from `tools(agent)`;
    /// `absent` for the counts of a part the run does not have.
    fn counts_by<T: Copy>(
        &self,
        absent: T,
        f: impl Fn(&Sampler) -> T,
        tools: impl Fn(&AgentPlan) -> T,
    ) -> CountsOf<T> {
        let mut c = CountsOf([absent; 8]);
        for (slot, s) in c.0[..4].iter_mut().zip(&self.blocks) {
            *slot = f(s);
        }
        if let Some(cr) = &self.create {
            c.0[4] = f(&cr.prompts);
            c.0[5] = f(&cr.images);
        }
        if let Some(a) = &self.agent {
            c.0[6] = f(&a.calls);
            c.0[7] = tools(a);
        }
        c
    }

    /// Draws one run: its own counts, and the runs of the MCP flows its
    /// tools call (drawn with `plans`, the kind's flows), reported to
    /// `nested` as called by `me` (`None`: this is the top-level run). The
    /// one draw sequence of a run: the engine, a usage log and the tests all
    /// draw through it.
    #[inline(always)]
    pub fn draw(
        &self,
        plans: &[RunPlan],
        rng: &mut SimRng,
        nested: &mut impl NestedSink,
        me: Option<u32>,
    ) -> RunCounts {
        if let Some(c) = self.fixed {
            return c;
        }
        // A constant count consumes no randomness: only the others are
        // drawn, in block order.
        let mut blocks = self.const_blocks;
        for &i in &self.random_blocks {
            blocks[i] = self.blocks[i].count(rng);
        }
        let mut c = RunCounts {
            http_request: blocks[0],
            logic: blocks[1],
            ai_request: blocks[2],
            connector: blocks[3],
            ..RunCounts::default()
        };
        if let Some(cr) = &self.create {
            c.prompts = cr.prompts.count(rng);
            c.images = cr.images.count(rng);
        }
        if let Some(a) = &self.agent {
            let k = a.calls.count(rng);
            c.agent_calls = k;
            c.mcp_tools = match &a.picks {
                None if a.half => binomial_half(k, rng),
                None => (0..k).fold(0u64, |acc, _| {
                    acc.saturating_add(a.tools_per_call.count(rng))
                }),
                Some(picks) => draw_tool_flows(a, k, picks, plans, rng, nested, me),
            };
        }
        c
    }

    /// Whether [`RunPlan::draw_sum`] draws `n` runs in a few draws (every
    /// count law of the run closed under addition; MCP flows its agent calls
    /// are summed the same way, or run by run if theirs are not) rather than
    /// run by run.
    pub fn sums_in_few_draws(&self) -> bool {
        self.fixed.is_some()
            || self
                .counts_by(true, Sampler::sums_in_one_draw, |a| {
                    a.tools_per_call.sums_in_one_draw()
                })
                .0
                .iter()
                .all(|&ok| ok)
    }

    /// Why [`RunPlan::draw_sum`] draws this flow's runs one by one, if it
    /// does.
    pub fn drawn_run_by_run(&self) -> Option<&'static str> {
        (!self.sums_in_few_draws()).then_some(
            "a count is drawn from a law whose sums are no law of its family (continuous, rounded, or empirical)",
        )
    }

    /// Whether a run of this flow may cost nothing (a free manual run still
    /// executes while its team is suspended): a manual run whose every
    /// priced count can be 0. (Worked out once, when the plan is compiled.)
    #[inline]
    pub fn may_be_free(&self) -> bool {
        self.may_be_free
    }

    /// One run drawn as the engine draws it: its charge with its nested
    /// MCP-flow runs', how many nested runs it called, and its own credits
    /// (what its admission looks at). Nested runs are only summed.
    pub fn draw_with_nested(&self, plans: &[RunPlan], rng: &mut SimRng) -> (Charge, u64, u64) {
        let mut sum = NestedSum::default();
        let own = self.price(&self.draw(plans, rng, &mut sum, None));
        sum.charge.absorb(&own);
        (sum.charge, sum.runs, own.total)
    }

    /// The summed charge of `n` independent runs, nested MCP-flow runs
    /// included, and how many nested runs they called: exact in distribution
    /// (the sum of `n` [`RunPlan::draw`] draws, priced, with their nested
    /// runs). Counts whose law is closed under addition are drawn once for
    /// all `n` runs (an agent's tool calls given the total model calls: a
    /// Bernoulli per call sums to a binomial; the calls per tool given the
    /// total: a multinomial); anything else is drawn run by run. The summed
    /// counts are priced once.
    pub fn draw_sum(&self, n: u64, plans: &[RunPlan], rng: &mut SimRng) -> (Charge, u64) {
        if n == 0 {
            return (Charge::default(), 0);
        }
        if !self.sums_in_few_draws() {
            let mut ch = Charge::default();
            let mut nested = 0u64;
            for _ in 0..n {
                let (charge, runs, _) = self.draw_with_nested(plans, rng);
                ch.absorb(&charge);
                nested += runs;
            }
            return (ch, nested);
        }
        if let Some(fixed) = self.fixed {
            return (self.prices.charge(&fixed).times(n), 0);
        }
        let sum = |s: &Sampler, rng: &mut SimRng| s.count_sum(n, rng);
        let mut c = RunCounts {
            http_request: sum(&self.blocks[0], rng),
            logic: sum(&self.blocks[1], rng),
            ai_request: sum(&self.blocks[2], rng),
            connector: sum(&self.blocks[3], rng),
            ..RunCounts::default()
        };
        if let Some(cr) = &self.create {
            c.prompts = sum(&cr.prompts, rng);
            c.images = sum(&cr.images, rng);
        }
        let mut ch = Charge::default();
        let mut nested = 0u64;
        if let Some(a) = &self.agent {
            let k = sum(&a.calls, rng);
            let m = a.tools_per_call.count_sum(k, rng);
            c.agent_calls = k;
            c.mcp_tools = m;
            if let Some(picks) = &a.picks {
                // Each tool call picks a tool by weight: the calls per tool
                // are multinomial, drawn as a chain of binomials; a flow
                // tool's runs are summed the same way (recursively).
                let mut left = m;
                let last = picks.flows.len() - 1;
                for (i, (split, flow)) in picks.chain.iter().zip(&picks.flows).enumerate() {
                    let mi = if i == last {
                        left
                    } else {
                        split.draw(left, rng)
                    };
                    left -= mi;
                    if let (Some(f), true) = (flow, mi > 0) {
                        let (sub, sub_nested) = plans[*f].draw_sum(mi, plans, rng);
                        ch.absorb(&sub);
                        nested += mi + sub_nested;
                    }
                }
            }
        }
        ch.absorb(&self.prices.charge_of(n, &c));
        (ch, nested)
    }

    /// Mean credits of one run, from the samplers' closed-form means
    /// (nested MCP-flow runs excluded). For tests and descriptions.
    pub fn mean_own_credits(&self) -> f64 {
        let means = self.counts_by(0.0, Sampler::mean, |a| {
            a.calls.mean() * a.tools_per_call.mean()
        });
        self.prices.mean(means.0)
    }
}

/// One value per count of [`RunCounts`], in its fields' order.
struct CountsOf<T>([T; 8]);

/// The MCP tool calls of `k` agent model calls when some tools are MCP
/// flows: each call picks a tool by weight; a flow tool's own run is drawn
/// (recursively) and reported to `nested` as called by `caller`.
#[inline(never)]
fn draw_tool_flows(
    a: &AgentPlan,
    k: u64,
    picks: &ToolPicks,
    plans: &[RunPlan],
    rng: &mut SimRng,
    nested: &mut impl NestedSink,
    caller: Option<u32>,
) -> u64 {
    let cdf = &picks.cdf;
    let mut calls = 0u64;
    for _ in 0..k {
        let n = a.tools_per_call.count(rng);
        calls = calls.saturating_add(n);
        for _ in 0..n {
            let u = u01(rng);
            let i = cdf.iter().position(|&x| u < x).unwrap_or(cdf.len() - 1);
            if let Some(f) = picks.flows[i] {
                let sub = &plans[f];
                let id = nested.enter(f, caller);
                let counts = sub.draw(plans, rng, nested, Some(id));
                // Reported after its own nested runs (depth-first order).
                nested.leave(id, &counts, &sub.price(&counts));
            }
        }
    }
    calls
}
