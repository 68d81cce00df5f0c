//! `sensitivity.csv`: the tornado of every point ([`SensitivityRow`], one per uncertain
//! input), also carried in a shard's `points.jsonl`.

use serde::{Deserialize, Serialize};

use super::Cell;

/// One row of sensitivity.csv: an input swung from its p10 to its p90 with the others at
/// nominal values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SensitivityRow {
    /// Point index.
    pub point: usize,
    /// The input's dotted path.
    pub input: String,
    /// Its p10.
    pub input_p10: Cell,
    /// Its p90.
    pub input_p90: Cell,
    /// Days with the input at its p10.
    pub train_days_at_p10: Cell,
    /// Days at its p90.
    pub train_days_at_p90: Cell,
    /// Cost at its p10, USD.
    pub cost_usd_at_p10: Cell,
    /// Cost at its p90, USD.
    pub cost_usd_at_p90: Cell,
    /// `|days at p90 − days at p10|`.
    pub train_days_swing: Cell,
    /// `|cost at p90 − cost at p10|`.
    pub cost_usd_swing: Cell,
}

/// sensitivity.csv.
pub fn sensitivity_csv<'a>(
    rows: impl IntoIterator<Item = &'a SensitivityRow>,
) -> anyhow::Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut any = false;
    for r in rows {
        w.serialize(r)?;
        any = true;
    }
    if !any {
        w.write_record(super::field_names::<SensitivityRow>())?;
    }
    Ok(w.into_inner()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitivity_by_hand() {
        let r = SensitivityRow {
            point: 2,
            input: "efficiency.matmul".into(),
            input_p10: Cell(0.55),
            input_p90: Cell(0.75),
            train_days_at_p10: Cell(40.0),
            train_days_at_p90: Cell(30.0),
            cost_usd_at_p10: Cell(2e6),
            cost_usd_at_p90: Cell(1.5e6),
            train_days_swing: Cell(10.0),
            cost_usd_swing: Cell::NONE,
        };
        let s = String::from_utf8(sensitivity_csv(std::slice::from_ref(&r)).unwrap()).unwrap();
        insta::assert_snapshot!(s, @r"
        point,input,input_p10,input_p90,train_days_at_p10,train_days_at_p90,cost_usd_at_p10,cost_usd_at_p90,train_days_swing,cost_usd_swing
        2,efficiency.matmul,0.55,0.75,40,30,2000000,1500000,10,
        ");
        let empty = String::from_utf8(sensitivity_csv(&[]).unwrap()).unwrap();
        assert_eq!(empty, s.lines().next().unwrap().to_string() + "\n");
        // Round trip through a shard's JSON.
        let json = serde_json::to_string(&r).unwrap();
        let back: SensitivityRow = serde_json::from_str(&json).unwrap();
        assert_eq!(back.input_p10, r.input_p10);
        assert!(back.cost_usd_swing.0.is_nan());
    }
}
