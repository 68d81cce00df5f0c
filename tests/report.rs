//! Charts and the HTML report (issue 6): every chart kind is drawn from data that supports
//! it, skipped without it, and the report holds every chart drawn, escapes scenario text and
//! is well-formed HTML.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use trainsim::report::chart::{self, ChartFile, ChartKind};
use trainsim::report::{
    draw_all, render_report, Band, CostBreakdown, PointResult, PointSensitivity, Quantiles,
    ScenarioResult, Sensitivity,
};

const GPUS: [(&str, f64); 4] = [
    ("h100-sxm-80gb", 1.0),
    ("h800-sxm-80gb", 1.15),
    ("h20", 4.2),
    ("a100-sxm-80gb", 3.1),
];
const COUNTS: [u64; 3] = [4096, 8192, 16384];

/// A deterministic stream of numbers in (0, 1).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }
}

fn q(p50: f64, lo: f64, hi: f64) -> Quantiles {
    Quantiles {
        p5: p50 * lo,
        p50,
        p95: p50 * hi,
        mean: p50 * (lo + hi + 1.0) / 3.0,
    }
}

/// One sweep point: `slow` is the GPU's slowness relative to an H100.
fn point(gpu: &str, slow: f64, gpus: u64, rng: &mut Lcg) -> PointResult {
    // Scaling efficiency falls off with fleet size, so curves bend away from ideal.
    let eff = 1.0 - 0.08 * (gpus as f64 / 4096.0).log2();
    let days = 55.0 * slow * 4096.0 / gpus as f64 / eff;
    let hours = days * 24.0 * gpus as f64;
    let cost = hours * 2.1;
    let samples: Vec<f64> = (0..1500)
        .map(|_| {
            let u = rng.next() + rng.next() + rng.next() - 1.5;
            days * (1.0 + 0.18 * u)
        })
        .collect();
    PointResult {
        label: format!("{gpu} × {gpus}"),
        gpu: gpu.to_string(),
        gpus,
        inputs: vec![
            ("fleet.gpu".into(), gpu.to_string()),
            ("fleet.count".into(), gpus.to_string()),
        ],
        train_days: Some(q(days, 0.82, 1.24)),
        cost_usd: Some(q(cost, 0.7, 1.4)),
        gpu_hours: Some(q(hours, 0.82, 1.24)),
        energy_mwh: Some(q(hours * 1.1e-3, 0.85, 1.2)),
        mfu: Some(q(0.38 * eff, 0.85, 1.1)),
        cost_breakdown_usd: Some(CostBreakdown {
            compute_usd: cost * 0.78,
            energy_usd: cost * 0.09,
            overheads_usd: cost * 0.13,
            compute_label: "GPU rental".into(),
        }),
        train_days_samples: samples,
        plan: format!(
            "tp=8 pp=16 dp={} ep=64 mbs=1 recompute=selective zero=1",
            gpus / 128
        ),
        infeasible_reason: None,
        fleet: format!("{gpus} × {gpu} (purchase)"),
        capex_usd: Some(gpus as f64 * 41_650.0),
        restriction_time_ratio: None,
        restriction_cost_ratio: None,
        cost_missing: None,
    }
}

fn sensitivity() -> Vec<Sensitivity> {
    let row = |input: &str, lo: &str, hi: &str, d: (f64, f64), c: (f64, f64)| Sensitivity {
        input: input.into(),
        name: String::new(),
        low_label: lo.into(),
        high_label: hi.into(),
        train_days_low: d.0,
        train_days_high: d.1,
        cost_usd_low: c.0,
        cost_usd_high: c.1,
        train_days_nominal: 58.0,
        cost_usd_nominal: 48.0e6,
    };
    vec![
        row(
            "efficiency.matmul",
            "0.60",
            "0.78",
            (67.0, 51.5),
            (55.4e6, 42.6e6),
        ),
        row(
            "cost.usd_per_gpu_hour",
            "$1.70",
            "$2.70",
            (58.0, 58.0),
            (38.9e6, 61.7e6),
        ),
        row(
            "failures.per_gpu_hour",
            "1.1e-5",
            "3.9e-5",
            (56.9, 60.1),
            (47.1e6, 49.7e6),
        ),
        row(
            "checkpoint.write_s",
            "20",
            "90",
            (57.6, 58.9),
            (47.7e6, 48.7e6),
        ),
        // Both ends on one side of nominal (a non-monotonic input).
        row(
            "efficiency.network_overlap",
            "0.5",
            "0.9",
            (60.2, 59.1),
            (49.8e6, 49.2e6),
        ),
    ]
}

