//! What the client and the disk say of the session itself: the editor's
//! settings and the settings files, the workspace folders, `initialized`,
//! and the root of a document opened outside every folder. The analysis
//! loop applies these as they arrive, in order with the editor's changes,
//! so a document opened after a folder was added is checked under it.

use std::path::PathBuf;
use std::sync::Arc;

use tower_lsp_server::ls_types::Uri;

use super::event::Change;
use super::shared::Shared;
use super::state::{Workspace, acceptable_root, find_root};
use super::{convert, scan, watch};
use article_workspace::admission::ScanOptions;

/// The loop's own record of the session.
#[derive(Default)]
pub struct SessionState {
    /// The client said it is `initialized`: scans may report progress, and
    /// messages be shown.
    initialized: bool,
    /// Problems found before the client could be told.
    untold: Vec<String>,
    /// Whether the writer was told that a file without a root has its links
    /// unchecked (once a session).
    told_no_root: bool,
}

impl SessionState {
    /// Applies a change of the session; returns the changes it calls for
    /// in the analysis (a recheck of every file, a removed root's files).
    pub fn apply(&mut self, shared: &Arc<Shared>, change: Change) -> Vec<Change> {
        match change {
            Change::Settings(editor) => self.settings(shared, editor),
            Change::Folders { added, removed } => {
                let mut follow = Vec::new();
                for root in removed {
                    watch::unwatch_root(shared, &root);
                    shared.state.update_workspace(|workspace| workspace.remove_root(&root));
                    follow.push(Change::RootRemoved(root));
                }
                for root in added {
                    self.add_root(shared, root);
                }
                follow
            }
            Change::Initialized => {
                self.initialized = true;
                for root in shared.workspace().roots() {
                    scan::start(shared, root.path.clone(), root.settings.scan_options());
                }
                tokio::spawn(watch::start(shared.clone()));
                let untold = std::mem::take(&mut self.untold);
                self.tell(shared, untold);
                Vec::new()
            }
            other => {
                tracing::error!("{other:?} is not a change of the session");
                Vec::new()
            }
        }
    }

    /// Rereads the settings files and, when given, takes the editor's
    /// settings; rescans roots whose globs or link following changed, and
    /// has everything rechecked.
    fn settings(&mut self, shared: &Arc<Shared>, editor: Option<serde_json::Value>) -> Vec<Change> {
        let before = scan_options_by_root(&shared.workspace());
        let problems = shared.state.update_workspace(|workspace| workspace.reload(editor));
        self.tell(shared, problems);
        if self.initialized {
            for root in shared.workspace().roots() {
                let options = root.settings.scan_options();
                if before.iter().any(|(path, old)| *path == root.path && *old != options) {
                    scan::start(shared, root.path.clone(), options);
                }
            }
        }
        vec![Change::SettingsChanged]
    }

    /// Adds a root; once the client is initialized, scans and watches it.
    /// The scan counts as running from now, so that nothing checked after
    /// this is taken for complete.
    fn add_root(&mut self, shared: &Arc<Shared>, root: PathBuf) {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        if !acceptable_root(&root, home.as_deref()) {
            let problem = format!("not indexing {}: a home or file-system root is too wide", root.display());
            self.tell(shared, vec![problem]);
            return;
        }
        if shared.workspace().has_root(&root) {
            return;
        }
        let problems = shared.state.update_workspace(|workspace| workspace.add_root(root.clone()));
        self.tell(shared, problems);
        if self.initialized {
            let options =
                shared.workspace().root_of(&root).map(|r| r.settings.scan_options()).unwrap_or_default();
            scan::start(shared, root.clone(), options);
            let shared = shared.clone();
            tokio::task::spawn_blocking(move || watch::watch_root(&shared, &root));
        }
    }

    /// For a document opened outside every folder: its project (the folder
    /// above it holding `.git` or the settings file) becomes a root, before
    /// the document is applied; without one, the writer is told once that
    /// its links are not checked.
    pub fn root_for_document(&mut self, shared: &Arc<Shared>, uri: &Uri) {
        let Some(local) = convert::local_path(uri) else { return };
        if shared.workspace().root_of(&local).is_some() {
            return;
        }
        match find_root(&local) {
            Some(root) => self.add_root(shared, root),
            None if !self.told_no_root => {
                self.told_no_root = true;
                let problem = format!(
                    "{} is outside every workspace folder, and no folder above it holds `.git` or `{}`, so \
                     its links are not checked. Open the articles' folder as a workspace folder, or add an \
                     `{}` (it may be empty) at the articles' top folder.",
                    local.display(),
                    article_workspace::config::CONFIG_FILE,
                    article_workspace::config::CONFIG_FILE,
                );
                self.tell(shared, vec![problem]);
            }
            None => {}
        }
    }

    /// Shows `problems` to the writer, or keeps them until it can.
    fn tell(&mut self, shared: &Arc<Shared>, problems: Vec<String>) {
        if problems.is_empty() {
            return;
        }
        if !self.initialized {
            self.untold.extend(problems);
            return;
        }
        for problem in problems {
            shared.warn(problem);
        }
    }
}

fn scan_options_by_root(workspace: &Workspace) -> Vec<(PathBuf, ScanOptions)> {
    workspace.roots().map(|root| (root.path.clone(), root.settings.scan_options())).collect()
}
