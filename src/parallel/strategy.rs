//! `Strategy`: one parallel training plan, and the names used for it across trainsim.
//!
//! - `tp`: tensor parallelism (Megatron-LM, Shoeybi et al. arXiv:1909.08053), with sequence
//!   parallelism (Korthikanti et al. arXiv:2205.05198) for the activations between GEMMs;
//! - `pp`: pipeline stages, 1F1B schedule, optionally `interleave` virtual stages per GPU
//!   (Narayanan et al. arXiv:2104.04473);
//! - `dp`: data-parallel replicas, with ZeRO stage `zero_stage` 0-3 sharding optimizer state,
//!   gradients and weights over `dp·cp` (Rajbhandari et al. arXiv:1910.02054);
//! - `cp`: context parallelism, splitting the sequence (ring attention);
//! - `ep`: expert parallelism for MoE layers, carved out of the `tp·cp·dp` GPUs of a stage;
//! - `micro_batch`: sequences per micro-batch `b`; `recompute`: activation recomputation.
//!
//! GPUs used = `tp·pp·dp·cp`.

use serde::Serialize;

pub use crate::workload::flops::Recompute;

/// One parallel plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Strategy {
    /// Tensor-parallel size.
    pub tp: u32,
    /// Pipeline-parallel stages.
    pub pp: u32,
    /// Data-parallel replicas.
    pub dp: u32,
    /// Expert-parallel size (1 for dense models).
    pub ep: u32,
    /// Context-parallel size.
    pub cp: u32,
    /// Sequences per micro-batch.
    pub micro_batch: u32,
    /// Virtual pipeline stages per GPU (1 = plain 1F1B).
    pub interleave: u32,
    /// Activation recomputation.
    pub recompute: Recompute,
    /// ZeRO stage 0-3.
    pub zero_stage: u8,
}

impl Strategy {
    /// GPUs the plan occupies.
    pub fn gpus(&self) -> u64 {
        u64::from(self.tp) * u64::from(self.pp) * u64::from(self.dp) * u64::from(self.cp)
    }

    /// A short human label, e.g. `TP8 PP16 DP128 EP1 CP1 mb1 v1 none Z1`.
    pub fn label(&self) -> String {
        format!(
            "TP{} PP{} DP{} EP{} CP{} mb{} v{} {} Z{}",
            self.tp,
            self.pp,
            self.dp,
            self.ep,
            self.cp,
            self.micro_batch,
            self.interleave,
            self.recompute.as_str(),
            self.zero_stage
        )
    }
}
