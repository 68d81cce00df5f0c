//! Resolution: one sweep point's [`RawScenario`] + the catalogs → a validated [`Point`]
//! (an [`estimate::Question`](crate::estimate::Question) at nominal values, the nominal
//! trial [`Inputs`], and the list of uncertain inputs).
//!
//! Every error names the file, the dotted key, its line:column (of the swept value when the
//! key is swept) and a hint. Physical ranges come from [`super::keys::NUMBER_KEYS`];
//! distributions are checked with [`Dist::check`] and their whole support must lie in the
//! key's range. Defaults follow `trainsim estimate` exactly (same `Efficiency::defaults_for`,
//! `Reliability`, `EnergyAssumptions`, `CostAssumptions`, global batch), so a scenario
//! without distributions reproduces the deterministic estimate.

use std::collections::BTreeMap;
use std::path::Path;

use super::dist::Dist;
use super::keys::{number_key, Domain, Inputs, Role, NUMBER_KEYS};
use super::raw::{Num, RawModel, RawScenario};
use super::{Point, Uncertain};
use crate::catalog::{load_model_file, Catalog, ModelSpec, Precision};
use crate::error::{InputError, Location};
use crate::estimate::{default_global_batch_tokens, Question};
use crate::parallel::{Recompute, SearchSpace};
use crate::perf::{CostAssumptions, Efficiency, EnergyAssumptions, Reliability};
use crate::policy::{builtin_rule, Rule};

/// Most Monte Carlo trials per sweep point (each trial's metrics are held in memory while
/// its point is summarised: 40 bytes a trial).
pub const MAX_TRIALS: u64 = 10_000_000;
/// Most plans kept from the nominal search.
pub const MAX_TOP_K: u64 = 64;
/// Trials when the scenario has uncertain inputs and does not say.
pub const DEFAULT_TRIALS: u64 = 1000;
/// Seed when the scenario does not say.
pub const DEFAULT_SEED: u64 = 42;
/// Plans kept when the scenario does not say.
pub const DEFAULT_TOP_K: usize = 4;

/// Where errors point: the file, its text, and the locations of the swept values.
pub(crate) struct Ctx<'a> {
    /// The file as named in messages.
    pub file: &'a str,
    /// Its text.
    pub src: &'a str,
    /// The folder relative paths (model files) are read from.
    pub dir: Option<&'a Path>,
    /// Swept paths of this point and where their values are written.
    pub swept: Vec<(String, Option<Location>)>,
}

impl Ctx<'_> {
    /// The location of `path`: the swept value, else the key in the file.
    pub fn loc(&self, path: &str) -> Option<Location> {
        if let Some((_, l)) = self
            .swept
            .iter()
            .find(|(p, _)| path == p || path.starts_with(&format!("{p}.")))
        {
            return *l;
        }
        locate(self.src, path)
    }

    /// An error at `path`.
    pub fn err(
        &self,
        path: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> InputError {
        let key = if self.swept.iter().any(|(p, _)| p == path) {
            format!("sweep.\"{path}\"")
        } else {
            path.to_string()
        };
        InputError::new(message)
            .in_file(self.file)
            .at_key(key)
            .at(self.loc(path))
            .with_hint(hint)
    }

    /// Attach this file and `path` to an error from elsewhere (catalog lookups).
    fn wrap(&self, path: &str, e: InputError) -> InputError {
        let key = if self.swept.iter().any(|(p, _)| p == path) {
            format!("sweep.\"{path}\"")
        } else {
            path.to_string()
        };
        e.in_file(self.file).at_key(key).at(self.loc(path))
    }
}

