//! `flowcast replay`: bills a usage log under a plan and prints the result
//! (a table for people, `--json` for programs, `--csv` for spreadsheets).
//! The flags become a [`Billing`]; everything else is the library's.

use anyhow::{bail, Context};
use flowcast::ledger::{Overage, Terms};
use flowcast::pricing::PriceBook;
use flowcast::replay::{self, output, plans, Anchor, Billing};
use std::io::Write;
use std::path::PathBuf;

/// The billing flags `replay`, `fit` and `backtest` share: a plan for every
/// team, or a plan file, the billing anchor and a price-book override.
#[derive(Debug, clap::Args)]
pub struct TermsFlags {
    /// Built-in plan for every team: free, solo, team, enterprise (or a plan of --prices).
    #[arg(long, value_name = "NAME")]
    plan: Option<String>,
    /// A custom monthly credit allotment for every team (overage allowed).
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    credits: Option<String>,
    /// Flows overage: off (default), on, or the RFC 3339 instant it was switched on.
    #[arg(long, value_name = "off|on|TIME")]
    overage: Option<String>,
    /// USD per 1,000-credit overage block. Not published by the source, so
    /// required whenever overage is on.
    #[arg(long, value_name = "USD", allow_hyphen_values = true)]
    overage_price: Option<String>,
    /// Per-team terms (TOML): a default plan and [teams.NAME] overrides.
    /// Replaces --plan, --credits, --overage and --overage-price.
    #[arg(long, value_name = "FILE.toml")]
    plan_file: Option<PathBuf>,
    /// Billing anchor: cycles start on this instant's day of month (1-28) and
    /// time of day, UTC. Default: 00:00 UTC on the 1st.
    #[arg(long, value_name = "TIME")]
    anchor: Option<String>,
    /// Price-book override (TOML of the shape of data/pricebook.toml).
    #[arg(long, value_name = "FILE")]
    prices: Option<PathBuf>,
}

impl TermsFlags {
    /// The price book (built in, or with --prices).
    pub fn book(&self) -> anyhow::Result<PriceBook> {
        Ok(match &self.prices {
            Some(p) => PriceBook::builtin_with_file(p)?,
            None => PriceBook::builtin(),
        })
    }

    /// The billing terms and cycles, and a one-line description of the terms.
    pub fn billing(&self, book: &PriceBook) -> anyhow::Result<(Billing, String)> {
        let anchor = match &self.anchor {
            Some(s) => Anchor::parse(s).map_err(|e| anyhow::anyhow!("--anchor: {e}"))?,
            None => Anchor::default(),
        };
        billing(self, book, anchor)
    }
}

/// Arguments of `flowcast replay`.
#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The usage log: CSV with a header row (columns in the README, "Replaying
    /// a usage log"); "-" reads standard input.
    #[arg(value_name = "LOG.csv")]
    log: PathBuf,
    #[command(flatten)]
    terms: TermsFlags,
    /// Print exactly the JSON array of team-cycle records, nothing else.
    #[arg(long, conflicts_with = "csv")]
    json: bool,
    /// Print the same records as CSV, for spreadsheets.
    #[arg(long)]
    csv: bool,
}

/// Runs `flowcast replay`.
pub fn execute(a: ReplayArgs) -> anyhow::Result<()> {
    let book = a.terms.book()?;
    let (billing, terms_line) = a.terms.billing(&book)?;
    // "-" reads the log from standard input (e.g. piped from an export).
    let result = if a.log.as_os_str() == "-" {
        replay::replay_reader(std::io::stdin().lock(), "<stdin>".as_ref(), &book, &billing)?
    } else {
        replay::replay_file(&a.log, &book, &billing)?
    };

    // Everything is computed before anything is printed: an error leaves
    // stdout empty.
    let text = if a.json {
        output::json(&result)
    } else if a.csv {
        output::csv(&result)
    } else {
        let mut s = format!(
            "Replay of {}: {} in {}, {}; {}; cycles start on {}.\n\n",
            a.log.display(),
            count(result.runs, "run"),
            count(result.rows, "row"),
            count(result.teams, "team"),
            terms_line,
            billing.anchor.describe()
        );
        s.push_str(&output::table(&result));
        s.push_str(&assumption_note(&billing, &book));
        if !result.price_versions.is_empty() {
            s.push_str(&format!(
                "Prices: dated versions priced some runs (each run at the version in force at its start): {}.\n",
                result.price_versions.join("; ")
            ));
        }
        s
    };
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .context("writing to standard output")?;
    Ok(())
}

