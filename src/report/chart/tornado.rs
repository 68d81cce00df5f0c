//! Tornado charts: how far time to train and cost move when each uncertain input swings
//! from its low to its high value with the others at nominal.
//!
//! One chart per sweep point that has sensitivity rows (the fleets a question compares),
//! at most [`MAX_TORNADOS`], titled by the point's label; one row per input, named in words
//! (`premium of the h100-smuggled pool (smuggled)`, not `fleet.pools.2.premium`), widest
//! swing on top. Each row has two bars starting at the nominal
//! result: blue to the result with the input low, orange to the result with the input high;
//! the input's value is printed at the end of each bar.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    bar_chart, de, draw_legend, frame, render, text_style, ChartError, ChartFile, ChartKind,
    DrawFail, Figure, Frame, LegendItem, Mark, Meta, Metric, PointSensitivity, Scale,
    ScenarioResult, Sensitivity, HEIGHT, INK, LEGEND_W, MAX_TORNADOS, MUTED, NOTE_PX, PALETTE,
    WIDTH,
};

/// Tornados of time to train, one per point with sensitivity rows (at most
/// [`MAX_TORNADOS`]): `train_days_sensitivity_tornado.{png,svg}` for the first,
/// `train_days_sensitivity_tornado_point<N>.{png,svg}` for point N after it. Empty without
/// sensitivity rows.
pub fn train_days_sensitivity_tornado(
    result: &ScenarioResult,
    dir: &Path,
) -> Result<Vec<ChartFile>, ChartError> {
    draw_each(result, dir, Metric::Days)
}

/// Tornados of cost, as [`train_days_sensitivity_tornado`]:
/// `cost_usd_sensitivity_tornado[_point<N>].{png,svg}`.
pub fn cost_usd_sensitivity_tornado(
    result: &ScenarioResult,
    dir: &Path,
) -> Result<Vec<ChartFile>, ChartError> {
    draw_each(result, dir, Metric::Usd)
}

// What differs between the two tornado charts.

/// (low, high, nominal).
fn swing(metric: Metric, s: &Sensitivity) -> (f64, f64, f64) {
    metric.pick(
        (s.train_days_low, s.train_days_high, s.train_days_nominal),
        (s.cost_usd_low, s.cost_usd_high, s.cost_usd_nominal),
    )
}
fn name(metric: Metric) -> &'static str {
    metric.pick(
        "train_days_sensitivity_tornado",
        "cost_usd_sensitivity_tornado",
    )
}
fn title(metric: Metric) -> &'static str {
    metric.pick("Sensitivity of time to train", "Sensitivity of cost")
}
fn value(metric: Metric, v: f64) -> String {
    match metric {
        Metric::Days => format!("{} days", super::human(v)),
        Metric::Usd => super::usd(v),
    }
}

/// Low-input and high-input colours (Okabe–Ito blue and orange).
const LOW: RGBColor = PALETTE[0];
const HIGH: RGBColor = PALETTE[1];

struct Row {
    input: String,
    low_label: String,
    high_label: String,
    low: f64,
    high: f64,
}

struct Tornado {
    metric: Metric,
    title: String,
    subtitle: String,
    nominal: f64,
    rows: Vec<Row>,
    footnote: Option<String>,
}

/// Style of the input values printed at the bar ends.
fn value_style(h: HPos, v: VPos) -> TextStyle<'static> {
    text_style(NOTE_PX, MUTED, Pos::new(h, v))
}

/// One tornado per point of `result.tornados`; the first names the cap when there is one.
fn draw_each(
    result: &ScenarioResult,
    dir: &Path,
    metric: Metric,
) -> Result<Vec<ChartFile>, ChartError> {
    let mut out = Vec::new();
    let shown = result.tornados.len().min(MAX_TORNADOS);
    for t in result.tornados.iter().take(shown) {
        let cap = if out.is_empty() {
            let total = result.tornado_points.max(result.tornados.len());
            (total > shown).then(|| {
                format!(
                    "Tornados for the first {shown} of {total} points; sensitivity.csv has every point's."
                )
            })
        } else {
            None
        };
        let file_name = if out.is_empty() {
            name(metric).to_string()
        } else {
            format!("{}_point{}", name(metric), t.point)
        };
        if let Some(file) = draw(t, &file_name, dir, metric, cap)? {
            out.push(file);
        }
    }
    Ok(out)
}

