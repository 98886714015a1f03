//! The Monte Carlo engine: trials x teams in parallel, each with its own
//! random stream, fed through the ledger.
//!
//! How a simulation runs:
//!
//! 1. The scenario is compiled once ([`crate::workload::KindWorkload`] per
//!    team kind, ledger terms, the timeline of billing cycles).
//! 2. The work is cut into tasks: (trial, kind, chunk of teams). Each team
//!    draws from its own stream, seeded from (seed, trial, kind, team) alone
//!    (`streams`), so a task's result does not depend on which thread runs it.
//! 3. A bounded batch of tasks runs in parallel on a rayon pool; the results
//!    are collected in task order and handed to the [`Observer`]
//!    SEQUENTIALLY (every team-month in (trial, kind, team, cycle) order, then
//!    `trial_end`). Observers need not be thread-safe, every floating-point
//!    sum happens in one order, and the output is byte-identical at any
//!    thread count. Memory depends on the batch size only.
//!
//! Per team: its size multiplier, then each cycle from a stream of its own:
//! its flows' arrivals drawn lazily and merged by start time; each run's
//! draws (block counts, MCP flows, duration) are made whether or not the run
//! executes; once the cycle is frozen (nothing that starts can change its
//! billing) the rest of it is drawn in aggregate (`team::frozen`, unless
//! [`SimOptions::per_run`]); in-flight runs wait in a small sorted set,
//! earliest end first; the [`Ledger`] sees ends before starts at equal
//! times and decides what executes. A run in flight at a cycle boundary
//! accrues in the cycle in which it ends; runs still in flight at the end of
//! the last cycle are dropped (they would accrue in a cycle that is not
//! simulated).
//!
//! [`Ledger`]: crate::ledger::Ledger
//!
//! ```
//! use flowcast::engine::{simulate, Observer, SimOptions, TeamMonth};
//!
//! /// Total overage billed, summed in the engine's fixed order.
//! struct Overage(f64);
//! impl Observer for Overage {
//!     fn team_month(&mut self, tm: &TeamMonth<'_>) {
//!         self.0 += tm.record.overage_cost;
//!     }
//! }
//!
//! let text = r#"
//! name = "doc"
//! [calendar]
//! start = 2026-06-01T00:00:00Z
//! cycle_days = 30
//! [[kinds]]
//! name = "ops"
//! teams = 2
//! plan = "team"
//! overage = "on"
//! overage_price = 10.0
//!   [[kinds.flows]]
//!   name = "ping"
//!   trigger = "schedule"
//!   arrivals = { schedule = { every = "1h" } }
//!   blocks = { http_request = 1 }
//! "#;
//! let s = flowcast::scenario::parse(text, std::path::Path::new("doc.toml")).unwrap();
//! let o = SimOptions { seed: 1, first_trial: 0, trials: 3, threads: Some(1), progress: false, per_run: false };
//! let mut obs = Overage(0.0);
//! let stats = simulate(&s, &o, &mut obs).unwrap();
//! // 720 hourly runs of 2 credits = 1,440 credits: 2 blocks of 1,000 over
//! // the 100 allotted, $20 per team-month; 2 teams x 3 trials.
//! assert_eq!(stats.team_months, 6);
//! assert_eq!(obs.0, 6.0 * 20.0);
//! ```

pub mod clock;
pub mod guard;
mod in_flight;
pub mod observe;
pub mod paths;
mod reactions;
mod shocks;
mod streams;
mod team;
mod timeline;

pub use observe::{Nothing, Observer};
pub use streams::{mix64, stream, Purpose};
pub use team::{RunTap, SimRun};
pub use timeline::{bounds_ns, timeline};

use crate::ledger::{CycleRecord, Overage, PlanTerms, Terms};
use crate::pricing::Plan;
use crate::scenario::{OveragePolicy, Scenario};
use crate::workload::arrivals::{RateSteps, Timeline};
use crate::workload::sampling::Sampler;
use crate::workload::{KindWorkload, PricedPiece};
use clock::to_seconds;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::time::{Duration, Instant};
use team::{KindCtx, Scratch, TaskOut, TeamCtx};

