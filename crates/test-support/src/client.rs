//! The one LSP client of the tests, the fuzz target and the benchmark: the
//! real server in this process on one end of a pipe ([`Client::in_process`],
//! [`Client::start`]), or the binary over its stdio ([`Client::spawn`]).
//!
//! A reader task takes every message the server writes, in order: it
//! answers the server's own requests at once (so the server never waits on
//! the test), and records everything in an inbox. Every wait is woken by
//! the messages it waits for, and fails the test after [`TIMEOUT`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::Stdio;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tower_lsp_server::ls_types::Uri;

/// How long any expected outcome may take before a test fails.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The longest [`Client::request_until`] waits for the server to write
/// something before it asks again.
pub const RETRY: Duration = Duration::from_millis(25);

/// How the client introduces itself at `initialize`.
pub struct Options {
    pub folders: Vec<PathBuf>,
    pub position_encodings: Vec<&'static str>,
    pub watch_registration: bool,
    /// Whether the client pulls diagnostics (and may be asked to pull again).
    pub pull_diagnostics: bool,
    pub initialization_options: Value,
    /// Where an in-process server keeps its index cache; `None` keeps none.
    pub cache_dir: Option<PathBuf>,
    /// See `ServeOptions::watch_limit`.
    pub watch_limit: Option<usize>,
    /// See `ServeOptions::rounds`.
    pub rounds: Option<std::sync::Arc<std::sync::atomic::AtomicU64>>,
}

impl Options {
    pub fn folders(folders: &[&Path]) -> Options {
        Options {
            folders: folders.iter().map(|folder| folder.to_path_buf()).collect(),
            position_encodings: Vec::new(),
            watch_registration: true,
            pull_diagnostics: false,
            initialization_options: Value::Null,
            cache_dir: None,
            watch_limit: None,
            rounds: None,
        }
    }

    /// The `initialize` request's parameters.
    pub fn initialize_params(&self) -> Value {
        let folders: Vec<Value> = self
            .folders
            .iter()
            .map(|folder| json!({ "uri": uri(folder), "name": folder.display().to_string() }))
            .collect();
        let mut general = json!({});
        if !self.position_encodings.is_empty() {
            general = json!({ "positionEncodings": self.position_encodings });
        }
        let mut text_document = json!({});
        if self.pull_diagnostics {
            text_document = json!({ "diagnostic": { "dynamicRegistration": false } });
        }
        json!({
            "processId": null,
            "rootUri": null,
            "capabilities": {
                "general": general,
                "textDocument": text_document,
                "window": { "workDoneProgress": true },
                "workspace": {
                    "configuration": true,
                    "workspaceFolders": true,
                    "didChangeWatchedFiles": { "dynamicRegistration": self.watch_registration },
                    "diagnostics": { "refreshSupport": self.pull_diagnostics },
                },
            },
            "workspaceFolders": if folders.is_empty() { Value::Null } else { Value::Array(folders) },
            "initializationOptions": self.initialization_options,
        })
    }
}

/// Everything the server wrote, in order, with its responses found by id.
#[derive(Default)]
pub struct Inbox {
    pub messages: Vec<Value>,
    /// Where each response is in `messages`, by its id as JSON text.
    responses: HashMap<String, usize>,
    /// Responses whose id is `null` (parse errors, invalid requests).
    null_id_responses: Vec<usize>,
    /// The server closed its output.
    pub closed: bool,
    /// When each message of `messages` was taken in, at the same index: for
    /// the benchmark's timings.
    received_at: Vec<Instant>,
}

impl Inbox {
    /// The params of every notification of `method`, oldest first.
    pub fn notifications(&self, method: &str) -> Vec<Value> {
        self.of_method(method, false)
    }

    /// The params of every request of `method` the server made.
    pub fn server_requests(&self, method: &str) -> Vec<Value> {
        self.of_method(method, true)
    }

    fn of_method(&self, method: &str, requests: bool) -> Vec<Value> {
        self.messages
            .iter()
            .filter(|message| message["method"] == method && message.get("id").is_some() == requests)
            .map(|message| message["params"].clone())
            .collect()
    }

    /// Every `publishDiagnostics` for `path`, oldest first.
    pub fn publications(&self, path: &Path) -> Vec<Value> {
        let uri = uri(path);
        self.notifications("textDocument/publishDiagnostics")
            .into_iter()
            .filter(|p| p["uri"] == uri)
            .collect()
    }

    pub fn response(&self, id: &Value) -> Option<&Value> {
        self.response_after(id, 0)
    }

