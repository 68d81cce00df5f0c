//! The batch runner behind `trainsim run` and `trainsim merge`: work units, rayon,
//! sharding, and the CSV files of DESIGN.md §4. One module per job:
//!
//! - [`layout`]: work units (a point's trials in chunks of [`CHUNK_TRIALS`]) and
//!   `--shard K/N` ([`Shard`]: the units `u` with `u mod N = K − 1`);
//! - [`runner`]: [`run_scenario`] and its [`RunOptions`], the combined summary of a batch
//!   ([`write_combined`]) and the charts and report ([`write_report`]);
//! - [`record`]: what a point contributes besides its trials ([`PointRecord`]);
//! - [`summarize`]: the [`Summarizer`], which turns unit results (from a run or a merge)
//!   into the final files and the report's view;
//! - [`shard`] and [`merge`]: a shard's partial files and reading them back;
//! - [`size`]: how big a run is and an estimate of its time, said before it starts;
//! - [`labels`]: point labels, distributions in words, the assumptions list;
//! - [`export`]: the serde row types of summary.csv, trials.csv, sensitivity.csv and a
//!   shard's units.csv, and the exporters (pure functions from rows to bytes).
//!
//! **Outputs** (in `<out>/<scenario>/`): `summary.csv` (one row per point),
//! `sensitivity.csv` (the tornado of every point, with a `point` column), `trials.csv`
//! (with `--trials-csv`), and `<out>/summary.csv` across the scenarios of the batch. Floats
//! are written in Rust's shortest round-trip form (`{}`: `37.58123`, `1480000000000`), the
//! same at any thread count; a missing value (NaN) is an empty cell. Small files go through
//! `report::write_atomic`; `trials.csv` and shard files stream to a temporary name in the
//! same folder and are renamed when complete.
//!
//! **Shards** write `<out>/<scenario>/shard-K-of-N/`: `units.csv` (every trial's figures,
//! round-trip exact), `points.jsonl` (per point: its summary cells, plan labels,
//! infeasibility and tornado rows, written by the shard owning the point's first unit) and
//! `manifest.json` (written last). [`merge()`] replays the units of all shards in order
//! through the same [`Summarizer`] a single run uses, so the merged files are byte-identical.
//!
//! **Report.** Everything in the report comes from the trials, the point records and the
//! manifest, never from the clock or the thread count, so a merge of shards gives the same
//! report as a single run, byte for byte: the question ([`Scenario::question`], else the
//! scenario name) and the assumptions ([`assumptions`]) are carried in shard manifests.
//!
//! [`Scenario::question`]: crate::scenario::Scenario::question

pub mod export;
pub mod labels;
pub mod layout;
pub mod merge;
pub mod record;
pub mod runner;
pub mod shard;
pub mod size;
pub mod summarize;

pub use crate::format::{fmt_f64, input_number};
pub use labels::{assumptions, compact_value, describe_dist, point_label, ReportMeta};
pub use layout::{planned_trials, Shard, CHUNK_TRIALS};
pub use merge::merge;
pub use record::{NominalRecord, PointRecord};
pub use runner::{run_scenario, write_combined, write_report, Ran, RunOptions};
pub use shard::ShardOutcome;
pub use size::SweepSize;
pub use summarize::{PointOutcome, ScenarioOutcome, Summarizer, MAX_SAMPLES};
