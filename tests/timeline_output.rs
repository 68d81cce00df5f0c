//! `trainsim timeline`, version 2 (issue 10): charts and report.html, `--no-charts`,
//! `--shard K/N` with `merge`, custom rule thresholds, rules from `--rules FILE`,
//! `licensed_under`, the storylines' rule lines, and bad input for the new keys.
//! See: issue 10.

use std::path::Path;

use trainsim::catalog::Catalog;
use trainsim::timeline::{load_str, output, simulate};

use crate::cli::trainsim;
use crate::report::check_html;

/// A small, fast timeline (as tests/timeline.rs): Llama 3.1 8B, 1e12 tokens in ≤ 30 days.
fn small(actors: &str, extra: &str) -> String {
    format!(
        "name = \"t\"\nstart = \"2023-01\"\nend = \"2024-12\"\nmodel_error = 1\n\
         [target]\nmodel = \"llama3.1-8b\"\ntrain_tokens = 1e12\nmax_run_days = 30\n\
         [uncertainty]\ntrials = 20\n{actors}\n{extra}"
    )
}

/// An actor buying `rate` H100 a month from 2023-01.
fn buyer(name: &str, rate: &str) -> String {
    format!(
        "[[actors]]\nname = \"{name}\"\nstack = \"llama3-2024\"\n\
         [[actors.supply]]\ngpu = \"h100-sxm-80gb\"\nchannel = \"purchase\"\nrate_per_month = {rate}\n"
    )
}

/// Two actors with uncertain supply and a counterfactual: every chart has data.
fn two_actors() -> String {
    let a = buyer(
        "A",
        "{ dist = \"triangular\", min = 8, mode = 16, max = 24 }",
    );
    let b = "[[actors]]\nname = \"B\"\nstack = \"llama3-2024\"\n\
        [[actors.supply]]\ngpu = \"a100-sxm-80gb\"\nchannel = \"smuggled\"\n\
        rate_per_month = { dist = \"uniform\", min = 10, max = 40 }\n";
    small(
        &format!("{a}{b}"),
        "[[counterfactuals]]\nname = \"half\"\nscale = { \"actors.1.supply.0.rate_per_month\" = 0.5 }\n",
    )
}

fn run_cli(file: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    trainsim()
        .arg("timeline")
        .arg(file)
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap()
}

const CHARTS: [&str; 4] = [
    "gpus_by_chip_over_time",
    "largest_run_flop_over_time",
    "lead_months_distribution",
    "lead_months_tornado",
];

/// Each chart is written as PNG and SVG with its marks (areas, lines, bars), and the
/// report states the answer and is well-formed HTML.
#[test]
fn charts_and_report_are_written() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    std::fs::write(&file, two_actors()).unwrap();
    let out = dir.path().join("out");
    let r = run_cli(&file, &out, &[]);
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let charts = out.join("t/charts");
    for c in CHARTS {
        let png = std::fs::read(charts.join(format!("{c}.png"))).unwrap();
        assert_eq!(&png[1..4], b"PNG", "{c}");
        assert!(png.len() > 20_000, "{c}.png is {} bytes", png.len());
        let svg = std::fs::read_to_string(charts.join(format!("{c}.svg"))).unwrap();
        let marks = svg.matches("<polygon").count()
            + svg.matches("<polyline").count()
            + svg.matches("<rect").count();
        assert!(marks >= 3, "{c}.svg has {marks} marks");
    }
    // The stacked areas: one polygon per chip an actor holds (A: H100, B: A100).
    let fleet = std::fs::read_to_string(charts.join("gpus_by_chip_over_time.svg")).unwrap();
    assert!(fleet.matches("<polygon").count() >= 2);
    let html = std::fs::read_to_string(out.join("t/report.html")).unwrap();
    check_html(&html).unwrap_or_else(|e| panic!("invalid HTML: {e}"));
    let stdout = String::from_utf8_lossy(&r.stdout);
    let answer = stdout.lines().nth(1).unwrap().trim().replace('`', "");
    assert!(answer.contains("first trains the target in"), "{answer}");
    assert!(
        html.contains(&answer),
        "the report states the answer: {answer}"
    );
    for c in CHARTS {
        assert!(html.contains(&format!("id=\"chart-{c}\"")), "{c} inline");
    }
}

