//! The classification engine: a chip's export-control status under a [`Rule`], and the
//! reason in words (which threshold, by how much).
//!
//! Each condition is met, failed or unknown (the figure is not published). A clause list
//! holds when every clause is met; an `any_of` group when one branch is. Tiers are tried in
//! order and the first that holds decides. A tier that only an unknown figure could decide
//! is skipped, so the chip is classified on what is known, and the reason says which figure
//! is missing and which tiers it leaves open. With no tier holding, the reason lists the
//! tightest thresholds the chip falls short of (`TPP 2,368 < 2,400 and PD 2.91 < 3.2`).
//!
//! The rules themselves (types, file format) are `rules.rs`; TPP and PD are `tpp.rs`.

use serde::Serialize;

use super::rules::{grouped, Clause, Condition, Metric, Rule, Status, Tier};
use super::tpp::{performance_density, tpp};
use crate::catalog::GpuSpec;

/// A chip's status under one rule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Classification {
    /// GPU id.
    pub gpu: String,
    /// Rule id.
    pub rule: String,
    /// The status.
    pub status: Status,
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
    let traces: Vec<TierTrace> = rule.tiers.iter().map(|t| eval_tier(gpu, t)).collect();
    let decided = traces.iter().position(|t| t.outcome == Outcome::Met);
    let before = decided.unwrap_or(traces.len());
    let open: Vec<&TierTrace> = traces[..before]
        .iter()
        .filter(|t| t.outcome == Outcome::Unknown)
        .collect();
    let (status, tier, mut reason) = match decided {
        Some(i) => (
            rule.tiers[i].status,
            Some(rule.tiers[i].label.clone()),
            format!("{}: {}", met_text(&traces[i]), rule.tiers[i].label),
        ),
        None => {
            let shortfall = shortfall_text(&traces);
            let otherwise = if open.is_empty() {
                rule.otherwise.clone()
            } else {
                format!("{} on the known figures", rule.otherwise)
            };
            let reason = match (shortfall.is_empty(), open.is_empty()) {
                (true, true) => otherwise,
                (true, false) => format!("{}: {otherwise}", open_text(&open)),
                (false, true) => format!("{shortfall}: {otherwise}"),
                (false, false) => format!("{shortfall}; {}: {otherwise}", open_text(&open)),
            };
            (Status::NotControlled, None, reason)
        }
    };
    if decided.is_some() && !open.is_empty() {
        reason = format!("{reason}; {}", open_text(&open));
    }
    Classification {
        gpu: gpu.id.clone(),
        rule: rule.id.clone(),
        status,
        tier,
        tpp: tpp(gpu),
        performance_density: performance_density(gpu),
        reason,
    }
}

/// Whether `gpu` can be bought under `rule`: only when it is not controlled or needs only
/// a notification (License Exception NAC).
pub fn allowed(gpu: &GpuSpec, rule: &Rule) -> bool {
    classify(gpu, rule).status.allows_purchase()
}

