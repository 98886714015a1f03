//! Scenarios: the TOML file that describes a population of teams and what
//! they run, parsed and validated into [`model::Scenario`].

pub mod model;

pub use model::*;
