//! From results to charts: which charts each result draws, with titles that
//! say what is shown and for which scenario, axis labels with units, and the
//! standard "how to read it" captions. The chart library
//! ([`super::charts`]) knows nothing of the engine; this is the only bridge.

use super::charts::{
    captions, BandPoint, BandSeries, BarSeries, ChartFile, FanChart, Histogram, HitCdf, HitSeries,
    LineBand, Mark, Reference, StackedBars, Tornado, TornadoBar, Unit,
};
use crate::backtest::Backtest;
use crate::planning::alerts::AlertRow;
use crate::planning::compare::Comparison;
use crate::planning::forecast::{Forecast, ForecastGroup, MonthRow};
use crate::planning::sensitivity::Sensitivity;
use crate::planning::sweep::Sweep;
use crate::statistics::histogram::ChartHistogram;
use crate::statistics::summary::{Distribution, HitStats, Summary};

fn subtitle(s: &Summary) -> String {
    format!(
        "Scenario: {}, {} trials, seed {}",
        s.scenario,
        crate::numbers::thousands(f64::from(s.trials)),
        s.seed
    )
}

fn pct_marks(d: &Distribution) -> Vec<Mark> {
    [("P50", d.p50), ("P90", d.p90), ("P99", d.p99)]
        .into_iter()
        .map(|(l, v)| Mark {
            label: l.to_string(),
            value: v,
        })
        .collect()
}

/// A histogram without its leading empty bins: a bill that is never below
/// $5,000 should not be drawn from $0. A $0 bin with counts stays.
fn trimmed(h: &ChartHistogram) -> (Vec<f64>, Vec<u64>) {
    let first = h.counts.iter().position(|&c| c > 0).unwrap_or(0);
    let edges = h
        .bin_edges
        .get(first..)
        .map_or_else(Vec::new, <[f64]>::to_vec);
    (edges, h.counts[first.min(h.counts.len())..].to_vec())
}

/// Bars centred on their values when each bin holds exactly one value:
/// overage comes in whole blocks, so a bin one block price wide holds one
/// amount, and a bar from $10 to $20 would say "somewhere in $10-$20" of a
/// bill that is exactly $10. `unit` is that one-value width (the block
/// price), if known.
fn centred_if_discrete(edges: Vec<f64>, unit: Option<f64>) -> Vec<f64> {
    let width = match edges.as_slice() {
        [a, b, ..] => b - a,
        _ => return edges,
    };
    match unit {
        Some(u) if u > 0.0 && (width - u).abs() <= 1e-9 * u => {
            edges.into_iter().map(|e| e - u / 2.0).collect()
        }
        _ => edges,
    }
}

const PRICE_NOTE: &str =
    "Overage priced at the scenario's block price: an assumption, not published by Postman.";

/// The burn-up's box: when team-months hit the limit, in the convention of
/// the summary and the tables (hit-time percentiles among those that hit:
/// P10 is the early tenth), with the share that hit at all.
fn hit_lines(h: &HitStats) -> Vec<String> {
    let share = crate::numbers::percent(h.probability.value);
    let mut lines = vec![format!("Hit the limit: {share} of team-months")];
    if let (Some(p10), Some(p50), Some(p90)) = (h.day_p10, h.day_p50, h.day_p90) {
        let label = crate::statistics::collector::day_label;
        lines.push("When, among those that hit:".to_string());
        lines.push(format!("P10 {} (the first tenth)", label(p10)));
        lines.push(format!("P50 {} (half)", label(p50)));
        lines.push(format!("P90 {} (nine in ten)", label(p90)));
    }
    lines
}

