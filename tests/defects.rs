//! Regression tests for the defects of issue 12, item 5: each failed before its fix.
//!
//! See: issue 12 ("The defects").

use crate::cli::trainsim;
use predicates::prelude::*;

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

/// A user GPU catalog whose only difference is the chip's BF16 peak.
fn gpu_catalog(tflops: f64) -> String {
    format!(
        "[my-gpu]\nname = \"X\"\nvendor = \"Y\"\nbf16_dense_tflops = {tflops}\nhbm_gib = 80.0\n\
         hbm_tb_per_s = 3.0\nintra_node_gb_per_s = 900.0\ngpus_per_node = 8\ntdp_w = 700.0\n\
         source = \"test\"\n"
    )
}

const SHARD_SCENARIO: &str = r#"name = "shards"
model = "llama3.1-8b"
train_tokens = 1e11
[fleet]
gpu = "my-gpu"
count = 64
[efficiency]
matmul = { dist = "uniform", min = 0.4, max = 0.9 }
[uncertainty]
trials = 2000
"#;

/// Run shard `k` of 2 of [`SHARD_SCENARIO`] against `catalog` into `out`.
fn run_shard(dir: &std::path::Path, catalog: &std::path::Path, k: u32) {
    let file = dir.join("s.toml");
    std::fs::write(&file, SHARD_SCENARIO).unwrap();
    trainsim()
        .arg("--catalog")
        .arg(catalog)
        .args(["run", "--shard", &format!("{k}/2"), "--out"])
        .arg(dir.join("shards"))
        .arg(&file)
        .assert()
        .success();
}

/// Shards run against different `--catalog` contents come from different runs: `merge`
/// refuses them (it merged them with exit 0, a bimodal result).
#[test]
fn issue12_merge_refuses_shards_of_different_catalogs() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.toml");
    let b = dir.path().join("b.toml");
    std::fs::write(&a, gpu_catalog(1000.0)).unwrap();
    std::fs::write(&b, gpu_catalog(500.0)).unwrap();
    run_shard(dir.path(), &a, 1);
    run_shard(dir.path(), &b, 2);
    trainsim()
        .args(["merge", "--no-charts", "--out"])
        .arg(dir.path().join("merged"))
        .arg(dir.path().join("shards"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("--catalog contents"));
    // The same contents merge.
    run_shard(dir.path(), &a, 2);
    trainsim()
        .args(["merge", "--no-charts", "--out"])
        .arg(dir.path().join("merged"))
        .arg(dir.path().join("shards"))
        .assert()
        .success();
}

/// A damaged `points.jsonl` (`"radix":0`, a short `cells`) is refused with exit 2 and the
/// file named; it panicked (exit 101).
#[test]
fn issue12_merge_refuses_a_damaged_shard_without_panicking() {
    let dir = tempfile::tempdir().unwrap();
    let cat = dir.path().join("a.toml");
    std::fs::write(&cat, gpu_catalog(1000.0)).unwrap();
    run_shard(dir.path(), &cat, 1);
    run_shard(dir.path(), &cat, 2);
    let points = dir.path().join("shards/shards/shard-1-of-2/points.jsonl");
    let good = std::fs::read_to_string(&points).unwrap();
    assert!(good.contains("\"radix\":4"), "{good}");
    for damaged in [
        good.replace("\"radix\":4", "\"radix\":0"),
        good.replace("\"cells\":[\"0\",", "\"cells\":["),
        good.replace("\"trials\":2000", "\"trials\":18446744073709551615"),
    ] {
        std::fs::write(&points, &damaged).unwrap();
        trainsim()
            .args(["merge", "--no-charts", "--out"])
            .arg(dir.path().join("merged"))
            .arg(dir.path().join("shards"))
            .assert()
            .code(2)
            .stderr(
                predicates::str::contains("points.jsonl").and(predicates::str::contains("hint:")),
            );
    }
    let manifest = dir.path().join("shards/shards/shard-2-of-2/manifest.json");
    let m = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(&points, &good).unwrap();
    std::fs::write(&manifest, m.replace("\"shards\": 2", "\"shards\": 0")).unwrap();
    trainsim()
        .args(["merge", "--no-charts", "--out"])
        .arg(dir.path().join("merged"))
        .arg(dir.path().join("shards"))
        .assert()
        .code(2)
        .stderr(predicates::str::contains("manifest.json"));
}

