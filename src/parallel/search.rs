//! Exhaustive plan search: every TP, PP, DP, EP, CP, micro-batch, interleave, recompute
//! and ZeRO combination that fits the GPU count, memory checked first, the survivors timed,
//! the top K kept.
//!
//! The space: `tp` a power of two dividing the heads, up to the GPUs per node (more only
//! when fixed by the user); `cp` a power of two with at least 512 tokens per rank (1 for
//! sequences under 8,192); `pp` any count up to the layers (the last stage may be short);
//! `dp` every replica count that fits the remaining GPUs and divides the batch (GPUs left
//! over stay idle as spares, and the estimate says so); `ep` a power of two dividing the experts and
//! the `tp·cp·dp` GPUs of a stage; `micro_batch` a power of two up to 16 dividing the batch;
//! `interleave` 1, 2, 4 or 8 virtual stages (at least one layer each; uneven stages allowed); all recompute
//! modes; ZeRO 0–3. Pruning: for each layout, recompute modes are tried from cheapest to
//! costliest and the first that fits memory is the only one timed (recomputation only adds
//! time), and a memory check (a few dozen flops) precedes every timing. Outer layouts run
//! in parallel with rayon; results are merged and sorted with a total order, so the answer
//! does not depend on the thread count.

use rayon::prelude::*;
use serde::Serialize;

use super::strategy::{Recompute, Strategy};
use crate::perf::{StepModel, StepTime};
use crate::workload::{memory_per_gpu, MemoryBreakdown};

/// Parts of the plan fixed by the user; `None` means "search".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchSpace {
    /// Fixed TP.
    pub tp: Option<u32>,
    /// Fixed PP.
    pub pp: Option<u32>,
    /// Fixed DP.
    pub dp: Option<u32>,
    /// Fixed EP.
    pub ep: Option<u32>,
    /// Fixed CP.
    pub cp: Option<u32>,
    /// Fixed micro-batch.
    pub micro_batch: Option<u32>,
    /// Fixed recompute mode.
    pub recompute: Option<Recompute>,
    /// Fixed ZeRO stage.
    pub zero_stage: Option<u8>,
    /// Fixed interleave.
    pub interleave: Option<u32>,
    /// Largest TP the software stack uses (searched values only).
    pub max_tp: Option<u32>,
    /// Largest PP the software stack uses (searched values only).
    pub max_pp: Option<u32>,
    /// Highest ZeRO stage the software stack has (searched values only).
    pub max_zero_stage: Option<u8>,
    /// Largest interleave the software stack has (searched values only).
    pub max_interleave: Option<u32>,
}

impl SearchSpace {
    /// The first fixed value that no plan can satisfy, as `(key, what it breaks)`: `tp`
    /// must divide the attention heads (and divide or be divided by the KV heads), `pp` at
    /// most the layers, `interleave` at least one layer per virtual stage, `micro_batch`
    /// and `dp × micro_batch` must divide the global batch. Keys are the plan keys (`tp`,
    /// `pp`, …); the front ends name them as flags or scenario paths.
    pub fn fixed_violation(
        &self,
        heads: u32,
        kv_heads: u32,
        layers: u32,
        batch_seqs: u64,
    ) -> Option<(&'static str, String)> {
        if let Some(t) = self.tp {
            if heads % t != 0 || (kv_heads % t != 0 && t % kv_heads != 0) {
                return Some((
                    "tp",
                    format!("TP {t} does not divide the model's {heads} attention heads ({kv_heads} KV heads)"),
                ));
            }
        }
        if let Some(p) = self.pp {
            if p > layers {
                return Some((
                    "pp",
                    format!("PP {p} is more than the model's {layers} layers"),
                ));
            }
            if let Some(v) = self.interleave {
                if u64::from(p) * u64::from(v) > u64::from(layers) {
                    return Some((
                        "interleave",
                        format!("PP {p} × interleave {v} virtual stages need at least {} layers; the model has {layers}", p * v),
                    ));
                }
            }
        }
        if let Some(m) = self.micro_batch {
            if batch_seqs % u64::from(m) != 0 {
                return Some((
                    "micro_batch",
                    format!("a micro-batch of {m} sequences does not divide the global batch of {batch_seqs} sequences"),
                ));
            }
        }
        if let Some(d) = self.dp {
            let per = u64::from(d) * u64::from(self.micro_batch.unwrap_or(1));
            if batch_seqs % per != 0 {
                return Some((
                    "dp",
                    format!(
                        "DP {d} × micro-batch {} = {per} does not divide the global batch of {batch_seqs} sequences",
                        self.micro_batch.unwrap_or(1)
                    ),
                ));
            }
        }
        None
    }
}

