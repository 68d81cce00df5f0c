//! Command-line definitions (clap). No logic here: `commands/` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Simulate the time, cost, energy and chips it takes to train a large model on a GPU fleet.
#[derive(Debug, Parser)]
#[command(name = "trainsim", version, about, long_about = None, arg_required_else_help = true)]
pub struct Cli {
    /// Extra GPUs or models (TOML, same format as the built-in catalogs); repeatable.
    #[arg(long, global = true, value_name = "FILE")]
    pub catalog: Vec<PathBuf>,
    /// Extra export-control rules (TOML, same format as the built-in rules.toml; a rule may
    /// extend a built-in one); repeatable. Used by `classify`, `catalog rules`, `estimate
    /// --rule` and scenarios' `[policy] rule` in `run`.
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Aligned text for people.
    #[default]
    Table,
    /// JSON for scripts.
    Json,
    /// CSV for spreadsheets and scripts.
    Csv,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Estimate time, GPU-hours, cost and energy of one training run.
    Estimate(EstimateArgs),
    /// Show the best parallel plans for a model on a GPU fleet.
    Plan(PlanArgs),
    /// Predict the published training runs and compare with what was reported.
    Validate {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Export-control status of every catalog chip under every rule (or one).
    Classify {
        /// Only this rule (`trainsim catalog rules` lists them).
        #[arg(long)]
        rule: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
    /// Run scenario files (sweeps, Monte Carlo) and write CSV summaries; with no file, a
    /// built-in frontier-class scenario.
    Run(RunArgs),
    /// Combine the outputs of `run --shard K/N` into exactly what one run would have written.
    Merge(MergeArgs),
    /// List the built-in catalogs.
    Catalog {
        /// Which catalog.
        #[arg(value_enum)]
        what: CatalogKind,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
    },
}

/// Catalogs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CatalogKind {
    /// Accelerators.
    Gpus,
    /// Model architectures.
    Models,
    /// Export-control rules.
    Rules,
}

/// `run` flags.
#[derive(Debug, Clone, Args)]
pub struct RunArgs {
    /// Scenario files (TOML). None: the built-in default scenario.
    pub scenarios: Vec<PathBuf>,
    /// Output folder; one sub-folder per scenario.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Monte Carlo trials per sweep point (overrides the scenario's).
    #[arg(long, value_parser = parse_count)]
    pub trials: Option<u64>,
    /// Random seed (overrides the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run only share K of N (1-based), e.g. `--shard 2/8`; combine with `trainsim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Do not draw charts or write report.html.
    #[arg(long)]
    pub no_charts: bool,
    /// Also write every trial to trials.csv.
    #[arg(long)]
    pub trials_csv: bool,
}

/// `merge` flags.
#[derive(Debug, Clone, Args)]
pub struct MergeArgs {
    /// Output folders of the shards.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged result.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Do not draw charts or write report.html.
    #[arg(long)]
    pub no_charts: bool,
}

/// Model, hardware and plan flags shared by `estimate` and `plan`.
#[derive(Debug, Clone, Args)]
pub struct Common {
    /// Model: a catalog id (`trainsim catalog models`) or a model TOML file.
    #[arg(long)]
    pub model: String,
    /// GPU: a catalog id or alias (`trainsim catalog gpus`).
    #[arg(long)]
    pub gpu: String,
    /// GPUs allocated.
    #[arg(long, value_parser = parse_count)]
    pub gpus: u64,
    /// Training precision.
    #[arg(long, default_value = "bf16", value_parser = ["bf16", "fp16", "fp8"])]
    pub precision: String,
    /// Global batch in tokens (default: 4 Mi tokens, or one sequence per 8 GPUs if larger).
    #[arg(long, value_parser = parse_count)]
    pub global_batch_tokens: Option<u64>,
    /// Sequence length (default: the model's).
    #[arg(long, value_parser = parse_count)]
    pub seq_len: Option<u64>,
    /// End-to-end MFU override (skips the mechanistic time model).
    #[arg(long, value_parser = parse_fraction)]
    pub mfu: Option<f64>,
    /// Fix tensor parallelism.
    #[arg(long, value_parser = parse_count_u32)]
    pub tp: Option<u32>,
    /// Fix pipeline parallelism.
    #[arg(long, value_parser = parse_count_u32)]
    pub pp: Option<u32>,
    /// Fix data parallelism.
    #[arg(long, value_parser = parse_count_u32)]
    pub dp: Option<u32>,
    /// Fix expert parallelism.
    #[arg(long, value_parser = parse_count_u32)]
    pub ep: Option<u32>,
    /// Fix context parallelism.
    #[arg(long, value_parser = parse_count_u32)]
    pub cp: Option<u32>,
    /// Fix the micro-batch size (sequences).
    #[arg(long, value_parser = parse_count_u32)]
    pub micro_batch: Option<u32>,
    /// Fix activation recomputation.
    #[arg(long, value_parser = ["none", "selective", "full"])]
    pub recompute: Option<String>,
    /// Fix the ZeRO stage.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub zero: Option<u8>,
    /// Fix the virtual pipeline stages per GPU.
    #[arg(long, value_parser = parse_count_u32)]
    pub interleave: Option<u32>,
    /// GPUs per node (default: the catalog's).
    #[arg(long, value_parser = parse_count_u32)]
    pub gpus_per_node: Option<u32>,
    /// Scale-out bandwidth per GPU, Gbit/s (default: the catalog's).
    #[arg(long, value_parser = parse_positive)]
    pub net_gbps_per_gpu: Option<f64>,
}

/// `estimate` flags.
#[derive(Debug, Clone, Args)]
pub struct EstimateArgs {
    /// Model, hardware and plan.
    #[command(flatten)]
    pub common: Common,
    /// Training tokens.
    #[arg(long, value_parser = parse_positive)]
    pub tokens: f64,
    /// Rental price, USD per GPU-hour (default: the catalog's).
    #[arg(long, value_parser = parse_positive)]
    pub usd_per_gpu_hour: Option<f64>,
    /// Cost basis.
    #[arg(long, default_value = "rental", value_parser = ["rental", "ownership"])]
    pub cost_basis: String,
    /// Also give the chip's export-control status under this rule (`trainsim catalog rules`,
    /// or one of a `--rules` file).
    #[arg(long)]
    pub rule: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `plan` flags.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Model, hardware and plan.
    #[command(flatten)]
    pub common: Common,
    /// How many plans to show.
    #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub top: u32,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// A positive number in plain or scientific notation (`15.6e12`).
pub fn parse_positive(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number"))?;
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!("`{s}` must be a positive number"))
    }
}

/// A fraction in (0, 1].
pub fn parse_fraction(s: &str) -> Result<f64, String> {
    let v = parse_positive(s)?;
    if v <= 1.0 {
        Ok(v)
    } else {
        Err(format!("`{s}` must be a fraction between 0 and 1"))
    }
}

/// A positive whole number in plain or scientific notation (`1024`, `1.6e4`).
pub fn parse_count(s: &str) -> Result<u64, String> {
    let v = parse_positive(s)?;
    if v.fract() != 0.0 || v > 9.0e15 {
        return Err(format!("`{s}` must be a whole number"));
    }
    Ok(v as u64)
}

/// A positive whole number that fits 32 bits.
pub fn parse_count_u32(s: &str) -> Result<u32, String> {
    let v = parse_count(s)?;
    u32::try_from(v).map_err(|_| format!("`{s}` is too large"))
}
