//! `trainsim run` and `trainsim merge`: load scenario files, run them (or one shard of
//! them), print a short table per scenario on stdout and a progress bar on stderr.
//!
//! A scenario that fails to load is reported and skipped; the others still run, and the
//! command exits 2 at the end. With no file, the built-in `scenarios/default.toml` runs.
//! Warnings of a scenario (a pool dropped under its export rule, a count clamped to a
//! channel's cap) go to stderr before it runs; they are also in summary.csv's `notes`. A big
//! run (1,000 points or more, or an estimated 5 s or more) is described first on stderr:
//! points × trials, distinct plan searches and an estimated time ([`SweepSize`]).
//!
//! After a scenario's CSV files are written, its charts and `report.html` are drawn
//! ([`write_report`]) unless `--no-charts` is given (shard runs draw none: `merge` does).
//! A chart or report that cannot be drawn or written is reported as an error on stderr
//! (the CSV files stay), the other scenarios still run, and the command exits 1 at the end
//! (2 if a scenario file was also refused).

use std::collections::HashMap;
use std::path::PathBuf;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use trainsim::catalog::Catalog;
use trainsim::error::InputError;
use trainsim::policy::Rule;
use trainsim::report::{grouped, Table};
use trainsim::run::{
    merge as merge_shards, planned_trials, run_scenario, write_combined, write_report, Ran,
    RunOptions, ScenarioOutcome, Shard, SweepSize,
};
use trainsim::scenario::{fnv1a, load, load_default, Overrides, Scenario};

use crate::cli::{MergeArgs, RunArgs};

/// Rows of the terminal table before it is cut short.
const MAX_TABLE_ROWS: usize = 40;
/// Runs at least this big (points, or estimated seconds) are described on stderr before
/// they start (issue 12).
const SAY_SIZE_POINTS: usize = 1000;
const SAY_SIZE_S: f64 = 5.0;
/// Runs with fewer trials finish in a moment and get no progress bar.
const PROGRESS_MIN_TRIALS: u64 = 20_000;

