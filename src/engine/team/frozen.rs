//! The rest of a billing cycle once a team's state is frozen, drawn in
//! aggregate instead of run by run.
//!
//! Once the limit is reached and overage is on (every run executes, and the
//! overage blocks follow the credits), or the team is suspended with nothing
//! that could lift it but a switch whose instant is known (a drawn
//! reaction: every credit-costing run is blocked until then and executes
//! after), no run that starts before the cycle ends can change how the
//! cycle is billed except through its own credits. What the outputs need
//! from those runs is sums: credits per day of the runs that end that day
//! (by source), runs executed, runs blocked and what they would have cost,
//! the cycle's demand. Those sums are drawn exactly in distribution, per
//! day and flow:
//!
//! - **How many runs start, and when they end.** Durations are independent
//!   of starts and of credits. A run that starts in the day's *bulk*,
//!   `[day start, day end - w)`, and lasts at most `w` ends the same day;
//!   `w` is where the duration law's rare tail starts
//!   ([`crate::workload::sampling::Sampler::tail`]). A Poisson flow's bulk
//!   count is Poisson with the integrated intensity (size, growth, bursts,
//!   shocks included), and thinned by `P(D > w)` it is two independent
//!   Poisson counts: the runs that end the same day and the *long* ones; a
//!   schedule's bulk is its grid points, its long runs a binomial draw of
//!   them. The long runs are then placed exactly (a Poisson start by
//!   inverting the intensity, a schedule's a uniform choice of its points;
//!   duration drawn beyond `w`), and so are the runs that start on the
//!   *edge*, within `w` of the day's end (a Poisson count of its own, or the
//!   schedule's points; start and full duration). Every run placed one by
//!   one ends on a later day (counted there) or in a later cycle (drawn with
//!   its own charge and put in flight, so that the next cycle bills it at
//!   its exact instant, run by run).
//! - **What they cost.** Given how many runs of a flow (at one price piece)
//!   end on a day, their summed charge is drawn in one go where every count
//!   law is closed under addition ([`RunPlan::draw_sum`]), run by run
//!   otherwise; the day's sum ends as one entry at the day's last
//!   nanosecond ([`DaySum`]: the caller books it after the runs in flight
//!   that end by then), so the day's cumulative credits come out right.
//!
//! A suspended team's runs need no timing (blocked runs never end): their
//! counts and summed charges are blocked, except for manual flows whose
//! runs may cost nothing (a free manual run still executes), which are drawn
//! one by one. A window that a switch falls in is cut at the switch, the two
//! parts drawn in turn from its one sub-stream.
//!
//! Every draw comes from a sub-stream of (team, cycle, day, flow, price
//! piece) ([`super::super::streams::DayStreams`]), so two variants that
//! froze before a day draw the same runs for it; a window where nothing can
//! start draws nothing.

use super::super::clock::{day_at, day_of, days_in, to_ns, to_seconds};
use super::super::in_flight::InFlight;
use super::super::streams::day_streams;
use super::TeamCtx;
use crate::pricing::Charge;
use crate::workload::arrivals::{FlowArrivals, Schedule, TeamRate, WindowHint};
use crate::workload::runs::RunPlan;
use crate::workload::sampling::{binomial, poisson_of, u01, SimRng, Tail};

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
    /// From this instant (ns) every run executes (overage is on); before it
    /// the team is suspended (`from` when overage is already on; the
    /// pending switch's instant, or never, when it is suspended).
    pub executing_from: i64,
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
        days_in(self.cycle_start(), self.cycle_end())
    }

    /// Day `d`'s `[start, end)`, ns.
    fn day(&self, d: u64) -> (i64, i64) {
        day_of(self.cycle_start(), self.cycle_end(), d)
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

/// What a source starts in a window: a Poisson count's mean (given the
/// count, its starts are independent with density proportional to the
/// intensity), or a schedule's exact number of grid points.
#[derive(Clone, Copy)]
enum Window {
    Poisson(f64),
    Schedule(u64),
}

impl Window {
    fn is_empty(self) -> bool {
        match self {
            Window::Poisson(m) => m <= 0.0,
            Window::Schedule(n) => n == 0,
        }
    }

    /// How many start, and of them how many last longer than the split
    /// (probability `survival` each): a Poisson count thinned is two
    /// independent Poisson counts; a schedule's long runs are a binomial
    /// draw of its points.
    fn split(self, survival: f64, rng: &mut SimRng) -> (u64, u64) {
        match self {
            Window::Poisson(m) => (
                poisson_of(m * (1.0 - survival), rng),
                poisson_of(m * survival, rng),
            ),
            Window::Schedule(n) => {
                let long = binomial(n, survival, rng);
                (n - long, long)
            }
        }
    }
}

impl Source<'_> {
    /// What starts in `[a, b)` (`hint`: see [`TeamRate::integral_from`]).
    fn window(&self, a: f64, b: f64, hint: &mut WindowHint) -> Window {
        // (`a` may be infinite: a schedule with no points left.)
        if b <= a {
            return match self {
                Source::Poisson(_) => Window::Poisson(0.0),
                Source::Schedule(_) => Window::Schedule(0),
            };
        }
        match self {
            Source::Poisson(r) => Window::Poisson(r.integral_from(hint, a, b)),
            Source::Schedule(s) => Window::Schedule(s.count(a, b)),
        }
    }

    /// Starts for `k` of the runs of `w`, the window `[a, b)`: Poisson,
    /// each drawn independently from the intensity; a schedule's, `k` of
    /// its points chosen uniformly without replacement (all of them, in
    /// order, when `k` is their number).
    fn starts(&self, a: f64, b: f64, w: Window, k: u64, rng: &mut SimRng, out: &mut Vec<f64>) {
        out.clear();
        match (self, w) {
            (Source::Poisson(r), Window::Poisson(total)) => {
                // One search for the window's first piece serves every start.
                let from = r.cursor_at(a);
                for _ in 0..k {
                    out.push(r.invert(from, b, u01(rng) * total));
                }
            }
            (Source::Schedule(s), Window::Schedule(n)) if k >= n => {
                out.extend((0..n).map(|i| s.nth(a, i)));
            }
            (Source::Schedule(s), Window::Schedule(n)) => {
                // Floyd's algorithm: k distinct indices of 0..n.
                let mut chosen: Vec<u64> = Vec::with_capacity(k as usize);
                for j in n - k..n {
                    let x = (u01(rng) * (j + 1) as f64) as u64;
                    let x = x.min(j);
                    chosen.push(if chosen.contains(&x) { j } else { x });
                }
                out.extend(chosen.into_iter().map(|i| s.nth(a, i)));
            }
            _ => {}
        }
    }
}

