//! The rest of a billing cycle once a team's state is frozen, drawn in
//! aggregate instead of run by run.
//!
//! Once the limit is reached and overage is on (every run executes, and the
//! overage blocks follow the credits), or the team is suspended with nothing
//! pending that could lift it (every credit-costing run is blocked), no run
//! that starts before the cycle ends can change how the cycle is billed
//! except through its own credits. What the outputs need from those runs is
//! sums: credits per day of the runs that end that day (by source), runs
//! executed, runs blocked and what they would have cost, the cycle's demand.
//! Those sums are drawn exactly in distribution, per day and flow:
//!
//! - **How many runs start.** A Poisson flow's count over a stretch is
//!   Poisson with the integrated intensity (size, growth, bursts, shocks
//!   included); a schedule's is its grid points.
//! - **When they end.** Durations are independent of starts and of credits.
//!   A run that starts in `[day start, day end - w)` and lasts at most `w`
//!   ends the same day; `w` is where the duration law's rare tail starts
//!   ([`crate::workload::sampling::Sampler::tail`]). So the runs of that
//!   *bulk* that last longer than `w` are a binomial thinning of its count
//!   (probability `P(D > w)`), each then placed exactly (start by inverting
//!   the intensity, duration drawn beyond `w`); the runs that start within
//!   `w` of the day's end are drawn one by one, start and duration. Every
//!   run drawn one by one ends on a later day (counted there) or in a later
//!   cycle (drawn with its own charge and put in flight, so that the next
//!   cycle bills it at its exact instant, run by run).
//! - **What they cost.** Given how many runs of a flow (at one price piece)
//!   end on a day, their summed charge is drawn in one go where every count
//!   law is closed under addition ([`RunPlan::draw_sum`]), run by run
//!   otherwise; the day's sum goes in flight as one entry that ends at the
//!   day's last nanosecond, so the day's cumulative credits come out right.
//!
//! A suspended team needs no timing at all (blocked runs never end): the
//! stretch's count and summed charge per flow are blocked in one go, except
//! for manual flows whose runs may cost nothing (a free manual run still
//! executes), which are drawn one by one.
//!
//! Every draw comes from a sub-stream of (team, cycle, day, flow), so two
//! variants that froze before a day draw the same runs for it.

use super::super::clock::{to_ns, to_seconds, DAY_NS};
use super::super::in_flight::InFlight;
use super::super::streams::{day_stream, DayPart};
use super::TeamCtx;
use crate::pricing::Charge;
use crate::workload::arrivals::{FlowArrivals, Schedule, TeamRate};
use crate::workload::sampling::{binomial, poisson_of, u01, SimRng};

/// Seconds kept between the bulk's last start and the day's end beyond the
/// duration split, so that rounding to nanoseconds cannot carry a bulk run
/// that lasts at most `w` into the next day.
const MARGIN_SECONDS: f64 = 1e-3;

/// The frozen stretch of one team's cycle.
pub(super) struct Stretch<'a> {
    pub cx: &'a TeamCtx<'a>,
    pub team: u32,
    pub cycle: usize,
    /// The instant the state froze, ns: no start after it has been drawn.
    pub from: i64,
    /// Each flow's intensity (Poisson flows).
    pub rates: &'a [TeamRate],
    /// Each flow's next start not yet drawn, seconds: a schedule resumes at
    /// it (a Poisson flow restarts at `from`, which is memoryless).
    pub heads: &'a [f64],
}

/// What the stretch adds to the cycle besides what it put in flight.
#[derive(Default, Debug)]
pub(super) struct Totals {
    /// Credits of every run started (executed or blocked), nested included.
    pub demand: u64,
    /// Runs started, nested included.
    pub started: u64,
    /// Runs blocked, nested included, and what they would have cost.
    pub blocked_runs: u64,
    pub blocked_credits: u64,
}

impl Stretch<'_> {
    fn cycle_start(&self) -> i64 {
        self.cx.bounds[self.cycle]
    }

    fn cycle_end(&self) -> i64 {
        self.cx.bounds[self.cycle + 1]
    }

    /// Days of the cycle (a partial last day counts as a day).
    fn days(&self) -> u64 {
        ((self.cycle_end() - self.cycle_start()) as u64).div_ceil(DAY_NS as u64)
    }

    /// Day `d`'s `[start, end)`, ns.
    fn day(&self, d: u64) -> (i64, i64) {
        let a = self.cycle_start().saturating_add(d as i64 * DAY_NS);
        (a, a.saturating_add(DAY_NS).min(self.cycle_end()))
    }

    fn stream(&self, d: u64, flow: usize, piece: usize, part: DayPart) -> SimRng {
        let cx = self.cx;
        day_stream(
            cx.seed,
            cx.trial,
            cx.kind,
            self.team,
            self.cycle as u32,
            d,
            flow,
            piece,
            part,
        )
    }

    /// Calls `f(piece, a, b)` for the stretches of `[a, b)` (ns) with one
    /// price piece each.
    fn by_piece(&self, a: i64, b: i64, mut f: impl FnMut(usize, i64, i64)) {
        let mut x = a;
        while x < b {
            let (piece, next) = self.cx.k.work.piece_at(x);
            let y = next.min(b);
            f(piece, x, y);
            x = y;
        }
    }

    /// Where flow `f`'s starts resume, seconds.
    fn resume(&self, f: usize) -> f64 {
        match self.cx.k.work.arrivals[f] {
            FlowArrivals::Schedule(_) => self.heads[f],
            _ => to_seconds(self.from),
        }
    }
}