/// The charts of a `run`: burn-up per kind, when limits are hit, overage
/// per kind and for the population, credits by source.
pub fn run_charts(s: &Summary) -> Vec<ChartFile> {
    let sub = subtitle(s);
    let mut out = Vec::new();
    // Over several cycles the bands pool every cycle's days: say so.
    let (through, pooled) = match s.calendar.months {
        1 => ("the month".to_string(), String::new()),
        n => (
            "a billing cycle".to_string(),
            format!(", all {n} cycles pooled"),
        ),
    };
    for k in &s.kinds {
        let d = &k.stats.daily;
        out.push(ChartFile::new(
            format!("burn-up-{}", k.name),
            captions::burn_up(&k.name),
            FanChart {
                title: format!("Credits used through {through}: {}", k.name),
                subtitle: format!(
                    "{sub}; plan {} ({} credits){pooled}",
                    k.plan.plan, k.plan.credits
                ),
                x_label: if s.calendar.months == 1 {
                    "day of the billing month".into()
                } else {
                    "day of the billing cycle".into()
                },
                y_label: "credits used per team (cumulative)".into(),
                x_unit: Unit::Days,
                y_unit: Unit::Credits,
                x: d.day.iter().map(|&v| f64::from(v)).collect(),
                p10: d.p10.clone(),
                p25: d.p25.clone(),
                p50: d.p50.clone(),
                p75: d.p75.clone(),
                p90: d.p90.clone(),
                reference: Some(Reference {
                    label: format!("allotment ({} credits)", k.plan.credits),
                    value: k.plan.credits as f64,
                }),
                box_lines: hit_lines(&k.stats.hit),
                ..Default::default()
            },
        ));
    }
    out.push(ChartFile::new(
        "limit-hit",
        captions::limit_hit(),
        HitCdf {
            title: "When teams hit the monthly credit limit".into(),
            subtitle: sub.clone(),
            x_label: "day of the billing month".into(),
            y_label: "share of team-months that have hit the limit".into(),
            series: s
                .kinds
                .iter()
                .map(|k| HitSeries {
                    label: k.name.clone(),
                    points: k
                        .stats
                        .hit
                        .by_day
                        .iter()
                        .enumerate()
                        .map(|(i, &v)| (i as f64 + 1.0, v))
                        .collect(),
                    never_hit: k.stats.hit.never_hit_share,
                })
                .collect(),
            ..Default::default()
        },
    ));
    for k in s
        .kinds
        .iter()
        .filter(|k| k.plan.overage_price_usd.is_some())
    {
        let st = &k.stats;
        let (bin_edges, counts) = trimmed(&st.overage_cost_histogram);
        let bin_edges = centred_if_discrete(bin_edges, k.plan.overage_price_usd);
        out.push(ChartFile::new(
            format!("overage-{}", k.name),
            captions::overage(&k.name),
            Histogram {
                title: format!("Overage billed per team-month: {}", k.name),
                subtitle: sub.clone(),
                note: PRICE_NOTE.into(),
                x_label: "overage billed per team-month (USD)".into(),
                y_label: "team-months".into(),
                x_unit: Unit::Dollars,
                bar_label: "team-months".into(),
                bin_edges,
                counts,
                marks: pct_marks(&st.overage_cost_usd),
            },
        ));
    }
    let t = &s.total_overage;
    let (bin_edges, counts) = trimmed(&t.histogram);
    // The population's bill is a whole number of blocks too when every
    // kind pays the same block price.
    let prices: Vec<f64> = s
        .kinds
        .iter()
        .filter_map(|k| k.plan.overage_price_usd)
        .collect();
    let common = prices
        .first()
        .copied()
        .filter(|p| prices.iter().all(|q| q == p));
    let bin_edges = centred_if_discrete(bin_edges, common);
    out.push(ChartFile::new(
        "overage-total",
        captions::overage_total(),
        Histogram {
            title: format!(
                "The population's total overage bill {}",
                crate::numbers::per_horizon(s.calendar.months, s.calendar.cycle_days)
            ),
            subtitle: sub.clone(),
            note: PRICE_NOTE.into(),
            x_label: "total overage billed, all teams (USD)".into(),
            y_label: "trials".into(),
            x_unit: Unit::Dollars,
            bar_label: "trials".into(),
            bin_edges,
            counts,
            marks: pct_marks(&t.per_trial_usd),
        },
    ));
    let categories: Vec<String> = s.kinds.iter().map(|k| k.name.clone()).collect();
    let sources = s
        .kinds
        .first()
        .map(|k| k.stats.credits_by_source.clone())
        .unwrap_or_default();
    let series: Vec<BarSeries> = sources
        .iter()
        .enumerate()
        .map(|(i, src)| BarSeries {
            label: src.label.clone(),
            values: s
                .kinds
                .iter()
                .map(|k| {
                    k.stats
                        .credits_by_source
                        .get(i)
                        .map_or(0.0, |m| m.mean_credits)
                })
                .collect(),
        })
        .collect();
    for (name, caption, as_share) in [
        ("credits-by-source", captions::credits_by_source(), false),
        (
            "credits-by-source-share",
            captions::credits_by_source_share(),
            true,
        ),
    ] {
        out.push(ChartFile::new(
            name,
            caption,
            StackedBars {
                title: if as_share {
                    "Where the credits go, as shares of each kind's total".into()
                } else {
                    "Where the credits go: mean credits per team-month, each kind to its own scale"
                        .into()
                },
                subtitle: sub.clone(),
                y_label: if as_share {
                    "share of credits used".into()
                } else {
                    "credits per team-month".into()
                },
                y_unit: if as_share { Unit::Share } else { Unit::Credits },
                categories: categories.clone(),
                series: series.clone(),
                as_share,
                own_scales: !as_share,
                ..Default::default()
            },
        ));
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

/// One chart per kind: each plan's monthly cost per team, seats and
/// expected overage stacked.
pub fn compare_charts(c: &Comparison) -> Vec<ChartFile> {
    let mut kinds: Vec<&str> = Vec::new();
    for r in &c.rows {
        if !kinds.contains(&r.kind.as_str()) {
            kinds.push(&r.kind);
        }
    }
    kinds
        .into_iter()
        .map(|kind| {
            let rows: Vec<_> = c.rows.iter().filter(|r| r.kind == kind).collect();
            ChartFile::new(
                format!("compare-{kind}"),
                format!(
                    "Expected monthly cost per {kind} team on each plan: seats plus expected overage; the table gives P90 and how often each plan suspends the team."
                ),
                StackedBars {
                    title: format!("Monthly cost per team by plan: {kind}"),
                    subtitle: format!("Scenario: {}, {} trials, seed {}, same random numbers for every plan", c.scenario, c.trials, c.seed),
                    note: PRICE_NOTE.into(),
                    y_label: "USD per team per month".into(),
                    y_unit: Unit::Dollars,
                    // The suspension share sits in the label: a $0 bar is not free if the team is suspended.
                    categories: rows
                        .iter()
                        .map(|r| format!("{} ({} suspended)", r.plan, crate::numbers::percent(r.suspended_share.value)))
                        .collect(),
                    series: vec![
                        BarSeries {
                            label: "seats".into(),
                            values: rows.iter().map(|r| r.seat_cost_usd).collect(),
                        },
                        BarSeries {
                            label: "expected overage".into(),
                            values: rows.iter().map(|r| r.overage_usd.mean).collect(),
                        },
                    ],
                    as_share: false,
                    // Plans side by side on one scale: their costs compare.
                    own_scales: false,
                },
            )
        })
        .collect()
}

/// The sweep's chart: the population's total overage per simulated horizon (mean with
/// its 95% CI) against the first axis, one line per combination of the
/// other axes. Non-numeric values are placed at 1, 2, 3...
pub fn sweep_charts(s: &Sweep) -> Vec<ChartFile> {
    let Some(first) = s.axes.first() else {
        return Vec::new();
    };
    let numeric: Option<Vec<f64>> = first.values.iter().map(|v| v.parse::<f64>().ok()).collect();
    let x_of = |v: &str| -> f64 {
        match &numeric {
            Some(_) => v.parse().unwrap_or(f64::NAN),
            None => first
                .values
                .iter()
                .position(|x| x == v)
                .map_or(f64::NAN, |i| i as f64 + 1.0),
        }
    };
    let mut series: Vec<BandSeries> = Vec::new();
    for p in &s.points {
        let label = super::planning::settings_label(&p.settings[1..]);
        let label = if label.is_empty() {
            "population".to_string()
        } else {
            label
        };
        let point = BandPoint {
            x: x_of(&p.settings[0].1),
            lo: p.total_overage_usd.ci_low,
            mid: p.total_overage_usd.mean,
            hi: p.total_overage_usd.ci_high,
        };
        match series.iter_mut().find(|b| b.label == label) {
            Some(b) => b.points.push(point),
            None => series.push(BandSeries {
                label,
                points: vec![point],
            }),
        }
    }
    let short = first
        .key
        .rsplit('.')
        .next()
        .unwrap_or(&first.key)
        .to_string();
    let x_label = match &numeric {
        Some(_) => first.key.clone(),
        None => format!("{} ({})", first.key, first.values.join(", ")),
    };
    vec![ChartFile::new(
        "sweep",
        captions::sweep("population's total overage bill", &short),
        LineBand {
            title: format!("Total overage bill as {short} changes"),
            subtitle: format!(
                "Scenario: {}, {} trials per setting, seed {}",
                s.scenario, s.trials, s.seed
            ),
            note: PRICE_NOTE.into(),
            x_label,
            y_label: format!("total overage {}, mean (USD)", s.horizon),
            x_unit: Unit::Plain,
            y_unit: Unit::Dollars,
            band_label: "95% confidence interval".into(),
            series,
            reference: None,
            y_from_zero: true,
        },
    )]
}

/// The tornado chart of a sensitivity analysis.
pub fn sensitivity_charts(s: &Sensitivity) -> Vec<ChartFile> {
    vec![ChartFile::new(
        "tornado",
        captions::tornado("population's total overage bill"),
        Tornado {
            title: "What moves the population's overage bill".into(),
            subtitle: format!(
                "Scenario: {}, {} trials per run, seed {}",
                s.scenario, s.trials, s.seed
            ),
            note: PRICE_NOTE.into(),
            x_label: "total overage of all teams, mean (USD)".into(),
            x_unit: Unit::Dollars,
            baseline: s.baseline.value,
            low_label: "input at its low setting".into(),
            high_label: "input at its high setting".into(),
            bars: s
                .swings
                .iter()
                .map(|w| TornadoBar {
                    // The setting's path, so "mean (2 to 4)" says of what:
                    // "support › support-agent › agent.calls.mean (2 to 4)".
                    label: format!("{} ({} to {})", setting_path(&w.key), w.low, w.high),
                    low: w.output_at_low.value,
                    high: w.output_at_high.value,
                })
                .collect(),
        },
    )]
}

/// A scenario key as a reader's path: the kind and the flow named, the
/// structural words (`kinds`, `flows`) dropped, the field kept whole:
/// `kinds.support.flows.support-agent.agent.calls.mean` ->
/// `support › support-agent › agent.calls.mean`; `usage_multiplier` stays.
fn setting_path(key: &str) -> String {
    let parts: Vec<&str> = key.split('.').collect();
    let mut named = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        match parts[i] {
            "kinds" | "flows" if i + 1 < parts.len() => {
                named.push(parts[i + 1].to_string());
                i += 2;
            }
            _ => {
                named.push(parts[i..].join("."));
                break;
            }
        }
    }
    named.join(" \u{203a} ")
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_named_by_their_path() {
        assert_eq!(
            setting_path("kinds.support.flows.support-agent.agent.calls.mean"),
            "support \u{203a} support-agent \u{203a} agent.calls.mean"
        );
        assert_eq!(setting_path("kinds.ops.teams"), "ops \u{203a} teams");
        assert_eq!(setting_path("usage_multiplier"), "usage_multiplier");
        assert_eq!(
            setting_path("kinds.ops.overage.after_suspension.median"),
            "ops \u{203a} overage.after_suspension.median"
        );
    }

    #[test]
    fn one_value_bins_are_centred_on_their_value() {
        // Every team-month billed $10 (one $10 block): one bar around $10.
        assert_eq!(
            centred_if_discrete(vec![10.0, 20.0], Some(10.0)),
            vec![5.0, 15.0]
        );
        // $0 and $10 bills: bars around $0 and $10.
        assert_eq!(
            centred_if_discrete(vec![0.0, 10.0, 20.0], Some(10.0)),
            vec![-5.0, 5.0, 15.0]
        );
        // Bins two blocks wide hold two amounts: left as ranges.
        assert_eq!(
            centred_if_discrete(vec![0.0, 20.0, 40.0], Some(10.0)),
            vec![0.0, 20.0, 40.0]
        );
        // Kinds with different block prices: no common unit.
        assert_eq!(centred_if_discrete(vec![0.0, 10.0], None), vec![0.0, 10.0]);
    }
}
