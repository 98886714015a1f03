//! The validated scenario: what the engine simulates. A value of these types
//! cannot hold an impossible setting: [`crate::scenario`]'s parser turns the
//! raw TOML into them and rejects anything else with the file, line and key.
//!
//! Units: times in seconds from the start of the first billing cycle (`f64`),
//! rates in runs per day, prices in USD, credits as integers.

use crate::pricing::{ModelId, Plan, PriceBook, Trigger};
use chrono::{DateTime, Utc};

/// A probability distribution, with parameters already validated.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always this value.
    Constant(f64),
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower end.
        low: f64,
        /// Upper end.
        high: f64,
    },
    /// Bernoulli(p): 1 with probability `p`, else 0.
    Bernoulli {
        /// Probability of a 1.
        p: f64,
    },
    /// Poisson with this mean.
    Poisson {
        /// Mean (and variance).
        mean: f64,
    },
    /// Negative binomial (overdispersed counts) with this mean and shape `r`
    /// (variance = mean + mean^2 / r): the number of failures before the
    /// r-th success, success probability r / (r + mean).
    NegBinomial {
        /// Mean.
        mean: f64,
        /// Shape: smaller is more overdispersed.
        r: f64,
    },
    /// exp(Normal(mu, sigma)); the median is exp(mu).
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Gamma with shape k and scale theta (mean k * theta).
    Gamma {
        /// Shape k.
        shape: f64,
        /// Scale theta.
        scale: f64,
    },
    /// One of `values`, with probabilities proportional to `weights`
    /// (equal when the file gives none; normalised to sum 1 here).
    Empirical {
        /// The values.
        values: Vec<f64>,
        /// Their probabilities (sum 1).
        weights: Vec<f64>,
    },
}

/// The billing calendar: when cycles start and how many are simulated.
#[derive(Clone, Debug, PartialEq)]
pub struct Calendar {
    /// Start of the first cycle (UTC).
    pub start: DateTime<Utc>,
    /// `Some(d)`: every cycle lasts `d` days. `None`: cycles are calendar
    /// months from `start` (same day of month and time, like a billing anchor).
    pub cycle_days: Option<u32>,
    /// How many consecutive cycles to simulate (1 = one month).
    pub months: u32,
}

/// When a team kind has overage on.
#[derive(Clone, Debug, PartialEq)]
pub enum OveragePolicy {
    /// Never: suspended at the limit until the next cycle.
    Off,
    /// On from the start.
    On,
    /// Switched on after a suspension, `delay_hours` (drawn per team and
    /// suspension) after the limit is reached; stays on afterwards.
    AfterSuspension {
        /// Hours from the suspension to the switch.
        delay_hours: Dist,
    },
}

/// Random bursts of activity: a Poisson number of bursts per cycle per team,
/// each starting uniformly in the cycle, lasting `duration_hours`, and
/// multiplying the flow's rate by `multiplier` while it lasts.
#[derive(Clone, Debug, PartialEq)]
pub struct Bursts {
    /// Expected bursts per 30 days.
    pub per_month: f64,
    /// Burst length, hours.
    pub duration_hours: Dist,
    /// Rate multiplier during a burst (>= 1).
    pub multiplier: f64,
}

/// How a flow's runs arrive.
// Unboxed on purpose: a handful per scenario, read in the engine's hot loop.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    /// A fixed schedule: a run every `every_seconds`, the first at
    /// `offset_seconds` into each day the schedule runs on; `days` says which
    /// weekdays (Monday first). Not scaled by the team's size.
    Schedule {
        /// Seconds between runs.
        every_seconds: f64,
        /// Seconds after midnight UTC of the first run of a day.
        offset_seconds: f64,
        /// Weekdays the schedule runs on, Monday first.
        days: [bool; 7],
    },
    /// A Poisson process with rate, in runs per day:
    /// `per_day` x team size x `hour_weights[hour]` (normalised to average 1
    /// over the day) x `weekday_weights[weekday]` (Monday first, multipliers
    /// as given) x (1 + `growth_per_month`)^(t / 30 days) x burst multiplier.
    Poisson {
        /// Runs per day of a team of size 1.
        per_day: f64,
        /// Relative rate by hour of day (UTC), normalised to average 1.
        hour_weights: [f64; 24],
        /// Rate multiplier by weekday, Monday first.
        weekday_weights: [f64; 7],
        /// Compound growth of the rate per 30 days (0.1 = +10%).
        growth_per_month: f64,
        /// Random bursts, if any.
        bursts: Option<Bursts>,
    },
    /// No runs of its own: the flow runs only as an MCP tool of another flow.
    OnlyAsMcpTool,
}

