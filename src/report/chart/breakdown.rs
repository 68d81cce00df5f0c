//! Cost breakdown: compute (rental or amortised capex), energy and overheads, stacked per
//! fleet, with the total printed at the end of each bar.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    axis_style, cut_note, de, draw_legend, draw_row_labels, frame, infeasible_note, join_notes,
    left_center, render, row_labels, row_labels_width, tick_style, usd, ChartError, ChartFile,
    ChartKind, CostBreakdown, DrawFail, Figure, Fmt, Frame, LegendItem, Mark, Meta, Scale,
    ScenarioResult, GRID, INK, LEGEND_W, MAX_BAR_ROWS, PALETTE, TICK_PX, WIDTH,
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
    fn size(&self) -> (u32, u32) {
        (WIDTH, (170 + 45 * self.rows.len() as u32).max(330))
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
        let labels = row_labels(&plot, &names, 330);
        let label_w = row_labels_width(&plot, &labels) + 22;
        let hi = self
            .rows
            .iter()
            .map(|(_, b)| b.total_usd())
            .fold(0.0, f64::max);
        let x = Scale::linear(0.0, hi * 1.15, Fmt::Usd);
        // Row labels are drawn below ([`draw_row_labels`]), wrapped; the axis has none.
        let y = Scale::categories(vec![String::new(); labels.len()], true);
        let x_start = x.start();

        let mut chart = ChartBuilder::on(&plot)
            .margin_top(10)
            .margin_left(20)
            .margin_right(30)
            .margin_bottom(10)
            .x_label_area_size(60)
            .y_label_area_size(label_w)
            .build_cartesian_2d(x, y)
            .map_err(de)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .x_desc("Training cost (USD)")
            .axis_desc_style(axis_style())
            .label_style(tick_style())
            .bold_line_style(GRID.stroke_width(1))
            .axis_style(INK.stroke_width(1))
            .draw()
            .map_err(de)?;
        draw_row_labels(&plot, &chart, x_start, &labels)?;

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
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((x0, y))
                        + Text::new(usd(x0), (8, 0), left_center(TICK_PX, INK)),
                ))
                .map_err(de)?;
        }
        Ok(())
    }
}
