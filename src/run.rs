//! The batch runner behind `trainsim run` and `trainsim merge`: work units, rayon, sharding,
//! and the CSV files of DESIGN.md §4.
//!
//! **Work units.** Each sweep point's trials are cut into chunks of [`CHUNK_TRIALS`]; a unit
//! is one (point, chunk) pair, numbered in point order, then chunk order. A point always has
//! at least one unit (an infeasible point's unit carries only its reason). `--shard K/N`
//! runs the units `u` with `u mod N = K − 1`. Units are processed in windows of about
//! 65,536 trials: the window's new points are planned in parallel, its units run in
//! parallel, and the results are consumed in unit order, so at most one window and one
//! point's trials are held at a time.
//!
//! **Outputs** (in `<out>/<scenario>/`): `summary.csv` (one row per point),
//! `sensitivity.csv` (the tornado of every point, with a `point` column), `trials.csv`
//! (with `--trials-csv`), and `<out>/summary.csv` across the scenarios of the batch. Floats
//! are written in Rust's shortest round-trip form (`{}`: `37.58123`, `1480000000000`), the
//! same at any thread count; a missing value (NaN) is an empty cell. Small files go through
//! [`write_atomic`]; `trials.csv` and shard files stream to a temporary name in the same
//! folder and are renamed when complete, as `write_atomic` does.
//!
//! **Shards** write `<out>/<scenario>/shard-K-of-N/`: `units.csv` (every trial's raw
//! metrics, round-trip exact), `points.jsonl` (per point: its summary cells, plan labels,
//! infeasibility and tornado rows, written by the shard owning the point's first unit) and
//! `manifest.json` (written last). [`merge`] replays the units of all shards in order
//! through the same [`Summarizer`] a single run uses, so the merged files are byte-identical.
//!
//! **Report.** The [`Summarizer`] also fills the [`ScenarioResult`] of the charts and
//! `report.html` ([`ScenarioOutcome::report`]); [`write_report`] draws them after the CSV
//! files are written. Everything in it comes from the trials, the point records and the
//! manifest, never from the clock or the thread count, so a merge of shards gives the same
//! report as a single run, byte for byte:
//! - per point: its label ([`point_label`]), the quantiles of summary.csv, the most chosen
//!   plan, and a deterministic subsample of its finite per-trial `train_days` for the
//!   distribution chart: the sorted values at evenly spaced ranks, at most [`MAX_SAMPLES`],
//!   taken where the trials are summarised ([`summarize_trials_sampled`]), for the first
//!   [`MAX_CDF_LINES`] points that have any (the chart draws no more);
//! - the cost breakdown and the tornado's nominal result, at nominal values
//!   ([`nominal_run`]), stored in the point record as round-trip decimal text;
//! - the tornados of the **first [`MAX_TORNADOS`] points (in sweep order) that have
//!   sensitivity rows**, each input named in words from the point record
//!   (`sensitivity_names`), and how many points have rows; sensitivity.csv has every point's;
//! - per point: capex, the restriction ratios with their bands, and why a cost is missing
//!   (`cost_missing` in the point record);
//! - the question ([`Scenario::question`], else the scenario name) and the assumptions
//!   ([`assumptions`]), carried in shard manifests for `merge`;
//! - the limitations, a fixed list ([`LIMITATIONS`]).

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::InputError;
use crate::estimate::{plan_search, Question};
use crate::fleet::format_day;
use crate::montecarlo::sensitivity::sensitivity;
use crate::montecarlo::summary::{summarize_trials_sampled, PointSummary};
use crate::montecarlo::{
    decode_plan, nominal_mode, nominal_run, prepare_from, run_trials, searches, Prepared,
    TrialMetrics, EXTRA_METRICS, METRICS, NO_PLAN,
};
use crate::parallel::SearchResult;
use crate::perf::CostBasis;
use crate::report::chart::{human, MAX_CDF_LINES, MAX_TORNADOS};
use crate::report::html::LIMITATIONS;
use crate::report::names::{input_name, PoolName};
use crate::report::{
    draw_all, grouped, render_report, write_atomic, Band, ChartFile, CostBreakdown, PointResult,
    PointSensitivity, Quantiles, ScenarioResult, Sensitivity,
};
use crate::scenario::dist::Dist;
use crate::scenario::Scenario;

/// Trials per work unit (part of the shard format: shards and merge must agree).
pub const CHUNK_TRIALS: u64 = 1000;
/// Trials per window of parallel work.
const WINDOW_TRIALS: u64 = 65_536;
/// Search results kept for reuse before the cache is emptied.
const MAX_CACHED_SEARCHES: usize = 4096;
/// Format tag of shard manifests.
const SHARD_FORMAT: &str = "trainsim-shard-3";
/// Most per-trial `train_days` values kept per point for the distribution chart.
pub const MAX_SAMPLES: usize = 2000;

/// A float as a CSV cell: shortest round-trip decimal, empty when not finite.
pub fn fmt_f64(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// `--shard K/N`: run share `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// K, 1-based.
    pub index: u64,
    /// N.
    pub count: u64,
}

impl Shard {
    /// Parse `K/N` with `1 ≤ K ≤ N`.
    pub fn parse(s: &str) -> Result<Shard, InputError> {
        let bad = |why: &str| {
            InputError::new(format!("`{s}` is not a shard: {why}"))
                .at_key("--shard")
                .with_hint(
                    "write K/N with 1 ≤ K ≤ N, e.g. --shard 2/8 for the second of eight shares",
                )
        };
        let (k, n) = s.split_once('/').ok_or_else(|| bad("expected K/N"))?;
        let k: u64 = k
            .trim()
            .parse()
            .map_err(|_| bad("K is not a whole number"))?;
        let n: u64 = n
            .trim()
            .parse()
            .map_err(|_| bad("N is not a whole number"))?;
        if n == 0 || k == 0 || k > n {
            return Err(bad("K must be between 1 and N"));
        }
        if n > 1_000_000 {
            return Err(bad("N is more than 1,000,000"));
        }
        Ok(Shard { index: k, count: n })
    }

    /// Whether unit `u` belongs to this shard.
    pub fn owns(&self, u: u64) -> bool {
        u % self.count == self.index - 1
    }
}

/// Units of a point with `trials` trials.
fn units_of(trials: u64) -> u64 {
    trials.div_ceil(CHUNK_TRIALS).max(1)
}

/// First unit of each point (and the total at the end).
struct Layout {
    starts: Vec<u64>,
    trials: Vec<u64>,
}

impl Layout {
    fn of(trials: Vec<u64>) -> Layout {
        let mut starts = Vec::with_capacity(trials.len() + 1);
        let mut u = 0;
        starts.push(0);
        for t in &trials {
            u += units_of(*t);
            starts.push(u);
        }
        Layout { starts, trials }
    }
    fn total(&self) -> u64 {
        *self.starts.last().unwrap_or(&0)
    }
    /// The point, chunk, first trial and trial count of unit `u`.
    fn locate(&self, u: u64) -> (usize, u64, u64, u64) {
        let p = self.starts.partition_point(|&s| s <= u) - 1;
        let chunk = u - self.starts[p];
        let first = chunk * CHUNK_TRIALS;
        let count = self.trials[p].saturating_sub(first).min(CHUNK_TRIALS);
        (p, chunk, first, count)
    }
}

/// What a point contributes besides its trials: computed once, by the owner of its first unit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PointRecord {
    /// Point index.
    pub point: usize,
    /// The leading summary cells: point, swept inputs, model, gpu, gpus, precision, train_tokens.
    pub cells: Vec<String>,
    /// GPU id (terminal table).
    pub gpu: String,
    /// GPUs (terminal table).
    pub gpus: u64,
    /// Labels of the kept plans of the first pool, best first.
    pub plans: Vec<String>,
    /// Labels of the pools that have plans (the fleet modes index them).
    #[serde(default)]
    pub pool_labels: Vec<String>,
    /// Labels of each such pool's kept plans, best first.
    #[serde(default)]
    pub pool_plans: Vec<Vec<String>>,
    /// Radix of the plan codes ([`Prepared::radix`]).
    #[serde(default)]
    pub radix: Option<u64>,
    /// The pools, described (`4096 × a100-sxm-80gb (stockpile) + ...`).
    #[serde(default)]
    pub fleet: String,
    /// Fleet mode at nominal values, and why.
    #[serde(default)]
    pub fleet_nominal: Option<(String, String)>,
    /// Warnings (dropped pools, clamped counts, pools without a plan).
    #[serde(default)]
    pub notes: Vec<String>,
    /// Why the point has no plan.
    pub infeasible: Option<String>,
    /// Trials asked for.
    pub trials: u64,
    /// Rows of sensitivity.csv for this point.
    pub sensitivity: Vec<Vec<String>>,
    /// The input of each `sensitivity` row in words, for the report's tornado
    /// ([`crate::report::names`]).
    #[serde(default)]
    pub sensitivity_names: Vec<String>,
    /// Why the point's cost cannot be computed (a chip without a price), in words.
    #[serde(default)]
    pub cost_missing: Option<String>,
    /// Short name in charts and the report ([`point_label`]).
    #[serde(default)]
    pub label: String,
    /// The fleet at nominal values ([`nominal_run`]), for the report.
    #[serde(default)]
    pub nominal: Option<NominalRecord>,
}

