//! The lead charts of a timeline run: the base-case distribution of the lead in months
//! (`lead_months_distribution`, share of trials per whole month, one colour per pair) and
//! a tornado of the median lead across the counterfactuals (`lead_months_tornado`, each
//! bar from the base case's median to the counterfactual's, with its p5–p95 whisker).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::super::{
    bar_chart, bar_chart_size, de, draw_legend, draw_mesh, frame, headline, human, nice_ticks,
    palette, plot_chart, render_to, text_style, ChartError, ChartFile, ChartKind, DrawFail, Figure,
    Fmt, Frame, LegendItem, Mark, Meta, Scale, Sink, INK, LEGEND_W, PALETTE, TICK_PX,
};
use super::{LeadBar, TimelineChartData};

/// Widening bars (the lead grows): vermillion; narrowing: blue.
const WIDENS: RGBColor = PALETTE[3];
const NARROWS: RGBColor = PALETTE[0];

/// Share of trials per whole month of lead, base case: `lead_months_distribution.{png,svg}`.
/// `None` without a second actor.
pub fn lead_months_distribution(
    d: &TimelineChartData,
    sink: Sink,
) -> Result<Option<ChartFile>, ChartError> {
    if d.leads.iter().all(|l| l.months.is_empty()) {
        return Ok(None);
    }
    let fig = LeadHist {
        title: headline(HIST_TITLE, &d.name),
        d,
    };
    let meta = Meta {
        kind: ChartKind::Timeline,
        name: "lead_months_distribution",
        title: HIST_TITLE,
        caption: Some("Share of trials by the lead in whole months, base case; a target not reached in the period counts as reached the month after it ends.".into()),
    };
    render_to(&fig, sink, meta).map(Some)
}

const HIST_TITLE: &str = "Distribution of the lead";

struct LeadHist<'a> {
    title: String,
    d: &'a TimelineChartData,
}

/// (month, share of trials in %) for every whole month with trials, ascending.
fn histogram(months: &[f64]) -> Vec<(f64, f64)> {
    let mut v: Vec<i64> = months.iter().map(|m| m.round() as i64).collect();
    v.sort_unstable();
    let mut out: Vec<(f64, f64)> = Vec::new();
    for m in v {
        match out.last_mut() {
            Some((x, c)) if *x == m as f64 => *c += 1.0,
            _ => out.push((m as f64, 1.0)),
        }
    }
    let n = months.len().max(1) as f64;
    out.iter().map(|&(m, c)| (m, 100.0 * c / n)).collect()
}

impl Figure for LeadHist<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFail> {
        let pairs: Vec<_> = self
            .d
            .leads
            .iter()
            .filter(|l| !l.months.is_empty())
            .collect();
        let subtitle = match self.d.base_lead_months {
            Some([p5, p50, p95]) => format!(
                "Months by which the follower reaches the target after the leader, base case: p50 {}, p5–p95 {}–{}.",
                human(p50),
                human(p5),
                human(p95)
            ),
            None => "Lead in months, base case.".into(),
        };
        let (plot, legend) = frame(
            root,
            &Frame {
                title: &self.title,
                subtitle: Some(&subtitle),
                footnote: Some("A target not reached within the period counts as reached the month after it ends."),
                legend_w: LEGEND_W,
            },
        )?;
        if let Some(area) = &legend {
            let items: Vec<LegendItem> = pairs
                .iter()
                .enumerate()
                .map(|(i, l)| LegendItem {
                    label: l.label.clone(),
                    color: palette(i),
                    mark: Mark::Box,
                })
                .collect();
            draw_legend(area, None, &items)?;
        }
        let hists: Vec<Vec<(f64, f64)>> = pairs.iter().map(|l| histogram(&l.months)).collect();
        let all = hists.iter().flatten();
        let (lo, hi, top) = all.fold((f64::INFINITY, f64::NEG_INFINITY, 0.0f64), |a, &(m, s)| {
            (a.0.min(m), a.1.max(m), a.2.max(s))
        });
        let x = Scale::linear(lo - 1.0, hi + 1.0, Fmt::Human).with_ticks(nice_ticks(
            lo - 1.0,
            hi + 1.0,
            10,
        ));
        let y =
            Scale::linear(0.0, top * 1.1, Fmt::Percent).with_ticks(nice_ticks(0.0, top * 1.1, 5));
        let mut chart = plot_chart(&plot, x, y, 80)?;
        draw_mesh(&mut chart, |m| {
            m.x_desc("Lead (months)")
                .y_desc("Trials (%)")
                .disable_x_mesh();
        })?;
        let w = 0.8 / hists.len() as f64;
        for (i, h) in hists.iter().enumerate() {
            let off = -0.4 + w * i as f64;
            chart
                .draw_series(h.iter().map(|&(m, s)| {
                    Rectangle::new([(m + off, 0.0), (m + off + w, s)], palette(i).filled())
                }))
                .map_err(de)?;
        }
        Ok(())
    }
}

