//! The analysis task: the one writer of the index. It takes changes in
//! rounds, applies them to a clone of the index, works out which files'
//! diagnostics may have changed, and publishes only the sets that did.
//!
//! The editor comes first. A round for document changes that have waited
//! out the debounce applies them, checks the open documents they affect and
//! publishes those sets, and nothing else. Other rounds take the queued
//! work (disk events, scan batches) and the checks of closed files a small
//! step at a time, and start a step only if it will end before the first
//! waiting edit is due (each kind of step is timed as it goes), or within
//! [`MAX_ROUND`] when no edit waits; what is left waits for the next round.
//! Publishing stops the same way. So an edit's diagnostics never queue
//! behind a checkout's thousands of events: its round starts when its
//! debounce ends, with nothing ahead of it.

use std::collections::{BTreeSet, VecDeque};

// Not SipHash: files are keyed by their paths, long and many (a scan's end
// files every one of a workspace), and named by the workspace itself.
use hashbrown::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use fnv::FnvHasher;
use rayon::prelude::*;
use serde_json::value::RawValue;
use tokio::sync::mpsc::UnboundedReceiver;
use tokio::sync::mpsc::error::TryRecvError;
use tokio::sync::oneshot;
use tokio::time::{Instant, sleep_until};
use tower_lsp_server::ls_types::{self as lsp, Uri};

use super::disk::{Finding, examine_all, file_path, folder_prefix};
use super::documents::{EditRefused, OpenDocument};
use super::event::{Change, RestoredImage, ScanOutcome, ScannedBatch};
use super::lock::lock;
use super::scan_end::StoredFindings;
use super::session::SessionState;
use super::shared::Shared;
use super::state::{Documents, Snapshot, Workspace, replace, uri_in};
use super::{convert, scan, watch};
use article_core::diagnostics::{Diagnostic, DiagnosticCode, article_diagnostics};
use article_core::index::{ArticleIndex, FilePath};
use article_core::line_index::{LineIndex, PositionEncoding};
use article_core::summary::ArticleSummary;
use article_workspace::cache::StoredDiagnostic;
use article_workspace::files::{Loaded, load_text};

/// How long changes are gathered before diagnostics are recomputed.
const DEBOUNCE: Duration = Duration::from_millis(50);

/// How late tokio's timer may fire: it counts whole milliseconds.
const TIMER_RESOLUTION: Duration = Duration::from_millis(1);
/// How long a round may go on when no editor change waits: its sets are
/// published only at its end. Each round costs a few milliseconds of its
/// own (a snapshot, the open documents): a scan's end at 100,000 files
/// takes some fifteen rounds of this length.
const MAX_ROUND: Duration = Duration::from_millis(100);
/// Disk events examined together, on every core (one step).
const DISK_CHUNK: usize = 64;
/// Closed files checked together, on every core (one step).
const CHECK_CHUNK: usize = 2048;
/// What an item of a step (a disk event, a closed file's check) is taken to cost before one has been timed.
const FIRST_ITEM_GUESS: Duration = Duration::from_micros(100);
/// The longest a step is sized to take: an edit sent while it runs still
/// has its round start when its debounce ends.
const MAX_STEP: Duration = Duration::from_millis(20);
/// How long before a waiting edit is due the last step must end.
const STEP_MARGIN: Duration = Duration::from_millis(2);
/// How long before a waiting edit is due publishing stops: the sets sent
/// are still on their way to the client.
const PUBLISH_MARGIN: Duration = Duration::from_millis(5);

#[derive(Default)]
struct Analysis {
    /// What the client was last sent, per file: under which URI, and a
    /// fingerprint of the set (a workspace can have tens of thousands of
    /// sets; only whether one changed is needed). Empty sets are not kept.
    published: HashMap<FilePath, (Uri, Fingerprint)>,
    /// Files to recheck once no scan is running (partial indexes would show
    /// links as broken whose targets are merely not read yet).
    deferred: BTreeSet<FilePath>,
    /// Closed files to recheck, a step at a time, in the rounds to come.
    unchecked: BTreeSet<FilePath>,
    /// Paths a disk event or a closed document reloaded while a scan ran:
    /// the scan's own view of them may be older (a file it read, then
    /// deleted; one created after it listed the folder) or newer (a scan
    /// that started after the change), so its batch reads them again.
    changed_during_scan: HashSet<PathBuf>,
    recheck_all: bool,
    /// The index's map of files with broken links is to be rebuilt, in a
    /// round of its own once a scan's files are checked and published: a
    /// scan's batches leave it out of date, the scan's checks do not read
    /// it, and the first change after the scan should not pay for it (it
    /// would otherwise be rebuilt then, on demand).
    broken_links_due: bool,
    /// What the checks found in each file when the cache was written, for
    /// the recheck of a restart whose index is what the cache was written
    /// from: a file leaves it once a change may alter its findings.
    restored: Option<StoredFindings>,
    /// Scans waiting for their files to be in the stored index.
    indexed: Vec<oneshot::Sender<ScanOutcome>>,
    /// While every file is rechecked for a scan's end (`collecting`), what
    /// the checks found in each file with findings, over the whole
    /// workspace, before settings adjust it: what the cache stores. Handed
    /// to the scans waiting, or dropped, once every file is checked.
    findings: HashMap<FilePath, Vec<Diagnostic>>,
    collecting: bool,
    /// Some file was last checked without its findings being made (its
    /// diagnostics are not shown, or a scan was running), since the last
    /// recheck of every file began.
    findings_incomplete: bool,
    /// Scan batches being filed away from the loop, if any.
    filing: Option<Filing>,
    /// What an item of each kind of step has cost lately.
    item_costs: ItemCosts,
    session: SessionState,
}

/// What an item of each kind of step has cost lately: steps are sized to
/// end before a waiting edit is due.
#[derive(Default)]
struct ItemCosts {
    disk_event: ItemCost,
    other_change: ItemCost,
    closed_check: ItemCost,
}

/// The most an item of a kind took lately: the slowest of the last steps,
/// forgotten slowly (items differ: a deleted file costs less than a read
/// one, a file with broken links more to check than a healthy one).
#[derive(Clone, Copy)]
struct ItemCost(Duration);

impl Default for ItemCost {
    fn default() -> Self {
        ItemCost(FIRST_ITEM_GUESS)
    }
}

impl ItemCost {
    /// How many items are expected to fit in `budget`.
    fn items_within(self, budget: Duration) -> usize {
        usize::try_from(budget.as_nanos() / self.0.as_nanos().max(1)).unwrap_or(usize::MAX)
    }

    fn record(&mut self, took: Duration, items: usize) {
        let each = took / u32::try_from(items.max(1)).unwrap_or(u32::MAX);
        self.0 = each.max(self.0.mul_f64(0.8));
    }
}

/// When the first editor change not yet applied is due: a round must end
/// by then. `queued` is the due time of those the analysis has taken but
/// not applied; `Shared::first_waiting_edit` is when the first of those it
/// has not taken yet was sent.
fn edit_due(shared: &Shared, queued: Option<std::time::Instant>) -> Option<std::time::Instant> {
    let sent = (*lock(&shared.first_waiting_edit)).map(|sent| sent + DEBOUNCE);
    queued.into_iter().chain(sent).min()
}

struct Publication {
    path: FilePath,
    uri: Uri,
    version: Option<i32>,
    diagnostics: SetJson,
    /// What the client has once this is sent (`Analysis::published` is
    /// updated then, not before: a set not sent yet may be dropped).
    sent: Sent,
}

