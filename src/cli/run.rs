//! `flowcast run SCENARIO`: simulates a scenario (Monte Carlo) and writes
//! `summary.json`, `teams.csv`, `daily.csv`, `alerts.csv|json` (and, over
//! several months, `forecast.csv|json`), the charts and `report.html` into
//! `output/<scenario name>/` or `--out DIR`, then prints a short summary.

use super::common::{json, overrides, write_all, SimFlags};
use anyhow::Context;
use flowcast::planning::run::{Trials, Watch};
use flowcast::planning::stopping::{parse_fraction, percent, Precision};
use flowcast::reports::alerts::{alerts_csv, alerts_text};
use flowcast::reports::forecast::{forecast_csv, forecast_text};
use std::path::PathBuf;

/// The trial cap of `--precision` unless `--max-trials` says otherwise.
const DEFAULT_MAX_TRIALS: u32 = 20_000;

/// Arguments of `flowcast run`.
#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// The scenario file (TOML; see docs/scenarios.md).
    pub scenario: PathBuf,
    /// Simulate this many consecutive billing cycles (a forecast: monthly and
    /// cumulative overage, month-on-month growth, no rollover).
    #[arg(long, value_name = "N")]
    pub months: Option<u32>,
    /// Keep adding trials until the 95% CI of the watched numbers is within
    /// this relative half-width (a percentage, e.g. 1%), or --max-trials is
    /// reached.
    #[arg(long, value_name = "P")]
    pub precision: Option<String>,
    /// What --precision watches, comma-separated: `total` (the population's
    /// total overage per trial), `overage` (each kind's mean overage per
    /// team-month), `hit` (each kind's probability of hitting the limit).
    #[arg(long, value_delimiter = ',', default_value = "total")]
    pub precision_of: Vec<String>,
    /// The trial cap for --precision.
    #[arg(long, default_value_t = DEFAULT_MAX_TRIALS)]
    pub max_trials: u32,
    /// Do not draw the charts and the HTML report.
    #[arg(long)]
    pub no_charts: bool,
    /// Override a value of the scenario: a dotted key path, array elements
    /// by name (e.g. `kinds.agentic.overage_price=12`). Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Also write the simulated runs of the first --emit-trials trials as a
    /// usage log (the format `replay` reads), with FILE.plans.toml beside it
    /// for `replay --plan-file`.
    #[arg(long, value_name = "FILE.csv")]
    pub emit_log: Option<PathBuf>,
    /// How many trials --emit-log writes (team ids get -tTRIAL when > 1).
    #[arg(long, value_name = "K", requires = "emit_log")]
    pub emit_trials: Option<u32>,
    /// Also write the tables as an Excel workbook (typed numbers, number
    /// formats, frozen headers, native charts, an Assumptions sheet).
    #[arg(long, value_name = "FILE.xlsx")]
    pub xlsx: Option<PathBuf>,
    #[command(flatten)]
    pub sim: SimFlags,
    #[command(flatten)]
    pub shard: super::shard::ShardFlags,
}

/// Writes `--emit-log` (and its plan file), saying what it wrote on stderr.
fn emit(
    scenario: &flowcast::scenario::Scenario,
    seed: u64,
    trials: u32,
    log: &std::path::Path,
    quiet: bool,
) -> anyhow::Result<()> {
    if trials == 0 {
        anyhow::bail!("--emit-trials must be at least 1");
    }
    let e = flowcast::emit::emit_files(scenario, seed, trials, log)
        .with_context(|| format!("--emit-log {}", log.display()))?;
    if !quiet {
        let prices = if e.prices_file {
            format!(
                ", the scenario's prices to {} (replay with --prices)",
                flowcast::emit::prices_path(log).display()
            )
        } else {
            String::new()
        };
        eprintln!(
            "emitted {} runs in {} rows ({} trial{}) to {}, plans to {}{prices}",
            e.runs,
            e.rows,
            trials,
            if trials == 1 { "" } else { "s" },
            log.display(),
            flowcast::emit::plans_path(log).display()
        );
    }
    Ok(())
}

/// `--precision P` as a target: a percentage sign is required, since "0.5"
/// could mean 0.5% or 50%.
fn precision(p: &str, max_trials: u32) -> anyhow::Result<Precision> {
    if !p.trim().ends_with('%') {
        anyhow::bail!("--precision takes a percentage, e.g. 1% or 0.5% (got '{p}')");
    }
    let relative = parse_fraction(p).map_err(|e| anyhow::anyhow!("--precision: {e}"))?;
    Precision::new(relative, max_trials).map_err(|e| anyhow::anyhow!("--precision: {e}"))
}

