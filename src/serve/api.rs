//! Answering a request with the CLI itself: the query becomes the CLI's argument vector,
//! clap parses it (`try_parse_from`), and the same command function that `trainsim estimate
//! --format json` calls writes into a buffer instead of stdout. So `/api/estimate`,
//! `/api/plan` and `/api/classify` give the CLI's JSON byte for byte, and bad input gets the
//! CLI's message (as the CLI prints it to stderr) plus the query parameter it concerns.
//!
//! Owns: the pasted model (parsed from memory into a per-request catalog), the model-id check
//! that keeps requests off the file system, and the mapping of errors to parameters. Leaves
//! HTTP to `routes.rs` and limits to `limits.rs`.

use std::borrow::Cow;
use std::path::Path;
use std::sync::Arc;

use clap::error::{ContextKind, ContextValue};
use clap::Parser;
use trainsim::catalog::{parse_model_text, Catalog};
use trainsim::error::InputError;
use trainsim::parallel::memo::{with_memo, SearchMemo};
use trainsim::policy::Rule;

use super::cache::{self, Cache};
use super::query::{canonical, parameter_of_flag, to_argv, Endpoint, QueryError};
use super::timeline::Timelines;
use crate::answer;
use crate::cli::{Cli, Command, Format};

/// Query parameters, canonical names, in order.
type Params = Vec<(String, String)>;

/// What every request reads: the catalog and rules the server started with (the built-in
/// ones plus any `--catalog`/`--rules` files given to `trainsim serve`).
pub struct Engine {
    /// GPUs, models and stacks.
    pub catalog: Catalog,
    /// Export-control rules.
    pub rules: Vec<Rule>,
    /// Answers already given.
    pub cache: Cache,
    /// Plan searches already run (or running), shared by every question that needs one.
    pub memo: Arc<SearchMemo>,
    /// The shipped storylines' timeline runs, each run once when first asked.
    pub timelines: Timelines,
}

/// The answer to one API request.
#[derive(Debug, Clone)]
pub enum Answer {
    /// The command's stdout (JSON).
    Json(String),
    /// Bad input: the CLI's message and the parameter at fault (HTTP 400).
    BadInput(QueryError),
    /// Something failed that is not the input's fault (HTTP 500).
    Internal(String),
}

/// Run `endpoint` with `params` (canonical names, from [`super::query::parse`]).
/// Answers (not internal failures) are cached: the same question gets the same bytes.
pub fn answer(engine: &Engine, endpoint: Endpoint, params: &[(String, String)]) -> Answer {
    let key = cache::key(endpoint, params);
    if let Some(a) = engine.cache.get(&key) {
        return a;
    }
    let a = match run(engine, endpoint, params) {
        Ok(s) => Answer::Json(s),
        Err(Failure::Bad(e)) => Answer::BadInput(e),
        Err(Failure::Internal(s)) => return Answer::Internal(s),
    };
    engine.cache.put(key, &a);
    a
}

enum Failure {
    Bad(QueryError),
    Internal(String),
}

impl From<QueryError> for Failure {
    fn from(e: QueryError) -> Self {
        Failure::Bad(e)
    }
}

fn run(
    engine: &Engine,
    endpoint: Endpoint,
    params: &[(String, String)],
) -> Result<String, Failure> {
    let (catalog, params) = if endpoint == Endpoint::Classify {
        (Cow::Borrowed(&engine.catalog), params.to_vec())
    } else {
        let (c, p) = with_pasted_model(&engine.catalog, params)?;
        let p = catalog_model(&c, p)?;
        (c, p)
    };
    let argv = to_argv(endpoint, &params)?;
    let cli = Cli::try_parse_from(&argv).map_err(clap_error)?;
    let mut out = Vec::new();
    let done = with_memo(&engine.memo, || match &cli.command {
        Command::Estimate(a) => answer::estimate::estimate(&catalog, &engine.rules, a, &mut out),
        Command::Plan(a) => answer::estimate::plan(&catalog, a, &mut out),
        Command::Classify { rule, .. } => answer::classify::classify(
            &catalog,
            &engine.rules,
            rule.as_deref(),
            Format::Json,
            &mut out,
        ),
        _ => Err(anyhow::anyhow!("not an API command")),
    });
    match done {
        Ok(()) => String::from_utf8(out).map_err(|e| Failure::Internal(e.to_string())),
        Err(err) => match err.downcast_ref::<InputError>() {
            Some(e) => Err(Failure::Bad(cli_error(&err, e))),
            None => Err(Failure::Internal(format!("Error: {err:#}"))),
        },
    }
}

