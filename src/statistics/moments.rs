//! Streaming means with confidence intervals (Welford's update, one pass,
//! numerically stable; and exact integer [`Sums`], mergeable in any order)
//! and Wilson intervals for probabilities.

use serde::{Deserialize, Serialize};

/// The normal quantile of a two-sided 95% interval.
pub(crate) const Z95: f64 = 1.959_963_984_540_054;

/// Running count, mean and sum of squared deviations.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    /// Adds one value.
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// How many values.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether no value was added.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The mean (0 when empty).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// The sample standard deviation (0 with fewer than two values).
    pub(crate) fn std_dev(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2 / (self.n - 1) as f64).sqrt()
        }
    }

    /// The 95% confidence interval of the mean: mean +- 1.96 s / sqrt(n).
    pub(crate) fn ci95(&self) -> (f64, f64) {
        if self.n < 2 {
            return (self.mean, self.mean);
        }
        let half = Z95 * self.std_dev() / (self.n as f64).sqrt();
        (self.mean - half, self.mean + half)
    }
}

/// Exact count, sum and sum of squares of non-negative whole numbers (in a
/// fixed unit: credits, cents, seconds). Unlike Welford's floating-point
/// update, adding and merging are exact integer sums, so the result does
/// not depend on the order the values arrive in: a simulation split into
/// shards and merged gives the single run's mean and interval to the bit.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sums {
    n: u64,
    #[serde(with = "u128_text")]
    s1: u128,
    #[serde(with = "u128_text")]
    s2: u128,
}

impl Sums {
    /// Adds one value (saturating far beyond any simulated total).
    #[inline]
    pub fn add(&mut self, x: u64) {
        let x = u128::from(x);
        self.n += 1;
        self.s1 = self.s1.saturating_add(x);
        self.s2 = self.s2.saturating_add(x * x);
    }

    /// Adds every value `other` holds.
    pub fn merge(&mut self, other: &Sums) {
        self.n += other.n;
        self.s1 = self.s1.saturating_add(other.s1);
        self.s2 = self.s2.saturating_add(other.s2);
    }

    /// How many values.
    pub fn len(&self) -> u64 {
        self.n
    }

    /// Whether no value was added.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }
    /// Whether every value added was the same (`n s2 = s1^2`, exactly).
    pub fn is_constant(&self) -> bool {
        let n = u128::from(self.n);
        match (self.s2.checked_mul(n), self.s1.checked_mul(self.s1)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        }
    }

    /// The mean in the values' unit (0 when empty).
    pub fn mean(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            self.s1 as f64 / self.n as f64
        }
    }

    /// The sum of squared deviations from the mean, `s2 - s1^2 / n`, with
    /// its integer part computed exactly: `s1 = q n + r` gives
    /// `s2 - q^2 n - 2 q r - r^2 / n` (no cancellation of two huge floats).
    fn m2(&self) -> f64 {
        let n = u128::from(self.n.max(1));
        let (q, r) = (self.s1 / n, self.s1 % n);
        let whole = q
            .checked_mul(q)
            .and_then(|qq| qq.checked_mul(n))
            .and_then(|a| {
                q.checked_mul(r)
                    .and_then(|qr| qr.checked_mul(2))
                    .map(|b| (a, b))
            })
            .and_then(|(a, b)| self.s2.checked_sub(a)?.checked_sub(b));
        match whole {
            Some(w) => (w as f64 - (r as f64) * (r as f64) / n as f64).max(0.0),
            // Only past 2^128: the plain formula in floating point.
            None => {
                let (s1, s2, nf) = (self.s1 as f64, self.s2 as f64, n as f64);
                (s2 - s1 * s1 / nf).max(0.0)
            }
        }
    }

    /// The sample standard deviation (0 with fewer than two values).
    pub fn std_dev(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            (self.m2() / (self.n - 1) as f64).sqrt()
        }
    }

    /// The 95% confidence interval of the mean: mean +- 1.96 s / sqrt(n).
    pub fn ci95(&self) -> (f64, f64) {
        let mean = self.mean();
        if self.n < 2 {
            return (mean, mean);
        }
        let half = Z95 * self.std_dev() / (self.n as f64).sqrt();
        (mean - half, mean + half)
    }
}

/// 128-bit integers as decimal strings: JSON readers (and spreadsheets)
/// lose digits past 2^53.
mod u128_text {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let t = String::deserialize(d)?;
        t.parse().map_err(D::Error::custom)
    }
}

/// The Wilson score interval (95%) of a proportion `k / n`.
pub(crate) fn wilson95(k: u64, n: u64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let (n, p) = (n as f64, k as f64 / n as f64);
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_matches_the_two_pass_formulas() {
        let xs = [2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0];
        let mut m = Moments::default();
        xs.iter().for_each(|&x| m.add(x));
        assert_eq!(m.mean(), 5.0);
        // Sum of squared deviations 32, n - 1 = 7.
        assert!((m.std_dev() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        let (lo, hi) = m.ci95();
        assert!((hi - lo - 2.0 * Z95 * (32.0f64 / 7.0).sqrt() / 8f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn exact_sums_match_welford_and_merge_in_any_order() {
        let xs = [2u64, 4, 4, 4, 5, 5, 7, 9];
        let mut all = Sums::default();
        xs.iter().for_each(|&x| all.add(x));
        assert_eq!(all.mean(), 5.0);
        assert!((all.std_dev() - (32.0f64 / 7.0).sqrt()).abs() < 1e-12);
        // Any split, merged in any order, is the same state.
        let (mut a, mut b) = (Sums::default(), Sums::default());
        xs[..3].iter().for_each(|&x| a.add(x));
        xs[3..].iter().for_each(|&x| b.add(x));
        b.merge(&a);
        assert_eq!(b, all);
        // Huge values with a tiny spread: the exact integer part keeps it
        // (the naive float formula gives 0 or garbage here).
        let mut big = Sums::default();
        for x in [1_000_000_000_001u64, 1_000_000_000_003] {
            big.add(x);
        }
        assert_eq!(big.std_dev(), 2f64.sqrt());
        let text = serde_json::to_string(&big).unwrap();
        assert_eq!(serde_json::from_str::<Sums>(&text).unwrap(), big);
    }

    #[test]
    fn wilson_matches_a_hand_computed_interval() {
        // k = 8, n = 10: centre (0.8 + 1.92/10) / 1.384 = 0.7168, half
        // 1.96 sqrt(0.016 + 0.00960) / 1.384 = 0.2266 (z = 1.96 rounded).
        let (lo, hi) = wilson95(8, 10);
        assert!((lo - 0.4902).abs() < 1e-3, "{lo}");
        assert!((hi - 0.9433).abs() < 1e-3, "{hi}");
        assert_eq!(wilson95(0, 10).0, 0.0);
    }
}
