//! Running one scenario ([`run_scenario`]): work units in windows of about
//! [`WINDOW_TRIALS`] trials and at most [`WINDOW_UNITS`] units. A window's points are
//! prepared (each distinct plan search once, in parallel; searches are kept across windows)
//! and its units run in parallel; results are consumed in unit order, so at most one window
//! and one point's trials are held. A sweep of more than `scenario::HOLD_POINTS` points
//! holds no resolved points: each window resolves its own again
//! ([`Scenario::points_at`]). Results go into a [`Summarizer`] (whole run) or a shard's
//! partial files. Also the files after a run: the combined summary of a batch
//! ([`write_combined`]) and the charts and report ([`write_report`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use rayon::prelude::*;

use super::export::summary::{write_combined_csv, CombinedPart};
use super::export::AtomicFile;
use super::labels::ReportMeta;
use super::layout::{Layout, Shard, CHUNK_TRIALS};
use super::record::{point_record, UnitResult};
use super::shard::{Manifest, PartialWriter, ShardOutcome, SHARD_FORMAT};
use super::summarize::{ScenarioOutcome, Summarizer};
use crate::estimate::{plan_search, Question};
use crate::montecarlo::{prepare_from, run_trials, searches, Point, Prepared};
use crate::parallel::SearchResult;
use crate::report::{draw_all, render_report, write_atomic, ChartFile};
use crate::scenario::Scenario;

/// Trials per window of parallel work.
pub const WINDOW_TRIALS: u64 = 65_536;
/// Most work units per window: a sweep of one-trial points would otherwise hold 65,536
/// prepared points and their records at once (issue 12: 100,000 points under 500 MB).
pub const WINDOW_UNITS: usize = 2048;
/// Search results kept for reuse before the cache is emptied.
const MAX_CACHED_SEARCHES: usize = 4096;

/// Options of one scenario run.
pub struct RunOptions<'a> {
    /// Output folder.
    pub out: &'a Path,
    /// The share to run (`None`: all, writing the final files).
    pub shard: Option<Shard>,
    /// Write trials.csv.
    pub trials_csv: bool,
    /// Order of the scenario in its batch (kept in shard manifests for the combined summary).
    pub batch_index: usize,
    /// Called with the number of trials each finished unit ran (from worker threads).
    pub progress: &'a (dyn Fn(u64) + Sync),
}

/// What running a scenario produced.
#[derive(Debug, Clone)]
pub enum Ran {
    /// The final files.
    Whole(ScenarioOutcome),
    /// A shard's partial files.
    Shard(ShardOutcome),
}

enum Sink {
    Whole(Box<Summarizer>),
    Shard(Box<PartialWriter>),
}

/// The sink of a run: the final files, or a shard's partial files.
fn sink(s: &Scenario, opts: &RunOptions, total_units: u64) -> anyhow::Result<Sink> {
    let Some(sh) = opts.shard else {
        return Ok(Sink::Whole(Box::new(Summarizer::new(
            &s.name,
            opts.out,
            s.len(),
            &s.sweep_paths,
            opts.trials_csv,
            opts.batch_index,
            ReportMeta::of(s),
        )?)));
    };
    let dir = opts
        .out
        .join(&s.name)
        .join(format!("shard-{}-of-{}", sh.index, sh.count));
    let manifest = Manifest {
        format: SHARD_FORMAT.into(),
        scenario: s.name.clone(),
        file: s.file.clone(),
        fingerprint: format!("{:016x}", s.fingerprint),
        batch_index: opts.batch_index,
        shard: sh.index,
        shards: sh.count,
        chunk_trials: CHUNK_TRIALS,
        points: s.len(),
        units: total_units,
        sweep_paths: s.sweep_paths.clone(),
        trials_csv: opts.trials_csv,
        version: env!("CARGO_PKG_VERSION").into(),
        report: ReportMeta::of(s),
    };
    Ok(Sink::Shard(Box::new(PartialWriter::create(dir, manifest)?)))
}

