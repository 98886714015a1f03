//! Distributions as written in a scenario: a bare number (a constant) or an
//! inline table `{ dist = "NAME", PARAM = VALUE, ... }`, parsed and checked
//! into [`Dist`], plus the closed-form mean [`Dist::mean`] that `describe`
//! builds its expected values from.

use super::model::Dist;
use toml::Value;

/// What values a distribution may take where it is used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Support {
    /// A count of executions: whole numbers >= 0 only, so that the mean the
    /// report shows is exactly the mean the engine draws from.
    Count,
    /// A non-negative quantity (duration, delay, size multiplier).
    NonNegative,
}

/// A parameter problem: the sub-key (e.g. `sigma`, empty for the value
/// itself) and what is wrong.
pub(crate) type DistProblem = (String, String);

fn problem(key: &str, what: impl Into<String>) -> DistProblem {
    (key.to_string(), what.into())
}

/// A finite number from a TOML integer or float.
pub(crate) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    }
}

const NAMES: &str = "constant, uniform, bernoulli, poisson, negbin, lognormal, gamma, empirical";

/// Parses a distribution and checks its parameters and its support.
pub(crate) fn parse(v: &Value, support: Support) -> Result<Dist, DistProblem> {
    let dist = match v {
        Value::Integer(_) | Value::Float(_) => Dist::Constant(finite(v, "")?),
        Value::Table(t) => {
            let name = match t.get("dist") {
                Some(Value::String(s)) => s.as_str(),
                Some(_) => return Err(problem("dist", "must be a string naming the distribution")),
                None => {
                    return Err(problem(
                        "dist",
                        format!("missing: a distribution table needs `dist = \"NAME\"` ({NAMES})"),
                    ))
                }
            };
            let p = Params { t };
            let d = match name {
                "constant" => {
                    p.only(&["value"])?;
                    Dist::Constant(p.req("value")?)
                }
                "uniform" => {
                    p.only(&["low", "high"])?;
                    let (low, high) = (p.req("low")?, p.req("high")?);
                    if low > high {
                        return Err(problem(
                            "high",
                            format!("must be >= low ({low}), got {high}"),
                        ));
                    }
                    Dist::Uniform { low, high }
                }
                "bernoulli" => {
                    p.only(&["p"])?;
                    let pr = p.req("p")?;
                    if !(0.0..=1.0).contains(&pr) {
                        return Err(problem(
                            "p",
                            format!("a probability must be in [0, 1], got {pr}"),
                        ));
                    }
                    Dist::Bernoulli { p: pr }
                }
                "poisson" => {
                    p.only(&["mean"])?;
                    Dist::Poisson {
                        mean: p.count_mean("mean")?,
                    }
                }
                "negbin" => {
                    p.only(&["mean", "r"])?;
                    Dist::NegBinomial {
                        mean: p.count_mean("mean")?,
                        r: p.positive("r")?,
                    }
                }
                "lognormal" => {
                    p.only(&["mu", "median", "sigma"])?;
                    let mu = match (p.opt("mu")?, p.opt("median")?) {
                        (Some(mu), None) => mu,
                        (None, Some(_)) => p.positive("median")?.ln(),
                        (Some(_), Some(_)) => {
                            return Err(problem("median", "give either mu or median, not both"))
                        }
                        (None, None) => return Err(problem("mu", "missing: give mu or median")),
                    };
                    Dist::LogNormal {
                        mu,
                        sigma: p.non_negative("sigma")?,
                    }
                }
                "gamma" => {
                    p.only(&["shape", "scale", "mean"])?;
                    let shape = p.positive("shape")?;
                    let scale = match (p.opt("scale")?, p.opt("mean")?) {
                        (Some(_), None) => p.positive("scale")?,
                        (None, Some(_)) => p.positive("mean")? / shape,
                        (Some(_), Some(_)) => {
                            return Err(problem("mean", "give either scale or mean, not both"))
                        }
                        (None, None) => {
                            return Err(problem("scale", "missing: give scale or mean"))
                        }
                    };
                    Dist::Gamma { shape, scale }
                }
                "empirical" => {
                    p.only(&["values", "weights"])?;
                    let values = p
                        .list("values")?
                        .ok_or_else(|| problem("values", "missing"))?;
                    if values.is_empty() {
                        return Err(problem("values", "needs at least one value"));
                    }
                    let weights = match p.list("weights")? {
                        None => vec![1.0; values.len()],
                        Some(w) => {
                            if w.len() != values.len() {
                                return Err(problem(
                                    "weights",
                                    format!(
                                        "needs one weight per value ({}), got {}",
                                        values.len(),
                                        w.len()
                                    ),
                                ));
                            }
                            if w.iter().any(|&x| x < 0.0) {
                                return Err(problem("weights", "weights must be >= 0"));
                            }
                            w
                        }
                    };
                    // Scaled by the largest first: [1e308, 1e308] must not
                    // overflow the sum and read as "all zero".
                    let largest = weights.iter().copied().fold(0.0, f64::max);
                    if largest <= 0.0 {
                        return Err(problem("weights", "weights must not all be zero"));
                    }
                    let total: f64 = weights.iter().map(|w| w / largest).sum();
                    let weights = weights.iter().map(|w| w / largest / total).collect();
                    Dist::Empirical { values, weights }
                }
                other => {
                    return Err(problem(
                        "dist",
                        format!("unknown distribution '{other}' (expected one of {NAMES})"),
                    ))
                }
            };
            d
        }
        _ => {
            return Err(problem(
                "",
                format!(
                "expected a number or a distribution table {{ dist = \"NAME\", ... }}, got a {}",
                v.type_str()
            ),
            ))
        }
    };
    check_support(&dist, support)?;
    Ok(dist)
}