/// [`nominal_run`] as round-trip decimal text ([`fmt_f64`]; empty when missing), so a
/// shard's record gives the merge exactly the numbers a single run has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NominalRecord {
    /// Days.
    pub train_days: String,
    /// Cost, USD.
    pub cost_usd: String,
    /// Compute part of the cost, USD.
    pub compute_usd: String,
    /// Energy part, USD.
    pub energy_usd: String,
    /// Overheads, USD.
    pub overheads_usd: String,
    /// What the compute part is.
    pub compute_label: String,
}

/// A cell of [`fmt_f64`] back as a number (NaN when empty or not a number).
fn parse_cell(s: &str) -> f64 {
    s.parse().unwrap_or(f64::NAN)
}

impl PointRecord {
    /// Check a record read back from a shard's `points.jsonl` (issue 12: a damaged record
    /// must be refused, not panic the merge): `None` if sound, else what is wrong.
    fn check(&self, n_inputs: usize) -> Option<String> {
        let p = self.point;
        if self.cells.len() != n_inputs + 6 || self.cells[0] != p.to_string() {
            return Some(format!(
                "point {p}: `cells` holds {} values, expected {} starting with {p}",
                self.cells.len(),
                n_inputs + 6
            ));
        }
        if self.radix == Some(0) {
            return Some(format!("point {p}: `radix` is 0, expected at least 1"));
        }
        if self.pool_plans.len() != self.pool_labels.len() {
            return Some(format!(
                "point {p}: `pool_plans` has {} entries but `pool_labels` {}",
                self.pool_plans.len(),
                self.pool_labels.len()
            ));
        }
        if self.trials > crate::scenario::resolve::MAX_TRIALS {
            return Some(format!(
                "point {p}: `trials` is {}, more than {}",
                self.trials,
                crate::scenario::resolve::MAX_TRIALS
            ));
        }
        if let Some(r) = self
            .sensitivity
            .iter()
            .find(|r| r.len() != 10 || r[0] != p.to_string())
        {
            return Some(format!(
                "point {p}: a `sensitivity` row holds {} values, expected 10 starting with {p}",
                r.len()
            ));
        }
        None
    }

    /// The mode (pool index alone, or the pool count) and ranks of a plan code.
    fn decode(&self, code: u64) -> (usize, Option<Vec<usize>>) {
        decode_plan(code, self.pool_labels.len(), self.radix)
    }

    /// The label of a trial's plan code: the plan for one pool; `<pool>: <plan>` for a pool
    /// alone; the pools' plans joined by ` + ` when they train together.
    fn plan_label(&self, code: u64) -> String {
        if self.pool_labels.len() <= 1 {
            return self.plans.get(code as usize).cloned().unwrap_or_default();
        }
        let (mode, ranks) = self.decode(code);
        let part = |j: usize| {
            let plan = ranks
                .as_ref()
                .and_then(|r| self.pool_plans[j].get(r[j]))
                .cloned()
                .unwrap_or_else(|| "its best plan".into());
            format!("{}: {plan}", self.pool_labels[j])
        };
        if mode < self.pool_labels.len() {
            part(mode)
        } else {
            (0..self.pool_labels.len())
                .map(part)
                .collect::<Vec<_>>()
                .join(" + ")
        }
    }

    /// `alone:<pool>` or `combined`.
    fn mode_label(&self, mode: usize) -> String {
        match self.pool_labels.get(mode) {
            Some(l) => format!("alone:{l}"),
            None => "combined".to_string(),
        }
    }
}

/// One unit's results.
struct UnitResult {
    point: usize,
    first: u64,
    trials: Vec<TrialMetrics>,
    first_reason: Option<(u64, String)>,
    record: Option<PointRecord>,
}

/// Column names of summary.csv; swept keys that collide with a fixed column get a `swept.`
/// prefix.
pub fn summary_header(sweep_paths: &[String]) -> Vec<String> {
    let fixed = ["model", "gpu", "gpus", "precision", "train_tokens"];
    let tail = tail_header();
    let mut h = vec!["point".to_string()];
    for p in sweep_paths {
        h.push(
            if fixed.contains(&p.as_str()) || p == "point" || tail.contains(p) {
                format!("swept.{p}")
            } else {
                p.clone()
            },
        );
    }
    h.extend(fixed.iter().map(|s| s.to_string()));
    h.extend(tail);
    h
}

/// The columns after the inputs, shared by the per-scenario and combined summaries.
fn tail_header() -> Vec<String> {
    let mut h = Vec::new();
    for m in METRICS {
        for q in ["p5", "p50", "p95", "mean"] {
            h.push(format!("{m}_{q}"));
        }
    }
    h.extend(
        [
            "plan",
            "plan_share",
            "trials",
            "infeasible_trials",
            "infeasible_reason",
        ]
        .map(String::from),
    );
    h.extend(TAIL_COLUMNS.iter().map(|c| c.to_string()));
    h
}

/// Columns after `infeasible_reason` (issue 5): medians of the policy metrics, the build-up
/// date, and how the fleet was used.
pub const TAIL_COLUMNS: [&str; 17] = [
    "facility_power_mw_p50",
    "h100_equivalents_p50",
    "restriction_time_ratio_p50",
    "restriction_cost_ratio_p50",
    "unlawful_gpus",
    "months_to_acquire",
    "earliest_completion",
    "fleet",
    "fleet_mode",
    "fleet_mode_share",
    "fleet_reason",
    "notes",
    "restriction_time_ratio_p5",
    "restriction_time_ratio_p95",
    "restriction_cost_ratio_p5",
    "restriction_cost_ratio_p95",
    // Issue 11, appended so earlier columns keep their places: the up-front hardware cost of
    // the owned pools (median), beside the amortised `cost_usd`.
    "capex_usd_p50",
];

/// Column names of the combined `<out>/summary.csv`: the swept inputs of each scenario are
/// joined into one `inputs` cell (`fleet.gpu=h20; fleet.count=2048`).
pub fn combined_header() -> Vec<String> {
    let mut h: Vec<String> = [
        "scenario",
        "point",
        "inputs",
        "model",
        "gpu",
        "gpus",
        "precision",
        "train_tokens",
    ]
    .map(String::from)
    .to_vec();
    h.extend(tail_header());
    h
}

/// Column names of sensitivity.csv.
pub const SENSITIVITY_HEADER: [&str; 10] = [
    "point",
    "input",
    "input_p10",
    "input_p90",
    "train_days_at_p10",
    "train_days_at_p90",
    "cost_usd_at_p10",
    "cost_usd_at_p90",
    "train_days_swing",
    "cost_usd_swing",
];

/// Column names of trials.csv.
pub fn trials_header() -> Vec<String> {
    let mut h = vec!["point".to_string(), "trial".to_string()];
    h.extend(METRICS.iter().map(|m| m.to_string()));
    h.extend(EXTRA_METRICS.iter().map(|m| m.to_string()));
    h.push("plan".into());
    h
}

fn csv_bytes(header: &[String], rows: &[Vec<String>]) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for r in rows {
        w.write_record(r)?;
    }
    Ok(w.into_inner()?)
}

/// A file written under a temporary name in its folder and renamed when complete.
struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    w: BufWriter<File>,
}

