//! Acquisition channels, mixed fleets, policy metrics and fleet build-up (issue 5), end to
//! end through `trainsim run`: every expected number is derived by hand here, from catalog
//! prices or from `trainsim estimate` of each pool alone.

use std::collections::HashMap;
use std::path::Path;

use trainsim::catalog::{Catalog, Precision};
use trainsim::perf::run_time::goodput;
use trainsim::perf::{Efficiency, Reliability};
use trainsim::workload::ParamCounts;

use crate::cli::trainsim;

/// Run `text` as a scenario; return (summary rows as maps, stderr).
fn run(text: &str) -> (Vec<HashMap<String, String>>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("s.toml");
    std::fs::write(&f, text).unwrap();
    let a = trainsim()
        .arg("run")
        .arg(&f)
        .args(["--no-charts", "--out"])
        .arg(tmp.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&a.stderr).into_owned();
    assert!(a.status.success(), "{stderr}");
    let mut rdr = csv::Reader::from_path(tmp.path().join("s/summary.csv")).unwrap();
    let header = rdr.headers().unwrap().clone();
    let rows = rdr
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    (rows, stderr)
}

fn num(row: &HashMap<String, String>, k: &str) -> f64 {
    row[k]
        .parse()
        .unwrap_or_else(|_| panic!("{k} = {:?} is not a number", row[k]))
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    ((got - want) / want).abs() <= rel
}

/// `trainsim estimate --format json` of one pool alone.
fn estimate(gpu: &str, gpus: u64, tokens: &str, batch: &str) -> serde_json::Value {
    let out = trainsim()
        .args(["estimate", "--model", "llama3.1-8b", "--gpu", gpu])
        .args(["--gpus", &gpus.to_string(), "--tokens", tokens])
        .args(["--global-batch-tokens", batch, "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

const HEAD: &str =
    "name = \"s\"\nmodel = \"llama3.1-8b\"\ntrain_tokens = 1e11\nglobal_batch_tokens = 4194304\nmodel_error = 1\n";

// ---------------------------------------------------------------------------------------
// Purchase under a rule: refused with the rule's reason, or dropped with a warning.
// ---------------------------------------------------------------------------------------

/// A purchase of the H100 under oct-2023 is refused with the classifier's reason.
#[test]
fn a_disallowed_purchase_is_refused_with_its_reason() {
    let (rows, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"h100-sxm-80gb\"\ncount = 64\n[policy]\nrule = \"oct-2023\"\n"
    ));
    let why = &rows[0]["infeasible_reason"];
    assert!(why.starts_with("not allowed under oct-2023: "), "{why}");
    assert!(why.contains("3A090.a"), "{why}");
    assert_eq!(rows[0]["train_days_p50"], "");
    // A stockpile of the same chip is exempt.
    let (rows, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"h100-sxm-80gb\"\ncount = 64\nchannel = \"stockpile\"\n[policy]\nrule = \"oct-2023\"\n"
    ));
    assert_eq!(rows[0]["infeasible_reason"], "");
    assert!(num(&rows[0], "train_days_p50") > 0.0);
}

/// In a mixed fleet the refusal names the pool and points at `disallowed = "drop"`; with
/// it, the pool is dropped with a warning on stderr and in `notes`, and the rest runs
/// exactly as that pool alone.
#[test]
fn a_disallowed_pool_is_dropped_with_a_warning_when_asked() {
    let pools = "[[fleet.pools]]\ngpu = \"h100-sxm-80gb\"\ncount = 64\n\
                 [[fleet.pools]]\ngpu = \"a100-sxm-80gb\"\ncount = 64\nchannel = \"stockpile\"\n";
    let (rows, _) = run(&format!("{HEAD}{pools}[policy]\nrule = \"oct-2023\"\n"));
    let why = &rows[0]["infeasible_reason"];
    assert!(
        why.starts_with("pool `h100-sxm-80gb` (purchase) not allowed under oct-2023: "),
        "{why}"
    );
    assert!(why.contains("policy.disallowed = \"drop\""), "{why}");

    let (dropped, stderr) = run(&format!(
        "{HEAD}{pools}[policy]\nrule = \"oct-2023\"\ndisallowed = \"drop\"\n"
    ));
    let r = &dropped[0];
    assert!(
        stderr.contains("warning: ") && stderr.contains("dropped pool `h100-sxm-80gb`"),
        "{stderr}"
    );
    assert!(r["notes"].starts_with("dropped pool `h100-sxm-80gb` (64 × h100-sxm-80gb, purchase): not allowed under oct-2023"), "{}", r["notes"]);
    assert_eq!(r["infeasible_reason"], "");
    assert_eq!(r["gpu"], "a100-sxm-80gb");
    assert_eq!(r["gpus"], "64");
    assert_eq!(r["fleet_mode"], "alone:a100-sxm-80gb");
    // What is left is the A100 stockpile alone, priced as owned hardware.
    let (alone, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"a100-sxm-80gb\"\ncount = 64\nchannel = \"stockpile\"\n"
    ));
    for k in [
        "train_days_p50",
        "gpu_hours_p50",
        "cost_usd_p50",
        "energy_mwh_p50",
    ] {
        assert_eq!(r[k], alone[0][k], "{k}");
    }
    // Every pool dropped: infeasible, with the reasons.
    let (none, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"h100-sxm-80gb\"\ncount = 64\n[policy]\nrule = \"oct-2023\"\ndisallowed = \"drop\"\n"
    ));
    assert!(
        none[0]["infeasible_reason"].starts_with("every pool was dropped: dropped pool"),
        "{}",
        none[0]["infeasible_reason"]
    );
}

