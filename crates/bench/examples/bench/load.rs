//! `--load SECONDS`: instead of the figures, mixed requests back to back
//! (every suite's, shuffled) with an edit of an open article every 100
//! requests, the server's memory sampled every 10 s: reliability under
//! sustained use.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use crate::corpus::{SEED, fresh_cache, prepare_corpus};
use crate::documents::Documents;
use crate::floor_check::{Reported, measure_check};
use crate::latency::{Call, request_suites};
use crate::results::{LoadFigures, LoadRun};
use crate::server::{REQUEST_TIMEOUT, Server, Trouble};
use crate::sessions::{measure_start, server_log_problems};
use crate::stats::summary_ms;
use crate::{Args, Paths};

/// The JSON-RPC code of a cancelled request: expected under load.
const REQUEST_CANCELLED: i64 = -32800;

pub async fn run_load(paths: &Paths, args: &Args, seconds: f64, size: usize) -> Result<LoadRun, String> {
    crate::log(&format!("== load: {} articles, {seconds:.0} s", crate::report::thousands(size as u64)));
    let (folder, _) = prepare_corpus(paths, &paths.corpora, size)?;
    let cache_base = paths.cache.join(size.to_string());
    let check = measure_check(paths, &folder, 1, &cache_base, args.server_log.as_deref())?;
    let mut out = LoadRun { articles: size, ..LoadRun::default() };
    let log_file = paths.logs.join(format!("server-{size}-load.log"));
    let cache = fresh_cache(&cache_base, "load")?;
    let mut server = Server::spawn(&paths.server, &cache, args.server_log_filter(), log_file.clone());
    server.seen.expected_nonempty = Some(check.figures.files_with_diagnostics);
    let loaded = async {
        measure_start(&mut server, &folder, size, &mut out.start, &mut out.problems).await?;
        let docs = Documents::open(&mut server, &folder, &check.by_file, args.documents).await?;
        out.load = Some(measure_load(&mut server, &docs, &check.by_file, seconds).await?);
        Ok::<(), Trouble>(())
    };
    if let Err(trouble) = loaded.await {
        out.problems.push(trouble.to_string());
    }
    out.exit = server.shut_down().await;
    out.server_log_errors = server_log_problems(&log_file);
    Ok(out)
}

async fn measure_load(
    server: &mut Server,
    docs: &Documents,
    by_file: &HashMap<PathBuf, Vec<Reported>>,
    seconds: f64,
) -> Result<LoadFigures, Trouble> {
    let mut calls: Vec<Call> = request_suites(docs, by_file)
        .into_iter()
        .filter(|(name, _)| *name != "noop")
        .flat_map(|(_, calls)| calls)
        .collect();
    calls.shuffle(&mut ChaCha8Rng::seed_from_u64(SEED));
    let line = docs.edited.blocks[0].1;
    let right = &docs.edited.lines[line];
    let mut figures = LoadFigures::default();
    let mut samples = Vec::new();
    let mut by_method: BTreeMap<String, usize> = BTreeMap::new();
    let mut errors: BTreeMap<String, usize> = BTreeMap::new();
    let start = Instant::now();
    let mut next_sample = start;
    let mut version: i64 = 1000;
    let mut n = 0;
    let sample_rss = |server: &Server| {
        let at = (start.elapsed().as_secs_f64() * 10.0).round() / 10.0;
        (at, server.memory().now_mb.unwrap_or(0.0))
    };
    while start.elapsed().as_secs_f64() < seconds {
        let (method, params) = &calls[n % calls.len()];
        let (elapsed, response) = server.request(method, params.clone(), REQUEST_TIMEOUT).await?;
        samples.push(elapsed);
        *by_method.entry((*method).to_owned()).or_default() += 1;
        if let Some(error) = response.get("error")
            && error["code"].as_i64() != Some(REQUEST_CANCELLED)
        {
            *errors.entry((*method).to_owned()).or_default() += 1;
            if figures.first_errors.len() < 5 {
                figures.first_errors.push(serde_json::json!({ "method": method, "error": error }));
            }
        }
        if n % 100 == 0 {
            version += 1;
            let text = if version % 2 == 1 { format!("{right} (edited)") } else { right.clone() };
            server.replace_line(&docs.edited.uri, version, line, &text).await;
        }
        if Instant::now() >= next_sample {
            figures.rss_mb.push(sample_rss(server));
            next_sample += std::time::Duration::from_secs(10);
        }
        n += 1;
    }
    figures.rss_mb.push(sample_rss(server));
    let after_warmup: Vec<f64> =
        match figures.rss_mb.iter().filter(|(at, _)| *at >= 60.0).map(|(_, mb)| *mb).collect::<Vec<_>>() {
            late if !late.is_empty() => late,
            _ => figures.rss_mb.iter().map(|(_, mb)| *mb).collect(),
        };
    figures.seconds = start.elapsed().as_secs_f64();
    figures.requests = n;
    figures.edits = (version - 1000) as usize;
    figures.by_method = by_method;
    figures.errors_other_than_cancellation = errors.values().sum();
    figures.errors_by_method = errors;
    figures.latency = summary_ms(&samples);
    figures.rss_after_warmup_first_mb = after_warmup.first().copied().unwrap_or(0.0);
    figures.rss_after_warmup_max_mb = after_warmup.iter().copied().fold(0.0, f64::max);
    figures.rss_end_mb = figures.rss_mb.last().map_or(0.0, |(_, mb)| *mb);
    Ok(figures)
}

/// One line per size: throughput, errors, latency, memory, exit.
pub fn print_load(runs: &[LoadRun]) {
    for run in runs {
        let articles = crate::report::thousands(run.articles as u64);
        let Some(load) = &run.load else {
            println!("{articles} articles: no load figures; problems: {:?}", run.problems);
            continue;
        };
        let times = load.latency.times.clone().unwrap_or_default();
        println!(
            "{articles} articles: {} requests and {} edits in {:.0} s ({:.0}/s), {} error responses other than \
             cancellations; latency p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms; RSS after the first minute {:.0} MB, \
             at most {:.0} MB, at the end {:.0} MB; exit code {} {:.0} ms after exit",
            crate::report::thousands(load.requests as u64),
            load.edits,
            load.seconds,
            load.requests as f64 / load.seconds,
            load.errors_other_than_cancellation,
            times.p50_ms,
            times.p99_ms,
            times.max_ms,
            load.rss_after_warmup_first_mb,
            load.rss_after_warmup_max_mb,
            load.rss_end_mb,
            run.exit.exit_code.map_or("None".to_owned(), |code| code.to_string()),
            run.exit.exit_ms.unwrap_or(0.0),
        );
        for problem in run.problems.iter().chain(&run.server_log_errors) {
            println!("  problem: {problem}");
        }
    }
}

/// Whether a load run failed: a problem, no figures, an error response
/// other than a cancellation, or an unclean exit.
pub fn failed(run: &LoadRun) -> bool {
    !run.problems.is_empty()
        || run.load.as_ref().is_none_or(|load| load.errors_other_than_cancellation > 0)
        || !run.exit.clean
}
