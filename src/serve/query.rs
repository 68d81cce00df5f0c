//! Query strings: parsing with limits, and the allow-list that maps query parameters to the
//! CLI's own argument vector (`gpu=h20&gpus=2048` → `trainsim estimate --gpu=h20
//! --gpus=2048 --format=json`).
//!
//! Owns: which parameter each endpoint accepts and its flag. Leaves validation of the values
//! to clap and the commands, so the API's answers and messages are the CLI's. No flag that
//! reads or writes files (`--catalog`, `--rules`, `--out`, a model path) can be named: only
//! allow-listed parameters become flags, and each becomes one `--flag=value` argument, so a
//! value can never be taken for another flag.

use super::limits::{MAX_PARAMS, MAX_QUERY_BYTES, MAX_VALUE_BYTES};

/// An endpoint that answers with a CLI command's JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `trainsim estimate`.
    Estimate,
    /// `trainsim plan`.
    Plan,
    /// `trainsim classify`.
    Classify,
}

/// Model, hardware and plan parameters shared by `estimate` and `plan` (the CLI's `Common`).
const COMMON: &[&str] = &[
    "model",
    "gpu",
    "gpus",
    "precision",
    "global_batch_tokens",
    "seq_len",
    "mfu",
    "stack",
    "year",
    "tp",
    "pp",
    "dp",
    "ep",
    "cp",
    "micro_batch",
    "recompute",
    "zero",
    "interleave",
    "gpus_per_node",
    "net_gbps_per_gpu",
];

/// `estimate`'s own parameters.
const ESTIMATE: &[&str] = &[
    "tokens",
    "usd_per_gpu_hour",
    "cost_basis",
    "rule",
    "channel",
    "channel_premium",
];

/// `plan`'s own parameters.
const PLAN: &[&str] = &["top"];

/// Parameters the page uses itself and never passes to a command.
pub const PAGE_ONLY: &[&str] = &["model_file", "pin", "unpin", "budget_usd"];

impl Endpoint {
    /// The subcommand.
    pub fn command(self) -> &'static str {
        match self {
            Endpoint::Estimate => "estimate",
            Endpoint::Plan => "plan",
            Endpoint::Classify => "classify",
        }
    }

    /// The parameters this endpoint accepts (underscore spelling).
    pub fn allowed(self) -> Vec<&'static str> {
        match self {
            Endpoint::Estimate => COMMON.iter().chain(ESTIMATE).copied().collect(),
            Endpoint::Plan => COMMON.iter().chain(PLAN).copied().collect(),
            Endpoint::Classify => vec!["rule"],
        }
    }
}

/// A bad query: the message, and the parameter it concerns when there is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryError {
    /// What is wrong, with a hint.
    pub message: String,
    /// The query parameter at fault.
    pub parameter: Option<String>,
}

impl QueryError {
    fn new(message: String, parameter: Option<&str>) -> Self {
        QueryError {
            message,
            parameter: parameter.map(str::to_owned),
        }
    }
}

/// A parameter name in its canonical spelling: `-` read as `_` (`seq-len` is `seq_len`).
pub fn canonical(name: &str) -> String {
    name.trim().replace('-', "_")
}

/// Split a raw query string (without `?`) into `(name, value)` pairs, in order. Names are
/// canonical; empty values are dropped (an empty form field means "not given"). Invalid
/// percent-escapes and UTF-8 are read leniently; size limits are errors. Never panics.
pub fn parse(raw: &str) -> Result<Vec<(String, String)>, QueryError> {
    if raw.len() > MAX_QUERY_BYTES {
        return Err(QueryError::new(
            format!(
                "the query string is {} bytes, more than the {MAX_QUERY_BYTES} allowed\nhint: paste a smaller model file",
                raw.len()
            ),
            None,
        ));
    }
    let mut out = Vec::new();
    for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
        let name = canonical(&k);
        if name.is_empty() || v.trim().is_empty() {
            continue;
        }
        if out.len() == MAX_PARAMS {
            return Err(QueryError::new(
                format!("more than {MAX_PARAMS} query parameters\nhint: give each flag once"),
                None,
            ));
        }
        let limit = if name == "model_file" {
            MAX_QUERY_BYTES
        } else {
            MAX_VALUE_BYTES
        };
        if v.len() > limit {
            return Err(QueryError::new(
                format!(
                    "the value of `{}` is {} bytes, more than the {limit} allowed",
                    shown(&name),
                    v.len()
                ),
                Some(&name),
            ));
        }
        out.push((name, v.trim().to_owned()));
    }
    Ok(out)
}

/// A parameter name as shown in a message: at most 40 characters.
fn shown(name: &str) -> String {
    let s: String = name.chars().take(40).collect();
    trainsim::error::echo(&s)
}

