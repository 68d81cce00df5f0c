//! The answer: one sentence first (days with their p5–p95 band, GPU-hours, cost), then the
//! figures with their bands, the plan in words, and the step-time and memory breakdowns as
//! HTML/CSS bars. Infeasible questions get the engine's reason instead.
//!
//! Reads only the JSON of `trainsim estimate --format json`.

use serde_json::Value;
use trainsim::catalog::Catalog;

use super::html::{esc, grouped, num, short, text};

/// A `value (p5–p95 lo–hi)` cell.
fn band(v: &Value, k: &str, f: impl Fn(f64) -> String) -> String {
    let p5 = num(v, &format!("{k}_p5"));
    let p95 = num(v, &format!("{k}_p95"));
    match (num(v, k), p5, p95) {
        (Some(x), Some(lo), Some(hi)) => format!(
            "<b>{}</b> <span class=\"band\">p5–p95 {}–{}</span>",
            f(x),
            f(lo),
            f(hi)
        ),
        (Some(x), _, _) => format!("<b>{}</b>", f(x)),
        _ => "n/a".into(),
    }
}

fn usd(x: f64) -> String {
    format!("${}", short(x))
}

/// The chip's display name.
fn chip(catalog: &Catalog, id: &str) -> String {
    catalog.gpu(id).map_or(id.to_owned(), |g| g.name.clone())
}

/// The answer section for an estimate's JSON.
pub fn answer(v: &Value, catalog: &Catalog, basis: &str, other: Option<&Value>) -> String {
    let fleet = format!(
        "{} × {}",
        grouped(num(v, "gpus").unwrap_or(0.0)),
        esc(&chip(catalog, text(v, "gpu")))
    );
    if v.get("feasible") == Some(&Value::Bool(false)) {
        return format!(
            "<section class=\"answer\"><h2>Answer</h2><p class=\"headline\" id=\"headline\">Training <b>{}</b> on {fleet} is <b id=\"train-days\">infeasible</b>: {}.</p>\
<p>{}</p></section>",
            esc(text(v, "model")),
            esc(text(v, "infeasible_reason")),
            if text(v, "infeasible_reason").starts_with("not allowed under") {
                "The rule forbids buying this chip: choose another channel (stockpile, smuggled, cloud), or a chip the rule allows."
            } else {
                "Try more chips, or a chip with more memory."
            }
        );
    }
    let days = num(v, "train_days").unwrap_or(f64::NAN);
    let days_band = match (num(v, "train_days_p5"), num(v, "train_days_p95")) {
        (Some(lo), Some(hi)) => format!(" (p5–p95 {lo:.0}–{hi:.0})"),
        _ => String::new(),
    };
    let cost = num(v, "cost_usd").map_or_else(
        || "no cost (the chip has no rental price here: give a price or choose the ownership basis)".to_owned(),
        |c| format!("{} ({} basis)", usd(c), esc(basis)),
    );
    format!(
        "<section class=\"answer\"><h2>Answer</h2><p class=\"headline\" id=\"headline\">Training <b>{model}</b> on {tokens} tokens with {fleet} takes \
<b><span id=\"train-days\">{days:.1}</span> days</b>{days_band}, {gh} GPU-hours and {cost}.</p>{figures}{plan}{export}{bars}</section>",
        model = esc(text(v, "model")),
        tokens = short(num(v, "tokens").unwrap_or(0.0)),
        gh = short(num(v, "gpu_hours").unwrap_or(0.0)),
        figures = figures(v, basis, other),
        plan = plan(v),
        export = export(v),
        bars = bars(v, catalog),
    )
}

/// The figures with their bands.
/// The cost cell of an estimate: value and band, or why there is none.
fn cost(v: &Value) -> String {
    if num(v, "cost_usd").is_some() {
        band(v, "cost_usd", usd)
    } else {
        // The CLI's note names flags and scenario keys; the page names its own fields.
        let note = text(v, "cost_note");
        if note.contains("no rental price") {
            "n/a (the catalog has no rental price: give USD per GPU-hour)".into()
        } else if note.contains("no purchase price") {
            "n/a (the catalog has no purchase price for this chip)".into()
        } else {
            format!("n/a ({})", esc(note))
        }
    }
}

