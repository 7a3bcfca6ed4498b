//! Headless Chromium for site tests: a loopback static file server that sends the site's
//! Content-Security-Policy, [`render_dom`] (the DOM after scripts ran) and [`screenshot`].
//!
//! Chromium is Debian's `chromium` (`./test` installs it). When it is missing every helper
//! panics saying how to install it: a browser test must never pass without a browser.
//!
//! Each launch gets a fresh profile (no cache, no state between runs) and
//! `--virtual-time-budget`, which lets the page run until it has been idle — no timers due and
//! no fetch pending — for that much virtual time, so a verifier that fetches tiles and hashes
//! them has finished when the DOM is dumped, without sleeping in wall-clock time. A wall-clock
//! limit still guards against a hung browser.

use std::net::SocketAddr;
use std::path::{Component, Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Where Debian installs Chromium.
pub const CHROMIUM: &str = "/usr/bin/chromium";
/// The policy the disclosure site is served with: only our own script, styles, images, fetches.
pub const SITE_CSP: &str = "default-src 'self'; script-src 'self'; connect-src 'self'; \
                            style-src 'self'; img-src 'self' data:";
/// Virtual time a page may use; it is skipped through, not waited for.
const VIRTUAL_TIME_BUDGET_MS: u32 = 20_000;
/// Wall-clock limit for one Chromium run.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(90);

/// The Chromium binary, or a panic that says how to get it.
pub fn chromium() -> &'static Path {
    let path = Path::new(CHROMIUM);
    assert!(
        path.exists(),
        "{CHROMIUM} is missing: browser tests need Debian's chromium. Install it with \
         `apt-get install -y chromium`, or run the tests with `./test`, which does"
    );
    path
}

/// A static file server on 127.0.0.1 serving a directory, with [`SITE_CSP`] on every response.
/// It runs on its own thread and runtime, so tests using it may be synchronous; it stops when
/// dropped.
pub struct StaticServer {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StaticServer {
    /// Serves `root`; `dir/` answers with `dir/index.html`, a missing file with `root/404.html`
    /// (status 404) when there is one. Files are read per request, so a test may change them
    /// between page loads.
    pub fn start(root: &Path) -> StaticServer {
        let served = Served {
            root: root.to_owned(),
            requests: Arc::default(),
        };
        let requests = served.requests.clone();
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let app = Router::new().fallback(serve_file).with_state(served);
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = stop.await;
                    })
                    .await
                    .unwrap();
            });
        });
        StaticServer {
            addr: addr_rx.recv().unwrap(),
            requests,
            shutdown: Some(shutdown),
            thread: Some(thread),
        }
    }

    /// Absolute URL of `path` (no leading slash) on this server.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{path}", self.addr)
    }

    /// Every request target (path and query) served so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

#[derive(Clone)]
struct Served {
    root: PathBuf,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn serve_file(State(served): State<Served>, req: Request) -> Response {
    served.requests.lock().unwrap().push(req.uri().to_string());
    let root = served.root;
    let mut rel = PathBuf::new();
    for part in req.uri().path().split('/').filter(|p| !p.is_empty()) {
        let part = Path::new(part);
        if part.components().count() != 1
            || !matches!(part.components().next(), Some(Component::Normal(_)))
        {
            return with_csp(StatusCode::BAD_REQUEST.into_response());
        }
        rel.push(part);
    }
    if req.uri().path().ends_with('/') {
        rel.push("index.html");
    }
    let path = root.join(&rel);
    let kind = match path.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("png") => "image/png",
        Some("svg") => "image/svg+xml",
        _ if rel.starts_with("log") => "application/octet-stream",
        _ => "text/plain; charset=utf-8",
    };
    let resp = match tokio::fs::read(&path).await {
        Ok(bytes) => ([(header::CONTENT_TYPE, kind)], bytes).into_response(),
        // As GitHub Pages, Netlify and Cloudflare Pages do: the root's 404.html, if there is
        // one, answers any missing address, with status 404.
        Err(_) => match tokio::fs::read(root.join("404.html")).await {
            Ok(page) => (
                StatusCode::NOT_FOUND,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                page,
            )
                .into_response(),
            Err(_) => StatusCode::NOT_FOUND.into_response(),
        },
    };
    with_csp(resp)
}

