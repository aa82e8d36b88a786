//! URIs as lenient clients send them, with raw UTF-8 characters and spaces
//! (`file:///…/café.md`), over the real binary's stdio: accepted, and
//! answered under their percent-encoded spelling, the same URI.

use article_test_support as support;

use std::path::Path;

use article_test_support::Client;
use serde_json::{Value, json};

/// An article whose related block names no article: it always has a
/// diagnostic to publish.
const BROKEN: &str = "---\nid: 1\ntitle: Café notes\nurl: /learn/x/questions/cafe-notes\nrelated_article1:\n  \
                      id: 999\n  url: /learn/x/questions/gone\n---\n";

/// `path` as a URI without percent-encoding anything.
fn raw_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// The codes last published for `path` (named by its encoded URI), waiting for some.
async fn published_codes(server: &Client, path: &Path) -> Vec<String> {
    support::codes(&server.wait_diagnostics(path, |_| true).await)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_workspace_folder_with_raw_characters_is_accepted_and_scanned() {
    let dir = tempfile::tempdir().expect("a folder");
    let root = dir.path().join("café au lait");
    std::fs::create_dir(&root).expect("a workspace folder");
    let article = root.join("notes.md");
    std::fs::write(&article, BROKEN).expect("an article");
    let server = Client::spawn(crate::SERVER, &[], &[]);
    let params = json!({
        "processId": null,
        "rootUri": raw_uri(&root),
        "capabilities": { "window": { "workDoneProgress": true } },
        "workspaceFolders": [{ "uri": raw_uri(&root), "name": "café" }],
    });
    let response = server.request_with_id(json!(0), "initialize", params).await;
    assert!(response["result"]["capabilities"].is_object(), "initialize failed: {response}");
    server.notify("initialized", json!({})).await;
    server.wait_scans(1).await;
    assert_eq!(published_codes(&server, &article).await, ["broken-link"]);
    assert!(server.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_opened_under_a_raw_uri_gets_its_diagnostics() {
    let root = tempfile::tempdir().expect("a workspace");
    let mut server = Client::spawn(crate::SERVER, &[], &[]);
    server.initialize_folder(root.path(), Value::Null).await;
    server.wait_scans(1).await;
    let article = root.path().join("carnet de café.md");
    let document =
        json!({ "uri": raw_uri(&article), "languageId": "markdown", "version": 1, "text": BROKEN });
    server.notify("textDocument/didOpen", json!({ "textDocument": document })).await;
    assert_eq!(published_codes(&server, &article).await, ["broken-link"]);
    // A notification that cannot be read at all is dropped, and said so.
    server.notify("textDocument/didOpen", json!({ "textDocument": { "uri": 7 } })).await;
    let hover = server
        .request_with_id(
            json!(1),
            "textDocument/hover",
            json!({
                "textDocument": { "uri": raw_uri(&article) },
                "position": { "line": 6, "character": 4 },
            }),
        )
        .await;
    assert!(
        hover["result"]["contents"]["value"].as_str().is_some_and(|text| text.contains("Broken link")),
        "{hover}"
    );
    assert!(server.log().contains("dropped a `textDocument/didOpen` notification"), "{}", server.log());
    assert!(server.shutdown_and_exit().await);
}
