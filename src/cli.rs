//! Command-line definitions (clap). No logic here: `commands/` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

mod examples;

/// Simulate the time, cost, energy and chips it takes to train a large model on a GPU fleet.
#[derive(Debug, Parser)]
#[command(
    name = "trainsim",
    version,
    about,
    long_about = None,
    arg_required_else_help = true,
    after_help = examples::TRAINSIM
)]
pub struct Cli {
    /// Extra GPUs or models (TOML, same format as the built-in catalogs); repeatable.
    #[arg(long, global = true, value_name = "FILE")]
    pub catalog: Vec<PathBuf>,
    /// Extra export-control rules (TOML, same format as the built-in rules.toml; a rule may
    /// extend a built-in one); repeatable. Used by `classify`, `catalog rules`, `estimate
    /// --rule` and scenarios' `[policy] rule` in `run`.
    #[arg(long, global = true, value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Worker threads: 0 or absent means one per core; more than 4 per core is lowered to
    /// 4 per core, with a warning. Results do not depend on it.
    #[arg(long, global = true, value_name = "N", value_parser = parse_threads)]
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
    #[command(after_help = examples::ESTIMATE)]
    Estimate(EstimateArgs),
    /// Show the best parallel plans for a model on a GPU fleet.
    #[command(after_help = examples::PLAN)]
    Plan(PlanArgs),
    /// Predict the published training runs and compare with what was reported.
    #[command(after_help = examples::VALIDATE)]
    Validate {
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: Format,
        /// Also draw predicted against reported (log-log, p5–p95 whiskers) to FILE.png|.svg.
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
    },
    /// Export-control status of every catalog chip under every rule (or one).
    #[command(after_help = examples::CLASSIFY)]
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
    #[command(after_help = examples::RUN)]
    Run(RunArgs),
    /// Combine the outputs of `run --shard K/N` or `timeline --shard K/N` into exactly what
    /// one run would have written.
    #[command(after_help = examples::MERGE)]
    Merge(MergeArgs),
    /// Fleets over time under a rule timeline: the largest trainable run by month, the
    /// first month each actor reaches a target, and the lead in months (DESIGN.md §6).
    #[command(after_help = examples::TIMELINE)]
    Timeline(TimelineArgs),
    /// Serve an interactive page and a JSON API on this machine (DESIGN.md §7).
    #[command(after_help = examples::SERVE)]
    Serve(ServeArgs),
    /// List the built-in catalogs.
    #[command(after_help = examples::CATALOG)]
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
    /// Software stacks.
    Stacks,
}

/// `run` flags.
#[derive(Debug, Clone, Args)]
#[command(allow_negative_numbers = true)]
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

/// `timeline` flags.
#[derive(Debug, Clone, Args)]
pub struct TimelineArgs {
    /// Timeline scenario files (TOML; scenarios/timeline/README.md).
    #[arg(required = true)]
    pub scenarios: Vec<PathBuf>,
    /// Output folder; one sub-folder per scenario.
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
    /// Monte Carlo trials (overrides the scenario's).
    #[arg(long, value_parser = parse_count)]
    pub trials: Option<u64>,
    /// Random seed (overrides the scenario's).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Run only share K of N of the trials (1-based), e.g. `--shard 2/8`; combine the
    /// shard folders with `trainsim merge`.
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// Do not draw charts or write report.html.
    #[arg(long)]
    pub no_charts: bool,
}

/// `serve` flags.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port to listen on (0: any free port, printed on stderr).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on; the default serves this machine only.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: String,
    /// Also open the page in the desktop's browser (best effort).
    #[arg(long)]
    pub open: bool,
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
    /// GPUs allocated (1 to 10,000,000).
    #[arg(long, value_parser = parse_gpus)]
    pub gpus: u64,
    /// Training precision.
    #[arg(long, default_value = "bf16", value_parser = ["bf16", "fp16", "fp8"])]
    pub precision: String,
    /// Global batch in tokens (default: 4 Mi tokens, or one sequence per 4 GPUs if larger).
    #[arg(long, value_parser = parse_global_batch_tokens)]
    pub global_batch_tokens: Option<u64>,
    /// Sequence length (default: the model's).
    #[arg(long, value_parser = parse_seq_len)]
    pub seq_len: Option<u64>,
    /// End-to-end MFU override (skips the mechanistic time model and the stack's band).
    #[arg(long, value_parser = parse_fraction)]
    pub mfu: Option<f64>,
    /// Software stack (`trainsim catalog stacks`), e.g. `deepseek-v3`, `megatron-core-2024`
    /// (default: the typical stack of --year).
    #[arg(long, value_name = "ID")]
    pub stack: Option<String>,
    /// Year whose typical software stack to use (default: the current year, 2026).
    #[arg(long, value_name = "YYYY")]
    pub year: Option<i32>,
    /// Fix tensor parallelism.
    #[arg(long, value_parser = parse_plan_degree)]
    pub tp: Option<u32>,
    /// Fix pipeline parallelism.
    #[arg(long, value_parser = parse_plan_degree)]
    pub pp: Option<u32>,
    /// Fix data parallelism.
    #[arg(long, value_parser = parse_plan_degree)]
    pub dp: Option<u32>,
    /// Fix expert parallelism.
    #[arg(long, value_parser = parse_plan_degree)]
    pub ep: Option<u32>,
    /// Fix context parallelism.
    #[arg(long, value_parser = parse_plan_degree)]
    pub cp: Option<u32>,
    /// Fix the micro-batch size (sequences).
    #[arg(long, value_parser = parse_plan_degree)]
    pub micro_batch: Option<u32>,
    /// Fix activation recomputation.
    #[arg(long, value_parser = ["none", "selective", "full"])]
    pub recompute: Option<String>,
    /// Fix the ZeRO stage.
    #[arg(long, value_parser = clap::value_parser!(u8).range(0..=3))]
    pub zero: Option<u8>,
    /// Fix the virtual pipeline stages per GPU.
    #[arg(long, value_parser = parse_plan_degree)]
    pub interleave: Option<u32>,
    /// GPUs per node (default: the catalog's).
    #[arg(long, value_parser = parse_gpus_per_node)]
    pub gpus_per_node: Option<u32>,
    /// Scale-out bandwidth per GPU, Gbit/s (default: the catalog's).
    #[arg(long, value_parser = parse_positive)]
    pub net_gbps_per_gpu: Option<f64>,
}

