//! One admission rule: a file the scan would not read (gitignored, hidden,
//! under `node_modules/`, excluded) never enters the index by a watched-file
//! event, a folder event or a document closed in the editor; folders moved
//! or deleted as one event take their articles along; our own watcher sees
//! new folders, and folders past the system's watch limit are polled.

use article_test_support as support;

use std::path::Path;

use serde_json::{Value, json};
use support::{Client, Options, codes, has_code, no_diagnostics};

fn article(id: u32, title: &str, link: Option<u32>) -> String {
    let mut text = format!("---\nid: {id}\ntitle: {title}\nurl: /learn/s/questions/q{id}\n");
    if let Some(link) = link {
        text += &format!("related_article1:\n  id: {link}\n  url: /learn/s/questions/q{link}\n");
    }
    text + "---\n"
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
    std::fs::write(path, text).expect("a file");
}

/// A repository with one article (`real.md`, id 5) and a referrer of
/// `sub/target.md` (id 7), gitignoring `drafts/`.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a workspace");
    let root = dir.path();
    std::fs::create_dir(root.join(".git")).expect("a repository");
    write(root, ".gitignore", "drafts/\nignored.md\n");
    write(root, "real.md", &article(5, "Real", None));
    write(root, "referrer.md", &article(6, "Referrer", Some(7)));
    write(root, "sub/target.md", &article(7, "Target", None));
    dir
}

/// Sends watched-file events (`kind`: 1 created, 2 changed, 3 deleted) in
/// one notification, as a client's watcher batches them.
async fn events(client: &Client, root: &Path, changes: &[(&str, u8)]) {
    let changes: Vec<Value> = changes
        .iter()
        .map(|(relative, kind)| json!({ "uri": support::uri(&root.join(relative)), "type": kind }))
        .collect();
    client.notify("workspace/didChangeWatchedFiles", json!({ "changes": changes })).await;
}

/// Waits until an admitted marker file created after `changes` has its
/// diagnostics: the events before it have then been applied.
async fn events_then_marker(client: &Client, root: &Path, changes: &[(&str, u8)]) {
    write(root, "marker.md", &article(99, "Marker", Some(12_345)));
    let mut changes = changes.to_vec();
    changes.push(("marker.md", 1));
    events(client, root, &changes).await;
    client.wait_diagnostics(&root.join("marker.md"), has_code("broken-link")).await;
}

fn ever_claimed(client: &Client, path: &Path, code: &str) -> bool {
    client
        .publications(path)
        .iter()
        .any(|p| codes(p["diagnostics"].as_array().expect("a set")).iter().any(|c| c == code))
}

