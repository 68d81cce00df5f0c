//! The HTML report of one scenario: a single self-contained file (inline SVG charts, inline
//! CSS, no scripts, nothing fetched from the network).
//!
//! Owns the view model (every number formatted here, so the template only places text) and
//! the template `templates/report.html`, embedded at compile time. Text from the scenario is
//! escaped by minijinja (the template name ends in `.html`); only the SVG that plotters
//! wrote, which escapes its own text, goes in unescaped.

use serde::Serialize;

use super::chart::{human, percent, usd, ChartFile, PointResult, Quantiles, ScenarioResult};

/// What the model does not capture: the README's "What trainsim does not model", listed at
/// the end of every report (keep the two in step).
pub const LIMITATIONS: [&str; 6] = [
    "MoE routing skew is one calibrated factor (moe_imbalance), not a model of the router; capacity factors and token dropping are not modelled. MoE estimates remain optimistic for less engineered stacks.",
    "Kernel-level detail: wave quantisation, per-kernel launch overhead, power or thermal throttling; these sit inside the calibrated GEMM factor.",
    "Network topology beyond \"NVLink inside a node, one NIC per GPU across nodes\": no oversubscription, congestion or rail layout; in-network reduction (SHARP) is not credited.",
    "Data loading, evaluation, loss spikes and rollbacks, batch-size ramps, restarts for software changes: only unexpected hardware/software interruptions count against goodput.",
    "Scheduling variants such as DualPipe or zero-bubble pipelines (1F1B and interleaved 1F1B only), expert tensor parallelism, and sequence lengths that change during training.",
    "Mixed fleets: a pool's throughput is taken as constant when it gets only part of the batch, and the arrangement is chosen by step time; stockpiles are amortised at their purchase price with no depreciation to the training date; export rules are thresholds applied to catalogued figures (no end-use or end-user controls, no licence outcomes).",
];

/// Most rows of the results and plans tables; the rest are in summary.csv.
pub const MAX_TABLE_ROWS: usize = 1000;

const TEMPLATE_NAME: &str = "report.html";
const TEMPLATE: &str = include_str!("templates/report.html");

/// Why the report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    /// The template failed to load or render.
    #[error("cannot render the HTML report")]
    Template(#[source] minijinja::Error),
}

/// Render the report of `result` with its `charts` (as returned by
/// [`draw_all`](super::chart::draw_all)) to one HTML document.
pub fn render_report(result: &ScenarioResult, charts: &[ChartFile]) -> Result<String, HtmlError> {
    let mut env = minijinja::Environment::new();
    env.add_template(TEMPLATE_NAME, TEMPLATE)
        .map_err(HtmlError::Template)?;
    let tmpl = env
        .get_template(TEMPLATE_NAME)
        .map_err(HtmlError::Template)?;
    tmpl.render(minijinja::value::Serde(View::new(result, charts)))
        .map_err(HtmlError::Template)
}

#[derive(Serialize)]
struct View<'a> {
    name: &'a str,
    question: &'a str,
    version: &'static str,
    swept: Vec<SweptView>,
    assumptions: Vec<KeyValue<'a>>,
    n_points: usize,
    n_infeasible: usize,
    rows: Vec<RowView>,
    /// Points left out of the tables ([`MAX_TABLE_ROWS`]).
    more_rows: usize,
    charts: Vec<ChartView<'a>>,
    plans: Vec<PlanView<'a>>,
    limitations: &'a [String],
}

#[derive(Serialize)]
struct SweptView {
    input: String,
    values: String,
}

#[derive(Serialize)]
struct KeyValue<'a> {
    key: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct RowView {
    label: String,
    fleet: String,
    inputs: String,
    train_days: String,
    cost_usd: String,
    gpu_hours: String,
    energy_mwh: String,
    mfu: String,
    plan: String,
    infeasible_reason: Option<String>,
}

#[derive(Serialize)]
struct ChartView<'a> {
    name: &'a str,
    title: &'a str,
    caption: Option<&'a str>,
    svg: &'a str,
    png_file: String,
    svg_file: String,
}

#[derive(Serialize)]
struct PlanView<'a> {
    label: &'a str,
    fleet: String,
    plan: &'a str,
}

