//! What is under the cursor: which field of the article or of which related block.

use text_size::{TextRange, TextSize};

use crate::article::{Article, Field, RelatedLink, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LinkField {
    /// The `related_articleN` key itself.
    Key,
    Id,
    Title,
    Subject,
    Url,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OwnField {
    Id,
    Title,
    Subject,
    Url,
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Cursor<'a> {
    Link { link: &'a RelatedLink, field: LinkField },
    Own { field: OwnField, value: &'a Field },
}

/// The field at `offset`, from its key to the end of its value (a block
/// scalar's value counts on every line it spans; an empty value runs over the
/// blanks after its colon, where the writer is about to type).
pub(crate) fn cursor_at<'a>(article: &'a Article, text: &str, offset: TextSize) -> Option<Cursor<'a>> {
    for link in &article.related {
        let fields = [
            (LinkField::Id, &link.id),
            (LinkField::Title, &link.title),
            (LinkField::Subject, &link.subject),
            (LinkField::Url, &link.url),
        ];
        for (field, value) in fields {
            if let Some(value) = value
                && field_extent(value, text).contains_inclusive(offset)
            {
                return Some(Cursor::Link { link, field });
            }
        }
        if link.key.contains_inclusive(offset) {
            return Some(Cursor::Link { link, field: LinkField::Key });
        }
    }
    let own = [
        (OwnField::Id, &article.id),
        (OwnField::Title, &article.title),
        (OwnField::Subject, &article.subject),
        (OwnField::Url, &article.url),
    ];
    own.into_iter().find_map(|(field, value)| {
        let value = value.as_ref()?;
        field_extent(value, text).contains_inclusive(offset).then_some(Cursor::Own { field, value })
    })
}

/// From the key's start to the value's end or, when the value is empty, to
/// the end of the blanks where it would be typed.
pub(crate) fn field_extent(field: &Field, text: &str) -> TextRange {
    let value_end = field.value.range().end();
    let empty = matches!(&field.value, Value::Scalar(scalar) if scalar.content.is_empty());
    let end = match empty_value_blanks(field, text) {
        Some(blanks) if empty => blanks.end(),
        _ => value_end,
    };
    TextRange::new(field.key.start(), end.max(field.key.end()))
}

/// Where an empty value stands: the blanks after the key's colon (and after
/// an anchor or tag the empty node carries), which typing or filling the
/// value replaces. Never the rest of the line: in a flow mapping that is the
/// other fields, in a block one maybe a comment. `None` when no colon
/// follows the key (`{id}`).
pub(crate) fn empty_value_blanks(field: &Field, text: &str) -> Option<TextRange> {
    let mut start = past_colon(field, text)?;
    let node_end = usize::from(field.value.range().end());
    if node_end > start && node_end <= text.len() && !text[start..node_end].contains(['\n', '\r']) {
        start = node_end;
    }
    Some(TextRange::new(offset(start), offset(blanks_from(text, start))))
}

/// Just past the colon after the key (blanks between them allowed).
fn past_colon(field: &Field, text: &str) -> Option<usize> {
    let colon = blanks_from(text, usize::from(field.key.end()).min(text.len()));
    text[colon..].starts_with(':').then_some(colon + 1)
}

/// `at`, moved past the spaces and tabs there.
fn blanks_from(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or("");
    at + (rest.len() - rest.trim_start_matches([' ', '\t']).len())
}

fn offset(at: usize) -> TextSize {
    TextSize::from(u32::try_from(at).unwrap_or(u32::MAX))
}

/// Where the value of a field starts for the writer: after `key:` and spaces.
pub(crate) fn value_start(field: &Field, text: &str) -> TextSize {
    match &field.value {
        Value::Scalar(scalar) if !scalar.content.is_empty() => scalar.content.start(),
        Value::Scalar(_) => empty_value_blanks(field, text).map_or(field.key.end(), TextRange::end),
        _ => offset(past_colon(field, text).map_or(usize::from(field.key.end()), |at| blanks_from(text, at))),
    }
}

pub(crate) fn line_end(text: &str, from: TextSize) -> TextSize {
    let start = usize::from(from).min(text.len());
    let end = text.get(start..).unwrap_or("").find(['\n', '\r']).map_or(text.len(), |at| start + at);
    TextSize::from(end as u32)
}

pub(crate) fn line_start(text: &str, at: TextSize) -> TextSize {
    let end = usize::from(at).min(text.len());
    let start = text.get(..end).unwrap_or("").rfind(['\n', '\r']).map_or(0, |at| at + 1);
    TextSize::from(start as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::parse_article;

    fn field_at(text: &str, marker: &str) -> Option<LinkField> {
        let article = parse_article(text).expect("an article");
        let at = text.find(marker).expect("the marker") + marker.len();
        match cursor_at(&article, text, TextSize::from(at as u32))? {
            Cursor::Link { field, .. } => Some(field),
            Cursor::Own { .. } => None,
        }
    }

    #[test]
    fn an_empty_value_covers_its_blanks_not_the_rest_of_the_line() {
        let flow = "---\nid: 1\nrelated_article1: {id:  , title: Old, url: /x}\n---\n";
        assert_eq!(field_at(flow, "{id: "), Some(LinkField::Id));
        assert_eq!(field_at(flow, "Ol"), Some(LinkField::Title));
        let block = "---\nid: 1\nrelated_article1:\n  id:   # to do\n  url: /x\n---\n";
        assert_eq!(field_at(block, "  id: "), Some(LinkField::Id));
        assert_eq!(field_at(block, "# to"), None);
    }
}