/// The figures with their bands; `other` is the same question under the other cost basis.
fn figures(v: &Value, basis: &str, other: Option<&Value>) -> String {
    let other_basis = if basis == "ownership" {
        "rental"
    } else {
        "ownership"
    };
    let rows = [
        (
            "Days (wall clock, failures included)",
            band(v, "train_days", |x| format!("{x:.1}")),
        ),
        ("GPU-hours", band(v, "gpu_hours", short)),
        (
            if basis == "ownership" {
                "Cost, ownership"
            } else {
                "Cost, rental"
            },
            cost(v),
        ),
        (
            if other_basis == "ownership" {
                "Cost, ownership"
            } else {
                "Cost, rental"
            },
            match (other, v.get("channel")) {
                (Some(o), _) => cost(o),
                (None, Some(c)) => format!(
                    "— (a {} fleet is priced on the {} basis only)",
                    esc(text(c, "channel")),
                    esc(text(c, "cost_basis"))
                ),
                (None, None) => "n/a".into(),
            },
        ),
        (
            "Fleet hardware, up front",
            num(v, "capex_usd").map_or("n/a (no purchase price)".into(), usd),
        ),
        (
            "Energy (facility)",
            num(v, "energy_mwh").map_or("n/a".into(), |x| format!("<b>{}</b> MWh", grouped(x))),
        ),
        (
            "Facility power",
            num(v, "facility_power_mw").map_or("n/a".into(), |x| format!("<b>{x:.2}</b> MW")),
        ),
        ("MFU", {
            // The BF16 figure only says something new when the run is not in BF16.
            let precision = text(v, "precision");
            let bf16 = if precision.eq_ignore_ascii_case("bf16") {
                String::new()
            } else {
                let x = num(v, "mfu_bf16").unwrap_or(0.0);
                let above = if x > 1.0 {
                    ": FP8 GEMMs run faster than BF16 can"
                } else {
                    ""
                };
                format!(" ({:.1}% of the BF16 peak{above})", 100.0 * x)
            };
            format!(
                "<b>{:.1}%</b> of the {} peak{bf16}",
                100.0 * num(v, "mfu").unwrap_or(0.0),
                esc(&precision.to_uppercase()),
            )
        }),
        (
            "Goodput",
            format!(
                "{:.1}% ({} interruptions expected)",
                100.0 * num(v, "goodput").unwrap_or(0.0),
                grouped(num(v, "expected_interruptions").unwrap_or(0.0))
            ),
        ),
    ];
    let body: String = rows
        .iter()
        .map(|(k, val)| format!("<tr><th>{k}</th><td>{val}</td></tr>"))
        .collect();
    format!(
        "<table class=\"figures\">{body}</table><p class=\"note\">Bands: the software stack's fitted model error (p5–p95). Ownership: purchase price with server and interconnect overheads, amortised, plus energy.</p>"
    )
}

/// The chosen plan in words.
fn plan(v: &Value) -> String {
    let p = &v["plan"];
    let n = |k: &str| p.get(k).and_then(Value::as_u64).unwrap_or(1);
    let mut parts = vec![format!("tensor-parallel {}", n("tp"))];
    for (k, name) in [
        ("pp", "pipeline"),
        ("dp", "data-parallel"),
        ("ep", "expert-parallel"),
        ("cp", "context-parallel"),
    ] {
        if n(k) > 1 || k == "dp" {
            parts.push(format!("{name} {}", n(k)));
        }
    }
    let recompute = match p.get("recompute").and_then(Value::as_str) {
        Some("none") | None => "no activation recomputation".to_owned(),
        Some(r) => format!("{r} activation recomputation"),
    };
    let used = num(v, "gpus_used").unwrap_or(0.0);
    let idle = num(v, "gpus").unwrap_or(0.0) - used;
    let idle = if idle > 0.0 {
        format!(", {} GPUs idle", grouped(idle))
    } else {
        String::new()
    };
    format!(
        "<p class=\"plan\" id=\"plan\"><b>Plan:</b> {} on {} GPUs{idle}; micro-batch {}, {}, ZeRO stage {}{}. Stack: {}. Step {:.2} s, {:.1} GiB on the busiest GPU.</p>",
        parts.join(" × "),
        grouped(used),
        n("micro_batch"),
        recompute,
        n("zero_stage"),
        if n("interleave") > 1 {
            format!(", {} virtual stages per GPU", n("interleave"))
        } else {
            String::new()
        },
        esc(v.get("stack").and_then(Value::as_str).unwrap_or("none (MFU given)")),
        num(v, "step_time_s").unwrap_or(0.0),
        num(v, "memory_per_gpu_gib").unwrap_or(0.0)
    )
}

