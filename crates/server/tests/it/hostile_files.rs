//! Hostile files in a workspace: each is handled with a clear diagnostic or
//! note, and the rest of the workspace is still indexed, by `check`, by the
//! workspace reader and by the server. (The time and memory they take are
//! the benchmarks' to measure.)

use article_test_support as support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use article_workspace::admission::ScanOptions;
use article_workspace::files::{ProblemKind, read_text};
use article_workspace::walk::{index_files, list_files};
use serde_json::json;
use support::fixtures::{HEALTHY, million_line_front_matter, write_big_files, write_hostile_files};
use support::{Client, Options, codes, has_code};

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), contents).expect("write a test file");
}

/// Runs `check` on `dir`; returns stdout and stderr.
fn check(dir: &Path) -> (String, String) {
    let output =
        Command::new(crate::SERVER).args(["check", "."]).current_dir(dir).output().expect("the binary runs");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8 output");
    (text(output.stdout), text(output.stderr))
}

#[test]
fn hostile_files_get_a_diagnostic_or_a_note_and_the_rest_is_indexed() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let dir = dir.path();
    write_hostile_files(dir);

    let (stdout, stderr) = check(dir);
    assert!(
        stdout.contains("./deep.md:5:")
            && stdout.contains("error[yaml-syntax]: invalid YAML: recursion limit exceeded"),
        "{stdout}"
    );
    assert!(!stdout.contains("bomb.md"), "aliases are never expanded: {stdout}");
    assert!(stdout.contains("./many-links.md:6:1: warning[duplicate-link]"), "every block is read: {stdout}");
    assert_eq!(
        stdout.matches("many-links.md").count(),
        9_999,
        "one duplicate-link per block after the first"
    );
    assert!(stderr.contains("binary.md: skipped: not UTF-8 text"), "{stderr}");
    assert!(stderr.contains("latin1.md: skipped: not UTF-8 text (invalid byte at offset 20)"), "{stderr}");
    #[cfg(unix)]
    {
        assert!(stderr.contains("fifo.md: skipped: not a regular file"), "{stderr}");
        assert!(stderr.contains("socket.md: skipped: not a regular file"), "{stderr}");
        assert!(stderr.contains("dangling.md: skipped: a symbolic link, not followed"), "{stderr}");
    }
    assert!(!stdout.contains("healthy.md"), "the healthy article is indexed and clean: {stdout}");
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(summary.starts_with("checked 6 files: 4 articles"), "{summary}");
}

/// What this workload costs in time and memory is measured by the
/// benchmarks, not here.
#[test]
fn a_50_mb_article_and_a_million_line_front_matter_are_read_or_refused_with_a_diagnostic() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let dir = dir.path();
    write_big_files(dir);

    let (stdout, _) = check(dir);
    assert!(stdout.contains("./huge.md:6:7: error[broken-link]"), "the 50 MB article is read: {stdout}");
    assert!(
        stdout.contains(
            "./long-front-matter.md:1:1: error[yaml-syntax]: front matter not read: it is 23777809 bytes, \
             over the 1048576-byte limit"
        ),
        "{stdout}"
    );
    assert!(!stdout.contains("healthy.md"), "{stdout}");
    assert!(stdout.lines().last().unwrap_or_default().starts_with("checked 3 files: 3 articles"), "{stdout}");
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_at_once_and_listing_notes_what_it_cannot_read() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write(dir.path(), "healthy.md", HEALTHY);
    support::fixtures::unreadable_entries(dir.path());
    let fifo = dir.path().join("fifo.md");
    // On a thread, so that a regression fails the test instead of hanging it.
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(read_text(&fifo).map_err(|problem| problem.message)));
    let read = receiver.recv_timeout(Duration::from_secs(5)).expect("reading a FIFO does not wait");
    assert_eq!(read, Err("skipped: not a regular file".to_owned()));

    let listing = list_files(&[dir.path().to_owned()], &ScanOptions::default()).expect("a listing");
    let listed: Vec<&Path> = listing.files.iter().map(|file| file.on_disk()).collect();
    assert_eq!(listed, [dir.path().join("healthy.md")]);
    let notes: Vec<(String, ProblemKind)> = listing
        .problems
        .iter()
        .map(|problem| {
            (
                problem.path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(),
                problem.kind,
            )
        })
        .collect();
    let skipped = ProblemKind::Skipped;
    assert_eq!(
        notes,
        [
            ("dangling.md".to_owned(), skipped),
            ("fifo.md".to_owned(), skipped),
            ("socket.md".to_owned(), skipped)
        ]
    );
}

#[test]
fn a_file_deleted_between_listing_and_reading_is_an_io_problem_and_the_rest_is_indexed() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    write(dir.path(), "healthy.md", HEALTHY);
    write(dir.path(), "doomed.md", HEALTHY.replace("id: 1", "id: 2").replace("healthy", "doomed"));
    let files = list_files(&[dir.path().to_owned()], &ScanOptions::default()).expect("a listing").files;
    assert_eq!(files.len(), 2);
    std::fs::remove_file(dir.path().join("doomed.md")).expect("deleted");
    let scan = index_files(&files);
    assert_eq!(scan.problems.len(), 1, "{:?}", scan.problems);
    assert_eq!(
        (scan.problems[0].path.clone(), scan.problems[0].kind),
        (dir.path().join("doomed.md"), ProblemKind::Io)
    );
    assert_eq!(scan.index.len(), 1, "the healthy article is indexed");
}

