//! A sensitivity analysis's outputs: `sensitivity.csv`, its text, the
//! tornado chart and its report section.

use super::cells::*;
use super::charts::*;
use super::html::{Section, Table};
use crate::numbers::{dollars, dollars_cents, thousands};
use crate::planning::sensitivity::Sensitivity;
use std::fmt::Write as _;

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
        dollars_cents(s.baseline.value),
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
            dollars_cents(w.output_at_low.value),
            dollars_cents(w.output_at_high.value),
            dollars_cents(w.swing),
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

pub(crate) fn sensitivity_section(s: &Sensitivity, figs: Vec<Figure>) -> Section {
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
