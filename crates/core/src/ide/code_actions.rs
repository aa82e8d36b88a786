//! Quick fixes and refactorings on related blocks, and the safe fixes that
//! `source.fixAll` and `check --fix` apply.

use std::borrow::Cow;

use text_size::{TextRange, TextSize};

use super::cursor::{line_end, line_start};
use super::link_edit::point_link_at;
use super::yaml_edit::{line_break, link_indent, render_inline, replace_value};
use super::{CurrentFile, SourceChange, TextEdit};
use crate::article::{Article, LinkFieldName, RelatedLink, Value};
use crate::diagnostics::DiagnosticCode;
use crate::index::{ArticleIndex, FileId};
use crate::resolve::{LinkTarget, resolve_link, stale_fields};
use crate::slug::file_name_for_url;
use crate::suggest::closest_articles;
use crate::summary::ArticleSummary;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    QuickFix,
    /// `source.fixAll`: every safe fix of the file.
    FixAll,
    /// A change that fixes nothing but helps: "link back".
    Refactor,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    pub title: String,
    pub kind: ActionKind,
    /// The codes of the diagnostics this action resolves.
    pub fixes: Vec<DiagnosticCode>,
    /// Where those diagnostics are, in the file of the request: the related
    /// block or field it fixes, or the values fix-all changes. Another
    /// link's diagnostic of the same code is not resolved by it.
    pub scope: Vec<TextRange>,
    pub is_preferred: bool,
    pub change: SourceChange,
}

/// Alternatives offered for a broken link.
const BROKEN_LINK_CHOICES: usize = 4;

/// Actions for the related blocks and fields that `range` touches.
pub fn code_actions<'t>(
    index: &ArticleIndex,
    current: CurrentFile<'_>,
    range: TextRange,
    text_of: impl Fn(FileId) -> Option<Cow<'t, str>>,
) -> Vec<CodeAction> {
    let CurrentFile { file, text, article } = current;
    let mut actions = Vec::new();
    let mut seen_targets = Vec::new();
    for link in &article.related {
        let target = resolve_link(index, link).target();
        let duplicate = target.is_some_and(|target| seen_targets.contains(&target));
        seen_targets.extend(target);
        if !matches!(link.value, Value::Mapping(_)) || link.range.intersect(range).is_none() {
            continue;
        }
        link_actions(index, current, link, duplicate, &mut actions, &text_of);
    }
    if let Some(field) = &article.file_name
        && field.key.cover(field.value.range()).intersect(range).is_some()
        && let Some(edit) = file_name_fix(text, article)
    {
        actions.push(quick_fix(
            format!("Set file_name to `{}`", edit.new_text.trim()),
            DiagnosticCode::SlugMismatch,
            true,
            vec![field.value_range()],
            single(file, vec![edit]),
        ));
    }
    let all = fix_all(index, current);
    if !all.is_empty() {
        // Each diagnostic it resolves is on a value it changes.
        let scope = all.iter().map(|edit| edit.range).collect();
        actions.push(CodeAction {
            title: "Fix all stale links and file_name".to_owned(),
            kind: ActionKind::FixAll,
            fixes: vec![
                DiagnosticCode::StaleId,
                DiagnosticCode::StaleUrl,
                DiagnosticCode::StaleTitle,
                DiagnosticCode::StaleSubject,
                DiagnosticCode::SlugMismatch,
            ],
            scope,
            is_preferred: false,
            change: single(file, all),
        });
    }
    actions
}

fn link_actions<'t>(
    index: &ArticleIndex,
    current: CurrentFile<'_>,
    link: &RelatedLink,
    duplicate: bool,
    actions: &mut Vec<CodeAction>,
    text_of: &impl Fn(FileId) -> Option<Cow<'t, str>>,
) {
    let CurrentFile { file, text, article: here } = current;
    let name = format!("related_article{}", link.number);
    let article_of = |target: FileId| index.get(target).map(|entry| &entry.summary);
    let resolution = resolve_link(index, link);
    match resolution {
        LinkTarget::Broken => {
            let title = link.title.as_ref().and_then(|field| field.text());
            for (rank, (candidate, _)) in
                closest_articles(index, title, link.target_url(), BROKEN_LINK_CHOICES + 1)
                    .into_iter()
                    .filter(|(c, _)| *c != file)
                    .take(BROKEN_LINK_CHOICES)
                    .enumerate()
            {
                let Some(target) = article_of(candidate) else { continue };
                let edits = point_link_at(text, link, target, &LinkFieldName::ALL);
                actions.push(quick_fix(
                    format!("Link to {}", describe(target)),
                    DiagnosticCode::BrokenLink,
                    rank == 0,
                    vec![link.range],
                    single(file, edits),
                ));
            }
        }
        LinkTarget::Mismatch { by_id, by_url } => {
            for (which, target_file) in [("id", by_id), ("url", by_url)] {
                let Some(target) = article_of(target_file) else { continue };
                let edits = point_link_at(text, link, target, &LinkFieldName::ALL);
                let title = format!("Follow the {which}: link to {}", describe(target));
                let fix = quick_fix(
                    title,
                    DiagnosticCode::LinkMismatch,
                    false,
                    vec![link.range],
                    single(file, edits),
                );
                actions.push(fix);
            }
        }
        _ => {}
    }
    let Some(target_file) = resolution.target() else { return };
    if target_file == file || duplicate {
        let code = if target_file == file { DiagnosticCode::SelfLink } else { DiagnosticCode::DuplicateLink };
        actions.push(quick_fix(
            format!("Remove {name}"),
            code,
            true,
            vec![link.range],
            single(file, vec![remove_block(text, link)]),
        ));
        return;
    }
    let Some(target) = article_of(target_file) else { return };
    let stale = stale_fields(link, resolution, target);
    for (field, current) in &stale {
        let Some(value) = link.field(*field) else { continue };
        let edit = replace_value(text, value, current);
        let title = format!("Use the current {}: {}", field.as_str(), quoted(current));
        let fix = quick_fix(
            title,
            stale_code(*field),
            stale.len() == 1,
            vec![link.range],
            single(file, vec![edit]),
        );
        actions.push(fix);
    }
    if stale.len() > 1 {
        let fields: Vec<LinkFieldName> = stale.iter().map(|(field, _)| *field).collect();
        let edits = point_link_at(text, link, target, &fields);
        let mut action = quick_fix(
            format!("Update {name} to match {}", describe(target)),
            stale_code(fields[0]),
            true,
            vec![link.range],
            single(file, edits),
        );
        action.fixes = fields.into_iter().map(stale_code).collect();
        actions.push(action);
    }
    // The block goes into the target's current text (the editor's, when it
    // is open), placed by that text's own parse: the index may lag behind it.
    if !links_back(index, target_file, file)
        && let Some(target_text) = text_of(target_file)
        && let Some(target_now) = crate::article::parse_article(&target_text)
        && let Some(edit) = new_link_block(&target_text, &target_now, here)
    {
        actions.push(CodeAction {
            title: format!("Link back from {}", describe(target)),
            kind: ActionKind::Refactor,
            fixes: Vec::new(),
            scope: Vec::new(),
            is_preferred: false,
            change: single(target_file, vec![edit]),
        });
    }
}

