//! Planning: the comparisons people bring to flowcast, built on the
//! simulator so that every answer carries its uncertainty.
//!
//! - [`compare`]: which plan should each kind of team be on (common random
//!   numbers across plans);
//! - [`sweep`]: how the headline numbers move over a grid of overrides;
//! - [`forecast`]: consecutive billing cycles, monthly and cumulative overage;
//! - [`sensitivity`]: which input moves the population's overage most;
//! - [`stopping`]: add trials until the confidence intervals are tight enough;
//! - [`alerts`]: how many days of warning usage alerts give.

pub mod grid;
pub mod rank;
pub mod recommend;
pub mod stopping;
