//! Charts end to end: every kind written as PNG and SVG, what the reader
//! sees in them (hand-derived numbers in annotations and legends, palette
//! colours, text), determinism across thread counts, and no panics on
//! degenerate or hostile input.

use crate::report_support::{decode_png, OKABE_BLUE, OKABE_GREEN, OKABE_ORANGE, OKABE_VERMILLION};
use flowcast::reports::charts::{
    font, write_all, BandPoint, BandSeries, BarSeries, Chart, ChartError, ChartFile, FanChart,
    Histogram, HitCdf, HitSeries, LineBand, Mark, Reference, StackedBars, Tornado, TornadoBar,
    Unit,
};
use proptest::prelude::*;

/// A fan whose bands are straight lines: P10 = 2d, P25 = 5d, P50 = 10d,
/// P75 = 15d, P90 = 20d credits by day d, with a 100-credit allotment. By
/// hand: P90 reaches 100 on day 5, P75 on day 6.67 (so during day 7), the
/// median on day 10, P25 on day 20, and P10 (60 by day 30) never.
fn linear_fan() -> FanChart {
    let days: Vec<f64> = (1..=30).map(f64::from).collect();
    let band = |k: f64| days.iter().map(|d| k * d).collect::<Vec<_>>();
    FanChart {
        title: "Credits used through the month: api-team".into(),
        subtitle: "Scenario: test".into(),
        x_label: "day of the billing month".into(),
        y_label: "credits used so far".into(),
        x_unit: Unit::Days,
        y_unit: Unit::Credits,
        x: days.clone(),
        p10: band(2.0),
        p25: band(5.0),
        p50: band(10.0),
        p75: band(15.0),
        p90: band(20.0),
        reference: Some(Reference {
            label: "team plan allotment (100 credits)".into(),
            value: 100.0,
        }),
        ..Default::default()
    }
}

fn hit_cdf() -> HitCdf {
    HitCdf {
        title: "When teams hit the monthly credit limit".into(),
        subtitle: "Scenario: test".into(),
        x_label: "day of the billing month".into(),
        y_label: "teams that have hit the limit".into(),
        series: vec![
            HitSeries {
                label: "solo".into(),
                points: (1..=30)
                    .map(|d| (f64::from(d), 0.38 * f64::from(d) / 30.0))
                    .collect(),
                never_hit: 0.62,
            },
            HitSeries {
                label: "api".into(),
                points: (1..=30)
                    .map(|d| (f64::from(d), 0.6 * f64::from(d) / 30.0))
                    .collect(),
                never_hit: 0.4,
            },
            HitSeries {
                label: "agents".into(),
                points: (1..=30)
                    .map(|d| (f64::from(d), (f64::from(d) / 10.0).min(0.98)))
                    .collect(),
                never_hit: 0.02,
            },
        ],
        ..Default::default()
    }
}

fn histogram() -> Histogram {
    Histogram {
        title: "Overage cost per team-month: api-team".into(),
        subtitle: "Scenario: test".into(),
        note: "Assumption: a block of 1,000 credits costs $25.".into(),
        x_label: "overage cost in the month (USD)".into(),
        y_label: "team-months".into(),
        x_unit: Unit::Dollars,
        bar_label: "team-months".into(),
        bin_edges: (0..=10).map(|i| f64::from(i) * 500.0).collect(),
        counts: vec![5, 40, 120, 200, 150, 90, 40, 20, 8, 2],
        marks: vec![
            Mark {
                label: "P50".into(),
                value: 1900.0,
            },
            Mark {
                label: "P90".into(),
                value: 3400.0,
            },
            Mark {
                label: "P99".into(),
                value: 4600.0,
            },
        ],
    }
}

fn stacked() -> StackedBars {
    StackedBars {
        title: "Where the credits go".into(),
        subtitle: "Scenario: test".into(),
        y_label: "credits per team per month".into(),
        y_unit: Unit::Credits,
        categories: vec!["solo".into(), "api".into()],
        series: vec![
            BarSeries {
                label: "deployed-run base charge".into(),
                values: vec![20.0, 500.0],
            },
            BarSeries {
                label: "HTTP Request".into(),
                values: vec![30.0, 700.0],
            },
            BarSeries {
                label: "MCP tools".into(),
                values: vec![0.0, 300.0],
            },
        ],
        ..Default::default()
    }
}

