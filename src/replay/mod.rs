//! Replay: bills a real usage log (CSV) with the same pricing function and
//! ledger as the simulator (shared/usage-log.md is the contract).
//!
//! The pipeline: [`log`] streams the CSV into one compact run per `run_id`,
//! each priced by [`PriceBook::charge`]; [`nesting`] checks the parents of
//! nested MCP-flow runs; then each team's runs become start and end events in
//! time order and go through a [`Ledger<i64>`] (times in integer nanoseconds,
//! so ties are exact), cut into billing cycles by the [`Anchor`].
//!
//! Events at one instant are ordered by the ledger's one tie rule
//! ([`crate::ledger::order`]): ends of earlier runs, then starts (parents
//! before their nested children), then ends of zero-length runs. Starts at one
//! instant never affect each other's admission, so the result does not depend
//! on the order of rows in the file.
//!
//! ```
//! use flowcast::ledger::{Overage, PlanTerms, Terms};
//! use flowcast::pricing::PriceBook;
//! use flowcast::replay::{replay_reader, Anchor, Billing};
//!
//! let log = "run_id,team,flow,trigger,started_at,ended_at,parent_run_id,block,model,count\n\
//!            r1,acme,sync,api,2026-03-02T10:00:00Z,2026-03-02T10:00:05Z,,http_request,,2\n";
//! let book = PriceBook::builtin();
//! let plan = PlanTerms { label: "plan 'team'", allotment: 100, overage_allowed: true };
//! let terms = Terms::new(plan, 1000, Overage::Off, None).unwrap();
//! let billing = Billing::new(Anchor::default(), terms);
//! let replay = replay_reader(log.as_bytes(), "usage.csv".as_ref(), &book, &billing).unwrap();
//! // A cloud run: 1 base credit + 2 HTTP requests.
//! assert_eq!(replay.records[0].credits_used, 3);
//! assert_eq!(replay.records[0].cycle_start, "2026-03-01T00:00:00Z".parse::<chrono::DateTime<chrono::Utc>>().unwrap().timestamp_nanos_opt().unwrap());
//! ```

pub mod cycles;
pub mod intern;
pub mod lines;
pub mod log;
pub mod nesting;
pub mod output;
pub mod plans;

pub use cycles::{format_time, parse_time, Anchor};

use crate::files::InputError;
use crate::ledger::{Admission, CycleRecord, Ledger, Phase, Terms};
use crate::pricing::{Charge, PriceBook};
use log::{RunTable, NONE};
use std::collections::BTreeMap;
use std::path::Path;

/// Who is billed how: the billing anchor and each team's terms.
#[derive(Clone, Debug, PartialEq)]
pub struct Billing {
    /// When cycles start.
    pub anchor: Anchor,
    /// Terms of every team not named in `teams`.
    pub default: Terms<i64>,
    /// Terms of particular teams, by team name.
    pub teams: BTreeMap<String, Terms<i64>>,
    /// Plan changes of particular teams, by team name: (from, new terms).
    pub changes: BTreeMap<String, Vec<(i64, Terms<i64>)>>,
}

impl Billing {
    /// Every team on the same `terms`.
    pub fn new(anchor: Anchor, terms: Terms<i64>) -> Billing {
        Billing {
            anchor,
            default: terms,
            teams: BTreeMap::new(),
            changes: BTreeMap::new(),
        }
    }

    /// The terms of team `team`.
    pub(crate) fn terms_for(&self, team: &str) -> Terms<i64> {
        self.teams.get(team).copied().unwrap_or(self.default)
    }
}

/// One team's billing cycle in which it has at least one executed or blocked
/// run: the record of `replay --json` (shared/usage-log.md). Times are
/// nanoseconds since the Unix epoch, UTC.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayRecord {
    /// Team name, as in the log.
    pub team: String,
    /// When the cycle starts.
    pub cycle_start: i64,
    /// The team's monthly credits.
    pub allotment: u64,
    /// Credits of the runs that executed and ended in this cycle.
    pub credits_used: u64,
    /// The first instant used credits became >= the allotment, overage or not.
    pub limit_reached_at: Option<i64>,
    /// Overage blocks bought in this cycle.
    pub overage_blocks: u64,
    /// `overage_blocks` times the block price, USD.
    pub overage_cost: f64,
    /// Runs that executed and ended in this cycle.
    pub runs_executed: u64,
    /// Runs blocked in this cycle (counted in the cycle they would have started).
    pub runs_blocked: u64,
    /// What the blocked runs would have cost.
    pub blocked_credits: u64,
    /// When the team was suspended (limit reached with overage off).
    pub suspended_at: Option<i64>,
    /// When a suspension ended because overage was switched on.
    pub resumed_at: Option<i64>,
}

