//! Rank correlation (Spearman's rho) between an input and an output, with
//! average ranks for ties, and a Latin hypercube design for drawing inputs.

use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Ranks (1-based) of `xs`, ties given the average of their ranks.
pub fn ranks(xs: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..xs.len()).collect();
    idx.sort_by(|&a, &b| xs[a].total_cmp(&xs[b]));
    let mut r = vec![0.0; xs.len()];
    let mut i = 0;
    while i < idx.len() {
        let mut j = i;
        while j + 1 < idx.len() && xs[idx[j + 1]] == xs[idx[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for &k in &idx[i..=j] {
            r[k] = avg;
        }
        i = j + 1;
    }
    r
}

/// Pearson correlation; `None` when either side has no spread.
pub(crate) fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len().min(y.len());
    if n < 2 {
        return None;
    }
    let mx = x[..n].iter().sum::<f64>() / n as f64;
    let my = y[..n].iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for i in 0..n {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some(sxy / (sxx * syy).sqrt())
}

/// Spearman's rank correlation: Pearson on average ranks.
pub(crate) fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    pearson(&ranks(x), &ranks(y))
}

/// A Latin hypercube design: `n` points in `[0, 1)^dims`, each dimension's
/// values one per stratum `[k/n, (k+1)/n)`, strata shuffled independently.
/// Deterministic in `seed`.
pub(crate) fn latin_hypercube(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut points = vec![vec![0.0; dims]; n];
    for d in 0..dims {
        let mut strata: Vec<usize> = (0..n).collect();
        // Fisher-Yates, explicit so the design never changes with a crate's shuffle.
        for i in (1..n).rev() {
            let j = rng.random_range(0..=i);
            strata.swap(i, j);
        }
        for (p, &k) in points.iter_mut().zip(&strata) {
            p[d] = (k as f64 + rng.random::<f64>()) / n as f64;
        }
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[10.0, 30.0, 20.0, 20.0]), vec![1.0, 4.0, 2.5, 2.5]);
    }

    #[test]
    fn spearman_known_values() {
        // Monotone but non-linear: rho = 1.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y: Vec<f64> = x.iter().map(|v: &f64| v.powi(3)).collect();
        assert!((spearman(&x, &y).unwrap() - 1.0).abs() < 1e-12);
        let rev: Vec<f64> = y.iter().rev().copied().collect();
        assert!((spearman(&x, &rev).unwrap() + 1.0).abs() < 1e-12);
        // Textbook: d = ranks differ by (0,-1,1,0,0) -> rho = 1 - 6*2/(5*24) = 0.9.
        let y2 = [1.0, 3.0, 2.0, 4.0, 5.0];
        assert!((spearman(&x, &y2).unwrap() - 0.9).abs() < 1e-12);
        assert_eq!(spearman(&x, &[1.0; 5]), None);
    }

    #[test]
    fn latin_hypercube_covers_every_stratum() {
        let n = 20;
        let pts = latin_hypercube(n, 3, 7);
        for d in 0..3 {
            let mut seen = vec![false; n];
            for p in &pts {
                assert!((0.0..1.0).contains(&p[d]));
                seen[(p[d] * n as f64) as usize] = true;
            }
            assert!(seen.iter().all(|&s| s), "dimension {d} misses a stratum");
        }
        assert_eq!(pts, latin_hypercube(n, 3, 7));
    }
}
