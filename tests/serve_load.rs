//! Load test of `trainsim serve` (issue 13), ignored by default since its figures only mean
//! something in a release build:
//!
//! ```text
//! cargo test --release --test main serve_load -- --ignored --nocapture
//! ```
//! A burst of 1,000 mixed requests (good and bad API calls, pages, fragments, scenario files)
//! from 8 client threads against loopback. Every answer must be a 200 or, for bad input, a
//! 400 (nothing else); prints p50/p99/max latency and the counts. In a release build, p99
//! must be under 100 ms.

use std::time::{Duration, Instant};

use crate::serve::{get, Server};

const REQUESTS: usize = 1000;
const CLIENTS: usize = 8;

/// Request `i` of the burst and the status it must get.
fn request(i: usize) -> (String, u16) {
    let models = ["llama3.1-8b", "llama2-7b", "llama3.1-70b"];
    let gpus = ["h100", "h800", "h20", "a100"];
    let counts = ["256", "1024"];
    let (m, g, n) = (models[i % 3], gpus[i / 3 % 4], counts[i / 12 % 2]);
    let q = format!("model={m}&gpu={g}&gpus={n}&tokens=1e12");
    match i % 10 {
        0..=3 => (format!("/api/estimate?{q}"), 200),
        4 => (format!("/fragment?{q}&pin=h20"), 200),
        5 => (
            format!("/api/classify?rule={}", ["oct-2023", "oct-2022"][i % 2]),
            200,
        ),
        6 => (format!("/scenario.toml?{q}"), 200),
        7 => (format!("/api/estimate?{q}&gpu=h2{}", i % 7), 400),
        8 => (
            format!(
                "/api/estimate?model={m}&gpu={g}&gpus=1e{}&tokens=1e12",
                8 + i % 20
            ),
            400,
        ),
        _ => (format!("/api/plan?{q}&top=3&tp=x{i}"), 400),
    }
}

#[test]
#[ignore = "load test: cargo test --release --test main serve_load -- --ignored --nocapture"]
fn serve_load_1000_mixed_requests() {
    let server = Server::start();
    let addr = server.addr.clone();
    let start = Instant::now();
    let handles: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                (c..REQUESTS)
                    .step_by(CLIENTS)
                    .map(|i| {
                        let (path, want) = request(i);
                        let t = Instant::now();
                        let (got, _) = get(&addr, &path);
                        (want, got, t.elapsed(), path)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let results: Vec<(u16, u16, Duration, String)> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    let wall = start.elapsed();
    let mut lat: Vec<Duration> = results.iter().map(|r| r.2).collect();
    lat.sort();
    let pct = |p: usize| lat[(lat.len() * p / 100).min(lat.len() - 1)];
    let ok = results.iter().filter(|r| r.1 == 200).count();
    let bad = results.iter().filter(|r| r.1 == 400).count();
    let wrong: Vec<_> = results.iter().filter(|r| r.0 != r.1).collect();
    // The first ask of each question runs a search; repeats come from the answer cache.
    let mut seen = std::collections::HashSet::new();
    let mut first: Vec<Duration> = Vec::new();
    let mut repeat: Vec<Duration> = Vec::new();
    for r in &results {
        if seen.insert(r.3.clone()) {
            first.push(r.2);
        } else {
            repeat.push(r.2);
        }
    }
    repeat.sort();
    first.sort();
    eprintln!(
        "serve load: {} distinct requests (first asks: max {:.1} ms), {} repeats (p99 {:.1} ms)",
        first.len(),
        first.last().map_or(0.0, |d| d.as_secs_f64() * 1e3),
        repeat.len(),
        repeat
            .get(repeat.len() * 99 / 100)
            .map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
    eprintln!(
        "serve load: {REQUESTS} requests, {CLIENTS} clients, {:.2} s wall; 200: {ok}, 400: {bad}, other or unexpected: {}; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        wall.as_secs_f64(),
        wrong.len(),
        pct(50).as_secs_f64() * 1e3,
        pct(99).as_secs_f64() * 1e3,
        lat.last().unwrap().as_secs_f64() * 1e3
    );
    assert!(
        wrong.is_empty(),
        "unexpected statuses: {:?}",
        &wrong[..wrong.len().min(5)]
    );
    for kind in ["/api/", "/fragment", "/scenario.toml"] {
        let mut l: Vec<Duration> = results
            .iter()
            .filter(|r| r.3.starts_with(kind))
            .map(|r| r.2)
            .collect();
        l.sort();
        eprintln!(
            "serve load: {kind}: {} requests, p99 {:.1} ms",
            l.len(),
            l.get(l.len() * 99 / 100)
                .map_or(0.0, |d| d.as_secs_f64() * 1e3)
        );
    }
    if !cfg!(debug_assertions) {
        assert!(pct(99) < Duration::from_millis(100), "p99 {:?}", pct(99));
    }
}
