//! An in-process LSP client for scenario tests: the real server on one end
//! of a `tokio::io::duplex`, JSON-RPC framing on the other. It waits for the
//! `initialize` response before sending anything else, answers the server's
//! own requests so it never blocks, and records every notification.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf,
};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tower_lsp_server::ls_types::Uri;

/// How long any expected outcome may take before a test fails.
pub const TIMEOUT: Duration = Duration::from_secs(10);

pub struct Options {
    pub folders: Vec<PathBuf>,
    pub position_encodings: Vec<&'static str>,
    pub watch_registration: bool,
    pub initialization_options: Value,
    /// Where the server keeps its index cache; `None` keeps none.
    pub cache_dir: Option<PathBuf>,
    /// See `ServeOptions::watch_limit`.
    pub watch_limit: Option<usize>,
}

impl Options {
    pub fn folders(folders: &[&Path]) -> Options {
        Options {
            folders: folders.iter().map(|folder| folder.to_path_buf()).collect(),
            position_encodings: Vec::new(),
            watch_registration: true,
            initialization_options: Value::Null,
            cache_dir: None,
            watch_limit: None,
        }
    }
}

#[derive(Default)]
struct Inbox {
    notifications: Vec<Value>,
    server_requests: Vec<Value>,
}

pub struct Client {
    writer: Arc<tokio::sync::Mutex<WriteHalf<DuplexStream>>>,
    next_id: AtomicI64,
    pending: Arc<Mutex<HashMap<i64, oneshot::Sender<Value>>>>,
    inbox: Arc<Mutex<Inbox>>,
    /// What `workspace/configuration` answers for `articleLsp`.
    pub configuration: Arc<Mutex<Value>>,
    pub server: JoinHandle<bool>,
    pub initialize_result: Value,
}

pub fn uri(path: &Path) -> String {
    Uri::from_file_path(path).expect("absolute path").as_str().to_owned()
}

impl Client {
    /// Starts a server, initializes it (waiting for the answer) and sends
    /// `initialized`.
    pub async fn start(options: Options) -> Client {
        let (client_end, server_end) = tokio::io::duplex(1 << 20);
        let (server_in, server_out) = tokio::io::split(server_end);
        let serve_options = article_lsp::server::ServeOptions {
            cache_dir: options.cache_dir.clone(),
            watch_limit: options.watch_limit,
        };
        let server = tokio::spawn(article_lsp::server::serve_with(server_in, server_out, serve_options));
        let (reader, writer) = tokio::io::split(client_end);
        let mut client = Client {
            writer: Arc::new(tokio::sync::Mutex::new(writer)),
            next_id: AtomicI64::new(1),
            pending: Arc::default(),
            inbox: Arc::default(),
            configuration: Arc::new(Mutex::new(Value::Null)),
            server,
            initialize_result: Value::Null,
        };
        client.spawn_reader(reader);

        let folders: Vec<Value> = options
            .folders
            .iter()
            .map(|folder| json!({ "uri": uri(folder), "name": folder.display().to_string() }))
            .collect();
        let mut general = json!({});
        if !options.position_encodings.is_empty() {
            general = json!({ "positionEncodings": options.position_encodings });
        }
        let params = json!({
            "processId": null,
            "rootUri": null,
            "capabilities": {
                "general": general,
                "window": { "workDoneProgress": true },
                "workspace": {
                    "configuration": true,
                    "workspaceFolders": true,
                    "didChangeWatchedFiles": { "dynamicRegistration": options.watch_registration },
                },
            },
            "workspaceFolders": if folders.is_empty() { Value::Null } else { Value::Array(folders) },
            "initializationOptions": options.initialization_options,
        });
        let response = client.request("initialize", params).await;
        client.initialize_result = response["result"].clone();
        assert!(client.initialize_result.is_object(), "initialize failed: {response}");
        client.notify("initialized", json!({})).await;
        client
    }