/// 4 GPUs × 3 fleet sizes, a 2-D sweep, samples, five sensitivity rows.
fn synthetic() -> ScenarioResult {
    let mut rng = Lcg(42);
    let mut points = Vec::new();
    for (gpu, slow) in GPUS {
        for n in COUNTS {
            points.push(point(gpu, slow, n, &mut rng));
        }
    }
    ScenarioResult {
        name: "deepseek-v3-fleets".into(),
        question: "How long does a DeepSeek-V3-class run take on each export-compliant fleet?"
            .into(),
        points,
        tornados: vec![PointSensitivity {
            point: 1,
            label: "h100-sxm-80gb × 8192".into(),
            rows: sensitivity(),
        }],
        tornado_points: 1,
        assumptions: vec![
            ("efficiency.matmul".into(), "PERT(0.55, 0.70, 0.80)".into()),
            (
                "cost.usd_per_gpu_hour".into(),
                "triangular(1.5, 2.0, 3.0)".into(),
            ),
            ("train_tokens".into(), "1.48e13".into()),
        ],
        limitations: vec![
            "Stragglers and network congestion beyond the alpha-beta model.".into(),
            "Loss spikes and restarts from a rolled-back checkpoint.".into(),
        ],
        swept: vec!["fleet.gpu".into(), "fleet.count".into()],
    }
}

/// `synthetic()` with the smallest A100 fleet out of memory.
fn with_infeasible() -> ScenarioResult {
    let mut r = synthetic();
    let p = r
        .points
        .iter_mut()
        .find(|p| p.gpu == "a100-sxm-80gb" && p.gpus == 4096)
        .expect("point exists");
    p.train_days = None;
    p.cost_usd = None;
    p.gpu_hours = None;
    p.energy_mwh = None;
    p.mfu = None;
    p.cost_breakdown_usd = None;
    p.train_days_samples.clear();
    p.plan.clear();
    p.infeasible_reason = Some("out of memory: needs 93.1 GiB per GPU, has 80 GiB".into());
    r
}

/// A folder for chart files: `$TRAINSIM_CHART_DIR/NAME` when set (to look at them), else
/// a temporary folder.
fn out_dir(name: &str) -> (Option<tempfile::TempDir>, PathBuf) {
    match std::env::var_os("TRAINSIM_CHART_DIR") {
        Some(d) => (None, PathBuf::from(d).join(name)),
        None => {
            let t = tempfile::tempdir().expect("temp dir");
            let p = t.path().join("charts");
            (Some(t), p)
        }
    }
}

fn size(p: &Path) -> u64 {
    std::fs::metadata(p)
        .unwrap_or_else(|e| panic!("{}: {e}", p.display()))
        .len()
}

fn kinds(files: &[ChartFile]) -> HashSet<ChartKind> {
    files.iter().map(|f| f.kind).collect()
}

