//! `summary.csv` (one row per sweep point) and the combined `<out>/summary.csv` of a batch.
//!
//! A row is the point's leading cells (`point`, the swept inputs, then [`LEAD_COLUMNS`]),
//! p5/p50/p95/mean of each of [`METRICS`], then the fixed columns of [`SummaryTail`]. The
//! swept inputs are the one dynamic part: the header is built from the same lists the row is
//! written from (the sweep paths, [`LEAD_COLUMNS`], [`METRICS`] and [`SummaryTail`]'s fields).

use std::io::Write;

use serde::Serialize;

use super::{field_names, writer_with_header, Cell};
use crate::montecarlo::METRICS;

/// The fixed columns between the swept inputs and the metrics, in order (a point record's
/// `cells` hold them after the point and its inputs).
pub const LEAD_COLUMNS: [&str; 5] = ["model", "gpu", "gpus", "precision", "train_tokens"];

/// Quantile suffixes of each of [`METRICS`], in column order.
pub const QUANTILES: [&str; 4] = ["p5", "p50", "p95", "mean"];

/// The columns after the metrics' quantiles: the plan, infeasibility, the policy metrics'
/// medians (issue 5), the build-up date, how the fleet was used, and the bands of the
/// restriction ratios (issue 9) and the capex median (issue 11), appended in that order so
/// earlier columns keep their places.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SummaryTail {
    /// The plan chosen most often.
    pub plan: String,
    /// Share of feasible trials that chose it.
    pub plan_share: Cell,
    /// Trials run.
    pub trials: u64,
    /// Trials in which no plan could make progress.
    pub infeasible_trials: u64,
    /// Why the point, or some of its trials, had no plan.
    pub infeasible_reason: String,
    /// Median facility power, MW.
    pub facility_power_mw_p50: Cell,
    /// Median H100 equivalents.
    pub h100_equivalents_p50: Cell,
    /// Median time ratio to the reference fleet.
    pub restriction_time_ratio_p50: Cell,
    /// Median cost ratio to the reference fleet.
    pub restriction_cost_ratio_p50: Cell,
    /// Median smuggled GPUs in use.
    pub unlawful_gpus: Cell,
    /// Median months to acquire the fleet.
    pub months_to_acquire: Cell,
    /// Median completion date (`YYYY-MM-DD`).
    pub earliest_completion: String,
    /// The pools, described.
    pub fleet: String,
    /// The fleet mode chosen most often (`alone:<pool>` or `combined`).
    pub fleet_mode: String,
    /// Share of feasible trials that chose it.
    pub fleet_mode_share: Cell,
    /// Why, at nominal values.
    pub fleet_reason: String,
    /// Warnings, joined by `; `.
    pub notes: String,
    /// p5 of the time ratio.
    pub restriction_time_ratio_p5: Cell,
    /// p95 of the time ratio.
    pub restriction_time_ratio_p95: Cell,
    /// p5 of the cost ratio.
    pub restriction_cost_ratio_p5: Cell,
    /// p95 of the cost ratio.
    pub restriction_cost_ratio_p95: Cell,
    /// Median up-front hardware cost of the owned pools, USD.
    pub capex_usd_p50: Cell,
}

/// One row of summary.csv.
#[derive(Debug, Clone, PartialEq)]
pub struct SummaryRow {
    /// `point`, the swept inputs, then [`LEAD_COLUMNS`] (the point record's `cells`).
    pub lead: Vec<String>,
    /// p5, p50, p95, mean of each of [`METRICS`] (empty cells when no trial finished).
    pub quantiles: [[Cell; 4]; METRICS.len()],
    /// The rest.
    pub tail: SummaryTail,
}

/// The columns from the metrics on, shared by both summaries.
fn metric_and_tail_header() -> Vec<String> {
    let mut h: Vec<String> = METRICS
        .iter()
        .flat_map(|m| QUANTILES.map(|q| format!("{}_{q}", m.name)))
        .collect();
    h.extend(field_names::<SummaryTail>());
    h
}

