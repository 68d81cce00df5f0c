//! Memory per GPU for a given parallel plan: weights, gradients, optimizer state,
//! activations, logits and the framework reserve its caller gives (a hardware fact).
//!
//! - Model state (ZeRO, Rajbhandari et al. arXiv:1910.02054 §3.1): BF16 weights 2 B/param,
//!   FP32 gradients 4 B, Adam FP32 master + m + v 12 B. Dense parameters are split by
//!   `tp·pp`, routed experts by `ep·pp`; ZeRO 1/2/3 further shard optimizer / + gradients /
//!   + weights over the data-parallel group (`dp·cp`, or `dp·cp·tp/ep` for experts).
//! - Activations (Korthikanti et al. arXiv:2205.05198 Table 2, with sequence parallelism, so
//!   every term divides by `t`): per layer per micro-batch `s·b·h·34` bytes for a GPT layer
//!   with flash attention, which never stores the `5·a·s/h` score term (Dao, arXiv:2307.08691).
//!   The 34 generalises to GQA and other FFN widths term by term: attention
//!   `3h + 4·a·d + 4·g·d`, FFN `3h + 4f` (GeLU) or `3h + 6f` (SwiGLU), norms `4h`. Selective
//!   recompute drops the activation-function output (`2f`); full recompute keeps only the
//!   layer input `2·s·b·h`. With 1F1B the first stage holds `min(p, m)` micro-batches in
//!   flight, times `1 + (p−1)/(p·v)` when interleaved.
//! - Logits `s·b·V·4/t` bytes (FP32) on the last stage.

use super::params::ParamCounts;
use crate::catalog::ModelSpec;
use crate::plan::{Recompute, Strategy};

/// Bytes per parameter of BF16 weights.
pub const WEIGHT_BYTES: f64 = 2.0;
/// Bytes per parameter of FP32 gradients.
pub const GRAD_BYTES: f64 = 4.0;
/// Bytes per parameter of Adam state (FP32 master, momentum, variance).
pub const OPTIMIZER_BYTES: f64 = 12.0;

/// Memory of the busiest GPU, bytes.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct MemoryBreakdown {
    /// Weights.
    pub weights_bytes: f64,
    /// Gradients.
    pub grads_bytes: f64,
    /// Optimizer state.
    pub optimizer_bytes: f64,
    /// Stored activations, including logits.
    pub activations_bytes: f64,
    /// Framework reserve (CUDA context, communication buffers, fragmentation).
    pub reserve_bytes: f64,
}

impl MemoryBreakdown {
    /// Everything together.
    pub fn total_bytes(&self) -> f64 {
        self.weights_bytes
            + self.grads_bytes
            + self.optimizer_bytes
            + self.activations_bytes
            + self.reserve_bytes
    }
}

/// Shape numbers of a model the memory and time models reuse in the plan-search loop.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// Layers.
    pub layers: f64,
    /// Hidden size.
    pub h: f64,
    /// Query heads.
    pub heads: f64,
    /// Key/value heads.
    pub kv_heads: f64,
    /// Query heads × head dimension.
    pub q_width: f64,
    /// Query heads × attention-score head dimension (differs from `q_width` for MLA).
    pub score_width: f64,
    /// KV heads × head dimension.
    pub kv_width: f64,
    /// Dense FFN width.
    pub f: f64,
    /// FFN matrices (2 GeLU, 3 SwiGLU).
    pub ffn_mult: f64,
    /// Vocabulary.
    pub vocab: f64,
    /// Expert FFN width (0 for dense).
    pub f_expert: f64,
    /// Routed experts per MoE layer (0 for dense).
    pub experts: f64,
    /// Experts active per token (top-k).
    pub k: f64,
    /// Shared experts.
    pub shared: f64,
    /// Multi-token-prediction modules (extra layers of work on the last stage).
    pub mtp_depth: f64,
    /// Fraction of layers that are MoE.
    pub moe_fraction: f64,
    /// Non-expert parameters per layer, on average (overrides applied).
    pub dense_params_per_layer: f64,
    /// Routed-expert parameters per layer, on average (overrides applied).
    pub expert_params_per_layer: f64,
    /// Embedding parameters held by the first stage (`V·h`).
    pub embedding_params: f64,
    /// Output-head parameters when untied, else 0.
    pub head_params: f64,
}

