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
pub(crate) fn u01(rng: &mut SimRng) -> f64 {
    unit(rng.next_u64())
}

/// The uniform in `[0, 1)` that [`u01`] makes of the random word `x`: its
/// top 53 bits over 2^53.
#[inline(always)]
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A standard exponential draw (ziggurat).
#[inline(always)]
pub(crate) fn exp1(rng: &mut SimRng) -> f64 {
    Exp1.sample(rng)
}

/// A standard normal draw (ziggurat).
#[inline(always)]
pub(crate) fn std_normal(rng: &mut SimRng) -> f64 {
    StandardNormal.sample(rng)
}

/// 2^(j/64), j = 0..64, correctly rounded (bit patterns): the table of
/// [`fast_exp`].
const EXP2_64: [u64; 64] = [
    0x3ff0000000000000,
    0x3ff02c9a3e778061,
    0x3ff059b0d3158574,
    0x3ff0874518759bc8,
    0x3ff0b5586cf9890f,
    0x3ff0e3ec32d3d1a2,
    0x3ff11301d0125b51,
    0x3ff1429aaea92de0,
    0x3ff172b83c7d517b,
    0x3ff1a35beb6fcb75,
    0x3ff1d4873168b9aa,
    0x3ff2063b88628cd6,
    0x3ff2387a6e756238,
    0x3ff26b4565e27cdd,
    0x3ff29e9df51fdee1,
    0x3ff2d285a6e4030b,
    0x3ff306fe0a31b715,
    0x3ff33c08b26416ff,
    0x3ff371a7373aa9cb,
    0x3ff3a7db34e59ff7,
    0x3ff3dea64c123422,
    0x3ff4160a21f72e2a,
    0x3ff44e086061892d,
    0x3ff486a2b5c13cd0,
    0x3ff4bfdad5362a27,
    0x3ff4f9b2769d2ca7,
    0x3ff5342b569d4f82,
    0x3ff56f4736b527da,
    0x3ff5ab07dd485429,
    0x3ff5e76f15ad2148,
    0x3ff6247eb03a5585,
    0x3ff6623882552225,
    0x3ff6a09e667f3bcd,
    0x3ff6dfb23c651a2f,
    0x3ff71f75e8ec5f74,
    0x3ff75feb564267c9,
    0x3ff7a11473eb0187,
    0x3ff7e2f336cf4e62,
    0x3ff82589994cce13,
    0x3ff868d99b4492ed,
    0x3ff8ace5422aa0db,
    0x3ff8f1ae99157736,
    0x3ff93737b0cdc5e5,
    0x3ff97d829fde4e50,
    0x3ff9c49182a3f090,
    0x3ffa0c667b5de565,
    0x3ffa5503b23e255d,
    0x3ffa9e6b5579fdbf,
    0x3ffae89f995ad3ad,
    0x3ffb33a2b84f15fb,
    0x3ffb7f76f2fb5e47,
    0x3ffbcc1e904bc1d2,
    0x3ffc199bdd85529c,
    0x3ffc67f12e57d14b,
    0x3ffcb720dcef9069,
    0x3ffd072d4a07897c,
    0x3ffd5818dcfba487,
    0x3ffda9e603db3285,
    0x3ffdfc97337b9b5f,
    0x3ffe502ee78b3ff6,
    0x3ffea4afa2a490da,
    0x3ffefa1bee615a27,
    0x3fff50765b6e4540,
    0x3fffa7c1819e90d8,
];

/// `e^x` to within 2 ulp, several times faster than libm on this target
/// (log-normal durations are drawn once per run). Table-driven: x = (k/64)
/// ln 2 + r with |r| <= ln2/128, `e^x = 2^(k/64) e^r`, e^r by a degree-5
/// Taylor polynomial (truncation error < 4e-17). Outside |x| < 700 it defers
/// to libm.
#[inline(always)]
pub fn fast_exp(x: f64) -> f64 {
    // ln 2 / 64 split so that k * HI is exact for |k| < 2^24.
    const HI: f64 = 0.010830424667801708;
    const LO: f64 = 2.8447437476627285e-11;
    const INV: f64 = 92.33248261689366; // 64 / ln 2
    const ROUND: f64 = 6_755_399_441_055_744.0; // 1.5 x 2^52: round to nearest
    if x.is_nan() || x.abs() >= 700.0 {
        return x.exp();
    }
    let kf = (x * INV + ROUND) - ROUND;
    let k = kf as i64;
    let r = (x - kf * HI) - kf * LO;
    let p = 1.0 + r * (1.0 + r * (0.5 + r * (1.0 / 6.0 + r * (1.0 / 24.0 + r * (1.0 / 120.0)))));
    let scale = f64::from_bits(((1023 + (k >> 6)) as u64) << 52);
    f64::from_bits(EXP2_64[(k & 63) as usize]) * scale * p
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
    /// `guide[j]` = the smallest k with `cdf[k] > j / GUIDE` (an array:
    /// its index needs no bounds check).
    guide: Box<[u32; GUIDE]>,
    /// For a count law whose table was cut short: the pmf recurrence to walk
    /// the tail, `pmf(k+1) = pmf(k) * (a + b k) / (k + 1)`.
    tail: Option<(f64, f64, f64)>,
}

