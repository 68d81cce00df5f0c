//! Summaries of a timeline run and the files they go to: `timeline.csv` (base case, per
//! actor and month), `capability.csv` (per actor and variant, the target month),
//! `lead.csv` (per variant, the lead of the first actor to reach the target over each
//! other), the one-sentence answer, and the atomic writes of all of them.
//!
//! Percentiles of values are type 7 (as `run`); percentiles of months are nearest-rank, so
//! they stay whole months. A trial that never reaches the target counts as reaching it in
//! the month after `end` when leads and changes are computed (censored), and the share of
//! such trials is written beside.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use super::simulate::{Outcome, NEVER};
use super::Timeline;
use crate::fleet::format_month;
use crate::format::fmt_f64;
use crate::montecarlo::summary::percentile_sorted;
use crate::report::chart::timeline::{
    draw_timeline, ActorSeries, LeadBar, LeadSamples, TimelineChartData,
};
use crate::report::{csv_string, write_atomic};

/// One row of `capability.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct CapabilityRow {
    /// Actor.
    pub actor: String,
    /// `base` or the counterfactual's name.
    pub counterfactual: String,
    /// 5th percentile of the first month the target is reached (empty: not reached).
    pub target_month_p5: String,
    /// Median.
    pub target_month_p50: String,
    /// 95th percentile.
    pub target_month_p95: String,
    /// Share of trials that reach the target within the period.
    pub reached_share: f64,
    /// Median over trials of (this variant's month − the base case's), censored at `end`+1.
    pub months_vs_base_p50: f64,
    /// Why a percentile is empty.
    pub reason: String,
}

/// One row of `lead.csv`.
#[derive(Debug, Clone, Serialize)]
pub struct LeadRow {
    /// `base` or the counterfactual's name.
    pub counterfactual: String,
    /// The actor whose median target month is earliest (the first on a tie).
    pub leader: String,
    /// The other actor.
    pub follower: String,
    /// 5th percentile of (follower's month − leader's month), months.
    pub lead_months_p5: f64,
    /// Median.
    pub lead_months_p50: f64,
    /// 95th percentile.
    pub lead_months_p95: f64,
    /// Median lead of the same pair, signed as in the base case, minus the base case's.
    pub lead_change_months_p50: f64,
    /// Share of trials in which either actor never reaches the target (lead censored).
    pub censored_share: f64,
}

/// One (actor, month) of the base case, summarised.
#[derive(Debug, Clone)]
pub struct SeriesRow {
    /// Actor index.
    pub actor: usize,
    /// Month.
    pub month: i64,
    /// Median GPUs on hand, all chips.
    pub gpus_total: f64,
    /// Median GPUs on hand by chip.
    pub gpus: Vec<f64>,
    /// Median H100-equivalents.
    pub h100_equivalents_p50: f64,
    /// Largest run in `max_run_days`, model FLOP: p5, p50, p95.
    pub largest_run_flop: [f64; 3],
    /// Model FLOP the target needs this month (nominal algorithmic progress).
    pub required_flop: f64,
}

/// Everything written and drawn.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Base-case series.
    pub series: Vec<SeriesRow>,
    /// `capability.csv`.
    pub capability: Vec<CapabilityRow>,
    /// `lead.csv`.
    pub lead: Vec<LeadRow>,
    /// Base-case lead of each follower, one value per trial (censored), for the chart.
    pub base_leads: Vec<(String, Vec<f64>)>,
    /// Per variant (base first), the lead of the base case's first pair (follower − leader
    /// of the base case, censored), months: p5, p50, p95. Empty with one actor.
    pub pair_leads: Vec<(String, [f64; 3])>,
    /// Per row of `capability`, (this variant's month − the base case's), censored: p5,
    /// p50, p95.
    pub months_vs_base: Vec<[f64; 3]>,
    /// The answer in one sentence.
    pub answer: String,
}

/// Nearest-rank percentile of sorted months.
fn month_pct(sorted: &[i64], p: f64) -> i64 {
    let n = sorted.len();
    sorted[(((n - 1) as f64) * p).round() as usize]
}

fn pcts(v: &mut [f64]) -> [f64; 3] {
    v.sort_by(f64::total_cmp);
    [
        percentile_sorted(v, 0.05),
        percentile_sorted(v, 0.5),
        percentile_sorted(v, 0.95),
    ]
}

