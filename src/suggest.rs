//! "Did you mean": the existing article closest to a broken link.

use rapidfuzz::distance::levenshtein;

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

    // Counting shared words by sorting the files' ids beats a hash map by
    // several times: this runs for every broken link of a scan.
    let mut hits: Vec<FileId> = Vec::new();
    for word in &words {
        let files = index.with_title_word(word);
        if files.len() <= MAX_WORD_FILES {
            hits.extend_from_slice(files);
        }
    }
    // Each word's files are sorted: a stable sort merges the runs.
    hits.sort();
    let mut candidates: Vec<(FileId, usize)> = Vec::new();
    for run in hits.chunk_by(|a, b| a == b) {
        candidates.push((run[0], run.len()));
    }
    // Ties go by path, which the files themselves fix, not by file id,
    // which is the order they were read in: `check` and the server, and
    // two starts of the server, must name the same article.
    let path = |file: FileId| index.path(file);
    let best_first =
        |a: &(FileId, usize), b: &(FileId, usize)| b.1.cmp(&a.1).then_with(|| path(a.0).cmp(path(b.0)));
    if candidates.len() > MAX_CANDIDATES {
        candidates.select_nth_unstable_by(MAX_CANDIDATES, best_first);
        candidates.truncate(MAX_CANDIDATES);
    }
    candidates.sort_unstable_by(best_first);

    let title = title.map(str::to_lowercase);
    let mut scored: Vec<(FileId, f64)> = candidates
        .into_iter()
        .filter_map(|(file, _)| {
            let article = &index.get(file)?.article;
            let by_title = title
                .as_deref()
                .zip(article.title_text())
                .and_then(|(wanted, have)| similarity(wanted, &have.to_lowercase()));
            let by_url = url.zip(article.article_url()).and_then(|(wanted, have)| similarity(wanted, have));
            let score = by_title.into_iter().chain(by_url).reduce(f64::max)?;
            Some((file, score))
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| path(a.0).cmp(path(b.0))));
    scored.truncate(limit);
    scored
}

/// Normalized Levenshtein similarity (1 − distance ÷ the longer length, in
/// chars), when it reaches [`MIN_SIMILARITY`]. The bit-parallel algorithm
/// with a cutoff costs a fraction of the full table: this runs for every
/// broken link of a scan.
fn similarity(a: &str, b: &str) -> Option<f64> {
    let args = levenshtein::Args::default().score_cutoff(MIN_SIMILARITY);
    levenshtein::normalized_similarity_with_args(a.chars(), b.chars(), &args)
}

#[cfg(test)]
mod tests {
    use super::{closest_articles, similarity};
    use crate::article::parse_article;
    use crate::index::{ArticleIndex, FilePath};
    use crate::line_index::LineIndex;

    #[test]
    fn equally_close_articles_are_ranked_by_path_whatever_the_read_order() {
        let text = |title: &str| format!("---\nid: 1\ntitle: {title}\nurl: /x\n---\n");
        let files = [("/b.md", "How tides work"), ("/a.md", "How tides work"), ("/c.md", "How tides work")];
        let best = |order: &[usize]| {
            let mut index = ArticleIndex::new();
            for &at in order {
                let (path, title) = files[at];
                let article = parse_article(&text(title)).expect("an article");
                index.upsert(FilePath::new(path), article, LineIndex::new(&text(title)));
            }
            let found = closest_articles(&index, Some("How tide works"), None, 3);
            found.into_iter().map(|(file, _)| index.path(file).as_str().to_owned()).collect::<Vec<_>>()
        };
        assert_eq!(best(&[0, 1, 2]), ["/a.md", "/b.md", "/c.md"]);
        assert_eq!(best(&[2, 1, 0]), ["/a.md", "/b.md", "/c.md"]);
    }

    #[test]
    fn similarity_is_normalized_levenshtein_above_the_cutoff() {
        assert_eq!(similarity("kitten", "kitten"), Some(1.0));
        // Three edits over seven chars.
        assert_eq!(similarity("kitten", "sitting"), None);
        let close = similarity("/learn/x/questions/how-tides-work", "/learn/x/questions/how-tide-works");
        assert_eq!(close, Some(1.0 - 2.0 / 33.0));
        assert_eq!(similarity("漢字かな", "漢字かな!"), Some(0.8));
        assert_eq!(similarity("", "abc"), None);
    }
}