/// An AI Agent tool: a plain MCP tool or one that is itself a flow.
#[derive(Clone, Debug, PartialEq)]
pub struct Tool {
    /// Tool name (for reports).
    pub name: String,
    /// Relative probability that an MCP tool call uses this tool.
    pub weight: f64,
    /// `Some(i)`: the tool is an MCP flow, index `i` in the team kind's flows;
    /// that flow's own run (trigger `mcp`) is priced too.
    pub flow: Option<usize>,
}

/// An AI Agent block in a flow.
#[derive(Clone, Debug, PartialEq)]
pub struct Agent {
    /// Model for its calls (table B).
    pub model: ModelId,
    /// AI model calls per run.
    pub calls: Dist,
    /// MCP tool calls per model call.
    pub tools_per_call: Dist,
    /// The tools an MCP tool call picks from (by weight); empty means plain
    /// MCP tools only.
    pub tools: Vec<Tool>,
}

/// A Create with AI block in a flow.
#[derive(Clone, Debug, PartialEq)]
pub struct CreateWithAi {
    /// Model (table A).
    pub model: ModelId,
    /// Runs or prompt tests per flow run.
    pub prompts: Dist,
    /// DALL-E 3 images per flow run.
    pub images: Dist,
}

/// What one run of a flow executes; every count is drawn per run.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// HTTP Request blocks executed.
    pub http_request: Dist,
    /// Logic blocks (Evaluate, Condition, Validate, If) executed.
    pub logic: Dist,
    /// AI Request blocks executed.
    pub ai_request: Dist,
    /// Connector blocks executed.
    pub connector: Dist,
    /// Create with AI, if the flow has one.
    pub create_with_ai: Option<CreateWithAi>,
    /// AI Agent, if the flow has one.
    pub agent: Option<Agent>,
}

/// A flow a team kind runs.
#[derive(Clone, Debug, PartialEq)]
pub struct Flow {
    /// Flow name, unique within its team kind.
    pub name: String,
    /// What starts its runs (`mcp` for a flow that runs as an MCP tool).
    pub trigger: Trigger,
    /// How its runs arrive.
    pub arrivals: Arrivals,
    /// What a run executes.
    pub run: RunSpec,
    /// Run duration, seconds.
    pub duration_seconds: Dist,
}

/// A kind of team ("archetype") and how many of them there are.
#[derive(Clone, Debug, PartialEq)]
pub struct TeamKind {
    /// Name, unique in the scenario.
    pub name: String,
    /// How many teams of this kind.
    pub teams: u32,
    /// Seats (users) per team: seat cost = seats x plan seat price.
    pub seats: u32,
    /// The plan (resolved against the scenario's price book).
    pub plan: Plan,
    /// Overage policy.
    pub overage: OveragePolicy,
    /// USD per overage block of 1,000 credits; `Some` whenever overage can
    /// be on (an input: the source does not publish it).
    pub overage_price: Option<f64>,
    /// Team-to-team spread: a size multiplier drawn once per team and trial,
    /// multiplying every Poisson rate of the team.
    pub size: Dist,
    /// The sigma of the kind's monthly usage shock: a factor shared by all
    /// its teams, drawn each billing cycle of a trial, lognormal with mean 1,
    /// multiplying every Poisson rate (0: none). See [`Shocks`].
    pub monthly_shock: f64,
    /// The flows; MCP flow references index into this list and form no cycle.
    pub flows: Vec<Flow>,
    /// What its teams do once they reach their limit (`[[kinds.reactions]]`),
    /// besides switching overage on (see [`OveragePolicy`]).
    pub reactions: Vec<Reaction>,
}

