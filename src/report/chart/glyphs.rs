//! Correct text placement for PNG charts.
//!
//! plotters 0.3.7's `ab_glyph` text path draws each glyph at the pen position without its
//! left side bearing (`px_bounds().min.x`) and truncates the pen to whole pixels, so glyphs
//! with a wide bearing such as "1" sit too far left: "A100" renders as "A1 00". This wraps a
//! bitmap backend and draws horizontal sans-serif text itself with `ab_glyph`, using the
//! same DejaVu Sans faces, scale, advance and vertical placement as plotters, so layout
//! (which uses plotters' text-size estimate) is unchanged. Everything else, and any other
//! text, goes to the wrapped backend. SVG charts do not need this: browsers lay out SVG text.
//!
//! Remove this file once plotters adds the bearing (its `style/font/ab_glyph.rs`).

use std::sync::OnceLock;

use ab_glyph::{Font, FontRef, ScaleFont};
use plotters_backend::text_anchor::{HPos, VPos};
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingBackend, DrawingErrorKind,
    FontFamily, FontStyle, FontTransform,
};

/// A backend that draws sans-serif text with correctly placed glyphs.
pub(crate) struct GlyphFix<B> {
    inner: B,
}

impl<B> GlyphFix<B> {
    pub(crate) fn new(inner: B) -> GlyphFix<B> {
        GlyphFix { inner }
    }
}

/// DejaVu Sans regular and bold, parsed once.
fn faces() -> Option<&'static (FontRef<'static>, FontRef<'static>)> {
    static FACES: OnceLock<Option<(FontRef<'static>, FontRef<'static>)>> = OnceLock::new();
    FACES
        .get_or_init(|| {
            let regular = FontRef::try_from_slice(dejavu::sans::regular()).ok()?;
            let bold = FontRef::try_from_slice(dejavu::sans::bold()).ok()?;
            Some((regular, bold))
        })
        .as_ref()
}

impl<B: DrawingBackend> DrawingBackend for GlyphFix<B> {
    type ErrorType = B::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.fill_polygon(vert, style)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<B::ErrorType>> {
        self.inner.estimate_text_size(text, style)
    }

    fn blit_bitmap(
        &mut self,
        pos: BackendCoord,
        size: (u32, u32),
        src: &[u8],
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        self.inner.blit_bitmap(pos, size, src)
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<B::ErrorType>> {
        let sans = matches!(style.family(), FontFamily::SansSerif)
            || style.family().as_str() == FontFamily::SansSerif.as_str();
        let plain = matches!(style.transform(), FontTransform::None);
        let face = match (faces(), sans && plain) {
            (Some((regular, bold)), true) => match style.style() {
                FontStyle::Bold => bold,
                _ => regular,
            },
            _ => return self.inner.draw_text(text, style, pos),
        };
        let color = style.color();
        if color.alpha == 0.0 {
            return Ok(());
        }
        // Anchor exactly as plotters' default `draw_text` does, from the same layout box.
        let ((min_x, min_y), (max_x, max_y)) = style
            .layout_box(text)
            .map_err(|e| DrawingErrorKind::FontError(Box::new(e)))?;
        let (width, height) = (max_x - min_x, max_y - min_y);
        let dx = match style.anchor().h_pos {
            HPos::Left => 0,
            HPos::Right => -width,
            HPos::Center => -width / 2,
        };
        let dy = match style.anchor().v_pos {
            VPos::Top => 0,
            VPos::Center => -height / 2,
            VPos::Bottom => -height,
        };
        let size = style.size() as f32;
        let font = face.as_scaled(size);
        let (w, h) = self.inner.get_size();
        let mut caret = 0.0f32;
        let mut prev = None;
        for c in text.chars() {
            let id = font.glyph_id(c);
            if let Some(p) = prev {
                caret += font.kern(p, id);
            }
            prev = Some(id);
            let mut glyph = font.scaled_glyph(c);
            glyph.position = ab_glyph::point(caret, 0.0);
            caret += font.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let b = outline.px_bounds();
            // plotters puts the baseline half a font size below the top of the layout box.
            // Round down for every glyph: truncation would round a tall glyph's negative
            // offset up and a short one's down, lifting "." and "," a pixel off the baseline.
            let x0 = pos.0 + dx - min_x + b.min.x as i32;
            let y0 = pos.1 + dy - min_y + (size / 2.0 + b.min.y).floor() as i32;
            let mut result = Ok(());
            outline.draw(|gx, gy, coverage| {
                let (x, y) = (x0 + gx as i32, y0 + gy as i32);
                if result.is_err() || coverage <= 0.0 || x < 0 || y < 0 {
                    return;
                }
                if x >= w as i32 || y >= h as i32 {
                    return;
                }
                let c = BackendColor {
                    alpha: color.alpha * f64::from(coverage.min(1.0)),
                    rgb: color.rgb,
                };
                result = self.inner.draw_pixel((x, y), c);
            });
            result?;
        }
        Ok(())
    }
}
