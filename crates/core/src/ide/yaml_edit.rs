//! Edits that change a YAML value while keeping how the file writes it:
//! a folded `>-` title stays folded at its indentation, a quoted value stays
//! quoted, a plain value gets quotes only when the new text needs them.

use text_size::{TextRange, TextSize};

use super::TextEdit;
use super::cursor::{empty_value_blanks, line_end, line_start};
use crate::article::{Field, RelatedLink, ScalarStyle, Value};

/// Replaces the value of `field` with `new_value`.
pub(crate) fn replace_value(text: &str, field: &Field, new_value: &str) -> TextEdit {
    let Value::Scalar(scalar) = &field.value else {
        return TextEdit { range: field.value.range(), new_text: render_inline(new_value) };
    };
    if scalar.content.is_empty() && scalar.style == ScalarStyle::Plain {
        return fill_empty_value(text, field, &render_inline(new_value));
    }
    let new_text = match scalar.style {
        ScalarStyle::Plain => render_inline(new_value),
        ScalarStyle::SingleQuoted => single_quoted(new_value),
        ScalarStyle::DoubleQuoted => double_quoted(new_value),
        // The content starts after the indentation, so the new text inherits it.
        ScalarStyle::Folded | ScalarStyle::Literal => {
            return TextEdit { range: scalar.content, new_text: new_value.to_owned() };
        }
    };
    TextEdit { range: scalar.node, new_text }
}

/// Writes `value` where an empty plain value stands (see
/// [`empty_value_blanks`]), replacing only the blanks there.
fn fill_empty_value(text: &str, field: &Field, value: &str) -> TextEdit {
    let Some(blanks) = empty_value_blanks(field, text) else {
        // `{id}`: a flow entry without a colon.
        return TextEdit { range: TextRange::empty(field.key.end()), new_text: format!(": {value}") };
    };
    // A value right before `#` would take the comment in.
    let rest = text.get(usize::from(blanks.end())..).unwrap_or("");
    let before_comment = if rest.starts_with('#') { " " } else { "" };
    TextEdit { range: blanks, new_text: format!(" {value}{before_comment}") }
}

/// Adds `name: value` to a related block that lacks the field: a new line at
/// the block's indentation, or `, name: value` before a flow mapping's `}`.
pub(crate) fn insert_link_field(text: &str, link: &RelatedLink, name: &str, value: &str) -> TextEdit {
    let end = link.range.end();
    if link.flow {
        // Before the closing `}`, when the mapping has one: a mapping cut
        // short by a syntax error ends with its last value instead.
        let fields_end = [&link.id, &link.title, &link.subject, &link.url]
            .into_iter()
            .flatten()
            .map(|field| field.key.end().max(field.value.range().end()))
            .max()
            .unwrap_or(link.key.end());
        let closed =
            end > fields_end && text.get(..usize::from(end)).is_some_and(|before| before.ends_with('}'));
        let at = if closed { end - TextSize::from(1) } else { end };
        let empty = matches!(&link.value, Value::Mapping(range) if text.get(std::ops::Range::<usize>::from(*range)).is_some_and(|inner| inner.trim_start_matches('{').trim().len() <= 1));
        let separator = if empty { "" } else { ", " };
        return TextEdit {
            range: TextRange::empty(at),
            new_text: format!("{separator}{name}: {}", render_inline(value)),
        };
    }
    // After the line the block ends on, not right after its last value:
    // whatever follows the value on that line (a comment, or what an empty
    // value's edit replaces up to the line's end) stays before the new line.
    let indent = link_indent(text, link);
    TextEdit {
        range: TextRange::empty(line_end(text, end)),
        new_text: format!("{}{indent}{name}: {}", line_break(text), render_inline(value)),
    }
}

/// The indentation of a block's fields: that of its first field, or four spaces.
pub(crate) fn link_indent(text: &str, link: &RelatedLink) -> String {
    let first = [&link.id, &link.title, &link.subject, &link.url]
        .into_iter()
        .flatten()
        .map(|field| field.key.start())
        .min();
    match first {
        Some(key) => {
            let start = line_start(text, key);
            text.get(usize::from(start)..usize::from(key)).unwrap_or("    ").to_owned()
        }
        None => "    ".to_owned(),
    }
}

