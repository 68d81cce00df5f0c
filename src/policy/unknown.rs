//! Classification when a figure is not published (issue 11: an unknown figure is never a
//! pass). The rule is evaluated in every "world" the unknown figures allow (each figure at
//! its lower bound and at every threshold of the rule above it); if every world gives the
//! same answer, that is the status, decided by the bound; otherwise the status is
//! [`Status::Indeterminate`] and the reason lists which status holds for which values
//! (`notified [3A090.b] if PD < 5.92; controlled [3A090.a] if PD ≥ 5.92`).

use super::classify::{and_list, eval_rule, measure, Outcome, TierTrace};
use super::rules::{Clause, Condition, Metric, Rule, Status};
use crate::catalog::GpuSpec;

/// The figures that unknown checks depend on (memory + I/O depends on I/O).
fn unknown_metrics(traces: &[TierTrace]) -> Vec<Metric> {
    let mut out = Vec::new();
    for t in traces {
        for c in t.checks() {
            if c.outcome != Outcome::Unknown {
                continue;
            }
            if let Condition::AtLeast(m, _) | Condition::Below(m, _) = c.cond {
                let m = if m == Metric::DramPlusIoGbPerS {
                    Metric::IoBidirGbPerS
                } else {
                    m
                };
                if !out.contains(&m) {
                    out.push(m);
                }
            }
        }
    }
    out
}

/// The values of unknown figure `m` that can change the outcome: its lower bound, then every
/// threshold of the rule on it above the bound, ascending.
fn candidates(gpu: &GpuSpec, rule: &Rule, m: Metric) -> Vec<f64> {
    let lo = measure(gpu, m, &[]).value;
    let dram = gpu.hbm_tb_per_s * 1000.0;
    let mut out = vec![lo];
    for tier in &rule.tiers {
        for c in tier.clauses.iter().flat_map(|c| match c {
            Clause::Condition(c) => vec![*c],
            Clause::AnyOf(bs) => bs.iter().flatten().copied().collect(),
        }) {
            let t = match c {
                Condition::AtLeast(x, t) | Condition::Below(x, t) if x == m => t,
                Condition::AtLeast(Metric::DramPlusIoGbPerS, t)
                | Condition::Below(Metric::DramPlusIoGbPerS, t)
                    if m == Metric::IoBidirGbPerS =>
                {
                    t - dram
                }
                _ => continue,
            };
            if t > lo && !out.contains(&t) {
                out.push(t);
            }
        }
    }
    out.sort_by(f64::total_cmp);
    out
}

/// One way the unknown figures can fall: for each, the index of its candidate interval.
struct World {
    at: Vec<usize>,
    status: Status,
    tier: Option<String>,
}

/// The unknown figures, their candidate values, and the rule's answer in every world.
struct Worlds<'a> {
    gpu: &'a GpuSpec,
    rule: &'a Rule,
    metrics: Vec<Metric>,
    cands: Vec<Vec<f64>>,
    worlds: Vec<World>,
}

impl<'a> Worlds<'a> {
    /// Evaluate `rule` on `gpu` at every combination of candidate values (an odometer over
    /// the candidate lists).
    fn enumerate(gpu: &'a GpuSpec, rule: &'a Rule, traces: &[TierTrace]) -> Self {
        let metrics = unknown_metrics(traces);
        let cands: Vec<Vec<f64>> = metrics.iter().map(|&m| candidates(gpu, rule, m)).collect();
        let mut worlds = Vec::new();
        let mut at = vec![0usize; metrics.len()];
        loop {
            let assume: Vec<(Metric, f64)> = metrics
                .iter()
                .zip(&at)
                .zip(&cands)
                .map(|((&m, &i), c)| (m, c[i]))
                .collect();
            let tr = eval_rule(gpu, rule, &assume);
            let (status, tier) = match tr.iter().position(|t| t.outcome == Outcome::Met) {
                Some(i) => (rule.tiers[i].status, Some(rule.tiers[i].label.clone())),
                None => (Status::NotControlled, None),
            };
            worlds.push(World {
                at: at.clone(),
                status,
                tier,
            });
            let mut k = 0;
            while k < at.len() {
                at[k] += 1;
                if at[k] < cands[k].len() {
                    break;
                }
                at[k] = 0;
                k += 1;
            }
            if k == at.len() {
                break;
            }
        }
        Worlds {
            gpu,
            rule,
            metrics,
            cands,
            worlds,
        }
    }

