//! A sweep's outputs: `sweep.csv`, its text, its chart and its report
//! section.

use super::cells::*;
use super::charts::*;
use super::html::{Section, Table};
use crate::numbers::{count, dollars, dollars_cents, percent, thousands};
use crate::planning::sweep::Sweep;
use std::fmt::Write as _;

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
                    percent(g.hit_probability.value),
                    percent(g.hit_probability.ci_low),
                    percent(g.hit_probability.ci_high)
                ),
                format!(
                    "{} [{}, {}]",
                    dollars_cents(t.mean),
                    thousands(t.ci_low),
                    thousands(t.ci_high)
                ),
                dollars_cents(t.p90),
                percent(g.suspended_share.value)
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
        let label = settings_label(&p.settings[1..]);
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

pub(crate) fn sweep_section(s: &Sweep, figs: Vec<Figure>) -> Section {
    let rows = s
        .points
        .iter()
        .filter_map(|p| {
            let g = p.groups.iter().find(|g| g.group == "population")?;
            Some(vec![
                settings_label(&p.settings),
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
