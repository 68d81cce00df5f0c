//! `trainsim serve`: start the local web app (`crate::serve`) with the catalog and rules of
//! the command line (built-in ones plus any `--catalog`/`--rules` files).

use trainsim::catalog::Catalog;
use trainsim::policy::Rule;

use crate::cli::ServeArgs;

/// Serve until interrupted.
pub fn serve(catalog: Catalog, rules: Vec<Rule>, a: &ServeArgs) -> anyhow::Result<()> {
    crate::serve::serve(catalog, rules, &a.bind, a.port, a.open)
}
