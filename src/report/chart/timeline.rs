//! Charts of a timeline run (`trainsim timeline`, issue 10), each written as PNG and SVG in
//! the house style of this module's parent (frame, DejaVu Sans, Okabe–Ito palette):
//! - `gpus_by_chip_over_time`: the fleet on hand by chip, a stacked area per actor;
//! - `largest_run_flop_over_time`: the largest run trainable within `max_run_days`, per
//!   actor, p50 line and p5–p95 band, with the FLOP the target needs;
//! - `lead_months_distribution` and `lead_months_tornado` (in [`lead`]).
//!
//! Owns the plain-data input [`TimelineChartData`], which `timeline::output` fills; it
//! computes nothing about fleets or training.

mod lead;

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    de, draw_legend, draw_mesh, frame, headline, palette, plot_chart, render_to, ChartError,
    ChartFile, ChartKind, Dash, DrawFail, Figure, Fmt, Frame, LegendItem, Mark, Meta, Scale, Sink,
    GRID_LIGHT, LEGEND_W, REFERENCE, WIDTH,
};

/// One actor's base-case series, month by month.
#[derive(Debug, Clone)]
pub struct ActorSeries {
    /// Actor name.
    pub name: String,
    /// Median GPUs on hand, `gpus[chip][month]`.
    pub gpus: Vec<Vec<f64>>,
    /// Largest run in `max_run_days`, model FLOP: p5, p50, p95, each per month.
    pub largest_run_flop: [Vec<f64>; 3],
}

/// The lead of one actor over another in the base case, one value per trial.
#[derive(Debug, Clone)]
pub struct LeadSamples {
    /// E.g. "CN lab behind US lab".
    pub label: String,
    /// Months, one per trial (censored at the end of the period).
    pub months: Vec<f64>,
}

/// One counterfactual's lead of the base case's pair, signed as in the base case.
#[derive(Debug, Clone)]
pub struct LeadBar {
    /// Counterfactual name.
    pub counterfactual: String,
    /// Lead, months: p5, p50, p95.
    pub lead_months: [f64; 3],
}

/// Everything the timeline charts show.
#[derive(Debug, Clone)]
pub struct TimelineChartData {
    /// Scenario name.
    pub name: String,
    /// Month labels, `YYYY-MM`, one per month of the period.
    pub months: Vec<String>,
    /// Chip ids, in the order of [`ActorSeries::gpus`].
    pub chips: Vec<String>,
    /// Per actor, in file order.
    pub actors: Vec<ActorSeries>,
    /// Model FLOP the target needs, per month.
    pub required_flop: Vec<f64>,
    /// What the target is, e.g. "DeepSeek-V3, 14.8T tokens, ≤ 90 days".
    pub target: String,
    /// Base-case leads, one entry per (leader, follower) pair.
    pub leads: Vec<LeadSamples>,
    /// The base case's lead (the first pair of `leads`), months: p5, p50, p95.
    pub base_lead_months: Option<[f64; 3]>,
    /// Counterfactual rows of the tornado.
    pub counterfactuals: Vec<LeadBar>,
}

/// Draw every timeline chart the data supports into `dir`, as PNG and SVG.
pub fn draw_timeline(d: &TimelineChartData, dir: &Path) -> Result<Vec<ChartFile>, ChartError> {
    draw_to(d, Sink::Dir(dir))
}

/// Every timeline chart the data supports as SVG text only (nothing written), for
/// `trainsim serve`.
pub fn timeline_svgs(d: &TimelineChartData) -> Result<Vec<ChartFile>, ChartError> {
    draw_to(d, Sink::Memory)
}

fn draw_to(d: &TimelineChartData, sink: Sink) -> Result<Vec<ChartFile>, ChartError> {
    let mut out = Vec::new();
    for f in [
        gpus_by_chip_over_time,
        largest_run_flop_over_time,
        lead::lead_months_distribution,
        lead::lead_months_tornado,
    ] {
        if let Some(c) = f(d, sink)? {
            out.push(c);
        }
    }
    Ok(out)
}