#[test]
fn every_chart_kind_is_drawn_from_data_that_supports_it() {
    let (_t, dir) = out_dir("all");
    let files = draw_all(&synthetic(), &dir).expect("charts");
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "train_days_by_fleet",
            "cost_usd_by_fleet",
            "train_days_cdf_by_fleet",
            "train_days_vs_gpus",
            "train_days_sensitivity_tornado",
            "cost_usd_sensitivity_tornado",
            "cost_usd_breakdown_by_fleet",
            "train_days_p50_heatmap",
        ]
    );
    assert_eq!(kinds(&files).len(), 6);
    for f in &files {
        assert_eq!(f.png, dir.join(format!("{}.png", f.name)));
        assert_eq!(f.svg, dir.join(format!("{}.svg", f.name)));
        assert!(
            size(&f.png) > 10_000,
            "{}: PNG {} bytes",
            f.name,
            size(&f.png)
        );
        assert!(
            size(&f.svg) > 5_000,
            "{}: SVG {} bytes",
            f.name,
            size(&f.svg)
        );
        let png = std::fs::read(&f.png).expect("png");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{} is a PNG", f.name);
        let svg = std::fs::read_to_string(&f.svg).expect("svg");
        assert_eq!(svg, f.svg_text);
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
        assert!(!f.title.is_empty());
    }
    // Nothing half-written is left behind.
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .expect("dir")
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn charts_are_skipped_when_their_data_is_missing() {
    let (_t, dir) = out_dir("skipped");

    let mut r = synthetic();
    for p in &mut r.points {
        p.train_days_samples.clear();
        p.cost_breakdown_usd = None;
    }
    r.tornados.clear();
    r.swept = vec!["fleet.gpu".into()];
    let got = kinds(&draw_all(&r, &dir).expect("charts"));
    assert_eq!(
        got,
        HashSet::from([ChartKind::FleetBars, ChartKind::Sweep]),
        "no samples, breakdown, sensitivity or second swept input"
    );
    assert!(chart::train_days_cdf_by_fleet(&r, &dir)
        .expect("cdf")
        .is_none());
    assert!(chart::train_days_sensitivity_tornado(&r, &dir)
        .expect("t")
        .is_empty());
    assert!(chart::cost_usd_sensitivity_tornado(&r, &dir)
        .expect("t")
        .is_empty());
    assert!(chart::cost_usd_breakdown_by_fleet(&r, &dir)
        .expect("b")
        .is_none());
    assert!(chart::train_days_p50_heatmap(&r, &dir)
        .expect("h")
        .is_none());

    // One fleet size per GPU: no sweep curves; three swept inputs: no heatmap.
    let mut r = synthetic();
    r.points.retain(|p| p.gpus == 8192);
    r.swept.push("efficiency.matmul".into());
    let got = kinds(&draw_all(&r, &dir).expect("charts"));
    assert!(!got.contains(&ChartKind::Sweep), "{got:?}");
    assert!(!got.contains(&ChartKind::Heatmap), "{got:?}");
    assert!(got.contains(&ChartKind::FleetBars));

    // Two swept inputs, but one of them has a single value: no heatmap.
    let mut r = synthetic();
    r.points.retain(|p| p.gpu == "h20");
    assert!(chart::train_days_p50_heatmap(&r, &dir)
        .expect("h")
        .is_none());
    assert!(chart::train_days_vs_gpus(&r, &dir).expect("s").is_some());

    // Every point infeasible: no chart, no file.
    let (_t2, empty_dir) = out_dir("none");
    let mut r = synthetic();
    for p in &mut r.points {
        p.infeasible_reason = Some("chip not allowed under oct-2023".into());
    }
    r.tornados.clear();
    let files = draw_all(&r, &empty_dir).expect("charts");
    assert!(files.is_empty(), "{:?}", kinds(&files));
    assert!(
        !empty_dir.exists() || std::fs::read_dir(&empty_dir).expect("dir").next().is_none(),
        "no file written"
    );
}

#[test]
fn report_contains_every_chart_and_is_valid_html() {
    let (_t, dir) = out_dir("report");
    let r = synthetic();
    let files = draw_all(&r, &dir).expect("charts");
    let html = render_report(&r, &files).expect("report");
    check_html(&html).unwrap_or_else(|e| panic!("invalid HTML: {e}"));
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"en\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert_eq!(html.matches("<svg").count(), files.len());
    for f in &files {
        assert!(html.contains(&f.title), "title of {}", f.name);
        assert!(html.contains(&format!("id=\"chart-{}\"", f.name)));
    }
    // Inputs, assumptions, results, plans, limitations.
    assert!(html.contains(&r.question));
    assert!(html.contains("PERT(0.55, 0.70, 0.80)"));
    // An assumption the tornados name in words carries the words under its key.
    assert!(html.contains(
        "<code>cost.usd_per_gpu_hour</code><br><span class=\"muted\">rental price (USD per GPU-hour)</span>"
    ));
    assert!(html.contains("What this model does not capture"));
    assert!(html.contains("Loss spikes and restarts"));
    assert!(html.contains("Chosen parallel plans"));
    assert!(html.contains("tp=8 pp=16 dp=128"));
    for p in &r.points {
        assert!(html.contains(&p.label), "row for {}", p.label);
    }
    // Self-contained: nothing is fetched.
    for needle in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "@import",
        "url(",
    ] {
        assert!(!html.contains(needle), "found {needle}");
    }
    if let Ok(d) = std::env::var("TRAINSIM_CHART_DIR") {
        std::fs::write(Path::new(&d).join("report.html"), &html).expect("write report");
    }
}

