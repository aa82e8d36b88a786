//! What the server knows: the index snapshot, the workspace roots and the
//! settings that apply under each.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::documents::OpenDocument;
use super::lock::lock;
use article_core::diagnostics::{AsClaimant, AsLinked};
use article_core::index::{ArticleIndex, FilePath};
use article_core::suggest::{HintFacts, hinted_files};
use article_core::summary::ArticleSummary;
use article_workspace::admission::Admission;
use article_workspace::boundary::Boundary;
use article_workspace::config::Settings;
use article_workspace::files::{Loaded, ProblemKind, ScanProblem};

/// One version of what the loop owns that requests read: the index, the
/// open documents, the roots and their settings, and how many of the
/// editor's notifications (opened, edited, closed) are in them.
#[derive(Clone, Default)]
pub struct Snapshot {
    pub index: Arc<ArticleIndex>,
    pub documents: Documents,
    pub workspace: Arc<Workspace>,
    /// Whether a scan was running when this index was stored: an article
    /// missing from it may then merely not be read yet.
    pub scanning: bool,
    pub editor_events: u64,
}

/// The open documents, by path.
pub type Documents = imbl::HashMap<FilePath, Arc<OpenDocument>>;

/// How the client names `path`: an open document keeps the client's own
/// URI; any other file is named from its path.
pub fn uri_in(documents: &Documents, path: &FilePath) -> Option<tower_lsp_server::ls_types::Uri> {
    documents.get(path).map(|document| document.uri.clone()).or_else(|| super::convert::uri(path))
}

/// The latest [`Snapshot`]. The analysis loop alone stores into it.
/// A request reads the snapshot that holds exactly the editor changes sent
/// before it: not fewer (it would answer about an older text), and not
/// more (the positions it was given are in the text as it was when it was
/// sent). The loop applies each editor change as it comes, so that is
/// nearly always the latest; otherwise the request waits for the loop to
/// store it.
#[derive(Default)]
pub struct StateCell(Mutex<CellState>);

#[derive(Default)]
struct CellState {
    latest: Arc<Snapshot>,
    /// Requests waiting for the snapshot of so many editor changes.
    waiting: BTreeMap<u64, Vec<oneshot::Sender<Arc<Snapshot>>>>,
}

impl StateCell {
    pub fn snapshot(&self) -> Arc<Snapshot> {
        lock(&self.0).latest.clone()
    }

    /// The current index.
    pub fn index(&self) -> Arc<ArticleIndex> {
        lock(&self.0).latest.index.clone()
    }

    pub fn workspace(&self) -> Arc<Workspace> {
        lock(&self.0).latest.workspace.clone()
    }

    /// Changes the roots or their settings (the loop alone does).
    pub fn update_workspace<R>(&self, change: impl FnOnce(&mut Workspace) -> R) -> R {
        let mut next = Workspace::clone(&self.workspace());
        let result = change(&mut next);
        self.store(|snapshot| snapshot.workspace = Arc::new(next));
        result
    }

    pub fn is_open(&self, path: &FilePath) -> bool {
        lock(&self.0).latest.documents.contains_key(path)
    }

    /// The snapshot of the first `events` editor changes. Called when a
    /// request arrives, before any other notification can be sent (the
    /// loop cannot have applied more than were sent).
    pub async fn holding(&self, events: u64) -> Arc<Snapshot> {
        let stored = {
            let mut cell = lock(&self.0);
            if cell.latest.editor_events >= events {
                return cell.latest.clone();
            }
            let (sender, stored) = oneshot::channel();
            cell.waiting.entry(events).or_default().push(sender);
            stored
        };
        // The loop ends only with the server.
        stored.await.unwrap_or_else(|_| self.snapshot())
    }

    pub fn store_index(&self, index: ArticleIndex) {
        self.store(|snapshot| snapshot.index = Arc::new(index));
    }

    pub fn store(&self, change: impl FnOnce(&mut Snapshot)) {
        let replaced = {
            let mut cell = lock(&self.0);
            let mut next = Snapshot::clone(&cell.latest);
            change(&mut next);
            let next = Arc::new(next);
            let held =
                cell.waiting.range(..=next.editor_events).map(|(events, _)| *events).collect::<Vec<_>>();
            for events in held {
                for waiting in cell.waiting.remove(&events).unwrap_or_default() {
                    let _ = waiting.send(next.clone());
                }
            }
            std::mem::replace(&mut cell.latest, next)
        };
        // Freeing what the old version did not share with the new one takes
        // a while: not with the lock held, which every request takes.
        drop(replaced);
    }
}

