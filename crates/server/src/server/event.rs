//! The loop's events: everything that changes the server's state reaches
//! the loop as one of these, from the handlers (the editor's changes and the
//! session's), the scans, the watchers and the loop's own jobs.

use std::path::PathBuf;
use std::sync::Arc;

use article_core::diagnostics::Diagnostic;
use article_core::index::{ArticleIndex, FilePath, MergedMaps};
use article_workspace::files::Loaded;
use hashbrown::HashMap;
use tokio::sync::oneshot;
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::scan_end::{SeenFiles, StoredFindings};
use super::state::{Documents, Workspace};

pub enum Change {
    /// The editor opened a document.
    Opened {
        path: FilePath,
        uri: Uri,
        version: i32,
        text: String,
    },
    /// The editor changed an open document.
    Edited {
        path: FilePath,
        version: i32,
        changes: Vec<lsp::TextDocumentContentChangeEvent>,
    },
    /// A document was closed: the disk is authoritative again.
    Closed(FilePath),
    /// Something on disk was created, changed or deleted (file or folder).
    Disk(PathBuf),
    /// A settings file changed on disk.
    ConfigFile,
    /// The editor's settings changed (`None`: only the settings files are
    /// read again).
    Settings(Option<serde_json::Value>),
    /// Workspace folders added (scanned and watched once the client is
    /// initialized) and removed.
    Folders {
        added: Vec<PathBuf>,
        removed: Vec<PathBuf>,
    },
    /// The client is `initialized`: the roots are scanned and watched.
    Initialized,
    /// Files read by a scan.
    Scanned(ScannedBatch),
    /// The articles a scan found as its root's cache holds them: the
    /// cache's index, maps and all (see `publish::FilingJob::file`).
    Restored(Box<RestoredImage>),
    /// Scan batches filed into a snapshot of the index away from the loop
    /// (see `publish::Filing`), `None` if filing them failed, and the files filed.
    Filed(Option<Box<ArticleIndex>>, Vec<FilePath>),
    /// `seen` (when the scan could list the root): every file the scan found,
    /// so that indexed files under `root` it did not find are dropped.
    /// `indexed` is told once the index holds the whole scan and its
    /// diagnostics are out, with what the cache is written from.
    /// `restored`: what the checks found in every file, stored in the
    /// cache, when the scan found each file as the cache has it and no file
    /// the cache held gone.
    ScanFinished {
        root: PathBuf,
        seen: Option<SeenFiles>,
        indexed: Option<oneshot::Sender<ScanOutcome>>,
        restored: Option<StoredFindings>,
    },
    RootRemoved(PathBuf),
    /// Settings changed: every diagnostic may differ.
    SettingsChanged,
    /// The index's maps merged on another thread (nothing it answers
    /// changes). `building` is held until the merge is installed.
    MapsMerged {
        merged: Box<MergedMaps>,
        building: Arc<()>,
    },
}

impl Change {
    /// Whether the change is the editor's: applied as it arrives, and what
    /// requests wait for.
    pub fn is_editors(&self) -> bool {
        matches!(self, Change::Opened { .. } | Change::Edited { .. } | Change::Closed(_))
    }

    /// Whether the change is of the session (settings, folders): applied
    /// as it arrives, in order with the editor's.
    pub fn is_session(&self) -> bool {
        matches!(self, Change::Settings(_) | Change::Folders { .. } | Change::Initialized)
    }
}

/// For the log: what a change is about, without the texts it carries.
impl std::fmt::Debug for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Opened { path, version, .. } => write!(f, "Opened({}, {version})", path.as_str()),
            Change::Edited { path, version, .. } => write!(f, "Edited({}, {version})", path.as_str()),
            Change::Closed(path) => write!(f, "Closed({})", path.as_str()),
            Change::Disk(path) => write!(f, "Disk({})", path.display()),
            Change::ConfigFile => f.write_str("ConfigFile"),
            Change::Settings(editor) => {
                write!(f, "Settings({})", if editor.is_some() { "editor" } else { "files" })
            }
            Change::Folders { added, removed } => write!(f, "Folders(+{added:?} -{removed:?})"),
            Change::Initialized => f.write_str("Initialized"),
            Change::Scanned(batch) => write!(f, "Scanned({} files)", batch.files.len()),
            Change::Restored(image) => write!(f, "Restored({} articles)", image.index.len()),
            Change::Filed(_, files) => write!(f, "Filed({} files)", files.len()),
            Change::ScanFinished { root, seen, .. } => {
                write!(f, "ScanFinished({}, {:?} seen)", root.display(), seen.as_ref().map(SeenFiles::len))
            }
            Change::RootRemoved(root) => write!(f, "RootRemoved({})", root.display()),
            Change::SettingsChanged => f.write_str("SettingsChanged"),
            Change::MapsMerged { .. } => f.write_str("MapsMerged"),
        }
    }
}

/// Files read by a scan; `None` for files that are not article texts.
pub struct ScannedBatch {
    pub files: Vec<(FilePath, Option<Loaded>)>,
    /// The workspace whose settings and rules the scan listed them by.
    pub listed_under: Arc<Workspace>,
}

/// A root's cached index as a scan found it: the articles it listed
/// unchanged, maps and all.
pub struct RestoredImage {
    pub index: ArticleIndex,
    /// The workspace whose settings and rules the scan listed the root by.
    pub listed_under: Arc<Workspace>,
}

/// What a scan's end leaves for the cache: the index stored once its
/// diagnostics were out, and what the checks found in it, when that is
/// known of every file and no open document's text is in the index.
#[derive(Clone)]
pub struct ScanOutcome {
    pub index: Arc<ArticleIndex>,
    /// The documents open in that index: it holds their editor's text.
    pub documents: Documents,
    pub findings: Option<Arc<HashMap<FilePath, Vec<Diagnostic>>>>,
}
