//! The analysis task: the one writer of the index. It takes changes in
//! batches (debounced), applies them to a clone of the index, works out which
//! files' diagnostics may have changed, and publishes only the sets that did.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{DefaultHasher, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use fnv::FnvHasher;
use rayon::prelude::*;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::oneshot;
use tokio::time::{Instant, sleep_until};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::state::{Workspace, replace, with_current_text};
use super::{Shared, convert, lock, scan};
use crate::diagnostics::article_diagnostics;
use crate::index::{ArticleIndex, FilePath};
use crate::workspace::{Loaded, discover, load_text};

/// How long changes are gathered before diagnostics are recomputed.
const DEBOUNCE: Duration = Duration::from_millis(50);

pub enum Change {
    /// An open document's text changed (opened or edited).
    Document(FilePath),
    /// A document was closed: the disk is authoritative again.
    Closed(FilePath),
    /// Something on disk was created, changed or deleted (file or folder).
    Disk(PathBuf),
    /// A settings file changed on disk.
    ConfigFile,
    ScanStarted,
    /// Files read by a scan; `None` for files that are not article texts.
    Scanned(Vec<(FilePath, Option<Loaded>)>),
    /// `seen` (when the scan could list the root): every file the scan found,
    /// so that indexed files under `root` it did not find are dropped.
    /// `indexed` is told once the index holds the whole scan.
    ScanFinished {
        root: PathBuf,
        seen: Option<HashSet<FilePath>>,
        indexed: Option<oneshot::Sender<()>>,
    },
    RootRemoved(PathBuf),
    /// Settings changed: every diagnostic may differ.
    SettingsChanged,
}

#[derive(Default)]
struct Analysis {
    /// What the client was last sent, per file: under which URI, and a
    /// fingerprint of the set (a workspace can have tens of thousands of
    /// sets; only whether one changed is needed). Empty sets are not kept.
    published: HashMap<FilePath, (Uri, Fingerprint)>,
    /// Open documents and the versions the index was last built from.
    versions: HashMap<FilePath, i32>,
    scans_running: usize,
    /// Files to recheck once no scan is running (partial indexes would show
    /// links as broken whose targets are merely not read yet).
    deferred: BTreeSet<FilePath>,
    /// Paths a disk event reloaded while a scan ran: the scan's own view of
    /// them may be older (a file it read, then deleted; one created after it
    /// listed the folder), so the event's wins.
    changed_during_scan: HashSet<PathBuf>,
    recheck_all: bool,
    /// Scans waiting for their files to be in the stored index.
    indexed: Vec<oneshot::Sender<()>>,
}

struct Publication {
    uri: Uri,
    version: Option<i32>,
    diagnostics: Vec<lsp::Diagnostic>,
}

pub async fn run(shared: Weak<Shared>, mut changes: UnboundedReceiver<Change>) {
    let analysis = Arc::new(Mutex::new(Analysis::default()));
    while let Some(first) = changes.recv().await {
        let mut batch = vec![first];
        let deadline = Instant::now() + DEBOUNCE;
        loop {
            tokio::select! {
                () = sleep_until(deadline) => break,
                next = changes.recv() => match next {
                    Some(change) => batch.push(change),
                    None => break,
                },
            }
        }
        let Some(shared) = shared.upgrade() else { return };
        let (config_files, batch): (Vec<Change>, Vec<Change>) =
            batch.into_iter().partition(|change| matches!(change, Change::ConfigFile));
        if !config_files.is_empty() {
            shared.reload_settings(None).await;
        }
        let (worker_shared, worker_analysis) = (shared.clone(), analysis.clone());
        let started = std::time::Instant::now();
        let changes = batch.len();
        let outcome =
            tokio::task::spawn_blocking(move || process(&worker_shared, &mut lock(&worker_analysis), batch))
                .await;
        match outcome {
            Ok(Processed { publications, open_changed, indexed }) => {
                let processed = started.elapsed();
                let published = publications.len();
                for publication in publications {
                    shared
                        .client
                        .publish_diagnostics(publication.uri, publication.diagnostics, publication.version)
                        .await;
                }
                let session = shared.session();
                if open_changed && session.pull_diagnostics && session.diagnostic_refresh {
                    let _ = shared.client.workspace_diagnostic_refresh().await;
                }
                for scan in indexed {
                    let _ = scan.send(());
                }
                tracing::debug!(
                    "{changes} changes applied and checked in {processed:?}, {published} sets published in {:?}",
                    started.elapsed() - processed
                );
            }
            Err(error) => tracing::error!("analysis of a batch of changes failed: {error}"),
        }
    }
}

