//! The HTML report of the sample data in a real browser: headless Chromium, driven over the
//! Chrome DevTools Protocol on a pipe (`--remote-debugging-pipe`: the browser reads commands on
//! fd 3 and writes replies and events on fd 4, each message JSON ended by a NUL byte).
//!
//! The test opens the report from a `file://` URL with networking disabled and checks that:
//! nothing is logged to the console (errors, warnings, CSP violations, exceptions); no request
//! leaves the page other than the report file itself (and `data:` URLs); the key numbers,
//! recounted here from the sample CSV files, are in the rendered text; every section is
//! visible; a full-page screenshot is a PNG of sane size; the PDF print (A4, backgrounds) is a
//! valid PDF with a sane page count and nothing runs past the printable width; at phone width
//! the page does not scroll sideways; dark and light schemes are readable (contrast ratio of
//! every text); and with JavaScript disabled every section is still shown.
//!
//! Chromium is `/usr/bin/chromium` or the path in `CHROMIUM`. Without it the test prints
//! "skipped: chromium not found" and passes, unless `ENTRA_MFA_REPORT_BROWSER_TEST=required`
//! (set by `.ci/run`), where it fails. Screenshots and the PDF are written to
//! `<target>/tmp/browser/`.

mod common;

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, PipeReader, PipeWriter, Write};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// The longest the test waits for one reply or event before it gives up.
const TIMEOUT: Duration = Duration::from_secs(60);

/// Desktop viewport of the screen checks and screenshots.
const DESKTOP: (u32, u32) = (1280, 900);
/// Phone viewport (CSS px), as a small current phone.
const PHONE: (u32, u32) = (375, 812);

/// A4 in inches, as `Page.printToPDF` takes it.
const A4_INCHES: (f64, f64) = (8.27, 11.69);
/// The print stylesheet's page margins (`@page { margin: 14mm 12mm }`), in mm.
const PAGE_MARGIN_MM: (f64, f64) = (14.0, 12.0);

fn mm_to_px(mm: f64) -> f64 {
    mm / 25.4 * 96.0
}

/// Width and height of the printable area of an A4 page, in CSS px.
fn printable_a4_px() -> (f64, f64) {
    (
        mm_to_px(210.0 - 2.0 * PAGE_MARGIN_MM.1),
        mm_to_px(297.0 - 2.0 * PAGE_MARGIN_MM.0),
    )
}

fn sample() -> PathBuf {
    common::fixture("../../sample-data")
}

/// Chromium's path, or `None` when it is not installed.
fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.is_file().then_some(path)
}

/// The `file://` URL of an absolute path, with everything but unreserved characters and `/`
/// percent-encoded.
fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_str().expect("UTF-8 temp path").bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}

/// A headless Chromium with its DevTools pipe. Dropping it kills the browser's process group.
struct Browser {
    child: Child,
    to_browser: PipeWriter,
    from_browser: Receiver<Value>,
    next_id: u64,
    /// Session of the attached page; commands without it go to the browser.
    session: Option<String>,
    /// Every event of the page session, in order of arrival.
    events: Vec<Value>,
    log: PathBuf,
    _work: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The browser leads its own process group (renderer, GPU and utility processes).
        let pid = self.child.id() as libc::pid_t;
        unsafe {
            libc::kill(-pid, libc::SIGKILL);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn launch(path: &Path) -> Browser {
        let work = tempfile::tempdir().unwrap();
        let profile = work.path().join("profile");
        let log = work.path().join("chromium.log");
        let (cmd_read, cmd_write) = std::io::pipe().unwrap();
        let (resp_read, resp_write) = std::io::pipe().unwrap();
        let (cmd_fd, resp_fd) = (cmd_read.as_raw_fd(), resp_write.as_raw_fd());
        let mut command = Command::new(path);
        command
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-dev-shm-usage",
                "--host-resolver-rules=MAP * ~NOTFOUND",
                "--proxy-server=127.0.0.1:9",
                "--remote-debugging-pipe",
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).unwrap())
            .process_group(0);
        // SAFETY: only async-signal-safe calls (fcntl, dup2) between fork and exec.
        unsafe {
            command.pre_exec(move || {
                // Copy both ends above fd 4 first, so neither dup2 overwrites the other's source.
                let cmd = libc::fcntl(cmd_fd, libc::F_DUPFD_CLOEXEC, 10);
                let resp = libc::fcntl(resp_fd, libc::F_DUPFD_CLOEXEC, 10);
                if cmd < 0 || resp < 0 || libc::dup2(cmd, 3) < 0 || libc::dup2(resp, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", path.display()));
        // The browser's ends stay open only in the browser, so its exit closes the pipe.
        drop(cmd_read);
        drop(resp_write);
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || read_messages(resp_read, tx));
        Browser {
            child,
            to_browser: cmd_write,
            from_browser: rx,
            next_id: 0,
            session: None,
            events: Vec::new(),
            log,
            _work: work,
        }
    }

    /// The end of the browser's own log, for failure messages.
    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(15)..].join("\n")
    }

