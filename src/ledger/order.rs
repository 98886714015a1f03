//! The order of events at one instant: the one tie rule of the billing
//! contract (shared/usage-log.md, "The month"), used by the simulator and by
//! replay alike.
//!
//! At equal instants:
//! 1. ends of runs that started earlier (ends before starts);
//! 2. an overage switch that falls at that instant (so a team that switches
//!    on at the very instant it is suspended admits the starts that follow);
//! 3. starts (a nested MCP-flow run after its parent);
//! 4. ends of runs that started at that same instant (zero-length runs): a
//!    run cannot end before it starts, and starts at one instant never change
//!    each other's fate, so the order of rows in a log never matters.
//!
//! The phase of an end depends on the run's start, so every caller hands the
//! ledger the run's start together with its end ([`Phase::of_end`]).

/// Where an event falls among the events at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// The end of a run that started before this instant.
    EndOfEarlierRun,
    /// Overage switched on.
    OverageSwitch,
    /// A run starts.
    Start,
    /// The end of a run that started at this same instant.
    EndOfZeroLengthRun,
}

impl Phase {
    /// The phase of the end of a run that started at `start` and ends at `end`.
    #[inline]
    pub fn of_end<T: PartialOrd>(start: T, end: T) -> Phase {
        if start < end {
            Phase::EndOfEarlierRun
        } else {
            Phase::EndOfZeroLengthRun
        }
    }
}

/// Whether the event (`t`, `phase`) comes at or after the event (`at`,
/// `then`) in billing order.
#[inline]
pub(crate) fn at_or_after<T: PartialOrd>(t: T, phase: Phase, at: T, then: Phase) -> bool {
    at < t || (at == t && then <= phase)
}

/// Whether the end at `end` of a run that started at `run_start` is applied
/// before a run that starts at `t`.
#[inline]
pub fn end_before_start<T: PartialOrd + Copy>(run_start: T, end: T, t: T) -> bool {
    !at_or_after(end, Phase::of_end(run_start, end), t, Phase::Start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_of_earlier_runs_precede_starts_and_zero_length_ends_follow_them() {
        // A run from 0 to 10 ends before a start at 10.
        assert!(end_before_start(0, 10, 10));
        // A zero-length run at 10 ends after a start at 10 ...
        assert!(!end_before_start(10, 10, 10));
        // ... but before a start at 11.
        assert!(end_before_start(10, 10, 11));
        // An end after the start is never before it.
        assert!(!end_before_start(0, 12, 10));
        assert!(
            Phase::EndOfEarlierRun < Phase::OverageSwitch
                && Phase::OverageSwitch < Phase::Start
                && Phase::Start < Phase::EndOfZeroLengthRun
        );
    }
}