/// The runs of an executing stretch that end on one day, summed: they end
/// together at the day's last nanosecond (the first books the charge, the
/// rest end with it), after every run in flight that ends by then.
pub(super) struct DaySum {
    pub at: i64,
    pub charge: Charge,
    /// Runs, nested included (at least 1).
    pub runs: u64,
}

/// Buffers a stretch reuses from team to team.
#[derive(Default)]
pub(super) struct Buffers {
    /// Per day from the stretch's first, the summed charge and the runs of
    /// the runs that end that day.
    days: Vec<(Charge, u64)>,
    /// After an executing stretch: its days with runs, in time order.
    pub ending: Vec<DaySum>,
    /// Runs drawn one by one: (start, duration), seconds.
    picked: Vec<(f64, f64)>,
    starts: Vec<f64>,
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
            let d = day_at(self.cycle_start, end);
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

/// A sub-stream made when first needed (a window where nothing can start
/// draws nothing).
struct Lazy<F: FnMut() -> SimRng> {
    rng: Option<SimRng>,
    make: F,
}

impl<F: FnMut() -> SimRng> Lazy<F> {
    fn get(&mut self) -> &mut SimRng {
        self.rng.get_or_insert_with(&mut self.make)
    }
}

/// One flow at one price piece of one day of a stretch.
struct FlowDay<'a> {
    source: &'a Source<'a>,
    plans: &'a [RunPlan],
    plan: &'a RunPlan,
    tail: Option<&'a Tail>,
    /// Where the flow's starts resume, seconds.
    resume: f64,
    day: u64,
    /// The day's end, seconds.
    day_end: f64,
}

