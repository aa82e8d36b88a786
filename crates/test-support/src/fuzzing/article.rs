//! The `article` target: one text, parsed, indexed beside a few fixed
//! articles, diagnosed, and every editor feature asked at the places where
//! the model changes (each range's ends, each line's ends), with the answers
//! checked against the text rather than only for not panicking.

use std::borrow::Cow;
use std::sync::OnceLock;

use ropey::Rope;

use crate::rope_reference::{rope_line_col, rope_offset};
use text_size::{TextRange, TextSize};

use super::{assert_range, floor_char_boundary};
use article_core::article::{
    Article, Field, RelatedLink, SyntaxError, Value, parse_article, parse_article_with_saphyr,
};
use article_core::diagnostics::article_diagnostics;
use article_core::ide::code_actions::{code_actions, fix_all};
use article_core::ide::completion::{MAX_ITEMS, article_documentation, completions};
use article_core::ide::document_links::document_links;
use article_core::ide::goto_definition::goto_definition;
use article_core::ide::hover::hover;
use article_core::ide::preview::long_texts_of_text;
use article_core::ide::references::{backlink_lens, references};
use article_core::ide::rename::{prepare_rename, rename};
use article_core::ide::symbols::{DocumentSymbol, document_symbols, workspace_symbols};
use article_core::ide::{CurrentFile, FileRange, SourceChange, TextEdit, apply_edits};
use article_core::index::{ArticleIndex, FileId, FilePath};
use article_core::line_index::{LineCol, LineIndex, PositionEncoding};
use article_core::summary::ArticleSummary;

/// Where the fuzzed text is filed.
const FUZZED: &str = "/fuzz/fuzzed.md";

/// Articles the fuzzed one can link to, duplicate, or be linked from: the
/// seeds link to the first two by id and url, and the third has wide chars
/// in its title and CRLF line breaks.
pub(super) const FIXED: [(&str, &str); 3] = [
    (
        "/fuzz/evolved.md",
        "---\nid: 87377\ntitle: >-\n    How has Lumenus evolved over the years?\nsubject: Health Studies\n\
         file_name: how-has-lumenus-evolved-over-the-years.md\n\
         url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years\n\
         question: >-\n    How has Lumenus evolved over the years?\n\
         answer: >-\n    From neighbourhood agencies to one organization.\\n\\nMore **details**.\n\
         related_article1:\n    id: 87366\n    title: >-\n        What is the history of the Lumenus organization?\n\
         \x20   subject: Sociology\n    url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization\n\
         ---\n\nBody.\n",
    ),
    (
        "/fuzz/history.md",
        "---\nid: 87366\ntitle: What is the history of the Lumenus organization?\nsubject: Sociology\n\
         file_name: what-is-the-history-of-the-lumenus-organization.md\n\
         url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization\n\
         question: What is the history of the Lumenus organization?\n\
         answer: 'Several agencies combined: a single front door.'\n\
         related_article1: {id: 87377, title: \"How has Lumenus evolved?\", subject: Health Studies, \
         url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years}\n\
         related_article2:\n  id: 95007\n  url: /learn/psychology/questions/how-do-families-describe-lumenus\n---\n",
    ),
    (
        "/fuzz/families.md",
        "---\r\nid: 95007\r\ntitle: >-\r\n    How do families describe Lumenus? 家庭的声音 🌟\r\n\
         subject: Psychology\r\nfile_name: how-do-families-describe-lumenus.md\r\n\
         url: /learn/psychology/questions/how-do-families-describe-lumenus\r\n\
         question: \"How do families describe Lumenus? 🌟\"\r\nanswer: >-\r\n    Welcoming 😊 and easy to reach.\r\n\
         related_article1:\r\n    id: 87366\r\n    title: >-\r\n        The history\r\n    subject: History\r\n\
         \x20   url: /learn/sociology/questions/what-is-the-history-of-the-lumenus-organization\r\n---\r\n",
    ),
];

/// Feature requests are dearer than position conversions: at most this many
/// offsets are asked about, the ends of the model's ranges first.
const FEATURE_OFFSETS: usize = 24;
const POSITION_OFFSETS: usize = 64;
const ENCODINGS: [PositionEncoding; 3] =
    [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32];
const NEW_NAMES: [&str; 4] =
    ["A renamed title: with “quotes”", "/learn/sociology/questions/renamed", "4242", "87366"];

