//! Simulated time as the ledger bills it: integer nanoseconds from the
//! calendar's start, the resolution of a usage log, so that a simulated
//! month and the replay of its emitted log see exactly the same instants and
//! the same ties.
//!
//! Arrival processes and samplers work in `f64` seconds; each drawn instant
//! and duration is rounded to the nanosecond once, here, and everything
//! after that is integer arithmetic (an end is a start plus a duration).

/// Nanoseconds in a second.
pub(crate) const NS_PER_SECOND: f64 = 1e9;

/// Nanoseconds in a day.
pub(crate) const DAY_NS: i64 = 86_400_000_000_000;

/// Seconds as nanoseconds, rounded to the nearest; a non-finite or negative
/// value is 0 and a huge one saturates (durations past the horizon are
/// dropped anyway).
#[inline]
pub(crate) fn to_ns(seconds: f64) -> i64 {
    if seconds > 0.0 {
        // Half up, by truncation (`round` is a library call on baseline
        // x86-64, and this is on the hot path); `as` saturates at i64::MAX.
        (seconds * NS_PER_SECOND + 0.5) as i64
    } else {
        0
    }
}

/// How many days the cycle `[start, end)` (ns) has, a partial last day
/// counting as a day.
#[inline]
pub(crate) fn days_in(start: i64, end: i64) -> u64 {
    ((end - start) as u64).div_ceil(DAY_NS as u64)
}

/// The day of the cycle that starts at `start` (ns) that instant `t` (at
/// or after `start`) falls on, from 0: the inverse of [`day_of`].
#[inline]
pub(crate) fn day_at(start: i64, t: i64) -> u64 {
    ((t - start) / DAY_NS) as u64
}

/// Day `d` of the cycle `[start, end)` (ns), as `[start, end)`: whole days
/// from the cycle's start, the last one cut at the cycle's end.
#[inline]
pub(crate) fn day_of(start: i64, end: i64, d: u64) -> (i64, i64) {
    let a = start.saturating_add(d as i64 * DAY_NS);
    (a, a.saturating_add(DAY_NS).min(end))
}

/// Nanoseconds as seconds (for the statistics and charts).
#[inline]
pub(crate) fn to_seconds(ns: i64) -> f64 {
    ns as f64 / NS_PER_SECOND
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_to_the_nearest_nanosecond_and_safe_at_the_edges() {
        assert_eq!(to_ns(1.5), 1_500_000_000);
        assert_eq!(to_ns(86_400.0), DAY_NS);
        assert_eq!(to_ns(1e-10), 0);
        assert_eq!(to_ns(6e-10), 1);
        assert_eq!(to_ns(-3.0), 0);
        assert_eq!(to_ns(f64::NAN), 0);
        assert_eq!(to_ns(f64::INFINITY), i64::MAX);
        assert_eq!(to_seconds(2_500_000_000), 2.5);
    }
}