/// What a team does at the cap: on its `after_limits`-th billing cycle in
/// which it reaches its limit (a suspension, when overage is off), it draws
/// a delay; `delay_hours` after the instant the limit was reached, the
/// effect starts and lasts for the rest of the simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct Reaction {
    /// Which cycle at the limit sets it off (1 = the first).
    pub after_limits: u32,
    /// Hours from reaching the limit to acting, drawn per team and trial.
    pub delay_hours: Dist,
    /// What changes.
    pub effect: Effect,
}

/// What a [`Reaction`] changes.
#[derive(Clone, Debug, PartialEq)]
pub enum Effect {
    /// Move to `plan` from the first billing cycle that starts after the
    /// delay (plans are billed by whole cycles); overage and its price carry
    /// over. A team already on a plan with at least as many credits stays.
    Upgrade {
        /// The plan moved to.
        plan: Plan,
    },
    /// Scale flow `flow`'s arrival rate by `factor` (in (0, 1)): each later
    /// arrival of a Poisson flow is kept with probability `factor` (a thinned
    /// Poisson process, exactly Poisson at the scaled rate); a schedule keeps
    /// the runs that bring the kept count up to `factor` times the count.
    Throttle {
        /// Index of the flow in the kind.
        flow: usize,
        /// Rate multiplier, in (0, 1).
        factor: f64,
    },
    /// Runs of flow `flow` that start later use `model` for the flow's
    /// model-priced block (Create with AI or the AI Agent); the draws are
    /// the same, only the price per call changes.
    SwitchModel {
        /// Index of the flow in the kind.
        flow: usize,
        /// Which block's model.
        block: ModelBlock,
        /// The model switched to (index in that block's table).
        model: ModelId,
    },
}

/// The block of a flow that is priced by model.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModelBlock {
    /// Create with AI (table A).
    CreateWithAi,
    /// The AI Agent's model calls (table B).
    Agent,
}

/// A whole scenario, ready to simulate.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Name (the output folder's name).
    pub name: String,
    /// One-line description.
    pub description: String,
    /// Default seed (the CLI may override).
    pub seed: u64,
    /// Default number of trials (the CLI may override).
    pub trials: u32,
    /// Multiplies every Poisson rate of every flow (the "what if usage grows
    /// 30%" knob, 1 = as written). NOT folded into `per_day` by the parser:
    /// the engine applies it (rate = per_day x usage_multiplier x size x ...);
    /// fixed schedules are not scaled.
    pub usage_multiplier: f64,
    /// Billing calendar.
    pub calendar: Calendar,
    /// Prices and plans in force (built-in plus the scenario's overrides).
    pub prices: PriceBook,
    /// Team kinds.
    pub kinds: Vec<TeamKind>,
    /// What moves many teams at once (`[shocks]`).
    pub shocks: Shocks,
}

/// Usage shocks shared by many teams in a trial: what moves a whole
/// population at once (a seasonal peak, a product launch, an outage) and
/// gives the population's total its fat tail. Each kind's monthly factor is
/// its [`TeamKind::monthly_shock`]; they are joined across kinds by a
/// Gaussian copula with one rank correlation. Shocks scale Poisson rates,
/// not fixed schedules (as team size does).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Shocks {
    /// Spearman rank correlation between any two kinds' monthly factors,
    /// in [0, 1] (0: independent kinds).
    pub correlation: f64,
    /// Events that hit the teams of some kinds together.
    pub events: Vec<ShockEvent>,
}

/// A shared event: on drawn instants, every team of the named kinds has its
/// rates multiplied for a drawn time (a launch: > 1; an outage: 0).
#[derive(Clone, Debug, PartialEq)]
pub struct ShockEvent {
    /// Name (for reports).
    pub name: String,
    /// Expected events per 30 days; their starts are uniform in each cycle.
    pub per_month: f64,
    /// Length, hours.
    pub duration_hours: Dist,
    /// Rate multiplier while it lasts (>= 0; overlapping events multiply).
    pub multiplier: f64,
    /// `kinds[k]`: whether kind `k` is hit.
    pub kinds: Vec<bool>,
}

impl Scenario {
    /// Whether any shared shock can move a rate.
    pub fn has_shocks(&self) -> bool {
        self.kinds.iter().any(|k| k.monthly_shock > 0.0)
            || self
                .shocks
                .events
                .iter()
                .any(|e| e.per_month > 0.0 && e.multiplier != 1.0)
    }
}