/// `estimate` flags.
#[derive(Debug, Clone, Args)]
#[command(allow_negative_numbers = true)]
pub struct EstimateArgs {
    /// Model, hardware and plan.
    #[command(flatten)]
    pub common: Common,
    /// Training tokens (at least one global batch, at most 1e16).
    #[arg(long, value_parser = parse_tokens)]
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
    /// How the fleet was obtained, priced and judged as a scenario pool of that channel is:
    /// `purchase` (with `--rule`, refused when the rule does not allow buying the chip),
    /// `stockpile` and `domestic` (owned), `smuggled` (unlawful, at a price premium),
    /// `cloud` (rented abroad). Without it the rule only reports the chip's status.
    #[arg(long, value_parser = ["purchase", "stockpile", "smuggled", "cloud", "domestic"])]
    pub channel: Option<String>,
    /// Price premium of the channel over the US price (0.5 = +50%; default 0.5 for
    /// `smuggled`, the mode of reference/assumptions.md §6's 0.4–1.0, else 0).
    #[arg(long, value_parser = parse_premium)]
    pub channel_premium: Option<f64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: Format,
}

/// `plan` flags.
#[derive(Debug, Clone, Args)]
#[command(allow_negative_numbers = true)]
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

/// A price premium: a number above −1 (−0.2 is a 20% discount), at most 100 (+10,000%).
pub fn parse_premium(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{}` is not a number", trainsim::error::echo(s)))?;
    if v.is_finite() && v > -1.0 && v <= 100.0 {
        Ok(v)
    } else {
        Err(format!(
            "`{}` must be a premium above −1 and at most 100 (0.5 = +50%)",
            trainsim::error::echo(s)
        ))
    }
}

/// A positive number in plain or scientific notation (`15.6e12`).
pub fn parse_positive(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{}` is not a number", trainsim::error::echo(s)))?;
    if v.is_finite() && v > 0.0 {
        Ok(v)
    } else {
        Err(format!(
            "`{}` must be a positive number",
            trainsim::error::echo(s)
        ))
    }
}

/// `--threads`: a whole number, 0 allowed (one per core).
pub fn parse_threads(s: &str) -> Result<usize, String> {
    if s.trim() == "0" {
        return Ok(0);
    }
    let v = parse_count(s)?;
    Ok(usize::try_from(v).unwrap_or(usize::MAX))
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

/// A number at most `max`, the bound scenario key `key` shares ([`trainsim::bounds`]).
fn at_most(s: &str, v: f64, max: f64, key: &str) -> Result<f64, String> {
    if v > max {
        Err(format!(
            "`{}` is more than {max:e}, the most trainsim accepts (as `{key}` in a scenario); allowed: 1 to {max:e}",
            trainsim::error::echo(s)
        ))
    } else {
        Ok(v)
    }
}

/// `--gpus`: a count up to [`trainsim::bounds::MAX_GPUS`].
pub fn parse_gpus(s: &str) -> Result<u64, String> {
    let v = parse_count(s)?;
    at_most(s, v as f64, trainsim::bounds::MAX_GPUS, "fleet.count").map(|_| v)
}

/// `--tokens`: a positive number up to [`trainsim::bounds::MAX_TRAIN_TOKENS`].
pub fn parse_tokens(s: &str) -> Result<f64, String> {
    let v = parse_positive(s)?;
    at_most(s, v, trainsim::bounds::MAX_TRAIN_TOKENS, "train_tokens")
}

/// `--seq-len`: a count up to [`trainsim::bounds::MAX_SEQ_LEN`].
pub fn parse_seq_len(s: &str) -> Result<u64, String> {
    let v = parse_count(s)?;
    at_most(s, v as f64, trainsim::bounds::MAX_SEQ_LEN, "seq_len").map(|_| v)
}

/// `--global-batch-tokens`: a count up to [`trainsim::bounds::MAX_GLOBAL_BATCH_TOKENS`].
pub fn parse_global_batch_tokens(s: &str) -> Result<u64, String> {
    let v = parse_count(s)?;
    at_most(
        s,
        v as f64,
        trainsim::bounds::MAX_GLOBAL_BATCH_TOKENS,
        "global_batch_tokens",
    )
    .map(|_| v)
}

/// `--tp`, `--pp`, ...: a count up to [`trainsim::bounds::MAX_PLAN_DEGREE`].
pub fn parse_plan_degree(s: &str) -> Result<u32, String> {
    let v = parse_count(s)?;
    at_most(s, v as f64, trainsim::bounds::MAX_PLAN_DEGREE, "plan.*").map(|_| v as u32)
}

/// `--gpus-per-node`: a count up to [`trainsim::bounds::MAX_GPUS_PER_NODE`].
pub fn parse_gpus_per_node(s: &str) -> Result<u32, String> {
    let v = parse_count(s)?;
    at_most(
        s,
        v as f64,
        trainsim::bounds::MAX_GPUS_PER_NODE,
        "fleet.gpus_per_node",
    )
    .map(|_| v as u32)
}
