//! `[policy]` of one point: the rule (by id or custom thresholds) and its decision on each
//! pool: a purchased pool whose chip the rule does not allow is refused (the point is
//! infeasible) or dropped with a note, as `policy.disallowed` says.

use super::fleet::PoolDraft;
use super::numbers::Numbers;
use super::Ctx;
use crate::error::InputError;
use crate::policy::{builtin_rule, builtin_rules, classify, find_rule, CustomThresholds, Rule};
use crate::scenario::raw::{Disallowed, RawScenario};

/// What the rule leaves of the fleet.
pub(super) struct Admitted {
    /// Indices of the pools that run, in file order.
    pub kept: Vec<usize>,
    /// Dropped and clamped pools, for the summary's `notes`.
    pub notes: Vec<String>,
    /// Why the point cannot run at all, if so.
    pub refused: Option<String>,
}

/// Apply `rule` to the pools: caps clamp (with a note), purchased chips the rule does not
/// allow are refused or dropped.
pub(super) fn admit(
    raw: &RawScenario,
    drafts: &[PoolDraft],
    labels: &[String],
    rule: Option<&Rule>,
) -> Admitted {
    let disallowed = raw
        .policy
        .as_ref()
        .and_then(|p| p.disallowed)
        .unwrap_or_default();
    let mut notes = Vec::new();
    let mut refused = None;
    let mut kept = Vec::with_capacity(drafts.len());
    for (i, d) in drafts.iter().enumerate() {
        if d.gpus() < d.requested {
            notes.push(format!(
                "pool `{}` ({}): {} GPUs asked for, clamped to the cap of {}",
                labels[i],
                d.channel,
                d.requested,
                d.gpus()
            ));
        }
        if let (Some(rule), true) = (rule, d.channel.subject_to_rule()) {
            let c = classify(&d.gpu, rule);
            if !c.status.allows_purchase() {
                let why = format!("not allowed under {}: {}", rule.id, c.reason);
                match disallowed {
                    Disallowed::Refuse => {
                        if refused.is_none() {
                            refused = Some(if drafts.len() == 1 {
                                why
                            } else {
                                format!("pool `{}` (purchase) {why}; set policy.disallowed = \"drop\" to run the other pools without it", labels[i])
                            });
                        }
                    }
                    Disallowed::Drop => {
                        notes.push(format!(
                            "dropped pool `{}` ({} × {}, purchase): {why}",
                            labels[i],
                            d.gpus(),
                            d.gpu.id
                        ));
                        continue;
                    }
                }
            }
        }
        kept.push(i);
    }
    if kept.is_empty() && refused.is_none() {
        refused = Some(format!(
            "every pool was dropped: {}",
            notes
                .iter()
                .filter(|n| n.starts_with("dropped"))
                .cloned()
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    Admitted {
        kept,
        notes,
        refused,
    }
}

/// The export-control rule of `[policy]`: a rule by id (built-in, or of a `--rules`
/// file), custom thresholds, or none.
pub(super) fn rule(
    raw: &RawScenario,
    nums: &Numbers,
    ctx: &Ctx,
    user_rules: &[Rule],
) -> Result<Option<Rule>, InputError> {
    let Some(p) = &raw.policy else {
        return Ok(None);
    };
    let get = |k: &str| nums.get(k).map(|v| v.nominal());
    let custom = CustomThresholds {
        tpp_min: get("policy.tpp_min"),
        pd_min: get("policy.pd_min"),
        interconnect_min_gb_per_s: get("policy.interconnect_min_gb_per_s"),
        memory_bw_min_tb_per_s: get("policy.memory_bw_min_tb_per_s"),
        dram_plus_io_min_gb_per_s: get("policy.dram_plus_io_min_gb_per_s"),
    };
    match (&p.rule, custom != CustomThresholds::default()) {
        (Some(_), true) => Err(ctx.err(
            "policy.rule",
            "both a rule id and custom thresholds are given",
            "give `rule = \"oct-2023\"` or custom thresholds (tpp_min, pd_min, interconnect_min_gb_per_s, memory_bw_min_tb_per_s, dram_plus_io_min_gb_per_s), not both",
        )),
        (Some(r), false) if user_rules.is_empty() => {
            builtin_rule(r).map(Some).map_err(|e| ctx.wrap("policy.rule", e))
        }
        (Some(r), false) => {
            let all: Vec<Rule> = builtin_rules().into_iter().chain(user_rules.iter().cloned()).collect();
            find_rule(&all, r).map(|r| Some(r.clone())).map_err(|e| ctx.wrap("policy.rule", e))
        }
        (None, true) => Rule::custom("custom", custom)
            .map(Some)
            .map_err(|e| ctx.wrap("policy", e)),
        (None, false) if p.disallowed.is_some() => Err(ctx.err(
            "policy.disallowed",
            "says what to do with chips a rule does not allow, but [policy] gives no rule",
            "add `rule = \"oct-2023\"` (`trainsim catalog rules` lists them) or custom thresholds",
        )),
        (None, false) if p.reference.is_some() || p.run_gpus.is_some() => Ok(None),
        (None, false) => Err(ctx.err(
            "policy",
            "[policy] gives neither a rule nor thresholds",
            "write `rule = \"oct-2023\"` (`trainsim catalog rules` lists them) or custom thresholds, or drop [policy]",
        )),
    }
}
