//! Workload math: pure functions of the model architecture, with no hardware knowledge.
//!
//! [`params`] derives parameter counts, [`flops`] the training FLOPs per token (model and
//! hardware), [`memory`] the bytes each GPU holds under a parallel plan.

pub mod flops;
pub mod memory;
pub mod params;

pub use flops::{hardware_flops_per_token, model_flops_per_token, Recompute};
pub use memory::{
    max_stage_layers, memory_per_gpu, stage_layers, ActivationOptions, MemoryBreakdown, Shape,
};
pub use params::ParamCounts;