fn with_csp(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(SITE_CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// Headless Chromium with a fresh profile in `profile` and everything that would reach beyond
/// loopback (updates, sync, QUIC, first-run pages) switched off.
fn chromium_command(profile: &Path) -> Command {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--hide-scrollbars",
        "--mute-audio",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// Reads a pipe to its end on a thread, so a chatty browser cannot block on a full pipe.
fn drain(mut r: impl std::io::Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = r.read_to_end(&mut buf);
        buf
    })
}

/// Runs headless Chromium on `url` with `extra` arguments; returns its stdout.
fn run_chromium(url: &str, extra: &[String]) -> Vec<u8> {
    let profile = tempfile::tempdir().unwrap();
    let mut child = chromium_command(profile.path())
        .arg(format!("--virtual-time-budget={VIRTUAL_TIME_BUDGET_MS}"))
        .args(extra)
        .arg(url)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMIUM}: {e}"));
    let out = drain(child.stdout.take().unwrap());
    let err = drain(child.stderr.take().unwrap());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > CHROMIUM_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish {url} within {CHROMIUM_TIMEOUT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = out.join().unwrap();
    let err = err.join().unwrap();
    assert!(
        status.success(),
        "chromium failed on {url}: {status}\n{}",
        String::from_utf8_lossy(&err)
    );
    out
}

/// The page's DOM, serialised after its scripts ran.
pub fn render_dom(url: &str) -> String {
    let out = run_chromium(url, &["--dump-dom".to_owned()]);
    let dom = String::from_utf8(out).expect("chromium prints the DOM as UTF-8");
    assert!(
        dom.contains("<html"),
        "chromium printed no DOM for {url}: {dom:?}"
    );
    dom
}

/// A `width`×`height` CSS-pixel PNG screenshot of the page's viewport, written to `out_png`.
pub fn screenshot(url: &str, width: u32, height: u32, out_png: &Path) {
    if let Some(dir) = out_png.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    let _ = std::fs::remove_file(out_png);
    run_chromium(
        url,
        &[
            format!("--screenshot={}", out_png.display()),
            format!("--window-size={width},{height}"),
        ],
    );
    assert!(
        out_png.exists(),
        "chromium wrote no screenshot of {url} to {}",
        out_png.display()
    );
}

/// Width and height of a PNG file, from its IHDR chunk.
pub fn png_size(png: &Path) -> (u32, u32) {
    let bytes = std::fs::read(png).unwrap();
    assert!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "{} is not a PNG",
        png.display()
    );
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// A page driven over the Chrome DevTools protocol, for tests that interact with a page (type,
/// press keys, evaluate expressions) rather than only read its final DOM.
///
/// It uses the protocol's pipe transport (`--remote-debugging-pipe`: the browser reads
/// NUL-terminated JSON commands on fd 3 and writes replies and events on fd 4), so no port is
/// opened and no WebSocket client is needed; `sh` maps fds 3 and 4 onto our pipes. Expressions
/// evaluated over the protocol are not subject to the page's Content-Security-Policy; the
/// page's own scripts are.
pub struct Page {
    child: std::process::Child,
    commands: std::process::ChildStdin,
    replies: std::sync::mpsc::Receiver<serde_json::Value>,
    session: String,
    next_id: u64,
    _profile: tempfile::TempDir,
}

impl Page {
    /// Opens `url` in a new headless browser, `width`×`height` CSS pixels.
    pub fn open(url: &str, width: u32, height: u32) -> Page {
        let profile = tempfile::tempdir().unwrap();
        let browser = chromium_command(profile.path());
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" 3<&0 4>&1 </dev/null >/dev/null"#)
            .arg(browser.get_program())
            .args(browser.get_args())
            .arg("--remote-debugging-pipe")
            .arg(format!("--window-size={width},{height}"))
            .arg("about:blank")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {CHROMIUM}: {e}"));
        let commands = child.stdin.take().unwrap();
        let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
        let (tx, replies) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            use std::io::BufRead as _;
            let mut msg = Vec::new();
            while out.read_until(0, &mut msg).unwrap_or(0) > 0 {
                msg.pop();
                if let Ok(v) = serde_json::from_slice(&msg)
                    && tx.send(v).is_err()
                {
                    break;
                }
                msg.clear();
            }
        });
        let mut page = Page {
            child,
            commands,
            replies,
            session: String::new(),
            next_id: 0,
            _profile: profile,
        };
        let target = page.call(
            "Target.createTarget",
            serde_json::json!({"url": "about:blank"}),
        );
        let attached = page.call(
            "Target.attachToTarget",
            serde_json::json!({"targetId": target["targetId"], "flatten": true}),
        );
        page.session = attached["sessionId"].as_str().unwrap().to_owned();
        page.call("Page.navigate", serde_json::json!({"url": url}));
        // about:blank is "complete" too: wait until the new document has replaced it.
        page.wait_for("location.href !== 'about:blank' && document.readyState === 'complete'");
        page
    }

    /// Goes to `url` in the same browser (one browser for many pages is much faster than one
    /// each) and waits until the new document has loaded.
    pub fn goto(&mut self, url: &str) {
        self.eval("window.__left = true");
        self.call("Page.navigate", serde_json::json!({"url": url}));
        self.wait_for("!window.__left && document.readyState === 'complete'");
    }

    /// Sends one protocol command (to the page once attached) and returns its result.
    pub fn call(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        self.try_call(method, params)
            .unwrap_or_else(|reply| panic!("{method} failed: {reply}"))
    }

    /// Sends one protocol command; its result, or the reply naming the error (a command sent while
    /// the page navigates away may find no document to run in).
    fn try_call(
        &mut self,
        method: &str,
        params: serde_json::Value,
    ) -> Result<serde_json::Value, serde_json::Value> {
        use std::io::Write as _;
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = serde_json::json!({"id": id, "method": method, "params": params});
        if !self.session.is_empty() {
            msg["sessionId"] = self.session.clone().into();
        }
        let mut bytes = serde_json::to_vec(&msg).unwrap();
        bytes.push(0);
        self.commands.write_all(&bytes).unwrap();
        let deadline = Instant::now() + CHROMIUM_TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let reply = self
                .replies
                .recv_timeout(left)
                .unwrap_or_else(|e| panic!("no reply from chromium to {method}: {e}"));
            if reply["id"] == id {
                return match reply.get("error") {
                    None => Ok(reply["result"].clone()),
                    Some(_) => Err(reply),
                };
            }
        }
    }

    /// The value of a JavaScript expression in the page (promises are awaited).
    pub fn eval(&mut self, expression: &str) -> serde_json::Value {
        let r = self.call(
            "Runtime.evaluate",
            serde_json::json!({"expression": expression, "returnByValue": true, "awaitPromise": true}),
        );
        assert!(
            r.get("exceptionDetails").is_none(),
            "{expression} threw: {r}"
        );
        r["result"]["value"].clone()
    }

    /// Polls `expression` until it is truthy and returns its value; panics after a while.
    pub fn wait_for(&mut self, expression: &str) -> serde_json::Value {
        let deadline = Instant::now() + CHROMIUM_TIMEOUT;
        loop {
            // While a page script navigates (a lookup landing on the receipt), the old document
            // may be gone before the new one answers: not yet, rather than a failure.
            let v = self
                .try_call(
                    "Runtime.evaluate",
                    serde_json::json!({"expression": format!(
                        "(() => {{ try {{ return {expression}; }} catch (e) {{ return null; }} }})()"
                    ), "returnByValue": true, "awaitPromise": true}),
                )
                .map_or(serde_json::Value::Null, |r| r["result"]["value"].clone());
            if !(v.is_null() || v == false || v == "" || v == 0) {
                return v;
            }
            assert!(Instant::now() < deadline, "{expression} never became true");
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Sets a phone's (or any) viewport: headless windows have a minimum width, so a narrow one
    /// is emulated.
    pub fn set_viewport(&mut self, width: u32, height: u32, mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            serde_json::json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        );
    }

    /// A PNG of the whole page (beyond the viewport too), at the viewport's width, written to
    /// `out_png`.
    pub fn screenshot_full(&mut self, out_png: &Path) {
        use base64::Engine as _;
        // With a phone's emulated viewport the capture stops at the first screen unless the
        // clip names the page's full size.
        let size = self
            .eval("[document.documentElement.clientWidth, document.documentElement.scrollHeight]");
        let shot = self.call(
            "Page.captureScreenshot",
            serde_json::json!({"format": "png", "captureBeyondViewport": true,
                "clip": {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}}),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().unwrap())
            .unwrap();
        if let Some(dir) = out_png.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(out_png, png).unwrap();
    }

    /// Types `text` into the focused element, as a keyboard would.
    pub fn type_text(&mut self, text: &str) {
        self.call("Input.insertText", serde_json::json!({"text": text}));
    }

    /// Presses and releases Enter.
    pub fn press_enter(&mut self) {
        for kind in ["keyDown", "keyUp"] {
            self.call(
                "Input.dispatchKeyEvent",
                serde_json::json!({"type": kind, "key": "Enter", "code": "Enter",
                                   "windowsVirtualKeyCode": 13, "text": "\r"}),
            );
        }
    }
}

