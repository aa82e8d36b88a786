//! The persistent index cache: a restart takes unchanged files from it;
//! changed, new and deleted files, and a corrupt cache, are read from disk.

use article_test_support as support;

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

/// The cache file, holding `files` entries. Read once the server that
/// wrote it has shut down: the scan holds the cache's lock from before it
/// reports its end until the cache is written, and `shutdown` waits for that
/// lock, so nothing needs to be waited for here.
fn cache_file_with(cache: &Path, files: usize) -> PathBuf {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(cache).expect("the cache directory").flatten() {
        let cached = article_workspace::cache::load(&entry.path());
        found.push((entry.path(), cached.map(|cached| cached.files.len())));
    }
    let with = found.iter().find(|(_, cached)| cached.as_ref().is_ok_and(|n| *n == files));
    with.map(|(path, _)| path.clone())
        .unwrap_or_else(|| panic!("no cache file with {files} entries: {found:?}"))
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
    assert!(first.shutdown_and_exit().await);
    let cache_file = cache_file_with(cache.path(), 4);

    // Same size and modification time: the cache is trusted, as it is meant
    // to be, so the old title shows. That is how the test sees the cache used.
    write_dated(&path("a.md"), &article(1, "Cached Aleph"), an_hour_ago);
    write_dated(&path("b.md"), &article(2, "Cached Bravo"), an_hour_ago);
    std::fs::remove_file(path("c.md")).expect("delete an article");
    write_dated(&path("d.md"), &article(4, "Cached Delta"), an_hour_ago);

    let second = start(root.path(), cache.path()).await;
    assert_eq!(titles(&second).await, ["Cached Alpha", "Cached Bravo", "Cached Delta"]);
    // `shutdown` waits for the cache being written.
    assert!(second.shutdown_and_exit().await);
    let rewritten = article_workspace::cache::load(&cache_file_with(cache.path(), 4)).expect("a cache");
    assert!(
        rewritten.file(path("c.md").to_string_lossy().as_ref()).is_none(),
        "deleted files leave the cache"
    );

    std::fs::write(&cache_file, b"not a cache at all").expect("corrupt the cache");
    let third = start(root.path(), cache.path()).await;
    assert_eq!(titles(&third).await, ["Cached Aleph", "Cached Bravo", "Cached Delta"]);
    assert!(third.shutdown_and_exit().await);
    cache_file_with(cache.path(), 4);

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
    assert!(first.shutdown_and_exit().await);
    let cache_file = cache_file_with(cache.path(), 1);
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
    article_workspace::cache::save(&a_cache, std::iter::empty(), &Default::default()).expect("a cache");
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

fn linking(id: u32, title: &str, to: u32, as_title: &str) -> String {
    format!(
        "---\nid: {id}\ntitle: {title}\nurl: /learn/x/questions/q{id}\nfile_name: q{id}.md\n\
         related_article1:\n  id: {to}\n  title: {as_title}\n  url: /learn/x/questions/q{to}\n---\nBody\n"
    )
}

/// The files' last published sets (empty for a file never published).
fn last_sets(client: &Client, paths: &[PathBuf]) -> Vec<(String, Value)> {
    paths
        .iter()
        .map(|path| {
            let last = client.publications(path).pop().map_or(json!([]), |p| p["diagnostics"].clone());
            (path.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default(), last)
        })
        .collect()
}

async fn sets_after_start(root: &Path, cache: &Path, paths: &[PathBuf]) -> Vec<(String, Value)> {
    let client = start(root, cache).await;
    let sets = last_sets(&client, paths);
    assert!(client.shutdown_and_exit().await);
    sets
}

/// A restart over unchanged files publishes what the checks stored in the
/// cache: the same sets as a start without a cache. Files deleted or added
/// while the server was down make it check again, and what they change shows.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_publishes_what_a_fresh_start_would() {
    let root = tempfile::tempdir().expect("a workspace");
    let cache = tempfile::tempdir().expect("a cache directory");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let path = |name: &str| root.path().join(name);
    let files = [
        ("a.md", linking(1, "Alpha", 2, "Old Beta")),
        ("b.md", article(2, "Beta")),
        ("c.md", linking(3, "Gamma", 9, "Nine")),
        ("d.md", article(5, "Delta")),
        ("e.md", article(5, "Epsilon")),
        ("f.md", linking(6, "Zeta", 7, "Eta")),
        ("g.md", article(7, "Eta")),
    ];
    for (name, text) in &files {
        write_dated(&path(name), text, an_hour_ago);
    }
    let mut paths: Vec<PathBuf> = files.iter().map(|(name, _)| path(name)).collect();
    paths.push(path("h.md"));

    let fresh = tempfile::tempdir().expect("an empty cache directory");
    let cold = sets_after_start(root.path(), cache.path(), &paths).await;
    let stored =
        article_workspace::cache::load(&cache_file_with(cache.path(), files.len())).expect("a cache");
    assert!(stored.files.iter().all(|file| file.found.is_some()), "the checks' findings are stored");
    let codes_of = |sets: &[(String, Value)], name: &str| -> Vec<String> {
        let set = sets.iter().find(|(file, _)| file == name).map(|(_, set)| set.clone()).unwrap_or_default();
        support::codes(set.as_array().map(Vec::as_slice).unwrap_or_default())
    };
    assert_eq!(codes_of(&cold, "a.md"), ["stale-title"]);
    assert_eq!(codes_of(&cold, "c.md"), ["broken-link"]);
    assert_eq!(codes_of(&cold, "d.md"), ["duplicate-id", "duplicate-url"]);
    assert!(codes_of(&cold, "f.md").is_empty());

    let warm = sets_after_start(root.path(), cache.path(), &paths).await;
    assert_eq!(warm, cold, "a restart over unchanged files publishes what the checks found");

    // While the server is down: the target of f's link goes, and c's
    // link's target comes.
    std::fs::remove_file(path("g.md")).expect("delete an article");
    write_dated(&path("h.md"), &article(9, "Nine"), an_hour_ago);
    let changed = sets_after_start(root.path(), cache.path(), &paths).await;
    assert_eq!(codes_of(&changed, "f.md"), ["broken-link"]);
    assert!(codes_of(&changed, "c.md").is_empty());
    assert_eq!(changed, sets_after_start(root.path(), fresh.path(), &paths).await);
    let again = sets_after_start(root.path(), cache.path(), &paths).await;
    assert_eq!(again, changed, "the rewritten cache serves the next restart");
}