enum Sent {
    Set(Fingerprint),
    Cleared,
    /// A clear of the set filed under the name the client used before; the
    /// set under the new name follows.
    OldNameCleared,
}

impl Publication {
    fn record(&self, published: &mut HashMap<FilePath, (Uri, Fingerprint)>) {
        match self.sent {
            Sent::Set(fingerprint) => {
                published.insert(self.path.clone(), (self.uri.clone(), fingerprint));
            }
            Sent::Cleared => {
                published.remove(&self.path);
            }
            Sent::OldNameCleared => {}
        }
    }
}

/// Changes received and not yet applied.
#[derive(Default)]
struct Pending {
    /// The files the editor's changes (applied as they came) affected,
    /// whose checks wait for the debounce.
    documents: BTreeSet<FilePath>,
    /// When the oldest of those changes arrived.
    documents_since: Option<Instant>,
    /// Everything else, in arrival order.
    backlog: VecDeque<Change>,
    /// When the backlog's first change arrived, while its burst is being
    /// gathered; `None` once work on it has begun.
    backlog_since: Option<Instant>,
    /// The last round left files to check, or sets to send.
    unchecked: bool,
    /// The last round could take no step before the waiting edit is due:
    /// only the edit's round is due until it has run.
    held_for_edit: bool,
    /// Scan batches are being filed away from the loop: until they are
    /// back, only disk events are taken from the backlog.
    filing: bool,
}

impl Pending {
    /// Notes what an editor's change, applied as it came, affected: their
    /// checks are due once its debounce ends.
    fn edited(&mut self, affected: BTreeSet<FilePath>, shared: &Weak<Shared>) {
        let sent = sent_at(shared).map_or_else(Instant::now, Instant::from_std);
        if !affected.is_empty() {
            self.documents_since.get_or_insert(sent);
            self.documents.extend(affected);
        }
    }

    fn push(&mut self, change: Change) {
        let now = Instant::now();
        match change {
            // Installed before anything else, at once: what waits behind it
            // is held until it is in.
            Change::Filed(..) => {
                self.filing = false;
                self.backlog_since = None;
                self.backlog.push_front(change);
            }
            // A scan's cached articles and its end come alone: no burst to
            // gather, and a writer waiting for the scan.
            Change::Restored(_) | Change::ScanFinished { .. } => {
                self.backlog_since = None;
                self.backlog.push_back(change);
            }
            other => {
                if self.backlog.is_empty() {
                    self.backlog_since = Some(now);
                }
                self.backlog.push_back(other);
            }
        }
    }

    /// When the waiting editor changes are due.
    fn documents_due(&self) -> Option<Instant> {
        self.documents_since.map(|since| since + DEBOUNCE)
    }

    /// When the next round is due, if anything waits.
    fn due(&self) -> Option<Instant> {
        let backlog = match self.backlog_since {
            _ if self.backlog.is_empty() || self.held_for_edit => None,
            _ if self.filing && !self.backlog.iter().any(runs_while_filing) => None,
            Some(since) => Some(since + DEBOUNCE),
            None => Some(Instant::now()),
        };
        // Left-over work goes on while an edit's debounce runs, in steps
        // that end before the edit is due.
        let unchecked = (self.unchecked && !self.held_for_edit).then(Instant::now);
        self.documents_due().into_iter().chain(backlog).chain(unchecked).min()
    }

    /// The work of a round starting at `now`: the editor's changes alone
    /// when they are due, so that nothing delays their diagnostics.
    fn take_due(&mut self, now: Instant) -> (Option<BTreeSet<FilePath>>, VecDeque<Change>) {
        if let Some(due) = self.documents_due().filter(|due| *due <= now) {
            tracing::debug!("editor round {:?} after its edit was due", now - due);
            self.documents_since = None;
            self.held_for_edit = false;
            return (Some(std::mem::take(&mut self.documents)), VecDeque::new());
        }
        let documents = None;
        let backlog_due = self.backlog_since.is_none_or(|since| since + DEBOUNCE <= now);
        let backlog = if backlog_due {
            self.backlog_since = None;
            std::mem::take(&mut self.backlog)
        } else {
            VecDeque::new()
        };
        (documents, backlog)
    }
}

/// Takes a change as it arrives: an editor's is applied at once, so that
/// the index is never behind the editor, and the checks it calls for wait
/// for its debounce; any other waits for a round.
fn receive(change: Change, shared: &Weak<Shared>, analysis: &Mutex<Analysis>, pending: &mut Pending) {
    if !change.is_editors() && !change.is_session() {
        pending.push(change);
        return;
    }
    let Some(strong) = shared.upgrade() else { return };
    let mut analysis = lock(analysis);
    if change.is_session() {
        for follow in analysis.session.apply(&strong, change) {
            pending.push(follow);
        }
        return;
    }
    if let Change::Opened { uri, .. } = &change {
        analysis.session.root_for_document(&strong, uri);
    }
    // A panic here must not end the loop, nor leave requests waiting for
    // a change that will never be applied.
    let applied = catch_unwind(AssertUnwindSafe(|| apply_editor_change(&strong, &mut analysis, change)));
    match applied {
        Ok(affected) => pending.edited(affected, shared),
        Err(_) => {
            tracing::error!("applying an editor change failed; it is skipped");
            strong.state.store(|next| next.editor_events += 1);
        }
    }
}

/// Applies an editor's change to the open documents and the index, and
/// stores them as one snapshot for requests; returns the files whose
/// diagnostics it may change. A parse and an upsert: microseconds.
fn apply_editor_change(shared: &Shared, analysis: &mut Analysis, change: Change) -> BTreeSet<FilePath> {
    let snapshot = shared.state.snapshot();
    let mut documents = snapshot.documents.clone();
    let mut index = (*snapshot.index).clone();
    let mut affected = BTreeSet::new();
    tracing::trace!("applying {change:?}");
    match change {
        Change::Opened { path, uri, version, text } => {
            let document = Arc::new(OpenDocument::new(uri, version, text));
            replace_noted(analysis, &mut index, path.clone(), Some(document.parsed.loaded()), &mut affected);
            documents.insert(path, document);
        }
        Change::Edited { path, version, changes } => {
            let encoding = shared.session().encoding;
            match edited(documents.get(&path).map(Arc::as_ref), version, changes, encoding) {
                Ok(document) => {
                    let document = Arc::new(document);
                    let loaded = Some(document.parsed.loaded());
                    replace_noted(analysis, &mut index, path.clone(), loaded, &mut affected);
                    documents.insert(path, document);
                }
                Err(EditRefused::NotOpen) => {
                    tracing::warn!("didChange for {path}, which is not open: ignored")
                }
                Err(EditRefused::Stale { current, received }) => {
                    tracing::warn!(
                        "didChange for {path} with version {received}, not after {current}: ignored"
                    )
                }
            }
        }
        Change::Closed(path) => {
            if documents.remove(&path).is_some() {
                let loaded = disk_version(shared, &path);
                // Read while a scan runs, the disk's text is newer or older
                // than the scan's own read: its batch reads it again.
                if shared.scans_running.load(Ordering::SeqCst) > 0 {
                    analysis.changed_during_scan.insert(PathBuf::from(path.as_str()));
                }
                replace_noted(analysis, &mut index, path, loaded, &mut affected);
            }
        }
        other => tracing::error!("{other:?} is not an editor's change"),
    }
    shared.state.store(|next| {
        next.index = Arc::new(index);
        next.documents = documents;
        next.editor_events += 1;
    });
    affected
}