impl Shape {
    /// Shape numbers of `m`.
    pub fn of(m: &ModelSpec, p: &ParamCounts) -> Shape {
        let layers = f64::from(m.layers);
        let scale = if p.derived_total > 0.0 {
            p.total / p.derived_total
        } else {
            1.0
        };
        let expert_total = p.routed_expert_params();
        let dense_total =
            (p.total - expert_total - p.input_embedding * scale - p.output_head * scale).max(0.0);
        let (f_expert, k, shared) = match &m.moe {
            Some(moe) => (
                moe.expert_ffn_hidden as f64,
                f64::from(moe.experts_per_token),
                f64::from(moe.shared_experts),
            ),
            None => (0.0, 0.0, 0.0),
        };
        Shape {
            layers,
            h: m.d_model as f64,
            heads: f64::from(m.heads),
            kv_heads: f64::from(m.kv_heads()),
            q_width: f64::from(m.heads) * m.head_dim() as f64,
            score_width: f64::from(m.heads) * m.attention_head_dim() as f64,
            kv_width: f64::from(m.kv_heads()) * m.head_dim() as f64,
            f: m.ffn_hidden() as f64,
            ffn_mult: m.ffn_kind.matrices(),
            vocab: m.vocab as f64,
            f_expert,
            experts: p.experts,
            k,
            shared,
            mtp_depth: f64::from(m.mtp_depth),
            moe_fraction: p.moe_layers / layers,
            dense_params_per_layer: dense_total / layers,
            expert_params_per_layer: expert_total / layers,
            embedding_params: p.input_embedding,
            head_params: p.output_head,
        }
    }

    /// Activation bytes per token per layer, before dividing by `tp` (Korthikanti Table 2,
    /// generalised; see the module doc).
    pub fn activation_bytes_per_token_layer(
        &self,
        recompute: Recompute,
        opts: ActivationOptions,
        seq_len: f64,
    ) -> f64 {
        if recompute == Recompute::Full {
            return 2.0 * self.h;
        }
        // Without fused attention the scores are stored: 5·a·s bytes per token (Korthikanti).
        let scores = if opts.flash_attention || recompute == Recompute::Selective {
            0.0
        } else {
            5.0 * opts.heads * seq_len
        };
        let attention = 3.0 * self.h + 4.0 * self.q_width + 4.0 * self.kv_width;
        let act_out = 2.0; // bytes per FFN element of the activation-function output
        let ffn_elems = |f: f64| -> f64 {
            // GeLU: input 2f + output 2f; SwiGLU: gate 2f + up 2f + product 2f.
            let full = if self.ffn_mult > 2.5 {
                6.0 * f
            } else {
                4.0 * f
            };
            if recompute == Recompute::Selective {
                full - act_out * f
            } else {
                full
            }
        };
        let dense_ffn = 3.0 * self.h + ffn_elems(self.f);
        let moe_ffn = 3.0 * self.h
            + self.k * (2.0 * self.h + ffn_elems(self.f_expert))
            + ffn_elems(self.shared * self.f_expert);
        let ffn = (1.0 - self.moe_fraction) * dense_ffn + self.moe_fraction * moe_ffn;
        let total = attention + ffn + 4.0 * self.h;
        // FP8 training caches the inputs of its FP8 GEMMs in FP8 (DeepSeek-V3 §3.3.3,
        // Transformer Engine): about half the bytes above are GEMM inputs, halved again.
        let total = if opts.fp8 { 0.75 * total } else { total };
        total + scores
    }
}

/// What besides the recompute mode decides the activation bytes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ActivationOptions {
    /// Fused attention: the `s×s` scores are never stored.
    pub flash_attention: bool,
    /// FP8 training: GEMM inputs cached in FP8.
    pub fp8: bool,
    /// Attention heads `a`.
    pub heads: f64,
    /// Sequence parallelism: without it, 10·s·b·h bytes a layer are replicated on every TP
    /// rank (Korthikanti et al. Table 2, "tensor parallel (baseline)").
    pub sequence_parallel: bool,
}

