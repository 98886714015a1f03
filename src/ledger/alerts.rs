//! Usage alert levels: the shares of the allotment at which a team is warned
//! (50%, 80% and 95%, the levels usage dashboards commonly use; a product
//! choice of flowcast, not a rule of the source). The ledger records the
//! first instant each level is reached; the planning reports read them.

/// The alert levels, percent of the allotment.
pub const ALERT_PCT: [u64; 3] = [50, 80, 95];

/// The alert levels as fractions of the allotment (for labels and charts).
pub(crate) const ALERT_LEVELS: [f64; 3] = [0.5, 0.8, 0.95];

/// The credits at which each alert fires: used x 100 >= pct x allotment,
/// i.e. used >= ceil(pct x allotment / 100), in integers (no rounding).
pub(crate) fn alert_credits(allotment: u64) -> [u64; 3] {
    ALERT_PCT.map(|p| {
        let c = (u128::from(p) * u128::from(allotment)).div_ceil(100);
        u64::try_from(c).unwrap_or(u64::MAX)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_round_up_to_whole_credits() {
        // 50% of 25 is 12.5: the alert fires at 13 credits.
        assert_eq!(alert_credits(25), [13, 20, 24]);
        assert_eq!(alert_credits(100), [50, 80, 95]);
        for (p, l) in ALERT_PCT.iter().zip(ALERT_LEVELS) {
            assert_eq!(*p as f64 / 100.0, l);
        }
    }
}
