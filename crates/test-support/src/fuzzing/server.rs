//! The `server` target: a script of `didOpen`, `didChange` (whole and
//! ranged, with positions past the end and inside characters), requests at
//! random positions, `didClose`, `didSave` and the like, run against the
//! real server over an in-memory pipe.
//!
//! Besides panics (a hook counts every one, also those the server turns into
//! `-32603` answers or that end a background task), it checks what the
//! answers say against a mirror of the documents: ranges in the document
//! asked about are valid positions of its current text, workspace edits fit
//! the current text of every file they touch and carry its version, pushed
//! sets fit the text of their version (a closed file's: a text it had on
//! disk since the last settle, as its event may not be applied yet), pulled
//! diagnostics that depend on the file alone match a fresh analysis, and once
//! the server has settled, every file's published (or pulled) diagnostics
//! equal those of an index built from scratch over the same texts.
//!
//! The runtime must be a current-thread one started paused: waiting for the
//! server to settle then costs no wall-clock time (time advances only when
//! every task is idle, and never while blocking work runs).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, Once};
use std::time::Duration;

use arbitrary::{Arbitrary, Unstructured};
use serde_json::{Value, json};
use tokio::time::{Instant, sleep_until, timeout};
use tower_lsp_server::ls_types::Uri;

use super::floor_char_boundary;
use crate::client::Client;
use article_core::article::parse_article;
use article_core::diagnostics::{DiagnosticCode, article_diagnostics};
use article_core::index::{ArticleIndex, FilePath};
use article_core::line_index::{LineCol, LineIndex, PositionEncoding};
use article_core::summary::ArticleSummary;

/// At most this many operations of a script are run: longer scripts find
/// little more and slow every run down.
const MAX_OPS: usize = 48;
/// How long (on the paused clock) the server is given to go quiet.
const SETTLE: Duration = Duration::from_secs(5);
/// Past this (on the paused clock, which only moves when everything is
/// idle) an answer that has not come never will.
const ANSWER: Duration = Duration::from_secs(60);
const INTERNAL_ERROR: i64 = -32603;

/// The workspace's files on disk; documents 0 to 3 are these.
const NOTES: &str = "# Notes\n\nPlain Markdown, no front matter.\n";
/// A settings file marks the folder as the root of files opened in it
/// while it is not a workspace folder.
const SETTINGS: &str = "article-lsp.toml";
const INVALID_REQUEST: i64 = -32600;

/// Codes whose diagnostics depend on the file alone, comparable while other
/// documents' edits may not have reached the index yet.
const LOCAL_CODES: [DiagnosticCode; 6] = [
    DiagnosticCode::YamlSyntax,
    DiagnosticCode::DuplicateKey,
    DiagnosticCode::UnterminatedFrontMatter,
    DiagnosticCode::MissingField,
    DiagnosticCode::InvalidField,
    DiagnosticCode::SlugMismatch,
];

/// `Op::Watched` kinds from this one up rewrite the file on disk: with one
/// of the fixed articles, or past them, by deleting it. Past the documents
/// (where the settings file is named), they rewrite or delete one of the
/// [`SHADOWS`], or its folder.
const REWRITE: u8 = 192;

/// Files the scan does not admit (the root's `.gitignore` names the first
/// two; the others are hidden or under `node_modules/`), written with the
/// fixed articles' ids: any that entered the index would give those a
/// `duplicate-id`.
const SHADOWS: [&str; 5] =
    ["drafts/copy.md", "ignored.md", ".copy.md", ".hidden/copy.md", "node_modules/pkg/copy.md"];
const GITIGNORE: &str = "drafts/\nignored.md\n";

/// Set, each operation run is printed to stderr: to read what a saved input does.
pub const TRACE: &str = "ARTICLE_LSP_FUZZ_TRACE";
/// Set (to a `tracing` filter such as `article_lsp=debug`), the server's log
/// goes to stderr, between the operations.
pub const SERVER_LOG: &str = "ARTICLE_LSP_FUZZ_LOG";

/// A run: how the client introduces itself, then operations until the data
/// runs out (rather than `Vec`'s coin toss before each one, which would make
/// most inputs a single operation long).
#[derive(Debug)]
struct Script {
    offer: Offer,
    /// The client pulls diagnostics (and can be asked to pull again).
    pull: bool,
    ops: Vec<Op>,
}

impl Script {
    fn decode(data: &[u8]) -> Option<Script> {
        let mut u = Unstructured::new(data);
        let offer = Offer::arbitrary(&mut u).ok()?;
        let pull = bool::arbitrary(&mut u).ok()?;
        let mut ops = Vec::new();
        while !u.is_empty() && ops.len() < MAX_OPS {
            let Ok(op) = Op::arbitrary(&mut u) else { break };
            ops.push(op);
        }
        Some(Script { offer, pull, ops })
    }
}

/// Which position encodings the client offers at `initialize`.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum Offer {
    Nothing,
    Utf16,
    Utf8,
    Utf32ThenUtf8,
}

