//! Reading one file from disk: within the size limit, as UTF-8, never
//! waiting on a FIFO; and what reading it gave the index.

use std::io::Read;
use std::path::{Path, PathBuf};

use article_core::article::{Article, parse_article};
use article_core::line_index::LineIndex;
use article_core::summary::ArticleSummary;

use crate::cache::Stamp;

/// Files larger than this are not read: no writer's article comes close,
/// and reading one must not stall the scan.
pub(crate) const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

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
pub(crate) fn read_stamped(path: &Path) -> Result<(String, Option<Stamp>), ScanProblem> {
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

/// Reads and parses one file for the index. The article is summarized
/// here, on the reading thread, so that the full models of a whole scan are
/// never all held at once.
pub fn load_for_index(path: &Path) -> Result<(Loaded, Option<Stamp>), ScanProblem> {
    let (text, stamp) = read_stamped(path)?;
    Ok((loaded(&text, parse_article(&text)), stamp))
}
