//! Protocol abuse over the real binary's stdio: broken frames, wrong
//! params, requests out of order, floods and cancel storms each get the
//! JSON-RPC or LSP error the specifications name, and the server goes on
//! serving.

use article_test_support as support;

use std::path::Path;
use std::time::{Duration, Instant};

use article_test_support::{Client, frame, frame_json};
use serde_json::{Value, json};

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const SERVER_NOT_INITIALIZED: i64 = -32002;
const REQUEST_CANCELLED: i64 = -32800;

const ARTICLE: &str = "lumenus/how-has-lumenus-evolved-over-the-years.md";
const TITLE: &str = "How has Lumenus evolved over the years?";

fn code(response: &Value) -> i64 {
    response["error"]["code"].as_i64().unwrap_or_else(|| panic!("an error response: {response}"))
}

/// A server over a copy of the Lumenus cluster, initialized and scanned.
async fn serving() -> (tempfile::TempDir, Client) {
    let root = support::workspace(&["lumenus"]);
    let mut server = Client::spawn(crate::SERVER, &[], &[]);
    server.initialize_folder(root.path(), Value::Null).await;
    server.wait_scans(1).await;
    (root, server)
}

async fn symbol_query(server: &Client, id: i64) -> Value {
    server.request_with_id(json!(id), "workspace/symbol", json!({ "query": "evolved" })).await
}

/// The server still answers, and rightly: the article is found by a word
/// of its title.
async fn assert_serving(server: &Client, id: i64) {
    let found = symbol_query(server, id).await;
    let names: Vec<&str> =
        found["result"].as_array().into_iter().flatten().filter_map(|s| s["name"].as_str()).collect();
    assert_eq!(names, [TITLE], "{found}");
}