    /// The response with `id` among the messages from the `from`th on.
    pub fn response_after(&self, id: &Value, from: usize) -> Option<&Value> {
        self.responses.get(&id.to_string()).filter(|at| **at >= from).map(|at| &self.messages[*at])
    }

    pub fn null_id_responses(&self) -> usize {
        self.null_id_responses.len()
    }

    pub fn null_id_response(&self, n: usize) -> Option<&Value> {
        self.null_id_responses.get(n).map(|at| &self.messages[*at])
    }

    /// When the `n`th message of `messages` was received.
    pub fn received_at(&self, n: usize) -> Option<Instant> {
        self.received_at.get(n).copied()
    }

    /// When the response with `id` was received.
    pub fn response_received_at(&self, id: &Value) -> Option<Instant> {
        self.responses.get(&id.to_string()).and_then(|at| self.received_at(*at))
    }

    fn record(&mut self, message: Value, received_at: Instant) {
        let at = self.messages.len();
        if message.get("method").is_none() {
            match message.get("id") {
                Some(Value::Null) => self.null_id_responses.push(at),
                Some(id) => {
                    self.responses.insert(id.to_string(), at);
                }
                None => {}
            }
        }
        self.messages.push(message);
        self.received_at.push(received_at);
    }
}

/// The inbox and what wakes the waits on it.
#[derive(Default)]
struct Received {
    inbox: Mutex<Inbox>,
    changed: Notify,
}

/// The server on the other end.
enum Server {
    /// `serve` on a task of this runtime; its result says whether
    /// `shutdown` came before the end.
    InProcess(JoinHandle<bool>),
    Process(Box<ServerProcess>),
}

struct ServerProcess {
    child: tokio::process::Child,
    log: tempfile::NamedTempFile,
    /// The cache of a server started without a cache location of its
    /// own: never the user's cache directory.
    _cache: Option<tempfile::TempDir>,
}

type Writer = Arc<tokio::sync::Mutex<Pin<Box<dyn AsyncWrite + Send>>>>;

pub struct Client {
    writer: Writer,
    next_id: AtomicI64,
    received: Arc<Received>,
    /// What `workspace/configuration` answers for `articleLsp`.
    pub configuration: Arc<Mutex<Value>>,
    server: Server,
    /// The task that takes the server's messages in.
    reader: JoinHandle<()>,
    pub initialize_result: Value,
}

/// A client that goes away hangs up: its reader stops, and with it the last
/// holder of this end of the pipe, so that the server's reader sees its
/// input end (as after an editor quits) and nothing outlives the client.
impl Drop for Client {
    fn drop(&mut self) {
        self.reader.abort();
    }
}

