//! The fitted scenario as TOML: kinds, flows, arrivals, counts, durations,
//! each number with a comment saying what it was estimated from.

use super::arrivals::{self, DAY_NS};
use super::counts::{count_dist, num, Histogram};
use super::data::{self, FitData, NO_MODEL};
use super::{clean_name, FitOptions, KindRuns};
use crate::ledger::Overage;
use crate::pricing::{PriceBook, Trigger};
use crate::replay::format_time;
use crate::replay::log::NONE;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// What one flow of one kind did in the window.
#[derive(Default)]
struct FlowRuns {
    /// Top-level start times per team (index in the kind), sorted.
    starts: Vec<Vec<i64>>,
    /// Runs by trigger (top-level only).
    triggers: BTreeMap<&'static str, u64>,
    /// Every run's counts (top-level and nested), by slot.
    hist: [Histogram; 8],
    runs: u64,
    nested: u64,
    days: BTreeSet<i64>,
    teams: BTreeSet<u32>,
    create_models: BTreeMap<u16, u64>,
    agent_models: BTreeMap<u16, u64>,
    /// Runs of other flows this flow's agent called (flow id -> count).
    calls: BTreeMap<u32, u64>,
    /// Whether some run had more MCP tool calls than model calls.
    tools_exceed_calls: bool,
    /// Positive durations' logs and the count of zero durations.
    log_durations: Vec<f64>,
    zero_durations: u64,
}

