//! Time of one training step for one parallel plan, from first principles.
//!
//! Narayanan et al. (arXiv:2104.04473) give the structure: a step is `m + (p−1)/v` pipeline
//! slots of one micro-batch's forward and backward on the busiest stage, plus what data-
//! parallel communication cannot hide, plus the optimizer step. Inside a slot:
//!
//! - **GEMMs** by roofline, `max(flops / (peak·η_mm), bytes / (hbm_bw·η_mem))` per GEMM
//!   shape, so thin per-GPU shards and small expert batches turn memory-bound on chips with
//!   a high FLOP/byte ratio (H100: 295) and stay compute-bound on the H20 (37). Backward
//!   costs two GEMMs of the forward's shape. FP8 GEMMs run at the FP8 peak with 1-byte
//!   inputs.
//! - **Attention core** (flash attention, causal, BF16 even in FP8 runs): forward
//!   `4·T·(s/2)·a·d/t` FLOPs, backward 2.5× (Dao, arXiv:2307.08691).
//! - **Element-wise work** (norms, residuals, rotary, activation functions, MoE permutes) as
//!   HBM traffic at `hbm_bw·η_mem`.
//! - **Tensor parallelism** with sequence parallelism: 2 all-gathers + 2 reduce-scatters of
//!   the `T·h` activation per layer forward, the same backward (Korthikanti et al.,
//!   arXiv:2205.05198 §4.2.2); over NVLink when `t ≤ GPUs per node`, else over the NICs.
//! - **Context parallelism**: ring attention passes K and V `cp−1` times, hidden behind the
//!   attention core where it can be.
//! - **Expert parallelism**: dispatch and combine all-to-alls of `T·k·h` per MoE layer, each
//!   way, over NVLink inside a node and the NICs across nodes (one copy per remote node, as
//!   DeepEP does).
//! - **Pipeline**: point-to-point sends of `T·h/t` per micro-batch and virtual stage.
//! - **Data parallelism**: gradient reduce-scatter (FP32) and parameter all-gather (BF16),
//!   or an all-reduce without ZeRO; ZeRO-3 gathers parameters every micro-batch.
//! - **Optimizer**: Adam reads and writes 34 bytes per local parameter.

use serde::Serialize;

use super::assumptions::Efficiency;
use super::comm::{all_gather_s, all_reduce_s, hierarchical_all_gather_s, p2p_s, Link};
use crate::catalog::{GpuSpec, Precision};
use crate::plan::{Recompute, Strategy};
use crate::workload::Shape;

/// The hardware figures the time model needs, in SI units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hardware {
    /// Dense peak at the training precision, FLOP/s.
    pub peak_flops: f64,
    /// Dense BF16 peak, FLOP/s.
    pub peak_bf16_flops: f64,
    /// HBM bandwidth, bytes/s.
    pub hbm_bytes_per_s: f64,
    /// HBM capacity, bytes.
    pub hbm_bytes: f64,
    /// One-direction scale-up bandwidth per GPU, bytes/s.
    pub intra_bytes_per_s: f64,
    /// One-direction scale-out bandwidth per GPU, bytes/s.
    pub inter_bytes_per_s: f64,
    /// GPUs per scale-up domain.
    pub gpus_per_node: f64,
}

impl Hardware {
    /// Figures of `gpu` at `precision`, with optional cluster overrides.
    pub fn of(
        gpu: &GpuSpec,
        precision: Precision,
        gpus_per_node: Option<u32>,
        net_gbit_per_s: Option<f64>,
    ) -> Hardware {
        Hardware {
            peak_flops: gpu.peak_flops(precision),
            peak_bf16_flops: gpu.peak_flops(Precision::Bf16),
            hbm_bytes_per_s: gpu.hbm_bytes_per_s(),
            hbm_bytes: gpu.hbm_bytes(),
            intra_bytes_per_s: gpu.intra_node_uni_bytes_per_s(),
            inter_bytes_per_s: net_gbit_per_s
                .map(|g| g * 1e9 / 8.0)
                .unwrap_or_else(|| gpu.scale_out_bytes_per_s()),
            // The scale-up domain: PCIe cards NVLink-bridged in pairs have 2 (issue 11).
            gpus_per_node: f64::from(gpus_per_node.unwrap_or(gpu.scale_up_domain())),
        }
    }
}

