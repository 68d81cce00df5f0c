//! Parallel plans: the [`Strategy`] type and the exhaustive, memory-first [`search`].

pub mod search;
pub mod strategy;

pub use search::{search, Infeasible, PlanResult, SearchResult, SearchSpace};
pub use strategy::{Recompute, Strategy};
