//! One evaluation of a prepared point's fleet under one value per uncertain input
//! ([`evaluate_fleet`]): each pool's fastest kept plan, the arrangement of the pools (one
//! alone or all together, see the `montecarlo` module docs), the figures of the pools in
//! use and the comparison fleets. [`Scratch`] holds what a chunk of trials reuses.

use crate::catalog::Precision;
use crate::cost::{capex_per_gpu_usd, estimate_cost, CostBasis, EnergyAssumptions};
use crate::estimate::{Question, RunMetrics};
use crate::fleet::{self, month_start_day};
use crate::parallel::Infeasible;
use crate::perf::run_time::goodput;
use crate::workload::{model_flops_per_token, ParamCounts};

use super::inputs::Inputs;
use super::{best_plan, pool_inputs, PoolPlans, Prepared, Uncertain};

/// Facility power of `gpus` GPUs of `gpu` under `e`, MW (as [`crate::cost::estimate_cost`]);
/// NaN without a TDP.
fn power_mw(gpu: &crate::catalog::GpuSpec, gpus: f64, e: &EnergyAssumptions) -> f64 {
    match gpu.tdp_w {
        Some(tdp_w) => {
            let per_gpu_w = tdp_w * (e.gpu_power_fraction + e.host_power_fraction) * e.pue;
            per_gpu_w * gpus / 1e6
        }
        None => f64::NAN,
    }
}

/// One evaluation of a fleet (a trial, a tornado bar or the nominal run).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FleetRun {
    /// Whole-run metrics of the chosen arrangement.
    pub metrics: RunMetrics,
    /// Facility power of the pools in use, MW.
    pub facility_power_mw: f64,
    /// See the module docs.
    pub h100_equivalents: f64,
    /// Days ÷ the reference fleet's days (NaN without a reference).
    pub restriction_time_ratio: f64,
    /// Cost ÷ the reference fleet's cost (NaN without a reference).
    pub restriction_cost_ratio: f64,
    /// Smuggled GPUs in use.
    pub unlawful_gpus: f64,
    /// Months from the first build-up `start` to the run's start (NaN without a build-up).
    pub months_to_acquire: f64,
    /// Up-front hardware cost of the owned pools in use, USD (rented pools add nothing; NaN
    /// when no pool is owned or an owned pool has no purchase price). Issue 11: shown beside
    /// the amortised cost.
    pub capex_usd: f64,
    /// Completion, days since 1970-01-01 (NaN without a build-up).
    pub completion_day: f64,
    /// Code of the choice ([`Prepared::plan_code`]).
    pub plan: u64,
    /// Mode: index into [`Prepared::pools`] alone, or `pools.len()` for all together.
    pub mode: usize,
}

/// Per-chunk working space of [`evaluate_fleet`]: the questions (cloned once, only
/// `train_tokens` changes) and small buffers.
pub struct Scratch {
    pub(super) pools: Vec<Question>,
    pub(super) reference: Option<Question>,
    pub(super) h100: Option<Question>,
    pub(super) ok: Vec<(usize, RunMetrics, usize, Inputs)>,
    pub(super) ranks: Vec<usize>,
    pub(super) tps: Vec<f64>,
    pub(super) gpus: Vec<u64>,
    pub(super) bw: Vec<f64>,
}

impl Scratch {
    /// Space for evaluating `prep`.
    pub fn new(prep: &Prepared) -> Scratch {
        let n = prep.pools.len();
        Scratch {
            pools: prep.pools.iter().map(|p| p.pool.question.clone()).collect(),
            reference: prep.reference.as_ref().map(|p| p.pool.question.clone()),
            h100: prep.h100.as_ref().map(|p| p.pool.question.clone()),
            ok: Vec::with_capacity(n),
            ranks: vec![0; n],
            tps: Vec::with_capacity(n),
            gpus: Vec::with_capacity(n),
            bw: Vec::with_capacity(n),
        }
    }
}

/// The fastest kept plan of a comparison fleet under the values.
fn side_metrics(
    side: Option<&PoolPlans>,
    q: Option<&mut Question>,
    uncertain: &[Uncertain],
    values: &[f64],
) -> Option<RunMetrics> {
    let (side, q) = (side?, q?);
    let x = pool_inputs(side.pool, uncertain, values);
    q.train_tokens = x.train_tokens;
    best_plan(&side.plans, q, &x).ok().map(|(m, _)| m)
}

