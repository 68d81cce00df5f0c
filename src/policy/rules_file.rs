//! The rule file format (`src/catalog/rules.toml` and `--rules FILE`): raw TOML types,
//! their validation, and `extends`/`refines` resolution into [`Rule`]s, with every error
//! naming the file, the key path (`rule.tiers[i].key`), its line and column, and a hint.
//!
//! The types a file resolves into and the format's documentation are in `rules.rs` and at
//! the top of `rules.toml`.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::rules::{Clause, Condition, Metric, Rule, Status, Tier};
use crate::catalog::UsMarket;
use crate::error::{did_you_mean, InputError, Location};

/// Load a user rule file (same format as `rules.toml`); its rules may extend `known` ones.
pub fn load_rules_file(path: &Path, known: &[Rule]) -> Result<Vec<Rule>, InputError> {
    let src = crate::catalog::read_text(path)?;
    parse_rules(&src, &path.display().to_string(), known)
}

/// Parse rules from TOML text, naming `file` in errors. Rules may extend each other or any
/// of `known`, whose ids they may not reuse. Returns the new rules sorted by effective date
/// (rules without a date last), then id.
pub fn parse_rules(src: &str, file: &str, known: &[Rule]) -> Result<Vec<Rule>, InputError> {
    let raw: BTreeMap<String, RawRule> = toml::from_str(src).map_err(|e| {
        let key = e.span().and_then(|s| key_at(src, s.start));
        let err = InputError::from_toml(src, &e).in_file(file);
        match key {
            Some(k) => err.at_key(k),
            None => err,
        }
    })?;
    let mut ctx = Resolver {
        src,
        file,
        raw: &raw,
        known,
        done: BTreeMap::new(),
    };
    for id in raw.keys() {
        ctx.resolve(id, &mut Vec::new())?;
    }
    let mut rules: Vec<Rule> = ctx.done.into_values().collect();
    rules.sort_by(|a, b| {
        (a.effective.is_none(), &a.effective, &a.id).cmp(&(
            b.effective.is_none(),
            &b.effective,
            &b.id,
        ))
    });
    Ok(rules)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    name: String,
    effective: Option<String>,
    rescinded: Option<String>,
    source: String,
    notes: Option<String>,
    extends: Option<String>,
    otherwise: Option<String>,
    #[serde(default)]
    tiers: Vec<RawTier>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTier {
    status: Status,
    label: String,
    refines: Option<String>,
    #[serde(default)]
    any_of: Option<Vec<RawConditions>>,
    datacenter: Option<bool>,
    us_market: Option<UsMarket>,
    tpp: Option<RawRange>,
    performance_density: Option<RawRange>,
    io_bidir_gb_per_s: Option<RawRange>,
    hbm_tb_per_s: Option<RawRange>,
    intra_node_gb_per_s: Option<RawRange>,
    dram_plus_io_gb_per_s: Option<RawRange>,
}

/// The condition keys of a tier or of one `any_of` member.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConditions {
    datacenter: Option<bool>,
    us_market: Option<UsMarket>,
    tpp: Option<RawRange>,
    performance_density: Option<RawRange>,
    io_bidir_gb_per_s: Option<RawRange>,
    hbm_tb_per_s: Option<RawRange>,
    intra_node_gb_per_s: Option<RawRange>,
    dram_plus_io_gb_per_s: Option<RawRange>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRange {
    min: Option<f64>,
    below: Option<f64>,
}

impl RawTier {
    fn own_conditions(&self) -> RawConditions {
        RawConditions {
            datacenter: self.datacenter,
            us_market: self.us_market,
            tpp: self.tpp,
            performance_density: self.performance_density,
            io_bidir_gb_per_s: self.io_bidir_gb_per_s,
            hbm_tb_per_s: self.hbm_tb_per_s,
            intra_node_gb_per_s: self.intra_node_gb_per_s,
            dram_plus_io_gb_per_s: self.dram_plus_io_gb_per_s,
        }
    }
}

impl RawConditions {
    fn range(&self, m: Metric) -> Option<RawRange> {
        match m {
            Metric::Tpp => self.tpp,
            Metric::PerformanceDensity => self.performance_density,
            Metric::IoBidirGbPerS => self.io_bidir_gb_per_s,
            Metric::HbmTbPerS => self.hbm_tb_per_s,
            Metric::IntraNodeGbPerS => self.intra_node_gb_per_s,
            Metric::DramPlusIoGbPerS => self.dram_plus_io_gb_per_s,
        }
    }

    /// The conditions, datacenter first then metrics in [`Metric::ALL`] order; an error
    /// message names the offending key (relative to this table).
    fn conditions(&self) -> Result<Vec<Condition>, (String, String, &'static str)> {
        let mut out = Vec::new();
        if let Some(d) = self.datacenter {
            out.push(Condition::Datacenter(d));
        }
        if let Some(m) = self.us_market {
            out.push(Condition::UsMarket(m));
        }
        for m in Metric::ALL {
            let Some(r) = self.range(m) else { continue };
            for (bound, v) in [("min", r.min), ("below", r.below)] {
                if let Some(v) = v {
                    if !(v.is_finite() && v > 0.0) {
                        return Err((
                            format!("{}.{bound}", m.key()),
                            format!("must be a positive number, got {v}"),
                            "thresholds are positive; leave a bound out to not test it",
                        ));
                    }
                }
            }
            match (r.min, r.below) {
                (None, None) => {
                    return Err((
                        m.key().to_string(),
                        "needs `min`, `below` or both".into(),
                        "write e.g. `tpp = { min = 4800 }` (TPP ≥ 4800) or `{ below = 4800 }`",
                    ))
                }
                (Some(lo), Some(hi)) if lo >= hi => {
                    return Err((
                        m.key().to_string(),
                        format!("`min` {lo} is not below `below` {hi}: no chip can match"),
                        "`min` is the lowest value that matches, `below` the first that does not",
                    ))
                }
                _ => {}
            }
            if let Some(lo) = r.min {
                out.push(Condition::AtLeast(m, lo));
            }
            if let Some(hi) = r.below {
                out.push(Condition::Below(m, hi));
            }
        }
        Ok(out)
    }
}

struct Resolver<'a> {
    src: &'a str,
    file: &'a str,
    raw: &'a BTreeMap<String, RawRule>,
    known: &'a [Rule],
    done: BTreeMap<String, Rule>,
}

