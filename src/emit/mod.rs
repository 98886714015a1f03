//! Emit: a simulation's runs written as a usage log, in exactly the format
//! `replay` reads (shared/usage-log.md), with a plan file that bills every
//! emitted team under the terms it was simulated with.
//!
//! Replaying the two files reproduces the simulator's own billing of those
//! teams, cycle by cycle (credits, the limit instant to the nanosecond,
//! overage blocks, blocked runs): the engine and replay share the pricing
//! function, the ledger and its tie rule, and the engine bills in the same
//! integer nanoseconds the log carries (`tests/all/emit_replay.rs` checks it).
//!
//! - Team ids: `KIND-NNNN` (team number from 0001), plus `-tTRIAL` when more
//!   than one trial is emitted.
//! - Run ids: `TEAM-N` (N from 1 in start order); a nested MCP-flow run is
//!   `TEAM-N.J` with `parent_run_id` set, and starts and ends with its parent
//!   (the simulator's model of MCP flows).
//! - Rows: one per block kind a run executed (count > 0); a run with none is
//!   one row with an empty block and count 0. Logic blocks are written as
//!   `evaluate` (one of the four logic block names; all price the same).
//! - Blocked runs are written too, with the blocks they would have run and
//!   the duration that was drawn for them.
//! - Runs in flight at the end of the horizon are written with their real
//!   end; the simulator drops them (they would accrue in a cycle it does not
//!   simulate), and a replay bills them in the cycle after the horizon.
//!
//! The log is streamed through a buffered writer: memory does not grow with
//! the number of runs.

mod plans;

pub use plans::plan_file;

use crate::engine::{tap_runs, BilledMonth, EngineError, RunTap, SimRun, TrialTap};
use crate::pricing::{Item, PriceBook, Trigger};
use crate::replay::format_time;
use crate::scenario::Scenario;
use crate::workload::runs::{RunCounts, RunPlan};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The log's header row (shared/usage-log.md, "The log file").
pub const HEADER: &str =
    "run_id,team,flow,trigger,started_at,ended_at,parent_run_id,block,model,count\n";

/// What was emitted.
#[derive(Clone, Debug, PartialEq)]
pub struct Emitted {
    /// The engine's billing of every emitted team-month (times in ns from
    /// the calendar's start).
    pub billed: Vec<BilledMonth>,
    /// Runs written (nested included).
    pub runs: u64,
    /// Rows written.
    pub rows: u64,
    /// Whether a price-book file was written beside the log
    /// ([`prices_path`]: the scenario has prices of its own).
    pub prices_file: bool,
}

/// Why emitting failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmitError {
    /// The scenario cannot be simulated.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// Writing the log failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The team id of team `team` of kind `kind` in `trial`.
pub fn team_id(s: &Scenario, kind: usize, team: u32, trial: u32, trials: u32) -> String {
    let name = &s.kinds[kind].name;
    if trials > 1 {
        format!("{name}-{:04}-t{trial}", u64::from(team) + 1)
    } else {
        format!("{name}-{:04}", u64::from(team) + 1)
    }
}

/// Simulates trials `0 .. trials` of `s` with `seed` and writes their runs to
/// `out` as a usage log. Returns the engine's own billing of those teams.
pub fn emit_log(
    s: &Scenario,
    seed: u64,
    trials: u32,
    out: &mut impl Write,
) -> Result<Emitted, EmitError> {
    let start =
        s.calendar.start.timestamp_nanos_opt().ok_or_else(|| {
            std::io::Error::other("the calendar start cannot be written in a log")
        })?;
    out.write_all(HEADER.as_bytes())?;
    let mut w = LogWriter {
        s,
        book: &s.prices,
        out,
        start,
        trials,
        trial: 0,
        team: String::new(),
        kind: 0,
        next_run: 0,
        runs: 0,
        rows: 0,
        error: None,
        line: String::new(),
    };
    let billed = tap_runs(s, seed, 0, trials, &mut w)?;
    if let Some(e) = w.error.take() {
        return Err(e.into());
    }
    w.out.flush()?;
    Ok(Emitted {
        billed,
        runs: w.runs,
        rows: w.rows,
        prices_file: false,
    })
}

/// How a replay of the emitted trials is billed: the plan file's terms and
/// cycles (what `replay --plan-file` reads, without the file).
pub fn billing(
    s: &Scenario,
    billed: &[BilledMonth],
    trials: u32,
) -> Result<crate::replay::Billing, crate::files::InputError> {
    let text = plan_file(s, billed, trials);
    let pf =
        crate::replay::plans::parse_plan_file(&text, Path::new("emitted.plans.toml"), &s.prices)?;
    let anchor = pf.anchor.unwrap_or_default();
    let mut b = crate::replay::Billing::new(anchor, pf.default);
    b.teams = pf.teams;
    b.changes = pf.changes;
    Ok(b)
}

/// The plan file written beside `log`: `FILE.csv` -> `FILE.plans.toml`.
pub fn plans_path(log: &Path) -> PathBuf {
    log.with_extension("plans.toml")
}

