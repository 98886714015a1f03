//! Fast, exact samplers for the scenario's distributions ([`Dist`]).
//!
//! A [`Sampler`] is compiled once per distribution and then drawn from
//! millions of times, so the expensive parts (probability tables, constants)
//! are computed up front:
//!
//! - Poisson and negative binomial counts with a small mean are drawn by
//!   inversion of a precomputed CDF table with a guide table (one uniform per
//!   draw, exact: the tail beyond the table continues the pmf recurrence);
//!   large means use rand_distr's Poisson (and the gamma-Poisson mixture for
//!   the negative binomial), which are exact too.
//! - Log-normal is `exp(mu + sigma z)` with a ziggurat normal `z`.
//! - Empirical distributions invert their cumulative weights through a guide
//!   table.
//!
//! Counts drawn from a continuous distribution (or a non-integer constant) are
//! rounded stochastically (`floor(x)` plus one with probability `frac(x)`), so
//! that the expected count equals the distribution's mean: the closed-form
//! expectations of `flowcast check` then hold for the simulation too.

use crate::scenario::Dist;
use rand::Rng;
use rand_distr::{Distribution, Exp1, Gamma, Poisson, StandardNormal};
use rand_xoshiro::Xoshiro256PlusPlus;

/// The pinned generator every simulation stream uses.
pub type SimRng = Xoshiro256PlusPlus;

