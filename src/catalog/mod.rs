//! The built-in catalogs (GPUs, models, published runs, export rules) and their lookup.
//!
//! The TOML files beside this module are embedded with `include_str!`. A user may add GPUs
//! or models with `--catalog FILE` (same format as `gpus.toml` or `models.toml`, told apart
//! by their keys). Every entry is validated on load: ids unique (also against aliases),
//! every physical figure positive, every entry sourced. Lookups accept ids and aliases and
//! suggest the closest id on a miss.

pub mod gpu;
pub mod model;
pub mod runs;
pub mod stack;

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::DeserializeOwned;

use crate::error::{did_you_mean, InputError, Location};
pub use gpu::{GpuSpec, Precision, UsMarket, RETICLE_LIMIT_MM2};
pub use model::{FfnKind, ModelSpec, MoeSpec};
pub use runs::PublishedRun;
pub use stack::{StackKind, StackSpec};

/// The embedded hardware catalog.
pub const GPUS_TOML: &str = include_str!("gpus.toml");
/// The embedded model catalog.
pub const MODELS_TOML: &str = include_str!("models.toml");
/// The embedded software stacks.
pub const STACKS_TOML: &str = include_str!("stacks.toml");
/// The year whose typical stack answers when neither a stack nor a year is given: the
/// current year. A constant, not the clock, so that answers do not change on 1 January.
pub const CURRENT_YEAR: i32 = 2026;
/// The embedded published training runs.
pub const RUNS_TOML: &str = include_str!("runs.toml");

/// GPUs and models by id, sorted.
#[derive(Debug, Clone)]
pub struct Catalog {
    /// GPUs by id.
    pub gpus: BTreeMap<String, GpuSpec>,
    /// Models by id.
    pub models: BTreeMap<String, ModelSpec>,
    /// Software stacks by id.
    pub stacks: BTreeMap<String, StackSpec>,
}

/// Parse `src` as TOML tables keyed by id, naming `file` in errors.
fn parse_tables<T: DeserializeOwned>(
    src: &str,
    file: &str,
) -> Result<BTreeMap<String, T>, InputError> {
    toml::from_str::<BTreeMap<String, T>>(src).map_err(|e| {
        let err = InputError::from_toml(src, &e).in_file(file);
        let err = match entry_key_path(src, &e) {
            Some(path) => err.at_key(path),
            None => err,
        };
        if e.message().starts_with("missing field") {
            err.with_hint("every entry needs this key (`source` cites where the figures come from)")
        } else {
            err
        }
    })
}

/// The entry and key a catalog parse error is about (issue 12: a missing `source` or a
/// wrongly typed value named neither): the `[entry]` above the error, and the missing
/// field or the key of the error's line.
fn entry_key_path(src: &str, e: &toml::de::Error) -> Option<String> {
    let start = e.span()?.start.min(src.len());
    let start = (0..=start).rev().find(|i| src.is_char_boundary(*i))?;
    let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[start..].find('\n').map_or(src.len(), |i| start + i);
    let unquote = |s: &str| s.trim().trim_matches('"').trim_matches('\'').to_string();
    let header = |l: &str| {
        let t = l.trim();
        (t.starts_with('[') && !t.starts_with("[["))
            .then(|| unquote(t.trim_start_matches('[').split(']').next().unwrap_or("")))
    };
    let this_line = &src[line_start..line_end];
    let entry = header(this_line).or_else(|| src[..line_start].lines().rev().find_map(header))?;
    let key = match e.message().strip_prefix("missing field `") {
        Some(rest) => Some(rest.split('`').next().unwrap_or("").to_string()),
        None => this_line
            .split_once('=')
            .filter(|_| header(this_line).is_none())
            .map(|(k, _)| unquote(k)),
    };
    Some(match key {
        Some(k) if !k.is_empty() => format!("{entry}.{k}"),
        _ => entry,
    })
}

