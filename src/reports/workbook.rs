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

use rust_xlsxwriter::{
    Chart, ChartFont, ChartLegendPosition, ChartType, Format, FormatAlign, FormatBorder, Workbook,
    Worksheet, XlsxError,
};

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

/// Tables up to this many columns print one page wide; wider ones (the
/// teams sheet's 60) would shrink past reading and print across pages.
const PRINT_FIT_COLUMNS: usize = 12;

/// Excel's limit on a sheet name.
const SHEET_NAME_MAX: usize = 31;

/// How a column's numbers are shown, from its name and the most decimals
/// its CSV prints: `*usd*` currency with cents, `*share*` and
/// `*probability*` percent with one decimal, others with thousands
/// separators and the CSV's decimals (whole counts none).
fn number_format(column: &str, decimals: usize) -> String {
    let c = column.to_ascii_lowercase();
    if c.contains("usd") {
        "$#,##0.00".to_string()
    } else if c.contains("share") || c.contains("probability") {
        "0.0%".to_string()
    } else if decimals == 0 {
        "#,##0".to_string()
    } else {
        format!("#,##0.{}", "0".repeat(decimals.min(6)))
    }
}

/// The decimals a CSV number prints (`12.50` has 2, `7` and `1e-5` none
/// counted past the exponent).
fn decimals(text: &str) -> usize {
    let mantissa = text.split(['e', 'E']).next().unwrap_or("");
    mantissa.split_once('.').map_or(0, |(_, d)| d.len())
}

/// A CSV cell as the number Excel should hold, if it is one.
fn number(text: &str) -> Option<f64> {
    text.parse::<f64>().ok().filter(|x| x.is_finite())
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

/// Writes one table into `ws`: a bold, frozen, filterable header row,
/// numbers as numbers in their column's format, empty CSV cells left
/// blank, widths to fit (the header whole, values up to 40 characters),
/// and a page setup that prints it landscape, the header on every page
/// (one page wide when it has at most [`PRINT_FIT_COLUMNS`] columns).
fn table(ws: &mut Worksheet, header: &[String], rows: &[Vec<String>]) -> Result<(), XlsxError> {
    let columns = header.len();
    // A column is numeric when every non-empty value in it is a number;
    // its format shows as many decimals as the CSV prints at most.
    let numeric: Vec<bool> = (0..columns)
        .map(|c| {
            let mut values = rows
                .iter()
                .filter_map(|r| r.get(c))
                .filter(|v| !v.is_empty());
            let mut any = false;
            values.all(|v| {
                any = true;
                number(v).is_some()
            }) && any
        })
        .collect();
    let formats: Vec<Format> = header
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let d = rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|v| decimals(v))
                .max()
                .unwrap_or(0);
            Format::new().set_num_format(number_format(h, d))
        })
        .collect();
    // Text indented one step, so it does not touch a right-aligned number
    // in the column before it.
    let text = Format::new().set_indent(1);
    let bold = Format::new()
        .set_bold()
        .set_indent(1)
        .set_border_bottom(FormatBorder::Thin);
    let bold_right = Format::new()
        .set_bold()
        .set_align(FormatAlign::Right)
        .set_border_bottom(FormatBorder::Thin);
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for (c, h) in header.iter().enumerate() {
        let f = if numeric[c] { &bold_right } else { &bold };
        ws.write_string_with_format(0, c as u16, h, f)?;
    }
    for (i, row) in rows.iter().enumerate() {
        let r = (i + 1) as u32;
        for (c, v) in row.iter().enumerate() {
            let col = c as u16;
            if v.is_empty() {
                continue;
            }
            match (number(v), formats.get(c)) {
                (Some(x), Some(f)) => {
                    ws.write_number_with_format(r, col, x, f)?;
                    // Formatted, a number gains separators and symbols.
                    if let Some(w) = widths.get_mut(c) {
                        *w = (*w).max(v.len() + v.len() / 3 + 2);
                    }
                }
                _ => {
                    ws.write_string_with_format(r, col, v, &text)?;
                    if let Some(w) = widths.get_mut(c) {
                        *w = (*w).max(v.len() + 1);
                    }
                }
            }
        }
    }
    ws.set_freeze_panes(1, 0)?;
    if columns > 0 {
        let last_col = (columns - 1) as u16;
        ws.autofilter(0, 0, rows.len() as u32, last_col)?;
        ws.set_repeat_rows(0, 0)?;
    }
    ws.set_landscape();
    if columns <= PRINT_FIT_COLUMNS {
        ws.set_print_fit_to_pages(1, 0);
    }
    for (c, w) in widths.iter().enumerate() {
        // Bold headers and the filter button need a little more room.
        let header_width = header.get(c).map_or(0, |h| h.len());
        let w = (*w).min(40).max(header_width);
        ws.set_column_width(c as u16, (w as f64 + 3.0).max(8.0))?;
    }
    Ok(())
}

