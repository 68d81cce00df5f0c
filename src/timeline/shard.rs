//! `trainsim timeline --shard K/N` and the timeline side of `trainsim merge`.
//!
//! A shard runs trials `⌊(K−1)·T/N⌋ … ⌊K·T/N⌋ − 1` of a timeline (T trials) and writes,
//! in the scenario's folder, `timeline-shard.json` (a manifest: the scenario text, trials,
//! seed, K, N, the trial range and a fingerprint of the resolved scenario) and
//! `timeline-trials.bin` (every trial's raw output, little-endian `f64`/`i64`, so nothing is
//! rounded). Since trial `i` is seeded by `(seed, i)` alone, the merged trials equal a
//! single run's, and the merge writes byte-identical files.
//!
//! The merge resolves the scenario text again (with the merge's `--catalog` and `--rules`)
//! and refuses shards whose fingerprint differs: a shard run against other catalogs or
//! rules, or another trainsim, cannot be mixed in.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use super::simulate::{required_flop, Outcome, TrialOut};
use super::Timeline;
use crate::catalog::Catalog;
use crate::error::InputError;
use crate::policy::Rule;
use crate::report::write_atomic;

/// The manifest's file name; `merge` looks for it.
pub const MANIFEST: &str = "timeline-shard.json";
/// The trials' file name.
pub const TRIALS: &str = "timeline-trials.bin";
/// Format tag of both files.
const FORMAT: &str = "trainsim-timeline-shard-1";

/// `timeline-shard.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// [`FORMAT`].
    pub format: String,
    /// trainsim version that wrote it.
    pub version: String,
    /// Output folder name of the scenario.
    pub scenario: String,
    /// The scenario file as given on the command line (for messages).
    pub file: String,
    /// Its text.
    pub source: String,
    /// Trials of the whole run.
    pub trials: u64,
    /// Seed.
    pub seed: u64,
    /// K, 1-based.
    pub shard: u64,
    /// N.
    pub shards: u64,
    /// First trial of this shard.
    pub first_trial: u64,
    /// One past its last trial.
    pub end_trial: u64,
    /// [`fingerprint`] of the resolved scenario.
    pub fingerprint: String,
}

/// The trials of shard `k` of `n` (1-based) out of `trials`.
pub fn trial_range(trials: u64, k: u64, n: u64) -> Range<u64> {
    let at = |i: u64| ((i as u128 * trials as u128) / n as u128) as u64;
    at(k - 1)..at(k)
}

/// FNV-1a (64-bit) of the resolved scenario's debug text: equal only when the scenario,
/// the catalog entries and the rules it uses are equal.
pub fn fingerprint(tl: &Timeline) -> String {
    let text = format!("{tl:?}");
    format!(
        "{:016x}",
        crate::scenario::fnv1a(text.as_bytes(), 0xcbf2_9ce4_8422_2325)
    )
}

/// Bytes of one trial: its series (`f64`) then its target months (`i64`).
fn trial_bytes(tl: &Timeline) -> usize {
    let actors = tl.variants[0].actors.len();
    8 * (actors * tl.months() * (2 + tl.chips.len()) + tl.variants.len() * actors)
}

/// Write shard `k` of `n` of `tl` (text `source`, from `file`) into `dir`.
pub fn write_shard(
    tl: &Timeline,
    source: &str,
    file: &str,
    (k, n): (u64, u64),
    o: &Outcome,
    dir: &Path,
) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let range = trial_range(tl.trials, k, n);
    let mut bin = Vec::with_capacity(o.trials.len() * trial_bytes(tl));
    for t in &o.trials {
        for x in &t.series {
            bin.extend_from_slice(&x.to_le_bytes());
        }
        for m in &t.months {
            bin.extend_from_slice(&m.to_le_bytes());
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        scenario: tl.name.clone(),
        file: file.into(),
        source: source.into(),
        trials: tl.trials,
        seed: tl.seed,
        shard: k,
        shards: n,
        first_trial: range.start,
        end_trial: range.end,
        fingerprint: fingerprint(tl),
    };
    let trials = dir.join(TRIALS);
    write_atomic(&trials, &bin).with_context(|| format!("cannot write {}", trials.display()))?;
    let m = dir.join(MANIFEST);
    write_atomic(&m, serde_json::to_string_pretty(&manifest)?.as_bytes())
        .with_context(|| format!("cannot write {}", m.display()))?;
    Ok(())
}

