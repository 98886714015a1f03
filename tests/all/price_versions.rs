//! Dated price versions, against hand-computed ledgers and closed forms: a
//! replay of a log that spans a change bills each run at the version in
//! force at its start (a run that spans the change at its start's prices, a
//! run starting on the instant at the new ones, a nested MCP-flow run at its
//! own start); a simulation across a change matches the closed form of each
//! version, exactly on a schedule and within a stated band on a Poisson flow;
//! `check`, `summary.json` and the report name the versions used; bad
//! versions are one-line errors naming the key.

use assert_cmd::Command;
use flowcast::engine::{simulate, Observer, SimOptions, TeamMonth};
use flowcast::pricing::{PriceBook, RawPriceBook};
use flowcast::replay::{replay_reader, Billing};
use flowcast::scenario::{parse, Scenario};
use std::ffi::OsStr;
use std::io::Write;
use std::path::Path;
use std::process::Output;

/// A rise from 2026-06-15: HTTP Request 1 -> 3 credits on cloud runs, a
/// GPT-5 agent call 10 -> 12; it ends on 2026-07-01.
const RISE: &str = r#"
[versions.rise]
label = "test rise"
from = 2026-06-15T00:00:00Z
until = 2026-07-01T00:00:00Z
blocks.http_request = { manual = 0, cloud = 3 }
agent_call = { "gpt-5" = 12 }
"#;

const HEADER: &str =
    "run_id,team,flow,trigger,started_at,ended_at,parent_run_id,block,model,count\n";

/// The log of the hand-computed case. Per run, at the prices in force at
/// its start:
/// - r4 (schedule, 06-10): base 1 + http 1 = 2;
/// - r1 (api, starts 06-14 23:59, before the change, ends after it): base 1
///   + 2 http x 1 + gpt-5 10 = 13 (not 1 + 6 + 12 = 19);
/// - r2 (api, starts on the change's instant): 1 + 3 = 4;
/// - r3 (manual, 06-16): 2 gpt-5 calls x 12 + 1 MCP tool x 2 = 26;
/// - r3.1 (mcp, its nested run, 06-16 00:00:01): 1 + 3 = 4;
/// - r5 (api, 07-02, after `until`): 1 + 1 = 2, in July's cycle.
fn log() -> String {
    let mut l = String::from(HEADER);
    for row in [
        "r4,a,f,schedule,2026-06-10T00:00:00Z,2026-06-10T00:00:00Z,,http_request,,1",
        "r1,a,f,api,2026-06-14T23:59:00Z,2026-06-15T00:01:00Z,,http_request,,2",
        "r1,a,f,api,2026-06-14T23:59:00Z,2026-06-15T00:01:00Z,,agent_call,gpt-5,1",
        "r2,a,f,api,2026-06-15T00:00:00Z,2026-06-15T00:00:30Z,,http_request,,1",
        "r3,a,g,manual,2026-06-16T00:00:00Z,2026-06-16T00:00:10Z,,agent_call,GPT-5,2",
        "r3,a,g,manual,2026-06-16T00:00:00Z,2026-06-16T00:00:10Z,,mcp_tool,,1",
        "r3.1,a,h,mcp,2026-06-16T00:00:01Z,2026-06-16T00:00:05Z,r3,http_request,,1",
        "r5,a,f,api,2026-07-02T00:00:00Z,2026-07-02T00:00:01Z,,http_request,,1",
    ] {
        l.push_str(row);
        l.push('\n');
    }
    l
}

fn book(text: &str) -> PriceBook {
    let raw: RawPriceBook = toml::from_str(text).unwrap();
    PriceBook::builtin().with_overrides(raw, "test").unwrap()
}

