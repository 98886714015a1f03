//! The finance workbook (`--xlsx FILE` on `run`, `compare`, `sweep` and
//! `merge`): every table the command writes as CSV becomes a sheet of the
//! same rows and columns, with typed numbers instead of text, number formats
//! read from the column's name (`*_usd*` currency, `*share*` and
//! `*probability*` percent, whole counts with thousands separators), a bold
//! frozen header row and column widths to fit; an Assumptions sheet (the
//! result's assumptions and inputs, the overage price labelled an
//! assumption); and native Excel charts of the headline series on a Charts
//! sheet (their data stay on the tables' sheets).
//!
//! The sheets are made from the CSV bytes themselves, so a workbook can never
//! disagree with the CSVs (a test reads it back with another library and
//! compares every cell).

use rust_xlsxwriter::{Chart, ChartType, Format, Workbook, Worksheet, XlsxError};

/// A native chart of one sheet's columns, over the rows whose `filter`
/// column holds the given value (those rows must be consecutive).
#[derive(Clone, Debug)]
pub struct ChartSpec {
    /// Sheet (table) name.
    pub sheet: String,
    /// Chart title.
    pub title: String,
    /// A line (`true`) or a column chart.
    pub line: bool,
    /// `(column, value)`: the rows charted.
    pub filter: Option<(String, String)>,
    /// The categories' column.
    pub x: String,
    /// The value columns, one series each.
    pub ys: Vec<String>,
    /// The value axis' title.
    pub y_title: String,
}

/// Excel's limit on a sheet name.
const SHEET_NAME_MAX: usize = 31;

/// How a column's numbers are shown, from its name.
fn number_format(column: &str, whole: bool) -> &'static str {
    let c = column.to_ascii_lowercase();
    if c.contains("usd") {
        "$#,##0.00"
    } else if c.contains("share") || c.contains("probability") {
        "0.0%"
    } else if whole {
        "#,##0"
    } else {
        "#,##0.00"
    }
}

/// A CSV table: header and rows of text cells.
fn parse(csv_bytes: &[u8]) -> Result<(Vec<String>, Vec<Vec<String>>), String> {
    let mut r = csv::ReaderBuilder::new().from_reader(csv_bytes);
    let header = r
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(String::from)
        .collect();
    let mut rows = Vec::new();
    for rec in r.records() {
        rows.push(
            rec.map_err(|e| e.to_string())?
                .iter()
                .map(String::from)
                .collect(),
        );
    }
    Ok((header, rows))
}

/// Writes one table into `ws`; returns the header (for the charts).
fn table(ws: &mut Worksheet, header: &[String], rows: &[Vec<String>]) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    let mut widths: Vec<usize> = header.iter().map(|h| h.len().min(40)).collect();
    for (c, h) in header.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &bold)?;
    }
    // A column is whole numbers when every value in it is.
    let whole: Vec<bool> = (0..header.len())
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .filter(|v| !v.is_empty())
                .all(|v| v.parse::<i64>().is_ok())
        })
        .collect();
    let formats: Vec<Format> = header
        .iter()
        .zip(&whole)
        .map(|(h, w)| Format::new().set_num_format(number_format(h, *w)))
        .collect();
    for (i, row) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        for (c, v) in row.iter().enumerate() {
            let col = c as u16;
            match v.parse::<f64>() {
                Ok(x) if x.is_finite() && !v.is_empty() => {
                    ws.write_number_with_format(r, col, x, &formats[c.min(formats.len() - 1)])?;
                }
                _ => {
                    ws.write_string(r, col, v)?;
                }
            }
            if let Some(w) = widths.get_mut(c) {
                *w = (*w).max(v.len().min(40));
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w as f64 + 2.0).max(8.0))?;
    }
    Ok(())
}