/// Replaces what `index` holds for `path` with `loaded` (`None`: no article
/// there any more) and adds to `affected` every file whose diagnostics may
/// change: the file itself; when what they see of it changed, articles
/// linking to its old or new id or url ([`AsLinked`]) and articles sharing
/// its old or new id or url ([`AsClaimant`]); and, when what a "did you
/// mean" shows of it changed, files whose broken links it could be the hint
/// of. So an edit to an article's answer or body rechecks it alone, and a
/// new title only the articles linking to it.
pub fn replace(
    index: &mut ArticleIndex,
    path: FilePath,
    loaded: Option<Loaded>,
    affected: &mut BTreeSet<FilePath>,
) {
    let hint_before = HintFacts::of(index, &path);
    let (linked_before, claimant_before) = (AsLinked::of(index, &path), AsClaimant::of(index, &path));
    // What the article claimed before: its referrers and claimants then are
    // looked up only if what they see changed (typing in an answer looks
    // up nothing). The lookups do not depend on the article's own entry.
    let claimed_before = index.get_by_path(&path).map(|entry| Claims::of(&entry.summary));
    match loaded {
        Some(Loaded::Article(summary, line_index)) => {
            index.upsert(path.clone(), *summary, line_index);
        }
        Some(Loaded::NotAnArticle) | None => {
            index.remove(&path);
        }
    }
    let claimed_after = index.get_by_path(&path).map(|entry| Claims::of(&entry.summary));
    let claims = || claimed_before.iter().chain(&claimed_after);
    let mut files = Vec::new();
    if linked_before != AsLinked::of(index, &path) {
        files.extend(claims().flat_map(|claims| index.referrers(claims.id, claims.url.as_deref())));
    }
    if claimant_before != AsClaimant::of(index, &path) {
        for claims in claims() {
            files.extend(claims.id.map(|id| index.with_id(id).to_vec()).unwrap_or_default());
            files.extend(claims.url.as_deref().map(|url| index.with_url(url).to_vec()).unwrap_or_default());
        }
    }
    let hint_after = HintFacts::of(index, &path);
    if hint_before != hint_after {
        files.extend(hinted_files(index, hint_before.as_ref(), hint_after.as_ref()));
    }
    affected.extend(files.into_iter().map(|file| index.path(file).clone()));
    affected.insert(path);
}

/// The id and url an article claims: what its referrers and claimants are
/// found by.
struct Claims {
    id: Option<article_core::article::ArticleId>,
    url: Option<String>,
}

impl Claims {
    fn of(summary: &ArticleSummary) -> Claims {
        Claims { id: summary.id, url: summary.article_url().map(str::to_owned) }
    }
}

/// Whether `path` is `folder` or under it. Bytes first (every event of a
/// bulk change is looked up); `Path::starts_with`, which compares parts,
/// decides the rest (a path written with `.` parts or doubled separators).
fn is_under(path: &Path, folder: &Path) -> bool {
    let separator = std::path::MAIN_SEPARATOR as u8;
    let plainly =
        match path.as_os_str().as_encoded_bytes().strip_prefix(folder.as_os_str().as_encoded_bytes()) {
            Some([]) => true,
            Some([next, ..]) => *next == separator,
            None => false,
        };
    plainly || path.starts_with(folder)
}

/// One workspace folder and the settings that apply under it.
#[derive(Clone)]
pub struct Root {
    pub path: PathBuf,
    pub settings: Settings,
    /// Which files under it are articles (`None` while its globs are
    /// invalid: then none are, and the scan says why).
    pub admission: Option<Arc<Admission>>,
    /// What may be read under it.
    pub boundary: Boundary,
}

/// The roots, and the editor's settings layered over each root's file.
#[derive(Clone, Default)]
pub struct Workspace {
    roots: Vec<Root>,
    editor: serde_json::Value,
    /// Editor settings alone, for files outside every root.
    loose: Settings,
}

impl Workspace {
    pub fn roots(&self) -> impl Iterator<Item = &Root> {
        self.roots.iter()
    }

    pub fn has_root(&self, path: &Path) -> bool {
        self.roots.iter().any(|root| root.path == path)
    }

    /// Adds a root, reading its settings file. Returns problems to report.
    pub fn add_root(&mut self, path: PathBuf) -> Vec<String> {
        if self.has_root(&path) {
            return Vec::new();
        }
        let (file_settings, mut problems) = Settings::load(&path);
        let settings = self.layered(&file_settings, &mut problems);
        let admission = Admission::new(&path, &settings.scan_options()).ok().map(Arc::new);
        let boundary = Boundary::new(&path, settings.follow_symlinks);
        self.roots.push(Root { path, settings, admission, boundary });
        problems
    }

