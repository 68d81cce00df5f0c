//! Parameter counts from the architecture: total and active, dense and MoE.
//!
//! Per layer (biases and norms ignored, as in the published counts we test against):
//! attention `2·h·(a·d) + 2·h·(g·d)` for Q, O and K, V with `a` query heads, `g` KV heads
//! and head dimension `d` (= `2h² + 2h·g·d` when `a·d = h`; DESIGN.md §2); dense FFN
//! `m·h·f` with `m` = 2 (GeLU) or 3 (SwiGLU); an MoE layer holds `E` routed experts and `S`
//! shared experts of width `f_e`, of which `k + S` are active per token. Embeddings `V·h`,
//! twice when input and output are untied. Explicit `params` / `active_params` in the model
//! file override the derived totals (DeepSeek's MLA attention does not follow the formula).

use crate::catalog::ModelSpec;

/// Parameter counts of one model, and the per-layer pieces the memory and time models use.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamCounts {
    /// Attention parameters of one layer.
    pub attention_per_layer: f64,
    /// Dense FFN parameters of one dense layer.
    pub dense_ffn_per_layer: f64,
    /// Parameters of one routed expert.
    pub expert: f64,
    /// Shared-expert parameters of one MoE layer.
    pub shared_per_moe_layer: f64,
    /// Layers with a dense FFN.
    pub dense_layers: f64,
    /// Layers with an MoE FFN.
    pub moe_layers: f64,
    /// Routed experts per MoE layer.
    pub experts: f64,
    /// Routed experts active per token.
    pub experts_per_token: f64,
    /// Input embedding parameters `V·h`.
    pub input_embedding: f64,
    /// Output head parameters (`V·h` when untied, 0 when tied to the input embedding).
    pub output_head: f64,
    /// Total parameters (after any override).
    pub total: f64,
    /// Parameters active per token (after any override).
    pub active: f64,
    /// Total as derived from the architecture, before overrides.
    pub derived_total: f64,
    /// Active as derived from the architecture, before overrides.
    pub derived_active: f64,
}

impl ParamCounts {
    /// Derive the counts of `m`.
    pub fn of(m: &ModelSpec) -> ParamCounts {
        let h = m.d_model as f64;
        let d = m.head_dim() as f64;
        let a = f64::from(m.heads);
        let g = f64::from(m.kv_heads());
        let mult = m.ffn_kind.matrices();
        let attention_per_layer = 2.0 * h * a * d + 2.0 * h * g * d;
        let dense_ffn_per_layer = mult * h * m.ffn_hidden() as f64;
        let layers = f64::from(m.layers);
        let (dense_layers, moe_layers, expert, shared, experts, k) = match &m.moe {
            None => (layers, 0.0, 0.0, 0.0, 0.0, 0.0),
            Some(moe) => {
                let rest = m.layers - moe.dense_layers;
                let moe_layers = f64::from(rest / moe.layer_freq);
                let expert = mult * h * moe.expert_ffn_hidden as f64;
                (
                    layers - moe_layers,
                    moe_layers,
                    expert,
                    f64::from(moe.shared_experts) * expert,
                    f64::from(moe.experts),
                    f64::from(moe.experts_per_token),
                )
            }
        };
        let input_embedding = m.vocab as f64 * h;
        let output_head = if m.tied_embeddings {
            0.0
        } else {
            input_embedding
        };
        let common = layers * attention_per_layer
            + dense_layers * dense_ffn_per_layer
            + input_embedding
            + output_head;
        let derived_total = common + moe_layers * (experts * expert + shared);
        let derived_active = common + moe_layers * (k * expert + shared);
        ParamCounts {
            attention_per_layer,
            dense_ffn_per_layer,
            expert,
            shared_per_moe_layer: shared,
            dense_layers,
            moe_layers,
            experts,
            experts_per_token: k,
            input_embedding,
            output_head,
            total: m.params.unwrap_or(derived_total),
            active: m.active_params.unwrap_or(derived_active),
            derived_total,
            derived_active,
        }
    }

    /// Parameters in routed experts (the part expert parallelism splits), after scaling the
    /// derived split to any override of the total.
    pub fn routed_expert_params(&self) -> f64 {
        let derived = self.moe_layers * self.experts * self.expert;
        if self.derived_total > 0.0 {
            derived * self.total / self.derived_total
        } else {
            derived
        }
    }

