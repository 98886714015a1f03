//! `compare`: which plan should each kind of team be on?
//!
//! Every plan is simulated on the same random numbers (common random
//! numbers): a team's streams depend on (seed, trial, kind, team) only, and
//! the usage it generates does not depend on its plan, so the same team in
//! the same trial runs the same flows under every plan. Differences between
//! plans are then differences of billing, not of luck; the paired differences
//! per trial carry their own, much narrower, confidence intervals.
//!
//! A team's monthly cost on a plan is seats x seat price + overage billed.
//! Suspension is counted as its own cost, beside the dollars: the share of
//! team-months suspended, runs blocked and days suspended.

use super::recommend::{recommend, PlanOutcome, Rule};
use super::{merge_per_trial, per_trial_means, PerTrialMean, PerTrialSums};
use crate::engine::{simulate_shard, Shard, SimOptions, SimStats};
use crate::scenario::{self, Scenario};
use crate::statistics::collector::SummaryState;
use crate::statistics::moments::Moments;
use crate::statistics::summary::{Distribution, Estimate};
use crate::statistics::SummaryCollector;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The sentence every comparison output carries.
pub const CRN_NOTE: &str = "All plans are simulated on the same random numbers (common random numbers): each team sees the same usage in the same trial under every plan, so differences between plans are differences of billing, not noise.";

/// One kind of team on one plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PlanCost {
    /// Team kind.
    pub kind: String,
    /// Plan.
    pub plan: String,
    /// Monthly credits of the plan.
    pub credits: u64,
    /// Seats per team.
    pub seats: u32,
    /// Seats x seat price, USD per team per month (a mean over team-months
    /// when teams upgrade at the cap).
    pub seat_cost_usd: f64,
    /// Overage policy in force on this plan (`off` where the plan forbids overage).
    pub overage_policy: String,
    /// Overage billed per team-month, USD.
    pub overage_usd: Distribution,
    /// Total monthly cost per team (seats + overage), USD.
    pub total_usd: Distribution,
    /// Share of team-months suspended at some point (Wilson 95% interval).
    pub suspended_share: Estimate,
    /// Runs blocked per team-month.
    pub runs_blocked: Distribution,
    /// Days suspended per team-month.
    pub days_suspended: Distribution,
    /// Mean total cost minus the recommended plan's, paired by trial (CRN), USD.
    pub vs_recommended_usd: Option<Estimate>,
}

/// The recommended plan for one kind.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// Team kind.
    pub kind: String,
    /// The plan, or `None` when no plan satisfies the rule.
    pub plan: Option<String>,
}

/// A whole comparison.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// Scenario name.
    pub scenario: String,
    /// Seed.
    pub seed: u64,
    /// Trials per plan.
    pub trials: u32,
    /// The rule the recommendation follows.
    pub rule: String,
    /// [`CRN_NOTE`].
    pub common_random_numbers: String,
    /// Assumptions a reader must know (the overage price).
    pub assumptions: Vec<String>,
    /// One row per kind and plan, kinds in scenario order, plans as given.
    pub rows: Vec<PlanCost>,
    /// One per kind.
    pub recommendations: Vec<Recommendation>,
    /// What it was computed from: command, input file and its SHA-256,
    /// overrides, seed, trials (set by the command line; absent when the
    /// library computed it without a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<crate::provenance::Inputs>,
}

impl Comparison {
    /// Whether row `r` is its kind's recommended plan.
    pub fn is_recommended(&self, r: &PlanCost) -> bool {
        self.recommendations
            .iter()
            .any(|x| x.kind == r.kind && x.plan.as_deref() == Some(r.plan.as_str()))
    }
}

/// The overrides that put every kind of `base` on `plan`; overage is
/// switched off where the plan forbids it.
pub fn plan_overrides(base: &Scenario, plan: &str) -> Result<Vec<(String, String)>, String> {
    let p = base.prices.plan(plan)?;
    let mut o = Vec::new();
    for k in &base.kinds {
        o.push((format!("kinds.{}.plan", k.name), toml_string(plan)));
        if !p.overage_allowed {
            o.push((format!("kinds.{}.overage", k.name), toml_string("off")));
        }
    }
    Ok(o)
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// What one shard of a comparison accumulated, per plan: the summary's
/// state and each kind's cost per trial (for pairing).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ComparePart {
    /// One per plan, in the order given.
    pub plans: Vec<(SummaryState, PerTrialSums)>,
}

