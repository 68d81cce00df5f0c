//! trainsim: how long, how much money, how much energy and how many chips it takes to
//! train a large model on a given GPU fleet, and how sure we are.
//!
//! Data flow (imports point left to right only; the math never imports CLI or output code):
//!
//! ```text
//! catalog (GPUs, models, runs) ─┐
//! workload (params, FLOPs, memory) ─> parallel::search (memory first, top-K plans)
//!                                      └─> perf (step time, goodput) ─> cost (energy, $)
//!                                            └─> estimate (one answer) ─> validate
//! ```
//!
//! - [`catalog`]: the embedded GPU, model and published-run catalogs and their lookup.
//! - [`workload`]: parameter counts, FLOPs per token and memory per GPU, hardware-free.
//! - [`parallel`]: the `Strategy` type and the exhaustive plan search.
//! - [`perf`]: step time (roofline GEMMs, collectives, bubble), goodput with failures.
//! - [`cost`]: energy, facility power, rental and ownership cost.
//! - [`estimate`]: one question to one answer.
//! - [`validate`]: predictions for the published runs.
//! - [`scenario`]: scenario files (TOML) → validated sweep points with uncertain inputs.
//! - [`montecarlo`]: seeded trials over the top-K plans of a point, summaries, tornado.
//! - [`format`]: number formatting for every output (a leaf: imports nothing of ours).
//! - [`run`]: the batch runner: work units, rayon, shards, CSV outputs, merge.
#![warn(missing_docs)]

pub mod bounds;
pub mod catalog;
pub mod cost;
pub mod error;
pub mod estimate;
pub mod fleet;
pub mod format;
pub mod montecarlo;
pub mod parallel;
pub mod perf;
pub mod policy;
pub mod report;
pub mod run;
pub mod scenario;
pub mod timeline;
pub mod validate;
pub mod workload;