/// The CLI's message for a command's input error (`Error: {err:#}`, as `main` prints it),
/// naming the parameter of its key or file.
fn cli_error(err: &anyhow::Error, e: &InputError) -> QueryError {
    let parameter = match (&e.key, &e.file) {
        (Some(k), _) if k.starts_with("--") => parameter_of_flag(k),
        (_, Some(f)) if f == Path::new("model_file") => Some("model_file".into()),
        _ => None,
    };
    QueryError {
        message: format!("Error: {err:#}"),
        parameter,
    }
}

/// A clap error as the CLI prints it, naming the parameter of the flag it concerns.
fn clap_error(e: clap::Error) -> QueryError {
    let parameter = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => parameter_of_flag(s),
        Some(ContextValue::Strings(v)) => v.first().and_then(|s| parameter_of_flag(s)),
        _ => None,
    };
    QueryError {
        message: e.render().to_string().trim_end().to_owned(),
        parameter,
    }
}

/// With a pasted `model_file`, a copy of the catalog that holds it and `model` set to its id;
/// otherwise the catalog as it is. The text is parsed from memory; errors name `model_file`.
fn with_pasted_model<'a>(
    catalog: &'a Catalog,
    params: &[(String, String)],
) -> Result<(Cow<'a, Catalog>, Params), QueryError> {
    let Some((_, text)) = params.iter().find(|(k, _)| k == "model_file") else {
        return Ok((Cow::Borrowed(catalog), params.to_vec()));
    };
    let model = parse_model_text(text, Path::new("model_file")).map_err(|e| QueryError {
        message: format!("Error: {:#}", anyhow::Error::from(e)),
        parameter: Some("model_file".into()),
    })?;
    if model.id.ends_with(".toml") {
        return Err(QueryError {
            message: format!(
                "Error: the pasted model's name `{}` ends in `.toml`\nhint: name the model, not a file",
                trainsim::error::echo(&model.id)
            ),
            parameter: Some("model_file".into()),
        });
    }
    let mut params: Vec<(String, String)> = params
        .iter()
        .filter(|(k, _)| k != "model")
        .cloned()
        .collect();
    params.push(("model".into(), model.id.clone()));
    let mut c = catalog.clone();
    c.models.insert(model.id.clone(), model);
    Ok((Cow::Owned(c), params))
}

/// Replace `model` by its catalog id, so the CLI never looks for a file of that name; an
/// unknown id gets the CLI's own message and did-you-mean.
fn catalog_model(
    catalog: &Catalog,
    mut params: Vec<(String, String)>,
) -> Result<Vec<(String, String)>, QueryError> {
    for (k, v) in params.iter_mut() {
        if canonical(k) != "model" || catalog.models.contains_key(v.as_str()) {
            continue;
        }
        match catalog.model(v) {
            Ok(m) => *v = m.id.clone(),
            Err(e) => {
                let e = if v.ends_with(".toml") || v.contains(['/', '\\']) {
                    InputError::new(format!(
                        "`{}` is a file name; the server reads no files",
                        trainsim::error::echo(v)
                    ))
                    .with_hint("paste the model file's text into `model_file` instead")
                } else {
                    e
                };
                return Err(QueryError {
                    message: format!("Error: {:#}", anyhow::Error::from(e.at_key("--model"))),
                    parameter: Some("model".into()),
                });
            }
        }
    }
    Ok(params)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::rules_with_user_files;
    use proptest::prelude::*;

    fn engine() -> Engine {
        Engine {
            catalog: Catalog::builtin(),
            rules: rules_with_user_files(&[]).unwrap(),
            cache: Cache::default(),
            memo: Arc::new(SearchMemo::new(8)),
            timelines: Timelines::default(),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        /// Allow-listed names with arbitrary values (and arbitrary names) are bad input or an
        /// answer, never a panic or an internal failure.
        #[test]
        fn arbitrary_values_are_answers_or_bad_input(
            pairs in proptest::collection::vec((0usize..40, ".{0,12}"), 0..6)
        ) {
            let e = engine();
            for endpoint in [Endpoint::Estimate, Endpoint::Plan, Endpoint::Classify] {
                let names = endpoint.allowed();
                let params: Vec<(String, String)> = pairs
                    .iter()
                    .map(|(i, v)| (names.get(*i).map_or("model_file".to_owned(), |n| n.to_string()), v.clone()))
                    .collect();
                let a = answer(&e, endpoint, &params);
                prop_assert!(!matches!(a, Answer::Internal(_)), "{params:?}: {a:?}");
            }
        }
    }
}
