//! The replay result, written out: the JSON array of shared/usage-log.md
//! (`--json`), the same records as CSV for spreadsheets (`--csv`), and an
//! aligned table with a totals line for people.

use super::cycles::format_time;
use super::{Replay, ReplayRecord};
use crate::numbers::group_digits;
use serde::Serialize;

/// The JSON record, fields in the contract's order.
#[derive(Serialize)]
struct JsonRecord<'a> {
    team: &'a str,
    cycle_start: String,
    allotment: u64,
    credits_used: u64,
    limit_reached_at: Option<String>,
    overage_blocks: u64,
    overage_cost: f64,
    runs_executed: u64,
    runs_blocked: u64,
    blocked_credits: u64,
}

impl<'a> From<&'a ReplayRecord> for JsonRecord<'a> {
    fn from(r: &'a ReplayRecord) -> Self {
        JsonRecord {
            team: &r.team,
            cycle_start: format_time(r.cycle_start),
            allotment: r.allotment,
            credits_used: r.credits_used,
            limit_reached_at: r.limit_reached_at.map(format_time),
            overage_blocks: r.overage_blocks,
            overage_cost: r.overage_cost,
            runs_executed: r.runs_executed,
            runs_blocked: r.runs_blocked,
            blocked_credits: r.blocked_credits,
        }
    }
}

/// The records as the JSON array of `replay --json`, with a final newline.
pub fn json(replay: &Replay) -> String {
    let records: Vec<JsonRecord> = replay.records.iter().map(JsonRecord::from).collect();
    // Serialising plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(&records).unwrap_or_else(|_| "[]".to_string());
    s.push('\n');
    s
}

/// The records as CSV (header row, then one row per team-cycle; the same
/// fields and order as the JSON, an empty cell for a limit never reached).
/// The money column is headed `overage_cost_usd`: a spreadsheet keeps the
/// header, not the contract that defines the JSON's `overage_cost` in USD.
pub fn csv(replay: &Replay) -> String {
    let mut out = String::from(
        "team,cycle_start,allotment,credits_used,limit_reached_at,overage_blocks,overage_cost_usd,runs_executed,runs_blocked,blocked_credits\n",
    );
    for r in &replay.records {
        let fields = [
            csv_field(&r.team),
            format_time(r.cycle_start),
            r.allotment.to_string(),
            r.credits_used.to_string(),
            r.limit_reached_at.map(format_time).unwrap_or_default(),
            r.overage_blocks.to_string(),
            r.overage_cost.to_string(),
            r.runs_executed.to_string(),
            r.runs_blocked.to_string(),
            r.blocked_credits.to_string(),
        ];
        out.push_str(&fields.join(","));
        out.push('\n');
    }
    out
}

/// Quotes a CSV field when it needs it (RFC 4180), and defuses a leading
/// formula character so that a spreadsheet shows a team name as text.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// USD with cents and thousands separators, e.g. `$1,234.50`: the one
/// money formatter of every table ([`crate::numbers::dollars_cents`]).
pub use crate::numbers::dollars_cents as usd;

/// An integer with thousands separators, e.g. `1,000`.
pub fn thousands(n: u64) -> String {
    group_digits(&n.to_string())
}

/// The records as an aligned table, then a totals line.
pub fn table(replay: &Replay) -> String {
    let header = [
        "team",
        "cycle start (UTC)",
        "allotment",
        "used",
        "limit reached at",
        "overage blocks",
        "overage cost",
        "executed",
        "blocked",
        "blocked credits",
    ];
    // Text columns are left-aligned, numbers right-aligned.
    let left = [
        true, true, false, false, true, false, false, false, false, false,
    ];
    let mut rows: Vec<[String; 10]> = Vec::with_capacity(replay.records.len());
    for r in &replay.records {
        rows.push([
            r.team.clone(),
            format_time(r.cycle_start),
            r.allotment.to_string(),
            r.credits_used.to_string(),
            r.limit_reached_at
                .map_or_else(|| "-".to_string(), format_time),
            r.overage_blocks.to_string(),
            usd(r.overage_cost),
            r.runs_executed.to_string(),
            r.runs_blocked.to_string(),
            r.blocked_credits.to_string(),
        ]);
    }
    let mut width: [usize; 10] = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if left[i] {
                    format!("{c:<w$}", w = width[i])
                } else {
                    format!("{c:>w$}", w = width[i])
                }
            })
            .collect();
        parts.join("  ").trim_end().to_string() + "\n"
    };
    let mut out = line(&header.map(String::from));
    out.push_str(&line(&width.map(|w| "-".repeat(w))));
    for row in &rows {
        out.push_str(&line(row));
    }

    let sum = |f: fn(&ReplayRecord) -> u64| replay.records.iter().map(f).sum::<u64>();
    let cost: f64 = replay.records.iter().map(|r| r.overage_cost).sum();
    let limited = replay
        .records
        .iter()
        .filter(|r| r.limit_reached_at.is_some())
        .count();
    out.push_str(&format!(
        "\nTotal: {} team-cycles ({} at the limit), {} credits used, {} overage blocks ({}), {} runs executed, {} blocked ({} credits)\n",
        replay.records.len(),
        limited,
        sum(|r| r.credits_used),
        sum(|r| r.overage_blocks),
        usd(cost),
        sum(|r| r.runs_executed),
        sum(|r| r.runs_blocked),
        sum(|r| r.blocked_credits),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usd_rounds_to_cents_and_groups_thousands() {
        assert_eq!(usd(0.0), "$0.00");
        assert_eq!(usd(12.5), "$12.50");
        assert_eq!(usd(1234567.891), "$1,234,567.89");
        assert_eq!(usd(0.3 * 3.0), "$0.90");
        assert_eq!(usd(100.0), "$100.00");
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("acme"), "acme");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=1+1"), "'=1+1");
    }
}
