//! Nested MCP-flow runs: checks every `parent_run_id` once the whole log is
//! read (a parent may come after its child) and computes each run's nesting
//! depth, which orders a parent's start before its child's at equal times.
//!
//! Bad nesting, each reported at a line of the file:
//! - a parent that is not a run of the log (at the first row naming it);
//! - a cycle of parents (at the row that closes it, reading top to bottom);
//! - a child in another team than its parent, or starting before its parent
//!   (at the child's first row). A child may end after its parent: it then
//!   accrues at its own end, like any run.
//!
//! When several problems exist, the one on the earliest line is reported
//! (structural ones, missing parents and cycles, first).

use super::cycles::format_time;
use super::log::{RunTable, NONE};
use crate::files::InputError;
use std::path::Path;

const UNSEEN: u32 = u32::MAX;
const ON_PATH: u32 = u32::MAX - 1;

/// Checks the parents of every run and returns each run's nesting depth
/// (0 for a top-level run, parent's depth + 1 for a nested one).
pub fn check(table: &RunTable, path: &Path) -> Result<Vec<u32>, InputError> {
    let runs = &table.runs;
    let id = |i: u32| table.ids.get_str(i);
    let mut depth = vec![UNSEEN; runs.len()];
    // The earliest-line problem so far: (line, message).
    let mut worst: Option<(u64, String)> = None;
    let mut note = |line: u64, msg: String| {
        if worst.as_ref().is_none_or(|(l, _)| line < *l) {
            worst = Some((line, msg));
        }
    };

    for (i, run) in runs.iter().enumerate() {
        // Every row of a run names the same parent, so the child's first
        // line is the first row naming the missing parent.
        if run.defined && run.parent != NONE && !runs[run.parent as usize].defined {
            note(
                run.first_line,
                format!(
                    "run '{}': parent_run_id '{}' is not the run_id of any run in the log",
                    id(i as u32),
                    id(run.parent)
                ),
            );
        }
    }

    let mut path_stack: Vec<u32> = Vec::new();
    for i in 0..runs.len() {
        if depth[i] != UNSEEN || !runs[i].defined {
            continue;
        }
        // Walk up the parent chain until a run of known depth, a root, a
        // missing parent, or a run already on this walk (a cycle).
        path_stack.clear();
        let mut cur = i as u32;
        let mut base = 0u32;
        loop {
            let d = depth[cur as usize];
            if d == ON_PATH {
                let at = path_stack.iter().position(|&r| r == cur).unwrap_or(0);
                let members = &path_stack[at..];
                let closer = members
                    .iter()
                    .copied()
                    .max_by_key(|&r| runs[r as usize].first_line)
                    .unwrap_or(cur);
                // Show the cycle starting from the run whose row closes it.
                let start = members.iter().position(|&r| r == closer).unwrap_or(0);
                let mut chain: Vec<String> = members[start..]
                    .iter()
                    .chain(&members[..start])
                    .map(|&r| format!("'{}'", id(r)))
                    .collect();
                chain.push(format!("'{}'", id(closer)));
                note(
                    runs[closer as usize].first_line,
                    format!(
                        "parent_run_id '{}' closes a cycle of MCP-flow runs: {} (each run -> its parent)",
                        id(runs[closer as usize].parent),
                        chain.join(" -> ")
                    ),
                );
                break;
            }
            if d != UNSEEN {
                base = d.saturating_add(1);
                break;
            }
            depth[cur as usize] = ON_PATH;
            path_stack.push(cur);
            let p = runs[cur as usize].parent;
            if p == NONE || !runs[p as usize].defined {
                break;
            }
            cur = p;
        }
        // The last run on the path is the one nearest the root.
        for (k, &r) in path_stack.iter().rev().enumerate() {
            depth[r as usize] = base.saturating_add(k as u32);
        }
    }
    if let Some((line, msg)) = worst {
        return Err(InputError::at(path, Some(line as usize), msg));
    }

    let mut worst: Option<(u64, String)> = None;
    for (i, run) in runs.iter().enumerate() {
        if run.parent == NONE {
            continue;
        }
        let parent = &runs[run.parent as usize];
        let problem = if run.team != parent.team {
            Some(format!(
                "run '{}' is in team '{}' but its parent '{}' (line {}) is in team '{}': a nested MCP-flow run belongs to its parent's team",
                id(i as u32),
                table.teams.get_str(run.team),
                id(run.parent),
                parent.first_line,
                table.teams.get_str(parent.team)
            ))
        } else if run.start < parent.start {
            Some(format!(
                "run '{}' starts at {}, before its parent '{}' (line {}) starts at {}",
                id(i as u32),
                format_time(run.start),
                id(run.parent),
                parent.first_line,
                format_time(parent.start)
            ))
        } else {
            None
        };
        if let Some(msg) = problem {
            if worst.as_ref().is_none_or(|(l, _)| run.first_line < *l) {
                worst = Some((run.first_line, msg));
            }
        }
    }
    match worst {
        Some((line, msg)) => Err(InputError::at(path, Some(line as usize), msg)),
        None => Ok(depth),
    }
}