/// Applies a batch to the index; returns what to publish, and whether an
/// open document's diagnostics may have changed.
/// What a batch gave: diagnostics to publish, whether an open document's
/// changed, and the scans waiting to hear that the index holds them.
struct Processed {
    publications: Vec<Publication>,
    open_changed: bool,
    indexed: Vec<oneshot::Sender<()>>,
}

fn process(shared: &Shared, analysis: &mut Analysis, batch: Vec<Change>) -> Processed {
    let workspace = shared.workspace();
    let mut index = (*shared.index.snapshot()).clone();
    let mut affected = BTreeSet::new();
    for change in coalesce_scans(batch) {
        apply(shared, &workspace, analysis, &mut index, change, &mut affected);
    }
    shared.index.store(index.clone());
    // Told once this batch's diagnostics are out (see `run`): a scan's
    // progress ends when its answers and diagnostics are complete.
    let indexed = std::mem::take(&mut analysis.indexed);

    if analysis.scans_running > 0 {
        analysis.deferred.append(&mut affected);
        return Processed { publications: Vec::new(), open_changed: false, indexed };
    }
    affected.append(&mut analysis.deferred);
    if std::mem::take(&mut analysis.recheck_all) {
        affected.extend(index.iter().map(|(_, entry)| entry.path.clone()));
        affected.extend(analysis.published.keys().cloned());
    }
    // Open as far as the index knows: a document opened while this batch
    // ran is handled with its own change, in the next batch.
    let open: HashSet<FilePath> = analysis.versions.keys().cloned().collect();
    let open_changed = affected.iter().any(|path| open.contains(path));
    let pull = shared.session().pull_diagnostics;
    // Fingerprinted here, on every core: a scan's end has tens of thousands.
    let nothing = Fingerprint::of(&[]);
    let wanted: Vec<(FilePath, Vec<lsp::Diagnostic>, Fingerprint)> = affected
        .into_par_iter()
        .map(|path| {
            let is_open = open.contains(&path);
            let shown = if is_open { !pull } else { workspace.settings_for(&path).workspace_diagnostics };
            let diagnostics =
                if shown { diagnostics_of(shared, &workspace, &index, &path) } else { Vec::new() };
            let fingerprint = if diagnostics.is_empty() { nothing } else { Fingerprint::of(&diagnostics) };
            (path, diagnostics, fingerprint)
        })
        .collect();

    let mut publications = Vec::new();
    for (path, diagnostics, fingerprint) in wanted {
        // Most files of a workspace have nothing to say, before or after:
        // they need no URI built.
        if diagnostics.is_empty() && !analysis.published.contains_key(&path) {
            continue;
        }
        let Some(uri) = shared.uri_of(&path) else { continue };
        let version = open.contains(&path).then(|| analysis.versions.get(&path).copied()).flatten();
        match analysis.published.get(&path) {
            Some((previous_uri, previous)) if *previous_uri == uri && *previous == fingerprint => continue,
            // The client now names the file differently (it opened it under
            // its own spelling): clear the set filed under the old name.
            Some((previous_uri, _)) if *previous_uri != uri => publications.push(Publication {
                uri: previous_uri.clone(),
                version: None,
                diagnostics: Vec::new(),
            }),
            None if diagnostics.is_empty() => continue,
            _ => {}
        }
        if diagnostics.is_empty() {
            analysis.published.remove(&path);
        } else {
            analysis.published.insert(path, (uri.clone(), fingerprint));
        }
        publications.push(Publication { uri, version, diagnostics });
    }
    Processed { publications, open_changed, indexed }
}

