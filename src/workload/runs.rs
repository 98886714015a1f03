//! What one run of a flow executes and what it costs.
//!
//! A [`RunPlan`] is a flow's run specification compiled against the price
//! book: a sampler per block count and the unit price of each item for the
//! flow's trigger, looked up once through [`PriceBook::unit_price`]. Pricing a
//! drawn run multiplies counts by those unit prices, which is exactly what
//! [`PriceBook::charge`] computes (a test asserts the equality on random
//! counts); the engine just avoids building a usage list per run.
//!
//! MCP flows: each MCP tool call of an AI Agent picks a tool by weight; a tool
//! that is a flow adds that flow's own run (trigger `mcp`, its own block
//! draws, recursively). Simplification: the nested run starts and ends with
//! its parent, so its credits accrue with the parent's (its own duration is
//! not drawn), and it executes if and only if the parent does.

use super::sampling::{binomial, binomial_half, u01, Sampler, SimRng};
use crate::pricing::{Charge, Item, ModelId, PriceBook, Source, Trigger};
use crate::scenario::{Flow, RunSpec};

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

/// How many of each priced item a run executed (its own, not its nested
/// MCP-flow runs').
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// HTTP Request blocks.
    pub http_request: u64,
    /// Logic blocks.
    pub logic: u64,
    /// AI Request blocks.
    pub ai_request: u64,
    /// Connector blocks.
    pub connector: u64,
    /// Create with AI runs or prompt tests.
    pub prompts: u64,
    /// DALL-E 3 images.
    pub images: u64,
    /// AI Agent model calls.
    pub agent_calls: u64,
    /// AI Agent MCP tool calls.
    pub mcp_tools: u64,
}

#[derive(Clone, Debug)]
struct CreatePlan {
    model: ModelId,
    prompts: Sampler,
    prompt_credits: u64,
    images: Sampler,
    image_credits: u64,
}

#[derive(Clone, Debug)]
struct AgentPlan {
    model: ModelId,
    calls: Sampler,
    call_credits: u64,
    tools_per_call: Sampler,
    /// `tools_per_call` is Bernoulli(1/2): a popcount of random bits.
    half: bool,
    mcp_credits: u64,
    /// Cumulative tool weights (normalised) and each tool's flow, when some
    /// tool is an MCP flow; `None` when every tool is a plain MCP tool.
    picks: Option<(Vec<f64>, Vec<Option<usize>>)>,
}

/// A flow's run, compiled: samplers and unit prices.
#[derive(Clone, Debug)]
pub struct RunPlan {
    /// The run's trigger.
    pub trigger: Trigger,
    /// Whether it is a cloud run.
    pub cloud: bool,
    base_credits: u64,
    /// (count sampler, unit credits) for HTTP, logic, AI Request, Connector.
    blocks: [(Sampler, u64); 4],
    create: Option<CreatePlan>,
    agent: Option<AgentPlan>,
    /// Run duration, seconds.
    pub duration: Sampler,
    /// The counts when every count is a constant (nothing to draw).
    fixed: Option<RunCounts>,
    /// Their charge.
    fixed_charge: Option<Charge>,
    /// The base charge plus the constant block counts' credits.
    const_charge: Charge,
    /// The block counts that are drawn: (sampler, unit credits, source), in
    /// the order `draw` draws them (constants consume no randomness, so the
    /// stream is the same).
    random_blocks: Vec<(Sampler, u64, Source)>,
    /// See [`RunPlan::may_be_free`].
    may_be_free: bool,
}

const BLOCK_SOURCES: [Source; 4] = [
    Source::HttpRequest,
    Source::Logic,
    Source::AiRequest,
    Source::Connector,
];
const BLOCK_ITEMS: [Item; 4] = [
    Item::HttpRequest,
    Item::Logic,
    Item::AiRequest,
    Item::Connector,
];

fn unit(book: &PriceBook, trigger: Trigger, item: Item) -> u64 {
    book.unit_price(trigger, item).map_or(0, |(_, c)| c)
}

