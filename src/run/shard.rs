//! A shard's partial files (`--shard K/N`), in `<out>/<scenario>/shard-K-of-N/`:
//! `units.csv` (every trial's figures, [`UnitRow`]), `points.jsonl` (one [`PointRecord`]
//! per point whose first unit the shard owns) and `manifest.json` ([`Manifest`], written
//! last). `merge` reads them back.

use std::path::PathBuf;

use anyhow::Context as _;
use serde::{Deserialize, Serialize};

use super::export::units::{units_writer, UnitRow};
use super::export::AtomicFile;
use super::labels::ReportMeta;
use super::record::{PointRecord, UnitResult};
use crate::report::write_atomic;

/// Format tag of shard manifests (4: units.csv read by column name, missing figures as
/// empty cells, typed sensitivity rows in points.jsonl).
pub(crate) const SHARD_FORMAT: &str = "trainsim-shard-4";

/// What a shard run produced.
#[derive(Debug, Clone)]
pub struct ShardOutcome {
    /// Scenario name.
    pub name: String,
    /// The shard folder.
    pub dir: PathBuf,
    /// Units run.
    pub units: u64,
    /// Trials run.
    pub trials: u64,
}

/// The shard manifest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub(crate) format: String,
    pub(crate) scenario: String,
    pub(crate) file: String,
    pub(crate) fingerprint: String,
    pub(crate) batch_index: usize,
    pub(crate) shard: u64,
    pub(crate) shards: u64,
    pub(crate) chunk_trials: u64,
    pub(crate) points: usize,
    pub(crate) units: u64,
    pub(crate) sweep_paths: Vec<String>,
    pub(crate) trials_csv: bool,
    pub(crate) version: String,
    /// The report's question and assumptions.
    #[serde(default)]
    pub(crate) report: ReportMeta,
}

/// Writes a shard's partial files.
pub(crate) struct PartialWriter {
    dir: PathBuf,
    units: csv::Writer<AtomicFile>,
    records: Vec<PointRecord>,
    manifest: Manifest,
    units_run: u64,
    trials_run: u64,
}

impl PartialWriter {
    /// Start the files of a shard in `dir`.
    pub(crate) fn create(dir: PathBuf, manifest: Manifest) -> anyhow::Result<PartialWriter> {
        crate::report::remove_stale_temps(&dir);
        let f = AtomicFile::create(&dir.join("units.csv"))
            .with_context(|| format!("cannot write in {}", dir.display()))?;
        Ok(PartialWriter {
            units: units_writer(f)?,
            dir,
            records: Vec::new(),
            manifest,
            units_run: 0,
            trials_run: 0,
        })
    }

    /// Append the trials of unit `unit` (and keep its point record, if it carries one).
    pub(crate) fn consume(&mut self, unit: u64, u: UnitResult) -> anyhow::Result<()> {
        for (i, t) in u.trials.iter().enumerate() {
            let trial = u.first + i as u64;
            let reason = match &u.first_reason {
                Some((j, r)) if *j == trial => r.as_str(),
                _ => "",
            };
            self.units
                .serialize(UnitRow::new(unit, u.point, trial, t, reason))?;
        }
        if let Some(rec) = u.record {
            self.records.push(rec);
        }
        self.units_run += 1;
        self.trials_run += u.trials.len() as u64;
        Ok(())
    }

    /// Finish units.csv, write points.jsonl, then the manifest.
    pub(crate) fn finish(self, name: &str) -> anyhow::Result<ShardOutcome> {
        super::export::finish_csv(self.units)
            .with_context(|| format!("cannot write in {}", self.dir.display()))?;
        let mut jsonl = String::new();
        for r in &self.records {
            jsonl.push_str(&serde_json::to_string(r)?);
            jsonl.push('\n');
        }
        write_atomic(&self.dir.join("points.jsonl"), jsonl.as_bytes())?;
        write_atomic(
            &self.dir.join("manifest.json"),
            serde_json::to_string_pretty(&self.manifest)?.as_bytes(),
        )?;
        Ok(ShardOutcome {
            name: name.to_string(),
            dir: self.dir,
            units: self.units_run,
            trials: self.trials_run,
        })
    }
}