    /// Next message from the browser, or a panic after [`TIMEOUT`].
    fn receive(&mut self, started: Instant, waiting_for: &str) -> Value {
        let left = TIMEOUT.saturating_sub(started.elapsed());
        match self.from_browser.recv_timeout(left) {
            Ok(message) => message,
            Err(RecvTimeoutError::Timeout) => panic!(
                "no answer from chromium within {TIMEOUT:?} while waiting for {waiting_for}\n\
                 chromium log:\n{}",
                self.log_tail()
            ),
            Err(RecvTimeoutError::Disconnected) => panic!(
                "chromium closed the DevTools pipe while waiting for {waiting_for}\n\
                 chromium log:\n{}",
                self.log_tail()
            ),
        }
    }

    /// Keeps an event of the page session; the browser's own events are not needed.
    fn keep(&mut self, message: Value) {
        if message.get("method").is_some()
            && self.session.is_some()
            && message.get("sessionId").and_then(Value::as_str) == self.session.as_deref()
        {
            self.events.push(message);
        }
    }

    /// Sends a command and returns its result; a protocol error fails the test.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "id": id, "method": method, "params": params });
        if let Some(session) = &self.session {
            message["sessionId"] = json!(session);
        }
        let mut bytes = serde_json::to_vec(&message).unwrap();
        bytes.push(0);
        if let Err(e) = self.to_browser.write_all(&bytes) {
            panic!(
                "cannot send {method} to chromium: {e}\nchromium log:\n{}",
                self.log_tail()
            );
        }
        let started = Instant::now();
        loop {
            let reply = self.receive(started, method);
            if reply.get("id").and_then(Value::as_u64) == Some(id) {
                if let Some(error) = reply.get("error") {
                    panic!("{method} failed: {error}");
                }
                return reply["result"].clone();
            }
            self.keep(reply);
        }
    }

    /// Waits for an event of the page session that arrived after `events[since]`.
    fn wait_for(&mut self, method: &str, since: usize) -> Value {
        let started = Instant::now();
        loop {
            if let Some(event) = self.events[since..].iter().find(|e| e["method"] == method) {
                return event.clone();
            }
            let message = self.receive(started, method);
            self.keep(message);
        }
    }

    /// Lets late events (console messages, requests) arrive, then collects them.
    fn settle(&mut self) {
        std::thread::sleep(Duration::from_millis(300));
        self.call("Runtime.evaluate", json!({ "expression": "0" }));
    }

    /// Evaluates an expression in the page and returns its value.
    fn js(&mut self, expression: &str) -> Value {
        let result = self.call(
            "Runtime.evaluate",
            json!({ "expression": expression, "returnByValue": true }),
        );
        if let Some(exception) = result.get("exceptionDetails") {
            panic!("script failed: {exception}\n{expression}");
        }
        result["result"]["value"].clone()
    }

    /// Opens a page target and attaches to it with the domains whose events are checked.
    fn open_page(&mut self) {
        let target = self.call("Target.createTarget", json!({ "url": "about:blank" }));
        let attached = self.call(
            "Target.attachToTarget",
            json!({ "targetId": target["targetId"], "flatten": true }),
        );
        self.session = Some(attached["sessionId"].as_str().unwrap().to_string());
        for domain in ["Page", "Runtime", "Log", "Network", "DOM", "CSS"] {
            self.call(&format!("{domain}.enable"), json!({}));
        }
    }

    /// Navigates (or reloads, for `None`) and waits for the load event.
    fn load(&mut self, url: Option<&str>) {
        let since = self.events.len();
        match url {
            Some(url) => {
                let nav = self.call("Page.navigate", json!({ "url": url }));
                assert!(
                    nav.get("errorText").is_none(),
                    "cannot open {url}: {}",
                    nav["errorText"]
                );
            }
            None => {
                self.call("Page.reload", json!({}));
            }
        }
        self.wait_for("Page.loadEventFired", since);
        self.settle();
    }

    fn viewport(&mut self, (width, height): (u32, u32), mobile: bool) {
        self.call(
            "Emulation.setDeviceMetricsOverride",
            json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile }),
        );
    }

    /// Emulates a media type (`screen`, `print`) and colour scheme (`light`, `dark`).
    fn media(&mut self, media: &str, scheme: &str) {
        self.call(
            "Emulation.setEmulatedMedia",
            json!({ "media": media, "features": [{ "name": "prefers-color-scheme", "value": scheme }] }),
        );
    }

    /// A PNG of the whole page at the current viewport width, and the page's width.
    fn screenshot(&mut self) -> (Vec<u8>, u32) {
        let metrics = self.call("Page.getLayoutMetrics", json!({}));
        let size = &metrics["cssContentSize"];
        let shot = self.call(
            "Page.captureScreenshot",
            json!({
                "format": "png",
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1 },
            }),
        );
        let width = size["width"].as_f64().unwrap().ceil() as u32;
        (decode_base64(shot["data"].as_str().unwrap()), width)
    }
}

