//! What the index keeps of an article: the values other files' diagnostics
//! and features read of it, where those values stand, and what the article
//! alone says is wrong with it, found once when it is parsed.
//!
//! The full [`Article`] (every key, every range, every scalar style) is what
//! the parser makes of one text; it lives only while a feature needs it: an
//! open document's, or one read from disk for an edit (a rename, a "link
//! back"). The index keeps a summary per file instead, a fraction of the
//! size, and the cache stores the same summaries.

mod local;
mod packed;

pub use local::LocalDiagnostic;

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use text_size::TextRange;

use crate::article::{Article, ArticleId, Field, LinkFieldName, RelatedLink, Value};
use crate::texts::Text;

/// One article as the index keeps it.
///
/// Not its `file_name`: only the article's own check reads it, and that is
/// found once, at parse time (`local`); a fix or a rename that edits it
/// parses the file.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleSummary {
    /// The opening `---`: where a claim is shown when its field is missing.
    pub open_fence: TextRange,
    /// The id, read leniently (see [`Field::id`]).
    pub id: Option<ArticleId>,
    /// The url, when it is one.
    #[serde(with = "crate::texts::in_table::option")]
    pub url: Option<Text>,
    /// The title, trimmed, when not empty.
    #[serde(with = "crate::texts::in_table::option")]
    pub title: Option<Text>,
    #[serde(with = "crate::texts::in_table::option")]
    pub subject: Option<Text>,
    /// Where the `id`, `url` and `title` values are, when the keys are
    /// written (whatever their values): related information points there.
    pub id_at: Option<TextRange>,
    pub url_at: Option<TextRange>,
    pub title_at: Option<TextRange>,
    #[serde(with = "packed")]
    pub links: Box<[LinkSummary]>,
    /// What the article alone says is wrong with it.
    pub local: Box<[LocalDiagnostic]>,
}

/// A `related_articleN` block as the index keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkSummary {
    /// The `N` of `related_articleN`.
    pub number: u32,
    pub key: TextRange,
    /// Whether the block is a mapping: anything else links nowhere.
    pub is_mapping: bool,
    /// Whether the `url` field's text is a url (it is then the target url).
    url_is_valid: bool,
    /// Whether the `id` field's text is an id (`target_id` is then it).
    has_target_id: bool,
    /// The id it links to, read once (as [`Field::id`]): every check and
    /// every look-up of its referrers follows it. Two halves, so that a
    /// link keeps the four-byte alignment of its other fields.
    target_id: [u32; 2],
    /// `id`, `title`, `subject`, `url`, in [`LinkFieldName::ALL`]'s order.
    fields: [Option<LinkField>; 4],
}

/// One field of a related block: its trimmed text (empty when it has none,
/// or is not a scalar) and where its value is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinkField {
    #[serde(with = "crate::texts::in_table")]
    text: Text,
    pub range: TextRange,
}

impl LinkField {
    fn of(field: &Field) -> LinkField {
        LinkField { text: trimmed_text(field).unwrap_or_else(|| Text::new("")), range: field.value_range() }
    }

    /// The trimmed text, when not empty (as [`Field::text`]).
    pub fn text(&self) -> Option<&'static str> {
        let text = self.text.as_str();
        (!text.is_empty()).then_some(text)
    }

    /// [`LinkField::text`] as its number in the table of texts.
    pub fn shared_text(&self) -> Option<Text> {
        (!self.text.is_empty()).then_some(self.text)
    }
}

impl ArticleSummary {
    /// The summary of `article`, with the diagnostics it alone gives.
    pub fn of(article: &Article) -> ArticleSummary {
        ArticleSummary {
            open_fence: article.open_fence,
            id: article.article_id(),
            url: article.url.as_ref().filter(|field| field.url().is_ok()).and_then(trimmed_text),
            title: article.title.as_ref().and_then(trimmed_text),
            subject: article.subject.as_ref().and_then(trimmed_text),
            id_at: article.id.as_ref().map(Field::value_range),
            url_at: article.url.as_ref().map(Field::value_range),
            title_at: article.title.as_ref().map(Field::value_range),
            links: article.related.iter().map(LinkSummary::of).collect(),
            local: local::diagnostics(article).into_boxed_slice(),
        }
    }

    /// The summary of `text`, when it is an article.
    pub fn of_text(text: &str) -> Option<ArticleSummary> {
        crate::article::parse_article(text).map(|article| ArticleSummary::of(&article))
    }

