//! Merging shard folders: every check first (each folder finished and
//! readable, one job, one version, every shard exactly once), then the
//! states added one file at a time (memory: two partials).

use super::partial::{Job, Part, Partial, FORMAT, PARTIAL_FILE, SCHEMA_VERSION};
use crate::engine::SimStats;
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A partial larger than this is refused rather than read (a damaged or
/// foreign file must not exhaust memory); real ones are kilobytes to a few
/// megabytes.
pub const MAX_PARTIAL_BYTES: u64 = 1 << 30;

/// The merged shards of one job.
#[derive(Clone, Debug)]
pub struct Merged {
    /// What was asked.
    pub job: Job,
    /// The work of all shards (seconds summed: CPU-ish time, not wall).
    pub work: SimStats,
    /// The merged statistics (trials shared by shards still open: the
    /// command's `finish_*` closes them).
    pub part: Part,
    /// How many shards.
    pub shards: u32,
}

/// A partial's identity, read without its state.
#[derive(Deserialize)]
struct Header {
    format: String,
    schema_version: u32,
    flowcast_version: String,
    fingerprint: String,
    shard: crate::engine::Shard,
    job: Job,
}

fn read(dir: &Path) -> Result<Vec<u8>, String> {
    let file = dir.join(PARTIAL_FILE);
    let meta = std::fs::metadata(&file).map_err(|_| {
        if dir.is_dir() {
            format!(
                "{}: no {PARTIAL_FILE}: the shard did not finish (still running, failed or killed), or this is not a shard folder",
                dir.display()
            )
        } else {
            format!(
                "{}: no such folder (the shard did not run, or failed before writing)",
                dir.display()
            )
        }
    })?;
    if meta.len() > MAX_PARTIAL_BYTES {
        return Err(format!(
            "{}: {} bytes, more than a partial result can be ({MAX_PARTIAL_BYTES})",
            file.display(),
            meta.len()
        ));
    }
    std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))
}

fn header(dir: &Path, bytes: &[u8]) -> Result<Header, String> {
    let file = dir.join(PARTIAL_FILE);
    let h: Header = serde_json::from_slice(bytes).map_err(|e| {
        format!(
            "{}: not a complete flowcast partial result ({e})",
            file.display()
        )
    })?;
    if h.format != FORMAT {
        return Err(format!("{}: not a flowcast partial result", file.display()));
    }
    let here = env!("CARGO_PKG_VERSION");
    if h.flowcast_version != here || h.schema_version != SCHEMA_VERSION {
        return Err(format!(
            "{}: written by flowcast {} (partial schema {}), this is flowcast {here} (schema {SCHEMA_VERSION}): merge with the version that ran the shards",
            dir.display(),
            h.flowcast_version,
            h.schema_version
        ));
    }
    Ok(h)
}

/// What differs between two jobs, in words (`seed 9, not 1`).
fn difference((a, na): (&Job, u32), (b, nb): (&Job, u32)) -> String {
    let (ia, ib) = (a.inputs(), b.inputs());
    let mut d = Vec::new();
    let mut differs = |what: &str, x: String, y: String| {
        if x != y {
            d.push(format!("{what} {x}, not {y}"));
        }
    };
    differs("command", ia.command.clone(), ib.command.clone());
    differs("scenario", ia.input_file.clone(), ib.input_file.clone());
    differs(
        "scenario sha256",
        ia.input_sha256.chars().take(12).collect(),
        ib.input_sha256.chars().take(12).collect(),
    );
    differs("overrides", ia.overrides.join(" "), ib.overrides.join(" "));
    differs("seed", ia.seed.to_string(), ib.seed.to_string());
    differs("trials", ia.trials.to_string(), ib.trials.to_string());
    differs("shard count", na.to_string(), nb.to_string());
    if d.is_empty() {
        d.push(format!("{} vs {}", a.describe(), b.describe()));
    }
    d.join("; ")
}

/// Checks that `dirs` are the shards of one job, each once and finished,
/// and merges them. Errors are one line naming the offending folder.
pub fn merge(dirs: &[PathBuf]) -> Result<Merged, String> {
    let Some(first) = dirs.first() else {
        return Err("merge needs the shard folders to merge".to_string());
    };
    // Pass 1: identities only.
    let mut heads = Vec::with_capacity(dirs.len());
    for d in dirs {
        let bytes = read(d)?;
        heads.push(header(d, &bytes)?);
    }
    let h0 = &heads[0];
    let count = h0.shard.count;
    let mut seen: Vec<Option<&PathBuf>> = vec![None; count as usize];
    for (d, h) in dirs.iter().zip(&heads) {
        if h.fingerprint != h0.fingerprint || h.shard.count != count {
            return Err(format!(
                "{}: a shard of another job than {} ({})",
                d.display(),
                first.display(),
                difference((&h.job, h.shard.count), (&h0.job, count))
            ));
        }
        let slot = seen
            .get_mut(h.shard.index as usize)
            .ok_or_else(|| format!("{}: shard {} is out of range", d.display(), h.shard))?;
        if let Some(other) = slot {
            return Err(format!(
                "{}: shard {} again (also {})",
                d.display(),
                h.shard,
                other.display()
            ));
        }
        *slot = Some(d);
    }
    let missing: Vec<String> = seen
        .iter()
        .enumerate()
        .filter(|(_, s)| s.is_none())
        .map(|(i, _)| format!("{i}/{count}"))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "shard{} {} missing: {} of {count} given ({}); merge needs every shard",
            if missing.len() == 1 { "" } else { "s" },
            missing.join(", "),
            dirs.len(),
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    // Pass 2: the states, in shard order, one file at a time.
    let mut order: Vec<&PathBuf> = seen.into_iter().flatten().collect();
    order.dedup();
    let mut merged: Option<Merged> = None;
    for d in order {
        let bytes = read(d)?;
        let p: Partial = serde_json::from_slice(&bytes).map_err(|e| {
            format!(
                "{}: not a complete flowcast partial result ({e})",
                d.join(PARTIAL_FILE).display()
            )
        })?;
        // The text is no longer needed (a sweep's part may be hundreds of
        // megabytes): only the parsed part and the merge so far are kept.
        drop(bytes);
        // A sweep's points are kept packed: each is checked here, one at a
        // time, so that a damaged one is blamed on its file.
        if let Part::Sweep(sweep) = &p.part {
            for point in &sweep.points {
                point.unpack().map_err(|e| {
                    format!(
                        "{}: not a complete flowcast partial result ({e})",
                        d.join(PARTIAL_FILE).display()
                    )
                })?;
            }
        }
        match &mut merged {
            None => {
                merged = Some(Merged {
                    job: p.job,
                    work: SimStats {
                        runs: p.work.runs,
                        team_months: p.work.team_months,
                        seconds: p.work.seconds,
                    },
                    part: p.part,
                    shards: count,
                })
            }
            Some(m) => {
                m.part
                    .merge(&p.part)
                    .map_err(|e| format!("{}: cannot be merged: {e}", d.display()))?;
                m.work.runs += p.work.runs;
                m.work.team_months += p.work.team_months;
                m.work.seconds += p.work.seconds;
            }
        }
    }
    merged.ok_or_else(|| "no shard to merge".to_string())
}
