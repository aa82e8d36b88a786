//! The server sessions of a size's figures: the cold one (start, latency,
//! edits, the hub, typing in the hub's answer) and the restart over the
//! files it left, with the index cache it wrote.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::documents::Documents;
use crate::edits::{measure_answer_typing, measure_edits};
use crate::floor_check::CheckReport;
use crate::hub::measure_hub;
use crate::latency::measure_latency;
use crate::results::{ColdSession, StartFigures, WarmSession};
use crate::server::{Server, Trouble, scan_limit, seconds};
use crate::{Args, Paths};

/// From `initialize` to the end of the scan's progress, and on to the
/// arrival of the last file's diagnostics (as many files as check reports).
pub async fn measure_start(
    server: &mut Server,
    folder: &Path,
    size: usize,
    figures: &mut StartFigures,
    problems: &mut Vec<String>,
) -> Result<(), Trouble> {
    let limit = scan_limit(size);
    let start = Instant::now();
    figures.initialize_ms = Some(server.initialize(folder).await?);
    let end = server.wait_scan_end(limit).await?;
    figures.scan_end_s = Some(seconds(start, end));
    figures.rss_at_scan_end_mb = Some(server.memory());
    server.wait_diagnostics(Duration::from_secs(5), limit).await;
    server.wait_quiet(Duration::from_secs(1), Duration::from_secs(30)).await;
    server.catch_up();
    let seen = &server.seen;
    let reached = seen.files_with_diagnostics();
    figures.initial_publications = Some(seen.publications.len());
    figures.files_with_diagnostics = Some(reached);
    if let Some(complete) = seen.diagnostics_complete {
        figures.diagnostics_complete_s = Some(seconds(start, complete));
    } else if let Some(last) = seen.last_publication() {
        figures.last_publication_s = Some(seconds(start, last));
    }
    if Some(reached) != seen.expected_nonempty {
        let expected = seen.expected_nonempty.map_or("None".to_owned(), |n| n.to_string());
        problems.push(format!("diagnostics published for {reached} files, check reports {expected}"));
    }
    figures.rss_after_scan_mb = Some(server.memory());
    Ok(())
}

pub async fn cold_session(
    paths: &Paths,
    args: &Args,
    folder: &Path,
    size: usize,
    check: &CheckReport,
    cache: &Path,
) -> ColdSession {
    let mut out = ColdSession::default();
    let log_file = paths.logs.join(format!("server-{size}-cold.log"));
    let mut server = Server::spawn(&paths.server, cache, args.server_log_filter(), log_file.clone());
    server.seen.expected_nonempty = Some(check.figures.files_with_diagnostics);
    if let Err(trouble) = cold_figures(&mut server, args, folder, size, check, cache, &mut out).await {
        out.problems.push(trouble.to_string());
    }
    server.catch_up();
    out.server_requests = server.seen.server_requests.clone();
    out.messages = server.seen.messages.iter().take(20).cloned().collect();
    out.exit = server.shut_down().await;
    if !out.exit.clean {
        let exit = serde_json::to_string(&out.exit).unwrap_or_default();
        out.problems.push(format!("exit not clean: {exit}"));
    }
    out.server_log_errors = server_log_problems(&log_file);
    out
}

async fn cold_figures(
    server: &mut Server,
    args: &Args,
    folder: &Path,
    size: usize,
    check: &CheckReport,
    cache: &Path,
    out: &mut ColdSession,
) -> Result<(), Trouble> {
    measure_start(server, folder, size, &mut out.start, &mut out.problems).await?;
    let docs = Documents::open(server, folder, &check.by_file, args.documents).await?;
    measure_latency(server, &docs, &check.by_file, args.requests, args.max_seconds, out).await?;
    measure_edits(server, &docs.edited, args.edits, out).await;
    measure_hub(server, folder, &docs.hub, args.hub_rounds, out).await;
    measure_answer_typing(server, folder, &docs.hub, args.hub_rounds as i64 + 1, args.edits, out).await?;
    out.rss_end_mb = Some(server.memory());
    // The restart is over what this server cached: give it the time to
    // write that, rather than make `shutdown` wait or kill it meanwhile.
    out.cache_written_s = Some(wait_for_cache(cache, server.seen.scan_end_wall, scan_limit(size)).await);
    Ok(())
}

/// Seconds from the scan's end until the server's index cache was on disk
/// (the file renamed into place); `None` when none appeared within `limit`.
async fn wait_for_cache(cache: &Path, scan_end_wall: Option<SystemTime>, limit: Duration) -> Option<f64> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        let mut written = Vec::new();
        index_files(cache, &mut written);
        if let Some(latest) = written.into_iter().max() {
            let scan_end = scan_end_wall?;
            return Some(match latest.duration_since(scan_end) {
                Ok(after) => after.as_secs_f64(),
                Err(before) => -before.duration().as_secs_f64(),
            });
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

/// The modification times of the `*.index` files under `folder`.
fn index_files(folder: &Path, times: &mut Vec<SystemTime>) {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return;
    };
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        if path.is_dir() {
            index_files(&path, times);
        } else if path.extension().is_some_and(|ext| ext == "index")
            && let Ok(modified) = entry.metadata().and_then(|meta| meta.modified())
        {
            times.push(modified);
        }
    }
}

/// Who watches the workspace's files during a restart.
#[derive(Clone, Copy)]
pub enum Watching {
    /// The client, asked by the server to (VS Code).
    Client,
    /// The server itself: the client offers no watching (Neovim on Linux).
    Server,
}

/// The server restarted over the unchanged files, with the cache the cold
/// session left.
pub async fn warm_session(
    paths: &Paths,
    args: &Args,
    folder: &Path,
    size: usize,
    expected: usize,
    cache: &Path,
    watching: Watching,
) -> WarmSession {
    let mut out = WarmSession::default();
    let name = match watching {
        Watching::Client => "warm",
        Watching::Server => "warm-server-watching",
    };
    let log_file = paths.logs.join(format!("server-{size}-{name}.log"));
    let mut server = Server::spawn(&paths.server, cache, args.server_log_filter(), log_file);
    server.client_watches_files = matches!(watching, Watching::Client);
    server.seen.expected_nonempty = Some(expected);
    let limit = scan_limit(size);
    let start = Instant::now();
    let started = async {
        server.initialize(folder).await?;
        server.wait_scan_end(limit).await
    };
    match started.await {
        Ok(end) => {
            out.scan_end_s = Some(seconds(start, end));
            if server.wait_diagnostics(Duration::from_secs(5), limit).await {
                out.diagnostics_complete_s =
                    server.seen.diagnostics_complete.map(|complete| seconds(start, complete));
            }
            out.rss_after_scan_mb = Some(server.memory());
        }
        Err(trouble) => out.problems.push(trouble.to_string()),
    }
    out.exit = server.shut_down().await;
    out
}

/// The first lines of a server's log that tell of an error or a panic.
pub fn server_log_problems(path: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read(path) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(&text);
    let bad: Vec<&str> =
        text.lines().filter(|line| line.contains("ERROR") || line.contains("panicked")).collect();
    let mut found: Vec<String> = bad.iter().take(5).map(|line| (*line).to_owned()).collect();
    if bad.len() > 5 {
        found.push(format!("... {} more", bad.len() - 5));
    }
    found
}
