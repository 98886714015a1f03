//! Billing terms for replay: one plan for every team (`--plan`/`--credits`
//! with `--overage`/`--overage-price`) or a plan file with a default and
//! per-team settings (`--plan-file`).
//!
//! The overage block price is not published by the source, so wherever
//! overage is on a price must be given: it is never defaulted.
//!
//! A plan file (TOML):
//!
//! ```toml
//! # Every team not listed below.
//! plan = "team"            # a plan of the price book, or: credits = 300
//! overage = "off"          # "off", "on", or the RFC 3339 instant it was switched on
//! overage_price = 10.0     # USD per 1,000-credit block (required unless overage is off)
//!
//! # Optional billing cycles (default: the 1st of each month, 00:00 UTC, or
//! # --anchor): cycles start on `anchor`'s day and time of day, or, with
//! # cycle_days, every cycle_days days from `anchor`.
//! anchor = "2026-06-01T00:00:00Z"
//! cycle_days = 30
//!
//! [teams.acme]             # a team's settings; what it omits comes from the default
//! plan = "enterprise"
//! overage = "2026-03-14T16:00:00Z"
//!
//! [teams.beta]
//! plan = "solo"
//! # Plan changes (upgrades): each from the first cycle that starts at or
//! # after `from`; overage and its price carry over.
//! changes = [{ from = "2026-04-01T00:00:00Z", plan = "team" }]
//! ```

use super::cycles::{parse_time, Anchor};
use crate::files::{line_of, toml_error, InputError};
use crate::ledger::{Overage, PlanTerms, Terms};
use crate::pricing::PriceBook;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use toml::Spanned;

/// One team's (or the default) billing settings as written, before checks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TermsSpec {
    /// A plan of the price book (`free`, `solo`, `team`, `enterprise`, ...).
    pub plan: Option<String>,
    /// A custom monthly allotment instead of a plan (overage allowed).
    pub credits: Option<i64>,
    /// `off` (default), `on`, or the RFC 3339 instant overage is switched on.
    pub overage: Option<String>,
    /// USD per overage block; required when overage is not off.
    pub overage_price: Option<f64>,
}

impl TermsSpec {
    /// `self`, with what it leaves out taken from `default`. A plan or a
    /// credits figure replaces both of the default's.
    pub fn or(&self, default: &TermsSpec) -> TermsSpec {
        let own_allotment = self.plan.is_some() || self.credits.is_some();
        let overage = self.overage.clone().or_else(|| default.overage.clone());
        let off = overage
            .as_deref()
            .is_none_or(|o| o.trim().eq_ignore_ascii_case("off"));
        TermsSpec {
            plan: if own_allotment {
                self.plan.clone()
            } else {
                default.plan.clone()
            },
            credits: if own_allotment {
                self.credits
            } else {
                default.credits
            },
            overage,
            // A team that turns overage off does not inherit the default's
            // price (which would then be refused as a price without overage).
            overage_price: if off && self.overage_price.is_none() {
                None
            } else {
                self.overage_price.or(default.overage_price)
            },
        }
    }

