//! One team through all cycles of one trial: draw its size and its flows'
//! arrivals, merge them in time order, draw each run, and feed the ledger
//! (ends before starts at equal times). The results are compact records
//! the driver hands to observers in a fixed order.

use super::streams::{stream, Purpose};
use crate::ledger::{Admission, CycleRecord, Ledger, Overage, Terms};
use crate::pricing::Charge;
use crate::workload::arrivals::{BurstScratch, FlowArrivals, Timeline, DAY, HOUR};
use crate::workload::sampling::Sampler;
use crate::workload::KindWorkload;
use std::ops::Range;

/// A team kind, ready to simulate.
pub(crate) struct KindCtx {
    pub work: KindWorkload,
    pub terms: Terms<f64>,
    /// `Some`: overage is switched on this many hours after a suspension.
    pub reaction: Option<Sampler>,
    pub teams: u32,
}

/// What the engine keeps of one team-month until the observer sees it.
pub(crate) struct MonthOut {
    pub kind: usize,
    pub team: u32,
    pub cycle: u32,
    pub size: f64,
    pub cycle_start: f64,
    pub cycle_end: f64,
    pub record: CycleRecord<f64>,
    pub alerts: [Option<f64>; 3],
    pub demand_credits: u64,
    pub runs_started: u64,
    /// Range in the task's flat `daily` vector.
    pub daily: Range<usize>,
}

/// The results of one task (a chunk of teams of one kind in one trial).
#[derive(Default)]
pub(crate) struct TaskOut {
    pub months: Vec<MonthOut>,
    pub daily: Vec<u64>,
    pub runs: u64,
}

/// A run in flight that has just ended: its end time and its slot.
struct Pending {
    end: f64,
    slot: u32,
}

/// The runs in flight, earliest end first (then earliest start). Keys are
/// kept sorted in a vector (latest end at the front), charges in a slab:
/// with runs much shorter than the gaps between them there are usually zero
/// to two in flight, and a push or pop then touches one small key.
#[derive(Default)]
struct InFlight {
    /// (end, sequence number, slot), descending.
    keys: Vec<(f64, u64, u32)>,
    slots: Vec<(Charge, u32)>,
    free: Vec<u32>,
    seq: u64,
}

impl InFlight {
    fn clear(&mut self) {
        self.keys.clear();
        self.slots.clear();
        self.free.clear();
        self.seq = 0;
    }

    #[inline]
    fn push(&mut self, end: f64, charge: Charge, nested: u32) {
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = (charge, nested);
                s
            }
            None => {
                self.slots.push((charge, nested));
                (self.slots.len() - 1) as u32
            }
        };
        self.seq += 1;
        let seq = self.seq;
        // Later ends (and, at equal ends, later starts) sit nearer the front.
        let pos = self
            .keys
            .partition_point(|k| k.0 > end || (k.0 == end && k.1 > seq));
        self.keys.insert(pos, (end, seq, slot));
    }

    #[inline]
    fn peek_end(&self) -> Option<f64> {
        self.keys.last().map(|k| k.0)
    }

    /// Removes the earliest run; its slot stays valid until the next push.
    #[inline]
    fn pop(&mut self) -> Option<Pending> {
        let (end, _, slot) = self.keys.pop()?;
        self.free.push(slot);
        Some(Pending { end, slot })
    }

    /// The charge and nested-run count of a popped run.
    #[inline]
    fn slot(&self, slot: u32) -> &(Charge, u32) {
        &self.slots[slot as usize]
    }
}

/// Per-thread buffers, reused from team to team.
#[derive(Default)]
pub(crate) struct Scratch {
    arrivals: Vec<Vec<f64>>,
    heads: Vec<usize>,
    heap: InFlight,
    nested: Vec<u64>,
    bursts: BurstScratch,
}

/// Alert thresholds, percent of the allotment.
const ALERT_PCT: [u64; 3] = [50, 80, 95];

/// The credits at which each alert fires: used x 100 >= pct x allotment,
/// i.e. used >= ceil(pct x allotment / 100).
fn alert_credits(allotment: u64) -> [u64; 3] {
    ALERT_PCT.map(|p| {
        let c = (u128::from(p) * u128::from(allotment)).div_ceil(100);
        u64::try_from(c).unwrap_or(u64::MAX)
    })
}

