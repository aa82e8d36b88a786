//! One language server over its stdio, on the tests' client: the client's
//! reader answers the server's requests and stamps every message as it
//! arrives, so that no figure includes this driver's own pace; this adds
//! the waits the figures need, each bounded by a deadline that ends in a
//! recorded problem rather than a panic.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::MutexGuard;
use std::time::Duration;

use article_test_support::{Client, Inbox, frame_json, uri};
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::machine::{self, Memory};
use crate::received::Seen;
use crate::results::ExitOutcome;

/// Why a session stopped short; recorded among its problems.
#[derive(Debug)]
pub enum Trouble {
    /// The server closed its output: it exited or crashed.
    Gone(String),
    /// What was waited for did not come within its time limit.
    Timeout(String),
    /// Anything else: an answer that cannot be, a file that cannot be read.
    Failed(String),
}

impl fmt::Display for Trouble {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Trouble::Gone(what) => write!(f, "server gone: {what}"),
            Trouble::Timeout(what) => write!(f, "timeout: {what}"),
            Trouble::Failed(what) => write!(f, "failed: {what}"),
        }
    }
}

impl From<std::io::Error> for Trouble {
    fn from(error: std::io::Error) -> Trouble {
        Trouble::Failed(error.to_string())
    }
}

/// How long a request may take, as an editor would wait at most.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How often a wait looks while messages it does not wait for stream in.
/// It paces only when this driver sends its next message: every time is
/// the client reader's stamp.
const STREAM_PAUSE: Duration = Duration::from_millis(1);

/// Messages taken into the index per hold of the inbox's lock, so that the
/// client's reader (which stamps arrivals under that lock) never waits long.
const TAKE_IN_BATCH: usize = 256;

pub struct Server {
    client: Client,
    pub seen: Seen,
    /// Where the server's log is copied when it has exited.
    log_file: PathBuf,
    /// Whether `initialize` offers to watch files for the server (as VS
    /// Code does), or leaves the server to watch its folders itself (as
    /// Neovim does on Linux).
    pub client_watches_files: bool,
}

impl Server {
    /// The server `binary` with its cache in `cache`, logging at
    /// `log_filter` (to `log_file`, once it has exited).
    pub fn spawn(binary: &Path, cache: &Path, log_filter: &str, log_file: PathBuf) -> Server {
        let binary = binary.to_str().expect("the server's path is UTF-8");
        // The client takes every variable as a path; a filter is one too.
        let envs = [("XDG_CACHE_HOME", cache), ("RUST_LOG", Path::new(log_filter))];
        let client = Client::spawn(binary, &[], &envs);
        Server { client, seen: Seen::default(), log_file, client_watches_files: true }
    }

