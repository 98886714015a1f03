//! One team through all cycles of one trial: draw its size, then per cycle
//! (from the cycle's own stream) its flows' arrivals one at a time, merged
//! in time order; draw each run, and feed the ledger in its billing order
//! ([`crate::ledger::order`]); once the cycle is frozen, draw the rest of it
//! in aggregate ([`frozen`]) or, run by run, book it as sums
//! ([`frozen_by_run`]). Times are integer nanoseconds from the calendar's
//! start ([`super::clock`]). The results are
//! compact records the driver hands to observers in a fixed order; a
//! [`RunTap`] may also see every run (to write it as a usage log).

mod frozen;
mod frozen_by_run;

use super::clock::{days_in, to_ns, DAY_NS};
use super::in_flight::{Booked, InFlight, Pending};
use super::reactions::{Reacting, ReactionCtx, Who};
use super::streams::{cycle_stream, stream, Purpose};
use crate::ledger::{Admission, CycleRecord, Ledger, Terms};
use crate::pricing::{BlockTally, Charge};
use crate::workload::arrivals::{
    BurstScratch, FlowArrivals, PoissonCursor, SchedulePos, TeamRate, Timeline, HOUR,
};
use crate::workload::runs::{NestedCredits, NestedRun, NestedTree, RunCounts, RunPlan};
use crate::workload::sampling::{Sampler, SimRng, Tail};
use crate::workload::KindWorkload;
use std::ops::Range;

/// One simulated run, as a [`RunTap`] sees it.
#[derive(Clone, Copy, Debug)]
pub struct SimRun<'a> {
    /// Its flow (index in the kind).
    pub flow: usize,
    /// Start, ns from the calendar's start.
    pub start: i64,
    /// End (start + the drawn duration), ns from the calendar's start; a
    /// blocked run has one too (every draw is made).
    pub end: i64,
    /// Whether it executed.
    pub executed: bool,
    /// Its own counts.
    pub counts: &'a RunCounts,
    /// Its own credits.
    pub credits: u64,
    /// The MCP-flow runs its AI Agent called (they start and end with it).
    pub nested: &'a [NestedRun],
    /// The kind's run plans it was drawn and priced with (after any model
    /// switch: a usage log names the model the run used).
    pub plans: &'a [RunPlan],
}

/// Sees every run of the teams it is handed, in start order per team.
pub trait RunTap {
    /// A team's simulation begins.
    fn team(&mut self, kind: usize, team: u32);
    /// One run (with its nested runs).
    fn run(&mut self, r: &SimRun<'_>);
}

/// A team kind, ready to simulate.
pub(crate) struct KindCtx {
    pub work: KindWorkload,
    pub terms: Terms<i64>,
    /// `Some`: overage is switched on this many hours after a suspension.
    pub reaction: Option<Sampler>,
    /// What its teams do at the cap (upgrade, throttle, switch model).
    pub reactions: Vec<ReactionCtx>,
    pub teams: u32,
    /// Each flow's duration tail (see [`frozen`]), and its bound `w` in ns
    /// (`i64::MAX`: no tail split; see [`frozen_by_run`]).
    pub tails: Vec<Option<Tail>>,
    pub tail_bound_ns: Vec<i64>,
    /// Whether its teams' cycles may be finished in aggregate once frozen
    /// (not when they react at the cap: a reaction changes the state).
    pub freezes: bool,
}

/// What the engine keeps of one team-month until the observer sees it.
pub(crate) struct MonthOut {
    pub kind: usize,
    pub team: u32,
    pub cycle: u32,
    pub size: f64,
    pub cycle_start: i64,
    pub cycle_end: i64,
    pub record: CycleRecord<i64>,
    /// The team's drawn overage switch-on instant, if any (a reaction).
    pub switch_at: Option<i64>,
    /// The plan billed this cycle: 0 = the kind's, i + 1 = reaction i's
    /// upgrade.
    pub plan: u8,
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

/// Where one flow's own arrivals have got to.
#[derive(Clone, Copy, Debug, Default)]
enum Cursor {
    Poisson(PoissonCursor),
    /// The point at the flow's head (none left: the head is infinite and
    /// the cursor is not read again).
    Schedule(SchedulePos),
    #[default]
    None,
}

/// Per-thread buffers, reused from team to team.
#[derive(Default)]
pub(crate) struct Scratch {
    /// Per flow: the team's intensity, its cursor, its next start (s).
    rates: Vec<TeamRate>,
    cursors: Vec<Cursor>,
    heads: Vec<f64>,
    /// A frozen stretch's buffers (aggregated, and run by run), and the
    /// per-flow block tallies.
    frozen: frozen::Buffers,
    by_run: frozen_by_run::Buffers,
    tallies: Vec<BlockTally>,
    heap: InFlight,
    nested: Vec<u64>,
    tree: NestedTree,
    bursts: BurstScratch,
}

/// The current cycle's running extras (what the ledger does not track).
struct MonthState {
    cycle: usize,
    start: i64,
    end: i64,
    next_day: i64,
    daily_from: usize,
    demand: u64,
    runs_started: u64,
}

impl MonthState {
    fn new(bounds: &[i64], cycle: usize, daily_from: usize) -> MonthState {
        let start = bounds[cycle];
        MonthState {
            cycle,
            start,
            end: bounds[cycle + 1],
            next_day: start.saturating_add(DAY_NS),
            daily_from,
            demand: 0,
            runs_started: 0,
        }
    }

