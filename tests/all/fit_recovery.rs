//! `flowcast fit` recovers the parameters a log was emitted from. Logs come
//! from known scenarios through `--emit-log`'s library path; the fitted
//! scenario is read back and every parameter compared with the truth within
//! a tolerance of about four standard errors of its estimate, computed from
//! the counts it was estimated from (so a correct fit fails about once in
//! 15,000 runs per check, and a wrong one, off by more than that, fails).

use flowcast::emit::emit_log;
use flowcast::fitting::{fit_reader, FitOptions, Grouping};
use flowcast::workload::runs::RunPlan;
use toml::Value;

const TRUTH: &str = r#"
name = "truth"
[calendar]
start = 2026-01-01T00:00:00Z
months = 4

# Poisson with office hours, weekdays, growth and strong bursts; no size
# spread, so the rate is known to Poisson precision.
[[kinds]]
name = "office"
teams = 20
plan = "enterprise"
overage = "on"
overage_price = 10.0
  [[kinds.flows]]
  name = "sync"
  trigger = "api"
  arrivals = { poisson = { per_day = 30, hours = "office", weekdays = "mon-fri", growth_per_month = 0.1, bursts = { per_month = 1, duration_hours = 4, multiplier = 10 } } }
  duration_seconds = { dist = "lognormal", median = 5, sigma = 0.6 }
  blocks = { http_request = { dist = "poisson", mean = 2 }, logic = 1 }

# Team-to-team spread.
[[kinds]]
name = "spread"
teams = 60
plan = "enterprise"
overage = "on"
overage_price = 10.0
size = { dist = "lognormal", mu = -0.125, sigma = 0.5 }
  [[kinds.flows]]
  name = "pull"
  trigger = "api"
  arrivals = { poisson = { per_day = 10 } }
  blocks = { connector = 1 }

# A schedule, and an agent whose tools include an MCP flow.
[[kinds]]
name = "agents"
teams = 10
plan = "team"
  [[kinds.flows]]
  name = "nightly"
  trigger = "schedule"
  arrivals = { schedule = { every = "6h", at = "01:30", weekdays = ["mon", "wed", "fri"] } }
  blocks = { http_request = 3 }
  [[kinds.flows]]
  name = "assist"
  trigger = "api"
  arrivals = { poisson = { per_day = 20 } }
  [kinds.flows.agent]
  model = "gpt-5-mini"
  calls = { dist = "negbin", mean = 3, r = 2 }
  tools_per_call = { dist = "bernoulli", p = 0.4 }
  tools = [ { name = "lookup", weight = 3, flow = "lookup" }, { name = "web", weight = 1 } ]
  [[kinds.flows]]
  name = "lookup"
  trigger = "mcp"
  blocks = { connector = 1, logic = { dist = "bernoulli", p = 0.5 } }
"#;

struct Case {
    scenario: flowcast::scenario::Scenario,
    fitted: Value,
    log: Vec<u8>,
}

fn fit_truth() -> Case {
    let s = flowcast::scenario::parse(TRUTH, "truth.toml".as_ref()).unwrap();
    let mut log = Vec::new();
    let e = emit_log(&s, 5, 1, &mut log).unwrap();
    let billing = flowcast::emit::billing(&s, &e.billed, 1).unwrap();
    let opts = FitOptions {
        grouping: Grouping::Auto,
        window: None,
        forecast_start: None,
        months: 1,
        billing,
        seed: 1,
        trials: 10,
    };
    let f = fit_reader(&log[..], "truth.csv".as_ref(), &s.prices, &opts)
        .unwrap_or_else(|e| panic!("{e}"));
    Case {
        scenario: s,
        fitted: toml::from_str(&f.toml).unwrap(),
        log,
    }
}

fn kind<'a>(v: &'a Value, name: &str) -> &'a Value {
    v["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("kind {name}"))
}

fn flow<'a>(k: &'a Value, name: &str) -> &'a Value {
    k["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("flow {name}"))
}

fn f(v: &Value) -> f64 {
    v.as_float().or(v.as_integer().map(|i| i as f64)).unwrap()
}

