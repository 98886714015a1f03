//! Closed-form expected values of a scenario, no simulation: how many runs
//! each flow makes per team and billing cycle, what one run costs on
//! average, and what a team's demand is against its plan's allotment.
//!
//! Expected credits of a run come from the distributions' means and the
//! price book (the same unit prices [`PriceBook::charge`] uses):
//! `E[credits] = base + sum E[count] x unit price`, and for an AI Agent
//! `E[calls] x call price + E[calls] x E[tools per call] x (MCP tool price +
//! sum over tools of weight share x E[credits of the tool's MCP flow run])`
//! (Wald's identity: the tool calls of each model call are independent of
//! the number of calls).
//!
//! Demand is what the teams would use with no limit: suspension is not
//! modelled here (the Monte Carlo `run` does that).

use super::dist::trim;
use super::model::*;
use crate::pricing::{Item, PriceBook, PriceVersion, Source, Trigger, N_SOURCES};
use chrono::{DateTime, Datelike, Duration, Months, Timelike, Utc};
use std::fmt::Write as _;

/// Expected values for one flow of one kind, per team and (first) cycle.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowExpectation {
    /// Flow name.
    pub name: String,
    /// Expected runs from the flow's own arrivals per team and cycle
    /// (including the mean size multiplier and the usage multiplier).
    pub runs: f64,
    /// Expected runs as an MCP tool of other flows of the kind.
    pub runs_as_tool: f64,
    /// Expected credits of one run, nested MCP-flow runs included.
    pub credits_per_run: f64,
    /// `credits_per_run` by [`Source`] (indexed by `Source as usize`).
    pub by_source: [f64; N_SOURCES],
    /// Expected credits per team and cycle from the flow's own runs
    /// (`runs x credits_per_run`; tool runs are counted in their parents).
    pub credits: f64,
}

/// Expected values for one team kind.
#[derive(Clone, Debug, PartialEq)]
pub struct KindExpectation {
    /// Kind name.
    pub name: String,
    /// The flows, in file order.
    pub flows: Vec<FlowExpectation>,
    /// Expected credit demand per team and cycle (sum over flows).
    pub credits: f64,
    /// The plan's allotment per team and cycle.
    pub allotment: u64,
}

/// Billing cycle `i` (0-based): `[start, end)`.
pub fn cycle_bounds(c: &Calendar, i: u32) -> (DateTime<Utc>, DateTime<Utc>) {
    let at = |n: u32| match c.cycle_days {
        Some(d) => c.start + Duration::days(i64::from(d) * i64::from(n)),
        None => c
            .start
            .checked_add_months(Months::new(n))
            .unwrap_or(c.start + Duration::days(30 * i64::from(n))),
    };
    (at(i), at(i + 1))
}

/// The first billing cycle: `[start, end)`.
pub fn first_cycle(c: &Calendar) -> (DateTime<Utc>, DateTime<Utc>) {
    cycle_bounds(c, 0)
}

/// The simulated horizon `[start, end)`: the first cycle's start to the
/// last cycle's end.
pub fn horizon(c: &Calendar) -> (DateTime<Utc>, DateTime<Utc>) {
    let (start, _) = cycle_bounds(c, 0);
    let (_, end) = cycle_bounds(c, c.months.saturating_sub(1));
    (start, end)
}

/// The simulated horizon `[start, end)` in ns since the Unix epoch (`None`
/// outside the years 1677 to 2262 that nanoseconds reach).
pub fn horizon_ns(c: &Calendar) -> Option<(i64, i64)> {
    let (start, end) = horizon(c);
    Some((start.timestamp_nanos_opt()?, end.timestamp_nanos_opt()?))
}

/// The applied price versions in force at some instant of the horizon.
fn versions_in_horizon(s: &Scenario) -> Vec<&PriceVersion> {
    horizon_ns(&s.calendar)
        .map(|(from, to)| s.prices.versions_used(from, to))
        .unwrap_or_default()
}

/// The applied price versions in force at some instant of the horizon, one
/// line each ([`crate::pricing::PriceVersion::describe`]).
pub fn price_versions_used(s: &Scenario) -> Vec<String> {
    versions_in_horizon(s)
        .iter()
        .map(|v| v.describe(&s.prices))
        .collect()
}

