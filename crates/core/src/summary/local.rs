//! What an article alone says is wrong with it: YAML errors, keys written
//! twice, missing and malformed fields, a url or file name that does not
//! follow the site's slugs. Found once, when the article is parsed, and kept
//! in its summary: no other file can change them.

use serde::{Deserialize, Serialize};
use text_size::TextRange;

use crate::article::{Article, Field, RelatedLink, SyntaxError, Value};
use crate::codes::DiagnosticCode;
use crate::slug::{file_name_for_url, subject_slug, url_subject_segment};

/// A diagnostic whose related places are in the same file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalDiagnostic {
    pub code: DiagnosticCode,
    pub range: TextRange,
    pub message: Box<str>,
    pub related: Box<[(TextRange, Box<str>)]>,
}

/// Every diagnostic `article` gives on its own, in no particular order.
pub(super) fn diagnostics(article: &Article) -> Vec<LocalDiagnostic> {
    let mut check = Checker { article, out: Vec::new() };
    check.syntax();
    check.duplicate_keys();
    check.fields();
    check.slugs();
    check.out
}

struct Checker<'a> {
    article: &'a Article,
    out: Vec<LocalDiagnostic>,
}

impl Checker<'_> {
    fn push(&mut self, code: DiagnosticCode, range: TextRange, message: String) {
        self.out.push(LocalDiagnostic { code, range, message: message.into(), related: Box::default() });
    }

    fn syntax(&mut self) {
        for error in &self.article.syntax_errors {
            match error {
                SyntaxError::Yaml { range, message } => {
                    self.push(DiagnosticCode::YamlSyntax, *range, format!("invalid YAML: {message}"));
                }
                SyntaxError::UnterminatedFrontMatter { range } => {
                    self.push(
                        DiagnosticCode::UnterminatedFrontMatter,
                        *range,
                        "front matter is never closed: add a `---` line after it".to_owned(),
                    );
                }
                SyntaxError::TooLarge { range, bytes, limit } => {
                    self.push(
                        DiagnosticCode::YamlSyntax,
                        *range,
                        format!("front matter not read: it is {bytes} bytes, over the {limit}-byte limit"),
                    );
                }
            }
        }
    }

    /// Keys written twice: which value counts depends on the reader.
    fn duplicate_keys(&mut self) {
        for duplicate in &self.article.duplicate_keys {
            let message = format!(
                "`{}` is written twice: YAML readers disagree on which one counts (this one is ignored here, \
                 but taken by others); keep one",
                duplicate.name
            );
            let first = (duplicate.first, format!("the first `{}`", duplicate.name).into());
            self.out.push(LocalDiagnostic {
                code: DiagnosticCode::DuplicateKey,
                range: duplicate.repeated,
                message: message.into(),
                related: Box::new([first]),
            });
        }
    }

    /// Required fields and value shapes. After a syntax error, fields that
    /// follow it are unknown, so none is called missing.
    fn fields(&mut self) {
        let article = self.article;
        let complete = article.syntax_errors.is_empty();
        for (name, field) in [("id", &article.id), ("title", &article.title), ("url", &article.url)] {
            if field.is_none() && complete {
                self.push(
                    DiagnosticCode::MissingField,
                    article.open_fence,
                    format!("article has no `{name}`"),
                );
            }
        }
        self.shape("id", &article.id, |field| field.id_as_written().map(drop));
        self.shape("url", &article.url, |field| field.url().map(drop));
        for (name, field) in
            [("title", &article.title), ("subject", &article.subject), ("file_name", &article.file_name)]
        {
            self.shape(name, field, |field| field.string().map(drop));
        }
        for (name, field) in [("question", &article.question), ("answer", &article.answer)] {
            self.shape(name, field, |field| match &field.value {
                Value::Scalar(scalar) if !scalar.text.trim().is_empty() => Ok(()),
                Value::Scalar(_) => Err("expected text, found an empty value".to_owned()),
                other => Err(format!("expected text, found {}", other.shape())),
            });
        }
        for link in &article.related {
            self.link_fields(link, complete);
        }
    }

    fn link_fields(&mut self, link: &RelatedLink, complete: bool) {
        let number = link.number;
        if !matches!(link.value, Value::Mapping(_)) {
            self.push(
                DiagnosticCode::InvalidField,
                link.value.range(),
                format!(
                    "`related_article{number}` must be a mapping with `id`, `title`, `subject` and `url`, found {}",
                    link.value.shape()
                ),
            );
            return;
        }
        for (name, field) in [("id", &link.id), ("url", &link.url)] {
            if field.is_none() && complete {
                self.push(
                    DiagnosticCode::MissingField,
                    link.key,
                    format!("`related_article{number}` has no `{name}`"),
                );
            }
        }
        self.shape("id", &link.id, |field| field.id_as_written().map(drop));
        self.shape("url", &link.url, |field| field.url().map(drop));
        self.shape("title", &link.title, |field| field.string().map(drop));
        self.shape("subject", &link.subject, |field| field.string().map(drop));
    }

    fn shape(&mut self, name: &str, field: &Option<Field>, valid: impl Fn(&Field) -> Result<(), String>) {
        if let Some(field) = field
            && let Err(problem) = valid(field)
        {
            self.push(
                DiagnosticCode::InvalidField,
                field.value_range(),
                format!("invalid `{name}`: {problem}"),
            );
        }
    }

    fn slugs(&mut self) {
        let article = self.article;
        let Some(url) = article.article_url() else { return };
        if let (Some(field), Some(expected)) = (&article.file_name, file_name_for_url(url))
            && let Some(file_name) = field.text()
            && file_name != expected
        {
            self.push(
                DiagnosticCode::SlugMismatch,
                field.value_range(),
                format!("file_name `{file_name}` does not follow the url: expected `{expected}`"),
            );
        }
        if let (Some(segment), Some(subject), Some(field)) =
            (url_subject_segment(url), article.subject_text(), &article.url)
        {
            let expected = subject_slug(subject);
            if segment != expected {
                self.push(
                    DiagnosticCode::SlugMismatch,
                    field.value_range(),
                    format!("url's subject segment `{segment}` does not match subject “{subject}”: expected `{expected}`"),
                );
            }
        }
    }
}
