//! "Did you mean": the existing article closest to a broken link.

use std::collections::HashMap;

use crate::index::{ArticleIndex, FileId, title_words};

/// Words this common find too many candidates to say anything.
const MAX_WORD_FILES: usize = 1_000;
/// Candidates sharing the most words are compared in full (edit distance is
/// quadratic: a broken link must cost microseconds, not milliseconds).
const MAX_CANDIDATES: usize = 4;
/// How alike (0 to 1) a title or url must be to be suggested.
const MIN_SIMILARITY: f64 = 0.6;

/// Up to `limit` articles whose title or url is close to the given ones,
/// best first, with their similarity.
pub fn closest_articles(
    index: &ArticleIndex,
    title: Option<&str>,
    url: Option<&str>,
    limit: usize,
) -> Vec<(FileId, f64)> {
    let slug = url.and_then(|url| url.rsplit('/').next()).unwrap_or("");
    let mut words = title_words(title.unwrap_or(""));
    words.extend(title_words(&slug.replace('-', " ")));
    words.sort_unstable();
    words.dedup();

    let mut hits: HashMap<FileId, usize> = HashMap::new();
    for word in &words {
        let files = index.with_title_word(word);
        if files.len() <= MAX_WORD_FILES {
            for file in files {
                *hits.entry(*file).or_default() += 1;
            }
        }
    }
    let mut candidates: Vec<(FileId, usize)> = hits.into_iter().collect();
    candidates.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    candidates.truncate(MAX_CANDIDATES);

    let title = title.map(str::to_lowercase);
    let mut scored: Vec<(FileId, f64)> = candidates
        .into_iter()
        .filter_map(|(file, _)| {
            let article = &index.get(file)?.article;
            let by_title = title
                .as_deref()
                .zip(article.title_text())
                .map(|(wanted, have)| strsim::normalized_levenshtein(wanted, &have.to_lowercase()));
            let by_url = url
                .zip(article.article_url())
                .map(|(wanted, have)| strsim::normalized_levenshtein(wanted, have));
            let score = by_title.unwrap_or(0.0).max(by_url.unwrap_or(0.0));
            (score >= MIN_SIMILARITY).then_some((file, score))
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored.truncate(limit);
    scored
}
