//! A tally of one non-negative quantity: its mean with a 95% confidence
//! interval (Welford moments) and its quantiles (a log-linear histogram of the
//! value in fixed units, e.g. cents). Bounded memory, one pass, fixed order.

use super::histogram::{ChartHistogram, LogHistogram};
use super::moments::Moments;
use super::summary::Distribution;

/// Mean and quantiles of a non-negative quantity.
#[derive(Clone, Debug)]
pub struct Tally {
    m: Moments,
    h: LogHistogram,
    /// The histogram counts values in multiples of this unit.
    unit: f64,
}

impl Tally {
    /// A tally whose quantiles resolve `unit` exactly for small values and
    /// to within `2^-bits` relative above (`bits` in 1..=16).
    pub fn new(unit: f64, bits: u32) -> Tally {
        Tally {
            m: Moments::default(),
            h: LogHistogram::new(bits),
            unit,
        }
    }

    /// A tally of dollar amounts, to the cent.
    pub fn dollars() -> Tally {
        Tally::new(0.01, 8)
    }

    /// Adds one value (negative values count as 0 in the quantiles).
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.m.add(x);
        self.h.add((x / self.unit).round().max(0.0) as u64);
    }

    /// The moments.
    pub fn moments(&self) -> &Moments {
        &self.m
    }

    /// How many values.
    pub fn len(&self) -> u64 {
        self.m.len()
    }

    /// Whether no value was added.
    pub fn is_empty(&self) -> bool {
        self.m.is_empty()
    }

    /// The `q`-quantile (0 when empty).
    pub fn quantile(&self, q: f64) -> f64 {
        self.h.quantile(q).map_or(0.0, |v| v * self.unit)
    }

    /// Mean with its 95% interval, P50, P90 and P99.
    pub fn dist(&self) -> Distribution {
        let (ci_low, ci_high) = self.m.ci95();
        Distribution {
            mean: self.m.mean(),
            ci_low,
            ci_high,
            p50: self.quantile(0.5),
            p90: self.quantile(0.9),
            p99: self.quantile(0.99),
        }
    }

    /// An equal-width histogram for a chart, in the tally's units.
    pub fn chart(&self, max_bins: u64) -> ChartHistogram {
        self.h.chart(self.unit, max_bins)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_to_the_cent() {
        let mut t = Tally::dollars();
        for v in [0.0, 10.0, 10.0, 20.0, 30.0] {
            t.add(v);
        }
        let d = t.dist();
        assert_eq!(d.mean, 14.0);
        assert_eq!(d.p50, 10.0);
        // Nearest rank: P90 of 5 values is the 5th.
        assert!((d.p90 - 30.0).abs() / 30.0 < 1.0 / 256.0);
        assert_eq!(t.quantile(0.2), 0.0);
    }
}