/// Column names of summary.csv; swept keys that collide with a fixed column get a `swept.`
/// prefix.
pub fn summary_header(sweep_paths: &[String]) -> Vec<String> {
    let rest = metric_and_tail_header();
    let mut h = vec!["point".to_string()];
    for p in sweep_paths {
        let taken = LEAD_COLUMNS.contains(&p.as_str()) || p == "point" || rest.contains(p);
        h.push(if taken {
            format!("swept.{p}")
        } else {
            p.clone()
        });
    }
    h.extend(LEAD_COLUMNS.map(String::from));
    h.extend(rest);
    h
}

/// Column names of the combined summary: the swept inputs of each scenario are joined into
/// one `inputs` cell (`fleet.gpu=h20; fleet.count=2048`).
pub fn combined_header() -> Vec<String> {
    let mut h: Vec<String> = ["scenario", "point", "inputs"].map(String::from).to_vec();
    h.extend(LEAD_COLUMNS.map(String::from));
    h.extend(metric_and_tail_header());
    h
}

/// summary.csv of one scenario.
pub fn summary_csv<'a>(
    sweep_paths: &[String],
    rows: impl IntoIterator<Item = &'a SummaryRow>,
) -> anyhow::Result<Vec<u8>> {
    write_summary_csv(Vec::new(), sweep_paths, rows)
}

/// summary.csv of one scenario, written to `w` (a file, without a copy in memory).
pub fn write_summary_csv<'a, W: Write>(
    w: W,
    sweep_paths: &[String],
    rows: impl IntoIterator<Item = &'a SummaryRow>,
) -> anyhow::Result<W> {
    let mut w = writer_with_header(w, &summary_header(sweep_paths))?;
    for r in rows {
        w.serialize((&r.lead, &r.quantiles, &r.tail))?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{}", e.error()))
}

/// A scenario's rows for the combined summary: its name, its swept keys, its rows.
pub struct CombinedPart<'a, I> {
    /// Scenario name.
    pub scenario: &'a str,
    /// Its swept keys.
    pub sweep_paths: &'a [String],
    /// Its rows, in point order.
    pub rows: I,
}