/// Evaluate the fleet of a prepared point under one value per uncertain input (see the
/// module docs). `Err` when no pool can make progress. The point must be feasible.
pub fn evaluate_fleet(
    prep: &Prepared,
    values: &[f64],
    s: &mut Scratch,
) -> Result<FleetRun, Infeasible> {
    let point = prep.point;
    let u = &point.uncertain;
    best_per_pool(prep, values, s)?;
    let q0 = &prep.pools[0].pool.question;
    let batch = q0.global_batch_tokens;
    let arrangement = if s.ok.len() > 1 {
        s.tps.clear();
        s.gpus.clear();
        s.bw.clear();
        for (j, m, rank, x) in &s.ok {
            let pp = &prep.pools[*j];
            s.tps.push(batch / m.step_time_s);
            s.gpus.push(pp.plans[*rank].strategy.gpus());
            s.bw.push(pp.scale_out_bytes_per_s * x.eff.scaleout);
        }
        let params = ParamCounts::of(&q0.model).total;
        fleet::arrange(&s.tps, &s.gpus, &s.bw, batch, params)
    } else {
        None
    };
    let (metrics, mode, in_use) = match arrangement {
        Some(a) if a.combined => (
            combined_metrics(prep, s, a.combined_step_s)?,
            prep.pools.len(),
            None,
        ),
        Some(a) => {
            let (j, m, ..) = s.ok[a.best];
            (m, j, Some(j))
        }
        None => {
            let (j, m, ..) = s.ok[0];
            (m, j, Some(j))
        }
    };
    let used = pools_in_use(prep, s, in_use);
    let mut metrics = metrics;
    if metrics.energy_mwh.is_nan() {
        // A pool without a price has no cost, but its energy is still known.
        metrics.energy_mwh = used.power * metrics.train_days * 24.0;
    }
    let (months_to_acquire, completion_day) = match (used.ready, prep.origin_month) {
        (Some(r), Some(o)) => (
            (r - o) as f64,
            month_start_day(r) as f64 + metrics.train_days,
        ),
        _ => (f64::NAN, f64::NAN),
    };
    // Comparison fleets under the same values.
    let h100_equivalents = if prep.h100_is_fleet {
        point.fleet_gpus as f64
    } else {
        side_metrics(prep.h100.as_ref(), s.h100.as_mut(), u, values).map_or(f64::NAN, |h| {
            point.fleet_gpus as f64 * h.train_days / metrics.train_days
        })
    };
    let (restriction_time_ratio, restriction_cost_ratio) =
        side_metrics(prep.reference.as_ref(), s.reference.as_mut(), u, values).map_or(
            (f64::NAN, f64::NAN),
            |r| {
                (
                    metrics.train_days / r.train_days,
                    metrics.cost_usd / r.cost_usd,
                )
            },
        );
    let plan = prep.plan_code(mode, &s.ranks);
    Ok(FleetRun {
        metrics,
        facility_power_mw: used.power,
        h100_equivalents,
        restriction_time_ratio,
        restriction_cost_ratio,
        unlawful_gpus: used.unlawful,
        months_to_acquire,
        completion_day,
        capex_usd: if used.owned { used.capex } else { f64::NAN },
        plan,
        mode,
    })
}

/// The fastest kept plan of every pool under the values, into `s.ok` (pool, metrics, rank,
/// inputs) and `s.ranks`. `Err` (the first pool's reason) when no pool can run.
fn best_per_pool(prep: &Prepared, values: &[f64], s: &mut Scratch) -> Result<(), Infeasible> {
    let u = &prep.point.uncertain;
    s.ok.clear();
    let mut why = None;
    for (j, pp) in prep.pools.iter().enumerate() {
        let x = pool_inputs(pp.pool, u, values);
        let q = &mut s.pools[j];
        q.train_tokens = x.train_tokens;
        match best_plan(&pp.plans, q, &x) {
            Ok((m, rank)) => s.ok.push((j, m, rank, x)),
            Err(e) => {
                why.get_or_insert(e);
            }
        }
    }
    if s.ok.is_empty() {
        return Err(why.unwrap_or(Infeasible::NoLayout {
            reason: "no pool".into(),
        }));
    }
    s.ranks.iter_mut().for_each(|r| *r = 0);
    for (j, _, rank, _) in &s.ok {
        s.ranks[*j] = *rank;
    }
    Ok(())
}

