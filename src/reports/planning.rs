//! The planning outputs as spreadsheet tables and as text: `compare.csv`,
//! `sweep.csv`, `sensitivity.csv`, `forecast.csv`, `alerts.csv`, and the
//! tables each command prints.

use super::tables::{dist_cells, dist_headers, num, opt};
use crate::numbers::count;
use crate::numbers::{dollars_cents as dollars, percent as pct, thousands};
use crate::planning::alerts::AlertRow;
use crate::planning::compare::Comparison;
use crate::planning::forecast::Forecast;
use crate::planning::sensitivity::Sensitivity;
use crate::planning::sweep::Sweep;
use crate::statistics::summary::{Distribution, Estimate};
use std::fmt::Write;

type Csv = Result<Vec<u8>, csv::Error>;

fn est_cells(e: &Estimate, decimals: usize) -> [String; 3] {
    [e.value, e.ci_low, e.ci_high].map(|v| num(v, decimals))
}

fn est_headers(name: &str) -> [String; 3] {
    [
        name.to_string(),
        format!("{name}_ci_low"),
        format!("{name}_ci_high"),
    ]
}

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

fn finish(w: csv::Writer<Vec<u8>>) -> Csv {
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

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
        let rec = c
            .recommendations
            .iter()
            .any(|x| x.kind == r.kind && x.plan.as_deref() == Some(r.plan.as_str()));
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
        let rec = c
            .recommendations
            .iter()
            .any(|x| x.kind == r.kind && x.plan.as_deref() == Some(r.plan.as_str()));
        let vs = match &r.vs_recommended_usd {
            Some(_) if rec => "recommended".to_string(),
            Some(e) => format!("{:+.2} [{:+.2}, {:+.2}]", e.value, e.ci_low, e.ci_high),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "{:<18} {:<11} {:>10} {:>26} {:>11} {:>11} {:>9} {:>9}  {}",
            r.kind,
            r.plan,
            dollars(r.seat_cost_usd),
            format!(
                "{} [{:.2}, {:.2}]",
                dollars(r.total_usd.mean),
                r.total_usd.ci_low,
                r.total_usd.ci_high
            ),
            dollars(r.total_usd.p90),
            pct(r.suspended_share.value),
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

/// `sweep.csv`: one row per grid point and group.
pub fn sweep_csv(s: &Sweep) -> Csv {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut h: Vec<String> = s.axes.iter().map(|a| a.key.clone()).collect();
    h.push("group".to_string());
    h.extend(est_headers("hit_probability"));
    h.push("hit_day_p50".to_string());
    h.extend(dist_headers("credits_used"));
    h.extend(dist_headers("overage_usd"));
    h.extend(est_headers("suspended_share"));
    h.push("runs_blocked_mean".to_string());
    h.extend(dist_headers("population_total_overage_usd"));
    w.write_record(&h)?;
    for p in &s.points {
        for g in &p.groups {
            let mut row: Vec<String> = p.settings.iter().map(|(_, v)| v.clone()).collect();
            row.push(g.group.clone());
            row.extend(est_cells(&g.hit_probability, 4));
            row.push(opt(g.hit_day_p50, 2));
            row.extend(dist_cells(&g.credits_used, 1, 0));
            row.extend(dist_cells(&g.overage_usd, 2, 2));
            row.extend(est_cells(&g.suspended_share, 4));
            row.push(num(g.runs_blocked.mean, 2));
            if g.group == "population" {
                row.extend(dist_cells(&p.total_overage_usd, 2, 2));
            } else {
                row.extend(std::iter::repeat_n(String::new(), 6));
            }
            w.write_record(&row)?;
        }
    }
    finish(w)
}

/// The sweep as text: the population's numbers per grid point.
pub fn sweep_text(s: &Sweep) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: sweep over {}, {} each, seed {} (same random numbers at every setting)\n",
        s.scenario,
        count(s.points.len() as u64, "setting"),
        count(u64::from(s.trials), "trial"),
        s.seed
    );
    let setting_w = s
        .points
        .iter()
        .map(|p| settings_label(&p.settings).len())
        .max()
        .unwrap_or(8)
        .max(8);
    let _ = writeln!(out, "Total overage of all teams, {}:", s.horizon);
    let _ = writeln!(
        out,
        "{:<setting_w$}  {:>22}  {:>28}  {:>12}  {:>10}",
        "setting", "P(hit limit)", "total overage [95% CI]", "P90 total", "suspended"
    );
    for p in &s.points {
        if let Some(g) = p.groups.iter().find(|g| g.group == "population") {
            let t = &p.total_overage_usd;
            let _ = writeln!(
                out,
                "{:<setting_w$}  {:>22}  {:>28}  {:>12}  {:>10}",
                settings_label(&p.settings),
                format!(
                    "{} [{}, {}]",
                    pct(g.hit_probability.value),
                    pct(g.hit_probability.ci_low),
                    pct(g.hit_probability.ci_high)
                ),
                format!(
                    "{} [{}, {}]",
                    dollars(t.mean),
                    thousands(t.ci_low),
                    thousands(t.ci_high)
                ),
                dollars(t.p90),
                pct(g.suspended_share.value)
            );
        }
    }
    out
}

