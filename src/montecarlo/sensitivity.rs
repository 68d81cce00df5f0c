//! The tornado: for each uncertain input, the run evaluated with that input at its 10th and
//! 90th percentile (statrs inverse CDF, [`Dist::quantile`](crate::dist::Dist::quantile))
//! and every other input at its nominal value. No sampling: the result is deterministic.
//! Each evaluation takes the best of the kept plans, as a trial does.
//!
//! Rows are sorted by the swing of `train_days` (largest first), then the swing of
//! `cost_usd`, then the input's path. A swing is `|value at p90 − value at p10|`.

use super::{evaluate_fleet, nominal_values, Prepared, Scratch};

/// Quantiles the tornado swings between.
pub const LOW: f64 = 0.10;
/// See [`LOW`].
pub const HIGH: f64 = 0.90;

/// One bar of the tornado.
#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityRow {
    /// Dotted path of the input.
    pub input: &'static str,
    /// The input at its p10.
    pub input_p10: f64,
    /// The input at its p90.
    pub input_p90: f64,
    /// Training days with the input at p10 (NaN when no plan makes progress).
    pub train_days_at_p10: f64,
    /// Training days with the input at p90.
    pub train_days_at_p90: f64,
    /// Cost with the input at p10, USD.
    pub cost_usd_at_p10: f64,
    /// Cost with the input at p90, USD.
    pub cost_usd_at_p90: f64,
    /// `|train_days_at_p90 − train_days_at_p10|`.
    pub train_days_swing: f64,
    /// `|cost_usd_at_p90 − cost_usd_at_p10|`.
    pub cost_usd_swing: f64,
}

/// The tornado of a prepared point (empty when it has no plan or nothing is uncertain).
pub fn sensitivity(prep: &Prepared) -> Vec<SensitivityRow> {
    if prep.infeasible.is_some() || prep.pools.is_empty() {
        return Vec::new();
    }
    let point = prep.point;
    let mut s = Scratch::new(prep);
    let nominal = nominal_values(point);
    let mut values = nominal.clone();
    let mut at = |i: usize, v: f64| {
        values.copy_from_slice(&nominal);
        values[i] = v;
        match evaluate_fleet(prep, &values, &mut s) {
            Ok(r) => (r.metrics.train_days, r.metrics.cost_usd),
            Err(_) => (f64::NAN, f64::NAN),
        }
    };
    let mut rows: Vec<SensitivityRow> = point
        .uncertain
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let (lo, hi) = (u.dist.quantile(LOW), u.dist.quantile(HIGH));
            let (d10, c10) = at(i, lo);
            let (d90, c90) = at(i, hi);
            SensitivityRow {
                input: u.path,
                input_p10: lo,
                input_p90: hi,
                train_days_at_p10: d10,
                train_days_at_p90: d90,
                cost_usd_at_p10: c10,
                cost_usd_at_p90: c90,
                train_days_swing: (d90 - d10).abs(),
                cost_usd_swing: (c90 - c10).abs(),
            }
        })
        .collect();
    let key = |x: f64| if x.is_nan() { f64::NEG_INFINITY } else { x };
    rows.sort_by(|a, b| {
        key(b.train_days_swing)
            .total_cmp(&key(a.train_days_swing))
            .then(key(b.cost_usd_swing).total_cmp(&key(a.cost_usd_swing)))
            .then(a.input.cmp(b.input))
    });
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::montecarlo::prepare;
    use crate::montecarlo::tests::point;

    #[test]
    fn efficiency_moves_time_and_electricity_moves_only_cost() {
        let src =
            "model = \"llama3.1-8b\"\ntrain_tokens = 1e11\nmodel_error = 1\n[fleet]\ngpu = \"h100\"\ncount = 64\n\
            [cost]\nbasis = \"ownership\"\n\
            [efficiency]\nmatmul = { dist = \"pert\", min = 0.6, mode = 0.7, max = 0.8 }\n\
            [energy]\nusd_per_kwh = { dist = \"uniform\", min = 0.05, max = 0.1 }\n";
        let p = point(src);
        let prep = prepare(&p);
        let rows = sensitivity(&prep);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].input, "efficiency.matmul");
        assert!(
            rows[0].train_days_at_p10 > rows[0].train_days_at_p90,
            "more efficiency, fewer days"
        );
        assert_eq!(rows[1].input, "energy.usd_per_kwh");
        assert_eq!(rows[1].train_days_swing, 0.0);
        assert!(rows[1].cost_usd_swing > 0.0);
        assert!((rows[1].input_p10 - 0.055).abs() < 1e-12);
    }
}