/// How to run a simulation.
#[derive(Clone, Debug, PartialEq)]
pub struct SimOptions {
    /// The seed all streams derive from.
    pub seed: u64,
    /// The first trial's number (streams use absolute trial numbers, so a
    /// simulation can be split into consecutive pieces).
    pub first_trial: u32,
    /// How many trials.
    pub trials: u32,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
    /// Show a progress bar on standard error (when it is a terminal and the
    /// run lasts more than a moment).
    pub progress: bool,
    /// Simulate every run, also once a team's cycle is frozen (the
    /// reference path; off, the rest of a frozen cycle is drawn in
    /// aggregate, the same in distribution: see `team::frozen`).
    pub per_run: bool,
}

/// One team's billing cycle in one trial, as the engine hands it to observers.
#[derive(Clone, Copy, Debug)]
pub struct TeamMonth<'a> {
    /// Trial number.
    pub trial: u32,
    /// Team kind index (in `Scenario::kinds`).
    pub kind: usize,
    /// Team index within its kind.
    pub team: u32,
    /// Billing cycle index (0 = first).
    pub cycle: u32,
    /// The team's drawn size multiplier.
    pub size: f64,
    /// Cycle start, seconds from `calendar.start`.
    pub cycle_start: f64,
    /// Cycle end, seconds from `calendar.start`.
    pub cycle_end: f64,
    /// The ledger's record; times in seconds from `calendar.start`.
    pub record: &'a CycleRecord<f64>,
    /// Credits used by the end of each day of the cycle.
    pub daily_cumulative: &'a [u64],
    /// First instant used >= 50%, 80%, 95% of the allotment.
    pub alerts: [Option<f64>; 3],
    /// Credits of every run started in the cycle, executed or blocked.
    pub demand_credits: u64,
    /// Runs started in the cycle (executed + blocked), nested included.
    pub runs_started: u64,
    /// The plan the team was billed on in this cycle: the kind's, or the
    /// plan a reaction upgraded it to (its seats are priced at this plan).
    pub plan: &'a Plan,
    /// Seats of the team (its seat cost is `seats` x `plan`'s seat price).
    pub seats: u32,
    /// Whether `plan` is one a reaction upgraded the team to.
    pub upgraded: bool,
}

/// The plan numbered `plan` for kind `kind` (see `MonthOut::plan`): 0 is
/// the kind's own, i + 1 the plan of its i-th reaction (an upgrade).
pub fn plan_of(s: &Scenario, kind: usize, plan: u8) -> &Plan {
    let k = &s.kinds[kind];
    match plan
        .checked_sub(1)
        .and_then(|i| k.reactions.get(i as usize))
    {
        Some(crate::scenario::Reaction {
            effect: crate::scenario::Effect::Upgrade { plan },
            ..
        }) => plan,
        _ => &k.plan,
    }
}

/// What a simulation did.
#[derive(Clone, Debug, PartialEq)]
pub struct SimStats {
    /// Runs simulated (started, executed or blocked, nested included).
    pub runs: u64,
    /// Team-months simulated.
    pub team_months: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Why a scenario cannot be simulated.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// The scenario has a value the engine cannot use.
    #[error("scenario '{scenario}': {}{problem}", key.as_ref().map(|k| format!("{k}: ")).unwrap_or_default())]
    Scenario {
        /// Scenario name.
        scenario: String,
        /// The dotted key path of the value, when one is to blame (the CLI
        /// turns it into the file's line).
        key: Option<String>,
        /// What is wrong.
        problem: String,
    },
    /// The options are impossible.
    #[error("{0}")]
    Options(String),
    /// The worker threads could not be started.
    #[error("could not start worker threads: {0}")]
    Threads(String),
}

/// The largest expected demand of one team in one cycle, credits: u64
/// totals hold 1.8e19, this leaves a thousandfold margin.
const MAX_EXPECTED_CREDITS: f64 = 1e16;

