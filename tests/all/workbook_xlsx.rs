//! `--xlsx FILE`: the workbook read back by a reader that did not write it
//! (calamine). Every table sheet holds its CSV's rows and columns, numbers
//! as numbers equal to the CSV's text; the xlsx's own XML (a zip) carries
//! each cell's number format (currency, percent, thousands, the CSV's
//! decimals), the bold frozen header, the column widths and the native
//! charts, whose series point at the right rows. The Assumptions sheet
//! holds the price source, the overage price labelled an ASSUMPTION and the
//! inputs. `merge --xlsx` gives the single run's workbook; an unwritable
//! workbook fails with one line, nothing on stdout and no folder published;
//! a missing folder is made, as `--out`'s is.

use assert_cmd::Command;
use calamine::{open_workbook, Data, Reader, Xlsx};
use std::collections::HashMap;
use std::path::Path;

type Book = Xlsx<std::io::BufReader<std::fs::File>>;

fn flowcast() -> Command {
    Command::cargo_bin("flowcast").unwrap()
}

/// A CSV file: header and rows of text.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

/// Every cell of the table equals the sheet's: text as text, numbers as
/// numbers (the f64 the CSV's text parses to, exactly), empty as blank.
fn same_cells(book: &mut Book, sheet: &str, header: &[String], rows: &[Vec<String>]) {
    let range = book
        .worksheet_range(sheet)
        .unwrap_or_else(|e| panic!("sheet {sheet}: {e}"));
    assert_eq!(range.height(), rows.len() + 1, "{sheet}: rows");
    assert_eq!(range.width(), header.len(), "{sheet}: columns");
    let all = std::iter::once(header).chain(rows.iter().map(Vec::as_slice));
    for (i, rec) in all.enumerate() {
        for (j, text) in rec.iter().enumerate() {
            let cell = range.get((i, j)).unwrap_or(&Data::Empty);
            let at = format!("{sheet} row {i} col {j} ({})", header[j]);
            match (text.parse::<f64>(), cell) {
                (Ok(x), Data::Float(y)) if x.is_finite() => assert_eq!(x, *y, "{at}"),
                (Ok(x), Data::Int(y)) if x.is_finite() => assert_eq!(x, *y as f64, "{at}"),
                (Ok(x), c) if x.is_finite() => panic!("{at}: csv number '{text}', cell {c:?}"),
                (_, Data::String(s)) => assert_eq!(text, s, "{at}"),
                (_, Data::Empty) => assert!(text.is_empty(), "{at}: '{text}' missing"),
                (_, c) => panic!("{at}: csv '{text}', cell {c:?}"),
            }
        }
    }
}

/// `same_cells` against the CSV file itself.
fn same_as_csv(book: &mut Book, sheet: &str, csv_path: &Path) {
    let (header, rows) = read_csv(csv_path);
    same_cells(book, sheet, &header, &rows);
}

/// The text of `part` inside the xlsx (a zip).
fn xml(path: &Path, part: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut s = String::new();
    std::io::Read::read_to_string(&mut z.by_name(part).unwrap(), &mut s)
        .unwrap_or_else(|e| panic!("{part}: {e}"));
    s
}

/// The parts of the xlsx whose names start with `prefix`.
fn parts(path: &Path, prefix: &str) -> Vec<String> {
    let z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut v: Vec<String> = z
        .file_names()
        .map(|n| n.unwrap().to_string())
        .filter(|n| n.starts_with(prefix))
        .collect();
    v.sort();
    v
}