/// The whole scenario text.
pub(super) fn scenario(
    data: &FitData,
    runs: &[u32],
    kinds: &[KindRuns],
    book: &PriceBook,
    opts: &FitOptions,
    (from, to): (i64, i64),
    forecast: i64,
) -> Result<String, String> {
    let table = &data.table;
    let mut t = String::new();
    let days = (to as f64 - from as f64) / DAY_NS as f64;
    let _ = writeln!(
        t,
        "# Fitted by `flowcast fit` from {} runs of {} teams, {} to {} ({days:.1} days).\n\
         # Every number says what it was estimated from; docs/fitting.md says how.\n\
         # Edit freely: it is an ordinary scenario (docs/scenarios.md).\n",
        runs.len(),
        kinds.iter().map(|k| k.teams.len()).sum::<usize>(),
        format_time(from),
        format_time(to)
    );
    let _ = writeln!(t, "name = \"fitted\"");
    let _ = writeln!(
        t,
        "description = \"Fitted to usage from {} to {}\"\n",
        &format_time(from)[..10],
        &format_time(to)[..10]
    );
    let _ = writeln!(
        t,
        "[simulation]\nseed = {}\ntrials = {}\n",
        opts.seed, opts.trials
    );
    let _ = writeln!(t, "[calendar]\nstart = \"{}\"", format_time(forecast));
    if let Some(d) = opts.billing.anchor.every_days() {
        let _ = writeln!(t, "cycle_days = {d}");
    }
    let _ = writeln!(t, "months = {}\n", opts.months);

    // The fit's prices (a `--prices` book, dated versions included), so the
    // forecast prices runs as the fit read them.
    let prices = crate::pricing::overrides_toml(book, "prices");
    if !prices.is_empty() {
        let _ = writeln!(
            t,
            "# The prices the fit read the log with (--prices), dated versions included.\n"
        );
        t.push_str(&prices);
    }
    // Plans the price book does not have, by allotment.
    let mut custom = BTreeSet::new();
    let plan_of = |credits: u64, overage_on: bool| -> Option<String> {
        book.plans
            .iter()
            .find(|p| p.credits == credits && (p.overage_allowed || !overage_on))
            .map(|p| p.name.clone())
    };
    for k in kinds {
        let on = k.terms.overage() != Overage::Off;
        if plan_of(k.terms.allotment(), on).is_none() {
            custom.insert(k.terms.allotment());
        }
    }
    for c in &custom {
        let _ = writeln!(
            t,
            "[prices.plans.custom-{c}]   # the plan file's allotment; no seat price is known\ncredits = {c}\noverage_allowed = true\nseat_price_usd = 0\n"
        );
    }

    // Runs by kind, flow.
    let mut kind_of_team = vec![usize::MAX; table.teams.len()];
    let mut index_in_kind = vec![0usize; table.teams.len()];
    for (ki, k) in kinds.iter().enumerate() {
        for (i, &tm) in k.teams.iter().enumerate() {
            kind_of_team[tm as usize] = ki;
            index_in_kind[tm as usize] = i;
        }
    }
    let mut flows: Vec<BTreeMap<u32, FlowRuns>> =
        (0..kinds.len()).map(|_| BTreeMap::new()).collect();
    for &ri in runs {
        let r = &table.runs[ri as usize];
        let ki = kind_of_team[r.team as usize];
        let f = flows[ki].entry(r.flow).or_default();
        let u = &data.usage[ri as usize];
        f.runs += 1;
        f.days.insert(r.start.div_euclid(DAY_NS));
        f.teams.insert(r.team);
        for (slot, h) in f.hist.iter_mut().enumerate() {
            *h.entry(u64::from(u.counts[slot])).or_insert(0) += 1;
        }
        if u.create_model != NO_MODEL {
            *f.create_models.entry(u.create_model).or_insert(0) += 1;
        }
        if u.agent_model != NO_MODEL {
            *f.agent_models.entry(u.agent_model).or_insert(0) += 1;
        }
        if u.counts[data::MCP_TOOLS] > u.counts[data::AGENT_CALLS] {
            f.tools_exceed_calls = true;
        }
        if r.parent == NONE {
            let teams = kinds[ki].teams.len();
            f.starts.resize_with(teams, Vec::new);
            f.starts[index_in_kind[r.team as usize]].push(r.start);
            *f.triggers.entry(r.trigger.name()).or_insert(0) += 1;
            let d = (r.end - r.start) as f64 / 1e9;
            if d > 0.0 {
                f.log_durations.push(d.ln());
            } else {
                f.zero_durations += 1;
            }
        } else {
            f.nested += 1;
        }
    }
    // Who called whom.
    for &ri in runs {
        let r = &table.runs[ri as usize];
        if r.parent != NONE {
            let p = &table.runs[r.parent as usize];
            let ki = kind_of_team[r.team as usize];
            if let Some(pf) = flows[ki].get_mut(&p.flow) {
                *pf.calls.entry(r.flow).or_insert(0) += 1;
            }
        }
    }

    for (ki, k) in kinds.iter().enumerate() {
        let kf = &mut flows[ki];
        for f in kf.values_mut() {
            f.starts.resize_with(k.teams.len(), Vec::new);
            for s in &mut f.starts {
                s.sort_unstable();
            }
        }
        write_kind(&mut t, table, k, kf, book, (from, to), forecast, &plan_of)?;
    }
    Ok(t)
}

