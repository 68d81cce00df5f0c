//! Mixed fleets: several pools of different chips training one model together as
//! heterogeneous data-parallel groups, compared with each pool alone; and what a pool's
//! acquisition channel means for its price, its legality and when it is ready.
//!
//! **Combining pools.** Each pool runs its own best plan as one data-parallel group. The
//! global batch is split in proportion to the pools' throughputs, so every pool finishes its
//! share at the same time: `t_compute = B / Σ throughput_i`. Gradients are then averaged
//! across pools with a ring all-reduce over the slowest scale-out link: every GPU of the
//! smallest pool carries a `1/N_min` shard of the FP32 gradients, so
//! `t_sync = 2(n−1)/n · 4·P/N_min / bw_min`, not overlapped (the pools' backward passes end
//! at different times). The engine takes the faster of "all pools together" and "the best
//! pool alone" and says which and why ([`combine`]; [`arrange`] is the same decision
//! without labels, for the Monte Carlo loop). A pool's throughput is measured on the whole
//! global batch; a pool given a smaller share is assumed to keep that throughput (its
//! micro-batch count shrinks, which this first-order model ignores).
//!
//! **Channels** ([`Channel`]): which cost basis a pool is priced on, whether the
//! scenario's export rule applies to it, and whether its chips are unlawful ([`channel_cost`]).
//!
//! **Build-up** ([`BuildUp`]): a pool acquired at a rate from a start month; the month by
//! which it holds its count, and calendar arithmetic for the completion date.

use serde::{Deserialize, Serialize};

use crate::catalog::GpuSpec;
use crate::cost::{CostAssumptions, CostBasis};

/// How a pool's chips were obtained (DESIGN.md §2 "Policy").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    /// Bought now: only chips the scenario's export rule allows. Priced on the scenario's basis.
    Purchase,
    /// Bought before the rule took effect: a fixed count, exempt from the rule, priced as
    /// owned hardware at its purchase price.
    Stockpile,
    /// Bought through smuggling: exempt from the rule (that is the point) but unlawful;
    /// price premium over the US price, capped volume.
    Smuggled,
    /// Rented abroad by the GPU-hour, capped capacity; always the rental basis.
    Cloud,
    /// Made at home (e.g. Ascend 910B/910C): outside US purchase rules; owned hardware at
    /// the catalog (or given) price.
    Domestic,
}

impl Channel {
    /// Every channel, in the order the docs list them.
    pub const ALL: [Channel; 5] = [
        Channel::Purchase,
        Channel::Stockpile,
        Channel::Smuggled,
        Channel::Cloud,
        Channel::Domestic,
    ];

    /// The channel named `name` (as written in scenario files).
    pub fn from_name(name: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The name as written in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Purchase => "purchase",
            Channel::Stockpile => "stockpile",
            Channel::Smuggled => "smuggled",
            Channel::Cloud => "cloud",
            Channel::Domestic => "domestic",
        }
    }

    /// Whether the scenario's export rule decides if the pool may exist.
    pub fn subject_to_rule(self) -> bool {
        self == Channel::Purchase
    }

    /// Whether the pool's chips were obtained unlawfully (counted in `unlawful_gpus`).
    pub fn is_unlawful(self) -> bool {
        self == Channel::Smuggled
    }

    /// The cost basis the pool is priced on, given the scenario's: purchased and smuggled
    /// pools follow the scenario; a stockpile and domestic chips are owned hardware; cloud
    /// capacity is rented.
    pub fn basis(self, scenario: CostBasis) -> CostBasis {
        match self {
            Channel::Purchase | Channel::Smuggled => scenario,
            Channel::Stockpile | Channel::Domestic => CostBasis::Ownership,
            Channel::Cloud => CostBasis::Rental,
        }
    }
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Default smuggling premium (price ÷ US price − 1), triangular (min, mode, max):
/// `reference/assumptions.md` §6 "Suggested defaults": 0.4 is the derived H100 server and
/// unit premia (1.39–1.61×), 0.5 FT's B200-rack premium, 1.0 Reuters' "double".
pub const SMUGGLED_PREMIUM: (f64, f64, f64) = (0.4, 0.5, 1.0);

