//! The runs in flight of one team: executed runs waiting for their end,
//! earliest end first. An entry may also stand for several runs that end
//! together (a run with its nested MCP-flow runs, or the runs of a frozen
//! stretch that end within one day: [`super::frozen`]).
//!
//! Most entries carry only their credits: a run that ends in the cycle it
//! starts in has its blocks tallied by source when it starts, and the tally
//! is priced when the cycle closes ([`crate::pricing::BlockTally`]). An
//! entry whose charge by source must arrive with it (it ends in a later
//! cycle, or it sums a frozen day) carries the whole charge.

use crate::ledger::order;
use crate::pricing::Charge;

/// A run in flight that has just ended: its start, its end, how many runs
/// besides the first end with it, and what it books (its charge, if it
/// carries one, stays in the charge slab until the next push).
#[derive(Clone, Copy)]
pub(crate) struct Pending {
    pub start: i64,
    pub end: i64,
    /// Runs besides the first that end with it.
    pub nested: u64,
    total: u64,
    charge: u32,
}

/// What an entry books when it ends.
pub(crate) enum Booked<'a> {
    /// Its credits in all; their split by source is in a tally.
    Total(u64),
    /// Its whole charge.
    Charge(&'a Charge),
}

/// One entry, as kept in the sorted keys.
#[derive(Clone, Copy)]
struct Entry {
    end: i64,
    /// Insertion order: at equal ends, the earlier pushed ends first.
    seq: u64,
    run: Pending,
}

/// `Pending::charge` of an entry that carries only its total.
const NO_CHARGE: u32 = u32::MAX;

/// The runs in flight, earliest end first (then earliest pushed). Entries
/// are kept sorted in a vector, latest end at the front, whole: with runs
/// much shorter than the gaps between them there are usually zero to two in
/// flight, and a push or pop then moves one small entry and needs no slab
/// (only whole charges, which few entries carry, live in one).
#[derive(Default)]
pub(crate) struct InFlight {
    entries: Vec<Entry>,
    charges: Vec<Charge>,
    free_charges: Vec<u32>,
    seq: u64,
}

impl InFlight {
    pub fn clear(&mut self) {
        self.entries.clear();
        self.charges.clear();
        self.free_charges.clear();
        self.seq = 0;
    }

    /// An entry that books `credits` in all when it ends (its split by
    /// source is tallied by the caller).
    #[inline]
    pub fn push_total(&mut self, start: i64, end: i64, credits: u64, nested: u64) {
        self.insert(Pending {
            start,
            end,
            nested,
            total: credits,
            charge: NO_CHARGE,
        });
    }

    /// An entry that books `charge` when it ends.
    pub fn push(&mut self, start: i64, end: i64, charge: Charge, nested: u64) {
        let c = place(&mut self.charges, &mut self.free_charges, charge);
        self.insert(Pending {
            start,
            end,
            nested,
            total: charge.total,
            charge: c,
        });
    }

    #[inline]
    fn insert(&mut self, run: Pending) {
        self.seq += 1;
        let (end, seq) = (run.end, self.seq);
        // Later ends (and, at equal ends, later pushes) sit nearer the front.
        let pos = self
            .entries
            .partition_point(|k| k.end > end || (k.end == end && k.seq > seq));
        self.entries.insert(pos, Entry { end, seq, run });
    }

    /// Whether the earliest run's end is billed before a start at `t`
    /// ([`order::end_before_start`]; the run's start matters only on a
    /// tie, the rare case).
    #[inline]
    pub fn ends_before_start(&self, t: i64) -> bool {
        match self.entries.last() {
            Some(e) if e.end < t => true,
            Some(e) if e.end == t => order::end_before_start(e.run.start, e.end, t),
            _ => false,
        }
    }

    /// Removes the earliest run; what it books stays valid until the next
    /// push.
    #[inline]
    pub fn pop(&mut self) -> Option<Pending> {
        let run = self.entries.pop()?.run;
        if run.charge != NO_CHARGE {
            self.free_charges.push(run.charge);
        }
        Some(run)
    }

    /// What a popped entry books.
    #[inline]
    pub fn booked(&self, p: &Pending) -> Booked<'_> {
        match self.charges.get(p.charge as usize) {
            Some(c) if p.charge != NO_CHARGE => Booked::Charge(c),
            _ => Booked::Total(p.total),
        }
    }

    /// The earliest end, if any.
    #[inline]
    pub fn next_end(&self) -> Option<i64> {
        self.entries.last().map(|e| e.end)
    }
}

/// Puts `item` in a free place of `items` (or a new one) and returns it.
#[inline(always)]
fn place<T>(items: &mut Vec<T>, free: &mut Vec<u32>, item: T) -> u32 {
    match free.pop() {
        Some(i) => {
            items[i as usize] = item;
            i
        }
        None => {
            items.push(item);
            (items.len() - 1) as u32
        }
    }
}
