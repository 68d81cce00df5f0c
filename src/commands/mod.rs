//! The subcommands: each turns parsed flags into library calls and prints the result.
//! `estimate`, `plan` and `classify` print what [`crate::answer`] builds (which `serve`
//! returns too); the others are here.

pub mod catalog;
pub mod classify;
pub mod run;
pub mod serve;
pub mod timeline;
pub mod validate;

use trainsim::catalog::Catalog;
use trainsim::policy::builtin_rules;

use crate::answer::{self, estimate, rules_with_user_files};
use crate::cli::{Cli, Command};

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
        Command::Classify { rule, format } => answer::classify::classify(
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
