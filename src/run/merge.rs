//! `trainsim merge`: find the shard folders of one or more runs, check that they belong
//! together (same scenario fingerprint, including `--catalog` contents; every share once),
//! read each shard's files back field by field ([`PointRecord::check`]; `units.csv` by
//! column name into [`UnitRow`]s) and replay the units of all shards in unit order through
//! the same [`Summarizer`] a single run uses, so the merged files are byte-identical.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::Context as _;

use super::export::units::UnitRow;
use super::layout::{Layout, CHUNK_TRIALS};
use super::record::{PointRecord, UnitResult};
use super::runner::write_combined;
use super::shard::{Manifest, SHARD_FORMAT};
use super::summarize::{ScenarioOutcome, Summarizer};
use crate::error::InputError;
use crate::montecarlo::TrialMetrics;

/// A shard found by [`merge`].
struct FoundShard {
    dir: PathBuf,
    manifest: Manifest,
}

fn find_manifests(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    let m = dir.join("manifest.json");
    if m.is_file() {
        out.push(m);
        return Ok(());
    }
    if depth == 0 {
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    entries.sort();
    for e in entries {
        find_manifests(&e, depth - 1, out)?;
    }
    Ok(())
}

fn merge_err(dir: &Path, msg: impl Into<String>, hint: &str) -> anyhow::Error {
    InputError::new(msg)
        .in_file(dir)
        .with_hint(hint.to_string())
        .into()
}

/// Combine shard outputs found under `dirs` (each a shard folder or any folder above one,
/// up to three levels) into the files one run would have written, in `out`.
pub fn merge(dirs: &[PathBuf], out: &Path) -> anyhow::Result<Vec<ScenarioOutcome>> {
    let mut manifests = Vec::new();
    for d in dirs {
        if !d.is_dir() {
            return Err(merge_err(
                d,
                "is not a folder",
                "pass the --out folders of the shard runs",
            ));
        }
        find_manifests(d, 3, &mut manifests)
            .with_context(|| format!("cannot read {}", d.display()))?;
    }
    let mut groups: BTreeMap<String, Vec<FoundShard>> = BTreeMap::new();
    for m in manifests {
        let dir = m.parent().unwrap_or(Path::new(".")).to_path_buf();
        let text = crate::catalog::read_text(&m)?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| {
            merge_err(
                &m,
                format!("is not a shard manifest: {e}"),
                "merge reads the folders `trainsim run --shard K/N` writes",
            )
        })?;
        if manifest.format != SHARD_FORMAT || manifest.chunk_trials != CHUNK_TRIALS {
            return Err(merge_err(
                &m,
                format!(
                    "was written by an incompatible trainsim ({})",
                    manifest.version
                ),
                "run every shard and the merge with the same trainsim",
            ));
        }
        if manifest.shards == 0
            || manifest.shards > 1_000_000
            || manifest.shard == 0
            || manifest.shard > manifest.shards
        {
            return Err(merge_err(
                &m,
                format!(
                    "`shard` {} of `shards` {} is not a share K/N with 1 ≤ K ≤ N ≤ 1,000,000",
                    manifest.shard, manifest.shards
                ),
                "the shard output is damaged; run that shard again",
            ));
        }
        let canon = dir.canonicalize().unwrap_or(dir.clone());
        let group = groups.entry(manifest.scenario.clone()).or_default();
        if group
            .iter()
            .any(|g| g.dir.canonicalize().unwrap_or(g.dir.clone()) == canon)
        {
            continue;
        }
        group.push(FoundShard { dir, manifest });
    }
    if groups.is_empty() {
        return Err(merge_err(
            dirs.first().map_or(Path::new("."), |d| d.as_path()),
            "holds no shard output (no manifest.json found)",
            "run `trainsim run SCENARIO --shard K/N --out DIR` first, then merge those DIRs",
        ));
    }
    let mut outcomes = Vec::new();
    for (name, mut shards) in groups {
        shards.sort_by_key(|s| s.manifest.shard);
        check_group(&name, &shards)?;
        outcomes.push(merge_one(&name, &shards, out)?);
    }
    write_combined(out, &outcomes)?;
    Ok(outcomes)
}

/// The shards of one scenario (sorted by share) belong to one run, and each share is there
/// exactly once.
fn check_group(name: &str, shards: &[FoundShard]) -> anyhow::Result<()> {
    let first = &shards[0].manifest;
    let n = first.shards;
    for s in shards {
        let m = &s.manifest;
        if m.shards != n
            || m.fingerprint != first.fingerprint
            || m.trials_csv != first.trials_csv
            || m.points != first.points
        {
            return Err(merge_err(
                &s.dir,
                format!("shards of `{name}` come from different runs (scenario text, --catalog contents, --trials, --seed, --trials-csv or shard count differ)"),
                "merge only the shards of one run",
            ));
        }
    }
    for w in shards.windows(2) {
        if w[0].manifest.shard == w[1].manifest.shard {
            return Err(merge_err(
                &w[1].dir,
                format!(
                    "shard {}/{n} of `{name}` appears twice (also in {})",
                    w[1].manifest.shard,
                    w[0].dir.display()
                ),
                "pass each shard once",
            ));
        }
    }
    let missing: Vec<String> = (1..=n)
        .filter(|k| !shards.iter().any(|s| s.manifest.shard == *k))
        .take(10)
        .map(|k| format!("{k}/{n}"))
        .collect();
    if !missing.is_empty() {
        return Err(merge_err(
            &shards[0].dir,
            format!("scenario `{name}` lacks shard(s) {}", missing.join(", ")),
            "run the missing shards, then merge all of them",
        ));
    }
    Ok(())
}

/// The first infeasible trial of a unit and why.
type FirstReason = Option<(u64, String)>;

