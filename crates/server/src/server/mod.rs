//! The language server: thin glue that converts between LSP and the core,
//! owns the state and schedules work.
//!
//! A change flows like this: a notification handler queues a [`Change`]
//! (before any `.await`, so changes queue in arrival order); the analysis
//! loop ([`publish`]) owns the open documents and the index: it applies an
//! editor's change at once (the document's text, parsed once, and its
//! summary in the index), stores the new snapshot, and 50 ms after the last
//! edit rechecks the files it may affect and publishes the diagnostic sets
//! that differ from what the client has. Requests read the snapshot that
//! holds every editor change sent before them.

mod convert;
mod disk;
mod documents;
mod features;
mod framing;
mod guard;
mod publish;
mod scan;
mod scan_end;
mod session;
mod state;
mod watch;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use self::publish::Change;
use self::state::{Snapshot, StateCell, Workspace};
use article_core::index::FilePath;
use article_core::line_index::PositionEncoding;

/// How a server is set up beyond what the client says.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    /// Where the persistent index cache is kept; `None` keeps none.
    pub cache_dir: Option<PathBuf>,
    /// At most this many folders are watched by the system's watcher (when
    /// the server watches folders itself), as if that were the system's
    /// limit; `None`: the system's own limit.
    pub watch_limit: Option<usize>,
}

/// Serves LSP on `input`/`output` until `exit` or the end of input, without
/// an index cache. Returns whether `shutdown` came first (the exit status
/// depends on it).
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite,
{
    serve_with(input, output, ServeOptions::default()).await
}

/// [`serve`], with options.
pub async fn serve_with<I, O>(input: I, output: O, options: ServeOptions) -> bool
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite,
{
    let (checked_input, server_input) = tokio::io::duplex(1 << 16);
    tokio::spawn(framing::sanitize(input, checked_input));
    let (outgoing, notifier, frames) = framing::outgoing();
    let ending = notifier.clone();
    let (service, socket) = LspService::new(move |client| Backend::new(client, notifier, options));
    let shutdown = Arc::new(AtomicBool::new(false));
    let service = guard::Guard::new(service, shutdown.clone());
    let serving = async move {
        Server::new(server_input, outgoing, socket).serve(service).await;
        // What was queued before `exit` still goes out.
        ending.end();
    };
    let output = std::pin::pin!(output);
    tokio::join!(serving, framing::write_out(frames, output));
    shutdown.load(Ordering::SeqCst)
}

/// Serves on stdin/stdout, on a runtime of its own, with the index cache in
/// the user's cache directory.
pub fn run_stdio() -> std::io::Result<bool> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let options = ServeOptions { cache_dir: article_workspace::cache::default_dir(), watch_limit: None };
    let shutdown_requested = runtime.block_on(serve_with(tokio::io::stdin(), tokio::io::stdout(), options));
    // Reading stdin blocks a thread that nothing can interrupt: after `exit`,
    // waiting for it would keep the process alive until the client closes
    // the pipe, so the runtime is not waited for.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(shutdown_requested)
}

/// Locks, recovering from poisoning: a panicking handler must not take the
/// state down with it (every writer leaves it consistent between statements).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// What was agreed at `initialize`.
#[derive(Clone, Copy, Debug)]
struct Session {
    encoding: PositionEncoding,
    /// The client pulls diagnostics, so open documents' sets are not pushed.
    pull_diagnostics: bool,
    diagnostic_refresh: bool,
    watch_registration: bool,
    work_done_progress: bool,
    configuration_requests: bool,
}

const DEFAULT_SESSION: Session = Session {
    encoding: PositionEncoding::Utf16,
    pull_diagnostics: false,
    diagnostic_refresh: false,
    watch_registration: false,
    work_done_progress: false,
    configuration_requests: false,
};