/// The combined summary of a batch, scenarios in the order given, written to `w`.
pub fn write_combined_csv<'a, W: Write, I: IntoIterator<Item = &'a SummaryRow>>(
    w: W,
    parts: impl IntoIterator<Item = CombinedPart<'a, I>>,
) -> anyhow::Result<W> {
    let mut w = writer_with_header(w, &combined_header())?;
    for part in parts {
        let n = part.sweep_paths.len();
        for r in part.rows {
            let inputs: Vec<String> = part
                .sweep_paths
                .iter()
                .zip(&r.lead[1..])
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let lead = (part.scenario, &r.lead[0], inputs.join("; "));
            w.serialize((lead, &r.lead[1 + n..], &r.quantiles, &r.tail))?;
        }
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{}", e.error()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A hand-built row: one swept input, train_days and cost known, the rest missing.
    fn row(point: usize, count: &str) -> SummaryRow {
        let mut quantiles = [[Cell::NONE; 4]; METRICS.len()];
        quantiles[0] = [Cell(10.0), Cell(12.5), Cell(15.0), Cell(12.25)];
        quantiles[2] = [Cell(1e6), Cell(1.25e6), Cell(1.5e6), Cell(1.2e6)];
        SummaryRow {
            lead: [
                &point.to_string(),
                count,
                "llama3.1-8b",
                "h100",
                count,
                "bf16",
                "1e11",
            ]
            .map(String::from)
            .to_vec(),
            quantiles,
            tail: SummaryTail {
                plan: "tp1 pp1 dp64".into(),
                plan_share: Cell(1.0),
                trials: 2,
                fleet: "64 × h100 (purchase)".into(),
                notes: "a, \"quoted\" note".into(),
                ..SummaryTail::default()
            },
        }
    }

    #[test]
    fn summary_rows_follow_their_header() {
        let paths = vec!["fleet.count".to_string()];
        let s = String::from_utf8(summary_csv(&paths, &[row(0, "64"), row(1, "128")]).unwrap())
            .unwrap();
        insta::assert_snapshot!(s, @r#"
        point,fleet.count,model,gpu,gpus,precision,train_tokens,train_days_p5,train_days_p50,train_days_p95,train_days_mean,gpu_hours_p5,gpu_hours_p50,gpu_hours_p95,gpu_hours_mean,cost_usd_p5,cost_usd_p50,cost_usd_p95,cost_usd_mean,energy_mwh_p5,energy_mwh_p50,energy_mwh_p95,energy_mwh_mean,mfu_p5,mfu_p50,mfu_p95,mfu_mean,plan,plan_share,trials,infeasible_trials,infeasible_reason,facility_power_mw_p50,h100_equivalents_p50,restriction_time_ratio_p50,restriction_cost_ratio_p50,unlawful_gpus,months_to_acquire,earliest_completion,fleet,fleet_mode,fleet_mode_share,fleet_reason,notes,restriction_time_ratio_p5,restriction_time_ratio_p95,restriction_cost_ratio_p5,restriction_cost_ratio_p95,capex_usd_p50
        0,64,llama3.1-8b,h100,64,bf16,1e11,10,12.5,15,12.25,,,,,1000000,1250000,1500000,1200000,,,,,,,,,tp1 pp1 dp64,1,2,0,,,,,,,,,64 × h100 (purchase),,,,"a, ""quoted"" note",,,,,
        1,128,llama3.1-8b,h100,128,bf16,1e11,10,12.5,15,12.25,,,,,1000000,1250000,1500000,1200000,,,,,,,,,tp1 pp1 dp64,1,2,0,,,,,,,,,64 × h100 (purchase),,,,"a, ""quoted"" note",,,,,
        "#);
    }

    #[test]
    fn a_swept_key_that_names_a_column_is_prefixed() {
        let h = summary_header(&["gpus".into(), "plan".into(), "fleet.gpu".into()]);
        assert_eq!(h[1..4], ["swept.gpus", "swept.plan", "fleet.gpu"]);
        assert_eq!(h.len(), 1 + 3 + 5 + 20 + 22);
    }

    #[test]
    fn the_combined_summary_joins_the_inputs() {
        let paths = vec!["fleet.count".to_string()];
        let rows = [row(0, "64")];
        let parts = [
            CombinedPart {
                scenario: "a",
                sweep_paths: &paths,
                rows: rows.iter(),
            },
            CombinedPart {
                scenario: "b",
                sweep_paths: &[],
                rows: [].iter(),
            },
        ];
        let s = String::from_utf8(write_combined_csv(Vec::new(), parts).unwrap()).unwrap();
        insta::assert_snapshot!(s, @r#"
        scenario,point,inputs,model,gpu,gpus,precision,train_tokens,train_days_p5,train_days_p50,train_days_p95,train_days_mean,gpu_hours_p5,gpu_hours_p50,gpu_hours_p95,gpu_hours_mean,cost_usd_p5,cost_usd_p50,cost_usd_p95,cost_usd_mean,energy_mwh_p5,energy_mwh_p50,energy_mwh_p95,energy_mwh_mean,mfu_p5,mfu_p50,mfu_p95,mfu_mean,plan,plan_share,trials,infeasible_trials,infeasible_reason,facility_power_mw_p50,h100_equivalents_p50,restriction_time_ratio_p50,restriction_cost_ratio_p50,unlawful_gpus,months_to_acquire,earliest_completion,fleet,fleet_mode,fleet_mode_share,fleet_reason,notes,restriction_time_ratio_p5,restriction_time_ratio_p95,restriction_cost_ratio_p5,restriction_cost_ratio_p95,capex_usd_p50
        a,0,fleet.count=64,llama3.1-8b,h100,64,bf16,1e11,10,12.5,15,12.25,,,,,1000000,1250000,1500000,1200000,,,,,,,,,tp1 pp1 dp64,1,2,0,,,,,,,,,64 × h100 (purchase),,,,"a, ""quoted"" note",,,,,
        "#);
    }
}
