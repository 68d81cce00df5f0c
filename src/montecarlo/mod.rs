//! Monte Carlo over one sweep point: search plans once at nominal values, keep the top K,
//! and per trial draw every uncertain input and take the fastest of the K plans under the
//! drawn assumptions. Summaries ([`summary`]) and the tornado ([`sensitivity`]) live beside.
//!
//! **Seeding.** Common random numbers: every point of a scenario with seed `s` uses `s`
//! ([`point_seed`]), and trial `i` draws from `ChaCha8Rng::seed_from_u64(s)` with
//! `set_stream(i)`, so its numbers depend only on `(seed, i)`: never on threads, chunking,
//! shards or the point. Inputs are drawn in the order of their dotted paths, so points with
//! the same uncertain inputs (the fleets of one comparison) see the same values in trial
//! `i`, and their ratio carries only the uncertainty that differs between them.
//!
//! **Plan choice.** Each trial evaluates every kept plan with
//! [`run_metrics`] and keeps the smallest `train_days`; ties
//! go to the plan ranked higher by the nominal search. A trial in which failures outpace
//! progress for every plan is kept as an infeasible trial (metrics NaN) with its reason.
//!
//! **Fleets** ([`evaluate_fleet`], in [`fleet_eval`]). Each pool of the point is searched alone (its own
//! question: its chip, its GPUs, the whole global batch) and re-timed per trial under the
//! drawn assumptions as that pool sees them (its chip's efficiency defaults, its own prices,
//! its channel's cost basis). With several pools, [`fleet::arrange`] compares all pools
//! together (heterogeneous data parallelism) with the fastest pool alone, and the trial
//! takes the faster:
//! - *alone*: exactly that pool's own run; the other pools stay idle and are **not**
//!   counted in GPU-hours, cost, energy, power or `unlawful_gpus` (a lab would not buy,
//!   rent or run them for this job);
//! - *combined*: step = `B/Σ tokens_per_s + t_sync`; wall time = steps × step / goodput,
//!   goodput over all GPUs the pools' plans use; GPU-hours = Σ allocated GPUs × wall time;
//!   cost, energy and power are summed over the pools, each priced by its channel; MFU is
//!   model FLOPs over Σ used GPUs × each chip's peak.
//!
//! **Policy metrics**, per trial and under the same draws: `restriction_time_ratio` and
//! `restriction_cost_ratio` divide the fleet's days and cost by those of the reference fleet
//! of `[policy] reference`; `h100_equivalents = N × days(H100 × N) / days(fleet)`, `N` the
//! fleet's GPUs: the H100-SXM count whose per-GPU throughput (tokens per wall-clock second
//! of an N-GPU H100 fleet on the same model and batch, failures included) matches the
//! fleet's throughput. `unlawful_gpus` counts smuggled GPUs in use. With a build-up, the run
//! starts in the first month every pool in use holds its count (`months_to_acquire` after
//! the earliest `start`) and `completion_day` is that month's first day plus the run's days
//! (days since 1970-01-01).
//!
//! Nothing here allocates per trial: the questions are cloned once per chunk of trials (so
//! `train_tokens` can vary), the plans are shared by reference.

pub mod fleet_eval;
pub mod inputs;
pub mod metrics;
pub mod point;
pub mod sensitivity;
pub mod summary;

pub use fleet_eval::{evaluate_fleet, FleetRun, Scratch};
pub use metrics::{Metric, TrialMetrics, EXTRA_METRICS, METRICS, NO_PLAN};
pub use point::{Point, Pool, Uncertain};

use std::collections::HashMap;

use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;

use crate::cost::CostBasis;
use crate::cost::{cost_split, CostSplit};
use crate::estimate::{plan_search, run_metrics, Question, RunMetrics};
use crate::fleet::{self, channel_cost, PoolThroughput};
use crate::parallel::{Infeasible, PlanResult, SearchResult};
use crate::perf::Hardware;
use crate::workload::ParamCounts;
use inputs::{Inputs, Slot};

/// The figures of a trial run ([`FleetRun`]), with its plan code.
fn trial_metrics(r: &FleetRun) -> TrialMetrics {
    let m = &r.metrics;
    TrialMetrics {
        train_days: m.train_days,
        gpu_hours: m.gpu_hours,
        cost_usd: m.cost_usd,
        energy_mwh: m.energy_mwh,
        mfu: m.mfu,
        facility_power_mw: r.facility_power_mw,
        h100_equivalents: r.h100_equivalents,
        restriction_time_ratio: r.restriction_time_ratio,
        restriction_cost_ratio: r.restriction_cost_ratio,
        unlawful_gpus: r.unlawful_gpus,
        months_to_acquire: r.months_to_acquire,
        completion_day: r.completion_day,
        capex_usd: r.capex_usd,
        plan: r.plan,
    }
}

