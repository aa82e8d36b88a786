//! Reading a root's articles into the index, with work-done progress.
//!
//! Files go to the analysis task in batches, so requests made during the
//! scan see what has been read so far.

use hashbrown::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use tower_lsp_server::ls_types::NumberOrString;

use super::event::{Change, RestoredImage, ScanOutcome, ScannedBatch};
use super::scan_end::{SeenFiles, StoredFindings};
use super::shared::Shared;
use super::state::Workspace;
use article_core::diagnostics::Diagnostic;
use article_core::index::{ArticleIndex, FilePath};
use article_workspace::admission::ScanOptions;
use article_workspace::cache::{self, CachedWorkspace, Stamp, StoredDiagnostic};
use article_workspace::files::{Loaded, ProblemKind, ScanProblem, load_for_index};
use article_workspace::walk::{ListedFile, list_files};

/// Files read before the first progress report and index update. Later
/// batches grow with the index (half of what was read so far), so that
/// filing each batch, which costs in proportion to the index, adds up to a
/// constant factor of the scan rather than a quadratic one.
const FIRST_BATCH: usize = 256;

static SCANS: AtomicU32 = AtomicU32::new(0);

/// Starts scanning `root`. The scan counts as running from before this
/// returns until the analysis has stored the index that holds it (it ends
/// the count), so nothing checked meanwhile is taken for complete.
pub fn start(shared: &Arc<Shared>, root: PathBuf, options: ScanOptions) {
    shared.scans_running.fetch_add(1, Ordering::SeqCst);
    shared.state.store(|snapshot| snapshot.scanning = true);
    // The workspace `options` come from: whatever changes it after this
    // makes a new one.
    let listed_under = shared.workspace();
    let shared = shared.clone();
    tokio::spawn(async move {
        let task = tokio::spawn(scan(shared.clone(), root.clone(), options, listed_under));
        // Whatever happens to the scan, the analysis must learn it ended.
        if let Err(error) = task.await {
            tracing::error!("scan of {} failed: {error}", root.display());
            shared.send(Change::ScanFinished { root, seen: None, indexed: None, restored: None });
        }
    });
}