    /// Records the credits used at the end of each day that ends at or before `t`.
    #[inline]
    fn days_until(&mut self, t: i64, used: u64, daily: &mut Vec<u64>) {
        while t >= self.next_day && self.next_day < self.end {
            daily.push(used);
            self.next_day = self.next_day.saturating_add(DAY_NS);
        }
    }

    /// Fills the cycle's remaining days (a partial last day counts as a day).
    fn close_days(&mut self, used: u64, daily: &mut Vec<u64>) {
        let days = days_in(self.start, self.end).max(1) as usize;
        while daily.len() - self.daily_from < days {
            daily.push(used);
        }
    }
}

/// Where a team is: its kind, its place in the trial, the cycle bounds.
pub(crate) struct TeamCtx<'a> {
    pub k: &'a KindCtx,
    pub kind: usize,
    pub seed: u64,
    pub trial: u32,
    pub tl: &'a Timeline,
    /// Cycle bounds, ns from the calendar's start.
    pub bounds: &'a [i64],
    /// This trial's shared shocks, per kind (`None`: the scenario has none).
    pub shared: Option<&'a [Option<crate::workload::arrivals::RateSteps>]>,
    /// Whether a frozen cycle is finished in aggregate (off: every run is
    /// simulated, the reference path and what a usage log needs).
    pub aggregate: bool,
}

/// Simulates teams `teams` of kind `kind` in `trial`, appending to `out`;
/// `tap`, if given, sees every run.
pub(crate) fn simulate_teams<'t>(
    cx: &TeamCtx<'_>,
    teams: Range<u32>,
    sc: &mut Scratch,
    out: &mut TaskOut,
    mut tap: Option<&mut (dyn RunTap + 't)>,
) {
    for team in teams {
        if let Some(t) = tap.as_deref_mut() {
            t.team(cx.kind, team);
        }
        simulate_team(cx, team, sc, out, tap.as_deref_mut());
    }
}

/// One team's trial in progress: the ledger and the running cycle, and
/// what the engine keeps of them. The main loop in [`simulate_team`] draws
/// runs; these methods move time forward and book what happens.
struct TeamTrial<'c, 'o> {
    cx: &'c TeamCtx<'c>,
    team: u32,
    size: f64,
    ledger: Ledger<i64>,
    m: MonthState,
    /// The drawn instant overage is switched on (a reaction), once drawn.
    switch_at: Option<i64>,
    /// Reactions at the cap.
    react: Reacting,
    /// The plan billed in the current cycle (see [`MonthOut::plan`]), and
    /// drawn upgrades' (first cycle, plan) not yet reached.
    plan: u8,
    upgrades: Vec<(usize, u8)>,
    /// The allotment of the plan the team is on or moving to.
    allotment_to: u64,
    /// Whether the kind has reactions at the cap.
    reacts: bool,
    /// Per flow, the blocks of the executed runs that end in this cycle,
    /// counted as they start and priced with `tally_plans` when the cycle
    /// closes or the prices change; `nested_tally`, their nested runs'
    /// charges (see [`super::in_flight`]).
    tallies: Vec<BlockTally>,
    nested_tally: Charge,
    tally_plans: &'c [RunPlan],
    out: &'o mut TaskOut,
}

impl<'c, 'o> TeamTrial<'c, 'o> {
    fn new(
        cx: &'c TeamCtx<'c>,
        team: u32,
        size: f64,
        plans: &'c [RunPlan],
        mut tallies: Vec<BlockTally>,
        out: &'o mut TaskOut,
    ) -> Self {
        tallies.clear();
        tallies.resize(plans.len(), BlockTally::default());
        let m = MonthState::new(cx.bounds, 0, out.daily.len());
        TeamTrial {
            cx,
            team,
            size,
            ledger: Ledger::new(cx.k.terms, 0),
            m,
            switch_at: None,
            react: Reacting::new(cx.k.work.runs().len(), !cx.k.reactions.is_empty()),
            plan: 0,
            upgrades: Vec::new(),
            allotment_to: cx.k.terms.allotment(),
            reacts: !cx.k.reactions.is_empty(),
            tallies,
            nested_tally: Charge::default(),
            tally_plans: plans,
            out,
        }
    }

