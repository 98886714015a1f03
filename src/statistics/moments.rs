//! Streaming means with confidence intervals (Welford's update, one pass,
//! numerically stable) and Wilson intervals for probabilities.

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
    fn wilson_matches_a_hand_computed_interval() {
        // k = 8, n = 10: centre (0.8 + 1.92/10) / 1.384 = 0.7168, half
        // 1.96 sqrt(0.016 + 0.00960) / 1.384 = 0.2266 (z = 1.96 rounded).
        let (lo, hi) = wilson95(8, 10);
        assert!((lo - 0.4902).abs() < 1e-3, "{lo}");
        assert!((hi - 0.9433).abs() < 1e-3, "{hi}");
        assert_eq!(wilson95(0, 10).0, 0.0);
    }
}
