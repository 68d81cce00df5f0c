//! The command-line contract (DESIGN.md §3): commands, JSON keys, exit codes, messages.

use assert_cmd::Command;
use predicates::prelude::*;

/// The built binary.
pub fn trainsim() -> Command {
    Command::cargo_bin("trainsim").expect("binary built")
}

fn json(args: &[&str]) -> serde_json::Value {
    let out = trainsim().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn catalog_gpus_csv_lists_the_export_control_parts() {
    let out = trainsim()
        .args(["catalog", "gpus", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    for col in [
        "id",
        "bf16_dense_tflops",
        "fp8_dense_tflops",
        "hbm_gib",
        "hbm_tb_per_s",
        "intra_node_gb_per_s",
        "tdp_w",
        "tpp",
        "purchase_usd",
        "rental_usd_per_gpu_hour",
        "source",
    ] {
        assert!(header.split(',').any(|c| c == col), "missing column {col}");
    }
    for id in [
        "a100-sxm-80gb",
        "a800-sxm-80gb",
        "h100-sxm-80gb",
        "h800-sxm-80gb",
        "h20",
        "h200-sxm-141gb",
        "ascend-910b",
        "ascend-910c",
    ] {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{id},"))),
            "missing {id}"
        );
    }
    // The H20 row carries its published figures (gpus.csv): 148 TFLOP/s, 96 GB, 4.0 TB/s.
    let h20 = text.lines().find(|l| l.starts_with("h20,")).unwrap();
    assert!(
        h20.contains(",148.0,") && h20.contains(",96.0,") && h20.contains(",4.0,"),
        "{h20}"
    );
}

#[test]
fn catalog_json_has_ids_and_sources() {
    for what in ["gpus", "models"] {
        let v = json(&["catalog", what, "--format", "json"]);
        let arr = v.as_array().unwrap();
        assert!(arr.len() > 20);
        assert!(arr
            .iter()
            .all(|o| o["id"].is_string() && o["source"].as_str().is_some_and(|s| !s.is_empty())));
    }
}

#[test]
fn estimate_json_keeps_the_contract() {
    let v = json(&[
        "estimate",
        "--model",
        "llama3.1-70b",
        "--gpu",
        "h100",
        "--gpus",
        "1024",
        "--tokens",
        "15e12",
        "--format",
        "json",
    ]);
    for k in [
        "model",
        "gpu",
        "gpus",
        "tokens",
        "train_days",
        "gpu_hours",
        "cost_usd",
        "energy_mwh",
        "mfu",
        "mfu_bf16",
        "model_flops",
        "tokens_per_s",
        "step_time_s",
        "memory_per_gpu_gib",
        "goodput",
        "expected_interruptions",
        "plan",
    ] {
        assert!(v.get(k).is_some(), "lacks {k}");
    }
    for k in [
        "tp",
        "pp",
        "dp",
        "ep",
        "cp",
        "micro_batch",
        "recompute",
        "zero_stage",
    ] {
        assert!(v["plan"].get(k).is_some(), "lacks plan.{k}");
    }
    assert_eq!(v["gpu"], "h100-sxm-80gb");
    let mfu = v["mfu"].as_f64().unwrap();
    assert!(mfu > 0.2 && mfu < 0.8, "{mfu}");
    // An H100 fleet is worth exactly its own count in H100-equivalents.
    assert!((v["h100_equivalents"].as_f64().unwrap() - 1024.0).abs() < 1e-9);
}

#[test]
fn fixed_plan_flags_are_kept_and_numbers_accept_scientific_notation() {
    let v = json(&[
        "estimate",
        "--model",
        "llama3.1-8b",
        "--gpu",
        "a100",
        "--gpus",
        "6.4e1",
        "--tokens",
        "300000000000.0",
        "--global-batch-tokens",
        "1048576",
        "--tp",
        "2",
        "--pp",
        "1",
        "--dp",
        "32",
        "--micro-batch",
        "4",
        "--recompute",
        "full",
        "--net-gbps-per-gpu",
        "100",
        "--format",
        "json",
    ]);
    assert_eq!(v["plan"]["tp"], 2);
    assert_eq!(v["plan"]["dp"], 32);
    assert_eq!(v["plan"]["recompute"], "full");
    assert_eq!(v["gpus"], 64);
}

#[test]
fn a_model_that_fits_nowhere_is_an_answer_not_an_error() {
    let v = json(&[
        "estimate",
        "--model",
        "megatron-1t",
        "--gpu",
        "a100-sxm-40gb",
        "--gpus",
        "8",
        "--tokens",
        "1e9",
        "--format",
        "json",
    ]);
    assert_eq!(v["feasible"], false);
    assert!(v["infeasible_reason"]
        .as_str()
        .unwrap()
        .starts_with("out of memory"));
}

#[test]
fn unknown_gpu_exits_2_with_a_hint() {
    trainsim()
        .args([
            "estimate",
            "--model",
            "llama3.1-70b",
            "--gpu",
            "h100-sxm",
            "--gpus",
            "8",
            "--tokens",
            "1e9",
        ])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown GPU `h100-sxm`")
                .and(predicate::str::contains("did you mean `h100-sxm-80gb`?")),
        );
}

#[test]
fn bad_numbers_exit_2() {
    for args in [["--gpus", "-8"], ["--gpus", "1.5"], ["--tokens", "zero"]] {
        let mut all = vec![
            "estimate",
            "--model",
            "llama3.1-8b",
            "--gpu",
            "h100",
            "--gpus",
            "8",
            "--tokens",
            "1e9",
        ];
        all.extend_from_slice(&args);
        trainsim().args(&all).assert().code(2);
    }
}

#[test]
fn a_bad_user_catalog_names_file_key_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("extra.toml");
    std::fs::write(
        &f,
        "[my-gpu]\nname = \"X\"\nvendor = \"Y\"\nbf16_dense_tflops = 100.0\nhbm_gib = 64.0\nhbm_tb_per_s = 2.0\n\
         intra_node_gb_per_s = -400.0\ngpus_per_node = 8\nsource = \"datasheet\"\n",
    )
    .unwrap();
    trainsim()
        .args(["--catalog", f.to_str().unwrap(), "catalog", "gpus"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains(
                "extra.toml:7:1: `my-gpu.intra_node_gb_per_s`: must be a positive number",
            )
            .and(predicate::str::contains("hint:")),
        );
    std::fs::write(&f, [0xff_u8, 0xfe, 0x00, 0x9f]).unwrap();
    trainsim()
        .args(["--catalog", f.to_str().unwrap(), "catalog", "gpus"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not UTF-8"));
}

#[test]
fn a_user_model_file_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("small.toml");
    std::fs::write(&f, "name = \"gpt-small\"\nlayers = 24\nd_model = 2048\nheads = 16\nffn_hidden = 8192\nffn_kind = \"gelu\"\nvocab = 50257\nseq_len = 2048\n").unwrap();
    let v = json(&[
        "estimate",
        "--model",
        f.to_str().unwrap(),
        "--gpu",
        "a100",
        "--gpus",
        "64",
        "--tokens",
        "3e11",
        "--format",
        "json",
    ]);
    // The file's `name`, not its stem (issue 12: the name was ignored).
    assert_eq!(v["model"], "gpt-small");
    std::fs::write(
        &f,
        "name = \"x\"\nlayers = 0\nd_model = 2048\nheads = 16\nvocab = 50257\nseq_len = 2048\n",
    )
    .unwrap();
    trainsim()
        .args([
            "estimate",
            "--model",
            f.to_str().unwrap(),
            "--gpu",
            "a100",
            "--gpus",
            "64",
            "--tokens",
            "3e11",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "small.toml:2:1: `layers`: must be at least 1",
        ));
}

#[test]
fn plan_json_reports_search_size_and_time() {
    let v = json(&[
        "plan",
        "--model",
        "gpt3-175b",
        "--gpu",
        "a100-sxm-80gb",
        "--gpus",
        "1024",
        "--global-batch-tokens",
        "3145728",
        "--top",
        "3",
        "--format",
        "json",
    ]);
    assert!(v["plans_considered"].as_u64().unwrap() >= 100_000);
    assert!(v["search_s"].as_f64().unwrap() >= 0.0);
    assert_eq!(v["plans"].as_array().unwrap().len(), 3);
}

/// The calibration targets of issue 3: MAPE ≤ 10% over `validate`, and the two headline
/// whole runs within 15% of their published GPU-hours (Llama 3.1 405B: 30.84M H100-hours,
/// arXiv:2407.21783; DeepSeek-V3: 2.664M H800-hours, arXiv:2412.19437).
#[test]
fn validation_meets_its_targets() {
    let v = json(&["validate", "--format", "json"]);
    let rows = v.as_array().unwrap();
    for r in rows {
        for k in ["run", "metric", "predicted", "reported", "error"] {
            assert!(r.get(k).is_some(), "lacks {k}");
        }
    }
    let mape = rows
        .iter()
        .map(|r| r["error"].as_f64().unwrap().abs())
        .sum::<f64>()
        / rows.len() as f64;
    assert!(mape <= 0.10, "MAPE {mape}");
    for run in ["llama-3.1-405b", "deepseek-v3"] {
        let r = rows.iter().find(|r| r["run"] == run).unwrap();
        assert_eq!(r["metric"], "gpu_hours");
        assert!(
            r["error"].as_f64().unwrap().abs() <= 0.15,
            "{run}: {}",
            r["error"]
        );
    }
}

#[test]
fn h20_gap_to_h100_comes_from_the_physics() {
    // Same model, count and batch: the H20 is slower than the H100, by less than the
    // 989.5 / 148 = 6.7× peak ratio would say only if bandwidth-bound work matters.
    let a = json(&[
        "estimate",
        "--model",
        "llama3.1-70b",
        "--gpu",
        "h100",
        "--gpus",
        "1024",
        "--tokens",
        "1e12",
        "--format",
        "json",
    ]);
    let b = json(&[
        "estimate",
        "--model",
        "llama3.1-70b",
        "--gpu",
        "h20",
        "--gpus",
        "1024",
        "--tokens",
        "1e12",
        "--format",
        "json",
    ]);
    let ratio = b["train_days"].as_f64().unwrap() / a["train_days"].as_f64().unwrap();
    assert!(ratio > 3.0 && ratio < 6.7, "H20/H100 time ratio {ratio}");
}

#[test]
fn expert_parallelism_on_a_dense_model_is_refused() {
    trainsim()
        .args([
            "estimate",
            "--model",
            "llama3.1-8b",
            "--gpu",
            "h100",
            "--gpus",
            "64",
            "--tokens",
            "1e9",
            "--ep",
            "8",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--ep 8 needs a mixture-of-experts model",
        ));
}
