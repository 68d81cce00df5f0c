//! What the run needs to know about *every* point of a scenario, gathered once while the
//! points are resolved ([`Digest`]): trials per point, the distinct warnings and the points
//! they apply to, the distinct plan searches, and the report's assumptions list
//! ([`Assumptions`]). With it a sweep too large to hold ([`super::HOLD_POINTS`]) need not
//! keep its resolved points: the runner resolves them again, a window at a time.

use std::collections::HashSet;

use super::Point;
use crate::cost::CostBasis;
use crate::dist::Dist;
use crate::format::{grouped, input_number};
use crate::montecarlo::{question_key_hash, searched_questions};
use crate::report::chart::human;

/// Per-point facts of a whole scenario, in sweep order.
#[derive(Debug, Clone, Default)]
pub struct Digest {
    /// Monte Carlo trials of each point.
    pub trials: Vec<u64>,
    /// Each distinct warning (dropped pools, clamped counts), in first-seen order, with the
    /// points it applies to.
    pub notes: Vec<(String, Vec<usize>)>,
    /// Hashes of the distinct plan searches (`montecarlo::question_key_hash`).
    searches: HashSet<u64>,
    /// The assumptions list, being gathered.
    assumptions: Assumptions,
}

impl Digest {
    /// Take in the next point (points come in sweep order).
    pub fn add(&mut self, p: &Point) {
        self.trials.push(p.trials);
        for n in &p.notes {
            match self.notes.iter_mut().find(|(m, _)| m == n) {
                Some((_, points)) => points.push(p.index),
                None => self.notes.push((n.clone(), vec![p.index])),
            }
        }
        for q in searched_questions(p) {
            self.searches.insert(question_key_hash(q, p.top_k));
        }
        self.assumptions.add(p);
    }

    /// Points taken in.
    pub fn points(&self) -> usize {
        self.trials.len()
    }

    /// Distinct plan searches (points that differ only in prices or PUE share one).
    pub fn searches(&self) -> usize {
        self.searches.len()
    }

    /// The report's assumptions list ([`Assumptions::finish`]).
    pub fn assumptions(&self) -> Vec<(String, String)> {
        self.assumptions.finish(self.points())
    }
}

/// The inputs the report lists: the fixed ones that shape the answer (model, tokens,
/// batch, precision, fleet, rule, cost basis, trials, seed), then every uncertain input
/// with its distribution. A value that differs between points reads "varies by point".
#[derive(Debug, Clone, Default)]
pub struct Assumptions {
    /// Key, its value (None once two points disagree), and how many points gave it.
    seen: Vec<(String, Option<String>, usize)>,
}

impl Assumptions {
    fn put(&mut self, k: &str, v: String) {
        match self.seen.iter_mut().find(|e| e.0 == k) {
            Some(e) => {
                e.2 += 1;
                if e.1.as_ref().is_some_and(|old| *old != v) {
                    e.1 = None;
                }
            }
            None => self.seen.push((k.to_string(), Some(v), 1)),
        }
    }

    /// Take in one point's inputs.
    pub fn add(&mut self, p: &Point) {
        let q = &p.question;
        self.put("model", q.model.id.clone());
        if !p.uncertain.iter().any(|u| u.path == "train_tokens") {
            self.put("train_tokens", format!("{} tokens", human(q.train_tokens)));
        }
        let seq = q.seq_len.max(1) as f64;
        self.put(
            "global_batch_tokens",
            format!(
                "{} tokens ({} sequences of {})",
                grouped(q.global_batch_tokens),
                grouped(q.global_batch_tokens / seq),
                grouped(seq)
            ),
        );
        self.put("precision", q.precision.as_str().to_string());
        let fleet: Vec<String> = p.pools.iter().map(|x| x.describe()).collect();
        self.put(
            "fleet",
            if fleet.is_empty() {
                format!("{} × {}", q.gpus, q.gpu.id)
            } else {
                fleet.join(" + ")
            },
        );
        self.put(
            "policy.rule",
            p.policy
                .as_ref()
                .map_or("none".to_string(), |r| format!("{} ({})", r.id, r.name)),
        );
        self.put(
            "cost.basis",
            match p.nominal.cost.basis {
                CostBasis::Rental => "rental".to_string(),
                CostBasis::Ownership => "ownership".to_string(),
            },
        );
        self.put("uncertainty.trials", p.trials.to_string());
        self.put("uncertainty.seed", p.seed.to_string());
        for u in &p.uncertain {
            self.put(u.path, describe_dist(&u.dist));
        }
    }

    /// The list, for a scenario of `n` points.
    pub fn finish(&self, n: usize) -> Vec<(String, String)> {
        self.seen
            .iter()
            .map(|(k, v, count)| {
                let v = match v {
                    Some(v) if *count == n => v.clone(),
                    _ => "varies by point (see the swept inputs)".to_string(),
                };
                (k.clone(), v)
            })
            .collect()
    }
}

/// A distribution as the report shows it: `PERT(min 0.8, mode 1, max 1.1)`.
pub fn describe_dist(d: &Dist) -> String {
    let n = input_number;
    match *d {
        Dist::Pert { min, mode, max } => {
            format!("PERT(min {}, mode {}, max {})", n(min), n(mode), n(max))
        }
        Dist::Triangular { min, mode, max } => {
            format!(
                "triangular(min {}, mode {}, max {})",
                n(min),
                n(mode),
                n(max)
            )
        }
        Dist::Uniform { min, max } => format!("uniform(min {}, max {})", n(min), n(max)),
        Dist::Normal { mean, sd } => format!("normal(mean {}, sd {})", n(mean), n(sd)),
        Dist::LogNormal { median, sigma } => {
            format!("lognormal(median {}, sigma {})", n(median), n(sigma))
        }
    }
}
