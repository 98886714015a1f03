//! The billing ledger: one team's credits through its billing cycles.
//!
//! This is the one place the month's rules live (shared/usage-log.md, "The
//! month"), used by `replay` and by the Monte Carlo engine alike:
//!
//! - [`order`]: the order of events at one instant (the tie rule);
//! - [`terms`]: the plan terms, built by one checked constructor;
//! - [`alerts`]: the usage alert levels;
//! - [`Ledger`]: one team's account.
//!
//! The caller feeds the ledger a team's events in billing order
//! ([`order::Phase`]) and opens each new cycle with [`Ledger::next_cycle`];
//! the ledger decides what executes and what is billed:
//!
//! - a run's credits accrue when it ends, in the cycle in which it ends;
//! - the limit is reached when used credits become >= the allotment
//!   (`limit_reached_at`, recorded whether or not overage is on);
//! - overage off: from then on a run that would consume credits (every cloud
//!   run; a manual run with a credit-costing block) is blocked and costs
//!   nothing; runs in flight complete and still accrue; a free manual run
//!   still executes; a nested MCP-flow run follows its parent;
//! - overage on: never suspended; each time used exceeds the current allotment
//!   one block of `block_credits` is bought, until used <= allotment;
//! - overage switched on mid-cycle: from that instant blocks are bought as
//!   above (billing what is already above the allotment) and the suspension
//!   ends; it stays on in later cycles.
//! - a plan change (an upgrade: a replayed team's plan file says when, a
//!   simulated team draws it) takes effect from the first cycle that starts
//!   at or after its instant, never mid-cycle: the new allotment (and its
//!   alert levels) hold for whole cycles, and whether overage is on carries
//!   over. (The source says nothing about prorating a mid-cycle upgrade; a
//!   cycle-boundary change is the assumption that needs no proration rule.)
//!
//! The ledger is generic over the time type; replay and the simulator both
//! bill in integer nanoseconds, so their ties are exact and equal.

pub mod alerts;
pub mod order;
pub mod terms;

pub use order::Phase;
pub use terms::{Overage, PlanTerms, Terms, TermsError};

use crate::pricing::{Charge, N_SOURCES};
use serde::Serialize;

/// A point in time the ledger can order. Implemented for `i64` and `f64`.
pub trait Instant: Copy + PartialOrd + std::fmt::Debug {}
impl Instant for i64 {}
impl Instant for f64 {}

/// What the ledger decided about a run that starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Admission {
    /// The run executes; its credits accrue when it ends.
    Executes,
    /// The run is blocked: it does not execute and consumes nothing.
    Blocked,
}

/// One team's billing cycle, as billed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CycleRecord<T> {
    /// When the cycle starts.
    pub cycle_start: T,
    /// The plan's monthly credits.
    pub allotment: u64,
    /// Credits of the runs that ended in this cycle (may pass the allotment:
    /// in-flight runs complete).
    pub credits_used: u64,
    /// The first instant used credits became >= the allotment, overage or not.
    pub limit_reached_at: Option<T>,
    /// Overage blocks bought in this cycle.
    pub overage_blocks: u64,
    /// `overage_blocks` times the block price, USD.
    pub overage_cost: f64,
    /// Runs that executed and ended in this cycle.
    pub runs_executed: u64,
    /// Runs blocked in this cycle (counted in the cycle they would have started).
    pub runs_blocked: u64,
    /// What the blocked runs would have cost.
    pub blocked_credits: u64,
    /// When the team was suspended (limit reached with overage off).
    pub suspended_at: Option<T>,
    /// When a suspension in this cycle ended because overage was switched on.
    pub resumed_at: Option<T>,
    /// `credits_used` by source (indexed by `Source as usize`).
    pub by_source: [u64; N_SOURCES],
    /// The first instant used credits reached each alert level
    /// ([`alerts::ALERT_PCT`] of the allotment), if they did.
    pub alerts: [Option<T>; 3],
}

