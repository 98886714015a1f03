//! Time for replay: RFC 3339 instants as integer nanoseconds since the Unix
//! epoch (exact, so ties between a run's end and another's start are exact),
//! and the billing anchor that cuts time into monthly cycles.
//!
//! A cycle starts on the anchor's day of month (1 to 28, so every month has
//! it) at the anchor's time of day, UTC (shared/usage-log.md, "Billing cycles
//! and the replay result"). The default anchor is 00:00 UTC on the 1st.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, SecondsFormat, Timelike, Utc};

/// Earliest year accepted in a log. Nanoseconds in an `i64` span the years
/// 1677 to 2262; keeping one year of margin on each side guarantees that the
/// cycle containing any accepted instant, and the one after it, are
/// representable too.
pub const FIRST_YEAR: i32 = 1678;
/// Latest year accepted in a log (see [`FIRST_YEAR`]).
pub(crate) const LAST_YEAR: i32 = 2261;

/// Parses an RFC 3339 instant (any offset) into nanoseconds since the Unix
/// epoch, UTC. The error says what is wrong, on one line.
pub fn parse_time(s: &str) -> Result<i64, String> {
    let t = DateTime::parse_from_rfc3339(s)
        .map_err(|e| {
            format!("malformed time '{s}' ({e}; expected RFC 3339, e.g. 2026-03-01T09:30:00Z)")
        })?
        .with_timezone(&Utc);
    if !(FIRST_YEAR..=LAST_YEAR).contains(&t.year()) {
        return Err(format!(
            "time '{s}' is outside the supported years {FIRST_YEAR} to {LAST_YEAR}"
        ));
    }
    // In range by the check above; the fallback is never taken.
    t.timestamp_nanos_opt()
        .ok_or_else(|| format!("time '{s}' cannot be represented"))
}

/// An instant as a scenario or a price book writes it: an RFC 3339
/// date-time with an offset, or a bare date (midnight UTC). The error says
/// what is wrong, on one line.
pub(crate) fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    let text = text.trim();
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_time(NaiveTime::MIN).and_utc());
    }
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            format!(
                "'{text}' is not an RFC 3339 date-time with offset (e.g. 2026-06-01T00:00:00Z) or a date (2026-06-01): {e}"
            )
        })
}

/// Formats nanoseconds since the epoch as RFC 3339 UTC with a `Z`, with
/// sub-second digits only when they are non-zero (3, 6 or 9 of them).
pub fn format_time(ns: i64) -> String {
    DateTime::from_timestamp_nanos(ns).to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// The billing anchor: the day of month and time of day (UTC) at which every
/// cycle starts, or (for a simulation billed in fixed-length cycles) the
/// first cycle start and the cycles' length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Anchor {
    day: u32,
    time: NaiveTime,
    /// `Some((first start, length))`, ns: fixed-length cycles.
    every: Option<(i64, i64)>,
}

impl Default for Anchor {
    /// 00:00 UTC on the 1st.
    fn default() -> Self {
        Anchor {
            day: 1,
            time: NaiveTime::MIN,
            every: None,
        }
    }
}

/// Nanoseconds in a day.
const DAY_NS: i64 = 86_400_000_000_000;

impl Anchor {
    /// An anchor on `day` (1 to 28) at `time` UTC.
    pub fn new(day: u32, time: NaiveTime) -> Result<Anchor, String> {
        if !(1..=28).contains(&day) {
            // 29 to 31 are missing from some months: a cycle would have no
            // start there, so the anchor is refused rather than guessed at.
            return Err(format!(
                "anchor day must be 1 to 28 (every month has it), got {day}"
            ));
        }
        Ok(Anchor {
            day,
            time,
            every: None,
        })
    }

    /// Cycles of `days` days each, one of which starts at `start` (ns since
    /// the epoch): how a scenario with `calendar.cycle_days` is billed.
    pub fn every(start: i64, days: i64) -> Result<Anchor, String> {
        if !(1..=3660).contains(&days) {
            return Err(format!("cycle length must be 1 to 3660 days, got {days}"));
        }
        let t = DateTime::from_timestamp_nanos(start);
        Ok(Anchor {
            day: t.day(),
            time: t.time(),
            every: Some((start, days * DAY_NS)),
        })
    }

