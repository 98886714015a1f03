//! The summary of a simulation: what `summary.json` holds, what the tables,
//! the text summary and the charts are made from. Every number a reader sees
//! comes from here.

use super::histogram::ChartHistogram;
use serde::{Deserialize, Serialize};

/// How much of the population total's variance comes from the shocks
/// shared by many teams: the same trials simulated again without them, on
/// the same random numbers (each team's own draws are unchanged).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShockShare {
    /// `1 - Var(total without shocks) / Var(total with them)`, in [0, 1]:
    /// estimates the share `Var(E[total | shocks]) / Var(total)` of the law
    /// of total variance.
    pub variance_share: f64,
    /// Standard deviation of the total per trial with the shocks, USD.
    pub sd_with_usd: f64,
    /// The same without them, USD.
    pub sd_without_usd: f64,
    /// Mean total without the shocks, USD (the shocks' factors have mean 1,
    /// but caps and suspensions make the mean move too).
    pub mean_without_usd: f64,
    /// How to read it.
    pub note: String,
}

/// Version of the `summary.json` layout; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// The note shown next to every overage price.
pub const OVERAGE_PRICE_NOTE: &str = "assumption: user input, not published by Postman";

fn default_block_credits() -> u64 {
    1000
}

/// A whole simulation's results.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Layout version ([`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The program that wrote it (`flowcast x.y.z`).
    pub generator: String,
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// Seed of the random streams.
    pub seed: u64,
    /// Number of the first trial.
    pub first_trial: u32,
    /// Trials simulated.
    pub trials: u32,
    /// The billing calendar.
    pub calendar: CalendarInfo,
    /// Multiplier of every Poisson rate (1 = as written).
    pub usage_multiplier: f64,
    /// Where the credit prices come from (with the dated versions used).
    pub price_source: String,
    /// The dated price versions in force over the horizon, one line each
    /// (absent when none was).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub price_versions: Vec<String>,
    /// Assumptions a reader must know about.
    pub assumptions: Vec<String>,
    /// Per team kind, in scenario order.
    pub kinds: Vec<KindSummary>,
    /// Every team-month of every kind together.
    pub population: GroupStats,
    /// The population's total overage billed per trial (the finance number).
    pub total_overage: TotalOverage,
    /// How the number of trials was chosen, when `--precision` chose it.
    #[serde(default)]
    pub stopping: Option<Stopping>,
    /// How much of the total's variance the shared shocks explain (only
    /// when the scenario has shocks).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shared_shocks: Option<ShockShare>,
    /// What it was computed from: command, input file and its SHA-256,
    /// overrides, seed, trials (set by the command line; absent when the
    /// library computed it without a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<crate::provenance::Inputs>,
}

/// Precision-based stopping: why the trials stopped where they did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stopping {
    /// The wanted relative half-width of the 95% confidence intervals.
    pub target_relative: f64,
    /// The numbers watched.
    pub watched: Vec<String>,
    /// The widest relative half-width among them when the trials stopped.
    pub achieved_relative: f64,
    /// `precision_reached` or `trial_cap`.
    pub reason: String,
    /// The trial cap.
    pub max_trials: u32,
}

/// The billing calendar.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CalendarInfo {
    /// Start of the first cycle (RFC 3339, UTC).
    pub start: String,
    /// Cycle length in days; `None` for calendar months.
    pub cycle_days: Option<u32>,
    /// Cycles simulated per trial.
    pub months: u32,
    /// Days in the longest cycle (the length of the per-day series).
    pub days: u32,
}

/// One team kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KindSummary {
    /// Kind name.
    pub name: String,
    /// Teams of this kind (per trial).
    pub teams: u32,
    /// Its plan and overage terms.
    pub plan: PlanInfo,
    /// Its statistics.
    pub stats: GroupStats,
}

/// The plan table row of a kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanInfo {
    /// Plan name.
    pub plan: String,
    /// Monthly credit allotment per team.
    pub credits: u64,
    /// Seats per team.
    pub seats: u32,
    /// List seat price, USD per user per month.
    pub seat_price_usd: f64,
    /// Overage policy: `off`, `on`, or `after suspension (...)`.
    pub overage_policy: String,
    /// USD per overage block, when overage can be on.
    pub overage_price_usd: Option<f64>,
    /// Credits per overage block (1,000 unless the price book changes it).
    #[serde(default = "default_block_credits")]
    pub block_credits: u64,
    /// [`OVERAGE_PRICE_NOTE`] when a price is given.
    pub overage_price_note: Option<String>,
}

