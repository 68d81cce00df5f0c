//! Export-control policy: which chips a rule restricts, and why.
//!
//! - [`tpp`](mod@tpp): total processing performance (TPP) and performance density (PD), as
//!   defined in the Technical Notes to ECCN 3A090 (88 FR 73458).
//! - [`rules`]: rules as data (`src/catalog/rules.toml`, user files, custom thresholds).
//! - [`classify`](mod@classify): a chip's status under a rule, with the reason.
//!
//! The math here imports only the catalog and error types, never CLI or report code.

pub mod classify;
pub mod rules;
mod rules_file;
pub mod tpp;
mod unknown;

pub use classify::{allowed, classify, io_bidir_gb_per_s, Classification};
pub use rules::{
    builtin_rule, builtin_rules, find_rule, load_rules_file, market_text, parse_rules, Branch,
    Clause, Condition, CustomThresholds, Metric, Rule, Status, Tier, RULES_TOML,
};
pub use tpp::{max_die_area_mm2, performance_density, performance_density_lower_bound, tpp};
