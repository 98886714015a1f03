//! Replay of small hand-made logs, each with its JSON result computed by hand
//! (the arithmetic is in the comments) and asserted exactly.
//!
//! Prices used (source document): cloud run base 1; http_request, logic
//! blocks 1 on cloud runs, 0 on manual runs; ai_request 1; connector 2;
//! image 10; mcp_tool 2; agent gpt-5-mini 2, gpt-4o 15, gpt-4 25;
//! create_with_ai gpt-4 25, gpt-4o-mini 1.

use flowcast::ledger::{Overage, PlanTerms, Terms};
use flowcast::pricing::PriceBook;
use flowcast::replay::{output, parse_time, replay_reader, Anchor, Billing};
use serde_json::{json, Value};

const HEADER: &str =
    "run_id,team,flow,trigger,started_at,ended_at,parent_run_id,block,model,count\n";

fn terms(allotment: u64, overage: Overage<i64>, price: f64) -> Terms<i64> {
    let plan = PlanTerms {
        label: "a test plan",
        allotment,
        overage_allowed: true,
    };
    let price = (overage != Overage::Off).then_some(price);
    Terms::new(plan, 1000, overage, price).unwrap()
}

fn replay_with(rows: &str, billing: &Billing) -> Value {
    let log = format!("{HEADER}{rows}");
    let book = PriceBook::builtin();
    let r = replay_reader(log.as_bytes(), "case.csv".as_ref(), &book, billing)
        .unwrap_or_else(|e| panic!("{e}"));
    serde_json::from_str(&output::json(&r)).unwrap()
}

fn replay(rows: &str, t: Terms<i64>) -> Value {
    replay_with(rows, &Billing::new(Anchor::default(), t))
}

#[allow(clippy::too_many_arguments)]
fn record(
    team: &str,
    cycle_start: &str,
    allotment: u64,
    used: u64,
    limit: Option<&str>,
    blocks: u64,
    cost: f64,
    executed: u64,
    blocked: u64,
    blocked_credits: u64,
) -> Value {
    json!({
        "team": team, "cycle_start": cycle_start, "allotment": allotment,
        "credits_used": used, "limit_reached_at": limit, "overage_blocks": blocks,
        "overage_cost": cost, "runs_executed": executed, "runs_blocked": blocked,
        "blocked_credits": blocked_credits,
    })
}

#[test]
fn limit_reached_exactly_then_free_manual_run_still_executes() {
    // Allotment 10. r1 = 1 + 3 = 4; r2 = 1 + 2 + 3 = 6: used 10 at 10:01:10,
    // exactly the allotment: the limit. r3 (1 + 2 = 3) is blocked; r4, a
    // manual run with no credit-costing block, executes; r5, a manual run
    // with an AI Request (1), is blocked. Blocked credits 3 + 1 = 4.
    let rows = "\
r1,a,f,api,2026-03-02T10:00:00Z,2026-03-02T10:00:10Z,,http_request,,3
r2,a,f,schedule,2026-03-02T10:01:00Z,2026-03-02T10:01:10Z,,if,,2
r2,a,f,schedule,2026-03-02T10:01:00Z,2026-03-02T10:01:10Z,,evaluate,,3
r3,a,f,api,2026-03-02T10:02:00Z,2026-03-02T10:02:10Z,,connector,,1
r4,a,f,manual,2026-03-02T10:03:00Z,2026-03-02T10:03:05Z,,http_request,,4
r5,a,f,manual,2026-03-02T10:04:00Z,2026-03-02T10:04:05Z,,ai_request,,1
";
    assert_eq!(
        replay(rows, terms(10, Overage::Off, 0.0)),
        json!([record(
            "a",
            "2026-03-01T00:00:00Z",
            10,
            10,
            Some("2026-03-02T10:01:10Z"),
            0,
            0.0,
            3,
            2,
            4
        )])
    );
}

