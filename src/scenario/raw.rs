//! `RawScenario`: a scenario file exactly as written, checked only for shape (serde,
//! unknown keys refused everywhere). Nothing here knows the catalogs or physical ranges;
//! [`super::resolve`] turns one of these into a [`super::Point`].
//!
//! Every number is a [`Num`]: an integer, a float or a distribution table
//! (`{ dist = "pert", min = .., mode = .., max = .. }`, see [`super::dist`]). Keys that may be
//! set only in `[sweep]` (a model or a GPU swept over) are optional here; resolution says
//! when one is missing.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::catalog::ModelSpec;
use crate::dist::{Dist, DIST_NAMES};

/// A number as written: whole, fractional, or a distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Num {
    /// A TOML integer.
    Int(i64),
    /// A TOML float.
    Float(f64),
    /// A distribution table.
    Dist(Dist),
}

impl Num {
    /// The value as a float, unless it is a distribution.
    pub fn as_f64(&self) -> Option<f64> {
        match *self {
            Num::Int(i) => Some(i as f64),
            Num::Float(x) => Some(x),
            Num::Dist(_) => None,
        }
    }
}

const DIST_FIELDS: &[&str] = &[
    "dist", "min", "mode", "max", "mean", "sd", "median", "sigma",
];

impl<'de> Deserialize<'de> for Num {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Num;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number, or a distribution such as { dist = \"pert\", min = 0.5, mode = 0.65, max = 0.78 }")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Num, E> {
                Ok(Num::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Num, E> {
                i64::try_from(v)
                    .map(Num::Int)
                    .map_err(|_| E::custom(format!("{v} is too large")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Num, E> {
                Ok(Num::Float(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Num, A::Error> {
                let mut kind: Option<String> = None;
                let mut params: BTreeMap<&'static str, f64> = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if key == "dist" {
                        kind = Some(map.next_value()?);
                        continue;
                    }
                    let Some(field) = DIST_FIELDS.iter().find(|f| **f == key) else {
                        return Err(de::Error::unknown_field(&key, DIST_FIELDS));
                    };
                    let v: PlainNumber = map.next_value()?;
                    params.insert(field, v.0);
                }
                let Some(kind) = kind else {
                    return Err(de::Error::custom(
                        "a distribution table needs `dist` (one of triangular, pert, uniform, normal, lognormal)",
                    ));
                };
                let wanted: &[&str] = match kind.as_str() {
                    "triangular" | "pert" => &["min", "mode", "max"],
                    "uniform" => &["min", "max"],
                    "normal" => &["mean", "sd"],
                    "lognormal" => &["median", "sigma"],
                    _ => return Err(de::Error::unknown_variant(&kind, DIST_NAMES)),
                };
                if let Some(extra) = params.keys().find(|k| !wanted.contains(k)) {
                    return Err(de::Error::custom(format!(
                        "`{extra}` is not a parameter of a {kind} distribution (it takes {})",
                        wanted.join(", ")
                    )));
                }
                if wanted.iter().any(|k| !params.contains_key(k)) {
                    return Err(de::Error::custom(format!(
                        "a {kind} distribution needs {}",
                        wanted
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                }
                let p = |k: &str| params[k];
                Ok(Num::Dist(match kind.as_str() {
                    "triangular" => Dist::Triangular {
                        min: p("min"),
                        mode: p("mode"),
                        max: p("max"),
                    },
                    "pert" => Dist::Pert {
                        min: p("min"),
                        mode: p("mode"),
                        max: p("max"),
                    },
                    "uniform" => Dist::Uniform {
                        min: p("min"),
                        max: p("max"),
                    },
                    "normal" => Dist::Normal {
                        mean: p("mean"),
                        sd: p("sd"),
                    },
                    _ => Dist::LogNormal {
                        median: p("median"),
                        sigma: p("sigma"),
                    },
                }))
            }
        }
        d.deserialize_any(V)
    }
}

/// A plain number (integer or float) as f64: the parameters of a distribution.
struct PlainNumber(f64);

impl<'de> Deserialize<'de> for PlainNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = PlainNumber;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PlainNumber, E> {
                Ok(PlainNumber(v as f64))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PlainNumber, E> {
                Ok(PlainNumber(v as f64))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<PlainNumber, E> {
                Ok(PlainNumber(v))
            }
        }
        d.deserialize_any(V)
    }
}

/// `model = "id"`, `model = "file.toml"`, or an inline `[model]` table (DESIGN.md §3).
#[derive(Debug, Clone, PartialEq)]
pub enum RawModel {
    /// A catalog id, or a path to a model file (ends in `.toml`).
    Id(String),
    /// An inline model in the model-file format.
    Inline(Box<ModelSpec>),
}

impl<'de> Deserialize<'de> for RawModel {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawModel;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a model id such as \"llama3.1-8b\", a model file path, or a [model] table",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawModel, E> {
                Ok(RawModel::Id(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<RawModel, A::Error> {
                ModelSpec::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|m| RawModel::Inline(Box::new(m)))
            }
        }
        d.deserialize_any(V)
    }
}

/// A scenario file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawScenario {
    /// Output folder name (default: the file stem).
    pub name: Option<String>,
    /// The model.
    pub model: Option<RawModel>,
    /// Training tokens.
    pub train_tokens: Option<Num>,
    /// Global batch, tokens.
    pub global_batch_tokens: Option<Num>,
    /// Sequence length.
    pub seq_len: Option<Num>,
    /// `bf16`, `fp16` or `fp8`.
    pub precision: Option<String>,
    /// Software stack id (`trainsim catalog stacks`); default: the typical stack of `year`.
    pub stack: Option<String>,
    /// Year whose typical software stack applies (default: the current year).
    pub year: Option<Num>,
    /// Model-error multiplier on wall time: default a lognormal of median 1 and the stack's
    /// fitted `error.log_sd`; `model_error = 1` switches it off for pure what-ifs.
    pub model_error: Option<Num>,
    /// The fleet.
    pub fleet: Option<RawFleet>,
    /// Export-control policy.
    pub policy: Option<RawPolicy>,
    /// Cost assumptions.
    pub cost: Option<RawCost>,
    /// Efficiency assumptions.
    pub efficiency: Option<RawEfficiency>,
    /// Reliability assumptions.
    pub reliability: Option<RawReliability>,
    /// Energy assumptions.
    pub energy: Option<RawEnergy>,
    /// Fixed parts of the plan.
    pub plan: Option<RawPlan>,
    /// Monte Carlo settings.
    pub uncertainty: Option<RawUncertainty>,
    /// Swept keys: dotted path → values. Kept as TOML values with their positions; see
    /// [`super::sweep`].
    pub sweep: Option<BTreeMap<String, toml::Spanned<toml::Value>>>,
}

/// `[fleet]`: one pool written directly (`gpu`, `count` and any pool key), or several
/// `[[fleet.pools]]`; the cluster overrides apply to every pool.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFleet {
    /// GPU id or alias.
    pub gpu: Option<String>,
    /// GPUs.
    pub count: Option<Num>,
    /// Hardware budget, USD: the pool holds the GPUs it buys (instead of `count`).
    pub budget_usd: Option<Num>,
    /// GPUs per node override.
    pub gpus_per_node: Option<Num>,
    /// Scale-out bandwidth per GPU override, Gbit/s.
    pub net_gbps_per_gpu: Option<Num>,
    /// Several pools (a mixed fleet).
    pub pools: Option<Vec<RawPool>>,
    /// Label of the pool.
    pub name: Option<String>,
    /// How the chips were obtained.
    pub channel: Option<Channel>,
    /// Smuggling premium over the US price.
    pub premium: Option<Num>,
    /// Most chips the channel can deliver.
    pub cap: Option<Num>,
    /// Rental price of the pool, USD per GPU-hour.
    pub usd_per_gpu_hour: Option<Num>,
    /// Purchase price of the pool's chips, USD.
    pub purchase_usd: Option<Num>,
    /// GPUs acquired per month.
    pub rate_per_month: Option<Num>,
    /// First month of acquisition, `YYYY-MM`.
    pub start: Option<String>,
    /// GPUs on hand at `start`.
    pub initial: Option<Num>,
}

impl RawFleet {
    /// The `[fleet]` table's own pool keys as a pool (the single-pool form).
    pub fn as_pool(&self) -> RawPool {
        RawPool {
            gpu: self.gpu.clone(),
            count: self.count,
            budget_usd: self.budget_usd,
            channel: self.channel,
            name: self.name.clone(),
            premium: self.premium,
            cap: self.cap,
            usd_per_gpu_hour: self.usd_per_gpu_hour,
            purchase_usd: self.purchase_usd,
            rate_per_month: self.rate_per_month,
            start: self.start.clone(),
            initial: self.initial,
        }
    }

    /// The pool keys the `[fleet]` table sets itself (besides the cluster overrides).
    pub fn pool_keys(&self) -> Vec<&'static str> {
        let p = self.as_pool();
        [
            ("gpu", p.gpu.is_some()),
            ("count", p.count.is_some()),
            ("budget_usd", p.budget_usd.is_some()),
            ("channel", p.channel.is_some()),
            ("name", p.name.is_some()),
            ("premium", p.premium.is_some()),
            ("cap", p.cap.is_some()),
            ("usd_per_gpu_hour", p.usd_per_gpu_hour.is_some()),
            ("purchase_usd", p.purchase_usd.is_some()),
            ("rate_per_month", p.rate_per_month.is_some()),
            ("start", p.start.is_some()),
            ("initial", p.initial.is_some()),
        ]
        .into_iter()
        .filter_map(|(k, set)| set.then_some(k))
        .collect()
    }
}

/// One `[[fleet.pools]]` entry (or the `[fleet]` table's own pool keys).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPool {
    /// GPU id or alias.
    pub gpu: Option<String>,
    /// GPUs.
    pub count: Option<Num>,
    /// Hardware budget, USD, instead of `count`: the pool holds
    /// `floor(budget_usd / capex per GPU)` GPUs, the capex at nominal values
    /// ([`crate::cost::capex_per_gpu_usd`]).
    pub budget_usd: Option<Num>,
    /// How the chips were obtained (default `purchase`).
    pub channel: Option<Channel>,
    /// Label in outputs (default: the GPU id).
    pub name: Option<String>,
    /// `smuggled`: price premium over the US price (0.5 = +50%); may be a distribution.
    pub premium: Option<Num>,
    /// `smuggled`, `cloud`: most chips the channel delivers; the pool holds min(count, cap).
    pub cap: Option<Num>,
    /// Rental price, USD per GPU-hour (a `cloud` pool always pays it); may be a distribution.
    pub usd_per_gpu_hour: Option<Num>,
    /// Purchase price per GPU, USD; may be a distribution.
    pub purchase_usd: Option<Num>,
    /// Build-up: GPUs acquired per month.
    pub rate_per_month: Option<Num>,
    /// Build-up: first month, `YYYY-MM`.
    pub start: Option<String>,
    /// Build-up: GPUs on hand at `start` (default 0).
    pub initial: Option<Num>,
}

pub use crate::fleet::Channel;

/// What happens to a purchased pool whose chip the rule does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Disallowed {
    /// The point is infeasible, with the rule's reason.
    #[default]
    Refuse,
    /// The pool is left out with a warning; the rest of the fleet runs.
    Drop,
}

/// A raw table whose `Option<Num>` fields are scenario number keys: defines the struct
/// (serde, unknown keys refused) and its `number(key)` lookup from the one field list, so a
/// key added to the table is answered without a second list ([`RawScenario::number`]).
macro_rules! number_table {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $( $(#[$fmeta:meta])* pub $field:ident : $ty:ty, )*
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
        }

        impl $name {
            /// The table's keys, in file order.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// The number written at `key` in this table, if it is a numeric field.
            pub fn number(&self, key: &str) -> Option<&Num> {
                match key {
                    $( stringify!($field) => AsNum::as_num(&self.$field), )*
                    _ => None,
                }
            }
        }
    };
}

/// A raw field seen as a number: `Option<Num>` is one; flags, names and tables are not.
trait AsNum {
    fn as_num(&self) -> Option<&Num>;
}

impl AsNum for Option<Num> {
    fn as_num(&self) -> Option<&Num> {
        self.as_ref()
    }
}

macro_rules! not_a_number {
    ($($t:ty),*) => {
        $(impl AsNum for Option<$t> {
            fn as_num(&self) -> Option<&Num> {
                None
            }
        })*
    };
}

not_a_number!(
    String,
    bool,
    Disallowed,
    RawReference,
    crate::cost::CostBasis
);

/// `[policy] reference`: the unrestricted fleet the restriction ratios compare with.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawReference {
    /// GPU id or alias.
    pub gpu: Option<String>,
    /// GPUs.
    pub count: Option<Num>,
    /// Rental price, USD per GPU-hour (default: the catalog's).
    pub usd_per_gpu_hour: Option<Num>,
    /// Purchase price per GPU, USD (default: the catalog's).
    pub purchase_usd: Option<Num>,
}