/// Emits trials `0 .. trials` of `s` into the file `log` and its plan file
/// ([`plans_path`]). The log streams into a temporary file beside it that is
/// renamed into place only when complete, so a failed or killed emit leaves
/// no half-written log under the name.
pub fn emit_files(s: &Scenario, seed: u64, trials: u32, log: &Path) -> Result<Emitted, EmitError> {
    let mut failure = None;
    let written = crate::files::write_atomic_with(log, |w| match emit_log(s, seed, trials, w) {
        Ok(e) => Ok(e),
        Err(EmitError::Io(e)) => Err(e),
        Err(other) => {
            failure = Some(other);
            Err(std::io::Error::other("emit failed"))
        }
    });
    let mut emitted = match (written, failure) {
        (_, Some(e)) => return Err(e),
        (r, None) => r?,
    };
    crate::files::write_atomic(
        &plans_path(log),
        plan_file(s, &emitted.billed, trials).as_bytes(),
    )?;
    // The scenario's own prices (dated versions included), which a replay
    // of the log needs as its --prices file; none when they are built in.
    let prices = crate::pricing::overrides_toml(&s.prices, "");
    let path = prices_path(log);
    if prices.is_empty() {
        // An earlier emit's prices must not pass for this one's.
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e.into()),
            _ => {}
        }
    } else {
        let text = format!(
            "# The prices of scenario '{}' (only what differs from the built-in book):\n# replay the log with --prices {}\n\n{prices}",
            s.name,
            path.display()
        );
        crate::files::write_atomic(&path, text.as_bytes())?;
        emitted.prices_file = true;
    }
    Ok(emitted)
}

/// The price-book file written beside `log` when the scenario has its own
/// prices: `FILE.csv` -> `FILE.prices.toml`.
pub fn prices_path(log: &Path) -> PathBuf {
    log.with_extension("prices.toml")
}

/// Writes runs as log rows as the engine hands them over.
struct LogWriter<'a, W: Write> {
    s: &'a Scenario,
    book: &'a PriceBook,
    out: &'a mut W,
    /// The calendar's start, ns since the epoch.
    start: i64,
    trials: u32,
    trial: u32,
    team: String,
    kind: usize,
    next_run: u64,
    runs: u64,
    rows: u64,
    /// The first write error (the tap cannot return one; emitting stops
    /// writing after it and reports it at the end).
    error: Option<std::io::Error>,
    line: String,
}

impl<W: Write> TrialTap for LogWriter<'_, W> {
    fn trial(&mut self, trial: u32) {
        self.trial = trial;
    }

    fn runs(&mut self) -> &mut dyn RunTap {
        self
    }
}

impl<W: Write> RunTap for LogWriter<'_, W> {
    fn team(&mut self, kind: usize, team: u32) {
        self.kind = kind;
        self.team = team_id(self.s, kind, team, self.trial, self.trials);
        self.next_run = 0;
    }

    fn run(&mut self, r: &SimRun<'_>) {
        if self.error.is_some() {
            return;
        }
        self.next_run += 1;
        let id = format!("{}-{}", self.team, self.next_run);
        let (started, ended) = (
            format_time(self.start.saturating_add(r.start)),
            format_time(self.start.saturating_add(r.end)),
        );
        let flows = &self.s.kinds[self.kind].flows;
        let mut result = self.write_run(
            &id,
            &flows[r.flow].name,
            r.plans[r.flow].trigger,
            (&started, &ended),
            "",
            &r.plans[r.flow],
            r.counts,
        );
        for (j, n) in r.nested.iter().enumerate() {
            if result.is_err() {
                break;
            }
            let parent = match n.parent {
                None => id.clone(),
                Some(p) => format!("{id}.{}", p + 1),
            };
            result = self.write_run(
                &format!("{id}.{}", j + 1),
                &flows[n.flow].name,
                Trigger::Mcp,
                (&started, &ended),
                &parent,
                &r.plans[n.flow],
                &n.counts,
            );
        }
        if let Err(e) = result {
            self.error = Some(e);
        }
    }
}

impl<W: Write> LogWriter<'_, W> {
    /// Writes one run's rows.
    #[allow(clippy::too_many_arguments)]
    fn write_run(
        &mut self,
        id: &str,
        flow: &str,
        trigger: Trigger,
        (started, ended): (&str, &str),
        parent: &str,
        plan: &RunPlan,
        counts: &RunCounts,
    ) -> std::io::Result<()> {
        self.runs += 1;
        let usage = plan.usage(counts);
        let mut any = false;
        for (item, n) in usage.iter().filter(|(_, n)| *n > 0) {
            any = true;
            let (block, model) = log_block(self.book, *item);
            self.row(id, flow, trigger, started, ended, parent, block, model, *n)?;
        }
        if !any {
            self.row(id, flow, trigger, started, ended, parent, "", "", 0)?;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn row(
        &mut self,
        id: &str,
        flow: &str,
        trigger: Trigger,
        started: &str,
        ended: &str,
        parent: &str,
        block: &str,
        model: &str,
        count: u64,
    ) -> std::io::Result<()> {
        use std::fmt::Write as _;
        self.rows += 1;
        self.line.clear();
        // Ids, names and RFC 3339 times need no CSV quoting: scenario names
        // are letters, digits, '-' and '_', and model names have no commas.
        let _ = writeln!(
            self.line,
            "{id},{},{flow},{},{started},{ended},{parent},{block},{model},{count}",
            self.team,
            trigger.name()
        );
        self.out.write_all(self.line.as_bytes())
    }
}

/// The block name and model a usage item is written with.
fn log_block(book: &PriceBook, item: Item) -> (&'static str, &str) {
    match item {
        Item::HttpRequest => ("http_request", ""),
        Item::Logic => ("evaluate", ""),
        Item::AiRequest => ("ai_request", ""),
        Item::Connector => ("connector", ""),
        Item::Image => ("image", ""),
        Item::McpTool => ("mcp_tool", ""),
        Item::CreateWithAi(m) => (
            "create_with_ai",
            book.create_with_ai
                .get(m.0 as usize)
                .map_or("", |x| x.name.as_str()),
        ),
        Item::AgentCall(m) => (
            "agent_call",
            book.agent_call
                .get(m.0 as usize)
                .map_or("", |x| x.name.as_str()),
        ),
        Item::Other => ("other", ""),
    }
}