#[test]
fn infeasible_points_are_listed_with_their_reason_and_do_not_break_charts() {
    let (_t, dir) = out_dir("infeasible");
    let r = with_infeasible();
    let files = draw_all(&r, &dir).expect("charts");
    assert_eq!(kinds(&files).len(), 6, "every chart still drawn");
    let bars = files
        .iter()
        .find(|f| f.name == "train_days_by_fleet")
        .expect("bars");
    let caption = bars
        .caption
        .as_deref()
        .expect("caption names the infeasible point");
    assert!(caption.contains("a100-sxm-80gb × 4096"), "{caption}");
    let heat = files
        .iter()
        .find(|f| f.kind == ChartKind::Heatmap)
        .expect("heatmap");
    assert!(heat.svg_text.contains("infeasible"));

    let html = render_report(&r, &files).expect("report");
    check_html(&html).unwrap_or_else(|e| panic!("invalid HTML: {e}"));
    assert!(html.contains("out of memory: needs 93.1 GiB per GPU, has 80 GiB"));
    assert!(html.contains("class=\"infeasible\""));
    assert!(html.contains("of which 1 infeasible"));
}

#[test]
fn report_escapes_scenario_text() {
    let mut r = synthetic();
    r.name = "<script>alert(1)</script> & co".into();
    r.points[0].label = "<b>bold</b>".into();
    r.limitations.push("a < b > c \"quoted\"".into());
    let (_t, dir) = out_dir("escape");
    let files = draw_all(&r, &dir).expect("charts");
    let html = render_report(&r, &files).expect("report");
    check_html(&html).unwrap_or_else(|e| panic!("invalid HTML: {e}"));
    assert!(!html.contains("<script>"));
    assert!(!html.contains("<b>bold</b>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt; &amp; co"));
}

#[test]
fn a_single_point_gets_bars_and_its_distribution() {
    let mut r = synthetic();
    r.points.truncate(1);
    r.tornados.clear();
    r.swept.clear();
    for p in &mut r.points {
        p.inputs.clear();
    }
    let (_t, dir) = out_dir("single");
    let got = kinds(&draw_all(&r, &dir).expect("charts"));
    assert_eq!(
        got,
        HashSet::from([
            ChartKind::FleetBars,
            ChartKind::Cdf,
            ChartKind::CostBreakdown
        ])
    );
    let html = render_report(&r, &[]).expect("report without charts");
    check_html(&html).unwrap_or_else(|e| panic!("invalid HTML: {e}"));
    assert!(!html.contains("id=\"charts\""));
}

#[test]
fn degenerate_numbers_do_not_break_charts() {
    let mut r = synthetic();
    r.name.clear();
    for (i, p) in r.points.iter_mut().enumerate() {
        // Deterministic results (p5 = p50 = p95), identical samples, and a stray NaN.
        let days = p.train_days.expect("days").p50;
        p.train_days = Some(q(days, 1.0, 1.0));
        p.train_days_samples = vec![days; 50];
        p.train_days_samples.push(f64::NAN);
        if i == 0 {
            p.cost_usd = Some(q(f64::NAN, 1.0, 1.0));
            p.label =
                "a very long fleet label that goes on and on and on and would overlap the plot"
                    .into();
        }
    }
    r.tornados[0].rows[0].train_days_low = f64::INFINITY;
    let (_t, dir) = out_dir("degenerate");
    let files = draw_all(&r, &dir).expect("charts");
    assert_eq!(kinds(&files).len(), 6);
    let cost = files
        .iter()
        .find(|f| f.name == "cost_usd_by_fleet")
        .expect("cost");
    let note = cost
        .caption
        .as_deref()
        .expect("a note on the point left out");
    assert!(
        note.contains("No result for: a very long fleet label"),
        "{note}"
    );
    let html = render_report(&r, &files).expect("report");
    check_html(&html).unwrap_or_else(|e| panic!("invalid HTML: {e}"));
}

/// The `<tr>` rows of the results table.
fn result_rows(html: &str) -> Vec<&str> {
    let start = html
        .find("<section id=\"results\">")
        .expect("results section");
    let end = start + html[start..].find("</section>").expect("end of results");
    html[start..end]
        .split("<tr")
        .skip(2) // before the table, the header row
        .collect()
}

