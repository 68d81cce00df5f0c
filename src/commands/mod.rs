//! The subcommands: each turns parsed flags into library calls and prints the result.

pub mod catalog;
pub mod classify;
pub mod estimate;
pub mod run;
pub mod serve;
pub mod timeline;
pub mod validate;

use std::path::PathBuf;

use trainsim::catalog::{Catalog, Precision};
use trainsim::error::InputError;
use trainsim::estimate::Question;
use trainsim::parallel::{Recompute, SearchSpace};
use trainsim::policy::{builtin_rules, load_rules_file, Rule};
use trainsim::question::{self, Front};

use crate::cli::{Cli, Command, Common};

/// Run the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    if let Some(n) = cli.threads {
        let n = thread_count(n);
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .ok();
    }
    let catalog = Catalog::with_user_files(&cli.catalog)?;
    let rules = rules_with_user_files(&cli.rules)?;
    match cli.command {
        Command::Estimate(a) => estimate::estimate(&catalog, &rules, &a, &mut std::io::stdout()),
        Command::Plan(a) => estimate::plan(&catalog, &a, &mut std::io::stdout()),
        Command::Validate { format, chart } => {
            validate::validate(&catalog, format, chart.as_deref())
        }
        Command::Classify { rule, format } => classify::classify(
            &catalog,
            &rules,
            rule.as_deref(),
            format,
            &mut std::io::stdout(),
        ),
        Command::Run(a) => run::run(&catalog, &cli.catalog, &rules[builtin_rules().len()..], &a),
        Command::Merge(a) => timeline::merge(&catalog, &rules, &a),
        Command::Timeline(a) => timeline::timeline(&catalog, &rules, &a),
        Command::Serve(a) => serve::serve(catalog, rules, &a),
        Command::Catalog {
            what: crate::cli::CatalogKind::Rules,
            format,
        } => classify::rules(&rules, format),
        Command::Catalog { what, format } => catalog::catalog(&catalog, what, format),
    }
}

/// Most worker threads per core: more only adds OS threads (`--threads 100000` made
/// 100,000 of them, issue 12) and results do not depend on the count.
pub const MAX_THREADS_PER_CORE: usize = 4;

/// The worker threads for `--threads n`: 0 means one per core; more than
/// [`MAX_THREADS_PER_CORE`] per core is lowered to that, with a warning on stderr.
fn thread_count(n: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let max = MAX_THREADS_PER_CORE * cores;
    match n {
        0 => cores,
        n if n > max => {
            eprintln!(
                "warning: --threads {n} is more than {MAX_THREADS_PER_CORE} per core on {cores} core(s); using {max}"
            );
            max
        }
        n => n,
    }
}

/// The built-in rules, then those of each `--rules` file in order (a file's rules may extend
/// built-in ones and those of earlier files). A bad file is an input error naming the file,
/// line:column and key.
pub fn rules_with_user_files(files: &[PathBuf]) -> Result<Vec<Rule>, InputError> {
    let mut all = builtin_rules();
    for f in files {
        let new = load_rules_file(f, &all).map_err(|e| {
            if e.hint.is_some() {
                e
            } else {
                e.with_hint(
                    "a --rules file has the format of the built-in rules (`trainsim catalog rules` lists them)",
                )
            }
        })?;
        all.extend(new);
    }
    Ok(all)
}

/// Resolve the shared flags into a question, through the checks every front end shares
/// ([`trainsim::question`]).
pub fn question(catalog: &Catalog, c: &Common, tokens: f64) -> Result<Question, InputError> {
    let model = catalog
        .model_or_file(&c.model)
        .map_err(|e| e.at_key("--model"))?;
    let gpu = catalog.gpu(&c.gpu).map_err(|e| e.at_key("--gpu"))?.clone();
    let precision = Precision::parse(&c.precision)?;
    let batch = question::batch(
        Front::Flags,
        &model,
        c.seq_len,
        c.global_batch_tokens.map(|b| b as f64),
        c.gpus,
    )?;
    let space = SearchSpace {
        tp: c.tp,
        pp: c.pp,
        dp: c.dp,
        ep: c.ep,
        cp: c.cp,
        micro_batch: c.micro_batch,
        recompute: c.recompute.as_deref().and_then(Recompute::parse),
        zero_stage: c.zero,
        interleave: c.interleave,
        ..SearchSpace::default()
    };
    question::check_plan(Front::Flags, &space, &model, &batch, c.gpus, "fleet.count")?;
    let stack = question::stack(
        Front::Flags,
        catalog,
        c.stack.as_deref(),
        c.year,
        c.mfu.is_some(),
    )?;
    let mut q = Question::new(model, gpu, c.gpus, tokens, precision);
    q.seq_len = batch.seq_len;
    q.global_batch_tokens = batch.global_batch_tokens;
    q.space = space;
    if let Some(stack) = &stack {
        q.apply_stack(stack);
    }
    q.efficiency.mfu = c.mfu;
    q.gpus_per_node = c.gpus_per_node;
    q.net_gbit_per_s = c.net_gbps_per_gpu;
    Ok(q)
}