impl ReplayRecord {
    fn new(team: &str, c: CycleRecord<i64>) -> ReplayRecord {
        ReplayRecord {
            team: team.to_string(),
            cycle_start: c.cycle_start,
            allotment: c.allotment,
            credits_used: c.credits_used,
            limit_reached_at: c.limit_reached_at,
            overage_blocks: c.overage_blocks,
            overage_cost: c.overage_cost,
            runs_executed: c.runs_executed,
            runs_blocked: c.runs_blocked,
            blocked_credits: c.blocked_credits,
            suspended_at: c.suspended_at,
            resumed_at: c.resumed_at,
        }
    }
}

/// The billed log.
#[derive(Clone, Debug, PartialEq)]
pub struct Replay {
    /// One record per team and cycle with runs, by team name then cycle.
    pub records: Vec<ReplayRecord>,
    /// Runs in the log.
    pub runs: u64,
    /// Data rows in the log.
    pub rows: u64,
    /// Teams in the log.
    pub teams: u64,
    /// The dated price versions that priced some run, one line each
    /// ([`crate::pricing::PriceVersion::describe`]); empty when none did.
    pub price_versions: Vec<String>,
}

/// Replays the log file at `path`.
pub fn replay_file(path: &Path, book: &PriceBook, billing: &Billing) -> Result<Replay, InputError> {
    let file = std::fs::File::open(path).map_err(|e| InputError::at(path, None, e.to_string()))?;
    replay_reader(
        std::io::BufReader::with_capacity(1 << 16, file),
        path,
        book,
        billing,
    )
}

/// Replays a log read from `input`; `path` names it in error messages.
pub fn replay_reader<R: std::io::Read>(
    input: R,
    path: &Path,
    book: &PriceBook,
    billing: &Billing,
) -> Result<Replay, InputError> {
    let table = log::read_log(input, path, book)?;
    let depth = nesting::check(&table, path)?;
    check_team_totals(&table, path)?;
    let mut replay = bill(&table, &depth, billing);
    replay.price_versions = versions_used(&table, book);
    Ok(replay)
}

/// The dated price versions in force at some run's start, described.
fn versions_used(table: &RunTable, book: &PriceBook) -> Vec<String> {
    if !book.is_versioned() {
        return Vec::new();
    }
    let mut used = vec![false; book.versions.len()];
    for r in table.runs.iter().filter(|r| r.defined) {
        if let Some(i) = book.versions.iter().position(|v| v.covers(r.start)) {
            used[i] = true;
        }
    }
    book.versions
        .iter()
        .zip(used)
        .filter(|(_, u)| *u)
        .map(|(v, _)| v.describe(book))
        .collect()
}

/// Bills an already-read run table (checked as [`replay_reader`] checks a
/// log); only runs with `keep(run)` true are billed, as if the others were
/// not in the log (a backtest bills the month to date this way).
pub(crate) fn replay_table(
    table: &RunTable,
    path: &Path,
    billing: &Billing,
    keep: impl Fn(&log::Run) -> bool,
) -> Result<Replay, InputError> {
    let depth = nesting::check(table, path)?;
    check_team_totals(table, path)?;
    if table.runs.iter().all(|r| !r.defined || keep(r)) {
        return Ok(bill(table, &depth, billing));
    }
    let mut kept = RunTable {
        runs: table.runs.clone(),
        ids: Default::default(),
        teams: table.teams.clone(),
        flows: Default::default(),
        rows: table.rows,
    };
    for r in &mut kept.runs {
        // A run's nested runs start with or after it, so a prefix in time
        // keeps whole call trees.
        if r.defined && !keep(r) {
            r.defined = false;
        }
    }
    Ok(bill(&kept, &depth, billing))
}

