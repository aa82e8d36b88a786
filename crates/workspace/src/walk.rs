//! Finding the article files of a workspace folder (by the admission rule,
//! on every core) and reading a set of them into an index. Used by `check`
//! and by the server's scan.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use article_core::index::{ArticleIndex, FilePath};
use article_core::line_index::LineIndex;
use article_core::summary::ArticleSummary;
use ignore::WalkBuilder;
use rayon::prelude::*;

use crate::admission::{Admission, ScanOptions};
use crate::files::{Loaded, ProblemKind, ScanProblem, load_for_index};

/// Every file under `roots` that the options include. See [`list_files`].
pub fn discover(roots: &[PathBuf], options: &ScanOptions) -> Result<Vec<ListedFile>, ScanProblem> {
    list_files(roots, options).map(|listing| listing.files)
}

/// What a walk found: the files to read, and entries that could not be
/// walked or are not read, and why.
#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<ListedFile>,
    pub problems: Vec<ScanProblem>,
}

/// A listed file: the name the index knows it by, whose text the index's
/// own copies share (a scan holds every listed name until the index has it:
/// a `PathBuf` beside it would be a second copy of every path, 20 MB at
/// 100,000 files), and the name on disk when that is not UTF-8 (the index's
/// name is then a lossy rendering of it, which may name no file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedFile {
    path: FilePath,
    not_utf8: Option<Box<Path>>,
}

impl ListedFile {
    pub fn new(path: PathBuf) -> ListedFile {
        match path.into_os_string().into_string() {
            Ok(name) => ListedFile { path: FilePath::new(name), not_utf8: None },
            Err(name) => {
                let on_disk = PathBuf::from(name).into_boxed_path();
                ListedFile {
                    path: FilePath::new(on_disk.to_string_lossy().as_ref()),
                    not_utf8: Some(on_disk),
                }
            }
        }
    }

    /// The name the index knows the file by.
    pub fn path(&self) -> &FilePath {
        &self.path
    }

    /// The name to read the file by.
    pub fn on_disk(&self) -> &Path {
        self.not_utf8.as_deref().unwrap_or_else(|| Path::new(self.path.as_str()))
    }
}

/// Every file under `roots` that the admission rule ([`Admission`]) lets in.
/// A root that is a file is taken as it is. Symbolic links are followed
/// only as [`ScanOptions::follow_symlinks`] says, loops never.
pub fn list_files(roots: &[PathBuf], options: &ScanOptions) -> Result<Listing, ScanProblem> {
    let mut listing = Listing::default();
    for root in roots {
        let metadata = std::fs::metadata(root).map_err(|error| ScanProblem {
            path: root.clone(),
            kind: ProblemKind::Io,
            message: error.to_string(),
        })?;
        if metadata.is_file() {
            listing.files.push(ListedFile::new(root.clone()));
            continue;
        }
        let admission = Arc::new(Admission::new(root, options)?);
        walk(&admission, root, options.follow_symlinks, &mut listing);
    }
    // By bytes rather than by path components: the same order for
    // deduplication and repeatable output, at a tenth of the cost.
    listing.files.sort_unstable_by(|a, b| a.on_disk().as_os_str().cmp(b.on_disk().as_os_str()));
    listing.files.dedup();
    listing.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(listing)
}

/// Walks `folder` (the root of `admission`, or a folder under it that the
/// rule admits) on every core, adding what it finds to `listing`.
pub fn walk(admission: &Arc<Admission>, folder: &Path, follow: bool, listing: &mut Listing) {
    let (sender, receiver) = std::sync::mpsc::channel();
    walker(admission, folder, follow, Entries::All).run(|| {
        let sender = sender.clone();
        Box::new(move |entry| {
            if let Some(found) = listed(entry) {
                let _ = sender.send(found);
            }
            ignore::WalkState::Continue
        })
    });
    drop(sender);
    for found in receiver {
        match found {
            Ok(file) => listing.files.push(ListedFile::new(file)),
            Err(problem) => listing.problems.push(problem),
        }
    }
}

