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
use super::figures;
use super::html::{self, Report, Section, Table};
use crate::backtest::Backtest;
use crate::numbers::{dollars, percent, thousands};
use crate::planning::alerts::AlertRow;
use crate::planning::compare::Comparison;
use crate::planning::forecast::Forecast;
use crate::planning::sensitivity::Sensitivity;
use crate::planning::sweep::Sweep;
use crate::provenance::Inputs;
use crate::statistics::summary::{Distribution, Estimate, GroupStats, Summary};
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
        let mut figs = draw(figures::run_charts(s))?;
        if let Some(a) = &r.alerts {
            figs.extend(draw(figures::alert_charts(&s.scenario, a))?);
        }
        charts += figs.len();
        report
            .sections
            .extend(run_sections(s, figs, r.alerts.as_deref()));
    }
    if let Some(f) = &r.forecast {
        let figs = draw(figures::forecast_charts(f))?;
        charts += figs.len();
        report.sections.push(forecast_section(f, figs));
    }
    if let Some(c) = &r.compare {
        let figs = draw(figures::compare_charts(c))?;
        charts += figs.len();
        report.sections.push(compare_section(c, figs));
    }
    if let Some(s) = &r.sweep {
        let figs = draw(figures::sweep_charts(s))?;
        charts += figs.len();
        report.sections.push(sweep_section(s, figs));
    }
    if let Some(s) = &r.sensitivity {
        let figs = draw(figures::sensitivity_charts(s))?;
        charts += figs.len();
        report.sections.push(sensitivity_section(s, figs));
    }
    if let Some(b) = &r.backtest {
        let figs = draw(figures::backtest_charts(b))?;
        charts += figs.len();
        report.sections.push(backtest_section(b, figs));
    }
    let (notices, inputs) = provenance_section(&r);
    report.notices = notices;
    report.sections.extend(inputs);
    remove_stale_charts(dir, &report);
    if let (true, Some(b)) = (report.title.is_empty(), &r.backtest) {
        report.title = format!("flowcast: backtest of {}", b.log);
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

/// `value (low – high)`: the interval may move to its own line in a
/// narrow column, but never breaks inside (no-break spaces around the dash).
fn interval(value: String, low: String, high: String) -> String {
    format!("{value} ({low}\u{a0}\u{2013}\u{a0}{high})")
}

/// A difference in dollars, signed both ways: `+$12`, `-$3.50`, `$0`.
fn signed_dollars(v: f64) -> String {
    let d = dollars(v);
    if v > 0.0 && d != "$0" && d != "$0.00" {
        format!("+{d}")
    } else {
        d
    }
}

fn ci(e: &Estimate, f: fn(f64) -> String) -> String {
    interval(f(e.value), f(e.ci_low), f(e.ci_high))
}

fn mean_ci(d: &Distribution, f: fn(f64) -> String) -> String {
    interval(f(d.mean), f(d.ci_low), f(d.ci_high))
}

fn days1(v: f64) -> String {
    format!("{v:.1}")
}

fn credits(v: f64) -> String {
    thousands(v)
}

/// A kind's (or the population's) row of the limit table: when and how
/// often teams reach the limit, and what they use.
fn limit_row(name: &str, g: &GroupStats) -> Vec<String> {
    let h = &g.hit;
    let when = match (h.day_p10, h.day_p50, h.day_p90) {
        // The convention of the printed summary: day of the cycle (day 1
        // first) and time; CSV and JSON hold the same instants as days
        // elapsed since the cycle start (9.097 is day 10, 02:20).
        // No-break spaces inside each time: a narrow column wraps between
        // the percentiles, never inside "day 10, 02:20".
        (Some(a), Some(b), Some(c)) => [a, b, c]
            .map(|d| crate::statistics::collector::day_label(d).replace(' ', "\u{a0}"))
            .join("\u{a0}/ "),
        _ => "never".to_string(),
    };
    vec![
        name.to_string(),
        ci(&h.probability, percent),
        when,
        percent(h.never_hit_share),
        mean_ci(&g.credits_used, credits),
    ]
}

/// A kind's (or the population's) row of the cost table: overage billed,
/// and what suspension cost in blocked work.
fn cost_row(name: &str, g: &GroupStats) -> Vec<String> {
    vec![
        name.to_string(),
        mean_ci(&g.overage_cost_usd, dollars),
        format!(
            "{}\u{a0}/ {}\u{a0}/ {}",
            dollars(g.overage_cost_usd.p50),
            dollars(g.overage_cost_usd.p90),
            dollars(g.overage_cost_usd.p99)
        ),
        format!("{:.1}", g.runs_blocked.mean),
        thousands(g.credits_blocked.mean),
        format!("{:.2}", g.days_suspended.mean),
    ]
}

fn run_sections(s: &Summary, figs: Vec<Figure>, alerts: Option<&[AlertRow]>) -> Vec<Section> {
    let take = |prefix: &str| -> Vec<Figure> {
        figs.iter()
            .filter(|f| f.name.starts_with(prefix))
            .cloned()
            .collect()
    };
    let plan_table = Table {
        caption: "Plans and overage terms per team kind".into(),
        headers: [
            "kind", "teams", "plan", "credits / month", "seats", "seat price", "overage", "block price (assumption)",
        ]
        .map(String::from)
        .to_vec(),
        rows: s
            .kinds
            .iter()
            .map(|k| {
                vec![
                    k.name.clone(),
                    k.teams.to_string(),
                    k.plan.plan.clone(),
                    thousands(k.plan.credits as f64),
                    k.plan.seats.to_string(),
                    dollars(k.plan.seat_price_usd),
                    k.plan.overage_policy.clone(),
                    k.plan.overage_price_usd.map_or("-".to_string(), dollars),
                ]
            })
            .collect(),
        note: format!(
            "Block price: USD per {}-credit overage block, a user input (Postman does not publish it).",
            thousands(s.kinds.first().map_or(1000, |k| k.plan.block_credits) as f64)
        ),
    };
    let rows = |row: fn(&str, &GroupStats) -> Vec<String>| -> Vec<Vec<String>> {
        s.kinds
            .iter()
            .map(|k| row(&k.name, &k.stats))
            .chain(std::iter::once(row("population", &s.population)))
            .collect()
    };
    // Two tables of five or six columns rather than one of ten: each fits
    // the page at 1280 px and on A4 paper without scrolling or clipping.
    let limit = Table {
        caption: "When teams hit the limit, per team-month (mean with 95% confidence interval)".into(),
        headers: [
            "kind",
            "P(hit limit)",
            "hit time P10 / P50 / P90",
            "never hit",
            "credits used",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows(limit_row),
        note: "Hit times: the day of the billing cycle (day 1 is the first) and the time of day, as in the printed summary; teams.csv holds the same instants as days elapsed since the cycle start (9.097 = day 10, 02:20).".into(),
    };
    let cost = Table {
        caption:
            "What the limit costs, per team-month: overage billed, and work blocked while suspended"
                .into(),
        headers: [
            "kind",
            "overage (mean, 95% CI)",
            "overage P50 / P90 / P99",
            "runs blocked",
            "credits blocked",
            "days suspended",
        ]
        .map(String::from)
        .to_vec(),
        rows: rows(cost_row),
        note: "Blocked work and days suspended are means over all team-months, suspended or not."
            .into(),
    };
    let t = &s.total_overage;
    let total = Table {
        caption: format!(
            "The population's total overage bill {} (the finance number)",
            crate::numbers::per_horizon(s.calendar.months, s.calendar.cycle_days)
        ),
        headers: ["mean (95% CI)", "P50", "P90", "P99"]
            .map(String::from)
            .to_vec(),
        rows: vec![vec![
            mean_ci(&t.per_trial_usd, dollars),
            dollars(t.per_trial_usd.p50),
            dollars(t.per_trial_usd.p90),
            dollars(t.per_trial_usd.p99),
        ]],
        note: t.note.clone(),
    };
    let mut out = vec![
        Section {
            heading: "Plans and headline numbers".into(),
            intro: format!(
                "{} team kinds simulated through {} billing cycle(s), {} trials.",
                s.kinds.len(),
                s.calendar.months,
                thousands(f64::from(s.trials))
            ),
            tables: vec![plan_table, limit, cost, total],
            ..Default::default()
        },
        Section {
            heading: "Credits through the month".into(),
            intro: "How each kind of team burns its credits, and when teams run out.".into(),
            figures: [take("burn-up-"), take("limit-hit")].concat(),
            ..Default::default()
        },
        Section {
            heading: "Overage".into(),
            intro: "What overage costs, per team-month and for the whole population.".into(),
            figures: [take("overage-")].concat(),
            ..Default::default()
        },
        Section {
            heading: "Where the credits go".into(),
            intro: "Credits by what consumed them: the deployed-run base charge, blocks, AI model calls, MCP tools and images.".into(),
            figures: take("credits-by-source"),
            ..Default::default()
        },
    ];
    if let Some(rows) = alerts {
        out.push(Section {
            heading: "Usage alerts: days of warning".into(),
            intro: "For usage alerts at 50%, 80% and 95% of the allotment: how many days pass between the alert and the limit, over the team-months that hit the limit.".into(),
            tables: vec![Table {
                caption: "Lead time from alert to limit, days".into(),
                headers: ["group", "alert at", "reached by", "hits", "P10", "P50", "P90", "under 1 day"]
                    .map(String::from)
                    .to_vec(),
                rows: rows
                    .iter()
                    .filter(|r| r.team_months_hit > 0)
                    .map(|r| {
                        vec![
                            r.group.clone(),
                            format!("{}%", r.level_pct),
                            percent(r.reached_share),
                            thousands(r.team_months_hit as f64),
                            days1(r.lead_days_p10),
                            days1(r.lead_days_p50),
                            days1(r.lead_days_p90),
                            percent(r.under_one_day_share),
                        ]
                    })
                    .collect(),
                note: "P10 is the warning that 1 team in 10 does not get: plan reaction times against it.".into(),
            }],
            figures: take("alert-lead-time"),
            ..Default::default()
        });
    }
    out
}

fn forecast_section(f: &Forecast, figs: Vec<Figure>) -> Section {
    let rows = f
        .groups
        .iter()
        .flat_map(|g| {
            g.months.iter().map(move |m| {
                vec![
                    g.group.clone(),
                    m.month.to_string(),
                    m.cycle_start.chars().take(10).collect(),
                    mean_ci(&m.overage_usd, dollars),
                    dollars(m.overage_usd.p90),
                    dollars(m.cumulative_usd.p50),
                    dollars(m.cumulative_usd.p90),
                    percent(m.suspended_share.value),
                ]
            })
        })
        .collect();
    Section {
        heading: format!("Forecast: {} months", f.months),
        intro: f.note.clone(),
        tables: vec![Table {
            caption: "Overage billed per month, summed over each group's teams".into(),
            headers: [
                "group",
                "month",
                "cycle start",
                "overage (95% CI)",
                "P90",
                "cumulative P50",
                "cumulative P90",
                "suspended",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            note: format!("{} trials, seed {}.", f.trials, f.seed),
        }],
        figures: figs,
        ..Default::default()
    }
}

fn compare_section(c: &Comparison, figs: Vec<Figure>) -> Section {
    let plan_label = |r: &crate::planning::compare::PlanCost| {
        let rec = c
            .recommendations
            .iter()
            .any(|x| x.kind == r.kind && x.plan.as_deref() == Some(r.plan.as_str()));
        if rec {
            format!("{} (recommended)", r.plan)
        } else {
            r.plan.clone()
        }
    };
    let cost_rows = c
        .rows
        .iter()
        .map(|r| {
            vec![
                r.kind.clone(),
                plan_label(r),
                dollars(r.seat_cost_usd),
                mean_ci(&r.total_usd, dollars),
                dollars(r.total_usd.p90),
                r.vs_recommended_usd.map_or("-".to_string(), |e| {
                    interval(
                        signed_dollars(e.value),
                        signed_dollars(e.ci_low),
                        signed_dollars(e.ci_high),
                    )
                }),
            ]
        })
        .collect();
    let suspension_rows = c
        .rows
        .iter()
        .map(|r| {
            vec![
                r.kind.clone(),
                plan_label(r),
                ci(&r.suspended_share, percent),
                format!("{:.1}", r.runs_blocked.mean),
                format!("{:.2}", r.days_suspended.mean),
            ]
        })
        .collect();
    // Two tables rather than one of nine columns, so that each fits A4.
    let tables = vec![
        Table {
            caption: "Monthly cost per team by plan: seats + overage".into(),
            headers: [
                "kind",
                "plan",
                "seats",
                "total cost (95% CI)",
                "P90 cost",
                "vs recommended (paired)",
            ]
            .map(String::from)
            .to_vec(),
            rows: cost_rows,
            note: "Overage is switched off on plans that forbid it (free). 'vs recommended' is the mean difference per team-month, paired by trial.".into(),
        },
        Table {
            caption: "Suspension by plan: its own cost, in blocked work".into(),
            headers: [
                "kind",
                "plan",
                "P(suspended)",
                "runs blocked",
                "days suspended",
            ]
            .map(String::from)
            .to_vec(),
            rows: suspension_rows,
            note: "Share of team-months suspended at some point (95% CI); blocked runs and days suspended are means over all team-months.".into(),
        },
    ];
    Section {
        heading: "Plan comparison".into(),
        intro: format!(
            "Recommended by {}. {} {} trials per plan, seed {}.",
            c.rule, c.common_random_numbers, c.trials, c.seed
        ),
        assumptions: c
            .assumptions
            .iter()
            .filter(|a| a.contains("Overage block price"))
            .cloned()
            .collect(),
        tables,
        figures: figs,
    }
}

fn sweep_section(s: &Sweep, figs: Vec<Figure>) -> Section {
    let rows = s
        .points
        .iter()
        .filter_map(|p| {
            let g = p.groups.iter().find(|g| g.group == "population")?;
            Some(vec![
                super::planning::settings_label(&p.settings),
                ci(&g.hit_probability, percent),
                mean_ci(&p.total_overage_usd, dollars),
                dollars(p.total_overage_usd.p90),
                percent(g.suspended_share.value),
            ])
        })
        .collect();
    Section {
        heading: "Sweep".into(),
        intro: s.note.clone(),
        tables: vec![Table {
            caption: format!(
                "The population at each setting: total overage of all teams {}",
                s.horizon
            ),
            headers: [
                "setting",
                "P(hit limit)",
                "total overage (95% CI)",
                "P90",
                "suspended",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            note: format!(
                "{} trials per setting, seed {}; per-kind numbers in sweep.csv.",
                s.trials, s.seed
            ),
        }],
        figures: figs,
        ..Default::default()
    }
}

fn sensitivity_section(s: &Sensitivity, figs: Vec<Figure>) -> Section {
    let rows = s
        .swings
        .iter()
        .map(|w| {
            vec![
                w.key.clone(),
                format!("{} \u{2013} {}", w.low, w.high),
                dollars(w.output_at_low.value),
                dollars(w.output_at_high.value),
                dollars(w.swing),
                w.rank_correlation
                    .map_or("-".to_string(), |r| format!("{r:+.2}")),
            ]
        })
        .collect();
    Section {
        heading: "Sensitivity: what drives the overage bill".into(),
        intro: s.note.clone(),
        tables: vec![Table {
            caption: format!("Baseline {}: {}", s.output, dollars(s.baseline.value)),
            headers: [
                "input",
                "range",
                "at low",
                "at high",
                "swing",
                "rank correlation",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            note: format!(
                "{} trials per run, seed {}; rank correlations over {} Latin hypercube points.",
                s.trials, s.seed, s.samples
            ),
        }],
        figures: figs,
        ..Default::default()
    }
}

fn backtest_section(b: &Backtest, figs: Vec<Figure>) -> Section {
    let rows = b
        .scores
        .iter()
        .map(|s| {
            vec![
                s.name.clone(),
                thousands(s.crps_credits),
                dollars(s.crps_overage_usd),
                format!("{:.3}", s.brier),
            ]
        })
        .collect();
    let verdicts: Vec<String> = (1..b.scores.len())
        .map(|i| {
            format!(
                "{} '{}'",
                if b.beats(i) { "beats" } else { "does not beat" },
                b.scores[i].name
            )
        })
        .collect();
    Section {
        heading: "Backtest: do the forecasts come true?".into(),
        intro: format!(
            "Each month after the first {} was forecast from a fit to the months before it, then replayed as it happened. {} of {} actuals fell inside the forecast's P10-P90 band ({}; {} to {} is consistent with calibration), {} at or below its median (50% when calibrated). On credits, flowcast {}.",
            b.train_months,
            percent(b.coverage_p10_p90),
            b.team_months,
            "80% when calibrated",
            percent(b.coverage_band.0),
            percent(b.coverage_band.1),
            percent(b.share_below_p50),
            verdicts.join(" and ")
        ),
        tables: vec![Table {
            caption: "Scores over all team-months (lower is better)".into(),
            headers: ["forecaster", "CRPS of credits", "CRPS of overage", "Brier of P(hit)"]
                .map(String::from)
                .to_vec(),
            rows,
            note: format!(
                "CRPS of a point forecast is its absolute error. The projection baseline saw the first {} days of each month; the forecast saw none. {} simulated months per forecast, seed {}. The overage price is an assumption (user input).",
                b.projection_day, b.trials, b.seed
            ),
        }],
        figures: figs,
        ..Default::default()
    }
}