fn edited(
    document: Option<&OpenDocument>,
    version: i32,
    changes: Vec<lsp::TextDocumentContentChangeEvent>,
    encoding: PositionEncoding,
) -> Result<OpenDocument, EditRefused> {
    document.ok_or(EditRefused::NotOpen)?.changed(version, changes, encoding)
}

/// What a closed document is on disk: the truth again, by the scan's rule
/// (one the scan would not admit leaves the index).
fn disk_version(shared: &Shared, path: &FilePath) -> Option<Loaded> {
    let workspace = shared.workspace();
    let on_disk = Path::new(path.as_str());
    if on_disk.is_absolute() && workspace.includes(on_disk) {
        workspace.read_text(on_disk).map(|text| load_text(&text)).map_err(|problem| scan::log(&problem)).ok()
    } else {
        None
    }
}

/// When the oldest editor change not yet taken was sent (taking it).
fn sent_at(shared: &Weak<Shared>) -> Option<std::time::Instant> {
    shared.upgrade().and_then(|shared| lock(&shared.first_waiting_edit).take())
}

pub async fn run(shared: Weak<Shared>, mut changes: UnboundedReceiver<Change>) {
    let analysis = Arc::new(Mutex::new(Analysis::default()));
    let mut pending = Pending::default();
    let mut closed = false;
    // Sets a round could not send before an edit arrived, and the scans
    // waiting to hear that every set is out.
    let mut unsent: Vec<Publication> = Vec::new();
    let mut waiting_scans: Vec<oneshot::Sender<ScanOutcome>> = Vec::new();
    // A merge of the index's maps is being built (one at a time).
    let mut merging = Arc::new(());
    loop {
        while !closed {
            match changes.try_recv() {
                Ok(change) => receive(change, &shared, &analysis, &mut pending),
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => closed = true,
            }
        }
        let Some(due) = pending.due() else {
            if closed {
                return;
            }
            match changes.recv().await {
                Some(change) => receive(change, &shared, &analysis, &mut pending),
                None => closed = true,
            }
            continue;
        };
        if due > Instant::now() + TIMER_RESOLUTION && !closed {
            tokio::select! {
                () = sleep_until(due - TIMER_RESOLUTION) => {}
                next = changes.recv() => match next {
                    Some(change) => receive(change, &shared, &analysis, &mut pending),
                    None => closed = true,
                },
            }
            continue;
        }
        // The last stretch to a round that is due is slept on this thread:
        // tokio's timer fires on whole milliseconds, up to one late, and an
        // edit's round should start when its debounce ends, not after. The
        // round then counts as starting when it was due, which it is on the
        // real clock and is not on a paused one (tests), which stands still.
        let now = match due.checked_duration_since(Instant::now()).filter(|_| !closed) {
            Some(left) => {
                std::thread::sleep(left);
                Instant::now().max(due)
            }
            None => Instant::now(),
        };
        let Some(shared) = shared.upgrade() else { return };
        if let Some(rounds) = &shared.rounds {
            rounds.fetch_add(1, Ordering::Relaxed);
        }
        let (documents, backlog) = pending.take_due(now);
        let editor_round = documents.is_some();
        let (config_files, backlog): (VecDeque<Change>, VecDeque<Change>) =
            backlog.into_iter().partition(|change| matches!(change, Change::ConfigFile));
        if !config_files.is_empty() {
            for follow in lock(&analysis).session.apply(&shared, Change::Settings(None)) {
                pending.push(follow);
            }
        }
        let (worker_shared, worker_analysis) = (shared.clone(), analysis.clone());
        let started = std::time::Instant::now();
        let queued_edit_due = pending.documents_due().map(Instant::into_std);
        let outcome = tokio::task::spawn_blocking(move || {
            process(&worker_shared, &mut lock(&worker_analysis), documents, backlog, queued_edit_due)
        })
        .await;
        match outcome {
            Ok(mut processed) => {
                let applied = started.elapsed();
                let (changes, more, steps) = (processed.changes, processed.more, processed.steps.to_string());
                let housekeeping = processed.housekeeping;
                let held_for_edit = !editor_round && processed.steps.count() == 0;
                let indexed = std::mem::take(&mut processed.indexed);
                if let Some(job) = processed.filing.take() {
                    pending.filing = true;
                    job.start(&shared);
                }
                // What is left goes before anything that arrived since.
                let arrived = std::mem::replace(&mut pending.backlog, std::mem::take(&mut processed.left));
                pending.backlog.extend(arrived);
                // Sets left from before go after this round's, unless the
                // round changed or checked their file again.
                let mut publications = std::mem::take(&mut processed.publications);
                let superseded = std::mem::take(&mut processed.superseded);
                publications.extend(
                    std::mem::take(&mut unsent).into_iter().filter(|p| !superseded.contains(&p.path)),
                );
                let published = publications.len();
                let queued_edit_due = pending.documents_due().map(Instant::into_std);
                unsent = finish_round(&shared, &analysis, publications, processed, queued_edit_due).await;
                pending.unchecked = more || housekeeping || !unsent.is_empty();
                pending.held_for_edit = held_for_edit && pending.documents_due().is_some();
                waiting_scans.extend(indexed);
                if unsent.is_empty() && !more && !waiting_scans.is_empty() {
                    // The index stored and the findings of its last round:
                    // no other round has run since.
                    let outcome = ScanOutcome::now(&shared, &mut lock(&analysis));
                    // Told once the sets are written, not only queued: a
                    // scan's progress ends after its diagnostics.
                    let (written, scans) = (shared.notifier.written(), std::mem::take(&mut waiting_scans));
                    tokio::spawn(async move {
                        let _ = written.await;
                        for scan in scans {
                            let _ = scan.send(outcome.clone());
                        }
                    });
                }
                // Not while batches are filed: the filed index replaces
                // the maps the merge would be built from.
                if !pending.filing {
                    merge_maps_when_due(&shared, &mut merging);
                }
                tracing::debug!(
                    "{changes} changes applied and checked in {applied:?} ({steps}), {} of {published} sets \
                     published in {:?}",
                    published - unsent.len(),
                    started.elapsed() - applied
                );
            }
            Err(error) => tracing::error!("analysis of a batch of changes failed: {error}"),
        }
    }
}

/// Starts building the merges of the index's maps that are due, on another
/// thread, unless one is being built or waits to be installed (`merging`
/// is shared with it until then); it comes back as a change, installed in a
/// step of its own.
fn merge_maps_when_due(shared: &Arc<Shared>, merging: &mut Arc<()>) {
    if Arc::strong_count(merging) > 1 {
        return;
    }
    let Some(merges) = shared.state.index().map_merges() else { return };
    let (shared, building) = (shared.clone(), merging.clone());
    tokio::task::spawn_blocking(move || {
        let merged = Box::new(merges.build());
        shared.send(Change::MapsMerged { merged, building });
    });
}