    pub fn remove_root(&mut self, path: &Path) {
        self.roots.retain(|root| root.path != path);
    }

    /// Rereads every root's settings file and layers `editor` (when given)
    /// over them. Returns problems to report.
    pub fn reload(&mut self, editor: Option<serde_json::Value>) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(editor) = editor {
            if let Err(error) = Settings::default().with_editor_settings(&editor) {
                problems.push(format!("editor settings `articleLsp`: {error}; ignored"));
            } else {
                self.editor = editor;
            }
        }
        self.loose = self.layered(&Settings::default(), &mut problems);
        let roots: Vec<PathBuf> = self.roots.drain(..).map(|root| root.path).collect();
        for root in roots {
            problems.extend(self.add_root(root));
        }
        problems
    }

    fn layered(&self, file: &Settings, problems: &mut Vec<String>) -> Settings {
        match file.with_editor_settings(&self.editor) {
            Ok((settings, found)) => {
                problems.extend(found.into_iter().map(|p| format!("editor settings `articleLsp`: {p}")));
                settings
            }
            Err(_) => file.clone(),
        }
    }

    /// The innermost root holding `path`.
    pub fn root_of(&self, path: &Path) -> Option<&Root> {
        self.roots
            .iter()
            .filter(|root| is_under(path, &root.path))
            .max_by_key(|root| root.path.as_os_str().len())
    }

    /// Whether `path` is outside every root (an untitled document, or a
    /// file opened without a workspace around it): nothing says what the
    /// other articles are, so its links cannot be checked.
    pub fn is_loose(&self, path: &FilePath) -> bool {
        self.root_of(Path::new(path.as_str())).is_none()
    }

    pub fn settings_for(&self, path: &FilePath) -> &Settings {
        self.root_of(Path::new(path.as_str())).map_or(&self.loose, |root| &root.settings)
    }

    /// Whether a file on disk belongs to the workspace's index: the
    /// admission rule of its root lets it in.
    pub fn includes(&self, path: &Path) -> bool {
        self.admission_of(path).is_some_and(|admission| admission.admits(path, false))
    }

    /// The admission rule of the root holding `path`.
    pub fn admission_of(&self, path: &Path) -> Option<&Arc<Admission>> {
        self.root_of(path).and_then(|root| root.admission.as_ref())
    }

    /// Reads the ignore files of `root` afresh (one of them changed).
    pub fn reread_rules(&mut self, root: &Path) {
        for found in self.roots.iter_mut().filter(|found| found.path == root) {
            found.admission = Admission::new(&found.path, &found.settings.scan_options()).ok().map(Arc::new);
        }
    }

    /// Reads a file of the workspace; nothing outside the roots' boundaries.
    pub fn read_text(&self, path: &Path) -> Result<String, ScanProblem> {
        match self.root_of(path) {
            Some(root) => root.boundary.read_text(path),
            None => Err(ScanProblem {
                path: path.to_owned(),
                kind: ProblemKind::Skipped,
                message: "not read: outside the workspace folders".to_owned(),
            }),
        }
    }
}

/// A root for a file opened without workspace folders: the nearest folder
/// above it holding `.git` or `article-lsp.toml`. Never the home folder or
/// `/`, whose scan would read a whole disk.
pub fn find_root(file: &Path) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    file.ancestors()
        .skip(1)
        .find(|dir| dir.join(".git").exists() || dir.join(article_workspace::config::CONFIG_FILE).exists())
        .map(Path::to_path_buf)
        .filter(|dir| acceptable_root(dir, home.as_deref()))
}

/// Refuses `/` and the home folder as roots, also when reached through a
/// symbolic link (both are resolved before they are compared).
pub fn acceptable_root(dir: &Path, home: Option<&Path>) -> bool {
    let resolved = |path: &Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let dir = resolved(dir);
    dir.parent().is_some() && home.is_none_or(|home| dir != resolved(home))
}

#[cfg(test)]
mod recheck_property;

#[cfg(test)]
mod tests {
    use super::*;
    use article_workspace::files::load_text;

    fn article(id: u64, url: &str, links: &[u64]) -> String {
        let mut text = format!("---\nid: {id}\ntitle: T{id}\nurl: {url}\n");
        for (n, link) in links.iter().enumerate() {
            text.push_str(&format!("related_article{}:\n  id: {link}\n", n + 1));
        }
        text + "---\n"
    }

