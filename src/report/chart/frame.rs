//! What goes around a plot: title, subtitle, wrapped footnote and the legend column, and
//! the text wrapping they share.

use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    bold_style, cut_to_width, fit_text, left_center, text_style, FOOTER_H, HEADER_H, INK, MARGIN,
    MUTED, NOTE_PX, SUBTITLE_PX, TICK_PX, TITLE_PX,
};

// ---------------------------------------------------------------------------------------
// Frame: title, subtitle, footnote, legend column.
// ---------------------------------------------------------------------------------------

/// Why drawing failed (plotters' message); named after its chart by [`render`](super::render).
#[derive(Debug)]
pub(crate) struct DrawFail(pub String);

/// Convert a plotters error.
pub(crate) fn de<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> DrawFail {
    DrawFail(e.to_string())
}

/// What goes around the plot.
pub(crate) struct Frame<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub footnote: Option<&'a str>,
    /// Width of the legend column (0: none).
    pub legend_w: u32,
}

/// The plot area and the legend column (if any) of a framed chart.
pub(crate) type Areas<DB> = (DrawingArea<DB, Shift>, Option<DrawingArea<DB, Shift>>);

/// Fill `root` white, draw title, subtitle and footnote, and return the plot area and the
/// legend column (if asked for).
pub(crate) fn frame<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    f: &Frame,
) -> Result<Areas<DB>, DrawFail> {
    root.fill(&WHITE).map_err(de)?;
    let (w, h) = root.dim_in_pixel();
    let max_w = w.saturating_sub(2 * MARGIN as u32);
    let title_style = bold_style(TITLE_PX, INK, Pos::new(HPos::Left, VPos::Top));
    let title = fit_text(root, f.title, &title_style, max_w);
    root.draw(&Text::new(title, (MARGIN, 14), title_style))
        .map_err(de)?;
    if let Some(s) = f.subtitle {
        let style = text_style(SUBTITLE_PX, MUTED, Pos::new(HPos::Left, VPos::Top));
        let s = fit_text(root, s, &style, max_w);
        root.draw(&Text::new(s, (MARGIN, 50), style)).map_err(de)?;
    }
    let (_, body) = root.split_vertically(HEADER_H);
    let body = match f.footnote {
        Some(note) => {
            // Wrapped at word boundaries; figures grow by [`footnote_extra_h`] to make room.
            let style = note_style();
            let lines = wrap_text(root, note, &style, max_w, MAX_NOTE_LINES);
            let foot_h = FOOTER_H + (lines.len().max(1) as u32 - 1) * LINE_H as u32;
            let (body, foot) = body.split_vertically(h.saturating_sub(HEADER_H + foot_h));
            for (k, line) in lines.into_iter().enumerate() {
                let y = (FOOTER_H / 2) as i32 + k as i32 * LINE_H;
                foot.draw(&Text::new(line, (MARGIN, y), style.clone()))
                    .map_err(de)?;
            }
            body
        }
        None => body,
    };
    if f.legend_w > 0 && f.legend_w < w {
        let (plot, legend) = body.split_horizontally(w - f.legend_w);
        Ok((plot, Some(legend)))
    } else {
        Ok((body, None))
    }
}

/// How a legend entry is marked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Mark {
    /// A filled box (bars).
    Box,
    /// A line with a dash pattern.
    Line(Dash),
    /// A solid line with a round marker.
    LineDot,
}

/// A dash pattern: solid, or (dash, gap) in pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Dash {
    Solid,
    Dashed(u32, u32),
}

/// Dash patterns for lines that share a colour, distinguished by rank.
pub(crate) const DASHES: [Dash; 4] = [
    Dash::Solid,
    Dash::Dashed(12, 6),
    Dash::Dashed(3, 4),
    Dash::Dashed(20, 5),
];

/// One legend entry.
#[derive(Debug, Clone)]
pub(crate) struct LegendItem {
    pub label: String,
    pub color: RGBColor,
    pub mark: Mark,
}

/// Draw a legend (optional heading, then one entry per row) at the top of `area`.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    heading: Option<&str>,
    items: &[LegendItem],
) -> Result<(), DrawFail> {
    let (w, h) = area.dim_in_pixel();
    let mut y = 24;
    if let Some(t) = heading {
        let style = bold_style(TICK_PX, INK, Pos::new(HPos::Left, VPos::Center));
        let t = fit_text(area, t, &style, w.saturating_sub(20));
        area.draw(&Text::new(t, (8, y), style)).map_err(de)?;
        y += 28;
    }
    let row = if items.len() > 14 { 22 } else { 27 };
    let style = left_center(TICK_PX, INK);
    let (x0, x1) = (8, 40);
    let label_w = w.saturating_sub(x1 as u32 + 20);
    // A long label wraps onto up to three lines, fewer when the legend would not fit if
    // every label wrapped.
    let room = h as i32 - y;
    let max_lines = (1..=3)
        .rev()
        .find(|&n| items.len() as i32 * (row + (n - 1) * LINE_H) <= room)
        .unwrap_or(1) as usize;
    for (i, item) in items.iter().enumerate() {
        let lines = wrap_text(area, &item.label, &style, label_w, max_lines);
        let extra = (lines.len().max(1) as i32 - 1) * LINE_H;
        if y + extra + 10 > h as i32 {
            let more = format!("+{} more", items.len() - i);
            area.draw(&Text::new(more, (8, y), style.clone()))
                .map_err(de)?;
            break;
        }
        match item.mark {
            Mark::Box => {
                area.draw(&Rectangle::new(
                    [(x0 + 4, y - 8), (x1 - 4, y + 8)],
                    item.color.filled(),
                ))
                .map_err(de)?;
            }
            Mark::Line(dash) => draw_pixel_line(area, (x0, y), (x1, y), item.color, 3, dash)?,
            Mark::LineDot => {
                draw_pixel_line(area, (x0, y), (x1, y), item.color, 3, Dash::Solid)?;
                area.draw(&Circle::new(((x0 + x1) / 2, y), 5, item.color.filled()))
                    .map_err(de)?;
            }
        }
        for (k, line) in lines.into_iter().enumerate() {
            area.draw(&Text::new(
                line,
                (x1 + 8, y + k as i32 * LINE_H),
                style.clone(),
            ))
            .map_err(de)?;
        }
        y += row + extra;
    }
    Ok(())
}

