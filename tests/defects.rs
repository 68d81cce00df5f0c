//! Regression tests for the defects of issue 12, item 5: each failed before its fix.
//!
//! See: issue 12 ("The defects").

use crate::cli::trainsim;

fn json(args: &[&str]) -> serde_json::Value {
    let out = trainsim().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

/// Energy, facility power and capex depend on the TDP and the purchase price, not on the
/// rental price: an H20 (no catalog rental price) still gets all three.
#[test]
fn issue12_energy_power_capex_without_a_rental_price() {
    let v = json(&[
        "estimate",
        "--model",
        "llama3.1-8b",
        "--gpu",
        "h20",
        "--gpus",
        "64",
        "--tokens",
        "1e11",
        "--format",
        "json",
    ]);
    assert!(v["cost_usd"].is_null(), "{v}");
    // 64 × 400 W × (0.80 + 0.50) × 1.25 = 41.6 kW.
    let mw = v["facility_power_mw"].as_f64().expect("power");
    assert!((mw - 0.0416).abs() < 1e-12, "{mw}");
    let days = v["train_days"].as_f64().unwrap();
    let mwh = v["energy_mwh"].as_f64().expect("energy");
    assert!((mwh - mw * days * 24.0).abs() < 1e-9 * mwh, "{mwh}");
    assert!(v["capex_usd"].as_f64().expect("capex") > 0.0, "{v}");
    // With a price, the same energy, power and capex.
    let priced = json(&[
        "estimate",
        "--model",
        "llama3.1-8b",
        "--gpu",
        "h20",
        "--gpus",
        "64",
        "--tokens",
        "1e11",
        "--usd-per-gpu-hour",
        "1.5",
        "--format",
        "json",
    ]);
    assert_eq!(priced["facility_power_mw"], v["facility_power_mw"]);
    assert_eq!(priced["capex_usd"], v["capex_usd"]);
}