/// Find a dotted key in TOML text: `[table]` + `key =`, then a top-level `table = {..}`,
/// then any `[[...table]]` header.
pub(crate) fn locate(src: &str, path: &str) -> Option<Location> {
    let parts: Vec<&str> = path.split('.').collect();
    let (leaf, tables) = parts.split_last()?;
    if let Some(l) = Location::of_key(src, tables, Some(leaf)) {
        return Some(l);
    }
    for i in (1..parts.len()).rev() {
        let (t, k) = parts[..=i].split_at(i);
        if let Some(l) = Location::of_key(src, t, Some(k[0])) {
            return Some(l);
        }
    }
    if let Some(l) = Location::of_key(src, &[], Some(parts[0])) {
        return Some(l);
    }
    let header = format!("[[{path}]]");
    src.find(&header).map(|off| Location::of_offset(src, off))
}

/// A number after validation.
#[derive(Debug, Clone, Copy)]
enum Value {
    Const(f64),
    Dist(Dist),
}

impl Value {
    fn nominal(self) -> f64 {
        match self {
            Value::Const(x) => x,
            Value::Dist(d) => d.nominal(),
        }
    }
}

/// Largest accepted value of a whole-number or plan-shaping key: beyond these the plan
/// search would loop for hours, and no real run comes near them.
fn upper_bound(path: &str) -> Option<f64> {
    match path {
        "fleet.count" | "fleet.pools.count" => Some(1e7),
        "fleet.gpus_per_node" => Some(1024.0),
        "seq_len" => Some(1e8),
        "global_batch_tokens" => Some(1e12),
        p if p.starts_with("plan.") => Some(1e6),
        _ => None,
    }
}

fn hint_for(domain: Domain) -> &'static str {
    match domain {
        Domain::Positive => "physically impossible: this quantity must be above zero",
        Domain::NonNegative => "physically impossible: this quantity cannot be negative",
        Domain::Fraction => {
            "an efficiency or utilisation is achieved ÷ peak: above 0 and at most 1"
        }
        Domain::Share | Domain::ShareBelowOne => "a share of a whole lies between 0 and 1",
        Domain::AtLeastOne => "facility power cannot be less than the IT power it feeds (PUE ≥ 1)",
        Domain::AboveMinusOne => "a premium of −1 would make the chips free",
    }
}

/// Check every numeric key the file sets; return the valid ones by path.
fn numbers(raw: &RawScenario, ctx: &Ctx) -> Result<BTreeMap<&'static str, Value>, InputError> {
    let mut out = BTreeMap::new();
    for k in NUMBER_KEYS {
        let Some(num) = raw.number(k.path) else {
            continue;
        };
        let value = match (*num, k.role) {
            (Num::Dist(_), Role::Integer) => {
                return Err(ctx.err(
                    k.path,
                    "a whole-number key may not be a distribution",
                    format!("sweep it instead, e.g. [sweep] \"{}\" = [..]", k.path),
                ));
            }
            (Num::Dist(_), Role::Fixed) => {
                return Err(ctx.err(
                    k.path,
                    "this key shapes the plan search and may not be a distribution",
                    format!("sweep it instead, e.g. [sweep] \"{}\" = [..]", k.path),
                ));
            }
            (Num::Dist(d), Role::Uncertain(_)) => {
                d.check()
                    .map_err(|m| ctx.err(k.path, m, "fix the parameters of the distribution"))?;
                let (lo, hi) = d.support();
                for x in [lo, hi] {
                    if !k.domain.contains(x) {
                        let clamp = if matches!(d, Dist::Normal { .. } | Dist::LogNormal { .. }) {
                            " (±5 sd)"
                        } else {
                            ""
                        };
                        return Err(ctx.err(
                            k.path,
                            format!(
                                "{} reaches {x}{clamp}, but the value must be {}",
                                d.describe(),
                                k.domain.describe()
                            ),
                            format!("narrow the distribution; {}", hint_for(k.domain)),
                        ));
                    }
                }
                if d.is_degenerate() {
                    Value::Const(d.nominal())
                } else {
                    Value::Dist(d)
                }
            }
            (n, role) => {
                let x = n.as_f64().unwrap_or(f64::NAN);
                let whole = role == Role::Integer;
                if whole && (x.fract() != 0.0 || (x.abs() > 9.0e15 && k.path != "uncertainty.seed"))
                {
                    return Err(ctx.err(
                        k.path,
                        format!("must be a whole number, got {x}"),
                        "write it without a fraction",
                    ));
                }
                if !k.domain.contains(x) {
                    let what = if whole {
                        match k.domain {
                            Domain::Positive => "a positive whole number".to_string(),
                            _ => "a whole number ≥ 0".to_string(),
                        }
                    } else {
                        k.domain.describe().to_string()
                    };
                    return Err(ctx.err(
                        k.path,
                        format!("must be {what}, got {x}"),
                        hint_for(k.domain),
                    ));
                }
                if let Some(max) = upper_bound(k.path).filter(|m| x > *m) {
                    return Err(ctx.err(
                        k.path,
                        format!("{x} is more than {max}, the most trainsim accepts"),
                        "check the number: no training run comes near it",
                    ));
                }
                Value::Const(x)
            }
        };
        out.insert(k.path, value);
    }
    Ok(out)
}

