//! Mixed fleets: several pools of different chips training one model together as
//! heterogeneous data-parallel groups, compared with each pool alone.
//!
//! Each pool runs its own best plan as one data-parallel group. The global batch is split in
//! proportion to the pools' throughputs, so every pool finishes its share at the same time:
//! `t_compute = B / Σ throughput_i`. Gradients are then averaged across pools with a ring
//! all-reduce over the slowest scale-out link: every GPU of the smallest pool carries a
//! `1/N_min` shard of the FP32 gradients, so `t_sync = 2(n−1)/n · 4·P/N_min / bw_min`, not
//! overlapped (the pools' backward passes end at different times). The engine takes the
//! faster of "all pools together" and "the best pool alone" and says which and why.

use serde::Serialize;

/// What one pool can do alone, for the model and global batch in question.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolThroughput {
    /// Pool label (GPU id and channel).
    pub label: String,
    /// GPUs in the pool.
    pub gpus: u64,
    /// Training tokens per second of the pool alone on the whole global batch.
    pub tokens_per_s: f64,
    /// One-direction scale-out bandwidth per GPU, bytes/s (achieved).
    pub scale_out_bytes_per_s: f64,
}

/// How a mixed fleet trains.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MixedFleet {
    /// `true` when all pools together are faster than the best pool alone.
    pub combined: bool,
    /// The pool used alone, when not combined.
    pub alone: Option<String>,
    /// Share of the global batch per pool (sums to 1 when combined).
    pub batch_share: Vec<(String, f64)>,
    /// One step of the chosen arrangement, seconds.
    pub step_s: f64,
    /// Of which gradient synchronisation across pools, seconds.
    pub sync_s: f64,
    /// Why this arrangement.
    pub reason: String,
}

/// Combine `pools` for a global batch of `batch_tokens` tokens and a model of `params`
/// parameters.
pub fn combine(pools: &[PoolThroughput], batch_tokens: f64, params: f64) -> MixedFleet {
    let best = pools
        .iter()
        .enumerate()
        .max_by(|a, b| {
            a.1.tokens_per_s
                .total_cmp(&b.1.tokens_per_s)
                .then(b.0.cmp(&a.0))
        })
        .map(|(_, p)| p);
    let Some(best) = best else {
        return MixedFleet {
            combined: false,
            alone: None,
            batch_share: Vec::new(),
            step_s: f64::INFINITY,
            sync_s: 0.0,
            reason: "no pool".into(),
        };
    };
    let alone_step = batch_tokens / best.tokens_per_s;
    if pools.len() < 2 {
        return MixedFleet {
            combined: false,
            alone: Some(best.label.clone()),
            batch_share: vec![(best.label.clone(), 1.0)],
            step_s: alone_step,
            sync_s: 0.0,
            reason: "one pool".into(),
        };
    }
    let total: f64 = pools.iter().map(|p| p.tokens_per_s).sum();
    let n = pools.len() as f64;
    let n_min = pools.iter().map(|p| p.gpus).min().unwrap_or(1).max(1) as f64;
    let bw_min = pools
        .iter()
        .map(|p| p.scale_out_bytes_per_s)
        .fold(f64::INFINITY, f64::min);
    let sync_s = 2.0 * (n - 1.0) / n * 4.0 * params / n_min / bw_min;
    let combined_step = batch_tokens / total + sync_s;
    if combined_step < alone_step {
        MixedFleet {
            combined: true,
            alone: None,
            batch_share: pools.iter().map(|p| (p.label.clone(), p.tokens_per_s / total)).collect(),
            step_s: combined_step,
            sync_s,
            reason: format!(
                "all {} pools together: {:.3} s a step ({:.3} s of it cross-pool gradient sync) vs {:.3} s for {} alone",
                pools.len(),
                combined_step,
                sync_s,
                alone_step,
                best.label
            ),
        }
    } else {
        MixedFleet {
            combined: false,
            alone: Some(best.label.clone()),
            batch_share: vec![(best.label.clone(), 1.0)],
            step_s: alone_step,
            sync_s: 0.0,
            reason: format!(
                "{} alone: {:.3} s a step vs {:.3} s for all pools together ({:.3} s of it cross-pool gradient sync over the slowest link)",
                best.label, alone_step, combined_step, sync_s
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(label: &str, gpus: u64, tps: f64, gbit: f64) -> PoolThroughput {
        PoolThroughput {
            label: label.into(),
            gpus,
            tokens_per_s: tps,
            scale_out_bytes_per_s: gbit * 1e9 / 8.0,
        }
    }

    /// By hand: pools of 1,000 GPUs at 300,000 tokens/s (400 Gb/s) and 2,000 at 100,000
    /// tokens/s (200 Gb/s), batch 4,000,000 tokens, 7e9 parameters. Shares 0.75 / 0.25;
    /// compute 4e6 / 4e5 = 10 s; sync 2·(1/2)·4·7e9/1,000 / 25e9 = 1.12 ms; step 10.00112 s,
    /// faster than the first pool alone (4e6 / 3e5 = 13.333 s).
    #[test]
    fn two_pools_by_hand() {
        let m = combine(
            &[
                pool("a", 1000, 300_000.0, 400.0),
                pool("b", 2000, 100_000.0, 200.0),
            ],
            4e6,
            7e9,
        );
        assert!(m.combined);
        assert_eq!(
            m.batch_share,
            vec![("a".to_string(), 0.75), ("b".to_string(), 0.25)]
        );
        assert!((m.sync_s - 1.12e-3).abs() < 1e-12, "{}", m.sync_s);
        assert!((m.step_s - 10.001_12).abs() < 1e-9, "{}", m.step_s);
    }

    /// A tiny, slow pool behind a thin link is not worth its synchronisation: 8 GPUs at
    /// 1,000 tokens/s on 10 Gb/s with a 70B model. Sync 2·(1/2)·4·70e9/8 / 1.25e9 = 28 s
    /// exceeds what the extra 1,000 tokens/s saves (4e6/3e5 − 4e6/3.01e5 = 0.044 s).
    #[test]
    fn a_small_slow_pool_is_left_out() {
        let m = combine(
            &[
                pool("big", 1000, 300_000.0, 400.0),
                pool("tiny", 8, 1_000.0, 10.0),
            ],
            4e6,
            70e9,
        );
        assert!(!m.combined);
        assert_eq!(m.alone.as_deref(), Some("big"));
        assert!((m.step_s - 4e6 / 3e5).abs() < 1e-9);
        assert!(m.reason.starts_with("big alone"));
    }
}
