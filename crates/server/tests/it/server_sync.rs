//! Whole scenarios through the in-process server: document sync, the live
//! index and the diagnostics that follow from them.

use article_test_support as support;

use std::path::Path;

use serde_json::json;
use support::{Client, Options, codes, edit, has_code, no_diagnostics};

use article_core::line_index::PositionEncoding;

const TARGET: &str = "lumenus/how-has-lumenus-evolved-over-the-years.md";
const REFERRER: &str = "lumenus/what-is-the-history-of-the-lumenus-organization.md";
const TARGET_TITLE: &str = "How has Lumenus evolved over the years?";

async fn started(root: &Path) -> Client {
    let client = Client::start(Options::folders(&[root])).await;
    client.wait_scans(1).await;
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspace_diagnostics_appear_without_opening_files() {
    let root = support::workspace(&["lumenus", "broken", "notes"]);
    let client = started(root.path()).await;
    for (file, code) in [("broken/broken-link.md", "broken-link"), ("broken/stale-title.md", "stale-title")] {
        let found = client.wait_diagnostics(&root.path().join(file), has_code(code)).await;
        assert_eq!(codes(&found), [code]);
    }
    let healthy = root.path().join(TARGET);
    assert!(client.publications(&healthy).is_empty(), "healthy files get no publication");
    assert!(client.pull_diagnostics(&healthy).await.is_empty());
    let ended = client.notifications("$/progress");
    assert!(ended.iter().any(|p| p["value"]["kind"] == "begin"), "progress begins");
    assert!(ended.iter().any(|p| p["value"]["kind"] == "report"), "progress reports counts");
    assert!(client.shutdown_and_exit().await, "shutdown then exit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn opening_an_article_publishes_its_diagnostics() {
    let root = support::workspace(&["lumenus", "broken"]);
    let mut options = Options::folders(&[root.path()]);
    options.initialization_options = json!({ "workspaceDiagnostics": false });
    let client = Client::start(options).await;
    client.wait_scans(1).await;
    let broken = root.path().join("broken/broken-link.md");
    client.open(&broken).await;
    let found = client.wait_diagnostics(&broken, has_code("broken-link")).await;
    assert_eq!(codes(&found), ["broken-link"]);
    let publications = client.publications(&broken);
    assert_eq!(publications.last().expect("published")["version"], 1, "{publications:#?}");
    // With workspace diagnostics off, unopened files publish nothing.
    assert!(client.publications(&root.path().join("broken/stale-title.md")).is_empty());
}

/// The Lumenus cluster, scanned, with [`TARGET`] and [`REFERRER`] open.
async fn with_target_and_referrer_open() -> (tempfile::TempDir, Client) {
    let root = support::workspace(&["lumenus"]);
    let client = started(root.path()).await;
    client.open(&root.path().join(TARGET)).await;
    client.open(&root.path().join(REFERRER)).await;
    (root, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_a_target_title_makes_its_referrer_stale_and_undo_clears_it() {
    let (root, client) = with_target_and_referrer_open().await;
    let (target, referrer) = (root.path().join(TARGET), root.path().join(REFERRER));

    let text = std::fs::read_to_string(&target).expect("target");
    let at = text.find(TARGET_TITLE).expect("title in target") + "How has Lumenus ".len();
    let evolved = at..at + "evolved".len();
    client.change(&target, 2, json!([edit(&text, evolved.clone(), "grown", PositionEncoding::Utf16)])).await;
    let stale = client.wait_diagnostics(&referrer, has_code("stale-title")).await;
    assert_eq!(codes(&stale), ["stale-title"]);
    assert!(
        stale[0]["message"].as_str().unwrap_or_default().contains("How has Lumenus grown over the years?")
    );

    let edited = text.replacen("evolved", "grown", 1);
    let grown = at..at + "grown".len();
    client.change(&target, 3, json!([edit(&edited, grown, "evolved", PositionEncoding::Utf16)])).await;
    client.wait_diagnostics(&referrer, no_diagnostics).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_the_missing_target_on_disk_clears_the_broken_link_and_deleting_it_breaks_it_again() {
    let root = support::workspace(&["lumenus", "broken"]);
    let client = started(root.path()).await;
    let referrer = root.path().join("broken/broken-link.md");
    client.wait_diagnostics(&referrer, has_code("broken-link")).await;

    let target = root.path().join("broken/how-has-lumenus-evolved-over-the-decades.md");
    std::fs::write(&target, missing_target()).expect("write target");
    client.file_changed(&target, 1).await;
    client.wait_diagnostics(&referrer, no_diagnostics).await;

    std::fs::remove_file(&target).expect("delete target");
    client.file_changed(&target, 3).await;
    let found = client.wait_diagnostics(&referrer, has_code("broken-link")).await;
    assert_eq!(codes(&found), ["broken-link"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deleting_a_target_breaks_its_referrers() {
    let root = support::workspace(&["lumenus"]);
    let client = started(root.path()).await;
    let target = root.path().join(TARGET);
    std::fs::remove_file(&target).expect("delete");
    client.file_changed(&target, 3).await;
    for referrer in
        [REFERRER, "lumenus/can-you-provide-references-or-sources-for-lumenuss-history-and-services.md"]
    {
        let found = client.wait_diagnostics(&root.path().join(referrer), has_code("broken-link")).await;
        assert_eq!(codes(&found), ["broken-link"]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_file_watcher_registration_the_server_watches_the_disk_itself() {
    let root = support::workspace(&["lumenus", "broken"]);
    let mut options = Options::folders(&[root.path()]);
    options.watch_registration = false;
    let client = Client::start(options).await;
    client.wait_scans(1).await;
    let referrer = root.path().join("broken/broken-link.md");
    client.wait_diagnostics(&referrer, has_code("broken-link")).await;
    assert!(client.server_requests("client/registerCapability").is_empty());

    std::fs::write(root.path().join("broken/decades.md"), missing_target()).expect("write target");
    client.wait_diagnostics(&referrer, no_diagnostics).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_a_document_goes_back_to_the_disk_version() {
    let root = support::workspace(&["lumenus"]);
    let client = started(root.path()).await;
    let (target, referrer) = (root.path().join(TARGET), root.path().join(REFERRER));
    let text = std::fs::read_to_string(&target).expect("target");
    client.open_text(&target, &text.replacen(TARGET_TITLE, "Something else entirely?", 1)).await;
    client.wait_diagnostics(&referrer, has_code("stale-title")).await;
    let params = json!({ "textDocument": { "uri": support::uri(&target) } });
    client.notify("textDocument/didClose", params).await;
    client.wait_diagnostics(&referrer, no_diagnostics).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_rapid_edits_give_the_right_final_text_and_diagnostics() {
    let root = support::workspace(&["lumenus", "broken"]);
    let client = started(root.path()).await;
    let path = root.path().join("broken/stale-title.md");
    let text = std::fs::read_to_string(&path).expect("fixture");
    client.open_text(&path, &text).await;

    let mut editor = Editor { client: &client, path: &path, text, version: 1 };
    // Retype the stale link title char by char: backspaces, then new text.
    let stale = "How has Lumenus changed over the years?";
    let start = editor.text.find(stale).expect("stale title");
    for end in (start..start + stale.len()).rev() {
        editor.edit(end..end + 1, "").await;
    }
    let mut at = start;
    for ch in "How has Lumenus evolved 🦀 over the years? 漢".chars() {
        editor.edit(at..at, ch.encode_utf8(&mut [0; 4])).await;
        at += ch.len_utf8();
    }
    // Then grow YAML comment lines above the link, each char its own edit,
    // so every later line and column shifts, and take some back.
    let mut at = editor.text.find("\nrelated_article1:").expect("link block");
    'typing: loop {
        for ch in "\n# note 🦀 é".chars() {
            if editor.version > 950 {
                break 'typing;
            }
            editor.edit(at..at, ch.encode_utf8(&mut [0; 4])).await;
            at += ch.len_utf8();
        }
    }
    while editor.version <= 1000 {
        let previous = editor.text[..at].chars().next_back().expect("typed text");
        editor.edit(at - previous.len_utf8()..at, "").await;
        at -= previous.len_utf8();
    }
    let (text, last_version) = (editor.text, editor.version);
    assert_eq!(last_version, 1001, "1,000 edits after the open");

    let expected = expected_diagnostics(root.path(), &path, &text);
    let published = client
        .wait_for("the final version's diagnostics", |client| {
            let latest = client.publications(&path).pop()?;
            (latest["version"] == last_version)
                .then(|| latest["diagnostics"].as_array().cloned().unwrap_or_default())
        })
        .await;
    assert_eq!(summarize(&published), expected);
    assert_eq!(summarize(&client.pull_diagnostics(&path).await), expected);
    assert_eq!(expected.iter().map(|(code, _)| code.as_str()).collect::<Vec<_>>(), ["stale-title"]);
}

/// Sends one-edit `didChange`s and keeps the expected text alongside.
struct Editor<'a> {
    client: &'a Client,
    path: &'a Path,
    text: String,
    version: i32,
}

impl Editor<'_> {
    async fn edit(&mut self, range: std::ops::Range<usize>, new: &str) {
        let change = edit(&self.text, range.clone(), new, PositionEncoding::Utf16);
        self.text.replace_range(range, new);
        self.version += 1;
        self.client.change(self.path, self.version, json!([change])).await;
    }
}

/// `(code, [start line, start char, end line, end char])` of each diagnostic.
type Summary = Vec<(String, [u64; 4])>;

fn summarize(diagnostics: &[serde_json::Value]) -> Summary {
    diagnostics
        .iter()
        .map(|d| {
            let r = &d["range"];
            let n = |v: &serde_json::Value| v.as_u64().unwrap_or(u64::MAX);
            let code = d["code"].as_str().unwrap_or_default().to_owned();
            (
                code,
                [
                    n(&r["start"]["line"]),
                    n(&r["start"]["character"]),
                    n(&r["end"]["line"]),
                    n(&r["end"]["character"]),
                ],
            )
        })
        .collect()
}

/// What the core says about `text` at `path` among the workspace's files.
fn expected_diagnostics(root: &Path, path: &Path, text: &str) -> Summary {
    use article_workspace::admission::ScanOptions;
    use article_workspace::files::{Loaded, load_text};
    use article_workspace::walk::{discover, index_files};
    let files = discover(&[root.to_path_buf()], &ScanOptions::default()).expect("listing");
    let mut index = index_files(&files).index;
    let key = article_core::index::FilePath::new(path.to_string_lossy().as_ref());
    let Loaded::Article(article, line_index) = load_text(text) else { panic!("still an article") };
    let file = index.upsert(key, *article, line_index.clone());
    article_core::diagnostics::article_diagnostics(&index, file)
        .into_iter()
        .map(|d| {
            let start = line_index.line_col(d.range.start().into(), PositionEncoding::Utf16);
            let end = line_index.line_col(d.range.end().into(), PositionEncoding::Utf16);
            let at = [start.line, start.col, end.line, end.col].map(u64::from);
            (d.code.as_str().to_owned(), at)
        })
        .collect()
}

/// The article `broken/broken-link.md` links to and that does not exist.
fn missing_target() -> String {
    "---\nid: 87399\ntitle: >-\n    How has Lumenus evolved over the decades?\nsubject: Health Studies\n\
     url: /learn/health-studies/questions/how-has-lumenus-evolved-over-the-decades\n---\n"
        .to_owned()
}

/// The index is never behind the editor: a request sent right after an
/// edit to another open document (long before the debounce ends) answers
/// from the edited text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_right_after_an_edit_elsewhere_sees_the_edit() {
    let (root, client) = with_target_and_referrer_open().await;
    let (target, referrer) = (root.path().join(TARGET), root.path().join(REFERRER));
    let text = std::fs::read_to_string(&target).expect("target");
    let referrer_text = std::fs::read_to_string(&referrer).expect("referrer");
    let link = referrer_text.find("how-has-lumenus-evolved-over-the-years").expect("a link to the target");
    let on_link = json!({
        "textDocument": { "uri": support::uri(&referrer) },
        "position": support::position(&referrer_text, link, PositionEncoding::Utf16),
    });
    for (version, word) in [(2, "grown"), (3, "changed"), (4, "evolved")] {
        let edited = text.replacen("evolved", word, 1);
        let change = json!({
            "textDocument": { "uri": support::uri(&target), "version": version },
            "contentChanges": [{ "text": edited }],
        });
        client.notify("textDocument/didChange", change).await;
        let hover = client.request("textDocument/hover", on_link.clone()).await;
        let shown = hover["result"]["contents"]["value"].as_str().unwrap_or_default();
        let wanted = format!("### How has Lumenus {word} over the years?");
        assert!(shown.starts_with(&wanted), "after the edit to “{word}” the hover shows {shown}");
    }
}
