//! The persistent index cache: a restart takes unchanged files from it;
//! changed, new and deleted files, and a corrupt cache, are read from disk.

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use support::{Client, Options};

fn article(id: u32, title: &str) -> String {
    format!("---\nid: {id}\ntitle: {title}\nurl: /learn/x/questions/q{id}\nfile_name: q{id}.md\n---\nBody\n")
}

/// Writes `text` and dates it an hour back: files changed in the last
/// seconds are not cached, since their stamp may not change with them yet.
fn write_dated(path: &Path, text: &str, modified: SystemTime) {
    std::fs::write(path, text).expect("write an article");
    let file = std::fs::File::options().write(true).open(path).expect("open the article");
    file.set_modified(modified).expect("date the article");
}

async fn start(root: &Path, cache: &Path) -> Client {
    let mut options = Options::folders(&[root]);
    options.cache_dir = Some(cache.to_path_buf());
    let client = Client::start(options).await;
    client.wait_scans(1).await;
    client
}

/// The titles the index holds, through workspace symbols.
async fn titles(client: &Client) -> Vec<String> {
    let response = client.request("workspace/symbol", json!({ "query": "cached" })).await;
    let mut names: Vec<String> = response["result"]
        .as_array()
        .map(|symbols| symbols.iter().filter_map(|s| s["name"].as_str().map(str::to_owned)).collect())
        .unwrap_or_default();
    names.sort();
    names
}

/// Waits for the cache file to hold `files` entries; returns its path.
async fn cache_file_with(cache: &Path, files: usize) -> PathBuf {
    let started = std::time::Instant::now();
    loop {
        let found =
            std::fs::read_dir(cache).into_iter().flatten().flatten().map(|entry| entry.path()).find(|path| {
                article_lsp::cache::load(path, &Default::default())
                    .is_ok_and(|entries| entries.len() == files)
            });
        if let Some(path) = found {
            return path;
        }
        assert!(started.elapsed() < support::TIMEOUT, "no cache file with {files} entries");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_takes_unchanged_files_from_the_cache_and_rereads_the_rest() {
    let root = tempfile::tempdir().expect("a workspace");
    let cache = tempfile::tempdir().expect("a cache directory");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let path = |name: &str| root.path().join(name);
    write_dated(&path("a.md"), &article(1, "Cached Alpha"), an_hour_ago);
    write_dated(&path("b.md"), &article(2, "Cached Beta"), an_hour_ago);
    write_dated(&path("c.md"), &article(3, "Cached Gamma"), an_hour_ago);
    write_dated(&path("notes.md"), "# Not an article\n", an_hour_ago);

    let first = start(root.path(), cache.path()).await;
    assert_eq!(titles(&first).await, ["Cached Alpha", "Cached Beta", "Cached Gamma"]);
    let cache_file = cache_file_with(cache.path(), 4).await;
    assert!(first.shutdown_and_exit().await);

    // Same size and modification time: the cache is trusted, as it is meant
    // to be, so the old title shows. That is how the test sees the cache used.
    write_dated(&path("a.md"), &article(1, "Cached Aleph"), an_hour_ago);
    write_dated(&path("b.md"), &article(2, "Cached Bravo"), an_hour_ago);
    std::fs::remove_file(path("c.md")).expect("delete an article");
    write_dated(&path("d.md"), &article(4, "Cached Delta"), an_hour_ago);

    let second = start(root.path(), cache.path()).await;
    assert_eq!(titles(&second).await, ["Cached Alpha", "Cached Bravo", "Cached Delta"]);
    let rewritten = article_lsp::cache::load(&cache_file_with(cache.path(), 4).await, &Default::default())
        .expect("a cache");
    assert!(!rewritten.contains_key(&path("c.md")), "deleted files leave the cache");
    assert!(second.shutdown_and_exit().await);

    std::fs::write(&cache_file, b"not a cache at all").expect("corrupt the cache");
    let third = start(root.path(), cache.path()).await;
    assert_eq!(titles(&third).await, ["Cached Aleph", "Cached Bravo", "Cached Delta"]);
    cache_file_with(cache.path(), 4).await;
    assert!(third.shutdown_and_exit().await);

    let in_workspace: Vec<Value> = std::fs::read_dir(root.path())
        .expect("list the workspace")
        .flatten()
        .map(|entry| json!(entry.file_name().to_string_lossy()))
        .collect();
    assert_eq!(in_workspace.len(), 4, "the cache is never written into the workspace: {in_workspace:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_over_unchanged_files_leaves_the_cache_alone() {
    let root = tempfile::tempdir().expect("a workspace");
    let cache = tempfile::tempdir().expect("a cache directory");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    write_dated(&root.path().join("a.md"), &article(1, "Cached Alpha"), an_hour_ago);
    // Never cached (it is not text): it must not make every start rewrite the cache.
    std::fs::write(root.path().join("binary.md"), [0u8, 159, 146, 150, 0, 255]).expect("a binary file");

    let first = start(root.path(), cache.path()).await;
    let cache_file = cache_file_with(cache.path(), 1).await;
    assert!(first.shutdown_and_exit().await);
    let written = std::fs::metadata(&cache_file).and_then(|m| m.modified()).expect("the cache's time");

    let second = start(root.path(), cache.path()).await;
    assert_eq!(titles(&second).await, ["Cached Alpha"]);
    assert!(second.shutdown_and_exit().await);
    let now = std::fs::metadata(&cache_file).and_then(|m| m.modified()).expect("the cache's time");
    assert_eq!(written, now, "nothing changed, so the cache is not written again");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_start_removes_what_killed_cache_writers_left_behind() {
    let root = tempfile::tempdir().expect("a workspace");
    let cache = tempfile::tempdir().expect("a cache directory");
    let mut finished = std::process::Command::new("true").spawn().expect("a process");
    let gone = finished.id();
    finished.wait().expect("it ends");
    let (running, now) = (std::process::id(), SystemTime::now());
    let two_minutes_ago = now - Duration::from_secs(120);
    let at = |name: &str| cache.path().join(name);
    // A cache written whole is what a writer killed at its end leaves.
    let a_cache = at("written.index");
    article_lsp::cache::save(&a_cache, std::iter::empty()).expect("a cache");
    let header = std::fs::read(&a_cache).expect("the cache");
    let files = [
        (format!(".article-lsp-{gone}-x1Y2z3.tmp"), header.clone(), two_minutes_ago, false),
        (".tmpAb12Cd".to_owned(), header.clone(), two_minutes_ago, false),
        (format!(".article-lsp-{running}-q8W7e6.tmp"), header.clone(), two_minutes_ago, true),
        (format!(".article-lsp-{gone}-n5M4b3.tmp"), header.clone(), now, true),
        (".tmpZz99Yy".to_owned(), b"another program's".to_vec(), two_minutes_ago, true),
    ];
    for (name, bytes, modified, _) in &files {
        std::fs::write(at(name), bytes).expect("write a leftover");
        let file = std::fs::File::options().write(true).open(at(name)).expect("open it");
        file.set_modified(*modified).expect("date it");
    }
    let client = start(root.path(), cache.path()).await;
    for (name, _, _, kept) in &files {
        assert_eq!(at(name).exists(), *kept, "{name} kept: {kept}");
    }
    assert!(a_cache.exists());
    assert!(client.shutdown_and_exit().await);
}