/// The file's line break: CRLF files stay CRLF.
pub(crate) fn line_break(text: &str) -> &'static str {
    if text.contains("\r\n") { "\r\n" } else { "\n" }
}

/// `value` as a plain scalar when YAML reads it back unchanged as a string,
/// else double-quoted.
pub(crate) fn render_inline(value: &str) -> String {
    if is_plain_safe(value) { value.to_owned() } else { double_quoted(value) }
}

fn is_plain_safe(value: &str) -> bool {
    // Ids are integers and must stay plain; no title or subject is only digits.
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let Some(first) = value.chars().next() else { return false };
    // `-`, `?` and `:` start a plain scalar unless a space follows them.
    let indicator = match first {
        '-' | '?' | ':' => value.len() == 1 || value[1..].starts_with([' ', '\t']),
        c => ",[]{}#&*!|>'\"%@`".contains(c),
    };
    let ambiguous = matches!(
        value.to_lowercase().as_str(),
        "true" | "false" | "null" | "~" | "yes" | "no" | "on" | "off"
    ) || value.parse::<f64>().is_ok();
    !indicator
        && !ambiguous
        && value.trim() == value
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && !value.contains(['\n', '\r', '\t'])
}

pub(crate) fn single_quoted(value: &str) -> String {
    if value.contains(['\n', '\r']) {
        return double_quoted(value);
    }
    format!("'{}'", value.replace('\'', "''"))
}

