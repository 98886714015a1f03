//! The one-file report: `report.html` assembled from every result in an
//! output folder (`summary.json`, `alerts.json`, `forecast.json`,
//! `compare.json`, `sweep.json`, `sensitivity.json`, `backtest.json`,
//! whichever are there),
//! with their charts drawn into `charts/` and inlined as SVG.
//!
//! Every command that writes a result calls [`refresh`], so the report always
//! shows everything the folder holds, each section with its own seed and
//! trials.

use super::charts::{write_all, ChartError, ChartFile, Figure};
use super::html::{self, Report, Section, Table};
use crate::backtest::Backtest;
use crate::numbers::thousands;
use crate::planning::alerts::AlertRow;
use crate::planning::compare::Comparison;
use crate::planning::forecast::Forecast;
use crate::planning::sensitivity::Sensitivity;
use crate::planning::sweep::Sweep;
use crate::provenance::Inputs;
use crate::statistics::summary::Summary;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// What went wrong while refreshing a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A result file could not be read or parsed.
    #[error("{}: {problem}", path.display())]
    Input {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        problem: String,
    },
    /// A chart could not be drawn or written.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// The report could not be written.
    #[error("{}: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
}

/// Every result found in an output folder.
#[derive(Debug, Default)]
pub struct Results {
    /// `summary.json`.
    pub summary: Option<Summary>,
    /// `alerts.json`.
    pub alerts: Option<Vec<AlertRow>>,
    /// `forecast.json`.
    pub forecast: Option<Forecast>,
    /// `compare.json`.
    pub compare: Option<Comparison>,
    /// `sweep.json`.
    pub sweep: Option<Sweep>,
    /// `sensitivity.json`.
    pub sensitivity: Option<Sensitivity>,
    /// `backtest.json`.
    pub backtest: Option<Backtest>,
}

fn read<T: DeserializeOwned>(dir: &Path, name: &str) -> Result<Option<T>, ReportError> {
    let path = dir.join(name);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| ReportError::Input {
                path,
                problem: format!("not a flowcast result ({e}); delete it or run the command again"),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ReportError::Input {
            path,
            problem: e.to_string(),
        }),
    }
}

impl Results {
    /// Reads every result file in `dir`.
    pub fn load(dir: &Path) -> Result<Results, ReportError> {
        Ok(Results {
            summary: read(dir, "summary.json")?,
            alerts: read(dir, "alerts.json")?,
            forecast: read(dir, "forecast.json")?,
            compare: read(dir, "compare.json")?,
            sweep: read(dir, "sweep.json")?,
            sensitivity: read(dir, "sensitivity.json")?,
            backtest: read(dir, "backtest.json")?,
        })
    }

    /// Whether there is anything to report.
    pub fn is_empty(&self) -> bool {
        self.summary.is_none()
            && self.forecast.is_none()
            && self.compare.is_none()
            && self.sweep.is_none()
            && self.sensitivity.is_none()
            && self.backtest.is_none()
    }
}

/// What [`refresh`] wrote.
#[derive(Debug)]
pub struct Refreshed {
    /// The report's path.
    pub report: PathBuf,
    /// Charts drawn (each as PNG and SVG).
    pub charts: usize,
}

/// Redraws the charts of every result in `dir` into `dir/charts/` and
/// rewrites `dir/report.html`. `None` when the folder holds no result.
pub fn refresh(dir: &Path) -> Result<Option<Refreshed>, ReportError> {
    let r = Results::load(dir)?;
    if r.is_empty() {
        return Ok(None);
    }
    let charts_dir = dir.join("charts");
    let draw = |files: Vec<ChartFile>| -> Result<Vec<Figure>, ReportError> {
        Ok(write_all(&charts_dir, &files)?)
    };
    let mut report = Report {
        figure_dir: Some("charts".to_string()),
        ..Default::default()
    };
    let mut charts = 0;
    if let Some(s) = &r.summary {
        report.title = format!("flowcast: {}", s.scenario);
        report.subtitle = s.description.clone();
        report.meta = vec![
            ("seed".into(), s.seed.to_string()),
            ("trials".into(), thousands(f64::from(s.trials))),
            ("first cycle starts".into(), s.calendar.start.clone()),
            (
                "billing cycles".into(),
                match s.calendar.cycle_days {
                    Some(d) => format!("{} of {d} days", s.calendar.months),
                    None => format!("{} calendar month(s)", s.calendar.months),
                },
            ),
            ("usage multiplier".into(), format!("{}", s.usage_multiplier)),
            ("prices".into(), s.price_source.clone()),
            ("generated by".into(), s.generator.clone()),
        ];
        report.assumptions = s.assumptions.clone();
        let mut figs = draw(super::run::run_charts(s))?;
        if let Some(a) = &r.alerts {
            figs.extend(draw(super::alerts::alert_charts(&s.scenario, a))?);
        }
        charts += figs.len();
        report
            .sections
            .extend(super::run::run_sections(s, figs, r.alerts.as_deref()));
    }
    if let Some(f) = &r.forecast {
        let figs = draw(super::forecast::forecast_charts(f))?;
        charts += figs.len();
        report
            .sections
            .push(super::forecast::forecast_section(f, figs));
    }
    if let Some(c) = &r.compare {
        let figs = draw(super::compare::compare_charts(c))?;
        charts += figs.len();
        report
            .sections
            .push(super::compare::compare_section(c, figs));
    }
    if let Some(s) = &r.sweep {
        let figs = draw(super::sweep::sweep_charts(s))?;
        charts += figs.len();
        report.sections.push(super::sweep::sweep_section(s, figs));
    }
    if let Some(s) = &r.sensitivity {
        let figs = draw(super::sensitivity::sensitivity_charts(s))?;
        charts += figs.len();
        report
            .sections
            .push(super::sensitivity::sensitivity_section(s, figs));
    }
    if let Some(b) = &r.backtest {
        let figs = draw(super::backtest::backtest_charts(b))?;
        charts += figs.len();
        report
            .sections
            .push(super::backtest::backtest_section(b, figs));
    }
    let (notices, inputs) = provenance_section(&r);
    report.notices = notices;
    report.sections.extend(inputs);
    remove_stale_charts(dir, &report);
    if let (true, Some(b)) = (report.title.is_empty(), &r.backtest) {
        report.title = format!("flowcast: backtest of {}", b.log);
    }
    // A folder without a run is titled by its scenario (not the folder's
    // name: while a command writes, that is its staging folder's).
    let scenario = (r.compare.as_ref().map(|c| &c.scenario))
        .or(r.sweep.as_ref().map(|s| &s.scenario))
        .or(r.sensitivity.as_ref().map(|s| &s.scenario));
    if let (true, Some(name)) = (report.title.is_empty(), scenario) {
        report.title = format!("flowcast: {name}");
    }
    if report.title.is_empty() {
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        report.title = format!("flowcast: {name}");
    }
    let path = dir.join("report.html");
    html::write(&path, &report).map_err(|source| ReportError::Write {
        path: path.clone(),
        source,
    })?;
    Ok(Some(Refreshed {
        report: path,
        charts,
    }))
}