fn draw(
    point: &PointSensitivity,
    file_name: &str,
    dir: &Path,
    metric: Metric,
    cap: Option<String>,
) -> Result<Option<ChartFile>, ChartError> {
    let mut rows: Vec<Row> = Vec::new();
    let mut nominal = f64::NAN;
    for s in &point.rows {
        let (low, high, nom) = swing(metric, s);
        if !(low.is_finite() && high.is_finite() && nom.is_finite()) {
            continue;
        }
        if !nominal.is_finite() {
            nominal = nom;
        }
        rows.push(Row {
            input: if s.name.is_empty() {
                s.input.clone()
            } else {
                s.name.clone()
            },
            low_label: s.low_label.clone(),
            high_label: s.high_label.clone(),
            low,
            high,
        });
    }
    if rows.is_empty() {
        return Ok(None);
    }
    rows.sort_by(|a, b| (b.high - b.low).abs().total_cmp(&(a.high - a.low).abs()));
    let chart_title = format!("{}: {}", title(metric), point.label);
    let fig = Tornado {
        metric,
        title: chart_title.clone(),
        subtitle: "Each input swung from its p10 to its p90 with the others at nominal; widest swing on top."
            .into(),
        nominal,
        rows,
        footnote: cap.clone(),
    };
    render(
        &fig,
        dir,
        Meta {
            kind: ChartKind::Tornado,
            name: file_name,
            title: &chart_title,
            caption: cap,
        },
    )
    .map(Some)
}

impl Figure for Tornado {
    fn footnote(&self) -> Option<&str> {
        self.footnote.as_deref()
    }

    fn size(&self) -> (u32, u32) {
        (
            WIDTH,
            (170 + 100 * self.rows.len() as u32)
                .clamp(400, HEIGHT.max(170 + 45 * self.rows.len() as u32)),
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFail> {
        let (plot, legend) = frame(
            root,
            &Frame {
                title: &self.title,
                subtitle: Some(&self.subtitle),
                footnote: self.footnote.as_deref(),
                legend_w: LEGEND_W,
            },
        )?;
        if let Some(area) = &legend {
            draw_legend(
                area,
                None,
                &[
                    LegendItem {
                        label: "input low (p10)".into(),
                        color: LOW,
                        mark: Mark::Box,
                    },
                    LegendItem {
                        label: "input high (p90)".into(),
                        color: HIGH,
                        mark: Mark::Box,
                    },
                    LegendItem {
                        label: format!("nominal: {}", value(self.metric, self.nominal)),
                        color: INK,
                        mark: Mark::Line(super::Dash::Solid),
                    },
                ],
            )?;
        }

        let names: Vec<String> = self.rows.iter().map(|r| r.input.clone()).collect();
        let lo = self
            .rows
            .iter()
            .map(|r| r.low.min(r.high))
            .fold(self.nominal, f64::min);
        let hi = self
            .rows
            .iter()
            .map(|r| r.low.max(r.high))
            .fold(self.nominal, f64::max);
        // Room at both ends for the input values printed beyond the bars.
        let pad = (hi - lo).max(self.nominal.abs() * 0.02) * 0.18;
        let x = Scale::linear(lo - pad, hi + pad, self.metric.fmt());
        let mut chart = bar_chart(&plot, &names, x, self.metric.axis())?;

        let half = 0.3;
        let scale = (hi - lo).max(self.nominal.abs() * 1e-9);
        for (i, r) in self.rows.iter().enumerate() {
            let y = i as f64;
            if (r.high - r.low).abs() <= scale * 1e-3
                && (r.low - self.nominal).abs() <= scale * 1e-3
            {
                let note = format!("no effect ({} to {})", r.low_label, r.high_label);
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((self.nominal, y))
                            + Text::new(note, (10, 0), value_style(HPos::Left, VPos::Center)),
                    ))
                    .map_err(de)?;
                continue;
            }
            // Longer bar first, so a shorter one on the same side stays visible on top.
            let mut bars = [(r.low, LOW, &r.low_label), (r.high, HIGH, &r.high_label)];
            bars.sort_by(|a, b| {
                (b.0 - self.nominal)
                    .abs()
                    .total_cmp(&(a.0 - self.nominal).abs())
            });
            let same_side = (bars[0].0 >= self.nominal) == (bars[1].0 >= self.nominal);
            for (k, (end, color, label)) in bars.into_iter().enumerate() {
                let inner = same_side && k == 1;
                let h = if inner { half * 0.55 } else { half };
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(self.nominal, y - h), (end, y + h)],
                        color.filled(),
                    )))
                    .map_err(de)?;
                let right = end >= self.nominal;
                let element = if inner {
                    // The shorter bar of a same-side pair: its value above the row, over
                    // the bar's end, so it does not sit on the longer bar.
                    EmptyElement::at((end, y - half))
                        + Text::new(
                            label.clone(),
                            (0, -4),
                            value_style(HPos::Center, VPos::Bottom),
                        )
                } else {
                    let (dx, hp) = if right {
                        (6, HPos::Left)
                    } else {
                        (-6, HPos::Right)
                    };
                    EmptyElement::at((end, y))
                        + Text::new(label.clone(), (dx, 0), value_style(hp, VPos::Center))
                };
                chart.draw_series(std::iter::once(element)).map_err(de)?;
            }
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![
                    (self.nominal, -0.5),
                    (self.nominal, self.rows.len() as f64 - 0.5),
                ],
                INK.stroke_width(2),
            )))
            .map_err(de)?;
        Ok(())
    }
}