impl Catalog {
    /// The built-in catalog.
    ///
    /// # Panics
    /// Never in a released build: the embedded files are checked by the test suite.
    pub fn builtin() -> Catalog {
        let mut c = Catalog {
            gpus: BTreeMap::new(),
            models: BTreeMap::new(),
            stacks: BTreeMap::new(),
        };
        c.add_gpus(GPUS_TOML, "<built-in gpus.toml>")
            .expect("built-in gpus.toml is valid");
        c.add_models(MODELS_TOML, "<built-in models.toml>")
            .expect("built-in models.toml is valid");
        c.add_stacks(STACKS_TOML, "<built-in stacks.toml>")
            .expect("built-in stacks.toml is valid");
        c
    }

    /// Add software-stack entries from TOML text (the format of `stacks.toml`).
    pub fn add_stacks(&mut self, src: &str, file: &str) -> Result<(), InputError> {
        let entries: BTreeMap<String, StackSpec> = parse_tables(src, file)?;
        for (id, mut stack) in entries {
            let here = |key: Option<&str>| Location::of_key(src, &[id.as_str()], key);
            let fail = |key: &str, msg: String, hint: &str| {
                InputError::new(msg)
                    .in_file(file)
                    .at_key(format!("{id}.{key}"))
                    .at(here(Some(key)))
                    .with_hint(hint.to_string())
            };
            check_id(&id).map_err(|e| e.in_file(file).at_key(id.clone()).at(here(None)))?;
            for (key, v) in stack.fractions() {
                if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                    return Err(fail(
                        key,
                        format!("must be a fraction between 0 and 1, got {v}"),
                        "overlaps, shares and overheads are fractions",
                    ));
                }
            }
            let o = stack.overhead;
            if !(o.low <= o.mode && o.mode <= o.high && o.high < 0.95) {
                return Err(fail(
                    "overhead",
                    format!(
                        "needs low ≤ mode ≤ high < 0.95, got ({}, {}, {})",
                        o.low, o.mode, o.high
                    ),
                    "the overhead is a fraction of wall time outside training steps",
                ));
            }
            // Bounds a user stack file must keep (a review finding: any positive value used
            // to pass). `(0, hi]` unless the low end is given; each hint says why.
            for (key, v, lo, hi, why) in [
                ("gemm_factor", stack.gemm_factor, 0.0, 1.0, "training-shape GEMM throughput ÷ best-shape throughput cannot exceed 1"),
                ("comm_factor", stack.comm_factor, 0.0, 2.0, "a multiplier on each link's achieved bandwidth fraction; the built-in stacks use 1"),
                ("time_factor", stack.time_factor, 0.0, 5.0, "a fitted whole-run time multiplier; the built-in fits are 1 and 1.192"),
                ("error.log_sd", stack.error.log_sd, 0.0, 2.0, "log_sd 2 already gives a p5–p95 band of 27× each way"),
            ] {
                if !(v.is_finite() && v > lo && v <= hi) {
                    return Err(fail(key, format!("must be above {lo} and at most {hi}, got {v}"), why));
                }
            }
            if !(stack.fp8_overhead.is_finite() && (0.0..=1.0).contains(&stack.fp8_overhead)) {
                return Err(fail(
                    "fp8_overhead",
                    format!("must be between 0 and 1, got {}", stack.fp8_overhead),
                    "FP8 GEMM time × (1 + overhead): at 1 FP8 already gains nothing over BF16",
                ));
            }
            if stack.kind == StackKind::Typical {
                if let Some(other) = self
                    .stacks
                    .values()
                    .find(|s| s.kind == StackKind::Typical && s.year == stack.year)
                {
                    return Err(fail(
                        "year",
                        format!("{} already has a typical stack, `{}`", stack.year, other.id),
                        "`--year` picks the one typical stack of a year; make this one `kind = \"named\"`",
                    ));
                }
            }
            if stack.max_tp == 0
                || stack.max_pp == 0
                || stack.max_interleave == 0
                || stack.max_zero_stage > 3
            {
                return Err(fail(
                    "max_tp",
                    "max_tp, max_pp and max_interleave must be at least 1, max_zero_stage at most 3".into(),
                    "1 means the stack does not use that kind of parallelism",
                ));
            }
            if stack.source.trim().is_empty() {
                return Err(fail(
                    "source",
                    "is empty".into(),
                    "cite where the figures come from",
                ));
            }
            if self.stacks.contains_key(&id) {
                return Err(InputError::new(format!("`{id}` is already a stack id"))
                    .in_file(file)
                    .at_key(id.clone())
                    .at(here(None))
                    .with_hint("give the new stack an id of its own"));
            }
            stack.id = id.clone();
            self.stacks.insert(id, stack);
        }
        Ok(())
    }

    /// Look up a software stack by id (case-insensitive).
    pub fn stack(&self, name: &str) -> Result<&StackSpec, InputError> {
        let lower = name.to_ascii_lowercase();
        if let Some(s) = self.stacks.get(&lower) {
            return Ok(s);
        }
        let mut e = InputError::new(format!("unknown software stack `{name}`"));
        e = match did_you_mean(&lower, self.stacks.keys().map(String::as_str)) {
            Some(s) => e.with_hint(format!(
                "did you mean `{s}`? `trainsim catalog stacks` lists them all"
            )),
            None => e.with_hint("`trainsim catalog stacks` lists the known stacks"),
        };
        Err(e)
    }

    /// The years with a typical stack, first and last.
    pub fn typical_years(&self) -> (i32, i32) {
        let years = self
            .stacks
            .values()
            .filter(|s| s.kind == StackKind::Typical)
            .map(|s| s.year);
        let lo = years.clone().min().unwrap_or(CURRENT_YEAR);
        let hi = years.max().unwrap_or(CURRENT_YEAR);
        (lo, hi)
    }

    /// The typical stack of `year`.
    pub fn stack_for_year(&self, year: i32) -> Result<&StackSpec, InputError> {
        let (lo, hi) = self.typical_years();
        self.stacks
            .values()
            .find(|s| s.kind == StackKind::Typical && s.year == year)
            .ok_or_else(|| {
                InputError::new(format!("no typical software stack for year {year}"))
                    .with_hint(format!(
                        "years {lo}–{hi} have one; or name a stack (`--stack`, or `stack` in a scenario; `trainsim catalog stacks`)"
                    ))
            })
    }

    /// The stack a question uses: `stack` if given, else the typical stack of `year`, else
    /// of [`CURRENT_YEAR`].
    pub fn resolve_stack(
        &self,
        stack: Option<&str>,
        year: Option<i32>,
    ) -> Result<&StackSpec, InputError> {
        match (stack, year) {
            (Some(s), _) => self.stack(s),
            (None, Some(y)) => self.stack_for_year(y),
            (None, None) => self.stack_for_year(CURRENT_YEAR),
        }
    }

    /// The built-in catalog extended with user files.
    pub fn with_user_files(files: &[impl AsRef<Path>]) -> Result<Catalog, InputError> {
        let mut c = Catalog::builtin();
        for f in files {
            c.add_user_file(f.as_ref())?;
        }
        Ok(c)
    }

    /// Add the GPUs or models of a user file; told apart by whether its first table has
    /// `bf16_dense_tflops` (a GPU) or `layers` (a model).
    pub fn add_user_file(&mut self, path: &Path) -> Result<(), InputError> {
        let name = path.display().to_string();
        let src = read_text(path)?;
        let value: toml::Table =
            toml::from_str(&src).map_err(|e| InputError::from_toml(&src, &e).in_file(path))?;
        let first = value.values().find_map(|v| v.as_table());
        match first {
            Some(t) if t.contains_key("layers") => self.add_models(&src, &name),
            Some(t) if t.contains_key("flash_attention") => self.add_stacks(&src, &name),
            Some(_) => self.add_gpus(&src, &name),
            None => Err(InputError::new("the catalog file holds no entries")
                .in_file(path)
                .with_hint("write one table per id, e.g. `[my-gpu]` followed by its keys, as in the README")),
        }
    }

    /// Add GPU entries from TOML text.
    pub fn add_gpus(&mut self, src: &str, file: &str) -> Result<(), InputError> {
        let entries: BTreeMap<String, GpuSpec> = parse_tables(src, file)?;
        for (id, mut gpu) in entries {
            let here = |key: Option<&str>| Location::of_key(src, &[id.as_str()], key);
            let fail = |key: &str, msg: String, hint: &str| {
                InputError::new(msg)
                    .in_file(file)
                    .at_key(format!("{id}.{key}"))
                    .at(here(Some(key)))
                    .with_hint(hint.to_string())
            };
            check_id(&id).map_err(|e| e.in_file(file).at_key(id.clone()).at(here(None)))?;
            for (key, value) in gpu.physical_figures() {
                if let Some(v) = value {
                    if !(v.is_finite() && v > 0.0) {
                        return Err(fail(
                            key,
                            format!("must be a positive number, got {v}"),
                            "physical figures are positive; leave a key out when it is not published",
                        ));
                    }
                }
            }
            if gpu.source.trim().is_empty() {
                return Err(fail(
                    "source",
                    "is empty".into(),
                    "cite where the figures come from",
                ));
            }
            for name in std::iter::once(&id).chain(gpu.aliases.iter()) {
                if let Some(owner) = self.gpu_owner(name) {
                    return Err(InputError::new(format!(
                        "`{name}` is already the id or alias of `{owner}`"
                    ))
                    .in_file(file)
                    .at_key(id.clone())
                    .at(here(None))
                    .with_hint("give the new entry an id and aliases of its own"));
                }
            }
            gpu.id = id.clone();
            self.gpus.insert(id, gpu);
        }
        Ok(())
    }

    /// Add model entries from TOML text.
    pub fn add_models(&mut self, src: &str, file: &str) -> Result<(), InputError> {
        let entries: BTreeMap<String, ModelSpec> = parse_tables(src, file)?;
        for (id, mut model) in entries {
            let loc = Location::of_key(src, &[id.as_str()], None);
            check_id(&id).map_err(|e| e.in_file(file).at_key(id.clone()).at(loc))?;
            model.validate().map_err(|mut e| {
                let key = e.key.take().unwrap_or_default();
                let at = Location::of_key(
                    src,
                    &[id.as_str()],
                    Some(key.rsplit('.').next().unwrap_or("")),
                );
                e.key = Some(format!("{id}.{key}"));
                e.in_file(file).at(at.or(loc))
            })?;
            if self.models.contains_key(&id) {
                return Err(
                    InputError::new(format!("model `{id}` is already in the catalog"))
                        .in_file(file)
                        .at_key(id.clone())
                        .at(loc)
                        .with_hint("give the new entry an id of its own"),
                );
            }
            model.id = id.clone();
            self.models.insert(id, model);
        }
        Ok(())
    }

    fn gpu_owner(&self, name: &str) -> Option<&str> {
        self.gpus
            .values()
            .find(|g| g.id == name || g.aliases.iter().any(|a| a == name))
            .map(|g| g.id.as_str())
    }

    /// Look up a GPU by id or alias (case-insensitive).
    pub fn gpu(&self, name: &str) -> Result<&GpuSpec, InputError> {
        let lower = name.to_ascii_lowercase();
        if let Some(owner) = self.gpu_owner(&lower) {
            return Ok(&self.gpus[owner]);
        }
        let names = self.gpus.values().flat_map(|g| {
            std::iter::once(g.id.as_str()).chain(g.aliases.iter().map(String::as_str))
        });
        let mut e = InputError::new(format!("unknown GPU `{}`", crate::error::echo(name)));
        e = match did_you_mean(&lower, names) {
            Some(s) => e.with_hint(format!(
                "did you mean `{s}`? `trainsim catalog gpus` lists them all"
            )),
            None => e.with_hint("`trainsim catalog gpus` lists the known GPUs"),
        };
        Err(e)
    }

    /// Look up a model by id (case-insensitive).
    pub fn model(&self, name: &str) -> Result<&ModelSpec, InputError> {
        let lower = name.to_ascii_lowercase();
        if let Some(m) = self.models.get(&lower) {
            return Ok(m);
        }
        let mut e = InputError::new(format!("unknown model `{}`", crate::error::echo(name)));
        e = match did_you_mean(&lower, self.models.keys().map(String::as_str)) {
            Some(s) => e.with_hint(format!(
                "did you mean `{s}`? `trainsim catalog models` lists them all"
            )),
            None => e.with_hint(
                "`trainsim catalog models` lists the known models, or pass a model file",
            ),
        };
        Err(e)
    }

    /// A model by catalog id, or from a TOML model file when `name` ends in `.toml` or is a
    /// path that exists.
    pub fn model_or_file(&self, name: &str) -> Result<ModelSpec, InputError> {
        // A catalog id is looked up without asking the file system (`trainsim serve` must
        // not touch it: its requests' model ids come here).
        if let Some(m) = self.models.get(name) {
            if !name.ends_with(".toml") {
                return Ok(m.clone());
            }
        }
        let path = Path::new(name);
        if name.ends_with(".toml") || (path.exists() && path.is_file()) {
            return load_model_file(path);
        }
        self.model(name).cloned()
    }
}

