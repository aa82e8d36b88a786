//! Roots and settings: `article-lsp.toml`, editor settings over it, root
//! finding without workspace folders, folders added and removed.

use article_test_support as support;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};
use support::{Client, Options, codes, has_code, no_diagnostics};

fn severities(diagnostics: &[Value]) -> Vec<u64> {
    diagnostics.iter().filter_map(|d| d["severity"].as_u64()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_file_then_editor_settings_decide_severities() {
    let root = support::workspace(&["lumenus", "broken"]);
    let config =
        "exclude = [\"broken/duplicate-*\"]\n[severity]\nbroken-link = \"off\"\nstale-title = \"hint\"\n";
    std::fs::write(root.path().join("article-lsp.toml"), config).expect("write config");
    let mut options = Options::folders(&[root.path()]);
    options.initialization_options = json!({ "articleLsp": { "severity": { "stale-url": "error" } } });
    let client = Client::start(options).await;
    client.wait_scans(1).await;

    let stale_title = root.path().join("broken/stale-title.md");
    assert_eq!(severities(&client.wait_diagnostics(&stale_title, has_code("stale-title")).await), [4]);
    let stale_url = root.path().join("broken/stale-url.md");
    assert_eq!(severities(&client.wait_diagnostics(&stale_url, has_code("stale-url")).await), [1]);
    assert!(client.pull_diagnostics(&root.path().join("broken/broken-link.md")).await.is_empty());
    // Excluded files are not indexed, so their duplicate partner is alone.
    assert!(client.pull_diagnostics(&root.path().join("broken/duplicate-id-a.md")).await.is_empty());

    let settings = json!({ "settings": { "articleLsp": { "severity": { "stale-title": "off" } } } });
    client.notify("workspace/didChangeConfiguration", settings).await;
    client.wait_diagnostics(&stale_title, no_diagnostics).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn configuration_is_pulled_when_the_notification_carries_none() {
    let root = support::workspace(&["lumenus", "broken"]);
    let client = Client::start(Options::folders(&[root.path()])).await;
    client.wait_scans(1).await;
    let stale_title = root.path().join("broken/stale-title.md");
    client.wait_diagnostics(&stale_title, has_code("stale-title")).await;
    *client.configuration.lock().expect("lock") = json!({ "workspaceDiagnostics": false });
    client.notify("workspace/didChangeConfiguration", json!({ "settings": null })).await;
    client.wait_diagnostics(&stale_title, no_diagnostics).await;
    assert!(!client.server_requests("workspace/configuration").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_settings_file_is_reported_and_the_defaults_used() {
    let root = support::workspace(&["lumenus", "broken"]);
    std::fs::write(root.path().join("article-lsp.toml"), "include = [ unclosed").expect("write config");
    let client = Client::start(Options::folders(&[root.path()])).await;
    client.wait_scans(1).await;
    let message = client
        .wait_for("a message about the settings file", |client| {
            client
                .notifications("window/showMessage")
                .into_iter()
                .find(|m| m["message"].as_str().is_some_and(|text| text.contains("article-lsp.toml")))
        })
        .await;
    assert_eq!(message["type"], 2, "a warning");
    let found =
        client.wait_diagnostics(&root.path().join("broken/broken-link.md"), has_code("broken-link")).await;
    assert_eq!(codes(&found), ["broken-link"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_folders_the_root_is_found_from_the_opened_file() {
    let root = support::workspace(&["lumenus", "broken"]);
    std::fs::create_dir(root.path().join(".git")).expect("mark a repository");
    let client = Client::start(Options::folders(&[])).await;
    client.open(&root.path().join("broken/broken-link.md")).await;
    client.wait_scans(1).await;
    // A file nobody opened, diagnosed because the found root was scanned.
    let found =
        client.wait_diagnostics(&root.path().join("broken/stale-title.md"), has_code("stale-title")).await;
    assert_eq!(codes(&found), ["stale-title"]);
}

/// A server on the Lumenus cluster, scanned, then the broken fixtures'
/// folder added; returns the folder as `didChangeWorkspaceFolders` names it.
async fn cluster_then_broken_folder(
    cluster: &tempfile::TempDir,
    broken: &tempfile::TempDir,
) -> (Client, Value) {
    let client = Client::start(Options::folders(&[cluster.path()])).await;
    client.wait_scans(1).await;
    let folder = json!({ "uri": support::uri(broken.path()), "name": "broken" });
    let added = json!({ "event": { "added": [folder.clone()], "removed": [] } });
    client.notify("workspace/didChangeWorkspaceFolders", added).await;
    (client, folder)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folders_can_be_added_and_removed() {
    let (cluster, broken) = (support::workspace(&["lumenus"]), support::workspace(&["broken"]));
    let (client, folder) = cluster_then_broken_folder(&cluster, &broken).await;
    client.wait_scans(2).await;
    // Links from the new folder resolve into the first one.
    let stale_title = broken.path().join("broken/stale-title.md");
    assert_eq!(codes(&client.wait_diagnostics(&stale_title, has_code("stale-title")).await), ["stale-title"]);

    let removed = json!({ "event": { "added": [], "removed": [folder] } });
    client.notify("workspace/didChangeWorkspaceFolders", removed).await;
    client.wait_diagnostics(&stale_title, no_diagnostics).await;
}

/// An open document stays when its folder is removed, outside every root:
/// it then shows only what the file alone says.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_document_whose_folder_is_removed_drops_its_workspace_claims() {
    let (targets, linkers) = (tempfile::tempdir().expect("a folder"), tempfile::tempdir().expect("a folder"));
    std::fs::write(targets.path().join("target.md"), "---\nid: 1\ntitle: Now\nurl: /t\n---\n")
        .expect("write");
    // The folder holds nothing else: no other file's removal rechecks it.
    let linker = linkers.path().join("linker.md");
    let text = "---\nid: 2\ntitle: L\nurl: /l\nrelated_article1:\n  id: 1\n  title: Then\n  url: /t\n---\n";
    std::fs::write(&linker, text).expect("write");
    let client = Client::start(Options::folders(&[targets.path(), linkers.path()])).await;
    client.wait_scans(2).await;
    // Opened as edited (its stale title longer), so that its own set,
    // versioned, differs from the closed file's.
    client.open_text(&linker, &text.replace("Then", "Then and before")).await;
    client
        .wait_for("the open document's set", |client| {
            let latest = client.publications(&linker).pop()?;
            let shown = latest["diagnostics"].as_array().is_some_and(|set| has_code("stale-title")(set));
            (latest["version"] == 1 && shown).then_some(())
        })
        .await;
    let folder = json!({ "uri": support::uri(linkers.path()), "name": "linkers" });
    let removed = json!({ "event": { "added": [], "removed": [folder] } });
    client.notify("workspace/didChangeWorkspaceFolders", removed).await;
    client.wait_diagnostics(&linker, no_diagnostics).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_removed_while_it_is_scanned_leaves_nothing_behind() {
    let (cluster, broken) = (support::workspace(&["lumenus"]), support::workspace(&["broken"]));
    let (client, folder) = cluster_then_broken_folder(&cluster, &broken).await;
    let removed = json!({ "event": { "added": [], "removed": [folder] } });
    client.notify("workspace/didChangeWorkspaceFolders", removed).await;
    // The scan goes on to its end, but what it read is no longer wanted.
    client.wait_scans(2).await;
    for entry in std::fs::read_dir(broken.path().join("broken")).expect("the fixtures") {
        let path = entry.expect("an entry").path();
        let latest = client.publications(&path).pop();
        let shown = latest.map_or(0, |set| set["diagnostics"].as_array().map_or(0, Vec::len));
        assert_eq!(shown, 0, "diagnostics of {} after its folder was removed", path.display());
    }
    let found = client.request("workspace/symbol", json!({ "query": "lumenus" })).await;
    let root = support::uri(broken.path());
    let symbols = found["result"].as_array().cloned().unwrap_or_default();
    assert!(
        symbols.iter().all(|symbol| !symbol["location"]["uri"].as_str().unwrap_or("").starts_with(&root)),
        "articles of the removed folder are still indexed: {symbols:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_any_root_links_are_not_checked_and_the_writer_is_told_once() {
    let dir = tempfile::tempdir().expect("a folder");
    // Honest only if nothing above the folder could be taken for a root.
    let marked = dir.path().ancestors().any(|folder| {
        folder.join(".git").exists() || folder.join(article_workspace::config::CONFIG_FILE).exists()
    });
    assert!(!marked, "a folder above {} marks a root", dir.path().display());
    let text =
        "---\nid: '41'\ntitle: Loose\nurl: /loose\nrelated_article1:\n  id: 42\n  url: /elsewhere\n---\n";
    let (first, second) = (dir.path().join("loose.md"), dir.path().join("other.md"));
    std::fs::write(&first, text).expect("an article");
    std::fs::write(&second, text.replace("'41'", "43").replace("/loose", "/other")).expect("another");
    let client = Client::start(Options::folders(&[])).await;
    client.open(&first).await;
    client.open(&second).await;
    // What the file alone says is shown; what needs the workspace is not.
    let published = client.wait_diagnostics(&first, has_code("invalid-field")).await;
    assert_eq!(codes(&published), ["invalid-field"]);
    assert_eq!(codes(&client.pull_diagnostics(&first).await), ["invalid-field"]);
    let position = json!({ "line": 5, "character": 8 });
    let params = json!({ "textDocument": { "uri": support::uri(&first) }, "position": position });
    let hover = client.request("textDocument/hover", params).await;
    let shown = hover["result"]["contents"]["value"].as_str().unwrap_or_default().to_owned();
    assert!(shown.starts_with("**Links not checked**"), "{shown}");
    assert!(!shown.contains("Broken link"), "{shown}");
    let told = |client: &support::Inbox| {
        client
            .notifications("window/showMessage")
            .into_iter()
            .filter(|m| {
                m["message"].as_str().is_some_and(|text| text.contains("outside every workspace folder"))
            })
            .count()
    };
    client.wait_for("the message", |client| (told(client) > 0).then_some(())).await;
    assert_eq!(codes(&client.pull_diagnostics(&second).await), Vec::<String>::new());
    assert!(client.publications(&second).is_empty(), "nothing to say of the second file");
    assert_eq!(told(&client.inbox()), 1, "told once, not per file");
}

/// A root whose scan ends while another's runs: the upkeep a scan's end
/// asks for (rebuilding the map of broken links) waits for the last scan,
/// and the loop waits with it rather than turn over, round after round,
/// finding it not due yet.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scan_ending_before_another_leaves_the_loop_idle_meanwhile() {
    let small = support::workspace(&["lumenus"]);
    let big = tempfile::tempdir().expect("a folder");
    let corpus = support::corpus::generate(support::corpus::CorpusSpec::new(3_000, 1));
    for at in 0..corpus.len() {
        let (path, text) = support::corpus::render(&corpus, at);
        let path = big.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a subject folder")).expect("a folder");
        std::fs::write(path, text).expect("an article");
    }
    let rounds = Arc::new(AtomicU64::new(0));
    let mut options = Options::folders(&[small.path(), big.path()]);
    options.rounds = Some(rounds.clone());
    let client = Client::start(options).await;
    client.wait_scans(2).await;
    // A few dozen: the big scan's batches and the rounds of their checks.
    // Turning over while it ran took thousands.
    let taken = rounds.load(Ordering::Relaxed);
    assert!(taken < 300, "{taken} rounds for two scans");
}