number_table! {
    /// `[policy]`: a rule id, or custom thresholds.
    pub struct RawPolicy {
        /// Rule id (`trainsim catalog rules`).
        pub rule: Option<String>,
        /// Custom rule: TPP threshold.
        pub tpp_min: Option<Num>,
        /// Custom rule: performance-density threshold.
        pub pd_min: Option<Num>,
        /// Custom rule: bidirectional interconnect threshold, GB/s.
        pub interconnect_min_gb_per_s: Option<Num>,
        /// Custom rule: memory bandwidth threshold, TB/s.
        pub memory_bw_min_tb_per_s: Option<Num>,
        /// Custom rule: memory plus aggregate I/O bandwidth threshold, GB/s.
        pub dram_plus_io_min_gb_per_s: Option<Num>,
        /// `refuse` (default) or `drop` a purchased pool the rule does not allow.
        pub disallowed: Option<Disallowed>,
        /// The unrestricted fleet of `restriction_time_ratio` and `restriction_cost_ratio`.
        pub reference: Option<RawReference>,
        /// Size of the run for a build-up (single-pool fleets): the pool's count.
        pub run_gpus: Option<Num>,
    }
}

number_table! {
    /// `[cost]`.
    pub struct RawCost {
        /// `rental` or `ownership`.
        pub basis: Option<crate::cost::CostBasis>,
        /// Rental price, USD per GPU-hour.
        pub usd_per_gpu_hour: Option<Num>,
        /// Purchase price per GPU, USD.
        pub purchase_usd: Option<Num>,
        /// Channel price premium (0.5 = +50%).
        pub channel_premium: Option<Num>,
        /// Server cost ÷ single-unit GPU price.
        pub server_overhead: Option<Num>,
        /// Interconnect share of cluster hardware cost.
        pub interconnect_fraction: Option<Num>,
        /// Amortisation life, years.
        pub amortization_years: Option<Num>,
    }
}

