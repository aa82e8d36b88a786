//! Editor requests: each builds a [`Request`] (the snapshot with the
//! document's current text in it), calls one core function and converts
//! the answer. No analysis happens here.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::ls_types::Uri;

use super::convert;
use super::documents::ParsedText;
use super::shared::Shared;
use super::state::{Snapshot, Workspace};
use article_core::diagnostics::DiagnosticCode;
use article_core::ide::code_actions::{ActionKind, code_actions};
use article_core::ide::completion::{CompletionKind, article_documentation, completions};
use article_core::ide::document_links::document_links;
use article_core::ide::goto_definition::goto_definition;
use article_core::ide::hover::{hover, unchecked_link_hover};
use article_core::ide::preview::{LongTexts, long_texts_of_text};
use article_core::ide::references::{backlink_lens, references};
use article_core::ide::rename::{prepare_rename, rename};
use article_core::ide::symbols::{DocumentSymbol, SymbolKind, document_symbols, workspace_symbols};
use article_core::ide::{CurrentFile, FileRange, SourceChange, TextEdit};
use article_core::index::{ArticleIndex, FileId, FilePath};
use article_core::line_index::{LineIndex, PositionEncoding};

/// The command a backlink lens runs; editor clients map it to their own
/// "show references" (VS Code's takes its own types, not LSP's).
pub const SHOW_REFERENCES: &str = "articleLsp.showReferences";
const WORKSPACE_SYMBOLS: usize = 100;

/// One request's view of the workspace: the snapshot that holds every
/// editor notification sent before it, and the file it is about as the
/// writer sees it (an open document as the loop parsed it, else the disk's
/// text, parsed now).
pub struct Request {
    snapshot: Arc<Snapshot>,
    pub index: Arc<ArticleIndex>,
    pub file: FileId,
    parsed: Arc<ParsedText>,
    pub encoding: PositionEncoding,
    /// Other files' texts as read for this request, with their line
    /// indexes: edits to them are computed on these texts and must be
    /// converted with them, not with the index's (possibly older) ones.
    others: RefCell<HashMap<FileId, (String, LineIndex)>>,
}

impl Request {
    pub fn new(shared: &Shared, snapshot: &Arc<Snapshot>, uri: &Uri) -> Option<Request> {
        let path = convert::file_path(uri);
        let parsed = match snapshot.documents.get(&path) {
            Some(document) => document.parsed.clone(),
            None => Arc::new(ParsedText::new(disk_text(snapshot, &path)?)),
        };
        parsed.article.as_ref()?;
        let index = snapshot.index.clone();
        let file = index.file_id(&path).filter(|file| index.get(*file).is_some())?;
        let encoding = shared.session().encoding;
        Some(Request {
            snapshot: snapshot.clone(),
            index,
            file,
            parsed,
            encoding,
            others: RefCell::default(),
        })
    }

    /// The roots and settings as the snapshot has them.
    pub fn workspace(&self) -> &Workspace {
        &self.snapshot.workspace
    }

    /// The file the request is about, for the core's features (an
    /// article: [`Request::new`] makes none for other texts).
    pub fn current(&self) -> Option<CurrentFile<'_>> {
        let article = self.parsed.article.as_ref()?;
        Some(CurrentFile { file: self.file, text: &self.parsed.text, article })
    }

    pub fn offset(&self, position: lsp::Position) -> text_size::TextSize {
        convert::offset(&self.parsed.line_index, position, self.encoding)
    }

    /// A range in any indexed file, in the client's encoding.
    pub fn range(&self, file: FileId, range: text_size::TextRange) -> Option<lsp::Range> {
        if file == self.file {
            return Some(convert::range(&self.parsed.line_index, range, self.encoding));
        }
        Some(convert::range(&self.index.get(file)?.line_index, range, self.encoding))
    }

    pub fn uri(&self, file: FileId) -> Option<Uri> {
        let path = self.index.path(file);
        match self.snapshot.documents.get(path) {
            Some(document) => Some(document.uri.clone()),
            None => convert::uri(path),
        }
    }

    pub fn location(&self, found: FileRange) -> Option<lsp::Location> {
        Some(lsp::Location::new(self.uri(found.file)?, self.range(found.file, found.range)?))
    }

    fn text_edit(&self, file: FileId, edit: &TextEdit) -> Option<lsp::TextEdit> {
        let range = match self.others.borrow().get(&file) {
            Some((_, line_index)) => convert::range(line_index, edit.range, self.encoding),
            None => self.range(file, edit.range)?,
        };
        Some(lsp::TextEdit::new(range, edit.new_text.clone()))
    }

    /// The current text of a file: the editor's when open, else the disk's.
    fn text_of(&self, file: FileId) -> Option<Cow<'static, str>> {
        if file == self.file {
            return Some(Cow::Owned(self.parsed.text.clone()));
        }
        if let Some((text, _)) = self.others.borrow().get(&file) {
            return Some(Cow::Owned(text.clone()));
        }
        let text = current_text(&self.snapshot, self.index.path(file))?;
        self.others.borrow_mut().insert(file, (text.clone(), LineIndex::new(&text)));
        Some(Cow::Owned(text))
    }

    /// An article's question and answer, which the index does not keep.
    fn long_texts_of(&self, file: FileId) -> Option<LongTexts> {
        long_texts_of_text(&self.text_of(file)?)
    }

    /// Edits to several files as versioned document changes: an open
    /// document's version guards the writer's unsaved work.
    fn workspace_edit(&self, change: &SourceChange) -> Option<lsp::WorkspaceEdit> {
        let mut document_changes = Vec::new();
        for (file, edits) in &change.files {
            let path: &FilePath = self.index.path(*file);
            let version = self.snapshot.documents.get(path).map(|document| document.version);
            let edits =
                edits.iter().filter_map(|edit| self.text_edit(*file, edit)).map(lsp::OneOf::Left).collect();
            document_changes.push(lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier {
                    uri: self.uri(*file)?,
                    version,
                },
                edits,
            });
        }
        Some(lsp::WorkspaceEdit {
            document_changes: Some(lsp::DocumentChanges::Edits(document_changes)),
            ..lsp::WorkspaceEdit::default()
        })
    }
}

