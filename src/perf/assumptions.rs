//! The efficiency assumptions of the time model: named inputs with cited defaults.
//!
//! Defaults come from `reference/assumptions.md` (the "suggested defaults" of §1–§2, modes
//! of the PERT/triangular ranges) and are chosen per chip family where the evidence is per
//! chip. The overlap fractions and the per-layer kernel overhead have no direct measurement;
//! they were fitted once on the calibration runs of `src/catalog/runs.toml` (see the README,
//! "Calibration") and then frozen. Every field can be overridden from the command line or a
//! scenario's `[efficiency]` table.

use serde::{Deserialize, Serialize};

use crate::catalog::stack::FlashVersion;
use crate::catalog::{GpuSpec, Precision, StackSpec};

/// Efficiency assumptions: fractions of a peak, overlaps and latencies.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Efficiency {
    /// Large-GEMM throughput as a fraction of the dense peak of the training precision.
    pub matmul: f64,
    /// Flash-attention throughput as a fraction of the dense BF16 peak.
    pub attention: f64,
    /// Achieved fraction of HBM bandwidth for memory-bound kernels.
    pub memory: f64,
    /// Ring collective bus bandwidth as a fraction of one-direction NVLink.
    pub nvlink: f64,
    /// Achieved fraction of the scale-out NIC line rate.
    pub scaleout: f64,
    /// MoE all-to-all inside a node, fraction of one-direction NVLink.
    pub a2a_intra: f64,
    /// MoE all-to-all across nodes, fraction of the NIC line rate.
    pub a2a_inter: f64,
    /// Per-step latency of a ring collective inside a node, seconds.
    pub alpha_intra_s: f64,
    /// Per-step latency of a ring collective across nodes, seconds.
    pub alpha_inter_s: f64,
    /// Fraction of tensor-parallel communication hidden behind compute.
    pub tp_overlap: f64,
    /// Fraction of data-parallel communication that can hide behind backward compute.
    pub dp_overlap: f64,
    /// Fraction of expert-parallel all-to-all hidden behind compute.
    pub ep_overlap: f64,
    /// Fraction of pipeline point-to-point transfers hidden behind compute.
    pub pp_overlap: f64,
    /// Fraction of context-parallel K/V exchange hidden behind attention.
    pub cp_overlap: f64,
    /// Fraction of the GPU's SMs that overlapped all-to-all kernels take from compute.
    pub comm_sm_fraction: f64,
    /// Routed tokens of the busiest GPU of an expert-parallel group ÷ the mean (≥ 1).
    #[serde(default = "one")]
    pub moe_imbalance: f64,
    /// Fixed cost per transformer layer per micro-batch pass (kernel launches, small
    /// kernels, synchronisation), seconds.
    pub layer_overhead_s: f64,
    /// Fused attention (FlashAttention, Dao et al. 2022) that never writes the `s×s`
    /// scores to memory. `false` models the materialised softmax of 2021-era frameworks.
    pub flash_attention: bool,
    /// Sequence parallelism with tensor parallelism (Korthikanti et al., arXiv:2205.05198):
    /// norms, dropout and residuals split across the TP group. `false` replicates them on
    /// every TP rank, as Megatron-LM did before 2022.
    pub sequence_parallel: bool,
    /// FP8 quantisation overhead: FP8 GEMM time × (1 + this) for casts and scaling.
    #[serde(default)]
    pub fp8_overhead: f64,
    /// Pipeline bubble of the schedule ÷ the 1F1B bubble (1; 1/3 for zero-bubble and
    /// DualPipe schedules, see `catalog::stack::Schedule`).
    #[serde(default = "one")]
    pub bubble_factor: f64,
    /// Skip the mechanistic model: the end-to-end MFU against the training-precision peak.
    pub mfu: Option<f64>,
}

fn one() -> f64 {
    1.0
}

