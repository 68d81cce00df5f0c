//! The Monte Carlo over a timeline: per trial, per variant (base and counterfactuals), per
//! actor and month, the fleet on hand by chip, its throughput, the largest run it can train
//! within `max_run_days` and the first month it reaches the target.
//!
//! **Supply.** A line holds `initial` GPUs from its `start`; at the end of each month from
//! `start` to `end` it delivers `rate` more (available the next month) until it has
//! delivered `cap` in all. A `purchase` line delivers nothing in a month whose rule in force
//! disallows its chip, unless the line is `licensed_under` that rule; every other channel is
//! outside the rule. A GPU retires
//! `service_years` after it arrived (`initial` counts as arriving at `start`).
//!
//! **Seeding.** Trial `i` draws from `ChaCha8Rng::seed_from_u64(seed)` with
//! `set_stream(i)`, as `run` does, and every uncertain number has its own fixed position in
//! that stream (`set_word_pos(slot · 256)`): slot 0 the algorithmic progress, slot 1 the
//! model error, then two per supply line (initial, rate) in file order. A counterfactual
//! that removes a line or changes one number therefore sees the same draws for everything
//! else (common random numbers), and results never depend on threads.
//!
//! **Model error** multiplies every run's wall time in a trial: `exp(σ_stack · z)` with one
//! standard normal `z` per trial shared by all actors (the engine's error is common to
//! everyone it times), or the scenario's `model_error` distribution, also shared.

use rand::rngs::ChaCha8Rng;
use rand::SeedableRng;
use rayon::prelude::*;

use super::capacity::{self, Curve, CurveJob, FleetEval, Scratch};
use super::{Line, Timeline, Variant};
use crate::dist::{Dist, Sampler};
use crate::fleet::Channel;
use crate::workload::ParamCounts;

/// Random words reserved per slot.
const WORDS_PER_SLOT: u128 = 256;
/// Trials per parallel chunk.
const CHUNK: u64 = 16;
/// `target_month` of a trial that never reaches the target.
pub const NEVER: i64 = i64::MAX;

/// What one trial produced.
#[derive(Debug, Clone)]
pub struct TrialOut {
    /// Base case, per actor and month: `[largest_run_flop, h100_equivalents, gpus by chip…]`.
    pub series: Vec<f64>,
    /// Per variant and actor: first month the target is reached, or [`NEVER`].
    pub months: Vec<i64>,
}

/// Everything a timeline run produced, before summaries.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The trials, in index order.
    pub trials: Vec<TrialOut>,
    /// Values per (actor, month) in `series`.
    pub stride: usize,
    /// Plan searches run.
    pub searches: usize,
    /// The required model FLOP per month at nominal algorithmic progress.
    pub required_flop: Vec<f64>,
}

/// Samplers of one variant's lines, by actor.
struct Draws {
    lines: Vec<Vec<(Sampler, Sampler)>>,
}

fn sample(rng: &mut ChaCha8Rng, slot: usize, s: &Sampler) -> f64 {
    rng.set_word_pos(slot as u128 * WORDS_PER_SLOT);
    s.sample(rng)
}

/// Add line `l`'s GPUs on hand (`allowed`: whether its chip may be bought each month, or
/// `None` when the actor is not subject to the rules), month by month, into `out[t·chips + chip]`.
#[allow(clippy::too_many_arguments)]
fn add_line(
    l: &Line,
    initial: f64,
    rate: f64,
    allowed: Option<&[bool]>,
    months: usize,
    start: i64,
    chips: usize,
    arrivals: &mut Vec<f64>,
    out: &mut [f64],
) {
    if l.removed {
        return;
    }
    arrivals.clear();
    arrivals.resize(months + 1, 0.0);
    let first = (l.start - start) as usize;
    let initial = initial.min(l.cap);
    arrivals[first] += initial;
    let mut delivered = initial;
    for k in first..months {
        if (k as i64 + start) > l.end {
            break;
        }
        if l.channel == Channel::Purchase && allowed.is_some_and(|a| !a[k]) {
            continue;
        }
        let d = rate.min(l.cap - delivered).max(0.0);
        delivered += d;
        arrivals[k + 1] += d;
    }
    let mut on_hand = 0.0;
    for t in 0..months {
        on_hand += arrivals[t];
        if let Some(s) = l.service_months {
            if t as i64 >= s {
                on_hand -= arrivals[t - s as usize];
            }
        }
        out[t * chips + l.chip] += on_hand.max(0.0);
    }
}

/// Runs trials of a prepared timeline.
pub struct Prepared<'a> {
    tl: &'a Timeline,
    evals: Vec<Vec<FleetEval<'a>>>,
    draws: Vec<Draws>,
    progress: Option<Sampler>,
    model_error: Sampler,
    sigmas: Vec<Vec<f64>>,
}