/// Time of one step and where it goes, seconds. Components add up to `step_s`.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct StepTime {
    /// The whole step.
    pub step_s: f64,
    /// GEMMs, attention, element-wise work and per-layer overhead on the busiest stage.
    pub compute_s: f64,
    /// Exposed tensor-parallel communication.
    pub tp_comm_s: f64,
    /// Exposed context-parallel communication.
    pub cp_comm_s: f64,
    /// Exposed expert-parallel all-to-all.
    pub ep_comm_s: f64,
    /// Exposed pipeline point-to-point transfers.
    pub pp_comm_s: f64,
    /// Pipeline bubble.
    pub bubble_s: f64,
    /// Exposed data-parallel communication.
    pub dp_comm_s: f64,
    /// Optimizer step.
    pub optimizer_s: f64,
}

impl StepTime {
    /// The largest component, by name.
    pub fn largest_component(&self) -> (&'static str, f64) {
        let parts = [
            ("compute", self.compute_s),
            ("tp_comm", self.tp_comm_s),
            ("cp_comm", self.cp_comm_s),
            ("ep_comm", self.ep_comm_s),
            ("pp_comm", self.pp_comm_s),
            ("bubble", self.bubble_s),
            ("dp_comm", self.dp_comm_s),
            ("optimizer", self.optimizer_s),
        ];
        parts
            .into_iter()
            .fold(("compute", f64::MIN), |a, b| if b.1 > a.1 { b } else { a })
    }
}

/// Everything fixed for one (model, GPU, batch) question; `step_time` varies the plan.
#[derive(Debug, Clone, Copy)]
pub struct StepModel {
    /// Model shape.
    pub shape: Shape,
    /// Hardware.
    pub hw: Hardware,
    /// Efficiency assumptions.
    pub eff: Efficiency,
    /// Sequence length.
    pub seq_len: f64,
    /// Sequences per global batch.
    pub batch_seqs: f64,
    /// Training precision.
    pub precision: Precision,
}

impl StepModel {
    /// What decides activation memory besides the plan.
    pub fn activation_options(&self) -> crate::workload::ActivationOptions {
        crate::workload::ActivationOptions {
            flash_attention: self.eff.flash_attention,
            fp8: self.precision == Precision::Fp8,
            heads: self.shape.heads,
            sequence_parallel: self.eff.sequence_parallel,
        }
    }
}

/// One GEMM `M×K · K×N` forward, by roofline: `max(2MKN / peak, bytes / bw)` with
/// `bytes_per_elem`-byte inputs and a 2-byte output. `peak` and `bw` are achieved rates.
#[inline]
pub fn gemm_s(m: f64, k: f64, n: f64, peak: f64, bw: f64, bytes_per_elem: f64) -> f64 {
    let flops = 2.0 * m * k * n;
    let bytes = bytes_per_elem * (m * k + k * n) + 2.0 * m * n;
    (flops / peak).max(bytes / bw)
}

/// Per-layer times of one micro-batch, forward and backward separated.
#[derive(Debug, Clone, Copy, Default)]
struct LayerTimes {
    compute_fwd: f64,
    compute_bwd: f64,
    act_fwd: f64,
    tp_fwd: f64,
    cp_fwd: f64,
    ep_fwd: f64,
}

