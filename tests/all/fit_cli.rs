//! `flowcast fit` from the outside: a scenario that `run` accepts, and the
//! same clean errors as `replay` (file, line, problem; exit 2; nothing on
//! stdout; no scenario written) for bad logs, too little data and bad flags.

use assert_cmd::Command;

const HEADER: &str =
    "run_id,team,flow,trigger,started_at,ended_at,parent_run_id,block,model,count\n";

fn fit(log: &str, extra: &[&str]) -> (assert_cmd::assert::Assert, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("log.csv"), log).unwrap();
    let a = Command::cargo_bin("flowcast")
        .unwrap()
        .current_dir(dir.path())
        .args(["fit", "log.csv", "--out", "fitted.toml"])
        .args(extra)
        .assert();
    (a, dir)
}

fn fails_cleanly(log: &str, extra: &[&str], message: &str) {
    let (a, dir) = fit(log, extra);
    let out = a.get_output();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains(message),
        "expected '{message}' in: {stderr}"
    );
    assert!(!dir.path().join("fitted.toml").exists());
}

#[test]
fn a_fitted_log_runs() {
    let mut log = HEADER.to_string();
    for d in 1..=20 {
        for h in [9, 13] {
            log.push_str(&format!(
                "r{d}-{h},acme,sync,api,2026-03-{d:02}T{h:02}:00:00Z,2026-03-{d:02}T{h:02}:00:05Z,,http_request,,2\n"
            ));
        }
    }
    let (a, dir) = fit(&log, &["--plan", "team"]);
    a.success();
    let text = std::fs::read_to_string(dir.path().join("fitted.toml")).unwrap();
    // Two runs a day at 09:00 and 13:00 on 20 days: not a full-day grid, so
    // Poisson; every run has 2 HTTP requests.
    assert!(text.contains("http_request = 2"), "{text}");
    assert!(text.contains("start = \"2026-04-01T00:00:00Z\""), "{text}");
    Command::cargo_bin("flowcast")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "run",
            "fitted.toml",
            "--trials",
            "3",
            "--no-charts",
            "--quiet",
            "--out",
            "o",
        ])
        .assert()
        .success();
}

#[test]
fn bad_logs_and_flags_fail_like_replay() {
    fails_cleanly(
        &format!("{HEADER}r1,acme,sync,cron,2026-03-01T00:00:00Z,2026-03-01T00:00:01Z,,,,0\n"),
        &["--plan", "team"],
        "log.csv:2: ",
    );
    fails_cleanly(HEADER, &["--plan", "team"], "no runs");
    fails_cleanly(
        &format!(
            "{HEADER}r1,acme,sync,api,2026-03-01T00:00:00Z,2026-03-01T00:00:01Z,,,,0\n\
             r2,acme,sync,api,2026-03-02T00:00:00Z,2026-03-02T00:00:01Z,,,,0\n\
             r3,acme,rare,api,2026-03-02T00:00:00Z,2026-03-02T00:00:01Z,,,,0\n"
        ),
        &["--plan", "team"],
        "flow 'rare' of kind 'acme' has a single run",
    );
    fails_cleanly(
        &format!("{HEADER}r1,acme,sync,api,2026-03-01T00:00:00Z,2026-03-01T00:00:01Z,,,,0\n"),
        &[],
        "--plan",
    );
    fails_cleanly(
        &format!("{HEADER}r1,acme,sync,api,2026-03-01T00:00:00Z,2026-03-01T00:00:01Z,,,,0\n"),
        &["--plan", "team", "--group", "x=("],
        "--group x: bad regex",
    );
}

/// A log spanning centuries across hundreds of teams would need a count per
/// team and day: refused with the figure, not an out-of-memory abort.
#[test]
fn a_log_too_wide_to_count_is_refused() {
    let mut log = HEADER.to_string();
    for t in 0..300 {
        for (i, year) in [1700, 2200].iter().enumerate() {
            log.push_str(&format!(
                "r{t}-{i},ops-{t:04},sync,api,{year}-03-01T00:00:00Z,{year}-03-01T00:00:01Z,,,,0\n"
            ));
        }
    }
    fails_cleanly(&log, &["--plan", "team"], "team-days, more than 5e7");
}