#[derive(Arbitrary, Debug)]
enum Op {
    Open {
        doc: u8,
        version: i32,
        text: Text,
    },
    ChangeWhole {
        doc: u8,
        version: Version,
        text: Text,
    },
    ChangeRanges {
        doc: u8,
        version: Version,
        edits: Vec<Edit>,
    },
    Close {
        doc: u8,
    },
    Save {
        doc: u8,
        with_text: bool,
    },
    At {
        doc: u8,
        request: AtRequest,
        at: Pos,
    },
    Rename {
        doc: u8,
        at: Pos,
        name: NewName,
    },
    CodeAction {
        doc: u8,
        start: Pos,
        end: Pos,
        only: Only,
        with_diagnostics: bool,
    },
    Document {
        doc: u8,
        request: DocumentRequest,
    },
    WorkspaceSymbol {
        query: String,
    },
    ResolveCompletion {
        item: u8,
    },
    Pull {
        doc: u8,
    },
    /// The client says a file (or, past the documents, the settings file)
    /// was created, changed or deleted. From [`REWRITE`] up, a workspace
    /// file is first really rewritten (or deleted) on disk; below it, only
    /// the event is sent. (One variant for both: a new one would change what
    /// every saved input decodes to.)
    Watched {
        doc: u8,
        kind: u8,
    },
    /// Editor settings sent in the notification, or (`None`) to be asked for.
    Configure {
        preview: Option<u32>,
    },
    /// The workspace folder is removed, or added (back).
    Folder {
        remove: bool,
    },
    /// A body that is not a JSON-RPC message.
    Junk {
        body: String,
    },
    Settle,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum AtRequest {
    Hover,
    Definition,
    Completion,
    References { declaration: bool },
    PrepareRename,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum DocumentRequest {
    Symbols,
    CodeLens,
    Links,
    /// Not offered by the server: it must say so, not fail.
    SemanticTokens,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Only {
    Any,
    QuickFix,
    FixAll,
    Refactor,
}

#[derive(Arbitrary, Debug)]
enum NewName {
    Title,
    Url,
    Id,
    TakenId,
    Any(String),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Version {
    Next,
    Same,
    Older,
    Any(i32),
}

#[derive(Arbitrary, Debug)]
enum Text {
    Article(u8),
    /// An article with text inserted at a byte offset (floored to a char).
    Spliced {
        article: u8,
        at: u16,
        insert: String,
    },
    Any(String),
}

#[derive(Arbitrary, Debug)]
struct Edit {
    start: Pos,
    end: Pos,
    text: String,
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Pos {
    /// At a byte offset of the current text (floored to a char), then moved
    /// right by `nudge` units: into a character, or past the line's end.
    Near {
        offset: u16,
        nudge: u8,
    },
    Raw {
        line: u32,
        character: u32,
    },
}

/// One document the script can name.
struct Doc {
    uri: String,
    /// The file, for documents in the workspace folder.
    path: Option<PathBuf>,
    /// The text on disk when a run starts, for the workspace's own files.
    disk: Option<&'static str>,
}

/// Panics seen anywhere in the process since the hook was installed.
static PANICS: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn count_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            PANICS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).push(info.to_string());
            previous(info);
        }));
    });
}

/// The workspace folder (made once per process) and the runtime every run
/// shares.
pub struct ServerFuzz {
    runtime: tokio::runtime::Runtime,
    _folder: tempfile::TempDir,
    root: PathBuf,
    docs: Vec<Doc>,
}

impl ServerFuzz {
    /// `runtime` must be a current-thread runtime started paused, with I/O
    /// and time enabled.
    pub fn new(runtime: tokio::runtime::Runtime) -> ServerFuzz {
        count_panics();
        if let Some(filter) = std::env::var_os(SERVER_LOG) {
            // Several fuzzers in one process set it once.
            let _ = tracing_subscriber::fmt()
                .with_writer(std::io::stderr)
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter.to_string_lossy()))
                .try_init();
        }
        let folder = tempfile::tempdir().expect("a temporary folder");
        let root = folder.path().canonicalize().expect("a canonical temporary folder");
        let mut disk: Vec<(&str, &'static str)> = super::article::FIXED
            .iter()
            .map(|(path, text)| (path.trim_start_matches("/fuzz/"), *text))
            .collect();
        disk.push(("notes.md", NOTES));
        for (name, text) in &disk {
            std::fs::write(root.join(name), text).expect("a workspace file");
        }
        std::fs::write(root.join(SETTINGS), "").expect("a settings file");
        // A repository, so that its `.gitignore` counts.
        std::fs::create_dir_all(root.join(".git")).expect("a repository");
        std::fs::write(root.join(".gitignore"), GITIGNORE).expect("an ignore file");
        let mut docs: Vec<Doc> = disk
            .iter()
            .map(|(name, text)| Doc {
                uri: file_uri(&root.join(name)),
                path: Some(root.join(name)),
                disk: Some(*text),
            })
            .collect();
        for name in ["new.md", "draft.txt"] {
            docs.push(Doc { uri: file_uri(&root.join(name)), path: Some(root.join(name)), disk: None });
        }
        docs.push(Doc { uri: "untitled:Untitled-1".to_owned(), path: None, disk: None });
        ServerFuzz { runtime, _folder: folder, root, docs }
    }

    /// Runs one script; panics when anything goes wrong.
    pub fn check(&self, data: &[u8]) {
        let Some(script) = Script::decode(data) else { return };
        self.restore_disk();
        let before = PANICS.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).len();
        self.runtime.block_on(Run::script(self, script));
        let panics = PANICS.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        assert_eq!(panics.len(), before, "the server panicked: {:?}", &panics[before..]);
    }

    /// Puts the workspace's files back as every run starts with them: a
    /// script may have rewritten or deleted them.
    fn restore_disk(&self) {
        for shadow in SHADOWS {
            let path = self.root.join(shadow);
            let folder = path.parent().filter(|folder| *folder != self.root);
            let gone = match folder {
                Some(folder) => std::fs::remove_dir_all(folder),
                None => std::fs::remove_file(&path),
            };
            if let Err(error) = gone
                && error.kind() != std::io::ErrorKind::NotFound
            {
                panic!("{}: {error}", path.display());
            }
        }
        for doc in &self.docs {
            let Some(path) = &doc.path else { continue };
            match doc.disk {
                Some(text) => std::fs::write(path, text).expect("a workspace file"),
                None => match std::fs::remove_file(path) {
                    Ok(()) => {}
                    Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
                    Err(error) => panic!("{}: {error}", path.display()),
                },
            }
        }
    }
}

