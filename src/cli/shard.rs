//! `--shard I/N|auto` and `--shards N` (run, compare, sweep), the partial
//! result a shard writes, and `flowcast merge`.

use super::common::{publish, stage, write_all, SimFlags};
use flowcast::engine::{Shard, SimOptions, SimStats};
use flowcast::scenario::Scenario;
use flowcast::shards::{Job, Part, Partial, PARTIAL_FILE};
use std::path::PathBuf;

/// Sharding flags.
#[derive(Debug, clap::Args)]
pub struct ShardFlags {
    /// Simulate only shard I of N (I counts from 0) and write its partial
    /// result into --out, for `flowcast merge`; `auto` takes I and N from a
    /// Slurm array, a Kubernetes Indexed Job or an AWS Batch array job.
    #[arg(long, value_name = "I/N|auto")]
    pub shard: Option<String>,
    /// The shard count, for --shard auto on Kubernetes or AWS Batch (which
    /// export the index only).
    #[arg(long, value_name = "N", requires = "shard")]
    pub shards: Option<u32>,
}

impl ShardFlags {
    /// The shard asked for, if any; says on stderr where `auto` found it.
    pub fn shard(&self, quiet: bool) -> anyhow::Result<Option<Shard>> {
        let Some(s) = &self.shard else {
            return Ok(None);
        };
        if s.trim() == "auto" {
            let found = flowcast::shards::auto::from_env(|k| std::env::var(k).ok(), self.shards)
                .map_err(|e| anyhow::anyhow!("--shard auto: {e}"))?;
            if !quiet {
                eprintln!("shard {} from the {}", found.shard, found.source);
            }
            return Ok(Some(found.shard));
        }
        if self.shards.is_some() {
            anyhow::bail!("--shards goes with --shard auto (--shard I/N already gives the count)");
        }
        flowcast::shards::auto::parse(s)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("--shard: {e}"))
    }
}

/// The folder of a shard: --out, or `output/<name>-shard-I-of-N`.
fn shard_dir(sim: &SimFlags, name: &str, shard: Shard) -> PathBuf {
    sim.out.clone().unwrap_or_else(|| {
        std::path::Path::new("output")
            .join(format!("{name}-shard-{}-of-{}", shard.index, shard.count))
    })
}

/// Stages the shard's folder (before any simulating, so a read-only one is
/// found at once).
pub fn stage_shard(
    sim: &SimFlags,
    name: &str,
    shard: Shard,
) -> anyhow::Result<flowcast::files::StagedDir> {
    stage(&shard_dir(sim, name, shard))
}

/// Writes `partial.json` into the staged folder and publishes it whole:
/// a shard killed before this leaves no partial (and `merge` says so).
pub fn write_partial(
    out: flowcast::files::StagedDir,
    scenario: &Scenario,
    opts: &SimOptions,
    shard: Shard,
    job: Job,
    (sim, part): (SimStats, Part),
    quiet: bool,
) -> anyhow::Result<()> {
    let teams: u64 = scenario.kinds.iter().map(|k| u64::from(k.teams)).sum();
    let split = flowcast::shards::partial::split_words(shard, teams, opts.trials);
    let p = Partial::new(job, shard, split.clone(), sim.clone().into(), part);
    let bytes = p.to_json()?;
    // A sweep's part can run to hundreds of megabytes: the part and its
    // text are not kept side by side longer than needed, nor copied.
    drop(p);
    let len = bytes.len();
    write_all(&out, &[(PARTIAL_FILE, bytes)])?;
    let dir = out.target().to_path_buf();
    publish(out)?;
    if !quiet {
        eprintln!(
            "shard {shard}: {split}; simulated {} team-months in {:.2} s; wrote {} ({} bytes); merge every shard with `flowcast merge`",
            sim.team_months,
            sim.seconds,
            dir.join(PARTIAL_FILE).display(),
            len
        );
    }
    Ok(())
}