/// Read a file as UTF-8 text, with an input error naming it.
pub fn read_text(path: &Path) -> Result<String, InputError> {
    let bytes = std::fs::read(path).map_err(|e| {
        InputError::new(format!("cannot read the file: {e}"))
            .in_file(path)
            .with_hint("check the path")
    })?;
    String::from_utf8(bytes).map_err(|e| {
        InputError::new(format!(
            "is not UTF-8 text (invalid byte at offset {})",
            e.utf8_error().valid_up_to()
        ))
        .in_file(path)
        .with_hint("pass a TOML text file")
    })
}

/// Load a model file (DESIGN.md §3 model-file format).
pub fn load_model_file(path: &Path) -> Result<ModelSpec, InputError> {
    parse_model_text(&read_text(path)?, path)
}

/// Parse a model file's text from memory, naming `path` in errors and taking the id from its
/// stem when the file has no `name` (`trainsim serve` passes a pasted model this way).
pub fn parse_model_text(src: &str, path: &Path) -> Result<ModelSpec, InputError> {
    let src = src.to_owned();
    let mut model: ModelSpec =
        toml::from_str(&src).map_err(|e| InputError::from_toml(&src, &e).in_file(path))?;
    model.validate().map_err(|e| {
        let key = e.key.clone().unwrap_or_default();
        let at = Location::of_key(&src, &[], Some(key.rsplit('.').next().unwrap_or("")));
        e.in_file(path).at(at)
    })?;
    // The file's `name` names the model, as an inline `[model]` table's does; the file
    // stem only when the name is empty (issue 12: the name was ignored).
    model.id = if model.name.trim().is_empty() {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default()
    } else {
        model.name.clone()
    };
    Ok(model)
}

