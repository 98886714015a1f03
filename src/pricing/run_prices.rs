//! The prices one kind of run pays, resolved once from the price book: the
//! deployed-run base and a unit price per priced item, and the one place
//! that turns counts of those items into credits (base plus units times
//! counts). The simulator prices every run through it, a run or a sum of
//! runs alike; [`PriceBook::charge`] prices a usage list by the same unit
//! prices (a test asserts the two agree on random counts).

use super::{Charge, Item, ModelId, PriceBook, Source, Trigger, N_SOURCES};

/// How many of each priced item a run executed (or a set of runs did, in
/// all): its own, not its nested MCP-flow runs'.
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

/// Number of priced items in [`RunCounts`].
const ITEMS: usize = 8;

/// Each item's source, in [`RunCounts::items`] order: the sources after
/// the run base, in [`Source::ALL`] order (their indices into a charge's
/// `by_source` are checked below at compile time).
const SOURCES: [Source; ITEMS] = {
    let mut s = [Source::RunBase; ITEMS];
    let mut i = 0;
    while i < ITEMS {
        s[i] = Source::ALL[i + 1];
        i += 1;
    }
    s
};

const _: () = {
    let mut i = 0;
    while i < ITEMS {
        assert!(SOURCES[i] as usize == i + 1);
        i += 1;
    }
};

impl RunCounts {
    /// The counts in a fixed order (that of the struct's fields).
    #[inline(always)]
    pub fn items(&self) -> [u64; ITEMS] {
        [
            self.http_request,
            self.logic,
            self.ai_request,
            self.connector,
            self.prompts,
            self.images,
            self.agent_calls,
            self.mcp_tools,
        ]
    }

    /// The counts given in [`RunCounts::items`] order.
    pub fn from_items(c: [u64; ITEMS]) -> RunCounts {
        RunCounts {
            http_request: c[0],
            logic: c[1],
            ai_request: c[2],
            connector: c[3],
            prompts: c[4],
            images: c[5],
            agent_calls: c[6],
            mcp_tools: c[7],
        }
    }
}

/// What a run with one trigger (and, where it has them, one Create with AI
/// model and one AI Agent model) pays: see the module docs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunPrices {
    /// The deployed-run base (0 for a manual run).
    base: u64,
    /// Each item's unit credits, in [`RunCounts::items`] order (0 for the
    /// items of a part the run does not have).
    unit: [u64; ITEMS],
}

impl PriceBook {
    /// The prices of a run with `trigger` whose Create with AI uses model
    /// `create` and whose AI Agent uses model `agent` (`None`: the run has
    /// no such part, and its items cost nothing). Models must be in range.
    pub fn run_prices(
        &self,
        trigger: Trigger,
        create: Option<ModelId>,
        agent: Option<ModelId>,
    ) -> RunPrices {
        let price = |item: Option<Item>| {
            item.and_then(|i| self.unit_price(trigger, i))
                .map_or(0, |(_, credits)| credits)
        };
        let base = if trigger.is_cloud() {
            self.blocks.run_base.on(trigger)
        } else {
            0
        };
        let unit = [
            price(Some(Item::HttpRequest)),
            price(Some(Item::Logic)),
            price(Some(Item::AiRequest)),
            price(Some(Item::Connector)),
            price(create.map(Item::CreateWithAi)),
            price(create.map(|_| Item::Image)),
            price(agent.map(Item::AgentCall)),
            price(agent.map(|_| Item::McpTool)),
        ];
        RunPrices { base, unit }
    }
}

impl RunPrices {
    /// The charge of one run that executed `c`.
    #[inline(always)]
    pub fn charge(&self, c: &RunCounts) -> Charge {
        self.charge_of(1, c)
    }

    /// The charge of `runs` runs that executed `c` in all.
    #[inline(always)]
    pub fn charge_of(&self, runs: u64, c: &RunCounts) -> Charge {
        // Sources after the run base are the items, in the same order (a
        // fresh charge: each source is set once, only the total sums).
        let mut by_source = [0u64; N_SOURCES];
        let items = c.items();
        by_source[Source::RunBase as usize] = self.base.saturating_mul(runs);
        for ((slot, u), n) in by_source[1..].iter_mut().zip(self.unit).zip(items) {
            *slot = u.saturating_mul(n);
        }
        let total = by_source.iter().fold(0u64, |a, &b| a.saturating_add(b));
        Charge { total, by_source }
    }