/// Two identical actors: the lead is 0 in every trial, so the sentence says so exactly.
#[test]
fn the_report_sentence_of_two_identical_actors() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    let src = small(&format!("{}{}", buyer("A", "16"), buyer("B", "16")), "");
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    assert!(run_cli(&file, &out, &[]).status.success());
    let html = std::fs::read_to_string(out.join("t/report.html")).unwrap();
    assert!(
        html.contains("B follows 0 months later (p5–p95 0–0)"),
        "{}",
        &html[html.find("class=\"answer\"").unwrap()..][..300]
    );
}

/// One actor: no lead, so no lead charts; `--no-charts` writes neither charts nor report.
#[test]
fn charts_are_skipped_without_data_and_with_no_charts() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    std::fs::write(&file, small(&buyer("A", "16"), "")).unwrap();
    let out = dir.path().join("out");
    assert!(run_cli(&file, &out, &[]).status.success());
    let mut names: Vec<String> = std::fs::read_dir(out.join("t/charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "gpus_by_chip_over_time.png",
            "gpus_by_chip_over_time.svg",
            "largest_run_flop_over_time.png",
            "largest_run_flop_over_time.svg"
        ]
    );
    let bare = dir.path().join("bare");
    assert!(run_cli(&file, &bare, &["--no-charts"]).status.success());
    assert!(bare.join("t/timeline.csv").is_file());
    assert!(!bare.join("t/charts").exists() && !bare.join("t/report.html").exists());
}

/// Three shards (20 trials: 0–5, 6–12, 13–19) merged equal one run, byte for byte, in
/// every file: CSV, charts and report.
#[test]
fn shards_merged_equal_a_single_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.toml");
    std::fs::write(&file, two_actors()).unwrap();
    let single = dir.path().join("single");
    assert!(run_cli(&file, &single, &[]).status.success());
    let mut shard_dirs = Vec::new();
    for k in 1..=3 {
        let d = dir.path().join(format!("s{k}"));
        let r = run_cli(&file, &d, &["--shard", &format!("{k}/3")]);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        assert!(
            !d.join("t/timeline.csv").exists(),
            "a shard writes no summary"
        );
        shard_dirs.push(d);
    }
    let merged = dir.path().join("merged");
    let r = trainsim()
        .arg("merge")
        .args(&shard_dirs)
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let files = [
        "timeline.csv",
        "capability.csv",
        "lead.csv",
        "report.html",
        "charts/lead_months_tornado.svg",
        "charts/largest_run_flop_over_time.png",
    ];
    for f in files {
        let a = std::fs::read(single.join("t").join(f)).unwrap();
        let b = std::fs::read(merged.join("t").join(f)).unwrap();
        assert!(a == b, "{f} differs");
    }
    // A missing shard is refused.
    let r = trainsim()
        .arg("merge")
        .args(&shard_dirs[..2])
        .arg("--out")
        .arg(dir.path().join("m2"))
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("each of 1…3 once"));
}

