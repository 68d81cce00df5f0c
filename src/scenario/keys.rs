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

/// One numeric key: a row of [`NUMBER_KEYS`].
#[derive(Debug, Clone, Copy)]
pub struct NumberKey {
    /// Dotted path.
    pub path: &'static str,
    /// Accepted range.
    pub domain: Domain,
    /// How the value is used.
    pub role: Role,
    /// Unit of the value.
    pub unit: &'static str,
    /// Default when the file does not set it, in words.
    pub default: &'static str,
    /// What the key means, one sentence.
    pub doc: &'static str,
}

const fn key(
    path: &'static str,
    domain: Domain,
    role: Role,
    unit: &'static str,
    default: &'static str,
    doc: &'static str,
) -> NumberKey {
    NumberKey {
        path,
        domain,
        role,
        unit,
        default,
        doc,
    }
}

/// The markdown table of [`NUMBER_KEYS`] that `scenarios/README.md` holds between
/// [`README_START`] and [`README_END`] (a test checks it; `UPDATE_README=1 cargo test --lib
/// readme_key_table` rewrites it).
pub fn readme_table() -> String {
    let mut out = String::from(
        "| Key | Range | Distribution? | Unit | Default | Meaning |\n|---|---|---|---|---|---|\n",
    );
    for k in NUMBER_KEYS {
        let dist = match k.role {
            Role::Uncertain(_) => "yes",
            Role::Integer => "no (whole number)",
            Role::Fixed => "no (shapes the plan)",
        };
        out.push_str(&format!(
            "| `{}` | {} | {dist} | {} | {} | {} |\n",
            k.path,
            k.domain.describe(),
            k.unit,
            k.default,
            k.doc
        ));
    }
    out
}

/// The line before the generated key table in `scenarios/README.md`.
pub const README_START: &str =
    "<!-- number-keys: generated from src/scenario/keys.rs NUMBER_KEYS -->";
/// The line after it.
pub const README_END: &str = "<!-- /number-keys -->";

use Domain::*;
use Role::*;

