//! When a flow's runs arrive, learned from their start times.
//!
//! - **Fixed schedule**: every team has the same start times, and they sit on
//!   one grid (a first time of day, then every `every` seconds until
//!   midnight) on the same weekdays, with every whole day of the window that
//!   should have runs having exactly those runs.
//! - **Poisson** otherwise: a weekday profile and an hour-of-day profile
//!   (each shrunk toward flat by a pseudo-count of one run, so sparse data
//!   gives a near-flat profile, not a precise-looking one); a month-on-month
//!   trend from a log-linear Poisson regression of daily counts on time
//!   (kept only when it is at least two standard errors from zero); bursts
//!   where a team's daily count is far above what the rest of the data
//!   predicts (a Poisson upper tail below 0.1%): how often, for how many
//!   hours, by how much.
//!
//! Times are ns since the Unix epoch; days and weekdays are UTC.

use std::fmt::Write;

/// Nanoseconds in a day.
pub(crate) const DAY_NS: i64 = 86_400_000_000_000;
const HOUR_NS: i64 = 3_600_000_000_000;
const SECOND_NS: i64 = 1_000_000_000;
/// The 30-day month of growth rates and burst frequencies.
const MONTH_DAYS: f64 = 30.0;
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// The weekday (0 = Monday) of an instant.
fn weekday(t: i64) -> usize {
    // 1970-01-01 was a Thursday (3).
    ((t.div_euclid(DAY_NS) + 3).rem_euclid(7)) as usize
}

/// A fitted arrival process.
#[derive(Clone, Debug, PartialEq)]
pub struct ArrivalFit {
    /// The scenario's `arrivals` value (TOML).
    pub toml: String,
    /// What it was estimated from and how (TOML comment lines, no `#`).
    pub notes: Vec<String>,
    /// Poisson (scaled by team size) rather than a fixed schedule.
    pub poisson: bool,
    /// The variance of the log of the fitted rate at the forecast start (the
    /// estimate's own uncertainty, trend extrapolation included; 0 for a
    /// schedule), for the forecast's spread.
    pub log_rate_var: f64,
}

/// Fits the arrivals of one flow from each team's start times (sorted) in
/// the window `[from, to)`, with the rate expressed at `forecast` (the
/// written scenario's calendar start).
pub fn fit(starts: &[Vec<i64>], from: i64, to: i64, forecast: i64) -> ArrivalFit {
    if let Some(s) = schedule(starts, from, to) {
        return s;
    }
    poisson(starts, from, to, forecast)
}

/// A fixed schedule, if the start times are one.
fn schedule(starts: &[Vec<i64>], from: i64, to: i64) -> Option<ArrivalFit> {
    let first = starts.first()?;
    if first.len() < 3 || starts.iter().any(|s| s != first) {
        return None;
    }
    let mut tods: Vec<i64> = first.iter().map(|t| t.rem_euclid(DAY_NS)).collect();
    tods.sort_unstable();
    tods.dedup();
    if tods.iter().any(|t| t % SECOND_NS != 0) {
        return None;
    }
    let at = tods[0];
    let every = if tods.len() == 1 {
        DAY_NS
    } else {
        tods[1] - tods[0]
    };
    // One grid, from `at` every `every` until midnight.
    let grid: Vec<i64> = (0..)
        .map(|k| at + k * every)
        .take_while(|t| *t < DAY_NS)
        .collect();
    if grid != tods {
        return None;
    }
    let mut days = [false; 7];
    for t in first {
        days[weekday(*t)] = true;
    }
    // Every whole day in the window: all of the grid on its weekdays,
    // nothing on the others.
    let first_day = from.div_euclid(DAY_NS) + i64::from(from.rem_euclid(DAY_NS) != 0);
    let last_day = to.div_euclid(DAY_NS); // exclusive
    let mut per_day = std::collections::HashMap::new();
    for t in first {
        *per_day.entry(t.div_euclid(DAY_NS)).or_insert(0usize) += 1;
    }
    let mut whole_days = 0;
    for d in first_day..last_day {
        let expect = if days[weekday(d * DAY_NS)] {
            grid.len()
        } else {
            0
        };
        if per_day.get(&d).copied().unwrap_or(0) != expect {
            return None;
        }
        whole_days += usize::from(expect > 0);
    }
    if whole_days < 2 {
        return None;
    }
    let at_s = at / SECOND_NS;
    let at_text = format!("{:02}:{:02}:{:02}", at_s / 3600, at_s / 60 % 60, at_s % 60);
    let every_text = if every == DAY_NS {
        "1d".to_string()
    } else {
        format!("{}s", every / SECOND_NS)
    };
    let wd: Vec<String> = (0..7)
        .filter(|&d| days[d])
        .map(|d| format!("\"{}\"", WEEKDAYS[d]))
        .collect();
    Some(ArrivalFit {
        toml: format!(
            "{{ schedule = {{ every = \"{every_text}\", at = \"{at_text}\", weekdays = [{}] }} }}",
            wd.join(", ")
        ),
        notes: vec![format!(
            "a fixed schedule: the same {} start times in every team, on one grid, on {whole_days} whole days",
            first.len()
        )],
        poisson: false,
        log_rate_var: 0.0,
    })
}

