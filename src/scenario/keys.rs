//! The numeric keys of a scenario file: their dotted paths, physical ranges, whether they may
//! be distributions, and which field of the trial assumptions they set. One table,
//! [`NUMBER_KEYS`], is the single source of truth for validation, sampling and the README.
//!
//! Keys that shape the plan search (fleet size, cluster, batch, sequence, fixed plan parts)
//! and the Monte Carlo settings are fixed per sweep point: they may be swept but not be
//! distributions. Every other number may be a distribution.

pub use crate::montecarlo::inputs::{Inputs, OwnPrices, Slot};

/// The range of values a key accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Domain {
    /// `> 0`.
    Positive,
    /// `≥ 0`.
    NonNegative,
    /// `(0, 1]`: an efficiency or utilisation.
    Fraction,
    /// `[0, 1]`: an overlap share.
    Share,
    /// `[0, 1)`: a share of a total that must leave something.
    ShareBelowOne,
    /// `≥ 1`: a power usage effectiveness.
    AtLeastOne,
    /// `> −1`: a price premium (−0.2 is a 20% discount).
    AboveMinusOne,
}

impl Domain {
    /// Whether `x` is in range.
    pub fn contains(self, x: f64) -> bool {
        x.is_finite()
            && match self {
                Domain::Positive => x > 0.0,
                Domain::NonNegative => x >= 0.0,
                Domain::Fraction => x > 0.0 && x <= 1.0,
                Domain::Share => (0.0..=1.0).contains(&x),
                Domain::ShareBelowOne => (0.0..1.0).contains(&x),
                Domain::AtLeastOne => x >= 1.0,
                Domain::AboveMinusOne => x > -1.0,
            }
    }

    /// The range in words, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Domain::Positive => "a positive number",
            Domain::NonNegative => "a number ≥ 0",
            Domain::Fraction => "a fraction in (0, 1]",
            Domain::Share => "a share in [0, 1]",
            Domain::ShareBelowOne => "a share in [0, 1)",
            Domain::AtLeastOne => "a number ≥ 1",
            Domain::AboveMinusOne => "a number above −1",
        }
    }
}

/// How a key's value is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A whole number fixed per sweep point (counts, plan parts, trials, seed).
    Integer,
    /// A real number fixed per sweep point (it shapes the plan search).
    Fixed,
    /// May be a distribution; sets this field of the trial assumptions.
    Uncertain(Slot),
}

/// One numeric key.
#[derive(Debug, Clone, Copy)]
pub struct NumberKey {
    /// Dotted path.
    pub path: &'static str,
    /// Accepted range.
    pub domain: Domain,
    /// How the value is used.
    pub role: Role,
}

const fn key(path: &'static str, domain: Domain, role: Role) -> NumberKey {
    NumberKey { path, domain, role }
}

use Domain::*;
use Role::*;

