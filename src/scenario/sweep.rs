//! `[sweep]`: the cartesian product of swept keys, in the order the keys appear in the file,
//! the last key varying fastest.
//!
//! A swept key is any key of the file by its dotted path (`"fleet.gpu"`, `"model"`,
//! `"efficiency.matmul"`, `"cost.usd_per_gpu_hour"`), and each value is whatever that key
//! accepts (a number, a distribution table, a string, an inline model table). A sweep point
//! is the file's TOML tree with the point's values written over it, read again through the
//! same serde layer, so a swept value is checked exactly like a written one. Errors in a
//! swept value point at the value inside `[sweep]`.

use crate::error::{InputError, Location};

use super::raw::{Num, RawScenario};

/// Most sweep points one scenario may expand to.
pub const MAX_POINTS: usize = 100_000;

/// One swept key and its values.
#[derive(Debug, Clone)]
pub struct Axis {
    /// Dotted path of the key.
    pub path: String,
    /// Values, in file order.
    pub values: Vec<toml::Value>,
    /// Where the values are written.
    pub location: Option<Location>,
    /// Byte offset of the values, for ordering.
    offset: usize,
}

/// Keys that may not be swept, with the reason.
fn unsweepable(path: &str) -> Option<&'static str> {
    match path.split('.').next().unwrap_or("") {
        "name" => Some("the name names the output folder; write one scenario per name instead"),
        "sweep" => Some("a sweep cannot sweep itself"),
        _ => None,
    }
}

/// The axes of `raw.sweep`, in file order, each value checked by reading the file with that
/// one value written over it, and a number against its key's range ([`resolve::check_swept`]),
/// so a bad value is refused before any point is resolved.
///
/// `bare` is the file's tree without `[sweep]`. The work is linear in the number of values:
/// each value costs one copy of `bare` (a few keys), never of the value lists themselves
/// (issue 12: copying the whole file per value made a 100,000-value list quadratic).
pub fn axes(
    raw: &RawScenario,
    bare: &toml::Table,
    src: &str,
    file: &str,
) -> Result<Vec<Axis>, InputError> {
    let Some(sweep) = &raw.sweep else {
        return Ok(Vec::new());
    };
    debug_assert!(!bare.contains_key("sweep"));
    let mut out = Vec::new();
    for (path, spanned) in sweep {
        let offset = spanned.span().start;
        let location = Some(Location::of_offset(src, offset));
        let fail = |msg: String, hint: &str| {
            InputError::new(msg)
                .in_file(file)
                .at_key(format!("sweep.\"{path}\""))
                .at(location)
                .with_hint(hint.to_string())
        };
        if let Some(why) = unsweepable(path) {
            return Err(fail(format!("`{path}` cannot be swept"), why));
        }
        if path.is_empty() || path.split('.').any(str::is_empty) {
            return Err(fail(
                format!("`{path}` is not a dotted key path"),
                "write the key as it appears in the file, e.g. \"fleet.count\" or \"efficiency.matmul\"",
            ));
        }
        let values = match spanned.get_ref() {
            toml::Value::Array(a) if !a.is_empty() => a.clone(),
            toml::Value::Array(_) => {
                return Err(fail(
                    "the list of values is empty".into(),
                    "give at least one value",
                ));
            }
            _ => {
                return Err(fail(
                    "must be a list of values".into(),
                    "write the values in brackets, e.g. \"fleet.count\" = [1024, 2048]",
                ));
            }
        };
        let key = super::keys::number_key(path);
        for v in &values {
            let mut t = bare.clone();
            set_path(&mut t, path, v.clone())
                .map_err(|m| fail(m, "sweep only keys the file format has"))?;
            if let Err(e) = toml::Value::Table(t).try_into::<RawScenario>() {
                return Err(fail(
                    format!("value {}: {}", display_value(v), e.message().trim()),
                    "each swept value must be valid for its key; scenarios/README.md lists every key",
                ));
            }
            if let Some(k) = key {
                let num = v.clone().try_into::<Num>().ok();
                if let Some(Num::Dist(_)) = num {
                    if !matches!(k.role, super::keys::Role::Uncertain(_)) {
                        return Err(fail(
                            format!(
                                "value {}: `{path}` may not be a distribution",
                                display_value(v)
                            ),
                            "it is fixed for each sweep point; sweep plain values",
                        ));
                    }
                }
                if let Some(num) = num {
                    super::resolve::check_swept(num, k, src, file, location)?;
                }
            }
        }
        out.push(Axis {
            path: path.clone(),
            values,
            location,
            offset,
        });
    }
    out.sort_by_key(|a| a.offset);
    let mut n: usize = 1;
    for a in &out {
        n = n.saturating_mul(a.values.len());
    }
    if n > MAX_POINTS {
        return Err(InputError::new(format!(
            "the sweep expands to {n} points, more than {MAX_POINTS}"
        ))
        .in_file(file)
        .at_key("sweep")
        .at(Location::of_key(src, &["sweep"], None))
        .with_hint("split the sweep over several scenario files"));
    }
    Ok(out)
}

