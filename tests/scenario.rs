//! Scenario files, sweeps, Monte Carlo, `run` and `merge` (issue 4): error messages for
//! bad input, determinism across threads and shards, the degenerate-distribution contract,
//! a snapshot of a small summary, and loaders that never panic.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use trainsim::catalog::Catalog;
use trainsim::montecarlo::summary::summarize_trials;
use trainsim::montecarlo::{prepare, run_trials};
use trainsim::scenario::{load, load_str, Overrides};

use crate::cli::trainsim;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A small sweep: a tiny inline model (fast in debug builds), two fleet sizes, uncertain
/// MFU, price and electricity. The MFU override keeps the snapshot independent of the
/// step-time model.
const SMALL: &str = r#"
name = "small"
train_tokens = 2e10
precision = "bf16"

[model]
name = "tiny-1b"
layers = 16
d_model = 2048
heads = 16
ffn_hidden = 8192
ffn_kind = "swiglu"
vocab = 32000
seq_len = 2048

[fleet]
gpu = "h100-sxm-80gb"
count = 16

[cost]
usd_per_gpu_hour = { dist = "triangular", min = 2.45, mode = 2.99, max = 3.99 }

[efficiency]
mfu = { dist = "pert", min = 0.30, mode = 0.40, max = 0.48 }

[energy]
usd_per_kwh = { dist = "uniform", min = 0.059, max = 0.089 }

[uncertainty]
trials = 300
seed = 7

[sweep]
"fleet.count" = [16, 32]
"#;

/// The chart files of a scenario folder (`charts/*.png|svg`), sorted by name.
fn chart_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir.join("charts")) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries.map(|e| e.unwrap().path()).collect();
    files.sort();
    files
}

/// report.html and every chart file of two scenario folders are byte-identical.
fn assert_same_report(a: &Path, b: &Path) {
    assert_eq!(
        read(&a.join("report.html")),
        read(&b.join("report.html")),
        "report.html of {} and {}",
        a.display(),
        b.display()
    );
    let (fa, fb) = (chart_files(a), chart_files(b));
    let names = |f: &[PathBuf]| -> Vec<String> {
        f.iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect()
    };
    assert_eq!(names(&fa), names(&fb));
    assert!(!fa.is_empty(), "no charts in {}", a.display());
    for (x, y) in fa.iter().zip(&fb) {
        assert!(read(x) == read(y), "{} differs", x.display());
    }
}

