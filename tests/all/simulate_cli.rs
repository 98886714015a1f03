//! `flowcast run` from the outside: outputs written, the summary printed,
//! byte-identical files at any thread count, one-line errors with exit 2 and
//! nothing on stdout or on disk for bad input.

use assert_cmd::Command;

use crate::scenario;

fn flowcast() -> Command {
    Command::cargo_bin("flowcast").unwrap()
}

#[test]
fn run_writes_summary_tables_and_prints_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let a = flowcast()
        .args([
            "run",
            &scenario("default.toml"),
            "--trials",
            "5",
            "--quiet",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("scenario 'default', 5 trials"), "{stdout}");
    assert!(stdout.contains("Total overage billed per simulated month, all teams"));
    // Money on stdout is to the cent, every amount (a table to add up).
    for line in stdout
        .lines()
        .filter(|l| l.contains("overage cost") || l.starts_with("Total overage"))
    {
        for amount in line.split('$').skip(1) {
            let digits: String = amount
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
                .collect();
            // The text's own punctuation after an amount ("$9.79, $10.01").
            let digits = digits.trim_end_matches([',', '.']);
            let cents = digits.rsplit_once('.').map(|(_, c)| c.len());
            assert_eq!(cents, Some(2), "'${digits}' in {line:?}");
        }
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["schema_version"], 1);
    assert_eq!(summary["trials"], 5);
    let kinds = summary["kinds"].as_array().unwrap();
    let teams = std::fs::read_to_string(out.join("teams.csv")).unwrap();
    // A row per kind and the population's, plus the header.
    assert_eq!(teams.lines().count(), kinds.len() + 2);
    let population = teams.lines().last().unwrap();
    assert!(
        population.starts_with("(population),150,,,,,,750,"),
        "{population}"
    );
    // The finance number in a CSV of its own, equal to summary.json's.
    let total = std::fs::read_to_string(out.join("total_overage.csv")).unwrap();
    let row: Vec<&str> = total.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[0], "per simulated month");
    assert_eq!(row[1], "5");
    let mean = summary["total_overage"]["per_trial_usd"]["mean"]
        .as_f64()
        .unwrap();
    assert_eq!(row[2], format!("{mean:.2}"));
    assert!(teams.starts_with("kind,teams,plan,allotment_credits"));
    let daily = std::fs::read_to_string(out.join("daily.csv")).unwrap();
    // June: 30 days per kind, plus the header.
    assert_eq!(daily.lines().count(), 30 * kinds.len() + 1);
    // The headline numbers are real numbers (serde writes NaN as null).
    let pop = &summary["population"];
    assert!(pop["credits_used"]["mean"].as_f64().unwrap() > 0.0);
    assert!(summary["total_overage"]["per_trial_usd"]["p50"].is_f64());
    assert_eq!(pop["team_months"], 5 * 150);
}

#[test]
fn thread_count_does_not_change_a_byte() {
    let dir = tempfile::tempdir().unwrap();
    for t in ["1", "2"] {
        flowcast()
            .args([
                "run",
                &scenario("default.toml"),
                "--trials",
                "6",
                "--seed",
                "4",
                "--quiet",
                "--no-charts",
            ])
            .args(["--threads", t, "--out"])
            .arg(dir.path().join(t))
            .assert()
            .success();
    }
    for f in ["summary.json", "teams.csv", "daily.csv"] {
        let a = std::fs::read(dir.path().join("1").join(f)).unwrap();
        let b = std::fs::read(dir.path().join("2").join(f)).unwrap();
        assert_eq!(a, b, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn set_overrides_reach_the_simulation() {
    let dir = tempfile::tempdir().unwrap();
    flowcast()
        .args([
            "run",
            &scenario("default.toml"),
            "--trials",
            "2",
            "--quiet",
            "--no-charts",
        ])
        .args(["--set", "kinds.api-team.overage_price=20", "--out"])
        .arg(dir.path())
        .assert()
        .success();
    let s: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("summary.json")).unwrap()).unwrap();
    let api = s["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"] == "api-team")
        .unwrap();
    assert_eq!(api["plan"]["overage_price_usd"], 20.0);
}

#[test]
fn bad_input_is_one_line_exit_2_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "name = \"x\"\n[calendar]\nstart = 2026-06-01T00:00:00Z\nmonths = 0\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    for args in [
        vec![bad.display().to_string()],
        vec![scenario("default.toml"), "--threads".into(), "0".into()],
        vec![scenario("default.toml"), "--trials".into(), "0".into()],
        vec![
            scenario("default.toml"),
            "--set".into(),
            "kinds.nope.teams=3".into(),
        ],
        vec![dir.path().join("missing.toml").display().to_string()],
    ] {
        let a = flowcast()
            .arg("run")
            .args(&args)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2);
        let o = a.get_output();
        assert!(o.stdout.is_empty(), "{args:?}: stdout not empty");
        let err = String::from_utf8(o.stderr.clone()).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(err.starts_with("flowcast: error: "), "{err}");
        assert!(!out.exists(), "{args:?}: output written");
    }
}

