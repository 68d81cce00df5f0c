//! Resolution: one sweep point's [`RawScenario`] + the catalogs → a validated [`Point`]
//! (an [`estimate::Question`](crate::estimate::Question) at nominal values, the nominal
//! trial [`Inputs`], and the list of uncertain inputs).
//!
//! Every error names the file, the dotted key, its line:column (of the swept value when the
//! key is swept) and a hint. Physical ranges come from [`super::keys::NUMBER_KEYS`];
//! distributions are checked with [`Dist::check`] and their whole support must lie in the
//! key's range. Defaults follow `trainsim estimate` exactly (same `Efficiency::defaults_for`,
//! `Reliability`, `EnergyAssumptions`, `CostAssumptions`, global batch), so a scenario
//! without distributions reproduces the deterministic estimate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use super::dist::Dist;
use super::keys::{number_key, Domain, Inputs, OwnPrices, Role, Slot, NUMBER_KEYS};
use super::raw::{Channel, Disallowed, Num, RawModel, RawPool, RawScenario};
use super::{Point, Pool, Uncertain};
use crate::catalog::{load_model_file, Catalog, GpuSpec, ModelSpec, Precision};
use crate::cost::capex_per_gpu_usd;
use crate::error::{InputError, Location};
use crate::estimate::{default_global_batch_tokens, Question};
use crate::fleet::{channel_cost, parse_month, BuildUp, SMUGGLED_PREMIUM};
use crate::parallel::{Recompute, SearchSpace};
use crate::perf::{CostAssumptions, Efficiency, EnergyAssumptions, Reliability};
use crate::policy::{builtin_rule, builtin_rules, classify, find_rule, CustomThresholds, Rule};

/// Most Monte Carlo trials per sweep point (each trial's metrics are held in memory while
/// its point is summarised: 40 bytes a trial).
pub const MAX_TRIALS: u64 = 10_000_000;
/// Most plans kept from the nominal search.
pub const MAX_TOP_K: u64 = 64;
/// Trials when the scenario has uncertain inputs and does not say.
pub const DEFAULT_TRIALS: u64 = 1000;
/// Seed when the scenario does not say.
pub const DEFAULT_SEED: u64 = 42;
/// Plans kept when the scenario does not say.
pub const DEFAULT_TOP_K: usize = 4;

/// Where errors point: the file, its text, and the locations of the swept values.
pub(crate) struct Ctx<'a> {
    /// The file as named in messages.
    pub file: &'a str,
    /// Its text.
    pub src: &'a str,
    /// The folder relative paths (model files) are read from.
    pub dir: Option<&'a Path>,
    /// Swept paths of this point and where their values are written.
    pub swept: Vec<(String, Option<Location>)>,
}

impl Ctx<'_> {
    /// The location of `path`: the swept value, else the key in the file.
    pub fn loc(&self, path: &str) -> Option<Location> {
        if let Some((_, l)) = self
            .swept
            .iter()
            .find(|(p, _)| path == p || path.starts_with(&format!("{p}.")))
        {
            return *l;
        }
        locate(self.src, path)
    }

    /// An error at `path`.
    pub fn err(
        &self,
        path: &str,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> InputError {
        let key = if self.swept.iter().any(|(p, _)| p == path) {
            format!("sweep.\"{path}\"")
        } else {
            path.to_string()
        };
        InputError::new(message)
            .in_file(self.file)
            .at_key(key)
            .at(self.loc(path))
            .with_hint(hint)
    }

    /// Attach this file and `path` to an error from elsewhere (catalog lookups).
    fn wrap(&self, path: &str, e: InputError) -> InputError {
        let key = if self.swept.iter().any(|(p, _)| p == path) {
            format!("sweep.\"{path}\"")
        } else {
            path.to_string()
        };
        e.in_file(self.file).at_key(key).at(self.loc(path))
    }
}

/// Find a dotted key in TOML text: `[table]` + `key =`, then a top-level `table = {..}`,
/// then any `[[...table]]` header.
pub(crate) fn locate(src: &str, path: &str) -> Option<Location> {
    let parts: Vec<&str> = path.split('.').collect();
    if parts == ["fleet", "pools"] {
        if let Some(l) = locate_pool(src, 0, None) {
            return Some(l);
        }
    }
    if let ["fleet", "pools", n, rest @ ..] = parts.as_slice() {
        if let Ok(n) = n.parse::<usize>() {
            if let Some(l) = locate_pool(src, n, rest.first().copied()) {
                return Some(l);
            }
        }
    }
    let (leaf, tables) = parts.split_last()?;
    if let Some(l) = Location::of_key(src, tables, Some(leaf)) {
        return Some(l);
    }
    for i in (1..parts.len()).rev() {
        let (t, k) = parts[..=i].split_at(i);
        if let Some(l) = Location::of_key(src, t, Some(k[0])) {
            return Some(l);
        }
    }
    if let Some(l) = Location::of_key(src, &[], Some(parts[0])) {
        return Some(l);
    }
    let header = format!("[[{path}]]");
    src.find(&header).map(|off| Location::of_offset(src, off))
}

