//! The question of one point: its model, precision, software stack, tokens, batch and
//! fixed plan, through the checks every front end shares ([`crate::question`]); the
//! nominal assumptions each chip starts from; and the [`Question`] of a pool.
//! Defaults follow `trainsim estimate` exactly (same `Efficiency::defaults_for`,
//! `Reliability`, `EnergyAssumptions`, `CostAssumptions`, global batch), so a scenario
//! without distributions reproduces the deterministic estimate.

use std::path::Path;

use super::fleet::PoolDraft;
use super::numbers::Numbers;
use super::Ctx;
use crate::catalog::{load_model_file, Catalog, GpuSpec, ModelSpec, Precision, StackSpec};
use crate::cost::{CostAssumptions, EnergyAssumptions};
use crate::error::InputError;
use crate::estimate::{Question, WholeRun};
use crate::fleet::channel_cost;
use crate::parallel::{Recompute, SearchSpace};
use crate::perf::{Efficiency, Reliability};
use crate::question::{self as shared, Batch, Front};
use crate::scenario::keys::{number_key, Inputs, Role};
use crate::scenario::raw::{Channel, RawModel, RawScenario};

/// The model of a point: a catalog id, a model file, or an inline `[model]` table.
pub(super) fn model(
    raw: &RawScenario,
    catalog: &Catalog,
    ctx: &Ctx,
) -> Result<ModelSpec, InputError> {
    match &raw.model {
        None => Err(ctx.err(
            "model",
            "is required",
            "set `model = \"llama3.1-8b\"` (a catalog id; `trainsim catalog models` lists them), a model file, or an inline [model] table",
        )),
        Some(RawModel::Id(id)) if id.ends_with(".toml") => {
            let path = match ctx.dir {
                Some(d) if Path::new(id).is_relative() => d.join(id),
                _ => Path::new(id).to_path_buf(),
            };
            load_model_file(&path).map_err(|e| e.at_key("model").with_hint(format!("`model` in {} names this file", ctx.file)))
        }
        Some(RawModel::Id(id)) => catalog.model(id).cloned().map_err(|e| ctx.wrap("model", e)),
        Some(RawModel::Inline(m)) => {
            m.validate().map_err(|mut e| {
                let key = format!("model.{}", e.key.take().unwrap_or_default());
                e.hint = e.hint.take().or(Some("see the model-file format in the README".into()));
                ctx.wrap(&key, e)
            })?;
            let mut m = (**m).clone();
            m.id = m.name.clone();
            Ok(m)
        }
    }
}

/// What a point asks, before the fleet: the model, precision, stack and tokens.
pub(super) struct Base {
    /// The model.
    pub model: ModelSpec,
    /// Training precision (BF16 when the stack has no FP8 recipe).
    pub precision: Precision,
    /// The software stack; none under `efficiency.mfu`.
    pub stack: Option<StackSpec>,
    /// Training tokens at nominal.
    pub train_tokens: f64,
}

/// The precision, stack and tokens of a point.
pub(super) fn base(
    raw: &RawScenario,
    nums: &Numbers,
    model: ModelSpec,
    catalog: &Catalog,
    ctx: &Ctx,
) -> Result<Base, InputError> {
    let precision = match &raw.precision {
        None => Precision::Bf16,
        Some(p) => Precision::parse(p).map_err(|e| {
            ctx.wrap("precision", e)
                .with_hint("use \"bf16\", \"fp16\" or \"fp8\"")
        })?,
    };
    let stack = shared::stack(
        Front::Scenario,
        catalog,
        raw.stack.as_deref(),
        nums.get("year").map(|v| v.nominal() as i32),
        nums.contains_key("efficiency.mfu"),
    )
    .map_err(|e| ctx.shared(e))?;
    // A stack without an FP8 recipe trains FP8 runs in BF16 (as `Question::apply_stack`).
    let precision = match &stack {
        Some(s) if precision == Precision::Fp8 && !s.fp8 => Precision::Bf16,
        _ => precision,
    };
    let Some(train_tokens) = nums.get("train_tokens").map(|v| v.nominal()) else {
        return Err(ctx.err(
            "train_tokens",
            "is required",
            "set the training tokens, e.g. `train_tokens = 15e12`",
        ));
    };
    Ok(Base {
        model,
        precision,
        stack,
        train_tokens,
    })
}

/// The sequence length and global batch (the default sized by the GPUs that run), and at
/// least one optimizer step of tokens.
pub(super) fn batch(
    nums: &Numbers,
    base: &Base,
    batch_gpus: u64,
    ctx: &Ctx,
) -> Result<Batch, InputError> {
    let batch = shared::batch(
        Front::Scenario,
        &base.model,
        nums.get("seq_len").map(|v| v.nominal() as u64),
        nums.get("global_batch_tokens").map(|v| v.nominal()),
        batch_gpus,
    )
    .map_err(|e| ctx.shared(e))?;
    shared::check_tokens(Front::Scenario, base.train_tokens, &batch).map_err(|e| ctx.shared(e))?;
    Ok(batch)
}