fn file_uri(path: &Path) -> String {
    Uri::from_file_path(path).expect("an absolute path").as_str().to_owned()
}

/// What the client knows of an open document.
struct Open {
    version: i32,
    text: String,
}

/// One run of a script: a fresh server, and the client's view of it.
struct Run<'a> {
    fuzz: &'a ServerFuzz,
    client: Client,
    /// How many of the server's messages this run has handled.
    seen: usize,
    encoding: PositionEncoding,
    pull: bool,
    open: HashMap<usize, Open>,
    /// The latest diagnostics published per URI.
    published: HashMap<String, Vec<Value>>,
    completion_items: Vec<Value>,
    preview: u32,
    /// The workspace folder is a root: its files on disk are indexed.
    rooted: bool,
    /// What each document's file holds on disk now.
    disk: Vec<Option<String>>,
    /// What each document's file held on disk since the last settle: a set
    /// pushed for a closed file may be of any of them (the server sees a
    /// change on disk only when its event has waited out the debounce, and
    /// this client reads pushed sets late, when it next reads).
    disk_since_settle: Vec<Vec<String>>,
    /// The texts each open document had since the last settle, with their
    /// versions: a client may reopen a document under a version it used
    /// before, so a version names more than one text.
    versions_since_settle: HashMap<usize, Vec<(i32, String)>>,
}