/// The H20 may be bought under oct-2023 (TPP 2,368, PD 2.91: below 3A090) but not under
/// apr-2025 (licence required for the H20 itself).
#[test]
fn h20_is_allowed_under_oct_2023_and_refused_under_apr_2025() {
    let scen = |rule: &str| {
        format!(
            "{HEAD}[fleet]\ngpu = \"h20\"\ncount = 64\n[cost]\nbasis = \"ownership\"\n[policy]\nrule = \"{rule}\"\n"
        )
    };
    let (oct, _) = run(&scen("oct-2023"));
    assert_eq!(oct[0]["infeasible_reason"], "");
    assert!(num(&oct[0], "train_days_p50") > 0.0);
    let (apr, _) = run(&scen("apr-2025"));
    assert!(
        apr[0]["infeasible_reason"].starts_with("not allowed under apr-2025: "),
        "{}",
        apr[0]["infeasible_reason"]
    );
}

// ---------------------------------------------------------------------------------------
// Mixed fleets, by hand.
// ---------------------------------------------------------------------------------------

/// Two pools, 64 H100 and 64 A100, Llama 3.1 8B, a 4 Mi-token batch. From each pool's own
/// `trainsim estimate`: throughput `tps_i = B / step_i`; the batch splits as
/// `tps_i / Σ tps`; the combined step is `B / Σ tps + 2(n−1)/n · 4P / N_min / bw_min` with
/// `bw_min` the A100's scale-out line rate × the scale-out efficiency; wall time = steps ×
/// step / goodput over the 128 GPUs; GPU-hours 128 × wall hours; rental cost at the catalog
/// prices ($2.99 and $1.89).
#[test]
fn two_pools_by_hand_from_their_own_estimates() {
    let (b, tokens) = (4_194_304.0, 1e11);
    let h = estimate("h100-sxm-80gb", 64, "1e11", "4194304");
    let a = estimate("a100-sxm-80gb", 64, "1e11", "4194304");
    let tps_h = b / h["step_time_s"].as_f64().unwrap();
    let tps_a = b / a["step_time_s"].as_f64().unwrap();
    let c = Catalog::builtin();
    let model = c.model("llama3.1-8b").unwrap();
    let params = ParamCounts::of(model).total;
    let bw = |id: &str| {
        let g = c.gpu(id).unwrap();
        g.scale_out_bytes_per_s() * Efficiency::defaults_for(g, Precision::Bf16).scaleout
    };
    let bw_min = bw("h100-sxm-80gb").min(bw("a100-sxm-80gb"));
    let n_min = h["gpus_used"]
        .as_u64()
        .unwrap()
        .min(a["gpus_used"].as_u64().unwrap()) as f64;
    let sync = 2.0 * (1.0 / 2.0) * 4.0 * params / n_min / bw_min;
    let step = b / (tps_h + tps_a) + sync;
    assert!(step < b / tps_h, "combined must beat the H100 pool alone");
    let used = (h["gpus_used"].as_u64().unwrap() + a["gpus_used"].as_u64().unwrap()) as f64;
    let g = goodput(&Reliability::default(), used, params).goodput;
    // The default stack's whole-run factor: time_factor / (1 − overhead), as for one pool.
    let stack = &c.stacks["typical-2026"];
    let whole_run = stack.time_factor / (1.0 - h["run_overhead"].as_f64().unwrap());
    let wall_h = tokens / b * step / g * whole_run / 3600.0;

    let (rows, _) = run(&format!(
        "{HEAD}[[fleet.pools]]\ngpu = \"h100-sxm-80gb\"\ncount = 64\n\
         [[fleet.pools]]\ngpu = \"a100-sxm-80gb\"\ncount = 64\n[uncertainty]\ntop_k = 1\n"
    ));
    let r = &rows[0];
    assert_eq!(r["fleet_mode"], "combined");
    assert_eq!(r["gpu"], "h100-sxm-80gb+a100-sxm-80gb");
    assert_eq!(r["gpus"], "128");
    assert!(
        close(num(r, "train_days_p50"), wall_h / 24.0, 1e-12),
        "{} vs {}",
        r["train_days_p50"],
        wall_h / 24.0
    );
    assert!(close(num(r, "gpu_hours_p50"), 128.0 * wall_h, 1e-12));
    assert!(close(
        num(r, "cost_usd_p50"),
        wall_h * 64.0 * (2.99 + 1.89),
        1e-12
    ));
    let share_h = tps_h / (tps_h + tps_a);
    let reason = &r["fleet_reason"];
    assert!(reason.starts_with("all 2 pools together: "), "{reason}");
    assert!(
        reason.contains(&format!(
            "batch split h100-sxm-80gb {:.1}%, a100-sxm-80gb {:.1}%",
            share_h * 100.0,
            (1.0 - share_h) * 100.0
        )),
        "{reason}"
    );
    // Facility power: both pools, 700 W and 400 W × (0.80 + 0.50) × 1.25 each.
    assert!(close(
        num(r, "facility_power_mw_p50"),
        64.0 * (700.0 + 400.0) * 1.3 * 1.25 / 1e6,
        1e-12
    ));
}

