//! The spreadsheet tables as a finance reader pastes them: in every CSV a
//! quantity's percentile columns come in percentile order (P10 before P50
//! before P90 before P99) right after its mean, and percentiles of whole
//! quantities (credits, runs, blocks) are whole numbers.

use assert_cmd::Command;
use std::path::Path;

use crate::scenario;

fn flowcast(args: &[&str]) {
    Command::cargo_bin("flowcast")
        .unwrap()
        .args(args)
        .assert()
        .success();
}

/// `(prefix, percentile)` for a header such as `credits_used_p90`.
fn percentile_column(h: &str) -> Option<(&str, u32)> {
    let (prefix, p) = h.rsplit_once("_p")?;
    Some((prefix, p.parse().ok()?))
}

/// Checks one CSV; returns how many percentile cells of whole quantities
/// it checked.
fn check(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    // Percentile order within each quantity, and its columns side by side.
    let mut i = 0;
    while i < header.len() {
        if let Some((prefix, p)) = percentile_column(header[i]) {
            let mut last = p;
            let mut j = i + 1;
            while let Some((q_prefix, q)) = header.get(j).and_then(|h| percentile_column(h)) {
                if q_prefix != prefix {
                    break;
                }
                assert!(
                    q > last,
                    "{}: {} after {}",
                    path.display(),
                    header[j],
                    header[j - 1]
                );
                last = q;
                j += 1;
            }
            assert!(
                !header[j..]
                    .iter()
                    .any(|h| percentile_column(h).map(|c| c.0) == Some(prefix)),
                "{}: the {prefix} percentiles are not side by side",
                path.display()
            );
            i = j;
        } else {
            i += 1;
        }
    }
    // Whole quantities: credits, runs, blocks (not money, not days).
    let whole: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| {
            percentile_column(h).is_some_and(|(prefix, _)| {
                !prefix.ends_with("_usd")
                    && ["credits", "runs_blocked", "blocks"]
                        .iter()
                        .any(|w| prefix.contains(w))
            })
        })
        .map(|(i, _)| i)
        .collect();
    let mut checked = 0;
    for (n, line) in lines.enumerate() {
        // The quoted policy cell holds commas; the numeric cells are after it
        // in every table here, so count columns from the end.
        let cells: Vec<&str> = line.rsplitn(header.len(), ',').collect();
        for &c in &whole {
            let cell = cells[header.len() - 1 - c];
            if cell.is_empty() {
                continue;
            }
            assert!(
                cell.parse::<u64>().is_ok(),
                "{} line {}: {} = {cell:?} is not a whole number",
                path.display(),
                n + 2,
                header[c]
            );
            checked += 1;
        }
    }
    checked
}

#[test]
fn percentile_columns_are_in_order_and_whole_quantities_are_integers() {
    let tmp = tempfile::tempdir().unwrap();
    let run = tmp.path().join("run");
    let forecast = tmp.path().join("forecast");
    let compare = tmp.path().join("compare");
    let sweep = tmp.path().join("sweep");
    let s = |p: &Path| p.display().to_string();
    flowcast(&[
        "run",
        &scenario("default.toml"),
        "--trials",
        "20",
        "--quiet",
        "--out",
        &s(&run),
    ]);
    flowcast(&[
        "run",
        &scenario("next-quarter-overage.toml"),
        "--trials",
        "10",
        "--quiet",
        "--out",
        &s(&forecast),
    ]);
    flowcast(&[
        "compare",
        &scenario("which-plan.toml"),
        "--trials",
        "10",
        "--quiet",
        "--out",
        &s(&compare),
    ]);
    flowcast(&[
        "sweep",
        &scenario("what-if-usage-grows.toml"),
        "--set",
        "usage_multiplier=1,1.3",
        "--trials",
        "5",
        "--quiet",
        "--out",
        &s(&sweep),
    ]);
    let mut files = 0;
    let mut whole_cells = 0;
    for dir in [&run, &forecast, &compare, &sweep] {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "csv") {
                whole_cells += check(&path);
                files += 1;
            }
        }
    }
    // teams, daily, total_overage, alerts (x2), forecast, compare, sweep.
    assert!(files >= 8, "{files} CSV files");
    // daily.csv alone has kinds x days x 5 whole percentiles.
    assert!(whole_cells > 500, "{whole_cells} whole cells checked");
}
