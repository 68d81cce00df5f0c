//! What is uncertain about a point and how it is run: the uncertain inputs (the file's
//! distributions, the pools' own, the stack's model error) in the order trials draw them,
//! the check that `matmul × matmul_scale` stays a fraction, and trials, `top_k` and seed.

use super::fleet::{intern, PoolDraft};
use super::numbers::{Numbers, Value};
use super::question::Assumptions;
use super::Ctx;
use super::{DEFAULT_SEED, DEFAULT_TOP_K, DEFAULT_TRIALS, MAX_TOP_K, MAX_TRIALS};
use crate::catalog::StackSpec;
use crate::dist::Dist;
use crate::error::InputError;
use crate::scenario::keys::{number_key, Domain, Role, Slot};
use crate::scenario::raw::{Num, RawScenario};
use crate::scenario::{Overrides, Uncertain};

/// The uncertain inputs of a point, sorted by path: the file's distributions, those of the
/// pools that run, and the stack's fitted model error unless the file sets `model_error`.
pub(super) fn uncertain(
    nums: &Numbers,
    kept: &[&PoolDraft],
    stack: Option<&StackSpec>,
) -> Vec<Uncertain> {
    let mut uncertain = Vec::new();
    for (path, v) in nums {
        let Some(k) = number_key(path) else { continue };
        if let (Role::Uncertain(slot), Value::Dist(dist)) = (k.role, v) {
            uncertain.push(Uncertain {
                path,
                dist: *dist,
                sampler: dist.sampler(),
                slot,
            });
        }
    }
    for d in kept {
        let slot = u16::try_from(d.index).unwrap_or(u16::MAX);
        for (key, v, s) in [
            ("premium", d.premium, Slot::PoolPremium(slot)),
            (
                "usd_per_gpu_hour",
                d.usd_per_gpu_hour,
                Slot::PoolUsdPerGpuHour(slot),
            ),
            ("purchase_usd", d.purchase_usd, Slot::PoolPurchaseUsd(slot)),
        ] {
            if let Some(Value::Dist(dist)) = v {
                uncertain.push(Uncertain {
                    path: intern(format!("{}.{key}", d.prefix)),
                    dist,
                    sampler: dist.sampler(),
                    slot: s,
                });
            }
        }
    }
    if let (Some(s), false) = (stack, nums.contains_key("model_error")) {
        let dist = Dist::LogNormal {
            median: 1.0,
            sigma: s.error.log_sd,
        };
        uncertain.push(Uncertain {
            path: "model_error",
            dist,
            sampler: dist.sampler(),
            slot: Slot::ModelError,
        });
    }
    uncertain.sort_by(|a, b| a.path.cmp(b.path));
    uncertain
}

/// `matmul × matmul_scale` must stay a fraction over the whole support, on every chip.
pub(super) fn check_matmul_scale(
    nums: &Numbers,
    drafts: &[PoolDraft],
    assume: &Assumptions,
    ctx: &Ctx,
) -> Result<(), InputError> {
    let Some(scale) = nums.get("efficiency.matmul_scale") else {
        return Ok(());
    };
    for d in drafts {
        let base = assume.nominal_for(&d.gpu).matmul_base;
        let (blo, bhi) = nums
            .get("efficiency.matmul")
            .map_or((base, base), |v| match v {
                Value::Dist(d) => d.support(),
                Value::Const(x) => (*x, *x),
            });
        let (slo, shi) = match scale {
            Value::Dist(d) => d.support(),
            Value::Const(x) => (*x, *x),
        };
        let (lo, hi) = (blo * slo, bhi * shi);
        if !(Domain::Fraction.contains(lo) && Domain::Fraction.contains(hi)) {
            return Err(ctx.err(
                "efficiency.matmul_scale",
                format!("matmul × matmul_scale reaches {hi} on {} (matmul {blo}–{bhi}), above 1", d.gpu.id),
                "GEMM efficiency cannot exceed the peak: narrow the scale or lower `efficiency.matmul`",
            ));
        }
    }
    Ok(())
}

/// How a point's Monte Carlo runs.
pub(super) struct RunSettings {
    /// Trials (`--trials`, else `uncertainty.trials`, else 1 without uncertain inputs).
    pub trials: u64,
    /// Plans kept from the nominal search.
    pub top_k: usize,
    /// Seed (`--seed`, else `uncertainty.seed`, else the default).
    pub seed: u64,
}

/// `[uncertainty]` of a point, with the command line's overrides.
pub(super) fn run_settings(
    raw: &RawScenario,
    nums: &Numbers,
    overrides: &Overrides,
    certain: bool,
    ctx: &Ctx,
) -> Result<RunSettings, InputError> {
    let int = |path: &str| nums.get(path).map(|v| v.nominal() as u64);
    let trials = match (overrides.trials, int("uncertainty.trials")) {
        (Some(t), _) => t,
        (None, Some(t)) => t,
        (None, None) if certain => 1,
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
    Ok(RunSettings {
        trials,
        top_k: top_k as usize,
        seed: overrides.seed.or(file_seed).unwrap_or(DEFAULT_SEED),
    })
}
