//! `trainsim serve`: a local web app over the same engine and the same commands as the CLI.
//!
//! ```text
//! request ─> routes (time limit, search permit, blocking thread)
//!         ─> query::parse ─> query::to_argv (allow-list) ─> clap ─> answer::{estimate,plan,classify}
//!         ─> JSON (the API) or page::{page,fragment} (HTML from that JSON)
//! ```
//! `/timeline` takes its own path: `timeline` runs a shipped storyline once, on a thread of
//! its own, and `page::timeline` shows it.
//!
//! Modules: `query` (parsing and the allow-list), `api` (running the CLI into a buffer),
//! `cache` (answers already given; plan searches are memoised too, by
//! `trainsim::parallel::memo`, installed around each command), `page` (the HTML),
//! `scenario` (the page's question as a scenario file), `timeline` (the shipped
//! storylines' runs), `routes` (HTTP), `limits` (every bound). Every asset is embedded,
//! the storylines included: no CDN, no file read per request.

mod api;
mod cache;
mod limits;
mod page;
mod query;
mod routes;
mod scenario;
mod timeline;

use std::net::IpAddr;
use std::sync::Arc;

use trainsim::catalog::Catalog;
use trainsim::error::InputError;
use trainsim::parallel::memo::SearchMemo;
use trainsim::policy::Rule;

pub use api::Engine;
use limits::SEARCH_MEMO_ENTRIES;

/// Serve on `bind:port` (port 0: any free port) until interrupted. Prints the address on
/// stderr; with `open`, asks the desktop to open it (best effort).
pub fn serve(
    catalog: Catalog,
    rules: Vec<Rule>,
    bind: &str,
    port: u16,
    open: bool,
) -> anyhow::Result<()> {
    let ip: IpAddr = bind.trim().parse().map_err(|_| {
        InputError::new(format!(
            "`{}` is not an IP address",
            trainsim::error::echo(bind)
        ))
        .at_key("--bind")
        .with_hint("e.g. 127.0.0.1 (this machine only, the default) or 0.0.0.0 (every interface)")
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind((ip, port))
            .await
            .map_err(|e| {
                InputError::new(format!("cannot listen on {ip}:{port}: {e}"))
                    .at_key("--port")
                    .with_hint("choose another --port, or 0 for any free one")
            })?;
        let url = format!("http://{}/", listener.local_addr()?);
        eprintln!("trainsim serve: listening on {url} (Ctrl-C stops it)");
        if open {
            open_browser(&url);
        }
        let engine = Engine {
            catalog,
            rules,
            cache: Default::default(),
            memo: Arc::new(SearchMemo::new(SEARCH_MEMO_ENTRIES)),
            timelines: Default::default(),
        };
        axum::serve(listener, routes::router(engine)).await?;
        Ok(())
    })
}

/// Ask the desktop to open `url`; say so on stderr when it cannot.
fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if spawned.is_err() {
        eprintln!("trainsim serve: could not run `{opener}`; open {url} yourself");
    }
}
