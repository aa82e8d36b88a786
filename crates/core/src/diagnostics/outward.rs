//! What other files' diagnostics read of an article: while none of it
//! changes, an edit to the article (its answer, its body, its own links)
//! can change no diagnostic but its own.

use crate::article::ArticleId;
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
        let summary = &entry.summary;
        Some(AsLinked {
            id: summary.id,
            url: summary.article_url().map(str::to_owned),
            title: summary.title_text().map(str::to_owned),
            subject: summary.subject_text().map(str::to_owned),
            title_at: entry.line_index.places_in_every_encoding(summary.title_at),
        })
    }
}

impl AsClaimant {
    /// `None` when `path` holds no indexed article.
    pub fn of(index: &ArticleIndex, path: &FilePath) -> Option<AsClaimant> {
        let entry = index.get_by_path(path)?;
        let summary = &entry.summary;
        let claimed_at = |at: Option<_>| at.unwrap_or(summary.open_fence);
        Some(AsClaimant {
            id: summary.id,
            url: summary.article_url().map(str::to_owned),
            claimed_at: entry
                .line_index
                .places_in_every_encoding([claimed_at(summary.id_at), claimed_at(summary.url_at)]),
        })
    }
}