/// Poisson with profiles, trend and bursts.
fn poisson(starts: &[Vec<i64>], from: i64, to: i64, forecast: i64) -> ArrivalFit {
    let teams = starts.len().max(1);
    let day0 = from.div_euclid(DAY_NS);
    let ndays = ((to - 1).div_euclid(DAY_NS) - day0 + 1).max(1) as usize;
    // Exposure of each day (a partial first or last day counts in part).
    let exposure: Vec<f64> = (0..ndays)
        .map(|d| {
            let lo = ((day0 + d as i64) * DAY_NS).max(from);
            let hi = ((day0 + d as i64 + 1) * DAY_NS).min(to);
            ((hi - lo).max(0) as f64 / DAY_NS as f64).max(0.0)
        })
        .collect();
    let mut counts = vec![vec![0u64; ndays]; teams];
    let mut hours = [0u64; 24];
    let mut total = 0u64;
    for (i, s) in starts.iter().enumerate() {
        for &t in s {
            let d = (t.div_euclid(DAY_NS) - day0).clamp(0, ndays as i64 - 1) as usize;
            counts[i][d] += 1;
            hours[(t.rem_euclid(DAY_NS) / HOUR_NS) as usize] += 1;
            total += 1;
        }
    }
    let days_seen = (0..ndays)
        .filter(|&d| counts.iter().any(|c| c[d] > 0))
        .count();
    let exposure_days: f64 = exposure.iter().sum();
    let mean_daily = total as f64 / exposure_days.max(1e-9);

    // Weekday weights: each weekday's rate relative to the mean, shrunk by a
    // pseudo-count of one run.
    let mut wd_runs = [0f64; 7];
    let mut wd_days = [0f64; 7];
    for d in 0..ndays {
        let w = weekday((day0 + d as i64) * DAY_NS);
        wd_days[w] += exposure[d];
        wd_runs[w] += counts.iter().map(|c| c[d] as f64).sum::<f64>();
    }
    let wd_weight: Vec<f64> = (0..7)
        .map(|w| {
            if mean_daily <= 0.0 {
                return 1.0;
            }
            ((wd_runs[w] + 1.0) / (wd_days[w] + 1.0 / mean_daily)) / mean_daily
        })
        .collect();

    // Burst detection per team and day, against the team's share of a flat
    // (weekday-profiled) rate; then the trend on the remaining days.
    let team_share: Vec<f64> = counts
        .iter()
        .map(|c| c.iter().sum::<u64>() as f64 / total.max(1) as f64)
        .collect();
    let base: Vec<f64> = (0..ndays)
        .map(|d| mean_daily * exposure[d] * wd_weight[weekday((day0 + d as i64) * DAY_NS)])
        .collect();
    let mut burst = vec![vec![false; ndays]; teams];
    let mut bursts = 0usize;
    for i in 0..teams {
        for d in 0..ndays {
            let mu = base[d] * team_share[i];
            let c = counts[i][d] as f64;
            if mu > 0.0 && c - mu >= 3.0 && poisson_upper_tail(counts[i][d], mu) < 1e-3 {
                burst[i][d] = true;
                bursts += 1;
            }
        }
    }
    // Log-linear Poisson regression: E[y_d] = exp(a + b t_d) x offset_d,
    // t in 30-day months from `from`, over the non-burst team-days.
    let mut y = vec![0f64; ndays];
    let mut offset = vec![0f64; ndays];
    for d in 0..ndays {
        for i in 0..teams {
            if !burst[i][d] {
                y[d] += counts[i][d] as f64;
                offset[d] += base[d] / mean_daily.max(1e-300) * team_share[i];
            }
        }
    }
    let t: Vec<f64> = (0..ndays).map(|d| (d as f64 + 0.5) / MONTH_DAYS).collect();
    let (a, b, cov) = loglinear(&y, &offset, &t);
    let se_b = cov[1][1].sqrt();
    let months_seen = exposure_days / MONTH_DAYS;
    let t_forecast = (forecast as f64 - from as f64) / DAY_NS as f64 / MONTH_DAYS;
    // The trend is kept whenever a month of data can show one: dropping an
    // uncertain trend would bias the forecast; its uncertainty goes into the
    // forecast's spread instead (`log_rate_var`).
    let keep_trend = se_b.is_finite() && months_seen >= 1.0;
    let (sy, so) = (y.iter().sum::<f64>(), offset.iter().sum::<f64>());
    let (a, b, log_rate_var) = if keep_trend {
        let v = cov[0][0] + 2.0 * t_forecast * cov[0][1] + t_forecast * t_forecast * cov[1][1];
        (a, b, v.max(0.0))
    } else {
        (((sy + 0.5) / so.max(1e-300)).ln(), 0.0, 1.0 / (sy + 0.5))
    };
    let per_day_all = (a + b * t_forecast).exp();
    let per_day = per_day_all / teams as f64;
    let growth = b.exp() - 1.0;

    // Over-dispersion left after profile and trend (Pearson chi-square per
    // degree of freedom of the pooled daily counts).
    let mut chi2 = 0.0;
    let mut df = 0.0;
    for d in 0..ndays {
        let mu = (a + b * t[d]).exp() * offset[d];
        if mu > 0.0 && exposure[d] >= 1.0 {
            chi2 += (y[d] - mu).powi(2) / mu;
            df += 1.0;
        }
    }
    let dispersion = if df > 2.0 { chi2 / (df - 2.0) } else { 1.0 };

    let hour_weights: Vec<String> = hours.iter().map(|h| (h + 1).to_string()).collect();
    let wd_text: Vec<String> = wd_weight.iter().map(|w| super::counts::num(*w)).collect();
    let mut toml = format!(
        "{{ poisson = {{ per_day = {}, hours = [{}], weekdays = [{}]",
        super::counts::num(per_day),
        hour_weights.join(", "),
        wd_text.join(", ")
    );
    if keep_trend {
        let _ = write!(toml, ", growth_per_month = {}", super::counts::num(growth));
    }
    let mut notes = vec![format!(
        "Poisson: {total} runs of {teams} team(s) on {days_seen} of {ndays} days; per_day is the fitted rate per team at the forecast start"
    )];
    notes.push(if keep_trend {
        format!(
            "trend: {:+.1}% a month, standard error {:.1} points (log-linear fit over {months_seen:.1} months); the rate at the forecast start is known to about {:.1}%",
            growth * 100.0,
            se_b * 100.0,
            log_rate_var.sqrt() * 100.0
        )
    } else {
        "no trend: under a month of data".to_string()
    });
    notes.push("hours: runs by UTC hour + 1 (a pseudo-count that flattens sparse profiles); weekdays: each weekday's rate / the mean rate, shrunk by one pseudo-run".to_string());
    if bursts > 0 {
        let (hours_per, mult) = burst_shape(starts, &burst, &base, &team_share, day0, &hours);
        let per_month = bursts as f64 / teams as f64 / months_seen.max(1e-9);
        let _ = write!(
            toml,
            ", bursts = {{ per_month = {}, duration_hours = {}, multiplier = {} }}",
            super::counts::num(per_month),
            super::counts::num(hours_per),
            super::counts::num(mult)
        );
        notes.push(format!(
            "bursts: {bursts} team-days far above the rest (Poisson tail < 0.1%), {per_month:.2} per team per month, about {hours_per:.1} h at x{mult:.1}"
        ));
    }
    if dispersion > 1.5 && bursts == 0 {
        notes.push(format!(
            "daily counts vary {dispersion:.1}x more than Poisson without bursts to explain it; the forecast's spread may be too narrow"
        ));
    }
    toml.push_str(" } }");
    ArrivalFit {
        toml,
        notes,
        poisson: true,
        log_rate_var,
    }
}

