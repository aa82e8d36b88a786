//! Workspaces for the tests: temporary copies of the repository's fixtures,
//! and the hostile files the tests and the benchmark give `check` and the
//! server.

use std::path::Path;

/// A temporary workspace holding copies of fixture folders.
pub fn workspace(fixture_dirs: &[&str]) -> tempfile::TempDir {
    let root = tempfile::tempdir().expect("a temp dir");
    let fixtures = Path::new(crate::REPO_ROOT).join("fixtures");
    for dir in fixture_dirs {
        let target = root.path().join(dir);
        std::fs::create_dir_all(&target).expect("create dir");
        for entry in std::fs::read_dir(fixtures.join(dir)).expect("fixture dir") {
            let entry = entry.expect("entry");
            std::fs::copy(entry.path(), target.join(entry.file_name())).expect("copy");
        }
    }
    root
}

/// A clean article the hostile files sit beside.
pub const HEALTHY: &str =
    "---\nid: 1\ntitle: Healthy\nurl: /learn/x/questions/healthy\nfile_name: healthy.md\n---\n";

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    std::fs::write(dir.join(name), contents).expect("write a test file");
}

/// Names that look like articles but cannot be read as files: a FIFO (opening
/// it to read would wait for a writer forever), a socket, and a symbolic link
/// to nothing.
#[cfg(unix)]
pub fn unreadable_entries(dir: &Path) {
    let fifo = std::ffi::CString::new(dir.join("fifo.md").to_string_lossy().as_bytes()).expect("a path");
    // SAFETY: a valid NUL-terminated path; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0, "a FIFO");
    let socket = std::os::unix::net::UnixListener::bind(dir.join("socket.md")).expect("a socket");
    // The node stays once the listener is gone, like a crashed server's.
    drop(socket);
    std::os::unix::fs::symlink(dir.join("nowhere.md"), dir.join("dangling.md")).expect("a link");
}

/// The hostile files `check` and the server both meet, beside a healthy
/// article: deep nesting, an alias bomb, 10,000 related blocks, binary and
/// Latin-1 files, a link loop and names that cannot be read as files.
pub fn write_hostile_files(dir: &Path) {
    write(dir, "healthy.md", HEALTHY);
    let deep =
        format!("---\nid: 2\ntitle: D\nurl: /d\nx: {}{}\n---\n", "[".repeat(10_000), "]".repeat(10_000));
    write(dir, "deep.md", deep);
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
        unreadable_entries(dir);
    }
}

/// An article whose front matter runs 1,000,000 lines (23 MB).
pub fn million_line_front_matter() -> String {
    let mut text = String::from("---\nid: 7\ntitle: Long\nurl: /long\n");
    for n in 0..1_000_000 {
        text += &format!("key{n}: value {n}\n");
    }
    text + "---\nbody\n"
}

/// The big files `check` and the server meet, beside a healthy article: a
/// 50 MB article (a valid front matter with a broken link, then a long
/// body) and a front matter of 1,000,000 lines.
pub fn write_big_files(dir: &Path) {
    write(dir, "healthy.md", HEALTHY);
    let mut huge =
        String::from("---\nid: 6\ntitle: Huge\nurl: /h\nrelated_article1:\n  id: 99\n  url: /nowhere\n---\n");
    let line = "a line of body text that goes on for a while 🦀\n";
    huge.push_str(&line.repeat(50 * 1024 * 1024 / line.len()));
    write(dir, "huge.md", &huge);
    drop(huge);
    write(dir, "long-front-matter.md", million_line_front_matter());
}
