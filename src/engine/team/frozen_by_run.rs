//! The rest of a frozen cycle run by run: the reference path (`--per-run`)
//! once a team's state is frozen (see [`super::frozen`] for when that is).
//!
//! Every run is still drawn one at a time, from the cycle's stream, in the
//! order the main loop draws it, and admitted by the rule that holds for
//! the rest of the cycle (overage on: every run executes; suspended with no
//! switch pending: a run that costs credits is blocked, a free manual run
//! and its nested runs execute). What changes is the bookkeeping. Once
//! frozen, nothing a run does can change how the cycle is billed except
//! through its credits, so the ledger needs only sums: the executed runs'
//! credits per day they end on, booked at the day's last nanosecond after
//! the runs in flight that end by then, and the blocked runs in one call.
//! The records and the daily sums come out the same as booking each run
//! at its own end (a test below checks this against the main loop on every
//! shipped scenario and the targeted ones, byte for byte), without an
//! in-flight entry, a ledger start and a ledger end per run.
//!
//! Only the day a run ends on matters, so its duration's value is worked
//! out only when that day is in doubt: a log-normal draw whose logarithm
//! is below its tail's bound ([`crate::workload::sampling::Tail::within`])
//! lasts at most `w`, and a run that starts more than `w` before its day's
//! end then ends that day, without an `exp`. A blocked run's duration is
//! drawn (the stream must stay the main loop's) and never worked out.

use super::super::clock::{day_at, day_of, days_in, to_ns};
use super::super::in_flight::{Booked, InFlight};
use super::{first_start, next_arrival, Cursor, TeamTrial};
use crate::pricing::Charge;
use crate::workload::arrivals::TeamRate;
use crate::workload::runs::{NestedCredits, RunPlan};
use crate::workload::sampling::SimRng;

/// Where the main loop's flows and prices stand (updated in place).
pub(super) struct Draws<'a, 'p> {
    pub rates: &'a [TeamRate],
    pub cursors: &'a mut [Cursor],
    pub heads: &'a mut [f64],
    pub rng: &'a mut SimRng,
    /// The price piece in force, when it ends, and its run plans.
    pub piece: &'a mut usize,
    pub next_piece: &'a mut i64,
    pub plans: &'a mut &'p [RunPlan],
}

/// Buffers reused from team to team.
#[derive(Default)]
pub(super) struct Buffers {
    /// Per day of the cycle: credits and runs (nested included) of the
    /// executed runs that end that day.
    days: Vec<(u64, u64)>,
    nested: Vec<u64>,
}

impl<'c> TeamTrial<'c, '_> {
    /// Draws and books every run that starts in the rest of cycle `cycle`,
    /// run by run; the team's state is frozen and either overage is on or
    /// no switch is pending. Returns the runs started (nested included).
    pub(super) fn rest_by_run(
        &mut self,
        cycle: usize,
        d: Draws<'_, 'c>,
        heap: &mut InFlight,
        buf: &mut Buffers,
    ) -> u64 {
        let work = &self.cx.k.work;
        let (start, end) = (self.cx.bounds[cycle], self.cx.bounds[cycle + 1]);
        buf.days.clear();
        buf.days.resize(days_in(start, end) as usize, (0, 0));
        debug_assert!(self.ledger.overage_on() || self.ledger.pending_switch().is_none());
        let (mut started, mut blocked_runs, mut blocked_credits) = (0u64, 0u64, 0u64);
        // The day the last start fell on, and its end (starts come in time
        // order).
        let (mut day, mut day_end) = (0usize, i64::MIN);
        while let Some((best, bf)) = first_start(d.heads) {
            let t = to_ns(best);
            if t >= end {
                break;
            }
            next_arrival(work, d.rates, d.cursors, d.heads, bf, d.rng);
            // A run is priced by the version in force at its start.
            if t >= *d.next_piece {
                (*d.piece, *d.next_piece) = work.piece_at(t);
                *d.plans = work.plans(*d.piece, self.react.mask);
                self.price_with(d.plans);
            }
            let plans: &'c [RunPlan] = d.plans;
            let plan = &plans[bf];
            buf.nested.clear();
            let mut nested_charge = Charge::default();
            let mut sink = NestedCredits {
                credits: &mut buf.nested,
                charge: &mut nested_charge,
            };
            let counts = plan.draw(plans, d.rng, &mut sink, None);
            let own = plan.folded.credits(&counts);
            // The duration is drawn whatever happens (the stream stays the
            // main loop's); its value is worked out only if it matters.
            let duration = plan.duration.draw_lazy(d.rng);
            let runs = 1 + buf.nested.len() as u64;
            let credits = own.saturating_add(nested_charge.total);
            started += runs;
            self.m.demand = self.m.demand.saturating_add(credits);
            // The ledger's rule (frozen, it holds for the whole stretch); the
            // nested runs follow their parent.
            if self.ledger.would_block(plan.cloud, own) {
                blocked_runs += runs;
                blocked_credits = blocked_credits.saturating_add(credits);
                continue;
            }
            if t >= day_end {
                day = day_at(start, t) as usize;
                day_end = day_of(start, end, day as u64).1;
            }
            // A run known to last at most `w` that starts more than `w`
            // before its day's end ends that day (`to_ns` is monotone);
            // otherwise its end is worked out.
            let same_day = self.cx.k.tail_bound_ns[bf] < day_end - t
                && self.cx.k.tails[bf]
                    .as_ref()
                    .is_some_and(|w| w.within(duration));
            let ends_on = if same_day {
                day
            } else {
                let run_end = t.saturating_add(to_ns(duration.value()));
                if run_end >= end {
                    // It ends in a later cycle, which bills it at its instant.
                    let mut charge = plan.folded.charge(&counts);
                    charge.absorb(&nested_charge);
                    heap.push(t, run_end, charge, runs - 1);
                    continue;
                }
                day_at(start, run_end) as usize
            };
            plan.folded.tally(&mut self.tallies[bf], &counts);
            if runs > 1 {
                self.nested_tally.absorb(&nested_charge);
            }
            let sum = &mut buf.days[ends_on];
            sum.0 = sum.0.saturating_add(credits);
            sum.1 += runs;
        }
        self.m.runs_started += started;
        if blocked_runs > 0 {
            self.ledger.block_many(blocked_runs, blocked_credits);
        }
        for (i, &(credits, runs)) in buf.days.iter().enumerate() {
            if runs > 0 {
                let at = day_of(start, end, i as u64).1 - 1;
                self.book_day(at, Booked::Total(credits), runs, heap);
            }
        }
        started
    }
}

