//! The shipped storylines of `trainsim timeline` (issue 13: "Timeline. Once `timeline`
//! exists, its charts for the shipped storylines"), run in the server: each storyline is
//! embedded in the binary (`include_str!`, no file read per request), run at most once per
//! process with its own seed and at most [`TIMELINE_TRIALS`] trials, and kept in memory
//! with its charts as SVG text.
//!
//! A run costs a few seconds (its plan searches: one capacity curve per actor and chip, a
//! few hundred searches of a 405B model; the trials are cheap), so the first ask starts it
//! on a thread of its own and waits at most [`TIMELINE_WAIT`]; a slower run is answered by a
//! "still computing" page that reloads itself. Only the storylines listed here can run, so
//! at most [`STORYLINES`]`.len()` runs ever happen, whatever is asked.
//!
//! Owns: the list, the runs and their results. Leaves the HTML to `page::timeline`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use trainsim::catalog::Catalog;
use trainsim::fleet::format_month;
use trainsim::policy::Rule;
use trainsim::report::chart::timeline::timeline_svgs;
use trainsim::report::ChartFile;
use trainsim::timeline::output::{chart_data, summarize, target_text, LeadRow};

use super::limits::TIMELINE_TRIALS;
use super::query::QueryError;

pub use super::limits::TIMELINE_WAIT;

/// The shipped storylines: id (the file's stem) and text.
pub const STORYLINES: &[(&str, &str)] = &[
    (
        "us-china-2022-2027",
        include_str!("../../scenarios/timeline/us-china-2022-2027.toml"),
    ),
    (
        "h20-loophole",
        include_str!("../../scenarios/timeline/h20-loophole.toml"),
    ),
    (
        "smuggling-enforcement",
        include_str!("../../scenarios/timeline/smuggling-enforcement.toml"),
    ),
];

/// What the view shows of one storyline's run.
#[derive(Debug)]
pub struct Computed {
    /// Storyline id.
    pub id: String,
    /// The question it asks.
    pub question: String,
    /// The answer in one sentence.
    pub answer: String,
    /// The target in words.
    pub target: String,
    /// `YYYY-MM – YYYY-MM`.
    pub period: String,
    /// Trials run.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// Rows of `lead.csv`: the base case, then each counterfactual.
    pub lead: Vec<LeadRow>,
    /// The charts, SVG text only.
    pub charts: Vec<ChartFile>,
    /// Plan searches run.
    pub searches: usize,
    /// Wall time of the run, seconds.
    pub run_s: f64,
}

/// A storyline's run: finished (its result or why it failed).
pub type Outcome = Result<Arc<Computed>, String>;

/// The runs of this process, one slot per storyline of [`STORYLINES`].
pub struct Timelines {
    slots: Vec<(AtomicBool, OnceLock<Outcome>)>,
}

impl Default for Timelines {
    fn default() -> Self {
        Timelines {
            slots: STORYLINES
                .iter()
                .map(|_| (AtomicBool::new(false), OnceLock::new()))
                .collect(),
        }
    }
}

/// The index in [`STORYLINES`] of `id` (default: the first); an unknown id is bad input
/// with a did-you-mean hint.
pub fn find(id: Option<&str>) -> Result<usize, QueryError> {
    let Some(id) = id else { return Ok(0) };
    if let Some(i) = STORYLINES.iter().position(|(s, _)| *s == id.trim()) {
        return Ok(i);
    }
    let ids = STORYLINES.iter().map(|(s, _)| *s);
    let hint = match trainsim::error::did_you_mean(id.trim(), ids.clone()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("the storylines: {}", ids.collect::<Vec<_>>().join(", ")),
    };
    let shown: String = id.chars().take(40).collect();
    Err(QueryError {
        message: format!(
            "no storyline `{}`\nhint: {hint}",
            trainsim::error::echo(&shown)
        ),
        parameter: Some("storyline".into()),
    })
}

impl Timelines {
    /// The finished run of storyline `i`, if any.
    pub fn get(&self, i: usize) -> Option<&Outcome> {
        self.slots.get(i).and_then(|(_, o)| o.get())
    }

    /// Whether storyline `i` is to be started now: true once, for the first asker.
    pub fn claim(&self, i: usize) -> bool {
        self.slots
            .get(i)
            .is_some_and(|(started, _)| !started.swap(true, Ordering::SeqCst))
    }

    /// Keep `why` as the outcome of storyline `i` (its run could not start).
    pub fn fail(&self, i: usize, why: String) {
        if let Some((_, slot)) = self.slots.get(i) {
            let _ = slot.set(Err(why));
        }
    }

    /// Run storyline `i` and keep the outcome (a panic is kept as a failure too).
    pub fn run(&self, i: usize, catalog: &Catalog, rules: &[Rule]) {
        let outcome = std::panic::catch_unwind(|| compute(i, catalog, rules))
            .unwrap_or_else(|_| Err("the timeline run failed".into()));
        if let Some((_, slot)) = self.slots.get(i) {
            let _ = slot.set(outcome);
        }
    }
}

/// Load, simulate and summarise storyline `i`, and draw its charts.
fn compute(i: usize, catalog: &Catalog, rules: &[Rule]) -> Outcome {
    let (id, text) = STORYLINES[i];
    let started = Instant::now();
    let file = format!("scenarios/timeline/{id}.toml");
    let mut tl = trainsim::timeline::load_str_with_rules(text, &file, id, catalog, rules)
        .map_err(|e| format!("{:#}", anyhow::Error::from(e)))?;
    tl.trials = tl.trials.clamp(1, TIMELINE_TRIALS);
    let o = trainsim::timeline::simulate(&tl);
    let s = summarize(&tl, &o);
    let charts = timeline_svgs(&chart_data(&tl, &s)).map_err(|e| e.to_string())?;
    Ok(Arc::new(Computed {
        id: id.to_owned(),
        question: tl.question.clone().unwrap_or_else(|| {
            format!(
                "When does each actor first train {}, and by how many months does the first lead?",
                target_text(&tl)
            )
        }),
        answer: s.answer.clone(),
        target: target_text(&tl),
        period: format!("{} – {}", format_month(tl.start), format_month(tl.end)),
        trials: tl.trials,
        seed: tl.seed,
        lead: s.lead,
        charts,
        searches: o.searches,
        run_s: started.elapsed().as_secs_f64(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storylines_are_the_shipped_files() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/timeline");
        let mut shipped: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| {
                let p = e.unwrap().path();
                (p.extension()? == "toml").then(|| p.file_stem()?.to_str().map(str::to_owned))?
            })
            .collect();
        shipped.sort();
        let mut ours: Vec<String> = STORYLINES.iter().map(|(s, _)| s.to_string()).collect();
        ours.sort();
        assert_eq!(ours, shipped);
    }

    #[test]
    fn unknown_storyline_names_the_parameter_and_the_nearest() {
        assert_eq!(find(None).unwrap(), 0);
        assert_eq!(find(Some("h20-loophole")).unwrap(), 1);
        let e = find(Some("h20-lophole")).unwrap_err();
        assert_eq!(e.parameter.as_deref(), Some("storyline"));
        assert!(
            e.message.ends_with("did you mean `h20-loophole`?"),
            "{}",
            e.message
        );
    }
}
