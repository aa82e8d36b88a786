//! Reading a root's articles into the index, with work-done progress.
//!
//! Files go to the analysis task in batches, so requests made during the
//! scan see what has been read so far.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use rayon::prelude::*;
use tower_lsp_server::ls_types::{MessageType, NumberOrString};

use super::Shared;
use super::publish::Change;
use crate::index::FilePath;
use crate::workspace::{Loaded, ProblemKind, ScanOptions, ScanProblem, list_files, load_for_index};

/// Files read between two progress reports and index updates.
const BATCH: usize = 256;

static SCANS: AtomicU32 = AtomicU32::new(0);

/// Starts scanning `root`. `ScanStarted` is queued before this returns, so
/// changes queued after it wait for the scan's end to be diagnosed.
pub fn start(shared: &Arc<Shared>, root: PathBuf, options: ScanOptions) {
    shared.send(Change::ScanStarted);
    shared.scans_running.fetch_add(1, Ordering::SeqCst);
    let shared = shared.clone();
    tokio::spawn(async move {
        let task = tokio::spawn(scan(shared.clone(), root.clone(), options));
        // Whatever happens to the scan, the analysis must learn it ended.
        if let Err(error) = task.await {
            tracing::error!("scan of {} failed: {error}", root.display());
            shared.send(Change::ScanFinished { root, seen: None, indexed: None });
        }
        shared.scans_running.fetch_sub(1, Ordering::SeqCst);
    });
}

async fn scan(shared: Arc<Shared>, root: PathBuf, options: ScanOptions) {
    let token = NumberOrString::String(format!("article-lsp/scan/{}", SCANS.fetch_add(1, Ordering::Relaxed)));
    let progress = if shared.session().work_done_progress
        && shared.client.create_work_done_progress(token.clone()).await.is_ok()
    {
        let title = format!("Indexing articles in {}", root.display());
        Some(shared.client.progress(token, title).with_percentage(0).begin().await)
    } else {
        None
    };

    let listing = {
        let (root, options) = (root.clone(), options.clone());
        tokio::task::spawn_blocking(move || list_files(&[root], &options)).await
    };
    let files = match listing {
        Ok(Ok(listing)) => {
            listing.problems.iter().for_each(log);
            listing.files
        }
        Ok(Err(problem)) => {
            let message = format!("article-lsp: cannot scan {}: {}", problem.path.display(), problem.message);
            shared.client.show_message(MessageType::WARNING, message).await;
            Vec::new()
        }
        Err(error) => {
            tracing::error!("listing {} failed: {error}", root.display());
            Vec::new()
        }
    };

    let mut seen = HashSet::new();
    let mut done = 0;
    for chunk in files.chunks(BATCH) {
        let chunk = chunk.to_vec();
        let Ok(read) = tokio::task::spawn_blocking(move || read_all(chunk)).await else { continue };
        seen.extend(read.iter().map(|(path, _)| path.clone()));
        done += read.len();
        shared.send(Change::Scanned(read));
        if let Some(progress) = &progress {
            let percentage = u32::try_from(done * 100 / files.len().max(1)).unwrap_or(100);
            progress.report_with_message(format!("{done}/{} files", files.len()), percentage).await;
        }
    }
    let (indexed, stored) = tokio::sync::oneshot::channel();
    shared.send(Change::ScanFinished { root, seen: Some(seen), indexed: Some(indexed) });
    // Ending the progress once the index holds everything, and the
    // diagnostics it gives are published, tells the client that answers and
    // problems are now complete.
    let _ = stored.await;
    if let Some(progress) = progress {
        progress.finish_with_message(format!("{} files read", files.len())).await;
    }
}

fn read_all(paths: Vec<PathBuf>) -> Vec<(FilePath, Option<Loaded>)> {
    paths
        .into_par_iter()
        .map(|path| {
            let loaded = load_for_index(&path).map_err(|problem| log(&problem)).ok();
            (FilePath::new(path.to_string_lossy().as_ref()), loaded)
        })
        .collect()
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