impl Inversion {
    fn new(cdf: Vec<f64>, tail: Option<(f64, f64, f64)>) -> Inversion {
        let mut guide = Box::new([0u32; GUIDE]);
        let mut k = 0usize;
        for (j, g) in guide.iter_mut().enumerate() {
            let u = j as f64 / GUIDE as f64;
            while k + 1 < cdf.len() && cdf[k] <= u {
                k += 1;
            }
            *g = k as u32;
        }
        Inversion { cdf, guide, tail }
    }

    /// One draw: the smallest k with `u < cdf[k]` for `u` = [`u01`]'s
    /// uniform. Its guide entry, `floor(u GUIDE)`, is the top 8 bits of the
    /// same random word (`u` is its top 53 bits over 2^53, and scaling by
    /// 2^8 is exact), read without a float-to-integer conversion.
    #[inline(always)]
    fn draw(&self, rng: &mut SimRng) -> u64 {
        const _: () = assert!(GUIDE == 1 << 8);
        let x = rng.next_u64();
        self.search(self.guide[(x >> 56) as usize] as usize, unit(x))
    }

    /// The smallest k at or after `k` with `u < cdf[k]`.
    #[inline(always)]
    fn search(&self, mut k: usize, u: f64) -> u64 {
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
    /// The law, when a sum of independent draws is again of its family
    /// (what [`Sampler::count_sum`] draws in one go).
    sum: SumLaw,
}

/// Families closed under addition of independent draws, with the
/// parameters of one draw.
#[derive(Clone, Copy, Debug, PartialEq)]
enum SumLaw {
    /// A whole constant: n draws sum to n times it.
    Whole(u64),
    /// Poisson(mean): n draws sum to Poisson(n mean).
    Poisson(f64),
    /// Negative binomial (mean, r): n draws sum to NB(n mean, n r) (same
    /// success probability).
    NegBin { mean: f64, r: f64 },
    /// Bernoulli(p): n draws sum to Binomial(n, p).
    Bernoulli(Binomial),
    /// Not closed (continuous laws rounded stochastically, empirical
    /// tables): a sum is drawn draw by draw.
    None,
}

#[derive(Clone, Debug)]
enum Kind {
    /// A whole, non-negative constant (the common "2 HTTP requests").
    Whole(u64),
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
        /// Every value is a whole number >= 0: a count is the value itself
        /// (no rounding draw).
        whole: bool,
    },
}

