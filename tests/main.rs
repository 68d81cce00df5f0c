//! The one integration-test binary (ripgrep style): command-line contract, catalogs,
//! validation, scenarios, policy and fleets, each in its own module.

mod catalog;
mod channel;
mod cli;
mod defects;
mod fleet;
mod layering;
mod policy;
mod report;
mod resolver;
mod scenario;
mod serve;
mod serve_browser;
mod serve_load;
mod storylines;
mod timeline;
mod timeline_output;