impl ComparePart {
    /// Adds another shard's part of the same comparison.
    pub fn merge(&mut self, o: &ComparePart) -> Result<(), String> {
        if self.plans.len() != o.plans.len() {
            return Err("the parts compare different plans".to_string());
        }
        for ((a, pa), (b, pb)) in self.plans.iter_mut().zip(&o.plans) {
            a.merge(b)?;
            merge_per_trial(pa, pb)?;
        }
        Ok(())
    }
}

/// The scenario at `path` (with `overrides`) on each plan.
fn plan_scenarios(
    path: &Path,
    overrides: &[(String, String)],
    plans: &[String],
) -> anyhow::Result<Vec<Scenario>> {
    if plans.is_empty() {
        anyhow::bail!("name at least one plan to compare");
    }
    let base = scenario::load_with(path, overrides)?;
    plans
        .iter()
        .map(|plan| {
            let mut o = overrides.to_vec();
            o.extend(plan_overrides(&base, plan).map_err(anyhow::Error::msg)?);
            Ok(scenario::load_with(path, &o)?)
        })
        .collect()
}

/// A team's monthly cost: seats on the plan billed that month (an upgrade
/// at the cap raises it) plus the overage billed.
fn monthly_cost(tm: &crate::engine::TeamMonth<'_>, _: &crate::scenario::TeamKind) -> f64 {
    f64::from(tm.seats) * tm.plan.seat_price_usd + tm.record.overage_cost
}

/// One plan simulated: its summary's state and each kind's cost per
/// trial.
fn simulate_plan(
    s: &Scenario,
    opts: &SimOptions,
    shard: Shard,
) -> anyhow::Result<(SimStats, SummaryState, PerTrialSums)> {
    let mut summary = SummaryCollector::headline(s, opts)?;
    let mut per_trial = PerTrialMean::new(s, monthly_cost);
    let st = simulate_shard(s, opts, shard, &mut (&mut summary, &mut per_trial))?;
    Ok((st, summary.state().clone(), per_trial.sums()))
}

