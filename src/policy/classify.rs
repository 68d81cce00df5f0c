//! The classification engine: a chip's export-control status under a [`Rule`], and the
//! reason in words (which threshold, by how much).
//!
//! Each condition is met, failed or unknown. A figure the catalog does not publish is known
//! only from below: PD from the reticle limit (TPP / (dies × 858 mm²)), aggregate I/O from
//! the link when host PCIe is not published, anything else from zero. A condition that the
//! bound decides is met or failed; otherwise it is unknown. A clause list holds when every
//! clause is met; an `any_of` group when one branch is. Tiers are tried in order and the
//! first that holds decides. With no tier holding, the reason lists the tightest thresholds
//! the chip falls short of (`TPP 2,368 < 2,400 and PD 2.91 < 3.2`).
//!
//! An unknown figure is never a pass (issue 11). When a tier up to the deciding one is
//! unknown, the rule is evaluated at every value the unknown figures can take that makes a
//! difference (their bound and each threshold above it). One outcome: that status, decided
//! by the bound. Several: [`Status::Indeterminate`], and the reason says which status holds
//! for which values (`controlled (3A090.a) if PD ≥ 5.92; notified (...) if PD < 5.92`).
//!
//! The rules themselves (types, file format) are `rules.rs`; TPP and PD are `tpp.rs`.

use serde::Serialize;

use super::rules::{grouped, market_text, Clause, Condition, Metric, Rule, Status, Tier};
use super::tpp::{max_die_area_mm2, performance_density, performance_density_lower_bound, tpp};
use super::unknown::resolve_unknowns;
use crate::catalog::GpuSpec;

/// A chip's status under one rule.
///
/// In JSON and CSV, `status` is always one of the four contract values (DESIGN.md:
/// `controlled`, `notified`, `license-required`, `not-controlled`): for an indeterminate
/// chip it is the most restrictive status its unknown figure allows, because an unknown
/// figure is not a pass. `indeterminate` says when that happened and `possible_statuses`
/// lists what the published figures leave open; the table prints `indeterminate`.
#[derive(Debug, Clone, PartialEq)]
pub struct Classification {
    /// GPU id.
    pub gpu: String,
    /// Rule id.
    pub rule: String,
    /// The status; [`Status::Indeterminate`] when the published figures do not decide.
    pub status: Status,
    /// Whether the published figures leave more than one status open.
    pub indeterminate: bool,
    /// The statuses the published figures allow, most restrictive first, joined by " or ".
    pub possible_statuses: String,
    /// Label of the tier that decided; `None` when none held.
    pub tier: Option<String>,
    /// Total processing performance.
    pub tpp: f64,
    /// Performance density (TPP per mm² of logic die); `None` when the die area is not published.
    pub performance_density: Option<f64>,
    /// Which thresholds were met or missed, by how much, and under which paragraph.
    pub reason: String,
}

/// The status of `gpu` under `rule`, with the reason.
pub fn classify(gpu: &GpuSpec, rule: &Rule) -> Classification {
    let traces = eval_rule(gpu, rule, &[]);
    let decided = traces.iter().position(|t| t.outcome == Outcome::Met);
    let before = decided.map_or(traces.len(), |i| i + 1);
    let open = traces[..before]
        .iter()
        .any(|t| t.outcome == Outcome::Unknown);
    let (status, tier, reason, possible) = if open {
        resolve_unknowns(gpu, rule, &traces)
    } else {
        let (status, tier, reason) = known_outcome(rule, &traces, decided);
        (status, tier, reason, vec![status])
    };
    Classification {
        gpu: gpu.id.clone(),
        rule: rule.id.clone(),
        status,
        indeterminate: status == Status::Indeterminate,
        possible_statuses: possible
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" or "),
        tier,
        tpp: tpp(gpu),
        performance_density: performance_density(gpu),
        reason,
    }
}

/// The row JSON and CSV print for a [`Classification`]: `status` is a contract value.
#[derive(Serialize)]
struct ClassificationRow<'a> {
    gpu: &'a str,
    rule: &'a str,
    status: Status,
    indeterminate: bool,
    possible_statuses: &'a str,
    tier: &'a Option<String>,
    tpp: f64,
    performance_density: Option<f64>,
    reason: &'a str,
}

impl Classification {
    /// The status a machine reader gets: [`Status::Indeterminate`] becomes the most
    /// restrictive status left open (the first of `possible_statuses`).
    pub fn contract_status(&self) -> Status {
        match self.status {
            Status::Indeterminate => Status::ALL
                .into_iter()
                .find(|s| {
                    self.possible_statuses
                        .split(" or ")
                        .any(|p| p == s.as_str())
                })
                .unwrap_or(Status::Controlled),
            s => s,
        }
    }
}

