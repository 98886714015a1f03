//! `flowcast merge DIR... --out DIR`: the shards of one `run`, `compare` or
//! `sweep` merged into the folder the unsharded command writes.

use super::common::stage;
use flowcast::engine::SimOptions;
use flowcast::shards::{Job, Part};
use std::path::{Path, PathBuf};

/// Arguments of `flowcast merge`.
#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// The shard folders (each with the partial.json its shard wrote): every
    /// shard of one job, in any order.
    #[arg(required = true, value_name = "DIR")]
    pub dirs: Vec<PathBuf>,
    /// Output folder (default: output/<scenario name>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also write the tables as an Excel workbook (as run, compare and sweep do).
    #[arg(long, value_name = "FILE.xlsx")]
    pub xlsx: Option<PathBuf>,
    /// Do not draw the charts and the HTML report (a run's merge).
    #[arg(long)]
    pub no_charts: bool,
    /// No notes on standard error.
    #[arg(long)]
    pub quiet: bool,
}

/// Runs `flowcast merge`.
pub fn execute(a: MergeArgs) -> anyhow::Result<()> {
    let m = flowcast::shards::merge(&a.dirs).map_err(anyhow::Error::msg)?;
    let inputs = m.job.inputs().clone();
    let path = PathBuf::from(&inputs.input_file);
    same_scenario(&path, &inputs)?;
    let o = super::common::overrides(&inputs.overrides)?;
    let opts = SimOptions {
        seed: inputs.seed,
        first_trial: 0,
        trials: inputs.trials,
        threads: None,
        progress: false,
        per_run: inputs.per_run,
    };
    let base = flowcast::scenario::load_with(&path, &o)?;
    super::common::check_xlsx(a.xlsx.as_deref())?;
    let xlsx = a.xlsx.as_deref();
    let out = stage(
        &a.out
            .clone()
            .unwrap_or_else(|| Path::new("output").join(&base.name)),
    )?;
    if !a.quiet {
        eprintln!("merging {} shards of {}", m.shards, m.job.describe());
    }
    match (m.job, m.part) {
        (Job::Run { .. }, Part::Run(part)) => {
            let result = flowcast::planning::run::finish_run(&base, &opts, m.work, *part)
                .map_err(anyhow::Error::msg)?;
            super::run::write(out, result, inputs, xlsx, a.no_charts, a.quiet)
        }
        (Job::Compare { plans, rule, .. }, Part::Compare(part)) => {
            let rule = rule
                .parse()
                .map_err(|e| anyhow::anyhow!("the shards' --rule: {e}"))?;
            let c =
                flowcast::planning::compare::finish_compare(&path, &o, &plans, rule, &opts, part)?;
            super::compare::write(out, c, inputs, xlsx, &base, a.quiet)
        }
        (Job::Sweep { axes, .. }, Part::Sweep(part)) => {
            let s = flowcast::planning::sweep::finish_sweep(&path, &o, &axes, &opts, part)?;
            super::sweep::write(out, s, inputs, xlsx, &base, a.quiet)
        }
        _ => anyhow::bail!(
            "{}: the partial's job and state disagree",
            a.dirs[0].display()
        ),
    }
}

/// The merge rebuilds the scenario from the file the shards read: it must
/// be there and hold the same bytes.
fn same_scenario(path: &Path, shards: &flowcast::provenance::Inputs) -> anyhow::Result<()> {
    let now = flowcast::provenance::Inputs::new("merge", path, &[], 0, 0).map_err(|e| {
        anyhow::anyhow!(
            "{}: cannot read the scenario the shards ran ({e}); run merge where that path is the same file",
            path.display()
        )
    })?;
    if now.input_sha256 != shards.input_sha256 {
        anyhow::bail!(
            "{}: changed since the shards ran (sha256 {} now, {} then)",
            path.display(),
            &now.input_sha256[..12],
            &shards.input_sha256[..shards.input_sha256.len().min(12)]
        );
    }
    Ok(())
}
