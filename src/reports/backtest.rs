//! A backtest's chart and report section (its CSV and text are written by
//! [`crate::backtest`]).

use super::charts::*;
use super::html::{Section, Table};
use crate::backtest::Backtest;
use crate::numbers::{dollars, percent, thousands};

/// A backtest's PIT histogram (flat when the forecasts are calibrated) and
/// its P10-P90 coverage per forecast month against the 80% it should have.
pub fn backtest_charts(b: &Backtest) -> Vec<ChartFile> {
    let subtitle = format!(
        "{}: {} team-months, {} month(s) of history before each forecast",
        b.log, b.team_months, b.train_months
    );
    let n = b.team_months.max(1) as f64;
    // 95% interval of a binomial share p over `m` trials.
    let band = |p: f64, m: f64| {
        let half = 1.96 * (p * (1.0 - p) / m.max(1.0)).sqrt();
        ((p - half).max(0.0), (p + half).min(1.0))
    };
    let per_month = n / b.months.len().max(1) as f64;
    vec![
        ChartFile::new(
            "backtest-pit",
            "Where each actual month fell in its forecast: a flat histogram means calibrated forecasts; a U shape, too narrow; a hump, too wide; a slope, biased.",
            Histogram {
                title: "Rank of the actual credits in their forecast (PIT)".into(),
                subtitle: subtitle.clone(),
                note: format!(
                    "Calibrated: about {:.0} team-months in each bar.",
                    n / 10.0
                ),
                x_label: "rank of the actual in the forecast distribution (0 = below every draw)".into(),
                y_label: "team-months".into(),
                x_unit: Unit::Share,
                bar_label: "team-months".into(),
                bin_edges: (0..=10).map(|i| f64::from(i) / 10.0).collect(),
                counts: b.pit_histogram.to_vec(),
                marks: Vec::new(),
            },
        ),
        ChartFile::new(
            "backtest-coverage",
            "Share of teams whose actual credits fell inside the forecast's P10-P90 band, per forecast month, with its 95% interval; calibrated forecasts sit near 80%.",
            LineBand {
                title: "P10-P90 coverage per forecast month".into(),
                subtitle,
                note: String::new(),
                x_label: "forecast month (1 = first after the history)".into(),
                y_label: "actuals inside the P10-P90 band".into(),
                x_unit: Unit::Months,
                y_unit: Unit::Share,
                band_label: "95% interval (binomial)".into(),
                series: vec![BandSeries {
                    label: "flowcast".into(),
                    points: b
                        .coverage_by_month
                        .iter()
                        .enumerate()
                        .map(|(i, c)| {
                            let (lo, hi) = band(*c, per_month);
                            BandPoint {
                                x: i as f64 + 1.0,
                                lo,
                                mid: *c,
                                hi,
                            }
                        })
                        .collect(),
                }],
                reference: Some(Reference {
                    label: "80%: calibrated".into(),
                    value: 0.8,
                }),
                y_from_zero: true,
            },
        ),
    ]
}

pub(crate) fn backtest_section(b: &Backtest, figs: Vec<Figure>) -> Section {
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
