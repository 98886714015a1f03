//! `flowcast compare SCENARIO --plans free,solo,team,enterprise`: the monthly
//! cost of each plan per team kind, on common random numbers, and a
//! recommended plan per kind.

use super::common::{json, overrides, write_all, SimFlags};
use flowcast::planning::compare::compare;
use flowcast::planning::recommend::Rule;
use flowcast::reports::compare::{compare_csv, compare_text};
use std::path::PathBuf;

/// Arguments of `flowcast compare`.
#[derive(Debug, clap::Args)]
pub struct CompareArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// Plans to compare, comma-separated (built-in or the scenario's own).
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "free,solo,team,enterprise"
    )]
    pub plans: Vec<String>,
    /// How to recommend: `mean` (lowest expected cost), `p90` (lowest P90
    /// cost) or `suspension<=P` (lowest expected cost among plans with at
    /// most probability P of a suspension, e.g. 'suspension<=5%', quoted:
    /// an unquoted < is a shell redirect).
    #[arg(long, default_value = "suspension<=5%")]
    pub rule: String,
    /// Override a scenario value (KEY=VALUE), for every plan. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
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

/// Runs `flowcast compare`.
pub fn execute(a: CompareArgs) -> anyhow::Result<()> {
    let rule: Rule = a.rule.parse().map_err(|e| anyhow::anyhow!("--rule: {e}"))?;
    let o = overrides(&a.set)?;
    let base = flowcast::scenario::load_with(&a.scenario, &o)?;
    let opts = a.sim.options(&base);
    let variants = if a.plans.is_empty() {
        base.prices.plans.len()
    } else {
        a.plans.len()
    };
    super::common::validate(&a.scenario, &o, &base, opts.trials)?;
    let inputs = super::common::inputs(
        "compare",
        &a.scenario,
        &o,
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
            variants as f64 / f64::from(shard.count),
        )?;
        let out = super::shard::stage_shard(&a.sim, &base.name, shard)?;
        let (sim, part) =
            flowcast::planning::compare::compare_shard(&a.scenario, &o, &a.plans, &opts, shard)?;
        let job = flowcast::shards::Job::Compare {
            inputs,
            plans: a.plans.clone(),
            rule: a.rule.clone(),
        };
        let part = flowcast::shards::Part::Compare(part);
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
    a.sim
        .check_work(&a.scenario, &base, opts.trials, variants as f64)?;
    super::common::check_xlsx(a.xlsx.as_deref())?;
    let out = a.sim.staged_out_dir(&base.name)?;
    let c = compare(&a.scenario, &o, &a.plans, rule, &opts)?;
    write(out, c, inputs, a.xlsx.as_deref(), &base, a.sim.quiet)
}

/// Writes a comparison's files, the charts and the report into the staged
/// folder `out`, publishes it and prints the table: what `compare` does
/// after simulating, and `merge` after merging a comparison's shards.
pub fn write(
    out: flowcast::files::StagedDir,
    mut c: flowcast::planning::compare::Comparison,
    inputs: flowcast::provenance::Inputs,
    xlsx: Option<&std::path::Path>,
    base: &flowcast::scenario::Scenario,
    quiet: bool,
) -> anyhow::Result<()> {
    c.inputs = Some(inputs);
    write_all(
        &out,
        &[
            ("compare.csv", compare_csv(&c)?),
            ("compare.json", json(&c)?),
        ],
    )?;
    let book = super::common::stage_xlsx(xlsx, || {
        flowcast::reports::workbook::compare_book(&c, Some(base))
    })?;
    super::report::refresh(&out, quiet)?;
    let dir = out.target().to_path_buf();
    super::common::publish(out)?;
    super::common::commit_xlsx(xlsx, book)?;
    print!("{}", compare_text(&c));
    if !quiet {
        eprintln!("wrote compare.csv, compare.json into {}", dir.display());
    }
    Ok(())
}
