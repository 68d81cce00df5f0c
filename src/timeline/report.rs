//! `report.html` of a timeline run: one self-contained page (inline SVG charts, inline CSS
//! copied from the `run` report, no scripts) that states the question, answers it in one
//! sentence with its band, then shows the charts, the lead and target-month tables, the
//! rule timeline and the supply lines.
//!
//! Owns the view model (every number formatted here) and its template
//! `templates/report.html`; minijinja escapes all text (the template name ends in `.html`),
//! and only the SVG that plotters wrote goes in unescaped.

use serde::Serialize;

use super::output::{target_text, Summary};
use super::Timeline;
use crate::dist::Dist;
use crate::fleet::format_month;
use crate::format::fmt_f64;
use crate::report::chart::ChartFile;
use crate::report::html::inline_svg;

const TEMPLATE_NAME: &str = "timeline-report.html";
const TEMPLATE: &str = include_str!("templates/report.html");

/// What a timeline does not model, listed at the end of the page.
const LIMITATIONS: [&str; 4] = [
    "A fleet is one cluster: every chip an actor holds (cloud included) trains one run together, arranged as in `run`'s mixed fleets.",
    "Rules are thresholds applied to catalogued chip figures: no licences granted or denied case by case, no end-use or entity-list controls, no enforcement beyond the smuggled and cloud rates given.",
    "Supply rates are inputs, mostly from contested public estimates (see the scenario's comments and shared/reference/supply.md); the answer is only as good as they are.",
    "Throughput comes from the plan search at a grid of GPU counts, interpolated; algorithmic progress, when given, scales the compute the target needs, not the engine.",
];

#[derive(Serialize)]
struct View {
    name: String,
    question: String,
    answer: String,
    target: String,
    period: String,
    trials: u64,
    seed: u64,
    version: &'static str,
    charts: Vec<ChartView>,
    lead: Vec<LeadView>,
    capability: Vec<CapView>,
    rules: Vec<RuleView>,
    lines: Vec<LineView>,
    counterfactuals: Vec<String>,
    limitations: Vec<&'static str>,
}

#[derive(Serialize)]
struct ChartView {
    name: String,
    title: String,
    caption: Option<String>,
    svg: String,
}

#[derive(Serialize)]
struct LeadView {
    counterfactual: String,
    leader: String,
    follower: String,
    lead: String,
    change: String,
    censored: String,
}

#[derive(Serialize)]
struct CapView {
    actor: String,
    counterfactual: String,
    month: String,
    reached: String,
    vs_base: String,
    reason: String,
}

#[derive(Serialize)]
struct RuleView {
    month: String,
    id: String,
    name: String,
    blocked: String,
}

#[derive(Serialize)]
struct LineView {
    actor: String,
    chip: String,
    channel: String,
    start: String,
    end: String,
    initial: String,
    rate: String,
    cap: String,
}

/// A number, or a distribution described.
fn num(d: &Dist) -> String {
    let (lo, hi) = d.support();
    if lo == hi {
        fmt_f64(lo)
    } else {
        d.describe()
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", 100.0 * x)
}

/// The default question when the scenario does not state one.
fn question(tl: &Timeline) -> String {
    tl.question.clone().unwrap_or_else(|| {
        format!(
            "When does each actor first train {}, and by how many months does the first lead the others?",
            target_text(tl)
        )
    })
}

/// Render the page of `tl` with its summary and the charts drawn (possibly none).
pub fn render(tl: &Timeline, s: &Summary, charts: &[ChartFile]) -> anyhow::Result<String> {
    let base = &tl.variants[0];
    let view = View {
        name: tl.name.clone(),
        question: question(tl),
        answer: s.answer.replace('`', ""),
        target: target_text(tl),
        period: format!("{} to {}", format_month(tl.start), format_month(tl.end)),
        trials: tl.trials,
        seed: tl.seed,
        version: env!("CARGO_PKG_VERSION"),
        charts: charts
            .iter()
            .map(|c| ChartView {
                name: c.name.clone(),
                title: c.title.clone(),
                caption: c.caption.clone(),
                svg: inline_svg(&c.svg_text).to_string(),
            })
            .collect(),
        lead: s
            .lead
            .iter()
            .map(|r| LeadView {
                counterfactual: r.counterfactual.clone(),
                leader: r.leader.clone(),
                follower: r.follower.clone(),
                lead: format!(
                    "{} [{}–{}]",
                    fmt_f64(r.lead_months_p50),
                    fmt_f64(r.lead_months_p5),
                    fmt_f64(r.lead_months_p95)
                ),
                change: fmt_f64(r.lead_change_months_p50),
                censored: pct(r.censored_share),
            })
            .collect(),
        capability: s
            .capability
            .iter()
            .map(|c| CapView {
                actor: c.actor.clone(),
                counterfactual: c.counterfactual.clone(),
                month: if c.target_month_p50.is_empty() {
                    "not reached".into()
                } else {
                    format!(
                        "{} [{}–{}]",
                        c.target_month_p50,
                        or_dash(&c.target_month_p5),
                        or_dash(&c.target_month_p95)
                    )
                },
                reached: pct(c.reached_share),
                vs_base: fmt_f64(c.months_vs_base_p50),
                reason: c.reason.clone(),
            })
            .collect(),
        rules: base
            .rules
            .iter()
            .map(|(m, r)| RuleView {
                month: format_month(*m),
                id: r.id.clone(),
                name: r.name.clone(),
                blocked: blocked(tl, r),
            })
            .collect(),
        lines: base
            .actors
            .iter()
            .flat_map(|a| {
                a.lines.iter().map(|l| LineView {
                    actor: a.name.clone(),
                    chip: tl.chip_ids[l.chip].clone(),
                    channel: l.channel.to_string(),
                    start: format_month(l.start),
                    end: if l.end >= tl.end {
                        "–".into()
                    } else {
                        format_month(l.end)
                    },
                    initial: num(&l.initial),
                    rate: num(&l.rate),
                    cap: if l.cap.is_finite() && l.cap < super::resolve::MAX_GPUS {
                        fmt_f64(l.cap)
                    } else {
                        "–".into()
                    },
                })
            })
            .collect(),
        counterfactuals: tl.variants[1..].iter().map(|v| v.name.clone()).collect(),
        limitations: LIMITATIONS.to_vec(),
    };
    let mut env = minijinja::Environment::new();
    env.add_template(TEMPLATE_NAME, TEMPLATE)?;
    Ok(env
        .get_template(TEMPLATE_NAME)?
        .render(minijinja::value::Serde(view))?)
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "never"
    } else {
        s
    }
}

/// The scenario's chips that `rule` stops buying, comma-separated, or "none of these chips".
fn blocked(tl: &Timeline, rule: &crate::policy::Rule) -> String {
    let ids: Vec<&str> = tl
        .chips
        .iter()
        .zip(&tl.chip_ids)
        .filter(|(g, _)| !super::rules::rule_allows(rule, g))
        .map(|(_, id)| id.as_str())
        .collect();
    if ids.is_empty() {
        "none of these chips".into()
    } else {
        ids.join(", ")
    }
}
