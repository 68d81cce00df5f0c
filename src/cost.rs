//! Energy, facility power and money for a run, from its wall time and GPU count.
//!
//! Energy: each GPU draws `TDP × gpu_power_fraction`, its server and network share add
//! `TDP × host_power_fraction`, and the facility multiplies by PUE (Epoch AI's method,
//! `reference/assumptions.md` §4). Cost: rental is `$/GPU-hour × GPU-hours`; ownership
//! amortises the hardware (purchase price × (1 + channel premium), × server overhead for
//! single-unit prices, ÷ (1 − interconnect share)) straight-line over its life, plus
//! electricity (Cottier et al., arXiv:2405.21015). The up-front capex of the fleet is
//! reported under either basis.
//!
//! The cost and energy assumptions ([`CostAssumptions`], [`EnergyAssumptions`],
//! [`CostBasis`]) live here, next to the formulas that read them; `perf` re-exports them
//! for older paths (`cost` imports nothing of `perf`).

use serde::{Deserialize, Serialize};

use crate::catalog::GpuSpec;

/// Energy assumptions (`reference/assumptions.md` §4).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnergyAssumptions {
    /// Average GPU draw over a run as a fraction of TDP (§4a PERT mode 0.80).
    pub gpu_power_fraction: f64,
    /// Host, network and storage power as a fraction of GPU TDP (§4b mode 0.50, measured H100 node).
    pub host_power_fraction: f64,
    /// Power usage effectiveness (§4b Epoch default for non-hyperscalers 1.25).
    pub pue: f64,
    /// Electricity price, USD per kWh (§4d US industrial 2023–25 mode 0.080).
    pub usd_per_kwh: f64,
}

impl Default for EnergyAssumptions {
    fn default() -> Self {
        EnergyAssumptions {
            gpu_power_fraction: 0.80,
            host_power_fraction: 0.50,
            pue: 1.25,
            usd_per_kwh: 0.080,
        }
    }
}

/// How compute is paid for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CostBasis {
    /// Rented by the GPU-hour.
    #[default]
    Rental,
    /// Bought, amortised over its life, plus electricity.
    Ownership,
}

/// Cost assumptions (`reference/assumptions.md` §5; Epoch AI, Cottier et al. arXiv:2405.21015).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CostAssumptions {
    /// Rental or ownership.
    pub basis: CostBasis,
    /// Rental price, USD per GPU-hour (default: the catalog's).
    pub usd_per_gpu_hour: Option<f64>,
    /// Purchase price per GPU, USD (default: the catalog's).
    pub purchase_usd: Option<f64>,
    /// Price premium of the acquisition channel (0.5 = +50%).
    pub channel_premium: f64,
    /// Server cost ÷ single-unit GPU price (Epoch: 1.64 average, A100 1.66), applied to
    /// single-unit prices only.
    pub server_overhead: f64,
    /// Cluster interconnect share of total cluster hardware cost (Epoch: 0.19).
    pub interconnect_fraction: f64,
    /// Amortisation life, years (§5 mode 4).
    pub amortization_years: f64,
}

impl Default for CostAssumptions {
    fn default() -> Self {
        CostAssumptions {
            basis: CostBasis::Rental,
            usd_per_gpu_hour: None,
            purchase_usd: None,
            channel_premium: 0.0,
            server_overhead: 1.64,
            interconnect_fraction: 0.19,
            amortization_years: 4.0,
        }
    }
}

/// Hours in a year (365.25 days).
pub const HOURS_PER_YEAR: f64 = 8766.0;

/// Energy, power and cost of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CostEstimate {
    /// Facility energy, MWh.
    pub energy_mwh: f64,
    /// Average facility power while training, MW.
    pub facility_power_mw: f64,
    /// Cost of the run under the chosen basis, USD.
    pub cost_usd: f64,
    /// Compute part (rental, or amortised hardware), USD.
    pub compute_cost_usd: f64,
    /// Electricity part (ownership only; included in rental prices), USD.
    pub energy_cost_usd: f64,
    /// Up-front hardware cost of the fleet (GPUs, servers, network), USD.
    pub capex_usd: f64,
    /// Rental price used, USD per GPU-hour.
    pub usd_per_gpu_hour: f64,
}

/// Why a cost could not be computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CostGap {
    /// The catalog has no TDP for the GPU.
    NoTdp,
    /// Rental basis without a price.
    NoRentalPrice,
    /// Ownership basis without a purchase price.
    NoPurchasePrice,
}

impl std::fmt::Display for CostGap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CostGap::NoTdp => "the catalog has no TDP for this GPU; energy needs one",
            CostGap::NoRentalPrice => "no rental price for this GPU: give one (--usd-per-gpu-hour, cost.usd_per_gpu_hour) or use the ownership basis",
            CostGap::NoPurchasePrice => "no purchase price for this GPU: give one (cost.purchase_usd) or use the rental basis",
        })
    }
}

