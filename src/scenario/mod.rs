//! Scenario files (DESIGN.md §4): TOML → [`raw::RawScenario`] (shape, unknown keys refused)
//! → one [`raw::RawScenario`] per sweep point ([`sweep`]) → [`Point`]s resolved against the
//! catalogs and validated ([`resolve`]). Running them is [`crate::run`]'s job; drawing trials
//! is [`crate::montecarlo`]'s.
//!
//! The format, in short (every key is optional unless marked):
//!
//! ```toml
//! name = "deepseek-v3-on-h20"        # output folder; default: the file stem
//! model = "deepseek-v3"              # required: catalog id, model file (*.toml), or [model] table
//! train_tokens = 14.8e12             # required
//! global_batch_tokens = 62914560     # default: 4 Mi tokens, or one sequence per 8 GPUs
//! seq_len = 4096                     # default: the model's
//! precision = "fp8"                  # bf16 (default), fp16, fp8
//!
//! [fleet]                            # required: gpu + count, or [[fleet.pools]] entries
//! gpu = "h20"
//! count = 20000                      # or budget_usd = 3.4e8: the GPUs that buys (at
//!                                    # nominal prices, `cost::capex_per_gpu_usd`)
//! gpus_per_node = 8                  # default: the catalog's
//! net_gbps_per_gpu = 400             # default: the catalog's
//! # pool keys (here or in each [[fleet.pools]]): budget_usd, channel (purchase, stockpile,
//! # smuggled, cloud, domestic), name, premium, cap, usd_per_gpu_hour, purchase_usd,
//! # rate_per_month, start ("YYYY-MM"), initial
//!
//! [policy]                           # rule = "id", or tpp_min / pd_min /
//! rule = "oct-2023"                  # interconnect_min_gb_per_s / memory_bw_min_tb_per_s /
//!                                    # dram_plus_io_min_gb_per_s
//! disallowed = "refuse"              # or "drop" a purchased pool the rule does not allow
//! reference = { gpu = "h100-sxm-80gb", count = 2048 }   # for the restriction ratios
//! run_gpus = 1000                    # a one-pool build-up's run size
//!
//! [cost]        # basis, usd_per_gpu_hour, purchase_usd, channel_premium, server_overhead,
//!               # interconnect_fraction, amortization_years
//! [efficiency]  # matmul, matmul_scale, attention, memory, nvlink, scaleout, a2a_intra,
//!               # a2a_inter, alpha_intra_s, alpha_inter_s, tp/dp/ep/pp_overlap,
//!               # cp_overlap, comm_sm_fraction, moe_imbalance, layer_overhead_s, mfu,
//!               # flash_attention, sequence_parallel
//! [reliability] # interruptions_per_gpu_hour, checkpoint_bytes_per_param,
//!               # storage_bytes_per_s_per_gpu, restart_s
//! [energy]      # gpu_power_fraction, host_power_fraction, pue, usd_per_kwh
//! [plan]        # tp, pp, dp, ep, cp, micro_batch, recompute, zero_stage, interleave
//! [uncertainty] # trials (default 1000, or 1 without distributions), seed (42), top_k (4)
//! [sweep]       # "dotted.path" = [values...]: cartesian product, last key fastest
//! ```
//!
//! Any number of `[cost]`, `[efficiency]`, `[reliability]`, `[energy]` and `train_tokens`
//! may be a distribution ([`dist`]), and so may a pool's `premium`, `usd_per_gpu_hour` and
//! `purchase_usd`; the whole-number and plan-shaping keys may not ([`keys::NUMBER_KEYS`]).
//! Each point holds its pools ([`Pool`]): the rule's decision (refused, dropped) and the
//! channels' caps are applied here, at resolution, so a point knows which pools run.
//!
//! A loaded scenario holds its resolved points only up to [`HOLD_POINTS`]; what a run
//! needs of every point is gathered at load ([`digest`]), and the points of a larger sweep
//! are resolved again a window at a time ([`Scenario::points_at`], `stream`).

pub mod digest;
pub mod keys;
pub mod raw;
pub mod resolve;
mod stream;
pub mod sweep;

use std::path::Path;
use std::sync::Arc;

