//! Shared shocks, drawn once per trial for the whole population: each
//! kind's monthly usage factor (lognormal with mean 1, joined across kinds
//! by a Gaussian copula) and the shared events (launches, outages). The
//! result, per kind, is a piecewise-constant rate multiplier over the
//! horizon that every team of the kind applies to its Poisson rates.
//!
//! One stream per trial (`Purpose::Shock`), and its draws do not depend on
//! which kinds have a shock: every cycle draws one common normal and one
//! normal per kind, then every event its cycle's count, starts and lengths.
//! So a task, a shard or a `compare` variant that recomputes a trial's
//! shocks gets the same ones, and switching one kind's shock off in a sweep
//! leaves the others' factors unchanged (common random numbers).

use super::streams::{stream, Purpose};
use crate::scenario::{Dist, Scenario};
use crate::workload::arrivals::{RateSteps, Timeline, MONTH};
use crate::workload::sampling::{std_normal, u01, Sampler};

/// The compiled shocks of a scenario.
#[derive(Clone, Debug)]
pub(crate) struct ShockPlan {
    sigma: Vec<f64>,
    /// Pearson correlation of the copula's normals, from the rank one.
    pearson: f64,
    events: Vec<EventPlan>,
}

/// One drawn event: (start, end, multiplier, event index).
type Window = (f64, f64, f64, usize);

/// A trial's draws: `factors[kind][cycle]` and the events' windows.
type Draws = (Vec<Vec<f64>>, Vec<Window>);

#[derive(Clone, Debug)]
struct EventPlan {
    /// Per cycle: the count of events.
    per_cycle: Vec<Sampler>,
    duration_hours: Sampler,
    multiplier: f64,
    kinds: Vec<bool>,
}

/// Pearson correlation of two standard normals whose ranks correlate `rho_s`
/// (Spearman): `2 sin(pi rho_s / 6)`.
pub(crate) fn pearson_of_spearman(rho_s: f64) -> f64 {
    2.0 * (std::f64::consts::PI * rho_s / 6.0).sin()
}

