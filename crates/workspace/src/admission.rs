//! The one rule that decides which files under a workspace root are its
//! articles. The scan walks by it, and every path that reaches the server
//! another way (a watched-file event, a folder event, a document closed in
//! the editor) is judged by it before the disk is touched, so that a file
//! the scan would skip never enters the index by a side door.
//!
//! A path under the root is admitted when no part of it (below the root)
//! is hidden (starts with `.`), no folder on the way is `target` or
//! `node_modules`, no exclude glob matches it or a folder on the way, the
//! file matches an include glob, and no ignore file says otherwise:
//! `.gitignore` files, `.git/info/exclude` and git's global excludes file
//! inside a git repository, and `.ignore` files anywhere, each applied with
//! the precedence git and ripgrep give them. Include globs never override
//! an ignore rule. Whether a file may be *read* (symbolic links) is the
//! `Boundary`'s business, not this rule's.

use std::collections::HashMap;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::Match;
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::overrides::{Override, OverrideBuilder};

use crate::files::{ProblemKind, ScanProblem};

/// Folders never scanned, whatever the ignore files say.
pub(crate) const SKIPPED_DIRS: &[&str] = &["target", "node_modules"];

/// Files whose change changes what the rule admits.
pub const RULE_FILES: &[&str] = &[".gitignore", ".ignore"];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScanOptions {
    /// Globs (gitignore syntax) a file must match to be read.
    pub include: Vec<String>,
    /// Globs of files or folders to leave out.
    pub exclude: Vec<String>,
    /// Follow symbolic links that lead outside the root. Links leading
    /// inside it are never followed: their targets are found at their own
    /// paths, and following them would index each article twice.
    pub follow_symlinks: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions { include: vec!["**/*.md".to_owned()], exclude: Vec::new(), follow_symlinks: false }
    }
}

/// Why a path is not admitted (for logs and tests).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    OutsideRoot,
    Hidden,
    SkippedFolder,
    Excluded,
    NotIncluded,
    Ignored,
}

/// The ignore files of one folder, and those of the folders above it.
struct FolderRules {
    has_git: bool,
    ignore: Option<Gitignore>,
    gitignore: Option<Gitignore>,
    git_exclude: Option<Gitignore>,
    parent: Option<Arc<FolderRules>>,
}

impl FolderRules {
    fn read(folder: &Path, parent: Option<Arc<FolderRules>>) -> FolderRules {
        let has_git = folder.join(".git").exists();
        FolderRules {
            has_git,
            ignore: matcher(folder, &folder.join(".ignore")),
            gitignore: matcher(folder, &folder.join(".gitignore")),
            git_exclude: has_git.then(|| matcher(folder, &folder.join(".git/info/exclude"))).flatten(),
            parent,
        }
    }

    fn chain(&self) -> impl Iterator<Item = &FolderRules> {
        std::iter::successors(Some(self), |rules| rules.parent.as_deref())
    }

    /// Whether the ignore files say `path` (in this folder) is ignored:
    /// `.ignore` over `.gitignore` over `info/exclude` over the global
    /// file; within each, the nearest folder first; git's files only up to
    /// the repository's top folder.
    fn ignores(&self, path: &Path, is_dir: bool, global: &Gitignore) -> bool {
        let any_git = self.chain().any(|rules| rules.has_git);
        let (mut by_ignore, mut by_gitignore, mut by_exclude) = (Match::None, Match::None, Match::None);
        let mut saw_git = false;
        for rules in self.chain() {
            if by_ignore.is_none() {
                by_ignore = matched(&rules.ignore, path, is_dir);
            }
            if any_git && !saw_git {
                if by_gitignore.is_none() {
                    by_gitignore = matched(&rules.gitignore, path, is_dir);
                }
                if by_exclude.is_none() {
                    by_exclude = matched(&rules.git_exclude, path, is_dir);
                }
            }
            saw_git |= rules.has_git;
        }
        let by_global = if any_git { global.matched(path, is_dir).map(|_| ()) } else { Match::None };
        by_ignore.or(by_gitignore).or(by_exclude).or(by_global).is_ignore()
    }
}

fn matched(rules: &Option<Gitignore>, path: &Path, is_dir: bool) -> Match<()> {
    rules.as_ref().map_or(Match::None, |rules| rules.matched(path, is_dir).map(|_| ()))
}

