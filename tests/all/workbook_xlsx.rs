//! `--xlsx FILE`: the workbook read back by a reader that did not write it
//! (calamine). Every sheet holds its CSV's rows and columns, numbers as
//! numbers equal to the CSV's text; the xlsx's own XML carries the number
//! formats (currency, percent), the frozen header and the native charts.

use assert_cmd::Command;
use calamine::{open_workbook, Data, Reader, Xlsx};
use std::path::Path;

fn flowcast() -> Command {
    Command::cargo_bin("flowcast").unwrap()
}

/// Every cell of `csv` equals the sheet's: numbers compared as numbers.
fn same_as_csv(book: &mut Xlsx<std::io::BufReader<std::fs::File>>, sheet: &str, csv_path: &Path) {
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(csv_path)
        .unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(range.height(), rows.len(), "{sheet}: rows");
    for (i, rec) in rows.iter().enumerate() {
        for (j, text) in rec.iter().enumerate() {
            let cell = range.get((i, j)).unwrap_or(&Data::Empty);
            match (text.parse::<f64>(), cell) {
                (Ok(x), Data::Float(y)) => assert_eq!(x, *y, "{sheet} row {i} col {j}"),
                (Ok(x), Data::Int(y)) => assert_eq!(x, *y as f64, "{sheet} row {i} col {j}"),
                (_, Data::String(s)) => assert_eq!(text, s, "{sheet} row {i} col {j}"),
                (_, Data::Empty) => assert!(text.is_empty(), "{sheet} row {i} col {j}: '{text}'"),
                (t, c) => panic!("{sheet} row {i} col {j}: csv {t:?} '{text}', cell {c:?}"),
            }
        }
    }
}

/// The text of `part` inside the xlsx (a zip).
fn xml(path: &Path, part: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name(part).unwrap(), &mut s).unwrap();
    s
}

#[test]
fn the_workbook_holds_the_csvs_typed_and_formatted() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, x) = (tmp.path().join("run"), tmp.path().join("run.xlsx"));
    flowcast()
        .args([
            "run",
            &crate::scenario("next-quarter-overage.toml"),
            "--trials",
            "20",
            "--quiet",
            "--no-charts",
        ])
        .arg("--xlsx")
        .arg(&x)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut book: Xlsx<_> = open_workbook(&x).unwrap();
    let names = book.sheet_names().to_vec();
    assert_eq!(
        names,
        [
            "teams",
            "daily",
            "total_overage",
            "alerts",
            "forecast",
            "Assumptions",
            "Charts"
        ]
    );
    for s in ["teams", "daily", "total_overage", "alerts", "forecast"] {
        same_as_csv(&mut book, s, &out.join(format!("{s}.csv")));
    }
    let notes = book.worksheet_range("Assumptions").unwrap();
    let text: Vec<String> = notes.rows().map(|r| format!("{:?}", r)).collect();
    assert!(
        text.iter()
            .any(|t| t.contains("ASSUMPTION") || t.contains("assumption")),
        "{text:?}"
    );
    assert!(text.iter().any(|t| t.contains("sha256")), "{text:?}");
    // Formats: currency and percent styles exist, headers are frozen, and
    // the forecast and teams sheets carry native charts.
    let styles = xml(&x, "xl/styles.xml");
    assert!(
        styles.contains("formatCode=\"\\$#,##0.00\"")
            || styles.contains("formatCode=\"$#,##0.00\""),
        "{styles}"
    );
    assert!(styles.contains("formatCode=\"0.0%\""));
    assert!(xml(&x, "xl/worksheets/sheet1.xml").contains("state=\"frozen\""));
    assert!(xml(&x, "xl/charts/chart1.xml").contains("<c:barChart>"));
    assert!(xml(&x, "xl/charts/chart2.xml").contains("<c:lineChart>"));
}

#[test]
fn compare_and_sweep_workbooks_match_their_csvs() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, x) = (tmp.path().join("cmp"), tmp.path().join("cmp.xlsx"));
    flowcast()
        .args([
            "compare",
            &crate::scenario("which-plan.toml"),
            "--trials",
            "10",
            "--quiet",
        ])
        .arg("--xlsx")
        .arg(&x)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut book: Xlsx<_> = open_workbook(&x).unwrap();
    same_as_csv(&mut book, "compare", &out.join("compare.csv"));
    let (out, x) = (tmp.path().join("sw"), tmp.path().join("sw.xlsx"));
    flowcast()
        .args([
            "sweep",
            &crate::scenario("default.toml"),
            "--trials",
            "5",
            "--quiet",
            "--set",
            "usage_multiplier=1,1.5",
        ])
        .arg("--xlsx")
        .arg(&x)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut book: Xlsx<_> = open_workbook(&x).unwrap();
    same_as_csv(&mut book, "sweep", &out.join("sweep.csv"));
    // The population sheet is the sweep's population rows.
    let pop = book.worksheet_range("population").unwrap();
    assert_eq!(pop.height(), 3);
    assert!(pop
        .rows()
        .skip(1)
        .all(|r| r[1] == Data::String("population".into())));
}

#[test]
fn an_unwritable_workbook_is_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // Its folder would have to be made inside a file.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let bad = file.join("x.xlsx");
    let o = flowcast()
        .args(["run", &crate::scenario("default.toml"), "--xlsx"])
        .arg(&bad)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(o.stdout.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains(&format!("--xlsx {}", bad.display())), "{err}");
    assert!(!out.exists());
    // A workbook in a folder that does not exist yet (beside the output
    // folder on a fresh clone) is written, its folder made.
    let fresh = tmp.path().join("new-folder").join("w.xlsx");
    flowcast()
        .args([
            "run",
            &crate::scenario("default.toml"),
            "--trials",
            "2",
            "--no-charts",
            "--quiet",
            "--xlsx",
        ])
        .arg(&fresh)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    assert!(fresh.is_file());
}
