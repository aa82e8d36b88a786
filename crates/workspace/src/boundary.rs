//! A workspace folder as the limit of what may be read.

use std::path::{Component, Path, PathBuf};

use crate::files::{ProblemKind, ScanProblem, read_text};

/// A workspace folder as the limit of what may be read: a file is read only
/// where a scan of the folder could have found it. Paths from the client
/// (watched-file events, closed documents) and paths in the index go through
/// here before the disk is touched.
#[derive(Clone, Debug)]
pub struct Boundary {
    root: PathBuf,
    /// The root with its links resolved, to compare resolved paths with.
    real_root: PathBuf,
    follow_symlinks: bool,
}

impl Boundary {
    pub fn new(root: &Path, follow_symlinks: bool) -> Boundary {
        let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_owned());
        Boundary { root: root.to_owned(), real_root, follow_symlinks }
    }

    /// Whether `path` may be read: under the root without `..`, and reached
    /// without a symbolic link, except, when the setting allows, one leading
    /// outside the root.
    pub fn admit(&self, path: &Path) -> Result<(), ScanProblem> {
        let refused = |reason: &str| ScanProblem {
            path: path.to_owned(),
            kind: ProblemKind::Skipped,
            message: format!("not read: {reason}"),
        };
        let relative = path
            .strip_prefix(&self.root)
            .ok()
            .filter(|relative| relative.components().all(|part| matches!(part, Component::Normal(_))))
            .ok_or_else(|| refused("outside the workspace folder"))?;
        let real = std::fs::canonicalize(path).map_err(|error| ScanProblem {
            path: path.to_owned(),
            kind: ProblemKind::Io,
            message: error.to_string(),
        })?;
        if real == self.real_root.join(relative) {
            return Ok(());
        }
        if !real.starts_with(&self.real_root) && self.follow_symlinks {
            return Ok(());
        }
        Err(refused(if real.starts_with(&self.real_root) {
            "reached through a symbolic link (its target is read at its own path)"
        } else {
            "a symbolic link leading outside the workspace folder (followSymlinks is off)"
        }))
    }

    /// [`read_text`] of a file this boundary admits.
    pub fn read_text(&self, path: &Path) -> Result<String, ScanProblem> {
        self.admit(path)?;
        read_text(path)
    }
}
