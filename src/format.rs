//! Number formatting shared by every output: CSV cells ([`fmt_f64`], [`Cell`]), numbers for
//! people ([`grouped`], [`short`]) and inputs as the report writes them ([`input_number`]). A leaf
//! module: it imports nothing of ours, so the scenario loader, the batch runner and the
//! report can all use it without importing one another. (Chart labels with k/M/B suffixes,
//! `human`, stay with the charts in `report::chart`.)

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A float as a CSV cell: shortest round-trip decimal, empty when not finite.
pub fn fmt_f64(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

/// A large number with thousands separators, no decimals (`n/a` when not finite).
pub fn grouped(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let neg = v < 0.0;
    let s = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg && s != "0" {
        format!("-{out}")
    } else {
        out
    }
}

/// A number in three significant figures with a k/M/B/T suffix (`4.93M`).
pub fn short(x: f64) -> String {
    let (v, unit) = if x >= 1e12 {
        (x / 1e12, "T")
    } else if x >= 1e9 {
        (x / 1e9, "B")
    } else if x >= 1e6 {
        (x / 1e6, "M")
    } else if x >= 1e3 {
        (x / 1e3, "k")
    } else {
        (x, "")
    };
    let digits = if v >= 100.0 {
        0
    } else if v >= 10.0 {
        1
    } else {
        2
    };
    format!("{v:.digits$}{unit}")
}

/// A number as the report writes an input: shortest round-trip decimal (`0.85`, `1200`), in
/// scientific notation below 0.001 (`1.2e-5`).
pub fn input_number(x: f64) -> String {
    if x != 0.0 && x.abs() < 1e-3 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// A float in an output file (CSV cell or JSON string): written as [`fmt_f64`] (shortest
/// round-trip decimal, empty when not finite) and read back exactly; an empty cell reads as
/// NaN. Every number of summary.csv, trials.csv, sensitivity.csv and the shard files goes
/// through it, so a value merged from shards is the value a single run writes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cell(pub f64);

/// The default is the missing value (an empty cell), not zero.
impl Default for Cell {
    fn default() -> Cell {
        Cell::NONE
    }
}

impl Cell {
    /// The missing value (an empty cell).
    pub const NONE: Cell = Cell(f64::NAN);

    /// `Some(x)` as `x`, `None` as an empty cell.
    pub fn of(x: Option<f64>) -> Cell {
        Cell(x.unwrap_or(f64::NAN))
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&fmt_f64(self.0))
    }
}

impl<'de> Deserialize<'de> for Cell {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Cell, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Cell;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number or an empty cell")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Cell, E> {
                if s.is_empty() {
                    return Ok(Cell::NONE);
                }
                match s.parse::<f64>() {
                    Ok(x) if x.is_finite() => Ok(Cell(x)),
                    _ => Err(E::custom(format!("`{s}` is not a number"))),
                }
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_round_trip_in_their_shortest_form() {
        for x in [
            0.1,
            37.581_234_567_890_12,
            1.48e13,
            3.4e-6,
            5e-324,
            f64::MAX,
            -0.0,
        ] {
            assert_eq!(fmt_f64(x).parse::<f64>().unwrap().to_bits(), x.to_bits());
            let json = serde_json::to_string(&Cell(x)).unwrap();
            let back: Cell = serde_json::from_str(&json).unwrap();
            assert_eq!(back.0.to_bits(), x.to_bits(), "{json}");
        }
        assert_eq!(fmt_f64(f64::NAN), "");
        assert_eq!(fmt_f64(f64::INFINITY), "");
        assert_eq!(fmt_f64(1.48e13), "14800000000000");
        assert_eq!(serde_json::to_string(&Cell::NONE).unwrap(), "\"\"");
        assert!(serde_json::from_str::<Cell>("\"\"").unwrap().0.is_nan());
        assert!(serde_json::from_str::<Cell>("\"x1\"").is_err());
        assert!(serde_json::from_str::<Cell>("\"NaN\"").is_err());
    }

    #[test]
    fn grouped_and_inputs_by_hand() {
        assert_eq!(grouped(15_832.0), "15,832");
        assert_eq!(grouped(-1_234_567.4), "-1,234,567");
        assert_eq!(grouped(600.0), "600");
        assert_eq!(grouped(f64::NAN), "n/a");
        assert_eq!(input_number(1.2e-5), "1.2e-5");
        assert_eq!(input_number(0.85), "0.85");
        assert_eq!(input_number(1200.0), "1200");
    }
}
