//! Shards: one simulation cut across machines and merged back exactly.
//!
//! `run`, `compare` and `sweep` with `--shard I/N` simulate only their
//! share of the team-trials ([`crate::engine::Shard`]) and save a
//! [`Partial`]: the mergeable state of every statistic, the job that
//! produced it and its fingerprint. [`merge`](mod@merge) checks that a set of partials
//! is one whole job (every shard once, same job, same version, each folder
//! finished) and adds their states. Every accumulator is a sum of whole
//! numbers, so the merged state is the one a single process reaches and
//! the files written from it are byte-identical.
//!
//! - [`partial`]: the partial-result file and its fingerprint;
//! - [`merge`](mod@merge): reading and checking a set of shard folders, and merging;
//! - [`auto`]: `--shard auto`, the index and count from Slurm, Kubernetes
//!   or AWS Batch.

pub mod auto;
pub mod merge;
pub mod partial;

pub use merge::{merge, Merged};
pub use partial::{Job, Part, Partial, Work, PARTIAL_FILE};
