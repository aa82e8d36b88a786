//! What a scan hands the loop at its end, besides its files: which files
//! it found, and what its root's cache says the checks found in them.

use hashbrown::{HashMap, HashSet};

use article_core::index::FilePath;
use article_workspace::cache::StoredDiagnostic;

/// Every file a scan found, in path order.
pub struct SeenFiles(Vec<FilePath>);

impl SeenFiles {
    pub fn new(mut files: Vec<FilePath>) -> SeenFiles {
        // A scan's files come as a few sorted runs (the cache's, then those
        // read): a stable sort merges them in one pass.
        files.sort();
        files.dedup();
        SeenFiles(files)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Asks whether files are seen, faster when asked in path order.
    pub(super) fn lookup(&self) -> SeenLookup<'_> {
        SeenLookup { files: &self.0, at: 0 }
    }
}

/// Answers whether a file was seen, walking forward from the last answer:
/// the index's files under a root come in path order, so the walk is one
/// pass; a path that goes back is searched for.
pub(super) struct SeenLookup<'a> {
    files: &'a [FilePath],
    at: usize,
}

impl SeenLookup<'_> {
    pub(super) fn holds(&mut self, path: &str) -> bool {
        let passed = self.at.checked_sub(1).and_then(|last| self.files.get(last));
        if passed.is_some_and(|passed| passed.as_str() >= path) {
            return self.files.binary_search_by(|file| file.as_str().cmp(path)).is_ok();
        }
        while self.files.get(self.at).is_some_and(|next| next.as_str() < path) {
            self.at += 1;
        }
        self.files.get(self.at).is_some_and(|file| file.as_str() == path)
    }
}

/// What the checks found in a root's files when its cache was written
/// (see [`StoredDiagnostic`]), for a restart that found every file as the
/// cache holds it. Only files with findings are held: the rest, most files
/// of a workspace, found nothing.
pub struct StoredFindings {
    found: HashMap<FilePath, Vec<StoredDiagnostic>>,
    /// Files changed since: what was stored of them no longer holds.
    forgotten: HashSet<FilePath>,
}

impl StoredFindings {
    /// What was found in the cache's files that found anything (the
    /// rest found nothing).
    pub fn new(found: impl IntoIterator<Item = (FilePath, Vec<StoredDiagnostic>)>) -> StoredFindings {
        let found = found.into_iter().filter(|(_, found)| !found.is_empty()).collect();
        StoredFindings { found, forgotten: HashSet::new() }
    }

    /// What was found in `path`; `None` once it changed.
    pub fn of(&self, path: &FilePath) -> Option<&[StoredDiagnostic]> {
        if self.forgotten.contains(path) {
            return None;
        }
        Some(self.found.get(path).map_or(&[], Vec::as_slice))
    }

    /// `path` changed, or a change may alter what is found in it.
    pub fn forget(&mut self, path: &FilePath) {
        self.found.remove(path);
        self.forgotten.insert(path.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scans_files_are_found_in_any_order_of_asking() {
        let paths = |names: &[&str]| names.iter().map(|name| FilePath::new(*name)).collect::<Vec<_>>();
        // Two sorted runs, as a scan sends them, with a repeat.
        let seen = SeenFiles::new(paths(&["/r/b", "/r/d", "/r/f", "/r/a", "/r/c", "/r/d"]));
        assert_eq!(seen.len(), 5);
        let asked = paths(&["/r/a", "/r/b", "/r/bb", "/r/c", "/r/f", "/r/g", "/r/c", "/r/0", "/r/d", "/r/d"]);
        let mut lookup = seen.lookup();
        let answers: Vec<bool> = asked.iter().map(|path| lookup.holds(path.as_str())).collect();
        assert_eq!(answers, [true, true, false, true, true, false, true, false, true, true]);
    }

    #[test]
    fn stored_findings_hold_until_forgotten() {
        let path = |name: &str| FilePath::new(name);
        let finding: StoredDiagnostic = serde_json::from_str(
            r#"{"code":"broken-link","severity":"error","range":[0,1],"message":"m","related":[]}"#,
        )
        .expect("a stored diagnostic");
        let mut stored =
            StoredFindings::new([(path("/r/a"), vec![finding.clone()]), (path("/r/c"), Vec::new())]);
        assert_eq!(stored.of(&path("/r/a")), Some(&[finding][..]));
        assert_eq!(stored.of(&path("/r/b")), Some(&[][..]));
        stored.forget(&path("/r/a"));
        stored.forget(&path("/r/b"));
        assert_eq!(stored.of(&path("/r/a")), None);
        assert_eq!(stored.of(&path("/r/b")), None);
    }
}