impl ShockPlan {
    /// `None` when nothing is shared.
    pub fn new(s: &Scenario, tl: &Timeline) -> Result<Option<ShockPlan>, String> {
        if !s.has_shocks() {
            return Ok(None);
        }
        let mut events = Vec::with_capacity(s.shocks.events.len());
        for e in &s.shocks.events {
            let per_cycle = tl
                .bounds
                .windows(2)
                .map(|w| {
                    Sampler::new(&Dist::Poisson {
                        mean: e.per_month * (w[1] - w[0]) / MONTH,
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|x| format!("shocks.events.{}: {x}", e.name))?;
            events.push(EventPlan {
                per_cycle,
                duration_hours: Sampler::new(&e.duration_hours)
                    .map_err(|x| format!("shocks.events.{}.duration_hours: {x}", e.name))?,
                multiplier: e.multiplier,
                kinds: e.kinds.clone(),
            });
        }
        Ok(Some(ShockPlan {
            sigma: s.kinds.iter().map(|k| k.monthly_shock).collect(),
            pearson: pearson_of_spearman(s.shocks.correlation).clamp(0.0, 1.0),
            events,
        }))
    }

    /// Each kind's monthly factors in `trial`: `factors[kind][cycle]`.
    pub fn factors(&self, seed: u64, trial: u32, tl: &Timeline) -> Draws {
        let mut rng = stream(seed, trial, 0, 0, Purpose::Shock);
        let cycles = tl.bounds.len().saturating_sub(1);
        let n = self.sigma.len();
        let (a, b) = (self.pearson.sqrt(), (1.0 - self.pearson).sqrt());
        let mut f = vec![Vec::with_capacity(cycles); n];
        for _ in 0..cycles {
            let common = std_normal(&mut rng);
            for (k, fk) in f.iter_mut().enumerate() {
                let z = a * common + b * std_normal(&mut rng);
                let s = self.sigma[k];
                fk.push((s * z - s * s / 2.0).exp());
            }
        }
        let mut windows = Vec::new();
        for (i, e) in self.events.iter().enumerate() {
            for (c, w) in tl.bounds.windows(2).enumerate() {
                for _ in 0..e.per_cycle[c].count(&mut rng) {
                    let start = w[0] + (w[1] - w[0]) * u01(&mut rng);
                    let len = e.duration_hours.sample(&mut rng).max(0.0) * 3600.0;
                    windows.push((start, start + len, e.multiplier, i));
                }
            }
        }
        (f, windows)
    }

    /// Every kind's rate multiplier over the horizon in `trial` (`None`
    /// for a kind nothing touches).
    pub fn draw(&self, seed: u64, trial: u32, tl: &Timeline) -> Vec<Option<RateSteps>> {
        let (factors, windows) = self.factors(seed, trial, tl);
        let horizon = tl.horizon();
        (0..self.sigma.len())
            .map(|k| {
                let mine: Vec<&Window> = windows
                    .iter()
                    .filter(|w| self.events[w.3].kinds[k] && w.2 != 1.0)
                    .collect();
                if self.sigma[k] == 0.0 && mine.is_empty() {
                    return None;
                }
                let mut edges: Vec<f64> = tl.bounds.clone();
                for w in &mine {
                    edges.push(w.0.min(horizon));
                    edges.push(w.1.min(horizon));
                }
                edges.sort_by(f64::total_cmp);
                edges.dedup();
                let mut steps = RateSteps::default();
                let mut cycle = 0;
                for e in edges.windows(2) {
                    let (a, b) = (e[0], e[1]);
                    if b <= a {
                        continue;
                    }
                    while cycle + 2 < tl.bounds.len() && a >= tl.bounds[cycle + 1] {
                        cycle += 1;
                    }
                    let mut m = factors[k][cycle];
                    for w in &mine {
                        if w.0 <= a && b <= w.1 {
                            m *= w.2;
                        }
                    }
                    steps.push(a, b, m);
                }
                Some(steps)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copula_keeps_the_rank_correlation_and_the_factors_mean_one() {
        // Kendall/Spearman are invariant under the monotone lognormal map, so
        // the factors' Spearman correlation is the copula's. 20,000 draws:
        // the standard error of a Spearman of 0.5 is about 0.006.
        let plan = ShockPlan {
            sigma: vec![0.4, 0.8],
            pearson: pearson_of_spearman(0.5),
            events: Vec::new(),
        };
        let tl = Timeline {
            bounds: vec![0.0, 30.0 * 86_400.0],
            week_offset: 0.0,
        };
        let n = 20_000;
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for t in 0..n {
            let (f, _) = plan.factors(9, t, &tl);
            x.push(f[0][0]);
            y.push(f[1][0]);
        }
        let ranks = |v: &[f64]| {
            let mut idx: Vec<usize> = (0..v.len()).collect();
            idx.sort_by(|&a, &b| v[a].total_cmp(&v[b]));
            let mut r = vec![0.0; v.len()];
            for (rank, i) in idx.into_iter().enumerate() {
                r[i] = rank as f64;
            }
            r
        };
        let (rx, ry) = (ranks(&x), ranks(&y));
        let m = (n as f64 - 1.0) / 2.0;
        let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - m) * (b - m)).sum();
        let var: f64 = rx.iter().map(|a| (a - m) * (a - m)).sum();
        let spearman = cov / var;
        assert!((spearman - 0.5).abs() < 0.03, "{spearman}");
        // Mean 1 (lognormal with mu = -sigma^2 / 2): sd of the mean of
        // 20,000 factors of sigma 0.4 is about 0.003.
        let mean = x.iter().sum::<f64>() / n as f64;
        assert!((mean - 1.0).abs() < 0.015, "{mean}");
    }
}
