//! Export-control rules as data: the types ([`Rule`], [`Tier`], [`Clause`], [`Condition`]),
//! the embedded `src/catalog/rules.toml`, user rule files, and custom thresholds.
//!
//! A rule is an ordered list of tiers; each tier is a [`Status`], a label and clauses that
//! must all hold (a clause is one condition or an `any_of` group of condition sets). The
//! first tier that holds decides; none holding means [`Status::NotControlled`]. A rule may
//! `extends` another: it starts from the parent's tiers, appends its own, and a tier with
//! `refines = "LABEL"` is inserted just before the inherited tier LABEL with that tier's
//! clauses prepended to its own. The file format is documented at the top of `rules.toml`.
//!
//! This module owns the format and its validation. Evaluating a rule on a chip and writing
//! the reason is `classify.rs`; TPP and performance density are `tpp.rs`; reading and
//! validating rule files is `rules_file.rs`.

use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

pub use super::rules_file::{load_rules_file, parse_rules};
use crate::catalog::UsMarket;
use crate::error::{did_you_mean, InputError};

/// The embedded rules (`src/catalog/rules.toml`).
pub const RULES_TOML: &str = include_str!("../catalog/rules.toml");

/// Export-control status of a chip under a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A licence is required under the ECCN (e.g. 3A090.a).
    Controlled,
    /// Exportable after prior notification to BIS (License Exception NAC, e.g. 3A090.b).
    Notified,
    /// A licence is required by a letter to the vendor rather than the ECCN (the H20, Apr 2025).
    LicenseRequired,
    /// No tier holds, or an exemption (e.g. Note 2 to 3A090) does.
    NotControlled,
    /// The published figures do not decide: a figure is unknown (e.g. no die area) and its
    /// known bound leaves more than one status possible. The reason says which.
    Indeterminate,
}

impl Status {
    /// Every status, most restrictive first.
    pub const ALL: [Status; 5] = [
        Status::Controlled,
        Status::LicenseRequired,
        Status::Indeterminate,
        Status::Notified,
        Status::NotControlled,
    ];

    /// The name used in files and output: `controlled`, `notified`, `license-required`,
    /// `not-controlled` or `indeterminate`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Controlled => "controlled",
            Status::Notified => "notified",
            Status::LicenseRequired => "license-required",
            Status::NotControlled => "not-controlled",
            Status::Indeterminate => "indeterminate",
        }
    }

    /// Whether a buyer in the controlled destination can acquire the chip through ordinary
    /// purchase: only when it is not controlled or needs only a notification. An
    /// indeterminate chip is not: an unknown figure is not a pass.
    pub fn allows_purchase(self) -> bool {
        matches!(self, Status::NotControlled | Status::Notified)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A chip figure that a condition tests. The TOML key of each names its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Metric {
    /// Total processing performance (dimensionless, 88 FR 73458).
    Tpp,
    /// TPP per mm² of logic die.
    PerformanceDensity,
    /// Aggregate bidirectional I/O, GB/s: scale-up link plus host PCIe where published.
    IoBidirGbPerS,
    /// Memory (HBM or DRAM) bandwidth, TB/s.
    HbmTbPerS,
    /// Scale-up link bandwidth, GB/s, bidirectional total.
    IntraNodeGbPerS,
    /// Memory bandwidth plus aggregate bidirectional I/O, GB/s (the Apr-2025 "combination").
    DramPlusIoGbPerS,
}

impl Metric {
    /// Every metric, in the order tier conditions are listed.
    pub const ALL: [Metric; 6] = [
        Metric::Tpp,
        Metric::PerformanceDensity,
        Metric::IoBidirGbPerS,
        Metric::HbmTbPerS,
        Metric::IntraNodeGbPerS,
        Metric::DramPlusIoGbPerS,
    ];

    /// The key in `rules.toml`.
    pub fn key(self) -> &'static str {
        match self {
            Metric::Tpp => "tpp",
            Metric::PerformanceDensity => "performance_density",
            Metric::IoBidirGbPerS => "io_bidir_gb_per_s",
            Metric::HbmTbPerS => "hbm_tb_per_s",
            Metric::IntraNodeGbPerS => "intra_node_gb_per_s",
            Metric::DramPlusIoGbPerS => "dram_plus_io_gb_per_s",
        }
    }

    /// The short name used in reasons.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Tpp => "TPP",
            Metric::PerformanceDensity => "PD",
            Metric::IoBidirGbPerS => "I/O",
            Metric::HbmTbPerS => "memory bandwidth",
            Metric::IntraNodeGbPerS => "interconnect",
            Metric::DramPlusIoGbPerS => "memory + I/O",
        }
    }

    /// The unit written after a value, with its leading space (empty for TPP and PD).
    pub fn unit(self) -> &'static str {
        match self {
            Metric::Tpp | Metric::PerformanceDensity => "",
            Metric::IoBidirGbPerS | Metric::IntraNodeGbPerS | Metric::DramPlusIoGbPerS => " GB/s",
            Metric::HbmTbPerS => " TB/s",
        }
    }

    /// A threshold as people write it: `4,800`, `5.92`, `3.2`, `4.0`, `600`.
    pub fn threshold_text(self, t: f64) -> String {
        if t.fract() == 0.0 && t.abs() >= 1000.0 {
            grouped(t)
        } else if t.fract() == 0.0 {
            match self {
                Metric::PerformanceDensity | Metric::HbmTbPerS => format!("{t:.1}"),
                _ => format!("{t:.0}"),
            }
        } else {
            format!("{t}")
        }
    }

    /// A chip's value as people read it: TPP and bandwidths in GB/s whole and grouped, PD and
    /// TB/s to two decimals.
    pub fn value_text(self, v: f64) -> String {
        match self {
            Metric::Tpp
            | Metric::IoBidirGbPerS
            | Metric::IntraNodeGbPerS
            | Metric::DramPlusIoGbPerS => grouped(v),
            Metric::PerformanceDensity | Metric::HbmTbPerS => format!("{v:.2}"),
        }
    }
}