impl<T: Instant> CycleRecord<T> {
    fn new(cycle_start: T, allotment: u64) -> Self {
        CycleRecord {
            cycle_start,
            allotment,
            credits_used: 0,
            limit_reached_at: None,
            overage_blocks: 0,
            overage_cost: 0.0,
            runs_executed: 0,
            runs_blocked: 0,
            blocked_credits: 0,
            suspended_at: None,
            resumed_at: None,
            by_source: [0; N_SOURCES],
            alerts: [None; 3],
        }
    }

    /// The same record with every instant mapped by `f` (e.g. nanoseconds to
    /// seconds for the statistics).
    pub(crate) fn map_time<U: Instant>(&self, f: impl Fn(T) -> U) -> CycleRecord<U> {
        CycleRecord {
            cycle_start: f(self.cycle_start),
            allotment: self.allotment,
            credits_used: self.credits_used,
            limit_reached_at: self.limit_reached_at.map(&f),
            overage_blocks: self.overage_blocks,
            overage_cost: self.overage_cost,
            runs_executed: self.runs_executed,
            runs_blocked: self.runs_blocked,
            blocked_credits: self.blocked_credits,
            suspended_at: self.suspended_at.map(&f),
            resumed_at: self.resumed_at.map(&f),
            by_source: self.by_source,
            alerts: self.alerts.map(|a| a.map(&f)),
        }
    }

    /// Whether any run executed or was blocked in this cycle (replay reports
    /// only such cycles).
    pub fn has_runs(&self) -> bool {
        self.runs_executed + self.runs_blocked > 0
    }
}

/// One team's running account. See the module docs for the rules.
#[derive(Clone, Debug)]
pub struct Ledger<T> {
    terms: Terms<T>,
    /// Overage is on now.
    overage_on: bool,
    /// A switch-on not yet reached.
    pending_switch: Option<T>,
    /// Plan changes not yet in force, earliest first: (instant, new terms).
    pending_terms: Vec<(T, Terms<T>)>,
    /// Credits at which each alert level fires.
    alert_at: [u64; 3],
    /// The first alert level not yet reached in this cycle.
    next_alert: usize,
    cycle: CycleRecord<T>,
}

impl<T: Instant> Ledger<T> {
    /// A ledger whose first cycle starts at `cycle_start`.
    pub fn new(terms: Terms<T>, cycle_start: T) -> Self {
        let (overage_on, pending_switch) = match terms.overage() {
            Overage::Off | Overage::WhenSwitched => (false, None),
            Overage::On => (true, None),
            Overage::From(t) => (false, Some(t)),
        };
        Ledger {
            terms,
            overage_on,
            pending_switch,
            pending_terms: Vec::new(),
            alert_at: alerts::alert_credits(terms.allotment()),
            next_alert: 0,
            cycle: CycleRecord::new(cycle_start, terms.allotment()),
        }
    }

    /// The terms this ledger bills under.
    pub fn terms(&self) -> &Terms<T> {
        &self.terms
    }

    /// The current cycle so far.
    pub fn current(&self) -> &CycleRecord<T> {
        &self.cycle
    }

    /// Whether overage is on at the last instant seen.
    pub fn overage_on(&self) -> bool {
        self.overage_on
    }

    /// Whether a run that costs credits would be blocked now.
    #[inline]
    pub(crate) fn is_suspended(&self) -> bool {
        !self.overage_on && self.cycle.credits_used >= self.terms.allotment()
    }

    /// Switches overage on at `t` (a simulated team reacting to a
    /// suspension; its terms must say [`Overage::WhenSwitched`], otherwise
    /// this does nothing). An earlier pending switch wins. Takes effect when
    /// billing reaches `t` in [`Phase::OverageSwitch`].
    pub fn switch_overage_on(&mut self, t: T) {
        if self.overage_on || !matches!(self.terms.overage(), Overage::WhenSwitched) {
            return;
        }
        match self.pending_switch {
            Some(p) if p <= t => {}
            _ => self.pending_switch = Some(t),
        }
    }