    /// Parameters that are not routed experts (replicated across the expert-parallel group).
    pub fn non_expert_params(&self) -> f64 {
        self.total - self.routed_expert_params()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// GPT-3 175B by hand (Brown et al. 2020, Table 2.1: 96 layers, d 12288, vocab 50257,
    /// tied): 96·(4·12288² + 8·12288²) + 50257·12288 = 96·1,811,939,328 + 617,558,016
    /// = 174,563,733,504, the figure in the reference models.csv.
    #[test]
    fn gpt3_175b_by_hand() {
        let c = Catalog::builtin();
        let p = ParamCounts::of(c.model("gpt3-175b").unwrap());
        assert_eq!(p.derived_total, 174_563_733_504.0);
        assert_eq!(p.active, p.total);
    }

    /// Mixtral 8x22B by hand: attention 2·6144·6144 + 2·6144·1024 = 88,080,384 per layer;
    /// expert 3·6144·16384 = 301,989,888; 56 layers, 8 experts, top-2, untied 32000 vocab.
    #[test]
    fn mixtral_by_hand() {
        let c = Catalog::builtin();
        let p = ParamCounts::of(c.model("mixtral-8x22b").unwrap());
        let emb = 2.0 * 32000.0 * 6144.0;
        let total = 56.0 * (88_080_384.0 + 8.0 * 301_989_888.0) + emb;
        let active = 56.0 * (88_080_384.0 + 2.0 * 301_989_888.0) + emb;
        assert_eq!(p.derived_total, total);
        assert_eq!(p.derived_active, active);
    }

    /// The model's count (after any override) matches its published total, and its active
    /// count for MoE, within 2%. Where an override is set, the derived count is the one the
    /// override replaces, so this checks the published figure the catalog cites.
    fn check_published(id: &str) {
        let c = Catalog::builtin();
        let m = c.model(id).unwrap();
        let p = ParamCounts::of(m);
        let published = m
            .published_params
            .unwrap_or_else(|| panic!("{id} has no published_params"));
        let r = p.total / published;
        assert!(
            (r - 1.0).abs() < 0.02,
            "{id}: total {:.4e} vs published {published:.4e} ({r:.4})",
            p.total
        );
        if m.is_moe() {
            let pa = m
                .published_active_params
                .unwrap_or_else(|| panic!("{id} has no published_active_params"));
            let r = p.active / pa;
            assert!(
                (r - 1.0).abs() < 0.02,
                "{id}: active {:.4e} vs published {pa:.4e} ({r:.4})",
                p.active
            );
        }
    }

    /// One test per catalog model.
    macro_rules! published_counts {
        ($($name:ident: $id:literal,)*) => {
            $(
                #[test]
                fn $name() {
                    check_published($id);
                }
            )*
            /// The list above covers the whole catalog.
            #[test]
            fn every_catalog_model_has_a_count_test() {
                let listed = [$($id),*];
                for id in Catalog::builtin().models.keys() {
                    assert!(listed.contains(&id.as_str()), "{id} has no published-count test");
                }
            }
        };
    }

    published_counts! {
        megatron_22b: "megatron-22b",
        amber_7b: "amber-7b",
        falcon_40b: "falcon-40b",
        glm_130b: "glm-130b",
        gpt_neox_20b: "gpt-neox-20b",
        mpt_30b: "mpt-30b",
        nemotron3_8b: "nemotron3-8b",
        nemotron4_340b: "nemotron4-340b",
        olmoe_1b_7b: "olmoe-1b-7b",
        phi_1: "phi-1",
        phi_3_5_moe: "phi-3.5-moe",
        skywork_13b: "skywork-13b",
        starcoderbase_15b: "starcoderbase-15b",
        xglm_7_5b: "xglm-7.5b",
        bloom_176b: "bloom-176b",
        deepseek_v2: "deepseek-v2",
        deepseek_v3: "deepseek-v3",
        falcon_180b: "falcon-180b",
        glm_4_5: "glm-4.5",
        gpt3_175b: "gpt3-175b",
        hunyuan_large: "hunyuan-large",
        kimi_k2: "kimi-k2",
        llama_65b: "llama-65b",
        llama2_13b: "llama2-13b",
        llama2_70b: "llama2-70b",
        llama2_7b: "llama2-7b",
        llama3_1_405b: "llama3.1-405b",
        llama3_1_70b: "llama3.1-70b",
        llama3_1_8b: "llama3.1-8b",
        llama4_maverick: "llama4-maverick",
        llama4_scout: "llama4-scout",
        megatron_1_7b: "megatron-1.7b",
        megatron_145_6b: "megatron-145.6b",
        megatron_175b: "megatron-175b",
        megatron_18_4b: "megatron-18.4b",
        megatron_1t: "megatron-1t",
        megatron_3_6b: "megatron-3.6b",
        megatron_310_1b: "megatron-310.1b",
        megatron_39_1b: "megatron-39.1b",
        megatron_529_6b: "megatron-529.6b",
        megatron_530b: "megatron-530b",
        megatron_7_5b: "megatron-7.5b",
        megatron_76_1b: "megatron-76.1b",
        mixtral_8x22b: "mixtral-8x22b",
        opt_175b: "opt-175b",
        qwen2_5_72b: "qwen2.5-72b",
        qwen3_235b_a22b: "qwen3-235b-a22b",
    }
}