    /// An executed run that starts at `start` and ends at `end` with
    /// `counts` (priced by `plans[flow]`) and nested runs that cost
    /// `nested_charge`: in flight until it ends. One that ends in this cycle
    /// carries only its credits, its blocks tallied; one that ends later
    /// carries its whole charge (a tally is priced into the cycle it is
    /// counted in).
    #[inline(always)]
    fn put_in_flight(
        &mut self,
        heap: &mut InFlight,
        (start, end): (i64, i64),
        (flow, counts, own): (usize, &RunCounts, u64),
        nested_charge: &Charge,
        nested: u64,
    ) {
        if end < self.m.end {
            self.tally_plans[flow]
                .folded
                .tally(&mut self.tallies[flow], counts);
            if nested > 0 {
                self.nested_tally.absorb(nested_charge);
            }
            let credits = own.saturating_add(nested_charge.total);
            heap.push_total(start, end, credits, nested);
        } else {
            let mut charge = self.tally_plans[flow].folded.charge(counts);
            if nested > 0 {
                charge.absorb(nested_charge);
            }
            heap.push(start, end, charge, nested);
        }
    }

    /// Runs are priced with `plans` from now on: what was tallied with the
    /// ones before is priced first.
    #[inline]
    fn price_with(&mut self, plans: &'c [RunPlan]) {
        if !std::ptr::eq(plans, self.tally_plans) {
            self.price_tallies();
            self.tally_plans = plans;
        }
    }

    /// Prices the tallies into the ledger's current cycle, where the runs
    /// they count end (their totals are booked as they end).
    fn price_tallies(&mut self) {
        for (t, plan) in self.tallies.iter_mut().zip(self.tally_plans) {
            if !t.is_empty() {
                self.ledger.accrue_by_source(&plan.folded.price_tally(t));
                *t = BlockTally::default();
            }
        }
        if self.nested_tally != Charge::default() {
            self.ledger.accrue_by_source(&self.nested_tally);
            self.nested_tally = Charge::default();
        }
    }

    /// Time reaches `t`: close any cycles that ended before it, then bring
    /// the per-day cumulative credits up to `t`.
    #[inline]
    fn advance_to(&mut self, t: i64) {
        if t >= self.m.end {
            self.roll_cycles(t);
        }
        let used = self.ledger.current().credits_used;
        self.m.days_until(t, used, &mut self.out.daily);
    }

    /// Time reaches `end` and the ledger books an entry that started at
    /// `start`: what it costs, and `more` runs that end with it (nested
    /// MCP-flow runs start and end with their parent, their credits in its
    /// charge; a frozen day's entry stands for many).
    #[inline(always)]
    fn book_end(&mut self, (start, end): (i64, i64), booked: Booked<'_>, more: u64) {
        self.advance_to(end);
        match booked {
            Booked::Total(credits) => self.ledger.end_total(start, end, credits),
            Booked::Charge(charge) => self.ledger.end(start, end, charge),
        }
        self.ledger.end_count(more);
    }

