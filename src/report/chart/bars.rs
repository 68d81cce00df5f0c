//! Building blocks of the horizontal-bar charts (fleet bars, tornado, cost breakdown):
//! wrapped row labels, the house plot area and mesh, value labels, and the [`Metric`] a
//! bar chart shows.

use plotters::chart::MeshStyle;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    axis_style, de, left_center, max_text_width, text_style, tick_style, wrap_text, DrawFail, Fmt,
    Scale, GRID, INK, LINE_H, TICK_PX, WIDTH,
};

/// Row labels of a horizontal-bar chart: each wrapped onto up to two lines of at most
/// `max_px` pixels in the tick style ([`wrap_text`]).
pub(crate) fn row_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[String],
    max_px: u32,
) -> Vec<Vec<String>> {
    let style = tick_style();
    labels
        .iter()
        .map(|l| wrap_text(area, l, &style, max_px, 2))
        .collect()
}

/// Width in pixels of the widest line of `rows` in the tick style.
pub(crate) fn row_labels_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    rows: &[Vec<String>],
) -> u32 {
    let lines: Vec<String> = rows.iter().flatten().cloned().collect();
    max_text_width(area, &lines, &tick_style())
}

/// Draw `rows` ([`row_labels`]) right-aligned left of the y axis of `chart` (built on `area`
/// with categories `0..rows.len()` on y), each centred on its category.
pub(crate) fn draw_row_labels<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &ChartContext<'_, DB, Cartesian2d<Scale, Scale>>,
    x_axis_start: f64,
    rows: &[Vec<String>],
) -> Result<(), DrawFail> {
    let (bx, by) = area.get_base_pixel();
    let style = text_style(TICK_PX, INK, Pos::new(HPos::Right, VPos::Center));
    for (i, lines) in rows.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(x_axis_start, i as f64));
        let n = lines.len() as i32;
        for (k, line) in lines.iter().enumerate() {
            // Lines centred on the row: offsets −(n−1)/2 … (n−1)/2 line heights.
            let dy = (2 * k as i32 - (n - 1)) * LINE_H / 2;
            area.draw(&Text::new(
                line.clone(),
                (x - bx - 10, y - by + dy),
                style.clone(),
            ))
            .map_err(de)?;
        }
    }
    Ok(())
}

/// A chart on the scales of this module.
pub(crate) type Chart<'a, DB> = ChartContext<'a, DB, Cartesian2d<Scale, Scale>>;

/// A chart filling `plot` with the house margins, a 60-pixel x label area and `y_label_w`
/// pixels for the y labels.
pub(crate) fn plot_chart<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    x: Scale,
    y: Scale,
    y_label_w: u32,
) -> Result<Chart<'a, DB>, DrawFail> {
    ChartBuilder::on(plot)
        .margin_top(10)
        .margin_left(20)
        .margin_right(30)
        .margin_bottom(10)
        .x_label_area_size(60)
        .y_label_area_size(y_label_w)
        .build_cartesian_2d(x, y)
        .map_err(de)
}

/// Draw the axes and grid of `chart` in the house style; `tweak` sets what differs from
/// chart to chart (axis titles, which grid lines).
pub(crate) fn draw_mesh<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    tweak: impl FnOnce(&mut MeshStyle<'_, '_, Scale, Scale, DB>),
) -> Result<(), DrawFail> {
    let mut mesh = chart.configure_mesh();
    mesh.axis_desc_style(axis_style())
        .label_style(tick_style())
        .bold_line_style(GRID.stroke_width(1))
        .axis_style(INK.stroke_width(1));
    tweak(&mut mesh);
    mesh.draw().map_err(de)
}

/// Canvas size of a horizontal-bar chart with `rows` rows.
pub(crate) fn bar_chart_size(rows: usize) -> (u32, u32) {
    (WIDTH, (170 + 45 * rows as u32).max(330))
}

/// A horizontal-bar chart on `plot`: one row per name, wrapped ([`row_labels`]) left of the
/// y axis, and the value axis `x` titled `x_desc` with vertical grid lines only.
pub(crate) fn bar_chart<'a, DB: DrawingBackend>(
    plot: &'a DrawingArea<DB, Shift>,
    names: &[String],
    x: Scale,
    x_desc: &str,
) -> Result<Chart<'a, DB>, DrawFail> {
    let labels = row_labels(plot, names, 330);
    let label_w = row_labels_width(plot, &labels) + 22;
    // Row labels are drawn below ([`draw_row_labels`]), wrapped; the axis has none.
    let y = Scale::categories(vec![String::new(); labels.len()], true);
    let x_start = x.start();
    let mut chart = plot_chart(plot, x, y, label_w)?;
    draw_mesh(&mut chart, |m| {
        m.disable_y_mesh().x_desc(x_desc);
    })?;
    draw_row_labels(plot, &chart, x_start, &labels)?;
    Ok(chart)
}

/// Print `value` just right of the end `(x, y)` of a bar.
pub(crate) fn draw_bar_value<DB: DrawingBackend>(
    chart: &mut Chart<'_, DB>,
    (x, y): (f64, f64),
    value: String,
) -> Result<(), DrawFail> {
    chart
        .draw_series(std::iter::once(
            EmptyElement::at((x, y)) + Text::new(value, (8, 0), left_center(TICK_PX, INK)),
        ))
        .map_err(de)?;
    Ok(())
}

/// The quantity a per-fleet or sensitivity chart shows.
#[derive(Clone, Copy)]
pub(crate) enum Metric {
    /// Time to train, days.
    Days,
    /// Training cost, USD.
    Usd,
}

impl Metric {
    /// `days` for time to train, `usd` for cost.
    pub(crate) fn pick<T>(self, days: T, usd: T) -> T {
        match self {
            Metric::Days => days,
            Metric::Usd => usd,
        }
    }
    /// Title of the value axis.
    pub(crate) fn axis(self) -> &'static str {
        self.pick("Time to train (days)", "Training cost (USD)")
    }
    /// Tick format of the value axis.
    pub(crate) fn fmt(self) -> Fmt {
        self.pick(Fmt::Human, Fmt::Usd)
    }
}
