//! Document links: every `url` value that names an article opens its file.

use super::CurrentFile;
use crate::index::{ArticleIndex, FileId};
use crate::resolve::first_by_path;

/// (the url value's range in the current file, the article it names).
pub fn document_links(index: &ArticleIndex, current: CurrentFile<'_>) -> Vec<(text_size::TextRange, FileId)> {
    let article = current.article;
    let own = article.url.iter().map(|field| (field, field.url().ok()));
    let related =
        article.related.iter().filter_map(|link| link.url.as_ref()).map(|field| (field, field.url().ok()));
    own.chain(related)
        .filter_map(|(field, url)| {
            let target = first_by_path(index, index.with_url(url?))?;
            Some((field.value_range(), target))
        })
        .collect()
}