impl Session {
    fn from_capabilities(capabilities: &ClientCapabilities) -> Session {
        let workspace = capabilities.workspace.as_ref();
        let diagnostic_refresh =
            workspace.and_then(|w| w.diagnostics.as_ref()).and_then(|d| d.refresh_support).unwrap_or(false);
        Session {
            encoding: convert::negotiate_encoding(capabilities),
            // Pulling works only if the server can ask for a new pull when a
            // change elsewhere alters an open file's diagnostics; clients that
            // cannot be asked (Neovim 0.11) get them pushed instead.
            pull_diagnostics: capabilities
                .text_document
                .as_ref()
                .is_some_and(|text| text.diagnostic.is_some())
                && diagnostic_refresh,
            diagnostic_refresh,
            watch_registration: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|w| w.dynamic_registration)
                .unwrap_or(false),
            work_done_progress: capabilities
                .window
                .as_ref()
                .and_then(|w| w.work_done_progress)
                .unwrap_or(false),
            configuration_requests: workspace.and_then(|w| w.configuration).unwrap_or(false),
        }
    }
}

/// State shared by the handlers, the analysis task, scans and watchers.
pub(crate) struct Shared {
    client: Client,
    /// Notifications written to the client directly (diagnostics).
    notifier: framing::Notifier,
    /// The index and the open documents, as the analysis loop last stored
    /// them.
    state: StateCell,
    /// How many editor notifications (opened, edited, closed) were queued:
    /// a request waits for the snapshot that holds them all.
    editor_events_sent: AtomicU64,
    changes: mpsc::UnboundedSender<Change>,
    session: OnceLock<Session>,
    watcher: Mutex<Option<watch::FolderWatcher>>,
    watch_limit: Option<usize>,
    /// Scans under way, from their start until the analysis has stored the
    /// index holding what they read: until then an article missing from
    /// the index may merely not be read yet.
    scans_running: std::sync::atomic::AtomicUsize,
    /// When the oldest editor change (a document opened, edited, closed)
    /// the analysis has not taken was sent.
    first_waiting_edit: Mutex<Option<std::time::Instant>>,
    cache_dir: Option<PathBuf>,
    /// Held while the index cache is written.
    cache_write: tokio::sync::Mutex<()>,
}

/// How long `shutdown` waits for a cache being written.
const CACHE_WRITE_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

impl Shared {
    fn session(&self) -> Session {
        self.session.get().copied().unwrap_or(DEFAULT_SESSION)
    }

    fn workspace(&self) -> Arc<Workspace> {
        self.state.workspace()
    }

    fn send(&self, change: Change) {
        if change.is_editors() {
            // Noted before it is queued: a round under way sees that an
            // edit waits and ends before the edit is due. Its debounce runs
            // from now, not from when a busy analysis task gets to read it.
            lock(&self.first_waiting_edit).get_or_insert_with(std::time::Instant::now);
            self.editor_events_sent.fetch_add(1, Ordering::SeqCst);
        }
        // Fails only once the analysis task is gone, i.e. at exit.
        let _ = self.changes.send(change);
    }

    /// The snapshot a request reads: it holds every editor change sent
    /// before the request (the loop applies them as they come, so this
    /// waits only while a step of other work ends).
    async fn snapshot(&self) -> Arc<Snapshot> {
        let sent = self.editor_events_sent.load(Ordering::SeqCst);
        let snapshot = self.state.holding(sent).await;
        tracing::trace!(
            "a request reads the snapshot of {} editor changes, {sent} sent",
            snapshot.editor_events
        );
        snapshot
    }

    /// How the client names `path`: its own URI for open documents.
    fn uri_of(&self, path: &FilePath) -> Option<Uri> {
        state::uri_in(&self.state.snapshot().documents, path)
    }

    /// Shows `message` to the writer (and logs it).
    fn warn(&self, message: String) {
        tracing::warn!("{message}");
        let message = format!("article-lsp: {message}");
        self.notifier
            .notify::<notification::ShowMessage>(ShowMessageParams { typ: MessageType::WARNING, message });
    }
}

/// The editor's `articleLsp` settings, whether sent whole or as the section.
fn editor_section(value: Option<serde_json::Value>) -> Option<serde_json::Value> {
    match value? {
        serde_json::Value::Object(mut object) if object.contains_key("articleLsp") => {
            object.remove("articleLsp")
        }
        serde_json::Value::Null => None,
        other => Some(other),
    }
}

/// LSP's `RequestFailed`: the request was understood but cannot be done
/// (a rename to an id already taken); the message says why.
fn request_failed(message: String) -> tower_lsp_server::jsonrpc::Error {
    tower_lsp_server::jsonrpc::Error {
        code: tower_lsp_server::jsonrpc::ErrorCode::ServerError(-32803),
        message: message.into(),
        data: None,
    }
}

