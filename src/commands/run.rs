//! `trainsim run` and `trainsim merge` (being built: issue 4).

use trainsim::catalog::Catalog;
use trainsim::error::InputError;

use crate::cli::{MergeArgs, RunArgs};

/// Run scenario files.
pub fn run(_c: &Catalog, _a: &RunArgs) -> anyhow::Result<()> {
    Err(InputError::new("`run` is not built yet").into())
}

/// Merge shard outputs.
pub fn merge(_a: &MergeArgs) -> anyhow::Result<()> {
    Err(InputError::new("`merge` is not built yet").into())
}
