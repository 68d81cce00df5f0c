//! The look shared by every chart: canvas and text sizes, colours (the Okabe–Ito palette,
//! one colour per GPU), the embedded font and the text styles.

use std::sync::OnceLock;

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{ChartError, ScenarioResult};

// ---------------------------------------------------------------------------------------
// Look: sizes, fonts, colours.
// ---------------------------------------------------------------------------------------

/// Default canvas size in pixels.
pub(crate) const WIDTH: u32 = 1200;
/// Default canvas height in pixels.
pub(crate) const HEIGHT: u32 = 700;
pub(crate) const TITLE_PX: f64 = 26.0;
/// Title size, for charts outside this file.
pub(crate) const TITLE_PX_PUB: f64 = TITLE_PX;
pub(crate) const SUBTITLE_PX: f64 = 16.0;
pub(crate) const LABEL_PX: f64 = 18.0;
pub(crate) const TICK_PX: f64 = 15.0;
pub(crate) const NOTE_PX: f64 = 14.0;
pub(crate) const HEADER_H: u32 = 78;
pub(crate) const FOOTER_H: u32 = 30;
pub(crate) const MARGIN: i32 = 20;
/// Width of the legend column at the right of a chart.
pub(crate) const LEGEND_W: u32 = 290;

/// Text colour.
pub(crate) const INK: RGBColor = RGBColor(0x22, 0x22, 0x22);
/// Secondary text colour (subtitles, footnotes).
pub(crate) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
/// Grid lines.
pub(crate) const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
/// Minor grid lines.
pub(crate) const GRID_LIGHT: RGBColor = RGBColor(0xF0, 0xF0, 0xF0);
/// Reference lines and the ideal-scaling curve's legend.
pub(crate) const REFERENCE: RGBColor = RGBColor(0x44, 0x44, 0x44);

/// Okabe & Ito's colour-blind-safe palette (Okabe M., Ito K., "Color Universal Design",
/// 2008), ordered for contrast between neighbours; black last.
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0xF0, 0xE4, 0x42), // yellow
    RGBColor(0x00, 0x00, 0x00), // black
];

/// Palette colour `i`, cycling.
pub(crate) fn palette(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// The GPUs of a scenario in order of first appearance, each with its colour, so a GPU has
/// the same colour in every chart.
pub(crate) fn gpu_colors(result: &ScenarioResult) -> Vec<(String, RGBColor)> {
    let mut out: Vec<(String, RGBColor)> = Vec::new();
    for p in &result.points {
        if !out.iter().any(|(g, _)| g == &p.gpu) {
            let c = palette(out.len());
            out.push((p.gpu.clone(), c));
        }
    }
    out
}

/// The colour of `gpu` in [`gpu_colors`].
pub(crate) fn gpu_color(colors: &[(String, RGBColor)], gpu: &str) -> RGBColor {
    colors
        .iter()
        .find(|(g, _)| g == gpu)
        .map(|(_, c)| *c)
        .unwrap_or(PALETTE[0])
}

/// Register DejaVu Sans (regular and bold) as `sans-serif`, once per process.
pub(crate) fn register_fonts() -> Result<(), ChartError> {
    static DONE: OnceLock<Result<(), &'static str>> = OnceLock::new();
    let r = DONE.get_or_init(|| {
        plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular())
            .map_err(|_| "regular")?;
        plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold())
            .map_err(|_| "bold")?;
        Ok(())
    });
    r.map_err(ChartError::Font)
}

/// A text style: DejaVu Sans at `px` pixels in `color`, anchored at `pos`.
pub(crate) fn text_style(px: f64, color: RGBColor, pos: Pos) -> TextStyle<'static> {
    TextStyle {
        font: FontDesc::new(FontFamily::SansSerif, px, FontStyle::Normal),
        color: color.to_backend_color(),
        pos,
    }
}

/// A bold text style.
pub(crate) fn bold_style(px: f64, color: RGBColor, pos: Pos) -> TextStyle<'static> {
    TextStyle {
        font: FontDesc::new(FontFamily::SansSerif, px, FontStyle::Bold),
        color: color.to_backend_color(),
        pos,
    }
}

/// Plain text anchored at its left, vertically centred.
pub(crate) fn left_center(px: f64, color: RGBColor) -> TextStyle<'static> {
    text_style(px, color, Pos::new(HPos::Left, VPos::Center))
}

/// Tick-label style for the mesh.
pub(crate) fn tick_style() -> TextStyle<'static> {
    text_style(TICK_PX, INK, Pos::new(HPos::Left, VPos::Top))
}

/// Axis-title style for the mesh.
pub(crate) fn axis_style() -> TextStyle<'static> {
    text_style(LABEL_PX, INK, Pos::new(HPos::Left, VPos::Top))
}
