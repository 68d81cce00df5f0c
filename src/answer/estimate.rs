//! `trainsim estimate` and `trainsim plan`: the answer as JSON, CSV or a table, into any
//! writer (the CLI's stdout, the server's buffer).

use std::io::Write;

use serde::Serialize;
use trainsim::catalog::Catalog;
use trainsim::catalog::Precision;
use trainsim::cost::CostBasis;
use trainsim::estimate::{evaluate, h100_equivalents, plan_search, Estimate, Question};
use trainsim::fleet::{channel_cost, Channel, SMUGGLED_PREMIUM};
use trainsim::format::short;
use trainsim::parallel::memo::{search_timed, Searched};
use trainsim::policy::{classify, find_rule, Rule};
use trainsim::question::{check_tokens, Batch, Front};
use trainsim::report::{csv_string, grouped, Table};
use trainsim::workload::{model_flops_per_token, ParamCounts};

use super::question;
use crate::cli::{EstimateArgs, Format, PlanArgs};

/// A flat CSV row of an estimate.
#[derive(Serialize)]
struct EstimateRow<'a> {
    model: &'a str,
    gpu: &'a str,
    gpus: u64,
    gpus_used: u64,
    tokens: f64,
    precision: &'static str,
    seq_len: u64,
    global_batch_tokens: f64,
    train_days: f64,
    gpu_hours: f64,
    cost_usd: Option<f64>,
    energy_mwh: Option<f64>,
    facility_power_mw: Option<f64>,
    capex_usd: Option<f64>,
    mfu: f64,
    mfu_bf16: f64,
    model_flops: f64,
    tokens_per_s: f64,
    step_time_s: f64,
    memory_per_gpu_gib: f64,
    goodput: f64,
    expected_interruptions: f64,
    plan_tp: u32,
    plan_pp: u32,
    plan_dp: u32,
    plan_ep: u32,
    plan_cp: u32,
    plan_micro_batch: u32,
    plan_recompute: &'static str,
    plan_zero_stage: u8,
    plan_interleave: u32,
    h100_equivalents: Option<f64>,
    infeasible_reason: Option<String>,
}

fn row(e: &Estimate) -> EstimateRow<'_> {
    EstimateRow {
        model: &e.model,
        gpu: &e.gpu,
        gpus: e.gpus,
        gpus_used: e.gpus_used,
        tokens: e.tokens,
        precision: e.precision.as_str(),
        seq_len: e.seq_len,
        global_batch_tokens: e.global_batch_tokens,
        train_days: e.train_days,
        gpu_hours: e.gpu_hours,
        cost_usd: e.cost_usd,
        energy_mwh: e.energy_mwh,
        facility_power_mw: e.facility_power_mw,
        capex_usd: e.capex_usd,
        mfu: e.mfu,
        mfu_bf16: e.mfu_bf16,
        model_flops: e.model_flops,
        tokens_per_s: e.tokens_per_s,
        step_time_s: e.step_time_s,
        memory_per_gpu_gib: e.memory_per_gpu_gib,
        goodput: e.goodput,
        expected_interruptions: e.expected_interruptions,
        plan_tp: e.plan.tp,
        plan_pp: e.plan.pp,
        plan_dp: e.plan.dp,
        plan_ep: e.plan.ep,
        plan_cp: e.plan.cp,
        plan_micro_batch: e.plan.micro_batch,
        plan_recompute: e.plan.recompute,
        plan_zero_stage: e.plan.zero_stage,
        plan_interleave: e.plan.interleave,
        h100_equivalents: None,
        infeasible_reason: None,
    }
}

