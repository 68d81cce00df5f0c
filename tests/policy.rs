//! Export-control classification from the command line (issue 5): `trainsim classify` and
//! `trainsim catalog rules`, their JSON/CSV shapes, and the statuses of the China-specific
//! parts against the hand application in /work/shared/reference/gpus.md §2.

use predicates::prelude::*;
use serde_json::Value;

use crate::cli::trainsim;

const STATUSES: [&str; 5] = [
    "controlled",
    "notified",
    "license-required",
    "not-controlled",
    "indeterminate",
];
const RULES: [&str; 7] = [
    "aug-2022", "oct-2022", "oct-2023", "dec-2024", "jan-2025", "apr-2025", "jan-2026",
];

fn json(args: &[&str]) -> Vec<Value> {
    let out = trainsim().args(args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    v.as_array().expect("an array").clone()
}

fn row<'a>(rows: &'a [Value], gpu: &str, rule: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["gpu"] == gpu && r["rule"] == rule)
        .unwrap_or_else(|| panic!("no row for {gpu} under {rule}"))
}

#[test]
fn classify_json_keeps_the_contract() {
    let rows = json(&["classify", "--format", "json"]);
    let gpus = json(&["catalog", "gpus", "--format", "json"]);
    // Every catalog chip under every rule.
    assert_eq!(rows.len(), gpus.len() * RULES.len());
    for r in &rows {
        for k in [
            "gpu",
            "rule",
            "status",
            "tpp",
            "performance_density",
            "reason",
        ] {
            assert!(r.get(k).is_some(), "lacks {k}: {r}");
        }
        let status = r["status"].as_str().unwrap();
        assert!(STATUSES.contains(&status), "{status}");
        assert!(RULES.contains(&r["rule"].as_str().unwrap()));
        assert!(r["tpp"].as_f64().unwrap() > 0.0);
        assert!(r["performance_density"].is_null() || r["performance_density"].as_f64().is_some());
        assert!(!r["reason"].as_str().unwrap().is_empty());
    }
}