/// A set of diagnostics as it is sent to the client, hashed by two unrelated
/// 64-bit functions.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Fingerprint(u64, u64);

impl Fingerprint {
    fn of(diagnostics: &[lsp::Diagnostic]) -> Fingerprint {
        let mut hashers = HashingWriter(DefaultHasher::new(), FnvHasher::default());
        // Writing to a hasher cannot fail, and the wire form is the one the
        // client compares: two sets it cannot tell apart hash alike.
        let _ = serde_json::to_writer(&mut hashers, diagnostics);
        Fingerprint(hashers.0.finish(), hashers.1.finish())
    }
}

struct HashingWriter(DefaultHasher, FnvHasher);

impl std::io::Write for HashingWriter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.write(bytes);
        self.1.write(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Joins batches of a scan that arrived one after another: the index files
/// each batch's keys in one merge, so fewer, larger batches cost less.
fn coalesce_scans(batch: Vec<Change>) -> Vec<Change> {
    let mut joined: Vec<Change> = Vec::with_capacity(batch.len());
    for change in batch {
        match (change, joined.last_mut()) {
            (Change::Scanned(more), Some(Change::Scanned(files))) => files.extend(more),
            (change, _) => joined.push(change),
        }
    }
    joined
}

fn apply(
    shared: &Shared,
    workspace: &Workspace,
    analysis: &mut Analysis,
    index: &mut ArticleIndex,
    change: Change,
    affected: &mut BTreeSet<FilePath>,
) {
    match change {
        Change::Document(path) => {
            if let Some((text, version)) = shared.documents.text(&path) {
                analysis.versions.insert(path.clone(), version);
                let loaded = load_text(&text.to_string());
                replace(index, path, Some(loaded), affected);
            }
        }
        Change::Closed(path) => {
            analysis.versions.remove(&path);
            let on_disk = Path::new(path.as_str());
            if on_disk.is_absolute() && workspace.includes(on_disk) {
                reload(workspace, index, on_disk, affected);
            } else {
                replace(index, path, None, affected);
            }
        }
        Change::Disk(path) => {
            if analysis.scans_running > 0 {
                analysis.changed_during_scan.insert(path.clone());
            }
            if shared.documents.is_open(&file_path(&path)) {
                return;
            }
            let root = workspace.root_of(&path).filter(|root| root.boundary.admit(&path).is_ok());
            if let Some(root) = root.filter(|_| path.is_dir()) {
                let found = discover(std::slice::from_ref(&path), &root.settings.scan_options());
                for file in found.unwrap_or_default() {
                    if !shared.documents.is_open(&file_path(&file)) {
                        reload(workspace, index, &file, affected);
                    }
                }
            } else if root.is_some() && path.is_file() && workspace.includes(&path) {
                reload(workspace, index, &path, affected);
            } else {
                // Gone, or no longer included; a deleted folder takes what
                // was indexed under it along.
                for file in indexed_under(index, &path) {
                    if !shared.documents.is_open(&file) {
                        replace(index, file, None, affected);
                    }
                }
                replace(index, file_path(&path), None, affected);
            }
        }
        Change::ConfigFile => {}
        Change::ScanStarted => analysis.scans_running += 1,
        // Nothing is rechecked per file here: the scan's end rechecks all.
        Change::Scanned(files) => {
            let mut articles = Vec::with_capacity(files.len());
            for (path, loaded) in files {
                // A root removed while it was being scanned (or settings
                // that now exclude the file) make what was read unwanted; a
                // disk event during the scan wins over what the scan read.
                if shared.documents.is_open(&path)
                    || changed_during_scan(analysis, &path)
                    || !workspace.includes(Path::new(path.as_str()))
                {
                    continue;
                }
                match loaded {
                    Some(Loaded::Article(article, line_index)) => articles.push((path, *article, line_index)),
                    Some(Loaded::NotAnArticle) | None => {
                        index.remove(&path);
                    }
                }
            }
            index.upsert_batch(articles);
        }
        Change::ScanFinished { root, seen, indexed } => {
            if let Some(seen) = seen {
                // A file created after the listing was indexed by its event.
                for file in indexed_under(index, &root) {
                    let kept = seen.contains(&file) || changed_during_scan(analysis, &file);
                    if !kept && !shared.documents.is_open(&file) {
                        replace(index, file, None, affected);
                    }
                }
            }
            analysis.scans_running = analysis.scans_running.saturating_sub(1);
            if analysis.scans_running == 0 {
                analysis.changed_during_scan.clear();
            }
            if let Some(indexed) = indexed {
                analysis.indexed.push(indexed);
            }
            analysis.recheck_all = true;
        }
        Change::RootRemoved(root) => {
            for file in indexed_under(index, &root) {
                let still_in = workspace.root_of(Path::new(file.as_str())).is_some();
                if !still_in && !shared.documents.is_open(&file) {
                    replace(index, file, None, affected);
                }
            }
        }
        Change::SettingsChanged => analysis.recheck_all = true,
    }
}

fn reload(workspace: &Workspace, index: &mut ArticleIndex, path: &Path, affected: &mut BTreeSet<FilePath>) {
    let loaded =
        workspace.read_text(path).map(|text| load_text(&text)).map_err(|problem| scan::log(&problem)).ok();
    replace(index, file_path(path), loaded, affected);
}

/// Whether a disk event about `path`, or a folder holding it, came while a
/// scan ran: what the event read is newer than what the scan may have.
fn changed_during_scan(analysis: &Analysis, path: &FilePath) -> bool {
    Path::new(path.as_str()).ancestors().any(|at| analysis.changed_during_scan.contains(at))
}

fn file_path(path: &Path) -> FilePath {
    FilePath::new(path.to_string_lossy().as_ref())
}

fn indexed_under(index: &ArticleIndex, folder: &Path) -> Vec<FilePath> {
    index
        .iter()
        .map(|(_, entry)| &entry.path)
        .filter(|path| Path::new(path.as_str()).starts_with(folder))
        .cloned()
        .collect()
}

/// The diagnostics of `path` as the client sees them, with its settings.
fn diagnostics_of(
    shared: &Shared,
    workspace: &Workspace,
    index: &ArticleIndex,
    path: &FilePath,
) -> Vec<lsp::Diagnostic> {
    let Some(file) = index.file_id(path).filter(|file| index.get(*file).is_some()) else {
        return Vec::new();
    };
    let encoding = shared.session().encoding;
    let uri_of = |path: &FilePath| shared.uri_of(path);
    workspace
        .settings_for(path)
        .adjust(article_diagnostics(index, file))
        .iter()
        .filter_map(|found| convert::diagnostic(index, file, found, encoding, &uri_of))
        .collect()
}

/// Pull diagnostics: computed now, from the document's current text when it
/// is open, so they never lag behind the edits.
pub fn pull(shared: &Shared, path: &FilePath) -> Vec<lsp::Diagnostic> {
    let workspace = shared.workspace();
    let snapshot = shared.index.snapshot();
    match shared.documents.text(path) {
        Some((text, _)) => {
            let index = with_current_text(&snapshot, path, &text.to_string());
            diagnostics_of(shared, &workspace, &index, path)
        }
        None => diagnostics_of(shared, &workspace, &snapshot, path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(message: &str) -> lsp::Diagnostic {
        lsp::Diagnostic { message: message.to_owned(), ..lsp::Diagnostic::default() }
    }

    #[test]
    fn a_set_is_republished_only_when_what_the_client_sees_changes() {
        let set = [diagnostic("broken link"), diagnostic("stale title")];
        assert!(Fingerprint::of(&set) == Fingerprint::of(&set.clone()));
        let reordered = [diagnostic("stale title"), diagnostic("broken link")];
        assert!(Fingerprint::of(&set) != Fingerprint::of(&reordered));
        assert!(Fingerprint::of(&set) != Fingerprint::of(&set[..1]));
        let mut moved = diagnostic("broken link");
        moved.range.start.line = 1;
        assert!(Fingerprint::of(&[moved]) != Fingerprint::of(&set[..1]));
    }
}
