//! Arrival times of a flow's runs, generated in time order.
//!
//! - A fixed schedule is a grid computed once per flow for the whole horizon
//!   and shared by every team (schedules are not scaled by team size).
//! - A Poisson process has a rate that is piecewise constant over (hour of
//!   day x weekday) pieces, times a continuous growth factor
//!   `(1 + g)^(t / 30 days)`, times the team's size, times burst multipliers.
//!   It is drawn exactly by inverting the cumulative intensity: each gap is a
//!   standard exponential amount of intensity, walked across the pieces (with
//!   growth, the intensity within a piece is integrated in closed form). No
//!   piece is ever skipped, however short or busy.
//!
//! Times are seconds from the calendar's start.

use super::sampling::{exp1, fast_exp, u01, Sampler, SimRng};
use crate::scenario::{Arrivals, Bursts};

/// Seconds in an hour.
pub(crate) const HOUR: f64 = 3600.0;
/// Seconds in a day.
pub const DAY: f64 = 86_400.0;
/// Seconds in a week.
pub(crate) const WEEK: f64 = 7.0 * DAY;
/// Seconds in the "month" of growth rates and burst frequencies (30 days).
pub(crate) const MONTH: f64 = 30.0 * DAY;

/// Runs one flow of one team may be expected to start in one billing cycle
/// (at size 1): beyond this a scenario is refused, as one team's cycle is
/// simulated on one thread. (Arrivals are drawn lazily, so memory does not
/// grow with the runs; it grows with the runs in flight at once, bounded
/// apart by [`crate::engine::guard`].)
pub(crate) const MAX_RUNS_PER_CYCLE: f64 = 5e7;

/// The simulated stretch of time.
#[derive(Clone, Debug)]
pub struct Timeline {
    /// Cycle boundaries: `bounds[c]` starts cycle `c`, the last entry ends
    /// the horizon. Seconds from the calendar's start, `bounds[0] = 0`.
    pub bounds: Vec<f64>,
    /// Seconds from the Monday 00:00 UTC before the calendar's start to the
    /// start (places hours of day and weekdays).
    pub week_offset: f64,
}

impl Timeline {
    /// The end of the last cycle.
    pub fn horizon(&self) -> f64 {
        self.bounds.last().copied().unwrap_or(0.0)
    }

    /// Each cycle's days (a partial day counts as one).
    pub fn cycle_days(&self) -> impl Iterator<Item = f64> + '_ {
        self.bounds
            .windows(2)
            .map(|w| ((w[1] - w[0]) / DAY).ceil().max(1.0))
    }

    /// The longest cycle, seconds.
    pub fn longest_cycle(&self) -> f64 {
        self.bounds
            .windows(2)
            .map(|w| w[1] - w[0])
            .fold(0.0, f64::max)
    }
}

/// A stretch of constant base rate (runs per second before size, growth and
/// bursts).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Piece {
    start: f64,
    end: f64,
    rate: f64,
}

impl Piece {
    /// From `t` in this piece, without growth: the instant `need` expected
    /// arrivals further (`inv_rate` = 1 / rate), if the piece holds them;
    /// otherwise the expected arrivals it holds from `t`.
    #[inline(always)]
    fn flat_step(&self, t: f64, need: f64, inv_rate: f64) -> Result<f64, f64> {
        let avail = (self.end - t) * self.rate;
        if need < avail {
            // Rounding must not carry the arrival past its piece.
            Ok((t + need * inv_rate).min(self.end))
        } else {
            Err(avail)
        }
    }
}

/// A flow's arrival process, compiled for one timeline.
#[derive(Clone, Debug)]
pub enum FlowArrivals {
    /// Fixed start times, shared by every team.
    Schedule(Schedule),
    /// A time-varying Poisson process.
    Poisson(PoissonPlan),
    /// No runs of its own (an MCP-only flow).
    None,
}

/// A compiled Poisson process.
#[derive(Clone, Debug)]
pub struct PoissonPlan {
    /// Pieces covering `[0, horizon)` contiguously, equal neighbours merged.
    pieces: Vec<Piece>,
    /// Growth exponent per second: `ln(1 + g) / 30 days`.
    beta: f64,
    bursts: Option<BurstPlan>,
}

