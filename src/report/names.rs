//! Uncertain inputs in words, for the tornado charts: `energy.usd_per_kwh` is "electricity
//! price (USD/kWh)", `fleet.pools.2.premium` is "premium of the h100-smuggled pool
//! (smuggled)"; and why a cost is missing. Owns only the wording; an input without a
//! wording keeps its dotted path.

/// Why a cost is missing, in words for a chart footnote, with what to pass.
pub fn cost_gap(gap: &crate::cost::CostGap) -> &'static str {
    use crate::cost::CostGap;
    match gap {
        CostGap::NoRentalPrice => "no rental price in the catalog; pass usd_per_gpu_hour",
        CostGap::NoPurchasePrice => "no purchase price in the catalog; pass cost.purchase_usd",
        CostGap::NoTdp => "no TDP in the catalog, so no energy or electricity cost",
    }
}

/// A pool as a tornado names it.
#[derive(Debug, Clone, Copy)]
pub struct PoolName<'a> {
    /// Position in `[[fleet.pools]]` (0 for the `[fleet]` form), as in `fleet.pools.N.key`.
    pub index: usize,
    /// The pool's label (`name`, else the GPU id).
    pub label: &'a str,
    /// Its acquisition channel (`purchase`, `smuggled`, ...).
    pub channel: &'a str,
}

/// Scenario-wide inputs in words, with their units.
const WORDS: [(&str, &str); 15] = [
    ("model_error", "model error (× time, fitted)"),
    (
        "efficiency.matmul_scale",
        "matmul efficiency (× calibrated)",
    ),
    ("cost.usd_per_gpu_hour", "rental price (USD per GPU-hour)"),
    ("cost.purchase_usd", "purchase price (USD per GPU)"),
    ("cost.channel_premium", "channel price premium (fraction)"),
    ("cost.amortization_years", "amortisation period (years)"),
    (
        "cost.interconnect_fraction",
        "network share of hardware cost",
    ),
    ("cost.server_overhead", "server overhead (× GPU price)"),
    ("energy.gpu_power_fraction", "GPU power draw (share of TDP)"),
    (
        "energy.host_power_fraction",
        "host power (share of GPU TDP)",
    ),
    ("energy.pue", "PUE (facility ÷ IT power)"),
    ("energy.usd_per_kwh", "electricity price (USD per kWh)"),
    (
        "reliability.checkpoint_bytes_per_param",
        "checkpoint size (bytes per parameter)",
    ),
    (
        "reliability.interruptions_per_gpu_hour",
        "interruptions per GPU-hour",
    ),
    ("reliability.restart_s", "restart time (s)"),
];

/// Keys a pool sets for itself, in words.
const POOL_WORDS: [(&str, &str); 3] = [
    ("premium", "premium"),
    ("usd_per_gpu_hour", "rental price (USD per GPU-hour)"),
    ("purchase_usd", "purchase price (USD per GPU)"),
];

/// `path` in words: a pool key names its pool (`premium of the h20 pool (smuggled)`), a
/// known scenario key its meaning and unit; anything else stays as written.
pub fn input_name(path: &str, pools: &[PoolName]) -> String {
    if let Some((pool, key)) = pool_key(path, pools) {
        let words = POOL_WORDS
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(key, |(_, w)| w);
        return format!("{words} of the {} pool ({})", pool.label, pool.channel);
    }
    WORDS
        .iter()
        .find(|(k, _)| *k == path)
        .map_or_else(|| path.to_string(), |(_, w)| w.to_string())
}

/// The pool and key of `fleet.pools.N.key`, or of `fleet.key` (the first pool) for a key a
/// pool sets itself.
fn pool_key<'p, 'a>(
    path: &'p str,
    pools: &'a [PoolName<'a>],
) -> Option<(&'a PoolName<'a>, &'p str)> {
    let rest = path.strip_prefix("fleet.")?;
    if let Some(rest) = rest.strip_prefix("pools.") {
        let (index, key) = rest.split_once('.')?;
        let index: usize = index.parse().ok()?;
        return pools.iter().find(|p| p.index == index).map(|p| (p, key));
    }
    POOL_WORDS
        .iter()
        .any(|(k, _)| *k == rest)
        .then(|| pools.first().map(|p| (p, rest)))
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    const POOLS: [PoolName; 2] = [
        PoolName {
            index: 0,
            label: "a100-stockpile",
            channel: "stockpile",
        },
        PoolName {
            index: 2,
            label: "h100-smuggled",
            channel: "smuggled",
        },
    ];

    #[test]
    fn pool_keys_name_their_pool() {
        assert_eq!(
            input_name("fleet.pools.2.premium", &POOLS),
            "premium of the h100-smuggled pool (smuggled)"
        );
        assert_eq!(
            input_name("fleet.premium", &POOLS[1..]),
            "premium of the h100-smuggled pool (smuggled)"
        );
        assert_eq!(
            input_name("fleet.pools.0.usd_per_gpu_hour", &POOLS),
            "rental price (USD per GPU-hour) of the a100-stockpile pool (stockpile)"
        );
        // A pool index that is not there, and a fleet key no pool sets, stay as written.
        assert_eq!(
            input_name("fleet.pools.7.premium", &POOLS),
            "fleet.pools.7.premium"
        );
        assert_eq!(input_name("fleet.count", &POOLS), "fleet.count");
    }

    #[test]
    fn scenario_keys_are_worded_with_units() {
        assert_eq!(
            input_name("energy.usd_per_kwh", &[]),
            "electricity price (USD per kWh)"
        );
        assert_eq!(input_name("efficiency.flash", &[]), "efficiency.flash");
    }
}
