//! Equal budget: a page's `budget_usd` sizes each fleet as the GPUs it buys up front,
//! floor(budget ÷ capex per GPU) at the nominal cost assumptions, as a scenario's
//! `fleet.budget_usd` does (`trainsim::cost::capex_per_gpu_usd`). The CLI has no budget
//! flag, so the page turns the budget into `gpus` before asking it.

use trainsim::bounds::{MAX_BUDGET_USD, MAX_GPUS};
use trainsim::catalog::Catalog;
use trainsim::cost::capex_per_gpu_usd;
use trainsim::perf::CostAssumptions;

use crate::serve::query::QueryError;

fn bad(message: String) -> QueryError {
    QueryError {
        message,
        parameter: Some("budget_usd".into()),
    }
}

/// The GPUs of chip `gpu` that `budget` (the query's text) buys. An unknown chip is left
/// to the CLI's message (`None`).
pub fn gpus_for_budget(
    catalog: &Catalog,
    gpu: &str,
    budget: &str,
) -> Result<Option<u64>, QueryError> {
    let usd: f64 = budget
        .trim()
        .parse()
        .ok()
        .filter(|x: &f64| x.is_finite() && *x > 0.0 && *x <= MAX_BUDGET_USD)
        .ok_or_else(|| {
            bad(format!(
                "Error: budget `{}` must be a positive number of USD, at most {MAX_BUDGET_USD:e}\n  hint: e.g. 3.4e8",
                trainsim::error::echo(budget)
            ))
        })?;
    let Ok(g) = catalog.gpu(gpu) else {
        return Ok(None);
    };
    let Some(each) = capex_per_gpu_usd(g, &CostAssumptions::default()) else {
        return Err(bad(format!(
            "Error: the catalog has no purchase price for `{}`, so a budget buys no count of it\n  hint: give a count instead",
            g.id
        )));
    };
    let n = (usd / each).floor();
    if !(1.0..=MAX_GPUS).contains(&n) {
        return Err(bad(format!(
            "Error: ${usd:e} buys {n:.0} × {} at ${each:.0} each; allowed: 1 to {MAX_GPUS:e} GPUs\n  hint: change the budget",
            g.id
        )));
    }
    Ok(Some(n as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// scenarios/default.toml works out the same sizes by hand: $341,333,334 buys 8,192 H100
    /// ($33,750 server-level ÷ 0.81) and 14,048 H20 ($12,000 × 1.64 ÷ 0.81).
    #[test]
    fn budget_buys_the_counts_of_the_default_scenario() {
        let c = Catalog::builtin();
        assert_eq!(
            gpus_for_budget(&c, "h100", "341333334").unwrap(),
            Some(8192)
        );
        assert_eq!(
            gpus_for_budget(&c, "h20", "341333334").unwrap(),
            Some(14048)
        );
        assert_eq!(gpus_for_budget(&c, "nope", "1e6").unwrap(), None);
        assert!(gpus_for_budget(&c, "h100", "-5").is_err());
        assert!(gpus_for_budget(&c, "h100", "10").is_err());
    }
}
