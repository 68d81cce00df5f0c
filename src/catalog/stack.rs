//! `StackSpec`: a training software stack as data — what the software of a lab or an era
//! could do (fused attention and its version, sequence parallelism, communication overlap,
//! ZeRO/FSDP, FP8 recipe, pipeline schedule, kernel and communication efficiency) and how
//! much wall time a whole run spends outside steady-state steps.
//!
//! The entries live in `stacks.toml` beside this module, each with its sources. Two kinds:
//! *named* stacks describe one lab's or framework's software as published (Megatron-LM 2021,
//! DeepSeek-V3, Llama 3, …); *typical* stacks (`typical-2021` … `typical-2026`) describe what
//! a run of that year usually had. `perf::assumptions::stack_efficiency` turns a stack into
//! the time model's efficiency (so this data layer imports nothing of the time model);
//! [`StackSpec::space`] limits the plan search to what the stack can run.

use serde::{Deserialize, Serialize};

use crate::catalog::{GpuSpec, Precision};
use crate::plan::SearchSpace;

/// Fused-attention kernel generation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FlashVersion {
    /// Materialised `s×s` scores (2021-era frameworks).
    None,
    /// FlashAttention (Dao et al., arXiv:2205.14135, May 2022).
    Fa1,
    /// FlashAttention-2 (arXiv:2307.08691, July 2023).
    Fa2,
    /// FlashAttention-3 (arXiv:2407.08608, July 2024; Hopper only, FA2 elsewhere).
    Fa3,
}

impl FlashVersion {
    /// Name as written in `stacks.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            FlashVersion::None => "none",
            FlashVersion::Fa1 => "fa1",
            FlashVersion::Fa2 => "fa2",
            FlashVersion::Fa3 => "fa3",
        }
    }

    /// Attention-core throughput as a fraction of the dense BF16 peak
    /// (`reference/assumptions.md` §1b): FlashAttention "25–40%" of the A100's peak (FA2
    /// paper, abstract; the top of the range, 0.40, as the kernels matured); FlashAttention-2
    /// 0.65 on the A100 (the §7 mode of its 50–73%) and 0.35 on Hopper (FA3 abstract: "only
    /// 35% utilization"); FlashAttention-3 0.75 on Hopper (FA3 abstract, BF16, forward) —
    /// 0.60 here, the §7 Hopper mode, since the backward pass runs slower — and FA2 figures
    /// elsewhere (FA3 needs Hopper). FA1 on Hopper: 0.25, the same absolute rate as on the
    /// A100 scaled by the FA2 ratio (0.35/0.65 × 0.40 ≈ 0.22, rounded up; no measurement).
    /// `None` is not used: unfused attention is timed as GEMMs plus softmax traffic.
    pub fn attention_efficiency(self, hopper: bool) -> f64 {
        match (self, hopper) {
            (FlashVersion::None, _) => 0.0,
            (FlashVersion::Fa1, false) => 0.40,
            (FlashVersion::Fa1, true) => 0.25,
            (FlashVersion::Fa2, false) | (FlashVersion::Fa3, false) => 0.65,
            (FlashVersion::Fa2, true) => 0.35,
            (FlashVersion::Fa3, true) => 0.60,
        }
    }
}

/// Pipeline schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Schedule {
    /// 1F1B (PipeDream-Flush; Narayanan et al., arXiv:2104.04473 §2.2.1): bubble `(p−1)`
    /// slots, `(p−1)/v` with `v` interleaved virtual stages.
    #[serde(rename = "1f1b")]
    OneFOneB,
    /// Zero-bubble pipeline (Qi et al., arXiv:2401.10241, ZB-H1): backward split into input
    /// and weight gradients fills the bubble; bubble `(p−1)(F+B−2W)`.
    ZeroBubble,
    /// DualPipe (DeepSeek-V3, arXiv:2412.19437 §3.2.1, Table 2): bubble
    /// `(p/2−1)(F&B+B−3W)`, with forward and backward chunks overlapping their all-to-all.
    Dualpipe,
}

