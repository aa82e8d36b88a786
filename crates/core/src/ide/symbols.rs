//! Symbols: the article and its related blocks as an outline, and any
//! article of the workspace by title or id.

use text_size::TextRange;

use super::CurrentFile;
use super::search::{query_words, search};
use crate::index::{ArticleIndex, FileId};
use crate::resolve::resolve_link;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    Article,
    Link,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    pub range: TextRange,
    pub selection_range: TextRange,
    pub children: Vec<DocumentSymbol>,
}

pub fn document_symbols(index: &ArticleIndex, current: CurrentFile<'_>) -> Vec<DocumentSymbol> {
    let article = current.article;
    let children = article
        .related
        .iter()
        .map(|link| {
            let target_title = resolve_link(index, link)
                .target()
                .and_then(|target| index.get(target)?.summary.title_text().map(str::to_owned));
            let own_title = link.title.as_ref().and_then(|field| field.text()).map(str::to_owned);
            DocumentSymbol {
                name: format!("related_article{}", link.number),
                detail: target_title.or(own_title).or_else(|| Some("broken link".to_owned())),
                kind: SymbolKind::Link,
                range: link.range,
                selection_range: link.key,
                children: Vec::new(),
            }
        })
        .collect();
    let selection_range = article.title.as_ref().map_or(article.open_fence, |title| title.value_range());
    vec![DocumentSymbol {
        name: article.title_text().unwrap_or("(untitled article)").to_owned(),
        detail: article.article_id().map(|id| format!("id {id}")),
        kind: SymbolKind::Article,
        range: TextRange::new(article.open_fence.start(), article.front_matter.end()),
        selection_range,
        children,
    }]
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    pub name: String,
    pub detail: String,
    pub file: FileId,
    pub range: TextRange,
}

/// Articles matching `query` (an id prefix, or words starting title words),
/// titles starting with the query first, then shorter titles.
pub fn workspace_symbols(index: &ArticleIndex, query: &str, limit: usize) -> Vec<WorkspaceSymbol> {
    let found = search(index, query, limit.saturating_mul(8));
    let words = query_words(query);
    let mut ranked: Vec<(bool, usize, WorkspaceSymbol)> = found
        .files
        .into_iter()
        .filter_map(|file| {
            let article = &index.get(file)?.summary;
            let title = article.title_text()?.to_owned();
            let starts = words.first().is_some_and(|word| title.to_lowercase().starts_with(word.as_str()));
            let detail = [article.id.map(|id| format!("id {id}")), article.subject_text().map(str::to_owned)]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(" · ");
            let range = article.title_range();
            Some((!starts, title.len(), WorkspaceSymbol { name: title, detail, file, range }))
        })
        .collect();
    ranked.sort_by(|a, b| (a.0, a.1, &a.2.name).cmp(&(b.0, b.1, &b.2.name)));
    ranked.into_iter().take(limit).map(|(.., symbol)| symbol).collect()
}
