//! Shared shocks against closed forms. The scenarios are built so the
//! population's total overage per trial is its credits minus a constant:
//! every run costs 1 credit (a cloud run's base charge), the plan includes
//! 1 credit, an overage block is 1 credit at $1. Then with N teams of
//! Poisson rate `lambda` per cycle and a shared monthly factor F (lognormal,
//! mean 1), the law of total variance gives
//! `Var(T) = N lambda E[F] + (N lambda)^2 Var(F)`, `Var(F) = e^(sigma^2) - 1`.
//!
//! Power: with 4,000 trials the sample variance of T is within about 3%
//! (one standard error, from T's kurtosis), so the 12% tolerance (4 SE)
//! still tells sigma = 0.3 from 0.25 (a 31% smaller variance) and from no
//! shock at all (190 times smaller).

use flowcast::engine::SimOptions;
use flowcast::planning::run::{run, Trials};
use std::path::Path;

fn scenario(kind_extra: &str, shocks: &str) -> flowcast::scenario::Scenario {
    let text = format!(
        r#"
name = "shared"
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 30
[prices.overage]
block_credits = 1
[prices.plans.tiny]
credits = 1
overage_allowed = true
{shocks}
[[kinds]]
name = "a"
teams = 50
plan = "tiny"
overage = "on"
overage_price = 1.0
{kind_extra}
  [[kinds.flows]]
  name = "f"
  trigger = "api"
  arrivals = {{ poisson = {{ per_day = 1.3333333333333333 }} }}
  duration_seconds = 0
"#
    );
    flowcast::scenario::parse(&text, Path::new("shared.toml")).unwrap()
}

fn opts(trials: u32) -> SimOptions {
    SimOptions {
        seed: 5,
        first_trial: 0,
        trials,
        threads: None,
        progress: false,
        per_run: false,
    }
}

/// Mean and variance of the total per trial, from its 95% interval.
fn mean_var(s: &flowcast::statistics::Summary) -> (f64, f64) {
    let d = &s.total_overage.per_trial_usd;
    let n = s.total_overage.trials as f64;
    let sd = (d.ci_high - d.ci_low) / 2.0 / 1.959_963_984_540_054 * n.sqrt();
    (d.mean, sd * sd)
}

#[test]
fn a_monthly_factor_adds_the_law_of_total_variance() {
    // N lambda = 50 x 40 = 2,000 credits; minus one included credit a team.
    let sigma: f64 = 0.3;
    let r = run(
        &scenario(&format!("monthly_shock = {{ sigma = {sigma} }}"), ""),
        &opts(4000),
        &Trials::Fixed,
    )
    .unwrap();
    let (mean, var) = mean_var(&r.summary);
    let expected = 2000.0 + 2000.0f64.powi(2) * ((sigma * sigma).exp() - 1.0);
    assert!(
        (mean - 1950.0).abs() < 4.0 * (expected / 4000.0).sqrt(),
        "mean {mean}"
    );
    assert!(
        (var / expected - 1.0).abs() < 0.12,
        "variance {var}, expected {expected}"
    );
    // Nearly all of it is the shock's: 1 - 2,000 / 378,700.
    let share = r.summary.shared_shocks.as_ref().unwrap().variance_share;
    assert!((share - (1.0 - 2000.0 / expected)).abs() < 0.01, "{share}");
}

#[test]
fn the_reported_share_is_the_shocks_part_of_the_variance() {
    // Var(F) = 1 / (N lambda): the shock adds as much variance as the
    // teams' own Poisson noise, so it explains half (SE about 0.015).
    let sigma = (1.0f64 + 1.0 / 2000.0).ln().sqrt();
    let r = run(
        &scenario(&format!("monthly_shock = {{ sigma = {sigma} }}"), ""),
        &opts(4000),
        &Trials::Fixed,
    )
    .unwrap();
    let s = r.summary.shared_shocks.unwrap();
    assert!((s.variance_share - 0.5).abs() < 0.06, "{s:?}");
    assert!(
        (s.sd_without_usd / 2000f64.sqrt() - 1.0).abs() < 0.1,
        "{s:?}"
    );
    // Without shocks there is no share to report.
    let plain = run(&scenario("", ""), &opts(50), &Trials::Fixed).unwrap();
    assert!(plain.summary.shared_shocks.is_none());
}

#[test]
fn a_shared_outage_removes_its_expected_hours_from_every_team() {
    // One 24-hour outage a month on average, starting uniformly in the
    // 30-day cycle: the rate is zero while one is on. At day t the chance
    // no outage covers t is exp(-min(t, 1) / 30), so the expected share of
    // the cycle left is 1 - exp(-1/30) / 30 = 0.967759.
    let s = scenario(
        "",
        r#"[[shocks.events]]
name = "outage"
per_month = 1.0
duration_hours = 24
multiplier = 0.0"#,
    );
    let r = run(&s, &opts(4000), &Trials::Fixed).unwrap();
    let (mean, var) = mean_var(&r.summary);
    let left = 1.0 - (-1.0f64 / 30.0).exp() / 30.0;
    let expected = 2000.0 * left - 50.0;
    let se = (var / 4000.0).sqrt();
    assert!(
        (mean - expected).abs() < 4.0 * se,
        "mean {mean}, expected {expected} (se {se})"
    );
    // Without the outage the mean is 1,950: 64 credits more, 40+ SEs away.
    assert!(1950.0 - expected > 40.0 * se);
}

#[test]
fn shock_settings_are_checked_with_their_line() {
    for (extra, shocks, says) in [
        ("monthly_shock = { sigma = -1 }", "", "kinds.a.monthly_shock.sigma: must be >= 0"),
        ("", "[shocks]\ncorrelation = 1.5", "shocks.correlation: must be a rank correlation from 0 to 1"),
        (
            "",
            "[[shocks.events]]\nname = \"x\"\nper_month = 1\nduration_hours = 1\nmultiplier = 2\nkinds = [\"b\"]",
            "shocks.events.x.kinds: unknown kind 'b'",
        ),
    ] {
        let text = format!(
            "name = \"x\"\n[calendar]\nstart = 2026-06-01T00:00:00Z\n{shocks}\n[[kinds]]\nname = \"a\"\nteams = 1\nplan = \"team\"\n{extra}\n[[kinds.flows]]\nname = \"f\"\ntrigger = \"api\"\narrivals = {{ poisson = {{ per_day = 1 }} }}\n"
        );
        let e = flowcast::scenario::parse(&text, Path::new("x.toml")).unwrap_err().to_string();
        assert!(e.contains(says), "{e}");
        assert!(e.starts_with("x.toml:"), "{e}");
    }
}
