//! While a scan reads a root (the first scan, a restart from the index
//! cache, a folder added later), no diagnostic, pulled or pushed, claims a
//! link broken whose target may merely not be read yet; once it has read
//! everything, a link that is broken is reported.
//!
//! Each scenario races a scan long enough to lose: the article asked about
//! links to the last file read, and the test checks that its answer came
//! while the scan was still running (else it proves nothing, and fails).

use article_test_support as support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::{Client, Options, codes};

/// Enough files that a scan takes far longer than one request.
const ARTICLES: usize = 4_000;

fn article_text(id: usize, link: usize) -> String {
    format!(
        "---\nid: {id}\ntitle: Article {id}\nurl: /learn/s/questions/article-{id}\n\
         related_article1:\n  id: {link}\n  title: Article {link}\n  url: /learn/s/questions/article-{link}\n---\n"
    )
}

/// `ARTICLES` articles under `folder`, each linking to the one read last
/// when it is read first, and one whose link is broken for good.
fn write_corpus(folder: &Path) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(folder).expect("a folder");
    for id in 1..=ARTICLES {
        let path = folder.join(format!("a{id:05}.md"));
        std::fs::write(path, article_text(id, ARTICLES + 1 - id)).expect("an article");
    }
    let broken = folder.join("a00000-broken.md");
    std::fs::write(&broken, article_text(ARTICLES + 7, 999_999_999)).expect("an article");
    (folder.join("a00001.md"), broken)
}

fn scans_ended(client: &Client) -> usize {
    client.notifications("$/progress").iter().filter(|p| p["value"]["kind"] == "end").count()
}

/// Opens `path` and pulls its diagnostics at once; fails unless the answer
/// came before scan number `scan` ended.
async fn pull_during_scan(client: &Client, path: &Path, scan: usize) -> Vec<Value> {
    client.open(path).await;
    let pulled = client.pull_diagnostics(path).await;
    assert!(
        scans_ended(client) < scan,
        "scan {scan} ended before the pull was answered: the race was not run"
    );
    pulled
}

fn assert_no_broken_link(diagnostics: &[Value], when: &str) {
    assert!(!codes(diagnostics).iter().any(|code| code == "broken-link"), "{when}: {diagnostics:?}");
}

