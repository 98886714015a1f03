//! `flowcast check`: prints closed-form expectations for a valid scenario;
//! one stderr line, exit 2 and nothing on stdout for a bad one.

use assert_cmd::Command;
use std::io::Write;

#[test]
fn check_prints_expected_credits_per_run() {
    let out = Command::cargo_bin("flowcast")
        .unwrap()
        .args(["check", "scenarios/bench.toml"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    // By hand from the source tables: support-agent 1 base + 1 AI Request +
    // 3 x 2 (gpt-5-mini calls) + 3 x 0.5 x 2 (MCP tools) = 11 credits a run;
    // nightly-checks 1 + 2 x 1 + 1 = 4, all 4,320 of them scheduled.
    assert!(text.contains("11.000"), "{text}");
    assert!(text.contains("4.000"), "{text}");
    assert!(text.contains("4320.0"), "{text}");
}

#[test]
fn check_rejects_a_bad_scenario_on_one_line() {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    writeln!(f, "name = \"x\"\n[calendar]\nstart = 2026-06-01T00:00:00Z\n[[kinds]]\nname = \"k\"\nteams = 0\nplan = \"team\"").unwrap();
    let out = Command::cargo_bin("flowcast")
        .unwrap()
        .arg("check")
        .arg(f.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(":6:") && err.contains("teams"), "{err}");
}
