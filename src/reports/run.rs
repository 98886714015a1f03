//! A run's outputs: `teams.csv`, `daily.csv`, `total_overage.csv`, the
//! summary printed on standard output, its charts (burn-ups, limit hits,
//! overage histograms, credits by source) and its report sections.

use super::cells::*;
use super::charts::*;
use super::html::{Section, Table};
use crate::numbers::{dollars, dollars_cents, percent, thousands};
use crate::planning::alerts::AlertRow;
use crate::statistics::summary::{Distribution, GroupStats, HitStats, Summary};
use std::fmt::Write as _;

/// `teams.csv`: one row per team kind with the headline numbers.
pub fn teams_csv(s: &Summary) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "kind",
        "teams",
        "plan",
        "allotment_credits",
        "seats",
        "overage_policy",
        "overage_price_usd_assumption",
        "team_months",
        "hit_probability",
        "hit_probability_ci_low",
        "hit_probability_ci_high",
        "never_hit_share",
        "hit_day_p10",
        "hit_day_p50",
        "hit_day_p90",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    for name in [
        "credits_used",
        "overage_blocks",
        "overage_cost_usd",
        "runs_blocked",
        "credits_blocked",
        "days_suspended",
    ] {
        header.extend(dist_headers(name));
    }
    w.write_record(&header)?;
    let stats = |st: &GroupStats| {
        let mut row = vec![
            st.team_months.to_string(),
            num(st.hit.probability.value, 4),
            num(st.hit.probability.ci_low, 4),
            num(st.hit.probability.ci_high, 4),
            num(st.hit.never_hit_share, 4),
            opt(st.hit.day_p10, 3),
            opt(st.hit.day_p50, 3),
            opt(st.hit.day_p90, 3),
        ];
        row.extend(dist_cells(&st.credits_used, 1, 0));
        row.extend(dist_cells(&st.overage_blocks, 2, 0));
        row.extend(dist_cells(&st.overage_cost_usd, 2, 2));
        row.extend(dist_cells(&st.runs_blocked, 1, 0));
        row.extend(dist_cells(&st.credits_blocked, 1, 0));
        row.extend(dist_cells(&st.days_suspended, 3, 3));
        row
    };
    for k in &s.kinds {
        let mut row = vec![
            k.name.clone(),
            k.teams.to_string(),
            k.plan.plan.clone(),
            k.plan.credits.to_string(),
            k.plan.seats.to_string(),
            k.plan.overage_policy.clone(),
            opt(k.plan.overage_price_usd, 2),
        ];
        row.extend(stats(&k.stats));
        w.write_record(&row)?;
    }
    // Every team-month of every kind together, for the spreadsheet's total
    // line (plan columns empty: kinds differ).
    let teams: u64 = s.kinds.iter().map(|k| u64::from(k.teams)).sum();
    let mut row = vec![
        "(population)".to_string(),
        teams.to_string(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ];
    row.extend(stats(&s.population));
    w.write_record(&row)?;
    w.into_inner().map_err(|e| e.into_error().into())
}

/// `total_overage.csv`: the population's total overage bill, one value per
/// simulated horizon (the finance number), as one row: horizon, trials,
/// mean with its 95% CI, P50, P90, P99.
pub fn total_overage_csv(s: &Summary) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["horizon".to_string(), "trials".to_string()];
    header.extend(dist_headers("total_overage_usd"));
    w.write_record(&header)?;
    let mut row = vec![
        crate::numbers::per_horizon(s.calendar.months, s.calendar.cycle_days),
        s.total_overage.trials.to_string(),
    ];
    row.extend(dist_cells(&s.total_overage.per_trial_usd, 2, 2));
    w.write_record(&row)?;
    w.into_inner().map_err(|e| e.into_error().into())
}

