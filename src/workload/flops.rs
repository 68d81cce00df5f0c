//! Training FLOPs per token: model FLOPs (for MFU) and hardware FLOPs (for HFU, with
//! recomputation).
//!
//! PaLM (Chowdhery et al., arXiv:2204.02311, Appendix B): model FLOPs per token
//! `6·N + 12·L·H·Q·T`, with `N` the matmul parameters, `L` layers, `H` heads, `Q` head
//! dimension and `T` the sequence length. For MoE models `N` is the active count. The input
//! embedding is a table lookup, not a matmul, so an untied input embedding is left out of
//! `N`; a tied one is counted once (it is the output projection). Full recomputation repeats
//! the forward pass (`2·N + 4·L·H·Q·T`) and adds to hardware FLOPs, never to model FLOPs.
//! With fused (flash) attention the attention core is recomputed in the backward pass
//! anyway, so trainsim's selective mode recomputes the FFN activation function instead
//! (Megatron-core's `--recompute-modules`-style selective recompute): element-wise work,
//! no matmul FLOPs.

use super::params::ParamCounts;
use crate::catalog::ModelSpec;

pub use crate::plan::Recompute;

/// Matmul parameters `N` per token (PaLM): active parameters less an untied input embedding.
pub fn matmul_params(m: &ModelSpec, p: &ParamCounts) -> f64 {
    if m.tied_embeddings {
        p.active
    } else {
        p.active - p.input_embedding
    }
}

/// Attention-score FLOPs per token of the full forward+backward pass, `12·L·H·Q·T`.
pub fn attention_flops_per_token(m: &ModelSpec, seq_len: u64) -> f64 {
    12.0 * f64::from(m.layers) * f64::from(m.heads) * m.attention_head_dim() as f64 * seq_len as f64
}

/// Model FLOPs per token (PaLM convention): `6·N + 12·L·H·Q·T`.
pub fn model_flops_per_token(m: &ModelSpec, p: &ParamCounts, seq_len: u64) -> f64 {
    6.0 * matmul_params(m, p) + attention_flops_per_token(m, seq_len)
}

/// Hardware FLOPs per token: model FLOPs plus what recomputation repeats.
pub fn hardware_flops_per_token(
    m: &ModelSpec,
    p: &ParamCounts,
    seq_len: u64,
    recompute: Recompute,
) -> f64 {
    let attn_fwd = attention_flops_per_token(m, seq_len) / 3.0;
    let extra = match recompute {
        Recompute::None => 0.0,
        Recompute::Selective => 0.0,
        Recompute::Full => 2.0 * matmul_params(m, p) + attn_fwd,
    };
    model_flops_per_token(m, p, seq_len) + extra
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// GPT-3 175B at 2048 tokens, by hand: N = 174,563,733,504 (tied, so all of it is matmul);
    /// 6N = 1,047,382,401,024; attention 12·96·96·128·2048 = 28,991,029,248; total
    /// 1,076,373,430,272 FLOPs per token, 2.77% of it attention.
    #[test]
    fn gpt3_flops_per_token_by_hand() {
        let c = Catalog::builtin();
        let m = c.model("gpt3-175b").unwrap();
        let p = ParamCounts::of(m);
        assert_eq!(model_flops_per_token(m, &p, 2048), 1_076_373_430_272.0);
        // Full recompute repeats the forward: + 2N + 4·96·96·128·2048.
        let hw = hardware_flops_per_token(m, &p, 2048, Recompute::Full);
        assert_eq!(
            hw,
            1_076_373_430_272.0 + 349_127_467_008.0 + 9_663_676_416.0
        );
    }

    /// An untied input embedding is a lookup: Llama 3.1 8B has N = 8,029,995,008 − 128256·4096.
    #[test]
    fn untied_input_embedding_is_not_a_matmul() {
        let c = Catalog::builtin();
        let m = c.model("llama3.1-8b").unwrap();
        let p = ParamCounts::of(m);
        assert_eq!(matmul_params(m, &p), 8_029_995_008.0 - 128_256.0 * 4096.0);
    }
}
