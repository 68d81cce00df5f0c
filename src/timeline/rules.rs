//! The rule timeline's entries: each month names a rule, either by id (a built-in rule or
//! one from `--rules FILE`) or as an inline table of custom thresholds
//! (`"2024-01" = { tpp_min = 1600 }`), turned here into a [`Rule`]. This is the one place
//! the timeline asks the policy module anything ([`rule_allows`]).
//!
//! A custom entry is a one-tier hypothetical rule ([`Rule::custom`]): a chip is controlled,
//! so its purchases stop, when any given threshold is met. Its id is the entry's `name`, or
//! `custom-YYYY-MM` after the month it takes effect, so `shift_rules` can move it.

use std::ops::Range;

use toml::Spanned;

use crate::catalog::GpuSpec;
use crate::error::{InputError, Location};
use crate::policy::{find_rule, CustomThresholds, Rule};

/// The keys an inline custom rule may have, with their units.
pub const CUSTOM_KEYS: [&str; 6] = [
    "name",
    "tpp_min",
    "pd_min",
    "interconnect_min_gb_per_s",
    "memory_bw_min_tb_per_s",
    "dram_plus_io_min_gb_per_s",
];

/// Whether `gpu` may be bought under `rule`.
pub fn rule_allows(rule: &Rule, gpu: &GpuSpec) -> bool {
    crate::policy::classify::allowed(gpu, rule)
}

/// The id an entry is known by in `shift_rules`: the rule id as written (lower case), or
/// a custom entry's `name` / `custom-<month>`; `None` for a value of another type.
pub fn entry_id(month: &str, v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.to_ascii_lowercase()),
        toml::Value::Table(t) => Some(match t.get("name").and_then(|n| n.as_str()) {
            Some(n) => n.to_ascii_lowercase(),
            None => format!("custom-{month}"),
        }),
        _ => None,
    }
}

/// Resolve the entry `v` of month `month` (at `key` in `file`, whose text is `src`) against
/// the known rules.
pub fn resolve_entry(
    file: &str,
    src: &str,
    key: &str,
    month: &str,
    v: &Spanned<toml::Value>,
    known: &[Rule],
) -> Result<Rule, InputError> {
    let err = |span: Range<usize>, msg: String, hint: &str| {
        InputError::new(msg)
            .in_file(file)
            .at_key(key)
            .at(Some(Location::of_offset(src, span.start)))
            .with_hint(hint)
    };
    match v.get_ref() {
        toml::Value::String(id) => find_rule(known, id).cloned().map_err(|e| {
            e.in_file(file)
                .at_key(key)
                .at(Some(Location::of_offset(src, v.span().start)))
        }),
        toml::Value::Table(t) => {
            let mut c = CustomThresholds::default();
            for (k, x) in t {
                let slot = match k.as_str() {
                    "name" => continue,
                    "tpp_min" => &mut c.tpp_min,
                    "pd_min" => &mut c.pd_min,
                    "interconnect_min_gb_per_s" => &mut c.interconnect_min_gb_per_s,
                    "memory_bw_min_tb_per_s" => &mut c.memory_bw_min_tb_per_s,
                    "dram_plus_io_min_gb_per_s" => &mut c.dram_plus_io_min_gb_per_s,
                    _ => {
                        return Err(err(
                            v.span(),
                            format!(
                                "unknown key `{}` in a custom rule",
                                crate::error::echo(k)
                            ),
                            "a custom rule takes tpp_min, pd_min, interconnect_min_gb_per_s, memory_bw_min_tb_per_s, dram_plus_io_min_gb_per_s (and an optional name)",
                        ))
                    }
                };
                let n = match x {
                    toml::Value::Integer(i) => *i as f64,
                    toml::Value::Float(f) => *f,
                    _ => {
                        return Err(err(
                            v.span(),
                            format!("custom threshold `{k}` is not a number"),
                            "e.g. { tpp_min = 1600 }",
                        ))
                    }
                };
                *slot = Some(n);
            }
            if let Some(n) = t.get("name") {
                let ok = n.as_str().is_some_and(|s| {
                    !s.is_empty()
                        && s.chars()
                            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
                });
                if !ok {
                    return Err(err(
                        v.span(),
                        "a custom rule's `name` must be a plain name".into(),
                        "use letters, digits, `-`, `_` and `.`, e.g. name = \"tpp-1600\"",
                    ));
                }
            }
            let id = entry_id(month, v.get_ref()).unwrap_or_default();
            if known.iter().any(|r| r.id == id) {
                return Err(err(
                    v.span(),
                    format!("the custom rule's name `{id}` is the id of a known rule"),
                    "give the custom rule a name of its own",
                ));
            }
            Rule::custom(&id, c).map_err(|e| {
                e.in_file(file)
                    .at_key(key)
                    .at(Some(Location::of_offset(src, v.span().start)))
            })
        }
        _ => Err(err(
            v.span(),
            "not a rule id or a table of custom thresholds".into(),
            "write \"oct-2023\" (`trainsim catalog rules` lists them) or { tpp_min = 1600 }",
        )),
    }
}