/// `--threads` is bounded: 100,000 is lowered to 4 per core with a warning (it made
/// 100,000 OS threads); 0 means one per core; the help says both.
#[test]
fn issue12_threads_are_bounded() {
    trainsim()
        .args(["--threads", "100000", "classify", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "warning: --threads 100000 is more than 4 per core",
        ));
    trainsim()
        .args(["--threads", "0", "classify", "--format", "csv"])
        .assert()
        .success()
        .stderr(predicate::str::is_empty());
    trainsim()
        .args(["--threads", "-3", "classify"])
        .assert()
        .code(2);
    trainsim()
        .args(["run", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("0 or absent means one per core"));
}

/// Our temporary files (`.NAME.PID.tmp`) in `dir`.
fn temp_files(dir: &std::path::Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
        .collect()
}

/// A stale `.trials.csv.<pid>.tmp` of a process that no longer runs is removed by the next
/// run into the same folder; files of other names stay.
#[test]
fn issue12_stale_temp_files_are_removed_by_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("s.toml");
    std::fs::write(&file, top_k_scenario("[1]")).unwrap();
    let out = dir.path().join("out");
    let folder = out.join("topk");
    std::fs::create_dir_all(&folder).unwrap();
    // Above Linux's largest PID (4,194,304): no such process.
    let stale = folder.join(".trials.csv.999999999.tmp");
    std::fs::write(&stale, "half a file").unwrap();
    let other = folder.join(".notes.tmp");
    std::fs::write(&other, "not ours").unwrap();
    trainsim()
        .args(["run", "--no-charts", "--out"])
        .arg(&out)
        .arg(&file)
        .assert()
        .success();
    assert!(!stale.exists());
    assert!(other.exists());
}

/// SIGINT or SIGTERM during a run removes the temporary file it is streaming trials into.
#[cfg(unix)]
#[test]
fn issue12_an_interrupted_run_leaves_no_temp_file() {
    for signal in ["-INT", "-TERM"] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("s.toml");
        // Ten million trials: minutes of work, interrupted long before the end.
        std::fs::write(
            &file,
            top_k_scenario("[1]").replace("trials = 200", "trials = 10000000"),
        )
        .unwrap();
        let out = dir.path().join("out");
        let bin = assert_cmd::cargo::cargo_bin("trainsim");
        let mut child = std::process::Command::new(bin)
            .args(["run", "--no-charts", "--trials-csv", "--out"])
            .arg(&out)
            .arg(&file)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let folder = out.join("topk");
        let start = std::time::Instant::now();
        while temp_files(&folder).is_empty() {
            assert!(start.elapsed().as_secs() < 60, "no temporary file appeared");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        std::thread::sleep(std::time::Duration::from_millis(300));
        let killed = std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        assert!(
            !status.success(),
            "{signal}: the run finished before the signal"
        );
        assert_eq!(temp_files(&folder), Vec::<String>::new(), "{signal}");
    }
}

/// `estimate` with `args` replacing the defaults given here: exit 2 with `message`.
fn refused(args: &[&str], message: &str) {
    let mut all = vec!["estimate"];
    for (flag, value) in [
        ("--model", "llama3.1-8b"),
        ("--gpu", "h100"),
        ("--gpus", "64"),
        ("--tokens", "1e11"),
    ] {
        if !args.contains(&flag) {
            all.extend([flag, value]);
        }
    }
    all.extend_from_slice(args);
    let out = trainsim().args(&all).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{message}: {stderr}");
    assert!(stderr.contains(message), "{message}: {stderr}");
    assert!(stderr.len() < 1000, "{message}: {} bytes", stderr.len());
}