/// The CLI argument vector for `endpoint` from `params`, which must hold only allow-listed
/// names (page-only ones are skipped). Ends with `--format=json`.
pub fn to_argv(endpoint: Endpoint, params: &[(String, String)]) -> Result<Vec<String>, QueryError> {
    let allowed = endpoint.allowed();
    let mut argv = vec!["trainsim".to_owned(), endpoint.command().to_owned()];
    for (name, value) in params {
        if PAGE_ONLY.contains(&name.as_str()) {
            continue;
        }
        if !allowed.contains(&name.as_str()) {
            return Err(unknown(endpoint, name, &allowed));
        }
        argv.push(format!("--{}={value}", name.replace('_', "-")));
    }
    argv.push("--format=json".to_owned());
    Ok(argv)
}

fn unknown(endpoint: Endpoint, name: &str, allowed: &[&str]) -> QueryError {
    let hint = match trainsim::error::did_you_mean(name, allowed.iter().copied()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => format!("allowed: {}", allowed.join(", ")),
    };
    QueryError::new(
        format!(
            "unknown query parameter `{}` for /api/{}\nhint: {hint}",
            shown(name),
            endpoint.command()
        ),
        Some(name),
    )
}

/// The query parameter that a CLI flag or key names (`--gpus <GPUS>` → `gpus`).
pub fn parameter_of_flag(flag: &str) -> Option<String> {
    let f = flag.trim().trim_start_matches("--");
    let f = f.split([' ', '=']).next().unwrap_or("");
    if f.is_empty() {
        return None;
    }
    Some(canonical(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
        v.iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    #[test]
    fn maps_parameters_to_flags_in_order() {
        let p = parse("gpu=h20&gpus=2048&seq-len=4096&model=&pin=h100").unwrap();
        assert_eq!(
            p,
            pairs(&[
                ("gpu", "h20"),
                ("gpus", "2048"),
                ("seq_len", "4096"),
                ("pin", "h100")
            ])
        );
        assert_eq!(
            to_argv(Endpoint::Estimate, &p).unwrap(),
            [
                "trainsim",
                "estimate",
                "--gpu=h20",
                "--gpus=2048",
                "--seq-len=4096",
                "--format=json"
            ]
        );
    }

    #[test]
    fn file_flags_cannot_be_named() {
        for name in ["catalog", "rules", "out", "format", "threads"] {
            let e = to_argv(Endpoint::Estimate, &pairs(&[(name, "x")])).unwrap_err();
            assert_eq!(e.parameter.as_deref(), Some(name));
            assert!(
                e.message.contains("unknown query parameter"),
                "{}",
                e.message
            );
        }
        // A value that looks like a flag stays a value of its own flag.
        let argv = to_argv(
            Endpoint::Classify,
            &pairs(&[("rule", "--catalog=/etc/passwd")]),
        )
        .unwrap();
        assert_eq!(argv[2], "--rule=--catalog=/etc/passwd");
    }

    #[test]
    fn unknown_parameter_gets_did_you_mean() {
        let e = to_argv(Endpoint::Estimate, &pairs(&[("gpuss", "8")])).unwrap_err();
        assert!(
            e.message.ends_with("hint: did you mean `gpus`?"),
            "{}",
            e.message
        );
    }

    #[test]
    fn flags_name_their_parameter() {
        assert_eq!(parameter_of_flag("--gpus <GPUS>").as_deref(), Some("gpus"));
        assert_eq!(
            parameter_of_flag("--global-batch-tokens").as_deref(),
            Some("global_batch_tokens")
        );
        assert_eq!(parameter_of_flag("  "), None);
    }

    #[test]
    fn limits_are_errors() {
        let long = format!("gpu={}", "a".repeat(MAX_VALUE_BYTES + 1));
        assert_eq!(parse(&long).unwrap_err().parameter.as_deref(), Some("gpu"));
        let many = vec!["a=1"; MAX_PARAMS + 1].join("&");
        assert!(parse(&many).is_err());
        assert!(parse(&"x".repeat(MAX_QUERY_BYTES + 1)).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]
        /// Arbitrary query strings never panic the parser or the mapper.
        #[test]
        fn never_panics(raw in ".{0,300}", bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            for q in [raw.clone(), String::from_utf8_lossy(&bytes).into_owned()] {
                if let Ok(p) = parse(&q) {
                    for e in [Endpoint::Estimate, Endpoint::Plan, Endpoint::Classify] {
                        if let Ok(argv) = to_argv(e, &p) {
                            // Every argument after the subcommand is one allow-listed flag.
                            for a in &argv[2..] {
                                let flag = parameter_of_flag(a).unwrap();
                                prop_assert!(flag == "format" || e.allowed().contains(&flag.as_str()));
                            }
                        }
                    }
                }
            }
        }
    }
}
