//! Renders every chart kind and a one-file report from made-up but
//! plausible data, into the folder given on the command line:
//!
//! ```text
//! cargo run --release --example demo_report -- /tmp/flowcast-demo
//! ```
//!
//! writes `charts/*.png`, `charts/*.svg` and `report.html` there and prints
//! how long rendering the charts took. The data come from a small
//! self-contained simulation (three team kinds, Poisson daily credits), not
//! from flowcast's engine: this shows and tests the charts and the report
//! on their own. `tests/all/report_browser.rs` builds the same report and
//! screenshots it in a headless browser.

use std::error::Error;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use flowcast::reports::charts::format::{self, dollars, percent, thousands};
use flowcast::reports::charts::{
    captions, write_all, BandPoint, BandSeries, BarSeries, ChartFile, FanChart, Histogram, HitCdf,
    HitSeries, LineBand, Mark, Reference, StackedBars, Tornado, TornadoBar, Unit,
};
use flowcast::reports::html::{self, Report, Section, Table};
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal, Poisson};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The demo scenario's name, as a user would have written it.
pub const SCENARIO: &str = "acme-platform";
/// The demo's seed.
pub const SEED: u64 = 20_261_123;
/// Simulated team-months per team kind.
pub const TEAM_MONTHS: usize = 4000;
/// Days in the billing month.
pub const DAYS: usize = 30;
/// The overage block price the demo assumes (the source publishes none).
pub const BLOCK_PRICE: f64 = 25.0;
/// Credits per overage block (data/pricebook.toml).
pub const BLOCK_CREDITS: f64 = 1000.0;

/// A made-up team kind: its plan and its usage.
struct Kind {
    name: &'static str,
    plan: &'static str,
    allotment: f64,
    seat_price: f64,
    /// Teams of this kind in the population.
    teams: usize,
    /// Median credits per day of a team (teams vary lognormally around it).
    median_daily: f64,
    /// Share of its credits per source, in `SOURCES` order.
    mix: [f64; 9],
}

/// Credit sources, in the order the stacked chart shows them.
const SOURCES: [&str; 9] = [
    "deployed-run base charge",
    "HTTP Request",
    "logic blocks",
    "AI Request",
    "Connector",
    "Create with AI",
    "images",
    "agent model calls",
    "MCP tools",
];

fn kinds() -> Vec<Kind> {
    vec![
        Kind {
            name: "solo makers",
            plan: "solo",
            allotment: 50.0,
            seat_price: 9.0,
            teams: 24,
            median_daily: 1.4,
            mix: [0.34, 0.30, 0.20, 0.06, 0.04, 0.04, 0.02, 0.0, 0.0],
        },
        Kind {
            name: "API integrators",
            plan: "team",
            allotment: 100.0,
            seat_price: 19.0,
            teams: 10,
            median_daily: 30.0,
            mix: [0.22, 0.36, 0.24, 0.04, 0.12, 0.0, 0.0, 0.02, 0.0],
        },
        Kind {
            name: "AI agent builders",
            plan: "enterprise",
            allotment: 500.0,
            seat_price: 49.0,
            teams: 4,
            median_daily: 70.0,
            mix: [0.06, 0.08, 0.05, 0.10, 0.04, 0.09, 0.05, 0.38, 0.15],
        },
    ]
}

/// One simulated team-month: cumulative credits at the end of each day.
fn simulate(kind: &Kind, rng: &mut Xoshiro256PlusPlus) -> Result<Vec<f64>, Box<dyn Error>> {
    let spread = LogNormal::new(kind.median_daily.ln(), 0.7)?;
    let rate: f64 = spread.sample(rng);
    let daily = Poisson::new(rate.max(1e-6))?;
    let mut total = 0.0;
    Ok((0..DAYS)
        .map(|_| {
            total += daily.sample(rng);
            total
        })
        .collect())
}

/// Nearest-rank percentile of sorted values.
fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Overage dollars for a month's credits: whole blocks beyond the allotment.
fn overage_cost(credits: f64, allotment: f64) -> f64 {
    if credits <= allotment {
        0.0
    } else {
        ((credits - allotment) / BLOCK_CREDITS).ceil() * BLOCK_PRICE
    }
}

/// Wilson score interval (95%) for a proportion.
fn wilson(hits: usize, n: usize) -> (f64, f64) {
    let (k, n) = (hits as f64, n as f64);
    let z = 1.959_963_984_540_054_f64;
    let p = k / n;
    let denom = 1.0 + z * z / n;
    let centre = (p + z * z / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z * z / (4.0 * n * n)).sqrt() / denom;
    (centre - half, centre + half)
}