async fn scan(shared: Arc<Shared>, root: PathBuf, options: ScanOptions, listed_under: Arc<Workspace>) {
    let started = std::time::Instant::now();
    // The cache is read while the files are listed, both from before the
    // client is asked for a progress token: its answer takes a round trip.
    let cache_file = shared.cache_dir.as_ref().map(|dir| cache::file_for(dir, &root));
    let cached = cache_file.clone().map(|file| tokio::task::spawn_blocking(move || cache::load(&file)));
    let listing = {
        let (root, options) = (root.clone(), options.clone());
        tokio::task::spawn_blocking(move || list_files(&[root], &options))
    };

    let token = NumberOrString::String(format!("article-lsp/scan/{}", SCANS.fetch_add(1, Ordering::Relaxed)));
    let progress = if shared.session().work_done_progress
        && shared.client.create_work_done_progress(token.clone()).await.is_ok()
    {
        let title = format!("Indexing articles in {}", root.display());
        Some(shared.client.progress(token, title).with_percentage(0).begin().await)
    } else {
        None
    };
    let listing = listing.await;
    let files = match listing {
        Ok(Ok(listing)) => {
            listing.problems.iter().for_each(log);
            listing.files
        }
        Ok(Err(problem)) => {
            shared.warn(format!("cannot scan {}: {}", problem.path.display(), problem.message));
            Vec::new()
        }
        Err(error) => {
            tracing::error!("listing {} failed: {error}", root.display());
            Vec::new()
        }
    };
    // Stamped while the cache is still being read; shared, not copied, with
    // the task that stamps them.
    let files = Arc::new(files);
    let stamping = cached.as_ref().map(|_| {
        let files = files.clone();
        tokio::task::spawn_blocking(move || stamps_of(&files))
    });
    let cached = match cached {
        Some(loading) => match loading.await {
            Ok(Ok(cached)) => Some(cached),
            Ok(Err(why)) => {
                tracing::info!("index cache of {} not used: {why}", root.display());
                None
            }
            Err(error) => {
                tracing::error!("reading the index cache of {} failed: {error}", root.display());
                None
            }
        },
        None => None,
    };
    let cache_was_valid = cached.is_some();
    tracing::info!("{} files listed and the cache read in {:?}", files.len(), started.elapsed());

    let mut seen = Vec::with_capacity(files.len());
    let mut stamps = Vec::with_capacity(files.len());
    let listed = files.len();
    // What the checks found in each file, when every file is as the cache
    // has it (see `StoredDiagnostic`).
    let mut restored = None;
    let mut cached_unchanged = false;
    let stamped = match stamping {
        Some(stamping) => stamping.await.ok(),
        None => None,
    };
    // The stamping task is done with the listing (or never was given it).
    let files = Arc::try_unwrap(files).unwrap_or_else(|shared| shared.as_ref().clone());
    let files = match cached.zip(stamped) {
        Some((cached, stamped)) => {
            // Compared by reference: `files` is read on the failure path.
            let listing = Arc::new(files);
            let compared = listing.clone();
            let verified = tokio::task::spawn_blocking(move || verify(cached, &compared, stamped)).await;
            let files = Arc::try_unwrap(listing).unwrap_or_else(|shared| shared.as_ref().clone());
            match verified {
                Ok(verified) => {
                    tracing::info!(
                        "{} files unchanged since the cache was written, {} to read, in {:?}",
                        verified.unchanged.len(),
                        verified.to_read.len(),
                        started.elapsed()
                    );
                    seen.extend(verified.unchanged.iter().map(|(path, _)| path.clone()));
                    stamps.extend(verified.unchanged);
                    (restored, cached_unchanged) = (verified.found, verified.cached_unchanged);
                    let image = RestoredImage { index: verified.image, listed_under: listed_under.clone() };
                    shared.send(Change::Restored(Box::new(image)));
                    verified.to_read
                }
                Err(error) => {
                    tracing::error!(
                        "comparing {} with its cache failed, every file is read: {error}",
                        root.display()
                    );
                    files
                }
            }
        }
        None => files,
    };
    let mut parsed = 0;
    let mut done = 0;
    let to_read = files.len();
    // Taken a batch at a time: a batch's names pass to the index (shared,
    // not copied) and the listing holds none of them any longer.
    let mut files = files.into_iter();
    while done < to_read {
        let end = to_read.min(done + FIRST_BATCH.max(done / 2));
        let chunk: Vec<ListedFile> = files.by_ref().take(end - done).collect();
        done = end;
        let Ok(read) = tokio::task::spawn_blocking(move || read_all(chunk)).await else {
            continue;
        };
        let mut batch = Vec::with_capacity(read.len());
        for file in read {
            seen.push(file.path.clone());
            parsed += usize::from(file.parsed);
            if let Some(stamp) = file.stamp {
                stamps.push((file.path.clone(), stamp));
            }
            batch.push((file.path, file.loaded));
        }
        shared.send(Change::Scanned(ScannedBatch { files: batch, listed_under: listed_under.clone() }));
        if let Some(progress) = &progress {
            let percentage = u32::try_from(done * 100 / to_read.max(1)).unwrap_or(100);
            progress.report_with_message(format!("{done}/{to_read} files"), percentage).await;
        }
    }
    tracing::info!("{listed} files read in {:?}", started.elapsed());
    let (indexed, stored) = tokio::sync::oneshot::channel();
    let seen = Some(SeenFiles::new(seen));
    let finished = Change::ScanFinished { root: root.clone(), seen, indexed: Some(indexed), restored };
    shared.send(finished);
    // Ending the progress once the index holds everything, and the
    // diagnostics it gives are published, tells the client that answers and
    // problems are now complete.
    let outcome = stored.await.ok();
    // Taken before the client hears the scan ended, so that a `shutdown`
    // sent on that news waits for the cache.
    let _writing = shared.cache_write.lock().await;
    if let Some(progress) = progress {
        progress.finish_with_message(format!("{listed} files read")).await;
    }
    tracing::info!(
        "scan of {} done in {:?}: {listed} files, {parsed} parsed, the rest from the cache",
        root.display(),
        started.elapsed(),
    );
    // A file that cannot be read is never cached: it does not make every
    // start rewrite the cache.
    let unchanged = cache_was_valid && cached_unchanged && parsed == 0;
    if let Some(file) = cache_file
        && !unchanged
    {
        let shared = shared.clone();
        let saved = in_background("article-lsp-cache", move || {
            // The scan's holes go back first: writing allocates on a thread
            // of its own, from another arena, and would otherwise add its
            // peak to them.
            article_workspace::allocator::release_free_memory();
            save_cache(&shared, &file, &stamps, outcome)
        })
        .await;
        if let Some(Err(error)) = saved {
            tracing::warn!("index cache of {} not written: {error}", root.display());
        }
    }
    article_workspace::allocator::release_free_memory();
}

