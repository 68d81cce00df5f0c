//! How a scenario's trials are cut into work units and shared among shards: [`Shard`]
//! (`--shard K/N`), [`Layout`] (the first unit of each point) and [`planned_trials`].
//!
//! Each sweep point's trials are cut into chunks of [`CHUNK_TRIALS`]; a unit is one
//! (point, chunk) pair, numbered in point order, then chunk order. A point always has at
//! least one unit (an infeasible point's unit carries only its reason). `--shard K/N` runs
//! the units `u` with `u mod N = K − 1`.

use crate::error::InputError;
use crate::scenario::Scenario;

/// Trials per work unit (part of the shard format: shards and merge must agree).
pub const CHUNK_TRIALS: u64 = 1000;

/// `--shard K/N`: run share `index` (1-based) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// K, 1-based.
    pub index: u64,
    /// N.
    pub count: u64,
}

impl Shard {
    /// Parse `K/N` with `1 ≤ K ≤ N`.
    pub fn parse(s: &str) -> Result<Shard, InputError> {
        let bad = |why: &str| {
            InputError::new(format!("`{s}` is not a shard: {why}"))
                .at_key("--shard")
                .with_hint(
                    "write K/N with 1 ≤ K ≤ N, e.g. --shard 2/8 for the second of eight shares",
                )
        };
        let (k, n) = s.split_once('/').ok_or_else(|| bad("expected K/N"))?;
        let k: u64 = k
            .trim()
            .parse()
            .map_err(|_| bad("K is not a whole number"))?;
        let n: u64 = n
            .trim()
            .parse()
            .map_err(|_| bad("N is not a whole number"))?;
        if n == 0 || k == 0 || k > n {
            return Err(bad("K must be between 1 and N"));
        }
        if n > 1_000_000 {
            return Err(bad("N is more than 1,000,000"));
        }
        Ok(Shard { index: k, count: n })
    }

    /// Whether unit `u` belongs to this shard.
    pub fn owns(&self, u: u64) -> bool {
        u % self.count == self.index - 1
    }
}

/// Units of a point with `trials` trials.
pub(crate) fn units_of(trials: u64) -> u64 {
    trials.div_ceil(CHUNK_TRIALS).max(1)
}

/// First unit of each point (and the total at the end).
pub(crate) struct Layout {
    starts: Vec<u64>,
    trials: Vec<u64>,
}

impl Layout {
    /// The layout of points with these trial counts.
    pub(crate) fn of(trials: Vec<u64>) -> Layout {
        let mut starts = Vec::with_capacity(trials.len() + 1);
        let mut u = 0;
        starts.push(0);
        for t in &trials {
            u += units_of(*t);
            starts.push(u);
        }
        Layout { starts, trials }
    }
    /// Units in all.
    pub(crate) fn total(&self) -> u64 {
        *self.starts.last().unwrap_or(&0)
    }
    /// The point, chunk, first trial and trial count of unit `u`.
    pub(crate) fn locate(&self, u: u64) -> (usize, u64, u64, u64) {
        let p = self.starts.partition_point(|&s| s <= u) - 1;
        let chunk = u - self.starts[p];
        let first = chunk * CHUNK_TRIALS;
        let count = self.trials[p].saturating_sub(first).min(CHUNK_TRIALS);
        (p, chunk, first, count)
    }
}

/// Trials the given share of a scenario will run (for a progress bar).
pub fn planned_trials(s: &Scenario, shard: Option<Shard>) -> u64 {
    let layout = Layout::of(s.digest.trials.clone());
    let shard = shard.unwrap_or(Shard { index: 1, count: 1 });
    (0..layout.total())
        .filter(|u| shard.owns(*u))
        .map(|u| layout.locate(u).3)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_strings() {
        assert_eq!(Shard::parse("2/8").unwrap(), Shard { index: 2, count: 8 });
        for bad in ["0/2", "3/2", "a/b", "2", "1/0", "-1/2"] {
            let e = Shard::parse(bad).unwrap_err();
            assert_eq!(e.key.as_deref(), Some("--shard"), "{bad}");
        }
        let s = Shard { index: 2, count: 3 };
        assert_eq!((0..7).filter(|u| s.owns(*u)).collect::<Vec<_>>(), [1, 4]);
    }

    #[test]
    fn layout_cuts_points_into_chunks() {
        let l = Layout::of(vec![2500, 0, 1000]);
        assert_eq!(l.total(), 3 + 1 + 1);
        assert_eq!(l.locate(0), (0, 0, 0, 1000));
        assert_eq!(l.locate(2), (0, 2, 2000, 500));
        assert_eq!(l.locate(3), (1, 0, 0, 0));
        assert_eq!(l.locate(4), (2, 0, 0, 1000));
    }
}
