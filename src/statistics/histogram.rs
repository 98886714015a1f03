//! A fixed-bin, log-linear histogram of non-negative integers: exact below
//! `2 x 2^bits`, then `2^bits` bins per power of two (relative bin width
//! `2^-bits`). Deterministic, mergeable (add counts bin by bin), and its memory
//! is bounded by the span from the smallest to the largest value seen (bins
//! below the smallest are not kept: a monthly total of a whole population is
//! a narrow band of very large values), never by the number of values.

use serde::{Deserialize, Serialize};

/// Log-linear histogram of `u64` values. Serialized sparsely (the non-empty
/// bins only), as a shard's partial result carries it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "Sparse", try_from = "Sparse")]
pub(crate) struct LogHistogram {
    bits: u32,
    /// Counts of bins `low`, `low + 1`, ...
    counts: Vec<u64>,
    low: usize,
    n: u64,
    max: u64,
}

impl LogHistogram {
    /// A histogram with `2^bits` bins per power of two (`bits` in 1..=16).
    pub fn new(bits: u32) -> LogHistogram {
        LogHistogram {
            bits: bits.clamp(1, 16),
            counts: Vec::new(),
            low: 0,
            n: 0,
            max: 0,
        }
    }

    /// The most bytes the counts of a histogram of `bits` can take: every
    /// bin kept, from 0 to that of `u64::MAX`.
    pub fn max_bytes(bits: u32) -> f64 {
        let h = LogHistogram::new(bits);
        (h.index(u64::MAX) + 1) as f64 * std::mem::size_of::<u64>() as f64
    }

    #[inline]
    fn index(&self, v: u64) -> usize {
        let sub = 1u64 << self.bits;
        if v < 2 * sub {
            return v as usize;
        }
        let e = 63 - v.leading_zeros(); // floor(log2 v) >= bits + 1
        let shift = e - self.bits;
        let mantissa = v >> shift; // in [sub, 2 sub)
        (2 * sub + u64::from(e - self.bits - 1) * sub + (mantissa - sub)) as usize
    }

    /// The smallest value of bin `i` and the bin's width.
    fn bin(&self, i: usize) -> (u64, u64) {
        let sub = 1u64 << self.bits;
        let i = i as u64;
        if i < 2 * sub {
            return (i, 1);
        }
        let k = i - 2 * sub;
        let e = k / sub + u64::from(self.bits) + 1;
        let mantissa = sub + k % sub;
        let shift = e - u64::from(self.bits);
        (mantissa << shift, 1 << shift)
    }

    /// Adds one value.
    #[inline]
    pub fn add(&mut self, v: u64) {
        let i = self.index(v);
        *self.slot(i) += 1;
        self.n += 1;
        self.max = self.max.max(v);
    }

    /// Bin `i`'s count, making room for it (out of line: most adds land in
    /// a bin already kept).
    #[inline(always)]
    fn slot(&mut self, i: usize) -> &mut u64 {
        // (Below `low` the difference wraps to a huge index: not kept.)
        let j = i.wrapping_sub(self.low);
        if j < self.counts.len() {
            return &mut self.counts[j];
        }
        self.grow_to(i)
    }

    /// Makes room for bin `i`, outside the bins kept, and returns its count.
    #[cold]
    #[inline(never)]
    fn grow_to(&mut self, i: usize) -> &mut u64 {
        if self.counts.is_empty() {
            self.low = i;
        } else if i < self.low {
            // A new smallest bin: the kept range grows downwards.
            self.counts
                .splice(0..0, std::iter::repeat_n(0, self.low - i));
            self.low = i;
        }
        let j = i - self.low;
        if j >= self.counts.len() {
            self.counts.resize(j + 1, 0);
        }
        &mut self.counts[j]
    }

