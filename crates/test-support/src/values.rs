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

// Transcripts: results rendered one line per location, edit, lens, link or
// symbol, for snapshots that read as what the server sent. Positions are the
// protocol's (`line:character`, from 0, in the negotiated encoding's units);
// files are shown relative to the workspace's root. Every renderer fails on
// a field it does not know, so that nothing is sent that a snapshot misses.

/// Fails unless every field of `value` is one of `known`.
fn only_fields(value: &Value, known: &[&str]) {
    let object = value.as_object().unwrap_or_else(|| panic!("an object: {value}"));
    for key in object.keys() {
        assert!(known.contains(&key.as_str()), "unexpected field `{key}` in {value}");
    }
}

/// A `file:` URI as a path relative to `root`.
pub fn show_uri(uri: &Value, root: &std::path::Path) -> String {
    let uri = uri.as_str().unwrap_or_else(|| panic!("a uri: {uri}"));
    let root = crate::client::uri(root);
    uri.strip_prefix(&format!("{root}/")).unwrap_or_else(|| panic!("{uri} is under {root}")).to_owned()
}

/// `line:character-line:character` of an LSP range.
pub fn show_range(range: &Value) -> String {
    only_fields(range, &["start", "end"]);
    let at = |position: &Value| {
        only_fields(position, &["line", "character"]);
        format!("{}:{}", position["line"], position["character"])
    };
    format!("{}-{}", at(&range["start"]), at(&range["end"]))
}

/// `file line:character-line:character` of an LSP location.
pub fn show_location(location: &Value, root: &std::path::Path) -> String {
    only_fields(location, &["uri", "range"]);
    format!("{} {}", show_uri(&location["uri"], root), show_range(&location["range"]))
}

/// One location a line.
pub fn show_locations(locations: &[Value], root: &std::path::Path) -> String {
    locations.iter().map(|location| show_location(location, root) + "\n").collect()
}

/// `range -> "new text"` of an LSP `TextEdit`.
pub fn show_text_edit(edit: &Value) -> String {
    only_fields(edit, &["range", "newText"]);
    format!("{} -> {:?}", show_range(&edit["range"]), edit["newText"].as_str().expect("newText"))
}

/// A `WorkspaceEdit`: each document as `file vN` (or `file unversioned`),
/// then its edits as sent, indented by `indent`. The documents are sorted
/// by path: their order means nothing.
pub fn show_workspace_edit(edit: &Value, root: &std::path::Path, indent: &str) -> String {
    only_fields(edit, &["documentChanges"]);
    let mut changes =
        edit["documentChanges"].as_array().unwrap_or_else(|| panic!("documentChanges in {edit}")).clone();
    changes.sort_by_key(|change| show_uri(&change["textDocument"]["uri"], root));
    let mut out = String::new();
    for change in &changes {
        only_fields(change, &["textDocument", "edits"]);
        let document = &change["textDocument"];
        only_fields(document, &["uri", "version"]);
        let version = match &document["version"] {
            Value::Null => "unversioned".to_owned(),
            version => format!("v{version}"),
        };
        out += &format!("{indent}{} {version}\n", show_uri(&document["uri"], root));
        for text_edit in change["edits"].as_array().expect("edits") {
            out += &format!("{indent}  {}\n", show_text_edit(text_edit));
        }
    }
    out
}

/// Code actions: `kind “title”` (and `preferred`), the client's diagnostics
/// it names as resolved (`code range`; each must be one of `sent`, as the
/// client sent it), then its edit.
pub fn show_code_actions(actions: &[Value], sent: &[Value], root: &std::path::Path) -> String {
    let mut out = String::new();
    for action in actions {
        only_fields(action, &["title", "kind", "diagnostics", "edit", "isPreferred"]);
        let preferred = match &action["isPreferred"] {
            Value::Null => "",
            Value::Bool(true) => " preferred",
            other => panic!("isPreferred is true or absent: {other}"),
        };
        out += &format!(
            "{} “{}”{preferred}\n",
            action["kind"].as_str().expect("a kind"),
            action["title"].as_str().expect("a title")
        );
        if let Some(diagnostics) = action.get("diagnostics") {
            let diagnostics = diagnostics.as_array().expect("diagnostics");
            assert!(!diagnostics.is_empty(), "an empty `diagnostics` is left out: {action}");
            for diagnostic in diagnostics {
                assert!(sent.contains(diagnostic), "a diagnostic the client sent, as sent: {diagnostic}");
                out += &format!(
                    "  names {} {}\n",
                    diagnostic["code"].as_str().expect("a code"),
                    show_range(&diagnostic["range"])
                );
            }
        }
        out += &show_workspace_edit(&action["edit"], root, "  ");
    }
    out
}

/// The name of a `CompletionItemKind`.
fn completion_kind(kind: &Value) -> String {
    match kind.as_u64() {
        Some(15) => "snippet".to_owned(),
        Some(17) => "file".to_owned(),
        Some(18) => "reference".to_owned(),
        Some(20) => "enum-member".to_owned(),
        _ => format!("kind {kind}"),
    }
}