#[test]
fn run_in_flight_at_the_limit_completes_and_overshoots() {
    // Allotment 10. r2 (1+7 = 8) ends 09:06, r3 (1+1 = 2) ends 09:11: used 10,
    // the limit. r1 (1+2 = 3), in flight since 09:00, ends 09:30: used 13.
    // r4 starts 09:20, after the limit: blocked (base 1).
    let rows = "\
r1,a,f,api,2026-03-02T09:00:00Z,2026-03-02T09:30:00Z,,http_request,,2
r2,a,f,api,2026-03-02T09:05:00Z,2026-03-02T09:06:00Z,,http_request,,7
r3,a,f,api,2026-03-02T09:10:00Z,2026-03-02T09:11:00Z,,http_request,,1
r4,a,f,api,2026-03-02T09:20:00Z,2026-03-02T09:21:00Z,,,,0
";
    assert_eq!(
        replay(rows, terms(10, Overage::Off, 0.0)),
        json!([record(
            "a",
            "2026-03-01T00:00:00Z",
            10,
            13,
            Some("2026-03-02T09:11:00Z"),
            0,
            0.0,
            3,
            1,
            1
        )])
    );
}

#[test]
fn an_end_is_applied_before_a_start_at_the_same_instant() {
    // Allotment 5. r1 (1+4 = 5) ends 12:00:10 and reaches the limit; r2
    // starts at that very instant and sees it: blocked (1+1 = 2).
    let rows = "\
r2,a,f,api,2026-03-02T12:00:10Z,2026-03-02T12:00:20Z,,http_request,,1
r1,a,f,api,2026-03-02T12:00:00Z,2026-03-02T12:00:10Z,,http_request,,4
";
    assert_eq!(
        replay(rows, terms(5, Overage::Off, 0.0)),
        json!([record(
            "a",
            "2026-03-01T00:00:00Z",
            5,
            5,
            Some("2026-03-02T12:00:10Z"),
            0,
            0.0,
            1,
            1,
            2
        )])
    );
}

#[test]
fn zero_length_runs_end_after_the_starts_of_their_instant() {
    // Allotment 5 (documented decision: at one instant, ends of earlier runs,
    // then starts, then ends of runs that started at that instant).
    // 12:00:10: r1 (1+3 = 4) ends: used 4. r2 (zero length, base 1) and r3
    // (1+1 = 2) start: both admitted. r2 ends: used 5, the limit at 12:00:10.
    // r3 ends 12:00:15: used 7. r4 starts 12:00:15: blocked (1).
    let rows = "\
r1,a,f,api,2026-03-02T12:00:00Z,2026-03-02T12:00:10Z,,http_request,,3
r2,a,f,api,2026-03-02T12:00:10Z,2026-03-02T12:00:10Z,,,,0
r3,a,f,api,2026-03-02T12:00:10Z,2026-03-02T12:00:15Z,,if,,1
r4,a,f,api,2026-03-02T12:00:15Z,2026-03-02T12:00:16Z,,,,0
";
    assert_eq!(
        replay(rows, terms(5, Overage::Off, 0.0)),
        json!([record(
            "a",
            "2026-03-01T00:00:00Z",
            5,
            7,
            Some("2026-03-02T12:00:10Z"),
            0,
            0.0,
            3,
            1,
            1
        )])
    );
}