/// Number of points of a sweep (1 without axes).
pub fn point_count(axes: &[Axis]) -> usize {
    axes.iter().map(|a| a.values.len()).product()
}

/// The value index of each axis at point `index` (mixed radix, last axis fastest).
pub fn point_indices(axes: &[Axis], index: usize) -> Vec<usize> {
    let mut rest = index;
    let mut out = vec![0; axes.len()];
    for (i, a) in axes.iter().enumerate().rev() {
        out[i] = rest % a.values.len();
        rest /= a.values.len();
    }
    out
}

/// Write `value` at dotted `path` in `table`, creating intermediate tables. A numeric part
/// indexes an array of tables (`fleet.pools.1.count`: the second `[[fleet.pools]]` entry).
pub fn set_path(table: &mut toml::Table, path: &str, value: toml::Value) -> Result<(), String> {
    let mut parts: Vec<&str> = path.split('.').collect();
    let last = parts.pop().unwrap_or_default();
    let mut t = table;
    let mut walked = String::new();
    let mut i = 0;
    while i < parts.len() {
        let p = parts[i];
        if !walked.is_empty() {
            walked.push('.');
        }
        walked.push_str(p);
        let entry = t
            .entry(p.to_string())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        let entry = match (
            entry,
            parts.get(i + 1).and_then(|n| n.parse::<usize>().ok()),
        ) {
            (toml::Value::Array(a), Some(n)) => {
                let len = a.len();
                let array = walked.clone();
                walked.push_str(&format!(".{n}"));
                i += 1;
                a.get_mut(n).ok_or_else(|| {
                    format!("`{path}`: there is no entry {n} in `{array}` (it has {len}, counted from 0)")
                })?
            }
            (e, _) => e,
        };
        t = match entry {
            toml::Value::Table(inner) => inner,
            _ => {
                return Err(format!(
                    "`{walked}` is not a table, so `{path}` cannot be set"
                ))
            }
        };
        i += 1;
    }
    t.insert(last.to_string(), value);
    Ok(())
}

