//! What a fleet can train: tokens per wall-clock second of the target model on a fleet of
//! several chips, from plan searches cached by (stack, chip) on a grid of GPU counts.
//!
//! **The grid.** For each (stack, chip) pair in use, the counts `round(2^(k/2))` (1, 1, 2,
//! 3, 4, 6, 8, 11, 16, 23, 32, …: every power of two is on it) up to the most GPUs of that
//! chip any actor can hold. At each count the full engine runs once: [`estimate`] on the
//! target model with the actor's stack (plan search, step time, failures, the stack's
//! whole-run overhead), giving tokens per second during steps and per wall-clock second.
//! A count whose goodput is already ≤ 0.05 with every GPU in the job is not searched
//! (failures outpace progress; `run_metrics` would refuse it).
//!
//! **Monotone envelope.** A fleet can always leave GPUs idle, so the wall-clock throughput
//! at a count is the running maximum over the grid up to it (this is what makes "more
//! supply never delays the target" true, even where goodput falls at very large counts).
//! Between grid points throughput is interpolated linearly, so a fleet exactly on a grid
//! point gets exactly what `estimate` says for it.
//!
//! **Several chips** ([`FleetEval`]): each chip is one pool at its own count; as in
//! [`crate::fleet`], the fleet takes the faster of the best pool alone (its envelope value)
//! and all pools together as heterogeneous data parallelism (`fleet::arrange`: step =
//! `B/Σ tokens_per_s + t_sync`), the latter with goodput over all GPUs and the stack's
//! whole-run factor. Channels do not change the physics: a chip's pools are summed.

use rayon::prelude::*;

use crate::catalog::{GpuSpec, StackSpec};
use crate::estimate::{default_global_batch_tokens, estimate, Question};
use crate::fleet::arrange;
use crate::perf::run_time::goodput;
use crate::perf::Reliability;
use crate::workload::ParamCounts;

use super::Target;

/// Throughput of one chip under one stack, against GPU count.
#[derive(Debug, Clone)]
pub struct Curve {
    /// Grid counts, ascending.
    pub counts: Vec<f64>,
    /// Envelope of tokens per wall-clock second (failures and whole-run overhead included).
    pub wall_tps: Vec<f64>,
    /// Tokens per second during steps of the grid point the envelope takes its value from.
    pub step_tps: Vec<f64>,
    /// Achieved one-direction scale-out bandwidth per GPU, bytes/s.
    pub scale_out_bytes_per_s: f64,
    /// Plan searches run for this curve.
    pub searches: usize,
}

impl Curve {
    /// Linear interpolation of `ys` at `n` GPUs (0 below one GPU; flat above the grid).
    fn at(&self, ys: &[f64], n: f64) -> f64 {
        if n < 1.0 || self.counts.is_empty() {
            return 0.0;
        }
        let k = self.counts.partition_point(|&c| c <= n);
        if k >= self.counts.len() {
            return ys[ys.len() - 1];
        }
        let (c0, c1) = (self.counts[k - 1], self.counts[k]);
        let (y0, y1) = (ys[k - 1], ys[k]);
        y0 + (y1 - y0) * (n - c0) / (c1 - c0)
    }

    /// Tokens per wall-clock second of `n` GPUs of this chip alone.
    pub fn wall(&self, n: f64) -> f64 {
        self.at(&self.wall_tps, n)
    }

    /// Tokens per second during steps of `n` GPUs of this chip.
    pub fn step(&self, n: f64) -> f64 {
        self.at(&self.step_tps, n)
    }
}

/// The grid counts up to (and including the first at or above) `max`.
pub fn grid(max: f64) -> Vec<f64> {
    let mut out: Vec<f64> = Vec::new();
    let mut k = 0i32;
    loop {
        let c = (2f64.powf(f64::from(k) / 2.0)).round();
        if out.last() != Some(&c) {
            out.push(c);
        }
        if c >= max || k > 80 {
            break;
        }
        k += 1;
    }
    out
}

/// The question the engine answers for `n` GPUs of `gpu` under `stack`.
pub fn question(target: &Target, stack: &StackSpec, gpu: &GpuSpec, n: u64) -> Question {
    let mut q = Question::new(
        target.model.clone(),
        gpu.clone(),
        n,
        target.train_tokens,
        target.precision,
    );
    q.apply_stack(stack);
    q
}

/// (tokens/s during steps, tokens per wall-clock second) of `n` GPUs; zeros without a plan.
fn point(target: &Target, stack: &StackSpec, gpu: &GpuSpec, n: u64) -> (f64, f64, bool) {
    let params = ParamCounts::of(&target.model).total;
    if goodput(&Reliability::default(), n as f64, params).goodput <= 0.05 {
        return (0.0, 0.0, false);
    }
    match estimate(&question(target, stack, gpu, n)) {
        Ok(e) => (e.tokens_per_s, e.tokens / (e.train_days * 86_400.0), true),
        Err(_) => (0.0, 0.0, true),
    }
}

/// One curve to build: a stack, a chip and the most GPUs it must cover.
pub struct CurveJob<'a> {
    /// The stack.
    pub stack: &'a StackSpec,
    /// The chip.
    pub gpu: &'a GpuSpec,
    /// Most GPUs of this chip any fleet holds.
    pub max_gpus: f64,
}

