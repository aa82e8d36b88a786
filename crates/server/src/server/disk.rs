//! What a disk event means for the index, found before the index is
//! touched: the admission rule first (events under paths the scan would
//! skip, such as `.git/` or `node_modules/`, cost a few comparisons and no
//! system call), then the disk, read on every core for a chunk of events.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::state::Workspace;
use article_core::index::FilePath;
use article_workspace::admission::{Admission, RULE_FILES};
use article_workspace::files::{Loaded, load_text};
use article_workspace::walk::{Listing, walk};

/// A disk event, examined.
pub enum Finding {
    /// Nothing the workspace admits: nothing to do.
    Unadmitted,
    /// An ignore file of the root changed: what the rule admits may have.
    Rules { root: PathBuf },
    /// An article file, as it is now (`None`: it could not be read).
    File(FilePath, Option<Loaded>),
    /// A folder the rule admits, and every file under it that it admits.
    Folder(PathBuf, Vec<(FilePath, Option<Loaded>)>),
    /// Nothing there (or nothing the rule admits): whatever is indexed at
    /// or under the path goes.
    Gone(PathBuf),
}

/// Whether an event about `path` can matter: not when the path is hidden
/// or under a hidden or skipped folder, whatever the settings (the rule
/// never admits those as files or folders), unless it is an ignore file.
/// Checked as events arrive, so that a burst under `.git/` or
/// `node_modules/` never queues.
pub fn may_matter(workspace: &Workspace, path: &Path) -> bool {
    let Some(admission) = workspace.admission_of(path) else { return true };
    !admission.refused_by_name(path, false) || is_rule_file(path, admission)
}

/// Examines each path, on every core.
pub fn examine_all(workspace: &Workspace, paths: Vec<PathBuf>) -> Vec<(PathBuf, Finding)> {
    paths
        .into_par_iter()
        .map(|path| {
            let finding = examine(workspace, &path);
            (path, finding)
        })
        .collect()
}

fn examine(workspace: &Workspace, path: &Path) -> Finding {
    let Some(root) = workspace.root_of(path) else { return Finding::Unadmitted };
    let Some(admission) = &root.admission else { return Finding::Unadmitted };
    if is_rule_file(path, admission) {
        return Finding::Rules { root: root.path.clone() };
    }
    let (as_file, as_folder) = (admission.admits(path, false), admission.admits(path, true));
    if !as_file && !as_folder {
        return Finding::Unadmitted;
    }
    // Links are judged (and resolved) by the boundary before anything is
    // read; a path it refuses is, for the index, not there.
    if root.boundary.admit(path).is_err() {
        return Finding::Gone(path.to_owned());
    }
    match std::fs::metadata(path) {
        Ok(metadata) if metadata.is_dir() && as_folder => Finding::Folder(
            path.to_owned(),
            read_folder(workspace, admission, path, root.settings.follow_symlinks),
        ),
        Ok(metadata) if metadata.is_file() && as_file => {
            let loaded = workspace.read_text(path).ok().map(|text| load_text(&text));
            Finding::File(file_path(path), loaded)
        }
        _ => Finding::Gone(path.to_owned()),
    }
}

/// Every file under `folder` that the rule admits, read.
fn read_folder(
    workspace: &Workspace,
    admission: &Arc<Admission>,
    folder: &Path,
    follow: bool,
) -> Vec<(FilePath, Option<Loaded>)> {
    let mut listing = Listing::default();
    walk(admission, folder, follow, &mut listing);
    listing
        .files
        .into_par_iter()
        .map(|file| {
            let loaded = workspace.read_text(file.on_disk()).ok().map(|text| load_text(&text));
            (file.path().clone(), loaded)
        })
        .collect()
}

/// An ignore file whose rules reach into the root: in the root or a folder
/// the rule admits, or git's own excludes of a repository at the root.
fn is_rule_file(path: &Path, admission: &Admission) -> bool {
    // Bytes first: every event under `.git/` comes here.
    let bytes = path.as_os_str().as_encoded_bytes();
    let separator = std::path::MAIN_SEPARATOR as u8;
    let name = bytes.rsplit(|byte| *byte == separator).next().unwrap_or_default();
    if RULE_FILES.iter().any(|rule_file| rule_file.as_bytes() == name) {
        return path.parent().is_some_and(|folder| admission.admits(folder, true));
    }
    name == b"exclude" && path == admission.root().join(".git/info/exclude")
}

pub fn file_path(path: &Path) -> FilePath {
    FilePath::new(path.to_string_lossy().as_ref())
}

/// `folder` as a prefix of the paths under it.
pub fn folder_prefix(folder: &Path) -> String {
    let mut prefix = folder.to_string_lossy().into_owned();
    if !prefix.ends_with(std::path::MAIN_SEPARATOR) {
        prefix.push(std::path::MAIN_SEPARATOR);
    }
    prefix
}
