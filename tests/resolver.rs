//! One resolver (issue 12, item 1): `estimate` flags and scenario files go through the same
//! checks (`trainsim::question`), so they refuse the same inputs with the same words; only
//! the spelling of a key differs (`--micro-batch` on the command line, `plan.micro_batch`
//! in a file). Before the shared resolver, a scenario with EP on a dense model, a fixed DP
//! beyond the fleet, or interleave 2 at PP 1 ran and blamed the batch, and the CLI did the
//! last with exit 0.

use crate::cli::trainsim;

/// Each case: the fixed plan values, the scenario path blamed, and the words of the broken
/// condition (checked in both front ends). Llama 3.1 8B (32 heads, 8 KV heads, 32 layers,
/// dense) on 64 H100s: the default batch is 4 Mi tokens = 512 sequences of 8,192.
/// Fixed plan values, as `(key, value)`.
type Plan = &'static [(&'static str, u32)];

const CASES: &[(Plan, &str, &str)] = &[
    (
        &[("ep", 2)],
        "plan.ep",
        "ep 2 needs a mixture-of-experts model; `llama3.1-8b` is dense",
    ),
    (
        &[("tp", 3)],
        "plan.tp",
        "TP 3 does not divide the model's 32 attention heads (8 KV heads)",
    ),
    (
        &[("dp", 128)],
        "plan.dp",
        "dp 128 needs at least 128 GPUs (tp × pp × dp × cp), more than the 64 given by",
    ),
    (
        &[("pp", 1), ("interleave", 2)],
        "plan.interleave",
        "interleave 2 splits each GPU's layers into virtual pipeline stages and needs PP > 1; PP is 1",
    ),
    (
        &[("micro_batch", 3)],
        "plan.micro_batch",
        "a micro-batch of 3 sequences does not divide the global batch of 512 sequences",
    ),
    // Issue 12 ("--dp 1000 blames the batch"): DP 32 × mb 32 = 1,024 sequences a step fit
    // the 64 GPUs but not the 512-sequence batch; the message says so, not "does not divide".
    (
        &[("dp", 32), ("micro_batch", 32)],
        "plan.dp",
        "DP 32 replicas × micro-batch 32 need at least 1024 sequences per step; the global batch has 512",
    ),
    // 512 / (DP 2 × mb 4) = 64 micro-batches per replica, not a multiple of PP 3.
    (
        &[("pp", 3), ("dp", 2), ("micro_batch", 4), ("interleave", 2)],
        "plan.interleave",
        "interleave 2 runs micro-batches in groups of PP 3, but each replica has 64 micro-batches, not a multiple of 3",
    ),
];

fn flag(key: &str) -> String {
    format!("--{}", key.replace('_', "-"))
}

/// `estimate` with the plan values as flags: exit status and stderr.
fn cli(plan: &[(&str, u32)]) -> (Option<i32>, String) {
    let mut args: Vec<String> = [
        "estimate",
        "--model",
        "llama3.1-8b",
        "--gpu",
        "h100",
        "--gpus",
        "64",
        "--tokens",
        "1e11",
    ]
    .map(String::from)
    .to_vec();
    for (k, v) in plan {
        args.push(flag(k));
        args.push(v.to_string());
    }
    let out = trainsim().args(&args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The same question as a scenario file: exit status and stderr.
fn scenario(plan: &[(&str, u32)]) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut text = "model = \"llama3.1-8b\"\ntrain_tokens = 1e11\n\n[fleet]\ngpu = \"h100-sxm-80gb\"\ncount = 64\n\n[plan]\n".to_string();
    for (k, v) in plan {
        text.push_str(&format!("{k} = {v}\n"));
    }
    let file = dir.path().join("s.toml");
    std::fs::write(&file, text).unwrap();
    let out = trainsim()
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--no-charts")
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The message after the key: `Error: <where>`<key>`: <message>`, with the hint line.
fn after_key(stderr: &str, key: &str) -> String {
    let marker = format!("`{key}`: ");
    let at = stderr
        .find(&marker)
        .unwrap_or_else(|| panic!("no `{key}` in:\n{stderr}"));
    stderr[at + marker.len()..].to_string()
}

/// Flags spelled as scenario paths, so the two messages can be compared word for word.
fn as_paths(s: &str) -> String {
    let mut s = s.replace("--gpus", "fleet.count");
    for k in ["tp", "pp", "dp", "ep", "cp", "micro-batch", "interleave"] {
        s = s.replace(&format!("--{k}"), &format!("plan.{}", k.replace('-', "_")));
    }
    s.replace("leave the flag out", "leave the key out")
}

#[test]
fn cli_and_scenarios_refuse_bad_fixed_plans_with_the_same_words() {
    for (plan, path, words) in CASES {
        let (code, e_cli) = cli(plan);
        assert_eq!(code, Some(2), "{plan:?} on the CLI:\n{e_cli}");
        let (code, e_file) = scenario(plan);
        assert_eq!(code, Some(2), "{plan:?} in a scenario:\n{e_file}");
        let flag_key = flag(path.trim_start_matches("plan."));
        let from_cli = as_paths(&after_key(&e_cli, &flag_key));
        let from_file = after_key(&e_file, path);
        assert!(
            from_file.contains(words),
            "{plan:?}: scenario said\n{e_file}"
        );
        assert_eq!(
            from_cli, from_file,
            "{plan:?}: the CLI and the scenario disagree"
        );
        assert!(
            e_file.contains("s.toml:"),
            "a scenario error names its file and line: {e_file}"
        );
    }
}

/// TP beyond a node is allowed when fixed, and then timed over the scale-out network: the
/// same fixed TP16 plan is slower on 8-GPU nodes (two nodes per TP group) than on 16-GPU
/// nodes (one NVLink domain). Both hold the identical plan, so only the links differ.
#[test]
fn tp_beyond_a_node_is_timed_over_the_network() {
    let step = |gpn: &str| {
        let out = trainsim()
            .args([
                "estimate",
                "--model",
                "llama3.1-8b",
                "--gpu",
                "h100",
                "--gpus",
                "64",
                "--tokens",
                "1e11",
                "--tp",
                "16",
                "--pp",
                "1",
                "--dp",
                "4",
                "--cp",
                "1",
                "--micro-batch",
                "1",
                "--interleave",
                "1",
                "--recompute",
                "selective",
                "--zero",
                "1",
                "--gpus-per-node",
                gpn,
                "--format",
                "json",
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["plan"]["tp"], 16);
        v["step_time_s"].as_f64().unwrap()
    };
    let (over_network, in_node) = (step("8"), step("16"));
    assert!(
        over_network > in_node,
        "TP16 over two 8-GPU nodes {over_network} s, inside one 16-GPU node {in_node} s"
    );
}
