//! Writing a chart: one drawing routine ([`Figure`]) on two backends, SVG and PNG, each
//! file written to a temporary name and renamed; or only the SVG text, in memory
//! ([`Sink::Memory`], for `trainsim serve`).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    de, footnote_extra_h, glyphs, register_fonts, ChartError, ChartFile, ChartKind, DrawFail,
    HEIGHT, WIDTH,
};

// ---------------------------------------------------------------------------------------
// Writing: one drawing routine, two backends, atomic files.
// ---------------------------------------------------------------------------------------

/// A chart that can draw itself on any plotters backend.
pub(crate) trait Figure {
    /// Canvas size in pixels.
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
    }
    /// The footnote [`frame`](super::frame) draws under the plot, if any: [`render`] makes the canvas
    /// taller by what it needs beyond one line ([`footnote_extra_h`]).
    fn footnote(&self) -> Option<&str> {
        None
    }
    /// Draw on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFail>;
}

/// What [`render`] needs to know about a chart besides its drawing.
pub(crate) struct Meta<'a> {
    pub kind: ChartKind,
    pub name: &'a str,
    pub title: &'a str,
    pub caption: Option<String>,
}

/// Where a chart goes.
#[derive(Debug, Clone, Copy)]
pub enum Sink<'a> {
    /// `NAME.svg` and `NAME.png` in this folder.
    Dir(&'a Path),
    /// Only the SVG text ([`ChartFile::svg_text`]); nothing is written and the paths are
    /// empty.
    Memory,
}

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Draw `fig` as `dir/NAME.svg` and `dir/NAME.png`, each written atomically.
pub(crate) fn render<F: Figure>(fig: &F, dir: &Path, meta: Meta) -> Result<ChartFile, ChartError> {
    render_to(fig, Sink::Dir(dir), meta)
}

/// Draw `fig` into `sink`: files as [`render`] writes them, or the SVG text alone.
pub(crate) fn render_to<F: Figure>(
    fig: &F,
    sink: Sink,
    meta: Meta,
) -> Result<ChartFile, ChartError> {
    register_fonts()?;
    let (w, h) = fig.size();
    let size = (w, h + footnote_extra_h(fig.footnote(), w));
    let draw_err = |e: DrawFail| ChartError::Draw {
        chart: meta.name.to_string(),
        message: e.0,
    };
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ChartError::Io { path, source }
    };

    let mut svg_text = String::new();
    {
        let root = SVGBackend::with_string(&mut svg_text, size).into_drawing_area();
        fig.draw(&root).map_err(draw_err)?;
        root.present().map_err(|e| draw_err(de(e)))?;
    }
    let Sink::Dir(dir) = sink else {
        return Ok(ChartFile {
            kind: meta.kind,
            name: meta.name.to_string(),
            title: meta.title.to_string(),
            caption: meta.caption,
            png: Default::default(),
            svg: Default::default(),
            svg_text,
        });
    };
    let svg = dir.join(format!("{}.svg", meta.name));
    crate::report::write_atomic(&svg, svg_text.as_bytes()).map_err(io_err(&svg))?;

    // The bitmap encoder picks the format from the extension, so the temporary name ends
    // in `.png`; it lives in the same folder, so the rename is atomic.
    let png = dir.join(format!("{}.png", meta.name));
    let tmp = dir.join(format!(
        ".{}.{}.{}.tmp.png",
        meta.name,
        std::process::id(),
        TMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let drawn = (|| {
        let root = glyphs::GlyphFix::new(BitMapBackend::new(&tmp, size)).into_drawing_area();
        fig.draw(&root).map_err(draw_err)?;
        root.present().map_err(|e| draw_err(de(e)))
    })();
    let moved = drawn.and_then(|()| std::fs::rename(&tmp, &png).map_err(io_err(&png)));
    if moved.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    moved?;

    Ok(ChartFile {
        kind: meta.kind,
        name: meta.name.to_string(),
        title: meta.title.to_string(),
        caption: meta.caption,
        png,
        svg,
        svg_text,
    })
}
