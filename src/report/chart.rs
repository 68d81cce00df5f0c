//! Charts of a scenario's results, each written as PNG and SVG.
//!
//! Owns the plain-data input the runner fills ([`ScenarioResult`] and its parts), the chart
//! files it writes ([`ChartFile`]), and the drawing: one function per chart, each in its own
//! file under `chart/`, plus [`draw_all`] which draws every chart the data supports. It
//! computes nothing about training: every number drawn comes in through [`ScenarioResult`].
//!
//! Conventions shared by all charts (criterion's `plotters_backend/`, without its unwraps):
//! - sizes, fonts and the Okabe–Ito palette are constants at the top of this file;
//! - the font is DejaVu Sans compiled into the binary (no system fonts needed);
//! - file names carry metric and unit (`train_days_by_fleet.png`, `cost_usd_by_fleet.svg`);
//! - a chart is drawn only where its data supports it; infeasible sweep points are left
//!   out of the plot and named in a footnote;
//! - files are written to a temporary name and renamed, so no half-written file remains.

mod breakdown;
mod cdf;
mod fleet;
mod glyphs;
mod heatmap;
mod sweep;
pub mod timeline;
mod tornado;
mod validation;

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::{KeyPointHint, NoDefaultFormatting, Ranged, ValueFormatter};
use plotters::coord::Shift;
use plotters::drawing::DrawingAreaErrorKind;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use serde::Serialize;

pub use breakdown::cost_usd_breakdown_by_fleet;
pub use cdf::train_days_cdf_by_fleet;
pub use fleet::{cost_usd_by_fleet, train_days_by_fleet};
pub use heatmap::train_days_p50_heatmap;
pub use sweep::train_days_vs_gpus;
pub use tornado::{cost_usd_sensitivity_tornado, train_days_sensitivity_tornado};
pub use validation::{validation_chart, ValidationPoint};

// ---------------------------------------------------------------------------------------
// Input: plain data, filled by the runner.
// ---------------------------------------------------------------------------------------

/// Summary of one metric over the Monte Carlo trials of a sweep point.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantiles {
    /// 5th percentile.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Mean.
    pub mean: f64,
}

impl Quantiles {
    /// All four figures are finite.
    pub fn is_finite(&self) -> bool {
        self.p5.is_finite() && self.p50.is_finite() && self.p95.is_finite() && self.mean.is_finite()
    }
}

/// Where the money goes for one sweep point (the p50 trial, or the nominal values).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostBreakdown {
    /// GPU rental, or the amortised capital cost of the GPUs, in USD.
    pub compute_usd: f64,
    /// Electricity, in USD.
    pub energy_usd: f64,
    /// Server, network and other overheads, in USD.
    pub overheads_usd: f64,
    /// What `compute_usd` is, for the legend: e.g. "GPU rental" or "amortised capex".
    pub compute_label: String,
}

impl CostBreakdown {
    /// The sum of the parts, in USD.
    pub fn total_usd(&self) -> f64 {
        self.compute_usd + self.energy_usd + self.overheads_usd
    }
}

/// The results of one sweep point of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct PointResult {
    /// Short name of the point, e.g. "h20 × 10000".
    pub label: String,
    /// GPU id of the fleet (one line per GPU in the sweep curves).
    pub gpu: String,
    /// Number of GPUs in the fleet (the x axis of the sweep curves).
    pub gpus: u64,
    /// The swept inputs of this point, by dotted path (`fleet.count` → `10000`).
    pub inputs: Vec<(String, String)>,
    /// Wall-clock time to train, in days.
    pub train_days: Option<Quantiles>,
    /// Cost of the run, in USD.
    pub cost_usd: Option<Quantiles>,
    /// Allocated GPU-hours.
    pub gpu_hours: Option<Quantiles>,
    /// Facility energy, in MWh.
    pub energy_mwh: Option<Quantiles>,
    /// Model FLOPs utilisation, as a fraction (0.38 = 38%).
    pub mfu: Option<Quantiles>,
    /// Where the money goes.
    pub cost_breakdown_usd: Option<CostBreakdown>,
    /// Per-trial time to train, in days, for the distribution chart (may be empty, may be a
    /// subsample).
    pub train_days_samples: Vec<f64>,
    /// The chosen parallel plan, in words (e.g. "tp=8 pp=16 dp=80 ...").
    pub plan: String,
    /// Why this point cannot run (out of memory, chip not allowed, ...); `None` if it can.
    pub infeasible_reason: Option<String>,
}

