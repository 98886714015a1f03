//! The finance forecast: consecutive billing cycles (`--months N`) with the
//! scenario's month-on-month growth and no rollover, reported month by month
//! and cumulatively, per team kind and for the population.
//!
//! An [`Observer`]: a kind's total for a month is summed (in cents) over its
//! teams within the trial and tallied once per trial at `trial_end`. Memory:
//! kinds x months tallies. Every sum is of whole numbers (cents, seconds,
//! runs, credits), so a shard's [`ForecastState`] merges exactly.

use crate::engine::{timeline, EngineError, Observer, TeamMonth};
use crate::scenario::Scenario;
use crate::statistics::moments::{wilson95, Sums};
use crate::statistics::summary::{Distribution, Estimate};
use crate::statistics::Tally;
use crate::workload::arrivals::DAY;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One group's (a kind's, or the population's) numbers for one month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthRow {
    /// Month index, 1-based.
    pub month: u32,
    /// Start of the billing cycle (RFC 3339, UTC).
    pub cycle_start: String,
    /// The group's total overage billed in this month, per trial, USD.
    pub overage_usd: Distribution,
    /// 10th, 25th and 75th percentiles of `overage_usd` (the fan chart's bands).
    pub overage_p10: f64,
    /// 25th percentile of `overage_usd`.
    pub overage_p25: f64,
    /// 75th percentile of `overage_usd`.
    pub overage_p75: f64,
    /// Total overage billed from month 1 through this month, per trial, USD.
    pub cumulative_usd: Distribution,
    /// 10th percentile of `cumulative_usd`.
    pub cumulative_p10: f64,
    /// 25th percentile of `cumulative_usd`.
    pub cumulative_p25: f64,
    /// 75th percentile of `cumulative_usd`.
    pub cumulative_p75: f64,
    /// Share of the group's team-months suspended at some point this month.
    pub suspended_share: Estimate,
    /// Days suspended per team this month (mean with 95% interval).
    pub days_suspended: Estimate,
    /// Runs blocked per team this month (mean with 95% interval).
    pub runs_blocked: Estimate,
    /// Credits used per team this month (mean with 95% interval).
    pub credits_used: Estimate,
    /// The group's seat bill this month (seats x the seat price of the plan
    /// each team is billed on: upgrades at the cap raise it), per trial, USD.
    pub seats_usd: Distribution,
    /// Share of the group's team-months billed on a plan a reaction
    /// upgraded them to.
    pub upgraded_share: f64,
}

/// One group's forecast.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastGroup {
    /// Kind name, or `population`.
    pub group: String,
    /// Teams in the group (per trial).
    pub teams: u64,
    /// One row per month.
    pub months: Vec<MonthRow>,
}

/// The forecast over the horizon.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Trials.
    pub trials: u64,
    /// Months simulated.
    pub months: u32,
    /// Per kind, then the population last.
    pub groups: Vec<ForecastGroup>,
    /// How to read it.
    pub note: String,
    /// What it was computed from: command, input file and its SHA-256,
    /// overrides, seed, trials (set by the command line; absent when the
    /// library computed it without a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<crate::provenance::Inputs>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct MonthAcc {
    total: Tally,
    cumulative: Tally,
    n: u64,
    suspended: u64,
    /// Seconds suspended.
    suspended_secs: Sums,
    runs_blocked: Sums,
    credits: Sums,
    /// The group's seat bill per trial.
    seats: Tally,
    upgraded: u64,
}

impl MonthAcc {
    fn new() -> MonthAcc {
        MonthAcc {
            total: Tally::dollars(),
            cumulative: Tally::dollars(),
            n: 0,
            suspended: 0,
            suspended_secs: Sums::default(),
            runs_blocked: Sums::default(),
            credits: Sums::default(),
            seats: Tally::dollars(),
            upgraded: 0,
        }
    }

    fn merge(&mut self, o: &MonthAcc) -> Result<(), String> {
        self.total.merge(&o.total)?;
        self.cumulative.merge(&o.cumulative)?;
        self.n += o.n;
        self.suspended += o.suspended;
        self.suspended_secs.merge(&o.suspended_secs);
        self.runs_blocked.merge(&o.runs_blocked);
        self.credits.merge(&o.credits);
        self.seats.merge(&o.seats)?;
        self.upgraded += o.upgraded;
        Ok(())
    }

