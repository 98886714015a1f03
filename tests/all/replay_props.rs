//! Property tests of replay over random logs: overlapping runs, nested MCP
//! runs, tied timestamps, several teams and cycles, shuffled row order.
//!
//! Each log is also billed by a small reference written here from
//! shared/usage-log.md alone (prices typed from the source document in
//! tests/data/source_prices.rs), and the result must match it record by
//! record; the properties of issue 2 are asserted on their own as well.
//! A second group feeds random bytes and mutated rows and asserts no panic.

use crate::source_prices;

use chrono::{DateTime, Datelike, Duration, Utc};
use flowcast::ledger::{Overage, PlanTerms, Terms};
use flowcast::pricing::PriceBook;
use flowcast::replay::{output, replay_reader, Anchor, Billing, Replay};
use proptest::prelude::*;
use std::collections::BTreeMap;

/// Checked terms on a plan that allows overage (the price only when it can be on).
fn terms(allotment: u64, overage: Overage<i64>, price: f64) -> Terms<i64> {
    let plan = PlanTerms {
        label: "a test plan",
        allotment,
        overage_allowed: true,
    };
    let price = (overage != Overage::Off).then_some(price);
    Terms::new(plan, 1000, overage, price).unwrap()
}

const HEADER: &str =
    "run_id,team,flow,trigger,started_at,ended_at,parent_run_id,block,model,count\n";
const TRIGGERS: [&str; 4] = ["manual", "api", "schedule", "mcp"];
/// (block, model) pairs a row may use.
const USAGE: [(&str, &str); 12] = [
    ("http_request", ""),
    ("if", ""),
    ("evaluate", ""),
    ("ai_request", ""),
    ("connector", ""),
    ("image", ""),
    ("mcp_tool", ""),
    ("create_with_ai", "gpt-4o-mini"),
    ("create_with_ai", "gpt-3.5"),
    ("agent_call", "gpt-5-nano"),
    ("agent_call", "gpt-5-mini"),
    ("delay", ""),
];
/// Times sit on a 4-hour grid so that ends and starts tie often; 240 slots
/// span 40 days from 20 January, so logs cross one or two month boundaries.
const SLOT_HOURS: i64 = 4;

fn base() -> DateTime<Utc> {
    "2026-01-20T00:00:00Z".parse().unwrap()
}

fn at(slot: i64) -> DateTime<Utc> {
    base() + Duration::hours(slot * SLOT_HOURS)
}

/// One generated run (top-level or nested).
#[derive(Clone, Debug)]
struct GenRun {
    id: String,
    team: usize,
    trigger: &'static str,
    start: i64,
    end: i64,
    parent: Option<usize>,
    rows: Vec<(usize, u64)>,
}

impl GenRun {
    fn price(&self) -> u64 {
        let rows: Vec<(&str, &str, u64)> = self
            .rows
            .iter()
            .map(|&(u, n)| (USAGE[u].0, USAGE[u].1, n))
            .collect();
        source_prices::run_price(self.trigger, &rows)
    }
}

type Spec = (
    usize,
    usize,
    i64,
    i64,
    Vec<(usize, u64)>,
    Vec<(i64, i64, Vec<(usize, u64)>)>,
);

fn run_spec() -> impl Strategy<Value = Spec> {
    let rows = || prop::collection::vec((0..USAGE.len(), 0u64..4), 0..3);
    (
        0usize..3,
        0usize..3, // top-level triggers: manual, api, schedule
        0i64..240,
        0i64..4,
        rows(),
        prop::collection::vec((0i64..3, 0i64..3, rows()), 0..3),
    )
}

/// Builds the runs: each spec is a top-level run and its nested MCP-flow
/// runs (some of which start with their parent, some later).
fn build(specs: &[Spec]) -> Vec<GenRun> {
    let mut runs = Vec::new();
    for (k, (team, trig, start, dur, rows, kids)) in specs.iter().enumerate() {
        let parent = runs.len();
        runs.push(GenRun {
            id: format!("r{k}"),
            team: *team,
            trigger: TRIGGERS[*trig],
            start: *start,
            end: start + dur,
            parent: None,
            rows: rows.clone(),
        });
        for (j, (off, kdur, krows)) in kids.iter().enumerate() {
            // Every other child has a child of its own (depth 2).
            let p = if j == 2 { runs.len() - 1 } else { parent };
            let s = runs[p].start + off;
            runs.push(GenRun {
                id: format!("r{k}c{j}"),
                team: *team,
                trigger: "mcp",
                start: s,
                end: s + kdur,
                parent: Some(p),
                rows: krows.clone(),
            });
        }
    }
    runs
}

