//! The standard statistics: an [`Observer`] that streams every team-month
//! into fixed-size accumulators (exact integer sums, log-linear histograms,
//! per-day counters) and turns them into a [`Summary`]. Memory depends on
//! the number of kinds and days, never on runs or trials (per-trial totals
//! are kept exactly up to 2,048 trials, then in a histogram).
//!
//! Every accumulator is a sum of whole numbers (credits, cents, seconds,
//! counts), so a [`SummaryState`] can be saved by one shard of a simulation
//! and merged with the others into exactly the state one process reaches:
//! the merged summary is byte-identical, whatever the split.

use super::histogram::LogHistogram;
use super::moments::{wilson95, Sums};
use super::summary::*;
use super::totals::{cents, TrialTotals};
use crate::engine::{timeline, EngineError, Observer, SimOptions, TeamMonth};
use crate::pricing::{Source, N_SOURCES};
use crate::scenario::{OveragePolicy, Scenario};
use crate::workload::arrivals::{Timeline, DAY};
use serde::{Deserialize, Serialize};

/// Chart histograms have at most this many bins.
const CHART_BINS: u64 = 40;

/// A mean (exact sums) and quantiles (histogram) of one whole-number
/// quantity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Acc {
    m: Sums,
    h: LogHistogram,
}

impl Acc {
    fn new(bits: u32) -> Acc {
        Acc {
            m: Sums::default(),
            h: LogHistogram::new(bits),
        }
    }

    #[inline]
    fn add(&mut self, x: u64) {
        self.m.add(x);
        self.h.add(x);
    }

    fn merge(&mut self, o: &Acc) -> Result<(), String> {
        self.m.merge(&o.m);
        self.h.merge(&o.h)
    }

    /// `scale` converts the units to the reported ones.
    fn dist(&self, scale: f64) -> Distribution {
        let (ci_low, ci_high) = self.m.ci95();
        let q = |p| self.h.quantile(p).map_or(0.0, |v| v * scale);
        Distribution {
            mean: self.m.mean() * scale,
            ci_low: ci_low * scale,
            ci_high: ci_high * scale,
            p50: q(0.5),
            p90: q(0.9),
            p99: q(0.99),
        }
    }
}

/// Accumulators of one group of team-months.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct GroupAcc {
    allotment: Option<u64>,
    /// USD per block when the whole group has one price.
    block_price: Option<f64>,
    n: u64,
    hits: u64,
    hit_secs: LogHistogram,
    hit_by_day: Vec<u64>,
    credits: Acc,
    demand: Acc,
    runs: Acc,
    blocks: Acc,
    cost_cents: Acc,
    /// Seats x the seat price of the plan billed that month, cents.
    seat_cents: Acc,
    /// Seats plus overage, cents.
    total_cents: Acc,
    runs_blocked: Acc,
    credits_blocked: Acc,
    suspended_secs: Acc,
    suspended: u64,
    alerts: [u64; 3],
    daily: Vec<LogHistogram>,
    by_source: [u128; N_SOURCES],
}

impl GroupAcc {
    fn new(days: usize, allotment: Option<u64>, block_price: Option<f64>) -> GroupAcc {
        GroupAcc {
            allotment,
            block_price,
            n: 0,
            hits: 0,
            // Hit times in seconds to within 1/4096: minutes over a month.
            hit_secs: LogHistogram::new(12),
            hit_by_day: vec![0; days],
            credits: Acc::new(8),
            demand: Acc::new(8),
            runs: Acc::new(8),
            blocks: Acc::new(8),
            cost_cents: Acc::new(8),
            seat_cents: Acc::new(8),
            // Finer bins: its quantiles are reported when seats vary.
            total_cents: Acc::new(12),
            runs_blocked: Acc::new(8),
            credits_blocked: Acc::new(8),
            suspended_secs: Acc::new(12),
            suspended: 0,
            alerts: [0; 3],
            daily: vec![LogHistogram::new(DAILY_BITS); days],
            by_source: [0; N_SOURCES],
        }
    }

