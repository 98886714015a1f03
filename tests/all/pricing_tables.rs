//! The built-in price book against the source document's tables, row by row:
//! every block kind on every run kind (manual and the three cloud triggers)
//! and every model of tables A and B. Expected values are typed from the
//! source (tests/data/source_prices.rs), not read from data/pricebook.toml.

use crate::source_prices;

use flowcast::pricing::{Item, PriceBook, Source, Trigger};
use source_prices::*;

#[test]
fn every_block_kind_on_every_run_kind() {
    let book = PriceBook::builtin();
    for trigger in Trigger::ALL {
        let base = if trigger.is_cloud() {
            RUN_BASE_CLOUD
        } else {
            RUN_BASE_MANUAL
        };
        assert_eq!(
            book.charge(trigger, &[]).total,
            base,
            "{trigger}: base charge"
        );
        for (block, manual, cloud) in BLOCKS {
            let unit = if trigger.is_cloud() { cloud } else { manual };
            let item = book.item(block, "").unwrap();
            for count in [0u64, 1, 3] {
                let c = book.charge(trigger, &[(item, count)]);
                assert_eq!(c.total, base + unit * count, "{trigger} {block} x{count}");
                assert_eq!(c.by_source[Source::RunBase as usize], base);
                assert_eq!(
                    c.by_source.iter().sum::<u64>(),
                    c.total,
                    "{trigger} {block}"
                );
            }
        }
    }
}

#[test]
fn every_model_of_table_a_and_b_on_every_run_kind() {
    let book = PriceBook::builtin();
    // No model beyond the source's tables either.
    assert_eq!(book.create_with_ai.len(), CREATE_WITH_AI.len());
    assert_eq!(book.agent_call.len(), AGENT_CALL.len());
    for trigger in Trigger::ALL {
        let base = if trigger.is_cloud() { 1 } else { 0 };
        for (block, table, source) in [
            ("create_with_ai", &CREATE_WITH_AI[..], Source::CreateWithAi),
            ("agent_call", &AGENT_CALL[..], Source::AgentCall),
        ] {
            for &(model, credits) in table {
                // The model as printed in the source ("GPT-4o mini") and as
                // written in a log ("gpt-4o-mini") resolve alike.
                let printed = book.item(block, model).unwrap();
                let logged = book
                    .item(block, &model.to_lowercase().replace(' ', "-"))
                    .unwrap();
                assert_eq!(printed, logged);
                let c = book.charge(trigger, &[(printed, 2)]);
                assert_eq!(c.total, base + 2 * credits, "{trigger} {block} {model}");
                assert_eq!(c.by_source[source as usize], 2 * credits);
            }
        }
    }
}

#[test]
fn model_errors_name_the_problem() {
    let book = PriceBook::builtin();
    assert!(book
        .item("agent_call", "")
        .unwrap_err()
        .contains("required"));
    assert!(book
        .item("create_with_ai", "")
        .unwrap_err()
        .contains("required"));
    // GPT-3.5 is in table A only, GPT-5 in table B only.
    assert!(book
        .item("agent_call", "gpt-3.5")
        .unwrap_err()
        .contains("unknown"));
    assert!(book
        .item("create_with_ai", "gpt-5")
        .unwrap_err()
        .contains("unknown"));
    assert!(book
        .item("http_request", "gpt-4")
        .unwrap_err()
        .contains("not priced by model"));
    assert_eq!(book.item("some_block", ""), Ok(Item::Other));
}

#[test]
fn a_whole_agent_run_prices_as_the_sum_of_its_parts() {
    // An API-triggered flow: AI Request, an agent on GPT-5 mini making 3
    // model calls and 2 MCP tool calls, one connector, one If block:
    // 1 (base) + 1 + 3*2 + 2*2 + 2 + 1 = 15. On a manual run: 1 + 6 + 4 + 2 = 13.
    let book = PriceBook::builtin();
    let usage = [
        (book.item("ai_request", "").unwrap(), 1),
        (book.item("agent_call", "gpt-5-mini").unwrap(), 3),
        (book.item("mcp_tool", "").unwrap(), 2),
        (book.item("connector", "").unwrap(), 1),
        (book.item("if", "").unwrap(), 1),
    ];
    assert_eq!(book.charge(Trigger::Api, &usage).total, 15);
    assert_eq!(book.charge(Trigger::Manual, &usage).total, 13);
    // An item may repeat: the same as one row with the summed count.
    let twice = [usage[1], usage[1]];
    let once = [(usage[1].0, 6)];
    assert_eq!(
        book.charge(Trigger::Mcp, &twice),
        book.charge(Trigger::Mcp, &once)
    );
}

#[test]
fn huge_counts_saturate_instead_of_panicking() {
    let book = PriceBook::builtin();
    let image = book.item("image", "").unwrap();
    let c = book.charge(Trigger::Api, &[(image, u64::MAX), (image, u64::MAX)]);
    assert_eq!(c.total, u64::MAX);
}