impl StepModel {
    /// Achieved GEMM rate: the training-precision peak × η_mm, slowed by the FP8 recipe's
    /// quantisation overhead in FP8 runs.
    fn gemm_peak(&self) -> f64 {
        let p = self.hw.peak_flops * self.eff.matmul;
        if self.precision == Precision::Fp8 {
            p / (1.0 + self.eff.fp8_overhead.max(0.0))
        } else {
            p
        }
    }
    fn link_intra(&self) -> Link {
        Link {
            bytes_per_s: self.hw.intra_bytes_per_s * self.eff.nvlink,
            alpha_s: self.eff.alpha_intra_s,
        }
    }
    fn link_inter(&self) -> Link {
        Link {
            bytes_per_s: self.hw.inter_bytes_per_s * self.eff.scaleout,
            alpha_s: self.eff.alpha_inter_s,
        }
    }
    /// The link of a group of `span` consecutive ranks.
    fn link_for_span(&self, span: f64) -> Link {
        if span <= self.hw.gpus_per_node {
            self.link_intra()
        } else {
            self.link_inter()
        }
    }

    /// Layer times for tokens `t` on the GPU (after CP), TP size `tp`, EP size `ep`.
    fn layer_times(&self, tokens: f64, tp: f64, ep: f64, cp: f64, moe: bool) -> LayerTimes {
        let s = &self.shape;
        let e = &self.eff;
        let peak = self.gemm_peak();
        let bw = self.hw.hbm_bytes_per_s * e.memory;
        let bpe = match self.precision {
            Precision::Bf16 => 2.0,
            Precision::Fp8 => 1.0,
        };
        let up_mult = s.ffn_mult - 1.0;
        let act_bytes = |f: f64| if s.ffn_mult > 2.5 { 6.0 * f } else { 4.0 * f };

        // Attention projections.
        let mut gemm = gemm_s(
            tokens,
            s.h,
            (s.q_width + 2.0 * s.kv_width) / tp,
            peak,
            bw,
            bpe,
        ) + gemm_s(tokens, s.q_width / tp, s.h, peak, bw, bpe);
        let mut elem_bytes = 20.0 * s.h + 4.0 * (s.q_width + s.kv_width);
        // Activation-function traffic (what selective recompute repeats).
        let act_fn_bytes;
        let mut ep_fwd = 0.0;
        if moe {
            let shared_f = s.shared * s.f_expert;
            if shared_f > 0.0 {
                gemm += gemm_s(tokens, s.h, up_mult * shared_f / tp, peak, bw, bpe)
                    + gemm_s(tokens, shared_f / tp, s.h, peak, bw, bpe);
            }
            let experts = s.experts;
            let local_experts = (experts / ep).max(1.0);
            let tokens_local = tokens / tp; // sequence-parallel shard routed by this GPU
                                            // With experts spread over GPUs, the step waits for the busiest GPU, which
                                            // receives `moe_imbalance` × the mean number of routed tokens.
            let imbalance = if ep > 1.0 {
                e.moe_imbalance.max(1.0)
            } else {
                1.0
            };
            let per_expert = tokens_local * s.k / local_experts * imbalance;
            gemm += local_experts
                * (gemm_s(per_expert, s.h, up_mult * s.f_expert, peak, bw, bpe)
                    + gemm_s(per_expert, s.f_expert, s.h, peak, bw, bpe));
            gemm += gemm_s(tokens_local, s.h, experts, peak, bw, 2.0); // router
            act_fn_bytes = s.k * imbalance * act_bytes(s.f_expert) + act_bytes(shared_f);
            elem_bytes += act_fn_bytes + s.k * imbalance * 8.0 * s.h;
            ep_fwd = imbalance
                * (self.all_to_all_s(tokens_local, ep, bpe)
                    + self.all_to_all_s(tokens_local, ep, 2.0));
        } else {
            gemm += gemm_s(tokens, s.h, up_mult * s.f / tp, peak, bw, bpe)
                + gemm_s(tokens, s.f / tp, s.h, peak, bw, bpe);
            act_fn_bytes = act_bytes(s.f);
            elem_bytes += act_fn_bytes;
        }
        // Norms, residual adds and dropout (20·h bytes a token) are split across the TP
        // group only with sequence parallelism; otherwise every TP rank repeats them.
        let replicated = if e.sequence_parallel {
            0.0
        } else {
            20.0 * s.h * (1.0 - 1.0 / tp)
        };
        let elem = tokens * (elem_bytes / tp + replicated) / bw;
        // Attention core. Fused: causal, so each query meets s/2 keys on average, at the
        // attention efficiency; backward 2.5× (it recomputes the scores). Unfused: two
        // batched GEMMs per head over the full s×s (masked, not skipped) plus the softmax,
        // mask and dropout passes over the stored scores, ~12 bytes per score forward.
        let attn_fwd = if e.flash_attention {
            2.0 * tokens * self.seq_len * s.score_width
                / tp
                / (self.hw.peak_bf16_flops * e.attention)
        } else {
            let d = s.score_width / s.heads;
            let heads = s.heads / tp;
            heads
                * (gemm_s(tokens, d, self.seq_len, peak, bw, 2.0)
                    + gemm_s(tokens, self.seq_len, d, peak, bw, 2.0))
                + 12.0 * tokens * self.seq_len * heads / bw
        };
        let attn_bwd_factor = if e.flash_attention { 2.5 } else { 2.0 };

        // TP beyond a node (only when fixed by the user, e.g. a published TP16) is timed
        // hierarchically: every NIC of the node across nodes, then NVLink inside.
        // Two all-gathers and two reduce-scatters around attention and the FFN; routed
        // experts work on the sequence-parallel shard, so an MoE FFN without shared
        // experts needs none of its own.
        let tp_collectives = if moe && s.shared == 0.0 { 2.0 } else { 4.0 };
        let tp_fwd = tp_collectives
            * hierarchical_all_gather_s(
                tokens * s.h * 2.0,
                tp,
                self.hw.gpus_per_node,
                self.link_intra(),
                self.link_inter(),
            )
            * (1.0 - e.tp_overlap);
        // Context parallelism: K and V of every rank's chunk gathered before attention
        // (Llama 3 §3.3.2 uses an all-gather; ring variants overlap it with attention,
        // which `cp_overlap` credits), dK and dV reduce-scattered in backward.
        let cp_fwd = if cp > 1.0 {
            let cp_link = self.link_for_span(tp * cp);
            let kv_bytes = cp * tokens * 2.0 * s.kv_width * 2.0 / tp;
            all_gather_s(kv_bytes, cp, cp_link) * (1.0 - e.cp_overlap)
        } else {
            0.0
        };
        let half_overhead = 0.5 * e.layer_overhead_s;
        // Overlapping the all-to-all with compute takes SMs from the compute kernels
        // (DeepSeek-V3 §3.2.2 reserved 20 of 132 SMs; DeepEP V2 needs 4–6).
        let sm_share = if ep_fwd > 0.0 {
            1.0 / (1.0 - e.comm_sm_fraction * e.ep_overlap)
        } else {
            1.0
        };
        LayerTimes {
            compute_fwd: (gemm + attn_fwd + elem) * sm_share + half_overhead,
            compute_bwd: (2.0 * gemm + attn_bwd_factor * attn_fwd + 2.0 * elem) * sm_share
                + half_overhead,
            act_fwd: tokens * act_fn_bytes / tp / bw * sm_share,
            tp_fwd,
            cp_fwd,
            ep_fwd: ep_fwd * (1.0 - e.ep_overlap),
        }
    }

