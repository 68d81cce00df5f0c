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

/// A small scenario where the best of K plans per trial beats the first plan alone.
fn top_k_scenario(values: &str) -> String {
    format!(
        r#"name = "topk"
model = "llama3.1-8b"
train_tokens = 1e11
[fleet]
gpu = "h100-sxm-80gb"
count = 64
[efficiency]
matmul = {{ dist = "uniform", min = 0.4, max = 0.9 }}
scaleout = {{ dist = "uniform", min = 0.1, max = 0.9 }}
nvlink = {{ dist = "uniform", min = 0.1, max = 0.9 }}
[uncertainty]
trials = 200
[sweep]
"uncertainty.top_k" = {values}
"#
    )
}

/// Row `point` of the summary.csv of a run of `scenario`.
fn summary_row(scenario: &str, point: usize) -> String {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, scenario).unwrap();
    let out = dir.path().join("out");
    trainsim()
        .args(["run", "--no-charts", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("topk/summary.csv")).unwrap();
    csv.lines().nth(point + 1).unwrap().to_string()
}

/// Sweeping `uncertainty.top_k`: each point searches with its own K, so the `top_k = 8`
/// point of `[1, 8]` equals the `top_k = 8` point of `[8, 8]` (same index, same seed).
#[test]
fn issue12_swept_top_k_is_each_points_own() {
    assert_eq!(
        summary_row(&top_k_scenario("[1, 8]"), 1),
        summary_row(&top_k_scenario("[8, 8]"), 1)
    );
}