#[test]
fn a_replay_across_a_change_bills_each_run_at_its_start() {
    let terms = |credits| {
        flowcast::ledger::Terms::new(
            flowcast::ledger::PlanTerms {
                label: "test",
                allotment: credits,
                overage_allowed: true,
            },
            1000,
            flowcast::ledger::Overage::Off,
            None,
        )
        .unwrap()
    };
    let billing = Billing::new(Default::default(), terms(45));
    let r = replay_reader(
        log().as_bytes(),
        Path::new("log.csv"),
        &book(RISE),
        &billing,
    )
    .unwrap();
    let june = &r.records[0];
    // 2 + 13 + 4 + 26 + 4 = 49 credits; by end time: r4 2, r2 6, r1 19,
    // r3.1 23, r3 49 >= 45 at r3's end.
    assert_eq!(june.credits_used, 49);
    assert_eq!(
        june.limit_reached_at,
        Some(flowcast::replay::cycles::parse_time("2026-06-16T00:00:10Z").unwrap())
    );
    assert_eq!(
        r.records[1].credits_used, 2,
        "after `until`, the base prices"
    );
    assert_eq!(r.price_versions.len(), 1);
    assert!(r.price_versions[0].contains("'rise'"));

    // The same log at the book's own prices: 2 + 13 + 2 + 22 + 2 = 41, under
    // the limit (the version decides whether the team is suspended).
    let flat = replay_reader(
        log().as_bytes(),
        Path::new("log.csv"),
        &PriceBook::builtin(),
        &billing,
    )
    .unwrap();
    assert_eq!(flat.records[0].credits_used, 41);
    assert_eq!(flat.records[0].limit_reached_at, None);
    assert!(flat.price_versions.is_empty());
}

#[test]
fn replay_names_the_versions_it_used_and_json_stays_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("log.csv");
    std::fs::write(&log_path, log()).unwrap();
    let prices = dir.path().join("prices.toml");
    std::fs::write(&prices, RISE).unwrap();
    let args = |json: &'static str| {
        [
            "replay".as_ref(),
            log_path.as_os_str(),
            "--prices".as_ref(),
            prices.as_os_str(),
            "--credits".as_ref(),
            "45".as_ref(),
            json.as_ref(),
        ]
    };
    let text = ok(args("--csv"));
    let table = ok(&args("--json")[..6]);
    assert!(
        table.contains("version 'rise' (test rise), from 2026-06-15 until 2026-07-01"),
        "{table}"
    );
    assert!(text.contains(",49,"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&ok(args("--json"))).unwrap();
    assert_eq!(json[0]["credits_used"], 49);
    assert_eq!(json.as_array().unwrap().len(), 2, "only the records");
}