number_table! {
    /// `[efficiency]`: every field of [`crate::perf::Efficiency`], plus `matmul_scale`.
    pub struct RawEfficiency {
        /// GEMM efficiency (fraction of the training-precision peak).
        pub matmul: Option<Num>,
        /// Multiplier on `matmul` (or on the chip's default), for sweeps over chips with
        /// different defaults.
        pub matmul_scale: Option<Num>,
        /// Attention efficiency.
        pub attention: Option<Num>,
        /// HBM efficiency.
        pub memory: Option<Num>,
        /// NVLink collective efficiency.
        pub nvlink: Option<Num>,
        /// Scale-out efficiency.
        pub scaleout: Option<Num>,
        /// All-to-all inside a node.
        pub a2a_intra: Option<Num>,
        /// All-to-all across nodes.
        pub a2a_inter: Option<Num>,
        /// Collective latency inside a node, s.
        pub alpha_intra_s: Option<Num>,
        /// Collective latency across nodes, s.
        pub alpha_inter_s: Option<Num>,
        /// TP overlap.
        pub tp_overlap: Option<Num>,
        /// DP overlap.
        pub dp_overlap: Option<Num>,
        /// EP overlap.
        pub ep_overlap: Option<Num>,
        /// PP overlap.
        pub pp_overlap: Option<Num>,
        /// Per-layer overhead, s.
        pub layer_overhead_s: Option<Num>,
        /// CP overlap.
        pub cp_overlap: Option<Num>,
        /// Share of SMs overlapped all-to-all kernels take.
        pub comm_sm_fraction: Option<Num>,
        /// Busiest-GPU routed tokens over the mean.
        pub moe_imbalance: Option<Num>,
        /// Fused attention.
        pub flash_attention: Option<bool>,
        /// Sequence parallelism.
        pub sequence_parallel: Option<bool>,
        /// End-to-end MFU override.
        pub mfu: Option<Num>,
    }
}

