//! Bad input to `flowcast replay`: every case exits with code 2, prints one
//! line on stderr naming the file and the right line, and nothing on stdout.

use assert_cmd::Command;

const HEADER: &str =
    "run_id,team,flow,trigger,started_at,ended_at,parent_run_id,block,model,count\n";
const OK1: &str = "r1,a,f,api,2026-03-02T10:00:00Z,2026-03-02T10:00:10Z,,http_request,,1\n";

/// Runs replay on `bytes` written to a file; returns stderr after checking
/// the exit code, the empty stdout and the single line.
fn fails(bytes: &[u8], args: &[&str]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("usage-log.csv");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::cargo_bin("flowcast")
        .unwrap()
        .arg("replay")
        .arg(&path)
        .args(args)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(out.stdout.is_empty(), "stdout not empty: {:?}", out.stdout);
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "not one line: {stderr}"
    );
    (stderr, path.display().to_string())
}

/// A log that must be refused at `line` with a message containing `what`.
fn bad_log(name: &str, body: &str, line: usize, what: &str) {
    bad_bytes(name, body.as_bytes(), line, what);
}

fn bad_bytes(name: &str, bytes: &[u8], line: usize, what: &str) {
    let (stderr, path) = fails(bytes, &["--plan", "team"]);
    let at = format!("{path}:{line}: ");
    assert!(stderr.contains(&at), "{name}: expected '{at}' in: {stderr}");
    assert!(
        stderr.contains(what),
        "{name}: expected '{what}' in: {stderr}"
    );
}

fn log(rows: &[&str]) -> String {
    let mut s = String::from(HEADER);
    for r in rows {
        s.push_str(r);
        s.push('\n');
    }
    s
}