    /// Changes the team's plan to `terms` from the first cycle that starts at
    /// or after `at` (the current cycle, if it starts at or after `at` and
    /// nothing has been billed in it yet). `terms` must keep the team's
    /// overage setting ([`Terms::overage`]): a plan change does not switch
    /// overage on or off. A later change at the same cycle wins.
    pub fn change_terms(&mut self, at: T, terms: Terms<T>) {
        debug_assert!(
            std::mem::discriminant(&terms.overage())
                == std::mem::discriminant(&self.terms.overage()),
            "a plan change keeps the overage setting"
        );
        let untouched = self.cycle.runs_executed == 0 && self.cycle.runs_blocked == 0;
        if at <= self.cycle.cycle_start && untouched {
            self.apply_terms(terms);
            return;
        }
        let pos = self.pending_terms.partition_point(|(p, _)| *p <= at);
        self.pending_terms.insert(pos, (at, terms));
    }

    fn apply_terms(&mut self, terms: Terms<T>) {
        self.terms = terms;
        self.alert_at = alerts::alert_credits(terms.allotment());
        self.cycle.allotment = terms.allotment();
    }

    /// Applies a pending switch that comes before the event (`t`, `phase`).
    #[inline]
    fn advance_to(&mut self, t: T, phase: Phase) {
        if let Some(s) = self.pending_switch {
            if order::at_or_after(t, phase, s, Phase::OverageSwitch) {
                self.pending_switch = None;
                self.turn_overage_on(s);
            }
        }
    }

    fn turn_overage_on(&mut self, at: T) {
        if self.is_suspended() {
            self.cycle.resumed_at = Some(at);
        }
        self.overage_on = true;
        self.buy_blocks();
    }

    /// Buys blocks until used <= the current allotment.
    #[inline]
    fn buy_blocks(&mut self) {
        let c = &mut self.cycle;
        let block = self.terms.block_credits();
        // Saturating: near u64::MAX credits (a hostile log) must not panic.
        let covered = self
            .terms
            .allotment()
            .saturating_add(c.overage_blocks.saturating_mul(block));
        if c.credits_used > covered {
            let excess = c.credits_used - covered;
            let more = excess.div_ceil(block);
            c.overage_blocks = c.overage_blocks.saturating_add(more);
            c.overage_cost = c.overage_blocks as f64 * self.terms.block_price();
        }
    }

    /// A top-level run starts at `t`. `cloud` says whether it is a cloud run,
    /// `credits` what it would cost. Returns whether it executes; a blocked
    /// run is counted in this cycle and costs nothing.
    #[inline]
    pub fn start(&mut self, t: T, cloud: bool, credits: u64) -> Admission {
        self.advance_to(t, Phase::Start);
        if self.would_block(cloud, credits) {
            self.block(credits)
        } else {
            Admission::Executes
        }
    }

    /// Whether a top-level run that starts now would be blocked: the team
    /// is suspended and the run would consume credits (every cloud run; a
    /// manual run with a credit-costing block). The rule [`Ledger::start`]
    /// applies, for a caller that knows the state holds for a stretch.
    #[inline]
    pub(crate) fn would_block(&self, cloud: bool, credits: u64) -> bool {
        self.is_suspended() && (cloud || credits > 0)
    }

    /// A nested MCP-flow run starts at `t`: it executes if and only if its
    /// parent was admitted, whatever the limit says now.
    #[inline]
    pub(crate) fn start_nested(&mut self, t: T, credits: u64, parent: Admission) -> Admission {
        self.advance_to(t, Phase::Start);
        match parent {
            Admission::Executes => Admission::Executes,
            Admission::Blocked => self.block(credits),
        }
    }

    fn block(&mut self, credits: u64) -> Admission {
        self.cycle.runs_blocked += 1;
        self.cycle.blocked_credits = self.cycle.blocked_credits.saturating_add(credits);
        Admission::Blocked
    }

    /// An executed run that started at `started` ends at `t` with `charge`:
    /// its credits accrue now. (The start places the end among the events at
    /// `t`: see [`order`].)
    #[inline]
    pub fn end(&mut self, started: T, t: T, charge: &Charge) {
        self.end_total(started, t, charge.total);
        self.accrue_by_source(charge);
    }

