//! The answers that the command line prints and `trainsim serve` returns, built in one
//! place for both front ends: `estimate` and `plan` (as JSON, CSV or a table), `classify`,
//! and what they share (the question from the flags, the rules with `--rules` files).
//!
//! Below `commands` (the CLI's dispatch) and `serve` (the web app), which both import it;
//! it imports neither (`tests/layering.rs`), so the two front ends do not import each other.
//! Each builder writes into any `Write`: stdout for the CLI, a buffer for the server, so
//! both give the same bytes.

pub mod classify;
pub mod estimate;

use std::path::PathBuf;

use trainsim::catalog::{Catalog, Precision};
use trainsim::error::InputError;
use trainsim::estimate::Question;
use trainsim::parallel::{Recompute, SearchSpace};
use trainsim::policy::{builtin_rules, load_rules_file, Rule};
use trainsim::question::{self, Front};

use crate::cli::Common;

/// The built-in rules, then those of each `--rules` file in order (a file's rules may extend
/// built-in ones and those of earlier files). A bad file is an input error naming the file,
/// line:column and key.
pub fn rules_with_user_files(files: &[PathBuf]) -> Result<Vec<Rule>, InputError> {
    let mut all = builtin_rules();
    for f in files {
        let new = load_rules_file(f, &all).map_err(|e| {
            if e.hint.is_some() {
                e
            } else {
                e.with_hint(
                    "a --rules file has the format of the built-in rules (`trainsim catalog rules` lists them)",
                )
            }
        })?;
        all.extend(new);
    }
    Ok(all)
}

/// Resolve the shared flags into a question, through the checks every front end shares
/// ([`trainsim::question`]).
pub fn question(catalog: &Catalog, c: &Common, tokens: f64) -> Result<Question, InputError> {
    let model = catalog
        .model_or_file(&c.model)
        .map_err(|e| e.at_key("--model"))?;
    let gpu = catalog.gpu(&c.gpu).map_err(|e| e.at_key("--gpu"))?.clone();
    let precision = Precision::parse(&c.precision)?;
    let batch = question::batch(
        Front::Flags,
        &model,
        c.seq_len,
        c.global_batch_tokens.map(|b| b as f64),
        c.gpus,
    )?;
    let space = SearchSpace {
        tp: c.tp,
        pp: c.pp,
        dp: c.dp,
        ep: c.ep,
        cp: c.cp,
        micro_batch: c.micro_batch,
        recompute: c.recompute.as_deref().and_then(Recompute::parse),
        zero_stage: c.zero,
        interleave: c.interleave,
        ..SearchSpace::default()
    };
    question::check_plan(Front::Flags, &space, &model, &batch, c.gpus, "fleet.count")?;
    let stack = question::stack(
        Front::Flags,
        catalog,
        c.stack.as_deref(),
        c.year,
        c.mfu.is_some(),
    )?;
    let mut q = Question::new(model, gpu, c.gpus, tokens, precision);
    q.seq_len = batch.seq_len;
    q.global_batch_tokens = batch.global_batch_tokens;
    q.space = space;
    if let Some(stack) = &stack {
        q.apply_stack(stack);
    }
    q.efficiency.mfu = c.mfu;
    q.gpus_per_node = c.gpus_per_node;
    q.net_gbit_per_s = c.net_gbps_per_gpu;
    Ok(q)
}