/// 100 H100 bought a month from 2023-01 under `"2023-07" = { tpp_min = 1600 }` (the H100's
/// TPP is 15,832): deliveries at the ends of January … June arrive February … July, so the
/// fleet holds 600 from 2023-07 on. At `tpp_min = 20000` the H100 is below the threshold
/// and purchases go on: 700 in 2023-08, 2,300 in 2024-12.
#[test]
fn a_custom_threshold_stops_purchases_from_its_month() {
    let gpus = |rule: &str, month: usize| {
        let src = small(
            &buyer("A", "100"),
            &format!("[policy.timeline]\n\"2023-07\" = {rule}\n"),
        );
        let tl = load_str(&src, "t.toml", "t", &Catalog::builtin()).unwrap();
        output::summarize(&tl, &simulate(&tl)).series[month].gpus_total
    };
    assert_eq!(gpus("{ tpp_min = 1600 }", 5), 500.0); // 2023-06
    assert_eq!(gpus("{ tpp_min = 1600 }", 6), 600.0); // 2023-07
    assert_eq!(gpus("{ tpp_min = 1600 }", 7), 600.0); // 2023-08: stopped
    assert_eq!(gpus("{ tpp_min = 1600 }", 23), 600.0);
    assert_eq!(gpus("{ tpp_min = 20000 }", 7), 700.0);
    assert_eq!(gpus("{ tpp_min = 20000 }", 23), 2300.0);
}

/// A rule from `--rules FILE` named in the timeline stops purchases as a built-in one
/// does: the same 600 H100 from 2023-07 on (month 2023-08 is row 8 of timeline.csv).
#[test]
fn a_rule_from_a_rules_file_works_in_the_timeline() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules.toml");
    std::fs::write(
        &rules,
        "[tpp-1600]\nname = \"hypothetical TPP 1,600 line\"\nsource = \"test\"\n\
         otherwise = \"below TPP 1,600\"\n\
         [[tpp-1600.tiers]]\nstatus = \"controlled\"\nlabel = \"TPP 1,600\"\ntpp = { min = 1600 }\n",
    )
    .unwrap();
    let file = dir.path().join("t.toml");
    let src = small(
        &buyer("A", "100"),
        "[policy.timeline]\n\"2023-07\" = \"tpp-1600\"\n",
    );
    std::fs::write(&file, src).unwrap();
    let out = dir.path().join("out");
    let r = trainsim()
        .arg("--rules")
        .arg(&rules)
        .arg("timeline")
        .arg(&file)
        .arg("--out")
        .arg(&out)
        .arg("--no-charts")
        .output()
        .unwrap();
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    let csv = std::fs::read_to_string(out.join("t/timeline.csv")).unwrap();
    let row = csv.lines().nth(8).unwrap();
    assert!(row.starts_with("A,2023-08,600,"), "{row}");
    let last = csv.lines().last().unwrap();
    assert!(last.starts_with("A,2024-12,600,"), "{last}");
    // Without the file the id is unknown: exit 2 naming the key.
    let r = run_cli(&file, &dir.path().join("o2"), &[]);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("unknown rule `tpp-1600`"));
}

/// The H200 under jan-2026 (91 FR 1684: licence required, reviewed case by case): the
/// rule controls the chip, so a plain purchase line stops; a line `licensed_under` it goes
/// on. 100 a month from 2023-01, jan-2026 in force from 2023-07: 600 against 2,300 in 2024-12.
#[test]
fn a_line_licensed_under_a_rule_goes_on() {
    let gpus = |licensed: &str| {
        let actor = format!(
            "[[actors]]\nname = \"A\"\nstack = \"llama3-2024\"\n\
             [[actors.supply]]\ngpu = \"h200-sxm-141gb\"\nchannel = \"purchase\"\nrate_per_month = 100\n{licensed}"
        );
        let src = small(&actor, "[policy.timeline]\n\"2023-07\" = \"jan-2026\"\n");
        let tl = load_str(&src, "t.toml", "t", &Catalog::builtin()).unwrap();
        output::summarize(&tl, &simulate(&tl)).series[23].gpus_total
    };
    assert_eq!(gpus(""), 600.0);
    assert_eq!(gpus("licensed_under = [\"jan-2026\"]\n"), 2300.0);
}