/// The text of `path` as the writer sees it: the open document's, else the disk's.
fn current_text(snapshot: &Snapshot, path: &FilePath) -> Option<String> {
    match snapshot.documents.get(path) {
        Some(document) => Some(document.parsed.text.clone()),
        None => disk_text(snapshot, path),
    }
}

fn disk_text(snapshot: &Snapshot, path: &FilePath) -> Option<String> {
    snapshot.workspace.read_text(std::path::Path::new(path.as_str())).ok()
}

pub fn completion(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    params: lsp::CompletionParams,
) -> Option<lsp::CompletionResponse> {
    let position = params.text_document_position;
    let request = Request::new(shared, snapshot, &position.text_document.uri)?;
    let found = completions(&request.index, request.current()?, request.offset(position.position));
    let items = found
        .items
        .into_iter()
        .filter_map(|item| {
            let edit = request.text_edit(request.file, &item.edit)?;
            let additional = item
                .additional_edits
                .iter()
                .filter_map(|edit| request.text_edit(request.file, edit))
                .collect();
            Some(lsp::CompletionItem {
                label: item.label,
                label_details: item.label_detail.map(|detail| lsp::CompletionItemLabelDetails {
                    detail: Some(detail),
                    description: None,
                }),
                kind: Some(match item.kind {
                    CompletionKind::Article => lsp::CompletionItemKind::REFERENCE,
                    CompletionKind::Url => lsp::CompletionItemKind::FILE,
                    CompletionKind::Subject => lsp::CompletionItemKind::ENUM_MEMBER,
                    CompletionKind::Snippet => lsp::CompletionItemKind::SNIPPET,
                }),
                detail: item.detail,
                documentation: item.documentation.map(markdown_documentation),
                filter_text: Some(item.filter_text),
                sort_text: Some(item.sort_text),
                insert_text_format: Some(if item.is_snippet {
                    lsp::InsertTextFormat::SNIPPET
                } else {
                    lsp::InsertTextFormat::PLAIN_TEXT
                }),
                text_edit: Some(lsp::CompletionTextEdit::Edit(edit)),
                additional_text_edits: Some(additional),
                data: item
                    .target
                    .map(|target| serde_json::json!({ "path": request.index.path(target).as_str() })),
                ..lsp::CompletionItem::default()
            })
        })
        .collect();
    Some(lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: found.is_incomplete, items }))
}

/// Fills in an article item's documentation: its question and answer are
/// read only now, for the one item the writer looks at.
pub fn resolve_completion(snapshot: &Arc<Snapshot>, mut item: lsp::CompletionItem) -> lsp::CompletionItem {
    let path = item.data.as_ref().and_then(|data| data.get("path")).and_then(|path| path.as_str());
    let Some(path) = path.map(FilePath::new) else { return item };
    let index = &snapshot.index;
    let Some(file) = index.file_id(&path) else { return item };
    let texts = current_text(snapshot, &path).and_then(|text| long_texts_of_text(&text)).unwrap_or_default();
    item.documentation = article_documentation(index, file, &texts).map(markdown_documentation);
    item
}

fn markdown_documentation(value: String) -> lsp::Documentation {
    lsp::Documentation::MarkupContent(lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value })
}