fn check_id(id: &str) -> Result<(), InputError> {
    let ok = !id.is_empty()
        && id.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' || c == '_'
        });
    if ok {
        Ok(())
    } else {
        Err(InputError::new(format!(
            "id `{id}` must be lower-case letters, digits, `-`, `.` or `_`"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Table ids in the order they appear in a catalog file.
    fn ids_in_file_order(src: &str) -> Vec<String> {
        src.lines()
            .filter(|l| l.starts_with('[') && !l.starts_with("[["))
            .map(|l| {
                l.trim_matches(|c| c == '[' || c == ']')
                    .trim_matches('"')
                    .to_string()
            })
            .filter(|id| !id.contains("\".") && !id.ends_with(".moe"))
            .collect()
    }

    #[test]
    fn catalog_ids_are_sorted_and_unique() {
        for src in [GPUS_TOML, MODELS_TOML] {
            let ids = ids_in_file_order(src);
            assert!(ids.len() > 10);
            let mut sorted = ids.clone();
            sorted.sort();
            sorted.dedup();
            assert_eq!(ids, sorted, "ids must be sorted and unique");
        }
    }

    #[test]
    fn every_entry_is_sourced_and_physical() {
        let c = Catalog::builtin();
        for g in c.gpus.values() {
            assert!(g.source.len() > 10, "{} has no source", g.id);
            for (key, v) in g.physical_figures() {
                if let Some(v) = v {
                    assert!(v.is_finite() && v > 0.0, "{}.{key} = {v}", g.id);
                }
            }
            assert!(g.hbm_tb_per_s > 0.0 && g.bf16_dense_tflops > 0.0);
        }
        for m in c.models.values() {
            assert!(
                m.source.as_deref().is_some_and(|s| s.len() > 10),
                "{} has no source",
                m.id
            );
        }
    }

    #[test]
    fn design_ids_and_aliases_resolve() {
        let c = Catalog::builtin();
        for id in [
            "a100-sxm-40gb",
            "a100-sxm-80gb",
            "a800-sxm-80gb",
            "h100-sxm-80gb",
            "h800-sxm-80gb",
            "h20",
            "h200-sxm-141gb",
            "b200",
            "v100-sxm2-32gb",
            "ascend-910b",
            "ascend-910c",
            "mi300x",
            "a100",
            "h100",
            "h800",
        ] {
            assert!(c.gpu(id).is_ok(), "{id}");
        }
        assert_eq!(c.gpu("H100").unwrap().id, "h100-sxm-80gb");
        for id in [
            "gpt3-175b",
            "llama2-7b",
            "llama2-70b",
            "llama3.1-8b",
            "llama3.1-70b",
            "llama3.1-405b",
            "deepseek-v3",
            "hunyuan-large",
            "qwen2.5-72b",
            "mixtral-8x22b",
            "megatron-1t",
        ] {
            assert!(c.model(id).is_ok(), "{id}");
        }
    }

    const GOOD: &str = "[my-gpu]\nname = \"X\"\nvendor = \"Y\"\nbf16_dense_tflops = 100.0\nhbm_gib = 64.0\n\
                        hbm_tb_per_s = 2.0\nintra_node_gb_per_s = 400.0\ngpus_per_node = 8\nsource = \"datasheet\"\n";

    fn add(src: &str) -> Result<(), InputError> {
        Catalog::builtin().add_gpus(src, "mine.toml")
    }

    #[test]
    fn a_good_user_gpu_is_added() {
        let mut c = Catalog::builtin();
        c.add_gpus(GOOD, "mine.toml").unwrap();
        assert_eq!(c.gpu("my-gpu").unwrap().bf16_dense_tflops, 100.0);
    }

    #[test]
    fn bad_user_catalogs_name_file_key_line_and_hint() {
        let e = add(&GOOD.replace("vendor", "vendr")).unwrap_err();
        let msg = e.to_string();
        assert!(msg.starts_with("mine.toml:3:1: "), "{msg}");
        assert!(
            msg.contains("unknown field `vendr`") && msg.contains("hint:"),
            "{msg}"
        );

        let e = add(&GOOD.replace("hbm_gib = 64.0", "hbm_gib = \"64\""))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("mine.toml:5:") && e.contains("invalid type") && e.contains("hint:"),
            "{e}"
        );

        let e = add(&GOOD.replace("hbm_tb_per_s = 2.0", "hbm_tb_per_s = -2.0"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "mine.toml:6:1: `my-gpu.hbm_tb_per_s`: must be a positive number, got -2\n  hint: physical figures are positive; \
             leave a key out when it is not published"
        );

        let e = add(&GOOD.replace("[my-gpu]", "[h100-sxm-80gb]"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("mine.toml:1:1: `h100-sxm-80gb`: `h100-sxm-80gb` is already the id"),
            "{e}"
        );

        let e = add(&format!("{GOOD}{GOOD}")).unwrap_err().to_string();
        assert!(
            e.contains("duplicate key") && e.starts_with("mine.toml:10:"),
            "{e}"
        );
    }

    #[test]
    fn unknown_gpu_suggests_the_closest_id() {
        let e = Catalog::builtin().gpu("h100-sxm").unwrap_err().to_string();
        assert_eq!(e, "unknown GPU `h100-sxm`\n  hint: did you mean `h100-sxm-80gb`? `trainsim catalog gpus` lists them all");
    }
}
