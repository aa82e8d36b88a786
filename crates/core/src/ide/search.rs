//! Finding articles by what a writer types: an id prefix or words of a title.
//! Shared by completion and workspace symbols; bounded so that it answers in
//! milliseconds at 100,000 articles.

use crate::article::ArticleId;
use crate::index::{ArticleIndex, FileId};

/// A query word with more files than this does not narrow the search.
const UNSELECTIVE: usize = 20_000;

pub(crate) struct Matches {
    /// Matching files, unranked.
    pub files: Vec<FileId>,
    /// False when the search stopped at its budget: more files may match.
    pub complete: bool,
}

/// Files whose id starts with `query` (when it is digits) or whose title
/// contains every word of `query`, each word matching the start of a title
/// word. At most `budget` files are returned.
pub(crate) fn search(index: &ArticleIndex, query: &str, budget: usize) -> Matches {
    let query = query.trim();
    if !query.is_empty() && query.bytes().all(|b| b.is_ascii_digit()) {
        return ids_with_prefix(index, query, budget);
    }
    let words = query_words(query);
    if words.is_empty() {
        return scan(index, budget, |_| true);
    }
    let mut selective = Vec::new();
    // Words the index found already match the start of a title word; only
    // the others (short or too common) are checked in the titles themselves.
    let mut unchecked = Vec::new();
    for word in &words {
        match files_with_word_prefix(index, word) {
            Some(files) => selective.push(files),
            None => unchecked.push(word.clone()),
        }
    }
    let candidates = match intersect(selective) {
        Some(candidates) => candidates,
        // No word narrows the search on its own: the files of the least
        // common one are still far fewer than every title of a large
        // workspace, where a rare pairing of common words would otherwise
        // walk them all.
        None => match least_common_word(index, &unchecked) {
            Some(files) => files,
            None => return scan(index, budget, |file| title_matches(index, file, &unchecked)),
        },
    };
    let mut files = Vec::new();
    for file in candidates {
        if unchecked.is_empty() || title_matches(index, file, &unchecked) {
            if files.len() == budget {
                return Matches { files, complete: false };
            }
            files.push(file);
        }
    }
    Matches { files, complete: true }
}

