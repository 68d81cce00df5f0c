//! One question, one answer: model + GPU + count + tokens → plan, time, GPU-hours, cost,
//! energy. Shared by `estimate`, `plan`, `validate` and every Monte Carlo trial.
//!
//! `Question` holds resolved inputs; [`plan_search`] finds the top plans at nominal values
//! once; [`evaluate`] turns one plan (and possibly sampled assumptions) into an
//! [`Estimate`]. The split lets Monte Carlo re-time the kept plans under each trial's
//! assumptions without searching again.

use serde::Serialize;

use crate::catalog::{GpuSpec, ModelSpec, Precision, StackSpec};
use crate::cost::{
    estimate_cost, estimate_physical, CostAssumptions, CostEstimate, EnergyAssumptions,
};
use crate::parallel::{search, Infeasible, PlanResult, SearchResult, SearchSpace};
use crate::perf::run_time::{goodput, Goodput};
use crate::perf::{Efficiency, Hardware, Reliability, StepModel, StepTime};
use crate::workload::{
    hardware_flops_per_token, model_flops_per_token, MemoryBreakdown, ParamCounts, Shape,
};

/// Resolved inputs of one estimate.
#[derive(Debug, Clone)]
pub struct Question {
    /// The model.
    pub model: ModelSpec,
    /// The GPU.
    pub gpu: GpuSpec,
    /// GPUs allocated.
    pub gpus: u64,
    /// Training tokens.
    pub train_tokens: f64,
    /// Training precision.
    pub precision: Precision,
    /// Sequence length.
    pub seq_len: u64,
    /// Global batch, tokens (a whole number of sequences).
    pub global_batch_tokens: f64,
    /// Efficiency assumptions.
    pub efficiency: Efficiency,
    /// Reliability assumptions.
    pub reliability: Reliability,
    /// Energy assumptions.
    pub energy: EnergyAssumptions,
    /// Cost assumptions.
    pub cost: CostAssumptions,
    /// Fixed parts of the plan.
    pub space: SearchSpace,
    /// Override of GPUs per node.
    pub gpus_per_node: Option<u32>,
    /// Override of scale-out bandwidth per GPU, Gbit/s.
    pub net_gbit_per_s: Option<f64>,
    /// The software stack, when one applies (`None`: the bare mechanistic model with no
    /// stack limits and no whole-run overhead, as unit tests and `--mfu` use it).
    pub stack: Option<StackSpec>,
    /// Whole-run factors beyond the steps and the failure term.
    pub whole_run: WholeRun,
}

/// Whole-run time beyond steady-state steps and failures: `wall = steps · step / goodput ·
/// time_factor / (1 − overhead) · model_error`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WholeRun {
    /// Fraction of wall time outside steady-state steps (the stack's overhead).
    pub overhead: f64,
    /// The stack's fitted whole-run time multiplier.
    pub time_factor: f64,
    /// Model-error multiplier (1 at the point estimate; drawn in Monte Carlo).
    pub model_error: f64,
}

impl Default for WholeRun {
    fn default() -> Self {
        WholeRun {
            overhead: 0.0,
            time_factor: 1.0,
            model_error: 1.0,
        }
    }
}

impl WholeRun {
    /// The multiplier on `steps · step / goodput`.
    pub fn factor(&self) -> f64 {
        self.time_factor / (1.0 - self.overhead.clamp(0.0, 0.95)) * self.model_error
    }
}

/// Default global batch: 4 Mi tokens (Llama 2, LLaMA), or one sequence per 4 GPUs when the
/// fleet is larger (between Llama 3 405B's one per 8 GPUs, 16M tokens on 16,384 GPUs, and
/// DeepSeek-V3's 7.5 per GPU, 15,360 sequences on 2,048), in whole sequences rounded up to a multiple of a power of two at most 1/8 of the count
/// (at most 12.5% more), so that the batch divides over many data-parallel sizes.
pub fn default_global_batch_tokens(gpus: u64, seq_len: u64) -> f64 {
    let seq_len = seq_len.max(1);
    let seqs = ((4u64 << 20).div_ceil(seq_len)).max(gpus / 4).max(1);
    let unit = (1u64 << (63 - (seqs / 8).max(1).leading_zeros())).max(1);
    (seqs.div_ceil(unit) * unit * seq_len) as f64
}

#[cfg(test)]
mod tests {
    use super::default_global_batch_tokens;

