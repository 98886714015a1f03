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
//! writes simulated runs as such a log.
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
pub mod planning;
pub mod pricing;
pub mod provenance;
pub mod replay;
pub mod reports;
pub mod scenario;
pub mod statistics;
pub mod workload;
