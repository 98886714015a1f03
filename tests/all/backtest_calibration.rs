//! The backtest's acceptance test: on a six-month log emitted from a scenario
//! with growth, bursts, team-to-team spread, agents and a suspended kind,
//! forecasts fitted on the months before each of months 4 to 6 are
//! calibrated (P10-P90 coverage within 0.8 +- 3 binomial standard errors of
//! the team-months scored, the band `backtest` reports) and beat both
//! baselines people use today on CRPS.

use flowcast::backtest::{backtest, BacktestOptions};
use flowcast::emit::{emit_log, plan_file};
use std::path::Path;

#[test]
fn forecasts_fitted_to_history_are_calibrated_and_beat_the_baselines() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/usage-history.toml");
    let mut s = flowcast::scenario::load(&path).unwrap();
    // More teams than the example, for a tighter coverage band.
    for k in &mut s.kinds {
        k.teams = 30;
    }
    let mut log = Vec::new();
    let e = emit_log(&s, 3, 1, &mut log).unwrap();
    let billing = flowcast::emit::billing(&s, &e.billed, 1).unwrap();
    let data = flowcast::fitting::data::read(&log[..], "h.csv".as_ref(), &s.prices).unwrap();
    let b = backtest(
        &data,
        "h.csv".as_ref(),
        &s.prices,
        &BacktestOptions {
            train_months: 3,
            trials: 200,
            seed: 1,
            projection_day: 7,
            billing,
        },
    )
    .unwrap();
    assert_eq!(b.months.len(), 3);
    assert_eq!(b.team_months, 3 * 60);
    let (lo, hi) = b.coverage_band;
    // 0.8 +- 3 x sqrt(0.16 / 180) = 0.8 +- 0.089.
    assert!(
        (lo - 0.7106).abs() < 1e-3 && (hi - 0.8894).abs() < 1e-3,
        "{lo} {hi}"
    );
    assert!(
        (lo..=hi).contains(&b.coverage_p10_p90),
        "P10-P90 coverage {} outside [{lo}, {hi}]",
        b.coverage_p10_p90
    );
    assert!(b.beats(1), "{:?}", b.scores);
    assert!(b.beats(2), "{:?}", b.scores);
}

#[test]
fn a_log_too_short_for_the_training_months_is_refused() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/usage-history.toml");
    let mut s = flowcast::scenario::load(&path).unwrap();
    s.calendar.months = 3;
    for k in &mut s.kinds {
        k.teams = 2;
    }
    let mut log = Vec::new();
    let e = emit_log(&s, 3, 1, &mut log).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("h.plans.toml");
    std::fs::write(&plans, plan_file(&s, &e.billed, 1)).unwrap();
    std::fs::write(dir.path().join("h.csv"), &log).unwrap();
    let out = assert_cmd::Command::cargo_bin("flowcast")
        .unwrap()
        .current_dir(dir.path())
        .args([
            "backtest",
            "h.csv",
            "--plan-file",
            "h.plans.toml",
            "--train-months",
            "3",
            "--out",
            "bt",
        ])
        .assert()
        .code(2);
    let o = out.get_output();
    assert!(o.stdout.is_empty());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "h.csv: the log covers 3 whole billing month(s); --train-months 3 needs at least 4"
        ),
        "{err}"
    );
    assert!(!dir.path().join("bt").exists());
}