#[test]
fn bad_rows_are_named_by_line() {
    let t = "2026-03-02T10:00:00Z,2026-03-02T10:00:10Z";
    let cases: Vec<(&str, String, usize, &str)> = vec![
        (
            "unknown trigger",
            log(&[OK1.trim(), &format!("r2,a,f,webhook,{t},,,,0")]),
            3,
            "unknown trigger 'webhook'",
        ),
        (
            "unknown model",
            log(&[&format!("r2,a,f,api,{t},,create_with_ai,gpt-9,1")]),
            2,
            "unknown",
        ),
        (
            "missing model (create)",
            log(&[&format!("r2,a,f,api,{t},,create_with_ai,,1")]),
            2,
            "model is required",
        ),
        (
            "missing model (agent)",
            log(&[&format!("r2,a,f,api,{t},,agent_call,,1")]),
            2,
            "model is required",
        ),
        (
            "model on another block",
            log(&[&format!("r2,a,f,api,{t},,http_request,gpt-4,1")]),
            2,
            "not priced by model",
        ),
        (
            "model of the other table",
            log(&[&format!("r2,a,f,api,{t},,agent_call,gpt-3.5,1")]),
            2,
            "unknown",
        ),
        (
            "model without block",
            log(&[&format!("r2,a,f,api,{t},,,gpt-4,0")]),
            2,
            "without a block",
        ),
        (
            "negative count",
            log(&[OK1.trim(), OK1.trim(), &format!("r2,a,f,api,{t},,if,,-1")]),
            4,
            "negative count",
        ),
        (
            "non-integer count",
            log(&[&format!("r2,a,f,api,{t},,if,,2.5")]),
            2,
            "not an integer",
        ),
        (
            "word count",
            log(&[&format!("r2,a,f,api,{t},,if,,two")]),
            2,
            "not an integer",
        ),
        (
            "empty count",
            log(&[&format!("r2,a,f,api,{t},,if,,")]),
            2,
            "empty count",
        ),
        (
            "overflowing count",
            log(&[&format!("r2,a,f,api,{t},,if,,99999999999999999999")]),
            2,
            "too large",
        ),
        (
            "overflowing credits",
            log(&[&format!("r2,a,f,api,{t},,image,,18446744073709551615")]),
            2,
            "overflow",
        ),
        (
            "overflowing sum of rows",
            log(&[
                &format!("r2,a,f,api,{t},,image,,1000000000000000000"),
                &format!("r2,a,f,api,{t},,image,,1000000000000000000"),
            ]),
            3,
            "overflow",
        ),
        (
            // Each run fits in 64 bits; the team's sum does not.
            "overflowing team total",
            log(&[
                &format!("r2,a,f,api,{t},,image,,1000000000000000000"),
                OK1.trim(),
                &format!("r3,a,f,api,{t},,image,,1000000000000000000"),
            ]),
            4,
            "overflow 64 bits",
        ),
        (
            "malformed started_at",
            log(&["r2,a,f,api,2026-03-02 10:00,2026-03-02T10:00:10Z,,,,0"]),
            2,
            "started_at",
        ),
        (
            "malformed ended_at",
            log(&["r2,a,f,api,2026-03-02T10:00:00Z,yesterday,,,,0"]),
            2,
            "ended_at",
        ),
        (
            "impossible date",
            log(&["r2,a,f,api,2026-02-30T10:00:00Z,2026-03-02T10:00:10Z,,,,0"]),
            2,
            "started_at",
        ),
        (
            "out of range year",
            log(&["r2,a,f,api,1500-01-01T10:00:00Z,2026-03-02T10:00:10Z,,,,0"]),
            2,
            "supported years",
        ),
        (
            "ended before started",
            log(&["r2,a,f,api,2026-03-02T10:00:10Z,2026-03-02T10:00:09Z,,,,0"]),
            2,
            "before started_at",
        ),
        (
            "empty block with count",
            log(&[&format!("r2,a,f,api,{t},,,,3")]),
            2,
            "empty block with count 3",
        ),
        (
            "empty run_id",
            log(&[&format!(",a,f,api,{t},,,,0")]),
            2,
            "empty run_id",
        ),
        (
            "empty team",
            log(&[&format!("r2,,f,api,{t},,,,0")]),
            2,
            "empty team",
        ),
        ("ragged row", log(&[OK1.trim(), "r2,a,f,api"]), 3, "fields"),
        (
            "self parent",
            log(&[&format!("r2,a,f,mcp,{t},r2,,,0")]),
            2,
            "names itself",
        ),
        (
            "nested run not mcp",
            log(&[OK1.trim(), &format!("r2,a,f,api,{t},r1,,,0")]),
            3,
            "must have trigger 'mcp'",
        ),
    ];
    for (name, body, line, what) in cases {
        bad_log(name, &body, line, what);
    }
}

#[test]
fn rows_of_one_run_that_disagree_name_the_disagreeing_row() {
    let first = "r1,a,f,api,2026-03-02T10:00:00Z,2026-03-02T10:00:10Z,,http_request,,1";
    let other = "r9,a,f,api,2026-03-02T11:00:00Z,2026-03-02T11:00:10Z,,,,0";
    let cases = [
        (
            "team",
            "r1,b,f,api,2026-03-02T10:00:00Z,2026-03-02T10:00:10Z,,if,,1",
        ),
        (
            "flow",
            "r1,a,g,api,2026-03-02T10:00:00Z,2026-03-02T10:00:10Z,,if,,1",
        ),
        (
            "trigger",
            "r1,a,f,schedule,2026-03-02T10:00:00Z,2026-03-02T10:00:10Z,,if,,1",
        ),
        (
            "started_at",
            "r1,a,f,api,2026-03-02T10:00:01Z,2026-03-02T10:00:10Z,,if,,1",
        ),
        (
            "ended_at",
            "r1,a,f,api,2026-03-02T10:00:00Z,2026-03-02T10:00:11Z,,if,,1",
        ),
        (
            "parent_run_id",
            "r1,a,f,mcp,2026-03-02T10:00:00Z,2026-03-02T10:00:10Z,r9,if,,1",
        ),
    ];
    for (what, row) in cases {
        // The first row of r1 on line 2, another run on line 3, the
        // disagreeing row on line 4.
        let body = log(&[first, other, row]);
        let expect = if what == "parent_run_id" {
            "trigger"
        } else {
            what
        };
        bad_log(what, &body, 4, expect);
        bad_log(what, &body, 4, "on line 2");
    }
    // A parent that differs between two nested rows is named as such.
    let body = log(&[
        other,
        "r8,a,f,api,2026-03-02T09:00:00Z,2026-03-02T12:00:00Z,,,,0",
        "c1,a,m,mcp,2026-03-02T11:00:00Z,2026-03-02T11:00:01Z,r9,,,0",
        "c1,a,m,mcp,2026-03-02T11:00:00Z,2026-03-02T11:00:01Z,r8,http_request,,1",
    ]);
    bad_log(
        "parent",
        &body,
        5,
        "parent_run_id 'r8' here but parent_run_id 'r9' on line 4",
    );
}