    fn spawn_reader(&self, reader: ReadHalf<DuplexStream>) {
        let (writer, pending, inbox, configuration) =
            (self.writer.clone(), self.pending.clone(), self.inbox.clone(), self.configuration.clone());
        tokio::spawn(async move {
            let mut reader = BufReader::new(reader);
            while let Some(message) = read_message(&mut reader).await {
                let (method, id) = (message.get("method").cloned(), message.get("id").cloned());
                match (method, id) {
                    (Some(method), Some(id)) => {
                        let result = match method.as_str() {
                            Some("workspace/configuration") => {
                                let value = configuration.lock().expect("lock").clone();
                                json!([value])
                            }
                            _ => Value::Null,
                        };
                        inbox.lock().expect("lock").server_requests.push(message);
                        let answer = json!({ "jsonrpc": "2.0", "id": id, "result": result });
                        write_message(&writer, &answer.to_string()).await;
                    }
                    (Some(_), None) => inbox.lock().expect("lock").notifications.push(message),
                    (None, Some(id)) => {
                        let sender = id.as_i64().and_then(|id| pending.lock().expect("lock").remove(&id));
                        if let Some(sender) = sender {
                            let _ = sender.send(message);
                        }
                    }
                    (None, None) => {}
                }
            }
        });
    }

    /// Sends a request and waits for its response message (result or error).
    pub async fn request(&self, method: &str, params: Value) -> Value {
        let id = self.next_id.fetch_add(1, Ordering::SeqCst);
        let (sender, receiver) = oneshot::channel();
        self.pending.lock().expect("lock").insert(id, sender);
        let message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        write_message(&self.writer, &message.to_string()).await;
        tokio::time::timeout(TIMEOUT, receiver)
            .await
            .unwrap_or_else(|_| panic!("no response to {method} within {TIMEOUT:?}"))
            .expect("the reader is alive")
    }

    pub async fn notify(&self, method: &str, params: Value) {
        let message = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        write_message(&self.writer, &message.to_string()).await;
    }

    /// Writes a body as it is and waits for the response with `id`.
    pub async fn request_raw(&self, body: &str, id: i64) -> Value {
        let (sender, receiver) = oneshot::channel();
        self.pending.lock().expect("lock").insert(id, sender);
        write_message(&self.writer, body).await;
        tokio::time::timeout(TIMEOUT, receiver)
            .await
            .expect("a response in time")
            .expect("the reader is alive")
    }

    /// Writes a body as it is, framed: for malformed input.
    pub async fn send_raw(&self, body: &str) {
        write_message(&self.writer, body).await;
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

    pub fn notifications(&self, method: &str) -> Vec<Value> {
        let inbox = self.inbox.lock().expect("lock");
        inbox.notifications.iter().filter(|n| n["method"] == method).map(|n| n["params"].clone()).collect()
    }

    pub fn server_requests(&self, method: &str) -> Vec<Value> {
        let inbox = self.inbox.lock().expect("lock");
        inbox.server_requests.iter().filter(|n| n["method"] == method).map(|n| n["params"].clone()).collect()
    }

    /// Every `publishDiagnostics` for `path`, oldest first.
    pub fn publications(&self, path: &Path) -> Vec<Value> {
        let uri = uri(path);
        self.notifications("textDocument/publishDiagnostics")
            .into_iter()
            .filter(|p| p["uri"] == uri)
            .collect()
    }

    /// Polls until `found` gives a value, failing the test after [`TIMEOUT`].
    pub async fn wait_for<T>(&self, what: &str, mut found: impl FnMut(&Client) -> Option<T>) -> T {
        let started = Instant::now();
        loop {
            if let Some(value) = found(self) {
                return value;
            }
            assert!(started.elapsed() < TIMEOUT, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Waits until the latest diagnostics published for `path` satisfy `accept`.
    pub async fn wait_diagnostics(&self, path: &Path, accept: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let what = format!("diagnostics of {}", path.display());
        self.wait_for(&what, |client| {
            let latest = client.publications(path).pop()?;
            let diagnostics = latest["diagnostics"].as_array().cloned().unwrap_or_default();
            accept(&diagnostics).then_some(diagnostics)
        })
        .await
    }

    /// Waits until `$/progress` has reported `count` ended scans.
    pub async fn wait_scans(&self, count: usize) {
        self.wait_for("the scan to end", |client| {
            let ended =
                client.notifications("$/progress").iter().filter(|p| p["value"]["kind"] == "end").count();
            (ended >= count).then_some(())
        })
        .await;
    }

    pub async fn shutdown_and_exit(self) -> bool {
        let response = self.request("shutdown", Value::Null).await;
        assert!(response.get("error").is_none(), "shutdown failed: {response}");
        self.notify("exit", Value::Null).await;
        tokio::time::timeout(TIMEOUT, self.server).await.expect("the server exits").expect("no panic")
    }
}

/// The diagnostic codes in a set, sorted.
pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> =
        diagnostics.iter().filter_map(|d| d["code"].as_str().map(str::to_owned)).collect();
    codes.sort();
    codes
}

pub fn has_code(code: &str) -> impl Fn(&[Value]) -> bool + '_ {
    move |diagnostics| codes(diagnostics).iter().any(|c| c == code)
}

pub fn no_diagnostics(diagnostics: &[Value]) -> bool {
    diagnostics.is_empty()
}

async fn write_message(writer: &tokio::sync::Mutex<WriteHalf<DuplexStream>>, body: &str) {
    let mut writer = writer.lock().await;
    let framed = format!("Content-Length: {}\r\n\r\n{body}", body.len());
    // A server that has exited closes its end; later writes just go nowhere.
    let _ = writer.write_all(framed.as_bytes()).await;
    let _ = writer.flush().await;
}

pub(crate) async fn read_message(reader: &mut (impl AsyncBufRead + Unpin)) -> Option<Value> {
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
    serde_json::from_slice(&body).ok()
}

/// A temporary workspace holding copies of fixture folders.
pub fn workspace(fixture_dirs: &[&str]) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("a temp dir");
    let fixtures = Path::new(crate::REPO_ROOT).join("fixtures");
    for dir in fixture_dirs {
        let target = root.path().join(dir);
        std::fs::create_dir_all(&target).expect("create dir");
        for entry in std::fs::read_dir(fixtures.join(dir)).expect("fixture dir") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy");
        }
    }
    root
}