/// Folders under `dir` (itself, or up to `depth` levels down) holding a file `name`
/// ([`MANIFEST`] for a timeline shard), not looking below one that does.
pub fn find(dir: &Path, name: &str, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    if dir.join(name).is_file() {
        out.push(dir.to_path_buf());
        return Ok(());
    }
    if depth == 0 || !dir.is_dir() {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for e in entries {
        find(&e, name, depth - 1, out)?;
    }
    Ok(())
}

fn bad(path: &Path, msg: impl Into<String>, hint: &str) -> anyhow::Error {
    InputError::new(msg).in_file(path).with_hint(hint).into()
}

/// Merge the timeline shards in `dirs` (found by [`find`]): per scenario, the resolved
/// timeline and the outcome one run would have produced (plan-search count 0).
pub fn merge(
    dirs: &[PathBuf],
    catalog: &Catalog,
    rules: &[Rule],
) -> anyhow::Result<Vec<(Timeline, Outcome)>> {
    let mut groups: BTreeMap<String, Vec<(PathBuf, Manifest)>> = BTreeMap::new();
    for d in dirs {
        let path = d.join(MANIFEST);
        let text = crate::catalog::read_text(&path)?;
        let m: Manifest = serde_json::from_str(&text).map_err(|e| {
            bad(
                &path,
                format!("is not a timeline shard manifest: {e}"),
                "merge reads the folders `trainsim timeline --shard K/N` writes",
            )
        })?;
        if m.format != FORMAT {
            return Err(bad(
                &path,
                format!("was written by an incompatible trainsim ({})", m.version),
                "run every shard and the merge with the same trainsim",
            ));
        }
        let g = groups.entry(m.scenario.clone()).or_default();
        if !g
            .iter()
            .any(|(_, x)| x.shard == m.shard && x.shards == m.shards)
        {
            g.push((d.clone(), m));
        }
    }
    groups
        .into_values()
        .map(|g| merge_one(g, catalog, rules))
        .collect()
}

fn merge_one(
    mut shards: Vec<(PathBuf, Manifest)>,
    catalog: &Catalog,
    rules: &[Rule],
) -> anyhow::Result<(Timeline, Outcome)> {
    shards.sort_by_key(|(_, m)| m.shard);
    let (dir0, m0) = &shards[0];
    let n = m0.shards;
    let ks: Vec<u64> = shards.iter().map(|(_, m)| m.shard).collect();
    if ks != (1..=n).collect::<Vec<_>>() || shards.iter().any(|(_, m)| m.shards != n) {
        return Err(bad(
            dir0,
            format!(
                "scenario `{}` has shards {ks:?} of {n}: merge needs each of 1…{n} once",
                m0.scenario
            ),
            "pass the --out folders of every shard run",
        ));
    }
    let mut tl = super::load_str_with_rules(&m0.source, &m0.file, &m0.scenario, catalog, rules)?;
    tl.name = m0.scenario.clone();
    tl.trials = m0.trials;
    tl.seed = m0.seed;
    let fp = fingerprint(&tl);
    let per_trial = trial_bytes(&tl);
    let actors = tl.variants[0].actors.len();
    let series_len = actors * tl.months() * (2 + tl.chips.len());
    let mut trials: Vec<TrialOut> = Vec::with_capacity(tl.trials as usize);
    for (dir, m) in &shards {
        let path = dir.join(MANIFEST);
        if m.fingerprint != fp
            || m.source != m0.source
            || m.trials != tl.trials
            || m.seed != tl.seed
        {
            return Err(bad(
                &path,
                format!("shard {} of scenario `{}` was run with another scenario text, seed, trial count, catalog or rules", m.shard, m.scenario),
                "run every shard and the merge with the same file, --trials, --seed, --catalog and --rules",
            ));
        }
        if trial_range(tl.trials, m.shard, n) != (m.first_trial..m.end_trial) {
            return Err(bad(
                &path,
                "its trial range does not match its share K/N",
                "the shard output is damaged; run that shard again",
            ));
        }
        let bin_path = dir.join(TRIALS);
        let bin = std::fs::read(&bin_path)
            .with_context(|| format!("cannot read {}", bin_path.display()))?;
        let count = (m.end_trial - m.first_trial) as usize;
        if bin.len() != count * per_trial {
            return Err(bad(
                &bin_path,
                format!(
                    "holds {} bytes, not the {} of {count} trials",
                    bin.len(),
                    count * per_trial
                ),
                "the shard output is damaged or cut short; run that shard again",
            ));
        }
        for chunk in bin.chunks_exact(per_trial) {
            let word = |i: usize| <[u8; 8]>::try_from(&chunk[8 * i..8 * i + 8]).expect("8 bytes");
            let series = (0..series_len)
                .map(|i| f64::from_le_bytes(word(i)))
                .collect();
            let months = (series_len..per_trial / 8)
                .map(|i| i64::from_le_bytes(word(i)))
                .collect();
            trials.push(TrialOut { series, months });
        }
    }
    let outcome = Outcome {
        trials,
        stride: 2 + tl.chips.len(),
        searches: 0,
        required_flop: required_flop(&tl),
    };
    Ok((tl, outcome))
}

#[cfg(test)]
mod tests {
    use super::trial_range;

    /// 10 trials in 3 shards: ⌊0⌋…⌊10/3⌋ = 0…3, 3…6 (⌊20/3⌋ = 6), 6…10.
    #[test]
    fn shards_cover_every_trial_once() {
        assert_eq!(trial_range(10, 1, 3), 0..3);
        assert_eq!(trial_range(10, 2, 3), 3..6);
        assert_eq!(trial_range(10, 3, 3), 6..10);
        assert_eq!(trial_range(2, 1, 4), 0..0);
        assert_eq!(trial_range(2, 4, 4), 1..2);
    }
}
