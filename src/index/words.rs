//! Title words: the keys that find "did you mean" candidates without
//! comparing a broken link against every article.

/// The distinct lower-cased words of a title that say something: at least
/// three characters, or any non-ASCII word (CJK titles have few spaces).
pub fn title_words(title: &str) -> Vec<String> {
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

#[cfg(test)]
mod tests {
    use super::title_words;

    #[test]
    fn words_of_a_title() {
        assert_eq!(
            title_words("How has Lumenus evolved over the years? Lumenus!"),
            ["evolved", "has", "how", "lumenus", "over", "the", "years"]
        );
        assert_eq!(title_words("漢字 and 🦀 of it"), ["and", "漢字"]);
    }
}
