//! The billing calendar as simulated time: cycle boundaries in seconds from
//! the calendar's start, and where that start falls in the week.

use crate::scenario::Calendar;
use crate::workload::arrivals::{Timeline, DAY};
use chrono::{Datelike, Months, Timelike};

/// The timeline of `cal`: `months` consecutive cycles, each `cycle_days`
/// long, or calendar months from the start (same day of month and time, the
/// day clamped to the month's last day like a billing anchor).
pub fn timeline(cal: &Calendar) -> Result<Timeline, String> {
    if cal.months == 0 {
        return Err("calendar.months must be >= 1".to_string());
    }
    let mut bounds = Vec::with_capacity(cal.months as usize + 1);
    for k in 0..=cal.months {
        let t = match cal.cycle_days {
            Some(0) => return Err("calendar.cycle_days must be >= 1".to_string()),
            Some(d) => f64::from(k) * f64::from(d) * DAY,
            None => {
                let end = cal
                    .start
                    .checked_add_months(Months::new(k))
                    .ok_or_else(|| "calendar runs past the year 262143".to_string())?;
                (end - cal.start).num_milliseconds() as f64 / 1000.0
            }
        };
        bounds.push(t);
    }
    let s = cal.start;
    let week_offset = f64::from(s.weekday().num_days_from_monday()) * DAY
        + f64::from(s.num_seconds_from_midnight())
        + f64::from(s.nanosecond()) * 1e-9;
    Ok(Timeline {
        bounds,
        week_offset,
    })
}

/// The cycle bounds of `cal` in integer nanoseconds from its start, exact
/// (the instants the ledger bills at; [`timeline`] has the same in seconds).
pub fn bounds_ns(cal: &Calendar) -> Result<Vec<i64>, String> {
    let mut bounds = Vec::with_capacity(cal.months as usize + 1);
    for k in 0..=cal.months {
        let t = match cal.cycle_days {
            Some(d) => i64::from(k)
                .checked_mul(i64::from(d))
                .and_then(|x| x.checked_mul(super::clock::DAY_NS)),
            None => cal
                .start
                .checked_add_months(Months::new(k))
                .and_then(|end| (end - cal.start).num_nanoseconds()),
        };
        bounds.push(t.ok_or_else(|| {
            "the calendar's horizon is too long to count in nanoseconds (about 292 years at most)"
                .to_string()
        })?);
    }
    Ok(bounds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    #[test]
    fn calendar_months_from_jan_31_clamp_and_fixed_cycles_are_even() {
        let cal = Calendar {
            start: Utc.with_ymd_and_hms(2026, 1, 31, 0, 0, 0).unwrap(),
            cycle_days: None,
            months: 2,
        };
        let tl = timeline(&cal).unwrap();
        // Jan 31 -> Feb 28 (28 days) -> Mar 31 (31 days).
        assert_eq!(tl.bounds, vec![0.0, 28.0 * DAY, 59.0 * DAY]);
        // 2026-01-31 is a Saturday.
        assert_eq!(tl.week_offset, 5.0 * DAY);
        let fixed = Calendar {
            cycle_days: Some(30),
            ..cal
        };
        assert_eq!(
            timeline(&fixed).unwrap().bounds,
            vec![0.0, 30.0 * DAY, 60.0 * DAY]
        );
    }
}
