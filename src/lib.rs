#![warn(missing_docs)]
//! flowcast: forecasts of what a credit-metered automation product costs.
//!
//! Postman Flows bills in credits: a team gets a monthly allotment from its
//! plan, deployed runs and certain blocks cost credits, and at the limit a
//! team is suspended unless it has switched overage on. flowcast simulates
//! synthetic teams through billing months (Monte Carlo) and replays real
//! usage logs, with one set of rules for both.
//!
//! The data flows through the modules in this order:
//!
//! `scenario` -> `workload` -> runs -> [`pricing`] -> [`ledger`] ->
//! `statistics` -> `reports`
//!
//! and a usage log enters at the same pricing step through `replay`; `emit`
//! writes simulated runs as such a log. [`shards`] cuts one simulation
//! across machines (`--shard I/N`) and merges the statistics' states back
//! into exactly the single run's.
//!
//! ## A tour: scenario -> simulate -> summary -> report
//!
//! What `flowcast run` does, step by step through the library. A scenario
//! is TOML (`docs/scenarios.md`); here one team makes one API run a day at
//! 00:00, each run a 1-credit base charge plus two HTTP Requests (1 credit
//! each), on the Solo plan (50 credits a month) with overage on at an
//! assumed $20 per 1,000-credit block.
//!
//! ```
//! use std::path::Path;
//! use flowcast::engine::SimOptions;
//! use flowcast::planning::run::{run, Trials};
//!
//! let toml = r#"
//! name = "tour"
//! [calendar]
//! start = 2026-06-01
//! cycle_days = 30
//! [[kinds]]
//! name = "steady"
//! teams = 1
//! plan = "solo"
//! overage = "on"
//! overage_price = 20.0
//!   [[kinds.flows]]
//!   name = "daily"
//!   trigger = "api"
//!   arrivals = { schedule = { every = "1d", at = "00:00" } }
//!   blocks = { http_request = 2 }
//!   duration_seconds = 1
//! "#;
//! // 1. The scenario, validated (errors name the line and key).
//! let scenario = flowcast::scenario::parse(toml, Path::new("tour.toml"))?;
//!
//! // 2. Simulate: trials are independent and reproducible from the seed,
//! //    whatever the thread count.
//! let opts = SimOptions { seed: 1, first_trial: 0, trials: 4, threads: Some(1), progress: false, per_run: false };
//! let result = run(&scenario, &opts, &Trials::Fixed)?;
//!
//! // 3. The summary: 30 runs x 3 credits = 90 credits; 40 past the 50
//! //    included is one block, $20; the limit is reached when run 17 ends
//! //    (51 credits), on day 17.
//! let team = &result.summary.kinds[0].stats;
//! assert_eq!(team.credits_used.mean, 90.0);
//! assert_eq!(team.overage_blocks.mean, 1.0);
//! assert_eq!(team.overage_cost_usd.mean, 20.0);
//! assert_eq!(team.hit.probability.value, 1.0);
//! assert_eq!(team.hit.day_p50.map(f64::floor), Some(16.0)); // 16 days elapsed: day 17
//! print!("{}", flowcast::reports::run::summary_text(&result.summary));
//!
//! // 4. The files and the report: tables as bytes, then charts and
//! //    report.html redrawn from every result in a folder.
//! let dir = tempfile::tempdir()?;
//! for (name, bytes) in flowcast::reports::table_files(&result.summary)? {
//!     std::fs::write(dir.path().join(name), bytes)?;
//! }
//! let report = flowcast::reports::document::refresh(dir.path())?.expect("a result");
//! assert!(report.charts > 0 && report.report.is_file());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The billing rules underneath, for one run at a time: [`pricing`] prices
//! a run, the [`ledger`] books it and owns the whole contract (event order
//! at equal instants, plan terms, alert levels).
//!
//! ```
//! use flowcast::ledger::{Admission, Ledger, Overage, PlanTerms, Terms};
//! use flowcast::pricing::{Item, PriceBook, Trigger};
//!
//! let book = PriceBook::builtin();
//! // A cloud run with two HTTP requests and an If block: 1 + 2 + 1 credits.
//! let charge = book.charge(Trigger::Api, &[(Item::HttpRequest, 2), (Item::Logic, 1)]);
//! assert_eq!(charge.total, 4);
//!
//! // A team on 4 credits a month, overage off: that run uses them all.
//! let plan = PlanTerms { label: "a 4-credit plan", allotment: 4, overage_allowed: true };
//! let terms = Terms::new(plan, 1000, Overage::Off, None).unwrap();
//! let mut ledger = Ledger::new(terms, 0_i64);
//! assert_eq!(ledger.start(0, true, charge.total), Admission::Executes);
//! ledger.end(0, 5, &charge); // started at 0, ends at 5
//! // The next cloud run is blocked.
//! assert_eq!(ledger.start(6, true, charge.total), Admission::Blocked);
//! let month = ledger.finish(100);
//! assert_eq!((month.credits_used, month.limit_reached_at, month.runs_blocked), (4, Some(5), 1));
//! ```

pub mod backtest;
pub mod emit;
pub mod engine;
pub mod files;
pub mod fitting;
pub mod ledger;
pub mod numbers;
pub mod planning;
pub mod pricing;
pub mod provenance;
pub mod replay;
pub mod reports;
pub mod scenario;
pub mod shards;
pub mod statistics;
pub mod workload;