/// Months to two decimals (type-7 percentiles interpolate between whole months).
fn months2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// The base case's per-(actor, month) summaries.
fn series(tl: &Timeline, o: &Outcome) -> Vec<SeriesRow> {
    let months = tl.months();
    let actors = tl.variants[0].actors.len();
    let n = o.trials.len();
    let mut buf = vec![0.0; n];
    let mut series = Vec::with_capacity(actors * months);
    for a in 0..actors {
        for t in 0..months {
            let at = |k: usize, buf: &mut Vec<f64>| {
                buf.clear();
                buf.extend(
                    o.trials
                        .iter()
                        .map(|tr| tr.series[(a * months + t) * o.stride + k])
                        .filter(|x| x.is_finite()),
                );
                pcts(buf)
            };
            let largest = at(0, &mut buf);
            let h100 = at(1, &mut buf)[1];
            let gpus: Vec<f64> = (0..tl.chips.len())
                .map(|c| at(2 + c, &mut buf)[1])
                .collect();
            buf.clear();
            buf.extend(o.trials.iter().map(|tr| {
                tr.series[(a * months + t) * o.stride + 2..(a * months + t + 1) * o.stride]
                    .iter()
                    .sum::<f64>()
            }));
            let total = pcts(&mut buf)[1];
            series.push(SeriesRow {
                actor: a,
                month: tl.start + t as i64,
                gpus_total: total,
                gpus,
                h100_equivalents_p50: h100,
                largest_run_flop: largest,
                required_flop: o.required_flop[t],
            });
        }
    }
    series
}

/// Summarise an outcome.
pub fn summarize(tl: &Timeline, o: &Outcome) -> Summary {
    let actors = tl.variants[0].actors.len();
    let n = o.trials.len();
    let series = series(tl, o);
    let censor = |m: i64| if m == NEVER { tl.end + 1 } else { m } as f64;
    let month_of = |v: usize, a: usize| -> Vec<i64> {
        o.trials
            .iter()
            .map(|tr| tr.months[v * actors + a])
            .collect()
    };
    let mut capability = Vec::new();
    let mut months_vs_base = Vec::new();
    let mut lead = Vec::new();
    let mut base_leads = Vec::new();
    let base_medians: Vec<i64> = (0..actors)
        .map(|a| {
            let mut m = month_of(0, a);
            m.sort_unstable();
            month_pct(&m, 0.5)
        })
        .collect();
    let base_leader = (0..actors)
        .min_by_key(|&a| (base_medians[a], a))
        .unwrap_or(0);
    let signed = |vi: usize, k: usize| -> f64 {
        let (km, bl) = (month_of(vi, k), month_of(vi, base_leader));
        let mut d: Vec<f64> = km
            .iter()
            .zip(&bl)
            .map(|(&x, &l)| censor(x) - censor(l))
            .collect();
        pcts(&mut d)[1]
    };
    for (vi, v) in tl.variants.iter().enumerate() {
        let mut medians = Vec::with_capacity(actors);
        for (ai, a) in v.actors.iter().enumerate() {
            let mut m = month_of(vi, ai);
            let base = month_of(0, ai);
            let mut diffs: Vec<f64> = m
                .iter()
                .zip(&base)
                .map(|(&x, &b)| censor(x) - censor(b))
                .collect();
            m.sort_unstable();
            let reached = m.iter().filter(|&&x| x != NEVER).count() as f64 / n as f64;
            let cell = |p: f64| {
                let x = month_pct(&m, p);
                if x == NEVER {
                    String::new()
                } else {
                    format_month(x)
                }
            };
            let reason = if reached >= 1.0 {
                String::new()
            } else {
                format!("not reached by {} in {:.0}% of trials: the fleet's largest run in {} days stays below the target", format_month(tl.end), 100.0 * (1.0 - reached), tl.target.max_run_days)
            };
            medians.push(month_pct(&m, 0.5));
            let vs_base = pcts(&mut diffs);
            months_vs_base.push(vs_base.map(months2));
            capability.push(CapabilityRow {
                actor: a.name.clone(),
                counterfactual: v.name.clone(),
                target_month_p5: cell(0.05),
                target_month_p50: cell(0.5),
                target_month_p95: cell(0.95),
                reached_share: reached,
                months_vs_base_p50: months2(vs_base[1]),
                reason,
            });
        }
        let leader = (0..actors).min_by_key(|&a| (medians[a], a)).unwrap_or(0);
        let lm = month_of(vi, leader);
        for f in (0..actors).filter(|&f| f != leader) {
            let fm = month_of(vi, f);
            let mut d: Vec<f64> = fm
                .iter()
                .zip(&lm)
                .map(|(&x, &l)| censor(x) - censor(l))
                .collect();
            let censored = fm
                .iter()
                .zip(&lm)
                .filter(|(&x, &l)| x == NEVER || l == NEVER)
                .count() as f64
                / n as f64;
            // Signed as in the base case: the other actor of the pair minus the base leader.
            let k = if f != base_leader { f } else { leader };
            let change = signed(vi, k) - signed(0, k);
            if vi == 0 {
                base_leads.push((v.actors[f].name.clone(), d.clone()));
            }
            let p = pcts(&mut d);
            lead.push(LeadRow {
                counterfactual: v.name.clone(),
                leader: v.actors[leader].name.clone(),
                follower: v.actors[f].name.clone(),
                lead_months_p5: months2(p[0]),
                lead_months_p50: months2(p[1]),
                lead_months_p95: months2(p[2]),
                lead_change_months_p50: months2(change),
                censored_share: censored,
            });
        }
    }
    let pair_leads = pair_leads(tl, o, base_leader);
    let mut answer = answer(tl, &capability, &lead);
    if let Some(s) = rules_delay(tl, &capability, &months_vs_base) {
        answer.push(' ');
        answer.push_str(&s);
    }
    Summary {
        series,
        capability,
        lead,
        base_leads,
        pair_leads,
        months_vs_base,
        answer,
    }
}