/// The chip's export status under the chosen rule, if one was chosen, and what the
/// acquisition channel means, if one was chosen.
fn export(v: &Value) -> String {
    let status = match v.get("export") {
        Some(k) => format!(
            "<p class=\"export\" id=\"export\"><b>Export status under {}:</b> {} ({})</p>",
            esc(text(k, "rule")),
            esc(text(k, "status")),
            esc(text(k, "reason"))
        ),
        None => String::new(),
    };
    let channel = match v.get("channel") {
        Some(c) => {
            let legal = if c["unlawful"] == Value::Bool(true) {
                "unlawful, outside the export rule"
            } else if c["subject_to_rule"] == Value::Bool(true) {
                "subject to the export rule"
            } else {
                "outside the export rule"
            };
            let premium = num(c, "premium").unwrap_or(0.0);
            let premium = if premium == 0.0 {
                String::new()
            } else {
                format!(", at a {:+.0}% price premium", 100.0 * premium)
            };
            format!(
                "<p class=\"export\" id=\"channel\"><b>Channel:</b> {}: {legal}; {} basis{premium}.</p>",
                esc(text(c, "channel")),
                esc(text(c, "cost_basis"))
            )
        }
        None => String::new(),
    };
    status + &channel
}

/// One bar: label, width as a share of `whole`, and the value's text.
fn bar(label: &str, x: f64, whole: f64, value: &str, class: &str) -> String {
    let pct = if whole > 0.0 { 100.0 * x / whole } else { 0.0 };
    format!(
        "<div class=\"bar\"><span class=\"lbl\">{label}</span><span class=\"track\"><span class=\"fill {class}\" style=\"width:{:.1}%\"></span></span><span class=\"val\">{value}</span></div>",
        pct.clamp(0.0, 100.0)
    )
}

/// Step time by component (share of the step) and memory by component (share of HBM).
fn bars(v: &Value, catalog: &Catalog) -> String {
    let step = &v["step"];
    let step_s = num(step, "step_s").unwrap_or(0.0);
    let parts = [
        ("compute", "compute_s"),
        ("tensor-parallel comm.", "tp_comm_s"),
        ("pipeline comm.", "pp_comm_s"),
        ("data-parallel comm.", "dp_comm_s"),
        ("expert-parallel comm.", "ep_comm_s"),
        ("context-parallel comm.", "cp_comm_s"),
        ("pipeline bubble", "bubble_s"),
        ("optimizer", "optimizer_s"),
    ];
    let time: String = parts
        .iter()
        .map(|(l, k)| {
            let x = num(step, k).unwrap_or(0.0);
            bar(l, x, step_s, &format!("{x:.3} s"), "t")
        })
        .collect();
    let gib = 1024f64.powi(3);
    let hbm = catalog.gpu(text(v, "gpu")).map_or(0.0, |g| g.hbm_gib);
    let mem = &v["memory"];
    let mparts = [
        ("weights", "weights_bytes"),
        ("gradients", "grads_bytes"),
        ("optimizer state", "optimizer_bytes"),
        ("activations", "activations_bytes"),
        ("framework reserve", "reserve_bytes"),
    ];
    let memory: String = mparts
        .iter()
        .map(|(l, k)| {
            let x = num(mem, k).unwrap_or(0.0) / gib;
            bar(l, x, hbm, &format!("{x:.1} GiB"), "m")
        })
        .collect();
    format!(
        "<div class=\"breakdowns\"><div><h3>One step: {step_s:.2} s</h3>{time}<p class=\"note\">Exposed time of each part (overlapped communication is not counted); bars are shares of the step.</p></div>\
<div><h3>Memory of the busiest GPU: {:.1} of {hbm:.0} GiB</h3>{memory}<p class=\"note\">Bars are shares of the chip's HBM.</p></div></div>",
        num(v, "memory_per_gpu_gib").unwrap_or(0.0)
    )
}