/// Publishes a round's sets (open documents first), asks a pulling client
/// to pull again, and starts what the round found it needs: rescans of
/// roots whose ignore files changed, watches on new folders.
async fn finish_round(
    shared: &Arc<Shared>,
    analysis: &Mutex<Analysis>,
    publications: Vec<Publication>,
    processed: Processed,
    queued_edit_due: Option<std::time::Instant>,
) -> Vec<Publication> {
    let Processed { open_changed, effects, .. } = processed;
    // Stopped shortly before a waiting edit is due (the client reads the
    // sets at its own pace): the rest goes out after the edit's round.
    let mut publications = publications.into_iter();
    for publication in publications.by_ref() {
        tracing::trace!("publishing the diagnostics of {}", publication.path.as_str());
        publication.record(&mut lock(analysis).published);
        // An open document's set (it has a version) goes before any
        // closed file's still waiting to be written.
        let urgent = publication.version.is_some();
        let params = PublishParams {
            uri: &publication.uri,
            diagnostics: &publication.diagnostics,
            version: publication.version,
        };
        let method = <lsp::notification::PublishDiagnostics as lsp::notification::Notification>::METHOD;
        shared.notifier.notify_about(method, publication.uri.as_str(), params, urgent);
        let due = edit_due(shared, queued_edit_due);
        if due.is_some_and(|due| std::time::Instant::now() + PUBLISH_MARGIN >= due) {
            break;
        }
    }
    let unsent: Vec<Publication> = publications.collect();
    let session = shared.session();
    if open_changed && session.pull_diagnostics && session.diagnostic_refresh {
        let _ = shared.client.workspace_diagnostic_refresh().await;
    }
    for root in effects.rescan {
        shared.state.update_workspace(|workspace| workspace.reread_rules(&root));
        let options = shared.workspace().root_of(&root).map(|found| found.settings.scan_options());
        if let Some(options) = options {
            tracing::info!("an ignore file of {} changed: rescanning it", root.display());
            scan::start(shared, root, options);
        }
    }
    if !effects.new_folders.is_empty() {
        let shared = shared.clone();
        tokio::task::spawn_blocking(move || {
            for folder in effects.new_folders {
                watch::watch_new_folder(&shared, &folder);
            }
        });
    }
    unsent
}

/// What a round asks of the server beyond publishing.
#[derive(Default)]
struct Effects {
    rescan: Vec<PathBuf>,
    new_folders: Vec<PathBuf>,
}

/// What a round gave: diagnostics to publish, whether an open document's
/// changed, the scans waiting to hear that the index holds them, and the
/// queued work it left for the next round.
struct Processed {
    publications: Vec<Publication>,
    /// Files whose sets left unsent by earlier rounds are out of date.
    superseded: HashSet<FilePath>,
    open_changed: bool,
    indexed: Vec<oneshot::Sender<ScanOutcome>>,
    /// Scan batches to file away from the loop.
    filing: Option<FilingJob>,
    effects: Effects,
    left: VecDeque<Change>,
    changes: usize,
    /// Files are left to check: another round is due at once.
    more: bool,
    /// Upkeep of the index is left (see `Analysis::broken_links_due`):
    /// another round is due at once, but a scan waiting for the files'
    /// checks need not wait for it.
    housekeeping: bool,
    /// The steps taken.
    steps: StepLog,
}

