//! References: every related block that links to an article, and the code
//! lens that counts them.

use text_size::{TextRange, TextSize};

use super::cursor::{Cursor, LinkField, OwnField, cursor_at};
use super::{CurrentFile, FileRange};
use crate::article::LinkFieldName;
use crate::index::{ArticleIndex, FileId};
use crate::resolve::resolve_link;
use crate::summary::{ArticleSummary, LinkSummary};

/// On the article's own `id`, `url` or `title`: the matching field of every
/// block linking to it. On a related block: the same for the block's target.
pub fn references(
    index: &ArticleIndex,
    current: CurrentFile<'_>,
    offset: TextSize,
    include_declaration: bool,
) -> Vec<FileRange> {
    let file = current.file;
    let (target, kind) = match cursor_at(current.article, current.text, offset) {
        Some(Cursor::Own { field: field @ (OwnField::Id | OwnField::Url | OwnField::Title), .. }) => {
            (file, field)
        }
        Some(Cursor::Link { link, field }) => {
            let Some(target) = resolve_link(index, link).target() else { return Vec::new() };
            let kind = match field {
                LinkField::Url => OwnField::Url,
                LinkField::Title => OwnField::Title,
                _ => OwnField::Id,
            };
            (target, kind)
        }
        _ => return Vec::new(),
    };
    let mut found = Vec::new();
    if include_declaration
        && let Some(target_entry) = index.get(target)
        && let Some(range) = own_field(&target_entry.summary, kind)
    {
        found.push(FileRange { file: target, range });
    }
    found.extend(links_to(index, target).map(|(referrer, link)| FileRange {
        file: referrer,
        range: link.field(link_field(kind)).map_or(link.key, |field| field.range),
    }));
    found
}

/// Every related block, in any article, that resolves to `target`.
pub(crate) fn links_to(index: &ArticleIndex, target: FileId) -> impl Iterator<Item = (FileId, &LinkSummary)> {
    index.backlinks_of(target).into_iter().flat_map(move |referrer| {
        let links = index.get(referrer).map(|entry| &*entry.summary.links).unwrap_or_default();
        links
            .iter()
            .filter(move |link| resolve_link(index, *link).target() == Some(target))
            .map(move |link| (referrer, link))
    })
}

/// The lens on the article's `id` line: how many articles link here.
pub fn backlink_lens(index: &ArticleIndex, current: CurrentFile<'_>) -> Option<(TextRange, usize)> {
    let id = current.article.id.as_ref()?;
    Some((id.key, index.backlinks_of(current.file).len()))
}

/// Where the article's own field of this kind is.
fn own_field(article: &ArticleSummary, kind: OwnField) -> Option<TextRange> {
    match kind {
        OwnField::Id => article.id_at,
        OwnField::Url => article.url_at,
        OwnField::Title => article.title_at,
        OwnField::Subject => None,
    }
}

fn link_field(kind: OwnField) -> LinkFieldName {
    match kind {
        OwnField::Id => LinkFieldName::Id,
        OwnField::Url => LinkFieldName::Url,
        OwnField::Title => LinkFieldName::Title,
        OwnField::Subject => LinkFieldName::Subject,
    }
}