    fn add(&mut self, tm: &TeamMonth<'_>) {
        let r = tm.record;
        self.n += 1;
        if let Some(t) = r.limit_reached_at {
            let rel = (t - tm.cycle_start).max(0.0);
            self.hits += 1;
            self.hit_secs.add(rel.round() as u64);
            let d = ((rel / DAY) as usize).min(self.hit_by_day.len().saturating_sub(1));
            if let Some(c) = self.hit_by_day.get_mut(d) {
                *c += 1;
            }
        }
        self.credits.add(r.credits_used);
        self.demand.add(tm.demand_credits);
        self.runs.add(tm.runs_started);
        self.blocks.add(r.overage_blocks);
        let (overage, seats) = (
            cents(r.overage_cost),
            cents(f64::from(tm.seats) * tm.plan.seat_price_usd),
        );
        self.cost_cents.add(overage);
        self.seat_cents.add(seats);
        self.total_cents.add(overage.saturating_add(seats));
        self.runs_blocked.add(r.runs_blocked);
        self.credits_blocked.add(r.blocked_credits);
        let susp = match r.suspended_at {
            Some(s) => {
                self.suspended += 1;
                (r.resumed_at.unwrap_or(tm.cycle_end) - s).max(0.0)
            }
            None => 0.0,
        };
        self.suspended_secs.add(susp.round() as u64);
        for (c, a) in self.alerts.iter_mut().zip(tm.alerts) {
            *c += u64::from(a.is_some());
        }
        // A shorter cycle carries its last day forward (its total).
        let last = tm
            .daily_cumulative
            .last()
            .copied()
            .unwrap_or(r.credits_used);
        for (d, h) in self.daily.iter_mut().enumerate() {
            h.add(tm.daily_cumulative.get(d).copied().unwrap_or(last));
        }
        for (a, b) in self.by_source.iter_mut().zip(r.by_source) {
            *a += u128::from(b);
        }
    }

    /// Adds the team-months `o` saw (a group of the same shape).
    fn merge(&mut self, o: &GroupAcc) -> Result<(), String> {
        if (self.allotment, self.block_price) != (o.allotment, o.block_price) {
            return Err("the groups' plans or days differ".to_string());
        }
        self.absorb(o)
    }

    /// Adds the team-months of `o`, a part of this group (a kind of the
    /// population: its plan may differ, its days may not). Every field is a
    /// count, a sum or a histogram, so this is exactly what adding them one
    /// by one gives.
    fn absorb(&mut self, o: &GroupAcc) -> Result<(), String> {
        if (self.hit_by_day.len(), self.daily.len()) != (o.hit_by_day.len(), o.daily.len()) {
            return Err("the groups' days differ".to_string());
        }
        self.n += o.n;
        self.hits += o.hits;
        self.hit_secs.merge(&o.hit_secs)?;
        for (a, b) in self.hit_by_day.iter_mut().zip(&o.hit_by_day) {
            *a += b;
        }
        for (a, b) in [
            (&mut self.credits, &o.credits),
            (&mut self.demand, &o.demand),
            (&mut self.runs, &o.runs),
            (&mut self.blocks, &o.blocks),
            (&mut self.cost_cents, &o.cost_cents),
            (&mut self.seat_cents, &o.seat_cents),
            (&mut self.total_cents, &o.total_cents),
            (&mut self.runs_blocked, &o.runs_blocked),
            (&mut self.credits_blocked, &o.credits_blocked),
            (&mut self.suspended_secs, &o.suspended_secs),
        ] {
            a.merge(b)?;
        }
        self.suspended += o.suspended;
        for (a, b) in self.alerts.iter_mut().zip(o.alerts) {
            *a += b;
        }
        for (a, b) in self.daily.iter_mut().zip(&o.daily) {
            a.merge(b)?;
        }
        for (a, b) in self.by_source.iter_mut().zip(o.by_source) {
            *a = a.saturating_add(b);
        }
        Ok(())
    }