/// Issue 12: each results row names its fleet once (it named it three times: label, fleet
/// column and swept inputs, so rows wrapped to about 10 lines), and the row shows capex and
/// the restriction ratios with their bands.
#[test]
fn results_rows_name_the_fleet_once_with_capex_and_restriction_ratios() {
    let mut r = synthetic();
    for p in &mut r.points {
        p.restriction_time_ratio = Some(Band {
            p50: 3.74,
            p5_p95: Some((3.70, 3.79)),
        });
        p.restriction_cost_ratio = Some(Band {
            p50: 2.16,
            p5_p95: None,
        });
    }
    let html = render_report(&r, &[]).expect("report");
    check_html(&html).unwrap_or_else(|e| panic!("invalid HTML: {e}"));
    let rows = result_rows(&html);
    assert_eq!(rows.len(), r.points.len());
    for (row, p) in rows.iter().zip(&r.points) {
        // Once as text; the pools with their channel only as the hover title.
        let text = row.replace(&format!("title=\"{}\"", p.fleet), "");
        assert_eq!(text.matches(&p.gpu).count(), 1, "{}: {row}", p.label);
    }
    // h100 × 4096: capex 4096 × $41,650 = $170.6M, shown to three digits.
    assert!(rows[0].contains("$171M"), "{}", rows[0]);
    assert!(html.contains("<th>Hardware capex (USD)</th>"));
    assert!(html.contains("<th>Time ÷ reference</th>"));
    assert!(
        rows[0].contains("3.74×<span class=\"band\">3.7–3.79</span>"),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains("2.16×"), "{}", rows[0]);
    // Without capex or ratios, their columns are not shown.
    let html = render_report(&synthetic_without_capex(), &[]).expect("report");
    assert!(!html.contains("Hardware capex"));
    assert!(!html.contains("÷ reference"));
}

fn synthetic_without_capex() -> ScenarioResult {
    let mut r = synthetic();
    for p in &mut r.points {
        p.capex_usd = None;
    }
    r
}

/// The report opens with its answer: the fastest and slowest fleets with their bands
/// (h100 × 16384: 55 × 4096/16384 ÷ (1 − 0.08·2) = 16.4 days; h20 × 4096: 55 × 4.2 = 231).
#[test]
fn the_report_opens_with_the_answer() {
    let html = render_report(&synthetic(), &[]).expect("report");
    let answer = html.find("<p class=\"answer\">").expect("answer");
    assert!(answer < html.find("<section id=\"results\">").expect("results"));
    let text = &html[answer..answer + html[answer..].find("</p>").expect("end")];
    assert!(
        text.contains("Fastest: h100-sxm-80gb × 16384, 16.4 days (p5–p95 13.4–20.3)"),
        "{text}"
    );
    assert!(
        text.contains("Slowest: h20 × 4096, 231 days (p5–p95 189–286)"),
        "{text}"
    );
}

/// `synthetic()` with the H20 unpriced: no cost, and a reason.
fn with_unpriced_h20() -> ScenarioResult {
    let mut r = synthetic();
    for p in r.points.iter_mut().filter(|p| p.gpu == "h20") {
        p.cost_usd = None;
        p.cost_breakdown_usd = None;
        p.capex_usd = None;
        p.cost_missing = Some("h20: no rental price in the catalog; pass usd_per_gpu_hour".into());
    }
    r
}

/// The text of every `<text>` element of an SVG, trimmed and unescaped.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            let text = body[..body.find("</text>")?].trim();
            Some(text.replace("&apos;", "'").replace("&amp;", "&"))
        })
        .collect()
}

/// Issue 12: a chip without a price has no bar on the cost chart, and now no legend entry
/// either; the footnote says which fleets have no price and why.
#[test]
fn an_unpriced_chip_leaves_the_cost_legend_and_is_named_in_the_footnote() {
    let (_t, dir) = out_dir("unpriced");
    let r = with_unpriced_h20();
    let days = chart::train_days_by_fleet(&r, &dir)
        .expect("days")
        .expect("drawn");
    let cost = chart::cost_usd_by_fleet(&r, &dir)
        .expect("cost")
        .expect("drawn");
    assert!(svg_texts(&days.svg_text).iter().any(|t| t == "h20"));
    assert!(
        !svg_texts(&cost.svg_text).iter().any(|t| t == "h20"),
        "h20 in the cost legend"
    );
    let note = cost.caption.as_deref().expect("footnote");
    assert!(
        note.starts_with(
            "No cost for: h20 × 4096 (h20: no rental price in the catalog; pass usd_per_gpu_hour)"
        ),
        "{note}"
    );
    let html = render_report(&r, &[days, cost]).expect("report");
    check_html(&html).unwrap_or_else(|e| panic!("invalid HTML: {e}"));
    assert!(html.contains("(see below)"));
    assert!(html.contains(
        "No cost for: h20 × 4096 (h20: no rental price in the catalog; pass usd_per_gpu_hour)"
    ));
}