/// Teams per task: small enough to balance two threads, large enough that
/// task overhead is nothing.
const CHUNK_TEAMS: u32 = 16;
/// Most compiled run plans (a few hundred bytes each) a scenario may need.
const MAX_RUN_PLANS: u64 = 1_000_000;
/// Team-months per batch: bounds memory (a few MB) whatever the trial count.
const BATCH_TEAM_MONTHS: u64 = 4096;
/// Tasks per batch: about [`BATCH_TEAM_MONTHS`] team-months, at least one
/// task.
fn batch_tasks(months: u64) -> usize {
    (BATCH_TEAM_MONTHS / (u64::from(CHUNK_TEAMS) * months)).max(1) as usize
}

/// An upper bound on the bytes of per-day credits that simulated
/// team-months hold until the observer has seen them: two batches (one is
/// simulated while the one before is observed) of [`batch_tasks`] tasks of
/// [`CHUNK_TEAMS`] teams, each with one `u64` per day of every cycle.
pub(crate) fn batch_daily_bytes(tl: &Timeline) -> f64 {
    let months = (tl.bounds.len() - 1) as u64;
    let days: f64 = tl.cycle_days().sum();
    2.0 * batch_tasks(months.max(1)) as f64 * f64::from(CHUNK_TEAMS) * days * 8.0
}

/// Runs shorter than this show no progress bar.
const PROGRESS_AFTER: Duration = Duration::from_millis(500);

/// The compiled scenario.
struct Ctx {
    kinds: Vec<KindCtx>,
    timeline: Timeline,
    /// Cycle bounds, ns from the calendar's start.
    bounds: Vec<i64>,
    seed: u64,
    /// Per trial: (kind, teams) of each task.
    template: Vec<(usize, std::ops::Range<u32>)>,
    /// Shared shocks, when the scenario has any.
    shocks: Option<shocks::ShockPlan>,
}

fn compile(s: &Scenario, seed: u64) -> Result<Ctx, EngineError> {
    let err = |problem: String| EngineError::Scenario {
        scenario: s.name.clone(),
        key: None,
        problem,
    };
    let tl = timeline(&s.calendar).map_err(err)?;
    let bounds = bounds_ns(&s.calendar).map_err(err)?;
    let prices = price_pieces(s, &bounds).map_err(err)?;
    // Each flow is compiled once per price piece and set of model switches:
    // a scenario whose product would not fit in memory is refused here.
    let plans: u64 = s
        .kinds
        .iter()
        .map(|k| {
            let switches = k
                .reactions
                .iter()
                .filter(|r| matches!(r.effect, crate::scenario::Effect::SwitchModel { .. }))
                .count();
            (k.flows.len() as u64) << switches
        })
        .sum::<u64>()
        .saturating_mul(prices.len() as u64);
    if plans > MAX_RUN_PLANS {
        return Err(err(format!(
            "the scenario compiles to {plans} run plans (flows x sets of model switches x {} price pieces), more than {MAX_RUN_PLANS}: use fewer dated price versions within the horizon, or fewer flows",
            prices.len()
        )));
    }
    // Credits are totalled in 64 bits: a demand whose totals could pass that
    // (with a thousandfold margin for the tails of size and bursts) is
    // refused rather than saturated into wrong numbers, at every price.
    for e in prices
        .iter()
        .flat_map(|&(_, book)| crate::scenario::expectations_at(s, book))
    {
        if !(e.credits.is_finite() && e.credits <= MAX_EXPECTED_CREDITS) {
            return Err(EngineError::Scenario {
                scenario: s.name.clone(),
                key: Some(format!("kinds.{}", e.name)),
                problem: format!(
                    "expects about {:.3e} credits per team per cycle; more than {MAX_EXPECTED_CREDITS:.0e} cannot be totalled exactly (check its block counts and rates)",
                    e.credits
                ),
            });
        }
    }
    let usage_multiplier = usage_multiplier(s);
    let mut kinds = Vec::with_capacity(s.kinds.len());
    for k in &s.kinds {
        let work = KindWorkload::new(k, &prices, &tl, usage_multiplier).map_err(err)?;
        let overage = match k.overage {
            OveragePolicy::Off => Overage::Off,
            OveragePolicy::On => Overage::On,
            OveragePolicy::AfterSuspension { .. } => Overage::WhenSwitched,
        };
        let plan = PlanTerms {
            label: &format!("plan '{}'", k.plan.name),
            allotment: k.plan.credits,
            overage_allowed: k.plan.overage_allowed,
        };
        // A scenario may keep a price on a kind whose overage is off (a sweep
        // or compare switches it): the price then bills nothing.
        let price = k.overage_price.filter(|_| overage != Overage::Off);
        let terms = Terms::new(plan, s.prices.block_credits, overage, price)
            .map_err(|e| err(format!("kind '{}': {e}", k.name)))?;
        let reaction = match &k.overage {
            OveragePolicy::AfterSuspension { delay_hours } => Some(
                Sampler::new(delay_hours)
                    .map_err(|e| err(format!("kind '{}': overage delay: {e}", k.name)))?,
            ),
            _ => None,
        };
        let reactions = reactions::compile(k, &terms, s.prices.block_credits)
            .map_err(|e| err(format!("kind '{}': {e}", k.name)))?;
        let tails: Vec<Option<_>> = work.runs().iter().map(|p| p.duration.tail()).collect();
        let tail_bound_ns = tails
            .iter()
            .map(|w| w.as_ref().map_or(i64::MAX, |w| clock::to_ns(w.beyond)))
            .collect();
        kinds.push(KindCtx {
            freezes: reactions.is_empty(),
            work,
            terms,
            reaction,
            reactions,
            teams: k.teams,
            tails,
            tail_bound_ns,
        });
    }
    let mut template = Vec::new();
    for (i, k) in kinds.iter().enumerate() {
        let mut first = 0;
        while first < k.teams {
            let end = first.saturating_add(CHUNK_TEAMS).min(k.teams);
            template.push((i, first..end));
            first = end;
        }
    }
    let shocks = shocks::ShockPlan::new(s, &tl).map_err(err)?;
    Ok(Ctx {
        kinds,
        timeline: tl,
        bounds,
        seed,
        template,
        shocks,
    })
}

