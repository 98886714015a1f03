//! A plan comparison's outputs: `compare.csv`, its text, a chart per team
//! kind and its report section.

use super::cells::*;
use super::charts::*;
use super::html::{Section, Table};
use crate::numbers::{dollars, dollars_cents, percent};
use crate::planning::compare::Comparison;
use std::fmt::Write as _;

/// `compare.csv`: one row per kind and plan.
pub fn compare_csv(c: &Comparison) -> Csv {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut h: Vec<String> = [
        "kind",
        "plan",
        "credits",
        "seats",
        "seat_cost_usd",
        "overage_policy",
    ]
    .map(String::from)
    .to_vec();
    h.extend(dist_headers("overage_usd"));
    h.extend(dist_headers("total_usd"));
    h.extend(est_headers("suspended_share"));
    h.extend(["runs_blocked_mean", "days_suspended_mean"].map(String::from));
    h.extend(est_headers("vs_recommended_usd"));
    h.push("recommended".to_string());
    w.write_record(&h)?;
    for r in &c.rows {
        let rec = c.is_recommended(r);
        let mut row = vec![
            r.kind.clone(),
            r.plan.clone(),
            r.credits.to_string(),
            r.seats.to_string(),
            num(r.seat_cost_usd, 2),
            r.overage_policy.clone(),
        ];
        row.extend(dist_cells(&r.overage_usd, 2, 2));
        row.extend(dist_cells(&r.total_usd, 2, 2));
        row.extend(est_cells(&r.suspended_share, 4));
        row.push(num(r.runs_blocked.mean, 2));
        row.push(num(r.days_suspended.mean, 3));
        match &r.vs_recommended_usd {
            Some(e) => row.extend(est_cells(e, 2)),
            None => row.extend([String::new(), String::new(), String::new()]),
        }
        // true/false: a spreadsheet filter or a boolean column, not a blank.
        row.push(rec.to_string());
        w.write_record(&row)?;
    }
    finish(w)
}

/// The comparison as text.
pub fn compare_text(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: plan comparison, {} trials, seed {}; recommended by {}",
        c.scenario, c.trials, c.seed, c.rule
    );
    let _ = writeln!(out, "{}", c.common_random_numbers);
    let _ = writeln!(
        out,
        "\n{:<18} {:<11} {:>10} {:>26} {:>11} {:>11} {:>9} {:>9}  vs recommended (paired)",
        "kind",
        "plan",
        "seats $",
        "mean cost/team [95% CI]",
        "P90 cost",
        "suspended",
        "blocked",
        "days susp"
    );
    for r in &c.rows {
        let vs = match &r.vs_recommended_usd {
            Some(_) if c.is_recommended(r) => "recommended".to_string(),
            Some(e) => format!("{:+.2} [{:+.2}, {:+.2}]", e.value, e.ci_low, e.ci_high),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{:<18} {:<11} {:>10} {:>26} {:>11} {:>11} {:>9} {:>9}  {}",
            r.kind,
            r.plan,
            dollars_cents(r.seat_cost_usd),
            format!(
                "{} [{:.2}, {:.2}]",
                dollars_cents(r.total_usd.mean),
                r.total_usd.ci_low,
                r.total_usd.ci_high
            ),
            dollars_cents(r.total_usd.p90),
            percent(r.suspended_share.value),
            format!("{:.1}", r.runs_blocked.mean),
            format!("{:.2}", r.days_suspended.mean),
            vs
        );
    }
    let _ = writeln!(out);
    for rec in &c.recommendations {
        let _ = writeln!(
            out,
            "recommended for {}: {}",
            rec.kind,
            rec.plan.as_deref().unwrap_or("no plan satisfies the rule")
        );
    }
    if c.assumptions
        .iter()
        .any(|a| a.contains("Overage block price"))
    {
        let _ = writeln!(
            out,
            "note: the overage block price is an assumption (your input; Postman does not publish it)."
        );
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

pub(crate) fn compare_section(c: &Comparison, figs: Vec<Figure>) -> Section {
    let plan_label = |r: &crate::planning::compare::PlanCost| {
        if c.is_recommended(r) {
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
                    // The recommended plan against itself is 0 by
                    // definition: a dash, as the note says.
                    if c.is_recommended(r) {
                        return "\u{2014}".to_string();
                    }
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
            note: "Overage is switched off on plans that forbid it (free). 'vs recommended' is the mean difference per team-month, paired by trial (\u{2014} on the recommended plan itself).".into(),
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
