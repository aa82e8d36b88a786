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
//! A `$0` marks the cursor; it is removed from the text.

use crate::article::{Article, parse_article};
use crate::ide::CurrentFile;
use crate::index::{ArticleIndex, FileId, FilePath};
use crate::line_index::LineIndex;
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
        let mut files = Vec::new();
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
}