/// `[plan]`: the fixed values, checked on every pool that runs, then the stack's limits.
pub(super) fn space(
    raw: &RawScenario,
    nums: &Numbers,
    base: &Base,
    batch: &Batch,
    pools: &[&PoolDraft],
    ctx: &Ctx,
) -> Result<SearchSpace, InputError> {
    let int = |path: &str| nums.get(path).map(|v| v.nominal() as u64);
    let u32_of = |path: &str| int(path).map(|v| u32::try_from(v).unwrap_or(u32::MAX));
    let zero_stage = match int("plan.zero_stage") {
        Some(z) if z > 3 => {
            return Err(ctx.err(
                "plan.zero_stage",
                format!("must be 0, 1, 2 or 3, got {z}"),
                "ZeRO has stages 0 to 3",
            ));
        }
        z => z.map(|z| z as u8),
    };
    let recompute = match raw.plan.as_ref().and_then(|p| p.recompute.as_deref()) {
        None => None,
        Some(s) => Some(Recompute::parse(s).ok_or_else(|| {
            ctx.err(
                "plan.recompute",
                format!("unknown recompute mode `{s}`"),
                "use \"none\", \"selective\" or \"full\"",
            )
        })?),
    };
    let space = SearchSpace {
        tp: u32_of("plan.tp"),
        pp: u32_of("plan.pp"),
        dp: u32_of("plan.dp"),
        ep: u32_of("plan.ep"),
        cp: u32_of("plan.cp"),
        micro_batch: u32_of("plan.micro_batch"),
        recompute,
        zero_stage,
        interleave: u32_of("plan.interleave"),
        ..SearchSpace::default()
    };
    for d in pools {
        let gpus_path = format!("{}.count", d.prefix);
        shared::check_plan(
            Front::Scenario,
            &space,
            &base.model,
            batch,
            d.gpus(),
            &gpus_path,
        )
        .map_err(|e| ctx.shared(e))?;
    }
    Ok(match &base.stack {
        Some(s) => s.space(space),
        None => space,
    })
}

/// The nominal assumptions of a point: the defaults `trainsim estimate` uses for each chip
/// (its stack's efficiency, or the chip's defaults), then the file's nominal values.
pub(super) struct Assumptions<'a> {
    /// The point as written.
    pub raw: &'a RawScenario,
    /// Its numbers.
    pub nums: &'a Numbers,
    /// Its model, precision and stack.
    pub base: &'a Base,
}

impl Assumptions<'_> {
    /// The nominal inputs of a trial on `gpu`.
    pub fn nominal_for(&self, gpu: &GpuSpec) -> Inputs {
        let mut eff = match &self.base.stack {
            Some(s) => {
                let p = match (self.base.precision, gpu.fp8_dense_tflops) {
                    (Precision::Fp8, None) => Precision::Bf16,
                    (p, _) => p,
                };
                crate::perf::assumptions::stack_efficiency(s, gpu, p)
            }
            None => Efficiency::defaults_for(gpu, self.base.precision),
        };
        if let Some(e) = &self.raw.efficiency {
            if let Some(b) = e.flash_attention {
                eff.flash_attention = b;
            }
            if let Some(b) = e.sequence_parallel {
                eff.sequence_parallel = b;
            }
        }
        let mut nominal = Inputs {
            train_tokens: self.base.train_tokens,
            eff,
            rel: Reliability::default(),
            energy: EnergyAssumptions::default(),
            cost: CostAssumptions::default(),
            matmul_base: eff.matmul,
            matmul_scale: 1.0,
            model_error: 1.0,
        };
        if let Some(basis) = self.raw.cost.as_ref().and_then(|c| c.basis) {
            nominal.cost.basis = basis;
        }
        for (path, v) in self.nums {
            let Some(k) = number_key(path) else { continue };
            if let Role::Uncertain(slot) = k.role {
                nominal.set(slot, v.nominal());
            }
        }
        nominal.finish();
        nominal
    }
}

/// Builds the [`Question`] of a pool at nominal values.
pub(super) struct Asker<'a> {
    /// Model, precision, stack, tokens.
    pub base: &'a Base,
    /// Sequence length and global batch.
    pub batch: Batch,
    /// The fixed plan, with the stack's limits.
    pub space: SearchSpace,
    /// The numbers of the point (cluster overrides).
    pub nums: &'a Numbers,
}

impl Asker<'_> {
    /// The question of `gpus` × `gpu` obtained through `channel`, under assumptions `x`.
    pub fn question(&self, gpu: &GpuSpec, gpus: u64, x: &Inputs, channel: Channel) -> Question {
        let b = self.base;
        Question {
            model: b.model.clone(),
            gpu: gpu.clone(),
            gpus,
            train_tokens: b.train_tokens,
            precision: b.precision,
            seq_len: self.batch.seq_len,
            global_batch_tokens: self.batch.global_batch_tokens,
            efficiency: x.eff,
            reliability: x.rel,
            energy: x.energy,
            cost: channel_cost(channel, &x.cost, gpu),
            space: self.space,
            gpus_per_node: self
                .nums
                .get("fleet.gpus_per_node")
                .map(|v| u32::try_from(v.nominal() as u64).unwrap_or(u32::MAX)),
            net_gbit_per_s: self.nums.get("fleet.net_gbps_per_gpu").map(|v| v.nominal()),
            stack: b.stack.clone(),
            whole_run: b
                .stack
                .as_ref()
                .map_or_else(WholeRun::default, |s| WholeRun {
                    overhead: s.overhead.median(),
                    time_factor: s.time_factor,
                    model_error: 1.0,
                }),
        }
    }
}