number_table! {
    /// `[reliability]`.
    pub struct RawReliability {
        /// Interruptions per GPU-hour.
        pub interruptions_per_gpu_hour: Option<Num>,
        /// Checkpoint bytes per parameter.
        pub checkpoint_bytes_per_param: Option<Num>,
        /// Storage write bandwidth per GPU, bytes/s.
        pub storage_bytes_per_s_per_gpu: Option<Num>,
        /// Restart time, s.
        pub restart_s: Option<Num>,
    }
}

number_table! {
    /// `[energy]`.
    pub struct RawEnergy {
        /// Average GPU draw ÷ TDP.
        pub gpu_power_fraction: Option<Num>,
        /// Host power ÷ GPU TDP.
        pub host_power_fraction: Option<Num>,
        /// Power usage effectiveness.
        pub pue: Option<Num>,
        /// Electricity price, USD/kWh.
        pub usd_per_kwh: Option<Num>,
    }
}

number_table! {
    /// `[plan]`: fixed parts of the parallel plan; the rest is searched.
    pub struct RawPlan {
        /// Tensor parallel.
        pub tp: Option<Num>,
        /// Pipeline parallel.
        pub pp: Option<Num>,
        /// Data parallel.
        pub dp: Option<Num>,
        /// Expert parallel.
        pub ep: Option<Num>,
        /// Context parallel.
        pub cp: Option<Num>,
        /// Micro-batch, sequences.
        pub micro_batch: Option<Num>,
        /// `none`, `selective` or `full`.
        pub recompute: Option<String>,
        /// ZeRO stage 0–3.
        pub zero_stage: Option<Num>,
        /// Virtual pipeline stages.
        pub interleave: Option<Num>,
    }
}