impl Resolver<'_> {
    /// An error at `key` of rule `id` (`tier`: index of its `[[id.tiers]]` entry).
    fn fail(
        &self,
        id: &str,
        tier: Option<usize>,
        key: &str,
        message: String,
        hint: &str,
    ) -> InputError {
        let (path, at) = match tier {
            Some(i) => (
                format!("{id}.tiers[{i}].{key}"),
                tier_key_location(self.src, id, i, key.split(['.', '[']).next().unwrap_or(key)),
            ),
            None => (
                format!("{id}.{key}"),
                Location::of_key(self.src, &[id], (!key.is_empty()).then_some(key)),
            ),
        };
        InputError::new(message)
            .in_file(self.file)
            .at_key(path.trim_end_matches('.'))
            .at(at)
            .with_hint(hint)
    }

    /// Resolve rule `id` (and, first, the rule it extends) into `self.done`. `stack` holds
    /// the rules being resolved, to report an `extends` loop.
    fn resolve(&mut self, id: &str, stack: &mut Vec<String>) -> Result<(), InputError> {
        if self.done.contains_key(id) {
            return Ok(());
        }
        if stack.iter().any(|s| s == id) {
            stack.push(id.to_string());
            return Err(self.fail(
                &stack[0].clone(),
                None,
                "extends",
                format!("rules extend each other in a loop: {}", stack.join(" -> ")),
                "a rule may only extend an earlier one",
            ));
        }
        let Some(raw) = self.raw.get(id) else {
            return Ok(());
        };
        self.check_header(id, raw)?;
        let parent = self.parent(id, raw, stack)?;
        let inherited: Vec<String> = parent
            .iter()
            .flat_map(|p| p.tiers.iter().map(|t| t.label.clone()))
            .collect();
        let mut tiers: Vec<Tier> = parent.as_ref().map(|p| p.tiers.clone()).unwrap_or_default();
        for (i, rt) in raw.tiers.iter().enumerate() {
            let tier = self.tier(id, i, rt)?;
            self.place(id, i, tier, &mut tiers, &inherited, parent.is_some())?;
        }
        let otherwise = raw
            .otherwise
            .clone()
            .or_else(|| parent.as_ref().map(|p| p.otherwise.clone()))
            .unwrap_or_else(|| "no tier holds".into());
        self.done.insert(
            id.to_string(),
            Rule {
                id: id.to_string(),
                name: raw.name.trim().to_string(),
                effective: raw.effective.clone(),
                rescinded: raw.rescinded.clone(),
                source: raw.source.trim().to_string(),
                notes: raw.notes.clone(),
                extends: raw.extends.clone(),
                otherwise,
                tiers,
            },
        );
        Ok(())
    }

    /// The rule's own fields: its id's spelling, no clash with a built-in id, a name and a
    /// source, and dates in order.
    fn check_header(&self, id: &str, raw: &RawRule) -> Result<(), InputError> {
        if !id.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' || c == '_'
        }) {
            return Err(self.fail(
                id,
                None,
                "",
                format!("rule id `{id}` must be lower-case letters, digits, `-`, `.` or `_`"),
                "e.g. `[my-rule-2027]`",
            ));
        }
        if self.known.iter().any(|r| r.id == id) {
            return Err(self.fail(
                id,
                None,
                "",
                format!("`{id}` is already a built-in rule"),
                "give the new rule an id of its own; `extends` reuses a rule's tiers",
            ));
        }
        for (key, text) in [("name", &raw.name), ("source", &raw.source)] {
            if text.trim().is_empty() {
                return Err(self.fail(
                    id,
                    None,
                    key,
                    "is empty".into(),
                    "say what the rule is and cite where it comes from",
                ));
            }
        }
        for (key, date) in [("effective", &raw.effective), ("rescinded", &raw.rescinded)] {
            if let Some(d) = date {
                if !is_date(d) {
                    return Err(self.fail(
                        id,
                        None,
                        key,
                        format!("`{d}` is not a date"),
                        "write the date as \"YYYY-MM-DD\", e.g. \"2023-11-17\"",
                    ));
                }
            }
        }
        if let (Some(from), Some(to)) = (&raw.effective, &raw.rescinded) {
            if to < from {
                return Err(self.fail(
                    id,
                    None,
                    "rescinded",
                    format!("`{to}` is before the rule took effect on `{from}`"),
                    "`rescinded` is the date the rule stopped applying",
                ));
            }
        }
        Ok(())
    }

    /// The rule `raw` extends, resolved: one of this file (resolved first) or a known one.
    fn parent(
        &mut self,
        id: &str,
        raw: &RawRule,
        stack: &mut Vec<String>,
    ) -> Result<Option<Rule>, InputError> {
        let Some(p) = &raw.extends else {
            return Ok(None);
        };
        if self.raw.contains_key(p.as_str()) {
            stack.push(id.to_string());
            self.resolve(p, stack)?;
            stack.pop();
            return Ok(self.done.get(p.as_str()).cloned());
        }
        if let Some(r) = self.known.iter().find(|r| &r.id == p) {
            return Ok(Some(r.clone()));
        }
        let ids = self
            .raw
            .keys()
            .map(String::as_str)
            .chain(self.known.iter().map(|r| r.id.as_str()));
        let hint = match did_you_mean(p, ids) {
            Some(s) => format!("did you mean `{s}`?"),
            None => "name a built-in rule (`trainsim catalog rules`) or one in this file".into(),
        };
        Err(self.fail(id, None, "extends", format!("unknown rule `{p}`"), &hint))
    }

    /// Tier `i` of rule `id` as written: its label, its own conditions and its `any_of`
    /// groups.
    fn tier(&self, id: &str, i: usize, rt: &RawTier) -> Result<Tier, InputError> {
        if rt.label.trim().is_empty() {
            return Err(self.fail(
                id,
                Some(i),
                "label",
                "is empty".into(),
                "name the paragraph of the rule, e.g. \"3A090.a\"",
            ));
        }
        let mut clauses: Vec<Clause> = rt
            .own_conditions()
            .conditions()
            .map_err(|(k, msg, hint)| self.fail(id, Some(i), &k, msg, hint))?
            .into_iter()
            .map(Clause::Condition)
            .collect();
        if let Some(groups) = &rt.any_of {
            let mut branches = Vec::new();
            for (k, g) in groups.iter().enumerate() {
                let b = g.conditions().map_err(|(key, msg, hint)| {
                    self.fail(id, Some(i), &format!("any_of[{k}].{key}"), msg, hint)
                })?;
                if b.is_empty() {
                    return Err(self.fail(
                        id,
                        Some(i),
                        &format!("any_of[{k}]"),
                        "is empty".into(),
                        "each member of any_of lists conditions, e.g. `{ tpp = { min = 4800 } }`",
                    ));
                }
                branches.push(b);
            }
            if branches.is_empty() {
                return Err(self.fail(
                    id,
                    Some(i),
                    "any_of",
                    "is empty: no chip can match".into(),
                    "list conditions or leave `any_of` out",
                ));
            }
            clauses.push(Clause::AnyOf(branches));
        }
        Ok(Tier {
            status: rt.status,
            label: rt.label.trim().to_string(),
            refines: rt.refines.clone(),
            clauses,
        })
    }

    /// Put `tier` (tier `i` of rule `id`) into `tiers`: appended, or, with `refines`, just
    /// before the inherited tier it names, with that tier's clauses prepended to its own.
    fn place(
        &self,
        id: &str,
        i: usize,
        tier: Tier,
        tiers: &mut Vec<Tier>,
        inherited: &[String],
        has_parent: bool,
    ) -> Result<(), InputError> {
        if tiers.iter().any(|t| t.label == tier.label) {
            return Err(self.fail(
                id,
                Some(i),
                "label",
                format!(
                    "`{}` is already the label of another tier of this rule",
                    tier.label
                ),
                "labels name the paragraph of the rule and are unique within it",
            ));
        }
        let Some(target) = &tier.refines else {
            tiers.push(tier);
            return Ok(());
        };
        let pos = inherited
            .iter()
            .any(|l| l == target)
            .then(|| tiers.iter().position(|t| &t.label == target))
            .flatten();
        let Some(pos) = pos else {
            let hint = if !has_parent {
                "`refines` needs `extends`: it names a tier of the extended rule".to_string()
            } else {
                match did_you_mean(target, inherited.iter().map(String::as_str)) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("the inherited tiers are: {}", inherited.join(", ")),
                }
            };
            return Err(self.fail(
                id,
                Some(i),
                "refines",
                format!("no inherited tier `{target}`"),
                &hint,
            ));
        };
        let mut all = tiers[pos].clauses.clone();
        all.extend(tier.clauses);
        tiers.insert(
            pos,
            Tier {
                clauses: all,
                ..tier
            },
        );
        Ok(())
    }
}