#[test]
fn bad_parents_are_named_by_line() {
    let p = "p1,a,agent,api,2026-03-02T10:00:00Z,2026-03-02T10:10:00Z,,mcp_tool,,1";
    // A parent that does not exist: the first row naming it.
    bad_log(
        "missing parent",
        &log(&[
            p,
            "c1,a,m,mcp,2026-03-02T10:01:00Z,2026-03-02T10:02:00Z,nope,,,0",
        ]),
        3,
        "parent_run_id 'nope' is not the run_id of any run",
    );
    // A cycle a -> b -> a: the row that closes it, reading top to bottom.
    bad_log(
        "cycle of two",
        &log(&[
            p,
            "x1,a,m,mcp,2026-03-02T10:01:00Z,2026-03-02T10:02:00Z,x2,,,0",
            "x2,a,m,mcp,2026-03-02T10:01:00Z,2026-03-02T10:02:00Z,x1,,,0",
        ]),
        4,
        "cycle",
    );
    bad_log(
        "cycle of three",
        &log(&[
            "x1,a,m,mcp,2026-03-02T10:01:00Z,2026-03-02T10:02:00Z,x3,,,0",
            "x2,a,m,mcp,2026-03-02T10:01:00Z,2026-03-02T10:02:00Z,x1,,,0",
            p,
            "x3,a,m,mcp,2026-03-02T10:01:00Z,2026-03-02T10:02:00Z,x2,,,0",
        ]),
        5,
        "'x3' -> 'x2' -> 'x1' -> 'x3'",
    );
    bad_log(
        "child in another team",
        &log(&[
            p,
            "c1,b,m,mcp,2026-03-02T10:01:00Z,2026-03-02T10:02:00Z,p1,,,0",
        ]),
        3,
        "parent's team",
    );
    bad_log(
        "child starts before parent",
        &log(&[
            "c1,a,m,mcp,2026-03-02T09:59:00Z,2026-03-02T10:02:00Z,p1,,,0",
            p,
        ]),
        2,
        "before its parent",
    );
}

#[test]
fn line_numbers_are_exact_with_crlf_blank_lines_and_quoted_newlines() {
    // Lines: 1 header, 2 blank, 3 r1, 4 blank, 5-6 a quoted flow name with a
    // line break, 7 blank, 8 the bad row. Windows line endings throughout.
    let body = format!(
        "{}\r\n\r\n{}\r\n\r\nr2,a,\"two\r\nlines\",api,2026-03-02T10:00:00Z,2026-03-02T10:00:10Z,,,,0\r\n\r\nr3,a,f,api,2026-03-02T10:00:00Z,2026-03-02T10:00:10Z,,if,,x\r\n",
        HEADER.trim(),
        OK1.trim()
    );
    bad_log("crlf", &body, 8, "count 'x'");
    // Old Mac line ends (CR only).
    let body = format!(
        "{}\r{}\rr3,a,f,api,2026-03-02T10:00:00Z,2026-03-02T10:00:10Z,,if,,x\r",
        HEADER.trim(),
        OK1.trim()
    );
    bad_log("cr", &body, 3, "count 'x'");
}

