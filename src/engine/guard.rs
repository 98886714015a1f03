//! Resource guards: work that cannot finish is refused before it starts,
//! with the estimate that refused it.
//!
//! - **One team's runs** (always): arrivals are drawn lazily, so memory
//!   does not grow with the horizon or the number of runs; what one team
//!   holds is its runs in flight, and one team's cycle is simulated on one
//!   thread. So both are bounded per flow: the runs one team may start in
//!   its busiest cycle, and the runs it may have in flight at once (the
//!   busiest hour's rate times the mean duration), counted with everything
//!   that multiplies them: the rate, the usage multiplier, growth, bursts
//!   and the size multiplier (its largest value among as many draws as the
//!   simulation will make, at most 100,000).
//! - **Total work** (unless `--allow-large`): runs = trials x teams x
//!   expected runs per team, times the variants a command simulates (grid
//!   points, samples).
//! - **Threads**: at most [`MAX_THREADS`].

use super::streams::{stream, Purpose};
use super::{batch_daily_bytes, timeline};
use crate::scenario::{
    burst_weight, expected_runs_in_cycle, horizon, tool_runs_per_run, Arrivals, Scenario, TeamKind,
};
use crate::statistics::collector::daily_bytes_bound;
use crate::workload::arrivals::{growth_at, DAY, HOUR, MAX_RUNS_PER_CYCLE};
use crate::workload::sampling::Sampler;

/// The most worker threads a simulation starts.
pub const MAX_THREADS: usize = 1024;

/// Runs one team may be expected to have in flight at once (each is held
/// until it ends: about 50 bytes, 130 with a charge by source).
pub const MAX_IN_FLIGHT: f64 = 2e6;

/// MCP-flow runs one run may be expected to start (an AI Agent's tool
/// calls, through its tool flows): they start with it, and each is admitted
/// and priced on its own, so one run holds them all at once (8 bytes each,
/// about 100 with `--emit-log`).
pub const MAX_NESTED_PER_RUN: f64 = 1e6;

/// Bytes the per-day statistics of one simulation may take at an upper
/// bound: one histogram per group and day of the longest cycle, each at its
/// largest, and the per-day credits of the team-months not yet counted.
pub const MAX_DAILY_BYTES: f64 = 4e9;

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

/// Per cycle, the expected runs of one team of mean size.
fn cycle_runs(s: &Scenario, kind: usize, flow: usize) -> impl Iterator<Item = f64> + '_ {
    (0..s.calendar.months).map(move |c| expected_runs_in_cycle(s, &s.kinds[kind], flow, c))
}

/// Expected runs over the horizon of one team of mean size.
fn runs_per_team(s: &Scenario, kind: usize, flow: usize) -> f64 {
    cycle_runs(s, kind, flow).sum()
}

