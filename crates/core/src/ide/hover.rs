//! Hover: what a related block links to, or who links to this article.

use std::fmt::Write;

use text_size::{TextRange, TextSize};

use super::CurrentFile;
use super::cursor::{Cursor, OwnField, cursor_at, field_extent};
use super::preview::{LongTexts, text_preview};
use crate::article::RelatedLink;
use crate::index::{ArticleIndex, FileId};
use crate::resolve::{LinkTarget, resolve_link};
use crate::suggest::closest_articles;
use crate::summary::ArticleSummary;

/// How many referrers a hover lists by name.
const LISTED_REFERRERS: usize = 10;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub range: TextRange,
    pub markdown: String,
}

/// `long_texts_of` gives an article's question and answer, read from its
/// text: the index does not keep them.
pub fn hover(
    index: &ArticleIndex,
    current: CurrentFile<'_>,
    offset: TextSize,
    preview_chars: usize,
    long_texts_of: impl Fn(FileId) -> Option<LongTexts>,
) -> Option<Hover> {
    let CurrentFile { file, text, article } = current;
    match cursor_at(article, text, offset)? {
        Cursor::Link { link, .. } => {
            let markdown = link_hover(index, link, preview_chars, long_texts_of)?;
            Some(Hover { range: link.range, markdown })
        }
        Cursor::Own { field: OwnField::Id | OwnField::Url, value } => {
            Some(Hover { range: field_extent(value, text), markdown: referrers_hover(index, file) })
        }
        Cursor::Own { .. } => None,
    }
}

/// Hover on a link of a file outside every workspace folder: what it links
/// to cannot be known, so it says so rather than "broken".
pub fn unchecked_link_hover(current: CurrentFile<'_>, offset: TextSize) -> Option<Hover> {
    match cursor_at(current.article, current.text, offset)? {
        Cursor::Link { link, .. } => Some(Hover {
            range: link.range,
            markdown: "**Links not checked**: this file is outside every workspace folder, so the other \
                       articles are unknown. Open the articles' folder as a workspace folder, or add an \
                       `article-lsp.toml` (it may be empty) at the articles' top folder."
                .to_owned(),
        }),
        Cursor::Own { .. } => None,
    }
}

fn link_hover(
    index: &ArticleIndex,
    link: &RelatedLink,
    preview_chars: usize,
    long_texts_of: impl Fn(FileId) -> Option<LongTexts>,
) -> Option<String> {
    let article = |file: FileId| index.get(file).map(|entry| &entry.summary);
    match resolve_link(index, link) {
        LinkTarget::Unresolvable => None,
        LinkTarget::Broken => {
            let mut out = String::from("**Broken link**: no article has this ");
            out += match (link.target_id(), link.target_url()) {
                (Some(_), Some(_)) => "id or url.",
                (Some(_), None) => "id.",
                _ => "url.",
            };
            let title = link.title.as_ref().and_then(|field| field.text());
            if let Some((closest, _)) = closest_articles(index, title, link.target_url(), 1).first()
                && let Some(closest) = article(*closest)
            {
                let _ = write!(out, "\n\nClosest article: {}", one_line(closest));
            }
            Some(out)
        }
        LinkTarget::Mismatch { by_id, by_url } => {
            let (by_id, by_url) = (article(by_id)?, article(by_url)?);
            Some(format!(
                "**Link mismatch**: the id and the url name different articles.\n\n- id: {}\n- url: {}",
                one_line(by_id),
                one_line(by_url)
            ))
        }
        LinkTarget::Resolved(target) | LinkTarget::ById(target) | LinkTarget::ByUrl(target) => {
            Some(article_card(index, target, preview_chars, &long_texts_of(target).unwrap_or_default()))
        }
    }
}

/// Title, subject, url, question, the start of the answer, and backlinks.
fn article_card(index: &ArticleIndex, file: FileId, preview_chars: usize, texts: &LongTexts) -> String {
    let Some(entry) = index.get(file) else { return String::new() };
    let article = &entry.summary;
    let mut out = format!("### {}\n\n", article.title_text().unwrap_or("(untitled)"));
    let facts: Vec<String> = [
        article.subject_text().map(str::to_owned),
        article.article_url().map(|url| format!("`{url}`")),
        article.id.map(|id| format!("id {id}")),
    ]
    .into_iter()
    .flatten()
    .collect();
    let _ = write!(out, "{}\n\n", facts.join(" · "));
    if let Some(question) = &texts.question {
        let _ = write!(out, "**{}**\n\n", text_preview(question, preview_chars));
    }
    if let Some(answer) = &texts.answer {
        let _ = write!(out, "{}\n\n", text_preview(answer, preview_chars));
    }
    let count = index.backlinks_of(file).len();
    let _ = write!(out, "---\n\n{}", linked_from(count));
    out
}

fn referrers_hover(index: &ArticleIndex, file: FileId) -> String {
    let referrers = index.backlinks_of(file);
    let mut out = linked_from(referrers.len());
    for referrer in referrers.iter().take(LISTED_REFERRERS) {
        if let Some(entry) = index.get(*referrer) {
            let _ = write!(out, "\n- {}", one_line(&entry.summary));
        }
    }
    if referrers.len() > LISTED_REFERRERS {
        let _ = write!(out, "\n- … and {} more", referrers.len() - LISTED_REFERRERS);
    }
    out
}

fn linked_from(count: usize) -> String {
    match count {
        0 => "No article links here.".to_owned(),
        1 => "1 article links here.".to_owned(),
        n => format!("{n} articles link here."),
    }
}

fn one_line(article: &ArticleSummary) -> String {
    let title = article.title_text().unwrap_or("(untitled)");
    match article.id {
        Some(id) => format!("“{title}” (id {id})"),
        None => format!("“{title}”"),
    }
}