/// Splits the browser's output at NUL bytes and passes each JSON message on.
fn read_messages(from_browser: PipeReader, to_test: mpsc::Sender<Value>) {
    let mut reader = BufReader::new(from_browser);
    loop {
        let mut buf = Vec::new();
        match reader.read_until(0, &mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if buf.last() == Some(&0) {
            buf.pop();
        }
        let message = serde_json::from_slice(&buf).unwrap_or_else(
            |e| json!({ "method": "test.unreadable", "params": { "error": e.to_string() } }),
        );
        if to_test.send(message).is_err() {
            return;
        }
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {:?}", c as char),
    };
    let digits: Vec<u8> = text
        .bytes()
        .filter(|c| *c != b'=' && !c.is_ascii_whitespace())
        .map(value)
        .collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let mut n = 0u32;
        for (i, d) in chunk.iter().enumerate() {
            n |= u32::from(*d) << (18 - 6 * i);
        }
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

/// Width and height from a PNG's IHDR chunk, after checking the signature and the end chunk.
fn png_size(png: &[u8]) -> (u32, u32) {
    assert!(
        png.len() > 33 && png.starts_with(b"\x89PNG\r\n\x1a\n") && &png[12..16] == b"IHDR",
        "not a PNG"
    );
    assert!(png.ends_with(b"IEND\xaeB`\x82"), "PNG has no IEND chunk");
    let be = |at: usize| u32::from_be_bytes(png[at..at + 4].try_into().unwrap());
    (be(16), be(20))
}

/// Number of pages of a PDF (its leaf `/Type /Page` objects), after checking header and end.
fn pdf_pages(pdf: &[u8]) -> usize {
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let tail = String::from_utf8_lossy(&pdf[pdf.len().saturating_sub(64)..]);
    assert!(tail.trim_end().ends_with("%%EOF"), "PDF has no %%EOF");
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/Type /Page")
        .filter(|(at, m)| !text[at + m.len()..].starts_with('s'))
        .count()
}

/// `/MediaBox` sizes of a PDF's pages, in points.
fn pdf_media_boxes(pdf: &[u8]) -> Vec<(f64, f64)> {
    let text = String::from_utf8_lossy(pdf);
    text.match_indices("/MediaBox [")
        .filter_map(|(at, m)| {
            let rest = &text[at + m.len()..];
            let numbers: Vec<f64> = rest[..rest.find(']')?]
                .split_whitespace()
                .filter_map(|n| n.parse().ok())
                .collect();
            (numbers.len() == 4).then(|| (numbers[2] - numbers[0], numbers[3] - numbers[1]))
        })
        .collect()
}

/// Figures recounted from the sample CSV files with the csv crate alone.
struct Recount {
    users: usize,
    mfa_capable: usize,
    interactive: usize,
    non_interactive: usize,
}

fn csv_records(path: &Path) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut reader = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let headers = reader.headers().unwrap().clone();
    let records = reader.records().map(Result::unwrap).collect();
    (headers, records)
}

/// Distinct users (same UPN ignoring case, or same object id: the newest row wins), MFA
/// capable among them, and sign-in rows per file.
fn recount() -> Recount {
    let dir = sample();
    let (headers, records) = csv_records(&dir.join("exportUserRegistrationDetails_2026-11-20.csv"));
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (upn, id, capable, updated) = (
        col("userPrincipalName"),
        col("id"),
        col("isMfaCapable"),
        col("lastUpdatedDateTime"),
    );
    let mut rows: Vec<&csv::StringRecord> = records.iter().collect();
    // ISO 8601 times in UTC with 0-7 fractional digits: compare them as numbers.
    let key = |r: &csv::StringRecord| {
        chrono::DateTime::parse_from_rfc3339(&r[updated])
            .unwrap()
            .timestamp_micros()
    };
    rows.sort_by_key(|r| std::cmp::Reverse(key(r)));
    let (mut upns, mut ids) = (HashSet::new(), HashSet::new());
    rows.retain(|r| upns.insert(r[upn].to_lowercase()) && ids.insert(r[id].to_lowercase()));
    let count = |name: &str| csv_records(&dir.join(name)).1.len();
    Recount {
        users: rows.len(),
        mfa_capable: rows
            .iter()
            .filter(|r| r[capable].eq_ignore_ascii_case("true"))
            .count(),
        interactive: count("InteractiveSignIns_2026-11-13_2026-11-20.csv"),
        non_interactive: count("NonInteractiveSignIns_2026-11-13_2026-11-20.csv"),
    }
}

/// Thousands separated by commas, as the report writes counts.
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Describes an element in failure messages: tag, id, classes, position and its first text.
const DESCRIBE: &str = r#"const describe = (el) => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
  const r = el.getBoundingClientRect();
  const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 60);
  return `${s} (x ${Math.round(r.left)} to ${Math.round(r.right)}) "${text}"`;
};"#;

