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
//! modes; ZeRO 0–3. The stages: layouts `(tp, cp, pp)` → the candidates of each (batch
//! split, interleave, EP, ZeRO) → fits (memory, cheapest recompute first) → time → top K.
//! Pruning: for each candidate, recompute modes are tried from cheapest to
//! costliest and the first that fits memory is the only one timed (recomputation only adds
//! time), and a memory check (a few dozen flops) precedes every timing. Outer layouts run
//! in parallel with rayon; results are merged and sorted with a total order, so the answer
//! does not depend on the thread count.

use rayon::prelude::*;
use serde::Serialize;

use crate::catalog::gpu::framework_reserve_bytes;
use crate::perf::{StepModel, StepTime};
use crate::plan::{Recompute, SearchSpace, Strategy};
use crate::workload::{memory_per_gpu, ActivationOptions, MemoryBreakdown};

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

/// A plan before its recompute mode is chosen, with its micro-batches per replica `m`.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    st: Strategy,
    m: u64,
}

/// The plan space of one search: the model's shape, the GPUs, the fixed values.
struct Grid<'a> {
    model: &'a StepModel,
    space: &'a SearchSpace,
    gpus: u64,
    layers: u32,
    experts: u32,
    batch_seqs: u64,
    batch_divisors: Vec<u64>,
    act_opts: ActivationOptions,
}

impl Grid<'_> {
    /// The `(tp, cp, pp)` layouts: TP a power of two dividing the heads up to a node (or
    /// the fixed value), CP a power of two with 512+ tokens per rank for long sequences, PP
    /// up to the layers, their product within the GPUs.
    fn layouts(&self) -> Vec<(u32, u32, u32)> {
        let (space, shape) = (self.space, &self.model.shape);
        let (heads, kv_heads) = (shape.heads as u32, shape.kv_heads as u32);
        let gpn = self.model.hw.gpus_per_node as u32;
        let seq = self.model.seq_len as u64;
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
        let mut outer = Vec::new();
        for (&tp, &cp) in tps.iter().flat_map(|t| cps.iter().map(move |c| (t, c))) {
            let per = u64::from(tp) * u64::from(cp);
            if per > self.gpus {
                continue;
            }
            let max_pp = (self.gpus / per)
                .min(u64::from(self.layers))
                .min(u64::from(space.max_pp.unwrap_or(u32::MAX))) as u32;
            match space.pp {
                Some(p) if u64::from(p) * per <= self.gpus && p <= self.layers => {
                    outer.push((tp, cp, p));
                }
                Some(_) => {}
                None => outer.extend((1..=max_pp).map(|p| (tp, cp, p))),
            }
        }
        outer
    }

    /// Every candidate of one layout: micro-batch and replicas, then interleave, then EP,
    /// then ZeRO, each stage keeping what the previous ones allow.
    fn candidates(&self, (tp, cp, pp): (u32, u32, u32)) -> Vec<Candidate> {
        let st = Strategy {
            tp,
            pp,
            dp: 1,
            ep: 1,
            cp,
            micro_batch: 1,
            interleave: 1,
            recompute: Recompute::None,
            zero_stage: 0,
        };
        let mut out = self.batch_splits(st);
        out = out.into_iter().flat_map(|c| self.interleaves(c)).collect();
        out = out
            .into_iter()
            .flat_map(|c| self.expert_degrees(c))
            .collect();
        out.into_iter().flat_map(|c| self.zero_stages(c)).collect()
    }

    /// Micro-batch sizes (powers of two up to 16, or the fixed one) dividing the batch, and
    /// every replica count that divides the rest and fits: fewer replicas than the GPUs
    /// allow leave GPUs idle (spares), which keeps the search monotone (offering more GPUs
    /// never removes a plan).
    fn batch_splits(&self, st: Strategy) -> Vec<Candidate> {
        let per_dp = u64::from(st.tp) * u64::from(st.cp) * u64::from(st.pp);
        let dp_max = (self.gpus / per_dp).min(u64::from(u32::MAX));
        // Searched: powers of two up to 16; fixed: any value (published plans use 32, 64).
        let mbs: &[u32] = match &self.space.micro_batch {
            Some(f) => std::slice::from_ref(f),
            None => &[1, 2, 4, 8, 16],
        };
        let mut out = Vec::new();
        for &mb in mbs
            .iter()
            .filter(|&&mb| self.batch_seqs % u64::from(mb) == 0)
        {
            let seqs_per_mb = self.batch_seqs / u64::from(mb);
            let dps = self
                .batch_divisors
                .iter()
                .rev()
                .filter(|&&d| d <= dp_max && seqs_per_mb % d == 0)
                .map(|&d| d as u32)
                .filter(|&d| self.space.dp.is_none_or(|f| f == d));
            out.extend(dps.map(|dp| Candidate {
                st: Strategy {
                    dp,
                    micro_batch: mb,
                    ..st
                },
                m: seqs_per_mb / u64::from(dp),
            }));
        }
        out
    }

    /// Virtual stages: searched 1, 2, 4, 8 up to the stack's limit, or the fixed value (GPT-3
    /// 175B at PP8 with 96 layers publishes 3); above 1 only with PP > 1, a layer per
    /// virtual stage, and micro-batches in whole groups of PP.
    fn interleaves(&self, c: Candidate) -> impl Iterator<Item = Candidate> + '_ {
        let vs: &[u32] = match &self.space.interleave {
            Some(f) => std::slice::from_ref(f),
            None => &[1, 2, 4, 8],
        };
        let pp = c.st.pp;
        vs.iter()
            .filter(move |&&v| {
                self.space.interleave.is_some() || v <= self.space.max_interleave.unwrap_or(8)
            })
            .filter(move |&&v| {
                v == 1 || (pp > 1 && self.layers >= pp * v && c.m % u64::from(pp) == 0)
            })
            .map(move |&v| Candidate {
                st: Strategy {
                    interleave: v,
                    ..c.st
                },
                ..c
            })
    }

    /// Expert parallelism: whole experts on the stage's `tp·cp·dp` GPUs (dense models: 1);
    /// searched as powers of two, or the fixed value alone, under the same rule.
    fn expert_degrees(&self, c: Candidate) -> impl Iterator<Item = Candidate> + '_ {
        let group = c.st.tp * c.st.cp * c.st.dp;
        let experts = self.experts;
        let ep_max = if self.space.ep.is_some() {
            0
        } else {
            experts.max(1).min(group)
        };
        powers_of_two_upto(ep_max)
            .chain(self.space.ep)
            .filter(move |&e| {
                if experts == 0 {
                    e == 1
                } else {
                    experts % e == 0 && group % e == 0
                }
            })
            .map(move |ep| Candidate {
                st: Strategy { ep, ..c.st },
                ..c
            })
    }

    /// ZeRO stages 0–3 up to the stack's highest, or the fixed one.
    fn zero_stages(&self, c: Candidate) -> impl Iterator<Item = Candidate> + '_ {
        let space = self.space;
        (0u8..=3)
            .filter(move |&z| match space.zero_stage {
                Some(f) => f == z,
                None => z <= space.max_zero_stage.unwrap_or(3),
            })
            .map(move |zero_stage| Candidate {
                st: Strategy { zero_stage, ..c.st },
                ..c
            })
    }
}