/// Width of the Assumptions sheet's text column, in characters.
const NOTE_WIDTH: usize = 100;

/// The Assumptions sheet: two columns, `what` and `text`, the text wrapped
/// and each row as tall as its lines (written out: a reader need not fit
/// row heights to wrapped text, and LibreOffice does not).
fn assumptions_sheet(ws: &mut Worksheet, notes: &[(String, String)]) -> Result<(), XlsxError> {
    ws.set_name("Assumptions")?;
    let bold = Format::new()
        .set_bold()
        .set_border_bottom(FormatBorder::Thin);
    let top = Format::new().set_align(FormatAlign::Top);
    let wrap = Format::new().set_text_wrap().set_align(FormatAlign::Top);
    ws.write_string_with_format(0, 0, "what", &bold)?;
    ws.write_string_with_format(0, 1, "text", &bold)?;
    for (i, (what, text)) in notes.iter().enumerate() {
        let r = (i + 1) as u32;
        ws.write_string_with_format(r, 0, what, &top)?;
        ws.write_string_with_format(r, 1, text, &wrap)?;
        // Proportional text fits about 1.2 characters per width unit (an
        // overestimate of the lines only leaves space).
        let lines = text.chars().count().div_ceil(NOTE_WIDTH * 12 / 10).max(1);
        if lines > 1 {
            ws.set_row_height(r, 15.0 * lines as f64)?;
        }
    }
    let what = notes.iter().map(|(w, _)| w.len()).max().unwrap_or(4);
    ws.set_column_width(0, (what + 2) as f64)?;
    ws.set_column_width(1, NOTE_WIDTH as f64)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_landscape().set_print_fit_to_pages(1, 0);
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
    assumptions_sheet(wb.add_worksheet(), notes).map_err(err)?;
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
        chart
            .title()
            .set_name(&spec.title)
            .set_font(ChartFont::new().set_size(12).set_bold());
        chart.legend().set_position(ChartLegendPosition::Bottom);
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
        chart.set_width(720).set_height(360);
        made.push(chart);
    }
    if !made.is_empty() {
        // The charts on a sheet of their own, one under the other (a
        // 360-pixel chart spans 18 rows of 20 pixels), data on the tables'
        // sheets.
        let ws = wb.add_worksheet();
        ws.set_name("Charts").map_err(err)?;
        ws.set_landscape().set_print_fit_to_pages(1, 0);
        for (i, chart) in made.iter().enumerate() {
            ws.insert_chart(1 + 20 * i as u32, 1, chart).map_err(err)?;
        }
    }
    wb.save_to_buffer().map_err(err)
}

/// One kind's overage price, for the Assumptions sheet.
struct KindPrice<'a> {
    kind: &'a str,
    /// USD per block, when overage can be on.
    usd: Option<f64>,
    /// Credits per block.
    block_credits: u64,
}