/// Simulates `shard`'s part of the comparison: every plan, on the same
/// random numbers. The part keeps every plan's statistics (a merge needs
/// them), so it holds one summary state per plan.
pub fn compare_shard(
    path: &Path,
    overrides: &[(String, String)],
    plans: &[String],
    opts: &SimOptions,
    shard: Shard,
) -> anyhow::Result<(SimStats, ComparePart)> {
    let scenarios = plan_scenarios(path, overrides, plans)?;
    let (bar, opts) = super::variants_bar("compare", plans.len() as u64, opts);
    let mut part = ComparePart { plans: Vec::new() };
    let mut work = SimStats {
        runs: 0,
        team_months: 0,
        seconds: 0.0,
    };
    for s in &scenarios {
        let (st, state, sums) = simulate_plan(s, &opts, shard)?;
        work.runs += st.runs;
        work.team_months += st.team_months;
        work.seconds += st.seconds;
        part.plans.push((state, sums));
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((work, part))
}

/// Simulates the scenario at `path` (with `overrides`) once per plan, on the
/// same random numbers, and recommends a plan per kind by `rule`. Each
/// plan's statistics are summarised as soon as it is simulated, so memory
/// holds one plan's per-day statistics at a time, however many plans.
pub fn compare(
    path: &Path,
    overrides: &[(String, String)],
    plans: &[String],
    rule: Rule,
    opts: &SimOptions,
) -> anyhow::Result<Comparison> {
    let scenarios = plan_scenarios(path, overrides, plans)?;
    let (bar, inner) = super::variants_bar("compare", plans.len() as u64, opts);
    let mut runs = Vec::with_capacity(scenarios.len());
    for s in scenarios {
        let (_, state, sums) = simulate_plan(&s, &inner, Shard::WHOLE)?;
        runs.push(summarised(s, state, &sums, opts)?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    assemble(path, overrides, rule, opts, runs)
}

/// One plan's scenario, finished summary and each kind's mean cost per
/// trial.
type PlanRun = (Scenario, crate::statistics::Summary, Vec<Vec<f64>>);

/// A plan's statistics finished, from its state with every trial in it.
fn summarised(
    s: Scenario,
    mut state: SummaryState,
    sums: &PerTrialSums,
    opts: &SimOptions,
) -> anyhow::Result<PlanRun> {
    state.close_trials();
    let mut c = SummaryCollector::headline(&s, opts)?;
    c.resume(state).map_err(anyhow::Error::msg)?;
    let per_trial = per_trial_means(sums, s.kinds.len());
    Ok((s, c.finish(), per_trial))
}

/// The comparison from its merged parts (every shard's, merged with
/// [`ComparePart::merge`]).
pub fn finish_compare(
    path: &Path,
    overrides: &[(String, String)],
    plans: &[String],
    rule: Rule,
    opts: &SimOptions,
    part: ComparePart,
) -> anyhow::Result<Comparison> {
    let scenarios = plan_scenarios(path, overrides, plans)?;
    if part.plans.len() != scenarios.len() {
        anyhow::bail!(
            "the parts hold {} plans, not {}",
            part.plans.len(),
            scenarios.len()
        );
    }
    let mut runs = Vec::with_capacity(scenarios.len());
    for (s, (state, sums)) in scenarios.into_iter().zip(part.plans) {
        runs.push(summarised(s, state, &sums, opts)?);
    }
    assemble(path, overrides, rule, opts, runs)
}

/// The comparison table and recommendations from every plan's finished
/// statistics.
fn assemble(
    path: &Path,
    overrides: &[(String, String)],
    rule: Rule,
    opts: &SimOptions,
    runs: Vec<PlanRun>,
) -> anyhow::Result<Comparison> {
    let base = scenario::load_with(path, overrides)?;
    let mut rows = Vec::new();
    let mut recommendations = Vec::new();
    for (ki, kind) in base.kinds.iter().enumerate() {
        let mut outcomes = Vec::new();
        let mut kind_rows = Vec::new();
        for (s, summary, _) in &runs {
            let k = &s.kinds[ki];
            let st = &summary.kinds[ki].stats;
            // Mean seats per team-month: the plan's, or more where teams
            // upgrade at the cap.
            let seat = st.seat_cost_usd.mean;
            let o = st.overage_cost_usd;
            let total = st.total_cost_usd;
            outcomes.push(PlanOutcome {
                plan: k.plan.name.clone(),
                mean_cost: total.mean,
                p90_cost: total.p90,
                p_suspended: st.suspended_share.value,
            });
            kind_rows.push(PlanCost {
                kind: kind.name.clone(),
                plan: k.plan.name.clone(),
                credits: k.plan.credits,
                seats: k.seats,
                seat_cost_usd: seat,
                overage_policy: summary.kinds[ki].plan.overage_policy.clone(),
                overage_usd: o,
                total_usd: total,
                suspended_share: st.suspended_share,
                runs_blocked: st.runs_blocked,
                days_suspended: st.days_suspended,
                vs_recommended_usd: None,
            });
        }
        let best = recommend(&outcomes, rule);
        if let Some(b) = best {
            for (row, (_, _, per_trial)) in kind_rows.iter_mut().zip(&runs) {
                let best_trials = &runs[b].2[ki];
                let mut d = Moments::default();
                for (x, y) in per_trial[ki].iter().zip(best_trials) {
                    d.add(x - y);
                }
                let (ci_low, ci_high) = d.ci95();
                row.vs_recommended_usd = Some(Estimate {
                    value: d.mean(),
                    ci_low,
                    ci_high,
                });
            }
        }
        recommendations.push(Recommendation {
            kind: kind.name.clone(),
            plan: best.map(|b| outcomes[b].plan.clone()),
        });
        rows.extend(kind_rows);
    }
    let assumptions = runs
        .first()
        .map(|(_, s, _)| s.assumptions.clone())
        .unwrap_or_default();
    Ok(Comparison {
        inputs: None,
        scenario: base.name.clone(),
        seed: opts.seed,
        trials: opts.trials,
        rule: rule.to_string(),
        common_random_numbers: CRN_NOTE.to_string(),
        assumptions,
        rows,
        recommendations,
    })
}
