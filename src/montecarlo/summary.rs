//! Summaries of one point's trials: p5, p50, p95 and mean of each metric, and the plan
//! chosen most often; the median of the extra per-trial figures. Imports nothing but
//! [`super::metrics`] (the trial's figures and the tables that name them).
//!
//! **Percentiles** are R's type 7 (Hyndman & Fan 1996, the default of R, NumPy and Excel's
//! `PERCENTILE.INC`): sort the `n` finite values, `h = (n − 1)·p`, and interpolate linearly
//! between the order statistics `x[⌊h⌋]` and `x[⌊h⌋ + 1]`. With one value every percentile
//! is that value. **Means** add the finite values in trial-index order and divide once, so
//! they are identical however the trials were computed (threads, chunks, shards). Values
//! that are NaN (an infeasible trial, a cost without a price) are left out; a metric with no
//! finite value has no summary.
//!
//! **Samples.** [`summarize_trials_sampled`] also keeps up to `k` of the sorted finite
//! `train_days` values, at evenly spaced ranks `⌊j·(n − 1)/(k − 1)⌋` (the smallest and the
//! largest included): the data of the report's distribution chart. They depend only on the
//! set of values, so they are the same however the trials were computed.

use std::collections::BTreeMap;

use super::metrics::{TrialMetrics, EXTRA_METRICS, METRICS, NO_PLAN};

/// p5, p50, p95 and mean of one metric.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MetricSummary {
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Mean.
    pub mean: f64,
}

/// The `p`-quantile (type 7) of sorted values; NaN when empty.
pub fn percentile_sorted(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        1 => sorted[0],
        n => {
            let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
            let lo = h.floor() as usize;
            let hi = (lo + 1).min(n - 1);
            let (a, b) = (sorted[lo], sorted[hi]);
            if a == b {
                a
            } else {
                a + (h - lo as f64) * (b - a)
            }
        }
    }
}

/// Summary of the finite values of an iterator (taken in order for the mean); `None`
/// when there is none. `scratch` is reused for sorting.
pub fn summarize(
    values: impl Iterator<Item = f64>,
    scratch: &mut Vec<f64>,
) -> Option<MetricSummary> {
    scratch.clear();
    let mut sum = 0.0;
    for v in values.filter(|v| v.is_finite()) {
        sum += v;
        scratch.push(v);
    }
    if scratch.is_empty() {
        return None;
    }
    let mean = sum / scratch.len() as f64;
    scratch.sort_unstable_by(f64::total_cmp);
    Some(MetricSummary {
        p5: percentile_sorted(scratch, 0.05),
        p50: percentile_sorted(scratch, 0.50),
        p95: percentile_sorted(scratch, 0.95),
        mean,
    })
}

/// Summary of one point's trials.
#[derive(Debug, Clone, PartialEq)]
pub struct PointSummary {
    /// One per [`super::METRICS`] entry.
    pub metrics: [Option<MetricSummary>; 5],
    /// Median of each [`super::EXTRA_METRICS`] entry (`None` when no trial has a value).
    pub extra: [Option<f64>; 8],
    /// p5 and p95 of each [`super::EXTRA_METRICS`] entry. Trials share their draws across
    /// points (common random numbers), so a ratio's band is that of the comparison alone.
    pub extra_band: [Option<(f64, f64)>; 8],
    /// The plan code chosen most often (the lowest code on a tie) and how many trials chose it.
    pub plan: Option<(u64, u64)>,
    /// Trials that produced metrics.
    pub feasible: u64,
    /// Trials in which no plan could make progress.
    pub infeasible: u64,
    /// Sorted finite `train_days` values at evenly spaced ranks ([`evenly_ranked`]); empty
    /// unless asked for ([`summarize_trials_sampled`]).
    pub train_days_sample: Vec<f64>,
}

/// At most `k` values of `sorted` at evenly spaced ranks `⌊j·(n − 1)/(k − 1)⌋`, `j < k`
/// (all of them when `n ≤ k`; the median rank when `k = 1`).
pub fn evenly_ranked(sorted: &[f64], k: usize) -> Vec<f64> {
    let n = sorted.len();
    match k {
        0 => Vec::new(),
        _ if n <= k => sorted.to_vec(),
        1 => vec![sorted[(n - 1) / 2]],
        _ => (0..k).map(|j| sorted[j * (n - 1) / (k - 1)]).collect(),
    }
}

/// Summarise trials given in index order.
pub fn summarize_trials(trials: &[TrialMetrics]) -> PointSummary {
    summarize_trials_sampled(trials, 0)
}

