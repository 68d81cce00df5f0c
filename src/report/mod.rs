//! Output for people and scripts: aligned tables, number formatting, CSV and JSON writers,
//! and atomic file writes. Nothing here computes a result.

pub mod chart;
pub mod html;
pub mod table;

use std::io::Write;
use std::path::Path;

pub use chart::{
    draw_all, ChartError, ChartFile, ChartKind, CostBreakdown, PointResult, Quantiles,
    ScenarioResult, Sensitivity,
};
pub use html::{render_report, HtmlError};
pub use table::Table;

/// A figure for a table: `n/p` (not published) when absent, else with `digits` decimals.
pub fn opt(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.digits$}"),
        _ => "n/p".to_string(),
    }
}

/// A large number with thousands separators, no decimals.
pub fn grouped(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let neg = v < 0.0;
    let s = format!("{:.0}", v.abs());
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if neg {
        format!("-{out}")
    } else {
        out
    }
}

/// Serialize rows as CSV with a header from the row type.
pub fn csv_string<T: serde::Serialize>(rows: &[T]) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    for r in rows {
        w.serialize(r)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// The temporary name `path` is written under before its rename (`.NAME.PID.tmp` in the
/// same folder, so the rename is atomic); the folder is created.
pub(crate) fn temp_path(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(dir.join(format!(".{name}.{}.tmp", std::process::id())))
}

/// Write `contents` to `path` through a temporary file in the same folder and a rename, so
/// an interrupted run never leaves a half-written file.
pub fn write_atomic(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let tmp = temp_path(path)?;
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(contents)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
}