/// One test on a chip.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Condition {
    /// The figure is at least the threshold (`{ min = X }`).
    AtLeast(Metric, f64),
    /// The figure is below the threshold (`{ below = Y }`).
    Below(Metric, f64),
    /// The chip is (`true`) or is not (`false`) designed or marketed for data centres.
    Datacenter(bool),
    /// The chip reaches buyers this way (`us_market = "commercial"`, 91 FR 1684).
    UsMarket(UsMarket),
}

impl fmt::Display for Condition {
    /// The condition in words: `TPP ≥ 4,800`, `I/O ≥ 600 GB/s`, `not a datacenter part`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Condition::AtLeast(m, t) => {
                write!(f, "{} ≥ {}{}", m.name(), m.threshold_text(t), m.unit())
            }
            Condition::Below(m, t) => {
                write!(f, "{} < {}{}", m.name(), m.threshold_text(t), m.unit())
            }
            Condition::Datacenter(true) => f.write_str("a datacenter part"),
            Condition::Datacenter(false) => f.write_str("not a datacenter part"),
            Condition::UsMarket(m) => f.write_str(market_text(m)),
        }
    }
}

/// How a [`UsMarket`] reads in a reason.
pub fn market_text(m: UsMarket) -> &'static str {
    match m {
        UsMarket::Commercial => "sold commercially in the US",
        UsMarket::ChinaOnly => "a China-only SKU",
        UsMarket::NotExported => "not a US export",
        UsMarket::CloudOnly => "not sold as chips (cloud only)",
    }
}

/// Conditions that must all hold: one member of an `any_of` group.
pub type Branch = Vec<Condition>;

/// One clause of a tier: a condition, or a group of which at least one branch must hold.
#[derive(Debug, Clone, PartialEq)]
pub enum Clause {
    /// A single condition.
    Condition(Condition),
    /// `any_of`: at least one branch holds in full.
    AnyOf(Vec<Branch>),
}

/// One tier of a rule: a status that applies when every clause holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Tier {
    /// The status the tier gives.
    pub status: Status,
    /// Which paragraph of the rule (`3A090.a`); unique within a rule.
    pub label: String,
    /// The label of the inherited tier this one refines (its clauses come first in `clauses`).
    pub refines: Option<String>,
    /// Clauses that must all hold; none means the tier always holds.
    pub clauses: Vec<Clause>,
}

impl Tier {
    /// The tier's conditions in words: `TPP ≥ 4,800 or (TPP ≥ 1,600 and PD ≥ 5.92)`.
    pub fn conditions_text(&self) -> String {
        if self.clauses.is_empty() {
            return "always".into();
        }
        let many = self.clauses.len() > 1;
        let parts: Vec<String> = self
            .clauses
            .iter()
            .map(|c| match c {
                Clause::Condition(c) => c.to_string(),
                Clause::AnyOf(branches) => {
                    let alts: Vec<String> = branches
                        .iter()
                        .map(|b| {
                            let t = branch_text(b);
                            if b.len() > 1 && branches.len() > 1 {
                                format!("({t})")
                            } else {
                                t
                            }
                        })
                        .collect();
                    let t = alts.join(" or ");
                    if many && branches.len() > 1 {
                        format!("({t})")
                    } else {
                        t
                    }
                }
            })
            .collect();
        parts.join(" and ")
    }
}