/// The seed of point `index` of a scenario seeded with `seed`.
pub fn point_seed(seed: u64, _index: usize) -> u64 {
    // Common random numbers: every point draws trial `i` from the same stream, so points
    // that share uncertain inputs (a fleet comparison) share their values trial by trial.
    seed
}

/// A pool (or comparison fleet) with its kept plans.
#[derive(Debug, Clone)]
pub struct PoolPlans<'a> {
    /// The pool.
    pub pool: &'a Pool,
    /// Its top-K plans at nominal values, best first (never empty).
    pub plans: Vec<PlanResult>,
    /// Its raw one-direction scale-out bandwidth per GPU, bytes/s (before `scaleout`).
    scale_out_bytes_per_s: f64,
}

/// A sweep point ready for trials: the kept plans of each pool, or why there are none.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// The point.
    pub point: &'a Point,
    /// The top-K plans of the first pool that has any, best first (empty when infeasible).
    pub plans: Vec<PlanResult>,
    /// Why there is no plan.
    pub infeasible: Option<Infeasible>,
    /// The point's seed ([`point_seed`]).
    pub seed: u64,
    /// The pools that have a plan, in file order.
    pub pools: Vec<PoolPlans<'a>>,
    /// The reference fleet, when it has a plan.
    pub reference: Option<PoolPlans<'a>>,
    /// The H100 yardstick fleet, when it has a plan and differs from the fleet.
    pub h100: Option<PoolPlans<'a>>,
    /// The H100 yardstick is the fleet itself (one H100-SXM pool): `h100_equivalents` is
    /// its GPU count.
    pub h100_is_fleet: bool,
    /// Warnings: the point's own, and pools or comparison fleets without a plan.
    pub notes: Vec<String>,
    /// Radix of the per-pool plan ranks in [`Self::plan_code`] (`None`: the code holds only
    /// the fleet mode, when ranks would not fit in 64 bits).
    pub radix: Option<u64>,
    /// First `start` month of a build-up, if any pool has one.
    pub origin_month: Option<i64>,
}

/// Why the point cannot run under its export rule, if so: a purchased pool whose GPU the
/// rule does not allow (`policy.disallowed = "refuse"`), or every pool dropped.
pub fn not_allowed(point: &Point) -> Option<Infeasible> {
    point.refused.as_ref().map(|reason| Infeasible::NotAllowed {
        reason: reason.clone(),
    })
}

/// Everything a plan search depends on, as a key: questions with equal keys (a sweep over
/// prices or PUE, a reference fleet equal to a pool) share one search.
pub fn question_key(q: &Question, top_k: usize) -> String {
    let mut key = String::new();
    let _ = write_question_key(&mut key, q, top_k);
    key
}

/// [`question_key`], written to `w`.
fn write_question_key(
    w: &mut impl std::fmt::Write,
    q: &Question,
    top_k: usize,
) -> std::fmt::Result {
    write!(
        w,
        "{:?}|{}|{}|{:?}|{}|{}|{:?}|{:?}|{:?}|{:?}|{}",
        q.model,
        q.gpu.id,
        q.gpus,
        q.precision,
        q.seq_len,
        q.global_batch_tokens,
        q.efficiency,
        q.space,
        q.gpus_per_node,
        q.net_gbit_per_s,
        top_k
    )
}

/// The 64-bit FNV-1a hash of [`question_key`], computed without building the key: cheap
/// enough to count a 100,000-point sweep's distinct searches before it runs.
pub fn question_key_hash(q: &Question, top_k: usize) -> u64 {
    struct Fnv(u64);
    impl std::fmt::Write for Fnv {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            for b in s.bytes() {
                self.0 ^= u64::from(b);
                self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
            }
            Ok(())
        }
    }
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    let _ = write_question_key(&mut h, q, top_k);
    h.0
}