/// A round: the checks of the files the editor's changes affected, when
/// their debounce ended (`documents`), or steps of the other changes and
/// of the closed files left to check.
fn process(
    shared: &Shared,
    analysis: &mut Analysis,
    documents: Option<BTreeSet<FilePath>>,
    mut backlog: VecDeque<Change>,
    queued_edit_due: Option<std::time::Instant>,
) -> Processed {
    let started = std::time::Instant::now();
    let editor_round = documents.is_some();
    // How many items a step of a kind may take: as many as are expected
    // to end before a waiting edit is due (its round must start on time),
    // or within `MAX_ROUND` when none waits (so that the round's sets go
    // out), and never more than `MAX_STEP` holds. When no edit waits, the
    // first step takes at least one item: queued work must drain.
    let step_size = |cost: ItemCost, first: bool| -> usize {
        let now = std::time::Instant::now();
        let (budget, waiting) = match edit_due(shared, queued_edit_due) {
            Some(due) => (due.saturating_duration_since(now).saturating_sub(STEP_MARGIN), true),
            None => (MAX_ROUND.saturating_sub(started.elapsed()), false),
        };
        let items = cost.items_within(budget.min(MAX_STEP));
        if items == 0 && first && !waiting { 1 } else { items }
    };
    let mut steps = StepLog::default();
    let workspace = shared.workspace();
    // Read before the changes: a scan that ends in this round still counts
    // as running until its end is stored.
    let scanning = shared.scans_running.load(Ordering::SeqCst) > 0;
    let mut index = (*shared.state.index()).clone();
    let mut affected = documents.unwrap_or_default();
    let mut effects = Effects::default();
    let mut finished_scans = 0;
    let mut changes = affected.len();
    let mut round = Round { index: &mut index, affected: &mut affected, effects: &mut effects, scanning };
    let mut first = true;
    let mut filing = None;
    // Changes that wait until the batches being filed are in.
    let mut held = VecDeque::new();
    while let Some(next) = backlog.front() {
        if matches!(next, Change::Filed(..)) {
            if let Some(Change::Filed(filed, files)) = backlog.pop_front() {
                install_filed(shared, &workspace, analysis, &mut round, filed, files);
            }
            continue;
        }
        if analysis.filing.is_some() && !runs_while_filing(next) {
            held.extend(backlog.pop_front());
            continue;
        }
        if matches!(next, Change::Scanned(_) | Change::Restored(_)) {
            // Every batch queued is filed in one job: its cost is that of
            // the batches, not of the index, and it never holds the loop.
            let (mut files, mut image) = (Vec::new(), None);
            while let Some(Change::Scanned(_) | Change::Restored(_)) = backlog.front() {
                match backlog.pop_front() {
                    Some(Change::Scanned(batch)) => files.push(batch),
                    // A second root's image is filed as a batch.
                    Some(Change::Restored(restored)) if image.is_some() => {
                        let listed_under = restored.listed_under.clone();
                        files.push(ScannedBatch { files: as_batch(&restored.index), listed_under });
                    }
                    Some(Change::Restored(restored)) => image = Some(restored),
                    _ => {}
                }
                changes += 1;
            }
            analysis.filing = Some(Filing::default());
            let base = round.index.clone();
            filing = Some(FilingJob { base, image, files, workspace: workspace.clone() });
            continue;
        }
        let costs = &analysis.item_costs;
        let (cost, most) = match next {
            Change::Disk(_) => (costs.disk_event, DISK_CHUNK),
            _ => (costs.other_change, 1),
        };
        let size = step_size(cost, first).min(most);
        if size == 0 {
            break;
        }
        first = false;
        let disk_events = backlog.iter().take(size).take_while(|c| matches!(c, Change::Disk(_))).count();
        let step_started = std::time::Instant::now();
        if disk_events > 0 {
            let paths: Vec<PathBuf> = backlog
                .drain(..disk_events)
                .filter_map(|change| match change {
                    Change::Disk(path) => Some(path),
                    _ => None,
                })
                .collect();
            changes += paths.len();
            for (path, finding) in examine_all(&workspace, paths) {
                apply_finding(shared, analysis, &mut round, &path, finding);
            }
            analysis.item_costs.disk_event.record(step_started.elapsed(), disk_events);
            steps.disk_events.add(step_started.elapsed());
            continue;
        }
        let Some(change) = backlog.pop_front() else { break };
        changes += 1;
        finished_scans += usize::from(matches!(change, Change::ScanFinished { .. }));
        apply(shared, &workspace, analysis, &mut round, change);
        let took = step_started.elapsed();
        analysis.item_costs.other_change.record(took, 1);
        steps.other_changes.add(took);
    }
    held.append(&mut backlog);
    let backlog = held;
    // After the round that published a scan's last sets: no scan ran when
    // this round began, none ended in it, and every file is checked.
    let after_scans_end = !scanning && finished_scans == 0 && analysis.indexed.is_empty();
    // Not while an edit waits: at a million articles this takes a second.
    if analysis.broken_links_due
        && after_scans_end
        && !editor_round
        && edit_due(shared, queued_edit_due).is_none()
        && backlog.is_empty()
        && analysis.filing.is_none()
        && analysis.unchecked.is_empty()
    {
        let step_started = std::time::Instant::now();
        index.refresh_broken_links();
        analysis.broken_links_due = false;
        steps.other_changes.add(step_started.elapsed());
    }
    shared.state.store_index(index.clone());
    if finished_scans > 0 {
        // Only now does the stored index hold what those scans read.
        let before = shared.scans_running.fetch_sub(finished_scans, Ordering::SeqCst);
        if before <= finished_scans {
            analysis.changed_during_scan.clear();
        }
    }
    let scanning = shared.scans_running.load(Ordering::SeqCst) > 0;
    if !scanning {
        shared.state.store(|snapshot| snapshot.scanning = false);
    }
    if let Some(restored) = &mut analysis.restored {
        for path in affected.iter() {
            restored.forget(path);
        }
    }
    // Open as far as the index knows: a document opened while this round
    // ran is handled with its own change, in the next one.
    // The loop applies editor changes only between rounds: the snapshot's
    // documents are those the index holds.
    let documents = shared.state.snapshot().documents.clone();
    let open: HashSet<FilePath> = documents.keys().cloned().collect();
    let (mut check_now, closed): (Vec<FilePath>, Vec<FilePath>) =
        std::mem::take(&mut affected).into_iter().partition(|path| open.contains(path));
    // Sets computed before this round and not sent yet are out of date for
    // these files: they changed, or are checked again below.
    let mut superseded: HashSet<FilePath> = closed.iter().chain(&check_now).cloned().collect();
    if scanning {
        // Only open documents are checked while a scan runs, without the
        // claims a half-read index cannot make; the rest wait for its end.
        analysis.deferred.extend(closed);
    } else {
        analysis.unchecked.extend(closed);
        analysis.unchecked.append(&mut analysis.deferred);
        if std::mem::take(&mut analysis.recheck_all) {
            analysis.findings.clear();
            analysis.findings_incomplete = false;
            analysis.collecting = true;
            // Built in one go (sorted, then filled), not by a hundred
            // thousand inserts of long paths. A file the cache found
            // nothing in has nothing to show whatever the settings: unless
            // a set was published for it (those are all added), checking it
            // would change nothing, and most files of a restart are such.
            let unchecked = std::mem::take(&mut analysis.unchecked).into_iter();
            let restored = analysis.restored.as_ref();
            let found_nothing = |path: &FilePath| {
                restored.and_then(|restored| restored.of(path)).is_some_and(<[_]>::is_empty)
            };
            let indexed =
                index.iter().map(|(_, entry)| &entry.path).filter(|path| !found_nothing(path)).cloned();
            analysis.unchecked = unchecked.chain(indexed).chain(analysis.published.keys().cloned()).collect();
        }
    }
    let open_changed = !check_now.is_empty();
    let pull = shared.session().pull_diagnostics;
    let known = if scanning { Known::ScanUnderWay } else { Known::Workspace };
    let encoding = shared.session().encoding;
    let over = CheckedOver { workspace: &workspace, index: &index, documents: &documents, encoding };
    let check = |paths: Vec<FilePath>,
                 restored: Option<&StoredFindings>,
                 analysis: &mut Analysis|
     -> Vec<(FilePath, SetJson, Fingerprint)> {
        let collecting = analysis.collecting;
        let checked: Vec<_> = paths
            .into_par_iter()
            .map(|path| {
                let is_open = open.contains(&path);
                let shown = if is_open { !pull } else { workspace.settings_for(&path).workspace_diagnostics };
                let stored = restored.and_then(|restored| restored.of(&path));
                let Checked { shown: diagnostics, findings } = if stored.is_some_and(<[_]>::is_empty) {
                    // Nothing found, nothing to show whatever the settings: most
                    // files of a restart.
                    Checked { shown: Vec::new(), findings: Some(Vec::new()) }
                } else if shown {
                    diagnostics_of(&over, &path, known, stored, collecting)
                } else {
                    Checked { shown: Vec::new(), findings: None }
                };
                // Written and fingerprinted here, on every core: a scan's end
                // has tens of thousands.
                let diagnostics = SetJson::of(&diagnostics);
                let fingerprint = diagnostics.fingerprint();
                (path, diagnostics, fingerprint, findings)
            })
            .collect();
        checked
            .into_iter()
            .map(|(path, diagnostics, fingerprint, findings)| {
                match findings {
                    _ if !collecting => {}
                    Some(findings) if findings.is_empty() => {
                        analysis.findings.remove(&path);
                    }
                    Some(findings) => {
                        analysis.findings.insert(path.clone(), findings);
                    }
                    None => analysis.findings_incomplete = true,
                }
                (path, diagnostics, fingerprint)
            })
            .collect()
    };
    let mut wanted = check(std::mem::take(&mut check_now), None, analysis);
    // Closed files, a step at a time, in rounds of their own: an editor
    // round publishes the open documents' sets at once.
    let mut first = true;
    while !editor_round && !analysis.unchecked.is_empty() {
        let size = step_size(analysis.item_costs.closed_check, first).min(CHECK_CHUNK);
        if size == 0 {
            break;
        }
        first = false;
        let step_started = std::time::Instant::now();
        let step: Vec<FilePath> = std::iter::from_fn(|| analysis.unchecked.pop_first()).take(size).collect();
        let checked = step.len();
        let restored = analysis.restored.take();
        wanted.extend(check(step, restored.as_ref(), analysis));
        analysis.restored = restored;
        analysis.item_costs.closed_check.record(step_started.elapsed(), checked);
        steps.closed_checks.add(step_started.elapsed());
    }
    // Told once every file is checked and this round's diagnostics are out
    // (see `run`): a scan's progress ends when its answers and diagnostics
    // are complete.
    if analysis.unchecked.is_empty() {
        analysis.restored = None;
    }
    let indexed = if analysis.unchecked.is_empty() && !scanning {
        std::mem::take(&mut analysis.indexed)
    } else {
        Vec::new()
    };
    if analysis.unchecked.is_empty() && !scanning && indexed.is_empty() {
        // No scan waits for them (settings changed, say).
        analysis.findings = HashMap::new();
        analysis.collecting = false;
    }
    // The editor's own files first: they are what the writer is looking at.
    wanted.sort_by_key(|(path, ..)| !open.contains(path));
    superseded.extend(wanted.iter().map(|(path, ..)| path.clone()));

    let mut publications = Vec::new();
    for (path, diagnostics, fingerprint) in wanted {
        // Most files of a workspace have nothing to say, before or after:
        // they need no URI built.
        if diagnostics.is_empty() && !analysis.published.contains_key(&path) {
            continue;
        }
        let Some(uri) = uri_in(&documents, &path) else { continue };
        let version = documents.get(&path).map(|document| document.version);
        match analysis.published.get(&path) {
            Some((previous_uri, previous)) if *previous_uri == uri && *previous == fingerprint => continue,
            // The client now names the file differently (it opened it under
            // its own spelling): clear the set filed under the old name.
            Some((previous_uri, _)) if *previous_uri != uri => publications.push(Publication {
                path: path.clone(),
                uri: previous_uri.clone(),
                version: None,
                diagnostics: SetJson::default(),
                sent: Sent::OldNameCleared,
            }),
            None if diagnostics.is_empty() => continue,
            _ => {}
        }
        let sent = if diagnostics.is_empty() { Sent::Cleared } else { Sent::Set(fingerprint) };
        publications.push(Publication { path, uri, version, diagnostics, sent });
    }
    let more = !analysis.unchecked.is_empty();
    // Asked for only when it can be done: while a scan runs or batches are
    // being filed, rounds asking for it would find it never due. A scan's
    // end asks again; a waiting edit holds the rounds until its own.
    let housekeeping = analysis.broken_links_due && !scanning && analysis.filing.is_none();
    Processed {
        publications,
        superseded,
        open_changed,
        indexed,
        filing,
        effects,
        left: backlog,
        changes,
        more,
        housekeeping,
        steps,
    }
}