/// The time axis: one unit per month, ticks at each January (or every quarter in a period
/// under two years), labelled `YYYY-MM`.
fn time_axis(months: &[String]) -> Scale {
    let n = months.len();
    let step = if n < 24 { 3 } else { 12 };
    let ticks: Vec<f64> = months
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            let mm: usize = m.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
            (mm - 1) % step == 0
        })
        .map(|(i, _)| i as f64)
        .collect();
    Scale::linear(-0.5, n as f64 - 0.5, Fmt::Labels(months.to_vec())).with_ticks(ticks)
}

/// `c` mixed with white: `k` = 0 keeps it, 1 gives white.
fn lighten(c: RGBColor, k: f64) -> RGBColor {
    let m = |x: u8| (x as f64 + (255.0 - x as f64) * k).round() as u8;
    RGBColor(m(c.0), m(c.1), m(c.2))
}

/// Stacked area of GPUs on hand by chip, one panel per actor:
/// `gpus_by_chip_over_time.{png,svg}`. `None` when no actor ever holds a GPU.
pub fn gpus_by_chip_over_time(
    d: &TimelineChartData,
    sink: Sink,
) -> Result<Option<ChartFile>, ChartError> {
    let any = d
        .actors
        .iter()
        .any(|a| a.gpus.iter().flatten().any(|&g| g > 0.0));
    if !any || d.months.is_empty() {
        return Ok(None);
    }
    let fig = FleetArea {
        title: headline(FLEET_TITLE, &d.name),
        d,
    };
    let meta = Meta {
        kind: ChartKind::Timeline,
        name: "gpus_by_chip_over_time",
        title: FLEET_TITLE,
        caption: Some("Median GPUs on hand at the start of each month, base case.".into()),
    };
    render_to(&fig, sink, meta).map(Some)
}

const FLEET_TITLE: &str = "Fleet over time by chip";

struct FleetArea<'a> {
    title: String,
    d: &'a TimelineChartData,
}

impl FleetArea<'_> {
    /// Chips some actor holds, as (index, colour).
    fn chips(&self) -> Vec<(usize, RGBColor)> {
        (0..self.d.chips.len())
            .filter(|&c| {
                self.d
                    .actors
                    .iter()
                    .any(|a| a.gpus[c].iter().any(|&g| g > 0.0))
            })
            .map(|c| (c, palette(c)))
            .collect()
    }
}

