//! Diagnostics: a pure function of the index and one indexed article.

mod code;
mod outward;

pub use code::{DiagnosticCode, Severity};
pub use outward::{AsClaimant, AsLinked};

use text_size::TextRange;

use crate::article::{Article, Field, LinkFieldName, RelatedLink, SyntaxError, Value};
use crate::index::{ArticleIndex, FileId, IndexedArticle};
use crate::resolve::{LinkTarget, resolve_link, stale_fields};
use crate::slug::{file_name_for_url, subject_slug, url_subject_segment};
use crate::suggest::closest_articles;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: DiagnosticCode,
    pub severity: Severity,
    pub range: TextRange,
    pub message: String,
    /// Places in other files (or this one) that explain the problem.
    pub related: Vec<RelatedInformation>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelatedInformation {
    pub file: FileId,
    pub range: TextRange,
    pub message: String,
}

/// Every diagnostic of the article indexed as `file`, in source order.
pub fn article_diagnostics(index: &ArticleIndex, file: FileId) -> Vec<Diagnostic> {
    let Some(entry) = index.get(file) else { return Vec::new() };
    let mut check = Checker { index, file, article: &entry.article, out: Vec::new() };
    check.syntax();
    check.duplicate_keys();
    check.fields();
    check.duplicates(entry);
    check.links();
    check.slugs();
    let mut out = check.out;
    out.sort_by_key(|diagnostic| (diagnostic.range.start(), diagnostic.range.end(), diagnostic.code));
    out
}

struct Checker<'a> {
    index: &'a ArticleIndex,
    file: FileId,
    article: &'a Article,
    out: Vec<Diagnostic>,
}

