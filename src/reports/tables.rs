//! The spreadsheet tables: `teams.csv` (one row per team kind) and
//! `daily.csv` (cumulative credits by day of the cycle, per team kind).

use crate::statistics::summary::{Distribution, GroupStats, Summary};

/// A number for a CSV cell: fixed decimals, no thousands separators.
pub(crate) fn num(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        String::new()
    }
}

pub(crate) fn opt(x: Option<f64>, decimals: usize) -> String {
    x.map_or(String::new(), |v| num(v, decimals))
}

/// A distribution's cells: the mean and its interval with `decimals`, the
/// percentiles with `pct_decimals` (0 for whole quantities such as credits,
/// runs and blocks: their percentiles are whole numbers, their mean is not).
pub(crate) fn dist_cells(d: &Distribution, decimals: usize, pct_decimals: usize) -> [String; 6] {
    [
        num(d.mean, decimals),
        num(d.ci_low, decimals),
        num(d.ci_high, decimals),
        num(d.p50, pct_decimals),
        num(d.p90, pct_decimals),
        num(d.p99, pct_decimals),
    ]
}

pub(crate) fn dist_headers(name: &str) -> [String; 6] {
    ["mean", "mean_ci_low", "mean_ci_high", "p50", "p90", "p99"].map(|s| format!("{name}_{s}"))
}

/// `teams.csv`: one row per team kind with the headline numbers.
pub fn teams_csv(s: &Summary) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "kind",
        "teams",
        "plan",
        "allotment_credits",
        "seats",
        "overage_policy",
        "overage_price_usd_assumption",
        "team_months",
        "hit_probability",
        "hit_probability_ci_low",
        "hit_probability_ci_high",
        "never_hit_share",
        "hit_day_p10",
        "hit_day_p50",
        "hit_day_p90",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    for name in [
        "credits_used",
        "overage_blocks",
        "overage_cost_usd",
        "runs_blocked",
        "credits_blocked",
        "days_suspended",
    ] {
        header.extend(dist_headers(name));
    }
    w.write_record(&header)?;
    let stats = |st: &GroupStats| {
        let mut row = vec![
            st.team_months.to_string(),
            num(st.hit.probability.value, 4),
            num(st.hit.probability.ci_low, 4),
            num(st.hit.probability.ci_high, 4),
            num(st.hit.never_hit_share, 4),
            opt(st.hit.day_p10, 3),
            opt(st.hit.day_p50, 3),
            opt(st.hit.day_p90, 3),
        ];
        row.extend(dist_cells(&st.credits_used, 1, 0));
        row.extend(dist_cells(&st.overage_blocks, 2, 0));
        row.extend(dist_cells(&st.overage_cost_usd, 2, 2));
        row.extend(dist_cells(&st.runs_blocked, 1, 0));
        row.extend(dist_cells(&st.credits_blocked, 1, 0));
        row.extend(dist_cells(&st.days_suspended, 3, 3));
        row
    };
    for k in &s.kinds {
        let mut row = vec![
            k.name.clone(),
            k.teams.to_string(),
            k.plan.plan.clone(),
            k.plan.credits.to_string(),
            k.plan.seats.to_string(),
            k.plan.overage_policy.clone(),
            opt(k.plan.overage_price_usd, 2),
        ];
        row.extend(stats(&k.stats));
        w.write_record(&row)?;
    }
    // Every team-month of every kind together, for the spreadsheet's total
    // line (plan columns empty: kinds differ).
    let teams: u64 = s.kinds.iter().map(|k| u64::from(k.teams)).sum();
    let mut row = vec![
        "(population)".to_string(),
        teams.to_string(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
        String::new(),
    ];
    row.extend(stats(&s.population));
    w.write_record(&row)?;
    w.into_inner().map_err(|e| e.into_error().into())
}

/// `total_overage.csv`: the population's total overage bill, one value per
/// simulated horizon (the finance number), as one row: horizon, trials,
/// mean with its 95% CI, P50, P90, P99.
pub fn total_overage_csv(s: &Summary) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = vec!["horizon".to_string(), "trials".to_string()];
    header.extend(dist_headers("total_overage_usd"));
    w.write_record(&header)?;
    let mut row = vec![
        crate::numbers::per_horizon(s.calendar.months, s.calendar.cycle_days),
        s.total_overage.trials.to_string(),
    ];
    row.extend(dist_cells(&s.total_overage.per_trial_usd, 2, 2));
    w.write_record(&row)?;
    w.into_inner().map_err(|e| e.into_error().into())
}

/// `daily.csv`: per team kind and day of the cycle, the credits used by the
/// end of that day at P10, P25, P50, P75, P90 across team-months (whole
/// credits).
pub fn daily_csv(s: &Summary) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "kind",
        "day",
        "allotment_credits",
        "credits_p10",
        "credits_p25",
        "credits_p50",
        "credits_p75",
        "credits_p90",
    ])?;
    for k in &s.kinds {
        let d = &k.stats.daily;
        for i in 0..d.day.len() {
            w.write_record([
                k.name.clone(),
                d.day[i].to_string(),
                k.plan.credits.to_string(),
                num(d.p10[i], 0),
                num(d.p25[i], 0),
                num(d.p50[i], 0),
                num(d.p75[i], 0),
                num(d.p90[i], 0),
            ])?;
        }
    }
    w.into_inner().map_err(|e| e.into_error().into())
}