/// The model of a point.
fn model(raw: &RawScenario, catalog: &Catalog, ctx: &Ctx) -> Result<ModelSpec, InputError> {
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

/// Resolve one point. `index` is its position in the sweep, `inputs` the display of its
/// swept values.
pub(crate) fn point(
    raw: &RawScenario,
    catalog: &Catalog,
    ctx: &Ctx,
    index: usize,
    inputs: Vec<String>,
    overrides: &super::Overrides,
) -> Result<Point, InputError> {
    let nums = numbers(raw, ctx)?;
    let int = |path: &str| nums.get(path).map(|v| v.nominal() as u64);
    let model = model(raw, catalog, ctx)?;

    // Fleet: one pool, written directly or as a one-element `[[fleet.pools]]`.
    let Some(fleet) = &raw.fleet else {
        return Err(ctx.err(
            "fleet",
            "is required",
            "add a [fleet] table with `gpu` and `count`",
        ));
    };
    let (gpu_name, count, channel) = match &fleet.pools {
        Some(pools) if pools.len() > 1 => {
            return Err(ctx.err(
                "fleet.pools",
                format!("{} pools given", pools.len()),
                "mixed fleets are not modelled yet: give one pool, or run one scenario per chip and compare",
            ));
        }
        Some(_) if fleet.gpu.is_some() || fleet.count.is_some() => {
            return Err(ctx.err(
                "fleet.pools",
                "both [fleet] gpu/count and [[fleet.pools]] are given",
                "describe the fleet one way: `gpu` and `count` under [fleet], or one [[fleet.pools]] entry",
            ));
        }
        Some(pools) => {
            let Some(pool) = pools.first() else {
                return Err(ctx.err(
                    "fleet.pools",
                    "no pools given",
                    "give one [[fleet.pools]] entry with `gpu` and `count`",
                ));
            };
            let count = match pool.count {
                None => None,
                Some(Num::Dist(_)) => {
                    return Err(ctx.err(
                        "fleet.pools.count",
                        "a whole-number key may not be a distribution",
                        "give a whole number of GPUs",
                    ));
                }
                Some(n) => {
                    let x = n.as_f64().unwrap_or(f64::NAN);
                    if !(x.fract() == 0.0 && (1.0..=1e7).contains(&x)) {
                        return Err(ctx.err(
                            "fleet.pools.count",
                            format!("must be a positive whole number up to 10,000,000, got {x}"),
                            hint_for(Domain::Positive),
                        ));
                    }
                    Some(x as u64)
                }
            };
            (
                pool.gpu.clone().map(|g| (g, "fleet.pools.gpu")),
                count.map(|c| (c, "fleet.pools.count")),
                pool.channel,
            )
        }
        None => (
            fleet.gpu.clone().map(|g| (g, "fleet.gpu")),
            int("fleet.count").map(|c| (c, "fleet.count")),
            None,
        ),
    };
    let Some((gpu_name, gpu_key)) = gpu_name else {
        return Err(ctx.err(
            "fleet.gpu",
            "is required",
            "set the GPU under [fleet] (`trainsim catalog gpus` lists them) or sweep `fleet.gpu`",
        ));
    };
    let Some((gpus, _)) = count else {
        return Err(ctx.err(
            "fleet.count",
            "is required",
            "set the number of GPUs under [fleet] or sweep `fleet.count`",
        ));
    };
    let gpu = catalog
        .gpu(&gpu_name)
        .map_err(|e| ctx.wrap(gpu_key, e))?
        .clone();

    let precision = match &raw.precision {
        None => Precision::Bf16,
        Some(p) => Precision::parse(p).map_err(|e| {
            ctx.wrap("precision", e)
                .with_hint("use \"bf16\", \"fp16\" or \"fp8\"")
        })?,
    };
    let train_tokens = match nums.get("train_tokens") {
        Some(v) => v.nominal(),
        None => {
            return Err(ctx.err(
                "train_tokens",
                "is required",
                "set the training tokens, e.g. `train_tokens = 15e12`",
            ));
        }
    };
    let seq_len = int("seq_len").unwrap_or(model.seq_len);
    let global_batch_tokens = match nums.get("global_batch_tokens").map(|v| v.nominal()) {
        Some(b) => {
            if b < seq_len as f64 {
                return Err(ctx.err(
                    "global_batch_tokens",
                    format!("{b} tokens is less than one sequence of {seq_len}"),
                    "the global batch holds whole sequences",
                ));
            }
            ((b / seq_len as f64).round() * seq_len as f64).max(seq_len as f64)
        }
        None => default_global_batch_tokens(gpus, seq_len),
    };

    // Assumptions: the defaults `trainsim estimate` uses, then the file's nominal values.
    let mut eff = Efficiency::defaults_for(&gpu, precision);
    if let Some(e) = &raw.efficiency {
        if let Some(b) = e.flash_attention {
            eff.flash_attention = b;
        }
        if let Some(b) = e.sequence_parallel {
            eff.sequence_parallel = b;
        }
    }
    let mut nominal = Inputs {
        train_tokens,
        eff,
        rel: Reliability::default(),
        energy: EnergyAssumptions::default(),
        cost: CostAssumptions::default(),
        matmul_base: eff.matmul,
        matmul_scale: 1.0,
    };
    if let Some(basis) = raw.cost.as_ref().and_then(|c| c.basis) {
        nominal.cost.basis = basis;
    }
    let mut uncertain = Vec::new();
    for (path, v) in &nums {
        let Some(k) = number_key(path) else { continue };
        if let Role::Uncertain(slot) = k.role {
            nominal.set(slot, v.nominal());
            if let Value::Dist(dist) = v {
                uncertain.push(Uncertain {
                    path,
                    dist: *dist,
                    sampler: dist.sampler(),
                    slot,
                });
            }
        }
    }
    nominal.finish();
    // `matmul × matmul_scale` must stay a fraction over the whole support.
    if nums.contains_key("efficiency.matmul_scale") {
        let (blo, bhi) =
            nums.get("efficiency.matmul")
                .map_or((nominal.matmul_base, nominal.matmul_base), |v| match v {
                    Value::Dist(d) => d.support(),
                    Value::Const(x) => (*x, *x),
                });
        let (slo, shi) = match nums["efficiency.matmul_scale"] {
            Value::Dist(d) => d.support(),
            Value::Const(x) => (x, x),
        };
        let (lo, hi) = (blo * slo, bhi * shi);
        if !(Domain::Fraction.contains(lo) && Domain::Fraction.contains(hi)) {
            return Err(ctx.err(
                "efficiency.matmul_scale",
                format!("matmul × matmul_scale reaches {hi} on {} (matmul {blo}–{bhi}), above 1", gpu.id),
                "GEMM efficiency cannot exceed the peak: narrow the scale or lower `efficiency.matmul`",
            ));
        }
    }
    uncertain.sort_by(|a, b| a.path.cmp(b.path));

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
    };
    if let (Some(moe), Some(ep)) = (&model.moe, space.ep) {
        if moe.experts % ep != 0 {
            return Err(ctx.err(
                "plan.ep",
                format!("{ep} does not divide the {} experts", moe.experts),
                "expert parallelism places whole experts on each GPU",
            ));
        }
    }

    let policy = policy(raw, &nums, ctx)?;

    let trials = match (overrides.trials, int("uncertainty.trials")) {
        (Some(t), _) => t,
        (None, Some(t)) => t,
        (None, None) if uncertain.is_empty() => 1,
        (None, None) => DEFAULT_TRIALS,
    };
    if trials > MAX_TRIALS {
        let e = ctx.err(
            "uncertainty.trials",
            format!("{trials} trials per point is more than {MAX_TRIALS}"),
            "more trials rarely move p5/p95 after 10,000; split the run with --shard if needed",
        );
        return Err(if overrides.trials.is_some() {
            InputError {
                key: Some("--trials".into()),
                location: None,
                ..e
            }
        } else {
            e
        });
    }
    let top_k = int("uncertainty.top_k").unwrap_or(DEFAULT_TOP_K as u64);
    if top_k > MAX_TOP_K {
        return Err(ctx.err(
            "uncertainty.top_k",
            format!("{top_k} is more than {MAX_TOP_K}"),
            "a handful of plans is enough",
        ));
    }
    // The seed is read from the raw integer: a float would round seeds above 2^53.
    let file_seed = match raw.number("uncertainty.seed") {
        Some(Num::Int(i)) => Some(*i as u64),
        _ => int("uncertainty.seed"),
    };
    let seed = overrides.seed.or(file_seed).unwrap_or(DEFAULT_SEED);

    let question = Question {
        model,
        gpu,
        gpus,
        train_tokens,
        precision,
        seq_len,
        global_batch_tokens,
        efficiency: nominal.eff,
        reliability: nominal.rel,
        energy: nominal.energy,
        cost: nominal.cost,
        space,
        gpus_per_node: u32_of("fleet.gpus_per_node"),
        net_gbit_per_s: nums.get("fleet.net_gbps_per_gpu").map(|v| v.nominal()),
    };
    Ok(Point {
        index,
        inputs,
        question,
        nominal,
        uncertain,
        trials,
        seed,
        top_k: top_k as usize,
        policy,
        channel,
    })
}

