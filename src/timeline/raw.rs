//! `RawTimeline`: a timeline scenario exactly as written, checked only for shape (serde,
//! unknown keys refused everywhere). Every value that a later check may refuse is kept
//! with its byte span ([`toml::Spanned`]), so [`super::resolve`] can name its line and
//! column. Nothing here knows the catalogs, the rules or the calendar.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use crate::scenario::raw::Num;

/// A timeline scenario file (DESIGN.md §6).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTimeline {
    /// Output folder name; default: the file stem.
    pub name: Option<Spanned<String>>,
    /// The question the scenario asks, in words (report.html states it above the answer).
    pub question: Option<String>,
    /// First month, `YYYY-MM`.
    pub start: Spanned<String>,
    /// Last month, `YYYY-MM` (inclusive).
    pub end: Spanned<String>,
    /// What "capability" means.
    pub target: RawTarget,
    /// The actors, each with its supply lines.
    #[serde(default)]
    pub actors: Vec<RawActor>,
    /// The rule timeline.
    #[serde(default)]
    pub policy: RawPolicy,
    /// Compute-efficiency gains of algorithms; off unless given.
    pub algorithmic_progress: Option<RawProgress>,
    /// Multiplier on every run's wall time, shared by all actors in a trial; default: the
    /// stack's fitted model error (lognormal, median 1). `1` turns it off.
    pub model_error: Option<Spanned<Num>>,
    /// Trials and seed.
    #[serde(default)]
    pub uncertainty: RawUncertainty,
    /// Named edits of the base scenario.
    #[serde(default)]
    pub counterfactuals: Vec<RawCounterfactual>,
}

/// `[target]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTarget {
    /// Catalog model id: the model whose runs are timed.
    pub model: Spanned<String>,
    /// Tokens the target run trains on.
    pub train_tokens: Option<Spanned<f64>>,
    /// Or: effective training compute, model FLOP.
    pub effective_flop: Option<Spanned<f64>>,
    /// `bf16` or `fp8`; default `bf16`.
    pub precision: Option<Spanned<String>>,
    /// Longest run an actor would accept, days.
    pub max_run_days: Spanned<f64>,
}

/// `[[actors]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawActor {
    /// Name in outputs.
    pub name: Spanned<String>,
    /// Software stack id (`trainsim catalog stacks`).
    pub stack: Option<Spanned<String>>,
    /// Year whose typical stack applies, when no `stack`.
    pub year: Option<Spanned<i64>>,
    /// Whether the rule timeline governs this actor's purchases (default `true`; `false`
    /// for a lab in the rule-making country or an allied one).
    pub subject_to_rules: Option<bool>,
    /// Supply lines.
    #[serde(default)]
    pub supply: Vec<RawSupply>,
}

/// `[[actors.supply]]`: one line of supply.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSupply {
    /// Catalog GPU id.
    pub gpu: Spanned<String>,
    /// `purchase`, `stockpile`, `smuggled`, `cloud` or `domestic`.
    pub channel: Spanned<String>,
    /// First month of the line; default: the scenario's `start`.
    pub start: Option<Spanned<String>>,
    /// GPUs on hand at `start`.
    pub initial: Option<Spanned<Num>>,
    /// GPUs delivered at the end of each month (a number or a distribution).
    pub rate_per_month: Option<Spanned<Num>>,
    /// Last month with a delivery (inclusive).
    pub end: Option<Spanned<String>>,
    /// Most GPUs this line ever delivers, `initial` included.
    pub cap: Option<Spanned<f64>>,
    /// Years after delivery at which a GPU retires.
    pub service_years: Option<Spanned<f64>>,
    /// Rule ids under which this `purchase` line goes on by licence although the rule
    /// controls its chip (case-by-case review, e.g. the H200 under `jan-2026`); its rate
    /// carries the licensed volume.
    #[serde(default)]
    pub licensed_under: Vec<Spanned<String>>,
}

/// `[policy]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    /// Month → the rule in force from that month on: a rule id (built-in or from
    /// `--rules FILE`) or an inline table of custom thresholds ([`super::rules`]).
    #[serde(default)]
    pub timeline: BTreeMap<String, Spanned<toml::Value>>,
}

/// `[algorithmic_progress]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProgress {
    /// Compute-efficiency multiplier per year (a number or a distribution).
    pub per_year: Spanned<Num>,
    /// The month whose algorithms `effective_flop` is measured in; default `start`.
    pub reference: Option<Spanned<String>>,
}

/// `[uncertainty]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUncertainty {
    /// Monte Carlo trials.
    pub trials: Option<Spanned<i64>>,
    /// Seed.
    pub seed: Option<Spanned<i64>>,
}

/// `[[counterfactuals]]`: a named edit of the base scenario.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCounterfactual {
    /// Name in outputs.
    pub name: Spanned<String>,
    /// Dotted paths (`actors.0.supply.1.rate_per_month`) set to new values.
    #[serde(default)]
    pub set: BTreeMap<String, Spanned<toml::Value>>,
    /// Dotted paths of numbers (`rate_per_month`, `initial`, `cap`) multiplied by a factor.
    #[serde(default)]
    pub scale: BTreeMap<String, Spanned<f64>>,
    /// Supply lines removed (`actors.1.supply.0`).
    #[serde(default)]
    pub remove: Vec<Spanned<String>>,
    /// Rule id → months by which its entry in the timeline moves (negative: earlier).
    #[serde(default)]
    pub shift_rules: BTreeMap<String, Spanned<i64>>,
    /// A whole new rule timeline (`{}`: no rules at all).
    pub timeline: Option<BTreeMap<String, Spanned<toml::Value>>>,
}