/// The questions a point searches: each pool, the reference fleet and the H100 yardstick
/// (none when the rule refuses the point), possibly repeated.
pub fn searched_questions(point: &Point) -> impl Iterator<Item = &Question> {
    let sides = (point.refused.is_none()).then(|| {
        point
            .pools
            .iter()
            .chain(point.reference.as_ref())
            .chain(point.h100.as_ref())
    });
    sides.into_iter().flatten().map(|p| &p.question)
}

/// The search key of the point's first pool ([`question_key`]).
pub fn search_key(point: &Point) -> String {
    question_key(&point.question, point.top_k)
}

/// The plan searches a point needs, by key: each pool, the reference fleet and the H100
/// yardstick (none when the rule refuses the point).
pub fn searches(point: &Point) -> Vec<(String, &Question)> {
    if point.refused.is_some() {
        return Vec::new();
    }
    let mut out: Vec<(String, &Question)> = Vec::new();
    let sides = point
        .pools
        .iter()
        .chain(point.reference.as_ref())
        .chain(point.h100.as_ref());
    for p in sides {
        let k = question_key(&p.question, point.top_k);
        if !out.iter().any(|(o, _)| *o == k) {
            out.push((k, &p.question));
        }
    }
    out
}

/// A prepared point from the results of [`searches`] (searched here if missing).
pub fn prepare_from<'a>(point: &'a Point, found: &HashMap<String, SearchResult>) -> Prepared<'a> {
    let seed = point_seed(point.seed, point.index);
    let mut prep = Prepared {
        point,
        plans: Vec::new(),
        infeasible: None,
        seed,
        pools: Vec::new(),
        reference: None,
        h100: None,
        h100_is_fleet: false,
        notes: point.notes.clone(),
        radix: None,
        origin_month: None,
    };
    if let Some(why) = not_allowed(point) {
        prep.infeasible = Some(why);
        return prep;
    }
    let mut local: HashMap<String, SearchResult> = HashMap::new();
    let mut plans_of = |p: &'a Pool| -> Result<PoolPlans<'a>, Infeasible> {
        let k = question_key(&p.question, point.top_k);
        let r = match found.get(&k) {
            Some(r) => r,
            None => local
                .entry(k)
                .or_insert_with(|| plan_search(&p.question, point.top_k)),
        };
        if r.top.is_empty() {
            return Err(r.infeasible.clone().unwrap_or(Infeasible::NoLayout {
                reason: "no plan".into(),
            }));
        }
        let q = &p.question;
        Ok(PoolPlans {
            pool: p,
            plans: r.top.clone(),
            scale_out_bytes_per_s: Hardware::of(
                &q.gpu,
                q.precision,
                q.gpus_per_node,
                q.net_gbit_per_s,
            )
            .inter_bytes_per_s,
        })
    };
    let mut first_why = None;
    for p in &point.pools {
        match plans_of(p) {
            Ok(pp) => prep.pools.push(pp),
            Err(e) => {
                if point.pools.len() > 1 {
                    prep.notes.push(format!(
                        "pool `{}` has no plan and is left out: {e}",
                        p.label
                    ));
                }
                first_why.get_or_insert(e);
            }
        }
    }
    let Some(first) = prep.pools.first() else {
        prep.infeasible = Some(first_why.unwrap_or(Infeasible::NoLayout {
            reason: "no pool".into(),
        }));
        return prep;
    };
    prep.plans = first.plans.clone();
    if let Some(r) = &point.reference {
        match plans_of(r) {
            Ok(pp) => prep.reference = Some(pp),
            Err(e) => prep.notes.push(format!(
                "the reference fleet ({}) has no plan, so no restriction ratios: {e}",
                r.describe()
            )),
        }
    }
    if let Some(h) = &point.h100 {
        let same = point.pools.len() == 1
            && question_key(&h.question, point.top_k)
                == question_key(&point.pools[0].question, point.top_k);
        if same && prep.pools.len() == 1 {
            prep.h100_is_fleet = true;
        } else {
            match plans_of(h) {
                Ok(pp) => prep.h100 = Some(pp),
                Err(e) => prep.notes.push(format!(
                    "an H100 fleet of {} GPUs has no plan, so no H100-equivalents: {e}",
                    h.gpus()
                )),
            }
        }
    }
    let n = prep.pools.len() as u32;
    let k = prep
        .pools
        .iter()
        .map(|p| p.plans.len())
        .max()
        .unwrap_or(1)
        .max(1) as u64;
    prep.radix = k
        .checked_pow(n)
        .and_then(|r| r.checked_mul(u64::from(n) + 1))
        .map(|_| k);
    prep.origin_month = point
        .pools
        .iter()
        .filter_map(|p| p.buildup.map(|b| b.start_month))
        .min();
    prep
}

