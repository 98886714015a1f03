//! What every result's tables, texts and charts share: CSV cells (fixed
//! decimals, whole-number percentiles), intervals as report cells, chart
//! subtitles and percentile marks, and the overage-price note.

use super::charts::Mark;
use crate::numbers::{dollars, thousands};
use crate::statistics::histogram::ChartHistogram;
use crate::statistics::summary::{Distribution, Estimate, Summary};

/// A CSV file's bytes, or the writer's error.
pub(crate) type Csv = Result<Vec<u8>, csv::Error>;

/// A number for a CSV cell: fixed decimals, no thousands separators.
pub(crate) fn num(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        String::new()
    }
}

pub(crate) fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or(String::new(), |v| num(v, decimals))
}

/// A distribution's cells: the mean and its interval with `decimals`, the
/// percentiles with `pct_decimals` (0 for whole quantities such as credits,
/// runs and blocks: their percentiles are whole numbers, their mean is not).
pub(crate) fn dist_cells(d: &Distribution, decimals: usize, pct_decimals: usize) -> [String; 6] {
    [
        num(d.mean, decimals),
        num(d.ci_low, decimals),
        num(d.ci_high, decimals),
        num(d.p50, pct_decimals),
        num(d.p90, pct_decimals),
        num(d.p99, pct_decimals),
    ]
}

pub(crate) fn dist_headers(name: &str) -> [String; 6] {
    ["mean", "mean_ci_low", "mean_ci_high", "p50", "p90", "p99"].map(|s| format!("{name}_{s}"))
}

pub(crate) fn est_cells(e: &Estimate, decimals: usize) -> [String; 3] {
    [e.value, e.ci_low, e.ci_high].map(|v| num(v, decimals))
}

pub(crate) fn est_headers(name: &str) -> [String; 3] {
    [
        name.to_string(),
        format!("{name}_ci_low"),
        format!("{name}_ci_high"),
    ]
}

pub(crate) fn finish(w: csv::Writer<Vec<u8>>) -> Csv {
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// `value (low – high)`: the interval may move to its own line in a
/// narrow column, but never breaks inside (no-break spaces around the dash).
pub(crate) fn interval(value: String, low: String, high: String) -> String {
    format!("{value} ({low}\u{a0}\u{2013}\u{a0}{high})")
}

/// A difference in dollars, signed both ways: `+$12`, `-$3.50`, `$0`.
pub(crate) fn signed_dollars(v: f64) -> String {
    let d = dollars(v);
    if v > 0.0 && d != "$0" && d != "$0.00" {
        format!("+{d}")
    } else {
        d
    }
}

pub(crate) fn ci(e: &Estimate, f: fn(f64) -> String) -> String {
    interval(f(e.value), f(e.ci_low), f(e.ci_high))
}

pub(crate) fn mean_ci(d: &Distribution, f: fn(f64) -> String) -> String {
    interval(f(d.mean), f(d.ci_low), f(d.ci_high))
}

pub(crate) fn days1(v: f64) -> String {
    format!("{v:.1}")
}

pub(crate) fn credits(v: f64) -> String {
    thousands(v)
}

pub(crate) fn subtitle(s: &Summary) -> String {
    format!(
        "Scenario: {}, {} trials, seed {}",
        s.scenario,
        crate::numbers::thousands(f64::from(s.trials)),
        s.seed
    )
}

pub(crate) fn pct_marks(d: &Distribution) -> Vec<Mark> {
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
pub(crate) fn trimmed(h: &ChartHistogram) -> (Vec<f64>, Vec<u64>) {
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
pub(crate) fn centred_if_discrete(edges: Vec<f64>, unit: Option<f64>) -> Vec<f64> {
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

pub(crate) const PRICE_NOTE: &str =
    "Overage priced at the scenario's block price: an assumption, not published by Postman.";