    fn finish(&self) -> GroupStats {
        let n = self.n.max(1) as f64;
        let share = |k: u64| k as f64 / n;
        let (lo, hi) = wilson95(self.hits, self.n);
        let q = |p| self.hit_secs.quantile(p).map(|s| s / DAY);
        let days = [q(0.1), q(0.5), q(0.9)];
        let mut acc = 0;
        let by_day = self
            .hit_by_day
            .iter()
            .map(|c| {
                acc += c;
                share(acc)
            })
            .collect();
        let (cost, cost_hist) = match self.block_price {
            Some(price) => {
                let mut d = self.blocks.dist(price);
                let c = self.cost_cents.dist(0.01);
                (d.mean, d.ci_low, d.ci_high) = (c.mean, c.ci_low, c.ci_high);
                (d, self.blocks.h.chart(price, CHART_BINS))
            }
            None => (
                self.cost_cents.dist(0.01),
                self.cost_cents.h.chart(0.01, CHART_BINS),
            ),
        };
        // Seats plus overage: while every team-month paid the same seats,
        // the overage distribution shifted by them (exact quantiles of
        // whole blocks); once upgrades or mixed kinds make seats vary, the
        // sum's own histogram.
        let seat = self.seat_cents.dist(0.01);
        let total = if self.seat_cents.m.is_constant() {
            let c = self.seat_cents.m.mean() * 0.01;
            Distribution {
                mean: cost.mean + c,
                ci_low: cost.ci_low + c,
                ci_high: cost.ci_high + c,
                p50: cost.p50 + c,
                p90: cost.p90 + c,
                p99: cost.p99 + c,
            }
        } else {
            self.total_cents.dist(0.01)
        };
        let band = |p: f64| -> Vec<f64> {
            self.daily
                .iter()
                .map(|h| h.quantile(p).unwrap_or(0.0))
                .collect()
        };
        let (sl, sh) = wilson95(self.suspended, self.n);
        GroupStats {
            team_months: self.n,
            allotment: self.allotment,
            hit: HitStats {
                probability: Estimate {
                    value: share(self.hits),
                    ci_low: lo,
                    ci_high: hi,
                },
                never_hit_share: share(self.n - self.hits),
                day_p10: days[0],
                day_p50: days[1],
                day_p90: days[2],
                when: days.map(|d| d.map(day_label)),
                by_day,
            },
            credits_used: self.credits.dist(1.0),
            demand_credits: self.demand.dist(1.0),
            runs_started: self.runs.dist(1.0),
            overage_blocks: self.blocks.dist(1.0),
            overage_cost_usd: cost,
            overage_cost_histogram: cost_hist,
            seat_cost_usd: seat,
            total_cost_usd: total,
            runs_blocked: self.runs_blocked.dist(1.0),
            credits_blocked: self.credits_blocked.dist(1.0),
            days_suspended: self.suspended_secs.dist(1.0 / DAY),
            suspended_share: Estimate {
                value: share(self.suspended),
                ci_low: sl,
                ci_high: sh,
            },
            alert_share: self.alerts.map(share),
            daily: DailyBands {
                day: (1..=self.daily.len() as u32).collect(),
                p10: band(0.1),
                p25: band(0.25),
                p50: band(0.5),
                p75: band(0.75),
                p90: band(0.9),
            },
            credits_by_source: Source::ALL
                .iter()
                .map(|s| SourceMean {
                    source: s.name().to_string(),
                    label: s.label().to_string(),
                    mean_credits: self.by_source[*s as usize] as f64 / n,
                })
                .collect(),
        }
    }
}

/// "day D, HH:MM" for a time `days` after the cycle start.
pub(crate) fn day_label(days: f64) -> String {
    let minutes = (days * 1440.0).round().max(0.0) as u64;
    format!(
        "day {}, {:02}:{:02}",
        minutes / 1440 + 1,
        (minutes % 1440) / 60,
        minutes % 60
    )
}

/// The standard statistics of a simulation; feed it to
/// [`crate::engine::simulate`], then call [`SummaryCollector::finish`].
#[derive(Clone, Debug)]
pub struct SummaryCollector {
    head: Summary,
    state: SummaryState,
}