pub fn uri(path: &Path) -> String {
    Uri::from_file_path(path).expect("absolute path").as_str().to_owned()
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Client {
    /// Starts a server in this process, initializes it (waiting for the
    /// answer) and sends `initialized`.
    pub async fn start(options: Options) -> Client {
        let mut client = Client::in_process(article_lsp::server::ServeOptions {
            cache_dir: options.cache_dir.clone(),
            watch_limit: options.watch_limit,
            rounds: options.rounds.clone(),
        });
        client.initialize(&options).await;
        client
    }

    /// A server in this process, not yet initialized.
    pub fn in_process(options: article_lsp::server::ServeOptions) -> Client {
        let (client_end, server_end) = tokio::io::duplex(1 << 22);
        let (server_in, server_out) = tokio::io::split(server_end);
        let server = tokio::spawn(article_lsp::server::serve_with(server_in, server_out, options));
        let (reader, writer) = tokio::io::split(client_end);
        Client::over(reader, writer, Server::InProcess(server))
    }

    /// The server's `binary` over its stdio, not yet initialized (`wrap`: a
    /// program to run it under, with its arguments, e.g. a tracer), with
    /// `envs` added to its environment. The cache goes where `envs` say
    /// (`HOME`, `XDG_CACHE_HOME`), else to a temporary folder: a test never
    /// writes to the user's cache directory. Its log goes to a file
    /// ([`Client::log`]); `TEST_SERVER_LOG` sets its level.
    pub fn spawn(binary: &str, wrap: &[&str], envs: &[(&str, &Path)]) -> Client {
        let cache_variable = article_workspace::cache::CACHE_DIR_VARIABLE;
        let mut command = match wrap.split_first() {
            Some((program, args)) => {
                let mut command = tokio::process::Command::new(program);
                command.args(args).arg(binary);
                command
            }
            None => tokio::process::Command::new(binary),
        };
        let log = tempfile::NamedTempFile::new().expect("a log file");
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log.reopen().expect("the log file"))
            .kill_on_drop(true)
            .env("RUST_LOG", std::env::var("TEST_SERVER_LOG").unwrap_or_else(|_| "info".to_owned()))
            .env_remove(cache_variable);
        let placed = envs.iter().any(|(name, _)| [cache_variable, "HOME", "XDG_CACHE_HOME"].contains(name));
        let cache = (!placed).then(|| tempfile::tempdir().expect("a cache folder"));
        if let Some(cache) = &cache {
            command.env(cache_variable, cache.path());
        }
        for (name, value) in envs {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the server starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        Client::over(stdout, stdin, Server::Process(Box::new(ServerProcess { child, log, _cache: cache })))
    }

    fn over(
        reader: impl AsyncRead + Send + Unpin + 'static,
        writer: impl AsyncWrite + Send + 'static,
        server: Server,
    ) -> Client {
        let writer: Writer = Arc::new(tokio::sync::Mutex::new(Box::pin(writer)));
        let received = Arc::new(Received::default());
        let configuration = Arc::new(Mutex::new(Value::Null));
        let reader = tokio::spawn(read_into(reader, writer.clone(), received.clone(), configuration.clone()));
        Client {
            writer,
            reader,
            // Far from the ids tests choose themselves (`request_with_id`).
            next_id: AtomicI64::new(1 << 40),
            received,
            configuration,
            server,
            initialize_result: Value::Null,
        }
    }

    /// `initialize` with `root` as the one workspace folder and
    /// `initialization_options`, then `initialized`.
    pub async fn initialize_folder(&mut self, root: &Path, initialization_options: Value) -> Value {
        let mut options = Options::folders(&[root]);
        options.initialization_options = initialization_options;
        self.initialize(&options).await
    }

    /// `initialize` with `options`, waiting for the answer, then `initialized`.
    pub async fn initialize(&mut self, options: &Options) -> Value {
        let response = self.request("initialize", options.initialize_params()).await;
        self.initialize_result = response["result"].clone();
        assert!(self.initialize_result.is_object(), "initialize failed: {response}");
        self.notify("initialized", json!({})).await;
        response
    }

    /// Sends a request and waits for its response message (result or error).
    pub async fn request(&self, method: &str, params: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        self.request_with_id(json!(id), method, params).await
    }

    /// Sends a request under `id` and waits for its response.
    pub async fn request_with_id(&self, id: Value, method: &str, params: Value) -> Value {
        let from = self.inbox().messages.len();
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })).await;
        self.wait_for(&format!("a response to {id}"), |inbox| inbox.response_after(&id, from).cloned()).await
    }

    /// Sends a request without waiting; its id is returned.
    pub async fn send_request(&self, method: &str, params: Value) -> i64 {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })).await;
        id
    }

    pub async fn notify(&self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params })).await;
    }

    /// Sends one message, framed.
    pub async fn send(&self, message: &Value) {
        self.write_raw(&frame_json(message)).await;
    }

    /// Writes a body as it is, framed: for malformed input.
    pub async fn send_raw(&self, body: &str) {
        self.write_raw(&frame(body.as_bytes())).await;
    }

    /// Writes a body as it is, framed, and waits for the response with `id`.
    pub async fn request_raw(&self, body: &str, id: i64) -> Value {
        let from = self.inbox().messages.len();
        self.send_raw(body).await;
        self.wait_for(&format!("a response to {id}"), |inbox| inbox.response_after(&json!(id), from).cloned())
            .await
    }

    /// Writes bytes as they are (broken frames, many messages at once).
    pub async fn write_raw(&self, bytes: &[u8]) {
        let mut writer = self.writer.lock().await;
        // A server that has exited closes its end; later writes go nowhere.
        let _ = writer.write_all(bytes).await;
        let _ = writer.flush().await;
    }

    /// The response with `id`, waiting for it.
    pub async fn response(&self, id: &Value) -> Value {
        self.wait_for(&format!("a response to {id}"), |inbox| inbox.response(id).cloned()).await
    }

    /// The `n`th response whose id is `null`, waiting for it.
    pub async fn null_id_response(&self, n: usize) -> Value {
        self.wait_for("a response with a null id", |inbox| inbox.null_id_response(n).cloned()).await
    }

    /// Waits until every request of `ids` has been answered, for `timeout`.
    pub async fn wait_answered(&self, ids: std::ops::Range<i64>, timeout: Duration) {
        let count = ids.clone().count();
        self.wait_for_within("every response", timeout, |inbox| {
            // Counting first keeps each wake-up cheap while a flood comes in.
            let all =
                inbox.responses.len() >= count && ids.clone().all(|id| inbox.response(&json!(id)).is_some());
            all.then_some(())
        })
        .await;
    }

    pub async fn open(&self, path: &Path) {
        let text = std::fs::read_to_string(path).expect("readable fixture");
        self.open_text(path, &text).await;
    }

    pub async fn open_text(&self, path: &Path, text: &str) {
        self.open_version(path, text, 1).await;
    }

    pub async fn open_version(&self, path: &Path, text: &str, version: i32) {
        let document =
            json!({ "uri": uri(path), "languageId": "markdown", "version": version, "text": text });
        self.notify("textDocument/didOpen", json!({ "textDocument": document })).await;
    }

    pub async fn change(&self, path: &Path, version: i32, changes: Value) {
        let params = json!({
            "textDocument": { "uri": uri(path), "version": version },
            "contentChanges": changes,
        });
        self.notify("textDocument/didChange", params).await;
    }

    /// `type`: 1 created, 2 changed, 3 deleted.
    pub async fn file_changed(&self, path: &Path, kind: u8) {
        let params = json!({ "changes": [{ "uri": uri(path), "type": kind }] });
        self.notify("workspace/didChangeWatchedFiles", params).await;
    }

    pub async fn pull_diagnostics(&self, path: &Path) -> Vec<Value> {
        let response =
            self.request("textDocument/diagnostic", json!({ "textDocument": { "uri": uri(path) } })).await;
        assert_eq!(response["result"]["kind"], "full", "{response}");
        response["result"]["items"].as_array().cloned().unwrap_or_default()
    }

    /// The inbox as it is now.
    pub fn inbox(&self) -> MutexGuard<'_, Inbox> {
        lock(&self.received.inbox)
    }

    pub fn notifications(&self, method: &str) -> Vec<Value> {
        self.inbox().notifications(method)
    }

    pub fn server_requests(&self, method: &str) -> Vec<Value> {
        self.inbox().server_requests(method)
    }

    /// Every `publishDiagnostics` for `path`, oldest first.
    pub fn publications(&self, path: &Path) -> Vec<Value> {
        self.inbox().publications(path)
    }

    /// Waits until `found` gives a value, looking again each time a message
    /// comes; fails the test after [`TIMEOUT`] or when the server closes.
    pub async fn wait_for<T>(&self, what: &str, found: impl FnMut(&Inbox) -> Option<T>) -> T {
        self.wait_for_within(what, TIMEOUT, found).await
    }

    async fn wait_for_within<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut found: impl FnMut(&Inbox) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + timeout;
        loop {
            // Registered before looking, so that a message recorded between
            // the look and the wait still wakes it.
            let changed = self.received.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            {
                let inbox = self.inbox();
                if let Some(value) = found(&inbox) {
                    return value;
                }
                assert!(!inbox.closed, "the server closed its output before {what}: {}", self.log());
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                panic!("no {what} within {timeout:?}: {}", self.log());
            }
        }
    }

    /// The next message after the first `seen`, waiting for it; `None` once
    /// the server has closed its output.
    pub async fn next_message(&self, seen: &mut usize) -> Option<Value> {
        loop {
            let changed = self.received.changed.notified();
            let mut changed = std::pin::pin!(changed);
            changed.as_mut().enable();
            {
                let inbox = self.inbox();
                if let Some(message) = inbox.messages.get(*seen) {
                    *seen += 1;
                    return Some(message.clone());
                }
                if inbox.closed {
                    return None;
                }
            }
            changed.await;
        }
    }

    /// Waits until the latest diagnostics published for `path` satisfy `accept`.
    pub async fn wait_diagnostics(&self, path: &Path, accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let what = format!("diagnostics of {}", path.display());
        self.wait_for(&what, |inbox| {
            let latest = inbox.publications(path).pop()?;
            let diagnostics = latest["diagnostics"].as_array().cloned().unwrap_or_default();
            accept(&diagnostics).then_some(diagnostics)
        })
        .await
    }

    /// Waits until `$/progress` has reported `count` ended scans.
    pub async fn wait_scans(&self, count: usize) {
        self.wait_for("the scan to end", |inbox| {
            let ended =
                inbox.notifications("$/progress").iter().filter(|p| p["value"]["kind"] == "end").count();
            (ended >= count).then_some(())
        })
        .await;
    }

    /// Sends a request again until `accept` holds for its result: for
    /// answers that wait on the server taking in a change on disk. The
    /// server says nothing when it has (a change that alters no diagnostic
    /// publishes nothing), so the request is sent again as soon as the
    /// server writes anything, and at the latest after [`RETRY`].
    pub async fn request_until(&self, method: &str, params: Value, accept: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let mut seen = self.inbox().messages.len();
            let response = self.request(method, params.clone()).await;
            if accept(&response["result"]) {
                return response["result"].clone();
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {method} to answer as expected: {response}"
            );
            let other = async {
                // Past the response just read: something else the server wrote.
                while let Some(message) = self.next_message(&mut seen).await {
                    if message.get("method").is_some() {
                        return;
                    }
                }
            };
            let _ = tokio::time::timeout(RETRY, other).await;
        }
    }

    /// `shutdown` (answered without error) and `exit`; whether the server
    /// then ended as after a clean shutdown (for the binary: exit status 0).
    pub async fn shutdown_and_exit(mut self) -> bool {
        let response = self.request("shutdown", Value::Null).await;
        assert!(response.get("error").is_none(), "shutdown failed: {response}");
        self.notify("exit", Value::Null).await;
        self.wait_exit().await
    }

    /// Waits for the server to end on its own (after `exit`, or its input's end).
    pub async fn wait_exit(&mut self) -> bool {
        match &mut self.server {
            Server::InProcess(server) => {
                tokio::time::timeout(TIMEOUT, server).await.expect("the server exits").expect("no panic")
            }
            Server::Process(process) => {
                let status =
                    tokio::time::timeout(TIMEOUT, process.child.wait()).await.expect("the server exits");
                status.expect("an exit status").success()
            }
        }
    }

    /// Closes the server's input, as an editor that goes away does: shut
    /// down (an in-process pipe's end then reads its end) and dropped (a
    /// child's stdin closes only when dropped). Later writes go nowhere.
    pub async fn close_input(&self) {
        let mut writer = self.writer.lock().await;
        let _ = writer.shutdown().await;
        *writer = Box::pin(tokio::io::sink());
    }

    /// The process of a server over stdio: to wait for its exit status
    /// within a time limit, or to kill it, as the benchmark does.
    pub fn child(&mut self) -> Option<&mut tokio::process::Child> {
        match &mut self.server {
            Server::Process(process) => Some(&mut process.child),
            Server::InProcess(_) => None,
        }
    }

    /// The process id of a server over stdio.
    pub fn pid(&self) -> Option<u32> {
        match &self.server {
            Server::Process(process) => process.child.id(),
            Server::InProcess(_) => None,
        }
    }

    /// The log of a server over stdio (empty in process: it logs through
    /// the test's own subscriber).
    pub fn log(&self) -> String {
        match &self.server {
            Server::Process(process) => std::fs::read_to_string(process.log.path()).unwrap_or_default(),
            Server::InProcess(_) => String::new(),
        }
    }
}

