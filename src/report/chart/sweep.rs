//! Sweep curves: time to train against fleet size, one line per GPU.
//!
//! Both axes are logarithmic (x in powers of two when the fleet sizes allow), so perfect
//! linear scaling is a straight line of slope −1: the dashed line from each GPU's smallest
//! fleet. The shaded band is p5–p95.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    de, draw_legend, draw_mesh, frame, gpu_colors, infeasible_note, log_ticks, plot_chart, render,
    ChartError, ChartFile, ChartKind, Dash, DrawFail, Figure, Fmt, Frame, LegendItem, Mark, Meta,
    Quantiles, Scale, ScenarioResult, GRID_LIGHT, LEGEND_W, REFERENCE,
};

/// Time to train against fleet size, one line per GPU, with the ideal linear-scaling line
/// from each GPU's smallest fleet: `train_days_vs_gpus.{png,svg}`. `None` unless some GPU
/// has at least two feasible fleet sizes.
pub fn train_days_vs_gpus(
    result: &ScenarioResult,
    dir: &Path,
) -> Result<Option<ChartFile>, ChartError> {
    let mut curves: Vec<Curve> = Vec::new();
    for (gpu, color) in gpu_colors(result) {
        let mut pts: Vec<(f64, Quantiles)> = result
            .points
            .iter()
            .filter(|p| p.gpu == gpu && !p.is_infeasible() && p.gpus > 0)
            .filter_map(|p| {
                p.train_days
                    .filter(|q| q.is_finite() && q.p5 > 0.0)
                    .map(|q| (p.gpus as f64, q))
            })
            .collect();
        if pts.is_empty() {
            continue;
        }
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        // One value per fleet size (a sweep over other inputs repeats sizes): keep the first.
        pts.dedup_by(|b, a| a.0 == b.0);
        curves.push(Curve { gpu, color, pts });
    }
    if !curves.iter().any(|c| c.pts.len() >= 2) {
        return Ok(None);
    }
    let fig = Sweep {
        title: super::headline(TITLE, &result.name),
        curves,
        footnote: infeasible_note(&result.points),
    };
    render(
        &fig,
        dir,
        Meta {
            kind: ChartKind::Sweep,
            name: "train_days_vs_gpus",
            title: TITLE,
            caption: fig.footnote.clone(),
        },
    )
    .map(Some)
}

const TITLE: &str = "Time to train against fleet size";

struct Curve {
    gpu: String,
    color: RGBColor,
    /// (GPUs, days), sorted by GPUs.
    pts: Vec<(f64, Quantiles)>,
}

struct Sweep {
    title: String,
    curves: Vec<Curve>,
    footnote: Option<String>,
}

/// Ticks for the fleet-size axis over `[lo, hi]` (log scale, `axis_px` pixels long): the
/// swept sizes when there are few, else powers of two, thinned to at most `max` labels and
/// so that neighbours are at least [`MIN_TICK_GAP_PX`] apart (8,179 and 8,192 would
/// overlap).
fn gpu_ticks(sizes: &[f64], lo: f64, hi: f64, max: usize, axis_px: f64) -> Vec<f64> {
    let mut ticks: Vec<f64> = sizes.to_vec();
    ticks.sort_by(f64::total_cmp);
    ticks.dedup();
    if ticks.len() > max {
        ticks = (0..64)
            .map(|e| 2f64.powi(e))
            .filter(|v| *v >= lo && *v <= hi)
            .collect();
    }
    while ticks.len() > max {
        ticks = ticks.into_iter().step_by(2).collect();
    }
    let px = |v: f64| (v / lo).ln() / (hi / lo).ln() * axis_px;
    // Of two sizes too close to both be labelled, the one more points have wins.
    let weight = |v: f64| sizes.iter().filter(|s| **s == v).count();
    let mut kept: Vec<f64> = Vec::with_capacity(ticks.len());
    for t in ticks {
        match kept.last_mut() {
            Some(k) if px(t) - px(*k) < MIN_TICK_GAP_PX => {
                if weight(t) > weight(*k) {
                    *k = t;
                }
            }
            _ => kept.push(t),
        }
    }
    kept
}

/// Least distance between two fleet-size labels, pixels ("16,384" is about 50).
const MIN_TICK_GAP_PX: f64 = 64.0;

