//! The [`Summarizer`]: consumes unit results in unit order (from a run or a merge of
//! shards), summarises each point when its last unit arrives, streams `trials.csv`, and at
//! the end writes `summary.csv` and `sensitivity.csv` and fills the report's view
//! ([`ScenarioOutcome::report`]). Everything it writes comes from the trials and the point
//! records, never from the clock or the thread count, so a merge gives a single run's bytes.
//!
//! The report keeps, per point, its label, quantiles, most chosen plan and a deterministic
//! subsample of its finite per-trial `train_days` for the distribution chart (at most
//! [`MAX_SAMPLES`], for the first [`MAX_CDF_LINES`] points that have any); the cost
//! breakdown and the tornado's nominal result; capex and the restriction ratios with their
//! bands, and why a cost is missing (`cost_missing` in the point record); and the tornados
//! of the **first [`MAX_TORNADOS`] points (in sweep order) that have sensitivity rows**, each
//! input named in words from the point record (`sensitivity_names`), with how many points
//! have rows (sensitivity.csv has every point's).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::export::sensitivity::{sensitivity_csv, SensitivityRow};
use super::export::summary::{write_summary_csv, SummaryRow, SummaryTail};
use super::export::trials::{trials_writer, write_point_trials};
use super::export::{AtomicFile, Cell};
use super::labels::{compact_value, input_label, ReportMeta};
use super::record::{NominalRecord, PointRecord, UnitResult};
use crate::fleet::format_day;
use crate::montecarlo::summary::{summarize_trials_sampled, MetricSummary, PointSummary};
use crate::montecarlo::{TrialMetrics, METRICS, NO_PLAN};
use crate::report::chart::{MAX_CDF_LINES, MAX_TORNADOS};
use crate::report::html::LIMITATIONS;
use crate::report::{
    write_atomic, Band, CostBreakdown, PointResult, PointSensitivity, Quantiles, ScenarioResult,
    Sensitivity,
};

/// Most per-trial `train_days` values kept per point for the distribution chart.
pub const MAX_SAMPLES: usize = 2000;

/// The summary of one point, for the terminal table.
#[derive(Debug, Clone)]
pub struct PointOutcome {
    /// Point index.
    pub point: usize,
    /// Swept values.
    pub inputs: Vec<String>,
    /// GPU id.
    pub gpu: String,
    /// GPUs.
    pub gpus: u64,
    /// p5, p50, p95 and mean of each metric of [`METRICS`] (all `None` when the point has
    /// no plan). Only these of the trial summary: a sweep of 100,000 points holds 100,000
    /// outcomes (issue 12).
    pub metrics: [Option<MetricSummary>; METRICS.len()],
    /// The plan chosen most often.
    pub plan: Option<String>,
    /// Why the point has no plan.
    pub infeasible: Option<String>,
    /// Its summary.csv row.
    pub row: SummaryRow,
}

/// What a whole (unsharded or merged) scenario run produced.
#[derive(Debug, Clone)]
pub struct ScenarioOutcome {
    /// Scenario name.
    pub name: String,
    /// Its output folder.
    pub dir: PathBuf,
    /// Swept keys.
    pub sweep_paths: Vec<String>,
    /// Points in order.
    pub points: Vec<PointOutcome>,
    /// Trials run.
    pub trials: u64,
    /// Order of the scenario in its batch.
    pub batch_index: usize,
    /// What the charts and report.html show ([`write_report`]).
    pub report: Box<ScenarioResult>,
}

/// The first infeasible trial of a point and why, if any.
type FirstReason = Option<(u64, String)>;

/// Consumes unit results in unit order and writes the final files of one scenario.
pub struct Summarizer {
    name: String,
    dir: PathBuf,
    sweep_paths: Vec<String>,
    batch_index: usize,
    sens_rows: Vec<SensitivityRow>,
    points: Vec<PointOutcome>,
    trials_out: Option<csv::Writer<AtomicFile>>,
    current: Option<(PointRecord, Vec<TrialMetrics>, FirstReason)>,
    trials_run: u64,
    /// Points whose `train_days` samples were kept (at most [`MAX_CDF_LINES`]).
    sampled_points: usize,
    meta: ReportMeta,
    report_points: Vec<PointResult>,
    /// The tornados of the first [`MAX_TORNADOS`] points with sensitivity rows.
    tornados: Vec<PointSensitivity>,
    /// Points with sensitivity rows.
    tornado_points: usize,
}