impl Schedule {
    /// Name as written in `stacks.toml`.
    pub fn as_str(self) -> &'static str {
        match self {
            Schedule::OneFOneB => "1f1b",
            Schedule::ZeroBubble => "zero-bubble",
            Schedule::Dualpipe => "dualpipe",
        }
    }

    /// Bubble of this schedule ÷ the 1F1B bubble, with the chunk times of a transformer
    /// layer: forward `F = 1`, backward `B = 2` of which the weight-gradient part `W = 1`,
    /// and an overlapped forward-and-backward chunk `F&B = F + B = 3`. 1F1B: `(p−1)(F+B)
    /// = 3(p−1)`. ZB-H1: `(p−1)(F+B−2W) = (p−1)`, so 1/3. DualPipe: `(p/2−1)(F&B+B−3W) =
    /// 2(p/2−1) = (p−2)`, so `(p−2)/(3(p−1))`, which is below 1/3 for every `p`; 1/3 is
    /// used as a conservative single figure (DualPipe also holds two copies of the
    /// parameters, which this model does not charge).
    pub fn bubble_factor(self) -> f64 {
        match self {
            Schedule::OneFOneB => 1.0,
            Schedule::ZeroBubble | Schedule::Dualpipe => 1.0 / 3.0,
        }
    }
}

/// A triangular distribution `(low, mode, high)` of a fraction.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Triangle {
    /// Smallest value.
    pub low: f64,
    /// Most likely value.
    pub mode: f64,
    /// Largest value.
    pub high: f64,
}

impl Triangle {
    /// Quantile `u ∈ [0, 1]` (inverse CDF).
    pub fn quantile(&self, u: f64) -> f64 {
        let (a, c, b) = (self.low, self.mode, self.high);
        if b <= a {
            return a;
        }
        let fc = (c - a) / (b - a);
        if u < fc {
            a + (u * (b - a) * (c - a)).sqrt()
        } else {
            b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
        }
    }

    /// Median.
    pub fn median(&self) -> f64 {
        self.quantile(0.5)
    }
}

/// How the error band of an answer was fitted (`validate` recomputes it; a test checks that
/// the stored figures match).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorBand {
    /// Standard deviation of `ln(reported / predicted)` by leave-one-out cross-validation
    /// over the rows the stack's group predicts, including the spread of the run overhead.
    pub log_sd: f64,
}

