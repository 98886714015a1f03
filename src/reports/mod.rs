//! Reports: what a run writes for people and spreadsheets: JSON, CSV, a text
//! summary, charts (PNG and SVG) and a one-file HTML report.
//!
//! One file per result, each knowing its CSV, its text, its charts and its
//! report section: [`run`], [`alerts`], [`forecast`], [`compare`],
//! [`sweep`], [`sensitivity`], [`backtest`]; adding a result touches one
//! file (and [`document`], which collects the results of a folder).
//! Underneath: [`charts`] draws figures, [`html`] renders the page, and
//! numbers become text in [`crate::numbers`].
//!
//! [`table_files`] renders `summary.json`, `teams.csv` and `daily.csv`.

pub mod alerts;
pub mod backtest;
mod cells;
pub mod charts;
pub mod compare;
pub mod document;
pub mod forecast;
pub mod html;
pub mod run;
pub mod sensitivity;
pub mod sweep;
pub mod workbook;

use crate::statistics::Summary;

/// The run's tables: `summary.json`, `teams.csv`, `daily.csv` and
/// `total_overage.csv`, as
/// (file name, bytes), for the caller to write.
pub fn table_files(s: &Summary) -> Result<Vec<(&'static str, Vec<u8>)>, csv::Error> {
    Ok(vec![
        ("summary.json", s.to_json().into_bytes()),
        ("teams.csv", run::teams_csv(s)?),
        ("daily.csv", run::daily_csv(s)?),
        ("total_overage.csv", run::total_overage_csv(s)?),
    ])
}
