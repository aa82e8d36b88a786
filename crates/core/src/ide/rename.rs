//! Rename an article's title, url or id, and every link to it with it.

use std::borrow::Cow;

use text_size::{TextRange, TextSize};

use super::cursor::{Cursor, OwnField, cursor_at};
use super::references::links_to;
use super::yaml_edit::replace_value;
use super::{CurrentFile, SourceChange};
use crate::article::{ArticleId, Field, parse_article};
use crate::index::{ArticleIndex, FileId};
use crate::slug::file_name_for_url;

/// What can be renamed at the cursor: its range and current value.
pub fn prepare_rename(current: CurrentFile<'_>, offset: TextSize) -> Result<(TextRange, String), String> {
    let (_, field) = renamed_field(current, offset)?;
    let value = field.text().unwrap_or_default().to_owned();
    Ok((field.value_range(), value))
}

/// The edits renaming the article's own title, url or id under the cursor to
/// `new_value`, in every file that links to it. `text_of` gives a file's
/// current text (the editor's, when it is open).
pub fn rename<'t>(
    index: &ArticleIndex,
    current: CurrentFile<'_>,
    offset: TextSize,
    new_value: &str,
    text_of: impl Fn(FileId) -> Option<Cow<'t, str>>,
) -> Result<SourceChange, String> {
    let CurrentFile { file, text, article } = current;
    let (kind, field) = renamed_field(current, offset)?;
    let new_value = new_value.trim();
    validate(index, file, kind, new_value)?;
    let mut change = SourceChange::default();
    change.add(file, replace_value(text, field, new_value));
    if kind == OwnField::Url
        && let (Some(file_name), Some(old_url)) = (&article.file_name, article.article_url())
        && file_name.text().map(str::to_owned) == file_name_for_url(old_url)
        && let Some(new_file_name) = file_name_for_url(new_value)
    {
        change.add(file, replace_value(text, file_name, &new_file_name));
    }
    let (old_id, old_url) = (article.article_id(), article.article_url());
    for (referrer, link) in links_to(index, file).collect::<Vec<_>>() {
        let referrer_text = if referrer == file { Some(Cow::Borrowed(text)) } else { text_of(referrer) };
        let Some(referrer_text) = referrer_text else { continue };
        // The edit is placed by the referrer's current text (the editor's,
        // when it is open): the index may not have its latest edits yet.
        let current = parse_article(&referrer_text);
        let Some(link) =
            current.as_ref().and_then(|current| current.related.iter().find(|l| l.number == link.number))
        else {
            continue;
        };
        let still_linked = (old_id.is_some() && link.target_id() == old_id)
            || (old_url.is_some() && link.target_url() == old_url);
        let field = match kind {
            OwnField::Title => link.title.as_ref(),
            OwnField::Url => link.url.as_ref(),
            _ => link.id.as_ref(),
        };
        let Some(field) = field.filter(|_| still_linked) else { continue };
        change.add(referrer, replace_value(&referrer_text, field, new_value));
    }
    Ok(change)
}

fn renamed_field<'a>(current: CurrentFile<'a>, offset: TextSize) -> Result<(OwnField, &'a Field), String> {
    match cursor_at(current.article, current.text, offset) {
        Some(Cursor::Own { field: kind @ (OwnField::Title | OwnField::Url | OwnField::Id), value }) => {
            Ok((kind, value))
        }
        _ => Err("rename works on the article's own `title`, `url` or `id`".to_owned()),
    }
}

fn validate(index: &ArticleIndex, file: FileId, kind: OwnField, value: &str) -> Result<(), String> {
    match kind {
        _ if value.is_empty() => Err("the new value is empty".to_owned()),
        OwnField::Id => {
            let id: ArticleId =
                value.parse().map_err(|_| format!("`{value}` is not a non-negative integer id"))?;
            match index.with_id(id).iter().find(|other| **other != file) {
                Some(other) => Err(format!("id {id} is already taken by {}", index.path(*other))),
                None => Ok(()),
            }
        }
        OwnField::Url => {
            if !value.starts_with('/') || value.contains(char::is_whitespace) {
                return Err(format!("`{value}` is not a url: it must start with `/` and have no spaces"));
            }
            match index.with_url(value).iter().find(|other| **other != file) {
                Some(other) => Err(format!("url {value} is already taken by {}", index.path(*other))),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}