/// The cost assumptions one pool is priced with: `c` (the scenario's, with the pool's own
/// prices and premium already written in) on the channel's basis. Under the rental basis a
/// smuggled pool pays the rental price × (1 + premium): a grey-market lessor passes its
/// premium on. Under ownership the premium multiplies the purchase price (in
/// [`crate::cost::capex_per_gpu_usd`]).
pub fn channel_cost(channel: Channel, c: &CostAssumptions, gpu: &GpuSpec) -> CostAssumptions {
    let mut out = *c;
    out.basis = channel.basis(c.basis);
    if channel == Channel::Smuggled && out.basis == CostBasis::Rental {
        out.usd_per_gpu_hour = c
            .usd_per_gpu_hour
            .or(gpu.rental_usd_per_gpu_hour)
            .map(|p| p * (1.0 + c.channel_premium));
    }
    out
}

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

/// The decision of [`combine`], without labels or allocation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Arrangement {
    /// Index of the fastest pool (the lowest index on a tie).
    pub best: usize,
    /// Whether all pools together are faster than `best` alone.
    pub combined: bool,
    /// Step of `best` alone, seconds.
    pub alone_step_s: f64,
    /// Step of all pools together, seconds (infinite with one pool).
    pub combined_step_s: f64,
    /// Cross-pool gradient synchronisation of the combined step, seconds.
    pub sync_s: f64,
}

impl Arrangement {
    /// Step of the chosen arrangement, seconds.
    pub fn step_s(&self) -> f64 {
        if self.combined {
            self.combined_step_s
        } else {
            self.alone_step_s
        }
    }
}

/// Decide between all pools together and the best pool alone from each pool's throughput
/// (tokens/s on the whole batch), GPU count and achieved one-direction scale-out bandwidth
/// per GPU (bytes/s), for a global batch of `batch_tokens` and `params` parameters. `None`
/// without pools. The three slices must have equal lengths.
pub fn arrange(
    tokens_per_s: &[f64],
    gpus: &[u64],
    scale_out_bytes_per_s: &[f64],
    batch_tokens: f64,
    params: f64,
) -> Option<Arrangement> {
    let (best, best_tps) = tokens_per_s
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(&a.0)))?;
    let alone_step_s = batch_tokens / best_tps;
    if tokens_per_s.len() < 2 {
        return Some(Arrangement {
            best,
            combined: false,
            alone_step_s,
            combined_step_s: f64::INFINITY,
            sync_s: 0.0,
        });
    }
    let total: f64 = tokens_per_s.iter().sum();
    let n = tokens_per_s.len() as f64;
    let n_min = gpus.iter().copied().min().unwrap_or(1).max(1) as f64;
    let bw_min = scale_out_bytes_per_s
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    let sync_s = 2.0 * (n - 1.0) / n * 4.0 * params / n_min / bw_min;
    let combined_step_s = batch_tokens / total + sync_s;
    Some(Arrangement {
        best,
        combined: combined_step_s < alone_step_s,
        alone_step_s,
        combined_step_s,
        sync_s,
    })
}