/// The current cycle's running extras (what the ledger does not track).
struct MonthState {
    cycle: usize,
    start: f64,
    end: f64,
    next_day: f64,
    daily_from: usize,
    alerts: [Option<f64>; 3],
    /// The first alert not yet reached.
    next_alert: usize,
    demand: u64,
    runs_started: u64,
}

impl MonthState {
    fn new(tl: &Timeline, cycle: usize, daily_from: usize) -> MonthState {
        let start = tl.bounds[cycle];
        MonthState {
            cycle,
            start,
            end: tl.bounds[cycle + 1],
            next_day: start + DAY,
            daily_from,
            alerts: [None; 3],
            next_alert: 0,
            demand: 0,
            runs_started: 0,
        }
    }

    /// Records the credits used at the end of each day that ends at or before `t`.
    #[inline]
    fn days_until(&mut self, t: f64, used: u64, daily: &mut Vec<u64>) {
        while t >= self.next_day && self.next_day < self.end {
            daily.push(used);
            self.next_day += DAY;
        }
    }

    /// Fills the cycle's remaining days (a partial last day counts as a day).
    fn close_days(&mut self, used: u64, daily: &mut Vec<u64>) {
        let days = ((self.end - self.start) / DAY).ceil().max(1.0) as usize;
        while daily.len() - self.daily_from < days {
            daily.push(used);
        }
    }
}

/// Simulates teams `teams` of kind `kind` in `trial`, appending to `out`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn simulate_teams(
    k: &KindCtx,
    kind: usize,
    seed: u64,
    trial: u32,
    teams: Range<u32>,
    tl: &Timeline,
    sc: &mut Scratch,
    out: &mut TaskOut,
) {
    for team in teams {
        simulate_team(k, kind, seed, trial, team, tl, sc, out);
    }
}

