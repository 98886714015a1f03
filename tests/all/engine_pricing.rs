//! The engine's per-run pricing (unit prices looked up once) equals the one
//! pricing function, PriceBook::charge, on every flow of the shipped
//! scenarios and on random counts.

use flowcast::engine::{stream, Purpose};
use flowcast::scenario::load;
use flowcast::workload::runs::{NestedCredits, RunCounts, RunPlan};
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
                for _ in 0..2000 {
                    // Drawn counts, and arbitrary counts.
                    let mut nested = Vec::new();
                    let mut nc = flowcast::pricing::Charge::default();
                    // The engine's fused draw-and-price makes the same draws.
                    let mut twin = rng.clone();
                    let (mut nested2, mut nc2) = (Vec::new(), flowcast::pricing::Charge::default());
                    let fused = plan.draw_charge(
                        &plans,
                        &mut twin,
                        &mut NestedCredits {
                            credits: &mut nested2,
                            charge: &mut nc2,
                        },
                    );
                    let drawn = plan.draw(
                        &plans,
                        &mut rng,
                        &mut NestedCredits {
                            credits: &mut nested,
                            charge: &mut nc,
                        },
                        None,
                    );
                    assert_eq!(fused, plan.price(&drawn));
                    assert_eq!((nested2, nc2), (nested.clone(), nc));
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
                        assert_eq!(plan.price(&c), s.prices.charge(plan.trigger, &usage));
                        checked += 1;
                    }
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