impl<'a> View<'a> {
    fn new(r: &'a ScenarioResult, charts: &'a [ChartFile]) -> View<'a> {
        let swept = r
            .swept
            .iter()
            .map(|key| {
                let mut values: Vec<&str> = Vec::new();
                for p in &r.points {
                    for (k, v) in &p.inputs {
                        if k == key && !values.contains(&v.as_str()) {
                            values.push(v);
                        }
                    }
                }
                SweptView {
                    input: key.clone(),
                    values: values.join(", "),
                }
            })
            .collect();
        View {
            name: &r.name,
            // A question that only repeats the name (a file that states none) is not shown.
            question: if r.question.trim() == r.name.trim() {
                ""
            } else {
                &r.question
            },
            version: env!("CARGO_PKG_VERSION"),
            swept,
            assumptions: r
                .assumptions
                .iter()
                .map(|(k, v)| KeyValue { key: k, value: v })
                .collect(),
            n_points: r.points.len(),
            n_infeasible: r.points.iter().filter(|p| p.is_infeasible()).count(),
            rows: r.points.iter().take(MAX_TABLE_ROWS).map(row).collect(),
            more_rows: r.points.len().saturating_sub(MAX_TABLE_ROWS),
            charts: charts.iter().map(chart_view).collect(),
            plans: r
                .points
                .iter()
                .take(MAX_TABLE_ROWS)
                .filter(|p| !p.is_infeasible() && !p.plan.is_empty())
                .map(|p| PlanView {
                    label: &p.label,
                    fleet: fleet(p),
                    plan: &p.plan,
                })
                .collect(),
            limitations: &r.limitations,
        }
    }
}

fn fleet(p: &PointResult) -> String {
    format!("{} × {}", super::grouped(p.gpus as f64), p.gpu)
}

/// "p50 [p5–p95]" with `f` applied to each figure; "–" when absent.
fn band(q: Option<Quantiles>, f: fn(f64) -> String) -> String {
    match q {
        Some(q) if q.is_finite() => format!("{} [{}–{}]", f(q.p50), f(q.p5), f(q.p95)),
        _ => "–".to_string(),
    }
}

fn row(p: &PointResult) -> RowView {
    RowView {
        label: p.label.clone(),
        fleet: fleet(p),
        inputs: p
            .inputs
            .iter()
            .map(|(k, v)| format!("{k} = {v}"))
            .collect::<Vec<_>>()
            .join(", "),
        train_days: band(p.train_days, human),
        cost_usd: band(p.cost_usd, usd),
        gpu_hours: band(p.gpu_hours, human),
        energy_mwh: band(p.energy_mwh, human),
        mfu: band(p.mfu, percent),
        plan: if p.plan.is_empty() {
            "–".into()
        } else {
            p.plan.clone()
        },
        infeasible_reason: p.infeasible_reason.clone(),
    }
}

fn chart_view(c: &ChartFile) -> ChartView<'_> {
    let file = |p: &std::path::Path| {
        p.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    };
    ChartView {
        name: &c.name,
        title: &c.title,
        caption: c.caption.as_deref(),
        svg: inline_svg(&c.svg_text),
        png_file: file(&c.png),
        svg_file: file(&c.svg),
    }
}

/// The `<svg>…</svg>` element of an SVG document (no XML declaration or doctype, which do
/// not belong inside HTML).
fn inline_svg(text: &str) -> &str {
    let start = text.find("<svg").unwrap_or(0);
    let end = text
        .rfind("</svg>")
        .map(|i| i + "</svg>".len())
        .unwrap_or(text.len());
    if start < end {
        &text[start..end]
    } else {
        ""
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn band_formats_quantiles() {
        let q = Quantiles {
            p5: 30.0,
            p50: 41.25,
            p95: 60.0,
            mean: 42.0,
        };
        assert_eq!(band(Some(q), human), "41.3 [30–60]");
        assert_eq!(band(None, human), "–");
        assert_eq!(band(Some(q), usd), "$41.3 [$30–$60]");
    }

    #[test]
    fn inline_svg_drops_the_prolog() {
        let s = "<?xml version=\"1.0\"?>\n<svg a=\"1\"><g/></svg>\n";
        assert_eq!(inline_svg(s), "<svg a=\"1\"><g/></svg>");
    }
}