#[cfg(test)]
mod tests {
    use super::super::{simulate_teams, RunTap, Scratch, SimRun, TaskOut};
    use crate::engine::compile;

    /// Sees every run and keeps nothing: with a tap, the engine simulates
    /// every run through its main loop, a ledger start and end per run.
    struct Ignore;

    impl RunTap for Ignore {
        fn team(&mut self, _kind: usize, _team: u32) {}
        fn run(&mut self, _r: &SimRun<'_>) {}
    }

    /// Every team-month of the first `teams` teams of each kind in trials
    /// 0..2: records, daily sums and runs.
    fn months(s: &crate::scenario::Scenario, teams: u32, tap: bool) -> Vec<String> {
        let ctx = compile(s, 17).unwrap();
        let mut sc = Scratch::default();
        let mut all = Vec::new();
        for trial in 0..2 {
            let shared = ctx.shared(trial);
            for (kind, k) in ctx.kinds.iter().enumerate() {
                let mut out = TaskOut::default();
                let cx = ctx.team_ctx(kind, trial, shared.as_deref(), false);
                let range = 0..k.teams.min(teams);
                if tap {
                    simulate_teams(&cx, range, &mut sc, &mut out, Some(&mut Ignore));
                } else {
                    simulate_teams(&cx, range, &mut sc, &mut out, None);
                }
                for m in &out.months {
                    all.push(format!(
                        "{} {} {} {:?} {:?} {} {} {} {:?}",
                        trial,
                        m.kind,
                        m.team,
                        m.record,
                        m.switch_at,
                        m.plan,
                        m.demand_credits,
                        m.runs_started,
                        &out.daily[m.daily.clone()]
                    ));
                }
                all.push(format!("runs {}", out.runs));
            }
        }
        all
    }

    fn scenario_files(dir: &str) -> Vec<std::path::PathBuf> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        files
    }

    /// Run by run, the rest of a frozen cycle booked as sums gives every
    /// record, daily sum and count that booking each run at its end gives
    /// (the main loop, which a tap forces), on every shipped scenario and
    /// the targeted ones of `tests/all/frozen_path.rs` (runs that end days
    /// and cycles later, durations of every law, growth, bursts, price
    /// versions, nested and free manual runs, a drawn reaction).
    #[test]
    fn frozen_rest_by_run_equals_the_main_loop_on_every_shipped_scenario() {
        let shipped = scenario_files("scenarios");
        let targeted = scenario_files("tests/data/frozen");
        assert!(
            shipped.len() >= 15 && targeted.len() >= 3,
            "{shipped:?} {targeted:?}"
        );
        let files: Vec<_> = shipped.iter().chain(&targeted).collect();
        let (mut suspended, mut overage) = (0, 0);
        for f in files {
            let s = crate::scenario::load(f).unwrap();
            let plain = months(&s, 40, false);
            let tapped = months(&s, 40, true);
            assert_eq!(plain.len(), tapped.len(), "{}", f.display());
            for (a, b) in plain.iter().zip(&tapped) {
                assert_eq!(a, b, "{}", f.display());
            }
            // The frozen states this path covers do occur.
            suspended += plain
                .iter()
                .filter(|m| m.contains("suspended_at: Some"))
                .count();
            overage += plain
                .iter()
                .filter(|m| {
                    m.contains("limit_reached_at: Some") && !m.contains("overage_blocks: 0,")
                })
                .count();
        }
        assert!(suspended > 100 && overage > 100, "{suspended} {overage}");
    }
}
