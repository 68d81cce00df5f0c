//! Cost breakdown: compute (rental or amortised capex), energy and overheads, stacked per
//! fleet, with the total printed at the end of each bar.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    bar_chart, bar_chart_size, cut_note, de, draw_bar_value, draw_legend, frame, infeasible_note,
    join_notes, render, usd, ChartError, ChartFile, ChartKind, CostBreakdown, DrawFail, Figure,
    Fmt, Frame, LegendItem, Mark, Meta, Scale, ScenarioResult, LEGEND_W, MAX_BAR_ROWS, PALETTE,
};

/// Stacked bars of compute, energy and overhead cost per feasible fleet:
/// `cost_usd_breakdown_by_fleet.{png,svg}`. `None` when no point has a breakdown.
pub fn cost_usd_breakdown_by_fleet(
    result: &ScenarioResult,
    dir: &Path,
) -> Result<Option<ChartFile>, ChartError> {
    let mut rows: Vec<(String, CostBreakdown)> = result
        .points
        .iter()
        .filter(|p| !p.is_infeasible())
        .filter_map(|p| {
            let b = p.cost_breakdown_usd.as_ref()?;
            let ok = [b.compute_usd, b.energy_usd, b.overheads_usd]
                .iter()
                .all(|v| v.is_finite() && *v >= 0.0);
            (ok && b.total_usd() > 0.0).then(|| (p.label.clone(), b.clone()))
        })
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let cut = cut_note(MAX_BAR_ROWS, rows.len(), "points");
    rows.truncate(MAX_BAR_ROWS);
    let mut compute_labels: Vec<&str> =
        rows.iter().map(|(_, b)| b.compute_label.as_str()).collect();
    compute_labels.sort_unstable();
    compute_labels.dedup();
    let compute = match compute_labels.as_slice() {
        [one] if !one.is_empty() => format!("compute: {one}"),
        _ => "compute (rental or amortised capex)".to_string(),
    };
    let fig = Breakdown {
        title: super::headline(TITLE, &result.name),
        compute,
        rows,
        footnote: join_notes([cut, infeasible_note(&result.points)]),
    };
    render(
        &fig,
        dir,
        Meta {
            kind: ChartKind::CostBreakdown,
            name: "cost_usd_breakdown_by_fleet",
            title: TITLE,
            caption: fig.footnote.clone(),
        },
    )
    .map(Some)
}

const TITLE: &str = "Where the money goes, by fleet";

struct Breakdown {
    title: String,
    compute: String,
    rows: Vec<(String, CostBreakdown)>,
    footnote: Option<String>,
}

/// Compute, energy, overheads (Okabe–Ito blue, orange, bluish green).
const PARTS: [RGBColor; 3] = [PALETTE[0], PALETTE[1], PALETTE[2]];

impl Figure for Breakdown {
    fn footnote(&self) -> Option<&str> {
        self.footnote.as_deref()
    }

    fn size(&self) -> (u32, u32) {
        bar_chart_size(self.rows.len())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFail> {
        let (plot, legend) = frame(
            root,
            &Frame {
                title: &self.title,
                subtitle: Some(
                    "Cost with every uncertain input at its nominal value, split by what it pays for.",
                ),
                footnote: self.footnote.as_deref(),
                legend_w: LEGEND_W,
            },
        )?;
        if let Some(area) = &legend {
            let names = [
                self.compute.as_str(),
                "energy",
                "overheads (servers, network)",
            ];
            let items: Vec<LegendItem> = names
                .iter()
                .zip(PARTS)
                .map(|(n, c)| LegendItem {
                    label: n.to_string(),
                    color: c,
                    mark: Mark::Box,
                })
                .collect();
            draw_legend(area, Some("Cost"), &items)?;
        }

        let names: Vec<String> = self.rows.iter().map(|(l, _)| l.clone()).collect();
        let hi = self
            .rows
            .iter()
            .map(|(_, b)| b.total_usd())
            .fold(0.0, f64::max);
        let x = Scale::linear(0.0, hi * 1.15, Fmt::Usd);
        let mut chart = bar_chart(&plot, &names, x, "Training cost (USD)")?;

        let half = 0.32;
        for (i, (_, b)) in self.rows.iter().enumerate() {
            let y = i as f64;
            let mut x0 = 0.0;
            for (v, c) in [b.compute_usd, b.energy_usd, b.overheads_usd]
                .into_iter()
                .zip(PARTS)
            {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0, y - half), (x0 + v, y + half)],
                        c.filled(),
                    )))
                    .map_err(de)?;
                x0 += v;
            }
            draw_bar_value(&mut chart, (x0, y), usd(x0))?;
        }
        Ok(())
    }
}