/// Which prices a result used, in words: the source, and the dated versions
/// in force over the horizon.
pub fn prices_text(s: &Scenario) -> String {
    let used: Vec<String> = versions_in_horizon(s)
        .iter()
        .map(|v| format!("'{}' {}", v.name, v.span()))
        .collect();
    if used.is_empty() {
        return s.prices.source.clone();
    }
    format!(
        "{}, with dated price versions {} (see the assumptions)",
        s.prices.source,
        used.join(", ")
    )
}

/// Expected credits of one run of flow `flow` of `kind`, by source, nested
/// MCP-flow runs included.
pub fn expected_credits_by_source(
    prices: &PriceBook,
    kind: &TeamKind,
    flow: usize,
) -> [f64; N_SOURCES] {
    // The validator guarantees MCP flows form no cycle, so plain recursion
    // ends; the depth guard keeps a hand-built model from looping.
    credits_rec(prices, kind, flow, kind.flows.len() + 1)
}

/// Expected credits of one run of flow `flow` of `kind` (total).
pub fn expected_credits_per_run(prices: &PriceBook, kind: &TeamKind, flow: usize) -> f64 {
    expected_credits_by_source(prices, kind, flow).iter().sum()
}

fn credits_rec(prices: &PriceBook, kind: &TeamKind, flow: usize, depth: usize) -> [f64; N_SOURCES] {
    let mut out = [0.0; N_SOURCES];
    let Some(f) = kind.flows.get(flow) else {
        return out;
    };
    if depth == 0 {
        return out;
    }
    let t = f.trigger;
    let unit = |item: Item| prices.unit_price(t, item).map_or(0.0, |(_, u)| u as f64);
    let mut add = |s: Source, x: f64| out[s as usize] += x;
    add(Source::RunBase, prices.charge(t, &[]).total as f64);
    let r = &f.run;
    add(
        Source::HttpRequest,
        r.http_request.mean() * unit(Item::HttpRequest),
    );
    add(Source::Logic, r.logic.mean() * unit(Item::Logic));
    add(
        Source::AiRequest,
        r.ai_request.mean() * unit(Item::AiRequest),
    );
    add(
        Source::Connector,
        r.connector.mean() * unit(Item::Connector),
    );
    if let Some(c) = &r.create_with_ai {
        add(
            Source::CreateWithAi,
            c.prompts.mean() * unit(Item::CreateWithAi(c.model)),
        );
        add(Source::Image, c.images.mean() * unit(Item::Image));
    }
    if let Some(a) = &r.agent {
        let calls = a.calls.mean();
        let tool_calls = calls * a.tools_per_call.mean();
        add(Source::AgentCall, calls * unit(Item::AgentCall(a.model)));
        add(Source::McpTool, tool_calls * unit(Item::McpTool));
        let total_w: f64 = a.tools.iter().map(|t| t.weight).sum();
        if total_w > 0.0 {
            for tool in &a.tools {
                if let Some(j) = tool.flow {
                    let share = tool_calls * tool.weight / total_w;
                    let nested = credits_rec(prices, kind, j, depth - 1);
                    for (o, n) in out.iter_mut().zip(nested) {
                        *o += share * n;
                    }
                }
            }
        }
    }
    out
}

/// Expected runs per team of a flow's own arrivals in the first cycle
/// (before any suspension), with the kind's mean size and the scenario's
/// usage multiplier. Overlapping bursts compound, as in the simulator.
pub fn expected_runs_per_team_cycle(s: &Scenario, kind: &TeamKind, flow: usize) -> f64 {
    expected_runs_in_cycle(s, kind, flow, 0)
}

/// Like [`expected_runs_per_team_cycle`], for billing cycle `cycle` (0-based;
/// growth counts from the start of the first cycle).
pub fn expected_runs_in_cycle(s: &Scenario, kind: &TeamKind, flow: usize, cycle: u32) -> f64 {
    let (start, end) = cycle_bounds(&s.calendar, cycle);
    expected_runs_between(s, kind, flow, start, end)
}

