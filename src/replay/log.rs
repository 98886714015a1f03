//! The usage-log reader: streams the CSV once, validates every row, and folds
//! the rows of each run into one compact [`Run`] (shared/usage-log.md, "The
//! log file").
//!
//! Rows of a run may be anywhere in the file, so a run's credits are summed as
//! its rows stream in: each row is priced with the one pricing function,
//! [`PriceBook::charge`], at the prices in force at the run's start
//! ([`PriceBook::at`]), and only its block credits (the row's charge minus
//! the trigger's base charge, which a run pays once) are added. That is exact
//! because `charge` is a sum over the usage items it is given. Memory is one
//! [`Run`] (48 bytes) plus the interned run id per run, never per row.

use super::cycles::{format_time, parse_time};
use super::intern::Interner;
use super::lines::Normalizer;
use crate::files::InputError;
use crate::pricing::{Item, PriceBook, Trigger};
use std::io::Read;
use std::path::Path;

/// "No run" in a `u32` run index (no parent).
pub const NONE: u32 = u32::MAX;

/// One run of the log, folded from its rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    /// `started_at`, ns since the Unix epoch.
    pub start: i64,
    /// `ended_at`, ns since the Unix epoch (`>= start`).
    pub end: i64,
    /// What the run costs if it executes: `PriceBook::charge` of its rows.
    pub credits: u64,
    /// The first line of the file that holds one of its rows (or, while it is
    /// only known as somebody's parent, the line that named it).
    pub first_line: u64,
    /// Interned team id.
    pub team: u32,
    /// Interned flow id.
    pub flow: u32,
    /// Index of the parent run (an MCP flow called by its AI Agent), or [`NONE`].
    pub parent: u32,
    /// What started the run.
    pub trigger: Trigger,
    /// False while the run is only known as a `parent_run_id`.
    pub defined: bool,
}

impl Run {
    fn placeholder(line: u64) -> Run {
        Run {
            start: 0,
            end: 0,
            credits: 0,
            first_line: line,
            team: NONE,
            flow: NONE,
            parent: NONE,
            trigger: Trigger::Manual,
            defined: false,
        }
    }
}

/// Every run of a log, with the interned names its runs point to.
#[derive(Debug, Default)]
pub struct RunTable {
    /// Runs, indexed like `ids`.
    pub runs: Vec<Run>,
    /// Run ids (index = run index).
    pub ids: Interner,
    /// Team names.
    pub teams: Interner,
    /// Flow names.
    pub flows: Interner,
    /// Data rows read.
    pub rows: u64,
}

/// The log's columns, in the order of shared/usage-log.md.
pub(crate) const COLUMNS: [&str; 10] = [
    "run_id",
    "team",
    "flow",
    "trigger",
    "started_at",
    "ended_at",
    "parent_run_id",
    "block",
    "model",
    "count",
];
const RUN_ID: usize = 0;
const TEAM: usize = 1;
const FLOW: usize = 2;
const TRIGGER: usize = 3;
const STARTED_AT: usize = 4;
const ENDED_AT: usize = 5;
const PARENT: usize = 6;
const BLOCK: usize = 7;
const MODEL: usize = 8;
const COUNT: usize = 9;

/// Reads and validates a whole log from `input`; `path` names it in errors.
pub fn read_log<R: Read>(input: R, path: &Path, book: &PriceBook) -> Result<RunTable, InputError> {
    read_log_with(input, path, book, &mut |_, _, _| {})
}