/// The rules of one ignore file; `None` when there is none (or it has no
/// rule). A line that cannot be read as a glob is left out, as git does.
fn matcher(folder: &Path, file: &Path) -> Option<Gitignore> {
    if !file.is_file() {
        return None;
    }
    let mut builder = GitignoreBuilder::new(folder);
    if let Some(error) = builder.add(file) {
        tracing::info!("{}: {error}", file.display());
    }
    builder.build().ok().filter(|rules| !rules.is_empty())
}

/// The rule for one root. Cheap to ask: the ignore files of each folder are
/// read once, when a path in it is first judged.
pub struct Admission {
    root: PathBuf,
    /// A file must match one of these (when there are any)...
    include: Override,
    /// ...and neither it nor a folder on the way one of these.
    exclude: Override,
    global: Gitignore,
    /// The ignore files in effect in each folder judged so far.
    folders: Mutex<HashMap<PathBuf, Arc<FolderRules>>>,
}

impl std::fmt::Debug for Admission {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admission").field("root", &self.root).finish_non_exhaustive()
    }
}

impl Admission {
    /// The rule for `root` under `options`; an error names a bad glob.
    pub fn new(root: &Path, options: &ScanOptions) -> Result<Admission, ScanProblem> {
        let invalid = |message: String| ScanProblem { path: root.to_owned(), kind: ProblemKind::Io, message };
        let globs = |globs: &[String], prefix: &str, what: &str| {
            let mut builder = OverrideBuilder::new(root);
            for glob in globs {
                builder
                    .add(&format!("{prefix}{glob}"))
                    .map_err(|error| invalid(format!("bad {what} glob: {error}")))?;
            }
            builder.build().map_err(|error| invalid(format!("bad {what} globs: {error}")))
        };
        let include = globs(&options.include, "", "include")?;
        let exclude = globs(&options.exclude, "!", "exclude")?;
        let (global, _) = Gitignore::global();
        // The folders above the root count as git and ripgrep count them: a
        // root inside a repository takes the repository's ignore files.
        let mut above: Option<Arc<FolderRules>> = None;
        let ancestors: Vec<&Path> = root.ancestors().collect();
        for folder in ancestors.into_iter().rev() {
            above = Some(Arc::new(FolderRules::read(folder, above)));
        }
        let mut folders = HashMap::new();
        if let Some(rules) = above {
            folders.insert(root.to_owned(), rules);
        }
        Ok(Admission { root: root.to_owned(), include, exclude, global, folders: Mutex::new(folders) })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Whether `path` is admitted: a file (`is_dir` false) to index, or a
    /// folder (`is_dir` true) that files to index may be under.
    pub fn admits(&self, path: &Path, is_dir: bool) -> bool {
        !self.refused_by_name(path, is_dir) && self.judge(path, is_dir).is_ok()
    }

    /// Whether a name on the way to `path` is hidden or a skipped folder:
    /// most of a bulk change's events (under `.git/`, `node_modules/`) are
    /// refused so, by comparing bytes, without looking up any rules.
    pub fn refused_by_name(&self, path: &Path, is_dir: bool) -> bool {
        let separator = std::path::MAIN_SEPARATOR as u8;
        let (path, root) = (path.as_os_str().as_encoded_bytes(), self.root.as_os_str().as_encoded_bytes());
        let Some(relative) = path.strip_prefix(root).and_then(|rest| rest.strip_prefix(&[separator])) else {
            return false;
        };
        let mut names = relative.split(|byte| *byte == separator).filter(|name| !name.is_empty()).peekable();
        while let Some(name) = names.next() {
            // `.` and `..` are not hidden names: the full judgement sees them.
            if name == b"." || name == b".." {
                return false;
            }
            if name.starts_with(b".") {
                return true;
            }
            let folder = names.peek().is_some() || is_dir;
            if folder && SKIPPED_DIRS.iter().any(|skipped| skipped.as_bytes() == name) {
                return true;
            }
        }
        false
    }

    /// [`Admission::admits`], saying why not.
    pub fn judge(&self, path: &Path, is_dir: bool) -> Result<(), Refusal> {
        let relative = path.strip_prefix(&self.root).map_err(|_| Refusal::OutsideRoot)?;
        let names: Vec<&OsStr> = relative
            .components()
            .map(|part| match part {
                Component::Normal(name) => Ok(name),
                _ => Err(Refusal::OutsideRoot),
            })
            .collect::<Result<_, _>>()?;
        let Some((_, folders)) = names.split_last() else { return Ok(()) };
        let mut folder = self.root.clone();
        for name in folders {
            let rules = self.rules_of(&folder);
            folder.push(name);
            self.judge_entry(&rules, &folder, true)?;
        }
        let rules = self.rules_of(&folder);
        self.judge_entry(&rules, path, is_dir)
    }

    /// Whether an entry of a walk is admitted, its folder having been.
    pub(crate) fn admits_entry(&self, path: &Path, is_dir: bool) -> bool {
        let Some(folder) = path.parent() else { return false };
        let rules = self.rules_of(folder);
        self.judge_entry(&rules, path, is_dir).is_ok()
    }

    /// Judges the last part of `path`, in a folder with `rules`.
    fn judge_entry(&self, rules: &FolderRules, path: &Path, is_dir: bool) -> Result<(), Refusal> {
        let name = path.file_name().ok_or(Refusal::OutsideRoot)?;
        if name.as_encoded_bytes().starts_with(b".") {
            return Err(Refusal::Hidden);
        }
        if is_dir && name.to_str().is_some_and(|name| SKIPPED_DIRS.contains(&name)) {
            return Err(Refusal::SkippedFolder);
        }
        if self.exclude.matched(path, is_dir).is_ignore() {
            return Err(Refusal::Excluded);
        }
        // Include globs name files; a folder is walked whatever they say.
        if !is_dir && self.include.matched(path, false).is_ignore() {
            return Err(Refusal::NotIncluded);
        }
        if rules.ignores(path, is_dir, &self.global) {
            return Err(Refusal::Ignored);
        }
        Ok(())
    }

    /// The ignore files in effect in `folder` (under the root), read on
    /// first use with those of the folders between it and the root.
    fn rules_of(&self, folder: &Path) -> Arc<FolderRules> {
        if let Some(rules) = lock(&self.folders).get(folder) {
            return rules.clone();
        }
        let parent = match folder.parent() {
            Some(parent) if folder != self.root && folder.starts_with(&self.root) => {
                Some(self.rules_of(parent))
            }
            _ => None,
        };
        let rules = Arc::new(FolderRules::read(folder, parent));
        lock(&self.folders).entry(folder.to_owned()).or_insert(rules).clone()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // Every writer leaves the map whole: a panic elsewhere cannot break it.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::walk::list_files;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("folders");
        std::fs::write(path, text).expect("a file");
    }

    /// A repository with one file of each kind the rule must tell apart.
    fn tree() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path();
        std::fs::create_dir(root.join(".git")).expect("a repository");
        write(root, ".gitignore", "ignored.md\ndrafts/\n/build\n*.tmp.md\n");
        write(root, "sub/.gitignore", "!kept.tmp.md\nlocal.md\n");
        write(root, ".ignore", "scratch/\n");
        for file in [
            "a.md",
            "notes.txt",
            "ignored.md",
            ".hidden.md",
            ".folder/a.md",
            "drafts/copy.md",
            "build/out.md",
            "deep/build/kept.md",
            "x.tmp.md",
            "sub/kept.tmp.md",
            "sub/local.md",
            "sub/other.md",
            "scratch/s.md",
            "node_modules/pkg/README.md",
            "target/doc.md",
            "excluded/e.md",
        ] {
            write(root, file, "---\nid: 1\n---\n");
        }
        dir
    }