/// What a [`SummaryCollector`] has accumulated: saved by a shard, merged
/// exactly with the other shards' ([`SummaryState::merge`]).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SummaryState {
    kinds: Vec<GroupAcc>,
    /// The population group's shape (days, and the plan when every kind
    /// has the same one). It stays empty: the population is the kinds
    /// summed when the summary is made ([`SummaryCollector::finish`]), so a
    /// team-month is added to one group, not two.
    population: GroupAcc,
    /// The population's total per trial (a shard's first and last trial
    /// may be shared with its neighbours: those stay open).
    totals: TrialTotals,
}

impl SummaryState {
    /// Adds what another part of the same simulation accumulated (a
    /// shard's saved state); trials both saw in part are summed. Call
    /// [`SummaryState::close_trials`] once every part is in.
    pub fn merge(&mut self, o: &SummaryState) -> Result<(), String> {
        if self.kinds.len() != o.kinds.len() {
            return Err(format!(
                "{} kinds here, {} in the part",
                self.kinds.len(),
                o.kinds.len()
            ));
        }
        for (a, b) in self.kinds.iter_mut().zip(&o.kinds) {
            a.merge(b)?;
        }
        self.population.merge(&o.population)?;
        self.totals.merge(&o.totals)
    }

    /// The population: every kind's team-months, summed.
    fn population(&self) -> GroupAcc {
        let shape = &self.population;
        let mut p = GroupAcc::new(shape.hit_by_day.len(), shape.allotment, shape.block_price);
        if shape.daily.is_empty() {
            // A headline summary's (see [`SummaryCollector::headline`]).
            p.daily = Vec::new();
        }
        for k in &self.kinds {
            // Same days by construction (one calendar); a mismatch would be
            // a bug, and the population would then be left without it.
            let absorbed = p.absorb(k);
            debug_assert!(absorbed.is_ok());
        }
        p
    }

    /// Counts the trials still open as finished (after a merge of all the
    /// parts, they are).
    pub fn close_trials(&mut self) {
        self.totals.close_trials();
    }

    /// The population's totals per trial.
    pub fn totals(&self) -> &TrialTotals {
        &self.totals
    }
}

/// A [`SummaryState`] kept packed: its JSON text, where every histogram
/// keeps only its non-empty bins. A sweep's shard part keeps one per grid
/// point until the merge: packed, a point of `default.toml` takes tens of
/// kilobytes instead of the megabyte or more of its dense histograms.
/// Serialized as the state itself (the same JSON).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PackedState(Box<serde_json::value::RawValue>);

impl PackedState {
    /// Packs `state`.
    pub fn pack(state: &SummaryState) -> Result<PackedState, String> {
        serde_json::value::to_raw_value(state)
            .map(PackedState)
            .map_err(|e| format!("packing a summary state: {e}"))
    }

    /// The state, unpacked (a part read from a file is checked here).
    pub fn unpack(&self) -> Result<SummaryState, String> {
        serde_json::from_str(self.0.get()).map_err(|e| format!("a summary state: {e}"))
    }
}

impl PartialEq for PackedState {
    /// The same text: serializing a state is deterministic (fields in
    /// order, maps ordered by key).
    fn eq(&self, o: &PackedState) -> bool {
        self.0.get() == o.0.get()
    }
}

/// Bins per power of two of the per-day credits histograms.
const DAILY_BITS: u32 = 8;

/// Days of the per-day statistics: the longest cycle's (a partial day
/// counts as one).
fn daily_days(tl: &Timeline) -> usize {
    tl.cycle_days().fold(1.0, f64::max) as usize
}

/// An upper bound on the bytes of the per-day statistics of a summary of
/// `kinds` kinds over `tl`: a histogram of the credits used by then per
/// group (each kind, and the population made from them at the end) and
/// day, each at most [`LogHistogram::max_bytes`].
pub(crate) fn daily_bytes_bound(kinds: usize, tl: &Timeline) -> f64 {
    (kinds + 1) as f64 * daily_days(tl) as f64 * LogHistogram::max_bytes(DAILY_BITS)
}