/// [`read_log`], also handing every priced row to `usage` as (run index,
/// item, count): what fitting needs beyond a run's total credits, from the
/// same single validated pass.
pub(crate) fn read_log_with<R: Read>(
    input: R,
    path: &Path,
    book: &PriceBook,
    usage: &mut dyn FnMut(u32, Item, u64),
) -> Result<RunTable, InputError> {
    let err = |line: u64, problem: String| InputError::at(path, Some(line as usize), problem);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .trim(csv::Trim::All)
        .from_reader(Normalizer::new(input));
    let mut record = csv::ByteRecord::new();

    // The header row: every column named once, in any order. Extra columns
    // are allowed (spreadsheets add them) and ignored.
    let read = |reader: &mut csv::Reader<Normalizer<R>>, record: &mut csv::ByteRecord| {
        reader.read_byte_record(record).map_err(|e| {
            let line = e
                .position()
                .map(|p| reader.get_mut().original_line(p.line()));
            csv_error(path, line, &e)
        })
    };
    if !read(&mut reader, &mut record)? {
        return Err(InputError::at(path, Some(1), "empty file: no header row"));
    }
    let header_line = line_of(&mut reader, &record);
    // field index -> column, for the columns the reader uses.
    let mut column_of: Vec<Option<usize>> = vec![None; record.len()];
    let mut seen: [Option<usize>; COLUMNS.len()] = [None; COLUMNS.len()];
    for (i, raw) in record.iter().enumerate() {
        let name = std::str::from_utf8(raw)
            .map_err(|_| err(header_line, "not valid UTF-8 (in the header row)".into()))?;
        // Excel writes a byte-order mark before the first header.
        let name = name.trim_start_matches('\u{feff}').trim();
        let Some(c) = COLUMNS.iter().position(|k| k.eq_ignore_ascii_case(name)) else {
            continue;
        };
        if let Some(first) = seen[c] {
            return Err(err(
                header_line,
                format!(
                    "duplicate column '{}' (columns {} and {})",
                    COLUMNS[c],
                    first + 1,
                    i + 1
                ),
            ));
        }
        seen[c] = Some(i);
        column_of[i] = Some(c);
    }
    if let Some(c) = seen.iter().position(Option::is_none) {
        return Err(err(
            header_line,
            format!(
                "missing column '{}' (a usage log has columns {})",
                COLUMNS[c],
                COLUMNS.join(", ")
            ),
        ));
    }

    // The base charge of a run with `t` at `prices`: paid once, whatever
    // its rows. Every price is the one in force at the run's start
    // (`PriceBook::at`; rows of one run agree on it, checked below).
    let base = |prices: &PriceBook, t: Trigger| prices.charge(t, &[]).total;
    let mut table = RunTable::default();
    let too_many = |line: u64| err(line, "too many distinct names (more than 4 billion)".into());

    while read(&mut reader, &mut record)? {
        let line = line_of(&mut reader, &record);
        table.rows += 1;
        let mut v = [""; COLUMNS.len()];
        for (i, raw) in record.iter().enumerate() {
            let text = std::str::from_utf8(raw)
                .map_err(|_| err(line, format!("not valid UTF-8 (in field {})", i + 1)))?;
            if let Some(c) = column_of.get(i).copied().flatten() {
                v[c] = text;
            }
        }
        let row = parse_row(&v, book).map_err(|p| err(line, p))?;
        let prices = book.at(row.start);

        let (ri, _) = table
            .ids
            .intern(v[RUN_ID].as_bytes())
            .map_err(|_| too_many(line))?;
        if ri as usize == table.runs.len() {
            table.runs.push(Run::placeholder(line));
        }
        let (team, _) = table
            .teams
            .intern(v[TEAM].as_bytes())
            .map_err(|_| too_many(line))?;
        let (flow, _) = table
            .flows
            .intern(v[FLOW].as_bytes())
            .map_err(|_| too_many(line))?;
        let parent = if v[PARENT].is_empty() {
            NONE
        } else {
            let (p, _) = table
                .ids
                .intern(v[PARENT].as_bytes())
                .map_err(|_| too_many(line))?;
            if p as usize == table.runs.len() {
                table.runs.push(Run::placeholder(line));
            }
            p
        };
        let run = &mut table.runs[ri as usize];
        if !run.defined {
            *run = Run {
                start: row.start,
                end: row.end,
                credits: base(prices, row.trigger),
                first_line: line,
                team,
                flow,
                parent,
                trigger: row.trigger,
                defined: true,
            };
        } else {
            let first = run.first_line;
            // `here` and `there` are whole phrases such as "team 'b'".
            let disagree = |here: String, there: String| {
                err(
                    line,
                    format!(
                        "run '{}' has {here} here but {there} on line {first} (every row of a run repeats the same team, flow, trigger, times and parent)",
                        v[RUN_ID]
                    ),
                )
            };
            let name = |what: &str, it: &Interner, id: u32| {
                if id == NONE {
                    format!("no {what}")
                } else {
                    format!("{what} '{}'", it.get_str(id))
                }
            };
            let time = |what: &str, t: i64| format!("{what} {}", format_time(t));
            if run.team != team {
                return Err(disagree(
                    name("team", &table.teams, team),
                    name("team", &table.teams, run.team),
                ));
            }
            if run.flow != flow {
                return Err(disagree(
                    name("flow", &table.flows, flow),
                    name("flow", &table.flows, run.flow),
                ));
            }
            if run.trigger != row.trigger {
                return Err(disagree(
                    format!("trigger '{}'", row.trigger),
                    format!("trigger '{}'", run.trigger),
                ));
            }
            if run.start != row.start {
                return Err(disagree(
                    time("started_at", row.start),
                    time("started_at", run.start),
                ));
            }
            if run.end != row.end {
                return Err(disagree(
                    time("ended_at", row.end),
                    time("ended_at", run.end),
                ));
            }
            if run.parent != parent {
                return Err(disagree(
                    name("parent_run_id", &table.ids, parent),
                    name("parent_run_id", &table.ids, run.parent),
                ));
            }
        }
        if let Some((item, count)) = row.usage {
            usage(ri, item, count);
            // The row's block credits: its charge as a run of its own, less
            // the base charge that the run pays once.
            let priced = prices.charge(row.trigger, &[(item, count)]).total;
            let added = priced
                .checked_sub(base(prices, row.trigger))
                .filter(|_| priced != u64::MAX)
                .and_then(|c| run.credits.checked_add(c))
                .filter(|&c| c != u64::MAX)
                .ok_or_else(|| {
                    err(
                        line,
                        format!(
                            "run '{}': count {count} makes its credits overflow",
                            v[RUN_ID]
                        ),
                    )
                })?;
            run.credits = added;
        }
    }
    Ok(table)
}

