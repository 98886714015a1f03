//! Usage alerts' outputs: `alerts.csv`, their text and their chart (the
//! report shows them inside the run's sections).

use super::cells::*;
use super::charts::*;
use crate::numbers::percent;
use crate::planning::alerts::AlertRow;
use std::fmt::Write as _;

/// `alerts.csv`: one row per group and alert level.
pub fn alerts_csv(rows: &[AlertRow]) -> Csv {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "group",
        "alert_level_pct",
        "reached_share",
        "team_months_hit",
        "lead_days_mean",
        "lead_days_p10",
        "lead_days_p50",
        "lead_days_p90",
        "under_one_day_share",
    ])?;
    for r in rows {
        w.write_record([
            r.group.clone(),
            r.level_pct.to_string(),
            num(r.reached_share, 4),
            r.team_months_hit.to_string(),
            num(r.lead_days_mean, 3),
            num(r.lead_days_p10, 3),
            num(r.lead_days_p50, 3),
            num(r.lead_days_p90, 3),
            num(r.under_one_day_share, 4),
        ])?;
    }
    finish(w)
}

/// The alert lead times as text (groups with at least one hit).
pub fn alerts_text(rows: &[AlertRow]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "\nUsage alerts: days of warning before the limit (team-months that hit it)"
    );
    let _ = writeln!(
        out,
        "  {:<18} {:>6} {:>8} {:>8} {:>8} {:>12}",
        "group", "alert", "P10", "P50", "P90", "< 1 day"
    );
    for r in rows.iter().filter(|r| r.team_months_hit > 0) {
        let _ = writeln!(
            out,
            "  {:<18} {:>5}% {:>8.2} {:>8.2} {:>8.2} {:>12}",
            r.group,
            r.level_pct,
            r.lead_days_p10,
            r.lead_days_p50,
            r.lead_days_p90,
            percent(r.under_one_day_share)
        );
    }
    out
}

/// Days of warning per alert level that 9 teams in 10 get at least (P10),
/// one line per team kind that hit its limit. Bands are left out: four kinds'
/// P10-P90 ranges overlap into a blur, and P10 is the number to act on.
pub fn alert_charts(scenario: &str, rows: &[AlertRow]) -> Vec<ChartFile> {
    let mut series: Vec<BandSeries> = Vec::new();
    for r in rows
        .iter()
        .filter(|r| r.team_months_hit > 0 && r.group != "population")
    {
        let point = BandPoint {
            x: f64::from(r.level_pct),
            lo: r.lead_days_p10,
            mid: r.lead_days_p10,
            hi: r.lead_days_p10,
        };
        match series.iter_mut().find(|b| b.label == r.group) {
            Some(b) => b.points.push(point),
            None => series.push(BandSeries {
                label: r.group.clone(),
                points: vec![point],
            }),
        }
    }
    if series.is_empty() {
        return Vec::new();
    }
    vec![ChartFile::new(
        "alert-lead-time",
        "Read a line at an alert level: 9 in 10 teams of that kind get at least this many days between the alert and the limit; the table gives the median and P90.",
        LineBand {
            title: "Days of warning 9 teams in 10 get, by usage alert level".into(),
            subtitle: format!("Scenario: {scenario}; team-months that hit the limit"),
            x_label: "alert level (% of the monthly allotment)".into(),
            y_label: "days from the alert to the limit (P10)".into(),
            x_unit: Unit::Plain,
            y_unit: Unit::Plain,
            band_label: String::new(),
            series,
            reference: None,
            y_from_zero: true,
            ..Default::default()
        },
    )]
}