fn tornado() -> Tornado {
    Tornado {
        title: "What moves the yearly overage bill".into(),
        subtitle: "Scenario: test".into(),
        x_label: "overage per year (USD)".into(),
        x_unit: Unit::Dollars,
        baseline: 10_000.0,
        bars: vec![
            TornadoBar {
                label: "block price ($10 to $40)".into(),
                low: 4000.0,
                high: 16_000.0,
            },
            TornadoBar {
                label: "runs per day".into(),
                low: 8000.0,
                high: 12_500.0,
            },
        ],
        ..Default::default()
    }
}

fn line_band() -> LineBand {
    LineBand {
        title: "Overage against the block price".into(),
        subtitle: "Scenario: test".into(),
        x_label: "block price (USD)".into(),
        y_label: "overage per month (USD)".into(),
        x_unit: Unit::Dollars,
        y_unit: Unit::Dollars,
        band_label: "95% confidence interval".into(),
        series: vec![BandSeries {
            label: "all teams".into(),
            points: (1..=8)
                .map(|i| {
                    let x = f64::from(i) * 5.0;
                    BandPoint {
                        x,
                        lo: 90.0 * x,
                        mid: 100.0 * x,
                        hi: 110.0 * x,
                    }
                })
                .collect(),
        }],
        reference: Some(Reference {
            label: "budget".into(),
            value: 2500.0,
        }),
        y_from_zero: true,
        ..Default::default()
    }
}

fn all_charts() -> Vec<ChartFile> {
    vec![
        ChartFile::new("fan", "c", linear_fan()),
        ChartFile::new("hit", "c", hit_cdf()),
        ChartFile::new("hist", "c", histogram()),
        ChartFile::new("stacked", "c", stacked()),
        ChartFile::new("tornado", "c", tornado()),
        ChartFile::new("band", "c", line_band()),
    ]
}

/// The text content of every `<text>` element in an SVG.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let start = t.find('>')? + 1;
            let end = t.find("</text>")?;
            Some(t[start..end].to_string())
        })
        .collect()
}

#[test]
fn every_chart_kind_writes_a_readable_png_and_svg() {
    let dir = tempfile::tempdir().unwrap();
    let figures = write_all(dir.path(), &all_charts()).unwrap();
    assert_eq!(
        figures.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(),
        ["fan", "hit", "hist", "stacked", "tornado", "band"]
    );
    // Only the finished files: no temporary files left behind.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 12, "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with('.')), "{names:?}");

    for f in &figures {
        let img = decode_png(&dir.path().join(format!("{}.png", f.name)));
        assert_eq!((img.width, img.height), (1000, 600), "{}", f.name);
        // Anti-aliased drawing and text: many colours, a fair share inked.
        assert!(
            img.distinct_colours() > 100,
            "{}: {}",
            f.name,
            img.distinct_colours()
        );
        assert!(
            img.inked_share() > 0.03,
            "{}: {}",
            f.name,
            img.inked_share()
        );
        // The title is drawn in the top-left: dark text pixels there.
        assert!(
            img.dark_share_in(20, 10, 420, 44) > 0.03,
            "{}: no title text",
            f.name
        );
        // Every chart uses the palette's first colour somewhere.
        assert!(
            img.count_near(OKABE_BLUE, 3) > 50,
            "{}: no Okabe-Ito blue",
            f.name
        );

        let on_disk = std::fs::read_to_string(dir.path().join(format!("{}.svg", f.name))).unwrap();
        assert_eq!(on_disk, f.svg);
        assert!(f.svg.starts_with(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"1000\" height=\"600\""
        ));
        assert!(f.svg.trim_end().ends_with("</svg>"));
        assert!(f.svg.contains(&format!("<title>{}</title>", f.title)));
        assert!(f.svg.contains("font-family=\"&#39;DejaVu Sans&#39;"));
        let texts = svg_texts(&f.svg);
        assert!(texts.iter().any(|t| t == &f.title), "{}: {texts:?}", f.name);
        // Every label's width is pinned, so reader fonts cannot move it.
        assert_eq!(
            f.svg.matches("<text").count(),
            f.svg.matches("textLength=").count(),
            "{}",
            f.name
        );
    }
    // Reference lines in vermillion; second and third series colours.
    let fan = decode_png(&dir.path().join("fan.png"));
    assert!(fan.count_near(OKABE_VERMILLION, 3) > 100);
    let hit = decode_png(&dir.path().join("hit.png"));
    assert!(hit.count_near(OKABE_ORANGE, 3) > 100 && hit.count_near(OKABE_GREEN, 3) > 100);
    let tornado = decode_png(&dir.path().join("tornado.png"));
    assert!(
        tornado.count_near(OKABE_ORANGE, 3) > 1000,
        "high-setting bars are orange"
    );
}