impl Run<'_> {
    async fn script(fuzz: &ServerFuzz, script: Script) {
        let client = Client::in_process(article_lsp::server::ServeOptions::default());
        *client.configuration.lock().expect("the configuration") = json!({ "hoverPreviewLength": 300 });
        let mut run = Run {
            fuzz,
            client,
            seen: 0,
            encoding: PositionEncoding::Utf16,
            pull: script.pull,
            open: HashMap::new(),
            published: HashMap::new(),
            completion_items: Vec::new(),
            preview: 300,
            rooted: true,
            disk: fuzz.docs.iter().map(|doc| doc.disk.map(str::to_owned)).collect(),
            disk_since_settle: fuzz
                .docs
                .iter()
                .map(|doc| doc.disk.map(str::to_owned).into_iter().collect())
                .collect(),
            versions_since_settle: HashMap::new(),
        };
        run.initialize(script.offer).await;
        run.settle().await;
        for op in script.ops {
            run.op(op).await;
        }
        run.settle().await;
        run.check_settled().await;
        run.shutdown().await;
        run.notify("exit", Value::Null).await;
        assert!(run.client.wait_exit().await, "`shutdown` went unnoticed");
    }

    async fn initialize(&mut self, offer: Offer) {
        let encodings: &[&str] = match offer {
            Offer::Nothing => &[],
            Offer::Utf16 => &["utf-16"],
            Offer::Utf8 => &["utf-8"],
            Offer::Utf32ThenUtf8 => &["utf-32", "utf-8"],
        };
        let mut text_document = json!({});
        if self.pull {
            text_document = json!({ "diagnostic": { "dynamicRegistration": false } });
        }
        let folder = &self.fuzz.root;
        let params = json!({
            "processId": null,
            "rootUri": null,
            "capabilities": {
                "general": { "positionEncodings": encodings },
                "textDocument": text_document,
                "window": { "workDoneProgress": true },
                "workspace": {
                    "configuration": true,
                    "workspaceFolders": true,
                    "didChangeWatchedFiles": { "dynamicRegistration": true },
                    "diagnostics": { "refreshSupport": self.pull },
                },
            },
            "workspaceFolders": [{ "uri": file_uri(folder), "name": "fuzz" }],
        });
        let response = self.request("initialize", params).await;
        let capabilities = &response["result"]["capabilities"];
        assert!(capabilities.is_object(), "initialize failed: {response}");
        self.encoding = match capabilities["positionEncoding"].as_str() {
            Some("utf-8") => PositionEncoding::Utf8,
            Some("utf-32") => PositionEncoding::Utf32,
            _ => PositionEncoding::Utf16,
        };
        self.notify("initialized", json!({})).await;
    }

    /// `shutdown` is answered, and requests after it are refused.
    async fn shutdown(&mut self) {
        let response = self.request("shutdown", Value::Null).await;
        assert!(response.get("error").is_none(), "shutdown failed: {response}");
        let params =
            json!({ "textDocument": { "uri": self.uri(0) }, "position": { "line": 0, "character": 0 } });
        let response = self.request("textDocument/hover", params).await;
        assert_eq!(response["error"]["code"], INVALID_REQUEST, "a request after shutdown: {response}");
    }

    fn doc(&self, doc: u8) -> usize {
        usize::from(doc) % self.fuzz.docs.len()
    }

    fn uri(&self, doc: usize) -> &str {
        &self.fuzz.docs[doc].uri
    }

    /// The text the server should see for a document: the open one's, else
    /// the disk's.
    fn current_text(&self, doc: usize) -> Option<&str> {
        match self.open.get(&doc) {
            Some(open) => Some(&open.text),
            None => self.disk[doc].as_deref(),
        }
    }

    fn text(&self, text: Text) -> String {
        let article = |n: u8| super::article::FIXED[usize::from(n) % super::article::FIXED.len()].1;
        match text {
            Text::Article(n) => article(n).to_owned(),
            Text::Spliced { article: n, at, insert } => {
                let mut text = article(n).to_owned();
                let at = floor_char_boundary(&text, usize::from(at) % (text.len() + 1));
                text.insert_str(at, &insert);
                text
            }
            Text::Any(text) => text,
        }
    }

    fn position(&self, doc: usize, at: Pos) -> Value {
        self.position_in(self.current_text(doc).unwrap_or(""), at)
    }

    fn version(&self, doc: usize, version: Version) -> i32 {
        let current = self.open.get(&doc).map_or(0, |open| open.version);
        match version {
            Version::Next => current.saturating_add(1),
            Version::Same => current,
            Version::Older => current.saturating_sub(1),
            Version::Any(version) => version,
        }
    }

    async fn op(&mut self, op: Op) {
        if std::env::var_os(TRACE).is_some() {
            eprintln!("{op:?}");
        }
        match op {
            Op::Open { doc, version, text } => {
                let doc = self.doc(doc);
                let text = self.text(text);
                let document = json!({ "uri": self.uri(doc), "languageId": "markdown", "version": version, "text": text });
                self.notify("textDocument/didOpen", json!({ "textDocument": document })).await;
                self.versions_since_settle.entry(doc).or_default().push((version, text.clone()));
                self.open.insert(doc, Open { version, text });
                // A file opened outside every root makes its folder one (the
                // settings file marks it).
                self.rooted |= self.fuzz.docs[doc].uri.starts_with("file:");
            }
            Op::ChangeWhole { doc, version, text } => {
                let doc = self.doc(doc);
                let version = self.version(doc, version);
                let text = self.text(text);
                let changes = json!([{ "text": text }]);
                self.change(doc, version, changes, text).await;
            }
            Op::ChangeRanges { doc, version, edits } => {
                let doc = self.doc(doc);
                let version = self.version(doc, version);
                let mut text = self.current_text(doc).unwrap_or("").to_owned();
                let mut changes = Vec::new();
                // Each range is placed in the text as the edits before it left it.
                for edit in edits.iter().take(8) {
                    let (start, end) =
                        (self.position_in(&text, edit.start), self.position_in(&text, edit.end));
                    changes.push(json!({ "range": { "start": start, "end": end }, "text": edit.text }));
                    text = apply_change(&text, &start, &end, &edit.text, self.encoding);
                }
                self.change(doc, version, Value::Array(changes), text).await;
            }
            Op::Close { doc } => {
                let doc = self.doc(doc);
                self.notify("textDocument/didClose", json!({ "textDocument": { "uri": self.uri(doc) } }))
                    .await;
                self.open.remove(&doc);
            }
            Op::Save { doc, with_text } => {
                let doc = self.doc(doc);
                let mut params = json!({ "textDocument": { "uri": self.uri(doc) } });
                if with_text {
                    params["text"] = json!(self.current_text(doc).unwrap_or(""));
                }
                self.notify("textDocument/didSave", params).await;
            }
            Op::At { doc, request, at } => {
                let doc = self.doc(doc);
                let mut params =
                    json!({ "textDocument": { "uri": self.uri(doc) }, "position": self.position(doc, at) });
                let method = match request {
                    AtRequest::Hover => "textDocument/hover",
                    AtRequest::Definition => "textDocument/definition",
                    AtRequest::Completion => "textDocument/completion",
                    AtRequest::References { declaration } => {
                        params["context"] = json!({ "includeDeclaration": declaration });
                        "textDocument/references"
                    }
                    AtRequest::PrepareRename => "textDocument/prepareRename",
                };
                let response = self.request(method, params).await;
                self.check_answer(doc, &response["result"]);
                if matches!(request, AtRequest::Completion) {
                    self.completion_items =
                        response["result"]["items"].as_array().cloned().unwrap_or_default();
                }
            }
            Op::Rename { doc, at, name } => {
                let doc = self.doc(doc);
                let name = match name {
                    NewName::Title => "A title: renamed “here”".to_owned(),
                    NewName::Url => "/learn/sociology/questions/renamed".to_owned(),
                    NewName::Id => "4242".to_owned(),
                    NewName::TakenId => "87366".to_owned(),
                    NewName::Any(name) => name,
                };
                let params = json!({
                    "textDocument": { "uri": self.uri(doc) },
                    "position": self.position(doc, at),
                    "newName": name,
                });
                let response = self.request("textDocument/rename", params).await;
                self.check_answer(doc, &response["result"]);
            }
            Op::CodeAction { doc, start, end, only, with_diagnostics } => {
                let doc = self.doc(doc);
                let diagnostics = match with_diagnostics {
                    true => self.published.get(self.uri(doc)).cloned().unwrap_or_default(),
                    false => Vec::new(),
                };
                let mut context = json!({ "diagnostics": diagnostics });
                match only {
                    Only::Any => {}
                    Only::QuickFix => context["only"] = json!(["quickfix"]),
                    Only::FixAll => context["only"] = json!(["source.fixAll"]),
                    Only::Refactor => context["only"] = json!(["refactor"]),
                }
                let params = json!({
                    "textDocument": { "uri": self.uri(doc) },
                    "range": { "start": self.position(doc, start), "end": self.position(doc, end) },
                    "context": context,
                });
                let mut response = self.request("textDocument/codeAction", params).await;
                // The diagnostics an action resolves are the client's own, as
                // it sent them (published for a text that may since have
                // changed): they must be among those sent, and are not
                // positions the server claims in the current text.
                for action in response["result"].as_array_mut().into_iter().flatten() {
                    let Some(resolved) =
                        action.as_object_mut().and_then(|action| action.remove("diagnostics"))
                    else {
                        continue;
                    };
                    for diagnostic in resolved.as_array().into_iter().flatten() {
                        assert!(
                            diagnostics.contains(diagnostic),
                            "a code action resolves {diagnostic}, not sent"
                        );
                    }
                }
                self.check_answer(doc, &response["result"]);
            }
            Op::Document { doc, request } => {
                let doc = self.doc(doc);
                let method = match request {
                    DocumentRequest::Symbols => "textDocument/documentSymbol",
                    DocumentRequest::CodeLens => "textDocument/codeLens",
                    DocumentRequest::Links => "textDocument/documentLink",
                    DocumentRequest::SemanticTokens => "textDocument/semanticTokens/full",
                };
                let response =
                    self.request(method, json!({ "textDocument": { "uri": self.uri(doc) } })).await;
                self.check_answer(doc, &response["result"]);
            }
            Op::WorkspaceSymbol { query } => {
                self.request("workspace/symbol", json!({ "query": query })).await;
            }
            Op::ResolveCompletion { item } => {
                if !self.completion_items.is_empty() {
                    let item = self.completion_items[usize::from(item) % self.completion_items.len()].clone();
                    self.request("completionItem/resolve", item).await;
                }
            }
            Op::Pull { doc } => {
                let doc = self.doc(doc);
                let found = self.pull(doc).await;
                // Only an open document's pull is computed from its text; a
                // closed one's comes from the index, which catches up with its
                // close after the debounce.
                let Some(Open { text, .. }) = self.open.get(&doc) else { return };
                let local = |d: &&Value| LOCAL_CODES.iter().any(|code| d["code"] == code.as_str());
                let got = comparable(found.iter().filter(local));
                let want = self.expected(&ArticleIndex::new(), self.uri(doc), text);
                let want: Vec<_> =
                    want.into_iter().filter(|d| LOCAL_CODES.iter().any(|c| c.as_str() == d.0)).collect();
                assert_eq!(
                    got,
                    want,
                    "pulled diagnostics of {} differ from the text's own:\n{text}",
                    self.uri(doc)
                );
            }
            Op::Watched { doc, kind } => {
                let (uri, kind) = match usize::from(doc) % (self.fuzz.docs.len() + 1) {
                    doc if doc < self.fuzz.docs.len() && kind >= REWRITE => {
                        let Some(kind) = self.rewrite(doc, kind - REWRITE) else { return };
                        (self.uri(doc).to_owned(), kind)
                    }
                    doc if doc < self.fuzz.docs.len() => (self.uri(doc).to_owned(), kind % 3 + 1),
                    _ if kind >= REWRITE => self.rewrite_shadow(kind - REWRITE),
                    _ => (file_uri(&self.fuzz.root.join(SETTINGS)), kind % 3 + 1),
                };
                let change = json!({ "uri": uri, "type": kind });
                self.notify("workspace/didChangeWatchedFiles", json!({ "changes": [change] })).await;
            }
            Op::Configure { preview } => {
                let settings = match preview {
                    Some(preview) => json!({ "articleLsp": { "hoverPreviewLength": preview } }),
                    None => Value::Null,
                };
                self.preview = preview.unwrap_or(self.preview);
                *self.client.configuration.lock().expect("the configuration") =
                    json!({ "hoverPreviewLength": self.preview });
                self.notify("workspace/didChangeConfiguration", json!({ "settings": settings })).await;
            }
            Op::Folder { remove } => {
                let folder = json!([{ "uri": file_uri(&self.fuzz.root), "name": "fuzz" }]);
                let event = match remove {
                    true => json!({ "added": [], "removed": folder }),
                    false => json!({ "added": folder, "removed": [] }),
                };
                self.notify("workspace/didChangeWorkspaceFolders", json!({ "event": event })).await;
                self.rooted = !remove;
            }
            Op::Junk { body } => {
                if !matches!(serde_json::from_str::<Value>(&body), Ok(Value::Object(_))) {
                    self.client.send_raw(&body).await;
                }
            }
            Op::Settle => self.settle().await,
        }
    }

    /// Rewrites `doc`'s file on disk with the fixed article `which` (or
    /// deletes it, past them); returns the kind of file event that is.
    fn rewrite(&mut self, doc: usize, which: u8) -> Option<u8> {
        const CREATED: u8 = 1;
        const CHANGED: u8 = 2;
        const DELETED: u8 = 3;
        let path = self.fuzz.docs[doc].path.as_ref()?;
        let fixed = super::article::FIXED;
        let existed = self.disk[doc].is_some();
        match fixed.get(usize::from(which) % (fixed.len() + 1)) {
            Some((_, text)) => {
                std::fs::write(path, text).expect("a workspace file is written");
                self.disk[doc] = Some((*text).to_owned());
                self.disk_since_settle[doc].push((*text).to_owned());
                Some(if existed { CHANGED } else { CREATED })
            }
            None => {
                if existed {
                    std::fs::remove_file(path).expect("a workspace file is deleted");
                }
                self.disk[doc] = None;
                Some(DELETED)
            }
        }
    }

    /// Rewrites, deletes, or deletes the folder of one of the [`SHADOWS`];
    /// returns the event for it (a deleted folder is one event, as VS Code
    /// sends it).
    fn rewrite_shadow(&mut self, which: u8) -> (String, u8) {
        let fixed = super::article::FIXED;
        let path = self.fuzz.root.join(SHADOWS[usize::from(which) % SHADOWS.len()]);
        let existed = path.exists();
        match fixed.get(usize::from(which) / SHADOWS.len() % (fixed.len() + 2)) {
            Some((_, text)) => {
                let folder = path.parent().expect("a shadow is under the root");
                std::fs::create_dir_all(folder).expect("a shadow's folder");
                std::fs::write(&path, text).expect("a shadow is written");
                (file_uri(&path), if existed { 2 } else { 1 })
            }
            None => {
                let folder = path.parent().filter(|folder| *folder != self.fuzz.root && folder.exists());
                match folder {
                    Some(folder) if (usize::from(which) / SHADOWS.len()).is_multiple_of(2) => {
                        std::fs::remove_dir_all(folder).expect("a shadow's folder is deleted");
                        (file_uri(folder), 3)
                    }
                    _ => {
                        if existed {
                            std::fs::remove_file(&path).expect("a shadow is deleted");
                        }
                        (file_uri(&path), 3)
                    }
                }
            }
        }
    }

    fn position_in(&self, text: &str, at: Pos) -> Value {
        match at {
            Pos::Near { offset, nudge } => {
                let offset = usize::from(offset) % (text.len() + 1);
                let at = LineIndex::new(text).line_col(offset, self.encoding);
                json!({ "line": at.line, "character": at.col + u32::from(nudge % 4) })
            }
            Pos::Raw { line, character } => json!({ "line": line, "character": character }),
        }
    }

    /// Sends a `didChange`; the mirror takes `edited` only when the server
    /// must accept it (the document is open and the version is newer).
    async fn change(&mut self, doc: usize, version: i32, changes: Value, edited: String) {
        let params = json!({ "textDocument": { "uri": self.uri(doc), "version": version }, "contentChanges": changes });
        self.notify("textDocument/didChange", params).await;
        if let Some(open) = self.open.get(&doc)
            && version > open.version
        {
            self.versions_since_settle.entry(doc).or_default().push((version, edited.clone()));
            self.open.insert(doc, Open { version, text: edited });
        }
    }

    async fn pull(&mut self, doc: usize) -> Vec<Value> {
        let params = json!({ "textDocument": { "uri": self.uri(doc) } });
        let response = self.request("textDocument/diagnostic", params).await;
        assert_eq!(response["result"]["kind"], "full", "a pull answered {response}");
        response["result"]["items"].as_array().cloned().unwrap_or_default()
    }

    /// Every file's diagnostics, as the client has them (published, or
    /// pulled for open documents when the client pulls), equal those of an
    /// index built afresh, as `check` builds it, from the files `check`
    /// would read (while the folder is a root), with the open documents'
    /// texts over them. The files it would not read have no diagnostics.
    async fn check_settled(&mut self) {
        let mut texts: Vec<Option<String>> = self.fuzz.docs.iter().map(|_| None).collect();
        if self.rooted {
            let listed = article_workspace::walk::list_files(
                std::slice::from_ref(&self.fuzz.root),
                &Default::default(),
            )
            .expect("the workspace folder is listed")
            .files;
            for file in listed.iter().map(|file| file.on_disk()) {
                let doc = self.fuzz.docs.iter().position(|doc| doc.path.as_deref() == Some(file));
                let doc = doc
                    .unwrap_or_else(|| panic!("check would read {}, which is no document", file.display()));
                texts[doc] = article_workspace::files::read_text(file).ok();
            }
        }
        for (doc, open) in &self.open {
            texts[*doc] = Some(open.text.clone());
        }
        let mut index = ArticleIndex::new();
        let uris: Vec<String> = self.fuzz.docs.iter().map(|doc| doc.uri.clone()).collect();
        for (uri, text) in uris.iter().zip(&texts) {
            if let Some(text) = text
                && let Some(article) = parse_article(text)
            {
                index.upsert(FilePath::new(uri.as_str()), ArticleSummary::of(&article), LineIndex::new(text));
            }
        }
        for (doc, uri) in uris.iter().enumerate() {
            let text = texts[doc].clone().unwrap_or_default();
            let mut want = self.expected(&index, uri, &text);
            // Outside every root, only what the file alone says is shown.
            let loose = !self.rooted || !uri.starts_with("file:");
            if loose {
                want.retain(|(code, ..)| {
                    DiagnosticCode::from_name(code).is_some_and(|code| !code.depends_on_other_files())
                });
            }
            let pulled = self.pull && self.open.contains_key(&doc);
            let got = if pulled {
                let found = self.pull(doc).await;
                let published = self.published.get(uri).map_or(0, Vec::len);
                assert_eq!(published, 0, "diagnostics of {uri} were pushed to a client that pulls");
                comparable(found.iter())
            } else {
                comparable(self.published.get(uri).into_iter().flatten())
            };
            let how = if pulled { "pulled" } else { "published" };
            assert_eq!(got, want, "{how} diagnostics of {uri} differ from a fresh analysis:\n{text}");
        }
        for shadow in SHADOWS {
            let uri = file_uri(&self.fuzz.root.join(shadow));
            let published = self.published.get(&uri).map_or(0, Vec::len);
            assert_eq!(published, 0, "{uri}, which the scan does not read, has diagnostics");
        }
    }

    /// What a fresh analysis says of `text` as the document `uri`, beside
    /// the other articles of `index`, in the client's encoding.
    fn expected(&self, index: &ArticleIndex, uri: &str, text: &str) -> Vec<(String, [u32; 4], i64)> {
        let Some(article) = parse_article(text) else { return Vec::new() };
        let mut index = index.clone();
        let line_index = LineIndex::new(text);
        let file = index.upsert(FilePath::new(uri), ArticleSummary::of(&article), line_index.clone());
        let found = article_diagnostics(&index, file);
        let mut out: Vec<_> = found
            .iter()
            .map(|d| {
                let start = line_index.line_col(d.range.start().into(), self.encoding);
                let end = line_index.line_col(d.range.end().into(), self.encoding);
                let severity = match d.severity {
                    article_core::diagnostics::Severity::Error => 1,
                    article_core::diagnostics::Severity::Warning => 2,
                    article_core::diagnostics::Severity::Information => 3,
                    article_core::diagnostics::Severity::Hint => 4,
                };
                (d.code.as_str().to_owned(), [start.line, start.col, end.line, end.col], severity)
            })
            .collect();
        out.sort();
        out
    }

    /// Ranges in the answer that name the document asked about are valid
    /// positions of its current text; workspace edits fit every file.
    fn check_answer(&self, doc: usize, result: &Value) {
        let uri = self.uri(doc).to_owned();
        self.walk(result, &uri, "the answer");
    }

    fn walk(&self, value: &Value, uri: &str, path: &str) {
        match value {
            Value::Array(items) => items.iter().for_each(|item| self.walk(item, uri, path)),
            Value::Object(object) => {
                if let Some(Value::Array(edits)) = object.get("edits")
                    && let Some(document) = object.get("textDocument")
                {
                    self.check_document_edit(document, edits);
                    return;
                }
                // Locations in other files use the index's view of them, which
                // may lag behind their edits; only this document's are exact.
                if object.get("uri").is_some_and(|other| other != uri) {
                    return;
                }
                for (key, field) in object {
                    let is_range = matches!(key.as_str(), "range" | "selectionRange" | "targetRange");
                    if is_range && let Some(text) = self.text_by_uri(uri) {
                        check_range(text, field, self.encoding, &format!("{path}.{key} in {uri}"));
                    } else {
                        self.walk(field, uri, path);
                    }
                }
            }
            _ => {}
        }
    }

    fn text_by_uri(&self, uri: &str) -> Option<&str> {
        let doc = self.fuzz.docs.iter().position(|doc| doc.uri == uri)?;
        self.current_text(doc)
    }

    /// A document's edits fit its current text, do not overlap, and carry
    /// its version when it is open (so that unsaved work is never overwritten).
    fn check_document_edit(&self, document: &Value, edits: &[Value]) {
        let uri = document["uri"].as_str().unwrap_or_default();
        let Some(doc) = self.fuzz.docs.iter().position(|doc| doc.uri == uri) else {
            panic!("an edit to a file the workspace does not have: {uri}");
        };
        let expected_version = self.open.get(&doc).map_or(Value::Null, |open| json!(open.version));
        assert_eq!(document["version"], expected_version, "the version of an edit to {uri}");
        let text = self.current_text(doc).unwrap_or("");
        let line_index = LineIndex::new(text);
        let mut spans = Vec::new();
        for edit in edits {
            check_range(text, &edit["range"], self.encoding, &format!("an edit to {uri}"));
            let start = offset_of(&line_index, &edit["range"]["start"], self.encoding);
            let end = offset_of(&line_index, &edit["range"]["end"], self.encoding);
            spans.push((start, end));
        }
        spans.sort();
        for pair in spans.windows(2) {
            assert!(pair[0].1 <= pair[1].0, "overlapping edits to {uri}: {edits:?}");
        }
    }

    async fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.client.send_request(method, params).await;
        let answer = timeout(ANSWER, async {
            loop {
                let message = self.client.next_message(&mut self.seen).await;
                let message = message.expect("the server answers before it closes");
                if message.get("method").is_none() && message["id"] == id {
                    return message;
                }
                self.handle(message);
            }
        })
        .await;
        let response = answer.unwrap_or_else(|_| panic!("no answer to `{method}`"));
        assert_ne!(response["error"]["code"], INTERNAL_ERROR, "`{method}` failed: {response}");
        response
    }

    async fn notify(&mut self, method: &str, params: Value) {
        self.client.notify(method, params).await;
    }

    /// Checks a set the server pushed against the texts the document had
    /// (the client answers the server's requests itself).
    fn handle(&mut self, message: Value) {
        if message["method"] == "textDocument/publishDiagnostics" {
            let params = &message["params"];
            let uri = params["uri"].as_str().unwrap_or_default().to_owned();
            if let Some(doc) = self.fuzz.docs.iter().position(|doc| doc.uri == uri)
                && let Some(text) = self.current_text(doc)
            {
                // Pushed sets may be older than the text, but never outside a text
                // the document had: those of the current version must fit a text
                // it had under that version since the last settle, and those of
                // a closed file (no version: a set with one is of
                // a text the editor had before closing it) one of the texts it
                // had on disk since the last settle.
                let current = self.open.get(&doc).map(|open| json!(open.version));
                let diagnostics = params["diagnostics"].as_array().cloned().unwrap_or_default();
                let ranges = || diagnostics.iter().map(|diagnostic| &diagnostic["range"]);
                let what = format!("a diagnostic of {uri}");
                if current.is_none() && params["version"].is_null() {
                    let earlier = &self.disk_since_settle[doc];
                    let fits_earlier = earlier
                        .iter()
                        .any(|text| ranges().all(|range| range_fits(text, range, self.encoding)));
                    if !fits_earlier {
                        for range in ranges() {
                            check_range(text, range, self.encoding, &what);
                        }
                    }
                } else if current.is_some() && params.get("version") == current.as_ref() {
                    // The same version may have named other texts before
                    // (a document reopened under it).
                    let set_version = params["version"].as_i64();
                    let fits_one =
                        self.versions_since_settle.get(&doc).into_iter().flatten().any(|(version, text)| {
                            set_version == Some(i64::from(*version))
                                && ranges().all(|range| range_fits(text, range, self.encoding))
                        });
                    if !fits_one {
                        for range in ranges() {
                            check_range(text, range, self.encoding, &what);
                        }
                    }
                }
            }
            let diagnostics = params["diagnostics"].as_array().cloned().unwrap_or_default();
            self.published.insert(uri, diagnostics);
        }
    }

    /// Lets the server work until it goes quiet, answering what it asks.
    async fn settle(&mut self) {
        let deadline = Instant::now() + SETTLE;
        loop {
            tokio::select! {
                message = self.client.next_message(&mut self.seen) => match message {
                    Some(message) => self.handle(message),
                    None => panic!("the server closed the connection"),
                },
                () = sleep_until(deadline) => break,
            }
        }
        // Settled: what is pushed from now on is of the files as they are.
        for (earlier, now) in self.disk_since_settle.iter_mut().zip(&self.disk) {
            earlier.clear();
            earlier.extend(now.clone());
        }
        self.versions_since_settle =
            self.open.iter().map(|(doc, open)| (*doc, vec![(open.version, open.text.clone())])).collect();
    }
}