    /// Everything that happens when an executed run ends: the ledger books
    /// it (and its nested runs), and a suspension may draw the team's
    /// reaction. (Always inlined: it runs once per executed run, and an
    /// out-of-line call measured 3% more instructions per run.)
    #[inline(always)]
    fn end_run(&mut self, p: Pending, heap: &InFlight) {
        let t = p.end;
        self.book_end((p.start, t), heap.booked(&p), p.nested);
        if self.switch_at.is_none() && self.ledger.current().suspended_at.is_some() {
            if let Some(delay) = &self.cx.k.reaction {
                let cx = self.cx;
                let mut r = stream(cx.seed, cx.trial, cx.kind, self.team, Purpose::Reaction);
                let h = delay.sample(&mut r);
                // A reaction comes after its cause: with no delay, the next
                // nanosecond (at the suspending instant itself the switch
                // would be ordered before a zero-length run's end that
                // caused it).
                let at = t.saturating_add(to_ns(h * HOUR).max(1));
                self.switch_at = Some(at);
                self.ledger.switch_overage_on(at);
            }
        }
        if self.reacts && !self.react.counted() && self.ledger.current().limit_reached_at.is_some()
        {
            self.reach_limit(t);
        }
    }

    /// The team is at its limit at `t`: reactions due draw their delays; a
    /// drawn upgrade is handed to the ledger for the first cycle that
    /// starts at or after its instant.
    #[cold]
    fn reach_limit(&mut self, t: i64) {
        let cx = self.cx;
        let who = Who {
            seed: cx.seed,
            trial: cx.trial,
            kind: cx.kind,
            team: self.team,
        };
        self.react.at_limit(t, &cx.k.reactions, &who);
        if let Some((at, terms, plan)) = self.react.upgrade.take() {
            // Cycle c starts at bounds[c]; the last bound is the horizon.
            let last = cx.bounds.len() - 1;
            let c = cx.bounds[..last].partition_point(|&b| b < at);
            // Only to a bigger plan than the one it is on or moving to.
            if c < last && terms.allotment() > self.allotment_to {
                self.allotment_to = terms.allotment();
                self.ledger.change_terms(cx.bounds[c], terms);
                self.upgrades.push((c, plan));
            }
        }
    }

    /// The team's state froze at `at` in cycle `cycle`: the rest of the
    /// cycle's starts are drawn in aggregate ([`frozen`]).
    #[cold]
    fn finish_frozen(
        &mut self,
        cycle: usize,
        at: i64,
        rates: &[TeamRate],
        heads: &[f64],
        heap: &mut InFlight,
        buf: &mut frozen::Buffers,
    ) {
        // Suspended, the team executes again from a pending switch, if any.
        let executing_from = if self.ledger.overage_on() {
            at
        } else {
            self.ledger.pending_switch().unwrap_or(i64::MAX)
        };
        let st = frozen::Stretch {
            cx: self.cx,
            team: self.team,
            cycle,
            from: at,
            rates,
            heads,
            executing_from,
        };
        let t = frozen::rest_of_cycle(&st, heap, buf);
        self.m.demand = self.m.demand.saturating_add(t.demand);
        self.m.runs_started += t.started;
        self.out.runs += t.started;
        if t.blocked_runs > 0 {
            self.ledger.block_many(t.blocked_runs, t.blocked_credits);
        }
        // Each day's sum ends at the day's last nanosecond, after the runs
        // in flight that end by then (at an equal end they were put in
        // flight first). Booked here, in that order, rather than through
        // the in-flight set: the same order, without a push and a pop per
        // day. (Overage is on by then: no suspension or reaction follows.)
        for day in &buf.ending {
            self.book_day(day.at, Booked::Charge(&day.charge), day.runs, heap);
        }
    }

    /// `runs` runs (at least 1) of a frozen stretch that end on one day,
    /// booked at `at`, the day's last nanosecond, after the runs in flight
    /// that end by then (at an equal end they were put in flight first).
    fn book_day(&mut self, at: i64, booked: Booked<'_>, runs: u64, heap: &mut InFlight) {
        while heap.next_end().is_some_and(|e| e <= at) {
            let Some(p) = heap.pop() else { break };
            self.end_run(p, heap);
        }
        self.book_end((at, at), booked, runs - 1);
    }

