//! Sensitivity: which inputs move the population's overage most.
//!
//! - One at a time: each input is set to the low and then the high end of its
//!   declared range, everything else at the scenario's values, on the same
//!   random numbers as the baseline; the swings make a tornado chart.
//! - Jointly: a Latin hypercube over all ranges at once; Spearman's rank
//!   correlation between each input and the output across the design points
//!   says how strongly (and in which direction) it drives the output when
//!   everything varies together.
//!
//! The output is the population's total overage billed per trial (the
//! finance number), its mean over the trials.

use super::rank::{latin_hypercube, spearman};
use super::{simulate_summary, Nothing};
use crate::engine::SimOptions;
use crate::scenario;
use crate::statistics::summary::Estimate;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// An input and its declared range.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// Dotted scenario key (as for `--set`).
    pub key: String,
    /// Low end.
    pub low: f64,
    /// High end.
    pub high: f64,
    /// Whether the key takes whole numbers (both ends written without a
    /// fraction): design points are then rounded.
    pub integer: bool,
}

impl Input {
    /// Parses `KEY=LOW..HIGH` (as `sensitivity --vary` writes it).
    pub fn parse(s: &str) -> Result<Input, String> {
        let (key, range) = s
            .split_once('=')
            .ok_or_else(|| format!("'{s}': expected KEY=LOW..HIGH"))?;
        let (lo, hi) = range
            .split_once("..")
            .ok_or_else(|| format!("'{s}': expected KEY=LOW..HIGH"))?;
        let num = |t: &str| -> Result<f64, String> {
            let v: f64 = t
                .trim()
                .parse()
                .map_err(|_| format!("'{s}': '{}' is not a number", t.trim()))?;
            if v.is_finite() {
                Ok(v)
            } else {
                Err(format!("'{s}': '{}' is not finite", t.trim()))
            }
        };
        let (low, high) = (num(lo)?, num(hi)?);
        if low >= high {
            return Err(format!("'{s}': LOW must be below HIGH"));
        }
        let whole = |t: &str| !t.contains(['.', 'e', 'E']);
        Ok(Input {
            key: key.trim().to_string(),
            low,
            high,
            integer: whole(lo) && whole(hi),
        })
    }

    /// The value at fraction `u` of the range, as TOML text.
    fn at(&self, u: f64) -> String {
        let v = self.low + u * (self.high - self.low);
        self.text(v)
    }

    fn text(&self, v: f64) -> String {
        if self.integer {
            format!("{}", v.round() as i64)
        } else {
            format!("{v:?}")
        }
    }
}

/// One bar of the tornado.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Swing {
    /// The input.
    pub key: String,
    /// Its low value.
    pub low: f64,
    /// Its high value.
    pub high: f64,
    /// The output with the input at its low value.
    pub output_at_low: Estimate,
    /// The output with the input at its high value.
    pub output_at_high: Estimate,
    /// |high - low| of the output: the bar's length, the sort key.
    pub swing: f64,
    /// Spearman rank correlation of the input with the output over the
    /// Latin hypercube (`None` without one, or when the output never moves).
    pub rank_correlation: Option<f64>,
}

/// The whole analysis.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// Scenario name.
    pub scenario: String,
    /// Seed (shared by every run: common random numbers).
    pub seed: u64,
    /// Trials per run.
    pub trials: u32,
    /// What the output is.
    pub output: String,
    /// The output at the scenario's own values.
    pub baseline: Estimate,
    /// One per input, largest swing first.
    pub swings: Vec<Swing>,
    /// Latin hypercube design points (0: no rank correlations).
    pub samples: u32,
    /// How to read it.
    pub note: String,
    /// What it was computed from: command, input file and its SHA-256,
    /// overrides, seed, trials (set by the command line; absent when the
    /// library computed it without a file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<crate::provenance::Inputs>,
}

/// The analysis of the scenario at `path` over `inputs`, with `samples`
/// Latin hypercube points (each simulated with `opts.trials` trials).
pub fn sensitivity(
    path: &Path,
    overrides: &[(String, String)],
    inputs: &[Input],
    samples: u32,
    opts: &SimOptions,
) -> anyhow::Result<Sensitivity> {
    if inputs.is_empty() {
        anyhow::bail!("sensitivity needs at least one input (KEY=LOW..HIGH)");
    }
    let total = 1 + 2 * inputs.len() as u64 + if samples >= 3 { u64::from(samples) } else { 0 };
    let (bar, inner) = super::variants_bar("sensitivity", total, opts);
    // (scenario name, what one total covers, the mean total overage).
    let output = |extra: &[(String, String)]| -> anyhow::Result<(String, String, Estimate)> {
        let mut o = overrides.to_vec();
        o.extend_from_slice(extra);
        let s = scenario::load_with(path, &o)?;
        let t = simulate_summary(&s, &inner, &mut Nothing)?
            .total_overage
            .per_trial_usd;
        bar.inc(1);
        let horizon = crate::numbers::per_horizon(s.calendar.months, s.calendar.cycle_days);
        Ok((
            s.name,
            horizon,
            Estimate {
                value: t.mean,
                ci_low: t.ci_low,
                ci_high: t.ci_high,
            },
        ))
    };
    // The horizon of the scenario as given (its calendar).
    let (name, horizon, baseline) = output(&[])?;
    let mut swings = Vec::new();
    for input in inputs {
        let (_, _, lo) = output(&[(input.key.clone(), input.text(input.low))])?;
        let (_, _, hi) = output(&[(input.key.clone(), input.text(input.high))])?;
        swings.push(Swing {
            key: input.key.clone(),
            low: input.low,
            high: input.high,
            output_at_low: lo,
            output_at_high: hi,
            swing: (hi.value - lo.value).abs(),
            rank_correlation: None,
        });
    }
    if samples >= 3 {
        let design = latin_hypercube(samples as usize, inputs.len(), opts.seed);
        let mut ys = Vec::with_capacity(design.len());
        for point in &design {
            let settings: Vec<(String, String)> = inputs
                .iter()
                .zip(point)
                .map(|(i, &u)| (i.key.clone(), i.at(u)))
                .collect();
            ys.push(output(&settings)?.2.value);
        }
        for (d, sw) in swings.iter_mut().enumerate() {
            let xs: Vec<f64> = design.iter().map(|p| p[d]).collect();
            sw.rank_correlation = spearman(&xs, &ys);
        }
    }
    bar.finish_and_clear();
    swings.sort_by(|a, b| b.swing.total_cmp(&a.swing).then_with(|| a.key.cmp(&b.key)));
    Ok(Sensitivity {
        inputs: None,
        scenario: name,
        seed: opts.seed,
        trials: opts.trials,
        output: format!("population's total overage billed {horizon}, USD (mean)"),
        baseline,
        swings,
        samples,
        note: "Bars: the output with one input at the low and at the high end of its range, the others as in the scenario, all on the same random numbers. Rank correlation: Spearman's rho between the input and the output over a Latin hypercube of all ranges at once (+1: more input, more overage). The overage block price is an assumption (user input).".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges() {
        let i = Input::parse("kinds.a.teams=10..20").unwrap();
        assert_eq!((i.low, i.high, i.integer), (10.0, 20.0, true));
        assert_eq!(i.at(0.5), "15");
        let f = Input::parse("usage_multiplier=0.8..1.5").unwrap();
        assert!(!f.integer);
        assert_eq!(f.at(0.0), "0.8");
        assert!(Input::parse("x=2..1").is_err());
        assert!(Input::parse("x=a..1").is_err());
        assert!(Input::parse("x=1").is_err());
    }
}
