//! `trainsim serve` (issue 13): the API answers with the CLI's bytes and messages, the page
//! renders and reproduces from its URL, the scenario download runs to the same days, and a
//! real headless Chromium drives the page (`serve_browser.rs`). The server is the binary,
//! started on an ephemeral port of 127.0.0.1.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use assert_cmd::cargo::cargo_bin;

/// A running `trainsim serve --port 0`, stopped when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub addr: String,
}

impl Server {
    /// Start the server and wait for its address on stderr.
    pub fn start() -> Server {
        let mut child = Command::new(cargo_bin("trainsim"))
            .args(["serve", "--port", "0"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start trainsim serve");
        let mut line = String::new();
        BufReader::new(child.stderr.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("no address in {line:?}"))
            .to_owned();
        Server { child, addr }
    }

    /// `GET path` (with its query): the status and the body.
    pub fn get(&self, path: &str) -> (u16, String) {
        get(&self.addr, path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A plain HTTP/1.1 GET over a new connection: status and body.
pub fn get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let raw = String::from_utf8(raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, body.to_owned())
}

/// `trainsim ARGS`: exit code, stdout, stderr.
fn cli(args: &[&str]) -> (i32, String, String) {
    let o = Command::new(cargo_bin("trainsim"))
        .args(args)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8(o.stdout).unwrap(),
        String::from_utf8(o.stderr).unwrap(),
    )
}

/// `("gpu", "h20")` pairs as a query string and as CLI flags.
fn both(pairs: &[(&str, &str)]) -> (String, Vec<String>) {
    let q = pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", v.replace('+', "%2B")))
        .collect::<Vec<_>>()
        .join("&");
    let flags = pairs
        .iter()
        .flat_map(|(k, v)| [format!("--{}", k.replace('_', "-")), v.to_string()])
        .collect();
    (q, flags)
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("{e}: {s}"))
}

/// Questions the API and the CLI must answer alike (an infeasible one included).
const QUESTIONS: &[&[(&str, &str)]] = &[
    &[
        ("model", "llama3.1-70b"),
        ("gpu", "h100"),
        ("gpus", "1024"),
        ("tokens", "15e12"),
    ],
    &[
        ("model", "llama3.1-8b"),
        ("gpu", "h20"),
        ("gpus", "256"),
        ("tokens", "2e12"),
        ("precision", "fp8"),
        ("rule", "oct-2023"),
        ("cost_basis", "ownership"),
    ],
    &[
        ("model", "llama3.1-405b"),
        ("gpu", "a100"),
        ("gpus", "8"),
        ("tokens", "1e12"),
    ],
    &[
        ("model", "llama3.1-8b"),
        ("gpu", "h100"),
        ("gpus", "64"),
        ("tokens", "1e11"),
        ("rule", "oct-2023"),
        ("channel", "smuggled"),
        ("channel_premium", "0.6"),
    ],
];

#[test]
fn api_estimate_is_the_cli_json_byte_for_byte() {
    let s = Server::start();
    for q in QUESTIONS {
        let (query, flags) = both(q);
        let (status, body) = s.get(&format!("/api/estimate?{query}"));
        let mut args = vec!["estimate"];
        args.extend(flags.iter().map(String::as_str));
        args.extend(["--format", "json"]);
        let (code, out, _) = cli(&args);
        assert_eq!((status, code), (200, 0), "{query}: {body}");
        assert_eq!(body, out, "{query}");
    }
}

/// Questions that share plan searches (memoised in the server: the same model, chip and
/// count under other tokens, cost basis or chip alias; the H100-equivalents search of every
/// non-H100 chip), asked concurrently, each still get the CLI's bytes.
#[test]
fn shared_searches_answer_each_question_as_the_cli() {
    let s = Server::start();
    let base = [("model", "llama3.1-8b"), ("gpus", "128")];
    let variants: &[&[(&str, &str)]] = &[
        &[("gpu", "h20"), ("tokens", "1e12")],
        &[("gpu", "h20"), ("tokens", "3e12")],
        &[
            ("gpu", "h20"),
            ("tokens", "1e12"),
            ("cost_basis", "ownership"),
        ],
        &[("gpu", "h100"), ("tokens", "1e12")],
        &[("gpu", "h100-sxm-80gb"), ("tokens", "1e12")],
        &[("gpu", "h800"), ("tokens", "1e12"), ("rule", "oct-2023")],
    ];
    let asked: Vec<(String, Vec<String>)> = variants
        .iter()
        .map(|v| both(&[base.as_slice(), v].concat()))
        .collect();
    let addr = s.addr.clone();
    let bodies: Vec<_> = asked
        .iter()
        .map(|(q, _)| {
            let (addr, path) = (addr.clone(), format!("/api/estimate?{q}"));
            std::thread::spawn(move || get(&addr, &path))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| h.join().unwrap())
        .collect();
    for ((query, flags), (status, body)) in asked.iter().zip(bodies) {
        let mut args = vec!["estimate"];
        args.extend(flags.iter().map(String::as_str));
        args.extend(["--format", "json"]);
        assert_eq!((status, body), (200, cli(&args).1), "{query}");
    }
}

#[test]
fn api_plan_and_classify_are_the_cli_json() {
    let s = Server::start();
    let (query, flags) = both(&[
        ("model", "llama3.1-8b"),
        ("gpu", "h800"),
        ("gpus", "64"),
        ("top", "3"),
    ]);
    let (status, body) = s.get(&format!("/api/plan?{query}"));
    let mut args = vec!["plan"];
    args.extend(flags.iter().map(String::as_str));
    args.extend(["--format", "json"]);
    let (_, out, _) = cli(&args);
    assert_eq!(status, 200, "{body}");
    // `search_s` is the search's own wall time, so it differs run to run; all else is equal.
    let (mut api, mut cli_json) = (json(&body), json(&out));
    assert!(api["search_s"].as_f64().unwrap() >= 0.0);
    api["search_s"] = 0.into();
    cli_json["search_s"] = 0.into();
    assert_eq!(api, cli_json);
    assert_eq!(api["plans"].as_array().unwrap().len(), 3);
    for rule in [None, Some("oct-2023")] {
        let path = rule.map_or("/api/classify".into(), |r| {
            format!("/api/classify?rule={r}")
        });
        let mut args = vec!["classify", "--format", "json"];
        args.extend(rule.map(|r| ["--rule", r]).into_iter().flatten());
        let (status, body) = s.get(&path);
        assert_eq!((status, body), (200, cli(&args).1), "{path}");
    }
}

/// Bad input: HTTP 400, the CLI's exact message (exit 2), and the parameter it names.
#[test]
fn api_errors_are_the_cli_messages_naming_the_parameter() {
    let s = Server::start();
    let base = [
        ("model", "llama3.1-8b"),
        ("gpu", "h100"),
        ("gpus", "64"),
        ("tokens", "1e12"),
    ];
    let cases: &[(&str, &str, &str)] = &[
        ("gpu", "h2", "did you mean `h20`?"),
        ("model", "llama3.1-8", "did you mean `llama3.1-8b`?"),
        ("gpus", "abc", "`abc` is not a number"),
        ("gpus", "2e7", "the most trainsim accepts"),
        ("gpus", "1e30", "must be a whole number"),
        ("tokens", "1e99", "the most trainsim accepts"),
        ("tp", "3", "--tp"),
        ("rule", "oct-2032", "did you mean"),
        ("precision", "fp4", "fp4"),
    ];
    for (key, value, expect) in cases {
        let pairs: Vec<(&str, &str)> = base
            .iter()
            .filter(|(k, _)| k != key)
            .copied()
            .chain([(*key, *value)])
            .collect();
        let (query, flags) = both(&pairs);
        let (status, body) = s.get(&format!("/api/estimate?{query}"));
        let mut args = vec!["estimate"];
        args.extend(flags.iter().map(String::as_str));
        args.extend(["--format", "json"]);
        let (code, _, err) = cli(&args);
        let v = json(&body);
        assert_eq!((status, code), (400, 2), "{query}: {body}");
        assert_eq!(v["parameter"], *key, "{query}");
        assert_eq!(v["error"].as_str().unwrap(), err.trim_end(), "{query}");
        assert!(err.contains(expect), "{query}: {err}");
    }
}

#[test]
fn api_refuses_flags_that_touch_files_and_unknown_parameters() {
    let s = Server::start();
    let q = "model=llama3.1-8b&gpu=h100&gpus=8&tokens=1e12";
    for (extra, param, hint) in [
        ("catalog=/etc/passwd", "catalog", "allowed:"),
        ("rules=x.toml", "rules", "did you mean `rule`?"),
        ("out=/tmp", "out", "unknown query parameter `out`"),
        ("gpuss=8", "gpuss", "did you mean `gpus`?"),
    ] {
        let (status, body) = s.get(&format!("/api/estimate?{q}&{extra}"));
        let v = json(&body);
        assert_eq!(status, 400, "{extra}");
        assert_eq!(v["parameter"], param);
        assert!(v["error"].as_str().unwrap().contains(hint), "{body}");
    }
    // A path as the model is refused before anything looks for the file.
    let (status, body) = s.get("/api/estimate?model=/etc/passwd&gpu=h100&gpus=8&tokens=1e12");
    assert_eq!(status, 400);
    assert!(body.contains("the server reads no files"), "{body}");
    // Malformed and oversized queries are 400s too.
    let (status, _) = s.get("/api/estimate?%ZZ&&=&gpu=%FF%FE");
    assert_eq!(status, 400);
    let (status, body) = s.get(&format!("/api/estimate?gpu={}", "x".repeat(300)));
    assert_eq!(
        (status, json(&body)["parameter"].clone()),
        (400, "gpu".into())
    );
}

/// A pasted model file answers as `--model FILE.toml` does, and its errors name `model_file`.
#[test]
fn pasted_model_file_is_parsed_from_memory() {
    let s = Server::start();
    let text = "name = \"tiny\"\nlayers = 16\nd_model = 2048\nheads = 16\nffn_hidden = 8192\nffn_kind = \"swiglu\"\nvocab = 32000\nseq_len = 2048\n";
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("tiny.toml");
    std::fs::write(&file, text).unwrap();
    let enc: String = form_urlencoded::byte_serialize(text.as_bytes()).collect();
    let (status, body) = s.get(&format!(
        "/api/estimate?model_file={enc}&gpu=h100&gpus=64&tokens=1e11"
    ));
    let (_, out, _) = cli(&[
        "estimate",
        "--model",
        file.to_str().unwrap(),
        "--gpu",
        "h100",
        "--gpus",
        "64",
        "--tokens",
        "1e11",
        "--format",
        "json",
    ]);
    assert_eq!((status, body), (200, out));
    let bad: String = form_urlencoded::byte_serialize(b"layers = \"many\"\n").collect();
    let (status, body) = s.get(&format!(
        "/api/estimate?model_file={bad}&gpu=h100&gpus=64&tokens=1e11"
    ));
    let v = json(&body);
    assert_eq!((status, v["parameter"].as_str()), (400, Some("model_file")));
    assert!(
        v["error"].as_str().unwrap().contains("model_file"),
        "{body}"
    );
}

/// The page answers from its URL, shows the CLI's days, and shows errors next to the field.
#[test]
fn page_renders_the_answer_and_errors_from_the_url() {
    let s = Server::start();
    let (status, page) = s.get("/?gpu=h20&pin=h100-sxm-80gb");
    assert_eq!(status, 200);
    let (_, out, _) = cli(&[
        "estimate",
        "--model",
        "llama3.1-70b",
        "--gpu",
        "h20",
        "--gpus",
        "1024",
        "--tokens",
        "15e12",
        "--format",
        "json",
    ]);
    let days = json(&out)["train_days"].as_f64().unwrap();
    assert!(
        page.contains(&format!("<span id=\"train-days\">{days:.1}</span>")),
        "the page's days differ from the CLI's {days:.1}"
    );
    assert!(
        page.contains("id=\"ratio-h100-sxm-80gb\""),
        "no pinned fleet"
    );
    let (status, page) = s.get("/?gpus=12x");
    assert_eq!(status, 400);
    assert!(
        page.contains("<span class=\"err\" id=\"err-gpus\">error: invalid value &#39;12x&#39; for &#39;--gpus &lt;GPUS&gt;&#39;: `12x` is not a number</span>"),
        "the error is not next to the gpus field"
    );
}

/// The downloaded scenario, run by `trainsim run`, gives the page's (and estimate's) days.
#[test]
fn downloaded_scenario_runs_to_the_same_days() {
    let s = Server::start();
    let q = "model=llama3.1-8b&gpu=h20&gpus=128&tokens=1e12&precision=fp8&rule=oct-2023";
    let est_days = run_days(&s, q);
    let (_, body) = s.get(&format!("/api/estimate?{q}"));
    assert_eq!(est_days, json(&body)["train_days"].as_f64().unwrap());
}

/// Equal budget: $341,333,334 buys 14,048 H20 (scenarios/default.toml works it out by hand);
/// the page sizes the fleet so, and the scenario's `fleet.budget_usd` gives the same days.
#[test]
fn budget_sizes_the_fleet_as_a_scenario_does() {
    let s = Server::start();
    let q = "model=llama3.1-8b&gpu=h20&budget_usd=341333334&tokens=1e12&pin=h100-sxm-80gb";
    let (status, page) = s.get(&format!("/?{q}"));
    assert_eq!(status, 200);
    assert!(page.contains("14,048 × NVIDIA H20"), "H20 count");
    assert!(page.contains("8,192 × NVIDIA H100"), "H100 count");
    let (_, body) = s.get("/api/estimate?model=llama3.1-8b&gpu=h20&gpus=14048&tokens=1e12");
    let days = json(&body)["train_days"].as_f64().unwrap();
    assert!(page.contains(&format!("<span id=\"train-days\">{days:.1}</span>")));
    assert_eq!(run_days(&s, q), days);
}

/// A channel travels into the scenario (`fleet.channel`, the premium written out, the rule as
/// `[policy] rule`): a smuggled H100 fleet under Oct-2023 runs to the page's days and cost.
/// On the page, a purchase the rule forbids is refused with the rule's reason and a hint.
#[test]
fn channel_travels_into_the_scenario() {
    let s = Server::start();
    let q = "model=llama3.1-8b&gpu=h100&gpus=64&tokens=1e11&rule=oct-2023&channel=smuggled";
    let (_, body) = s.get(&format!("/api/estimate?{q}"));
    let v = json(&body);
    assert_eq!(v["channel"]["premium"], 0.5);
    assert_eq!(
        run_column(&s, q, "train_days_p50"),
        v["train_days"].as_f64().unwrap()
    );
    assert_eq!(
        run_column(&s, q, "cost_usd_p50"),
        v["cost_usd"].as_f64().unwrap()
    );
    let (status, page) =
        s.get("/?model=llama3.1-8b&gpu=h100&gpus=64&tokens=1e11&rule=oct-2023&channel=purchase");
    assert_eq!(status, 200);
    assert!(page.contains("not allowed under oct-2023"), "refusal");
    assert!(page.contains("choose another channel"), "hint");
    let (_, page) = s.get(&format!("/?{q}"));
    assert!(
        page.contains("unlawful, outside the export rule"),
        "channel line"
    );
}

/// Download the page's scenario for `q`, run it, and return `train_days_p50`.
fn run_days(s: &Server, q: &str) -> f64 {
    run_column(s, q, "train_days_p50")
}

/// Download the page's scenario for `q`, run it, and return `column` of its summary row.
fn run_column(s: &Server, q: &str, column: &str) -> f64 {
    let (status, toml) = s.get(&format!("/scenario.toml?{q}"));
    assert_eq!(status, 200);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scenario.toml");
    std::fs::write(&file, &toml).unwrap();
    let out = dir.path().join("out");
    let (code, _, err) = cli(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--no-charts",
    ]);
    assert_eq!(code, 0, "{err}\n{toml}");
    let mut rd = csv::Reader::from_path(out.join("summary.csv")).unwrap();
    let header = rd.headers().unwrap().clone();
    let row = rd.records().next().unwrap().unwrap();
    let col = header.iter().position(|h| h == column).unwrap();
    row[col].parse().unwrap()
}

/// `serve`'s own flags: a bad address or a port in use is bad input (exit 2) naming the flag.
#[test]
fn serve_flags_are_checked() {
    let (code, _, err) = cli(&["serve", "--bind", "localhost"]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with("Error: `--bind`: `localhost` is not an IP address"),
        "{err}"
    );
    let s = Server::start();
    let port = s.addr.rsplit(':').next().unwrap();
    let (code, _, err) = cli(&["serve", "--port", port]);
    assert_eq!(code, 2);
    assert!(
        err.starts_with(&format!(
            "Error: `--port`: cannot listen on 127.0.0.1:{port}"
        )),
        "{err}"
    );
}

/// The timeline view of a shipped storyline: the answer `trainsim timeline` prints for the
/// same file, the lead table and the charts inline (its first ask runs the storyline and may
/// answer 202, "still computing", until it is done). An unknown storyline is a 400 with a
/// did-you-mean.
#[test]
fn timeline_view_shows_a_storyline_and_refuses_unknown_ones() {
    let s = Server::start();
    let (status, body) = s.get("/timeline?storyline=h20-lophole");
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("did you mean `h20-loophole`?"), "{body}");
    let start = std::time::Instant::now();
    let (status, body) = loop {
        let (status, body) = s.get("/timeline?storyline=h20-loophole");
        if status != 202 || start.elapsed() > Duration::from_secs(120) {
            break (status, body);
        }
        assert!(body.contains("http-equiv=\"refresh\""), "{body}");
        std::thread::sleep(Duration::from_millis(500));
    };
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("<table class=\"cmp\" id=\"lead\">"), "{body}");
    for col in ["<th>p5</th>", "<th>p50</th>", "<th>p95</th>"] {
        assert!(body.contains(col), "{col}");
    }
    assert_eq!(body.matches("<svg").count(), 4, "four charts");
    // The same answer as the CLI's for the shipped file.
    let out = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = cli(&[
        "timeline",
        "scenarios/timeline/h20-loophole.toml",
        "--no-charts",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{stderr}");
    let answer = stdout.lines().nth(1).unwrap().trim().replace('`', "");
    let shown = body
        .split("id=\"answer\">")
        .nth(1)
        .and_then(|b| b.split("</p>").next())
        .unwrap()
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&amp;", "&");
    assert_eq!(shown, answer);
    // Kept: the second ask answers from memory.
    let t = std::time::Instant::now();
    assert_eq!(s.get("/timeline?storyline=h20-loophole").0, 200);
    assert!(t.elapsed() < Duration::from_secs(2));
}