/// Bursts, compiled.
#[derive(Clone, Debug)]
struct BurstPlan {
    /// Expected bursts in each cycle.
    per_cycle: Vec<Sampler>,
    duration_hours: Sampler,
    multiplier: f64,
}

/// Reusable buffers for one team's bursts and shared shocks.
#[derive(Default, Debug)]
pub struct BurstScratch {
    events: Vec<(f64, i32)>,
    pieces: Vec<Piece>,
    shocked: Vec<Piece>,
}

/// A piecewise-constant rate multiplier over the horizon (shared shocks:
/// a kind's monthly factor times the events in force), in time order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RateSteps {
    steps: Vec<Piece>,
}

impl RateSteps {
    /// Multiplier `m` over `[start, end)`, after the steps already pushed.
    pub(crate) fn push(&mut self, start: f64, end: f64, m: f64) {
        match self.steps.last_mut() {
            Some(p) if p.rate == m && p.end == start => p.end = end,
            _ => self.steps.push(Piece {
                start,
                end,
                rate: m,
            }),
        }
    }

    /// The multiplier at `t` (1 outside every step).
    pub fn at(&self, t: f64) -> f64 {
        self.steps
            .iter()
            .find(|p| p.start <= t && t < p.end)
            .map_or(1.0, |p| p.rate)
    }
}

/// `base` with each rate multiplied by `steps` (1 where no step is),
/// split at the steps' edges.
fn multiply(base: &[Piece], steps: &[Piece], out: &mut Vec<Piece>) {
    out.clear();
    let mut j = 0;
    for p in base {
        let mut a = p.start;
        while a < p.end {
            while j < steps.len() && steps[j].end <= a {
                j += 1;
            }
            let (m, b) = match steps.get(j) {
                Some(q) if q.start <= a => (q.rate, q.end.min(p.end)),
                Some(q) => (1.0, q.start.min(p.end)),
                None => (1.0, p.end),
            };
            let rate = p.rate * m;
            match out.last_mut() {
                Some(q) if q.rate == rate && q.end == a => q.end = b,
                _ => out.push(Piece {
                    start: a,
                    end: b,
                    rate,
                }),
            }
            a = b;
        }
    }
}

impl FlowArrivals {
    /// Compiles `arrivals` for `timeline`; Poisson rates are multiplied by
    /// `usage_multiplier` (the scenario-wide what-if knob).
    pub fn new(
        arrivals: &Arrivals,
        timeline: &Timeline,
        usage_multiplier: f64,
    ) -> Result<FlowArrivals, String> {
        match arrivals {
            Arrivals::OnlyAsMcpTool => Ok(FlowArrivals::None),
            Arrivals::Schedule {
                every_seconds,
                offset_seconds,
                days,
            } => Schedule::new(*every_seconds, *offset_seconds, days, timeline)
                .map(FlowArrivals::Schedule),
            Arrivals::Poisson {
                per_day,
                hour_weights,
                weekday_weights,
                growth_per_month,
                bursts,
            } => {
                let valid = per_day.is_finite()
                    && *per_day >= 0.0
                    && usage_multiplier.is_finite()
                    && usage_multiplier >= 0.0
                    && growth_per_month.is_finite()
                    && *growth_per_month > -1.0;
                if !valid {
                    return Err("invalid Poisson rate or growth".to_string());
                }
                let day_mean = hour_weights.iter().sum::<f64>() / 24.0;
                if !(day_mean > 0.0 && day_mean.is_finite())
                    || hour_weights
                        .iter()
                        .chain(weekday_weights)
                        .any(|w| !(*w >= 0.0 && w.is_finite()))
                {
                    return Err("hour weights must be >= 0, not all zero".to_string());
                }
                // Normalised so that a day averages `per_day` (idempotent if
                // the parser already normalised them).
                let mut hour_rate = [0.0; 24];
                for (r, w) in hour_rate.iter_mut().zip(hour_weights) {
                    *r = per_day * usage_multiplier / DAY * (w / day_mean);
                }
                let pieces = pieces(&hour_rate, weekday_weights, timeline);
                let busiest = busiest_cycle(&pieces, timeline, *growth_per_month);
                if busiest > MAX_RUNS_PER_CYCLE {
                    return Err(format!(
                        "about {busiest:.0} runs per team expected in one cycle, more than {MAX_RUNS_PER_CYCLE:.0}"
                    ));
                }
                let bursts = match bursts {
                    Some(b) => Some(burst_plan(b, timeline)?),
                    None => None,
                };
                Ok(FlowArrivals::Poisson(PoissonPlan {
                    pieces,
                    beta: (1.0 + growth_per_month).ln() / MONTH,
                    bursts,
                }))
            }
        }
    }
}

