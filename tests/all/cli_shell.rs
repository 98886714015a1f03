//! The command line as a shell user meets it: a mistyped flag gets the
//! suggestion on the one error line, and the completion script and manual
//! page are generated from the same definitions as `--help`.

use assert_cmd::Command;

fn flowcast() -> Command {
    Command::cargo_bin("flowcast").unwrap()
}

#[test]
fn a_mistyped_flag_gets_a_suggestion_on_one_line() {
    let a = flowcast()
        .args(["run", "scenarios/default.toml", "--trails", "5"])
        .assert()
        .code(2)
        .stdout("");
    let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("'--trails'") && err.contains("'--trials'"),
        "{err}"
    );
}

#[test]
fn completions_and_manual_cover_every_subcommand() {
    let bash = flowcast().args(["completions", "bash"]).assert().success();
    let bash = String::from_utf8(bash.get_output().stdout.clone()).unwrap();
    let man = flowcast().arg("man").assert().success();
    let man = String::from_utf8(man.get_output().stdout.clone()).unwrap();
    assert!(
        man.starts_with(".ie") || man.contains(".TH flowcast"),
        "{man}"
    );
    for sub in [
        "replay",
        "run",
        "compare",
        "sweep",
        "sensitivity",
        "check",
        "report",
        "fit",
        "backtest",
    ] {
        assert!(bash.contains(&format!("flowcast,{sub})")), "bash: {sub}");
        assert!(
            man.contains(&format!("FLOWCAST {}", sub.to_uppercase())),
            "man: {sub}"
        );
    }
    // Each subcommand's own options are in the page.
    assert!(man.contains("emit\\-log") || man.contains("emit-log"));
    let fish = flowcast().args(["completions", "fish"]).assert().success();
    assert!(!fish.get_output().stdout.is_empty());
    flowcast()
        .args(["completions", "tcsh"])
        .assert()
        .code(2)
        .stdout("");
}
