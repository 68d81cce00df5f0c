//! Compute over time (issue 10, DESIGN.md §6): national or lab fleets built month by month
//! from supply lines under a rule timeline, the largest run each fleet can train within
//! `max_run_days`, the first month it reaches a target, and the lead in months between
//! actors, in a base case and in named counterfactuals.
//!
//! Data flow, one job per file:
//! ```text
//! timeline.toml ─raw─> RawTimeline ─resolve(+catalog, rules)─> Timeline (base + counterfactual variants)
//!   capacity: per (stack, chip) a grid of GPU counts, one plan search each, cached ─> Capacity
//!   simulate: per trial (seeded like `run`), per variant, actor and month:
//!             fleet by chip ─> tokens/s (grid, mixed-fleet arrangement) ─> largest run, target month
//!   output:   timeline.csv, capability.csv, lead.csv (p5/p50/p95), charts, report.html
//! ```
//! Nothing here prints; the command in `src/commands/timeline.rs` does.

pub mod capacity;
pub mod output;
pub mod raw;
pub mod report;
pub mod resolve;
pub mod rules;
pub mod shard;
pub mod simulate;

use std::path::Path;

use crate::catalog::{Catalog, GpuSpec, ModelSpec, Precision, StackSpec};
use crate::dist::Dist;
use crate::error::InputError;
use crate::fleet::Channel;
use crate::policy::Rule;

pub use simulate::{simulate, Outcome};

/// What "capability" means: a run of `flop` model FLOP of `model` (at `precision`) that
/// finishes within `max_run_days`.
#[derive(Debug, Clone)]
pub struct Target {
    /// The model whose runs are timed.
    pub model: ModelSpec,
    /// Training precision asked for (a stack without FP8 trains in BF16).
    pub precision: Precision,
    /// Tokens of the target run (`effective_flop / flop_per_token` when given as compute).
    pub train_tokens: f64,
    /// Model FLOP of the target run, at the reference month's algorithms.
    pub flop: f64,
    /// Model FLOP per token (`6·N_active + 12·L·h·s`).
    pub flop_per_token: f64,
    /// Longest acceptable run, days.
    pub max_run_days: f64,
}

/// Algorithmic progress: the physical compute a capability needs falls by `per_year` a year
/// after `reference` (and rises before it).
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    /// Compute-efficiency multiplier per year.
    pub per_year: Dist,
    /// Month (`12·year + month − 1`) whose algorithms the target is measured in.
    pub reference: i64,
}

/// One supply line, resolved.
#[derive(Debug, Clone)]
pub struct Line {
    /// Index into [`Timeline::chips`].
    pub chip: usize,
    /// Acquisition channel: only `purchase` is stopped by the rule in force.
    pub channel: Channel,
    /// First month (on hand: `initial`).
    pub start: i64,
    /// Last month with a delivery.
    pub end: i64,
    /// GPUs on hand at `start`.
    pub initial: Dist,
    /// GPUs delivered at the end of each month from `start` to `end`.
    pub rate: Dist,
    /// Most GPUs ever delivered, `initial` included.
    pub cap: f64,
    /// Months after delivery at which a GPU retires.
    pub service_months: Option<i64>,
    /// Removed by a counterfactual (kept for its random numbers).
    pub removed: bool,
    /// Rule ids under which a `purchase` goes on by licence although the rule controls the
    /// chip (lower case).
    pub licensed_under: Vec<String>,
    /// Whether this line may buy each month (`month − start`), when `licensed_under` makes it
    /// differ from its chip's row of [`Variant::allowed`]; set by `resolve`.
    pub allowed: Option<Vec<bool>>,
    /// First of the two random-number slots of this line (initial, rate).
    pub slot: usize,
}

/// An actor: a name, a software stack and supply lines.
#[derive(Debug, Clone)]
pub struct Actor {
    /// Name in outputs.
    pub name: String,
    /// The software stack its runs use.
    pub stack: StackSpec,
    /// Whether the rule timeline stops its purchases.
    pub subject_to_rules: bool,
    /// Supply lines.
    pub lines: Vec<Line>,
}

/// The base case or one counterfactual.
#[derive(Debug, Clone)]
pub struct Variant {
    /// `base` or the counterfactual's name.
    pub name: String,
    /// Actors, in file order.
    pub actors: Vec<Actor>,
    /// (month, rule) in force from that month, sorted by month.
    pub rules: Vec<(i64, Rule)>,
    /// `allowed[chip][month − start]`: whether the chip may be bought that month.
    pub allowed: Vec<Vec<bool>>,
}

/// A resolved timeline scenario.
#[derive(Debug, Clone)]
pub struct Timeline {
    /// Output folder name.
    pub name: String,
    /// The question it asks, in words, when the file says.
    pub question: Option<String>,
    /// First month, `12·year + month − 1`.
    pub start: i64,
    /// Last month (inclusive).
    pub end: i64,
    /// What capability means.
    pub target: Target,
    /// Algorithmic progress, when given.
    pub progress: Option<Progress>,
    /// A model-error distribution shared by all actors, overriding each stack's own.
    pub model_error: Option<Dist>,
    /// Monte Carlo trials.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Every chip any variant uses, in order of first appearance.
    pub chips: Vec<GpuSpec>,
    /// Their ids.
    pub chip_ids: Vec<String>,
    /// The base case first, then each counterfactual.
    pub variants: Vec<Variant>,
}

impl Timeline {
    /// Months in the period.
    pub fn months(&self) -> usize {
        resolve::months(self.start, self.end)
    }
}

/// Load a timeline scenario from text, with the built-in rules only. `file` names it in
/// messages; `default_name` names the output folder when the file has no `name`.
pub fn load_str(
    src: &str,
    file: &str,
    default_name: &str,
    catalog: &Catalog,
) -> Result<Timeline, InputError> {
    load_str_with_rules(
        src,
        file,
        default_name,
        catalog,
        &crate::policy::builtin_rules(),
    )
}

/// [`load_str`] against `rules` (the built-in rules and those of `--rules FILE`).
pub fn load_str_with_rules(
    src: &str,
    file: &str,
    default_name: &str,
    catalog: &Catalog,
    rules: &[Rule],
) -> Result<Timeline, InputError> {
    if src.trim().is_empty() {
        return Err(InputError::new("the file is empty")
            .in_file(file)
            .with_hint("a timeline needs `start`, `end`, [target] and [[actors]]; see scenarios/timeline/README.md"));
    }
    let raw: raw::RawTimeline = toml::from_str(src).map_err(|e| {
        InputError::from_toml(src, &e)
            .in_file(file)
            .with_hint("see scenarios/timeline/README.md for the timeline format")
    })?;
    resolve::resolve(&raw, src, file, default_name, catalog, rules)
}

/// Load a timeline scenario file against `rules` (built-in and `--rules FILE`).
pub fn load(path: &Path, catalog: &Catalog, rules: &[Rule]) -> Result<Timeline, InputError> {
    let src = crate::catalog::read_text(path)?;
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("timeline");
    load_str_with_rules(&src, &path.display().to_string(), stem, catalog, rules)
}