/// Refuses a log whose credits for one team do not fit in 64 bits: the
/// ledger would saturate and report a wrong total. Named at the first line
/// of the run that tips the sum over.
fn check_team_totals(table: &RunTable, path: &Path) -> Result<(), InputError> {
    let mut sums = vec![0u64; table.teams.len()];
    for r in table.runs.iter().filter(|r| r.defined) {
        let s = &mut sums[r.team as usize];
        *s = s.checked_add(r.credits).ok_or_else(|| {
            InputError::at(
                path,
                Some(r.first_line as usize),
                format!(
                    "the credits of team '{}' overflow 64 bits (a count is far too large)",
                    table.teams.get_str(r.team)
                ),
            )
        })?;
    }
    Ok(())
}

#[derive(Clone, Copy, Debug)]
struct Event {
    t: i64,
    phase: Phase,
    depth: u32,
    run: u32,
}

/// Runs every team's events through its ledger.
fn bill(table: &RunTable, depth: &[u32], billing: &Billing) -> Replay {
    let runs = &table.runs;
    // Runs grouped by team (a counting sort keeps memory at 4 bytes a run).
    let n_teams = table.teams.len();
    let mut offsets = vec![0usize; n_teams + 1];
    for r in runs.iter().filter(|r| r.defined) {
        offsets[r.team as usize + 1] += 1;
    }
    for i in 0..n_teams {
        offsets[i + 1] += offsets[i];
    }
    let mut by_team = vec![0u32; offsets[n_teams]];
    let mut fill = offsets.clone();
    for (i, r) in runs.iter().enumerate().filter(|(_, r)| r.defined) {
        by_team[fill[r.team as usize]] = i as u32;
        fill[r.team as usize] += 1;
    }
    let mut team_order: Vec<u32> = (0..n_teams as u32).collect();
    team_order.sort_by(|&a, &b| table.teams.get(a).cmp(table.teams.get(b)));

    let mut admitted = vec![false; runs.len()];
    let mut events: Vec<Event> = Vec::new();
    let mut records = Vec::new();
    for team in team_order {
        let name = table.teams.get_str(team);
        let members = &by_team[offsets[team as usize]..offsets[team as usize + 1]];
        events.clear();
        for &i in members {
            let r = &runs[i as usize];
            let d = depth[i as usize];
            events.push(Event {
                t: r.start,
                phase: Phase::Start,
                depth: d,
                run: i,
            });
            events.push(Event {
                t: r.end,
                phase: Phase::of_end(r.start, r.end),
                depth: d,
                run: i,
            });
        }
        events.sort_unstable_by_key(|e| (e.t, e.phase, e.depth, e.run));
        let Some(first) = events.first() else {
            continue;
        };

        let anchor = billing.anchor;
        let mut ledger = Ledger::new(billing.terms_for(&name), anchor.cycle_start(first.t));
        for &(from, terms) in billing.changes.get(&name).into_iter().flatten() {
            ledger.change_terms(from, terms);
        }
        let mut next = anchor.next_start(anchor.cycle_start(first.t));
        for e in &events {
            while e.t >= next {
                let closed = ledger.next_cycle(next);
                if closed.has_runs() {
                    records.push(ReplayRecord::new(&name, closed));
                }
                next = anchor.next_start(next);
            }
            let r = &runs[e.run as usize];
            match e.phase {
                Phase::Start => {
                    let admission = if r.parent == NONE {
                        ledger.start(e.t, r.trigger.is_cloud(), r.credits)
                    } else {
                        let parent = if admitted[r.parent as usize] {
                            Admission::Executes
                        } else {
                            Admission::Blocked
                        };
                        ledger.start_nested(e.t, r.credits, parent)
                    };
                    admitted[e.run as usize] = admission == Admission::Executes;
                }
                _ => {
                    if admitted[e.run as usize] {
                        // Replay keeps only each run's total (memory), so the
                        // by-source split is not tracked here.
                        let charge = Charge {
                            total: r.credits,
                            ..Charge::default()
                        };
                        ledger.end(r.start, e.t, &charge);
                    }
                }
            }
        }
        let last = ledger.finish(next);
        if last.has_runs() {
            records.push(ReplayRecord::new(&name, last));
        }
    }
    Replay {
        price_versions: Vec::new(),
        records,
        runs: by_team.len() as u64,
        rows: table.rows,
        teams: n_teams as u64,
    }
}