fn write_scenario(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// Each file in tests/data/invalid/ fails with exit 2 and exactly the message stored next
/// to it (`foo.toml` → `foo.expected`), and writes nothing. `UPDATE_EXPECTED=1` rewrites
/// the expected files.
#[test]
fn invalid_files_give_their_exact_message_and_exit_2() {
    let dir = root().join("tests/data/invalid");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 11, "{} invalid files", files.len());
    let out = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for f in &files {
        let rel = f.strip_prefix(root()).unwrap();
        let a = trainsim()
            .current_dir(root())
            .arg("run")
            .arg(rel)
            .arg("--out")
            .arg(out.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&a.stderr).into_owned();
        let expected_path = f.with_extension("expected");
        if std::env::var_os("UPDATE_EXPECTED").is_some() {
            std::fs::write(&expected_path, &stderr).unwrap();
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if a.status.code() != Some(2) || stderr != expected || stderr.contains("panicked") {
            failures.push(format!(
                "{}: exit {:?}\n--- got\n{stderr}--- expected\n{expected}",
                rel.display(),
                a.status.code()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "nothing is written for a failed scenario"
    );
}

/// A bad scenario in a batch is reported and skipped; the others are written; exit 2.
#[test]
fn a_bad_scenario_does_not_stop_the_batch() {
    let tmp = tempfile::tempdir().unwrap();
    let good = write_scenario(
        tmp.path(),
        "good.toml",
        &SMALL.replace("trials = 300", "trials = 20"),
    );
    let bad = root().join("tests/data/invalid/unknown_gpu.toml");
    let out = tmp.path().join("out");
    let a = trainsim()
        .arg("run")
        .arg(&bad)
        .arg(&good)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(a.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&a.stderr);
    assert!(stderr.contains("unknown GPU `h100-sxm`"), "{stderr}");
    assert!(stderr.contains("1 of 2 scenario files failed"), "{stderr}");
    assert!(out.join("small/summary.csv").is_file());
    assert!(!out.join("unknown-gpu").exists());
    assert!(out.join("summary.csv").is_file());
}

#[test]
fn bad_shard_strings_exit_2_with_a_hint() {
    for bad in ["0/2", "3/2", "a/b"] {
        let a = trainsim()
            .args(["run", "--shard", bad, "--out", "/nonexistent/never"])
            .output()
            .unwrap();
        assert_eq!(a.status.code(), Some(2), "{bad}");
        let stderr = String::from_utf8_lossy(&a.stderr);
        assert!(
            stderr.contains("--shard") && stderr.contains("hint: write K/N"),
            "{stderr}"
        );
    }
}

#[test]
fn small_summary_snapshot() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write_scenario(tmp.path(), "small.toml", SMALL);
    trainsim()
        .arg("run")
        .arg(&f)
        .arg("--out")
        .arg(tmp.path())
        .assert()
        .success();
    let text = String::from_utf8(read(&tmp.path().join("small/summary.csv"))).unwrap();
    insta::assert_snapshot!("small_summary_csv", text);
}

/// Byte-identical outputs at 1 and 2 threads, trials.csv included.
#[test]
fn output_is_identical_at_one_and_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write_scenario(tmp.path(), "small.toml", SMALL);
    for t in ["1", "2"] {
        trainsim()
            .arg("run")
            .arg(&f)
            .args(["--threads", t, "--trials-csv", "--out"])
            .arg(tmp.path().join(format!("t{t}")))
            .assert()
            .success();
    }
    for file in [
        "small/summary.csv",
        "small/sensitivity.csv",
        "small/trials.csv",
        "summary.csv",
    ] {
        assert_eq!(
            read(&tmp.path().join("t1").join(file)),
            read(&tmp.path().join("t2").join(file)),
            "{file}"
        );
    }
    let trials = String::from_utf8(read(&tmp.path().join("t1/small/trials.csv"))).unwrap();
    assert_eq!(trials.lines().count(), 1 + 600);
    // Charts and report too: no timestamps, random ids or thread-dependent order.
    assert_same_report(&tmp.path().join("t1/small"), &tmp.path().join("t2/small"));
}

/// Shards 1/3, 2/3, 3/3 merged give exactly the files of a single run.
#[test]
fn merged_shards_equal_a_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    // 2,500 trials a point: three work units per point, six in all, spread over the shards.
    let f = write_scenario(
        tmp.path(),
        "small.toml",
        &SMALL.replace("trials = 300", "trials = 2500"),
    );
    let single = tmp.path().join("single");
    trainsim()
        .arg("run")
        .arg(&f)
        .arg("--trials-csv")
        .arg("--out")
        .arg(&single)
        .assert()
        .success();
    let shards = tmp.path().join("shards");
    for k in ["1/3", "2/3", "3/3"] {
        trainsim()
            .arg("run")
            .arg(&f)
            .args(["--trials-csv", "--threads", "1", "--shard", k, "--out"])
            .arg(&shards)
            .assert()
            .success();
    }
    assert!(
        !shards.join("small/summary.csv").exists(),
        "a shard writes only partial files"
    );
    // Missing shards are refused.
    let partial = tmp.path().join("partial");
    std::fs::create_dir_all(&partial).unwrap();
    let a = trainsim()
        .arg("merge")
        .arg(shards.join("small/shard-1-of-3"))
        .arg("--out")
        .arg(&partial)
        .output()
        .unwrap();
    assert_eq!(a.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&a.stderr).contains("lacks shard(s) 2/3, 3/3"));
    let merged = tmp.path().join("merged");
    trainsim()
        .arg("merge")
        .arg(&shards)
        .arg("--out")
        .arg(&merged)
        .assert()
        .success();
    for file in [
        "small/summary.csv",
        "small/sensitivity.csv",
        "small/trials.csv",
        "summary.csv",
    ] {
        assert_eq!(read(&single.join(file)), read(&merged.join(file)), "{file}");
    }
    // Shards draw no charts; the merge draws exactly the single run's.
    assert!(chart_files(&shards.join("small")).is_empty());
    assert!(!shards.join("small/report.html").exists());
    assert_same_report(&single.join("small"), &merged.join("small"));
    // `merge --no-charts` writes the CSV files only.
    let bare = tmp.path().join("bare");
    trainsim()
        .arg("merge")
        .arg(&shards)
        .args(["--no-charts", "--out"])
        .arg(&bare)
        .assert()
        .success();
    assert!(bare.join("small/summary.csv").is_file());
    assert!(!bare.join("small/charts").exists() && !bare.join("small/report.html").exists());
}