/// Per flow of `k`, the MCP-flow runs one of its runs is expected to start.
fn nested_per_run(k: &TeamKind) -> Vec<f64> {
    tool_runs_per_run(k)
        .iter()
        .map(|row| row.iter().sum())
        .collect()
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

/// One team of mean size, one flow: its expected runs in the busiest
/// cycle, and its expected runs in flight at once (Little's law, bounded:
/// the highest arrival rate of the horizon times the mean duration, and no
/// more than all the runs of the horizon).
fn team_load(s: &Scenario, kind: usize, flow: usize) -> (f64, f64) {
    let (mut busiest, mut all) = (0.0f64, 0.0);
    for runs in cycle_runs(s, kind, flow) {
        busiest = busiest.max(runs);
        all += runs;
    }
    let duration = Sampler::new(&s.kinds[kind].flows[flow].duration_seconds)
        .map_or(f64::INFINITY, |d| d.mean());
    (
        busiest,
        (peak_rate(s, kind, flow) * duration.max(0.0)).min(all),
    )
}

/// One team of mean size, one flow: an upper bound on its expected arrival
/// rate at any instant of the horizon, runs per second. The runs in flight
/// at `t` are the arrivals before `t` that outlast the gap, so their
/// expected number is at most this rate times the mean duration, however
/// the arrivals bunch: a cycle's mean rate would miss a flow whose runs all
/// come in one hour of one weekday by 24 x 7 times.
///
/// - Poisson: the busiest hour's weight times the busiest weekday's, the
///   growth at its highest (the horizon's end, or its start for a decline),
///   and bursts at their fullest expected effect ([`burst_weight`] with
///   bursts active their mean duration).
/// - A schedule: its grid's rate on a day it runs.
fn peak_rate(s: &Scenario, kind: usize, flow: usize) -> f64 {
    let k = &s.kinds[kind];
    match &k.flows[flow].arrivals {
        Arrivals::OnlyAsMcpTool => 0.0,
        Arrivals::Schedule {
            every_seconds,
            days,
            ..
        } => {
            if days.iter().any(|&d| d) {
                1.0 / every_seconds
            } else {
                0.0
            }
        }
        Arrivals::Poisson {
            per_day,
            hour_weights,
            weekday_weights,
            growth_per_month,
            bursts,
        } => {
            let busiest = |w: &[f64]| w.iter().copied().fold(0.0, f64::max);
            let (start, end) = horizon(&s.calendar);
            let horizon = (end - start).num_seconds() as f64;
            let growth = growth_at(*growth_per_month, horizon).max(1.0);
            let burst = bursts.as_ref().map_or(1.0, |b| {
                burst_weight(b, b.duration_hours.mean().max(0.0) * HOUR)
            });
            per_day / DAY
                * s.usage_multiplier
                * k.size.mean()
                * busiest(hour_weights)
                * busiest(weekday_weights)
                * growth
                * burst
        }
    }
}

/// Refuses a scenario one of whose teams could start more than
/// [`MAX_RUNS_PER_CYCLE`] runs of one flow in a cycle, or have more than
/// [`MAX_IN_FLIGHT`] of them in flight at once. The error names the key
/// and the estimate.
pub(crate) fn check_team_runs(s: &Scenario, trials: u32) -> Result<(), Refusal> {
    for (ki, k) in s.kinds.iter().enumerate() {
        let draws = u64::from(k.teams).saturating_mul(u64::from(trials));
        let mean = Sampler::new(&k.size).map_or(f64::INFINITY, |x| x.mean());
        let largest = largest_size(s, ki, draws);
        let nested = nested_per_run(k);
        for (fi, f) in k.flows.iter().enumerate() {
            if nested[fi].is_nan() || nested[fi] > MAX_NESTED_PER_RUN {
                return Err(Refusal {
                    key: format!("kinds.{}.flows.{}.agent", k.name, f.name),
                    problem: format!(
                        "a run of flow '{}' would start about {:.3e} MCP-flow runs (agent calls x tool calls per call, through its tool flows), more than {MAX_NESTED_PER_RUN:.0e}: too many for one run",
                        f.name, nested[fi]
                    ),
                });
            }
            // A team's size and the shared shocks scale Poisson rates only.
            let poisson = matches!(f.arrivals, Arrivals::Poisson { .. });
            let scale = if poisson {
                largest / mean.max(1e-300) * largest_shock(s, ki)
            } else {
                1.0
            };
            let (busiest, in_flight) = team_load(s, ki, fi);
            // A run's MCP-flow runs start (and end) with it: they count
            // among the cycle's runs, and are held in its entry in flight.
            let (busiest, in_flight) = (busiest * scale * (1.0 + nested[fi]), in_flight * scale);
            let problem = if busiest.is_nan() || busiest > MAX_RUNS_PER_CYCLE {
                format!(
                    "would start about {busiest:.3e} runs of flow '{}'{} in one cycle, more than {MAX_RUNS_PER_CYCLE:.0e} (rate x usage multiplier x growth x bursts x size x shared shocks): too many for one team",
                    f.name,
                    if nested[fi] > 0.0 { " with the MCP-flow runs they start" } else { "" }
                )
            } else if in_flight.is_nan() || in_flight > MAX_IN_FLIGHT {
                format!(
                    "would have about {in_flight:.3e} runs of flow '{}' in flight at once (runs per second in its busiest hour x mean duration), more than {MAX_IN_FLIGHT:.0e}: too many to hold",
                    f.name
                )
            } else {
                continue;
            };
            let (key, who) = if poisson && largest > 2.0 * mean {
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
                problem: format!("{who} {problem}"),
            });
        }
    }
    Ok(())
}

/// Refuses a scenario whose per-day statistics could pass
/// [`MAX_DAILY_BYTES`]: one histogram per group and day of the longest
/// cycle, each at its largest, and the per-day credits of the team-months
/// not yet counted. Only cycles of years, with many kinds, come near it.
pub(crate) fn check_daily_memory(s: &Scenario) -> Result<(), Refusal> {
    // A calendar the engine cannot lay out is refused by its compilation.
    let Ok(tl) = timeline(&s.calendar) else {
        return Ok(());
    };
    let bytes = daily_bytes_bound(s.kinds.len(), &tl) + batch_daily_bytes(&tl);
    if bytes.is_nan() || bytes > MAX_DAILY_BYTES {
        let key = match s.calendar.cycle_days {
            Some(_) => "calendar.cycle_days",
            None => "calendar",
        };
        return Err(Refusal {
            key: key.to_string(),
            problem: format!(
                "the per-day statistics of {} kinds over cycles of up to {:.0} days could take up to {:.1} GB, more than {:.0} GB: use shorter cycles or fewer kinds",
                s.kinds.len(),
                tl.cycle_days().fold(1.0, f64::max),
                bytes / 1e9,
                MAX_DAILY_BYTES / 1e9
            ),
        });
    }
    Ok(())
}