/// A document the editor opens while the restart's scan runs, with an
/// unsaved edit, is what its referrers are checked against, whether it
/// comes before or after the scan's end.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_opened_during_a_restart_is_what_referrers_see() {
    let root = tempfile::tempdir().expect("a workspace");
    let cache = tempfile::tempdir().expect("a cache directory");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let path = |name: &str| root.path().join(name);
    write_dated(&path("a.md"), &linking(1, "Alpha", 2, "Beta"), an_hour_ago);
    write_dated(&path("b.md"), &article(2, "Beta"), an_hour_ago);
    write_dated(&path("c.md"), &linking(3, "Gamma", 9, "Beta"), an_hour_ago);
    let first = start(root.path(), cache.path()).await;
    first.wait_diagnostics(&path("c.md"), support::has_code("broken-link")).await;
    assert!(first.shutdown_and_exit().await);
    cache_file_with(cache.path(), 3);

    let mut options = Options::folders(&[root.path()]);
    options.cache_dir = Some(cache.path().to_path_buf());
    let client = Client::start(options).await;
    // b's id becomes 9 in the editor: a's link breaks, c's resolves.
    client.open_text(&path("b.md"), &article(9, "Beta")).await;
    client.wait_scans(1).await;
    let a = client.wait_diagnostics(&path("a.md"), support::has_code("broken-link")).await;
    assert_eq!(support::codes(&a), ["broken-link"]);
    // Checked in the round that broke a's link, or never said broken.
    let c = last_sets(&client, &[path("c.md")]);
    assert_eq!(c, [("c.md".to_owned(), json!([]))]);
    assert!(client.shutdown_and_exit().await);
}

/// Articles the cache holds that the settings now leave out are not in the
/// index a restart takes from it, and a link to one of them is broken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restart_leaves_out_what_the_settings_now_exclude() {
    let root = tempfile::tempdir().expect("a workspace");
    let cache = tempfile::tempdir().expect("a cache directory");
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    let path = |name: &str| root.path().join(name);
    std::fs::create_dir(path("drafts")).expect("a drafts folder");
    write_dated(&path("a.md"), &linking(1, "Cached Alpha", 2, "Cached Draft"), an_hour_ago);
    write_dated(&path("b.md"), &article(3, "Cached Bravo"), an_hour_ago);
    write_dated(&path("drafts/d.md"), &article(2, "Cached Draft"), an_hour_ago);
    let first = start(root.path(), cache.path()).await;
    assert_eq!(titles(&first).await, ["Cached Alpha", "Cached Bravo", "Cached Draft"]);
    assert!(first.shutdown_and_exit().await);
    cache_file_with(cache.path(), 3);

    std::fs::write(path("article-lsp.toml"), "exclude = [\"drafts/**\"]\n").expect("settings");
    let second = start(root.path(), cache.path()).await;
    assert_eq!(titles(&second).await, ["Cached Alpha", "Cached Bravo"]);
    let a = second.wait_diagnostics(&path("a.md"), support::has_code("broken-link")).await;
    assert_eq!(support::codes(&a), ["broken-link"]);
    assert!(second.shutdown_and_exit().await);
}