/// The log's rows (one per block, or one empty row), in generation order.
fn rows_of(runs: &[GenRun]) -> Vec<String> {
    let mut out = Vec::new();
    for r in runs {
        let parent = r.parent.map(|p| runs[p].id.clone()).unwrap_or_default();
        let head = format!(
            "{},team{},flow{},{},{},{},{}",
            r.id,
            r.team,
            r.team,
            r.trigger,
            at(r.start).to_rfc3339(),
            at(r.end).to_rfc3339(),
            parent
        );
        if r.rows.is_empty() {
            out.push(format!("{head},,,0\n"));
        }
        for &(u, n) in &r.rows {
            out.push(format!("{head},{},{},{n}\n", USAGE[u].0, USAGE[u].1));
        }
    }
    out
}

fn replay(rows: &[String], terms: Terms<i64>) -> Replay {
    let log: String = std::iter::once(HEADER.to_string())
        .chain(rows.iter().cloned())
        .collect();
    let billing = Billing::new(Anchor::default(), terms);
    replay_reader(
        log.as_bytes(),
        "prop.csv".as_ref(),
        &PriceBook::builtin(),
        &billing,
    )
    .unwrap_or_else(|e| panic!("{e}\n{log}"))
}

/// A record as the reference computes it.
#[derive(Debug, Default, PartialEq)]
struct RefRecord {
    team: String,
    cycle_start: String,
    used: u64,
    limit: Option<String>,
    blocks: u64,
    executed: u64,
    blocked: u64,
    blocked_credits: u64,
}

