//! Numbers as written: each checked against its key's domain and role (whole number,
//! plan-shaping, or uncertain and so possibly a distribution whose whole support must lie
//! in the domain) and the upper bounds every front end shares ([`crate::bounds`]).

use std::collections::BTreeMap;

use super::Ctx;
use crate::dist::Dist;
use crate::error::{InputError, Location};
use crate::scenario::keys::{Domain, NumberKey, Role, NUMBER_KEYS};
use crate::scenario::raw::{Num, RawScenario};

/// Values by dotted path, after [`numbers`].
pub(super) type Numbers = BTreeMap<&'static str, Value>;

/// A number after validation.
#[derive(Debug, Clone, Copy)]
pub(super) enum Value {
    /// A constant.
    Const(f64),
    /// A distribution with a non-empty spread.
    Dist(Dist),
}

impl Value {
    /// The value at nominal: the constant, or the distribution's nominal value.
    pub(super) fn nominal(self) -> f64 {
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
pub(super) fn check(
    num: Num,
    path: &str,
    domain: Domain,
    role: Role,
    ctx: &Ctx,
) -> Result<Value, InputError> {
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
/// resolution of its point would give ([`crate::scenario::sweep::axes`] refuses it before any point
/// is resolved).
pub(crate) fn check_swept(
    num: Num,
    k: &NumberKey,
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
pub(super) fn numbers(
    raw: &RawScenario,
    ctx: &Ctx,
) -> Result<BTreeMap<&'static str, Value>, InputError> {
    let mut out = BTreeMap::new();
    for k in NUMBER_KEYS {
        let Some(num) = raw.number(k.path) else {
            continue;
        };
        out.insert(k.path, check(*num, k.path, k.domain, k.role, ctx)?);
    }
    Ok(out)
}