/// Issue 12: a sweep too large to hold keeps only its digest and resolves each window's
/// points again; the files are byte for byte those of the same scenario with its points
/// held, a point spanning two windows included (2 × 40,000 trials > 65,536 a window).
#[test]
fn released_points_give_the_bytes_of_held_points() {
    use trainsim::run::{run_scenario, write_report, Ran, RunOptions};
    let text = SMALL.replace("trials = 300", "trials = 40000");
    let held = load_str(
        &text,
        "s.toml",
        None,
        Some("small"),
        &Catalog::builtin(),
        &Overrides::default(),
    )
    .unwrap();
    assert!(held.holds_points());
    let mut released = held.clone();
    released.release_points();
    assert!(!released.holds_points() && released.points.is_empty());
    assert_eq!(released.len(), 2);
    let tmp = tempfile::tempdir().unwrap();
    let run = |s: &trainsim::scenario::Scenario, out: &Path| {
        let opts = RunOptions {
            out,
            shard: None,
            trials_csv: true,
            batch_index: 0,
            progress: &|_| {},
        };
        let Ran::Whole(o) = run_scenario(s, &opts).unwrap() else {
            panic!("a whole run")
        };
        write_report(&o).unwrap();
    };
    let (a, b) = (tmp.path().join("held"), tmp.path().join("released"));
    run(&held, &a);
    run(&released, &b);
    for file in ["summary.csv", "sensitivity.csv", "trials.csv"] {
        let (x, y) = (
            read(&a.join("small").join(file)),
            read(&b.join("small").join(file)),
        );
        assert!(x == y, "{file} differs");
    }
    assert_same_report(&a.join("small"), &b.join("small"));
}

/// A sweep of more than `HOLD_POINTS` points is validated whole but not held; its points
/// resolve again to the same inputs, and the digest counts every point.
#[test]
fn a_sweep_beyond_hold_points_is_not_held() {
    use trainsim::scenario::HOLD_POINTS;
    let counts: Vec<String> = (1..=65).map(|i| (i * 8).to_string()).collect();
    let prices: Vec<String> = (0..64)
        .map(|i| format!("{}", 2.0 + i as f64 / 100.0))
        .collect();
    let text = format!(
        "model = \"llama3.1-8b\"\ntrain_tokens = 1e11\n[fleet]\ngpu = \"h100\"\ncount = 64\n\
         [uncertainty]\ntrials = 1\n[sweep]\n\"fleet.count\" = [{}]\n\"cost.usd_per_gpu_hour\" = [{}]\n",
        counts.join(", "),
        prices.join(", ")
    );
    let s = load_str(
        &text,
        "big.toml",
        None,
        Some("big"),
        &Catalog::builtin(),
        &Overrides::default(),
    )
    .unwrap();
    assert!(s.len() > HOLD_POINTS);
    assert_eq!(s.len(), 65 * 64);
    assert!(s.points.is_empty() && !s.holds_points());
    assert_eq!(s.digest.trials.len(), s.len());
    let again = s.points_at(&[0, s.len() - 1]).unwrap();
    assert_eq!(again[0].inputs, ["8", "2"]);
    assert_eq!(again[1].inputs, ["520", "2.63"]);
    assert_eq!(again[1].index, s.len() - 1);
}

/// The chart kind of a chart file stem, and its title when fixed (the heatmap's names its
/// inputs).
fn chart_kind(stem: &str) -> (&'static str, Option<&'static str>) {
    match stem {
        "train_days_by_fleet" => ("bars", Some("Time to train by fleet")),
        "cost_usd_by_fleet" => ("bars", Some("Training cost by fleet")),
        "train_days_cdf_by_fleet" => ("cdf", Some("Distribution of time to train across trials")),
        "train_days_vs_gpus" => ("sweep", Some("Time to train against fleet size")),
        // One tornado per fleet (issue 12), titled by the fleet.
        t if t.starts_with("train_days_sensitivity_tornado")
            || t.starts_with("cost_usd_sensitivity_tornado") =>
        {
            ("tornado", None)
        }
        "cost_usd_breakdown_by_fleet" => ("breakdown", Some("Where the money goes, by fleet")),
        "train_days_p50_heatmap" => ("heatmap", None),
        other => panic!("unexpected chart file {other}"),
    }
}

