//! `estimate --channel`: a fleet priced and judged as a scenario pool of that channel is
//! (`trainsim::fleet::channel_cost`), so the page's channel input and the CLI agree.
//!
//! See: issue 13 ("rule with its channels").

use crate::cli::trainsim;

fn json(extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "estimate",
        "--model",
        "llama3.1-8b",
        "--gpus",
        "64",
        "--tokens",
        "1e11",
        "--format",
        "json",
    ];
    args.extend_from_slice(extra);
    let out = trainsim().args(&args).output().expect("runs");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

fn cost(v: &serde_json::Value) -> f64 {
    v["cost_usd"].as_f64().expect("a cost")
}

/// Smuggled chips rent at the catalog price × 1.5 (the default premium, mode of
/// assumptions.md §6's 0.4–1.0), or × (1 + the premium given); time does not change.
#[test]
fn smuggled_chips_pay_the_premium() {
    let base = json(&["--gpu", "h100"]);
    let smuggled = json(&["--gpu", "h100", "--channel", "smuggled"]);
    let ratio = cost(&smuggled) / cost(&base);
    assert!((ratio - 1.5).abs() < 1e-12, "{ratio}");
    assert_eq!(smuggled["train_days"], base["train_days"]);
    assert_eq!(smuggled["channel"]["unlawful"], true);
    assert_eq!(smuggled["channel"]["premium"], 0.5);
    let doubled = json(&[
        "--gpu",
        "h100",
        "--channel",
        "smuggled",
        "--channel-premium",
        "1",
    ]);
    let ratio = cost(&doubled) / cost(&base);
    assert!((ratio - 2.0).abs() < 1e-12, "{ratio}");
}

/// A stockpile is owned hardware and a cloud fleet is rented, whatever `--cost-basis` says.
#[test]
fn stockpile_is_owned_and_cloud_is_rented() {
    let owned = json(&["--gpu", "h100", "--cost-basis", "ownership"]);
    let rented = json(&["--gpu", "h100"]);
    let stockpile = json(&["--gpu", "h100", "--channel", "stockpile"]);
    let cloud = json(&[
        "--gpu",
        "h100",
        "--channel",
        "cloud",
        "--cost-basis",
        "ownership",
    ]);
    assert_eq!(cost(&stockpile), cost(&owned));
    assert_eq!(stockpile["channel"]["cost_basis"], "ownership");
    assert_eq!(cost(&cloud), cost(&rented));
    assert_eq!(cloud["channel"]["cost_basis"], "rental");
}

/// A purchase the rule does not allow is refused with the rule's reason, as a scenario's
/// purchase pool is. Under Oct-2023 the H20 is outside 3A090 (TPP 2,368 < 2,400 and PD
/// 2.91 < 3.2) and the H100 is controlled (TPP 15,832 ≥ 4,800).
#[test]
fn a_purchase_the_rule_forbids_is_refused() {
    let h100 = json(&[
        "--gpu",
        "h100",
        "--rule",
        "oct-2023",
        "--channel",
        "purchase",
    ]);
    assert_eq!(h100["feasible"], false);
    let why = h100["infeasible_reason"].as_str().unwrap();
    assert!(
        why.starts_with("not allowed under oct-2023: TPP 15,832"),
        "{why}"
    );
    assert_eq!(h100["export"]["status"], "controlled");
    let h20 = json(&[
        "--gpu",
        "h20",
        "--rule",
        "oct-2023",
        "--channel",
        "purchase",
    ]);
    assert!(h20["train_days"].as_f64().unwrap() > 0.0, "{h20}");
    // Without a channel the rule only reports the status, as before.
    let status_only = json(&["--gpu", "h100", "--rule", "oct-2023"]);
    assert!(status_only["train_days"].as_f64().unwrap() > 0.0);
    // Smuggled chips are outside the rule.
    let smuggled = json(&[
        "--gpu",
        "h100",
        "--rule",
        "oct-2023",
        "--channel",
        "smuggled",
    ]);
    assert!(smuggled["train_days"].as_f64().unwrap() > 0.0);
}

#[test]
fn a_bad_channel_or_premium_exits_2() {
    for (args, message) in [
        (vec!["--channel", "smugled"], "smuggled"),
        (
            vec!["--channel-premium", "-1"],
            "must be a premium above −1",
        ),
        (vec!["--channel-premium", "1e9"], "at most 100"),
    ] {
        let mut all = vec!["estimate", "--model", "llama3.1-8b", "--gpu", "h100"];
        all.extend(["--gpus", "64", "--tokens", "1e11"]);
        all.extend(args);
        let out = trainsim().args(&all).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(message), "{message}: {stderr}");
    }
}
