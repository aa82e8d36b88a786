//! The protocol's side of the server: each notification becomes an event
//! for the loop (queued before any `.await`, so events keep their order),
//! and each request is answered from the snapshot that holds every editor
//! change sent before it.

use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use super::event::Change;
use super::shared::{CACHE_WRITE_GRACE, ServeOptions, Session, Shared};
use super::{convert, disk, features, folder_watcher, framing, publish};

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
    pub fn new(client: Client, notifier: framing::Notifier, options: ServeOptions) -> Backend {
        let (shared, receiver) = Shared::new(client, notifier, options);
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
                self.shared.send(folder_watcher::classify(path));
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
