//! `flowcast sweep SCENARIO --set KEY=V1,V2,... [--set ...]`: the scenario
//! over the grid of the given values, and how the headline numbers move.

use super::common::{json, write_all, SimFlags};
use flowcast::planning::grid::parse_axis;
use flowcast::planning::sweep::sweep;
use flowcast::reports::sweep::{sweep_csv, sweep_text};
use std::path::PathBuf;

/// Arguments of `flowcast sweep`.
#[derive(Debug, clap::Args)]
pub struct SweepArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// An axis of the grid: a scenario key and its values (KEY=V1,V2,...);
    /// a single value just overrides. Repeatable: the grid is every
    /// combination.
    #[arg(long = "set", value_name = "KEY=V1,V2,...", required = true)]
    pub set: Vec<String>,
    /// Also write the tables as an Excel workbook (typed numbers, number
    /// formats, frozen headers, native charts, an Assumptions sheet).
    #[arg(long, value_name = "FILE.xlsx")]
    pub xlsx: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimFlags,
    #[command(flatten)]
    pub shard: super::shard::ShardFlags,
}

/// Grid points above which a sweep needs --allow-large.
const MAX_POINTS: f64 = 10_000.0;

/// Runs `flowcast sweep`.
pub fn execute(a: SweepArgs) -> anyhow::Result<()> {
    let axes = a
        .set
        .iter()
        .map(|s| parse_axis(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("--set {e}"))?;
    let base = flowcast::scenario::load(&a.scenario)?;
    let opts = a.sim.options(&base);
    // The grid is the product of the axes: counted before it is built.
    let points = axes
        .iter()
        .fold(1f64, |n, axis| n * axis.values.len() as f64);
    if points > MAX_POINTS && !a.sim.allow_large {
        anyhow::bail!(
            "the grid has {points:.0} points, more than {MAX_POINTS:.0}; pass --allow-large if you mean it"
        );
    }
    super::common::validate(&a.scenario, &[], &base, opts.trials)?;
    let inputs = super::common::inputs(
        "sweep",
        &a.scenario,
        &[],
        opts.seed,
        opts.trials,
        opts.per_run,
    )?;
    if let Some(shard) = a.shard.shard(a.sim.quiet)? {
        if a.xlsx.is_some() {
            anyhow::bail!("--shard writes a partial result only: give --xlsx to `flowcast merge`");
        }
        a.sim.check_work(
            &a.scenario,
            &base,
            opts.trials,
            points / f64::from(shard.count),
        )?;
        let out = super::shard::stage_shard(&a.sim, &base.name, shard)?;
        let (sim, part) =
            flowcast::planning::sweep::sweep_shard(&a.scenario, &[], &axes, &opts, shard)?;
        let job = flowcast::shards::Job::Sweep { inputs, axes };
        let part = flowcast::shards::Part::Sweep(part);
        return super::shard::write_partial(
            out,
            &base,
            &opts,
            shard,
            job,
            (sim, part),
            a.sim.quiet,
        );
    }
    a.sim.check_work(&a.scenario, &base, opts.trials, points)?;
    super::common::check_xlsx(a.xlsx.as_deref())?;
    let out = a.sim.staged_out_dir(&base.name)?;
    let s = sweep(&a.scenario, &[], &axes, &opts)?;
    write(out, s, inputs, a.xlsx.as_deref(), &base, a.sim.quiet)
}

/// Writes a sweep's files, the charts and the report into the staged
/// folder `out`, publishes it and prints the table: what `sweep` does
/// after simulating, and `merge` after merging a sweep's shards.
pub fn write(
    out: flowcast::files::StagedDir,
    mut s: flowcast::planning::sweep::Sweep,
    inputs: flowcast::provenance::Inputs,
    xlsx: Option<&std::path::Path>,
    base: &flowcast::scenario::Scenario,
    quiet: bool,
) -> anyhow::Result<()> {
    s.inputs = Some(inputs);
    write_all(
        &out,
        &[("sweep.csv", sweep_csv(&s)?), ("sweep.json", json(&s)?)],
    )?;
    let book = super::common::stage_xlsx(xlsx, || {
        flowcast::reports::workbook::sweep_book(&s, Some(base))
    })?;
    super::report::refresh(&out, quiet)?;
    let dir = out.target().to_path_buf();
    super::common::publish(out)?;
    super::common::commit_xlsx(xlsx, book)?;
    print!("{}", sweep_text(&s));
    if !quiet {
        eprintln!("wrote sweep.csv, sweep.json into {}", dir.display());
    }
    Ok(())
}