fn policy(
    raw: &RawScenario,
    nums: &BTreeMap<&'static str, Value>,
    ctx: &Ctx,
) -> Result<Option<Rule>, InputError> {
    let Some(p) = &raw.policy else {
        return Ok(None);
    };
    let get = |k: &str| nums.get(k).map(|v| v.nominal());
    let custom = [
        get("policy.tpp_min"),
        get("policy.pd_min"),
        get("policy.interconnect_min_gb_per_s"),
        get("policy.memory_bw_min_tb_per_s"),
    ];
    match (&p.rule, custom.iter().any(Option::is_some)) {
        (Some(_), true) => Err(ctx.err(
            "policy.rule",
            "both a rule id and custom thresholds are given",
            "give `rule = \"oct-2023\"` or custom thresholds (tpp_min, pd_min, interconnect_min_gb_per_s, memory_bw_min_tb_per_s), not both",
        )),
        (Some(r), false) => builtin_rule(r).map(Some).map_err(|e| ctx.wrap("policy.rule", e)),
        (None, true) => Rule::custom("custom", custom[0], custom[1], custom[2], custom[3])
            .map(Some)
            .map_err(|e| ctx.wrap("policy", e)),
        (None, false) => Err(ctx.err(
            "policy",
            "[policy] gives neither a rule nor thresholds",
            "write `rule = \"oct-2023\"` (`trainsim catalog rules` lists them) or custom thresholds, or drop [policy]",
        )),
    }
}