/// Counts of `values` in bins `width` wide, aligned to multiples of it
/// (costs come in whole blocks, so bins must hold whole numbers of them).
fn histogram(values: &[f64], width: f64) -> (Vec<f64>, Vec<u64>) {
    let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo = (lo / width).floor() * width;
    let bins = (((hi - lo) / width).floor() as usize + 1).max(1);
    let edges = (0..=bins).map(|i| lo + width * i as f64).collect();
    let mut counts = vec![0u64; bins];
    for &v in values {
        let i = (((v - lo) / width) as usize).min(bins - 1);
        counts[i] += 1;
    }
    (edges, counts)
}

/// `s` with its first letter upper-cased.
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// What `build` produced.
pub struct Built {
    /// The report file.
    pub report: PathBuf,
    /// Every chart file written (PNG and SVG).
    pub chart_files: Vec<PathBuf>,
    /// Seconds spent rendering and writing all charts.
    pub render_seconds: f64,
    /// How many charts.
    pub charts: usize,
}

/// Simulates the demo scenario and writes charts and report into `out`.
pub fn build(out: &Path) -> Result<Built, Box<dyn Error>> {
    let kinds = kinds();
    let subtitle = format!("Scenario \u{201c}{SCENARIO}\u{201d} \u{b7} seed {SEED} \u{b7} {} team-months per kind (demo data)", thousands(TEAM_MONTHS as f64));
    let price_assumption = format!(
        "an overage block of {} credits costs {} (the source does not publish the price).",
        thousands(BLOCK_CREDITS),
        dollars(BLOCK_PRICE)
    );
    let price_note = format!("Assumption: {price_assumption}");
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(SEED);
    let mut charts: Vec<ChartFile> = Vec::new();
    let mut hit_series = Vec::new();
    let mut headline_rows = Vec::new();
    let mut mean_credits = Vec::new();
    let mut all_costs_by_kind = Vec::new();

    for kind in &kinds {
        let months: Vec<Vec<f64>> = (0..TEAM_MONTHS)
            .map(|_| simulate(kind, &mut rng))
            .collect::<Result<_, _>>()?;
        // Burn-up percentiles by day.
        let mut bands: Vec<Vec<f64>> = (0..5).map(|_| Vec::with_capacity(DAYS)).collect();
        for d in 0..DAYS {
            let mut day: Vec<f64> = months.iter().map(|m| m[d]).collect();
            day.sort_by(f64::total_cmp);
            for (b, p) in bands.iter_mut().zip([10.0, 25.0, 50.0, 75.0, 90.0]) {
                b.push(pct(&day, p));
            }
        }
        let [p10, p25, p50, p75, p90]: [Vec<f64>; 5] =
            bands.try_into().map_err(|_| "five bands")?;
        charts.push(ChartFile::new(
            format!("burn-up-{}", kind.name),
            captions::burn_up(kind.name),
            FanChart {
                title: format!("Credits used through the month: {}", kind.name),
                subtitle: subtitle.clone(),
                x_label: "day of the billing month".into(),
                y_label: "credits used so far".into(),
                x_unit: Unit::Days,
                y_unit: Unit::Credits,
                x: (1..=DAYS).map(|d| d as f64).collect(),
                p10,
                p25,
                p50,
                p75,
                p90,
                reference: Some(Reference {
                    label: format!("{} plan allotment ({} credits)", kind.plan, kind.allotment),
                    value: kind.allotment,
                }),
                ..Default::default()
            },
        ));

        // When teams hit the limit.
        let hit_day: Vec<Option<usize>> = months
            .iter()
            .map(|m| m.iter().position(|&c| c >= kind.allotment).map(|d| d + 1))
            .collect();
        let hits = hit_day.iter().filter(|d| d.is_some()).count();
        let points = (1..=DAYS)
            .map(|d| {
                let by = hit_day.iter().filter(|h| h.is_some_and(|x| x <= d)).count();
                (d as f64, by as f64 / TEAM_MONTHS as f64)
            })
            .collect();
        let never = 1.0 - hits as f64 / TEAM_MONTHS as f64;
        hit_series.push(HitSeries {
            label: kind.name.into(),
            points,
            never_hit: never,
        });
        let mut hit_days: Vec<f64> = hit_day.iter().flatten().map(|&d| d as f64).collect();
        hit_days.sort_by(f64::total_cmp);

        // Overage cost.
        let mut costs: Vec<f64> = months
            .iter()
            .map(|m| overage_cost(m[DAYS - 1], kind.allotment))
            .collect();
        costs.sort_by(f64::total_cmp);
        let paying: Vec<f64> = costs.iter().copied().filter(|&c| c > 0.0).collect();
        let zero_share = 1.0 - paying.len() as f64 / TEAM_MONTHS as f64;
        let marks = [50.0, 90.0, 99.0]
            .iter()
            .map(|&p| Mark {
                label: format!("P{p}"),
                value: pct(&costs, p),
            })
            .collect::<Vec<_>>();
        // Bins one block price wide, centred on the possible costs.
        let max_blocks =
            (paying.last().copied().unwrap_or(BLOCK_PRICE) / BLOCK_PRICE).round() as usize;
        let edges: Vec<f64> = (0..=max_blocks)
            .map(|b| (b as f64 + 0.5) * BLOCK_PRICE)
            .collect();
        let mut counts = vec![0u64; max_blocks];
        for &c in &paying {
            let b = ((c / BLOCK_PRICE).round() as usize).clamp(1, max_blocks);
            counts[b - 1] += 1;
        }
        charts.push(ChartFile::new(
            format!("overage-{}", kind.name),
            captions::overage(kind.name),
            Histogram {
                title: format!("Overage cost per team-month: {}", kind.name),
                subtitle: subtitle.clone(),
                note: format!(
                    "{} of team-months paid no overage (not drawn). {price_note}",
                    percent(zero_share)
                ),
                x_label: "overage cost in the month (USD)".into(),
                y_label: "team-months".into(),
                x_unit: Unit::Dollars,
                bar_label: "team-months paying this much".into(),
                bin_edges: edges,
                counts,
                marks,
            },
        ));

        let total: f64 = months.iter().map(|m| m[DAYS - 1]).sum::<f64>() / TEAM_MONTHS as f64;
        mean_credits.push(total);
        let (lo, hi) = wilson(hits, TEAM_MONTHS);
        headline_rows.push(vec![
            kind.name.to_string(),
            format::with_interval(hits as f64 / TEAM_MONTHS as f64, lo, hi, "95% CI", percent),
            if hit_days.is_empty() {
                "n/a".into()
            } else {
                format::day(pct(&hit_days, 50.0))
            },
            format::compact(total),
            dollars(pct(&costs, 50.0)),
            dollars(pct(&costs, 90.0)),
            dollars(pct(&costs, 99.0)),
        ]);
        all_costs_by_kind.push((kind.teams, costs));
    }

    charts.push(ChartFile::new(
        "limit-hit-by-day",
        captions::limit_hit(),
        HitCdf {
            title: "When teams hit the monthly credit limit".into(),
            subtitle: subtitle.clone(),
            x_label: "day of the billing month".into(),
            y_label: "teams that have hit the limit".into(),
            series: hit_series,
            ..Default::default()
        },
    ));

    // The population's total overage per month: one draw per team from its
    // kind's simulated months, summed, many times.
    let mut totals: Vec<f64> = (0..TEAM_MONTHS)
        .map(|_| {
            all_costs_by_kind
                .iter()
                .map(|(teams, costs)| {
                    (0..*teams)
                        .map(|_| costs[rng.random_range(0..costs.len())])
                        .sum::<f64>()
                })
                .sum()
        })
        .collect();
    totals.sort_by(f64::total_cmp);
    let (edges, counts) = histogram(&totals, 2.0 * BLOCK_PRICE);
    charts.push(ChartFile::new(
        "overage-population-total",
        captions::overage_total(),
        Histogram {
            title: "Total monthly overage bill, all teams".into(),
            subtitle: subtitle.clone(),
            note: format!(
                "{} teams: {}. {price_note}",
                kinds.iter().map(|k| k.teams).sum::<usize>(),
                kinds
                    .iter()
                    .map(|k| format!("{} {}", k.teams, k.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            x_label: "overage bill for the month (USD)".into(),
            y_label: "simulated months".into(),
            x_unit: Unit::Dollars,
            bar_label: "simulated months".into(),
            bin_edges: edges,
            counts,
            marks: [50.0, 90.0, 99.0]
                .iter()
                .map(|&p| Mark {
                    label: format!("P{p}"),
                    value: pct(&totals, p),
                })
                .collect(),
        },
    ));

    let stacked = |as_share: bool| StackedBars {
        title: if as_share {
            "Where the credits go: share by source".into()
        } else {
            "Where the credits go: credits by source".into()
        },
        subtitle: subtitle.clone(),
        y_label: if as_share {
            "share of the kind's credits".into()
        } else {
            "credits per team per month (mean)".into()
        },
        y_unit: Unit::Credits,
        categories: kinds.iter().map(|k| k.name.to_string()).collect(),
        series: SOURCES
            .iter()
            .enumerate()
            .map(|(s, label)| BarSeries {
                label: label.to_string(),
                values: kinds
                    .iter()
                    .zip(&mean_credits)
                    .map(|(k, m)| k.mix[s] * m)
                    .collect(),
            })
            .collect(),
        as_share,
        ..Default::default()
    };
    charts.push(ChartFile::new(
        "credits-by-source",
        captions::credits_by_source(),
        stacked(false),
    ));
    charts.push(ChartFile::new(
        "credits-by-source-share",
        captions::credits_by_source_share(),
        stacked(true),
    ));

    // Forecast by month: the population bill growing 6% a month.
    let months: Vec<f64> = (1..=12).map(f64::from).collect();
    let grow = |p: f64| -> Vec<f64> {
        months
            .iter()
            .map(|m| pct(&totals, p) * 1.06f64.powf(m - 1.0))
            .collect()
    };
    charts.push(ChartFile::new(
        "forecast-by-month",
        captions::forecast_by_month("overage bill"),
        FanChart {
            title: "Monthly overage bill, next 12 months".into(),
            subtitle: subtitle.clone(),
            note: format!("Assumption: usage grows 6% a month. {price_note}"),
            x_label: "forecast month".into(),
            y_label: "overage bill for the month (USD)".into(),
            x_unit: Unit::Months,
            y_unit: Unit::Dollars,
            x: months.clone(),
            p10: grow(10.0),
            p25: grow(25.0),
            p50: grow(50.0),
            p75: grow(75.0),
            p90: grow(90.0),
            reference: None,
        },
    ));

    let base = pct(&totals, 50.0) * 12.0;
    charts.push(ChartFile::new(
        "tornado-yearly-overage",
        captions::tornado("yearly overage bill"),
        Tornado {
            title: "What moves the yearly overage bill".into(),
            subtitle: subtitle.clone(),
            note: price_note.clone(),
            x_label: "median overage bill per year (USD)".into(),
            x_unit: Unit::Dollars,
            baseline: base,
            low_label: "input at its low setting".into(),
            high_label: "input at its high setting".into(),
            bars: vec![
                TornadoBar {
                    label: "overage block price ($10 to $40)".into(),
                    low: base * 0.4,
                    high: base * 1.6,
                },
                TornadoBar {
                    label: "AI agent calls per run (2 to 6)".into(),
                    low: base * 0.72,
                    high: base * 1.41,
                },
                TornadoBar {
                    label: "runs per day (-30% to +30%)".into(),
                    low: base * 0.66,
                    high: base * 1.35,
                },
                TornadoBar {
                    label: "AI agent builder teams (2 to 6)".into(),
                    low: base * 0.81,
                    high: base * 1.19,
                },
                TornadoBar {
                    label: "enterprise allotment (500 to 1,000 credits)".into(),
                    low: base * 1.0,
                    high: base * 0.93,
                },
                TornadoBar {
                    label: "connector share of blocks (5% to 15%)".into(),
                    low: base * 0.97,
                    high: base * 1.04,
                },
            ],
        },
    ));

    let sweep: Vec<f64> = (1..=10).map(|i| f64::from(i) * 5.0).collect();
    let line = |label: &str, scale: f64| BandSeries {
        label: label.into(),
        points: sweep
            .iter()
            .map(|&price| {
                let mid = scale * price / BLOCK_PRICE;
                BandPoint {
                    x: price,
                    lo: mid * 0.93,
                    mid,
                    hi: mid * 1.07,
                }
            })
            .collect(),
    };
    let ai_share = all_costs_by_kind[2].0 as f64 * all_costs_by_kind[2].1.iter().sum::<f64>()
        / TEAM_MONTHS as f64;
    charts.push(ChartFile::new(
        "sweep-block-price",
        captions::sweep("mean monthly overage bill", "block price"),
        LineBand {
            title: "Monthly overage bill against the block price".into(),
            subtitle: subtitle.clone(),
            note: "The block price is swept because the source does not publish it.".into(),
            x_label: "price of an overage block of 1,000 credits (USD)".into(),
            y_label: "mean overage bill per month (USD)".into(),
            x_unit: Unit::Dollars,
            y_unit: Unit::Dollars,
            band_label: "95% confidence interval".into(),
            series: vec![
                line(
                    "all teams",
                    totals.iter().sum::<f64>() / totals.len() as f64,
                ),
                line("AI agent builders", ai_share),
            ],
            reference: Some(Reference {
                label: "budget ($1,000 a month)".into(),
                value: 1000.0,
            }),
            y_from_zero: true,
        },
    ));

    // Render and write every chart, timed.
    let chart_dir = out.join("charts");
    let started = Instant::now();
    let figures = write_all(&chart_dir, &charts)?;
    let render_seconds = started.elapsed().as_secs_f64();

    let find = |prefix: &str| {
        figures
            .iter()
            .filter(|f| f.name.starts_with(prefix))
            .cloned()
            .collect::<Vec<_>>()
    };
    let report = Report {
        title: format!("flowcast forecast: {SCENARIO}"),
        subtitle: "Postman Flows credits, limits and overage for a simulated population of teams (demo data).".into(),
        meta: vec![
            ("Scenario".into(), SCENARIO.into()),
            ("Seed".into(), SEED.to_string()),
            ("Trials".into(), format!("{} team-months per kind", thousands(TEAM_MONTHS as f64))),
            ("Billing month".into(), format!("{DAYS} days")),
            ("flowcast".into(), env!("CARGO_PKG_VERSION").into()),
        ],
        notices: vec![],
        assumptions: vec![
            capitalise(&price_assumption),
            "Usage grows 6% a month in the 12-month forecast.".into(),
        ],
        sections: vec![
            Section {
                heading: "Plans and teams".into(),
                intro: "The plans the team kinds are on, from the price book, and how many teams of each kind the population holds.".into(),
                tables: vec![Table {
                    caption: "Plans".into(),
                    headers: ["team kind", "plan", "credits per month", "overage", "seat price (USD/user/month)", "teams"]
                        .map(String::from)
                        .to_vec(),
                    rows: kinds
                        .iter()
                        .map(|k| {
                            vec![
                                k.name.to_string(),
                                k.plan.to_string(),
                                thousands(k.allotment),
                                "on".into(),
                                dollars(k.seat_price),
                                k.teams.to_string(),
                            ]
                        })
                        .collect(),
                    note: "Seat prices: list prices, billed annually.".into(),
                }],
                ..Default::default()
            },
            Section {
                heading: "Headline numbers".into(),
                intro: "Per team kind, per team-month. Intervals are 95% confidence intervals of the simulation's estimate.".into(),
                tables: vec![Table {
                    caption: "Limits and overage per team kind".into(),
                    headers: ["team kind", "hits the limit", "median day of hitting it", "mean credits", "overage P50", "overage P90", "overage P99"]
                        .map(String::from)
                        .to_vec(),
                    rows: headline_rows,
                    note: price_note.clone(),
                }],
                ..Default::default()
            },
            Section {
                heading: "Burn-up through the month".into(),
                intro: "Credits used by each day of the billing month, one chart per team kind.".into(),
                figures: find("burn-up-"),
                ..Default::default()
            },
            Section {
                heading: "When teams hit the limit".into(),
                figures: find("limit-hit"),
                ..Default::default()
            },
            Section {
                heading: "Overage cost".into(),
                assumptions: vec![capitalise(&price_assumption)],
                figures: find("overage-"),
                ..Default::default()
            },
            Section {
                heading: "Where the credits go".into(),
                figures: find("credits-by-source"),
                ..Default::default()
            },
            Section {
                heading: "Forecast and sensitivity".into(),
                figures: [find("forecast-"), find("tornado-"), find("sweep-")].concat(),
                ..Default::default()
            },
        ],
        figure_dir: Some("charts".into()),
    };
    let report_path = out.join("report.html");
    html::write(&report_path, &report)?;
    let chart_files = figures
        .iter()
        .flat_map(|f| ["png", "svg"].map(|ext| chart_dir.join(format!("{}.{ext}", f.name))))
        .collect();
    Ok(Built {
        report: report_path,
        chart_files,
        render_seconds,
        charts: figures.len(),
    })
}

fn main() {
    let Some(out) = std::env::args_os().nth(1) else {
        eprintln!("usage: demo_report OUTPUT_FOLDER");
        std::process::exit(2);
    };
    match build(Path::new(&out)) {
        Ok(built) => {
            // Ignore a closed stdout (`| head`): the files are written.
            let mut out = std::io::stdout().lock();
            let _ = writeln!(
                out,
                "rendered {} charts (PNG + SVG) in {:.3} s",
                built.charts, built.render_seconds
            );
            let _ = writeln!(out, "report: {}", built.report.display());
        }
        Err(e) => {
            eprintln!("demo_report: {e}");
            std::process::exit(1);
        }
    }
}
