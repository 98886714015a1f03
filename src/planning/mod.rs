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
    extra: &mut (impl Observer + Send),
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

/// Per kind and trial, the mean over the kind's team-months of a dollar
/// amount: the unit of pairing for common-random-number differences. Sums
/// are whole cents by trial, so a shard's part (trials seen in part
/// included) merges exactly. Memory: kinds x trials numbers.
pub(crate) struct PerTrialMean<F> {
    kinds: Vec<TeamKind>,
    f: F,
    sums: PerTrialSums,
}

/// Per trial, per kind: (cents, team-months).
pub type PerTrialSums = std::collections::BTreeMap<u32, Vec<(u64, u64)>>;

impl<F: FnMut(&TeamMonth<'_>, &TeamKind) -> f64> PerTrialMean<F> {
    /// Tallies `f(team-month, its kind)`, in USD.
    pub fn new(s: &Scenario, f: F) -> Self {
        PerTrialMean {
            kinds: s.kinds.clone(),
            f,
            sums: PerTrialSums::new(),
        }
    }

    /// The sums so far (a shard saves them).
    pub fn sums(self) -> PerTrialSums {
        self.sums
    }
}

/// Adds `b`'s sums into `a`'s (the parts of one simulation).
pub(crate) fn merge_per_trial(a: &mut PerTrialSums, b: &PerTrialSums) -> Result<(), String> {
    for (t, kinds) in b {
        let mine = a.entry(*t).or_insert_with(|| vec![(0, 0); kinds.len()]);
        if mine.len() != kinds.len() {
            return Err(format!("trial {t}: the parts' kinds differ"));
        }
        for (x, y) in mine.iter_mut().zip(kinds) {
            x.0 = x.0.saturating_add(y.0);
            x.1 = x.1.saturating_add(y.1);
        }
    }
    Ok(())
}

/// `out[kind][i]`: the mean in USD of the kind's team-months in the i-th
/// trial (ascending trial numbers).
pub(crate) fn per_trial_means(sums: &PerTrialSums, kinds: usize) -> Vec<Vec<f64>> {
    let mut out = vec![Vec::with_capacity(sums.len()); kinds];
    for k in sums.values() {
        for (o, (cents, n)) in out.iter_mut().zip(k) {
            o.push(if *n == 0 {
                0.0
            } else {
                *cents as f64 / *n as f64 / 100.0
            });
        }
    }
    out
}

impl<F: FnMut(&TeamMonth<'_>, &TeamKind) -> f64> Observer for PerTrialMean<F> {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        let n = self.kinds.len();
        if let Some(k) = self.kinds.get(tm.kind) {
            let usd = (self.f)(tm, k);
            let s = self.sums.entry(tm.trial).or_insert_with(|| vec![(0, 0); n]);
            if let Some(s) = s.get_mut(tm.kind) {
                s.0 = s.0.saturating_add((usd * 100.0).round().max(0.0) as u64);
                s.1 += 1;
            }
        }
    }
}
