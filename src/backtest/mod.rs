//! Backtest: does a forecast fitted to a team's history come true on its own
//! next month? Rolling origin over a usage log: for each billing month m
//! after the first K, fit on the months before m (`fitting`), forecast month
//! m from its cycle start (`engine`, one kind per team, so each team has its
//! own forecast distribution), replay the actual month m (`replay`: the same
//! pricing function and ledger), and score the forecast ([`scores`]) against
//! the actuals, beside two baselines people use today:
//!
//! - **same as last month**: the team's month m - 1, as a point forecast;
//! - **straight-line projection**: the credits used in the first D days of
//!   month m, times the month's length over D (the way usage dashboards
//!   project). It sees D days of month m that the forecast does not.
//!
//! A team's state at the cycle start carries over: an overage switch made
//! before it is on in the forecast; one made later is not known then.

pub mod output;
pub mod scores;

use crate::engine::{simulate, Observer, SimOptions, TeamMonth};
use crate::files::InputError;
use crate::fitting::{data::FitData, fit_data, FitOptions, Grouping};
use crate::ledger::Overage;
use crate::pricing::PriceBook;
use crate::replay::{format_time, replay_table, Billing, ReplayRecord};
use scores::{brier, uniform, Sample};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;

const DAY_NS: i64 = 86_400_000_000_000;

/// What to backtest.
#[derive(Clone, Debug)]
pub struct BacktestOptions {
    /// Months of history before the first forecast month (K).
    pub train_months: u32,
    /// Simulated months per forecast.
    pub trials: u32,
    /// The seed of every forecast.
    pub seed: u64,
    /// The projection baseline's day D.
    pub projection_day: u32,
    /// Plan terms and billing cycles.
    pub billing: Billing,
}

/// One team in one forecast month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Team name.
    pub team: String,
    /// The month's cycle start (RFC 3339).
    pub month: String,
    /// Actual credits used.
    pub actual_credits: u64,
    /// Whether the team actually hit its limit.
    pub actual_hit: bool,
    /// When, in days from the cycle start.
    pub actual_hit_day: Option<f64>,
    /// Actual overage billed, USD.
    pub actual_overage_usd: f64,
    /// Forecast credits, 10th percentile.
    pub forecast_credits_p10: f64,
    /// Forecast credits, median.
    pub forecast_credits_p50: f64,
    /// Forecast credits, 90th percentile.
    pub forecast_credits_p90: f64,
    /// Forecast overage, 10th percentile, USD.
    pub forecast_overage_p10_usd: f64,
    /// Forecast overage, median, USD.
    pub forecast_overage_p50_usd: f64,
    /// Forecast overage, 90th percentile, USD.
    pub forecast_overage_p90_usd: f64,
    /// Forecast probability of hitting the limit.
    pub forecast_p_hit: f64,
    /// The actual credits' rank in the forecast (randomised PIT).
    pub pit: f64,
    /// CRPS of the credits forecast.
    pub crps_credits: f64,
    /// CRPS of the overage forecast, USD.
    pub crps_overage_usd: f64,
    /// Brier score of P(hit).
    pub brier: f64,
    /// Baseline "same as last month": credits.
    pub last_month_credits: f64,
    /// Baseline "same as last month": overage, USD.
    pub last_month_overage_usd: f64,
    /// Baseline projection from the first D days: credits.
    pub projection_credits: f64,
    /// Baseline projection: overage, USD.
    pub projection_overage_usd: f64,
}

/// Scores over all team-months, for one forecaster.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Which forecaster.
    pub name: String,
    /// Mean CRPS of credits.
    pub crps_credits: f64,
    /// Mean CRPS of overage, USD.
    pub crps_overage_usd: f64,
    /// Mean Brier score of P(hit).
    pub brier: f64,
}

/// The whole backtest.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Backtest {
    /// The log backtested.
    pub log: String,
    /// Months of history before the first forecast.
    pub train_months: u32,
    /// Simulated months per forecast.
    pub trials: u32,
    /// Seed.
    pub seed: u64,
    /// The projection baseline's day.
    pub projection_day: u32,
    /// Forecast months (cycle starts).
    pub months: Vec<String>,
    /// Team-months scored.
    pub team_months: usize,
    /// Teams seen only in their forecast month (no history: not scored).
    pub unforecast_team_months: usize,
    /// Share of actuals inside the forecast's P10-P90 band (0.8 when
    /// calibrated).
    pub coverage_p10_p90: f64,
    /// The band within which that share is consistent with 0.8: 0.8 +- 3
    /// binomial standard errors for this many team-months.
    pub coverage_band: (f64, f64),
    /// Share of actuals at or below the forecast median (0.5 when calibrated).
    pub share_below_p50: f64,
    /// P10-P90 coverage per forecast month.
    pub coverage_by_month: Vec<f64>,
    /// PIT histogram: counts in ten bins of width 0.1.
    pub pit_histogram: [u64; 10],
    /// flowcast, then the baselines.
    pub scores: Vec<Scores>,
    /// Per team and month.
    pub rows: Vec<Row>,
    /// What it was computed from: command, input file and its SHA-256,
    /// overrides, seed, trials (set by the command line; absent when the
    /// library computed it without a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<crate::provenance::Inputs>,
}

