//! The partial result of one shard (`partial.json`): what was asked (the
//! [`Job`]), which shard, the work done, and the state of every statistic.

use crate::engine::{Shard, SimStats};
use crate::planning::compare::ComparePart;
use crate::planning::grid::Axis;
use crate::planning::run::RunPart;
use crate::planning::sweep::SweepPart;
use crate::provenance::Inputs;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The file a shard writes into its `--out` folder.
pub const PARTIAL_FILE: &str = "partial.json";

/// What the `format` field says: a partial result, not some other JSON.
pub const FORMAT: &str = "flowcast partial result";

/// The layout of [`Partial`]; a merge refuses any other. 2: the parts of
/// `compare` and `sweep` keep no per-day credits
/// ([`crate::statistics::SummaryCollector::headline`]).
pub const SCHEMA_VERSION: u32 = 2;

/// The command and its arguments: everything the merged result depends on
/// (the thread count does not).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "command", rename_all = "lowercase")]
pub enum Job {
    /// `flowcast run` (fixed trials; `--months` is among the overrides).
    Run {
        /// Scenario file, its SHA-256, overrides, seed, trials, version.
        inputs: Inputs,
    },
    /// `flowcast compare`.
    Compare {
        /// Scenario file, its SHA-256, overrides, seed, trials, version.
        inputs: Inputs,
        /// The plans, in order.
        plans: Vec<String>,
        /// The recommendation rule, as given.
        rule: String,
    },
    /// `flowcast sweep`.
    Sweep {
        /// Scenario file, its SHA-256, overrides, seed, trials, version.
        inputs: Inputs,
        /// The grid's axes.
        axes: Vec<Axis>,
    },
}

impl Job {
    /// The inputs of the job.
    pub fn inputs(&self) -> &Inputs {
        match self {
            Job::Run { inputs } | Job::Compare { inputs, .. } | Job::Sweep { inputs, .. } => inputs,
        }
    }

    /// One line for people: `run of scenarios/x.toml (sha256 ...), seed 7, 200 trials`.
    pub fn describe(&self) -> String {
        let extra = match self {
            Job::Run { .. } => String::new(),
            Job::Compare { plans, rule, .. } => {
                format!(", plans {}, rule {rule}", plans.join(","))
            }
            Job::Sweep { axes, .. } => format!(
                ", grid {}",
                axes.iter()
                    .map(|a| format!("{}={}", a.key, a.values.join(",")))
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
        };
        format!("{}{extra}", self.inputs().describe())
    }
}

/// The statistics' state, by command.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Part {
    /// A run's.
    Run(Box<RunPart>),
    /// A comparison's.
    Compare(ComparePart),
    /// A sweep's.
    Sweep(SweepPart),
}

impl Part {
    /// Adds another shard's part of the same job.
    pub fn merge(&mut self, o: &Part) -> Result<(), String> {
        match (self, o) {
            (Part::Run(a), Part::Run(b)) => a.merge(b),
            (Part::Compare(a), Part::Compare(b)) => a.merge(b),
            (Part::Sweep(a), Part::Sweep(b)) => a.merge(b),
            _ => Err("parts of different commands".to_string()),
        }
    }
}

/// The work a shard did.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Work {
    /// Runs simulated.
    pub runs: u64,
    /// Team-months simulated.
    pub team_months: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
}

impl From<SimStats> for Work {
    fn from(s: SimStats) -> Work {
        Work {
            runs: s.runs,
            team_months: s.team_months,
            seconds: s.seconds,
        }
    }
}

/// One shard's partial result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    /// [`FORMAT`].
    pub format: String,
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The flowcast version that wrote it (a merge needs the same).
    pub flowcast_version: String,
    /// SHA-256 of the job and the shard count: equal in every shard of one job.
    pub fingerprint: String,
    /// Which shard.
    pub shard: Shard,
    /// Which team-trials, in words (split by trial, or within trials).
    pub split: String,
    /// What was asked.
    pub job: Job,
    /// The work done.
    pub work: Work,
    /// The statistics' state.
    pub part: Part,
}

impl Partial {
    /// The partial result of `shard` of `job`.
    pub fn new(job: Job, shard: Shard, split: String, work: Work, part: Part) -> Partial {
        Partial {
            format: FORMAT.to_string(),
            schema_version: SCHEMA_VERSION,
            flowcast_version: env!("CARGO_PKG_VERSION").to_string(),
            fingerprint: fingerprint(&job, shard.count),
            shard,
            split,
            job,
            work,
            part,
        }
    }

    /// Compact JSON (a partial is read by flowcast, not by people).
    pub fn to_json(&self) -> serde_json::Result<Vec<u8>> {
        let mut v = serde_json::to_vec(self)?;
        v.push(b'\n');
        Ok(v)
    }
}

/// SHA-256 (hex) of the job and the shard count.
pub fn fingerprint(job: &Job, count: u32) -> String {
    let mut h = Sha256::new();
    h.update(SCHEMA_VERSION.to_le_bytes());
    h.update(count.to_le_bytes());
    h.update(serde_json::to_vec(job).unwrap_or_default());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Which team-trials `shard` holds, in words.
pub fn split_words(shard: Shard, teams_per_trial: u64, trials: u32) -> String {
    let total = u128::from(teams_per_trial) * u128::from(trials);
    let r = shard.units(total);
    if r.is_empty() {
        return "no team-trials (more shards than team-trials)".to_string();
    }
    let per = u128::from(teams_per_trial.max(1));
    let (t0, o0) = (r.start / per, r.start % per);
    let (t1, o1) = ((r.end - 1) / per, (r.end - 1) % per);
    if o0 == 0 && o1 == per - 1 {
        format!(
            "trials {t0} to {t1} whole, of {trials} (split by trial: {} team-trials)",
            r.end - r.start
        )
    } else {
        format!(
            "team {o0} of trial {t0} to team {o1} of trial {t1}, of {trials} trials of {teams_per_trial} teams (split within trials: a shared trial's totals are summed over its shards)"
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_are_named_by_trial_or_within_trials() {
        let s = |i| Shard::new(i, 4).unwrap();
        assert!(split_words(s(1), 10, 8).starts_with("trials 2 to 3 whole, of 8"));
        assert!(
            split_words(s(1), 1000, 2).starts_with("team 500 of trial 0 to team 999 of trial 0")
        );
        assert!(split_words(s(0), 1, 2).starts_with("no team-trials"));
    }
}
