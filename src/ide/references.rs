//! References: every related block that links to an article, and the code
//! lens that counts them.

use text_size::{TextRange, TextSize};

use super::FileRange;
use super::cursor::{Cursor, LinkField, OwnField, cursor_at};
use crate::article::{Field, RelatedLink};
use crate::index::{ArticleIndex, FileId};
use crate::resolve::resolve_link;

/// On the article's own `id`, `url` or `title`: the matching field of every
/// block linking to it. On a related block: the same for the block's target.
pub fn references(
    index: &ArticleIndex,
    file: FileId,
    text: &str,
    offset: TextSize,
    include_declaration: bool,
) -> Vec<FileRange> {
    let Some(entry) = index.get(file) else { return Vec::new() };
    let (target, kind) = match cursor_at(&entry.article, text, offset) {
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
        && let Some(own) = own_field(&target_entry.article, kind)
    {
        found.push(FileRange { file: target, range: own.value_range() });
    }
    found.extend(links_to(index, target).map(|(referrer, link)| FileRange {
        file: referrer,
        range: link_field(link, kind).map_or(link.key, Field::value_range),
    }));
    found
}

/// Every related block, in any article, that resolves to `target`.
pub fn links_to(index: &ArticleIndex, target: FileId) -> impl Iterator<Item = (FileId, &RelatedLink)> {
    index.backlinks_of(target).into_iter().flat_map(move |referrer| {
        let links = index.get(referrer).map(|entry| entry.article.related.as_slice()).unwrap_or_default();
        links
            .iter()
            .filter(move |link| resolve_link(index, link).target() == Some(target))
            .map(move |link| (referrer, link))
    })
}

/// The lens on the article's `id` line: how many articles link here.
pub fn backlink_lens(index: &ArticleIndex, file: FileId) -> Option<(TextRange, usize)> {
    let id = index.get(file)?.article.id.as_ref()?;
    Some((id.key, index.backlinks_of(file).len()))
}

fn own_field(article: &crate::article::Article, kind: OwnField) -> Option<&Field> {
    match kind {
        OwnField::Id => article.id.as_ref(),
        OwnField::Url => article.url.as_ref(),
        OwnField::Title => article.title.as_ref(),
        OwnField::Subject => article.subject.as_ref(),
    }
}

fn link_field(link: &RelatedLink, kind: OwnField) -> Option<&Field> {
    match kind {
        OwnField::Id => link.id.as_ref(),
        OwnField::Url => link.url.as_ref(),
        OwnField::Title => link.title.as_ref(),
        OwnField::Subject => link.subject.as_ref(),
    }
}
