//! Resolution: one sweep point's [`RawScenario`] + the catalogs → a validated [`Point`]
//! (an [`estimate::Question`](crate::estimate::Question) at nominal values, the nominal
//! trial [`Inputs`](super::keys::Inputs), and the list of uncertain inputs).
//!
//! [`point`] runs the parts in order, each in its own file: [`numbers`] (every number
//! against its key's range; distributions' whole support inside it), the model and
//! [`fleet`] as written, the question ([`question`]: precision, stack, tokens, batch and
//! fixed plan through the checks every front end shares, [`crate::question`]), the
//! [`policy`] decision on each pool, the [`uncertainty`] (uncertain inputs, trials, seed),
//! then the resolved pools and comparison fleets.
//!
//! Every error names the file, the dotted key, its line:column (of the swept value when the
//! key is swept, found by [`locate`]) and a hint.

mod fleet;
mod locate;
mod numbers;
mod policy;
mod question;
mod uncertainty;

use std::path::Path;

use super::raw::RawScenario;
use super::{Overrides, Point};
use crate::catalog::Catalog;
use crate::error::{InputError, Location};
pub use fleet::{H100, MAX_POOLS};
pub(crate) use locate::locate;
pub(crate) use numbers::check_swept;

/// Most Monte Carlo trials per sweep point (each trial's metrics are held in memory while
/// its point is summarised: 40 bytes a trial).
pub const MAX_TRIALS: u64 = 10_000_000;
/// Most plans kept from the nominal search.
pub const MAX_TOP_K: u64 = 64;
/// Trials when the scenario has uncertain inputs and does not say.
pub const DEFAULT_TRIALS: u64 = 1000;
/// Seed when the scenario does not say.
pub const DEFAULT_SEED: u64 = 42;
/// Plans kept when the scenario does not say.
pub const DEFAULT_TOP_K: usize = 4;

/// Where errors point: the file, its text, and the locations of the swept values.
pub(crate) struct Ctx<'a> {
    /// The file as named in messages.
    pub file: &'a str,
    /// Its text.
    pub src: &'a str,
    /// The folder relative paths (model files) are read from.
    pub dir: Option<&'a Path>,
    /// Swept paths of this point and where their values are written.
    pub swept: Vec<(String, Option<Location>)>,
}

impl Ctx<'_> {
    /// The location of `path`: the swept value, else the key in the file.
    pub fn loc(&self, path: &str) -> Option<Location> {
        if let Some((_, l)) = self
            .swept
            .iter()
            .find(|(p, _)| path == p || path.starts_with(&format!("{p}.")))
        {
            return *l;
        }
        locate(self.src, path)
    }

    /// An error at `path`.
    pub fn err(
        &self,
        path: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> InputError {
        let key = if self.swept.iter().any(|(p, _)| p == path) {
            format!("sweep.\"{path}\"")
        } else {
            path.to_string()
        };
        InputError::new(message)
            .in_file(self.file)
            .at_key(key)
            .at(self.loc(path))
            .with_hint(hint)
    }

    /// Attach this file and location to an error of the shared checks ([`question`]),
    /// whose key is the scenario path.
    fn shared(&self, mut e: InputError) -> InputError {
        let path = e.key.take().unwrap_or_default();
        self.wrap(&path, e)
    }

    /// Attach this file and `path` to an error from elsewhere (catalog lookups).
    fn wrap(&self, path: &str, e: InputError) -> InputError {
        let key = if self.swept.iter().any(|(p, _)| p == path) {
            format!("sweep.\"{path}\"")
        } else {
            path.to_string()
        };
        e.in_file(self.file).at_key(key).at(self.loc(path))
    }
}

/// Resolve one point. `index` is its position in the sweep, `inputs` the display of its
/// swept values.
pub(crate) fn point(
    raw: &RawScenario,
    catalog: &Catalog,
    ctx: &Ctx,
    index: usize,
    inputs: Vec<String>,
    overrides: &Overrides,
) -> Result<Point, InputError> {
    let nums = numbers::numbers(raw, ctx)?;
    let model = question::model(raw, catalog, ctx)?;
    let drafts = fleet::pool_drafts(raw, &nums, catalog, ctx)?;
    let labels = fleet::labels(&drafts, ctx)?;
    let base = question::base(raw, &nums, model, catalog, ctx)?;
    let rule = policy::rule(raw, &nums, ctx, &overrides.rules)?;
    let admitted = policy::admit(raw, &drafts, &labels, rule.as_ref());
    let kept: Vec<&fleet::PoolDraft> = admitted.kept.iter().map(|&i| &drafts[i]).collect();
    let fleet_gpus = fleet::total_gpus(&kept, ctx)?;
    let batch_gpus = if fleet_gpus > 0 {
        fleet_gpus
    } else {
        drafts[0].gpus()
    };
    let batch = question::batch(&nums, &base, batch_gpus, ctx)?;
    let assume = question::Assumptions {
        raw,
        nums: &nums,
        base: &base,
    };
    let uncertain = uncertainty::uncertain(&nums, &kept, base.stack.as_ref());
    uncertainty::check_matmul_scale(&nums, &drafts, &assume, ctx)?;
    let asker = question::Asker {
        base: &base,
        batch,
        space: question::space(raw, &nums, &base, &batch, &kept, ctx)?,
        nums: &nums,
    };

    let mut all_pools = fleet::pools(&drafts, &labels, &assume, &asker);
    let first = admitted.kept.first().copied().unwrap_or(0);
    let primary = all_pools[first].clone();
    let mut keep = vec![false; all_pools.len()];
    for &i in &admitted.kept {
        keep[i] = true;
    }
    let mut k = keep.into_iter();
    all_pools.retain(|_| k.next().unwrap_or(false));
    let reference = fleet::reference(raw, catalog, &assume, &asker, ctx)?;
    let h100 = fleet::h100(catalog, fleet_gpus, &assume, &asker);
    let run = uncertainty::run_settings(raw, &nums, overrides, uncertain.is_empty(), ctx)?;

    Ok(Point {
        index,
        inputs,
        question: primary.question,
        nominal: primary.nominal,
        uncertain,
        trials: run.trials,
        seed: run.seed,
        top_k: run.top_k,
        policy: rule,
        channel: fleet::written_channel(raw, first),
        pools: all_pools,
        fleet_gpus,
        notes: admitted.notes,
        refused: admitted.refused,
        reference,
        h100,
    })
}
