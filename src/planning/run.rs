//! `run`: one scenario's standard results — the summary, the usage alerts
//! and, over several billing cycles, the forecast — from one pass of the
//! simulator, with a fixed number of trials or, under a [`Precision`]
//! target, adding trials until the watched confidence intervals are tight
//! enough.
//!
//! Adaptive trials run in geometric batches on consecutive trial numbers
//! (trial `i` always draws from the same streams), so a run that stops at
//! `n` trials gives exactly the result of a fixed run of `n` trials.
//!
//! A fixed run can also be cut into shards ([`run_shard`]): each saves its
//! [`RunPart`], and [`finish_run`] turns the merged parts into the result
//! one process would have computed, to the bit.

use super::alerts::{AlertCollector, AlertRow, AlertState};
use super::forecast::{Forecast, ForecastCollector, ForecastState};
use super::stopping::{next_batch, Precision, StopReason};
use crate::engine::{
    simulate, simulate_shard, EngineError, Observer, Shard, SimOptions, SimStats, TeamMonth,
};
use crate::scenario::Scenario;
use crate::statistics::collector::SummaryState;
use crate::statistics::summary::{ShockShare, Stopping, Summary};
use crate::statistics::totals::TrialTotals;
use crate::statistics::SummaryCollector;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// A number `--precision` can watch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Watch {
    /// The population's total overage per simulated horizon.
    Total,
    /// Each kind's mean overage per team-month.
    Overage,
    /// Each kind's probability of hitting the limit.
    Hit,
}

impl FromStr for Watch {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "total" => Ok(Watch::Total),
            "overage" => Ok(Watch::Overage),
            "hit" => Ok(Watch::Hit),
            other => Err(format!(
                "unknown '{other}' (expected total, overage or hit)"
            )),
        }
    }
}

/// The trial count of a run: fixed (`SimOptions::trials`), or adaptive.
#[derive(Clone, Debug, PartialEq)]
pub enum Trials {
    /// Exactly `SimOptions::trials`.
    Fixed,
    /// Start with `SimOptions::trials` (at least 2), double until every
    /// watched number's 95% CI is within the target or the cap is reached.
    Adaptive {
        /// Target and cap.
        precision: Precision,
        /// What must be precise.
        watch: Vec<Watch>,
    },
}

/// What a run produces.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// Work done (runs, team-months, seconds).
    pub sim: SimStats,
    /// The headline numbers (with `stopping` set for adaptive runs).
    pub summary: Summary,
    /// Usage alerts: days of warning before the limit.
    pub alerts: Vec<AlertRow>,
    /// Month by month, when the scenario spans more than one cycle.
    pub forecast: Option<Forecast>,
}

/// The observers of a run, fed the same team-months.
struct Collectors {
    summary: SummaryCollector,
    alerts: AlertCollector,
    forecast: Option<ForecastCollector>,
}

impl Observer for Collectors {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        self.summary.team_month(tm);
        self.alerts.team_month(tm);
        if let Some(f) = &mut self.forecast {
            f.team_month(tm);
        }
    }
    fn trial_end(&mut self, trial: u32) {
        self.summary.trial_end(trial);
        self.alerts.trial_end(trial);
        if let Some(f) = &mut self.forecast {
            f.trial_end(trial);
        }
    }
}

impl Collectors {
    fn new(scenario: &Scenario, opts: &SimOptions) -> Result<Collectors, EngineError> {
        Ok(Collectors {
            summary: SummaryCollector::new(scenario, opts)?,
            alerts: AlertCollector::new(scenario),
            forecast: if scenario.calendar.months > 1 {
                Some(ForecastCollector::new(scenario, opts.seed)?)
            } else {
                None
            },
        })
    }
}

/// What one shard of a run accumulated: every statistic's mergeable state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunPart {
    /// The summary's accumulators.
    pub summary: SummaryState,
    /// The alert lead times'.
    pub alerts: AlertState,
    /// The forecast's, over several billing cycles.
    pub forecast: Option<ForecastState>,
    /// The totals of the same trials without the shared shocks (when the
    /// scenario has any).
    pub unshocked: Option<TrialTotals>,
}

