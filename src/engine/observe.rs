//! Observers: what consumes the simulator's team-months, in a fixed
//! (trial, kind, team, cycle) order, whatever the thread count. Collectors
//! of statistics implement [`Observer`]; a pair of observers, or a mutable
//! reference to one, is one too, so a caller feeds several collectors the
//! same pass without writing a struct for it; [`Nothing`] ignores all.

use super::TeamMonth;

/// Something that consumes team-months in a fixed order.
pub trait Observer {
    /// One team-month; called in (trial, kind, team, cycle) order.
    fn team_month(&mut self, tm: &TeamMonth<'_>);
    /// Every team-month of `trial` has been seen.
    fn trial_end(&mut self, _trial: u32) {}
}

impl<A: Observer + ?Sized> Observer for &mut A {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        (**self).team_month(tm)
    }
    fn trial_end(&mut self, trial: u32) {
        (**self).trial_end(trial)
    }
}

impl<A: Observer, B: Observer> Observer for (A, B) {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        self.0.team_month(tm);
        self.1.team_month(tm);
    }
    fn trial_end(&mut self, trial: u32) {
        self.0.trial_end(trial);
        self.1.trial_end(trial);
    }
}

/// An observer that ignores everything.
pub struct Nothing;

impl Observer for Nothing {
    fn team_month(&mut self, _tm: &TeamMonth<'_>) {}
}
