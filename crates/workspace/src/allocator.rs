//! How the process asks glibc's allocator to hand memory back.
//!
//! A scan allocates large transient blocks (batches of parsed files, the
//! sorted keys a batch files, the key maps' merged runs) between the small
//! allocations the index keeps. By default glibc raises its threshold for
//! mapping a block on its own each time such a block is freed, so that the
//! later ones are carved out of the heap, between what the index keeps, and
//! stay there as holes once freed: at 100,000 articles a cold scan's peak
//! was a fifth higher for them (BENCHMARKS.md, "Large blocks mapped on
//! their own").

/// Blocks at least this large are mapped on their own and unmapped when
/// freed: glibc's own initial threshold, kept fixed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MAPPED_ON_THEIR_OWN: libc::c_int = 128 * 1024;

/// Keeps large blocks out of the heap for the life of the process. Called
/// first thing in `main`, before any thread allocates.
pub fn map_large_blocks_apart() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets the allocator's parameters; setting this
    // one also stops glibc from raising it.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MAPPED_ON_THEIR_OWN);
    }
}

/// Hands the memory a scan freed back to the system. A scan leaves its
/// transient allocations (file texts, parser buffers, whole answers, copies
/// of texts now shared) as holes between what the index keeps; glibc keeps
/// them mapped until asked, and a server that lives all day should not.
pub fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` only returns free pages of the allocator's own
    // arenas to the system; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}