impl Sampler {
    /// Compiles `dist`. Parameters are expected to be validated by the
    /// scenario parser; an impossible one is reported, never panicked on.
    pub fn new(dist: &Dist) -> Result<Sampler, String> {
        let bad = |what: &str| Err(format!("invalid distribution {dist:?}: {what}"));
        let finite = |x: f64| x.is_finite();
        let (kind, mean) = match *dist {
            Dist::Constant(c) if finite(c) && c >= 0.0 && c.fract() == 0.0 && c < 9e15 => {
                (Kind::Whole(c as u64), c)
            }
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
                    (Kind::Whole(0), 0.0)
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
                    (Kind::Whole(0), 0.0)
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
                        whole: values.iter().all(|v| *v >= 0.0 && v.fract() == 0.0),
                    },
                    mean,
                )
            }
            _ => return bad("parameters out of range"),
        };
        let sum = match (&kind, dist) {
            (Kind::Whole(n), _) => SumLaw::Whole(*n),
            (_, Dist::Poisson { mean }) => SumLaw::Poisson(*mean),
            (_, Dist::NegBinomial { mean, r }) => SumLaw::NegBin { mean: *mean, r: *r },
            (_, Dist::Bernoulli { p }) => SumLaw::Bernoulli(Binomial::new(*p)),
            // An empirical law on {0, 1} is a Bernoulli.
            (_, Dist::Empirical { values, weights })
                if values.iter().all(|v| *v == 0.0 || *v == 1.0) =>
            {
                let total: f64 = weights.iter().sum();
                let ones: f64 = values
                    .iter()
                    .zip(weights)
                    .filter(|(v, _)| **v == 1.0)
                    .map(|(_, w)| w)
                    .sum();
                SumLaw::Bernoulli(Binomial::new(ones / total))
            }
            _ => SumLaw::None,
        };
        Ok(Sampler { kind, mean, sum })
    }

    /// Whether [`Sampler::count_sum`] draws a sum in one go (the law is
    /// closed under addition) rather than draw by draw.
    pub fn sums_in_one_draw(&self) -> bool {
        self.sum != SumLaw::None
    }

    /// The sum of `n` independent [`Sampler::count`] draws, exact in
    /// distribution: in one draw for the laws closed under addition
    /// (constant, Poisson, negative binomial with a common success
    /// probability, Bernoulli), draw by draw otherwise.
    #[inline(always)]
    pub fn count_sum(&self, n: u64, rng: &mut SimRng) -> u64 {
        // A whole constant (most block counts) inline, the rest out of line.
        match self.sum {
            SumLaw::Whole(c) => c.saturating_mul(n),
            _ => self.count_sum_other(n, rng),
        }
    }

    #[inline(never)]
    fn count_sum_other(&self, n: u64, rng: &mut SimRng) -> u64 {
        if n == 0 {
            return 0;
        }
        match self.sum {
            SumLaw::Whole(c) => c.saturating_mul(n),
            SumLaw::Poisson(mean) => poisson_of(mean * n as f64, rng),
            SumLaw::NegBin { mean, r } => {
                // NB(n r, p) = Poisson(Gamma(n r, mean / r)).
                match Gamma::new(r * n as f64, mean / r) {
                    Ok(g) => poisson_of(g.sample(rng), rng),
                    Err(_) => 0,
                }
            }
            SumLaw::Bernoulli(b) => b.draw(n, rng),
            SumLaw::None => (0..n).fold(0u64, |acc, _| acc.saturating_add(self.count(rng))),
        }
    }

    /// The duration split the engine's aggregated path needs: a length `w`
    /// beyond which a draw is rare, `P(X > w)`, and a way to draw `X` given
    /// `X > w` exactly. `None` when the law has no such split here (the
    /// engine then draws every duration).
    pub fn tail(&self) -> Option<Tail> {
        let bounded = |w: f64| {
            Some(Tail {
                beyond: w.max(0.0),
                // A log-normal of no spread has one value, `exp(mu)`.
                log_beyond: match self.kind {
                    Kind::LogNormal { mu, .. } => mu,
                    _ => f64::NEG_INFINITY,
                },
                survival: 0.0,
                law: self.kind.clone(),
            })
        };
        match &self.kind {
            Kind::Whole(n) => bounded(*n as f64),
            Kind::Constant(c) => bounded(*c),
            Kind::Uniform { low, width } => bounded(low + width),
            Kind::Bernoulli(_) => bounded(1.0),
            Kind::Empirical { values, .. } => bounded(values.iter().copied().fold(0.0, f64::max)),
            Kind::LogNormal { mu, sigma } if *sigma == 0.0 => bounded(fast_exp(*mu)),
            Kind::LogNormal { mu, sigma } => Some(Tail {
                // A hair above the largest draw with z <= TAIL_Z (fast_exp is
                // within 2 ulp of exp): the split is exact, only rare.
                beyond: (mu + sigma * TAIL_Z).exp() * (1.0 + 1e-12),
                // A draw's logarithm `mu + sigma z` is at most this when
                // z <= TAIL_Z (rounding is monotone), and its value then at
                // most `beyond`.
                log_beyond: mu + sigma * TAIL_Z,
                survival: NORMAL_TAIL_4,
                law: self.kind.clone(),
            }),
            _ => None,
        }
    }

    /// The distribution's mean (closed form).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// For a whole constant, its value.
    pub fn whole(&self) -> Option<u64> {
        match self.kind {
            Kind::Whole(n) => Some(n),
            _ => None,
        }
    }

    /// The smallest count a draw can give (0 unless the law is a whole
    /// constant or an empirical table of whole values above 0).
    pub fn min_count(&self) -> u64 {
        match &self.kind {
            Kind::Whole(n) => *n,
            Kind::Empirical { values, .. } if values.iter().all(|v| v.fract() == 0.0) => values
                .iter()
                .copied()
                .fold(f64::INFINITY, f64::min)
                .max(0.0)
                as u64,
            _ => 0,
        }
    }

    /// For a Bernoulli sampler, its probability.
    pub(crate) fn bernoulli_p(&self) -> Option<f64> {
        match self.kind {
            Kind::Bernoulli(p) => Some(p),
            _ => None,
        }
    }

    /// One real-valued draw.
    #[inline(always)]
    pub fn sample(&self, rng: &mut SimRng) -> f64 {
        match &self.kind {
            // The hot cases inline (durations, constants), the rest out of line.
            Kind::LogNormal { mu, sigma } => fast_exp(mu + sigma * std_normal(rng)),
            Kind::Whole(n) => *n as f64,
            Kind::Constant(c) => *c,
            _ => self.sample_other(rng),
        }
    }

    /// The draw [`Sampler::sample`] makes, from the same random numbers,
    /// with its value left to [`Lazy::value`]: a log-normal's `exp` is
    /// skipped when a bound ([`Tail::within`]) is all the caller needs.
    #[inline(always)]
    pub fn draw_lazy(&self, rng: &mut SimRng) -> Lazy {
        match &self.kind {
            Kind::LogNormal { mu, sigma } => Lazy::Log(mu + sigma * std_normal(rng)),
            _ => Lazy::Value(self.sample(rng)),
        }
    }

    #[inline(never)]
    fn sample_other(&self, rng: &mut SimRng) -> f64 {
        match &self.kind {
            Kind::Whole(n) => *n as f64,
            Kind::Constant(c) => *c,
            Kind::Uniform { low, width } => low + width * u01(rng),
            Kind::Bernoulli(p) => f64::from(u8::from(u01(rng) < *p)),
            Kind::Table(t) => t.draw(rng) as f64,
            Kind::PoissonLarge(p) => p.sample(rng),
            Kind::NegBinMixture(g) => poisson_of(g.sample(rng), rng) as f64,
            Kind::LogNormal { mu, sigma } => fast_exp(mu + sigma * std_normal(rng)),
            Kind::Gamma(g) => g.sample(rng),
            Kind::Empirical { values, table, .. } => values[table.draw(rng) as usize],
        }
    }

    /// One non-negative integer draw (a block count). Integer laws are drawn
    /// as such; real values are clamped at 0 and rounded stochastically.
    #[inline(always)]
    pub fn count(&self, rng: &mut SimRng) -> u64 {
        match &self.kind {
            Kind::Whole(n) => *n,
            Kind::Table(t) => t.draw(rng),
            Kind::Bernoulli(p) => u64::from(u01(rng) < *p),
            _ => self.count_other(rng),
        }
    }

    #[inline(never)]
    fn count_other(&self, rng: &mut SimRng) -> u64 {
        match &self.kind {
            Kind::Whole(n) => *n,
            Kind::Table(t) => t.draw(rng),
            Kind::Bernoulli(p) => u64::from(u01(rng) < *p),
            Kind::PoissonLarge(p) => p.sample(rng) as u64,
            Kind::NegBinMixture(g) => poisson_of(g.sample(rng), rng),
            // (`as` saturates; a whole value needs no rounding draw.)
            Kind::Empirical {
                values,
                table,
                whole: true,
            } => values[table.draw(rng) as usize] as u64,
            _ => {
                let x = self.sample(rng).max(0.0);
                // x >= 0: below 2^52 truncation is the floor (`floor` is a
                // library call on baseline x86-64); from 2^52 on x is whole.
                let whole = if x < 4_503_599_627_370_496.0 {
                    (x as u64) as f64
                } else {
                    x
                };
                let extra = u64::from(u01(rng) < x - whole);
                // `as` saturates: an absurd draw cannot wrap around.
                (whole as u64).saturating_add(extra)
            }
        }
    }
}

