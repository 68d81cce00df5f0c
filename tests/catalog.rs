//! Catalog figures corrected against their primary sources (issue 11), one assertion per
//! figure with its source, and what the corrections change in the engine.

use serde_json::Value;

use crate::cli::trainsim;

fn gpus() -> Vec<Value> {
    let out = trainsim()
        .args(["catalog", "gpus", "--format", "json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    serde_json::from_slice::<Value>(&out.stdout)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn gpu<'a>(all: &'a [Value], id: &str) -> &'a Value {
    all.iter().find(|g| g["id"] == id).unwrap()
}

// See: issue 11, "Chip data".
#[test]
fn corrected_figures_read_as_their_sources_give_them() {
    let all = gpus();
    let g = |id: &str| gpu(&all, id);
    // NVIDIA Ada Lovelace whitepaper: RTX 4090 FP8 330.3 dense with FP32 accumulate (as its
    // BF16 figure); TPP still from INT8 660.6 × 8 = 5,285.
    assert_eq!(g("rtx-4090")["fp8_dense_tflops"], 330.3);
    assert_eq!(g("rtx-4090")["tpp"].as_f64().unwrap().round(), 5285.0);
    // RTX 4090D: 330.3 × 14,592 / 16,384 cores = 294.2.
    assert_eq!(g("rtx-4090d")["fp8_dense_tflops"], 294.2);
    // NVIDIA PCIe product briefs: the NVLink bridge joins two boards.
    for id in [
        "a100-pcie-80gb",
        "a800-pcie-80gb",
        "h100-pcie-80gb",
        "h800-pcie-80gb",
        "h100-nvl-94gb",
    ] {
        assert_eq!(g(id)["scale_up_domain_gpus"], 2, "{id}");
        assert_eq!(g(id)["gpus_per_node"], 8, "{id}");
    }
    assert_eq!(g("a100-sxm-80gb")["scale_up_domain_gpus"], 8);
    // Huawei CloudMatrix384 paper (arXiv:2506.12708): 752 TFLOPS dense BF16 per 910C.
    assert_eq!(g("ascend-910c")["bf16_dense_tflops"], 752.0);
    assert!(g("ascend-910c")["source"]
        .as_str()
        .unwrap()
        .contains("arXiv:2506.12708"));
    // 88 FR 73458 counts every non-planar logic die: MI300X 8 XCD + 4 IOD, MI250X 2 GCDs.
    assert_eq!(g("mi300x")["die_area_mm2"], 2400.0);
    assert_eq!(g("mi300x")["logic_dies"], 12);
    assert_eq!(g("mi250x")["die_area_mm2"], 1448.0);
    assert_eq!(g("mi250x")["logic_dies"], 2);
    // Intel Gaudi docs: 21 of 24 ports scale up in an 8-card server; the rule counts all 24.
    assert_eq!(g("gaudi2")["intra_node_gb_per_s"], 525.0);
    assert_eq!(g("gaudi2")["io_total_gb_per_s"], 600.0);
    assert_eq!(g("gaudi3")["intra_node_gb_per_s"], 1050.0);
    assert_eq!(g("gaudi3")["io_total_gb_per_s"], 1200.0);
    assert_eq!(g("gaudi3")["scale_out_gbit_per_s"], 600.0);
    // Google Cloud TPU v4 docs: measured max 192 W.
    assert_eq!(g("tpu-v4")["tdp_w"], 192.0);
    // NVIDIA A800 PCIe: 300 W, as the A100 PCIe 80GB.
    assert_eq!(g("a800-pcie-80gb")["tdp_w"], 300.0);
    // 91 FR 1684 needs to know how each chip reaches buyers.
    assert_eq!(g("h800-sxm-80gb")["us_market"], "china-only");
    assert_eq!(g("ascend-910b")["us_market"], "not-exported");
    assert_eq!(g("tpu-v4")["us_market"], "cloud-only");
    assert_eq!(g("h200-sxm-141gb")["us_market"], "commercial");
    assert!(all.iter().all(|g| g["us_market"].is_string()), "every chip");
}

// DeepSeek-V3 report §1: "assuming the rental price of the H800 GPU is $2 per GPU hour".
#[test]
fn the_h800_price_says_it_is_deepseeks_assumption() {
    let src = include_str!("../src/catalog/gpus.toml");
    let h800 = &src[src.find("[h800-sxm-80gb]").unwrap()..];
    let h800 = &h800[..h800[1..].find("\n[").unwrap()];
    assert!(h800.contains("rental_usd_per_gpu_hour = 2.0"));
    assert!(h800.contains("NOT a market price"));
    assert!(h800.contains("arXiv:2412.19437"));
    assert!(h800.contains("$3.42"), "a market quote beside it");
    // The header cites sources, not paths outside the project.
    assert!(!src.contains("/work/") && !src.contains("gpus.md section"));
}

fn step_time(gpu: &str, tp: &str) -> f64 {
    let out = trainsim()
        .args([
            "estimate",
            "--model",
            "llama2-70b",
            "--gpu",
            gpu,
            "--gpus",
            "64",
        ])
        .args(["--tokens", "1e11", "--tp", tp, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    v["step_time_s"].as_f64().unwrap()
}

// See: issue 11, "Today TP8 on `a100-pcie-80gb` times like SXM".
#[test]
fn tp_beyond_an_nvlink_pair_leaves_the_bridge() {
    // Same compute and memory; TP2 stays on the bridge, TP8 crosses PCIe and the network.
    let pcie8 = step_time("a100-pcie-80gb", "8");
    let sxm8 = step_time("a100-sxm-80gb", "8");
    assert!(pcie8 > 1.2 * sxm8, "PCIe TP8 {pcie8} s vs SXM TP8 {sxm8} s");
    let pcie2 = step_time("a100-pcie-80gb", "2");
    let sxm2 = step_time("a100-sxm-80gb", "2");
    assert!(
        (pcie2 / sxm2 - 1.0).abs() < 0.25,
        "TP2 on the bridge: {pcie2} vs {sxm2}"
    );
}