/// Runs `work` on a thread of its own at the lowest priority and waits for
/// it; `None` when no thread could be started. Writing the cache is for the
/// next start: on two cores it would otherwise compete for seconds with the
/// answers the writer is waiting for now. A thread of its own, because a
/// priority given to one of tokio's blocking threads would stay with it.
async fn in_background<T: Send + 'static>(
    name: &str,
    work: impl FnOnce() -> T + Send + 'static,
) -> Option<T> {
    let (done, result) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || {
            lower_this_threads_priority();
            // The receiver is gone only when the server is shutting down.
            let _ = done.send(work());
        })
        .ok()?;
    result.await.ok()
}

/// The lowest priority that still runs (nice 19, not `SCHED_IDLE`, which a
/// busy machine could starve for ever: shutdown waits for the cache).
fn lower_this_threads_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: `gettid` has no preconditions, and `setpriority` on the calling
    // thread's own id changes only that thread's nice value; a failure
    // leaves the priority as it was.
    unsafe {
        let thread = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, thread as libc::id_t, 19);
    }
}

/// One file as the scan found it.
struct ReadFile {
    path: FilePath,
    /// `None` when the file could not be read as text.
    loaded: Option<Loaded>,
    stamp: Option<Stamp>,
    /// Read and parsed (the cache is then out of date).
    parsed: bool,
}

/// The listed files compared with what a cache holds of them.
struct Verified {
    /// The cache's index, less the articles changed or gone since.
    image: ArticleIndex,
    /// The listed files the cache holds as they are, with their stamps.
    unchanged: Vec<(FilePath, Stamp)>,
    /// Listed files to read: new, or changed since the cache was written.
    to_read: Vec<ListedFile>,
    /// Every cached file is listed and unchanged.
    cached_unchanged: bool,
    /// What the checks found in each file, when every listed file is as
    /// the cache holds it and every one had its findings stored.
    found: Option<StoredFindings>,
}

/// The stamp of each file, stat-ed on every core; `None` where there is none.
fn stamps_of(files: &[ListedFile]) -> Vec<Option<Stamp>> {
    files
        .par_iter()
        .map(|file| std::fs::metadata(file.on_disk()).ok().and_then(|metadata| Stamp::of(&metadata)))
        .collect()
}

/// Compares the listed files' stamps (`stamped`, in the listing's order)
/// with those the cache holds. Both are in path order, so one walk pairs
/// them; a name the two orders disagree on (one that is not UTF-8) is at
/// worst not paired, and read again.
fn verify(cached: CachedWorkspace, listed: &[ListedFile], stamped: Vec<Option<Stamp>>) -> Verified {
    let CachedWorkspace { files: cached, index: mut image } = cached;
    let cached_count = cached.len();
    // The cached files are taken apart as they are paired, their paths
    // moved rather than copied: at a million files every copy of a shared
    // path is a visit to a random place in memory.
    let mut cached = cached.into_iter().peekable();
    let (mut unchanged, mut to_read) = (Vec::with_capacity(listed.len()), Vec::new());
    let mut gone = Vec::new();
    // What the kept files' checks found, while every one had it stored.
    let mut found = Some(Vec::new());
    for (listed, stamp) in listed.iter().zip(stamped) {
        let name = listed.path().as_str();
        while let Some(file) = cached.next_if(|file| file.path.as_str() < name) {
            gone.extend(file.is_article.then_some(file.path));
        }
        match cached.next_if(|file| file.path.as_str() == name) {
            Some(file) if stamp == Some(file.stamp) => {
                match (&mut found, file.found) {
                    (Some(kept), Some(findings)) if !findings.is_empty() => {
                        kept.push((file.path.clone(), findings));
                    }
                    (_, Some(_)) => {}
                    (_, None) => found = None,
                }
                unchanged.push((file.path, file.stamp));
            }
            other => {
                gone.extend(other.filter(|file| file.is_article).map(|file| file.path));
                to_read.push(listed.clone());
            }
        }
    }
    gone.extend(cached.filter(|file| file.is_article).map(|file| file.path));
    for path in &gone {
        image.remove(path);
    }
    let cached_unchanged = unchanged.len() == cached_count;
    let complete = cached_unchanged && to_read.is_empty();
    let found = found.filter(|_| complete).map(StoredFindings::new);
    Verified { image, unchanged, to_read, cached_unchanged, found }
}

