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
    let parts = Parts::of(&scan.index);
    println!("of which related links {}", megabytes(parts.links));
    println!("  entries (the summaries' fixed part, each in its `Arc`) {}", megabytes(parts.entries));
    println!(
        "  the characters of the summaries' distinct texts: {} of {} references, {}",
        parts.distinct_texts,
        parts.text_references,
        megabytes(parts.texts)
    );
    println!("  paths {}", megabytes(parts.paths));
    println!("  the article's own diagnostics {}", megabytes(parts.local));
    let rest = (after.0 - before.0).saturating_sub(parts.total());
    println!(
        "  the rest (line indexes, key maps, the table of texts' slots and look-up, title words) {}",
        megabytes(rest)
    );
}

/// What the index's articles hold, counted from its structures (bytes as
/// asked of the allocator, without its own overhead). A text is counted
/// once however many summaries refer to it, by its characters: the table of
/// texts copies them into large blocks, with no header of their own.
#[derive(Default)]
struct Parts {
    entries: usize,
    links: usize,
    texts: usize,
    distinct_texts: usize,
    text_references: usize,
    paths: usize,
    local: usize,
}

impl Parts {
    fn of(index: &article_core::index::ArticleIndex) -> Parts {
        use article_core::article::LinkFieldName;
        use article_core::summary::LinkView;
        const ARC_HEADER: usize = 16;
        let mut parts = Parts::default();
        let mut seen = std::collections::HashSet::new();
        for (_, entry) in index.iter() {
            let summary = &entry.summary;
            parts.entries += ARC_HEADER + std::mem::size_of_val(&**entry);
            parts.links += summary.links.len() * std::mem::size_of::<LinkSummary>();
            parts.paths += ARC_HEADER + entry.path.as_str().len();
            for diagnostic in &summary.local {
                parts.local += std::mem::size_of_val(diagnostic) + diagnostic.message.len();
                parts.local +=
                    diagnostic.related.iter().map(|(_, message)| 24 + message.len()).sum::<usize>();
            }
            let own = [summary.title_text(), summary.subject_text(), summary.article_url()];
            let links =
                summary.links.iter().flat_map(|link| LinkFieldName::ALL.map(|name| link.field_text(name)));
            for text in own.into_iter().chain(links).flatten() {
                parts.text_references += 1;
                if seen.insert(text.as_ptr() as usize) {
                    parts.distinct_texts += 1;
                    parts.texts += text.len();
                }
            }
        }
        parts
    }

    fn total(&self) -> usize {
        self.entries + self.links + self.texts + self.paths + self.local
    }
}