/// Runs `flowcast run`.
pub fn execute(args: RunArgs) -> anyhow::Result<()> {
    let mut o = overrides(&args.set)?;
    if let Some(m) = args.months {
        if m == 0 || m > flowcast::scenario::MAX_MONTHS {
            anyhow::bail!(
                "--months must be 1 to {}, got {m}",
                flowcast::scenario::MAX_MONTHS
            );
        }
        o.push(("calendar.months".to_string(), m.to_string()));
    }
    if args.precision.is_none()
        && (args.precision_of != ["total"] || args.max_trials != DEFAULT_MAX_TRIALS)
    {
        anyhow::bail!("--precision-of and --max-trials go with --precision (e.g. --precision 1%)");
    }
    let scenario = flowcast::scenario::load_with(&args.scenario, &o)?;
    let opts = args.sim.options(&scenario);
    let trials = match &args.precision {
        None => Trials::Fixed,
        Some(p) => Trials::Adaptive {
            precision: precision(p, args.max_trials)?,
            watch: args
                .precision_of
                .iter()
                .map(|w| w.parse::<Watch>())
                .collect::<Result<_, _>>()
                .map_err(|e| anyhow::anyhow!("--precision-of: {e}"))?,
        },
    };
    let planned = match &trials {
        Trials::Fixed => opts.trials,
        Trials::Adaptive { precision, .. } => precision.max_trials,
    };
    super::common::validate(&args.scenario, &o, &scenario, planned)?;
    let shard = args.shard.shard(args.sim.quiet)?;
    if let Some(shard) = shard {
        if args.xlsx.is_some() {
            anyhow::bail!("--shard writes a partial result only: give --xlsx to `flowcast merge`");
        }
        if args.precision.is_some() {
            anyhow::bail!("--shard cannot be combined with --precision: when to stop depends on every shard's results (give a fixed --trials)");
        }
        if args.emit_log.is_some() {
            anyhow::bail!(
                "--shard cannot be combined with --emit-log (emit the log from one unsharded run)"
            );
        }
        args.sim.check_work(
            &args.scenario,
            &scenario,
            planned,
            1.0 / f64::from(shard.count),
        )?;
        let out = super::shard::stage_shard(&args.sim, &scenario.name, shard)?;
        let (sim, part) = flowcast::planning::run::run_shard(&scenario, &opts, shard)?;
        let inputs = super::common::inputs(
            "run",
            &args.scenario,
            &o,
            opts.seed,
            opts.trials,
            opts.per_run,
        )?;
        return super::shard::write_partial(
            out,
            &scenario,
            &opts,
            shard,
            flowcast::shards::Job::Run { inputs },
            (sim, flowcast::shards::Part::Run(Box::new(part))),
            args.sim.quiet,
        );
    }
    args.sim
        .check_work(&args.scenario, &scenario, planned, 1.0)?;
    super::common::check_xlsx(args.xlsx.as_deref())?;
    let out = args.sim.staged_out_dir(&scenario.name)?;
    if let Some(log) = &args.emit_log {
        emit(
            &scenario,
            opts.seed,
            args.emit_trials.unwrap_or(1),
            log,
            args.sim.quiet,
        )?;
    }
    let result = flowcast::planning::run::run(&scenario, &opts, &trials)?;
    let inputs = super::common::inputs(
        "run",
        &args.scenario,
        &o,
        opts.seed,
        result.summary.trials,
        opts.per_run,
    )?;
    write(
        out,
        result,
        inputs,
        args.xlsx.as_deref(),
        args.no_charts,
        args.sim.quiet,
    )
}

/// Writes a run's files (and the charts and report unless `no_charts`)
/// into the staged folder `out`, publishes it, and prints the summary: what
/// `run` does after simulating, and `merge` after merging a run's shards.
pub fn write(
    out: flowcast::files::StagedDir,
    result: flowcast::planning::run::RunResult,
    inputs: flowcast::provenance::Inputs,
    xlsx: Option<&std::path::Path>,
    no_charts: bool,
    quiet: bool,
) -> anyhow::Result<()> {
    let flowcast::planning::run::RunResult {
        sim,
        mut summary,
        alerts,
        forecast,
    } = result;
    let per_run = inputs.per_run;
    summary.inputs = Some(inputs);
    write_all(&out, &flowcast::reports::table_files(&summary)?)?;
    write_all(
        &out,
        &[
            ("alerts.csv", alerts_csv(&alerts)?),
            ("alerts.json", json(&alerts)?),
        ],
    )?;
    let forecast = forecast.map(|mut f| {
        f.inputs = summary.inputs.clone();
        f
    });
    match &forecast {
        Some(f) => write_all(
            &out,
            &[
                ("forecast.csv", forecast_csv(f)?),
                ("forecast.json", json(f)?),
            ],
        )?,
        None => {
            // A one-month run leaves no forecast of an earlier run behind.
            for stale in ["forecast.csv", "forecast.json"] {
                flowcast::files::manifest::remove_own(out.path(), stale);
            }
        }
    }
    // The workbook waits beside its place until the folder is published.
    let book = super::common::stage_xlsx(xlsx, || {
        flowcast::reports::workbook::run_book(&summary, &alerts, forecast.as_ref())
    })?;
    if !no_charts {
        super::report::refresh(&out, quiet)?;
    }
    let dir = out.target().to_path_buf();
    super::common::publish(out)?;
    super::common::commit_xlsx(xlsx, book)?;

    print!("{}", flowcast::reports::run::summary_text(&summary));
    print!("{}", alerts_text(&alerts));
    if let Some(f) = &forecast {
        print!("{}", forecast_text(f));
    }
    if let Some(st) = &summary.stopping {
        println!(
            "\nStopped after {} trial{}: {} (target ±{}, widest 95% CI ±{} of the mean, cap {}).",
            summary.trials,
            if summary.trials == 1 { "" } else { "s" },
            if st.reason == "precision_reached" {
                "precision reached"
            } else {
                "trial cap reached before the precision"
            },
            percent(st.target_relative),
            percent((st.achieved_relative * 10_000.0).round() / 10_000.0),
            st.max_trials
        );
    }
    if !quiet {
        // Team-months are the unit of work: once a cycle is frozen its runs
        // are drawn in aggregate, so runs per second says little.
        eprintln!(
            "simulated {} team-months ({} runs started) in {:.2} s: {:.0} team-months/s{}; wrote {}",
            sim.team_months,
            sim.runs,
            sim.seconds,
            sim.team_months as f64 / sim.seconds.max(1e-9),
            if per_run { ", every run simulated (--per-run)" } else { "" },
            dir.display()
        );
    }
    Ok(())
}
