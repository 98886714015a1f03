//! Reports: what a run writes for people and spreadsheets: JSON, CSV, a text
//! summary, charts (PNG and SVG) and a one-file HTML report.

pub mod charts;
pub mod html;