    /// The kept bins as (bin index, count), ascending.
    fn indexed(&self) -> impl Iterator<Item = (usize, u64)> + '_ {
        let low = self.low;
        self.counts
            .iter()
            .enumerate()
            .map(move |(j, &c)| (low + j, c))
    }

    /// The `q`-quantile by nearest rank (the smallest value with at least
    /// `q n` values at or below it), as its bin's middle value rounded down
    /// to a whole number (the values are whole credits, runs or blocks, so a
    /// percentile is one too); exact for values below `2^(bits+1)`. `None`
    /// when empty.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.n == 0 {
            return None;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut acc = 0;
        for (i, c) in self.indexed() {
            acc += c;
            if acc >= rank {
                let (lo, w) = self.bin(i);
                let hi = (lo + (w - 1)).min(self.max);
                return Some((lo + hi.saturating_sub(lo) / 2) as f64);
            }
        }
        Some(self.max as f64)
    }

    /// Adds every value of `other` (a histogram of the same resolution).
    pub fn merge(&mut self, other: &LogHistogram) -> Result<(), String> {
        if other.bits != self.bits {
            return Err(format!(
                "histograms of {} and {} bits cannot be merged",
                self.bits, other.bits
            ));
        }
        for (i, c) in other.indexed().filter(|&(_, c)| c > 0) {
            let a = self.slot(i);
            *a = a.saturating_add(c);
        }
        self.n = self.n.saturating_add(other.n);
        self.max = self.max.max(other.max);
        Ok(())
    }

    /// Non-empty bins as (representative value, count), ascending.
    pub fn bins(&self) -> impl Iterator<Item = (f64, u64)> + '_ {
        self.indexed().filter(|&(_, c)| c > 0).map(|(i, c)| {
            let (lo, w) = self.bin(i);
            let hi = (lo + (w - 1)).min(self.max);
            (lo as f64 + (hi.saturating_sub(lo)) as f64 / 2.0, c)
        })
    }

    /// An equal-width histogram for a chart: at most `max_bins` bins from 0
    /// past the largest value, values multiplied by `scale` (e.g. blocks x
    /// price = dollars). Bin widths are whole units.
    pub fn chart(&self, scale: f64, max_bins: u64) -> ChartHistogram {
        // In 128 bits: a saturated total (u64::MAX) must not overflow `max + 1`.
        let max = u128::from(self.max);
        let width = (max + 1).div_ceil(u128::from(max_bins.max(1))).max(1);
        let nbins = (max / width + 1) as usize;
        let mut counts = vec![0u64; nbins];
        for (v, c) in self.bins() {
            let i = ((v.round() as u128) / width).min(nbins as u128 - 1) as usize;
            counts[i] = counts[i].saturating_add(c);
        }
        ChartHistogram {
            bin_edges: (0..=nbins as u128)
                .map(|i| (i * width) as f64 * scale)
                .collect(),
            counts,
        }
    }
}

/// [`LogHistogram`] on disk: its non-empty bins as `[index, count]`.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Sparse {
    bits: u32,
    n: u64,
    max: u64,
    bins: Vec<(u32, u64)>,
}

impl From<LogHistogram> for Sparse {
    fn from(h: LogHistogram) -> Sparse {
        Sparse {
            bits: h.bits,
            n: h.n,
            max: h.max,
            bins: h
                .indexed()
                .filter(|&(_, c)| c > 0)
                .map(|(i, c)| (i as u32, c))
                .collect(),
        }
    }
}

impl TryFrom<Sparse> for LogHistogram {
    type Error = String;
    /// Checks what a hand-edited or damaged file could break: the bits, bins
    /// in order and within the range of the maximum (so a bad index cannot
    /// ask for gigabytes), and counts adding up to `n`.
    fn try_from(s: Sparse) -> Result<LogHistogram, String> {
        if !(1..=16).contains(&s.bits) {
            return Err(format!("histogram bits {} (expected 1 to 16)", s.bits));
        }
        let mut h = LogHistogram::new(s.bits);
        let top = h.index(s.max);
        let mut total = 0u64;
        let mut last = None;
        for (i, c) in s.bins {
            let i = i as usize;
            if i > top || last.is_some_and(|l| i <= l) {
                return Err(format!(
                    "histogram bin {i} out of order or past its maximum"
                ));
            }
            last = Some(i);
            total = total.saturating_add(c);
            *h.slot(i) = c;
        }
        if total != s.n {
            return Err(format!("histogram counts add up to {total}, not {}", s.n));
        }
        h.n = s.n;
        h.max = s.max;
        Ok(h)
    }
}