impl Summarizer {
    /// A summarizer writing into `<out>/<name>/`, for a scenario of `points` points (the
    /// capacity of what it keeps per point).
    pub(crate) fn new(
        name: &str,
        out: &Path,
        points: usize,
        sweep_paths: &[String],
        trials_csv: bool,
        batch_index: usize,
        meta: ReportMeta,
    ) -> anyhow::Result<Summarizer> {
        let dir = out.join(name);
        // Temporary files a killed earlier run left here (issue 12).
        crate::report::remove_stale_temps(&dir);
        crate::report::remove_stale_temps(&dir.join("charts"));
        crate::report::remove_stale_temps(out);
        let trials_out = if trials_csv {
            let f = AtomicFile::create(&dir.join("trials.csv"))
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            Some(trials_writer(f)?)
        } else {
            None
        };
        Ok(Summarizer {
            name: name.to_string(),
            dir,
            sweep_paths: sweep_paths.to_vec(),
            batch_index,
            sens_rows: Vec::new(),
            points: Vec::with_capacity(points),
            trials_out,
            current: None,
            trials_run: 0,
            sampled_points: 0,
            meta,
            report_points: Vec::with_capacity(points),
            tornados: Vec::new(),
            tornado_points: 0,
        })
    }

    pub(crate) fn consume(&mut self, u: UnitResult) -> anyhow::Result<()> {
        if let Some(rec) = u.record {
            self.finish_point()?;
            self.current = Some((rec, Vec::new(), None));
        }
        let Some((rec, trials, reason)) = &mut self.current else {
            anyhow::bail!(
                "unit of point {} arrived before the point's record",
                u.point
            );
        };
        if rec.point != u.point || u.first != trials.len() as u64 {
            anyhow::bail!("units of point {} arrived out of order", u.point);
        }
        trials.extend_from_slice(&u.trials);
        if reason.is_none() {
            *reason = u.first_reason;
        }
        Ok(())
    }

    fn finish_point(&mut self) -> anyhow::Result<()> {
        let Some((rec, trials, reason)) = self.current.take() else {
            return Ok(());
        };
        let keep = if self.sampled_points < MAX_CDF_LINES {
            MAX_SAMPLES
        } else {
            0
        };
        let mut summary = rec
            .infeasible
            .is_none()
            .then(|| summarize_trials_sampled(&trials, keep));
        let samples = summary
            .as_mut()
            .map(|s| std::mem::take(&mut s.train_days_sample))
            .unwrap_or_default();
        if !samples.is_empty() {
            self.sampled_points += 1;
        }
        let row = summary_row(&rec, summary.as_ref(), &trials, reason.as_ref());
        let plan = summary
            .as_ref()
            .and_then(|s| s.plan)
            .map(|(r, c)| (rec.plan_label(r), c));
        if let Some(w) = &mut self.trials_out {
            write_point_trials(w, rec.point, &trials, |c| rec.plan_label(c))?;
        }
        self.trials_run += trials.len() as u64;
        self.sens_rows.extend(rec.sensitivity.iter().cloned());
        let n_inputs = self.sweep_paths.len();
        let why = row.tail.infeasible_reason.clone();
        self.report_point(&rec, summary.as_ref(), samples, plan.as_ref(), &why);
        self.points.push(PointOutcome {
            point: rec.point,
            inputs: rec.cells[1..1 + n_inputs].to_vec(),
            gpu: rec.gpu.clone(),
            gpus: rec.gpus,
            metrics: summary
                .as_ref()
                .map_or([None; METRICS.len()], |s| s.metrics),
            plan: plan.map(|p| p.0),
            infeasible: (!why.is_empty()).then_some(why),
            row,
        });
        Ok(())
    }