    /// The credits of one run that executed `c`: its charge's total.
    pub fn credits(&self, c: &RunCounts) -> u64 {
        self.charge(c).total
    }

    /// The mean credits of a run whose counts have means `means` (in
    /// [`RunCounts::items`] order).
    pub fn mean(&self, means: [f64; ITEMS]) -> f64 {
        self.unit
            .iter()
            .zip(means)
            .fold(self.base as f64, |acc, (u, m)| acc + *u as f64 * m)
    }
}

/// A run's prices with the counts that never vary priced in advance (a
/// flow's constant block counts): [`RunPrices::fold`]. For counts that agree
/// with the constants, its credits and charge are exactly
/// [`RunPrices::credits`] and [`RunPrices::charge`] (saturating sums do not
/// depend on their order); only the varying items are multiplied per run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoldedPrices {
    fixed: Charge,
    /// (item index in [`RunCounts::items`] order, unit credits).
    varying: Vec<(usize, u64)>,
}

impl RunPrices {
    /// These prices with the items `fixed` gives (`Some(count)`) priced
    /// once; the others vary from run to run.
    pub fn fold(&self, fixed: [Option<u64>; ITEMS]) -> FoldedPrices {
        let constant = RunCounts::from_items(fixed.map(|c| c.unwrap_or(0)));
        FoldedPrices {
            fixed: self.charge(&constant),
            varying: (0..ITEMS)
                .filter(|&i| fixed[i].is_none())
                .map(|i| (i, self.unit[i]))
                .collect(),
        }
    }
}

impl FoldedPrices {
    /// The credits of one run that executed `c`.
    #[inline(always)]
    pub fn credits(&self, c: &RunCounts) -> u64 {
        let items = c.items();
        let mut total = self.fixed.total;
        for &(i, u) in &self.varying {
            total = total.saturating_add(u.saturating_mul(items[i]));
        }
        total
    }

    /// The charge of one run that executed `c`.
    #[inline(always)]
    pub fn charge(&self, c: &RunCounts) -> Charge {
        let mut ch = self.fixed;
        self.add_varying(&mut ch, c.items());
        ch
    }

    /// Adds to `ch` the varying items' credits for counts `items` (in
    /// [`RunCounts::items`] order): the one place they are multiplied out.
    #[inline(always)]
    fn add_varying(&self, ch: &mut Charge, items: [u64; ITEMS]) {
        for &(i, u) in &self.varying {
            ch.add(SOURCES[i], u.saturating_mul(items[i]));
        }
    }
}

/// Runs of one flow counted now and priced later with its prices
/// ([`FoldedPrices::tally`], [`FoldedPrices::price_tally`]): how many, and
/// the counts of the items whose count varies, summed (the constant ones
/// are priced from the number of runs). The engine tallies each executed
/// run's blocks as it starts instead of building and carrying its charge
/// by source; the tally is priced once, when the cycle closes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BlockTally {
    runs: u64,
    items: [u64; ITEMS],
}

impl BlockTally {
    /// Whether no run has been counted.
    pub fn is_empty(&self) -> bool {
        self.runs == 0
    }
}

impl FoldedPrices {
    /// Counts in `t` one run that executed `c` (drawn with these prices'
    /// plan, so its constant items are these prices' constants).
    #[inline(always)]
    pub fn tally(&self, t: &mut BlockTally, c: &RunCounts) {
        t.runs += 1;
        let items = c.items();
        for &(i, _) in &self.varying {
            t.items[i] = t.items[i].saturating_add(items[i]);
        }
    }

    /// The charge of the runs of `t`, all priced with these prices: the sum
    /// of their charges, exactly (a charge is linear in the counts, and
    /// saturates alike whether summed run by run or priced summed).
    pub fn price_tally(&self, t: &BlockTally) -> Charge {
        let mut ch = self.fixed.times(t.runs);
        self.add_varying(&mut ch, t.items);
        ch
    }
}