    /// One all-to-all (dispatch or combine) of `tokens` tokens × top-k copies of `h`
    /// elements of `bpe` bytes, over an EP group of `ep` ranks laid out after `tp`.
    fn all_to_all_s(&self, tokens: f64, ep: f64, bpe: f64) -> f64 {
        if ep <= 1.0 {
            return 0.0;
        }
        let s = &self.shape;
        let e = &self.eff;
        let bytes = tokens * s.k * s.h * bpe;
        // Experts are not split by TP: the EP group is `ep` consecutive ranks.
        let span = ep;
        let intra_bw = self.hw.intra_bytes_per_s * e.a2a_intra;
        if span <= self.hw.gpus_per_node {
            return bytes * (ep - 1.0) / ep / intra_bw + e.alpha_intra_s * (ep - 1.0).min(8.0);
        }
        // Nodes in the EP group; each token is sent once to each distinct remote node hit
        // by its k experts (expected count for uniform routing), then fanned out on NVLink.
        let nodes = span / self.hw.gpus_per_node;
        let distinct_nodes = nodes * (1.0 - (1.0 - 1.0 / nodes).powf(s.k));
        let remote_nodes = distinct_nodes * (nodes - 1.0) / nodes;
        let inter_bytes = tokens * s.h * bpe * remote_nodes;
        let inter = inter_bytes / (self.hw.inter_bytes_per_s * e.a2a_inter) + e.alpha_inter_s;
        let intra = bytes * (ep - 1.0) / ep / intra_bw;
        inter.max(intra)
    }

