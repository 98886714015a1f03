//! Fitting: from a usage log to a scenario that `flowcast run` accepts,
//! commented so a person can read and edit it (docs/fitting.md says what is
//! estimated and how, and its limits).
//!
//! The pipeline: [`data`] reads the log once with replay's reader (the same
//! checks and errors), keeping each run's block counts; runs are grouped into
//! team kinds ([`Grouping`]); per kind and flow, [`arrivals`] learns when
//! runs start and [`counts`] what each run executes; `write` puts it
//! together, every number with a comment saying what it came from.

pub mod arrivals;
pub mod counts;
pub mod data;
mod write;

use crate::files::InputError;
use crate::ledger::{Overage, Terms};
use crate::pricing::PriceBook;
use crate::replay::{Anchor, Billing};
use crate::scenario::Scenario;
use arrivals::DAY_NS;
use data::FitData;
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

/// The most team-days (teams of one kind x days of the window) a fit counts.
const MAX_TEAM_DAYS: f64 = 5e7;

/// How teams become team kinds.
#[derive(Clone, Debug)]
pub enum Grouping {
    /// Teams named `KIND-NNNN` (optionally `-tN`) form kind `KIND`; any
    /// other team is a kind of its own.
    Auto,
    /// Every team is a kind of its own (`teams = 1`).
    Team,
    /// Named kinds: a team joins the first kind whose regex matches its name.
    Named(Vec<(String, regex::Regex)>),
}

/// What to fit and what scenario to write.
#[derive(Clone, Debug)]
pub struct FitOptions {
    /// How teams become kinds.
    pub grouping: Grouping,
    /// Fit only runs that start in `[from, to)` (ns since the epoch); `None`:
    /// the whole log, from the start of its first cycle to the end of the
    /// day of its last run.
    pub window: Option<(i64, i64)>,
    /// The written scenario's `calendar.start` (ns since the epoch); `None`:
    /// the first cycle start after the fitted runs.
    pub forecast_start: Option<i64>,
    /// The written scenario's `calendar.months`.
    pub months: u32,
    /// Plan terms and billing cycles (as replay takes them).
    pub billing: Billing,
    /// The written scenario's seed.
    pub seed: u64,
    /// The written scenario's trials.
    pub trials: u32,
}

/// A fitted scenario.
#[derive(Clone, Debug)]
pub struct Fitted {
    /// The scenario file's text.
    pub toml: String,
    /// The same, parsed and validated.
    pub scenario: Scenario,
    /// Every fitted team and the kind it went into.
    pub teams: Vec<(String, String)>,
}

/// Fits the log at `path`.
pub fn fit_file(path: &Path, book: &PriceBook, opts: &FitOptions) -> Result<Fitted, InputError> {
    let file = std::fs::File::open(path).map_err(|e| InputError::at(path, None, e.to_string()))?;
    fit_reader(
        std::io::BufReader::with_capacity(1 << 16, file),
        path,
        book,
        opts,
    )
}

/// Fits a log read from `input`; `path` names it in messages.
pub fn fit_reader<R: Read>(
    input: R,
    path: &Path,
    book: &PriceBook,
    opts: &FitOptions,
) -> Result<Fitted, InputError> {
    let data = data::read(input, path, book)?;
    fit_data(&data, path, book, opts)
}

/// The kind name of a team under `grouping` (`None`: no kind matches).
fn kind_of(team: &str, grouping: &Grouping) -> Option<String> {
    match grouping {
        Grouping::Team => Some(team.to_string()),
        Grouping::Named(kinds) => kinds
            .iter()
            .find(|(_, re)| re.is_match(team))
            .map(|(n, _)| n.clone()),
        Grouping::Auto => {
            let base = match team.rsplit_once("-t") {
                Some((b, t)) if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) => b,
                _ => team,
            };
            Some(match base.rsplit_once('-') {
                Some((k, n))
                    if !k.is_empty() && n.len() >= 2 && n.bytes().all(|c| c.is_ascii_digit()) =>
                {
                    k.to_string()
                }
                _ => team.to_string(),
            })
        }
    }
}

/// A name the scenario format accepts (letters, digits, `-`, `_`).
pub(crate) fn clean_name(s: &str) -> String {
    let c: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if c.is_empty() {
        "unnamed".to_string()
    } else {
        c
    }
}

/// One kind's runs, gathered.
pub(crate) struct KindRuns {
    pub name: String,
    /// Team ids (interned) in the kind, in name order.
    pub teams: Vec<u32>,
    pub terms: Terms<i64>,
}

