//! The bounds every front-end shares (issue 12): the largest value a key or flag accepts,
//! and the smallest run worth simulating. `trainsim estimate`/`plan` flags and scenario keys
//! read this one table, so they accept and refuse the same numbers.
//!
//! Beyond these bounds the plan search would loop for hours or the answer would be
//! meaningless (a run of 10^19 days), and no real training run comes near them.

/// Most GPUs in a fleet or pool (`--gpus`, `fleet.count`, ...).
pub const MAX_GPUS: f64 = 1e7;
/// Most training tokens (`--tokens`, `train_tokens`): 10^16 is ~700× Llama 3's 15.6T.
pub const MAX_TRAIN_TOKENS: f64 = 1e16;
/// Longest sequence (`--seq-len`, `seq_len`).
pub const MAX_SEQ_LEN: f64 = 1e8;
/// Largest global batch, tokens (`--global-batch-tokens`, `global_batch_tokens`).
pub const MAX_GLOBAL_BATCH_TOKENS: f64 = 1e12;
/// Largest fixed plan degree (`--tp`, `--pp`, ..., `plan.*`).
pub const MAX_PLAN_DEGREE: f64 = 1e6;
/// Most GPUs per node (`--gpus-per-node`, `fleet.gpus_per_node`).
pub const MAX_GPUS_PER_NODE: f64 = 1024.0;
/// Largest fleet budget, USD (`fleet.budget_usd`): the GPUs it buys are held to
/// [`MAX_GPUS`] where the budget is turned into a count.
pub const MAX_BUDGET_USD: f64 = 1e13;

/// Largest accepted value of a scenario key (by dotted path), if bounded.
pub fn upper_bound(path: &str) -> Option<f64> {
    match path {
        "fleet.count" | "policy.run_gpus" | "policy.reference.count" => Some(MAX_GPUS),
        p if p.starts_with("fleet.")
            && [".count", ".cap", ".initial", ".rate_per_month"]
                .iter()
                .any(|k| p.ends_with(k)) =>
        {
            Some(MAX_GPUS)
        }
        p if p.starts_with("fleet.") && p.ends_with(".budget_usd") => Some(MAX_BUDGET_USD),
        "fleet.gpus_per_node" => Some(MAX_GPUS_PER_NODE),
        "train_tokens" => Some(MAX_TRAIN_TOKENS),
        "seq_len" => Some(MAX_SEQ_LEN),
        "global_batch_tokens" => Some(MAX_GLOBAL_BATCH_TOKENS),
        p if p.starts_with("plan.") => Some(MAX_PLAN_DEGREE),
        _ => None,
    }
}

/// Why `train_tokens` is too few for one optimizer step of `global_batch_tokens`, if so: a
/// run of less than one global batch has 0 steps, 0 days and $0.
pub fn too_few_tokens(train_tokens: f64, global_batch_tokens: f64) -> Option<String> {
    (train_tokens < global_batch_tokens).then(|| {
        format!(
            "{train_tokens} tokens is less than one global batch of {global_batch_tokens} tokens (less than one optimizer step)"
        )
    })
}