/// A timed plan.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PlanResult {
    /// The plan.
    pub strategy: Strategy,
    /// Its step time.
    pub step: StepTime,
    /// Its memory on the busiest GPU.
    pub memory: MemoryBreakdown,
}

/// Why no plan exists. Data, not an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Infeasible {
    /// Every layout needs more memory than a GPU has.
    OutOfMemory {
        /// The smallest need over all layouts, bytes.
        need_bytes: f64,
        /// What one GPU has, bytes.
        have_bytes: f64,
    },
    /// No layout satisfies the constraints (GPU count, batch, fixed values).
    NoLayout {
        /// Why.
        reason: String,
    },
    /// Failures come faster than the job can make progress.
    NoProgress {
        /// Why.
        reason: String,
    },
    /// The export-control rule of the scenario forbids every pool.
    NotAllowed {
        /// Why.
        reason: String,
    },
}

impl std::fmt::Display for Infeasible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Infeasible::OutOfMemory {
                need_bytes,
                have_bytes,
            } => write!(
                f,
                "out of memory: the leanest plan needs {:.1} GiB per GPU, the GPU has {:.1} GiB",
                need_bytes / crate::catalog::gpu::GIB,
                have_bytes / crate::catalog::gpu::GIB
            ),
            Infeasible::NoLayout { reason }
            | Infeasible::NoProgress { reason }
            | Infeasible::NotAllowed { reason } => {
                write!(f, "{reason}")
            }
        }
    }
}

/// What the search found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchResult {
    /// The best plans, fastest first (empty when infeasible).
    pub top: Vec<PlanResult>,
    /// Plans enumerated (each memory-checked, or pruned as dominated).
    pub plans_considered: u64,
    /// Plans that fit memory and were timed.
    pub plans_timed: u64,
    /// Why there is no plan, when `top` is empty.
    pub infeasible: Option<Infeasible>,
}

/// Total order on results: step time, then the plan's fields.
fn order_key(r: &PlanResult) -> (u64, [u32; 9]) {
    let s = &r.strategy;
    (
        r.step.step_s.to_bits(),
        [
            s.tp,
            s.pp,
            s.dp,
            s.ep,
            s.cp,
            s.micro_batch,
            s.interleave,
            s.recompute as u32,
            u32::from(s.zero_stage),
        ],
    )
}

/// Keep the `k` best in `top`, sorted.
fn push_top(top: &mut Vec<PlanResult>, r: PlanResult, k: usize) {
    let key = order_key(&r);
    if top.len() == k && key >= order_key(&top[k - 1]) {
        return;
    }
    let pos = top.partition_point(|x| order_key(x) < key);
    top.insert(pos, r);
    top.truncate(k);
}

/// The divisors of `n`, ascending, by trial division up to √n.
fn divisors(n: u64) -> Vec<u64> {
    let mut small = Vec::new();
    let mut large = Vec::new();
    let mut i = 1u64;
    while i.saturating_mul(i) <= n {
        if n % i == 0 {
            small.push(i);
            if i != n / i {
                large.push(n / i);
            }
        }
        i += 1;
    }
    small.extend(large.into_iter().rev());
    small
}