/// The stretches of the simulated horizon with one set of prices each (the
/// scenario's dated price versions), starts in ns from the calendar's start.
fn price_pieces<'a>(s: &'a Scenario, bounds: &[i64]) -> Result<Vec<PricedPiece<'a>>, String> {
    if !s.prices.is_versioned() {
        return Ok(vec![(0, &s.prices)]);
    }
    let start = s.calendar.start.timestamp_nanos_opt().ok_or_else(|| {
        "calendar.start: price versions need a start between the years 1678 and 2261".to_string()
    })?;
    let end = start.saturating_add(bounds.last().copied().unwrap_or(0));
    Ok(s.prices
        .pieces(start, end)
        .into_iter()
        .map(|p| {
            let book = p
                .version
                .map_or(&s.prices, |v| &s.prices.versions[v].prices);
            (p.start - start, book)
        })
        .collect())
}

impl Ctx {
    fn team_ctx<'a>(
        &'a self,
        kind: usize,
        trial: u32,
        shared: Option<&'a [Option<RateSteps>]>,
        aggregate: bool,
    ) -> TeamCtx<'a> {
        TeamCtx {
            k: &self.kinds[kind],
            kind,
            seed: self.seed,
            trial,
            tl: &self.timeline,
            bounds: &self.bounds,
            shared,
            aggregate,
        }
    }

    /// Trial `trial`'s shared shocks, per kind (drawn again by every task
    /// of the trial: the same, from the trial's own stream).
    fn shared(&self, trial: u32) -> Option<Vec<Option<RateSteps>>> {
        self.shocks
            .as_ref()
            .map(|p| p.draw(self.seed, trial, &self.timeline))
    }
}

/// One of `count` equal parts of a simulation, `index` counting from 0:
/// what one machine of a cluster simulates.
///
/// The work is the simulation's team-trials in (trial, kind, team) order,
/// cut into `count` contiguous ranges of equal size (to within one). With
/// many trials a shard holds whole trials (split by trial); with a huge
/// population and few trials it holds a run of teams within a trial (split
/// by team), and the trial's population total is the sum over the shards
/// that share it, exact because it is summed in whole cents. Either way
/// each team draws from its own streams, so every team-month is the one the
/// unsharded simulation draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// This part, from 0.
    pub index: u32,
    /// How many parts.
    pub count: u32,
}

