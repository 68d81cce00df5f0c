//! The assumptions one trial evaluates under ([`Inputs`]), the fields a drawn value sets
//! ([`Slot`]), and which prices a pool sets itself ([`OwnPrices`]). Scenario keys name
//! these slots (`scenario::keys`), but the trials need only the slots, so montecarlo does
//! not import the scenario's key table.

use crate::cost::{CostAssumptions, EnergyAssumptions};
use crate::perf::{Efficiency, Reliability};

/// A field of the per-trial assumptions that an uncertain key sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// `train_tokens`.
    TrainTokens,
    /// `efficiency.matmul`.
    Matmul,
    /// `efficiency.matmul_scale`.
    MatmulScale,
    /// `efficiency.attention`.
    Attention,
    /// `efficiency.memory`.
    Memory,
    /// `efficiency.nvlink`.
    Nvlink,
    /// `efficiency.scaleout`.
    Scaleout,
    /// `efficiency.a2a_intra`.
    A2aIntra,
    /// `efficiency.a2a_inter`.
    A2aInter,
    /// `efficiency.alpha_intra_s`.
    AlphaIntraS,
    /// `efficiency.alpha_inter_s`.
    AlphaInterS,
    /// `efficiency.tp_overlap`.
    TpOverlap,
    /// `efficiency.dp_overlap`.
    DpOverlap,
    /// `efficiency.ep_overlap`.
    EpOverlap,
    /// `efficiency.pp_overlap`.
    PpOverlap,
    /// `efficiency.layer_overhead_s`.
    LayerOverheadS,
    /// `efficiency.cp_overlap`.
    CpOverlap,
    /// `efficiency.comm_sm_fraction`.
    CommSmFraction,
    /// `efficiency.moe_imbalance`.
    MoeImbalance,
    /// `efficiency.mfu`.
    Mfu,
    /// `model_error`.
    ModelError,
    /// `reliability.interruptions_per_gpu_hour`.
    InterruptionsPerGpuHour,
    /// `reliability.checkpoint_bytes_per_param`.
    CheckpointBytesPerParam,
    /// `reliability.storage_bytes_per_s_per_gpu`.
    StorageBytesPerSPerGpu,
    /// `reliability.restart_s`.
    RestartS,
    /// `energy.gpu_power_fraction`.
    GpuPowerFraction,
    /// `energy.host_power_fraction`.
    HostPowerFraction,
    /// `energy.pue`.
    Pue,
    /// `energy.usd_per_kwh`.
    UsdPerKwh,
    /// `cost.usd_per_gpu_hour`.
    UsdPerGpuHour,
    /// `cost.purchase_usd`.
    PurchaseUsd,
    /// `cost.channel_premium`.
    ChannelPremium,
    /// `cost.server_overhead`.
    ServerOverhead,
    /// `cost.interconnect_fraction`.
    InterconnectFraction,
    /// `cost.amortization_years`.
    AmortizationYears,
    /// `premium` of the pool with this index (a smuggled pool's channel premium).
    PoolPremium(u16),
    /// `usd_per_gpu_hour` of the pool with this index.
    PoolUsdPerGpuHour(u16),
    /// `purchase_usd` of the pool with this index.
    PoolPurchaseUsd(u16),
}

/// Which prices a pool sets itself, so that the scenario-wide `[cost]` keys of the same
/// name leave them alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OwnPrices {
    /// The pool's `usd_per_gpu_hour`.
    pub usd_per_gpu_hour: bool,
    /// The pool's `purchase_usd`.
    pub purchase_usd: bool,
    /// The pool's `premium` (every smuggled pool has one).
    pub channel_premium: bool,
}

impl OwnPrices {
    /// All three: a fleet priced only by its own keys and the catalog (the reference fleet).
    pub const ALL: OwnPrices = OwnPrices {
        usd_per_gpu_hour: true,
        purchase_usd: true,
        channel_premium: true,
    };
}