/// "1 run", "2 runs".
fn count(n: u64, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// The billing terms the flags ask for, and a one-line description of them.
fn billing(a: &TermsFlags, book: &PriceBook, anchor: Anchor) -> anyhow::Result<(Billing, String)> {
    if let Some(path) = &a.plan_file {
        let given = [
            ("--plan", a.plan.is_some()),
            ("--credits", a.credits.is_some()),
            ("--overage", a.overage.is_some()),
            ("--overage-price", a.overage_price.is_some()),
        ];
        if let Some((flag, _)) = given.iter().find(|(_, g)| *g) {
            bail!("{flag} cannot be combined with --plan-file (put it in the file)");
        }
        let f = plans::read_plan_file(path, book)?;
        let line = format!(
            "terms from {} (default: {}; {} teams listed)",
            path.display(),
            describe(&f.default),
            f.teams.len()
        );
        let anchor = match (f.anchor, a.anchor.is_some()) {
            (Some(_), true) => bail!(
                "--anchor cannot be combined with a plan file that sets anchor (put it in the file)"
            ),
            (Some(from_file), false) => from_file,
            (None, _) => anchor,
        };
        let mut billing = Billing::new(anchor, f.default);
        billing.teams = f.teams;
        billing.changes = f.changes;
        return Ok((billing, line));
    }
    let credits = match &a.credits {
        None => None,
        Some(s) => Some(s.trim().parse::<i64>().map_err(|_| {
            anyhow::anyhow!("--credits must be a whole number of credits > 0, got '{s}'")
        })?),
    };
    let overage_price = match &a.overage_price {
        None => None,
        Some(s) => Some(s.trim().parse::<f64>().map_err(|_| {
            anyhow::anyhow!("--overage-price must be a number of USD per block, got '{s}'")
        })?),
    };
    match (&a.plan, credits) {
        (Some(_), Some(_)) => bail!("give --plan or --credits, not both"),
        (None, None) => {
            bail!("give --plan NAME (free, solo, team, enterprise) or --credits N (or --plan-file)")
        }
        _ => {}
    }
    let spec = plans::TermsSpec {
        plan: a.plan.clone(),
        credits,
        overage: a.overage.clone(),
        overage_price,
    };
    let terms = spec.resolve(book).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut line = match &a.plan {
        Some(p) => format!("plan {p}"),
        None => "custom plan".to_string(),
    };
    line = format!("{line}: {}", describe(&terms));
    Ok((Billing::new(anchor, terms), line))
}

/// "100 credits per team per month, overage off", and so on.
fn describe(t: &Terms<i64>) -> String {
    let overage = match t.overage() {
        Overage::Off | Overage::WhenSwitched => "overage off".to_string(),
        Overage::On => format!("overage on at {} per block", output::usd(t.block_price())),
        Overage::From(s) => format!(
            "overage on from {} at {} per block",
            replay::format_time(s),
            output::usd(t.block_price())
        ),
    };
    format!("{} credits per team per month, {overage}", t.allotment())
}

/// The note under the table saying which figures rest on the user's
/// overage price, an assumption the source does not publish.
fn assumption_note(billing: &Billing, book: &PriceBook) -> String {
    let mut prices: Vec<f64> = std::iter::once(&billing.default)
        .chain(billing.teams.values())
        .filter(|t| t.overage() != Overage::Off)
        .map(|t| t.block_price())
        .collect();
    prices.sort_by(f64::total_cmp);
    prices.dedup();
    if prices.is_empty() {
        return "\nOverage is off: runs that would cost credits after the limit are blocked (counted under 'blocked').\n"
            .to_string();
    }
    let shown: Vec<String> = prices.iter().map(|&p| output::usd(p)).collect();
    format!(
        "\nAssumption: overage cost uses the overage price you supplied ({} per {}-credit block). The source does not publish this price.\n",
        shown.join(", "),
        output::thousands(book.block_credits)
    )
}