/// Check the export rule, then search the plans of `point` at nominal values.
pub fn prepare(point: &Point) -> Prepared<'_> {
    prepare_from(point, &HashMap::new())
}

impl Prepared<'_> {
    /// The code of a trial's choice: `mode·K^P + Σ_j rank_j·K^j` with `P` pools that have
    /// plans, `K` the radix, mode `j < P` = pool `j` alone (the others' ranks 0) and mode
    /// `P` = all together. With one pool the code is the plan's rank. Without a radix the
    /// code is the mode.
    pub fn plan_code(&self, mode: usize, ranks: &[usize]) -> u64 {
        let Some(k) = self.radix else {
            return mode as u64;
        };
        let p = self.pools.len() as u32;
        let mut code = mode as u64 * k.pow(p);
        let mut w = 1;
        for (j, &r) in ranks.iter().enumerate() {
            if mode == self.pools.len() || mode == j {
                code += r as u64 * w;
            }
            w *= k;
        }
        code
    }
}

/// The mode (pool index alone, or the pool count for all together) and per-pool plan ranks
/// (`None` without a radix) of a code from [`Prepared::plan_code`].
pub fn decode_plan(code: u64, pools: usize, radix: Option<u64>) -> (usize, Option<Vec<usize>>) {
    let Some(k) = radix else {
        return (code as usize, None);
    };
    let mut rest = code;
    let mut ranks = Vec::with_capacity(pools);
    for _ in 0..pools {
        ranks.push((rest % k) as usize);
        rest /= k;
    }
    (rest as usize, Some(ranks))
}

/// The best kept plan under `inputs`: its metrics and rank. `q` must be the point's question
/// with `train_tokens` already set to `inputs.train_tokens`.
pub fn best_plan(
    plans: &[PlanResult],
    q: &Question,
    inputs: &Inputs,
) -> Result<(RunMetrics, usize), Infeasible> {
    let mut best: Option<(RunMetrics, usize)> = None;
    let mut why = None;
    for (rank, plan) in plans.iter().enumerate() {
        match run_metrics(
            q,
            plan,
            &inputs.eff,
            &inputs.rel,
            &inputs.energy,
            &inputs.cost,
            inputs.model_error,
        ) {
            Ok((m, ..)) => {
                if best
                    .as_ref()
                    .is_none_or(|(b, _)| m.train_days < b.train_days)
                {
                    best = Some((m, rank));
                }
            }
            Err(e) => {
                if why.is_none() {
                    why = Some(e);
                }
            }
        }
    }
    best.ok_or_else(|| {
        why.unwrap_or(Infeasible::NoLayout {
            reason: "no plan".into(),
        })
    })
}

/// Draw the inputs of trial `index` (the RNG is re-streamed to `index`), as the point's
/// first pool sees them (before its channel's pricing, [`pool_inputs`]).
pub fn draw(point: &Point, rng: &mut ChaCha8Rng, index: u64) -> Inputs {
    rng.set_stream(index);
    let mut x = point.nominal;
    let (pool, own) = point
        .pools
        .first()
        .map_or((0, Default::default()), |p| (p.index, p.own));
    let mut matmul = false;
    for u in &point.uncertain {
        x.set_for_pool(u.slot, u.sampler.sample(rng), pool, own);
        matmul |= matches!(u.slot, Slot::Matmul | Slot::MatmulScale);
    }
    if matmul {
        x.finish();
    }
    x
}

/// Draw the values of trial `index` into `out`, one per uncertain input of the point in
/// order (the same numbers [`draw`] draws).
pub fn draw_values(point: &Point, rng: &mut ChaCha8Rng, index: u64, out: &mut Vec<f64>) {
    rng.set_stream(index);
    out.clear();
    out.extend(point.uncertain.iter().map(|u| u.sampler.sample(rng)));
}

/// The nominal value of every uncertain input of the point, in order.
pub fn nominal_values(point: &Point) -> Vec<f64> {
    point.uncertain.iter().map(|u| u.dist.nominal()).collect()
}