    fn add_team_month(&mut self, tm: &TeamMonth<'_>) {
        let r = tm.record;
        self.n += 1;
        let susp = match r.suspended_at {
            Some(s) => {
                self.suspended += 1;
                (r.resumed_at.unwrap_or(tm.cycle_end) - s).max(0.0)
            }
            None => 0.0,
        };
        self.suspended_secs.add(susp.round() as u64);
        self.runs_blocked.add(r.runs_blocked);
        self.credits.add(r.credits_used);
        self.upgraded += u64::from(tm.upgraded);
    }
}

/// The mean of `m` with its 95% interval, times `scale`.
fn estimate(m: &Sums, scale: f64) -> Estimate {
    let (ci_low, ci_high) = m.ci95();
    Estimate {
        value: m.mean() * scale,
        ci_low: ci_low * scale,
        ci_high: ci_high * scale,
    }
}

/// Collects the forecast; feed it to [`crate::engine::simulate`].
#[derive(Clone, Debug)]
pub struct ForecastCollector {
    scenario: String,
    seed: u64,
    names: Vec<String>,
    teams: Vec<u64>,
    starts: Vec<String>,
    state: ForecastState,
}

/// What a [`ForecastCollector`] has accumulated (a shard saves it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForecastState {
    /// `acc[g][c]`: group g (kinds, then the population), month c.
    acc: Vec<Vec<MonthAcc>>,
    /// Overage cents per group and month of the trials not finished yet.
    open: BTreeMap<u32, Vec<Vec<u64>>>,
    /// Seat cents likewise.
    open_seats: BTreeMap<u32, Vec<Vec<u64>>>,
    trials: u64,
}

impl ForecastCollector {
    /// A collector for `s` simulated with `seed`.
    pub fn new(s: &Scenario, seed: u64) -> Result<ForecastCollector, EngineError> {
        let tl = timeline(&s.calendar).map_err(|problem| EngineError::Scenario {
            scenario: s.name.clone(),
            key: None,
            problem,
        })?;
        let months = tl.bounds.len().saturating_sub(1);
        let starts = tl.bounds[..months]
            .iter()
            .map(|&b| {
                let t =
                    s.calendar.start + chrono::Duration::milliseconds((b * 1000.0).round() as i64);
                t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            })
            .collect();
        let mut names: Vec<String> = s.kinds.iter().map(|k| k.name.clone()).collect();
        let mut teams: Vec<u64> = s.kinds.iter().map(|k| u64::from(k.teams)).collect();
        names.push("population".to_string());
        teams.push(teams.iter().sum());
        let groups = names.len();
        Ok(ForecastCollector {
            scenario: s.name.clone(),
            seed,
            names,
            teams,
            starts,
            state: ForecastState {
                acc: vec![vec![MonthAcc::new(); months]; groups],
                open: BTreeMap::new(),
                open_seats: BTreeMap::new(),
                trials: 0,
            },
        })
    }

    /// What has been accumulated (a shard saves it).
    pub fn state(&self) -> &ForecastState {
        &self.state
    }

    /// Continues from `state` (the merged parts of this scenario's
    /// simulation).
    pub fn resume(&mut self, state: ForecastState) -> Result<(), String> {
        if state.shape() != self.state.shape() {
            return Err(
                "the part's forecast groups or months differ from the scenario's".to_string(),
            );
        }
        self.state = state;
        Ok(())
    }

    /// The forecast of everything observed.
    pub fn finish(&self) -> Forecast {
        let groups = self
            .names
            .iter()
            .zip(&self.teams)
            .zip(&self.state.acc)
            .map(|((name, &teams), months)| ForecastGroup {
                group: name.clone(),
                teams,
                months: months
                    .iter()
                    .enumerate()
                    .map(|(c, a)| {
                        let (lo, hi) = wilson95(a.suspended, a.n);
                        MonthRow {
                            month: c as u32 + 1,
                            cycle_start: self.starts[c].clone(),
                            overage_usd: a.total.dist(),
                            overage_p10: a.total.quantile(0.1),
                            overage_p25: a.total.quantile(0.25),
                            overage_p75: a.total.quantile(0.75),
                            cumulative_usd: a.cumulative.dist(),
                            cumulative_p10: a.cumulative.quantile(0.1),
                            cumulative_p25: a.cumulative.quantile(0.25),
                            cumulative_p75: a.cumulative.quantile(0.75),
                            suspended_share: Estimate {
                                value: a.suspended as f64 / a.n.max(1) as f64,
                                ci_low: lo,
                                ci_high: hi,
                            },
                            days_suspended: estimate(&a.suspended_secs, 1.0 / DAY),
                            runs_blocked: estimate(&a.runs_blocked, 1.0),
                            credits_used: estimate(&a.credits, 1.0),
                            seats_usd: a.seats.dist(),
                            upgraded_share: a.upgraded as f64 / a.n.max(1) as f64,
                        }
                    })
                    .collect(),
            })
            .collect();
        Forecast {
            inputs: None,
            scenario: self.scenario.clone(),
            seed: self.seed,
            trials: self.state.trials,
            months: self.starts.len() as u32,
            groups,
            note: "Overage billed per month and cumulatively, summed over the group's teams, one value per trial (mean with 95% CI, P10/P50/P90); no credits roll over; usage grows by each flow's growth_per_month. The overage block price is an assumption (user input).".to_string(),
        }
    }
}