    pub fn inbox(&self) -> MutexGuard<'_, Inbox> {
        self.client.inbox()
    }

    pub fn pid(&self) -> Option<u32> {
        self.client.pid()
    }

    pub fn memory(&self) -> Memory {
        machine::memory(self.pid())
    }

    pub fn cpu_seconds(&self) -> Option<f64> {
        machine::cpu_seconds(self.pid())
    }

    /// `initialize` with one workspace folder and the capabilities of an
    /// editor (versioned diagnostics, progress, watched files), then
    /// `initialized`; returns the time to the answer in ms.
    pub async fn initialize(&mut self, folder: &Path) -> Result<f64, Trouble> {
        let name = folder.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
        let params = json!({
            "processId": std::process::id(),
            "clientInfo": { "name": "article-lsp-bench" },
            "rootUri": uri(folder),
            "workspaceFolders": [{ "uri": uri(folder), "name": name }],
            "capabilities": {
                "general": { "positionEncodings": ["utf-16"] },
                "window": { "workDoneProgress": true, "showMessage": {} },
                "workspace": {
                    "configuration": true,
                    "workspaceFolders": true,
                    "didChangeWatchedFiles": { "dynamicRegistration": self.client_watches_files },
                    "symbol": {},
                    "applyEdit": false,
                },
                "textDocument": {
                    "synchronization": { "didSave": true, "dynamicRegistration": false },
                    "publishDiagnostics": { "versionSupport": true, "relatedInformation": true },
                    "completion": { "completionItem": { "snippetSupport": true } },
                    "hover": { "contentFormat": ["markdown", "plaintext"] },
                    "definition": {},
                    "references": {},
                },
            },
        });
        let (elapsed, response) = self.request("initialize", params, Duration::from_secs(60)).await?;
        if let Some(error) = response.get("error") {
            return Err(Trouble::Failed(format!("initialize failed: {error}")));
        }
        self.notify("initialized", json!({})).await;
        Ok(elapsed * 1e3)
    }

    /// Sends a request and waits for its response; returns the seconds from
    /// just before the write to the response's arrival, and the response.
    pub async fn request(
        &mut self,
        method: &str,
        params: Value,
        timeout: Duration,
    ) -> Result<(f64, Value), Trouble> {
        let start = Instant::now();
        let id = json!(self.client.send_request(method, params).await);
        self.wait_until(start + timeout, |inbox, _| inbox.response(&id).is_some()).await;
        let inbox = self.client.inbox();
        match (inbox.response(&id), inbox.response_received_at(&id)) {
            (Some(response), Some(at)) => Ok((seconds(start, at), response.clone())),
            _ if inbox.closed => Err(Trouble::Gone(format!("the server closed its output during {method}"))),
            _ => Err(Trouble::Timeout(format!("{method}: no response within {:.0}s", timeout.as_secs_f64()))),
        }
    }

    /// Sends a notification; returns when it was sent.
    pub async fn notify(&self, method: &str, params: Value) -> Instant {
        let start = Instant::now();
        self.client.notify(method, params).await;
        start
    }

    /// Sends notifications back to back, encoded beforehand: the time
    /// returned (just before the first write) leaves out this client's own
    /// JSON encoding, which is not the server's cost.
    pub async fn notify_all(&self, method: &str, params: Vec<Value>) -> Instant {
        let frames: Vec<Vec<u8>> = params
            .into_iter()
            .map(|params| frame_json(&json!({ "jsonrpc": "2.0", "method": method, "params": params })))
            .collect();
        let start = Instant::now();
        for frame in &frames {
            self.client.write_raw(frame).await;
        }
        start
    }

    pub async fn did_open(&self, uri: &str, text: &str) {
        let document = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document })).await;
    }

    /// Replaces line `line` whole (through its line break); returns when
    /// the change was sent.
    pub async fn replace_line(&self, uri: &str, version: i64, line: usize, new_text: &str) -> Instant {
        let change = json!({
            "range": { "start": { "line": line, "character": 0 }, "end": { "line": line + 1, "character": 0 } },
            "text": format!("{new_text}\n"),
        });
        let params =
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] });
        self.notify("textDocument/didChange", params).await
    }

    /// Takes every message that has come into the index, a batch per hold
    /// of the inbox's lock.
    pub fn catch_up(&mut self) {
        while !self.seen.take_in(&self.client.inbox(), TAKE_IN_BATCH) {}
    }

    /// Waits until `done` holds of the inbox and its index, looking as soon
    /// as a message comes, then, while messages that do not make it hold
    /// keep coming, at most every [`STREAM_PAUSE`]; false at the deadline or
    /// once the server has closed its output without `done` holding.
    pub async fn wait_until(
        &mut self,
        deadline: Instant,
        mut done: impl FnMut(&Inbox, &Seen) -> bool,
    ) -> bool {
        self.catch_up();
        let mut woken = false;
        loop {
            let mut next = {
                let inbox = self.client.inbox();
                self.seen.take_in(&inbox, usize::MAX);
                if done(&inbox, &self.seen) {
                    return true;
                }
                if inbox.closed || Instant::now() >= deadline {
                    return false;
                }
                inbox.messages.len()
            };
            if woken {
                // A stream (a scan's thousands of publications): looking at
                // each one would take a core from the server and the
                // client's reader, whose work the figures time.
                tokio::time::sleep_until(deadline.min(Instant::now() + STREAM_PAUSE)).await;
                woken = false;
                continue;
            }
            if tokio::time::timeout_at(deadline, self.client.next_message(&mut next)).await.is_err() {
                let inbox = self.client.inbox();
                self.seen.take_in(&inbox, usize::MAX);
                return done(&inbox, &self.seen);
            }
            woken = true;
        }
    }

    /// Until the end of the scan's progress.
    pub async fn wait_scan_end(&mut self, limit: Duration) -> Result<Instant, Trouble> {
        self.wait_until(Instant::now() + limit, |_, seen| seen.scan_end.is_some()).await;
        match self.seen.scan_end {
            Some(end) => Ok(end),
            None if self.inbox().closed => {
                Err(Trouble::Gone("the server closed its output during the scan".into()))
            }
            None => Err(Trouble::Timeout(format!(
                "no end of the scan's progress within {:.0}s",
                limit.as_secs_f64()
            ))),
        }
    }

    /// Until no publication came for `quiet` (at most `limit`).
    pub async fn wait_quiet(&mut self, quiet: Duration, limit: Duration) {
        let begin = Instant::now();
        while begin.elapsed() < limit {
            self.catch_up();
            let last = self.seen.last_publication().map_or(begin, |last| last.max(begin));
            if last.elapsed() >= quiet {
                return;
            }
            tokio::time::sleep(quiet / 4).await;
        }
    }

    /// Until every expected file has diagnostics, or none came for `quiet`
    /// since the scan ended (at most `limit`); whether every file has.
    pub async fn wait_diagnostics(&mut self, quiet: Duration, limit: Duration) -> bool {
        let end = Instant::now() + limit;
        while Instant::now() < end {
            self.catch_up();
            if self.seen.diagnostics_complete.is_some() {
                return true;
            }
            if self.inbox().closed {
                break;
            }
            let now = Instant::now();
            let last = self.seen.scan_end.unwrap_or(now).max(self.seen.last_publication().unwrap_or(now));
            if now.saturating_duration_since(last) >= quiet {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.seen.diagnostics_complete.is_some()
    }

    /// `shutdown`, `exit` and the process's end, within 10 s each; the
    /// process is killed if it is still running then. The log is kept.
    pub async fn shut_down(mut self) -> ExitOutcome {
        let limit = Duration::from_secs(10);
        let mut outcome = ExitOutcome::default();
        match self.request("shutdown", Value::Null, limit).await {
            Ok((elapsed, response)) => {
                outcome.shutdown_ms = Some(elapsed * 1e3);
                outcome.shutdown_error = response.get("error").cloned();
                let start = self.notify("exit", Value::Null).await;
                self.client.close_input().await;
                let child = self.client.child().expect("a server over stdio has a process");
                match tokio::time::timeout(limit, child.wait()).await {
                    Ok(Ok(status)) => {
                        outcome.exit_ms = Some(start.elapsed().as_secs_f64() * 1e3);
                        outcome.exit_code = status.code();
                    }
                    Ok(Err(error)) => outcome.problem = Some(format!("cannot wait for the server: {error}")),
                    Err(_) => outcome.problem = Some("the server still ran 10 s after `exit`".to_owned()),
                }
            }
            Err(trouble) => outcome.problem = Some(trouble.to_string()),
        }
        let child = self.client.child().expect("a server over stdio has a process");
        match child.try_wait() {
            Ok(None) => {
                let _ = child.kill().await;
                outcome.killed = true;
                outcome.exit_code = None;
            }
            // Gone before `exit` (it crashed, say): how it ended.
            Ok(Some(status)) if outcome.exit_ms.is_none() => outcome.exit_code = status.code(),
            _ => {}
        }
        outcome.clean = outcome.exit_code == Some(0) && outcome.shutdown_error.is_none();
        if let Err(error) = std::fs::write(&self.log_file, self.client.log()) {
            crate::log(&format!("  cannot keep the server's log in {}: {error}", self.log_file.display()));
        }
        // The inbox holds every message of the session, millions of small
        // blocks after a long one, freed by whoever lets go of it last:
        // once the client's reader has seen the end of the output, this
        // thread, now, rather than a runtime worker while the next session
        // is timed (see `keep_freed_memory` in main.rs).
        self.wait_until(Instant::now() + Duration::from_secs(5), |inbox, _| inbox.closed).await;
        drop(self);
        outcome
    }
}

/// Seconds from `from` to `to`, negative when `to` came first.
pub fn seconds(from: Instant, to: Instant) -> f64 {
    match to.checked_duration_since(from) {
        Some(after) => after.as_secs_f64(),
        None => -from.duration_since(to).as_secs_f64(),
    }
}

/// The limit on a scan (and on waiting for a cache): generous, growing
/// with the corpus.
pub fn scan_limit(size: usize) -> Duration {
    Duration::from_secs_f64(60.0 + size as f64 * 0.004)
}