/// A swept value as a CSV cell: strings bare, numbers in shortest round-trip form,
/// distributions as `pert(min=.. mode=.. max=..)`, inline models by name.
pub fn display_value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(x) => crate::format::fmt_f64(*x),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Table(t) => {
            if let Ok(Num::Dist(d)) = v.clone().try_into::<Num>() {
                d.describe()
            } else if let Some(toml::Value::String(name)) = t.get("name") {
                name.clone()
            } else {
                v.to_string()
            }
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn axes_of(src: &str) -> Result<Vec<Axis>, InputError> {
        let raw: RawScenario = toml::from_str(src).unwrap();
        let mut bare: toml::Table = toml::from_str(src).unwrap();
        bare.remove("sweep");
        axes(&raw, &bare, src, "t.toml")
    }

    #[test]
    fn axes_keep_file_order_and_the_last_varies_fastest() {
        let a = axes_of(
            "[sweep]\n\"fleet.gpu\" = [\"h100\", \"h800\"]\n\"fleet.count\" = [8, 16, 32]\n",
        )
        .unwrap();
        assert_eq!(
            a.iter().map(|a| a.path.as_str()).collect::<Vec<_>>(),
            ["fleet.gpu", "fleet.count"]
        );
        assert_eq!(point_count(&a), 6);
        assert_eq!(point_indices(&a, 0), [0, 0]);
        assert_eq!(point_indices(&a, 1), [0, 1]);
        assert_eq!(point_indices(&a, 3), [1, 0]);
        assert_eq!(point_indices(&a, 5), [1, 2]);
    }

    #[test]
    fn bad_sweeps_name_the_sweep_key() {
        let e = axes_of("[sweep]\n\"fleet.colour\" = [1]\n").unwrap_err();
        assert_eq!(e.key.as_deref(), Some("sweep.\"fleet.colour\""));
        assert!(
            e.message.contains("unknown field `colour`"),
            "{}",
            e.message
        );
        assert_eq!(
            e.location,
            Some(Location {
                line: 2,
                column: 18
            })
        );
        let e = axes_of("[sweep]\n\"fleet.count\" = 8\n").unwrap_err();
        assert!(e.message.contains("list"), "{}", e.message);
        let e = axes_of("[sweep]\n\"fleet.count\" = [{ dist = \"uniform\", min = 1, max = 2 }]\n")
            .unwrap_err();
        assert!(
            e.message.contains("may not be a distribution"),
            "{}",
            e.message
        );
        let e = axes_of("[sweep]\nname = [\"a\"]\n").unwrap_err();
        assert!(e.message.contains("cannot be swept"), "{}", e.message);
    }

    // See: issue 12, item 5 (sweep validation took quadratic time). A bad number at the
    // end of a 100,000-value list is refused by `axes` itself, value by value, before any
    // of the 100,000 points is resolved (it used to pass here and fail only at its point).
    #[test]
    fn issue_12_a_bad_value_ends_a_long_sweep_before_any_point_is_resolved() {
        let mut values: Vec<String> = (0..100_000)
            .map(|i| format!("{}", 1e12 + i as f64))
            .collect();
        values[99_999] = "-5".into();
        let src = format!(
            "model = \"llama3.1-8b\"\ntrain_tokens = 1e12\n[fleet]\ngpu = \"h100\"\ncount = 64\n[sweep]\n\"train_tokens\" = [{}]\n",
            values.join(", ")
        );
        let e = axes_of(&src).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("sweep.\"train_tokens\""));
        assert!(
            e.message.contains("must be a positive number, got -5"),
            "{}",
            e.message
        );
        assert_eq!(
            e.location,
            Some(Location {
                line: 7,
                column: 18
            })
        );
    }

    #[test]
    fn set_path_creates_tables_and_refuses_scalars() {
        let mut t: toml::Table = toml::from_str("model = \"x\"").unwrap();
        set_path(&mut t, "efficiency.matmul", toml::Value::Float(0.5)).unwrap();
        assert_eq!(t["efficiency"]["matmul"].as_float(), Some(0.5));
        assert!(set_path(&mut t, "model.layers", toml::Value::Integer(2)).is_err());
        let mut t: toml::Table =
            toml::from_str("[[fleet.pools]]\ngpu = \"a\"\n[[fleet.pools]]\ngpu = \"b\"\n").unwrap();
        set_path(&mut t, "fleet.pools.1.count", toml::Value::Integer(8)).unwrap();
        assert_eq!(t["fleet"]["pools"][1]["count"].as_integer(), Some(8));
        let e = set_path(&mut t, "fleet.pools.2.count", toml::Value::Integer(8)).unwrap_err();
        assert!(e.contains("no entry 2 in `fleet.pools`"), "{e}");
    }
}