/// A branch in words, writing `X ≥ a and X < b` as `a ≤ X < b`.
fn branch_text(b: &[Condition]) -> String {
    let mut parts = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (Condition::AtLeast(m, lo), Some(&Condition::Below(m2, hi))) if m == m2 => {
                parts.push(format!(
                    "{} ≤ {} < {}{}",
                    m.threshold_text(lo),
                    m.name(),
                    m.threshold_text(hi),
                    m.unit()
                ));
                i += 2;
            }
            (c, _) => {
                parts.push(c.to_string());
                i += 1;
            }
        }
    }
    parts.join(" and ")
}

/// An export-control rule: ordered tiers, first match wins.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Stable id (`oct-2023`).
    pub id: String,
    /// What the rule is.
    pub name: String,
    /// Date it took effect, `YYYY-MM-DD`; `None` for a hypothetical rule.
    pub effective: Option<String>,
    /// Date it stopped applying, `YYYY-MM-DD`, if it was rescinded (the AI Diffusion rule).
    pub rescinded: Option<String>,
    /// Citation(s).
    pub source: String,
    /// Caveats.
    pub notes: Option<String>,
    /// The rule whose tiers this one started from.
    pub extends: Option<String>,
    /// What the reason says when no tier holds (`outside 3A090`).
    pub otherwise: String,
    /// The tiers, in the order they are tried (inherited ones resolved in).
    pub tiers: Vec<Tier>,
}

/// The thresholds of a hypothetical one-tier rule ([`Rule::custom`]); `None` is not tested.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CustomThresholds {
    /// TPP at or above which a chip is controlled.
    pub tpp_min: Option<f64>,
    /// Performance density at or above which a chip is controlled.
    pub pd_min: Option<f64>,
    /// Scale-up interconnect, bidirectional GB/s.
    pub interconnect_min_gb_per_s: Option<f64>,
    /// Memory bandwidth, TB/s.
    pub memory_bw_min_tb_per_s: Option<f64>,
    /// Memory bandwidth plus aggregate bidirectional I/O, GB/s (Apr-2025's "combination").
    pub dram_plus_io_min_gb_per_s: Option<f64>,
}

impl Rule {
    /// A one-tier hypothetical rule for scenarios: `controlled` when any given threshold is
    /// met (TPP, performance density, scale-up interconnect in bidirectional GB/s, memory
    /// bandwidth in TB/s, memory plus I/O bandwidth in GB/s). Thresholds left out are not
    /// tested.
    ///
    /// Errors when no threshold is given or one is not a positive number; the message names
    /// the parameter, and the caller attaches its own file and key.
    pub fn custom(id: &str, t: CustomThresholds) -> Result<Rule, InputError> {
        let given = [
            ("tpp_min", Metric::Tpp, t.tpp_min),
            ("pd_min", Metric::PerformanceDensity, t.pd_min),
            (
                "interconnect_min_gb_per_s",
                Metric::IntraNodeGbPerS,
                t.interconnect_min_gb_per_s,
            ),
            (
                "memory_bw_min_tb_per_s",
                Metric::HbmTbPerS,
                t.memory_bw_min_tb_per_s,
            ),
            (
                "dram_plus_io_min_gb_per_s",
                Metric::DramPlusIoGbPerS,
                t.dram_plus_io_min_gb_per_s,
            ),
        ];
        let mut branches = Vec::new();
        for (name, metric, value) in given {
            if let Some(v) = value {
                if !(v.is_finite() && v > 0.0) {
                    return Err(InputError::new(format!(
                        "custom threshold `{name}` must be a positive number, got {v}"
                    ))
                    .with_hint("leave a threshold out to not test that figure"));
                }
                branches.push(vec![Condition::AtLeast(metric, v)]);
            }
        }
        if branches.is_empty() {
            return Err(InputError::new("a custom rule needs at least one threshold").with_hint(
                "give one or more of tpp_min, pd_min, interconnect_min_gb_per_s, memory_bw_min_tb_per_s, dram_plus_io_min_gb_per_s",
            ));
        }
        Ok(Rule {
            id: id.to_string(),
            name: "custom thresholds".into(),
            effective: None,
            rescinded: None,
            source: "user-defined thresholds (hypothetical rule)".into(),
            notes: None,
            extends: None,
            otherwise: "below every custom threshold".into(),
            tiers: vec![Tier {
                status: Status::Controlled,
                label: "custom thresholds".into(),
                refines: None,
                clauses: vec![Clause::AnyOf(branches)],
            }],
        })
    }
}