impl Serialize for Classification {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ClassificationRow {
            gpu: &self.gpu,
            rule: &self.rule,
            status: self.contract_status(),
            indeterminate: self.indeterminate,
            possible_statuses: &self.possible_statuses,
            tier: &self.tier,
            tpp: self.tpp,
            performance_density: self.performance_density,
            reason: &self.reason,
        }
        .serialize(s)
    }
}

/// Status, tier and reason when no tier up to the deciding one is unknown.
fn known_outcome(
    rule: &Rule,
    traces: &[TierTrace],
    decided: Option<usize>,
) -> (Status, Option<String>, String) {
    match decided {
        Some(i) => (
            rule.tiers[i].status,
            Some(rule.tiers[i].label.clone()),
            format!("{}: {}", met_text(&traces[i]), rule.tiers[i].label),
        ),
        None => {
            let shortfall = shortfall_text(traces);
            let reason = if shortfall.is_empty() {
                rule.otherwise.clone()
            } else {
                format!("{shortfall}: {}", rule.otherwise)
            };
            (Status::NotControlled, None, reason)
        }
    }
}

/// Whether `gpu` can be bought under `rule`: only when it is not controlled or needs only
/// a notification (License Exception NAC).
pub fn allowed(gpu: &GpuSpec, rule: &Rule) -> bool {
    classify(gpu, rule).status.allows_purchase()
}

/// Aggregate bidirectional I/O in GB/s as 3A090.a (Oct 2022) counts it: the scale-up link's
/// bidirectional total plus host PCIe where published. A PCIe-only card (catalog link name
/// `none (PCIe ...)`, whose link figure *is* its PCIe figure) counts PCIe once; a chip with
/// `io_total_gb_per_s` (Gaudi's 24 Ethernet ports) counts that. `None` when neither the
/// link nor the total is published; the link alone when PCIe is not (a lower bound).
pub fn io_bidir_gb_per_s(gpu: &GpuSpec) -> Option<f64> {
    (gpu.io_total_gb_per_s.is_some() || gpu.intra_node_gb_per_s.is_some()).then(|| io_parts(gpu).0)
}

/// Scale-up bandwidth, bidirectional total GB/s.
fn intra_bidir_gb_per_s(gpu: &GpuSpec) -> Option<f64> {
    gpu.intra_node_gb_per_s.map(|g| {
        if gpu.intra_node_bidirectional {
            g
        } else {
            2.0 * g
        }
    })
}

fn pcie_only(gpu: &GpuSpec) -> bool {
    gpu.intra_node_link
        .as_deref()
        .is_some_and(|l| l.trim_start().to_ascii_lowercase().starts_with("none"))
}

/// The I/O total, whether it is exact (else a lower bound), and how it is made up.
fn io_parts(gpu: &GpuSpec) -> (f64, bool, String) {
    if let Some(t) = gpu.io_total_gb_per_s {
        return (t, true, "all ports".into());
    }
    let Some(link) = intra_bidir_gb_per_s(gpu) else {
        return match gpu.pcie_gb_per_s {
            Some(p) => (p, false, "PCIe; link not published".into()),
            None => (0.0, false, "link and PCIe not published".into()),
        };
    };
    if pcie_only(gpu) {
        return (gpu.pcie_gb_per_s.unwrap_or(link), true, "PCIe only".into());
    }
    match gpu.pcie_gb_per_s {
        Some(p) => (
            link + p,
            true,
            format!("{} link + {} PCIe", grouped(link), grouped(p)),
        ),
        None => (link, false, "link; PCIe not published".into()),
    }
}

/// A figure of a chip: its value (or lower bound) and how it reads.
#[derive(Debug, Clone)]
pub(super) struct Figure {
    /// The value, or its lower bound when not `exact`.
    pub(super) value: f64,
    /// Whether `value` is the figure itself.
    exact: bool,
    /// `PD 19.45`, `I/O 528 GB/s (400 link + 128 PCIe)`, `PD ≥ 5.13 (TPP 4,400 / 858 mm² ...)`,
    /// `interconnect unknown (not published)`.
    pub(super) text: String,
}