/// A small slow pool behind a thin link is left idle: the fleet runs the big pool alone,
/// exactly as that pool's own estimate, and the idle pool costs nothing.
#[test]
fn a_pool_not_worth_its_sync_is_left_idle_and_not_counted() {
    let (rows, _) = run(&format!(
        "{HEAD}[[fleet.pools]]\ngpu = \"h100-sxm-80gb\"\ncount = 64\n\
         [[fleet.pools]]\ngpu = \"v100-sxm2-32gb\"\ncount = 8\nchannel = \"stockpile\"\n\
         [fleet]\nnet_gbps_per_gpu = 1\n[uncertainty]\ntop_k = 1\n"
    ));
    let r = &rows[0];
    assert_eq!(r["fleet_mode"], "alone:h100-sxm-80gb");
    assert!(
        r["fleet_reason"].starts_with("h100-sxm-80gb alone: "),
        "{}",
        r["fleet_reason"]
    );
    let out = trainsim()
        .args([
            "estimate",
            "--model",
            "llama3.1-8b",
            "--gpu",
            "h100-sxm-80gb",
        ])
        .args([
            "--gpus",
            "64",
            "--tokens",
            "1e11",
            "--global-batch-tokens",
            "4194304",
        ])
        .args(["--net-gbps-per-gpu", "1", "--format", "json"])
        .output()
        .unwrap();
    let e: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for k in ["train_days", "gpu_hours", "cost_usd", "energy_mwh"] {
        assert!(
            close(num(r, &format!("{k}_p50")), e[k].as_f64().unwrap(), 1e-12),
            "{k}: {} vs {}",
            r[&format!("{k}_p50")],
            e[k]
        );
    }
}

