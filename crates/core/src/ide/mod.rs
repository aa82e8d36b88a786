//! Editor features over the core: each a pure function of an index snapshot,
//! one file (and its current text) and an offset. No LSP types here: the
//! server converts these results.

pub mod code_actions;
pub mod completion;
pub mod cursor;
pub mod document_links;
pub mod goto_definition;
pub mod hover;
pub mod link_edit;
pub mod preview;
pub mod references;
pub mod rename;
pub mod search;
pub mod symbols;
pub mod yaml_edit;

use text_size::TextRange;

use crate::article::Article;
use crate::index::FileId;

/// The file a feature is asked about, as the writer sees it now: its text and
/// the full model of it. The index keeps only a summary of each file; the
/// full model exists for the file at hand.
#[derive(Clone, Copy, Debug)]
pub struct CurrentFile<'a> {
    pub file: FileId,
    pub text: &'a str,
    pub article: &'a Article,
}

/// A replacement of `range` in one file's text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TextEdit {
    pub range: TextRange,
    pub new_text: String,
}

/// Applies non-overlapping edits to `text`, in any order.
pub fn apply_edits(text: &str, edits: &[TextEdit]) -> String {
    let mut edits: Vec<&TextEdit> = edits.iter().collect();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.range.start()));
    let mut out = text.to_owned();
    for edit in edits {
        out.replace_range(std::ops::Range::<usize>::from(edit.range), &edit.new_text);
    }
    out
}

/// Edits to several files, grouped by file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceChange {
    pub files: Vec<(FileId, Vec<TextEdit>)>,
}

impl SourceChange {
    pub fn add(&mut self, file: FileId, edit: TextEdit) {
        match self.files.iter_mut().find(|(existing, _)| *existing == file) {
            Some((_, edits)) => edits.push(edit),
            None => self.files.push((file, vec![edit])),
        }
    }
}

/// A range in some file of the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileRange {
    pub file: FileId,
    pub range: TextRange,
}

#[cfg(test)]
mod tests;