/// Up-front hardware cost per GPU: price × (1 + premium) × server overhead (single-unit
/// prices only) ÷ (1 − interconnect share).
pub fn capex_per_gpu_usd(gpu: &GpuSpec, c: &CostAssumptions) -> Option<f64> {
    let price = c.purchase_usd.or(gpu.purchase_usd)?;
    let server = if c.purchase_usd.is_none() && gpu.purchase_is_server_level {
        1.0
    } else {
        c.server_overhead
    };
    Some(price * (1.0 + c.channel_premium) * server / (1.0 - c.interconnect_fraction))
}

/// What a run needs whatever its price: facility energy and power (needs a TDP) and the
/// fleet's up-front capex (needs a purchase price). Each is `None` when its input is
/// missing; none depends on the rental price or the cost basis.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PhysicalEstimate {
    /// Facility energy, MWh.
    pub energy_mwh: Option<f64>,
    /// Average facility power while training, MW.
    pub facility_power_mw: Option<f64>,
    /// Up-front hardware cost of the fleet, USD.
    pub capex_usd: Option<f64>,
}

/// Energy, power and capex of `gpus` allocated GPUs for `wall_h` hours, without a price.
pub fn estimate_physical(
    gpu: &GpuSpec,
    gpus: f64,
    wall_h: f64,
    e: &EnergyAssumptions,
    c: &CostAssumptions,
) -> PhysicalEstimate {
    let power = gpu
        .tdp_w
        .map(|tdp_w| tdp_w * (e.gpu_power_fraction + e.host_power_fraction) * e.pue * gpus / 1e6);
    PhysicalEstimate {
        energy_mwh: power.map(|mw| mw * wall_h),
        facility_power_mw: power,
        capex_usd: capex_per_gpu_usd(gpu, c).map(|x| x * gpus),
    }
}

/// Energy and cost of `gpus` allocated GPUs for `wall_h` hours.
pub fn estimate_cost(
    gpu: &GpuSpec,
    gpus: f64,
    wall_h: f64,
    e: &EnergyAssumptions,
    c: &CostAssumptions,
) -> Result<CostEstimate, CostGap> {
    let tdp_w = gpu.tdp_w.ok_or(CostGap::NoTdp)?;
    let per_gpu_w = tdp_w * (e.gpu_power_fraction + e.host_power_fraction) * e.pue;
    let facility_power_mw = per_gpu_w * gpus / 1e6;
    let energy_mwh = facility_power_mw * wall_h;
    let gpu_hours = gpus * wall_h;
    let capex = capex_per_gpu_usd(gpu, c).map(|x| x * gpus);
    let rental = c.usd_per_gpu_hour.or(gpu.rental_usd_per_gpu_hour);
    let (compute_cost_usd, energy_cost_usd, usd_per_gpu_hour) = match c.basis {
        CostBasis::Rental => {
            let price = rental.ok_or(CostGap::NoRentalPrice)?;
            (price * gpu_hours, 0.0, price)
        }
        CostBasis::Ownership => {
            let capex = capex.ok_or(CostGap::NoPurchasePrice)?;
            let hw = capex / (c.amortization_years * HOURS_PER_YEAR) * wall_h;
            let energy_cost = energy_mwh * 1000.0 * e.usd_per_kwh;
            (hw, energy_cost, (hw + energy_cost) / gpu_hours.max(1e-30))
        }
    };
    Ok(CostEstimate {
        energy_mwh,
        facility_power_mw,
        cost_usd: compute_cost_usd + energy_cost_usd,
        compute_cost_usd,
        energy_cost_usd,
        capex_usd: capex.unwrap_or(f64::NAN),
        usd_per_gpu_hour,
    })
}

/// Where the money of a run goes: the three parts add up to [`CostEstimate::cost_usd`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct CostSplit {
    /// Rental (`$/GPU-hour × GPU-hours`), or under ownership the amortised purchase price of
    /// the GPUs themselves (price × (1 + channel premium)), USD.
    pub compute_usd: f64,
    /// Electricity (ownership only; a rental price includes it), USD.
    pub energy_usd: f64,
    /// Under ownership, what the server overhead and the interconnect share add to the
    /// amortised price (zero for rental), USD.
    pub overheads_usd: f64,
}

impl CostSplit {
    /// The sum of the parts, USD.
    pub fn total_usd(&self) -> f64 {
        self.compute_usd + self.energy_usd + self.overheads_usd
    }
}