use crate::catalog::{read_text, Catalog};
use crate::error::{InputError, Location};
use crate::policy::Rule;
use digest::Digest;
use raw::RawScenario;

/// The distributions of uncertain inputs (a leaf module, re-exported for older paths).
pub use crate::dist;
/// Sweep points and their pools; they live in `montecarlo`, which runs them.
pub use crate::montecarlo::point::{Point, Pool, Uncertain};

/// The built-in scenario `trainsim run` runs without arguments.
pub const DEFAULT_TOML: &str = include_str!("../../scenarios/default.toml");
/// How messages name the built-in scenario.
pub const DEFAULT_FILE: &str = "<built-in scenarios/default.toml>";

/// Sweep points resolved at a time (in parallel) before checking for a failure.
const RESOLVE_BLOCK: usize = 1024;

/// Most sweep points a loaded scenario holds resolved; a larger sweep keeps only its
/// [`Digest`], and its points are resolved again a window at a time when run.
pub const HOLD_POINTS: usize = 4096;

/// Command-line values that replace the scenario's.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    /// `--trials`.
    pub trials: Option<u64>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// Rules of `--rules` files, which `[policy] rule` may name beside the built-in ones.
    pub rules: Vec<Rule>,
}

/// A loaded, validated scenario: its sweep points in order.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Output folder name.
    pub name: String,
    /// The file as named in messages.
    pub file: String,
    /// Swept key paths, in file order (the summary's input columns).
    pub sweep_paths: Vec<String>,
    /// The points, in sweep order, when the sweep has at most [`HOLD_POINTS`] (else empty:
    /// see [`Scenario::points_at`]).
    pub points: Vec<Point>,
    /// What every point contributes to the run and report, gathered at load.
    pub digest: Digest,
    /// Resolves the points again (see [`stream`]).
    resolver: Arc<stream::Resolver>,
    /// A hash of the file text and the overrides, so shards of different inputs are not merged.
    pub fingerprint: u64,
    /// The question the file states in its leading comment ([`leading_question`]); empty
    /// when it states none.
    pub question: String,
}

impl Scenario {
    /// Sweep points.
    pub fn len(&self) -> usize {
        self.digest.points()
    }

    /// Whether the sweep has no point (never, for a loaded scenario).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether [`Scenario::points`] holds every point.
    pub fn holds_points(&self) -> bool {
        self.points.len() == self.len()
    }

    /// Points `indices`, resolved again (in parallel): the same points `load` validated.
    pub fn points_at(&self, indices: &[usize]) -> Result<Vec<Point>, InputError> {
        self.resolver.points(indices).into_iter().collect()
    }

    /// Drop the resolved points, as a sweep of more than [`HOLD_POINTS`] does at load
    /// (for tests: the outputs must not change).
    pub fn release_points(&mut self) {
        debug_assert_eq!(self.resolver.count(), self.len());
        self.points = Vec::new();
    }
}

/// Load and validate a scenario file.
pub fn load(path: &Path, catalog: &Catalog, overrides: &Overrides) -> Result<Scenario, InputError> {
    let src = read_text(path)?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned());
    load_str(
        &src,
        &path.display().to_string(),
        path.parent(),
        stem.as_deref(),
        catalog,
        overrides,
    )
}

/// Load the built-in default scenario.
pub fn load_default(catalog: &Catalog, overrides: &Overrides) -> Result<Scenario, InputError> {
    load_str(
        DEFAULT_TOML,
        DEFAULT_FILE,
        None,
        Some("default"),
        catalog,
        overrides,
    )
}

