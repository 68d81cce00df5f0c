//! `trainsim timeline`: load timeline scenarios, simulate each, write its folder and print
//! its answer. A file that fails to load is reported and skipped (nothing is written for
//! it); the others still run, and the command exits 2 at the end.

use std::path::PathBuf;

use trainsim::catalog::Catalog;
use trainsim::error::InputError;
use trainsim::timeline::{self, output};

use crate::cli::TimelineArgs;

/// Run `trainsim timeline`.
pub fn timeline(catalog: &Catalog, a: &TimelineArgs) -> anyhow::Result<()> {
    let mut refused = 0usize;
    for path in &a.scenarios {
        let mut tl = match timeline::load(path, catalog) {
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
        let o = timeline::simulate(&tl);
        let s = output::summarize(&tl, &o);
        output::write_all(&tl, &s, &dir)?;
        println!(
            "{}: {} trials × {} variants × {} months, {} plan searches, {:.1} s → {}",
            tl.name,
            tl.trials,
            tl.variants.len(),
            tl.months(),
            o.searches,
            started.elapsed().as_secs_f64(),
            dir.display()
        );
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
    }
    if refused > 0 {
        return Err(InputError::new(format!(
            "{refused} timeline scenario(s) could not be loaded (see above); nothing was written for them"
        ))
        .into());
    }
    Ok(())
}
