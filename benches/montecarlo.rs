//! Monte Carlo speed (issue 4 targets, 2 cores): 100,000 trials of one point in under 1 s,
//! and a 1,000-point sweep × 1,000 trials in under 30 s (peak memory is measured outside
//! divan, with `/usr/bin/time -v trainsim run`, see the README).
//!
//! Each `run` benchmark runs the whole `run` path of the library: plan search, trials on
//! rayon, summaries, tornado and the CSV files (into a temporary folder); two more time
//! loading the 100,000-point sweep and resolving its points again window by window. The scenarios are the
//! files in `benches/scenarios/`, also used for the peak-memory measurement.
//!
//! `cargo bench --bench bench_main -- montecarlo`

use divan::Bencher;
use trainsim::catalog::Catalog;
use trainsim::montecarlo::{prepare, run_trials};
use trainsim::run::runner::WINDOW_UNITS;
use trainsim::run::{run_scenario, RunOptions};
use trainsim::scenario::{load_str, Overrides, Scenario};

/// DeepSeek-V3 on 2,048 H800 with thirteen uncertain inputs, 100,000 trials.
const ONE_POINT: &str = include_str!("scenarios/one_point_100k.toml");
/// Llama 3.1 70B on H100: 10 fleet sizes × 10 server overheads × 10 PUEs, 1,000 trials
/// each; ten distinct plan searches.
const SWEEP_SHARED: &str = include_str!("scenarios/sweep_1000x1000.toml");
/// The same, 100 fleet sizes × 10 GEMM scales: a thousand distinct plan searches.
const SWEEP_DISTINCT: &str = include_str!("scenarios/sweep_1000x1000_distinct.toml");
/// The largest sweep (issue 12): 100,000 one-trial points sharing ten plan searches.
const SWEEP_100K: &str = include_str!("scenarios/sweep_100k_points.toml");
/// Points a window of the runner resolves at a time: one unit per one-trial point.
const WINDOW_POINTS: usize = WINDOW_UNITS;

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

/// Loading the 100,000-point sweep: every point resolved once to validate the file and
/// gather its digest; none is held (more than `scenario::HOLD_POINTS`).
#[divan::bench(sample_count = 2, sample_size = 1)]
fn load_100k_points(b: Bencher) {
    b.counter(divan::counter::ItemsCount::new(100_000usize))
        .bench(|| {
            let s = scenario(divan::black_box(SWEEP_100K));
            assert!(!s.holds_points());
            s
        });
}

/// Resolving the 100,000 points again, a runner window at a time, as `run` does.
#[divan::bench(sample_count = 2, sample_size = 1)]
fn resolve_100k_points_in_windows(b: Bencher) {
    let s = scenario(SWEEP_100K);
    assert_eq!(s.len(), 100_000);
    b.counter(divan::counter::ItemsCount::new(100_000usize))
        .bench(|| {
            let mut n = 0;
            for start in (0..s.len()).step_by(WINDOW_POINTS) {
                let idx: Vec<usize> = (start..s.len().min(start + WINDOW_POINTS)).collect();
                n += divan::black_box(s.points_at(&idx).expect("valid")).len();
            }
            n
        });
}