#[test]
fn fan_chart_states_when_each_band_reaches_the_allotment() {
    let svg = Chart::from(linear_fan()).to_svg().unwrap();
    let texts = svg_texts(&svg);
    for expected in [
        "Reaches team plan allotment (100 credits):",
        "P90 (top 10%): day 5",
        "P75 (top 25%): day 7",
        "median (top half): day 10",
        "P25 (top 75%): day 20",
        "P10 (top 90%): not reached",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "missing {expected:?} in {texts:?}"
        );
    }
    // Y ticks in credits, with separators and no "1.0k"-style noise.
    assert!(texts.iter().any(|t| t == "600"), "{texts:?}");
}

#[test]
fn crossings_crowded_at_the_axis_are_listed_not_piled_up() {
    // Every band reaches the allotment on day 1 (teams that hit at once):
    // the mark names would stack on the axis; the box lists them instead.
    let mut fan = linear_fan();
    for (band, k) in [
        (&mut fan.p10, 101.0),
        (&mut fan.p25, 102.0),
        (&mut fan.p50, 103.0),
        (&mut fan.p75, 104.0),
        (&mut fan.p90, 105.0),
    ] {
        *band = fan.x.iter().map(|d| k * d).collect();
    }
    let texts = svg_texts(&Chart::from(fan.clone()).to_svg().unwrap());
    assert!(
        texts.iter().any(|t| t == "P90 (top 10%): day 1"),
        "{texts:?}"
    );
    for name in ["P90", "P75", "median", "P25", "P10"] {
        assert!(
            !texts.iter().any(|t| t == name),
            "mark name {name} drawn: {texts:?}"
        );
    }
    // Spread out (the linear fan), the names fit side by side and are drawn.
    let texts = svg_texts(&Chart::from(linear_fan()).to_svg().unwrap());
    for name in ["P90", "P75", "median", "P25"] {
        assert!(
            texts.iter().any(|t| t == name),
            "mark name {name} missing: {texts:?}"
        );
    }
}

