//! Workspaces for the tests: temporary copies of the repository's fixtures.

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