    /// The report's view of a finished point (and the tornado, from the first point that
    /// has one).
    fn report_point(
        &mut self,
        rec: &PointRecord,
        summary: Option<&PointSummary>,
        samples: Vec<f64>,
        plan: Option<&(String, u64)>,
        why: &str,
    ) {
        let q = |i: usize| {
            summary.and_then(|s| s.metrics[i]).map(|m| Quantiles {
                p5: m.p5,
                p50: m.p50,
                p95: m.p95,
                mean: m.mean,
            })
        };
        let train_days = q(0);
        let label = if rec.label.is_empty() {
            format!("{} × {}", rec.gpu, rec.gpus)
        } else {
            rec.label.clone()
        };
        let nominal = rec.nominal.as_ref();
        let breakdown = nominal.and_then(|n| {
            let parts = [n.compute_usd, n.energy_usd, n.overheads_usd].map(|c| c.0);
            parts.iter().all(|v| v.is_finite()).then(|| CostBreakdown {
                compute_usd: parts[0],
                energy_usd: parts[1],
                overheads_usd: parts[2],
                compute_label: n.compute_label.clone(),
            })
        });
        // A point without a finished trial is infeasible; one where only some trials failed
        // keeps its figures and says why after its plan, as the terminal table does.
        let (plan_text, infeasible_reason) = match (plan, train_days) {
            (_, None) => (
                String::new(),
                Some(if why.is_empty() {
                    "no trial finished".to_string()
                } else {
                    why.to_string()
                }),
            ),
            (Some((p, _)), Some(_)) if !why.is_empty() => (format!("{p}; {why}"), None),
            (Some((p, _)), Some(_)) => (p.clone(), None),
            (None, Some(_)) => (why.to_string(), None),
        };
        if !rec.sensitivity.is_empty() {
            self.tornado_points += 1;
        }
        if self.tornados.len() < MAX_TORNADOS && !rec.sensitivity.is_empty() {
            let nom = |f: fn(&NominalRecord) -> Cell| nominal.map_or(f64::NAN, |n| f(n).0);
            let (days0, cost0) = (nom(|n| n.train_days), nom(|n| n.cost_usd));
            let rows = rec
                .sensitivity
                .iter()
                .enumerate()
                .map(|(i, r)| Sensitivity {
                    input: r.input.clone(),
                    name: rec.sensitivity_names.get(i).cloned().unwrap_or_default(),
                    low_label: input_label(r.input_p10.0),
                    high_label: input_label(r.input_p90.0),
                    train_days_low: r.train_days_at_p10.0,
                    train_days_high: r.train_days_at_p90.0,
                    cost_usd_low: r.cost_usd_at_p10.0,
                    cost_usd_high: r.cost_usd_at_p90.0,
                    train_days_nominal: days0,
                    cost_usd_nominal: cost0,
                })
                .collect();
            self.tornados.push(PointSensitivity {
                point: rec.point,
                label: label.clone(),
                rows,
            });
        }
        let n_inputs = self.sweep_paths.len();
        self.report_points.push(PointResult {
            label,
            gpu: rec.gpu.clone(),
            gpus: rec.gpus,
            inputs: self
                .sweep_paths
                .iter()
                .cloned()
                .zip(rec.cells[1..1 + n_inputs].iter().map(|v| compact_value(v)))
                .collect(),
            train_days,
            cost_usd: q(2),
            gpu_hours: q(1),
            energy_mwh: q(3),
            mfu: q(4),
            cost_breakdown_usd: breakdown,
            train_days_samples: samples,
            plan: plan_text,
            infeasible_reason,
            fleet: rec.fleet.clone(),
            capex_usd: summary.and_then(|s| s.extra[7]),
            restriction_time_ratio: band(summary, 2),
            restriction_cost_ratio: band(summary, 3),
            cost_missing: (train_days.is_some() && q(2).is_none())
                .then(|| rec.cost_missing.clone())
                .flatten(),
        });
    }

    /// Write summary.csv, sensitivity.csv and finish trials.csv; the outcome for the table,
    /// the combined summary and the report.
    pub(crate) fn finish(mut self) -> anyhow::Result<ScenarioOutcome> {
        self.finish_point()?;
        let sens = sensitivity_csv(&self.sens_rows)?;
        if let Some(w) = self.trials_out.take() {
            super::export::finish_csv(w).with_context(|| {
                format!("cannot write {}", self.dir.join("trials.csv").display())
            })?;
        }
        write_atomic(&self.dir.join("sensitivity.csv"), &sens)
            .with_context(|| format!("cannot write in {}", self.dir.display()))?;
        let path = self.dir.join("summary.csv");
        let write = || -> anyhow::Result<()> {
            let f = AtomicFile::create(&path)?;
            write_summary_csv(f, &self.sweep_paths, self.points.iter().map(|p| &p.row))?
                .finish()?;
            Ok(())
        };
        write().with_context(|| format!("cannot write {}", path.display()))?;
        let report = Box::new(ScenarioResult {
            question: if self.meta.question.is_empty() {
                self.name.clone()
            } else {
                self.meta.question
            },
            name: self.name.clone(),
            points: self.report_points,
            tornados: self.tornados,
            tornado_points: self.tornado_points,
            assumptions: self.meta.assumptions,
            limitations: LIMITATIONS.iter().map(|l| l.to_string()).collect(),
            swept: self.sweep_paths.clone(),
        });
        Ok(ScenarioOutcome {
            name: self.name,
            dir: self.dir,
            sweep_paths: self.sweep_paths,
            points: self.points,
            trials: self.trials_run,
            batch_index: self.batch_index,
            report,
        })
    }
}

