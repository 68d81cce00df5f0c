//! `trainsim catalog rules` (the rules, their sources and tiers). `trainsim classify` is
//! built in [`crate::answer::classify`], which `serve` shares.
//!
//! Printing only: the statuses and reasons come from `trainsim::policy`.

use serde::Serialize;
use trainsim::policy::Rule;
use trainsim::report::{csv_string, Table};

use crate::cli::Format;

/// One tier of a rule, for `catalog rules --format json`.
#[derive(Serialize)]
struct TierRow<'a> {
    status: &'static str,
    label: &'a str,
    conditions: String,
}

/// One rule, for `catalog rules --format json`.
#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    name: &'a str,
    effective: Option<&'a str>,
    rescinded: Option<&'a str>,
    extends: Option<&'a str>,
    source: &'a str,
    notes: Option<&'a str>,
    otherwise: &'a str,
    tiers: Vec<TierRow<'a>>,
}

/// One rule, for `catalog rules --format csv`: the tiers in one column.
#[derive(Serialize)]
struct RuleCsvRow<'a> {
    id: &'a str,
    name: &'a str,
    effective: Option<&'a str>,
    rescinded: Option<&'a str>,
    extends: Option<&'a str>,
    tiers: String,
    otherwise: &'a str,
    source: &'a str,
}

impl<'a> RuleRow<'a> {
    fn new(r: &'a Rule) -> RuleRow<'a> {
        RuleRow {
            id: &r.id,
            name: &r.name,
            effective: r.effective.as_deref(),
            rescinded: r.rescinded.as_deref(),
            extends: r.extends.as_deref(),
            source: &r.source,
            notes: r.notes.as_deref(),
            otherwise: &r.otherwise,
            tiers: tier_rows(r),
        }
    }
}

impl<'a> From<RuleRow<'a>> for RuleCsvRow<'a> {
    fn from(r: RuleRow<'a>) -> RuleCsvRow<'a> {
        RuleCsvRow {
            id: r.id,
            name: r.name,
            effective: r.effective,
            rescinded: r.rescinded,
            extends: r.extends,
            tiers: r
                .tiers
                .iter()
                .map(|t| format!("{} [{}]: {}", t.status, t.label, t.conditions))
                .collect::<Vec<_>>()
                .join(" | "),
            otherwise: r.otherwise,
            source: r.source,
        }
    }
}

fn tier_rows(r: &Rule) -> Vec<TierRow<'_>> {
    r.tiers
        .iter()
        .map(|t| TierRow {
            status: t.status.as_str(),
            label: &t.label,
            conditions: t.conditions_text(),
        })
        .collect()
}

/// Print the rules (built-in, then those of `--rules` files): id, name, effective date,
/// source and tiers (first match wins).
pub fn rules(rules: &[Rule], format: Format) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            let rows: Vec<RuleRow> = rules.iter().map(RuleRow::new).collect();
            println!("{}", serde_json::to_string_pretty(&rows)?);
        }
        Format::Csv => {
            let rows: Vec<RuleCsvRow> = rules
                .iter()
                .map(|r| RuleCsvRow::from(RuleRow::new(r)))
                .collect();
            print!("{}", csv_string(&rows)?);
        }
        Format::Table => {
            let mut t = Table::new(["rule", "effective", "status", "tier", "when"]);
            for r in rules {
                let mut first = true;
                let mut head = || {
                    let h = if first {
                        (r.id.clone(), r.effective.clone().unwrap_or_default())
                    } else {
                        (String::new(), String::new())
                    };
                    first = false;
                    h
                };
                for tier in &r.tiers {
                    let (id, date) = head();
                    t.row([
                        id,
                        date,
                        tier.status.to_string(),
                        tier.label.clone(),
                        tier.conditions_text(),
                    ]);
                }
                let (id, date) = head();
                t.row([
                    id,
                    date,
                    "not-controlled".into(),
                    r.otherwise.clone(),
                    "no tier above holds".into(),
                ]);
            }
            print!("{}", t.render());
            println!();
            for r in rules {
                println!("{}: {}", r.id, r.name);
                if let Some(d) = &r.rescinded {
                    println!("  rescinded: {d} (not in force after this date)");
                }
                println!("  source: {}", r.source);
                if let Some(n) = &r.notes {
                    println!("  notes: {n}");
                }
            }
            eprintln!("Tiers are tried top to bottom within a rule; the first that holds decides.");
        }
    }
    Ok(())
}