impl RunPart {
    /// Adds another shard's part of the same run.
    pub fn merge(&mut self, o: &RunPart) -> Result<(), String> {
        self.summary.merge(&o.summary)?;
        self.alerts.merge(&o.alerts)?;
        match (&mut self.forecast, &o.forecast) {
            (Some(a), Some(b)) => a.merge(b)?,
            (None, None) => {}
            _ => return Err("one part has a forecast, the other not".to_string()),
        }
        match (&mut self.unshocked, &o.unshocked) {
            (Some(a), Some(b)) => a.merge(b),
            (None, None) => Ok(()),
            _ => Err("one part has shared shocks, the other not".to_string()),
        }
    }
}

/// `s` without its shared shocks: the twin run that measures their share
/// of the total's variance.
pub fn without_shocks(s: &Scenario) -> Scenario {
    let mut u = s.clone();
    for k in &mut u.kinds {
        k.monthly_shock = 0.0;
    }
    u.shocks.events.clear();
    u
}

/// The twin run's totals (same trials, same team streams, no shocks).
fn unshocked(
    scenario: &Scenario,
    opts: &SimOptions,
    shard: Shard,
) -> Result<Option<TrialTotals>, EngineError> {
    if !scenario.has_shocks() {
        return Ok(None);
    }
    let quiet = SimOptions {
        progress: false,
        ..opts.clone()
    };
    let mut t = TrialTotals::default();
    simulate_shard(&without_shocks(scenario), &quiet, shard, &mut t)?;
    Ok(Some(t))
}

