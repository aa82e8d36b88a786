//! `article-lsp check --fix` on a copy of the fixtures.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Output};

fn check_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(crate::SERVER).arg("check").args(args).current_dir(dir).output().expect("the binary runs")
}

fn copy_fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let source = Path::new(article_test_support::REPO_ROOT).join("fixtures");
    copy_dir(&source, &dir.path().join("fixtures"));
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read folder") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

fn codes(stdout: &str) -> BTreeSet<String> {
    stdout
        .lines()
        .filter_map(|line| {
            line.split_once('[').and_then(|(_, rest)| rest.split_once(']')).map(|(code, _)| code.to_owned())
        })
        .collect()
}

fn read(dir: &Path, file: &str) -> String {
    std::fs::read_to_string(dir.join("fixtures/broken").join(file)).expect("readable")
}

const FIXED: [&str; 5] =
    ["slug-mismatch.md", "stale-id.md", "stale-subject.md", "stale-title.md", "stale-url.md"];

#[test]
fn dry_run_prints_a_diff_and_changes_nothing() {
    let dir = copy_fixtures();
    let before: Vec<String> = FIXED.iter().map(|file| read(dir.path(), file)).collect();
    let output = check_in(dir.path(), &["--fix", "--dry-run", "fixtures"]);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    assert!(
        stdout.contains("--- a/fixtures/broken/stale-title.md\n+++ b/fixtures/broken/stale-title.md\n"),
        "{stdout}"
    );
    assert!(stdout.contains("-        How has Lumenus changed over the years?\n+        How has Lumenus evolved over the years?\n"), "{stdout}");
    assert!(
        stdout.contains(
            "-file_name: can-professionals-refer-clients-to-lumenus.md\n+file_name: slug-mismatch.md\n"
        ),
        "{stdout}"
    );
    let after: Vec<String> = FIXED.iter().map(|file| read(dir.path(), file)).collect();
    assert_eq!(before, after, "a dry run writes nothing");
}

#[test]
fn fix_leaves_only_what_no_fix_can_solve() {
    let dir = copy_fixtures();
    let before: Vec<String> = FIXED.iter().map(|file| read(dir.path(), file)).collect();
    let output = check_in(dir.path(), &["--fix", "fixtures"]);
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    for file in FIXED {
        assert!(
            stdout.contains(&format!("fixed fixtures/broken/{file}: 1 edit\n")),
            "{file} fixed:\n{stdout}"
        );
    }
    let remaining = codes(&stdout);
    let unfixable: BTreeSet<String> = [
        "broken-link",
        "duplicate-id",
        "duplicate-key",
        "duplicate-link",
        "duplicate-url",
        "invalid-field",
        "link-mismatch",
        "missing-field",
        "self-link",
        "unterminated-front-matter",
        "yaml-syntax",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(remaining, unfixable, "{stdout}");

    // Exactly one line changed in each fixed file; every other byte is kept.
    for (file, before) in FIXED.iter().zip(&before) {
        let after = read(dir.path(), file);
        let changed = before.lines().zip(after.lines()).filter(|(a, b)| a != b).count();
        assert_eq!((changed, before.lines().count()), (1, after.lines().count()), "{file}");
        assert_eq!(before.ends_with('\n'), after.ends_with('\n'), "{file} keeps its last line break");
    }
    let again = check_in(dir.path(), &["fixtures"]);
    assert_eq!(
        codes(&String::from_utf8(again.stdout).expect("UTF-8")),
        unfixable,
        "the check after the fix agrees"
    );
    let no_more = check_in(dir.path(), &["--fix", "fixtures"]);
    assert!(!String::from_utf8(no_more.stdout).expect("UTF-8").contains("fixed "), "nothing left to fix");
}

/// With links followed, a stale article behind a link leading outside is
/// checked but not fixed: the write would land outside the folder, and the
/// rename would replace the link by a file.
#[cfg(unix)]
#[test]
fn fix_writes_nothing_through_a_symbolic_link() {
    let dir = copy_fixtures();
    let outside = tempfile::tempdir().expect("a folder");
    let stale = dir.path().join("fixtures/broken/stale-title.md");
    let behind = outside.path().join("stale-title.md");
    std::fs::rename(&stale, &behind).expect("moved outside");
    std::os::unix::fs::symlink(&behind, &stale).expect("a link");
    let before = std::fs::read(&behind).expect("readable");
    std::fs::write(dir.path().join("article-lsp.toml"), "follow_symlinks = true\n").expect("settings");
    let output = check_in(dir.path(), &["--fix", "."]);
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(
        stdout.contains("./fixtures/broken/stale-title.md:29:9: warning[stale-title]"),
        "checked: {stdout}"
    );
    assert!(stderr.contains("stale-title.md: reached through a symbolic link; not fixed"), "{stderr}");
    assert!(
        stdout.contains("fixed ./fixtures/broken/stale-url.md: 1 edit"),
        "the others are fixed: {stdout}"
    );
    assert_eq!(std::fs::read(&behind).expect("readable"), before, "the target is untouched");
    assert!(std::fs::symlink_metadata(&stale).expect("the link").file_type().is_symlink(), "the link stays");
}
