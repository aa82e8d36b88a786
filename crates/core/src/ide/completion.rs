//! Completion inside related blocks: pick an article by id, title or url and
//! the whole link is filled in; subjects and urls on their own; and a fresh
//! `related_articleN` block on an empty line after the last one.

use std::collections::{HashMap, HashSet};

use text_size::{TextRange, TextSize};

use super::cursor::{Cursor, LinkField, cursor_at, line_end, line_start, value_start};
use super::link_edit::point_link_at;
use super::preview::{LongTexts, text_preview};
use super::search::search;
use super::{CurrentFile, TextEdit};
use crate::article::{Article, LinkFieldName, RelatedLink};
use crate::index::{ArticleIndex, FileId, title_words};
use crate::resolve::resolve_link;
use crate::summary::ArticleSummary;

/// At most this many items; the list is marked incomplete when cut.
pub const MAX_ITEMS: usize = 50;
/// How many matches are ranked before cutting to `MAX_ITEMS`.
const RANKED: usize = 400;
const PREVIEW_CHARS: usize = 300;
/// A title word in more articles than this says nothing about similarity.
const COMMON_WORD: usize = 2_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Article,
    Url,
    Subject,
    Snippet,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    /// Shown right after the label (an id's title, a title's id).
    pub label_detail: Option<String>,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// Markdown. For articles it is filled in on resolve, see
    /// [`article_documentation`]: reading 50 answers up front would be slow.
    pub documentation: Option<String>,
    /// The article the item links to, for resolving its documentation.
    pub target: Option<FileId>,
    pub filter_text: String,
    pub sort_text: String,
    /// Replaces the value under the cursor; one line, containing the cursor.
    pub edit: TextEdit,
    /// `edit.new_text` is an LSP snippet (`$1` placeholders).
    pub is_snippet: bool,
    /// The rest of the link: other fields of the block, set to match.
    pub additional_edits: Vec<TextEdit>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Completions {
    pub items: Vec<CompletionItem>,
    /// More would match: the client should ask again as the writer types.
    pub is_incomplete: bool,
}

pub fn completions(index: &ArticleIndex, current: CurrentFile<'_>, offset: TextSize) -> Completions {
    let CurrentFile { file, text, article } = current;
    match cursor_at(article, text, offset) {
        Some(Cursor::Link { link, field: field @ (LinkField::Id | LinkField::Title | LinkField::Url) }) => {
            article_items(index, file, article, text, offset, link, field)
        }
        Some(Cursor::Link { link, field: LinkField::Subject }) => subject_items(index, text, offset, link),
        Some(_) => Completions::default(),
        None => new_block_item(article, text, offset),
    }
}

fn article_items(
    index: &ArticleIndex,
    file: FileId,
    article: &Article,
    text: &str,
    offset: TextSize,
    link: &RelatedLink,
    field: LinkField,
) -> Completions {
    let (name, value) = match field {
        LinkField::Id => (LinkFieldName::Id, link.id.as_ref()),
        LinkField::Title => (LinkFieldName::Title, link.title.as_ref()),
        _ => (LinkFieldName::Url, link.url.as_ref()),
    };
    let Some(value) = value else { return Completions::default() };
    let typed_from = value_start(value, text).min(offset);
    let typed = text.get(usize::from(typed_from)..usize::from(offset)).unwrap_or("");
    let query = if name == LinkFieldName::Url { url_query(typed) } else { typed.to_owned() };

    let excluded = linked_elsewhere(index, file, article, link);
    let shared = shared_title_words(index, article);
    let (mut files, complete) = if query.trim().is_empty() {
        (related_to(index, article, &shared), false)
    } else {
        let found = search(index, &query, RANKED);
        (found.files, found.complete)
    };
    files.retain(|candidate| !excluded.contains(candidate));
    let ranked = rank(index, article, &shared, files);
    let is_incomplete = !complete || ranked.len() > MAX_ITEMS;

    let items = ranked
        .into_iter()
        .take(MAX_ITEMS)
        .enumerate()
        .filter_map(|(rank, candidate)| {
            let target = &index.get(candidate)?.summary;
            let mut edits = point_link_at(text, link, target, &LinkFieldName::ALL);
            let own = value_edit_position(&edits, value, text);
            let main = match own {
                Some(at) => edits.remove(at),
                // Already the value: a no-op edit still lets the client accept.
                None => TextEdit { range: TextRange::new(typed_from, offset), new_text: typed.to_owned() },
            };
            let (main, mut extra) = single_line(text, main, offset);
            edits.append(&mut extra);
            Some(article_item(candidate, target, name, rank, main, edits))
        })
        .collect();
    Completions { items, is_incomplete }
}

/// Urls are matched by their words: `/learn/x/questions/how-does` → `how does`.
fn url_query(typed: &str) -> String {
    let last = typed.rsplit('/').next().unwrap_or("");
    last.replace('-', " ")
}

