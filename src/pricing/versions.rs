//! Dated price versions. The source says model prices "are subject to
//! change", and they have changed (issue 13 quotes an earlier version of the
//! same page), so a price book is its own prices (the *base*) plus named
//! versions, each in force over an interval of instants.
//!
//! The rules (stated once here, shown by `flowcast check` and the README):
//! - A version is in force over `[from, until)`, either end open; it lists
//!   only the block and model prices that differ from the base. At an
//!   instant no applied version covers, the base is in force.
//! - A run is priced by the version in force at its **start**, wholly: a
//!   run that spans a change is not split (a log does not say when each of
//!   its blocks executed). A nested MCP-flow run is a run of its own, priced
//!   at its own start (the simulator starts it with its parent).
//! - Versions re-price blocks and models, never plans or the overage block:
//!   a team's allotment and seats are per team and change through a plan
//!   file's `changes` or a scenario's reactions, from a whole cycle.
//! - A version re-prices only models the book knows (every version shares
//!   the base's model tables, so a model id means one model throughout).
//! - Applied versions may not overlap. `applied = false` keeps a version in
//!   the book without using it (the built-in historical example).

use super::book::{BlockPrices, RawBlocks};
use super::{model_key, BlockPrice, PriceBook};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One dated version of the prices.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PriceVersion {
    /// Its key in the price book (`versions.NAME`).
    pub name: String,
    /// What it is, in words (shown wherever it is used).
    pub label: String,
    /// First instant in force, ns since the Unix epoch; `None`: since always.
    pub from: Option<i64>,
    /// First instant no longer in force; `None`: from `from` on.
    pub until: Option<i64>,
    /// Whether it prices anything (`false`: kept as an example only).
    pub applied: bool,
    /// What differs from the base, as given: kept so that a later layer
    /// (`--prices`, a scenario's `[prices]`) that changes the base reaches
    /// every price the version does not change itself.
    changes: Changes,
    /// The base with this version's changes made (no versions of its own).
    #[serde(skip)]
    pub prices: PriceBook,
}

/// A version's changes to the base.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub(super) struct Changes {
    /// Block prices, in [`BlockPrices::NAMES`] order.
    pub(super) blocks: [Option<BlockPrice>; 7],
    /// Table A prices by model key.
    pub(super) create_with_ai: BTreeMap<String, u64>,
    /// Table B prices by model key.
    pub(super) agent_call: BTreeMap<String, u64>,
}

/// A version as written in a price-book file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawVersion {
    label: Option<String>,
    from: Option<toml::Value>,
    until: Option<toml::Value>,
    applied: Option<bool>,
    #[serde(default)]
    blocks: RawBlocks,
    #[serde(default)]
    create_with_ai: BTreeMap<String, i64>,
    #[serde(default)]
    agent_call: BTreeMap<String, i64>,
    // Read only to refuse them with a reason (see the module's rules).
    plans: Option<toml::Value>,
    overage: Option<toml::Value>,
}

/// A stretch of time over which one set of prices is in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PricePiece {
    /// Where it starts, ns since the Unix epoch.
    pub start: i64,
    /// The version in force (index into [`PriceBook::versions`]); `None`:
    /// the base.
    pub version: Option<usize>,
}

/// Most versions a book may hold: each is a set of run plans per kind in a
/// simulation, so a book of thousands is refused, not compiled.
const MAX_VERSIONS: usize = 100;

/// `(key, problem)` of an invalid version.
pub(super) type VersionError = (String, String);

/// An instant as a price book may write it: a TOML date-time with offset or
/// a bare date (midnight UTC), in ns since the epoch.
fn instant(v: &toml::Value, key: &str) -> Result<i64, VersionError> {
    let text = match v {
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::String(s) => s.clone(),
        other => {
            return Err((
                key.to_string(),
                format!(
                "must be a date-time like 2027-01-01T00:00:00Z or a date like 2027-01-01, got a {}",
                other.type_str()
            ),
            ))
        }
    };
    let t = crate::replay::cycles::parse_instant(&text).map_err(|e| (key.to_string(), e))?;
    // The years a log accepts: nanoseconds reach them, with a margin.
    let years = crate::replay::cycles::FIRST_YEAR..=crate::replay::cycles::LAST_YEAR;
    t.timestamp_nanos_opt()
        .filter(|_| years.contains(&t.year()))
        .ok_or_else(|| {
            (
                key.to_string(),
                format!(
                    "'{}' is outside the years {} to {}",
                    text.trim(),
                    years.start(),
                    years.end()
                ),
            )
        })
}

/// Formats an instant of a version for people.
fn show_instant(ns: i64) -> String {
    let t = DateTime::<Utc>::from_timestamp_nanos(ns);
    if t.time() == chrono::NaiveTime::MIN {
        t.format("%Y-%m-%d").to_string()
    } else {
        crate::replay::cycles::format_time(ns)
    }
}

