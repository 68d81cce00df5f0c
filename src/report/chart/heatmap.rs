//! Heatmap of a two-input sweep: p50 time to train as colour (viridis, readable in grey and
//! by colour-blind readers), with the value and its p5–p95 range printed in each cell.
//!
//! A numeric input goes on the x axis (sorted), the other on the y axis in sweep order.
//! Infeasible cells are grey and say so. Numbers are printed only in cells large enough for
//! them; with more than 40 values of either input there is no heatmap.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    bold_style, de, draw_mesh, fit_text, frame, human, log_ticks, max_text_width, nice_ticks,
    plot_chart, render, text_style, tick_style, ChartError, ChartFile, ChartKind, DrawFail, Figure,
    Frame, Meta, Quantiles, Scale, ScenarioResult, INK, MUTED, NOTE_PX, TICK_PX,
};

/// p50 time to train over a two-input sweep: `train_days_p50_heatmap.{png,svg}`. `None`
/// unless exactly two inputs are swept, each with at least two values, and some cell has a
/// result.
pub fn train_days_p50_heatmap(
    result: &ScenarioResult,
    dir: &Path,
) -> Result<Option<ChartFile>, ChartError> {
    let [a, b] = match result.swept.as_slice() {
        [a, b] => [a.clone(), b.clone()],
        _ => return Ok(None),
    };
    let values = |key: &str| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for p in &result.points {
            if let Some((_, v)) = p.inputs.iter().find(|(k, _)| k == key) {
                if !out.contains(v) {
                    out.push(v.clone());
                }
            }
        }
        if let Some(nums) = out
            .iter()
            .map(|v| v.parse::<f64>().ok())
            .collect::<Option<Vec<f64>>>()
        {
            let mut pairs: Vec<(f64, String)> = nums.into_iter().zip(out).collect();
            pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
            return pairs.into_iter().map(|(_, v)| v).collect();
        }
        out
    };
    let (va, vb) = (values(&a), values(&b));
    if va.len() < 2 || vb.len() < 2 || va.len() > MAX_VALUES || vb.len() > MAX_VALUES {
        return Ok(None);
    }
    let numeric = |vs: &[String]| vs.iter().all(|v| v.parse::<f64>().is_ok());
    // The numeric input reads best along x; otherwise the first swept input goes there.
    let ((xk, xv), (yk, yv)) = if !numeric(&va) && numeric(&vb) {
        ((b, vb), (a, va))
    } else {
        ((a, va), (b, vb))
    };

    let mut cells = Vec::new();
    for p in &result.points {
        let get = |key: &str| p.inputs.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        let (Some(x), Some(y)) = (get(&xk), get(&yk)) else {
            continue;
        };
        let (Some(xi), Some(yi)) = (
            xv.iter().position(|v| v == x),
            yv.iter().position(|v| v == y),
        ) else {
            continue;
        };
        if cells.iter().any(|c: &Cell| c.x == xi && c.y == yi) {
            continue;
        }
        let value = match (&p.infeasible_reason, p.train_days) {
            (Some(_), _) => CellValue::Infeasible,
            (None, Some(q)) if q.is_finite() && q.p50 > 0.0 => CellValue::Days(q),
            _ => continue,
        };
        cells.push(Cell {
            x: xi,
            y: yi,
            value,
        });
    }
    if !cells.iter().any(|c| matches!(c.value, CellValue::Days(_))) {
        return Ok(None);
    }
    let title = format!("p50 time to train by {yk} and {xk}");
    let fig = Heatmap {
        title: super::headline(&title, &result.name),
        x_key: xk,
        y_key: yk,
        x_values: xv.iter().map(|v| pretty(v)).collect(),
        y_values: yv.iter().map(|v| pretty(v)).collect(),
        cells,
    };
    let caption = fig
        .cells
        .iter()
        .any(|c| matches!(c.value, CellValue::Infeasible))
        .then(|| "Grey cells are infeasible; the results table gives the reason.".to_string());
    render(
        &fig,
        dir,
        Meta {
            kind: ChartKind::Heatmap,
            name: "train_days_p50_heatmap",
            title: &title,
            caption,
        },
    )
    .map(Some)
}

/// Most values of either swept input: beyond, the cells are too small to read.
const MAX_VALUES: usize = 40;