/// Whole-run metrics of all pools of `s.ok` together at step time `step_s` (heterogeneous
/// data parallelism; `s.gpus` holds the GPUs each pool's plan uses). `Err` when failures
/// outpace progress.
fn combined_metrics(prep: &Prepared, s: &Scratch, step_s: f64) -> Result<RunMetrics, Infeasible> {
    let q0 = &prep.pools[0].pool.question;
    let batch = q0.global_batch_tokens;
    let x0 = &s.ok[0].3;
    let used: f64 = s.gpus.iter().map(|&g| g as f64).sum();
    let params = ParamCounts::of(&q0.model).total;
    let g = goodput(&x0.rel, used, params);
    if g.goodput <= 0.05 {
        return Err(Infeasible::NoProgress {
            reason: format!(
                "failures outpace progress: job MTBF {:.2} h over {used} GPUs leaves goodput {:.2}",
                g.mtbf_h, g.goodput
            ),
        });
    }
    let steps = x0.train_tokens / batch;
    // The stack's whole-run factor and the trial's model error, as `run_metrics`
    // applies them to a single pool.
    let whole_run = crate::estimate::WholeRun {
        model_error: x0.model_error,
        ..q0.whole_run
    };
    let wall_h = steps * step_s / g.goodput * whole_run.factor() / 3600.0;
    let step_flops =
        model_flops_per_token(&q0.model, &ParamCounts::of(&q0.model), q0.seq_len) * batch;
    let (mut gpu_hours, mut cost, mut energy, mut peak, mut peak_bf16) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (k, (j, _, _, x)) in s.ok.iter().enumerate() {
        let pool = prep.pools[*j].pool;
        let gpus = pool.gpus() as f64;
        gpu_hours += gpus * wall_h;
        match estimate_cost(&pool.question.gpu, gpus, wall_h, &x.energy, &x.cost) {
            Ok(c) => {
                cost += c.cost_usd;
                energy += c.energy_mwh;
            }
            Err(_) => {
                cost = f64::NAN;
                energy += power_mw(&pool.question.gpu, gpus, &x.energy) * wall_h;
            }
        }
        let used = s.gpus[k] as f64;
        peak += used * pool.question.gpu.peak_flops(q0.precision);
        peak_bf16 += used * pool.question.gpu.peak_flops(Precision::Bf16);
    }
    Ok(RunMetrics {
        train_days: wall_h / 24.0,
        gpu_hours,
        cost_usd: cost,
        energy_mwh: energy,
        mfu: step_flops / (step_s * peak),
        mfu_bf16: step_flops / (step_s * peak_bf16),
        step_time_s: step_s,
        goodput: g.goodput,
    })
}

/// Power, unlawful chips, capital cost and acquisition of the pools in use.
struct InUse {
    /// Facility power, MW.
    power: f64,
    /// Smuggled GPUs.
    unlawful: f64,
    /// Up-front cost of the owned pools, USD.
    capex: f64,
    /// Whether any pool in use is owned.
    owned: bool,
    /// The month every pool in use holds its count (with a build-up).
    ready: Option<i64>,
}

/// [`InUse`] of the pools of `s.ok` that run: all of them, or only pool `in_use`.
fn pools_in_use(prep: &Prepared, s: &Scratch, in_use: Option<usize>) -> InUse {
    let (mut power, mut unlawful, mut capex, mut owned) = (0.0, 0.0, 0.0, false);
    let mut ready = prep.origin_month;
    for (j, _, _, x) in &s.ok {
        if in_use.is_some_and(|k| k != *j) {
            continue;
        }
        let pool = prep.pools[*j].pool;
        let gpus = pool.gpus() as f64;
        power += power_mw(&pool.question.gpu, gpus, &x.energy);
        if x.cost.basis == CostBasis::Ownership {
            owned = true;
            capex += capex_per_gpu_usd(&pool.question.gpu, &x.cost).map_or(f64::NAN, |c| c * gpus);
        }
        if pool.channel.is_unlawful() {
            unlawful += gpus;
        }
        if let (Some(r), Some(b)) = (&mut ready, pool.buildup) {
            *r = (*r).max(b.ready_month(pool.gpus()));
        }
    }
    InUse {
        power,
        unlawful,
        capex,
        owned,
        ready,
    }
}
