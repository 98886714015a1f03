//! Scores of a probabilistic forecast against what happened: quantiles of
//! the simulated sample, the continuous ranked probability score (CRPS), the
//! probability integral transform (PIT) and the Brier score.
//!
//! CRPS of a sample x_1..x_n against the outcome y is
//! E|X - y| - E|X - X'| / 2 over the sample's empirical distribution
//! (Gneiting and Raftery 2007), computed exactly from the sorted sample in
//! O(n log n): sum_i sum_j |x_i - x_j| = 2 sum_i (2i - n - 1) x_(i). A point
//! forecast x scores |x - y|, so the baselines score on the same scale.

/// A forecast distribution: its sample, sorted.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Sample {
    sorted: Vec<f64>,
}

impl Sample {
    /// A sample of the forecast (any order; non-finite values are dropped).
    pub fn new(mut xs: Vec<f64>) -> Sample {
        xs.retain(|x| x.is_finite());
        xs.sort_by(f64::total_cmp);
        Sample { sorted: xs }
    }

    /// The `p` quantile (lower empirical quantile: the smallest draw with at
    /// least a share `p` of the draws at or below it).
    pub fn quantile(&self, p: f64) -> f64 {
        if self.sorted.is_empty() {
            return f64::NAN;
        }
        let n = self.sorted.len();
        let k = ((p * n as f64).ceil() as usize).clamp(1, n);
        self.sorted[k - 1]
    }

    /// The share of draws below `y` and at or below `y`: F(y-) and F(y).
    pub fn cdf(&self, y: f64) -> (f64, f64) {
        let n = self.sorted.len().max(1) as f64;
        let below = self.sorted.partition_point(|x| *x < y) as f64;
        let at_or_below = self.sorted.partition_point(|x| *x <= y) as f64;
        (below / n, at_or_below / n)
    }

    /// The CRPS of this forecast against `y`.
    pub(crate) fn crps(&self, y: f64) -> f64 {
        let n = self.sorted.len();
        if n == 0 {
            return f64::NAN;
        }
        let nf = n as f64;
        let to_y: f64 = self.sorted.iter().map(|x| (x - y).abs()).sum::<f64>() / nf;
        let spread: f64 = self
            .sorted
            .iter()
            .enumerate()
            .map(|(i, x)| (2.0 * (i as f64 + 1.0) - nf - 1.0) * x)
            .sum::<f64>()
            * 2.0;
        to_y - spread / (2.0 * nf * nf)
    }

    /// The randomised PIT of `y`: F(y-) + u (F(y) - F(y-)), u uniform on
    /// [0, 1) (ties in a discrete forecast spread evenly), uniform on [0, 1]
    /// when the forecast is calibrated.
    pub(crate) fn pit(&self, y: f64, u: f64) -> f64 {
        let (lo, hi) = self.cdf(y);
        lo + u * (hi - lo)
    }
}

/// The Brier score of probability `p` for an event that did (`true`) or did
/// not happen.
pub(crate) fn brier(p: f64, happened: bool) -> f64 {
    let o = if happened { 1.0 } else { 0.0 };
    (p - o) * (p - o)
}