impl ForecastState {
    fn shape(&self) -> Vec<usize> {
        self.acc.iter().map(Vec::len).collect()
    }

    /// Adds what another part of the same simulation accumulated; trials
    /// both saw in part are summed. Call [`ForecastState::close_trials`]
    /// once every part is in.
    pub fn merge(&mut self, o: &ForecastState) -> Result<(), String> {
        if self.shape() != o.shape() {
            return Err("the forecasts' groups or months differ".to_string());
        }
        for (ga, gb) in self.acc.iter_mut().zip(&o.acc) {
            for (a, b) in ga.iter_mut().zip(gb) {
                a.merge(b)?;
            }
        }
        let shape = self.shape();
        for (mine, theirs) in [
            (&mut self.open, &o.open),
            (&mut self.open_seats, &o.open_seats),
        ] {
            for (t, sums) in theirs {
                if sums.iter().map(Vec::len).collect::<Vec<_>>() != shape {
                    return Err(format!("trial {t}: the part's months differ"));
                }
                match mine.get_mut(t) {
                    Some(m) => {
                        for (a, b) in m.iter_mut().flatten().zip(sums.iter().flatten()) {
                            *a = a.saturating_add(*b);
                        }
                    }
                    None => {
                        mine.insert(*t, sums.clone());
                    }
                }
            }
        }
        self.trials += o.trials;
        Ok(())
    }

    /// Counts the trials still open as finished (after a merge of all the
    /// parts, they are), in trial order.
    pub fn close_trials(&mut self) {
        let open: Vec<u32> = self.open.keys().copied().collect();
        for t in open {
            self.end_trial(t);
        }
    }

    /// Tallies trial `trial`'s monthly and cumulative totals.
    fn end_trial(&mut self, trial: u32) {
        let totals = self.open.remove(&trial);
        let seats = self.open_seats.remove(&trial);
        for (g, accs) in self.acc.iter_mut().enumerate() {
            let mut running = 0u64;
            for (c, a) in accs.iter_mut().enumerate() {
                let of = |m: &Option<Vec<Vec<u64>>>| {
                    m.as_ref()
                        .and_then(|m| m.get(g)?.get(c).copied())
                        .unwrap_or(0)
                };
                let t = of(&totals);
                running = running.saturating_add(t);
                a.total.add_units(t);
                a.cumulative.add_units(running);
                a.seats.add_units(of(&seats));
            }
        }
        self.trials += 1;
    }
}

impl Observer for ForecastCollector {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        let c = tm.cycle as usize;
        let s = &mut self.state;
        let pop = s.acc.len() - 1;
        let shape = || s.acc.iter().map(|m| vec![0u64; m.len()]).collect();
        let open = s.open.entry(tm.trial).or_insert_with(shape);
        let open_seats = s.open_seats.entry(tm.trial).or_insert_with(shape);
        let cents = crate::statistics::totals::cents(tm.record.overage_cost);
        let seat_cents =
            crate::statistics::totals::cents(f64::from(tm.seats) * tm.plan.seat_price_usd);
        for g in [tm.kind, pop] {
            if let (Some(a), Some(t), Some(st)) = (
                s.acc.get_mut(g).and_then(|m| m.get_mut(c)),
                open.get_mut(g).and_then(|m| m.get_mut(c)),
                open_seats.get_mut(g).and_then(|m| m.get_mut(c)),
            ) {
                a.add_team_month(tm);
                *t = t.saturating_add(cents);
                *st = st.saturating_add(seat_cents);
            }
        }
    }

    fn trial_end(&mut self, trial: u32) {
        self.state.end_trial(trial);
    }
}