/// Per variant, the lead of the base case's first follower over the base case's leader
/// (censored), months: p5, p50, p95; empty with one actor.
fn pair_leads(tl: &Timeline, o: &Outcome, leader: usize) -> Vec<(String, [f64; 3])> {
    let actors = tl.variants[0].actors.len();
    let Some(f) = (0..actors).find(|&a| a != leader) else {
        return Vec::new();
    };
    let censor = |m: i64| if m == NEVER { tl.end + 1 } else { m } as f64;
    (0..tl.variants.len())
        .map(|vi| {
            let mut d: Vec<f64> = o
                .trials
                .iter()
                .map(|tr| {
                    censor(tr.months[vi * actors + f]) - censor(tr.months[vi * actors + leader])
                })
                .collect();
            (tl.variants[vi].name.clone(), pcts(&mut d).map(months2))
        })
        .collect()
}

/// "Without the rules, `CN` would have …": from the first counterfactual with no rule at
/// all (when the base case has rules), for the actor it moves most; `None` otherwise.
fn rules_delay(tl: &Timeline, cap: &[CapabilityRow], vs_base: &[[f64; 3]]) -> Option<String> {
    if tl.variants[0].rules.is_empty() {
        return None;
    }
    let v = tl.variants.iter().find(|v| v.rules.is_empty())?;
    let (row, d) = cap
        .iter()
        .zip(vs_base)
        .filter(|(c, _)| c.counterfactual == v.name)
        .max_by(|a, b| a.1[1].abs().total_cmp(&b.1[1].abs()))?;
    // The delay the rules caused is the base case's month minus the no-rules month.
    let [lo, mid, hi] = [-d[2], -d[1], -d[0]];
    Some(if mid.abs() < 0.5 {
        format!(
            "Without any rule (`{}`), `{}` would reach it in the same month at the median (p5–p95 {}–{} months earlier).",
            v.name,
            row.actor,
            fmt_f64(lo),
            fmt_f64(hi)
        )
    } else {
        format!(
            "The rules delayed `{}`'s first such run by {} months (p5–p95 {}–{}), against `{}` with no rule at all.",
            row.actor,
            fmt_f64(mid),
            fmt_f64(lo),
            fmt_f64(hi),
            v.name
        )
    })
}

/// The question answered in one sentence.
fn answer(tl: &Timeline, cap: &[CapabilityRow], lead: &[LeadRow]) -> String {
    let Some(base) = lead.iter().find(|r| r.counterfactual == "base") else {
        let c = &cap[0];
        return format!(
            "`{}` first trains the target in {} (p5–p95 {}–{}).",
            c.actor,
            or_never(&c.target_month_p50),
            or_never(&c.target_month_p5),
            or_never(&c.target_month_p95)
        );
    };
    let lc = cap
        .iter()
        .find(|c| c.counterfactual == "base" && c.actor == base.leader)
        .expect("the leader has a row");
    let mut s = format!(
        "`{}` first trains the target in {}, and `{}` follows {} months later (p5–p95 {}–{})",
        base.leader,
        or_never(&lc.target_month_p50),
        base.follower,
        fmt_f64(base.lead_months_p50),
        fmt_f64(base.lead_months_p5),
        fmt_f64(base.lead_months_p95)
    );
    if base.censored_share > 0.0 {
        s.push_str(&format!(
            ", counting a target not reached by {} as reached the month after",
            format_month(tl.end)
        ));
    }
    if let Some(cf) = lead
        .iter()
        .filter(|r| {
            r.counterfactual != "base" && (r.follower == base.follower || r.leader == base.follower)
        })
        .max_by(|a, b| {
            a.lead_change_months_p50
                .abs()
                .total_cmp(&b.lead_change_months_p50.abs())
        })
    {
        if cf.lead_change_months_p50.abs() < 0.5 {
            s.push_str("; no counterfactual moves the median lead by half a month or more.");
            return s;
        }
        let verb = if cf.lead_change_months_p50 >= 0.0 {
            "widens"
        } else {
            "narrows"
        };
        s.push_str(&format!(
            "; of the counterfactuals, `{}` moves it most: it {verb} the lead by {} months",
            cf.counterfactual,
            fmt_f64(cf.lead_change_months_p50.abs())
        ));
    }
    s.push('.');
    s
}

