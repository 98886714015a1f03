//! Teams that react at the cap ([`crate::scenario::Reaction`]): upgrade the
//! plan, throttle a flow, switch a flow's model. (Switching overage on is
//! the ledger's [`crate::ledger::Overage::WhenSwitched`].)
//!
//! A reaction is set off by the team's N-th billing cycle at its limit (the
//! instant `limit_reached_at`, a suspension when overage is off); its delay
//! is drawn then from the reaction's own stream, so adding one reaction does
//! not move another's draws, and the usage stream never sees them (the
//! demand a team generates before it reacts is the same under every plan:
//! `compare`'s common random numbers). What each effect changes:
//!
//! - upgrade: the ledger's terms from the first cycle that starts at or
//!   after the reaction instant ([`crate::ledger::Ledger::change_terms`]);
//! - throttle: arrivals of the flow that start at or after it are thinned
//!   (a Poisson arrival kept with probability `factor`, from the team's
//!   thinning stream; a schedule keeps every run that raises
//!   `floor(n * factor)`), before any of the run's draws are made;
//! - switch model: runs of the flow that start at or after it are priced
//!   from another compiled run plan with the same samplers (one per set of
//!   switches made and price version, [`crate::workload::KindWorkload::plans`]).

use super::clock::to_ns;
use super::streams::{reaction_stream, stream, Purpose};
use crate::ledger::{Overage, PlanTerms, Terms};
use crate::scenario::{Effect, TeamKind};
use crate::workload::arrivals::HOUR;
use crate::workload::sampling::{u01, Sampler, SimRng};

/// What a compiled reaction does.
#[derive(Clone, Debug)]
pub(crate) enum Act {
    /// Bill under `terms` (plan number `plan`: 1 + the reaction's index).
    Upgrade { terms: Terms<i64>, plan: u8 },
    /// Thin flow `flow`'s arrivals to `factor`.
    Throttle { flow: usize, factor: f64 },
    /// Set bit `bit` of the team's model-switch mask.
    Switch { bit: u32 },
}

/// One reaction of a kind, compiled.
#[derive(Clone, Debug)]
pub(crate) struct ReactionCtx {
    /// The cycle at the limit (1-based count) that sets it off.
    after: u32,
    /// Hours from reaching the limit to acting.
    delay: Sampler,
    act: Act,
    /// Its place in the kind's list (names its stream).
    index: u64,
}

/// Compiles `kind`'s reactions: an upgrade's terms are the kind's `terms`
/// on the new plan (overage and price carried over). An upgrade to a plan
/// with no more credits than the kind's own is dropped (nothing to gain:
/// `compare` may put the kind on a bigger plan than its upgrade target).
pub(crate) fn compile(
    kind: &TeamKind,
    terms: &Terms<i64>,
    block_credits: u64,
) -> Result<Vec<ReactionCtx>, String> {
    let mut out = Vec::with_capacity(kind.reactions.len());
    let mut bit = 0;
    for (i, r) in kind.reactions.iter().enumerate() {
        let delay = Sampler::new(&r.delay_hours).map_err(|e| format!("reaction {i}: {e}"))?;
        let act = match &r.effect {
            Effect::Upgrade { plan } => {
                if plan.credits <= kind.plan.credits {
                    continue;
                }
                let label = format!("plan '{}'", plan.name);
                let t = Terms::new(
                    PlanTerms {
                        label: &label,
                        allotment: plan.credits,
                        overage_allowed: plan.overage_allowed,
                    },
                    block_credits,
                    terms.overage(),
                    (terms.overage() != Overage::Off).then_some(terms.block_price()),
                )
                .map_err(|e| format!("reaction {i} (upgrade): {e}"))?;
                Act::Upgrade {
                    terms: t,
                    plan: (i + 1) as u8,
                }
            }
            Effect::Throttle { flow, factor } => Act::Throttle {
                flow: *flow,
                factor: *factor,
            },
            Effect::SwitchModel { .. } => {
                bit += 1;
                Act::Switch { bit: bit - 1 }
            }
        };
        out.push(ReactionCtx {
            after: r.after_limits,
            delay,
            act,
            index: i as u64,
        });
    }
    Ok(out)
}