/// The question a scenario file states in its leading `#` comment block (the report's
/// headline): the paragraph that starts with `Question:` (without the prefix), else the
/// block's first paragraph; lines joined by spaces. Paragraphs are separated by empty
/// comment lines. Empty when the file does not start (after blank lines) with a comment.
pub fn leading_question(src: &str) -> String {
    let mut paragraphs: Vec<Vec<&str>> = vec![Vec::new()];
    for line in src.lines().skip_while(|l| l.trim().is_empty()) {
        let Some(text) = line.trim().strip_prefix('#') else {
            break;
        };
        let text = text.trim_start_matches('#').trim();
        match paragraphs.last_mut() {
            Some(p) if !text.is_empty() => p.push(text),
            Some(p) if !p.is_empty() => paragraphs.push(Vec::new()),
            _ => {}
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    let asked = paragraphs.iter().find_map(|p| {
        let rest = p[0].strip_prefix("Question:")?.trim_start();
        let mut first = rest.chars();
        let head: String = first
            .next()
            .map(|c| c.to_uppercase().collect())
            .unwrap_or_default();
        let mut lines = vec![format!("{head}{}", first.as_str())];
        lines.extend(p[1..].iter().map(|l| l.to_string()));
        Some(lines.join(" "))
    });
    asked
        .or_else(|| paragraphs.first().map(|p| p.join(" ")))
        .unwrap_or_default()
}

/// FNV-1a, 64 bits: a stable hash for fingerprints.
pub fn fnv1a(bytes: &[u8], mut h: u64) -> u64 {
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The dotted key a TOML parse error at byte `offset` is about, read from the text: the
/// enclosing `[table]`, the key of the line, and the word under the offset inside an
/// inline table.
fn key_at(src: &str, offset: usize) -> Option<String> {
    let offset = offset.min(src.len());
    if !src.is_char_boundary(offset) {
        return None;
    }
    let line_start = src[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[offset..].find('\n').map_or(src.len(), |i| offset + i);
    let line = &src[line_start..line_end];
    let unquote = |s: &str| s.trim().trim_matches('"').trim_matches('\'').to_string();
    let mut table = String::new();
    for l in src[..line_start].lines() {
        let t = l.trim();
        if t.starts_with('[') {
            let head = t
                .split('#')
                .next()
                .unwrap_or("")
                .trim()
                .trim_start_matches('[')
                .trim_end_matches(']');
            table = head.split('.').map(unquote).collect::<Vec<_>>().join(".");
        }
    }
    let trimmed = line.trim_start();
    if trimmed.starts_with('[') {
        let head = trimmed
            .split('#')
            .next()
            .unwrap_or("")
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']');
        return Some(head.split('.').map(unquote).collect::<Vec<_>>().join("."))
            .filter(|s| !s.is_empty());
    }
    let eq = line.find('=')?;
    let mut parts: Vec<String> = Vec::new();
    if !table.is_empty() {
        parts.push(table);
    }
    parts.push(unquote(&line[..eq]));
    let col = offset - line_start;
    if let Some(brace) = line.find('{') {
        if col > brace {
            let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
            let before = &line[..col];
            let start = before
                .char_indices()
                .rfind(|(_, c)| !is_word(*c))
                .map_or(0, |(i, c)| i + c.len_utf8());
            let end = line[col..]
                .find(|c: char| !is_word(c))
                .map_or(line.len(), |i| col + i);
            let word = &line[start..end];
            let after = line[end..].trim_start();
            if !word.is_empty() && after.starts_with('=') {
                parts.push(word.to_string());
            }
        }
    }
    let key = parts.join(".");
    (!key.is_empty()).then_some(key)
}

fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 100
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
    if ok {
        Ok(())
    } else {
        Err(format!("`{name}` cannot name an output folder"))
    }
}

/// Load a scenario from text. `file` names it in messages; `dir` is where relative model
/// files are read from; `default_name` names it when the file has no `name`.
pub fn load_str(
    src: &str,
    file: &str,
    dir: Option<&Path>,
    default_name: Option<&str>,
    catalog: &Catalog,
    overrides: &Overrides,
) -> Result<Scenario, InputError> {
    if src.trim().is_empty() {
        return Err(InputError::new("the file is empty").in_file(file).with_hint(
            "a scenario needs at least `model`, `train_tokens` and a [fleet] with `gpu` and `count`; see scenarios/default.toml",
        ));
    }
    let parse_err = |e: toml::de::Error| {
        let key = e.span().and_then(|s| key_at(src, s.start));
        let mut err = InputError::from_toml(src, &e).in_file(file);
        if let Some(k) = key {
            err = err.at_key(k);
        }
        err.with_hint("see scenarios/README.md for the scenario format")
    };
    let raw: RawScenario = toml::from_str(src).map_err(parse_err)?;
    let base: toml::Table = toml::from_str(src).map_err(parse_err)?;

    let name = match (&raw.name, default_name) {
        (Some(n), _) => n.clone(),
        (None, Some(n)) => n.to_string(),
        (None, None) => String::new(),
    };
    check_name(&name).map_err(|m| {
        InputError::new(m)
            .in_file(file)
            .at_key("name")
            .at(Location::of_key(src, &[], Some("name")))
            .with_hint("use letters, digits, `-`, `_` and `.`, e.g. name = \"deepseek-v3-on-h20\"")
    })?;

    // The tree without `[sweep]`, copied once per value and once per point: copying the
    // value lists with it made large sweeps quadratic (issue 12).
    let mut bare = base;
    bare.remove("sweep");
    let axes = sweep::axes(&raw, &bare, src, file)?;
    let n = sweep::point_count(&axes);
    let sweep_paths: Vec<String> = axes.iter().map(|a| a.path.clone()).collect();
    let resolver = stream::Resolver {
        src: src.to_string(),
        file: file.to_string(),
        dir: dir.map(Path::to_path_buf),
        raw,
        bare,
        axes,
        catalog: catalog.clone(),
        overrides: overrides.clone(),
    };
    // Resolve in parallel, a block at a time in sweep order, and report the first failing
    // point: a file whose every point fails (a bad key outside the sweep) stops after one
    // block instead of locating the same error in the text once per point. A sweep of more
    // than `HOLD_POINTS` keeps only the digest; the runner resolves its points again.
    let hold = n <= HOLD_POINTS;
    let mut points = Vec::with_capacity(if hold { n } else { 0 });
    let mut digest = Digest::default();
    for start in (0..n).step_by(RESOLVE_BLOCK) {
        let block: Vec<usize> = (start..n.min(start + RESOLVE_BLOCK)).collect();
        for r in resolver.points(&block) {
            let p = r?;
            digest.add(&p);
            if hold {
                points.push(p);
            }
        }
    }

    let mut h = fnv1a(src.as_bytes(), 0xcbf2_9ce4_8422_2325);
    h = fnv1a(
        format!("{:?}|{}", overrides, env!("CARGO_PKG_VERSION")).as_bytes(),
        h,
    );
    Ok(Scenario {
        name,
        file: file.to_string(),
        sweep_paths,
        points,
        digest,
        resolver: Arc::new(resolver),
        fingerprint: h,
        question: leading_question(src),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(src: &str) -> Result<Scenario, InputError> {
        load_str(
            src,
            "s.toml",
            None,
            Some("s"),
            &Catalog::builtin(),
            &Overrides::default(),
        )
    }

    const SMALL: &str =
        "model = \"llama3.1-8b\"\ntrain_tokens = 1e12\n[fleet]\ngpu = \"h100\"\ncount = 64\n";

    #[test]
    fn a_minimal_scenario_matches_the_estimate_defaults() {
        let s = load(SMALL).unwrap();
        assert_eq!(s.name, "s");
        assert_eq!(s.points.len(), 1);
        let p = &s.points[0];
        // The default stack's fitted model error is the one uncertain input, so the point
        // runs the default 1,000 trials.
        assert_eq!(p.trials, 1000);
        let paths: Vec<&str> = p.uncertain.iter().map(|u| u.path).collect();
        assert_eq!(paths, ["model_error"]);
        assert_eq!(p.question.gpu.id, "h100-sxm-80gb");
        assert_eq!(
            p.question.global_batch_tokens,
            crate::estimate::default_global_batch_tokens(64, p.question.seq_len)
        );
        // The same stack `trainsim estimate` applies by default: the current year's.
        let c = Catalog::builtin();
        let stack = c.resolve_stack(None, None).unwrap();
        assert_eq!(stack.id, "typical-2026");
        assert_eq!(
            p.question.efficiency,
            crate::perf::assumptions::stack_efficiency(
                stack,
                &p.question.gpu,
                p.question.precision
            )
        );
        assert_eq!(
            p.question.stack.as_ref().map(|s| s.id.as_str()),
            Some("typical-2026")
        );
    }

    #[test]
    fn sweeps_expand_in_order() {
        let s = load(&format!(
            "{SMALL}[sweep]\n\"fleet.gpu\" = [\"h100\", \"a100-sxm-80gb\"]\n\"fleet.count\" = [8, 16]\n"
        ))
        .unwrap();
        let got: Vec<(String, u64)> = s
            .points
            .iter()
            .map(|p| (p.question.gpu.id.clone(), p.question.gpus))
            .collect();
        assert_eq!(
            got,
            [
                ("h100-sxm-80gb".into(), 8),
                ("h100-sxm-80gb".into(), 16),
                ("a100-sxm-80gb".into(), 8),
                ("a100-sxm-80gb".into(), 16)
            ]
        );
        assert_eq!(s.points[3].inputs, ["a100-sxm-80gb", "16"]);
    }

    #[test]
    fn errors_name_file_key_line_and_hint() {
        let e = load(&format!("{SMALL}bogus = 1\n")).unwrap_err();
        assert_eq!(e.key.as_deref(), Some("fleet.bogus"));
        assert_eq!(e.location, Some(Location { line: 6, column: 1 }));
        let e = load(&SMALL.replace("count = 64", "count = -8")).unwrap_err();
        assert_eq!(e.to_string(), "s.toml:5:1: `fleet.count`: must be a positive whole number, got -8\n  hint: physically impossible: this quantity must be above zero");
        let e = load(&format!(
            "{SMALL}[sweep]\n\"fleet.gpu\" = [\"h100\", \"h100-sxm\"]\n"
        ))
        .unwrap_err();
        assert_eq!(e.key.as_deref(), Some("sweep.\"fleet.gpu\""));
        assert!(
            e.to_string().contains("did you mean `h100-sxm-80gb`?"),
            "{e}"
        );
        let e = load(&format!("{SMALL}[efficiency]\nmfu = 1.2\n")).unwrap_err();
        assert!(
            e.to_string()
                .contains("`efficiency.mfu`: must be a fraction in (0, 1], got 1.2"),
            "{e}"
        );
    }

    #[test]
    fn seeds_are_exact_and_sizes_are_bounded() {
        let s = load(&format!("{SMALL}[uncertainty]\nseed = 9007199254740993\n")).unwrap();
        assert_eq!(s.points[0].seed, 9_007_199_254_740_993);
        let e = load(&SMALL.replace("count = 64", "count = 9e15")).unwrap_err();
        assert!(e.message.contains("the most trainsim accepts"), "{e}");
    }

    #[test]
    fn inline_table_keys_are_found() {
        assert_eq!(
            key_at("fleet = { gpu = \"h100\", bogus = 1 }\n", 24).as_deref(),
            Some("fleet.bogus")
        );
        assert_eq!(
            key_at("[cost]\nbasis = \"rent\"\n", 15).as_deref(),
            Some("cost.basis")
        );
    }

    /// Pools resolve in file order with their labels, caps, channel prices and uncertain
    /// keys; a smuggled pool gets the default premium as a distribution.
    #[test]
    fn mixed_fleets_resolve() {
        let src = "model = \"llama3.1-8b\"\ntrain_tokens = 1e12\n\
            [[fleet.pools]]\ngpu = \"h20\"\ncount = 100\n\
            [[fleet.pools]]\ngpu = \"h20\"\ncount = 50\nchannel = \"stockpile\"\n\
            [[fleet.pools]]\ngpu = \"h100\"\ncount = 500\nchannel = \"smuggled\"\ncap = 200\n\
            [[fleet.pools]]\ngpu = \"a100-sxm-80gb\"\ncount = 64\nchannel = \"cloud\"\nusd_per_gpu_hour = 1.5\n\
            [cost]\nusd_per_gpu_hour = { dist = \"uniform\", min = 2, max = 3 }\n";
        let s = load(src).unwrap();
        let p = &s.points[0];
        let labels: Vec<&str> = p.pools.iter().map(|x| x.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "h20/purchase",
                "h20/stockpile",
                "h100-sxm-80gb",
                "a100-sxm-80gb"
            ]
        );
        assert_eq!(p.pools[2].gpus(), 200);
        assert_eq!(p.fleet_gpus, 100 + 50 + 200 + 64);
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
        let paths: Vec<&str> = p.uncertain.iter().map(|u| u.path).collect();
        assert_eq!(
            paths,
            [
                "cost.usd_per_gpu_hour",
                "fleet.pools.2.premium",
                "model_error"
            ]
        );
        // The cloud pool keeps its own price when the scenario-wide price is drawn.
        let cloud = &p.pools[3];
        let mut x = cloud.nominal;
        x.set_for_pool(keys::Slot::UsdPerGpuHour, 2.7, cloud.index, cloud.own);
        assert_eq!(x.cost.usd_per_gpu_hour, Some(1.5));
        let mut x = p.pools[0].nominal;
        x.set_for_pool(keys::Slot::UsdPerGpuHour, 2.7, 0, p.pools[0].own);
        assert_eq!(x.cost.usd_per_gpu_hour, Some(2.7));
        x.set_for_pool(keys::Slot::PoolPremium(2), 0.9, 0, p.pools[0].own);
        assert_eq!(x.cost.channel_premium, 0.0, "another pool's key");
        assert!(p.h100.as_ref().is_some_and(|h| h.gpus() == p.fleet_gpus));
        // Ids repeat without names and channels: the labels would clash.
        let e = load(&src.replace("channel = \"stockpile\"\n", "")).unwrap_err();
        assert!(e.message.contains("two pools are labelled"), "{e}");
        assert_eq!(e.key.as_deref(), Some("fleet.pools.1.name"));
    }

    #[test]
    fn the_question_is_read_from_the_leading_comment() {
        let src = "# The built-in scenario.\n#\n# Question: how long does it take\n# on H20?\n\
            #\n# Sources: a paper.\n\nname = \"x\" # not this\n# nor this\n";
        assert_eq!(leading_question(src), "How long does it take on H20?");
        assert_eq!(
            leading_question("# A mixed fleet: can a lab\n#   train?\n#\n# More.\nmodel = 1\n"),
            "A mixed fleet: can a lab train?"
        );
        assert_eq!(leading_question("model = 1\n# late comment\n"), "");
        assert_eq!(leading_question(""), "");
    }

    /// `budget_usd` buys floor(budget / capex) GPUs, the capex by hand at nominal values
    /// (`cost::capex_per_gpu_usd`): H100 $33,750 is a server-level price, so $33,750 / 0.81
    /// = $41,666.67 and $341,333,334 buys 8,192.00002 → 8,192; H20 $12,000 × 1.64 / 0.81 =
    /// $24,296.30 → 14,048.8 → 14,048; A100 $17,500 × 1.64 / 0.81 = $35,432.10 → 9,633.4
    /// → 9,633; H800 $33,800 (server-level) / 0.81 = $41,728.40 → 8,179.9 → 8,179.
    #[test]
    fn a_budget_buys_floor_budget_over_capex() {
        let src = "model = \"llama3.1-8b\"\ntrain_tokens = 1e12\n[fleet]\ngpu = \"h100\"\nbudget_usd = 341333334\n\
            [sweep]\n\"fleet.gpu\" = [\"h100\", \"h20\", \"a100-sxm-80gb\", \"h800\"]\n";
        let s = load(src).unwrap();
        let got: Vec<u64> = s.points.iter().map(|p| p.question.gpus).collect();
        assert_eq!(got, [8192, 14_048, 9633, 8179]);
        assert_eq!(s.points[1].fleet_gpus, 14_048);

        // The scenario's cost keys at their nominal values (a PERT's mode) set the capex:
        // H20 $12,000 × 1.64 / (1 − 0.23) = $25,558.44; $1e8 buys 3,912.6 → 3,912.
        let src = "model = \"llama3.1-8b\"\ntrain_tokens = 1e12\n[fleet]\ngpu = \"h20\"\nbudget_usd = 1e8\n\
            [cost]\nserver_overhead = { dist = \"pert\", min = 1.54, mode = 1.64, max = 1.69 }\ninterconnect_fraction = 0.23\n";
        assert_eq!(load(src).unwrap().points[0].question.gpus, 3912);

        // A pool's own price and premium: a smuggled pool at $20,000 (a single-unit price,
        // so the server overhead applies) with premium 0.5 costs 20,000 × 1.5 × 1.64 / 0.81
        // = $60,740.74 up front; $1e7 buys 164.6 → 164. The default premium's mode is 0.5
        // too. The other pool is sized by count.
        for premium in ["premium = 0.5\n", ""] {
            let src = format!(
                "model = \"llama3.1-8b\"\ntrain_tokens = 1e12\n\
                 [[fleet.pools]]\ngpu = \"h100\"\nchannel = \"smuggled\"\npurchase_usd = 20000\n{premium}budget_usd = 1e7\n\
                 [[fleet.pools]]\ngpu = \"h20\"\ncount = 64\n"
            );
            let p = &load(&src).unwrap().points[0];
            assert_eq!(p.pools[0].gpus(), 164, "{premium}");
            assert_eq!(p.fleet_gpus, 164 + 64);
        }
    }

    /// Count and budget in one sweep: each value of a swept table replaces the whole
    /// `[fleet]` table, and a later axis writes the GPU into it.
    #[test]
    fn count_and_budget_sweep_together_as_tables() {
        let src = "model = \"llama3.1-8b\"\ntrain_tokens = 1e12\n[sweep]\n\
            \"fleet\" = [{ name = \"equal-count\", count = 8192 }, { name = \"equal-budget\", budget_usd = 341333334 }]\n\
            \"fleet.gpu\" = [\"h100\", \"h20\"]\n";
        let s = load(src).unwrap();
        let got: Vec<(String, u64)> = s
            .points
            .iter()
            .map(|p| (p.inputs[0].clone(), p.question.gpus))
            .collect();
        assert_eq!(
            got,
            [
                ("equal-count".into(), 8192),
                ("equal-count".into(), 8192),
                ("equal-budget".into(), 8192),
                ("equal-budget".into(), 14_048)
            ]
        );
        // `fleet.budget_usd` is an ordinary sweepable key.
        let src = "model = \"llama3.1-8b\"\ntrain_tokens = 1e12\n[fleet]\ngpu = \"h20\"\n\
            [sweep]\n\"fleet.budget_usd\" = [1e8, 2e8]\n";
        let got: Vec<u64> = load(src)
            .unwrap()
            .points
            .iter()
            .map(|p| p.question.gpus)
            .collect();
        assert_eq!(got, [4115, 8231]);
    }

    #[test]
    fn bad_budgets_are_refused_with_the_key() {
        let base = "model = \"llama3.1-8b\"\ntrain_tokens = 1e12\n[fleet]\ngpu = \"h20\"\n";
        let cases = [
            (
                "count = 64\nbudget_usd = 1e8\n",
                "fleet.budget_usd",
                "both `count` and `budget_usd` are given",
            ),
            (
                "budget_usd = 1000\n",
                "fleet.budget_usd",
                "$1,000 buys no h20: one costs $24,296 up front",
            ),
            (
                "budget_usd = { dist = \"uniform\", min = 1e8, max = 2e8 }\n",
                "fleet.budget_usd",
                "may not be a distribution",
            ),
            (
                "budget_usd = -5\n",
                "fleet.budget_usd",
                "must be a positive number",
            ),
            (
                "budget_usd = 1e13\n",
                "fleet.budget_usd",
                "more than 10,000,000 GPUs",
            ),
            (
                "budget_usd = 1e8\nchannel = \"cloud\"\n",
                "fleet.budget_usd",
                "a cloud pool is rented",
            ),
        ];
        for (extra, key, needle) in cases {
            let e = load(&format!("{base}{extra}")).unwrap_err();
            assert_eq!(e.key.as_deref(), Some(key), "{extra}: {e}");
            assert!(e.message.contains(needle), "{extra}: {e}");
        }
        // No price in the catalog (the A800 SXM): say so, and how to give one.
        let e = load(
            &base
                .replace("h20", "a800-sxm-80gb")
                .replace("[fleet]\n", "[fleet]\nbudget_usd = 1e8\n"),
        )
        .unwrap_err();
        assert!(
            e.message.contains("no purchase price for a800-sxm-80gb"),
            "{e}"
        );
        let e = load(&format!(
            "{base}budget_usd = 1e8\n[sweep]\n\"fleet.count\" = [64]\n"
        ))
        .unwrap_err();
        assert!(e.message.contains("both `count` and `budget_usd`"), "{e}");
    }

    #[test]
    fn the_default_scenario_loads() {
        let s = load_default(&Catalog::builtin(), &Overrides::default()).unwrap();
        assert_eq!(s.points.len(), 8);
        assert!(!s.points[0].uncertain.is_empty());
    }
}