#[test]
fn nested_mcp_flow_runs_follow_their_parent() {
    // Allotment 10.
    // p1 (api 08:00-08:10): agent gpt-5-mini x2 (4) + 1 MCP tool (2) + base 1 = 7.
    // c0 (mcp, child of p1, 08:00-08:01, same start as its parent): base 1.
    //    Admitted because its parent is, which needs the parent's start first.
    // c1 (child of p1, 08:02-08:03): 1 + 1 = 2.  r2 (08:01-08:04): 1 + 5 = 6.
    // r3 (08:04-08:05): 1 + 1 = 2.
    // Used: c0 1 (08:01), c1 3 (08:03), r2 9 (08:04), r3 11 (08:05): limit 08:05.
    // c2 (child of p1, 08:06-08:07, after the limit): 1 + 1 = 2, executes
    //    because p1 was admitted: used 13. p1 ends 08:10: used 20.
    // p2 (08:20-08:30): gpt-4o (15) + MCP tool (2) + 1 = 18: blocked. Its
    //    children c3 (1 + 1 = 2) and c4 (1, same start as p2) are blocked too.
    // Blocked: 3 runs, 18 + 2 + 1 = 21 credits. Executed: c0 c1 r2 r3 c2 p1 = 6.
    let rows = "\
c2,a,mcp-flow,mcp,2026-03-02T08:06:00Z,2026-03-02T08:07:00Z,p1,evaluate,,1
p1,a,agent,api,2026-03-02T08:00:00Z,2026-03-02T08:10:00Z,,agent_call,gpt-5-mini,2
c0,a,mcp-flow,mcp,2026-03-02T08:00:00Z,2026-03-02T08:01:00Z,p1,,,0
c1,a,mcp-flow,mcp,2026-03-02T08:02:00Z,2026-03-02T08:03:00Z,p1,http_request,,1
r2,a,f,api,2026-03-02T08:01:00Z,2026-03-02T08:04:00Z,,http_request,,5
p1,a,agent,api,2026-03-02T08:00:00Z,2026-03-02T08:10:00Z,,mcp_tool,,1
r3,a,f,api,2026-03-02T08:04:00Z,2026-03-02T08:05:00Z,,http_request,,1
c3,a,mcp-flow,mcp,2026-03-02T08:21:00Z,2026-03-02T08:22:00Z,p2,http_request,,1
c4,a,mcp-flow,mcp,2026-03-02T08:20:00Z,2026-03-02T08:21:00Z,p2,,,0
p2,a,agent,api,2026-03-02T08:20:00Z,2026-03-02T08:30:00Z,,agent_call,GPT-4o,1
p2,a,agent,api,2026-03-02T08:20:00Z,2026-03-02T08:30:00Z,,mcp_tool,,1
";
    assert_eq!(
        replay(rows, terms(10, Overage::Off, 0.0)),
        json!([record(
            "a",
            "2026-03-01T00:00:00Z",
            10,
            20,
            Some("2026-03-02T08:05:00Z"),
            0,
            0.0,
            6,
            3,
            21
        )])
    );
}

#[test]
fn cycle_boundaries_spanning_runs_and_blocked_runs() {
    // Allotment 10, cycles on the 1st at 00:00 UTC.
    // Team a: a2 (1+6 = 7) in March. a1 (1+2 = 3) runs 23:59 -> 00:01 across
    //   the boundary: it accrues in April, in which it ends.
    // Team b: b1 (1+9 = 10) reaches March's limit at 10:01. b2 starts 23:59 in
    //   suspended March: blocked (1+2 = 3), counted in March although it would
    //   end in April. b3 starts exactly at April's start: a new allotment,
    //   admitted (1+2 = 3).
    let rows = "\
a1,a,f,api,2026-03-31T23:59:00Z,2026-04-01T00:01:00Z,,http_request,,2
a2,a,f,api,2026-03-31T12:00:00Z,2026-03-31T12:01:00Z,,http_request,,6
b1,b,f,api,2026-03-31T10:00:00Z,2026-03-31T10:01:00Z,,http_request,,9
b2,b,f,api,2026-03-31T23:59:00Z,2026-04-01T00:01:00Z,,http_request,,2
b3,b,f,api,2026-04-01T00:00:00Z,2026-04-01T00:00:30Z,,connector,,1
";
    assert_eq!(
        replay(rows, terms(10, Overage::Off, 0.0)),
        json!([
            record("a", "2026-03-01T00:00:00Z", 10, 7, None, 0, 0.0, 1, 0, 0),
            record("a", "2026-04-01T00:00:00Z", 10, 3, None, 0, 0.0, 1, 0, 0),
            record(
                "b",
                "2026-03-01T00:00:00Z",
                10,
                10,
                Some("2026-03-31T10:01:00Z"),
                0,
                0.0,
                1,
                1,
                3
            ),
            record("b", "2026-04-01T00:00:00Z", 10, 3, None, 0, 0.0, 1, 0, 0),
        ])
    );
}