fn finite(v: &Value, key: &str) -> Result<f64, DistProblem> {
    match number(v) {
        Some(x) if x.is_finite() => Ok(x),
        Some(x) => Err(problem(key, format!("must be a finite number, got {x}"))),
        None => Err(problem(
            key,
            format!("must be a number, got a {}", v.type_str()),
        )),
    }
}

/// The parameters of one distribution table.
struct Params<'a> {
    t: &'a toml::Table,
}

impl Params<'_> {
    /// Rejects any parameter the distribution does not have.
    fn only(&self, allowed: &[&str]) -> Result<(), DistProblem> {
        for k in self.t.keys() {
            if k != "dist" && !allowed.contains(&k.as_str()) {
                return Err(problem(
                    k,
                    format!("unknown parameter (expected {})", allowed.join(", ")),
                ));
            }
        }
        Ok(())
    }
    fn opt(&self, key: &str) -> Result<Option<f64>, DistProblem> {
        self.t.get(key).map(|v| finite(v, key)).transpose()
    }
    fn req(&self, key: &str) -> Result<f64, DistProblem> {
        self.opt(key)?.ok_or_else(|| problem(key, "missing"))
    }
    fn non_negative(&self, key: &str) -> Result<f64, DistProblem> {
        let x = self.req(key)?;
        if x < 0.0 {
            return Err(problem(key, format!("must be >= 0, got {x}")));
        }
        Ok(x)
    }
    /// A count's mean: >= 0 and at most [`MAX_COUNT_MEAN`] (the samplers'
    /// own limit is near 1.8e19, and their message names no key).
    fn count_mean(&self, key: &str) -> Result<f64, DistProblem> {
        let x = self.non_negative(key)?;
        if x > MAX_COUNT_MEAN {
            return Err(problem(
                key,
                format!("must be at most {MAX_COUNT_MEAN:.0e}, got {x}"),
            ));
        }
        Ok(x)
    }
    fn positive(&self, key: &str) -> Result<f64, DistProblem> {
        let x = self.req(key)?;
        if x <= 0.0 {
            return Err(problem(key, format!("must be > 0, got {x}")));
        }
        Ok(x)
    }
    fn list(&self, key: &str) -> Result<Option<Vec<f64>>, DistProblem> {
        match self.t.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => a
                .iter()
                .map(|v| finite(v, key))
                .collect::<Result<_, _>>()
                .map(Some),
            Some(v) => Err(problem(
                key,
                format!("must be an array of numbers, got a {}", v.type_str()),
            )),
        }
    }
}

/// Checks that every value the distribution can take is allowed where it is used.
fn check_support(d: &Dist, support: Support) -> Result<(), DistProblem> {
    let whole = |x: f64| x >= 0.0 && x.fract() == 0.0;
    match (support, d) {
        (_, Dist::Constant(c)) if *c < 0.0 => Err(problem("", format!("must be >= 0, got {c}"))),
        (Support::Count, Dist::Constant(c)) if !whole(*c) => {
            Err(problem("", format!("a count must be a whole number, got {c}")))
        }
        (_, Dist::Uniform { low, .. }) if *low < 0.0 => {
            Err(problem("low", format!("must be >= 0 here, got {low}")))
        }
        (_, Dist::Empirical { values, .. }) if values.iter().any(|&v| v < 0.0) => {
            Err(problem("values", "values must be >= 0 here"))
        }
        (Support::Count, Dist::Empirical { values, .. }) if !values.iter().all(|&v| whole(v)) => {
            Err(problem("values", "a count's values must be whole numbers"))
        }
        (Support::Count, Dist::Uniform { .. } | Dist::LogNormal { .. } | Dist::Gamma { .. }) => Err(problem(
            "dist",
            "a count needs a whole-number distribution: a whole constant, bernoulli, poisson, negbin, \
             or empirical with whole values (e.g. { dist = \"empirical\", values = [2, 3, 4] } for 2 to 4)",
        )),
        _ => Ok(()),
    }
}

impl Dist {
    /// The mean, in closed form.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Constant(c) => *c,
            Dist::Uniform { low, high } => (low + high) / 2.0,
            Dist::Bernoulli { p } => *p,
            Dist::Poisson { mean } | Dist::NegBinomial { mean, .. } => *mean,
            Dist::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Dist::Gamma { shape, scale } => shape * scale,
            Dist::Empirical { values, weights } => {
                values.iter().zip(weights).map(|(v, w)| v * w).sum()
            }
        }
    }

    /// A short human description, e.g. `poisson(mean 3)`.
    pub fn describe(&self) -> String {
        match self {
            Dist::Constant(c) => format!("{c}"),
            Dist::Uniform { low, high } => format!("uniform({low}..{high})"),
            Dist::Bernoulli { p } => format!("bernoulli(p {p})"),
            Dist::Poisson { mean } => format!("poisson(mean {mean})"),
            Dist::NegBinomial { mean, r } => format!("negbin(mean {mean}, r {r})"),
            Dist::LogNormal { mu, sigma } => {
                format!("lognormal(median {}, sigma {sigma})", trim(mu.exp()))
            }
            Dist::Gamma { shape, scale } => format!("gamma(shape {shape}, scale {scale})"),
            Dist::Empirical { values, .. } => format!("empirical({} values)", values.len()),
        }
    }
}

/// A number with at most 4 decimals and no trailing zeros.
pub(crate) fn trim(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// The largest mean a Poisson or negative binomial may have.
pub const MAX_COUNT_MEAN: f64 = 1e15;