/// Run one scenario (or a share of it) and write its files.
pub fn run_scenario(s: &Scenario, opts: &RunOptions) -> anyhow::Result<Ran> {
    let layout = Layout::of(s.digest.trials.clone());
    let total = layout.total();
    let mut sink = sink(s, opts, total)?;
    let (step, mut u) = match opts.shard {
        None => (1, 0),
        Some(sh) => (sh.count, sh.index - 1),
    };
    let mut searches_done: HashMap<String, SearchResult> = HashMap::new();
    while u < total {
        let mut window: Vec<(u64, usize, u64, u64, u64)> = Vec::new();
        let mut load = 0;
        while u < total && load < WINDOW_TRIALS && window.len() < WINDOW_UNITS {
            let (p, chunk, first, count) = layout.locate(u);
            window.push((u, p, chunk, first, count));
            load += count.max(1);
            u += step;
        }
        let mut indices: Vec<usize> = window.iter().map(|w| w.1).collect();
        indices.dedup();
        // A sweep too large to hold resolves the window's points again (`Scenario::points`).
        let resolved = if s.holds_points() {
            Vec::new()
        } else {
            s.points_at(&indices)?
        };
        let points: Vec<&Point> = if s.holds_points() {
            indices.iter().map(|&p| &s.points[p]).collect()
        } else {
            resolved.iter().collect()
        };
        let cache = prepare_window(&indices, &points, &mut searches_done);
        let results: Vec<UnitResult> = window
            .par_iter()
            .map(|&(_, p, chunk, first, count)| {
                let prep = &cache[&p];
                let mut trials = Vec::new();
                let first_reason = if prep.infeasible.is_none() {
                    run_trials(prep, first, count, &mut trials)
                } else {
                    None
                };
                let record = (chunk == 0).then(|| point_record(prep, &s.sweep_paths));
                (opts.progress)(count);
                UnitResult {
                    point: p,
                    first,
                    trials,
                    first_reason,
                    record,
                }
            })
            .collect();
        drop(cache);
        drop(resolved);
        for (w, r) in window.iter().zip(results) {
            match &mut sink {
                Sink::Whole(sm) => sm.consume(r)?,
                Sink::Shard(pw) => pw.consume(w.0, r)?,
            }
        }
    }
    match sink {
        Sink::Whole(sm) => Ok(Ran::Whole(sm.finish()?)),
        Sink::Shard(pw) => Ok(Ran::Shard(pw.finish(&s.name)?)),
    }
}

/// Plan each distinct question of a window's points once (sweeps over prices share one
/// search; pools, reference and H100 fleets of the same chip and size too; searches are
/// kept across windows), then prepare the points (`indices[i]` is `points[i]`).
fn prepare_window<'a>(
    indices: &[usize],
    points: &[&'a Point],
    searches_done: &mut HashMap<String, SearchResult>,
) -> HashMap<usize, Prepared<'a>> {
    if searches_done.len() > MAX_CACHED_SEARCHES {
        searches_done.clear();
    }
    // Each search keeps its own point's top_k (the key includes it): a sweep over
    // `uncertainty.top_k` must not reuse the first point's (issue 12).
    let mut todo: Vec<(String, &Question, usize)> = Vec::new();
    for p in points {
        for (k, q) in searches(p) {
            if !searches_done.contains_key(&k) && !todo.iter().any(|(t, ..)| *t == k) {
                todo.push((k, q, p.top_k));
            }
        }
    }
    let found: Vec<SearchResult> = todo
        .par_iter()
        .map(|&(_, q, top_k)| plan_search(q, top_k))
        .collect();
    for ((k, ..), f) in todo.into_iter().zip(found) {
        searches_done.insert(k, f);
    }
    indices
        .iter()
        .zip(points)
        .map(|(&i, p)| (i, prepare_from(p, searches_done)))
        .collect()
}

/// Write the combined `<out>/summary.csv` of a batch, scenarios in batch order.
pub fn write_combined(out: &Path, outcomes: &[ScenarioOutcome]) -> anyhow::Result<PathBuf> {
    let mut sorted: Vec<&ScenarioOutcome> = outcomes.iter().collect();
    sorted.sort_by(|a, b| (a.batch_index, &a.name).cmp(&(b.batch_index, &b.name)));
    let parts = sorted.iter().map(|s| CombinedPart {
        scenario: &s.name,
        sweep_paths: &s.sweep_paths,
        rows: s.points.iter().map(|p| &p.row),
    });
    let path = out.join("summary.csv");
    let write = || -> anyhow::Result<()> {
        let f = AtomicFile::create(&path)?;
        write_combined_csv(f, parts)?.finish()?;
        Ok(())
    };
    write().with_context(|| format!("cannot write {}", path.display()))?;
    Ok(path)
}

/// Draw the charts of a finished scenario into `<dir>/charts/` (PNG and SVG) and write
/// `<dir>/report.html`, both atomically; chart files of an earlier run that this one did
/// not draw are removed. Returns the report's path and the charts drawn.
pub fn write_report(o: &ScenarioOutcome) -> anyhow::Result<(PathBuf, Vec<ChartFile>)> {
    let charts_dir = o.dir.join("charts");
    let charts = draw_all(&o.report, &charts_dir)
        .with_context(|| format!("cannot draw the charts of `{}`", o.name))?;
    if let Ok(entries) = std::fs::read_dir(&charts_dir) {
        for e in entries.filter_map(Result::ok) {
            let path = e.path();
            let chart = path.extension().is_some_and(|x| x == "png" || x == "svg");
            if chart && !charts.iter().any(|c| c.png == path || c.svg == path) {
                let _ = std::fs::remove_file(&path);
            }
        }
    }
    let html = render_report(&o.report, &charts)
        .with_context(|| format!("cannot render the report of `{}`", o.name))?;
    let path = o.dir.join("report.html");
    write_atomic(&path, html.as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))?;
    Ok((path, charts))
}
