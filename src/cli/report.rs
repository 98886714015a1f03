//! `flowcast report DIR`: redraws the charts and rewrites `report.html` from
//! the results in an output folder. Every command that writes results calls
//! [`refresh`] too, so the report always shows everything the folder holds.

use flowcast::files::StagedDir;
use flowcast::reports::document::Refreshed;
use std::path::PathBuf;

/// Arguments of `flowcast report`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// The output folder (e.g. output/default).
    pub dir: PathBuf,
}

/// Runs `flowcast report`.
pub fn execute(a: ReportArgs) -> anyhow::Result<()> {
    if !a.dir.is_dir() {
        anyhow::bail!("{}: not a folder", a.dir.display());
    }
    let out = super::common::stage(&a.dir)?;
    match draw(&out)? {
        Some(r) => {
            super::common::publish(out)?;
            println!(
                "wrote {} ({} charts)",
                a.dir.join("report.html").display(),
                r.charts
            )
        }
        None => anyhow::bail!(
            "{}: no flowcast results (summary.json, forecast.json, compare.json, sweep.json, sensitivity.json, backtest.json)",
            a.dir.display()
        ),
    }
    Ok(())
}

/// Redraws the charts and the report in a staged folder; errors name the
/// files where they will be published.
fn draw(out: &StagedDir) -> anyhow::Result<Option<Refreshed>> {
    flowcast::reports::document::refresh(out.path())
        .map_err(|e| anyhow::anyhow!(out.shown(&e.to_string())))
}

/// Rebuilds the report in the staged folder `out` after a command wrote its
/// results there.
pub fn refresh(out: &StagedDir, quiet: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    if let Some(r) = draw(out)? {
        if !quiet {
            eprintln!(
                "drew {} chart{} and {} in {:.2} s",
                r.charts,
                if r.charts == 1 { "" } else { "s" },
                out.target().join("report.html").display(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}
