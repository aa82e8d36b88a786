//! Disk changes: the client's file watcher when it lets us register one
//! dynamically, else our own (`notify`) on every root.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use notify::{EventKind, RecursiveMode, Watcher};
use tower_lsp_server::ls_types::{
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern, Registration,
};

use super::publish::Change;
use super::{Shared, lock};
use crate::config::CONFIG_FILE;

/// Sets up watching for the current roots: registration first, `notify`
/// when the client cannot register (Neovim turns it off on Linux).
pub async fn start(shared: Arc<Shared>) {
    if shared.session().watch_registration {
        let registration = Registration {
            id: "article-lsp/watched-files".to_owned(),
            method: "workspace/didChangeWatchedFiles".to_owned(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers: watched_globs(&shared).into_iter().map(watcher).collect(),
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
    for root in roots {
        watch_root(&shared, &root);
    }
}

/// Adds a root to our own watcher, when we are the ones watching.
pub fn watch_root(shared: &Arc<Shared>, root: &Path) {
    if shared.session().watch_registration && lock(&shared.watcher).is_none() {
        // The client's registration covers new roots too.
        return;
    }
    let mut watcher = lock(&shared.watcher);
    if watcher.is_none() {
        let sender = shared.changes.clone();
        let handler = move |event: notify::Result<notify::Event>| {
            let Ok(event) = event else { return };
            if matches!(event.kind, EventKind::Access(_)) {
                return;
            }
            for path in event.paths {
                let _ = sender.send(classify(path));
            }
        };
        // Folders behind links are watched only where links are followed.
        let follow = shared.workspace().roots().any(|root| root.settings.follow_symlinks);
        let config = notify::Config::default().with_follow_symlinks(follow);
        let created = notify::RecommendedWatcher::new(handler, config);
        match created {
            Ok(created) => *watcher = Some(created),
            Err(error) => {
                tracing::warn!("cannot watch folders: {error}");
                return;
            }
        }
    }
    if let Some(watcher) = watcher.as_mut()
        && let Err(error) = watcher.watch(root, RecursiveMode::Recursive)
    {
        tracing::warn!("cannot watch {}: {error}", root.display());
    }
}

pub fn unwatch_root(shared: &Shared, root: &Path) {
    if let Some(watcher) = lock(&shared.watcher).as_mut() {
        let _ = watcher.unwatch(root);
    }
}

/// A settings file, or anything else (the analysis decides whether it is
/// an article of the workspace).
pub fn classify(path: PathBuf) -> Change {
    if path.file_name().is_some_and(|name| name == CONFIG_FILE) {
        Change::ConfigFile
    } else {
        Change::Disk(path)
    }
}

/// Client-side globs match anywhere, so root-relative include globs are
/// anchored with `**/`.
fn watched_globs(shared: &Shared) -> Vec<String> {
    let mut globs: Vec<String> = shared
        .workspace()
        .roots()
        .flat_map(|root| root.settings.include.clone())
        .chain(crate::config::Settings::default().include)
        .map(|glob| {
            let glob = glob.trim_start_matches('/');
            if glob.starts_with("**/") { glob.to_owned() } else { format!("**/{glob}") }
        })
        .collect();
    globs.push(format!("**/{CONFIG_FILE}"));
    globs.sort();
    globs.dedup();
    globs
}

fn watcher(glob: String) -> FileSystemWatcher {
    FileSystemWatcher { glob_pattern: GlobPattern::String(glob), kind: None }
}
