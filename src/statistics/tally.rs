//! A tally of one non-negative quantity in fixed units (cents, minutes):
//! its mean with a 95% confidence interval (exact integer [`Sums`]) and its
//! quantiles. Quantiles are exact while the tally holds at most
//! [`EXACT_CAP`] values (finance reads "$160", not "$160.16" from a bin
//! midpoint), then come from a log-linear histogram of the units. Bounded
//! memory, one pass, and every part merges exactly: the result depends on
//! neither threads nor the order or split of the values (shards).

use super::histogram::{ChartHistogram, LogHistogram};
use super::moments::Sums;
use super::summary::Distribution;
use serde::{Deserialize, Serialize};

/// Values kept exactly before the tally switches to its histogram.
pub const EXACT_CAP: usize = 2048;

/// Mean and quantiles of a non-negative quantity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Tally {
    m: Sums,
    /// The values in units, while there are at most `EXACT_CAP` of them.
    exact: Option<Vec<u64>>,
    h: LogHistogram,
    /// The histogram counts values in multiples of this unit.
    unit: f64,
}

impl Tally {
    /// A tally whose histogram resolves `unit` exactly for small values and
    /// to within `2^-bits` relative above (`bits` in 1..=16).
    pub fn new(unit: f64, bits: u32) -> Tally {
        Tally {
            m: Sums::default(),
            exact: Some(Vec::new()),
            h: LogHistogram::new(bits),
            unit,
        }
    }

    /// A tally of dollar amounts, to the cent.
    pub fn dollars() -> Tally {
        Tally::new(0.01, 10)
    }

    /// Adds one value, rounded to the tally's unit (negative values count
    /// as 0).
    #[inline]
    pub fn add(&mut self, x: f64) {
        self.add_units(self.units(x));
    }

    /// `x` in the tally's units, rounded (negative values are 0).
    pub fn units(&self, x: f64) -> u64 {
        (x / self.unit).round().max(0.0) as u64
    }

    /// Adds one value given in the tally's units.
    #[inline]
    pub fn add_units(&mut self, u: u64) {
        self.m.add(u);
        self.h.add(u);
        if let Some(v) = &mut self.exact {
            if v.len() < EXACT_CAP {
                v.push(u);
            } else {
                self.exact = None;
            }
        }
    }

    /// Adds every value of `other` (a tally of the same unit): the same
    /// tally as adding them one by one, in any order.
    pub fn merge(&mut self, other: &Tally) -> Result<(), String> {
        if other.unit != self.unit {
            return Err(format!(
                "tallies in units of {} and {} cannot be merged",
                self.unit, other.unit
            ));
        }
        self.m.merge(&other.m);
        self.h.merge(&other.h)?;
        self.exact = match (self.exact.take(), &other.exact) {
            (Some(mut a), Some(b)) if a.len() + b.len() <= EXACT_CAP => {
                a.extend_from_slice(b);
                Some(a)
            }
            _ => None,
        };
        Ok(())
    }

    /// The mean (0 when empty).
    pub fn mean(&self) -> f64 {
        self.m.mean() * self.unit
    }

    /// The sample standard deviation (0 with fewer than two values).
    pub fn std_dev(&self) -> f64 {
        self.m.std_dev() * self.unit
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
                s.sort_unstable();
                let rank = ((q.clamp(0.0, 1.0) * s.len() as f64).ceil() as usize).clamp(1, s.len());
                s[rank - 1] as f64 * self.unit
            }
            _ => self.h.quantile(q).map_or(0.0, |v| v * self.unit),
        }
    }

    /// Mean with its 95% interval, P50, P90 and P99.
    pub fn dist(&self) -> Distribution {
        let (ci_low, ci_high) = self.m.ci95();
        Distribution {
            mean: self.mean(),
            ci_low: ci_low * self.unit,
            ci_high: ci_high * self.unit,
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
    fn a_split_tally_merges_into_the_whole() {
        // Past the exact cap in total but not in either half: the merged
        // tally must switch to its histogram exactly as the whole did.
        let mut all = Tally::dollars();
        let (mut a, mut b) = (Tally::dollars(), Tally::dollars());
        for i in 0..(EXACT_CAP as u64 + 10) {
            let x = (i * 37 % 1000) as f64 / 4.0;
            all.add(x);
            if i % 2 == 0 {
                a.add(x)
            } else {
                b.add(x)
            }
        }
        a.merge(&b).unwrap();
        assert_eq!(a.dist(), all.dist());
        assert_eq!(a.exact, None);
        assert!(a.merge(&Tally::new(1.0, 10)).is_err());
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
