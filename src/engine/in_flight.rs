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

/// A run in flight that has just ended: its start, its end and its slot.
pub(crate) struct Pending {
    pub start: i64,
    pub end: i64,
    pub slot: u32,
}

/// What an entry books when it ends.
pub(crate) enum Booked<'a> {
    /// Its credits in all; their split by source is in a tally.
    Total(u64),
    /// Its whole charge.
    Charge(&'a Charge),
}

/// An entry's slot (its charge, if it carries one, in `charges`).
#[derive(Clone, Copy)]
struct Slot {
    start: i64,
    /// Runs besides the first that end with it.
    nested: u64,
    total: u64,
    charge: u32,
}

/// `Slot::charge` of an entry that carries only its total.
const NO_CHARGE: u32 = u32::MAX;

/// The runs in flight, earliest end first (then earliest start). Keys are
/// kept sorted in a vector (latest end at the front), slots in a slab:
/// with runs much shorter than the gaps between them there are usually zero
/// to two in flight, and a push or pop then touches one small key.
#[derive(Default)]
pub(crate) struct InFlight {
    /// (end, sequence number, slot), descending.
    keys: Vec<(i64, u64, u32)>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    charges: Vec<Charge>,
    free_charges: Vec<u32>,
    seq: u64,
}

impl InFlight {
    pub fn clear(&mut self) {
        self.keys.clear();
        self.slots.clear();
        self.free.clear();
        self.charges.clear();
        self.free_charges.clear();
        self.seq = 0;
    }

    /// An entry that books `credits` in all when it ends (its split by
    /// source is tallied by the caller).
    #[inline]
    pub fn push_total(&mut self, start: i64, end: i64, credits: u64, nested: u64) {
        self.insert(
            end,
            Slot {
                start,
                nested,
                total: credits,
                charge: NO_CHARGE,
            },
        );
    }

    /// An entry that books `charge` when it ends.
    pub fn push(&mut self, start: i64, end: i64, charge: Charge, nested: u64) {
        let c = place(&mut self.charges, &mut self.free_charges, charge);
        self.insert(
            end,
            Slot {
                start,
                nested,
                total: charge.total,
                charge: c,
            },
        );
    }

    #[inline]
    fn insert(&mut self, end: i64, entry: Slot) {
        let slot = place(&mut self.slots, &mut self.free, entry);
        self.seq += 1;
        let seq = self.seq;
        // Later ends (and, at equal ends, later starts) sit nearer the front.
        let pos = self
            .keys
            .partition_point(|k| k.0 > end || (k.0 == end && k.1 > seq));
        self.keys.insert(pos, (end, seq, slot));
    }

    /// Whether the earliest run's end is billed before a start at `t`
    /// ([`order::end_before_start`]; the run's start is looked up only on a
    /// tie, the rare case).
    #[inline]
    pub fn ends_before_start(&self, t: i64) -> bool {
        match self.keys.last() {
            Some(&(end, _, _)) if end < t => true,
            Some(&(end, _, slot)) if end == t => {
                order::end_before_start(self.slots[slot as usize].start, end, t)
            }
            _ => false,
        }
    }

    /// Removes the earliest run; its slot stays valid until the next push.
    #[inline]
    pub fn pop(&mut self) -> Option<Pending> {
        let (end, _, slot) = self.keys.pop()?;
        self.free.push(slot);
        let s = &self.slots[slot as usize];
        if s.charge != NO_CHARGE {
            self.free_charges.push(s.charge);
        }
        Some(Pending {
            start: s.start,
            end,
            slot,
        })
    }

    /// What a popped entry books, and how many runs besides the first end
    /// with it.
    #[inline]
    pub fn slot(&self, slot: u32) -> (Booked<'_>, u64) {
        let s = &self.slots[slot as usize];
        let booked = match self.charges.get(s.charge as usize) {
            Some(c) if s.charge != NO_CHARGE => Booked::Charge(c),
            _ => Booked::Total(s.total),
        };
        (booked, s.nested)
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

impl InFlight {
    /// The earliest end, if any.
    #[inline]
    pub fn next_end(&self) -> Option<i64> {
        self.keys.last().map(|k| k.0)
    }
}