impl Figure for Sweep {
    fn footnote(&self) -> Option<&str> {
        self.footnote.as_deref()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFail> {
        let (plot, legend) = frame(
            root,
            &Frame {
                title: &self.title,
                subtitle: Some(
                    "Line: median (p50). Band: p5 to p95. Dashed: ideal linear scaling from the GPU's smallest fleet.",
                ),
                footnote: self.footnote.as_deref(),
                legend_w: LEGEND_W,
            },
        )?;
        let mut items: Vec<LegendItem> = self
            .curves
            .iter()
            .map(|c| LegendItem {
                label: c.gpu.clone(),
                color: c.color,
                mark: Mark::LineDot,
            })
            .collect();
        items.push(LegendItem {
            label: "ideal linear scaling".into(),
            color: REFERENCE,
            mark: Mark::Line(Dash::Dashed(10, 6)),
        });
        if let Some(area) = &legend {
            draw_legend(area, Some("GPU"), &items)?;
        }

        let sizes: Vec<f64> = self
            .curves
            .iter()
            .flat_map(|c| c.pts.iter().map(|p| p.0))
            .collect();
        let gmin = sizes.iter().copied().fold(f64::INFINITY, f64::min);
        let gmax = sizes.iter().copied().fold(0.0, f64::max);
        let (xlo, xhi) = (gmin / 1.3, gmax * 1.3);
        // The x axis spans the plot less the y labels (90) and the margins (20 + 30).
        let axis_px = f64::from(plot.dim_in_pixel().0.saturating_sub(140).max(100));
        let x =
            Scale::log(xlo, xhi, Fmt::Count).with_ticks(gpu_ticks(&sizes, xlo, xhi, 12, axis_px));

        let mut dmin = f64::INFINITY;
        let mut dmax: f64 = 0.0;
        for c in &self.curves {
            let (n0, q0) = c.pts[0];
            for (n, q) in &c.pts {
                dmin = dmin.min(q.p5).min(q0.p50 * n0 / n);
                dmax = dmax.max(q.p95);
            }
        }
        let y = Scale::log(dmin / 1.25, dmax * 1.25, Fmt::Human);
        let (ylo, yhi) = (y.start(), y.end());
        let y = y.with_ticks(log_ticks(ylo, yhi).0);

        let mut chart = plot_chart(&plot, x, y, 90)?;
        draw_mesh(&mut chart, |m| {
            m.x_desc("Fleet size (GPUs, log scale)")
                .y_desc("Time to train (days, log scale)")
                .light_line_style(GRID_LIGHT.stroke_width(1));
        })?;

        for c in &self.curves {
            if c.pts.len() >= 2 {
                let mut band: Vec<(f64, f64)> = c.pts.iter().map(|(n, q)| (*n, q.p95)).collect();
                band.extend(c.pts.iter().rev().map(|(n, q)| (*n, q.p5)));
                chart
                    .draw_series(std::iter::once(Polygon::new(
                        band,
                        c.color.mix(0.18).filled(),
                    )))
                    .map_err(de)?;
                let (n0, q0) = c.pts[0];
                let nmax = c.pts[c.pts.len() - 1].0;
                let ideal: Vec<(f64, f64)> = (0..=24)
                    .map(|i| {
                        let n = n0 * (nmax / n0).powf(i as f64 / 24.0);
                        (n, q0.p50 * n0 / n)
                    })
                    .collect();
                chart
                    .draw_series(DashedLineSeries::new(ideal, 10, 6, c.color.stroke_width(2)))
                    .map_err(de)?;
            } else {
                // A single fleet size: its p5–p95 as a whisker.
                let (n, q) = c.pts[0];
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(n, q.p5), (n, q.p95)],
                        c.color.stroke_width(2),
                    )))
                    .map_err(de)?;
            }
            chart
                .draw_series(LineSeries::new(
                    c.pts.iter().map(|(n, q)| (*n, q.p50)),
                    c.color.stroke_width(3),
                ))
                .map_err(de)?;
            chart
                .draw_series(
                    c.pts
                        .iter()
                        .map(|(n, q)| Circle::new((*n, q.p50), 5, c.color.filled())),
                )
                .map_err(de)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::gpu_ticks;

    #[test]
    fn fleet_size_labels_do_not_overlap() {
        let sizes = [8192.0, 8179.0, 9633.0, 14_048.0, 8192.0];
        let (lo, hi) = (8179.0 / 1.3, 14_048.0 * 1.3);
        assert_eq!(
            gpu_ticks(&sizes, lo, hi, 12, 740.0),
            [8192.0, 9633.0, 14_048.0]
        );
        // Powers of two when the sizes are many.
        let many: Vec<f64> = (1..=20).map(|i| f64::from(i) * 1000.0).collect();
        let t = gpu_ticks(&many, 700.0, 26_000.0, 12, 740.0);
        assert!(t.iter().all(|v| v.log2().fract() == 0.0), "{t:?}");
    }
}