/// Absurd inputs are refused, naming the flag and the range; the CLI and scenarios share
/// the bounds (`trainsim::bounds`).
#[test]
fn issue12_absurd_inputs_are_refused() {
    refused(&["--tokens", "1e30"], "allowed: 1 to 1e16");
    refused(&["--tokens", "1"], "less than one global batch");
    refused(&["--gpus", "1e9"], "`1e9` is more than 1e7");
    refused(&["--tp", "2e6"], "allowed: 1 to 1e6");
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m97.toml");
    std::fs::write(
        &model,
        "name = \"wide\"\nlayers = 96\nd_model = 12288\nheads = 97\nvocab = 50272\nseq_len = 2048\n",
    )
    .unwrap();
    let m = model.to_str().unwrap();
    let args = [
        "estimate", "--model", m, "--gpu", "h100", "--gpus", "64", "--tokens", "1e11",
    ];
    trainsim()
        .args(args)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "m97.toml:4:1: `heads`: heads 97 does not divide d_model 12288",
        ));
    // A scenario refuses what the CLI refuses.
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        top_k_scenario("[1]").replace("train_tokens = 1e11", "train_tokens = 1e30"),
    )
    .unwrap();
    trainsim()
        .args(["run", "--no-charts", "--out"])
        .arg(dir.path().join("out"))
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("train_tokens").and(
            predicate::str::contains("1e16").or(predicate::str::contains("10000000000000000")),
        ));
    std::fs::write(
        &file,
        top_k_scenario("[1]").replace("train_tokens = 1e11", "train_tokens = 1"),
    )
    .unwrap();
    trainsim()
        .args(["run", "--no-charts", "--out"])
        .arg(dir.path().join("out"))
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("less than one global batch"));
    // The model file's name names the model.
    std::fs::write(
        &model,
        "name = \"wide\"\nlayers = 4\nd_model = 1024\nheads = 16\nvocab = 50272\nseq_len = 2048\n",
    )
    .unwrap();
    let v = json(&[
        "estimate", "--model", m, "--gpu", "h100", "--gpus", "8", "--tokens", "1e10", "--format",
        "json",
    ]);
    assert_eq!(v["model"], "wide");
}

