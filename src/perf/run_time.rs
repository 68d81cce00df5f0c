//! Whole-run time with failures: goodput from an interruption rate, checkpoint cost and
//! restart time (Young 1974; Daly 2006).
//!
//! Job mean time between failures `M = 1/(λ·N)`; checkpoint write time `δ` = checkpoint
//! bytes / aggregate storage bandwidth; optimal checkpoint interval `τ = √(2·δ·M)`
//! (Young/Daly, first order); goodput `≈ 1 − δ/τ − (τ/2 + R)/M`: time lost writing
//! checkpoints, recomputing half an interval on average after each failure, and restarting.

use serde::Serialize;

use super::assumptions::Reliability;

/// Failure accounting of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Goodput {
    /// Fraction of wall time spent on useful training.
    pub goodput: f64,
    /// Job mean time between interruptions, hours.
    pub mtbf_h: f64,
    /// Checkpoint write time, seconds.
    pub checkpoint_write_s: f64,
    /// Checkpoint interval, seconds.
    pub checkpoint_interval_s: f64,
}

/// Goodput of a job on `gpus` GPUs training a model of `params` parameters.
pub fn goodput(rel: &Reliability, gpus: f64, params: f64) -> Goodput {
    let mtbf_s = 3600.0 / (rel.interruptions_per_gpu_hour * gpus).max(1e-30);
    let delta = rel.checkpoint_bytes_per_param * params
        / (rel.storage_bytes_per_s_per_gpu * gpus).max(1e-30);
    let tau = (2.0 * delta * mtbf_s).sqrt().max(1e-9);
    let g = 1.0 - delta / tau - (tau / 2.0 + rel.restart_s) / mtbf_s;
    Goodput {
        goodput: g,
        mtbf_h: mtbf_s / 3600.0,
        checkpoint_write_s: delta,
        checkpoint_interval_s: tau,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Llama 3.1 405B on 16,384 H100, by hand: λ = 419/(16,384·54·24) per GPU-hour gives
    /// M = 54·24/419 h = 3.0931 h = 11,135.1 s; δ = 14·405e9 / (16,384·122e6) = 2.8366 s;
    /// τ = √(2·2.8366·11,135.1) = 251.34 s; goodput = 1 − 2.8366/251.34 −
    /// (125.67 + 600)/11,135.1 = 1 − 0.011286 − 0.065170 = 0.92354 (Meta: ">90%").
    #[test]
    fn llama3_goodput_by_hand() {
        let g = goodput(&Reliability::default(), 16_384.0, 405e9);
        assert!((g.mtbf_h - 54.0 * 24.0 / 419.0).abs() < 1e-9);
        assert!(
            (g.checkpoint_write_s - 2.836_6).abs() < 1e-3,
            "{}",
            g.checkpoint_write_s
        );
        assert!(
            (g.checkpoint_interval_s - 251.34).abs() < 0.05,
            "{}",
            g.checkpoint_interval_s
        );
        assert!((g.goodput - 0.923_54).abs() < 1e-4, "{}", g.goodput);
    }
}