impl RunPlan {
    /// Compiles `flow`'s run against `book`.
    pub fn new(flow: &Flow, book: &PriceBook) -> Result<RunPlan, String> {
        let t = flow.trigger;
        let spec: &RunSpec = &flow.run;
        let s = |d| Sampler::new(d);
        let blocks = [
            (s(&spec.http_request)?, unit(book, t, Item::HttpRequest)),
            (s(&spec.logic)?, unit(book, t, Item::Logic)),
            (s(&spec.ai_request)?, unit(book, t, Item::AiRequest)),
            (s(&spec.connector)?, unit(book, t, Item::Connector)),
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
            Some(c) => {
                let model = check_model(c.model, book.create_with_ai.len())?;
                Some(CreatePlan {
                    model,
                    prompts: s(&c.prompts)?,
                    prompt_credits: unit(book, t, Item::CreateWithAi(model)),
                    images: s(&c.images)?,
                    image_credits: unit(book, t, Item::Image),
                })
            }
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
                    Some((cdf, a.tools.iter().map(|tool| tool.flow).collect()))
                } else {
                    None
                };
                Some(AgentPlan {
                    model,
                    calls: s(&a.calls)?,
                    call_credits: unit(book, t, Item::AgentCall(model)),
                    half: tools_per_call.bernoulli_p() == Some(0.5),
                    tools_per_call,
                    mcp_credits: unit(book, t, Item::McpTool),
                    picks,
                })
            }
        };
        let fixed = if create.is_none()
            && agent.is_none()
            && blocks.iter().all(|(s, _)| s.whole().is_some())
        {
            let w = |i: usize| blocks[i].0.whole().unwrap_or(0);
            Some(RunCounts {
                http_request: w(0),
                logic: w(1),
                ai_request: w(2),
                connector: w(3),
                ..RunCounts::default()
            })
        } else {
            None
        };
        let mut const_charge = Charge::default();
        if t.is_cloud() {
            const_charge.add(Source::RunBase, book.blocks.run_base.on(t));
        }
        let mut random_blocks = Vec::new();
        for ((sampler, u), src) in blocks.iter().zip(BLOCK_SOURCES) {
            match sampler.whole() {
                Some(n) => const_charge.add(src, u.saturating_mul(n)),
                None => random_blocks.push((sampler.clone(), *u, src)),
            }
        }
        let mut plan = RunPlan {
            fixed,
            fixed_charge: None,
            const_charge,
            random_blocks,
            may_be_free: false,
            trigger: t,
            cloud: t.is_cloud(),
            base_credits: if t.is_cloud() {
                book.blocks.run_base.on(t)
            } else {
                0
            },
            blocks,
            create,
            agent,
            duration: s(&flow.duration_seconds)?,
        };
        plan.fixed_charge = plan.fixed.map(|c| plan.price(&c));
        plan.may_be_free = plan.least_credits_is_zero();
        Ok(plan)
    }

    /// The charge of a run that executed `c`: unit prices times counts,
    /// identical to [`PriceBook::charge`] on [`RunPlan::usage`].
    #[inline(always)]
    pub fn price(&self, c: &RunCounts) -> Charge {
        let mut ch = Charge::default();
        if self.cloud {
            ch.add(Source::RunBase, self.base_credits);
        }
        let counts = [c.http_request, c.logic, c.ai_request, c.connector];
        for ((src, (_, u)), n) in BLOCK_SOURCES.iter().zip(&self.blocks).zip(counts) {
            ch.add(*src, u.saturating_mul(n));
        }
        if let Some(cr) = &self.create {
            ch.add(
                Source::CreateWithAi,
                cr.prompt_credits.saturating_mul(c.prompts),
            );
            ch.add(Source::Image, cr.image_credits.saturating_mul(c.images));
        }
        if let Some(a) = &self.agent {
            ch.add(
                Source::AgentCall,
                a.call_credits.saturating_mul(c.agent_calls),
            );
            ch.add(Source::McpTool, a.mcp_credits.saturating_mul(c.mcp_tools));
        }
        ch
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

    /// Draws one run and returns its own charge: the same draws, in the same
    /// order, as [`RunPlan::draw`], priced as [`RunPlan::price`] would, without
    /// materialising the counts (the engine's hot path).
    #[inline(always)]
    pub fn draw_charge(
        &self,
        plans: &[RunPlan],
        rng: &mut SimRng,
        nested: &mut impl NestedSink,
    ) -> Charge {
        if let Some(c) = self.fixed_charge {
            return c;
        }
        let mut ch = self.const_charge;
        for (s, u, src) in &self.random_blocks {
            ch.add(*src, u.saturating_mul(s.count(rng)));
        }
        if let Some(cr) = &self.create {
            ch.add(
                Source::CreateWithAi,
                cr.prompt_credits.saturating_mul(cr.prompts.count(rng)),
            );
            ch.add(
                Source::Image,
                cr.image_credits.saturating_mul(cr.images.count(rng)),
            );
        }
        if let Some(a) = &self.agent {
            let k = a.calls.count(rng);
            let m = match &a.picks {
                None if a.half => binomial_half(k, rng),
                None => (0..k).fold(0u64, |acc, _| {
                    acc.saturating_add(a.tools_per_call.count(rng))
                }),
                Some((cdf, flows)) => draw_tool_flows(a, k, cdf, flows, plans, rng, nested, None),
            };
            ch.add(Source::AgentCall, a.call_credits.saturating_mul(k));
            ch.add(Source::McpTool, a.mcp_credits.saturating_mul(m));
        }
        ch
    }

    /// Draws one run: its own counts, and the runs of the MCP flows its
    /// tools call (drawn with `plans`, the kind's flows), reported to
    /// `nested` as called by `me` (`None`: this is the top-level run).
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
        let mut c = RunCounts {
            http_request: self.blocks[0].0.count(rng),
            logic: self.blocks[1].0.count(rng),
            ai_request: self.blocks[2].0.count(rng),
            connector: self.blocks[3].0.count(rng),
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
                Some((cdf, flows)) => draw_tool_flows(a, k, cdf, flows, plans, rng, nested, me),
            };
        }
        c
    }

    /// Whether [`RunPlan::draw_sum`] draws `n` runs in a few draws (every
    /// count law of the run closed under addition; MCP flows its agent calls
    /// are summed the same way, or run by run if theirs are not) rather than
    /// run by run.
    pub fn sums_in_few_draws(&self) -> bool {
        if self.fixed_charge.is_some() {
            return true;
        }
        let blocks = self
            .random_blocks
            .iter()
            .all(|(s, _, _)| s.sums_in_one_draw());
        let create = self
            .create
            .as_ref()
            .is_none_or(|c| c.prompts.sums_in_one_draw() && c.images.sums_in_one_draw());
        let agent = self
            .agent
            .as_ref()
            .is_none_or(|a| a.calls.sums_in_one_draw() && a.tools_per_call.sums_in_one_draw());
        blocks && create && agent
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

    fn least_credits_is_zero(&self) -> bool {
        let mut least = self.const_charge.total;
        for (s, u, _) in &self.random_blocks {
            least = least.saturating_add(u.saturating_mul(s.min_count()));
        }
        if let Some(c) = &self.create {
            least = least
                .saturating_add(c.prompt_credits.saturating_mul(c.prompts.min_count()))
                .saturating_add(c.image_credits.saturating_mul(c.images.min_count()));
        }
        if let Some(a) = &self.agent {
            least = least.saturating_add(a.call_credits.saturating_mul(a.calls.min_count()));
        }
        !self.cloud && least == 0
    }

    /// One run drawn as [`RunPlan::draw_charge`] draws it: its charge with
    /// its nested MCP-flow runs', how many nested runs it called, and its own
    /// credits (what its admission looks at). Nested runs are only summed.
    pub fn draw_with_nested(&self, plans: &[RunPlan], rng: &mut SimRng) -> (Charge, u64, u64) {
        let mut sum = NestedSum::default();
        let own = self.draw_charge(plans, rng, &mut sum);
        sum.charge.absorb(&own);
        (sum.charge, sum.runs, own.total)
    }

    /// The summed charge of `n` independent runs, nested MCP-flow runs
    /// included, and how many nested runs they called: exact in distribution
    /// (the sum of `n` [`RunPlan::draw_charge`] draws with their nested
    /// runs). Counts whose law is closed under addition are drawn once for
    /// all `n` runs (an agent's tool calls given the total model calls: a
    /// Bernoulli per call sums to a binomial; the calls per tool given the
    /// total: a multinomial); anything else is drawn run by run.
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
        if let Some(fixed) = self.fixed_charge {
            return (fixed.times(n), 0);
        }
        let mut ch = self.const_charge.times(n);
        for (s, u, src) in &self.random_blocks {
            ch.add(*src, u.saturating_mul(s.count_sum(n, rng)));
        }
        if let Some(cr) = &self.create {
            ch.add(
                Source::CreateWithAi,
                cr.prompt_credits
                    .saturating_mul(cr.prompts.count_sum(n, rng)),
            );
            ch.add(
                Source::Image,
                cr.image_credits.saturating_mul(cr.images.count_sum(n, rng)),
            );
        }
        let mut nested = 0u64;
        if let Some(a) = &self.agent {
            let k = a.calls.count_sum(n, rng);
            let m = a.tools_per_call.count_sum(k, rng);
            ch.add(Source::AgentCall, a.call_credits.saturating_mul(k));
            ch.add(Source::McpTool, a.mcp_credits.saturating_mul(m));
            if let Some((cdf, flows)) = &a.picks {
                // Each tool call picks a tool by weight: the calls per tool
                // are multinomial, drawn as a chain of binomials; a flow
                // tool's runs are summed the same way (recursively).
                let mut left = m;
                let mut below = 0.0;
                for (i, (&c, flow)) in cdf.iter().zip(flows).enumerate() {
                    let mi = if i + 1 == cdf.len() {
                        left
                    } else {
                        binomial(left, ((c - below) / (1.0 - below)).clamp(0.0, 1.0), rng)
                    };
                    below = c;
                    left -= mi;
                    if let (Some(f), true) = (flow, mi > 0) {
                        let (sub, sub_nested) = plans[*f].draw_sum(mi, plans, rng);
                        ch.absorb(&sub);
                        nested += mi + sub_nested;
                    }
                }
            }
        }
        (ch, nested)
    }

    /// Mean credits of one run, from the samplers' closed-form means
    /// (nested MCP-flow runs excluded). For tests and descriptions.
    pub fn mean_own_credits(&self) -> f64 {
        let mut m = self.base_credits as f64;
        for (s, u) in &self.blocks {
            m += s.mean() * *u as f64;
        }
        if let Some(cr) = &self.create {
            m += cr.prompts.mean() * cr.prompt_credits as f64
                + cr.images.mean() * cr.image_credits as f64;
        }
        if let Some(a) = &self.agent {
            m += a.calls.mean()
                * (a.call_credits as f64 + a.tools_per_call.mean() * a.mcp_credits as f64);
        }
        m
    }
}

/// The MCP tool calls of `k` agent model calls when some tools are MCP
/// flows: each call picks a tool by weight; a flow tool's own run is drawn
/// (recursively) and reported to `nested` as called by `caller`.
#[allow(clippy::too_many_arguments)]
#[inline(never)]
fn draw_tool_flows(
    a: &AgentPlan,
    k: u64,
    cdf: &[f64],
    flows: &[Option<usize>],
    plans: &[RunPlan],
    rng: &mut SimRng,
    nested: &mut impl NestedSink,
    caller: Option<u32>,
) -> u64 {
    let mut calls = 0u64;
    for _ in 0..k {
        let n = a.tools_per_call.count(rng);
        calls = calls.saturating_add(n);
        for _ in 0..n {
            let u = u01(rng);
            let i = cdf.iter().position(|&x| u < x).unwrap_or(cdf.len() - 1);
            if let Some(f) = flows[i] {
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