/// Aggregate bidirectional I/O in GB/s as 3A090.a (Oct 2022) counts it: the scale-up link's
/// bidirectional total plus host PCIe where published. A PCIe-only card (catalog link name
/// `none (PCIe ...)`, whose link figure *is* its PCIe figure) counts PCIe once. `None` when
/// the link bandwidth is not published.
pub fn io_bidir_gb_per_s(gpu: &GpuSpec) -> Option<f64> {
    io_parts(gpu).map(|(total, _)| total)
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

/// The I/O total and how it is made up, for the reason.
fn io_parts(gpu: &GpuSpec) -> Option<(f64, String)> {
    let link = intra_bidir_gb_per_s(gpu)?;
    if pcie_only(gpu) {
        return Some((gpu.pcie_gb_per_s.unwrap_or(link), "PCIe only".into()));
    }
    Some(match gpu.pcie_gb_per_s {
        Some(p) => (
            link + p,
            format!("{} link + {} PCIe", grouped(link), grouped(p)),
        ),
        None => (link, "link; PCIe not published".into()),
    })
}

/// A figure of `gpu`, with how it is made up, or why it is unknown.
fn measure(gpu: &GpuSpec, m: Metric) -> Result<(f64, Option<String>), &'static str> {
    match m {
        Metric::Tpp => Ok((tpp(gpu), None)),
        Metric::PerformanceDensity => performance_density(gpu)
            .map(|v| (v, None))
            .ok_or("die area not published"),
        Metric::IoBidirGbPerS => io_parts(gpu)
            .map(|(v, d)| (v, Some(d)))
            .ok_or("link bandwidth not published"),
        Metric::HbmTbPerS => Ok((gpu.hbm_tb_per_s, None)),
        Metric::IntraNodeGbPerS => intra_bidir_gb_per_s(gpu)
            .map(|v| (v, None))
            .ok_or("not published"),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
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
struct Check {
    cond: Condition,
    outcome: Outcome,
    text: String,
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
            Condition::Datacenter(_) => None,
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

fn check(gpu: &GpuSpec, cond: Condition) -> Check {
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
        Condition::AtLeast(m, t) => (m, t, true),
        Condition::Below(m, t) => (m, t, false),
    };
    match measure(gpu, m) {
        Err(why) => Check {
            cond,
            outcome: Outcome::Unknown,
            text: format!("{} unknown ({why})", m.name()),
        },
        Ok((v, detail)) => {
            let ge = v >= t;
            let met = ge == at_least;
            let detail = detail.map(|d| format!(" ({d})")).unwrap_or_default();
            Check {
                cond,
                outcome: if met { Outcome::Met } else { Outcome::Failed },
                text: format!(
                    "{} {}{}{} {} {} ({})",
                    m.name(),
                    m.value_text(v),
                    m.unit(),
                    detail,
                    if ge { "≥" } else { "<" },
                    m.threshold_text(t),
                    ratio_text(v / t),
                ),
            }
        }
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
struct TierTrace {
    status: Status,
    label: String,
    refines: Option<String>,
    outcome: Outcome,
    clauses: Vec<ClauseTrace>,
}

fn eval_tier(gpu: &GpuSpec, tier: &Tier) -> TierTrace {
    let clauses: Vec<ClauseTrace> = tier
        .clauses
        .iter()
        .map(|c| match c {
            Clause::Condition(c) => ClauseTrace::One(check(gpu, *c)),
            Clause::AnyOf(branches) => {
                let bs: Vec<BranchTrace> = branches
                    .iter()
                    .map(|b| {
                        let checks: Vec<Check> = b.iter().map(|c| check(gpu, *c)).collect();
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
        label: tier.label.clone(),
        refines: tier.refines.clone(),
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

/// Which figures are missing and which tiers they leave open.
fn open_text(open: &[&TierTrace]) -> String {
    let mut missing: Vec<&str> = Vec::new();
    for t in open {
        for c in &t.clauses {
            let checks: Vec<&Check> = match c {
                ClauseTrace::One(c) => vec![c],
                ClauseTrace::AnyOf(_, bs) => bs.iter().flat_map(|b| b.checks.iter()).collect(),
            };
            for c in checks {
                if c.outcome == Outcome::Unknown && !missing.contains(&c.text.as_str()) {
                    missing.push(&c.text);
                }
            }
        }
    }
    // A refinement (jan-2026's "3A090.a, case-by-case review") is open whenever its base is.
    let labels: Vec<&str> = open
        .iter()
        .filter(|t| {
            !t.refines
                .as_ref()
                .is_some_and(|r| open.iter().any(|o| &o.label == r))
        })
        .map(|t| t.label.as_str())
        .collect();
    format!(
        "{}, so {} cannot be ruled out",
        and_list(&missing),
        and_list(&labels)
    )
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
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
    use crate::policy::rules::builtin_rules;

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
        let rules = builtin_rules();
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["oct-2022", "oct-2023", "apr-2025", "jan-2026"]);
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
        // H20 kept 4.0 TB/s HBM and 900 GB/s NVLink: "exactly what the April 2025 letter targeted".
        assert_eq!(
            class("h20", "apr-2025").reason,
            "memory bandwidth 4.00 TB/s ≥ 4.0 (1.00×); also interconnect 900 GB/s ≥ 900 (1.00×): \
             H20-class licence requirement (Apr 2025 letters)"
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
        // 91 FR 1684: TPP < 21,000 and DRAM < 6,500 GB/s ("such as the H200") → case-by-case.
        for gpu in [
            "a100-sxm-80gb",
            "a800-sxm-80gb",
            "h100-sxm-80gb",
            "h800-sxm-80gb",
            "h200-sxm-141gb",
            "mi300x",
        ] {
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
    fn a_missing_die_area_is_said_and_only_matters_below_tpp_4800() {
        // B200: no die area, TPP 36,000 ≥ 4,800, so PD does not matter.
        let k = class("b200", "oct-2023");
        assert_eq!((k.status, k.performance_density), (C, None));
        assert!(!k.reason.contains("unknown"), "{}", k.reason);
        // TPU v4: TPP 4,400 (275 × 16), no die area: 3A090.a.2 and .b hinge on PD.
        let k = class("tpu-v4", "oct-2023");
        assert_eq!(k.status, X);
        assert_eq!(
            k.reason,
            "TPP 4,400 < 4,800 (0.92×); PD unknown (die area not published), so 3A090.a and \
             3A090.b (License Exception NAC) cannot be ruled out: outside 3A090 on the known figures"
        );
        // A refinement is not listed beside its open base tier.
        let k = class("tpu-v4", "jan-2026");
        assert!(!k.reason.contains("case-by-case"), "{}", k.reason);
        assert!(
            k.reason
                .contains("so 3A090.a, 3A090.b (License Exception NAC) and H20-class"),
            "{}",
            k.reason
        );
        // A chip with an unknown earlier tier but a later match says so too.
        let c = Catalog::builtin();
        let mut g = c.gpu("h20").unwrap().clone();
        g.die_area_mm2 = None;
        g.bf16_dense_tflops = 200.0; // TPP 3,200: 3A090.a.2 and .b hinge on PD.
        g.fp8_dense_tflops = None;
        g.int8_dense_tops = None;
        let k = classify(&g, &rule("apr-2025"));
        assert_eq!(k.status, L);
        assert!(k.reason.ends_with("; PD unknown (die area not published), so 3A090.a and 3A090.b (License Exception NAC) cannot be ruled out"), "{}", k.reason);
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
        // gpus.csv: RTX 4090 and L40S "not controlled" under Oct 2022 despite TPP ≥ 4,800.
        assert_eq!(class("rtx-4090", "oct-2022").status, X);
        assert_eq!(class("l40s", "oct-2022").status, X);
    }

    #[test]
    fn a_custom_tpp_1600_rule_catches_the_h20() {
        let c = Catalog::builtin();
        let r = Rule::custom("tpp-1600", Some(1600.0), None, None, None).unwrap();
        let h20 = c.gpu("h20").unwrap();
        let k = classify(h20, &r);
        // gpus.csv: H20 TPP 2,368 ≥ 1,600.
        assert_eq!(k.status, C);
        assert_eq!(k.reason, "TPP 2,368 ≥ 1,600 (1.5×): custom thresholds");
        assert!(!allowed(h20, &r));
        // gpus.csv: L2 TPP 1,544 < 1,600.
        let l2 = c.gpu("l2").unwrap();
        assert!(allowed(l2, &r));
        assert!(classify(l2, &r).reason.starts_with("TPP 1,544 < 1,600 ("));
        // Memory bandwidth alone: the H20's 4.0 TB/s, not the H100's 3.35.
        let r = Rule::custom("mem", None, None, None, Some(3.5)).unwrap();
        assert!(!allowed(h20, &r) && allowed(c.gpu("h100-sxm-80gb").unwrap(), &r));
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
                    assert_eq!(k.status, X, "{} {}", g.id, r.id);
                }
            }
        }
    }
}
