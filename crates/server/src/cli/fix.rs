//! `check --fix`: the safe fixes (stale link fields, `file_name`) written to
//! disk, each file atomically, or shown as a unified diff.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use article_core::article::parse_article;
use article_core::ide::code_actions::fix_all;
use article_core::ide::{CurrentFile, apply_edits};
use article_core::index::{ArticleIndex, FileId};
use article_core::summary::ArticleSummary;
use article_workspace::boundary::Boundary;
use article_workspace::files::read_text;
use article_workspace::walk::partition;

/// One file's fix: its text before and after.
pub struct FileFix {
    pub path: PathBuf,
    pub before: String,
    pub after: String,
    pub edits: usize,
}

/// The fixes of `files`. A file that changed on disk since it was indexed is
/// left alone (its ranges would be wrong) and reported, and so is one that
/// no boundary admits: fixes are written only inside the checked folders,
/// never through a symbolic link (which the rename would replace by a file,
/// or which would lead the write outside).
pub fn plan(index: &ArticleIndex, files: &[FileId], boundaries: &[Boundary]) -> (Vec<FileFix>, Vec<String>) {
    let planned: Vec<Result<Option<FileFix>, String>> =
        files.par_iter().map(|file| plan_file(index, *file, boundaries)).collect();
    let (mut fixes, problems) = partition(planned);
    fixes.sort_by(|a, b| a.path.cmp(&b.path));
    (fixes, problems)
}

fn plan_file(index: &ArticleIndex, file: FileId, boundaries: &[Boundary]) -> Result<Option<FileFix>, String> {
    let Some(entry) = index.get(file) else { return Ok(None) };
    let path = PathBuf::from(entry.path.as_str());
    if !boundaries.iter().any(|boundary| boundary.admit(&path).is_ok()) {
        return Err(format!("{}: reached through a symbolic link; not fixed", path.display()));
    }
    let before = read_text(&path).map_err(|problem| format!("{}: {}", path.display(), problem.message))?;
    let article = parse_article(&before).filter(|article| ArticleSummary::of(article) == entry.summary);
    let Some(article) = article else {
        return Err(format!("{}: changed while checking; not fixed", path.display()));
    };
    let edits = fix_all(index, CurrentFile { file, text: &before, article: &article });
    if edits.is_empty() {
        return Ok(None);
    }
    let after = apply_edits(&before, &edits);
    Ok(Some(FileFix { path, before, after, edits: edits.len() }))
}

/// Replaces `path` with `contents` atomically: a temporary file beside it,
/// then a rename, so a crash leaves the old file or the new one, never half.
pub fn write_atomically(path: &Path, contents: &str) -> io::Result<()> {
    let folder = path.parent().filter(|folder| !folder.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut temporary = tempfile::NamedTempFile::new_in(folder)?;
    temporary.write_all(contents.as_bytes())?;
    temporary.as_file().sync_all()?;
    let permissions = std::fs::metadata(path)?.permissions();
    temporary.as_file().set_permissions(permissions)?;
    temporary.persist(path).map_err(|error| error.error)?;
    Ok(())
}

/// A unified diff of one fix, with the file's path on both sides.
pub fn unified_diff(fix: &FileFix) -> String {
    let name = fix.path.display().to_string();
    let (old, new) = if fix.path.is_absolute() {
        (name.clone(), name)
    } else {
        (format!("a/{name}"), format!("b/{name}"))
    };
    similar::TextDiff::from_lines(&fix.before, &fix.after)
        .unified_diff()
        .context_radius(3)
        .header(&old, &new)
        .to_string()
}