number_table! {
    /// `[uncertainty]`.
    pub struct RawUncertainty {
        /// Trials per sweep point.
        pub trials: Option<Num>,
        /// Random seed.
        pub seed: Option<Num>,
        /// Plans kept from the nominal search.
        pub top_k: Option<Num>,
    }
}

/// The field of `table` named `key`, among the `fields` listed, as an `Option<&Num>`.
macro_rules! field {
    ($table:expr, $key:expr; $($field:ident),+ $(,)?) => {
        match $key {
            $(stringify!($field) => $table.$field.as_ref(),)+
            _ => None,
        }
    };
}

impl RawScenario {
    /// The number at a dotted path (`efficiency.matmul`), if the file sets it. Only the
    /// numeric keys of [`super::keys::NUMBER_KEYS`] are answered.
    pub fn number(&self, path: &str) -> Option<&Num> {
        let (table, key) = path.split_once('.').unwrap_or(("", path));
        match table {
            "" => field!(self, key; train_tokens, global_batch_tokens, seq_len, year, model_error),
            "fleet" => field!(
                self.fleet.as_ref()?, key;
                count, budget_usd, gpus_per_node, net_gbps_per_gpu
            ),
            "policy" => self.policy.as_ref()?.number(key),
            "cost" => self.cost.as_ref()?.number(key),
            "efficiency" => self.efficiency.as_ref()?.number(key),
            "reliability" => self.reliability.as_ref()?.number(key),
            "energy" => self.energy.as_ref()?.number(key),
            "plan" => self.plan.as_ref()?.number(key),
            "uncertainty" => self.uncertainty.as_ref()?.number(key),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_distributions_parse() {
        let r: RawScenario = toml::from_str(
            "train_tokens = 1e12\n[efficiency]\nmatmul = { dist = \"pert\", min = 0.5, mode = 0.65, max = 0.78 }\nattention = 1\n",
        )
        .unwrap();
        assert_eq!(r.train_tokens, Some(Num::Float(1e12)));
        assert_eq!(r.number("efficiency.attention"), Some(&Num::Int(1)));
        assert_eq!(
            r.number("efficiency.matmul"),
            Some(&Num::Dist(Dist::Pert {
                min: 0.5,
                mode: 0.65,
                max: 0.78
            }))
        );
    }

    #[test]
    fn distribution_tables_are_checked_for_shape() {
        for (src, needle) in [
            (
                "train_tokens = { dist = \"tri\", min = 1, mode = 2, max = 3 }",
                "unknown variant `tri`",
            ),
            (
                "train_tokens = { dist = \"normal\", mean = 1 }",
                "a normal distribution needs `mean`, `sd`",
            ),
            (
                "train_tokens = { dist = \"normal\", mean = 1, sd = 1, max = 2 }",
                "`max` is not a parameter of a normal",
            ),
            ("train_tokens = { min = 1, max = 2 }", "needs `dist`"),
            (
                "train_tokens = { dist = \"uniform\", min = 1, max = 2, foo = 3 }",
                "unknown field `foo`",
            ),
            ("train_tokens = \"many\"", "invalid type: string"),
        ] {
            let e = toml::from_str::<RawScenario>(src).unwrap_err();
            assert!(e.message().contains(needle), "{src}: {}", e.message());
        }
    }

    #[test]
    fn models_are_ids_or_inline_tables() {
        let r: RawScenario = toml::from_str("model = \"llama3.1-8b\"").unwrap();
        assert_eq!(r.model, Some(RawModel::Id("llama3.1-8b".into())));
        let r: RawScenario = toml::from_str(
            "[model]\nname = \"tiny\"\nlayers = 2\nd_model = 64\nheads = 4\nvocab = 100\nseq_len = 128\n",
        )
        .unwrap();
        assert!(matches!(r.model, Some(RawModel::Inline(m)) if m.layers == 2));
        let e =
            toml::from_str::<RawScenario>("[model]\nname = \"tiny\"\nlayerz = 2\n").unwrap_err();
        assert!(
            e.message().contains("unknown field `layerz`"),
            "{}",
            e.message()
        );
    }
}
