//! Time to train and cost by fleet: the median as a bar, the p5–p95 band as a whisker.
//!
//! Bars are horizontal, one row per feasible sweep point, so long fleet names stay
//! readable; bars take the colour of their GPU.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    axis_style, cut_note, de, draw_legend, draw_row_labels, frame, gpu_color, gpu_colors,
    infeasible_note, join_notes, left_center, render, row_labels, row_labels_width, tick_style,
    usd, ChartError, ChartFile, ChartKind, DrawFail, Figure, Fmt, Frame, LegendItem, Mark, Meta,
    PointResult, Quantiles, Scale, ScenarioResult, GRID, INK, LEGEND_W, MAX_BAR_ROWS, TICK_PX,
    WIDTH,
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

#[derive(Clone, Copy)]
enum Metric {
    Days,
    Usd,
}

impl Metric {
    fn get(self, p: &PointResult) -> Option<Quantiles> {
        match self {
            Metric::Days => p.train_days,
            Metric::Usd => p.cost_usd,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Metric::Days => "train_days_by_fleet",
            Metric::Usd => "cost_usd_by_fleet",
        }
    }
    fn title(self) -> &'static str {
        match self {
            Metric::Days => "Time to train by fleet",
            Metric::Usd => "Training cost by fleet",
        }
    }
    fn axis(self) -> &'static str {
        match self {
            Metric::Days => "Time to train (days)",
            Metric::Usd => "Training cost (USD)",
        }
    }
    fn fmt(self) -> Fmt {
        match self {
            Metric::Days => Fmt::Human,
            Metric::Usd => Fmt::Usd,
        }
    }
    fn value(self, v: f64) -> String {
        match self {
            Metric::Days => format!("{} d", super::human(v)),
            Metric::Usd => usd(v),
        }
    }
}

struct Row {
    label: String,
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
            let q = metric.get(p)?;
            q.is_finite().then(|| Row {
                label: p.label.clone(),
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
    let used: Vec<&(String, RGBColor)> = colors
        .iter()
        .filter(|(g, _)| {
            result
                .points
                .iter()
                .any(|p| &p.gpu == g && !p.is_infeasible())
        })
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
        title: super::headline(metric.title(), &result.name),
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
            name: metric.name(),
            title: metric.title(),
            caption,
        },
    )
    .map(Some)
}

/// The infeasible points, and feasible points without this metric, that the chart leaves out.
fn footnote(result: &ScenarioResult, metric: Metric) -> Option<String> {
    let missing: Vec<&str> = result
        .points
        .iter()
        .filter(|p| !p.is_infeasible() && !metric.get(p).is_some_and(|q| q.is_finite()))
        .map(|p| p.label.as_str())
        .collect();
    let missing = (!missing.is_empty()).then(|| format!("No result for: {}.", missing.join(", ")));
    match (infeasible_note(&result.points), missing) {
        (Some(a), Some(b)) => Some(format!("{a} {b}")),
        (a, b) => a.or(b),
    }
}

impl Figure for FleetBars {
    fn size(&self) -> (u32, u32) {
        (WIDTH, (170 + 45 * self.rows.len() as u32).max(330))
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
        let labels = row_labels(&plot, &names, 330);
        let label_w = row_labels_width(&plot, &labels) + 22;
        let hi = self
            .rows
            .iter()
            .map(|r| r.q.p95.max(r.q.p50))
            .fold(0.0, f64::max);
        // Room to the right of the longest whisker for its value label.
        let x = Scale::linear(0.0, hi * 1.2, self.metric.fmt());
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
            .x_desc(self.metric.axis())
            .axis_desc_style(axis_style())
            .label_style(tick_style())
            .bold_line_style(GRID.stroke_width(1))
            .axis_style(INK.stroke_width(1))
            .draw()
            .map_err(de)?;
        draw_row_labels(&plot, &chart, x_start, &labels)?;

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
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((end, y))
                        + Text::new(
                            self.metric.value(r.q.p50),
                            (8, 0),
                            left_center(TICK_PX, INK),
                        ),
                ))
                .map_err(de)?;
        }
        Ok(())
    }
}