/// Expected credits per team demanded in billing cycle `cycle` (before any
/// suspension), each run at the prices in force at its start: the cycle cut
/// at the dated price versions, each piece's expected runs times its
/// expected credits per run (nested MCP-flow runs included).
pub fn expected_credits_in_cycle(s: &Scenario, kind: &TeamKind, cycle: u32) -> f64 {
    let (start, end) = cycle_bounds(&s.calendar, cycle);
    let ns = |t: DateTime<Utc>| t.timestamp_nanos_opt();
    let pieces = match (ns(start), ns(end)) {
        (Some(a), Some(b)) if s.prices.is_versioned() => s.prices.pieces(a, b),
        _ => vec![crate::pricing::PricePiece {
            start: ns(start).unwrap_or(0),
            version: None,
        }],
    };
    let mut total = 0.0;
    for (i, p) in pieces.iter().enumerate() {
        let book = p
            .version
            .map_or(&s.prices, |v| &s.prices.versions[v].prices);
        let a = if i == 0 {
            start
        } else {
            DateTime::from_timestamp_nanos(p.start)
        };
        let b = pieces
            .get(i + 1)
            .map_or(end, |q| DateTime::from_timestamp_nanos(q.start));
        for f in 0..kind.flows.len() {
            total +=
                expected_runs_between(s, kind, f, a, b) * expected_credits_per_run(book, kind, f);
        }
    }
    total
}