impl PointResult {
    /// The point cannot run (its reason is shown instead of its figures).
    pub fn is_infeasible(&self) -> bool {
        self.infeasible_reason.is_some()
    }
}

/// How much time and cost move when one uncertain input swings from its low to its high
/// value with the others at nominal.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sensitivity {
    /// The input, by dotted path (e.g. `efficiency.matmul`).
    pub input: String,
    /// The input's low value, as text (e.g. "0.60" at its p10).
    pub low_label: String,
    /// The input's high value, as text (e.g. "0.78" at its p90).
    pub high_label: String,
    /// Time to train with the input low, in days.
    pub train_days_low: f64,
    /// Time to train with the input high, in days.
    pub train_days_high: f64,
    /// Cost with the input low, in USD.
    pub cost_usd_low: f64,
    /// Cost with the input high, in USD.
    pub cost_usd_high: f64,
    /// Time to train with every input at nominal, in days.
    pub train_days_nominal: f64,
    /// Cost with every input at nominal, in USD.
    pub cost_usd_nominal: f64,
}

/// Everything the report shows about one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// The question it answers, in words.
    pub question: String,
    /// One entry per sweep point, in sweep order.
    pub points: Vec<PointResult>,
    /// Tornado rows (any order; charts sort them by swing).
    pub sensitivity: Vec<Sensitivity>,
    /// The sweep point the tornado rows belong to (its label), named on the tornado charts.
    pub sensitivity_point: Option<String>,
    /// Each input and its value or distribution, e.g. `efficiency.matmul` → "PERT(0.55, 0.70, 0.80)".
    pub assumptions: Vec<(String, String)>,
    /// What the model does not capture.
    pub limitations: Vec<String>,
    /// The swept inputs, by dotted path, in sweep order.
    pub swept: Vec<String>,
}

// ---------------------------------------------------------------------------------------
// Output.
// ---------------------------------------------------------------------------------------

/// Which chart a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartKind {
    /// p50 bars with p5–p95 whiskers per fleet.
    FleetBars,
    /// Empirical CDF of time to train per fleet.
    Cdf,
    /// Time to train against fleet size, one line per GPU.
    Sweep,
    /// Sensitivity to each uncertain input.
    Tornado,
    /// Cost split into compute, energy and overheads.
    CostBreakdown,
    /// p50 time to train over a two-input sweep.
    Heatmap,
    /// Predicted against reported for the published runs (`validate --chart`).
    Validation,
    /// A chart of a timeline run (`trainsim timeline`).
    Timeline,
}

/// A chart written to disk, in both formats.
#[derive(Debug, Clone, Serialize)]
pub struct ChartFile {
    /// Which chart this is.
    pub kind: ChartKind,
    /// File stem, carrying metric and unit (e.g. `train_days_by_fleet`).
    pub name: String,
    /// Human title (e.g. "Time to train by fleet").
    pub title: String,
    /// What a reader should know beyond the title (e.g. the infeasible points left out).
    pub caption: Option<String>,
    /// The PNG file.
    pub png: PathBuf,
    /// The SVG file.
    pub svg: PathBuf,
    /// The SVG text, for inlining into HTML.
    pub svg_text: String,
}