    /// An H100 fleet is worth its own GPU count; an A100 fleet fewer H100s than it has GPUs.
    #[test]
    fn h100_equivalents_by_definition() {
        use super::*;
        let c = crate::catalog::Catalog::builtin();
        let h100 = c.gpu("h100-sxm-80gb").unwrap();
        let model = c.model("llama3.1-8b").unwrap().clone();
        let q =
            |gpu: &GpuSpec| Question::new(model.clone(), gpu.clone(), 64, 1e11, Precision::Bf16);
        let qh = q(h100);
        let days = estimate(&qh).unwrap().train_days;
        assert_eq!(h100_equivalents(&qh, h100, days), Some(64.0));
        let qa = q(c.gpu("a100-sxm-80gb").unwrap());
        let days = estimate(&qa).unwrap().train_days;
        let eq = h100_equivalents(&qa, h100, days).unwrap();
        assert!(eq > 10.0 && eq < 64.0, "{eq}");
    }

    /// 4 Mi tokens = 1,024 sequences of 4,096; 16,384 GPUs → 4,096 sequences; 10,000 GPUs
    /// → 2,500 sequences, rounded up to 2,560 (a multiple of 256).
    #[test]
    fn default_batches_by_hand() {
        assert_eq!(default_global_batch_tokens(2048, 4096), 1024.0 * 4096.0);
        assert_eq!(default_global_batch_tokens(16_384, 8192), 4096.0 * 8192.0);
        assert_eq!(default_global_batch_tokens(10_000, 4096), 2560.0 * 4096.0);
    }
}

impl Question {
    /// A question with every assumption at its default: the model's sequence length, the
    /// default global batch, the chip's default efficiency at `precision`, the default
    /// reliability, energy and (rental) cost, and the whole plan space.
    pub fn new(
        model: ModelSpec,
        gpu: GpuSpec,
        gpus: u64,
        train_tokens: f64,
        precision: Precision,
    ) -> Question {
        let seq_len = model.seq_len;
        let efficiency = Efficiency::defaults_for(&gpu, precision);
        Question {
            model,
            gpu,
            gpus,
            train_tokens,
            precision,
            seq_len,
            global_batch_tokens: default_global_batch_tokens(gpus, seq_len),
            efficiency,
            reliability: Reliability::default(),
            energy: EnergyAssumptions::default(),
            cost: CostAssumptions::default(),
            space: SearchSpace::default(),
            gpus_per_node: None,
            net_gbit_per_s: None,
            stack: None,
            whole_run: WholeRun::default(),
        }
    }

    /// Apply a software stack: its kernels, overlaps and features (keeping an MFU override),
    /// the plans it can run (the fixed values stay), its whole-run overhead at its median
    /// and its fitted time factor. FP8 asked of a stack without an FP8 recipe trains in BF16.
    pub fn apply_stack(&mut self, stack: &StackSpec) {
        if self.precision == Precision::Fp8 && !stack.fp8 {
            self.precision = Precision::Bf16;
        }
        let mfu = self.efficiency.mfu;
        self.efficiency = crate::perf::assumptions::stack_efficiency(
            stack,
            &self.gpu,
            self.effective_precision(),
        );
        self.efficiency.mfu = mfu;
        self.space = stack.space(self.space);
        self.whole_run = WholeRun {
            overhead: stack.overhead.median(),
            time_factor: stack.time_factor,
            model_error: 1.0,
        };
        self.stack = Some(stack.clone());
    }

    /// The p5 and p95 multipliers of this question's answer over its point value (the
    /// stack's fitted model-error band); `None` without a stack.
    pub fn band(&self) -> Option<(f64, f64)> {
        self.stack.as_ref().map(StackSpec::band)
    }

    /// The step model of this question at its nominal assumptions.
    pub fn step_model(&self) -> StepModel {
        self.step_model_with(&self.efficiency)
    }

    /// The precision the GEMMs really run at: FP8 on a chip without FP8 runs in BF16.
    pub fn effective_precision(&self) -> Precision {
        match (self.precision, self.gpu.fp8_dense_tflops) {
            (Precision::Fp8, None) => Precision::Bf16,
            (p, _) => p,
        }
    }

    /// The step model under other efficiency assumptions.
    pub fn step_model_with(&self, eff: &Efficiency) -> StepModel {
        let p = ParamCounts::of(&self.model);
        StepModel {
            shape: Shape::of(&self.model, &p),
            hw: Hardware::of(
                &self.gpu,
                self.effective_precision(),
                self.gpus_per_node,
                self.net_gbit_per_s,
            ),
            eff: *eff,
            seq_len: self.seq_len as f64,
            batch_seqs: (self.global_batch_tokens / self.seq_len as f64).round(),
            precision: self.effective_precision(),
        }
    }
}

