//! The one integration-test binary (ripgrep style): command-line contract, catalogs,
//! validation, scenarios and policy, each in its own module.

mod cli;
mod policy;
mod report;
mod scenario;
