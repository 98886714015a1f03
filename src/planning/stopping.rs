//! Precision-based stopping: keep adding trials until the 95% confidence
//! intervals of the chosen headline numbers are within a relative
//! half-width, or a trial cap is reached.

/// Parses `1%`, `0.5 %` or `0.01` into a fraction.
pub fn parse_fraction(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let (num, scale) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 0.01),
        None => (t, 1.0),
    };
    let v: f64 = num
        .parse()
        .map_err(|_| format!("'{s}' is not a number or a percentage"))?;
    if !v.is_finite() {
        return Err(format!("'{s}' is not finite"));
    }
    Ok(v * scale)
}

/// A fraction as a short percentage: 0.05 -> "5%", 0.125 -> "12.5%".
pub fn percent(p: f64) -> String {
    let v = p * 100.0;
    if (v - v.round()).abs() < 1e-9 {
        format!("{}%", v.round())
    } else {
        format!("{}%", (v * 100.0).round() / 100.0)
    }
}

/// A precision target: the relative half-width of the 95% CI.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Precision {
    /// Wanted half-width / |mean|, e.g. 0.01 for 1%.
    pub relative: f64,
    /// Never more trials than this.
    pub max_trials: u32,
}

impl Precision {
    /// A target of `relative` (strictly between 0 and 1) with a trial cap of
    /// at least one.
    pub fn new(relative: f64, max_trials: u32) -> Result<Precision, String> {
        if !(relative > 0.0 && relative < 1.0) {
            return Err(format!(
                "must be between 0% and 100%, got {}",
                percent(relative)
            ));
        }
        if max_trials == 0 {
            return Err("the trial cap must be at least 1".to_string());
        }
        Ok(Precision {
            relative,
            max_trials,
        })
    }
}

/// Why the trials stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum StopReason {
    /// Every watched number reached the precision target.
    PrecisionReached,
    /// The trial cap came first.
    TrialCap,
}

/// The next batch size: double the trials run so far (geometric growth keeps
/// the number of checks logarithmic), never past the cap.
pub(crate) fn next_batch(done: u32, first_batch: u32, cap: u32) -> u32 {
    let want = if done == 0 { first_batch.max(1) } else { done };
    want.min(cap.saturating_sub(done))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fractions_and_percentages() {
        assert_eq!(parse_fraction("1%"), Ok(0.01));
        assert_eq!(parse_fraction(" 2.5 % "), Ok(0.025));
        assert_eq!(parse_fraction("0.2"), Ok(0.2));
        assert!(parse_fraction("abc").is_err());
        assert!(parse_fraction("inf").is_err());
        assert_eq!(percent(0.05), "5%");
        assert_eq!(percent(0.125), "12.5%");
    }

    #[test]
    fn precision_rule() {
        assert_eq!(Precision::new(0.01, 100).unwrap().relative, 0.01);
        assert!(Precision::new(0.0, 10).is_err());
        assert!(Precision::new(1.0, 10).is_err());
        assert!(Precision::new(0.01, 0).is_err());
    }

    #[test]
    fn batches_double_up_to_the_cap() {
        let mut done = 0;
        let mut sizes = vec![];
        loop {
            let b = next_batch(done, 50, 500);
            if b == 0 {
                break;
            }
            sizes.push(b);
            done += b;
        }
        assert_eq!(sizes, vec![50, 50, 100, 200, 100]);
        assert_eq!(done, 500);
    }
}