impl Figure for FleetArea<'_> {
    fn size(&self) -> (u32, u32) {
        (WIDTH, 140 + 330 * self.d.actors.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFail> {
        let (plot, legend) = frame(
            root,
            &Frame {
                title: &self.title,
                subtitle: Some(
                    "Median GPUs on hand at the start of each month, stacked by chip; base case.",
                ),
                footnote: None,
                legend_w: LEGEND_W,
            },
        )?;
        let chips = self.chips();
        if let Some(area) = &legend {
            let items: Vec<LegendItem> = chips
                .iter()
                .rev()
                .map(|&(c, color)| LegendItem {
                    label: self.d.chips[c].clone(),
                    color,
                    mark: Mark::Box,
                })
                .collect();
            draw_legend(area, Some("Chip (top to bottom)"), &items)?;
        }
        let panels = plot.split_evenly((self.d.actors.len(), 1));
        for (a, panel) in self.d.actors.iter().zip(&panels) {
            draw_fleet_panel(panel, a, &chips, &self.d.months)?;
        }
        Ok(())
    }
}

fn draw_fleet_panel<DB: DrawingBackend>(
    panel: &DrawingArea<DB, Shift>,
    a: &ActorSeries,
    chips: &[(usize, RGBColor)],
    months: &[String],
) -> Result<(), DrawFail> {
    let n = months.len();
    let mut lower = vec![0.0; n];
    let top = (0..n)
        .map(|t| chips.iter().map(|&(c, _)| a.gpus[c][t]).sum::<f64>())
        .fold(0.0, f64::max);
    let hi = if top > 0.0 { top * 1.08 } else { 1.0 };
    let y = Scale::linear(0.0, hi, Fmt::Human).with_ticks(super::nice_ticks(0.0, hi, 4));
    let mut chart = plot_chart(panel, time_axis(months), y, 80)?;
    draw_mesh(&mut chart, |m| {
        m.x_desc("Month")
            .y_desc(format!("{}: GPUs", a.name))
            .disable_x_mesh();
    })?;
    for &(c, color) in chips {
        let upper: Vec<f64> = lower.iter().zip(&a.gpus[c]).map(|(l, g)| l + g).collect();
        if a.gpus[c].iter().all(|&g| g <= 0.0) {
            continue;
        }
        let mut pts: Vec<(f64, f64)> = (0..n).map(|t| (t as f64, upper[t])).collect();
        pts.extend((0..n).rev().map(|t| (t as f64, lower[t])));
        chart
            .draw_series(std::iter::once(Polygon::new(pts, color.mix(0.85).filled())))
            .map_err(de)?;
        lower = upper;
    }
    Ok(())
}

/// The largest run trainable within `max_run_days` per actor, p50 line and p5–p95 band, on
/// a log axis, with the model FLOP the target needs: `largest_run_flop_over_time.{png,svg}`.
/// `None` when no actor can train anything in any month.
pub fn largest_run_flop_over_time(
    d: &TimelineChartData,
    sink: Sink,
) -> Result<Option<ChartFile>, ChartError> {
    let any = d
        .actors
        .iter()
        .any(|a| a.largest_run_flop[2].iter().any(|&f| f > 0.0));
    if !any || d.months.is_empty() {
        return Ok(None);
    }
    let fig = LargestRun {
        title: headline(RUN_TITLE, &d.name),
        subtitle: format!(
            "Largest run (model FLOP) each fleet trains within the time limit; line p50, band p5–p95. Target: {}.",
            d.target
        ),
        d,
    };
    let meta = Meta {
        kind: ChartKind::Timeline,
        name: "largest_run_flop_over_time",
        title: RUN_TITLE,
        caption: Some(format!(
            "An actor reaches the target in the first month its line crosses the dashed line. Target: {}.",
            d.target
        )),
    };
    render_to(&fig, sink, meta).map(Some)
}

const RUN_TITLE: &str = "Largest trainable run over time";

struct LargestRun<'a> {
    title: String,
    subtitle: String,
    d: &'a TimelineChartData,
}

impl Figure for LargestRun<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFail> {
        let d = self.d;
        let (plot, legend) = frame(
            root,
            &Frame {
                title: &self.title,
                subtitle: Some(&self.subtitle),
                footnote: Some("Months before an actor holds any GPU are left blank (no run)."),
                legend_w: LEGEND_W,
            },
        )?;
        let mut items = Vec::new();
        for (i, a) in d.actors.iter().enumerate() {
            items.push(LegendItem {
                label: format!("{}: p50", a.name),
                color: palette(i),
                mark: Mark::Line(Dash::Solid),
            });
            items.push(LegendItem {
                label: format!("{}: p5–p95", a.name),
                color: lighten(palette(i), 0.7),
                mark: Mark::Box,
            });
        }
        items.push(LegendItem {
            label: "target: model FLOP needed".into(),
            color: REFERENCE,
            mark: Mark::Line(Dash::Dashed(10, 6)),
        });
        if let Some(area) = &legend {
            draw_legend(area, None, &items)?;
        }
        let positive = d
            .actors
            .iter()
            .flat_map(|a| a.largest_run_flop.iter().flatten())
            .chain(&d.required_flop)
            .copied()
            .filter(|f| *f > 0.0 && f.is_finite());
        let (lo, hi) = positive.fold((f64::INFINITY, 0.0f64), |(l, h), f| (l.min(f), h.max(f)));
        // At most eight decades below the top, so a first tiny fleet does not flatten the rest.
        let lo = lo.max(hi * 1e-8);
        let y = exponent_axis(lo, hi);
        let mut chart = plot_chart(&plot, time_axis(&d.months), y, 70)?;
        draw_mesh(&mut chart, |m| {
            m.x_desc("Month")
                .y_desc("Model FLOP (log scale)")
                .light_line_style(GRID_LIGHT.stroke_width(1));
        })?;
        for (i, a) in d.actors.iter().enumerate() {
            let band = band_points(&a.largest_run_flop[0], &a.largest_run_flop[2], lo);
            let band: Vec<(f64, f64)> = band.into_iter().map(|(t, f)| (t, f.log10())).collect();
            if !band.is_empty() {
                let fill = lighten(palette(i), 0.7).mix(0.6).filled();
                chart
                    .draw_series(std::iter::once(Polygon::new(band, fill)))
                    .map_err(de)?;
            }
        }
        for (i, a) in d.actors.iter().enumerate() {
            for run in positive_runs(&a.largest_run_flop[1], lo) {
                let run = run.into_iter().map(|(t, f)| (t, f.log10()));
                chart
                    .draw_series(LineSeries::new(run, palette(i).stroke_width(3)))
                    .map_err(de)?;
            }
        }
        let target: Vec<(f64, f64)> = d
            .required_flop
            .iter()
            .enumerate()
            .map(|(t, f)| (t as f64, f.max(lo).log10()))
            .collect();
        chart
            .draw_series(DashedLineSeries::new(
                target,
                10,
                6,
                REFERENCE.stroke_width(2),
            ))
            .map_err(de)?;
        Ok(())
    }
}