/// A uniform number in [0, 1) from a key, by SplitMix64 (reproducible PIT
/// randomisation without a generator's state).
pub fn uniform(key: u64) -> f64 {
    (crate::engine::mix64(key) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crps_matches_hand_computed_values() {
        // Sample {0, 2} against y = 1: E|X-y| = 1, E|X-X'| = (0+2+2+0)/4 = 1:
        // 1 - 0.5 = 0.5.
        assert_eq!(Sample::new(vec![2.0, 0.0]).crps(1.0), 0.5);
        // A point forecast scores the absolute error.
        assert_eq!(Sample::new(vec![3.0]).crps(7.5), 4.5);
        // {1, 2, 3} against 3: E|X-y| = 1, E|X-X'| = 8/9: 1 - 4/9.
        let c = Sample::new(vec![1.0, 2.0, 3.0]).crps(3.0);
        assert!((c - (1.0 - 4.0 / 9.0)).abs() < 1e-12);
    }

    #[test]
    fn crps_of_a_large_normal_sample_is_the_closed_form() {
        // CRPS(N(0, 1), y) = y (2 Phi(y) - 1) + 2 phi(y) - 1 / sqrt(pi).
        // Normal quantiles at (i - 0.5) / n by bisection on erf-free Phi via
        // statrs in the integration tests; here, y = 0: 2 phi(0) - 1/sqrt(pi)
        // = sqrt(2/pi) - 1/sqrt(pi).
        let n = 20_000;
        let xs: Vec<f64> = (0..n)
            .map(|i| {
                let p = (i as f64 + 0.5) / n as f64;
                inverse_normal(p)
            })
            .collect();
        let want = (2.0 / std::f64::consts::PI).sqrt() - 1.0 / std::f64::consts::PI.sqrt();
        assert!((Sample::new(xs).crps(0.0) - want).abs() < 1e-3);
    }

    /// Acklam's rational approximation of the normal quantile (|error| < 1.2e-9).
    #[allow(clippy::excessive_precision)]
    fn inverse_normal(p: f64) -> f64 {
        let a = [
            -3.969683028665376e1,
            2.209460984245205e2,
            -2.759285104469687e2,
            1.383577518672690e2,
            -3.066479806614716e1,
            2.506628277459239,
        ];
        let b = [
            -5.447609879822406e1,
            1.615858368580409e2,
            -1.556989798598866e2,
            6.680131188771972e1,
            -1.328068155288572e1,
        ];
        let c = [
            -7.784894002430293e-3,
            -3.223964580411365e-1,
            -2.400758277161838,
            -2.549732539343734,
            4.374664141464968,
            2.938163982698783,
        ];
        let d = [
            7.784695709041462e-3,
            3.224671290700398e-1,
            2.445134137142996,
            3.754408661907416,
        ];
        let pl = 0.02425;
        if p < pl {
            let q = (-2.0 * p.ln()).sqrt();
            (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0)
        } else if p <= 1.0 - pl {
            let q = p - 0.5;
            let r = q * q;
            (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0)
        } else {
            -inverse_normal(1.0 - p)
        }
    }

    #[test]
    fn quantiles_pit_and_brier() {
        let s = Sample::new((1..=10).map(f64::from).collect());
        assert_eq!(
            (s.quantile(0.1), s.quantile(0.5), s.quantile(0.9)),
            (1.0, 5.0, 9.0)
        );
        // y = 5 ties one draw: PIT between 0.4 and 0.5.
        assert_eq!(s.pit(5.0, 0.0), 0.4);
        assert_eq!(s.pit(5.0, 1.0), 0.5);
        assert_eq!(s.pit(100.0, 0.3), 1.0);
        assert!((brier(0.8, true) - 0.04).abs() < 1e-15);
        assert_eq!(brier(0.0, false), 0.0);
        let u = uniform(42);
        assert!((0.0..1.0).contains(&u));
    }

    #[test]
    fn pit_of_outcomes_drawn_from_the_forecast_is_uniform() {
        // The forecast is the uniform grid 0..1000; outcomes drawn from it
        // (by a hash) have PITs whose deciles hold 10% each, within 4 SE.
        let s = Sample::new((0..1000).map(f64::from).collect());
        let mut deciles = [0u32; 10];
        let n = 5000;
        for k in 0..n {
            let y = (uniform(k) * 1000.0).floor();
            let p = s.pit(y, uniform(k + 1_000_000));
            deciles[((p * 10.0) as usize).min(9)] += 1;
        }
        let se = (n as f64 * 0.1 * 0.9).sqrt();
        for d in deciles {
            assert!(
                (f64::from(d) - n as f64 * 0.1).abs() < 4.0 * se,
                "{deciles:?}"
            );
        }
    }
}
