//! Statistics: streaming, mergeable accumulators (means with confidence
//! intervals, quantile histograms) and the [`Summary`] they produce.
//!
//! - [`histogram`]: fixed-bin log-linear histograms (bounded memory, exact
//!   for small integers);
//! - [`moments`]: Welford means with 95% intervals, Wilson intervals;
//! - [`collector`]: the standard [`crate::engine::Observer`] that builds the
//!   [`Summary`] (`summary.json`, the tables, the text summary, the charts);
//! - [`summary`]: the summary's types.

pub mod collector;
pub mod histogram;
pub mod moments;
pub mod summary;
pub mod tally;
pub mod totals;

pub use collector::SummaryCollector;
pub use summary::Summary;
pub use tally::Tally;