/// Why a chart could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The embedded font could not be loaded.
    #[error("cannot load the embedded chart font (DejaVu Sans {0})")]
    Font(&'static str),
    /// Plotters failed while drawing.
    #[error("cannot draw chart `{chart}`: {message}")]
    Draw {
        /// File stem of the chart.
        chart: String,
        /// What plotters said.
        message: String,
    },
    /// A file could not be written.
    #[error("cannot write chart file `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// A function that draws one chart, or returns `None` when the data does not support it.
pub type DrawChart = fn(&ScenarioResult, &Path) -> Result<Option<ChartFile>, ChartError>;

/// Draw every chart the data supports into `dir` (created if missing), as PNG and SVG.
/// Returns the charts written, in a fixed order; charts without data are skipped.
pub fn draw_all(result: &ScenarioResult, dir: &Path) -> Result<Vec<ChartFile>, ChartError> {
    let drawers: [DrawChart; 8] = [
        train_days_by_fleet,
        cost_usd_by_fleet,
        train_days_cdf_by_fleet,
        train_days_vs_gpus,
        train_days_sensitivity_tornado,
        cost_usd_sensitivity_tornado,
        cost_usd_breakdown_by_fleet,
        train_days_p50_heatmap,
    ];
    let mut out = Vec::new();
    for draw in drawers {
        if let Some(file) = draw(result, dir)? {
            out.push(file);
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Look: sizes, fonts, colours.
// ---------------------------------------------------------------------------------------

/// Default canvas size in pixels.
pub(crate) const WIDTH: u32 = 1200;
/// Default canvas height in pixels.
pub(crate) const HEIGHT: u32 = 700;
const TITLE_PX: f64 = 26.0;
/// Title size, for charts outside this file.
pub(crate) const TITLE_PX_PUB: f64 = TITLE_PX;
const SUBTITLE_PX: f64 = 16.0;
pub(crate) const LABEL_PX: f64 = 18.0;
pub(crate) const TICK_PX: f64 = 15.0;
pub(crate) const NOTE_PX: f64 = 14.0;
const HEADER_H: u32 = 78;
const FOOTER_H: u32 = 30;
const MARGIN: i32 = 20;
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
fn register_fonts() -> Result<(), ChartError> {
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

// ---------------------------------------------------------------------------------------
// Numbers on axes and labels.
// ---------------------------------------------------------------------------------------

/// `v` with up to three significant digits and a k/M/B/T suffix: 1.2k, 34.5M, 0.35.
pub fn human(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v == 0.0 {
        return "0".into();
    }
    let r = round_sig(v, 3);
    let a = r.abs();
    let (div, suffix) = if a >= 1e12 {
        (1e12, "T")
    } else if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    format!("{}{suffix}", sig3(r / div))
}

/// US dollars, human: $5.6M.
pub fn usd(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    if v < 0.0 {
        format!("-${}", human(-v))
    } else {
        format!("${}", human(v))
    }
}

/// A fraction as a percentage with up to three significant digits: 0.385 → 38.5%.
pub fn percent(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    format!("{}%", sig3(round_sig(v * 100.0, 3)))
}

fn round_sig(v: f64, digits: i32) -> f64 {
    if v == 0.0 || !v.is_finite() {
        return v;
    }
    let mag = v.abs().log10().floor() as i32;
    let scale = 10f64.powi(digits - 1 - mag);
    (v * scale).round() / scale
}

/// Three significant digits without trailing zeros, for |x| < 1000.
fn sig3(x: f64) -> String {
    let a = x.abs();
    let decimals = if a >= 100.0 || a == 0.0 {
        0
    } else if a >= 10.0 {
        1
    } else if a >= 1.0 {
        2
    } else {
        (2 - a.log10().floor() as i32).clamp(0, 12) as usize
    };
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `s` cut to at most `max` characters, ending in "…" when cut.
pub(crate) fn truncate_chars(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let keep: String = s.chars().take(max.saturating_sub(1)).collect();
    format!("{}…", keep.trim_end())
}

/// `s` cut to fit `max_px` pixels in `style` on `area`, ending in "…" when cut.
pub(crate) fn fit_text<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    s: &str,
    style: &TextStyle,
    max_px: u32,
) -> String {
    let width = |t: &str| {
        area.estimate_text_size(t, style)
            .map(|(w, _)| w)
            .unwrap_or(0)
    };
    if width(s) <= max_px {
        return s.to_string();
    }
    let mut n = s.chars().count();
    while n > 1 {
        n -= 1;
        let t = truncate_chars(s, n);
        if width(&t) <= max_px {
            return t;
        }
    }
    "…".into()
}

/// Width in pixels of the widest of `labels` in `style`.
pub(crate) fn max_text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    labels: &[String],
    style: &TextStyle,
) -> u32 {
    labels
        .iter()
        .map(|t| {
            area.estimate_text_size(t, style)
                .map(|(w, _)| w)
                .unwrap_or(0)
        })
        .max()
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Axes: one coordinate type for linear, logarithmic and categorical axes, with our own
// ticks (plotters' log ticks are irregular) and our own tick labels.
// ---------------------------------------------------------------------------------------

/// How tick labels are written.
#[derive(Debug, Clone)]
pub(crate) enum Fmt {
    /// [`human`]: 1.2k.
    Human,
    /// [`usd`]: $1.2M.
    Usd,
    /// Already in percent: 50 → "50%".
    Percent,
    /// A count with thousands separators: 16,384.
    Count,
    /// Category names, indexed by the rounded value.
    Labels(Vec<String>),
}

/// A numeric axis with explicit ticks.
#[derive(Debug, Clone)]
pub(crate) struct Scale {
    lo: f64,
    hi: f64,
    log: bool,
    ticks: Vec<f64>,
    minor: Vec<f64>,
    fmt: Fmt,
}

impl Scale {
    /// Linear from `lo` to `hi` with about seven "nice" ticks.
    pub(crate) fn linear(lo: f64, hi: f64, fmt: Fmt) -> Scale {
        let (lo, hi) = widen(lo, hi);
        Scale {
            lo,
            hi,
            log: false,
            ticks: nice_ticks(lo, hi, 7),
            minor: Vec::new(),
            fmt,
        }
    }

    /// Logarithmic from `lo` to `hi` (both > 0) with 1-2-5 ticks.
    pub(crate) fn log(lo: f64, hi: f64, fmt: Fmt) -> Scale {
        let (lo, hi) = if lo > 0.0 && hi > lo {
            (lo, hi)
        } else {
            let hi = hi.max(1e-9);
            (hi / 10.0, hi)
        };
        let (ticks, minor) = log_ticks(lo, hi);
        Scale {
            lo,
            hi,
            log: true,
            ticks,
            minor,
            fmt,
        }
    }

    /// Categories `0..n` (named by `labels`); index 0 first from the axis origin, or at the
    /// top of a vertical axis when `top_down`.
    pub(crate) fn categories(labels: Vec<String>, top_down: bool) -> Scale {
        let n = labels.len().max(1) as f64;
        let (lo, hi) = if top_down {
            (n - 0.5, -0.5)
        } else {
            (-0.5, n - 0.5)
        };
        Scale {
            lo,
            hi,
            log: false,
            ticks: (0..labels.len()).map(|i| i as f64).collect(),
            minor: Vec::new(),
            fmt: Fmt::Labels(labels),
        }
    }

    /// Replace the ticks.
    pub(crate) fn with_ticks(mut self, ticks: Vec<f64>) -> Scale {
        self.ticks = ticks;
        self.minor.clear();
        self
    }

    /// Is this axis logarithmic?
    pub(crate) fn is_log(&self) -> bool {
        self.log
    }

    /// Position of `v` in `[0, 1]` along the axis.
    pub(crate) fn unit(&self, v: f64) -> f64 {
        if self.log {
            (v.max(1e-300).ln() - self.lo.ln()) / (self.hi.ln() - self.lo.ln())
        } else {
            (v - self.lo) / (self.hi - self.lo)
        }
    }

    /// The lower end of the axis (where bars start).
    pub(crate) fn start(&self) -> f64 {
        self.lo.min(self.hi)
    }

    /// The upper end of the axis.
    pub(crate) fn end(&self) -> f64 {
        self.lo.max(self.hi)
    }

    /// Write `v` as a tick label.
    pub(crate) fn label(&self, v: f64) -> String {
        match &self.fmt {
            Fmt::Human => human(v),
            Fmt::Usd => usd(v),
            Fmt::Percent => format!("{}%", human(v)),
            Fmt::Count => super::grouped(v),
            Fmt::Labels(names) => {
                let i = v.round();
                if i >= 0.0 && (i - v).abs() < 1e-6 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            }
        }
    }
}

fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if !(lo.is_finite() && hi.is_finite()) {
        return (0.0, 1.0);
    }
    if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        (lo - lo.abs() * 0.5, lo + lo.abs() * 0.5)
    }
}

/// About `target` intervals (at most 10% more) between ticks at multiples of 1, 2, 2.5 or
/// 5 × 10^k within `[lo, hi]`.
pub(crate) fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let span = hi - lo;
    if !(span > 0.0 && span.is_finite()) {
        return vec![lo];
    }
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf((raw / 1.1).log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s * 1.1 >= raw * 0.999)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step).floor() as i64;
    (first..=last)
        .map(|k| round_sig(k as f64 * step, 12))
        .collect()
}

/// Major and minor ticks for a log axis over `[lo, hi]`: 1-1.5-2-3-5-7 per decade up to 1.7
/// decades, 1-2-5 up to three, powers of ten beyond; minors at 1..9 per decade.
pub(crate) fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let decades = (hi / lo).log10();
    let mantissas: &[f64] = if decades < 0.7 {
        &[1.0, 1.5, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]
    } else if decades < 1.7 {
        &[1.0, 1.5, 2.0, 3.0, 5.0, 7.0]
    } else if decades <= 3.2 {
        &[1.0, 2.0, 5.0]
    } else {
        &[1.0]
    };
    let e0 = lo.log10().floor() as i32;
    let e1 = hi.log10().ceil() as i32;
    let mut major = Vec::new();
    let mut minor = Vec::new();
    for e in e0..=e1 {
        let d = 10f64.powi(e);
        for m in mantissas {
            let v = round_sig(m * d, 12);
            if v >= lo * 0.999_999 && v <= hi * 1.000_001 {
                major.push(v);
            }
        }
        if decades <= 4.0 {
            for m in 1..10 {
                let v = round_sig(m as f64 * d, 12);
                if v >= lo && v <= hi {
                    minor.push(v);
                }
            }
        }
    }
    if major.len() < 2 {
        major = nice_ticks(lo, hi, 5)
            .into_iter()
            .filter(|v| *v > 0.0)
            .collect();
    }
    (major, minor)
}