/// Where one team's reactions stand in a trial.
pub(crate) struct Reacting {
    /// Cycles in which the team reached its limit so far.
    limits: u32,
    /// Whether the current cycle has been counted.
    counted: bool,
    /// A drawn upgrade: (instant, terms, plan number), not yet handed over.
    pub upgrade: Option<(i64, Terms<i64>, u8)>,
    /// Per flow: the instant its throttle starts (`i64::MAX`: never) and
    /// its factor.
    throttle: Vec<(i64, f64)>,
    /// Per flow: arrivals seen since its throttle started (schedules).
    seen: Vec<u64>,
    /// The thinning stream, made at the first throttle.
    thin: Option<SimRng>,
    /// Drawn model switches not yet in force: (instant, bit).
    switches: Vec<(i64, u32)>,
    /// The earliest of `switches` (`i64::MAX`: none).
    pub next_switch: i64,
    /// The switches in force: an index into the kind's plan sets.
    pub mask: u32,
}

/// The random streams of one team's reactions.
pub(crate) struct Who {
    pub seed: u64,
    pub trial: u32,
    pub kind: usize,
    pub team: u32,
}

impl Reacting {
    /// A team that has not reached its limit yet, with `flows` flows.
    pub fn new(flows: usize, any: bool) -> Reacting {
        Reacting {
            limits: 0,
            counted: false,
            upgrade: None,
            throttle: if any {
                vec![(i64::MAX, 1.0); flows]
            } else {
                Vec::new()
            },
            seen: Vec::new(),
            thin: None,
            switches: Vec::new(),
            next_switch: i64::MAX,
            mask: 0,
        }
    }

    /// Whether this cycle's limit has been counted already.
    #[inline]
    pub fn counted(&self) -> bool {
        self.counted
    }

    /// A new cycle begins: it has not been at the limit yet.
    #[inline]
    pub fn new_cycle(&mut self) {
        self.counted = false;
    }

    /// The team reached its limit at `t` (called for every run that ends
    /// at or above it; only the first in a cycle counts).
    pub fn at_limit(&mut self, t: i64, rs: &[ReactionCtx], who: &Who) {
        if self.counted {
            return;
        }
        self.counted = true;
        self.limits += 1;
        for r in rs {
            if r.after != self.limits {
                continue;
            }
            let mut rng = reaction_stream(who.seed, who.trial, who.kind, who.team, r.index);
            // After its cause, as the overage switch: at least 1 ns later.
            let at = t.saturating_add(to_ns(r.delay.sample(&mut rng) * HOUR).max(1));
            match &r.act {
                Act::Upgrade { terms, plan } => {
                    // Two upgrades set off together: the bigger plan (the
                    // caller also drops one no bigger than the plan the team
                    // is on or moving to: a team does not downgrade).
                    if self
                        .upgrade
                        .is_none_or(|(_, u, _)| terms.allotment() > u.allotment())
                    {
                        self.upgrade = Some((at, *terms, *plan));
                    }
                }
                Act::Throttle { flow, factor } => {
                    if let Some(slot) = self.throttle.get_mut(*flow) {
                        if at < slot.0 {
                            *slot = (at, *factor);
                        }
                    }
                    if self.thin.is_none() {
                        self.thin = Some(stream(
                            who.seed,
                            who.trial,
                            who.kind,
                            who.team,
                            Purpose::Thinning,
                        ));
                        self.seen = vec![0; self.throttle.len()];
                    }
                }
                Act::Switch { bit } => {
                    self.switches.push((at, *bit));
                    self.next_switch = self.next_switch.min(at);
                }
            }
        }
    }

    /// Whether an arrival of flow `flow` at `t` is dropped by a throttle
    /// (`schedule`: the flow is a fixed schedule, thinned without chance).
    #[inline]
    pub fn dropped(&mut self, flow: usize, t: i64, schedule: bool) -> bool {
        match self.throttle.get(flow) {
            Some(&(at, factor)) if t >= at => {
                if schedule {
                    let n = &mut self.seen[flow];
                    *n += 1;
                    // Keep the n-th arrival iff floor(n f) > floor((n-1) f).
                    let keep = (*n as f64 * factor).floor() > ((*n - 1) as f64 * factor).floor();
                    !keep
                } else {
                    // The stream is made with the first throttle.
                    self.thin.as_mut().is_some_and(|rng| u01(rng) >= factor)
                }
            }
            _ => false,
        }
    }

    /// Brings the model switches in force at `t` into `mask`.
    #[cold]
    pub fn switch_until(&mut self, t: i64) {
        let mut next = i64::MAX;
        let mask = &mut self.mask;
        self.switches.retain(|&(at, bit)| {
            if at <= t {
                *mask |= 1 << bit;
                false
            } else {
                next = next.min(at);
                true
            }
        });
        self.next_switch = next;
    }
}