impl SummaryCollector {
    /// A collector for `s` simulated with `o`.
    pub fn new(s: &Scenario, o: &SimOptions) -> Result<SummaryCollector, EngineError> {
        let tl = timeline(&s.calendar).map_err(|problem| EngineError::Scenario {
            scenario: s.name.clone(),
            key: None,
            problem,
        })?;
        let days = daily_days(&tl);
        let mut kinds = Vec::new();
        let mut infos = Vec::new();
        for k in &s.kinds {
            let can_be_on = !matches!(k.overage, OveragePolicy::Off);
            let price = if can_be_on { k.overage_price } else { None };
            kinds.push(GroupAcc::new(
                days,
                Some(k.plan.credits),
                Some(k.overage_price.unwrap_or(0.0)),
            ));
            infos.push(KindSummary {
                name: k.name.clone(),
                teams: k.teams,
                plan: PlanInfo {
                    plan: k.plan.name.clone(),
                    credits: k.plan.credits,
                    seats: k.seats,
                    seat_price_usd: k.plan.seat_price_usd,
                    overage_policy: policy_label(&k.overage),
                    overage_price_usd: price,
                    block_credits: s.prices.block_credits,
                    overage_price_note: price.map(|_| OVERAGE_PRICE_NOTE.to_string()),
                },
                stats: GroupAcc::new(0, None, None).finish(),
            });
        }
        let mut assumptions = vec![
            format!("Overage block price: {OVERAGE_PRICE_NOTE}."),
            "An MCP flow called by an AI Agent tool runs with its parent: its credits accrue when the parent ends, and it executes if and only if the parent does.".to_string(),
            "Runs still in flight at the end of the last simulated cycle are dropped (they would accrue in the next, unsimulated cycle).".to_string(),
            "Block counts drawn from a continuous distribution are rounded stochastically, keeping their mean.".to_string(),
            "Quantiles per team-month are exact for values below 512 (hit times in seconds below 8,192) and within 0.2% above; quantiles over trials (the population total) are exact up to 2,048 trials.".to_string(),
        ];
        if s.has_shocks() {
            assumptions.push(format!(
                "Shared shocks are scenario inputs (assumptions unless measured on your own history): monthly usage factors shared by each kind's teams, lognormal with mean 1 (sigma {}), rank correlation {} between kinds; {} shared event(s){}. They scale Poisson rates, not fixed schedules.",
                s.kinds
                    .iter()
                    .map(|k| format!("{} {}", k.name, k.monthly_shock))
                    .collect::<Vec<_>>()
                    .join(", "),
                s.shocks.correlation,
                s.shocks.events.len(),
                if s.shocks.events.is_empty() {
                    String::new()
                } else {
                    format!(
                        " ({})",
                        s.shocks
                            .events
                            .iter()
                            .map(|e| format!("{}: {} per 30 days, rates x{}", e.name, e.per_month, e.multiplier))
                            .collect::<Vec<_>>()
                            .join("; ")
                    )
                }
            ));
        }
        if s.kinds
            .iter()
            .any(|k| matches!(k.overage, OveragePolicy::AfterSuspension { .. }))
        {
            assumptions.push("Overage after suspension: one reaction delay is drawn per team and trial, at its first suspension; overage then stays on.".to_string());
        }
        let versions = crate::scenario::price_versions_used(s);
        if !versions.is_empty() {
            assumptions.push(format!(
                "Prices change on a date (a scenario input, an assumption unless the source published it): each run is priced wholly by the version in force at its start, the book's own prices outside every version; {}.",
                versions.join("; ")
            ));
        }
        let reactions: Vec<String> = s
            .kinds
            .iter()
            .flat_map(|k| {
                k.reactions.iter().map(move |r| {
                    format!(
                        "{}: {}",
                        k.name,
                        crate::scenario::reaction_text(k, &s.prices, r)
                    )
                })
            })
            .collect();
        if !reactions.is_empty() {
            assumptions.push(format!(
                "Reactions at the cap are scenario inputs (assumptions unless measured on your own history); each delay is drawn once per team and trial, and the change lasts to the end of the simulation; an upgrade bills the new plan (allotment and seats) from the first whole cycle after it, as the source says nothing of prorating: {}.",
                reactions.join("; ")
            ));
        }
        let population_price = {
            let mut prices = kinds.iter().filter_map(|k| k.block_price);
            let first = prices.next();
            first.filter(|p| prices.all(|q| q == *p))
        };
        let population_allot = {
            let mut a = s.kinds.iter().map(|k| k.plan.credits);
            let first = a.next();
            first.filter(|c| a.all(|d| d == *c))
        };
        Ok(SummaryCollector {
            head: Summary {
                inputs: None,
                schema_version: SCHEMA_VERSION,
                generator: format!("flowcast {}", env!("CARGO_PKG_VERSION")),
                scenario: s.name.clone(),
                description: s.description.clone(),
                seed: o.seed,
                first_trial: o.first_trial,
                trials: o.trials,
                calendar: CalendarInfo {
                    start: s
                        .calendar
                        .start
                        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                    cycle_days: s.calendar.cycle_days,
                    months: s.calendar.months,
                    days: days as u32,
                },
                usage_multiplier: s.usage_multiplier,
                price_source: crate::scenario::prices_text(s),
                price_versions: crate::scenario::price_versions_used(s),
                assumptions,
                kinds: infos,
                population: GroupAcc::new(0, None, None).finish(),
                total_overage: TotalOverage {
                    trials: 0,
                    per_trial_usd: Acc::new(8).dist(0.01),
                    histogram: LogHistogram::new(8).chart(0.01, 1),
                    note: String::new(),
                },
                stopping: None,
                shared_shocks: None,
            },
            state: SummaryState {
                kinds,
                population: GroupAcc::new(days, population_allot, population_price),
                totals: TrialTotals::default(),
            },
        })
    }

