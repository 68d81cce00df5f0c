//! `GpuSpec`: one accelerator of the hardware catalog, in datasheet units, and the
//! conversions to SI units the engine uses.
//!
//! Figures keep the units in their key names (`hbm_tb_per_s`, `intra_node_gb_per_s`); the
//! engine only ever calls the `*_bytes*`/`*_flops*` methods, which convert once. A figure
//! that is not published is `None` and shows as "n/p" in tables and `null` in JSON.

use serde::{Deserialize, Serialize};

use crate::error::InputError;

/// Numeric precision of the training GEMMs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// BF16 (or FP16) mixed precision.
    #[default]
    Bf16,
    /// FP8 GEMMs (DeepSeek-V3 style), BF16 elsewhere.
    Fp8,
}

impl Precision {
    /// Parse `bf16`, `fp16` or `fp8`.
    pub fn parse(s: &str) -> Result<Self, InputError> {
        match s.to_ascii_lowercase().as_str() {
            "bf16" | "fp16" => Ok(Precision::Bf16),
            "fp8" => Ok(Precision::Fp8),
            other => Err(InputError::new(format!("unknown precision `{other}`"))
                .with_hint("use `bf16` or `fp8`")),
        }
    }
    /// Lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Precision::Bf16 => "bf16",
            Precision::Fp8 => "fp8",
        }
    }
}

/// One accelerator. See `src/catalog/gpus.toml` for the meaning and source of each key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GpuSpec {
    /// Catalog id (the table name); filled in by the loader.
    #[serde(default, skip_deserializing)]
    pub id: String,
    /// Marketing name.
    pub name: String,
    /// Vendor.
    pub vendor: String,
    /// Short names that also resolve to this entry.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// Year of release.
    pub release_year: Option<u32>,
    /// Designed or marketed for data centres (export rules' Note 2 exempts other parts below TPP 4800).
    #[serde(default = "yes")]
    pub datacenter: bool,
    /// Dense BF16/FP16 tensor peak, TFLOP/s.
    pub bf16_dense_tflops: f64,
    /// Dense FP8 tensor peak, TFLOP/s (absent: no FP8 support).
    pub fp8_dense_tflops: Option<f64>,
    /// Dense INT8 tensor peak, TOPS.
    pub int8_dense_tops: Option<f64>,
    /// HBM (or GDDR) capacity, GiB.
    pub hbm_gib: f64,
    /// Memory technology.
    pub memory_type: Option<String>,
    /// Memory bandwidth, TB/s (decimal).
    pub hbm_tb_per_s: f64,
    /// Scale-up link name.
    pub intra_node_link: Option<String>,
    /// Scale-up bandwidth per GPU, GB/s (absent: not published).
    pub intra_node_gb_per_s: Option<f64>,
    /// Whether `intra_node_gb_per_s` is the bidirectional total (unidirectional = half).
    #[serde(default = "yes")]
    pub intra_node_bidirectional: bool,
    /// Host PCIe bandwidth, bidirectional GB/s.
    pub pcie_gb_per_s: Option<f64>,
    /// GPUs per server (the scale-up domain).
    pub gpus_per_node: u32,
    /// Scale-out NIC line rate per GPU, Gbit/s.
    pub scale_out_gbit_per_s: Option<f64>,
    /// Thermal design power, W.
    pub tdp_w: Option<f64>,
    /// Logic die area, mm²: every logic die built on a non-planar (FinFET/GAA) process, as
    /// the "applicable die area" of 88 FR 73458 counts it.
    pub die_area_mm2: Option<f64>,
    /// Logic dies in the package (default 1). When the die area is not published, each die
    /// is at most the lithographic reticle ([`RETICLE_LIMIT_MM2`]), which bounds PD from below.
    pub logic_dies: Option<u32>,
    /// Aggregate bidirectional I/O over all inputs and outputs, GB/s, where it differs from
    /// the scale-up link plus host PCIe (Gaudi: all 24 on-die Ethernet ports, of which only
    /// 21 serve scale-up in an 8-card server).
    pub io_total_gb_per_s: Option<f64>,
    /// GPUs that share the scale-up link (default: `gpus_per_node`). PCIe cards bridged in
    /// pairs have 2: beyond the pair, GPUs of a server talk over host PCIe.
    pub scale_up_domain_gpus: Option<u32>,
    /// How the chip reaches buyers, for review policies that depend on it (91 FR 1684).
    pub us_market: Option<UsMarket>,
    /// Purchase price per GPU, USD.
    pub purchase_usd: Option<f64>,
    /// Year of the purchase price.
    pub purchase_year: Option<u32>,
    /// Where the purchase price comes from.
    pub purchase_price_note: Option<String>,
    /// The purchase price is a per-GPU share of a server (no server overhead to add).
    #[serde(default)]
    pub purchase_is_server_level: bool,
    /// Rental price, USD per GPU-hour.
    pub rental_usd_per_gpu_hour: Option<f64>,
    /// Year of the rental price.
    pub rental_year: Option<u32>,
    /// Where the rental price comes from.
    pub rental_price_note: Option<String>,
    /// Citation(s) for the entry.
    pub source: String,
    /// Free-form caveats.
    pub notes: Option<String>,
}

