//! A price book as the TOML that recreates it from the built-in one: what a
//! fitted scenario carries under `[prices]`, so that a forecast fitted with
//! `--prices` (dated versions included) prices its runs as the fit did.

use super::{BlockPrice, BlockPrices, PriceBook};
use crate::replay::cycles::format_time;
use std::fmt::Write;

/// The tables, under `prefix` (e.g. `prices`; empty: a price-book file of
/// its own), that turn the built-in book into `book`: only what differs.
/// Empty when `book` is the built-in one.
pub fn overrides_toml(book: &PriceBook, prefix: &str) -> String {
    let base = PriceBook::builtin();
    let mut t = String::new();
    let prefix = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}.")
    };
    if book.source != base.source {
        if prefix.is_empty() {
            let _ = writeln!(t, "source = {:?}\n", book.source);
        } else {
            let _ = writeln!(
                t,
                "[{}]\nsource = {:?}\n",
                prefix.trim_end_matches('.'),
                book.source
            );
        }
    }
    let blocks = block_lines(&book.blocks, &base.blocks);
    if !blocks.is_empty() {
        let _ = writeln!(t, "[{prefix}blocks]\n{blocks}");
    }
    for (key, mine, theirs) in [
        ("create_with_ai", &book.create_with_ai, &base.create_with_ai),
        ("agent_call", &book.agent_call, &base.agent_call),
    ] {
        let lines: String = mine
            .iter()
            .filter(|m| {
                !theirs
                    .iter()
                    .any(|o| o.name == m.name && o.credits == m.credits)
            })
            .map(|m| format!("{:?} = {}\n", m.name, m.credits))
            .collect();
        if !lines.is_empty() {
            let _ = writeln!(t, "[{prefix}{key}]\n{lines}");
        }
    }
    if book.block_credits != base.block_credits {
        let _ = writeln!(
            t,
            "[{prefix}overage]\nblock_credits = {}\n",
            book.block_credits
        );
    }
    for p in &book.plans {
        if base.plans.iter().any(|o| o == p) {
            continue;
        }
        let _ = writeln!(
            t,
            "[{prefix}plans.{:?}]\ncredits = {}\noverage_allowed = {}\nseat_price_usd = {:?}\n",
            p.name, p.credits, p.overage_allowed, p.seat_price_usd
        );
    }
    for v in &book.versions {
        if base.versions.iter().any(|o| o == v) {
            continue;
        }
        let _ = writeln!(t, "[{prefix}versions.{:?}]", v.name);
        let _ = writeln!(t, "label = {:?}", v.label);
        if let Some(f) = v.from {
            let _ = writeln!(t, "from = {}", format_time(f));
        }
        if let Some(u) = v.until {
            let _ = writeln!(t, "until = {}", format_time(u));
        }
        let _ = writeln!(t, "applied = {}", v.applied);
        let c = v.changes();
        let blocks: String = c
            .blocks
            .iter()
            .enumerate()
            .filter_map(|(i, p)| p.map(|p| format!("blocks.{}", block_line(i, p))))
            .collect();
        t.push_str(&blocks);
        for (key, table) in [
            ("create_with_ai", &c.create_with_ai),
            ("agent_call", &c.agent_call),
        ] {
            if !table.is_empty() {
                let items: Vec<String> =
                    table.iter().map(|(m, c)| format!("{m:?} = {c}")).collect();
                let _ = writeln!(t, "{key} = {{ {} }}", items.join(", "));
            }
        }
        t.push('\n');
    }
    t
}

/// The blocks of `mine` that differ from `theirs`, one line each.
fn block_lines(mine: &BlockPrices, theirs: &BlockPrices) -> String {
    (0..BlockPrices::NAMES.len())
        .filter(|&i| mine.get(i) != theirs.get(i))
        .map(|i| block_line(i, mine.get(i)))
        .collect()
}

/// `NAME = { manual = M, cloud = C }` for block `i`, with a newline.
fn block_line(i: usize, p: BlockPrice) -> String {
    format!(
        "{} = {{ manual = {}, cloud = {} }}\n",
        BlockPrices::NAMES[i],
        p.manual,
        p.cloud
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::RawPriceBook;

    fn layered(text: &str) -> PriceBook {
        let raw: RawPriceBook = toml::from_str(text).unwrap();
        PriceBook::builtin().with_overrides(raw, "test").unwrap()
    }

    /// Reads back what `overrides_toml` wrote (without the `prices.` prefix).
    fn round_trip(book: &PriceBook) -> PriceBook {
        let text = overrides_toml(book, "p");
        let doc: toml::Table = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        let inner = doc
            .get("p")
            .cloned()
            .unwrap_or(toml::Value::Table(Default::default()));
        let raw: RawPriceBook = inner.try_into().unwrap();
        PriceBook::builtin()
            .with_overrides(raw, "round trip")
            .unwrap()
    }

    #[test]
    fn a_file_of_its_own_reads_back_too() {
        let book = layered("source = \"ours\"\n[agent_call]\n\"gpt-5\" = 11\n[versions.v]\nfrom = 2027-01-01\nagent_call = { \"gpt-5\" = 13 }");
        let text = overrides_toml(&book, "");
        let raw: RawPriceBook = toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(
            PriceBook::builtin().with_overrides(raw, "file").unwrap(),
            book
        );
    }

    #[test]
    fn the_builtin_book_needs_no_tables() {
        assert_eq!(overrides_toml(&PriceBook::builtin(), "prices"), "");
    }

    #[test]
    fn every_kind_of_change_reads_back_to_the_same_book() {
        let book = layered(
            r#"
source = "our negotiated prices"
[blocks]
connector = { manual = 2, cloud = 3 }
[agent_call]
"gpt-5-mini" = 3
"gpt-6" = 20
[create_with_ai]
"gpt-4o" = 14
[overage]
block_credits = 500
[plans.team]
credits = 150
[plans.scale]
credits = 2000
overage_allowed = true
seat_price_usd = 99.5
[versions.rise]
label = "a rise"
from = 2027-01-01T12:30:00Z
until = 2027-07-01
agent_call = { "gpt-6" = 25, "gpt-5" = 12 }
blocks.image = { manual = 9, cloud = 11 }
[versions.before-2026-03-01]
applied = true
"#,
        );
        assert_eq!(round_trip(&book), book);
    }
}