    /// Time of one step of plan `st`.
    pub fn step_time(&self, st: &Strategy) -> StepTime {
        let s = &self.shape;
        let e = &self.eff;
        let tp = f64::from(st.tp);
        let pp = f64::from(st.pp);
        let dp = f64::from(st.dp);
        let ep = f64::from(st.ep);
        let cp = f64::from(st.cp);
        let v = f64::from(st.interleave);
        let m = (self.batch_seqs / (dp * f64::from(st.micro_batch))).max(1.0);
        let tokens = self.seq_len * f64::from(st.micro_batch) / cp;

        let dense = self.layer_times(tokens, tp, ep, cp, false);
        let moe = if s.moe_fraction > 0.0 {
            self.layer_times(tokens, tp, ep, cp, true)
        } else {
            dense
        };
        let mix = |f: fn(&LayerTimes) -> f64| {
            (1.0 - s.moe_fraction) * f(&dense) + s.moe_fraction * f(&moe)
        };

        let compute_layer = match st.recompute {
            Recompute::None => mix(|l| l.compute_fwd + l.compute_bwd),
            // Selective: the activation function's output is recomputed, not stored.
            Recompute::Selective => mix(|l| l.compute_fwd + l.compute_bwd + l.act_fwd),
            Recompute::Full => mix(|l| 2.0 * l.compute_fwd + l.compute_bwd),
        };
        // Forward, backward, and the recomputed forward under full recompute.
        let comm_passes = if st.recompute == Recompute::Full {
            3.0
        } else {
            2.0
        };
        let tp_layer = comm_passes * mix(|l| l.tp_fwd);
        let cp_layer = comm_passes * mix(|l| l.cp_fwd);
        let ep_layer = comm_passes * mix(|l| l.ep_fwd);
        let layer = compute_layer + tp_layer + cp_layer + ep_layer;

        // Logits and loss on the last stage: GEMM forward + 2× backward, FP32 softmax traffic.
        let peak = self.hw.peak_flops * e.matmul;
        let bw = self.hw.hbm_bytes_per_s * e.memory;
        let logits = 3.0 * gemm_s(tokens, s.h, s.vocab / tp, peak, bw, 2.0)
            + 3.0 * tokens * s.vocab / tp * 4.0 / bw;

        // The busiest stage: the stage with the most layers (`workload::max_stage_layers`), or
        // the balanced share of the whole work when the last stage's logits and any
        // multi-token-prediction modules (DeepSeek-V3; hardware work, not model FLOPs) would
        // otherwise dominate: frameworks move layers off the last stage to balance it
        // (Megatron's uneven first/last pipeline stages). `r` is its share of the whole work.
        let model_work = (s.layers + s.mtp_depth) * layer + (1.0 + s.mtp_depth) * logits;
        let max_layers = crate::workload::max_stage_layers(s.layers, st.pp, st.interleave);
        let stage_work = (max_layers * layer).max(model_work / pp).min(model_work);
        let r = stage_work / model_work.max(1e-30);

        let pp_p2p = if st.pp > 1 {
            // Neighbouring stages are tp·cp·dp ranks apart: on one node only if both fit.
            let link = self.link_for_span(2.0 * tp * cp * dp);
            2.0 * v * p2p_s(tokens * s.h * 2.0 / tp, link) * (1.0 - e.pp_overlap)
        } else {
            0.0
        };
        let slot = stage_work + pp_p2p;
        let bubble_slots = (pp - 1.0) / v * e.bubble_factor;

        // Data parallelism over the stage's local parameters.
        let emb = if st.pp == 1 {
            s.embedding_params + s.head_params
        } else {
            s.embedding_params.max(s.head_params)
        };
        let p_dense = max_layers * s.dense_params_per_layer / tp + emb / tp;
        let p_expert = max_layers * s.expert_params_per_layer / ep;
        let n_dense = dp * cp;
        let n_expert = (dp * cp * tp / ep).max(1.0);
        let dp_link = self.link_for_span(tp * cp * dp);
        let dp_one = |params: f64, n: f64| -> f64 {
            match st.zero_stage {
                0 => all_reduce_s(4.0 * params, n, dp_link),
                1 | 2 => {
                    all_gather_s(4.0 * params, n, dp_link) + all_gather_s(2.0 * params, n, dp_link)
                }
                _ => {
                    all_gather_s(4.0 * params, n, dp_link)
                        + 2.0 * m * all_gather_s(2.0 * params, n, dp_link)
                }
            }
        };
        let dp_total = dp_one(p_dense, n_dense) + dp_one(p_expert, n_expert);
        let window = if st.zero_stage >= 3 { m * slot } else { slot };
        let dp_exposed = (dp_total * (1.0 - e.dp_overlap)).max(dp_total - window);

        let shard = |n: f64| if st.zero_stage >= 1 { n } else { 1.0 };
        let optimizer_s = 34.0 * (p_dense / shard(n_dense) + p_expert / shard(n_expert)) / bw;

        let bubble_s = bubble_slots * slot;
        StepTime {
            step_s: m * slot + bubble_s + dp_exposed + optimizer_s,
            compute_s: m
                * r
                * ((s.layers + s.mtp_depth) * compute_layer + (1.0 + s.mtp_depth) * logits),
            tp_comm_s: m * r * (s.layers + s.mtp_depth) * tp_layer,
            cp_comm_s: m * r * (s.layers + s.mtp_depth) * cp_layer,
            ep_comm_s: m * r * (s.layers + s.mtp_depth) * ep_layer,
            pp_comm_s: m * pp_p2p,
            bubble_s,
            dp_comm_s: dp_exposed,
            optimizer_s,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::estimate::{plan_search, Question};
    use proptest::prelude::*;

    /// A DeepSeek-style small expert GEMM: 64 tokens × 7168 × 2048, BF16.
    /// FLOPs 2·64·7168·2048 = 1,879,048,192; bytes 2·(64·7168 + 7168·2048) + 2·64·2048
    /// = 30,539,776 (61.5 FLOP/byte). H100 at η_mm 0.76, η_mem 0.70: compute
    /// 1.879e9/752.0e12 = 2.50 µs < memory 30.54e6/2.345e12 = 13.02 µs: memory-bound.
    /// H20 at η_mm 0.85: compute 1.879e9/125.8e12 = 14.94 µs > memory 30.54e6/2.8e12
    /// = 10.91 µs: compute-bound.
    #[test]
    fn roofline_h20_compute_bound_h100_memory_bound() {
        let (m, k, n) = (64.0, 7168.0, 2048.0);
        let flops = 1_879_048_192.0;
        let bytes = 30_539_776.0;
        let h100 = gemm_s(m, k, n, 989.5e12 * 0.76, 3.35e12 * 0.70, 2.0);
        assert!(
            (h100 - bytes / (3.35e12 * 0.70)).abs() < 1e-15,
            "H100 is memory-bound"
        );
        assert!(flops / (989.5e12 * 0.76) < h100);
        let h20 = gemm_s(m, k, n, 148e12 * 0.85, 4.0e12 * 0.70, 2.0);
        assert!(
            (h20 - flops / (148e12 * 0.85)).abs() < 1e-15,
            "H20 is compute-bound"
        );
        assert!(bytes / (4.0e12 * 0.70) < h20);
        assert!((h100 * 1e6 - 13.02).abs() < 0.01 && (h20 * 1e6 - 14.94).abs() < 0.01);
    }

    fn question(model: &str, gpu: &str, gpus: u64, batch_tokens: f64) -> Question {
        let c = Catalog::builtin();
        let model = c.model(model).unwrap().clone();
        let gpu = c.gpu(gpu).unwrap().clone();
        let mut q = Question::new(model, gpu, gpus, 1e12, Precision::Bf16);
        q.global_batch_tokens = batch_tokens;
        q
    }

    /// Narayanan et al. Eq. (2)/(4): bubble fraction (p−1)/(v·m) of the ideal time. With
    /// p = 4, m = 8: 3/8 without interleaving, 3/16 with v = 2.
    #[test]
    fn bubble_fraction_by_hand() {
        let q = question("llama3.1-70b", "h100", 64, 64.0 * 8192.0);
        let model = q.step_model();
        for (v, expected) in [(1, 3.0 / 8.0), (2, 3.0 / 16.0)] {
            // DP 2 × mb 4 → m = 64 / 8 = 8 micro-batches.
            let st = crate::parallel::Strategy {
                tp: 8,
                pp: 4,
                dp: 2,
                ep: 1,
                cp: 1,
                micro_batch: 4,
                interleave: v,
                recompute: Recompute::Full,
                zero_stage: 1,
            };
            let t = model.step_time(&st);
            let pipeline = t.step_s - t.bubble_s - t.dp_comm_s - t.optimizer_s;
            assert!(
                (t.bubble_s / pipeline - expected).abs() < 1e-12,
                "v={v}: {}",
                t.bubble_s / pipeline
            );
        }
    }

    /// The components add up to the step.
    #[test]
    fn components_add_up() {
        let q = question("llama3.1-70b", "h100", 1024, 4.0 * 1024.0 * 1024.0);
        for r in plan_search(&q, 20).top {
            let t = r.step;
            let sum = t.compute_s
                + t.tp_comm_s
                + t.cp_comm_s
                + t.ep_comm_s
                + t.pp_comm_s
                + t.bubble_s
                + t.dp_comm_s
                + t.optimizer_s;
            assert!(
                (sum / t.step_s - 1.0).abs() < 1e-9,
                "{} vs {}",
                sum,
                t.step_s
            );
        }
    }

    fn scaled(q: &Question, f: impl Fn(&mut Hardware, &mut Efficiency)) -> StepModel {
        let mut m = q.step_model();
        f(&mut m.hw, &mut m.eff);
        m
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// More bandwidth (HBM, NVLink, network) or more efficiency never slows a plan.
        #[test]
        fn more_bandwidth_or_efficiency_never_slower(
            gpu in prop::sample::select(vec!["h100", "h20", "a100", "h800"]),
            model in prop::sample::select(vec!["llama3.1-8b", "llama3.1-70b", "mixtral-8x22b"]),
            factor in 1.0f64..4.0,
            which in 0usize..7,
        ) {
            let q = question(model, gpu, 256, 4.0 * 1024.0 * 1024.0);
            let base = q.step_model();
            let better = scaled(&q, |hw, e| match which {
                0 => hw.hbm_bytes_per_s *= factor,
                1 => hw.intra_bytes_per_s *= factor,
                2 => hw.inter_bytes_per_s *= factor,
                3 => e.matmul = (e.matmul * factor).min(1.0),
                4 => e.memory = (e.memory * factor).min(1.0),
                5 => e.nvlink = (e.nvlink * factor).min(1.0),
                _ => e.attention = (e.attention * factor).min(1.0),
            });
            for r in plan_search(&q, 8).top {
                let a = base.step_time(&r.strategy).step_s;
                let b = better.step_time(&r.strategy).step_s;
                prop_assert!(b <= a * (1.0 + 1e-12), "{}: {} -> {}", r.strategy.label(), a, b);
            }
        }

        /// Offering more GPUs never makes the best plan's step slower (spare GPUs may idle).
        #[test]
        fn more_gpus_never_slower(
            gpu in prop::sample::select(vec!["h100", "a100", "h20"]),
            n in 8u64..600,
            extra in 1u64..300,
        ) {
            let a = plan_search(&question("llama3.1-8b", gpu, n, 2.0 * 1024.0 * 1024.0), 1);
            let b = plan_search(&question("llama3.1-8b", gpu, n + extra, 2.0 * 1024.0 * 1024.0), 1);
            if let (Some(x), Some(y)) = (a.top.first(), b.top.first()) {
                prop_assert!(y.step.step_s <= x.step.step_s * (1.0 + 1e-12));
            } else {
                prop_assert!(a.top.is_empty(), "a smaller fleet found a plan the larger did not");
            }
        }
    }

    /// Pipeline neighbours sit tp·cp·dp ranks apart: with TP8 on 8-GPU nodes the next stage
    /// is on the next node, so the send goes over the NIC (50 GB/s × 0.85 for an H100), not
    /// NVLink. By hand, one send of 8,192 tokens × 8,192 × 2 B / 8 = 16.8 MB takes
    /// 16,777,216 / 42.5e9 + 14 µs = 408.8 µs; two per micro-batch (forward and backward).
    #[test]
    fn pipeline_sends_between_nodes_use_the_network() {
        let q = question("llama3.1-70b", "h100", 16, 16.0 * 8192.0);
        let model = q.step_model();
        let st = crate::parallel::Strategy {
            tp: 8,
            pp: 2,
            dp: 1,
            ep: 1,
            cp: 1,
            micro_batch: 1,
            interleave: 1,
            recompute: Recompute::Full,
            zero_stage: 1,
        };
        let t = model.step_time(&st);
        let per_send = 16_777_216.0 / (50e9 * 0.85) + 14e-6;
        assert!(
            (t.pp_comm_s - 16.0 * 2.0 * per_send).abs() < 1e-9,
            "{}",
            t.pp_comm_s
        );
    }

    /// FP8 asked of a chip without FP8 (the A100) runs in BF16: the same step, not faster.
    #[test]
    fn fp8_without_fp8_hardware_is_bf16() {
        let a = question("llama3.1-70b", "a100", 512, 4.0 * 1024.0 * 1024.0);
        let mut b = a.clone();
        b.precision = Precision::Fp8;
        let st = plan_search(&a, 1).top[0].strategy;
        assert_eq!(
            a.step_model().step_time(&st).step_s,
            b.step_model().step_time(&st).step_s
        );
    }

    /// A model too big for any plan is infeasible with a reason, not an error: Megatron 1T
    /// on 8 A100-40GB cannot hold even its weights (1T × 2 B / 8 = 250 GB a GPU).
    #[test]
    fn too_big_is_infeasible_with_reason() {
        let q = question("megatron-1t", "a100-sxm-40gb", 8, 4.0 * 1024.0 * 1024.0);
        let r = plan_search(&q, 1);
        assert!(r.top.is_empty());
        match r.infeasible {
            Some(crate::parallel::Infeasible::OutOfMemory {
                need_bytes,
                have_bytes,
            }) => {
                assert!(need_bytes > have_bytes);
                assert_eq!(have_bytes, 40.0 * crate::catalog::gpu::GIB);
            }
            other => panic!("expected out of memory, got {other:?}"),
        }
    }
}
