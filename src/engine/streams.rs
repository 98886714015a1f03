//! Random streams: one independent generator per (seed, trial, kind, team,
//! purpose), derived from those numbers alone through SplitMix64 mixing, so
//! that results do not depend on thread count or scheduling order.
//!
//! Purposes per team: the usage stream (size and bursts), one stream per
//! billing cycle for its runs ([`cycle_stream`]: arrivals, block counts,
//! durations), the sub-streams of a cycle's frozen stretch
//! ([`day_streams`]), the reaction stream (the delay before switching
//! overage on), one stream per reaction at the cap ([`reaction_stream`]) and
//! the thinning stream of a throttled team. Keeping them apart makes the
//! usage a team generates identical whatever its plan or overage policy
//! (common random numbers: `compare` relies on it).

use crate::workload::sampling::SimRng;
use rand::SeedableRng;

/// What a stream is used for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Purpose {
    /// Size, arrivals, block counts, durations.
    Usage = 1,
    /// Billing reactions (overage switch delay).
    Reaction = 2,
    /// Shocks shared by the whole population in a trial (one stream per
    /// trial, drawn at kind 0, team 0).
    Shock = 3,
    /// A throttled team's coin flips (which arrivals it keeps).
    Thinning = 4,
}

/// The first purpose code of [`reaction_stream`]s (reaction `i` of a kind
/// uses `REACTIONS + i`), clear of [`Purpose`]'s codes.
const REACTIONS: u64 = 16;

/// The stream of reaction `i` of a team's kind (its delay).
pub fn reaction_stream(seed: u64, trial: u32, kind: usize, team: u32, i: u64) -> SimRng {
    stream_code(seed, trial, kind, team, REACTIONS + i)
}

/// The first purpose code of [`cycle_stream`]s (cycle `c` uses
/// `CYCLES + c`), clear of the codes above.
const CYCLES: u64 = 1 << 32;

/// The stream a team's runs in billing cycle `cycle` are drawn from (its
/// size and bursts come from [`Purpose::Usage`]): each cycle starts afresh,
/// so what a team does in one cycle does not shift the draws of the next
/// (common random numbers across variants that bill a cycle differently).
pub fn cycle_stream(seed: u64, trial: u32, kind: usize, team: u32, cycle: u32) -> SimRng {
    stream_code(seed, trial, kind, team, CYCLES + u64::from(cycle))
}

/// The sub-streams of one team's frozen stretch in one cycle (see
/// [`DayStreams::get`]): the team-and-cycle part of the key is mixed once
/// per stretch, each (day, flow, piece) adds three mixes and the state's four.
#[derive(Clone, Copy, Debug)]
pub struct DayStreams(u64);

/// The sub-streams of team `team`'s frozen stretch in cycle `cycle`.
pub fn day_streams(seed: u64, trial: u32, kind: usize, team: u32, cycle: u32) -> DayStreams {
    // A purpose code of its own, above every other (cycle streams included).
    DayStreams(key(seed, trial, kind, team, (1 << 63) | u64::from(cycle)))
}

impl DayStreams {
    /// The sub-stream of one (day of the cycle, flow, price piece): the same
    /// day of the same flow draws the same numbers in every variant that
    /// froze before it (its counts and timings, then its summed charge).
    pub fn get(&self, day: u64, flow: usize, piece: usize) -> SimRng {
        let mut h = mix64(self.0 ^ day);
        h = mix64(h ^ flow as u64);
        h = mix64(h ^ piece as u64);
        from_key(h)
    }
}

/// SplitMix64's finaliser: a bijective mix of 64 bits.
#[inline]
pub fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The generator of one team's stream in one trial.
pub fn stream(seed: u64, trial: u32, kind: usize, team: u32, purpose: Purpose) -> SimRng {
    stream_code(seed, trial, kind, team, purpose as u64)
}

fn stream_code(seed: u64, trial: u32, kind: usize, team: u32, purpose: u64) -> SimRng {
    from_key(key(seed, trial, kind, team, purpose))
}

/// One stream's key: chained mixing, so each input changes every later bit.
fn key(seed: u64, trial: u32, kind: usize, team: u32, purpose: u64) -> u64 {
    let mut h = mix64(seed);
    h = mix64(h ^ u64::from(trial));
    h = mix64(h ^ kind as u64);
    h = mix64(h ^ u64::from(team));
    mix64(h ^ purpose)
}

/// The generator whose state is the SplitMix64 sequence from `h`.
fn from_key(h: u64) -> SimRng {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_exact_mut(8).enumerate() {
        // SplitMix64 sequence from h: four well-mixed words of state.
        let w = mix64(h.wrapping_add((i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15)));
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    SimRng::from_seed(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    #[test]
    fn streams_differ_by_every_input_and_repeat_exactly() {
        let base = stream(1, 2, 0, 3, Purpose::Usage).next_u64();
        assert_eq!(base, stream(1, 2, 0, 3, Purpose::Usage).next_u64());
        for other in [
            stream(2, 2, 0, 3, Purpose::Usage),
            stream(1, 3, 0, 3, Purpose::Usage),
            stream(1, 2, 1, 3, Purpose::Usage),
            stream(1, 2, 0, 4, Purpose::Usage),
            stream(1, 2, 0, 3, Purpose::Reaction),
        ] {
            let mut o = other;
            assert_ne!(base, o.next_u64());
        }
    }
}
