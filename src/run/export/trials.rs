//! `trials.csv`: one row per trial ([`TrialRow`]), streamed as each point is summarised.

use std::io::Write;

use serde::Serialize;

use super::Cell;
use crate::montecarlo::{TrialMetrics, NO_PLAN};

/// One row of trials.csv: the trial's figures and the label of its plan (empty when no plan
/// could make progress).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TrialRow<'a> {
    /// Point index.
    pub point: usize,
    /// Trial index within the point.
    pub trial: usize,
    /// Days.
    pub train_days: Cell,
    /// GPU-hours.
    pub gpu_hours: Cell,
    /// USD.
    pub cost_usd: Cell,
    /// MWh.
    pub energy_mwh: Cell,
    /// MFU.
    pub mfu: Cell,
    /// MW.
    pub facility_power_mw: Cell,
    /// H100 equivalents.
    pub h100_equivalents: Cell,
    /// Time ratio to the reference fleet.
    pub restriction_time_ratio: Cell,
    /// Cost ratio to the reference fleet.
    pub restriction_cost_ratio: Cell,
    /// Smuggled GPUs in use.
    pub unlawful_gpus: Cell,
    /// Months to acquire.
    pub months_to_acquire: Cell,
    /// Days since 1970-01-01.
    pub completion_day: Cell,
    /// USD.
    pub capex_usd: Cell,
    /// The chosen plan's label.
    pub plan: &'a str,
}

impl<'a> TrialRow<'a> {
    /// The row of trial `trial` of point `point`.
    pub fn new(point: usize, trial: usize, t: &TrialMetrics, plan: &'a str) -> TrialRow<'a> {
        TrialRow {
            point,
            trial,
            train_days: Cell(t.train_days),
            gpu_hours: Cell(t.gpu_hours),
            cost_usd: Cell(t.cost_usd),
            energy_mwh: Cell(t.energy_mwh),
            mfu: Cell(t.mfu),
            facility_power_mw: Cell(t.facility_power_mw),
            h100_equivalents: Cell(t.h100_equivalents),
            restriction_time_ratio: Cell(t.restriction_time_ratio),
            restriction_cost_ratio: Cell(t.restriction_cost_ratio),
            unlawful_gpus: Cell(t.unlawful_gpus),
            months_to_acquire: Cell(t.months_to_acquire),
            completion_day: Cell(t.completion_day),
            capex_usd: Cell(t.capex_usd),
            plan,
        }
    }
}

/// A trials.csv writer, its header written (a run with no feasible point still has one).
pub fn trials_writer<W: Write>(w: W) -> csv::Result<csv::Writer<W>> {
    super::writer_with_header(w, &super::field_names::<TrialRow>())
}

/// Append the trials of one point (index order), each with its plan's label
/// (`plan_label(code)`; empty for [`NO_PLAN`]).
pub fn write_point_trials<W: Write>(
    w: &mut csv::Writer<W>,
    point: usize,
    trials: &[TrialMetrics],
    plan_label: impl Fn(u64) -> String,
) -> csv::Result<()> {
    for (i, t) in trials.iter().enumerate() {
        let label = if t.plan == NO_PLAN {
            String::new()
        } else {
            plan_label(t.plan)
        };
        w.serialize(TrialRow::new(point, i, t, &label))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trials_by_hand() {
        let t = TrialMetrics {
            train_days: 37.5,
            gpu_hours: 1.48e13,
            cost_usd: f64::NAN,
            energy_mwh: 0.1,
            mfu: 0.41,
            facility_power_mw: 2.0,
            h100_equivalents: 64.0,
            restriction_time_ratio: f64::NAN,
            restriction_cost_ratio: f64::NAN,
            unlawful_gpus: 0.0,
            months_to_acquire: f64::NAN,
            completion_day: 20_000.0,
            capex_usd: 3.4e-6,
            plan: 1,
        };
        let mut w = trials_writer(Vec::new()).unwrap();
        write_point_trials(&mut w, 3, &[t, TrialMetrics::INFEASIBLE], |c| {
            format!("plan {c}")
        })
        .unwrap();
        let s = String::from_utf8(w.into_inner().unwrap()).unwrap();
        insta::assert_snapshot!(s, @r"
        point,trial,train_days,gpu_hours,cost_usd,energy_mwh,mfu,facility_power_mw,h100_equivalents,restriction_time_ratio,restriction_cost_ratio,unlawful_gpus,months_to_acquire,completion_day,capex_usd,plan
        3,0,37.5,14800000000000,,0.1,0.41,2,64,,,0,,20000,0.0000034,plan 1
        3,1,,,,,,,,,,,,,,
        ");
    }
}