/// One row's own content, validated.
struct Row {
    trigger: Trigger,
    start: i64,
    end: i64,
    /// The priced block and its count; `None` for a run with no blocks.
    usage: Option<(Item, u64)>,
}

/// Validates the fields of one row (`v` indexed by column) on their own.
fn parse_row(v: &[&str; COLUMNS.len()], book: &PriceBook) -> Result<Row, String> {
    let run_id = v[RUN_ID];
    if run_id.is_empty() {
        return Err("empty run_id".into());
    }
    if v[TEAM].is_empty() {
        return Err(format!("run '{run_id}': empty team"));
    }
    let trigger: Trigger = v[TRIGGER].parse()?;
    let start = parse_time(v[STARTED_AT]).map_err(|e| format!("started_at: {e}"))?;
    let end = parse_time(v[ENDED_AT]).map_err(|e| format!("ended_at: {e}"))?;
    if end < start {
        return Err(format!(
            "run '{run_id}': ended_at {} is before started_at {}",
            v[ENDED_AT], v[STARTED_AT]
        ));
    }
    let parent = v[PARENT];
    if parent == run_id {
        return Err(format!(
            "run '{run_id}' names itself as its parent_run_id (a cycle of MCP flows)"
        ));
    }
    if !parent.is_empty() && trigger != Trigger::Mcp {
        return Err(format!(
            "run '{run_id}' has parent_run_id '{parent}' but trigger '{trigger}': a nested MCP-flow run must have trigger 'mcp'"
        ));
    }
    let count = parse_count(v[COUNT])?;
    let (block, model) = (v[BLOCK], v[MODEL]);
    let usage = if block.is_empty() {
        if !model.is_empty() {
            return Err(format!("model '{model}' given without a block"));
        }
        if count > 0 {
            return Err(format!(
                "empty block with count {count} (a run with no blocks is one row with an empty block and count 0)"
            ));
        }
        None
    } else {
        // Block names are matched case-insensitively: "HTTP_Request" must not
        // silently become a free unknown block.
        let item = if block.bytes().any(|b| b.is_ascii_uppercase()) {
            book.item(&block.to_ascii_lowercase(), model)
        } else {
            book.item(block, model)
        }?;
        Some((item, count))
    };
    Ok(Row {
        trigger,
        start,
        end,
        usage,
    })
}

/// Parses a count: an integer >= 0 that fits in 64 bits.
fn parse_count(s: &str) -> Result<u64, String> {
    if s.is_empty() {
        return Err("empty count (an integer >= 0 is required)".into());
    }
    s.parse::<u64>().map_err(|_| {
        let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            if s.starts_with('-') {
                format!("negative count {s}")
            } else {
                format!("count {s} is too large (at most {})", u64::MAX)
            }
        } else {
            format!("count '{s}' is not an integer >= 0")
        }
    })
}

/// The 1-based line of the file on which `record` starts.
fn line_of<R: Read>(reader: &mut csv::Reader<Normalizer<R>>, record: &csv::ByteRecord) -> u64 {
    let line = record.position().map_or(1, |p| p.line());
    reader.get_mut().original_line(line)
}

/// A CSV-level error (ragged row, I/O) as a one-line input error.
fn csv_error(path: &Path, line: Option<u64>, e: &csv::Error) -> InputError {
    let line = line.map(|l| l as usize);
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => InputError::at(
            path,
            line,
            format!("row has {len} fields but the header has {expected_len}"),
        ),
        csv::ErrorKind::Io(io) => InputError::at(path, None, io.to_string()),
        _ => InputError::at(path, line, e.to_string()),
    }
}