/// Which of `edits` replaces `value` (the field being completed).
fn value_edit_position(edits: &[TextEdit], value: &crate::article::Field, text: &str) -> Option<usize> {
    let extent = super::cursor::field_extent(value, text);
    edits.iter().position(|edit| extent.contains_range(edit.range))
}

fn article_item(
    file: FileId,
    target: &ArticleSummary,
    name: LinkFieldName,
    rank: usize,
    edit: TextEdit,
    additional_edits: Vec<TextEdit>,
) -> CompletionItem {
    let id = target.id.map(|id| id.to_string()).unwrap_or_default();
    let title = target.title_text().unwrap_or_default().to_owned();
    let url = target.article_url().unwrap_or_default().to_owned();
    let (label, label_detail, filter_text, kind) = match name {
        LinkFieldName::Id => {
            (id.clone(), Some(format!(" {title}")), format!("{id} {title}"), CompletionKind::Article)
        }
        LinkFieldName::Url => {
            (url.clone(), Some(format!(" {id}")), format!("{url} {title}"), CompletionKind::Url)
        }
        _ => (title.clone(), Some(format!(" {id}")), format!("{title} {id}"), CompletionKind::Article),
    };
    CompletionItem {
        label,
        label_detail,
        kind,
        detail: target.subject_text().map(str::to_owned),
        documentation: None,
        target: Some(file),
        filter_text,
        sort_text: format!("{rank:04}"),
        edit,
        is_snippet: false,
        additional_edits,
    }
}

/// An article item's documentation: its question, the start of its answer
/// (both read from the target's text by the caller) and its url.
pub fn article_documentation(index: &ArticleIndex, target: FileId, texts: &LongTexts) -> Option<String> {
    let article = &index.get(target)?.summary;
    let mut out = String::new();
    if let Some(question) = &texts.question {
        out += &format!("**{}**\n\n", text_preview(question, PREVIEW_CHARS));
    }
    if let Some(answer) = &texts.answer {
        out += &text_preview(answer, PREVIEW_CHARS);
    }
    if let Some(url) = article.article_url() {
        out += &format!("\n\n`{url}`");
    }
    Some(out.trim().to_owned())
}

/// The article itself and the targets of its other blocks: never offered.
fn linked_elsewhere(
    index: &ArticleIndex,
    file: FileId,
    article: &Article,
    current: &RelatedLink,
) -> HashSet<FileId> {
    let mut excluded: HashSet<FileId> = article
        .related
        .iter()
        .filter(|link| link.key != current.key)
        .filter_map(|link| resolve_link(index, link).target())
        .collect();
    excluded.insert(file);
    excluded
}

/// With nothing typed yet: articles sharing the rarer words of this title,
/// and articles of the same subject.
/// Words of this article's title shared by other titles, by file: counted
/// from the index's postings, skipping words so common they say nothing.
fn shared_title_words(index: &ArticleIndex, article: &Article) -> HashMap<FileId, usize> {
    let mut shared: HashMap<FileId, usize> = HashMap::new();
    for word in title_words(article.title_text().unwrap_or("")) {
        let files = index.with_title_word(&word);
        if files.len() <= COMMON_WORD {
            for file in files {
                *shared.entry(*file).or_default() += 1;
            }
        }
    }
    shared
}

/// With nothing typed yet: the articles sharing most title words with this
/// one, then others of the same subject.
fn related_to(index: &ArticleIndex, article: &Article, shared: &HashMap<FileId, usize>) -> Vec<FileId> {
    let mut files: Vec<(usize, FileId)> = shared.iter().map(|(file, count)| (*count, *file)).collect();
    files.sort_unstable_by(|a, b| b.cmp(a));
    files.truncate(RANKED);
    let mut files: Vec<FileId> = files.into_iter().map(|(_, file)| file).collect();
    if let Some(subject) = article.subject_text() {
        files.extend(index.with_subject(subject).iter().take(RANKED.saturating_sub(files.len())));
    }
    files.sort_unstable();
    files.dedup();
    files
}