/// The mean of an empirical or parametric count written by fit.
fn mean_of(v: &Value) -> f64 {
    if let Some(t) = v.as_table() {
        match t["dist"].as_str().unwrap() {
            "empirical" => {
                let vals = t["values"].as_array().unwrap();
                let w = t["weights"].as_array().unwrap();
                let tw: f64 = w.iter().map(f).sum();
                vals.iter().zip(w).map(|(x, w)| f(x) * f(w)).sum::<f64>() / tw
            }
            "bernoulli" => f(&t["p"]),
            _ => f(&t["mean"]),
        }
    } else {
        f(v)
    }
}

fn within(what: &str, got: f64, truth: f64, tol: f64) {
    assert!(
        (got - truth).abs() <= tol,
        "{what}: fitted {got}, true {truth}, tolerance {tol}"
    );
}

#[test]
fn fitted_parameters_are_within_their_sampling_error() {
    let c = fit_truth();
    let office = kind(&c.fitted, "office");
    let sync = flow(office, "sync");
    let p = &sync["arrivals"]["poisson"];

    // Growth: 10% a month. The log-linear slope's standard error is about
    // 1 / sqrt(N var(t)), t in months over 4 months (var = 16/12), N ~ 40k.
    let n_sync: f64 = 20.0 * 30.0 * 5.0 / 7.0 * 4.0 * 30.0 * 1.2;
    let se_b = 1.0 / (n_sync * 16.0 / 12.0_f64).sqrt();
    within(
        "growth",
        f(&p["growth_per_month"]).ln_1p(),
        0.1f64.ln_1p(),
        4.0 * se_b + 0.01,
    );

    // Weekdays: Monday to Friday at 7/5 of the mean, weekends ~0.
    let wd: Vec<f64> = p["weekdays"].as_array().unwrap().iter().map(f).collect();
    for (d, w) in wd.iter().enumerate() {
        let truth = if d < 5 { 7.0 / 5.0 } else { 0.0 };
        // Each weekday has ~N/5 runs: relative SE 1/sqrt(N/5).
        within(
            &format!("weekday {d}"),
            *w,
            truth,
            4.0 * 1.4 / (n_sync / 5.0).sqrt() + 0.05,
        );
    }

    // Hours: "office" is 3x from 09:00 to 17:00.
    let h: Vec<f64> = p["hours"].as_array().unwrap().iter().map(f).collect();
    let office_mean = h[9..17].iter().sum::<f64>() / 8.0;
    let other_mean = (h[..9].iter().sum::<f64>() + h[17..].iter().sum::<f64>()) / 16.0;
    // The ratio of two means of ~N/40 and ~N/8 runs an hour: relative SE
    // about sqrt(40/N + 8/N).
    within(
        "office hours ratio",
        office_mean / other_mean,
        3.0,
        4.0 * 3.0 * (48.0 / n_sync).sqrt() + 0.1,
    );

    // per_day at the forecast start (2026-05-01, 120 days = 4 months in):
    // the weekday rate is per_day x 7/5 in the fit and 30 x 1.1^4 in truth
    // (bursts add about 1 x 4 h x 9 x office rate per month on top).
    let fitted_weekday = f(&p["per_day"]) * wd[0];
    let truth_weekday = 30.0 * 1.1f64.powf(4.0);
    within(
        "weekday rate at the forecast start",
        fitted_weekday / truth_weekday,
        1.0,
        0.12,
    );

    // Bursts: detected, strong, a few hours.
    let b = &p["bursts"];
    assert!(b.is_table(), "bursts detected: {p}");
    assert!(f(&b["multiplier"]) > 3.0, "{b}");
    within("burst hours", f(&b["duration_hours"]), 4.0, 3.0);

    // Block counts: Poisson(2) HTTP requests, constant logic.
    let blocks = &sync["blocks"];
    within(
        "http_request mean",
        mean_of(&blocks["http_request"]),
        2.0,
        4.0 * (2.0 / n_sync).sqrt(),
    );
    assert_eq!(blocks["logic"].as_integer(), Some(1));
    // Durations: lognormal median 5 s, sigma 0.6.
    let d = &sync["duration_seconds"];
    within(
        "duration ln median",
        f(&d["median"]).ln(),
        5f64.ln(),
        4.0 * 0.6 / n_sync.sqrt(),
    );
    within(
        "duration sigma",
        f(&d["sigma"]),
        0.6,
        4.0 * 0.6 / (2.0 * n_sync).sqrt(),
    );

    // Team spread: sigma 0.5 over 60 teams. The moment estimate's standard
    // error is about 0.05 here (a normal sample's sd has sigma / sqrt(2n) =
    // 0.046; moments on the raw scale are less efficient), so 0.2 is ~4 SE.
    let spread = kind(&c.fitted, "spread");
    within("size sigma", f(&spread["size"]["sigma"]), 0.5, 0.2);
    // Its mean is 1 (the rate carries the level).
    // (Written to 6 decimals.)
    within(
        "size mean",
        (f(&spread["size"]["mu"]) + f(&spread["size"]["sigma"]).powi(2) / 2.0).exp(),
        1.0,
        1e-5,
    );

    // The schedule, exactly.
    let agents = kind(&c.fitted, "agents");
    let nightly = &flow(agents, "nightly")["arrivals"]["schedule"];
    assert_eq!(nightly["every"].as_str(), Some("21600s"));
    assert_eq!(nightly["at"].as_str(), Some("01:30:00"));
    assert_eq!(
        nightly["weekdays"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d.as_str().unwrap())
            .collect::<Vec<_>>(),
        ["mon", "wed", "fri"]
    );

    // The agent: calls per run (negbin mean 3), tool calls per call
    // (Bernoulli 0.4), three in four tool calls run the MCP flow.
    let n_assist: f64 = 10.0 * 20.0 * 120.0;
    let agent = &flow(agents, "assist")["agent"];
    within(
        "agent calls",
        mean_of(&agent["calls"]),
        3.0,
        4.0 * (3.0f64 + 9.0 / 2.0).sqrt() / n_assist.sqrt(),
    );
    assert_eq!(agent["tools_per_call"]["dist"].as_str(), Some("bernoulli"));
    let calls: f64 = n_assist * 3.0;
    within(
        "tools per call",
        f(&agent["tools_per_call"]["p"]),
        0.4,
        4.0 * (0.24 / calls).sqrt(),
    );
    let tools = agent["tools"].as_array().unwrap();
    let w = |name: &str| {
        tools
            .iter()
            .find(|t| t["name"].as_str() == Some(name))
            .map(|t| f(&t["weight"]))
            .unwrap_or(0.0)
    };
    let share = w("lookup") / (w("lookup") + w("other-mcp-tools"));
    within(
        "MCP-flow share of tool calls",
        share,
        0.75,
        4.0 * (0.1875 / (calls * 0.4)).sqrt(),
    );
    assert_eq!(flow(agents, "lookup")["trigger"].as_str(), Some("mcp"));
    let _ = &c.scenario;
}

