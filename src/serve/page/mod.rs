//! The page at `/`: a GET form whose query is the whole page state, and the results for it
//! (answer, compare, rules), rendered on the server. `/fragment` is the results alone, which
//! the page's small script fetches and swaps in on every change; without JavaScript the form
//! submits and the server renders the same results.
//!
//! Owns: the page's state (query parameters, pins, the error to show) and the layout. Every
//! number comes from the API's JSON (`api.rs`), so the page shows what the CLI prints.

mod answer;
mod budget;
mod compare;
mod form;
pub mod html;
pub mod timeline;

use serde_json::Value;
use trainsim::catalog::Catalog;

use super::api::{answer as run_api, Answer, Engine};
use super::limits::MAX_PINS;
use super::query::{parse, Endpoint, QueryError};
use html::esc;

/// The question a fresh page answers (README's first example of `trainsim serve`).
pub const DEFAULT_QUESTION: &[(&str, &str)] = &[
    ("model", "llama3.1-70b"),
    ("gpu", "h100-sxm-80gb"),
    ("gpus", "1024"),
    ("tokens", "15e12"),
];

/// The style sheet of every page (inlined: no file is fetched).
const CSS: &str = include_str!("../assets/page.css");
const SCRIPT: &str = include_str!("../assets/page.js");

/// The page's state: its query parameters and the error to show, if any.
pub struct State {
    /// Canonical `(name, value)` pairs, in query order.
    pub params: Vec<(String, String)>,
    /// The error shown next to its field and above the results.
    pub error: Option<QueryError>,
}

impl State {
    /// The state of a raw query string; missing required inputs are the default question's.
    pub fn of(raw: &str) -> State {
        match parse(raw) {
            Ok(mut params) => {
                // A shared link may give only what differs (`/?gpu=h20`): the rest of the
                // required inputs come from the default question, shown in the form.
                for (k, v) in DEFAULT_QUESTION.iter().rev() {
                    let pasted = *k == "model" && params.iter().any(|(p, _)| p == "model_file");
                    if !pasted && !params.iter().any(|(p, _)| p == k) {
                        params.insert(0, (k.to_string(), v.to_string()));
                    }
                }
                State {
                    params,
                    error: None,
                }
            }
            Err(e) => State {
                params: Vec::new(),
                error: Some(e),
            },
        }
    }

    /// The last value given for `name`.
    pub fn value(&self, name: &str) -> Option<String> {
        self.params
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    }

    /// The error's message when it names `name`.
    pub fn error_for(&self, name: &str) -> Option<String> {
        self.error
            .as_ref()
            .filter(|e| e.parameter.as_deref() == Some(name))
            .map(|e| for_the_page(&e.message))
    }

    /// Pinned fleets' chips: `pin` values less `unpin` ones, each once, at most [`MAX_PINS`].
    pub fn pins(&self) -> Vec<String> {
        let unpinned: Vec<&str> = self
            .params
            .iter()
            .filter(|(k, _)| k == "unpin")
            .map(|(_, v)| v.as_str())
            .collect();
        let mut pins: Vec<String> = Vec::new();
        for (k, v) in &self.params {
            if k == "pin" && !unpinned.contains(&v.as_str()) && !pins.contains(v) {
                pins.push(v.clone());
            }
        }
        pins.truncate(MAX_PINS);
        pins
    }

    /// The query of this state for `path`'s links: the question and the pins.
    pub fn query(&self, drop: &[&str]) -> String {
        let mut s = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &self.params {
            if k != "pin" && k != "unpin" && !drop.contains(&k.as_str()) {
                s.append_pair(k, v);
            }
        }
        if !drop.contains(&"pin") {
            for p in self.pins() {
                s.append_pair("pin", &p);
            }
        }
        s.finish()
    }

    /// The question's parameters with `name` set to `value`.
    fn with(params: &[(String, String)], name: &str, value: &str) -> Vec<(String, String)> {
        let mut p: Vec<(String, String)> =
            params.iter().filter(|(k, _)| k != name).cloned().collect();
        p.push((name.to_owned(), value.to_owned()));
        p
    }

    /// The CLI's question for chip `gpu` (default: the question's own), with `gpus` the
    /// count that `budget_usd` buys when a budget is given.
    fn question(
        &self,
        catalog: &Catalog,
        gpu: Option<&str>,
    ) -> Result<Vec<(String, String)>, QueryError> {
        let mut p = match gpu {
            Some(g) => State::with(&self.params, "gpu", g),
            None => self.params.clone(),
        };
        if let (Some(b), Some(g)) = (
            self.value("budget_usd"),
            gpu.map(str::to_owned).or(self.value("gpu")),
        ) {
            if let Some(n) = budget::gpus_for_budget(catalog, &g, &b)? {
                p = State::with(&p, "gpus", &n.to_string());
            }
        }
        Ok(p)
    }
}

/// The links between the views, `active` (`estimate` or `timeline`) marked.
pub fn nav(active: &str) -> String {
    let link = |id: &str, href: &str, label: &str| {
        if id == active {
            format!("<b aria-current=\"page\">{label}</b>")
        } else {
            format!("<a href=\"{href}\">{label}</a>")
        }
    };
    format!(
        "<nav>{} {}</nav>",
        link("estimate", "/", "One training run"),
        link("timeline", "/timeline", "Compute over time")
    )
}