impl Ranged for Scale {
    type FormatOption = NoDefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let t = self.unit(*value);
        let px = limit.0 as f64 + (limit.1 - limit.0) as f64 * t;
        px.round().clamp(-1e6, 1e6) as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.minor.clone()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

impl ValueFormatter<f64> for Scale {
    fn format_ext(&self, value: &f64) -> String {
        self.label(*value)
    }
}

// ---------------------------------------------------------------------------------------
// Frame: title, subtitle, footnote, legend column.
// ---------------------------------------------------------------------------------------

/// Why drawing failed (plotters' message); named after its chart by [`render`].
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
            // Up to two lines; the plot gives up the room of the second.
            let style = text_style(NOTE_PX, MUTED, Pos::new(HPos::Left, VPos::Center));
            let lines = wrap_text(root, note, &style, max_w, 2);
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

/// Line height of wrapped labels at [`TICK_PX`], pixels.
pub(crate) const LINE_H: i32 = 18;

/// `s` broken at spaces into at most `max_lines` lines of at most `max_px` pixels in
/// `style`; the last line ends in "…" when the text does not fit. A word longer than a line
/// is cut.
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
    let words: Vec<&str> = s.split(' ').filter(|w| !w.is_empty()).collect();
    let mut lines: Vec<String> = Vec::new();
    let mut i = 0;
    while i < words.len() && lines.len() < max_lines.max(1) {
        if lines.len() + 1 == max_lines.max(1) {
            // The last line takes the rest, cut to fit.
            lines.push(fit_text(area, &words[i..].join(" "), style, max_px));
            return lines;
        }
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
        lines.push(fit_text(area, &line, style, max_px));
    }
    lines
}

