//! The real binary over stdio, driven with raw frames: for what only the
//! process shows (its framing, its files, its descriptors). Blocking I/O on
//! plain threads: a writer thread owns stdin, so that nothing waits on a
//! full pipe while holding anything; a reader thread records every message
//! and answers the server's own requests so that it never waits on us.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::client::TIMEOUT;

const CACHE_DIR: &str = article_workspace::cache::CACHE_DIR_VARIABLE;

#[derive(Default)]
struct Received {
    /// Responses by their id as JSON text (`null` ids are kept in a list).
    responses: HashMap<String, Value>,
    null_id_responses: Vec<Value>,
    notifications: Vec<Value>,
    server_requests: Vec<Value>,
    closed: bool,
}

pub struct StdioServer {
    child: Child,
    stdin: Sender<Vec<u8>>,
    received: Arc<(Mutex<Received>, Condvar)>,
    /// The server's log.
    pub stderr: tempfile::NamedTempFile,
    /// The index cache of a server started without a cache location of its
    /// own: never the user's cache directory.
    _cache: Option<tempfile::TempDir>,
}

pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body);
    framed
}

pub fn frame_json(message: &Value) -> Vec<u8> {
    frame(message.to_string().as_bytes())
}

impl StdioServer {
    /// Starts the server's `binary` (`wrap`: a program to run it under, with its
    /// arguments, e.g. a tracer), with `envs` added to its environment. The
    /// cache goes where `envs` say (`HOME`, `XDG_CACHE_HOME`), else to a
    /// temporary folder: a test never writes to the user's cache directory.
    pub fn start_with(binary: &str, wrap: &[&str], envs: &[(&str, &Path)]) -> StdioServer {
        let mut command = match wrap.split_first() {
            Some((program, args)) => {
                let mut command = Command::new(program);
                command.args(args).arg(binary);
                command
            }
            None => Command::new(binary),
        };
        let stderr = tempfile::NamedTempFile::new().expect("a log file");
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr.reopen().expect("the log file"))
            .env("RUST_LOG", std::env::var("TEST_SERVER_LOG").unwrap_or_else(|_| "info".to_owned()));
        command.env_remove(CACHE_DIR);
        let placed = envs.iter().any(|(name, _)| matches!(*name, CACHE_DIR | "HOME" | "XDG_CACHE_HOME"));
        let cache = (!placed).then(|| tempfile::tempdir().expect("a cache folder"));
        if let Some(cache) = &cache {
            command.env(CACHE_DIR, cache.path());
        }
        for (name, value) in envs {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the server starts");
        let mut pipe = child.stdin.take().expect("stdin");
        let (stdin, writes) = channel::<Vec<u8>>();
        std::thread::spawn(move || {
            for bytes in writes {
                if pipe.write_all(&bytes).and_then(|()| pipe.flush()).is_err() {
                    return;
                }
            }
        });
        let stdout = child.stdout.take().expect("stdout");
        let received = Arc::new((Mutex::new(Received::default()), Condvar::new()));
        let (writer, sink) = (stdin.clone(), received.clone());
        std::thread::spawn(move || read_messages(stdout, &writer, &sink));
        StdioServer { child, stdin, received, stderr, _cache: cache }
    }

