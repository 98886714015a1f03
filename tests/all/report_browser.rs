//! The report in a real browser: builds the demo report (the same code as
//! `examples/demo_report.rs`) into a temporary folder, opens it in headless
//! Chromium, takes a screenshot and checks that the page rendered: the
//! screenshot decodes, has the window's size, is far from blank and shows
//! the palette's colours (the inline SVG charts drew).
//!
//! Without Chromium the test fails when `CI` is set and is skipped with a
//! notice otherwise (install it with `apt-get install chromium`).

#[path = "../../examples/demo_report.rs"]
#[allow(dead_code)]
mod demo_report;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::report_support::{decode_png, OKABE_BLUE, OKABE_VERMILLION};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2000;

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

#[test]
fn demo_report_renders_in_headless_chromium() {
    let out = tempfile::tempdir().unwrap();
    let built = demo_report::build(out.path()).expect("demo report");

    // The file itself: one self-contained page of reasonable size, with
    // every chart inlined.
    let html = std::fs::read_to_string(&built.report).unwrap();
    assert!(html.len() < 3_000_000, "report is {} bytes", html.len());
    assert_eq!(html.matches("<figure").count(), built.charts);
    assert_eq!(html.matches("<svg").count(), built.charts);
    for banned in ["<script", "<link", "<img", "@import", "url(", "https://"] {
        assert!(!html.contains(banned), "report contains {banned}");
    }
    for f in &built.chart_files {
        assert!(f.is_file(), "{} missing", f.display());
    }

    let Some(chromium) = find_chromium() else {
        if std::env::var_os("CI").is_some() {
            panic!("chromium not found (CI is set): install it with apt-get install chromium");
        }
        eprintln!("NOTICE: chromium not found; skipping the headless-browser check of report.html");
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let shot = out.path().join("screenshot.png");
    screenshot(&chromium, &built.report, &shot, profile.path());

    let img = decode_png(&shot);
    assert_eq!((img.width, img.height), (WIDTH, HEIGHT));
    // Not blank: text, tables and a chart make many colours and ink.
    assert!(
        img.distinct_colours() > 500,
        "{} colours",
        img.distinct_colours()
    );
    assert!(img.inked_share() > 0.1, "inked share {}", img.inked_share());
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
