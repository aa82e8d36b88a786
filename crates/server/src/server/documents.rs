//! Open documents: the editor's text, which overrides the disk while open.
//!
//! The analysis loop owns them: it applies each edit as it arrives, in the
//! order the notifications came, refusing a change whose version is not
//! newer than the document's, and parses the new text once. Requests see
//! documents through the loop's snapshots. A document is a `String` and
//! its line index (rust-analyzer's choice): every consumer wants the text
//! whole, and an article is a few kilobytes.

use std::sync::Arc;

use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::convert;
use article_core::article::{Article, parse_article};
use article_core::line_index::{LineIndex, PositionEncoding};
use article_core::summary::ArticleSummary;
use article_workspace::files::Loaded;

/// A text as the features read it: the text, its line index and its full
/// model (`None`: it is not an article).
pub struct ParsedText {
    pub text: String,
    pub line_index: LineIndex,
    pub article: Option<Article>,
}

impl ParsedText {
    pub fn new(text: String) -> ParsedText {
        let line_index = LineIndex::new(&text);
        let article = parse_article(&text);
        ParsedText { text, line_index, article }
    }

    /// What the index keeps of it.
    pub fn loaded(&self) -> Loaded {
        match &self.article {
            Some(article) => Loaded::Article(Box::new(ArticleSummary::of(article)), self.line_index.clone()),
            None => Loaded::NotAnArticle,
        }
    }
}

pub struct OpenDocument {
    /// The client's own spelling of the URI, used when publishing.
    pub uri: Uri,
    pub version: i32,
    pub parsed: Arc<ParsedText>,
}

/// Why an edit was not applied.
#[derive(Debug, PartialEq, Eq)]
pub enum EditRefused {
    NotOpen,
    Stale { current: i32, received: i32 },
}

impl OpenDocument {
    pub fn new(uri: Uri, version: i32, text: String) -> OpenDocument {
        OpenDocument { uri, version, parsed: Arc::new(ParsedText::new(text)) }
    }

    /// The document after `changes`, applied in order. Ranges are clamped
    /// into the text, so a client that is off by a little never makes this
    /// panic.
    pub fn changed(
        &self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: PositionEncoding,
    ) -> Result<OpenDocument, EditRefused> {
        if version <= self.version {
            return Err(EditRefused::Stale { current: self.version, received: version });
        }
        let mut text = self.parsed.text.clone();
        let mut line_index = None;
        for change in changes {
            let Some(range) = change.range else {
                text = change.text;
                line_index = None;
                continue;
            };
            // Each change is placed in the text the ones before it left.
            let lines = line_index.get_or_insert_with(|| LineIndex::new(&text));
            let start = usize::from(convert::offset(lines, range.start, encoding));
            let end = usize::from(convert::offset(lines, range.end, encoding));
            // A reversed range is taken as the span between its ends.
            let (start, end) = (start.min(end).min(text.len()), start.max(end).min(text.len()));
            text.replace_range(start..end, &change.text);
            line_index = None;
        }
        Ok(OpenDocument { uri: self.uri.clone(), version, parsed: Arc::new(ParsedText::new(text)) })
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use tower_lsp_server::ls_types::{Position, Range};

    use super::*;

    fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(start.0, start.1), Position::new(end.0, end.1))),
            range_length: None,
            text: text.to_owned(),
        }
    }

    fn document_with(text: &str) -> OpenDocument {
        OpenDocument::new(Uri::from_str("file:///a.md").expect("uri"), 1, text.to_owned())
    }

    #[test]
    fn edits_apply_in_order_in_the_negotiated_encoding() {
        let document = document_with("a🦀b\nc");
        let changes = vec![edit((0, 3), (0, 4), "X"), edit((1, 0), (1, 1), "d")];
        let document = document.changed(2, changes, PositionEncoding::Utf16).expect("applied");
        assert_eq!(document.parsed.text, "a🦀X\nd");
        let document =
            document.changed(3, vec![edit((0, 1), (0, 5), "")], PositionEncoding::Utf8).expect("applied");
        assert_eq!(document.parsed.text, "aX\nd");
        assert_eq!(document.parsed.line_index, LineIndex::new("aX\nd"));
    }

    #[test]
    fn stale_versions_are_refused() {
        let document = document_with("abc");
        let stale = document.changed(1, vec![edit((0, 0), (0, 1), "")], PositionEncoding::Utf16);
        assert_eq!(stale.err(), Some(EditRefused::Stale { current: 1, received: 1 }));
    }

    #[test]
    fn ranges_past_the_end_and_reversed_ranges_are_clamped() {
        let document = document_with("abc\ndef");
        let changes = vec![edit((9, 9), (99, 0), "!"), edit((0, 2), (0, 1), "")];
        let document = document.changed(2, changes, PositionEncoding::Utf16).expect("applied");
        assert_eq!(document.parsed.text, "ac\ndef!");
    }

    #[test]
    fn a_whole_text_change_replaces_the_text_and_the_model() {
        let document = document_with("not an article");
        assert!(document.parsed.article.is_none());
        let whole = TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "---\nid: 1\n---\n".into(),
        };
        let document = document
            .changed(2, vec![whole, edit((1, 4), (1, 5), "2")], PositionEncoding::Utf16)
            .expect("applied");
        assert_eq!(document.parsed.article.as_ref().and_then(Article::article_id), Some(2));
    }
}
