//! What a point contributes besides its trials ([`PointRecord`]): computed once, by the
//! owner of its first unit, from the prepared point ([`point_record`]); written to a shard's
//! `points.jsonl` and checked field by field when `merge` reads it back ([`PointRecord::check`]).
//! Also the results of one work unit ([`UnitResult`]).

use serde::{Deserialize, Serialize};

use super::export::sensitivity::SensitivityRow;
use super::export::Cell;
use super::labels::point_label;
use crate::format::fmt_f64;
use crate::montecarlo::sensitivity::sensitivity;
use crate::montecarlo::{decode_plan, nominal_mode, nominal_run, Prepared, TrialMetrics};
use crate::report::names::{input_name, PoolName};

/// What a point contributes besides its trials: computed once, by the owner of its first unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointRecord {
    /// Point index.
    pub point: usize,
    /// The leading summary cells: point, swept inputs, model, gpu, gpus, precision, train_tokens.
    pub cells: Vec<String>,
    /// GPU id (terminal table).
    pub gpu: String,
    /// GPUs (terminal table).
    pub gpus: u64,
    /// Labels of the kept plans of the first pool, best first.
    pub plans: Vec<String>,
    /// Labels of the pools that have plans (the fleet modes index them).
    #[serde(default)]
    pub pool_labels: Vec<String>,
    /// Labels of each such pool's kept plans, best first.
    #[serde(default)]
    pub pool_plans: Vec<Vec<String>>,
    /// Radix of the plan codes ([`Prepared::radix`]).
    #[serde(default)]
    pub radix: Option<u64>,
    /// The pools, described (`4096 × a100-sxm-80gb (stockpile) + ...`).
    #[serde(default)]
    pub fleet: String,
    /// Fleet mode at nominal values, and why.
    #[serde(default)]
    pub fleet_nominal: Option<(String, String)>,
    /// Warnings (dropped pools, clamped counts, pools without a plan).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Why the point has no plan.
    pub infeasible: Option<String>,
    /// Trials asked for.
    pub trials: u64,
    /// Rows of sensitivity.csv for this point.
    pub sensitivity: Vec<SensitivityRow>,
    /// The input of each `sensitivity` row in words, for the report's tornado
    /// ([`crate::report::names`]).
    #[serde(default)]
    pub sensitivity_names: Vec<String>,
    /// Why the point's cost cannot be computed (a chip without a price), in words.
    #[serde(default)]
    pub cost_missing: Option<String>,
    /// Short name in charts and the report ([`point_label`]).
    #[serde(default)]
    pub label: String,
    /// The fleet at nominal values ([`nominal_run`]), for the report.
    #[serde(default)]
    pub nominal: Option<NominalRecord>,
}

/// [`nominal_run`] as round-trip decimal text ([`Cell`]; empty when missing), so a shard's
/// record gives the merge exactly the numbers a single run has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NominalRecord {
    /// Days.
    pub train_days: Cell,
    /// Cost, USD.
    pub cost_usd: Cell,
    /// Compute part of the cost, USD.
    pub compute_usd: Cell,
    /// Energy part, USD.
    pub energy_usd: Cell,
    /// Overheads, USD.
    pub overheads_usd: Cell,
    /// What the compute part is.
    pub compute_label: String,
}

impl PointRecord {
    /// Check a record read back from a shard's `points.jsonl` (issue 12: a damaged record
    /// must be refused, not panic the merge): `None` if sound, else what is wrong.
    pub(crate) fn check(&self, n_inputs: usize) -> Option<String> {
        let p = self.point;
        if self.cells.len() != n_inputs + 6 || self.cells[0] != p.to_string() {
            return Some(format!(
                "point {p}: `cells` holds {} values, expected {} starting with {p}",
                self.cells.len(),
                n_inputs + 6
            ));
        }
        if self.radix == Some(0) {
            return Some(format!("point {p}: `radix` is 0, expected at least 1"));
        }
        if self.pool_plans.len() != self.pool_labels.len() {
            return Some(format!(
                "point {p}: `pool_plans` has {} entries but `pool_labels` {}",
                self.pool_plans.len(),
                self.pool_labels.len()
            ));
        }
        if self.trials > crate::scenario::resolve::MAX_TRIALS {
            return Some(format!(
                "point {p}: `trials` is {}, more than {}",
                self.trials,
                crate::scenario::resolve::MAX_TRIALS
            ));
        }
        if let Some(r) = self.sensitivity.iter().find(|r| r.point != p) {
            return Some(format!(
                "point {p}: a `sensitivity` row names point {}",
                r.point
            ));
        }
        None
    }

    /// The mode (pool index alone, or the pool count) and ranks of a plan code.
    pub(crate) fn decode(&self, code: u64) -> (usize, Option<Vec<usize>>) {
        decode_plan(code, self.pool_labels.len(), self.radix)
    }

    /// The label of a trial's plan code: the plan for one pool; `<pool>: <plan>` for a pool
    /// alone; the pools' plans joined by ` + ` when they train together.
    pub(crate) fn plan_label(&self, code: u64) -> String {
        if self.pool_labels.len() <= 1 {
            return self.plans.get(code as usize).cloned().unwrap_or_default();
        }
        let (mode, ranks) = self.decode(code);
        let part = |j: usize| {
            let plan = ranks
                .as_ref()
                .and_then(|r| self.pool_plans[j].get(r[j]))
                .cloned()
                .unwrap_or_else(|| "its best plan".into());
            format!("{}: {plan}", self.pool_labels[j])
        };
        if mode < self.pool_labels.len() {
            part(mode)
        } else {
            (0..self.pool_labels.len())
                .map(part)
                .collect::<Vec<_>>()
                .join(" + ")
        }
    }