    pub fn start(binary: &str) -> StdioServer {
        StdioServer::start_with(binary, &[], &[])
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes bytes as they are (for broken frames), without waiting.
    pub fn write_raw(&self, bytes: &[u8]) {
        self.stdin.send(bytes.to_vec()).expect("the writer thread runs");
    }

    pub fn send(&self, message: &Value) {
        self.write_raw(&frame_json(message));
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    pub fn request(&self, id: i64, method: &str, params: Value) -> Value {
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response(&json!(id))
    }

    /// The response with `id`, waiting for it.
    pub fn response(&self, id: &Value) -> Value {
        let key = id.to_string();
        self.wait(&format!("a response to {key}"), |received| received.responses.get(&key).cloned())
    }

    /// The `n`th response whose id is `null` (parse errors, invalid requests).
    pub fn null_id_response(&self, n: usize) -> Value {
        self.wait("a response with a null id", |received| received.null_id_responses.get(n).cloned())
    }

    pub fn null_id_responses(&self) -> usize {
        self.received.0.lock().expect("lock").null_id_responses.len()
    }

    /// Waits until every one of `ids` has been answered.
    pub fn wait_answered(&self, ids: std::ops::Range<i64>, timeout: Duration) {
        let count = ids.clone().count();
        self.wait_for("every response", timeout, |received| {
            // Counting first keeps each wake-up cheap while a flood comes in.
            let all = received.responses.len() >= count
                && ids.clone().all(|id| received.responses.contains_key(&id.to_string()));
            all.then_some(())
        });
    }

    pub fn notifications(&self, method: &str) -> Vec<Value> {
        let received = self.received.0.lock().expect("lock");
        received.notifications.iter().filter(|n| n["method"] == method).map(|n| n["params"].clone()).collect()
    }

    /// Waits until `found` gives a value, failing after `TIMEOUT`.
    fn wait<T>(&self, what: &str, found: impl Fn(&Received) -> Option<T>) -> T {
        self.wait_for(what, TIMEOUT, found)
    }

    fn wait_for<T>(&self, what: &str, timeout: Duration, found: impl Fn(&Received) -> Option<T>) -> T {
        let (lock, changed) = &*self.received;
        let deadline = Instant::now() + timeout;
        let mut received = lock.lock().expect("lock");
        loop {
            if let Some(value) = found(&received) {
                return value;
            }
            let now = Instant::now();
            assert!(now < deadline && !received.closed, "no {what} within {timeout:?}: {}", self.log());
            received = changed.wait_timeout(received, deadline - now).expect("lock").0;
        }
    }

    /// `initialize` (id 0) with `root` as the one workspace folder, then
    /// `initialized`.
    pub fn initialize(&self, root: &Path, initialization_options: Value) -> Value {
        let uri = crate::client::uri(root);
        let params = json!({
            "processId": null,
            "rootUri": uri,
            "capabilities": { "window": { "workDoneProgress": true } },
            "workspaceFolders": [{ "uri": uri, "name": "root" }],
            "initializationOptions": initialization_options,
        });
        let response = self.request(0, "initialize", params);
        assert!(response["result"]["capabilities"].is_object(), "initialized: {response}");
        self.notify("initialized", json!({}));
        response
    }

    /// Waits until a scan's progress has ended.
    pub fn wait_scan(&self) {
        self.wait("the scan to end", |received| {
            received
                .notifications
                .iter()
                .any(|n| n["method"] == "$/progress" && n["params"]["value"]["kind"] == "end")
                .then_some(())
        });
    }

    pub fn shutdown_and_exit(mut self) -> ExitStatus {
        let response = self.request(i64::MAX, "shutdown", Value::Null);
        assert!(response.get("error").is_none(), "shutdown: {response}");
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("a status") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server exits after `exit`");
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.stderr.path()).unwrap_or_default()
    }
}

impl Drop for StdioServer {
    fn drop(&mut self) {
        // A failed test must not leave a server behind.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Records each message from the server's stdout, answering its requests.
/// The framing is the in-process client's, on a runtime of its own.
fn read_messages(stdout: ChildStdout, stdin: &Sender<Vec<u8>>, received: &(Mutex<Received>, Condvar)) {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_io().build().expect("a runtime");
    runtime.block_on(async {
        let stdout = tokio::process::ChildStdout::from_std(stdout).expect("stdout as a pipe");
        let mut reader = tokio::io::BufReader::new(stdout);
        while let Some(message) = crate::client::read_message(&mut reader).await {
            record(message, stdin, received);
        }
    });
    received.0.lock().expect("lock").closed = true;
    received.1.notify_all();
}

fn record(message: Value, stdin: &Sender<Vec<u8>>, received: &(Mutex<Received>, Condvar)) {
    let (lock, changed) = received;
    let mut inbox = lock.lock().expect("lock");
    match (message.get("method"), message.get("id")) {
        (Some(method), Some(id)) => {
            let result = if method == "workspace/configuration" { json!([null]) } else { Value::Null };
            let _ = stdin.send(frame_json(&json!({ "jsonrpc": "2.0", "id": id, "result": result })));
            inbox.server_requests.push(message);
        }
        (Some(_), None) => inbox.notifications.push(message),
        (None, Some(Value::Null)) => inbox.null_id_responses.push(message),
        (None, Some(id)) => {
            let key = id.to_string();
            inbox.responses.insert(key, message);
        }
        (None, None) => {}
    }
    changed.notify_all();
}