/// How many steps of each kind a round took, and how long, for the log.
#[derive(Default)]
struct StepLog {
    disk_events: StepTotal,
    other_changes: StepTotal,
    closed_checks: StepTotal,
}

#[derive(Default)]
struct StepTotal {
    count: usize,
    took: Duration,
}

impl StepLog {
    fn count(&self) -> usize {
        self.disk_events.count + self.other_changes.count + self.closed_checks.count
    }
}

impl StepTotal {
    fn add(&mut self, took: Duration) {
        self.count += 1;
        self.took += took;
    }
}

impl std::fmt::Display for StepLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kinds =
            [("disk", &self.disk_events), ("other", &self.other_changes), ("checks", &self.closed_checks)];
        let mut taken = kinds.iter().filter(|(_, total)| total.count > 0).peekable();
        if taken.peek().is_none() {
            return f.write_str("no steps");
        }
        for (at, (kind, total)) in taken.enumerate() {
            let separator = if at == 0 { "" } else { ", " };
            write!(f, "{separator}{} {kind} steps in {:?}", total.count, total.took)?;
        }
        Ok(())
    }
}

/// A set of diagnostics as it is sent to the client, hashed by two unrelated
/// 64-bit functions.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Fingerprint(u64, u64);

/// A file's diagnostics as the client receives them: the JSON array,
/// written once, on the core that checked the file (the loop only frames
/// it); `None` for an empty set.
#[derive(Default)]
struct SetJson(Option<Box<RawValue>>);

impl SetJson {
    fn of(diagnostics: &[lsp::Diagnostic]) -> SetJson {
        if diagnostics.is_empty() {
            return SetJson(None);
        }
        match serde_json::value::to_raw_value(diagnostics) {
            Ok(json) => SetJson(Some(json)),
            Err(error) => {
                // Not reached: diagnostics have no map a writer could refuse.
                tracing::error!("a set of diagnostics could not be written: {error}");
                SetJson(None)
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The hash of the wire form, the one the client compares: two sets
    /// it cannot tell apart hash alike.
    fn fingerprint(&self) -> Fingerprint {
        let bytes = self.0.as_deref().map_or("[]", RawValue::get).as_bytes();
        let (mut sip, mut fnv) = (DefaultHasher::new(), FnvHasher::default());
        sip.write(bytes);
        fnv.write(bytes);
        Fingerprint(sip.finish(), fnv.finish())
    }
}

impl serde::Serialize for SetJson {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(json) => json.serialize(serializer),
            None => serializer.collect_seq(std::iter::empty::<()>()),
        }
    }
}

/// `textDocument/publishDiagnostics` parameters with the set as written.
#[derive(serde::Serialize)]
struct PublishParams<'a> {
    uri: &'a Uri,
    diagnostics: &'a SetJson,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<i32>,
}

fn apply_finding(
    shared: &Shared,
    analysis: &mut Analysis,
    round: &mut Round<'_>,
    path: &Path,
    finding: Finding,
) {
    if matches!(finding, Finding::Unadmitted) {
        return;
    }
    let Round { index, affected, effects, scanning } = round;
    if *scanning {
        analysis.changed_during_scan.insert(path.to_owned());
    }
    let closed = |file: &FilePath| !shared.state.is_open(file);
    match finding {
        Finding::Unadmitted => {}
        Finding::Rules { root } => effects.rescan.push(root),
        Finding::File(file, loaded) => {
            if closed(&file) {
                replace_noted(analysis, index, file, loaded, affected);
            }
        }
        Finding::Folder(folder, files) => {
            let found: HashSet<FilePath> = files.iter().map(|(file, _)| file.clone()).collect();
            // A folder put where another was: what it no longer holds goes.
            for file in indexed_under(index, &folder) {
                if !found.contains(&file) && closed(&file) {
                    replace_noted(analysis, index, file, None, affected);
                }
            }
            for (file, loaded) in files {
                if closed(&file) {
                    replace_noted(analysis, index, file, loaded, affected);
                }
            }
            effects.new_folders.push(folder);
        }
        Finding::Gone(gone) => {
            for file in indexed_under(index, &gone) {
                if closed(&file) {
                    replace_noted(analysis, index, file, None, affected);
                }
            }
            let file = file_path(&gone);
            if index.get_by_path(&file).is_some() && closed(&file) {
                replace_noted(analysis, index, file, None, affected);
            }
        }
    }
}

/// The state a round changes, passed to each change it applies.
struct Round<'a> {
    index: &'a mut ArticleIndex,
    affected: &'a mut BTreeSet<FilePath>,
    effects: &'a mut Effects,
    scanning: bool,
}

fn apply(
    shared: &Shared,
    workspace: &Workspace,
    analysis: &mut Analysis,
    round: &mut Round<'_>,
    change: Change,
) {
    let Round { index, affected, .. } = round;
    tracing::trace!("applying {change:?}");
    match change {
        // Applied as they arrive, by `apply_editor_change`.
        Change::Opened { .. } | Change::Edited { .. } | Change::Closed(_) => {}
        Change::Disk(path) => {
            for (path, finding) in examine_all(workspace, vec![path]) {
                apply_finding(shared, analysis, round, &path, finding);
            }
        }
        // Filed away from the loop, by `process`.
        Change::ConfigFile | Change::Scanned(_) | Change::Restored(_) | Change::Filed(..) => {}
        // Applied as they arrive, by `SessionState::apply`.
        Change::Settings(_) | Change::Folders { .. } | Change::Initialized => {}
        Change::ScanFinished { root, seen, indexed, restored } => {
            // A change during the scan may have altered the findings of
            // files it did not list as affected (their referrers were not
            // all indexed yet): the cache's findings serve only when none
            // came, and the index holds this root's files alone.
            let untouched = shared.state.snapshot().documents.is_empty()
                && analysis.changed_during_scan.is_empty()
                && analysis.deferred.is_empty()
                && affected.is_empty()
                && workspace.roots().count() == 1;
            // The indexed files under the root that the scan did not find
            // (one created after the listing was indexed by its event).
            let prefix = folder_prefix(&root);
            let (mut unseen, mut under_root) = (Vec::new(), 0);
            if let Some(seen) = &seen {
                let mut seen = seen.lookup();
                for (path, file) in index.paths_with_prefix(&prefix) {
                    under_root += 1;
                    if !seen.holds(path) {
                        unseen.push(index.path(file).clone());
                    }
                }
            }
            // The cache's findings are those of the files it holds, which are
            // the files the scan found when it stored them: they hold when
            // the index is those files, and nothing else.
            let index_is_seen = seen.is_some() && unseen.is_empty() && under_root == index.len();
            analysis.restored = restored.filter(|_| untouched && index_is_seen);
            if analysis.restored.is_some() {
                tracing::info!("the findings of {} articles are taken from the cache", index.len());
            }
            for file in unseen {
                let kept = changed_during_scan(&analysis.changed_during_scan, &file);
                if !kept && !shared.state.is_open(&file) {
                    replace_noted(analysis, index, file, None, affected);
                }
            }
            if let Some(indexed) = indexed {
                analysis.indexed.push(indexed);
            }
            analysis.broken_links_due = true;
            analysis.recheck_all = true;
        }
        Change::RootRemoved(root) => {
            for file in indexed_under(index, &root) {
                let still_in = workspace.root_of(Path::new(file.as_str())).is_some();
                if !still_in && !shared.state.is_open(&file) {
                    replace_noted(analysis, index, file, None, affected);
                } else {
                    // An open document left outside every root now says
                    // only what the file alone says; one under another root
                    // takes that root's settings.
                    affected.insert(file);
                }
            }
        }
        Change::SettingsChanged => analysis.recheck_all = true,
        Change::MapsMerged { merged, building } => {
            index.install_merged_maps(*merged);
            drop(building);
        }
    }
}

