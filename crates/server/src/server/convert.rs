//! LSP positions, ranges, URIs and diagnostics <-> the core's byte offsets,
//! paths and diagnostics. The only place the server does position math, and
//! all of it goes through `line_index`.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use text_size::{TextRange, TextSize};
use tower_lsp_server::ls_types::{
    self as lsp, ClientCapabilities, NumberOrString, Position, PositionEncodingKind, Uri,
};

use article_core::diagnostics::{Diagnostic, Severity};
use article_core::index::{ArticleIndex, FileId, FilePath};
use article_core::line_index::{LineCol, LineIndex, PositionEncoding};

/// What `source` says on every diagnostic.
pub const SOURCE: &str = "article-lsp";

/// UTF-8 when the client offers it (no conversion for our byte offsets),
/// else the protocol's mandatory UTF-16.
pub fn negotiate_encoding(capabilities: &ClientCapabilities) -> PositionEncoding {
    let offered = capabilities.general.as_ref().and_then(|general| general.position_encodings.as_ref());
    if offered.is_some_and(|kinds| kinds.contains(&PositionEncodingKind::UTF8)) {
        PositionEncoding::Utf8
    } else {
        PositionEncoding::Utf16
    }
}

pub fn encoding_kind(encoding: PositionEncoding) -> PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

fn line_col(position: Position) -> LineCol {
    LineCol::new(position.line, position.character)
}

fn position(line_col: LineCol) -> Position {
    Position::new(line_col.line, line_col.col)
}

/// Byte offset of a client position in a text, clamped into it.
pub fn offset(line_index: &LineIndex, at: Position, encoding: PositionEncoding) -> TextSize {
    TextSize::try_from(line_index.offset(line_col(at), encoding)).unwrap_or(TextSize::new(u32::MAX))
}

pub fn range(line_index: &LineIndex, range: TextRange, encoding: PositionEncoding) -> lsp::Range {
    lsp::Range::new(
        position(line_index.line_col(range.start().into(), encoding)),
        position(line_index.line_col(range.end().into(), encoding)),
    )
}

fn severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// A core diagnostic of `file` as the client sees it. `uri_of` names files
/// the way the client does (open documents keep the client's own URI).
pub fn diagnostic(
    index: &ArticleIndex,
    file: FileId,
    found: &Diagnostic,
    encoding: PositionEncoding,
    uri_of: &impl Fn(&FilePath) -> Option<Uri>,
) -> Option<lsp::Diagnostic> {
    let entry = index.get(file)?;
    let related: Vec<lsp::DiagnosticRelatedInformation> = found
        .related
        .iter()
        .filter_map(|related| {
            let other = index.get(related.file)?;
            Some(lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(
                    uri_of(&other.path)?,
                    range(&other.line_index, related.range, encoding),
                ),
                message: related.message.clone(),
            })
        })
        .collect();
    Some(lsp::Diagnostic {
        range: range(&entry.line_index, found.range, encoding),
        severity: Some(severity(found.severity)),
        code: Some(NumberOrString::String(found.code.as_str().to_owned())),
        source: Some(SOURCE.to_owned()),
        message: found.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        ..lsp::Diagnostic::default()
    })
}

/// The index key of a document: its absolute path for `file:` URIs, else
/// the URI itself (an unsaved buffer, say).
pub fn file_path(uri: &Uri) -> FilePath {
    match local_path(uri) {
        Some(path) => FilePath::new(path.to_string_lossy().as_ref()),
        None => FilePath::new(uri.as_str()),
    }
}

/// The local file behind a `file:` URI.
pub fn local_path(uri: &Uri) -> Option<PathBuf> {
    let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
    is_file.then(|| uri.to_file_path()).flatten().map(|path| path.into_owned()).filter(|p| p.is_absolute())
}

/// The URI of an index key made by [`file_path`].
pub fn uri(path: &FilePath) -> Option<Uri> {
    let text = path.as_str();
    if Path::new(text).is_absolute() { Uri::from_file_path(text) } else { Uri::from_str(text).ok() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_uris_round_trip_through_paths() {
        let uri = Uri::from_str("file:///tmp/a%20b/c%C3%A9.md").expect("valid");
        let path = file_path(&uri);
        assert_eq!(path.as_str(), "/tmp/a b/cé.md");
        assert_eq!(file_path(&super::uri(&path).expect("a uri")), path);
    }

    #[test]
    fn other_schemes_are_keyed_by_the_uri() {
        let uri = Uri::from_str("untitled:Untitled-1").expect("valid");
        let path = file_path(&uri);
        assert_eq!(path.as_str(), "untitled:Untitled-1");
        assert_eq!(super::uri(&path).map(|u| u.as_str().to_owned()).as_deref(), Some("untitled:Untitled-1"));
    }

    #[test]
    fn utf8_is_chosen_only_when_offered() {
        let mut capabilities = ClientCapabilities::default();
        assert_eq!(negotiate_encoding(&capabilities), PositionEncoding::Utf16);
        capabilities.general = Some(lsp::GeneralClientCapabilities {
            position_encodings: Some(vec![PositionEncodingKind::UTF32, PositionEncodingKind::UTF8]),
            ..Default::default()
        });
        assert_eq!(negotiate_encoding(&capabilities), PositionEncoding::Utf8);
    }
}
