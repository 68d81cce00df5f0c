//! Charts of a scenario's results, each written as PNG and SVG.
//!
//! Owns [`draw_all`], which draws every chart the data supports, and the footnotes charts
//! share. The rest lives under `chart/`: the plain-data input the runner fills and the files
//! written (`data.rs`), the look (`style.rs`), number formats (`format.rs`), axes
//! (`scale.rs`), the frame and legend (`frame.rs`), bar-chart parts (`bars.rs`), writing
//! (`render.rs`), and one file per chart. It computes nothing about training: every number
//! drawn comes in through [`ScenarioResult`].
//!
//! Conventions shared by all charts (criterion's `plotters_backend/`, without its unwraps):
//! - sizes, fonts and the Okabe–Ito palette are constants in `chart/style.rs`;
//! - the font is DejaVu Sans compiled into the binary (no system fonts needed);
//! - file names carry metric and unit (`train_days_by_fleet.png`, `cost_usd_by_fleet.svg`);
//! - a chart is drawn only where its data supports it; infeasible sweep points are left
//!   out of the plot and named in a footnote;
//! - files are written to a temporary name and renamed, so no half-written file remains.

mod bars;
mod breakdown;
mod cdf;
mod data;
mod fleet;
mod format;
mod frame;
mod glyphs;
mod heatmap;
mod render;
mod scale;
mod style;
mod sweep;
pub mod timeline;
mod tornado;
mod validation;

use std::path::Path;

pub(crate) use bars::*;
pub use data::*;
pub(crate) use format::*;
pub use format::{human, percent, usd};
pub(crate) use frame::*;
pub use render::Sink;
pub(crate) use render::*;
pub(crate) use scale::*;
pub(crate) use style::*;

pub use breakdown::cost_usd_breakdown_by_fleet;
pub use cdf::train_days_cdf_by_fleet;
pub use fleet::{cost_usd_by_fleet, train_days_by_fleet};
pub use heatmap::train_days_p50_heatmap;
pub use sweep::train_days_vs_gpus;
pub use tornado::{cost_usd_sensitivity_tornado, train_days_sensitivity_tornado};
pub use validation::{validation_chart, ValidationPoint};

/// A function that draws one chart, or returns `None` when the data does not support it.
pub type DrawChart = fn(&ScenarioResult, &Path) -> Result<Option<ChartFile>, ChartError>;

/// Draw every chart the data supports into `dir` (created if missing), as PNG and SVG.
/// Returns the charts written, in a fixed order; charts without data are skipped.
pub fn draw_all(result: &ScenarioResult, dir: &Path) -> Result<Vec<ChartFile>, ChartError> {
    let before: [DrawChart; 4] = [
        train_days_by_fleet,
        cost_usd_by_fleet,
        train_days_cdf_by_fleet,
        train_days_vs_gpus,
    ];
    let after: [DrawChart; 2] = [cost_usd_breakdown_by_fleet, train_days_p50_heatmap];
    let mut out = Vec::new();
    for draw in before {
        out.extend(draw(result, dir)?);
    }
    out.extend(train_days_sensitivity_tornado(result, dir)?);
    out.extend(cost_usd_sensitivity_tornado(result, dir)?);
    for draw in after {
        out.extend(draw(result, dir)?);
    }
    Ok(out)
}

/// The title drawn on a chart: its title and the scenario name.
pub(crate) fn headline(title: &str, scenario: &str) -> String {
    if scenario.trim().is_empty() {
        title.to_string()
    } else {
        format!("{title}: {scenario}")
    }
}

/// A note naming the infeasible points left out of a chart, or `None` when there are none.
pub(crate) fn infeasible_note(points: &[PointResult]) -> Option<String> {
    let bad: Vec<&PointResult> = points.iter().filter(|p| p.is_infeasible()).collect();
    if bad.is_empty() {
        return None;
    }
    let shown: Vec<String> = bad
        .iter()
        .take(3)
        .map(|p| {
            let reason = p.infeasible_reason.as_deref().unwrap_or("");
            format!("{} ({})", p.label, truncate_chars(reason, 60))
        })
        .collect();
    let more = if bad.len() > 3 {
        format!("; and {} more", bad.len() - 3)
    } else {
        String::new()
    };
    Some(format!(
        "Not shown, infeasible: {}{more}. See the results table.",
        shown.join("; ")
    ))
}

/// Most rows of a bar chart (fleet bars, cost breakdown): the first ones are drawn.
pub const MAX_BAR_ROWS: usize = 40;
/// Most lines of the distribution chart: the first points with samples are drawn.
pub const MAX_CDF_LINES: usize = 20;
/// Most tornados per metric: those of the first points with sensitivity rows are drawn
/// (sensitivity.csv has every point's).
pub const MAX_TORNADOS: usize = 6;

/// A note that only the first `shown` of `total` items are drawn, `None` when all are.
pub(crate) fn cut_note(shown: usize, total: usize, what: &str) -> Option<String> {
    (total > shown).then(|| {
        format!("Showing the first {shown} of {total} {what}; the results table has them all.")
    })
}

/// Notes joined by a space.
pub(crate) fn join_notes(notes: impl IntoIterator<Item = Option<String>>) -> Option<String> {
    let parts: Vec<String> = notes.into_iter().flatten().collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}
