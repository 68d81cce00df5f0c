//! `[fleet]` of one point: its pools as written and checked ([`PoolDraft`]), the GPUs a
//! budget buys, labels, the total, and the resolved [`Pool`]s, including the comparison
//! fleets (`[policy] reference` and the H100 yardstick of `h100_equivalents`).

use std::collections::BTreeSet;
use std::sync::{Mutex, OnceLock};

use super::numbers::{check, Numbers, Value};
use super::question::{Asker, Assumptions};
use super::Ctx;
use crate::catalog::{Catalog, GpuSpec};
use crate::cost::capex_per_gpu_usd;
use crate::cost::CostAssumptions;
use crate::dist::Dist;
use crate::error::InputError;
use crate::fleet::{parse_month, BuildUp, SMUGGLED_PREMIUM};
use crate::scenario::keys::{number_key, Domain, OwnPrices, Role, Slot};
use crate::scenario::raw::{Channel, Num, RawPool, RawScenario};
use crate::scenario::Pool;

/// The yardstick chip of `h100_equivalents`.
pub const H100: &str = "h100-sxm-80gb";

/// Most pools in one fleet.
pub const MAX_POOLS: usize = 16;

/// A pool as written, checked, before assumptions are attached.
pub(super) struct PoolDraft {
    /// Position in `[[fleet.pools]]` (0 for the `[fleet]` form).
    pub index: usize,
    /// Its dotted path: `fleet` or `fleet.pools.N`.
    pub prefix: String,
    /// Its `name`, if written.
    pub name: Option<String>,
    /// The chip.
    pub gpu: GpuSpec,
    /// How the chips were obtained.
    pub channel: Channel,
    /// GPUs asked for (`count`, what `budget_usd` buys, or `policy.run_gpus`).
    pub requested: u64,
    /// The channel's cap, if any.
    pub cap: Option<u64>,
    /// Smuggling premium (a smuggled pool's default distribution when not written).
    pub premium: Option<Value>,
    /// The pool's own rental price.
    pub usd_per_gpu_hour: Option<Value>,
    /// The pool's own purchase price.
    pub purchase_usd: Option<Value>,
    /// Acquisition over time, if any.
    pub buildup: Option<BuildUp>,
}

impl PoolDraft {
    /// GPUs the pool holds: `min(requested, cap)`.
    pub(super) fn gpus(&self) -> u64 {
        self.cap.map_or(self.requested, |c| self.requested.min(c))
    }
}

/// A `&'static` copy of a dotted path built at run time (pool keys such as
/// `fleet.pools.1.premium`): at most a few dozen distinct paths exist, each stored once.
pub(super) fn intern(path: String) -> &'static str {
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
pub(super) fn pool_drafts(
    raw: &RawScenario,
    nums: &Numbers,
    catalog: &Catalog,
    ctx: &Ctx,
) -> Result<Vec<PoolDraft>, InputError> {
    let (written, single_form) = written_pools(raw, ctx)?;
    let mut out = Vec::with_capacity(written.len());
    for (index, (prefix, p)) in written.into_iter().enumerate() {
        out.push(draft(index, prefix, &p, single_form, nums, catalog, ctx)?);
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

/// The pools as written, each with its dotted path, and whether the fleet has the one-pool
/// `[fleet]` form.
fn written_pools(
    raw: &RawScenario,
    ctx: &Ctx,
) -> Result<(Vec<(String, RawPool)>, bool), InputError> {
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
    Ok((written, fleet.pools.is_none()))
}

/// One pool as written, checked.
fn draft(
    index: usize,
    prefix: String,
    p: &RawPool,
    single_form: bool,
    nums: &Numbers,
    catalog: &Catalog,
    ctx: &Ctx,
) -> Result<PoolDraft, InputError> {
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
    let prices = prices(index, &prefix, p, channel, ctx)?;
    let buildup = buildup(&prefix, p, channel, ctx)?;
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
            prices.purchase_usd,
            prices.premium,
            &path("budget_usd"),
            ctx,
        )?),
        None => count,
    };
    Ok(PoolDraft {
        index,
        prefix,
        name: p.name.clone(),
        gpu,
        channel,
        requested: count.unwrap_or(0),
        cap: prices.cap,
        premium: prices.premium,
        usd_per_gpu_hour: prices.usd_per_gpu_hour,
        purchase_usd: prices.purchase_usd,
        buildup,
    })
}

/// A pool's premium, cap and own prices, checked against its channel.
struct Prices {
    premium: Option<Value>,
    cap: Option<u64>,
    usd_per_gpu_hour: Option<Value>,
    purchase_usd: Option<Value>,
}