/// Every numeric key of a scenario file: the one table of them (issue 12). Validation
/// ([`Domain`], [`Role`]), sampling (the [`Slot`] an uncertain key sets) and the key table
/// of `scenarios/README.md` ([`readme_table`]) come from these rows. Sources of the
/// defaults: `perf::assumptions`, `cost`, `catalog/stacks.toml`.
pub const NUMBER_KEYS: &[NumberKey] = &[
    key(
        "train_tokens",
        Positive,
        Uncertain(Slot::TrainTokens),
        "tokens",
        "—",
        "Training tokens of the run.",
    ),
    key(
        "year",
        Positive,
        Integer,
        "year",
        "2026",
        "Picks the typical software stack `typical-<year>` when `stack` is absent (2021–2026).",
    ),
    key(
        "model_error",
        Positive,
        Uncertain(Slot::ModelError),
        "×",
        "lognormal(1, the stack's `error.log_sd`)",
        "Wall-time multiplier for what the model misses; 1 switches it off.",
    ),
    key(
        "global_batch_tokens",
        Positive,
        Fixed,
        "tokens",
        "4 Mi, or one sequence per 4 GPUs on large fleets",
        "Global batch, rounded to whole sequences.",
    ),
    key(
        "seq_len",
        Positive,
        Integer,
        "tokens",
        "the model's",
        "Sequence length.",
    ),
    key(
        "fleet.count",
        Positive,
        Integer,
        "GPUs",
        "—",
        "GPUs of the one-pool fleet (or `budget_usd`).",
    ),
    key(
        "fleet.budget_usd",
        Positive,
        Fixed,
        "USD",
        "none",
        "Hardware budget: the pool holds the GPUs it buys at nominal capex.",
    ),
    key(
        "fleet.gpus_per_node",
        Positive,
        Integer,
        "GPUs",
        "the catalog's",
        "GPUs per node (the NVLink domain), for every pool.",
    ),
    key(
        "fleet.net_gbps_per_gpu",
        Positive,
        Fixed,
        "Gbit/s",
        "the catalog's",
        "Scale-out bandwidth per GPU, for every pool.",
    ),
    key(
        "policy.tpp_min",
        Positive,
        Fixed,
        "TPP",
        "none",
        "Custom rule: controlled at or above this total processing performance.",
    ),
    key(
        "policy.pd_min",
        Positive,
        Fixed,
        "TPP/mm²",
        "none",
        "Custom rule: controlled at or above this performance density.",
    ),
    key(
        "policy.interconnect_min_gb_per_s",
        Positive,
        Fixed,
        "GB/s",
        "none",
        "Custom rule: controlled at or above this bidirectional I/O bandwidth.",
    ),
    key(
        "policy.memory_bw_min_tb_per_s",
        Positive,
        Fixed,
        "TB/s",
        "none",
        "Custom rule: controlled at or above this memory bandwidth.",
    ),
    key(
        "policy.dram_plus_io_min_gb_per_s",
        Positive,
        Fixed,
        "GB/s",
        "none",
        "Custom rule: controlled at or above this DRAM + I/O bandwidth.",
    ),
    key(
        "policy.run_gpus",
        Positive,
        Integer,
        "GPUs",
        "the pool's `count`",
        "A one-pool fleet's run size.",
    ),
    key(
        "cost.usd_per_gpu_hour",
        Positive,
        Uncertain(Slot::UsdPerGpuHour),
        "USD/GPU-hour",
        "the catalog's",
        "Rental price.",
    ),
    key(
        "cost.purchase_usd",
        Positive,
        Uncertain(Slot::PurchaseUsd),
        "USD",
        "the catalog's",
        "Purchase price per GPU.",
    ),
    key(
        "cost.channel_premium",
        AboveMinusOne,
        Uncertain(Slot::ChannelPremium),
        "fraction",
        "0",
        "Price premium of the acquisition channel (0.5 = +50%).",
    ),
    key(
        "cost.server_overhead",
        Positive,
        Uncertain(Slot::ServerOverhead),
        "×",
        "1.64",
        "Server cost ÷ single-unit GPU price (Epoch AI), on single-unit prices only.",
    ),
    key(
        "cost.interconnect_fraction",
        ShareBelowOne,
        Uncertain(Slot::InterconnectFraction),
        "fraction",
        "0.19",
        "Cluster interconnect share of the hardware cost (Epoch AI).",
    ),
    key(
        "cost.amortization_years",
        Positive,
        Uncertain(Slot::AmortizationYears),
        "years",
        "4",
        "Amortisation life of owned hardware.",
    ),
    key(
        "efficiency.matmul",
        Fraction,
        Uncertain(Slot::Matmul),
        "fraction",
        "per chip and stack",
        "Large-GEMM throughput ÷ the dense peak of the training precision.",
    ),
    key(
        "efficiency.matmul_scale",
        Positive,
        Uncertain(Slot::MatmulScale),
        "×",
        "1",
        "Multiplier on `matmul` (or the chip's default), for sweeps over chips.",
    ),
    key(
        "efficiency.attention",
        Fraction,
        Uncertain(Slot::Attention),
        "fraction",
        "per chip and stack",
        "Flash-attention throughput ÷ the dense BF16 peak.",
    ),
    key(
        "efficiency.memory",
        Fraction,
        Uncertain(Slot::Memory),
        "fraction",
        "per chip and stack",
        "Achieved fraction of HBM bandwidth in memory-bound kernels.",
    ),
    key(
        "efficiency.nvlink",
        Fraction,
        Uncertain(Slot::Nvlink),
        "fraction",
        "per chip and stack",
        "Ring collective bus bandwidth ÷ one-direction NVLink.",
    ),
    key(
        "efficiency.scaleout",
        Fraction,
        Uncertain(Slot::Scaleout),
        "fraction",
        "per chip and stack",
        "Achieved fraction of the scale-out NIC line rate.",
    ),
    key(
        "efficiency.a2a_intra",
        Fraction,
        Uncertain(Slot::A2aIntra),
        "fraction",
        "per chip and stack",
        "MoE all-to-all inside a node ÷ one-direction NVLink.",
    ),
    key(
        "efficiency.a2a_inter",
        Fraction,
        Uncertain(Slot::A2aInter),
        "fraction",
        "per chip and stack",
        "MoE all-to-all across nodes ÷ the NIC line rate.",
    ),
    key(
        "efficiency.alpha_intra_s",
        NonNegative,
        Uncertain(Slot::AlphaIntraS),
        "s",
        "per chip and stack",
        "Per-step latency of a ring collective inside a node.",
    ),
    key(
        "efficiency.alpha_inter_s",
        NonNegative,
        Uncertain(Slot::AlphaInterS),
        "s",
        "per chip and stack",
        "Per-step latency of a ring collective across nodes.",
    ),
    key(
        "efficiency.tp_overlap",
        Share,
        Uncertain(Slot::TpOverlap),
        "fraction",
        "per stack",
        "Tensor-parallel communication hidden behind compute.",
    ),
    key(
        "efficiency.dp_overlap",
        Share,
        Uncertain(Slot::DpOverlap),
        "fraction",
        "per stack",
        "Data-parallel communication hidden behind backward compute.",
    ),
    key(
        "efficiency.ep_overlap",
        Share,
        Uncertain(Slot::EpOverlap),
        "fraction",
        "per stack",
        "Expert-parallel all-to-all hidden behind compute.",
    ),
    key(
        "efficiency.pp_overlap",
        Share,
        Uncertain(Slot::PpOverlap),
        "fraction",
        "per stack",
        "Pipeline point-to-point transfers hidden behind compute.",
    ),
    key(
        "efficiency.cp_overlap",
        Share,
        Uncertain(Slot::CpOverlap),
        "fraction",
        "per stack",
        "Context-parallel K/V exchange hidden behind attention.",
    ),
    key(
        "efficiency.comm_sm_fraction",
        ShareBelowOne,
        Uncertain(Slot::CommSmFraction),
        "fraction",
        "per stack",
        "SMs that overlapped all-to-all kernels take from compute.",
    ),
    key(
        "efficiency.moe_imbalance",
        AtLeastOne,
        Uncertain(Slot::MoeImbalance),
        "×",
        "per stack",
        "Routed tokens of the busiest expert-parallel GPU ÷ the mean.",
    ),
    key(
        "efficiency.layer_overhead_s",
        NonNegative,
        Uncertain(Slot::LayerOverheadS),
        "s",
        "per chip and stack",
        "Fixed cost per layer per micro-batch pass (launches, small kernels).",
    ),
    key(
        "efficiency.mfu",
        Fraction,
        Uncertain(Slot::Mfu),
        "fraction",
        "none (the time model)",
        "Override: the end-to-end MFU; replaces the time model and the stack.",
    ),
    key(
        "reliability.interruptions_per_gpu_hour",
        NonNegative,
        Uncertain(Slot::InterruptionsPerGpuHour),
        "1/GPU-hour",
        "1.973e-5 (Llama 3 405B)",
        "Unexpected job-stopping interruptions per GPU-hour.",
    ),
    key(
        "reliability.checkpoint_bytes_per_param",
        Positive,
        Uncertain(Slot::CheckpointBytesPerParam),
        "bytes",
        "14",
        "Checkpoint size per parameter (BF16 weights + FP32 Adam).",
    ),
    key(
        "reliability.storage_bytes_per_s_per_gpu",
        Positive,
        Uncertain(Slot::StorageBytesPerSPerGpu),
        "bytes/s",
        "122e6 (Llama 3)",
        "Checkpoint write bandwidth per GPU.",
    ),
    key(
        "reliability.restart_s",
        NonNegative,
        Uncertain(Slot::RestartS),
        "s",
        "600",
        "Time to detect a failure, reschedule and reload.",
    ),
    key(
        "energy.gpu_power_fraction",
        Fraction,
        Uncertain(Slot::GpuPowerFraction),
        "fraction",
        "0.80",
        "Average GPU draw ÷ TDP.",
    ),
    key(
        "energy.host_power_fraction",
        NonNegative,
        Uncertain(Slot::HostPowerFraction),
        "fraction",
        "0.50",
        "Host, network and storage power ÷ GPU TDP.",
    ),
    key(
        "energy.pue",
        AtLeastOne,
        Uncertain(Slot::Pue),
        "×",
        "1.25",
        "Power usage effectiveness of the facility.",
    ),
    key(
        "energy.usd_per_kwh",
        NonNegative,
        Uncertain(Slot::UsdPerKwh),
        "USD/kWh",
        "0.080",
        "Electricity price.",
    ),
    key(
        "plan.tp",
        Positive,
        Integer,
        "GPUs",
        "searched",
        "Fixed tensor-parallel size.",
    ),
    key(
        "plan.pp",
        Positive,
        Integer,
        "stages",
        "searched",
        "Fixed pipeline stages.",
    ),
    key(
        "plan.dp",
        Positive,
        Integer,
        "replicas",
        "searched",
        "Fixed data-parallel replicas.",
    ),
    key(
        "plan.ep",
        Positive,
        Integer,
        "GPUs",
        "searched",
        "Fixed expert-parallel size (MoE models only).",
    ),
    key(
        "plan.cp",
        Positive,
        Integer,
        "GPUs",
        "searched",
        "Fixed context-parallel size.",
    ),
    key(
        "plan.micro_batch",
        Positive,
        Integer,
        "sequences",
        "searched",
        "Fixed sequences per micro-batch.",
    ),
    key(
        "plan.zero_stage",
        NonNegative,
        Integer,
        "stage",
        "searched",
        "Fixed ZeRO stage (0–3).",
    ),
    key(
        "plan.interleave",
        Positive,
        Integer,
        "virtual stages",
        "searched",
        "Fixed virtual pipeline stages per GPU.",
    ),
    key(
        "uncertainty.trials",
        Positive,
        Integer,
        "trials",
        "1000 (1 without distributions)",
        "Monte Carlo trials per point (`--trials` overrides).",
    ),
    key(
        "uncertainty.seed",
        NonNegative,
        Integer,
        "—",
        "42",
        "Random seed (`--seed` overrides).",
    ),
    key(
        "uncertainty.top_k",
        Positive,
        Integer,
        "plans",
        "4",
        "Plans kept from the nominal search for the trials.",
    ),
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

    /// `scenarios/README.md`'s key table is [`readme_table`]: a key added to the table and
    /// not to the README (or the reverse) fails here. Regenerate with
    /// `UPDATE_README=1 cargo test --lib readme_key_table`.
    #[test]
    fn readme_key_table_matches_the_registry() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/README.md");
        let text = std::fs::read_to_string(path).unwrap();
        let (Some(a), Some(b)) = (text.find(README_START), text.find(README_END)) else {
            panic!("scenarios/README.md lacks the lines {README_START} and {README_END}");
        };
        let written = &text[a + README_START.len()..b];
        let want = format!("\n{}", readme_table());
        if written != want && std::env::var_os("UPDATE_README").is_some() {
            let new = format!("{}{}{}", &text[..a + README_START.len()], want, &text[b..]);
            std::fs::write(path, new).unwrap();
            return;
        }
        assert_eq!(
            written, want,
            "scenarios/README.md's key table differs from NUMBER_KEYS; regenerate it with \
             `UPDATE_README=1 cargo test --lib readme_key_table`"
        );
    }

    /// The reverse: every numeric field of a raw table has a row, so a key cannot be
    /// parsed and then ignored.
    #[test]
    fn every_numeric_field_has_a_row() {
        use crate::scenario::raw::{
            RawCost, RawEfficiency, RawEnergy, RawPlan, RawPolicy, RawReliability, RawUncertainty,
        };
        let tables: [(&str, &[&str]); 7] = [
            ("policy", RawPolicy::FIELDS),
            ("cost", RawCost::FIELDS),
            ("efficiency", RawEfficiency::FIELDS),
            ("reliability", RawReliability::FIELDS),
            ("energy", RawEnergy::FIELDS),
            ("plan", RawPlan::FIELDS),
            ("uncertainty", RawUncertainty::FIELDS),
        ];
        let mut numeric = 0;
        for (table, fields) in tables {
            for f in fields {
                let Ok(raw) = toml::from_str::<RawScenario>(&format!("[{table}]\n{f} = 3\n"))
                else {
                    continue; // not a number field (a name, a flag, a table)
                };
                let path = format!("{table}.{f}");
                if raw.number(&path).is_some() {
                    numeric += 1;
                    assert!(
                        number_key(&path).is_some(),
                        "{path} has no row in NUMBER_KEYS"
                    );
                }
            }
        }
        assert_eq!(
            numeric, 50,
            "numeric fields of the seven tables (6 + 6 + 19 + 4 + 4 + 8 + 3)"
        );
    }

    #[test]
    fn paths_are_unique() {
        let mut paths: Vec<_> = NUMBER_KEYS.iter().map(|k| k.path).collect();
        paths.sort_unstable();
        paths.dedup();
        assert_eq!(paths.len(), NUMBER_KEYS.len());
    }
}