fn attr(tag: &str, name: &str) -> Option<String> {
    let re = regex::Regex::new(&format!(r#"\b{name}="([^"]*)""#)).unwrap();
    re.captures(tag).map(|c| c[1].to_string())
}

/// What a cell's style says: its number format code and whether its font
/// is bold.
#[derive(Clone, Debug)]
struct Style {
    format: String,
    bold: bool,
}

/// The workbook's cell styles (`cellXfs`), by index.
fn styles(path: &Path) -> Vec<Style> {
    let s = xml(path, "xl/styles.xml");
    let mut codes: HashMap<String, String> = [
        ("0", "General"),
        ("1", "0"),
        ("2", "0.00"),
        ("3", "#,##0"),
        ("4", "#,##0.00"),
        ("9", "0%"),
        ("10", "0.00%"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    let nf = regex::Regex::new(r#"<numFmt numFmtId="(\d+)" formatCode="([^"]*)""#).unwrap();
    for c in nf.captures_iter(&s) {
        codes.insert(c[1].to_string(), c[2].replace("&quot;", "\""));
    }
    let fonts = &s[s.find("<fonts").unwrap()..s.find("</fonts>").unwrap()];
    let bold: Vec<bool> = fonts
        .split("<font>")
        .skip(1)
        .map(|f| f.contains("<b/>"))
        .collect();
    let xfs = &s[s.find("<cellXfs").unwrap()..s.find("</cellXfs>").unwrap()];
    regex::Regex::new(r"<xf\b[^>]*>")
        .unwrap()
        .find_iter(xfs)
        .map(|m| {
            let tag = m.as_str();
            let id = attr(tag, "numFmtId").unwrap_or_else(|| "0".into());
            let font: usize = attr(tag, "fontId").map_or(0, |f| f.parse().unwrap());
            Style {
                format: codes
                    .get(&id)
                    .cloned()
                    .unwrap_or_else(|| format!("id {id}")),
                bold: bold[font],
            }
        })
        .collect()
}

/// `A` -> 0, `AB` -> 27.
fn column_index(letters: &str) -> usize {
    letters
        .bytes()
        .fold(0, |n, b| n * 26 + (b - b'A' + 1) as usize)
        - 1
}

/// A sheet's XML (`n`: its place in the book, from 1).
fn sheet_xml(path: &Path, n: usize) -> String {
    xml(path, &format!("xl/worksheets/sheet{n}.xml"))
}

/// The style index of each written cell, by (row, column) from 0.
fn cell_styles(sheet: &str) -> HashMap<(usize, usize), usize> {
    let re = regex::Regex::new(r#"<c r="([A-Z]+)(\d+)"([^>]*)>"#).unwrap();
    re.captures_iter(sheet)
        .map(|c| {
            let s = attr(&c[3], "s").map_or(0, |s| s.parse().unwrap());
            let row: usize = c[2].parse().unwrap();
            ((row - 1, column_index(&c[1])), s)
        })
        .collect()
}

/// Each column's width (from 0), as the sheet's `<cols>` sets it.
fn column_widths(sheet: &str) -> HashMap<usize, f64> {
    let re = regex::Regex::new(r"<col\b[^>]*>").unwrap();
    let mut w = HashMap::new();
    for m in re.find_iter(sheet) {
        let (lo, hi): (usize, usize) = (
            attr(m.as_str(), "min").unwrap().parse().unwrap(),
            attr(m.as_str(), "max").unwrap().parse().unwrap(),
        );
        let width: f64 = attr(m.as_str(), "width").unwrap().parse().unwrap();
        for c in lo..=hi {
            w.insert(c - 1, width);
        }
    }
    w
}

/// The format a column's numbers must have: currency for USD, percent for
/// shares and probabilities, else thousands separators and the CSV's
/// decimals.
fn expected_format(column: &str, values: &[&str]) -> String {
    if column.contains("usd") {
        return "$#,##0.00".into();
    }
    if column.contains("share") || column.contains("probability") {
        return "0.0%".into();
    }
    let decimals = values
        .iter()
        .map(|v| v.split_once('.').map_or(0, |(_, d)| d.len()))
        .max()
        .unwrap_or(0);
    if decimals == 0 {
        "#,##0".into()
    } else {
        format!("#,##0.{}", "0".repeat(decimals))
    }
}

/// The `n`th sheet of the xlsx shows the table as finance expects: a bold
/// frozen header row, every number in its column's format, every column
/// at least as wide as its header.
fn formatted(x: &Path, n: usize, header: &[String], rows: &[Vec<String>]) {
    let st = styles(x);
    let sheet = sheet_xml(x, n);
    assert!(
        sheet.contains(
            r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#
        ),
        "sheet {n}: header not frozen"
    );
    let cells = cell_styles(&sheet);
    let widths = column_widths(&sheet);
    for (c, h) in header.iter().enumerate() {
        assert!(st[cells[&(0, c)]].bold, "sheet {n}: header {h} not bold");
        let w = widths.get(&c).copied().unwrap_or(0.0);
        assert!(w >= h.len() as f64, "sheet {n}: {h} is {w} wide");
        let values: Vec<&str> = rows
            .iter()
            .map(|r| r[c].as_str())
            .filter(|v| !v.is_empty())
            .collect();
        if values.is_empty() || values.iter().any(|v| v.parse::<f64>().is_err()) {
            continue;
        }
        let want = expected_format(h, &values);
        for (i, r) in rows.iter().enumerate() {
            if r[c].is_empty() {
                continue;
            }
            let got = &st[cells[&(i + 1, c)]].format;
            assert_eq!(
                got,
                &want,
                "sheet {n} row {} column {h} ('{}')",
                i + 1,
                r[c]
            );
        }
    }
}

/// The Assumptions sheet as (what, text) pairs.
fn notes(book: &mut Book) -> Vec<(String, String)> {
    let r = book.worksheet_range("Assumptions").unwrap();
    assert_eq!(
        r.rows().next().unwrap(),
        [Data::String("what".into()), Data::String("text".into())]
    );
    r.rows()
        .skip(1)
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect()
}

fn note<'a>(notes: &'a [(String, String)], what: &str) -> &'a str {
    notes
        .iter()
        .find(|(w, _)| w == what)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no '{what}' in {notes:?}"))
}

fn sha256(path: &str) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(std::fs::read(path).unwrap());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// The cells a chart formula (`forecast!$H$11:$H$13`) points at, as text
/// (numbers as Rust prints them).
fn chart_range(book: &mut Book, formula: &str) -> Vec<String> {
    let (sheet, cells) = formula.split_once('!').unwrap();
    let re = regex::Regex::new(r"^\$([A-Z]+)\$(\d+):\$([A-Z]+)\$(\d+)$").unwrap();
    let c = re.captures(cells).unwrap();
    assert_eq!(&c[1], &c[3], "{formula}: one column");
    let col = column_index(&c[1]);
    let (r0, r1): (usize, usize) = (c[2].parse().unwrap(), c[4].parse().unwrap());
    let range = book.worksheet_range(sheet.trim_matches('\'')).unwrap();
    (r0..=r1)
        .map(|r| range.get((r - 1, col)).unwrap().to_string())
        .collect()
}

/// Each chart of the xlsx: its type tag (`barChart`, `lineChart`), and
/// per series the categories' and the values' formulas.
type ChartSeries = Vec<(String, String)>;

fn charts(x: &Path) -> Vec<(String, ChartSeries)> {
    let f = regex::Regex::new(r"<c:f>([^<]*)</c:f>").unwrap();
    parts(x, "xl/charts/chart")
        .iter()
        .map(|p| {
            let s = xml(x, p);
            let kind = ["barChart", "lineChart"]
                .into_iter()
                .find(|k| s.contains(&format!("<c:{k}>")))
                .unwrap_or("other")
                .to_string();
            let series = s
                .split("<c:ser>")
                .skip(1)
                .map(|ser| {
                    let cat = ser.split("<c:cat>").nth(1).unwrap();
                    let val = ser.split("<c:val>").nth(1).unwrap();
                    (
                        f.captures(cat).unwrap()[1].to_string(),
                        f.captures(val).unwrap()[1].to_string(),
                    )
                })
                .collect();
            (kind, series)
        })
        .collect()
}

/// A CSV column's values on the rows where `key` is `value`.
fn column_where(
    (header, rows): &(Vec<String>, Vec<Vec<String>>),
    column: &str,
    key: &str,
    value: &str,
) -> Vec<f64> {
    let c = header.iter().position(|h| h == column).unwrap();
    let k = header.iter().position(|h| h == key).unwrap();
    rows.iter()
        .filter(|r| r[k] == value)
        .map(|r| r[c].parse().unwrap())
        .collect()
}

fn numbers(v: Vec<String>) -> Vec<f64> {
    v.iter().map(|s| s.parse().unwrap()).collect()
}

#[test]
fn a_run_with_months_gives_every_csv_as_a_typed_formatted_sheet() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, x) = (tmp.path().join("run"), tmp.path().join("run.xlsx"));
    let scenario = crate::scenario("next-quarter-overage.toml");
    flowcast()
        .args(["run", &scenario, "--months", "3", "--trials", "20"])
        .args(["--quiet", "--no-charts"])
        .arg("--xlsx")
        .arg(&x)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut book: Xlsx<_> = open_workbook(&x).unwrap();
    let tables = ["teams", "daily", "total_overage", "alerts", "forecast"];
    let mut names = tables.to_vec();
    names.extend(["Assumptions", "Charts"]);
    assert_eq!(book.sheet_names(), names);
    // The workbook is not written into the result folder.
    assert!(!out.join("run.xlsx").exists());
    for (n, s) in tables.iter().enumerate() {
        let csv = out.join(format!("{s}.csv"));
        same_as_csv(&mut book, s, &csv);
        let (header, rows) = read_csv(&csv);
        formatted(&x, n + 1, &header, &rows);
    }
    // A few formats named outright, should the rule above drift.
    let st = styles(&x);
    let teams = cell_styles(&sheet_xml(&x, 1));
    let (th, _) = read_csv(&out.join("teams.csv"));
    let col = |name: &str| th.iter().position(|h| h == name).unwrap();
    assert_eq!(
        st[teams[&(1, col("overage_cost_usd_mean"))]].format,
        "$#,##0.00"
    );
    assert_eq!(st[teams[&(1, col("hit_probability"))]].format, "0.0%");
    assert_eq!(st[teams[&(1, col("team_months"))]].format, "#,##0");

    // Assumptions: the overage price labelled an assumption, per kind at
    // the teams table's price; the price source; the inputs one per row.
    let n = notes(&mut book);
    assert!(note(&n, "overage price: ASSUMPTION").contains("not published by Postman"));
    let teams = read_csv(&out.join("teams.csv"));
    for r in teams.1.iter().filter(|r| !r[0].starts_with('(')) {
        let price = &r[col("overage_price_usd_assumption")];
        let text = note(&n, &format!("overage price, {}", r[0]));
        if price.is_empty() {
            assert!(text.contains("off"), "{text}");
        } else {
            assert!(
                text.starts_with(&format!("${price} per 1,000-credit block: ASSUMPTION")),
                "{text}"
            );
        }
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        note(&n, "price source"),
        summary["price_source"].as_str().unwrap()
    );
    let assumptions: Vec<&str> = n
        .iter()
        .filter(|(w, _)| w == "assumption")
        .map(|(_, t)| t.as_str())
        .collect();
    let from_summary: Vec<&str> = summary["assumptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(assumptions, from_summary);
    assert_eq!(note(&n, "scenario file"), scenario);
    assert_eq!(note(&n, "scenario sha256"), sha256(&scenario));
    assert_eq!(note(&n, "seed"), summary["seed"].to_string());
    assert_eq!(note(&n, "trials"), "20");
    assert_eq!(note(&n, "override"), "--set calendar.months=3");
    assert_eq!(note(&n, "flowcast version"), env!("CARGO_PKG_VERSION"));

    // Charts: each kind's mean overage (a column chart of the teams sheet)
    // and the population's monthly P10/P50/P90 (a line chart whose series
    // are the forecast's population rows).
    let ch = charts(&x);
    assert_eq!(ch.len(), 2, "{ch:?}");
    assert_eq!(ch[0].0, "barChart");
    assert_eq!(ch[1].0, "lineChart");
    let forecast = read_csv(&out.join("forecast.csv"));
    assert_eq!(ch[1].1.len(), 3);
    for ((cat, val), q) in ch[1].1.iter().zip(["p10", "p50", "p90"]) {
        assert_eq!(
            numbers(chart_range(&mut book, cat)),
            column_where(&forecast, "month", "group", "population")
        );
        assert_eq!(
            numbers(chart_range(&mut book, val)),
            column_where(
                &forecast,
                &format!("overage_usd_{q}"),
                "group",
                "population"
            ),
            "{val}"
        );
    }
    assert!(sheet_xml(&x, 7).contains("<drawing r:id="));
}

#[test]
fn compare_and_sweep_workbooks_match_their_csvs() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, x) = (tmp.path().join("cmp"), tmp.path().join("cmp.xlsx"));
    let plans = crate::scenario("which-plan.toml");
    flowcast()
        .args(["compare", &plans, "--trials", "10", "--quiet"])
        .args(["--set", "usage_multiplier=1.2", "--xlsx"])
        .arg(&x)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut book: Xlsx<_> = open_workbook(&x).unwrap();
    assert_eq!(book.sheet_names(), ["compare", "Assumptions", "Charts"]);
    same_as_csv(&mut book, "compare", &out.join("compare.csv"));
    let cmp = read_csv(&out.join("compare.csv"));
    formatted(&x, 1, &cmp.0, &cmp.1);
    let n = notes(&mut book);
    assert_eq!(note(&n, "override"), "--set usage_multiplier=1.2");
    assert_eq!(note(&n, "trials"), "10");
    assert!(!note(&n, "price source").is_empty());
    assert!(note(&n, "overage price: ASSUMPTION").contains("not published"));
    // One column chart per kind: that kind's plans and mean total cost.
    let ch = charts(&x);
    let mut kinds: Vec<&str> = cmp.1.iter().map(|r| r[0].as_str()).collect();
    kinds.dedup();
    assert_eq!(ch.len(), kinds.len());
    for ((kind, series), k) in ch.iter().zip(&kinds) {
        assert_eq!(kind, "barChart");
        let (cat, val) = &series[0];
        let plans: Vec<String> = cmp
            .1
            .iter()
            .filter(|r| r[0] == *k)
            .map(|r| r[1].clone())
            .collect();
        assert_eq!(chart_range(&mut book, cat), plans);
        assert_eq!(
            numbers(chart_range(&mut book, val)),
            column_where(&cmp, "total_usd_mean", "kind", k)
        );
    }

    let (out, x) = (tmp.path().join("sw"), tmp.path().join("sw.xlsx"));
    flowcast()
        .args(["sweep", &crate::scenario("default.toml"), "--trials", "5"])
        .args(["--quiet", "--set", "usage_multiplier=1,1.5,2"])
        .arg("--xlsx")
        .arg(&x)
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let mut book: Xlsx<_> = open_workbook(&x).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["sweep", "population", "Assumptions", "Charts"]
    );
    same_as_csv(&mut book, "sweep", &out.join("sweep.csv"));
    let sweep = read_csv(&out.join("sweep.csv"));
    formatted(&x, 1, &sweep.0, &sweep.1);
    // The population sheet is the sweep's population rows, cell for cell.
    let g = sweep.0.iter().position(|h| h == "group").unwrap();
    let pop: Vec<Vec<String>> = sweep
        .1
        .iter()
        .filter(|r| r[g] == "population")
        .cloned()
        .collect();
    assert_eq!(pop.len(), 3);
    same_cells(&mut book, "population", &sweep.0, &pop);
    formatted(&x, 2, &sweep.0, &pop);
    let ch = charts(&x);
    assert_eq!(ch.len(), 1);
    let (cat, val) = &ch[0].1[0];
    assert_eq!(numbers(chart_range(&mut book, cat)), [1.0, 1.5, 2.0]);
    assert_eq!(
        numbers(chart_range(&mut book, val)),
        column_where(
            &sweep,
            "population_total_overage_usd_p50",
            "group",
            "population"
        )
    );
    let n = notes(&mut book);
    assert_eq!(note(&n, "overrides"), "none");
    assert!(!note(&n, "price source").is_empty());
}

