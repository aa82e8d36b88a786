//! End-to-end benchmarks of article-lsp on generated corpora (see
//! BENCHMARKS.md), run by `scripts/bench`, which builds this, the server,
//! the corpus generator and the floor in release first.
//!
//! Per corpus size it measures, in one run: the floor (examples/floor.rs),
//! `article-lsp check`, and the language server over stdio on the tests'
//! client (cold start, memory, request latency, edit to diagnostics, a
//! change seen by 1,000 referrers, a restart, a clean exit, and bulk
//! changes on disk told as a client's file watcher would, with edits
//! meanwhile). It prints a Markdown table whose targets come from
//! `report::targets`, and writes every figure as JSON.

mod bulk;
mod cli;
mod corpus;
mod documents;
mod edits;
mod figures;
mod floor_check;
mod hostile;
mod hub;
mod latency;
mod load;
mod machine;
mod received;
mod report;
mod results;
mod server;
mod sessions;
mod stats;
#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use clap::Parser;
use serde::Serialize;
use tokio::time::Instant;

pub use cli::Args;
use corpus::{HUB_REFERRERS, SEED};
use machine::{Machine, load_average, local_date, machine, machine_line};
use report::targets::{TARGETS, Target};
use results::{LoadRun, SizeResult};

/// Where things are: this checkout, the binaries, the corpora, the work
/// folder (logs and the servers' caches).
pub struct Paths {
    pub repo: PathBuf,
    pub server: PathBuf,
    pub generator: PathBuf,
    pub floor: PathBuf,
    pub corpora: PathBuf,
    pub logs: PathBuf,
    pub cache: PathBuf,
}

impl Paths {
    fn new(args: &Args) -> Result<Paths, String> {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let repo = repo.canonicalize().map_err(|error| format!("{}: {error}", repo.display()))?;
        // This driver is built beside the other examples, in the release
        // folder that holds the server.
        let me = std::env::current_exe().map_err(|error| format!("this driver's path: {error}"))?;
        let examples = me.parent().ok_or("this driver is in no folder")?.to_path_buf();
        let release = examples.parent().ok_or("this driver is not in a release folder")?;
        let server_dir = match &args.bin_dir {
            Some(dir) => dir.canonicalize().map_err(|error| format!("{}: {error}", dir.display()))?,
            None => release.to_path_buf(),
        };
        std::fs::create_dir_all(&args.corpus_dir)
            .map_err(|error| format!("{}: {error}", args.corpus_dir.display()))?;
        let corpora = args
            .corpus_dir
            .canonicalize()
            .map_err(|error| format!("{}: {error}", args.corpus_dir.display()))?;
        let work = repo.join("target").join("bench");
        let logs = work.join("logs");
        std::fs::create_dir_all(&logs).map_err(|error| format!("{}: {error}", logs.display()))?;
        let paths = Paths {
            server: server_dir.join("article-lsp"),
            generator: examples.join("gen_corpus"),
            floor: examples.join("floor"),
            cache: work.join("cache"),
            repo,
            corpora,
            logs,
        };
        for binary in [&paths.server, &paths.generator, &paths.floor] {
            if !binary.is_file() {
                return Err(format!(
                    "{} is missing: build it (scripts/bench does, without --no-build)",
                    binary.display()
                ));
            }
        }
        Ok(paths)
    }
}

/// Sets how glibc's allocator treats what this process frees, before any
/// thread starts. A session's inbox holds every message the server wrote,
/// millions of small blocks after a long one. Freed when the session ends,
/// they would by default be merged lazily (half a second, on the next large
/// allocation: inside the next session's timed figures) or handed back to
/// the kernel (and faulted in again, page by page, as the next session's
/// reader takes in its messages: twice the time it takes to read a
/// restart's 25,000 diagnostics sets). So: one arena for every thread
/// (the reader reuses what the last session freed, whichever worker runs
/// it), blocks merged as they are freed, and nothing handed back.
fn keep_freed_memory() {
    // SAFETY: mallopt only sets the allocator's parameters, and no other
    // thread exists yet.
    #[cfg(target_env = "gnu")]
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MXFAST, 0);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
    }
}

/// Progress, on stderr (the table goes to stdout).
pub fn log(line: &str) {
    eprintln!("{line}");
}

/// A `check` run's environment: its cache in `cache`, so that no cache of
/// an earlier run makes it warm, and no log filter but `--server-log`'s.
pub fn server_env(command: &mut Command, cache: &Path, server_log: Option<&str>) {
    command
        .env("XDG_CACHE_HOME", cache)
        .env_remove(article_workspace::cache::CACHE_DIR_VARIABLE)
        .env_remove("RUST_LOG");
    if let Some(filter) = server_log {
        command.env("RUST_LOG", filter);
    }
}