impl Checker<'_> {
    fn push(&mut self, code: DiagnosticCode, range: TextRange, message: String) {
        self.push_with(code, range, message, Vec::new());
    }

    fn push_with(
        &mut self,
        code: DiagnosticCode,
        range: TextRange,
        message: String,
        related: Vec<RelatedInformation>,
    ) {
        self.out.push(Diagnostic { code, severity: code.default_severity(), range, message, related });
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
            let first = RelatedInformation {
                file: self.file,
                range: duplicate.first,
                message: format!("the first `{}`", duplicate.name),
            };
            self.push_with(
                DiagnosticCode::DuplicateKey,
                duplicate.repeated,
                format!(
                    "`{}` is written twice: YAML readers disagree on which one counts (this one is ignored here, \
                     but taken by others); keep one",
                    duplicate.name
                ),
                vec![first],
            );
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
        // The index keeps no long text, only whether it is blank.
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

    fn duplicates(&mut self, entry: &IndexedArticle) {
        let article = &entry.article;
        if let (Some(id), Some(field)) = (article.article_id(), &article.id) {
            let others = self.others(self.index.with_id(id), |other| other.id.as_ref());
            if !others.is_empty() {
                let message = format!("id {id} is also claimed by {}", count(others.len(), "other article"));
                self.push_with(DiagnosticCode::DuplicateId, field.value_range(), message, others);
            }
        }
        if let (Some(url), Some(field)) = (article.article_url(), &article.url) {
            let others = self.others(self.index.with_url(url), |other| other.url.as_ref());
            if !others.is_empty() {
                let message =
                    format!("url {url} is also claimed by {}", count(others.len(), "other article"));
                self.push_with(DiagnosticCode::DuplicateUrl, field.value_range(), message, others);
            }
        }
    }

    /// The other claimants among `files`, pointing at their claiming field.
    fn others(
        &self,
        files: &[FileId],
        field: impl Fn(&Article) -> Option<&Field>,
    ) -> Vec<RelatedInformation> {
        files
            .iter()
            .filter(|other| **other != self.file)
            .filter_map(|other| {
                let entry = self.index.get(*other)?;
                let range = field(&entry.article).map_or(entry.article.open_fence, Field::value_range);
                Some(RelatedInformation { file: *other, range, message: "also claimed here".to_owned() })
            })
            .collect()
    }

    fn links(&mut self) {
        let mut seen: Vec<(FileId, TextRange)> = Vec::new();
        for link in &self.article.related {
            if !matches!(link.value, Value::Mapping(_)) {
                continue;
            }
            let resolution = resolve_link(self.index, link);
            match resolution {
                LinkTarget::Unresolvable => continue,
                LinkTarget::Broken => {
                    self.broken(link);
                    continue;
                }
                LinkTarget::Mismatch { by_id, by_url } => self.mismatch(link, by_id, by_url),
                LinkTarget::ById(_) | LinkTarget::ByUrl(_) | LinkTarget::Resolved(_) => {}
            }
            let Some(target) = resolution.target() else { continue };
            if target == self.file {
                self.push(
                    DiagnosticCode::SelfLink,
                    link.key,
                    format!("`related_article{}` links to this article itself", link.number),
                );
                continue;
            }
            if let Some((_, first)) = seen.iter().find(|(file, _)| *file == target) {
                let first = *first;
                let title = self.title_of(target);
                let first_link = RelatedInformation {
                    file: self.file,
                    range: first,
                    message: "first linked here".to_owned(),
                };
                let message = format!("`related_article{}` links again to {title}", link.number);
                self.push_with(DiagnosticCode::DuplicateLink, link.key, message, vec![first_link]);
                continue;
            }
            seen.push((target, link.key));
            self.stale(link, resolution, target);
        }
    }

    fn broken(&mut self, link: &RelatedLink) {
        let what = match (link.target_id(), link.target_url()) {
            (Some(id), Some(url)) => format!("no article has id {id} or url {url}"),
            (Some(id), None) => format!("no article has id {id}"),
            (None, Some(url)) => format!("no article has url {url}"),
            (None, None) => return,
        };
        let title = link.title.as_ref().and_then(Field::text);
        let closest = closest_articles(self.index, title, link.target_url(), 2)
            .into_iter()
            .find(|(file, _)| *file != self.file);
        let hint = match closest {
            Some((file, _)) => format!("; did you mean {}?", self.describe(file)),
            None => String::new(),
        };
        let valid_id = link.id.as_ref().filter(|_| link.target_id().is_some());
        let range = valid_id.or(link.url.as_ref()).map_or(link.key, Field::value_range);
        let related = closest
            .and_then(|(target, _)| {
                let title = self.index.get(target)?.article.title.as_ref()?.value_range();
                Some(RelatedInformation {
                    file: target,
                    range: title,
                    message: "closest existing article".to_owned(),
                })
            })
            .into_iter()
            .collect();
        self.push_with(DiagnosticCode::BrokenLink, range, format!("broken link: {what}{hint}"), related);
    }

    fn mismatch(&mut self, link: &RelatedLink, by_id: FileId, by_url: FileId) {
        let Some(url) = &link.url else { return };
        let message = format!(
            "id and url link to different articles: the id is {}, the url is {}",
            self.describe(by_id),
            self.describe(by_url)
        );
        let related = [(by_id, "the id's article"), (by_url, "the url's article")]
            .into_iter()
            .filter_map(|(file, message)| {
                let title = self.index.get(file)?.article.title.as_ref()?.value_range();
                Some(RelatedInformation { file, range: title, message: message.to_owned() })
            })
            .collect();
        self.push_with(DiagnosticCode::LinkMismatch, url.value_range(), message, related);
    }

    /// Fields of a resolved link that no longer match the target.
    fn stale(&mut self, link: &RelatedLink, resolution: LinkTarget, target: FileId) {
        let Some(entry) = self.index.get(target) else { return };
        for (name, current) in stale_fields(link, resolution, &entry.article) {
            let Some(field) = link.field(name) else { continue };
            let (code, message) = match name {
                LinkFieldName::Id => (
                    DiagnosticCode::StaleId,
                    format!("stale id: no article has this id; the url's article has id {current}"),
                ),
                LinkFieldName::Url => {
                    (DiagnosticCode::StaleUrl, format!("stale url: the article is now at {current}"))
                }
                LinkFieldName::Title => (
                    DiagnosticCode::StaleTitle,
                    format!("stale title: the article's title is now “{current}”"),
                ),
                LinkFieldName::Subject => (
                    DiagnosticCode::StaleSubject,
                    format!("stale subject: the article's subject is now “{current}”"),
                ),
            };
            self.push(code, field.value_range(), message);
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

    fn title_of(&self, file: FileId) -> String {
        match self.index.get(file).and_then(|entry| entry.article.title_text()) {
            Some(title) => format!("“{title}”"),
            None => self.index.path(file).to_string(),
        }
    }

    fn describe(&self, file: FileId) -> String {
        let title = self.title_of(file);
        match self.index.get(file).and_then(|entry| entry.article.article_id()) {
            Some(id) => format!("{title} (id {id})"),
            None => title,
        }
    }
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 { format!("1 {noun}") } else { format!("{n} {noun}s") }
}

#[cfg(test)]
mod tests;