impl AtomicFile {
    fn create(path: &Path) -> std::io::Result<AtomicFile> {
        let tmp = crate::report::temp_path(path)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            w: BufWriter::new(File::create(&tmp)?),
            tmp,
        })
    }
    fn finish(self) -> std::io::Result<()> {
        let f = self.w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        let renamed = std::fs::rename(&self.tmp, &self.path);
        crate::report::temp_done(&self.tmp);
        renamed
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.w.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

/// The summary of one point, for the terminal table.
#[derive(Debug, Clone)]
pub struct PointOutcome {
    /// Point index.
    pub point: usize,
    /// Swept values.
    pub inputs: Vec<String>,
    /// GPU id.
    pub gpu: String,
    /// GPUs.
    pub gpus: u64,
    /// Trial summary (None when the point has no plan).
    pub summary: Option<PointSummary>,
    /// The plan chosen most often.
    pub plan: Option<String>,
    /// Why the point has no plan.
    pub infeasible: Option<String>,
    /// Its summary.csv row.
    pub row: Vec<String>,
}

/// What a whole (unsharded or merged) scenario run produced.
#[derive(Debug, Clone)]
pub struct ScenarioOutcome {
    /// Scenario name.
    pub name: String,
    /// Its output folder.
    pub dir: PathBuf,
    /// Swept keys.
    pub sweep_paths: Vec<String>,
    /// Points in order.
    pub points: Vec<PointOutcome>,
    /// Trials run.
    pub trials: u64,
    /// Order of the scenario in its batch.
    pub batch_index: usize,
    /// What the charts and report.html show ([`write_report`]).
    pub report: Box<ScenarioResult>,
}

/// What the report says about a scenario besides its points: the same for every shard.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportMeta {
    /// [`Scenario::question`].
    pub question: String,
    /// [`assumptions`].
    pub assumptions: Vec<(String, String)>,
}

impl ReportMeta {
    /// The report's text of a loaded scenario.
    pub fn of(s: &Scenario) -> ReportMeta {
        ReportMeta {
            question: s.question.clone(),
            assumptions: assumptions(s),
        }
    }
}

