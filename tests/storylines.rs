//! Every scenario shipped in `scenarios/` loads and runs (small trial counts), and each
//! answers with at least one feasible sweep point.

use std::path::PathBuf;

use crate::cli::trainsim;

fn scenario_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_scenario_runs_and_answers() {
    let files = scenario_files();
    assert!(files.len() >= 7, "the storylines are missing: {files:?}");
    let out = tempfile::tempdir().unwrap();
    let o = trainsim()
        .arg("run")
        .args(&files)
        .args(["--trials", "16", "--no-charts", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // One folder per scenario, each summary with a feasible row (a p50 time).
    let combined = std::fs::read_to_string(out.path().join("summary.csv")).unwrap();
    let mut rdr = csv::Reader::from_reader(combined.as_bytes());
    let header = rdr.headers().unwrap().clone();
    let scen = header.iter().position(|h| h == "scenario").unwrap();
    let days = header.iter().position(|h| h == "train_days_p50").unwrap();
    let mut answered = std::collections::BTreeSet::new();
    for r in rdr.records() {
        let r = r.unwrap();
        if r[days].parse::<f64>().is_ok_and(|d| d > 0.0) {
            answered.insert(r[scen].to_string());
        }
    }
    assert_eq!(
        answered.len(),
        files.len(),
        "scenarios without a feasible answer: {answered:?}"
    );
}
