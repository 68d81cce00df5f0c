//! Output for people and scripts: aligned tables, number formatting, CSV and JSON writers,
//! and atomic file writes. Nothing here computes a result.

pub mod chart;
pub mod html;
pub mod names;
pub mod table;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub use chart::{
    draw_all, Band, ChartError, ChartFile, ChartKind, CostBreakdown, PointResult, PointSensitivity,
    Quantiles, ScenarioResult, Sensitivity,
};
pub use html::{render_report, HtmlError};
pub use table::Table;

pub use crate::format::grouped;

/// A figure for a table: `n/p` (not published) when absent, else with `digits` decimals.
pub fn opt(v: Option<f64>, digits: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.digits$}"),
        _ => "n/p".to_string(),
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

/// Temporary files being written now: [`remove_temp_files`] deletes them when the process
/// is interrupted (issue 12: an interrupted run left `.trials.csv.<pid>.tmp` behind).
static LIVE_TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// The temporary name `path` is written under before its rename (`.NAME.PID.tmp` in the
/// same folder, so the rename is atomic); the folder is created and the name registered
/// for [`remove_temp_files`] until [`temp_done`].
pub(crate) fn temp_path(path: &Path) -> std::io::Result<PathBuf> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    if let Ok(mut live) = LIVE_TEMPS.lock() {
        live.push(tmp.clone());
    }
    Ok(tmp)
}

/// `tmp` (from [`temp_path`]) was renamed or removed: forget it.
pub(crate) fn temp_done(tmp: &Path) {
    if let Ok(mut live) = LIVE_TEMPS.lock() {
        if let Some(i) = live.iter().position(|p| p == tmp) {
            live.swap_remove(i);
        }
    }
}

/// Delete every temporary file this process is writing (for an interrupt: the binary calls
/// it on SIGINT, SIGTERM and SIGHUP before it exits).
pub fn remove_temp_files() {
    let live = match LIVE_TEMPS.lock() {
        Ok(l) => l,
        Err(poisoned) => poisoned.into_inner(),
    };
    for p in live.iter() {
        let _ = std::fs::remove_file(p);
    }
}

/// Whether a file name is one of our temporary names, `.NAME.PID.tmp`; the PID if so.
fn temp_owner(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(".tmp")?;
    let (name, pid) = rest.rsplit_once('.')?;
    if name.is_empty() || pid.is_empty() || !pid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    pid.parse().ok()
}

/// Whether process `pid` still runs (then its temporary files are not stale).
fn process_alive(pid: u32) -> bool {
    if pid == std::process::id() {
        return true;
    }
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return false;
        };
        // SAFETY: signal 0 only checks that the process exists; nothing is sent.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        true
    }
}

/// Remove the temporary files (`.NAME.PID.tmp`) a killed earlier run left in `dir`, those
/// of processes that no longer run; returns how many. Errors are ignored: this is tidying.
pub fn remove_stale_temps(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(pid) = name.to_str().and_then(temp_owner) else {
            continue;
        };
        if !process_alive(pid) && e.file_type().is_ok_and(|t| t.is_file()) {
            removed += usize::from(std::fs::remove_file(e.path()).is_ok());
        }
    }
    removed
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
    let renamed = std::fs::rename(&tmp, path);
    temp_done(&tmp);
    renamed
}
