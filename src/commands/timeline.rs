//! `trainsim timeline` and the timeline side of `trainsim merge`: load timeline scenarios,
//! simulate each (or one shard of its trials), write its folder (CSV files, then charts and
//! `report.html` unless `--no-charts`) and print its answer. A file that fails to load is
//! reported and skipped (nothing is written for it); the others still run, and the command
//! exits 2 at the end.
//!
//! `merge` dispatches here: timeline shard folders (`timeline-shard.json`) are merged by
//! [`trainsim::timeline::shard`]; any `run` shard folders among the same arguments go on to
//! `run`'s merge, so one `trainsim merge` handles both kinds.

use std::path::{Path, PathBuf};

use trainsim::catalog::Catalog;
use trainsim::error::InputError;
use trainsim::policy::Rule;
use trainsim::run::Shard;
use trainsim::timeline::{self, output, shard, Outcome, Timeline};

use crate::cli::{MergeArgs, TimelineArgs};

/// Run `trainsim timeline`.
pub fn timeline(catalog: &Catalog, rules: &[Rule], a: &TimelineArgs) -> anyhow::Result<()> {
    let part = a.shard.as_deref().map(Shard::parse).transpose()?;
    let mut refused = 0usize;
    for path in &a.scenarios {
        let mut tl = match timeline::load(path, catalog, rules) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("Error: {e:#}");
                refused += 1;
                continue;
            }
        };
        if let Some(n) = a.trials {
            if n > trainsim::timeline::resolve::MAX_TRIALS as u64 {
                return Err(InputError::new(format!(
                    "{n} trials is more than {}",
                    trainsim::timeline::resolve::MAX_TRIALS
                ))
                .at_key("--trials")
                .with_hint("1,000 trials give stable p5 and p95")
                .into());
            }
            tl.trials = n;
        }
        if let Some(s) = a.seed {
            tl.seed = s;
        }
        let dir: PathBuf = a.out.join(&tl.name);
        let started = std::time::Instant::now();
        if let Some(p) = part {
            let range = shard::trial_range(tl.trials, p.index, p.count);
            let o = timeline::simulate::simulate_trials(&tl, range.clone());
            let source = trainsim::catalog::read_text(path)?;
            let file = path.display().to_string();
            shard::write_shard(&tl, &source, &file, (p.index, p.count), &o, &dir)?;
            println!(
                "{}: shard {} of {}: trials {}–{} of {}, {:.1} s → {}",
                tl.name,
                p.index,
                p.count,
                range.start,
                range.end,
                tl.trials,
                started.elapsed().as_secs_f64(),
                dir.display()
            );
            continue;
        }
        let o = timeline::simulate(&tl);
        finish(&tl, &o, &dir, a.no_charts)?;
        eprintln!(
            "{}: {} trials × {} variants × {} months, {} plan searches, {:.1} s",
            tl.name,
            tl.trials,
            tl.variants.len(),
            tl.months(),
            o.searches,
            started.elapsed().as_secs_f64(),
        );
    }
    if refused > 0 {
        return Err(InputError::new(format!(
            "{refused} timeline scenario(s) could not be loaded (see above); nothing was written for them"
        ))
        .into());
    }
    Ok(())
}

/// Summarise, write the folder and print the answer.
fn finish(tl: &Timeline, o: &Outcome, dir: &Path, no_charts: bool) -> anyhow::Result<()> {
    let s = output::summarize(tl, o);
    output::write_all(tl, &s, dir, !no_charts)?;
    println!("{} → {}", tl.name, dir.display());
    println!("  {}", s.answer);
    for r in &s.lead {
        println!(
            "  {:<24} {} leads {} by {} months (p5–p95 {}–{})",
            r.counterfactual,
            r.leader,
            r.follower,
            r.lead_months_p50,
            r.lead_months_p5,
            r.lead_months_p95
        );
    }
    Ok(())
}

/// `trainsim merge`: timeline shard folders here, `run` shard folders to `run`'s merge.
pub fn merge(catalog: &Catalog, rules: &[Rule], a: &MergeArgs) -> anyhow::Result<()> {
    let (mut tl_dirs, mut run_dirs) = (Vec::new(), Vec::new());
    for d in &a.dirs {
        shard::find(d, shard::MANIFEST, 3, &mut tl_dirs)?;
        shard::find(d, "manifest.json", 3, &mut run_dirs)?;
    }
    if tl_dirs.is_empty() {
        return super::run::merge(a);
    }
    for (tl, o) in shard::merge(&tl_dirs, catalog, rules)? {
        finish(&tl, &o, &a.out.join(&tl.name), a.no_charts)?;
    }
    if !run_dirs.is_empty() {
        return super::run::merge(a);
    }
    Ok(())
}