/// A histogram as a chart draws it: `counts[i]` values in
/// `[bin_edges[i], bin_edges[i + 1])`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ChartHistogram {
    /// Bin edges, ascending (one more than `counts`).
    pub bin_edges: Vec<f64>,
    /// Values per bin.
    pub counts: Vec<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bound is what a histogram that saw 0 and `u64::MAX` keeps: 2 x
    /// 256 exact bins, then 256 per power of two from 2^9 to 2^63 (55
    /// of them), 14,592 bins of 8 bytes.
    #[test]
    fn the_largest_histogram_is_every_bin_from_zero_to_the_top() {
        let mut h = LogHistogram::new(8);
        h.add(0);
        h.add(u64::MAX);
        assert_eq!(h.counts.len(), 14_592);
        assert_eq!(LogHistogram::max_bytes(8), 14_592.0 * 8.0);
    }

    #[test]
    fn only_the_span_of_the_values_is_kept_whatever_their_order() {
        // A population's monthly total: a narrow band of large values (here
        // around 10^9 cents). Kept densely from 0 it would take ~20 octaves
        // of 1,024 bins; from its smallest value, one or two.
        let values: Vec<u64> = (0..500u64).map(|i| 1_000_000_000 + i * 997_331).collect();
        let (mut up, mut down, mut a, mut b) = (
            LogHistogram::new(10),
            LogHistogram::new(10),
            LogHistogram::new(10),
            LogHistogram::new(10),
        );
        for &v in &values {
            up.add(v);
        }
        for &v in values.iter().rev() {
            down.add(v);
        }
        for (k, &v) in values.iter().enumerate() {
            if k % 3 == 0 {
                a.add(v)
            } else {
                b.add(v)
            }
        }
        b.merge(&a).unwrap();
        assert_eq!(up, down);
        assert_eq!(up, b);
        assert!(up.counts.len() <= 2 * 1024, "{} bins kept", up.counts.len());
        for q in [0.1, 0.5, 0.9] {
            let exact = values[((q * 500.0) as usize).saturating_sub(1)] as f64;
            let got = up.quantile(q).unwrap();
            assert!(
                (got - exact).abs() <= exact / 1024.0,
                "q {q}: {got} vs {exact}"
            );
        }
        // Round trip through the on-disk form.
        let json = serde_json::to_string(&up).unwrap();
        assert_eq!(serde_json::from_str::<LogHistogram>(&json).unwrap(), up);
    }

    #[test]
    fn exact_quantiles_for_small_values_and_bounded_error_above() {
        let mut h = LogHistogram::new(8);
        for v in 1..=100u64 {
            h.add(v);
        }
        // Nearest rank: P50 of 1..=100 is 50, P90 is 90, P99 is 99.
        assert_eq!(h.quantile(0.5), Some(50.0));
        assert_eq!(h.quantile(0.9), Some(90.0));
        assert_eq!(h.quantile(0.99), Some(99.0));
        let mut big = LogHistogram::new(8);
        for v in [1_000_000u64, 2_000_000, 3_000_000] {
            big.add(v);
        }
        let q = big.quantile(0.5).unwrap();
        assert!((q - 2e6).abs() / 2e6 < 1.0 / 256.0, "{q}");
        let top = big.quantile(1.0).unwrap();
        assert!((top - 3e6).abs() / 3e6 < 1.0 / 256.0, "{top}");
        // Above the exact range a percentile is still a whole number (its
        // bin's middle, rounded down), never a half credit.
        for v in 600..2000u64 {
            big.add(v);
        }
        for q in [0.1, 0.25, 0.5, 0.75, 0.9, 0.99] {
            let x = big.quantile(q).unwrap();
            assert_eq!(x.fract(), 0.0, "P{q} = {x}");
        }
    }

    #[test]
    fn merged_halves_equal_the_whole_and_survive_json() {
        let (mut a, mut b, mut all) = (
            LogHistogram::new(6),
            LogHistogram::new(6),
            LogHistogram::new(6),
        );
        for v in (0..5000u64).map(|i| i * i % 7919) {
            all.add(v);
            if v % 3 == 0 {
                a.add(v)
            } else {
                b.add(v)
            }
        }
        b.merge(&a).unwrap();
        assert_eq!(b, all);
        let text = serde_json::to_string(&all).unwrap();
        assert_eq!(serde_json::from_str::<LogHistogram>(&text).unwrap(), all);
        assert!(a.merge(&LogHistogram::new(7)).is_err());
        // A bin past the maximum, or counts that do not add up, are refused.
        for bad in [
            r#"{"bits":6,"n":1,"max":3,"bins":[[4000000000,1]]}"#,
            r#"{"bits":6,"n":2,"max":3,"bins":[[3,1]]}"#,
        ] {
            assert!(serde_json::from_str::<LogHistogram>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn index_and_bin_agree_across_octaves() {
        let h = LogHistogram::new(4);
        for v in [0u64, 1, 31, 32, 33, 47, 64, 1000, 123_456_789, u64::MAX] {
            let (lo, w) = h.bin(h.index(v));
            assert!(lo <= v && v - lo < w, "v {v} lo {lo} w {w}");
        }
    }

    #[test]
    fn a_saturated_maximum_still_charts() {
        // A total that saturated at u64::MAX (a huge overage price) used to
        // overflow `max + 1` and index an empty vector.
        let mut h = LogHistogram::new(7);
        h.add(3);
        h.add(u64::MAX);
        let c = h.chart(1.0, 40);
        assert!(!c.counts.is_empty() && c.counts.len() <= 40);
        assert_eq!(c.counts.iter().sum::<u64>(), 2);
        assert_eq!(c.bin_edges.len(), c.counts.len() + 1);
    }

    #[test]
    fn chart_bins_count_every_value() {
        let mut h = LogHistogram::new(8);
        for v in 0..95u64 {
            h.add(v);
        }
        let c = h.chart(10.0, 10);
        assert_eq!(c.counts.iter().sum::<u64>(), 95);
        assert_eq!(c.bin_edges.len(), c.counts.len() + 1);
        assert_eq!(c.bin_edges[1], 100.0); // width 10 units x $10
    }
}
