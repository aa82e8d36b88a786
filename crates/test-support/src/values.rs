//! LSP values the tests build and read: positions and ranges from byte
//! offsets, edits applied as an editor applies them, diagnostic codes.

use article_core::line_index::{LineCol, LineIndex, PositionEncoding};
use serde_json::{Value, json};

/// The diagnostic codes in a set, sorted.
pub fn codes(diagnostics: &[Value]) -> Vec<String> {
    let mut codes: Vec<String> =
        diagnostics.iter().filter_map(|d| d["code"].as_str().map(str::to_owned)).collect();
    codes.sort();
    codes
}

pub fn has_code(code: &str) -> impl Fn(&[Value]) -> bool + '_ {
    move |diagnostics| codes(diagnostics).iter().any(|c| c == code)
}

pub fn no_diagnostics(diagnostics: &[Value]) -> bool {
    diagnostics.is_empty()
}

/// An LSP position for a byte offset in `text`.
pub fn position(text: &str, offset: usize, encoding: PositionEncoding) -> Value {
    let at = LineIndex::new(text).line_col(offset, encoding);
    json!({ "line": at.line, "character": at.col })
}

/// A `contentChanges` entry replacing `range` (byte offsets) with `new`.
pub fn edit(text: &str, range: std::ops::Range<usize>, new: &str, encoding: PositionEncoding) -> Value {
    json!({
        "range": { "start": position(text, range.start, encoding), "end": position(text, range.end, encoding) },
        "text": new,
    })
}

/// The byte offset in `text` of an LSP position (`{line, character}`).
pub fn offset(text: &str, at: &Value, encoding: PositionEncoding) -> usize {
    let (line, col) = (at["line"].as_u64().expect("a line"), at["character"].as_u64().expect("a character"));
    let at = LineCol::new(line as u32, col as u32);
    LineIndex::new(text).offset(at, encoding)
}

/// An LSP range for a byte range of `text`.
pub fn range(text: &str, range: std::ops::Range<usize>, encoding: PositionEncoding) -> Value {
    json!({ "start": position(text, range.start, encoding), "end": position(text, range.end, encoding) })
}

/// The byte range of `value` in `text`, searched from where `anchor` starts
/// (so `anchor` can name the surrounding context, `value` a part of it).
pub fn find_after(text: &str, anchor: &str, value: &str) -> std::ops::Range<usize> {
    let from = text.find(anchor).unwrap_or_else(|| panic!("`{anchor}` is in the text"));
    let start = from + text[from..].find(value).unwrap_or_else(|| panic!("`{value}` after `{anchor}`"));
    start..start + value.len()
}

/// Applies LSP `TextEdit`s (non-overlapping, positions in `encoding`) the way
/// an editor does: every range refers to the text before any edit.
pub fn apply_edits(text: &str, edits: &[Value], encoding: PositionEncoding) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|edit| {
            let start = offset(text, &edit["range"]["start"], encoding);
            let end = offset(text, &edit["range"]["end"], encoding);
            (start, end, edit["newText"].as_str().expect("newText"))
        })
        .collect();
    spans.sort_by_key(|(start, end, _)| (*start, *end));
    for pair in spans.windows(2) {
        assert!(pair[0].1 <= pair[1].0, "overlapping edits: {edits:?}");
    }
    let mut out = text.to_owned();
    for (start, end, new_text) in spans.into_iter().rev() {
        out.replace_range(start..end, new_text);
    }
    out
}

/// One document's part of a `WorkspaceEdit`'s `documentChanges`.
#[derive(Debug)]
pub struct DocumentChange {
    pub uri: String,
    pub version: Value,
    pub edits: Vec<Value>,
}

/// The `documentChanges` of a `WorkspaceEdit` (the only form the server
/// sends), failing on any other shape.
pub fn document_changes(edit: &Value) -> Vec<DocumentChange> {
    assert!(edit.get("changes").is_none_or(Value::is_null), "edits come as documentChanges: {edit}");
    let changes = edit["documentChanges"].as_array().unwrap_or_else(|| panic!("documentChanges in {edit}"));
    changes
        .iter()
        .map(|change| DocumentChange {
            uri: change["textDocument"]["uri"].as_str().expect("a uri").to_owned(),
            version: change["textDocument"]["version"].clone(),
            edits: change["edits"].as_array().expect("edits").clone(),
        })
        .collect()
}