/// An LSP position for a byte offset in `text`.
pub fn position(text: &str, offset: usize, encoding: article_core::line_index::PositionEncoding) -> Value {
    let at = article_core::line_index::LineIndex::new(text).line_col(offset, encoding);
    json!({ "line": at.line, "character": at.col })
}

/// A `contentChanges` entry replacing `range` (byte offsets) with `new`.
pub fn edit(
    text: &str,
    range: std::ops::Range<usize>,
    new: &str,
    encoding: article_core::line_index::PositionEncoding,
) -> Value {
    json!({
        "range": { "start": position(text, range.start, encoding), "end": position(text, range.end, encoding) },
        "text": new,
    })
}

/// The byte offset in `text` of an LSP position (`{line, character}`).
pub fn offset(text: &str, at: &Value, encoding: article_core::line_index::PositionEncoding) -> usize {
    let (line, col) = (at["line"].as_u64().expect("a line"), at["character"].as_u64().expect("a character"));
    let at = article_core::line_index::LineCol::new(line as u32, col as u32);
    article_core::line_index::LineIndex::new(text).offset(at, encoding)
}

/// An LSP range for a byte range of `text`.
pub fn range(
    text: &str,
    range: std::ops::Range<usize>,
    encoding: article_core::line_index::PositionEncoding,
) -> Value {
    json!({ "start": position(text, range.start, encoding), "end": position(text, range.end, encoding) })
}

/// The byte range of `value` in `text`, searched from where `anchor` starts
/// (so `anchor` can name the surrounding context, `value` a part of it).
pub fn find_after(text: &str, anchor: &str, value: &str) -> std::ops::Range<usize> {
    let from = text.find(anchor).unwrap_or_else(|| panic!("`{anchor}` is in the text"));
    let start = from + text[from..].find(value).unwrap_or_else(|| panic!("`{value}` after `{anchor}`"));
    start..start + value.len()
}

/// Applies LSP `TextEdit`s (non-overlapping, positions in `encoding`) the way
/// an editor does: every range refers to the text before any edit.
pub fn apply_edits(
    text: &str,
    edits: &[Value],
    encoding: article_core::line_index::PositionEncoding,
) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|edit| {
            let start = offset(text, &edit["range"]["start"], encoding);
            let end = offset(text, &edit["range"]["end"], encoding);
            (start, end, edit["newText"].as_str().expect("newText"))
        })
        .collect();
    spans.sort_by_key(|(start, end, _)| (*start, *end));
    for pair in spans.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "overlapping edits: {edits:?}");
    }
    let mut out = text.to_owned();
    for (start, end, new_text) in spans.into_iter().rev() {
        out.replace_range(start..end, new_text);
    }
    out
}

/// One document's part of a `WorkspaceEdit`'s `documentChanges`.
#[derive(Debug)]
pub struct DocumentChange {
    pub uri: String,
    pub version: Value,
    pub edits: Vec<Value>,
}

