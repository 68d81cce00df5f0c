//! Parallel plans: the [`Strategy`] type, the exhaustive, memory-first [`search`], and a
//! bounded memo of searches for servers ([`memo`]).

pub mod fixed;
pub mod memo;
pub mod search;
pub mod strategy;

pub use crate::plan::SearchSpace;
pub use fixed::{PlanLimits, PlanViolation};
pub use search::{search, Infeasible, PlanResult, SearchResult};
pub use strategy::{Recompute, Strategy};