    /// An executed run ends at `t` with `credits` in all, its split by
    /// source counted by the caller (a tally of its blocks, priced later)
    /// and handed over with [`Ledger::accrue_by_source`] before the cycle
    /// it ends in closes. Everything this cycle bills follows the total, so
    /// this is [`Ledger::end`] with the by-source part deferred: the record
    /// is the same once the tally is in.
    #[inline]
    pub(crate) fn end_total(&mut self, started: T, t: T, credits: u64) {
        self.advance_to(t, Phase::of_end(started, t));
        let c = &mut self.cycle;
        c.runs_executed += 1;
        c.credits_used = c.credits_used.saturating_add(credits);
        while self.next_alert < 3 && c.credits_used >= self.alert_at[self.next_alert] {
            c.alerts[self.next_alert] = Some(t);
            self.next_alert += 1;
        }
        if c.credits_used >= self.terms.allotment() && c.limit_reached_at.is_none() {
            c.limit_reached_at = Some(t);
            if !self.overage_on {
                c.suspended_at = Some(t);
            }
        }
        if self.overage_on {
            self.buy_blocks();
        }
    }

    /// Credits by source of runs that ended (or will end) in the current
    /// cycle and were booked with [`Ledger::end_total`]: their totals are
    /// already in; only the record's split by source is added.
    #[inline]
    pub(crate) fn accrue_by_source(&mut self, charge: &Charge) {
        for (a, b) in self.cycle.by_source.iter_mut().zip(charge.by_source) {
            *a = a.saturating_add(b);
        }
    }

    /// `runs` more runs end at the instant of the last [`Ledger::end`], with
    /// no credits of their own (nested MCP-flow runs, whose credits are in
    /// their parent's charge, or the runs of a frozen stretch summed into one
    /// charge): exactly what `runs` calls of `end` with an empty charge at
    /// that instant would do, since an empty charge crosses no level.
    #[inline]
    pub(crate) fn end_count(&mut self, runs: u64) {
        self.cycle.runs_executed = self.cycle.runs_executed.saturating_add(runs);
    }

    /// `runs` runs that would cost `credits` in all start while the team is
    /// suspended (before any pending switch): each is blocked, exactly as
    /// `runs` calls of [`Ledger::start`] would block them.
    pub(crate) fn block_many(&mut self, runs: u64, credits: u64) {
        debug_assert!(self.is_suspended());
        self.cycle.runs_blocked = self.cycle.runs_blocked.saturating_add(runs);
        self.cycle.blocked_credits = self.cycle.blocked_credits.saturating_add(credits);
    }

    /// Whether nothing that starts from now to the end of the cycle can
    /// change what this cycle bills except by its own credits: the limit is
    /// reached, and overage is on (every run executes and the blocks follow
    /// the credits) or the team is suspended and nothing but a pending
    /// switch, whose instant is known, can lift it (`reaction_possible`: the
    /// biller may still draw one).
    pub(crate) fn frozen(&self, reaction_possible: bool) -> bool {
        self.cycle.limit_reached_at.is_some()
            && (self.overage_on || (self.is_suspended() && !reaction_possible))
    }

    /// The instant overage is to be switched on, if a switch is pending.
    pub(crate) fn pending_switch(&self) -> Option<T> {
        self.pending_switch
    }

    /// Closes the current cycle and opens the next one at `next_start`;
    /// returns the closed cycle. A switch that falls before `next_start`
    /// is applied to the closing cycle first (it bills what was above the
    /// allotment then).
    pub fn next_cycle(&mut self, next_start: T) -> CycleRecord<T> {
        self.settle_before(next_start);
        self.next_alert = 0;
        let fresh = CycleRecord::new(next_start, self.terms.allotment());
        let closed = std::mem::replace(&mut self.cycle, fresh);
        // Plan changes due by this cycle's start take effect now (the last
        // one due wins).
        let due = self
            .pending_terms
            .partition_point(|(p, _)| *p <= next_start);
        if due > 0 {
            let terms = self.pending_terms[due - 1].1;
            self.pending_terms.drain(..due);
            self.apply_terms(terms);
        }
        closed
    }

    /// Closes the last cycle, which ends at `cycle_end`, and returns it.
    pub fn finish(mut self, cycle_end: T) -> CycleRecord<T> {
        self.settle_before(cycle_end);
        self.cycle
    }

    fn settle_before(&mut self, end: T) {
        if let Some(s) = self.pending_switch {
            if s < end {
                self.advance_to(s, Phase::OverageSwitch);
            }
        }
    }
}