/// How long bursts last and how much they multiply the rate: over the burst
/// team-days, the hours whose count is far above the hour's expectation.
fn burst_shape(
    starts: &[Vec<i64>],
    burst: &[Vec<bool>],
    base: &[f64],
    share: &[f64],
    day0: i64,
    hours: &[u64; 24],
) -> (f64, f64) {
    let hour_total: u64 = hours.iter().sum();
    let (mut burst_hours, mut excess, mut expected, mut n) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for (i, s) in starts.iter().enumerate() {
        for (d, flagged) in burst[i].iter().enumerate() {
            if !*flagged {
                continue;
            }
            let mut by_hour = [0u64; 24];
            for &t in s {
                if t.div_euclid(DAY_NS) - day0 == d as i64 {
                    by_hour[(t.rem_euclid(DAY_NS) / HOUR_NS) as usize] += 1;
                }
            }
            let day_mu = base[d] * share[i];
            let mut h_count: f64 = 0.0;
            for h in 0..24 {
                let mu_h = day_mu * hours[h] as f64 / hour_total.max(1) as f64;
                if by_hour[h] as f64 > mu_h + 3.0 * mu_h.sqrt().max(1.0) {
                    h_count += 1.0;
                    excess += by_hour[h] as f64 - mu_h;
                    expected += mu_h;
                }
            }
            burst_hours += h_count.max(1.0);
            n += 1.0;
        }
    }
    let hours_per = if n > 0.0 { burst_hours / n } else { 1.0 };
    let mult = if expected > 0.0 {
        1.0 + excess / expected
    } else {
        1.0
    };
    (hours_per, mult.max(1.0))
}