#[test]
fn merge_writes_the_single_runs_workbook_and_a_shard_refuses_one() {
    let tmp = tempfile::tempdir().unwrap();
    let s = crate::scenario("default.toml");
    let args = [
        "run",
        &s,
        "--trials",
        "6",
        "--months",
        "2",
        "--no-charts",
        "--quiet",
    ];
    let (single, single_x) = (tmp.path().join("single"), tmp.path().join("single.xlsx"));
    flowcast()
        .args(args)
        .arg("--out")
        .arg(&single)
        .arg("--xlsx")
        .arg(&single_x)
        .assert()
        .success();
    let shard_x = tmp.path().join("shard.xlsx");
    let o = flowcast()
        .args(args)
        .args(["--shard", "0/2", "--out"])
        .arg(tmp.path().join("refused"))
        .arg("--xlsx")
        .arg(&shard_x)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(o.stdout.is_empty());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("--xlsx") && err.contains("merge"), "{err}");
    assert!(!shard_x.exists() && !tmp.path().join("refused").exists());
    let mut dirs = Vec::new();
    for i in 0..2 {
        let d = tmp.path().join(format!("shard-{i}"));
        flowcast()
            .args(args)
            .args(["--shard", &format!("{i}/2"), "--out"])
            .arg(&d)
            .assert()
            .success();
        dirs.push(d);
    }
    let (merged, merged_x) = (tmp.path().join("merged"), tmp.path().join("merged.xlsx"));
    flowcast()
        .arg("merge")
        .args(&dirs)
        .args(["--quiet", "--no-charts", "--out"])
        .arg(&merged)
        .arg("--xlsx")
        .arg(&merged_x)
        .assert()
        .success();
    let mut a: Xlsx<_> = open_workbook(&single_x).unwrap();
    let mut b: Xlsx<_> = open_workbook(&merged_x).unwrap();
    assert_eq!(a.sheet_names(), b.sheet_names());
    for s in ["teams", "daily", "total_overage", "alerts", "forecast"] {
        same_as_csv(&mut b, s, &merged.join(format!("{s}.csv")));
        assert_eq!(
            a.worksheet_range(s).unwrap(),
            b.worksheet_range(s).unwrap(),
            "{s}"
        );
    }
}

