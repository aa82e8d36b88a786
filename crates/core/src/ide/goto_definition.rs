//! Go to definition: from a related block to the article it links to.

use text_size::TextSize;

use super::cursor::{Cursor, cursor_at};
use super::{CurrentFile, FileRange};
use crate::index::{ArticleIndex, FileId};
use crate::resolve::resolve_link;

/// The linked article's file, at its `title` (or its front matter's start).
/// A broken link has no definition.
pub fn goto_definition(
    index: &ArticleIndex,
    current: CurrentFile<'_>,
    offset: TextSize,
) -> Option<FileRange> {
    let Cursor::Link { link, .. } = cursor_at(current.article, current.text, offset)? else { return None };
    let target = resolve_link(index, link).target()?;
    Some(FileRange { file: target, range: title_range(index, target)? })
}

/// Where an article is "defined": its title's value, else its opening fence.
pub(crate) fn title_range(index: &ArticleIndex, file: FileId) -> Option<text_size::TextRange> {
    Some(index.get(file)?.summary.title_range())
}
