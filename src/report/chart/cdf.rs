//! Distribution of time to train across trials: one empirical CDF per fleet.
//!
//! The y axis is the share of trials that finish within x days, with grid lines at 5%, 50%
//! and 95% so p5, p50 and p95 can be read off. Lines take their GPU's colour; fleets of the
//! same GPU differ by dash pattern (smallest fleet solid).

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    cut_note, de, draw_legend, draw_mesh, frame, gpu_color, gpu_colors, infeasible_note,
    join_notes, plot_chart, render, ChartError, ChartFile, ChartKind, Dash, DrawFail, Figure, Fmt,
    Frame, LegendItem, Mark, Meta, Scale, ScenarioResult, DASHES, GRID_LIGHT, LEGEND_W,
    MAX_CDF_LINES,
};

/// Empirical CDF of the per-trial time to train, one line per feasible point with samples:
/// `train_days_cdf_by_fleet.{png,svg}`. `None` when no point has samples.
pub fn train_days_cdf_by_fleet(
    result: &ScenarioResult,
    dir: &Path,
) -> Result<Option<ChartFile>, ChartError> {
    let colors = gpu_colors(result);
    let mut lines: Vec<Line> = Vec::new();
    for p in result.points.iter().filter(|p| !p.is_infeasible()) {
        let mut xs: Vec<f64> = p
            .train_days_samples
            .iter()
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
            .collect();
        if xs.is_empty() {
            continue;
        }
        xs.sort_by(f64::total_cmp);
        // Rank of this fleet among the fleets of its GPU, for the dash pattern.
        let rank = lines.iter().filter(|l| l.gpu == p.gpu).count();
        lines.push(Line {
            label: p.label.clone(),
            gpu: p.gpu.clone(),
            color: gpu_color(&colors, &p.gpu),
            dash: DASHES[rank % DASHES.len()],
            xs,
        });
    }
    if lines.is_empty() {
        return Ok(None);
    }
    let cut = cut_note(MAX_CDF_LINES, lines.len(), "points with samples");
    lines.truncate(MAX_CDF_LINES);
    let fig = Cdf {
        title: super::headline(TITLE, &result.name),
        lines,
        footnote: join_notes([cut, infeasible_note(&result.points)]),
    };
    render(
        &fig,
        dir,
        Meta {
            kind: ChartKind::Cdf,
            name: "train_days_cdf_by_fleet",
            title: TITLE,
            caption: fig.footnote.clone(),
        },
    )
    .map(Some)
}

const TITLE: &str = "Distribution of time to train across trials";

struct Line {
    label: String,
    gpu: String,
    color: RGBColor,
    dash: Dash,
    /// Sorted samples, days.
    xs: Vec<f64>,
}

struct Cdf {
    title: String,
    lines: Vec<Line>,
    footnote: Option<String>,
}

impl Figure for Cdf {
    fn footnote(&self) -> Option<&str> {
        self.footnote.as_deref()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFail> {
        let (plot, legend) = frame(
            root,
            &Frame {
                title: &self.title,
                subtitle: Some(
                    "Share of trials that finish within x days. Read p5, p50 and p95 where a line crosses 5%, 50% and 95%.",
                ),
                footnote: self.footnote.as_deref(),
                legend_w: LEGEND_W,
            },
        )?;
        let items: Vec<LegendItem> = self
            .lines
            .iter()
            .map(|l| LegendItem {
                label: l.label.clone(),
                color: l.color,
                mark: Mark::Line(l.dash),
            })
            .collect();
        if let Some(area) = &legend {
            draw_legend(area, Some("Fleet"), &items)?;
        }

        let lo = self
            .lines
            .iter()
            .map(|l| l.xs[0])
            .fold(f64::INFINITY, f64::min);
        let hi = self
            .lines
            .iter()
            .map(|l| l.xs[l.xs.len() - 1])
            .fold(0.0, f64::max);
        let x = if hi / lo > 6.0 {
            Scale::log(lo / 1.1, hi * 1.1, Fmt::Human)
        } else {
            let pad = (hi - lo).max(hi * 0.02) * 0.05;
            Scale::linear((lo - pad).max(0.0), hi + pad, Fmt::Human)
        };
        let log_note = if x.is_log() { ", log scale" } else { "" };
        let y = Scale::linear(0.0, 100.0, Fmt::Percent)
            .with_ticks(vec![0.0, 5.0, 25.0, 50.0, 75.0, 95.0, 100.0]);

        let mut chart = plot_chart(&plot, x, y, 90)?;
        draw_mesh(&mut chart, |m| {
            m.x_desc(format!("Time to train (days{log_note})"))
                .y_desc("Trials finished (%)")
                .light_line_style(GRID_LIGHT.stroke_width(1));
        })?;

        for l in &self.lines {
            let pts = cdf_points(&l.xs, 120);
            let style = l.color.stroke_width(3);
            match l.dash {
                Dash::Solid => {
                    chart.draw_series(LineSeries::new(pts, style)).map_err(de)?;
                }
                Dash::Dashed(on, off) => {
                    chart
                        .draw_series(DashedLineSeries::new(pts, on, off, style))
                        .map_err(de)?;
                }
            }
        }
        Ok(())
    }
}

/// The empirical CDF of sorted samples `xs` as at most `n + 2` points (x, % of trials at or
/// below x), read at evenly spaced ranks so dashed lines stay clean with thousands of trials.
fn cdf_points(xs: &[f64], n: usize) -> Vec<(f64, f64)> {
    let len = xs.len();
    let Some(first) = xs.first() else {
        return Vec::new();
    };
    // The line starts at 0% at the smallest sample.
    let mut out = vec![(*first, 0.0)];
    if len <= n {
        out.extend(
            xs.iter()
                .enumerate()
                .map(|(i, x)| (*x, 100.0 * (i + 1) as f64 / len as f64)),
        );
    } else {
        out.extend((0..=n).map(|k| {
            let i = ((len - 1) * k) / n;
            (xs[i], 100.0 * (i + 1) as f64 / len as f64)
        }));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::cdf_points;

    #[test]
    fn cdf_points_span_the_samples() {
        let xs: Vec<f64> = (1..=1000).map(f64::from).collect();
        let pts = cdf_points(&xs, 100);
        assert_eq!(pts.len(), 102);
        assert_eq!(pts[0], (1.0, 0.0));
        assert_eq!(pts[1], (1.0, 0.1));
        assert_eq!(pts[101], (1000.0, 100.0));
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1));
        assert_eq!(
            cdf_points(&[2.0, 3.0], 100),
            vec![(2.0, 0.0), (2.0, 50.0), (3.0, 100.0)]
        );
        assert!(cdf_points(&[], 10).is_empty());
    }
}