    /// The bounds of the figures `which`, plus any unanswerable `us_market` test, in words.
    fn bounds_text(&self, which: &[usize], traces: &[TierTrace]) -> String {
        let mut texts: Vec<String> = which
            .iter()
            .map(|&k| measure(self.gpu, self.metrics[k], &[]).text)
            .collect();
        for t in traces {
            for c in t.checks() {
                if c.outcome == Outcome::Unknown
                    && matches!(c.cond, Condition::UsMarket(_))
                    && !texts.contains(&c.text)
                {
                    texts.push(c.text.clone());
                }
            }
        }
        and_list(&texts.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// The unknown figures that change the answer somewhere: two worlds differing only in
    /// that figure give different answers.
    fn relevant(&self) -> Vec<usize> {
        let n = self.metrics.len();
        let w = &self.worlds;
        (0..n)
            .filter(|&k| {
                w.iter().any(|a| {
                    w.iter().any(|b| {
                        (b.status, &b.tier) != (a.status, &a.tier)
                            && (0..n).all(|j| j == k || b.at[j] == a.at[j])
                    })
                })
            })
            .collect()
    }

    /// The answers in the order first met, each with the relevant figures' intervals that
    /// give it.
    fn outcomes(&self, relevant: &[usize]) -> Vec<(Status, Option<String>, Vec<Vec<usize>>)> {
        let mut outcomes: Vec<(Status, Option<String>, Vec<Vec<usize>>)> = Vec::new();
        for w in &self.worlds {
            let key: Vec<usize> = relevant.iter().map(|&k| w.at[k]).collect();
            match outcomes
                .iter_mut()
                .find(|(s, t, _)| *s == w.status && *t == w.tier)
            {
                Some((_, _, keys)) => {
                    if !keys.contains(&key) {
                        keys.push(key);
                    }
                }
                None => outcomes.push((w.status, w.tier.clone(), vec![key])),
            }
        }
        outcomes
    }

    /// Figure `k` from candidate interval `i` to `upto` (inclusive), e.g. `PD < 5.92`.
    fn range_text(&self, k: usize, i: usize, upto: usize) -> String {
        let m = self.metrics[k];
        let c = &self.cands[k];
        let lo = (i > 0).then(|| m.threshold_text(c[i]));
        let hi = (upto + 1 < c.len()).then(|| m.threshold_text(c[upto + 1]));
        match (lo, hi) {
            (Some(a), Some(b)) => format!("{a} ≤ {} < {b}{}", m.name(), m.unit()),
            (Some(a), None) => format!("{} ≥ {a}{}", m.name(), m.unit()),
            (None, Some(b)) => format!("{} < {b}{}", m.name(), m.unit()),
            (None, None) => format!("any {}", m.name()),
        }
    }

    /// When an answer holds, in words: with one relevant figure, adjacent intervals merged.
    fn when_text(&self, relevant: &[usize], keys: &[Vec<usize>]) -> String {
        let when: Vec<String> = if relevant.len() == 1 {
            let mut idx: Vec<usize> = keys.iter().map(|k| k[0]).collect();
            idx.sort_unstable();
            let mut runs: Vec<(usize, usize)> = Vec::new();
            for i in idx {
                match runs.last_mut() {
                    Some((_, end)) if *end + 1 == i => *end = i,
                    _ => runs.push((i, i)),
                }
            }
            runs.iter()
                .map(|&(a, b)| self.range_text(relevant[0], a, b))
                .collect()
        } else {
            keys.iter()
                .map(|key| {
                    relevant
                        .iter()
                        .zip(key)
                        .map(|(&k, &i)| self.range_text(k, i, i))
                        .collect::<Vec<_>>()
                        .join(" and ")
                })
                .collect()
        };
        when.join(" or ")
    }
}

/// Classify with unknown figures: evaluate the rule at every candidate value of each (their
/// product), and report one status if all agree, else [`Status::Indeterminate`]. Returns
/// the status, the tier, the reason and the statuses left open (most restrictive first).
pub(super) fn resolve_unknowns(
    gpu: &GpuSpec,
    rule: &Rule,
    traces: &[TierTrace],
) -> (Status, Option<String>, String, Vec<Status>) {
    let w = Worlds::enumerate(gpu, rule, traces);
    let first = &w.worlds[0];
    if w.worlds
        .iter()
        .all(|x| x.status == first.status && x.tier == first.tier)
    {
        let what = first.tier.clone().unwrap_or_else(|| rule.otherwise.clone());
        let all: Vec<usize> = (0..w.metrics.len()).collect();
        return (
            first.status,
            first.tier.clone(),
            format!(
                "{}; every value within the bound gives the same answer: {what}",
                w.bounds_text(&all, traces)
            ),
            vec![first.status],
        );
    }
    let relevant = w.relevant();
    let outcomes = w.outcomes(&relevant);
    let parts: Vec<String> = outcomes
        .iter()
        .map(|(status, tier, keys)| {
            let what = tier.clone().unwrap_or_else(|| w.rule.otherwise.clone());
            format!("{status} [{what}] if {}", w.when_text(&relevant, keys))
        })
        .collect();
    let statuses: Vec<Status> = outcomes.iter().map(|o| o.0).collect();
    let status = if statuses.iter().all(|s| *s == statuses[0]) {
        statuses[0]
    } else {
        Status::Indeterminate
    };
    let tier = (status != Status::Indeterminate).then(|| {
        outcomes
            .iter()
            .map(|o| o.1.clone().unwrap_or_else(|| rule.otherwise.clone()))
            .collect::<Vec<_>>()
            .join(" or ")
    });
    let possible: Vec<Status> = Status::ALL
        .into_iter()
        .filter(|s| statuses.contains(s))
        .collect();
    (
        status,
        tier,
        format!("{}: {}", w.bounds_text(&relevant, traces), parts.join("; ")),
        possible,
    )
}
