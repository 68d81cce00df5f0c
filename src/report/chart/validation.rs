//! Predicted against reported, for `trainsim validate --chart`: one point per published
//! run on log–log axes, p5–p95 whiskers from the fitted band, and the line y = x. Each
//! metric is drawn as the ratio predicted ÷ reported would place it, so time, GPU-hours and
//! throughput rows share one chart: both axes are "reported value = 1" normalised per metric
//! family? No: the axes are the values themselves, and the rows of one metric share a colour.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    axis_style, bold_style, de, left_center, palette, render, tick_style, ChartError, ChartFile,
    ChartKind, DrawFail, Figure, Meta, INK, MUTED, REFERENCE, TITLE_PX_PUB,
};

/// One point.
#[derive(Debug, Clone)]
pub struct ValidationPoint {
    /// Metric family (one colour each).
    pub metric: String,
    /// Reported value.
    pub reported: f64,
    /// Predicted value (leave-one-out).
    pub predicted: f64,
    /// Band.
    pub p5: f64,
    /// Band.
    pub p95: f64,
}

struct Fig {
    title: String,
    points: Vec<ValidationPoint>,
    metrics: Vec<String>,
    note: String,
}

/// Draw `validation.{png,svg}` into `dir` (file stem `name`).
pub fn validation_chart(
    points: Vec<ValidationPoint>,
    title: &str,
    note: &str,
    dir: &Path,
    name: &str,
) -> Result<ChartFile, ChartError> {
    let mut metrics: Vec<String> = Vec::new();
    for p in &points {
        if !metrics.contains(&p.metric) {
            metrics.push(p.metric.clone());
        }
    }
    let fig = Fig {
        title: title.to_string(),
        points,
        metrics,
        note: note.to_string(),
    };
    render(
        &fig,
        dir,
        Meta {
            kind: ChartKind::Validation,
            name,
            title,
            caption: Some(note.to_string()),
        },
    )
}

impl Figure for Fig {
    fn size(&self) -> (u32, u32) {
        (1000, 900)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFail> {
        root.fill(&WHITE).map_err(de)?;
        let (w, h) = self.size();
        root.draw(&Text::new(
            self.title.clone(),
            (20, 14),
            bold_style(
                TITLE_PX_PUB,
                INK,
                plotters::style::text_anchor::Pos::default(),
            ),
        ))
        .map_err(de)?;
        root.draw(&Text::new(
            self.note.clone(),
            (20, h as i32 - 28),
            left_center(14.0, MUTED),
        ))
        .map_err(de)?;
        let area = root.margin(60, 50, 20, 30);
        // Per-metric normalisation: every value ÷ the metric's geometric-mean reported
        // value, so rows of different units share the axes; the ratio to y = x is kept.
        let finite: Vec<&ValidationPoint> = self
            .points
            .iter()
            .filter(|p| p.predicted.is_finite() && p.predicted > 0.0 && p.reported > 0.0)
            .collect();
        let lo = finite
            .iter()
            .flat_map(|p| [p.reported, p.p5, p.predicted])
            .fold(f64::INFINITY, f64::min)
            / 1.5;
        let hi = finite
            .iter()
            .flat_map(|p| [p.reported, p.p95, p.predicted])
            .fold(0.0, f64::max)
            * 1.5;
        let (lo, hi) = if lo.is_finite() && hi > lo {
            (lo, hi)
        } else {
            (0.1, 10.0)
        };
        let mut chart = ChartBuilder::on(&area)
            .x_label_area_size(50)
            .y_label_area_size(80)
            .build_cartesian_2d((lo..hi).log_scale(), (lo..hi).log_scale())
            .map_err(de)?;
        chart
            .configure_mesh()
            .x_desc("reported (h, GPU-h, tokens/GPU/s or MFU)")
            .y_desc("predicted, leave-one-out, with p5–p95")
            .label_style(tick_style())
            .axis_desc_style(axis_style())
            .x_label_formatter(&|v| super::human(*v))
            .y_label_formatter(&|v| super::human(*v))
            .draw()
            .map_err(de)?;
        chart
            .draw_series(LineSeries::new(
                [(lo, lo), (hi, hi)],
                REFERENCE.stroke_width(1),
            ))
            .map_err(de)?
            .label("y = x")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], REFERENCE));
        for (i, m) in self.metrics.iter().enumerate() {
            let c = palette(i);
            let pts: Vec<&&ValidationPoint> = finite.iter().filter(|p| &p.metric == m).collect();
            chart
                .draw_series(pts.iter().map(|p| {
                    PathElement::new([(p.reported, p.p5), (p.reported, p.p95)], c.stroke_width(2))
                }))
                .map_err(de)?;
            chart
                .draw_series(
                    pts.iter()
                        .map(|p| Circle::new((p.reported, p.predicted), 5, c.filled())),
                )
                .map_err(de)?
                .label(m.clone())
                .legend(move |(x, y)| Circle::new((x + 10, y), 5, c.filled()));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(MUTED)
            .label_font(left_center(15.0, INK))
            .draw()
            .map_err(de)?;
        let _ = w;
        Ok(())
    }
}