/// The summary.csv row of a finished point.
fn summary_row(
    rec: &PointRecord,
    summary: Option<&PointSummary>,
    trials: &[TrialMetrics],
    reason: Option<&(u64, String)>,
) -> SummaryRow {
    let quantiles = std::array::from_fn(|m| match summary.and_then(|s| s.metrics[m]) {
        Some(ms) => [ms.p5, ms.p50, ms.p95, ms.mean].map(Cell),
        None => [Cell::NONE; 4],
    });
    let plan = summary.and_then(|s| s.plan);
    let feasible = summary.map_or(0, |s| s.feasible);
    let infeasible_trials = summary.map_or(0, |s| s.infeasible);
    let infeasible_reason = match (&rec.infeasible, reason) {
        (Some(r), _) => r.clone(),
        (None, Some((i, r))) => format!(
            "{infeasible_trials} of {} trials (first: trial {i}): {r}",
            trials.len()
        ),
        (None, None) => String::new(),
    };
    // Issue 5: policy metrics (medians), build-up, fleet mode; issue 9: the bands of the
    // restriction ratios, under common random numbers.
    let extra = |i: usize| Cell::of(summary.and_then(|s| s.extra[i]));
    let band = |i: usize| summary.and_then(|s| s.extra_band[i]);
    let mode = fleet_mode(rec, trials, feasible);
    SummaryTail {
        plan: plan.map(|(r, _)| rec.plan_label(r)).unwrap_or_default(),
        plan_share: Cell::of(plan.map(|(_, c)| c as f64 / feasible as f64)),
        trials: trials.len() as u64,
        infeasible_trials,
        infeasible_reason,
        facility_power_mw_p50: extra(0),
        h100_equivalents_p50: extra(1),
        restriction_time_ratio_p50: extra(2),
        restriction_cost_ratio_p50: extra(3),
        unlawful_gpus: extra(4),
        months_to_acquire: extra(5),
        earliest_completion: summary
            .and_then(|s| s.extra[6])
            .map(format_day)
            .unwrap_or_default(),
        fleet: rec.fleet.clone(),
        fleet_mode: mode.0,
        fleet_mode_share: mode.1,
        fleet_reason: mode.2,
        notes: rec.notes.join("; "),
        restriction_time_ratio_p5: Cell::of(band(2).map(|b| b.0)),
        restriction_time_ratio_p95: Cell::of(band(2).map(|b| b.1)),
        restriction_cost_ratio_p5: Cell::of(band(3).map(|b| b.0)),
        restriction_cost_ratio_p95: Cell::of(band(3).map(|b| b.1)),
        capex_usd_p50: extra(7),
    }
    .into_row(rec, quantiles)
}

/// The fleet mode chosen most often (the lowest on a tie), its share of the feasible
/// trials, and why at nominal values; empty when no trial finished.
fn fleet_mode(rec: &PointRecord, trials: &[TrialMetrics], feasible: u64) -> (String, Cell, String) {
    let mut modes: BTreeMap<usize, u64> = BTreeMap::new();
    for t in trials.iter().filter(|t| t.plan != NO_PLAN) {
        *modes.entry(rec.decode(t.plan).0).or_default() += 1;
    }
    let top = modes
        .iter()
        .fold(None::<(usize, u64)>, |b, (&m, &c)| match b {
            Some((_, bc)) if bc >= c => b,
            _ => Some((m, c)),
        });
    let Some((m, c)) = top else {
        return (String::new(), Cell::NONE, String::new());
    };
    let label = rec.mode_label(m);
    let reason = match &rec.fleet_nominal {
        Some((nominal, why)) if *nominal == label => why.clone(),
        Some((nominal, why)) => format!("at nominal values {nominal}: {why}"),
        None => String::new(),
    };
    (label, Cell(c as f64 / feasible as f64), reason)
}

impl SummaryTail {
    /// The whole row, after the record's leading cells and the quantiles.
    fn into_row(self, rec: &PointRecord, quantiles: [[Cell; 4]; METRICS.len()]) -> SummaryRow {
        SummaryRow {
            lead: rec.cells.clone(),
            quantiles,
            tail: self,
        }
    }
}

/// Extra metric `i` of a point's summary as a median with its band (issue 12: the report
/// shows the restriction ratios).
fn band(summary: Option<&PointSummary>, i: usize) -> Option<Band> {
    let s = summary?;
    Some(Band {
        p50: s.extra[i]?,
        p5_p95: s.extra_band[i],
    })
}
