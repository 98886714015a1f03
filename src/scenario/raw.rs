//! The scenario file as written: serde structs that mirror the TOML one to
//! one, reject unknown fields, and keep every value's span so that
//! `validate` can name the line of an impossible value.
//!
//! Values with several accepted shapes (distributions, the overage policy,
//! weights, times) stay `toml::Value` here and are read by `validate`.

use crate::pricing::RawPriceBook;
use serde::Deserialize;
use toml::{Spanned, Value};

/// A value kept with its span.
pub(crate) type S<T> = Spanned<T>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawScenario {
    pub name: S<String>,
    #[serde(default)]
    pub description: Option<S<String>>,
    pub usage_multiplier: Option<S<Value>>,
    #[serde(default)]
    pub simulation: Option<S<RawSimulation>>,
    pub calendar: S<RawCalendar>,
    pub prices: Option<S<RawPriceBook>>,
    pub shocks: Option<S<RawShocks>>,
    pub kinds: Vec<S<RawKind>>,
}

/// `[shocks]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawShocks {
    pub correlation: Option<S<Value>>,
    #[serde(default)]
    pub events: Vec<S<RawShockEvent>>,
}

/// `[[shocks.events]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawShockEvent {
    pub name: S<String>,
    pub per_month: S<Value>,
    pub duration_hours: S<Value>,
    pub multiplier: S<Value>,
    pub kinds: Option<S<Vec<String>>>,
}

/// `monthly_shock = { sigma = X }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawMonthlyShock {
    pub sigma: S<Value>,
}

/// `[simulation]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSimulation {
    pub seed: Option<S<Value>>,
    pub trials: Option<S<Value>>,
    pub usage_multiplier: Option<S<Value>>,
}

/// `[calendar]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCalendar {
    pub start: S<Value>,
    pub cycle_days: Option<S<Value>>,
    pub months: Option<S<Value>>,
}

/// `[[kinds]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawKind {
    pub name: S<String>,
    pub teams: S<Value>,
    pub seats: Option<S<Value>>,
    pub plan: S<String>,
    pub overage: Option<S<Value>>,
    pub overage_price: Option<S<Value>>,
    pub size: Option<S<Value>>,
    pub monthly_shock: Option<S<RawMonthlyShock>>,
    #[serde(default)]
    pub flows: Vec<S<RawFlow>>,
    #[serde(default)]
    pub reactions: Vec<S<RawReaction>>,
}

/// `[[kinds.reactions]]`: one of `upgrade`, `throttle`, `switch_model`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawReaction {
    pub upgrade: Option<S<String>>,
    pub throttle: Option<S<RawThrottle>>,
    pub switch_model: Option<S<RawSwitchModel>>,
    pub after_limits: Option<S<Value>>,
    pub delay_hours: Option<S<Value>>,
}

/// `throttle = { flow, factor }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawThrottle {
    pub flow: S<String>,
    pub factor: S<Value>,
}

/// `switch_model = { flow, model, block }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSwitchModel {
    pub flow: S<String>,
    pub model: S<String>,
    pub block: Option<S<String>>,
}

/// `[[kinds.flows]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawFlow {
    pub name: S<String>,
    pub trigger: S<String>,
    pub arrivals: Option<S<RawArrivals>>,
    pub duration_seconds: Option<S<Value>>,
    pub blocks: Option<S<RawBlocks>>,
    pub create_with_ai: Option<S<RawCreateWithAi>>,
    pub agent: Option<S<RawAgent>>,
}

/// `arrivals = { poisson = {...} }` or `arrivals = { schedule = {...} }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawArrivals {
    pub poisson: Option<S<RawPoisson>>,
    pub schedule: Option<S<RawSchedule>>,
}

/// A Poisson arrival process.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPoisson {
    pub per_day: S<Value>,
    pub hours: Option<S<Value>>,
    pub weekdays: Option<S<Value>>,
    pub growth_per_month: Option<S<Value>>,
    pub bursts: Option<S<RawBursts>>,
}

/// Bursts of a Poisson process.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBursts {
    pub per_month: S<Value>,
    pub duration_hours: S<Value>,
    pub multiplier: S<Value>,
}

/// A fixed schedule.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawSchedule {
    pub every: S<Value>,
    pub at: Option<S<Value>>,
    pub weekdays: Option<S<Value>>,
}

/// `blocks = { ... }`: counts per run.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBlocks {
    pub http_request: Option<S<Value>>,
    pub logic: Option<S<Value>>,
    pub ai_request: Option<S<Value>>,
    pub connector: Option<S<Value>>,
}

/// `create_with_ai = { ... }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCreateWithAi {
    pub model: S<String>,
    pub prompts: Option<S<Value>>,
    pub images: Option<S<Value>>,
}

/// `agent = { ... }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawAgent {
    pub model: S<String>,
    pub calls: S<Value>,
    pub tools_per_call: Option<S<Value>>,
    #[serde(default)]
    pub tools: Vec<S<RawTool>>,
}

/// One tool of an agent.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTool {
    pub name: S<String>,
    pub weight: Option<S<Value>>,
    pub flow: Option<S<String>>,
}