/// Page width against the viewport, and the elements that reach past it. With `scrollers`,
/// an element inside a container that scrolls or clips sideways is fine (a wide table in its
/// own scroll box); without, every element must fit (print, where nothing scrolls).
fn overflow_script(scrollers: bool) -> String {
    format!(
        r#"(() => {{
  {DESCRIBE}
  const root = document.documentElement;
  const width = root.clientWidth;
  const inScroller = (el) => {{
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement)
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    return false;
  }};
  const bad = [];
  for (const el of document.body.querySelectorAll('*')) {{
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right <= width + 0.5 && r.left >= -0.5) continue;
    if ({scrollers} && inScroller(el)) continue;
    bad.push(describe(el));
  }}
  return {{ scrollWidth: root.scrollWidth, clientWidth: width,
           bodyScrollWidth: document.body.scrollWidth, height: root.scrollHeight,
           count: bad.length, bad: bad.slice(0, 25) }};
}})()"#
    )
}

/// Contrast ratio (WCAG 2) of the body text and of every visible text against the background
/// it is drawn on (backgrounds of the element and its ancestors, blended).
const CONTRAST_SCRIPT: &str = r#"(() => {
  DESCRIBE
  const parse = (c) => {
    const m = /^rgba?\(([^)]*)\)$/.exec(c);
    if (!m) throw new Error('colour not in rgb(): ' + c);
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map((i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let base = [255, 255, 255, 1];
    for (let i = layers.length - 1; i >= 0; i--) base = over(layers[i], base);
    return base;
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const bodyBg = background(document.body);
  const bodyFg = over(parse(getComputedStyle(document.body).color), bodyBg);
  const bad = [];
  let checked = 0;
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg')) continue;
    if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility !== 'visible') continue;
    const bg = background(el);
    const fg = over(parse(cs.color), bg);
    const size = parseFloat(cs.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(cs.fontWeight) >= 700);
    const q = ratio(fg, bg);
    checked++;
    if (q < (large ? 3 : 4.5)) bad.push(`${describe(el)}: ${q.toFixed(2)}`);
  }
  return { bodyBackground: lum(bodyBg), bodyText: lum(bodyFg), bodyRatio: ratio(bodyFg, bodyBg),
           checked, count: bad.length, bad: bad.slice(0, 25) };
})()"#;