    pub fn title_text(&self) -> Option<&'static str> {
        self.title.map(Text::as_str)
    }

    pub fn subject_text(&self) -> Option<&'static str> {
        self.subject.map(Text::as_str)
    }

    pub fn article_url(&self) -> Option<&'static str> {
        self.url.map(Text::as_str)
    }

    /// This article's current value for a related block's field: what a
    /// block linking here should say.
    pub fn link_value(&self, name: LinkFieldName) -> Option<Cow<'_, str>> {
        match name {
            LinkFieldName::Id => self.id.map(|id| Cow::Owned(id.to_string())),
            LinkFieldName::Title => self.title_text().map(Cow::Borrowed),
            LinkFieldName::Subject => self.subject_text().map(Cow::Borrowed),
            LinkFieldName::Url => self.article_url().map(Cow::Borrowed),
        }
    }

    /// [`ArticleSummary::link_value`] as its number in the table of texts,
    /// for the fields kept so (all but the id).
    pub fn link_number(&self, name: LinkFieldName) -> Option<Text> {
        match name {
            LinkFieldName::Id => None,
            LinkFieldName::Title => self.title,
            LinkFieldName::Subject => self.subject,
            LinkFieldName::Url => self.url,
        }
    }

    /// Where the article is "defined": its title's value, else its opening fence.
    pub fn title_range(&self) -> TextRange {
        self.title_at.unwrap_or(self.open_fence)
    }

    /// Every text of the summary.
    pub fn texts(&self) -> impl Iterator<Item = Text> + '_ {
        let own = [self.url, self.title, self.subject];
        let links = self.links.iter().flat_map(|link| link.fields.iter().flatten().map(|field| field.text));
        own.into_iter().flatten().chain(links)
    }
}

impl LinkSummary {
    fn of(link: &RelatedLink) -> LinkSummary {
        let field = |name| link.field(name).map(LinkField::of);
        let target_id = link.target_id();
        let id = target_id.unwrap_or(0);
        LinkSummary {
            number: link.number,
            key: link.key,
            is_mapping: matches!(link.value, Value::Mapping(_)),
            url_is_valid: link.target_url().is_some(),
            has_target_id: target_id.is_some(),
            target_id: [(id >> 32) as u32, id as u32],
            fields: LinkFieldName::ALL.map(field),
        }
    }

    pub fn field(&self, name: LinkFieldName) -> Option<&LinkField> {
        self.fields[name as usize].as_ref()
    }

    /// The id it links to, read leniently (as [`Field::id`]).
    pub fn target_id(&self) -> Option<ArticleId> {
        let [high, low] = self.target_id;
        self.has_target_id.then_some((u64::from(high) << 32) | u64::from(low))
    }

    pub fn target_url(&self) -> Option<&str> {
        self.field(LinkFieldName::Url).filter(|_| self.url_is_valid).and_then(LinkField::text)
    }

    pub fn title_text(&self) -> Option<&str> {
        self.field(LinkFieldName::Title).and_then(LinkField::text)
    }

    /// [`LinkSummary::target_url`] as its number in the table of texts, for a key.
    pub fn target_url_text(&self) -> Option<Text> {
        self.field(LinkFieldName::Url).filter(|_| self.url_is_valid)?.shared_text()
    }
}

/// What a link is followed by and compared on, whether it is an open
/// document's full block or a closed file's summary of one.
pub trait LinkView {
    fn target_id(&self) -> Option<ArticleId>;
    fn target_url(&self) -> Option<&str>;
    /// The field's trimmed text, when the field is written and not empty.
    fn field_text(&self, name: LinkFieldName) -> Option<&str>;
    /// [`LinkView::field_text`] as its number in the table of texts, when
    /// the link has it so (a summary's): compared without being read.
    fn field_number(&self, _name: LinkFieldName) -> Option<Text> {
        None
    }
}

impl LinkView for LinkSummary {
    fn target_id(&self) -> Option<ArticleId> {
        LinkSummary::target_id(self)
    }

    fn target_url(&self) -> Option<&str> {
        LinkSummary::target_url(self)
    }

    fn field_text(&self, name: LinkFieldName) -> Option<&str> {
        self.field(name)?.text()
    }

    fn field_number(&self, name: LinkFieldName) -> Option<Text> {
        self.field(name)?.shared_text()
    }
}

impl LinkView for RelatedLink {
    fn target_id(&self) -> Option<ArticleId> {
        RelatedLink::target_id(self)
    }

    fn target_url(&self) -> Option<&str> {
        RelatedLink::target_url(self)
    }

    fn field_text(&self, name: LinkFieldName) -> Option<&str> {
        self.field(name)?.text()
    }
}

/// A field's trimmed text, when not empty.
fn trimmed_text(field: &Field) -> Option<Text> {
    field.text().map(Text::new)
}

#[cfg(test)]
mod tests;
