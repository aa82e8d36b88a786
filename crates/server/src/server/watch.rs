//! Disk changes: the client's file watcher when it lets us register one
//! dynamically, else our own (`notify`).
//!
//! Our own watches only the folders the admission rule admits, one watch
//! each (not recursively): `.git/`, `node_modules/` and ignored folders
//! cost no watch and send no event. When the system's limit on watches is
//! reached, the folders left are polled instead, and the writer is told
//! once how to raise the limit.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, Registration, WatchKind,
};

use super::event::Change;
use super::folder_watcher::{FolderWatcher, POLL_INTERVAL, Watched};
use super::lock::lock;
use super::shared::Shared;
use article_workspace::admission::RULE_FILES;
use article_workspace::config::CONFIG_FILE;
use article_workspace::walk::{Listing, list_folders, walk};

/// Sets up watching for the current roots: registration first, `notify`
/// when the client cannot register (Neovim turns it off on Linux).
pub async fn start(shared: Arc<Shared>) {
    if shared.session().watch_registration {
        let registration = Registration {
            id: "article-lsp/watched-files".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers: watchers(&shared),
            })
            .ok(),
        };
        match shared.client.register_capability(vec![registration]).await {
            Ok(()) => return,
            Err(error) => {
                tracing::warn!("client refused a file watcher ({error}); watching folders ourselves")
            }
        }
    }
    let roots: Vec<PathBuf> = shared.workspace().roots().map(|root| root.path.clone()).collect();
    // Listing the folders walks the tree: not on the runtime's threads.
    let _ = tokio::task::spawn_blocking(move || {
        for root in roots {
            watch_root(&shared, &root);
        }
    })
    .await;
}

/// Adds a root to our own watcher, when we are the ones watching.
pub fn watch_root(shared: &Arc<Shared>, root: &Path) {
    watch_folder(shared, root);
}

/// Watches a folder that appeared on disk, and everything under it; then
/// looks at its files again, since one written before its watch was in
/// place sent no event.
pub fn watch_new_folder(shared: &Arc<Shared>, folder: &Path) {
    if !watch_folder(shared, folder) {
        return;
    }
    let workspace = shared.workspace();
    let Some(root) = workspace.root_of(folder) else { return };
    let Some(admission) = &root.admission else { return };
    let mut listing = Listing::default();
    walk(admission, folder, root.settings.follow_symlinks, &mut listing);
    for file in listing.files {
        shared.send(Change::Disk(file.on_disk().to_owned()));
    }
}

/// Watches `folder` and the admitted folders under it, when we are the
/// ones watching; returns whether we are.
fn watch_folder(shared: &Arc<Shared>, folder: &Path) -> bool {
    if shared.session().watch_registration && lock(&shared.watcher).is_none() {
        // The client's registration covers every folder.
        return false;
    }
    let workspace = shared.workspace();
    let Some(root) = workspace.root_of(folder) else { return false };
    let Some(admission) = root.admission.clone() else { return false };
    let follow = root.settings.follow_symlinks;
    let folders = list_folders(&admission, folder, follow);
    let mut watcher = lock(&shared.watcher);
    if watcher.is_none() {
        match FolderWatcher::new(shared.changes.clone(), shared.watch_limit, follow) {
            Ok(created) => *watcher = Some(created),
            Err(error) => {
                tracing::warn!("cannot watch folders: {error}");
                return false;
            }
        }
    }
    let Some(watcher) = watcher.as_mut() else { return false };
    let mut polled = 0;
    for folder in &folders {
        match watcher.watch(folder) {
            Watched::Natively => {}
            Watched::Polled => polled += 1,
            Watched::Not(error) => tracing::warn!("cannot watch {}: {error}", folder.display()),
        }
    }
    if polled > 0 && watcher.tell_limit_once() {
        let message = format!(
            "the system's limit on watched folders is reached, so {polled} folders of {} \
             are checked for changes every {} s instead of at once. To raise the limit: \
             `sudo sysctl fs.inotify.max_user_watches=524288` (and the same line in /etc/sysctl.conf \
             to keep it).",
            root.path.display(),
            POLL_INTERVAL.as_secs()
        );
        shared.warn(message);
    }
    true
}

pub fn unwatch_root(shared: &Shared, root: &Path) {
    if let Some(watcher) = lock(&shared.watcher).as_mut() {
        // Folders under the root were watched one by one; dropping the
        // watches of the whole tree is what unwatching a root means.
        let folders: Vec<PathBuf> = shared
            .workspace()
            .root_of(root)
            .and_then(|found| found.admission.clone())
            .map(|admission| list_folders(&admission, root, false))
            .unwrap_or_else(|| vec![root.to_owned()]);
        for folder in folders {
            watcher.unwatch(&folder);
        }
    }
}

/// What the client is asked to watch: the files the include globs name (any
/// change), anything created or deleted (a folder moved or deleted is one
/// event for the folder, whatever it holds), the ignore files and the
/// settings file. Client-side globs match anywhere, so root-relative include
/// globs are anchored with `**/`.
fn watchers(shared: &Shared) -> Vec<FileSystemWatcher> {
    let mut globs: Vec<String> = shared
        .workspace()
        .roots()
        .flat_map(|root| root.settings.include.clone())
        .chain(article_workspace::config::Settings::default().include)
        .map(|glob| {
            let glob = glob.trim_start_matches('/');
            if glob.starts_with("**/") { glob.to_owned() } else { format!("**/{glob}") }
        })
        .chain(RULE_FILES.iter().map(|name| format!("**/{name}")))
        .collect();
    globs.push(format!("**/{CONFIG_FILE}"));
    globs.sort();
    globs.dedup();
    let mut watchers: Vec<FileSystemWatcher> = globs
        .into_iter()
        .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob), kind: None })
        .collect();
    watchers.push(FileSystemWatcher {
        glob_pattern: GlobPattern::String("**/*".to_owned()),
        kind: Some(WatchKind::Create | WatchKind::Delete),
    });
    watchers
}
