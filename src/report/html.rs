//! The HTML report of one scenario: a single self-contained file (inline SVG charts, inline
//! CSS, no scripts, nothing fetched from the network).
//!
//! Owns the view model (every number formatted here, so the template only places text) and
//! the template `templates/report.html`, embedded at compile time. Text from the scenario is
//! escaped by minijinja (the template name ends in `.html`); only the SVG that plotters
//! wrote, which escapes its own text, goes in unescaped.

use serde::Serialize;

use super::chart::{human, percent, usd, Band, ChartFile, PointResult, Quantiles, ScenarioResult};

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
    /// The answer in a sentence or two, before anything else.
    answer: Vec<String>,
    rows: Vec<RowView>,
    /// Some point has a capex, or restriction ratios: their columns are shown.
    has_capex: bool,
    has_ratios: bool,
    /// Figure columns of the results table (an infeasible row's reason spans them).
    n_figures: usize,
    /// Points without a cost, and why.
    unpriced: Vec<String>,
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
    /// The key in words, as the tornados name it ([`super::names::input_name`]); empty
    /// when there is no wording.
    words: String,
    value: &'a str,
}

/// One row of the results table: the fleet once (its label; the pools with their channels
/// as a hover title), then the figures.
#[derive(Serialize)]
struct RowView {
    label: String,
    pools: String,
    train_days: Cell,
    cost_usd: Cell,
    capex_usd: String,
    gpu_hours: Cell,
    energy_mwh: Cell,
    mfu: Cell,
    time_ratio: Cell,
    cost_ratio: Cell,
    /// Why the point cannot run (spans the figure columns).
    infeasible_reason: Option<String>,
    /// Why its cost is missing.
    cost_missing: Option<String>,
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
        let has_capex = r.points.iter().any(|p| p.capex_usd.is_some());
        let has_ratios = r
            .points
            .iter()
            .any(|p| p.restriction_time_ratio.is_some() || p.restriction_cost_ratio.is_some());
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
                .map(|(k, v)| {
                    let words = super::names::input_name(k, &[]);
                    KeyValue {
                        key: k,
                        words: if words == *k { String::new() } else { words },
                        value: v,
                    }
                })
                .collect(),
            n_points: r.points.len(),
            n_infeasible: r.points.iter().filter(|p| p.is_infeasible()).count(),
            answer: answer(&r.points),
            rows: r.points.iter().take(MAX_TABLE_ROWS).map(row).collect(),
            has_capex,
            has_ratios,
            n_figures: 5 + usize::from(has_capex) + 2 * usize::from(has_ratios),
            unpriced: r
                .points
                .iter()
                .take(MAX_TABLE_ROWS)
                .filter_map(|p| Some(format!("{} ({})", p.label, p.cost_missing.as_ref()?)))
                .collect(),
            more_rows: r.points.len().saturating_sub(MAX_TABLE_ROWS),
            charts: charts.iter().map(chart_view).collect(),
            plans: r
                .points
                .iter()
                .take(MAX_TABLE_ROWS)
                .filter(|p| !p.is_infeasible() && !p.plan.is_empty())
                .map(|p| PlanView {
                    label: &p.label,
                    plan: &p.plan,
                })
                .collect(),
            limitations: &r.limitations,
        }
    }
}

/// The answer first (STYLE.md, "Pages people read"): the fastest and the slowest feasible
/// points with their bands, and the slowest one's time over the reference fleet's when the
/// scenario has one. Empty when no point finished.
fn answer(points: &[PointResult]) -> Vec<String> {
    let days = |p: &&PointResult| p.train_days.filter(|q| q.is_finite()).map(|q| q.p50);
    let feasible: Vec<&PointResult> = points
        .iter()
        .filter(|p| !p.is_infeasible() && days(p).is_some())
        .collect();
    let by_days = |a: &&&PointResult, b: &&&PointResult| {
        days(a)
            .unwrap_or(f64::NAN)
            .total_cmp(&days(b).unwrap_or(f64::NAN))
    };
    let (Some(fast), Some(slow)) = (
        feasible.iter().min_by(by_days),
        feasible.iter().max_by(by_days),
    ) else {
        return Vec::new();
    };
    let time = |p: &PointResult| {
        p.train_days.map_or(String::new(), |q| {
            format!(
                "{} days (p5–p95 {}–{})",
                human(q.p50),
                human(q.p5),
                human(q.p95)
            )
        })
    };
    let mut out = Vec::new();
    if feasible.len() == 1 {
        out.push(format!("{} trains in {}.", fast.label, time(fast)));
    } else {
        out.push(format!(
            "Fastest: {}, {}. Slowest: {}, {}.",
            fast.label,
            time(fast),
            slow.label,
            time(slow)
        ));
    }
    if let Some(r) = slow.restriction_time_ratio.filter(|r| r.p50 > 1.0 + 1e-9) {
        let band = r
            .p5_p95
            .filter(|(lo, hi)| lo.is_finite() && hi.is_finite())
            .map(|(lo, hi)| format!(", p5–p95 {}–{}×", human(lo), human(hi)))
            .unwrap_or_default();
        out.push(format!(
            "{} takes {}× as long as the reference fleet (policy.reference){band}.",
            slow.label,
            human(r.p50)
        ));
    }
    out
}