/// What one worker has found.
struct Found {
    top: Vec<PlanResult>,
    considered: u64,
    timed: u64,
    min_need: f64,
}

impl Found {
    fn new(top_k: usize) -> Found {
        Found {
            top: Vec::with_capacity(top_k + 1),
            considered: 0,
            timed: 0,
            min_need: f64::INFINITY,
        }
    }

    fn merge(mut self, b: Found, top_k: usize) -> Found {
        for r in b.top {
            push_top(&mut self.top, r, top_k);
        }
        self.considered += b.considered;
        self.timed += b.timed;
        self.min_need = self.min_need.min(b.min_need);
        self
    }

    /// Fit, time and rank one candidate: recompute modes from cheapest to costliest, the
    /// first that fits memory is the only one timed (the rest are dominated: recomputation
    /// only adds time) and offered to the top K.
    fn consider(&mut self, grid: &Grid, c: Candidate, reserve_bytes: f64, top_k: usize) {
        let model = grid.model;
        let capacity = model.hw.hbm_bytes;
        let mut fitted = false;
        for rc in Recompute::ALL {
            if grid.space.recompute.is_some_and(|f| f != rc) {
                continue;
            }
            self.considered += 1;
            if fitted {
                continue;
            }
            let st = Strategy {
                recompute: rc,
                ..c.st
            };
            let mem = memory_per_gpu(
                &model.shape,
                &st,
                model.seq_len,
                c.m as f64,
                reserve_bytes,
                grid.act_opts,
            );
            let need = mem.total_bytes();
            if need > capacity {
                self.min_need = self.min_need.min(need);
                continue;
            }
            fitted = true;
            self.timed += 1;
            let step = model.step_time(&st);
            push_top(
                &mut self.top,
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

/// Search the plan space for `gpus` GPUs and keep the `top_k` fastest: layouts, then the
/// candidates of each (in parallel), each fitted to memory, timed, and ranked. Through this
/// thread's memo of searches when one is installed ([`super::memo::with_memo`]).
pub fn search(model: &StepModel, gpus: u64, space: &SearchSpace, top_k: usize) -> SearchResult {
    super::memo::search_timed(model, gpus, space, top_k).result
}

/// [`search`] without the memo.
pub(crate) fn search_uncached(
    model: &StepModel,
    gpus: u64,
    space: &SearchSpace,
    top_k: usize,
) -> SearchResult {
    let top_k = top_k.max(1);
    let batch_seqs = model.batch_seqs.round() as u64;
    let grid = Grid {
        model,
        space,
        gpus,
        layers: model.shape.layers as u32,
        experts: model.shape.experts as u32,
        batch_seqs,
        batch_divisors: divisors(batch_seqs),
        act_opts: model.activation_options(),
    };
    let outer = grid.layouts();
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
    let reserve_bytes = framework_reserve_bytes(model.hw.hbm_bytes);
    let found = outer
        .par_iter()
        .fold(
            || Found::new(top_k),
            |mut acc, &layout| {
                for c in grid.candidates(layout) {
                    acc.consider(&grid, c, reserve_bytes, top_k);
                }
                acc
            },
        )
        .reduce(|| Found::new(top_k), |a, b| a.merge(b, top_k));
    let infeasible = found.top.is_empty().then(|| {
        if found.min_need.is_finite() {
            Infeasible::OutOfMemory {
                need_bytes: found.min_need,
                have_bytes: model.hw.hbm_bytes,
            }
        } else {
            Infeasible::NoLayout {
                reason: format!(
                    "no plan divides the global batch of {batch_seqs} sequences over {gpus} GPUs with the fixed values given \
                     (data-parallel replicas × micro-batch must divide the batch)"
                ),
            }
        }
    });
    SearchResult {
        top: found.top,
        plans_considered: found.considered,
        plans_timed: found.timed,
        infeasible,
    }
}
