//! The page's question as a scenario file (`/scenario.toml`), which `trainsim run` answers
//! identically: every page input maps to its scenario key (DESIGN.md §4), `model_error = 1`
//! and no distributions make every Monte Carlo trial the point estimate, so `run`'s p50
//! days equal the page's days.
//!
//! Owns: the mapping from query parameters to scenario keys. Without a channel the rule is
//! written as a comment only: the page then only reports the chip's status under it. With a
//! channel it becomes `[policy] rule`, which judges the fleet as the page did.

use toml::{Table, Value};
use trainsim::fleet::SMUGGLED_PREMIUM;

/// Parameters → `(table, key)` in the scenario ("" is the top level).
const KEYS: &[(&str, &str, &str)] = &[
    ("tokens", "", "train_tokens"),
    ("precision", "", "precision"),
    ("global_batch_tokens", "", "global_batch_tokens"),
    ("seq_len", "", "seq_len"),
    ("stack", "", "stack"),
    ("year", "", "year"),
    ("gpu", "fleet", "gpu"),
    ("gpus", "fleet", "count"),
    ("budget_usd", "fleet", "budget_usd"),
    ("gpus_per_node", "fleet", "gpus_per_node"),
    ("net_gbps_per_gpu", "fleet", "net_gbps_per_gpu"),
    ("cost_basis", "cost", "basis"),
    ("usd_per_gpu_hour", "cost", "usd_per_gpu_hour"),
    ("channel", "fleet", "channel"),
    ("mfu", "efficiency", "mfu"),
    ("tp", "plan", "tp"),
    ("pp", "plan", "pp"),
    ("dp", "plan", "dp"),
    ("ep", "plan", "ep"),
    ("cp", "plan", "cp"),
    ("micro_batch", "plan", "micro_batch"),
    ("recompute", "plan", "recompute"),
    ("zero", "plan", "zero_stage"),
    ("interleave", "plan", "interleave"),
];

/// A query value as a TOML value: a whole number, a number, or text.
fn value(s: &str) -> Value {
    match s.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 9.0e15 => Value::Integer(x as i64),
        Ok(x) if x.is_finite() => Value::Float(x),
        _ => Value::String(s.to_owned()),
    }
}

/// The table `name` of `doc`, made when missing.
fn table<'a>(doc: &'a mut Table, name: &str) -> &'a mut Table {
    doc.entry(name.to_string())
        .or_insert_with(|| Value::Table(Table::new()))
        .as_table_mut()
        .expect("scenario tables are tables")
}

/// The scenario file for the page's parameters; `page_query` is quoted in its header.
pub fn scenario_toml(params: &[(String, String)], page_query: &str) -> String {
    let mut doc = Table::new();
    doc.insert("name".into(), Value::String("serve-question".into()));
    let pasted = params.iter().rev().find(|(k, _)| k == "model_file");
    let pasted_table = pasted.and_then(|(_, t)| t.parse::<Table>().ok());
    match (
        pasted_table,
        params.iter().rev().find(|(k, _)| k == "model"),
    ) {
        (Some(t), _) => {
            doc.insert("model".into(), Value::Table(t));
        }
        (None, Some((_, m))) => {
            doc.insert("model".into(), Value::String(m.clone()));
        }
        _ => {}
    }
    doc.insert("model_error".into(), Value::Integer(1));
    for (param, table, key) in KEYS {
        let Some((_, v)) = params.iter().rev().find(|(k, _)| k == param) else {
            continue;
        };
        // A budget sizes the fleet instead of a count, as on the page.
        if *param == "gpus" && params.iter().any(|(k, _)| k == "budget_usd") {
            continue;
        }
        let target = if table.is_empty() {
            &mut doc
        } else {
            self::table(&mut doc, table)
        };
        target.insert(key.to_string(), value(v));
    }
    let mut u = Table::new();
    u.insert("trials".into(), Value::Integer(1));
    u.insert("seed".into(), Value::Integer(1));
    doc.insert("uncertainty".into(), Value::Table(u));
    let last = |name: &str| params.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v);
    let channel = last("channel");
    // A smuggled pool's premium is a distribution unless given: write the page's value.
    match (channel.map(String::as_str), last("channel_premium")) {
        (Some("smuggled"), p) => {
            let p = p.map_or(Value::Float(SMUGGLED_PREMIUM.1), |p| value(p));
            table(&mut doc, "fleet").insert("premium".into(), p);
        }
        (_, Some(p)) => {
            table(&mut doc, "cost").insert("channel_premium".into(), value(p));
        }
        _ => {}
    }
    // With a channel the rule judges the fleet, as `[policy] rule` does; without one the
    // page only reported the chip's status.
    let rule = match (last("rule"), channel) {
        (Some(r), Some(_)) => {
            table(&mut doc, "policy").insert("rule".into(), Value::String(r.clone()));
            String::new()
        }
        (Some(r), None) => format!("# The page also showed the chip's status under `{r}`: `trainsim classify --rule {r}`.\n# (`[policy] rule` would restrict the fleet to chips the rule allows, a different question.)\n"),
        (None, _) => String::new(),
    };
    let page_query = if page_query.len() > 200 || page_query.contains(['\n', '\r']) {
        "(a long query: the page with a pasted model)"
    } else {
        page_query
    };
    format!(
        "# The question of trainsim serve's page /?{page_query}\n\
# `trainsim run scenario.toml` answers it: model_error = 1 and no distributions make every\n\
# trial the point estimate, so summary.csv's train_days_p50 is the page's days. Replace\n\
# model_error = 1 by nothing to get the stack's p5–p95 band, as the page shows it.\n{rule}\n{}",
        toml::to_string(&doc).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_inputs_to_scenario_keys() {
        let p: Vec<(String, String)> = [
            ("model", "llama3.1-70b"),
            ("gpu", "h20"),
            ("gpus", "2048"),
            ("tokens", "15e12"),
            ("zero", "1"),
            ("mfu", "0.4"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        let s = scenario_toml(&p, "gpu=h20");
        let t: Table = s.parse().unwrap();
        assert_eq!(t["model"].as_str(), Some("llama3.1-70b"));
        assert_eq!(t["train_tokens"].as_integer(), Some(15_000_000_000_000));
        assert_eq!(t["fleet"]["gpu"].as_str(), Some("h20"));
        assert_eq!(t["fleet"]["count"].as_integer(), Some(2048));
        assert_eq!(t["plan"]["zero_stage"].as_integer(), Some(1));
        assert_eq!(t["efficiency"]["mfu"].as_float(), Some(0.4));
        assert_eq!(t["model_error"].as_integer(), Some(1));
    }
}