/// The `documentChanges` of a `WorkspaceEdit` (the only form the server
/// sends), failing on any other shape.
pub fn document_changes(edit: &Value) -> Vec<DocumentChange> {
    assert!(edit.get("changes").is_none_or(Value::is_null), "edits come as documentChanges: {edit}");
    let changes = edit["documentChanges"].as_array().unwrap_or_else(|| panic!("documentChanges in {edit}"));
    changes
        .iter()
        .map(|change| DocumentChange {
            uri: change["textDocument"]["uri"].as_str().expect("a uri").to_owned(),
            version: change["textDocument"]["version"].clone(),
            edits: change["edits"].as_array().expect("edits").clone(),
        })
        .collect()
}

impl Client {
    /// Sends a request again and again until `accept` holds for its result:
    /// for answers that depend on the analysis task catching up with edits.
    pub async fn request_until(&self, method: &str, params: Value, accept: impl Fn(&Value) -> bool) -> Value {
        let started = Instant::now();
        loop {
            let response = self.request(method, params.clone()).await;
            if accept(&response["result"]) {
                return response["result"].clone();
            }
            assert!(
                started.elapsed() < TIMEOUT,
                "timed out waiting for {method} to answer as expected: {response}"
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

/// A server over a temporary copy of fixture folders, scanned.
pub struct Session {
    pub root: tempfile::TempDir,
    pub client: Client,
    pub encoding: article_core::line_index::PositionEncoding,
}

impl Session {
    pub async fn start(dirs: &[&str]) -> Session {
        Session::with(dirs, |_| {}).await
    }

    pub async fn with(dirs: &[&str], configure: impl FnOnce(&mut Options)) -> Session {
        let root = workspace(dirs);
        Session::in_root(root, configure).await
    }

    pub async fn in_root(root: tempfile::TempDir, configure: impl FnOnce(&mut Options)) -> Session {
        let mut options = Options::folders(&[root.path()]);
        configure(&mut options);
        let encoding = if options.position_encodings.contains(&"utf-8") {
            article_core::line_index::PositionEncoding::Utf8
        } else {
            article_core::line_index::PositionEncoding::Utf16
        };
        let client = Client::start(options).await;
        client.wait_scans(1).await;
        Session { root, client, encoding }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).expect("a fixture")
    }

    pub fn uri(&self, relative: &str) -> String {
        uri(&self.path(relative))
    }

    /// `textDocument` and `position` at a byte offset of `text`.
    pub fn at(&self, relative: &str, text: &str, offset: usize) -> Value {
        json!({
            "textDocument": { "uri": self.uri(relative) },
            "position": position(text, offset, self.encoding),
        })
    }

    /// A location of a byte range in a file of the workspace.
    pub fn location(&self, relative: &str, text: &str, span: std::ops::Range<usize>) -> Value {
        json!({ "uri": self.uri(relative), "range": range(text, span, self.encoding) })
    }

    /// The result of a request answered without error.
    pub async fn result(&self, method: &str, params: Value) -> Value {
        let response = self.client.request(method, params).await;
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    pub async fn complete(&self, relative: &str, text: &str, offset: usize) -> Value {
        self.result("textDocument/completion", self.at(relative, text, offset)).await
    }

    pub async fn hover(&self, relative: &str, text: &str, offset: usize) -> Value {
        self.result("textDocument/hover", self.at(relative, text, offset)).await
    }

    pub async fn definition(&self, relative: &str, text: &str, offset: usize) -> Value {
        self.result("textDocument/definition", self.at(relative, text, offset)).await
    }

    pub async fn references(
        &self,
        relative: &str,
        text: &str,
        offset: usize,
        declaration: bool,
    ) -> Vec<Value> {
        let mut params = self.at(relative, text, offset);
        params["context"] = json!({ "includeDeclaration": declaration });
        let found = self.result("textDocument/references", params).await;
        found.as_array().unwrap_or_else(|| panic!("locations: {found}")).clone()
    }
}

/// Fixture files and values the feature and refactor scenarios share.
pub mod cluster {
    pub const EVOLVED: &str = "lumenus/how-has-lumenus-evolved-over-the-years.md";
    pub const EVOLVED_TITLE: &str = "How has Lumenus evolved over the years?";
    pub const EVOLVED_URL: &str = "/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years";
    pub const HISTORY: &str = "lumenus/what-is-the-history-of-the-lumenus-organization.md";
    pub const HISTORY_TITLE: &str = "What is the history of the Lumenus organization?";
    pub const HISTORY_URL: &str =
        "/learn/sociology/questions/what-is-the-history-of-the-lumenus-organization";
    pub const SOURCES: &str =
        "lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md";
    pub const COLLABORATE: &str =
        "lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md";
    pub const FLOW: &str = "shapes/which-lumenus-articles-cover-its-history.md";
}
