//! From [`RawTimeline`] to [`Timeline`]: every month parsed and checked against the
//! period, every chip, stack, model and rule looked up, every number checked against its
//! range, and each counterfactual applied to a copy of the raw form and resolved the same
//! way (one funnel: a counterfactual cannot skip a check the base case gets).
//!
//! Errors name the file, the key (a dotted path), its line and column and a hint. Rule
//! entries (ids or custom thresholds) are resolved in [`super::rules`].

use std::ops::Range;

use toml::Spanned;

use super::raw::{RawActor, RawCounterfactual, RawSupply, RawTimeline};
use super::{Actor, Line, Progress, Target, Timeline, Variant};
use crate::catalog::{Catalog, GpuSpec, Precision};
use crate::dist::Dist;
use crate::error::{did_you_mean, InputError, Location};
use crate::fleet::{format_month, parse_month, Channel};
use crate::policy::Rule;
use crate::scenario::raw::Num;
use crate::workload::{model_flops_per_token, ParamCounts};

/// Most months in a period (100 years).
pub const MAX_MONTHS: i64 = 1200;
/// Most trials of one timeline.
pub const MAX_TRIALS: i64 = 1_000_000;
/// Trials when the scenario does not say.
pub const DEFAULT_TRIALS: u64 = 1000;
/// Seed when the scenario does not say.
pub const DEFAULT_SEED: u64 = 42;
/// Most GPUs a line may deliver or hold (a billion).
pub const MAX_GPUS: f64 = 1e9;

/// Where errors point.
struct Ctx<'a> {
    file: &'a str,
    src: &'a str,
    known_rules: &'a [Rule],
}

impl Ctx<'_> {
    fn err(&self, key: &str, span: Range<usize>, msg: impl Into<String>, hint: &str) -> InputError {
        InputError::new(msg)
            .in_file(self.file)
            .at_key(key)
            .at(Some(Location::of_offset(self.src, span.start)))
            .with_hint(hint)
    }
    fn err_at<T>(
        &self,
        key: &str,
        v: &Spanned<T>,
        msg: impl Into<String>,
        hint: &str,
    ) -> InputError {
        self.err(key, v.span(), msg, hint)
    }
    fn month(&self, key: &str, v: &Spanned<String>) -> Result<i64, InputError> {
        parse_month(v.get_ref())
            .map_err(|m| self.err_at(key, v, m, "months are written \"YYYY-MM\""))
    }
    fn month_in(
        &self,
        key: &str,
        v: &Spanned<String>,
        lo: i64,
        hi: i64,
    ) -> Result<i64, InputError> {
        let m = self.month(key, v)?;
        if m < lo || m > hi {
            return Err(self.err_at(
                key,
                v,
                format!(
                    "{} is outside the period {}–{}",
                    format_month(m),
                    format_month(lo),
                    format_month(hi)
                ),
                "move the month inside `start`–`end`, or widen the period",
            ));
        }
        Ok(m)
    }
}