pub struct Backend {
    shared: Arc<Shared>,
}

impl Backend {
    fn new(client: Client, notifier: framing::Notifier, options: ServeOptions) -> Backend {
        let (changes, receiver) = mpsc::unbounded_channel();
        let shared = Arc::new(Shared {
            client,
            notifier,
            state: StateCell::default(),
            editor_events_sent: AtomicU64::new(0),
            changes,
            session: OnceLock::new(),
            watcher: Mutex::new(None),
            watch_limit: options.watch_limit,
            scans_running: std::sync::atomic::AtomicUsize::new(0),
            first_waiting_edit: Mutex::new(None),
            cache_dir: options.cache_dir,
            cache_write: tokio::sync::Mutex::new(()),
        });
        // The task holds the state weakly, so it ends when the service does.
        tokio::spawn(publish::run(Arc::downgrade(&shared), receiver));
        Backend { shared }
    }

    fn capabilities(session: Session) -> ServerCapabilities {
        let encoding = session.encoding;
        ServerCapabilities {
            position_encoding: Some(convert::encoding_kind(encoding)),
            text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                ..TextDocumentSyncOptions::default()
            })),
            // Offered only to clients that pull: others would show every
            // problem twice, pushed and pulled.
            diagnostic_provider: session.pull_diagnostics.then(|| {
                DiagnosticServerCapabilities::Options(DiagnosticOptions {
                    identifier: Some(convert::SOURCE.to_owned()),
                    inter_file_dependencies: true,
                    workspace_diagnostics: false,
                    ..DiagnosticOptions::default()
                })
            }),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some([":", " ", "/"].map(str::to_owned).to_vec()),
                resolve_provider: Some(true),
                ..CompletionOptions::default()
            }),
            definition_provider: Some(OneOf::Left(true)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            references_provider: Some(OneOf::Left(true)),
            code_lens_provider: Some(CodeLensOptions { resolve_provider: Some(false) }),
            document_link_provider: Some(DocumentLinkOptions {
                resolve_provider: Some(false),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            }),
            workspace_symbol_provider: Some(OneOf::Left(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            rename_provider: Some(OneOf::Right(RenameOptions {
                prepare_provider: Some(true),
                work_done_progress_options: WorkDoneProgressOptions::default(),
            })),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::SOURCE_FIX_ALL,
                    CodeActionKind::REFACTOR_REWRITE,
                ]),
                resolve_provider: Some(false),
                ..CodeActionOptions::default()
            })),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..ServerCapabilities::default()
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let session = Session::from_capabilities(&params.capabilities);
        let _ = self.shared.session.set(session);
        #[allow(deprecated)] // root_uri is still what clients without folders send.
        let folders: Vec<Uri> = match params.workspace_folders {
            Some(folders) if !folders.is_empty() => folders.into_iter().map(|folder| folder.uri).collect(),
            _ => params.root_uri.into_iter().collect(),
        };
        // The loop takes the settings, then the folders (they read the
        // settings files under the editor's settings); it scans them once
        // the client says it is `initialized`.
        self.shared.send(Change::Settings(editor_section(params.initialization_options)));
        let added = folders.iter().filter_map(convert::local_path).collect();
        self.shared.send(Change::Folders { added, removed: Vec::new() });
        // Before any scan uses the cache directory: what killed writers left.
        if let Some(dir) = self.shared.cache_dir.clone() {
            let _ =
                tokio::task::spawn_blocking(move || article_workspace::cache::remove_leftovers(&dir)).await;
        }
        Ok(InitializeResult {
            capabilities: Self::capabilities(session),
            server_info: Some(ServerInfo {
                name: "article-lsp".to_owned(),
                version: Some(env!("CARGO_PKG_VERSION").to_owned()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        // The scans are queued before anything else can run, so that
        // documents opened next are diagnosed against the whole workspace.
        self.shared.send(Change::Initialized);
    }

    async fn shutdown(&self) -> Result<()> {
        // A cache being written is finished (it takes a second or two at
        // 100,000 articles), so that the next start finds it.
        let finished = tokio::time::timeout(CACHE_WRITE_GRACE, self.shared.cache_write.lock()).await;
        if finished.is_err() {
            tracing::warn!("shutting down while the index cache is still being written");
        }
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let document = params.text_document;
        let path = convert::file_path(&document.uri);
        self.shared.send(Change::Opened {
            path,
            uri: document.uri,
            version: document.version,
            text: document.text,
        });
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let document = params.text_document;
        let path = convert::file_path(&document.uri);
        self.shared.send(Change::Edited { path, version: document.version, changes: params.content_changes });
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        // The open text already is what was saved; the disk matters again
        // only once the document is closed.
        tracing::debug!("saved {}", params.text_document.uri.as_str());
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.shared.send(Change::Closed(convert::file_path(&params.text_document.uri)));
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let workspace = self.shared.workspace();
        for event in params.changes {
            if let Some(path) = convert::local_path(&event.uri)
                && disk::may_matter(&workspace, &path)
            {
                self.shared.send(watch::classify(path));
            }
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let mut editor = editor_section(Some(params.settings));
        if editor.is_none() && self.shared.session().configuration_requests {
            let item = ConfigurationItem { scope_uri: None, section: Some("articleLsp".to_owned()) };
            editor = self.shared.client.configuration(vec![item]).await.ok().and_then(|mut values| {
                (!values.is_empty()).then(|| values.swap_remove(0)).filter(|value| !value.is_null())
            });
        }
        self.shared.send(Change::Settings(Some(editor.unwrap_or(serde_json::Value::Null))));
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        let local = |folders: Vec<WorkspaceFolder>| -> Vec<PathBuf> {
            folders.iter().filter_map(|folder| convert::local_path(&folder.uri)).collect()
        };
        let (added, removed) = (local(params.event.added), local(params.event.removed));
        self.shared.send(Change::Folders { added, removed });
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        Ok(features::completion(&self.shared, &self.shared.snapshot().await, params))
    }

    async fn completion_resolve(&self, item: CompletionItem) -> Result<CompletionItem> {
        Ok(features::resolve_completion(&self.shared.snapshot().await, item))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        Ok(features::definition(&self.shared, &self.shared.snapshot().await, params))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        Ok(features::hover_info(&self.shared, &self.shared.snapshot().await, params))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        Ok(features::find_references(&self.shared, &self.shared.snapshot().await, params))
    }

    async fn code_lens(&self, params: CodeLensParams) -> Result<Option<Vec<CodeLens>>> {
        Ok(features::code_lens(&self.shared, &self.shared.snapshot().await, params))
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        Ok(features::links(&self.shared, &self.shared.snapshot().await, params))
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        Ok(features::symbols_in_workspace(&self.shared, &self.shared.snapshot().await, params))
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        Ok(features::outline(&self.shared, &self.shared.snapshot().await, params))
    }

    async fn prepare_rename(
        &self,
        params: TextDocumentPositionParams,
    ) -> Result<Option<PrepareRenameResponse>> {
        features::can_rename(&self.shared, &self.shared.snapshot().await, params).map_err(request_failed)
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        features::rename_edit(&self.shared, &self.shared.snapshot().await, params).map_err(request_failed)
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        Ok(features::actions(&self.shared, &self.shared.snapshot().await, params))
    }

    async fn diagnostic(&self, params: DocumentDiagnosticParams) -> Result<DocumentDiagnosticReportResult> {
        let path = convert::file_path(&params.text_document.uri);
        let shared = self.shared.clone();
        let snapshot = self.shared.snapshot().await;
        let items = tokio::task::spawn_blocking(move || publish::pull(&shared, &snapshot, &path))
            .await
            .map_err(|error| tower_lsp_server::jsonrpc::Error {
                code: tower_lsp_server::jsonrpc::ErrorCode::InternalError,
                message: format!("diagnostics failed: {error}").into(),
                data: None,
            })?;
        Ok(DocumentDiagnosticReportResult::Report(DocumentDiagnosticReport::Full(
            RelatedFullDocumentDiagnosticReport {
                related_documents: None,
                full_document_diagnostic_report: FullDocumentDiagnosticReport { result_id: None, items },
            },
        )))
    }
}
