//! The plain data a chart is drawn from ([`ScenarioResult`] and its parts, filled by the
//! runner) and what drawing returns ([`ChartFile`], [`ChartError`]).

use std::path::PathBuf;

use serde::Serialize;

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
    /// The pools in words (`equal-count: 8192 × h20 (purchase)`); empty when not known.
    pub fleet: String,
    /// Up-front hardware cost of the owned pools (median over the trials), USD.
    pub capex_usd: Option<f64>,
    /// Time to train over the reference fleet's (`policy.reference`), under common random
    /// numbers.
    pub restriction_time_ratio: Option<Band>,
    /// Cost over the reference fleet's.
    pub restriction_cost_ratio: Option<Band>,
    /// Why the point has a time but no cost (a chip without a price), in words.
    pub cost_missing: Option<String>,
}

/// A median with its 5th–95th percentile band, where known.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Band {
    /// Median.
    pub p50: f64,
    /// 5th and 95th percentiles.
    pub p5_p95: Option<(f64, f64)>,
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
    /// The input in words for the chart (`matmul efficiency (× calibrated)`, `premium of
    /// the h100-smuggled pool (smuggled)`).
    pub name: String,
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

/// The tornado of one sweep point.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PointSensitivity {
    /// Index of the point in the sweep (names the chart files).
    pub point: usize,
    /// The point's label, the chart's title.
    pub label: String,
    /// Tornado rows (any order; charts sort them by swing).
    pub rows: Vec<Sensitivity>,
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
    /// One tornado per point that has sensitivity rows, in sweep order, at most
    /// [`MAX_TORNADOS`](super::MAX_TORNADOS).
    pub tornados: Vec<PointSensitivity>,
    /// How many points have sensitivity rows (more than `tornados.len()` when capped).
    pub tornado_points: usize,
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