/// `daily.csv`: per team kind and day of the cycle, the credits used by the
/// end of that day at P10, P25, P50, P75, P90 across team-months (whole
/// credits).
pub fn daily_csv(s: &Summary) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "kind",
        "day",
        "allotment_credits",
        "credits_p10",
        "credits_p25",
        "credits_p50",
        "credits_p75",
        "credits_p90",
    ])?;
    for k in &s.kinds {
        let d = &k.stats.daily;
        for i in 0..d.day.len() {
            w.write_record([
                k.name.clone(),
                d.day[i].to_string(),
                k.plan.credits.to_string(),
                num(d.p10[i], 0),
                num(d.p25[i], 0),
                num(d.p50[i], 0),
                num(d.p75[i], 0),
                num(d.p90[i], 0),
            ])?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

fn dist_line(d: &Distribution, f: fn(f64) -> String) -> String {
    format!(
        "mean {} [{}, {}]; P50 {}, P90 {}, P99 {}",
        f(d.mean),
        f(d.ci_low),
        f(d.ci_high),
        f(d.p50),
        f(d.p90),
        f(d.p99)
    )
}

fn group(out: &mut String, g: &GroupStats) {
    let h = &g.hit;
    let _ = write!(
        out,
        "  hit the limit    {} of team-months [{}, {}]",
        percent(h.probability.value),
        percent(h.probability.ci_low),
        percent(h.probability.ci_high)
    );
    match &h.when {
        [Some(a), Some(b), Some(c)] => {
            let _ = writeln!(out, "; when hit, P10 {a} / P50 {b} / P90 {c}");
        }
        _ => out.push('\n'),
    }
    let _ = writeln!(
        out,
        "  credits used     {}",
        dist_line(&g.credits_used, thousands)
    );
    let _ = writeln!(
        out,
        "  overage cost     {} per team-month",
        dist_line(&g.overage_cost_usd, dollars_cents)
    );
    if g.runs_blocked.mean > 0.0 || g.suspended_share.value > 0.0 {
        let _ = writeln!(
            out,
            "  while suspended  {} of team-months; mean {} runs / {} credits blocked, {:.2} days suspended",
            percent(g.suspended_share.value),
            thousands(g.runs_blocked.mean),
            thousands(g.credits_blocked.mean),
            g.days_suspended.mean
        );
    }
}

/// The text summary.
pub fn summary_text(s: &Summary) -> String {
    let mut out = String::new();
    let cycle = match s.calendar.cycle_days {
        Some(d) => format!("{d}-day cycle(s)"),
        None => "calendar month(s)".to_string(),
    };
    let _ = writeln!(
        out,
        "flowcast run: scenario '{}', {} trials, seed {}, {} {} from {}",
        s.scenario, s.trials, s.seed, s.calendar.months, cycle, s.calendar.start
    );
    for k in &s.kinds {
        let p = &k.plan;
        let overage = match p.overage_price_usd {
            Some(price) => format!(
                "overage {} at {} per {}-credit block (assumption)",
                p.overage_policy,
                dollars_cents(price),
                thousands(p.block_credits as f64)
            ),
            None => format!("overage {}", p.overage_policy),
        };
        let _ = writeln!(
            out,
            "\n{}: {}, plan {} ({} credits/month), {}",
            k.name,
            crate::numbers::count(u64::from(k.teams), "team"),
            p.plan,
            thousands(p.credits as f64),
            overage
        );
        group(&mut out, &k.stats);
    }
    let t = &s.total_overage;
    let _ = writeln!(
        out,
        "\nTotal overage billed {}, all teams: {}",
        crate::numbers::per_horizon(s.calendar.months, s.calendar.cycle_days),
        dist_line(&t.per_trial_usd, dollars_cents)
    );
    if let Some(sh) = &s.shared_shocks {
        let _ = writeln!(out, "  {}", shock_sentence(sh));
    }
    out
}

/// What the shared shocks do to the total, in one sentence.
pub(crate) fn shock_sentence(sh: &crate::statistics::summary::ShockShare) -> String {
    format!(
        "Shared shocks explain {} of its variance (standard deviation {} with them, {} without; mean without {}).",
        crate::numbers::percent(sh.variance_share),
        dollars_cents(sh.sd_with_usd),
        dollars_cents(sh.sd_without_usd),
        dollars_cents(sh.mean_without_usd)
    )
}

/// The burn-up's box: when team-months hit the limit, in the convention of
/// the summary and the tables (hit-time percentiles among those that hit:
/// P10 is the early tenth), with the share that hit at all.
fn hit_lines(h: &HitStats) -> Vec<String> {
    let share = crate::numbers::percent(h.probability.value);
    let mut lines = vec![format!("Hit the limit: {share} of team-months")];
    // The summary's own labels ("day 9, 22:34"), as stdout prints them.
    if let [Some(p10), Some(p50), Some(p90)] = &h.when {
        lines.push("When, among those that hit:".to_string());
        lines.push(format!("P10 {p10} (the first tenth)"));
        lines.push(format!("P50 {p50} (half)"));
        lines.push(format!("P90 {p90} (nine in ten)"));
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

/// A kind's (or the population's) row of the limit table: when and how
/// often teams reach the limit, and what they use.
fn limit_row(name: &str, g: &GroupStats) -> Vec<String> {
    let h = &g.hit;
    let when = match &h.when {
        // The convention of the printed summary: day of the cycle (day 1
        // first) and time; CSV and JSON hold the same instants as days
        // elapsed since the cycle start (9.097 is day 10, 02:20).
        // No-break spaces inside each time: a narrow column wraps between
        // the percentiles, never inside "day 10, 02:20".
        [Some(a), Some(b), Some(c)] => [a, b, c].map(|d| d.replace(' ', "\u{a0}")).join("\u{a0}/ "),
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

pub(crate) fn run_sections(
    s: &Summary,
    figs: Vec<Figure>,
    alerts: Option<&[AlertRow]>,
) -> Vec<Section> {
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
        note: match &s.shared_shocks {
            Some(sh) => format!("{} {} {}", t.note, shock_sentence(sh), sh.note),
            None => t.note.clone(),
        },
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_and_thousands() {
        assert_eq!(thousands(1234567.4), "1,234,567");
        assert_eq!(thousands(999.0), "999");
        assert_eq!(dollars_cents(3400.0), "$3,400.00");
        assert_eq!(dollars_cents(0.5), "$0.50");
    }
}