/// The workbook of `tables` (sheet name, CSV bytes), `notes` (the
/// Assumptions sheet's rows: what, text) and `charts`, as xlsx bytes.
pub fn workbook(
    tables: &[(String, Vec<u8>)],
    notes: &[(String, String)],
    charts: &[ChartSpec],
) -> Result<Vec<u8>, String> {
    let err = |e: XlsxError| e.to_string();
    let mut wb = Workbook::new();
    let mut parsed = Vec::new();
    for (name, bytes) in tables {
        let (header, rows) = parse(bytes).map_err(|e| format!("{name}: {e}"))?;
        let sheet: String = name.chars().take(SHEET_NAME_MAX).collect();
        let ws = wb.add_worksheet();
        ws.set_name(&sheet).map_err(err)?;
        table(ws, &header, &rows).map_err(err)?;
        parsed.push((sheet, header, rows));
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("Assumptions").map_err(err)?;
        let bold = Format::new().set_bold();
        let wrap = Format::new().set_text_wrap();
        ws.write_string_with_format(0, 0, "what", &bold)
            .map_err(err)?;
        ws.write_string_with_format(0, 1, "text", &bold)
            .map_err(err)?;
        for (i, (what, text)) in notes.iter().enumerate() {
            let r = (i + 1) as u32;
            ws.write_string(r, 0, what).map_err(err)?;
            ws.write_string_with_format(r, 1, text, &wrap)
                .map_err(err)?;
        }
        ws.set_column_width(0, 24).map_err(err)?;
        ws.set_column_width(1, 110).map_err(err)?;
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    let mut made = Vec::new();
    for spec in charts {
        let Some((sheet, header, rows)) = parsed.iter().find(|(s, _, _)| *s == spec.sheet) else {
            continue;
        };
        let col = |name: &str| header.iter().position(|h| h == name);
        let picked: Vec<usize> = match &spec.filter {
            None => (0..rows.len()).collect(),
            Some((c, v)) => match col(c) {
                Some(ci) => (0..rows.len())
                    .filter(|&i| rows[i].get(ci) == Some(v))
                    .collect(),
                None => continue,
            },
        };
        let (Some(&first), Some(&last), Some(x)) = (picked.first(), picked.last(), col(&spec.x))
        else {
            continue;
        };
        // Excel series are ranges: the rows must be consecutive.
        if last - first + 1 != picked.len() {
            continue;
        }
        let (r0, r1) = ((first + 1) as u32, (last + 1) as u32);
        let mut chart = Chart::new(if spec.line {
            ChartType::Line
        } else {
            ChartType::Column
        });
        chart.title().set_name(&spec.title);
        chart.x_axis().set_name(&spec.x);
        chart
            .y_axis()
            .set_name(&spec.y_title)
            .set_num_format("$#,##0");
        for y in &spec.ys {
            let Some(yc) = col(y) else { continue };
            chart
                .add_series()
                .set_name(y.as_str())
                .set_categories((sheet.as_str(), r0, x as u16, r1, x as u16))
                .set_values((sheet.as_str(), r0, yc as u16, r1, yc as u16));
        }
        chart.set_width(760).set_height(340);
        made.push(chart);
    }
    if !made.is_empty() {
        // The charts on a sheet of their own, one under the other (a
        // 340-pixel chart spans about 18 rows), data on the tables' sheets.
        let ws = wb.add_worksheet();
        ws.set_name("Charts").map_err(err)?;
        for (i, chart) in made.iter().enumerate() {
            ws.insert_chart(1 + 19 * i as u32, 1, chart).map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

/// The Assumptions sheet's rows common to every result.
fn notes(
    assumptions: &[String],
    inputs: Option<&crate::provenance::Inputs>,
) -> Vec<(String, String)> {
    let mut out = vec![(
        "overage price".to_string(),
        super::cells::PRICE_NOTE.to_string(),
    )];
    out.extend(
        assumptions
            .iter()
            .map(|a| ("assumption".to_string(), a.clone())),
    );
    if let Some(i) = inputs {
        out.push(("computed from".to_string(), i.describe()));
        out.push(("scenario file".to_string(), i.input_file.clone()));
        out.push(("scenario sha256".to_string(), i.input_sha256.clone()));
        out.push(("flowcast".to_string(), i.flowcast_version.clone()));
    }
    out
}

fn csv_table(name: &str, bytes: Result<Vec<u8>, csv::Error>) -> Result<(String, Vec<u8>), String> {
    bytes
        .map(|b| (name.to_string(), b))
        .map_err(|e| format!("{name}: {e}"))
}

/// A `run`'s workbook: teams, daily, total_overage, alerts and (over several
/// cycles) forecast sheets; charts of each kind's mean overage and of the
/// population's monthly overage band.
pub fn run_book(
    s: &crate::statistics::Summary,
    alerts: &[crate::planning::alerts::AlertRow],
    forecast: Option<&crate::planning::forecast::Forecast>,
) -> Result<Vec<u8>, String> {
    let mut tables = vec![
        csv_table("teams", super::run::teams_csv(s))?,
        csv_table("daily", super::run::daily_csv(s))?,
        csv_table("total_overage", super::run::total_overage_csv(s))?,
        csv_table("alerts", super::alerts::alerts_csv(alerts))?,
    ];
    let mut charts = vec![ChartSpec {
        sheet: "teams".into(),
        title: "Mean overage per team-month by kind (USD)".into(),
        line: false,
        filter: None,
        x: "kind".into(),
        ys: vec!["overage_cost_usd_mean".into()],
        y_title: "USD".into(),
    }];
    if let Some(f) = forecast {
        tables.push(csv_table("forecast", super::forecast::forecast_csv(f))?);
        charts.push(ChartSpec {
            sheet: "forecast".into(),
            title: "The population's overage by month: P10, P50, P90 (USD)".into(),
            line: true,
            filter: Some(("group".into(), "population".into())),
            x: "month".into(),
            ys: ["overage_usd_p10", "overage_usd_p50", "overage_usd_p90"]
                .map(String::from)
                .to_vec(),
            y_title: "USD".into(),
        });
    }
    let mut n = notes(&s.assumptions, s.inputs.as_ref());
    if let Some(sh) = &s.shared_shocks {
        n.push(("shared shocks".into(), super::run::shock_sentence(sh)));
    }
    workbook(&tables, &n, &charts)
}

/// A `compare`'s workbook: the comparison sheet, and per kind a chart of
/// the mean monthly cost by plan.
pub fn compare_book(c: &crate::planning::compare::Comparison) -> Result<Vec<u8>, String> {
    let tables = vec![csv_table("compare", super::compare::compare_csv(c))?];
    let mut kinds: Vec<&str> = Vec::new();
    for r in &c.rows {
        if !kinds.contains(&r.kind.as_str()) {
            kinds.push(&r.kind);
        }
    }
    let charts: Vec<ChartSpec> = kinds
        .iter()
        .map(|k| ChartSpec {
            sheet: "compare".into(),
            title: format!("Mean monthly cost per team by plan: {k} (USD)"),
            line: false,
            filter: Some(("kind".into(), k.to_string())),
            x: "plan".into(),
            ys: vec!["total_usd_mean".into()],
            y_title: "USD".into(),
        })
        .collect();
    let mut n = notes(&c.assumptions, c.inputs.as_ref());
    n.push((
        "common random numbers".into(),
        c.common_random_numbers.clone(),
    ));
    n.push(("rule".into(), c.rule.clone()));
    workbook(&tables, &n, &charts)
}

/// The rows of a CSV table whose `column` is `value`, as a CSV table.
fn rows_where(bytes: &[u8], column: &str, value: &str) -> Result<Vec<u8>, String> {
    let (header, rows) = parse(bytes)?;
    let c = header
        .iter()
        .position(|h| h == column)
        .ok_or_else(|| format!("no column {column}"))?;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&header).map_err(|e| e.to_string())?;
    for r in rows
        .iter()
        .filter(|r| r.get(c).map(String::as_str) == Some(value))
    {
        w.write_record(r).map_err(|e| e.to_string())?;
    }
    w.into_inner().map_err(|e| e.to_string())
}

/// A `sweep`'s workbook: the sweep sheet, its population rows on a sheet of
/// their own (`population`), and a chart of the population's mean overage
/// and total at each value of a one-axis grid.
pub fn sweep_book(s: &crate::planning::sweep::Sweep) -> Result<Vec<u8>, String> {
    let all = csv_table("sweep", super::sweep::sweep_csv(s))?;
    let population = rows_where(&all.1, "group", "population")?;
    let tables = vec![all, ("population".to_string(), population)];
    let charts = match s.axes.first() {
        Some(a) if s.axes.len() == 1 => vec![ChartSpec {
            sheet: "population".into(),
            title: format!("The population's total overage by {} (USD)", a.key),
            line: false,
            filter: None,
            x: a.key.clone(),
            ys: vec![
                "population_total_overage_usd_p50".into(),
                "population_total_overage_usd_p90".into(),
            ],
            y_title: "USD".into(),
        }],
        _ => Vec::new(),
    };
    let mut n = notes(&[], s.inputs.as_ref());
    n.push(("how to read it".into(), s.note.clone()));
    workbook(&tables, &n, &charts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_column_names() {
        assert_eq!(number_format("overage_usd_p90", false), "$#,##0.00");
        assert_eq!(number_format("hit_probability", false), "0.0%");
        assert_eq!(number_format("suspended_share_ci_low", false), "0.0%");
        assert_eq!(number_format("credits_used_p50", true), "#,##0");
        assert_eq!(number_format("lead_days_mean", false), "#,##0.00");
    }
}
