//! Editor features over the core: each a pure function of an index snapshot,
//! one file (and its current text) and an offset. No LSP types here: the
//! server converts these results.

pub mod completion;
pub mod cursor;
pub mod document_links;
pub mod goto_definition;
pub mod hover;
pub mod link_edit;
pub mod preview;
pub mod references;
pub mod search;
pub mod symbols;
pub mod yaml_edit;

use text_size::TextRange;

use crate::index::FileId;

/// A replacement of `range` in one file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

/// A range in some file of the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileRange {
    pub file: FileId,
    pub range: TextRange,
}

#[cfg(test)]
mod tests;