/// Runs `args` with `--out out` and `--xlsx xlsx` (and `fault` as
/// `FLOWCAST_FAULT`), expecting one line on stderr, exit 2 and nothing on
/// stdout; returns the line.
fn refused(args: &[&str], out: &Path, xlsx: &str, fault: &str) -> String {
    let o = flowcast()
        .args(args)
        .arg("--out")
        .arg(out)
        .args(["--xlsx", xlsx, "--quiet"])
        .env("FLOWCAST_FAULT", fault)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    err
}

/// The names in a folder, sorted.
fn listing(dir: &Path) -> Vec<std::ffi::OsString> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    v.sort();
    v
}

#[test]
fn an_unwritable_workbook_is_refused_before_any_work() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let d = crate::scenario("default.toml");
    let w = crate::scenario("which-plan.toml");
    // A folder that would have to be made inside a file, and a folder.
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let inside_a_file = file.join("x.xlsx").display().to_string();
    let dir = tmp.path().display().to_string();
    let mut paths = vec![inside_a_file.as_str(), &dir];
    // A folder where no file can be made, even by root.
    if Path::new("/proc/self").exists() {
        paths.push("/proc/flowcast-test.xlsx");
    }
    for cmd in [
        &["run", &d, "--trials", "4", "--no-charts"][..],
        &["compare", &w, "--trials", "2"],
        &[
            "sweep",
            &d,
            "--trials",
            "2",
            "--set",
            "usage_multiplier=1,2",
        ],
    ] {
        for x in &paths {
            let err = refused(cmd, &out, x, "");
            assert!(err.contains(&format!("--xlsx {x}")), "{err}");
            assert!(!out.exists(), "{cmd:?} {x}");
            assert_eq!(listing(tmp.path()), ["a-file"]);
        }
    }
    // A workbook in a folder that does not exist yet (beside the output
    // folder on a fresh clone) is written, its folder made, as --out's is.
    let fresh = tmp.path().join("new-folder").join("w.xlsx");
    flowcast()
        .args([
            "run",
            &d,
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
    assert_eq!(listing(fresh.parent().unwrap()), ["w.xlsx"]);
}

/// A disk that fills at each write in turn (the results', the workbook's,
/// the manifest's on publishing): every failure is one line, the old result
/// folder stays as it was and no workbook, temporary file or staging folder
/// is left; the first run that gets through writes both.
#[test]
fn a_failed_write_leaves_the_old_result_and_no_workbook() {
    let d = crate::scenario("default.toml");
    for cmd in [
        &["run", &d, "--trials", "4", "--months", "2", "--no-charts"][..],
        &[
            "sweep",
            &d,
            "--trials",
            "2",
            "--set",
            "usage_multiplier=1,2",
        ],
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let (out, x) = (tmp.path().join("out"), tmp.path().join("book.xlsx"));
        flowcast()
            .args(cmd)
            .args(["--quiet", "--seed", "7", "--out"])
            .arg(&out)
            .assert()
            .success();
        let (before, names) = (crate::tree_files(&out), listing(tmp.path()));
        let xs = x.display().to_string();
        let mut named_the_book = false;
        let mut n = 0;
        loop {
            let o = flowcast()
                .args(cmd)
                .args(["--quiet", "--out"])
                .arg(&out)
                .args(["--xlsx", &xs])
                .env("FLOWCAST_FAULT", format!("enospc-after={n}"))
                .output()
                .unwrap();
            if o.status.success() {
                break;
            }
            let err = refused(cmd, &out, &xs, &format!("enospc-after={n}"));
            named_the_book |= err.contains(&format!("--xlsx {xs}"));
            assert_eq!(crate::tree_files(&out), before, "{cmd:?} failing write {n}");
            assert_eq!(
                listing(tmp.path()),
                names,
                "{cmd:?} failing write {n}: {err}"
            );
            n += 1;
            assert!(n < 200, "{cmd:?}: never succeeds");
        }
        assert!(named_the_book, "{cmd:?}: no failure named the workbook");
        assert!(x.is_file());
        assert_ne!(crate::tree_files(&out), before);
    }
}
