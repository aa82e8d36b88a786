//! The floor the cold-start figures are compared with: the least any indexer
//! of the corpus has to do. It lists the articles as the server does (same
//! walker, same default globs), reads every file, finds its front matter and
//! runs a bare `saphyr-parser` event parse of it, building nothing, on every
//! core (rayon's default pool). It prints one line of JSON:
//!
//! ```sh
//! cargo run --release --example floor -- DIR...
//! ```
//!
//! The line holds the counts (`files`, `front_matters`, `bytes`, `events`,
//! `yaml_errors`, `unreadable`), rayon's `threads`, and the times in
//! seconds: `discover_s` (listing), `read_parse_s` (reading and parsing) and
//! `total_s`. `scripts/bench` runs it beside `article-lsp check` and the
//! server (see `BENCHMARKS.md`).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use article_core::article::find_front_matter;
use article_workspace::admission::ScanOptions;
use article_workspace::walk::discover;
use rayon::prelude::*;
use saphyr_parser::Parser;

#[derive(Clone, Copy, Default)]
struct Tally {
    files: u64,
    front_matters: u64,
    bytes: u64,
    events: u64,
    yaml_errors: u64,
    unreadable: u64,
}

impl Tally {
    fn add(self, other: Tally) -> Tally {
        Tally {
            files: self.files + other.files,
            front_matters: self.front_matters + other.front_matters,
            bytes: self.bytes + other.bytes,
            events: self.events + other.events,
            yaml_errors: self.yaml_errors + other.yaml_errors,
            unreadable: self.unreadable + other.unreadable,
        }
    }
}

/// Reads one file and parses its front matter into events, which are
/// counted and dropped.
fn read_and_parse(path: &Path) -> Tally {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Tally { files: 1, unreadable: 1, ..Tally::default() };
    };
    let mut tally = Tally { files: 1, bytes: text.len() as u64, ..Tally::default() };
    if let Some(front_matter) = find_front_matter(&text) {
        tally.front_matters = 1;
        for event in Parser::new_from_str(&text[front_matter.yaml]) {
            match event {
                Ok(_) => tally.events += 1,
                Err(_) => {
                    tally.yaml_errors += 1;
                    break;
                }
            }
        }
    }
    tally
}

fn main() -> ExitCode {
    let roots: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    if roots.is_empty() || roots.iter().any(|root| root == "-h" || root == "--help") {
        eprintln!("usage: floor DIR...");
        return ExitCode::from(2);
    }
    let start = Instant::now();
    let files = match discover(&roots, &ScanOptions::default()) {
        Ok(files) => files,
        Err(problem) => {
            eprintln!("floor: cannot scan {}: {}", problem.path.display(), problem.message);
            return ExitCode::from(2);
        }
    };
    let discovered = start.elapsed();
    let tally =
        files.par_iter().map(|file| read_and_parse(file.on_disk())).reduce(Tally::default, Tally::add);
    let total = start.elapsed();
    println!(
        "{{\"files\":{},\"front_matters\":{},\"bytes\":{},\"events\":{},\"yaml_errors\":{},\
         \"unreadable\":{},\"threads\":{},\"discover_s\":{:.6},\"read_parse_s\":{:.6},\"total_s\":{:.6}}}",
        tally.files,
        tally.front_matters,
        tally.bytes,
        tally.events,
        tally.yaml_errors,
        tally.unreadable,
        rayon::current_num_threads(),
        discovered.as_secs_f64(),
        (total - discovered).as_secs_f64(),
        total.as_secs_f64(),
    );
    ExitCode::SUCCESS
}