/// A fixed schedule over the timeline, never materialised: a run every
/// `every` seconds from `offset` after each allowed day's UTC midnight, until
/// that day ends (the grid restarts every day). Point `j` of day `k` (days
/// counted from the UTC midnight at or before the calendar's start) is at
/// `k DAY - into_day + offset + j every`; points before the start or at or
/// after the horizon do not exist.
#[derive(Clone, Debug)]
pub struct Schedule {
    every: f64,
    offset: f64,
    days: [bool; 7],
    /// Seconds from the UTC midnight before the start to the start.
    into_day: f64,
    /// The weekday (0 = Monday) of day 0.
    first_weekday: i64,
    horizon: f64,
    /// Points in a whole allowed day.
    per_day: u64,
    /// 1 / `every`: a position's first guess multiplies by it (the loops
    /// after a guess settle it exactly, so it need not be exact itself).
    inv_every: f64,
}

/// 1 / [`DAY`], for first guesses of a day index (settled by the loops
/// that follow them).
const INV_DAY: f64 = 1.0 / DAY;

/// A place on a [`Schedule`]: point `j` of day `k`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SchedulePos {
    k: i64,
    j: u64,
}

impl Schedule {
    fn new(every: f64, offset: f64, days: &[bool; 7], tl: &Timeline) -> Result<Schedule, String> {
        if !(every.is_finite() && every > 0.0 && offset.is_finite() && offset >= 0.0) {
            return Err("schedule needs every > 0 and offset >= 0".to_string());
        }
        let horizon = tl.horizon();
        let cycle = tl.longest_cycle();
        if cycle / every.min(DAY) > MAX_RUNS_PER_CYCLE {
            return Err(format!(
                "a run every {every} s over a {:.0}-day cycle is more than {MAX_RUNS_PER_CYCLE:.0} runs per team and cycle",
                cycle / DAY
            ));
        }
        let per_day = if offset < DAY {
            ((DAY - offset) / every).ceil() as u64
        } else {
            0
        };
        let mut s = Schedule {
            every,
            offset,
            days: *days,
            into_day: tl.week_offset.rem_euclid(DAY),
            first_weekday: (tl.week_offset / DAY).floor() as i64,
            horizon,
            per_day,
            inv_every: 1.0 / every,
        };
        // `ceil` may count one point too many or few at the day's end.
        while s.per_day > 0 && s.offset + (s.per_day - 1) as f64 * s.every >= DAY {
            s.per_day -= 1;
        }
        while s.offset + s.per_day as f64 * s.every < DAY {
            s.per_day += 1;
        }
        Ok(s)
    }

    fn day_start(&self, k: i64) -> f64 {
        k as f64 * DAY - self.into_day
    }

    fn allowed(&self, k: i64) -> bool {
        self.days[(self.first_weekday + k).rem_euclid(7) as usize]
    }

    /// The instant of `p` (it may lie before the start or past the horizon).
    #[inline]
    pub fn time(&self, p: SchedulePos) -> f64 {
        self.day_start(p.k) + self.offset + p.j as f64 * self.every
    }

    /// The first point at or after `t` (`t >= 0`), if any before the horizon.
    pub fn first_at_or_after(&self, t: f64) -> Option<SchedulePos> {
        self.first_in(t, f64::INFINITY)
    }

    /// The first point at or after `t` (`t >= 0`) and before `end`, if any
    /// (before the horizon too): the search stops at `end` instead of
    /// walking the days after it.
    fn first_in(&self, t: f64, end: f64) -> Option<SchedulePos> {
        let end = end.min(self.horizon);
        let t = t.max(0.0);
        // (t >= 0: truncation is the floor; the loops below fix rounding.)
        let mut k = ((t + self.into_day) * INV_DAY) as i64;
        // The day containing t, robust to rounding at midnight.
        while self.day_start(k) > t {
            k -= 1;
        }
        while self.day_start(k + 1) <= t {
            k += 1;
        }
        loop {
            if self.day_start(k) >= end {
                return None;
            }
            if self.allowed(k) && self.per_day > 0 {
                let into = t - self.day_start(k) - self.offset;
                // A guess (truncated, not `ceil`, a library call here): the
                // loops below settle it.
                let mut j = if into > 0.0 {
                    (into * self.inv_every) as u64
                } else {
                    0
                };
                while j > 0 && self.time(SchedulePos { k, j: j - 1 }) >= t {
                    j -= 1;
                }
                while j < self.per_day && self.time(SchedulePos { k, j }) < t {
                    j += 1;
                }
                if j < self.per_day {
                    let p = SchedulePos { k, j };
                    return (self.time(p) < end).then_some(p);
                }
            }
            k += 1;
        }
    }