/// Layers held by pipeline stage `i` of `pp` with `v` virtual stages per GPU.
///
/// The `L` layers fill `p·v` chunks of `⌊L/(p·v)⌋` layers; the remaining layers go one per
/// chunk to the middle stages first (from the last middle stage backwards), then to the
/// last stage, then to the first: the first stage holds the most micro-batches in flight
/// and the last computes the logits, so both are kept short, as Llama 3 did (its first and
/// last stages had one layer fewer, arXiv:2407.21783 §3.3.2).
pub fn stage_layers(layers: f64, pp: u32, interleave: u32, i: u32) -> f64 {
    if pp <= 1 {
        return layers;
    }
    let v = f64::from(interleave.max(1));
    let chunks = f64::from(pp) * v;
    let base = (layers / chunks).floor();
    let extra = layers - base * chunks;
    // Rank of stage i in the order extra layers are handed out.
    let rank = if i == 0 {
        f64::from(pp - 1)
    } else if i == pp - 1 {
        f64::from(pp - 2)
    } else {
        f64::from(pp - 2 - i)
    };
    base * v + (extra - rank * v).clamp(0.0, v)
}

/// The most layers any stage holds.
pub fn max_stage_layers(layers: f64, pp: u32, interleave: u32) -> f64 {
    if pp <= 1 {
        return layers;
    }
    let v = f64::from(interleave.max(1));
    let chunks = f64::from(pp) * v;
    let base = (layers / chunks).floor();
    let extra = layers - base * chunks;
    base * v + extra.min(v)
}

/// Memory of the busiest GPU for plan `st` with `m` micro-batches per step. `reserve_bytes`
/// is the framework's share of the GPU, a fact of the hardware the caller supplies
/// (`catalog::gpu::framework_reserve_bytes`): this module knows no hardware.
pub fn memory_per_gpu(
    shape: &Shape,
    st: &Strategy,
    seq_len: f64,
    microbatches: f64,
    reserve_bytes: f64,
    opts: ActivationOptions,
) -> MemoryBreakdown {
    memory_of_stages(shape, st, seq_len, microbatches, reserve_bytes, opts, false)
}