/// Figure `m` of `gpu`, or the value `assume` gives it (memory + I/O follows an assumed I/O).
pub(super) fn measure(gpu: &GpuSpec, m: Metric, assume: &[(Metric, f64)]) -> Figure {
    let assumed = |m: Metric| assume.iter().find(|(x, _)| *x == m).map(|&(_, v)| v);
    let exact = |v: f64, detail: Option<String>| Figure {
        value: v,
        exact: true,
        text: format!(
            "{} {}{}{}",
            m.name(),
            m.value_text(v),
            m.unit(),
            detail.map(|d| format!(" ({d})")).unwrap_or_default()
        ),
    };
    let bound = |v: f64, why: String| Figure {
        value: v,
        exact: false,
        text: if v > 0.0 {
            format!("{} ≥ {}{} ({why})", m.name(), m.value_text(v), m.unit())
        } else {
            format!("{} unknown ({why})", m.name())
        },
    };
    if let Some(v) = assumed(m) {
        return exact(v, None);
    }
    match m {
        Metric::Tpp => exact(tpp(gpu), None),
        Metric::HbmTbPerS => exact(gpu.hbm_tb_per_s, None),
        Metric::PerformanceDensity => match performance_density(gpu) {
            Some(pd) => exact(pd, None),
            None => {
                let dies = gpu.logic_dies.unwrap_or(1);
                bound(
                    performance_density_lower_bound(gpu),
                    format!(
                        "die area not published: TPP {} / {}{} mm², the reticle limit",
                        grouped(tpp(gpu)),
                        if dies > 1 {
                            format!("{dies} × 858 = ")
                        } else {
                            String::new()
                        },
                        grouped(max_die_area_mm2(gpu))
                    ),
                )
            }
        },
        Metric::IoBidirGbPerS => {
            let (v, ok, d) = io_parts(gpu);
            if ok {
                exact(v, Some(d))
            } else {
                bound(v, d)
            }
        }
        Metric::IntraNodeGbPerS => match intra_bidir_gb_per_s(gpu) {
            Some(v) => exact(v, None),
            None => bound(0.0, "not published".into()),
        },
        Metric::DramPlusIoGbPerS => {
            let dram = gpu.hbm_tb_per_s * 1000.0;
            let (io, ok, d) = match assumed(Metric::IoBidirGbPerS) {
                Some(v) => (v, true, "assumed".to_string()),
                None => io_parts(gpu),
            };
            let detail = format!("{} memory + {} I/O, {d}", grouped(dram), grouped(io));
            if ok {
                exact(dram + io, Some(detail))
            } else {
                bound(dram + io, detail)
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    Met,
    Failed,
    Unknown,
}

/// All must hold: any failure fails, else any unknown is unknown.
fn all(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    let mut out = Outcome::Met;
    for o in outcomes {
        match o {
            Outcome::Failed => return Outcome::Failed,
            Outcome::Unknown => out = Outcome::Unknown,
            Outcome::Met => {}
        }
    }
    out
}

/// One must hold: any success holds, else any unknown is unknown.
fn any(outcomes: impl IntoIterator<Item = Outcome>) -> Outcome {
    let mut out = Outcome::Failed;
    for o in outcomes {
        match o {
            Outcome::Met => return Outcome::Met,
            Outcome::Unknown => out = Outcome::Unknown,
            Outcome::Failed => {}
        }
    }
    out
}

/// One condition applied to a chip, with the sentence that states the fact.
#[derive(Debug, Clone)]
pub(super) struct Check {
    pub(super) cond: Condition,
    pub(super) outcome: Outcome,
    pub(super) text: String,
}

impl Check {
    /// What the check states about the chip, for merging: (metric, "value ≥ threshold"?,
    /// threshold). `None` for datacenter checks and unknowns.
    fn statement(&self) -> Option<(Metric, bool, f64)> {
        let met = match self.outcome {
            Outcome::Met => true,
            Outcome::Failed => false,
            Outcome::Unknown => return None,
        };
        match self.cond {
            Condition::AtLeast(m, t) => Some((m, met, t)),
            Condition::Below(m, t) => Some((m, !met, t)),
            Condition::Datacenter(_) | Condition::UsMarket(_) => None,
        }
    }

    /// Whether `self` says at least as much as `other` (`TPP < 2,400` says more than
    /// `TPP < 4,800`).
    fn implies(&self, other: &Check) -> bool {
        match (self.statement(), other.statement()) {
            (Some((m, ge, t)), Some((m2, ge2, t2))) if m == m2 && ge == ge2 => {
                if ge {
                    t >= t2
                } else {
                    t <= t2
                }
            }
            (None, None) => self.text == other.text,
            _ => false,
        }
    }
}

fn check(gpu: &GpuSpec, cond: Condition, assume: &[(Metric, f64)]) -> Check {
    let (m, t, at_least) = match cond {
        Condition::Datacenter(want) => {
            return Check {
                cond,
                outcome: if gpu.datacenter == want {
                    Outcome::Met
                } else {
                    Outcome::Failed
                },
                text: if gpu.datacenter {
                    "a datacenter part".into()
                } else {
                    "not a datacenter part".into()
                },
            }
        }
        Condition::UsMarket(want) => {
            return match gpu.us_market {
                Some(have) => Check {
                    cond,
                    outcome: if have == want {
                        Outcome::Met
                    } else {
                        Outcome::Failed
                    },
                    text: market_text(have).into(),
                },
                None => Check {
                    cond,
                    outcome: Outcome::Unknown,
                    text: "US market unknown (not in the catalog)".into(),
                },
            }
        }
        Condition::AtLeast(m, t) => (m, t, true),
        Condition::Below(m, t) => (m, t, false),
    };
    let f = measure(gpu, m, assume);
    let ge = f.value >= t;
    if !f.exact && !ge {
        // Only a lower bound, and it is below the threshold: either side is possible.
        return Check {
            cond,
            outcome: Outcome::Unknown,
            text: f.text,
        };
    }
    let met = ge == at_least;
    Check {
        cond,
        outcome: if met { Outcome::Met } else { Outcome::Failed },
        text: format!(
            "{} {} {} ({})",
            f.text,
            if ge { "≥" } else { "<" },
            m.threshold_text(t),
            ratio_text(f.value / t),
        ),
    }
}

/// `3.3×`, `1.04×`, `0.99×`, `0.88×`: two decimals below 1.1, where margins are small, and
/// three where two would round a miss to `1.00×`.
fn ratio_text(r: f64) -> String {
    if r < 1.1 {
        let two = format!("{r:.2}");
        if two == "1.00" && r != 1.0 {
            format!("{r:.3}×")
        } else {
            format!("{two}×")
        }
    } else if r < 10.0 {
        format!("{r:.1}×")
    } else {
        format!("{r:.0}×")
    }
}

#[derive(Debug)]
struct BranchTrace {
    outcome: Outcome,
    checks: Vec<Check>,
}

#[derive(Debug)]
enum ClauseTrace {
    One(Check),
    AnyOf(Outcome, Vec<BranchTrace>),
}

impl ClauseTrace {
    fn outcome(&self) -> Outcome {
        match self {
            ClauseTrace::One(c) => c.outcome,
            ClauseTrace::AnyOf(o, _) => *o,
        }
    }
}

#[derive(Debug)]
pub(super) struct TierTrace {
    status: Status,
    pub(super) outcome: Outcome,
    clauses: Vec<ClauseTrace>,
}

/// Every tier of `rule` on `gpu`, with `assume` standing in for unknown figures.
impl TierTrace {
    /// Every check of the tier.
    pub(super) fn checks(&self) -> Vec<&Check> {
        self.clauses
            .iter()
            .flat_map(|c| match c {
                ClauseTrace::One(c) => vec![c],
                ClauseTrace::AnyOf(_, bs) => bs.iter().flat_map(|b| b.checks.iter()).collect(),
            })
            .collect()
    }
}

pub(super) fn eval_rule(gpu: &GpuSpec, rule: &Rule, assume: &[(Metric, f64)]) -> Vec<TierTrace> {
    rule.tiers
        .iter()
        .map(|t| eval_tier(gpu, t, assume))
        .collect()
}

fn eval_tier(gpu: &GpuSpec, tier: &Tier, assume: &[(Metric, f64)]) -> TierTrace {
    let clauses: Vec<ClauseTrace> = tier
        .clauses
        .iter()
        .map(|c| match c {
            Clause::Condition(c) => ClauseTrace::One(check(gpu, *c, assume)),
            Clause::AnyOf(branches) => {
                let bs: Vec<BranchTrace> = branches
                    .iter()
                    .map(|b| {
                        let checks: Vec<Check> = b.iter().map(|c| check(gpu, *c, assume)).collect();
                        BranchTrace {
                            outcome: all(checks.iter().map(|c| c.outcome)),
                            checks,
                        }
                    })
                    .collect();
                ClauseTrace::AnyOf(any(bs.iter().map(|b| b.outcome)), bs)
            }
        })
        .collect();
    TierTrace {
        status: tier.status,
        outcome: all(clauses.iter().map(ClauseTrace::outcome)),
        clauses,
    }
}

/// Add `c` to `list` unless something there already says as much; replace what it says
/// more than.
fn push_strongest<'a>(list: &mut Vec<&'a Check>, c: &'a Check) {
    if list.iter().any(|x| x.implies(c)) {
        return;
    }
    if let Some(i) = list.iter().position(|x| c.implies(x)) {
        list[i] = c;
    } else {
        list.push(c);
    }
}

fn join(list: &[&Check]) -> String {
    list.iter()
        .map(|c| c.text.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Why a tier holds: each condition, and the first branch that holds in each group; other
/// branches that also hold follow as "also", minus what is already said.
fn met_text(t: &TierTrace) -> String {
    let mut primary: Vec<&Check> = Vec::new();
    let mut extra: Vec<Vec<&Check>> = Vec::new();
    for c in &t.clauses {
        match c {
            ClauseTrace::One(c) => primary.push(c),
            ClauseTrace::AnyOf(_, branches) => {
                let mut held = branches.iter().filter(|b| b.outcome == Outcome::Met);
                if let Some(first) = held.next() {
                    primary.extend(first.checks.iter());
                }
                extra.extend(held.map(|b| b.checks.iter().collect()));
            }
        }
    }
    let mut text = if primary.is_empty() {
        "always".to_string()
    } else {
        join(&primary)
    };
    for b in extra {
        let new: Vec<&Check> = b
            .into_iter()
            .filter(|c| !primary.iter().any(|p| p.implies(c)))
            .collect();
        if !new.is_empty() {
            text = format!("{text}; also {}", join(&new));
        }
    }
    text
}

/// Why no tier holds: for each tier that would restrict the chip, what held before its
/// first unmet clause (context) and what failed in that clause; merged across tiers so that
/// only the tightest statement per figure remains.
fn shortfall_text(traces: &[TierTrace]) -> String {
    let mut context: Vec<&Check> = Vec::new();
    let mut failed: Vec<&Check> = Vec::new();
    for t in traces
        .iter()
        .filter(|t| t.status != Status::NotControlled && t.outcome != Outcome::Met)
    {
        let Some(first) = t.clauses.iter().position(|c| c.outcome() != Outcome::Met) else {
            continue;
        };
        for c in &t.clauses[..first] {
            if let ClauseTrace::One(c) = c {
                push_strongest(&mut context, c);
            }
        }
        match &t.clauses[first] {
            ClauseTrace::One(c) if c.outcome == Outcome::Failed => push_strongest(&mut failed, c),
            ClauseTrace::One(_) => {}
            ClauseTrace::AnyOf(_, branches) => {
                for c in branches.iter().flat_map(|b| b.checks.iter()) {
                    if c.outcome == Outcome::Failed {
                        push_strongest(&mut failed, c);
                    }
                }
            }
        }
    }
    if failed.is_empty() {
        return String::new();
    }
    if context.is_empty() {
        join(&failed)
    } else {
        format!("{} but {}", join(&context), join(&failed))
    }
}

/// `a`, `a and b`, `a, b and c`.
pub(super) fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::policy::rules::{builtin_rules, CustomThresholds};

    const C: Status = Status::Controlled;
    const N: Status = Status::Notified;
    const L: Status = Status::LicenseRequired;
    const X: Status = Status::NotControlled;

    fn rule(id: &str) -> Rule {
        builtin_rules().into_iter().find(|r| r.id == id).unwrap()
    }

    fn class(gpu: &str, rule_id: &str) -> Classification {
        let c = Catalog::builtin();
        classify(c.gpu(gpu).unwrap(), &rule(rule_id))
    }

    /// Hand application of the thresholds in /work/shared/reference/gpus.md §2 ("Why the
    /// China-specific parts sit where they do") and the status columns of gpus.csv, with TPP
    /// and PD from gpus.csv (`tpp`, `perf_density`). Columns: oct-2022, oct-2023, apr-2025,
    /// jan-2026.
    /// - A100: TPP 4,992 ≥ 4,800 and I/O 600 + 64 ≥ 600 (2022); a.1 (2023); case-by-case 2026.
    /// - A800: I/O 400 + 64 = 464 < 600 (2022: designed to comply); TPP 4,992 → 3A090.a (2023).
    /// - H100: controlled throughout; 2026 "TPP 15,832 < 21,000 and 3,350 GB/s < 6,500".
    /// - H800: I/O 400 + 128 = 528 < 600 (2022); TPP 15,832 → 3A090.a (2023).
    /// - H20: TPP 2,368 < 4,800 (2022); TPP 2,368 < 2,400 and PD 2.91 < 3.2 (2023); the
    ///   Apr-2025 letter names it (licence required), kept in 2026.
    /// - H200: "would be controlled" (2022), 3A090.a (2023), named in the Jan-2026 rule.
    /// - L20: TPP 1,912 < 2,400 and PD 3.14 < 3.2: not 3A090; no later action.
    /// - RTX 4090D: TPP 4,707 < 4,800 and not a datacenter part (Note 2): never 3A090.
    #[allow(clippy::approx_constant)] // 3.14 is the L20's PD (gpus.csv), not π.
    const EXPECTED: [(&str, f64, f64, [Status; 4]); 8] = [
        ("a100-sxm-80gb", 4_992.0, 6.04, [C, C, C, C]),
        ("a800-sxm-80gb", 4_992.0, 6.04, [X, C, C, C]),
        ("h100-sxm-80gb", 15_832.0, 19.45, [C, C, C, C]),
        ("h800-sxm-80gb", 15_832.0, 19.45, [X, C, C, C]),
        ("h20", 2_368.0, 2.91, [X, X, L, L]),
        ("h200-sxm-141gb", 15_832.0, 19.45, [C, C, C, C]),
        ("l20", 1_912.0, 3.14, [X, X, X, X]),
        ("rtx-4090d", 4_707.0, 7.74, [X, X, X, X]),
    ];

    #[test]
    fn the_china_specific_parts_sit_where_the_reference_puts_them() {
        let c = Catalog::builtin();
        let rules: Vec<Rule> = ["oct-2022", "oct-2023", "apr-2025", "jan-2026"]
            .into_iter()
            .map(rule)
            .collect();
        for (gpu, tpp_ref, pd_ref, statuses) in EXPECTED {
            for (rule, want) in rules.iter().zip(statuses) {
                let k = classify(c.gpu(gpu).unwrap(), rule);
                assert_eq!(k.status, want, "{gpu} under {}: {}", rule.id, k.reason);
                // The reference rounds TPP to a whole number and PD to two decimals.
                assert!((k.tpp - tpp_ref).abs() < 0.5, "{gpu}: TPP {}", k.tpp);
                let pd = k.performance_density.unwrap();
                assert!((pd - pd_ref).abs() < 0.005, "{gpu}: PD {pd}");
                assert_eq!(k.gpu, gpu);
                assert_eq!(k.rule, rule.id);
            }
        }
    }

    #[test]
    fn reasons_name_the_threshold_and_the_margin() {
        // gpus.md §2: H800 "400 + 128 (Gen5) = 528 GB/s ... below 600".
        let k = class("h800-sxm-80gb", "oct-2022");
        assert_eq!(
            k.reason,
            "TPP 15,832 ≥ 4,800 (3.3×) but I/O 528 GB/s (400 link + 128 PCIe) < 600 (0.88×): outside 3A090.a"
        );
        assert_eq!(
            class("h800-sxm-80gb", "oct-2023").reason,
            "TPP 15,832 ≥ 4,800 (3.3×); also PD 19.45 ≥ 5.92 (3.3×): 3A090.a"
        );
        // gpus.md §2: A800 "400 + 64 (Gen4) = 464 GB/s".
        assert!(class("a800-sxm-80gb", "oct-2022")
            .reason
            .contains("I/O 464 GB/s (400 link + 64 PCIe) < 600"));
        // H100 under 2022: 900 + 128 = 1,028 GB/s of I/O.
        assert_eq!(
            class("h100-sxm-80gb", "oct-2022").reason,
            "TPP 15,832 ≥ 4,800 (3.3×) and I/O 1,028 GB/s (900 link + 128 PCIe) ≥ 600 (1.7×): 3A090.a"
        );
        // gpus.md §2: H20 "TPP 2,368 is just below the 2,400 floor of 3A090.b.1, and PD 2.91
        // is below the 3.2 floor of 3A090.b.2".
        assert_eq!(
            class("h20", "oct-2023").reason,
            "TPP 2,368 < 2,400 (0.99×) and PD 2.91 < 3.2 (0.91×): outside 3A090"
        );
        // Issue 11: the Apr-2025 thresholds Intel gave its customers (FT, Reuters, 16 Apr
        // 2025): DRAM 4,000 GB/s ≥ 1,400, and DRAM + I/O ≥ 4,000 + 900 ≥ 1,700.
        assert_eq!(
            class("h20", "apr-2025").reason,
            "memory bandwidth 4.00 TB/s ≥ 1.4 (2.9×); also memory + I/O ≥ 4,900 GB/s (4,000 memory \
             + 900 I/O, link; PCIe not published) ≥ 1,700 (2.9×): H20-class licence requirement \
             (Apr 2025 letters)"
        );
        assert_eq!(
            class("l20", "oct-2023").reason,
            "TPP 1,912 < 2,400 (0.80×) and PD 3.14 < 3.2 (0.98×): outside 3A090"
        );
        // Note 2: non-datacenter and TPP 4,707 < 4,800, although PD 7.74 > 5.92.
        assert_eq!(
            class("rtx-4090d", "oct-2023").reason,
            "not a datacenter part and TPP 4,707 < 4,800 (0.98×): Note 2 to 3A090 (not a datacenter part below TPP 4,800)"
        );
        // A100: a.1 and, by a hair, a.2 (csv: "a.1 TPP>=4800; also PD 6.04>=5.92").
        assert_eq!(
            class("a100-sxm-80gb", "oct-2023").reason,
            "TPP 4,992 ≥ 4,800 (1.04×); also PD 6.04 ≥ 5.92 (1.02×): 3A090.a"
        );
    }

    #[test]
    fn jan_2026_splits_3a090a_by_review_policy() {
        // 91 FR 1684: TPP < 21,000 and DRAM < 6,500 GB/s ("such as the H200") and
        // "commercially available in the United States" → case-by-case.
        for gpu in ["a100-sxm-80gb", "h100-sxm-80gb", "h200-sxm-141gb", "mi300x"] {
            let k = class(gpu, "jan-2026");
            assert_eq!(k.status, C, "{gpu}");
            assert_eq!(
                k.tier.as_deref(),
                Some("3A090.a, case-by-case review"),
                "{gpu}: {}",
                k.reason
            );
        }
        assert!(class("h200-sxm-141gb", "jan-2026")
            .reason
            .contains("memory bandwidth 4.80 TB/s < 6.5 (0.74×)"));
        // China-only SKUs are not sold in the US: presumption of denial (issue 11).
        for gpu in [
            "a800-sxm-80gb",
            "a800-pcie-80gb",
            "h800-sxm-80gb",
            "h800-pcie-80gb",
        ] {
            let k = class(gpu, "jan-2026");
            assert_eq!(
                (k.status, k.tier.as_deref()),
                (
                    C,
                    Some("3A090.a, presumption of denial (not sold in the US)")
                ),
                "{gpu}: {}",
                k.reason
            );
        }
        // Not a US export (Ascend) or not sold as chips (TPU v5p): the review policy is n/a.
        for gpu in ["ascend-910b", "ascend-910c", "tpu-v5p"] {
            let k = class(gpu, "jan-2026");
            assert!(
                k.tier.as_deref().unwrap().contains("review policy n/a"),
                "{gpu}: {}",
                k.reason
            );
        }
        // gpus.md §3: MI300X TPP 20,919, just under 21,000: the margin must not round to 1.00×.
        assert!(class("mi300x", "jan-2026")
            .reason
            .contains("TPP 20,919 < 21,000 (0.996×)"));
        // gpus.md §2: "Blackwell (B200/GB200) exceeds both limits".
        for gpu in ["b200", "gb200"] {
            let k = class(gpu, "jan-2026");
            assert_eq!(
                (k.status, k.tier.as_deref()),
                (C, Some("3A090.a, presumption of denial")),
                "{gpu}"
            );
        }
        // The H20 keeps its Apr-2025 licence requirement.
        assert_eq!(class("h20", "jan-2026").status, L);
    }

    #[test]
    fn a_missing_die_area_is_bounded_by_the_reticle() {
        // B200: no die area, TPP 36,000 ≥ 4,800, so PD does not matter.
        let k = class("b200", "oct-2023");
        assert_eq!((k.status, k.performance_density), (C, None));
        assert!(!k.reason.contains("unknown"), "{}", k.reason);
        // Issue 11: TPU v4, TPP 4,400 (275 × 16), one die of at most 858 mm², so PD ≥ 5.13:
        // at least 3A090.b (PD ≥ 3.2), 3A090.a if PD ≥ 5.92. Not `not-controlled`.
        let k = class("tpu-v4", "oct-2023");
        assert_eq!((k.status, k.tier.as_deref()), (Status::Indeterminate, None));
        // Machine formats keep the contract's four statuses: the most restrictive one left
        // open, flagged as indeterminate.
        assert_eq!(k.contract_status(), C);
        let json = serde_json::to_value(&k).unwrap();
        assert_eq!(json["status"], "controlled");
        assert_eq!(json["indeterminate"], true);
        assert_eq!(json["possible_statuses"], "controlled or notified");
        assert_eq!(
            k.reason,
            "PD ≥ 5.13 (die area not published: TPP 4,400 / 858 mm², the reticle limit): \
             notified [3A090.b (License Exception NAC)] if PD < 5.92; controlled [3A090.a] if PD ≥ 5.92"
        );
        assert!(!allowed(c_gpu("tpu-v4"), &rule("oct-2023")));
        // Jan 2026: a TPU is not sold as chips, so 3A090.a would be reviewed under no policy.
        let k = class("tpu-v4", "jan-2026");
        assert_eq!(k.status, Status::Indeterminate);
        assert!(k.reason.contains("review policy n/a"), "{}", k.reason);
        // A bound that decides: TPP 3,200 with no die area has PD ≥ 3.73, so 3A090.a or .b
        // (indeterminate); the same chip at TPP 6,400 is 3A090.a.1 whatever its PD.
        let c = Catalog::builtin();
        let mut g = c.gpu("h20").unwrap().clone();
        g.die_area_mm2 = None;
        g.bf16_dense_tflops = 200.0;
        g.fp8_dense_tflops = None;
        g.int8_dense_tops = None;
        let k = classify(&g, &rule("apr-2025"));
        assert_eq!(k.status, Status::Indeterminate, "{}", k.reason);
        assert!(k.reason.starts_with("PD ≥ 3.73"), "{}", k.reason);
        g.bf16_dense_tflops = 400.0;
        assert_eq!(classify(&g, &rule("apr-2025")).status, C);
        // An unpublished PCIe leaves the Oct-2022 I/O test open for the Ascend 910B
        // (link 392 GB/s): controlled if PCIe adds 208 GB/s or more.
        let k = class("ascend-910b", "oct-2022");
        assert_eq!(k.status, Status::Indeterminate);
        assert_eq!(
            k.reason,
            "I/O ≥ 392 GB/s (link; PCIe not published): not-controlled [outside 3A090.a] if I/O \
             < 600 GB/s; controlled [3A090.a] if I/O ≥ 600 GB/s"
        );
    }

    fn c_gpu(id: &str) -> &'static GpuSpec {
        static C: std::sync::OnceLock<Catalog> = std::sync::OnceLock::new();
        C.get_or_init(Catalog::builtin).gpu(id).unwrap()
    }

    #[test]
    fn the_3a090b_tier_is_notified() {
        // A hypothetical datacenter part: TPP 3,200 and PD 3,200 / 800 = 4.0 (b.1 and b.2).
        let c = Catalog::builtin();
        let mut g = c.gpu("h20").unwrap().clone();
        g.bf16_dense_tflops = 200.0;
        g.fp8_dense_tflops = None;
        g.int8_dense_tops = None;
        g.die_area_mm2 = Some(800.0);
        let k = classify(&g, &rule("oct-2023"));
        assert_eq!(k.status, N, "{}", k.reason);
        assert!(allowed(&g, &rule("oct-2023")));
        // The same part sold as a gaming card falls under Note 2.
        g.datacenter = false;
        assert_eq!(classify(&g, &rule("oct-2023")).status, X);
    }

    #[test]
    fn io_counts_pcie_once_on_pcie_only_cards() {
        let c = Catalog::builtin();
        // gpus.md conventions: PCIe-only cards list the PCIe Gen4 x16 figure (64) as the link.
        assert_eq!(io_bidir_gb_per_s(c.gpu("rtx-4090").unwrap()), Some(64.0));
        assert_eq!(
            io_bidir_gb_per_s(c.gpu("h800-sxm-80gb").unwrap()),
            Some(528.0)
        );
        assert_eq!(
            io_bidir_gb_per_s(c.gpu("a100-sxm-80gb").unwrap()),
            Some(664.0)
        );
        assert_eq!(io_bidir_gb_per_s(c.gpu("tpu-v4").unwrap()), None);
        // Gaudi: all 24 Ethernet ports count for the rule (issue 11), not only the 21 that
        // scale up in an 8-card server.
        assert_eq!(io_bidir_gb_per_s(c.gpu("gaudi2").unwrap()), Some(600.0));
        assert_eq!(io_bidir_gb_per_s(c.gpu("gaudi3").unwrap()), Some(1200.0));
        // gpus.csv: RTX 4090 and L40S "not controlled" under Oct 2022 despite TPP ≥ 4,800.
        assert_eq!(class("rtx-4090", "oct-2022").status, X);
        assert_eq!(class("l40s", "oct-2022").status, X);
    }

    #[test]
    fn a_custom_tpp_1600_rule_catches_the_h20() {
        let c = Catalog::builtin();
        let custom = |t: CustomThresholds| Rule::custom("custom", t).unwrap();
        let r = custom(CustomThresholds {
            tpp_min: Some(1600.0),
            ..CustomThresholds::default()
        });
        let h20 = c.gpu("h20").unwrap();
        let k = classify(h20, &r);
        // gpus.csv: H20 TPP 2,368 ≥ 1,600.
        assert_eq!(k.status, C);
        assert_eq!(k.reason, "TPP 2,368 ≥ 1,600 (1.5×): custom thresholds");
        assert_eq!(k.rule, "custom");
        assert!(!allowed(h20, &r));
        // gpus.csv: L2 TPP 1,544 < 1,600.
        let l2 = c.gpu("l2").unwrap();
        assert!(allowed(l2, &r));
        assert!(classify(l2, &r).reason.starts_with("TPP 1,544 < 1,600 ("));
        // Memory bandwidth alone: the H20's 4.0 TB/s, not the H100's 3.35.
        let r = custom(CustomThresholds {
            memory_bw_min_tb_per_s: Some(3.5),
            ..CustomThresholds::default()
        });
        assert!(!allowed(h20, &r) && allowed(c.gpu("h100-sxm-80gb").unwrap(), &r));
        // Issue 11: the L2 (die area unpublished) no longer passes pd_min = 1.5 silently:
        // PD ≥ 1,544 / 858 = 1.80 ≥ 1.5.
        let r = custom(CustomThresholds {
            pd_min: Some(1.5),
            ..CustomThresholds::default()
        });
        let k = classify(l2, &r);
        assert_eq!(k.status, C, "{}", k.reason);
        assert!(
            k.reason.starts_with("PD ≥ 1.80 (die area not published"),
            "{}",
            k.reason
        );
        // The sum key: the L20's 864 + 64 = 928 GB/s against 900.
        let r = custom(CustomThresholds {
            dram_plus_io_min_gb_per_s: Some(900.0),
            ..CustomThresholds::default()
        });
        assert!(!allowed(c.gpu("l20").unwrap(), &r));
    }

    #[test]
    fn every_catalog_chip_gets_a_status_and_a_reason_under_every_rule() {
        let c = Catalog::builtin();
        for r in builtin_rules() {
            for g in c.gpus.values() {
                let k = classify(g, &r);
                assert!(
                    !k.reason.is_empty() && !k.reason.starts_with(':'),
                    "{} {}: {}",
                    g.id,
                    r.id,
                    k.reason
                );
                if k.tier.is_none() {
                    assert!(
                        matches!(k.status, X | Status::Indeterminate),
                        "{} {}",
                        g.id,
                        r.id
                    );
                }
            }
        }
    }
}
