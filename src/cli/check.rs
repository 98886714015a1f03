//! `flowcast check SCENARIO [--set KEY=VALUE]...`: validates a scenario and
//! prints what it expects, in closed form, without simulating: runs and
//! credits per run of every flow, and each kind's demand against its plan.

use anyhow::Context;
use std::path::PathBuf;

/// Arguments of `flowcast check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// The scenario file (TOML; see docs/scenarios.md).
    pub scenario: PathBuf,
    /// Override a value of the scenario: a dotted key path, array elements
    /// by name (e.g. `kinds.agentic.overage_price=12`). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// Runs `flowcast check`: prints the scenario's expected values on stdout.
pub fn execute(args: CheckArgs) -> anyhow::Result<()> {
    let overrides = args
        .set
        .iter()
        .map(|s| flowcast::scenario::split_override(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)
        .context("--set")?;
    let scenario = flowcast::scenario::load_with(&args.scenario, &overrides)?;
    // Everything `run` would refuse before simulating, check refuses too.
    super::common::validate(&args.scenario, &overrides, &scenario, scenario.trials)?;
    print!(
        "{}{}",
        flowcast::scenario::describe(&scenario),
        flowcast::engine::paths::paths_text(&scenario)
    );
    Ok(())
}