/// Search the plan space of `q` at nominal assumptions and keep the `top_k` best.
pub fn plan_search(q: &Question, top_k: usize) -> SearchResult {
    search(&q.step_model(), q.gpus, &q.space, top_k)
}

/// The answer to a question for one plan.
#[derive(Debug, Clone, Serialize)]
pub struct Estimate {
    /// Model id.
    pub model: String,
    /// GPU id.
    pub gpu: String,
    /// GPUs allocated.
    pub gpus: u64,
    /// GPUs the plan uses (the rest idle).
    pub gpus_used: u64,
    /// Training tokens.
    pub tokens: f64,
    /// Precision.
    pub precision: Precision,
    /// Sequence length.
    pub seq_len: u64,
    /// Global batch, tokens.
    pub global_batch_tokens: f64,
    /// Optimizer steps.
    pub steps: f64,
    /// The software stack (null with an MFU override).
    pub stack: Option<String>,
    /// Wall-clock days, failures included.
    pub train_days: f64,
    /// 5th percentile of `train_days` from the stack's fitted model-error band.
    pub train_days_p5: Option<f64>,
    /// 95th percentile of `train_days`.
    pub train_days_p95: Option<f64>,
    /// GPU-hours of all allocated GPUs over the wall time.
    pub gpu_hours: f64,
    /// 5th percentile of `gpu_hours`.
    pub gpu_hours_p5: Option<f64>,
    /// 95th percentile of `gpu_hours`.
    pub gpu_hours_p95: Option<f64>,
    /// Cost under the chosen basis, USD (null when a price is missing).
    pub cost_usd: Option<f64>,
    /// 5th percentile of `cost_usd` (cost scales with wall time under both bases).
    pub cost_usd_p5: Option<f64>,
    /// 95th percentile of `cost_usd`.
    pub cost_usd_p95: Option<f64>,
    /// Fraction of wall time outside steady-state steps (the stack's run overhead).
    pub run_overhead: f64,
    /// Why the cost is missing, if it is.
    pub cost_note: Option<String>,
    /// Facility energy, MWh.
    pub energy_mwh: Option<f64>,
    /// Average facility power, MW.
    pub facility_power_mw: Option<f64>,
    /// Up-front fleet hardware cost, USD.
    pub capex_usd: Option<f64>,
    /// Price used, USD per GPU-hour.
    pub usd_per_gpu_hour: Option<f64>,
    /// Model FLOPs utilisation against the training-precision dense peak, during training steps.
    pub mfu: f64,
    /// Model FLOPs utilisation against the dense BF16 peak.
    pub mfu_bf16: f64,
    /// Hardware FLOPs utilisation: model FLOPs plus what the plan's recomputation repeats,
    /// against the training-precision peak.
    pub hfu: f64,
    /// Model FLOPs of the whole run.
    pub model_flops: f64,
    /// Training tokens per second, whole fleet, during steps.
    pub tokens_per_s: f64,
    /// Tokens per GPU per second, averaged over the wall time (failures included).
    pub tokens_per_gpu_s: f64,
    /// One step, seconds.
    pub step_time_s: f64,
    /// Memory of the busiest GPU, GiB.
    pub memory_per_gpu_gib: f64,
    /// Fraction of wall time that is useful training.
    pub goodput: f64,
    /// Expected unexpected interruptions over the run, on the GPUs the plan uses.
    pub expected_interruptions: f64,
    /// Job MTBF, hours.
    pub mtbf_h: f64,
    /// The plan.
    pub plan: PlanJson,
    /// Step time by component.
    pub step: StepTime,
    /// Memory by component, bytes.
    pub memory: MemoryBreakdown,
}

/// The plan as the JSON contract names it.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct PlanJson {
    /// Tensor parallel.
    pub tp: u32,
    /// Pipeline parallel.
    pub pp: u32,
    /// Data parallel.
    pub dp: u32,
    /// Expert parallel.
    pub ep: u32,
    /// Context parallel.
    pub cp: u32,
    /// Micro-batch size.
    pub micro_batch: u32,
    /// Recompute mode.
    pub recompute: &'static str,
    /// ZeRO stage.
    pub zero_stage: u8,
    /// Virtual pipeline stages.
    pub interleave: u32,
}