/// The built-in rules, sorted by effective date.
///
/// # Panics
/// Never in a released build: the embedded file is checked by the test suite.
pub fn builtin_rules() -> Vec<Rule> {
    static RULES: OnceLock<Vec<Rule>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            parse_rules(RULES_TOML, "<built-in rules.toml>", &[])
                .expect("built-in rules.toml is valid")
        })
        .clone()
}

/// A built-in rule by id (case-insensitive), with a did-you-mean hint on a miss.
pub fn builtin_rule(id: &str) -> Result<Rule, InputError> {
    find_rule(&builtin_rules(), id).cloned()
}

/// A rule of `rules` by id (case-insensitive), with a did-you-mean hint on a miss.
pub fn find_rule<'a>(rules: &'a [Rule], id: &str) -> Result<&'a Rule, InputError> {
    let lower = id.to_ascii_lowercase();
    if let Some(r) = rules.iter().find(|r| r.id == lower) {
        return Ok(r);
    }
    let e = InputError::new(format!("unknown rule `{id}`"));
    Err(
        match did_you_mean(&lower, rules.iter().map(|r| r.id.as_str())) {
            Some(s) => e.with_hint(format!(
                "did you mean `{s}`? `trainsim catalog rules` lists them all"
            )),
            None => e.with_hint("`trainsim catalog rules` lists the known rules"),
        },
    )
}

pub(crate) use crate::format::grouped;

#[cfg(test)]
mod tests {
    use super::super::rules_file::is_date;
    use super::*;

    fn rule<'a>(rules: &'a [Rule], id: &str) -> &'a Rule {
        rules.iter().find(|r| r.id == id).unwrap()
    }

    #[test]
    fn builtin_rules_parse_and_are_sorted_by_date() {
        let rules = builtin_rules();
        let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(
            ids,
            ["aug-2022", "oct-2022", "oct-2023", "dec-2024", "jan-2025", "apr-2025", "jan-2026"]
        );
        for r in &rules {
            assert!(r.effective.as_deref().is_some_and(is_date), "{}", r.id);
            assert!(!r.source.is_empty() && !r.name.is_empty(), "{}", r.id);
            assert!(!r.tiers.is_empty(), "{}", r.id);
        }
        // Every Federal Register rule cites its FR page.
        for (id, fr) in [
            ("oct-2022", "87 FR 62186"),
            ("oct-2023", "88 FR 73458"),
            ("dec-2024", "89 FR 96790"),
            ("jan-2025", "90 FR 4544"),
            ("jan-2026", "91 FR 1684"),
        ] {
            assert!(rule(&rules, id).source.contains(fr), "{id}");
        }
        // Issue 11: the letters cite the filings that disclosed them; the AI Diffusion rule
        // was rescinded on 13 May 2025, before compliance was due; only it was.
        assert!(rule(&rules, "aug-2022").source.contains("8-K"));
        assert!(rule(&rules, "apr-2025").source.contains("8-K"));
        for r in &rules {
            let want = (r.id == "jan-2025").then_some("2025-05-13");
            assert_eq!(r.rescinded.as_deref(), want, "{}", r.id);
        }
    }

    #[test]
    fn extends_appends_and_refines_splits_the_inherited_tier() {
        let rules = builtin_rules();
        let labels = |id: &str| -> Vec<String> {
            rule(&rules, id)
                .tiers
                .iter()
                .map(|t| t.label.clone())
                .collect()
        };
        let oct23 = labels("oct-2023");
        let apr25 = labels("apr-2025");
        assert_eq!(apr25[..oct23.len()], oct23[..]);
        assert_eq!(
            apr25.last().unwrap(),
            "H20-class licence requirement (Apr 2025 letters)"
        );
        let jan26 = labels("jan-2026");
        let a = jan26.iter().position(|l| l == "3A090.a").unwrap();
        assert_eq!(
            jan26[a - 4],
            "3A090.a, review policy n/a (not a US export, or not sold as chips)"
        );
        assert_eq!(
            jan26[a - 3],
            "3A090.a, presumption of denial (not sold in the US)"
        );
        assert_eq!(jan26[a - 2], "3A090.a, presumption of denial");
        assert_eq!(jan26[a - 1], "3A090.a, case-by-case review");
        assert_eq!(jan26.len(), apr25.len() + 4);
        // Rules without tiers of their own (the HBM control, AI Diffusion) keep the parent's.
        assert_eq!(labels("dec-2024"), oct23);
        assert_eq!(labels("jan-2025"), oct23);
        // A refining tier carries the refined tier's clauses first.
        let j = rule(&rules, "jan-2026");
        assert_eq!(j.tiers[a - 1].clauses[0], j.tiers[a].clauses[0]);
        assert_eq!(j.otherwise, "outside 3A090 and the H20 licence requirement");
    }

    #[test]
    fn tiers_read_as_text() {
        let rules = builtin_rules();
        let t = &rule(&rules, "oct-2023").tiers;
        assert_eq!(
            t[1].conditions_text(),
            "TPP ≥ 4,800 or (TPP ≥ 1,600 and PD ≥ 5.92)"
        );
        assert_eq!(
            t[2].conditions_text(),
            "(2,400 ≤ TPP < 4,800 and 1.6 ≤ PD < 5.92) or (TPP ≥ 1,600 and 3.2 ≤ PD < 5.92)"
        );
        assert_eq!(
            t[0].conditions_text(),
            "not a datacenter part and TPP < 4,800"
        );
        assert_eq!(
            rule(&rules, "oct-2022").tiers[0].conditions_text(),
            "TPP ≥ 4,800 and I/O ≥ 600 GB/s"
        );
    }

    #[test]
    fn unknown_ids_get_a_suggestion() {
        let e = builtin_rule("oct2023").unwrap_err();
        assert!(e.to_string().contains("unknown rule `oct2023`"), "{e}");
        assert!(
            e.hint
                .as_deref()
                .unwrap_or("")
                .contains("did you mean `oct-2023`?"),
            "{e}"
        );
        assert_eq!(builtin_rule("OCT-2023").unwrap().id, "oct-2023");
    }

    const GOOD: &str = r#"[my-rule]