/// Every numeric key of a scenario file. Sources of the defaults: `perf::assumptions`.
pub const NUMBER_KEYS: &[NumberKey] = &[
    key("train_tokens", Positive, Uncertain(Slot::TrainTokens)),
    key("year", Positive, Integer),
    key("model_error", Positive, Uncertain(Slot::ModelError)),
    key("global_batch_tokens", Positive, Fixed),
    key("seq_len", Positive, Integer),
    key("fleet.count", Positive, Integer),
    key("fleet.budget_usd", Positive, Fixed),
    key("fleet.gpus_per_node", Positive, Integer),
    key("fleet.net_gbps_per_gpu", Positive, Fixed),
    key("policy.tpp_min", Positive, Fixed),
    key("policy.pd_min", Positive, Fixed),
    key("policy.interconnect_min_gb_per_s", Positive, Fixed),
    key("policy.memory_bw_min_tb_per_s", Positive, Fixed),
    key("policy.dram_plus_io_min_gb_per_s", Positive, Fixed),
    key("policy.run_gpus", Positive, Integer),
    key(
        "cost.usd_per_gpu_hour",
        Positive,
        Uncertain(Slot::UsdPerGpuHour),
    ),
    key("cost.purchase_usd", Positive, Uncertain(Slot::PurchaseUsd)),
    key(
        "cost.channel_premium",
        AboveMinusOne,
        Uncertain(Slot::ChannelPremium),
    ),
    key(
        "cost.server_overhead",
        Positive,
        Uncertain(Slot::ServerOverhead),
    ),
    key(
        "cost.interconnect_fraction",
        ShareBelowOne,
        Uncertain(Slot::InterconnectFraction),
    ),
    key(
        "cost.amortization_years",
        Positive,
        Uncertain(Slot::AmortizationYears),
    ),
    key("efficiency.matmul", Fraction, Uncertain(Slot::Matmul)),
    key(
        "efficiency.matmul_scale",
        Positive,
        Uncertain(Slot::MatmulScale),
    ),
    key("efficiency.attention", Fraction, Uncertain(Slot::Attention)),
    key("efficiency.memory", Fraction, Uncertain(Slot::Memory)),
    key("efficiency.nvlink", Fraction, Uncertain(Slot::Nvlink)),
    key("efficiency.scaleout", Fraction, Uncertain(Slot::Scaleout)),
    key("efficiency.a2a_intra", Fraction, Uncertain(Slot::A2aIntra)),
    key("efficiency.a2a_inter", Fraction, Uncertain(Slot::A2aInter)),
    key(
        "efficiency.alpha_intra_s",
        NonNegative,
        Uncertain(Slot::AlphaIntraS),
    ),
    key(
        "efficiency.alpha_inter_s",
        NonNegative,
        Uncertain(Slot::AlphaInterS),
    ),
    key("efficiency.tp_overlap", Share, Uncertain(Slot::TpOverlap)),
    key("efficiency.dp_overlap", Share, Uncertain(Slot::DpOverlap)),
    key("efficiency.ep_overlap", Share, Uncertain(Slot::EpOverlap)),
    key("efficiency.pp_overlap", Share, Uncertain(Slot::PpOverlap)),
    key("efficiency.cp_overlap", Share, Uncertain(Slot::CpOverlap)),
    key(
        "efficiency.comm_sm_fraction",
        ShareBelowOne,
        Uncertain(Slot::CommSmFraction),
    ),
    key(
        "efficiency.moe_imbalance",
        AtLeastOne,
        Uncertain(Slot::MoeImbalance),
    ),
    key(
        "efficiency.layer_overhead_s",
        NonNegative,
        Uncertain(Slot::LayerOverheadS),
    ),
    key("efficiency.mfu", Fraction, Uncertain(Slot::Mfu)),
    key(
        "reliability.interruptions_per_gpu_hour",
        NonNegative,
        Uncertain(Slot::InterruptionsPerGpuHour),
    ),
    key(
        "reliability.checkpoint_bytes_per_param",
        Positive,
        Uncertain(Slot::CheckpointBytesPerParam),
    ),
    key(
        "reliability.storage_bytes_per_s_per_gpu",
        Positive,
        Uncertain(Slot::StorageBytesPerSPerGpu),
    ),
    key(
        "reliability.restart_s",
        NonNegative,
        Uncertain(Slot::RestartS),
    ),
    key(
        "energy.gpu_power_fraction",
        Fraction,
        Uncertain(Slot::GpuPowerFraction),
    ),
    key(
        "energy.host_power_fraction",
        NonNegative,
        Uncertain(Slot::HostPowerFraction),
    ),
    key("energy.pue", AtLeastOne, Uncertain(Slot::Pue)),
    key(
        "energy.usd_per_kwh",
        NonNegative,
        Uncertain(Slot::UsdPerKwh),
    ),
    key("plan.tp", Positive, Integer),
    key("plan.pp", Positive, Integer),
    key("plan.dp", Positive, Integer),
    key("plan.ep", Positive, Integer),
    key("plan.cp", Positive, Integer),
    key("plan.micro_batch", Positive, Integer),
    key("plan.zero_stage", NonNegative, Integer),
    key("plan.interleave", Positive, Integer),
    key("uncertainty.trials", Positive, Integer),
    key("uncertainty.seed", NonNegative, Integer),
    key("uncertainty.top_k", Positive, Integer),
];

/// The key at `path`, if it is numeric.
pub fn number_key(path: &str) -> Option<&'static NumberKey> {
    NUMBER_KEYS.iter().find(|k| k.path == path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::raw::RawScenario;

    /// Every key of the table is a real key of the file format, answered by
    /// `RawScenario::number`.
    #[test]
    fn every_number_key_parses_and_is_found() {
        for k in NUMBER_KEYS {
            let (table, leaf) = k.path.split_once('.').unwrap_or(("", k.path));
            let src = if table.is_empty() {
                format!("{leaf} = 3\n")
            } else {
                format!("[{table}]\n{leaf} = 3\n")
            };
            let raw: RawScenario =
                toml::from_str(&src).unwrap_or_else(|e| panic!("{}: {e}", k.path));
            assert!(raw.number(k.path).is_some(), "{}", k.path);
        }
    }

    #[test]
    fn paths_are_unique() {
        let mut paths: Vec<_> = NUMBER_KEYS.iter().map(|k| k.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), NUMBER_KEYS.len());
    }
}