    /// Closes every cycle that ends at or before `t` (never the last one).
    #[cold]
    fn roll_cycles(&mut self, t: i64) {
        let ncycles = self.cx.bounds.len() - 1;
        while t >= self.m.end && self.m.cycle + 1 < ncycles {
            let used = self.ledger.current().credits_used;
            self.m.close_days(used, &mut self.out.daily);
            self.price_tallies();
            let record = self.ledger.next_cycle(self.m.end);
            self.push_month(record);
            self.m = MonthState::new(self.cx.bounds, self.m.cycle + 1, self.out.daily.len());
            self.react.new_cycle();
            // As the ledger does: the last change due by this cycle wins.
            let cycle = self.m.cycle;
            let plan = &mut self.plan;
            self.upgrades.retain(|&(c, p)| {
                if c <= cycle {
                    *plan = p;
                }
                c > cycle
            });
        }
    }

    fn push_month(&mut self, record: CycleRecord<i64>) {
        let m = &self.m;
        self.out.months.push(MonthOut {
            kind: self.cx.kind,
            team: self.team,
            cycle: m.cycle as u32,
            size: self.size,
            cycle_start: m.start,
            cycle_end: m.end,
            record,
            switch_at: None,
            plan: self.plan,
            demand_credits: m.demand,
            runs_started: m.runs_started,
            daily: m.daily_from..self.out.daily.len(),
        });
    }

