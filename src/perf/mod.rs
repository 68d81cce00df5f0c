//! The performance model: step time of a plan ([`step_time`]) from collectives
//! ([`comm`]) and the efficiency assumptions ([`assumptions`]); whole-run time with failures
//! ([`run_time`]).

pub mod assumptions;
pub mod comm;
pub mod run_time;
pub mod step_time;

/// The cost and energy assumptions live in [`crate::cost`], next to their formulas.
pub use crate::cost::{CostAssumptions, CostBasis, EnergyAssumptions};
pub use assumptions::{Efficiency, Reliability};
pub use step_time::{Hardware, StepModel, StepTime};