/// `trainsim run` with no file leaves charts (PNG and SVG, at least four kinds) and a
/// well-formed report.html that inlines every chart with its title; the terminal names the
/// report. (`--no-charts`: [`the_default_scenario_runs`].)
#[test]
fn the_default_run_writes_charts_and_a_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let a = trainsim()
        .args(["run", "--trials", "30", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    // The default scenario's folder, whatever its name.
    let dirs: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(dirs.len(), 1, "{dirs:?}");
    let dir = &dirs[0];
    let report = dir.join("report.html");
    let stdout = String::from_utf8_lossy(&a.stdout);
    assert!(
        stdout.contains(&format!("report: {}", report.display())),
        "{stdout}"
    );
    let html = String::from_utf8(read(&report)).unwrap();
    crate::report::check_html(&html).unwrap_or_else(|e| panic!("invalid HTML: {e}"));
    let files = chart_files(dir);
    let mut kinds = std::collections::BTreeSet::new();
    let mut svgs = 0;
    for f in &files {
        let stem = f.file_stem().unwrap().to_string_lossy().into_owned();
        let (kind, title) = chart_kind(&stem);
        kinds.insert(kind);
        let bytes = read(f);
        match f.extension().and_then(|x| x.to_str()) {
            Some("png") => {
                assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", f.display());
                assert!(
                    bytes.len() > 10_000,
                    "{}: {} bytes",
                    f.display(),
                    bytes.len()
                );
                assert!(f.with_extension("svg").is_file(), "{}", f.display());
            }
            Some("svg") => {
                svgs += 1;
                assert!(
                    bytes.len() > 5_000,
                    "{}: {} bytes",
                    f.display(),
                    bytes.len()
                );
                assert!(f.with_extension("png").is_file(), "{}", f.display());
                let svg = String::from_utf8(bytes).unwrap();
                let start = svg.find("<svg").unwrap();
                let end = svg.rfind("</svg>").unwrap() + "</svg>".len();
                assert!(html.contains(&svg[start..end]), "{stem} is not inlined");
                let figure = format!("<figure id=\"chart-{stem}\">\n<figcaption>");
                let at = html
                    .find(&figure)
                    .unwrap_or_else(|| panic!("no figure for {stem}"));
                let caption = &html[at + figure.len()..];
                let caption = &caption[..caption.find("</figcaption>").unwrap()];
                assert!(!caption.is_empty(), "{stem} has no title");
                if let Some(t) = title {
                    assert_eq!(caption, t, "{stem}");
                }
                assert!(html.contains(&format!("charts/{stem}.png")));
            }
            _ => panic!("unexpected file {}", f.display()),
        }
    }
    assert!(kinds.len() >= 4, "{kinds:?}");
    assert_eq!(html.matches("<svg").count(), svgs);
    for section in [
        "Inputs and assumptions",
        "What this model does not capture",
        "MoE routing skew",
    ] {
        assert!(html.contains(section), "{section}");
    }
    // Nothing half-written is left behind.
    let tmp_files: Vec<PathBuf> = [dir.clone(), dir.join("charts")]
        .iter()
        .flat_map(|d| std::fs::read_dir(d).unwrap().map(|e| e.unwrap().path()))
        .filter(|p| p.file_name().unwrap().to_string_lossy().contains(".tmp"))
        .collect();
    assert!(tmp_files.is_empty(), "{tmp_files:?}");
}

/// A chart that cannot be written loses no CSV file: the run reports it and exits 1.
#[test]
fn a_chart_error_keeps_the_csv_files_and_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let f = write_scenario(
        tmp.path(),
        "small.toml",
        &SMALL.replace("trials = 300", "trials = 20"),
    );
    let out = tmp.path().join("out");
    // A file where the charts folder should be.
    std::fs::create_dir_all(out.join("small")).unwrap();
    std::fs::write(out.join("small/charts"), "in the way").unwrap();
    let a = trainsim()
        .arg("run")
        .arg(&f)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(a.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&a.stderr);
    assert!(
        stderr.contains("cannot draw the charts of `small`") && !stderr.contains("panicked"),
        "{stderr}"
    );
    assert!(out.join("small/summary.csv").is_file());
    assert!(out.join("small/sensitivity.csv").is_file());
    assert!(out.join("summary.csv").is_file());
    assert!(!out.join("small/report.html").exists());
}