    /// Reads an anchor from an RFC 3339 instant: its day of month and time of
    /// day in UTC (the year and month do not matter).
    pub fn parse(s: &str) -> Result<Anchor, String> {
        let t = DateTime::parse_from_rfc3339(s)
            .map_err(|e| {
                format!(
                    "malformed anchor '{s}' ({e}; expected RFC 3339, e.g. 2026-01-15T09:00:00Z)"
                )
            })?
            .with_timezone(&Utc);
        Anchor::new(t.day(), t.time()).map_err(|e| format!("anchor '{s}': {e} (UTC day of month)"))
    }

    /// The cycle length in days of fixed-length cycles ([`Anchor::every`]).
    pub(crate) fn every_days(&self) -> Option<i64> {
        self.every.map(|(_, len)| len / DAY_NS)
    }

    /// Day of month, 1 to 28.
    pub fn day(&self) -> u32 {
        self.day
    }

    /// Time of day, UTC.
    pub fn time(&self) -> NaiveTime {
        self.time
    }

    /// The cycle start in month `month` (1 to 12) of `year`, if representable.
    fn start_in(&self, year: i32, month: u32) -> Option<i64> {
        NaiveDate::from_ymd_opt(year, month, self.day)?
            .and_time(self.time)
            .and_utc()
            .timestamp_nanos_opt()
    }

    /// The start of the cycle that contains `t`: the latest cycle start
    /// `<= t`. Saturates at the ends of the representable range (never hit
    /// for times accepted by [`parse_time`]).
    pub fn cycle_start(&self, t: i64) -> i64 {
        if let Some((origin, len)) = self.every {
            let k = (i128::from(t) - i128::from(origin)).div_euclid(i128::from(len));
            let s = i128::from(origin) + k * i128::from(len);
            return i64::try_from(s).unwrap_or(if s < 0 { i64::MIN } else { i64::MAX });
        }
        let dt = DateTime::from_timestamp_nanos(t);
        let (y, m) = (dt.year(), dt.month());
        match self.start_in(y, m) {
            Some(s) if s <= t => s,
            _ => {
                let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
                self.start_in(py, pm).unwrap_or(i64::MIN)
            }
        }
    }

    /// The start of the cycle after the one starting at `start` (which must
    /// be a cycle start): one calendar month later. Saturates at `i64::MAX`.
    pub fn next_start(&self, start: i64) -> i64 {
        if let Some((_, len)) = self.every {
            return start.saturating_add(len);
        }
        let dt = DateTime::from_timestamp_nanos(start);
        let (y, m) = (dt.year(), dt.month());
        let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
        self.start_in(ny, nm).unwrap_or(i64::MAX)
    }