/// A pool key can be swept by its index: `fleet.pools.1.count`.
#[test]
fn pool_keys_can_be_swept_by_index() {
    let (rows, _) = run(&format!(
        "{HEAD}[[fleet.pools]]\ngpu = \"h100-sxm-80gb\"\ncount = 64\n\
         [[fleet.pools]]\ngpu = \"a100-sxm-80gb\"\ncount = 64\n\
         [sweep]\n\"fleet.pools.1.count\" = [32, 128]\n"
    ));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["fleet.pools.1.count"], "32");
    assert_eq!(rows[0]["gpus"], "96");
    assert_eq!(rows[1]["gpus"], "192");
}

// ---------------------------------------------------------------------------------------
// Channel prices and caps.
// ---------------------------------------------------------------------------------------

/// Smuggled on the rental basis: the same run as a purchase, at $2.99 × 1.5 a GPU-hour; the
/// cap clamps 64 asked to 32 (with a note), and the 32 are unlawful.
#[test]
fn smuggled_premium_and_cap_by_hand() {
    let (bought, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"h100-sxm-80gb\"\ncount = 32\n"
    ));
    let (smuggled, stderr) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"h100-sxm-80gb\"\ncount = 64\nchannel = \"smuggled\"\npremium = 0.5\ncap = 32\n"
    ));
    let (b, s) = (&bought[0], &smuggled[0]);
    assert_eq!(s["gpus"], "32");
    assert!(
        s["notes"].contains("64 GPUs asked for, clamped to the cap of 32"),
        "{}",
        s["notes"]
    );
    assert!(stderr.contains("clamped to the cap of 32"), "{stderr}");
    assert_eq!(s["train_days_p50"], b["train_days_p50"]);
    assert!(close(
        num(s, "cost_usd_p50"),
        num(b, "gpu_hours_p50") * 2.99 * 1.5,
        1e-12
    ));
    assert_eq!(s["unlawful_gpus"], "32");
    assert_eq!(b["unlawful_gpus"], "0");

    // Ownership: the premium multiplies the hardware, not the electricity. H100 $33,750 is a
    // server-level price: capex 33,750 × 1.5 / 0.81 per GPU over 4 × 8,766 h.
    let (own, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"h100-sxm-80gb\"\ncount = 32\nchannel = \"smuggled\"\npremium = 0.5\n[cost]\nbasis = \"ownership\"\n"
    ));
    let o = &own[0];
    let hw = num(o, "gpu_hours_p50") * 33_750.0 * 1.5 / 0.81 / (4.0 * 8766.0);
    let energy = num(o, "energy_mwh_p50") * 1000.0 * 0.08;
    assert!(close(num(o, "cost_usd_p50"), hw + energy, 1e-12));
}

/// The default smuggling premium is uncertain, triangular (0.4, 0.5, 1.0): it shows in the
/// tornado and moves cost, not time.
#[test]
fn the_default_smuggling_premium_is_a_distribution() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("s.toml");
    std::fs::write(
        &f,
        format!("{HEAD}[fleet]\ngpu = \"h100-sxm-80gb\"\ncount = 32\nchannel = \"smuggled\"\n[uncertainty]\ntrials = 50\n"),
    )
    .unwrap();
    trainsim()
        .arg("run")
        .arg(&f)
        .args(["--no-charts", "--out"])
        .arg(tmp.path())
        .assert()
        .success();
    let sens = std::fs::read_to_string(tmp.path().join("s/sensitivity.csv")).unwrap();
    let row = sens
        .lines()
        .find(|l| l.contains("fleet.premium"))
        .unwrap_or_else(|| panic!("{sens}"));
    let cells: Vec<&str> = row.split(',').collect();
    assert_eq!(cells[8], "0", "time does not move: {row}");
    assert!(cells[9].parse::<f64>().unwrap() > 0.0, "cost moves: {row}");
}