/// A reader that stops early (`flowcast run ... | head -1`) ends flowcast
/// quietly by SIGPIPE, as command-line tools do; it used to panic with
/// "failed printing to stdout".
#[cfg(unix)]
#[test]
fn a_closed_stdout_ends_the_run_without_a_panic() {
    use std::process::{Command as Std, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let mut child = Std::new(assert_cmd::cargo::cargo_bin("flowcast"))
        .args([
            "run",
            &scenario("default.toml"),
            "--trials",
            "3",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Close the read end before flowcast prints its summary.
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{:?}", out.status);
}

/// A block count whose credits cannot be totalled in 64 bits is refused
/// before simulating (it used to saturate into meaningless overage).
#[test]
fn a_demand_too_large_to_total_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(scenario("growth.toml"))
        .unwrap()
        .replace(
        "blocks = { http_request = 2, logic = { dist = \"poisson\", mean = 1 }, connector = 1 }",
        "blocks = { http_request = 1e17 }",
    );
    assert!(text.contains("1e17"));
    let path = dir.path().join("huge.toml");
    std::fs::write(&path, &text).unwrap();
    let out = flowcast()
        .args([
            "run",
            path.to_str().unwrap(),
            "--trials",
            "2",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .assert()
        .code(2);
    let o = out.get_output();
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    // Placed at the kind's table: its `[[kinds]]` header line.
    let line = text
        .lines()
        .position(|l| l.trim() == "name = \"growing\"")
        .unwrap();
    let place = format!("huge.toml:{line}: kinds.growing: expects about");
    assert!(
        err.contains(&place) && err.contains("cannot be totalled exactly"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    assert!(!dir.path().join("out").exists());
}

/// Work that cannot finish is refused before simulating, with the estimate,
/// and `check` refuses what `run` refuses.
#[test]
fn resource_guards_refuse_with_the_estimate() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |args: &[&str], message: &str| {
        let out = flowcast()
            .args(args)
            .args(["--no-charts", "--quiet", "--out"])
            .arg(dir.path().join("out"))
            .assert()
            .code(2);
        let o = out.get_output();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.stdout.is_empty() && err.contains(message), "{err}");
        assert!(!dir.path().join("out").exists());
    };
    let default = scenario("default.toml");
    refused(
        &["run", &default, "--trials", "1000000000"],
        "pass --allow-large if you mean it",
    );
    refused(
        &["run", &default, "--threads", "100000"],
        "threads must be at most 1024",
    );
    // A team size of 1e9: one team would start too many runs in a cycle, and
    // --allow-large does not override that.
    let huge = dir.path().join("huge.toml");
    let text = std::fs::read_to_string(scenario("growth.toml"))
        .unwrap()
        .replace(
            "size = { dist = \"lognormal\", mu = 0.0, sigma = 0.5 }",
            "size = 1e9",
        );
    std::fs::write(&huge, &text).unwrap();
    // Placed at the flow's table: the first `[[kinds.flows]]` header.
    let line = 1 + text
        .lines()
        .position(|l| l.trim() == "[[kinds.flows]]")
        .unwrap();
    let place = format!("huge.toml:{line}: kinds.growing.flows.order-sync: a team would start");
    let huge = huge.to_str().unwrap();
    refused(&["run", huge, "--allow-large"], &place);
    refused(&["run", huge, "--allow-large"], "too many for one team");
    let check = flowcast().args(["check", huge]).assert().code(2);
    assert!(String::from_utf8_lossy(&check.get_output().stderr).contains(&place));
}

/// An output folder that cannot be written is found before simulating, and
/// named.
#[test]
fn an_unwritable_out_folder_is_refused_before_simulating() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a folder").unwrap();
    let out = flowcast()
        .args(["run", &scenario("default.toml"), "--quiet", "--out"])
        .arg(file.join("out"))
        .assert()
        .code(2);
    let o = out.get_output();
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("cannot write into") && err.contains("a-file/out"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

/// A guard's refusal of a value brought in by `--set` names the override,
/// not a line of the file the user did not change.
#[test]
fn a_guard_refusal_names_the_override_that_caused_it() {
    let set = "kinds.growing.size={ dist = \"lognormal\", mu = 0, sigma = 6 }";
    let out = flowcast()
        .args(["check", &scenario("growth.toml"), "--set", set])
        .assert()
        .code(2);
    let o = out.get_output();
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!(
            "growth.toml: --set {set}: kinds.growing.size: its largest team"
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
}

/// The block size in every label follows the price book: a 500-credit block
/// is not called a 1,000-credit one.
#[test]
fn block_labels_follow_the_price_book() {
    let dir = tempfile::tempdir().unwrap();
    let a = flowcast()
        .args(["run", &scenario("default.toml"), "--trials", "2", "--quiet"])
        .args([
            "--no-charts",
            "--set",
            "prices.overage.block_credits=500",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .assert()
        .success();
    let stdout = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    assert!(stdout.contains("per 500-credit block"), "{stdout}");
    assert!(!stdout.contains("1,000-credit"), "{stdout}");
    let check = flowcast()
        .args(["check", &scenario("default.toml")])
        .args(["--set", "prices.overage.block_credits=500"])
        .assert()
        .success();
    let text = String::from_utf8(check.get_output().stdout.clone()).unwrap();
    assert!(text.contains("per 500-credit block"), "{text}");
}
