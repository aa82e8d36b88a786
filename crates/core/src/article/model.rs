//! The full model of one article, as the parser makes it: every key, its
//! exact ranges and scalar styles. It lives while a feature needs it (an
//! open document's, or one read from disk for an edit); the index keeps the
//! summary instead.

use std::borrow::Cow;

use arcstr::ArcStr;
use text_size::TextRange;

/// An article id: the integer that related blocks use to point at an article.
pub type ArticleId = u64;

/// The id `text` (a field's trimmed text) writes, when it is all digits:
/// an error when it is too large.
pub(crate) fn id_from_digits(text: &str) -> Option<Result<ArticleId, String>> {
    (!text.is_empty() && text.bytes().all(|byte| byte.is_ascii_digit())).then(|| {
        text.parse::<ArticleId>()
            .map_err(|_| format!("`{text}` is too large for an id: ids go up to {}", ArticleId::MAX))
    })
}

/// How a scalar is written in the source; edits keep it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

/// A scalar value as YAML decodes it, with where it stands in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scalar {
    /// The decoded value (folding applied, quotes removed). `answer` keeps its
    /// literal `\n` sequences: YAML does not decode them in folded scalars.
    /// Shared, so that the index keeps one copy of a title however many
    /// links repeat it.
    pub text: ArcStr,
    pub style: ScalarStyle,
    /// The whole node: quotes included, a block scalar's `>-` header included.
    pub node: TextRange,
    /// Only the characters of the value: inside the quotes, or a block
    /// scalar's lines without the header and trailing line breaks.
    pub content: TextRange,
}

/// The value of a key, when it is not a scalar: the model keeps only its shape.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    Scalar(Scalar),
    Mapping(TextRange),
    Sequence(TextRange),
    Alias(TextRange),
}

impl Value {
    pub fn range(&self) -> TextRange {
        match self {
            Value::Scalar(scalar) => scalar.node,
            Value::Mapping(range) | Value::Sequence(range) | Value::Alias(range) => *range,
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            Value::Scalar(scalar) => Some(scalar),
            _ => None,
        }
    }

    pub fn shape(&self) -> &'static str {
        match self {
            Value::Scalar(_) => "a scalar",
            Value::Mapping(_) => "a mapping",
            Value::Sequence(_) => "a sequence",
            Value::Alias(_) => "an alias",
        }
    }
}

/// One `key: value` pair the model knows about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    pub key: TextRange,
    pub value: Value,
}

impl Field {
    /// The scalar text, trimmed, when the value is a non-empty scalar.
    pub fn text(&self) -> Option<&str> {
        let text = self.value.as_scalar()?.text.trim();
        (!text.is_empty()).then_some(text)
    }

    /// The range a diagnostic about the value should underline.
    pub fn value_range(&self) -> TextRange {
        match &self.value {
            Value::Scalar(scalar) if !scalar.content.is_empty() => scalar.content,
            value => {
                let range = value.range();
                if range.is_empty() { self.key } else { range }
            }
        }
    }

    /// The field as an article id, or why it is not one. Lenient: a quoted
    /// id or one with a leading zero counts as the number, so that a link
    /// written so still finds its article ([`Field::id_as_written`] says
    /// what is wrong with it).
    pub fn id(&self) -> Result<ArticleId, String> {
        match self.text() {
            Some(text) => {
                id_from_digits(text).unwrap_or_else(|| Err(format!("`{text}` is not a non-negative integer")))
            }
            None => Err(format!("expected an integer, found {}", self.describe())),
        }
    }

    /// [`Field::id`], refusing what YAML readers do not take for the
    /// number: a quoted id (a string) and one with a leading zero (a string
    /// or an octal number, depending on the reader).
    pub fn id_as_written(&self) -> Result<ArticleId, String> {
        let id = self.id()?;
        let written = self.text().unwrap_or("");
        let style = self.value.as_scalar().map(|scalar| scalar.style);
        if style.is_some_and(|style| style != ScalarStyle::Plain) {
            return Err(format!(
                "`{written}` is written in quotes, so YAML reads it as text, not the number {id}: remove the quotes"
            ));
        }
        if written.len() > 1 && written.starts_with('0') {
            return Err(format!(
                "`{written}` has a leading zero, so most YAML readers take it as text or an octal number, \
                 not {id}: write {id}"
            ));
        }
        Ok(id)
    }