/// One flow's arrivals over a stretch of seconds.
enum Source<'a> {
    Poisson(&'a TeamRate),
    Schedule(&'a Schedule),
}

impl Source<'_> {
    /// Expected (Poisson) or exact (schedule) count in `[a, b)`, drawn.
    fn count(&self, a: f64, b: f64, rng: &mut SimRng) -> u64 {
        if b <= a {
            return 0;
        }
        match self {
            Source::Poisson(r) => poisson_of(r.integral(a, b), rng),
            Source::Schedule(s) => s.count(a, b),
        }
    }

    /// Calls `f` with every start in `[a, b)`, in order, drawn one by one.
    fn each(&self, a: f64, b: f64, rng: &mut SimRng, mut f: impl FnMut(f64, &mut SimRng)) {
        if b <= a {
            return;
        }
        match self {
            Source::Poisson(r) => {
                let mut c = r.cursor_at(a);
                loop {
                    let t = r.next(&mut c, rng);
                    if t >= b {
                        break;
                    }
                    f(t, rng);
                }
            }
            Source::Schedule(s) => {
                let mut p = s.first_at_or_after(a);
                while let Some(q) = p {
                    let t = s.time(q);
                    if t >= b {
                        break;
                    }
                    f(t, rng);
                    p = s.after(q);
                }
            }
        }
    }

    /// `k` of the `n` starts in `[a, b)` chosen uniformly without
    /// replacement (Poisson: `n` is a drawn count, and given it the starts
    /// are independent with density proportional to the intensity; a
    /// schedule's are its grid points, a uniform subset of them).
    fn pick(&self, a: f64, b: f64, n: u64, k: u64, rng: &mut SimRng, out: &mut Vec<f64>) {
        out.clear();
        match self {
            Source::Poisson(r) => {
                let total = r.integral(a, b);
                for _ in 0..k {
                    out.push(r.invert(a, b, u01(rng) * total));
                }
            }
            Source::Schedule(s) => {
                // Floyd's algorithm: k distinct indices of 0..n.
                let mut chosen: Vec<u64> = Vec::with_capacity(k as usize);
                for j in n - k..n {
                    let x = (u01(rng) * (j + 1) as f64) as u64;
                    let x = x.min(j);
                    chosen.push(if chosen.contains(&x) { j } else { x });
                }
                out.extend(chosen.into_iter().map(|i| s.nth(a, i)));
            }
        }
    }
}

/// Where the stretch's runs go: in flight by the day they end on
/// (executing), or blocked (suspended).
struct Sink<'a> {
    executing: bool,
    cycle_start: i64,
    cycle_end: i64,
    d0: u64,
    /// Executing: per day from `d0`, the summed charge and the runs (nested
    /// included) of the runs that end that day.
    days: &'a mut Vec<(Charge, u64)>,
    heap: &'a mut InFlight,
    totals: Totals,
}

impl Sink<'_> {
    /// `runs` runs (nested included) that started in the stretch and cost
    /// `charge` in all; executing, they end on day `d`.
    fn same_day(&mut self, d: u64, charge: &Charge, runs: u64) {
        self.started(charge, runs);
        if self.executing {
            let day = &mut self.days[(d - self.d0) as usize];
            day.0.absorb(charge);
            day.1 += runs;
        } else {
            self.block(charge, runs);
        }
    }

    /// One run drawn on its own, from `start` to `end` (ns), that costs
    /// `charge` with its `nested` runs, `own` of it its own credits.
    fn one(
        &mut self,
        start: i64,
        end: i64,
        charge: Charge,
        nested: u64,
        own: u64,
        free_runs: bool,
    ) {
        self.started(&charge, 1 + nested);
        // Suspended, a run is blocked unless it is a free manual run.
        let executes = self.executing || (free_runs && own == 0);
        if !executes {
            self.block(&charge, 1 + nested);
        } else if self.executing && end < self.cycle_end {
            let d = ((end - self.cycle_start) / DAY_NS) as u64;
            let day = &mut self.days[(d - self.d0) as usize];
            day.0.absorb(&charge);
            day.1 += 1 + nested;
        } else {
            // Ends in a later cycle (billed there run by run), or a free
            // manual run of a suspended team (it executes).
            self.heap.push(start, end, charge, nested);
        }
    }

    fn started(&mut self, charge: &Charge, runs: u64) {
        let t = &mut self.totals;
        t.demand = t.demand.saturating_add(charge.total);
        t.started += runs;
    }

    fn block(&mut self, charge: &Charge, runs: u64) {
        let t = &mut self.totals;
        t.blocked_runs += runs;
        t.blocked_credits = t.blocked_credits.saturating_add(charge.total);
    }
}

