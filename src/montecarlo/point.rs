//! Sweep points as `montecarlo` runs them: [`Point`] (a question at nominal values and what
//! is uncertain about it), its [`Pool`]s and its [`Uncertain`] inputs. `scenario` builds
//! them from a file (and re-exports them); they live here so that `montecarlo` imports
//! nothing of `scenario`.

use crate::dist::{Dist, Sampler};
use crate::estimate::Question;
use crate::fleet::Channel;
use crate::montecarlo::inputs::{Inputs, OwnPrices, Slot};
use crate::policy::Rule;

/// One sweep point: a question at nominal values, and what is uncertain about it.
#[derive(Debug, Clone)]
pub struct Point {
    /// Position in the sweep (0-based).
    pub index: usize,
    /// The swept values, as CSV cells, in `scenario::Scenario::sweep_paths` order.
    pub inputs: Vec<String>,
    /// The question at nominal values (the plan search runs on it).
    pub question: Question,
    /// Nominal assumptions (what a trial starts from).
    pub nominal: Inputs,
    /// Uncertain inputs, sorted by path (the order trials draw them in).
    pub uncertain: Vec<Uncertain>,
    /// Monte Carlo trials.
    pub trials: u64,
    /// Random seed of the scenario (each point derives its own, see `montecarlo`).
    pub seed: u64,
    /// Plans kept from the nominal search.
    pub top_k: usize,
    /// The export-control rule of `[policy]`, if any (built-in by id, or custom thresholds).
    pub policy: Option<Rule>,
    /// Acquisition channel of the first pool, if written (`purchase` when not). The rule
    /// applies to purchased chips only: a stockpile predates it, smuggled chips evade it,
    /// cloud chips are rented abroad and domestic chips are outside it.
    pub channel: Option<Channel>,
    /// The pools that run, in file order: all of them, less those dropped under
    /// `policy.disallowed = "drop"`. `question` and `nominal` above are the first one's.
    pub pools: Vec<Pool>,
    /// GPUs of all pools that run (after caps).
    pub fleet_gpus: u64,
    /// Warnings for the summary's `notes` and stderr: dropped pools, clamped counts.
    pub notes: Vec<String>,
    /// Why the point cannot run at all: a purchased chip the rule does not allow (under
    /// `policy.disallowed = "refuse"`), or every pool dropped.
    pub refused: Option<String>,
    /// The unrestricted reference fleet of `[policy] reference`, if any.
    pub reference: Option<Pool>,
    /// An H100-SXM fleet of `fleet_gpus` GPUs, the yardstick of `h100_equivalents` (`None`
    /// when the catalog lacks the H100).
    pub h100: Option<Pool>,
}

/// One pool of a fleet (or a comparison fleet), resolved.
#[derive(Debug, Clone)]
pub struct Pool {
    /// Position in `[[fleet.pools]]` (0 for the `[fleet]` form); [`Slot`]s of pool
    /// keys carry it.
    pub index: usize,
    /// Label in outputs: `name`, else the GPU id (with the channel when ids repeat).
    pub label: String,
    /// How the chips were obtained.
    pub channel: Channel,
    /// GPUs asked for (`count`, or `policy.run_gpus`).
    pub requested: u64,
    /// The channel's cap, if any.
    pub cap: Option<u64>,
    /// The pool alone at nominal values: its GPU, `min(requested, cap)` GPUs, the whole
    /// global batch.
    pub question: Question,
    /// Nominal assumptions as this pool sees them (its chip's efficiency defaults, its own
    /// prices); the channel's cost basis is applied when it is priced
    /// ([`crate::fleet::channel_cost`]).
    pub nominal: Inputs,
    /// Prices the pool sets itself.
    pub own: OwnPrices,
    /// Acquisition over time, if any.
    pub buildup: Option<crate::fleet::BuildUp>,
}

impl Pool {
    /// GPUs the pool holds.
    pub fn gpus(&self) -> u64 {
        self.question.gpus
    }

    /// `"4096 × a100-sxm-80gb (stockpile)"`.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "{} × {} ({})",
            self.gpus(),
            self.question.gpu.id,
            self.channel
        );
        if self.label != self.question.gpu.id {
            s = format!("{}: {s}", self.label);
        }
        s
    }
}

/// One uncertain input.
#[derive(Debug, Clone, Copy)]
pub struct Uncertain {
    /// Dotted path.
    pub path: &'static str,
    /// Its distribution.
    pub dist: Dist,
    /// Ready to draw.
    pub sampler: Sampler,
    /// What it sets.
    pub slot: Slot,
}
