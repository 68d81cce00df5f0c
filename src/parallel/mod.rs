//! Parallel plans: the [`Strategy`] type and the exhaustive, memory-first [`search`].

pub mod fixed;
pub mod search;
pub mod strategy;

pub use crate::plan::SearchSpace;
pub use fixed::{PlanLimits, PlanViolation};
pub use search::{search, Infeasible, PlanResult, SearchResult};
pub use strategy::{Recompute, Strategy};