/// The fitted scenario's mean credits per run of every flow are the log's
/// (what `flowcast check` prints): counts are written as their empirical
/// distributions, which keep the mean exactly.
#[test]
fn fitted_flows_cost_what_the_logged_runs_cost() {
    let c = fit_truth();
    let fitted =
        flowcast::scenario::parse(&toml::to_string(&c.fitted).unwrap(), "f.toml".as_ref()).unwrap();
    // The log's mean own credits per run, per (kind, flow), by replaying
    // each run's rows through the pricing function.
    let table =
        flowcast::replay::log::read_log(&c.log[..], "l.csv".as_ref(), &c.scenario.prices).unwrap();
    let mut sums: std::collections::BTreeMap<(String, String), (f64, f64)> = Default::default();
    for r in table.runs.iter().filter(|r| r.defined) {
        let team = table.teams.get_str(r.team);
        let kind = team.rsplit_once('-').unwrap().0.to_string();
        let e = sums.entry((kind, table.flows.get_str(r.flow))).or_default();
        e.0 += r.credits as f64;
        e.1 += 1.0;
    }
    for k in &fitted.kinds {
        for fl in &k.flows {
            let plan = RunPlan::new(fl, &fitted.prices).unwrap();
            let (sum, n) = sums[&(k.name.clone(), fl.name.clone())];
            let logged = sum / n;
            assert!(
                (plan.mean_own_credits() - logged).abs() < 1e-3 * logged.max(1.0),
                "{}/{}: fitted {} vs logged {logged}",
                k.name,
                fl.name,
                plan.mean_own_credits()
            );
        }
    }
}
