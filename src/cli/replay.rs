//! `flowcast replay` (under construction).

/// Arguments of `flowcast replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {}

/// Runs `flowcast replay`.
pub fn execute(_args: ReplayArgs) -> anyhow::Result<()> {
    anyhow::bail!("'replay' is under construction")
}