/// The storylines load, and their rule lines behave as the rule texts say: the H800 is
/// lawful under oct-2022 and stopped by oct-2023, the H20 lawful until apr-2025, the H200
/// controlled under jan-2026 but its licensed line open from 2026-01.
#[test]
fn the_storylines_rules_behave_as_the_sources_say() {
    let catalog = Catalog::builtin();
    let rules = trainsim::policy::builtin_rules();
    for f in [
        "us-china-2022-2027",
        "h20-loophole",
        "smuggling-enforcement",
    ] {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("scenarios/timeline")
            .join(format!("{f}.toml"));
        let tl = trainsim::timeline::load(&path, &catalog, &rules).unwrap();
        assert!(tl.variants.len() >= 2, "{f}");
    }
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/timeline/us-china-2022-2027.toml");
    let tl = trainsim::timeline::load(&path, &catalog, &rules).unwrap();
    let v = &tl.variants[0];
    let month = |m: &str| (trainsim::fleet::parse_month(m).unwrap() - tl.start) as usize;
    let chip = |id: &str| tl.chip_ids.iter().position(|c| c == id).unwrap();
    let ok = |id: &str, m: &str| v.allowed[chip(id)][month(m)];
    assert!(ok("h800-sxm-80gb", "2023-10") && !ok("h800-sxm-80gb", "2023-11"));
    assert!(!ok("h100-sxm-80gb", "2022-10"));
    assert!(ok("h20", "2025-03") && !ok("h20", "2025-04"));
    assert!(!ok("h200-sxm-141gb", "2026-06"));
    let h200 = v.actors[1]
        .lines
        .iter()
        .find(|l| tl.chip_ids[l.chip] == "h200-sxm-141gb")
        .unwrap();
    let open = h200.allowed.as_ref().unwrap();
    assert!(open[month("2026-06")] && !open[month("2025-12")]);
}

/// Bad input for the new keys exits 2 naming the file, the key and line:column, with a
/// hint, and writes nothing.
#[test]
fn bad_new_keys_exit_2_with_a_location() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "[policy.timeline]\n\"2023-07\" = { tpp = 1600 }\n",
            "policy.timeline.\"2023-07\"",
            "unknown key `tpp`",
        ),
        (
            "[policy.timeline]\n\"2023-07\" = { tpp_min = -1 }\n",
            "policy.timeline.\"2023-07\"",
            "positive",
        ),
        (
            "[policy.timeline]\n\"2023-07\" = 5\n",
            "policy.timeline.\"2023-07\"",
            "not a rule id",
        ),
    ];
    for (i, (extra, key, text)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&file, small(&buyer("A", "16"), extra)).unwrap();
        let out = dir.path().join("out");
        let r = run_cli(&file, &out, &[]);
        let err = String::from_utf8_lossy(&r.stderr);
        assert_eq!(r.status.code(), Some(2), "{err}");
        // The entry sits on line 20 of the file, its value at column 13.
        assert!(err.contains(&format!("bad{i}.toml:20:13")), "{err}");
        assert!(err.contains(key) && err.contains(text), "case {i}: {err}");
        assert!(err.contains("hint:"), "{err}");
        assert!(!out.join("t").exists(), "nothing written");
    }
    let file = dir.path().join("bad-licence.toml");
    let actor = buyer("A", "16") + "licensed_under = [\"jan-2099\"]\n";
    std::fs::write(&file, small(&actor, "")).unwrap();
    let r = run_cli(&file, &dir.path().join("out"), &[]);
    let err = String::from_utf8_lossy(&r.stderr);
    assert_eq!(r.status.code(), Some(2), "{err}");
    assert!(err.contains("bad-licence.toml:18:19"), "{err}");
    assert!(
        err.contains("actors.0.supply.0.licensed_under.0") && err.contains("unknown rule"),
        "{err}"
    );
    let r = run_cli(&file, &dir.path().join("o"), &["--shard", "4/3"]);
    assert_eq!(r.status.code(), Some(2));
}
