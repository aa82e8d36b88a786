//! "Did you mean": a broken link's hint follows the articles it could name
//! (retitled, deleted, beaten by a closer new one) without its own file
//! being touched, and names what `check` names.

use article_test_support as support;

use std::path::Path;

use serde_json::{Value, json};
use support::{Client, Options};

fn article(id: u32, title: &str, slug: &str) -> String {
    format!("---\nid: {id}\ntitle: {title}\nurl: /learn/x/questions/{slug}\n---\n")
}

/// An article whose one related block names no article.
fn referrer(link_title: &str) -> String {
    format!(
        "---\nid: 1\ntitle: Referrer notes\nurl: /learn/x/questions/referrer-notes\nrelated_article1:\n  \
         id: 999\n  title: {link_title}\n  url: /learn/x/questions/gone\n---\n"
    )
}

/// The broken link's message, once it says `wanted`.
async fn hint_saying(client: &Client, path: &Path, wanted: &str) -> String {
    let found = client
        .wait_diagnostics(path, |diagnostics| {
            diagnostics.iter().any(|d| d["code"] == "broken-link" && message(d).contains(wanted))
        })
        .await;
    found.iter().find(|d| d["code"] == "broken-link").map(message).unwrap_or_default()
}

fn message(diagnostic: &Value) -> String {
    diagnostic["message"].as_str().unwrap_or("").to_owned()
}

/// A workspace of `referrer.md`, whose broken link is titled `link_title`,
/// and `name`, an article titled `title` (and, in its url, `slug`); served
/// and scanned.
async fn serve(link_title: &str, name: &str, title: &str, slug: &str) -> (tempfile::TempDir, Client) {
    let root = tempfile::tempdir().expect("a workspace");
    std::fs::write(root.path().join("referrer.md"), referrer(link_title)).expect("write");
    std::fs::write(root.path().join(name), article(2, title, slug)).expect("write");
    let client = Client::start(Options::folders(&[root.path()])).await;
    client.wait_scans(1).await;
    (root, client)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hint_follows_the_article_it_names_on_disk() {
    let (root, client) = serve("How do tides work?", "a.md", "How do tides work here?", "tides-here").await;
    let (linking, a, b) =
        (root.path().join("referrer.md"), root.path().join("a.md"), root.path().join("b.md"));
    hint_saying(&client, &linking, "did you mean “How do tides work here?” (id 2)?").await;

    std::fs::write(&a, article(2, "How do tides work there?", "tides-here")).expect("write");
    client.file_changed(&a, 2).await;
    hint_saying(&client, &linking, "did you mean “How do tides work there?” (id 2)?").await;

    std::fs::write(&b, article(3, "How do tides work now?", "tides-now")).expect("write");
    client.file_changed(&b, 1).await;
    hint_saying(&client, &linking, "did you mean “How do tides work now?” (id 3)?").await;

    std::fs::remove_file(&b).expect("delete");
    client.file_changed(&b, 3).await;
    hint_saying(&client, &linking, "did you mean “How do tides work there?” (id 2)?").await;

    std::fs::remove_file(&a).expect("delete");
    client.file_changed(&a, 3).await;
    let gone = "broken link: no article has id 999 or url /learn/x/questions/gone";
    client.wait_diagnostics(&linking, |diagnostics| diagnostics.iter().any(|d| message(d) == gone)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hint_follows_an_open_document_being_retitled() {
    let (root, client) = serve("How do tides work?", "a.md", "How do tides work here?", "tides-here").await;
    let (linking, a) = (root.path().join("referrer.md"), root.path().join("a.md"));
    hint_saying(&client, &linking, "“How do tides work here?”").await;

    client.open(&a).await;
    let retitled = article(2, "How do tides work there?", "tides-here");
    client.change(&a, 2, json!([{ "text": retitled }])).await;
    hint_saying(&client, &linking, "did you mean “How do tides work there?” (id 2)?").await;
}

/// `check`'s message for the broken link of `path`.
fn checked_message(root: &Path, path: &Path) -> String {
    let output = std::process::Command::new(crate::SERVER)
        .args(["check", "--format", "json"])
        .arg(root)
        .output()
        .expect("check runs");
    let found: Vec<Value> = serde_json::from_slice(&output.stdout).expect("JSON output");
    let of_path =
        found.iter().find(|d| d["path"] == path.to_string_lossy().as_ref() && d["code"] == "broken-link");
    of_path.map(message).unwrap_or_else(|| panic!("a broken link in {found:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_and_the_server_break_a_tie_alike() {
    let (root, client) = serve("How tides work", "z.md", "How tides worka", "tides-a").await;
    let (linking, a) = (root.path().join("referrer.md"), root.path().join("a.md"));
    hint_saying(&client, &linking, "“How tides worka”").await;

    // Equally close, and read by the server after the other one: `check`
    // reads it first, as it lists files in order.
    std::fs::write(&a, article(4, "How tides workb", "tides-b")).expect("write");
    client.file_changed(&a, 1).await;
    // The referrer is reread too, so that it is rechecked however the
    // server decides which files a new article affects.
    client.file_changed(&linking, 2).await;
    let wanted = checked_message(root.path(), &linking);
    assert!(wanted.contains("did you mean “How tides workb” (id 4)?"), "{wanted}");
    assert_eq!(hint_saying(&client, &linking, &wanted).await, wanted);
}
