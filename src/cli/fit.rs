//! `flowcast fit LOG.csv --out SCENARIO.toml`: learns a scenario from a
//! usage log (the flags become [`FitOptions`]; the fitting is the library's).

use super::replay::TermsFlags;
use anyhow::{bail, Context};
use flowcast::fitting::{fit_file, fit_reader, FitOptions, Grouping};
use std::path::PathBuf;

/// Arguments of `flowcast fit`.
#[derive(Debug, clap::Args)]
pub struct FitArgs {
    /// The usage log (the format `replay` reads); "-" reads standard input.
    #[arg(value_name = "LOG.csv")]
    log: PathBuf,
    #[command(flatten)]
    terms: TermsFlags,
    /// How teams become team kinds: `auto` (teams named KIND-NNNN form kind
    /// KIND, others a kind each), `team` (a kind per team), or NAME=REGEX
    /// (repeatable; a team joins the first kind whose regex matches).
    #[arg(long, value_name = "auto|team|NAME=REGEX", default_value = "auto")]
    group: Vec<String>,
    /// Months the fitted scenario simulates, from the first cycle after the log.
    #[arg(long, default_value_t = 1)]
    months: u32,
    /// Seed written into the scenario.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Trials written into the scenario.
    #[arg(long, default_value_t = 200)]
    trials: u32,
    /// Where to write the scenario (TOML).
    #[arg(long, value_name = "SCENARIO.toml")]
    out: PathBuf,
}

/// The --group flags as a [`Grouping`].
pub fn grouping(flags: &[String]) -> anyhow::Result<Grouping> {
    match flags {
        [one] if one == "auto" => return Ok(Grouping::Auto),
        [one] if one == "team" => return Ok(Grouping::Team),
        _ => {}
    }
    let mut named = Vec::new();
    for g in flags {
        let Some((name, re)) = g.split_once('=') else {
            bail!("--group: expected auto, team or NAME=REGEX, got '{g}'");
        };
        let re = regex::Regex::new(re).map_err(|e| {
            anyhow::anyhow!(
                "--group {name}: bad regex: {}",
                e.to_string().lines().last().unwrap_or("")
            )
        })?;
        named.push((name.to_string(), re));
    }
    Ok(Grouping::Named(named))
}

/// Runs `flowcast fit`.
pub fn execute(a: FitArgs) -> anyhow::Result<()> {
    if a.months == 0 || a.trials == 0 {
        bail!("--months and --trials must be at least 1");
    }
    let book = a.terms.book()?;
    let (billing, terms_line) = a.terms.billing(&book)?;
    let opts = FitOptions {
        grouping: grouping(&a.group)?,
        window: None,
        forecast_start: None,
        months: a.months,
        billing,
        seed: a.seed,
        trials: a.trials,
    };
    let fitted = if a.log.as_os_str() == "-" {
        fit_reader(std::io::stdin().lock(), "<stdin>".as_ref(), &book, &opts)?
    } else {
        fit_file(&a.log, &book, &opts)?
    };
    flowcast::files::write_atomic(&a.out, fitted.toml.as_bytes())
        .with_context(|| format!("writing {}", a.out.display()))?;
    let kinds = &fitted.scenario.kinds;
    println!(
        "Fitted {} team(s) of {} into {} kind(s) ({}); wrote {}.",
        fitted.teams.len(),
        a.log.display(),
        kinds.len(),
        terms_line,
        a.out.display()
    );
    for k in kinds {
        let flows: Vec<&str> = k.flows.iter().map(|f| f.name.as_str()).collect();
        println!(
            "  {}: {} team(s), flows {}",
            k.name,
            k.teams,
            flows.join(", ")
        );
    }
    println!(
        "Check it with `flowcast check {}`, forecast with `flowcast run {}`.",
        a.out.display(),
        a.out.display()
    );
    Ok(())
}