#[test]
fn overage_switched_on_mid_cycle_bills_the_excess_and_ends_the_suspension() {
    // Allotment 10, overage switched on at 11:00, $10 a block.
    // r1 (1+9 = 10) ends 10:01: limit, suspended. r2 (1+4 = 5), in flight,
    // ends 10:05: used 15. r3 at 10:10 is blocked (base 1).
    // 11:00: overage on; 15 > 10 buys ceil(5/1000) = 1 block; suspension ends.
    // r4 (1+1 = 2) at 11:30 executes: used 17 <= 1010.
    // r5 (1+1000 = 1001) ends 12:01: used 1018 > 1010: a second block.
    let on = parse_time("2026-03-02T11:00:00Z").unwrap();
    let rows = "\
r1,a,f,api,2026-03-02T10:00:00Z,2026-03-02T10:01:00Z,,http_request,,9
r2,a,f,api,2026-03-02T10:00:30Z,2026-03-02T10:05:00Z,,http_request,,4
r3,a,f,api,2026-03-02T10:10:00Z,2026-03-02T10:11:00Z,,,,0
r4,a,f,api,2026-03-02T11:30:00Z,2026-03-02T11:31:00Z,,http_request,,1
r5,a,f,api,2026-03-02T12:00:00Z,2026-03-02T12:01:00Z,,http_request,,1000
";
    assert_eq!(
        replay(rows, terms(10, Overage::From(on), 10.0)),
        json!([record(
            "a",
            "2026-03-01T00:00:00Z",
            10,
            1018,
            Some("2026-03-02T10:01:00Z"),
            2,
            20.0,
            4,
            1,
            1
        )])
    );
}

#[test]
fn custom_anchor_cuts_cycles_on_its_day_and_utc_time() {
    // Anchor 15th at 10:30+01:00 = 09:30 UTC. Allotment 5.
    // Cycle from 2026-02-15T09:30Z: r2 (1+3 = 4) ends 09:10, r3 (base 1) ends
    // 09:21: used 5, the limit. r1 starts 09:29:59, still in that suspended
    // cycle: blocked (1+1 = 2) although it would end after 09:30.
    // Cycle from 2026-03-15T09:30Z: r4 starts exactly then: admitted (1).
    let rows = "\
r1,a,f,api,2026-03-15T09:29:59Z,2026-03-15T09:30:01Z,,http_request,,1
r2,a,f,api,2026-03-15T09:00:00Z,2026-03-15T09:10:00Z,,http_request,,3
r3,a,f,api,2026-03-15T09:20:00Z,2026-03-15T09:21:00Z,,,,0
r4,a,f,api,2026-03-15T09:30:00Z,2026-03-15T09:31:00Z,,,,0
";
    let billing = Billing::new(
        Anchor::parse("2026-01-15T10:30:00+01:00").unwrap(),
        terms(5, Overage::Off, 0.0),
    );
    assert_eq!(
        replay_with(rows, &billing),
        json!([
            record(
                "a",
                "2026-02-15T09:30:00Z",
                5,
                5,
                Some("2026-03-15T09:21:00Z"),
                0,
                0.0,
                2,
                1,
                2
            ),
            record("a", "2026-03-15T09:30:00Z", 5, 1, None, 0, 0.0, 1, 0, 0),
        ])
    );
}