type UnitRows = std::iter::Peekable<csv::DeserializeRecordsIntoIter<BufReader<File>, UnitRow>>;

/// The point records of a scenario's shards, checked, one per point in point order.
fn read_records(name: &str, shards: &[FoundShard]) -> anyhow::Result<Vec<PointRecord>> {
    let m = &shards[0].manifest;
    // Read every record before sizing anything by the manifest's point count.
    let mut read: Vec<(PathBuf, PointRecord)> = Vec::new();
    for s in shards {
        let path = s.dir.join("points.jsonl");
        let text = crate::catalog::read_text(&path)?;
        for (i, line) in text.lines().enumerate() {
            let damaged = |msg: String| {
                merge_err(
                    &path,
                    format!("line {}: {msg}", i + 1),
                    "the shard output is damaged; run that shard again",
                )
            };
            let r: PointRecord = serde_json::from_str(line).map_err(|e| damaged(e.to_string()))?;
            if let Some(why) = r.check(m.sweep_paths.len()) {
                return Err(damaged(why));
            }
            read.push((path.clone(), r));
        }
    }
    if read.len() < m.points {
        let mut held: Vec<usize> = read.iter().map(|(_, r)| r.point).collect();
        held.sort_unstable();
        held.dedup();
        let p = held
            .iter()
            .enumerate()
            .find(|(i, p)| *i != **p)
            .map_or(held.len(), |x| x.0);
        return Err(merge_err(
            &shards[0].dir,
            format!("no shard holds point {p} of `{name}`"),
            "the shard output is incomplete; run the shards again",
        ));
    }
    if read.len() > m.points {
        return Err(merge_err(
            &shards[0].dir,
            format!(
                "the shards of `{name}` hold {} point records, their manifests say {}",
                read.len(),
                m.points
            ),
            "the shard output is damaged; run the shards again",
        ));
    }
    let mut records: Vec<Option<PointRecord>> = vec![None; m.points];
    for (path, r) in read {
        let p = r.point;
        if p >= records.len() || records[p].is_some() {
            return Err(merge_err(
                &path,
                format!("point {p} is out of range or repeated"),
                "the shard output is damaged; run that shard again",
            ));
        }
        records[p] = Some(r);
    }
    if let Some(p) = records.iter().position(Option::is_none) {
        return Err(merge_err(
            &shards[0].dir,
            format!("no shard holds point {p} of `{name}`"),
            "the shard output is incomplete; run the shards again",
        ));
    }
    Ok(records.into_iter().flatten().collect())
}

/// Open each shard's units.csv, to be read by column name.
fn open_units(shards: &[FoundShard]) -> anyhow::Result<Vec<(PathBuf, UnitRows)>> {
    let mut readers = Vec::new();
    for s in shards {
        let path = s.dir.join("units.csv");
        let f = File::open(&path).with_context(|| format!("cannot read {}", path.display()))?;
        let rows = csv::Reader::from_reader(BufReader::new(f))
            .into_deserialize()
            .peekable();
        readers.push((path, rows));
    }
    Ok(readers)
}

/// The trials of unit `u` from its shard's rows, in order, and the first infeasible
/// trial's reason.
fn read_unit(
    u: u64,
    path: &Path,
    rows: &mut UnitRows,
) -> anyhow::Result<(Vec<TrialMetrics>, FirstReason)> {
    let damaged = |msg: String| {
        merge_err(
            path,
            msg,
            "the shard output is damaged; run that shard again",
        )
    };
    let mut trials = Vec::new();
    let mut first_reason = None;
    while let Some(next) = rows.peek() {
        match next {
            Ok(row) if row.unit != u => break,
            Ok(_) => {}
            Err(e) => return Err(damaged(format!("cannot read a row: {e}"))),
        }
        let Some(Ok(row)) = rows.next() else {
            break;
        };
        let t = row
            .metrics()
            .map_err(|why| damaged(format!("unit {u}, trial {}: {why}", row.trial)))?;
        if !row.infeasible_reason.is_empty() && first_reason.is_none() {
            first_reason = Some((row.trial, row.infeasible_reason));
        }
        trials.push(t);
    }
    Ok((trials, first_reason))
}

fn merge_one(name: &str, shards: &[FoundShard], out: &Path) -> anyhow::Result<ScenarioOutcome> {
    let m = &shards[0].manifest;
    let records = read_records(name, shards)?;
    let layout = Layout::of(records.iter().map(|r| r.trials).collect());
    if layout.total() != m.units {
        return Err(merge_err(
            &shards[0].dir,
            "the shard manifests and point records disagree",
            "run the shards again",
        ));
    }
    let mut readers = open_units(shards)?;
    let feasible: Vec<bool> = records.iter().map(|r| r.infeasible.is_none()).collect();
    let mut records: Vec<Option<PointRecord>> = records.into_iter().map(Some).collect();
    let mut sm = Summarizer::new(
        name,
        out,
        m.points,
        &m.sweep_paths,
        m.trials_csv,
        m.batch_index,
        m.report.clone(),
    )?;
    let n = m.shards;
    for u in 0..layout.total() {
        let (p, chunk, first, count) = layout.locate(u);
        let record = if chunk == 0 { records[p].take() } else { None };
        let (path, rows) = &mut readers[(u % n) as usize];
        let (trials, first_reason) = read_unit(u, path, rows)?;
        let expected = if feasible[p] { count } else { 0 };
        if trials.len() as u64 != expected {
            return Err(merge_err(
                path,
                format!(
                    "unit {u} holds {} trials, expected {expected}",
                    trials.len()
                ),
                "the shard output is incomplete; run that shard again",
            ));
        }
        sm.consume(UnitResult {
            point: p,
            first,
            trials,
            first_reason,
            record,
        })?;
    }
    sm.finish()
}