/// The tallest element that print keeps on one page (`break-inside: avoid`), and its height.
const TALLEST_KEPT_WHOLE: &str = r#"(() => {
  DESCRIBE
  let height = 0, element = null;
  for (const el of document.body.querySelectorAll('*')) {
    const b = getComputedStyle(el).breakInside;
    if (b !== 'avoid' && b !== 'avoid-page') continue;
    const h = el.getBoundingClientRect().height;
    if (h > height) { height = h; element = describe(el); }
  }
  return { height, element };
})()"#;

/// Every `<section id>` with its size and whether it is shown.
const SECTIONS_SCRIPT: &str = r#"[...document.querySelectorAll('section[id]')].map((s) => {
  const r = s.getBoundingClientRect();
  return { id: s.id, width: r.width, height: r.height,
           visible: s.checkVisibility({ opacityProperty: true, visibilityProperty: true }) };
})"#;

/// The `id`s of the `<section id="…">` elements in the HTML text.
fn section_ids(html: &str) -> Vec<String> {
    html.match_indices("<section id=\"")
        .map(|(at, m)| {
            let rest = &html[at + m.len()..];
            rest[..rest.find('"').unwrap()].to_string()
        })
        .collect()
}

/// Console messages, log entries (CSP violations included), exceptions and any request other
/// than the report file itself or a `data:` URL, among the page events.
fn problems(events: &[Value], report_url: &str) -> Vec<String> {
    let mut found = Vec::new();
    for e in events {
        let p = &e["params"];
        match e["method"].as_str().unwrap_or_default() {
            "Runtime.consoleAPICalled" => {
                found.push(format!("console.{}: {}", p["type"], p["args"]));
            }
            "Runtime.exceptionThrown" => {
                found.push(format!("exception: {}", p["exceptionDetails"]));
            }
            "Log.entryAdded" => {
                let entry = &p["entry"];
                if entry["level"] == "warning" || entry["level"] == "error" {
                    found.push(format!(
                        "log {} ({}): {}",
                        entry["level"], entry["source"], entry["text"]
                    ));
                }
            }
            "Network.requestWillBeSent" => {
                let url = p["request"]["url"].as_str().unwrap_or_default();
                if url != report_url && !url.starts_with("data:") {
                    found.push(format!("request: {url}"));
                }
            }
            "test.unreadable" => found.push(format!("unreadable DevTools message: {p}")),
            _ => {}
        }
    }
    found
}

/// Fails with the page's problems, if any.
fn assert_clean(browser: &Browser, report_url: &str, when: &str) {
    let found = problems(&browser.events, report_url);
    assert!(
        found.is_empty(),
        "{when}: the page logged or requested something:\n{}",
        found.join("\n")
    );
}

fn assert_sections_visible(browser: &mut Browser, expected: &[String], when: &str) {
    let sections = browser.js(SECTIONS_SCRIPT);
    let shown: HashMap<String, &Value> = sections
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["id"].as_str().unwrap().to_string(), s))
        .collect();
    for id in expected {
        let s = shown
            .get(id)
            .unwrap_or_else(|| panic!("{when}: section #{id} is not in the page"));
        assert!(
            s["visible"] == true
                && s["width"].as_f64().unwrap() > 100.0
                && s["height"].as_f64().unwrap() > 20.0,
            "{when}: section #{id} is not shown: {s}"
        );
    }
}