/// Whether a disk event about `path`, or a folder holding it, came while a
/// scan ran: what the event read is newer than what the scan may have.
fn changed_during_scan(changed: &HashSet<PathBuf>, path: &FilePath) -> bool {
    !changed.is_empty() && Path::new(path.as_str()).ancestors().any(|at| changed.contains(at))
}

/// What the loop did to its index while scan batches were being filed
/// into a snapshot of it: the filed index takes its place, and these are
/// applied over it again, so that it holds the batches and every change
/// since (each replacement is of a whole file, so replaying it gives what
/// it gave the first time).
#[derive(Default)]
struct Filing {
    since: Vec<(FilePath, Option<Loaded>)>,
}

/// Whether a change is applied while scan batches are being filed. Editor
/// changes and disk events are, and replayed over the filed index; the
/// rest wait for it (a scan's end must follow its batches).
fn runs_while_filing(change: &Change) -> bool {
    matches!(change, Change::Disk(_) | Change::Filed(..)) || change.is_editors()
}

/// [`replace`], noted for replay while scan batches are being filed.
fn replace_noted(
    analysis: &mut Analysis,
    index: &mut ArticleIndex,
    path: FilePath,
    loaded: Option<Loaded>,
    affected: &mut BTreeSet<FilePath>,
) {
    if let Some(filing) = &mut analysis.filing {
        filing.since.push((path.clone(), loaded.clone()));
    }
    replace(index, path, loaded, affected);
}

/// Scan batches to file into `base`, a snapshot of the index, away from
/// the loop: filing tens of thousands of files at once costs what they
/// hold (their keys sorted and merged into each map in one pass), where
/// steps small enough to keep edits on time would cost the size of the
/// index each.
struct FilingJob {
    base: ArticleIndex,
    /// A cache's index of a root's unchanged articles, filed before `files`.
    image: Option<Box<RestoredImage>>,
    files: Vec<ScannedBatch>,
    workspace: Arc<Workspace>,
}

/// Up to this many articles in the index, a cache's image becomes the index
/// with them filed into it again, rather than being filed into it.
const FILED_OVER_AN_IMAGE: usize = 1024;

impl FilingJob {
    fn start(self, shared: &Arc<Shared>) {
        let worker = shared.clone();
        let shared = shared.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let batches = self.files.iter().map(|batch| batch.files.len()).sum::<usize>();
            let files = batches + self.image.as_ref().map_or(0, |image| image.index.len());
            match tokio::task::spawn_blocking(move || self.file(&worker)).await {
                Ok((filed, paths)) => {
                    tracing::debug!("{files} scanned files filed in {:?}", started.elapsed());
                    shared.send(Change::Filed(Some(Box::new(filed)), paths));
                }
                Err(error) => {
                    tracing::error!("filing {files} scanned files failed: {error}");
                    shared.send(Change::Filed(None, Vec::new()));
                }
            }
        });
    }

    /// The snapshot with the batches filed, and the files filed.
    fn file(self, shared: &Shared) -> (ArticleIndex, Vec<FilePath>) {
        let FilingJob { base, image, files, workspace } = self;
        // Asked once, not per file: the state's lock is the requests' too.
        let documents = shared.state.snapshot().documents.clone();
        let is_open = |path: &FilePath| documents.contains_key(path);
        let mut paths = Vec::new();
        let mut index = match image {
            Some(image) => with_image(base, *image, &workspace, &documents, &mut paths),
            None => base,
        };
        let mut articles = Vec::new();
        let files = files.into_iter().flat_map(|batch| {
            // A root removed while it was being scanned (or settings that
            // now exclude the file) make what was read unwanted: asked of
            // each file only when the workspace changed since the listing.
            let listed_by_now = Arc::ptr_eq(&batch.listed_under, &workspace);
            batch.files.into_iter().map(move |file| (file, listed_by_now))
        });
        for ((path, loaded), listed_by_now) in files {
            // A document opened or closed meanwhile is replayed over the
            // result.
            if is_open(&path) || !(listed_by_now || workspace.includes(Path::new(path.as_str()))) {
                continue;
            }
            paths.push(path.clone());
            match loaded {
                Some(Loaded::Article(article, line_index)) => articles.push((path, *article, line_index)),
                Some(Loaded::NotAnArticle) | None => {
                    index.remove(&path);
                }
            }
        }
        index.upsert_batch(articles);
        (index, paths)
    }
}

/// `base` with a cache's `image` filed into it, as if each of its articles
/// were a scanned file (open documents and files the settings now exclude
/// are left out), and the paths filed added to `paths`. When `base` holds
/// little (open documents, a small root), the image is the index, maps and
/// all, with what `base` holds filed into it: a restart files nothing else.
fn with_image(
    base: ArticleIndex,
    image: RestoredImage,
    workspace: &Arc<Workspace>,
    documents: &Documents,
    paths: &mut Vec<FilePath>,
) -> ArticleIndex {
    let RestoredImage { index: mut image, listed_under } = image;
    let is_open = |path: &FilePath| documents.contains_key(path);
    // Every article of the image was listed by the scan: only when the
    // settings or rules changed since may the workspace refuse one (asking
    // it of each is a tenth of a second at 100,000 articles).
    let unwanted: Vec<FilePath> = if Arc::ptr_eq(&listed_under, workspace) {
        documents.keys().filter(|path| image.get_by_path(path).is_some()).cloned().collect()
    } else {
        image
            .iter()
            .map(|(_, entry)| &entry.path)
            .filter(|path| is_open(path) || !workspace.includes(Path::new(path.as_str())))
            .cloned()
            .collect()
    };
    for path in &unwanted {
        image.remove(path);
    }
    paths.extend(image.iter().map(|(_, entry)| entry.path.clone()));
    if base.len() > FILED_OVER_AN_IMAGE.max(image.len() / 8) {
        let mut base = base;
        base.upsert_batch(articles_of(&image));
        return base;
    }
    for (_, entry) in base.iter() {
        if is_open(&entry.path) || image.get_by_path(&entry.path).is_none() {
            image.upsert(entry.path.clone(), entry.summary.clone(), entry.line_index.clone());
        }
    }
    image
}

/// The articles of an index, as a batch is filed.
fn articles_of(index: &ArticleIndex) -> Vec<(FilePath, ArticleSummary, LineIndex)> {
    index
        .iter()
        .map(|(_, entry)| (entry.path.clone(), entry.summary.clone(), entry.line_index.clone()))
        .collect()
}

/// The articles of an index as a scan's batch.
fn as_batch(index: &ArticleIndex) -> Vec<(FilePath, Option<Loaded>)> {
    let articles = articles_of(index).into_iter();
    articles
        .map(|(path, summary, line_index)| (path, Some(Loaded::Article(Box::new(summary), line_index))))
        .collect()
}

