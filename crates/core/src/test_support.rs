//! Multi-file fixtures for core tests, in the style:
//!
//! ```text
//! //- a.md
//! ---
//! id: 1
//! ---
//! //- b.md
//! ...
//! ```
//!
//! A `$0` marks the cursor; it is removed from the text. [`repo_fixtures`]
//! writes the repository's `fixtures/` folders in this form, so that a test
//! can run a feature over the same articles as the server's scenarios.

use crate::article::{Article, parse_article};
use crate::ide::CurrentFile;
use crate::index::{ArticleIndex, FileId, FilePath};
use crate::line_index::{LineIndex, PositionEncoding};
use crate::summary::ArticleSummary;

pub struct Fixture {
    pub index: ArticleIndex,
    pub files: Vec<(FilePath, String)>,
    /// The full model of each article file, as the server keeps an open document's.
    pub articles: Vec<(FilePath, Article)>,
    /// The file and byte offset of `$0`, if any.
    pub cursor: Option<(FileId, usize)>,
}

impl Fixture {
    pub fn parse(fixture: &str) -> Fixture {
        let mut files: Vec<(FilePath, String)> = Vec::new();
        let mut cursor_at = None;
        for chunk in fixture.split("//- ").filter(|chunk| !chunk.trim().is_empty()) {
            let (path, text) = chunk.split_once('\n').unwrap_or((chunk, ""));
            let path = FilePath::new(path.trim());
            let text = match text.find("$0") {
                Some(at) => {
                    cursor_at = Some((path.clone(), at));
                    text.replacen("$0", "", 1)
                }
                None => text.to_owned(),
            };
            files.push((path, text));
        }
        Fixture::of_files(files, cursor_at)
    }

    /// The same files with `path`'s text replaced by `text` (as after an
    /// edit), without a cursor.
    pub fn with_text(&self, path: &FilePath, text: String) -> Fixture {
        let mut files = self.files.clone();
        let slot = files.iter_mut().find(|(p, _)| p == path).expect("a file of the fixture");
        slot.1 = text;
        Fixture::of_files(files, None)
    }

    /// The same files with each file's edits of `change` applied.
    pub fn with_change(&self, change: &crate::ide::SourceChange) -> Fixture {
        let mut files = self.files.clone();
        for (file, edits) in &change.files {
            let path = self.index.path(*file);
            let slot = files.iter_mut().find(|(p, _)| p == path).expect("a file of the fixture");
            slot.1 = crate::ide::apply_edits(&slot.1, edits);
        }
        Fixture::of_files(files, None)
    }

    fn of_files(files: Vec<(FilePath, String)>, cursor_at: Option<(FilePath, usize)>) -> Fixture {
        let mut index = ArticleIndex::new();
        let mut articles = Vec::new();
        for (path, text) in &files {
            if let Some(article) = parse_article(text) {
                index.upsert(path.clone(), ArticleSummary::of(&article), LineIndex::new(text));
                articles.push((path.clone(), article));
            }
        }
        let cursor = cursor_at.and_then(|(path, at)| Some((index.file_id(&path)?, at)));
        Fixture { index, files, articles, cursor }
    }