/// "lo–hi", or nothing when both ends read the same (a band of one value, such as the
/// reference fleet's ratio to itself, says nothing).
fn span(lo: String, hi: String) -> String {
    if lo == hi {
        String::new()
    } else {
        format!("{lo}–{hi}")
    }
}

/// A ratio with its band: "3.74×" over "3.7–3.79"; "–" when absent.
fn ratio(b: Option<Band>) -> Cell {
    match b {
        Some(b) if b.p50.is_finite() => Cell {
            p50: format!("{}×", human(b.p50)),
            band: match b.p5_p95 {
                Some((lo, hi)) if lo.is_finite() && hi.is_finite() => span(human(lo), human(hi)),
                _ => String::new(),
            },
        },
        _ => Cell {
            p50: "–".into(),
            band: String::new(),
        },
    }
}

/// A figure of the results table: the median, and the p5–p95 band (drawn under it).
#[derive(Serialize)]
struct Cell {
    p50: String,
    band: String,
}

/// [`band`] split for the results table; `p50` is "–" when absent.
fn cell(q: Option<Quantiles>, f: fn(f64) -> String) -> Cell {
    match q {
        Some(q) if q.is_finite() => Cell {
            p50: f(q.p50),
            band: span(f(q.p5), f(q.p95)),
        },
        _ => Cell {
            p50: "–".into(),
            band: String::new(),
        },
    }
}

fn row(p: &PointResult) -> RowView {
    RowView {
        label: p.label.clone(),
        pools: p.fleet.clone(),
        train_days: cell(p.train_days, human),
        cost_usd: cell(p.cost_usd, usd),
        capex_usd: p
            .capex_usd
            .filter(|v| v.is_finite())
            .map_or("–".into(), usd),
        gpu_hours: cell(p.gpu_hours, human),
        energy_mwh: cell(p.energy_mwh, human),
        mfu: cell(p.mfu, percent),
        time_ratio: ratio(p.restriction_time_ratio),
        cost_ratio: ratio(p.restriction_cost_ratio),
        infeasible_reason: p.infeasible_reason.clone(),
        cost_missing: p.cost_missing.clone(),
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
pub fn inline_svg(text: &str) -> &str {
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
        let c = cell(Some(q), human);
        assert_eq!((c.p50.as_str(), c.band.as_str()), ("41.3", "30–60"));
        assert_eq!(cell(None, human).p50, "–");
        assert_eq!(cell(Some(q), usd).band, "$30–$60");
        let r = ratio(Some(Band {
            p50: 3.7403,
            p5_p95: Some((3.7029, 3.7939)),
        }));
        assert_eq!((r.p50.as_str(), r.band.as_str()), ("3.74×", "3.7–3.79"));
        // The reference fleet against itself: 1× with no band to show.
        let one = ratio(Some(Band {
            p50: 1.0,
            p5_p95: Some((1.0, 1.0)),
        }));
        assert_eq!((one.p50.as_str(), one.band.as_str()), ("1×", ""));
    }

    #[test]
    fn inline_svg_drops_the_prolog() {
        let s = "<?xml version=\"1.0\"?>\n<svg a=\"1\"><g/></svg>\n";
        assert_eq!(inline_svg(s), "<svg a=\"1\"><g/></svg>");
    }
}