impl Backtest {
    /// Whether flowcast's credits CRPS is lower than baseline `i`'s (1 or 2).
    pub fn beats(&self, i: usize) -> bool {
        self.scores[0].crps_credits < self.scores[i].crps_credits
    }
}

/// Per team (kind) and trial: credits, overage, hit.
struct Collect {
    by_kind: Vec<Vec<(f64, f64, bool)>>,
}

impl Observer for Collect {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        self.by_kind[tm.kind].push((
            tm.record.credits_used as f64,
            tm.record.overage_cost,
            tm.record.limit_reached_at.is_some(),
        ));
    }
}

/// Runs the backtest on already-read log data.
pub fn backtest(
    data: &FitData,
    path: &Path,
    book: &PriceBook,
    o: &BacktestOptions,
) -> Result<Backtest, InputError> {
    let err = |m: String| InputError::at(path, None, m);
    let table = &data.table;
    let anchor = o.billing.anchor;
    let starts: Vec<i64> = table
        .runs
        .iter()
        .filter(|r| r.defined)
        .map(|r| r.start)
        .collect();
    let (Some(&first), Some(&last)) = (starts.iter().min(), starts.iter().max()) else {
        return Err(err("the log has no runs: nothing to backtest".into()));
    };
    // Whole months: those that end by the end of the last run's day.
    let data_end = (last.div_euclid(DAY_NS) + 1) * DAY_NS;
    let mut cycles = vec![anchor.cycle_start(first)];
    while anchor.next_start(*cycles.last().unwrap_or(&first)) <= data_end {
        let next = anchor.next_start(*cycles.last().unwrap_or(&first));
        cycles.push(next);
    }
    let whole = cycles.len() - 1;
    let k = o.train_months as usize;
    if k == 0 || whole < k + 1 {
        return Err(err(format!(
            "the log covers {whole} whole billing month(s); --train-months {k} needs at least {} (K months to fit, then one or more to forecast)",
            k + 1
        )));
    }
    // The actuals, replayed once over the whole log (state carries over).
    let actual = replay_table(table, path, &o.billing, |_| true)?;
    let actual_of = |team: &str, start: i64| -> Option<&ReplayRecord> {
        actual
            .records
            .iter()
            .find(|r| r.team == team && r.cycle_start == start)
    };

    let mut rows = Vec::new();
    let mut unforecast = 0;
    let mut months = Vec::new();
    let mut coverage_by_month = Vec::new();
    for m in k..whole {
        let (c_m, c_next) = (cycles[m], cycles[m + 1]);
        months.push(format_time(c_m));
        let fit = fit_data(
            data,
            path,
            book,
            &FitOptions {
                grouping: Grouping::Team,
                window: Some((cycles[0], c_m)),
                forecast_start: Some(c_m),
                months: 1,
                billing: o.billing.clone(),
                seed: o.seed,
                trials: o.trials,
            },
        )?;
        let s = &fit.scenario;
        let mut obs = Collect {
            by_kind: vec![Vec::new(); s.kinds.len()],
        };
        simulate(
            s,
            &SimOptions {
                seed: o.seed,
                first_trial: 0,
                trials: o.trials,
                threads: None,
                progress: false,
                per_run: false,
            },
            &mut obs,
        )
        .map_err(|e| err(format!("forecasting {}: {e}", format_time(c_m))))?;
        // Month to date after D days, for the projection baseline.
        let cutoff = c_m + i64::from(o.projection_day) * DAY_NS;
        let to_date = replay_table(table, path, &o.billing, |r| r.start < cutoff)?;
        let month_days = (c_next - c_m) as f64 / DAY_NS as f64;
        let kind_index: BTreeMap<&str, usize> = s
            .kinds
            .iter()
            .enumerate()
            .map(|(i, kd)| (kd.name.as_str(), i))
            .collect();
        let teams_in_month: Vec<String> = actual
            .records
            .iter()
            .filter(|r| r.cycle_start == c_m)
            .map(|r| r.team.clone())
            .collect();
        unforecast += teams_in_month
            .iter()
            .filter(|t| !fit.teams.iter().any(|(n, _)| n == *t))
            .count();
        let (mut inside, mut scored) = (0usize, 0usize);
        for (team, kind) in &fit.teams {
            let Some(&ki) = kind_index.get(kind.as_str()) else {
                continue;
            };
            let draws = &obs.by_kind[ki];
            let credits = Sample::new(draws.iter().map(|d| d.0).collect());
            let overage = Sample::new(draws.iter().map(|d| d.1).collect());
            let p_hit = draws.iter().filter(|d| d.2).count() as f64 / draws.len().max(1) as f64;
            let a = actual_of(team, c_m);
            let y = a.map_or(0.0, |r| r.credits_used as f64);
            let y_over = a.map_or(0.0, |r| r.overage_cost);
            let hit = a.is_some_and(|r| r.limit_reached_at.is_some());
            let prev = actual_of(team, cycles[m - 1]);
            let terms = o.billing.terms_for(team);
            let proj_used = to_date
                .records
                .iter()
                .find(|r| &r.team == team && r.cycle_start == c_m)
                .map_or(0.0, |r| r.credits_used as f64);
            let mut proj = proj_used * month_days / f64::from(o.projection_day.max(1));
            let overage_on = terms.overage() != Overage::Off;
            if !overage_on {
                // A suspended team stops near its allotment.
                proj = proj.min(proj_used.max(terms.allotment() as f64));
            }
            let proj_over = if overage_on && proj > terms.allotment() as f64 {
                ((proj - terms.allotment() as f64) / terms.block_credits() as f64).ceil()
                    * terms.block_price()
            } else {
                0.0
            };
            let key = crate::engine::mix64(o.seed ^ (m as u64).wrapping_mul(0x9E37))
                ^ crate::engine::mix64(
                    team.bytes()
                        .fold(0u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))),
                );
            let (p10, p90) = (credits.quantile(0.1), credits.quantile(0.9));
            scored += 1;
            if (p10..=p90).contains(&y) {
                inside += 1;
            }
            rows.push(Row {
                team: team.clone(),
                month: format_time(c_m),
                actual_credits: y as u64,
                actual_hit: hit,
                actual_hit_day: a
                    .and_then(|r| r.limit_reached_at)
                    .map(|t| (t - c_m) as f64 / DAY_NS as f64),
                actual_overage_usd: y_over,
                forecast_credits_p10: p10,
                forecast_credits_p50: credits.quantile(0.5),
                forecast_credits_p90: p90,
                forecast_overage_p10_usd: overage.quantile(0.1),
                forecast_overage_p50_usd: overage.quantile(0.5),
                forecast_overage_p90_usd: overage.quantile(0.9),
                forecast_p_hit: p_hit,
                pit: credits.pit(y, uniform(key)),
                crps_credits: credits.crps(y),
                crps_overage_usd: overage.crps(y_over),
                brier: brier(p_hit, hit),
                last_month_credits: prev.map_or(0.0, |r| r.credits_used as f64),
                last_month_overage_usd: prev.map_or(0.0, |r| r.overage_cost),
                projection_credits: proj,
                projection_overage_usd: proj_over,
            });
        }
        coverage_by_month.push(inside as f64 / scored.max(1) as f64);
    }
    let n = rows.len();
    let nf = n.max(1) as f64;
    let mean = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).sum::<f64>() / nf;
    let hit_prev = |r: &Row| -> bool {
        // Last month's hit: from its credits against this month's allotment.
        let t = o.billing.terms_for(&r.team);
        r.last_month_credits >= t.allotment() as f64
    };
    let proj_hit =
        |r: &Row| r.projection_credits >= o.billing.terms_for(&r.team).allotment() as f64;
    let scores = vec![
        Scores {
            name: "flowcast".into(),
            crps_credits: mean(&|r| r.crps_credits),
            crps_overage_usd: mean(&|r| r.crps_overage_usd),
            brier: mean(&|r| r.brier),
        },
        Scores {
            name: "same as last month".into(),
            crps_credits: mean(&|r| (r.last_month_credits - r.actual_credits as f64).abs()),
            crps_overage_usd: mean(&|r| (r.last_month_overage_usd - r.actual_overage_usd).abs()),
            brier: mean(&|r| brier(if hit_prev(r) { 1.0 } else { 0.0 }, r.actual_hit)),
        },
        Scores {
            name: format!("projection after day {}", o.projection_day),
            crps_credits: mean(&|r| (r.projection_credits - r.actual_credits as f64).abs()),
            crps_overage_usd: mean(&|r| (r.projection_overage_usd - r.actual_overage_usd).abs()),
            brier: mean(&|r| brier(if proj_hit(r) { 1.0 } else { 0.0 }, r.actual_hit)),
        },
    ];
    let inside = rows
        .iter()
        .filter(|r| {
            (r.forecast_credits_p10..=r.forecast_credits_p90).contains(&(r.actual_credits as f64))
        })
        .count();
    let se = (0.8 * 0.2 / nf).sqrt();
    let mut pit_histogram = [0u64; 10];
    for r in &rows {
        pit_histogram[((r.pit * 10.0) as usize).min(9)] += 1;
    }
    Ok(Backtest {
        inputs: None,
        log: path.display().to_string(),
        train_months: o.train_months,
        trials: o.trials,
        seed: o.seed,
        projection_day: o.projection_day,
        months,
        team_months: n,
        unforecast_team_months: unforecast,
        coverage_p10_p90: inside as f64 / nf,
        coverage_band: ((0.8 - 3.0 * se).max(0.0), (0.8 + 3.0 * se).min(1.0)),
        share_below_p50: rows
            .iter()
            .filter(|r| r.actual_credits as f64 <= r.forecast_credits_p50)
            .count() as f64
            / nf,
        coverage_by_month,
        pit_histogram,
        scores,
        rows,
    })
}
