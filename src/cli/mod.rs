//! Command-line arguments: one file per subcommand, each turning its flags
//! into library calls. No domain logic lives here.

use clap::{Parser, Subcommand};

mod backtest;
mod check;
mod common;
mod compare;
mod fit;
pub(crate) mod replay;
mod report;
mod run;
mod sensitivity;
mod sweep;

/// Forecast Postman Flows credit usage, limits and overage.
#[derive(Debug, Parser)]
#[command(name = "flowcast", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Bill a real usage log (CSV) under the plan's rules.
    Replay(replay::ReplayArgs),
    /// Simulate a scenario's teams through billing months (Monte Carlo).
    Run(run::RunArgs),
    /// Compare plans per team kind on the same random numbers, and recommend one.
    Compare(compare::CompareArgs),
    /// Run a scenario over a grid of overrides and show how the numbers move.
    Sweep(sweep::SweepArgs),
    /// Find which inputs move the population's overage most (tornado, rank correlations).
    Sensitivity(sensitivity::SensitivityArgs),
    /// Validate a scenario and print its expected runs and credits (no simulation).
    Check(check::CheckArgs),
    /// Redraw the charts and report.html from the results in an output folder.
    Report(report::ReportArgs),
    /// Learn a scenario from a usage log (arrivals, block counts, agents, durations, spread).
    Fit(fit::FitArgs),
    /// Forecast each month of a usage log from the months before it, and score the forecasts.
    Backtest(backtest::BacktestArgs),
}

/// Runs the parsed command.
pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Replay(a) => replay::execute(a),
        Command::Run(a) => run::execute(a),
        Command::Compare(a) => compare::execute(a),
        Command::Sweep(a) => sweep::execute(a),
        Command::Sensitivity(a) => sensitivity::execute(a),
        Command::Check(a) => check::execute(a),
        Command::Report(a) => report::execute(a),
        Command::Fit(a) => fit::execute(a),
        Command::Backtest(a) => backtest::execute(a),
    }
}