/// `folder` and every folder under it that the rule admits: the folders a
/// watcher must watch to see every change to the files a scan would read.
pub fn list_folders(admission: &Arc<Admission>, folder: &Path, follow: bool) -> Vec<PathBuf> {
    let (sender, receiver) = std::sync::mpsc::channel();
    walker(admission, folder, follow, Entries::Folders).run(|| {
        let sender = sender.clone();
        Box::new(move |entry| {
            if let Ok(entry) = entry
                && entry.file_type().is_some_and(|kind| kind.is_dir())
            {
                let _ = sender.send(entry.into_path());
            }
            ignore::WalkState::Continue
        })
    });
    drop(sender);
    let mut folders: Vec<PathBuf> = receiver.into_iter().collect();
    folders.sort();
    folders
}

/// What a walk yields.
#[derive(Clone, Copy, PartialEq)]
enum Entries {
    All,
    /// Folders only: files are dropped before the admission rule judges
    /// them, which is most of a walk's work (a folder of articles holds
    /// thousands of files, and a watcher wants only the folder).
    Folders,
}

fn walker(admission: &Arc<Admission>, folder: &Path, follow: bool, entries: Entries) -> ignore::WalkParallel {
    let admission = admission.clone();
    let real_root = std::fs::canonicalize(admission.root()).unwrap_or_else(|_| admission.root().to_owned());
    WalkBuilder::new(folder)
        // The admission rule is the only filter: the walker's own would
        // let an include glob override `.gitignore` and hidden names.
        .standard_filters(false)
        .follow_links(follow)
        .filter_entry(move |entry| {
            if entry.depth() == 0 {
                return true;
            }
            let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
            if entries == Entries::Folders && !is_dir {
                return false;
            }
            let followed_inside = follow && entry.path_is_symlink() && leads_inside(entry.path(), &real_root);
            !followed_inside && admission.admits_entry(entry.path(), is_dir)
        })
        .build_parallel()
}

/// A walked entry as a file to read, a problem to report, or nothing (a folder).
fn listed(entry: Result<ignore::DirEntry, ignore::Error>) -> Option<Result<PathBuf, ScanProblem>> {
    let entry = match entry {
        Ok(entry) => entry,
        Err(error) => return Some(Err(walk_problem(&error))),
    };
    let kind = entry.file_type()?;
    if kind.is_file() {
        return Some(Ok(entry.into_path()));
    }
    if kind.is_dir() {
        return None;
    }
    let message = if kind.is_symlink() {
        "skipped: a symbolic link, not followed (followSymlinks is off)"
    } else {
        "skipped: not a regular file"
    };
    Some(Err(ScanProblem {
        path: entry.into_path(),
        kind: ProblemKind::Skipped,
        message: message.to_owned(),
    }))
}

fn walk_problem(error: &ignore::Error) -> ScanProblem {
    let path = error_path(error).map(Path::to_owned).unwrap_or_default();
    // Only a failed read is an I/O problem; a link loop or a bad ignore
    // file is a note.
    let dangling = |io: &std::io::Error| {
        io.kind() == std::io::ErrorKind::NotFound
            && std::fs::symlink_metadata(&path).is_ok_and(|metadata| metadata.file_type().is_symlink())
    };
    let (kind, message) = match error.io_error() {
        Some(io) if dangling(io) => (ProblemKind::Io, format!("a symbolic link to nothing: {io}")),
        Some(io) => (ProblemKind::Io, io.to_string()),
        None => (ProblemKind::Skipped, format!("skipped: {}", bare_message(error))),
    };
    ScanProblem { path, kind, message }
}

fn error_path(error: &ignore::Error) -> Option<&Path> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

/// The error without the path that the problem already names.
fn bare_message(error: &ignore::Error) -> String {
    match error {
        ignore::Error::WithPath { err, .. } | ignore::Error::WithDepth { err, .. } => bare_message(err),
        ignore::Error::Loop { ancestor, .. } => {
            format!("a symbolic link loop back to {}, not followed", ancestor.display())
        }
        other => other.to_string(),
    }
}

/// Whether the link at `path` resolves to somewhere under `real_root`.
fn leads_inside(path: &Path, real_root: &Path) -> bool {
    std::fs::canonicalize(path).is_ok_and(|target| target.starts_with(real_root))
}

