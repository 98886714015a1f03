//! The planning commands end to end: `run --months`, `run --precision`,
//! `compare`, `sweep`, `sensitivity`, `report`; their files, their report
//! sections, and one-line errors for bad flags.

use assert_cmd::Command;
use std::path::Path;

const STEADY: &str = "tests/data/planning/steady.toml";

fn flowcast() -> Command {
    Command::cargo_bin("flowcast").unwrap()
}

fn run_ok(args: &[&str]) -> String {
    let out = flowcast().args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn run_writes_forecast_alerts_charts_and_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let text = run_ok(&[
        "run",
        STEADY,
        "--months",
        "3",
        "--set",
        "kinds.steady.plan=solo",
        "--out",
        out,
        "--quiet",
    ]);
    assert!(text.contains("Forecast over 3 months"), "{text}");
    // By hand (steady.toml): $20 a team a month, 3 teams: $60, cumulative $180.
    let csv = read(tmp.path(), "forecast.csv");
    let pop3 = csv
        .lines()
        .find(|l| l.starts_with("population,3,3,"))
        .unwrap();
    assert!(
        pop3.contains(",60.00,") && pop3.contains(",180.00,"),
        "{pop3}"
    );
    let alerts = read(tmp.path(), "alerts.csv");
    assert!(alerts.starts_with("group,alert_level_pct"));
    let html = read(tmp.path(), "report.html");
    for section in [
        "Forecast: 3 months",
        "Usage alerts",
        "Credits through the month",
    ] {
        assert!(html.contains(section), "report lacks {section}");
    }
    assert!(tmp.path().join("charts/forecast-monthly.png").exists());
    assert!(tmp.path().join("charts/forecast-cumulative.svg").exists());
    assert!(tmp.path().join("charts/alert-lead-time.png").exists());

    // A one-month run afterwards removes the stale forecast and its charts.
    run_ok(&["run", STEADY, "--out", out, "--quiet"]);
    assert!(!tmp.path().join("forecast.json").exists());
    assert!(!tmp.path().join("charts/forecast-monthly.png").exists());
    assert!(tmp.path().join("charts/limit-hit.png").exists());
    assert!(!read(tmp.path(), "report.html").contains("Forecast:"));
}

#[test]
fn precision_stops_when_reached_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    // A deterministic scenario: the CI has zero width at once.
    let text = run_ok(&[
        "run",
        STEADY,
        "--set",
        "kinds.steady.plan=solo",
        "--precision",
        "1%",
        "--out",
        out,
        "--quiet",
        "--no-charts",
    ]);
    assert!(text.contains("precision reached"), "{text}");
    let summary: serde_json::Value =
        serde_json::from_str(&read(tmp.path(), "summary.json")).unwrap();
    assert_eq!(summary["stopping"]["reason"], "precision_reached");
    assert_eq!(summary["trials"], 4); // the scenario's own trials were enough

    // A random one with an impossible target stops at the cap.
    let text = run_ok(&[
        "run",
        "scenarios/default.toml",
        "--trials",
        "10",
        "--precision",
        "0.01%",
        "--max-trials",
        "40",
        "--out",
        out,
        "--quiet",
        "--no-charts",
    ]);
    assert!(
        text.contains("Stopped after 40 trials: trial cap reached"),
        "{text}"
    );
}

#[test]
fn compare_sweep_sensitivity_write_their_results_into_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let text = run_ok(&[
        "compare",
        STEADY,
        "--plans",
        "free,solo,team",
        "--out",
        out,
        "--quiet",
    ]);
    assert!(text.contains("recommended for steady: team"), "{text}");
    assert!(text.contains("common random numbers"), "{text}");
    let csv = read(tmp.path(), "compare.csv");
    assert!(
        csv.lines()
            .any(|l| l.starts_with("steady,team,") && l.ends_with(",true")),
        "{csv}"
    );
    assert_eq!(
        csv.lines().filter(|l| l.ends_with(",true")).count(),
        1,
        "one recommendation, the other plans false: {csv}"
    );
    assert!(csv
        .lines()
        .skip(1)
        .all(|l| l.ends_with(",true") || l.ends_with(",false")));
    // The report's cost table: the recommended plan's row says so and has
    // a dash where the others have their paired difference from it.
    let html = read(tmp.path(), "report.html");
    let rows: Vec<&str> = html
        .lines()
        .filter(|l| l.starts_with("<tr><th scope=\"row\"><span class=\"w\">steady</span>"))
        .take(3)
        .collect();
    assert_eq!(rows.len(), 3, "{html}");
    for row in rows {
        let recommended = row.contains("(recommended)");
        assert_eq!(
            recommended,
            row.contains("<span class=\"w\">team</span>"),
            "{row}"
        );
        assert_eq!(
            recommended,
            row.ends_with("<td class=\"num\"><span class=\"w\">\u{2014}</span></td></tr>"),
            "{row}"
        );
    }

    let text = run_ok(&[
        "sweep",
        STEADY,
        "--set",
        "kinds.steady.plan=solo",
        "--set",
        "kinds.steady.overage_price=5,20",
        "--out",
        out,
        "--quiet",
    ]);
    assert!(text.contains("overage_price=20"), "{text}");
    assert_eq!(read(tmp.path(), "sweep.csv").lines().count(), 1 + 2 * 2);

    let text = run_ok(&[
        "sensitivity",
        STEADY,
        "--set",
        "kinds.steady.plan=solo",
        "--vary",
        "kinds.steady.overage_price=5..25",
        "--vary",
        "kinds.steady.seats=1..3",
        "--samples",
        "5",
        "--out",
        out,
        "--quiet",
    ]);
    // Overage moves by 3 teams x ($25 - $5); seats do not touch overage.
    assert!(text.contains("$60.00"), "{text}");
    // The output names its horizon, not simulation jargon.
    assert!(
        text.contains("total overage billed per simulated"),
        "{text}"
    );
    assert!(!text.contains("period"), "{text}");
    let s: serde_json::Value = serde_json::from_str(&read(tmp.path(), "sensitivity.json")).unwrap();
    assert_eq!(s["swings"][0]["key"], "kinds.steady.overage_price");
    assert_eq!(s["swings"][0]["swing"], 60.0);
    assert_eq!(s["swings"][1]["swing"], 0.0);

    let html = read(tmp.path(), "report.html");
    for section in ["Plan comparison", "Sweep", "Sensitivity"] {
        assert!(html.contains(section), "report lacks {section}");
    }
    assert!(tmp.path().join("charts/tornado.png").exists());
    // Each tornado bar names its setting's path, not just "overage_price".
    let tornado = read(tmp.path(), "charts/tornado.svg");
    assert!(
        tornado.contains("steady \u{203a} overage_price (5 to 25)"),
        "tornado labels lack the setting's path"
    );
    assert!(tmp.path().join("charts/sweep.svg").exists());
    // `flowcast report` rebuilds it from the folder alone.
    std::fs::remove_file(tmp.path().join("report.html")).unwrap();
    run_ok(&["report", out]);
    assert!(read(tmp.path(), "report.html").contains("Plan comparison"));
}