    /// The point after `p`, if any before the horizon. (Inline: the run
    /// loop calls it for every scheduled run; the next day's search is
    /// out of line.)
    #[inline]
    pub fn after(&self, p: SchedulePos) -> Option<SchedulePos> {
        if p.j + 1 < self.per_day {
            let q = SchedulePos { k: p.k, j: p.j + 1 };
            return (self.time(q) < self.horizon).then_some(q);
        }
        self.first_after_day(p.k)
    }

    /// The first point on a day after day `k`, if any before the horizon.
    #[cold]
    #[inline(never)]
    fn first_after_day(&self, k: i64) -> Option<SchedulePos> {
        self.first_at_or_after(self.day_start(k + 1))
    }

    /// The points in `[a, b)`, as positions from `first` (the first at or
    /// after `a`) on: how many there are. Walks whole days.
    pub fn count(&self, a: f64, b: f64) -> u64 {
        let mut n = 0;
        let mut p = self.first_in(a, b);
        while let Some(q) = p {
            // The points left in q's day that fall before b.
            let last = self.per_day - 1;
            let end_j = if self.time(SchedulePos { k: q.k, j: last }) < b {
                last + 1
            } else {
                let mut j = (((b - self.day_start(q.k) - self.offset) * self.inv_every) as u64)
                    .clamp(q.j, last);
                while j > q.j && self.time(SchedulePos { k: q.k, j: j - 1 }) >= b {
                    j -= 1;
                }
                while j <= last && self.time(SchedulePos { k: q.k, j }) < b {
                    j += 1;
                }
                j
            };
            // Points at or past the horizon do not exist.
            let mut end_j = end_j;
            while end_j > q.j
                && self.time(SchedulePos {
                    k: q.k,
                    j: end_j - 1,
                }) >= self.horizon
            {
                end_j -= 1;
            }
            n += end_j - q.j;
            // A window that ends within this day has no more points (the
            // common case: the aggregated path counts one day at a time).
            let next_day = self.day_start(q.k + 1);
            if b <= next_day {
                break;
            }
            p = self.first_in(next_day, b);
        }
        n
    }

    /// The `i`-th point (from 0) at or after `a` (callers keep `i` below
    /// [`Schedule::count`] of the stretch).
    pub fn nth(&self, a: f64, mut i: u64) -> f64 {
        let mut p = self.first_at_or_after(a);
        while let Some(q) = p {
            let left = self.per_day - q.j;
            if i < left {
                return self.time(SchedulePos { k: q.k, j: q.j + i });
            }
            i -= left;
            p = self.first_at_or_after(self.day_start(q.k + 1));
        }
        f64::INFINITY
    }
}

/// The rate multiplier of compound growth `growth_per_month` (per 30 days)
/// `t` seconds from the calendar's start.
pub(crate) fn growth_at(growth_per_month: f64, t: f64) -> f64 {
    (1.0 + growth_per_month).powf(t / MONTH)
}

/// Expected runs at size 1 in the busiest cycle of `pieces` (with growth,
/// each cycle at its end's rate: an upper bound).
fn busiest_cycle(pieces: &[Piece], tl: &Timeline, growth_per_month: f64) -> f64 {
    let mut busiest = 0.0f64;
    let mut i = 0;
    for w in tl.bounds.windows(2) {
        let (a, b) = (w[0], w[1]);
        let mut runs = 0.0;
        while let Some(p) = pieces.get(i) {
            runs += p.rate * (p.end.min(b) - p.start.max(a)).max(0.0);
            if p.end > b {
                break;
            }
            i += 1;
        }
        busiest = busiest.max(runs * growth_at(growth_per_month, b).max(1.0));
    }
    busiest
}

