//! "Did you mean": a broken link's hint names what `check` names.

mod support;

use std::path::Path;

use serde_json::Value;
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

async fn start(root: &Path) -> Client {
    let client = Client::start(Options::folders(&[root])).await;
    client.wait_scans(1).await;
    client
}

/// `check`'s message for the broken link of `path`.
fn checked_message(root: &Path, path: &Path) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_article-lsp"))
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
    let root = tempfile::tempdir().expect("a workspace");
    let (linking, z, a) =
        (root.path().join("referrer.md"), root.path().join("z.md"), root.path().join("a.md"));
    std::fs::write(&linking, referrer("How tides work")).expect("write");
    std::fs::write(&z, article(3, "How tides worka", "tides-a")).expect("write");
    let client = start(root.path()).await;
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
