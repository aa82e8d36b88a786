//! One corpus size: its corpus, then the floor, check and the server
//! sessions, then the bulk changes.

use std::path::Path;

use tokio::time::Instant;

use crate::bulk::measure_bulk;
use crate::corpus::{fresh_cache, prepare_corpus};
use crate::floor_check::{measure_check, measure_floor};
use crate::report::thousands;
use crate::results::SizeResult;
use crate::sessions::{Watching, cold_session, warm_session};
use crate::{Args, Paths, log};

pub async fn run_size(paths: &Paths, args: &Args, size: usize) -> Result<SizeResult, String> {
    let started = Instant::now();
    log(&format!("== {} articles", thousands(size as u64)));
    let (folder, generated) = prepare_corpus(paths, &paths.corpora, size)?;
    let mut result = SizeResult { articles: size, corpus_generated_now: generated, ..SizeResult::default() };
    let cache_base = paths.cache.join(size.to_string());
    if !args.bulk_only {
        measure_figures(paths, args, &folder, size, &cache_base, &mut result).await?;
    }
    if args.bulk {
        log("  bulk changes");
        result.bulk = Some(measure_bulk(paths, args, &folder, size, &cache_base).await?);
    }
    result.elapsed_s = started.elapsed().as_secs_f64();
    Ok(result)
}

/// Every figure but the bulk changes'.
async fn measure_figures(
    paths: &Paths,
    args: &Args,
    folder: &Path,
    size: usize,
    cache_base: &Path,
    result: &mut SizeResult,
) -> Result<(), String> {
    log("  floor");
    let floor = measure_floor(paths, folder, args.runs)?;
    log("  check");
    let mut check = measure_check(paths, folder, args.runs, cache_base, args.server_log.as_deref())?;
    check.figures.ratio = check.figures.s / floor.s;
    result.files = Some(floor.files);
    log("  server (cold)");
    let cache = fresh_cache(cache_base, "server")?;
    let mut lsp = cold_session(paths, args, folder, size, &check, &cache).await;
    lsp.scan_end_ratio = lsp.start.scan_end_s.map(|seconds| seconds / floor.s);
    lsp.diagnostics_complete_ratio = lsp.start.diagnostics_complete_s.map(|seconds| seconds / floor.s);
    result.lsp = Some(lsp);
    if args.warm {
        log("  server (restart)");
        let expected = check.figures.files_with_diagnostics;
        result.warm = Some(warm_session(paths, args, folder, size, expected, &cache, Watching::Client).await);
        log("  server (restart, watching the folders itself)");
        result.warm_server_watching =
            Some(warm_session(paths, args, folder, size, expected, &cache, Watching::Server).await);
    }
    result.floor = Some(floor);
    result.check = Some(check.figures);
    Ok(())
}