/// `k=v, k2=v2` with keys shortened by [`short_key`].
pub fn settings_label(settings: &[(String, String)]) -> String {
    settings
        .iter()
        .map(|(k, v)| format!("{}={}", short_key(k), v))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A scenario key short enough for a label but still unambiguous: without
/// the `kinds` and `flows` containers, and when still longer than three
/// parts, the first (the kind) and the last two
/// (`kinds.ops.overage.after_suspension.median` -> `ops…after_suspension.median`,
/// `kinds.ops.teams` -> `ops.teams`).
pub fn short_key(key: &str) -> String {
    let parts: Vec<&str> = key
        .split('.')
        .filter(|p| !matches!(*p, "kinds" | "flows"))
        .collect();
    if parts.len() <= 3 {
        parts.join(".")
    } else {
        format!("{}\u{2026}{}", parts[0], parts[parts.len() - 2..].join("."))
    }
}

/// `sensitivity.csv`: one row per input, largest swing first.
pub fn sensitivity_csv(s: &Sensitivity) -> Csv {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut h: Vec<String> = ["input", "low", "high"].map(String::from).to_vec();
    h.extend(est_headers("output_at_low_usd"));
    h.extend(est_headers("output_at_high_usd"));
    h.extend(["swing_usd", "rank_correlation", "baseline_usd"].map(String::from));
    w.write_record(&h)?;
    for sw in &s.swings {
        let mut row = vec![sw.key.clone(), num(sw.low, 4), num(sw.high, 4)];
        row.extend(est_cells(&sw.output_at_low, 2));
        row.extend(est_cells(&sw.output_at_high, 2));
        row.push(num(sw.swing, 2));
        row.push(opt(sw.rank_correlation, 3));
        row.push(num(s.baseline.value, 2));
        w.write_record(&row)?;
    }
    finish(w)
}

/// The sensitivity analysis as text.
pub fn sensitivity_text(s: &Sensitivity) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: sensitivity of the {}; {} trials per run, seed {}",
        s.scenario, s.output, s.trials, s.seed
    );
    let _ = writeln!(
        out,
        "baseline {} [{}, {}]\n",
        dollars(s.baseline.value),
        thousands(s.baseline.ci_low),
        thousands(s.baseline.ci_high)
    );
    let kw = s
        .swings
        .iter()
        .map(|w| w.key.len())
        .max()
        .unwrap_or(5)
        .max(5);
    let _ = writeln!(
        out,
        "{:<kw$}  {:>16}  {:>12}  {:>12}  {:>12}  {:>9}",
        "input", "range", "at low", "at high", "swing", "rank corr"
    );
    for w in &s.swings {
        let _ = writeln!(
            out,
            "{:<kw$}  {:>16}  {:>12}  {:>12}  {:>12}  {:>9}",
            w.key,
            format!("{}..{}", w.low, w.high),
            dollars(w.output_at_low.value),
            dollars(w.output_at_high.value),
            dollars(w.swing),
            w.rank_correlation
                .map_or("-".to_string(), |r| format!("{r:+.2}"))
        );
    }
    if s.samples > 0 {
        let _ = writeln!(
            out,
            "\nrank correlations over {} Latin hypercube points",
            s.samples
        );
    }
    out
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
                    dollars(m.overage_usd.mean),
                    thousands(m.overage_usd.ci_low),
                    thousands(m.overage_usd.ci_high)
                ),
                dollars(m.overage_usd.p90),
                dollars(m.cumulative_usd.p50),
                pct(m.suspended_share.value)
            );
        }
    }
    out
}

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
            pct(r.under_one_day_share)
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_keys_stay_unambiguous() {
        assert_eq!(short_key("kinds.ops.teams"), "ops.teams");
        assert_eq!(short_key("usage_multiplier"), "usage_multiplier");
        assert_eq!(
            short_key("kinds.support.flows.support-agent.agent.calls.mean"),
            "support\u{2026}calls.mean"
        );
        assert_eq!(short_key("kinds.a.overage.on"), "a.overage.on");
        assert_eq!(
            settings_label(&[("kinds.a.overage_price".into(), "5".into())]),
            "a.overage_price=5"
        );
    }
}
