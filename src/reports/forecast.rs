//! A forecast's outputs (`run --months N`): `forecast.csv`, its text, its
//! fan charts and its report section.

use super::cells::*;
use super::charts::*;
use super::html::{Section, Table};
use crate::numbers::{dollars, dollars_cents, percent, thousands};
use crate::planning::forecast::{Forecast, ForecastGroup, MonthRow};
use crate::statistics::summary::Distribution;
use std::fmt::Write as _;

/// A money distribution with its P10 in percentile order: mean, interval,
/// P10, P50, P90, P99 (the forecast's fan needs the low end).
fn dist_headers_p10(name: &str) -> Vec<String> {
    let mut h = dist_headers(name).to_vec();
    h.insert(3, format!("{name}_p10"));
    h
}

fn dist_cells_p10(d: &Distribution, p10: f64) -> Vec<String> {
    let mut c = dist_cells(d, 2, 2).to_vec();
    c.insert(3, num(p10, 2));
    c
}

/// `forecast.csv`: one row per group and month.
pub fn forecast_csv(f: &Forecast) -> Csv {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut h: Vec<String> = ["group", "teams", "month", "cycle_start"]
        .map(String::from)
        .to_vec();
    h.extend(dist_headers_p10("overage_usd"));
    h.extend(dist_headers_p10("cumulative_overage_usd"));
    h.extend(est_headers("suspended_share"));
    h.extend(
        [
            "days_suspended_per_team",
            "runs_blocked_per_team",
            "credits_used_per_team",
        ]
        .map(String::from),
    );
    h.extend(dist_headers("seats_usd").iter().map(|c| c.to_string()));
    h.push("upgraded_share".to_string());
    w.write_record(&h)?;
    for g in &f.groups {
        for m in &g.months {
            let mut row = vec![
                g.group.clone(),
                g.teams.to_string(),
                m.month.to_string(),
                m.cycle_start.clone(),
            ];
            row.extend(dist_cells_p10(&m.overage_usd, m.overage_p10));
            row.extend(dist_cells_p10(&m.cumulative_usd, m.cumulative_p10));
            row.extend(est_cells(&m.suspended_share, 4));
            row.push(num(m.days_suspended.value, 3));
            row.push(num(m.runs_blocked.value, 2));
            row.push(num(m.credits_used.value, 1));
            row.extend(dist_cells(&m.seats_usd, 2, 2));
            row.push(num(m.upgraded_share, 4));
            w.write_record(&row)?;
        }
    }
    finish(w)
}

/// The forecast as text: every group, month by month.
pub fn forecast_text(f: &Forecast) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nForecast over {} months ({} trials): overage billed per month, summed over each group's teams",
        f.months, f.trials
    );
    for g in &f.groups {
        let _ = writeln!(out, "\n  {} ({} teams)", g.group, g.teams);
        let _ = writeln!(
            out,
            "  {:>5}  {:<20}  {:>26}  {:>12}  {:>16}  {:>10}",
            "month", "cycle start", "overage [95% CI]", "P90", "cumulative P50", "suspended"
        );
        for m in &g.months {
            let _ = writeln!(
                out,
                "  {:>5}  {:<20}  {:>26}  {:>12}  {:>16}  {:>10}",
                m.month,
                m.cycle_start,
                format!(
                    "{} [{}, {}]",
                    dollars_cents(m.overage_usd.mean),
                    thousands(m.overage_usd.ci_low),
                    thousands(m.overage_usd.ci_high)
                ),
                dollars_cents(m.overage_usd.p90),
                dollars_cents(m.cumulative_usd.p50),
                percent(m.suspended_share.value)
            );
        }
    }
    out
}

fn month_fan(f: &Forecast, g: &ForecastGroup, cumulative: bool) -> FanChart {
    let pick = |m: &MonthRow| {
        if cumulative {
            (
                m.cumulative_p10,
                m.cumulative_p25,
                m.cumulative_usd.p50,
                m.cumulative_p75,
                m.cumulative_usd.p90,
            )
        } else {
            (
                m.overage_p10,
                m.overage_p25,
                m.overage_usd.p50,
                m.overage_p75,
                m.overage_usd.p90,
            )
        }
    };
    let v: Vec<_> = g.months.iter().map(pick).collect();
    FanChart {
        title: if cumulative {
            format!("Overage billed so far, month by month: {}", g.group)
        } else {
            format!("Overage billed each month: {}", g.group)
        },
        subtitle: format!(
            "Scenario: {}, {} trials, seed {}, {} months",
            f.scenario, f.trials, f.seed, f.months
        ),
        note: PRICE_NOTE.into(),
        x_label: "month of the forecast".into(),
        y_label: if cumulative {
            "overage billed since month 1 (USD)".into()
        } else {
            "overage billed in the month (USD)".into()
        },
        x_unit: Unit::Months,
        y_unit: Unit::Dollars,
        x: g.months.iter().map(|m| f64::from(m.month)).collect(),
        p10: v.iter().map(|t| t.0).collect(),
        p25: v.iter().map(|t| t.1).collect(),
        p50: v.iter().map(|t| t.2).collect(),
        p75: v.iter().map(|t| t.3).collect(),
        p90: v.iter().map(|t| t.4).collect(),
        reference: None,
        box_lines: Vec::new(),
    }
}

/// The forecast's fan charts: the population's monthly and cumulative
/// overage, then each kind's monthly overage.
pub fn forecast_charts(f: &Forecast) -> Vec<ChartFile> {
    let mut out = Vec::new();
    if let Some(pop) = f.groups.iter().find(|g| g.group == "population") {
        out.push(ChartFile::new(
            "forecast-monthly",
            captions::forecast_by_month("population's overage bill"),
            month_fan(f, pop, false),
        ));
        out.push(ChartFile::new(
            "forecast-cumulative",
            captions::forecast_by_month("population's cumulative overage bill"),
            month_fan(f, pop, true),
        ));
    }
    for g in f.groups.iter().filter(|g| g.group != "population") {
        out.push(ChartFile::new(
            format!("forecast-monthly-{}", g.group),
            captions::forecast_by_month(&format!("{} teams' overage bill", g.group)),
            month_fan(f, g, false),
        ));
    }
    out
}

pub(crate) fn forecast_section(f: &Forecast, figs: Vec<Figure>) -> Section {
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