#[test]
fn the_burn_up_box_states_hit_times_as_the_tables_do() {
    // A real run: the box of each burn-up says the share that hit and the
    // hit-time percentiles exactly as summary.json's "when" (the printed
    // summary's convention), P10 the earliest.
    let dir = tempfile::tempdir().unwrap();
    let scenario = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/default.toml");
    assert_cmd::Command::cargo_bin("flowcast")
        .unwrap()
        .arg("run")
        .arg(&scenario)
        .args(["--trials", "20", "--quiet", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("summary.json")).unwrap())
            .unwrap();
    let mut checked = 0;
    for kind in summary["kinds"].as_array().unwrap() {
        let name = kind["name"].as_str().unwrap();
        let hit = &kind["stats"]["hit"];
        let svg =
            std::fs::read_to_string(dir.path().join(format!("charts/burn-up-{name}.svg"))).unwrap();
        let texts = svg_texts(&svg);
        let share = hit["probability"]["value"].as_f64().unwrap();
        assert!(
            texts
                .iter()
                .any(|t| t.starts_with("Hit the limit: ") && t.ends_with(" of team-months")),
            "{name}: {texts:?}"
        );
        if share > 0.0 {
            let when: Vec<&str> = hit["when"]
                .as_array()
                .unwrap()
                .iter()
                .map(|w| w.as_str().unwrap())
                .collect();
            for (p, w, tail) in [
                ("P10", when[0], "(the first tenth)"),
                ("P50", when[1], "(half)"),
                ("P90", when[2], "(nine in ten)"),
            ] {
                let line = format!("{p} {w} {tail}");
                assert!(texts.contains(&line), "{name}: no {line:?} in {texts:?}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 3, "{checked} kinds hit the limit");
}

#[test]
fn bars_centred_on_zero_draw_no_negative_dollar_ticks() {
    // $0 and $10 bills, bars centred on them: the axis reaches -$5 for the
    // $0 bar's left half but must not label a negative bill.
    let h = Histogram {
        bin_edges: vec![-5.0, 5.0, 15.0],
        counts: vec![10, 90],
        marks: vec![],
        ..histogram()
    };
    let texts = svg_texts(&Chart::from(h).to_svg().unwrap());
    assert!(texts.iter().any(|t| t == "$0"), "{texts:?}");
    assert!(!texts.iter().any(|t| t.starts_with("-$")), "{texts:?}");
}

#[test]
fn small_kinds_get_their_own_scale() {
    // A 100-credit kind beside a 20,000-credit one: on one scale its bar is
    // a sliver; as small multiples its panel has ticks up to 100.
    let bars = |own_scales| StackedBars {
        title: "Where the credits go".into(),
        y_unit: Unit::Credits,
        categories: vec!["small".into(), "large".into()],
        series: vec![
            BarSeries {
                label: "HTTP Request".into(),
                values: vec![60.0, 12_000.0],
            },
            BarSeries {
                label: "Logic blocks".into(),
                values: vec![40.0, 8_000.0],
            },
        ],
        own_scales,
        ..Default::default()
    };
    let shared = svg_texts(&Chart::from(bars(false)).to_svg().unwrap());
    let own = svg_texts(&Chart::from(bars(true)).to_svg().unwrap());
    assert!(!shared.iter().any(|t| t == "100"), "{shared:?}");
    assert!(
        own.iter().any(|t| t == "100"),
        "no tick of the small kind's scale: {own:?}"
    );
    assert!(own.iter().any(|t| t == "20k"), "{own:?}");
    // Both kinds' bars carry their totals and layer values.
    for v in ["total 100", "total 20k", "12k", "8,000"] {
        assert!(own.iter().any(|t| t == v), "{v} missing: {own:?}");
    }
}

#[test]
fn hit_chart_legend_states_the_share_that_never_hit() {
    let texts = svg_texts(&Chart::from(hit_cdf()).to_svg().unwrap());
    for expected in [
        "solo (never hit: 62.0%)",
        "api (never hit: 40.0%)",
        "agents (never hit: 2.0%)",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "missing {expected:?} in {texts:?}"
        );
    }
    assert!(
        texts.iter().any(|t| t == "100%"),
        "share axis in percent: {texts:?}"
    );
}

#[test]
fn histogram_marks_carry_their_dollar_values() {
    let texts = svg_texts(&Chart::from(histogram()).to_svg().unwrap());
    for expected in [
        "P50 $1,900",
        "P90 $3,400",
        "P99 $4,600",
        "$2,000",
        "percentiles: P50, P90, P99",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "missing {expected:?} in {texts:?}"
        );
    }
    // The assumption is stated under the chart.
    assert!(texts
        .iter()
        .any(|t| t.starts_with("Assumption: a block of 1,000 credits costs $25")));
}

#[test]
fn stacked_bars_show_totals_and_skip_empty_sources_in_the_legend() {
    let texts = svg_texts(&Chart::from(stacked()).to_svg().unwrap());
    // solo: 20 + 30 = 50; api: 500 + 700 + 300 = 1,500.
    assert!(texts.iter().any(|t| t == "total 50"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "total 1,500"), "{texts:?}");
    assert!(texts.iter().any(|t| t == "MCP tools"));
    let mut shares = stacked();
    shares.as_share = true;
    let texts = svg_texts(&Chart::from(shares).to_svg().unwrap());
    // api: 500 / 1,500 = 33%, 700 / 1,500 = 47%; solo: 20 / 50 = 40%.
    for expected in ["33%", "47%", "40%", "60%"] {
        assert!(
            texts.iter().any(|t| t == expected),
            "missing {expected:?} in {texts:?}"
        );
    }
}

#[test]
fn tornado_puts_the_widest_swing_first_and_labels_both_ends() {
    let mut t = tornado();
    t.bars.reverse();
    let svg = Chart::from(t).to_svg().unwrap();
    let texts = svg_texts(&svg);
    let pos = |s: &str| {
        svg.find(&format!(">{s}</text>"))
            .unwrap_or_else(|| panic!("{s} in {texts:?}"))
    };
    // Drawn top to bottom, so the widest bar's label comes first.
    assert!(pos("block price ($10 to $40)") < pos("runs per day"));
    for expected in [
        "$4,000",
        "$16,000",
        "$8,000",
        "$12,500",
        "baseline: $10,000",
    ] {
        assert!(
            texts.iter().any(|t| t == expected),
            "missing {expected:?} in {texts:?}"
        );
    }
}

#[test]
fn rendering_is_identical_at_any_thread_count() {
    let render = |threads: usize| {
        let dir = tempfile::tempdir().unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| write_all(dir.path(), &all_charts()))
            .unwrap();
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let one = render(1);
    let two = render(2);
    assert_eq!(one.len(), 12);
    for (a, b) in one.iter().zip(&two) {
        assert_eq!(a.0, b.0);
        assert!(a.1 == b.1, "{} differs between 1 and 2 threads", a.0);
    }
}

#[test]
fn inconsistent_input_is_an_error_naming_the_chart() {
    let mut fan = linear_fan();
    fan.p50.pop();
    let err = Chart::from(fan).to_svg().unwrap_err();
    assert!(matches!(err, ChartError::Data(_)));
    assert!(
        err.to_string().contains("p50 has 29 values but x has 30"),
        "{err}"
    );

    let mut hist = histogram();
    hist.bin_edges.pop();
    let err = Chart::from(hist).to_svg().unwrap_err().to_string();
    assert!(err.contains("10 bin edges for 10 counts"), "{err}");
}

#[test]
fn an_unwritable_folder_gives_an_error_naming_the_file_and_leaves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("charts");
    std::fs::write(&blocker, "a file where the folder should be").unwrap();
    let err = write_all(&blocker, &all_charts()[..1]).unwrap_err();
    assert!(matches!(err, ChartError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("charts"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn user_text_cannot_break_the_svg_or_the_file_name() {
    let mut fan = linear_fan();
    fan.title = "<script>alert(1)</script> & co".into();
    fan.subtitle = "Scenario: \"evil\" 'quotes'".into();
    let dir = tempfile::tempdir().unwrap();
    let figures = write_all(dir.path(), &[ChartFile::new("../../escape me", "c", fan)]).unwrap();
    assert_eq!(figures[0].name, "escape-me");
    assert!(dir.path().join("escape-me.svg").exists() && dir.path().join("escape-me.png").exists());
    let svg = &figures[0].svg;
    assert!(!svg.contains("<script"));
    assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"));
}

#[test]
fn svg_text_is_pinned_to_the_embedded_font_width() {
    let chart = linear_fan();
    let svg = Chart::from(chart.clone()).to_svg().unwrap();
    let start = svg.find(&format!(">{}</text>", chart.title)).unwrap();
    let element = &svg[svg[..start].rfind("<text").unwrap()..start];
    let pinned: f64 = element
        .split("textLength=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    let measured = font::text_width(&chart.title, 26.0).unwrap();
    assert!((pinned - measured).abs() <= 1.0, "{pinned} vs {measured}");
    assert!(element.contains("lengthAdjust=\"spacingAndGlyphs\""));
}

#[test]
fn nothing_to_plot_still_gives_a_titled_chart() {
    let empty: Vec<Chart> = vec![
        FanChart {
            title: "empty fan".into(),
            ..Default::default()
        }
        .into(),
        HitCdf {
            title: "empty hits".into(),
            ..Default::default()
        }
        .into(),
        Histogram {
            title: "empty histogram".into(),
            ..Default::default()
        }
        .into(),
        StackedBars {
            title: "empty bars".into(),
            ..Default::default()
        }
        .into(),
        Tornado {
            title: "empty tornado".into(),
            ..Default::default()
        }
        .into(),
        LineBand {
            title: "empty band".into(),
            ..Default::default()
        }
        .into(),
    ];
    let dir = tempfile::tempdir().unwrap();
    for (i, chart) in empty.iter().enumerate() {
        let svg = chart.to_svg().unwrap();
        let texts = svg_texts(&svg);
        assert!(
            texts.iter().any(|t| t.starts_with("No ")),
            "{}: {texts:?}",
            chart.title()
        );
        chart
            .write_png(&dir.path().join(format!("{i}.png")))
            .unwrap();
    }
}

fn any_value() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e4..1e6f64,
        1 => Just(0.0),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(1e300),
        1 => Just(-1e300),
        1 => Just(f64::MIN_POSITIVE),
    ]
}

/// One chart of each kind built from arbitrary numbers and text.
fn charts_from(v: &[f64], w: &[f64], counts: &[u64], label: &str) -> Vec<Chart> {
    let n = v.len();
    let label = label.to_string();
    let w_as_long_as_v: Vec<f64> = w
        .iter()
        .copied()
        .chain(std::iter::repeat(1.0))
        .take(n)
        .collect();
    let mut edges: Vec<f64> = v
        .iter()
        .copied()
        .chain(std::iter::repeat(0.0))
        .take(counts.len() + 1)
        .collect();
    edges.sort_by(f64::total_cmp);
    vec![
        FanChart {
            title: label.clone(),
            x: v.to_vec(),
            p10: v.to_vec(),
            p25: w_as_long_as_v,
            p50: v.to_vec(),
            p75: v.to_vec(),
            p90: v.to_vec(),
            reference: w.first().map(|&value| Reference {
                label: label.clone(),
                value,
            }),
            x_unit: Unit::Days,
            y_unit: Unit::Credits,
            ..Default::default()
        }
        .into(),
        HitCdf {
            title: label.clone(),
            series: vec![HitSeries {
                label: label.clone(),
                points: v.iter().copied().zip(w.iter().copied()).collect(),
                never_hit: w.first().copied().unwrap_or(f64::NAN),
            }],
            ..Default::default()
        }
        .into(),
        Histogram {
            title: label.clone(),
            bin_edges: edges,
            counts: counts.to_vec(),
            marks: w
                .iter()
                .map(|&value| Mark {
                    label: label.clone(),
                    value,
                })
                .collect(),
            x_unit: Unit::Dollars,
            ..Default::default()
        }
        .into(),
        StackedBars {
            title: label.clone(),
            categories: v.iter().map(|x| format!("{x}")).collect(),
            series: vec![BarSeries {
                label: label.clone(),
                values: v.to_vec(),
            }],
            ..Default::default()
        }
        .into(),
        Tornado {
            title: label.clone(),
            baseline: w.first().copied().unwrap_or(0.0),
            bars: v
                .iter()
                .zip(w)
                .map(|(&low, &high)| TornadoBar {
                    label: label.clone(),
                    low,
                    high,
                })
                .collect(),
            x_unit: Unit::Dollars,
            ..Default::default()
        }
        .into(),
        LineBand {
            title: label.clone(),
            series: vec![BandSeries {
                label: label.clone(),
                points: v
                    .iter()
                    .zip(w)
                    .map(|(&x, &y)| BandPoint {
                        x,
                        lo: y,
                        mid: y,
                        hi: x,
                    })
                    .collect(),
            }],
            y_from_zero: true,
            ..Default::default()
        }
        .into(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Whatever numbers arrive (NaN, infinities, huge, negative, equal),
    /// every chart kind draws or reports an error; none panics. (SVG only:
    /// debug-build PNG encoding is slow; the PNG path gets the hostile
    /// values in the test below.)
    #[test]
    fn no_chart_panics_on_any_numbers(
        v in proptest::collection::vec(any_value(), 0..12),
        w in proptest::collection::vec(any_value(), 0..12),
        counts in proptest::collection::vec(0u64..1_000_000, 0..12),
        label in "\\PC{0,60}",
    ) {
        for chart in charts_from(&v, &w, &counts, &label) {
            let _ = chart.to_svg();
        }
    }
}

#[test]
fn hostile_numbers_draw_as_png_too() {
    let nasty = [
        f64::NAN,
        f64::INFINITY,
        f64::NEG_INFINITY,
        1e300,
        -1e300,
        0.0,
        1e15,
        -1e15,
        5.0,
        5.0,
    ];
    let reversed: Vec<f64> = nasty.iter().rev().copied().collect();
    let dir = tempfile::tempdir().unwrap();
    for (k, (v, w)) in [(nasty.to_vec(), reversed), (vec![7.0; 5], vec![7.0; 5])]
        .iter()
        .enumerate()
    {
        for (i, chart) in charts_from(v, w, &[3, 0, u64::MAX, 1], "x")
            .iter()
            .enumerate()
        {
            let svg = chart.to_svg();
            let png = chart.write_png(&dir.path().join(format!("{k}-{i}.png")));
            assert_eq!(svg.is_ok(), png.is_ok(), "{k}-{i}");
        }
    }
}

#[test]
fn png_write_replaces_an_existing_file_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fan.png");
    std::fs::write(&path, b"old").unwrap();
    Chart::from(linear_fan()).write_png(&path).unwrap();
    let img = decode_png(&path);
    assert_eq!((img.width, img.height), (1000, 600));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1);
}