#[derive(Serialize)]
struct Settings {
    runs: usize,
    requests: usize,
    edits: usize,
    hub_rounds: usize,
    hub_referrers: usize,
    seed: u64,
    debounce_ms: f64,
    targets: &'static [Target],
    bulk_timeout_s: f64,
}

#[derive(Serialize)]
struct Report<'a, T: Serialize> {
    date: String,
    command: String,
    machine: &'a Machine,
    #[serde(skip_serializing_if = "Option::is_none")]
    settings: Option<Settings>,
    sizes: &'a [T],
    /// `check` over the hostile workspaces.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    hostile: &'a [hostile::HostileFigures],
    #[serde(skip_serializing_if = "Option::is_none")]
    elapsed_s: Option<f64>,
}

fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    format!("scripts/bench {}", args.join(" "))
}

fn write_json(path: &Path, value: &impl Serialize) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|error| format!("{}: {error}", parent.display()))?;
    }
    let text =
        serde_json::to_string_pretty(value).map_err(|error| format!("the results as JSON: {error}"))?;
    std::fs::write(path, text + "\n").map_err(|error| format!("{}: {error}", path.display()))
}

fn main() -> ExitCode {
    let args = Args::parse();
    keep_freed_memory();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build();
    let runtime = runtime.expect("a tokio runtime (threads, timers, I/O) can be started");
    match runtime.block_on(run(&args)) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("bench: {message}");
            ExitCode::from(2)
        }
    }
}

async fn run(args: &Args) -> Result<ExitCode, String> {
    let started = Instant::now();
    let paths = Paths::new(args)?;
    let out = args.out.clone().unwrap_or_else(|| paths.repo.join("target").join("bench-results.json"));
    let mut info = machine(&paths.repo, paths.server.parent().unwrap_or(&paths.repo));
    if let Some(seconds) = args.load.filter(|seconds| *seconds > 0.0) {
        let mut runs: Vec<LoadRun> = Vec::new();
        for size in &args.sizes.0 {
            runs.push(load::run_load(&paths, args, seconds, *size).await?);
        }
        info.loadavg_end = Some(load_average());
        let out = if out.file_name().is_some_and(|name| name == "bench-results.json") {
            out.with_file_name("load-results.json")
        } else {
            out
        };
        let report = Report {
            date: local_date(),
            command: command_line(),
            machine: &info,
            settings: None,
            sizes: &runs,
            hostile: &[],
            elapsed_s: None,
        };
        write_json(&out, &report)?;
        println!("\n{}\n", machine_line(&info));
        load::print_load(&runs);
        return Ok(if runs.iter().any(load::failed) { ExitCode::FAILURE } else { ExitCode::SUCCESS });
    }
    let mut results: Vec<SizeResult> = Vec::new();
    for size in &args.sizes.0 {
        results.push(figures::run_size(&paths, args, *size).await?);
    }
    let hostile = if args.bulk_only { Vec::new() } else { hostile::measure_hostile(&paths)? };
    info.loadavg_end = Some(load_average());
    let settings = Settings {
        runs: args.runs,
        requests: args.requests,
        edits: args.edits,
        hub_rounds: args.hub_rounds,
        hub_referrers: HUB_REFERRERS,
        seed: SEED,
        debounce_ms: edits::DEBOUNCE_S * 1e3,
        targets: TARGETS,
        bulk_timeout_s: args.bulk_timeout,
    };
    let elapsed_s = Some(started.elapsed().as_secs_f64());
    let report = Report {
        date: local_date(),
        command: command_line(),
        machine: &info,
        settings: Some(settings),
        sizes: &results,
        hostile: &hostile,
        elapsed_s,
    };
    write_json(&out, &report)?;
    let mut table = report::markdown(&results, args.bulk_only);
    if !hostile.is_empty() {
        table = format!("{table}\n\n{}", report::hostile_markdown(&hostile));
    }
    let markdown = out.with_extension("md");
    std::fs::write(&markdown, format!("{table}\n"))
        .map_err(|error| format!("{}: {error}", markdown.display()))?;
    println!("\n{}\n", machine_line(&info));
    println!("{table}");
    let found = report::problems(&results);
    if !found.is_empty() {
        println!("\nproblems:");
        for problem in found {
            println!("- {problem}");
        }
    }
    let shown = out.strip_prefix(&paths.repo).unwrap_or(&out);
    println!("\nresults: {}; total {:.0}s", shown.display(), started.elapsed().as_secs_f64());
    Ok(ExitCode::SUCCESS)
}
