//! Diagnostics: a pure function of the index and one indexed article.

mod outward;

pub use crate::codes::{DiagnosticCode, Severity};
pub use outward::{AsClaimant, AsLinked};

use text_size::TextRange;

use crate::article::LinkFieldName;
use crate::index::{ArticleIndex, FileId};
use crate::resolve::{LinkTarget, resolve_link, stale_fields};
use crate::suggest::closest_articles;
use crate::summary::{ArticleSummary, LinkSummary};

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

/// Every diagnostic of the article indexed as `file`, in source order: what
/// it alone says (found when it was parsed, kept in its summary) and what
/// the index says of its claims and links.
pub fn article_diagnostics(index: &ArticleIndex, file: FileId) -> Vec<Diagnostic> {
    let Some(entry) = index.get(file) else { return Vec::new() };
    let summary = &entry.summary;
    let mut check = Checker { index, file, summary, out: Vec::with_capacity(summary.local.len()) };
    check.local();
    check.duplicates();
    check.links();
    let mut out = check.out;
    out.sort_by_key(|diagnostic| (diagnostic.range.start(), diagnostic.range.end(), diagnostic.code));
    out
}

struct Checker<'a> {
    index: &'a ArticleIndex,
    file: FileId,
    summary: &'a ArticleSummary,
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

    /// The diagnostics the article gives on its own.
    fn local(&mut self) {
        for local in &self.summary.local {
            let related = local
                .related
                .iter()
                .map(|(range, message)| RelatedInformation {
                    file: self.file,
                    range: *range,
                    message: message.to_string(),
                })
                .collect();
            self.push_with(local.code, local.range, local.message.to_string(), related);
        }
    }

    fn duplicates(&mut self) {
        let summary = self.summary;
        if let (Some(id), Some(range)) = (summary.id, summary.id_at) {
            let others = self.others(self.index.with_id(id), |other| other.id_at);
            if !others.is_empty() {
                let message = format!("id {id} is also claimed by {}", count(others.len(), "other article"));
                self.push_with(DiagnosticCode::DuplicateId, range, message, others);
            }
        }
        if let (Some(url), Some(range)) = (summary.article_url(), summary.url_at) {
            let others = self.others(self.index.with_url(url), |other| other.url_at);
            if !others.is_empty() {
                let message =
                    format!("url {url} is also claimed by {}", count(others.len(), "other article"));
                self.push_with(DiagnosticCode::DuplicateUrl, range, message, others);
            }
        }
    }

    /// The other claimants among `files`, pointing at their claiming field.
    fn others(
        &self,
        files: &[FileId],
        field: impl Fn(&ArticleSummary) -> Option<TextRange>,
    ) -> Vec<RelatedInformation> {
        files
            .iter()
            .filter(|other| **other != self.file)
            .filter_map(|other| {
                let other_summary = &self.index.get(*other)?.summary;
                let range = field(other_summary).unwrap_or(other_summary.open_fence);
                Some(RelatedInformation { file: *other, range, message: "also claimed here".to_owned() })
            })
            .collect()
    }

    fn links(&mut self) {
        let mut seen: Vec<(FileId, TextRange)> = Vec::new();
        for link in &self.summary.links {
            if !link.is_mapping {
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

    fn broken(&mut self, link: &LinkSummary) {
        let what = match (link.target_id(), link.target_url()) {
            (Some(id), Some(url)) => format!("no article has id {id} or url {url}"),
            (Some(id), None) => format!("no article has id {id}"),
            (None, Some(url)) => format!("no article has url {url}"),
            (None, None) => return,
        };
        let closest = closest_articles(self.index, link.title_text(), link.target_url(), 2)
            .into_iter()
            .find(|(file, _)| *file != self.file);
        let hint = match closest {
            Some((file, _)) => format!("; did you mean {}?", self.describe(file)),
            None => String::new(),
        };
        let valid_id = link.field(LinkFieldName::Id).filter(|_| link.target_id().is_some());
        let range = valid_id.or(link.field(LinkFieldName::Url)).map_or(link.key, |field| field.range);
        let related = closest
            .and_then(|(target, _)| {
                let title = self.index.get(target)?.summary.title_at?;
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

    fn mismatch(&mut self, link: &LinkSummary, by_id: FileId, by_url: FileId) {
        let Some(url) = link.field(LinkFieldName::Url) else { return };
        let message = format!(
            "id and url link to different articles: the id is {}, the url is {}",
            self.describe(by_id),
            self.describe(by_url)
        );
        let related = [(by_id, "the id's article"), (by_url, "the url's article")]
            .into_iter()
            .filter_map(|(file, message)| {
                let title = self.index.get(file)?.summary.title_at?;
                Some(RelatedInformation { file, range: title, message: message.to_owned() })
            })
            .collect();
        self.push_with(DiagnosticCode::LinkMismatch, url.range, message, related);
    }

    /// Fields of a resolved link that no longer match the target.
    fn stale(&mut self, link: &LinkSummary, resolution: LinkTarget, target: FileId) {
        let Some(entry) = self.index.get(target) else { return };
        for (name, current) in stale_fields(link, resolution, &entry.summary) {
            let Some(field) = link.field(name).map(|field| field.range) else { continue };
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
            self.push(code, field, message);
        }
    }

    fn title_of(&self, file: FileId) -> String {
        match self.index.get(file).and_then(|entry| entry.summary.title_text()) {
            Some(title) => format!("“{title}”"),
            None => self.index.path(file).to_string(),
        }
    }

    fn describe(&self, file: FileId) -> String {
        let title = self.title_of(file);
        match self.index.get(file).and_then(|entry| entry.summary.id) {
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
