//! Command-line arguments: one file per subcommand, each turning its flags
//! into library calls. No domain logic lives here.

use clap::{Parser, Subcommand};

mod check;
mod replay;
mod run;

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
    /// Validate a scenario and print its expected runs and credits (no simulation).
    Check(check::CheckArgs),
}

/// Runs the parsed command.
pub fn execute(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Replay(a) => replay::execute(a),
        Command::Run(a) => run::execute(a),
        Command::Check(a) => check::execute(a),
    }
}