/// A cloud pool is rented at its own price whatever the scenario's basis; a stockpile is
/// owned hardware whatever the basis.
#[test]
fn cloud_price_and_stockpile_basis_by_hand() {
    let (cloud, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"a100-sxm-80gb\"\ncount = 64\nchannel = \"cloud\"\nusd_per_gpu_hour = 1.2\ncap = 100\n[cost]\nbasis = \"ownership\"\n"
    ));
    let c = &cloud[0];
    assert!(close(
        num(c, "cost_usd_p50"),
        num(c, "gpu_hours_p50") * 1.2,
        1e-12
    ));
    let (stock, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"a100-sxm-80gb\"\ncount = 64\nchannel = \"stockpile\"\n"
    ));
    let (owned, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"a100-sxm-80gb\"\ncount = 64\n[cost]\nbasis = \"ownership\"\n"
    ));
    assert_eq!(stock[0]["cost_usd_p50"], owned[0]["cost_usd_p50"]);
    // A stockpile's own purchase price: $10,000 × 1.64 / 0.81 per GPU over 4 years.
    let (cheap, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"a100-sxm-80gb\"\ncount = 64\nchannel = \"stockpile\"\npurchase_usd = 10000\n"
    ));
    let r = &cheap[0];
    let hw = num(r, "gpu_hours_p50") * 10_000.0 * 1.64 / 0.81 / (4.0 * 8766.0);
    let energy = num(r, "energy_mwh_p50") * 1000.0 * 0.08;
    assert!(close(num(r, "cost_usd_p50"), hw + energy, 1e-12));
}

// ---------------------------------------------------------------------------------------
// Policy metrics.
// ---------------------------------------------------------------------------------------

/// A reference fleet identical to the fleet gives ratios of exactly 1; the H100-equivalents
/// of an H100 fleet are its GPU count; an A100 fleet counts for fewer H100s than it has GPUs.
#[test]
fn restriction_ratios_and_h100_equivalents() {
    let (rows, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"h100-sxm-80gb\"\ncount = 64\n\
         [policy]\nreference = {{ gpu = \"h100-sxm-80gb\", count = 64 }}\n"
    ));
    let r = &rows[0];
    assert_eq!(r["restriction_time_ratio_p50"], "1");
    assert_eq!(r["restriction_cost_ratio_p50"], "1");
    assert_eq!(r["h100_equivalents_p50"], "64");
    let (rows, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"a100-sxm-80gb\"\ncount = 64\n\
         [policy]\nreference = {{ gpu = \"h100-sxm-80gb\", count = 64 }}\n"
    ));
    let r = &rows[0];
    let h100_eq = num(r, "h100_equivalents_p50");
    assert!(h100_eq > 10.0 && h100_eq < 64.0, "{h100_eq}");
    // Same count as the reference: the time ratio is the inverse of the H100-equivalents share.
    assert!(close(
        num(r, "restriction_time_ratio_p50"),
        64.0 / h100_eq,
        1e-12
    ));
    assert!(num(r, "restriction_time_ratio_p50") > 1.0);
}

// ---------------------------------------------------------------------------------------
// Build-up.
// ---------------------------------------------------------------------------------------

/// `YYYY-MM-DD` of 2025-05-01 plus `days` (within 2025), by month lengths.
fn may_2025_plus(days: f64) -> String {
    let lengths = [31, 30, 31, 31, 30, 31, 30, 31];
    let (mut m, mut d) = (5, 1 + days.floor() as i64);
    for len in lengths {
        if d <= len {
            break;
        }
        d -= len;
        m += 1;
    }
    format!("2025-{m:02}-{d:02}")
}