/// A number as the report writes an input: shortest round-trip decimal (`0.85`, `1200`), in
/// scientific notation below 0.001 (`1.2e-5`).
pub fn input_number(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-3 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// An input's value on the tornado: three significant digits ([`human`]), in scientific
/// notation below 0.001 (`1.58e-5`).
fn input_label(x: f64) -> String {
    if x.is_finite() && x != 0.0 && x.abs() < 1e-3 {
        format!("{x:.2e}")
    } else {
        human(x)
    }
}

/// A distribution as the report shows it: `PERT(min 0.8, mode 1, max 1.1)`.
pub fn describe_dist(d: &Dist) -> String {
    let n = input_number;
    match *d {
        Dist::Pert { min, mode, max } => {
            format!("PERT(min {}, mode {}, max {})", n(min), n(mode), n(max))
        }
        Dist::Triangular { min, mode, max } => {
            format!(
                "triangular(min {}, mode {}, max {})",
                n(min),
                n(mode),
                n(max)
            )
        }
        Dist::Uniform { min, max } => format!("uniform(min {}, max {})", n(min), n(max)),
        Dist::Normal { mean, sd } => format!("normal(mean {}, sd {})", n(mean), n(sd)),
        Dist::LogNormal { median, sigma } => {
            format!("lognormal(median {}, sigma {})", n(median), n(sigma))
        }
    }
}

/// The inputs the report lists: the fixed ones that shape the answer (model, tokens,
/// batch, precision, fleet, rule, cost basis, trials, seed), then every uncertain input
/// with its distribution. A value that differs between points reads "varies by point".
pub fn assumptions(s: &Scenario) -> Vec<(String, String)> {
    // Key, its value (None once two points disagree), and how many points gave it.
    let mut seen: Vec<(String, Option<String>, usize)> = Vec::new();
    let mut add = |k: &str, v: String| match seen.iter_mut().find(|e| e.0 == k) {
        Some(e) => {
            e.2 += 1;
            if e.1.as_ref().is_some_and(|old| *old != v) {
                e.1 = None;
            }
        }
        None => seen.push((k.to_string(), Some(v), 1)),
    };
    for p in &s.points {
        let q = &p.question;
        add("model", q.model.id.clone());
        if !p.uncertain.iter().any(|u| u.path == "train_tokens") {
            add("train_tokens", format!("{} tokens", human(q.train_tokens)));
        }
        let seq = q.seq_len.max(1) as f64;
        add(
            "global_batch_tokens",
            format!(
                "{} tokens ({} sequences of {})",
                grouped(q.global_batch_tokens),
                grouped(q.global_batch_tokens / seq),
                grouped(seq)
            ),
        );
        add("precision", q.precision.as_str().to_string());
        let fleet: Vec<String> = p.pools.iter().map(|x| x.describe()).collect();
        add(
            "fleet",
            if fleet.is_empty() {
                format!("{} × {}", q.gpus, q.gpu.id)
            } else {
                fleet.join(" + ")
            },
        );
        add(
            "policy.rule",
            p.policy
                .as_ref()
                .map_or("none".to_string(), |r| format!("{} ({})", r.id, r.name)),
        );
        add(
            "cost.basis",
            match p.nominal.cost.basis {
                CostBasis::Rental => "rental".to_string(),
                CostBasis::Ownership => "ownership".to_string(),
            },
        );
        add("uncertainty.trials", p.trials.to_string());
        add("uncertainty.seed", p.seed.to_string());
        for u in &p.uncertain {
            add(u.path, describe_dist(&u.dist));
        }
    }
    let n = s.points.len();
    seen.into_iter()
        .map(|(k, v, count)| {
            let v = match v {
                Some(v) if count == n => v,
                _ => "varies by point (see the swept inputs)".to_string(),
            };
            (k, v)
        })
        .collect()
}

/// Draw the charts of a finished scenario into `<dir>/charts/` (PNG and SVG) and write
/// `<dir>/report.html`, both atomically; chart files of an earlier run that this one did
/// not draw are removed. Returns the report's path and the charts drawn.
pub fn write_report(o: &ScenarioOutcome) -> anyhow::Result<(PathBuf, Vec<ChartFile>)> {
    let charts_dir = o.dir.join("charts");
    let charts = draw_all(&o.report, &charts_dir)
        .with_context(|| format!("cannot draw the charts of `{}`", o.name))?;
    if let Ok(entries) = std::fs::read_dir(&charts_dir) {
        for e in entries.filter_map(Result::ok) {
            let path = e.path();
            let chart = path.extension().is_some_and(|x| x == "png" || x == "svg");
            if chart && !charts.iter().any(|c| c.png == path || c.svg == path) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let html = render_report(&o.report, &charts)
        .with_context(|| format!("cannot render the report of `{}`", o.name))?;
    let path = o.dir.join("report.html");
    write_atomic(&path, html.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok((path, charts))
}

/// The first infeasible trial of a point and why, if any.
type FirstReason = Option<(u64, String)>;

/// Consumes unit results in unit order and writes the final files of one scenario.
pub struct Summarizer {
    name: String,
    dir: PathBuf,
    sweep_paths: Vec<String>,
    batch_index: usize,
    sens_rows: Vec<Vec<String>>,
    points: Vec<PointOutcome>,
    trials_out: Option<csv::Writer<AtomicFile>>,
    current: Option<(PointRecord, Vec<TrialMetrics>, FirstReason)>,
    trials_run: u64,
    /// Points whose `train_days` samples were kept (at most [`MAX_CDF_LINES`]).
    sampled_points: usize,
    meta: ReportMeta,
    report_points: Vec<PointResult>,
    /// The tornados of the first [`MAX_TORNADOS`] points with sensitivity rows.
    tornados: Vec<PointSensitivity>,
    /// Points with sensitivity rows.
    tornado_points: usize,
}

impl Summarizer {
    fn new(
        name: &str,
        out: &Path,
        sweep_paths: &[String],
        trials_csv: bool,
        batch_index: usize,
        meta: ReportMeta,
    ) -> anyhow::Result<Summarizer> {
        let dir = out.join(name);
        // Temporary files a killed earlier run left here (issue 12).
        crate::report::remove_stale_temps(&dir);
        crate::report::remove_stale_temps(&dir.join("charts"));
        crate::report::remove_stale_temps(out);
        let trials_out = if trials_csv {
            let f = AtomicFile::create(&dir.join("trials.csv"))
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            let mut w = csv::Writer::from_writer(f);
            w.write_record(trials_header())?;
            Some(w)
        } else {
            None
        };
        Ok(Summarizer {
            name: name.to_string(),
            dir,
            sweep_paths: sweep_paths.to_vec(),
            batch_index,
            sens_rows: Vec::new(),
            points: Vec::new(),
            trials_out,
            current: None,
            trials_run: 0,
            sampled_points: 0,
            meta,
            report_points: Vec::new(),
            tornados: Vec::new(),
            tornado_points: 0,
        })
    }

    fn consume(&mut self, u: UnitResult) -> anyhow::Result<()> {
        if let Some(rec) = u.record {
            self.finish_point()?;
            self.current = Some((rec, Vec::new(), None));
        }
        let Some((rec, trials, reason)) = &mut self.current else {
            anyhow::bail!(
                "unit of point {} arrived before the point's record",
                u.point
            );
        };
        if rec.point != u.point || u.first != trials.len() as u64 {
            anyhow::bail!("units of point {} arrived out of order", u.point);
        }
        trials.extend_from_slice(&u.trials);
        if reason.is_none() {
            *reason = u.first_reason;
        }
        Ok(())
    }

    fn finish_point(&mut self) -> anyhow::Result<()> {
        let Some((rec, trials, reason)) = self.current.take() else {
            return Ok(());
        };
        let keep = if self.sampled_points < MAX_CDF_LINES {
            MAX_SAMPLES
        } else {
            0
        };
        let mut summary = rec
            .infeasible
            .is_none()
            .then(|| summarize_trials_sampled(&trials, keep));
        let samples = summary
            .as_mut()
            .map(|s| std::mem::take(&mut s.train_days_sample))
            .unwrap_or_default();
        if !samples.is_empty() {
            self.sampled_points += 1;
        }
        let mut row = rec.cells.clone();
        for m in 0..METRICS.len() {
            match summary.as_ref().and_then(|s| s.metrics[m]) {
                Some(ms) => row.extend([ms.p5, ms.p50, ms.p95, ms.mean].map(fmt_f64)),
                None => row.extend(std::iter::repeat_n(String::new(), 4)),
            }
        }
        let plan = summary
            .as_ref()
            .and_then(|s| s.plan)
            .map(|(r, c)| (rec.plan_label(r), c));
        let feasible = summary.as_ref().map_or(0, |s| s.feasible);
        let infeasible_trials = summary.as_ref().map_or(0, |s| s.infeasible);
        row.push(plan.as_ref().map(|p| p.0.clone()).unwrap_or_default());
        row.push(
            plan.as_ref()
                .map(|p| fmt_f64(p.1 as f64 / feasible as f64))
                .unwrap_or_default(),
        );
        row.push(trials.len().to_string());
        row.push(infeasible_trials.to_string());
        let why = match (&rec.infeasible, &reason) {
            (Some(r), _) => r.clone(),
            (None, Some((i, r))) => format!(
                "{infeasible_trials} of {} trials (first: trial {i}): {r}",
                trials.len()
            ),
            (None, None) => String::new(),
        };
        row.push(why.clone());
        // Issue 5: policy metrics (medians), build-up, fleet mode.
        let extra = |i: usize| summary.as_ref().and_then(|s| s.extra[i]);
        for i in 0..6 {
            row.push(extra(i).map(fmt_f64).unwrap_or_default());
        }
        row.push(extra(6).map(format_day).unwrap_or_default());
        row.push(rec.fleet.clone());
        let mut modes: BTreeMap<usize, u64> = BTreeMap::new();
        for t in trials.iter().filter(|t| t.plan != NO_PLAN) {
            *modes.entry(rec.decode(t.plan).0).or_default() += 1;
        }
        let top = modes
            .iter()
            .fold(None::<(usize, u64)>, |b, (&m, &c)| match b {
                Some((_, bc)) if bc >= c => b,
                _ => Some((m, c)),
            });
        match top {
            Some((m, c)) => {
                let label = rec.mode_label(m);
                row.push(label.clone());
                row.push(fmt_f64(c as f64 / feasible as f64));
                row.push(match &rec.fleet_nominal {
                    Some((nominal, why)) if *nominal == label => why.clone(),
                    Some((nominal, why)) => format!("at nominal values {nominal}: {why}"),
                    None => String::new(),
                });
            }
            None => row.extend(std::iter::repeat_n(String::new(), 3)),
        }
        row.push(rec.notes.join("; "));
        // Issue 9: bands of the restriction ratios, under common random numbers.
        for i in [2, 3] {
            let band = summary.as_ref().and_then(|s| s.extra_band[i]);
            row.push(band.map(|b| fmt_f64(b.0)).unwrap_or_default());
            row.push(band.map(|b| fmt_f64(b.1)).unwrap_or_default());
        }
        row.push(extra(7).map(fmt_f64).unwrap_or_default());
        if let Some(w) = &mut self.trials_out {
            for (i, t) in trials.iter().enumerate() {
                let mut r = vec![rec.point.to_string(), i.to_string()];
                r.extend(t.values.map(fmt_f64));
                r.extend(t.extra.map(fmt_f64));
                r.push(if t.plan == NO_PLAN {
                    String::new()
                } else {
                    rec.plan_label(t.plan)
                });
                w.write_record(&r)?;
            }
        }
        self.trials_run += trials.len() as u64;
        self.sens_rows.extend(rec.sensitivity.iter().cloned());
        let n_inputs = self.sweep_paths.len();
        self.report_point(&rec, summary.as_ref(), samples, plan.as_ref(), &why);
        self.points.push(PointOutcome {
            point: rec.point,
            inputs: rec.cells[1..1 + n_inputs].to_vec(),
            gpu: rec.gpu.clone(),
            gpus: rec.gpus,
            summary,
            plan: plan.map(|p| p.0),
            infeasible: (!why.is_empty()).then_some(why),
            row,
        });
        Ok(())
    }

    /// The report's view of a finished point (and the tornado, from the first point that
    /// has one).
    fn report_point(
        &mut self,
        rec: &PointRecord,
        summary: Option<&PointSummary>,
        samples: Vec<f64>,
        plan: Option<&(String, u64)>,
        why: &str,
    ) {
        let q = |i: usize| {
            summary.and_then(|s| s.metrics[i]).map(|m| Quantiles {
                p5: m.p5,
                p50: m.p50,
                p95: m.p95,
                mean: m.mean,
            })
        };
        let train_days = q(0);
        let label = if rec.label.is_empty() {
            format!("{} × {}", rec.gpu, rec.gpus)
        } else {
            rec.label.clone()
        };
        let nominal = rec.nominal.as_ref();
        let breakdown = nominal.and_then(|n| {
            let parts = [&n.compute_usd, &n.energy_usd, &n.overheads_usd].map(|c| parse_cell(c));
            parts.iter().all(|v| v.is_finite()).then(|| CostBreakdown {
                compute_usd: parts[0],
                energy_usd: parts[1],
                overheads_usd: parts[2],
                compute_label: n.compute_label.clone(),
            })
        });
        // A point without a finished trial is infeasible; one where only some trials failed
        // keeps its figures and says why after its plan, as the terminal table does.
        let (plan_text, infeasible_reason) = match (plan, train_days) {
            (_, None) => (
                String::new(),
                Some(if why.is_empty() {
                    "no trial finished".to_string()
                } else {
                    why.to_string()
                }),
            ),
            (Some((p, _)), Some(_)) if !why.is_empty() => (format!("{p}; {why}"), None),
            (Some((p, _)), Some(_)) => (p.clone(), None),
            (None, Some(_)) => (why.to_string(), None),
        };
        if !rec.sensitivity.is_empty() {
            self.tornado_points += 1;
        }
        if self.tornados.len() < MAX_TORNADOS && !rec.sensitivity.is_empty() {
            let nom =
                |f: fn(&NominalRecord) -> &String| nominal.map_or(f64::NAN, |n| parse_cell(f(n)));
            let (days0, cost0) = (nom(|n| &n.train_days), nom(|n| &n.cost_usd));
            let rows = rec
                .sensitivity
                .iter()
                .enumerate()
                .filter(|(_, r)| r.len() >= SENSITIVITY_HEADER.len())
                .map(|(i, r)| Sensitivity {
                    input: r[1].clone(),
                    name: rec.sensitivity_names.get(i).cloned().unwrap_or_default(),
                    low_label: input_label(parse_cell(&r[2])),
                    high_label: input_label(parse_cell(&r[3])),
                    train_days_low: parse_cell(&r[4]),
                    train_days_high: parse_cell(&r[5]),
                    cost_usd_low: parse_cell(&r[6]),
                    cost_usd_high: parse_cell(&r[7]),
                    train_days_nominal: days0,
                    cost_usd_nominal: cost0,
                })
                .collect();
            self.tornados.push(PointSensitivity {
                point: rec.point,
                label: label.clone(),
                rows,
            });
        }
        let n_inputs = self.sweep_paths.len();
        self.report_points.push(PointResult {
            label,
            gpu: rec.gpu.clone(),
            gpus: rec.gpus,
            inputs: self
                .sweep_paths
                .iter()
                .cloned()
                .zip(rec.cells[1..1 + n_inputs].iter().map(|v| compact_value(v)))
                .collect(),
            train_days,
            cost_usd: q(2),
            gpu_hours: q(1),
            energy_mwh: q(3),
            mfu: q(4),
            cost_breakdown_usd: breakdown,
            train_days_samples: samples,
            plan: plan_text,
            infeasible_reason,
            fleet: rec.fleet.clone(),
            capex_usd: summary.and_then(|s| s.extra[7]),
            restriction_time_ratio: band(summary, 2),
            restriction_cost_ratio: band(summary, 3),
            cost_missing: (train_days.is_some() && q(2).is_none())
                .then(|| rec.cost_missing.clone())
                .flatten(),
        });
    }

    fn finish(mut self) -> anyhow::Result<ScenarioOutcome> {
        self.finish_point()?;
        let rows: Vec<Vec<String>> = self.points.iter().map(|p| p.row.clone()).collect();
        let summary = csv_bytes(&summary_header(&self.sweep_paths), &rows)?;
        let sens_header: Vec<String> = SENSITIVITY_HEADER.iter().map(|s| s.to_string()).collect();
        let sens = csv_bytes(&sens_header, &self.sens_rows)?;
        if let Some(w) = self.trials_out.take() {
            let f = w
                .into_inner()
                .map_err(|e| anyhow::anyhow!("{}", e.error()))?;
            f.finish().with_context(|| {
                format!("cannot write {}", self.dir.join("trials.csv").display())
            })?;
        }
        write_atomic(&self.dir.join("sensitivity.csv"), &sens)
            .with_context(|| format!("cannot write in {}", self.dir.display()))?;
        write_atomic(&self.dir.join("summary.csv"), &summary)
            .with_context(|| format!("cannot write in {}", self.dir.display()))?;
        let report = Box::new(ScenarioResult {
            question: if self.meta.question.is_empty() {
                self.name.clone()
            } else {
                self.meta.question
            },
            name: self.name.clone(),
            points: self.report_points,
            tornados: self.tornados,
            tornado_points: self.tornado_points,
            assumptions: self.meta.assumptions,
            limitations: LIMITATIONS.iter().map(|l| l.to_string()).collect(),
            swept: self.sweep_paths.clone(),
        });
        Ok(ScenarioOutcome {
            name: self.name,
            dir: self.dir,
            sweep_paths: self.sweep_paths,
            points: self.points,
            trials: self.trials_run,
            batch_index: self.batch_index,
            report,
        })
    }
}

/// Swept keys that a point's label already shows through its fleet.
fn shown_by_fleet(path: &str) -> bool {
    matches!(
        path,
        "fleet.gpu" | "fleet.count" | "fleet.cap" | "policy.run_gpus"
    ) || (path.starts_with("fleet.pools.")
        && [".gpu", ".count", ".cap"].iter().any(|k| path.ends_with(k)))
}

/// A point's name in charts and the report: `<gpu> × <count>` for one pool,
/// `<pool> × <count>` joined by ` + ` for several, then `, <key>=<value>` for each swept
/// input the fleet does not show (the key's last dotted part).
pub fn point_label(p: &crate::scenario::Point, sweep_paths: &[String]) -> String {
    let mut label = if p.pools.len() > 1 {
        p.pools
            .iter()
            .map(|x| format!("{} × {}", x.label, x.gpus()))
            .collect::<Vec<_>>()
            .join(" + ")
    } else {
        let q = p.pools.first().map_or(&p.question, |x| &x.question);
        format!("{} × {}", q.gpu.id, q.gpus)
    };
    for (path, value) in sweep_paths.iter().zip(&p.inputs) {
        if shown_by_fleet(path) {
            continue;
        }
        let compact = compact_value(value);
        if compact != *value {
            // A table names its own keys: `rule=oct-2023`.
            label.push_str(&format!(", {compact}"));
        } else {
            let key = path.rsplit('.').next().unwrap_or(path);
            label.push_str(&format!(", {key}={value}"));
        }
    }
    label
}

/// A swept value as the report shows it: an inline table `{ rule = "oct-2023" }` as
/// `rule=oct-2023`; anything else as it is.
pub fn compact_value(v: &str) -> String {
    match v.trim().strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        Some(inner) => inner.trim().replace(" = ", "=").replace('"', ""),
        None => v.to_string(),
    }
}

/// The record of a prepared point.
fn point_record(prep: &Prepared, sweep_paths: &[String]) -> PointRecord {
    let p = prep.point;
    let q = &p.question;
    let (gpu, gpus) = if p.pools.len() > 1 {
        let ids: Vec<&str> = p.pools.iter().map(|x| x.question.gpu.id.as_str()).collect();
        (ids.join("+"), p.fleet_gpus)
    } else {
        (q.gpu.id.clone(), q.gpus)
    };
    let mut cells = vec![p.index.to_string()];
    cells.extend(p.inputs.iter().cloned());
    cells.extend([
        q.model.id.clone(),
        gpu.clone(),
        gpus.to_string(),
        q.precision.as_str().to_string(),
        fmt_f64(q.train_tokens),
    ]);
    let sens_rows = sensitivity(prep);
    let sensitivity_names =
        sensitivity_names(p, &sens_rows.iter().map(|r| r.input).collect::<Vec<_>>());
    let sens = sens_rows
        .into_iter()
        .map(|r| {
            vec![
                p.index.to_string(),
                r.input.to_string(),
                fmt_f64(r.input_p10),
                fmt_f64(r.input_p90),
                fmt_f64(r.train_days_at_p10),
                fmt_f64(r.train_days_at_p90),
                fmt_f64(r.cost_usd_at_p10),
                fmt_f64(r.cost_usd_at_p90),
                fmt_f64(r.train_days_swing),
                fmt_f64(r.cost_usd_swing),
            ]
        })
        .collect();
    let labels = |plans: &[crate::parallel::PlanResult]| -> Vec<String> {
        plans.iter().map(|r| r.strategy.label()).collect()
    };
    let nominal = nominal_run(prep).map(|n| {
        let part = |f: fn(&crate::cost::CostSplit) -> f64| {
            n.split.as_ref().map(f).map(fmt_f64).unwrap_or_default()
        };
        NominalRecord {
            train_days: fmt_f64(n.train_days),
            cost_usd: fmt_f64(n.cost_usd),
            compute_usd: part(|c| c.compute_usd),
            energy_usd: part(|c| c.energy_usd),
            overheads_usd: part(|c| c.overheads_usd),
            compute_label: n.compute_label,
        }
    });
    PointRecord {
        label: point_label(p, sweep_paths),
        nominal,
        point: p.index,
        cells,
        gpu,
        gpus,
        plans: labels(&prep.plans),
        pool_labels: prep.pools.iter().map(|x| x.pool.label.clone()).collect(),
        pool_plans: prep.pools.iter().map(|x| labels(&x.plans)).collect(),
        radix: prep.radix,
        fleet: p
            .pools
            .iter()
            .map(|x| x.describe())
            .collect::<Vec<_>>()
            .join(" + "),
        fleet_nominal: nominal_mode(prep),
        notes: prep.notes.clone(),
        infeasible: prep.infeasible.as_ref().map(ToString::to_string),
        trials: p.trials,
        sensitivity: sens,
        sensitivity_names,
        cost_missing: cost_missing(p),
    }
}

/// Extra metric `i` of a point's summary as a median with its band (issue 12: the report
/// shows the restriction ratios).
fn band(summary: Option<&PointSummary>, i: usize) -> Option<Band> {
    let s = summary?;
    Some(Band {
        p50: s.extra[i]?,
        p5_p95: s.extra_band[i],
    })
}

/// Why the cost of a point cannot be computed: the first pool whose chip lacks a price (or
/// a TDP) under its cost basis, in words.
fn cost_missing(p: &crate::scenario::Point) -> Option<String> {
    let gap = |q: &crate::estimate::Question, x: &crate::scenario::keys::Inputs| {
        crate::cost::estimate_cost(&q.gpu, 1.0, 1.0, &x.energy, &x.cost)
            .err()
            .map(|g| format!("{}: {}", q.gpu.id, crate::report::names::cost_gap(&g)))
    };
    if p.pools.is_empty() {
        return gap(&p.question, &p.nominal);
    }
    p.pools.iter().find_map(|x| gap(&x.question, &x.nominal))
}

/// The input of each sensitivity row of `p` in words ([`crate::report::names::input_name`]).
fn sensitivity_names(p: &crate::scenario::Point, inputs: &[&str]) -> Vec<String> {
    let channels: Vec<String> = p.pools.iter().map(|x| x.channel.to_string()).collect();
    let pools: Vec<PoolName> = p
        .pools
        .iter()
        .zip(&channels)
        .map(|(x, c)| PoolName {
            index: x.index,
            label: &x.label,
            channel: c,
        })
        .collect();
    inputs.iter().map(|i| input_name(i, &pools)).collect()
}

/// Options of one scenario run.
pub struct RunOptions<'a> {
    /// Output folder.
    pub out: &'a Path,
    /// The share to run (`None`: all, writing the final files).
    pub shard: Option<Shard>,
    /// Write trials.csv.
    pub trials_csv: bool,
    /// Order of the scenario in its batch (kept in shard manifests for the combined summary).
    pub batch_index: usize,
    /// Called with the number of trials each finished unit ran (from worker threads).
    pub progress: &'a (dyn Fn(u64) + Sync),
}

/// What a shard run produced.
#[derive(Debug, Clone)]
pub struct ShardOutcome {
    /// Scenario name.
    pub name: String,
    /// The shard folder.
    pub dir: PathBuf,
    /// Units run.
    pub units: u64,
    /// Trials run.
    pub trials: u64,
}

/// What running a scenario produced.
#[derive(Debug, Clone)]
pub enum Ran {
    /// The final files.
    Whole(ScenarioOutcome),
    /// A shard's partial files.
    Shard(ShardOutcome),
}

/// Trials the given share of a scenario will run (for a progress bar).
pub fn planned_trials(s: &Scenario, shard: Option<Shard>) -> u64 {
    let layout = Layout::of(s.points.iter().map(|p| p.trials).collect());
    let shard = shard.unwrap_or(Shard { index: 1, count: 1 });
    (0..layout.total())
        .filter(|u| shard.owns(*u))
        .map(|u| layout.locate(u).3)
        .sum()
}

/// The shard manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Manifest {
    format: String,
    scenario: String,
    file: String,
    fingerprint: String,
    batch_index: usize,
    shard: u64,
    shards: u64,
    chunk_trials: u64,
    points: usize,
    units: u64,
    sweep_paths: Vec<String>,
    trials_csv: bool,
    version: String,
    /// The report's question and assumptions (absent in shards of older versions).
    #[serde(default)]
    report: ReportMeta,
}

/// Writes a shard's partial files.
struct PartialWriter {
    dir: PathBuf,
    units: csv::Writer<AtomicFile>,
    records: Vec<PointRecord>,
    manifest: Manifest,
    units_run: u64,
    trials_run: u64,
}

impl PartialWriter {
    fn consume(&mut self, unit: u64, u: UnitResult) -> anyhow::Result<()> {
        for (i, t) in u.trials.iter().enumerate() {
            let trial = u.first + i as u64;
            let reason = match &u.first_reason {
                Some((j, r)) if *j == trial => r.as_str(),
                _ => "",
            };
            let mut r = vec![unit.to_string(), u.point.to_string(), trial.to_string()];
            r.extend(t.values.map(|v| format!("{v}")));
            r.extend(t.extra.map(|v| format!("{v}")));
            r.push(if t.plan == NO_PLAN {
                "-".into()
            } else {
                t.plan.to_string()
            });
            r.push(reason.to_string());
            self.units.write_record(&r)?;
        }
        if let Some(rec) = u.record {
            self.records.push(rec);
        }
        self.units_run += 1;
        self.trials_run += u.trials.len() as u64;
        Ok(())
    }

    fn finish(self, name: &str) -> anyhow::Result<ShardOutcome> {
        let f = self
            .units
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{}", e.error()))?;
        f.finish()
            .with_context(|| format!("cannot write in {}", self.dir.display()))?;
        let mut jsonl = String::new();
        for r in &self.records {
            jsonl.push_str(&serde_json::to_string(r)?);
            jsonl.push('\n');
        }
        write_atomic(&self.dir.join("points.jsonl"), jsonl.as_bytes())?;
        write_atomic(
            &self.dir.join("manifest.json"),
            serde_json::to_string_pretty(&self.manifest)?.as_bytes(),
        )?;
        Ok(ShardOutcome {
            name: name.to_string(),
            dir: self.dir,
            units: self.units_run,
            trials: self.trials_run,
        })
    }
}

enum Sink {
    Whole(Box<Summarizer>),
    Shard(Box<PartialWriter>),
}

/// Run one scenario (or a share of it) and write its files.
pub fn run_scenario(s: &Scenario, opts: &RunOptions) -> anyhow::Result<Ran> {
    let layout = Layout::of(s.points.iter().map(|p| p.trials).collect());
    let total = layout.total();
    let mut sink = match opts.shard {
        None => Sink::Whole(Box::new(Summarizer::new(
            &s.name,
            opts.out,
            &s.sweep_paths,
            opts.trials_csv,
            opts.batch_index,
            ReportMeta::of(s),
        )?)),
        Some(sh) => {
            let dir = opts
                .out
                .join(&s.name)
                .join(format!("shard-{}-of-{}", sh.index, sh.count));
            crate::report::remove_stale_temps(&dir);
            let f = AtomicFile::create(&dir.join("units.csv"))
                .with_context(|| format!("cannot write in {}", dir.display()))?;
            let mut units = csv::Writer::from_writer(f);
            let mut header = vec!["unit".to_string(), "point".into(), "trial".into()];
            header.extend(METRICS.iter().map(|m| m.to_string()));
            header.extend(EXTRA_METRICS.iter().map(|m| m.to_string()));
            header.extend(["plan_rank".to_string(), "infeasible_reason".into()]);
            units.write_record(&header)?;
            Sink::Shard(Box::new(PartialWriter {
                manifest: Manifest {
                    format: SHARD_FORMAT.into(),
                    scenario: s.name.clone(),
                    file: s.file.clone(),
                    fingerprint: format!("{:016x}", s.fingerprint),
                    batch_index: opts.batch_index,
                    shard: sh.index,
                    shards: sh.count,
                    chunk_trials: CHUNK_TRIALS,
                    points: s.points.len(),
                    units: total,
                    sweep_paths: s.sweep_paths.clone(),
                    trials_csv: opts.trials_csv,
                    version: env!("CARGO_PKG_VERSION").into(),
                    report: ReportMeta::of(s),
                },
                dir,
                units,
                records: Vec::new(),
                units_run: 0,
                trials_run: 0,
            }))
        }
    };
    let (step, mut u) = match opts.shard {
        None => (1, 0),
        Some(sh) => (sh.count, sh.index - 1),
    };
    let mut cache: HashMap<usize, Prepared> = HashMap::new();
    let mut searches_done: HashMap<String, SearchResult> = HashMap::new();
    while u < total {
        let mut window: Vec<(u64, usize, u64, u64, u64)> = Vec::new();
        let mut load = 0;
        while u < total && load < WINDOW_TRIALS {
            let (p, chunk, first, count) = layout.locate(u);
            window.push((u, p, chunk, first, count));
            load += count.max(1);
            u += step;
        }
        let mut new: Vec<usize> = window
            .iter()
            .map(|w| w.1)
            .filter(|p| !cache.contains_key(p))
            .collect();
        new.dedup();
        // Search each distinct question once (sweeps over prices share one search; pools,
        // reference and H100 fleets of the same chip and size too).
        if searches_done.len() > MAX_CACHED_SEARCHES {
            searches_done.clear();
        }
        // Each search keeps its own point's top_k (the key includes it): a sweep over
        // `uncertainty.top_k` must not reuse the first point's (issue 12).
        let mut todo: Vec<(String, &Question, usize)> = Vec::new();
        for &p in &new {
            for (k, q) in searches(&s.points[p]) {
                if !searches_done.contains_key(&k) && !todo.iter().any(|(t, ..)| *t == k) {
                    todo.push((k, q, s.points[p].top_k));
                }
            }
        }
        let found: Vec<SearchResult> = todo
            .par_iter()
            .map(|&(_, q, top_k)| plan_search(q, top_k))
            .collect();
        for ((k, ..), f) in todo.into_iter().zip(found) {
            searches_done.insert(k, f);
        }
        for &p in &new {
            cache.insert(p, prepare_from(&s.points[p], &searches_done));
        }
        let results: Vec<UnitResult> = window
            .par_iter()
            .map(|&(_, p, chunk, first, count)| {
                let prep = &cache[&p];
                let mut trials = Vec::new();
                let first_reason = if prep.infeasible.is_none() {
                    run_trials(prep, first, count, &mut trials)
                } else {
                    None
                };
                let record = (chunk == 0).then(|| point_record(prep, &s.sweep_paths));
                (opts.progress)(count);
                UnitResult {
                    point: p,
                    first,
                    trials,
                    first_reason,
                    record,
                }
            })
            .collect();
        let last = window.last().map_or(0, |w| w.1);
        cache.retain(|p, _| *p >= last);
        for (w, r) in window.iter().zip(results) {
            match &mut sink {
                Sink::Whole(sm) => sm.consume(r)?,
                Sink::Shard(pw) => pw.consume(w.0, r)?,
            }
        }
    }
    match sink {
        Sink::Whole(sm) => Ok(Ran::Whole(sm.finish()?)),
        Sink::Shard(pw) => Ok(Ran::Shard(pw.finish(&s.name)?)),
    }
}

/// Write the combined `<out>/summary.csv` of a batch, scenarios in batch order.
pub fn write_combined(out: &Path, outcomes: &[ScenarioOutcome]) -> anyhow::Result<PathBuf> {
    let mut sorted: Vec<&ScenarioOutcome> = outcomes.iter().collect();
    sorted.sort_by(|a, b| (a.batch_index, &a.name).cmp(&(b.batch_index, &b.name)));
    let mut rows = Vec::new();
    for s in sorted {
        let n = s.sweep_paths.len();
        for p in &s.points {
            let inputs: Vec<String> = s
                .sweep_paths
                .iter()
                .zip(&p.inputs)
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            let mut r = vec![s.name.clone(), p.row[0].clone(), inputs.join("; ")];
            r.extend(p.row[1 + n..].iter().cloned());
            rows.push(r);
        }
    }
    let path = out.join("summary.csv");
    write_atomic(&path, &csv_bytes(&combined_header(), &rows)?)
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// A shard found by [`merge`].
struct FoundShard {
    dir: PathBuf,
    manifest: Manifest,
}

fn find_manifests(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let m = dir.join("manifest.json");
    if m.is_file() {
        out.push(m);
        return Ok(());
    }
    if depth == 0 {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for e in entries {
        find_manifests(&e, depth - 1, out)?;
    }
    Ok(())
}

fn merge_err(dir: &Path, msg: impl Into<String>, hint: &str) -> anyhow::Error {
    InputError::new(msg)
        .in_file(dir)
        .with_hint(hint.to_string())
        .into()
}

/// Combine shard outputs found under `dirs` (each a shard folder or any folder above one,
/// up to three levels) into the files one run would have written, in `out`.
pub fn merge(dirs: &[PathBuf], out: &Path) -> anyhow::Result<Vec<ScenarioOutcome>> {
    let mut manifests = Vec::new();
    for d in dirs {
        if !d.is_dir() {
            return Err(merge_err(
                d,
                "is not a folder",
                "pass the --out folders of the shard runs",
            ));
        }
        find_manifests(d, 3, &mut manifests)
            .with_context(|| format!("cannot read {}", d.display()))?;
    }
    let mut groups: BTreeMap<String, Vec<FoundShard>> = BTreeMap::new();
    for m in manifests {
        let dir = m.parent().unwrap_or(Path::new(".")).to_path_buf();
        let text = crate::catalog::read_text(&m)?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            merge_err(
                &m,
                format!("is not a shard manifest: {e}"),
                "merge reads the folders `trainsim run --shard K/N` writes",
            )
        })?;
        if manifest.format != SHARD_FORMAT || manifest.chunk_trials != CHUNK_TRIALS {
            return Err(merge_err(
                &m,
                format!(
                    "was written by an incompatible trainsim ({})",
                    manifest.version
                ),
                "run every shard and the merge with the same trainsim",
            ));
        }
        if manifest.shards == 0
            || manifest.shards > 1_000_000
            || manifest.shard == 0
            || manifest.shard > manifest.shards
        {
            return Err(merge_err(
                &m,
                format!(
                    "`shard` {} of `shards` {} is not a share K/N with 1 ≤ K ≤ N ≤ 1,000,000",
                    manifest.shard, manifest.shards
                ),
                "the shard output is damaged; run that shard again",
            ));
        }
        let canon = dir.canonicalize().unwrap_or(dir.clone());
        let group = groups.entry(manifest.scenario.clone()).or_default();
        if group
            .iter()
            .any(|g| g.dir.canonicalize().unwrap_or(g.dir.clone()) == canon)
        {
            continue;
        }
        group.push(FoundShard { dir, manifest });
    }
    if groups.is_empty() {
        return Err(merge_err(
            dirs.first().map_or(Path::new("."), |d| d.as_path()),
            "holds no shard output (no manifest.json found)",
            "run `trainsim run SCENARIO --shard K/N --out DIR` first, then merge those DIRs",
        ));
    }
    let mut outcomes = Vec::new();
    for (name, mut shards) in groups {
        shards.sort_by_key(|s| s.manifest.shard);
        let first = &shards[0].manifest;
        let n = first.shards;
        for s in &shards {
            let m = &s.manifest;
            if m.shards != n
                || m.fingerprint != first.fingerprint
                || m.trials_csv != first.trials_csv
                || m.points != first.points
            {
                return Err(merge_err(
                    &s.dir,
                    format!("shards of `{name}` come from different runs (scenario text, --catalog contents, --trials, --seed, --trials-csv or shard count differ)"),
                    "merge only the shards of one run",
                ));
            }
        }
        for w in shards.windows(2) {
            if w[0].manifest.shard == w[1].manifest.shard {
                return Err(merge_err(
                    &w[1].dir,
                    format!(
                        "shard {}/{n} of `{name}` appears twice (also in {})",
                        w[1].manifest.shard,
                        w[0].dir.display()
                    ),
                    "pass each shard once",
                ));
            }
        }
        let missing: Vec<String> = (1..=n)
            .filter(|k| !shards.iter().any(|s| s.manifest.shard == *k))
            .take(10)
            .map(|k| format!("{k}/{n}"))
            .collect();
        if !missing.is_empty() {
            return Err(merge_err(
                &shards[0].dir,
                format!("scenario `{name}` lacks shard(s) {}", missing.join(", ")),
                "run the missing shards, then merge all of them",
            ));
        }
        outcomes.push(merge_one(&name, &shards, out)?);
    }
    write_combined(out, &outcomes)?;
    Ok(outcomes)
}

type UnitRows = std::iter::Peekable<csv::StringRecordsIntoIter<BufReader<File>>>;

fn merge_one(name: &str, shards: &[FoundShard], out: &Path) -> anyhow::Result<ScenarioOutcome> {
    let m = &shards[0].manifest;
    // Read every record before sizing anything by the manifest's point count.
    let mut read: Vec<(PathBuf, PointRecord)> = Vec::new();
    for s in shards {
        let path = s.dir.join("points.jsonl");
        let text = crate::catalog::read_text(&path)?;
        for (i, line) in text.lines().enumerate() {
            let damaged = |msg: String| {
                merge_err(
                    &path,
                    format!("line {}: {msg}", i + 1),
                    "the shard output is damaged; run that shard again",
                )
            };
            let r: PointRecord = serde_json::from_str(line).map_err(|e| damaged(e.to_string()))?;
            if let Some(why) = r.check(m.sweep_paths.len()) {
                return Err(damaged(why));
            }
            read.push((path.clone(), r));
        }
    }
    if read.len() < m.points {
        let mut held: Vec<usize> = read.iter().map(|(_, r)| r.point).collect();
        held.sort_unstable();
        held.dedup();
        let p = held
            .iter()
            .enumerate()
            .find(|(i, p)| *i != **p)
            .map_or(held.len(), |x| x.0);
        return Err(merge_err(
            &shards[0].dir,
            format!("no shard holds point {p} of `{name}`"),
            "the shard output is incomplete; run the shards again",
        ));
    }
    if read.len() > m.points {
        return Err(merge_err(
            &shards[0].dir,
            format!(
                "the shards of `{name}` hold {} point records, their manifests say {}",
                read.len(),
                m.points
            ),
            "the shard output is damaged; run the shards again",
        ));
    }
    let mut records: Vec<Option<PointRecord>> = vec![None; m.points];
    for (path, r) in read {
        let p = r.point;
        if p >= records.len() || records[p].is_some() {
            return Err(merge_err(
                &path,
                format!("point {p} is out of range or repeated"),
                "the shard output is damaged; run that shard again",
            ));
        }
        records[p] = Some(r);
    }
    if let Some(p) = records.iter().position(Option::is_none) {
        return Err(merge_err(
            &shards[0].dir,
            format!("no shard holds point {p} of `{name}`"),
            "the shard output is incomplete; run the shards again",
        ));
    }
    let records: Vec<PointRecord> = records.into_iter().flatten().collect();
    let layout = Layout::of(records.iter().map(|r| r.trials).collect());
    if layout.total() != m.units {
        return Err(merge_err(
            &shards[0].dir,
            "the shard manifests and point records disagree",
            "run the shards again",
        ));
    }
    let mut readers: Vec<(PathBuf, UnitRows)> = Vec::new();
    for s in shards {
        let path = s.dir.join("units.csv");
        let f = File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
        readers.push((
            path,
            csv::Reader::from_reader(BufReader::new(f))
                .into_records()
                .peekable(),
        ));
    }
    let feasible: Vec<bool> = records.iter().map(|r| r.infeasible.is_none()).collect();
    let mut records: Vec<Option<PointRecord>> = records.into_iter().map(Some).collect();
    let mut sm = Summarizer::new(
        name,
        out,
        &m.sweep_paths,
        m.trials_csv,
        m.batch_index,
        m.report.clone(),
    )?;
    let n = m.shards;
    for u in 0..layout.total() {
        let (p, chunk, first, count) = layout.locate(u);
        let record = if chunk == 0 { records[p].take() } else { None };
        let (path, rows) = &mut readers[(u % n) as usize];
        let mut trials = Vec::with_capacity(count as usize);
        let mut first_reason = None;
        while let Some(Ok(rec)) = rows.peek() {
            if rec.get(0).and_then(|s| s.parse::<u64>().ok()) != Some(u) {
                break;
            }
            let rec = rows.next().and_then(Result::ok).unwrap_or_default();
            let bad = || {
                merge_err(
                    path,
                    format!("unit {u}: a malformed row"),
                    "the shard output is damaged; run that shard again",
                )
            };
            let trial: u64 = rec.get(2).and_then(|s| s.parse().ok()).ok_or_else(bad)?;
            let num = |i: usize| {
                rec.get(i)
                    .and_then(|s| s.parse::<f64>().ok())
                    .ok_or_else(bad)
            };
            let mut values = [0.0; 5];
            for (i, v) in values.iter_mut().enumerate() {
                *v = num(3 + i)?;
            }
            let mut extra = [0.0; EXTRA_METRICS.len()];
            for (i, v) in extra.iter_mut().enumerate() {
                *v = num(8 + i)?;
            }
            let after = 8 + EXTRA_METRICS.len();
            let plan = match rec.get(after) {
                Some("-") => NO_PLAN,
                Some(s) => s.parse().map_err(|_| bad())?,
                None => return Err(bad()),
            };
            if let Some(r) = rec.get(after + 1).filter(|r| !r.is_empty()) {
                if first_reason.is_none() {
                    first_reason = Some((trial, r.to_string()));
                }
            }
            trials.push(TrialMetrics {
                values,
                extra,
                plan,
            });
        }
        if let Some(Err(e)) = rows.peek() {
            return Err(merge_err(
                path,
                format!("cannot read a row: {e}"),
                "the shard output is damaged; run that shard again",
            ));
        }
        let expected = if feasible[p] { count } else { 0 };
        if trials.len() as u64 != expected {
            return Err(merge_err(
                path,
                format!(
                    "unit {u} holds {} trials, expected {expected}",
                    trials.len()
                ),
                "the shard output is incomplete; run that shard again",
            ));
        }
        sm.consume(UnitResult {
            point: p,
            first,
            trials,
            first_reason,
            record,
        })?;
    }
    sm.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_strings() {
        assert_eq!(Shard::parse("2/8").unwrap(), Shard { index: 2, count: 8 });
        for bad in ["0/2", "3/2", "a/b", "2", "1/0", "-1/2"] {
            let e = Shard::parse(bad).unwrap_err();
            assert_eq!(e.key.as_deref(), Some("--shard"), "{bad}");
        }
        let s = Shard { index: 2, count: 3 };
        assert_eq!((0..7).filter(|u| s.owns(*u)).collect::<Vec<_>>(), [1, 4]);
    }

    #[test]
    fn layout_cuts_points_into_chunks() {
        let l = Layout::of(vec![2500, 0, 1000]);
        assert_eq!(l.total(), 3 + 1 + 1);
        assert_eq!(l.locate(0), (0, 0, 0, 1000));
        assert_eq!(l.locate(2), (0, 2, 2000, 500));
        assert_eq!(l.locate(3), (1, 0, 0, 0));
        assert_eq!(l.locate(4), (2, 0, 0, 1000));
    }

    #[test]
    fn labels_name_the_fleet_and_the_other_swept_inputs() {
        use crate::catalog::Catalog;
        use crate::scenario::{load_str, Overrides};
        let load = |src: &str| {
            load_str(
                src,
                "t.toml",
                None,
                Some("t"),
                &Catalog::builtin(),
                &Overrides::default(),
            )
            .unwrap()
        };
        let s = load(
            "model = \"llama3.1-8b\"\ntrain_tokens = 1e11\n[fleet]\ngpu = \"h100\"\ncount = 64\n\
             [sweep]\n\"fleet.count\" = [64, 128]\n\"cost.usd_per_gpu_hour\" = [2.5, 3]\n",
        );
        let labels: Vec<String> = s
            .points
            .iter()
            .map(|p| point_label(p, &s.sweep_paths))
            .collect();
        assert_eq!(
            labels,
            [
                "h100-sxm-80gb × 64, usd_per_gpu_hour=2.5",
                "h100-sxm-80gb × 64, usd_per_gpu_hour=3",
                "h100-sxm-80gb × 128, usd_per_gpu_hour=2.5",
                "h100-sxm-80gb × 128, usd_per_gpu_hour=3"
            ]
        );
        let s = load(
            "model = \"llama3.1-8b\"\ntrain_tokens = 1e11\n\
             [[fleet.pools]]\ngpu = \"h20\"\ncount = 100\n\
             [[fleet.pools]]\nname = \"old\"\ngpu = \"a100-sxm-80gb\"\ncount = 50\nchannel = \"stockpile\"\n\
             [efficiency]\nmatmul_scale = { dist = \"pert\", min = 0.8, mode = 1.0, max = 1.1 }\n",
        );
        assert_eq!(point_label(&s.points[0], &[]), "h20 × 100 + old × 50");
        let a = assumptions(&s);
        let get = |k: &str| a.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(
            get("efficiency.matmul_scale"),
            Some("PERT(min 0.8, mode 1, max 1.1)")
        );
        assert_eq!(
            get("fleet"),
            Some("100 × h20 (purchase) + old: 50 × a100-sxm-80gb (stockpile)")
        );
        assert_eq!(get("train_tokens"), Some("100B tokens"));
        assert_eq!(get("policy.rule"), Some("none"));
        assert_eq!(compact_value("{ rule = \"oct-2023\" }"), "rule=oct-2023");
        assert_eq!(
            compact_value("{ gpu = \"h20\", count = 8 }"),
            "gpu=h20, count=8"
        );
        assert_eq!(compact_value("h20"), "h20");
        assert_eq!(input_number(1.2e-5), "1.2e-5");
        assert_eq!(input_label(1.5849e-5), "1.58e-5");
        assert_eq!(input_label(0.9071), "0.907");
    }

    #[test]
    fn floats_round_trip_in_their_shortest_form() {
        for x in [
            0.1,
            37.581_234_567_890_12,
            1.48e13,
            3.4e-6,
            5e-324,
            f64::MAX,
        ] {
            assert_eq!(fmt_f64(x).parse::<f64>().unwrap().to_bits(), x.to_bits());
        }
        assert_eq!(fmt_f64(f64::NAN), "");
        assert_eq!(fmt_f64(1.48e13), "14800000000000");
    }
}
