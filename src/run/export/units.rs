//! A shard's `units.csv`: every trial's figures ([`UnitRow`]), read back by `merge` by
//! column name, every field checked. Floats are [`Cell`]s, so they round-trip exactly; a
//! missing figure (NaN) is an empty cell, which the summaries and trials.csv treat as the
//! single run does.

use serde::{Deserialize, Serialize};

use super::Cell;
use crate::montecarlo::{TrialMetrics, NO_PLAN};

/// One trial of a shard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UnitRow {
    /// Work unit.
    pub unit: u64,
    /// Point index.
    pub point: usize,
    /// Trial index within the point.
    pub trial: u64,
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
    /// The plan code, `-` when no plan could make progress.
    pub plan_rank: String,
    /// Why, for the first infeasible trial of the unit.
    pub infeasible_reason: String,
}

impl UnitRow {
    /// The row of trial `trial` of point `point`, run in unit `unit`.
    pub fn new(unit: u64, point: usize, trial: u64, t: &TrialMetrics, reason: &str) -> UnitRow {
        UnitRow {
            unit,
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
            plan_rank: if t.plan == NO_PLAN {
                "-".into()
            } else {
                t.plan.to_string()
            },
            infeasible_reason: reason.to_string(),
        }
    }

    /// The trial's figures back; `Err` names the field when the plan code is not `-` or a
    /// whole number.
    pub fn metrics(&self) -> Result<TrialMetrics, String> {
        let plan = match self.plan_rank.as_str() {
            "-" => NO_PLAN,
            s => s
                .parse()
                .map_err(|_| format!("`plan_rank` is `{s}`, expected `-` or a whole number"))?,
        };
        Ok(TrialMetrics {
            train_days: self.train_days.0,
            gpu_hours: self.gpu_hours.0,
            cost_usd: self.cost_usd.0,
            energy_mwh: self.energy_mwh.0,
            mfu: self.mfu.0,
            facility_power_mw: self.facility_power_mw.0,
            h100_equivalents: self.h100_equivalents.0,
            restriction_time_ratio: self.restriction_time_ratio.0,
            restriction_cost_ratio: self.restriction_cost_ratio.0,
            unlawful_gpus: self.unlawful_gpus.0,
            months_to_acquire: self.months_to_acquire.0,
            completion_day: self.completion_day.0,
            capex_usd: self.capex_usd.0,
            plan,
        })
    }
}

/// A units.csv writer, its header written.
pub fn units_writer<W: std::io::Write>(w: W) -> csv::Result<csv::Writer<W>> {
    super::writer_with_header(w, &super::field_names::<UnitRow>())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_round_trip_by_column_name() {
        let t = TrialMetrics {
            train_days: 37.581_234_567_890_12,
            capex_usd: 3.4e-6,
            plan: 7,
            ..TrialMetrics::INFEASIBLE
        };
        let mut w = units_writer(Vec::new()).unwrap();
        w.serialize(UnitRow::new(4, 1, 4000, &t, "")).unwrap();
        w.serialize(UnitRow::new(
            4,
            1,
            4001,
            &TrialMetrics::INFEASIBLE,
            "out of memory",
        ))
        .unwrap();
        let bytes = w.into_inner().unwrap();
        let s = String::from_utf8(bytes.clone()).unwrap();
        insta::assert_snapshot!(s, @r"
        unit,point,trial,train_days,gpu_hours,cost_usd,energy_mwh,mfu,facility_power_mw,h100_equivalents,restriction_time_ratio,restriction_cost_ratio,unlawful_gpus,months_to_acquire,completion_day,capex_usd,plan_rank,infeasible_reason
        4,1,4000,37.58123456789012,,,,,,,,,,,,0.0000034,7,
        4,1,4001,,,,,,,,,,,,,,-,out of memory
        ");
        // Read back by name, in another column order.
        let mut r = csv::Reader::from_reader(bytes.as_slice());
        let rows: Vec<UnitRow> = r.deserialize().collect::<Result<_, _>>().unwrap();
        let back = rows[0].metrics().unwrap();
        assert_eq!(back.train_days.to_bits(), t.train_days.to_bits());
        assert_eq!(back.capex_usd.to_bits(), t.capex_usd.to_bits());
        assert_eq!(back.plan, 7);
        assert_eq!(rows[1].metrics().unwrap().plan, NO_PLAN);
        let moved = "plan_rank,unit,point,trial,train_days,gpu_hours,cost_usd,energy_mwh,mfu,facility_power_mw,h100_equivalents,restriction_time_ratio,restriction_cost_ratio,unlawful_gpus,months_to_acquire,completion_day,capex_usd,infeasible_reason\n3,9,0,0,1.5,,,,,,,,,,,,,\n";
        let mut r = csv::Reader::from_reader(moved.as_bytes());
        let row: UnitRow = r.deserialize().next().unwrap().unwrap();
        assert_eq!((row.unit, row.metrics().unwrap().plan), (9, 3));
        assert_eq!(row.train_days, Cell(1.5));
        // A damaged cell is an error naming the field, not a panic or a silent zero.
        let bad = moved.replace("1.5", "1.5x");
        let mut r = csv::Reader::from_reader(bad.as_bytes());
        let e = r.deserialize::<UnitRow>().next().unwrap().unwrap_err();
        assert!(e.to_string().contains("1.5x"), "{e}");
        let bad = UnitRow {
            plan_rank: "x".into(),
            ..rows[0].clone()
        };
        assert!(bad.metrics().unwrap_err().contains("plan_rank"));
    }
}