/// [`estimate_cost`]'s cost of `gpus` GPUs for `wall_h` hours, split into compute, energy
/// and overheads. Ownership: the GPUs' own share of the amortised hardware is
/// `price × (1 + premium) × gpus ÷ (years × 8,766 h) × wall_h`; the rest of the amortised
/// hardware (server overhead for single-unit prices, the interconnect share) is overheads.
pub fn cost_split(
    gpu: &GpuSpec,
    gpus: f64,
    wall_h: f64,
    e: &EnergyAssumptions,
    c: &CostAssumptions,
) -> Result<CostSplit, CostGap> {
    let est = estimate_cost(gpu, gpus, wall_h, e, c)?;
    Ok(match c.basis {
        CostBasis::Rental => CostSplit {
            compute_usd: est.compute_cost_usd,
            energy_usd: 0.0,
            overheads_usd: 0.0,
        },
        CostBasis::Ownership => {
            let price = c
                .purchase_usd
                .or(gpu.purchase_usd)
                .ok_or(CostGap::NoPurchasePrice)?;
            let chips = price * (1.0 + c.channel_premium) * gpus
                / (c.amortization_years * HOURS_PER_YEAR)
                * wall_h;
            CostSplit {
                compute_usd: chips,
                energy_usd: est.energy_cost_usd,
                overheads_usd: est.compute_cost_usd - chips,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// H100 SXM ownership by hand with the defaults: $33,750 is a server-level price, so
    /// capex = 33,750 / 0.81 = $41,666.67 per GPU; over 4 years that is
    /// 41,666.67 / 35,064 = $1.18830 per GPU-hour. Power per GPU 700 W × (0.80 + 0.50) × 1.25
    /// = 1,137.5 W; electricity at $0.08/kWh adds $0.0910 per GPU-hour.
    #[test]
    fn h100_ownership_by_hand() {
        let c = Catalog::builtin();
        let gpu = c.gpu("h100").unwrap();
        let ca = CostAssumptions {
            basis: CostBasis::Ownership,
            ..Default::default()
        };
        let est = estimate_cost(gpu, 1000.0, 100.0, &EnergyAssumptions::default(), &ca).unwrap();
        assert!((est.capex_usd - 1000.0 * 33_750.0 / 0.81).abs() < 1e-6);
        assert!((est.facility_power_mw - 1.1375).abs() < 1e-12);
        assert!((est.energy_mwh - 113.75).abs() < 1e-9);
        assert!((est.usd_per_gpu_hour - (33_750.0 / 0.81 / 35_064.0 + 1.1375 * 0.08)).abs() < 1e-9);
    }

    /// The split by hand. H100 owned, defaults, 1,000 GPUs for 100 h: the catalog's
    /// $33,750 is a server-level price (no server overhead), so the GPUs' share is
    /// 33,750 × 1,000 / 35,064 h × 100 h = $96,252.57; the interconnect share brings the
    /// hardware to 41,666.67 × 1,000 / 35,064 × 100 = $118,830.33, overheads $22,577.76;
    /// electricity 113.75 MWh × $80/MWh = $9,100. With a single-unit price of $20,000 and
    /// a 50% premium: GPUs 30,000 × 1,000 / 35,064 × 100 = $85,557.84, hardware
    /// 30,000 × 1.64 / 0.81 = $60,740.74 a GPU → $173,228.21, overheads $87,670.38.
    /// Rental at $2.99: all compute, 100,000 GPU-hours × $2.99 = $299,000.
    #[test]
    fn cost_split_by_hand() {
        let c = Catalog::builtin();
        let gpu = c.gpu("h100").unwrap();
        let e = EnergyAssumptions::default();
        let own = CostAssumptions {
            basis: CostBasis::Ownership,
            ..Default::default()
        };
        let s = cost_split(gpu, 1000.0, 100.0, &e, &own).unwrap();
        let close = |a: f64, b: f64| (a - b).abs() < 0.01;
        assert!(close(s.compute_usd, 96_252.57), "{s:?}");
        assert!(close(s.overheads_usd, 22_577.76), "{s:?}");
        assert!(close(s.energy_usd, 9_100.0), "{s:?}");
        let total = estimate_cost(gpu, 1000.0, 100.0, &e, &own)
            .unwrap()
            .cost_usd;
        assert!((s.total_usd() - total).abs() < 1e-6 * total);

        let single = CostAssumptions {
            purchase_usd: Some(20_000.0),
            channel_premium: 0.5,
            ..own
        };
        let s = cost_split(gpu, 1000.0, 100.0, &e, &single).unwrap();
        assert!(close(s.compute_usd, 85_557.84), "{s:?}");
        assert!(close(s.overheads_usd, 87_670.38), "{s:?}");

        let rent = CostAssumptions {
            usd_per_gpu_hour: Some(2.99),
            ..Default::default()
        };
        let s = cost_split(gpu, 1000.0, 100.0, &e, &rent).unwrap();
        assert!(close(s.compute_usd, 299_000.0), "{s:?}");
        assert_eq!((s.energy_usd, s.overheads_usd), (0.0, 0.0));
    }
}
