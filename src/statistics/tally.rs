//! A tally of one non-negative quantity: its mean with a 95% confidence
//! interval (Welford moments) and its quantiles. Quantiles are exact while
//! the tally holds at most [`EXACT_CAP`] values (finance reads "$160", not
//! "$160.16" from a bin midpoint), then come from a log-linear histogram of
//! the value in fixed units (e.g. cents). Bounded memory, one pass, fixed
//! order: the result never depends on threads.

use super::histogram::{ChartHistogram, LogHistogram};
use super::moments::Moments;
use super::summary::Distribution;

/// Values kept exactly before the tally switches to its histogram.
pub const EXACT_CAP: usize = 2048;

/// Mean and quantiles of a non-negative quantity.
#[derive(Clone, Debug)]
pub struct Tally {
    m: Moments,
    /// The values, while there are at most `EXACT_CAP` of them.
    exact: Option<Vec<f64>>,
    h: LogHistogram,
    /// The histogram counts values in multiples of this unit.
    unit: f64,
}

impl Tally {
    /// A tally whose histogram resolves `unit` exactly for small values and
    /// to within `2^-bits` relative above (`bits` in 1..=16).
    pub fn new(unit: f64, bits: u32) -> Tally {
        Tally {
            m: Moments::default(),
            exact: Some(Vec::new()),
            h: LogHistogram::new(bits),
            unit,
        }
    }

    /// A tally of dollar amounts, to the cent.
    pub fn dollars() -> Tally {
        Tally::new(0.01, 10)
    }

    /// Adds one value (negative values count as 0 in the histogram).
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.m.add(x);
        self.h.add((x / self.unit).round().max(0.0) as u64);
        if let Some(v) = &mut self.exact {
            if v.len() < EXACT_CAP {
                v.push(x);
            } else {
                self.exact = None;
            }
        }
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

    /// The `q`-quantile by nearest rank (0 when empty).
    pub fn quantile(&self, q: f64) -> f64 {
        match &self.exact {
            Some(v) if !v.is_empty() => {
                let mut s = v.clone();
                s.sort_by(f64::total_cmp);
                let rank = ((q.clamp(0.0, 1.0) * s.len() as f64).ceil() as usize).clamp(1, s.len());
                s[rank - 1]
            }
            _ => self.h.quantile(q).map_or(0.0, |v| v * self.unit),
        }
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
    fn exact_quantiles_while_small() {
        let mut t = Tally::dollars();
        for v in [0.0, 10.0, 10.0, 20.0, 160.0] {
            t.add(v);
        }
        let d = t.dist();
        assert_eq!(d.mean, 40.0);
        assert_eq!(d.p50, 10.0);
        // Nearest rank: P90 of 5 values is the 5th.
        assert_eq!(d.p90, 160.0);
        assert_eq!(t.quantile(0.2), 0.0);
    }

    #[test]
    fn histogram_quantiles_past_the_cap() {
        let mut t = Tally::dollars();
        for i in 0..(EXACT_CAP as u64 + 1000) {
            t.add(100.0 + (i % 100) as f64);
        }
        // Uniform on 100..199: the median is 149, within the histogram's 1/1024.
        let q = t.quantile(0.5);
        assert!((q - 149.0).abs() <= 149.0 / 1024.0, "{q}");
    }
}