/// Issue 12: footnotes were cut mid-word after two lines. Now they wrap at spaces, the
/// canvas grows to hold them, and the last word of a long note is drawn whole (SVG; the
/// PNG is laid out by the same code).
#[test]
fn long_footnotes_wrap_at_word_boundaries() {
    let (_t, dir) = out_dir("footnote");
    let mut r = with_unpriced_h20();
    for p in r.points.iter_mut().filter(|p| p.gpu == "a100-sxm-80gb") {
        p.cost_usd = None;
        p.cost_missing =
            Some("a100-sxm-80gb: no purchase price in the catalog; pass cost.purchase_usd".into());
    }
    let cost = chart::cost_usd_by_fleet(&r, &dir)
        .expect("cost")
        .expect("drawn");
    let note = cost.caption.as_deref().expect("footnote");
    assert!(note.len() > 400, "{} characters: {note}", note.len());
    // The footnote's lines, in order, joined by spaces, are the note: nothing cut, no "…".
    let texts = svg_texts(&cost.svg_text);
    let first = texts
        .iter()
        .position(|t| t.starts_with("No cost for:"))
        .expect("footnote drawn");
    let mut joined = String::new();
    let mut lines = 0;
    for t in &texts[first..] {
        let longer = if joined.is_empty() {
            t.clone()
        } else {
            format!("{joined} {t}")
        };
        if !note.starts_with(&longer) {
            break;
        }
        joined = longer;
        lines += 1;
    }
    assert_eq!(joined, note);
    assert!(lines >= 3, "{lines} lines");
    // Six bars: 170 + 45 × 6 = 440 pixels, plus 18 for each line after the first.
    let h = &cost.svg_text[cost.svg_text.find("height=\"").expect("height") + 8..];
    let height: u32 = h[..h.find('"').expect("quote")].parse().expect("number");
    assert_eq!(
        height,
        440 + 18 * (lines - 1),
        "the canvas grows by the extra lines"
    );
}

/// `synthetic()` with `n` fleets that each have a tornado; the third input is a smuggled
/// pool's premium, named in words.
fn with_tornados(n: usize) -> ScenarioResult {
    let mut r = synthetic();
    r.tornados = (0..n)
        .map(|i| {
            let mut rows = sensitivity();
            rows[2].input = "fleet.pools.2.premium".into();
            rows[2].name = "premium of the h20 pool (smuggled)".into();
            PointSensitivity {
                point: i,
                label: r.points[i].label.clone(),
                rows,
            }
        })
        .collect();
    r.tornado_points = n;
    r
}

/// Issue 12: one tornado per fleet the question compares (there was one, for the first
/// point), titled by the fleet, bars labelled in words; capped at six, saying so.
#[test]
fn every_fleet_gets_a_tornado_titled_by_its_name() {
    let (_t, dir) = out_dir("tornados");
    let r = with_tornados(8);
    let days = chart::train_days_sensitivity_tornado(&r, &dir).expect("tornados");
    assert_eq!(days.len(), chart::MAX_TORNADOS);
    assert_eq!(chart::MAX_TORNADOS, 6);
    let names: Vec<&str> = days.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "train_days_sensitivity_tornado",
            "train_days_sensitivity_tornado_point1",
            "train_days_sensitivity_tornado_point2",
            "train_days_sensitivity_tornado_point3",
            "train_days_sensitivity_tornado_point4",
            "train_days_sensitivity_tornado_point5",
        ]
    );
    for (f, t) in days.iter().zip(&r.tornados) {
        assert_eq!(
            f.title,
            format!("Sensitivity of time to train: {}", t.label)
        );
        let texts = svg_texts(&f.svg_text);
        assert!(
            texts
                .iter()
                .any(|x| x == "premium of the h20 pool (smuggled)"),
            "{texts:?}"
        );
        assert!(!f.svg_text.contains("fleet.pools.2.premium"));
    }
    let cap = days[0].caption.as_deref().expect("the cap is named");
    assert!(cap.contains("first 6 of 8"), "{cap}");
    assert!(days[1].caption.is_none());
    let all = draw_all(&r, &dir).expect("charts");
    let tornados = all.iter().filter(|f| f.kind == ChartKind::Tornado).count();
    assert_eq!(tornados, 2 * chart::MAX_TORNADOS, "time and cost");
    // Two fleets: two tornados per metric, no cap note.
    let two = chart::cost_usd_sensitivity_tornado(&with_tornados(2), &dir).expect("cost");
    assert_eq!(two.len(), 2);
    assert!(two[0].caption.is_none());
}

