//! `ModelSpec`: a transformer architecture in the model-file format of DESIGN.md §3.
//!
//! The same struct reads a `--model FILE.toml`, a scenario's inline `[model]` table and an
//! entry of `src/catalog/models.toml`. It holds no derived numbers: parameter counts and
//! FLOPs come from [`crate::workload`].

use serde::{Deserialize, Serialize};

use crate::error::InputError;

/// Feed-forward block type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum FfnKind {
    /// Two matrices (up, down) with a GeLU (or ReLU) between: `2·h·f` parameters.
    #[default]
    Gelu,
    /// Three matrices (gate, up, down): `3·h·f` parameters.
    Swiglu,
}

impl FfnKind {
    /// Number of `h × f` weight matrices in one FFN.
    pub fn matrices(self) -> f64 {
        match self {
            FfnKind::Gelu => 2.0,
            FfnKind::Swiglu => 3.0,
        }
    }
}

/// Mixture-of-experts layout.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MoeSpec {
    /// Routed experts per MoE layer.
    pub experts: u32,
    /// Routed experts each token is sent to (top-k).
    pub experts_per_token: u32,
    /// Always-active shared experts per MoE layer.
    #[serde(default)]
    pub shared_experts: u32,
    /// FFN width of one expert.
    pub expert_ffn_hidden: u64,
    /// Leading dense layers (DeepSeek's `first_k_dense_replace`).
    #[serde(default)]
    pub dense_layers: u32,
    /// Every n-th remaining layer is MoE (Llama 4 Maverick: 2).
    #[serde(default = "one")]
    pub layer_freq: u32,
}

fn one() -> u32 {
    1
}

/// A transformer decoder.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Catalog id (the table name) or the file stem; filled in by the loader.
    #[serde(default, skip_deserializing)]
    pub id: String,
    /// Display name.
    pub name: String,
    /// Transformer layers.
    pub layers: u32,
    /// Hidden size `h`.
    pub d_model: u64,
    /// Attention (query) heads `a`.
    pub heads: u32,
    /// Key/value heads `g` (default: `heads`).
    pub kv_heads: Option<u32>,
    /// Per-head dimension (default: `d_model / heads`).
    pub head_dim: Option<u64>,
    /// Per-head width of the attention-score work (`QKᵀ` and `AV`) when it differs from
    /// `head_dim`: MLA (DeepSeek-V2/V3, Kimi K2) scores with 192-wide queries and keys and
    /// 128-wide values, so (192 + 128)/2 = 160. Used for attention FLOPs and time only.
    pub attention_head_dim: Option<u64>,
    /// Dense FFN width `f` (default: `4·d_model`).
    pub ffn_hidden: Option<u64>,
    /// FFN type.
    #[serde(default)]
    pub ffn_kind: FfnKind,
    /// Vocabulary size `V`.
    pub vocab: u64,
    /// Training sequence length `s`.
    pub seq_len: u64,
    /// Input and output embeddings share one matrix.
    #[serde(default)]
    pub tied_embeddings: bool,
    /// Multi-token-prediction modules trained alongside (DeepSeek-V3: 1). Each adds one
    /// transformer layer and one output-head pass of work per token; not counted in the
    /// parameter counts or model FLOPs, which follow the published convention.
    #[serde(default)]
    pub mtp_depth: u32,
    /// Override of the derived total parameter count.
    pub params: Option<f64>,
    /// Override of the derived active parameter count (per token).
    pub active_params: Option<f64>,
    /// Published total parameter count (documentation and tests only).
    pub published_params: Option<f64>,
    /// Published active parameter count (documentation and tests only).
    pub published_active_params: Option<f64>,
    /// Citation(s).
    #[serde(default)]
    pub source: Option<String>,
    /// Mixture-of-experts layout, for MoE models.
    pub moe: Option<MoeSpec>,
}

impl ModelSpec {
    /// KV heads `g`.
    pub fn kv_heads(&self) -> u32 {
        self.kv_heads.unwrap_or(self.heads)
    }
    /// Head dimension.
    pub fn head_dim(&self) -> u64 {
        self.head_dim
            .unwrap_or(self.d_model / u64::from(self.heads.max(1)))
    }
    /// Per-head width of the attention scores.
    pub fn attention_head_dim(&self) -> u64 {
        self.attention_head_dim.unwrap_or_else(|| self.head_dim())
    }
    /// Dense FFN width.
    pub fn ffn_hidden(&self) -> u64 {
        self.ffn_hidden.unwrap_or(4 * self.d_model)
    }
    /// Whether any layer is MoE.
    pub fn is_moe(&self) -> bool {
        self.moe.is_some()
    }

    /// Check the numbers make a model: positive sizes, consistent heads, a sane MoE block.
    /// The error names the key.
    pub fn validate(&self) -> Result<(), InputError> {
        let positive: [(&str, u64); 5] = [
            ("layers", u64::from(self.layers)),
            ("d_model", self.d_model),
            ("heads", u64::from(self.heads)),
            ("vocab", self.vocab),
            ("seq_len", self.seq_len),
        ];
        for (key, v) in positive {
            if v == 0 {
                return Err(InputError::new("must be at least 1").at_key(key));
            }
        }
        if self.kv_heads() == 0 || self.heads % self.kv_heads() != 0 {
            return Err(InputError::new(format!(
                "kv_heads {} must divide heads {}",
                self.kv_heads(),
                self.heads
            ))
            .at_key("kv_heads")
            .with_hint(
                "grouped-query attention shares each KV head among heads / kv_heads query heads",
            ));
        }
        if self.head_dim.is_none() && self.d_model % u64::from(self.heads) != 0 {
            return Err(InputError::new(format!(
                "heads {} does not divide d_model {}: the default head dimension d_model / heads is not whole",
                self.heads, self.d_model
            ))
            .at_key("heads")
            .with_hint("use heads that divide d_model, or set head_dim when heads × head_dim differs from d_model"));
        }
        if self.head_dim() == 0 {
            return Err(InputError::new("head dimension is 0")
                .at_key("head_dim")
                .with_hint("set head_dim, or make d_model at least heads"));
        }
        if self.ffn_hidden == Some(0) && self.moe.is_none() {
            return Err(InputError::new("must be at least 1").at_key("ffn_hidden"));
        }
        for (key, v) in [
            ("params", self.params),
            ("active_params", self.active_params),
        ] {
            if let Some(v) = v {
                if !(v.is_finite() && v > 0.0) {
                    return Err(
                        InputError::new(format!("must be a positive number, got {v}")).at_key(key),
                    );
                }
            }
        }
        if let (Some(p), Some(a)) = (self.params, self.active_params) {
            if a > p {
                return Err(
                    InputError::new(format!("active_params {a:e} exceeds params {p:e}"))
                        .at_key("active_params"),
                );
            }
        }
        if let Some(moe) = &self.moe {
            if moe.experts == 0 || moe.expert_ffn_hidden == 0 || moe.layer_freq == 0 {
                return Err(InputError::new(
                    "experts, expert_ffn_hidden and layer_freq must be at least 1",
                )
                .at_key("moe"));
            }
            if moe.experts_per_token == 0 || moe.experts_per_token > moe.experts {
                return Err(InputError::new(format!(
                    "experts_per_token {} must be between 1 and experts {}",
                    moe.experts_per_token, moe.experts
                ))
                .at_key("moe.experts_per_token"));
            }
            if moe.dense_layers > self.layers {
                return Err(InputError::new(format!(
                    "dense_layers {} exceeds layers {}",
                    moe.dense_layers, self.layers
                ))
                .at_key("moe.dense_layers"));
            }
        }
        Ok(())
    }
}