fn or_never(m: &str) -> &str {
    if m.is_empty() {
        "never (within the period)"
    } else {
        m
    }
}

/// The header and rows of `timeline.csv`.
pub fn timeline_csv(tl: &Timeline, s: &Summary) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "actor",
        "month",
        "gpus_total",
        "h100_equivalents_p50",
        "largest_run_flop_p5",
        "largest_run_flop_p50",
        "largest_run_flop_p95",
        "required_flop",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    header.extend(tl.chip_ids.iter().map(|c| format!("gpus_{c}")));
    w.write_record(&header)?;
    for r in &s.series {
        let mut rec = vec![
            tl.variants[0].actors[r.actor].name.clone(),
            format_month(r.month),
            fmt_f64(r.gpus_total),
            fmt_f64(r.h100_equivalents_p50),
            fmt_f64(r.largest_run_flop[0]),
            fmt_f64(r.largest_run_flop[1]),
            fmt_f64(r.largest_run_flop[2]),
            fmt_f64(r.required_flop),
        ];
        rec.extend(r.gpus.iter().map(|g| fmt_f64(*g)));
        w.write_record(&rec)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// Write the three CSV files into `dir` (created), each atomically. Returns their paths.
pub fn write_csv(tl: &Timeline, s: &Summary, dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let files = [
        ("timeline.csv", timeline_csv(tl, s)?),
        ("capability.csv", csv_string(&s.capability)?),
        ("lead.csv", csv_string(&s.lead)?),
    ];
    let mut out = Vec::new();
    for (name, text) in files {
        let path = dir.join(name);
        write_atomic(&path, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        out.push(path);
    }
    Ok(out)
}

/// Write everything of one scenario into `dir`: the CSV files, then (when `charts`) the
/// charts in `dir/charts/` and `report.html`.
pub fn write_all(
    tl: &Timeline,
    s: &Summary,
    dir: &Path,
    charts: bool,
) -> anyhow::Result<Vec<PathBuf>> {
    let mut files = write_csv(tl, s, dir)?;
    if charts {
        let chart_dir = dir.join("charts");
        std::fs::create_dir_all(&chart_dir)
            .with_context(|| format!("cannot create {}", chart_dir.display()))?;
        let drawn = draw_timeline(&chart_data(tl, s), &chart_dir)?;
        let html = super::report::render(tl, s, &drawn)?;
        let path = dir.join("report.html");
        write_atomic(&path, html.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        for c in drawn {
            files.push(c.png);
            files.push(c.svg);
        }
        files.push(path);
    }
    Ok(files)
}

/// What the charts draw, from the summary.
pub fn chart_data(tl: &Timeline, s: &Summary) -> TimelineChartData {
    let months = tl.months();
    let actors = &tl.variants[0].actors;
    let series = actors
        .iter()
        .enumerate()
        .map(|(a, actor)| {
            let rows = &s.series[a * months..(a + 1) * months];
            let col = |k: usize| rows.iter().map(|r| r.largest_run_flop[k]).collect();
            ActorSeries {
                name: actor.name.clone(),
                gpus: (0..tl.chips.len())
                    .map(|c| rows.iter().map(|r| r.gpus[c]).collect())
                    .collect(),
                largest_run_flop: [col(0), col(1), col(2)],
            }
        })
        .collect();
    let base_pair = s.lead.iter().find(|r| r.counterfactual == "base");
    let leads = s
        .base_leads
        .iter()
        .map(|(follower, v)| LeadSamples {
            label: format!(
                "{} behind {}",
                follower,
                base_pair.map_or("", |r| r.leader.as_str())
            ),
            months: v.clone(),
        })
        .collect();
    TimelineChartData {
        name: tl.name.clone(),
        months: (0..months)
            .map(|t| format_month(tl.start + t as i64))
            .collect(),
        chips: tl.chip_ids.clone(),
        actors: series,
        required_flop: s
            .series
            .iter()
            .take(months)
            .map(|r| r.required_flop)
            .collect(),
        target: target_text(tl),
        leads,
        base_lead_months: s.pair_leads.first().map(|p| p.1),
        counterfactuals: s
            .pair_leads
            .iter()
            .skip(1)
            .map(|(name, l)| LeadBar {
                counterfactual: name.clone(),
                lead_months: *l,
            })
            .collect(),
    }
}

/// The target in words: "deepseek-v3, 3.8e25 FLOP within 90 days".
pub fn target_text(tl: &Timeline) -> String {
    format!(
        "{}, {:.2e} FLOP within {} days",
        tl.target.model.name,
        tl.target.flop,
        fmt_f64(tl.target.max_run_days)
    )
}