fn progress_bar(total: u64, label: &str) -> ProgressBar {
    if total < PROGRESS_MIN_TRIALS {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{msg} [{bar:30}] {human_pos}/{human_len} trials, {eta} left")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(label.to_string());
    bar
}

/// Draw the charts and report of a finished scenario (unless `no_charts`), then print its
/// table and the report's path. Returns whether the charts and report were written.
fn finish_scenario(o: &ScenarioOutcome, no_charts: bool) -> bool {
    let report = (!no_charts).then(|| write_report(o));
    print_table(o);
    match report {
        Some(Ok((path, _))) => {
            println!("report: {}", path.display());
            println!();
            true
        }
        Some(Err(e)) => {
            println!();
            eprintln!("Error: {e:#} (the CSV files of `{}` are written)", o.name);
            false
        }
        None => {
            println!();
            true
        }
    }
}

/// The error after a batch whose charts or reports could not all be written (exit 1).
fn chart_failure(failed: usize) -> anyhow::Error {
    anyhow::anyhow!(
        "the charts or report of {failed} scenario(s) could not be written (see above); their CSV files are complete"
    )
}

/// The result table of one scenario.
fn print_table(o: &ScenarioOutcome) {
    println!(
        "{}: {} point(s), {} trials → {}",
        o.name,
        o.points.len(),
        grouped(o.trials as f64),
        o.dir.display()
    );
    // Swept inputs other than the GPU and its count, so that rows read apart.
    let extra: Vec<usize> = o
        .sweep_paths
        .iter()
        .enumerate()
        .filter(|(_, p)| p.as_str() != "fleet.gpu" && p.as_str() != "fleet.count")
        .map(|(i, _)| i)
        .collect();
    let inputs = |p: &trainsim::run::PointOutcome| -> String {
        extra
            .iter()
            .filter_map(|&i| {
                p.inputs
                    .get(i)
                    .map(|v| format!("{}={}", o.sweep_paths[i], trainsim::run::compact_value(v)))
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    let show_inputs = !extra.is_empty();
    let header = [
        "point",
        "inputs",
        "gpu",
        "count",
        "p50 days",
        "p5–p95 days",
        "p50 cost_usd",
        "p50 mfu",
        "plan (most chosen) or why infeasible",
    ];
    // The inputs column only when something besides the GPU and its count was swept.
    let keep = |i: usize| show_inputs || i != 1;
    let mut t = Table::new(
        header
            .iter()
            .enumerate()
            .filter(|(i, _)| keep(*i))
            .map(|(_, h)| *h),
    );
    for p in o.points.iter().take(MAX_TABLE_ROWS) {
        let m = |i: usize| p.metrics[i];
        let days = m(0);
        let cells = [
            p.point.to_string(),
            inputs(p),
            p.gpu.clone(),
            p.gpus.to_string(),
            days.map_or("-".into(), |d| format!("{:.1}", d.p50)),
            days.map_or("-".into(), |d| format!("{:.1}–{:.1}", d.p5, d.p95)),
            m(2).map_or("-".into(), |c| grouped(c.p50)),
            m(4).map_or("-".into(), |x| format!("{:.3}", x.p50)),
            match (&p.plan, &p.infeasible) {
                (Some(plan), None) => plan.clone(),
                (Some(plan), Some(why)) => format!("{plan}; {why}"),
                (None, Some(why)) => why.clone(),
                (None, None) => String::new(),
            },
        ];
        t.row(
            cells
                .into_iter()
                .enumerate()
                .filter(|(i, _)| keep(*i))
                .map(|(_, c)| c),
        );
    }
    print!("{}", t.render());
    if o.points.len() > MAX_TABLE_ROWS {
        println!(
            "… {} more points in {}",
            o.points.len() - MAX_TABLE_ROWS,
            o.dir.join("summary.csv").display()
        );
    }
}

/// Warnings of a loaded scenario (dropped pools, clamped counts) on stderr, each distinct
/// message once, with the sweep points it applies to when not all.
fn print_warnings(s: &Scenario) {
    for (note, points) in &s.digest.notes {
        if points.len() == s.len() {
            eprintln!("warning: {}: {note}", s.file);
        } else {
            let list: Vec<String> = points.iter().map(|i| i.to_string()).collect();
            eprintln!("warning: {}: point(s) {}: {note}", s.file, list.join(", "));
        }
    }
}

/// The hash of the `--catalog` files' contents, in order (`None` without any): it goes into
/// every scenario's fingerprint, so `merge` refuses shards run against different catalogs.
fn catalog_fingerprint(files: &[PathBuf]) -> Result<Option<u64>, InputError> {
    if files.is_empty() {
        return Ok(None);
    }
    let mut h = 0xcbf2_9ce4_8422_2325;
    for f in files {
        let text = trainsim::catalog::read_text(f)?;
        h = fnv1a(&(text.len() as u64).to_le_bytes(), h);
        h = fnv1a(text.as_bytes(), h);
    }
    Ok(Some(h))
}

/// `trainsim run`.
pub fn run(
    c: &Catalog,
    catalog_files: &[PathBuf],
    user_rules: &[Rule],
    a: &RunArgs,
) -> anyhow::Result<()> {
    let catalog_hash = catalog_fingerprint(catalog_files)?;
    let shard = a.shard.as_deref().map(Shard::parse).transpose()?;
    let overrides = Overrides {
        trials: a.trials,
        seed: a.seed,
        rules: user_rules.to_vec(),
    };
    let files: Vec<Option<&std::path::PathBuf>> = if a.scenarios.is_empty() {
        vec![None]
    } else {
        a.scenarios.iter().map(Some).collect()
    };
    let batch = files.len();
    let mut failures: Vec<InputError> = Vec::new();
    let mut outcomes = Vec::new();
    let mut names: HashMap<String, String> = HashMap::new();
    let mut chart_failures = 0;
    let report = |e: InputError, failures: &mut Vec<InputError>| {
        if batch > 1 {
            eprintln!("Error: {e}");
        }
        failures.push(e);
    };
    for (i, f) in files.iter().enumerate() {
        let loaded: Result<Scenario, InputError> = match f {
            None => load_default(c, &overrides),
            Some(p) => load(p, c, &overrides),
        };
        let mut s = match loaded {
            Ok(s) => s,
            Err(e) => {
                report(e, &mut failures);
                continue;
            }
        };
        if let Some(other) = names.insert(s.name.clone(), s.file.clone()) {
            report(
                InputError::new(format!(
                    "scenario name `{}` is also used by {other}",
                    s.name
                ))
                .in_file(&s.file)
                .at_key("name")
                .with_hint(
                    "give each scenario of a batch its own name: it names the output folder",
                ),
                &mut failures,
            );
            continue;
        }
        if let Some(h) = catalog_hash {
            s.fingerprint = fnv1a(&h.to_le_bytes(), s.fingerprint);
        }
        print_warnings(&s);
        let size = SweepSize::of(&s);
        let threads = rayon::current_num_threads();
        if size.points >= SAY_SIZE_POINTS || size.estimate_s(threads) >= SAY_SIZE_S {
            eprintln!("{}: {}", s.name, size.describe(threads));
        }
        let bar = progress_bar(planned_trials(&s, shard), &s.name);
        let inc = |n: u64| bar.inc(n);
        let ran = run_scenario(
            &s,
            &RunOptions {
                out: &a.out,
                shard,
                trials_csv: a.trials_csv,
                batch_index: i,
                progress: &inc,
            },
        )?;
        bar.finish_and_clear();
        match ran {
            Ran::Whole(o) => {
                if !finish_scenario(&o, a.no_charts) {
                    chart_failures += 1;
                }
                outcomes.push(o);
            }
            Ran::Shard(o) => {
                println!(
                    "{}: shard {} of {}: {} units, {} trials → {}",
                    o.name,
                    shard.map_or(1, |s| s.index),
                    shard.map_or(1, |s| s.count),
                    o.units,
                    grouped(o.trials as f64),
                    o.dir.display()
                );
            }
        }
    }
    if shard.is_none() && !outcomes.is_empty() {
        let path = write_combined(&a.out, &outcomes)?;
        eprintln!("wrote {}", path.display());
    }
    match failures.len() {
        0 if chart_failures > 0 => Err(chart_failure(chart_failures)),
        0 => Ok(()),
        1 if batch == 1 => Err(failures.remove(0).into()),
        n => Err(InputError::new(format!(
            "{n} of {batch} scenario files failed (see above); the others were written to {}",
            a.out.display()
        ))
        .into()),
    }
}

/// `trainsim merge`.
pub fn merge(a: &MergeArgs) -> anyhow::Result<()> {
    let outcomes = merge_shards(&a.dirs, &a.out)?;
    let mut chart_failures = 0;
    for o in &outcomes {
        if !finish_scenario(o, a.no_charts) {
            chart_failures += 1;
        }
    }
    eprintln!("wrote {}", a.out.join("summary.csv").display());
    if chart_failures > 0 {
        return Err(chart_failure(chart_failures));
    }
    Ok(())
}