/// Messages: a negative number says "must be positive"; `llama3-8b` suggests its own
/// family; echoed input is cut to 80 characters; `--dp 1000` names the GPU count, not the
/// batch; a catalog entry's error names the entry and key.
#[test]
fn issue12_messages_name_the_real_problem() {
    refused(&["--gpus", "-1"], "`-1` must be a positive number");
    refused(&["--tp", "-2"], "must be a positive number");
    trainsim()
        .args([
            "estimate",
            "--model",
            "llama3-8b",
            "--gpu",
            "h100",
            "--gpus",
            "64",
            "--tokens",
            "1e11",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `llama3.1-8b`?"));
    let long = "x".repeat(100_000);
    refused(&["--gpu", &long], "… (99920 more bytes)");
    refused(&["--dp", "1000"], "--dp 1000 needs at least 1000 GPUs");
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("extra.toml");
    let entry =
        "[my-gpu]\nname = \"X\"\nvendor = \"Y\"\nbf16_dense_tflops = 100.0\nhbm_gib = 64.0\n\
                 hbm_tb_per_s = 2.0\nintra_node_gb_per_s = 400.0\ngpus_per_node = 8\n";
    for (text, message) in [
        (entry.to_string(), "`my-gpu.source`: missing field `source`"),
        (
            format!("{}source = \"x\"\n", entry.replace("100.0", "\"fast\"")),
            "extra.toml:4:21: `my-gpu.bf16_dense_tflops`: invalid type",
        ),
    ] {
        std::fs::write(&f, text).unwrap();
        trainsim()
            .args(["--catalog", f.to_str().unwrap(), "catalog", "gpus"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(message));
    }
}

/// A big sweep says how big it is before it runs: points × trials, distinct plan searches
/// (1,000 prices share one search) and an estimated time, on stderr; a small one says
/// nothing. It ran for minutes with no word.
#[test]
fn issue12_a_big_sweep_is_described_before_it_runs() {
    let dir = tempfile::tempdir().unwrap();
    let prices: Vec<String> = (0..1000)
        .map(|i| format!("{}", 2.0 + i as f64 * 0.001))
        .collect();
    let scenario = format!(
        "name = \"big\"\nmodel = \"llama3.1-8b\"\ntrain_tokens = 1e11\n[fleet]\ngpu = \"h100-sxm-80gb\"\ncount = 64\n\
         [uncertainty]\ntrials = 1\n[sweep]\n\"cost.usd_per_gpu_hour\" = [{}]\n",
        prices.join(", ")
    );
    let file = dir.path().join("big.toml");
    std::fs::write(&file, scenario).unwrap();
    trainsim()
        .args(["--threads", "1", "run", "--no-charts", "--out"])
        .arg(dir.path().join("out"))
        .arg(&file)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "big: 1,000 points × 1 trial = 1,000 trials, 1 distinct plan search; estimated under a second with 1 thread (an estimate",
        ));
    let small = dir.path().join("small.toml");
    std::fs::write(&small, top_k_scenario("[1, 2]")).unwrap();
    trainsim()
        .args(["run", "--no-charts", "--out"])
        .arg(dir.path().join("out"))
        .arg(&small)
        .assert()
        .success()
        .stderr(predicate::str::contains("distinct plan search").not());
}

/// A review finding: FP8 asked of a stack without an FP8 recipe, or of a chip without FP8
/// tensor cores, silently trained in BF16. `estimate` now says so (`precision_note`), and
/// says nothing when FP8 runs as FP8.
#[test]
fn fp8_that_runs_as_bf16_is_noted() {
    let base = ["estimate", "--model", "llama3.1-8b", "--gpus", "64"];
    let note = |extra: &[&str]| {
        let mut args: Vec<&str> = base.to_vec();
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--tokens", "1e12", "--precision", "fp8", "--format", "json"]);
        json(&args)["precision_note"].clone()
    };
    let stack = note(&["--gpu", "h100", "--stack", "megatron-2021"]);
    assert!(
        stack
            .as_str()
            .unwrap()
            .contains("`megatron-2021` has no FP8 recipe"),
        "{stack}"
    );
    let chip = note(&["--gpu", "a100-sxm-80gb"]);
    assert!(
        chip.as_str()
            .unwrap()
            .contains("a100-sxm-80gb has no FP8 tensor cores"),
        "{chip}"
    );
    assert!(note(&["--gpu", "h100"]).is_null());
}

/// The built-in `typical-2024` stack, renamed `my-2024`, with `edit` applied to its text.
fn stack_file(dir: &std::path::Path, edit: &dyn Fn(String) -> String) -> std::path::PathBuf {
    let all = std::fs::read_to_string("src/catalog/stacks.toml").unwrap();
    let start = all.find("[typical-2024]").unwrap();
    let end = all.find("[typical-2025]").unwrap();
    let text = edit(all[start..end].replace("[typical-2024]", "[my-2024]"));
    let path = dir.join("stack.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// A review finding: a user stack file passed with any positive factor (a GEMM factor of
/// 1.5, i.e. faster than the best-shape GEMM) and could add a second typical stack for a
/// year. Both are refused, naming the entry and key.
#[test]
fn user_stack_files_keep_their_bounds() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&dyn Fn(String) -> String, &str); 4] = [
        (
            &|t| t,
            "`my-2024.year`: 2024 already has a typical stack, `typical-2024`",
        ),
        (
            &|t| {
                t.replace("kind = \"typical\"", "kind = \"named\"")
                    .replace("gemm_factor = 0.80", "gemm_factor = 1.5")
            },
            "`my-2024.gemm_factor`: must be above 0 and at most 1, got 1.5",
        ),
        (
            &|t| {
                t.replace("kind = \"typical\"", "kind = \"named\"")
                    .replace("fp8_overhead = 0.25", "fp8_overhead = 3")
            },
            "`my-2024.fp8_overhead`: must be between 0 and 1, got 3",
        ),
        (
            &|t| {
                t.replace("kind = \"typical\"", "kind = \"named\"")
                    .replace("log_sd = 0.296", "log_sd = 40")
            },
            "`my-2024.error.log_sd`: must be above 0 and at most 2, got 40",
        ),
    ];
    for (edit, message) in cases {
        let path = stack_file(tmp.path(), edit);
        let out = trainsim()
            .args(["catalog", "stacks", "--catalog"])
            .arg(&path)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{message}: {err}");
        assert!(err.contains(message), "want `{message}` in: {err}");
    }
    // The same entry as a named stack within the bounds is accepted.
    let ok = stack_file(tmp.path(), &|t| {
        t.replace("kind = \"typical\"", "kind = \"named\"")
    });
    trainsim()
        .args(["catalog", "stacks", "--catalog"])
        .arg(&ok)
        .assert()
        .success();
}