/// Diagnostics as comparable tuples: code, range, severity.
fn comparable<'v>(diagnostics: impl Iterator<Item = &'v Value>) -> Vec<(String, [u32; 4], i64)> {
    let number = |value: &Value| u32::try_from(value.as_u64().unwrap_or(u64::MAX)).unwrap_or(u32::MAX);
    let mut out: Vec<_> = diagnostics
        .map(|d| {
            let range = &d["range"];
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                [
                    number(&range["start"]["line"]),
                    number(&range["start"]["character"]),
                    number(&range["end"]["line"]),
                    number(&range["end"]["character"]),
                ],
                d["severity"].as_i64().unwrap_or_default(),
            )
        })
        .collect();
    out.sort();
    out
}

fn line_col(value: &Value) -> Option<LineCol> {
    let line = u32::try_from(value["line"].as_u64()?).ok()?;
    let col = u32::try_from(value["character"].as_u64()?).ok()?;
    Some(LineCol::new(line, col))
}

fn offset_of(line_index: &LineIndex, value: &Value, encoding: PositionEncoding) -> usize {
    line_col(value).map_or(usize::MAX, |at| line_index.offset(at, encoding))
}

/// A range whose ends are exact positions of `text` (on a line it has, at a
/// character boundary within the line), start before end.
#[track_caller]
/// Whether `range` is a range of `text` (what [`check_range`] asserts).
fn range_fits(text: &str, range: &Value, encoding: PositionEncoding) -> bool {
    let line_index = LineIndex::new(text);
    let offsets: Option<Vec<usize>> = ["start", "end"]
        .into_iter()
        .map(|end| {
            let at = line_col(&range[end])?;
            let offset = line_index.offset(at, encoding);
            (line_index.line_col(offset, encoding) == at).then_some(offset)
        })
        .collect();
    offsets.is_some_and(|offsets| offsets[0] <= offsets[1])
}