/// A small well-formedness check: every tag is closed in order (void elements and
/// self-closing SVG tags excepted), attribute quotes balance, no stray `<`, `<style>` holds
/// no markup, and the document is one `<html>` with `<head>` and `<body>`.
pub(crate) fn check_html(html: &str) -> Result<(), String> {
    const VOID: [&str; 14] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    ];
    let rest = html
        .strip_prefix("<!DOCTYPE html>")
        .ok_or("missing <!DOCTYPE html>")?;
    let bytes = rest.as_bytes();
    let mut stack: Vec<String> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            if bytes[i] == b'>' {
                return Err(format!("stray '>' at byte {i}: {}", context(rest, i)));
            }
            i += 1;
            continue;
        }
        if rest[i..].starts_with("<!--") {
            i += rest[i..].find("-->").ok_or("unclosed comment")? + 3;
            continue;
        }
        // Find the end of the tag, skipping quoted attribute values.
        let mut j = i + 1;
        let mut quote: Option<u8> = None;
        while j < bytes.len() {
            match (quote, bytes[j]) {
                (None, b'"') | (None, b'\'') => quote = Some(bytes[j]),
                (Some(q), c) if c == q => quote = None,
                (None, b'<') => return Err(format!("'<' inside a tag: {}", context(rest, j))),
                (None, b'>') => break,
                _ => {}
            }
            j += 1;
        }
        if j >= bytes.len() {
            return Err(format!("unterminated tag: {}", context(rest, i)));
        }
        let tag = &rest[i + 1..j];
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/');
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == ':')
            .collect::<String>()
            .to_ascii_lowercase();
        if name.is_empty() {
            return Err(format!("bad tag <{tag}>: {}", context(rest, i)));
        }
        if closing {
            match stack.pop() {
                Some(open) if open == name => {}
                other => return Err(format!("</{name}> closes {other:?}: {}", context(rest, i))),
            }
        } else if !(tag.ends_with('/') || VOID.contains(&name.as_str())) {
            seen.insert(name.clone());
            if name == "style" || name == "script" {
                let close = format!("</{name}>");
                let end = rest[j..].find(&close).ok_or("unclosed <style>")? + j;
                if rest[j + 1..end].contains('<') {
                    return Err(format!("markup inside <{name}>"));
                }
                i = end + close.len();
                continue;
            }
            if stack.is_empty() && name != "html" {
                return Err(format!("<{name}> outside <html>"));
            }
            stack.push(name);
        }
        i = j + 1;
    }
    if !stack.is_empty() {
        return Err(format!("unclosed: {stack:?}"));
    }
    for required in ["html", "head", "title", "body"] {
        if !seen.contains(required) {
            return Err(format!("no <{required}>"));
        }
    }
    Ok(())
}

fn context(s: &str, i: usize) -> String {
    let mut start = i.saturating_sub(60);
    while !s.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (i + 60).min(s.len());
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[start..end].to_string()
}

#[test]
fn the_checker_rejects_broken_html() {
    assert!(
        check_html("<!DOCTYPE html><html><head><title>x</title></head><body></body></html>")
            .is_ok()
    );
    assert!(check_html(
        "<!DOCTYPE html><html><head><title>x</title></head><body><p></body></html>"
    )
    .is_err());
    assert!(
        check_html("<!DOCTYPE html><html><head><title>x</head></title><body></body></html>")
            .is_err()
    );
    assert!(
        check_html("<!DOCTYPE html><html><head><title>a<b</title></head><body></body></html>")
            .is_err()
    );
    assert!(check_html("<html></html>").is_err());
}
