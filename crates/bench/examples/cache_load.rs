//! Times reading an index cache file, as a restart does (`BENCHMARKS.md`
//! quotes it):
//!
//! ```sh
//! cargo run --release --example cache_load -- /path/to/file.index [runs]
//! ```

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(file) = args.next() else {
        eprintln!("usage: cache_load FILE.index [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.next().and_then(|runs| runs.parse().ok()).unwrap_or(5);
    article_workspace::allocator::map_large_blocks_apart();
    for _ in 0..runs {
        let started = Instant::now();
        match article_workspace::cache::load(file.as_ref()) {
            Ok(cached) => {
                println!(
                    "{} files, {} articles in {:?}",
                    cached.files.len(),
                    cached.index.len(),
                    started.elapsed()
                )
            }
            Err(why) => {
                eprintln!("not read: {why}");
                std::process::exit(1);
            }
        }
    }
}
