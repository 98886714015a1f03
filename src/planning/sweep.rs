//! `sweep`: the scenario over a grid of overrides (any scenario field: a
//! growth multiplier, a model choice, an overage price, a flow's rate), and
//! how the headline numbers move. Every grid point runs on the same random
//! numbers, so the movement is the input's effect, not noise.

use super::grid::{cartesian, Axis};
use crate::engine::{simulate_shard, Shard, SimOptions, SimStats};
use crate::scenario;
use crate::statistics::collector::{PackedState, SummaryState};
use crate::statistics::summary::{Distribution, Estimate, GroupStats};
use crate::statistics::SummaryCollector;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Headline numbers of one group at one grid point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Headline {
    /// Kind name, or `population`.
    pub group: String,
    /// Probability that a team-month hits the limit.
    pub hit_probability: Estimate,
    /// Median day of the month the limit is hit (among hits).
    pub hit_day_p50: Option<f64>,
    /// Credits used per team-month.
    pub credits_used: Distribution,
    /// Overage billed per team-month, USD.
    pub overage_usd: Distribution,
    /// Share of team-months suspended at some point.
    pub suspended_share: Estimate,
    /// Runs blocked per team-month.
    pub runs_blocked: Distribution,
}

impl Headline {
    fn of(group: &str, g: &GroupStats) -> Headline {
        Headline {
            group: group.to_string(),
            hit_probability: g.hit.probability,
            hit_day_p50: g.hit.day_p50,
            credits_used: g.credits_used,
            overage_usd: g.overage_cost_usd,
            suspended_share: g.suspended_share,
            runs_blocked: g.runs_blocked,
        }
    }
}

/// One grid point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// The overrides of this point, `(key, value)`, one per axis.
    pub settings: Vec<(String, String)>,
    /// Per kind, then the population.
    pub groups: Vec<Headline>,
    /// The population's total overage per trial (the finance number), USD.
    pub total_overage_usd: Distribution,
}

/// A whole sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sweep {
    /// Scenario name.
    pub scenario: String,
    /// Seed (shared by every point).
    pub seed: u64,
    /// Trials per point.
    pub trials: u32,
    /// The axes, in the order given.
    pub axes: Vec<Axis>,
    /// The grid, first axis varying slowest.
    pub points: Vec<SweepPoint>,
    /// What a total covers, e.g. `per simulated month` (the scenario's
    /// horizon; a swept calendar takes the first point's).
    #[serde(default = "one_month")]
    pub horizon: String,
    /// How to read it.
    pub note: String,
    /// What it was computed from: command, input file and its SHA-256,
    /// overrides, seed, trials (set by the command line; absent when the
    /// library computed it without a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<crate::provenance::Inputs>,
}

fn one_month() -> String {
    crate::numbers::per_horizon(1, None)
}

/// What one shard of a sweep accumulated: the summary's state per grid
/// point, first axis varying slowest. Each is kept packed (see
/// [`PackedState`]): a part holds every point of the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPart {
    /// One per grid point.
    pub points: Vec<PackedState>,
}

impl SweepPart {
    /// Adds another shard's part of the same sweep.
    pub fn merge(&mut self, o: &SweepPart) -> Result<(), String> {
        if self.points.len() != o.points.len() {
            return Err("the parts sweep different grids".to_string());
        }
        // One point unpacked at a time.
        for (a, b) in self.points.iter_mut().zip(&o.points) {
            let mut state = a.unpack()?;
            state.merge(&b.unpack()?)?;
            *a = PackedState::pack(&state)?;
        }
        Ok(())
    }
}

fn no_axes() -> anyhow::Error {
    anyhow::anyhow!("a sweep needs at least one axis (KEY=V1,V2,...)")
}

/// One grid point's scenario: the sweep's overrides, then the point's.
fn point_scenario(
    path: &Path,
    overrides: &[(String, String)],
    settings: &[(String, String)],
) -> anyhow::Result<scenario::Scenario> {
    let mut o = overrides.to_vec();
    o.extend(settings.iter().cloned());
    Ok(scenario::load_with(path, &o)?)
}

/// Simulates `shard`'s part of one grid point of `s`.
fn simulate_point(
    s: &scenario::Scenario,
    opts: &SimOptions,
    shard: Shard,
) -> anyhow::Result<(SimStats, SummaryState)> {
    let mut c = SummaryCollector::headline(s, opts)?;
    let st = simulate_shard(s, opts, shard, &mut c)?;
    Ok((st, c.state().clone()))
}