impl FlowDay<'_> {
    /// Draws the runs that start in `[a, b)` (ns), executing or suspended.
    /// (Always inlined: once or twice per day and flow, in the hot loop.)
    #[inline(always)]
    fn window<F: FnMut() -> SimRng>(
        &self,
        (a, b): (i64, i64),
        executing: bool,
        sink: &mut Sink<'_>,
        hint: &mut WindowHint,
        (picked, starts): (&mut Vec<(f64, f64)>, &mut Vec<f64>),
        stream: &mut Lazy<F>,
    ) {
        let (source, plan, plans, tail) = (self.source, self.plan, self.plans, self.tail);
        sink.executing = executing;
        let (a, b) = (to_seconds(a).max(self.resume), to_seconds(b));
        // The bulk [a, split) ends the same day, except the runs that
        // outlast the split; the edge [split, b) is drawn run by run, and
        // so, while suspended, is a flow whose runs may be free (they
        // execute; with overage on every run does).
        let free_runs = !executing && plan.may_be_free();
        let split = match tail {
            Some(t) if !free_runs => self.day_end - t.beyond - MARGIN_SECONDS,
            _ => a,
        };
        // (Kept within [a, b] by hand: `clamp` panics if a is infinite and
        // b is not.)
        let split = split.max(a).min(b);
        let bulk = source.window(a, split, hint);
        let edge = source.window(split, b, hint);
        if bulk.is_empty() && edge.is_empty() {
            return;
        }
        let rng = stream.get();
        let survival = tail.map_or(0.0, |t| t.survival);
        let (same_day, long) = bulk.split(survival, rng);
        picked.clear();
        if long > 0 {
            source.starts(a, split, bulk, long, rng, starts);
            for &t in starts.iter() {
                let beyond = tail.map_or(0.0, |tail| tail.sample_beyond(rng));
                picked.push((t, beyond));
            }
        }
        let on_edge = match edge {
            Window::Poisson(m) => poisson_of(m, rng),
            Window::Schedule(n) => n,
        };
        if on_edge > 0 {
            source.starts(split, b, edge, on_edge, rng, starts);
            for &t in starts.iter() {
                picked.push((t, plan.duration.sample(rng)));
            }
        }
        // Each run drawn on its own: its charge after the timings.
        for &(t, dur) in picked.iter() {
            let start = to_ns(t);
            let end = start.saturating_add(to_ns(dur));
            let (charge, nested, own) = plan.draw_with_nested(plans, rng);
            sink.one(start, end, charge, nested, own, free_runs);
        }
        if same_day > 0 {
            let (charge, nested) = plan.draw_sum(same_day, plans, rng);
            sink.same_day(self.day, &charge, same_day + nested);
        }
    }
}

/// Draws the rest of `st`'s cycle: before [`Stretch::executing_from`] the
/// team is suspended and credit-costing runs are blocked; from it every run
/// executes (the runs are put in flight: `heap`, or summed by day). Both
/// draw the same runs (the same numbers in the same order), so a variant
/// that suspends and one that bills overage from the same instant see the
/// same demand.
pub(super) fn rest_of_cycle(st: &Stretch<'_>, heap: &mut InFlight, buf: &mut Buffers) -> Totals {
    let cx = st.cx;
    let work = &cx.k.work;
    let d0 = day_at(st.cycle_start(), st.from.max(st.cycle_start()));
    let ndays = st.days();
    buf.ending.clear();
    if d0 >= ndays {
        return Totals::default();
    }
    let Buffers {
        days,
        ending,
        picked,
        starts,
    } = buf;
    days.clear();
    days.resize((ndays - d0) as usize, (Charge::default(), 0));
    let mut sink = Sink {
        executing: false,
        cycle_start: st.cycle_start(),
        cycle_end: st.cycle_end(),
        d0,
        days,
        heap,
        totals: Totals::default(),
    };
    let streams = day_streams(cx.seed, cx.trial, cx.kind, st.team, st.cycle as u32);
    for (f, arrivals) in work.arrivals.iter().enumerate() {
        let source = match arrivals {
            FlowArrivals::Poisson(_) => Source::Poisson(&st.rates[f]),
            FlowArrivals::Schedule(s) => Source::Schedule(s),
            FlowArrivals::None => continue,
        };
        let resume = st.resume(f);
        let tail = cx.k.tails[f].as_ref();
        // Windows come in time order: each piece search starts where the
        // last one ended.
        let mut hint = WindowHint::default();
        for d in d0..ndays {
            let (day_a, day_b) = st.day(d);
            st.by_piece(day_a.max(st.from), day_b, |piece, a_ns, b_ns| {
                let plans = work.plans(piece, 0);
                let fd = FlowDay {
                    source: &source,
                    plans,
                    plan: &plans[f],
                    tail,
                    resume,
                    day: d,
                    day_end: to_seconds(day_b),
                };
                // Suspended before the switch, executing from it: the
                // window the switch falls in is cut in two, drawn from its
                // one sub-stream in turn. (A start is on the side of the
                // switch its second is: a start rounded onto the switch's
                // very nanosecond, which would execute, has probability
                // about the flow's rate times 1 ns.)
                let mut rng = Lazy {
                    rng: None,
                    make: || streams.get(d, f, piece),
                };
                let cut = st.executing_from.clamp(a_ns, b_ns);
                if cut > a_ns {
                    let bufs = (&mut *picked, &mut *starts);
                    fd.window((a_ns, cut), false, &mut sink, &mut hint, bufs, &mut rng);
                }
                if cut < b_ns {
                    let bufs = (&mut *picked, &mut *starts);
                    fd.window((cut, b_ns), true, &mut sink, &mut hint, bufs, &mut rng);
                }
            });
        }
    }
    // (Only executing windows put runs in a day.)
    for (i, (charge, runs)) in sink.days.iter().enumerate() {
        if *runs > 0 {
            ending.push(DaySum {
                at: st.day(d0 + i as u64).1 - 1,
                charge: *charge,
                runs: *runs,
            });
        }
    }
    sink.totals
}
