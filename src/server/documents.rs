//! Open documents: the editor's text, which overrides the disk while open.
//!
//! Edits are applied synchronously, in the order the notifications arrive,
//! and a change whose version is not newer than the document's is refused.

use std::collections::HashMap;
use std::sync::Mutex;

use ropey::Rope;
use tower_lsp_server::ls_types::{TextDocumentContentChangeEvent, Uri};

use super::convert;
use super::lock;
use crate::index::FilePath;
use crate::line_index::PositionEncoding;

pub struct OpenDocument {
    /// The client's own spelling of the URI, used when publishing.
    pub uri: Uri,
    pub version: i32,
    pub text: Rope,
}

/// Why an edit was not applied.
#[derive(Debug, PartialEq, Eq)]
pub enum EditRefused {
    NotOpen,
    Stale { current: i32, received: i32 },
}

#[derive(Default)]
pub struct Documents {
    open: Mutex<HashMap<FilePath, OpenDocument>>,
}

impl Documents {
    pub fn open(&self, path: FilePath, uri: Uri, version: i32, text: &str) {
        lock(&self.open).insert(path, OpenDocument { uri, version, text: Rope::from_str(text) });
    }

    pub fn close(&self, path: &FilePath) -> bool {
        lock(&self.open).remove(path).is_some()
    }

    pub fn is_open(&self, path: &FilePath) -> bool {
        lock(&self.open).contains_key(path)
    }

    /// The current text and version; cloning a rope is O(1).
    pub fn text(&self, path: &FilePath) -> Option<(Rope, i32)> {
        lock(&self.open).get(path).map(|document| (document.text.clone(), document.version))
    }

    pub fn uri(&self, path: &FilePath) -> Option<Uri> {
        lock(&self.open).get(path).map(|document| document.uri.clone())
    }

    /// Applies `changes` in order. Ranges are clamped into the text, so a
    /// client that is off by a little never makes this panic.
    pub fn change(
        &self,
        path: &FilePath,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: PositionEncoding,
    ) -> Result<(), EditRefused> {
        let mut open = lock(&self.open);
        let document = open.get_mut(path).ok_or(EditRefused::NotOpen)?;
        if version <= document.version {
            return Err(EditRefused::Stale { current: document.version, received: version });
        }
        for change in changes {
            apply(&mut document.text, change, encoding);
        }
        document.version = version;
        Ok(())
    }
}

fn apply(text: &mut Rope, change: TextDocumentContentChangeEvent, encoding: PositionEncoding) {
    let Some(range) = change.range else {
        *text = Rope::from_str(&change.text);
        return;
    };
    let start = convert::rope_offset_of(text, range.start, encoding);
    let end = convert::rope_offset_of(text, range.end, encoding);
    // A reversed range is taken as the span between its ends.
    let (start, end) = (start.min(end), start.max(end));
    let (start, end) = (text.byte_to_char(start), text.byte_to_char(end));
    text.remove(start..end);
    text.insert(start, &change.text);
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

    fn documents_with(text: &str) -> (Documents, FilePath) {
        let documents = Documents::default();
        let path = FilePath::new("/a.md");
        documents.open(path.clone(), Uri::from_str("file:///a.md").expect("uri"), 1, text);
        (documents, path)
    }

    #[test]
    fn edits_apply_in_order_in_the_negotiated_encoding() {
        let (documents, path) = documents_with("a🦀b\nc");
        let changes = vec![edit((0, 3), (0, 4), "X"), edit((1, 0), (1, 1), "d")];
        documents.change(&path, 2, changes, PositionEncoding::Utf16).expect("applied");
        assert_eq!(documents.text(&path).expect("open").0.to_string(), "a🦀X\nd");
        documents.change(&path, 3, vec![edit((0, 1), (0, 5), "")], PositionEncoding::Utf8).expect("applied");
        assert_eq!(documents.text(&path).expect("open").0.to_string(), "aX\nd");
    }

    #[test]
    fn stale_versions_and_unknown_documents_are_refused() {
        let (documents, path) = documents_with("abc");
        let stale = documents.change(&path, 1, vec![edit((0, 0), (0, 1), "")], PositionEncoding::Utf16);
        assert_eq!(stale, Err(EditRefused::Stale { current: 1, received: 1 }));
        let unknown = documents.change(&FilePath::new("/b.md"), 5, vec![], PositionEncoding::Utf16);
        assert_eq!(unknown, Err(EditRefused::NotOpen));
    }

    #[test]
    fn ranges_past_the_end_and_reversed_ranges_are_clamped() {
        let (documents, path) = documents_with("abc\ndef");
        let changes = vec![edit((9, 9), (99, 0), "!"), edit((0, 2), (0, 1), "")];
        documents.change(&path, 2, changes, PositionEncoding::Utf16).expect("applied");
        assert_eq!(documents.text(&path).expect("open").0.to_string(), "ac\ndef!");
    }
}