/// Hour-by-hour pieces of constant base rate over the timeline.
fn pieces(hour_rate: &[f64; 24], weekday: &[f64; 7], tl: &Timeline) -> Vec<Piece> {
    let horizon = tl.horizon();
    let mut out: Vec<Piece> = Vec::new();
    let mut t = 0.0;
    while t < horizon {
        let w = (tl.week_offset + t).rem_euclid(WEEK);
        let hour = ((w / HOUR).floor() as usize).min(7 * 24 - 1);
        let rate = hour_rate[hour % 24] * weekday[hour / 24];
        // The next hour boundary, computed from the hour index so that
        // rounding cannot leave a sliver piece.
        let next = (t + ((hour + 1) as f64 * HOUR - w)).min(horizon);
        let next = if next <= t {
            (t + HOUR).min(horizon)
        } else {
            next
        };
        match out.last_mut() {
            Some(p) if p.rate == rate => p.end = next,
            _ => out.push(Piece {
                start: t,
                end: next,
                rate,
            }),
        }
        t = next;
    }
    out
}

fn burst_plan(b: &Bursts, tl: &Timeline) -> Result<BurstPlan, String> {
    if !(b.per_month.is_finite()
        && b.per_month >= 0.0
        && b.multiplier.is_finite()
        && b.multiplier >= 0.0)
    {
        return Err("invalid bursts".to_string());
    }
    let per_cycle = tl
        .bounds
        .windows(2)
        .map(|w| {
            Sampler::new(&crate::scenario::Dist::Poisson {
                mean: b.per_month * (w[1] - w[0]) / MONTH,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BurstPlan {
        per_cycle,
        duration_hours: Sampler::new(&b.duration_hours)?,
        multiplier: b.multiplier,
    })
}

impl PoissonPlan {
    /// One team's intensity over the horizon, into `out`: the flow's pieces
    /// with the team's bursts (drawn first, from `rng`) and `shared` (its
    /// kind's shared shocks in this trial), times `scale` (its size).
    pub fn team_rate(
        &self,
        scale: f64,
        shared: Option<&RateSteps>,
        tl: &Timeline,
        rng: &mut SimRng,
        scratch: &mut BurstScratch,
        out: &mut TeamRate,
    ) {
        let mut pieces: &[Piece] = match &self.bursts {
            None => &self.pieces,
            Some(b) => {
                b.team_pieces(&self.pieces, tl, rng, scratch);
                &scratch.pieces
            }
        };
        if let Some(steps) = shared {
            multiply(pieces, &steps.steps, &mut scratch.shocked);
            pieces = &scratch.shocked;
        }
        out.pieces.clear();
        out.pieces.extend_from_slice(pieces);
        out.inv_rates.clear();
        out.inv_rates.extend(pieces.iter().map(|p| 1.0 / p.rate));
        out.beta = self.beta;
        out.scale = if scale > 0.0 && scale.is_finite() {
            scale
        } else {
            0.0
        };
        out.inv_scale = 1.0 / out.scale;
    }
}

/// One team's arrival intensity for one flow: `scale` times the pieces'
/// rates times `exp(beta t)`. Arrivals are drawn from it lazily, one at a
/// time ([`PoissonCursor`]), so memory does not grow with the horizon or
/// the rate; [`TeamRate::integral_from`] and [`TeamRate::invert`] let the
/// engine draw a stretch's arrivals in aggregate.
#[derive(Clone, Debug, Default)]
pub struct TeamRate {
    pieces: Vec<Piece>,
    /// Each piece's 1 / rate, and 1 / scale: a walk multiplies by them (a
    /// division's latency would be a good part of drawing an arrival). A
    /// zero rate's is infinite and never used (nothing is available there).
    inv_rates: Vec<f64>,
    beta: f64,
    /// 0: no arrivals at all.
    scale: f64,
    inv_scale: f64,
}

/// Where the last of a run of windows integrated by
/// [`TeamRate::integral_from`] ended: its piece, and with growth the last
/// `e^(beta x)` worked out (at `at`).
#[derive(Clone, Copy, Debug)]
pub struct WindowHint {
    piece: usize,
    at: f64,
    e_at: f64,
}

impl Default for WindowHint {
    fn default() -> Self {
        WindowHint {
            piece: 0,
            at: f64::NAN,
            e_at: 0.0,
        }
    }
}

/// Where a team's Poisson arrivals have got to: the piece and the instant.
#[derive(Clone, Copy, Debug, Default)]
pub struct PoissonCursor {
    i: usize,
    t: f64,
}

impl TeamRate {
    /// Expected arrivals in `[a, b)`, looking for `a`'s piece from the
    /// hint's on, and leaving there the piece `b` falls in: a caller that
    /// integrates windows in time order finds each in a step or two (a hint
    /// anywhere else falls back to a binary search). With growth, the hint
    /// also keeps `e^(beta b)`, which the next window starting at `b`
    /// reuses.
    pub fn integral_from(&self, hint: &mut WindowHint, a: f64, b: f64) -> f64 {
        if self.scale == 0.0 || b <= a {
            return 0.0;
        }
        let pieces = &self.pieces;
        // The hint is `a`'s piece if the piece before it ends at or before
        // `a` and it ends after; otherwise a binary search finds it.
        let mut i = hint.piece.min(pieces.len());
        let ahead = i > 0 && pieces[i - 1].end > a;
        let behind = pieces.get(i).is_some_and(|p| p.end <= a);
        if ahead || behind {
            i = pieces.partition_point(|p| p.end <= a);
        }
        let mut sum = 0.0;
        // With growth, e^(beta x) at the start of a piece's overlap is the
        // one at the end of the last overlap when they touch.
        let (mut at, mut e_at) = (hint.at, hint.e_at);
        while let Some(p) = pieces.get(i) {
            if p.start >= b {
                break;
            }
            let (x0, x1) = (a.max(p.start), b.min(p.end));
            if x1 > x0 {
                sum += if self.beta == 0.0 {
                    p.rate * (x1 - x0)
                } else {
                    let e0 = if x0 == at {
                        e_at
                    } else {
                        fast_exp(self.beta * x0)
                    };
                    let e1 = fast_exp(self.beta * x1);
                    (at, e_at) = (x1, e1);
                    p.rate * (e1 - e0) / self.beta
                };
            }
            if p.end > b {
                break;
            }
            i += 1;
        }
        *hint = WindowHint { piece: i, at, e_at };
        sum * self.scale
    }

    /// A cursor at `t`: its next arrival is the first after `t`.
    pub fn cursor_at(&self, t: f64) -> PoissonCursor {
        PoissonCursor {
            i: self.pieces.partition_point(|p| p.end <= t),
            t,
        }
    }

    /// The instant at which `target` expected arrivals have passed since the
    /// cursor's (infinity: not within the horizon), and the cursor moved
    /// there. The intensity is integrated across pieces exactly (with
    /// growth, in closed form); no piece is skipped, however short or busy.
    #[inline]
    pub fn walk(&self, c: &mut PoissonCursor, target: f64) -> f64 {
        let n = self.pieces.len();
        if self.scale == 0.0 {
            c.i = n;
        }
        let mut need = target * self.inv_scale;
        while let Some(p) = self.pieces.get(c.i) {
            let t = c.t.max(p.start);
            let inv_rate = self.inv_rates.get(c.i).copied().unwrap_or(0.0);
            if self.beta == 0.0 {
                match p.flat_step(t, need, inv_rate) {
                    Ok(at) => {
                        c.t = at;
                        return at;
                    }
                    Err(avail) => need -= avail,
                }
            } else {
                let beta = self.beta;
                let et = fast_exp(beta * t);
                let avail = p.rate * (fast_exp(beta * p.end) - et) / beta;
                if need < avail {
                    c.t = ((et + need * beta * inv_rate).ln() / beta).min(p.end);
                    return c.t;
                }
                need -= avail;
            }
            c.i += 1;
            c.t = p.end;
        }
        f64::INFINITY
    }

    /// The next arrival after the cursor's instant (infinity: none within
    /// the horizon): a standard exponential amount of intensity further.
    #[inline(always)]
    pub fn next(&self, c: &mut PoissonCursor, rng: &mut SimRng) -> f64 {
        if self.scale == 0.0 {
            return f64::INFINITY;
        }
        let target = exp1(rng);
        // The common case inline: no growth, and the arrival falls in the
        // cursor's piece (what `walk`'s first step computes, to the bit;
        // otherwise `walk` starts over from the same cursor).
        if self.beta == 0.0 {
            if let (Some(p), Some(&inv_rate)) = (self.pieces.get(c.i), self.inv_rates.get(c.i)) {
                if let Ok(at) = p.flat_step(c.t.max(p.start), target * self.inv_scale, inv_rate) {
                    c.t = at;
                    return at;
                }
            }
        }
        self.walk(c, target)
    }

    /// The instant in `[a, b)` where `target` expected arrivals have passed
    /// since `a` (`target` below [`TeamRate::integral_from`] of the stretch):
    /// an arrival placed by inverting the cumulative intensity. `from` is
    /// [`TeamRate::cursor_at`] `a`, found once for all of a window's starts.
    pub fn invert(&self, from: PoissonCursor, b: f64, target: f64) -> f64 {
        let mut c = from;
        self.walk(&mut c, target).clamp(from.t, b)
    }
}

impl BurstPlan {
    /// The base pieces split at this team's burst edges, with the rate
    /// multiplied by `multiplier^(bursts active)`.
    fn team_pieces(&self, base: &[Piece], tl: &Timeline, rng: &mut SimRng, s: &mut BurstScratch) {
        s.events.clear();
        s.pieces.clear();
        for (c, w) in tl.bounds.windows(2).enumerate() {
            let n = self.per_cycle[c].count(rng);
            for _ in 0..n {
                let start = w[0] + (w[1] - w[0]) * u01(rng);
                let len = self.duration_hours.sample(rng).max(0.0) * HOUR;
                s.events.push((start, 1));
                s.events.push((start + len, -1));
            }
        }
        s.events
            .sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut depth = 0i32;
        let mut e = 0;
        for p in base {
            let mut a = p.start;
            loop {
                while e < s.events.len() && s.events[e].0 <= a {
                    depth += s.events[e].1;
                    e += 1;
                }
                let next_edge = s.events.get(e).map_or(f64::INFINITY, |x| x.0);
                let b = next_edge.min(p.end);
                let rate = p.rate * self.multiplier.powi(depth);
                match s.pieces.last_mut() {
                    Some(q) if q.rate == rate && q.end == a => q.end = b,
                    _ => s.pieces.push(Piece {
                        start: a,
                        end: b,
                        rate,
                    }),
                }
                if b >= p.end {
                    break;
                }
                a = b;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tl(days: f64, week_offset: f64) -> Timeline {
        Timeline {
            bounds: vec![0.0, days * DAY],
            week_offset,
        }
    }

    /// Every point of a schedule, walked one by one.
    fn schedule(every: f64, at: f64, days: &[bool; 7], tl: &Timeline) -> Result<Vec<f64>, String> {
        let s = Schedule::new(every, at, days, tl)?;
        let mut out = Vec::new();
        let mut p = s.first_at_or_after(0.0);
        while let Some(q) = p {
            out.push(s.time(q));
            p = s.after(q);
        }
        Ok(out)
    }

    #[test]
    fn schedule_counts_and_picks_agree_with_the_walk() {
        // An afternoon start, weekdays only, points that straddle midnight.
        let mut days = [true; 7];
        days[6] = false;
        let tl = tl(20.0, 2.6 * DAY);
        let s = Schedule::new(7000.0, 1800.0, &days, &tl).unwrap();
        let all = schedule(7000.0, 1800.0, &days, &tl).unwrap();
        for (a, b) in [
            (0.0, 20.0 * DAY),
            (3.3 * DAY, 4.1 * DAY),
            (5.0 * DAY, 5.0 * DAY + 1.0),
        ] {
            let inside: Vec<f64> = all.iter().copied().filter(|t| *t >= a && *t < b).collect();
            assert_eq!(s.count(a, b), inside.len() as u64, "[{a}, {b})");
            for (i, t) in inside.iter().enumerate() {
                assert_eq!(s.nth(a, i as u64), *t);
            }
        }
        // A point itself is at or after itself.
        let p = s.first_at_or_after(all[5]).unwrap();
        assert_eq!(s.time(p), all[5]);
    }

    #[test]
    fn schedule_counts_agree_with_the_walk_on_many_windows() {
        // Windows that start and end anywhere: on points, at midnights, a
        // hair either side, within one day and across several; for grids
        // that divide the day, that do not, and one point a day.
        let mut days = [true; 7];
        days[5] = false;
        let tl = tl(9.0, 0.37 * DAY);
        for (every, offset) in [
            (600.0, 0.0),
            (7000.0, 1800.0),
            (DAY, 7.0 * HOUR),
            (2.0 * HOUR, 0.0),
        ] {
            let s = Schedule::new(every, offset, &days, &tl).unwrap();
            let all = schedule(every, offset, &days, &tl).unwrap();
            let mut edges: Vec<f64> = Vec::new();
            for d in 0..10 {
                let midnight = d as f64 * DAY - tl.week_offset.rem_euclid(DAY);
                edges.extend([midnight, midnight + 1e-6, midnight - 1e-6]);
            }
            edges.extend(all.iter().step_by(7).flat_map(|&t| [t, t + 1e-6, t - 1e-6]));
            // A fixed pseudo-random sequence (64-bit LCG) for the rest.
            let mut x = 12345u64;
            for _ in 0..200 {
                x = x
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                edges.push((x >> 11) as f64 / (1u64 << 53) as f64 * 9.0 * DAY);
            }
            for (i, &a) in edges.iter().enumerate() {
                for &b in edges.iter().skip(i % 5).step_by(5) {
                    if b < a || a < 0.0 {
                        continue;
                    }
                    let inside = all.iter().filter(|t| **t >= a && **t < b).count() as u64;
                    assert_eq!(s.count(a, b), inside, "every {every}: [{a}, {b})");
                    if inside > 0 {
                        let last = all.iter().copied().rfind(|t| *t >= a && *t < b);
                        assert_eq!(
                            Some(s.nth(a, inside - 1)),
                            last,
                            "every {every}: [{a}, {b})"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn schedule_every_ten_minutes_for_thirty_days() {
        let t = schedule(600.0, 0.0, &[true; 7], &tl(30.0, 0.0)).unwrap();
        assert_eq!(t.len(), 4320);
        assert_eq!(t[1], 600.0);
        assert!(t.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn schedule_weekdays_only_from_a_wednesday_noon() {
        // Start: Wednesday 12:00 => week_offset = 2.5 days. One run a day at
        // 09:00 on Mon-Fri. 14 days: Wed (already past 09:00), Thu, Fri, Mon..Fri,
        // Mon, Tue, Wed (09:00 on the last Wednesday falls before its noon end).
        let mut days = [true; 7];
        days[5] = false;
        days[6] = false;
        let t = schedule(DAY, 9.0 * HOUR, &days, &tl(14.0, 2.5 * DAY)).unwrap();
        assert_eq!(t.len(), 2 + 5 + 3);
        assert_eq!(t[0], 21.0 * HOUR); // Thursday 09:00
    }

    #[test]
    fn shared_steps_multiply_the_pieces_they_cover() {
        let base = [
            Piece {
                start: 0.0,
                end: 10.0,
                rate: 2.0,
            },
            Piece {
                start: 10.0,
                end: 30.0,
                rate: 4.0,
            },
        ];
        let mut steps = RateSteps::default();
        steps.push(5.0, 20.0, 0.5);
        steps.push(20.0, 25.0, 0.5);
        let mut out = Vec::new();
        multiply(&base, &steps.steps, &mut out);
        let got: Vec<(f64, f64, f64)> = out.iter().map(|p| (p.start, p.end, p.rate)).collect();
        // Equal neighbours merge: [20, 25) joined [5, 20) as one step.
        assert_eq!(
            got,
            vec![
                (0.0, 5.0, 2.0),
                (5.0, 10.0, 1.0),
                (10.0, 25.0, 2.0),
                (25.0, 30.0, 4.0)
            ]
        );
        assert_eq!(steps.at(7.0), 0.5);
        assert_eq!(steps.at(40.0), 1.0);
    }

    #[test]
    fn pieces_merge_equal_hours() {
        let mut w = [1.0; 24];
        w[9..17].iter_mut().for_each(|x| *x = 3.0);
        let p = pieces(&w, &[1.0; 7], &tl(2.0, 0.0));
        // 00-09, 09-17, 17-09 (merged over midnight), 09-17, 17-24
        assert_eq!(p.len(), 5);
        assert_eq!(p[2].start, 17.0 * HOUR);
        assert_eq!(p[2].end, 33.0 * HOUR);
    }
}
