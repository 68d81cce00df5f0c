//! Resolving a scenario's sweep points, any of them, any number of times ([`Resolver`]):
//! `load` resolves every point once to validate the file and gather its
//! [`super::digest::Digest`]; a sweep of more than [`super::HOLD_POINTS`] points then drops
//! them, and the runner resolves each window's points again (issue 12: 100,000 resolved
//! points held at once took about 300 MB). Resolution is deterministic, so a point resolved
//! again is the point validated.

use std::path::PathBuf;

use rayon::prelude::*;

use super::raw::RawScenario;
use super::{resolve, sweep, Overrides, Point};
use crate::catalog::Catalog;
use crate::error::InputError;

/// Everything a point's resolution reads: the file, its tree without `[sweep]`, the axes,
/// the catalogs and the command-line overrides.
#[derive(Debug)]
pub(crate) struct Resolver {
    pub(crate) src: String,
    pub(crate) file: String,
    pub(crate) dir: Option<PathBuf>,
    pub(crate) raw: RawScenario,
    pub(crate) bare: toml::Table,
    pub(crate) axes: Vec<sweep::Axis>,
    pub(crate) catalog: Catalog,
    pub(crate) overrides: Overrides,
}

impl Resolver {
    /// Sweep points.
    pub(crate) fn count(&self) -> usize {
        sweep::point_count(&self.axes)
    }

    /// Resolve point `i` of the sweep.
    pub(crate) fn point(&self, i: usize) -> Result<Point, InputError> {
        let (file, axes) = (self.file.as_str(), &self.axes);
        let idx = sweep::point_indices(axes, i);
        let mut t = self.bare.clone();
        let mut swept = Vec::with_capacity(axes.len());
        let mut inputs = Vec::with_capacity(axes.len());
        for (a, &j) in axes.iter().zip(&idx) {
            let v = &a.values[j];
            // Checked value by value in `sweep::axes`; a combination cannot fail to set.
            sweep::set_path(&mut t, &a.path, v.clone()).map_err(|m| {
                InputError::new(m)
                    .in_file(file)
                    .at_key(format!("sweep.\"{}\"", a.path))
                    .at(a.location)
            })?;
            swept.push((a.path.clone(), a.location));
            inputs.push(sweep::display_value(v));
        }
        let raw_p: RawScenario = if axes.is_empty() {
            self.raw.clone()
        } else {
            toml::Value::Table(t).try_into().map_err(|e: toml::de::Error| {
                InputError::new(e.message().trim().to_string()).in_file(file).at_key("sweep").with_hint(
                    "a combination of swept values is invalid; check the swept keys together",
                )
            })?
        };
        let ctx = resolve::Ctx {
            file,
            src: &self.src,
            dir: self.dir.as_deref(),
            swept,
        };
        resolve::point(&raw_p, &self.catalog, &ctx, i, inputs, &self.overrides)
    }

    /// Resolve the points `indices`, in parallel, in that order.
    pub(crate) fn points(&self, indices: &[usize]) -> Vec<Result<Point, InputError>> {
        indices.par_iter().map(|&i| self.point(i)).collect()
    }
}