    fn options() -> ScanOptions {
        ScanOptions { exclude: vec!["excluded/**".to_owned()], ..ScanOptions::default() }
    }

    #[test]
    fn each_kind_of_path_is_judged_as_the_readme_says() {
        let dir = tree();
        let root = dir.path();
        let admission = Admission::new(root, &options()).expect("valid globs");
        let judged = |relative: &str| admission.judge(&root.join(relative), false);
        assert_eq!(judged("a.md"), Ok(()));
        assert_eq!(judged("deep/build/kept.md"), Ok(()), "`/build` is anchored to the root");
        assert_eq!(judged("sub/kept.tmp.md"), Ok(()), "a nearer `!` rule wins");
        assert_eq!(judged("sub/other.md"), Ok(()));
        assert_eq!(judged("notes.txt"), Err(Refusal::NotIncluded));
        assert_eq!(
            judged("ignored.md"),
            Err(Refusal::Ignored),
            "an include glob does not override .gitignore"
        );
        assert_eq!(judged("x.tmp.md"), Err(Refusal::Ignored));
        assert_eq!(judged("sub/local.md"), Err(Refusal::Ignored));
        assert_eq!(judged("drafts/copy.md"), Err(Refusal::Ignored));
        assert_eq!(judged("build/out.md"), Err(Refusal::Ignored));
        assert_eq!(judged("scratch/s.md"), Err(Refusal::Ignored), ".ignore files count too");
        assert_eq!(judged(".hidden.md"), Err(Refusal::Hidden));
        assert_eq!(judged(".folder/a.md"), Err(Refusal::Hidden));
        assert_eq!(judged(".git/objects/ab/cdef"), Err(Refusal::Hidden));
        assert_eq!(judged("node_modules/pkg/README.md"), Err(Refusal::SkippedFolder));
        assert_eq!(judged("target/doc.md"), Err(Refusal::SkippedFolder));
        assert_eq!(judged("excluded/e.md"), Err(Refusal::Excluded));
        assert_eq!(admission.judge(&root.join("../a.md"), false), Err(Refusal::OutsideRoot));
        assert_eq!(admission.judge(Path::new("/elsewhere/a.md"), false), Err(Refusal::OutsideRoot));
        assert!(admission.admits(&root.join("sub"), true));
        assert!(!admission.admits(&root.join("drafts"), true));
        assert!(!admission.admits(&root.join("node_modules"), true));
    }