struct Fixed {
    index: ArticleIndex,
    texts: Vec<(FileId, &'static str)>,
}

fn fixed() -> &'static Fixed {
    static FIXED_INDEX: OnceLock<Fixed> = OnceLock::new();
    FIXED_INDEX.get_or_init(|| {
        let mut index = ArticleIndex::new();
        let mut texts = Vec::new();
        for (path, text) in FIXED {
            let article = parse_article(text).expect("a fixed article");
            let file = index.upsert(FilePath::new(path), ArticleSummary::of(&article), LineIndex::new(text));
            texts.push((file, text));
        }
        Fixed { index, texts }
    })
}

/// Checks one input; panics when an invariant fails. Texts that are not
/// UTF-8 never reach the parser (the server and `check` skip them).
pub fn check_article(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let line_index = LineIndex::new(text);
    let article = parse_article(text);
    // The fast path reads a front matter exactly as saphyr does, or not at all.
    assert_eq!(
        article,
        parse_article_with_saphyr(text),
        "the fast path and saphyr read the article differently"
    );
    let offsets = offsets_of_interest(text, article.as_ref());
    check_positions(text, &line_index, &offsets);
    let Some(article) = article else { return };
    check_model(text, &article);

    let fixed = fixed();
    let mut index = fixed.index.clone();
    let summary = ArticleSummary::of(&article);
    let file = index.upsert(FilePath::new(FUZZED), summary.clone(), line_index.clone());
    let mut batch = fixed.index.clone();
    batch.upsert_batch(vec![(FilePath::new(FUZZED), summary, line_index)]);
    assert!(index.canonical() == batch.canonical(), "a batch upsert differs from a single one");

    let world = World { index: &index, file, text, article: &article, fixed };
    world.check_diagnostics();
    world.check_whole_file();
    let features: Vec<TextSize> = offsets
        .iter()
        .take(FEATURE_OFFSETS)
        .map(|&offset| TextSize::from(floor_char_boundary(text, offset) as u32))
        .collect();
    for offset in features {
        world.check_features_at(offset);
    }
}

/// The index with the fuzzed article in it, and every file's text.
struct World<'a> {
    index: &'a ArticleIndex,
    file: FileId,
    text: &'a str,
    article: &'a Article,
    fixed: &'a Fixed,
}

