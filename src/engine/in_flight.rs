//! The runs in flight of one team: executed runs waiting for their end,
//! earliest end first. An entry may also stand for several runs that end
//! together (a run with its nested MCP-flow runs, or the runs of a frozen
//! stretch that end within one day: `team::frozen`).
//!
//! Most entries carry only their credits: a run that ends in the cycle it
//! starts in has its blocks tallied by source when it starts, and the tally
//! is priced when the cycle closes ([`crate::pricing::BlockTally`]). An
//! entry whose charge by source must arrive with it (it ends in a later
//! cycle, or it sums a frozen day) carries the whole charge.

use crate::ledger::order;
use crate::pricing::Charge;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

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

/// One entry in flight.
#[derive(Clone, Copy)]
struct Entry {
    run: Pending,
    /// Insertion order: at equal ends, the earlier pushed ends first.
    seq: u64,
}

impl Entry {
    /// Whether it is billed after the entry with key `(end, seq)`: a later
    /// end or, at equal ends, a later push. (The key by value: a search
    /// that compares against an entry in memory measured 2% more
    /// instructions per run.)
    #[inline]
    fn after(&self, end: i64, seq: u64) -> bool {
        self.run.end > end || (self.run.end == end && self.seq > seq)
    }
}

impl PartialEq for Entry {
    fn eq(&self, o: &Entry) -> bool {
        (self.run.end, self.seq) == (o.run.end, o.seq)
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Entry) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

/// The heap is a max-heap: the greatest is the first to end.
impl Ord for Entry {
    fn cmp(&self, o: &Entry) -> Ordering {
        (o.run.end, o.seq).cmp(&(self.run.end, self.seq))
    }
}

/// `Pending::charge` of an entry that carries only its total.
const NO_CHARGE: u32 = u32::MAX;

/// Entries kept in the sorted vector before they move to the heap.
const FEW: usize = 64;

/// The runs in flight, earliest end first (then earliest pushed; `(end,
/// seq)` is unique, so the order is total and does not depend on where
/// the entries are kept). With runs much shorter than the gaps between
/// them there are usually zero to two in flight: they are kept whole in a
/// small vector sorted latest end first, where a push or pop moves one
/// small entry. The vector holds at most [`FEW`], the first to end; with
/// more in flight (long runs at a high rate: thousands may be), the later
/// ones wait in a binary heap, where a push or pop costs a logarithm
/// instead of a move of the whole vector. Only whole charges, which few
/// entries carry, live in a slab.
#[derive(Default)]
pub(crate) struct InFlight {
    few: Vec<Entry>,
    many: BinaryHeap<Entry>,
    charges: Vec<Charge>,
    free_charges: Vec<u32>,
    seq: u64,
}

impl InFlight {
    pub fn clear(&mut self) {
        self.few.clear();
        self.many.clear();
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
        let c = match self.free_charges.pop() {
            Some(c) => {
                self.charges[c as usize] = charge;
                c
            }
            None => {
                self.charges.push(charge);
                (self.charges.len() - 1) as u32
            }
        };
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
        let e = Entry { run, seq };
        // The vector holds the first entries to end; the heap, if any,
        // only ones that end after all of them.
        if self.few.len() < FEW && self.many.is_empty() {
            // Entries billed later sit nearer the front.
            let pos = self.few.partition_point(|k| k.after(end, seq));
            self.few.insert(pos, e);
        } else {
            self.insert_many(e);
        }
    }

    /// Many in flight: `e` goes where it belongs, and the vector keeps at
    /// most [`FEW`] entries, the first to end. (Out of line: the common
    /// case's code stays small.)
    #[cold]
    #[inline(never)]
    fn insert_many(&mut self, e: Entry) {
        match self.few.first() {
            // It ends after everything in the vector: to the heap.
            Some(latest) if e.after(latest.run.end, latest.seq) => self.many.push(e),
            _ => {
                let pos = self.few.partition_point(|k| k.after(e.run.end, e.seq));
                self.few.insert(pos, e);
                if self.few.len() > FEW {
                    self.many.push(self.few.remove(0));
                }
            }
        }
    }

