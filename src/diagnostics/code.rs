//! Diagnostic codes: stable names, default severities, one-line meanings.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "information",
            Severity::Hint => "hint",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $meaning:literal;)*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum DiagnosticCode { $($variant),* }

        impl DiagnosticCode {
            pub const ALL: &'static [DiagnosticCode] = &[$(DiagnosticCode::$variant),*];

            /// The stable name shown to users and used in settings.
            pub fn as_str(self) -> &'static str {
                match self { $(DiagnosticCode::$variant => $name),* }
            }

            pub fn default_severity(self) -> Severity {
                match self { $(DiagnosticCode::$variant => Severity::$severity),* }
            }

            pub fn meaning(self) -> &'static str {
                match self { $(DiagnosticCode::$variant => $meaning),* }
            }

            pub fn from_name(name: &str) -> Option<DiagnosticCode> {
                match name { $($name => Some(DiagnosticCode::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    YamlSyntax = "yaml-syntax", Error, "the front matter is not valid YAML";
    UnterminatedFrontMatter = "unterminated-front-matter", Error, "the opening `---` is never closed";
    MissingField = "missing-field", Error, "an article without `id`, `title` or `url`, or a related block without `id` or `url`";
    InvalidField = "invalid-field", Error, "a value of the wrong shape: an `id` that is not an integer, a `url` not starting with `/`, a related block that is not a mapping";
    DuplicateId = "duplicate-id", Error, "two articles claim one id";
    DuplicateUrl = "duplicate-url", Error, "two articles claim one url";
    BrokenLink = "broken-link", Error, "neither the id nor the url of a related block matches an article";
    LinkMismatch = "link-mismatch", Error, "a related block's id and url match two different articles";
    StaleId = "stale-id", Warning, "a related block's url matches an article whose id is another";
    StaleUrl = "stale-url", Warning, "a related block's url differs from its target's current url";
    StaleTitle = "stale-title", Warning, "a related block's title differs from its target's current title";
    StaleSubject = "stale-subject", Warning, "a related block's subject differs from its target's current subject";
    SelfLink = "self-link", Warning, "an article links to itself";
    DuplicateLink = "duplicate-link", Warning, "an article links twice to one target";
    SlugMismatch = "slug-mismatch", Warning, "`file_name` is not the url's last segment plus `.md`, or the url's subject segment is not the slug of `subject`";
}
