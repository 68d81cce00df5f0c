//! `PublishedRun`: a training run or throughput benchmark with published figures, used by
//! `trainsim validate` (see `runs.toml` for the sources).

use serde::{Deserialize, Serialize};

/// What a published run reports, and so what `validate` compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunMetric {
    /// GPU-hours of a whole pre-training run.
    GpuHours,
    /// Model FLOPs utilisation against the dense BF16 peak, of a measured configuration.
    Mfu,
    /// Training tokens per GPU per second, of a measured configuration.
    TokensPerGpuS,
    /// Wall-clock hours of a whole pre-training run.
    TimeH,
}

impl RunMetric {
    /// Name as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            RunMetric::GpuHours => "gpu_hours",
            RunMetric::Mfu => "mfu_bf16",
            RunMetric::TokensPerGpuS => "tokens_per_gpu_s",
            RunMetric::TimeH => "time_h",
        }
    }
}

/// One published run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublishedRun {
    /// Run id.
    pub id: String,
    /// Model id in the model catalog.
    pub model: String,
    /// GPU id in the hardware catalog.
    pub gpu: String,
    /// GPUs used.
    pub gpus: u64,
    /// Training precision, `bf16` or `fp8`.
    pub precision: String,
    /// The year of the run's report; a row without `stack` is predicted with the typical
    /// stack of this year and a searched plan (the "typical" route: what an analyst who
    /// knows only architecture, chip, count, tokens, batch and year would get).
    pub year: i32,
    /// The run's own named software stack (the "named" route, published layout fixed).
    pub stack: Option<String>,
    /// `A`: the developers stated the duration; `B`: derived or assumed by a third party
    /// (`reference/public_runs.md`).
    pub tier: Option<String>,
    /// Sequence length, when it differs from the model's.
    pub seq_len: Option<u64>,
    /// Global batch, tokens (absent: trainsim's default batch).
    pub global_batch_tokens: Option<f64>,
    /// Training tokens, for whole runs.
    pub train_tokens: Option<f64>,
    /// What is reported.
    pub metric: RunMetric,
    /// The reported value.
    pub reported: f64,
    /// Published tensor-parallel size.
    pub tp: Option<u32>,
    /// Published pipeline-parallel size.
    pub pp: Option<u32>,
    /// Published data-parallel size.
    pub dp: Option<u32>,
    /// Published expert-parallel size.
    pub ep: Option<u32>,
    /// Published context-parallel size.
    pub cp: Option<u32>,
    /// Published micro-batch size.
    pub micro_batch: Option<u32>,
    /// Published ZeRO stage.
    pub zero_stage: Option<u8>,
    /// The reported figure is steady-state throughput × time (e.g. LLaMA's GPU-hours =
    /// tokens ÷ 380 tokens/s/GPU), so no whole-run overhead is counted against it.
    pub steady_state: Option<bool>,
    /// Published interleave (virtual pipeline stages per GPU).
    pub interleave: Option<u32>,
    /// Published recompute mode.
    pub recompute: Option<String>,
    /// Whether the run used fused (flash) attention; default true.
    pub flash_attention: Option<bool>,
    /// Whether the run used sequence parallelism with TP; default true.
    pub sequence_parallel: Option<bool>,
    /// Published fraction of expert all-to-all hidden behind compute.
    pub ep_overlap: Option<f64>,
    /// Published fraction of SMs given to communication.
    pub comm_sm_fraction: Option<f64>,
    /// Citation.
    pub source: String,
    /// Caveat.
    pub note: Option<String>,
}

/// The file layout: `[[run]]` entries.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunsFile {
    /// The runs.
    pub run: Vec<PublishedRun>,
}

/// The built-in published runs.
///
/// # Panics
/// Never in a released build: the embedded file is checked by the test suite.
pub fn builtin_runs() -> Vec<PublishedRun> {
    let f: RunsFile = toml::from_str(super::RUNS_TOML).expect("built-in runs.toml is valid");
    f.run
}