pub fn definition(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    params: lsp::GotoDefinitionParams,
) -> Option<lsp::GotoDefinitionResponse> {
    let position = params.text_document_position_params;
    let request = Request::new(shared, snapshot, &position.text_document.uri)?;
    let target = goto_definition(&request.index, request.current()?, request.offset(position.position))?;
    Some(lsp::GotoDefinitionResponse::Scalar(request.location(target)?))
}

pub fn hover_info(shared: &Shared, snapshot: &Arc<Snapshot>, params: lsp::HoverParams) -> Option<lsp::Hover> {
    let position = params.text_document_position_params;
    let request = Request::new(shared, snapshot, &position.text_document.uri)?;
    let preview = request.workspace().settings_for(request.index.path(request.file)).hover_preview_length;
    let offset = request.offset(position.position);
    let loose = request.workspace().is_loose(request.index.path(request.file));
    let unchecked = loose.then(|| unchecked_link_hover(request.current()?, offset));
    let mut found = match unchecked.flatten() {
        Some(found) => found,
        None => {
            hover(&request.index, request.current()?, offset, preview, |file| request.long_texts_of(file))?
        }
    };
    if request.snapshot.scanning {
        found.markdown =
            format!("_Indexing the workspace: articles not read yet are missing._\n\n{}", found.markdown);
    }
    Some(lsp::Hover {
        contents: lsp::HoverContents::Markup(lsp::MarkupContent {
            kind: lsp::MarkupKind::Markdown,
            value: found.markdown,
        }),
        range: request.range(request.file, found.range),
    })
}

pub fn find_references(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    params: lsp::ReferenceParams,
) -> Option<Vec<lsp::Location>> {
    let position = params.text_document_position;
    let request = Request::new(shared, snapshot, &position.text_document.uri)?;
    let offset = request.offset(position.position);
    let found = references(&request.index, request.current()?, offset, params.context.include_declaration);
    Some(found.into_iter().filter_map(|found| request.location(found)).collect())
}

pub fn code_lens(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    params: lsp::CodeLensParams,
) -> Option<Vec<lsp::CodeLens>> {
    let request = Request::new(shared, snapshot, &params.text_document.uri)?;
    let (range, count) = backlink_lens(&request.index, request.current()?)?;
    let range = request.range(request.file, range)?;
    // What "show references" lists: the linking blocks, as references on the id finds them.
    let id = request.current()?.article.id.as_ref()?.value_range();
    let locations: Vec<lsp::Location> = references(&request.index, request.current()?, id.start(), false)
        .into_iter()
        .filter_map(|found| request.location(found))
        .collect();
    let title = match count {
        1 => "1 article links here".to_owned(),
        n => format!("{n} articles link here"),
    };
    let arguments = serde_json::to_value((params.text_document.uri, range.start, locations)).ok()?;
    let serde_json::Value::Array(arguments) = arguments else { return None };
    let command = lsp::Command { title, command: SHOW_REFERENCES.to_owned(), arguments: Some(arguments) };
    Some(vec![lsp::CodeLens { range, command: Some(command), data: None }])
}

pub fn links(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    params: lsp::DocumentLinkParams,
) -> Option<Vec<lsp::DocumentLink>> {
    let request = Request::new(shared, snapshot, &params.text_document.uri)?;
    let found = document_links(&request.index, request.current()?)
        .into_iter()
        .filter_map(|(range, target)| {
            Some(lsp::DocumentLink {
                range: request.range(request.file, range)?,
                target: Some(request.uri(target)?),
                tooltip: request
                    .index
                    .get(target)?
                    .summary
                    .title_text()
                    .map(|title| format!("Open “{title}”")),
                data: None,
            })
        })
        .collect();
    Some(found)
}

pub fn symbols_in_workspace(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    params: lsp::WorkspaceSymbolParams,
) -> Option<lsp::WorkspaceSymbolResponse> {
    let index = &snapshot.index;
    let encoding = shared.session().encoding;
    #[allow(deprecated)] // SymbolInformation::deprecated must still be filled in.
    let found = workspace_symbols(index, &params.query, WORKSPACE_SYMBOLS)
        .into_iter()
        .filter_map(|symbol| {
            let entry = index.get(symbol.file)?;
            Some(lsp::SymbolInformation {
                name: symbol.name,
                kind: lsp::SymbolKind::FILE,
                tags: None,
                deprecated: None,
                location: lsp::Location::new(
                    shared.uri_of(&entry.path)?,
                    convert::range(&entry.line_index, symbol.range, encoding),
                ),
                container_name: Some(symbol.detail),
            })
        })
        .collect();
    Some(lsp::WorkspaceSymbolResponse::Flat(found))
}