/// The median lead of the base case's pair in each counterfactual, as a bar from the base
/// case's median, with the p5–p95 whisker: `lead_months_tornado.{png,svg}`. `None` without
/// counterfactuals or a base-case lead.
pub fn lead_months_tornado(
    d: &TimelineChartData,
    sink: Sink,
) -> Result<Option<ChartFile>, ChartError> {
    let (Some(base), false) = (d.base_lead_months, d.counterfactuals.is_empty()) else {
        return Ok(None);
    };
    let mut rows = d.counterfactuals.clone();
    // Largest move first; ties keep the file order.
    rows.sort_by(|a, b| {
        (b.lead_months[1] - base[1])
            .abs()
            .total_cmp(&(a.lead_months[1] - base[1]).abs())
    });
    let pair = d
        .leads
        .first()
        .map_or("the lead".into(), |l| l.label.clone());
    let fig = Tornado {
        title: headline(TORNADO_TITLE, &d.name),
        subtitle: format!(
            "Median lead ({pair}) in each counterfactual against the base case's {} months; whiskers p5–p95.",
            human(base[1])
        ),
        base: base[1],
        rows,
    };
    let meta = Meta {
        kind: ChartKind::Timeline,
        name: "lead_months_tornado",
        title: TORNADO_TITLE,
        caption: Some(fig.subtitle.clone()),
    };
    render_to(&fig, sink, meta).map(Some)
}

const TORNADO_TITLE: &str = "Lead in months across the counterfactuals";

struct Tornado {
    title: String,
    subtitle: String,
    base: f64,
    rows: Vec<LeadBar>,
}

impl Figure for Tornado {
    fn size(&self) -> (u32, u32) {
        bar_chart_size(self.rows.len())
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawFail> {
        let (plot, legend) = frame(
            root,
            &Frame {
                title: &self.title,
                subtitle: Some(&self.subtitle),
                footnote: None,
                legend_w: LEGEND_W,
            },
        )?;
        if let Some(area) = &legend {
            let items = [
                LegendItem {
                    label: "widens the lead".into(),
                    color: WIDENS,
                    mark: Mark::Box,
                },
                LegendItem {
                    label: "narrows the lead".into(),
                    color: NARROWS,
                    mark: Mark::Box,
                },
                LegendItem {
                    label: format!("base case: {} months", human(self.base)),
                    color: INK,
                    mark: Mark::Line(super::Dash::Solid),
                },
            ];
            draw_legend(area, None, &items)?;
        }
        let (lo, hi) = self
            .rows
            .iter()
            .flat_map(|r| r.lead_months)
            .fold((self.base, self.base), |(l, h), v| (l.min(v), h.max(v)));
        // Room beyond the whiskers for the value labels (about 100 px).
        let pad = ((hi - lo) * 0.3).max(2.0);
        let x = Scale::linear(lo - pad, hi + pad, Fmt::Human).with_ticks(nice_ticks(
            lo - pad,
            hi + pad,
            8,
        ));
        let names: Vec<String> = self.rows.iter().map(|r| r.counterfactual.clone()).collect();
        let mut chart = bar_chart(&plot, &names, x, "Lead (months)")?;
        let value_style = text_style(TICK_PX, INK, Pos::new(HPos::Left, VPos::Center));
        let right_style = text_style(TICK_PX, INK, Pos::new(HPos::Right, VPos::Center));
        for (i, r) in self.rows.iter().enumerate() {
            let y = i as f64;
            let [p5, p50, p95] = r.lead_months;
            let color = if p50 >= self.base { WIDENS } else { NARROWS };
            if (p50 - self.base).abs() > 1e-9 {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(self.base, y - 0.3), (p50, y + 0.3)],
                        color.filled(),
                    )))
                    .map_err(de)?;
            }
            let whisker = vec![(p5, y), (p95, y)];
            chart
                .draw_series(std::iter::once(PathElement::new(
                    whisker,
                    INK.stroke_width(2),
                )))
                .map_err(de)?;
            for end in [p5, p95] {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(end, y - 0.12), (end, y + 0.12)],
                        INK.stroke_width(2),
                    )))
                    .map_err(de)?;
            }
            let change = p50 - self.base;
            let label = format!(
                "{} mo ({}{})",
                human(p50),
                if change >= 0.0 { "+" } else { "−" },
                human(change.abs())
            );
            // The label goes beyond the far end of the row, away from the base line.
            let element = if p50 < self.base {
                EmptyElement::at((p5.min(p50), y)) + Text::new(label, (-10, 0), right_style.clone())
            } else {
                EmptyElement::at((p95.max(p50), y)) + Text::new(label, (10, 0), value_style.clone())
            };
            chart.draw_series(std::iter::once(element)).map_err(de)?;
        }
        let n = self.rows.len() as f64;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(self.base, -0.5), (self.base, n - 0.5)],
                INK.stroke_width(2),
            )))
            .map_err(de)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::histogram;

    /// Leads 2, 3, 3, 5 months: 25% at 2, 50% at 3, 25% at 5.
    #[test]
    fn histogram_counts_whole_months() {
        assert_eq!(
            histogram(&[3.0, 2.0, 5.0, 3.0]),
            vec![(2.0, 25.0), (3.0, 50.0), (5.0, 25.0)]
        );
    }
}
