//! The checks every front end shares on its way to an [`estimate::Question`] (issue 12):
//! `estimate`/`plan` flags, scenario files (each sweep point, each pool) and the published
//! runs of `validate` go through these functions, so they accept and refuse the same
//! inputs with the same words. What differs is only how a front end spells a key
//! ([`Front`]: `--global-batch-tokens` or `global_batch_tokens`) and where it points
//! (a scenario adds its file and line:column to the error these return).
//!
//! Owned here: the sequence length and global batch (whole sequences, at least one), at
//! least one optimizer step of tokens, the fixed plan values
//! ([`SearchSpace::fixed_violation`], the one place they are checked), and the software
//! stack against `efficiency.mfu`. Parsing the input is each front end's job; the
//! assumptions (efficiency, cost, energy) are attached by them afterwards.
//!
//! [`estimate::Question`]: crate::estimate::Question

use crate::catalog::{Catalog, ModelSpec, StackSpec};
use crate::error::InputError;
use crate::estimate::default_global_batch_tokens;
use crate::parallel::{PlanLimits, SearchSpace};

/// A front end: how it spells the keys of its input. Keys are named here by their
/// scenario path (`train_tokens`, `plan.tp`, `fleet.count`, `efficiency.mfu`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Front {
    /// `trainsim estimate` / `plan` flags (and `serve`'s query parameters).
    Flags,
    /// A scenario file (dotted paths).
    Scenario,
}

impl Front {
    /// `path` as this front end writes it: `plan.micro_batch` is `--micro-batch` on the
    /// command line, `fleet.count` is `--gpus`.
    pub fn name(self, path: &str) -> String {
        match self {
            Front::Scenario => path.to_string(),
            Front::Flags => match path {
                "train_tokens" => "--tokens".into(),
                "fleet.count" => "--gpus".into(),
                "efficiency.mfu" => "--mfu".into(),
                "plan.zero_stage" => "--zero".into(),
                p => format!(
                    "--{}",
                    p.strip_prefix("plan.").unwrap_or(p).replace('_', "-")
                ),
            },
        }
    }

    /// What the front end calls one of its inputs.
    fn noun(self) -> &'static str {
        match self {
            Front::Flags => "flag",
            Front::Scenario => "key",
        }
    }

    /// An error at `path`, named as this front end writes it.
    fn err(self, path: &str, message: impl Into<String>, hint: impl Into<String>) -> InputError {
        InputError::new(message)
            .at_key(self.name(path))
            .with_hint(hint)
    }
}

/// A question's sequence length and global batch.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Batch {
    /// Sequence length, tokens.
    pub seq_len: u64,
    /// Global batch, tokens: a whole number of sequences, at least one.
    pub global_batch_tokens: f64,
}

impl Batch {
    /// The global batch in sequences.
    pub fn seqs(&self) -> u64 {
        (self.global_batch_tokens / self.seq_len as f64).round() as u64
    }
}

/// The sequence length (written, else the model's) and the global batch: a written batch
/// rounded to whole sequences (and refused below one), else
/// [`default_global_batch_tokens`] of `fleet_gpus`.
pub fn batch(
    front: Front,
    model: &ModelSpec,
    seq_len: Option<u64>,
    global_batch_tokens: Option<f64>,
    fleet_gpus: u64,
) -> Result<Batch, InputError> {
    let seq_len = seq_len.unwrap_or(model.seq_len);
    let global_batch_tokens = match global_batch_tokens {
        Some(b) => {
            if b < seq_len as f64 {
                return Err(front.err(
                    "global_batch_tokens",
                    format!("{b} tokens is less than one sequence of {seq_len}"),
                    "the global batch holds whole sequences",
                ));
            }
            ((b / seq_len as f64).round() * seq_len as f64).max(seq_len as f64)
        }
        None => default_global_batch_tokens(fleet_gpus, seq_len),
    };
    Ok(Batch {
        seq_len,
        global_batch_tokens,
    })
}