#[test]
fn bad_planning_flags_are_one_line_errors() {
    for args in [
        vec!["compare", STEADY, "--rule", "cheapest"],
        vec!["compare", STEADY, "--plans", "free,platinum"],
        vec!["sweep", STEADY, "--set", "kinds.steady.nope=1,2"],
        vec!["sweep", STEADY, "--set", "kinds.steady.teams=1,,2"],
        vec!["sensitivity", STEADY, "--vary", "kinds.steady.teams=5..1"],
        vec!["run", STEADY, "--precision", "150%"],
        vec![
            "run",
            STEADY,
            "--precision-of",
            "everything",
            "--precision",
            "1%",
        ],
        vec!["report", "no/such/folder"],
        // "0.5" could be 0.5% or 50%: a percentage sign is required.
        vec!["run", STEADY, "--precision", "0.5"],
        vec!["run", STEADY, "--precision-of", "hit"],
        vec!["run", STEADY, "--months", "0"],
        vec!["run", STEADY, "--months", "10000"],
        // Argument-parser errors are one line too.
        vec!["runn", STEADY],
        vec!["sweep", STEADY],
        vec!["run"],
    ] {
        let out = flowcast().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
        // A flag's error names the flag, not an override the user never typed.
        if args.contains(&"--months") {
            assert!(
                err.contains("--months must be 1 to 1200") && !err.contains("--set"),
                "{err}"
            );
        }
    }
}

/// Runs `args` under a pseudo-terminal (`script`, util-linux) so that the
/// progress bars draw as they would for a person; returns what the
/// terminal showed, or `None` when `script` is missing (fails under CI).
fn on_a_terminal(args: &[&str]) -> Option<String> {
    let bin = assert_cmd::cargo::cargo_bin("flowcast");
    let line = std::iter::once(bin.display().to_string())
        .chain(args.iter().map(|a| a.to_string()))
        .map(|a| format!("'{a}'"))
        .collect::<Vec<_>>()
        .join(" ");
    match std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .output()
    {
        Ok(out) => {
            assert!(
                out.status.success(),
                "{line}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
            Some(String::from_utf8_lossy(&out.stdout).into_owned())
        }
        Err(e) if std::env::var_os("CI").is_none() => {
            eprintln!("NOTICE: no `script` ({e}); skipping the progress-bar check");
            None
        }
        Err(e) => panic!("`script` is needed under CI: {e}"),
    }
}

#[test]
fn every_planning_command_shows_progress_over_its_simulations() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    for (what, args, total) in [
        (
            "compare",
            vec![
                "compare",
                STEADY,
                "--plans",
                "solo,team,enterprise",
                "--trials",
                "40",
            ],
            3,
        ),
        (
            "sweep",
            vec![
                "sweep",
                STEADY,
                "--set",
                "kinds.steady.teams=1,2",
                "--trials",
                "40",
            ],
            2,
        ),
        (
            "sensitivity",
            vec![
                "sensitivity",
                STEADY,
                "--vary",
                "kinds.steady.teams=1..3",
                "--samples",
                "4",
                "--trials",
                "20",
            ],
            0,
        ),
    ] {
        let mut a = args.clone();
        a.extend(["--out", out]);
        let Some(screen) = on_a_terminal(&a) else {
            return;
        };
        assert!(
            screen.contains(&format!("{what}: simulation ")),
            "{what} drew no progress:\n{screen}"
        );
        if total > 0 {
            assert!(
                screen.contains(&format!(" of {total} ")),
                "{what}: the bar does not count {total} simulations:\n{screen}"
            );
        }
    }
}
