//! The finance forecast: consecutive billing cycles (`--months N`) with the
//! scenario's month-on-month growth and no rollover, reported month by month
//! and cumulatively, per team kind and for the population.
//!
//! An [`Observer`]: team-months arrive in (trial, kind, team, cycle) order, so
//! a kind's total for a month is summed over its teams within the trial and
//! tallied once per trial at `trial_end`. Memory: kinds x months tallies.

use crate::engine::{timeline, EngineError, Observer, TeamMonth};
use crate::scenario::Scenario;
use crate::statistics::moments::{wilson95, Moments};
use crate::statistics::summary::{Distribution, Estimate};
use crate::statistics::Tally;
use crate::workload::arrivals::DAY;
use serde::{Deserialize, Serialize};

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

#[derive(Clone, Debug)]
struct MonthAcc {
    total: Tally,
    cumulative: Tally,
    n: u64,
    suspended: u64,
    days_suspended: Moments,
    runs_blocked: Moments,
    credits: Moments,
}

impl MonthAcc {
    fn new() -> MonthAcc {
        MonthAcc {
            total: Tally::dollars(),
            cumulative: Tally::dollars(),
            n: 0,
            suspended: 0,
            days_suspended: Moments::default(),
            runs_blocked: Moments::default(),
            credits: Moments::default(),
        }
    }

    fn add_team_month(&mut self, tm: &TeamMonth<'_>) {
        let r = tm.record;
        self.n += 1;
        let susp = match r.suspended_at {
            Some(s) => {
                self.suspended += 1;
                (r.resumed_at.unwrap_or(tm.cycle_end) - s).max(0.0) / DAY
            }
            None => 0.0,
        };
        self.days_suspended.add(susp);
        self.runs_blocked.add(r.runs_blocked as f64);
        self.credits.add(r.credits_used as f64);
    }
}

fn estimate(m: &Moments) -> Estimate {
    let (ci_low, ci_high) = m.ci95();
    Estimate {
        value: m.mean(),
        ci_low,
        ci_high,
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
    /// `acc[g][c]`: group g (kinds, then the population), month c.
    acc: Vec<Vec<MonthAcc>>,
    /// This trial's overage per group and month.
    trial: Vec<Vec<f64>>,
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
            acc: vec![vec![MonthAcc::new(); months]; groups],
            trial: vec![vec![0.0; months]; groups],
            trials: 0,
        })
    }

    /// The forecast of everything observed.
    pub fn finish(&self) -> Forecast {
        let groups = self
            .names
            .iter()
            .zip(&self.teams)
            .zip(&self.acc)
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
                            days_suspended: estimate(&a.days_suspended),
                            runs_blocked: estimate(&a.runs_blocked),
                            credits_used: estimate(&a.credits),
                        }
                    })
                    .collect(),
            })
            .collect();
        Forecast {
            inputs: None,
            scenario: self.scenario.clone(),
            seed: self.seed,
            trials: self.trials,
            months: self.starts.len() as u32,
            groups,
            note: "Overage billed per month and cumulatively, summed over the group's teams, one value per trial (mean with 95% CI, P10/P50/P90); no credits roll over; usage grows by each flow's growth_per_month. The overage block price is an assumption (user input).".to_string(),
        }
    }
}

impl Observer for ForecastCollector {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        let c = tm.cycle as usize;
        let pop = self.names.len() - 1;
        for g in [tm.kind, pop] {
            if let (Some(a), Some(t)) = (
                self.acc.get_mut(g).and_then(|m| m.get_mut(c)),
                self.trial.get_mut(g).and_then(|m| m.get_mut(c)),
            ) {
                a.add_team_month(tm);
                *t += tm.record.overage_cost;
            }
        }
    }

    fn trial_end(&mut self, _trial: u32) {
        for (accs, totals) in self.acc.iter_mut().zip(self.trial.iter_mut()) {
            let mut running = 0.0;
            for (a, t) in accs.iter_mut().zip(totals.iter_mut()) {
                running += *t;
                a.total.add(*t);
                a.cumulative.add(running);
                *t = 0.0;
            }
        }
        self.trials += 1;
    }
}