#[allow(clippy::too_many_arguments)]
fn simulate_team(
    k: &KindCtx,
    kind: usize,
    seed: u64,
    trial: u32,
    team: u32,
    tl: &Timeline,
    sc: &mut Scratch,
    out: &mut TaskOut,
) {
    let mut rng = stream(seed, trial, kind, team, Purpose::Usage);
    let size = k.work.size.sample(&mut rng);
    let size = if size.is_finite() { size.max(0.0) } else { 0.0 };

    // Each flow's arrivals, in time order (schedules are shared grids).
    let nflows = k.work.arrivals.len();
    sc.arrivals.resize_with(nflows, Vec::new);
    sc.heads.clear();
    sc.heads.resize(nflows, 0);
    for (f, a) in k.work.arrivals.iter().enumerate() {
        sc.arrivals[f].clear();
        if let FlowArrivals::Poisson(p) = a {
            p.generate(size, tl, &mut rng, &mut sc.bursts, &mut sc.arrivals[f]);
        }
    }
    let streams: Vec<&[f64]> = k
        .work
        .arrivals
        .iter()
        .zip(&sc.arrivals)
        .map(|(a, buf)| match a {
            FlowArrivals::Schedule(times) => times.as_slice(),
            _ => buf.as_slice(),
        })
        .collect();

    let horizon = tl.horizon();
    let ncycles = tl.bounds.len() - 1;
    let mut ledger = Ledger::new(k.terms, 0.0);
    let mut m = MonthState::new(tl, 0, out.daily.len());
    let mut reaction_drawn = false;
    let alert_at = alert_credits(k.terms.allotment);
    let heap = &mut sc.heap;
    heap.clear();

    // Time reaches `t`: close any cycles that ended before it, then bring the
    // per-day cumulative credits up to `t`. (A macro, not a function: it
    // borrows most of this frame's locals, and it must inline in the hot loop.)
    macro_rules! advance_to {
        ($t:expr) => {{
            let t: f64 = $t;
            if t >= m.end {
                roll_cycles(
                    t,
                    k,
                    kind,
                    team,
                    size,
                    tl,
                    ncycles,
                    &mut ledger,
                    &mut m,
                    out,
                );
            }
            m.days_until(t, ledger.current().credits_used, &mut out.daily);
        }};
    }

    // Everything that happens when an executed run ends at `t`.
    macro_rules! apply_end {
        ($p:expr) => {{
            let p: Pending = $p;
            let t = p.end;
            advance_to!(t);
            let (charge, nested) = heap.slot(p.slot);
            ledger.end(t, charge);
            for _ in 0..*nested {
                // Nested MCP-flow runs end with their parent; their credits
                // are in the parent's charge.
                ledger.end(t, &Charge::default());
            }
            let used = ledger.current().credits_used;
            while m.next_alert < 3 && used >= alert_at[m.next_alert] {
                m.alerts[m.next_alert] = Some(t);
                m.next_alert += 1;
            }
            if let Some(delay) = &k.reaction {
                if !reaction_drawn && ledger.current().suspended_at.is_some() {
                    reaction_drawn = true;
                    let mut r = stream(seed, trial, kind, team, Purpose::Reaction);
                    let h = delay.sample(&mut r);
                    let h = if h.is_finite() { h.max(0.0) } else { 0.0 };
                    ledger.switch_overage_on(t + h * HOUR);
                }
            }
        }};
    }

    let nested = &mut sc.nested;
    let heads = &mut sc.heads;
    let mut runs = 0u64;
    loop {
        // The next start over all flows (lowest flow index first at ties).
        let mut best = f64::INFINITY;
        let mut bf = usize::MAX;
        for (f, s) in streams.iter().enumerate() {
            if let Some(&t) = s.get(heads[f]) {
                if t < best {
                    best = t;
                    bf = f;
                }
            }
        }
        if bf == usize::MAX {
            break;
        }
        heads[bf] += 1;
        let t = best;
        while heap.peek_end().is_some_and(|e| e <= t) {
            if let Some(p) = heap.pop() {
                apply_end!(p);
            }
        }
        advance_to!(t);

        // Every draw of the run is made, whether or not it executes.
        let plan = &k.work.runs[bf];
        nested.clear();
        let mut nested_charge = Charge::default();
        let own = plan.draw_charge(&k.work.runs, &mut rng, nested, &mut nested_charge);
        let duration = plan.duration.sample(&mut rng);
        let charge = if nested.is_empty() {
            own
        } else {
            nested_charge.absorb(&own);
            nested_charge
        };
        let adm = ledger.start(t, plan.cloud, own.total);
        for &n in nested.iter() {
            ledger.start_nested(t, n, adm);
        }
        let started = 1 + nested.len() as u64;
        runs += started;
        m.runs_started += started;
        m.demand = m.demand.saturating_add(charge.total);
        if adm == Admission::Executes {
            let d = if duration.is_finite() {
                duration.max(0.0)
            } else {
                0.0
            };
            heap.push(t + d, charge, nested.len() as u32);
        }
    }
    // Runs still in flight: those ending within the horizon accrue; runs in
    // flight past the end of the last cycle are dropped.
    while let Some(p) = heap.pop() {
        if p.end >= horizon {
            break;
        }
        apply_end!(p);
    }
    heap.clear();
    roll_cycles(
        horizon,
        k,
        kind,
        team,
        size,
        tl,
        ncycles,
        &mut ledger,
        &mut m,
        out,
    );
    let used = ledger.current().credits_used;
    m.close_days(used, &mut out.daily);
    let record = ledger.finish(m.end);
    push_month(kind, team, size, &m, record, out);
    out.runs += runs;
}

/// Closes every cycle that ends at or before `t` (never the last one).
#[allow(clippy::too_many_arguments)]
#[cold]
fn roll_cycles(
    t: f64,
    _k: &KindCtx,
    kind: usize,
    team: u32,
    size: f64,
    tl: &Timeline,
    ncycles: usize,
    ledger: &mut Ledger<f64>,
    m: &mut MonthState,
    out: &mut TaskOut,
) {
    while t >= m.end && m.cycle + 1 < ncycles {
        let used = ledger.current().credits_used;
        m.close_days(used, &mut out.daily);
        let record = ledger.next_cycle(m.end);
        push_month(kind, team, size, m, record, out);
        *m = MonthState::new(tl, m.cycle + 1, out.daily.len());
    }
}

fn push_month(
    kind: usize,
    team: u32,
    size: f64,
    m: &MonthState,
    record: CycleRecord<f64>,
    out: &mut TaskOut,
) {
    out.months.push(MonthOut {
        kind,
        team,
        cycle: m.cycle as u32,
        size,
        cycle_start: m.start,
        cycle_end: m.end,
        record,
        alerts: m.alerts,
        demand_credits: m.demand,
        runs_started: m.runs_started,
        daily: m.daily_from..out.daily.len(),
    });
}

/// The ledger terms of a kind; `None` price is only allowed with overage off.
pub(crate) fn terms(allotment: u64, block_credits: u64, price: f64, on: bool) -> Terms<f64> {
    Terms {
        allotment,
        block_credits,
        block_price: price,
        overage: if on { Overage::On } else { Overage::Off },
    }
}
