//! Monte Carlo over one sweep point: search plans once at nominal values, keep the top K,
//! and per trial draw every uncertain input and take the fastest of the K plans under the
//! drawn assumptions. Summaries ([`summary`]) and the tornado ([`sensitivity`]) live beside.
//!
//! **Seeding.** Point `p` of a scenario with seed `s` uses the seed
//! `s + p·0x9E37_79B9_7F4A_7C15 (mod 2⁶⁴)` ([`point_seed`]; point 0 uses `s` itself). Trial
//! `i` of the point draws from `ChaCha8Rng::seed_from_u64(point seed)` with
//! `set_stream(i)`, so its numbers depend only on `(seed, point, i)`: never on threads,
//! chunking or shards. Inputs are drawn in the order of their dotted paths.
//!
//! **Plan choice.** Each trial evaluates every kept plan with
//! [`run_metrics`] and keeps the smallest `train_days`; ties
//! go to the plan ranked higher by the nominal search. A trial in which failures outpace
//! progress for every plan is kept as an infeasible trial (metrics NaN) with its reason.
//!
//! Nothing here allocates per trial: the question is cloned once per chunk of trials (so
//! `train_tokens` can vary), the plans are shared by reference.

pub mod sensitivity;
pub mod summary;

use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;

use crate::estimate::{plan_search, run_metrics, Question, RunMetrics};
use crate::parallel::{Infeasible, PlanResult, SearchResult};
use crate::policy::classify;
use crate::scenario::keys::{Inputs, Slot};
use crate::scenario::raw::Channel;
use crate::scenario::Point;

/// The summarised metrics, in column order; units are in the names.
pub const METRICS: [&str; 5] = ["train_days", "gpu_hours", "cost_usd", "energy_mwh", "mfu"];

/// `plan` of a trial in which no plan could make progress.
pub const NO_PLAN: u32 = u32::MAX;

/// The result of one trial: [`METRICS`] in order, and the rank of the chosen plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrialMetrics {
    /// `train_days`, `gpu_hours`, `cost_usd`, `energy_mwh`, `mfu` (NaN when infeasible or
    /// not computable, e.g. a cost without a price).
    pub values: [f64; 5],
    /// Rank of the chosen plan in the nominal search (0 = best), or [`NO_PLAN`].
    pub plan: u32,
}

impl TrialMetrics {
    /// An infeasible trial.
    pub const INFEASIBLE: TrialMetrics = TrialMetrics {
        values: [f64::NAN; 5],
        plan: NO_PLAN,
    };

    fn of(m: &RunMetrics, plan: usize) -> TrialMetrics {
        TrialMetrics {
            values: [m.train_days, m.gpu_hours, m.cost_usd, m.energy_mwh, m.mfu],
            plan: plan as u32,
        }
    }
}

/// The seed of point `index` of a scenario seeded with `seed`.
pub fn point_seed(seed: u64, index: usize) -> u64 {
    seed.wrapping_add((index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// A sweep point ready for trials: the kept plans, or why there are none.
#[derive(Debug, Clone)]
pub struct Prepared<'a> {
    /// The point.
    pub point: &'a Point,
    /// The top-K plans at nominal values, best first (empty when infeasible).
    pub plans: Vec<PlanResult>,
    /// Why there is no plan.
    pub infeasible: Option<Infeasible>,
    /// The point's seed ([`point_seed`]).
    pub seed: u64,
}

/// Why the point's export rule forbids its pool, if it does: a purchased pool (the
/// default channel) whose GPU the rule does not allow.
pub fn not_allowed(point: &Point) -> Option<Infeasible> {
    let rule = point.policy.as_ref()?;
    if !matches!(point.channel, None | Some(Channel::Purchase)) {
        return None;
    }
    let c = classify(&point.question.gpu, rule);
    (!c.status.allows_purchase()).then(|| Infeasible::NotAllowed {
        reason: format!("not allowed under {}: {}", rule.id, c.reason),
    })
}

/// Everything the plan search of a point depends on, as a key: points with equal keys
/// (a sweep over prices or PUE) share one search.
pub fn search_key(point: &Point) -> String {
    let q = &point.question;
    format!(
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
        point.top_k
    )
}

/// A prepared point from its search result (the export rule already checked).
pub fn prepare_with<'a>(point: &'a Point, found: &SearchResult) -> Prepared<'a> {
    let infeasible = if found.top.is_empty() {
        Some(found.infeasible.clone().unwrap_or(Infeasible::NoLayout {
            reason: "no plan".into(),
        }))
    } else {
        None
    };
    Prepared {
        point,
        plans: found.top.clone(),
        infeasible,
        seed: point_seed(point.seed, point.index),
    }
}

/// Check the export rule, then search the plans of `point` at nominal values.
pub fn prepare(point: &Point) -> Prepared<'_> {
    if let Some(why) = not_allowed(point) {
        return Prepared {
            point,
            plans: Vec::new(),
            infeasible: Some(why),
            seed: point_seed(point.seed, point.index),
        };
    }
    prepare_with(point, &plan_search(&point.question, point.top_k))
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

/// Draw the inputs of trial `index` (the RNG is re-streamed to `index`).
pub fn draw(point: &Point, rng: &mut ChaCha8Rng, index: u64) -> Inputs {
    rng.set_stream(index);
    let mut x = point.nominal;
    let mut matmul = false;
    for u in &point.uncertain {
        x.set(u.slot, u.sampler.sample(rng));
        matmul |= matches!(u.slot, Slot::Matmul | Slot::MatmulScale);
    }
    if matmul {
        x.finish();
    }
    x
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
    let mut q = point.question.clone();
    let mut rng = ChaCha8Rng::seed_from_u64(prep.seed);
    let mut first_reason = None;
    out.reserve(count as usize);
    for i in first..first + count {
        let x = draw(point, &mut rng, i);
        q.train_tokens = x.train_tokens;
        match best_plan(&prep.plans, &q, &x) {
            Ok((m, rank)) => out.push(TrialMetrics::of(&m, rank)),
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

    fn point(src: &str) -> Point {
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
        assert_eq!(whole, parts);
        assert!(
            whole.iter().any(|t| t.values[0] != whole[0].values[0]),
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
    fn points_get_distinct_seeds() {
        assert_eq!(point_seed(42, 0), 42);
        assert_ne!(point_seed(42, 1), point_seed(42, 2));
    }
}
