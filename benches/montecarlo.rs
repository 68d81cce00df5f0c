//! Monte Carlo speed (issue 4 targets, 2 cores): 100,000 trials of one point in under 1 s,
//! and a 1,000-point sweep × 1,000 trials in under 30 s (peak memory is measured outside
//! divan, with `/usr/bin/time -v trainsim run`, see the README).
//!
//! Each benchmark runs the whole `run` path of the library: plan search, trials on rayon,
//! summaries, tornado and the CSV files (into a temporary folder). The scenarios are the
//! files in `benches/scenarios/`, also used for the peak-memory measurement.
//!
//! `cargo bench --bench bench_main -- montecarlo`

use divan::Bencher;
use trainsim::catalog::Catalog;
use trainsim::montecarlo::{prepare, run_trials};
use trainsim::run::{run_scenario, RunOptions};
use trainsim::scenario::{load_str, Overrides, Scenario};

/// DeepSeek-V3 on 2,048 H800 with thirteen uncertain inputs, 100,000 trials.
const ONE_POINT: &str = include_str!("scenarios/one_point_100k.toml");
/// Llama 3.1 70B on H100: 10 fleet sizes × 10 server overheads × 10 PUEs, 1,000 trials
/// each; ten distinct plan searches.
const SWEEP_SHARED: &str = include_str!("scenarios/sweep_1000x1000.toml");
/// The same, 100 fleet sizes × 10 GEMM scales: a thousand distinct plan searches.
const SWEEP_DISTINCT: &str = include_str!("scenarios/sweep_1000x1000_distinct.toml");

fn scenario(text: &str) -> Scenario {
    load_str(
        text,
        "bench.toml",
        None,
        Some("bench"),
        &Catalog::builtin(),
        &Overrides::default(),
    )
    .expect("bench scenario is valid")
}

fn run_whole(s: &Scenario) {
    let out = tempfile::tempdir().expect("temp dir");
    let opts = RunOptions {
        out: out.path(),
        shard: None,
        trials_csv: false,
        batch_index: 0,
        progress: &|_| {},
    };
    run_scenario(s, &opts).expect("run");
}

/// 100,000 trials of one point, end to end (target < 1 s on 2 cores).
#[divan::bench(sample_count = 5, sample_size = 1)]
fn one_point_100k_trials(b: Bencher) {
    let s = scenario(ONE_POINT);
    b.counter(divan::counter::ItemsCount::new(100_000usize))
        .bench(|| run_whole(divan::black_box(&s)));
}

/// The trial loop alone: 10,000 trials of the same point on one thread.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn trial_loop_10k_one_thread(b: Bencher) {
    let s = scenario(ONE_POINT);
    let prep = prepare(&s.points[0]);
    b.counter(divan::counter::ItemsCount::new(10_000usize))
        .bench(|| {
            let mut out = Vec::new();
            run_trials(divan::black_box(&prep), 0, 10_000, &mut out);
            out
        });
}

/// 1,000 points × 1,000 trials where points share ten plan searches (target < 30 s).
#[divan::bench(sample_count = 2, sample_size = 1)]
fn sweep_1000_points_1000_trials(b: Bencher) {
    let s = scenario(SWEEP_SHARED);
    assert_eq!(s.points.len(), 1000);
    b.counter(divan::counter::ItemsCount::new(1_000_000usize))
        .bench(|| run_whole(divan::black_box(&s)));
}

/// 1,000 points × 1,000 trials, every point its own plan search (the worst case).
#[divan::bench(sample_count = 1, sample_size = 1)]
fn sweep_1000_distinct_points_1000_trials(b: Bencher) {
    let s = scenario(SWEEP_DISTINCT);
    assert_eq!(s.points.len(), 1000);
    b.counter(divan::counter::ItemsCount::new(1_000_000usize))
        .bench(|| run_whole(divan::black_box(&s)));
}