/// `YYYY-MM-DD` with a plausible month and day.
pub(super) fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        s.get(r)
            .filter(|p| p.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|p| p.parse::<u32>().ok())
    };
    matches!((num(0..4), num(5..7), num(8..10)), (Some(_), Some(m), Some(d)) if (1..=12).contains(&m) && (1..=31).contains(&d))
}

/// The header of a TOML line (`[a.b]` -> `a.b`, `[[a.tiers]]` -> `a.tiers`, quotes removed),
/// and whether it is an array-of-tables header.
fn header(line: &str) -> Option<(String, bool)> {
    let t = line.split('#').next().unwrap_or("").trim();
    let (inner, array) = if let Some(x) = t.strip_prefix("[[").and_then(|x| x.strip_suffix("]]")) {
        (x, true)
    } else if let Some(x) = t.strip_prefix('[').and_then(|x| x.strip_suffix(']')) {
        (x, false)
    } else {
        return None;
    };
    Some((
        inner
            .split('.')
            .map(|p| p.trim().trim_matches('"'))
            .collect::<Vec<_>>()
            .join("."),
        array,
    ))
}

/// The location of `key` inside entry `index` of `[[rule.tiers]]`, or of that header.
fn tier_key_location(src: &str, rule: &str, index: usize, key: &str) -> Option<Location> {
    let want = format!("{rule}.tiers");
    let mut offset = 0;
    let mut seen = 0;
    let mut header_at = None;
    for line in src.split_inclusive('\n') {
        if let Some((name, array)) = header(line) {
            if header_at.is_some() {
                break;
            }
            if array && name == want {
                if seen == index {
                    header_at = Some(Location::of_offset(
                        src,
                        offset + line.find('[').unwrap_or(0),
                    ));
                }
                seen += 1;
            }
        } else if header_at.is_some() {
            let trimmed = line.trim_start();
            if let Some(rest) = trimmed.strip_prefix(key) {
                if rest.trim_start().starts_with('=') {
                    return Some(Location::of_offset(
                        src,
                        offset + (line.len() - trimmed.len()),
                    ));
                }
            }
        }
        offset += line.len();
    }
    header_at
}

/// The dotted key at byte `offset` of a rules file (`oct-2023.tiers[1].tpp`), for parse errors.
fn key_at(src: &str, offset: usize) -> Option<String> {
    let offset = offset.min(src.len());
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = src[line_start..].lines().next().unwrap_or("");
    let mut table: Option<String> = None;
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for l in src[..line_start].lines().chain(std::iter::once(line)) {
        if let Some((name, array)) = header(l) {
            table = Some(if array {
                let n = counts.entry(name.clone()).or_insert(0);
                *n += 1;
                format!("{name}[{}]", *n - 1)
            } else {
                name
            });
        }
    }
    let key = if header(line).is_none() {
        line.split('=')
            .next()
            .map(|k| k.trim().trim_matches('"').to_string())
            .filter(|k| !k.is_empty() && !k.contains(['{', '}', '[', ']', ',']))
    } else {
        None
    };
    match (table, key) {
        (Some(t), Some(k)) => Some(format!("{t}.{k}")),
        (Some(t), None) => Some(t),
        (None, k) => k,
    }
}