/// The Assumptions sheet's rows common to every result: the overage price
/// (labelled an ASSUMPTION, per kind when known), where the credit prices
/// come from, the result's assumptions, and its inputs one per row.
fn notes(
    assumptions: &[String],
    price_source: Option<&str>,
    prices: &[KindPrice],
    inputs: Option<&crate::provenance::Inputs>,
) -> Vec<(String, String)> {
    let mut out = vec![(
        "overage price: ASSUMPTION".to_string(),
        super::cells::PRICE_NOTE.to_string(),
    )];
    for p in prices {
        let block = crate::numbers::group_digits(&p.block_credits.to_string());
        let text = match p.usd {
            Some(usd) => format!(
                "${usd:.2} per {block}-credit block: ASSUMPTION ({})",
                crate::statistics::summary::OVERAGE_PRICE_NOTE.trim_start_matches("assumption: ")
            ),
            None => "overage off: no overage price".to_string(),
        };
        out.push((format!("overage price, {}", p.kind), text));
    }
    if let Some(src) = price_source {
        out.push(("price source".to_string(), src.to_string()));
    }
    out.extend(
        assumptions
            .iter()
            .map(|a| ("assumption".to_string(), a.clone())),
    );
    if let Some(i) = inputs {
        out.push(("computed from".to_string(), i.describe()));
        out.push(("command".to_string(), i.command.clone()));
        out.push(("scenario file".to_string(), i.input_file.clone()));
        out.push(("scenario sha256".to_string(), i.input_sha256.clone()));
        out.push(("seed".to_string(), i.seed.to_string()));
        out.push(("trials".to_string(), i.trials.to_string()));
        if i.overrides.is_empty() {
            out.push(("overrides".to_string(), "none".to_string()));
        }
        for o in &i.overrides {
            out.push(("override".to_string(), format!("--set {o}")));
        }
        out.push(("flowcast version".to_string(), i.flowcast_version.clone()));
    }
    out
}

/// The price rows of the scenario a comparison or sweep started from (as
/// loaded, `--set` overrides applied).
fn scenario_prices(s: &crate::scenario::Scenario) -> Vec<KindPrice<'_>> {
    s.kinds
        .iter()
        .map(|k| KindPrice {
            kind: &k.name,
            usd: k.overage_price,
            block_credits: s.prices.block_credits,
        })
        .collect()
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
    let prices: Vec<KindPrice> = s
        .kinds
        .iter()
        .map(|k| KindPrice {
            kind: &k.name,
            usd: k.plan.overage_price_usd,
            block_credits: k.plan.block_credits,
        })
        .collect();
    let mut n = notes(
        &s.assumptions,
        Some(&s.price_source),
        &prices,
        s.inputs.as_ref(),
    );
    if let Some(sh) = &s.shared_shocks {
        n.push(("shared shocks".into(), super::run::shock_sentence(sh)));
    }
    workbook(&tables, &n, &charts)
}

/// A `compare`'s workbook: the comparison sheet, and per kind a chart of
/// the mean monthly cost by plan. `base`, the scenario compared (as loaded,
/// overrides applied), gives the Assumptions sheet its price source and
/// overage prices.
pub fn compare_book(
    c: &crate::planning::compare::Comparison,
    base: Option<&crate::scenario::Scenario>,
) -> Result<Vec<u8>, String> {
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
    let mut n = notes(
        &c.assumptions,
        base.map(|b| b.prices.source.as_str()),
        &base.map(scenario_prices).unwrap_or_default(),
        c.inputs.as_ref(),
    );
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
/// and total at each value of a one-axis grid. `base`, the scenario swept
/// (as loaded), gives the Assumptions sheet its price source and overage
/// prices (a swept `overage_price` varies by row: see the sweep sheet).
pub fn sweep_book(
    s: &crate::planning::sweep::Sweep,
    base: Option<&crate::scenario::Scenario>,
) -> Result<Vec<u8>, String> {
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
    let mut n = notes(
        &[],
        base.map(|b| b.prices.source.as_str()),
        &base.map(scenario_prices).unwrap_or_default(),
        s.inputs.as_ref(),
    );
    n.push(("how to read it".into(), s.note.clone()));
    workbook(&tables, &n, &charts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_follow_the_column_names() {
        assert_eq!(number_format("overage_usd_p90", 2), "$#,##0.00");
        assert_eq!(number_format("hit_probability", 4), "0.0%");
        assert_eq!(number_format("suspended_share_ci_low", 4), "0.0%");
        assert_eq!(number_format("credits_used_p50", 0), "#,##0");
        assert_eq!(number_format("lead_days_mean", 3), "#,##0.000");
        assert_eq!(number_format("usage_multiplier", 1), "#,##0.0");
    }

    #[test]
    fn decimals_are_the_csvs() {
        assert_eq!(decimals("12.50"), 2);
        assert_eq!(decimals("7"), 0);
        assert_eq!(decimals("-0.125"), 3);
        assert_eq!(decimals("1.5e-7"), 1);
        assert_eq!(number("inf"), None);
        assert_eq!(number("NaN"), None);
        assert_eq!(number("2026-07-01"), None);
        assert_eq!(number("1,234"), None);
    }
}