/// Combine `pools` for a global batch of `batch_tokens` tokens and a model of `params`
/// parameters.
pub fn combine(pools: &[PoolThroughput], batch_tokens: f64, params: f64) -> MixedFleet {
    let tps: Vec<f64> = pools.iter().map(|p| p.tokens_per_s).collect();
    let gpus: Vec<u64> = pools.iter().map(|p| p.gpus).collect();
    let bw: Vec<f64> = pools.iter().map(|p| p.scale_out_bytes_per_s).collect();
    let Some(a) = arrange(&tps, &gpus, &bw, batch_tokens, params) else {
        return MixedFleet {
            combined: false,
            alone: None,
            batch_share: Vec::new(),
            step_s: f64::INFINITY,
            sync_s: 0.0,
            reason: "no pool".into(),
        };
    };
    let best = &pools[a.best];
    if pools.len() < 2 {
        return MixedFleet {
            combined: false,
            alone: Some(best.label.clone()),
            batch_share: vec![(best.label.clone(), 1.0)],
            step_s: a.alone_step_s,
            sync_s: 0.0,
            reason: "one pool".into(),
        };
    }
    let total: f64 = tps.iter().sum();
    if a.combined {
        MixedFleet {
            combined: true,
            alone: None,
            batch_share: pools
                .iter()
                .map(|p| (p.label.clone(), p.tokens_per_s / total))
                .collect(),
            step_s: a.combined_step_s,
            sync_s: a.sync_s,
            reason: format!(
                "all {} pools together: {:.3} s a step ({:.3} s of it cross-pool gradient sync) vs {:.3} s for {} alone",
                pools.len(),
                a.combined_step_s,
                a.sync_s,
                a.alone_step_s,
                best.label
            ),
        }
    } else {
        MixedFleet {
            combined: false,
            alone: Some(best.label.clone()),
            batch_share: vec![(best.label.clone(), 1.0)],
            step_s: a.alone_step_s,
            sync_s: 0.0,
            reason: format!(
                "{} alone: {:.3} s a step vs {:.3} s for all pools together ({:.3} s of it cross-pool gradient sync over the slowest link)",
                best.label, a.alone_step_s, a.combined_step_s, a.sync_s
            ),
        }
    }
}

/// How a pool is acquired over time: from `start_month` (months since year 0, see
/// [`parse_month`]) it holds `initial` GPUs and receives `rate_per_month` more at the end of
/// each month (`None`: the whole count is on hand at the start).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BuildUp {
    /// First month, as `12·year + month − 1`.
    pub start_month: i64,
    /// GPUs delivered per month.
    pub rate_per_month: Option<f64>,
    /// GPUs on hand at the start.
    pub initial: u64,
}

impl BuildUp {
    /// Whole months until the pool holds `count` GPUs: `⌈(count − initial) / rate⌉`
    /// (deliveries arrive at the end of each month), 0 when the count is already on hand.
    pub fn months_to_acquire(&self, count: u64) -> u64 {
        match self.rate_per_month {
            _ if self.initial >= count => 0,
            None => 0,
            Some(r) => ((count - self.initial) as f64 / r).ceil() as u64,
        }
    }

    /// The first month in which the pool holds `count` GPUs.
    pub fn ready_month(&self, count: u64) -> i64 {
        self.start_month + self.months_to_acquire(count) as i64
    }
}