    /// A collector of everything but the per-day credits used, the
    /// burn-up bands: what `compare` and `sweep` report, which show no
    /// bands. Those histograms are most of a state's memory (one per group
    /// and day), and these commands keep a state per plan or grid point
    /// until their shards are merged. Every other statistic is the same as
    /// [`SummaryCollector::new`]'s.
    pub fn headline(s: &Scenario, o: &SimOptions) -> Result<SummaryCollector, EngineError> {
        let mut c = SummaryCollector::new(s, o)?;
        for g in c.state.kinds.iter_mut() {
            g.daily = Vec::new();
        }
        c.state.population.daily = Vec::new();
        Ok(c)
    }

    /// What has been accumulated (a shard saves it).
    pub fn state(&self) -> &SummaryState {
        &self.state
    }

    /// Continues from `state` (the merged parts of this scenario's
    /// simulation) in place of what this collector holds.
    pub fn resume(&mut self, state: SummaryState) -> Result<(), String> {
        let shape = |s: &SummaryState| {
            (
                s.kinds.len(),
                s.population.hit_by_day.len(),
                // A headline state (no per-day credits) resumes only a
                // headline collector.
                s.population.daily.len(),
                s.population.allotment,
            )
        };
        if shape(&state) != shape(&self.state) {
            return Err("the part's kinds or days differ from the scenario's".to_string());
        }
        self.state = state;
        Ok(())
    }

    /// The summary of everything observed.
    pub fn finish(self) -> Summary {
        let mut s = self.head;
        let st = self.state;
        for (info, acc) in s.kinds.iter_mut().zip(&st.kinds) {
            info.stats = acc.finish();
        }
        s.population = st.population().finish();
        s.total_overage = TotalOverage {
            trials: st.totals.tally().len(),
            per_trial_usd: st.totals.tally().dist(),
            histogram: st.totals.tally().chart(CHART_BINS),
            note: format!(
                "Sum of the overage billed to every team of every kind over all {} simulated billing cycle(s) of one trial, one value per trial (the finance number); the block price is an assumption.",
                s.calendar.months
            ),
        };
        s
    }
}

fn policy_label(p: &OveragePolicy) -> String {
    match p {
        OveragePolicy::Off => "off".to_string(),
        OveragePolicy::On => "on".to_string(),
        OveragePolicy::AfterSuspension { delay_hours } => {
            format!("after suspension (delay {} hours)", delay_hours.describe())
        }
    }
}

impl Observer for SummaryCollector {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        let s = &mut self.state;
        if let Some(k) = s.kinds.get_mut(tm.kind) {
            k.add(tm);
        }
        s.totals.team_month(tm);
    }

    fn trial_end(&mut self, trial: u32) {
        self.state.totals.trial_end(trial);
    }
}