type ActorCurves = Vec<Vec<(Vec<Option<usize>>, f64)>>;

/// The (stack, chip) curves every variant needs, and per variant and actor the curve of
/// each chip and the most GPUs the actor can hold.
fn curve_jobs(tl: &Timeline) -> (Vec<CurveJob<'_>>, ActorCurves) {
    let months = tl.months() as f64;
    let mut jobs: Vec<CurveJob> = Vec::new();
    let find = |jobs: &mut Vec<CurveJob<'_>>, stack: &str, chip: &str| {
        jobs.iter()
            .position(|j| j.stack.id == stack && j.gpu.id == chip)
    };
    let mut index = Vec::new();
    for v in &tl.variants {
        let mut per_actor = Vec::new();
        for a in &v.actors {
            let mut by_chip = vec![0.0f64; tl.chips.len()];
            for l in &a.lines {
                let most = l.initial.support().1 + l.rate.support().1 * months;
                by_chip[l.chip] += most.min(l.cap);
            }
            let total: f64 = by_chip.iter().sum();
            let mut curves = vec![None; tl.chips.len()];
            for (c, &n) in by_chip.iter().enumerate() {
                if n < 1.0 {
                    continue;
                }
                let j = match find(&mut jobs, &a.stack.id, &tl.chip_ids[c]) {
                    Some(j) => j,
                    None => {
                        jobs.push(CurveJob {
                            stack: &a.stack,
                            gpu: &tl.chips[c],
                            max_gpus: 0.0,
                        });
                        jobs.len() - 1
                    }
                };
                jobs[j].max_gpus = jobs[j].max_gpus.max(n);
                curves[c] = Some(j);
            }
            per_actor.push((curves, total.ceil()));
        }
        index.push(per_actor);
    }
    (jobs, index)
}

/// Build the curves (the plan searches) and run every trial.
pub fn simulate(tl: &Timeline) -> Outcome {
    simulate_trials(tl, 0..tl.trials)
}

/// Build the curves and run trials `range` only (a shard): trial `i` gives the same result
/// here as in a whole run, since it is seeded by its index alone.
pub fn simulate_trials(tl: &Timeline, range: std::ops::Range<u64>) -> Outcome {
    let catalog = crate::catalog::Catalog::builtin();
    let h100 = catalog
        .gpu("h100-sxm-80gb")
        .expect("the catalog has the H100-SXM")
        .clone();
    let (mut jobs, index) = curve_jobs(tl);
    // H100 reference curves, one per stack, up to the largest total fleet of that stack.
    let mut h100_jobs: Vec<(String, usize)> = Vec::new();
    for (v, per_actor) in tl.variants.iter().zip(&index) {
        for (a, (_, total)) in v.actors.iter().zip(per_actor) {
            let pos = match jobs
                .iter()
                .position(|j| j.stack.id == a.stack.id && j.gpu.id == h100.id)
            {
                Some(p) => p,
                None => {
                    jobs.push(CurveJob {
                        stack: &a.stack,
                        gpu: &h100,
                        max_gpus: 0.0,
                    });
                    jobs.len() - 1
                }
            };
            jobs[pos].max_gpus = jobs[pos].max_gpus.max(*total);
            if !h100_jobs.iter().any(|(s, _)| s == &a.stack.id) {
                h100_jobs.push((a.stack.id.clone(), pos));
            }
        }
    }
    let curves: Vec<Curve> = capacity::build(&tl.target, &jobs);
    let searches = curves.iter().map(|c| c.searches).sum();
    let params = ParamCounts::of(&tl.target.model).total;
    let evals: Vec<Vec<FleetEval>> = tl
        .variants
        .iter()
        .zip(&index)
        .map(|(v, per_actor)| {
            v.actors
                .iter()
                .zip(per_actor)
                .map(|(a, (by_chip, _))| {
                    let h = h100_jobs
                        .iter()
                        .find(|(s, _)| s == &a.stack.id)
                        .map(|(_, p)| &curves[*p]);
                    FleetEval {
                        curves: by_chip.iter().map(|c| c.map(|j| &curves[j])).collect(),
                        h100: h,
                        params,
                        seq_len: tl.target.model.seq_len,
                        factor: capacity::question(&tl.target, &a.stack, &h100, 1)
                            .whole_run
                            .factor(),
                    }
                })
                .collect()
        })
        .collect();
    let prep = Prepared {
        tl,
        evals,
        draws: tl.variants.iter().map(draws_of).collect(),
        progress: tl.progress.map(|p| p.per_year.sampler()),
        model_error: tl
            .model_error
            .unwrap_or(Dist::Normal { mean: 0.0, sd: 1.0 })
            .sampler(),
        sigmas: tl
            .variants
            .iter()
            .map(|v| v.actors.iter().map(|a| a.stack.error.log_sd).collect())
            .collect(),
    };
    let chunks = (range.end.saturating_sub(range.start)).div_ceil(CHUNK);
    let trials: Vec<TrialOut> = (0..chunks)
        .into_par_iter()
        .flat_map_iter(|c| {
            let first = range.start + c * CHUNK;
            let last = (first + CHUNK).min(range.end);
            let mut w = Work::default();
            (first..last)
                .map(|i| prep.trial(i, &mut w))
                .collect::<Vec<_>>()
        })
        .collect();
    Outcome {
        trials,
        stride: 2 + tl.chips.len(),
        searches,
        required_flop: required_flop(tl),
    }
}

