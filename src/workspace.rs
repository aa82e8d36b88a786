//! Finding and reading article files on disk: the only core-adjacent module
//! that touches the file system. Used by `check` and by the server's scan.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;
use ignore::overrides::OverrideBuilder;
use rayon::prelude::*;

use crate::article::{Article, parse_article};
use crate::cache::Stamp;
use crate::index::{ArticleIndex, FilePath, QUESTION_BYTES};
use crate::line_index::LineIndex;

/// Files larger than this are not read: no writer's article comes close,
/// and reading one must not stall the scan.
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Folders never scanned, whatever `.gitignore` says.
pub(crate) const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Globs (gitignore syntax) a file must match to be read.
    pub include: Vec<String>,
    /// Globs of files or folders to leave out.
    pub exclude: Vec<String>,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions { include: vec!["**/*.md".to_owned()], exclude: Vec::new() }
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

/// What reading one file gave.
pub enum Loaded {
    Article(Box<Article>, LineIndex),
    NotAnArticle,
}

pub fn load_text(text: &str) -> Loaded {
    match parse_article(text) {
        Some(article) => Loaded::Article(Box::new(article), LineIndex::new(text)),
        None => Loaded::NotAnArticle,
    }
}

/// Reads a file as UTF-8 text within the size limit.
pub fn read_text(path: &Path) -> Result<String, ScanProblem> {
    read_stamped(path).map(|(text, _)| text)
}

/// Reads a file as [`read_text`] does, with the stamp it had before it was
/// read (so that a change while reading gives another stamp next time).
pub fn read_stamped(path: &Path) -> Result<(String, Option<Stamp>), ScanProblem> {
    let problem = |kind, message: String| ScanProblem { path: path.to_owned(), kind, message };
    let metadata = std::fs::metadata(path).map_err(|error| problem(ProblemKind::Io, error.to_string()))?;
    let stamp = Stamp::of(&metadata);
    if metadata.len() > MAX_FILE_BYTES {
        return Err(problem(
            ProblemKind::Skipped,
            format!("skipped: {} bytes is over the {MAX_FILE_BYTES}-byte limit", metadata.len()),
        ));
    }
    let bytes = std::fs::read(path).map_err(|error| problem(ProblemKind::Io, error.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|error| {
        let at = error.utf8_error().valid_up_to();
        problem(ProblemKind::Skipped, format!("skipped: not UTF-8 text (invalid byte at offset {at})"))
    })?;
    Ok((text, stamp))
}

/// Every file under `roots` that the options include, honouring `.gitignore`
/// and skipping hidden folders, `target/` and `node_modules/`. A root that is
/// a file is taken as it is.
pub fn discover(roots: &[PathBuf], options: &ScanOptions) -> Result<Vec<PathBuf>, ScanProblem> {
    let mut files = Vec::new();
    for root in roots {
        let metadata = std::fs::metadata(root).map_err(|error| ScanProblem {
            path: root.clone(),
            kind: ProblemKind::Io,
            message: error.to_string(),
        })?;
        if metadata.is_file() {
            files.push(root.clone());
            continue;
        }
        let overrides = overrides(root, options)?;
        let walker = WalkBuilder::new(root)
            .overrides(overrides)
            .filter_entry(|entry| {
                let is_dir = entry.file_type().is_some_and(|kind| kind.is_dir());
                !(is_dir && entry.file_name().to_str().is_some_and(|name| SKIPPED_DIRS.contains(&name)))
            })
            .build_parallel();
        let (sender, receiver) = std::sync::mpsc::channel();
        walker.run(|| {
            let sender = sender.clone();
            Box::new(move |entry| {
                if let Ok(entry) = entry
                    && entry.file_type().is_some_and(|kind| kind.is_file())
                {
                    let _ = sender.send(entry.into_path());
                }
                ignore::WalkState::Continue
            })
        });
        drop(sender);
        files.extend(receiver);
    }
    // By bytes rather than by path components: the same order for
    // deduplication and repeatable output, at a tenth of the cost.
    files.sort_unstable_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
    files.dedup();
    Ok(files)
}

fn overrides(root: &Path, options: &ScanOptions) -> Result<ignore::overrides::Override, ScanProblem> {
    let invalid = |message: String| ScanProblem { path: root.to_owned(), kind: ProblemKind::Io, message };
    let mut builder = OverrideBuilder::new(root);
    for glob in &options.include {
        builder.add(glob).map_err(|error| invalid(format!("bad include glob: {error}")))?;
    }
    for glob in &options.exclude {
        builder.add(&format!("!{glob}")).map_err(|error| invalid(format!("bad exclude glob: {error}")))?;
    }
    builder.build().map_err(|error| invalid(format!("bad globs: {error}")))
}

/// The result of reading a set of files into an index.
pub struct Scan {
    pub index: ArticleIndex,
    /// Files read, articles or not.
    pub files: usize,
    pub problems: Vec<ScanProblem>,
}

/// Reads and parses one file for the index. The article is shrunk here, on
/// the reading thread, so that the long texts of a whole scan are never all
/// held at once.
pub fn load_for_index(path: &Path) -> Result<(Loaded, Option<Stamp>), ScanProblem> {
    let (text, stamp) = read_stamped(path)?;
    let loaded = match load_text(&text) {
        Loaded::Article(mut article, line_index) => {
            article.shrink_for_index(QUESTION_BYTES);
            Loaded::Article(article, line_index)
        }
        other => other,
    };
    Ok((loaded, stamp))
}

/// A file read and parsed, ready for the index.
type ParsedFile = (FilePath, Article, LineIndex);

/// Reads and parses `paths` on every core, then indexes them.
pub fn index_files(paths: &[PathBuf]) -> Scan {
    let loaded: Vec<Result<Option<ParsedFile>, ScanProblem>> = paths
        .par_iter()
        .map(|path| {
            Ok(match load_for_index(path)?.0 {
                Loaded::Article(article, line_index) => {
                    Some((FilePath::new(path.to_string_lossy().as_ref()), *article, line_index))
                }
                Loaded::NotAnArticle => None,
            })
        })
        .collect();
    let (articles, problems) = partition(loaded);
    Scan { index: ArticleIndex::from_articles(articles), files: paths.len(), problems }
}

/// Splits per-file outcomes into what was found and what went wrong.
pub(crate) fn partition<T, E>(outcomes: Vec<Result<Option<T>, E>>) -> (Vec<T>, Vec<E>) {
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