/// The busiest of the candidate stages, or of every stage when `every_stage` (tests).
fn memory_of_stages(
    shape: &Shape,
    st: &Strategy,
    seq_len: f64,
    microbatches: f64,
    reserve_bytes: f64,
    opts: ActivationOptions,
    every_stage: bool,
) -> MemoryBreakdown {
    let tp = f64::from(st.tp);
    let pp = f64::from(st.pp);
    let dp = f64::from(st.dp);
    let ep = f64::from(st.ep);
    let cp = f64::from(st.cp);

    // Parameters of a stage holding `n` layers; the first stage holds the input embedding,
    // the last the output head (a copy of the embedding when tied).
    let stage_params = |n: f64, i: u32| -> (f64, f64) {
        let mut emb = 0.0;
        if i == 0 {
            emb += shape.embedding_params;
        }
        if i + 1 == st.pp {
            emb += if shape.head_params > 0.0 {
                shape.head_params
            } else if st.pp > 1 {
                shape.embedding_params
            } else {
                0.0
            };
        }
        (
            n * shape.dense_params_per_layer / tp + emb / tp,
            n * shape.expert_params_per_layer / ep,
        )
    };
    let dense_dp = dp * cp;
    let expert_dp = (dp * cp * tp / ep).max(1.0);
    let shard = |stage_min: u8, group: f64| {
        if st.zero_stage >= stage_min {
            group
        } else {
            1.0
        }
    };

    // Activations: tokens of one micro-batch on this GPU, split by tp (sequence parallel) and cp.
    let tokens = seq_len * f64::from(st.micro_batch) / cp;
    let per_token = shape.activation_bytes_per_token_layer(st.recompute, opts, seq_len / cp);
    let replicated = if opts.sequence_parallel || st.recompute == Recompute::Full {
        0.0
    } else {
        10.0 * shape.h
    };
    let per_layer = tokens * ((per_token - replicated) / tp + replicated);
    let interleave_factor = if st.interleave > 1 {
        1.0 + (pp - 1.0) / (pp * f64::from(st.interleave))
    } else {
        1.0
    };
    let logits = tokens * shape.vocab * 4.0 / tp;

    // The busiest stage: in 1F1B stage i holds min(p − i, m) micro-batches in flight.
    // Layers never decrease from stage 1 to stage p−2 while the micro-batches in flight do,
    // so the busiest stage is the first, the second, the first middle stage holding an extra
    // layer (or the one after it, when that one holds more), the last middle stage (most
    // weights) or the last: six candidates instead of every stage.
    let v = f64::from(st.interleave.max(1));
    let extra = shape.layers - (shape.layers / (pp * v)).floor() * pp * v;
    let first_extra = (pp - 2.0 - (extra / v).ceil() + 1.0).max(1.0) as u32;
    let candidates = [
        0,
        1,
        first_extra,
        first_extra + 1,
        st.pp.saturating_sub(2),
        st.pp - 1,
    ];
    let mut best = MemoryBreakdown::default();
    let mut best_total = -1.0;
    let all = 0..if every_stage { st.pp } else { 0 };
    for i in candidates.into_iter().filter(|&i| i < st.pp).chain(all) {
        let n = stage_layers(shape.layers, st.pp, st.interleave, i);
        let (dense_params, expert_params) = stage_params(n, i);
        let in_flight = (pp - f64::from(i)).min(microbatches).max(1.0);
        let mut activations_bytes = per_layer * n * in_flight * interleave_factor;
        if i + 1 == st.pp {
            activations_bytes += logits;
        }
        let m = MemoryBreakdown {
            weights_bytes: WEIGHT_BYTES
                * (dense_params / shard(3, dense_dp) + expert_params / shard(3, expert_dp)),
            grads_bytes: GRAD_BYTES
                * (dense_params / shard(2, dense_dp) + expert_params / shard(2, expert_dp)),
            optimizer_bytes: OPTIMIZER_BYTES
                * (dense_params / shard(1, dense_dp) + expert_params / shard(1, expert_dp)),
            activations_bytes,
            reserve_bytes,
        };
        if m.total_bytes() > best_total {
            best_total = m.total_bytes();
            best = m;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::plan::Strategy;
    use proptest::prelude::{prop, prop_assert_eq, prop_assume, proptest};

    proptest! {
        /// The six candidate stages always contain the busiest stage.
        #[test]
        fn candidate_stages_find_the_busiest(
            model in prop::sample::select(vec!["llama3.1-405b", "deepseek-v3", "gpt3-175b", "llama3.1-8b"]),
            pp in 1u32..40, v in prop::sample::select(vec![1u32, 2, 4]), m in 1u32..80, zero in 0u8..4,
        ) {
            let c = Catalog::builtin();
            let md = c.model(model).unwrap();
            prop_assume!(md.layers >= pp * v);
            let shape = Shape::of(md, &ParamCounts::of(md));
            let st = Strategy { tp: 8, pp, dp: 4, ep: 1, cp: 1, micro_batch: 1, interleave: v, recompute: Recompute::None, zero_stage: zero };
            let opts = ActivationOptions { flash_attention: true, fp8: false, heads: shape.heads, sequence_parallel: true };
            let cap = crate::catalog::gpu::framework_reserve_bytes(80.0 * crate::catalog::gpu::GIB);
            let fast = memory_per_gpu(&shape, &st, 4096.0, f64::from(m), cap, opts);
            let all = memory_of_stages(&shape, &st, 4096.0, f64::from(m), cap, opts, true);
            prop_assert_eq!(fast.total_bytes(), all.total_bytes());
        }
    }

    /// Layers by stage: 126 layers on 16 stages is 7 each plus 14 extra, given to stages
    /// 14, 13, …, 1, so the first and last stages hold 7 (Llama 3's layout) and the
    /// others 8. With 4 virtual stages: 64 chunks of 1 layer plus 62 extra, 4 (one per chunk)
    /// to each middle stage and then the last (8 layers each), the last 2 to the first (6).
    #[test]
    fn stage_layers_by_hand() {
        let n: Vec<f64> = (0..16).map(|i| stage_layers(126.0, 16, 1, i)).collect();
        assert_eq!(n[0], 7.0);
        assert_eq!(n[15], 7.0);
        assert!(n[1..15].iter().all(|&x| x == 8.0));
        assert_eq!(n.iter().sum::<f64>(), 126.0);
        let n: Vec<f64> = (0..16).map(|i| stage_layers(126.0, 16, 4, i)).collect();
        assert_eq!(n.iter().sum::<f64>(), 126.0);
        assert_eq!(
            (n[0], n[15], max_stage_layers(126.0, 16, 4)),
            (6.0, 8.0, 8.0)
        );
    }

    /// Korthikanti et al. (arXiv:2205.05198) Table 2, GPT-3 175B (h = 12288, s = 2048,
    /// a = 96), b = 1, t = 8 with sequence parallelism: `s·b·h·34/t` per layer =
    /// 2048·12288·34/8 = 106,954,752 bytes; full recompute `2·s·b·h/t` = 6,291,456 bytes.
    #[test]
    fn activation_per_layer_matches_korthikanti() {
        let c = Catalog::builtin();
        let m = c.model("gpt3-175b").unwrap();
        let shape = Shape::of(m, &ParamCounts::of(m));
        let flash = ActivationOptions {
            flash_attention: true,
            fp8: false,
            heads: 96.0,
            sequence_parallel: true,
        };
        let none =
            shape.activation_bytes_per_token_layer(Recompute::None, flash, 2048.0) * 2048.0 / 8.0;
        assert_eq!(none, 106_954_752.0);
        let full =
            shape.activation_bytes_per_token_layer(Recompute::Full, flash, 2048.0) * 2048.0 / 8.0;
        assert_eq!(full, 6_291_456.0);
        // Without fused attention the score term 5·a·s²·b/t = 5·96·2048²/8 = 251,658,240 is added.
        let eager = ActivationOptions {
            flash_attention: false,
            ..flash
        };
        let none =
            shape.activation_bytes_per_token_layer(Recompute::None, eager, 2048.0) * 2048.0 / 8.0;
        assert_eq!(none, 106_954_752.0 + 251_658_240.0);
    }

    /// Model state by hand: GPT-3 175B, TP8 PP12 (8 layers a stage), DP8, ZeRO-1, no MoE.
    /// First stage: 8·(12·12288²)/8 + 50257·12288/8 = 1,811,939,328 + 77,194,752 params;
    /// weights 2 B and gradients 4 B each, optimizer 12 B / 8.
    #[test]
    fn model_state_by_hand() {
        let c = Catalog::builtin();
        let m = c.model("gpt3-175b").unwrap();
        let shape = Shape::of(m, &ParamCounts::of(m));
        let st = Strategy {
            tp: 8,
            pp: 12,
            dp: 8,
            ep: 1,
            cp: 1,
            micro_batch: 1,
            interleave: 1,
            recompute: Recompute::Full,
            zero_stage: 1,
        };
        let opts = ActivationOptions {
            flash_attention: true,
            fp8: false,
            heads: 96.0,
            sequence_parallel: true,
        };
        let mem = memory_per_gpu(
            &shape,
            &st,
            2048.0,
            64.0,
            crate::catalog::gpu::framework_reserve_bytes(80.0 * crate::catalog::gpu::GIB),
            opts,
        );
        let params = 1_811_939_328.0 + 77_194_752.0;
        assert!((mem.weights_bytes / (2.0 * params) - 1.0).abs() < 1e-12);
        assert!((mem.grads_bytes / (4.0 * params) - 1.0).abs() < 1e-12);
        assert!((mem.optimizer_bytes / (12.0 * params / 8.0) - 1.0).abs() < 1e-12);
        // 12 micro-batches in flight on the first stage, 8 layers, 6,291,456 B each.
        assert_eq!(mem.activations_bytes, 12.0 * 8.0 * 6_291_456.0);
    }
}
