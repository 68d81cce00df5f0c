//! How big a run is and roughly how long it will take, said before it starts (issue 12: a
//! 100,000-point sweep ran for minutes with no word). The figures are counts; the time is an
//! estimate from per-search, per-point and per-trial costs measured on a 2-core machine
//! (see [`SEARCH_S`], [`POINT_S`], [`TRIAL_S`]), scaled by the worker threads.

use crate::format::grouped;
use crate::scenario::Scenario;

/// Seconds of one plan search on one core: the measured cost of a DeepSeek-V3 search on
/// 2,048 GPUs (1,000 of them took 17.7 s on 2 cores, `sweep_1000x1000_distinct.toml`), an
/// upper figure: smaller models search faster.
pub const SEARCH_S: f64 = 0.035;
/// Seconds per point outside its trials (resolving it again in its window, planning, record,
/// summary), on one core: 100,000 one-trial points with 10 searches ran in about 5.7 s on 2
/// cores after loading (`sweep_100k_points.toml`: 9.5 s in all, 3.8 s of it loading and
/// validating; measured 2026-12-05 after windowed resolution).
pub const POINT_S: f64 = 110e-6;
/// Seconds per trial on one core (100,000 trials of DeepSeek-V3 with 13 uncertain inputs
/// took 0.20 s on 2 cores, `one_point_100k.toml`).
pub const TRIAL_S: f64 = 4e-6;

/// The size of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SweepSize {
    /// Sweep points.
    pub points: usize,
    /// Trials of all points.
    pub trials: u64,
    /// Distinct plan searches (points that differ only in prices or PUE share one).
    pub searches: usize,
}

impl SweepSize {
    /// Count the points, trials and distinct searches of a scenario.
    pub fn of(s: &Scenario) -> SweepSize {
        SweepSize {
            points: s.len(),
            trials: s.digest.trials.iter().sum(),
            searches: s.digest.searches(),
        }
    }

    /// Estimated seconds with `threads` workers.
    pub fn estimate_s(&self, threads: usize) -> f64 {
        let work_s = self.searches as f64 * SEARCH_S
            + self.points as f64 * POINT_S
            + self.trials as f64 * TRIAL_S;
        work_s / threads.max(1) as f64
    }

    /// The line said before a run: `100,000 points × 1 trial = 100,000 trials, 10 distinct
    /// plan searches; estimated about 6 s with 2 threads (…)`.
    pub fn describe(&self, threads: usize) -> String {
        let per = |n: u64, one: &str, many: &str| {
            format!("{} {}", grouped(n as f64), if n == 1 { one } else { many })
        };
        let trials_each = match self.points {
            0 => String::new(),
            n if self.trials % n as u64 == 0 => format!(
                " × {} = {}",
                per(self.trials / n as u64, "trial", "trials"),
                per(self.trials, "trial", "trials")
            ),
            _ => format!(", {}", per(self.trials, "trial", "trials")),
        };
        let est = self.estimate_s(threads);
        let est = if est < 1.0 {
            "under a second".to_string()
        } else if est < 120.0 {
            format!("about {est:.0} s")
        } else {
            format!("about {:.0} min", est / 60.0)
        };
        format!(
            "{}{trials_each}, {}; estimated {est} with {} (an estimate from measured costs per search, point and trial)",
            per(self.points as u64, "point", "points"),
            per(self.searches as u64, "distinct plan search", "distinct plan searches"),
            per(threads as u64, "thread", "threads"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_by_hand() {
        let s = SweepSize {
            points: 100_000,
            trials: 100_000,
            searches: 10,
        };
        // (10 × 0.035 + 100,000 × 110e-6 + 100,000 × 4e-6) / 2 = (0.35 + 11 + 0.4) / 2 = 5.875.
        assert!((s.estimate_s(2) - 5.875).abs() < 1e-9);
        assert_eq!(
            s.describe(2),
            "100,000 points × 1 trial = 100,000 trials, 10 distinct plan searches; estimated about 6 s with 2 threads (an estimate from measured costs per search, point and trial)"
        );
        let one = SweepSize {
            points: 3,
            trials: 2500,
            searches: 1,
        };
        assert_eq!(
            one.describe(1),
            "3 points, 2,500 trials, 1 distinct plan search; estimated under a second with 1 thread (an estimate from measured costs per search, point and trial)"
        );
    }

    #[test]
    fn searches_shared_by_price_points_count_once() {
        use crate::catalog::Catalog;
        use crate::scenario::{load_str, Overrides};
        let s = load_str(
            "model = \"llama3.1-8b\"\ntrain_tokens = 1e11\n[fleet]\ngpu = \"h100\"\ncount = 64\n\
             [uncertainty]\ntrials = 10\n\
             [sweep]\n\"fleet.count\" = [64, 128]\n\"cost.usd_per_gpu_hour\" = [2.5, 3, 3.5]\n",
            "t.toml",
            None,
            Some("t"),
            &Catalog::builtin(),
            &Overrides::default(),
        )
        .unwrap();
        let size = SweepSize::of(&s);
        assert_eq!((size.points, size.trials), (6, 60));
        // One search per fleet size: prices do not change the search, and the H100
        // yardstick of an H100 fleet asks the fleet's own question.
        assert_eq!(size.searches, 2);
    }
}
