//! `flowcast replay` end to end on the committed example log (the README's
//! example): the JSON result computed by hand, the CSV and table forms, the
//! assumption note, a per-team plan file.

use assert_cmd::Command;
use serde_json::{json, Value};

const EXAMPLE: &str = "scenarios/logs/example-usage.csv";

fn run(args: &[&str]) -> String {
    let out = Command::cargo_bin("flowcast")
        .unwrap()
        .arg("replay")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stderr.is_empty());
    String::from_utf8(out.stdout).unwrap()
}

#[allow(clippy::too_many_arguments)]
fn rec(
    team: &str,
    start: &str,
    used: u64,
    limit: Option<&str>,
    blocks: u64,
    cost: f64,
    exec: u64,
    blocked: u64,
    bc: u64,
) -> Value {
    json!({"team": team, "cycle_start": start, "allotment": 100, "credits_used": used,
           "limit_reached_at": limit, "overage_blocks": blocks, "overage_cost": cost,
           "runs_executed": exec, "runs_blocked": blocked, "blocked_credits": bc})
}

/// The example's result on plan team (100 credits), by hand:
/// acme-support, March: s1-m1 (mcp, 1 + 2 http = 3) ends 09:00:20; s1 (api,
///   1 + ai_request 1 + 2 gpt-4o calls 30 + 2 MCP tools 4 = 36): 39; s2 (1 +
///   1 + 30 + 2 = 34): 73; s3-m1 (3): 76; s3 (34) ends 2026-03-04T10:00:45Z:
///   110 >= 100, the limit. s4 (1 + 1 + 15 = 17) at 14:00 is blocked; s5, a
///   manual run with only an HTTP Request (0 on manual runs), executes.
///   Executed 6, blocked 1 (17 credits).
/// acme-support, April: s6 (1 + 1 + 3 gpt-5-mini calls 6 + 1 MCP tool 2 = 10)
///   and its nested s6-m1 (1 + 1 = 2): 12.
/// globex-ops, March: g1, g2 (schedule, 1 + 2 http + 1 if = 4 each), g3 (api,
///   1 + 1 + connector 2 + 3 evaluate = 7): 15. g4 (4) runs 23:59:58 to
///   00:00:01: it accrues in April, in which it ends.
/// initech-design, March (manual runs): d1 (gpt-4o 15 + 2 images 20 = 35),
///   d2 (3 gpt-4o-mini 3 + 1 image 10 + HTTP 0 = 13): 48.
fn expected(acme_march_blocks: u64, cost: f64) -> Value {
    json!([
        rec(
            "acme-support",
            "2026-03-01T00:00:00Z",
            110,
            Some("2026-03-04T10:00:45Z"),
            acme_march_blocks,
            cost,
            6,
            1,
            17
        ),
        rec(
            "acme-support",
            "2026-04-01T00:00:00Z",
            12,
            None,
            0,
            0.0,
            2,
            0,
            0
        ),
        rec(
            "globex-ops",
            "2026-03-01T00:00:00Z",
            15,
            None,
            0,
            0.0,
            3,
            0,
            0
        ),
        rec(
            "globex-ops",
            "2026-04-01T00:00:00Z",
            4,
            None,
            0,
            0.0,
            1,
            0,
            0
        ),
        rec(
            "initech-design",
            "2026-03-01T00:00:00Z",
            48,
            None,
            0,
            0.0,
            2,
            0,
            0
        ),
    ])
}

#[test]
fn example_json_is_the_hand_computed_result_with_fields_in_order() {
    let out = run(&[EXAMPLE, "--plan", "team", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v, expected(0, 0.0));
    // Fields in the contract's order.
    let keys = [
        "team",
        "cycle_start",
        "allotment",
        "credits_used",
        "limit_reached_at",
        "overage_blocks",
        "overage_cost",
        "runs_executed",
        "runs_blocked",
        "blocked_credits",
    ];
    let first = &out[out.find('{').unwrap()..out.find('}').unwrap()];
    let pos: Vec<usize> = keys
        .iter()
        .map(|k| first.find(&format!("\"{k}\"")).unwrap())
        .collect();
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{first}");
}

#[test]
fn overage_switched_on_after_the_suspension_bills_one_block() {
    // At 16:00 on 4 March acme-support is 10 credits over: one block at $10.
    let out = run(&[
        EXAMPLE,
        "--plan",
        "team",
        "--overage",
        "2026-03-04T16:00:00Z",
        "--overage-price",
        "10",
        "--json",
    ]);
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap(),
        expected(1, 10.0)
    );
}

#[test]
fn csv_and_table_carry_the_same_records() {
    let csv = run(&[EXAMPLE, "--plan", "team", "--csv"]);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 6);
    assert_eq!(lines[0], "team,cycle_start,allotment,credits_used,limit_reached_at,overage_blocks,overage_cost_usd,runs_executed,runs_blocked,blocked_credits");
    assert_eq!(
        lines[1],
        "acme-support,2026-03-01T00:00:00Z,100,110,2026-03-04T10:00:45Z,0,0,6,1,17"
    );
    assert_eq!(
        lines[2],
        "acme-support,2026-04-01T00:00:00Z,100,12,,0,0,2,0,0"
    );

    let table = run(&[EXAMPLE, "--plan", "team"]);
    assert!(table.contains("Total: 5 team-cycles (1 at the limit), 189 credits used, 0 overage blocks ($0.00), 14 runs executed, 1 blocked (17 credits)"), "{table}");
    assert!(!table.contains("Assumption"));
    let on = run(&[
        EXAMPLE,
        "--plan",
        "team",
        "--overage",
        "on",
        "--overage-price",
        "12.5",
    ]);
    assert!(on.contains("Assumption: overage cost uses the overage price you supplied ($12.50 per 1,000-credit block)"), "{on}");
}

#[test]
fn a_plan_file_gives_teams_their_own_terms() {
    // acme-support on enterprise (500): never at the limit, s4 executes:
    // 110 + 17 = 127 in March. globex-ops on 10 custom credits with overage
    // on at $4: March 15 -> limit at g3's end (4 + 4 + 7 = 15 >= 10 at
    // 15:20:06), 5 over -> 1 block; April 4. initech-design on the default.
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans.toml");
    std::fs::write(
        &plans,
        "plan = \"team\"\n[teams.acme-support]\nplan = \"enterprise\"\n[teams.globex-ops]\ncredits = 10\noverage = \"on\"\noverage_price = 4\n",
    )
    .unwrap();
    let out = run(&[EXAMPLE, "--plan-file", plans.to_str().unwrap(), "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let mut want = expected(0, 0.0);
    want[0] = rec(
        "acme-support",
        "2026-03-01T00:00:00Z",
        127,
        None,
        0,
        0.0,
        7,
        0,
        0,
    );
    want[0]["allotment"] = json!(500);
    want[1]["allotment"] = json!(500);
    want[2] = rec(
        "globex-ops",
        "2026-03-01T00:00:00Z",
        15,
        Some("2026-03-03T15:20:06Z"),
        1,
        4.0,
        3,
        0,
        0,
    );
    want[2]["allotment"] = json!(10);
    want[3]["allotment"] = json!(10);
    assert_eq!(v, want);
}
