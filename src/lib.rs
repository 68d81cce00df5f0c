//! trainsim: how long, how much money, how much energy and how many chips it takes to
//! train a large model on a given GPU fleet, and how sure we are.
//!
//! Data flow: every front end (`estimate`/`plan` flags, scenario files, the published runs
//! of `validate`) turns its input into a [`estimate::Question`] through the same checks
//! ([`question`]); the search and the step-time model answer it.
//!
//! ```text
//! flags / scenario.toml / runs.toml ─> question (shared checks) ─> estimate::Question
//!   ─> parallel::search (candidates → fits [workload] → time [perf] → top K)
//!   ─> estimate (one answer: cost, energy) ─> montecarlo (trials) ─> run / report
//! ```
//!
//! Layers of the core, lowest first; each imports only the layers below it, and
//! `tests/layering.rs` fails when one imports a higher one:
//!
//! 1. [`plan`]: the plan types (`Strategy`, `Recompute`, `SearchSpace`); imports nothing of
//!    ours. [`cost`]: energy, power and money, with their assumptions; reads only `catalog`.
//! 2. [`workload`]: parameter counts, FLOPs per token and memory per GPU; knows no hardware
//!    (the framework reserve comes from [`catalog::gpu::framework_reserve_bytes`]).
//! 3. [`perf`]: step time (roofline GEMMs, collectives, bubble), goodput with failures
//!    (it re-exports `cost`'s assumption types for older paths).
//! 4. [`parallel`]: the plan search and the checks of fixed plan values; rayon runs here.
//!
//! [`catalog`] is the data every layer reads; it imports only [`error`] and [`plan`].
//! `montecarlo` imports nothing of `scenario`: the sweep points it runs
//! ([`montecarlo::point`]) and their trial inputs ([`montecarlo::inputs`]) live in it, and
//! the distributions in the leaf [`dist`]. `tests/layering.rs` also fails on any import
//! cycle among the top-level modules.
//!
//! - [`catalog`]: the embedded GPU, model and published-run catalogs and their lookup.
//! - [`question`]: the checks every front end shares on its way to a question.
//! - [`estimate`]: one question to one answer.
//! - [`validate`]: predictions for the published runs.
//! - [`dist`]: distributions of uncertain inputs: validation, quantiles, seeded draws.
//! - [`scenario`]: scenario files (TOML) → validated sweep points with uncertain inputs.
//! - [`montecarlo`]: seeded trials over the top-K plans of a point, summaries, tornado.
//! - [`format`]: number formatting for every output (a leaf: imports nothing of ours).
//! - [`run`]: the batch runner: work units, rayon, shards, CSV outputs, merge.
#![warn(missing_docs)]

pub mod bounds;
pub mod catalog;
pub mod cost;
pub mod dist;
pub mod error;
pub mod estimate;
pub mod fleet;
pub mod format;
pub mod montecarlo;
pub mod parallel;
pub mod perf;
pub mod plan;
pub mod policy;
pub mod question;
pub mod report;
pub mod run;
pub mod scenario;
pub mod timeline;
pub mod validate;
pub mod workload;
