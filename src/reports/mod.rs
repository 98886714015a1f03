//! Reports: what a run writes for people and spreadsheets: JSON, CSV, a text
//! summary, charts (PNG and SVG) and a one-file HTML report.
//!
//! - [`tables`]: `teams.csv`, `daily.csv`;
//! - [`text`]: the summary printed on standard output;
//! - [`charts`], [`html`]: the figures and the report (drawn from the
//!   [`Summary`]).
//!
//! [`table_files`] renders `summary.json`, `teams.csv` and `daily.csv`.

pub mod charts;
pub mod document;
pub mod figures;
pub mod html;
pub mod planning;
pub mod tables;
pub mod text;

use crate::statistics::Summary;

/// The run's tables: `summary.json`, `teams.csv`, `daily.csv` and
/// `total_overage.csv`, as
/// (file name, bytes), for the caller to write.
pub fn table_files(s: &Summary) -> Result<Vec<(&'static str, Vec<u8>)>, csv::Error> {
    Ok(vec![
        ("summary.json", s.to_json().into_bytes()),
        ("teams.csv", tables::teams_csv(s)?),
        ("daily.csv", tables::daily_csv(s)?),
        ("total_overage.csv", tables::total_overage_csv(s)?),
    ])
}