/// The model FLOP the target needs in each month at nominal algorithmic progress.
pub fn required_flop(tl: &Timeline) -> Vec<f64> {
    let nominal_py = tl.progress.map(|p| p.per_year.nominal());
    (0..tl.months())
        .map(|t| required(tl, t, nominal_py))
        .collect()
}

fn draws_of(v: &Variant) -> Draws {
    Draws {
        lines: v
            .actors
            .iter()
            .map(|a| {
                a.lines
                    .iter()
                    .map(|l| (l.initial.sampler(), l.rate.sampler()))
                    .collect()
            })
            .collect(),
    }
}

/// Model FLOP the target needs in month `t` (from the start) with progress `per_year`.
fn required(tl: &Timeline, t: usize, per_year: Option<f64>) -> f64 {
    match (tl.progress, per_year) {
        (Some(p), Some(py)) => {
            let years = (tl.start + t as i64 - p.reference) as f64 / 12.0;
            tl.target.flop / py.powf(years)
        }
        _ => tl.target.flop,
    }
}

/// Buffers reused across the trials of a chunk.
#[derive(Default)]
struct Work {
    counts: Vec<f64>,
    whole: Vec<f64>,
    arrivals: Vec<f64>,
    required: Vec<f64>,
    scratch: Scratch,
}

impl Prepared<'_> {
    fn trial(&self, i: u64, w: &mut Work) -> TrialOut {
        let tl = self.tl;
        let (months, chips) = (tl.months(), tl.chips.len());
        let mut rng = ChaCha8Rng::seed_from_u64(tl.seed);
        rng.set_stream(i);
        let py = self.progress.as_ref().map(|s| sample(&mut rng, 0, s));
        let z = sample(&mut rng, 1, &self.model_error);
        w.required.clear();
        w.required.extend((0..months).map(|t| required(tl, t, py)));
        let stride = 2 + chips;
        let mut out = TrialOut {
            series: vec![0.0; tl.variants[0].actors.len() * months * stride],
            months: Vec::with_capacity(tl.variants.len() * tl.variants[0].actors.len()),
        };
        for (vi, v) in tl.variants.iter().enumerate() {
            for (ai, a) in v.actors.iter().enumerate() {
                let error = match tl.model_error {
                    Some(_) => z,
                    None => (self.sigmas[vi][ai] * z).exp(),
                };
                w.counts.clear();
                w.counts.resize(months * chips, 0.0);
                for (l, (si, sr)) in a.lines.iter().zip(&self.draws[vi].lines[ai]) {
                    let initial = sample(&mut rng, 2 + l.slot, si);
                    let rate = sample(&mut rng, 3 + l.slot, sr);
                    let allowed = a
                        .subject_to_rules
                        .then(|| l.allowed.as_deref().unwrap_or(&v.allowed[l.chip]));
                    add_line(
                        l,
                        initial,
                        rate,
                        allowed,
                        months,
                        tl.start,
                        chips,
                        &mut w.arrivals,
                        &mut w.counts,
                    );
                }
                let eval = &self.evals[vi][ai];
                let mut reached = NEVER;
                for t in 0..months {
                    w.whole.clear();
                    w.whole.extend(
                        w.counts[t * chips..(t + 1) * chips]
                            .iter()
                            .map(|c| c.floor()),
                    );
                    let wall = eval.wall(&w.whole, &mut w.scratch);
                    let flop =
                        wall * 86_400.0 * tl.target.max_run_days * tl.target.flop_per_token / error;
                    if reached == NEVER && flop > 0.0 && flop >= w.required[t] {
                        reached = tl.start + t as i64;
                        if vi > 0 {
                            break;
                        }
                    }
                    if vi == 0 {
                        let row = &mut out.series
                            [(ai * months + t) * stride..(ai * months + t + 1) * stride];
                        let total: f64 = w.whole.iter().sum();
                        row[0] = flop;
                        row[1] = eval.h100_equivalents(total, wall);
                        row[2..].copy_from_slice(&w.whole);
                    }
                }
                out.months.push(reached);
            }
        }
        out
    }
}