/// Efficiency of `stack` on `gpu` at `precision`: the chip's best-shape GEMM efficiency and
/// memory and link figures ([`Efficiency::defaults_for`]), with the stack's kernels,
/// overlaps and features.
pub fn stack_efficiency(stack: &StackSpec, gpu: &GpuSpec, precision: Precision) -> Efficiency {
    let mut e = Efficiency::defaults_for(gpu, precision);
    let best_shape = e.matmul / CALIBRATED.training_gemm_factor;
    e.matmul = best_shape * stack.gemm_factor;
    e.flash_attention = stack.flash_attention != FlashVersion::None;
    if e.flash_attention {
        e.attention = stack.flash_attention.attention_efficiency(is_hopper(gpu));
    }
    e.sequence_parallel = stack.sequence_parallel;
    e.nvlink *= stack.comm_factor;
    e.scaleout *= stack.comm_factor;
    e.a2a_intra *= stack.comm_factor;
    e.a2a_inter *= stack.comm_factor;
    e.tp_overlap = stack.tp_overlap;
    e.dp_overlap = stack.dp_overlap;
    e.pp_overlap = stack.pp_overlap;
    e.ep_overlap = stack.ep_overlap;
    e.cp_overlap = stack.cp_overlap;
    e.comm_sm_fraction = stack.comm_sm_fraction;
    e.fp8_overhead = stack.fp8_overhead;
    e.bubble_factor = stack.schedule.bubble_factor();
    e
}

/// Whether `gpu` is a Hopper-generation part (for kernel generations that need Hopper).
pub fn is_hopper(gpu: &GpuSpec) -> bool {
    matches!(family(gpu), "hopper" | "h20")
}

/// Chip family, for the per-family defaults of `reference/assumptions.md` §1.
fn family(gpu: &GpuSpec) -> &'static str {
    let id = gpu.id.as_str();
    if id.starts_with("a100") || id.starts_with("a800") {
        "ampere"
    } else if id.starts_with("h100") || id.starts_with("h800") || id.starts_with("h200") {
        "hopper"
    } else if id == "h20" {
        "h20"
    } else if id.starts_with("b200") || id.starts_with("gb200") {
        "blackwell"
    } else if id.starts_with("ascend") {
        "ascend"
    } else {
        "other"
    }
}

impl Efficiency {
    /// Defaults for `gpu` at `precision` (modes of `reference/assumptions.md` §7).
    pub fn defaults_for(gpu: &GpuSpec, precision: Precision) -> Efficiency {
        let fam = family(gpu);
        // Best-shape GEMM efficiency (`reference/assumptions.md` §1a, MLENG-MAMF "maximum
        // achievable matmul"): A100 BF16 0.869, H100/H800/H200 BF16 0.803 and FP8 0.709,
        // B200 BF16 0.776 and FP8 0.763. No measurement exists for the H20 (0.85 assumed:
        // low-peak parts reach 0.84–0.97, §1a), the Ascend 910B (0.70 assumed, §1a) or the
        // other chips (0.80 assumed). Training GEMMs are not best-shape: the fitted
        // `CALIBRATED.training_gemm_factor` scales all of them alike.
        let best_shape = match (fam, precision) {
            ("ampere", _) => 0.869,
            ("hopper", Precision::Bf16) => 0.803,
            ("hopper", Precision::Fp8) => 0.709,
            ("blackwell", Precision::Bf16) => 0.776,
            ("blackwell", Precision::Fp8) => 0.763,
            ("h20", _) => 0.85,
            ("ascend", _) => 0.70,
            _ => 0.80,
        };
        let matmul = best_shape * CALIBRATED.training_gemm_factor;
        // §1b: FlashAttention-2 on A100 0.65; Hopper BF16 mode 0.60; others assumed as Hopper.
        let attention = if fam == "ampere" { 0.65 } else { 0.35 };
        Efficiency {
            matmul,
            attention,
            memory: 0.70,    // §1 efficiency.memory mode (DeepGEMM memory-bound, H800)
            nvlink: 0.80,    // §2a mode (A100 235/300, H100 ~370/450, H800 160/200)
            scaleout: 0.85,  // §2b mode
            a2a_intra: 0.77, // §2a DeepEP intranode 153–158 of 200 GB/s
            a2a_inter: 0.86, // §2b DeepEP internode 43–51 of 50 GB/s
            alpha_intra_s: 3.4e-6, // §2c NCCL ring Simple, NVLink
            alpha_inter_s: 14e-6, // §2c NCCL ring Simple, network
            tp_overlap: CALIBRATED.tp_overlap,
            dp_overlap: CALIBRATED.dp_overlap,
            ep_overlap: CALIBRATED.ep_overlap,
            pp_overlap: CALIBRATED.pp_overlap,
            cp_overlap: CALIBRATED.cp_overlap,
            moe_imbalance: CALIBRATED.moe_imbalance,
            comm_sm_fraction: 0.08, // §2c triangular mode (DeepEP V2 4–6 SMs .. DeepSeek-V3 20 of 132)
            layer_overhead_s: CALIBRATED.layer_overhead_s,
            flash_attention: true,
            sequence_parallel: true,
            fp8_overhead: 0.0,
            bubble_factor: 1.0,
            mfu: None,
        }
    }
}