/// Line height of wrapped labels at [`TICK_PX`], pixels.
pub(crate) const LINE_H: i32 = 18;

/// `s` broken at spaces into at most `max_lines` lines of at most `max_px` pixels in
/// `style` ([`wrap_words`] with `area`'s text measure).
pub(crate) fn wrap_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    style: &TextStyle,
    max_px: u32,
    max_lines: usize,
) -> Vec<String> {
    let width = |t: &str| {
        area.estimate_text_size(t, style)
            .map(|(w, _)| w)
            .unwrap_or(0)
    };
    wrap_words(s, &width, max_px, max_lines)
}

/// `s` broken at spaces into at most `max_lines` lines no wider than `max_px` by `width`.
/// When the text does not fit, the last line keeps the whole words that fit and ends in
/// "…"; only a word longer than a line is cut inside.
pub(crate) fn wrap_words(
    s: &str,
    width: &dyn Fn(&str) -> u32,
    max_px: u32,
    max_lines: usize,
) -> Vec<String> {
    let words: Vec<&str> = s.split(' ').filter(|w| !w.is_empty()).collect();
    let max_lines = max_lines.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() && lines.len() < max_lines {
        let mut line = words[i].to_string();
        i += 1;
        while i < words.len() {
            let longer = format!("{line} {}", words[i]);
            if width(&longer) > max_px {
                break;
            }
            line = longer;
            i += 1;
        }
        if lines.len() + 1 == max_lines && i < words.len() {
            // The last line and words are left: end it in "…" at a word boundary.
            lines.push(ellipsis_at_word(&line, width, max_px));
            return lines;
        }
        lines.push(cut_to_width(&line, width, max_px));
    }
    lines
}

/// `line` with "…" after its last whole word such that it fits `max_px`.
fn ellipsis_at_word(line: &str, width: &dyn Fn(&str) -> u32, max_px: u32) -> String {
    let mut words: Vec<&str> = line.split(' ').collect();
    while !words.is_empty() {
        let t = format!("{}…", words.join(" ").trim_end_matches([',', ';', ':']));
        if width(&t) <= max_px {
            return t;
        }
        words.pop();
    }
    cut_to_width(&format!("{line}…"), width, max_px)
}

/// Most lines of a chart footnote (the report's caption repeats it whole).
pub(crate) const MAX_NOTE_LINES: usize = 5;

/// The footnote style.
fn note_style() -> TextStyle<'static> {
    text_style(NOTE_PX, MUTED, Pos::new(HPos::Left, VPos::Center))
}

/// Pixels a footnote needs beyond its first line on a canvas `canvas_w` wide, measured with
/// the chart font (the fonts must be registered: [`render`](super::render) does so before asking a figure
/// its size). A figure adds this to its height so its plot keeps its room.
pub(crate) fn footnote_extra_h(note: Option<&str>, canvas_w: u32) -> u32 {
    let Some(note) = note else { return 0 };
    let font = note_style().font;
    let width = |t: &str| font.box_size(t).map(|(w, _)| w).unwrap_or(0);
    let max_w = canvas_w.saturating_sub(2 * MARGIN as u32);
    let lines = wrap_words(note, &width, max_w, MAX_NOTE_LINES).len();
    lines.saturating_sub(1) as u32 * LINE_H as u32
}

/// A horizontal line segment in pixel coordinates, solid or dashed.
pub(crate) fn draw_pixel_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    from: (i32, i32),
    to: (i32, i32),
    color: RGBColor,
    width: u32,
    dash: Dash,
) -> Result<(), DrawFail> {
    let style = color.stroke_width(width);
    match dash {
        Dash::Solid => area
            .draw(&PathElement::new(vec![from, to], style))
            .map_err(de),
        Dash::Dashed(on, off) => {
            let mut x = from.0;
            while x < to.0 {
                let x_end = (x + on as i32).min(to.0);
                area.draw(&PathElement::new(vec![(x, from.1), (x_end, to.1)], style))
                    .map_err(de)?;
                x = x_end + off as i32;
            }
            Ok(())
        }
    }
}