/// Expected runs of the whole simulation (`trials` trials).
pub fn total_runs(s: &Scenario, trials: u32) -> f64 {
    let mut runs = 0.0;
    for (ki, k) in s.kinds.iter().enumerate() {
        let nested = nested_per_run(k);
        let per_team: f64 = (0..k.flows.len())
            .map(|fi| runs_per_team(s, ki, fi) * (1.0 + nested[fi]))
            .sum();
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

    /// Why the guard refuses `s` (it must).
    fn refusal(s: &Scenario, trials: u32) -> String {
        check_team_runs(s, trials).unwrap_err().to_string()
    }

    fn scenario(size: &str, per_day: f64) -> Scenario {
        scenario_with(size, &format!("per_day = {per_day}"), "", "")
    }

    /// One kind of 10 teams with one Poisson flow (`poisson`: its arrival
    /// keys); `calendar` and `flow` are extra lines for their tables.
    fn scenario_with(size: &str, poisson: &str, calendar: &str, flow: &str) -> Scenario {
        let text = format!(
            r#"
name = "g"
[calendar]
start = 2026-06-01T00:00:00Z
{calendar}
[[kinds]]
name = "k"
teams = 10
plan = "team"
size = {size}
  [[kinds.flows]]
  name = "f"
  trigger = "api"
  arrivals = {{ poisson = {{ {poisson} }} }}
  {flow}
"#
        );
        crate::scenario::parse(&text, "g.toml".as_ref()).unwrap()
    }

    #[test]
    fn huge_teams_are_refused_and_ordinary_ones_pass() {
        // 100 runs a day for 30 days: 3,000 runs per team.
        assert!(check_team_runs(&scenario("1", 100.0), 200).is_ok());
        assert!((total_runs(&scenario("1", 100.0), 200) - 10.0 * 3000.0 * 200.0).abs() < 1e-6);
        let e = refusal(&scenario("1e9", 100.0), 200);
        assert!(
            e.contains("kinds.k.flows.f") && e.contains("3.000e12"),
            "{e}"
        );
        // A lognormal spread of sigma 6: its largest of 2,000 draws is huge
        // (e^(6 x 3.3) ~ 5e8), several times its mean e^18.
        let e = refusal(
            &scenario("{ dist = \"lognormal\", mu = 0, sigma = 6 }", 100.0),
            200,
        );
        assert!(e.starts_with("kinds.k.size: its largest team"), "{e}");
        assert!(check_work(&scenario("1", 100.0), 1_000_000_000, 1.0, false)
            .unwrap_err()
            .contains("--allow-large"));
        assert!(check_work(&scenario("1", 100.0), 1_000_000_000, 1.0, true).is_ok());
    }

    /// Memory does not grow with the horizon (arrivals are lazy), so the
    /// bounds are per cycle and in flight: 36 cycles of 3e7 runs pass
    /// (1.08e9 over the horizon, which the old per-horizon bound refused);
    /// the same rate with runs that last 10 minutes on average has about
    /// 1e6 / 86,400 x 600 = 6,944 in flight and passes; with runs of 4 days
    /// about 4e6, and is refused.
    #[test]
    fn the_bound_is_per_cycle_with_the_runs_still_in_flight() {
        let load = |duration: &str| {
            scenario_with(
                "1",
                "per_day = 1e6",
                "cycle_days = 30\nmonths = 36",
                &format!("duration_seconds = {duration}"),
            )
        };
        // The guard passes them, and so does the engine's own compilation
        // (it builds the long horizon).
        for ok in ["1", "600"] {
            assert!(crate::engine::validate(&load(ok), 1).is_ok());
        }
        let e = refusal(&load("345600"), 1);
        assert!(
            e.contains("4.000e6") && e.contains("in flight at once"),
            "{e}"
        );
    }

    /// Runs that all arrive in one hour of one weekday: 3e6 a Wednesday
    /// (1.2e7 in June 2026's four), in the hour from noon. Runs of an hour
    /// started in that hour are all still in flight at its end: 3e6 / 3,600
    /// per second x 3,600 s = 3e6, refused. The cycle's mean rate would say
    /// 1.2e7 / 2.592e6 s x 3,600 s = 16,667 and let it through. Runs of a
    /// minute at that peak are 50,000 in flight, and pass.
    #[test]
    fn runs_in_flight_are_bounded_at_the_busiest_hour_not_the_mean() {
        let peaky = |duration: &str| {
            let mut hours = ["0"; 24];
            hours[12] = "1";
            scenario_with(
                "1",
                &format!(
                    "per_day = 3e6, hours = [{}], weekdays = [\"wed\"]",
                    hours.join(", ")
                ),
                "months = 1",
                &format!("duration_seconds = {duration}"),
            )
        };
        let (busiest, _) = team_load(&peaky("3600"), 0, 0);
        assert!((busiest - 1.2e7).abs() < 1.0, "{busiest}");
        let e = refusal(&peaky("3600"), 1);
        assert!(e.contains("3.000e6") && e.contains("busiest hour"), "{e}");
        assert!(check_team_runs(&peaky("60"), 1).is_ok());
    }

    /// An agent flow `f` whose runs make `calls` model calls on average
    /// (Poisson), each with two tool calls to the MCP flow `b`, whose runs
    /// each make three model calls with one tool call to the MCP flow `c`:
    /// one run of `f` starts `2 calls` runs of `b` and `3 x 2 calls` of `c`.
    fn with_tool_flows(calls: f64) -> Scenario {
        let agent = |n: &str, tools: u32, to: &str| {
            format!(
                "[kinds.flows.agent]\nmodel = \"gpt-5-mini\"\ncalls = {n}\ntools_per_call = {tools}\ntools = [{{ name = \"{to}\", flow = \"{to}\" }}]"
            )
        };
        let flow = format!(
            "duration_seconds = 1\n{}\n[[kinds.flows]]\nname = \"b\"\ntrigger = \"mcp\"\nblocks = {{ logic = 1 }}\n{}\n[[kinds.flows]]\nname = \"c\"\ntrigger = \"mcp\"\nblocks = {{ http_request = 1 }}",
            agent(&format!("{{ dist = \"poisson\", mean = {calls} }}"), 2, "b"),
            agent("3", 1, "c"),
        );
        scenario_with("1", "per_day = 10", "", &flow)
    }

    #[test]
    fn mcp_flow_runs_count_per_run_and_in_the_cycle() {
        let s = with_tool_flows(5.0);
        let m = tool_runs_per_run(&s.kinds[0]);
        assert_eq!(m[0], vec![0.0, 10.0, 30.0]);
        assert_eq!(m[1], vec![0.0, 0.0, 3.0]);
        assert_eq!(nested_per_run(&s.kinds[0]), vec![40.0, 3.0, 0.0]);
        // 10 teams x 300 runs a cycle, each with its 40 tool runs.
        assert!((total_runs(&s, 1) - 10.0 * 300.0 * 41.0).abs() < 1e-6);
        assert!(check_team_runs(&s, 1).is_ok());
        // 1e5 calls: 8e5 tool runs per run pass, but 300 runs a cycle of
        // them start 2.4e8 runs, refused for the cycle.
        let e = refusal(&with_tool_flows(1e5), 1);
        assert!(
            e.contains("2.400e8") && e.contains("with the MCP-flow runs they start"),
            "{e}"
        );
        // 1e6 calls: 8e6 tool runs for one run, refused on its own.
        let e = refusal(&with_tool_flows(1e6), 1);
        assert!(
            e.starts_with("kinds.k.flows.f.agent:") && e.contains("8.000e6 MCP-flow runs"),
            "{e}"
        );
    }

    /// `kinds` kinds of one team each, over cycles of `days` days.
    fn kinds_over(kinds: usize, days: u32) -> Scenario {
        let kind = |i: usize| {
            format!(
                "[[kinds]]\nname = \"k{i}\"\nteams = 1\nplan = \"team\"\n  [[kinds.flows]]\n  name = \"f\"\n  trigger = \"api\"\n  arrivals = {{ poisson = {{ per_day = 1 }} }}\n"
            )
        };
        let text = format!(
            "name = \"g\"\n[calendar]\nstart = 2026-06-01T00:00:00Z\ncycle_days = {days}\n{}",
            (0..kinds).map(kind).collect::<String>()
        );
        crate::scenario::parse(&text, "g.toml".as_ref()).unwrap()
    }

    /// Per day of the cycle: a histogram of at most 116,736 bytes per kind
    /// and one for the population, and two batches of 256 tasks x 16 teams
    /// x 8 bytes = 65,536 bytes. Four kinds over 3,660 days: 3,660 x (5 x
    /// 116,736 + 65,536) = 2.38e9, under 4e9; ten kinds: 3,660 x (11 x
    /// 116,736 + 65,536) = 4.94e9, refused.
    #[test]
    fn per_day_statistics_of_long_cycles_and_many_kinds_are_bounded() {
        assert!(check_daily_memory(&kinds_over(4, 3660)).is_ok());
        let e = check_daily_memory(&kinds_over(10, 3660))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("calendar.cycle_days:") && e.contains("up to 4.9 GB"),
            "{e}"
        );
        assert!(check_daily_memory(&kinds_over(10, 30)).is_ok());
    }
}
