//! `flowcast run` (under construction).

/// Arguments of `flowcast run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {}

/// Runs `flowcast run`.
pub fn execute(_args: RunArgs) -> anyhow::Result<()> {
    anyhow::bail!("'run' is under construction")
}
