//! Per-run counts (blocks, prompts, agent calls): the empirical distribution
//! where it has few distinct values (it reproduces the log's mean exactly,
//! so the fitted flow costs what the logged one did), otherwise a Poisson or
//! negative binomial with the same mean and variance.

use std::collections::BTreeMap;
use std::fmt::Write;

/// Most distinct values written out as an empirical distribution.
const MAX_EMPIRICAL: usize = 40;

/// A histogram of per-run counts: value -> runs.
pub type Histogram = BTreeMap<u64, u64>;

/// The mean of a histogram (0 when empty).
pub fn mean(h: &Histogram) -> f64 {
    let n: u64 = h.values().sum();
    if n == 0 {
        return 0.0;
    }
    h.iter().map(|(v, c)| *v as f64 * *c as f64).sum::<f64>() / n as f64
}

/// The variance of a histogram (0 with fewer than two runs).
pub fn variance(h: &Histogram) -> f64 {
    let n: u64 = h.values().sum();
    if n < 2 {
        return 0.0;
    }
    let m = mean(h);
    h.iter()
        .map(|(v, c)| (*v as f64 - m).powi(2) * *c as f64)
        .sum::<f64>()
        / (n - 1) as f64
}

/// The count distribution of `h` as a scenario value (TOML).
pub(crate) fn count_dist(h: &Histogram) -> String {
    let nonzero: Vec<(&u64, &u64)> = h.iter().filter(|(_, c)| **c > 0).collect();
    match nonzero.as_slice() {
        [] => "0".to_string(),
        [(v, _)] => v.to_string(),
        many if many.len() <= MAX_EMPIRICAL => {
            let mut values = String::new();
            let mut weights = String::new();
            for (i, (v, c)) in many.iter().enumerate() {
                let sep = if i == 0 { "" } else { ", " };
                let _ = write!(values, "{sep}{v}");
                let _ = write!(weights, "{sep}{c}");
            }
            format!("{{ dist = \"empirical\", values = [{values}], weights = [{weights}] }}")
        }
        _ => {
            let (m, v) = (mean(h), variance(h));
            if v > m * 1.05 && m > 0.0 {
                // Negative binomial: variance = m + m^2 / r.
                let r = m * m / (v - m);
                format!("{{ dist = \"negbin\", mean = {}, r = {} }}", num(m), num(r))
            } else {
                format!("{{ dist = \"poisson\", mean = {} }}", num(m))
            }
        }
    }
}

/// A number written with enough digits to keep means exact in practice.
pub(crate) fn num(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{x:.1}")
    } else {
        let s = format!("{x:.6}");
        let s = s.trim_end_matches('0');
        s.trim_end_matches('.').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_values_are_empirical_and_keep_the_mean() {
        let h: Histogram = [(1, 3), (2, 1)].into_iter().collect();
        assert_eq!(
            count_dist(&h),
            "{ dist = \"empirical\", values = [1, 2], weights = [3, 1] }"
        );
        assert_eq!(mean(&h), 1.25);
        let one: Histogram = [(4, 10)].into_iter().collect();
        assert_eq!(count_dist(&one), "4");
        assert_eq!(count_dist(&Histogram::new()), "0");
    }

    #[test]
    fn many_values_get_poisson_or_negbin_by_their_dispersion() {
        // 0..=99 once each: mean 49.5, variance 841.7 > mean: negbin with
        // r = m^2 / (v - m).
        let h: Histogram = (0..100).map(|v| (v, 1)).collect();
        let d = count_dist(&h);
        let (m, v) = (49.5, 841.666_666_666_666_6);
        assert!(
            d.starts_with("{ dist = \"negbin\", mean = 49.5, r = "),
            "{d}"
        );
        let r: f64 = d
            .split("r = ")
            .nth(1)
            .unwrap()
            .trim_end_matches(" }")
            .parse()
            .unwrap();
        assert!((r - m * m / (v - m)).abs() < 1e-5);
    }
}