impl Drop for Page {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The page is no wider than its screen (wide tables scroll inside their own box).
pub fn assert_fits(tab: &mut Page, what: &str) {
    let widths =
        tab.eval("[document.documentElement.scrollWidth, document.documentElement.clientWidth]");
    assert!(
        widths[0].as_u64().unwrap() <= widths[1].as_u64().unwrap(),
        "{what} is {} px wide in a {} px screen",
        widths[0],
        widths[1]
    );
}

/// Every text of every chart on the page, with its box: none overlaps another (by more than
/// half a pixel, for anti-aliasing) and none runs outside its chart.
const CHART_TEXT_BOXES: &str = r#"[...document.querySelectorAll('figure.chart svg')].map(svg => {
  const s = svg.getBoundingClientRect();
  return { svg: [s.left, s.top, s.right, s.bottom],
    texts: [...svg.querySelectorAll('text')].map(t => {
      const b = t.getBoundingClientRect();
      return [t.textContent, b.left, b.top, b.right, b.bottom];
    }) };
})"#;

pub fn assert_chart_text_apart(tab: &mut Page, what: &str) {
    let charts = tab.eval(CHART_TEXT_BOXES);
    let charts = charts.as_array().unwrap();
    assert!(!charts.is_empty(), "{what}: no chart");
    for chart in charts {
        let svg: Vec<f64> = serde_json::from_value(chart["svg"].clone()).unwrap();
        let texts = chart["texts"].as_array().unwrap();
        assert!(texts.len() >= 4, "{what}: {texts:?}");
        let boxes: Vec<(String, [f64; 4])> = texts
            .iter()
            .map(|t| {
                let t = t.as_array().unwrap();
                let n = |i: usize| t[i].as_f64().unwrap();
                (t[0].as_str().unwrap().to_owned(), [n(1), n(2), n(3), n(4)])
            })
            .collect();
        for (text, b) in &boxes {
            assert!(
                b[0] >= svg[0] - 0.5
                    && b[2] <= svg[2] + 0.5
                    && b[1] >= svg[1] - 0.5
                    && b[3] <= svg[3] + 0.5,
                "{what}: {text:?} at {b:?} runs outside its chart {svg:?}"
            );
        }
        for (i, (ta, a)) in boxes.iter().enumerate() {
            for (tb, b) in &boxes[i + 1..] {
                let overlap_x = a[2].min(b[2]) - a[0].max(b[0]);
                let overlap_y = a[3].min(b[3]) - a[1].max(b[1]);
                assert!(
                    overlap_x <= 0.5 || overlap_y <= 0.5,
                    "{what}: {ta:?} {a:?} overlaps {tb:?} {b:?}"
                );
            }
        }
    }
}
