//! "Did you mean": the existing article closest to a broken link.

use rapidfuzz::distance::levenshtein;

use crate::article::ArticleId;
use crate::index::{ArticleIndex, FileId, FilePath, link_words, title_words};
use crate::line_index::LineCol;

/// Words this common find too many candidates to say anything.
const MAX_WORD_FILES: usize = 1_000;
/// Candidates sharing the most words are compared in full (edit distance is
/// quadratic: a broken link must cost microseconds, not milliseconds).
const MAX_CANDIDATES: usize = 4;
/// How alike (0 to 1) a title or url must be to be suggested.
const MIN_SIMILARITY: f64 = 0.6;

/// Up to `limit` articles whose title or url is close to the given ones,
/// best first, with their similarity.
pub(crate) fn closest_articles(
    index: &ArticleIndex,
    title: Option<&str>,
    url: Option<&str>,
    limit: usize,
) -> Vec<(FileId, f64)> {
    let words = link_words(title, url);

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
    let candidates = sharing_most_words(index, candidates);

    let title = title.map(str::to_lowercase);
    let mut scored: Vec<(FileId, f64)> = candidates
        .into_iter()
        .filter_map(|file| {
            let article = &index.get(file)?.summary;
            let by_title = title
                .as_deref()
                .zip(article.title_text())
                .and_then(|(wanted, have)| similarity(wanted, &have.to_lowercase()));
            let by_url = url.zip(article.article_url()).and_then(|(wanted, have)| similarity(wanted, have));
            let score = by_title.into_iter().chain(by_url).reduce(f64::max)?;
            Some((file, score))
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(index.cmp_paths(a.0, b.0)));
    scored.truncate(limit);
    scored
}

/// The [`MAX_CANDIDATES`] candidates sharing the most words, best first.
/// Ties go to the path that sorts first (see [`ArticleIndex::cmp_paths`]):
/// the same files must give the same hint, however they were read.
fn sharing_most_words(index: &ArticleIndex, mut candidates: Vec<(FileId, usize)>) -> Vec<FileId> {
    let best_first = |a: &(FileId, usize), b: &(FileId, usize)| b.1.cmp(&a.1).then(index.cmp_paths(a.0, b.0));
    if candidates.len() > MAX_CANDIDATES {
        candidates.select_nth_unstable_by(MAX_CANDIDATES - 1, |a, b| b.1.cmp(&a.1));
        let cut = candidates[MAX_CANDIDATES - 1].1;
        let (mut kept, tied): (Vec<_>, Vec<_>) =
            candidates.into_iter().filter(|(_, count)| *count >= cut).partition(|(_, count)| *count > cut);
        // The first among the tied, kept in order: most are rejected by one
        // comparison with the last kept.
        let wanted = MAX_CANDIDATES - kept.len();
        let mut first: Vec<(FileId, usize)> = Vec::with_capacity(wanted + 1);
        for candidate in tied {
            if first.len() == wanted && first.last().is_some_and(|last| best_first(last, &candidate).is_le())
            {
                continue;
            }
            let at = first.partition_point(|kept| best_first(kept, &candidate).is_le());
            first.insert(at, candidate);
            first.truncate(wanted);
        }
        kept.append(&mut first);
        candidates = kept;
    }
    candidates.sort_by(best_first);
    candidates.into_iter().map(|(file, _)| file).collect()
}

/// What of an article a "did you mean" shows or ranks it by, and the words
/// by which it is a candidate: while none of it changes, no hint does.
#[derive(Debug, PartialEq, Eq)]
pub struct HintFacts {
    id: Option<ArticleId>,
    url: Option<String>,
    title: Option<String>,
    /// Where the hint's related information points, in every encoding.
    title_at: Option<Vec<LineCol>>,
    /// Its title words that find candidates, or that would with one file
    /// fewer: a word leaving the article can bring a too common one back.
    words: Vec<String>,
}

impl HintFacts {
    pub fn of(index: &ArticleIndex, path: &FilePath) -> Option<HintFacts> {
        let entry = index.get_by_path(path)?;
        let article = &entry.summary;
        let title_at = article.title_at.map(|range| entry.line_index.places_in_every_encoding([range]));
        let mut words = title_words(article.title_text().unwrap_or(""));
        words.retain(|word| index.with_title_word(word).len() <= MAX_WORD_FILES + 1);
        Some(HintFacts {
            id: article.id,
            url: article.article_url().map(str::to_owned),
            title: article.title_text().map(str::to_owned),
            title_at,
            words,
        })
    }
}

/// Files whose broken links' hints may change when an article's facts go
/// from `before` to `after` (`None`: no article): those sharing one of its
/// words, old or new, through which alone it can be their candidate.
pub fn hinted_files(
    index: &mut ArticleIndex,
    before: Option<&HintFacts>,
    after: Option<&HintFacts>,
) -> Vec<FileId> {
    let words: Vec<String> = before.into_iter().chain(after).flat_map(|facts| facts.words.clone()).collect();
    index.files_with_broken_links(&words)
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
    use crate::index::{ArticleIndex, FilePath};
    use crate::line_index::LineIndex;
    use crate::summary::ArticleSummary;

    #[test]
    fn equally_close_articles_are_ranked_by_path_whatever_the_read_order() {
        let text = |title: &str| format!("---\nid: 1\ntitle: {title}\nurl: /x\n---\n");
        let files = [("/b.md", "How tides work"), ("/a.md", "How tides work"), ("/c.md", "How tides work")];
        let best = |order: &[usize]| {
            let mut index = ArticleIndex::new();
            for &at in order {
                let (path, title) = files[at];
                let article = ArticleSummary::of_text(&text(title)).expect("an article");
                index.upsert(FilePath::new(path), article, LineIndex::new(&text(title)));
            }
            let found = closest_articles(&index, Some("How tide works"), None, 3);
            found.into_iter().map(|(file, _)| index.path(file).as_str().to_owned()).collect::<Vec<_>>()
        };
        assert_eq!(best(&[0, 1, 2]), ["/a.md", "/b.md", "/c.md"]);
        assert_eq!(best(&[2, 1, 0]), ["/a.md", "/b.md", "/c.md"]);
    }

    fn index_of<'a>(files: impl Iterator<Item = &'a (&'a str, &'a str)>) -> ArticleIndex {
        let mut index = ArticleIndex::new();
        for (n, (path, title)) in files.enumerate() {
            let text = format!("---\nid: {n}\ntitle: {title}\nurl: /u/{n}\n---\n");
            let article = ArticleSummary::of_text(&text).expect("an article");
            index.upsert(FilePath::new(*path), article, LineIndex::new(&text));
        }
        index
    }

    /// The closest article's path, with the files read in both orders.
    fn closest_both_ways(files: &[(&str, &str)], title: &str) -> [String; 2] {
        [index_of(files.iter()), index_of(files.iter().rev())].map(|index| {
            let found = closest_articles(&index, Some(title), None, 1);
            found.first().map(|(file, _)| index.path(*file).to_string()).unwrap_or_default()
        })
    }

    #[test]
    fn which_candidates_are_compared_does_not_depend_on_the_read_order() {
        // Five share two words, of which four are compared in full.
        let files = [
            ("/s/1.md", "How tides rise"),
            ("/s/2.md", "How tides fall"),
            ("/s/3.md", "How tides turn"),
            ("/s/4.md", "How tides flow"),
            ("/s/5.md", "How tides works"),
        ];
        assert_eq!(closest_both_ways(&files, "How tides work"), ["/s/3.md", "/s/3.md"]);
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