/// 1,000 H20 at 250 a month from January 2025: four months to acquire, the run starts on
/// 1 May 2025 and ends `train_days` later. With `policy.run_gpus = 500`: two months.
#[test]
fn build_up_by_hand() {
    let scen = |extra: &str| {
        format!(
            "{HEAD}[fleet]\ngpu = \"h20\"\ncount = 1000\nrate_per_month = 250\nstart = \"2025-01\"\n[cost]\nbasis = \"ownership\"\n{extra}"
        )
    };
    let (rows, _) = run(&scen(""));
    let r = &rows[0];
    assert_eq!(r["months_to_acquire"], "4");
    let days = num(r, "train_days_p50");
    assert!(days < 200.0, "{days}");
    assert_eq!(r["earliest_completion"], may_2025_plus(days));
    let (rows, _) = run(&scen("[policy]\nrun_gpus = 500\n"));
    assert_eq!(rows[0]["months_to_acquire"], "2");
    assert_eq!(rows[0]["gpus"], "500");
    // Without a build-up the columns are empty.
    let (rows, _) = run(&format!(
        "{HEAD}[fleet]\ngpu = \"h100-sxm-80gb\"\ncount = 64\n"
    ));
    assert_eq!(rows[0]["months_to_acquire"], "");
    assert_eq!(rows[0]["earliest_completion"], "");
}

/// The example scenario of scenarios/ runs, combines its three pools, and reports every
/// policy column.
#[test]
fn the_mixed_fleet_example_runs() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mixed-fleet-example.toml"),
    )
    .unwrap();
    let (rows, stderr) = run(&text
        .replace("name = \"mixed-fleet-example\"", "name = \"s\"")
        .replace("trials = 200", "trials = 20"));
    let r = &rows[0];
    assert_eq!(r["infeasible_reason"], "");
    assert_eq!(r["gpus"], "14288");
    assert_eq!(r["unlawful_gpus"], "2000");
    assert!(stderr.contains("clamped to the cap of 2000"), "{stderr}");
    for k in [
        "facility_power_mw_p50",
        "h100_equivalents_p50",
        "restriction_time_ratio_p50",
        "restriction_cost_ratio_p50",
        "months_to_acquire",
    ] {
        assert!(num(r, k) > 0.0, "{k}");
    }
    assert!(!r["earliest_completion"].is_empty());
    assert!(!r["fleet_mode"].is_empty() && !r["fleet_reason"].is_empty());
}

/// A mixed fleet's trials survive sharding: two shards merged give the single run's files
/// byte for byte (plan codes and the extra metrics round-trip through units.csv), at any
/// thread count.
#[test]
fn mixed_fleet_shards_merge_to_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/mixed-fleet-example.toml"),
    )
    .unwrap()
    .replace("trials = 200", "trials = 1500");
    let f = tmp.path().join("m.toml");
    std::fs::write(&f, text).unwrap();
    let single = tmp.path().join("single");
    trainsim()
        .arg("run")
        .arg(&f)
        .args(["--no-charts", "--trials-csv", "--threads", "2", "--out"])
        .arg(&single)
        .assert()
        .success();
    let shards = tmp.path().join("shards");
    for k in ["1/2", "2/2"] {
        trainsim()
            .arg("run")
            .arg(&f)
            .args([
                "--no-charts",
                "--trials-csv",
                "--threads",
                "1",
                "--shard",
                k,
                "--out",
            ])
            .arg(&shards)
            .assert()
            .success();
    }
    let merged = tmp.path().join("merged");
    trainsim()
        .arg("merge")
        .arg(&shards)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    for file in [
        "mixed-fleet-example/summary.csv",
        "mixed-fleet-example/sensitivity.csv",
        "mixed-fleet-example/trials.csv",
    ] {
        assert_eq!(
            std::fs::read(single.join(file)).unwrap(),
            std::fs::read(merged.join(file)).unwrap(),
            "{file}"
        );
    }
    let sens = std::fs::read_to_string(single.join("mixed-fleet-example/sensitivity.csv")).unwrap();
    assert!(sens.contains("fleet.pools.2.premium"), "{sens}");
}