/// The headline numbers of one run: what Monte Carlo trials summarise. Computed without
/// allocating, for the trial loop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RunMetrics {
    /// Wall-clock days, failures included.
    pub train_days: f64,
    /// GPU-hours of all allocated GPUs.
    pub gpu_hours: f64,
    /// Cost, USD (NaN when a price is missing).
    pub cost_usd: f64,
    /// Facility energy, MWh (NaN without a TDP).
    pub energy_mwh: f64,
    /// MFU against the training-precision peak.
    pub mfu: f64,
    /// MFU against the BF16 peak.
    pub mfu_bf16: f64,
    /// One step, seconds.
    pub step_time_s: f64,
    /// Goodput.
    pub goodput: f64,
}

/// Time one plan under assumptions `eff` (the question's own plan timing is reused when
/// `eff` is the question's).
pub fn step_under(q: &Question, plan: &PlanResult, eff: &Efficiency) -> StepTime {
    if let Some(mfu) = eff.mfu {
        let p = ParamCounts::of(&q.model);
        let step_flops = model_flops_per_token(&q.model, &p, q.seq_len) * q.global_batch_tokens;
        let s = step_flops / (plan.strategy.gpus() as f64 * q.gpu.peak_flops(q.precision) * mfu);
        StepTime {
            step_s: s,
            compute_s: s,
            ..Default::default()
        }
    } else if eff == &q.efficiency {
        plan.step
    } else {
        q.step_model_with(eff).step_time(&plan.strategy)
    }
}

/// Whole-run metrics of one plan under the given assumptions. `Err` when failures outpace
/// progress.
pub fn run_metrics(
    q: &Question,
    plan: &PlanResult,
    eff: &Efficiency,
    rel: &Reliability,
    energy: &EnergyAssumptions,
    cost: &CostAssumptions,
    model_error: f64,
) -> Result<(RunMetrics, StepTime, Goodput, Option<CostEstimate>), Infeasible> {
    let p = ParamCounts::of(&q.model);
    let used = plan.strategy.gpus() as f64;
    let step = step_under(q, plan, eff);
    let step_flops = model_flops_per_token(&q.model, &p, q.seq_len) * q.global_batch_tokens;
    let steps = q.train_tokens / q.global_batch_tokens;
    // Idle GPUs are spares: only the GPUs the plan uses can interrupt the job.
    let g = goodput(rel, used, p.total);
    if g.goodput <= 0.05 {
        return Err(Infeasible::NoProgress {
            reason: format!(
                "failures outpace progress: job MTBF {:.2} h with a {:.0} s checkpoint and {:.0} s restart leaves goodput {:.2}",
                g.mtbf_h, g.checkpoint_write_s, rel.restart_s, g.goodput
            ),
        });
    }
    let whole_run = WholeRun {
        model_error,
        ..q.whole_run
    };
    let wall_h = steps * step.step_s / g.goodput * whole_run.factor() / 3600.0;
    let c = estimate_cost(&q.gpu, q.gpus as f64, wall_h, energy, cost).ok();
    let m = RunMetrics {
        train_days: wall_h / 24.0,
        gpu_hours: wall_h * q.gpus as f64,
        cost_usd: c.map_or(f64::NAN, |c| c.cost_usd),
        energy_mwh: c.map_or(f64::NAN, |c| c.energy_mwh),
        mfu: step_flops / (step.step_s * used * q.gpu.peak_flops(q.precision)),
        mfu_bf16: step_flops / (step.step_s * used * q.gpu.peak_flops(Precision::Bf16)),
        step_time_s: step.step_s,
        goodput: g.goodput,
    };
    Ok((m, step, g, c))
}

