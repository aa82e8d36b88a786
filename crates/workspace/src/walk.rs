//! Finding and reading article files on disk: the only core-adjacent module
//! that touches the file system. Used by `check` and by the server's scan.

use std::io::Read;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use ignore::WalkBuilder;
use rayon::prelude::*;

use crate::admission::Admission;
use crate::cache::Stamp;
use crate::config::CONFIG_FILE;
use article_core::article::{Article, parse_article, parse_article_shared};
use article_core::index::{ArticleIndex, FilePath};
use article_core::line_index::LineIndex;
use article_core::summary::ArticleSummary;
use article_core::texts::SharedTexts;

/// Files larger than this are not read: no writer's article comes close,
/// and reading one must not stall the scan.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanOptions {
    /// Globs (gitignore syntax) a file must match to be read.
    pub include: Vec<String>,
    /// Globs of files or folders to leave out.
    pub exclude: Vec<String>,
    /// Follow symbolic links that lead outside the root. Links leading
    /// inside it are never followed: their targets are found at their own
    /// paths, and following them would index each article twice.
    pub follow_symlinks: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions { include: vec!["**/*.md".to_owned()], exclude: Vec::new(), follow_symlinks: false }
    }
}

/// A file that could not be indexed, and why.
#[derive(Debug)]
pub struct ScanProblem {
    pub path: PathBuf,
    pub kind: ProblemKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// Reading failed: permissions, a vanished file, a broken link.
    Io,
    /// Read but not an article text: binary, not UTF-8, or too large.
    Skipped,
}

/// What reading one file gave, as the index keeps it.
#[derive(Clone)]
pub enum Loaded {
    Article(Box<ArticleSummary>, LineIndex),
    NotAnArticle,
}

pub fn load_text(text: &str) -> Loaded {
    loaded(text, parse_article(text))
}

fn loaded(text: &str, article: Option<Article>) -> Loaded {
    match article {
        Some(article) => Loaded::Article(Box::new(ArticleSummary::of(&article)), LineIndex::new(text)),
        None => Loaded::NotAnArticle,
    }
}

/// Reads a regular file as UTF-8 text within the size limit. Anything else
/// named like an article (a FIFO, a socket, a device) is refused without
/// waiting: the file is opened without blocking and its type checked on the
/// open file, so nothing can swap it between the check and the read.
pub fn read_text(path: &Path) -> Result<String, ScanProblem> {
    read_stamped(path).map(|(text, _)| text)
}

/// Reads a file as [`read_text`] does, with the stamp it had before it was
/// read (so that a change while reading gives another stamp next time).
pub fn read_stamped(path: &Path) -> Result<(String, Option<Stamp>), ScanProblem> {
    let problem = |kind, message: String| ScanProblem { path: path.to_owned(), kind, message };
    let io_problem = |error: std::io::Error| problem(ProblemKind::Io, error.to_string());
    let file = open_without_blocking(path).map_err(io_problem)?;
    let metadata = file.metadata().map_err(io_problem)?;
    let stamp = Stamp::of(&metadata);
    if !metadata.is_file() {
        return Err(problem(ProblemKind::Skipped, "skipped: not a regular file".to_owned()));
    }
    let too_large = |bytes: u64| {
        problem(
            ProblemKind::Skipped,
            format!("skipped: {bytes} bytes is over the {MAX_FILE_BYTES}-byte limit"),
        )
    };
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_large(metadata.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
    // A file growing while it is read stops at the limit all the same.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes).map_err(io_problem)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let text = String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        problem(ProblemKind::Skipped, format!("skipped: not UTF-8 text (invalid byte at offset {at})"))
    })?;
    Ok((text, stamp))
}

#[cfg(unix)]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // Opening a FIFO for reading waits for a writer, unless non-blocking;
    // for a regular file the flag changes nothing.
    std::fs::OpenOptions::new().read(true).custom_flags(libc::O_NONBLOCK).open(path)
}