/// A completion list, one item a line: `label` and its label detail,
/// `(detail)`, then `[kind, format]`: the item's kind, and its text as a
/// snippet or plain.
pub fn show_completion_list(list: &Value) -> String {
    only_fields(list, &["isIncomplete", "items"]);
    let mut out = format!("incomplete: {}\n", list["isIncomplete"]);
    for item in list["items"].as_array().expect("items") {
        let label = item["label"].as_str().expect("a label");
        let detail = item["labelDetails"]["detail"].as_str().unwrap_or("");
        let format = match item["insertTextFormat"].as_u64() {
            Some(1) => "plain",
            Some(2) => "snippet",
            _ => panic!("an insertTextFormat: {item}"),
        };
        out += &format!(
            "{label}{detail} ({}) [{}, {format}]\n",
            item["detail"].as_str().unwrap_or(""),
            completion_kind(&item["kind"])
        );
    }
    out
}

/// One completion item: what the list line shows, then its documentation,
/// main edit and additional edits (not its filter and sort texts, nor the
/// data its resolve is keyed by).
pub fn show_completion_item(item: &Value) -> String {
    only_fields(
        item,
        &[
            "label",
            "labelDetails",
            "kind",
            "detail",
            "documentation",
            "filterText",
            "sortText",
            "insertTextFormat",
            "textEdit",
            "additionalTextEdits",
            "data",
        ],
    );
    let list = json!({ "isIncomplete": false, "items": [item] });
    let line = show_completion_list(&list).lines().nth(1).expect("the item").to_owned();
    let mut out = format!("{line}\n");
    if let Some(labels) = item.get("labelDetails") {
        only_fields(labels, &["detail"]);
    }
    if let Some(documentation) = item.get("documentation") {
        only_fields(documentation, &["kind", "value"]);
        out += &format!(
            "documentation ({}):\n{}\n",
            documentation["kind"].as_str().expect("a kind"),
            documentation["value"].as_str().expect("a value")
        );
    }
    out += &format!("edit {}\n", show_text_edit(&item["textEdit"]));
    for edit in item["additionalTextEdits"].as_array().expect("additionalTextEdits") {
        out += &format!("  and {}\n", show_text_edit(edit));
    }
    out
}

/// Code lenses: `range title` with the command and its arguments (a `file:`
/// URI, a position, locations), each location a line.
pub fn show_code_lenses(lenses: &[Value], root: &std::path::Path) -> String {
    let mut out = String::new();
    for lens in lenses {
        only_fields(lens, &["range", "command"]);
        let command = &lens["command"];
        only_fields(command, &["title", "command", "arguments"]);
        let arguments = command["arguments"].as_array().expect("arguments");
        let [uri, at, locations] = &arguments[..] else { panic!("three arguments: {command}") };
        only_fields(at, &["line", "character"]);
        out += &format!(
            "{} “{}” {} {} {}:{}\n",
            show_range(&lens["range"]),
            command["title"].as_str().expect("a title"),
            command["command"].as_str().expect("a command"),
            show_uri(uri, root),
            at["line"],
            at["character"]
        );
        for location in locations.as_array().expect("locations") {
            out += &format!("  {}\n", show_location(location, root));
        }
    }
    out
}

/// Document links: `range -> file “tooltip”`.
pub fn show_document_links(links: &[Value], root: &std::path::Path) -> String {
    let mut out = String::new();
    for link in links {
        only_fields(link, &["range", "target", "tooltip"]);
        out += &format!(
            "{} -> {} “{}”\n",
            show_range(&link["range"]),
            show_uri(&link["target"], root),
            link["tooltip"].as_str().expect("a tooltip")
        );
    }
    out
}

/// The name of a `SymbolKind`.
fn symbol_kind(kind: &Value) -> String {
    match kind.as_u64() {
        Some(1) => "file".to_owned(),
        Some(8) => "field".to_owned(),
        _ => format!("kind {kind}"),
    }
}

/// Workspace symbols (`SymbolInformation`): `name (container) kind location`.
pub fn show_workspace_symbols(symbols: &[Value], root: &std::path::Path) -> String {
    let mut out = String::new();
    for symbol in symbols {
        only_fields(symbol, &["name", "kind", "location", "containerName"]);
        out += &format!(
            "{} ({}) {} {}\n",
            symbol["name"].as_str().expect("a name"),
            symbol["containerName"].as_str().expect("a container"),
            symbol_kind(&symbol["kind"]),
            show_location(&symbol["location"], root)
        );
    }
    out
}

/// Document symbols, nested by indent: `name (detail) kind range, selected
/// selectionRange`.
pub fn show_document_symbols(symbols: &[Value]) -> String {
    fn show(symbol: &Value, depth: usize, out: &mut String) {
        only_fields(symbol, &["name", "detail", "kind", "range", "selectionRange", "children"]);
        *out += &format!(
            "{}{} ({}) {} {}, selected {}\n",
            "  ".repeat(depth),
            symbol["name"].as_str().expect("a name"),
            symbol["detail"].as_str().expect("a detail"),
            symbol_kind(&symbol["kind"]),
            show_range(&symbol["range"]),
            show_range(&symbol["selectionRange"])
        );
        for child in symbol["children"].as_array().expect("children, if none an empty list") {
            show(child, depth + 1, out);
        }
    }
    let mut out = String::new();
    for symbol in symbols {
        show(symbol, 0, &mut out);
    }
    out
}