fn powers_of_two_upto(max: u32) -> impl Iterator<Item = u32> {
    (0..31).map(|i| 1u32 << i).take_while(move |&v| v <= max)
}

/// Search the plan space for `gpus` GPUs and keep the `top_k` fastest.
pub fn search(model: &StepModel, gpus: u64, space: &SearchSpace, top_k: usize) -> SearchResult {
    let top_k = top_k.max(1);
    let heads = model.shape.heads as u32;
    let kv_heads = model.shape.kv_heads as u32;
    let layers = model.shape.layers as u32;
    let experts = model.shape.experts as u32;
    let seq = model.seq_len as u64;
    let batch_seqs = model.batch_seqs.round() as u64;
    let gpn = model.hw.gpus_per_node as u32;
    let capacity = model.hw.hbm_bytes;
    let act_opts = model.activation_options();
    let batch_divisors = divisors(batch_seqs);

    let tps: Vec<u32> = match space.tp {
        Some(t) => vec![t],
        None => powers_of_two_upto(gpn.max(1).min(space.max_tp.unwrap_or(u32::MAX)))
            .filter(|t| heads % t == 0 && (kv_heads % t == 0 || t % kv_heads == 0))
            .collect(),
    };
    let cps: Vec<u32> = match space.cp {
        Some(c) => vec![c],
        None if seq < 8192 => vec![1],
        None => powers_of_two_upto(64)
            .filter(|c| seq % (2 * u64::from(*c)) == 0 && seq / u64::from(*c) >= 512 || *c == 1)
            .collect(),
    };
    let mut outer: Vec<(u32, u32, u32)> = Vec::new();
    for &tp in &tps {
        for &cp in &cps {
            let per = u64::from(tp) * u64::from(cp);
            if per > gpus {
                continue;
            }
            let max_pp = (gpus / per)
                .min(u64::from(layers))
                .min(u64::from(space.max_pp.unwrap_or(u32::MAX))) as u32;
            match space.pp {
                Some(p) if u64::from(p) * per <= gpus && p <= layers => outer.push((tp, cp, p)),
                Some(_) => {}
                None => outer.extend((1..=max_pp).map(|p| (tp, cp, p))),
            }
        }
    }
    if outer.is_empty() {
        return SearchResult {
            top: Vec::new(),
            plans_considered: 0,
            plans_timed: 0,
            infeasible: Some(Infeasible::NoLayout {
                reason: format!("no tensor/context/pipeline layout fits {gpus} GPUs with the fixed values given"),
            }),
        };
    }

    struct Local {
        top: Vec<PlanResult>,
        considered: u64,
        timed: u64,
        min_need: f64,
    }
    let merge = |mut a: Local, b: Local| {
        for r in b.top {
            push_top(&mut a.top, r, top_k);
        }
        a.considered += b.considered;
        a.timed += b.timed;
        a.min_need = a.min_need.min(b.min_need);
        a
    };
    let empty = || Local {
        top: Vec::with_capacity(top_k + 1),
        considered: 0,
        timed: 0,
        min_need: f64::INFINITY,
    };

    let result = outer
        .par_iter()
        .fold(empty, |mut acc, &(tp, cp, pp)| {
            let per_dp = u64::from(tp) * u64::from(cp) * u64::from(pp);
            let dp_max = (gpus / per_dp).min(u64::from(u32::MAX)) as u32;
            // Searched: powers of two up to 16; fixed: any value (published plans use 32, 64).
            let mbs: &[u32] = match &space.micro_batch {
                Some(f) => std::slice::from_ref(f),
                None => &[1, 2, 4, 8, 16],
            };
            for &mb in mbs {
                if batch_seqs % u64::from(mb) != 0 {
                    continue;
                }
                let seqs_per_mb = batch_seqs / u64::from(mb);
                // Every replica count that divides the batch and fits: fewer replicas than
                // the GPUs allow leave GPUs idle (spares), which keeps the search monotone:
                // offering more GPUs never removes a plan. No allocation in this loop.
                let dps = batch_divisors
                    .iter()
                    .rev()
                    .filter(|&&d| d <= u64::from(dp_max) && seqs_per_mb % d == 0)
                    .map(|&d| d as u32)
                    .filter(|&d| space.dp.is_none_or(|f| f == d));
                for dp in dps {
                    let m = seqs_per_mb / u64::from(dp);
                    // Expert parallelism places whole experts on the stage's tp·cp·dp GPUs
                    // (dense models: 1); a fixed value must satisfy the same rule.
                    let group = tp * cp * dp;
                    let ep_valid = |e: u32| {
                        if experts == 0 {
                            e == 1
                        } else {
                            experts % e == 0 && group % e == 0
                        }
                    };
                    // Searched: powers of two; fixed: that value alone.
                    let ep_max = if space.ep.is_some() {
                        0
                    } else {
                        experts.max(1).min(group)
                    };
                    // Searched: 1, 2, 4, 8 up to the stack's limit; fixed: any value (GPT-3
                    // 175B at PP8 with 96 layers publishes 3).
                    let vs: &[u32] = match &space.interleave {
                        Some(f) => std::slice::from_ref(f),
                        None => &[1, 2, 4, 8],
                    };
                    for &v in vs {
                        if space.interleave.is_none() && v > space.max_interleave.unwrap_or(8) {
                            continue;
                        }
                        if v > 1 && (pp == 1 || layers < pp * v || m % u64::from(pp) != 0) {
                            continue;
                        }
                        for ep in powers_of_two_upto(ep_max)
                            .chain(space.ep)
                            .filter(|&e| ep_valid(e))
                        {
                            for zero in 0u8..=3 {
                                if space.zero_stage.is_some_and(|f| f != zero)
                                    || (space.zero_stage.is_none()
                                        && zero > space.max_zero_stage.unwrap_or(3))
                                {
                                    continue;
                                }
                                let mut fitted = false;
                                for rc in Recompute::ALL {
                                    if space.recompute.is_some_and(|f| f != rc) {
                                        continue;
                                    }
                                    acc.considered += 1;
                                    if fitted {
                                        continue; // dominated: a cheaper recompute mode fits
                                    }
                                    let st = Strategy {
                                        tp,
                                        pp,
                                        dp,
                                        ep,
                                        cp,
                                        micro_batch: mb,
                                        interleave: v,
                                        recompute: rc,
                                        zero_stage: zero,
                                    };
                                    let mem = memory_per_gpu(
                                        &model.shape,
                                        &st,
                                        model.seq_len,
                                        m as f64,
                                        capacity,
                                        act_opts,
                                    );
                                    let need = mem.total_bytes();
                                    if need > capacity {
                                        acc.min_need = acc.min_need.min(need);
                                        continue;
                                    }
                                    fitted = true;
                                    acc.timed += 1;
                                    let step = model.step_time(&st);
                                    push_top(
                                        &mut acc.top,
                                        PlanResult {
                                            strategy: st,
                                            step,
                                            memory: mem,
                                        },
                                        top_k,
                                    );
                                }
                            }
                        }
                    }
                }
            }
            acc
        })
        .reduce(empty, merge);

    let infeasible = if result.top.is_empty() {
        Some(if result.min_need.is_finite() {
            Infeasible::OutOfMemory {
                need_bytes: result.min_need,
                have_bytes: capacity,
            }
        } else {
            Infeasible::NoLayout {
                reason: format!(
                    "no plan divides the global batch of {batch_seqs} sequences over {gpus} GPUs with the fixed values given \
                     (data-parallel replicas × micro-batch must divide the batch)"
                ),
            }
        })
    } else {
        None
    };
    SearchResult {
        top: result.top,
        plans_considered: result.considered,
        plans_timed: result.timed,
        infeasible,
    }
}