/// Turn one timed plan into a whole-run estimate under assumptions `eff`, `rel`, `energy`,
/// `cost` (the question's own, or a trial's samples). Returns `Err` only when failures
/// outpace progress.
pub fn evaluate(
    q: &Question,
    plan: &PlanResult,
    eff: &Efficiency,
    rel: &Reliability,
    energy: &EnergyAssumptions,
    cost: &CostAssumptions,
) -> Result<Estimate, Infeasible> {
    let p = ParamCounts::of(&q.model);
    let st = plan.strategy;
    let (m, step, g, c) = run_metrics(q, plan, eff, rel, energy, cost, q.whole_run.model_error)?;
    let flops_per_token = model_flops_per_token(&q.model, &p, q.seq_len);
    // The band applies to answers with a stack and no MFU override.
    let band = q.band().filter(|_| eff.mfu.is_none());
    let phys = estimate_physical(&q.gpu, q.gpus as f64, m.train_days * 24.0, energy, cost);
    let cost_note = match estimate_cost(&q.gpu, q.gpus as f64, 1.0, energy, cost) {
        Err(e) => Some(e.to_string()),
        Ok(_) => None,
    };
    Ok(Estimate {
        model: q.model.id.clone(),
        gpu: q.gpu.id.clone(),
        gpus: q.gpus,
        gpus_used: st.gpus(),
        tokens: q.train_tokens,
        precision: q.precision,
        seq_len: q.seq_len,
        global_batch_tokens: q.global_batch_tokens,
        steps: q.train_tokens / q.global_batch_tokens,
        stack: q.stack.as_ref().map(|s| s.id.clone()),
        train_days: m.train_days,
        train_days_p5: band.map(|b| m.train_days * b.0),
        train_days_p95: band.map(|b| m.train_days * b.1),
        gpu_hours: m.gpu_hours,
        gpu_hours_p5: band.map(|b| m.gpu_hours * b.0),
        gpu_hours_p95: band.map(|b| m.gpu_hours * b.1),
        cost_usd: c.map(|c| c.cost_usd),
        cost_usd_p5: c.and_then(|c| band.map(|b| c.cost_usd * b.0)),
        cost_usd_p95: c.and_then(|c| band.map(|b| c.cost_usd * b.1)),
        run_overhead: q.whole_run.overhead,
        cost_note,
        // Energy, power and capex need a TDP and a purchase price, never the rental price.
        energy_mwh: c.map(|c| c.energy_mwh).or(phys.energy_mwh),
        facility_power_mw: c.map(|c| c.facility_power_mw).or(phys.facility_power_mw),
        capex_usd: phys.capex_usd,
        usd_per_gpu_hour: c.map(|c| c.usd_per_gpu_hour),
        mfu: m.mfu,
        mfu_bf16: m.mfu_bf16,
        hfu: m.mfu * hardware_flops_per_token(&q.model, &p, q.seq_len, st.recompute)
            / flops_per_token,
        model_flops: flops_per_token * q.train_tokens,
        tokens_per_s: q.global_batch_tokens / step.step_s,
        tokens_per_gpu_s: q.train_tokens / (m.gpu_hours * 3600.0),
        step_time_s: step.step_s,
        memory_per_gpu_gib: plan.memory.total_bytes() / crate::catalog::gpu::GIB,
        goodput: g.goodput,
        expected_interruptions: rel.interruptions_per_gpu_hour
            * st.gpus() as f64
            * m.train_days
            * 24.0,
        mtbf_h: g.mtbf_h,
        plan: PlanJson {
            tp: st.tp,
            pp: st.pp,
            dp: st.dp,
            ep: st.ep,
            cp: st.cp,
            micro_batch: st.micro_batch,
            recompute: st.recompute.as_str(),
            zero_stage: st.zero_stage,
            interleave: st.interleave,
        },
        step,
        memory: plan.memory,
    })
}

/// H100-equivalents of a run of `q` that takes `train_days` (issue 5): `N × days(H100 × N) /
/// train_days` with `N = q.gpus` and `h100` the catalog's H100-SXM, on the same model,
/// batch, precision, reliability and energy assumptions; the H100 fleet gets its chip's
/// default efficiency, keeping `q`'s flash-attention, sequence-parallel and MFU-override
/// choices. Measured by training throughput (tokens per wall-clock second, failures
/// included), not by FLOP/s. `None` when that fleet has no plan. An H100-SXM question
/// gives `N` exactly.
pub fn h100_equivalents(q: &Question, h100: &GpuSpec, train_days: f64) -> Option<f64> {
    let mut h = q.clone();
    if h.gpu.id != h100.id {
        h.gpu = h100.clone();
        let mut eff = Efficiency::defaults_for(h100, q.precision);
        eff.flash_attention = q.efficiency.flash_attention;
        eff.sequence_parallel = q.efficiency.sequence_parallel;
        eff.mfu = q.efficiency.mfu;
        h.efficiency = eff;
        if let Some(stack) = q.stack.clone() {
            let space = h.space;
            h.precision = q.precision;
            h.apply_stack(&stack);
            h.space = space;
            h.efficiency.mfu = q.efficiency.mfu;
        }
    }
    let e = estimate(&h).ok()?;
    Some(q.gpus as f64 * e.train_days / train_days)
}

/// Search, then evaluate the best plan at nominal assumptions.
pub fn estimate(q: &Question) -> Result<Estimate, Infeasible> {
    let found = plan_search(q, 1);
    let best = found.top.first().ok_or_else(|| {
        found.infeasible.clone().unwrap_or(Infeasible::NoLayout {
            reason: "no plan".into(),
        })
    })?;
    evaluate(q, best, &q.efficiency, &q.reliability, &q.energy, &q.cost)
}
