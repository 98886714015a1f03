//! Resource guards: work that cannot finish is refused before it starts,
//! with the estimate that refused it.
//!
//! - **Memory per team** (always): a team's arrivals for one flow are held
//!   for the whole horizon, so the runs one team of a kind may start are
//!   bounded, counted with everything that multiplies them: the rate, the
//!   usage multiplier, growth, bursts, the horizon and the size multiplier
//!   (its largest value among as many draws as the simulation will make, at
//!   most 100,000).
//! - **Total work** (unless `--allow-large`): runs = trials x teams x
//!   expected runs per team, times the variants a command simulates (grid
//!   points, samples).
//! - **Threads**: at most [`MAX_THREADS`].

use super::streams::{stream, Purpose};
use crate::scenario::{expected_runs_in_cycle, Arrivals, Scenario};
use crate::workload::arrivals::MAX_RUNS_PER_TEAM;
use crate::workload::sampling::Sampler;

/// The most worker threads a simulation starts.
pub const MAX_THREADS: usize = 1024;

/// Total runs above which a command needs `--allow-large` (about an hour at
/// the speeds measured on 2 cores).
pub const LARGE_RUNS: f64 = 1e11;

/// The largest size multiplier among `draws` draws of kind `k`'s size
/// (deterministic: a stream of its own).
fn largest_size(s: &Scenario, kind: usize, draws: u64) -> f64 {
    let Ok(sampler) = Sampler::new(&s.kinds[kind].size) else {
        return f64::INFINITY;
    };
    let mut rng = stream(0x6A4D, 0, kind, 0, Purpose::Usage);
    (0..draws.clamp(1, 100_000))
        .map(|_| sampler.sample(&mut rng))
        .fold(0.0, f64::max)
}

/// A bound on the shared shocks' multiplier of kind `kind`: its monthly
/// factor six sigmas up (lognormal, mean 1) times every event that can hit
/// it, as if they all overlapped.
fn largest_shock(s: &Scenario, kind: usize) -> f64 {
    let sigma = s.kinds[kind].monthly_shock;
    let factor = (6.0 * sigma - sigma * sigma / 2.0).exp().max(1.0);
    s.shocks
        .events
        .iter()
        .filter(|e| e.kinds.get(kind) == Some(&true) && e.per_month > 0.0)
        .fold(factor, |m, e| m * e.multiplier.max(1.0))
}

/// Expected runs over the horizon of one team of mean size.
fn runs_per_team(s: &Scenario, kind: usize, flow: usize) -> f64 {
    (0..s.calendar.months)
        .map(|c| expected_runs_in_cycle(s, &s.kinds[kind], flow, c))
        .sum()
}

/// Work refused: the scenario key that makes it too large (the dotted path
/// `--set` takes; a file line is found from it, see
/// [`scenario::place`](crate::scenario::place)) and the estimate.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{key}: {problem}")]
pub(crate) struct Refusal {
    /// The dotted key path.
    pub key: String,
    /// What would happen, with the estimate.
    pub problem: String,
}

/// Refuses a scenario one of whose teams could start more runs of one flow
/// than memory holds. The error names the key and the estimate.
pub(crate) fn check_team_memory(s: &Scenario, trials: u32) -> Result<(), Refusal> {
    for (ki, k) in s.kinds.iter().enumerate() {
        let draws = u64::from(k.teams).saturating_mul(u64::from(trials));
        let mean = Sampler::new(&k.size).map_or(f64::INFINITY, |x| x.mean());
        let largest = largest_size(s, ki, draws);
        for (fi, f) in k.flows.iter().enumerate() {
            if !matches!(f.arrivals, Arrivals::Poisson { .. }) {
                continue;
            }
            let per_team =
                runs_per_team(s, ki, fi) / mean.max(1e-300) * largest * largest_shock(s, ki);
            if per_team.is_nan() || per_team > MAX_RUNS_PER_TEAM {
                let (key, what) = if largest > 2.0 * mean {
                    (
                        format!("kinds.{}.size", k.name),
                        format!(
                            "its largest team (size {largest:.3e} among {} draws)",
                            draws.min(100_000)
                        ),
                    )
                } else {
                    (
                        format!("kinds.{}.flows.{}", k.name, f.name),
                        "a team".to_string(),
                    )
                };
                return Err(Refusal {
                    key,
                    problem: format!(
                        "{what} would start about {per_team:.3e} runs of flow '{}' over the horizon, more than {MAX_RUNS_PER_TEAM:.0e} (rate x usage multiplier x growth x bursts x size x shared shocks): too many to hold",
                        f.name
                    ),
                });
            }
        }
    }
    Ok(())
}

/// Expected runs of the whole simulation (`trials` trials).
pub fn total_runs(s: &Scenario, trials: u32) -> f64 {
    let mut runs = 0.0;
    for (ki, k) in s.kinds.iter().enumerate() {
        let per_team: f64 = (0..k.flows.len()).map(|fi| runs_per_team(s, ki, fi)).sum();
        runs += per_team * f64::from(k.teams);
    }
    runs * f64::from(trials)
}

/// Refuses `variants` simulations of `trials` trials of `s` when they add up
/// to more than [`LARGE_RUNS`] runs, unless `allow_large`.
pub fn check_work(
    s: &Scenario,
    trials: u32,
    variants: f64,
    allow_large: bool,
) -> Result<(), String> {
    let runs = total_runs(s, trials) * variants.max(1.0);
    if !allow_large && (runs.is_nan() || runs > LARGE_RUNS) {
        return Err(format!(
            "about {runs:.2e} runs to simulate ({trials} trials x {} teams{}), more than {LARGE_RUNS:.0e} (hours of work); pass --allow-large if you mean it, or use fewer trials or teams",
            s.kinds.iter().map(|k| u64::from(k.teams)).sum::<u64>(),
            if variants > 1.0 {
                format!(" x {variants:.0} variants")
            } else {
                String::new()
            }
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scenario(size: &str, per_day: f64) -> Scenario {
        let text = format!(
            r#"
name = "g"
[calendar]
start = 2026-06-01T00:00:00Z
[[kinds]]
name = "k"
teams = 10
plan = "team"
size = {size}
  [[kinds.flows]]
  name = "f"
  trigger = "api"
  arrivals = {{ poisson = {{ per_day = {per_day} }} }}
"#
        );
        crate::scenario::parse(&text, "g.toml".as_ref()).unwrap()
    }

    #[test]
    fn huge_teams_are_refused_and_ordinary_ones_pass() {
        // 100 runs a day for 30 days: 3,000 runs per team.
        assert!(check_team_memory(&scenario("1", 100.0), 200).is_ok());
        assert!((total_runs(&scenario("1", 100.0), 200) - 10.0 * 3000.0 * 200.0).abs() < 1e-6);
        let e = check_team_memory(&scenario("1e9", 100.0), 200)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("kinds.k.flows.f") && e.contains("3.000e12"),
            "{e}"
        );
        // A lognormal spread of sigma 6: its largest of 2,000 draws is huge
        // (e^(6 x 3.3) ~ 5e8), several times its mean e^18.
        let e = check_team_memory(
            &scenario("{ dist = \"lognormal\", mu = 0, sigma = 6 }", 100.0),
            200,
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("kinds.k.size: its largest team"), "{e}");
        assert!(check_work(&scenario("1", 100.0), 1_000_000_000, 1.0, false)
            .unwrap_err()
            .contains("--allow-large"));
        assert!(check_work(&scenario("1", 100.0), 1_000_000_000, 1.0, true).is_ok());
    }
}
