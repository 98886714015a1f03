//! `flowcast report DIR`: redraws the charts and rewrites `report.html` from
//! the results in an output folder. Every command that writes results calls
//! [`refresh`] too, so the report always shows everything the folder holds.

use std::path::{Path, PathBuf};

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
    match flowcast::reports::document::refresh(&a.dir)? {
        Some(r) => println!("wrote {} ({} charts)", r.report.display(), r.charts),
        None => anyhow::bail!(
            "{}: no flowcast results (summary.json, forecast.json, compare.json, sweep.json, sensitivity.json)",
            a.dir.display()
        ),
    }
    Ok(())
}

/// Rebuilds the report in `dir` after a command wrote its results there.
pub fn refresh(dir: &Path, quiet: bool) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    if let Some(r) = flowcast::reports::document::refresh(dir)? {
        if !quiet {
            eprintln!(
                "drew {} chart{} and {} in {:.2} s",
                r.charts,
                if r.charts == 1 { "" } else { "s" },
                r.report.display(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(())
}
