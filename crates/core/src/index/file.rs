//! How the index names a file, and what it keeps of each.

use std::fmt;

use arcstr::ArcStr;

use crate::line_index::LineIndex;
use crate::summary::ArticleSummary;

/// How a file is named to the index: a path or URI string. The index never
/// touches the file system; it only tells files apart.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FilePath(pub(super) ArcStr);

impl FilePath {
    pub fn new(path: impl Into<ArcStr>) -> Self {
        FilePath(path.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path as the shared text it is.
    pub fn to_arcstr(&self) -> ArcStr {
        self.0.clone()
    }
}

impl fmt::Debug for FilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for FilePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A small, copyable handle for a file; stable for the life of the index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub(super) u32);

/// What the index keeps of one article: its summary, and the line index
/// that turns its ranges into positions without the text.
#[derive(Debug, PartialEq, Eq)]
pub struct IndexedArticle {
    pub path: FilePath,
    pub summary: ArticleSummary,
    pub line_index: LineIndex,
}