#[test]
fn several_teams_in_shuffled_rows_are_billed_apart_and_sorted_by_name() {
    // Allotment 4; rows of a run need not be adjacent.
    // zeta: z1 (1+1+1 = 3, two rows far apart), z2 (1+2 = 3) ends after z1:
    //   used 6, limit at z2's end 14:05.
    // alpha: a1 (manual, create_with_ai gpt-4o-mini 1 + image 10 = 11): used
    //   11, limit at 14:30; a2 (manual, no credit block) executes while
    //   suspended; a3 (manual, connector 2) blocked.
    let rows = "\
z1,zeta,sync,api,2026-05-04T14:00:00Z,2026-05-04T14:01:00Z,,http_request,,1
a1,alpha,art,manual,2026-05-04T14:20:00Z,2026-05-04T14:30:00Z,,create_with_ai,gpt-4o-mini,1
z2,zeta,sync,schedule,2026-05-04T14:04:00Z,2026-05-04T14:05:00Z,,connector,,1
a2,alpha,art,manual,2026-05-04T15:00:00Z,2026-05-04T15:00:01Z,,http_request,,3
a3,alpha,art,manual,2026-05-04T15:10:00Z,2026-05-04T15:11:00Z,,connector,,1
z1,zeta,sync,api,2026-05-04T14:00:00Z,2026-05-04T14:01:00Z,,validate,,1
a1,alpha,art,manual,2026-05-04T14:20:00Z,2026-05-04T14:30:00Z,,image,,1
";
    assert_eq!(
        replay(rows, terms(4, Overage::Off, 0.0)),
        json!([
            record(
                "alpha",
                "2026-05-01T00:00:00Z",
                4,
                11,
                Some("2026-05-04T14:30:00Z"),
                0,
                0.0,
                2,
                1,
                2
            ),
            record(
                "zeta",
                "2026-05-01T00:00:00Z",
                4,
                6,
                Some("2026-05-04T14:05:00Z"),
                0,
                0.0,
                2,
                0,
                0
            ),
        ])
    );
}

#[test]
fn overage_on_from_the_start_buys_several_blocks() {
    // Plan team (100), overage on, $10 a block.
    // r1 (schedule): agent gpt-4 x40 = 1000 + 1 = 1001 at 01:01: limit;
    //   1001 - 100 = 901 over: 1 block (covers 1100).
    // r2 (api): create_with_ai gpt-4 x40 = 1000 + 5 images 50 + 1 = 1051:
    //   used 2052, 1952 over: 2 blocks (covers 2100).
    // r3 (manual): create_with_ai gpt-4o-mini 1 + ai_request 1 = 2: 2054.
    // r4 (api): 25 connectors 50 + 1 = 51: 2105 > 2100: 3 blocks, $30.
    let rows = "\
r1,a,f,schedule,2026-03-02T01:00:00Z,2026-03-02T01:01:00Z,,agent_call,gpt-4,40
r2,a,f,api,2026-03-02T02:00:00Z,2026-03-02T02:01:00Z,,create_with_ai,gpt-4,40
r2,a,f,api,2026-03-02T02:00:00Z,2026-03-02T02:01:00Z,,image,,5
r3,a,f,manual,2026-03-02T03:00:00Z,2026-03-02T03:01:00Z,,create_with_ai,gpt-4o-mini,1
r3,a,f,manual,2026-03-02T03:00:00Z,2026-03-02T03:01:00Z,,ai_request,,1
r4,a,f,api,2026-03-02T04:00:00Z,2026-03-02T04:01:00.250Z,,connector,,25
";
    assert_eq!(
        replay(rows, terms(100, Overage::On, 10.0)),
        json!([record(
            "a",
            "2026-03-01T00:00:00Z",
            100,
            2105,
            Some("2026-03-02T01:01:00Z"),
            3,
            30.0,
            4,
            0,
            0
        )])
    );
}

#[test]
fn times_with_offsets_and_fractions_are_exact_instants() {
    // The same instant written three ways is one instant: r1 ends at
    // 10:00:00.5 UTC (written +02:00), r2 starts then and is blocked.
    // Allotment 2: r1 = 1 + 1 = 2.  The limit time keeps its fraction.
    let rows = "\
r1,a,f,api,2026-03-02T11:59:59+02:00,2026-03-02T12:00:00.500+02:00,,http_request,,1
r2,a,f,api,2026-03-02T10:00:00.5Z,2026-03-02T10:00:01Z,,,,0
";
    assert_eq!(
        replay(rows, terms(2, Overage::Off, 0.0)),
        json!([record(
            "a",
            "2026-03-01T00:00:00Z",
            2,
            2,
            Some("2026-03-02T10:00:00.500Z"),
            0,
            0.0,
            1,
            1,
            1
        )])
    );
}
