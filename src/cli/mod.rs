//! Command-line arguments: one file per subcommand, each turning its flags
//! into library calls. No domain logic lives here.

use clap::{Parser, Subcommand};

mod backtest;
mod check;
mod common;
mod compare;
mod fit;
mod merge;
pub(crate) mod replay;
mod report;
mod run;
mod sensitivity;
mod shard;
mod shell;
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
    #[command(
        after_help = "Examples:\n  flowcast replay usage.csv --plan team\n  flowcast replay usage.csv --plan-file plans.toml --csv > bills.csv"
    )]
    Replay(replay::ReplayArgs),
    /// Simulate a scenario's teams through billing months (Monte Carlo).
    #[command(
        after_help = "Examples:\n  flowcast run scenarios/default.toml\n  flowcast run scenarios/next-quarter-overage.toml --months 3 --trials 500\n  flowcast run scenarios/default.toml --set kinds.solo-dev.teams=80 --precision 1%"
    )]
    Run(run::RunArgs),
    /// Compare plans per team kind on the same random numbers, and recommend one.
    #[command(
        after_help = "Example:\n  flowcast compare scenarios/which-plan.toml --plans solo,team --rule 'suspension<=5%'\n  (quote the rule: < is a shell redirect)"
    )]
    Compare(compare::CompareArgs),
    /// Run a scenario over a grid of overrides and show how the numbers move.
    #[command(
        after_help = "Example:\n  flowcast sweep scenarios/what-if-usage-grows.toml --set usage_multiplier=1,1.2,1.5"
    )]
    Sweep(sweep::SweepArgs),
    /// Merge the shards of a run, compare or sweep (--shard I/N) into the result one process would write.
    #[command(
        after_help = "Example:\n  flowcast run scenarios/default.toml --shard 0/2 --out shards/0\n  flowcast run scenarios/default.toml --shard 1/2 --out shards/1\n  flowcast merge shards/0 shards/1 --out output/default"
    )]
    Merge(merge::MergeArgs),
    /// Find which inputs move the population's overage most (tornado, rank correlations).
    #[command(
        after_help = "Example:\n  flowcast sensitivity scenarios/what-drives-overage.toml --vary usage_multiplier=0.8..1.3 --samples 20"
    )]
    Sensitivity(sensitivity::SensitivityArgs),
    /// Validate a scenario and print its expected runs and credits (no simulation).
    #[command(
        after_help = "Example:\n  flowcast check scenarios/default.toml --set kinds.api-team.teams=10"
    )]
    Check(check::CheckArgs),
    /// Redraw the charts and report.html from the results in an output folder.
    #[command(after_help = "Example:\n  flowcast report output/default")]
    Report(report::ReportArgs),
    /// Learn a scenario from a usage log (arrivals, block counts, agents, durations, spread).
    #[command(
        after_help = "Example:\n  flowcast fit usage.csv --plan-file plans.toml --out fitted.toml"
    )]
    Fit(fit::FitArgs),
    /// Forecast each month of a usage log from the months before it, and score the forecasts.
    #[command(
        after_help = "Example:\n  flowcast backtest usage.csv --plan-file plans.toml --train-months 3"
    )]
    Backtest(backtest::BacktestArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    #[command(
        after_help = "Example:\n  flowcast completions bash > ~/.local/share/bash-completion/completions/flowcast"
    )]
    Completions(shell::CompletionsArgs),
    /// Print the manual page (roff) for man(1).
    #[command(after_help = "Example:\n  flowcast man > flowcast.1 && man ./flowcast.1")]
    Man,
}

/// Runs the parsed command.
pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Replay(a) => replay::execute(a),
        Command::Run(a) => run::execute(a),
        Command::Compare(a) => compare::execute(a),
        Command::Sweep(a) => sweep::execute(a),
        Command::Merge(a) => merge::execute(a),
        Command::Sensitivity(a) => sensitivity::execute(a),
        Command::Check(a) => check::execute(a),
        Command::Report(a) => report::execute(a),
        Command::Fit(a) => fit::execute(a),
        Command::Backtest(a) => backtest::execute(a),
        Command::Completions(a) => shell::completions(a),
        Command::Man => shell::man(),
    }
}