/// Summarise trials given in index order, keeping `samples` of the sorted `train_days`
/// values ([`evenly_ranked`]).
pub fn summarize_trials_sampled(trials: &[TrialMetrics], samples: usize) -> PointSummary {
    let mut scratch = Vec::with_capacity(trials.len());
    let mut train_days_sample = Vec::new();
    let metrics = std::array::from_fn(|m| {
        let s = summarize(trials.iter().map(METRICS[m].get), &mut scratch);
        if m == 0 {
            // `scratch` holds the sorted finite train_days.
            train_days_sample = evenly_ranked(&scratch, samples);
        }
        s
    });
    let extra_all: [Option<MetricSummary>; 8] =
        std::array::from_fn(|m| summarize(trials.iter().map(EXTRA_METRICS[m].get), &mut scratch));
    let extra = extra_all.map(|s| s.map(|s| s.p50));
    let extra_band = extra_all.map(|s| s.map(|s| (s.p5, s.p95)));
    let mut counts: BTreeMap<u64, u64> = BTreeMap::new();
    let mut infeasible = 0;
    for t in trials {
        if t.plan == NO_PLAN {
            infeasible += 1;
            continue;
        }
        *counts.entry(t.plan).or_default() += 1;
    }
    let plan = counts
        .iter()
        .fold(None::<(u64, u64)>, |best, (&r, &c)| match best {
            Some((_, bc)) if bc >= c => best,
            _ => Some((r, c)),
        });
    PointSummary {
        metrics,
        extra,
        extra_band,
        plan,
        feasible: trials.len() as u64 - infeasible,
        infeasible,
        train_days_sample,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A trial whose every figure is `d`.
    fn same(d: f64) -> TrialMetrics {
        TrialMetrics {
            train_days: d,
            gpu_hours: d,
            cost_usd: d,
            energy_mwh: d,
            mfu: d,
            facility_power_mw: d,
            h100_equivalents: d,
            restriction_time_ratio: d,
            restriction_cost_ratio: d,
            unlawful_gpus: d,
            months_to_acquire: d,
            completion_day: d,
            capex_usd: d,
            plan: 0,
        }
    }

    #[test]
    fn type_7_by_hand() {
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(percentile_sorted(&x, 0.5), 3.0);
        // h = 4·0.05 = 0.2 → 1 + 0.2·1 = 1.2; h = 4·0.95 = 3.8 → 4 + 0.8 = 4.8.
        assert!((percentile_sorted(&x, 0.05) - 1.2).abs() < 1e-12);
        assert!((percentile_sorted(&x, 0.95) - 4.8).abs() < 1e-12);
        assert_eq!(percentile_sorted(&[7.0], 0.95), 7.0);
        assert!(percentile_sorted(&[], 0.5).is_nan());
    }

    #[test]
    fn nan_values_are_left_out_and_plans_counted() {
        let t = |d: f64, plan: u64| TrialMetrics {
            cost_usd: f64::NAN,
            plan,
            ..same(d)
        };
        let s = summarize_trials(&[
            t(1.0, 1),
            t(3.0, 0),
            TrialMetrics::INFEASIBLE,
            t(2.0, 1),
            t(5.0, 0),
        ]);
        assert_eq!(s.metrics[0].unwrap().mean, 11.0 / 4.0);
        assert!(s.metrics[2].is_none());
        assert_eq!(s.plan, Some((0, 2)), "a tie goes to the better-ranked plan");
        assert_eq!(s.extra[0], Some(2.5));
        assert_eq!((s.feasible, s.infeasible), (4, 1));
    }

    #[test]
    fn samples_sit_at_evenly_spaced_ranks() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(evenly_ranked(&x, 4), [0.0, 3.0, 6.0, 9.0]);
        assert_eq!(evenly_ranked(&x, 20), x);
        assert_eq!(evenly_ranked(&x, 1), [4.0]);
        assert!(evenly_ranked(&x, 0).is_empty());
        // From the trials: sorted, NaN left out, the same in any trial order.
        let t = |d: f64| TrialMetrics { plan: 0, ..same(d) };
        let a: Vec<TrialMetrics> = [5.0, 1.0, f64::NAN, 3.0].map(t).to_vec();
        let mut b = a.clone();
        b.reverse();
        let sa = summarize_trials_sampled(&a, 2);
        assert_eq!(sa.train_days_sample, [1.0, 5.0]);
        assert_eq!(sa, summarize_trials_sampled(&b, 2));
        assert!(summarize_trials(&a).train_days_sample.is_empty());
    }

    #[test]
    fn identical_values_summarise_to_themselves() {
        let x = 37.581_234_567_890_12;
        let s = summarize(std::iter::repeat_n(x, 1000), &mut Vec::new()).unwrap();
        assert_eq!((s.p5, s.p50, s.p95), (x, x, x));
        assert!((s.mean - x).abs() <= 1e-12 * x);
    }

    proptest! {
        #[test]
        fn percentiles_are_ordered(values in prop::collection::vec(-1e12f64..1e12, 1..300)) {
            let s = summarize(values.iter().copied(), &mut Vec::new()).unwrap();
            prop_assert!(s.p5 <= s.p50 && s.p50 <= s.p95);
            let (lo, hi) = values.iter().fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
            prop_assert!(s.p5 >= lo && s.p95 <= hi);
        }
    }
}
