//! `flowcast sensitivity SCENARIO --vary KEY=LOW..HIGH ...`: which inputs
//! move the population's overage most (tornado + rank correlations).

use super::common::{json, overrides, write_all, SimFlags};
use flowcast::planning::sensitivity::{sensitivity, Input};
use flowcast::reports::sensitivity::{sensitivity_csv, sensitivity_text};
use std::path::PathBuf;

/// Arguments of `flowcast sensitivity`.
#[derive(Debug, clap::Args)]
pub struct SensitivityArgs {
    /// The scenario file.
    pub scenario: PathBuf,
    /// An input and its range (KEY=LOW..HIGH). Repeatable.
    #[arg(long = "vary", value_name = "KEY=LOW..HIGH", required = true)]
    pub vary: Vec<String>,
    /// Latin hypercube points for the rank correlations (0: none; at least 3).
    #[arg(long, default_value_t = 20)]
    pub samples: u32,
    /// Override a scenario value (KEY=VALUE) in every run. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    #[command(flatten)]
    pub sim: SimFlags,
}

/// Latin hypercube samples above which --allow-large is needed.
const MAX_SAMPLES: u32 = 100_000;

/// Runs `flowcast sensitivity`.
pub fn execute(a: SensitivityArgs) -> anyhow::Result<()> {
    let inputs = a
        .vary
        .iter()
        .map(|s| Input::parse(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!("--vary {e}"))?;
    if a.samples > 0 && a.samples < 3 {
        anyhow::bail!("--samples: use 0 (no rank correlations) or at least 3");
    }
    let o = overrides(&a.set)?;
    let base = flowcast::scenario::load_with(&a.scenario, &o)?;
    let opts = a.sim.options(&base);
    if a.samples > MAX_SAMPLES && !a.sim.allow_large {
        anyhow::bail!(
            "--samples {} is more than {MAX_SAMPLES}; pass --allow-large if you mean it",
            a.samples
        );
    }
    // One baseline, two ends per input, and the samples.
    let variants = 1.0 + 2.0 * inputs.len() as f64 + f64::from(a.samples);
    super::common::validate(&a.scenario, &o, &base, opts.trials)?;
    a.sim
        .check_work(&a.scenario, &base, opts.trials, variants)?;
    let out = a.sim.staged_out_dir(&base.name)?;
    let mut s = sensitivity(&a.scenario, &o, &inputs, a.samples, &opts)?;
    s.inputs = Some(super::common::inputs(
        "sensitivity",
        &a.scenario,
        &o,
        opts.seed,
        opts.trials,
        opts.per_run,
    )?);
    write_all(
        &out,
        &[
            ("sensitivity.csv", sensitivity_csv(&s)?),
            ("sensitivity.json", json(&s)?),
        ],
    )?;
    super::report::refresh(&out, a.sim.quiet)?;
    let dir = out.target().to_path_buf();
    super::common::publish(out)?;
    print!("{}", sensitivity_text(&s));
    if !a.sim.quiet {
        eprintln!(
            "wrote sensitivity.csv, sensitivity.json into {}",
            dir.display()
        );
    }
    Ok(())
}
