//! A server over a temporary copy of fixture folders, scanned: what most
//! scenario tests start from, with the requests they make at byte offsets.

use std::path::PathBuf;

use article_core::line_index::PositionEncoding;
use serde_json::{Value, json};

use crate::client::{Client, Options, uri};
use crate::fixtures::workspace;
use crate::values::{position, range};

/// A server over a temporary copy of fixture folders, scanned.
pub struct Session {
    pub root: tempfile::TempDir,
    pub client: Client,
    pub encoding: PositionEncoding,
}

impl Session {
    pub async fn start(dirs: &[&str]) -> Session {
        Session::with(dirs, |_| {}).await
    }

    pub async fn with(dirs: &[&str], configure: impl FnOnce(&mut Options)) -> Session {
        let root = workspace(dirs);
        Session::in_root(root, configure).await
    }

    pub async fn in_root(root: tempfile::TempDir, configure: impl FnOnce(&mut Options)) -> Session {
        let mut options = Options::folders(&[root.path()]);
        configure(&mut options);
        let encoding = if options.position_encodings.contains(&"utf-8") {
            PositionEncoding::Utf8
        } else {
            PositionEncoding::Utf16
        };
        let client = Client::start(options).await;
        client.wait_scans(1).await;
        Session { root, client, encoding }
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.path().join(relative)
    }

    pub fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.path(relative)).expect("a fixture")
    }

    pub fn uri(&self, relative: &str) -> String {
        uri(&self.path(relative))
    }

    /// `textDocument` and `position` at a byte offset of `text`.
    pub fn at(&self, relative: &str, text: &str, offset: usize) -> Value {
        json!({
            "textDocument": { "uri": self.uri(relative) },
            "position": position(text, offset, self.encoding),
        })
    }

    /// A location of a byte range in a file of the workspace.
    pub fn location(&self, relative: &str, text: &str, span: std::ops::Range<usize>) -> Value {
        json!({ "uri": self.uri(relative), "range": range(text, span, self.encoding) })
    }

    /// The result of a request answered without error.
    pub async fn result(&self, method: &str, params: Value) -> Value {
        let response = self.client.request(method, params).await;
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    pub async fn complete(&self, relative: &str, text: &str, offset: usize) -> Value {
        self.result("textDocument/completion", self.at(relative, text, offset)).await
    }

    pub async fn hover(&self, relative: &str, text: &str, offset: usize) -> Value {
        self.result("textDocument/hover", self.at(relative, text, offset)).await
    }

    pub async fn definition(&self, relative: &str, text: &str, offset: usize) -> Value {
        self.result("textDocument/definition", self.at(relative, text, offset)).await
    }

    pub async fn references(
        &self,
        relative: &str,
        text: &str,
        offset: usize,
        declaration: bool,
    ) -> Vec<Value> {
        let mut params = self.at(relative, text, offset);
        params["context"] = json!({ "includeDeclaration": declaration });
        let found = self.result("textDocument/references", params).await;
        found.as_array().unwrap_or_else(|| panic!("locations: {found}")).clone()
    }
}

/// Fixture files and values the feature and refactor scenarios share.
pub mod cluster {
    pub const EVOLVED: &str = "lumenus/how-has-lumenus-evolved-over-the-years.md";
    pub const EVOLVED_TITLE: &str = "How has Lumenus evolved over the years?";
    pub const EVOLVED_URL: &str = "/learn/health-studies/questions/how-has-lumenus-evolved-over-the-years";
    pub const HISTORY: &str = "lumenus/what-is-the-history-of-the-lumenus-organization.md";
    pub const HISTORY_TITLE: &str = "What is the history of the Lumenus organization?";
    pub const HISTORY_URL: &str =
        "/learn/sociology/questions/what-is-the-history-of-the-lumenus-organization";
    pub const SOURCES: &str =
        "lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md";
    pub const COLLABORATE: &str =
        "lumenus/does-lumenus-collaborate-with-other-organizations-for-community-support.md";
    pub const FLOW: &str = "shapes/which-lumenus-articles-cover-its-history.md";
}