/// One software stack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StackSpec {
    /// Stack id (the table key).
    #[serde(default)]
    pub id: String,
    /// Human-readable name.
    pub name: String,
    /// `named` (one lab's or framework's published software) or `typical` (an era).
    pub kind: StackKind,
    /// The year the stack describes.
    pub year: i32,
    /// Fused attention.
    pub flash_attention: FlashVersion,
    /// Sequence parallelism with tensor parallelism (Korthikanti et al., arXiv:2205.05198).
    pub sequence_parallel: bool,
    /// Pipeline schedule.
    pub schedule: Schedule,
    /// Largest interleave (virtual pipeline stages per GPU); 1 = no interleaving.
    pub max_interleave: u32,
    /// Largest tensor-parallel size the stack uses (1: no tensor parallelism, as FSDP).
    pub max_tp: u32,
    /// Largest pipeline-parallel size (1: no pipeline parallelism, as FSDP).
    pub max_pp: u32,
    /// Highest ZeRO stage (distributed optimizer = 1, FSDP = 3).
    pub max_zero_stage: u8,
    /// Fraction of TP communication hidden behind compute.
    pub tp_overlap: f64,
    /// Fraction of DP communication that may hide behind the last backward pass.
    pub dp_overlap: f64,
    /// Fraction of pipeline sends hidden.
    pub pp_overlap: f64,
    /// Fraction of expert all-to-all hidden.
    pub ep_overlap: f64,
    /// Fraction of context-parallel exchange hidden.
    pub cp_overlap: f64,
    /// Share of SMs given to overlapped communication kernels.
    pub comm_sm_fraction: f64,
    /// Whether the stack has an FP8 training recipe; without one, FP8 runs in BF16.
    pub fp8: bool,
    /// FP8 quantisation overhead: FP8 GEMM time × (1 + this).
    pub fp8_overhead: f64,
    /// Training-shape GEMM throughput ÷ best-shape (MAMF) throughput.
    pub gemm_factor: f64,
    /// Multiplier on the achieved fraction of every link's bandwidth.
    pub comm_factor: f64,
    /// Whole-run overhead: fraction of wall time outside steady-state steps beyond the
    /// Young/Daly failure term (evaluation, checkpoint stalls, restarts for software or
    /// hardware changes, data stalls, loss-spike rollbacks, ramp-up).
    pub overhead: Triangle,
    /// Fitted whole-run time multiplier (1 = none): what the public record's whole runs of
    /// this kind take beyond the mechanistic model; `fitted_on` says on what.
    #[serde(default = "one")]
    pub time_factor: f64,
    /// The model-error band of answers with this stack.
    pub error: ErrorBand,
    /// What `time_factor` and `error` were fitted on.
    pub fitted_on: String,
    /// Sources of every figure.
    pub source: String,
    /// Caveats.
    #[serde(default)]
    pub note: Option<String>,
}

fn one() -> f64 {
    1.0
}

/// Named or typical.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StackKind {
    /// One lab's or framework's published software.
    Named,
    /// What a run of its year usually had.
    Typical,
}

impl StackKind {
    /// Name as written.
    pub fn as_str(self) -> &'static str {
        match self {
            StackKind::Named => "named",
            StackKind::Typical => "typical",
        }
    }
}

/// z of the 95th percentile of a standard normal.
pub const Z95: f64 = 1.644_853_626_951_472_2;

impl StackSpec {
    /// The search space the stack allows, with the user's fixed values on top.
    pub fn space(&self, fixed: SearchSpace) -> SearchSpace {
        SearchSpace {
            max_tp: Some(self.max_tp),
            max_pp: Some(self.max_pp),
            max_zero_stage: Some(self.max_zero_stage),
            max_interleave: Some(self.max_interleave),
            ..fixed
        }
    }

    /// The precision a run asked for `precision` trains at under this stack on `gpu`:
    /// BF16 when either lacks FP8.
    pub fn precision(&self, gpu: &GpuSpec, precision: Precision) -> Precision {
        match precision {
            Precision::Fp8 if !self.fp8 || gpu.fp8_dense_tflops.is_none() => Precision::Bf16,
            p => p,
        }
    }

    /// Whole-run time multiplier at overhead fraction `overhead`:
    /// `time_factor / (1 − overhead)`.
    pub fn run_factor(&self, overhead: f64) -> f64 {
        self.time_factor / (1.0 - overhead.clamp(0.0, 0.95))
    }

    /// The fraction-valued fields, by key, for validation.
    pub fn fractions(&self) -> [(&'static str, f64); 9] {
        [
            ("tp_overlap", self.tp_overlap),
            ("dp_overlap", self.dp_overlap),
            ("pp_overlap", self.pp_overlap),
            ("ep_overlap", self.ep_overlap),
            ("cp_overlap", self.cp_overlap),
            ("comm_sm_fraction", self.comm_sm_fraction),
            ("overhead.low", self.overhead.low),
            ("overhead.mode", self.overhead.mode),
            ("overhead.high", self.overhead.high),
        ]
    }

    /// The multiplier of the p5 and p95 of an answer over its point (median) value.
    pub fn band(&self) -> (f64, f64) {
        (
            (-Z95 * self.error.log_sd).exp(),
            (Z95 * self.error.log_sd).exp(),
        )
    }
}
