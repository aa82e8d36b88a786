//! Hostile files in a workspace: each is handled in bounded time with a clear
//! diagnostic or note, and the rest of the workspace is still indexed.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const HEALTHY: &str =
    "---\nid: 1\ntitle: Healthy\nurl: /learn/x/questions/healthy\nfile_name: healthy.md\n---\n";

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), contents).expect("write a test file");
}

/// Runs `check` on `dir`; returns stdout, stderr and how long it took.
fn check(dir: &Path) -> (String, String, Duration) {
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_article-lsp"))
        .args(["check", "."])
        .current_dir(dir)
        .output()
        .expect("the binary runs");
    let text = |bytes: Vec<u8>| String::from_utf8(bytes).expect("UTF-8 output");
    (text(output.stdout), text(output.stderr), started.elapsed())
}

#[test]
fn hostile_files_get_a_diagnostic_or_a_note_and_the_rest_is_indexed() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let dir = dir.path();
    write(dir, "healthy.md", HEALTHY);
    write(
        dir,
        "deep.md",
        format!("---\nid: 2\ntitle: D\nurl: /d\nx: {}{}\n---\n", "[".repeat(10_000), "]".repeat(10_000)),
    );
    let mut bomb = String::from("---\nid: 3\ntitle: B\nurl: /b\na0: &a0 [x, x, x, x, x, x, x, x, x]\n");
    for level in 1..10 {
        let refs = vec![format!("*a{}", level - 1); 9].join(", ");
        bomb += &format!("a{level}: &a{level} [{refs}]\n");
    }
    write(dir, "bomb.md", bomb + "---\n");
    let mut many = String::from("---\nid: 4\ntitle: Many\nurl: /m\n");
    for n in 1..=10_000 {
        many += &format!("related_article{n}: {{id: 1, url: /learn/x/questions/healthy}}\n");
    }
    write(dir, "many-links.md", many + "---\n");
    write(dir, "binary.md", (0..=255u8).cycle().take(100_000).collect::<Vec<u8>>());
    write(dir, "latin1.md", b"---\nid: 5\ntitle: caf\xe9\nurl: /l\n---\n");
    #[cfg(unix)]
    {
        std::fs::create_dir(dir.join("loop")).expect("a folder");
        std::os::unix::fs::symlink("..", dir.join("loop/up")).expect("a symbolic link");
    }

    let (stdout, stderr, took) = check(dir);
    assert!(took < Duration::from_secs(60), "bounded time: {took:?}");
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
    assert!(!stdout.contains("healthy.md"), "the healthy article is indexed and clean: {stdout}");
    let summary = stdout.lines().last().unwrap_or_default();
    assert!(summary.starts_with("checked 6 files: 4 articles"), "{summary}");
}
