//! `trainsim classify` (every catalog chip under every export-control rule, or one), for
//! the CLI and `/api/classify` alike.
//!
//! Printing only: the statuses and reasons come from `trainsim::policy`.

use std::io::Write;

use trainsim::catalog::Catalog;
use trainsim::policy::{classify as classify_gpu, find_rule, Classification, Rule};
use trainsim::report::{csv_string, grouped, opt, Table};

use crate::cli::Format;

/// Print the status of every chip under every rule of `all` (the built-in ones and those of
/// `--rules` files), or only `rule`, chip by chip, rules in the order given. An unknown rule
/// id is an input error with a did-you-mean hint.
pub fn classify(
    c: &Catalog,
    all: &[Rule],
    rule: Option<&str>,
    format: Format,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let rules: Vec<&Rule> = match rule {
        Some(id) => vec![find_rule(all, id).map_err(|e| e.at_key("--rule"))?],
        None => all.iter().collect(),
    };
    let rows: Vec<Classification> = c
        .gpus
        .values()
        .flat_map(|g| rules.iter().map(move |r| classify_gpu(g, r)))
        .collect();
    match format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?,
        Format::Csv => write!(out, "{}", csv_string(&rows)?)?,
        Format::Table => {
            let mut t = Table::new(["gpu", "rule", "status", "tpp", "pd", "reason"]);
            for r in &rows {
                t.row([
                    r.gpu.clone(),
                    r.rule.clone(),
                    r.status.to_string(),
                    grouped(r.tpp),
                    opt(r.performance_density, 2),
                    r.reason.clone(),
                ]);
            }
            write!(out, "{}", t.render())?;
            eprintln!(
                "Thresholds applied to catalogued figures; not a legal classification (end-use and \
                 end-user controls are ignored). `trainsim catalog rules` lists the rules and sources."
            );
        }
    }
    Ok(())
}
