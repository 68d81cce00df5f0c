//! Time to train and cost by fleet: the median as a bar, the p5–p95 band as a whisker.
//!
//! Bars are horizontal, one row per feasible sweep point, so long fleet names stay
//! readable; bars take the colour of their GPU.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    bar_chart, bar_chart_size, cut_note, de, draw_bar_value, draw_legend, frame, gpu_color,
    gpu_colors, infeasible_note, join_notes, render, usd, ChartError, ChartFile, ChartKind,
    DrawFail, Figure, Frame, LegendItem, Mark, Meta, Metric, PointResult, Quantiles, Scale,
    ScenarioResult, INK, LEGEND_W, MAX_BAR_ROWS,
};

/// Bars of p50 time to train per fleet with p5–p95 whiskers: `train_days_by_fleet.{png,svg}`.
/// `None` when no point has a time to train.
pub fn train_days_by_fleet(
    result: &ScenarioResult,
    dir: &Path,
) -> Result<Option<ChartFile>, ChartError> {
    draw(result, dir, Metric::Days)
}

/// Bars of p50 cost per fleet with p5–p95 whiskers: `cost_usd_by_fleet.{png,svg}`.
/// `None` when no point has a cost.
pub fn cost_usd_by_fleet(
    result: &ScenarioResult,
    dir: &Path,
) -> Result<Option<ChartFile>, ChartError> {
    draw(result, dir, Metric::Usd)
}

// What differs between the two fleet bar charts.

fn quantiles(metric: Metric, p: &PointResult) -> Option<Quantiles> {
    metric.pick(p.train_days, p.cost_usd)
}
fn name(metric: Metric) -> &'static str {
    metric.pick("train_days_by_fleet", "cost_usd_by_fleet")
}
fn title(metric: Metric) -> &'static str {
    metric.pick("Time to train by fleet", "Training cost by fleet")
}
fn value(metric: Metric, v: f64) -> String {
    match metric {
        Metric::Days => format!("{} d", super::human(v)),
        Metric::Usd => usd(v),
    }
}

struct Row {
    label: String,
    gpu: String,
    q: Quantiles,
    color: RGBColor,
}

struct FleetBars {
    metric: Metric,
    title: String,
    rows: Vec<Row>,
    legend: Vec<LegendItem>,
    footnote: Option<String>,
}

fn draw(
    result: &ScenarioResult,
    dir: &Path,
    metric: Metric,
) -> Result<Option<ChartFile>, ChartError> {
    let colors = gpu_colors(result);
    let mut rows: Vec<Row> = result
        .points
        .iter()
        .filter(|p| !p.is_infeasible())
        .filter_map(|p| {
            let q = quantiles(metric, p)?;
            q.is_finite().then(|| Row {
                label: p.label.clone(),
                gpu: p.gpu.clone(),
                q,
                color: gpu_color(&colors, &p.gpu),
            })
        })
        .collect();
    if rows.is_empty() {
        return Ok(None);
    }
    let cut = cut_note(MAX_BAR_ROWS, rows.len(), "points");
    rows.truncate(MAX_BAR_ROWS);
    // Only the GPUs with a bar drawn (issue 12: a chip without a price had no bar on the
    // cost chart but kept its legend entry).
    let used: Vec<&(String, RGBColor)> = colors
        .iter()
        .filter(|(g, _)| rows.iter().any(|r| &r.gpu == g))
        .collect();
    let legend = if used.len() > 1 {
        used.iter()
            .map(|(g, c)| LegendItem {
                label: g.clone(),
                color: *c,
                mark: Mark::Box,
            })
            .collect()
    } else {
        Vec::new()
    };
    let fig = FleetBars {
        metric,
        title: super::headline(title(metric), &result.name),
        rows,
        legend,
        footnote: join_notes([cut, footnote(result, metric)]),
    };
    let caption = fig.footnote.clone();
    render(
        &fig,
        dir,
        Meta {
            kind: ChartKind::FleetBars,
            name: name(metric),
            title: title(metric),
            caption,
        },
    )
    .map(Some)
}

/// The infeasible points, and feasible points without this metric, that the chart leaves
/// out; a point without a cost says why (a chip without a price, and what to pass).
fn footnote(result: &ScenarioResult, metric: Metric) -> Option<String> {
    let left_out = |p: &&PointResult| {
        !p.is_infeasible() && !quantiles(metric, p).is_some_and(|q| q.is_finite())
    };
    let mut unpriced: Vec<String> = Vec::new();
    let mut missing: Vec<&str> = Vec::new();
    for p in result.points.iter().filter(left_out) {
        match (metric, &p.cost_missing) {
            (Metric::Usd, Some(why)) => unpriced.push(format!("{} ({why})", p.label)),
            _ => missing.push(p.label.as_str()),
        }
    }
    let unpriced = (!unpriced.is_empty()).then(|| format!("No cost for: {}.", unpriced.join("; ")));
    let missing = (!missing.is_empty()).then(|| format!("No result for: {}.", missing.join(", ")));
    join_notes([infeasible_note(&result.points), unpriced, missing])
}

impl Figure for FleetBars {
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
                    "Bar: median (p50) over the Monte Carlo trials. Whisker: 5th to 95th percentile.",
                ),
                footnote: self.footnote.as_deref(),
                legend_w: if self.legend.is_empty() { 0 } else { LEGEND_W },
            },
        )?;
        if let Some(area) = &legend {
            draw_legend(area, Some("GPU"), &self.legend)?;
        }

        let names: Vec<String> = self.rows.iter().map(|r| r.label.clone()).collect();
        let hi = self
            .rows
            .iter()
            .map(|r| r.q.p95.max(r.q.p50))
            .fold(0.0, f64::max);
        // Room to the right of the longest whisker for its value label.
        let x = Scale::linear(0.0, hi * 1.2, self.metric.fmt());
        let mut chart = bar_chart(&plot, &names, x, self.metric.axis())?;

        let half = 0.32;
        chart
            .draw_series(self.rows.iter().enumerate().map(|(i, r)| {
                let y = i as f64;
                Rectangle::new([(0.0, y - half), (r.q.p50, y + half)], r.color.filled())
            }))
            .map_err(de)?;
        let whisker = INK.stroke_width(2);
        for (i, r) in self.rows.iter().enumerate() {
            let y = i as f64;
            let cap = 0.14;
            chart
                .draw_series([
                    PathElement::new(vec![(r.q.p5, y), (r.q.p95, y)], whisker),
                    PathElement::new(vec![(r.q.p5, y - cap), (r.q.p5, y + cap)], whisker),
                    PathElement::new(vec![(r.q.p95, y - cap), (r.q.p95, y + cap)], whisker),
                ])
                .map_err(de)?;
            let end = r.q.p95.max(r.q.p50);
            draw_bar_value(&mut chart, (end, y), value(self.metric, r.q.p50))?;
        }
        Ok(())
    }
}
