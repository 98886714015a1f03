//! A backtest's tables: `backtest.csv` (one row per team and month, units in
//! the column names) and the text summary printed on stdout.

use super::Backtest;
use std::fmt::Write;

/// `backtest.csv`.
pub fn csv(b: &Backtest) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in &b.rows {
        w.serialize(r)?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// The text summary.
pub fn text(b: &Backtest) -> String {
    let mut t = String::new();
    let _ = writeln!(
        t,
        "Backtest of {}: {} forecast month(s) after {} month(s) of history, {} team-months, {} simulated months per forecast, seed {}.",
        b.log,
        b.months.len(),
        b.train_months,
        b.team_months,
        b.trials,
        b.seed
    );
    if b.unforecast_team_months > 0 {
        let _ = writeln!(
            t,
            "{} team-month(s) of teams with no history before their month were not scored.",
            b.unforecast_team_months
        );
    }
    let _ = writeln!(t, "\nCalibration of the credits forecast:");
    let _ = writeln!(
        t,
        "  actuals inside P10-P90   {:5.1}%   (80% when calibrated; {:.1}% to {:.1}% is consistent with it for {} team-months)",
        b.coverage_p10_p90 * 100.0,
        b.coverage_band.0 * 100.0,
        b.coverage_band.1 * 100.0,
        b.team_months
    );
    let _ = writeln!(
        t,
        "  actuals at or below P50  {:5.1}%   (50% when calibrated)",
        b.share_below_p50 * 100.0
    );
    let _ = writeln!(
        t,
        "  P10-P90 coverage by month: {}",
        b.months
            .iter()
            .zip(&b.coverage_by_month)
            .map(|(m, c)| format!("{} {:.0}%", &m[..7], c * 100.0))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let _ = writeln!(
        t,
        "\nScores (lower is better; CRPS of a point forecast is its absolute error):\n"
    );
    let _ = writeln!(
        t,
        "  {:<26} {:>14} {:>16} {:>8}",
        "forecaster", "CRPS credits", "CRPS overage $", "Brier"
    );
    for s in &b.scores {
        let _ = writeln!(
            t,
            "  {:<26} {:>14.1} {:>16.2} {:>8.3}",
            s.name, s.crps_credits, s.crps_overage_usd, s.brier
        );
    }
    let _ = writeln!(t);
    for i in 1..b.scores.len() {
        let (f, s) = (&b.scores[0], &b.scores[i]);
        let _ = writeln!(
            t,
            "flowcast {} '{}' on credits (CRPS {:.1} vs {:.1}, {:.0}% of it){}",
            if b.beats(i) { "beats" } else { "does not beat" },
            s.name,
            f.crps_credits,
            s.crps_credits,
            f.crps_credits / s.crps_credits.max(1e-300) * 100.0,
            if i == 2 {
                format!(
                    "; the projection saw the first {} days of each month, the forecast none",
                    b.projection_day
                )
            } else {
                String::new()
            }
        );
    }
    t
}