/// Expected runs per team of a flow's own arrivals in `[start, end)`.
fn expected_runs_between(
    s: &Scenario,
    kind: &TeamKind,
    flow: usize,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> f64 {
    let Some(f) = kind.flows.get(flow) else {
        return 0.0;
    };
    match &f.arrivals {
        Arrivals::OnlyAsMcpTool => 0.0,
        Arrivals::Schedule {
            every_seconds,
            offset_seconds,
            days,
        } => schedule_runs(start, end, *every_seconds, *offset_seconds, days),
        Arrivals::Poisson {
            per_day,
            hour_weights,
            weekday_weights,
            growth_per_month,
            bursts,
        } => {
            let profile = |a, b| {
                poisson_profile_days(
                    s.calendar.start,
                    a,
                    b,
                    hour_weights,
                    weekday_weights,
                    *growth_per_month,
                )
            };
            let days = match bursts {
                None => profile(start, end),
                Some(b) => bursty_profile_days(s.calendar.start, start, end, b, profile),
            };
            per_day * s.usage_multiplier * kind.size.mean() * days
        }
    }
}

/// Scheduled instants in `[start, end)`: on each UTC day whose weekday is
/// on, at `offset + j x every` for every j with that time before midnight.
fn schedule_runs(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    every: f64,
    offset: f64,
    days: &[bool; 7],
) -> f64 {
    let per_day = ((86_400.0 - offset) / every).ceil().max(0.0);
    let mut n = 0.0;
    let mut day = start.date_naive();
    while let Some(midnight) = day.and_hms_opt(0, 0, 0).map(|m| m.and_utc()) {
        if midnight >= end {
            break;
        }
        if days[day.weekday().num_days_from_monday() as usize] {
            let lo = (start - midnight).num_milliseconds() as f64 / 1000.0;
            let hi = (end - midnight).num_milliseconds() as f64 / 1000.0;
            // Instants offset + j*every within [lo, hi) and [0, 86400).
            let first = ((lo - offset) / every).ceil().max(0.0);
            let last_excl = ((hi - offset) / every).ceil().min(per_day);
            n += (last_excl - first).max(0.0);
        }
        match day.succ_opt() {
            Some(d) => day = d,
            None => break,
        }
    }
    n
}

/// The integral over `[start, end)`, in days, of hour weight x weekday
/// weight x growth (counted from `origin`): the expected runs of a rate of
/// one run per day.
fn poisson_profile_days(
    origin: DateTime<Utc>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    hours: &[f64; 24],
    weekdays: &[f64; 7],
    growth: f64,
) -> f64 {
    let month = 30.0 * 86_400.0;
    let ln_g = (1.0 + growth).ln();
    let mut total = 0.0;
    let mut t = start;
    while t < end {
        let into_hour = i64::from(t.minute() * 60 + t.second());
        let next = (t + Duration::seconds(3600 - into_hour)).min(end);
        let w = hours[t.hour() as usize] * weekdays[t.weekday().num_days_from_monday() as usize];
        let a = (t - origin).num_seconds() as f64;
        let b = (next - origin).num_seconds() as f64;
        // Integral of (1+g)^(x / month) over [a, b], in seconds.
        let g_int = if ln_g.abs() < 1e-12 {
            b - a
        } else {
            month / ln_g * ((ln_g * b / month).exp() - (ln_g * a / month).exp())
        };
        total += w * g_int / 86_400.0;
        t = next;
    }
    total
}

/// The profile's days over `[start, end)` with bursts, as the simulator
/// draws them: burst starts form a Poisson process of `per_month` per 30
/// days from the first cycle's start (`origin`) on (the simulator draws a
/// Poisson number per cycle, each uniform in its cycle: the same process),
/// each lasting a drawn duration D and multiplying the rate while active, so
/// overlapping bursts compound (`multiplier^(bursts active)`). The number
/// active at t is Poisson with mean mu(t) = rho E[min(D, t - origin)], and
/// E[multiplier^N] = exp(mu(t) (multiplier - 1)): the profile is weighted by
/// that, integrated in 15-minute steps (midpoint). E[min(D, x)] is exact for
/// a constant duration, and taken from 4,096 draws (a fixed stream) for a
/// random one.
fn bursty_profile_days(
    origin: DateTime<Utc>,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    b: &Bursts,
    profile: impl Fn(DateTime<Utc>, DateTime<Utc>) -> f64,
) -> f64 {
    const STEP_SECONDS: i64 = 900;
    let durations = burst_durations(&b.duration_hours);
    let mut total = 0.0;
    let mut t = start;
    while t < end {
        let next = (t + Duration::seconds(STEP_SECONDS)).min(end);
        let mid = ((t - origin).num_seconds() + (next - origin).num_seconds()) as f64 / 2.0;
        total += profile(t, next) * burst_weight(b, durations.mean_min(mid));
        t = next;
    }
    total
}

/// The expected rate multiplier of bursts `b` at an instant where each
/// burst started so far has been active `active_seconds` on average
/// (`E[min(D, t - origin)]`): `E[m^N] = exp(rho active (m - 1))` for the
/// multiplier `m`, the weighting of the expected runs with bursts. With the
/// mean duration it is the largest the weighting reaches.
pub fn burst_weight(b: &Bursts, active_seconds: f64) -> f64 {
    let rho = b.per_month / (30.0 * 86_400.0);
    (rho * active_seconds * (b.multiplier - 1.0)).exp()
}

/// Burst durations (seconds), sorted, with prefix sums: E[min(D, x)].
struct Durations {
    sorted: Vec<f64>,
    prefix: Vec<f64>,
}

impl Durations {
    /// E[min(D, x)], seconds.
    fn mean_min(&self, x: f64) -> f64 {
        let n = self.sorted.len() as f64;
        let below = self.sorted.partition_point(|&d| d < x);
        (self.prefix[below] + x * (self.sorted.len() - below) as f64) / n
    }
}

fn burst_durations(hours: &Dist) -> Durations {
    use rand::SeedableRng;
    let mut sorted: Vec<f64> = match hours {
        Dist::Constant(h) => vec![h.max(0.0) * 3600.0],
        other => match crate::workload::sampling::Sampler::new(other) {
            Ok(sampler) => {
                let mut rng = crate::workload::sampling::SimRng::seed_from_u64(0x0B0B_5EED);
                (0..4096)
                    .map(|_| sampler.sample(&mut rng).max(0.0) * 3600.0)
                    .collect()
            }
            Err(_) => vec![other.mean().max(0.0) * 3600.0],
        },
    };
    sorted.sort_by(f64::total_cmp);
    let mut prefix = Vec::with_capacity(sorted.len() + 1);
    prefix.push(0.0);
    for d in &sorted {
        prefix.push(prefix.last().copied().unwrap_or(0.0) + d);
    }
    Durations { sorted, prefix }
}

/// `m[i][j]`: the expected runs of flow `j` that one run of flow `i` starts
/// as MCP tools, directly or through the tool flows it calls (an AI Agent's
/// calls x tool calls per call x the tool's share of the weights). The tool
/// graph has no cycle (validated), so `n` rounds settle it.
pub fn tool_runs_per_run(k: &TeamKind) -> Vec<Vec<f64>> {
    let n = k.flows.len();
    let mut m = vec![vec![0.0; n]; n];
    for _ in 0..n {
        let mut next = vec![vec![0.0; n]; n];
        for (i, f) in k.flows.iter().enumerate() {
            let Some(a) = &f.run.agent else { continue };
            let w: f64 = a.tools.iter().map(|t| t.weight).sum();
            if w <= 0.0 {
                continue;
            }
            let calls = a.calls.mean() * a.tools_per_call.mean();
            for t in &a.tools {
                let Some(j) = t.flow else { continue };
                let runs = calls * t.weight / w;
                next[i][j] += runs;
                for (x, below) in next[i].iter_mut().zip(&m[j]) {
                    *x += runs * below;
                }
            }
        }
        m = next;
    }
    m
}

/// Expected values for every kind and flow (first cycle), at the prices in
/// force at the calendar's start.
pub fn expectations(s: &Scenario) -> Vec<KindExpectation> {
    let start = s.calendar.start.timestamp_nanos_opt().unwrap_or(0);
    expectations_at(s, s.prices.at(start))
}

/// Expected values for every kind and flow (first cycle), at `prices` (one
/// version of the scenario's price book).
pub fn expectations_at(s: &Scenario, prices: &PriceBook) -> Vec<KindExpectation> {
    s.kinds
        .iter()
        .map(|k| {
            let n = k.flows.len();
            let own: Vec<f64> = (0..n)
                .map(|i| expected_runs_per_team_cycle(s, k, i))
                .collect();
            // Runs as a tool: each flow's own runs times the tool runs one
            // of them starts.
            let per_run = tool_runs_per_run(k);
            let total: Vec<f64> = (0..n)
                .map(|j| own[j] + (0..n).map(|i| own[i] * per_run[i][j]).sum::<f64>())
                .collect();
            let flows: Vec<FlowExpectation> = k
                .flows
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    let by_source = expected_credits_by_source(prices, k, i);
                    let credits_per_run: f64 = by_source.iter().sum();
                    FlowExpectation {
                        name: f.name.clone(),
                        runs: own[i],
                        runs_as_tool: total[i] - own[i],
                        credits_per_run,
                        by_source,
                        credits: own[i] * credits_per_run,
                    }
                })
                .collect();
            KindExpectation {
                name: k.name.clone(),
                credits: flows.iter().map(|f| f.credits).sum(),
                flows,
                allotment: k.plan.credits,
            }
        })
        .collect()
}