impl PriceVersion {
    /// What it changes, as given.
    pub(super) fn changes(&self) -> &Changes {
        &self.changes
    }

    /// Whether it is in force at `t` (ns since the epoch).
    pub fn covers(&self, t: i64) -> bool {
        self.applied && self.from.is_none_or(|f| t >= f) && self.until.is_none_or(|u| t < u)
    }

    /// When it is in force, in words: "from 2027-01-01", "until 2026-03-01".
    pub fn span(&self) -> String {
        match (self.from, self.until) {
            (None, None) => "at every instant".to_string(),
            (Some(f), None) => format!("from {}", show_instant(f)),
            (None, Some(u)) => format!("until {}", show_instant(u)),
            (Some(f), Some(u)) => format!("from {} until {}", show_instant(f), show_instant(u)),
        }
    }

    /// What it changes, against `base`: "agent_call gpt-5 10 -> 12; image 10 -> 5".
    pub fn changes_text(&self, base: &PriceBook) -> String {
        let mut out = Vec::new();
        let names = BlockPrices::NAMES;
        for (i, p) in self.changes.blocks.iter().enumerate() {
            if let Some(p) = p {
                let was = base.blocks.get(i);
                out.push(format!(
                    "{} {} -> {}",
                    names[i],
                    block_text(was),
                    block_text(*p)
                ));
            }
        }
        for (table, changes, key) in [
            (
                &base.create_with_ai,
                &self.changes.create_with_ai,
                "create_with_ai",
            ),
            (&base.agent_call, &self.changes.agent_call, "agent_call"),
        ] {
            for (name, credits) in changes {
                let was = table
                    .iter()
                    .find(|m| &m.name == name)
                    .map_or(0, |m| m.credits);
                out.push(format!("{key} {name} {was} -> {credits}"));
            }
        }
        if out.is_empty() {
            "no price changes".to_string()
        } else {
            out.join("; ")
        }
    }

    /// One line for `check`, the report and the assumptions.
    pub fn describe(&self, base: &PriceBook) -> String {
        format!(
            "version '{}' ({}), {}: {}",
            self.name,
            self.label,
            self.span(),
            self.changes_text(base)
        )
    }
}

fn block_text(p: BlockPrice) -> String {
    if p.manual == p.cloud {
        p.cloud.to_string()
    } else {
        format!("{} manual / {} cloud", p.manual, p.cloud)
    }
}

/// Merges `raw` versions into `book.versions` (by name: a later layer may
/// change one field of a version, e.g. `applied`), then re-derives every
/// version's prices from `book`'s (possibly changed) base and checks them.
pub(super) fn layer(
    book: &mut PriceBook,
    raw: BTreeMap<String, RawVersion>,
) -> Result<(), VersionError> {
    for (name, r) in raw {
        let key = format!("versions.{name}");
        let refuse = |what: &str| {
            (
                format!("{key}.{what}"),
                "a version re-prices blocks and models only; plans and the overage block are per team (a plan file's `changes`, a scenario's reactions)".to_string(),
            )
        };
        if r.plans.is_some() {
            return Err(refuse("plans"));
        }
        if r.overage.is_some() {
            return Err(refuse("overage"));
        }
        let pos = match book.versions.iter().position(|v| v.name == name) {
            Some(i) => i,
            None => {
                book.versions.push(PriceVersion {
                    name: name.clone(),
                    label: String::new(),
                    from: None,
                    until: None,
                    applied: true,
                    changes: Changes::default(),
                    prices: PriceBook::empty(),
                });
                book.versions.len() - 1
            }
        };
        let v = &mut book.versions[pos];
        if let Some(l) = r.label {
            v.label = l.trim().to_string();
        }
        if let Some(f) = &r.from {
            v.from = Some(instant(f, &format!("{key}.from"))?);
        }
        if let Some(u) = &r.until {
            v.until = Some(instant(u, &format!("{key}.until"))?);
        }
        if let Some(a) = r.applied {
            v.applied = a;
        }
        for (slot, new) in v.changes.blocks.iter_mut().zip(r.blocks.into_array()) {
            if new.is_some() {
                *slot = new;
            }
        }
        for (table, raw_table, what) in [
            (
                &mut v.changes.create_with_ai,
                r.create_with_ai,
                "create_with_ai",
            ),
            (&mut v.changes.agent_call, r.agent_call, "agent_call"),
        ] {
            for (model, credits) in raw_table {
                let credits = u64::try_from(credits).map_err(|_| {
                    (
                        format!("{key}.{what}.{model}"),
                        format!("credits must be >= 0, got {credits}"),
                    )
                })?;
                table.insert(model_key(&model), credits);
            }
        }
    }
    if book.versions.len() > MAX_VERSIONS {
        return Err((
            "versions".to_string(),
            format!(
                "{} versions; at most {MAX_VERSIONS} are supported",
                book.versions.len()
            ),
        ));
    }
    derive(book)
}

