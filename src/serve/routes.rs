//! HTTP: the routes, and the one wrapper every request goes through: a time limit
//! ([`REQUEST_TIMEOUT`]) and a bounded number of concurrent searches (a semaphore; the work
//! itself runs on a blocking thread, off the async workers).
//!
//! | route | answer |
//! |---|---|
//! | `GET /` | the page for the query (400 when the question is bad, with the message shown) |
//! | `GET /fragment` | the page's results alone, for its script |
//! | `GET /scenario.toml` | the page's question as a scenario file for `trainsim run` |
//! | `GET /api/estimate`, `/api/plan`, `/api/classify` | the CLI's JSON; 400 `{"error", "parameter"}` |
//! | `GET /timeline?storyline=` | a shipped storyline's timeline (400 for an unknown one); while its first run lasts, a page that reloads itself (202) |

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::sync::Semaphore;

use super::api::{answer, Answer, Engine};
use super::limits::{max_concurrent_searches, REQUEST_TIMEOUT};
use super::page;
use super::query::{parse, Endpoint, QueryError};
use super::scenario::scenario_toml;
use super::timeline::{find as find_storyline, TIMELINE_WAIT};

/// What the handlers share.
pub struct App {
    /// Catalog and rules.
    pub engine: Engine,
    /// Permits for concurrent searches.
    pub searches: Arc<Semaphore>,
}

/// The router over `engine`.
pub fn router(engine: Engine) -> Router {
    let app = Arc::new(App {
        engine,
        searches: Arc::new(Semaphore::new(max_concurrent_searches())),
    });
    Router::new()
        .route("/", get(index))
        .route("/fragment", get(fragment))
        .route("/scenario.toml", get(scenario))
        .route("/api/estimate", get(api_estimate))
        .route("/api/plan", get(api_plan))
        .route("/api/classify", get(api_classify))
        .route("/timeline", get(timeline))
        .fallback(not_found)
        .with_state(app)
}

/// Run `f` on a blocking thread once a search permit is free, within the time limit.
async fn limited<F>(app: Arc<App>, f: F) -> Response
where
    F: FnOnce(&Engine) -> Response + Send + 'static,
{
    let work = async move {
        let permit = app.searches.clone().acquire_owned().await.ok()?;
        tokio::task::spawn_blocking(move || {
            let _held = permit;
            f(&app.engine)
        })
        .await
        .ok()
    };
    match tokio::time::timeout(REQUEST_TIMEOUT, work).await {
        Ok(Some(r)) => r,
        Ok(None) => (StatusCode::INTERNAL_SERVER_ERROR, "the request failed\n").into_response(),
        Err(_) => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::RETRY_AFTER, "1")],
            format!(
                "no answer within {} s: the server is busy\n",
                REQUEST_TIMEOUT.as_secs()
            ),
        )
            .into_response(),
    }
}

fn json(status: StatusCode, body: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        body,
    )
        .into_response()
}

/// A 400 with the message and the parameter it names.
fn bad(e: &QueryError) -> Response {
    let body = serde_json::json!({ "error": e.message, "parameter": e.parameter });
    json(
        StatusCode::BAD_REQUEST,
        format!(
            "{}\n",
            serde_json::to_string_pretty(&body).unwrap_or_default()
        ),
    )
}

async fn api(app: Arc<App>, endpoint: Endpoint, raw: Option<String>) -> Response {
    limited(app, move |engine| {
        let params = match parse(raw.as_deref().unwrap_or("")) {
            Ok(p) => p,
            Err(e) => return bad(&e),
        };
        match answer(engine, endpoint, &params) {
            Answer::Json(s) => json(StatusCode::OK, s),
            Answer::BadInput(e) => bad(&e),
            Answer::Internal(m) => (StatusCode::INTERNAL_SERVER_ERROR, m).into_response(),
        }
    })
    .await
}

async fn api_estimate(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> Response {
    api(app, Endpoint::Estimate, q).await
}

async fn api_plan(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> Response {
    api(app, Endpoint::Plan, q).await
}

async fn api_classify(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> Response {
    api(app, Endpoint::Classify, q).await
}

fn html((ok, body): (bool, String)) -> Response {
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn index(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> Response {
    limited(app, move |e| {
        html(page::page(e, q.as_deref().unwrap_or("")))
    })
    .await
}

async fn fragment(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> Response {
    limited(app, move |e| {
        html(page::fragment(e, q.as_deref().unwrap_or("")))
    })
    .await
}

async fn scenario(RawQuery(q): RawQuery) -> Response {
    let raw = q.unwrap_or_default();
    match parse(&raw) {
        Ok(p) => (
            [
                (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"scenario.toml\"",
                ),
            ],
            scenario_toml(&p, &raw),
        )
            .into_response(),
        Err(e) => bad(&e),
    }
}

/// A shipped storyline's timeline: kept, or run now (on a thread of its own, once) and
/// waited for at most [`TIMELINE_WAIT`].
async fn timeline(State(app): State<Arc<App>>, RawQuery(q): RawQuery) -> Response {
    let asked = parse(q.as_deref().unwrap_or("")).and_then(|p| {
        let id = p.into_iter().rev().find(|(k, _)| k == "storyline");
        find_storyline(id.as_ref().map(|(_, v)| v.as_str()))
    });
    let i = match asked {
        Ok(i) => i,
        Err(e) => return html((false, page::timeline::error(None, &e))),
    };
    let runs = &app.engine.timelines;
    if runs.get(i).is_none() && runs.claim(i) {
        let a = app.clone();
        let started = std::thread::Builder::new()
            .name(format!("timeline-{i}"))
            .spawn(move || {
                a.engine
                    .timelines
                    .run(i, &a.engine.catalog, &a.engine.rules)
            });
        if let Err(e) = started {
            runs.fail(i, format!("cannot start the run: {e}"));
        }
    }
    let deadline = tokio::time::Instant::now() + TIMELINE_WAIT;
    while runs.get(i).is_none() && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (status, body) = match runs.get(i) {
        Some(Ok(c)) => (StatusCode::OK, page::timeline::view(i, c)),
        Some(Err(m)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            page::timeline::error(
                Some(i),
                &QueryError {
                    message: m.clone(),
                    parameter: None,
                },
            ),
        ),
        None => (StatusCode::ACCEPTED, page::timeline::pending(i)),
    };
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body,
    )
        .into_response()
}

async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        "not found: the pages are / and /timeline, the API /api/estimate, /api/plan and /api/classify\n",
    )
        .into_response()
}