    /// The horizon is reached: runs in flight that end within it accrue
    /// (those past the end of the last cycle are dropped), the last cycle
    /// closes, and every cycle of the team learns its reaction instant.
    /// Returns the tallies' buffer, for the next team.
    fn finish(mut self, heap: &mut InFlight) -> Vec<BlockTally> {
        let horizon = self.cx.bounds[self.cx.bounds.len() - 1];
        while let Some(p) = heap.pop() {
            if p.end >= horizon {
                break;
            }
            self.end_run(p, heap);
        }
        heap.clear();
        self.roll_cycles(horizon);
        let used = self.ledger.current().credits_used;
        self.m.close_days(used, &mut self.out.daily);
        self.price_tallies();
        // `Ledger::finish` consumes the ledger; a fresh one takes its place
        // in the struct, unused (once per team, not per run).
        let ledger = std::mem::replace(&mut self.ledger, Ledger::new(self.cx.k.terms, 0));
        let record = ledger.finish(self.m.end);
        self.push_month(record);
        let (kind, team, switch_at) = (self.cx.kind, self.team, self.switch_at);
        for mo in self.out.months.iter_mut().rev() {
            if mo.kind != kind || mo.team != team {
                break;
            }
            mo.switch_at = switch_at;
        }
        std::mem::take(&mut self.tallies)
    }
}

/// Puts every flow's arrivals at `t` (seconds): the next start is the
/// first after `t` (Poisson; memoryless, so a restart is exact) or at or
/// after `t` (schedule).
fn restart_arrivals(
    work: &KindWorkload,
    rates: &[TeamRate],
    cursors: &mut [Cursor],
    heads: &mut [f64],
    t: f64,
    rng: &mut SimRng,
) {
    for (f, a) in work.arrivals.iter().enumerate() {
        (cursors[f], heads[f]) = match a {
            FlowArrivals::Poisson(_) => {
                let mut c = rates[f].cursor_at(t);
                let head = rates[f].next(&mut c, rng);
                (Cursor::Poisson(c), head)
            }
            FlowArrivals::Schedule(s) => match s.first_at_or_after(t) {
                Some(p) => (Cursor::Schedule(p), s.time(p)),
                None => (Cursor::None, f64::INFINITY),
            },
            FlowArrivals::None => (Cursor::None, f64::INFINITY),
        };
    }
}

/// The next start over all flows and its flow (the lowest flow index first
/// at ties), if any flow has one.
#[inline]
fn first_start(heads: &[f64]) -> Option<(f64, usize)> {
    let mut best = f64::INFINITY;
    let mut bf = usize::MAX;
    for (f, &h) in heads.iter().enumerate() {
        if h < best {
            best = h;
            bf = f;
        }
    }
    (bf != usize::MAX).then_some((best, bf))
}

/// Draws flow `f`'s next start. (Always inlined: it runs once per run, and
/// out of line it cost a call and a dispatch on both the flow's arrivals
/// and its cursor.)
#[inline(always)]
fn next_arrival(
    work: &KindWorkload,
    rates: &[TeamRate],
    cursors: &mut [Cursor],
    heads: &mut [f64],
    f: usize,
    rng: &mut SimRng,
) {
    heads[f] = match (&work.arrivals[f], &mut cursors[f]) {
        (_, Cursor::Poisson(c)) => rates[f].next(c, rng),
        // (A cursor kept in place, not an `Option` rebuilt per run: that
        // went through memory and stalled the store forwarding.)
        (FlowArrivals::Schedule(s), Cursor::Schedule(p)) => match s.after(*p) {
            Some(q) => {
                *p = q;
                s.time(q)
            }
            None => f64::INFINITY,
        },
        _ => f64::INFINITY,
    };
}

fn simulate_team<'t>(
    cx: &TeamCtx<'_>,
    team: u32,
    sc: &mut Scratch,
    out: &mut TaskOut,
    mut tap: Option<&mut (dyn RunTap + 't)>,
) {
    let (k, kind, seed, trial, tl) = (cx.k, cx.kind, cx.seed, cx.trial, cx.tl);
    let work = &k.work;
    // The team's size and bursts, from its own stream; its runs from one
    // stream per cycle.
    let mut rng = stream(seed, trial, kind, team, Purpose::Usage);
    let size = work.size.sample(&mut rng);
    let size = if size.is_finite() { size.max(0.0) } else { 0.0 };
    let nflows = work.arrivals.len();
    sc.rates.resize_with(nflows, TeamRate::default);
    sc.cursors.clear();
    sc.cursors.resize(nflows, Cursor::None);
    sc.heads.clear();
    sc.heads.resize(nflows, f64::INFINITY);
    for (f, a) in work.arrivals.iter().enumerate() {
        if let FlowArrivals::Poisson(p) = a {
            let shared = cx.shared.and_then(|s| s.get(kind)).and_then(Option::as_ref);
            p.team_rate(size, shared, tl, &mut rng, &mut sc.bursts, &mut sc.rates[f]);
        }
    }
    let Scratch {
        rates,
        cursors,
        heads,
        frozen: buf,
        by_run,
        tallies,
        heap,
        nested,
        tree,
        ..
    } = sc;
    heap.clear();
    let last_cycle = cx.bounds.len() - 2;
    let mut cycle = 0usize;
    let mut rng = cycle_stream(seed, trial, kind, team, 0);
    restart_arrivals(work, rates, cursors, heads, tl.bounds[0], &mut rng);
    // The rest of the cycle was drawn frozen: no more starts in it.
    let mut starts_done = false;
    let freezes = cx.aggregate && k.freezes;
    // Run by run, a frozen cycle's rest needs only sums too
    // ([`frozen_by_run`]); a tap sees every run through the main loop.
    let settles = k.freezes && (cx.aggregate || tap.is_none());
    let mut runs = 0u64;
    // The price piece in force (a dated price version) and when it ends.
    let (mut piece, mut next_piece) = work.piece_at(0);
    let mut plans: &[RunPlan] = work.plans(piece, 0);
    let mut tt = TeamTrial::new(cx, team, size, plans, std::mem::take(tallies), out);
    // Kinds without reactions pay one predictable branch per run for them.
    let reacts = !k.reactions.is_empty();
    loop {
        // The next start over all flows.
        let first = if starts_done {
            None
        } else {
            first_start(heads)
        };
        let (t, bf) = first.map_or((i64::MAX, usize::MAX), |(s, f)| (to_ns(s), f));
        let cycle_end = cx.bounds[cycle + 1];
        // The ends billed before that start, within this cycle, in one go
        // (the next start stays the same while only ends happen).
        let mut froze = false;
        while heap.ends_before_start(t) && heap.next_end().is_some_and(|e| e < cycle_end) {
            let Some(p) = heap.pop() else { break };
            let at = p.end;
            tt.end_run(p, heap);
            let reaction_possible = k.reaction.is_some() && tt.switch_at.is_none();
            if settles && !starts_done && tt.ledger.frozen(reaction_possible) {
                if freezes {
                    tt.finish_frozen(cycle, at, rates, heads, heap, buf);
                } else if tt.ledger.overage_on() || tt.ledger.pending_switch().is_none() {
                    let d = frozen_by_run::Draws {
                        rates,
                        cursors,
                        heads,
                        rng: &mut rng,
                        piece: &mut piece,
                        next_piece: &mut next_piece,
                        plans: &mut plans,
                    };
                    runs += tt.rest_by_run(cycle, d, heap, by_run);
                } else {
                    // Suspended until a pending switch: run by run below.
                    continue;
                }
                starts_done = true;
                froze = true;
                break;
            }
        }
        if froze {
            continue;
        }
        let next = if heap.ends_before_start(t) {
            heap.next_end().unwrap_or(i64::MAX)
        } else {
            t
        };
        if next >= cycle_end {
            // Everything left happens in a later cycle.
            if cycle == last_cycle {
                break;
            }
            tt.advance_to(cycle_end);
            cycle += 1;
            rng = cycle_stream(seed, trial, kind, team, cycle as u32);
            restart_arrivals(work, rates, cursors, heads, tl.bounds[cycle], &mut rng);
            starts_done = false;
            continue;
        }
        next_arrival(work, rates, cursors, heads, bf, &mut rng);
        tt.advance_to(t);
        // A run is priced by the version in force at its start.
        if t >= next_piece {
            (piece, next_piece) = work.piece_at(t);
            plans = work.plans(piece, tt.react.mask);
            tt.price_with(plans);
        }
        if reacts {
            // A throttled flow's arrival may not happen at all (decided
            // before any of its draws); a model switch in force changes the
            // prices the run is drawn with.
            let schedule = matches!(work.arrivals[bf], FlowArrivals::Schedule(_));
            if tt.react.dropped(bf, t, schedule) {
                continue;
            }
            if t >= tt.react.next_switch {
                tt.react.switch_until(t);
                plans = work.plans(piece, tt.react.mask);
                tt.price_with(plans);
            }
        }

        // Every draw of the run is made, whether or not it executes; a tap
        // keeps the nested runs' tree, the engine only their credits (the
        // same draws: there is one draw sequence, `RunPlan::draw`).
        let plan = &plans[bf];
        nested.clear();
        let mut nested_charge = Charge::default();
        let counts = if tap.is_some() {
            tree.runs.clear();
            let c = plan.draw(plans, &mut rng, tree, None);
            for r in &tree.runs {
                nested_charge.absorb(&plans[r.flow].price(&r.counts));
                nested.push(r.credits);
            }
            c
        } else {
            let mut sink = NestedCredits {
                credits: nested,
                charge: &mut nested_charge,
            };
            plan.draw(plans, &mut rng, &mut sink, None)
        };
        // Admission needs only the run's own credits; its charge by source
        // is worked out only if it executes (blocked runs are most of a
        // suspended team's).
        let own = plan.folded.credits(&counts);
        let end = t.saturating_add(to_ns(plan.duration.sample(&mut rng)));
        let adm = tt.ledger.start(t, plan.cloud, own);
        for &n in nested.iter() {
            tt.ledger.start_nested(t, n, adm);
        }
        let started = 1 + nested.len() as u64;
        runs += started;
        tt.m.runs_started += started;
        tt.m.demand =
            tt.m.demand
                .saturating_add(own.saturating_add(nested_charge.total));
        if let Some(tap) = tap.as_deref_mut() {
            tap.run(&SimRun {
                flow: bf,
                start: t,
                end,
                executed: adm == Admission::Executes,
                counts: &counts,
                credits: own,
                nested: &tree.runs,
                plans,
            });
        }
        if adm == Admission::Executes {
            let n = nested.len() as u64;
            tt.put_in_flight(heap, (t, end), (bf, &counts, own), &nested_charge, n);
        }
    }
    *tallies = tt.finish(heap);
    out.runs += runs;
}