/// Resolve `raw` (text `src`, named `file` in messages; `default_name` when it has no name)
/// against the catalog and the known rules (built-in and `--rules FILE`).
pub fn resolve(
    raw: &RawTimeline,
    src: &str,
    file: &str,
    default_name: &str,
    catalog: &Catalog,
    known_rules: &[Rule],
) -> Result<Timeline, InputError> {
    let cx = Ctx {
        file,
        src,
        known_rules,
    };
    let name = match &raw.name {
        Some(n) => {
            check_name(n.get_ref())
                .map_err(|m| cx.err_at("name", n, m, "use letters, digits, `-`, `_` and `.`"))?;
            n.get_ref().clone()
        }
        None => default_name.to_string(),
    };
    let start = cx.month("start", &raw.start)?;
    let end = cx.month("end", &raw.end)?;
    if end < start || end - start >= MAX_MONTHS {
        return Err(cx.err_at(
            "end",
            &raw.end,
            format!(
                "the period {}–{} is empty or longer than {MAX_MONTHS} months",
                format_month(start),
                format_month(end)
            ),
            "`end` is the last month and comes on or after `start`",
        ));
    }
    let target = target(&cx, raw, catalog)?;
    let progress = match &raw.algorithmic_progress {
        None => None,
        Some(p) => {
            let per_year = dist(&cx, "algorithmic_progress.per_year", &p.per_year, 1e-3, 1e3)?;
            let reference = match &p.reference {
                Some(r) => cx.month("algorithmic_progress.reference", r)?,
                None => start,
            };
            Some(Progress {
                per_year,
                reference,
            })
        }
    };
    let model_error = match &raw.model_error {
        None => None,
        Some(m) => Some(dist(&cx, "model_error", m, 1e-3, 1e3)?),
    };
    let trials = match &raw.uncertainty.trials {
        None => DEFAULT_TRIALS,
        Some(t) if (1..=MAX_TRIALS).contains(t.get_ref()) => *t.get_ref() as u64,
        Some(t) => {
            return Err(cx.err_at(
                "uncertainty.trials",
                t,
                format!("{} trials is outside 1–{MAX_TRIALS}", t.get_ref()),
                "1,000 trials give stable p5 and p95",
            ))
        }
    };
    let seed = match &raw.uncertainty.seed {
        None => DEFAULT_SEED,
        Some(s) if *s.get_ref() >= 0 => *s.get_ref() as u64,
        Some(s) => {
            return Err(cx.err_at(
                "uncertainty.seed",
                s,
                "the seed is negative",
                "use a whole number ≥ 0",
            ))
        }
    };
    if raw.actors.is_empty() {
        return Err(InputError::new("the timeline has no actors")
            .in_file(file)
            .at_key("actors")
            .with_hint(
                "add an [[actors]] table with a name and at least one [[actors.supply]] line",
            ));
    }
    let mut chips: Vec<GpuSpec> = Vec::new();
    let base = variant(&cx, "base", raw, start, end, catalog, &mut chips)?;
    let mut variants = vec![base];
    for (i, cf) in raw.counterfactuals.iter().enumerate() {
        let key = format!("counterfactuals.{i}");
        let n = cf.name.get_ref();
        if check_name(n).is_err() || n == "base" || variants.iter().any(|v| &v.name == n) {
            return Err(cx.err_at(
                &format!("{key}.name"),
                &cf.name,
                format!(
                    "`{}` cannot name a counterfactual (empty, `base`, taken or not a plain name)",
                    crate::error::echo(n)
                ),
                "give each counterfactual its own name of letters, digits, `-`, `_` and `.`",
            ));
        }
        let edited = apply(&cx, &key, raw, cf)?;
        let v = variant(&cx, n, &edited, start, end, catalog, &mut chips)
            .map_err(|e| e.with_hint(format!("the error comes from counterfactual `{n}`")))?;
        variants.push(v);
    }
    let chip_ids: Vec<String> = chips.iter().map(|g| g.id.clone()).collect();
    for v in &mut variants {
        v.allowed = allowed_matrix(&v.rules, &chips, start, end);
        license_lines(v, start, end);
    }
    Ok(Timeline {
        name,
        question: raw.question.clone(),
        start,
        end,
        target,
        progress,
        model_error,
        trials,
        seed,
        chips,
        chip_ids,
        variants,
    })
}

fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{}` cannot name an output folder",
            crate::error::echo(name)
        ))
    }
}

/// A number or distribution whose whole support lies in `[lo, hi]`.
fn dist(cx: &Ctx, key: &str, v: &Spanned<Num>, lo: f64, hi: f64) -> Result<Dist, InputError> {
    let d = match *v.get_ref() {
        Num::Dist(d) => d,
        n => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            Dist::Uniform { min: x, max: x }
        }
    };
    d.check()
        .map_err(|m| cx.err_at(key, v, m, "see scenarios/README.md for the distributions"))?;
    let (a, b) = d.support();
    if !(a >= lo && b <= hi) {
        let what = if a < 0.0 { "negative" } else { "out of range" };
        return Err(cx.err_at(
            key,
            v,
            format!(
                "{} can be {what}: its values span {a}–{b}, allowed {lo}–{hi}",
                d.describe()
            ),
            "rates, counts and multipliers are never negative",
        ));
    }
    Ok(d)
}

fn target(cx: &Ctx, raw: &RawTimeline, catalog: &Catalog) -> Result<Target, InputError> {
    let t = &raw.target;
    let model = catalog
        .model(t.model.get_ref())
        .map_err(|e| {
            e.in_file(cx.file)
                .at_key("target.model")
                .at(Some(Location::of_offset(cx.src, t.model.span().start)))
        })?
        .clone();
    let precision = match &t.precision {
        None => Precision::Bf16,
        Some(p) => Precision::parse(p.get_ref()).map_err(|e| {
            e.in_file(cx.file)
                .at_key("target.precision")
                .at(Some(Location::of_offset(cx.src, p.span().start)))
        })?,
    };
    let days = *t.max_run_days.get_ref();
    if !(days > 0.0 && days <= 3650.0) {
        return Err(cx.err_at(
            "target.max_run_days",
            &t.max_run_days,
            format!("{days} days is outside 0–3,650"),
            "a frontier run takes 50–120 days",
        ));
    }
    let fpt = model_flops_per_token(&model, &ParamCounts::of(&model), model.seq_len);
    let (tokens, flop) = match (&t.train_tokens, &t.effective_flop) {
        (Some(k), None) if *k.get_ref() > 0.0 && k.get_ref().is_finite() => {
            (*k.get_ref(), fpt * *k.get_ref())
        }
        (None, Some(f)) if *f.get_ref() > 0.0 && f.get_ref().is_finite() => {
            (*f.get_ref() / fpt, *f.get_ref())
        }
        (Some(k), None) => {
            return Err(cx.err_at(
                "target.train_tokens",
                k,
                "the token count is not positive",
                "e.g. train_tokens = 14.8e12",
            ))
        }
        (None, Some(f)) => {
            return Err(cx.err_at(
                "target.effective_flop",
                f,
                "the compute is not positive",
                "e.g. effective_flop = 3.8e25",
            ))
        }
        _ => {
            return Err(cx.err_at(
                "target",
                &t.model,
                "give exactly one of `train_tokens` and `effective_flop`",
                "`train_tokens` with the model, or `effective_flop` (model FLOP) alone",
            ))
        }
    };
    Ok(Target {
        model,
        precision,
        train_tokens: tokens,
        flop,
        flop_per_token: fpt,
        max_run_days: days,
    })
}

/// Resolve the actors and rule timeline of one (possibly edited) raw form.
fn variant(
    cx: &Ctx,
    name: &str,
    raw: &RawTimeline,
    start: i64,
    end: i64,
    catalog: &Catalog,
    chips: &mut Vec<GpuSpec>,
) -> Result<Variant, InputError> {
    let mut actors = Vec::with_capacity(raw.actors.len());
    let mut slot = 0usize;
    for (i, a) in raw.actors.iter().enumerate() {
        let actor = actor(cx, i, a, start, end, catalog, chips, &mut slot)?;
        if actors.iter().any(|b: &Actor| b.name == actor.name) {
            return Err(cx.err_at(
                &format!("actors.{i}.name"),
                &a.name,
                "two actors have this name",
                "give each actor its own name",
            ));
        }
        actors.push(actor);
    }
    let mut rules: Vec<(i64, Rule)> = Vec::new();
    for (month, id) in &raw.policy.timeline {
        let key = format!("policy.timeline.\"{month}\"");
        let m = parse_month(month)
            .map_err(|msg| cx.err_at(&key, id, msg, "months are written \"YYYY-MM\""))?;
        if m < start || m > end {
            return Err(cx.err_at(
                &key,
                id,
                format!(
                    "{month} is outside the period {}–{}",
                    format_month(start),
                    format_month(end)
                ),
                "move the rule inside `start`–`end`",
            ));
        }
        if rules.iter().any(|(n, _)| *n == m) {
            return Err(cx.err_at(
                &key,
                id,
                format!("two rules take effect in {}", format_month(m)),
                "one rule per month: the later rule replaces the earlier",
            ));
        }
        let rule = super::rules::resolve_entry(cx.file, cx.src, &key, month, id, cx.known_rules)?;
        rules.push((m, rule));
    }
    rules.sort_by_key(|(m, _)| *m);
    Ok(Variant {
        name: name.to_string(),
        actors,
        rules,
        allowed: Vec::new(),
    })
}

#[allow(clippy::too_many_arguments)]
fn actor(
    cx: &Ctx,
    i: usize,
    a: &RawActor,
    start: i64,
    end: i64,
    catalog: &Catalog,
    chips: &mut Vec<GpuSpec>,
    slot: &mut usize,
) -> Result<Actor, InputError> {
    let key = format!("actors.{i}");
    if a.name.get_ref().trim().is_empty() {
        return Err(cx.err_at(
            &format!("{key}.name"),
            &a.name,
            "the actor has no name",
            "e.g. name = \"CN lab\"",
        ));
    }
    let year = a.year.as_ref().map(|y| *y.get_ref() as i32);
    let stack = catalog
        .resolve_stack(a.stack.as_ref().map(|s| s.get_ref().as_str()), year)
        .map_err(|e| {
            let (k, span) = match (&a.stack, &a.year) {
                (Some(s), _) => (format!("{key}.stack"), s.span()),
                (None, Some(y)) => (format!("{key}.year"), y.span()),
                _ => (format!("{key}.name"), a.name.span()),
            };
            e.in_file(cx.file)
                .at_key(k)
                .at(Some(Location::of_offset(cx.src, span.start)))
        })?;
    if a.supply.is_empty() {
        return Err(cx.err_at(&format!("{key}.supply"), &a.name, format!("actor `{}` has no supply", a.name.get_ref()), "add at least one [[actors.supply]] line with gpu, channel and initial or rate_per_month"));
    }
    let mut lines = Vec::with_capacity(a.supply.len());
    for (j, s) in a.supply.iter().enumerate() {
        lines.push(line(
            cx,
            &format!("{key}.supply.{j}"),
            s,
            start,
            end,
            catalog,
            chips,
            slot,
        )?);
    }
    Ok(Actor {
        name: a.name.get_ref().clone(),
        stack: stack.clone(),
        subject_to_rules: a.subject_to_rules.unwrap_or(true),
        lines,
    })
}

#[allow(clippy::too_many_arguments)]
fn line(
    cx: &Ctx,
    key: &str,
    s: &RawSupply,
    start: i64,
    end: i64,
    catalog: &Catalog,
    chips: &mut Vec<GpuSpec>,
    slot: &mut usize,
) -> Result<Line, InputError> {
    let k = |f: &str| format!("{key}.{f}");
    let gpu = catalog.gpu(s.gpu.get_ref()).map_err(|e| {
        e.in_file(cx.file)
            .at_key(k("gpu"))
            .at(Some(Location::of_offset(cx.src, s.gpu.span().start)))
    })?;
    let chip = match chips.iter().position(|g| g.id == gpu.id) {
        Some(c) => c,
        None => {
            chips.push(gpu.clone());
            chips.len() - 1
        }
    };
    let channel = match s.channel.get_ref().as_str() {
        "purchase" => Channel::Purchase,
        "stockpile" => Channel::Stockpile,
        "smuggled" => Channel::Smuggled,
        "cloud" => Channel::Cloud,
        "domestic" => Channel::Domestic,
        other => {
            let names = ["purchase", "stockpile", "smuggled", "cloud", "domestic"];
            let hint = did_you_mean(other, names).map_or(
                "one of purchase, stockpile, smuggled, cloud, domestic".to_string(),
                |n| format!("did you mean `{n}`?"),
            );
            return Err(cx.err_at(
                &k("channel"),
                &s.channel,
                format!("unknown channel `{}`", crate::error::echo(other)),
                &hint,
            ));
        }
    };
    let first = match &s.start {
        Some(m) => cx.month_in(&k("start"), m, start, end)?,
        None => start,
    };
    let last = match &s.end {
        Some(m) => {
            let e = cx.month_in(&k("end"), m, start, end)?;
            if e < first {
                return Err(cx.err_at(
                    &k("end"),
                    m,
                    "the line ends before it starts",
                    "`end` is the last month with a delivery",
                ));
            }
            e
        }
        None => end,
    };
    let zero = Spanned::new(s.gpu.span(), Num::Int(0));
    if s.initial.is_none() && s.rate_per_month.is_none() {
        return Err(cx.err_at(
            key,
            &s.gpu,
            "the line supplies nothing",
            "give `initial` (GPUs on hand at `start`), `rate_per_month`, or both",
        ));
    }
    let initial = dist(
        cx,
        &k("initial"),
        s.initial.as_ref().unwrap_or(&zero),
        0.0,
        MAX_GPUS,
    )?;
    let rate = dist(
        cx,
        &k("rate_per_month"),
        s.rate_per_month.as_ref().unwrap_or(&zero),
        0.0,
        MAX_GPUS,
    )?;
    let cap = match &s.cap {
        None => f64::INFINITY,
        Some(c) => {
            let on_hand = initial.support().1;
            if !(on_hand..=MAX_GPUS).contains(c.get_ref()) {
                return Err(cx.err_at(
                    &k("cap"),
                    c,
                    format!(
                        "the cap {} is below the {on_hand} GPUs on hand at the start",
                        c.get_ref()
                    ),
                    "the cap counts every GPU the line ever delivers, `initial` included",
                ));
            }
            *c.get_ref()
        }
    };
    let service_months = match &s.service_years {
        None => None,
        Some(y) if *y.get_ref() > 0.0 && *y.get_ref() <= 100.0 => {
            Some((y.get_ref() * 12.0).round().max(1.0) as i64)
        }
        Some(y) => {
            return Err(cx.err_at(
                &k("service_years"),
                y,
                format!("{} years is outside 0–100", y.get_ref()),
                "GPUs serve 3–6 years; a cloud lease 1–3",
            ))
        }
    };
    let mut licensed_under = Vec::new();
    for (i, id) in s.licensed_under.iter().enumerate() {
        let rule = crate::policy::find_rule(cx.known_rules, id.get_ref()).map_err(|e| {
            e.in_file(cx.file)
                .at_key(k(&format!("licensed_under.{i}")))
                .at(Some(Location::of_offset(cx.src, id.span().start)))
        })?;
        licensed_under.push(rule.id.clone());
    }
    let slots = *slot;
    *slot += 2;
    Ok(Line {
        chip,
        channel,
        start: first,
        end: last,
        initial,
        rate,
        cap,
        service_months,
        removed: false,
        licensed_under,
        allowed: None,
        slot: slots,
    })
}

/// For each rule change, whether each chip may be bought: `allowed[chip][month − start]`.
fn allowed_matrix(
    rules: &[(i64, Rule)],
    chips: &[GpuSpec],
    start: i64,
    end: i64,
) -> Vec<Vec<bool>> {
    let months = (end - start + 1) as usize;
    let mut out = vec![vec![true; months]; chips.len()];
    for (c, gpu) in chips.iter().enumerate() {
        for (r, (from, rule)) in rules.iter().enumerate() {
            let ok = super::rules::rule_allows(rule, gpu);
            let until = rules.get(r + 1).map_or(end + 1, |n| n.0);
            for m in (*from).max(start)..until.min(end + 1) {
                out[c][(m - start) as usize] = ok;
            }
        }
    }
    out
}

/// For each line with `licensed_under`, whether it may buy each month: when its chip may be
/// bought, or when the rule in force is one it is licensed under.
fn license_lines(v: &mut Variant, start: i64, end: i64) {
    let rules = v.rules.clone();
    for a in &mut v.actors {
        for l in a.lines.iter_mut().filter(|l| !l.licensed_under.is_empty()) {
            let mut allowed = v.allowed[l.chip].clone();
            for (r, (from, rule)) in rules.iter().enumerate() {
                let until = rules.get(r + 1).map_or(end + 1, |n| n.0);
                if l.licensed_under.contains(&rule.id) {
                    for m in (*from).max(start)..until.min(end + 1) {
                        allowed[(m - start) as usize] = true;
                    }
                }
            }
            l.allowed = Some(allowed);
        }
    }
}

/// The keys a counterfactual may `set` or `scale` on a supply line.
const LINE_KEYS: [&str; 8] = [
    "gpu",
    "channel",
    "start",
    "initial",
    "rate_per_month",
    "end",
    "cap",
    "service_years",
];

/// Apply counterfactual `cf` (at `key`) to a copy of `raw`.
fn apply(
    cx: &Ctx,
    key: &str,
    raw: &RawTimeline,
    cf: &RawCounterfactual,
) -> Result<RawTimeline, InputError> {
    let mut t = raw.clone();
    t.counterfactuals.clear();
    let bad = |k: &str, span: Range<usize>, path: &str| {
        cx.err(k, span, format!("`{}` is not a key this counterfactual can edit", crate::error::echo(path)),
            "edit `actors.N.supply.M.<key>` (gpu, channel, start, initial, rate_per_month, end, cap, service_years), `actors.N.stack`, `target.max_run_days`, `model_error` or `algorithmic_progress.per_year`; N and M count from 0")
    };
    for (path, v) in &cf.set {
        let k = format!("{key}.set.\"{path}\"");
        let span = v.span();
        let num = || -> Result<Spanned<Num>, InputError> {
            v.get_ref()
                .clone()
                .try_into::<Num>()
                .map(|n| Spanned::new(span.clone(), n))
                .map_err(|_| {
                    cx.err(
                        &k,
                        span.clone(),
                        "not a number or distribution",
                        "e.g. 0, 1.5e4 or { dist = \"triangular\", min = 1, mode = 2, max = 3 }",
                    )
                })
        };
        let text = || -> Result<Spanned<String>, InputError> {
            v.get_ref()
                .as_str()
                .map(|s| Spanned::new(span.clone(), s.to_string()))
                .ok_or_else(|| cx.err(&k, span.clone(), "not text", "write the value in quotes"))
        };
        let float = || -> Result<Spanned<f64>, InputError> {
            let x = match v.get_ref() {
                toml::Value::Integer(i) => *i as f64,
                toml::Value::Float(f) => *f,
                _ => return Err(cx.err(&k, span.clone(), "not a number", "e.g. 90")),
            };
            Ok(Spanned::new(span.clone(), x))
        };
        let parts: Vec<&str> = path.split('.').collect();
        match parts.as_slice() {
            ["target", "max_run_days"] => t.target.max_run_days = float()?,
            ["model_error"] => t.model_error = Some(num()?),
            ["algorithmic_progress", "per_year"] => match &mut t.algorithmic_progress {
                Some(p) => p.per_year = num()?,
                None => return Err(bad(&k, span, path)),
            },
            ["actors", n, "stack"] => {
                actor_mut(&mut t, n)
                    .ok_or_else(|| bad(&k, span.clone(), path))?
                    .stack = Some(text()?)
            }
            ["actors", n, "supply", m, field] => {
                let s = line_mut(&mut t, n, m).ok_or_else(|| bad(&k, span.clone(), path))?;
                match *field {
                    "gpu" => s.gpu = text()?,
                    "channel" => s.channel = text()?,
                    "start" => s.start = Some(text()?),
                    "end" => s.end = Some(text()?),
                    "initial" => s.initial = Some(num()?),
                    "rate_per_month" => s.rate_per_month = Some(num()?),
                    "cap" => s.cap = Some(float()?),
                    "service_years" => s.service_years = Some(float()?),
                    _ => return Err(bad(&k, span, path)),
                }
            }
            _ => return Err(bad(&k, span, path)),
        }
    }
    for (path, f) in &cf.scale {
        let k = format!("{key}.scale.\"{path}\"");
        let x = *f.get_ref();
        if !(0.0..=1e6).contains(&x) {
            return Err(cx.err_at(
                &k,
                f,
                format!("the factor {x} is negative or absurd"),
                "e.g. 0.5 halves a rate",
            ));
        }
        let parts: Vec<&str> = path.split('.').collect();
        let ["actors", n, "supply", m, field] = parts.as_slice() else {
            return Err(bad(&k, f.span(), path));
        };
        let s = line_mut(&mut t, n, m).ok_or_else(|| bad(&k, f.span(), path))?;
        let target = match *field {
            "rate_per_month" => &mut s.rate_per_month,
            "initial" => &mut s.initial,
            _ => return Err(bad(&k, f.span(), path)),
        };
        if let Some(v) = target {
            let scaled = scale_num(*v.get_ref(), x);
            *v = Spanned::new(v.span(), scaled);
        }
    }
    let mut removed: Vec<(usize, usize)> = Vec::new();
    for (r, p) in cf.remove.iter().enumerate() {
        let k = format!("{key}.remove.{r}");
        let parts: Vec<&str> = p.get_ref().split('.').collect();
        let ["actors", n, "supply", m] = parts.as_slice() else {
            return Err(bad(&k, p.span(), p.get_ref()));
        };
        if line_mut(&mut t, n, m).is_none() {
            return Err(bad(&k, p.span(), p.get_ref()));
        }
        removed.push((n.parse().unwrap_or(0), m.parse().unwrap_or(0)));
    }
    // A removed line keeps its place (and its random numbers) but supplies nothing.
    for (n, m) in removed {
        let s = &mut t.actors[n].supply[m];
        let span = s.gpu.span();
        s.initial = Some(Spanned::new(span.clone(), Num::Int(0)));
        s.rate_per_month = Some(Spanned::new(span, Num::Int(0)));
        s.cap = None;
    }
    if let Some(tl) = &cf.timeline {
        t.policy.timeline = tl.clone();
    }
    shift_rules(cx, key, &mut t, cf)?;
    Ok(t)
}

/// Move the timeline entries `cf.shift_rules` names by their months.
fn shift_rules(
    cx: &Ctx,
    key: &str,
    t: &mut RawTimeline,
    cf: &RawCounterfactual,
) -> Result<(), InputError> {
    for (rule, months) in &cf.shift_rules {
        let k = format!("{key}.shift_rules.\"{rule}\"");
        let entries: Vec<String> = t
            .policy
            .timeline
            .iter()
            .filter(|(m, v)| {
                super::rules::entry_id(m, v.get_ref())
                    .is_some_and(|id| id.eq_ignore_ascii_case(rule))
            })
            .map(|(m, _)| m.clone())
            .collect();
        if entries.is_empty() {
            return Err(cx.err_at(
                &k,
                months,
                format!("rule `{}` is not in the timeline", crate::error::echo(rule)),
                "shift a rule id that [policy.timeline] names (a custom rule by its `name`, or `custom-YYYY-MM`)",
            ));
        }
        for m in entries {
            let id = t.policy.timeline.remove(&m).expect("entry listed above");
            let moved = parse_month(&m)
                .map_err(|e| cx.err_at(&k, months, e, "months are written \"YYYY-MM\""))?
                + months.get_ref();
            t.policy.timeline.insert(
                format_month(moved),
                Spanned::new(months.span(), id.into_inner()),
            );
        }
    }
    Ok(())
}

fn actor_mut<'a>(t: &'a mut RawTimeline, n: &str) -> Option<&'a mut RawActor> {
    t.actors.get_mut(n.parse::<usize>().ok()?)
}

fn line_mut<'a>(t: &'a mut RawTimeline, n: &str, m: &str) -> Option<&'a mut RawSupply> {
    actor_mut(t, n)?.supply.get_mut(m.parse::<usize>().ok()?)
}

/// `x · num`, for a plain number or each location parameter of a distribution.
fn scale_num(num: Num, x: f64) -> Num {
    match num {
        Num::Int(i) => Num::Float(i as f64 * x),
        Num::Float(f) => Num::Float(f * x),
        Num::Dist(d) => Num::Dist(match d {
            Dist::Triangular { min, mode, max } => Dist::Triangular {
                min: min * x,
                mode: mode * x,
                max: max * x,
            },
            Dist::Pert { min, mode, max } => Dist::Pert {
                min: min * x,
                mode: mode * x,
                max: max * x,
            },
            Dist::Uniform { min, max } => Dist::Uniform {
                min: min * x,
                max: max * x,
            },
            Dist::Normal { mean, sd } => Dist::Normal {
                mean: mean * x,
                sd: sd * x,
            },
            Dist::LogNormal { median, sigma } => {
                if x == 0.0 {
                    Dist::Uniform { min: 0.0, max: 0.0 }
                } else {
                    Dist::LogNormal {
                        median: median * x,
                        sigma,
                    }
                }
            }
        }),
    }
}

/// The number of months in `[start, end]`.
pub fn months(start: i64, end: i64) -> usize {
    (end - start + 1) as usize
}

/// Keys a counterfactual may edit on a supply line (for the README test and messages).
pub fn line_keys() -> &'static [&'static str] {
    &LINE_KEYS
}