    /// The vector is empty and the heap is not: the next [`FEW`] entries
    /// to end move to the vector.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) {
        while self.few.len() < FEW {
            let Some(e) = self.many.pop() else { break };
            self.few.push(e);
        }
        // Popped earliest first; the vector's back is the first to end.
        self.few.reverse();
    }

    /// The entry that ends first.
    #[inline]
    fn earliest(&self) -> Option<&Entry> {
        self.few.last()
    }

    /// Whether the earliest run's end is billed before a start at `t`
    /// ([`order::end_before_start`]; the run's start matters only on a
    /// tie, the rare case).
    #[inline]
    pub fn ends_before_start(&self, t: i64) -> bool {
        match self.earliest() {
            Some(e) if e.run.end < t => true,
            Some(e) if e.run.end == t => order::end_before_start(e.run.start, e.run.end, t),
            _ => false,
        }
    }

    /// Removes the earliest run; what it books stays valid until the next
    /// push.
    #[inline]
    pub fn pop(&mut self) -> Option<Pending> {
        let run = self.few.pop()?.run;
        if self.few.is_empty() && !self.many.is_empty() {
            self.refill();
        }
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
        self.earliest().map(|e| e.run.end)
    }
}

#[cfg(test)]
mod tests {
    use super::super::streams::mix64;
    use super::*;
    use std::collections::BTreeMap;

    /// A tiny deterministic generator (the SplitMix64 sequence from the
    /// streams' mix), so the test needs no seed plumbing.
    struct Mix(u64);
    impl Mix {
        fn next(&mut self, n: u64) -> u64 {
            let z = mix64(self.0);
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            z % n
        }
    }

    /// Against a reference that keeps every entry keyed by (end, order of
    /// push): runs come out in that order whether few or thousands are in
    /// flight (the vector, the spill to the heap and the refill), and each
    /// books what it was pushed with.
    #[test]
    fn runs_end_in_end_then_push_order_with_few_or_many_in_flight() {
        let mut rng = Mix(7);
        let mut f = InFlight::default();
        let mut model: BTreeMap<(i64, u64), (i64, u64, Option<u64>)> = BTreeMap::new();
        let mut pushed = 0u64;
        let mut popped = 0u64;
        let mut spilled = false;
        // Phases: mostly pops (0 to 2 in flight), then mostly pushes (up to
        // thousands), then drain; ends drawn from a small range, so that
        // equal ends are common.
        for (steps, push_in_8) in [(5_000, 4), (20_000, 7), (30_000, 1)] {
            for _ in 0..steps {
                if rng.next(8) < push_in_8 {
                    let start = rng.next(1_000) as i64;
                    let end = start + rng.next(500) as i64;
                    let nested = rng.next(3);
                    pushed += 1;
                    let whole = rng.next(4) == 0;
                    if whole {
                        let charge = Charge {
                            total: pushed,
                            ..Charge::default()
                        };
                        f.push(start, end, charge, nested);
                    } else {
                        f.push_total(start, end, pushed, nested);
                    }
                    model.insert((end, pushed), (start, nested, whole.then_some(pushed)));
                    spilled |= !f.many.is_empty();
                } else {
                    let want = model.pop_first();
                    assert_eq!(f.next_end(), want.map(|((e, _), _)| e));
                    let got = f.pop();
                    match (got, want) {
                        (None, None) => {}
                        (Some(p), Some(((end, id), (start, nested, whole)))) => {
                            popped += 1;
                            assert_eq!((p.end, p.start, p.nested), (end, start, nested));
                            match (f.booked(&p), whole) {
                                (Booked::Total(t), None) => assert_eq!(t, id),
                                (Booked::Charge(c), Some(w)) => assert_eq!(c.total, w),
                                _ => panic!("entry {id} booked the wrong kind"),
                            }
                        }
                        _ => panic!("in flight and the reference disagree on emptiness"),
                    }
                }
            }
        }
        assert!(model.is_empty() && f.pop().is_none());
        // The phases did reach the heap and come back.
        assert!(spilled && pushed > 10_000 && popped == pushed);
    }
}