/// Simulates `shard`'s part of the sweep: every grid point, on the same
/// random numbers. The part holds every point's state (the shards' parts
/// are merged point by point).
pub fn sweep_shard(
    path: &Path,
    overrides: &[(String, String)],
    axes: &[Axis],
    opts: &SimOptions,
    shard: Shard,
) -> anyhow::Result<(SimStats, SweepPart)> {
    if axes.is_empty() {
        return Err(no_axes());
    }
    let grid = cartesian(axes);
    let (bar, opts) = super::variants_bar("sweep", grid.len() as u64, opts);
    let mut part = SweepPart { points: Vec::new() };
    let mut work = SimStats {
        runs: 0,
        team_months: 0,
        seconds: 0.0,
    };
    for settings in grid {
        let s = point_scenario(path, overrides, &settings)?;
        let (st, state) = simulate_point(&s, &opts, shard)?;
        work.runs += st.runs;
        work.team_months += st.team_months;
        work.seconds += st.seconds;
        part.points
            .push(PackedState::pack(&state).map_err(anyhow::Error::msg)?);
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok((work, part))
}

/// Runs the scenario at `path` (with `overrides`) at every point of the
/// grid. Each point is summarised as soon as it is simulated, so memory
/// holds one point's statistics at a time, however large the grid.
pub fn sweep(
    path: &Path,
    overrides: &[(String, String)],
    axes: &[Axis],
    opts: &SimOptions,
) -> anyhow::Result<Sweep> {
    if axes.is_empty() {
        return Err(no_axes());
    }
    let grid = cartesian(axes);
    let (bar, sim_opts) = super::variants_bar("sweep", grid.len() as u64, opts);
    let mut points = Assembly::new(grid.len());
    for settings in grid {
        let s = point_scenario(path, overrides, &settings)?;
        let (_, state) = simulate_point(&s, &sim_opts, Shard::WHOLE)?;
        points.add(&s, settings, state, opts)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(points.finish(axes, opts))
}

/// The sweep from its merged parts (every shard's, merged with
/// [`SweepPart::merge`]).
pub fn finish_sweep(
    path: &Path,
    overrides: &[(String, String)],
    axes: &[Axis],
    opts: &SimOptions,
    part: SweepPart,
) -> anyhow::Result<Sweep> {
    if axes.is_empty() {
        return Err(no_axes());
    }
    let grid = cartesian(axes);
    if grid.len() != part.points.len() {
        anyhow::bail!(
            "the parts hold {} grid points, not {}",
            part.points.len(),
            grid.len()
        );
    }
    let mut points = Assembly::new(grid.len());
    for (settings, packed) in grid.into_iter().zip(part.points) {
        let s = point_scenario(path, overrides, &settings)?;
        let state = packed.unpack().map_err(anyhow::Error::msg)?;
        points.add(&s, settings, state, opts)?;
    }
    Ok(points.finish(axes, opts))
}

/// A sweep's points as their statistics are finished, one at a time.
struct Assembly {
    points: Vec<SweepPoint>,
    name: String,
    horizon: Option<String>,
}

impl Assembly {
    fn new(points: usize) -> Assembly {
        Assembly {
            points: Vec::with_capacity(points),
            name: String::new(),
            horizon: None,
        }
    }

    /// The point of `settings` (scenario `s`) from its summary state, with
    /// every trial in it.
    fn add(
        &mut self,
        s: &scenario::Scenario,
        settings: Vec<(String, String)>,
        mut state: SummaryState,
        opts: &SimOptions,
    ) -> anyhow::Result<()> {
        self.name.clone_from(&s.name);
        state.close_trials();
        let mut c = SummaryCollector::headline(s, opts)?;
        c.resume(state).map_err(anyhow::Error::msg)?;
        let summary = c.finish();
        self.horizon.get_or_insert_with(|| {
            crate::numbers::per_horizon(summary.calendar.months, summary.calendar.cycle_days)
        });
        let mut groups: Vec<Headline> = summary
            .kinds
            .iter()
            .map(|k| Headline::of(&k.name, &k.stats))
            .collect();
        groups.push(Headline::of("population", &summary.population));
        self.points.push(SweepPoint {
            settings,
            groups,
            total_overage_usd: summary.total_overage.per_trial_usd,
        });
        Ok(())
    }

    fn finish(self, axes: &[Axis], opts: &SimOptions) -> Sweep {
        Sweep {
            inputs: None,
            scenario: self.name,
            seed: opts.seed,
            trials: opts.trials,
            axes: axes.to_vec(),
            points: self.points,
            horizon: self.horizon.unwrap_or_else(one_month),
        note: "Every grid point is simulated on the same random numbers (same seed and trials), so differences between points come from the swept values. Overage is priced at the scenario's overage price, an assumption (user input).".to_string(),
        }
    }
}