/// P(X >= k) for X ~ Poisson(mu), by summing the upper tail from the mode
/// down in log space (accurate where it matters, tails below 1e-3).
pub(crate) fn poisson_upper_tail(k: u64, mu: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    // Sum P(X = j) for j = k .. k + enough.
    let ln_p = |j: u64| -> f64 { j as f64 * mu.ln() - mu - ln_factorial(j) };
    let mut sum = 0.0;
    let mut j = k;
    loop {
        let p = ln_p(j).exp();
        sum += p;
        if p < sum * 1e-12 || j > k + 10_000 {
            break;
        }
        j += 1;
    }
    sum.min(1.0)
}

/// ln(n!) (Stirling's series beyond 20).
fn ln_factorial(n: u64) -> f64 {
    if n < 20 {
        (1..=n).map(|i| (i as f64).ln()).sum()
    } else {
        let x = n as f64 + 1.0;
        (x - 0.5) * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI).ln() + 1.0 / (12.0 * x)
            - 1.0 / (360.0 * x.powi(3))
    }
}

/// The covariance of (a, b) that says "unknown".
const UNKNOWN: [[f64; 2]; 2] = [[f64::INFINITY, 0.0], [0.0, f64::INFINITY]];

/// Poisson regression of `y` on `t` with offsets: returns (a, b, their
/// covariance) of `E[y] = exp(a + b t) x offset`, by Newton's method.
fn loglinear(y: &[f64], offset: &[f64], t: &[f64]) -> (f64, f64, [[f64; 2]; 2]) {
    let (sy, so) = (y.iter().sum::<f64>(), offset.iter().sum::<f64>());
    if sy <= 0.0 || so <= 0.0 {
        return (((sy + 0.5) / so.max(1e-300)).ln(), 0.0, UNKNOWN);
    }
    let (mut a, mut b) = ((sy / so).ln(), 0.0);
    let mut info = [[0.0; 2]; 2];
    for _ in 0..50 {
        let mut g = [0.0; 2];
        info = [[0.0; 2]; 2];
        for i in 0..y.len() {
            if offset[i] <= 0.0 {
                continue;
            }
            let mu = (a + b * t[i]).exp() * offset[i];
            let r = y[i] - mu;
            g[0] += r;
            g[1] += r * t[i];
            info[0][0] += mu;
            info[0][1] += mu * t[i];
            info[1][1] += mu * t[i] * t[i];
        }
        info[1][0] = info[0][1];
        let det = info[0][0] * info[1][1] - info[0][1] * info[1][0];
        if det.is_nan() || det.abs() <= 1e-300 {
            return (a, 0.0, UNKNOWN);
        }
        let da = (info[1][1] * g[0] - info[0][1] * g[1]) / det;
        let db = (-info[1][0] * g[0] + info[0][0] * g[1]) / det;
        a += da;
        b += db;
        if !(a.is_finite() && b.is_finite()) {
            return ((sy / so).ln(), 0.0, UNKNOWN);
        }
        if da.abs() < 1e-10 && db.abs() < 1e-10 {
            break;
        }
    }
    let det = info[0][0] * info[1][1] - info[0][1] * info[1][0];
    if det <= 0.0 {
        return (a, b, UNKNOWN);
    }
    let cov = [
        [info[1][1] / det, -info[0][1] / det],
        [-info[1][0] / det, info[0][0] / det],
    ];
    (a, b, cov)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weekdays_follow_the_epoch() {
        // 2026-06-01 is a Monday.
        let t = chrono::DateTime::parse_from_rfc3339("2026-06-01T12:00:00Z")
            .unwrap()
            .timestamp_nanos_opt()
            .unwrap();
        assert_eq!(weekday(t), 0);
        assert_eq!(weekday(t + 6 * DAY_NS), 6);
    }

    #[test]
    fn a_grid_on_weekdays_is_a_schedule() {
        let monday = 1_780_272_000 * SECOND_NS; // 2026-06-01T00:00:00Z
        let mut s = Vec::new();
        for d in 0..14 {
            let day = monday + d * DAY_NS;
            if weekday(day) < 5 {
                for k in 0..5 {
                    s.push(day + 6 * HOUR_NS + k * 4 * HOUR_NS + 30 * 60 * SECOND_NS);
                }
            }
        }
        let f = fit(
            &[s.clone(), s],
            monday,
            monday + 14 * DAY_NS,
            monday + 14 * DAY_NS,
        );
        assert_eq!(
            f.toml,
            "{ schedule = { every = \"14400s\", at = \"06:30:00\", weekdays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"] } }"
        );
        assert!(!f.poisson);
    }

    #[test]
    fn the_poisson_tail_matches_its_closed_form() {
        // P(X >= 1) = 1 - e^-mu; P(X >= 3 | mu = 1) = 1 - e^-1 (1 + 1 + 1/2).
        assert!((poisson_upper_tail(1, 2.0) - (1.0 - (-2.0f64).exp())).abs() < 1e-12);
        let p3 = 1.0 - (-1.0f64).exp() * 2.5;
        assert!((poisson_upper_tail(3, 1.0) - p3).abs() < 1e-12);
    }

    #[test]
    fn loglinear_recovers_an_exact_trend() {
        // y = 100 e^(0.1 t) exactly: a = ln 100, b = 0.1.
        let t: Vec<f64> = (0..60).map(|d| d as f64 / 30.0).collect();
        let y: Vec<f64> = t.iter().map(|t| 100.0 * (0.1 * t).exp()).collect();
        let (a, b, _) = loglinear(&y, &vec![1.0; 60], &t);
        assert!(
            (a - 100f64.ln()).abs() < 1e-8 && (b - 0.1).abs() < 1e-8,
            "{a} {b}"
        );
    }
}