/// Find a key of the `n`-th (0-based) `[[fleet.pools]]` entry, or the entry's header.
fn locate_pool(src: &str, n: usize, key: Option<&str>) -> Option<Location> {
    let mut offset = 0usize;
    let mut seen = 0usize;
    let mut header = None;
    for line in src.split_inclusive('\n') {
        let trimmed = line.trim();
        if trimmed.starts_with('[') {
            if header.is_some() {
                break;
            }
            let head: String = trimmed
                .split('#')
                .next()
                .unwrap_or("")
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '"')
                .collect();
            if head == "[[fleet.pools]]" {
                if seen == n {
                    header = Some(Location::of_offset(
                        src,
                        offset + line.find('[').unwrap_or(0),
                    ));
                }
                seen += 1;
            }
        } else if header.is_some() {
            if let Some(k) = key {
                if let Some(rest) = trimmed.trim_start_matches('"').strip_prefix(k) {
                    if rest.trim_start_matches('"').trim_start().starts_with('=') {
                        let col = line.find(|c: char| !c.is_whitespace()).unwrap_or(0);
                        return Some(Location::of_offset(src, offset + col));
                    }
                }
            }
        }
        offset += line.len();
    }
    header
}

/// A number after validation.
#[derive(Debug, Clone, Copy)]
enum Value {
    Const(f64),
    Dist(Dist),
}

impl Value {
    fn nominal(self) -> f64 {
        match self {
            Value::Const(x) => x,
            Value::Dist(d) => d.nominal(),
        }
    }
}

/// Largest accepted value of a whole-number or plan-shaping key: the table the CLI flags
/// share ([`crate::bounds`]).
fn upper_bound(path: &str) -> Option<f64> {
    crate::bounds::upper_bound(path)
}

fn hint_for(domain: Domain) -> &'static str {
    match domain {
        Domain::Positive => "physically impossible: this quantity must be above zero",
        Domain::NonNegative => "physically impossible: this quantity cannot be negative",
        Domain::Fraction => {
            "an efficiency or utilisation is achieved ÷ peak: above 0 and at most 1"
        }
        Domain::Share | Domain::ShareBelowOne => "a share of a whole lies between 0 and 1",
        Domain::AtLeastOne => {
            "a ratio of a peak to its mean, or of facility to IT power (PUE), is at least 1"
        }
        Domain::AboveMinusOne => "a premium of −1 would make the chips free",
    }
}

/// Check one number written at `path` against its range and role.
fn check(num: Num, path: &str, domain: Domain, role: Role, ctx: &Ctx) -> Result<Value, InputError> {
    Ok(match (num, role) {
        (Num::Dist(_), Role::Integer) => {
            return Err(ctx.err(
                path,
                "a whole-number key may not be a distribution",
                format!("sweep it instead, e.g. [sweep] \"{path}\" = [..]"),
            ));
        }
        (Num::Dist(_), Role::Fixed) => {
            return Err(ctx.err(
                path,
                "this key shapes the plan search and may not be a distribution",
                format!("sweep it instead, e.g. [sweep] \"{path}\" = [..]"),
            ));
        }
        (Num::Dist(d), Role::Uncertain(_)) => {
            d.check()
                .map_err(|m| ctx.err(path, m, "fix the parameters of the distribution"))?;
            let (lo, hi) = d.support();
            for x in [lo, hi] {
                if !domain.contains(x) {
                    let clamp = if matches!(d, Dist::Normal { .. } | Dist::LogNormal { .. }) {
                        " (±5 sd)"
                    } else {
                        ""
                    };
                    return Err(ctx.err(
                        path,
                        format!(
                            "{} reaches {x}{clamp}, but the value must be {}",
                            d.describe(),
                            domain.describe()
                        ),
                        format!("narrow the distribution; {}", hint_for(domain)),
                    ));
                }
            }
            if d.is_degenerate() {
                Value::Const(d.nominal())
            } else {
                Value::Dist(d)
            }
        }
        (n, role) => {
            let x = n.as_f64().unwrap_or(f64::NAN);
            let whole = role == Role::Integer;
            if whole && (x.fract() != 0.0 || (x.abs() > 9.0e15 && path != "uncertainty.seed")) {
                return Err(ctx.err(
                    path,
                    format!("must be a whole number, got {x}"),
                    "write it without a fraction",
                ));
            }
            if !domain.contains(x) {
                let what = if whole {
                    match domain {
                        Domain::Positive => "a positive whole number".to_string(),
                        _ => "a whole number ≥ 0".to_string(),
                    }
                } else {
                    domain.describe().to_string()
                };
                return Err(ctx.err(path, format!("must be {what}, got {x}"), hint_for(domain)));
            }
            if let Some(max) = upper_bound(path).filter(|m| x > *m) {
                return Err(ctx.err(
                    path,
                    format!("{x} is more than {max}, the most trainsim accepts"),
                    "check the number: no training run comes near it",
                ));
            }
            Value::Const(x)
        }
    })
}

/// Check one swept value of number key `k` on its own, with the words and location the
/// resolution of its point would give ([`super::sweep::axes`] refuses it before any point
/// is resolved).
pub(crate) fn check_swept(
    num: Num,
    k: &super::keys::NumberKey,
    src: &str,
    file: &str,
    location: Option<Location>,
) -> Result<(), InputError> {
    let ctx = Ctx {
        file,
        src,
        dir: None,
        swept: vec![(k.path.to_string(), location)],
    };
    check(num, k.path, k.domain, k.role, &ctx).map(|_| ())
}

/// Check every numeric key the file sets; return the valid ones by path.
fn numbers(raw: &RawScenario, ctx: &Ctx) -> Result<BTreeMap<&'static str, Value>, InputError> {
    let mut out = BTreeMap::new();
    for k in NUMBER_KEYS {
        let Some(num) = raw.number(k.path) else {
            continue;
        };
        out.insert(k.path, check(*num, k.path, k.domain, k.role, ctx)?);
    }
    Ok(out)
}