/// Where a log-normal duration's tail starts, in standard deviations of its
/// logarithm.
const TAIL_Z: f64 = 4.0;
/// P(Z > 4) for a standard normal Z: `erfc(4 / sqrt 2) / 2` (checked by a
/// test against a numerical integral of the density).
const NORMAL_TAIL_4: f64 = 3.167_124_183_311_992e-5;

/// A law's rare tail (see [`Sampler::tail`]).
#[derive(Clone, Debug)]
pub struct Tail {
    /// Draws above this are rare (or impossible).
    pub beyond: f64,
    /// `P(X > beyond)`.
    pub survival: f64,
    /// For a log-normal law, a bound on a draw's logarithm below which its
    /// value is at most `beyond` (see [`Tail::within`]).
    log_beyond: f64,
    law: Kind,
}

/// A draw whose value is worked out only if it is needed
/// ([`Sampler::draw_lazy`]).
#[derive(Clone, Copy, Debug)]
pub enum Lazy {
    /// The value.
    Value(f64),
    /// A log-normal draw's logarithm.
    Log(f64),
}

impl Lazy {
    /// The draw's value (what [`Sampler::sample`] returns).
    #[inline(always)]
    pub fn value(self) -> f64 {
        match self {
            Lazy::Value(v) => v,
            Lazy::Log(x) => fast_exp(x),
        }
    }
}

