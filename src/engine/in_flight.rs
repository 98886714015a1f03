//! The runs in flight of one team: executed runs waiting for their end,
//! earliest end first. An entry may also stand for several runs that end
//! together (a run with its nested MCP-flow runs, or the runs of a frozen
//! stretch that end within one day: [`super::frozen`]).

use crate::ledger::order;
use crate::pricing::Charge;

/// A run in flight that has just ended: its start, its end and its slot.
pub(crate) struct Pending {
    pub start: i64,
    pub end: i64,
    pub slot: u32,
}

/// The runs in flight, earliest end first (then earliest start). Keys are
/// kept sorted in a vector (latest end at the front), charges in a slab:
/// with runs much shorter than the gaps between them there are usually zero
/// to two in flight, and a push or pop then touches one small key.
#[derive(Default)]
pub(crate) struct InFlight {
    /// (end, sequence number, slot), descending.
    keys: Vec<(i64, u64, u32)>,
    /// (charge, runs besides the first that end with it, start).
    slots: Vec<(Charge, u64, i64)>,
    free: Vec<u32>,
    seq: u64,
}

impl InFlight {
    pub fn clear(&mut self) {
        self.keys.clear();
        self.slots.clear();
        self.free.clear();
        self.seq = 0;
    }

    #[inline]
    pub fn push(&mut self, start: i64, end: i64, charge: Charge, nested: u64) {
        let slot = match self.free.pop() {
            Some(s) => {
                self.slots[s as usize] = (charge, nested, start);
                s
            }
            None => {
                self.slots.push((charge, nested, start));
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

    /// Whether the earliest run's end is billed before a start at `t`
    /// ([`order::end_before_start`]; the run's start is looked up only on a
    /// tie, the rare case).
    #[inline]
    pub fn ends_before_start(&self, t: i64) -> bool {
        match self.keys.last() {
            Some(&(end, _, _)) if end < t => true,
            Some(&(end, _, slot)) if end == t => {
                order::end_before_start(self.slots[slot as usize].2, end, t)
            }
            _ => false,
        }
    }

    /// Removes the earliest run; its slot stays valid until the next push.
    #[inline]
    pub fn pop(&mut self) -> Option<Pending> {
        let (end, _, slot) = self.keys.pop()?;
        self.free.push(slot);
        Some(Pending {
            start: self.slots[slot as usize].2,
            end,
            slot,
        })
    }

    /// The charge and nested-run count of a popped run.
    #[inline]
    pub fn slot(&self, slot: u32) -> (&Charge, u64) {
        let s = &self.slots[slot as usize];
        (&s.0, s.1)
    }
}

impl InFlight {
    /// The earliest end, if any.
    #[inline]
    pub fn next_end(&self) -> Option<i64> {
        self.keys.last().map(|k| k.0)
    }
}