/// `"YYYY-MM"` → `12·YYYY + MM − 1`.
pub fn parse_month(s: &str) -> Result<i64, String> {
    let bad = || format!("`{s}` is not a month: write YYYY-MM, e.g. \"2025-01\"");
    let (y, m) = s.trim().split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || m.len() != 2 {
        return Err(bad());
    }
    let y: i64 = y.parse().map_err(|_| bad())?;
    let m: i64 = m.parse().map_err(|_| bad())?;
    if !(1..=12).contains(&m) || !(1900..=2999).contains(&y) {
        return Err(bad());
    }
    Ok(12 * y + m - 1)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible
/// Low-Level Date Algorithms", `days_from_civil`).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (days since 1970-01-01), as (year, month, day) (Hinnant,
/// `civil_from_days`).
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// Day number (days since 1970-01-01) of the first day of month `12·year + month − 1`.
pub fn month_start_day(month: i64) -> i64 {
    days_from_civil(month.div_euclid(12), month.rem_euclid(12) + 1, 1)
}

/// `YYYY-MM-DD` of the day containing instant `day` (days since 1970-01-01, fractional);
/// empty when not finite.
pub fn format_day(day: f64) -> String {
    if !day.is_finite() {
        return String::new();
    }
    let (y, m, d) = civil_from_days(day.floor() as i64);
    format!("{y:04}-{m:02}-{d:02}")
}

/// `YYYY-MM` of month `12·year + month − 1`.
pub fn format_month(month: i64) -> String {
    format!(
        "{:04}-{:02}",
        month.div_euclid(12),
        month.rem_euclid(12) + 1
    )
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

    /// `arrange` makes the decision `combine` reports, with the same numbers.
    #[test]
    fn arrange_matches_combine() {
        let a = arrange(
            &[300_000.0, 100_000.0],
            &[1000, 2000],
            &[50e9, 25e9],
            4e6,
            7e9,
        )
        .unwrap();
        assert!(a.combined);
        assert_eq!(a.best, 0);
        assert!((a.step_s() - 10.001_12).abs() < 1e-9);
        assert!(arrange(&[], &[], &[], 4e6, 7e9).is_none());
        let one = arrange(&[5.0], &[8], &[1.0], 10.0, 1.0).unwrap();
        assert!(!one.combined && one.step_s() == 2.0);
        // A tie goes to the first pool.
        assert_eq!(
            arrange(&[1.0, 1.0], &[1, 1], &[1e30, 1e30], 1.0, 1.0)
                .unwrap()
                .best,
            0
        );
    }

    /// Stockpile and domestic pools are owned, cloud pools rented, whatever the scenario
    /// says; a smuggled pool on the rental basis pays the premium on the rental price:
    /// H100 $2.99 × 1.5 = $4.485.
    #[test]
    fn channels_choose_their_basis_and_price() {
        let c = crate::catalog::Catalog::builtin();
        let h100 = c.gpu("h100").unwrap();
        let rental = CostAssumptions::default();
        let own = CostAssumptions {
            basis: CostBasis::Ownership,
            ..Default::default()
        };
        assert_eq!(
            channel_cost(Channel::Stockpile, &rental, h100).basis,
            CostBasis::Ownership
        );
        assert_eq!(
            channel_cost(Channel::Domestic, &rental, h100).basis,
            CostBasis::Ownership
        );
        assert_eq!(
            channel_cost(Channel::Cloud, &own, h100).basis,
            CostBasis::Rental
        );
        assert_eq!(channel_cost(Channel::Purchase, &own, h100), own);
        let smuggled = CostAssumptions {
            channel_premium: 0.5,
            ..rental
        };
        let s = channel_cost(Channel::Smuggled, &smuggled, h100);
        assert!((s.usd_per_gpu_hour.unwrap() - 2.99 * 1.5).abs() < 1e-12);
        assert!(Channel::Smuggled.is_unlawful() && !Channel::Cloud.is_unlawful());
        assert!(Channel::Purchase.subject_to_rule() && !Channel::Stockpile.subject_to_rule());
    }

    /// 1,000 GPUs at 250 a month from January 2025: four months, ready in May 2025.
    #[test]
    fn build_up_by_hand() {
        let b = BuildUp {
            start_month: parse_month("2025-01").unwrap(),
            rate_per_month: Some(250.0),
            initial: 0,
        };
        assert_eq!(b.months_to_acquire(1000), 4);
        assert_eq!(format_month(b.ready_month(1000)), "2025-05");
        assert_eq!(
            b.months_to_acquire(1001),
            5,
            "a part-month counts as a month"
        );
        let b = BuildUp { initial: 600, ..b };
        assert_eq!(b.months_to_acquire(1000), 2);
        assert_eq!(b.months_to_acquire(500), 0);
        // 2025-05-01 + 30.5 days = 2025-05-31 12:00.
        let day = month_start_day(b.start_month + 4) as f64 + 30.5;
        assert_eq!(format_day(day), "2025-05-31");
        assert_eq!(format_day(f64::NAN), "");
    }

    #[test]
    fn dates_round_trip() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        for z in (-800_000..800_000).step_by(997) {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(
            format_day(days_from_civil(2024, 2, 29) as f64),
            "2024-02-29"
        );
        for bad in ["2025", "2025-13", "25-01", "2025-1", "abcd-ef"] {
            assert!(parse_month(bad).is_err(), "{bad}");
        }
    }
}