/// After the scan: the healthy link is quiet, the broken one reported.
async fn assert_settled(client: &Client, healthy: &Path, broken: &Path) {
    assert_eq!(codes(&client.pull_diagnostics(healthy).await), Vec::<String>::new());
    assert_eq!(codes(&client.pull_diagnostics(broken).await), ["broken-link"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_scan_claims_no_broken_link() {
    let root = tempfile::tempdir().expect("a workspace");
    let (healthy, broken) = write_corpus(&root.path().join("articles"));
    let client = Client::start(Options::folders(&[root.path()])).await;
    let pulled = pull_during_scan(&client, &healthy, 1).await;
    assert_no_broken_link(&pulled, "pulled during the scan");
    client.open(&broken).await;
    assert_no_broken_link(&client.pull_diagnostics(&broken).await, "a broken link, during the scan");
    client.wait_scans(1).await;
    assert_settled(&client, &healthy, &broken).await;
    // Pushed sets, during the scan and after, never claimed it either.
    for publication in client.publications(&healthy) {
        assert_no_broken_link(publication["diagnostics"].as_array().expect("a set"), "pushed");
    }
    client.wait_diagnostics(&broken, support::has_code("broken-link")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_from_the_cache_claims_no_broken_link() {
    let root = tempfile::tempdir().expect("a workspace");
    let cache = tempfile::tempdir().expect("a cache folder");
    let (healthy, broken) = write_corpus(&root.path().join("articles"));
    let mut options = Options::folders(&[root.path()]);
    options.cache_dir = Some(cache.path().to_owned());
    let first = Client::start(options).await;
    first.wait_scans(1).await;
    assert!(first.shutdown_and_exit().await);
    // Files written in the last seconds are not cached; dating them back
    // makes the restart take every one from the cache.
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in std::fs::read_dir(root.path().join("articles")).expect("the articles") {
        let file = std::fs::File::options().write(true).open(entry.expect("an entry").path()).expect("open");
        file.set_modified(hour_ago).expect("date the article");
    }
    let mut options = Options::folders(&[root.path()]);
    options.cache_dir = Some(cache.path().to_owned());
    let warm = Client::start(options).await;
    warm.wait_scans(1).await;
    assert!(warm.shutdown_and_exit().await);

    let mut options = Options::folders(&[root.path()]);
    options.cache_dir = Some(cache.path().to_owned());
    let client = Client::start(options).await;
    let pulled = pull_during_scan(&client, &healthy, 1).await;
    assert_no_broken_link(&pulled, "pulled during a restart");
    client.wait_scans(1).await;
    assert_settled(&client, &healthy, &broken).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_folder_added_later_claims_no_broken_link() {
    let workspace = tempfile::tempdir().expect("a workspace");
    let first = workspace.path().join("first");
    let added = workspace.path().join("added");
    std::fs::create_dir_all(&first).expect("a folder");
    std::fs::write(first.join("alone.md"), article_text(ARTICLES + 9, ARTICLES + 9)).expect("an article");
    let (healthy, broken) = write_corpus(&added);
    let client = Client::start(Options::folders(&[&first])).await;
    client.wait_scans(1).await;
    client.notify("workspace/didChangeWorkspaceFolders", change_folders(&[&added], &[])).await;
    let pulled = pull_during_scan(&client, &healthy, 2).await;
    assert_no_broken_link(&pulled, "pulled while the added folder is scanned");
    client.wait_scans(2).await;
    assert_settled(&client, &healthy, &broken).await;
}

fn change_folders(added: &[&Path], removed: &[&Path]) -> Value {
    let folders = |paths: &[&Path]| -> Vec<Value> {
        paths.iter().map(|path| json!({ "uri": support::uri(path), "name": "folder" })).collect()
    };
    json!({ "event": { "added": folders(added), "removed": folders(removed) } })
}

/// A document closed while another root is scanned, when its own folder is
/// no root, leaves the index; once the folder is a root again, its scan
/// reads the file. (A rule that a change seen during a scan beats what the
/// scan read must not let that change beat a scan that started after it.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_file_dropped_during_another_scan_is_read_by_its_own() {
    let workspace = tempfile::tempdir().expect("a workspace");
    let small = workspace.path().join("small");
    let big = workspace.path().join("big");
    std::fs::create_dir_all(&small).expect("a folder");
    let target = small.join("target.md");
    let linker = small.join("linker.md");
    std::fs::write(&target, article_text(ARTICLES + 20, ARTICLES + 20)).expect("an article");
    std::fs::write(&linker, article_text(ARTICLES + 21, ARTICLES + 20)).expect("an article");
    write_corpus(&big);
    let client = Client::start(Options::folders(&[&small])).await;
    client.wait_scans(1).await;
    client.open(&target).await;
    client.notify("workspace/didChangeWorkspaceFolders", change_folders(&[&big], &[&small])).await;
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": support::uri(&target) } })).await;
    // The close is applied (the target leaves the index) while `big` is
    // still being scanned.
    let title = format!("Article {}", ARTICLES + 20);
    // Asked again whenever the server writes something (the scan's
    // progress, a publication) until the target is gone.
    client
        .request_until("workspace/symbol", json!({ "query": title }), |found| {
            found.as_array().is_some_and(|found| found.is_empty())
        })
        .await;
    assert!(
        scans_ended(&client) < 2,
        "the scan of `big` ended before the close was applied: the race was not run"
    );
    client.notify("workspace/didChangeWorkspaceFolders", change_folders(&[&small], &[])).await;
    client.wait_scans(3).await;
    client.open(&linker).await;
    assert_eq!(codes(&client.pull_diagnostics(&linker).await), Vec::<String>::new());
    let symbols = client.request("workspace/symbol", json!({ "query": title })).await;
    assert_eq!(symbols["result"].as_array().map(Vec::len), Some(1), "{symbols}");
}