/// A horizontal line segment in pixel coordinates, solid or dashed.
fn draw_pixel_line<DB: DrawingBackend>(
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

/// The title drawn on a chart: its title and the scenario name.
pub(crate) fn headline(title: &str, scenario: &str) -> String {
    if scenario.trim().is_empty() {
        title.to_string()
    } else {
        format!("{title}: {scenario}")
    }
}

/// A note naming the infeasible points left out of a chart, or `None` when there are none.
pub(crate) fn infeasible_note(points: &[PointResult]) -> Option<String> {
    let bad: Vec<&PointResult> = points.iter().filter(|p| p.is_infeasible()).collect();
    if bad.is_empty() {
        return None;
    }
    let shown: Vec<String> = bad
        .iter()
        .take(3)
        .map(|p| {
            let reason = p.infeasible_reason.as_deref().unwrap_or("");
            format!("{} ({})", p.label, truncate_chars(reason, 60))
        })
        .collect();
    let more = if bad.len() > 3 {
        format!("; and {} more", bad.len() - 3)
    } else {
        String::new()
    };
    Some(format!(
        "Not shown, infeasible: {}{more}. See the results table.",
        shown.join("; ")
    ))
}

/// Most rows of a bar chart (fleet bars, cost breakdown): the first ones are drawn.
pub const MAX_BAR_ROWS: usize = 40;
/// Most lines of the distribution chart: the first points with samples are drawn.
pub const MAX_CDF_LINES: usize = 20;

/// A note that only the first `shown` of `total` items are drawn, `None` when all are.
pub(crate) fn cut_note(shown: usize, total: usize, what: &str) -> Option<String> {
    (total > shown).then(|| {
        format!("Showing the first {shown} of {total} {what}; the results table has them all.")
    })
}

/// Notes joined by a space.
pub(crate) fn join_notes(notes: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    let parts: Vec<String> = notes.into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

// ---------------------------------------------------------------------------------------
// Writing: one drawing routine, two backends, atomic files.
// ---------------------------------------------------------------------------------------

/// A chart that can draw itself on any plotters backend.
pub(crate) trait Figure {
    /// Canvas size in pixels.
    fn size(&self) -> (u32, u32) {
        (WIDTH, HEIGHT)
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

static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// Draw `fig` as `dir/NAME.svg` and `dir/NAME.png`, each written atomically.
pub(crate) fn render<F: Figure>(fig: &F, dir: &Path, meta: Meta) -> Result<ChartFile, ChartError> {
    register_fonts()?;
    let size = fig.size();
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
    let svg = dir.join(format!("{}.svg", meta.name));
    super::write_atomic(&svg, svg_text.as_bytes()).map_err(io_err(&svg))?;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_numbers() {
        assert_eq!(human(0.0), "0");
        assert_eq!(human(0.35), "0.35");
        assert_eq!(human(12.345), "12.3");
        assert_eq!(human(999.6), "1k");
        assert_eq!(human(1200.0), "1.2k");
        assert_eq!(human(16384.0), "16.4k");
        assert_eq!(human(3.4e6), "3.4M");
        assert_eq!(human(-2.5e9), "-2.5B");
        assert_eq!(usd(5.6e6), "$5.6M");
        assert_eq!(usd(950.0), "$950");
        assert_eq!(percent(0.385), "38.5%");
        assert_eq!(human(f64::NAN), "n/a");
    }

    #[test]
    fn nice_ticks_are_round() {
        assert_eq!(
            nice_ticks(0.0, 100.0, 5),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
        assert_eq!(nice_ticks(0.0, 1.0, 4), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        let t = nice_ticks(0.0, 37.0, 7);
        assert_eq!(t.first(), Some(&0.0));
        assert!(t.len() >= 4 && t.len() <= 9, "{t:?}");
    }

    #[test]
    fn log_ticks_follow_1_2_5() {
        let (major, minor) = log_ticks(8.0, 1200.0);
        assert_eq!(major, vec![10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0]);
        assert!(minor.contains(&30.0));
        let (major, _) = log_ticks(1e2, 1e9);
        assert_eq!(major.len(), 8);
    }

    #[test]
    fn scale_maps_both_ways() {
        let s = Scale::linear(0.0, 10.0, Fmt::Human);
        assert_eq!(s.map(&5.0, (0, 100)), 50);
        let l = Scale::log(1.0, 100.0, Fmt::Human);
        assert_eq!(l.map(&10.0, (0, 100)), 50);
        let c = Scale::categories(vec!["a".into(), "b".into()], true);
        assert!(c.map(&0.0, (100, 0)) < c.map(&1.0, (100, 0)));
        assert_eq!(c.label(1.0), "b");
        assert_eq!(c.label(0.5), "");
    }

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate_chars("abcdef", 10), "abcdef");
        assert_eq!(truncate_chars("abcdef", 4), "abc…");
    }
}
