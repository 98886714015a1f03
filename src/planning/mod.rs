//! Planning: the comparisons people bring to flowcast, built on the
//! simulator so that every answer carries its uncertainty.
//!
//! - [`compare`]: which plan should each kind of team be on (common random
//!   numbers across plans);
//! - [`sweep`]: how the headline numbers move over a grid of overrides;
//! - [`forecast`]: consecutive billing cycles, monthly and cumulative overage;
//! - [`sensitivity`]: which input moves the population's overage most;
//! - [`stopping`]: add trials until the confidence intervals are tight enough;
//! - [`alerts`]: how many days of warning usage alerts give;
//! - [`run`]: a scenario's standard results (summary, alerts, forecast) in
//!   one pass, with a fixed or an adaptive number of trials.

pub mod alerts;
pub mod compare;
pub mod forecast;
pub mod grid;
pub mod rank;
pub mod recommend;
pub mod run;
pub mod sensitivity;
pub mod stopping;
pub mod sweep;

pub use crate::engine::Nothing;
use crate::engine::{simulate, EngineError, Observer, SimOptions, TeamMonth};
use crate::scenario::{Scenario, TeamKind};
use crate::statistics::{Summary, SummaryCollector};

/// Simulates `s` into its standard [`Summary`], feeding `extra` the same
/// team-months.
pub(crate) fn simulate_summary(
    s: &Scenario,
    opts: &SimOptions,
    extra: &mut impl Observer,
) -> Result<Summary, EngineError> {
    let mut summary = SummaryCollector::new(s, opts)?;
    simulate(s, opts, &mut (&mut summary, extra))?;
    Ok(summary.finish())
}

/// A progress bar over the `total` simulations a planning command runs (a
/// sweep's points, a sensitivity analysis's variants), on standard error
/// when `opts.progress`; and the options each simulation then runs with
/// (no bar of its own, which would flash once per variant).
pub(crate) fn variants_bar(
    what: &str,
    total: u64,
    opts: &SimOptions,
) -> (indicatif::ProgressBar, SimOptions) {
    use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
    let target = if opts.progress {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    };
    let bar = ProgressBar::with_draw_target(Some(total), target);
    let template =
        format!("{{spinner}} {what}: simulation {{pos}} of {{len}} [{{bar:30}}] eta {{eta}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    let inner = SimOptions {
        progress: false,
        ..opts.clone()
    };
    (bar, inner)
}

/// Per kind and trial, the mean over the kind's team-months of a quantity:
/// the unit of pairing for common-random-number differences. Memory: kinds x
/// trials numbers.
pub(crate) struct PerTrialMean<F> {
    kinds: Vec<TeamKind>,
    f: F,
    sums: Vec<(f64, u64)>,
    out: Vec<Vec<f64>>,
}

impl<F: FnMut(&TeamMonth<'_>, &TeamKind) -> f64> PerTrialMean<F> {
    /// Tallies `f(team-month, its kind)`.
    pub fn new(s: &Scenario, f: F) -> Self {
        PerTrialMean {
            kinds: s.kinds.clone(),
            f,
            sums: vec![(0.0, 0); s.kinds.len()],
            out: vec![Vec::new(); s.kinds.len()],
        }
    }

    /// `out[kind][trial]`.
    pub fn finish(self) -> Vec<Vec<f64>> {
        self.out
    }
}

impl<F: FnMut(&TeamMonth<'_>, &TeamKind) -> f64> Observer for PerTrialMean<F> {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        if let (Some(k), Some(s)) = (self.kinds.get(tm.kind), self.sums.get_mut(tm.kind)) {
            s.0 += (self.f)(tm, k);
            s.1 += 1;
        }
    }

    fn trial_end(&mut self, _trial: u32) {
        for (s, out) in self.sums.iter_mut().zip(&mut self.out) {
            out.push(if s.1 == 0 { 0.0 } else { s.0 / s.1 as f64 });
            *s = (0.0, 0);
        }
    }
}