/// The shocks' share of the total's variance, from the totals with them
/// (`with`) and the twin run's without them.
pub fn shock_share(
    with: &crate::statistics::Tally,
    without: &crate::statistics::Tally,
) -> ShockShare {
    let (a, b) = (with.std_dev(), without.std_dev());
    let share = if a > 0.0 {
        (1.0 - (b * b) / (a * a)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    ShockShare {
        variance_share: share,
        sd_with_usd: a,
        sd_without_usd: b,
        mean_without_usd: without.mean(),
        note: "Share of the variance of the population's total overage per trial that comes from the shocks shared by many teams (monthly factors, events): 1 - Var(total without them) / Var(total with them), the same trials simulated twice on the same random numbers.".to_string(),
    }
}

/// Simulates `shard`'s part of a fixed run of `scenario`.
pub fn run_shard(
    scenario: &Scenario,
    opts: &SimOptions,
    shard: Shard,
) -> Result<(SimStats, RunPart), EngineError> {
    let mut c = Collectors::new(scenario, opts)?;
    let sim = simulate_shard(scenario, opts, shard, &mut c)?;
    Ok((
        sim,
        RunPart {
            summary: c.summary.state().clone(),
            alerts: c.alerts.state().clone(),
            forecast: c.forecast.as_ref().map(|f| f.state().clone()),
            unshocked: unshocked(scenario, opts, shard)?,
        },
    ))
}

/// The result of a run from its merged parts (every shard's, merged with
/// [`RunPart::merge`]): the trials the shards shared are finished here.
pub fn finish_run(
    scenario: &Scenario,
    opts: &SimOptions,
    sim: SimStats,
    mut part: RunPart,
) -> Result<RunResult, String> {
    let engine = |e: EngineError| e.to_string();
    let mut c = Collectors::new(scenario, opts).map_err(engine)?;
    part.summary.close_trials();
    c.summary.resume(part.summary)?;
    c.alerts.resume(part.alerts)?;
    match (&mut c.forecast, part.forecast) {
        (Some(f), Some(mut p)) => {
            p.close_trials();
            f.resume(p)?;
        }
        (None, None) => {}
        _ => return Err("the parts' forecast does not match the scenario's months".to_string()),
    }
    let with = c.summary.state().totals().tally().clone();
    let mut summary = c.summary.finish();
    if let Some(mut u) = part.unshocked {
        u.close_trials();
        summary.shared_shocks = Some(shock_share(&with, u.tally()));
    }
    Ok(RunResult {
        sim,
        summary,
        alerts: c.alerts.finish(),
        forecast: c.forecast.as_ref().map(ForecastCollector::finish),
    })
}

/// Simulates `scenario` and collects its standard results.
pub fn run(
    scenario: &Scenario,
    opts: &SimOptions,
    trials: &Trials,
) -> Result<RunResult, EngineError> {
    let mut c = Collectors::new(scenario, opts)?;
    let (sim, mut summary) = match trials {
        Trials::Fixed => {
            let sim = simulate(scenario, opts, &mut c)?;
            let summary = c.summary.clone().finish();
            (sim, summary)
        }
        Trials::Adaptive { precision, watch } => {
            until_precise(scenario, opts, precision, watch, &mut c)?
        }
    };
    // The twin run without shared shocks, over the trials the run made.
    let done = SimOptions {
        first_trial: opts.first_trial,
        trials: summary.trials,
        ..opts.clone()
    };
    if let Some(u) = unshocked(scenario, &done, Shard::WHOLE)? {
        let with = c.summary.state().totals().tally().clone();
        summary.shared_shocks = Some(shock_share(&with, u.tally()));
    }
    Ok(RunResult {
        sim,
        summary,
        alerts: c.alerts.finish(),
        forecast: c.forecast.as_ref().map(ForecastCollector::finish),
    })
}

/// The adaptive loop: batches of doubling size until the watched widths are
/// within the target or the cap is reached.
fn until_precise(
    scenario: &Scenario,
    opts: &SimOptions,
    p: &Precision,
    watch: &[Watch],
    c: &mut Collectors,
) -> Result<(SimStats, Summary), EngineError> {
    let mut done = 0u32;
    let mut total = SimStats {
        runs: 0,
        team_months: 0,
        seconds: 0.0,
    };
    // Not `clamp(2, cap)`: a cap of 1 is allowed and clamp would panic.
    let first = opts.trials.max(2).min(p.max_trials);
    let mut last = None;
    loop {
        let batch = next_batch(done, first, p.max_trials);
        if batch == 0 {
            break;
        }
        let o = SimOptions {
            first_trial: done,
            trials: batch,
            ..opts.clone()
        };
        let s = simulate(scenario, &o, c)?;
        total.runs += s.runs;
        total.team_months += s.team_months;
        total.seconds += s.seconds;
        done += batch;
        let now = c.summary.clone().finish();
        let precise = widths(&now, watch).iter().all(|(_, w)| *w <= p.relative);
        last = Some(now);
        if precise {
            break;
        }
    }
    // The last batch's summary is the result (no second pass over the
    // collector); a first batch always runs, the cap being at least 1.
    let mut summary = last.unwrap_or_else(|| c.summary.clone().finish());
    summary.trials = done;
    let ws = widths(&summary, watch);
    let achieved = ws.iter().map(|(_, w)| *w).fold(0.0, f64::max);
    let reason = if achieved <= p.relative {
        StopReason::PrecisionReached
    } else {
        StopReason::TrialCap
    };
    summary.stopping = Some(Stopping {
        target_relative: p.relative,
        watched: ws.into_iter().map(|(n, _)| n).collect(),
        achieved_relative: achieved,
        reason: match reason {
            StopReason::PrecisionReached => "precision_reached",
            StopReason::TrialCap => "trial_cap",
        }
        .to_string(),
        max_trials: p.max_trials,
    });
    Ok((total, summary))
}

/// The relative half-widths of the watched numbers' 95% CIs in `s`, named.
/// A number that is exactly zero with no spread is perfectly precise; one
/// whose mean is zero but whose interval is not can never be.
pub fn widths(s: &Summary, watch: &[Watch]) -> Vec<(String, f64)> {
    let rel = |mean: f64, lo: f64, hi: f64| {
        let half = (hi - lo) / 2.0;
        if half == 0.0 {
            0.0
        } else if mean == 0.0 {
            f64::INFINITY
        } else {
            half / mean.abs()
        }
    };
    let mut out = Vec::new();
    for w in watch {
        match w {
            Watch::Total => {
                let t = &s.total_overage.per_trial_usd;
                out.push((
                    "total overage".to_string(),
                    rel(t.mean, t.ci_low, t.ci_high),
                ));
            }
            Watch::Overage => {
                for k in &s.kinds {
                    let d = &k.stats.overage_cost_usd;
                    out.push((
                        format!("{} overage", k.name),
                        rel(d.mean, d.ci_low, d.ci_high),
                    ));
                }
            }
            Watch::Hit => {
                for k in &s.kinds {
                    let e = &k.stats.hit.probability;
                    out.push((
                        format!("{} P(hit)", k.name),
                        rel(e.value, e.ci_low, e.ci_high),
                    ));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn watch_names_parse_and_unknown_ones_are_named() {
        assert_eq!("total".parse(), Ok(Watch::Total));
        assert_eq!(" hit ".parse(), Ok(Watch::Hit));
        assert_eq!("overage".parse(), Ok(Watch::Overage));
        let e = "p90".parse::<Watch>().unwrap_err();
        assert!(e.contains("'p90'"), "{e}");
    }
}