/// A workspace holding every hostile file the server can meet, beside a
/// healthy cluster of articles.
fn hostile_workspace() -> tempfile::TempDir {
    let root = support::workspace(&["lumenus"]);
    let dir = root.path();
    write_hostile_files(dir);
    write(dir, "long-front-matter.md", million_line_front_matter());
    // More files than a scan reads in one batch, one of them deleted while
    // the scan may be under way.
    for n in 0..300 {
        write(
            dir,
            &format!("filler-{n}.md"),
            format!("---\nid: {}\ntitle: Filler {n}\nurl: /f/{n}\n---\n", 500 + n),
        );
    }
    root
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_server_indexes_a_hostile_workspace_and_keeps_answering() {
    let root = hostile_workspace();
    let dir = root.path();
    let client = Client::start(Options::folders(&[dir])).await;
    // Once the scan has listed the folder and read a first batch, a file is
    // deleted and another created: their events win over the listing.
    client
        .wait_for("a first batch", |client| {
            let progress = client.notifications("$/progress");
            progress.iter().any(|p| p["value"]["kind"] == "report").then_some(())
        })
        .await;
    let doomed: PathBuf = dir.join("filler-299.md");
    std::fs::remove_file(&doomed).expect("deleted during the scan");
    client.file_changed(&doomed, 3).await;
    let newcomer = dir.join("newcomer.md");
    write(dir, "newcomer.md", "---\nid: 9\ntitle: Newcomer\nurl: /newcomer\n---\n");
    client.file_changed(&newcomer, 1).await;
    client.wait_scans(1).await;

    let evolved = dir.join("lumenus/how-has-lumenus-evolved-over-the-years.md");
    assert!(client.pull_diagnostics(&evolved).await.is_empty(), "the healthy cluster is indexed and clean");
    let symbols = client.request("workspace/symbol", json!({ "query": "evolved" })).await;
    assert_eq!(symbols["result"].as_array().map(Vec::len), Some(1), "{symbols}");
    let long = client.wait_diagnostics(&dir.join("long-front-matter.md"), has_code("yaml-syntax")).await;
    assert!(long[0]["message"].as_str().is_some_and(|m| m.starts_with("front matter not read")), "{long:?}");
    let deep = client.wait_diagnostics(&dir.join("deep.md"), has_code("yaml-syntax")).await;
    assert_eq!(codes(&deep), ["yaml-syntax"]);
    assert!(client.pull_diagnostics(&dir.join("bomb.md")).await.is_empty(), "aliases are never expanded");
    // Each block is read: one duplicate-link per block after the first.
    let many = client.wait_diagnostics(&dir.join("many-links.md"), |found| found.len() == 9_999).await;
    assert_eq!(codes(&many[..1]), ["duplicate-link"]);
    let filler = |n: u32| client.request("workspace/symbol", json!({ "query": format!("filler {n}") }));
    let found = filler(298).await;
    assert_eq!(found["result"].as_array().map(Vec::len), Some(1), "{found}");
    let gone = filler(299).await;
    assert_eq!(gone["result"], json!([]), "the file deleted during the scan is not indexed: {gone}");
    let created = client.request("workspace/symbol", json!({ "query": "newcomer" })).await;
    assert_eq!(created["result"].as_array().map(Vec::len), Some(1), "created during the scan: {created}");

    // Opening and closing a FIFO's name makes the server read the disk for
    // it again: that must not wait for a writer.
    #[cfg(unix)]
    {
        let fifo = dir.join("fifo.md");
        client.open_text(&fifo, "---\nid: 8\ntitle: Fifoscope\nurl: /fifo\n---\n").await;
        let query = json!({ "query": "fifoscope" });
        client
            .request_until("workspace/symbol", query, |found| found.as_array().is_some_and(|f| f.len() == 1))
            .await;
        client
            .notify("textDocument/didClose", json!({ "textDocument": { "uri": support::uri(&fifo) } }))
            .await;
        client.file_changed(&fifo, 2).await;
        client.file_changed(&dir.join("dangling.md"), 1).await;
    }
    client.file_changed(&dir.join("binary.md"), 2).await;
    let after = client.request("workspace/symbol", json!({ "query": "evolved" })).await;
    assert_eq!(after["result"].as_array().map(Vec::len), Some(1), "{after}");
    // Dropped once the analysis has handled the close, which it could not
    // if reading the FIFO waited.
    #[cfg(unix)]
    client
        .request_until("workspace/symbol", json!({ "query": "fifoscope" }), |found| *found == json!([]))
        .await;
    assert!(client.shutdown_and_exit().await);
}