/// How a chip is sold, as 91 FR 1684 (Jan 2026) asks: case-by-case review covers only
/// chips "commercially available in the United States" when the rule was published.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum UsMarket {
    /// Sold in the United States (A100, H100, H200, MI300X, Gaudi, RTX 4090, ...).
    Commercial,
    /// Made for the China market only (A800, H800, H20, L20, L2, RTX 4090D).
    ChinaOnly,
    /// Not a US export at all (Huawei Ascend: made and sold in China).
    NotExported,
    /// Not sold as chips: rented as a cloud service only (Google TPU).
    CloudOnly,
}

impl UsMarket {
    /// The name used in files and output.
    pub fn as_str(self) -> &'static str {
        match self {
            UsMarket::Commercial => "commercial",
            UsMarket::ChinaOnly => "china-only",
            UsMarket::NotExported => "not-exported",
            UsMarket::CloudOnly => "cloud-only",
        }
    }
}

/// The lithographic reticle limit, mm² (26 mm × 33 mm = 858 mm²): no single die is larger,
/// so a package of n logic dies has at most n × 858 mm² and PD ≥ TPP / (n × 858).
pub const RETICLE_LIMIT_MM2: f64 = 858.0;

fn yes() -> bool {
    true
}

/// Scale-out bandwidth assumed when the catalog has none, Gbit/s per GPU: 100 Gb/s, the
/// V100-era DGX figure, deliberately low so that a missing figure never flatters a chip.
pub const FALLBACK_SCALE_OUT_GBIT_PER_S: f64 = 100.0;

impl GpuSpec {
    /// Dense tensor peak at `precision`, FLOP/s. FP8 falls back to BF16 on chips without FP8.
    pub fn peak_flops(&self, precision: Precision) -> f64 {
        match precision {
            Precision::Bf16 => self.bf16_dense_tflops * 1e12,
            Precision::Fp8 => self.fp8_dense_tflops.unwrap_or(self.bf16_dense_tflops) * 1e12,
        }
    }
    /// Memory capacity, bytes.
    pub fn hbm_bytes(&self) -> f64 {
        self.hbm_gib * GIB
    }
    /// Memory bandwidth, bytes/s.
    pub fn hbm_bytes_per_s(&self) -> f64 {
        self.hbm_tb_per_s * 1e12
    }
    /// Scale-up bandwidth per GPU in one direction, bytes/s. When not published, the
    /// scale-out bandwidth (a missing figure never flatters a chip).
    pub fn intra_node_uni_bytes_per_s(&self) -> f64 {
        match self.intra_node_gb_per_s {
            Some(gb) if self.intra_node_bidirectional => gb / 2.0 * 1e9,
            Some(gb) => gb * 1e9,
            None => self.scale_out_bytes_per_s(),
        }
    }
    /// GPUs that share the scale-up link: `scale_up_domain_gpus`, else the server size.
    /// Beyond it, traffic goes over host PCIe and the NIC (the engine uses the NIC figure).
    pub fn scale_up_domain(&self) -> u32 {
        self.scale_up_domain_gpus
            .unwrap_or(self.gpus_per_node)
            .min(self.gpus_per_node)
    }
    /// Scale-out bandwidth per GPU in one direction, bytes/s.
    pub fn scale_out_bytes_per_s(&self) -> f64 {
        self.scale_out_gbit_per_s
            .unwrap_or(FALLBACK_SCALE_OUT_GBIT_PER_S)
            * 1e9
            / 8.0
    }
    /// Every positive-only figure with its key, for validation.
    pub fn physical_figures(&self) -> Vec<(&'static str, Option<f64>)> {
        vec![
            ("bf16_dense_tflops", Some(self.bf16_dense_tflops)),
            ("fp8_dense_tflops", self.fp8_dense_tflops),
            ("int8_dense_tops", self.int8_dense_tops),
            ("hbm_gib", Some(self.hbm_gib)),
            ("hbm_tb_per_s", Some(self.hbm_tb_per_s)),
            ("intra_node_gb_per_s", self.intra_node_gb_per_s),
            ("pcie_gb_per_s", self.pcie_gb_per_s),
            ("gpus_per_node", Some(f64::from(self.gpus_per_node))),
            ("scale_out_gbit_per_s", self.scale_out_gbit_per_s),
            ("tdp_w", self.tdp_w),
            ("die_area_mm2", self.die_area_mm2),
            ("logic_dies", self.logic_dies.map(f64::from)),
            ("io_total_gb_per_s", self.io_total_gb_per_s),
            (
                "scale_up_domain_gpus",
                self.scale_up_domain_gpus.map(f64::from),
            ),
            ("purchase_usd", self.purchase_usd),
            ("rental_usd_per_gpu_hour", self.rental_usd_per_gpu_hour),
        ]
    }
}

/// Bytes in a GiB.
pub const GIB: f64 = 1024.0 * 1024.0 * 1024.0;

/// Framework reserve per GPU of `hbm_bytes`, bytes: 2 GiB (CUDA context ≈ 0.5–1 GiB, NCCL
/// buffers ≈ 1 GiB) plus 5% of capacity for allocator fragmentation. An assumption, not a
/// measurement; a fact of the hardware and its runtime, so it lives with the GPU data and
/// `workload::memory` receives it.
pub fn framework_reserve_bytes(hbm_bytes: f64) -> f64 {
    2.0 * GIB + 0.05 * hbm_bytes
}