/// Checks that the page fits its viewport width; returns the page height in CSS px.
fn assert_fits(browser: &mut Browser, scrollers: bool, when: &str) -> f64 {
    let fit = browser.js(&overflow_script(scrollers));
    let (scroll, client) = (
        fit["scrollWidth"].as_f64().unwrap(),
        fit["clientWidth"].as_f64().unwrap(),
    );
    assert!(
        scroll <= client && fit["bodyScrollWidth"].as_f64().unwrap() <= client && fit["count"] == 0,
        "{when}: the page is {scroll} px wide in a {client} px viewport; {} elements reach past \
         it:\n{}",
        fit["count"],
        fit["bad"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_str().unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    );
    fit["height"].as_f64().unwrap()
}

fn assert_readable(browser: &mut Browser, dark: bool, when: &str) {
    let c = browser.js(&CONTRAST_SCRIPT.replace("DESCRIBE", DESCRIBE));
    let (bg, fg, ratio) = (
        c["bodyBackground"].as_f64().unwrap(),
        c["bodyText"].as_f64().unwrap(),
        c["bodyRatio"].as_f64().unwrap(),
    );
    if dark {
        assert!(
            bg < 0.05 && fg > 0.5,
            "{when}: expected light text on a dark background, got relative luminance {fg:.3} \
             on {bg:.3}"
        );
    } else {
        assert!(
            bg > 0.8 && fg < 0.05,
            "{when}: expected dark text on a light background, got relative luminance {fg:.3} \
             on {bg:.3}"
        );
    }
    assert!(ratio >= 4.5, "{when}: body text contrast {ratio:.2} < 4.5");
    assert!(
        c["checked"].as_u64().unwrap() > 100,
        "{when}: too few texts checked: {c}"
    );
    assert!(
        c["count"] == 0,
        "{when}: {} texts have too little contrast (ratio < 4.5, < 3 for large text):\n{}",
        c["count"],
        c["bad"]
            .as_array()
            .unwrap()
            .iter()
            .map(|b| b.as_str().unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// Where the screenshots and the PDF go, kept after the test for a look.
fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Checks a screenshot of a page `width` px wide (the viewport less any scroll bar, at most
/// `viewport`) and saves it.
fn save_png((png, width): (Vec<u8>, u32), name: &str, viewport: u32) -> PathBuf {
    let (w, h) = png_size(&png);
    assert!(
        w == width && width <= viewport && width + 20 >= viewport,
        "{name}: screenshot {w} px wide, page {width} px, viewport {viewport} px"
    );
    assert!(
        (1_000..=200_000).contains(&h),
        "{name}: screenshot height {h} px"
    );
    let path = artifacts().join(name);
    std::fs::write(&path, &png).unwrap();
    path
}

#[test]
fn report_in_headless_chromium() {
    let Some(path) = chromium() else {
        if std::env::var("ENTRA_MFA_REPORT_BROWSER_TEST").as_deref() == Ok("required") {
            panic!(
                "chromium not found at {} (set CHROMIUM to its path): the browser test is \
                 required (ENTRA_MFA_REPORT_BROWSER_TEST=required)",
                std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into())
            );
        }
        // Straight to stderr, past the test harness's capture, so the skip shows in the log.
        let _ = writeln!(std::io::stderr(), "skipped: chromium not found");
        return;
    };
    let started = Instant::now();

    // The sample files under a long unbroken directory name: file paths appear in the report's
    // notes, and they must wrap on a phone wherever the checkout happens to live.
    let copy = tempfile::tempdir().unwrap();
    let long_dir = copy
        .path()
        .join("a_directory_name_without_any_break_longer_than_a_phone_screen_is_wide_0123456789");
    std::fs::create_dir(&long_dir).unwrap();
    for entry in std::fs::read_dir(sample()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), long_dir.join(entry.file_name())).unwrap();
    }
    let out = common::run(&[long_dir], None);
    assert!(
        !out.html.to_ascii_lowercase().contains("<script"),
        "the report must work without scripts and have none"
    );
    let sections = section_ids(&out.html);
    assert!(sections.len() >= 12, "sections: {sections:?}");
    let report = out.dir.path().join("report.html");
    let url = file_url(&report);

    let mut browser = Browser::launch(&path);
    browser.open_page();
    browser.viewport(DESKTOP, false);
    browser.media("screen", "light");
    browser.load(Some(&url));
    assert_clean(&browser, &url, "on load");
    assert!(
        browser
            .events
            .iter()
            .any(|e| e["method"] == "Network.requestWillBeSent"
                && e["params"]["request"]["url"] == url),
        "the report file itself was not seen loading: network events are not recorded"
    );

    // Key numbers, recounted from the CSV files.
    let text = browser
        .js("document.body.innerText")
        .as_str()
        .unwrap()
        .to_string();
    let r = recount();
    let capable_pct = format!("{:.1} %", r.mfa_capable as f64 * 100.0 / r.users as f64);
    for expected in [
        format!("{} distinct users", grouped(r.users)),
        format!("{} {capable_pct}", grouped(r.mfa_capable)),
        format!(
            "{} sign-ins ({} interactive, {} non-interactive)",
            grouped(r.interactive + r.non_interactive),
            grouped(r.interactive),
            grouped(r.non_interactive)
        ),
    ] {
        assert!(
            text.contains(&expected),
            "rendered text lacks \"{expected}\""
        );
    }
    assert_eq!(
        browser.js("matchMedia('(scripting: enabled)').matches"),
        true,
        "the page should run scripts before they are disabled"
    );
    assert_sections_visible(&mut browser, &sections, "desktop");
    assert_fits(&mut browser, true, "desktop");
    assert_readable(&mut browser, false, "light scheme");
    let light = save_png(browser.screenshot(), "light.png", DESKTOP.0);

    // Dark scheme.
    browser.media("screen", "dark");
    assert_readable(&mut browser, true, "dark scheme");
    let dark = save_png(browser.screenshot(), "dark.png", DESKTOP.0);

    // Phone width: the page itself never scrolls sideways.
    browser.media("screen", "light");
    browser.viewport(PHONE, true);
    assert_fits(&mut browser, true, "phone width");
    assert_sections_visible(&mut browser, &sections, "phone width");
    let phone = save_png(browser.screenshot(), "phone.png", PHONE.0);
    browser.media("screen", "dark");
    assert_readable(&mut browser, true, "phone width, dark scheme");
    save_png(browser.screenshot(), "phone-dark.png", PHONE.0);

    // Print: at the printable width of A4 nothing may reach past the edge (nothing scrolls on
    // paper), in either scheme. Paper has no scroll bar.
    let (print_w, print_h) = printable_a4_px();
    browser.call("Emulation.setScrollbarsHidden", json!({ "hidden": true }));
    browser.viewport((print_w.floor() as u32, print_h.floor() as u32), false);
    browser.media("print", "dark");
    assert_fits(&mut browser, false, "print, dark system scheme");
    assert_readable(&mut browser, false, "print, dark system scheme");
    browser.media("print", "light");
    let printed_height = assert_fits(&mut browser, false, "print");
    let block = browser.js(&TALLEST_KEPT_WHOLE.replace("DESCRIBE", DESCRIBE));
    let tallest = block["height"].as_f64().unwrap();
    assert!(
        tallest < print_h / 2.0,
        "print: a block kept on one page is taller than half a page: {block}"
    );
    assert_readable(&mut browser, false, "print");
    assert_sections_visible(&mut browser, &sections, "print");

    let pdf = browser.call(
        "Page.printToPDF",
        json!({
            "paperWidth": A4_INCHES.0, "paperHeight": A4_INCHES.1,
            "printBackground": true, "preferCSSPageSize": false,
        }),
    );
    let pdf = decode_base64(pdf["data"].as_str().unwrap());
    let pages = pdf_pages(&pdf);
    // The content fills `fill` pages. Rows, cards and figures are kept whole, so a page ends
    // early by at most the tallest of them (under half a page): every page but the last holds
    // at least `print_h - tallest` of content.
    let fill = printed_height / print_h;
    let most = (printed_height / (print_h - tallest)).ceil() as usize + 1;
    assert!(
        pages >= 1 && pages >= fill.floor() as usize && pages <= most,
        "PDF has {pages} pages; the content fills {fill:.1} A4 pages, at most {most} expected"
    );
    let boxes = pdf_media_boxes(&pdf);
    assert_eq!(boxes.len(), pages, "one media box per page");
    for (w, h) in boxes {
        assert!(
            (w - 595.0).abs() < 3.0 && (h - 842.0).abs() < 3.0,
            "page of {w} x {h} pt, not A4"
        );
    }
    let pdf_path = artifacts().join("report.pdf");
    std::fs::write(&pdf_path, &pdf).unwrap();

    // No JavaScript: the same sections, shown.
    browser.call("Emulation.setScrollbarsHidden", json!({ "hidden": false }));
    browser.media("screen", "light");
    browser.viewport(DESKTOP, false);
    browser.call(
        "Emulation.setScriptExecutionDisabled",
        json!({ "value": true }),
    );
    browser.load(None);
    assert_eq!(
        browser.js("matchMedia('(scripting: none)').matches"),
        true,
        "the page still runs scripts"
    );
    assert_sections_visible(&mut browser, &sections, "JavaScript disabled");

    assert_clean(&browser, &url, "after all checks");
    eprintln!(
        "browser test: {pages} PDF pages (content fills {fill:.1}, at most {most}); screenshots {}, {}, {}; PDF {}; {:.1} s",
        light.display(),
        dark.display(),
        phone.display(),
        pdf_path.display(),
        started.elapsed().as_secs_f64()
    );
}
