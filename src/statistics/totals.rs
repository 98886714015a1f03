//! The population's total overage per trial (the finance number): summed
//! in whole cents over a trial's team-months, tallied when the trial ends.
//! A trial cut between shards stays open (its cents by trial number) until
//! the shards are merged.

use super::tally::Tally;
use crate::engine::{Observer, TeamMonth};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Whole cents of a dollar amount (how every total is summed).
pub(crate) fn cents(usd: f64) -> u64 {
    (usd * 100.0).round().max(0.0) as u64
}

/// Per-trial totals of overage billed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrialTotals {
    /// Cents of the trials not finished yet, by trial.
    open: BTreeMap<u32, u64>,
    /// The finished trials' totals, in cents: exact quantiles up to 2,048
    /// trials (finance reads them to the dollar), 1/4096 above.
    totals: Tally,
}

impl Default for TrialTotals {
    fn default() -> Self {
        TrialTotals {
            open: BTreeMap::new(),
            totals: Tally::new(0.01, 12),
        }
    }
}

impl TrialTotals {
    /// The finished trials' totals, USD.
    pub fn tally(&self) -> &Tally {
        &self.totals
    }

    /// Adds another part's totals; trials both saw in part are summed.
    pub fn merge(&mut self, o: &TrialTotals) -> Result<(), String> {
        self.totals.merge(&o.totals)?;
        for (t, c) in &o.open {
            let e = self.open.entry(*t).or_insert(0);
            *e = e.saturating_add(*c);
        }
        Ok(())
    }

    /// Counts the trials still open as finished (after a merge of all the
    /// parts, they are).
    pub fn close_trials(&mut self) {
        for (_, c) in std::mem::take(&mut self.open) {
            self.totals.add_units(c);
        }
    }
}

impl Observer for TrialTotals {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        let c = self.open.entry(tm.trial).or_insert(0);
        *c = c.saturating_add(cents(tm.record.overage_cost));
    }

    fn trial_end(&mut self, trial: u32) {
        let c = self.open.remove(&trial).unwrap_or(0);
        self.totals.add_units(c);
    }
}