/// Runs flowcast with `args`.
fn flowcast<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> Output {
    Command::cargo_bin("flowcast")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

/// Runs flowcast, requires success, and gives its standard output.
fn ok<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> String {
    let out = flowcast(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Runs flowcast, requires a refusal (exit 2, nothing on stdout, one line on
/// stderr) and gives the line.
fn refused<S: AsRef<OsStr>>(args: impl IntoIterator<Item = S>) -> String {
    let out = flowcast(args);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    err
}

/// The shipped what-if, with `teams` teams of each kind.
fn what_if(teams: u32) -> Vec<String> {
    let mut v = vec!["scenarios/what-if-model-prices-rise.toml".to_string()];
    for k in ["support-agents", "content-builders"] {
        v.push("--set".into());
        v.push(format!("kinds.{k}.teams={teams}"));
    }
    v
}

/// Every team-month's credits used, by cycle.
#[derive(Default)]
struct Used(Vec<Vec<u64>>);
impl Observer for Used {
    fn team_month(&mut self, tm: &TeamMonth<'_>) {
        let c = tm.cycle as usize;
        if self.0.len() <= c {
            self.0.resize(c + 1, Vec::new());
        }
        self.0[c].push(tm.record.credits_used);
    }
}

/// 10-day cycles from 2026-06-01; a version from day 15 (2026-06-16, the
/// middle of cycle 2) prices HTTP Request at 4 instead of 1 on cloud runs.
fn across(teams: u32, arrivals: &str) -> Scenario {
    let text = format!(
        r#"
name = "versions"
[calendar]
start = 2026-06-01T00:00:00Z
cycle_days = 10
months = 2
[prices.versions.rise]
from = 2026-06-16T00:00:00Z
blocks.http_request = {{ manual = 0, cloud = 4 }}
[[kinds]]
name = "k"
teams = {teams}
plan = "enterprise"
overage = "on"
overage_price = 10
  [[kinds.flows]]
  name = "f"
  trigger = "api"
  arrivals = {arrivals}
  duration_seconds = 0
  blocks = {{ http_request = 1 }}
"#
    );
    parse(&text, Path::new("versions.toml")).unwrap_or_else(|e| panic!("{e}"))
}

fn used(s: &Scenario, trials: u32) -> Vec<Vec<u64>> {
    let mut obs = Used::default();
    let o = SimOptions {
        seed: 11,
        first_trial: 0,
        trials,
        threads: Some(2),
        progress: false,
        per_run: false,
    };
    simulate(s, &o, &mut obs).unwrap();
    obs.0
}

#[test]
fn a_schedule_across_a_change_costs_each_version_exactly() {
    // Hourly on the hour: cycle 1 is 240 runs at 2 credits; cycle 2 is the
    // 120 runs of hours 240..359 at 2 and the 120 of hours 360..479 at 5
    // (the run at hour 360 starts on the change's instant: new prices).
    let s = across(1, r#"{ schedule = { every = "1h" } }"#);
    let u = used(&s, 1);
    assert_eq!(u[0], vec![480]);
    assert_eq!(u[1], vec![120 * 2 + 120 * 5]);
}

#[test]
fn a_poisson_flow_across_a_change_matches_each_versions_closed_form() {
    // 20 runs a day, instant, no suspension (overage on): cycle 1's credits
    // are Poisson(200) x 2, mean 400; cycle 2's are Poisson(100) x 2 +
    // Poisson(100) x 5, mean 700, variance 100 x 4 + 100 x 25 = 2,900.
    // Over 4,000 team-months the mean's standard error is sqrt(2900/4000)
    // = 0.85: a 5-sigma band (false alarm 6e-7) is +-4.3 credits, while
    // the nearest wrong rule (one price for the whole cycle: 400 or 1,000)
    // lies 350 standard errors away.
    let s = across(200, "{ poisson = { per_day = 20 } }");
    let u = used(&s, 20);
    let mean = |v: &[u64]| v.iter().sum::<u64>() as f64 / v.len() as f64;
    assert_eq!(u[1].len(), 4000);
    let (m0, m1) = (mean(&u[0]), mean(&u[1]));
    assert!(
        (m0 - 400.0).abs() < 5.0 * (800.0f64 / 4000.0).sqrt(),
        "{m0}"
    );
    assert!(
        (m1 - 700.0).abs() < 5.0 * (2900.0f64 / 4000.0).sqrt(),
        "{m1}"
    );
    // The check's closed form says the same.
    let k = &s.kinds[0];
    assert!((flowcast::scenario::expected_credits_in_cycle(&s, k, 0) - 400.0).abs() < 1e-9);
    assert!((flowcast::scenario::expected_credits_in_cycle(&s, k, 1) - 700.0).abs() < 1e-9);
}

#[test]
fn check_summary_and_report_name_the_versions_used() {
    let text = ok(["check", "scenarios/what-if-model-prices-rise.toml"]);
    assert!(text.contains("version 'model-rise-2027'"), "{text}");
    assert!(text.contains("agent_call gpt-5-mini 2 -> 3"), "{text}");
    assert!(text.contains("not applied: 'before-2026-03-01'"), "{text}");
    // By hand: triage-agent 1 base + 1 HTTP + 1 AI Request + 3 calls x 3
    // (was 2) + 0.6 x 3 tools x 2 = 15.6 (12.6 before); escalation-agent
    // 1 + 4 x 12 = 49 (41); draft-writer 1 + 1 + 3 prompts x 2 = 8 (5).
    for line in [
        "at version 'model-rise-2027' (from 2027-01-01): 15.600",
        "at version 'model-rise-2027' (from 2027-01-01): 49.000",
        "at version 'model-rise-2027' (from 2027-01-01): 8.000",
    ] {
        assert!(text.contains(line), "{line}\n{text}");
    }

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("rise");
    let mut args = vec!["run".to_string()];
    args.extend(what_if(2));
    ok(args
        .iter()
        .map(String::as_str)
        .chain(["--trials", "2", "--out"])
        .chain(out.to_str()));
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let versions = summary["price_versions"].as_array().unwrap();
    assert_eq!(versions.len(), 1);
    assert!(versions[0].as_str().unwrap().contains("from 2027-01-01"));
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(report.contains("model-rise-2027"));

    // A horizon that ends before the change used no version, and says so
    // by not naming one.
    let before = dir.path().join("before");
    ok(args
        .iter()
        .map(String::as_str)
        .chain(["--trials", "1", "--months", "2", "--out"])
        .chain(before.to_str()));
    let summary = std::fs::read_to_string(before.join("summary.json")).unwrap();
    assert!(!summary.contains("model-rise-2027"), "{summary}");
}

#[test]
fn bad_versions_in_a_scenario_and_a_price_file_are_one_line_errors() {
    let scenario = |version: &str| {
        format!(
            "name = \"x\"\n[calendar]\nstart = 2026-06-01\n{version}\n[[kinds]]\nname = \"k\"\nteams = 1\nplan = \"team\"\n  [[kinds.flows]]\n  name = \"f\"\n  trigger = \"manual\"\n  arrivals = {{ poisson = {{ per_day = 1 }} }}\n"
        )
    };
    for (version, key) in [
        (
            "[prices.versions.v]\nfrom = 2026-07-01\nagent_call = { \"gpt-9\" = 3 }",
            "prices.versions.v.agent_call.gpt-9",
        ),
        (
            "[prices.versions.v]\nfrom = 2026-07-01\nuntil = 2026-06-01",
            "prices.versions.v.until",
        ),
        (
            "[prices.versions.v]\nlabel = \"no dates\"",
            "prices.versions.v.from",
        ),
        (
            "[prices.versions.v]\nfrom = 2026-07-01\n[prices.versions.w]\nuntil = 2026-08-01",
            "prices.versions.w",
        ),
        (
            "[prices.versions.v]\nfrom = 2026-07-01\nplans.team = { credits = 200 }",
            "prices.versions.v.plans",
        ),
    ] {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        write!(f, "{}", scenario(version)).unwrap();
        let err = refused(["check".as_ref(), f.path().as_os_str()]);
        assert!(err.contains(key), "{version}: {err}");
    }

    let mut prices = tempfile::NamedTempFile::new().unwrap();
    write!(prices, "[versions.v]\nfrom = \"next week\"\n").unwrap();
    let err = refused([
        "replay".as_ref(),
        "scenarios/logs/example-usage.csv".as_ref(),
        "--plan".as_ref(),
        "team".as_ref(),
        "--prices".as_ref(),
        prices.path().as_os_str(),
    ]);
    assert!(
        err.contains("versions.v.from") && err.contains("next week"),
        "{err}"
    );
}

#[test]
fn a_fit_with_dated_prices_forecasts_at_them() {
    // Emit two teams of the shipped what-if (its price file beside the log),
    // fit the log with that file: the fitted scenario carries the version,
    // in force over its forecast (which starts after the change).
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.csv");
    let mut args = vec!["run".to_string()];
    args.extend(what_if(2));
    args.extend(["--trials", "1", "--emit-log"].map(String::from));
    args.push(log.display().to_string());
    args.push("--out".into());
    args.push(dir.path().join("out").display().to_string());
    ok(&args);
    // The emitted price file is the scenario's book.
    let prices = dir.path().join("log.prices.toml");
    let plans = dir.path().join("log.plans.toml");
    let scenario =
        flowcast::scenario::load(Path::new("scenarios/what-if-model-prices-rise.toml")).unwrap();
    assert_eq!(
        PriceBook::builtin_with_file(&prices).unwrap(),
        scenario.prices
    );
    // Replayed with it, the log costs more than at the built-in prices:
    // the rise, from January on.
    let replay = |with: bool| -> u64 {
        let mut a = vec![
            "replay".as_ref(),
            log.as_os_str(),
            "--plan-file".as_ref(),
            plans.as_os_str(),
            "--json".as_ref(),
        ];
        if with {
            a.extend(["--prices".as_ref(), prices.as_os_str()]);
        }
        let v: serde_json::Value = serde_json::from_str(&ok(a)).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["credits_used"].as_u64().unwrap())
            .sum()
    };
    assert!(replay(true) > replay(false));

    let fitted = dir.path().join("fitted.toml");
    ok([
        "fit".as_ref(),
        log.as_os_str(),
        "--plan-file".as_ref(),
        plans.as_os_str(),
        "--prices".as_ref(),
        prices.as_os_str(),
        "--out".as_ref(),
        fitted.as_os_str(),
    ]);
    let s = flowcast::scenario::load(&fitted).unwrap();
    let (from, to) = flowcast::scenario::horizon_ns(&s.calendar).unwrap();
    let used = s.prices.versions_used(from, to);
    assert_eq!(used.len(), 1);
    let gpt5mini = s.prices.agent_model("gpt-5-mini").unwrap().0 as usize;
    assert_eq!(s.prices.at(from).agent_call[gpt5mini].credits, 3);
}

#[test]
fn switching_a_version_off_changes_only_the_months_it_prices() {
    // The same trials (common random numbers) with the rise applied and
    // not: October to December are identical to the credit, January to
    // March cost more with it. Switched off, the result names no version.
    let dir = tempfile::tempdir().unwrap();
    let per_month = |applied: bool| -> Vec<String> {
        let out = dir.path().join(applied.to_string());
        let mut args = vec!["run".to_string()];
        args.extend(what_if(3));
        args.extend(["--trials", "3", "--no-charts", "--set"].map(String::from));
        args.push(format!("prices.versions.model-rise-2027.applied={applied}"));
        args.push("--out".into());
        args.push(out.display().to_string());
        ok(&args);
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap())
                .unwrap();
        assert_eq!(summary.get("price_versions").is_some(), applied);
        let csv = std::fs::read_to_string(out.join("forecast.csv")).unwrap();
        let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
        let col = header
            .iter()
            .position(|h| *h == "credits_used_per_team")
            .unwrap();
        csv.lines()
            .skip(1)
            .map(|l| l.split(',').nth(col).unwrap().to_string())
            .collect()
    };
    let (with, without) = (per_month(true), per_month(false));
    assert_eq!(with.len(), 18, "3 groups x 6 months");
    for (i, (a, b)) in with.iter().zip(&without).enumerate() {
        let month = i % 6;
        if month < 3 {
            assert_eq!(a, b, "row {i}: before the change");
        } else {
            let (a, b): (f64, f64) = (a.parse().unwrap(), b.parse().unwrap());
            assert!(a > b, "row {i}: {a} <= {b} after the change");
        }
    }
}

#[test]
fn a_scenario_too_large_to_compile_is_refused_with_its_size() {
    // 320 flows x 16 sets of model switches x 199 price pieces (99 short
    // versions with gaps between them, after the base) = 1,018,880 run
    // plans, over the 1,000,000 compiled at most: refused before any is
    // built. (99: a book holds 100 versions, the built-in example one.)
    let mut t =
        String::from("name = \"big\"\n[calendar]\nstart = 2026-06-01T00:00:00Z\nmonths = 1\n");
    for i in 0..99 {
        let at = |h: i64| {
            (chrono::DateTime::parse_from_rfc3339("2026-06-01T00:00:00Z").unwrap()
                + chrono::Duration::hours(h))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        t.push_str(&format!(
            "[prices.versions.v{i}]\nfrom = {}\nuntil = {}\nblocks.http_request = {{ manual = 0, cloud = 2 }}\n",
            at(6 * i + 1),
            at(6 * i + 4)
        ));
    }
    t.push_str("[[kinds]]\nname = \"k\"\nteams = 1\nplan = \"team\"\n");
    for i in 0..4 {
        t.push_str(&format!(
            "  [[kinds.reactions]]\n  switch_model = {{ flow = \"f{i}\", model = \"gpt-5\" }}\n"
        ));
    }
    for i in 0..320 {
        t.push_str(&format!(
            "  [[kinds.flows]]\n  name = \"f{i}\"\n  trigger = \"api\"\n  arrivals = {{ poisson = {{ per_day = 1 }} }}\n  agent = {{ model = \"gpt-5-mini\", calls = 1 }}\n"
        ));
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.toml");
    std::fs::write(&path, t).unwrap();
    let err = refused([
        "run".as_ref(),
        path.as_os_str(),
        "--trials".as_ref(),
        "1".as_ref(),
        "--out".as_ref(),
        dir.path().join("out").as_os_str(),
    ]);
    assert!(err.contains("1018880 run plans"), "{err}");
    assert!(!dir.path().join("out").exists(), "no half-written folder");
}