impl Tail {
    /// Whether the draw `d` of this law is at most `beyond`, told without
    /// its value where that is cheaper (a log-normal's logarithm against
    /// its bound). False only means "not known to be".
    #[inline(always)]
    pub fn within(&self, d: Lazy) -> bool {
        match d {
            Lazy::Value(v) => v <= self.beyond,
            Lazy::Log(x) => x <= self.log_beyond,
        }
    }

    /// One draw of `X` given `X > beyond` (only called when `survival > 0`).
    pub fn sample_beyond(&self, rng: &mut SimRng) -> f64 {
        match self.law {
            Kind::LogNormal { mu, sigma } => {
                // Marsaglia's exact method for the normal tail beyond a:
                // x = sqrt(a^2 - 2 ln U1), kept when U2 x < a.
                let a = TAIL_Z;
                loop {
                    let u1 = 1.0 - u01(rng);
                    let u2 = u01(rng);
                    let x = (a * a - 2.0 * u1.ln()).sqrt();
                    if u2 * x < a {
                        return fast_exp(mu + sigma * x);
                    }
                }
            }
            _ => self.beyond,
        }
    }
}

/// Below this mean a Poisson or binomial count is drawn by inversion from
/// its pmf recurrence (one uniform; no set-up), above it by rand_distr's
/// rejection samplers (exact too).
const INVERSION_MEAN: f64 = 16.0;

/// 1/k for k below 64, worked out at compile time: the inversion loops
/// multiply by it instead of dividing (a division's latency is most of a
/// step).
const RECIPROCALS: [f64; 64] = {
    let mut t = [0.0; 64];
    let mut k = 1;
    while k < 64 {
        t[k] = 1.0 / k as f64;
        k += 1;
    }
    t
};

/// 1/k (k >= 1).
#[inline(always)]
fn recip(k: u64) -> f64 {
    match RECIPROCALS.get(k as usize) {
        Some(&r) => r,
        None => 1.0 / k as f64,
    }
}

/// A Binomial(n, p) draw (exact: by inversion for a small mean, BTPE
/// otherwise).
pub(crate) fn binomial(n: u64, p: f64, rng: &mut SimRng) -> u64 {
    binomial_with(n, p, rng, step_and_log)
}

/// For the probability `low` a binomial is drawn with: the pmf's ratio
/// step `low / (1 - low)` and `ln(1 - low)`, the log of pmf(0)^(1/n).
#[inline]
fn step_and_log(low: f64) -> (f64, f64) {
    (low / (1.0 - low), (-low).ln_1p())
}

/// Binomial(n, p) draws for one `p` and any `n`, with what depends on `p`
/// alone worked out once: a Bernoulli count's sums draw many with the same
/// `p`, and the logarithm was a good part of each. The draws are the
/// numbers [`binomial`] gives, bit for bit (the same function of the same
/// values).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Binomial {
    p: f64,
    /// [`step_and_log`] of the probability drawn with (`p`, or `1 - p`
    /// above 1/2).
    ratio: f64,
    ln_q: f64,
}

impl Binomial {
    pub(crate) fn new(p: f64) -> Self {
        let (ratio, ln_q) = step_and_log(if p > 0.5 { 1.0 - p } else { p });
        Binomial { p, ratio, ln_q }
    }

    pub(crate) fn draw(&self, n: u64, rng: &mut SimRng) -> u64 {
        binomial_with(n, self.p, rng, |_| (self.ratio, self.ln_q))
    }
}