/// The safe fixes of a file: stale link fields take their target's values,
/// and `file_name` follows the url. They never change what a link points to.
pub fn fix_all(index: &ArticleIndex, current: CurrentFile<'_>) -> Vec<TextEdit> {
    let CurrentFile { file, text, article } = current;
    let mut edits = Vec::new();
    let mut seen = Vec::new();
    for link in &article.related {
        let resolution = resolve_link(index, link);
        let Some(target_file) = resolution.target() else { continue };
        if matches!(resolution, LinkTarget::Mismatch { .. })
            || target_file == file
            || seen.contains(&target_file)
        {
            continue;
        }
        seen.push(target_file);
        let Some(target) = index.get(target_file) else { continue };
        for (field, current) in stale_fields(link, resolution, &target.summary) {
            if let Some(value) = link.field(field) {
                edits.push(replace_value(text, value, &current));
            }
        }
    }
    edits.extend(file_name_fix(text, article));
    edits
}

fn file_name_fix(text: &str, article: &Article) -> Option<TextEdit> {
    let field = article.file_name.as_ref()?;
    let expected = file_name_for_url(article.article_url()?)?;
    (field.text()? != expected).then(|| replace_value(text, field, &expected))
}

fn links_back(index: &ArticleIndex, from: FileId, to: FileId) -> bool {
    index.get(from).is_some_and(|entry| {
        entry.summary.links.iter().any(|link| resolve_link(index, link).target() == Some(to))
    })
}

/// A `related_articleN` block in `target` that links to `here`, after the
/// target's last block (or at the end of its front matter).
pub(crate) fn new_link_block(target_text: &str, target: &Article, here: &Article) -> Option<TextEdit> {
    let newline = line_break(target_text);
    let number = target.related.iter().map(|link| link.number).max().unwrap_or(0) + 1;
    let indent =
        target.related.last().map_or_else(|| "    ".to_owned(), |link| link_indent(target_text, link));
    let mut block = format!("related_article{number}:");
    for name in LinkFieldName::ALL {
        if let Some(value) = here.link_value(name) {
            block += &format!("{newline}{indent}{}: {}", name.as_str(), render_inline(&value));
        }
    }
    let at = match target.related.iter().map(|link| link.range.end()).max() {
        Some(end) => line_end(target_text, end),
        None => {
            // Before the closing fence: the front matter's end is the fence's line start.
            let end = target.front_matter.end();
            return Some(TextEdit { range: TextRange::empty(end), new_text: format!("{block}{newline}") });
        }
    };
    Some(TextEdit { range: TextRange::empty(at), new_text: format!("{newline}{block}") })
}

/// The block's lines, with the line break that ends them.
fn remove_block(text: &str, link: &RelatedLink) -> TextEdit {
    let start = line_start(text, link.range.start());
    let end = line_end(text, link.range.end());
    let rest = text.get(usize::from(end)..).unwrap_or("");
    let break_len = if rest.starts_with("\r\n") { 2 } else { usize::from(rest.starts_with(['\n', '\r'])) };
    TextEdit { range: TextRange::new(start, end + TextSize::from(break_len as u32)), new_text: String::new() }
}

fn stale_code(field: LinkFieldName) -> DiagnosticCode {
    match field {
        LinkFieldName::Id => DiagnosticCode::StaleId,
        LinkFieldName::Url => DiagnosticCode::StaleUrl,
        LinkFieldName::Title => DiagnosticCode::StaleTitle,
        LinkFieldName::Subject => DiagnosticCode::StaleSubject,
    }
}

fn quick_fix(
    title: String,
    code: DiagnosticCode,
    is_preferred: bool,
    scope: Vec<TextRange>,
    change: SourceChange,
) -> CodeAction {
    CodeAction { title, kind: ActionKind::QuickFix, fixes: vec![code], scope, is_preferred, change }
}

fn single(file: FileId, edits: Vec<TextEdit>) -> SourceChange {
    SourceChange { files: vec![(file, edits)] }
}

fn describe(article: &ArticleSummary) -> String {
    let title = quoted(article.title_text().unwrap_or("(untitled)"));
    match article.id {
        Some(id) => format!("{title} (id {id})"),
        None => title,
    }
}

fn quoted(text: &str) -> String {
    format!("“{text}”")
}