/// `trainsim estimate`. With `--rule`, also the chip's export-control status under it (a
/// built-in rule or one of `rules`, which holds those of `--rules` files too).
pub fn estimate(
    catalog: &Catalog,
    rules: &[Rule],
    a: &EstimateArgs,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut q = question(catalog, &a.common, a.tokens)?;
    let batch = Batch {
        seq_len: q.seq_len,
        global_batch_tokens: q.global_batch_tokens,
    };
    check_tokens(Front::Flags, q.train_tokens, &batch)?;
    let export = match &a.rule {
        Some(id) => {
            let r = find_rule(rules, id).map_err(|e| e.at_key("--rule"))?;
            Some(classify(&q.gpu, r))
        }
        None => None,
    };
    q.cost.usd_per_gpu_hour = a.usd_per_gpu_hour;
    q.cost.basis = if a.cost_basis == "ownership" {
        CostBasis::Ownership
    } else {
        CostBasis::Rental
    };
    let channel = a.channel.as_deref().and_then(Channel::from_name);
    let channel_json = apply_channel(&mut q, channel, a.channel_premium);
    // A purchase the rule does not allow is refused, as a scenario's purchase pool is.
    let refused = match (channel, &export) {
        (Some(Channel::Purchase), Some(k)) if !k.status.allows_purchase() => {
            Some(format!("not allowed under {}: {}", k.rule, k.reason))
        }
        _ => None,
    };
    let result = match refused {
        Some(why) => Err((why, serde_json::json!("not_allowed_by_rule"))),
        None => {
            let found = plan_search(&q, 1);
            match found.top.first() {
                Some(best) => evaluate(&q, best, &q.efficiency, &q.reliability, &q.energy, &q.cost),
                None => Err(found.infeasible.clone().expect("an empty search says why")),
            }
            .map_err(|why| (why.to_string(), serde_json::json!(why)))
        }
    };
    let e = match result {
        Ok(e) => e,
        Err((why, detail)) => {
            return infeasible(out, a.format, &q, &why, detail, channel_json, &export);
        }
    };
    // The fleet's H100-equivalents for this model, by training throughput (issue 5).
    let h100e = catalog
        .gpu("h100-sxm-80gb")
        .ok()
        .and_then(|h| h100_equivalents(&q, h, e.train_days));
    let precision_note = precision_note(&a.common.precision, &q);
    match a.format {
        Format::Json => {
            let mut v = serde_json::to_value(&e)?;
            v["h100_equivalents"] = serde_json::json!(h100e);
            v["precision_note"] = serde_json::json!(precision_note);
            if let Some(k) = &export {
                v["export"] = serde_json::to_value(k)?;
            }
            if let Some(c) = channel_json {
                v["channel"] = c;
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?;
        }
        Format::Csv => {
            let mut r = row(&e);
            r.h100_equivalents = h100e;
            write!(out, "{}", csv_string(&[r])?)?;
        }
        Format::Table => {
            write!(out, "{}", describe(&e))?;
            writeln!(
                out,
                "{:<22}  {}",
                "h100_equivalents",
                h100e.map_or("n/a (no H100 plan)".into(), |x| format!(
                    "{x:.0} (for this model, by training throughput)"
                ))
            )?;
            if let Some(k) = &export {
                writeln!(
                    out,
                    "{:<22}  {} under {}: {}",
                    "export_status", k.status, k.rule, k.reason
                )?;
            }
            if let (Some(ch), Some(c)) = (channel, &channel_json) {
                writeln!(out, "{:<22}  {}", "channel", channel_words(ch, c))?;
            }
            if let Some(n) = &precision_note {
                writeln!(out, "{:<22}  {n}", "note")?;
            }
        }
    }
    Ok(())
}

/// Prices the question as a fleet bought through `channel` ([`channel_cost`]) with the
/// channel's premium (given, or [`SMUGGLED_PREMIUM`]'s mode for smuggled chips, else 0), and
/// the JSON `channel` object: what the channel means for basis, price and legality.
fn apply_channel(
    q: &mut Question,
    channel: Option<Channel>,
    premium: Option<f64>,
) -> Option<serde_json::Value> {
    if let Some(p) = premium {
        q.cost.channel_premium = p;
    } else if channel == Some(Channel::Smuggled) {
        q.cost.channel_premium = SMUGGLED_PREMIUM.1;
    }
    let ch = channel?;
    q.cost = channel_cost(ch, &q.cost, &q.gpu);
    Some(serde_json::json!({
        "channel": ch.as_str(),
        "cost_basis": q.cost.basis,
        "premium": q.cost.channel_premium,
        "subject_to_rule": ch.subject_to_rule(),
        "unlawful": ch.is_unlawful(),
    }))
}

/// The table's `channel` line.
fn channel_words(ch: Channel, c: &serde_json::Value) -> String {
    let premium = c["premium"].as_f64().unwrap_or(0.0);
    let basis = c["cost_basis"].as_str().unwrap_or("");
    let legal = match ch {
        Channel::Purchase => "subject to the export rule",
        Channel::Smuggled => "unlawful, outside the export rule",
        Channel::Stockpile => "bought before the rule, exempt from it",
        Channel::Cloud => "rented abroad, outside the export rule",
        Channel::Domestic => "made at home, outside US purchase rules",
    };
    if premium == 0.0 {
        format!("{ch}: {legal}; {basis} basis")
    } else {
        format!(
            "{ch}: {legal}; {basis} basis at a {:+.0}% price premium",
            100.0 * premium
        )
    }
}

/// The answer when no plan runs: the search found none, or the rule refuses the purchase.
fn infeasible(
    out: &mut dyn Write,
    format: Format,
    q: &Question,
    why: &str,
    detail: serde_json::Value,
    channel: Option<serde_json::Value>,
    export: &Option<trainsim::policy::Classification>,
) -> anyhow::Result<()> {
    match format {
        Format::Json => {
            let mut v = serde_json::json!({
                "model": q.model.id, "gpu": q.gpu.id, "gpus": q.gpus, "tokens": q.train_tokens,
                "feasible": false, "infeasible_reason": why, "infeasible": detail,
            });
            if let Some(k) = export.as_ref().filter(|_| channel.is_some()) {
                v["export"] = serde_json::to_value(k)?;
            }
            if let Some(c) = channel {
                v["channel"] = c;
            }
            writeln!(out, "{}", serde_json::to_string_pretty(&v)?)?
        }
        Format::Csv => writeln!(
            out,
            "model,gpu,gpus,tokens,infeasible_reason\n{},{},{},{},\"{}\"",
            q.model.id,
            q.gpu.id,
            q.gpus,
            q.train_tokens,
            why.replace('"', "\"\"")
        )?,
        Format::Table => writeln!(
            out,
            "{} on {} × {}: infeasible: {why}",
            q.model.id, q.gpus, q.gpu.id
        )?,
    }
    Ok(())
}

/// Why FP8, when asked for, does not run as FP8: the stack has no FP8 recipe (the question
/// then trains in BF16, [`Question::apply_stack`]) or the chip has no FP8 tensor cores (the
/// GEMMs run at the BF16 peak, [`Question::effective_precision`]).
fn precision_note(requested: &str, q: &Question) -> Option<String> {
    if !requested.eq_ignore_ascii_case("fp8") {
        return None;
    }
    if q.gpu.fp8_dense_tflops.is_none() {
        return Some(format!(
            "FP8 asked for, but {} has no FP8 tensor cores: the model trains at its BF16 peak",
            q.gpu.id
        ));
    }
    match &q.stack {
        Some(s) if q.precision != Precision::Fp8 => Some(format!(
            "FP8 asked for, but stack `{}` has no FP8 recipe: the model trains in BF16 (`trainsim catalog stacks` shows which have one)",
            s.id
        )),
        _ => None,
    }
}

/// `value (p5–p95 lo–hi)` when a band exists.
fn with_band(
    value: String,
    p5: Option<f64>,
    p95: Option<f64>,
    f: impl Fn(f64) -> String,
) -> String {
    match (p5, p95) {
        (Some(lo), Some(hi)) => format!("{value} (p5–p95 {}–{})", f(lo), f(hi)),
        _ => value,
    }
}

/// The estimate as a short report for people: `quantity  value` lines.
fn describe(e: &Estimate) -> String {
    let idle = e.gpus - e.gpus_used;
    let (name, s) = e.step.largest_component();
    let rows: Vec<(&str, String)> = vec![
        ("model", e.model.clone()),
        ("fleet", format!("{} × {} ({} idle)", e.gpus, e.gpu, idle)),
        (
            "tokens",
            format!(
                "{:.3e} ({} per step, {} steps)",
                e.tokens,
                grouped(e.global_batch_tokens),
                grouped(e.steps)
            ),
        ),
        (
            "plan",
            format!(
                "TP{} PP{} DP{} EP{} CP{} mb{} v{} recompute={} ZeRO-{}",
                e.plan.tp,
                e.plan.pp,
                e.plan.dp,
                e.plan.ep,
                e.plan.cp,
                e.plan.micro_batch,
                e.plan.interleave,
                e.plan.recompute,
                e.plan.zero_stage
            ),
        ),
        (
            "stack",
            e.stack.clone().map_or("none (--mfu)".into(), |s| {
                format!("{s} (run overhead {:.0}%)", 100.0 * e.run_overhead)
            }),
        ),
        (
            "train_days",
            with_band(
                format!("{:.1}", e.train_days),
                e.train_days_p5,
                e.train_days_p95,
                |x| format!("{x:.0}"),
            ),
        ),
        (
            "gpu_hours",
            with_band(grouped(e.gpu_hours), e.gpu_hours_p5, e.gpu_hours_p95, short),
        ),
        (
            "cost_usd",
            e.cost_usd.map_or_else(
                || format!("n/a ({})", e.cost_note.clone().unwrap_or_default()),
                |c| with_band(grouped(c), e.cost_usd_p5, e.cost_usd_p95, short),
            ),
        ),
        (
            "usd_per_gpu_hour",
            e.usd_per_gpu_hour
                .map_or("n/a".into(), |x| format!("{x:.2}")),
        ),
        (
            "capex_usd",
            e.capex_usd
                .map_or("n/a (no purchase price)".into(), grouped),
        ),
        (
            "energy_mwh",
            e.energy_mwh.map_or("n/a".into(), |x| format!("{x:.0}")),
        ),
        (
            "facility_power_mw",
            e.facility_power_mw
                .map_or("n/a".into(), |x| format!("{x:.2}")),
        ),
        (
            "mfu",
            format!("{:.3} (of the {} peak)", e.mfu, e.precision.as_str()),
        ),
        ("mfu_bf16", format!("{:.3}", e.mfu_bf16)),
        ("step_time_s", format!("{:.3}", e.step_time_s)),
        ("tokens_per_s", grouped(e.tokens_per_s)),
        ("memory_per_gpu_gib", format!("{:.1}", e.memory_per_gpu_gib)),
        (
            "goodput",
            format!("{:.3} (job MTBF {:.2} h)", e.goodput, e.mtbf_h),
        ),
        (
            "expected_interruptions",
            format!("{:.0}", e.expected_interruptions),
        ),
        (
            "largest step component",
            format!("{name} ({:.0}% of the step)", 100.0 * s / e.step_time_s),
        ),
    ];
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    rows.iter()
        .map(|(k, v)| format!("{k:<width$}  {v}\n"))
        .collect()
}

#[derive(Serialize)]
struct PlanRow {
    rank: usize,
    plan: String,
    tp: u32,
    pp: u32,
    dp: u32,
    ep: u32,
    cp: u32,
    micro_batch: u32,
    interleave: u32,
    recompute: &'static str,
    zero_stage: u8,
    step_time_s: f64,
    memory_per_gpu_gib: f64,
    mfu: f64,
    largest_component: &'static str,
    largest_component_s: f64,
}

/// `trainsim plan`.
pub fn plan(catalog: &Catalog, a: &PlanArgs, out: &mut dyn Write) -> anyhow::Result<()> {
    let q = question(catalog, &a.common, 1.0)?;
    // `plan_search`, with the time of the search that found the answer (under a memo of
    // searches, `trainsim serve`'s, a later ask reports the first search's time).
    let Searched {
        result: found,
        search_s,
    } = search_timed(&q.step_model(), q.gpus, &q.space, a.top as usize);
    let p = ParamCounts::of(&q.model);
    let step_flops = model_flops_per_token(&q.model, &p, q.seq_len) * q.global_batch_tokens;
    let peak = q.gpu.peak_flops(q.precision);
    let rows: Vec<PlanRow> = found
        .top
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let st = r.strategy;
            let (name, s) = r.step.largest_component();
            PlanRow {
                rank: i + 1,
                plan: st.label(),
                tp: st.tp,
                pp: st.pp,
                dp: st.dp,
                ep: st.ep,
                cp: st.cp,
                micro_batch: st.micro_batch,
                interleave: st.interleave,
                recompute: st.recompute.as_str(),
                zero_stage: st.zero_stage,
                step_time_s: r.step.step_s,
                memory_per_gpu_gib: r.memory.total_bytes() / trainsim::catalog::gpu::GIB,
                mfu: step_flops / (r.step.step_s * st.gpus() as f64 * peak),
                largest_component: name,
                largest_component_s: s,
            }
        })
        .collect();
    let reason = found.infeasible.as_ref().map(ToString::to_string);
    match a.format {
        Format::Json => writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "model": q.model.id, "gpu": q.gpu.id, "gpus": q.gpus, "global_batch_tokens": q.global_batch_tokens,
                "seq_len": q.seq_len, "plans_considered": found.plans_considered, "plans_timed": found.plans_timed,
                "search_s": search_s, "plans": rows, "infeasible_reason": reason,
            }))?
        )?,
        Format::Csv => write!(out, "{}", csv_string(&rows)?)?,
        Format::Table => {
            let mut t = Table::new([
                "#",
                "plan",
                "step_time_s",
                "memory_gib",
                "mfu",
                "largest component",
            ]);
            for r in &rows {
                t.row([
                    r.rank.to_string(),
                    r.plan.clone(),
                    format!("{:.3}", r.step_time_s),
                    format!("{:.1}", r.memory_per_gpu_gib),
                    format!("{:.3}", r.mfu),
                    format!(
                        "{} {:.0}%",
                        r.largest_component,
                        100.0 * r.largest_component_s / r.step_time_s
                    ),
                ]);
            }
            write!(out, "{}", t.render())?;
            if let Some(r) = reason {
                writeln!(out, "infeasible: {r}")?;
            }
            eprintln!(
                "{} plans considered, {} fit memory and were timed, in {:.3} s ({:.2} M plans/s)",
                found.plans_considered,
                found.plans_timed,
                search_s,
                found.plans_considered as f64 / search_s.max(1e-9) / 1e6
            );
        }
    }
    Ok(())
}
