//! The CSV files of a run, each from a serde row type, so a header and its rows cannot
//! drift: `summary.csv` and the combined summary ([`summary`]), `trials.csv` ([`trials`]),
//! `sensitivity.csv` ([`sensitivity`]) and a shard's `units.csv` ([`units`]). Exporters are
//! pure functions from rows to bytes (or to any writer, for the files that stream), tested
//! with inline snapshots on hand-built rows, as hyperfine's `export/` is. Numbers are
//! [`Cell`]s: shortest round-trip decimal, empty when missing.
//!
//! Writing the bytes to disk is [`AtomicFile`]'s job (a temporary name, renamed when
//! complete) and `crate::report::write_atomic`'s for small files.

pub mod sensitivity;
pub mod summary;
pub mod trials;
pub mod units;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

pub use crate::format::Cell;

/// The column names serde gives a flat row type (its field names, in order).
///
/// # Panics
/// When `T` is not a flat struct of scalars (a programming error, caught by the tests of
/// each row type).
pub fn field_names<T: Serialize + Default>() -> Vec<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(T::default())
        .expect("a row type is a flat struct of scalars");
    let bytes = w.into_inner().expect("writing to memory cannot fail");
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    r.headers()
        .expect("the header just written")
        .iter()
        .map(String::from)
        .collect()
}

/// A CSV writer that writes the header given, then rows serialized without a header of
/// their own (rows whose leading columns are dynamic: the swept inputs).
pub fn writer_with_header<W: Write>(w: W, header: &[String]) -> csv::Result<csv::Writer<W>> {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(w);
    w.write_record(header)?;
    Ok(w)
}

/// A file written under a temporary name in its folder and renamed when complete.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    w: BufWriter<File>,
}

impl AtomicFile {
    /// Start writing `path` (under a temporary name).
    pub fn create(path: &Path) -> std::io::Result<AtomicFile> {
        let tmp = crate::report::temp_path(path)?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            w: BufWriter::new(File::create(&tmp)?),
            tmp,
        })
    }

    /// Flush, sync and rename to the final name.
    pub fn finish(self) -> std::io::Result<()> {
        let f = self.w.into_inner().map_err(|e| e.into_error())?;
        f.sync_all()?;
        let renamed = std::fs::rename(&self.tmp, &self.path);
        crate::report::temp_done(&self.tmp);
        renamed
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.w.write(buf)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}

/// Finish a CSV writer over an [`AtomicFile`]: flush and rename.
pub fn finish_csv(w: csv::Writer<AtomicFile>) -> anyhow::Result<()> {
    let f = w
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{}", e.error()))?;
    f.finish()?;
    Ok(())
}