/// The model of a point.
fn model(raw: &RawScenario, catalog: &Catalog, ctx: &Ctx) -> Result<ModelSpec, InputError> {
    match &raw.model {
        None => Err(ctx.err(
            "model",
            "is required",
            "set `model = \"llama3.1-8b\"` (a catalog id; `trainsim catalog models` lists them), a model file, or an inline [model] table",
        )),
        Some(RawModel::Id(id)) if id.ends_with(".toml") => {
            let path = match ctx.dir {
                Some(d) if Path::new(id).is_relative() => d.join(id),
                _ => Path::new(id).to_path_buf(),
            };
            load_model_file(&path).map_err(|e| e.at_key("model").with_hint(format!("`model` in {} names this file", ctx.file)))
        }
        Some(RawModel::Id(id)) => catalog.model(id).cloned().map_err(|e| ctx.wrap("model", e)),
        Some(RawModel::Inline(m)) => {
            m.validate().map_err(|mut e| {
                let key = format!("model.{}", e.key.take().unwrap_or_default());
                e.hint = e.hint.take().or(Some("see the model-file format in the README".into()));
                ctx.wrap(&key, e)
            })?;
            let mut m = (**m).clone();
            m.id = m.name.clone();
            Ok(m)
        }
    }
}

/// Most pools in one fleet.
pub const MAX_POOLS: usize = 16;

/// A pool as written, checked, before assumptions are attached.
struct PoolDraft {
    index: usize,
    prefix: String,
    name: Option<String>,
    gpu: GpuSpec,
    channel: Channel,
    requested: u64,
    cap: Option<u64>,
    premium: Option<Value>,
    usd_per_gpu_hour: Option<Value>,
    purchase_usd: Option<Value>,
    buildup: Option<BuildUp>,
}

impl PoolDraft {
    fn gpus(&self) -> u64 {
        self.cap.map_or(self.requested, |c| self.requested.min(c))
    }
}

/// A `&'static` copy of a dotted path built at run time (pool keys such as
/// `fleet.pools.1.premium`): at most a few dozen distinct paths exist, each stored once.
fn intern(path: String) -> &'static str {
    static PATHS: OnceLock<Mutex<BTreeSet<&'static str>>> = OnceLock::new();
    let mut set = PATHS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(p) = set.get(path.as_str()) {
        return p;
    }
    let p: &'static str = Box::leak(path.into_boxed_str());
    set.insert(p);
    p
}