impl Shard {
    /// The whole simulation.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// Part `index` (from 0) of `count`.
    pub fn new(index: u32, count: u32) -> Result<Shard, String> {
        if count == 0 {
            return Err("the shard count must be at least 1".to_string());
        }
        if index >= count {
            return Err(format!(
                "shard index {index} is not below the count {count} (indices count from 0)"
            ));
        }
        Ok(Shard { index, count })
    }

    /// This part's team-trials among `total`: `[total i / n, total (i+1) / n)`.
    pub fn units(&self, total: u128) -> std::ops::Range<u128> {
        let n = u128::from(self.count.max(1));
        let i = u128::from(self.index.min(self.count.saturating_sub(1)));
        total * i / n..total * (i + 1) / n
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// The tasks of a shard's team-trials, in (trial, kind, team) order: the
/// scenario's chunks of teams, cut where the shard begins and ends. Lazy:
/// a huge population never lists its tasks.
struct Tasks<'a> {
    template: &'a [(usize, std::ops::Range<u32>)],
    /// Each kind's first team in the trial's (kind, team) order.
    offsets: Vec<u64>,
    first_trial: u32,
    teams: u64,
    end: u128,
    /// The next trial (relative to `first_trial`), and chunk within it.
    trial: u64,
    chunk: usize,
    /// Where the shard starts within its first trial.
    start: u128,
}

impl<'a> Tasks<'a> {
    fn new(ctx: &'a Ctx, first_trial: u32, teams: u64, units: std::ops::Range<u128>) -> Tasks<'a> {
        let mut offsets = Vec::with_capacity(ctx.kinds.len());
        let mut acc = 0u64;
        for k in &ctx.kinds {
            offsets.push(acc);
            acc += u64::from(k.teams);
        }
        let per = u128::from(teams.max(1));
        Tasks {
            template: &ctx.template,
            offsets,
            first_trial,
            teams,
            end: units.end,
            trial: (units.start / per) as u64,
            chunk: 0,
            start: units.start,
        }
    }

    fn done(&self) -> bool {
        self.teams == 0 || u128::from(self.trial) * u128::from(self.teams) >= self.end
    }
}

impl Iterator for Tasks<'_> {
    type Item = Task;
    fn next(&mut self) -> Option<Task> {
        while !self.done() {
            let base = u128::from(self.trial) * u128::from(self.teams);
            let lo = self.start.saturating_sub(base) as u64;
            let hi = (self.end - base).min(u128::from(self.teams)) as u64;
            let Some((kind, teams)) = self.template.get(self.chunk) else {
                self.trial += 1;
                self.chunk = 0;
                continue;
            };
            self.chunk += 1;
            let off = self.offsets[*kind];
            let g0 = (off + u64::from(teams.start)).max(lo);
            let g1 = (off + u64::from(teams.end)).min(hi);
            if g0 >= g1 {
                continue;
            }
            return Some(Task {
                trial: self.first_trial + self.trial as u32,
                kind: *kind,
                teams: (g0 - off) as u32..(g1 - off) as u32,
                ends_trial: self.chunk == self.template.len() && lo == 0 && hi == self.teams,
            });
        }
        None
    }
}

/// One team's billing cycle as the engine billed it, in the ledger's own
/// nanoseconds (for checking a replay of the emitted log against it).
#[derive(Clone, Debug, PartialEq)]
pub struct BilledMonth {
    /// Trial number.
    pub trial: u32,
    /// Team kind index.
    pub kind: usize,
    /// Team index within its kind.
    pub team: u32,
    /// The ledger's record; times in ns from the calendar's start.
    pub record: CycleRecord<i64>,
    /// The team's drawn overage switch-on instant (a reaction), ns from the
    /// calendar's start.
    pub switch_at: Option<i64>,
    /// The plan billed in this cycle: 0 = the kind's, i + 1 = the upgrade of
    /// the kind's reaction i.
    pub plan: u8,
    /// The cycle's start, ns from the calendar's start.
    pub cycle_start: i64,
}

/// Simulates trials `first_trial .. first_trial + trials` of `s` on this
/// thread, showing every run to `tap` in (trial, kind, team, start) order,
/// and returns the engine's billing of every team-month. The draws are those
/// of [`simulate`] with the same seed: the same teams, runs and bills.
/// Memory does not grow with the runs (the tap sees them one at a time).
pub(crate) fn tap_runs(
    s: &Scenario,
    seed: u64,
    first_trial: u32,
    trials: u32,
    tap: &mut dyn TrialTap,
) -> Result<Vec<BilledMonth>, EngineError> {
    validate(s, trials)?;
    let ctx = compile(s, seed)?;
    let mut sc = Scratch::default();
    let mut billed = Vec::new();
    for trial in first_trial..first_trial.saturating_add(trials) {
        tap.trial(trial);
        let shared = ctx.shared(trial);
        for (kind, teams) in &ctx.template {
            let mut out = TaskOut::default();
            team::simulate_teams(
                &ctx.team_ctx(*kind, trial, shared.as_deref(), false),
                teams.clone(),
                &mut sc,
                &mut out,
                Some(tap.runs()),
            );
            billed.extend(out.months.into_iter().map(|m| BilledMonth {
                trial,
                kind: m.kind,
                team: m.team,
                record: m.record,
                switch_at: m.switch_at,
                plan: m.plan,
                cycle_start: m.cycle_start,
            }));
        }
    }
    Ok(billed)
}

/// A [`RunTap`] that is also told when each trial begins.
pub(crate) trait TrialTap {
    /// Trial `trial` begins.
    fn trial(&mut self, trial: u32);
    /// The tap for the runs.
    fn runs(&mut self) -> &mut dyn RunTap;
}

/// The scenario-wide multiplier of every Poisson rate (1 when the scenario
/// has none).
fn usage_multiplier(s: &Scenario) -> f64 {
    s.usage_multiplier
}

/// Everything that makes a scenario impossible to simulate with `trials`
/// trials (the resource guards and the engine's own compilation), without
/// simulating: what `flowcast check` and `simulate` refuse alike.
pub fn validate(s: &Scenario, trials: u32) -> Result<(), EngineError> {
    let refused = |r: guard::Refusal| EngineError::Scenario {
        scenario: s.name.clone(),
        key: Some(r.key),
        problem: r.problem,
    };
    guard::check_team_runs(s, trials).map_err(refused)?;
    guard::check_daily_memory(s).map_err(refused)?;
    compile(s, 0).map(|_| ())
}

/// Simulates `o.trials` trials of `s`, handing every team-month to `obs` in
/// (trial, kind, team, cycle) order.
pub fn simulate(
    s: &Scenario,
    o: &SimOptions,
    obs: &mut (impl Observer + Send),
) -> Result<SimStats, EngineError> {
    simulate_shard(s, o, Shard::WHOLE, obs)
}

/// One task: teams `teams` of kind `kind` in trial `trial`; `ends_trial`
/// when it is the last task of a trial this shard simulates whole.
struct Task {
    trial: u32,
    kind: usize,
    teams: std::ops::Range<u32>,
    ends_trial: bool,
}

/// Simulates `shard`'s part of [`simulate`]: the same team-months (each
/// team's streams depend on (seed, trial, kind, team) alone), those of the
/// shard's team-trials only, in the same order. `obs.trial_end(t)` is called
/// only for the trials the shard holds whole; a trial cut between two shards
/// is finished by whoever merges them.
pub fn simulate_shard(
    s: &Scenario,
    o: &SimOptions,
    shard: Shard,
    obs: &mut (impl Observer + Send),
) -> Result<SimStats, EngineError> {
    let started = Instant::now();
    if o.trials == 0 {
        return Err(EngineError::Options("trials must be >= 1".to_string()));
    }
    if o.first_trial.checked_add(o.trials - 1).is_none() {
        return Err(EngineError::Options(
            "first trial + trials exceeds the trial numbers available".to_string(),
        ));
    }
    match o.threads {
        Some(0) => return Err(EngineError::Options("threads must be >= 1".to_string())),
        Some(t) if t > guard::MAX_THREADS => {
            return Err(EngineError::Options(format!(
                "threads must be at most {}, got {t}",
                guard::MAX_THREADS
            )))
        }
        _ => {}
    }
    validate(s, o.trials)?;
    let ctx = compile(s, o.seed)?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(o.threads.unwrap_or(0))
        .build()
        .map_err(|e| EngineError::Threads(e.to_string()))?;

    let months = (ctx.timeline.bounds.len() - 1) as u64;
    let teams_per_trial: u64 = ctx.kinds.iter().map(|k| u64::from(k.teams)).sum();
    let batch = batch_tasks(months);
    let units = shard.units(u128::from(teams_per_trial) * u128::from(o.trials));
    let mut tasks = Tasks::new(&ctx, o.first_trial, teams_per_trial, units.clone());

    let bar = ProgressBar::with_draw_target(
        Some((units.end - units.start) as u64),
        ProgressDrawTarget::hidden(),
    );
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} simulating [{bar:30}] {percent:>3}%, eta {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    let mut bar_shown = false;

    let mut stats = SimStats {
        runs: 0,
        team_months: 0,
        seconds: 0.0,
    };
    // The pool simulates one batch while the results of the one before are
    // handed to the observer (serially, in task order): with few cores the
    // observer's share would otherwise leave all but one idle.
    let mut done: Option<(Vec<Task>, Vec<TaskOut>)> = None;
    loop {
        let mut next: Vec<Task> = Vec::with_capacity(batch);
        while next.len() < batch {
            match tasks.next() {
                Some(t) => next.push(t),
                None => break,
            }
        }
        let simulate = || -> Vec<TaskOut> {
            next.par_iter()
                .map_init(Scratch::default, |sc, t| {
                    let mut out = TaskOut::default();
                    let shared = ctx.shared(t.trial);
                    team::simulate_teams(
                        &ctx.team_ctx(t.kind, t.trial, shared.as_deref(), !o.per_run),
                        t.teams.clone(),
                        sc,
                        &mut out,
                        None,
                    );
                    bar.inc(u64::from(t.teams.end - t.teams.start));
                    out
                })
                .collect()
        };
        let prev = done.take();
        let mut observe = || {
            if let Some((tasks, outs)) = &prev {
                observe_batch(s, tasks, outs, obs, &mut stats);
            }
        };
        if next.is_empty() {
            observe();
            break;
        }
        let outs = pool.install(|| rayon::join(simulate, observe)).0;
        done = Some((next, outs));
        if o.progress && !bar_shown && started.elapsed() > PROGRESS_AFTER && !tasks.done() {
            // indicatif itself stays silent when stderr is not a terminal.
            bar.set_draw_target(ProgressDrawTarget::stderr());
            bar_shown = true;
        }
    }
    bar.finish_and_clear();
    stats.seconds = started.elapsed().as_secs_f64();
    Ok(stats)
}

/// Hands a simulated batch to the observer, in task order.
fn observe_batch(
    s: &Scenario,
    tasks: &[Task],
    outs: &[TaskOut],
    obs: &mut impl Observer,
    stats: &mut SimStats,
) {
    for (t, out) in tasks.iter().zip(outs) {
        for m in &out.months {
            let record = m.record.map_time(to_seconds);
            obs.team_month(&TeamMonth {
                trial: t.trial,
                kind: m.kind,
                team: m.team,
                cycle: m.cycle,
                size: m.size,
                cycle_start: to_seconds(m.cycle_start),
                cycle_end: to_seconds(m.cycle_end),
                record: &record,
                daily_cumulative: &out.daily[m.daily.clone()],
                alerts: record.alerts,
                demand_credits: m.demand_credits,
                runs_started: m.runs_started,
                plan: plan_of(s, m.kind, m.plan),
                seats: s.kinds[m.kind].seats,
                upgraded: m.plan > 0,
            });
        }
        stats.runs += out.runs;
        stats.team_months += out.months.len() as u64;
        if t.ends_trial {
            obs.trial_end(t.trial);
        }
    }
}