fn check_range(text: &str, range: &Value, encoding: PositionEncoding, what: &str) {
    let line_index = LineIndex::new(text);
    let mut offsets = [0; 2];
    for (n, end) in ["start", "end"].into_iter().enumerate() {
        let Some(at) = line_col(&range[end]) else { panic!("{what}: no position in {range}") };
        let offset = line_index.offset(at, encoding);
        assert_eq!(
            line_index.line_col(offset, encoding),
            at,
            "{what}: {range} is not a position of the text:\n{text}"
        );
        offsets[n] = offset;
    }
    assert!(offsets[0] <= offsets[1], "{what}: {range} ends before it starts");
}

/// The mirror's `didChange`, by the rules the server follows: positions
/// clamp into the text and floor to a character, a reversed range is the
/// span between its ends.
fn apply_change(
    text: &str,
    start: &Value,
    end: &Value,
    new_text: &str,
    encoding: PositionEncoding,
) -> String {
    let line_index = LineIndex::new(text);
    let (start, end) = (offset_of(&line_index, start, encoding), offset_of(&line_index, end, encoding));
    let (start, end) = (start.min(end).min(text.len()), start.max(end).min(text.len()));
    let mut out = String::with_capacity(text.len() + new_text.len());
    out.push_str(&text[..start]);
    out.push_str(new_text);
    out.push_str(&text[end..]);
    out
}