/// Build every curve, searching the grid points of all of them in parallel (rayon; the
/// result does not depend on the thread count).
pub fn build(target: &Target, jobs: &[CurveJob]) -> Vec<Curve> {
    let points: Vec<(usize, f64)> = jobs
        .iter()
        .enumerate()
        .flat_map(|(j, job)| grid(job.max_gpus.max(1.0)).into_iter().map(move |c| (j, c)))
        .collect();
    let values: Vec<(f64, f64, bool)> = points
        .par_iter()
        .map(|&(j, c)| point(target, jobs[j].stack, jobs[j].gpu, c as u64))
        .collect();
    jobs.iter()
        .enumerate()
        .map(|(j, job)| {
            let mut curve = Curve {
                counts: Vec::new(),
                wall_tps: Vec::new(),
                step_tps: Vec::new(),
                scale_out_bytes_per_s: job.gpu.scale_out_bytes_per_s()
                    * question(target, job.stack, job.gpu, 1).efficiency.scaleout,
                searches: 0,
            };
            let (mut best_wall, mut best_step) = (0.0f64, 0.0f64);
            for (&(pj, c), &(step, wall, searched)) in points.iter().zip(&values) {
                if pj != j {
                    continue;
                }
                curve.searches += usize::from(searched);
                if wall > best_wall {
                    best_wall = wall;
                    best_step = step;
                }
                curve.counts.push(c);
                curve.wall_tps.push(best_wall);
                curve.step_tps.push(best_step);
            }
            curve
        })
        .collect()
}

/// Evaluates fleets of one actor: its curves by chip (`None` for chips it cannot use) and
/// what the mixed-fleet combination needs.
#[derive(Debug, Clone)]
pub struct FleetEval<'a> {
    /// Curve of each chip of the timeline, by chip index.
    pub curves: Vec<Option<&'a Curve>>,
    /// The H100-SXM curve under the same stack (for H100-equivalents).
    pub h100: Option<&'a Curve>,
    /// Parameters of the model (for the cross-pool gradient sync).
    pub params: f64,
    /// Sequence length (for the default global batch).
    pub seq_len: u64,
    /// The stack's whole-run factor (overhead and fitted time factor).
    pub factor: f64,
}

/// Scratch buffers for [`FleetEval::wall`], reused across months.
#[derive(Debug, Default)]
pub struct Scratch {
    step: Vec<f64>,
    gpus: Vec<u64>,
    bw: Vec<f64>,
}

impl FleetEval<'_> {
    /// Tokens per wall-clock second of a fleet holding `counts[chip]` GPUs of each chip.
    pub fn wall(&self, counts: &[f64], s: &mut Scratch) -> f64 {
        s.step.clear();
        s.gpus.clear();
        s.bw.clear();
        let mut best = 0.0f64;
        let mut total = 0.0;
        for (c, &n) in counts.iter().enumerate() {
            let Some(curve) = self.curves[c] else {
                continue;
            };
            if n < 1.0 {
                continue;
            }
            best = best.max(curve.wall(n));
            let step = curve.step(n);
            if step > 0.0 {
                s.step.push(step);
                s.gpus.push(n as u64);
                s.bw.push(curve.scale_out_bytes_per_s);
                total += n;
            }
        }
        if s.step.len() < 2 {
            return best;
        }
        let batch = default_global_batch_tokens(total as u64, self.seq_len);
        let Some(a) = arrange(&s.step, &s.gpus, &s.bw, batch, self.params) else {
            return best;
        };
        let g = goodput(&Reliability::default(), total, self.params).goodput;
        if g <= 0.05 {
            return best;
        }
        let combined = batch / a.combined_step_s * g / self.factor;
        best.max(combined)
    }

    /// H100-SXM equivalents of a fleet of `total` GPUs with wall throughput `wall`: `N ×
    /// tps(fleet) / tps(N × H100)`; NaN when N H100s have no plan.
    pub fn h100_equivalents(&self, total: f64, wall: f64) -> f64 {
        match self.h100.map(|h| h.wall(total)) {
            Some(h) if h > 0.0 => total * wall / h,
            _ => f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_holds_every_power_of_two() {
        let g = grid(100.0);
        assert_eq!(&g[..8], &[1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 11.0, 16.0]);
        assert!(g.contains(&64.0) && g.contains(&128.0));
        assert_eq!(*g.last().unwrap(), 128.0);
    }

    #[test]
    fn interpolation_is_exact_on_the_grid_and_linear_between() {
        let c = Curve {
            counts: vec![1.0, 2.0, 4.0],
            wall_tps: vec![10.0, 20.0, 30.0],
            step_tps: vec![11.0, 22.0, 33.0],
            scale_out_bytes_per_s: 1.0,
            searches: 3,
        };
        assert_eq!(c.wall(2.0), 20.0);
        assert_eq!(c.wall(3.0), 25.0);
        assert_eq!(c.wall(0.5), 0.0);
        assert_eq!(c.wall(9.0), 30.0);
        assert_eq!(c.step(4.0), 33.0);
    }
}