/// The pools of the fleet as written: `[fleet]` keys (one pool) or `[[fleet.pools]]`.
fn pool_drafts(
    raw: &RawScenario,
    nums: &BTreeMap<&'static str, Value>,
    catalog: &Catalog,
    ctx: &Ctx,
) -> Result<Vec<PoolDraft>, InputError> {
    let Some(fleet) = &raw.fleet else {
        return Err(ctx.err(
            "fleet",
            "is required",
            "add a [fleet] table with `gpu` and `count`",
        ));
    };
    let written: Vec<(String, RawPool)> = match &fleet.pools {
        Some(_) if !fleet.pool_keys().is_empty() => {
            return Err(ctx.err(
                "fleet.pools",
                format!(
                    "both [fleet] {} and [[fleet.pools]] are given",
                    fleet
                        .pool_keys()
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                "describe the fleet one way: the pool's keys under [fleet] for one pool, or one [[fleet.pools]] entry per pool",
            ));
        }
        Some(pools) if pools.is_empty() => {
            return Err(ctx.err(
                "fleet.pools",
                "no pools given",
                "give one [[fleet.pools]] entry per pool, each with `gpu` and `count`",
            ));
        }
        Some(pools) if pools.len() > MAX_POOLS => {
            return Err(ctx.err(
                "fleet.pools",
                format!("{} pools given, more than {MAX_POOLS}", pools.len()),
                "merge pools of the same chip and channel",
            ));
        }
        Some(pools) => pools
            .iter()
            .enumerate()
            .map(|(i, p)| (format!("fleet.pools.{i}"), p.clone()))
            .collect(),
        None => vec![("fleet".to_string(), fleet.as_pool())],
    };
    let single_form = fleet.pools.is_none();
    let mut out = Vec::with_capacity(written.len());
    for (index, (prefix, p)) in written.into_iter().enumerate() {
        let path = |k: &str| format!("{prefix}.{k}");
        let channel = p.channel.unwrap_or(Channel::Purchase);
        let Some(gpu_name) = &p.gpu else {
            return Err(if single_form {
                ctx.err(
                    "fleet.gpu",
                    "is required",
                    "set the GPU under [fleet] (`trainsim catalog gpus` lists them) or sweep `fleet.gpu`",
                )
            } else {
                ctx.err(
                    &path("gpu"),
                    "is required",
                    "give every [[fleet.pools]] entry a `gpu` (`trainsim catalog gpus` lists them)",
                )
            });
        };
        let gpu = catalog
            .gpu(gpu_name)
            .map_err(|e| ctx.wrap(&path("gpu"), e))?
            .clone();
        let count = if single_form {
            nums.get("fleet.count").map(|v| v.nominal() as u64)
        } else {
            p.count
                .map(|n| check(n, &path("count"), Domain::Positive, Role::Integer, ctx))
                .transpose()?
                .map(|v| v.nominal() as u64)
        };
        let budget = if single_form {
            nums.get("fleet.budget_usd").map(|v| v.nominal())
        } else {
            p.budget_usd
                .map(|n| check(n, &path("budget_usd"), Domain::Positive, Role::Fixed, ctx))
                .transpose()?
                .map(Value::nominal)
        };
        if count.is_some() && budget.is_some() {
            return Err(ctx.err(
                &path("budget_usd"),
                "both `count` and `budget_usd` are given",
                "size the pool one way: `count` GPUs, or `budget_usd` and the GPUs it buys (to compare both in one sweep, sweep the whole table, e.g. \"fleet\" = [{ count = 8192 }, { budget_usd = 3.4e8 }])",
            ));
        }
        let slot = u16::try_from(index).unwrap_or(u16::MAX);
        let premium = match (p.premium, channel) {
            (Some(_), c) if c != Channel::Smuggled => {
                return Err(ctx.err(
                    &path("premium"),
                    format!("`premium` applies to smuggled pools, not to a {c} pool"),
                    "for a price premium on purchased chips use `cost.channel_premium`",
                ));
            }
            (Some(n), _) => Some(check(
                n,
                &path("premium"),
                Domain::AboveMinusOne,
                Role::Uncertain(Slot::PoolPremium(slot)),
                ctx,
            )?),
            (None, Channel::Smuggled) => {
                let (min, mode, max) = SMUGGLED_PREMIUM;
                Some(Value::Dist(Dist::Triangular { min, mode, max }))
            }
            (None, _) => None,
        };
        let cap = match p.cap {
            None => None,
            Some(_) if !matches!(channel, Channel::Smuggled | Channel::Cloud) => {
                return Err(ctx.err(
                    &path("cap"),
                    format!("`cap` applies to smuggled and cloud pools, not to a {channel} pool"),
                    format!("a {channel} pool holds exactly its `count`"),
                ));
            }
            Some(Num::Dist(_)) => {
                return Err(ctx.err(
                    &path("cap"),
                    "a cap may not be a distribution",
                    "the plan search needs a whole number of GPUs per pool; sweep the cap instead",
                ));
            }
            Some(n) => {
                Some(check(n, &path("cap"), Domain::Positive, Role::Integer, ctx)?.nominal() as u64)
            }
        };
        let usd_per_gpu_hour = p
            .usd_per_gpu_hour
            .map(|n| {
                check(
                    n,
                    &path("usd_per_gpu_hour"),
                    Domain::Positive,
                    Role::Uncertain(Slot::PoolUsdPerGpuHour(slot)),
                    ctx,
                )
            })
            .transpose()?;
        if p.purchase_usd.is_some() && channel == Channel::Cloud {
            return Err(ctx.err(
                &path("purchase_usd"),
                "a cloud pool is rented: it has no purchase price",
                "give its rental price as `usd_per_gpu_hour`",
            ));
        }
        let purchase_usd = p
            .purchase_usd
            .map(|n| {
                check(
                    n,
                    &path("purchase_usd"),
                    Domain::Positive,
                    Role::Uncertain(Slot::PoolPurchaseUsd(slot)),
                    ctx,
                )
            })
            .transpose()?;
        if p.rate_per_month.is_some() && channel == Channel::Stockpile {
            return Err(ctx.err(
                &path("rate_per_month"),
                "a stockpile has a fixed count: it is not acquired over time",
                "give the stockpile its `count` only, or make the pool a purchase",
            ));
        }
        let rate = p
            .rate_per_month
            .map(|n| {
                check(
                    n,
                    &path("rate_per_month"),
                    Domain::Positive,
                    Role::Fixed,
                    ctx,
                )
            })
            .transpose()?
            .map(Value::nominal);
        let initial = p
            .initial
            .map(|n| check(n, &path("initial"), Domain::NonNegative, Role::Integer, ctx))
            .transpose()?
            .map(|v| v.nominal() as u64);
        if initial.is_some() && rate.is_none() {
            return Err(ctx.err(
                &path("initial"),
                "`initial` needs `rate_per_month`",
                "`initial` is what a build-up starts from; without a rate the whole `count` is on hand",
            ));
        }
        let start = p
            .start
            .as_deref()
            .map(|s| {
                parse_month(s).map_err(|m| {
                    ctx.err(
                        &path("start"),
                        m,
                        "the first month of deliveries, e.g. start = \"2025-01\"",
                    )
                })
            })
            .transpose()?;
        let buildup = match (start, rate) {
            (None, Some(_)) => {
                return Err(ctx.err(
                    &path("rate_per_month"),
                    "a build-up needs `start`",
                    "add start = \"2025-01\", the first month of deliveries",
                ));
            }
            (None, None) => None,
            (Some(start_month), rate_per_month) => Some(BuildUp {
                start_month,
                rate_per_month,
                initial: initial.unwrap_or(0),
            }),
        };
        if let Some(n) = &p.name {
            if n.trim().is_empty() || n.len() > 60 {
                return Err(ctx.err(
                    &path("name"),
                    format!("`{n}` cannot label a pool"),
                    "use a short non-empty name, e.g. name = \"stockpile-a100\"",
                ));
            }
        }
        let count = match budget {
            Some(b) => Some(gpus_for_budget(
                b,
                &gpu,
                channel,
                nums,
                purchase_usd,
                premium,
                &path("budget_usd"),
                ctx,
            )?),
            None => count,
        };
        out.push(PoolDraft {
            index,
            prefix,
            name: p.name.clone(),
            gpu,
            channel,
            requested: count.unwrap_or(0),
            cap,
            premium,
            usd_per_gpu_hour,
            purchase_usd,
            buildup,
        });
    }
    // `policy.run_gpus` sets the size of a one-pool run.
    if let Some(n) = nums.get("policy.run_gpus").map(|v| v.nominal() as u64) {
        if out.len() > 1 {
            return Err(ctx.err(
                "policy.run_gpus",
                format!("applies to a fleet of one pool; this one has {}", out.len()),
                "set each pool's `count` instead",
            ));
        }
        out[0].requested = n;
    }
    for d in &out {
        if d.requested == 0 {
            return Err(if single_form {
                ctx.err(
                    "fleet.count",
                    "is required",
                    "set the number of GPUs under [fleet] (or a `budget_usd`), or sweep `fleet.count`",
                )
            } else {
                ctx.err(
                    &format!("{}.count", d.prefix),
                    "is required",
                    "give every [[fleet.pools]] entry a `count` (or a `budget_usd`)",
                )
            });
        }
    }
    Ok(out)
}

/// The GPUs `budget` dollars buy for one pool: `floor(budget / capex per GPU)`. The capex is
/// [`capex_per_gpu_usd`] at nominal values, as the pool is priced: the scenario's `[cost]`
/// keys, then the pool's own `purchase_usd` and `premium` (a smuggled pool's default premium
/// at its mode). Drawn prices change what the fleet costs in a trial, not its size.
#[allow(clippy::too_many_arguments)]
fn gpus_for_budget(
    budget: f64,
    gpu: &GpuSpec,
    channel: Channel,
    nums: &BTreeMap<&'static str, Value>,
    purchase_usd: Option<Value>,
    premium: Option<Value>,
    path: &str,
    ctx: &Ctx,
) -> Result<u64, InputError> {
    if channel == Channel::Cloud {
        return Err(ctx.err(
            path,
            "a cloud pool is rented: a hardware budget buys it nothing",
            "size a cloud pool by `count`",
        ));
    }
    let mut c = CostAssumptions::default();
    for (p, v) in nums {
        match number_key(p).map(|k| k.role) {
            Some(Role::Uncertain(Slot::PurchaseUsd)) => c.purchase_usd = Some(v.nominal()),
            Some(Role::Uncertain(Slot::ChannelPremium)) => c.channel_premium = v.nominal(),
            Some(Role::Uncertain(Slot::ServerOverhead)) => c.server_overhead = v.nominal(),
            Some(Role::Uncertain(Slot::InterconnectFraction)) => {
                c.interconnect_fraction = v.nominal();
            }
            _ => {}
        }
    }
    if let Some(v) = purchase_usd {
        c.purchase_usd = Some(v.nominal());
    }
    if let Some(v) = premium {
        c.channel_premium = v.nominal();
    }
    let Some(capex) = capex_per_gpu_usd(gpu, &c) else {
        return Err(ctx.err(
            path,
            format!(
                "the catalog has no purchase price for {}, so a budget buys no known number of them",
                gpu.id
            ),
            "give the price (the pool's `purchase_usd` or `cost.purchase_usd`), or size the pool by `count`",
        ));
    };
    // The small allowance absorbs rounding when a budget is written as n × capex.
    let n = (budget / capex + 1e-9).floor();
    if n < 1.0 {
        return Err(ctx.err(
            path,
            format!(
                "${} buys no {}: one costs ${} up front (price × (1 + premium) × server overhead ÷ (1 − interconnect share), at nominal values)",
                crate::report::grouped(budget),
                gpu.id,
                crate::report::grouped(capex)
            ),
            "raise the budget, or size the pool by `count`",
        ));
    }
    if n > 1e7 {
        return Err(ctx.err(
            path,
            format!(
                "buys {} × {}, more than 10,000,000 GPUs, the most trainsim accepts",
                crate::report::grouped(n),
                gpu.id
            ),
            "check the budget: no training run comes near it",
        ));
    }
    Ok(n as u64)
}

/// Labels of the pools: `name`, else the GPU id, with the channel when ids repeat.
fn labels(drafts: &[PoolDraft], ctx: &Ctx) -> Result<Vec<String>, InputError> {
    let base: Vec<String> = drafts
        .iter()
        .map(|d| d.name.clone().unwrap_or_else(|| d.gpu.id.clone()))
        .collect();
    let mut out = base.clone();
    for (i, d) in drafts.iter().enumerate() {
        if d.name.is_none() && base.iter().filter(|b| **b == base[i]).count() > 1 {
            out[i] = format!("{}/{}", d.gpu.id, d.channel);
        }
    }
    for (i, d) in drafts.iter().enumerate() {
        if out[..i].contains(&out[i]) {
            return Err(ctx.err(
                &format!("{}.name", d.prefix),
                format!("two pools are labelled `{}`", out[i]),
                "give each pool its own `name`",
            ));
        }
    }
    Ok(out)
}

/// Resolve one point. `index` is its position in the sweep, `inputs` the display of its
/// swept values.
pub(crate) fn point(
    raw: &RawScenario,
    catalog: &Catalog,
    ctx: &Ctx,
    index: usize,
    inputs: Vec<String>,
    overrides: &super::Overrides,
) -> Result<Point, InputError> {
    let nums = numbers(raw, ctx)?;
    let int = |path: &str| nums.get(path).map(|v| v.nominal() as u64);
    let model = model(raw, catalog, ctx)?;
    let drafts = pool_drafts(raw, &nums, catalog, ctx)?;
    let labels = labels(&drafts, ctx)?;

    let precision = match &raw.precision {
        None => Precision::Bf16,
        Some(p) => Precision::parse(p).map_err(|e| {
            ctx.wrap("precision", e)
                .with_hint("use \"bf16\", \"fp16\" or \"fp8\"")
        })?,
    };
    let stack = stack_of(raw, &nums, catalog, ctx)?;
    // A stack without an FP8 recipe trains FP8 runs in BF16 (as `Question::apply_stack`).
    let precision = match &stack {
        Some(s) if precision == Precision::Fp8 && !s.fp8 => Precision::Bf16,
        _ => precision,
    };
    let train_tokens = match nums.get("train_tokens") {
        Some(v) => v.nominal(),
        None => {
            return Err(ctx.err(
                "train_tokens",
                "is required",
                "set the training tokens, e.g. `train_tokens = 15e12`",
            ));
        }
    };

    // Export rule: a purchased pool whose chip the rule does not allow is refused (the
    // point is infeasible) or dropped (with a note), as `policy.disallowed` says.
    let policy = policy(raw, &nums, ctx, &overrides.rules)?;
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
        if let (Some(rule), true) = (&policy, d.channel.subject_to_rule()) {
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
    let fleet_gpus: u64 = kept.iter().map(|&i| drafts[i].gpus()).sum();
    if fleet_gpus > 10_000_000 {
        return Err(ctx.err(
            "fleet.pools",
            format!("the pools hold {fleet_gpus} GPUs in all, more than 10,000,000, the most trainsim accepts"),
            "check the counts: no training run comes near it",
        ));
    }

    let seq_len = int("seq_len").unwrap_or(model.seq_len);
    let global_batch_tokens = match nums.get("global_batch_tokens").map(|v| v.nominal()) {
        Some(b) => {
            if b < seq_len as f64 {
                return Err(ctx.err(
                    "global_batch_tokens",
                    format!("{b} tokens is less than one sequence of {seq_len}"),
                    "the global batch holds whole sequences",
                ));
            }
            ((b / seq_len as f64).round() * seq_len as f64).max(seq_len as f64)
        }
        None => default_global_batch_tokens(
            if fleet_gpus > 0 {
                fleet_gpus
            } else {
                drafts[0].gpus()
            },
            seq_len,
        ),
    };
    if let Some(why) = crate::bounds::too_few_tokens(train_tokens, global_batch_tokens) {
        return Err(ctx.err(
            "train_tokens",
            why,
            "train at least one global batch, or lower `global_batch_tokens`",
        ));
    }

    // Assumptions: the defaults `trainsim estimate` uses for each chip, then the file's
    // nominal values.
    let basis = raw.cost.as_ref().and_then(|c| c.basis);
    let nominal_for = |gpu: &GpuSpec| -> Inputs {
        let mut eff = match &stack {
            Some(s) => {
                let p = match (precision, gpu.fp8_dense_tflops) {
                    (Precision::Fp8, None) => Precision::Bf16,
                    (p, _) => p,
                };
                s.efficiency(gpu, p)
            }
            None => Efficiency::defaults_for(gpu, precision),
        };
        if let Some(e) = &raw.efficiency {
            if let Some(b) = e.flash_attention {
                eff.flash_attention = b;
            }
            if let Some(b) = e.sequence_parallel {
                eff.sequence_parallel = b;
            }
        }
        let mut nominal = Inputs {
            train_tokens,
            eff,
            rel: Reliability::default(),
            energy: EnergyAssumptions::default(),
            cost: CostAssumptions::default(),
            matmul_base: eff.matmul,
            matmul_scale: 1.0,
            model_error: 1.0,
        };
        if let Some(basis) = basis {
            nominal.cost.basis = basis;
        }
        for (path, v) in &nums {
            let Some(k) = number_key(path) else { continue };
            if let Role::Uncertain(slot) = k.role {
                nominal.set(slot, v.nominal());
            }
        }
        nominal.finish();
        nominal
    };
    let mut uncertain = Vec::new();
    for (path, v) in &nums {
        let Some(k) = number_key(path) else { continue };
        if let (Role::Uncertain(slot), Value::Dist(dist)) = (k.role, v) {
            uncertain.push(Uncertain {
                path,
                dist: *dist,
                sampler: dist.sampler(),
                slot,
            });
        }
    }
    for &i in &kept {
        let d = &drafts[i];
        let slot = u16::try_from(d.index).unwrap_or(u16::MAX);
        for (key, v, s) in [
            ("premium", d.premium, Slot::PoolPremium(slot)),
            (
                "usd_per_gpu_hour",
                d.usd_per_gpu_hour,
                Slot::PoolUsdPerGpuHour(slot),
            ),
            ("purchase_usd", d.purchase_usd, Slot::PoolPurchaseUsd(slot)),
        ] {
            if let Some(Value::Dist(dist)) = v {
                uncertain.push(Uncertain {
                    path: intern(format!("{}.{key}", d.prefix)),
                    dist,
                    sampler: dist.sampler(),
                    slot: s,
                });
            }
        }
    }
    // The stack's fitted model error, unless the file sets `model_error` itself.
    if let (Some(s), false) = (&stack, nums.contains_key("model_error")) {
        let dist = crate::scenario::dist::Dist::LogNormal {
            median: 1.0,
            sigma: s.error.log_sd,
        };
        uncertain.push(Uncertain {
            path: "model_error",
            dist,
            sampler: dist.sampler(),
            slot: Slot::ModelError,
        });
    }
    uncertain.sort_by(|a, b| a.path.cmp(b.path));
    // `matmul × matmul_scale` must stay a fraction over the whole support, on every chip.
    if nums.contains_key("efficiency.matmul_scale") {
        for d in &drafts {
            let base = nominal_for(&d.gpu).matmul_base;
            let (blo, bhi) = nums
                .get("efficiency.matmul")
                .map_or((base, base), |v| match v {
                    Value::Dist(d) => d.support(),
                    Value::Const(x) => (*x, *x),
                });
            let (slo, shi) = match nums["efficiency.matmul_scale"] {
                Value::Dist(d) => d.support(),
                Value::Const(x) => (x, x),
            };
            let (lo, hi) = (blo * slo, bhi * shi);
            if !(Domain::Fraction.contains(lo) && Domain::Fraction.contains(hi)) {
                return Err(ctx.err(
                    "efficiency.matmul_scale",
                    format!("matmul × matmul_scale reaches {hi} on {} (matmul {blo}–{bhi}), above 1", d.gpu.id),
                    "GEMM efficiency cannot exceed the peak: narrow the scale or lower `efficiency.matmul`",
                ));
            }
        }
    }

    let u32_of = |path: &str| int(path).map(|v| u32::try_from(v).unwrap_or(u32::MAX));
    let zero_stage = match int("plan.zero_stage") {
        Some(z) if z > 3 => {
            return Err(ctx.err(
                "plan.zero_stage",
                format!("must be 0, 1, 2 or 3, got {z}"),
                "ZeRO has stages 0 to 3",
            ));
        }
        z => z.map(|z| z as u8),
    };
    let recompute = match raw.plan.as_ref().and_then(|p| p.recompute.as_deref()) {
        None => None,
        Some(s) => Some(Recompute::parse(s).ok_or_else(|| {
            ctx.err(
                "plan.recompute",
                format!("unknown recompute mode `{s}`"),
                "use \"none\", \"selective\" or \"full\"",
            )
        })?),
    };
    let space = SearchSpace {
        tp: u32_of("plan.tp"),
        pp: u32_of("plan.pp"),
        dp: u32_of("plan.dp"),
        ep: u32_of("plan.ep"),
        cp: u32_of("plan.cp"),
        micro_batch: u32_of("plan.micro_batch"),
        recompute,
        zero_stage,
        interleave: u32_of("plan.interleave"),
        ..SearchSpace::default()
    };
    let batch_seqs = (global_batch_tokens / seq_len as f64).round() as u64;
    if let Some((key, why)) =
        space.fixed_violation(model.heads, model.kv_heads(), model.layers, batch_seqs)
    {
        let path = match key {
            "tp" => "plan.tp",
            "pp" => "plan.pp",
            "interleave" => "plan.interleave",
            "micro_batch" => "plan.micro_batch",
            _ => "plan.dp",
        };
        return Err(ctx.err(
            path,
            why,
            "fixed plan values must divide as the search's own do; leave the key out to search it",
        ));
    }
    if let (Some(moe), Some(ep)) = (&model.moe, space.ep) {
        if moe.experts % ep != 0 {
            return Err(ctx.err(
                "plan.ep",
                format!("{ep} does not divide the {} experts", moe.experts),
                "expert parallelism places whole experts on each GPU",
            ));
        }
    }

    let space = match &stack {
        Some(s) => s.space(space),
        None => space,
    };
    let question_for = |gpu: &GpuSpec, gpus: u64, x: &Inputs, channel: Channel| Question {
        model: model.clone(),
        gpu: gpu.clone(),
        gpus,
        train_tokens,
        precision,
        seq_len,
        global_batch_tokens,
        efficiency: x.eff,
        reliability: x.rel,
        energy: x.energy,
        cost: channel_cost(channel, &x.cost, gpu),
        space,
        gpus_per_node: u32_of("fleet.gpus_per_node"),
        net_gbit_per_s: nums.get("fleet.net_gbps_per_gpu").map(|v| v.nominal()),
        stack: stack.clone(),
        whole_run: stack
            .as_ref()
            .map_or_else(crate::estimate::WholeRun::default, |s| {
                crate::estimate::WholeRun {
                    overhead: s.overhead.median(),
                    time_factor: s.time_factor,
                    model_error: 1.0,
                }
            }),
    };
    let mut all_pools: Vec<Pool> = drafts
        .iter()
        .zip(&labels)
        .map(|(d, label)| {
            let mut x = nominal_for(&d.gpu);
            let mut own = OwnPrices::default();
            if let Some(v) = d.usd_per_gpu_hour {
                x.cost.usd_per_gpu_hour = Some(v.nominal());
                own.usd_per_gpu_hour = true;
            }
            if let Some(v) = d.purchase_usd {
                x.cost.purchase_usd = Some(v.nominal());
                own.purchase_usd = true;
            }
            if let Some(v) = d.premium {
                x.cost.channel_premium = v.nominal();
                own.channel_premium = true;
            }
            Pool {
                index: d.index,
                label: label.clone(),
                channel: d.channel,
                requested: d.requested,
                cap: d.cap,
                question: question_for(&d.gpu, d.gpus(), &x, d.channel),
                nominal: x,
                own,
                buildup: d.buildup,
            }
        })
        .collect();
    let first = kept.first().copied().unwrap_or(0);
    let primary = all_pools[first].clone();
    let written_channel = match &raw.fleet {
        Some(f) => match &f.pools {
            Some(p) => p.get(first).and_then(|p| p.channel),
            None => f.channel,
        },
        None => None,
    };
    let pools: Vec<Pool> = {
        let mut keep = vec![false; all_pools.len()];
        for &i in &kept {
            keep[i] = true;
        }
        let mut k = keep.into_iter();
        all_pools.retain(|_| k.next().unwrap_or(false));
        all_pools
    };

    // Comparison fleets: priced by their own keys and the catalog, never by the scenario's
    // prices (those describe the scenario's chips); every other assumption is shared.
    let side = |label: &str, gpu: &GpuSpec, gpus: u64, usd: Option<f64>, purchase: Option<f64>| {
        let mut x = nominal_for(gpu);
        x.cost.usd_per_gpu_hour = usd;
        x.cost.purchase_usd = purchase;
        x.cost.channel_premium = 0.0;
        Pool {
            index: usize::MAX,
            label: label.to_string(),
            channel: Channel::Purchase,
            requested: gpus,
            cap: None,
            question: question_for(gpu, gpus, &x, Channel::Purchase),
            nominal: x,
            own: OwnPrices::ALL,
            buildup: None,
        }
    };
    let reference = match raw.policy.as_ref().and_then(|p| p.reference.as_ref()) {
        None => None,
        Some(r) => {
            let Some(g) = &r.gpu else {
                return Err(ctx.err(
                    "policy.reference.gpu",
                    "is required",
                    "name the reference fleet, e.g. reference = { gpu = \"h100-sxm-80gb\", count = 2048 }",
                ));
            };
            let gpu = catalog
                .gpu(g)
                .map_err(|e| ctx.wrap("policy.reference.gpu", e))?
                .clone();
            let Some(count) = r.count else {
                return Err(ctx.err(
                    "policy.reference.count",
                    "is required",
                    "give the reference fleet's size, e.g. reference = { gpu = \"h100-sxm-80gb\", count = 2048 }",
                ));
            };
            let count = check(
                count,
                "policy.reference.count",
                Domain::Positive,
                Role::Integer,
                ctx,
            )?
            .nominal() as u64;
            let price = |n: Option<Num>, key: &str| {
                n.map(|n| {
                    check(
                        n,
                        &format!("policy.reference.{key}"),
                        Domain::Positive,
                        Role::Fixed,
                        ctx,
                    )
                })
                .transpose()
                .map(|v| v.map(Value::nominal))
            };
            let usd = price(r.usd_per_gpu_hour, "usd_per_gpu_hour")?;
            let purchase = price(r.purchase_usd, "purchase_usd")?;
            Some(side("reference", &gpu, count, usd, purchase))
        }
    };
    let h100 = match catalog.gpu(H100) {
        Ok(g) if fleet_gpus > 0 => Some(side(H100, g, fleet_gpus, None, None)),
        _ => None,
    };

    let trials = match (overrides.trials, int("uncertainty.trials")) {
        (Some(t), _) => t,
        (None, Some(t)) => t,
        (None, None) if uncertain.is_empty() => 1,
        (None, None) => DEFAULT_TRIALS,
    };
    if trials > MAX_TRIALS {
        let e = ctx.err(
            "uncertainty.trials",
            format!("{trials} trials per point is more than {MAX_TRIALS}"),
            "more trials rarely move p5/p95 after 10,000; split the run with --shard if needed",
        );
        return Err(if overrides.trials.is_some() {
            InputError {
                key: Some("--trials".into()),
                location: None,
                ..e
            }
        } else {
            e
        });
    }
    let top_k = int("uncertainty.top_k").unwrap_or(DEFAULT_TOP_K as u64);
    if top_k > MAX_TOP_K {
        return Err(ctx.err(
            "uncertainty.top_k",
            format!("{top_k} is more than {MAX_TOP_K}"),
            "a handful of plans is enough",
        ));
    }
    // The seed is read from the raw integer: a float would round seeds above 2^53.
    let file_seed = match raw.number("uncertainty.seed") {
        Some(Num::Int(i)) => Some(*i as u64),
        _ => int("uncertainty.seed"),
    };
    let seed = overrides.seed.or(file_seed).unwrap_or(DEFAULT_SEED);

    Ok(Point {
        index,
        inputs,
        question: primary.question,
        nominal: primary.nominal,
        uncertain,
        trials,
        seed,
        top_k: top_k as usize,
        policy,
        channel: written_channel,
        pools,
        fleet_gpus,
        notes,
        refused,
        reference,
        h100,
    })
}

/// The yardstick chip of `h100_equivalents`.
pub const H100: &str = "h100-sxm-80gb";

fn policy(
    raw: &RawScenario,
    nums: &BTreeMap<&'static str, Value>,
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

/// The software stack of a point: `stack`, else the typical stack of `year`, else of the
/// current year; none when `efficiency.mfu` replaces the time model (and refused when the
/// file sets both).
fn stack_of(
    raw: &RawScenario,
    nums: &BTreeMap<&'static str, Value>,
    catalog: &Catalog,
    ctx: &Ctx,
) -> Result<Option<crate::catalog::StackSpec>, InputError> {
    let year = nums.get("year").map(|v| v.nominal() as i32);
    let key = if raw.stack.is_some() { "stack" } else { "year" };
    if nums.contains_key("efficiency.mfu") {
        if raw.stack.is_some() || year.is_some() {
            return Err(ctx.err(
                key,
                "is set together with `efficiency.mfu`, which replaces the time model a stack describes",
                "keep one: `efficiency.mfu` for an end-to-end utilisation, or `stack`/`year` to time plans with a software stack",
            ));
        }
        return Ok(None);
    }
    catalog
        .resolve_stack(raw.stack.as_deref(), year)
        .map(|s| Some(s.clone()))
        .map_err(|e| ctx.wrap(key, e))
}