#[test]
fn bad_files_and_headers_are_named() {
    bad_bytes("empty file", b"", 1, "empty file");
    bad_log(
        "missing column",
        "run_id,team,flow,trigger,started_at,ended_at,block,model,count\n",
        1,
        "missing column 'parent_run_id'",
    );
    bad_log(
        "duplicate column",
        "run_id,team,flow,trigger,started_at,ended_at,parent_run_id,block,model,count,team\n",
        1,
        "duplicate column 'team'",
    );
    let mut bytes = log(&[OK1.trim(), OK1.trim()]).into_bytes();
    bytes.extend_from_slice(b"r2,\xff\xfe,f,api,2026-03-02T10:00:00Z,2026-03-02T10:00:10Z,,,,0\n");
    bad_bytes("non-UTF-8", &bytes, 4, "not valid UTF-8");
    bad_bytes(
        "non-UTF-8 header",
        b"run_id,t\xffeam\n",
        1,
        "not valid UTF-8",
    );

    // A missing file: named, no line.
    let out = Command::cargo_bin("flowcast")
        .unwrap()
        .args(["replay", "no/such/usage.csv", "--plan", "team"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no/such/usage.csv"));
}

#[test]
fn bad_flags_are_refused_with_one_line() {
    let ok = log(&[OK1.trim()]);
    let cases: &[(&[&str], &str)] = &[
        (&["--plan", "gold"], "unknown plan 'gold'"),
        (
            &["--plan", "free", "--overage", "on", "--overage-price", "10"],
            "does not allow overage",
        ),
        (&["--plan", "team", "--overage", "on"], "no overage price"),
        (
            &["--plan", "team", "--overage", "2026-03-02T10:00:00Z"],
            "no overage price",
        ),
        (
            &[
                "--plan",
                "team",
                "--overage",
                "sometimes",
                "--overage-price",
                "10",
            ],
            "off, on or an RFC 3339",
        ),
        (
            &["--plan", "team", "--overage-price", "10"],
            "overage is off",
        ),
        (
            &["--plan", "team", "--overage", "on", "--overage-price", "-3"],
            "from 0 to 1e9",
        ),
        (
            &[
                "--plan",
                "team",
                "--overage",
                "on",
                "--overage-price",
                "1e17",
            ],
            "from 0 to 1e9",
        ),
        (
            &[
                "--plan",
                "team",
                "--overage",
                "on",
                "--overage-price",
                "ten",
            ],
            "--overage-price",
        ),
        (&["--plan", "team", "--credits", "100"], "not both"),
        (&[], "--plan"),
        (&["--credits", "0"], "> 0"),
        (&["--credits", "-5"], "> 0"),
        (&["--credits", "lots"], "--credits"),
        (
            &["--plan", "team", "--anchor", "2026-01-31T00:00:00Z"],
            "1 to 28",
        ),
        (&["--plan", "team", "--anchor", "the 5th"], "--anchor"),
        (
            &["--plan", "team", "--prices", "no/such/prices.toml"],
            "no/such/prices.toml",
        ),
    ];
    for (args, what) in cases {
        let (stderr, _) = fails(ok.as_bytes(), args);
        assert!(
            stderr.contains(what),
            "{args:?}: expected '{what}' in: {stderr}"
        );
    }
}

#[test]
fn bad_plan_files_name_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let plans = dir.path().join("plans.toml");
    std::fs::write(
        &plans,
        "plan = \"team\"\n\n[teams.acme]\nplan = \"free\"\noverage = \"on\"\noverage_price = 5.0\n",
    )
    .unwrap();
    let log_path = dir.path().join("log.csv");
    std::fs::write(&log_path, log(&[OK1.trim()])).unwrap();
    let run = |args: &[&str]| {
        Command::cargo_bin("flowcast")
            .unwrap()
            .arg("replay")
            .arg(&log_path)
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--plan-file", plans.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let plans_s = plans.display().to_string();
    assert!(
        stderr.contains(&format!("{plans_s}:3: teams.acme:")),
        "{stderr}"
    );
    assert!(stderr.contains("does not allow overage"), "{stderr}");

    let out = run(&["--plan-file", plans.to_str().unwrap(), "--plan", "team"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot be combined"));

    std::fs::write(&plans, "plan = \"team\"\nunknown_key = 3\n").unwrap();
    let out = run(&["--plan-file", plans.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{plans_s}:2:")));
}
