//! Alert lead time: for usage alerts at 50%, 80% and 95% of the allotment,
//! how many days of warning a team gets before it hits 100%.
//!
//! Counted over the team-months that hit the limit; a team whose one run
//! jumps past an alert level and the limit together gets 0 days. Memory:
//! kinds x levels histograms, every one mergeable exactly (a shard saves
//! its [`AlertState`]).

use crate::engine::{Observer, TeamMonth};
use crate::scenario::Scenario;
use crate::statistics::Tally;
use crate::workload::arrivals::DAY;
use serde::{Deserialize, Serialize};

use crate::ledger::alerts::ALERT_LEVELS;

/// Lead time of one alert level for one group.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertRow {
    /// Kind name, or `population`.
    pub group: String,
    /// Alert level, percent of the allotment.
    pub level_pct: u32,
    /// Share of all team-months whose use reached this level.
    pub reached_share: f64,
    /// Team-months that hit the limit (the lead times are over these).
    pub team_months_hit: u64,
    /// Mean days from the alert to the limit.
    pub lead_days_mean: f64,
    /// 10th percentile of the lead, days (one team in ten gets less).
    pub lead_days_p10: f64,
    /// Median lead, days.
    pub lead_days_p50: f64,
    /// 90th percentile lead, days.
    pub lead_days_p90: f64,
    /// Share of the hits with less than one day of warning.
    pub under_one_day_share: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct GroupAcc {
    n: u64,
    hits: u64,
    reached: [u64; 3],
    lead: [Tally; 3],
    under_day: [u64; 3],
}

impl GroupAcc {
    fn new() -> GroupAcc {
        // Lead times in minutes: exact below ~8.5 days, within 0.4% above.
        let t = || Tally::new(60.0 / DAY, 8);
        GroupAcc {
            n: 0,
            hits: 0,
            reached: [0; 3],
            lead: [t(), t(), t()],
            under_day: [0; 3],
        }
    }

    fn merge(&mut self, o: &GroupAcc) -> Result<(), String> {
        self.n += o.n;
        self.hits += o.hits;
        for i in 0..3 {
            self.reached[i] += o.reached[i];
            self.lead[i].merge(&o.lead[i])?;
            self.under_day[i] += o.under_day[i];
        }
        Ok(())
    }

    fn add(&mut self, tm: &TeamMonth<'_>) {
        self.n += 1;
        for (r, a) in self.reached.iter_mut().zip(tm.alerts) {
            *r += u64::from(a.is_some());
        }
        let Some(hit) = tm.record.limit_reached_at else {
            return;
        };
        self.hits += 1;
        for (i, alert) in tm.alerts.iter().enumerate() {
            // Reaching 100% implies every lower level was reached first, or at the same instant.
            let lead = alert.map_or(0.0, |a| ((hit - a) / DAY).max(0.0));
            self.lead[i].add(lead);
            self.under_day[i] += u64::from(lead < 1.0);
        }
    }
}

/// Collects alert lead times; feed it to [`crate::engine::simulate`].
#[derive(Clone, Debug)]
pub struct AlertCollector {
    names: Vec<String>,
    groups: AlertState,
}

/// What an [`AlertCollector`] has accumulated, per group (kinds, then the
/// population).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AlertState(Vec<GroupAcc>);

impl AlertState {
    /// Adds what another part of the same simulation accumulated.
    pub fn merge(&mut self, o: &AlertState) -> Result<(), String> {
        if o.0.len() != self.0.len() {
            return Err(format!(
                "{} alert groups here, {} in the part",
                self.0.len(),
                o.0.len()
            ));
        }
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            a.merge(b)?;
        }
        Ok(())
    }
}

impl AlertCollector {
    /// A collector for `s`'s kinds and the population.
    pub fn new(s: &Scenario) -> AlertCollector {
        let mut names: Vec<String> = s.kinds.iter().map(|k| k.name.clone()).collect();
        names.push("population".to_string());
        AlertCollector {
            groups: AlertState(vec![GroupAcc::new(); names.len()]),
            names,
        }
    }

    /// What has been accumulated (a shard saves it).
    pub fn state(&self) -> &AlertState {
        &self.groups
    }

    /// Continues from `state` (the merged parts of this scenario's
    /// simulation).
    pub fn resume(&mut self, state: AlertState) -> Result<(), String> {
        if state.0.len() != self.groups.0.len() {
            return Err("the part's alert groups differ from the scenario's".to_string());
        }
        self.groups = state;
        Ok(())
    }

    /// One row per group and level.
    pub fn finish(&self) -> Vec<AlertRow> {
        let mut rows = Vec::new();
        for (name, g) in self.names.iter().zip(&self.groups.0) {
            for (i, level) in ALERT_LEVELS.iter().enumerate() {
                let share = |k: u64, n: u64| if n == 0 { 0.0 } else { k as f64 / n as f64 };
                rows.push(AlertRow {
                    group: name.clone(),
                    level_pct: (level * 100.0).round() as u32,
                    reached_share: share(g.reached[i], g.n),
                    team_months_hit: g.hits,
                    lead_days_mean: g.lead[i].mean(),
                    lead_days_p10: g.lead[i].quantile(0.1),
                    lead_days_p50: g.lead[i].quantile(0.5),
                    lead_days_p90: g.lead[i].quantile(0.9),
                    under_one_day_share: share(g.under_day[i], g.hits),
                });
            }
        }
        rows
    }
}

impl Observer for AlertCollector {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        let groups = &mut self.groups.0;
        let pop = groups.len() - 1;
        if let Some(g) = groups.get_mut(tm.kind) {
            g.add(tm);
        }
        if let Some(g) = groups.get_mut(pop) {
            g.add(tm);
        }
    }
}