impl World<'_> {
    fn current(&self) -> CurrentFile<'_> {
        CurrentFile { file: self.file, text: self.text, article: self.article }
    }

    fn text_of(&self, file: FileId) -> Option<&str> {
        if file == self.file {
            return Some(self.text);
        }
        self.fixed.texts.iter().find(|(fixed, _)| *fixed == file).map(|(_, text)| *text)
    }

    fn cow_text_of(&self, file: FileId) -> Option<Cow<'static, str>> {
        self.text_of(file).map(|text| Cow::Owned(text.to_owned()))
    }

    #[track_caller]
    fn assert_file_range(&self, found: FileRange, what: &str) {
        let text = self.text_of(found.file).unwrap_or_else(|| panic!("{what}: a file that is not indexed"));
        assert_range(text, found.range, what);
    }

    fn check_diagnostics(&self) {
        for diagnostic in article_diagnostics(self.index, self.file) {
            let what = format!("diagnostic {}", diagnostic.code.as_str());
            assert_range(self.text, diagnostic.range, &what);
            assert!(!diagnostic.message.is_empty(), "{what} has no message");
            for related in &diagnostic.related {
                self.assert_file_range(FileRange { file: related.file, range: related.range }, &what);
            }
        }
        // The fixed articles are rechecked with the fuzzed one beside them.
        for (file, text) in &self.fixed.texts {
            for diagnostic in article_diagnostics(self.index, *file) {
                assert_range(text, diagnostic.range, "diagnostic of a fixed article");
            }
        }
    }

    fn check_whole_file(&self) {
        let whole = TextRange::up_to(TextSize::of(self.text));
        for action in code_actions(self.index, self.current(), whole, |file| self.cow_text_of(file)) {
            for range in &action.scope {
                assert_range(self.text, *range, "a code action's scope");
            }
            self.check_change(&action.change, "a code action");
        }
        let fixes = fix_all(self.index, self.current());
        self.check_edits(self.file, &fixes, "fix all");
        self.check_fix_all_settles(&fixes);
        for symbol in document_symbols(self.index, self.current()) {
            check_symbol(self.text, &symbol);
        }
        for (range, target) in document_links(self.index, self.current()) {
            assert_range(self.text, range, "a document link");
            assert!(self.index.get(target).is_some(), "a document link to a file that is not indexed");
        }
        if let Some((range, _)) = backlink_lens(self.index, self.current()) {
            assert_range(self.text, range, "the backlink lens");
        }
        let title = self.index.get(self.file).and_then(|entry| entry.summary.title_text());
        for query in [title.unwrap_or(""), "lumenus hist", "873", ""] {
            for symbol in workspace_symbols(self.index, query, 20) {
                self.assert_file_range(
                    FileRange { file: symbol.file, range: symbol.range },
                    "a workspace symbol",
                );
            }
        }
    }

    /// `check --fix` once more after its fixes finds nothing left to fix.
    fn check_fix_all_settles(&self, fixes: &[TextEdit]) {
        if fixes.is_empty() {
            return;
        }
        let fixed_text = apply_edits(self.text, fixes);
        let Some(article) = parse_article(&fixed_text) else {
            panic!("fix all left no article:\n{fixed_text}");
        };
        let mut index = self.index.clone();
        let file =
            index.upsert(FilePath::new(FUZZED), ArticleSummary::of(&article), LineIndex::new(&fixed_text));
        let again = fix_all(&index, CurrentFile { file, text: &fixed_text, article: &article });
        assert!(again.is_empty(), "fix all is not done after one pass: {again:?}\n{fixed_text}");
    }

    fn check_features_at(&self, offset: TextSize) {
        let (index, file, text, current) = (self.index, self.file, self.text, self.current());
        let found = completions(index, current, offset);
        assert!(found.items.len() <= MAX_ITEMS, "{} completion items", found.items.len());
        for item in &found.items {
            assert!(
                item.edit.range.contains_inclusive(offset),
                "a completion edit away from the cursor: {item:?}"
            );
            let mut edits = vec![item.edit.clone()];
            edits.extend(item.additional_edits.iter().cloned());
            self.check_edits(file, &edits, "a completion");
            if let Some(target) = item.target {
                let texts = self.text_of(target).and_then(long_texts_of_text).unwrap_or_default();
                article_documentation(index, target, &texts);
            }
        }
        let long_texts_of = |file| self.text_of(file).and_then(long_texts_of_text);
        if let Some(found) = hover(index, current, offset, 300, long_texts_of) {
            assert_range(text, found.range, "a hover");
        }
        if let Some(found) = goto_definition(index, current, offset) {
            self.assert_file_range(found, "a definition");
        }
        for declaration in [false, true] {
            for found in references(index, current, offset, declaration) {
                self.assert_file_range(found, "a reference");
            }
        }
        if let Ok((range, _)) = prepare_rename(current, offset) {
            assert_range(text, range, "a rename's range");
            for name in NEW_NAMES {
                if let Ok(change) = rename(index, current, offset, name, |file| self.cow_text_of(file)) {
                    self.check_change(&change, "a rename");
                }
            }
        }
        let here = TextRange::empty(offset);
        for action in code_actions(index, current, here, |file| self.cow_text_of(file)) {
            self.check_change(&action.change, "a code action");
        }
    }

    fn check_change(&self, change: &SourceChange, what: &str) {
        for (file, edits) in &change.files {
            self.check_edits(*file, edits, what);
        }
    }

    /// Edits lie in their file's text and do not overlap.
    fn check_edits(&self, file: FileId, edits: &[TextEdit], what: &str) {
        let text =
            self.text_of(file).unwrap_or_else(|| panic!("{what}: edits to a file that is not indexed"));
        let mut ranges: Vec<TextRange> = edits.iter().map(|edit| edit.range).collect();
        for range in &ranges {
            assert_range(text, *range, what);
        }
        ranges.sort_by_key(|range| (range.start(), range.end()));
        for pair in ranges.windows(2) {
            assert!(pair[0].end() <= pair[1].start(), "{what}: overlapping edits {edits:?}");
        }
    }
}

fn check_symbol(text: &str, symbol: &DocumentSymbol) {
    assert_range(text, symbol.range, "a symbol");
    assert_range(text, symbol.selection_range, "a symbol's selection");
    assert!(
        symbol.range.contains_range(symbol.selection_range),
        "a symbol's selection outside it: {symbol:?}"
    );
    for child in &symbol.children {
        check_symbol(text, child);
    }
}

/// Every range of the model lies in the text, on char boundaries, and every
/// key in the front matter.
pub(crate) fn check_model(text: &str, article: &Article) {
    let ranges = model_ranges(article);
    for range in &ranges {
        assert_range(text, *range, "a range of the article model");
    }
    let front_matter = article.front_matter;
    for field in own_fields(article) {
        assert!(
            front_matter.contains_range(field.key),
            "a key outside the front matter: {:?} in {front_matter:?}",
            field.key
        );
    }
}

