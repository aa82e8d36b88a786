//! Previews of an article's texts for hover and completion documentation.

/// The raw `answer` keeps literal `\n` sequences; previews show them as line
/// breaks. Cut at `max_chars` characters (at a word boundary when one is near)
/// with "…". Markdown is kept as written.
pub(crate) fn text_preview(raw: &str, max_chars: usize) -> String {
    let text = raw.replace("\\n", "\n");
    let text = text.trim();
    let Some((cut, _)) = text.char_indices().nth(max_chars) else { return text.to_owned() };
    let head = &text[..cut];
    let at_word = head.rfind(char::is_whitespace).filter(|at| head.len() - at <= 24).unwrap_or(head.len());
    format!("{}…", head[..at_word].trim_end())
}

/// An article's `question` and `answer` as written (trimmed, `answer` with
/// its literal `\n` sequences): the index keeps neither, so previews read
/// them from the article's text when they are shown.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LongTexts {
    pub question: Option<String>,
    pub answer: Option<String>,
}

/// The long texts of an article text, for previews.
pub fn long_texts_of_text(text: &str) -> Option<LongTexts> {
    let article = crate::article::parse_article(text)?;
    let raw = |field: Option<crate::article::Field>| field?.text().map(str::to_owned);
    Some(LongTexts { question: raw(article.question), answer: raw(article.answer) })
}

#[cfg(test)]
mod tests {
    use super::text_preview;

    #[test]
    fn line_breaks_and_cut() {
        assert_eq!(text_preview("One.\\n\\nTwo **bold**.", 100), "One.\n\nTwo **bold**.");
        assert_eq!(text_preview("alpha beta gamma delta", 13), "alpha beta…");
        assert_eq!(text_preview("🦀🦀🦀🦀", 2), "🦀🦀…");
    }
}
