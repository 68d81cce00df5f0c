//! `trainsim classify` and `trainsim catalog rules` (being built: issue 5).

use trainsim::catalog::Catalog;
use trainsim::error::InputError;

use crate::cli::Format;

/// Print the status of every chip under every rule (or one).
pub fn classify(_c: &Catalog, _rule: Option<&str>, _format: Format) -> anyhow::Result<()> {
    Err(InputError::new("`classify` is not built yet").into())
}

/// Print the rules.
pub fn rules(_format: Format) -> anyhow::Result<()> {
    Err(InputError::new("`catalog rules` is not built yet").into())
}