    #[test]
    fn refusing_by_name_agrees_with_the_full_judgement() {
        let dir = tree();
        let root = dir.path();
        let admission = Admission::new(root, &options()).expect("valid globs");
        let extra = [
            "node_modules",
            "target",
            "sub/target",
            "sub/node_modules/x.md",
            ".git/index",
            ".folder",
            "sub/../a.md",
            "./a.md",
            "sub//.hidden.md",
        ];
        let paths = ignore::WalkBuilder::new(root)
            .standard_filters(false)
            .build()
            .filter_map(Result::ok)
            .map(ignore::DirEntry::into_path)
            .chain(extra.iter().map(|relative| root.join(relative)));
        let mut refused_by_name = 0;
        for path in paths {
            for is_dir in [false, true] {
                let judged = admission.judge(&path, is_dir).is_ok();
                assert_eq!(admission.admits(&path, is_dir), judged, "{} (folder: {is_dir})", path.display());
                if admission.refused_by_name(&path, is_dir) {
                    assert!(!judged, "{} refused by name only", path.display());
                    refused_by_name += 1;
                }
            }
        }
        assert!(refused_by_name > 10, "the tree has hidden and skipped names: {refused_by_name}");
    }

    #[test]
    fn the_scan_lists_exactly_the_files_the_rule_admits() {
        let dir = tree();
        let root = dir.path();
        let listing = list_files(&[root.to_owned()], &options()).expect("a listing");
        let listed: Vec<&Path> = listing.files.iter().map(|file| file.on_disk()).collect();
        let admission = Admission::new(root, &options()).expect("valid globs");
        let mut admitted: Vec<PathBuf> = ignore::WalkBuilder::new(root)
            .standard_filters(false)
            .build()
            .filter_map(Result::ok)
            .filter(|entry| entry.file_type().is_some_and(|kind| kind.is_file()))
            .map(ignore::DirEntry::into_path)
            .filter(|path| admission.admits(path, false))
            .collect();
        admitted.sort();
        assert_eq!(listed, admitted);
        let names: Vec<String> = listed
            .iter()
            .map(|path| path.strip_prefix(root).expect("under the root").display().to_string())
            .collect();
        assert_eq!(names, ["a.md", "deep/build/kept.md", "sub/kept.tmp.md", "sub/other.md"]);
    }

    #[test]
    fn gitignore_outside_a_repository_is_not_read_but_dot_ignore_is() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let root = dir.path();
        write(root, ".gitignore", "a.md\n");
        write(root, ".ignore", "b.md\n");
        let admission = Admission::new(root, &ScanOptions::default()).expect("valid globs");
        // The temporary folder is not inside a repository, as git sees it.
        let in_repository = root.ancestors().any(|folder| folder.join(".git").exists());
        assert_eq!(admission.admits(&root.join("a.md"), false), !in_repository);
        assert!(!admission.admits(&root.join("b.md"), false));
    }
}