/// What each result was computed from, as a closing section, and a notice
/// when the results describe different models (other input bytes or other
/// overrides): a run and a compare made with other settings, say.
fn provenance_section(r: &Results) -> (Vec<String>, Option<Section>) {
    let found: Vec<(&str, &Inputs)> = [
        (
            "run (summary.json)",
            r.summary.as_ref().and_then(|x| x.inputs.as_ref()),
        ),
        (
            "forecast (forecast.json)",
            r.forecast.as_ref().and_then(|x| x.inputs.as_ref()),
        ),
        (
            "compare (compare.json)",
            r.compare.as_ref().and_then(|x| x.inputs.as_ref()),
        ),
        (
            "sweep (sweep.json)",
            r.sweep.as_ref().and_then(|x| x.inputs.as_ref()),
        ),
        (
            "sensitivity (sensitivity.json)",
            r.sensitivity.as_ref().and_then(|x| x.inputs.as_ref()),
        ),
        (
            "backtest (backtest.json)",
            r.backtest.as_ref().and_then(|x| x.inputs.as_ref()),
        ),
    ]
    .into_iter()
    .filter_map(|(name, i)| i.map(|i| (name, i)))
    .collect();
    if found.is_empty() {
        return (Vec::new(), None);
    }
    let mut notices = Vec::new();
    let differs = found.iter().any(|(_, i)| !i.same_model(found[0].1));
    if differs {
        notices.push(format!(
            "The sections of this report come from different inputs: {}. Compare their numbers with care (see Inputs, at the end).",
            found
                .iter()
                .map(|(name, i)| format!("{name}: {}", i.describe()))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    let table = Table {
        caption: "What each result in this folder was computed from".into(),
        headers: [
            "result",
            "input file",
            "SHA-256 (first 12)",
            "overrides",
            "seed",
            "trials",
            "flowcast",
        ]
        .map(String::from)
        .to_vec(),
        rows: found
            .iter()
            .map(|(name, i)| {
                vec![
                    name.to_string(),
                    i.input_file.clone(),
                    i.input_sha256.chars().take(12).collect(),
                    if i.overrides.is_empty() {
                        "none".to_string()
                    } else {
                        i.overrides.join(", ")
                    },
                    i.seed.to_string(),
                    thousands(f64::from(i.trials)),
                    i.flowcast_version.clone(),
                ]
            })
            .collect(),
        note: String::new(),
    };
    let section = Section {
        heading: "Inputs".into(),
        intro: if differs {
            "These results were computed from different inputs.".into()
        } else {
            "Every result here was computed from the same input file and overrides.".into()
        },
        tables: vec![table],
        ..Default::default()
    };
    (notices, Some(section))
}

/// Removes chart files that no result in the folder draws any more (say, a
/// forecast's fans after a one-month run), so `charts/` matches the report.
/// Only charts flowcast drew earlier (listed in the folder's manifest) are
/// removed: a picture the user put in `charts/` stays.
fn remove_stale_charts(dir: &Path, report: &Report) {
    let keep: Vec<&str> = report
        .sections
        .iter()
        .flat_map(|s| s.figures.iter().map(|f| f.name.as_str()))
        .collect();
    for own in crate::files::manifest::read(dir) {
        let Some(file) = own.strip_prefix("charts/") else {
            continue;
        };
        let path = Path::new(file);
        let is_chart = matches!(
            path.extension().and_then(|x| x.to_str()),
            Some("png" | "svg")
        );
        let stem = path
            .file_stem()
            .and_then(|x| x.to_str())
            .unwrap_or_default();
        if is_chart && !keep.contains(&stem) {
            // Listed in the manifest just read: flowcast's own file.
            let _ = std::fs::remove_file(dir.join(&own));
        }
    }
}