name = "hypothetical"
effective = "2027-01-01"
source = "thought experiment"
extends = "oct-2023"

[[my-rule.tiers]]
status = "controlled"
label = "tight"
tpp = { min = 1000 }
"#;

    #[test]
    fn a_user_rule_may_extend_a_builtin_one() {
        let rules = parse_rules(GOOD, "mine.toml", &builtin_rules()).unwrap();
        assert_eq!(rules.len(), 1);
        let r = &rules[0];
        assert_eq!(
            r.tiers.len(),
            rule(&builtin_rules(), "oct-2023").tiers.len() + 1
        );
        assert_eq!(r.otherwise, "outside 3A090");
    }

    fn error_of(src: &str) -> String {
        parse_rules(src, "mine.toml", &builtin_rules())
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn bad_user_rules_name_file_key_and_line() {
        // An unknown key inside the first tier (line 9).
        let e = error_of(&GOOD.replace("tpp = { min = 1000 }", "tpp = { mn = 1000 }"));
        assert!(e.starts_with("mine.toml:10:"), "{e}");
        assert!(
            e.contains("`my-rule.tiers[0].tpp`") && e.contains("unknown field `mn`"),
            "{e}"
        );
        let e = error_of(&GOOD.replace("tpp = { min = 1000 }", "tops = { min = 1000 }"));
        assert!(
            e.starts_with("mine.toml:10:1: `my-rule.tiers[0].tops`: unknown field"),
            "{e}"
        );
        // An empty range.
        let e = error_of(&GOOD.replace("{ min = 1000 }", "{ min = 1000, below = 900 }"));
        assert!(
            e.starts_with("mine.toml:10:1: `my-rule.tiers[0].tpp`: `min` 1000 is not below"),
            "{e}"
        );
        // A negative threshold inside any_of.
        let e = error_of(&GOOD.replace(
            "tpp = { min = 1000 }",
            "any_of = [{ hbm_tb_per_s = { min = -4 } }]",
        ));
        assert!(
            e.starts_with(
                "mine.toml:10:1: `my-rule.tiers[0].any_of[0].hbm_tb_per_s.min`: must be a positive"
            ),
            "{e}"
        );
        // A bad status: the parser's own message and position.
        let e = error_of(&GOOD.replace("\"controlled\"", "\"banned\""));
        assert!(
            e.starts_with("mine.toml:8:10: `my-rule.tiers[0].status`:"),
            "{e}"
        );
        // A missing key names the table it is missing from.
        let e = error_of(&GOOD.replace("label = \"tight\"\n", ""));
        assert!(
            e.contains("`my-rule.tiers[0]`") && e.contains("missing field `label`"),
            "{e}"
        );
        // A typo in extends, a bad date, a reused built-in id.
        let e = error_of(&GOOD.replace("\"oct-2023\"", "\"oct-2032\""));
        assert!(
            e.starts_with("mine.toml:5:1: `my-rule.extends`: unknown rule `oct-2032`")
                && e.contains("did you mean"),
            "{e}"
        );
        let e = error_of(&GOOD.replace("2027-01-01", "Jan 2027"));
        assert!(e.starts_with("mine.toml:3:1: `my-rule.effective`"), "{e}");
        let e = error_of(&GOOD.replace(
            "effective = \"2027-01-01\"",
            "effective = \"2027-01-01\"\nrescinded = \"2026-05-13\"",
        ));
        assert!(
            e.starts_with("mine.toml:4:1: `my-rule.rescinded`: `2026-05-13` is before"),
            "{e}"
        );
        let e = error_of(&GOOD.replace("tpp = { min = 1000 }", "us_market = \"usa\""));
        assert!(
            e.starts_with("mine.toml:10:") && e.contains("`my-rule.tiers[0].us_market`"),
            "{e}"
        );
        let e = error_of(&GOOD.replace("my-rule", "oct-2023"));
        assert!(e.contains("already a built-in rule"), "{e}");
    }

    #[test]
    fn refines_and_extends_are_checked() {
        let e = error_of(&GOOD.replace(
            "label = \"tight\"",
            "label = \"tight\"\nrefines = \"3A090.c\"",
        ));
        assert!(
            e.starts_with(
                "mine.toml:10:1: `my-rule.tiers[0].refines`: no inherited tier `3A090.c`"
            ),
            "{e}"
        );
        let e = error_of(&GOOD.replace("label = \"tight\"", "label = \"3A090.a\""));
        assert!(e.contains("already the label"), "{e}");
        let looped = "[x]\nname = \"x\"\nsource = \"s\"\nextends = \"y\"\n[y]\nname = \"y\"\nsource = \"s\"\nextends = \"x\"\n";
        let e = error_of(looped);
        assert!(e.contains("loop: x -> y -> x"), "{e}");
    }

    #[test]
    fn custom_rules_take_any_threshold() {
        let t = CustomThresholds {
            tpp_min: Some(1600.0),
            interconnect_min_gb_per_s: Some(900.0),
            dram_plus_io_min_gb_per_s: Some(1700.0),
            ..CustomThresholds::default()
        };
        let r = Rule::custom("what-if", t).unwrap();
        assert_eq!(r.tiers.len(), 1);
        assert_eq!(
            r.tiers[0].conditions_text(),
            "TPP ≥ 1,600 or interconnect ≥ 900 GB/s or memory + I/O ≥ 1,700 GB/s"
        );
        assert!(Rule::custom("none", CustomThresholds::default()).is_err());
        let bad = CustomThresholds {
            tpp_min: Some(f64::NAN),
            ..CustomThresholds::default()
        };
        let e = Rule::custom("bad", bad).unwrap_err();
        assert!(e.message.contains("`tpp_min`"), "{e}");
    }

    /// Issue 11: the Apr-2025 sum condition is a key of user files too.
    #[test]
    fn a_user_rule_may_test_memory_plus_io() {
        let src = GOOD.replace(
            "tpp = { min = 1000 }",
            "dram_plus_io_gb_per_s = { min = 1700 }",
        );
        let r = &parse_rules(&src, "mine.toml", &builtin_rules()).unwrap()[0];
        assert_eq!(
            r.tiers.last().unwrap().conditions_text(),
            "memory + I/O ≥ 1,700 GB/s"
        );
    }

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(grouped(15_832.0), "15,832");
        assert_eq!(grouped(4_707.2), "4,707");
        assert_eq!(grouped(600.0), "600");
        assert_eq!(Metric::PerformanceDensity.threshold_text(3.2), "3.2");
        assert_eq!(Metric::HbmTbPerS.threshold_text(4.0), "4.0");
        assert_eq!(Metric::Tpp.threshold_text(21_000.0), "21,000");
        assert!(is_date("2026-01-15") && !is_date("2026-13-01") && !is_date("26-01-15"));
    }
}