    fn describe(&self) -> &'static str {
        match &self.value {
            Value::Scalar(_) => "an empty value",
            other => other.shape(),
        }
    }

    /// The field as a url, or why it is not one.
    pub fn url(&self) -> Result<&str, String> {
        match self.text() {
            Some(text) if has_white_space(text) => Err(format!("url `{text}` contains white space")),
            Some(text) if text.starts_with('/') => Ok(text),
            Some(text) => Err(format!("url `{text}` does not start with `/`")),
            None => Err(format!("expected a url, found {}", self.describe())),
        }
    }

    /// The field as non-empty text, or why it is not.
    pub fn string(&self) -> Result<&str, String> {
        self.text().ok_or_else(|| format!("expected text, found {}", self.describe()))
    }
}

fn has_white_space(text: &str) -> bool {
    // Urls are ASCII but for the odd one: every link's url is checked.
    if text.is_ascii() {
        text.bytes().any(|byte| byte.is_ascii_whitespace() || byte == 0x0b)
    } else {
        text.contains(char::is_whitespace)
    }
}

/// The fields of a related block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkFieldName {
    Id,
    Title,
    Subject,
    Url,
}

impl LinkFieldName {
    pub const ALL: [LinkFieldName; 4] =
        [LinkFieldName::Id, LinkFieldName::Title, LinkFieldName::Subject, LinkFieldName::Url];

    pub fn as_str(self) -> &'static str {
        match self {
            LinkFieldName::Id => "id",
            LinkFieldName::Title => "title",
            LinkFieldName::Subject => "subject",
            LinkFieldName::Url => "url",
        }
    }
}

/// A `related_articleN` block: a link from one article to another.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelatedLink {
    /// The `N` of `related_articleN`.
    pub number: u32,
    pub key: TextRange,
    /// From the key to the end of the block's value.
    pub range: TextRange,
    /// The mapping itself, or what stands where it should be.
    pub value: Value,
    pub flow: bool,
    pub id: Option<Field>,
    pub title: Option<Field>,
    pub subject: Option<Field>,
    pub url: Option<Field>,
}

impl RelatedLink {
    pub fn target_id(&self) -> Option<ArticleId> {
        self.id.as_ref()?.id().ok()
    }

    pub fn target_url(&self) -> Option<&str> {
        self.url.as_ref()?.url().ok()
    }

    pub fn field(&self, name: LinkFieldName) -> Option<&Field> {
        match name {
            LinkFieldName::Id => self.id.as_ref(),
            LinkFieldName::Title => self.title.as_ref(),
            LinkFieldName::Subject => self.subject.as_ref(),
            LinkFieldName::Url => self.url.as_ref(),
        }
    }
}

/// A key written twice in one mapping. YAML requires keys to be unique,
/// and readers disagree on which value wins (the parser here keeps the
/// first, others the last).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    pub name: ArcStr,
    pub first: TextRange,
    pub repeated: TextRange,
}

/// Why the text could not be read as a whole article.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SyntaxError {
    /// The front matter is not valid YAML; the model holds what came before.
    Yaml { range: TextRange, message: String },
    /// The opening `---` is never closed.
    UnterminatedFrontMatter { range: TextRange },
    /// The front matter is over the size limit, so it was not read.
    TooLarge { range: TextRange, bytes: usize, limit: usize },
}

/// One article file. `None` fields are absent from the source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Article {
    /// The opening `---`: where problems of the article as a whole are shown.
    pub open_fence: TextRange,
    /// The YAML text between the `---` lines.
    pub front_matter: TextRange,
    pub id: Option<Field>,
    pub title: Option<Field>,
    pub subject: Option<Field>,
    pub url: Option<Field>,
    pub file_name: Option<Field>,
    pub question: Option<Field>,
    pub answer: Option<Field>,
    pub related: Vec<RelatedLink>,
    pub syntax_errors: Vec<SyntaxError>,
    /// Keys repeated at the top or in a related block.
    pub duplicate_keys: Vec<DuplicateKey>,
}

impl Article {
    pub fn article_id(&self) -> Option<ArticleId> {
        self.id.as_ref()?.id().ok()
    }

    pub fn article_url(&self) -> Option<&str> {
        self.url.as_ref()?.url().ok()
    }

    pub fn title_text(&self) -> Option<&str> {
        self.title.as_ref()?.text()
    }

    pub fn subject_text(&self) -> Option<&str> {
        self.subject.as_ref()?.text()
    }

    /// This article's current value for a related block's field: what a
    /// block linking here should say. Borrowed but for the id: every link of
    /// a workspace is compared with its target's values.
    pub fn link_value(&self, name: LinkFieldName) -> Option<Cow<'_, str>> {
        match name {
            LinkFieldName::Id => self.article_id().map(|id| Cow::Owned(id.to_string())),
            LinkFieldName::Title => self.title_text().map(Cow::Borrowed),
            LinkFieldName::Subject => self.subject_text().map(Cow::Borrowed),
            LinkFieldName::Url => self.article_url().map(Cow::Borrowed),
        }
    }
}