pub(crate) fn double_quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::parse_article;

    fn apply(text: &str, edit: &TextEdit) -> String {
        let mut out = text.to_owned();
        out.replace_range(std::ops::Range::<usize>::from(edit.range), &edit.new_text);
        out
    }

    fn replaced_title(text: &str, new_title: &str) -> String {
        let article = parse_article(text).expect("an article");
        let link = &article.related[0];
        let edit = replace_value(text, link.title.as_ref().expect("a title"), new_title);
        let result = apply(text, &edit);
        let reparsed = parse_article(&result).expect("still an article");
        assert_eq!(
            reparsed.related[0].title.as_ref().and_then(Field::text),
            Some(new_title.trim()),
            "{result}"
        );
        result
    }

    #[test]
    fn keeps_each_style() {
        let block =
            "---\nid: 1\nrelated_article1:\n    id: 2\n    title: >-\n        Old title\n    url: /x\n---\n";
        assert_eq!(
            replaced_title(block, "New: title"),
            "---\nid: 1\nrelated_article1:\n    id: 2\n    title: >-\n        New: title\n    url: /x\n---\n"
        );
        let plain = "---\nid: 1\nrelated_article1: {id: 2, title: Old, url: /x}\n---\n";
        assert_eq!(
            replaced_title(plain, "New"),
            "---\nid: 1\nrelated_article1: {id: 2, title: New, url: /x}\n---\n"
        );
        assert_eq!(
            replaced_title(plain, "It's: new"),
            "---\nid: 1\nrelated_article1: {id: 2, title: \"It's: new\", url: /x}\n---\n"
        );
        let single = "---\nid: 1\nrelated_article1:\n  title: 'Old'\n  id: 2\n---\n";
        assert_eq!(
            replaced_title(single, "It's"),
            "---\nid: 1\nrelated_article1:\n  title: 'It''s'\n  id: 2\n---\n"
        );
        let emoji = "---\nid: 1\nrelated_article1:\n  title: \"🦀 old\"\n  id: 2\n---\n";
        assert_eq!(
            replaced_title(emoji, "漢字 \"q\""),
            "---\nid: 1\nrelated_article1:\n  title: \"漢字 \\\"q\\\"\"\n  id: 2\n---\n"
        );
    }

    #[test]
    fn fills_an_empty_value() {
        let text = "---\nid: 1\nrelated_article1:\n  id: 2\n  title:\n  url: /x\n---\n";
        assert_eq!(
            replaced_title(text, "T"),
            "---\nid: 1\nrelated_article1:\n  id: 2\n  title: T\n  url: /x\n---\n"
        );
        let cases = [
            // Trailing blanks go; a comment and the anchor of the node stay.
            ("  title:   \n", "  title: T\n"),
            ("  title:  # to do\n", "  title: T # to do\n"),
            ("  title: &t\n", "  title: &t T\n"),
            ("  title :\n", "  title : T\n"),
        ];
        for (line, filled) in cases {
            let text = format!("---\nid: 1\nrelated_article1:\n  id: 2\n{line}  url: /x\n---\n");
            let expected = format!("---\nid: 1\nrelated_article1:\n  id: 2\n{filled}  url: /x\n---\n");
            assert_eq!(replaced_title(&text, "T"), expected);
        }
    }

    #[test]
    fn fills_an_empty_value_in_a_flow_mapping_and_keeps_the_rest_of_it() {
        let flow = |title: &str| format!("---\nid: 1\nrelated_article1: {{{title}, id: 2, url: /x}}\n---\n");
        assert_eq!(replaced_title(&flow("title: "), "T"), flow("title: T"));
        assert_eq!(replaced_title(&flow("title:"), "T"), flow("title: T"));
        assert_eq!(replaced_title(&flow("title: &t"), "T"), flow("title: &t T"));
        assert_eq!(replaced_title(&flow("title"), "T"), flow("title: T"));
    }

    #[test]
    fn inserts_missing_fields() {
        let block = "---\nid: 1\nrelated_article1:\n    id: 2\n---\n";
        let article = parse_article(block).unwrap();
        let edit = insert_link_field(block, &article.related[0], "url", "/learn/x");
        assert_eq!(apply(block, &edit), "---\nid: 1\nrelated_article1:\n    id: 2\n    url: /learn/x\n---\n");

        let flow = "---\nid: 1\nrelated_article1: {id: 2}\r\n---\r\n";
        let article = parse_article(flow).unwrap();
        let edit = insert_link_field(flow, &article.related[0], "title", "A: b");
        assert_eq!(apply(flow, &edit), "---\nid: 1\nrelated_article1: {id: 2, title: \"A: b\"}\r\n---\r\n");
    }

    #[test]
    fn inserts_a_new_line_after_the_rest_of_the_last_line() {
        for (block, expected) in [
            (
                "---\nrelated_article2:\n id: 5 # old\n---\n",
                "---\nrelated_article2:\n id: 5 # old\n url: /x\n---\n",
            ),
            ("---\nrelated_article2:\n id: &7 \n---\n", "---\nrelated_article2:\n id: &7 \n url: /x\n---\n"),
        ] {
            let article = parse_article(block).expect("an article");
            let edit = insert_link_field(block, &article.related[0], "url", "/x");
            assert_eq!(apply(block, &edit), expected);
        }
    }

    #[test]
    fn inserts_after_the_last_value_of_a_flow_mapping_cut_short() {
        for (unclosed, expected) in [
            ("---\nrelated_article2: {id: /l", "---\nrelated_article2: {id: /l, url: /x"),
            (
                "---\nrelated_article2: {id: 2, title: {a: b}",
                "---\nrelated_article2: {id: 2, title: {a: b}, url: /x",
            ),
        ] {
            let article = parse_article(unclosed).expect("an article");
            let edit = insert_link_field(unclosed, &article.related[0], "url", "/x");
            assert_eq!(apply(unclosed, &edit), expected);
        }
    }

    #[test]
    fn plain_only_when_safe() {
        for safe in ["Health Studies", "/learn/a-b", "How? Why!", "漢字 🦀", "87377"] {
            assert_eq!(render_inline(safe), safe);
        }
        for unsafe_ in ["", "a: b", "- x", "#x", "yes", "1.5", "x #y", " x", "[a]", "'q", "end:"] {
            assert!(render_inline(unsafe_).starts_with('"'), "{unsafe_} must be quoted");
        }
    }
}