fn prices(
    index: usize,
    prefix: &str,
    p: &RawPool,
    channel: Channel,
    ctx: &Ctx,
) -> Result<Prices, InputError> {
    let path = |k: &str| format!("{prefix}.{k}");
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
    Ok(Prices {
        premium,
        cap,
        usd_per_gpu_hour,
        purchase_usd,
    })
}

/// A pool's acquisition over time: `start`, `rate_per_month`, `initial`.
fn buildup(
    prefix: &str,
    p: &RawPool,
    channel: Channel,
    ctx: &Ctx,
) -> Result<Option<BuildUp>, InputError> {
    let path = |k: &str| format!("{prefix}.{k}");
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
    Ok(match (start, rate) {
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
    })
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
    nums: &Numbers,
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
                crate::format::grouped(budget),
                gpu.id,
                crate::format::grouped(capex)
            ),
            "raise the budget, or size the pool by `count`",
        ));
    }
    if n > 1e7 {
        return Err(ctx.err(
            path,
            format!(
                "buys {} × {}, more than 10,000,000 GPUs, the most trainsim accepts",
                crate::format::grouped(n),
                gpu.id
            ),
            "check the budget: no training run comes near it",
        ));
    }
    Ok(n as u64)
}

/// Labels of the pools: `name`, else the GPU id, with the channel when ids repeat.
pub(super) fn labels(drafts: &[PoolDraft], ctx: &Ctx) -> Result<Vec<String>, InputError> {
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

/// GPUs of the pools that run, at most 10,000,000.
pub(super) fn total_gpus(kept: &[&PoolDraft], ctx: &Ctx) -> Result<u64, InputError> {
    let fleet_gpus: u64 = kept.iter().map(|d| d.gpus()).sum();
    if fleet_gpus > 10_000_000 {
        return Err(ctx.err(
            "fleet.pools",
            format!("the pools hold {fleet_gpus} GPUs in all, more than 10,000,000, the most trainsim accepts"),
            "check the counts: no training run comes near it",
        ));
    }
    Ok(fleet_gpus)
}

/// Every pool as written, resolved at nominal values with its own prices.
pub(super) fn pools(
    drafts: &[PoolDraft],
    labels: &[String],
    assume: &Assumptions,
    asker: &Asker,
) -> Vec<Pool> {
    drafts
        .iter()
        .zip(labels)
        .map(|(d, label)| {
            let mut x = assume.nominal_for(&d.gpu);
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
                question: asker.question(&d.gpu, d.gpus(), &x, d.channel),
                nominal: x,
                own,
                buildup: d.buildup,
            }
        })
        .collect()
}

/// The channel written for pool `first` (`None` when the file does not say).
pub(super) fn written_channel(raw: &RawScenario, first: usize) -> Option<Channel> {
    match &raw.fleet {
        Some(f) => match &f.pools {
            Some(p) => p.get(first).and_then(|p| p.channel),
            None => f.channel,
        },
        None => None,
    }
}

/// A comparison fleet: priced by its own keys and the catalog, never by the scenario's
/// prices (those describe the scenario's chips); every other assumption is shared.
fn side(
    label: &str,
    gpu: &GpuSpec,
    gpus: u64,
    prices: (Option<f64>, Option<f64>),
    assume: &Assumptions,
    asker: &Asker,
) -> Pool {
    let mut x = assume.nominal_for(gpu);
    x.cost.usd_per_gpu_hour = prices.0;
    x.cost.purchase_usd = prices.1;
    x.cost.channel_premium = 0.0;
    Pool {
        index: usize::MAX,
        label: label.to_string(),
        channel: Channel::Purchase,
        requested: gpus,
        cap: None,
        question: asker.question(gpu, gpus, &x, Channel::Purchase),
        nominal: x,
        own: OwnPrices::ALL,
        buildup: None,
    }
}

/// The H100 fleet of `fleet_gpus` GPUs (`None` without GPUs or without the H100).
pub(super) fn h100(
    catalog: &Catalog,
    fleet_gpus: u64,
    assume: &Assumptions,
    asker: &Asker,
) -> Option<Pool> {
    match catalog.gpu(H100) {
        Ok(g) if fleet_gpus > 0 => Some(side(H100, g, fleet_gpus, (None, None), assume, asker)),
        _ => None,
    }
}

/// The unrestricted reference fleet of `[policy] reference`, if any.
pub(super) fn reference(
    raw: &RawScenario,
    catalog: &Catalog,
    assume: &Assumptions,
    asker: &Asker,
    ctx: &Ctx,
) -> Result<Option<Pool>, InputError> {
    let Some(r) = raw.policy.as_ref().and_then(|p| p.reference.as_ref()) else {
        return Ok(None);
    };
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
    Ok(Some(side(
        "reference",
        &gpu,
        count,
        (usd, purchase),
        assume,
        asker,
    )))
}