/// Puts the filed index in the loop's place, with every change applied
/// since its snapshot was taken applied again over it, then reads again
/// the filed files that changed during the scan.
fn install_filed(
    shared: &Shared,
    workspace: &Workspace,
    analysis: &mut Analysis,
    round: &mut Round<'_>,
    filed: Option<Box<ArticleIndex>>,
    files: Vec<FilePath>,
) {
    let Some(filing) = analysis.filing.take() else { return };
    // Another scan's files: the index is no longer the one the cache's
    // findings were made over.
    analysis.restored = None;
    // When filing failed, the loop's index stays as it was, without the
    // batches.
    if let Some(filed) = filed {
        *round.index = *filed;
        for (path, loaded) in filing.since {
            replace(round.index, path, loaded, round.affected);
        }
    }
    // A change to a file (or a folder holding it) applied during the scan
    // read the disk before or after the scan did: which is newer is not
    // known, so it is read again. Nothing else is rechecked per file: the
    // scan's end rechecks all.
    let changed = &analysis.changed_during_scan;
    let read_again: Vec<PathBuf> = files
        .iter()
        .filter(|path| changed_during_scan(changed, path))
        .map(|path| PathBuf::from(path.as_str()))
        .collect();
    for (path, finding) in examine_all(workspace, read_again) {
        apply_finding(shared, analysis, round, &path, finding);
    }
}

/// The indexed files under `folder`: a range of the index's paths.
fn indexed_under(index: &ArticleIndex, folder: &Path) -> Vec<FilePath> {
    let prefix = folder_prefix(folder);
    index.files_with_prefix(&prefix).map(|file| index.path(file).clone()).collect()
}

/// What the index can vouch for when a file is checked.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Known {
    /// Every article of the workspace is read.
    Workspace,
    /// A scan is still reading: an article the index lacks may exist.
    ScanUnderWay,
    /// The file is outside every root: the index holds no workspace for it.
    NoRoot,
}

impl Known {
    /// Whether a diagnostic with `code` is true on what is known.
    fn vouches_for(self, code: DiagnosticCode) -> bool {
        match self {
            Known::Workspace => true,
            // A broken link claims that no article has the link's id or url.
            Known::ScanUnderWay => code != DiagnosticCode::BrokenLink,
            Known::NoRoot => !code.depends_on_other_files(),
        }
    }
}

/// What checking a file gave.
struct Checked {
    /// Its diagnostics as the client sees them.
    shown: Vec<lsp::Diagnostic>,
    /// The checks' findings before settings adjust them, when they were
    /// made over the whole workspace (a file not indexed has none).
    findings: Option<Vec<Diagnostic>>,
}

/// What files are checked over: the roots and their settings, the index,
/// the open documents (they name their files as the client does) and the
/// position encoding.
struct CheckedOver<'a> {
    workspace: &'a Workspace,
    index: &'a ArticleIndex,
    documents: &'a Documents,
    encoding: PositionEncoding,
}

/// The diagnostics of `path` as the client sees them, with its settings;
/// the checks' findings are `stored` ones when given (and every one
/// restores over the index), else found now, and are kept `with_findings`.
fn diagnostics_of(
    over: &CheckedOver<'_>,
    path: &FilePath,
    known: Known,
    stored: Option<&[StoredDiagnostic]>,
    with_findings: bool,
) -> Checked {
    let CheckedOver { workspace, index, documents, encoding } = *over;
    let Some(file) = index.file_id(path).filter(|file| index.get(*file).is_some()) else {
        return Checked { shown: Vec::new(), findings: Some(Vec::new()) };
    };
    let uri_of = |path: &FilePath| uri_in(documents, path);
    let known = if workspace.is_loose(path) { Known::NoRoot } else { known };
    let restored = stored.and_then(|stored| stored.iter().map(|stored| stored.restore(index)).collect());
    let found = restored.unwrap_or_else(|| article_diagnostics(index, file));
    let findings = (with_findings && matches!(known, Known::Workspace)).then(|| found.clone());
    let mut found = found;
    found.retain(|diagnostic| known.vouches_for(diagnostic.code));
    let shown = workspace
        .settings_for(path)
        .adjust(found)
        .iter()
        .filter_map(|found| convert::diagnostic(index, file, found, encoding, &uri_of))
        .collect();
    Checked { shown, findings }
}

impl ScanOutcome {
    /// Takes the findings collected: the loop keeps none between scans.
    fn now(shared: &Shared, analysis: &mut Analysis) -> ScanOutcome {
        let snapshot = shared.state.snapshot();
        let complete = analysis.collecting && !analysis.findings_incomplete && snapshot.documents.is_empty();
        let findings = std::mem::take(&mut analysis.findings);
        analysis.collecting = false;
        ScanOutcome {
            index: snapshot.index.clone(),
            documents: snapshot.documents.clone(),
            findings: complete.then(|| Arc::new(findings)),
        }
    }

    /// What the loop holds now, without findings.
    pub fn latest(shared: &Shared) -> ScanOutcome {
        let snapshot = shared.state.snapshot();
        ScanOutcome { index: snapshot.index.clone(), documents: snapshot.documents.clone(), findings: None }
    }
}

/// Pull diagnostics: computed now, over the snapshot that holds every
/// editor change sent before the request, so they never lag behind edits.
pub fn pull(shared: &Shared, snapshot: &Snapshot, path: &FilePath) -> Vec<lsp::Diagnostic> {
    // Whether a scan ran is the snapshot's own: the count now could belong
    // to an index stored after this one.
    let known = if snapshot.scanning { Known::ScanUnderWay } else { Known::Workspace };
    let encoding = shared.session().encoding;
    let over = CheckedOver {
        workspace: &snapshot.workspace,
        index: &snapshot.index,
        documents: &snapshot.documents,
        encoding,
    };
    diagnostics_of(&over, path, known, None, false).shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnostic(message: &str) -> lsp::Diagnostic {
        lsp::Diagnostic { message: message.to_owned(), ..lsp::Diagnostic::default() }
    }

    fn fingerprint(diagnostics: &[lsp::Diagnostic]) -> Fingerprint {
        SetJson::of(diagnostics).fingerprint()
    }

    #[test]
    fn a_set_is_republished_only_when_what_the_client_sees_changes() {
        let set = [diagnostic("broken link"), diagnostic("stale title")];
        assert!(fingerprint(&set) == fingerprint(&set.clone()));
        let reordered = [diagnostic("stale title"), diagnostic("broken link")];
        assert!(fingerprint(&set) != fingerprint(&reordered));
        assert!(fingerprint(&set) != fingerprint(&set[..1]));
        assert!(fingerprint(&set[..0]) != fingerprint(&set[..1]));
        let mut moved = diagnostic("broken link");
        moved.range.start.line = 1;
        assert!(fingerprint(&[moved]) != fingerprint(&set[..1]));
    }

    #[test]
    fn a_set_is_sent_as_the_protocol_writes_it() {
        let set = vec![diagnostic("broken link")];
        let uri: Uri = "file:///a.md".parse().expect("a uri");
        for version in [None, Some(3)] {
            let written = SetJson::of(&set);
            let ours = PublishParams { uri: &uri, diagnostics: &written, version };
            let theirs =
                lsp::PublishDiagnosticsParams { uri: uri.clone(), diagnostics: set.clone(), version };
            assert_eq!(serde_json::to_value(ours).ok(), serde_json::to_value(theirs).ok());
        }
        let empty = PublishParams { uri: &uri, diagnostics: &SetJson::default(), version: None };
        let cleared =
            lsp::PublishDiagnosticsParams { uri: uri.clone(), diagnostics: Vec::new(), version: None };
        assert_eq!(serde_json::to_value(empty).ok(), serde_json::to_value(cleared).ok());
    }
}