/// At least one optimizer step of tokens ([`crate::bounds::too_few_tokens`]).
pub fn check_tokens(front: Front, train_tokens: f64, batch: &Batch) -> Result<(), InputError> {
    match crate::bounds::too_few_tokens(train_tokens, batch.global_batch_tokens) {
        None => Ok(()),
        Some(why) => Err(front.err(
            "train_tokens",
            why,
            format!(
                "train at least one global batch, or lower {}",
                front.name("global_batch_tokens")
            ),
        )),
    }
}

/// The fixed plan values of `space` against the model, the batch and the `gpus` of the
/// pool the plan runs on (`gpus_path`: how that count is written, `fleet.count` or
/// `fleet.pools.2.count`).
pub fn check_plan(
    front: Front,
    space: &SearchSpace,
    model: &ModelSpec,
    batch: &Batch,
    gpus: u64,
    gpus_path: &str,
) -> Result<(), InputError> {
    let limits = PlanLimits {
        model: &model.id,
        heads: model.heads,
        kv_heads: model.kv_heads(),
        layers: model.layers,
        experts: model.moe.as_ref().map_or(0, |m| m.experts),
        batch_seqs: batch.seqs(),
        gpus,
    };
    let name = |k: &str| match k {
        "gpus" => front.name(gpus_path),
        k => front.name(&format!("plan.{k}")),
    };
    match space.fixed_violation(&limits, &name) {
        None => Ok(()),
        Some(v) => Err(front.err(
            &format!("plan.{}", v.key),
            v.message,
            v.hint.unwrap_or_else(|| {
                format!(
                    "fixed plan values must divide as the search's own do; leave the {} out to search it",
                    front.noun()
                )
            }),
        )),
    }
}

/// The software stack: `stack` by id, else the typical stack of `year`, else of the current
/// year; none when `efficiency.mfu` replaces the time model (refused together with a
/// stack or year).
pub fn stack(
    front: Front,
    catalog: &Catalog,
    stack: Option<&str>,
    year: Option<i32>,
    mfu_set: bool,
) -> Result<Option<StackSpec>, InputError> {
    let key = if stack.is_some() { "stack" } else { "year" };
    if mfu_set {
        if stack.is_some() || year.is_some() {
            let mfu = front.name("efficiency.mfu");
            return Err(front.err(
                key,
                format!("is set together with `{mfu}`, which replaces the time model a stack describes"),
                format!(
                    "keep one: `{mfu}` for an end-to-end utilisation, or `{}`/`{}` to time plans with a software stack",
                    front.name("stack"),
                    front.name("year")
                ),
            ));
        }
        return Ok(None);
    }
    catalog
        .resolve_stack(stack, year)
        .map(|s| Some(s.clone()))
        .map_err(|e| e.at_key(front.name(key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fronts_spell_keys_their_own_way() {
        assert_eq!(Front::Flags.name("plan.micro_batch"), "--micro-batch");
        assert_eq!(Front::Flags.name("plan.zero_stage"), "--zero");
        assert_eq!(
            Front::Flags.name("global_batch_tokens"),
            "--global-batch-tokens"
        );
        assert_eq!(Front::Flags.name("fleet.count"), "--gpus");
        assert_eq!(Front::Scenario.name("plan.tp"), "plan.tp");
    }

    #[test]
    fn the_batch_is_whole_sequences() {
        let c = Catalog::builtin();
        let m = c.model("llama3.1-8b").unwrap();
        // 10,000 tokens over 4,096-token sequences: 2.44 rounds to 2 sequences.
        let b = batch(Front::Flags, m, Some(4096), Some(10_000.0), 64).unwrap();
        assert_eq!(b.global_batch_tokens, 8192.0);
        assert_eq!(b.seqs(), 2);
        for front in [Front::Flags, Front::Scenario] {
            let e = batch(front, m, Some(4096), Some(4000.0), 64).unwrap_err();
            assert_eq!(e.message, "4000 tokens is less than one sequence of 4096");
        }
    }
}
