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
use trainsim::estimate::{default_global_batch_tokens, Question};
use trainsim::parallel::{Recompute, SearchSpace};
use trainsim::policy::{builtin_rules, load_rules_file, Rule};

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
        Command::Merge(a) => run::merge(&a),
        Command::Timeline(a) => timeline::timeline(&catalog, &a),
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

/// Resolve the shared flags into a question.
pub fn question(catalog: &Catalog, c: &Common, tokens: f64) -> Result<Question, InputError> {
    let model = catalog
        .model_or_file(&c.model)
        .map_err(|e| e.at_key("--model"))?;
    let gpu = catalog.gpu(&c.gpu).map_err(|e| e.at_key("--gpu"))?.clone();
    let precision = Precision::parse(&c.precision)?;
    let seq_len = c.seq_len.unwrap_or(model.seq_len);
    let global_batch_tokens = match c.global_batch_tokens {
        Some(b) => {
            if b < seq_len {
                return Err(InputError::new(format!(
                    "{b} tokens is less than one sequence of {seq_len}"
                ))
                .at_key("--global-batch-tokens")
                .with_hint("the global batch holds whole sequences"));
            }
            ((b as f64 / seq_len as f64).round() * seq_len as f64).max(seq_len as f64)
        }
        None => default_global_batch_tokens(c.gpus, seq_len),
    };
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
    // Fixed degrees that need more GPUs than given: say so, rather than let the search
    // blame the batch (issue 12: `--dp 1000` on 64 GPUs).
    let fixed: Vec<(&str, u32)> = [
        ("--tp", c.tp),
        ("--pp", c.pp),
        ("--dp", c.dp),
        ("--cp", c.cp),
    ]
    .into_iter()
    .filter_map(|(f, v)| v.map(|v| (f, v)))
    .collect();
    let need: u64 = fixed.iter().map(|(_, v)| u64::from(*v)).product();
    if need > c.gpus {
        let named: Vec<String> = fixed.iter().map(|(f, v)| format!("{f} {v}")).collect();
        return Err(InputError::new(format!(
            "{} need{} at least {need} GPUs (tp × pp × dp × cp), more than the {} given by --gpus",
            named.join(" "),
            if fixed.len() == 1 { "s" } else { "" },
            c.gpus
        ))
        .at_key(fixed.last().map_or("--gpus", |f| f.0))
        .with_hint("lower the fixed degrees or raise --gpus"));
    }
    let batch_seqs = (global_batch_tokens / seq_len as f64).round() as u64;
    if let Some((key, why)) =
        space.fixed_violation(model.heads, model.kv_heads(), model.layers, batch_seqs)
    {
        return Err(InputError::new(why)
            .at_key(format!("--{}", key.replace('_', "-")))
            .with_hint("fixed plan values must divide as the search's own do; leave the flag out to search it"));
    }
    if let (None, Some(ep)) = (&model.moe, c.ep) {
        if ep > 1 {
            return Err(InputError::new(format!(
                "--ep {ep} needs a mixture-of-experts model; `{}` is dense",
                model.id
            ))
            .at_key("--ep")
            .with_hint("leave --ep out (or use 1) for dense models"));
        }
    }
    if let (Some(moe), Some(ep)) = (&model.moe, c.ep) {
        if moe.experts % ep != 0 {
            return Err(InputError::new(format!(
                "--ep {ep} does not divide the {} experts",
                moe.experts
            ))
            .at_key("--ep")
            .with_hint("expert parallelism places whole experts on each GPU"));
        }
    }
    if c.mfu.is_some() && (c.stack.is_some() || c.year.is_some()) {
        return Err(InputError::new(
            "--mfu replaces the time model that a software stack describes; give one or the other",
        )
        .at_key(if c.stack.is_some() {
            "--stack"
        } else {
            "--year"
        })
        .with_hint("drop --mfu to time the plan with the stack, or drop --stack/--year"));
    }
    let stack = catalog
        .resolve_stack(c.stack.as_deref(), c.year)
        .map_err(|e| {
            e.at_key(if c.stack.is_some() {
                "--stack"
            } else {
                "--year"
            })
        })?
        .clone();
    let mut q = Question::new(model, gpu, c.gpus, tokens, precision);
    q.seq_len = seq_len;
    q.global_batch_tokens = global_batch_tokens;
    q.space = space;
    if c.mfu.is_none() {
        q.apply_stack(&stack);
    }
    q.efficiency.mfu = c.mfu;
    q.gpus_per_node = c.gpus_per_node;
    q.net_gbit_per_s = c.net_gbps_per_gpu;
    Ok(q)
}
