//! Bad input never takes the server down: it answers the next request.

use article_test_support as support;

use std::path::Path;

use serde_json::{Value, json};
use support::{Client, Options, codes, has_code};

async fn started(root: &Path) -> Client {
    let client = Client::start(Options::folders(&[root])).await;
    client.wait_scans(1).await;
    client
}

/// The server still answers, and with the right diagnostics.
async fn assert_alive(client: &Client, root: &Path) {
    let found = client.pull_diagnostics(&root.join("broken/broken-link.md")).await;
    assert_eq!(codes(&found), ["broken-link"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_messages_and_params_get_errors() {
    let root = support::workspace(&["lumenus", "broken"]);
    let client = started(root.path()).await;

    let bad_params = client.request("textDocument/diagnostic", json!({ "textDocument": 5 })).await;
    assert_eq!(bad_params["error"]["code"], -32602, "{bad_params}");
    let unknown = client.request("articleLsp/noSuchMethod", json!({})).await;
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    client.send_raw("{ this is not json").await;
    let not_a_message = client.request_raw(r#"{"jsonrpc":"2.0","id":4242,"params":1}"#, 4242).await;
    assert_eq!(not_a_message["error"]["code"], -32600, "an invalid request: {not_a_message}");
    client
        .send_raw(r#"{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{"textDocument":[]}}"#)
        .await;
    client.notify("textDocument/didChange", json!({ "nonsense": true })).await;
    client
        .notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": "not a uri", "type": 9 }] }))
        .await;
    assert_alive(&client, root.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_documents_and_positions_past_the_end_are_handled() {
    let root = support::workspace(&["lumenus", "broken"]);
    let client = started(root.path()).await;

    let never_opened = root.path().join("broken/stale-title.md");
    client.change(&never_opened, 7, json!([{ "text": "replaced" }])).await;
    client
        .notify("textDocument/didClose", json!({ "textDocument": { "uri": support::uri(&never_opened) } }))
        .await;
    assert!(client.pull_diagnostics(Path::new("/nowhere/at/all.md")).await.is_empty());
    let untitled = client
        .request("textDocument/diagnostic", json!({ "textDocument": { "uri": "untitled:Untitled-1" } }))
        .await;
    assert_eq!(untitled["result"]["items"], json!([]));
    // The never-opened document was not changed by the edit sent for it.
    let found = client.wait_diagnostics(&never_opened, has_code("stale-title")).await;
    assert_eq!(codes(&found), ["stale-title"]);

    client.open(&never_opened).await;
    // Line 28 is the stale link title; a column far past its end clamps to it.
    let past_the_line =
        json!({ "start": { "line": 28, "character": 999 }, "end": { "line": 28, "character": 1999 } });
    let past_the_file =
        json!({ "start": { "line": 999, "character": 5 }, "end": { "line": 1000, "character": 0 } });
    let changes =
        json!([{ "range": past_the_line, "text": " Yes" }, { "range": past_the_file, "text": "\ntail" }]);
    client.change(&never_opened, 2, changes).await;
    // A stale version is refused, not applied.
    client.change(&never_opened, 2, json!([{ "text": "---\nid: [\n" }])).await;
    let found = client
        .wait_diagnostics(&never_opened, |d: &[Value]| {
            d.len() == 1 && d[0]["range"]["end"]["character"] == 8 + 39 + 4
        })
        .await;
    assert_eq!(codes(&found), ["stale-title"]);
    assert_alive(&client, root.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_non_utf8_and_huge_files_on_disk_are_survived() {
    let root = support::workspace(&["lumenus", "broken"]);
    let binary = root.path().join("broken/binary.md");
    std::fs::write(&binary, [0u8, 159, 146, 150, 0xff, 0xfe, b'-', b'-', b'-', b'\n', 0]).expect("write");
    let latin1 = root.path().join("broken/latin1.md");
    std::fs::write(&latin1, b"---\nid: 99100\ntitle: caf\xe9\n---\n").expect("write");
    // 50 MB: an article whose link is broken, then a long body.
    let huge = root.path().join("broken/huge.md");
    let mut text = String::from(
        "---\nid: 99101\ntitle: Huge\nurl: /learn/health-studies/questions/huge\nrelated_article1:\n  id: 1\n  url: /nowhere\n---\n",
    );
    let line = "a line of body text that goes on for a while 🦀\n";
    text.push_str(&line.repeat(50 * 1024 * 1024 / line.len()));
    std::fs::write(&huge, &text).expect("write");
    drop(text);

    let client = started(root.path()).await;
    let found = client.wait_diagnostics(&huge, has_code("broken-link")).await;
    assert_eq!(codes(&found), ["broken-link"]);
    assert!(client.pull_diagnostics(&binary).await.is_empty());
    assert!(client.pull_diagnostics(&latin1).await.is_empty());
    client.file_changed(&binary, 2).await;
    client.file_changed(&latin1, 2).await;
    assert_alive(&client, root.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_and_exit_follow_the_spec() {
    let root = support::workspace(&["lumenus"]);
    let mut client = started(root.path()).await;
    let response = client.request("shutdown", Value::Null).await;
    assert_eq!(response["result"], Value::Null, "{response}");
    let after =
        client.request("textDocument/diagnostic", json!({ "textDocument": { "uri": "file:///a.md" } })).await;
    assert_eq!(after["error"]["code"], -32600, "requests after shutdown are invalid: {after}");
    client.notify("exit", Value::Null).await;
    assert!(client.wait_exit().await, "exit after shutdown is a clean exit");

    let mut client = Client::start(Options::folders(&[root.path()])).await;
    client.notify("exit", Value::Null).await;
    assert!(!client.wait_exit().await, "exit without shutdown is not");
}