fn document(root: &Path) -> Value {
    json!({ "uri": support::uri(&root.join(ARTICLE)) })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_before_initialize_are_refused_and_initialize_still_works() {
    let root = support::workspace(&["lumenus"]);
    let mut server = Client::spawn(crate::SERVER, &[], &[]);
    let early = server.request_with_id(json!(1), "workspace/symbol", json!({ "query": "x" })).await;
    assert_eq!(code(&early), SERVER_NOT_INITIALIZED, "{early}");
    let unknown = server.request_with_id(json!(2), "articleLsp/noSuchMethod", json!({})).await;
    assert_eq!(code(&unknown), SERVER_NOT_INITIALIZED, "{unknown}");
    let shutdown = server.request_with_id(json!(3), "shutdown", Value::Null).await;
    assert_eq!(code(&shutdown), SERVER_NOT_INITIALIZED, "{shutdown}");
    // Notifications before `initialize` are dropped, as the spec says.
    server.notify("textDocument/didOpen", json!({ "textDocument": { "uri": "file:///early.md", "languageId": "markdown", "version": 1, "text": "---\nid: 1\n---\n" } })).await;
    // Broken frames are answered even now.
    server.write_raw(&frame(b"{ not json")).await;
    assert_eq!(code(&server.null_id_response(0).await), PARSE_ERROR);

    server.initialize_folder(root.path(), Value::Null).await;
    server.wait_scans(1).await;
    let again = server.request_with_id(json!(4), "initialize", json!({ "capabilities": {} })).await;
    assert_eq!(code(&again), INVALID_REQUEST, "a second initialize: {again}");
    assert_serving(&server, 5).await;
    assert!(server.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_frames_get_parse_or_invalid_request_errors_and_the_server_goes_on() {
    let (_root, server) = serving().await;
    let mut null_ids = 0;
    async fn refused(server: &Client, null_ids: &mut usize, bytes: Vec<u8>, expected: i64) {
        server.write_raw(&bytes).await;
        let response = server.null_id_response(*null_ids).await;
        *null_ids += 1;
        assert_eq!(code(&response), expected, "{response}");
    }
    refused(&server, &mut null_ids, frame(b"{ this is not json"), PARSE_ERROR).await;
    refused(&server, &mut null_ids, frame(&[0xff, 0xfe, 0x00, 0x7b]), PARSE_ERROR).await;
    refused(&server, &mut null_ids, b"Content-Type: application/json\r\n\r\n".to_vec(), PARSE_ERROR).await;
    refused(&server, &mut null_ids, b"Content-Length: twelve\r\n\r\n".to_vec(), PARSE_ERROR).await;
    refused(
        &server,
        &mut null_ids,
        frame(br#"[{"jsonrpc":"2.0","id":1,"method":"shutdown"}]"#),
        INVALID_REQUEST,
    )
    .await;
    refused(
        &server,
        &mut null_ids,
        frame(br#"{"jsonrpc":"2.0","id":1.5,"method":"workspace/symbol"}"#),
        INVALID_REQUEST,
    )
    .await;
    refused(&server, &mut null_ids, frame(b"42"), INVALID_REQUEST).await;
    assert_serving(&server, 1).await;

    // Invalid requests whose id can be read are answered under it.
    for (id, body) in [
        (10, r#"{"jsonrpc":"2.0","id":10}"#),
        (11, r#"{"jsonrpc":"1.0","id":11,"method":"workspace/symbol","params":{"query":"x"}}"#),
        (12, r#"{"jsonrpc":"2.0","id":12,"method":7}"#),
        (13, r#"{"jsonrpc":"2.0","id":13,"method":""}"#),
    ] {
        server.write_raw(&frame(body.as_bytes())).await;
        let response = server.response(&json!(id)).await;
        assert_eq!(code(&response), INVALID_REQUEST, "{body}: {response}");
    }
    // A response to nothing the server asked needs no answer, and gets none.
    server.write_raw(&frame(br#"{"jsonrpc":"2.0","id":"never asked","result":null}"#)).await;
    // A frame cut short by a blank line, and stray blank lines, are skipped.
    server.write_raw(b"\r\n\r\n").await;
    assert_serving(&server, 2).await;
    assert!(server.log().contains("refused a message"), "each refusal is logged: {}", server.log());
    assert!(server.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_param_types_get_invalid_params_and_unknown_methods_method_not_found() {
    let (root, server) = serving().await;
    let position = json!({ "line": 0, "character": 0 });
    let wrong = [
        ("textDocument/hover", json!({ "textDocument": 5, "position": position })),
        ("textDocument/definition", json!({ "textDocument": document(root.path()), "position": "top" })),
        ("textDocument/completion", json!([1, 2, 3])),
        ("workspace/symbol", json!({ "query": ["evolved"] })),
        ("textDocument/rename", json!({ "textDocument": document(root.path()), "position": position })),
        ("textDocument/documentSymbol", Value::Null),
    ];
    for (n, (method, params)) in wrong.into_iter().enumerate() {
        let response = server.request_with_id(json!(100 + n as i64), method, params).await;
        assert_eq!(code(&response), INVALID_PARAMS, "{method}: {response}");
    }
    // Notifications with wrong params have nobody to answer: they are logged.
    server.notify("textDocument/didOpen", json!({ "textDocument": [] })).await;
    server
        .notify(
            "textDocument/didChange",
            json!({ "textDocument": document(root.path()), "contentChanges": 3 }),
        )
        .await;
    server.notify("$/cancelRequest", json!({ "id": [1] })).await;

    for (n, method) in
        ["articleLsp/noSuchMethod", "textDocument/noSuchFeature", "$/noSuchRequest"].iter().enumerate()
    {
        let response = server.request_with_id(json!(200 + n as i64), method, json!({})).await;
        assert_eq!(code(&response), METHOD_NOT_FOUND, "{method}: {response}");
    }
    // Unknown `$/` notifications may be ignored, and are.
    server.notify("$/noSuchNotification", json!({})).await;
    assert_serving(&server, 300).await;
    assert!(server.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_edit_with_a_stale_version_is_ignored() {
    let (root, server) = serving().await;
    let uri = support::uri(&root.path().join(ARTICLE));
    let text = |title: &str| format!("---\nid: 1\ntitle: {title}\nurl: /learn/x/questions/one\n---\n");
    let open = json!({ "uri": uri, "languageId": "markdown", "version": 5, "text": text("Version five") });
    server.notify("textDocument/didOpen", json!({ "textDocument": open })).await;
    let change = |version: i32, title: &str| json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text(title) }] });
    server.notify("textDocument/didChange", change(6, "Version six")).await;
    server.notify("textDocument/didChange", change(3, "Stale three")).await;
    server.notify("textDocument/didChange", change(6, "Stale six again")).await;
    let outline = server
        .request_with_id(json!(1), "textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }))
        .await;
    assert_eq!(outline["result"][0]["name"], "Version six", "{outline}");
    assert!(server.log().contains("not after 6: ignored"), "the refusal is logged: {}", server.log());
    server.notify("textDocument/didChange", change(7, "Version seven")).await;
    let outline = server
        .request_with_id(json!(2), "textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } }))
        .await;
    assert_eq!(outline["result"][0]["name"], "Version seven", "{outline}");
    assert!(server.shutdown_and_exit().await);
}

/// A small open article linking into the cluster: floods work on it, so
/// that they measure the protocol's path more than YAML parsing in a debug
/// build.
const FLOOD: &str = "flood.md";
const FLOOD_TEXT: &str = "---\nid: 1\ntitle: Flood\nurl: /learn/x/questions/flood\nrelated_article1:\n  id: 87377\n  url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years\n---\n";

/// A scanned server with the flood document open, and its identifier.
async fn flood_session() -> (tempfile::TempDir, Client, Value) {
    let (root, server) = serving().await;
    let uri = support::uri(&root.path().join(FLOOD));
    let document = json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": FLOOD_TEXT });
    server.notify("textDocument/didOpen", json!({ "textDocument": document })).await;
    (root, server, json!({ "uri": uri }))
}

/// Requests of several kinds on the flood document, to flood with.
fn mixed_request(document: &Value, id: i64) -> Value {
    // Line 5 is the link's `id: 87377`; line 1 the article's own id.
    let on_link = json!({ "textDocument": document, "position": { "line": 5, "character": 7 } });
    let (method, params) = match id % 5 {
        0 => ("workspace/symbol", json!({ "query": "evolved" })),
        1 => ("textDocument/definition", on_link),
        2 => ("textDocument/documentSymbol", json!({ "textDocument": document })),
        3 => ("textDocument/documentLink", json!({ "textDocument": document })),
        _ => ("textDocument/references", {
            let mut params = json!({ "textDocument": document, "position": { "line": 1, "character": 4 } });
            params["context"] = json!({ "includeDeclaration": true });
            params
        }),
    };
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_requests_sent_without_waiting_are_all_answered() {
    let (_root, server, document) = flood_session().await;
    const COUNT: i64 = 10_000;
    let ids = 1000..1000 + COUNT;
    let started = Instant::now();
    let mut batch = Vec::new();
    for id in ids.clone() {
        batch.extend(frame_json(&mixed_request(&document, id)));
    }
    server.write_raw(&batch).await;
    // About 5 s in a debug build on 2 cores; release is many times faster.
    server.wait_answered(ids.clone(), Duration::from_secs(30)).await;
    let took = started.elapsed();
    eprintln!("{COUNT} pipelined requests answered in {took:?}");
    for id in ids {
        let response = server.response(&json!(id)).await;
        assert!(response.get("error").is_none(), "{response}");
        // Each kind finds what it is asked for: a location or a list.
        let result = &response["result"];
        assert!(result.is_object() || result.as_array().is_some_and(|found| !found.is_empty()), "{response}");
    }
    assert_serving(&server, 1).await;
    assert!(server.shutdown_and_exit().await);
}

/// A writer types faster than the server answers: edits and requests go
/// out back to back, never waiting. Every request answers from the text as
/// the edits sent before it left it, never an older or a newer one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pipelined_requests_see_exactly_the_edits_sent_before_them() {
    let (_root, server, document) = flood_session().await;
    let targets = [
        (87377, "how-has-lumenus-evolved-over-the-years", "How has Lumenus evolved over the years?"),
        (
            87384,
            "does-lumenus-collaborate-with-other-organizations-for-community-support",
            "Does Lumenus collaborate with other organizations for community support?",
        ),
    ];
    const ROUNDS: i64 = 200;
    let (definitions, hovers) = (10_000..10_000 + ROUNDS, 20_000..20_000 + ROUNDS);
    let mut stream = Vec::new();
    for round in 0..ROUNDS {
        let (id, slug, _) = targets[round as usize % 2];
        let link = format!("  id: {id}\n  url: /learn/health-studies/questions/{slug}\n");
        // Whole texts and ranged edits of the link's two lines, in turn.
        let edit = if round % 4 < 2 {
            let text = format!(
                "---\nid: 1\ntitle: Flood\nurl: /learn/x/questions/flood\nrelated_article1:\n{link}---\n"
            );
            json!({ "text": text })
        } else {
            let lines =
                json!({ "start": { "line": 5, "character": 0 }, "end": { "line": 7, "character": 0 } });
            json!({ "range": lines, "text": link })
        };
        let change = json!({
            "textDocument": { "uri": document["uri"], "version": round + 2 },
            "contentChanges": [edit],
        });
        stream.extend(frame_json(
            &json!({ "jsonrpc": "2.0", "method": "textDocument/didChange", "params": change }),
        ));
        // Line 5 is the link's `id:` value.
        let at = json!({ "textDocument": document, "position": { "line": 5, "character": 7 } });
        for (request, method) in [
            (definitions.start + round, "textDocument/definition"),
            (hovers.start + round, "textDocument/hover"),
        ] {
            stream.extend(frame_json(
                &json!({ "jsonrpc": "2.0", "id": request, "method": method, "params": at }),
            ));
        }
    }
    server.write_raw(&stream).await;
    server.wait_answered(definitions.clone(), Duration::from_secs(30)).await;
    server.wait_answered(hovers.clone(), Duration::from_secs(30)).await;
    for round in 0..ROUNDS {
        let (_, slug, title) = targets[round as usize % 2];
        let definition = server.response(&json!(definitions.start + round)).await;
        let found = &definition["result"];
        let location = if found.is_array() { &found[0] } else { found };
        let uri = location["uri"].as_str().or(location["targetUri"].as_str()).unwrap_or_default();
        assert!(
            uri.ends_with(&format!("/{slug}.md")),
            "round {round}: definition went to {definition}\n{}",
            server.log()
        );
        let hover = server.response(&json!(hovers.start + round)).await;
        let markdown = hover["result"]["contents"]["value"].as_str().unwrap_or_default();
        assert!(markdown.contains(title), "round {round}: hover shows {hover}");
    }
    assert!(server.shutdown_and_exit().await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_storms_leave_every_request_answered_or_cancelled() {
    let (_root, server, document) = flood_session().await;
    const COUNT: i64 = 2_000;
    let ids = 5000..5000 + COUNT;
    let cancel = |id: Value| {
        frame_json(&json!({ "jsonrpc": "2.0", "method": "$/cancelRequest", "params": { "id": id } }))
    };
    let mut storm = Vec::new();
    // Cancels for ids nobody used, before, among and after the requests.
    for unknown in 0..500 {
        storm.extend(cancel(json!(900_000 + unknown)));
    }
    for id in ids.clone() {
        // Pull diagnostics run on a blocking thread: those are in flight
        // when their cancel arrives, the others mostly done already.
        let request = match id % 2 {
            0 => {
                json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/diagnostic", "params": { "textDocument": document } })
            }
            _ => mixed_request(&document, id),
        };
        storm.extend(frame_json(&request));
        storm.extend(cancel(json!(id)));
        storm.extend(cancel(json!(format!("text {id}"))));
    }
    for id in ids.clone() {
        storm.extend(cancel(json!(id)));
    }
    server.write_raw(&storm).await;
    server.wait_answered(ids.clone(), Duration::from_secs(30)).await;
    let mut cancelled = 0;
    for id in ids {
        let response = server.response(&json!(id)).await;
        match response.get("error") {
            None => assert!(response.get("result").is_some(), "{response}"),
            Some(_) => {
                assert_eq!(code(&response), REQUEST_CANCELLED, "{response}");
                cancelled += 1;
            }
        }
    }
    eprintln!("{cancelled} of {COUNT} requests cancelled");
    assert!(cancelled > 0, "requests in flight when their cancel arrives are cancelled");
    assert_eq!(server.inbox().null_id_responses(), 0, "no cancel was refused as a message");
    assert_serving(&server, 1).await;
    assert!(server.shutdown_and_exit().await);
}