/// Lower-cased alphanumeric words of a query.
pub(crate) fn query_words(query: &str) -> Vec<String> {
    query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn ids_with_prefix(index: &ArticleIndex, digits: &str, budget: usize) -> Matches {
    let mut files = Vec::new();
    let Ok(prefix) = digits.parse::<ArticleId>() else { return Matches { files, complete: true } };
    // Ids with the prefix and k more digits form one numeric range per k.
    let mut scale: ArticleId = 1;
    while files.len() <= budget {
        let Some(low) = prefix.checked_mul(scale) else { break };
        let high = low.saturating_add(scale - 1);
        files.extend(index.ids_in(low..=high).flat_map(|(_, files)| files.iter().copied()));
        let Some(next) = scale.checked_mul(10) else { break };
        scale = next;
        if prefix == 0 {
            break;
        }
    }
    let complete = files.len() <= budget;
    files.truncate(budget);
    Matches { files, complete }
}

/// Files with a title word starting with `word`, or `None` when the word is
/// too short for the index or too common to narrow anything.
fn files_with_word_prefix(index: &ArticleIndex, word: &str) -> Option<Vec<FileId>> {
    if word.is_ascii() && word.len() < 3 {
        return None;
    }
    let mut files = Vec::new();
    for (_, with_word) in index.title_words_with_prefix(word) {
        files.extend_from_slice(with_word);
        if files.len() > UNSELECTIVE {
            return None;
        }
    }
    files.sort_unstable();
    files.dedup();
    Some(files)
}

/// The files with a title word starting with the query word that has the
/// fewest (among those long enough for the index), in order; `None` when
/// no word is.
fn least_common_word(index: &ArticleIndex, words: &[String]) -> Option<Vec<FileId>> {
    let count = |word: &str| index.title_words_with_prefix(word).map(|(_, files)| files.len()).sum::<usize>();
    let least =
        words.iter().filter(|word| !word.is_ascii() || word.len() >= 3).min_by_key(|word| count(word))?;
    let mut files: Vec<FileId> =
        index.title_words_with_prefix(least).flat_map(|(_, files)| files.iter().copied()).collect();
    files.sort_unstable();
    files.dedup();
    Some(files)
}

fn intersect(mut sets: Vec<Vec<FileId>>) -> Option<Vec<FileId>> {
    sets.sort_by_key(Vec::len);
    let mut sets = sets.into_iter();
    let mut files = sets.next()?;
    for set in sets {
        files.retain(|file| set.binary_search(file).is_ok());
    }
    Some(files)
}

fn title_matches(index: &ArticleIndex, file: FileId, words: &[String]) -> bool {
    let Some(title) = index.get(file).and_then(|entry| entry.summary.title_text()) else { return false };
    let title = title.to_lowercase();
    words.iter().all(|word| title.contains(word.as_str()))
}

/// The fallback when no query word narrows the search: walk the index.
fn scan(index: &ArticleIndex, budget: usize, matches: impl Fn(FileId) -> bool) -> Matches {
    let mut files = Vec::new();
    for (file, _) in index.iter() {
        if matches(file) {
            if files.len() == budget {
                return Matches { files, complete: false };
            }
            files.push(file);
        }
    }
    Matches { files, complete: true }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::Fixture;

    fn titles(fixture: &Fixture, query: &str, budget: usize) -> (Vec<String>, bool) {
        let found = search(&fixture.index, query, budget);
        let mut titles: Vec<String> = found
            .files
            .iter()
            .filter_map(|file| fixture.index.get(*file)?.summary.title_text().map(str::to_owned))
            .collect();
        titles.sort();
        (titles, found.complete)
    }

    fn fixture() -> Fixture {
        let mut text = String::new();
        for (id, title) in [
            (87377, "How has Lumenus evolved?"),
            (87380, "What programs does Lumenus offer?"),
            (8738, "Évolution de Lumenus 🦀"),
            (12, "漢字の記事"),
        ] {
            text += &format!("//- {id}.md\n---\nid: {id}\ntitle: {title}\nurl: /{id}\n---\n");
        }
        Fixture::parse(&text)
    }

    #[test]
    fn by_id_prefix() {
        let fixture = fixture();
        assert_eq!(titles(&fixture, "8738", 10).0.len(), 2);
        assert_eq!(titles(&fixture, "87377", 10).0, ["How has Lumenus evolved?"]);
        assert_eq!(titles(&fixture, "9", 10).0, Vec::<String>::new());
    }

    #[test]
    fn by_title_words() {
        let fixture = fixture();
        assert_eq!(titles(&fixture, "lumenus evol", 10).0, ["How has Lumenus evolved?"]);
        assert_eq!(titles(&fixture, "PROGRAMS", 10).0, ["What programs does Lumenus offer?"]);
        assert_eq!(titles(&fixture, "évolution", 10).0, ["Évolution de Lumenus 🦀"]);
        assert_eq!(titles(&fixture, "漢字", 10).0, ["漢字の記事"]);
        assert_eq!(
            titles(&fixture, "ha", 10).0,
            ["How has Lumenus evolved?", "What programs does Lumenus offer?"]
        );
    }

    #[test]
    fn without_a_selective_word_the_files_of_the_rarest_are_the_candidates() {
        let mut text = String::new();
        for id in 0..12 {
            let title =
                if id % 4 == 0 { format!("Common rarer words {id}") } else { format!("Common words {id}") };
            text += &format!("//- {id}.md\n---\nid: {id}\ntitle: {title}\nurl: /{id}\n---\n");
        }
        let fixture = Fixture::parse(&text);
        let words = ["common".to_owned(), "rarer".to_owned(), "wo".to_owned()];
        let candidates = least_common_word(&fixture.index, &words).expect("a word long enough");
        let with_rarer = fixture.index.with_title_word("rarer");
        assert_eq!((candidates.len(), candidates.as_slice()), (3, with_rarer));
        assert_eq!(least_common_word(&fixture.index, &["wo".to_owned()]), None, "too short for the index");
    }

    #[test]
    fn budget_marks_incomplete() {
        let fixture = fixture();
        let (found, complete) = titles(&fixture, "lumenus", 2);
        assert_eq!((found.len(), complete), (2, false));
        let (found, complete) = titles(&fixture, "", 10);
        assert_eq!((found.len(), complete), (4, true));
    }
}