async fn start(root: &Path) -> Client {
    let client = Client::start(Options::folders(&[root])).await;
    client.wait_scans(1).await;
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_the_scan_skips_stay_out_when_touched_on_disk() {
    let dir = repository();
    let root = dir.path();
    let client = start(root).await;
    for copy in ["drafts/copy.md", ".copy.md", "ignored.md", "node_modules/pkg/copy.md", ".hidden/copy.md"] {
        write(root, copy, &article(5, "Copy", None));
    }
    let touched = [
        ("drafts/copy.md", 1),
        (".copy.md", 1),
        ("ignored.md", 2),
        ("node_modules/pkg/copy.md", 1),
        (".hidden/copy.md", 1),
        ("drafts", 1),
        (".hidden", 1),
        ("node_modules", 1),
    ];
    events_then_marker(&client, root, &touched).await;
    assert!(!ever_claimed(&client, &root.join("real.md"), "duplicate-id"));
    assert!(client.publications(&root.join("drafts/copy.md")).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_closed_in_the_editor_leaves_the_index_when_the_scan_would_skip_it() {
    let dir = repository();
    let root = dir.path();
    write(root, "drafts/copy.md", &article(5, "Copy", None));
    write(root, ".copy.md", &article(5, "Copy", None));
    let client = start(root).await;
    for copy in ["drafts/copy.md", ".copy.md"] {
        let path = root.join(copy);
        client.open(&path).await;
        // While open, the editor's text is part of the workspace.
        client.wait_diagnostics(&path, has_code("duplicate-id")).await;
        client
            .notify("textDocument/didClose", json!({ "textDocument": { "uri": support::uri(&path) } }))
            .await;
        client.wait_diagnostics(&path, no_diagnostics).await;
    }
    client.wait_diagnostics(&root.join("real.md"), no_diagnostics).await;
    events_then_marker(&client, root, &[]).await;
    let latest = client.publications(&root.join("real.md")).pop().expect("real.md was published");
    assert_eq!(latest["diagnostics"], json!([]), "real.md has no duplicate once the copies are closed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_moved_where_the_scan_does_not_look_takes_its_articles_along() {
    for destination in ["node_modules/sub", ".archive/sub", "drafts/sub"] {
        let dir = repository();
        let root = dir.path();
        let client = start(root).await;
        let referrer = root.join("referrer.md");
        assert_eq!(codes(&client.pull_diagnostics(&referrer).await), Vec::<String>::new());
        std::fs::create_dir_all(root.join(destination).parent().expect("a parent")).expect("folders");
        std::fs::rename(root.join("sub"), root.join(destination)).expect("move the folder");
        // A client's watcher reports a moved folder as two folder events.
        events(&client, root, &[("sub", 3), (destination, 1)]).await;
        client.wait_diagnostics(&referrer, has_code("broken-link")).await;
        assert_eq!(codes(&client.pull_diagnostics(&referrer).await), ["broken-link"], "{destination}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_deleted_as_one_event_takes_its_articles_and_their_diagnostics_along() {
    let dir = repository();
    let root = dir.path();
    write(root, "sub/deep/stale.md", &article(8, "Stale", Some(7)));
    std::fs::write(root.join("sub/deep/stale.md"), article(8, "Stale", Some(4_040))).expect("a broken link");
    let client = start(root).await;
    let stale = root.join("sub/deep/stale.md");
    client.wait_diagnostics(&stale, has_code("broken-link")).await;
    // The folder watcher the client is asked for sees folders: anything
    // created or deleted, whatever its name.
    let registrations = client.server_requests("client/registerCapability");
    let watchers = &registrations[0]["registrations"][0]["registerOptions"]["watchers"];
    let any_name = watchers.as_array().expect("watchers").iter().find(|w| w["globPattern"] == "**/*");
    assert_eq!(any_name.expect("a watcher for every name")["kind"], 1 | 4, "{watchers}");

    std::fs::remove_dir_all(root.join("sub")).expect("delete the folder");
    events(&client, root, &[("sub", 3)]).await;
    client.wait_diagnostics(&root.join("referrer.md"), has_code("broken-link")).await;
    client.wait_diagnostics(&stale, no_diagnostics).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_changed_gitignore_rescans_the_root_by_its_new_rules() {
    let dir = repository();
    let root = dir.path();
    let client = start(root).await;
    std::fs::write(root.join(".gitignore"), "drafts/\nignored.md\nsub/\n").expect("ignore sub/");
    events(&client, root, &[(".gitignore", 2)]).await;
    client.wait_diagnostics(&root.join("referrer.md"), has_code("broken-link")).await;
    std::fs::write(root.join(".gitignore"), "drafts/\n").expect("let sub/ in again");
    events(&client, root, &[(".gitignore", 2)]).await;
    client.wait_diagnostics(&root.join("referrer.md"), no_diagnostics).await;
}

fn own_watcher(root: &Path, limit: Option<usize>) -> Options {
    let mut options = Options::folders(&[root]);
    options.watch_registration = false;
    options.watch_limit = limit;
    options
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_own_watcher_sees_new_folders_and_what_is_written_in_them() {
    let dir = repository();
    let root = dir.path();
    let client = Client::start(own_watcher(root, None)).await;
    client.wait_scans(1).await;
    assert!(client.server_requests("client/registerCapability").is_empty());
    // A new folder, then at once an article in it (before its watch may
    // be in place), then a second one well after.
    write(root, "new/first.md", &article(20, "First", Some(4_041)));
    client.wait_diagnostics(&root.join("new/first.md"), has_code("broken-link")).await;
    write(root, "new/deeper/second.md", &article(21, "Second", Some(4_042)));
    client.wait_diagnostics(&root.join("new/deeper/second.md"), has_code("broken-link")).await;
    // Nothing the scan skips comes in through our watcher either.
    write(root, "node_modules/pkg/copy.md", &article(5, "Copy", None));
    write(root, "drafts/copy.md", &article(5, "Copy", None));
    write(root, "new/third.md", &article(22, "Third", Some(4_043)));
    client.wait_diagnostics(&root.join("new/third.md"), has_code("broken-link")).await;
    assert!(!ever_claimed(&client, &root.join("real.md"), "duplicate-id"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn folders_past_the_watch_limit_are_polled_and_the_writer_is_told_once() {
    let dir = repository();
    let root = dir.path();
    write(root, "other/a.md", &article(30, "A", None));
    let client = Client::start(own_watcher(root, Some(1))).await;
    client.wait_scans(1).await;
    let warning = client
        .wait_for("a message about the watch limit", |client| {
            client
                .notifications("window/showMessage")
                .into_iter()
                .find(|m| m["message"].as_str().is_some_and(|text| text.contains("max_user_watches")))
        })
        .await;
    assert_eq!(warning["type"], 2, "a warning");
    // `sub/` is past the limit: its changes are still seen, by polling.
    std::fs::write(root.join("sub/target.md"), article(70, "Target", None)).expect("change the target");
    client.wait_diagnostics(&root.join("referrer.md"), has_code("broken-link")).await;
    write(root, "other/b.md", &article(31, "B", Some(4_044)));
    client.wait_diagnostics(&root.join("other/b.md"), has_code("broken-link")).await;
    let warnings = client
        .notifications("window/showMessage")
        .iter()
        .filter(|m| m["message"].as_str().is_some_and(|text| text.contains("max_user_watches")))
        .count();
    assert_eq!(warnings, 1);
}
