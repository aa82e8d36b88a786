//! The live heap of the index `check` builds over a folder, counted by a
//! global allocator that tracks every allocation (`BENCHMARKS.md` quotes it):
//!
//! ```sh
//! cargo run --release --example index_heap -- /path/to/corpus
//! ```

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use article_core::summary::LinkSummary;

/// Bytes and allocations live now.
struct Counting;

static LIVE_BYTES: AtomicUsize = AtomicUsize::new(0);
static LIVE_ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is passed on to the system allocator unchanged; the
// counters only observe it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE_BYTES.fetch_add(layout.size(), Ordering::Relaxed);
        LIVE_ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE_BYTES.fetch_sub(layout.size(), Ordering::Relaxed);
        LIVE_ALLOCATIONS.fetch_sub(1, Ordering::Relaxed);
        // SAFETY: the caller's contract is the system allocator's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> (usize, usize) {
    (LIVE_BYTES.load(Ordering::Relaxed), LIVE_ALLOCATIONS.load(Ordering::Relaxed))
}

fn megabytes(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn main() {
    let Some(root) = std::env::args().nth(1) else {
        eprintln!("usage: index_heap FOLDER");
        std::process::exit(2);
    };
    let paths = match article_workspace::walk::discover(&[root.into()], &Default::default()) {
        Ok(paths) => paths,
        Err(problem) => {
            eprintln!("{}: {}", problem.path.display(), problem.message);
            std::process::exit(2);
        }
    };
    let before = live();
    let scan = article_workspace::walk::index_files(&paths);
    let after = live();
    println!(
        "index of {} articles: {} live in {} allocations",
        scan.index.len(),
        megabytes(after.0 - before.0),
        after.1 - before.1
    );
    let links: usize = scan
        .index
        .iter()
        .map(|(_, entry)| entry.summary.links.len() * std::mem::size_of::<LinkSummary>())
        .sum();
    println!("of which related links {}", megabytes(links));
}