/// A distribution with min = mode = max is that constant: every trial, and so every
/// percentile, equals the deterministic `trainsim estimate`.
#[test]
fn degenerate_distributions_reproduce_the_estimate() {
    let tmp = tempfile::tempdir().unwrap();
    let scen = r#"
name = "degenerate"
model = "llama3.1-8b"
train_tokens = { dist = "uniform", min = 1e12, max = 1e12 }
model_error = 1
[fleet]
gpu = "h100-sxm-80gb"
count = 64
[cost]
usd_per_gpu_hour = { dist = "triangular", min = 2.5, mode = 2.5, max = 2.5 }
[efficiency]
matmul_scale = { dist = "pert", min = 1.0, mode = 1.0, max = 1.0 }
[energy]
pue = { dist = "normal", mean = 1.25, sd = 0.0 }
[uncertainty]
trials = 25
"#;
    let f = write_scenario(tmp.path(), "d.toml", scen);
    trainsim()
        .arg("run")
        .arg(&f)
        .arg("--out")
        .arg(tmp.path())
        .assert()
        .success();
    let mut rdr = csv::Reader::from_path(tmp.path().join("degenerate/summary.csv")).unwrap();
    let header = rdr.headers().unwrap().clone();
    let row = rdr.records().next().unwrap().unwrap();
    let get = |k: &str| -> f64 {
        row[header.iter().position(|h| h == k).unwrap()]
            .parse()
            .unwrap()
    };
    let est = trainsim()
        .args([
            "estimate",
            "--model",
            "llama3.1-8b",
            "--gpu",
            "h100-sxm-80gb",
            "--gpus",
            "64",
            "--tokens",
            "1e12",
        ])
        .args(["--usd-per-gpu-hour", "2.5", "--format", "json"])
        .output()
        .unwrap();
    assert!(est.status.success());
    let e: serde_json::Value = serde_json::from_slice(&est.stdout).unwrap();
    assert_eq!(get("trials"), 25.0);
    for m in ["train_days", "gpu_hours", "cost_usd", "energy_mwh", "mfu"] {
        let want = e[m].as_f64().unwrap();
        for q in ["p5", "p50", "p95", "mean"] {
            let got = get(&format!("{m}_{q}"));
            assert!(
                ((got - want) / want).abs() <= 1e-12,
                "{m}_{q}: {got} vs estimate {want}"
            );
        }
    }
    assert_eq!(get("plan_share"), 1.0);
    // No uncertain input: nothing to swing.
    let sens = std::fs::read_to_string(tmp.path().join("degenerate/sensitivity.csv")).unwrap();
    assert_eq!(sens.lines().count(), 1);
}

/// `trainsim run` with no file runs the built-in frontier-class scenario; `--no-charts`
/// leaves no charts and no report.html.
#[test]
fn the_default_scenario_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let a = trainsim()
        .args(["run", "--trials", "20", "--no-charts", "--out"])
        .arg(tmp.path())
        .output()
        .unwrap();
    for dir in std::fs::read_dir(tmp.path()).unwrap() {
        let dir = dir.unwrap().path();
        assert!(!dir.join("charts").exists(), "charts in {}", dir.display());
        assert!(!dir.join("report.html").exists());
    }
    assert!(!String::from_utf8_lossy(&a.stdout).contains("report:"));
    assert!(a.status.success(), "{}", String::from_utf8_lossy(&a.stderr));
    let summary =
        std::fs::read_to_string(tmp.path().join("frontier-deepseek-v3/summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 1 + 8);
    for gpu in ["h100-sxm-80gb", "h800-sxm-80gb", "h20", "a100-sxm-80gb"] {
        assert!(summary.contains(gpu), "{gpu}");
    }
    let stdout = String::from_utf8_lossy(&a.stdout);
    assert!(
        stdout.contains("frontier-deepseek-v3: 8 point(s)"),
        "{stdout}"
    );
}

/// Every scenario in scenarios/ loads.
#[test]
fn example_scenarios_load() {
    let c = Catalog::builtin();
    for e in std::fs::read_dir(root().join("scenarios")).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "toml") {
            load(&p, &c, &Overrides::default()).unwrap_or_else(|e| panic!("{e}"));
        }
    }
}