/// A mean with its 95% confidence interval.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Point estimate.
    pub value: f64,
    /// Lower end of the 95% interval.
    pub ci_low: f64,
    /// Upper end of the 95% interval.
    pub ci_high: f64,
}

/// A distribution over team-months (or trials): mean with 95% CI and
/// quantiles (nearest rank; exact for small integers, within 0.2% above).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Distribution {
    /// Mean.
    pub mean: f64,
    /// Lower end of the mean's 95% interval.
    pub ci_low: f64,
    /// Upper end of the mean's 95% interval.
    pub ci_high: f64,
    /// Median.
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
}

/// When (and whether) the limit is hit, per team-month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HitStats {
    /// Share of team-months whose used credits reached the allotment
    /// (Wilson 95% interval).
    pub probability: Estimate,
    /// Share that never hit it.
    pub never_hit_share: f64,
    /// Among team-months that hit: days from the cycle start to the hit,
    /// 10th, 50th and 90th percentiles (`None` if none hit).
    pub day_p10: Option<f64>,
    /// Median hit time, days from the cycle start.
    pub day_p50: Option<f64>,
    /// 90th percentile hit time, days from the cycle start.
    pub day_p90: Option<f64>,
    /// The same three as "day D, HH:MM" (day 1 is the cycle's first day;
    /// the clock counts from the cycle's start time).
    pub when: [Option<String>; 3],
    /// `by_day[d]`: share of ALL team-months that hit by the end of day d+1.
    pub by_day: Vec<f64>,
}

/// Per-day bands of cumulative credits used.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DailyBands {
    /// Day of the cycle (1-based).
    pub day: Vec<u32>,
    /// 10th percentile of credits used by the end of the day.
    pub p10: Vec<f64>,
    /// 25th percentile.
    pub p25: Vec<f64>,
    /// Median.
    pub p50: Vec<f64>,
    /// 75th percentile.
    pub p75: Vec<f64>,
    /// 90th percentile.
    pub p90: Vec<f64>,
}

/// Mean credits of one source per team-month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SourceMean {
    /// Machine name (`pricing::Source::name`).
    pub source: String,
    /// Human label.
    pub label: String,
    /// Mean credits used per team-month from this source.
    pub mean_credits: f64,
}

/// Statistics of a group of team-months (one kind, or the population).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupStats {
    /// Team-months observed.
    pub team_months: u64,
    /// The allotment (one kind); `None` for a mixed population.
    pub allotment: Option<u64>,
    /// Limit hits.
    pub hit: HitStats,
    /// Credits used per team-month.
    pub credits_used: Distribution,
    /// Credits of every run started, executed or blocked (the demand).
    pub demand_credits: Distribution,
    /// Runs started per team-month (executed + blocked, nested included).
    pub runs_started: Distribution,
    /// Overage blocks bought per team-month.
    pub overage_blocks: Distribution,
    /// Overage cost per team-month, USD (an assumption-based price).
    pub overage_cost_usd: Distribution,
    /// Overage cost per team-month as a histogram, USD.
    pub overage_cost_histogram: ChartHistogram,
    /// Seats x the seat price of the plan billed that month (the kind's, or
    /// the plan an upgrade at the cap moved the team to), USD per team-month.
    pub seat_cost_usd: Distribution,
    /// Seats plus overage, USD per team-month.
    pub total_cost_usd: Distribution,
    /// Runs blocked while suspended, per team-month.
    pub runs_blocked: Distribution,
    /// Credits those blocked runs would have cost, per team-month.
    pub credits_blocked: Distribution,
    /// Days spent suspended per team-month.
    pub days_suspended: Distribution,
    /// Share of team-months suspended at some point (Wilson 95% interval).
    pub suspended_share: Estimate,
    /// Share of team-months whose use reached 50%, 80%, 95% of the allotment.
    pub alert_share: [f64; 3],
    /// Cumulative credits used by day of the cycle.
    pub daily: DailyBands,
    /// Mean credits used per team-month by source, in chart order.
    pub credits_by_source: Vec<SourceMean>,
}

/// The population's total overage billed, one value per trial.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TotalOverage {
    /// Trials observed.
    pub trials: u64,
    /// Total overage billed per trial (all teams, all cycles), USD.
    pub per_trial_usd: Distribution,
    /// The same as a histogram, USD.
    pub histogram: ChartHistogram,
    /// How to read it.
    pub note: String,
}

impl Summary {
    /// The summary as pretty-printed JSON with a final newline.
    pub fn to_json(&self) -> String {
        // Serialising plain data cannot fail; non-finite floats become null.
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }
}
