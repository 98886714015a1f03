//! The one-file HTML report: charts inlined as SVG, no external resources.
//!
//! `report.html` must open anywhere, offline, and survive being mailed
//! around as a single file: styles are inline, charts are inline SVG, there
//! are no scripts, fonts or network requests (a Content-Security-Policy in
//! the page forbids them, so a mistake shows up as a broken page rather
//! than a silent fetch). It prints on A4. Every piece of text is
//! HTML-escaped, because scenario and team names come from users.

use std::fmt::Write as _;
use std::path::Path;

use super::charts::Figure;

/// A whole report.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The page's heading: "flowcast forecast: acme".
    pub title: String,
    /// One line under the heading (what was run, when).
    pub subtitle: String,
    /// Facts about the run as name/value pairs: seed, trials, months...
    pub meta: Vec<(String, String)>,
    /// Assumptions behind the numbers (e.g. an overage block price the
    /// source does not publish), shown in a labelled box at the top.
    pub assumptions: Vec<String>,
    /// Things the reader must notice before trusting the page (say, that
    /// its sections come from different inputs), in a box at the top.
    pub notices: Vec<String>,
    /// The sections, in order.
    pub sections: Vec<Section>,
    /// When set, each figure links to its PNG and SVG files in this folder,
    /// relative to the report ("charts").
    pub figure_dir: Option<String>,
}

/// One section: a heading, an introduction, tables, then figures.
#[derive(Debug, Clone, Default)]
pub struct Section {
    /// The section's heading.
    pub heading: String,
    /// A paragraph introducing it; may be empty.
    pub intro: String,
    /// Assumptions that apply to this section, shown labelled.
    pub assumptions: Vec<String>,
    /// Tables, in order.
    pub tables: Vec<Table>,
    /// Figures, in order.
    pub figures: Vec<Figure>,
}

/// A table of text cells; columns whose cells are all numbers are
/// right-aligned so that digits line up.
#[derive(Debug, Clone, Default)]
pub struct Table {
    /// What the table shows, above it.
    pub caption: String,
    /// Column headings.
    pub headers: Vec<String>,
    /// Rows of cells (already formatted numbers or text).
    pub rows: Vec<Vec<String>>,
    /// A note under the table; may be empty.
    pub note: String,
}

/// Escapes text for HTML element content and quoted attribute values: the
/// same escaping as the charts' SVG (one function for both).
pub fn escape(s: &str) -> String {
    super::charts::svg::escape_xml(s)
}

/// Whether a cell reads as a number: `1,234`, `-5`, `$3,400`, `38.2%`,
/// `1.2k`, `12 (95% CI 10 – 14)`, or a placeholder (`n/a`, `—`).
pub fn looks_numeric(cell: &str) -> bool {
    let t = cell.trim();
    if t == "n/a" || t == "\u{2014}" || t == "-" {
        return true;
    }
    let t = t.trim_start_matches(['-', '+', '\u{2212}', '<', '>', '~']);
    let t = t.strip_prefix('$').unwrap_or(t);
    t.chars().next().is_some_and(|c| c.is_ascii_digit())
}

/// Which columns of `table` are numeric: every non-empty cell looks like a
/// number and at least one is not a placeholder.
fn numeric_columns(table: &Table) -> Vec<bool> {
    let cols = table
        .rows
        .iter()
        .map(Vec::len)
        .chain(std::iter::once(table.headers.len()))
        .max()
        .unwrap_or(0);
    (0..cols)
        .map(|c| {
            let cells: Vec<&str> = table
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.trim())
                .filter(|s| !s.is_empty())
                .collect();
            !cells.is_empty()
                && cells.iter().all(|s| looks_numeric(s))
                && cells
                    .iter()
                    .any(|s| s.chars().any(|ch| ch.is_ascii_digit()))
        })
        .collect()
}