#[cfg(not(unix))]
fn open_without_blocking(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::File::open(path)
}

/// Every file under `roots` that the options include. See [`list_files`].
pub fn discover(roots: &[PathBuf], options: &ScanOptions) -> Result<Vec<PathBuf>, ScanProblem> {
    list_files(roots, options).map(|listing| listing.files)
}

/// What a walk found: the files to read, and entries that could not be
/// walked or are not read, and why.
#[derive(Debug, Default)]
pub struct Listing {
    pub files: Vec<PathBuf>,
    pub problems: Vec<ScanProblem>,
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
            listing.files.push(root.clone());
            continue;
        }
        let admission = Arc::new(Admission::new(root, options)?);
        walk(&admission, root, options.follow_symlinks, &mut listing);
    }
    // By bytes rather than by path components: the same order for
    // deduplication and repeatable output, at a tenth of the cost.
    listing.files.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    listing.files.dedup();
    listing.problems.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(listing)
}

/// Walks `folder` (the root of `admission`, or a folder under it that the
/// rule admits) on every core, adding what it finds to `listing`.
pub fn walk(admission: &Arc<Admission>, folder: &Path, follow: bool, listing: &mut Listing) {
    let (sender, receiver) = std::sync::mpsc::channel();
    walker(admission, folder, follow).run(|| {
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
            Ok(file) => listing.files.push(file),
            Err(problem) => listing.problems.push(problem),
        }
    }
}

/// `folder` and every folder under it that the rule admits: the folders a
/// watcher must watch to see every change to the files a scan would read.
pub fn list_folders(admission: &Arc<Admission>, folder: &Path, follow: bool) -> Vec<PathBuf> {
    let (sender, receiver) = std::sync::mpsc::channel();
    walker(admission, folder, follow).run(|| {
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

fn walker(admission: &Arc<Admission>, folder: &Path, follow: bool) -> ignore::WalkParallel {
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

/// The text of the settings file in `root`; `None` when there is none. It
/// is read only inside the root, whatever `followSymlinks` says (the setting
/// may be in the file itself).
pub fn read_settings_file(root: &Path) -> Option<Result<String, ScanProblem>> {
    let path = root.join(CONFIG_FILE);
    std::fs::symlink_metadata(&path).ok()?;
    Some(Boundary::new(root, false).read_text(&path))
}

/// The result of reading a set of files into an index.
pub struct Scan {
    pub index: ArticleIndex,
    /// Files read, articles or not.
    pub files: usize,
    pub problems: Vec<ScanProblem>,
}

/// Reads and parses one file for the index whose table of texts is
/// `texts`. The article is summarized here, on the reading thread, so that
/// the full models of a whole scan are never all held at once.
pub fn load_for_index(path: &Path, texts: &SharedTexts) -> Result<(Loaded, Option<Stamp>), ScanProblem> {
    let (text, stamp) = read_stamped(path)?;
    Ok((loaded(&text, parse_article_shared(&text, texts)), stamp))
}

/// A file read and summarized, ready for the index.
type ParsedFile = (FilePath, ArticleSummary, LineIndex);

/// Reads and parses `paths` on every core, then indexes them.
pub fn index_files(paths: &[PathBuf]) -> Scan {
    let mut index = ArticleIndex::new();
    let texts = index.shared_texts();
    let loaded: Vec<Result<Option<ParsedFile>, ScanProblem>> = paths
        .par_iter()
        .map(|path| {
            Ok(match load_for_index(path, &texts)?.0 {
                Loaded::Article(article, line_index) => {
                    Some((FilePath::new(path.to_string_lossy().as_ref()), *article, line_index))
                }
                Loaded::NotAnArticle => None,
            })
        })
        .collect();
    let (articles, problems) = partition(loaded);
    index.upsert_batch(articles);
    Scan { index, files: paths.len(), problems }
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