/// The assumptions `pool` evaluates under, given one value per uncertain input: its
/// nominal ones with the values written over (as [`Inputs::set_for_pool`]),
/// priced on its channel's basis.
pub fn pool_inputs(pool: &Pool, uncertain: &[Uncertain], values: &[f64]) -> Inputs {
    let mut x = pool.nominal;
    for (u, v) in uncertain.iter().zip(values) {
        x.set_for_pool(u.slot, *v, pool.index, pool.own);
    }
    x.finish();
    x.cost = channel_cost(pool.channel, &x.cost, &pool.question.gpu);
    x
}

/// The fleet mode at nominal values and why (`"alone:<pool>"` or `"combined"`), from
/// [`fleet::combine`]; `None` for an infeasible point.
pub fn nominal_mode(prep: &Prepared) -> Option<(String, String)> {
    if prep.infeasible.is_some() {
        return None;
    }
    let values = nominal_values(prep.point);
    let mut s = Scratch::new(prep);
    let run = evaluate_fleet(prep, &values, &mut s).ok()?;
    let batch = prep.pools[0].pool.question.global_batch_tokens;
    let pools: Vec<PoolThroughput> =
        s.ok.iter()
            .map(|(j, m, rank, x)| {
                let pp = &prep.pools[*j];
                PoolThroughput {
                    label: pp.pool.label.clone(),
                    gpus: pp.plans[*rank].strategy.gpus(),
                    tokens_per_s: batch / m.step_time_s,
                    scale_out_bytes_per_s: pp.scale_out_bytes_per_s * x.eff.scaleout,
                }
            })
            .collect();
    let params = ParamCounts::of(&prep.pools[0].pool.question.model).total;
    let mixed = fleet::combine(&pools, batch, params);
    let mut reason = mixed.reason;
    if mixed.combined {
        let shares: Vec<String> = mixed
            .batch_share
            .iter()
            .map(|(l, f)| format!("{l} {:.1}%", f * 100.0))
            .collect();
        reason = format!("{reason}; batch split {}", shares.join(", "));
    }
    if s.ok.len() < prep.point.pools.len() && prep.point.pools.len() > 1 {
        reason = format!(
            "{reason} ({} of {} pools can run)",
            s.ok.len(),
            prep.point.pools.len()
        );
    }
    Some((mode_label(prep, run.mode), reason))
}

/// The fleet at nominal values: its days and cost, and where the money goes.
#[derive(Debug, Clone, PartialEq)]
pub struct NominalRun {
    /// Wall-clock days.
    pub train_days: f64,
    /// Cost, USD (NaN when a pool in use has no price).
    pub cost_usd: f64,
    /// The cost split ([`crate::cost::cost_split`]) summed over the pools in use, `None`
    /// when a pool in use has no price.
    pub split: Option<CostSplit>,
    /// What the compute part is: `"GPU rental"`, `"GPUs, amortised"`, or both joined by
    /// `" or "` when the pools in use are priced on different bases.
    pub compute_label: String,
}

/// Evaluate the fleet with every uncertain input at its nominal value ([`evaluate_fleet`])
/// and split its cost over the pools in use (all pools that can run when they train
/// together, else the one pool alone), each priced on its channel's basis. `None` for an
/// infeasible point or when no pool makes progress.
pub fn nominal_run(prep: &Prepared) -> Option<NominalRun> {
    if prep.infeasible.is_some() {
        return None;
    }
    let values = nominal_values(prep.point);
    let mut s = Scratch::new(prep);
    let run = evaluate_fleet(prep, &values, &mut s).ok()?;
    let wall_h = run.metrics.train_days * 24.0;
    let mut split = Some(CostSplit {
        compute_usd: 0.0,
        energy_usd: 0.0,
        overheads_usd: 0.0,
    });
    let mut bases: Vec<CostBasis> = Vec::new();
    for (j, _, _, x) in &s.ok {
        if run.mode < prep.pools.len() && run.mode != *j {
            continue;
        }
        let pool = prep.pools[*j].pool;
        if !bases.contains(&x.cost.basis) {
            bases.push(x.cost.basis);
        }
        let part = cost_split(
            &pool.question.gpu,
            pool.gpus() as f64,
            wall_h,
            &x.energy,
            &x.cost,
        )
        .ok();
        split = match (split, part) {
            (Some(a), Some(b)) => Some(CostSplit {
                compute_usd: a.compute_usd + b.compute_usd,
                energy_usd: a.energy_usd + b.energy_usd,
                overheads_usd: a.overheads_usd + b.overheads_usd,
            }),
            _ => None,
        };
    }
    bases.sort_by_key(|b| matches!(b, CostBasis::Ownership));
    let compute_label = bases
        .iter()
        .map(|b| match b {
            CostBasis::Rental => "GPU rental",
            CostBasis::Ownership => "GPUs, amortised",
        })
        .collect::<Vec<_>>()
        .join(" or ");
    Some(NominalRun {
        train_days: run.metrics.train_days,
        cost_usd: run.metrics.cost_usd,
        split,
        compute_label,
    })
}

