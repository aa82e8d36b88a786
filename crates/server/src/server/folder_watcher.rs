//! Our own watcher of folders (`notify`), for clients that cannot watch
//! files for the server: one watch per admitted folder, not recursive, and a
//! poller for the folders past the system's limit on watches. What changes
//! goes to the loop as an event.

use std::path::{Path, PathBuf};
use std::time::Duration;

use article_workspace::config::CONFIG_FILE;
use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::event::Change;

/// Where the watcher sends what changed: the loop's queue.
pub type Changes = mpsc::UnboundedSender<Change>;

/// How often folders past the watch limit are looked at.
pub const POLL_INTERVAL: Duration = Duration::from_secs(2);

/// Our own watcher: one watch per admitted folder, and a poller for the
/// folders the system would not let us watch.
pub struct FolderWatcher {
    native: notify::RecommendedWatcher,
    polled: Option<notify::PollWatcher>,
    /// Folders watched natively, to count against [`ServeOptions::watch_limit`].
    watched: usize,
    limit: Option<usize>,
    limit_reported: bool,
    changes: Changes,
}

pub enum Watched {
    Natively,
    Polled,
    Not(notify::Error),
}

impl FolderWatcher {
    /// A watcher that sends what changes to `changes`, watching natively
    /// up to `limit` folders (`None`: the system's own limit).
    pub fn new(changes: Changes, limit: Option<usize>, follow: bool) -> notify::Result<FolderWatcher> {
        // Folders behind links are watched only where links are followed.
        let config = notify::Config::default().with_follow_symlinks(follow);
        let native = notify::RecommendedWatcher::new(handler(changes.clone()), config)?;
        Ok(FolderWatcher { native, polled: None, watched: 0, limit, limit_reported: false, changes })
    }

    pub fn watch(&mut self, folder: &Path) -> Watched {
        let at_limit = self.limit.is_some_and(|limit| self.watched >= limit);
        if !at_limit {
            match self.native.watch(folder, RecursiveMode::NonRecursive) {
                Ok(()) => {
                    self.watched += 1;
                    return Watched::Natively;
                }
                Err(error) if !is_limit(&error) => return Watched::Not(error),
                Err(_) => {}
            }
        }
        if self.polled.is_none() {
            // Contents, not only times: the poller keeps modification
            // times in whole seconds, so a write in the second it last
            // looked would go unseen.
            let config =
                notify::Config::default().with_poll_interval(POLL_INTERVAL).with_compare_contents(true);
            match notify::PollWatcher::new(handler(self.changes.clone()), config) {
                Ok(poller) => self.polled = Some(poller),
                Err(error) => return Watched::Not(error),
            }
        }
        match self.polled.as_mut().map(|poller| poller.watch(folder, RecursiveMode::NonRecursive)) {
            Some(Ok(())) => Watched::Polled,
            Some(Err(error)) => Watched::Not(error),
            None => Watched::Not(notify::Error::generic("no poller")),
        }
    }
}

/// Whether watching failed because the system allows no more watches.
fn is_limit(error: &notify::Error) -> bool {
    match &error.kind {
        notify::ErrorKind::MaxFilesWatch => true,
        notify::ErrorKind::Io(io) => io.raw_os_error() == Some(28), // ENOSPC, as inotify says it
        _ => false,
    }
}

fn handler(sender: Changes) -> impl Fn(notify::Result<notify::Event>) + Send + 'static {
    move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        for path in event.paths {
            let _ = sender.send(classify(path));
        }
    }
}

impl FolderWatcher {
    /// Stops watching `folder`, natively or by polling.
    pub fn unwatch(&mut self, folder: &Path) {
        let _ = self.native.unwatch(folder);
        if let Some(poller) = self.polled.as_mut() {
            let _ = poller.unwatch(folder);
        }
    }

    /// Whether the writer was told the system's limit is reached; told
    /// once a watcher.
    pub fn tell_limit_once(&mut self) -> bool {
        !std::mem::replace(&mut self.limit_reported, true)
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
