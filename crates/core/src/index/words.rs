//! Title words: the keys that find "did you mean" candidates without
//! comparing a broken link against every article.

/// The distinct lower-cased words of a title that say something: at least
/// three characters, or any non-ASCII word (CJK titles have few spaces).
pub(crate) fn title_words(title: &str) -> Vec<String> {
    let mut words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.chars().count() >= 3 || !word.is_ascii())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// The words "did you mean" looks a link's target up by: its title's, and
/// those of its url's last segment (a slug, words joined by `-`).
pub(crate) fn link_words(title: Option<&str>, url: Option<&str>) -> Vec<String> {
    let slug = url.and_then(|url| url.rsplit('/').next()).unwrap_or("");
    let mut words = title_words(title.unwrap_or(""));
    words.extend(title_words(&slug.replace('-', " ")));
    words.sort_unstable();
    words.dedup();
    words
}

#[cfg(test)]
mod tests {
    use super::{link_words, title_words};

    #[test]
    fn words_of_a_title() {
        assert_eq!(
            title_words("How has Lumenus evolved over the years? Lumenus!"),
            ["evolved", "has", "how", "lumenus", "over", "the", "years"]
        );
        assert_eq!(title_words("漢字 and 🦀 of it"), ["and", "漢字"]);
    }

    #[test]
    fn words_of_a_link() {
        let words = link_words(Some("How tides work"), Some("/learn/x/questions/why-tides-turn"));
        assert_eq!(words, ["how", "tides", "turn", "why", "work"]);
        assert_eq!(link_words(None, None), Vec::<String>::new());
    }
}