/// [`binomial`], given how to get the ratio and `ln(1 - low)` of the
/// probability `low` it draws with (only needed past the inversion's
/// shortcut).
#[inline(always)]
fn binomial_with(n: u64, p: f64, rng: &mut SimRng, consts: impl FnOnce(f64) -> (f64, f64)) -> u64 {
    if n == 0 || p <= 0.0 {
        return 0;
    }
    if p >= 1.0 {
        return n;
    }
    if p == 0.5 && n <= 4096 {
        return binomial_half(n, rng);
    }
    if p > 0.5 {
        return n - binomial_low(n, 1.0 - p, rng, consts);
    }
    binomial_low(n, p, rng, consts)
}

/// Binomial(n, p) for `0 < p <= 1/2` (or NaN: then 0).
#[inline(always)]
fn binomial_low(n: u64, p: f64, rng: &mut SimRng, consts: impl FnOnce(f64) -> (f64, f64)) -> u64 {
    let nf = n as f64;
    if nf * p < INVERSION_MEAN {
        // pmf(0) = (1 - p)^n, pmf(k+1) = pmf(k) (n - k) / (k + 1) p / (1 - p).
        let u = u01(rng);
        // pmf(0) = (1 - p)^n >= 1 - n p (Bernoulli's inequality): below
        // that bound the draw is 0 without computing the power (the common
        // case for the rare counts of the aggregated path).
        if u < 1.0 - nf * p {
            return 0;
        }
        let (ratio, ln_q) = consts(p);
        let mut pmf = fast_exp(nf * ln_q);
        let mut cdf = pmf;
        let mut k = 0u64;
        while u >= cdf && k < n && pmf > 0.0 {
            pmf *= ratio * (n - k) as f64 * recip(k + 1);
            k += 1;
            cdf += pmf;
        }
        return k;
    }
    rand_distr::Binomial::new(n, p)
        .map(|b| b.sample(rng))
        .unwrap_or(0)
}

fn gamma(shape: f64, scale: f64) -> Result<Gamma<f64>, String> {
    Gamma::new(shape, scale).map_err(|e| format!("invalid gamma({shape}, {scale}): {e}"))
}

/// A Poisson draw with a mean that changes from draw to draw (exact: by
/// inversion for a small mean, rand_distr's rejection sampler otherwise).
pub(crate) fn poisson_of(mean: f64, rng: &mut SimRng) -> u64 {
    if !(mean > 0.0 && mean.is_finite()) {
        return 0;
    }
    if mean < INVERSION_MEAN {
        let u = u01(rng);
        // pmf(0) = e^-mean >= 1 - mean: below that bound the draw is 0
        // without computing the exponential.
        if u < 1.0 - mean {
            return 0;
        }
        let mut pmf = fast_exp(-mean);
        let mut cdf = pmf;
        let mut k = 0u64;
        while u >= cdf && pmf > 0.0 {
            k += 1;
            pmf *= mean * recip(k);
            cdf += pmf;
        }
        return k;
    }
    Poisson::new(mean)
        .map(|p| p.sample(rng) as u64)
        .unwrap_or(0)
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

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn a_tables_guide_entry_from_the_word_is_the_one_from_its_uniform() {
        // `Inversion::draw` reads floor(u GUIDE) off the random word; it must
        // be what the uniform gives, at the edges of every guide cell too.
        let mut words: Vec<u64> = vec![0, 1, u64::MAX, 1 << 11, (1 << 11) - 1];
        for j in 0..GUIDE as u64 {
            let cell = j << 56;
            words.extend([
                cell,
                cell | ((1 << 56) - 1),
                cell | (1 << 11),
                cell.wrapping_sub(1),
            ]);
        }
        let mut rng = SimRng::seed_from_u64(5);
        words.extend((0..100_000).map(|_| rng.next_u64()));
        for x in words {
            assert_eq!((unit(x) * GUIDE as f64) as u64, x >> 56, "word {x:#x}");
        }
    }

    #[test]
    fn fast_exp_is_within_two_ulp_of_libm() {
        let mut x = -700.0;
        while x < 700.0 {
            let (a, b) = (fast_exp(x), x.exp());
            assert!((a - b).abs() <= 4.5e-16 * b, "x {x}: {a} vs {b}");
            x += 0.0137;
        }
        assert_eq!(fast_exp(0.0), 1.0);
    }
}