/// A uniform draw in `[0, 1)` with 53 random bits.
#[inline(always)]
pub fn u01(rng: &mut SimRng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard exponential draw (ziggurat).
#[inline(always)]
pub fn exp1(rng: &mut SimRng) -> f64 {
    Exp1.sample(rng)
}

/// A standard normal draw (ziggurat).
#[inline(always)]
pub fn std_normal(rng: &mut SimRng) -> f64 {
    StandardNormal.sample(rng)
}

/// Means above this are drawn with rand_distr's samplers instead of a table.
const TABLE_MAX_MEAN: f64 = 64.0;
/// The table stops where the remaining tail mass is below this...
const TABLE_TAIL: f64 = 1e-16;
/// ... or at this many entries (the tail is then walked by recurrence).
const TABLE_MAX_LEN: usize = 16_384;
/// Guide-table buckets.
const GUIDE: usize = 256;

/// Inversion of a discrete CDF on `0, 1, 2, ...` through a guide table.
#[derive(Clone, Debug)]
struct Inversion {
    /// `cdf[k]` = P(X <= k).
    cdf: Vec<f64>,
    /// `guide[j]` = the smallest k with `cdf[k] > j / GUIDE`.
    guide: Vec<u32>,
    /// For a count law whose table was cut short: the pmf recurrence to walk
    /// the tail, `pmf(k+1) = pmf(k) * (a + b k) / (k + 1)`.
    tail: Option<(f64, f64, f64)>,
}

impl Inversion {
    fn new(cdf: Vec<f64>, tail: Option<(f64, f64, f64)>) -> Inversion {
        let mut guide = Vec::with_capacity(GUIDE);
        let mut k = 0usize;
        for j in 0..GUIDE {
            let u = j as f64 / GUIDE as f64;
            while k + 1 < cdf.len() && cdf[k] <= u {
                k += 1;
            }
            guide.push(k as u32);
        }
        Inversion { cdf, guide, tail }
    }

    /// The smallest k with `u < cdf[k]`.
    #[inline(always)]
    fn invert(&self, u: f64) -> u64 {
        let mut k = self.guide[(u * GUIDE as f64) as usize] as usize;
        let n = self.cdf.len();
        while k < n && self.cdf[k] <= u {
            k += 1;
        }
        if k < n {
            return k as u64;
        }
        self.walk_tail(u)
    }

    #[cold]
    fn walk_tail(&self, u: f64) -> u64 {
        let n = self.cdf.len();
        let (mut pmf, a, b) = match self.tail {
            Some(t) => t,
            // An empirical table: rounding left u above the last entry.
            None => return (n - 1) as u64,
        };
        let mut cdf = self.cdf[n - 1];
        let mut k = (n - 1) as f64;
        // Bounded: once the pmf underflows the answer cannot move further.
        for _ in 0..1_000_000 {
            pmf *= (a + b * k) / (k + 1.0);
            k += 1.0;
            cdf += pmf;
            if u < cdf || pmf == 0.0 {
                break;
            }
        }
        k as u64
    }

    /// Table of a count law from its pmf at 0 and its recurrence
    /// `pmf(k+1) = pmf(k) (a + b k) / (k + 1)`.
    fn count_law(p0: f64, a: f64, b: f64) -> Inversion {
        let mut cdf = Vec::new();
        let mut pmf = p0;
        let mut acc = 0.0;
        let mut k = 0.0;
        loop {
            acc += pmf;
            cdf.push(acc);
            if 1.0 - acc < TABLE_TAIL || cdf.len() >= TABLE_MAX_LEN {
                break;
            }
            pmf *= (a + b * k) / (k + 1.0);
            k += 1.0;
        }
        Inversion::new(cdf, Some((pmf, a, b)))
    }
}

/// A compiled distribution, ready to draw from.
#[derive(Clone, Debug)]
pub struct Sampler {
    kind: Kind,
    mean: f64,
}

#[derive(Clone, Debug)]
enum Kind {
    Constant(f64),
    Uniform {
        low: f64,
        width: f64,
    },
    Bernoulli(f64),
    /// Integer law drawn by table inversion.
    Table(Inversion),
    PoissonLarge(Poisson<f64>),
    /// Negative binomial as Poisson(Gamma(r, mean / r)).
    NegBinMixture(Gamma<f64>),
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Gamma(Gamma<f64>),
    Empirical {
        values: Vec<f64>,
        table: Inversion,
    },
}

impl Sampler {
    /// Compiles `dist`. Parameters are expected to be validated by the
    /// scenario parser; an impossible one is reported, never panicked on.
    pub fn new(dist: &Dist) -> Result<Sampler, String> {
        let bad = |what: &str| Err(format!("invalid distribution {dist:?}: {what}"));
        let finite = |x: f64| x.is_finite();
        let (kind, mean) = match *dist {
            Dist::Constant(c) if finite(c) => (Kind::Constant(c), c),
            Dist::Uniform { low, high } if finite(low) && finite(high) && high >= low => (
                Kind::Uniform {
                    low,
                    width: high - low,
                },
                0.5 * (low + high),
            ),
            Dist::Bernoulli { p } if (0.0..=1.0).contains(&p) => (Kind::Bernoulli(p), p),
            Dist::Poisson { mean } if finite(mean) && mean >= 0.0 => {
                if mean == 0.0 {
                    (Kind::Constant(0.0), 0.0)
                } else if mean <= TABLE_MAX_MEAN {
                    // pmf(k+1) = pmf(k) * mean / (k + 1)
                    (
                        Kind::Table(Inversion::count_law((-mean).exp(), mean, 0.0)),
                        mean,
                    )
                } else {
                    match Poisson::new(mean) {
                        Ok(p) => (Kind::PoissonLarge(p), mean),
                        Err(e) => return bad(&e.to_string()),
                    }
                }
            }
            Dist::NegBinomial { mean, r }
                if finite(mean) && mean >= 0.0 && finite(r) && r > 0.0 =>
            {
                if mean == 0.0 {
                    (Kind::Constant(0.0), 0.0)
                } else if mean <= TABLE_MAX_MEAN {
                    // Failures before the r-th success, success probability p:
                    // pmf(0) = p^r, pmf(k+1) = pmf(k) * (r + k)(1 - p) / (k + 1).
                    let p = r / (r + mean);
                    let q = 1.0 - p;
                    let p0 = (r * p.ln()).exp();
                    if p0 > 0.0 {
                        (Kind::Table(Inversion::count_law(p0, r * q, q)), mean)
                    } else {
                        (Kind::NegBinMixture(gamma(r, mean / r)?), mean)
                    }
                } else {
                    (Kind::NegBinMixture(gamma(r, mean / r)?), mean)
                }
            }
            Dist::LogNormal { mu, sigma } if finite(mu) && finite(sigma) && sigma >= 0.0 => (
                Kind::LogNormal { mu, sigma },
                (mu + 0.5 * sigma * sigma).exp(),
            ),
            Dist::Gamma { shape, scale } if shape > 0.0 && scale > 0.0 => {
                (Kind::Gamma(gamma(shape, scale)?), shape * scale)
            }
            Dist::Empirical {
                ref values,
                ref weights,
            } if !values.is_empty() && values.len() == weights.len() => {
                let total: f64 = weights.iter().sum();
                if !(total > 0.0 && total.is_finite()) || weights.iter().any(|w| *w < 0.0) {
                    return bad("weights must be >= 0 with a positive sum");
                }
                let mut acc = 0.0;
                let mut cdf: Vec<f64> = weights
                    .iter()
                    .map(|w| {
                        acc += w / total;
                        acc
                    })
                    .collect();
                if let Some(last) = cdf.last_mut() {
                    *last = 1.0;
                }
                let mean = values.iter().zip(weights).map(|(v, w)| v * w).sum::<f64>() / total;
                (
                    Kind::Empirical {
                        values: values.clone(),
                        table: Inversion::new(cdf, None),
                    },
                    mean,
                )
            }
            _ => return bad("parameters out of range"),
        };
        Ok(Sampler { kind, mean })
    }

    /// The distribution's mean (closed form).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Whether every draw is the same value (no randomness consumed).
    pub fn is_constant(&self) -> bool {
        matches!(self.kind, Kind::Constant(_))
    }

    /// For a Bernoulli sampler, its probability.
    pub fn bernoulli_p(&self) -> Option<f64> {
        match self.kind {
            Kind::Bernoulli(p) => Some(p),
            _ => None,
        }
    }

    /// One real-valued draw.
    #[inline]
    pub fn sample(&self, rng: &mut SimRng) -> f64 {
        match &self.kind {
            Kind::Constant(c) => *c,
            Kind::Uniform { low, width } => low + width * u01(rng),
            Kind::Bernoulli(p) => f64::from(u8::from(u01(rng) < *p)),
            Kind::Table(t) => t.invert(u01(rng)) as f64,
            Kind::PoissonLarge(p) => p.sample(rng),
            Kind::NegBinMixture(g) => poisson_of(g.sample(rng), rng) as f64,
            Kind::LogNormal { mu, sigma } => (mu + sigma * std_normal(rng)).exp(),
            Kind::Gamma(g) => g.sample(rng),
            Kind::Empirical { values, table } => values[table.invert(u01(rng)) as usize],
        }
    }

    /// One non-negative integer draw (a block count). Integer laws are drawn
    /// as such; real values are clamped at 0 and rounded stochastically.
    #[inline]
    pub fn count(&self, rng: &mut SimRng) -> u64 {
        match &self.kind {
            Kind::Table(t) => t.invert(u01(rng)),
            Kind::Bernoulli(p) => u64::from(u01(rng) < *p),
            Kind::Constant(c) if c.fract() == 0.0 => c.max(0.0) as u64,
            Kind::PoissonLarge(p) => p.sample(rng) as u64,
            Kind::NegBinMixture(g) => poisson_of(g.sample(rng), rng),
            _ => {
                let x = self.sample(rng).max(0.0);
                let whole = x.floor();
                let extra = u64::from(u01(rng) < x - whole);
                // `as` saturates: an absurd draw cannot wrap around.
                (whole as u64).saturating_add(extra)
            }
        }
    }
}

fn gamma(shape: f64, scale: f64) -> Result<Gamma<f64>, String> {
    Gamma::new(shape, scale).map_err(|e| format!("invalid gamma({shape}, {scale}): {e}"))
}

/// A Poisson draw with a mean that changes from draw to draw.
fn poisson_of(mean: f64, rng: &mut SimRng) -> u64 {
    if mean > 0.0 && mean.is_finite() {
        Poisson::new(mean)
            .map(|p| p.sample(rng) as u64)
            .unwrap_or(0)
    } else {
        0
    }
}

/// Sum of `k` Bernoulli(1/2) draws: the popcount of `k` random bits (exact).
#[inline]
pub fn binomial_half(k: u64, rng: &mut SimRng) -> u64 {
    let mut left = k;
    let mut total = 0u64;
    while left >= 64 {
        total += u64::from(rng.next_u64().count_ones());
        left -= 64;
    }
    if left > 0 {
        let bits = rng.next_u64() & ((1u64 << left) - 1);
        total += u64::from(bits.count_ones());
    }
    total
}
