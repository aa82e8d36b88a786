//! What is under the cursor: which field of the article or of which related block.

use text_size::{TextRange, TextSize};

use crate::article::{Article, Field, RelatedLink, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkField {
    /// The `related_articleN` key itself.
    Key,
    Id,
    Title,
    Subject,
    Url,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnField {
    Id,
    Title,
    Subject,
    Url,
}

#[derive(Clone, Copy, Debug)]
pub enum Cursor<'a> {
    Link { link: &'a RelatedLink, field: LinkField },
    Own { field: OwnField, value: &'a Field },
}

/// The field at `offset`, from its key to the end of its value (a block
/// scalar's value counts on every line it spans; an empty value runs to the end
/// of the key's line, where the writer is about to type).
pub fn cursor_at<'a>(article: &'a Article, text: &str, offset: TextSize) -> Option<Cursor<'a>> {
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

/// From the key's start to the value's end, or to the end of the key's line
/// when the value is empty.
pub fn field_extent(field: &Field, text: &str) -> TextRange {
    let value_end = field.value.range().end();
    let empty = matches!(&field.value, Value::Scalar(scalar) if scalar.content.is_empty());
    let end = if empty { line_end(text, field.key.end()) } else { value_end.max(field.key.end()) };
    TextRange::new(field.key.start(), end)
}

/// Where the value of a field starts for the writer: after `key:` and spaces.
pub fn value_start(field: &Field, text: &str) -> TextSize {
    if let Value::Scalar(scalar) = &field.value
        && !scalar.content.is_empty()
    {
        return scalar.content.start();
    }
    let key_end = usize::from(field.key.end());
    let rest = text.get(key_end..).unwrap_or("");
    let after_colon = rest.strip_prefix(':').map_or(0, |_| 1);
    let spaces = rest[after_colon..].len() - rest[after_colon..].trim_start_matches([' ', '\t']).len();
    TextSize::from((key_end + after_colon + spaces) as u32)
}

pub fn line_end(text: &str, from: TextSize) -> TextSize {
    let start = usize::from(from).min(text.len());
    let end = text.get(start..).unwrap_or("").find(['\n', '\r']).map_or(text.len(), |at| start + at);
    TextSize::from(end as u32)
}

pub fn line_start(text: &str, at: TextSize) -> TextSize {
    let end = usize::from(at).min(text.len());
    let start = text.get(..end).unwrap_or("").rfind(['\n', '\r']).map_or(0, |at| at + 1);
    TextSize::from(start as u32)
}