    /// Human description, e.g. "day 15 at 09:00 UTC", or for fixed-length
    /// cycles "2026-06-01T00:00:00Z and every 30 days after".
    pub fn describe(&self) -> String {
        if let Some((origin, len)) = self.every {
            return format!(
                "{} and every {} days after",
                format_time(origin),
                len / DAY_NS
            );
        }
        let t = self.time;
        let mut s = format!("day {} at {:02}:{:02}", self.day, t.hour(), t.minute());
        if t.second() != 0 || t.nanosecond() != 0 {
            s = format!("{s}:{:02}", t.second());
            if t.nanosecond() != 0 {
                s = format!("{s}.{:09}", t.nanosecond());
            }
        }
        s + " UTC"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> i64 {
        parse_time(s).unwrap()
    }

    #[test]
    fn default_anchor_cuts_calendar_months() {
        let a = Anchor::default();
        assert_eq!(
            a.cycle_start(t("2026-03-15T12:00:00Z")),
            t("2026-03-01T00:00:00Z")
        );
        assert_eq!(
            a.cycle_start(t("2026-03-01T00:00:00Z")),
            t("2026-03-01T00:00:00Z")
        );
        // One nanosecond before the boundary still belongs to February.
        assert_eq!(
            a.cycle_start(t("2026-03-01T00:00:00Z") - 1),
            t("2026-02-01T00:00:00Z")
        );
        assert_eq!(
            a.next_start(t("2026-12-01T00:00:00Z")),
            t("2027-01-01T00:00:00Z")
        );
    }

    #[test]
    fn custom_anchor_uses_day_and_time_of_day_in_utc() {
        // 15th at 10:30+01:00 is 09:30 UTC on the 15th.
        let a = Anchor::parse("2020-07-15T10:30:00+01:00").unwrap();
        assert_eq!(
            (a.day(), a.time()),
            (15, NaiveTime::from_hms_opt(9, 30, 0).unwrap())
        );
        assert_eq!(
            a.cycle_start(t("2026-03-15T09:29:59Z")),
            t("2026-02-15T09:30:00Z")
        );
        assert_eq!(
            a.cycle_start(t("2026-03-15T09:30:00Z")),
            t("2026-03-15T09:30:00Z")
        );
        assert_eq!(
            a.cycle_start(t("2026-01-02T00:00:00Z")),
            t("2025-12-15T09:30:00Z")
        );
        assert_eq!(
            a.next_start(t("2026-02-15T09:30:00Z")),
            t("2026-03-15T09:30:00Z")
        );
    }

    #[test]
    fn fixed_length_cycles_count_from_their_origin() {
        let a = Anchor::every(t("2026-06-03T12:00:00Z"), 30).unwrap();
        assert_eq!(
            a.cycle_start(t("2026-06-03T12:00:00Z")),
            t("2026-06-03T12:00:00Z")
        );
        assert_eq!(
            a.cycle_start(t("2026-07-03T11:59:59Z")),
            t("2026-06-03T12:00:00Z")
        );
        // 30 days after June 3rd, 12:00 is July 3rd, 12:00.
        assert_eq!(
            a.next_start(t("2026-06-03T12:00:00Z")),
            t("2026-07-03T12:00:00Z")
        );
        // Before the origin: the cycles continue backwards.
        assert_eq!(
            a.cycle_start(t("2026-06-03T11:00:00Z")),
            t("2026-05-04T12:00:00Z")
        );
        assert!(Anchor::every(0, 0).is_err());
        assert_eq!(a.describe(), "2026-06-03T12:00:00Z and every 30 days after");
    }

    #[test]
    fn anchor_days_29_to_31_are_refused() {
        for d in [
            "2026-01-29T00:00:00Z",
            "2026-01-30T00:00:00Z",
            "2026-01-31T00:00:00Z",
        ] {
            assert!(Anchor::parse(d).unwrap_err().contains("1 to 28"), "{d}");
        }
        // 28th at 23:30-01:00 is the 29th in UTC: refused too.
        assert!(Anchor::parse("2026-01-28T23:30:00-01:00").is_err());
        assert!(Anchor::parse("2026-02-28T00:00:00Z").is_ok());
        assert!(Anchor::parse("15th").is_err());
    }

    #[test]
    fn times_format_with_z_and_only_needed_fraction() {
        assert_eq!(
            format_time(t("2026-03-01T10:00:00+02:00")),
            "2026-03-01T08:00:00Z"
        );
        assert_eq!(
            format_time(t("2026-03-01T08:00:00.5Z")),
            "2026-03-01T08:00:00.500Z"
        );
        assert_eq!(
            format_time(t("2026-03-01T08:00:00.000001Z")),
            "2026-03-01T08:00:00.000001Z"
        );
        assert_eq!(
            format_time(t("2026-03-01T08:00:00.000000007Z")),
            "2026-03-01T08:00:00.000000007Z"
        );
    }

    #[test]
    fn out_of_range_and_malformed_times_are_errors() {
        assert!(parse_time("1600-01-01T00:00:00Z")
            .unwrap_err()
            .contains("supported years"));
        assert!(parse_time("2300-01-01T00:00:00Z").is_err());
        assert!(parse_time("2026-13-01T00:00:00Z")
            .unwrap_err()
            .contains("malformed"));
        assert!(parse_time("2026-03-01").is_err());
        assert!(parse_time("").is_err());
        // The edges of the accepted range have representable cycles.
        let a = Anchor::parse("2026-01-28T23:59:59Z").unwrap();
        let lo = t("1678-01-01T00:00:00Z");
        assert!(a.cycle_start(lo) > i64::MIN && a.cycle_start(lo) <= lo);
        let hi = t("2261-12-31T23:59:59.999999999Z");
        assert!(a.next_start(a.cycle_start(hi)) < i64::MAX);
    }
}