/// `"alone:<label>"` for a pool index, `"combined"` for the pool count.
pub fn mode_label(prep: &Prepared, mode: usize) -> String {
    match prep.pools.get(mode) {
        Some(p) => format!("alone:{}", p.pool.label),
        None => "combined".to_string(),
    }
}

/// Trials `first .. first + count` of a prepared point, appended to `out` in index order.
/// Returns the first infeasible trial's index and reason, if any.
pub fn run_trials(
    prep: &Prepared,
    first: u64,
    count: u64,
    out: &mut Vec<TrialMetrics>,
) -> Option<(u64, String)> {
    let point = prep.point;
    let mut s = Scratch::new(prep);
    let mut rng = ChaCha8Rng::seed_from_u64(prep.seed);
    let mut values = Vec::with_capacity(point.uncertain.len());
    let mut first_reason = None;
    out.reserve(count as usize);
    for i in first..first + count {
        draw_values(point, &mut rng, i, &mut values);
        match evaluate_fleet(prep, &values, &mut s) {
            Ok(r) => out.push(trial_metrics(&r)),
            Err(e) => {
                out.push(TrialMetrics::INFEASIBLE);
                if first_reason.is_none() {
                    first_reason = Some((i, e.to_string()));
                }
            }
        }
    }
    first_reason
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::scenario::{load_str, Overrides};

    /// The first sweep point of scenario text `src`.
    pub(super) fn point(src: &str) -> Point {
        let s = load_str(
            src,
            "t.toml",
            None,
            Some("t"),
            &Catalog::builtin(),
            &Overrides::default(),
        )
        .unwrap();
        s.points.into_iter().next().unwrap()
    }

    const UNCERTAIN: &str =
        "model = \"llama3.1-8b\"\ntrain_tokens = 1e11\n[fleet]\ngpu = \"h100\"\ncount = 64\n\
        [efficiency]\nmatmul = { dist = \"pert\", min = 0.6, mode = 0.7, max = 0.8 }\n\
        [energy]\npue = { dist = \"triangular\", min = 1.1, mode = 1.25, max = 1.5 }\n";

    #[test]
    fn a_reused_rng_equals_a_fresh_one_per_trial() {
        let p = point(UNCERTAIN);
        let mut reused = ChaCha8Rng::seed_from_u64(9);
        let _ = draw(&p, &mut reused, 3);
        for i in [7u64, 0, 123_456] {
            let mut fresh = ChaCha8Rng::seed_from_u64(9);
            assert_eq!(draw(&p, &mut reused, i), draw(&p, &mut fresh, i));
        }
    }

    #[test]
    fn trials_do_not_depend_on_chunking() {
        let p = point(UNCERTAIN);
        let prep = prepare(&p);
        let mut whole = Vec::new();
        run_trials(&prep, 0, 50, &mut whole);
        let mut parts = Vec::new();
        run_trials(&prep, 0, 20, &mut parts);
        run_trials(&prep, 20, 30, &mut parts);
        // NaN extras (no reference, no build-up) compare by their printed form.
        assert_eq!(format!("{whole:?}"), format!("{parts:?}"));
        assert!(
            whole.iter().any(|t| t.train_days != whole[0].train_days),
            "inputs vary"
        );
    }

    #[test]
    fn nominal_inputs_reproduce_the_estimate() {
        let p = point(UNCERTAIN);
        let prep = prepare(&p);
        let (m, rank) = best_plan(&prep.plans, &p.question, &p.nominal).unwrap();
        let e = crate::estimate::estimate(&p.question).unwrap();
        assert_eq!(rank, 0);
        assert_eq!(m.train_days, e.train_days);
        assert_eq!(Some(m.cost_usd), e.cost_usd);
    }

    #[test]
    fn points_share_their_seed() {
        // Common random numbers: trial i of every point draws the same stream.
        assert_eq!(point_seed(42, 0), 42);
        assert_eq!(point_seed(42, 1), point_seed(42, 2));
    }
}