    /// `alone:<pool>` or `combined`.
    pub(crate) fn mode_label(&self, mode: usize) -> String {
        match self.pool_labels.get(mode) {
            Some(l) => format!("alone:{l}"),
            None => "combined".to_string(),
        }
    }
}

/// One unit's results.
pub(crate) struct UnitResult {
    pub(crate) point: usize,
    pub(crate) first: u64,
    pub(crate) trials: Vec<TrialMetrics>,
    pub(crate) first_reason: Option<(u64, String)>,
    pub(crate) record: Option<PointRecord>,
}

/// The record of a prepared point.
pub(crate) fn point_record(prep: &Prepared, sweep_paths: &[String]) -> PointRecord {
    let p = prep.point;
    let q = &p.question;
    let (gpu, gpus) = if p.pools.len() > 1 {
        let ids: Vec<&str> = p.pools.iter().map(|x| x.question.gpu.id.as_str()).collect();
        (ids.join("+"), p.fleet_gpus)
    } else {
        (q.gpu.id.clone(), q.gpus)
    };
    let mut cells = vec![p.index.to_string()];
    cells.extend(p.inputs.iter().cloned());
    cells.extend([
        q.model.id.clone(),
        gpu.clone(),
        gpus.to_string(),
        q.precision.as_str().to_string(),
        fmt_f64(q.train_tokens),
    ]);
    let sens_rows = sensitivity(prep);
    let sensitivity_names =
        sensitivity_names(p, &sens_rows.iter().map(|r| r.input).collect::<Vec<_>>());
    let sens = sens_rows
        .into_iter()
        .map(|r| SensitivityRow {
            point: p.index,
            input: r.input.to_string(),
            input_p10: Cell(r.input_p10),
            input_p90: Cell(r.input_p90),
            train_days_at_p10: Cell(r.train_days_at_p10),
            train_days_at_p90: Cell(r.train_days_at_p90),
            cost_usd_at_p10: Cell(r.cost_usd_at_p10),
            cost_usd_at_p90: Cell(r.cost_usd_at_p90),
            train_days_swing: Cell(r.train_days_swing),
            cost_usd_swing: Cell(r.cost_usd_swing),
        })
        .collect();
    let labels = |plans: &[crate::parallel::PlanResult]| -> Vec<String> {
        plans.iter().map(|r| r.strategy.label()).collect()
    };
    let nominal = nominal_run(prep).map(|n| {
        let part = |f: fn(&crate::cost::CostSplit) -> f64| Cell::of(n.split.as_ref().map(f));
        NominalRecord {
            train_days: Cell(n.train_days),
            cost_usd: Cell(n.cost_usd),
            compute_usd: part(|c| c.compute_usd),
            energy_usd: part(|c| c.energy_usd),
            overheads_usd: part(|c| c.overheads_usd),
            compute_label: n.compute_label,
        }
    });
    PointRecord {
        label: point_label(p, sweep_paths),
        nominal,
        point: p.index,
        cells,
        gpu,
        gpus,
        plans: labels(&prep.plans),
        pool_labels: prep.pools.iter().map(|x| x.pool.label.clone()).collect(),
        pool_plans: prep.pools.iter().map(|x| labels(&x.plans)).collect(),
        radix: prep.radix,
        fleet: p
            .pools
            .iter()
            .map(|x| x.describe())
            .collect::<Vec<_>>()
            .join(" + "),
        fleet_nominal: nominal_mode(prep),
        notes: prep.notes.clone(),
        infeasible: prep.infeasible.as_ref().map(ToString::to_string),
        trials: p.trials,
        sensitivity: sens,
        sensitivity_names,
        cost_missing: cost_missing(p),
    }
}

/// Why the cost of a point cannot be computed: the first pool whose chip lacks a price (or
/// a TDP) under its cost basis, in words.
fn cost_missing(p: &crate::scenario::Point) -> Option<String> {
    let gap = |q: &crate::estimate::Question, x: &crate::montecarlo::inputs::Inputs| {
        crate::cost::estimate_cost(&q.gpu, 1.0, 1.0, &x.energy, &x.cost)
            .err()
            .map(|g| format!("{}: {}", q.gpu.id, crate::report::names::cost_gap(&g)))
    };
    if p.pools.is_empty() {
        return gap(&p.question, &p.nominal);
    }
    p.pools.iter().find_map(|x| gap(&x.question, &x.nominal))
}

/// The input of each sensitivity row of `p` in words ([`crate::report::names::input_name`]).
fn sensitivity_names(p: &crate::scenario::Point, inputs: &[&str]) -> Vec<String> {
    let channels: Vec<String> = p.pools.iter().map(|x| x.channel.to_string()).collect();
    let pools: Vec<PoolName> = p
        .pools
        .iter()
        .zip(&channels)
        .map(|(x, c)| PoolName {
            index: x.index,
            label: &x.label,
            channel: c,
        })
        .collect();
    inputs.iter().map(|i| input_name(i, &pools)).collect()
}