fn arrivals_text(a: &Arrivals) -> String {
    match a {
        Arrivals::OnlyAsMcpTool => "only as an MCP tool".to_string(),
        Arrivals::Schedule {
            every_seconds,
            offset_seconds,
            days,
        } => {
            let off = *offset_seconds as u64;
            format!(
                "every {} from {:02}:{:02} UTC, {}",
                interval_text(*every_seconds),
                off / 3600,
                off % 3600 / 60,
                days_text(&days.map(|d| if d { 1.0 } else { 0.0 }))
            )
        }
        Arrivals::Poisson {
            per_day,
            hour_weights,
            weekday_weights,
            growth_per_month,
            bursts,
        } => {
            let mut t = format!("Poisson, {per_day}/day x size");
            if hour_weights.iter().any(|&w| (w - 1.0).abs() > 1e-12) {
                t.push_str(", by hour of day");
            }
            t.push_str(&format!(", {}", days_text(weekday_weights)));
            if *growth_per_month != 0.0 {
                t.push_str(&format!(", growth {:+}%/month", growth_per_month * 100.0));
            }
            if let Some(b) = bursts {
                t.push_str(&format!(
                    ", {} bursts/month of {} h at x{}",
                    b.per_month,
                    b.duration_hours.describe(),
                    b.multiplier
                ));
            }
            t
        }
    }
}

fn interval_text(secs: f64) -> String {
    for (unit, len) in [("d", 86_400.0), ("h", 3600.0), ("m", 60.0)] {
        if secs >= len && (secs / len).fract() == 0.0 {
            return format!("{}{unit}", secs / len);
        }
    }
    format!("{secs}s")
}