pub fn outline(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    params: lsp::DocumentSymbolParams,
) -> Option<lsp::DocumentSymbolResponse> {
    let request = Request::new(shared, snapshot, &params.text_document.uri)?;
    let symbols = document_symbols(&request.index, request.current()?);
    Some(lsp::DocumentSymbolResponse::Nested(
        symbols.iter().filter_map(|symbol| lsp_symbol(&request, symbol)).collect(),
    ))
}

#[allow(deprecated)] // DocumentSymbol::deprecated must still be filled in.
fn lsp_symbol(request: &Request, symbol: &DocumentSymbol) -> Option<lsp::DocumentSymbol> {
    Some(lsp::DocumentSymbol {
        name: symbol.name.clone(),
        detail: symbol.detail.clone(),
        kind: match symbol.kind {
            SymbolKind::Article => lsp::SymbolKind::FILE,
            SymbolKind::Link => lsp::SymbolKind::FIELD,
        },
        tags: None,
        deprecated: None,
        range: request.range(request.file, symbol.range)?,
        selection_range: request.range(request.file, symbol.selection_range)?,
        children: Some(symbol.children.iter().filter_map(|child| lsp_symbol(request, child)).collect()),
    })
}

pub fn can_rename(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    params: lsp::TextDocumentPositionParams,
) -> Result<Option<lsp::PrepareRenameResponse>, String> {
    let Some(request) = Request::new(shared, snapshot, &params.text_document.uri) else { return Ok(None) };
    let current = request.current().ok_or("the file is not an article")?;
    let (range, placeholder) = prepare_rename(current, request.offset(params.position))?;
    let range = request.range(request.file, range).ok_or("the article is not indexed")?;
    Ok(Some(lsp::PrepareRenameResponse::RangeWithPlaceholder { range, placeholder }))
}

pub fn rename_edit(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    params: lsp::RenameParams,
) -> Result<Option<lsp::WorkspaceEdit>, String> {
    let position = params.text_document_position;
    let Some(request) = Request::new(shared, snapshot, &position.text_document.uri) else { return Ok(None) };
    let offset = request.offset(position.position);
    let current = request.current().ok_or("the file is not an article")?;
    let change = rename(&request.index, current, offset, &params.new_name, |file| request.text_of(file))?;
    Ok(request.workspace_edit(&change))
}

pub fn actions(
    shared: &Shared,
    snapshot: &Arc<Snapshot>,
    params: lsp::CodeActionParams,
) -> Option<lsp::CodeActionResponse> {
    let request = Request::new(shared, snapshot, &params.text_document.uri)?;
    let start = request.offset(params.range.start);
    let end = request.offset(params.range.end).max(start);
    let range = text_size::TextRange::new(start, end);
    let only = params.context.only.as_deref();
    let wanted = |kind: &lsp::CodeActionKind| {
        only.is_none_or(|only| only.iter().any(|prefix| kind.as_str().starts_with(prefix.as_str())))
    };
    let found = code_actions(&request.index, request.current()?, range, |file| request.text_of(file));
    let response = found
        .into_iter()
        .filter_map(|action| {
            let kind = match action.kind {
                ActionKind::QuickFix => lsp::CodeActionKind::QUICKFIX,
                ActionKind::FixAll => lsp::CodeActionKind::SOURCE_FIX_ALL,
                ActionKind::Refactor => lsp::CodeActionKind::REFACTOR_REWRITE,
            };
            if !wanted(&kind) {
                return None;
            }
            let scope: Vec<lsp::Range> =
                action.scope.iter().filter_map(|range| request.range(request.file, *range)).collect();
            let diagnostics = fixed_diagnostics(&params.context.diagnostics, &action.fixes, &scope);
            Some(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: action.title,
                kind: Some(kind),
                diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
                edit: request.workspace_edit(&action.change),
                is_preferred: action.is_preferred.then_some(true),
                ..lsp::CodeAction::default()
            }))
        })
        .collect();
    Some(response)
}

/// The client's diagnostics that an action resolves: of a code it fixes, and
/// where it fixes it (another link's diagnostic of the same code is not).
fn fixed_diagnostics(
    diagnostics: &[lsp::Diagnostic],
    fixes: &[DiagnosticCode],
    scope: &[lsp::Range],
) -> Vec<lsp::Diagnostic> {
    let touches = |a: &lsp::Range, b: &lsp::Range| a.start <= b.end && b.start <= a.end;
    diagnostics
        .iter()
        .filter(|diagnostic| match &diagnostic.code {
            Some(lsp::NumberOrString::String(code)) => fixes.iter().any(|fix| fix.as_str() == code),
            _ => false,
        })
        .filter(|diagnostic| scope.iter().any(|range| touches(range, &diagnostic.range)))
        .cloned()
        .collect()
}
