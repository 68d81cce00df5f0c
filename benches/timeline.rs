//! Timeline speed (issue 10 target, 2 cores): 72 months × 2 actors × 1,000 trials × 8
//! counterfactuals in under 10 s and 500 MB. `whole` is the full path: plan searches on
//! the count grid, trials, summaries and the CSV files. Peak memory is measured outside
//! divan with `/usr/bin/time -v trainsim timeline benches/scenarios/timeline_72x2x1000x8.toml`.
//!
//! `cargo bench --bench bench_main -- timeline`

use divan::Bencher;
use trainsim::catalog::Catalog;
use trainsim::timeline::{load_str, output, simulate};

const BENCH: &str = include_str!("scenarios/timeline_72x2x1000x8.toml");

#[divan::bench(sample_count = 3)]
fn whole(b: Bencher) {
    let tl = load_str(BENCH, "bench.toml", "bench", &Catalog::builtin()).unwrap();
    assert_eq!((tl.months(), tl.variants.len(), tl.trials), (72, 9, 1000));
    let dir = tempfile::tempdir().unwrap();
    b.bench(|| {
        let o = simulate(&tl);
        let s = output::summarize(&tl, &o);
        output::write_all(&tl, &s, dir.path(), false).unwrap();
    });
}