    /// The checked terms. Errors: no or two allotments, an unknown plan,
    /// credits <= 0, a malformed overage, overage on a plan that forbids it,
    /// overage without a price, a price without overage, a bad price.
    pub fn resolve(&self, book: &PriceBook) -> Result<Terms<i64>, String> {
        let (allotment, allowed, what) = match (&self.plan, self.credits) {
            (Some(_), Some(_)) => {
                return Err("give a plan or a credits figure, not both".to_string())
            }
            (None, None) => {
                return Err(
                    "no plan: give a plan (e.g. team) or a monthly credits figure".to_string(),
                )
            }
            (Some(name), None) => {
                let p = book.plan(name)?;
                (p.credits, p.overage_allowed, format!("plan '{name}'"))
            }
            (None, Some(c)) => {
                let c = u64::try_from(c)
                    .ok()
                    .filter(|&c| c > 0)
                    .ok_or_else(|| format!("monthly credits must be an integer > 0, got {c}"))?;
                (c, true, "a custom credits figure".to_string())
            }
        };
        let raw = self.overage.as_deref().unwrap_or("off").trim();
        let overage = match raw.to_ascii_lowercase().as_str() {
            "off" => Overage::Off,
            "on" => Overage::On,
            _ => Overage::From(
                parse_time(raw)
                    .map_err(|e| format!("overage must be off, on or an RFC 3339 time: {e}"))?,
            ),
        };
        let plan = PlanTerms {
            label: &what,
            allotment,
            overage_allowed: allowed,
        };
        Terms::new(plan, book.block_credits, overage, self.overage_price).map_err(|e| e.to_string())
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSpec {
    plan: Option<String>,
    credits: Option<i64>,
    overage: Option<String>,
    overage_price: Option<f64>,
    #[serde(default)]
    changes: Vec<RawChange>,
}

/// A plan change of one team: a plan or a credits figure, from an instant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChange {
    from: String,
    plan: Option<String>,
    credits: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPlanFile {
    /// Cycles start on this instant's day of month and time of day (UTC).
    anchor: Option<Spanned<String>>,
    /// Or: cycles of this many days from `anchor` (fixed-length cycles).
    cycle_days: Option<Spanned<i64>>,
    plan: Option<String>,
    credits: Option<i64>,
    overage: Option<String>,
    overage_price: Option<f64>,
    #[serde(default)]
    teams: BTreeMap<String, Spanned<RawSpec>>,
}

/// A plan file's terms: the default and each listed team's.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanFile {
    /// The billing cycles, when the file sets them (`anchor`, `cycle_days`).
    pub anchor: Option<Anchor>,
    /// Terms of the teams not listed.
    pub default: Terms<i64>,
    /// Terms of the listed teams, by name.
    pub teams: BTreeMap<String, Terms<i64>>,
    /// Plan changes of the listed teams, by name: (from, new terms), in
    /// the file's order ([`crate::ledger::Ledger::change_terms`] applies
    /// each from the first cycle starting at or after `from`).
    pub changes: BTreeMap<String, Vec<(i64, Terms<i64>)>>,
}

/// Reads and checks a plan file; errors name the file, the line and the key.
pub fn read_plan_file(path: &Path, book: &PriceBook) -> Result<PlanFile, InputError> {
    parse_plan_file(&crate::files::read_text(path)?, path, book)
}

/// Parses and checks a plan file's text; `path` names it in errors.
pub fn parse_plan_file(text: &str, path: &Path, book: &PriceBook) -> Result<PlanFile, InputError> {
    let text = text.to_string();
    let raw: RawPlanFile = toml::from_str(&text).map_err(|e| toml_error(path, &text, &e))?;
    let anchor = cycles_of(path, &text, raw.anchor, raw.cycle_days)?;
    let default = TermsSpec {
        plan: raw.plan,
        credits: raw.credits,
        overage: raw.overage,
        overage_price: raw.overage_price,
    };
    let default_terms = default
        .resolve(book)
        .map_err(|e| InputError::at(path, None, format!("default terms (top level): {e}")))?;
    let mut teams = BTreeMap::new();
    let mut changes = BTreeMap::new();
    for (name, spanned) in raw.teams {
        let line = line_of(&text, spanned.span().start);
        let r = spanned.into_inner();
        let spec = TermsSpec {
            plan: r.plan,
            credits: r.credits,
            overage: r.overage,
            overage_price: r.overage_price,
        }
        .or(&default);
        let terms = spec
            .resolve(book)
            .map_err(|e| InputError::at(path, Some(line), format!("teams.{name}: {e}")))?;
        let mut own = Vec::with_capacity(r.changes.len());
        for (i, c) in r.changes.into_iter().enumerate() {
            let key = format!("teams.{name}.changes[{i}]");
            let from = parse_time(&c.from)
                .map_err(|e| InputError::at(path, Some(line), format!("{key}.from: {e}")))?;
            // The change's allotment, with the team's overage and price:
            // the same checks as any terms (e.g. overage on a free plan).
            let changed = TermsSpec {
                plan: c.plan,
                credits: c.credits,
                ..spec.clone()
            }
            .resolve(book)
            .map_err(|e| InputError::at(path, Some(line), format!("{key}: {e}")))?;
            own.push((from, changed));
        }
        if !own.is_empty() {
            changes.insert(name.clone(), own);
        }
        teams.insert(name, terms);
    }
    Ok(PlanFile {
        anchor,
        default: default_terms,
        teams,
        changes,
    })
}

/// The billing cycles a plan file sets: `anchor` alone (monthly cycles on
/// its day and time), `anchor` with `cycle_days` (fixed-length cycles from
/// that instant, as a simulation with `calendar.cycle_days` bills), or
/// neither.
fn cycles_of(
    path: &Path,
    text: &str,
    anchor: Option<Spanned<String>>,
    days: Option<Spanned<i64>>,
) -> Result<Option<Anchor>, InputError> {
    let at = |span: std::ops::Range<usize>, key: &str, e: String| {
        InputError::at(path, Some(line_of(text, span.start)), format!("{key}: {e}"))
    };
    match (anchor, days) {
        (None, None) => Ok(None),
        (None, Some(d)) => Err(at(
            d.span(),
            "cycle_days",
            "needs an anchor (the instant the first cycle starts)".to_string(),
        )),
        (Some(a), None) => Anchor::parse(a.get_ref())
            .map(Some)
            .map_err(|e| at(a.span(), "anchor", e)),
        (Some(a), Some(d)) => {
            let start = parse_time(a.get_ref()).map_err(|e| at(a.span(), "anchor", e))?;
            Anchor::every(start, *d.get_ref())
                .map(Some)
                .map_err(|e| at(d.span(), "cycle_days", e))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(
        plan: Option<&str>,
        credits: Option<i64>,
        overage: Option<&str>,
        price: Option<f64>,
    ) -> TermsSpec {
        TermsSpec {
            plan: plan.map(String::from),
            credits,
            overage: overage.map(String::from),
            overage_price: price,
        }
    }

    #[test]
    fn plans_resolve_to_their_allotments() {
        let book = PriceBook::builtin();
        // Plan `team` is 100 credits a month (shared/bench-workload.md); the
        // free plan cannot buy overage ("On paid plans, you can enable flows
        // overages", the source document).
        let t = spec(Some("team"), None, None, None).resolve(&book).unwrap();
        assert_eq!(
            (t.allotment(), t.overage(), t.block_credits()),
            (100, Overage::Off, 1000)
        );
        for p in &book.plans {
            let t = spec(Some(&p.name), None, None, None)
                .resolve(&book)
                .unwrap();
            assert_eq!(t.allotment(), p.credits);
            let on = spec(Some(&p.name), None, Some("on"), Some(1.0)).resolve(&book);
            assert_eq!(on.is_ok(), p.overage_allowed, "{}", p.name);
        }
        assert!(!book.plan("free").unwrap().overage_allowed);
        let t = spec(None, Some(300), Some("on"), Some(12.5))
            .resolve(&book)
            .unwrap();
        assert_eq!(
            (t.allotment(), t.overage(), t.block_price()),
            (300, Overage::On, 12.5)
        );
        let t = spec(
            Some("team"),
            None,
            Some("2026-03-05T12:00:00+02:00"),
            Some(10.0),
        )
        .resolve(&book)
        .unwrap();
        assert_eq!(
            t.overage(),
            Overage::From(parse_time("2026-03-05T10:00:00Z").unwrap())
        );
    }

    #[test]
    fn impossible_terms_are_refused() {
        let book = PriceBook::builtin();
        let err = |s: TermsSpec| s.resolve(&book).unwrap_err();
        assert!(err(spec(Some("free"), None, Some("on"), Some(10.0)))
            .contains("does not allow overage"));
        assert!(err(spec(Some("team"), None, Some("on"), None)).contains("no overage price"));
        assert!(err(spec(Some("team"), None, None, Some(10.0))).contains("overage is off"));
        assert!(err(spec(Some("gold"), None, None, None)).contains("unknown plan 'gold'"));
        assert!(err(spec(Some("team"), Some(5), None, None)).contains("not both"));
        assert!(err(spec(None, None, None, None)).contains("no plan"));
        assert!(err(spec(None, Some(0), None, None)).contains("> 0"));
        assert!(err(spec(None, Some(-5), None, None)).contains("> 0"));
        assert!(err(spec(Some("team"), None, Some("sometimes"), Some(1.0)))
            .contains("off, on or an RFC 3339"));
        assert!(err(spec(Some("team"), None, Some("on"), Some(-1.0))).contains("from 0 to 1e9"));
        assert!(err(spec(Some("team"), None, Some("on"), Some(f64::NAN))).contains("from 0 to 1e9"));
    }

    #[test]
    fn team_settings_inherit_the_default() {
        let d = spec(Some("team"), None, Some("on"), Some(10.0));
        let t = spec(None, Some(300), None, None).or(&d);
        assert_eq!(t, spec(None, Some(300), Some("on"), Some(10.0)));
        let t = spec(Some("solo"), None, Some("off"), None).or(&spec(None, Some(7), None, None));
        assert_eq!(t, spec(Some("solo"), None, Some("off"), None));
        // Turning overage off does not inherit the default's price.
        let t = spec(None, None, Some("off"), None).or(&d);
        assert_eq!(t, spec(Some("team"), None, Some("off"), None));
    }
}
