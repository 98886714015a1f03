//! The report in a real browser: the full report of a shipped scenario made
//! by the real pipeline (the commands of the README's "Every chart in one
//! report": `run` over 3 months, `compare`, `sweep`, `sensitivity` into one
//! folder), opened in headless Chromium; a screenshot checks that the page
//! rendered: it decodes, has the window's size, is far from blank and shows
//! the palette's colours (the inline SVG charts drew).
//!
//! Without Chromium the test fails when `CI` is set and is skipped with a
//! notice otherwise (install it with `apt-get install chromium`).

use assert_cmd::Command as Cmd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::report_support::{decode_png, OKABE_BLUE, OKABE_VERMILLION};

const WIDTH: u32 = 1280;
// Tall enough to reach the first chart below the summary tables.
const HEIGHT: u32 = 3200;

/// The Chromium to use: `FLOWCAST_CHROMIUM` if set, else the first of the
/// usual names found on PATH.
fn find_chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FLOWCAST_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
    .find(|candidate| candidate.is_file())
}

/// Runs `cmd`, killing it after `limit`; returns whether it exited 0.
fn run_with_timeout(cmd: &mut Command, limit: Duration) -> bool {
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromium");
    let started = Instant::now();
    loop {
        match child.try_wait().expect("wait for chromium") {
            Some(status) => return status.success(),
            None if started.elapsed() > limit => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("chromium took longer than {limit:?}");
            }
            None => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

fn screenshot(chromium: &Path, page: &Path, shot: &Path, profile: &Path) {
    let url = format!("file://{}", page.display());
    let ok = run_with_timeout(
        Command::new(chromium).args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--window-size={WIDTH},{HEIGHT}"),
            &format!("--screenshot={}", shot.display()),
            &url,
        ]),
        Duration::from_secs(120),
    );
    assert!(ok, "chromium failed to screenshot {url}");
}

/// The README's full-report commands, small trial counts.
const FULL_REPORT: &[&[&str]] = &[
    &["run", "--trials", "40"],
    &["compare", "--trials", "40"],
    &[
        "sweep",
        "--set",
        "usage_multiplier=1,1.2,1.4",
        "--trials",
        "40",
    ],
    &[
        "sensitivity",
        "--vary",
        "usage_multiplier=0.8..1.4",
        "--samples",
        "8",
        "--trials",
        "20",
    ],
];

/// Every chart a result folder can hold, by name prefix: the report must
/// show each kind.
const CHART_KINDS: &[&str] = &[
    "burn-up-",
    "limit-hit",
    "overage-",
    "overage-total",
    "credits-by-source",
    "credits-by-source-share",
    "alert-lead-time",
    "forecast-monthly",
    "forecast-cumulative",
    "compare-",
    "sweep",
    "tornado",
];

/// The page's DOM after its scripts ran (`--dump-dom`), with file access
/// between local pages (the fit check reads the report in an iframe).
fn dump_dom(chromium: &Path, page: &Path, profile: &Path) -> String {
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--allow-file-access-from-files",
            "--virtual-time-budget=5000",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}", page.display()),
        ])
        .stderr(Stdio::null())
        .output()
        .expect("start chromium");
    assert!(out.status.success(), "chromium --dump-dom failed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_full_report_renders_in_headless_chromium() {
    let out = tempfile::tempdir().unwrap();
    let scenario =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/next-quarter-overage.toml");
    for cmd in FULL_REPORT {
        let (name, flags) = cmd.split_first().unwrap();
        Cmd::cargo_bin("flowcast")
            .unwrap()
            .arg(name)
            .arg(&scenario)
            .args(flags)
            .args(["--quiet", "--out"])
            .arg(out.path())
            .assert()
            .success();
    }
    let report = out.path().join("report.html");

    // The file itself: one self-contained page of reasonable size, with
    // every chart of the folder inlined, and every kind of chart there.
    let html = std::fs::read_to_string(&report).unwrap();
    assert!(html.len() < 3_000_000, "report is {} bytes", html.len());
    let charts: Vec<String> = std::fs::read_dir(out.path().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".svg").map(String::from))
        .collect();
    assert_eq!(html.matches("<figure").count(), charts.len());
    assert_eq!(html.matches("<svg").count(), charts.len());
    for kind in CHART_KINDS {
        assert!(
            charts.iter().any(|c| c.starts_with(kind)),
            "no {kind} chart in {charts:?}"
        );
        let png = charts.iter().find(|c| c.starts_with(kind)).unwrap();
        assert!(out
            .path()
            .join("charts")
            .join(format!("{png}.png"))
            .is_file());
    }
    // Sections from one scenario: no warning about mixed inputs.
    assert!(
        !html.contains("different inputs"),
        "mixed-inputs notice shown"
    );
    for banned in ["<script", "<link", "<img", "@import", "url(", "https://"] {
        assert!(!html.contains(banned), "report contains {banned}");
    }

    let Some(chromium) = find_chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium not found (CI is set): install it with apt-get install chromium");
        }
        eprintln!("NOTICE: chromium not found; skipping the headless-browser check of report.html");
        return;
    };
    // Layout: no table scrolls sideways at 1280 px or is clipped on A4,
    // and no team-kind name breaks, measured by the browser itself.
    let fit = out.path().join("fit.html");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/report_fit.html"),
        &fit,
    )
    .unwrap();
    let dom_profile = tempfile::tempdir().unwrap();
    let dom = dump_dom(&chromium, &fit, dom_profile.path());
    let result = dom
        .split("<pre id=\"result\">")
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .unwrap_or_else(|| panic!("no layout result in {dom}"));
    assert_eq!(result, "ok", "tables that do not fit:\n{result}");

    let profile = tempfile::tempdir().unwrap();
    let shot = out.path().join("screenshot.png");
    screenshot(&chromium, &report, &shot, profile.path());

    let img = decode_png(&shot);
    assert_eq!((img.width, img.height), (WIDTH, HEIGHT));
    // Not blank: text, tables and a chart make many colours and ink.
    assert!(
        img.distinct_colours() > 500,
        "{} colours",
        img.distinct_colours()
    );
    // Text, tables, boxes and a chart: 6.9% measured in the first 2000 px.
    assert!(
        img.inked_share() > 0.04,
        "inked share {}",
        img.inked_share()
    );
    // The first chart (a burn-up fan) is on screen. The page's links and
    // badge use blue and vermillion too, so the proof that the inline SVG
    // drew is its bands, colours nothing else on the page has, over large
    // areas. The outer band is Okabe-Ito blue (0, 114, 178) at 18% over
    // white: 0.18 * blue + 0.82 * 255 = (209, 230, 241); the inner band is
    // the same blue at 42% over the outer: 0.42 * blue + 0.58 * (209, 230,
    // 241) = (121, 181, 215).
    let outer_band = img.count_near([209, 230, 241], 4);
    assert!(
        outer_band > 5000,
        "fan chart outer band not drawn ({outer_band} pixels)"
    );
    let inner_band = img.count_near([121, 181, 215], 4);
    assert!(
        inner_band > 5000,
        "fan chart band not drawn ({inner_band} pixels)"
    );
    assert!(
        img.count_near(OKABE_BLUE, 6) > 300,
        "no Okabe-Ito blue on screen"
    );
    assert!(
        img.count_near(OKABE_VERMILLION, 6) > 100,
        "no vermillion on screen"
    );
    // The page heading is drawn: dark text at the top left of the page.
    assert!(
        img.dark_share_in(100, 20, 700, 70) > 0.02,
        "no heading text"
    );
}
