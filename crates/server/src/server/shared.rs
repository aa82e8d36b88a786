//! What the handlers, the loop, the scans and the watchers share: the
//! client, the snapshot cell the loop stores into, the loop's queue, what
//! was agreed at `initialize`, and the few counters requests wait on. Only
//! the loop writes the state; everything else sends it events.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use article_core::index::FilePath;
use article_core::line_index::PositionEncoding;
use tokio::sync::mpsc;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::*;

use super::event::Change;
use super::folder_watcher::FolderWatcher;
use super::lock::lock;
use super::state::{Snapshot, StateCell, Workspace};
use super::{convert, framing, state};

/// How a server is set up beyond what the client says.
#[derive(Clone, Debug, Default)]
pub struct ServeOptions {
    /// Where the persistent index cache is kept; `None` keeps none.
    pub cache_dir: Option<PathBuf>,
    /// At most this many folders are watched by the system's watcher (when
    /// the server watches folders itself), as if that were the system's
    /// limit; `None`: the system's own limit.
    pub watch_limit: Option<usize>,
    /// Counts the analysis loop's rounds, when given: what a test reads to
    /// tell a loop that works from one that turns over with nothing to do.
    pub rounds: Option<Arc<AtomicU64>>,
}

/// What was agreed at `initialize`.
#[derive(Clone, Copy, Debug)]
pub struct Session {
    pub encoding: PositionEncoding,
    /// The client pulls diagnostics, so open documents' sets are not pushed.
    pub pull_diagnostics: bool,
    pub diagnostic_refresh: bool,
    pub watch_registration: bool,
    pub work_done_progress: bool,
    pub configuration_requests: bool,
}

pub const DEFAULT_SESSION: Session = Session {
    encoding: PositionEncoding::Utf16,
    pull_diagnostics: false,
    diagnostic_refresh: false,
    watch_registration: false,
    work_done_progress: false,
    configuration_requests: false,
};

impl Session {
    pub fn from_capabilities(capabilities: &ClientCapabilities) -> Session {
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
pub struct Shared {
    pub client: Client,
    /// Notifications written to the client directly (diagnostics).
    pub notifier: framing::Notifier,
    /// The index and the open documents, as the analysis loop last stored
    /// them.
    pub state: StateCell,
    /// How many editor notifications (opened, edited, closed) were queued:
    /// a request waits for the snapshot that holds them all.
    pub editor_events_sent: AtomicU64,
    pub changes: mpsc::UnboundedSender<Change>,
    pub session: OnceLock<Session>,
    pub watcher: Mutex<Option<FolderWatcher>>,
    pub watch_limit: Option<usize>,
    /// See [`ServeOptions::rounds`].
    pub rounds: Option<Arc<AtomicU64>>,
    /// Scans under way, from their start until the analysis has stored the
    /// index holding what they read: until then an article missing from
    /// the index may merely not be read yet.
    pub scans_running: std::sync::atomic::AtomicUsize,
    /// When the oldest editor change (a document opened, edited, closed)
    /// the analysis has not taken was sent.
    pub first_waiting_edit: Mutex<Option<std::time::Instant>>,
    pub cache_dir: Option<PathBuf>,
    /// Held while the index cache is written.
    pub cache_write: tokio::sync::Mutex<()>,
}

/// How long `shutdown` waits for a cache being written.
pub const CACHE_WRITE_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

impl Shared {
    /// The state of a new server, and the queue the loop reads its events from.
    pub fn new(
        client: Client,
        notifier: framing::Notifier,
        options: ServeOptions,
    ) -> (Arc<Shared>, mpsc::UnboundedReceiver<Change>) {
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
            rounds: options.rounds,
            scans_running: std::sync::atomic::AtomicUsize::new(0),
            first_waiting_edit: Mutex::new(None),
            cache_dir: options.cache_dir,
            cache_write: tokio::sync::Mutex::new(()),
        });
        (shared, receiver)
    }

    pub fn session(&self) -> Session {
        self.session.get().copied().unwrap_or(DEFAULT_SESSION)
    }

    pub fn workspace(&self) -> Arc<Workspace> {
        self.state.workspace()
    }

    pub fn send(&self, change: Change) {
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
    pub async fn snapshot(&self) -> Arc<Snapshot> {
        let sent = self.editor_events_sent.load(Ordering::SeqCst);
        let snapshot = self.state.holding(sent).await;
        tracing::trace!(
            "a request reads the snapshot of {} editor changes, {sent} sent",
            snapshot.editor_events
        );
        snapshot
    }

    /// How the client names `path`: its own URI for open documents.
    pub fn uri_of(&self, path: &FilePath) -> Option<Uri> {
        state::uri_in(&self.state.snapshot().documents, path)
    }

    /// Shows `message` to the writer (and logs it).
    pub fn warn(&self, message: String) {
        tracing::warn!("{message}");
        let message = format!("article-lsp: {message}");
        self.notifier
            .notify::<notification::ShowMessage>(ShowMessageParams { typ: MessageType::WARNING, message });
    }
}
