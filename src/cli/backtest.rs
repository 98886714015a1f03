//! `flowcast backtest LOG.csv --train-months K`: rolling-origin forecasts of
//! a usage log's own months, scored against the actuals and two baselines
//! (the flags become [`BacktestOptions`]; the backtest is the library's).

use super::common::{json, write_all};
use super::replay::TermsFlags;
use anyhow::bail;
use flowcast::backtest::{backtest, output, BacktestOptions};
use std::path::PathBuf;

/// Arguments of `flowcast backtest`.
#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// The usage log (the format `replay` reads).
    #[arg(value_name = "LOG.csv")]
    log: PathBuf,
    #[command(flatten)]
    terms: TermsFlags,
    /// Months of history to fit before the first forecast month (K >= 1).
    #[arg(long, value_name = "K")]
    train_months: u32,
    /// Simulated months per forecast.
    #[arg(long, default_value_t = 200)]
    trials: u32,
    /// Seed of every forecast.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The projection baseline extrapolates the first D days of each month.
    #[arg(long, value_name = "D", default_value_t = 7)]
    projection_day: u32,
    /// Output folder for backtest.csv, backtest.json, charts and report.html.
    #[arg(long, value_name = "DIR", default_value = "output/backtest")]
    out: PathBuf,
    /// Do not draw the charts and the HTML report.
    #[arg(long)]
    no_charts: bool,
    /// No progress or timing lines on stderr.
    #[arg(long)]
    quiet: bool,
}

/// Runs `flowcast backtest`.
pub fn execute(a: BacktestArgs) -> anyhow::Result<()> {
    if a.trials == 0 || a.train_months == 0 {
        bail!("--trials and --train-months must be at least 1");
    }
    if !(1..=28).contains(&a.projection_day) {
        bail!("--projection-day must be 1 to 28, got {}", a.projection_day);
    }
    let out = super::common::stage(&a.out)?;
    let book = a.terms.book()?;
    let (billing, _) = a.terms.billing(&book)?;
    let data = {
        let file =
            std::fs::File::open(&a.log).map_err(|e| anyhow::anyhow!("{}: {e}", a.log.display()))?;
        flowcast::fitting::data::read(
            std::io::BufReader::with_capacity(1 << 16, file),
            &a.log,
            &book,
        )?
    };
    let opts = BacktestOptions {
        train_months: a.train_months,
        trials: a.trials,
        seed: a.seed,
        projection_day: a.projection_day,
        billing,
    };
    let mut b = backtest(&data, &a.log, &book, &opts)?;
    b.inputs = Some(super::common::inputs(
        "backtest",
        &a.log,
        &[],
        a.seed,
        a.trials,
        false,
    )?);
    write_all(
        &out,
        &[
            ("backtest.csv", output::csv(&b)?),
            ("backtest.json", json(&b)?),
        ],
    )?;
    if !a.no_charts {
        super::report::refresh(&out, a.quiet)?;
    }
    super::common::publish(out)?;
    print!("{}", output::text(&b));
    if !a.quiet {
        eprintln!("wrote {}", a.out.display());
    }
    Ok(())
}