/// The report as one self-contained HTML document.
pub fn render(report: &Report) -> String {
    let mut h = String::with_capacity(
        64 * 1024
            + report
                .sections
                .iter()
                .flat_map(|s| &s.figures)
                .map(|f| f.svg.len() + 512)
                .sum::<usize>(),
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"flowcast {}\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n",
        env!("CARGO_PKG_VERSION"),
        escape(&report.title)
    );
    let _ = writeln!(h, "<header>\n<h1>{}</h1>", escape(&report.title));
    if !report.subtitle.is_empty() {
        let _ = writeln!(h, "<p class=\"subtitle\">{}</p>", escape(&report.subtitle));
    }
    if !report.meta.is_empty() {
        h.push_str("<dl class=\"meta\">\n");
        for (k, v) in &report.meta {
            let _ = writeln!(h, "<div><dt>{}</dt><dd>{}</dd></div>", escape(k), escape(v));
        }
        h.push_str("</dl>\n");
    }
    h.push_str("</header>\n");
    notices_box(&mut h, &report.notices);
    assumptions_box(&mut h, &report.assumptions);
    if report.sections.len() > 1 {
        h.push_str("<nav class=\"toc\"><h2>Contents</h2><ol>\n");
        for (i, s) in report.sections.iter().enumerate() {
            let _ = writeln!(
                h,
                "<li><a href=\"#s{}\">{}</a></li>",
                i + 1,
                escape(&s.heading)
            );
        }
        h.push_str("</ol></nav>\n");
    }
    let mut figure_no = 0;
    let mut table_no = 0;
    for (i, s) in report.sections.iter().enumerate() {
        let _ = writeln!(
            h,
            "<section id=\"s{}\">\n<h2>{}</h2>",
            i + 1,
            escape(&s.heading)
        );
        if !s.intro.is_empty() {
            let _ = writeln!(h, "<p>{}</p>", escape(&s.intro));
        }
        assumptions_box(&mut h, &s.assumptions);
        for t in &s.tables {
            table_no += 1;
            table_html(&mut h, t, table_no);
        }
        for f in &s.figures {
            figure_no += 1;
            let _ = write!(
                h,
                "<figure id=\"fig-{}\">\n{}\n<figcaption><span class=\"label\">Figure {figure_no}.</span> {}",
                escape(&f.name),
                svg_body(&f.svg),
                escape(&f.caption)
            );
            if let Some(dir) = &report.figure_dir {
                let base = format!("{}/{}", dir.trim_end_matches('/'), f.name);
                let _ = write!(
                    h,
                    " <span class=\"files\">(<a href=\"{0}.png\">PNG</a>, <a href=\"{0}.svg\">SVG</a>)</span>",
                    escape(&base)
                );
            }
            h.push_str("</figcaption>\n</figure>\n");
        }
        h.push_str("</section>\n");
    }
    h.push_str("</main>\n</body>\n</html>\n");
    h
}

/// Writes the report to `path` atomically (a temporary file renamed into
/// place), so that a failed run never leaves half a report.
pub fn write(path: &Path, report: &Report) -> std::io::Result<()> {
    crate::files::write_atomic(path, render(report).as_bytes())
}

/// An SVG document ready to inline in HTML: anything before the `<svg`
/// element (an XML declaration) dropped.
fn svg_body(svg: &str) -> &str {
    match svg.find("<svg") {
        Some(i) => svg[i..].trim_end(),
        None => "",
    }
}

fn notices_box(h: &mut String, items: &[String]) {
    if items.is_empty() {
        return;
    }
    h.push_str(
        "<aside class=\"notice\"><h3><span class=\"badge\">Note</span> Read this first</h3><ul>\n",
    );
    for a in items {
        let _ = writeln!(h, "<li>{}</li>", escape(a));
    }
    h.push_str("</ul></aside>\n");
}

fn assumptions_box(h: &mut String, items: &[String]) {
    if items.is_empty() {
        return;
    }
    h.push_str("<aside class=\"assumptions\"><h3><span class=\"badge\">Assumption</span> These numbers rest on inputs the source does not publish</h3><ul>\n");
    for a in items {
        let _ = writeln!(h, "<li>{}</li>", escape(a));
    }
    h.push_str("</ul></aside>\n");
}

