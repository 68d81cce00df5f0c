//! Plan types, a leaf of the crate (it imports nothing of ours): [`Strategy`], one parallel
//! training plan; [`Recompute`], its activation recomputation; [`SearchSpace`], the parts
//! of a plan the user fixed. `workload` (memory of a plan), `perf` (its step time) and
//! `parallel` (the search) all read these types, so none of them imports another for them.
//!
//! The names used for a plan across trainsim:
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

/// Activation recomputation mode (Korthikanti et al., arXiv:2205.05198).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Recompute {
    /// Keep every activation.
    None,
    /// Recompute the FFN activation function only (its output is not stored).
    Selective,
    /// Keep only each layer's input; recompute the whole forward pass.
    Full,
}

impl Recompute {
    /// All modes, cheapest in time first.
    pub const ALL: [Recompute; 3] = [Recompute::None, Recompute::Selective, Recompute::Full];
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Recompute::None => "none",
            Recompute::Selective => "selective",
            Recompute::Full => "full",
        }
    }
    /// Parse a name.
    pub fn parse(s: &str) -> Option<Recompute> {
        match s {
            "none" => Some(Recompute::None),
            "selective" => Some(Recompute::Selective),
            "full" => Some(Recompute::Full),
            _ => None,
        }
    }
}

/// Parts of the plan fixed by the user; `None` means "search".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchSpace {
    /// Fixed TP.
    pub tp: Option<u32>,
    /// Fixed PP.
    pub pp: Option<u32>,
    /// Fixed DP.
    pub dp: Option<u32>,
    /// Fixed EP.
    pub ep: Option<u32>,
    /// Fixed CP.
    pub cp: Option<u32>,
    /// Fixed micro-batch.
    pub micro_batch: Option<u32>,
    /// Fixed recompute mode.
    pub recompute: Option<Recompute>,
    /// Fixed ZeRO stage.
    pub zero_stage: Option<u8>,
    /// Fixed interleave.
    pub interleave: Option<u32>,
    /// Largest TP the software stack uses (searched values only).
    pub max_tp: Option<u32>,
    /// Largest PP the software stack uses (searched values only).
    pub max_pp: Option<u32>,
    /// Highest ZeRO stage the software stack has (searched values only).
    pub max_zero_stage: Option<u8>,
    /// Largest interleave the software stack has (searched values only).
    pub max_interleave: Option<u32>,
}