    /// `file` as a feature sees the file it is asked about.
    pub fn current(&self, file: FileId) -> CurrentFile<'_> {
        let path = self.index.path(file);
        let article = self.articles.iter().find(|(p, _)| p == path).map(|(_, article)| article);
        CurrentFile { file, text: self.text(path), article: article.expect("an article file") }
    }

    /// A file's question and answer, as the server reads them from the file.
    pub fn long_texts_of(&self, file: FileId) -> Option<crate::ide::preview::LongTexts> {
        crate::ide::preview::long_texts_of_text(self.text(self.index.path(file)))
    }

    pub fn text(&self, path: &FilePath) -> &str {
        self.files.iter().find(|(p, _)| p == path).map_or("", |(_, text)| text)
    }

    pub fn file(&self, path: &str) -> FileId {
        self.index.file_id(&FilePath::new(path)).unwrap_or_else(|| panic!("{path} is indexed"))
    }

    /// `path:line:col «text»` of a range (lines and columns from 1, in
    /// characters), as the diagnostics tests show them.
    pub fn show(&self, file: FileId, range: text_size::TextRange) -> String {
        let path = self.index.path(file);
        let text = self.text(path);
        let at = LineIndex::new(text).line_col(range.start().into(), PositionEncoding::Utf32);
        format!("{path}:{}:{} «{}»", at.line + 1, at.col + 1, &text[range])
    }

    /// `path:line:col-line:col` of a range (lines and columns from 1, in
    /// characters): for ranges too long to show their text.
    pub fn span(&self, file: FileId, range: text_size::TextRange) -> String {
        let path = self.index.path(file);
        let line_index = LineIndex::new(self.text(path));
        let start = line_index.line_col(range.start().into(), PositionEncoding::Utf32);
        let end = line_index.line_col(range.end().into(), PositionEncoding::Utf32);
        format!("{path}:{}:{}-{}:{}", start.line + 1, start.col + 1, end.line + 1, end.col + 1)
    }

    /// One line per edit of `change`: where it is (as [`Fixture::show`],
    /// the text it replaces) and what it writes.
    pub fn show_change(&self, change: &crate::ide::SourceChange) -> String {
        let mut out = String::new();
        for (file, edits) in &change.files {
            let mut edits: Vec<&crate::ide::TextEdit> = edits.iter().collect();
            edits.sort_by_key(|edit| edit.range.start());
            for edit in edits {
                out += &format!("{} -> «{}»\n", self.show(*file, edit.range), edit.new_text);
            }
        }
        out
    }

    /// Every diagnostic of every article file, `path:line:col code`.
    pub fn diagnostics(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (path, _) in &self.files {
            let Some(file) = self.index.file_id(path) else { continue };
            for diagnostic in crate::diagnostics::article_diagnostics(&self.index, file) {
                let shown = self.show(file, diagnostic.range);
                out.push(format!("{shown} {}", diagnostic.code.as_str()));
            }
        }
        out
    }
}

/// The repository's `fixtures/<dir>/` folders as fixture text, each file as
/// `//- <dir>/<name>`, in path order: the articles the server's scenarios
/// open, for the same features run in the core.
pub fn repo_fixtures(dirs: &[&str]) -> RepoFixtures {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
    let mut files = Vec::new();
    for dir in dirs {
        for entry in std::fs::read_dir(root.join(dir)).expect("a fixture folder") {
            let path = entry.expect("an entry").path();
            let name = path.file_name().expect("a name").to_string_lossy().into_owned();
            files.push((format!("{dir}/{name}"), std::fs::read_to_string(&path).expect("a text file")));
        }
    }
    files.sort();
    RepoFixtures { files }
}

/// Files of the repository's fixtures, to change or add to before they
/// become a [`Fixture`].
#[derive(Clone)]
pub struct RepoFixtures {
    files: Vec<(String, String)>,
}

impl RepoFixtures {
    pub fn text(&self, path: &str) -> &str {
        self.files.iter().find(|(p, _)| p == path).map_or_else(|| panic!("no {path}"), |(_, text)| text)
    }

    /// With `path` holding `text` (replaced, or added).
    pub fn with(mut self, path: &str, text: &str) -> RepoFixtures {
        match self.files.iter_mut().find(|(p, _)| p == path) {
            Some(slot) => slot.1 = text.to_owned(),
            None => self.files.push((path.to_owned(), text.to_owned())),
        }
        self
    }

    /// The fixture text, for [`Fixture::parse`].
    pub fn render(&self) -> String {
        self.files.iter().map(|(path, text)| format!("//- {path}\n{text}")).collect()
    }

    pub fn fixture(&self) -> Fixture {
        Fixture::parse(&self.render())
    }
}

/// The byte range of `value` in `text`, searched from where `anchor` starts.
pub fn find_after(text: &str, anchor: &str, value: &str) -> std::ops::Range<usize> {
    let from = text.find(anchor).unwrap_or_else(|| panic!("`{anchor}` is in the text"));
    let start = from + text[from..].find(value).unwrap_or_else(|| panic!("`{value}` after `{anchor}`"));
    start..start + value.len()
}

/// `text` with `$0` inserted at `offset`.
pub fn with_cursor(text: &str, offset: usize) -> String {
    format!("{}$0{}", &text[..offset], &text[offset..])
}