/// A swept value as an axis label: integers with thousands separators.
fn pretty(v: &str) -> String {
    match v.parse::<f64>() {
        Ok(x) if x.fract() == 0.0 && x.abs() >= 1000.0 && x.abs() < 1e15 => {
            crate::format::grouped(x)
        }
        _ => v.to_string(),
    }
}

/// An axis title for a swept input: its dotted path, with the unit where the path itself
/// does not carry one.
fn axis_title(key: &str) -> String {
    match key {
        "fleet.count" => "fleet.count (GPUs)".to_string(),
        _ => key.to_string(),
    }
}

enum CellValue {
    Days(Quantiles),
    Infeasible,
}

struct Cell {
    x: usize,
    y: usize,
    value: CellValue,
}

struct Heatmap {
    title: String,
    x_key: String,
    y_key: String,
    x_values: Vec<String>,
    y_values: Vec<String>,
    cells: Vec<Cell>,
}

/// Viridis (van der Walt & Smith, matplotlib), sampled at nine stops.
const VIRIDIS: [(u8, u8, u8); 9] = [
    (0x44, 0x01, 0x54),
    (0x48, 0x28, 0x78),
    (0x3E, 0x4A, 0x89),
    (0x31, 0x68, 0x8E),
    (0x26, 0x82, 0x8E),
    (0x1F, 0x9E, 0x89),
    (0x35, 0xB7, 0x79),
    (0x6D, 0xCD, 0x59),
    (0xFD, 0xE7, 0x25),
];

/// Viridis at `t` in `[0, 1]`.
fn viridis(t: f64) -> RGBColor {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let f = t * (VIRIDIS.len() - 1) as f64;
    let i = (f.floor() as usize).min(VIRIDIS.len() - 2);
    let u = f - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + (q as f64 - p as f64) * u).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Text on a cell of colour `c`: white on dark, black on light.
fn ink_on(c: RGBColor) -> RGBColor {
    let lum = 0.2126 * c.0 as f64 + 0.7152 * c.1 as f64 + 0.0722 * c.2 as f64;
    if lum < 128.0 {
        RGBColor(0xFF, 0xFF, 0xFF)
    } else {
        RGBColor(0x11, 0x11, 0x11)
    }
}

const INFEASIBLE: RGBColor = RGBColor(0xCC, 0xCC, 0xCC);
const COLORBAR_W: u32 = 170;

impl Figure for Heatmap {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFail> {
        let (plot, legend) = frame(
            root,
            &Frame {
                title: &self.title,
                subtitle: Some(
                    "Colour and large number: median (p50) days. Small numbers: p5 to p95 days.",
                ),
                footnote: None,
                legend_w: COLORBAR_W,
            },
        )?;

        let days: Vec<f64> = self
            .cells
            .iter()
            .filter_map(|c| match c.value {
                CellValue::Days(q) => Some(q.p50),
                CellValue::Infeasible => None,
            })
            .collect();
        let dmin = days.iter().copied().fold(f64::INFINITY, f64::min);
        let dmax = days.iter().copied().fold(0.0, f64::max);
        let log = dmax / dmin > 5.0;
        let (clo, chi) = if dmax > dmin {
            (dmin, dmax)
        } else {
            (dmin * 0.9, dmin * 1.1)
        };
        let t_of = |v: f64| {
            if log {
                (v.ln() - clo.ln()) / (chi.ln() - clo.ln())
            } else {
                (v - clo) / (chi - clo)
            }
        };

        let style = tick_style();
        let y_labels: Vec<String> = self
            .y_values
            .iter()
            .map(|l| fit_text(&plot, l, &style, 260))
            .collect();
        // Tick labels, then the rotated axis title.
        let label_w = max_text_width(&plot, &y_labels, &style) + 22 + 30;
        let (pw, _) = plot.dim_in_pixel();
        let col_w = (pw.saturating_sub(label_w + 50) / self.x_values.len().max(1) as u32).max(20);
        let x_labels: Vec<String> = self
            .x_values
            .iter()
            .map(|l| fit_text(&plot, l, &style, col_w.saturating_sub(8)))
            .collect();
        let x = Scale::categories(x_labels, false);
        let y = Scale::categories(y_labels, true);