/// Same subject first, then titles sharing more words with this one, then by title.
fn rank(
    index: &ArticleIndex,
    article: &Article,
    shared: &HashMap<FileId, usize>,
    files: Vec<FileId>,
) -> Vec<FileId> {
    let subject = article.subject_text();
    let mut keyed: Vec<(bool, usize, &str, FileId)> = files
        .into_iter()
        .filter_map(|file| {
            let target = &index.get(file)?.summary;
            let shared = shared.get(&file).copied().unwrap_or(0);
            Some((
                target.subject_text() != subject,
                usize::MAX - shared,
                target.title_text().unwrap_or(""),
                file,
            ))
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(.., file)| file).collect()
}

fn subject_items(index: &ArticleIndex, text: &str, offset: TextSize, link: &RelatedLink) -> Completions {
    let Some(value) = &link.subject else { return Completions::default() };
    let typed_from = value_start(value, text).min(offset);
    let typed = text.get(usize::from(typed_from)..usize::from(offset)).unwrap_or("").to_lowercase();
    let edit_for = |subject: &str| {
        let edit = super::yaml_edit::replace_value(text, value, subject);
        single_line(text, edit, offset)
    };
    let mut subjects: Vec<(&str, usize)> =
        index.subjects().filter(|(subject, _)| subject.to_lowercase().contains(typed.trim())).collect();
    subjects.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let is_incomplete = subjects.len() > MAX_ITEMS;
    let items = subjects
        .into_iter()
        .take(MAX_ITEMS)
        .enumerate()
        .map(|(rank, (subject, count))| {
            let (edit, additional_edits) = edit_for(subject);
            CompletionItem {
                label: subject.to_owned(),
                label_detail: None,
                kind: CompletionKind::Subject,
                detail: Some(if count == 1 { "1 article".to_owned() } else { format!("{count} articles") }),
                documentation: None,
                target: None,
                filter_text: subject.to_owned(),
                sort_text: format!("{rank:04}"),
                edit,
                is_snippet: false,
                additional_edits,
            }
        })
        .collect();
    Completions { items, is_incomplete }
}

/// On an empty line of the front matter after the last related block: the
/// next free `related_articleN` block as a snippet.
fn new_block_item(article: &Article, text: &str, offset: TextSize) -> Completions {
    let start = line_start(text, offset);
    let end = line_end(text, offset);
    let line = text.get(usize::from(start)..usize::from(end)).unwrap_or("");
    let in_front_matter = article.front_matter.contains(start);
    let after_blocks = article.related.iter().all(|link| link.range.end() < start);
    if !in_front_matter || !after_blocks || !line.trim().is_empty() {
        return Completions::default();
    }
    let number = article.related.iter().map(|link| link.number).max().unwrap_or(0) + 1;
    let indent = article
        .related
        .last()
        .map_or_else(|| "    ".to_owned(), |link| super::yaml_edit::link_indent(text, link));
    let newline = super::yaml_edit::line_break(text);
    let snippet = format!(
        "related_article{number}:{newline}{indent}id: $1{newline}{indent}title: $2{newline}{indent}subject: $3{newline}{indent}url: $4"
    );
    let item = CompletionItem {
        label: format!("related_article{number}"),
        label_detail: Some(" new related block".to_owned()),
        kind: CompletionKind::Snippet,
        detail: Some("Link another article".to_owned()),
        documentation: None,
        target: None,
        filter_text: format!("related_article{number}"),
        sort_text: "0000".to_owned(),
        edit: TextEdit { range: TextRange::new(start, end), new_text: snippet },
        is_snippet: true,
        additional_edits: Vec::new(),
    };
    Completions { items: vec![item], is_incomplete: false }
}

/// LSP wants the main edit on the cursor's line: a value spanning lines is
/// replaced there, and its other lines removed by additional edits.
fn single_line(text: &str, edit: TextEdit, cursor: TextSize) -> (TextEdit, Vec<TextEdit>) {
    let line = TextRange::new(line_start(text, cursor), line_end(text, cursor));
    if line.contains_range(edit.range) {
        return (reach_cursor(text, edit, cursor), Vec::new());
    }
    let start = edit.range.start().max(line.start()).min(cursor);
    let end = edit.range.end().min(line.end()).max(cursor);
    let mut extra = Vec::new();
    if edit.range.start() < start {
        extra.push(TextEdit { range: TextRange::new(edit.range.start(), start), new_text: String::new() });
    }
    if end < edit.range.end() {
        extra.push(TextEdit { range: TextRange::new(end, edit.range.end()), new_text: String::new() });
    }
    (TextEdit { range: TextRange::new(start, end), new_text: edit.new_text }, extra)
}

/// LSP also wants the main edit to contain the cursor, which may be on the
/// key rather than the value: the edit then takes the text between them
/// along, unchanged.
fn reach_cursor(text: &str, mut edit: TextEdit, cursor: TextSize) -> TextEdit {
    let slice = |range: TextRange| text.get(std::ops::Range::<usize>::from(range)).unwrap_or("");
    if cursor < edit.range.start() {
        edit.new_text.insert_str(0, slice(TextRange::new(cursor, edit.range.start())));
        edit.range = TextRange::new(cursor, edit.range.end());
    } else if cursor > edit.range.end() {
        edit.new_text.push_str(slice(TextRange::new(edit.range.end(), cursor)));
        edit.range = TextRange::new(edit.range.start(), cursor);
    }
    edit
}