/// Takes the server's messages into the inbox until it closes its output,
/// answering its requests: `workspace/configuration` with the client's
/// configuration, anything else with `null`.
async fn read_into(
    reader: impl AsyncRead + Unpin,
    writer: Writer,
    received: Arc<Received>,
    configuration: Arc<Mutex<Value>>,
) {
    let mut reader = BufReader::new(reader);
    while let Some(body) = read_frame(&mut reader).await {
        // Stamped as soon as the frame is in, before it is decoded: a
        // benchmark's timing leaves out this client's own decoding.
        let received_at = Instant::now();
        let Ok(message) = serde_json::from_slice::<Value>(&body) else { break };
        if let (Some(method), Some(id)) = (message.get("method"), message.get("id")) {
            let result = match method.as_str() {
                Some("workspace/configuration") => json!([lock(&configuration).clone()]),
                _ => Value::Null,
            };
            let answer = json!({ "jsonrpc": "2.0", "id": id, "result": result });
            let mut writer = writer.lock().await;
            let _ = writer.write_all(&frame(answer.to_string().as_bytes())).await;
            let _ = writer.flush().await;
        }
        lock(&received.inbox).record(message, received_at);
        received.changed.notify_waiters();
    }
    lock(&received.inbox).closed = true;
    received.changed.notify_waiters();
}

/// `body` with its `Content-Length` header.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut framed = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    framed.extend_from_slice(body);
    framed
}

/// `message` framed.
pub fn frame_json(message: &Value) -> Vec<u8> {
    frame(message.to_string().as_bytes())
}

/// One framed JSON message; `None` at the end of input or on a frame that
/// is not one (the server frames every message it writes).
pub async fn read_message(reader: &mut (impl AsyncBufRead + Unpin)) -> Option<Value> {
    serde_json::from_slice(&read_frame(reader).await?).ok()
}

/// One frame's body, not decoded; `None` at the end of input or on a
/// frame without its length.
pub async fn read_frame(reader: &mut (impl AsyncBufRead + Unpin)) -> Option<Vec<u8>> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length:") {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).await.ok()?;
    Some(body)
}
