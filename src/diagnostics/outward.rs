//! What other files' diagnostics read of an article: while none of it
//! changes, an edit to the article (its answer, its body, its own links)
//! can change no diagnostic but its own.

use crate::article::{ArticleId, Field};
use crate::index::{ArticleIndex, FilePath};
use crate::line_index::LineCol;

/// An article as the articles linking to it see it: what resolves their
/// links, what their stale checks compare, what their messages name, and
/// where a mismatch's or a hint's related information points (its title).
#[derive(Debug, PartialEq, Eq)]
pub struct AsLinked {
    id: Option<ArticleId>,
    url: Option<String>,
    title: Option<String>,
    subject: Option<String>,
    title_at: Vec<LineCol>,
}

/// An article as the articles sharing its id or url see it: what it claims,
/// and where their related information points (the claiming fields, or the
/// opening fence).
#[derive(Debug, PartialEq, Eq)]
pub struct AsClaimant {
    id: Option<ArticleId>,
    url: Option<String>,
    claimed_at: Vec<LineCol>,
}

impl AsLinked {
    /// `None` when `path` holds no indexed article.
    pub fn of(index: &ArticleIndex, path: &FilePath) -> Option<AsLinked> {
        let entry = index.get_by_path(path)?;
        let article = &entry.article;
        Some(AsLinked {
            id: article.article_id(),
            url: article.article_url().map(str::to_owned),
            title: article.title_text().map(str::to_owned),
            subject: article.subject_text().map(str::to_owned),
            title_at: entry
                .line_index
                .places_in_every_encoding(article.title.as_ref().map(Field::value_range)),
        })
    }
}

impl AsClaimant {
    /// `None` when `path` holds no indexed article.
    pub fn of(index: &ArticleIndex, path: &FilePath) -> Option<AsClaimant> {
        let entry = index.get_by_path(path)?;
        let article = &entry.article;
        let claimed_at =
            |field: &Option<Field>| field.as_ref().map_or(article.open_fence, Field::value_range);
        Some(AsClaimant {
            id: article.article_id(),
            url: article.article_url().map(str::to_owned),
            claimed_at: entry
                .line_index
                .places_in_every_encoding([claimed_at(&article.id), claimed_at(&article.url)]),
        })
    }
}