        let mut chart = plot_chart(&plot, x, y, label_w)?;
        draw_mesh(&mut chart, |m| {
            m.disable_mesh()
                .x_desc(axis_title(&self.x_key))
                .y_desc(axis_title(&self.y_key));
        })?;

        let center = Pos::new(HPos::Center, VPos::Center);
        // Cell size in pixels: the p5–p95 line needs about 90 × 44, the median 48 × 22.
        let (cw, ch) = {
            let (a, b) = (
                chart.backend_coord(&(0.0, 0.0)),
                chart.backend_coord(&(1.0, 1.0)),
            );
            ((b.0 - a.0).abs(), (b.1 - a.1).abs())
        };
        let (show_big, show_small) = (cw >= 48 && ch >= 22, cw >= 90 && ch >= 44);
        for c in &self.cells {
            let (x, y) = (c.x as f64, c.y as f64);
            let (fill, big, small) = match &c.value {
                CellValue::Days(q) => (
                    viridis(t_of(q.p50)),
                    human(q.p50),
                    format!("{}–{}", human(q.p5), human(q.p95)),
                ),
                CellValue::Infeasible => (INFEASIBLE, "infeasible".to_string(), String::new()),
            };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    fill.filled(),
                )))
                .map_err(de)?;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    RGBColor(0xFF, 0xFF, 0xFF).stroke_width(2),
                )))
                .map_err(de)?;
            let ink = ink_on(fill);
            if !show_big {
                continue;
            }
            let small = if show_small { small } else { String::new() };
            let (big_px, dy) = if small.is_empty() {
                (TICK_PX, 0)
            } else {
                (20.0, -9)
            };
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((x, y))
                        + Text::new(big, (0, dy), bold_style(big_px, ink, center)),
                ))
                .map_err(de)?;
            if !small.is_empty() {
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at((x, y))
                            + Text::new(small, (0, 14), text_style(NOTE_PX, ink, center)),
                    ))
                    .map_err(de)?;
            }
        }

        if let Some(area) = legend {
            draw_colorbar(&area, clo, chi, log, &t_of)?;
        }
        Ok(())
    }
}

/// A vertical colour bar with its ticks, in the legend column.
fn draw_colorbar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    lo: f64,
    hi: f64,
    log: bool,
    t_of: &dyn Fn(f64) -> f64,
) -> Result<(), DrawFail> {
    let (_, h) = area.dim_in_pixel();
    let head = bold_style(TICK_PX, INK, Pos::new(HPos::Left, VPos::Top));
    area.draw(&Text::new("p50 days", (16, 12), head))
        .map_err(de)?;
    if log {
        let note = text_style(NOTE_PX, MUTED, Pos::new(HPos::Left, VPos::Top));
        area.draw(&Text::new("(log scale)", (16, 32), note))
            .map_err(de)?;
    }
    let (x0, x1) = (16, 44);
    let (top, bottom) = (60, h as i32 - 80);
    let steps = 120;
    for i in 0..steps {
        let t0 = i as f64 / steps as f64;
        let t1 = (i + 1) as f64 / steps as f64;
        let ya = bottom - ((bottom - top) as f64 * t1).round() as i32;
        let yb = bottom - ((bottom - top) as f64 * t0).round() as i32;
        area.draw(&Rectangle::new(
            [(x0, ya), (x1, yb)],
            viridis((t0 + t1) / 2.0).filled(),
        ))
        .map_err(de)?;
    }
    area.draw(&Rectangle::new(
        [(x0, top), (x1, bottom)],
        INK.stroke_width(1),
    ))
    .map_err(de)?;
    let ticks = if log {
        log_ticks(lo, hi).0
    } else {
        nice_ticks(lo, hi, 5)
    };
    let style = text_style(TICK_PX, INK, Pos::new(HPos::Left, VPos::Center));
    for v in ticks {
        let t = t_of(v);
        if !(-1e-9..=1.0 + 1e-9).contains(&t) {
            continue;
        }
        let y = bottom - ((bottom - top) as f64 * t).round() as i32;
        area.draw(&PathElement::new(
            vec![(x1, y), (x1 + 6, y)],
            INK.stroke_width(1),
        ))
        .map_err(de)?;
        area.draw(&Text::new(human(v), (x1 + 10, y), style.clone()))
            .map_err(de)?;
    }
    Ok(())
}
