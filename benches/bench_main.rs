//! Benchmarks (divan). Run all: `cargo bench --bench bench_main`; one topic:
//! `cargo bench --bench bench_main -- search`.

mod montecarlo;
mod search;
mod timeline;

fn main() {
    divan::main();
}