/// A logarithmic FLOP axis over `[lo, hi]`, drawn as a linear axis of `log10(FLOP)` so the
/// ticks read `1e24` (the house `human` format has no exponents): ticks at whole powers of
/// ten, or every second one beyond eight decades.
fn exponent_axis(lo: f64, hi: f64) -> Scale {
    let (a, b) = ((lo / 1.5).log10(), (hi * 1.5).log10());
    let (first, last) = (a.ceil() as i64, b.floor() as i64);
    let step = if last - first > 8 { 2 } else { 1 };
    let labels: Vec<String> = (0..=last.max(0)).map(|k| format!("1e{k}")).collect();
    let ticks = (first.max(0)..=last)
        .filter(|k| k % step == 0)
        .map(|k| k as f64)
        .collect();
    Scale::linear(a, b, Fmt::Labels(labels)).with_ticks(ticks)
}

/// The p5–p95 band as one polygon over the months where p95 is at least `lo` (p5 clamped
/// to `lo`); empty when there are none.
fn band_points(p5: &[f64], p95: &[f64], lo: f64) -> Vec<(f64, f64)> {
    let ts: Vec<usize> = (0..p95.len()).filter(|&t| p95[t] >= lo).collect();
    let mut pts: Vec<(f64, f64)> = ts.iter().map(|&t| (t as f64, p95[t])).collect();
    pts.extend(ts.iter().rev().map(|&t| (t as f64, p5[t].max(lo))));
    pts
}

/// The stretches of consecutive months where `v` is at least `lo`, as line points.
fn positive_runs(v: &[f64], lo: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut cur = Vec::new();
    for (t, &x) in v.iter().enumerate() {
        if x >= lo && x.is_finite() {
            cur.push((t as f64, x));
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_split_at_gaps() {
        let r = positive_runs(&[0.0, 2.0, 3.0, 0.0, 5.0], 1.0);
        assert_eq!(r, vec![vec![(1.0, 2.0), (2.0, 3.0)], vec![(4.0, 5.0)]]);
    }

    #[test]
    fn time_axis_ticks_on_januaries() {
        let months: Vec<String> = (0..30)
            .map(|i| format!("{}-{:02}", 2022 + (i + 6) / 12, (i + 6) % 12 + 1))
            .collect();
        // 2022-07 … 2024-12: Januaries at indices 6 and 18.
        let s = time_axis(&months);
        assert_eq!(s.label(6.0), "2023-01");
        assert_eq!(lighten(RGBColor(0, 100, 255), 0.5), RGBColor(128, 178, 255));
        // 2e22 … 3.8e25 FLOP, padded by 1.5: 1.3e22 … 5.7e25, ticks at 1e23, 1e24, 1e25.
        let e = exponent_axis(2e22, 3.8e25);
        assert_eq!(e.label(23.0), "1e23");
        assert_eq!(e.label(25.0), "1e25");
    }
}
