//! Reports: what a run writes for people and spreadsheets: JSON, CSV, a text
//! summary, charts (PNG and SVG) and a one-file HTML report.
//!
//! - [`tables`]: `teams.csv`, `daily.csv`;
//! - [`text`]: the summary printed on standard output;
//! - [`charts`], [`html`]: the figures and the report (drawn from the
//!   [`Summary`]).
//!
//! [`write_tables`] writes `summary.json`, `teams.csv` and `daily.csv`, each
//! atomically (a temporary file renamed into place).

pub mod charts;
pub mod html;
pub mod tables;
pub mod text;

use crate::files::write_atomic;
use crate::statistics::Summary;
use std::path::{Path, PathBuf};

/// Writes `summary.json`, `teams.csv` and `daily.csv` into `dir` (created if
/// needed); returns the paths written.
pub fn write_tables(s: &Summary, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let csv_err = |e: csv::Error| std::io::Error::other(e.to_string());
    let files = [
        ("summary.json", s.to_json().into_bytes()),
        ("teams.csv", tables::teams_csv(s).map_err(csv_err)?),
        ("daily.csv", tables::daily_csv(s).map_err(csv_err)?),
    ];
    let mut written = Vec::new();
    for (name, bytes) in files {
        let path = dir.join(name);
        write_atomic(&path, &bytes)?;
        written.push(path);
    }
    Ok(written)
}