/// Fits already-read log data (a backtest fits many windows of one log).
pub(crate) fn fit_data(
    data: &FitData,
    path: &Path,
    book: &PriceBook,
    opts: &FitOptions,
) -> Result<Fitted, InputError> {
    let table = &data.table;
    let err = |m: String| InputError::at(path, None, m);
    let in_window = |t: i64| opts.window.is_none_or(|(a, b)| t >= a && t < b);
    let runs: Vec<u32> = (0..table.runs.len() as u32)
        .filter(|&i| {
            let r = &table.runs[i as usize];
            r.defined && in_window(r.start)
        })
        .collect();
    if runs.is_empty() {
        return Err(err(match opts.window {
            Some(_) => "no runs start in the fitting window: nothing to fit".to_string(),
            None => "the log has no runs: nothing to fit".to_string(),
        }));
    }
    let anchor: Anchor = opts.billing.anchor;
    let first = runs
        .iter()
        .map(|&i| table.runs[i as usize].start)
        .min()
        .unwrap_or(0);
    let last = runs
        .iter()
        .map(|&i| table.runs[i as usize].start)
        .max()
        .unwrap_or(0);
    let (from, to) = opts.window.unwrap_or((
        anchor.cycle_start(first),
        (last.div_euclid(DAY_NS) + 1).saturating_mul(DAY_NS),
    ));
    let forecast = opts
        .forecast_start
        .unwrap_or_else(|| anchor.next_start(anchor.cycle_start(last)));

    // Teams into kinds.
    let mut kinds: BTreeMap<String, Vec<u32>> = BTreeMap::new();
    let mut team_seen = vec![false; table.teams.len()];
    for &i in &runs {
        team_seen[table.runs[i as usize].team as usize] = true;
    }
    let mut team_ids: Vec<u32> = (0..table.teams.len() as u32)
        .filter(|&t| team_seen[t as usize])
        .collect();
    team_ids.sort_by(|a, b| table.teams.get(*a).cmp(table.teams.get(*b)));
    let mut assignment = Vec::new();
    for t in team_ids {
        let name = table.teams.get_str(t);
        let kind = kind_of(&name, &opts.grouping).ok_or_else(|| {
            err(format!(
                "team '{name}' matches no --group (add a group for it, or use --group team)"
            ))
        })?;
        let kind = clean_name(&kind);
        assignment.push((name, t));
        kinds.entry(kind).or_default().push(t);
    }
    // A kind has one plan and one overage policy: teams of a group on
    // different terms (say, some that switched overage on and some that did
    // not) become one kind per set of terms, named for what differs.
    let mut groups = Vec::new();
    let mut kind_by_team: std::collections::HashMap<u32, String> = Default::default();
    for (name, teams) in kinds {
        let mut by_terms: Vec<(Terms<i64>, Vec<u32>)> = Vec::new();
        for t in teams {
            let terms = at_forecast(opts.billing.terms_for(&table.teams.get_str(t)), forecast);
            match by_terms.iter_mut().find(|(x, _)| *x == terms) {
                Some((_, v)) => v.push(t),
                None => by_terms.push((terms, vec![t])),
            }
        }
        let label = |t: &Terms<i64>| match t.overage() {
            Overage::Off => "overage-off",
            _ => "overage-on",
        };
        let labels: Vec<&str> = by_terms.iter().map(|(t, _)| label(t)).collect();
        let unique = (1..labels.len()).all(|i| !labels[..i].contains(&labels[i]));
        let split = by_terms.len() > 1;
        for (terms, teams) in by_terms {
            let name = match (split, unique) {
                (false, _) => name.clone(),
                (true, true) => format!("{name}-{}", label(&terms)),
                (true, false) => clean_name(&format!(
                    "{name}-{}-{}-{:.0}usd",
                    terms.allotment(),
                    label(&terms),
                    terms.block_price()
                )),
            };
            for &t in &teams {
                kind_by_team.insert(t, name.clone());
            }
            groups.push(KindRuns { name, teams, terms });
        }
    }
    let assignment: Vec<(String, String)> = assignment
        .into_iter()
        .map(|(team, id)| (team, kind_by_team.remove(&id).unwrap_or_default()))
        .collect();
    // Arrival fitting keeps a count per team and day: bounded, so a log
    // that spans centuries across thousands of teams is refused, not an
    // out-of-memory abort.
    // In whole days first: 300 years of nanoseconds overflow an i64.
    let days = (to.div_euclid(DAY_NS) - from.div_euclid(DAY_NS) + 1).max(1) as f64;
    let widest = groups.iter().map(|g| g.teams.len()).max().unwrap_or(0) as f64;
    if days * widest > MAX_TEAM_DAYS {
        return Err(err(format!(
            "the fitting window spans {days:.0} days and a kind has {widest:.0} teams: {:.2e} team-days, more than {MAX_TEAM_DAYS:.0e} (fit a shorter window, or group the teams apart)",
            days * widest
        )));
    }
    let toml = write::scenario(data, &runs, &groups, book, opts, (from, to), forecast)
        .map_err(|m| InputError::at(path, None, m))?;
    let scenario = crate::scenario::parse(&toml, Path::new("fitted.toml")).map_err(|e| {
        err(format!(
            "the fitted scenario does not validate (a flowcast bug, please report it): {e}"
        ))
    })?;
    Ok(Fitted {
        toml,
        scenario,
        teams: assignment,
    })
}

/// The terms in force at the forecast start: an overage switch already made
/// is simply on; one still to come is not known at the forecast (off).
fn at_forecast(t: Terms<i64>, forecast: i64) -> Terms<i64> {
    match t.overage() {
        Overage::From(s) if s <= forecast => t.with_overage(Overage::On),
        Overage::From(_) => t.with_overage(Overage::Off),
        _ => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_grouping_strips_team_numbers_and_trials() {
        let g = Grouping::Auto;
        assert_eq!(kind_of("ops-0001", &g).unwrap(), "ops");
        assert_eq!(kind_of("ops-0012-t3", &g).unwrap(), "ops");
        assert_eq!(kind_of("acme", &g).unwrap(), "acme");
        assert_eq!(kind_of("acme-support", &g).unwrap(), "acme-support");
        let named = Grouping::Named(vec![("big".into(), regex::Regex::new("^b").unwrap())]);
        assert_eq!(kind_of("beta", &named).unwrap(), "big");
        assert!(kind_of("alpha", &named).is_none());
        assert_eq!(clean_name("My Team!"), "My-Team-");
    }
}