fn days_text(w: &[f64; 7]) -> String {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    if w.iter().all(|&x| x == 1.0) {
        return "every day".to_string();
    }
    if w.iter().all(|&x| x == 0.0 || x == 1.0) {
        let on: Vec<&str> = NAMES
            .iter()
            .zip(w)
            .filter(|(_, &x)| x == 1.0)
            .map(|(n, _)| *n)
            .collect();
        return on.join("/");
    }
    let parts: Vec<String> = NAMES
        .iter()
        .zip(w)
        .map(|(n, x)| format!("{n} x{x}"))
        .collect();
    parts.join(" ")
}

fn overage_text(k: &TeamKind, block_credits: u64) -> String {
    let block = crate::numbers::group_digits(&block_credits.to_string());
    let price = k
        .overage_price
        .map(|p| format!(" at ${p:.2} per {block}-credit block (ASSUMPTION: not published)"))
        .unwrap_or_default();
    match &k.overage {
        OveragePolicy::Off => "overage off (suspended at the limit)".to_string(),
        OveragePolicy::On => format!("overage on{price}"),
        OveragePolicy::AfterSuspension { delay_hours } => format!(
            "overage switched on {} h after a suspension{price}",
            delay_hours.describe()
        ),
    }
}

/// One reaction at the cap of kind `k`, in words (for `check`, the report
/// and the result's assumptions).
pub fn reaction_text(k: &TeamKind, prices: &PriceBook, r: &crate::scenario::Reaction) -> String {
    let nth = match r.after_limits {
        1 => "first".to_string(),
        2 => "2nd".to_string(),
        3 => "3rd".to_string(),
        n => format!("{n}th"),
    };
    let when = format!(
        "{} h after the limit is reached in its {nth} cycle at the limit",
        r.delay_hours.describe()
    );
    let flow = |f: usize| k.flows.get(f).map_or("?", |f| f.name.as_str());
    match &r.effect {
        crate::scenario::Effect::Upgrade { plan } => {
            let noop = if plan.credits <= k.plan.credits {
                " (no effect: the kind's plan has as many credits)"
            } else {
                ""
            };
            format!(
                "upgrade to plan '{}' ({} credits, ${:.2} per seat), billed from the first cycle that starts {when}{noop}",
                plan.name, plan.credits, plan.seat_price_usd
            )
        }
        crate::scenario::Effect::Throttle { flow: f, factor } => format!(
            "throttle flow '{}' to {}% of its rate, {when}",
            flow(*f),
            factor * 100.0
        ),
        crate::scenario::Effect::SwitchModel {
            flow: f,
            block,
            model,
        } => {
            let (what, table) = match block {
                crate::scenario::ModelBlock::CreateWithAi => {
                    ("Create with AI", &prices.create_with_ai)
                }
                crate::scenario::ModelBlock::Agent => ("AI Agent", &prices.agent_call),
            };
            let m = table.get(model.0 as usize);
            format!(
                "switch flow '{}' ({what}) to model '{}' ({} credits per call), {when}",
                flow(*f),
                m.map_or("?", |m| m.name.as_str()),
                m.map_or(0, |m| m.credits)
            )
        }
    }
}