/// A random valid distribution with every location parameter scaled by `scale` (mfu:
/// 1, inside (0, 1]; price: 10).
fn dist_strategy(scale: f64) -> impl Strategy<Value = String> {
    prop_oneof![
        (0.05f64..0.5, 0.0f64..1.0, 0.0f64..0.45).prop_map(move |(lo, t, w)| {
            let hi = lo + w + 0.01;
            let mode = lo + t * (hi - lo);
            format!(
                "{{ dist = \"triangular\", min = {}, mode = {}, max = {} }}",
                lo * scale,
                mode * scale,
                hi * scale
            )
        }),
        (0.05f64..0.5, 0.0f64..1.0, 0.0f64..0.45).prop_map(move |(lo, t, w)| {
            let hi = lo + w + 0.01;
            let mode = lo + t * (hi - lo);
            format!(
                "{{ dist = \"pert\", min = {}, mode = {}, max = {} }}",
                lo * scale,
                mode * scale,
                hi * scale
            )
        }),
        (0.05f64..0.5, 0.01f64..0.45).prop_map(move |(lo, w)| format!(
            "{{ dist = \"uniform\", min = {}, max = {} }}",
            lo * scale,
            (lo + w) * scale
        )),
        (0.3f64..0.6, 0.0f64..0.05).prop_map(move |(m, sd)| format!(
            "{{ dist = \"normal\", mean = {}, sd = {} }}",
            m * scale,
            sd * scale
        )),
        (0.3f64..0.6, 0.0f64..0.08).prop_map(move |(m, s)| format!(
            "{{ dist = \"lognormal\", median = {}, sigma = {s} }}",
            m * scale
        )),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// p5 ≤ p50 ≤ p95 for every metric, whatever the distributions.
    #[test]
    fn percentiles_are_ordered_for_random_distributions(mfu in dist_strategy(1.0), price in dist_strategy(10.0), seed in 0u64..1000) {
        let src = format!(
            "model = {{ name = \"t\", layers = 4, d_model = 512, heads = 8, vocab = 1000, seq_len = 512 }}\n\
             train_tokens = 1e9\n[fleet]\ngpu = \"a100-sxm-80gb\"\ncount = 8\n\
             [cost]\nusd_per_gpu_hour = {price}\n[efficiency]\nmfu = {mfu}\n[uncertainty]\nseed = {seed}\n"
        );
        let s = load_str(&src, "p.toml", None, Some("p"), &Catalog::builtin(), &Overrides::default())
            .map_err(|e| TestCaseError::fail(format!("{e}\n{src}")))?;
        let prep = prepare(&s.points[0]);
        let mut trials = Vec::new();
        run_trials(&prep, 0, 64, &mut trials);
        let sum = summarize_trials(&trials);
        for m in sum.metrics.iter().flatten() {
            prop_assert!(m.p5 <= m.p50 && m.p50 <= m.p95, "{m:?}");
        }
        prop_assert!(sum.metrics.iter().all(Option::is_some));
    }

    /// Arbitrary text never panics the loader.
    #[test]
    fn arbitrary_text_never_panics_the_loader(text in "\\PC{0,200}") {
        let _ = load_str(&text, "fuzz.toml", None, Some("fuzz"), &Catalog::builtin(), &Overrides::default());
    }

    /// Nor do valid scenarios with random text spliced in (reaches deeper than random text).
    #[test]
    fn spliced_scenarios_never_panic_the_loader(at in 0usize..400, cut in 0usize..20, junk in "[\\[\\]{}=\",.a-z0-9 \\n-]{0,30}") {
        let base = SMALL.as_bytes();
        let at = at.min(base.len());
        let end = (at + cut).min(base.len());
        let mut bytes = base[..at].to_vec();
        bytes.extend_from_slice(junk.as_bytes());
        bytes.extend_from_slice(&base[end..]);
        let text = String::from_utf8_lossy(&bytes);
        let _ = load_str(&text, "fuzz.toml", None, Some("fuzz"), &Catalog::builtin(), &Overrides::default());
    }

    /// Arbitrary bytes in a file never panic the loader.
    #[test]
    fn arbitrary_bytes_never_panic_the_loader(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), &bytes).unwrap();
        let _ = load(tmp.path(), &Catalog::builtin(), &Overrides::default());
    }
}