/// The fitted constants (no direct measurement exists for these).
pub struct Calibrated {
    /// Training-shape GEMM throughput ÷ best-shape GEMM throughput.
    pub training_gemm_factor: f64,
    /// See [`Efficiency::tp_overlap`].
    pub tp_overlap: f64,
    /// See [`Efficiency::dp_overlap`].
    pub dp_overlap: f64,
    /// See [`Efficiency::ep_overlap`].
    pub ep_overlap: f64,
    /// See [`Efficiency::pp_overlap`].
    pub pp_overlap: f64,
    /// See [`Efficiency::cp_overlap`].
    pub cp_overlap: f64,
    /// See [`Efficiency::moe_imbalance`].
    pub moe_imbalance: f64,
    /// See [`Efficiency::layer_overhead_s`].
    pub layer_overhead_s: f64,
}

/// Fitted once on the calibration runs of `runs.toml` and frozen; see the README.
pub const CALIBRATED: Calibrated = Calibrated {
    training_gemm_factor: 0.80,
    tp_overlap: 0.0,
    dp_overlap: 0.9,
    ep_overlap: 0.5,
    pp_overlap: 0.0,
    cp_overlap: 0.0,
    moe_imbalance: 1.4,
    layer_overhead_s: 0.0,
};

/// Reliability assumptions (`reference/assumptions.md` §3).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reliability {
    /// Unexpected job-stopping interruptions per GPU-hour. Default: Llama 3 405B, 419
    /// unexpected interruptions in 54 days on 16,384 H100 (arXiv:2407.21783 §3.3.4):
    /// 419 / (16,384 · 54 · 24) = 1.973e-5.
    pub interruptions_per_gpu_hour: f64,
    /// Checkpoint size per parameter, bytes (BF16 weights + FP32 Adam = 14; ZeRO §3.1).
    pub checkpoint_bytes_per_param: f64,
    /// Storage write bandwidth per GPU, bytes/s (Llama 3: 2 TB/s sustained / 16,384 GPUs).
    pub storage_bytes_per_s_per_gpu: f64,
    /// Time to detect a failure, reschedule and reload, seconds (MegaScale "<10 minutes").
    pub restart_s: f64,
}

impl Default for Reliability {
    fn default() -> Self {
        Reliability {
            interruptions_per_gpu_hour: 419.0 / (16_384.0 * 54.0 * 24.0),
            checkpoint_bytes_per_param: 14.0,
            storage_bytes_per_s_per_gpu: 122e6,
            restart_s: 600.0,
        }
    }
}