/// A readable summary of `s`: per kind and flow, expected runs, credits per
/// run (with where they come from) and credits per team and cycle, against
/// the plan's allotment. For engineers asking "what does one run of my flow
/// cost?" before simulating anything.
pub fn describe(s: &Scenario) -> String {
    let mut o = String::new();
    let (start, end) = first_cycle(&s.calendar);
    let cycle = match s.calendar.cycle_days {
        Some(d) => format!("{d}-day cycles"),
        None => "calendar-month cycles".to_string(),
    };
    let _ = writeln!(o, "Scenario '{}': {}", s.name, s.description);
    let _ = writeln!(
        o,
        "Calendar: {} cycle(s), {cycle}; first cycle {} to {}",
        s.calendar.months,
        start.to_rfc3339(),
        end.to_rfc3339()
    );
    let _ = writeln!(
        o,
        "Simulation: {} trials, seed {}; usage multiplier {}",
        s.trials, s.seed, s.usage_multiplier
    );
    let _ = writeln!(o, "Prices: {}", s.prices.source);
    let versions = versions_in_horizon(s);
    if !versions.is_empty() {
        let _ = writeln!(
            o,
            "  dated versions in force (each run priced by the version in force at its start; the prices above outside them):"
        );
        for v in &versions {
            let _ = writeln!(o, "  {}", v.describe(&s.prices));
        }
    }
    let resting: Vec<String> = s
        .prices
        .versions
        .iter()
        .filter(|v| !v.applied)
        .map(|v| format!("'{}' ({}, {})", v.name, v.label, v.span()))
        .collect();
    if !resting.is_empty() {
        let _ = writeln!(
            o,
            "  not applied: {} (switch one on with [prices.versions.NAME] applied = true)",
            resting.join("; ")
        );
    }
    if s.has_shocks() {
        let _ = writeln!(
            o,
            "Shared shocks: monthly factors joined by a rank correlation of {} across kinds",
            s.shocks.correlation
        );
        for e in &s.shocks.events {
            let hit: Vec<&str> = s
                .kinds
                .iter()
                .zip(&e.kinds)
                .filter(|(_, h)| **h)
                .map(|(k, _)| k.name.as_str())
                .collect();
            let _ = writeln!(
                o,
                "  event '{}': {} per 30 days, rates x{} for {} h, on {} (not in the expectations below)",
                e.name,
                e.per_month,
                e.multiplier,
                e.duration_hours.describe(),
                hit.join(", ")
            );
        }
    }
    let _ = writeln!(
        o,
        "Expected values in closed form, per team, for the first cycle unless said, before any suspension."
    );
    for (k, e) in s.kinds.iter().zip(expectations(s)) {
        let _ = writeln!(o);
        let _ = writeln!(
            o,
            "Kind '{}': {} x {}, plan {} ({} credits per cycle), {}",
            k.name,
            crate::numbers::count(u64::from(k.teams), "team"),
            crate::numbers::count(u64::from(k.seats), "seat"),
            k.plan.name,
            k.plan.credits,
            overage_text(k, s.prices.block_credits)
        );
        let _ = writeln!(
            o,
            "  size multiplier: {}, mean {:.4}",
            k.size.describe(),
            k.size.mean()
        );
        if k.monthly_shock > 0.0 {
            let _ = writeln!(
                o,
                "  monthly shock: a factor shared by all its teams each cycle, lognormal(sigma {}), mean 1 (the expectations hold on average)",
                k.monthly_shock
            );
        }
        for r in &k.reactions {
            let _ = writeln!(o, "  at the cap: {}", reaction_text(k, &s.prices, r));
        }
        for (fi, (f, fe)) in k.flows.iter().zip(&e.flows).enumerate() {
            let _ = writeln!(
                o,
                "  flow '{}' ({}): {}",
                f.name,
                f.trigger,
                arrivals_text(&f.arrivals)
            );
            let mut runs = format!("{:.1} own", fe.runs);
            if fe.runs_as_tool > 0.0 || f.trigger == Trigger::Mcp {
                runs.push_str(&format!(" + {:.1} as an MCP tool", fe.runs_as_tool));
            }
            let _ = writeln!(o, "    runs per team-cycle:    {runs}");
            let parts: Vec<String> = Source::ALL
                .iter()
                .filter(|src| fe.by_source[**src as usize] != 0.0)
                .map(|src| format!("{} {}", src.name(), trim(fe.by_source[*src as usize])))
                .collect();
            let _ = writeln!(
                o,
                "    credits per run:        {:.3}{}",
                fe.credits_per_run,
                if parts.is_empty() {
                    String::new()
                } else {
                    format!(" = {}", parts.join(" + "))
                }
            );
            // A dated version that changes this flow's price per run.
            for v in &versions {
                let c = expected_credits_per_run(&v.prices, k, fi);
                if (c - fe.credits_per_run).abs() > 1e-9 {
                    let _ = writeln!(o, "      at version '{}' ({}): {c:.3}", v.name, v.span());
                }
            }
            let _ = writeln!(o, "    credits per team-cycle: {:.1}", fe.credits);
        }
        let _ = writeln!(
            o,
            "  demand per team-cycle: {:.1} credits vs allotment {} ({:.2}x)",
            e.credits,
            e.allotment,
            e.credits / e.allotment as f64
        );
        if s.calendar.months > 1 {
            let by_cycle: Vec<String> = (0..s.calendar.months.min(36))
                .map(|c| format!("{:.1}", expected_credits_in_cycle(s, k, c)))
                .collect();
            let _ = writeln!(o, "  demand by cycle:       {}", by_cycle.join(", "));
        }
    }
    o
}
