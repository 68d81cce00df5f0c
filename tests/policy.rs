//! Export-control classification from the command line (issue 5): `trainsim classify` and
//! `trainsim catalog rules`, their JSON/CSV shapes, and the statuses of the China-specific
//! parts against the hand application in /work/shared/reference/gpus.md §2.

use predicates::prelude::*;
use serde_json::Value;

use crate::cli::trainsim;

const STATUSES: [&str; 4] = [
    "controlled",
    "notified",
    "license-required",
    "not-controlled",
];
const RULES: [&str; 4] = ["oct-2022", "oct-2023", "apr-2025", "jan-2026"];

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
        for (rule, want) in RULES.iter().zip(statuses) {
            let r = row(&rows, gpu, rule);
            assert_eq!(r["status"], want, "{gpu} under {rule}: {}", r["reason"]);
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
    assert!(reason("h20", "apr-2025").contains("memory bandwidth 4.00 TB/s ≥ 4.0"));
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
        "gpu,rule,status,tier,tpp,performance_density,reason"
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
    assert_eq!(rules[2]["extends"], "oct-2023");
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
