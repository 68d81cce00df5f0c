//! Compare (up to four pinned fleets beside the question's, at equal count or budget, with time and
//! cost ratios) and Rules (the `classify` table for the chosen rule, and which chips a buyer
//! may purchase under it).
//!
//! Reads only the JSON of `estimate` and `classify`; pins live in the URL (`pin=h20`).

use serde_json::Value;
use trainsim::catalog::Catalog;

use super::html::{esc, grouped, num, short, text};
use super::State;
use crate::serve::limits::MAX_PINS;

/// `a ÷ b` as `×1.23`, or `n/a`.
fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("×{:.2}", a / b),
        _ => "n/a".into(),
    }
}

fn chip(catalog: &Catalog, id: &str) -> String {
    catalog.gpu(id).map_or(id.to_owned(), |g| g.name.clone())
}

/// One row of the compare table.
fn row(label: &str, id: &str, v: Option<&Value>, base: &Value, remove: Option<&str>) -> String {
    let days = v.and_then(|v| num(v, "train_days"));
    let cost = v.and_then(|v| num(v, "cost_usd"));
    let why = v
        .and_then(|v| v.get("infeasible_reason"))
        .and_then(Value::as_str)
        .map(|r| format!(" <span class=\"band\">infeasible: {}</span>", esc(r)));
    let button = remove.map_or(String::new(), |g| {
        format!(
            "<button type=\"submit\" name=\"unpin\" value=\"{0}\" class=\"small\">remove</button>",
            esc(g)
        )
    });
    format!(
        "<tr><th>{label}{}</th><td id=\"days-{id}\">{}</td><td id=\"ratio-{id}\">{}</td><td>{}</td><td>{}</td><td>{button}</td></tr>",
        why.unwrap_or_default(),
        days.map_or("n/a".into(), |d| format!("{d:.1}")),
        ratio(days, num(base, "train_days")),
        cost.map_or("n/a".into(), |c| format!("${}", short(c))),
        ratio(cost, num(base, "cost_usd")),
        id = esc(id),
    )
}

/// The compare section: the question's fleet, then each pinned chip at the same count.
pub fn compare(
    base: &Value,
    pins: &[(String, Option<Value>)],
    catalog: &Catalog,
    budget_usd: Option<&str>,
) -> String {
    let gpu = text(base, "gpu").to_owned();
    let count = grouped(num(base, "gpus").unwrap_or(0.0));
    let equal = match budget_usd.and_then(|b| b.trim().parse::<f64>().ok()) {
        Some(b) => format!("At equal budget (${}, the chips it buys)", short(b)),
        None => format!("At equal count ({count} chips)"),
    };
    let this = chip(catalog, &gpu);
    let mut rows = row(
        &format!("{count} × {} (the question)", esc(&this)),
        "this",
        Some(base),
        base,
        None,
    );
    let mut hidden = String::new();
    for (p, v) in pins {
        let id = catalog.gpu(p).map_or(p.clone(), |g| g.id.clone());
        let n = v.as_ref().and_then(|v| num(v, "gpus"));
        let label = format!(
            "{} × {}",
            n.map_or("?".into(), grouped),
            esc(&chip(catalog, p))
        );
        rows.push_str(&row(&label, &id, v.as_ref(), base, Some(p)));
        hidden.push_str(&format!(
            "<input type=\"hidden\" name=\"pin\" value=\"{}\">",
            esc(p)
        ));
    }
    let sentence = pins
        .first()
        .and_then(|(p, v)| {
            let v = v.as_ref()?;
            // The question's fleet against the first pinned one, as a reader asks it.
            let t = num(base, "train_days")? / num(v, "train_days")?;
            let c = match (num(base, "cost_usd"), num(v, "cost_usd")) {
                (Some(a), Some(b)) if b > 0.0 => format!(" and {:.2}× its cost", a / b),
                _ => String::new(),
            };
            Some(format!(
                "<p class=\"headline\" id=\"compare-headline\">{equal}, the {} takes {t:.2}× the {}'s time{c}.</p>",
                esc(&this),
                esc(&chip(catalog, p))
            ))
        })
        .unwrap_or_else(|| {
            "<p>Pin up to four fleets to see them side by side.</p>".into()
        });
    let options: String = catalog
        .gpus
        .values()
        .map(|g| format!("<option value=\"{}\">{}</option>", esc(&g.id), esc(&g.name)))
        .collect();
    let add = if pins.len() < MAX_PINS {
        format!(
            "<p class=\"pin\"><button type=\"submit\" name=\"pin\" value=\"{g}\" id=\"pin-this\">Pin this fleet ({this})</button> \
or add <select name=\"pin\" id=\"add-pin\"><option value=\"\">a chip at equal {}…</option>{options}</select></p>",
            if budget_usd.is_some() { "budget" } else { "count" },
            g = esc(&gpu),
            this = esc(&this)
        )
    } else {
        format!("<p class=\"note\">{MAX_PINS} fleets pinned: remove one to add another.</p>")
    };
    format!(
        "<section class=\"compare\"><h2>Compare fleets</h2>{sentence}<p class=\"note\">× time and × cost: each fleet's days and cost ÷ the question's.</p><table class=\"cmp\" id=\"compare\"><tr><th>Fleet</th><th>Days</th><th>× time</th><th>Cost</th><th>× cost</th><th></th></tr>{rows}</table>{hidden}{add}</section>"
    )
}

/// The rules section: the classify table of the chosen rule.
pub fn rules(classified: Option<&Value>, state: &State) -> String {
    let Some(rows) = classified.and_then(Value::as_array) else {
        return "<section class=\"rules\"><h2>Rules</h2><p>Choose an export rule above to see how it classifies every catalog chip, and which a buyer may purchase.</p></section>".into();
    };
    let rule = state.value("rule").unwrap_or_default();
    let free: Vec<&str> = rows
        .iter()
        .filter(|r| text(r, "status") == "not-controlled")
        .map(|r| text(r, "gpu"))
        .collect();
    let body: String = rows
        .iter()
        .map(|r| {
            format!(
                "<tr class=\"{s}\"><td>{g}</td><td>{s}</td><td>{t}</td><td>{pd}</td><td>{why}</td></tr>",
                g = esc(text(r, "gpu")),
                s = esc(text(r, "status")),
                t = grouped(num(r, "tpp").unwrap_or(0.0)),
                pd = num(r, "performance_density").map_or("n/a".into(), |x| format!("{x:.2}")),
                why = esc(text(r, "reason"))
            )
        })
        .collect();
    format!(
        "<section class=\"rules\"><h2>Rules: {r}</h2><p>Under {r}, a buyer may purchase without a licence: {free}.</p>\
<table class=\"cls\" id=\"classify\"><tr><th>Chip</th><th>Status</th><th>TPP</th><th>PD</th><th>Reason and margin</th></tr>{body}</table>\
<p class=\"note\">Thresholds applied to catalogued figures; not a legal classification (end-use and end-user controls are ignored).</p></section>",
        r = esc(&rule),
        free = if free.is_empty() {
            "none of the catalog's chips".to_owned()
        } else {
            esc(&free.join(", "))
        }
    )
}
