//! The engine's per-run pricing (unit prices looked up once) equals the one
//! pricing function, PriceBook::charge, on every flow of the shipped
//! scenarios and on random counts.

use flowcast::engine::{stream, Purpose};
use flowcast::pricing::BlockTally;
use flowcast::scenario::load;
use flowcast::workload::runs::{NestedCredits, NestedTree, RunCounts, RunPlan};
use rand::Rng;
use std::path::Path;

#[test]
fn engine_price_equals_pricebook_charge() {
    let mut checked = 0;
    for file in ["default.toml", "bench.toml"] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios")
            .join(file);
        let s = load(&path).unwrap();
        for kind in &s.kinds {
            let plans: Vec<RunPlan> = kind
                .flows
                .iter()
                .map(|f| RunPlan::new(f, &s.prices).unwrap())
                .collect();
            for (i, plan) in plans.iter().enumerate() {
                let mut rng = stream(1, 0, i, 0, Purpose::Usage);
                let mut tally = BlockTally::default();
                let mut tallied = flowcast::pricing::Charge::default();
                for _ in 0..2000 {
                    // Drawn counts, and arbitrary counts. The engine's sink
                    // (credits only) and a usage log's (the whole tree) see
                    // the same draws: there is one draw sequence.
                    let mut nested = Vec::new();
                    let mut nc = flowcast::pricing::Charge::default();
                    let mut twin = rng.clone();
                    let mut tree = NestedTree::default();
                    let logged = plan.draw(&plans, &mut twin, &mut tree, None);
                    let drawn = plan.draw(
                        &plans,
                        &mut rng,
                        &mut NestedCredits {
                            credits: &mut nested,
                            charge: &mut nc,
                        },
                        None,
                    );
                    assert_eq!(logged, drawn);
                    // The engine's folded prices (constants priced once) on
                    // drawn counts, whose constants are the plan's.
                    assert_eq!(plan.folded.charge(&drawn), plan.price(&drawn));
                    assert_eq!(plan.folded.credits(&drawn), plan.price(&drawn).total);
                    // The tally of the runs so far, priced at once, is the
                    // sum of their charges (how the run-by-run loop prices
                    // the runs that end in their cycle).
                    plan.folded.tally(&mut tally, &drawn);
                    tallied.absorb(&plan.price(&drawn));
                    assert_eq!(plan.folded.price_tally(&tally), tallied);
                    let tree_credits: Vec<u64> = tree.runs.iter().map(|r| r.credits).collect();
                    assert_eq!(tree_credits, nested);
                    let mut tree_charge = flowcast::pricing::Charge::default();
                    for r in &tree.runs {
                        tree_charge.absorb(&plans[r.flow].price(&r.counts));
                    }
                    assert_eq!(tree_charge, nc);
                    assert_eq!(twin.next_u64(), rng.clone().next_u64());
                    let mut any = || rng.next_u64() % 50;
                    let random = RunCounts {
                        http_request: any(),
                        logic: any(),
                        ai_request: any(),
                        connector: any(),
                        prompts: any(),
                        images: any(),
                        agent_calls: any(),
                        mcp_tools: any(),
                    };
                    for c in [drawn, random] {
                        let usage = plan.usage(&c);
                        let charge = plan.price(&c);
                        assert_eq!(charge, s.prices.charge(plan.trigger, &usage));
                        assert_eq!(charge.total, plan.prices.credits(&c));
                        checked += 1;
                    }
                    // A sum of runs priced at once is the sum of their
                    // charges (what the aggregated path relies on).
                    let n = 1 + rng.next_u64() % 5;
                    let mut each = flowcast::pricing::Charge::default();
                    let mut summed = RunCounts::default();
                    for _ in 0..n {
                        each.absorb(&plan.price(&random));
                        summed = RunCounts::from_items(std::array::from_fn(|i| {
                            summed.items()[i] + random.items()[i]
                        }));
                    }
                    assert_eq!(plan.prices.charge_of(n, &summed), each);
                }
            }
        }
    }
    assert!(checked > 10_000);
}

#[test]
fn a_hand_priced_run() {
    // bench.toml support-agent (api): 1 run + 1 AI Request + K x 2 (gpt-5-mini)
    // + M x 2 (MCP tools). With K = 3, M = 2: 1 + 1 + 6 + 4 = 12.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench.toml");
    let s = load(&path).unwrap();
    let f = &s.kinds[1].flows[0];
    let plan = RunPlan::new(f, &s.prices).unwrap();
    let c = RunCounts {
        ai_request: 1,
        agent_calls: 3,
        mcp_tools: 2,
        ..RunCounts::default()
    };
    assert_eq!(plan.price(&c).total, 12);
    // design-assets (manual): create_with_ai gpt-4o-mini 1 + 2 images x 10.
    let plan = RunPlan::new(&s.kinds[1].flows[1], &s.prices).unwrap();
    let c = RunCounts {
        prompts: 1,
        images: 2,
        ..RunCounts::default()
    };
    assert_eq!(plan.price(&c).total, 21);
}

#[test]
fn huge_counts_saturate_as_the_pricing_function_does() {
    // The run prices skip saturation only where nothing can overflow; past
    // 2^32 they must agree with PriceBook::charge, which saturates.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/bench.toml");
    let s = load(&path).unwrap();
    for kind in &s.kinds {
        for flow in &kind.flows {
            let plan = RunPlan::new(flow, &s.prices).unwrap();
            for n in [(1u64 << 32) - 1, 1 << 32, 1 << 40, u64::MAX / 3, u64::MAX] {
                let c = RunCounts {
                    http_request: n,
                    logic: 7,
                    ai_request: n,
                    connector: 1,
                    prompts: n,
                    images: 2,
                    agent_calls: n,
                    mcp_tools: n,
                };
                let book = s.prices.charge(plan.trigger, &plan.usage(&c));
                assert_eq!(plan.price(&c), book, "flow {} n {n}", flow.name);
                assert_eq!(plan.prices.credits(&c), book.total);
            }
        }
    }
}