/// Offset -> position -> offset gives the offset back (floored to a char
/// boundary, and before a `\r\n`), and the rope agrees with the line index.
fn check_positions(text: &str, line_index: &LineIndex, offsets: &[usize]) {
    let rope = Rope::from_str(text);
    for &offset in offsets.iter().take(POSITION_OFFSETS) {
        for encoding in ENCODINGS {
            let at = line_index.line_col(offset, encoding);
            assert_eq!(rope_line_col(&rope, offset, encoding), at, "rope and index at offset {offset}");
            let back = line_index.offset(at, encoding);
            assert_eq!(
                back,
                expected_floor(text, offset),
                "offset {offset} came back from {at:?} ({encoding:?})"
            );
            let nearby = [
                at,
                LineCol::new(at.line, at.col.saturating_add(1)),
                LineCol::new(at.line.saturating_add(1), 0),
                LineCol::new(at.line, u32::MAX),
                LineCol::new(u32::MAX, at.col),
            ];
            for position in nearby {
                let offset = line_index.offset(position, encoding);
                assert_eq!(rope_offset(&rope, position, encoding), offset, "rope and index at {position:?}");
                assert!(
                    offset <= text.len() && text.is_char_boundary(offset),
                    "{position:?} ({encoding:?}) gave offset {offset}, not a char boundary"
                );
            }
        }
    }
}

/// Where an offset lands after a round trip through a position.
fn expected_floor(text: &str, offset: usize) -> usize {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let bytes = text.as_bytes();
    if offset > 0 && bytes.get(offset) == Some(&b'\n') && bytes[offset - 1] == b'\r' {
        offset - 1
    } else {
        offset
    }
}

/// The ends of the model's ranges (and one byte either side), then the ends
/// of every line, without repeats, in that order.
fn offsets_of_interest(text: &str, article: Option<&Article>) -> Vec<usize> {
    let mut offsets = Vec::new();
    for range in article.map(model_ranges).unwrap_or_default() {
        for end in [range.start(), range.end()] {
            let end = usize::from(end);
            offsets.extend([end, end.saturating_sub(1), end + 1]);
        }
    }
    offsets.extend([0, text.len()]);
    for (at, byte) in text.bytes().enumerate() {
        if byte == b'\n' || byte == b'\r' {
            offsets.extend([at, at + 1]);
        }
    }
    let mut seen = std::collections::HashSet::new();
    offsets.retain(|offset| *offset <= text.len() + 1 && seen.insert(*offset));
    offsets
}

fn own_fields(article: &Article) -> impl Iterator<Item = &Field> {
    [
        &article.id,
        &article.title,
        &article.subject,
        &article.url,
        &article.file_name,
        &article.question,
        &article.answer,
    ]
    .into_iter()
    .flatten()
}

fn link_fields(link: &RelatedLink) -> impl Iterator<Item = &Field> {
    [&link.id, &link.title, &link.subject, &link.url].into_iter().flatten()
}

fn model_ranges(article: &Article) -> Vec<TextRange> {
    let mut ranges = vec![article.open_fence, article.front_matter];
    let field_ranges = |field: &Field, ranges: &mut Vec<TextRange>| {
        ranges.extend([field.key, field.value.range(), field.value_range()]);
        if let Value::Scalar(scalar) = &field.value {
            ranges.extend([scalar.node, scalar.content]);
        }
    };
    for field in own_fields(article) {
        field_ranges(field, &mut ranges);
    }
    for link in &article.related {
        ranges.extend([link.key, link.range, link.value.range()]);
        for field in link_fields(link) {
            field_ranges(field, &mut ranges);
        }
    }
    for error in &article.syntax_errors {
        ranges.push(match error {
            SyntaxError::Yaml { range, .. }
            | SyntaxError::UnterminatedFrontMatter { range }
            | SyntaxError::TooLarge { range, .. } => *range,
        });
    }
    ranges
}

/// Front matter of every shape the parser meets, checked as the fuzz target
/// checks its inputs.
#[cfg(test)]
mod tests {
    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        #[test]
        fn any_front_matter_parses_without_panic(
            body in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("id: 1\n".to_owned()),
                    proptest::strategy::Just("title: >-\n    🦀 漢字\n".to_owned()),
                    proptest::strategy::Just("related_article1:\n  id: 2\n  url: /x\n".to_owned()),
                    proptest::strategy::Just("related_article2: {id: 3, url: /y}\n".to_owned()),
                    proptest::strategy::Just("---\n".to_owned()),
                    "[ -~]{0,12}",
                    "[\\PC\r\n\t{}\\[\\]:&*!|>'\"#-]{0,16}",
                ],
                0..12,
            )
        ) {
            let text = format!("---\n{}", body.concat());
            if let Some(article) = article_core::article::parse_article(&text) {
                super::check_model(&text, &article);
            }
        }
    }
}
