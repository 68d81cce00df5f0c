//! Tornado charts: how far time to train and cost move when each uncertain input swings
//! from its low to its high value with the others at nominal.
//!
//! One row per input, widest swing on top. Each row has two bars starting at the nominal
//! result: blue to the result with the input low, orange to the result with the input high;
//! the input's value is printed at the end of each bar.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    de, draw_legend, draw_mesh, fit_text, frame, max_text_width, plot_chart, render, text_style,
    tick_style, ChartError, ChartFile, ChartKind, DrawFail, Figure, Frame, LegendItem, Mark, Meta,
    Metric, Scale, ScenarioResult, Sensitivity, HEIGHT, INK, LEGEND_W, MUTED, NOTE_PX, PALETTE,
    WIDTH,
};

/// Tornado of time to train: `train_days_sensitivity_tornado.{png,svg}`. `None` without
/// sensitivity rows.
pub fn train_days_sensitivity_tornado(
    result: &ScenarioResult,
    dir: &Path,
) -> Result<Option<ChartFile>, ChartError> {
    draw(result, dir, Metric::Days)
}

/// Tornado of cost: `cost_usd_sensitivity_tornado.{png,svg}`. `None` without sensitivity
/// rows.
pub fn cost_usd_sensitivity_tornado(
    result: &ScenarioResult,
    dir: &Path,
) -> Result<Option<ChartFile>, ChartError> {
    draw(result, dir, Metric::Usd)
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
    metric.pick(
        "Sensitivity of time to train to each uncertain input",
        "Sensitivity of cost to each uncertain input",
    )
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
}

/// Style of the input values printed at the bar ends.
fn value_style(h: HPos, v: VPos) -> TextStyle<'static> {
    text_style(NOTE_PX, MUTED, Pos::new(h, v))
}

fn draw(
    result: &ScenarioResult,
    dir: &Path,
    metric: Metric,
) -> Result<Option<ChartFile>, ChartError> {
    let mut rows: Vec<Row> = Vec::new();
    let mut nominal = f64::NAN;
    for s in &result.sensitivity {
        let (low, high, nom) = swing(metric, s);
        if !(low.is_finite() && high.is_finite() && nom.is_finite()) {
            continue;
        }
        if !nominal.is_finite() {
            nominal = nom;
        }
        rows.push(Row {
            input: s.input.clone(),
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
    let how =
        "each input swung from its p10 to its p90 with the others at nominal; widest swing on top.";
    let subtitle = match &result.sensitivity_point {
        Some(point) => format!("{point}: {how}"),
        None => {
            let mut h = how.to_string();
            h[..1].make_ascii_uppercase();
            h
        }
    };
    let caption = result
        .sensitivity_point
        .as_ref()
        .map(|point| format!("For the sweep point {point}."));
    let fig = Tornado {
        metric,
        title: super::headline(title(metric), &result.name),
        subtitle,
        nominal,
        rows,
    };
    render(
        &fig,
        dir,
        Meta {
            kind: ChartKind::Tornado,
            name: name(metric),
            title: title(metric),
            caption,
        },
    )
    .map(Some)
}

impl Figure for Tornado {
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
                footnote: None,
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

        let style = tick_style();
        let labels: Vec<String> = self
            .rows
            .iter()
            .map(|r| fit_text(&plot, &r.input, &style, 300))
            .collect();
        let label_w = max_text_width(&plot, &labels, &style) + 22;

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
        let y = Scale::categories(labels, true);

        let mut chart = plot_chart(&plot, x, y, label_w)?;
        draw_mesh(&mut chart, |m| {
            m.disable_y_mesh().x_desc(self.metric.axis());
        })?;

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