/// The whole page for a raw query string, and whether the question was answered.
pub fn page(engine: &Engine, raw: &str) -> (bool, String) {
    let mut state = State::of(raw);
    let results = results(engine, &mut state);
    let inputs = form::inputs(&engine.catalog, &engine.rules, &state);
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>trainsim: training time, cost and export rules</title><style>{CSS}</style></head>\n<body>\
<header><h1>trainsim</h1>{nav}<p>How long, how much money and energy, and how sure: training a model on a GPU fleet under US export rules. \
Change any input and the answer follows; hover a field's name for what it means and where the numbers come from.</p></header>\n\
<form id=\"q\" method=\"get\" action=\"/\"><section class=\"inputs\"><h2>Question</h2>{inputs}\
<button type=\"submit\" id=\"go\">Answer</button></section>\n<section id=\"results\">{results}</section></form>\n\
<script>{SCRIPT}</script></body></html>\n",
        nav = nav("estimate")
    );
    (state.error.is_none(), html)
}

/// The results alone (for the script's swap), and whether the question was answered.
pub fn fragment(engine: &Engine, raw: &str) -> (bool, String) {
    let mut state = State::of(raw);
    let html = results(engine, &mut state);
    (state.error.is_none(), html)
}

/// Answer, compare and rules, and the links that reproduce them. Sets `state.error` when
/// the question is bad, so the form can show it next to its field.
fn results(engine: &Engine, state: &mut State) -> String {
    if state.error.is_some() {
        return error_box(state);
    }
    let question = match state.question(&engine.catalog, None) {
        Ok(q) => q,
        Err(e) => {
            state.error = Some(e);
            return error_box(state);
        }
    };
    let estimate = match run_api(engine, Endpoint::Estimate, &question) {
        Answer::Json(s) => serde_json::from_str::<Value>(&s).unwrap_or_default(),
        Answer::BadInput(e) => {
            state.error = Some(e);
            return error_box(state);
        }
        Answer::Internal(m) => {
            state.error = Some(QueryError {
                message: m,
                parameter: None,
            });
            return error_box(state);
        }
    };
    let pins: Vec<(String, Option<Value>)> = state
        .pins()
        .into_iter()
        .map(|gpu| {
            let v = match state.question(&engine.catalog, Some(&gpu)) {
                Ok(q) => match run_api(engine, Endpoint::Estimate, &q) {
                    Answer::Json(s) => serde_json::from_str::<Value>(&s).ok(),
                    _ => None,
                },
                Err(_) => None,
            };
            (gpu, v)
        })
        .collect();
    // The same question under the other cost basis (the page shows both costs), unless
    // the channel fixes the basis (stockpile and domestic: owned; cloud: rented).
    let fixed_basis = estimate["channel"]["cost_basis"].as_str().filter(|_| {
        matches!(
            estimate["channel"]["channel"].as_str(),
            Some("stockpile" | "domestic" | "cloud")
        )
    });
    let basis = fixed_basis.map_or_else(
        || state.value("cost_basis").unwrap_or_else(|| "rental".into()),
        str::to_owned,
    );
    let flip = if basis == "ownership" {
        "rental"
    } else {
        "ownership"
    };
    let other = match fixed_basis {
        Some(_) => None,
        None => match run_api(
            engine,
            Endpoint::Estimate,
            &State::with(&question, "cost_basis", flip),
        ) {
            Answer::Json(s) => serde_json::from_str::<Value>(&s).ok(),
            _ => None,
        },
    };
    let rules = state.value("rule").map(|r| {
        match run_api(engine, Endpoint::Classify, &[("rule".into(), r)]) {
            Answer::Json(s) => serde_json::from_str::<Value>(&s).unwrap_or_default(),
            _ => Value::Null,
        }
    });
    [
        "<div class=\"status\" data-error-param=\"\"></div>".to_owned(),
        answer::answer(&estimate, &engine.catalog, &basis, other.as_ref()),
        compare::compare(
            &estimate,
            &pins,
            &engine.catalog,
            state.value("budget_usd").as_deref(),
        ),
        compare::rules(rules.as_ref(), state),
        links(state, &question),
    ]
    .concat()
}

/// The error, above the results, with the parameter it names (the script marks the field).
fn error_box(state: &State) -> String {
    let e = state.error.as_ref();
    let param = e.and_then(|e| e.parameter.clone()).unwrap_or_default();
    let msg = e.map(|e| for_the_page(&e.message)).unwrap_or_default();
    let field = if param.is_empty() {
        String::new()
    } else {
        format!(" (the <b>{}</b> field)", esc(&param))
    };
    format!(
        "<div class=\"status error\" data-error-param=\"{p}\" data-error=\"{m}\"><h2>The question cannot be answered{field}</h2><pre id=\"error\">{m}</pre></div>{links}",
        p = esc(&param),
        m = esc(&msg),
        links = links(state, &state.params)
    )
}

/// The CLI's message less its pointer to `--help`, which a page reader cannot follow.
fn for_the_page(message: &str) -> String {
    message
        .replace("\n\nFor more information, try '--help'.", "")
        .trim_end()
        .to_owned()
}

/// Links that reproduce the state: the page, its scenario file and its JSON.
fn links(state: &State, question: &[(String, String)]) -> String {
    let q = state.query(&[]);
    let api = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(
            question
                .iter()
                .filter(|(k, _)| k != "budget_usd" && k != "pin" && k != "unpin"),
        )
        .finish();
    format!(
        "<p class=\"links\"><a id=\"permalink\" href=\"/?{q}\">link to this answer</a> · \
<a id=\"scenario\" href=\"/scenario.toml?{q}\" download=\"scenario.toml\">download scenario.toml</a> \
(<code>trainsim run scenario.toml</code> answers it) · <a href=\"/api/estimate?{api}\">the answer as JSON</a></p>",
        q = esc(&q),
        api = esc(&api)
    )
}
