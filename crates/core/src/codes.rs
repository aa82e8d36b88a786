//! Diagnostic codes: stable names and default severities (their meanings
//! are the table in docs/user/diagnostics.md, which a test keeps in step).

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub const ALL: [Severity; 4] =
        [Severity::Error, Severity::Warning, Severity::Information, Severity::Hint];

    /// The severity named by [`Severity::as_str`].
    pub fn from_name(name: &str) -> Option<Severity> {
        Severity::ALL.into_iter().find(|severity| severity.as_str() == name)
    }

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
    ($($variant:ident = $name:literal, $severity:ident;)*) => {
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

            pub fn from_name(name: &str) -> Option<DiagnosticCode> {
                match name { $($name => Some(DiagnosticCode::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    YamlSyntax = "yaml-syntax", Error;
    UnterminatedFrontMatter = "unterminated-front-matter", Error;
    MissingField = "missing-field", Error;
    InvalidField = "invalid-field", Error;
    DuplicateKey = "duplicate-key", Error;
    DuplicateId = "duplicate-id", Error;
    DuplicateUrl = "duplicate-url", Error;
    BrokenLink = "broken-link", Error;
    LinkMismatch = "link-mismatch", Error;
    StaleId = "stale-id", Warning;
    StaleUrl = "stale-url", Warning;
    StaleTitle = "stale-title", Warning;
    StaleSubject = "stale-subject", Warning;
    SelfLink = "self-link", Warning;
    DuplicateLink = "duplicate-link", Warning;
    SlugMismatch = "slug-mismatch", Warning;
}

impl DiagnosticCode {
    /// Whether the diagnostic is a claim about other articles (that one
    /// exists, or does not, or says something else): only an index of the
    /// whole workspace can make it. The rest depend on the file alone.
    pub fn depends_on_other_files(self) -> bool {
        match self {
            DiagnosticCode::YamlSyntax
            | DiagnosticCode::UnterminatedFrontMatter
            | DiagnosticCode::MissingField
            | DiagnosticCode::InvalidField
            | DiagnosticCode::DuplicateKey
            | DiagnosticCode::SelfLink
            | DiagnosticCode::SlugMismatch => false,
            DiagnosticCode::DuplicateId
            | DiagnosticCode::DuplicateUrl
            | DiagnosticCode::BrokenLink
            | DiagnosticCode::LinkMismatch
            | DiagnosticCode::StaleId
            | DiagnosticCode::StaleUrl
            | DiagnosticCode::StaleTitle
            | DiagnosticCode::StaleSubject
            // Two blocks are the same link when they reach the same article.
            | DiagnosticCode::DuplicateLink => true,
        }
    }
}

/// Codes are stored by name (in the index cache): a code added or reordered
/// never changes what an older name means.
impl serde::Serialize for DiagnosticCode {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for DiagnosticCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        DiagnosticCode::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown diagnostic code `{name}`")))
    }
}
