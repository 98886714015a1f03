//! `flowcast run SCENARIO`: simulates a scenario (Monte Carlo) and writes
//! `summary.json`, `teams.csv`, `daily.csv`, `alerts.csv|json` (and, over
//! several months, `forecast.csv|json`), the charts and `report.html` into
//! `output/<scenario name>/` or `--out DIR`, then prints a short summary.

use super::common::{json, overrides, write_all, SimFlags};
use anyhow::Context;
use flowcast::engine::{simulate, Observer, SimOptions, SimStats};
use flowcast::planning::alerts::AlertCollector;
use flowcast::planning::forecast::ForecastCollector;
use flowcast::planning::stopping::{next_batch, percent, Precision, StopReason};
use flowcast::reports::planning::{alerts_csv, alerts_text, forecast_csv, forecast_text};
use flowcast::statistics::summary::{Stopping, Summary};
use flowcast::statistics::SummaryCollector;
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
    #[command(flatten)]
    pub sim: SimFlags,
}

/// The observers of a run.
struct Observers {
    summary: SummaryCollector,
    alerts: AlertCollector,
    forecast: Option<ForecastCollector>,
}

impl Observer for Observers {
    fn team_month(&mut self, tm: &flowcast::engine::TeamMonth<'_>) {
        self.summary.team_month(tm);
        self.alerts.team_month(tm);
        if let Some(f) = &mut self.forecast {
            f.team_month(tm);
        }
    }
    fn trial_end(&mut self, trial: u32) {
        self.summary.trial_end(trial);
        self.alerts.trial_end(trial);
        if let Some(f) = &mut self.forecast {
            f.trial_end(trial);
        }
    }
}

/// The relative half-widths of the watched numbers in `s`.
fn widths(s: &Summary, watch: &[String]) -> Vec<(String, f64)> {
    let rel = |mean: f64, lo: f64, hi: f64| {
        let half = (hi - lo) / 2.0;
        if half == 0.0 {
            0.0
        } else if mean == 0.0 {
            f64::INFINITY
        } else {
            half / mean.abs()
        }
    };
    let mut out = Vec::new();
    for w in watch {
        match w.as_str() {
            "total" => {
                let t = &s.total_overage.per_trial_usd;
                out.push((
                    "total overage".to_string(),
                    rel(t.mean, t.ci_low, t.ci_high),
                ));
            }
            "overage" => {
                for k in &s.kinds {
                    let d = &k.stats.overage_cost_usd;
                    out.push((
                        format!("{} overage", k.name),
                        rel(d.mean, d.ci_low, d.ci_high),
                    ));
                }
            }
            "hit" => {
                for k in &s.kinds {
                    let e = &k.stats.hit.probability;
                    out.push((
                        format!("{} P(hit)", k.name),
                        rel(e.value, e.ci_low, e.ci_high),
                    ));
                }
            }
            _ => {}
        }
    }
    out
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
        eprintln!(
            "emitted {} runs in {} rows ({} trial{}) to {}, plans to {}",
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
    let precision = match &args.precision {
        // A percentage sign is required: "0.5" could mean 0.5% or 50%.
        Some(p) if !p.trim().ends_with('%') => {
            anyhow::bail!("--precision takes a percentage, e.g. 1% or 0.5% (got '{p}')")
        }
        Some(p) => Some(
            Precision::parse(p, args.max_trials)
                .map_err(|e| anyhow::anyhow!("--precision: {e}"))?,
        ),
        None => None,
    };
    for w in &args.precision_of {
        if !["total", "overage", "hit"].contains(&w.as_str()) {
            anyhow::bail!("--precision-of: unknown '{w}' (expected total, overage or hit)");
        }
    }
    let planned = precision.as_ref().map_or(opts.trials, |p| p.max_trials);
    super::common::validate(&args.scenario, &o, &scenario, planned)?;
    args.sim
        .check_work(&args.scenario, &scenario, planned, 1.0)?;
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
    let mut obs = Observers {
        summary: SummaryCollector::new(&scenario, &opts)?,
        alerts: AlertCollector::new(&scenario),
        forecast: if scenario.calendar.months > 1 {
            Some(ForecastCollector::new(&scenario, opts.seed)?)
        } else {
            None
        },
    };
    let (sim, mut summary) = match precision {
        None => {
            let sim = simulate(&scenario, &opts, &mut obs)?;
            (sim, obs.summary.clone().finish())
        }
        Some(p) => {
            // Geometric batches on consecutive trial numbers: the result is
            // the same as one run of the final trial count.
            let mut done = 0u32;
            let mut total = SimStats {
                runs: 0,
                team_months: 0,
                seconds: 0.0,
            };
            // Not `clamp(2, cap)`: a cap of 1 is allowed and clamp would panic.
            let first = opts.trials.max(2).min(p.max_trials);
            loop {
                let batch = next_batch(done, first, p.max_trials);
                if batch == 0 {
                    break;
                }
                let o = SimOptions {
                    first_trial: done,
                    trials: batch,
                    ..opts.clone()
                };
                let s = simulate(&scenario, &o, &mut obs)?;
                total.runs += s.runs;
                total.team_months += s.team_months;
                total.seconds += s.seconds;
                done += batch;
                let now = obs.summary.clone().finish();
                if widths(&now, &args.precision_of)
                    .iter()
                    .all(|(_, w)| *w <= p.relative)
                {
                    break;
                }
            }
            let mut summary = obs.summary.clone().finish();
            summary.trials = done;
            let ws = widths(&summary, &args.precision_of);
            let achieved = ws.iter().map(|(_, w)| *w).fold(0.0, f64::max);
            let reason = if achieved <= p.relative {
                StopReason::PrecisionReached
            } else {
                StopReason::TrialCap
            };
            summary.stopping = Some(Stopping {
                target_relative: p.relative,
                watched: ws.iter().map(|(n, _)| n.clone()).collect(),
                achieved_relative: achieved,
                reason: match reason {
                    StopReason::PrecisionReached => "precision_reached",
                    StopReason::TrialCap => "trial_cap",
                }
                .to_string(),
                max_trials: p.max_trials,
            });
            (total, summary)
        }
    };

    summary.inputs = Some(super::common::inputs(
        "run",
        &args.scenario,
        &o,
        opts.seed,
        summary.trials,
    )?);
    write_all(&out, &flowcast::reports::table_files(&summary)?)?;
    let alerts = obs.alerts.finish();
    write_all(
        &out,
        &[
            ("alerts.csv", alerts_csv(&alerts)?),
            ("alerts.json", json(&alerts)?),
        ],
    )?;
    let forecast = obs.forecast.as_ref().map(|f| {
        let mut f = f.finish();
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
    if !args.no_charts {
        super::report::refresh(&out, args.sim.quiet)?;
    }
    let dir = out.target().to_path_buf();
    super::common::publish(out)?;

    print!("{}", flowcast::reports::text::summary_text(&summary));
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
    if !args.sim.quiet {
        eprintln!(
            "simulated {} runs ({} team-months) in {:.2} s: {:.1} M runs/s, {:.0} team-months/s; wrote {}",
            sim.runs,
            sim.team_months,
            sim.seconds,
            sim.runs as f64 / sim.seconds.max(1e-9) / 1e6,
            sim.team_months as f64 / sim.seconds.max(1e-9),
            dir.display()
        );
    }
    Ok(())
}