#[allow(clippy::too_many_arguments)]
fn write_kind(
    t: &mut String,
    table: &crate::replay::log::RunTable,
    k: &KindRuns,
    flows: &BTreeMap<u32, FlowRuns>,
    book: &PriceBook,
    (from, to): (i64, i64),
    forecast: i64,
    plan_of: &dyn Fn(u64, bool) -> Option<String>,
) -> Result<(), String> {
    let on = k.terms.overage() != Overage::Off;
    let plan = plan_of(k.terms.allotment(), on)
        .unwrap_or_else(|| format!("custom-{}", k.terms.allotment()));
    let _ = writeln!(t, "[[kinds]]\nname = \"{}\"", k.name);
    let _ = writeln!(t, "teams = {}   # teams in the log", k.teams.len());
    let _ = writeln!(
        t,
        "plan = \"{plan}\"   # {} credits a month, from the plan terms",
        k.terms.allotment()
    );
    if on {
        let _ = writeln!(
            t,
            "overage = \"on\"\noverage_price = {}   # ASSUMPTION: from the plan terms; the source publishes no overage price",
            num(k.terms.block_price())
        );
    } else {
        let _ = writeln!(t, "overage = \"off\"");
    }

    // Fit every flow first: the size spread needs the Poisson flows.
    let mut fitted = Vec::new();
    let mut poisson_runs = vec![0u64; k.teams.len()];
    // The fitted rates' own uncertainty, run-weighted over the Poisson flows.
    let (mut var_sum, mut var_weight) = (0.0, 0.0);
    for (&fid, f) in flows {
        let name = table.flows.get_str(fid);
        if f.runs < 2 {
            return Err(format!(
                "flow '{name}' of kind '{}' has a single run in the fitting window: too little to fit (fit a longer history, or drop that flow from the log)",
                k.name
            ));
        }
        let top: u64 = f.starts.iter().map(|s| s.len() as u64).sum();
        let arr = if top >= 2 {
            Some(arrivals::fit(&f.starts, from, to, forecast))
        } else {
            None
        };
        if let Some(a) = &arr {
            if a.poisson {
                for (i, s) in f.starts.iter().enumerate() {
                    poisson_runs[i] += s.len() as u64;
                }
                if a.log_rate_var.is_finite() {
                    var_sum += a.log_rate_var * top as f64;
                    var_weight += top as f64;
                }
            }
        }
        fitted.push((fid, name, arr));
    }
    // Team-to-team spread (method of moments on the teams' Poisson runs:
    // Var N = m + m^2 s^2 for a mean-1 multiplier with variance s^2) plus the
    // estimate's own uncertainty (relative variance 1 / runs).
    let n = poisson_runs.len() as f64;
    let total: u64 = poisson_runs.iter().sum();
    if total > 0 {
        let m = total as f64 / n;
        let var = if n > 1.0 {
            poisson_runs
                .iter()
                .map(|&x| (x as f64 - m).powi(2))
                .sum::<f64>()
                / (n - 1.0)
        } else {
            0.0
        };
        let spread = ((var - m) / (m * m)).max(0.0);
        let param = if var_weight > 0.0 {
            (var_sum / var_weight).exp_m1()
        } else {
            1.0 / (total as f64 + 0.5)
        };
        let sigma = (1.0 + spread + param).ln().sqrt();
        let _ = writeln!(
            t,
            "# size: team-to-team spread {:.3} (variance of a mean-1 multiplier, from the {} teams' {total} Poisson runs) plus the fitted rates' own uncertainty {:.4} (trend extrapolation included)",
            spread,
            k.teams.len(),
            param
        );
        let _ = writeln!(
            t,
            "size = {{ dist = \"lognormal\", mu = {}, sigma = {} }}",
            num(-sigma * sigma / 2.0),
            num(sigma)
        );
    }
    let _ = writeln!(t);

    let flow_name = |fid: u32| clean_name(&table.flows.get_str(fid));
    for (fid, name, arr) in &fitted {
        let f = &flows[fid];
        let clean = flow_name(*fid);
        let called = flows.values().any(|g| g.calls.contains_key(fid));
        let trigger = if arr.is_none() || called {
            Trigger::Mcp.name()
        } else {
            f.triggers
                .iter()
                .max_by_key(|(_, c)| **c)
                .map_or("api", |(n, _)| *n)
        };
        if called && f.triggers.keys().any(|tr| *tr != "mcp") {
            return Err(format!(
                "flow '{name}' of kind '{}' runs both as an MCP tool and on its own with trigger '{}': a scenario flow has one trigger (rename one of them in the log)",
                k.name,
                f.triggers.keys().next().copied().unwrap_or("?")
            ));
        }
        let _ = writeln!(t, "  [[kinds.flows]]\n  name = \"{clean}\"");
        let _ = writeln!(
            t,
            "  # from {} runs ({} as an MCP tool) on {} days, {} team(s)",
            f.runs,
            f.nested,
            f.days.len(),
            f.teams.len()
        );
        let _ = writeln!(t, "  trigger = \"{trigger}\"");
        if let Some(a) = arr {
            for note in &a.notes {
                let _ = writeln!(t, "  # {note}");
            }
            let _ = writeln!(t, "  arrivals = {}", a.toml);
        }
        // Durations: lognormal by the moments of the logs.
        let nd = f.log_durations.len();
        if nd == 0 {
            if arr.is_some() {
                let _ = writeln!(t, "  duration_seconds = 0   # every run took no time");
            }
        } else {
            let mu = f.log_durations.iter().sum::<f64>() / nd as f64;
            let var = if nd > 1 {
                f.log_durations
                    .iter()
                    .map(|x| (x - mu).powi(2))
                    .sum::<f64>()
                    / (nd - 1) as f64
            } else {
                0.0
            };
            let _ = writeln!(
                t,
                "  duration_seconds = {{ dist = \"lognormal\", median = {}, sigma = {} }}   # from {nd} durations{}",
                num(mu.exp()),
                num(var.sqrt()),
                if f.zero_durations > 0 {
                    format!(" ({} zero-length runs left out)", f.zero_durations)
                } else {
                    String::new()
                }
            );
        }
        let blocks: Vec<String> = [
            ("http_request", data::HTTP),
            ("logic", data::LOGIC),
            ("ai_request", data::AI_REQUEST),
            ("connector", data::CONNECTOR),
        ]
        .iter()
        .filter(|(_, slot)| f.hist[*slot].keys().any(|v| *v > 0))
        .map(|(key, slot)| format!("{key} = {}", count_dist(&f.hist[*slot])))
        .collect();
        if !blocks.is_empty() {
            let _ = writeln!(
                t,
                "  # block counts per run: their distribution over the {} runs",
                f.runs
            );
            let _ = writeln!(t, "  blocks = {{ {} }}", blocks.join(", "));
        }
        if let Some((&m, _)) = f.create_models.iter().max_by_key(|(_, c)| **c) {
            let model = &book.create_with_ai[m as usize].name;
            let _ = writeln!(
                t,
                "  create_with_ai = {{ model = \"{model}\", prompts = {}, images = {} }}   # {} of {} runs used model {model}",
                count_dist(&f.hist[data::PROMPTS]),
                count_dist(&f.hist[data::IMAGES]),
                f.create_models.get(&m).copied().unwrap_or(0),
                f.runs
            );
        }
        if let Some((&m, _)) = f.agent_models.iter().max_by_key(|(_, c)| **c) {
            let model = &book.agent_call[m as usize].name;
            let calls: u64 = f.hist[data::AGENT_CALLS].iter().map(|(v, c)| v * c).sum();
            let tools: u64 = f.hist[data::MCP_TOOLS].iter().map(|(v, c)| v * c).sum();
            let per_call = if calls > 0 {
                tools as f64 / calls as f64
            } else {
                0.0
            };
            let tpc = if !f.tools_exceed_calls && per_call <= 1.0 {
                format!("{{ dist = \"bernoulli\", p = {} }}", num(per_call))
            } else {
                format!("{{ dist = \"poisson\", mean = {} }}", num(per_call))
            };
            let _ = writeln!(
                t,
                "  [kinds.flows.agent]   # {calls} model calls and {tools} MCP tool calls in {} runs",
                f.runs
            );
            let _ = writeln!(t, "  model = \"{model}\"");
            let _ = writeln!(t, "  calls = {}", count_dist(&f.hist[data::AGENT_CALLS]));
            let _ = writeln!(
                t,
                "  tools_per_call = {tpc}   # MCP tool calls per model call"
            );
            let flow_calls: u64 = f.calls.values().sum();
            let mut tools_toml: Vec<String> = f
                .calls
                .iter()
                .map(|(cf, n)| {
                    let c = flow_name(*cf);
                    format!("{{ name = \"{c}\", weight = {n}, flow = \"{c}\" }}")
                })
                .collect();
            if tools > flow_calls || tools_toml.is_empty() {
                tools_toml.push(format!(
                    "{{ name = \"other-mcp-tools\", weight = {} }}",
                    tools.saturating_sub(flow_calls).max(1)
                ));
            }
            let _ = writeln!(
                t,
                "  # tools by how often they were called ({flow_calls} of the {tools} calls ran an MCP flow)"
            );
            let _ = writeln!(t, "  tools = [ {} ]", tools_toml.join(", "));
        }
        let _ = writeln!(t);
    }
    Ok(())
}