/// Re-derives and checks every version against the base.
fn derive(book: &mut PriceBook) -> Result<(), VersionError> {
    let mut base = book.clone();
    base.versions.clear();
    for v in &mut book.versions {
        let key = format!("versions.{}", v.name);
        if v.label.is_empty() {
            v.label = v.name.clone();
        }
        if v.from.is_none() && v.until.is_none() {
            return Err((
                format!("{key}.from"),
                "a version needs `from` or `until` (when it is in force); to change prices at every instant, change the book's own prices".to_string(),
            ));
        }
        if let (Some(f), Some(u)) = (v.from, v.until) {
            if f >= u {
                return Err((
                    format!("{key}.until"),
                    format!(
                        "must be after `from` ({} is not after {})",
                        show_instant(u),
                        show_instant(f)
                    ),
                ));
            }
        }
        let mut prices = base.clone();
        for (slot, new) in prices.blocks.slots_mut().into_iter().zip(v.changes.blocks) {
            if let Some(p) = new {
                *slot = p;
            }
        }
        for (table, changes, what) in [
            (
                &mut prices.create_with_ai,
                &v.changes.create_with_ai,
                "create_with_ai",
            ),
            (&mut prices.agent_call, &v.changes.agent_call, "agent_call"),
        ] {
            for (model, &credits) in changes {
                let m = table.iter_mut().find(|m| &m.name == model).ok_or_else(|| {
                    let known: Vec<&str> = base_names(&base, what);
                    (
                        format!("{key}.{what}.{model}"),
                        format!(
                            "a version re-prices only models the book knows (known: {}); add a new model to the book's own [{what}] table",
                            known.join(", ")
                        ),
                    )
                })?;
                m.credits = credits;
            }
        }
        v.prices = prices;
    }
    // Applied versions may not overlap: at every instant one set of prices.
    let applied: Vec<&PriceVersion> = book.versions.iter().filter(|v| v.applied).collect();
    for (i, a) in applied.iter().enumerate() {
        for b in &applied[i + 1..] {
            let a_before_b = a.until.zip(b.from).is_some_and(|(u, f)| u <= f);
            let b_before_a = b.until.zip(a.from).is_some_and(|(u, f)| u <= f);
            if !(a_before_b || b_before_a) {
                return Err((
                    format!("versions.{}", b.name),
                    format!(
                        "in force {} but version '{}' is in force {}: applied versions may not overlap",
                        b.span(),
                        a.name,
                        a.span()
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn base_names<'a>(base: &'a PriceBook, what: &str) -> Vec<&'a str> {
    let table = if what == "agent_call" {
        &base.agent_call
    } else {
        &base.create_with_ai
    };
    table.iter().map(|m| m.name.as_str()).collect()
}

impl PriceBook {
    /// The prices in force at `t` (ns since the Unix epoch): the applied
    /// version that covers `t`, else the book's own.
    #[inline]
    pub fn at(&self, t: i64) -> &PriceBook {
        if self.versions.is_empty() {
            return self;
        }
        self.versions
            .iter()
            .find(|v| v.covers(t))
            .map_or(self, |v| &v.prices)
    }

    /// Whether any version is applied (prices may change with time).
    pub fn is_versioned(&self) -> bool {
        self.versions.iter().any(|v| v.applied)
    }

    /// The stretches of `[from, to)` (ns since the epoch) with one set of
    /// prices each, in time order; the first starts at `from`.
    pub fn pieces(&self, from: i64, to: i64) -> Vec<PricePiece> {
        let which = |t: i64| self.versions.iter().position(|v| v.covers(t));
        let mut cuts: Vec<i64> = self
            .versions
            .iter()
            .filter(|v| v.applied)
            .flat_map(|v| [v.from, v.until])
            .flatten()
            .filter(|&c| c > from && c < to)
            .collect();
        cuts.sort_unstable();
        cuts.dedup();
        let mut out = vec![PricePiece {
            start: from,
            version: which(from),
        }];
        for c in cuts {
            let version = which(c);
            if out.last().is_some_and(|p| p.version != version) {
                out.push(PricePiece { start: c, version });
            }
        }
        out
    }

    /// The applied versions in force at some instant of `[from, to)`.
    pub fn versions_used(&self, from: i64, to: i64) -> Vec<&PriceVersion> {
        let mut used: Vec<usize> = self
            .pieces(from, to)
            .iter()
            .filter_map(|p| p.version)
            .collect();
        used.sort_unstable();
        used.dedup();
        used.into_iter().map(|i| &self.versions[i]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn book(extra: &str) -> Result<PriceBook, String> {
        let raw: super::super::RawPriceBook = toml::from_str(extra).map_err(|e| e.to_string())?;
        PriceBook::builtin()
            .with_overrides(raw, "test")
            .map_err(|e| e.to_string())
    }

    const JAN_2027: i64 = 1_798_761_600_000_000_000; // 2027-01-01T00:00:00Z

    #[test]
    fn a_version_prices_only_inside_its_interval() {
        let b = book(
            "[versions.rise]\nfrom = 2027-01-01\nagent_call = { \"gpt-5\" = 12 }\nblocks.connector = { manual = 3, cloud = 3 }",
        )
        .unwrap();
        let gpt5 = b.agent_model("gpt-5").unwrap().0 as usize;
        assert_eq!(b.at(JAN_2027 - 1).agent_call[gpt5].credits, 10);
        assert_eq!(b.at(JAN_2027).agent_call[gpt5].credits, 12);
        assert_eq!(b.at(JAN_2027).blocks.connector.cloud, 3);
        // Untouched prices follow the base.
        assert_eq!(b.at(JAN_2027).blocks.image.cloud, 10);
        let pieces = b.pieces(JAN_2027 - 10, JAN_2027 + 10);
        let rise = b.versions.iter().position(|v| v.name == "rise");
        assert_eq!(
            pieces,
            vec![
                PricePiece {
                    start: JAN_2027 - 10,
                    version: None
                },
                PricePiece {
                    start: JAN_2027,
                    version: rise
                }
            ]
        );
        assert_eq!(b.versions_used(0, JAN_2027).len(), 0);
    }

    #[test]
    fn the_builtin_example_is_not_applied_until_switched_on() {
        let b = PriceBook::builtin();
        assert!(!b.is_versioned());
        let feb_2026 = 1_769_904_000_000_000_000; // 2026-02-01T00:00:00Z
        let gpt4o = b.create_with_ai_model("gpt-4o").unwrap().0 as usize;
        assert_eq!(b.at(feb_2026).create_with_ai[gpt4o].credits, 15);
        let on = book("[versions.before-2026-03-01]\napplied = true").unwrap();
        assert_eq!(on.at(feb_2026).create_with_ai[gpt4o].credits, 2);
        // The quoted history: GPT-4o mini at 15, images at 5 (Basic/Professional).
        let mini = b.create_with_ai_model("gpt-4o-mini").unwrap().0 as usize;
        assert_eq!(on.at(feb_2026).create_with_ai[mini].credits, 15);
        assert_eq!(on.at(feb_2026).blocks.image.cloud, 5);
        let march_2026 = 1_772_323_200_000_000_000; // 2026-03-01T00:00:00Z
        assert_eq!(on.at(march_2026).create_with_ai[gpt4o].credits, 15);
    }

    #[test]
    fn a_base_change_reaches_a_version_that_does_not_change_it() {
        let b = book("[agent_call]\n\"gpt-5\" = 11\n[versions.rise]\nfrom = 2027-01-01\nagent_call = { \"gpt-5-mini\" = 3 }").unwrap();
        let gpt5 = b.agent_model("gpt-5").unwrap().0 as usize;
        assert_eq!(b.at(JAN_2027).agent_call[gpt5].credits, 11);
    }

    #[test]
    fn bad_versions_are_named() {
        let cases = [
            (
                "[versions.x]\nagent_call = { \"gpt-5\" = 1 }",
                "versions.x.from",
            ),
            (
                "[versions.x]\nfrom = 2027-02-01\nuntil = 2027-01-01",
                "versions.x.until",
            ),
            (
                "[versions.x]\nfrom = 2027-01-01\nagent_call = { \"gpt-9\" = 1 }",
                "versions.x.agent_call.gpt-9",
            ),
            (
                "[versions.x]\nfrom = 2027-01-01\nplans.team = { credits = 5 }",
                "versions.x.plans",
            ),
            (
                "[versions.x]\nfrom = 2027-01-01\nagent_call = { \"gpt-5\" = -1 }",
                "versions.x.agent_call.gpt-5",
            ),
            ("[versions.x]\nfrom = \"soon\"", "versions.x.from"),
            (
                "[versions.x]\nfrom = 2027-01-01\n[versions.y]\nfrom = 2027-06-01",
                "versions.y",
            ),
        ];
        for (text, key) in cases {
            let e = book(text).unwrap_err();
            assert!(e.contains(key), "{text}: {e}");
        }
        // Back to back is not an overlap; an unapplied version never overlaps.
        book(
            "[versions.x]\nfrom = 2027-01-01\nuntil = 2027-06-01\n[versions.y]\nfrom = 2027-06-01",
        )
        .unwrap();
        book("[versions.x]\nfrom = 2027-01-01\napplied = false\n[versions.y]\nfrom = 2027-06-01")
            .unwrap();
    }
}
