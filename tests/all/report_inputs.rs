//! Every result records what it was computed from, and a report whose
//! sections come from different inputs says so at the top.

use assert_cmd::Command;
use sha2::Digest;
use std::path::Path;

fn flowcast() -> Command {
    Command::cargo_bin("flowcast").unwrap()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn results_record_their_inputs_and_the_report_flags_a_mix() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let scenario = "scenarios/which-plan.toml";
    let expected_sha: String = sha2::Sha256::digest(std::fs::read(scenario).unwrap())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    flowcast()
        .args([
            "run", scenario, "--trials", "4", "--seed", "5", "--quiet", "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let inputs = &json(&out.join("summary.json"))["inputs"];
    assert_eq!(inputs["command"], "run");
    assert_eq!(inputs["input_file"], scenario);
    assert_eq!(inputs["input_sha256"], expected_sha.as_str());
    assert_eq!(inputs["seed"], 5);
    assert_eq!(inputs["trials"], 4);
    assert_eq!(inputs["overrides"].as_array().unwrap().len(), 0);
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("Inputs"), "an inputs section");
    assert!(!report.contains("come from different inputs"));

    // Same file, same overrides, more trials: still one model, no notice.
    flowcast()
        .args(["compare", scenario, "--trials", "6", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!report.contains("come from different inputs"));

    // Another block price: the report says its sections differ.
    flowcast()
        .args(["compare", scenario, "--trials", "6", "--quiet"])
        .args(["--set", "kinds.light-1-seat.overage_price=40", "--out"])
        .arg(&out)
        .assert()
        .success();
    let c = json(&out.join("compare.json"));
    assert_eq!(
        c["inputs"]["overrides"][0],
        "kinds.light-1-seat.overage_price=40"
    );
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("come from different inputs"),
        "notice shown"
    );
    assert!(report.contains("kinds.light-1-seat.overage_price=40"));
}

/// Hit times read the same in the printed summary and in the report: the
/// day of the cycle (day 1 first) and the time.
#[test]
fn hit_times_use_one_convention() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let a = flowcast()
        .args([
            "run",
            "scenarios/default.toml",
            "--trials",
            "5",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8(a.get_output().stdout.clone()).unwrap();
    let line = stdout
        .lines()
        .find(|l| l.contains("when hit, P10 "))
        .unwrap();
    let p10 = line
        .split("P10 ")
        .nth(1)
        .unwrap()
        .split(" / ")
        .next()
        .unwrap();
    assert!(p10.starts_with("day ") && p10.contains(':'), "{p10}");
    // The report keeps each time on one line with no-break spaces.
    let report = std::fs::read_to_string(out.join("report.html"))
        .unwrap()
        .replace('\u{a0}', " ");
    assert!(report.contains(p10), "the report shows {p10} too");
}