/// The result of reading a set of files into an index.
pub struct Scan {
    pub index: ArticleIndex,
    /// Files read, articles or not.
    pub files: usize,
    pub problems: Vec<ScanProblem>,
}

/// A file read and summarized, ready for the index.
type ParsedFile = (FilePath, ArticleSummary, LineIndex);

/// Reads and parses `files` on every core, then indexes them.
pub fn index_files(files: &[ListedFile]) -> Scan {
    let mut index = ArticleIndex::new();
    let loaded: Vec<Result<Option<ParsedFile>, ScanProblem>> = files
        .par_iter()
        .map(|file| {
            Ok(match load_for_index(file.on_disk())?.0 {
                Loaded::Article(article, line_index) => Some((file.path().clone(), *article, line_index)),
                Loaded::NotAnArticle => None,
            })
        })
        .collect();
    let (articles, problems) = partition(loaded);
    index.upsert_batch(articles);
    Scan { index, files: files.len(), problems }
}

/// Splits per-file outcomes into what was found and what went wrong.
pub fn partition<T, E>(outcomes: Vec<Result<Option<T>, E>>) -> (Vec<T>, Vec<E>) {
    let mut found = Vec::with_capacity(outcomes.len());
    let mut problems = Vec::new();
    for outcome in outcomes {
        match outcome {
            Ok(Some(item)) => found.push(item),
            Ok(None) => {}
            Err(problem) => problems.push(problem),
        }
    }
    (found, problems)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The folders a watcher is given: the root and every folder the rule
    /// admits, whatever files they hold, and never a file.
    #[test]
    fn list_folders_gives_the_admitted_folders_and_no_file() {
        let root = tempfile::tempdir().expect("a temporary folder");
        let root = root.path();
        for folder in ["guides/deep", "notes", ".hidden", "node_modules/pkg", "drafts"] {
            std::fs::create_dir_all(root.join(folder)).expect("a folder");
        }
        for file in ["a.md", "guides/b.md", "guides/deep/c.txt", "notes/d.md"] {
            std::fs::write(root.join(file), "").expect("a file");
        }
        std::fs::write(root.join(".ignore"), "drafts/\n").expect("an ignore file");
        let admission = Arc::new(Admission::new(root, &ScanOptions::default()).expect("the rule"));
        let folders = list_folders(&admission, root, false);
        let names: Vec<String> = folders
            .iter()
            .map(|folder| {
                folder.strip_prefix(root).map(|name| name.display().to_string()).unwrap_or_default()
            })
            .collect();
        assert_eq!(names, ["", "guides", "guides/deep", "notes"]);
    }

    /// A file whose name is not UTF-8 is indexed under a lossy rendering of
    /// it, and still read by its own name.
    #[cfg(unix)]
    #[test]
    fn a_name_that_is_not_utf8_is_read_by_its_own_name() {
        use std::os::unix::ffi::OsStrExt;

        let root = tempfile::tempdir().expect("a temporary folder");
        let name = std::ffi::OsStr::from_bytes(b"caf\xe9.md");
        let text = "---\nid: 1\ntitle: Caf\u{e9}\n---\n";
        std::fs::write(root.path().join(name), text).expect("a file");
        std::fs::write(root.path().join("plain.md"), text.replace("1", "2")).expect("a file");
        let listing = list_files(&[root.path().to_owned()], &ScanOptions::default()).expect("a listing");
        let lossy = root.path().join("caf\u{fffd}.md");
        let paths: Vec<&str> = listing.files.iter().map(|file| file.path().as_str()).collect();
        assert_eq!(
            paths,
            [lossy.to_str().expect("UTF-8"), root.path().join("plain.md").to_str().expect("UTF-8")]
        );
        assert_eq!(listing.files[0].on_disk(), root.path().join(name));
        assert_eq!(listing.files[1].on_disk(), root.path().join("plain.md"));
        let scan = index_files(&listing.files);
        assert_eq!((scan.index.len(), scan.problems.len()), (2, 0), "both files read");
    }
}
