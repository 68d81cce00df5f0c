//! The figures of one Monte Carlo trial, as a named struct ([`TrialMetrics`]), and the two
//! tables that name them for the summaries ([`METRICS`], summarised by p5/p50/p95/mean;
//! [`EXTRA_METRICS`], by their median and band). Imports nothing of ours: the row types of
//! the output files (`run::export`) read the fields by name.

use serde::{Deserialize, Serialize};

/// `plan` of a trial in which no plan could make progress.
pub const NO_PLAN: u64 = u64::MAX;

/// The result of one trial. A figure is NaN when the trial is infeasible or the figure
/// does not apply (a cost without a price, no reference fleet, no build-up).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TrialMetrics {
    /// Wall-clock days of the run.
    pub train_days: f64,
    /// GPU-hours of every allocated GPU.
    pub gpu_hours: f64,
    /// Cost, USD.
    pub cost_usd: f64,
    /// Facility energy, MWh.
    pub energy_mwh: f64,
    /// Model FLOPs utilisation against the training precision's dense peak.
    pub mfu: f64,
    /// Facility power, MW.
    pub facility_power_mw: f64,
    /// H100-SXM GPUs of equal throughput.
    pub h100_equivalents: f64,
    /// Days over those of the reference fleet.
    pub restriction_time_ratio: f64,
    /// Cost over that of the reference fleet.
    pub restriction_cost_ratio: f64,
    /// Smuggled GPUs in use.
    pub unlawful_gpus: f64,
    /// Months from the earliest pool start until every pool in use holds its count.
    pub months_to_acquire: f64,
    /// Day the run completes, days since 1970-01-01.
    pub completion_day: f64,
    /// Up-front hardware cost of the owned pools in use, USD.
    pub capex_usd: f64,
    /// Code of the chosen plans and fleet mode (for one pool: the rank of the chosen plan
    /// in the nominal search, 0 = best), or [`NO_PLAN`].
    pub plan: u64,
}

impl TrialMetrics {
    /// An infeasible trial.
    pub const INFEASIBLE: TrialMetrics = TrialMetrics {
        train_days: f64::NAN,
        gpu_hours: f64::NAN,
        cost_usd: f64::NAN,
        energy_mwh: f64::NAN,
        mfu: f64::NAN,
        facility_power_mw: f64::NAN,
        h100_equivalents: f64::NAN,
        restriction_time_ratio: f64::NAN,
        restriction_cost_ratio: f64::NAN,
        unlawful_gpus: f64::NAN,
        months_to_acquire: f64::NAN,
        completion_day: f64::NAN,
        capex_usd: f64::NAN,
        plan: NO_PLAN,
    };
}

/// A figure of [`TrialMetrics`] by name.
#[derive(Debug, Clone, Copy)]
pub struct Metric {
    /// The field's name (and the stem of its output columns).
    pub name: &'static str,
    /// Reads it.
    pub get: fn(&TrialMetrics) -> f64,
}

/// The figures summarised by p5, p50, p95 and mean, in column order.
pub const METRICS: [Metric; 5] = [
    Metric {
        name: "train_days",
        get: |t| t.train_days,
    },
    Metric {
        name: "gpu_hours",
        get: |t| t.gpu_hours,
    },
    Metric {
        name: "cost_usd",
        get: |t| t.cost_usd,
    },
    Metric {
        name: "energy_mwh",
        get: |t| t.energy_mwh,
    },
    Metric {
        name: "mfu",
        get: |t| t.mfu,
    },
];

/// Further figures, summarised by their median and p5/p95 band (summary.csv) and written
/// in full to trials.csv. `completion_day` is days since 1970-01-01 (`earliest_completion`
/// formats its median as a date).
pub const EXTRA_METRICS: [Metric; 8] = [
    Metric {
        name: "facility_power_mw",
        get: |t| t.facility_power_mw,
    },
    Metric {
        name: "h100_equivalents",
        get: |t| t.h100_equivalents,
    },
    Metric {
        name: "restriction_time_ratio",
        get: |t| t.restriction_time_ratio,
    },
    Metric {
        name: "restriction_cost_ratio",
        get: |t| t.restriction_cost_ratio,
    },
    Metric {
        name: "unlawful_gpus",
        get: |t| t.unlawful_gpus,
    },
    Metric {
        name: "months_to_acquire",
        get: |t| t.months_to_acquire,
    },
    Metric {
        name: "completion_day",
        get: |t| t.completion_day,
    },
    Metric {
        name: "capex_usd",
        get: |t| t.capex_usd,
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    /// The tables read the field they name, in the struct's order (the order of the columns
    /// of trials.csv).
    #[test]
    fn tables_read_the_field_they_name() {
        let mut t = TrialMetrics::INFEASIBLE;
        let names: Vec<&str> = METRICS
            .iter()
            .chain(&EXTRA_METRICS)
            .map(|m| m.name)
            .collect();
        let json = serde_json::to_value(t).unwrap();
        let fields: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        for n in &names {
            assert!(fields.contains(n), "{n}");
        }
        t.train_days = 1.0;
        t.capex_usd = 13.0;
        t.completion_day = 12.0;
        assert_eq!((METRICS[0].get)(&t), 1.0);
        assert_eq!((EXTRA_METRICS[7].get)(&t), 13.0);
        assert_eq!((EXTRA_METRICS[6].get)(&t), 12.0);
        assert!((METRICS[1].get)(&t).is_nan());
    }
}
