//! `trainsim serve` in a real browser (issue 13): headless Chromium through chromedriver
//! (fantoccini). Load the page, set the chip to H20 and check the days against `trainsim
//! estimate`, pin a second fleet and check the ratio, submit the form with JavaScript off,
//! follow the link to the timeline view (JavaScript off: its "still computing" page reloads
//! itself), and save screenshots under `target/serve-e2e/`.
//!
//! Skipped when chromium or chromedriver is missing, unless `TRAINSIM_REQUIRE_BROWSER=1`
//! (set by `.ci/run`), where a missing browser fails.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::serve::Server;

/// A program on PATH (or the Debian location).
fn find(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .chain([PathBuf::from("/usr/bin")])
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// chromedriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    url: String,
}

impl Driver {
    fn start(exe: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(exe)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn browser(driver: &Driver, chromium: &Path, javascript: bool) -> Client {
    let mut args = vec![
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1280,1500",
    ];
    if !javascript {
        args.push("--blink-settings=scriptEnabled=false");
    }
    let caps = serde_json::json!({
        "goog:chromeOptions": { "args": args, "binary": chromium.to_str().unwrap() }
    });
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    ClientBuilder::new(connector)
        .capabilities(caps.as_object().unwrap().clone())
        .connect(&driver.url)
        .await
        .expect("a chromedriver session")
}

/// Wait until the text of `css` is `want` (the page updates asynchronously); return the
/// last text seen.
async fn text_becomes(c: &Client, css: &str, want: &str) -> String {
    let start = Instant::now();
    let mut last = String::new();
    while start.elapsed() < Duration::from_secs(30) {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            last = e.text().await.unwrap_or_default();
            if last == want {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    last
}

/// The CLI's days for the default question on `gpu`.
fn cli_days(gpu: &str) -> f64 {
    let o = Command::new(cargo_bin("trainsim"))
        .args([
            "estimate",
            "--model",
            "llama3.1-70b",
            "--gpu",
            gpu,
            "--gpus",
            "1024",
            "--tokens",
            "15e12",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    v["train_days"].as_f64().unwrap()
}

fn screenshot_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/serve-e2e");
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn serve_page_in_headless_chromium() {
    let required = std::env::var("TRAINSIM_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    let (Some(chromium), Some(chromedriver)) = (
        find("chromium").or_else(|| find("chromium-browser")),
        find("chromedriver"),
    ) else {
        assert!(
            !required,
            "TRAINSIM_REQUIRE_BROWSER=1 but chromium or chromedriver is missing"
        );
        eprintln!("skipped: chromium or chromedriver not found");
        return;
    };
    let server = Server::start();
    let driver = Driver::start(&chromedriver);
    let (h20, h100) = (cli_days("h20"), cli_days("h100"));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        with_javascript(&server, &driver, &chromium, h20, h100).await;
        without_javascript(&server, &driver, &chromium, h20).await;
        timeline_without_javascript(&server, &driver, &chromium).await;
    });
}

async fn with_javascript(server: &Server, driver: &Driver, chromium: &Path, h20: f64, h100: f64) {
    let c = browser(driver, chromium, true).await;
    c.goto(&format!("http://{}/", server.addr)).await.unwrap();
    let shown = text_becomes(&c, "#train-days", &format!("{h100:.1}")).await;
    assert_eq!(shown, format!("{h100:.1}"), "default question (H100)");
    std::fs::write(
        screenshot_dir().join("default.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    // Set the chip to H20: the script recomputes without a page load.
    let chip = c.find(Locator::Css("#in-gpu")).await.unwrap();
    chip.select_by_value("h20").await.unwrap();
    let shown = text_becomes(&c, "#train-days", &format!("{h20:.1}")).await;
    assert_eq!(
        shown,
        format!("{h20:.1}"),
        "days on H20 differ from trainsim estimate's"
    );
    assert!(
        c.current_url().await.unwrap().as_str().contains("gpu=h20"),
        "URL not updated"
    );
    // Pin the H100 beside it: the ratio is the H100's days ÷ the H20's.
    let add = c.find(Locator::Css("#add-pin")).await.unwrap();
    add.select_by_value("h100-sxm-80gb").await.unwrap();
    let want = format!("×{:.2}", h100 / h20);
    let shown = text_becomes(&c, "#ratio-h100-sxm-80gb", &want).await;
    assert_eq!(shown, want, "time ratio of the pinned H100");
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .contains("pin=h100-sxm-80gb"));
    std::fs::write(
        screenshot_dir().join("h20-vs-h100.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.close().await.unwrap();
}

async fn without_javascript(server: &Server, driver: &Driver, chromium: &Path, h20: f64) {
    let c = browser(driver, chromium, false).await;
    c.goto(&format!("http://{}/", server.addr)).await.unwrap();
    let chip = c.find(Locator::Css("#in-gpu")).await.unwrap();
    chip.select_by_value("h20").await.unwrap();
    c.find(Locator::Css("#go"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let shown = text_becomes(&c, "#train-days", &format!("{h20:.1}")).await;
    assert_eq!(
        shown,
        format!("{h20:.1}"),
        "the plain form submit did not answer for H20"
    );
    assert!(c.current_url().await.unwrap().as_str().contains("gpu=h20"));
    std::fs::write(
        screenshot_dir().join("no-js.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.close().await.unwrap();
}

/// From the page, the link to the timeline view; its first storyline's answer, lead table
/// and charts appear (after the "still computing" page, which reloads itself) with no script.
async fn timeline_without_javascript(server: &Server, driver: &Driver, chromium: &Path) {
    let c = browser(driver, chromium, false).await;
    c.goto(&format!("http://{}/", server.addr)).await.unwrap();
    c.find(Locator::Css("nav a[href='/timeline']"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let start = Instant::now();
    while c.find(Locator::Css("#lead")).await.is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no lead table on the timeline view"
        );
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let answer = c.find(Locator::Css("#answer")).await.unwrap();
    assert!(answer.text().await.unwrap().contains("months later"));
    let charts = c.find_all(Locator::Css("figure.chart svg")).await.unwrap();
    assert_eq!(charts.len(), 4, "the four timeline charts");
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .ends_with("/timeline"));
    std::fs::write(
        screenshot_dir().join("timeline.png"),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
    c.close().await.unwrap();
}