/// The reference billing (default anchor: calendar months, UTC).
fn reference(runs: &[GenRun], allotment: u64, overage_on: bool) -> Vec<RefRecord> {
    let month = |slot: i64| (at(slot).year(), at(slot).month());
    let mut out = Vec::new();
    for team in 0..3 {
        let mine: Vec<usize> = (0..runs.len()).filter(|&i| runs[i].team == team).collect();
        let mut instants: Vec<i64> = mine
            .iter()
            .flat_map(|&i| [runs[i].start, runs[i].end])
            .collect();
        instants.sort();
        instants.dedup();
        let depth = |mut i: usize| {
            let mut d = 0;
            while let Some(p) = runs[i].parent {
                d += 1;
                i = p;
            }
            d
        };
        let mut admitted = vec![false; runs.len()];
        let mut cur: Option<((i32, u32), RefRecord)> = None;
        for &t in &instants {
            let m = month(t);
            if cur.as_ref().is_none_or(|(cm, _)| *cm != m) {
                if let Some((_, rec)) = cur.take() {
                    if rec.executed + rec.blocked > 0 {
                        out.push(rec);
                    }
                }
                let rec = RefRecord {
                    team: format!("team{team}"),
                    cycle_start: format!("{}-{:02}-01T00:00:00Z", m.0, m.1),
                    ..Default::default()
                };
                cur = Some((m, rec));
            }
            let rec = &mut cur.as_mut().unwrap().1;
            let accrue = |rec: &mut RefRecord, price: u64| {
                rec.used += price;
                rec.executed += 1;
                if rec.used >= allotment && rec.limit.is_none() {
                    rec.limit = Some(at(t).to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
                }
                if overage_on && rec.used > allotment {
                    rec.blocks = (rec.used - allotment).div_ceil(1000);
                }
            };
            for &i in &mine {
                if runs[i].end == t && runs[i].start < t && admitted[i] {
                    accrue(rec, runs[i].price());
                }
            }
            let mut starting: Vec<usize> = mine
                .iter()
                .copied()
                .filter(|&i| runs[i].start == t)
                .collect();
            starting.sort_by_key(|&i| depth(i));
            for i in starting {
                let r = &runs[i];
                let suspended = !overage_on && rec.used >= allotment;
                admitted[i] = match r.parent {
                    Some(p) => admitted[p],
                    None => !(suspended && (r.trigger != "manual" || r.price() > 0)),
                };
                if !admitted[i] {
                    rec.blocked += 1;
                    rec.blocked_credits += r.price();
                }
            }
            for &i in &mine {
                if runs[i].end == t && runs[i].start == t && admitted[i] {
                    accrue(rec, runs[i].price());
                }
            }
        }
        if let Some((_, rec)) = cur {
            if rec.executed + rec.blocked > 0 {
                out.push(rec);
            }
        }
    }
    out
}

fn as_reference(r: &Replay) -> Vec<RefRecord> {
    r.records
        .iter()
        .map(|x| RefRecord {
            team: x.team.clone(),
            cycle_start: flowcast::replay::format_time(x.cycle_start),
            used: x.credits_used,
            limit: x.limit_reached_at.map(flowcast::replay::format_time),
            blocks: x.overage_blocks,
            executed: x.runs_executed,
            blocked: x.runs_blocked,
            blocked_credits: x.blocked_credits,
        })
        .collect()
}

fn log_case() -> impl Strategy<Value = (Vec<GenRun>, Vec<String>, Vec<String>, u64, bool)> {
    (
        prop::collection::vec(run_spec(), 1..25),
        1u64..60,
        any::<bool>(),
    )
        .prop_flat_map(|(specs, allotment, on)| {
            let runs = build(&specs);
            let rows = rows_of(&runs);
            let a = Just(rows.clone()).prop_shuffle();
            let b = Just(rows).prop_shuffle();
            (Just(runs), a, b, Just(allotment), Just(on))
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn replay_matches_the_reference_and_the_billing_properties(
        (runs, rows_a, rows_b, allotment, on) in log_case()
    ) {
        let price = 7.5;
        let terms = terms(allotment, if on { Overage::On } else { Overage::Off }, price);
        let got = replay(&rows_a, terms);

        // The whole result equals the reference's.
        prop_assert_eq!(as_reference(&got), reference(&runs, allotment, on));

        // Row order does not change the result, nor do Windows line ends.
        let again = replay(&rows_b, terms);
        prop_assert_eq!(output::json(&got), output::json(&again));
        let crlf: Vec<String> = rows_b.iter().map(|r| r.replace('\n', "\r\n")).collect();
        prop_assert_eq!(output::json(&got), output::json(&replay(&crlf, terms)));

        // Every run is executed or blocked; executed credits plus blocked
        // credits is the sum of every run's price (blocked runs cost nothing).
        let all: u64 = runs.iter().map(GenRun::price).sum();
        let used: u64 = got.records.iter().map(|r| r.credits_used).sum();
        let blocked: u64 = got.records.iter().map(|r| r.blocked_credits).sum();
        prop_assert_eq!(used + blocked, all);
        let counted: u64 = got.records.iter().map(|r| r.runs_executed + r.runs_blocked).sum();
        prop_assert_eq!(counted, runs.len() as u64);

        for r in &got.records {
            // The limit is set iff used >= allotment.
            prop_assert_eq!(r.limit_reached_at.is_some(), r.credits_used >= r.allotment);
            if on {
                // Nothing blocked; blocks cover the excess exactly.
                prop_assert_eq!(r.runs_blocked, 0);
                let excess = r.credits_used.saturating_sub(r.allotment);
                prop_assert_eq!(r.overage_blocks, excess.div_ceil(1000));
                prop_assert!((r.overage_cost - r.overage_blocks as f64 * price).abs() < 1e-9);
            } else {
                prop_assert_eq!(r.overage_blocks, 0);
            }
        }

        if on {
            // With nothing blocked, the limit is the first end time at which
            // the running sum of the cycle's runs (by end time) reaches the
            // allotment.
            let mut by_cycle: BTreeMap<(usize, i32, u32), Vec<(i64, u64)>> = BTreeMap::new();
            for r in &runs {
                let e = at(r.end);
                by_cycle.entry((r.team, e.year(), e.month())).or_default().push((r.end, r.price()));
            }
            for ((team, y, m), mut ends) in by_cycle {
                ends.sort();
                let mut sum = 0;
                let mut limit = None;
                for (t, p) in ends {
                    sum += p;
                    if sum >= allotment && limit.is_none() {
                        limit = Some(at(t).timestamp_nanos_opt().unwrap());
                    }
                }
                let start = format!("{y}-{m:02}-01T00:00:00Z");
                let rec = got.records.iter().find(|r| {
                    r.team == format!("team{team}") && flowcast::replay::format_time(r.cycle_start) == start
                });
                prop_assert_eq!(rec.and_then(|r| r.limit_reached_at), limit);
            }
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let billing = Billing::new(Anchor::default(), terms(5, Overage::Off, 0.0));
        let mut log = HEADER.as_bytes().to_vec();
        log.extend_from_slice(&bytes);
        let _ = replay_reader(&log[..], "x.csv".as_ref(), &PriceBook::builtin(), &billing);
        let _ = replay_reader(&bytes[..], "x.csv".as_ref(), &PriceBook::builtin(), &billing);
    }

    #[test]
    fn mutated_rows_never_panic(
        (runs, rows, _b, _a, _on) in log_case(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), prop_oneof![
            Just(b','), Just(b'\n'), Just(b'"'), Just(b'-'), Just(b'9'), Just(0xff_u8), Just(b'Z'), any::<u8>()
        ]), 1..6),
    ) {
        let _ = runs;
        let mut log: Vec<u8> = std::iter::once(HEADER.to_string()).chain(rows).collect::<String>().into_bytes();
        for (i, b) in edits {
            let k = i.index(log.len());
            log[k] = b;
        }
        for overage in [Overage::Off, Overage::On, Overage::From(0)] {
            let billing = Billing::new(Anchor::default(), terms(3, overage, 1.0));
            let _ = replay_reader(&log[..], "x.csv".as_ref(), &PriceBook::builtin(), &billing);
        }
    }
}