/// A cell with each word kept whole: browsers break `agent-teams` or
/// `2026-07-01` after a hyphen in a narrow column, which reads as two
/// values. Spaces still wrap; the text copies unchanged (no look-alike
/// characters).
/// A path may still break after each `/` (a file name from the command
/// line can be longer than an A4 column).
fn unbroken_words(cell: &str) -> String {
    cell.split(' ')
        .map(|w| {
            w.split_inclusive('/')
                .map(|part| format!("<span class=\"w\">{}</span>", escape(part)))
                .collect::<Vec<_>>()
                .join("<wbr>")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn table_html(h: &mut String, t: &Table, number: usize) {
    let numeric = numeric_columns(t);
    let class = |c: usize| {
        if numeric.get(c).copied().unwrap_or(false) {
            " class=\"num\""
        } else {
            ""
        }
    };
    h.push_str("<div class=\"table-wrap\"><table>\n");
    if !t.caption.is_empty() {
        let _ = writeln!(
            h,
            "<caption><span class=\"label\">Table {number}.</span> {}</caption>",
            escape(&t.caption)
        );
    }
    if !t.headers.is_empty() {
        h.push_str("<thead><tr>");
        for (c, head) in t.headers.iter().enumerate() {
            let _ = write!(h, "<th scope=\"col\"{}>{}</th>", class(c), escape(head));
        }
        h.push_str("</tr></thead>\n");
    }
    h.push_str("<tbody>\n");
    for row in &t.rows {
        h.push_str("<tr>");
        for (c, cell) in row.iter().enumerate() {
            if c == 0 && !numeric.first().copied().unwrap_or(false) {
                let _ = write!(h, "<th scope=\"row\">{}</th>", unbroken_words(cell));
            } else {
                let _ = write!(h, "<td{}>{}</td>", class(c), unbroken_words(cell));
            }
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table>");
    if !t.note.is_empty() {
        let _ = write!(h, "<p class=\"table-note\">{}</p>", escape(&t.note));
    }
    h.push_str("</div>\n");
}

/// The page's styles: readable on screen, A4 when printed.
const CSS: &str = r#"
:root { --ink:#222; --muted:#555; --rule:#ddd; --accent:#0072B2; --warn:#D55E00; --paper:#fff; }
* { box-sizing: border-box; }
html { background: #f4f4f2; }
body { margin: 0; color: var(--ink); font: 16px/1.5 'DejaVu Sans', Verdana, 'Bitstream Vera Sans', Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 28px 36px 48px; background: var(--paper); }
h1 { font-size: 1.7rem; margin: 0 0 .2rem; line-height: 1.25; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 .6rem; padding-bottom: .2rem; border-bottom: 2px solid var(--accent); }
h3 { font-size: 1rem; margin: 0 0 .4rem; }
p { margin: .4rem 0 .8rem; max-width: 75ch; }
.subtitle { color: var(--muted); margin-top: 0; }
dl.meta { display: flex; flex-wrap: wrap; gap: .4rem 1.6rem; margin: .8rem 0 1rem; padding: .6rem .9rem; background: #f2f6fa; border-radius: 4px; }
dl.meta div { display: flex; gap: .4rem; }
dl.meta dt { color: var(--muted); }
dl.meta dt::after { content: ":"; }
dl.meta dd { margin: 0; font-weight: bold; font-variant-numeric: tabular-nums; }
aside.assumptions { border-left: 5px solid var(--warn); background: #fdf3ec; padding: .6rem 1rem; margin: 1rem 0; }
aside.assumptions ul { margin: .2rem 0; padding-left: 1.2rem; }
aside.notice { border-left: 5px solid #0072b2; background: #eef5fb; padding: .6rem 1rem; margin: 1rem 0; }
aside.notice ul { margin: .2rem 0; padding-left: 1.2rem; }
.badge { display: inline-block; background: var(--warn); color: #fff; font-size: .75rem; text-transform: uppercase; letter-spacing: .04em; padding: .05rem .45rem; border-radius: 3px; margin-right: .4rem; vertical-align: .1em; }
nav.toc ol { margin: .2rem 0; padding-left: 1.4rem; columns: 2; }
nav.toc h2 { border: 0; margin-top: 1rem; font-size: 1.05rem; }
a { color: var(--accent); }
.table-wrap { overflow-x: auto; margin: 1rem 0 1.4rem; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
caption { text-align: left; font-weight: bold; padding-bottom: .4rem; caption-side: top; }
th, td { padding: .35rem .6rem; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
thead th { border-bottom: 2px solid #999; }
tbody th { font-weight: normal; }
.num { text-align: right; font-variant-numeric: tabular-nums; }
.w { white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafafa; }
.table-note { color: var(--muted); font-size: .85rem; margin: .3rem 0 0; }
figure { margin: 1.2rem 0 2rem; }
figure svg { display: block; width: 100%; height: auto; max-width: 1000px; border: 1px solid var(--rule); }
figcaption { color: var(--ink); font-size: .92rem; margin-top: .4rem; max-width: 1000px; }
.label { font-weight: bold; }
.files { color: var(--muted); white-space: nowrap; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  html { background: none; }
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  figure, table, aside { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  table { font-size: 8.5pt; }
  th, td { padding: .2rem .3rem; }
  nav.toc, .files { display: none; }
  a { color: inherit; text-decoration: none; }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_recognised_and_words_are_not() {
        for n in [
            "1,234",
            "-5",
            "$3,400",
            "38.2%",
            "1.2k",
            "<0.1%",
            "n/a",
            "12 (95% CI 10 \u{2013} 14)",
        ] {
            assert!(looks_numeric(n), "{n}");
        }
        for w in ["team", "api-team", "", "$", "P90"] {
            assert!(!looks_numeric(w), "{w}");
        }
    }

    #[test]
    fn only_all_numeric_columns_are_right_aligned() {
        let t = Table {
            headers: vec![
                "kind".into(),
                "credits".into(),
                "mixed".into(),
                "blank".into(),
            ],
            rows: vec![
                vec!["api".into(), "1,200".into(), "12".into(), "n/a".into()],
                vec!["ai".into(), "$3".into(), "lots".into(), "".into()],
            ],
            ..Default::default()
        };
        assert_eq!(numeric_columns(&t), vec![false, true, false, false]);
        let mut h = String::new();
        table_html(&mut h, &t, 1);
        assert!(h.contains("<th scope=\"col\" class=\"num\">credits</th>"));
        assert!(h.contains("<td class=\"num\"><span class=\"w\">1,200</span></td>"));
        assert!(h.contains("<th scope=\"row\"><span class=\"w\">api</span></th>"));
        assert!(h.contains("<td><span class=\"w\">lots</span></td>"));
    }

    #[test]
    fn user_text_is_escaped_everywhere() {
        let evil = "<script>alert('x')</script> & \"q\"";
        let report = Report {
            title: evil.into(),
            subtitle: evil.into(),
            meta: vec![(evil.into(), evil.into())],
            notices: vec![evil.into()],
            assumptions: vec![evil.into()],
            sections: vec![Section {
                heading: evil.into(),
                intro: evil.into(),
                assumptions: vec![],
                tables: vec![Table {
                    caption: evil.into(),
                    headers: vec![evil.into()],
                    rows: vec![vec![evil.into()]],
                    note: evil.into(),
                }],
                figures: vec![Figure {
                    name: "f".into(),
                    title: "t".into(),
                    caption: evil.into(),
                    svg: "<svg></svg>".into(),
                }],
            }],
            figure_dir: None,
        };
        let html = render(&report);
        assert!(!html.contains("<script"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;")
        );
    }

    #[test]
    fn report_is_self_contained() {
        let report = Report {
            title: "r".into(),
            sections: vec![Section {
                heading: "s".into(),
                figures: vec![Figure {
                    name: "fan".into(),
                    title: "t".into(),
                    caption: "c".into(),
                    svg: "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>\n".into(),
                }],
                ..Default::default()
            }],
            ..Default::default()
        };
        let html = render(&report);
        // No scripts, no remote or relative resources; the XML declaration
        // of a standalone SVG is dropped when inlined.
        for banned in [
            "<script", "src=", "<link", "http://", "https://", "@import", "url(",
        ] {
            let allowed_svg_ns = banned == "http://" && html.matches("http://").count() == 1;
            assert!(!html.contains(banned) || allowed_svg_ns, "{banned}");
        }
        assert!(!html.contains("<?xml"));
        assert!(html.contains("<figcaption><span class=\"label\">Figure 1.</span> c</figcaption>"));
        assert!(html.contains("Content-Security-Policy"));
    }
}