/// The assumptions one trial (or the nominal run) evaluates under.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Inputs {
    /// Training tokens.
    pub train_tokens: f64,
    /// Efficiency (its `matmul` is `matmul_base × matmul_scale` once finished).
    pub eff: Efficiency,
    /// Reliability.
    pub rel: Reliability,
    /// Energy.
    pub energy: EnergyAssumptions,
    /// Cost.
    pub cost: CostAssumptions,
    /// GEMM efficiency before `matmul_scale`.
    pub matmul_base: f64,
    /// Multiplier on `matmul_base`.
    pub matmul_scale: f64,
    /// Model-error multiplier on wall time (1 = none).
    pub model_error: f64,
}

impl Inputs {
    /// Set one field.
    pub fn set(&mut self, slot: Slot, v: f64) {
        match slot {
            Slot::TrainTokens => self.train_tokens = v,
            Slot::Matmul => self.matmul_base = v,
            Slot::MatmulScale => self.matmul_scale = v,
            Slot::Attention => self.eff.attention = v,
            Slot::Memory => self.eff.memory = v,
            Slot::Nvlink => self.eff.nvlink = v,
            Slot::Scaleout => self.eff.scaleout = v,
            Slot::A2aIntra => self.eff.a2a_intra = v,
            Slot::A2aInter => self.eff.a2a_inter = v,
            Slot::AlphaIntraS => self.eff.alpha_intra_s = v,
            Slot::AlphaInterS => self.eff.alpha_inter_s = v,
            Slot::TpOverlap => self.eff.tp_overlap = v,
            Slot::DpOverlap => self.eff.dp_overlap = v,
            Slot::EpOverlap => self.eff.ep_overlap = v,
            Slot::PpOverlap => self.eff.pp_overlap = v,
            Slot::LayerOverheadS => self.eff.layer_overhead_s = v,
            Slot::CpOverlap => self.eff.cp_overlap = v,
            Slot::CommSmFraction => self.eff.comm_sm_fraction = v,
            Slot::MoeImbalance => self.eff.moe_imbalance = v,
            Slot::Mfu => self.eff.mfu = Some(v),
            Slot::ModelError => self.model_error = v,
            Slot::InterruptionsPerGpuHour => self.rel.interruptions_per_gpu_hour = v,
            Slot::CheckpointBytesPerParam => self.rel.checkpoint_bytes_per_param = v,
            Slot::StorageBytesPerSPerGpu => self.rel.storage_bytes_per_s_per_gpu = v,
            Slot::RestartS => self.rel.restart_s = v,
            Slot::GpuPowerFraction => self.energy.gpu_power_fraction = v,
            Slot::HostPowerFraction => self.energy.host_power_fraction = v,
            Slot::Pue => self.energy.pue = v,
            Slot::UsdPerKwh => self.energy.usd_per_kwh = v,
            Slot::UsdPerGpuHour => self.cost.usd_per_gpu_hour = Some(v),
            Slot::PurchaseUsd => self.cost.purchase_usd = Some(v),
            Slot::ChannelPremium => self.cost.channel_premium = v,
            Slot::ServerOverhead => self.cost.server_overhead = v,
            Slot::InterconnectFraction => self.cost.interconnect_fraction = v,
            Slot::AmortizationYears => self.cost.amortization_years = v,
            Slot::PoolPremium(_) => self.cost.channel_premium = v,
            Slot::PoolUsdPerGpuHour(_) => self.cost.usd_per_gpu_hour = Some(v),
            Slot::PoolPurchaseUsd(_) => self.cost.purchase_usd = Some(v),
        }
    }

    /// Set one field as pool number `pool` (its index in the file) sees it: the keys of
    /// other pools do not touch it, and scenario-wide prices do not override the prices the
    /// pool sets itself (`own`).
    pub fn set_for_pool(&mut self, slot: Slot, v: f64, pool: usize, own: OwnPrices) {
        match slot {
            Slot::PoolPremium(i) | Slot::PoolUsdPerGpuHour(i) | Slot::PoolPurchaseUsd(i)
                if usize::from(i) != pool => {}
            Slot::UsdPerGpuHour if own.usd_per_gpu_hour => {}
            Slot::PurchaseUsd if own.purchase_usd => {}
            Slot::ChannelPremium if own.channel_premium => {}
            s => self.set(s, v),
        }
    }

    /// Recompute `eff.matmul` from its base and scale (call after setting either).
    pub fn finish(&mut self) {
        self.eff.matmul = self.matmul_base * self.matmul_scale;
    }
}