/// Columns: oct-2022, oct-2023, apr-2025, jan-2026. From gpus.md §2 ("Why the China-specific
/// parts sit where they do") and the status columns of gpus.csv; TPP and PD from gpus.csv.
#[test]
#[allow(clippy::approx_constant)] // 3.14 is the L20's PD (gpus.csv), not π.
fn the_china_specific_parts_classify_as_the_reference_says() {
    let rows = json(&["classify", "--format", "json"]);
    let (c, l, x) = ("controlled", "license-required", "not-controlled");
    let expected = [
        ("a100-sxm-80gb", 4_992.0, 6.04, [c, c, c, c]),
        ("a800-sxm-80gb", 4_992.0, 6.04, [x, c, c, c]),
        ("h100-sxm-80gb", 15_832.0, 19.45, [c, c, c, c]),
        ("h800-sxm-80gb", 15_832.0, 19.45, [x, c, c, c]),
        ("h20", 2_368.0, 2.91, [x, x, l, l]),
        ("h200-sxm-141gb", 15_832.0, 19.45, [c, c, c, c]),
        ("l20", 1_912.0, 3.14, [x, x, x, x]),
        ("rtx-4090d", 4_707.0, 7.74, [x, x, x, x]),
    ];
    for (gpu, tpp, pd, statuses) in expected {
        for (rule, want) in ["oct-2022", "oct-2023", "apr-2025", "jan-2026"]
            .iter()
            .zip(statuses)
        {
            let r = row(&rows, gpu, rule);
            // JSON keeps DESIGN.md's four statuses; an indeterminate chip gets the most
            // restrictive status left open, flagged by `indeterminate`.
            let contract = [
                "controlled",
                "notified",
                "license-required",
                "not-controlled",
            ];
            assert!(contract.contains(&r["status"].as_str().unwrap()), "{r}");
            let shown = if r["indeterminate"] == true {
                let first = r["possible_statuses"]
                    .as_str()
                    .unwrap()
                    .split(" or ")
                    .next();
                assert_eq!(r["status"].as_str(), first, "{r}");
                "indeterminate"
            } else {
                r["status"].as_str().unwrap()
            };
            assert_eq!(shown, want, "{gpu} under {rule}: {}", r["reason"]);
            assert!((r["tpp"].as_f64().unwrap() - tpp).abs() < 0.5, "{gpu}");
            assert!(
                (r["performance_density"].as_f64().unwrap() - pd).abs() < 0.005,
                "{gpu}"
            );
        }
    }
    let reason = |gpu: &str, rule: &str| {
        row(&rows, gpu, rule)["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // H800: "400 + 128 (Gen5) = 528 GB/s ... below 600" in 2022; 3A090.a once the I/O test went.
    assert!(
        reason("h800-sxm-80gb", "oct-2022").contains("I/O 528 GB/s (400 link + 128 PCIe) < 600")
    );
    assert!(reason("h800-sxm-80gb", "oct-2023").ends_with(": 3A090.a"));
    // H20: "TPP 2,368 is just below the 2,400 floor ... PD 2.91 is below the 3.2 floor".
    assert!(reason("h20", "oct-2023")
        .starts_with("TPP 2,368 < 2,400 (0.99×) and PD 2.91 < 3.2 (0.91×)"));
    assert!(reason("h20", "apr-2025").contains("memory bandwidth 4.00 TB/s ≥ 1.4"));
    // L20: "PD 3.14, just under the 3.2 PD bound of b.2"; RTX 4090D: Note 2.
    assert!(reason("l20", "oct-2023").contains("PD 3.14 < 3.2"));
    assert!(reason("rtx-4090d", "oct-2023").contains("Note 2"));
    // Jan 2026: H200 and less advanced → case-by-case; Blackwell exceeds both limits.
    assert!(reason("h200-sxm-141gb", "jan-2026").ends_with("case-by-case review"));
    assert!(reason("b200", "jan-2026").ends_with("presumption of denial"));
}

#[test]
fn one_rule_and_csv() {
    let rows = json(&["classify", "--rule", "OCT-2023", "--format", "json"]);
    assert!(!rows.is_empty() && rows.iter().all(|r| r["rule"] == "oct-2023"));
    let out = trainsim()
        .args(["classify", "--rule", "apr-2025", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "gpu,rule,status,indeterminate,possible_statuses,tier,tpp,performance_density,reason"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("h20,apr-2025,license-required,")),
        "{text}"
    );
    let out = trainsim()
        .args(["classify", "--rule", "jan-2026"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(
        table.starts_with("gpu") && table.contains("presumption of denial"),
        "{table}"
    );
}

#[test]
fn an_unknown_rule_exits_2_with_a_suggestion() {
    trainsim()
        .args(["classify", "--rule", "oct2023"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("unknown rule `oct2023`")
                .and(predicate::str::contains("did you mean `oct-2023`?")),
        );
}

#[test]
fn catalog_rules_lists_every_rule_with_its_source() {
    let out = trainsim()
        .args(["catalog", "rules", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let rules: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, RULES);
    for r in &rules {
        assert!(r["source"].as_str().is_some_and(|s| !s.is_empty()), "{r}");
        assert!(r["effective"].is_string() && r["name"].is_string());
        for t in r["tiers"].as_array().unwrap() {
            assert!(STATUSES.contains(&t["status"].as_str().unwrap()));
            assert!(t["label"].is_string() && t["conditions"].is_string());
        }
    }
    assert_eq!(rules[3]["extends"], "oct-2023");
    assert_eq!(rules[5]["extends"], "dec-2024");
    assert_eq!(rules[4]["rescinded"], "2025-05-13");
    for format in ["table", "csv"] {
        trainsim()
            .args(["catalog", "rules", "--format", format])
            .assert()
            .success()
            .stdout(
                predicate::str::contains("91 FR 1684").and(predicate::str::contains("3A090.b")),
            );
    }
}

/// Issue 11: `classify` against statuses worked out by hand from the rule texts, with the
/// catalog's figures. Columns: aug-2022, oct-2022, oct-2023, dec-2024, apr-2025, jan-2026.
///
/// The rules, as applied here (C controlled, L licence required, N notified, X not
/// controlled, I indeterminate):
/// - aug-2022 (NVIDIA 8-K, 31 Aug 2022; modelled at the Oct-2022 thresholds): L when TPP ≥
///   4,800 and aggregate I/O ≥ 600 GB/s.
/// - oct-2022 (87 FR 62186, 3A090.a): C when TPP ≥ 4,800 and I/O ≥ 600 GB/s.
/// - oct-2023 (88 FR 73458): X under Note 2 (not a datacenter part and TPP < 4,800); C under
///   3A090.a (TPP ≥ 4,800, or TPP ≥ 1,600 and PD ≥ 5.92); N under 3A090.b (2,400 ≤ TPP <
///   4,800 and 1.6 ≤ PD < 5.92, or TPP ≥ 1,600 and 3.2 ≤ PD < 5.92).
/// - dec-2024 (89 FR 96790): 3A090.c controls HBM, not accelerators: as oct-2023.
/// - apr-2025 (NVIDIA 8-K 15 Apr 2025; thresholds per FT/Reuters 16 Apr 2025): after 3A090,
///   L when DRAM ≥ 1,400 GB/s or I/O ≥ 1,100 GB/s or DRAM + I/O ≥ 1,700 GB/s.
/// - jan-2026 (91 FR 1684): 3A090.a still needs a licence (C); the tier says which review.
///
/// PD unknown: a single die is at most 858 mm², so PD ≥ TPP / 858. I/O with PCIe unknown:
/// at least the link.
#[test]
fn classify_matches_the_hand_worked_table() {
    let rows = json(&["classify", "--format", "json"]);
    let (c, l, n, x, i) = (
        "controlled",
        "license-required",
        "notified",
        "not-controlled",
        "indeterminate",
    );
    let _ = n; // no catalogued chip sits in 3A090.b alone.
    let cols = [
        "aug-2022", "oct-2022", "oct-2023", "dec-2024", "apr-2025", "jan-2026",
    ];
    #[rustfmt::skip]
    let table: [(&str, [&str; 6], &str); 18] = [
        // A100 SXM: TPP 312×16 = 4,992; I/O 600 NVLink + 64 PCIe = 664 (NVIDIA A100 datasheet).
        ("a100-sxm-80gb", [l, c, c, c, c, c], "3A090.a, case-by-case review"),
        // A800 SXM: I/O 400 + 64 = 464 < 600 (TechPowerUp on the A800's NVLink cut); TPP 4,992
        // → 3A090.a.1 from Oct 2023; a China-only SKU → presumption of denial in 2026.
        ("a800-sxm-80gb", [x, x, c, c, c, c], "3A090.a, presumption of denial (not sold in the US)"),
        // H100 SXM: TPP 989.5×16 = 15,832; I/O 900 + 128 (NVIDIA H100 datasheet).
        ("h100-sxm-80gb", [l, c, c, c, c, c], "3A090.a, case-by-case review"),
        // H800 SXM: I/O 400 + 128 = 528 < 600; TPP 15,832; China-only.
        ("h800-sxm-80gb", [x, x, c, c, c, c], "3A090.a, presumption of denial (not sold in the US)"),
        // H800 PCIe: TPP 756.5×16 = 12,104; I/O 400 bridge + 128 = 528 < 600; China-only.
        ("h800-pcie-80gb", [x, x, c, c, c, c], "3A090.a, presumption of denial (not sold in the US)"),
        // H20: TPP 148×16 = 2,368 < 2,400, PD 2,368/814 = 2.91 < 3.2 (Tom's Hardware 2024;
        // TweakTown): outside 3A090; DRAM 4,000 ≥ 1,400 GB/s → the Apr-2025 letter.
        ("h20", [x, x, x, x, l, l], "H20-class licence requirement (Apr 2025 letters)"),
        // H200: TPP 15,832; link 900 ≥ 600 (PCIe unpublished, the link alone suffices);
        // DRAM 4,800 < 6,500 and TPP < 21,000: "the Nvidia H200 and its equivalents".
        ("h200-sxm-141gb", [l, c, c, c, c, c], "3A090.a, case-by-case review"),
        // L20: TPP 239×8 = 1,912; PD 1,912/609 = 3.14 < 3.2; DRAM 864 + I/O 64 = 928 < 1,700.
        ("l20", [x, x, x, x, x, x], ""),
        // L2: TPP 193×8 = 1,544 < 1,600 (no PD test applies); 300 + 64 = 364 < 1,700.
        ("l2", [x, x, x, x, x, x], ""),
        // RTX 4090: TPP 660.6×8 = 5,285 ≥ 4,800 (INT8, Ada whitepaper) but PCIe only, 64 < 600;
        // Note 2 needs TPP < 4,800, so 3A090.a.1; sold in the US.
        ("rtx-4090", [x, x, c, c, c, c], "3A090.a, case-by-case review"),
        // RTX 4090D: TPP 4,707 < 4,800 and a gaming part: Note 2 (tomshw.it 2024).
        ("rtx-4090d", [x, x, x, x, x, x], "Note 2 to 3A090 (not a datacenter part below TPP 4,800)"),
        // V100: TPP 125×16 = 2,000, PD 2,000/815 = 2.45; I/O 300 + 32 = 332; DRAM 898 + 332 =
        // 1,230 < 1,700 (NVIDIA V100 datasheet).
        ("v100-sxm2-32gb", [x, x, x, x, x, x], ""),
        // MI300X: TPP 2,614.9×8 = 20,919 < 21,000 (AMD data sheet); link 896 ≥ 600.
        ("mi300x", [l, c, c, c, c, c], "3A090.a, case-by-case review"),
        // B200: TPP 4,500×8 = 36,000 ≥ 21,000: presumption of denial in 2026.
        ("b200", [l, c, c, c, c, c], "3A090.a, presumption of denial"),
        // Ascend 910B: TPP 376×16 = 6,016; HCCS 392 GB/s and PCIe unpublished, so the 2022
        // I/O test (≥ 600) is open; 3A090.a.1 from 2023; not a US export → review n/a.
        ("ascend-910b", [i, i, c, c, c, c], "3A090.a, review policy n/a (not a US export, or not sold as chips)"),
        // Gaudi 2: TPP max(432×16, 865×8) = 6,920; I/O all 24 × 100 GbE = 600 GB/s (Intel
        // Gaudi docs); sold in the US, below 21,000 and 6,500 GB/s.
        ("gaudi2", [l, c, c, c, c, c], "3A090.a, case-by-case review"),
        // Gaudi 3: TPP 1,835×16 = 29,360 ≥ 21,000 → presumption of denial.
        ("gaudi3", [l, c, c, c, c, c], "3A090.a, presumption of denial"),
        // TPU v4: TPP 275×16 = 4,400 < 4,800 (Google Cloud TPU v4 docs); PD ≥ 4,400/858 = 5.13
        // ≥ 3.2, so 3A090.b at least and 3A090.a if PD ≥ 5.92: indeterminate from 2023.
        ("tpu-v4", [x, x, i, i, i, i], ""),
    ];
    for (gpu, statuses, jan_2026_tier) in table {
        for (rule, want) in cols.iter().zip(statuses) {
            let r = row(&rows, gpu, rule);
            // JSON keeps DESIGN.md's four statuses; an indeterminate chip gets the most
            // restrictive status left open, flagged by `indeterminate`.
            let contract = [
                "controlled",
                "notified",
                "license-required",
                "not-controlled",
            ];
            assert!(contract.contains(&r["status"].as_str().unwrap()), "{r}");
            let shown = if r["indeterminate"] == true {
                let first = r["possible_statuses"]
                    .as_str()
                    .unwrap()
                    .split(" or ")
                    .next();
                assert_eq!(r["status"].as_str(), first, "{r}");
                "indeterminate"
            } else {
                r["status"].as_str().unwrap()
            };
            assert_eq!(shown, want, "{gpu} under {rule}: {}", r["reason"]);
        }
        if !jan_2026_tier.is_empty() {
            let r = row(&rows, gpu, "jan-2026");
            assert_eq!(r["tier"], jan_2026_tier, "{gpu}: {}", r["reason"]);
        }
    }
    // dec-2024 and the rescinded AI Diffusion rule change no chip's status.
    for r in rows.iter().filter(|r| r["rule"] == "jan-2025") {
        assert_eq!(
            r["status"],
            row(&rows, r["gpu"].as_str().unwrap(), "dec-2024")["status"]
        );
    }
}

const USER_RULES: &str = r#"[what-if-2027]
name = "hypothetical: the Apr-2025 sum test at 900 GB/s"
effective = "2027-01-01"
source = "thought experiment"
extends = "apr-2025"

[[what-if-2027.tiers]]
status = "license-required"
label = "tight sum"
dram_plus_io_gb_per_s = { min = 900 }
"#;

fn user_rules_file(dir: &std::path::Path, text: &str) -> std::path::PathBuf {
    let p = dir.join("rules.toml");
    std::fs::write(&p, text).unwrap();
    p
}

/// Issue 11: `--rules FILE` reaches `classify`, `catalog rules`, `estimate --rule` and `run`.
#[test]
fn a_user_rule_file_reaches_classify_estimate_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let f = user_rules_file(dir.path(), USER_RULES);
    let f = f.to_str().unwrap();
    // The L20's 864 + 64 = 928 GB/s passes 900 under the user's rule only.
    let rows = json(&[
        "classify",
        "--rules",
        f,
        "--rule",
        "what-if-2027",
        "--format",
        "json",
    ]);
    assert_eq!(
        row(&rows, "l20", "what-if-2027")["status"],
        "license-required"
    );
    assert_eq!(row(&rows, "l2", "what-if-2027")["status"], "not-controlled");
    let all = json(&["--rules", f, "classify", "--format", "json"]);
    let gpus = json(&["catalog", "gpus", "--format", "json"]);
    assert_eq!(all.len(), gpus.len() * (RULES.len() + 1));
    let listed = json(&["catalog", "rules", "--rules", f, "--format", "json"]);
    assert_eq!(listed.last().unwrap()["id"], "what-if-2027");
    // estimate --rule: the status rides along in the JSON.
    let out = trainsim()
        .args([
            "estimate",
            "--model",
            "llama2-7b",
            "--gpu",
            "l20",
            "--gpus",
            "64",
        ])
        .args([
            "--tokens",
            "1e11",
            "--format",
            "json",
            "--rules",
            f,
            "--rule",
            "what-if-2027",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["export"]["status"], "license-required");
    assert!(v["train_days"].as_f64().unwrap() > 0.0);
    // run: a scenario may name the user's rule; the purchased L20 pool is refused.
    let scen = dir.path().join("s.toml");
    std::fs::write(
        &scen,
        "name = \"user-rule\"\nmodel = \"llama2-7b\"\ntrain_tokens = 1e11\n[fleet]\ngpu = \"l20\"\ncount = 64\n[policy]\nrule = \"what-if-2027\"\n",
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let o = trainsim()
        .args(["run", "--trials", "4", "--no-charts", "--rules", f, "--out"])
        .arg(&out_dir)
        .arg(&scen)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = std::fs::read_to_string(out_dir.join("user-rule").join("summary.csv")).unwrap();
    assert!(
        summary.contains("not allowed under what-if-2027"),
        "{summary}"
    );
    // Without the file the rule is unknown: exit 2 naming the key.
    trainsim()
        .args(["run", "--trials", "4", "--no-charts", "--out"])
        .arg(&out_dir)
        .arg(&scen)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown rule `what-if-2027`"));
}

/// Issue 11: a bad `--rules` file is refused like any input: exit 2, file:line:col, key, hint.
#[test]
fn a_bad_rule_file_exits_2_with_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    for (bad, at, key) in [
        // A misspelt bound inside a tier (line 10, column 27).
        (
            "{ min = 900 }",
            "{ mn = 900 }",
            ":10:27: `what-if-2027.tiers[0].dram_plus_io_gb_per_s`",
        ),
        // A date that is not one (line 3).
        ("2027-01-01", "Jan 2027", ":3:1: `what-if-2027.effective`"),
        // An unknown parent (line 5), with a suggestion.
        (
            "\"apr-2025\"",
            "\"apr-2052\"",
            ":5:1: `what-if-2027.extends`",
        ),
    ] {
        let f = user_rules_file(dir.path(), &USER_RULES.replace(bad, at));
        let name = f.display().to_string();
        for cmd in [&["classify"][..], &["catalog", "rules"][..]] {
            trainsim()
                .args(cmd)
                .arg("--rules")
                .arg(&f)
                .assert()
                .code(2)
                .stderr(
                    predicate::str::contains(format!("Error: {name}{key}"))
                        .and(predicate::str::contains("hint:")),
                );
        }
    }
    // A file that is not there.
    trainsim()
        .args(["classify", "--rules", "no/such/rules.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/rules.toml"));
}

/// Issue 11: scenarios and `classify` agree. A purchased chip the bound cannot place
/// (TPU v4 under oct-2023: indeterminate) or places above a custom line (the L2's PD ≥ 1.80
/// against pd_min 1.5) is refused with the same reason `classify` gives.
#[test]
fn scenarios_refuse_what_classify_cannot_clear() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("s.toml");
    std::fs::write(
        &scen,
        r#"name = "bounded"
model = "llama2-7b"
train_tokens = 1e11
[fleet]
gpu = "l2"
count = 64
[sweep]
"policy" = [{ rule = "oct-2023" }, { pd_min = 1.5 }]
"fleet.gpu" = ["l2", "tpu-v4"]
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = trainsim()
        .args(["run", "--trials", "4", "--no-charts", "--out"])
        .arg(&out)
        .arg(&scen)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(out.join("bounded").join("summary.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let h = rdr.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|x| x == name).unwrap();
    let (gpu, why) = (col("gpu"), col("infeasible_reason"));
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let classify_reason = |rule: &str, chip: &str| {
        row(
            &json(&["classify", "--rule", rule, "--format", "json"]),
            chip,
            rule,
        )["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Sweep order: (oct-2023, l2), (oct-2023, tpu-v4), (pd_min, l2), (pd_min, tpu-v4).
    assert_eq!(&rows[0][gpu], "l2");
    assert_eq!(&rows[0][why], "", "the L2 is outside 3A090");
    assert_eq!(
        rows[1][why],
        format!(
            "not allowed under oct-2023: {}",
            classify_reason("oct-2023", "tpu-v4")
        )
    );
    assert!(rows[1][why].contains("controlled [3A090.a] if PD ≥ 5.92"));
    assert!(
        rows[2][why].starts_with("not allowed under custom: PD ≥ 1.80"),
        "{}",
        &rows[2][why]
    );
}
