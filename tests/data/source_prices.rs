//! Credit prices typed by hand from the source document
//! (shared/seeds/flows-usage.md, made exact in shared/usage-log.md), NOT read
//! from data/pricebook.toml: tests compare the price book against these.

/// (block name, credits per execution on a manual run, on a cloud run).
pub const BLOCKS: [(&str, u64, u64); 12] = [
    ("http_request", 0, 1), // "premium blocks": cloud runs only
    ("evaluate", 0, 1),     // logic blocks: cloud runs only
    ("condition", 0, 1),
    ("validate", 0, 1),
    ("if", 0, 1),
    ("ai_request", 1, 1), // "blocks that execute in the cloud, such as AI Request"
    ("connector", 2, 2),  // "Connector blocks consume two credits"
    ("image", 10, 10),    // DALL-E 3: "10 credits each time it generates an image"
    ("mcp_tool", 2, 2),   // "Each MCP Tool: 2 credits"
    ("delay", 0, 0),      // any other block is free
    ("start", 0, 0),
    ("select", 0, 0),
];

/// The deployed-run base charge: "one credit each time it runs in the cloud".
pub const RUN_BASE_MANUAL: u64 = 0;
/// See [`RUN_BASE_MANUAL`].
pub const RUN_BASE_CLOUD: u64 = 1;

/// Table A, Create with AI, as printed in the source (model, credits).
pub const CREATE_WITH_AI: [(&str, u64); 4] = [
    ("GPT-4o", 15),
    ("GPT-4o mini", 1),
    ("GPT-4", 25),
    ("GPT-3.5", 5),
];

/// Table B, AI Agent model calls, as printed in the source (model, credits).
pub const AGENT_CALL: [(&str, u64); 6] = [
    ("GPT-5", 10),
    ("GPT-5 mini", 2),
    ("GPT-5 nano", 1),
    ("GPT-4", 25),
    ("GPT-4o", 15),
    ("GPT-4o mini", 2),
];

/// Whether a trigger name is a cloud run.
pub fn is_cloud(trigger: &str) -> bool {
    trigger != "manual"
}

/// The credits one execution of `block` (with `model`) costs on a run with
/// `trigger`, straight from the tables above; `None` for an unknown model.
#[allow(dead_code)]
pub fn unit(trigger: &str, block: &str, model: &str) -> Option<u64> {
    let norm = |s: &str| s.to_ascii_lowercase().replace(' ', "-");
    let find = |t: &[(&str, u64)]| {
        t.iter()
            .find(|(m, _)| norm(m) == norm(model))
            .map(|&(_, c)| c)
    };
    match block {
        "create_with_ai" => find(&CREATE_WITH_AI),
        "agent_call" => find(&AGENT_CALL),
        _ => Some(
            BLOCKS
                .iter()
                .find(|(b, _, _)| *b == block)
                .map_or(0, |&(_, m, c)| if is_cloud(trigger) { c } else { m }),
        ),
    }
}

/// The credits a run with `trigger` and `(block, model, count)` rows costs.
#[allow(dead_code)]
pub fn run_price(trigger: &str, rows: &[(&str, &str, u64)]) -> u64 {
    let base = if is_cloud(trigger) {
        RUN_BASE_CLOUD
    } else {
        RUN_BASE_MANUAL
    };
    base + rows
        .iter()
        .map(|&(b, m, n)| unit(trigger, b, m).expect("known model") * n)
        .sum::<u64>()
}
