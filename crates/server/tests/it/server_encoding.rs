//! Position encodings: negotiated at `initialize`, used for every range in
//! and out, on a line where emoji and CJK make the encodings differ.

use article_test_support as support;

use serde_json::{Value, json};
use support::{Client, Options, has_code, no_diagnostics};

/// `related_article1: {title: "` is 27 ASCII bytes; the title then starts
/// with a 4-byte emoji (2 UTF-16 units) and a 3-byte CJK char (1 unit).
const LINK: &str = "related_article1: {title: \"🦀漢 How has Lumenus changed over the years?\", id: 87377, \
                    subject: Health Studies, url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-years}";
const LINK_LINE: u32 = 4;

fn article() -> String {
    format!(
        "---\nid: 99001\ntitle: Encodings\nurl: /learn/health-studies/questions/encodings\n{LINK}\n---\nBody 🦀\n"
    )
}

fn range(line: u32, start: u32, end: u32) -> Value {
    json!({ "start": { "line": line, "character": start }, "end": { "line": line, "character": end } })
}

/// Opens the article, checks the stale title's range in `encoding` units,
/// then fixes the title with edits whose columns lie after the emoji.
async fn check(offered: &[&'static str], negotiated: &str, emoji_width: u32, cjk_width: u32) {
    let root = support::workspace(&["lumenus"]);
    let mut options = Options::folders(&[root.path()]);
    options.position_encodings = offered.to_vec();
    let client = Client::start(options).await;
    assert_eq!(client.initialize_result["capabilities"]["positionEncoding"], negotiated);
    client.wait_scans(1).await;

    let path = root.path().join("lumenus/encodings.md");
    client.open_text(&path, &article()).await;
    let found = client.wait_diagnostics(&path, has_code("stale-title")).await;
    let prefix = emoji_width + cjk_width + 1;
    let title_end = 27 + prefix + 39;
    assert_eq!(found[0]["range"], range(LINK_LINE, 27, title_end), "stale title range in {negotiated}");

    let changed = 27 + prefix + "How has Lumenus ".len() as u32;
    let changes = json!([
        { "range": range(LINK_LINE, changed, changed + 7), "text": "evolved" },
        { "range": range(LINK_LINE, 27, 27 + prefix), "text": "" },
    ]);
    client.change(&path, 2, changes).await;
    client.wait_diagnostics(&path, no_diagnostics).await;
    assert!(client.pull_diagnostics(&path).await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf8_when_the_client_offers_it() {
    check(&["utf-16", "utf-8"], "utf-8", 4, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf16_by_default() {
    check(&[], "utf-16", 2, 1).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn utf16_when_the_client_offers_only_utf32() {
    check(&["utf-32"], "utf-16", 2, 1).await;
}
