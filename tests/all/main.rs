//! flowcast's integration tests: one test crate, one module per topic (so
//! the test build links one executable, not one per file). Each module's
//! own documentation says what it checks and against what.
//!
//! Run them all with `cargo test --profile ci`; one topic with, for example,
//! `cargo test --profile ci --test all replay_cases::`.

mod backtest_calibration;
mod cli_check;
mod cli_shell;
mod csv_columns;
mod emit_replay;
mod engine_closed_form;
mod engine_determinism;
mod engine_pricing;
mod engine_samplers;
mod fit_cli;
mod fit_recovery;
mod frozen_path;
mod fuzz_corpus;
mod output_folders;
mod planning_cli;
mod planning_main;
mod price_versions;
mod pricing_tables;
mod reactions;
mod replay_cases;
mod replay_cli;
mod replay_errors;
mod replay_props;
mod report_browser;
mod report_charts;
mod report_inputs;
mod report_support;
mod scenario_describe;
mod scenario_errors;
mod scenario_files;
mod scenario_fuzz;
mod shard_env;
mod shard_merge;
mod shared_shocks;
mod simulate_cli;
mod slurm_cluster;
mod workbook_xlsx;
/// The path of a shipped scenario, `scenarios/NAME`, as an argument.
fn scenario(name: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
        .display()
        .to_string()
}

/// Every file under `dir` (relative path, bytes), sorted: two result
/// folders compare as these lists.
fn tree_files(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_path_buf();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The source document's price tables, typed in by hand.
#[path = "../data/source_prices.rs"]
mod source_prices;