fn read_all(files: Vec<ListedFile>) -> Vec<ReadFile> {
    files
        .into_par_iter()
        .map(|file| {
            let file_path = file.path().clone();
            match load_for_index(file.on_disk()) {
                Ok((loaded, stamp)) => {
                    ReadFile { path: file_path, loaded: Some(loaded), stamp, parsed: true }
                }
                // Not cached either way: a file that cannot be read must not
                // make every start rewrite the cache.
                Err(problem) => {
                    log(&problem);
                    ReadFile { path: file_path, loaded: None, stamp: None, parsed: false }
                }
            }
        })
        .collect()
}

/// Writes what the index held of the scanned files once the scan's
/// diagnostics were out (`outcome`; else what it holds now) to the cache.
/// Open documents are left out: the index holds the editor's text for them,
/// and the cache must say what is on disk.
fn save_cache(
    shared: &Shared,
    file: &Path,
    stamps: &[(FilePath, Stamp)],
    outcome: Option<ScanOutcome>,
) -> std::io::Result<()> {
    let ScanOutcome { index, documents, findings } = outcome.unwrap_or_else(|| ScanOutcome::latest(shared));
    let mut found = findings_to_store(shared, &index, findings.as_deref(), stamps).into_iter();
    // Open when the index was taken (it holds the editor's text, not the
    // disk's), or since: asked once, not per file, for the state's lock is
    // the requests' too, and this thread runs at the lowest priority.
    let open_now = shared.state.snapshot().documents.clone();
    let seen = stamps
        .iter()
        .map(|stamped| (stamped, found.next().flatten()))
        .filter(|((path, _), _)| !documents.contains_key(path) && !open_now.contains_key(path))
        .map(|((path, stamp), found)| cache::Seen { path, stamp: *stamp, found });
    let written = cache::save(file, seen, &index)?;
    tracing::info!("index cache written: {written} files in {}", file.display());
    Ok(())
}

/// What the checks found in each of `stamps`' files, in their order, when
/// they are known of every file of `index` (`findings`: files without any
/// are not in it) and the index is the disk's files of this one root and
/// nothing else (no other root, no open document, no file the scan did not
/// stamp): only then will a restart that finds each file unchanged have
/// the same findings.
fn findings_to_store(
    shared: &Shared,
    index: &ArticleIndex,
    findings: Option<&HashMap<FilePath, Vec<Diagnostic>>>,
    stamps: &[(FilePath, Stamp)],
) -> Vec<Option<Vec<StoredDiagnostic>>> {
    let Some(findings) = findings else { return Vec::new() };
    let one_root = shared.workspace().roots().count() == 1;
    let stamped = stamps.iter().filter(|(path, _)| index.get_by_path(path).is_some()).count();
    if !one_root || stamped != index.len() {
        return Vec::new();
    }
    let stored =
        |found: &Vec<Diagnostic>| found.iter().map(|found| StoredDiagnostic::of(index, found)).collect();
    stamps.iter().map(|(path, _)| Some(findings.get(path).map(stored).unwrap_or_default())).collect()
}

/// A file that could not be read goes to the log: a warning when reading
/// failed, a note when it is not an article text or is not followed.
pub fn log(problem: &ScanProblem) {
    let path = problem.path.display();
    match problem.kind {
        ProblemKind::Io => tracing::warn!("{path}: {}", problem.message),
        ProblemKind::Skipped => tracing::info!("{path}: {}", problem.message),
    }
}