/// Draws the rest of `st`'s cycle. `executing`: overage is on and every
/// run executes (the runs are put in flight: `heap`); otherwise the team is
/// suspended and credit-costing runs are blocked. Both draw the same runs
/// (the same numbers in the same order), so a variant that suspends and one
/// that bills overage from the same instant see the same demand.
pub(super) fn rest_of_cycle(
    st: &Stretch<'_>,
    executing: bool,
    heap: &mut InFlight,
    days: &mut Vec<(Charge, u64)>,
) -> Totals {
    let work = &st.cx.k.work;
    let d0 = ((st.from - st.cycle_start()).max(0) / DAY_NS) as u64;
    let ndays = st.days();
    if d0 >= ndays {
        return Totals::default();
    }
    days.clear();
    days.resize((ndays - d0) as usize, (Charge::default(), 0));
    let mut sink = Sink {
        executing,
        cycle_start: st.cycle_start(),
        cycle_end: st.cycle_end(),
        d0,
        days,
        heap,
        totals: Totals::default(),
    };
    let (mut picked, mut starts) = (Vec::new(), Vec::new());
    for (f, arrivals) in work.arrivals.iter().enumerate() {
        let source = match arrivals {
            FlowArrivals::Poisson(_) => Source::Poisson(&st.rates[f]),
            FlowArrivals::Schedule(s) => Source::Schedule(s),
            FlowArrivals::None => continue,
        };
        let resume = st.resume(f);
        let tail = st.cx.k.tails[f].as_ref();
        for d in d0..ndays {
            let (day_a, day_b) = st.day(d);
            let mut rng = st.stream(d, f, 0, DayPart::Timing);
            st.by_piece(day_a.max(st.from), day_b, |piece, a, b| {
                let plans = work.plans(piece, 0);
                let plan = &plans[f];
                let (a, b) = (to_seconds(a).max(resume), to_seconds(b));
                // A run drawn on its own: start, duration, then its charge.
                let free_runs = plan.may_be_free();
                let one = |t: f64, dur: f64, rng: &mut SimRng, sink: &mut Sink<'_>| {
                    let start = to_ns(t);
                    let end = start.saturating_add(to_ns(dur));
                    let (charge, nested, own) = plan.draw_with_nested(plans, rng);
                    sink.one(start, end, charge, nested, own, free_runs);
                };
                // The bulk ends the same day, except the runs that outlast
                // the split; a flow whose runs may be free (they execute
                // while suspended) is drawn run by run.
                let split = match tail {
                    Some(t) if !free_runs => to_seconds(day_b) - t.beyond - MARGIN_SECONDS,
                    _ => a,
                };
                let bulk_end = b.min(split);
                let mut same_day = 0;
                picked.clear();
                if let Some(tail) = tail.filter(|_| bulk_end > a) {
                    let n = source.count(a, bulk_end, &mut rng);
                    let long = binomial(n, tail.survival, &mut rng);
                    same_day = n - long;
                    if long > 0 {
                        source.pick(a, bulk_end, n, long, &mut rng, &mut starts);
                        for &t in &starts {
                            picked.push((t, tail.sample_beyond(&mut rng)));
                        }
                    }
                }
                for &(t, dur) in &picked {
                    one(t, dur, &mut rng, &mut sink);
                }
                source.each(a.max(bulk_end), b, &mut rng, |t, rng| {
                    let dur = plan.duration.sample(rng);
                    one(t, dur, rng, &mut sink);
                });
                if same_day > 0 {
                    let mut credits = st.stream(d, f, piece, DayPart::Credits);
                    let (charge, nested) = plan.draw_sum(same_day, plans, &mut credits);
                    sink.same_day(d, &charge, same_day + nested);
                }
            });
        }
    }
    if executing {
        for (i, (charge, runs)) in sink.days.iter().enumerate() {
            if *runs > 0 {
                // One entry for the day's runs: its end books the first, the
                // rest end with it, at the day's last nanosecond.
                let at = st.day(d0 + i as u64).1 - 1;
                sink.heap.push(at, at, *charge, runs - 1);
            }
        }
    }
    sink.totals
}