    #[test]
    fn changing_an_id_affects_referrers_of_the_old_and_new_id() {
        let mut index = ArticleIndex::new();
        let mut ignored = BTreeSet::new();
        for (path, text) in
            [("/a", article(1, "/a", &[])), ("/b", article(2, "/b", &[1])), ("/c", article(3, "/c", &[9]))]
        {
            replace(&mut index, FilePath::new(path), Some(load_text(&text)), &mut ignored);
        }
        let mut affected = BTreeSet::new();
        replace(&mut index, FilePath::new("/a"), Some(load_text(&article(9, "/a", &[]))), &mut affected);
        let names: Vec<&str> = affected.iter().map(FilePath::as_str).collect();
        assert_eq!(names, ["/a", "/b", "/c"]);
        let mut affected = BTreeSet::new();
        replace(&mut index, FilePath::new("/a"), None, &mut affected);
        assert!(affected.contains(&FilePath::new("/c")));
        assert!(index.get_by_path(&FilePath::new("/a")).is_none());
    }

    #[test]
    fn an_edit_to_the_answer_rechecks_the_article_alone_and_a_title_its_referrers() {
        let target = |title: &str, answer: &str| {
            format!("---\nid: 1\ntitle: {title}\nurl: /a\nanswer: {answer}\n---\nBody\n")
        };
        let mut index = ArticleIndex::new();
        let mut ignored = BTreeSet::new();
        let files = [
            ("/a", target("T1", "Short.")),
            ("/b", article(2, "/b", &[1])),
            // Claims the same url: a duplicate of `/a`.
            ("/c", article(3, "/a", &[])),
        ];
        for (path, text) in files {
            replace(&mut index, FilePath::new(path), Some(load_text(&text)), &mut ignored);
        }
        let affected_by = |index: &mut ArticleIndex, text: String| {
            let mut affected = BTreeSet::new();
            replace(index, FilePath::new("/a"), Some(load_text(&text)), &mut affected);
            affected.iter().map(|path| path.as_str().to_owned()).collect::<Vec<_>>()
        };
        assert_eq!(affected_by(&mut index, target("T1", "A longer answer.")), ["/a"]);
        assert_eq!(affected_by(&mut index, target("T1", "A longer answer.") + "More body.\n"), ["/a"]);
        assert_eq!(affected_by(&mut index, target("New title", "A longer answer.")), ["/a", "/b"]);
        // A line above the fields moves where the claimant's related
        // information points.
        let moved = target("New title", "A longer answer.").replacen("---\n", "---\n# a note\n", 1);
        assert_eq!(affected_by(&mut index, moved), ["/a", "/b", "/c"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_home_reached_through_a_symbolic_link_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let home = dir.path().join("home");
        std::fs::create_dir(&home).expect("a home");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&home, &link).expect("a link to it");
        assert!(!acceptable_root(&link, Some(&home)));
        assert!(!acceptable_root(&home, Some(&link)));
        assert!(acceptable_root(&home.join("notes"), Some(&link)));
    }

    #[test]
    fn home_and_filesystem_root_are_refused() {
        assert!(!acceptable_root(Path::new("/"), None));
        assert!(!acceptable_root(Path::new("/home/me"), Some(Path::new("/home/me"))));
        assert!(acceptable_root(Path::new("/home/me/notes"), Some(Path::new("/home/me"))));
    }

    #[test]
    fn retitling_an_article_affects_the_files_it_is_the_hint_of() {
        let target = |title: &str| format!("---\nid: 2\ntitle: {title}\nurl: /learn/x/questions/a\n---\n");
        let broken =
            "---\nid: 1\ntitle: R\nurl: /r\nrelated_article1:\n  id: 99\n  title: How do tides work?\n---\n";
        let mut index = ArticleIndex::new();
        let mut ignored = BTreeSet::new();
        for (path, text) in [("/a", target("How do tides work here?")), ("/r", broken.to_owned())] {
            replace(&mut index, FilePath::new(path), Some(load_text(&text)), &mut ignored);
        }
        let mut affected = BTreeSet::new();
        replace(&mut index, FilePath::new("/a"), Some(load_text(&target("How tides turn"))), &mut affected);
        assert!(affected.contains(&FilePath::new("/r")), "{affected:?}");
        // Below the front matter: nothing a hint shows changed.
        let mut affected = BTreeSet::new();
        let edited = target("How tides turn") + "More text.\n";
        replace(&mut index, FilePath::new("/a"), Some(load_text(&edited)), &mut affected);
        assert!(!affected.contains(&FilePath::new("/r")), "{affected:?}");
        let mut affected = BTreeSet::new();
        let unrelated = "---\nid: 3\ntitle: Cooking pasta\nurl: /c\n---\n";
        replace(&mut index, FilePath::new("/c"), Some(load_text(unrelated)), &mut affected);
        assert!(!affected.contains(&FilePath::new("/r")), "{affected:?}");
    }
}
