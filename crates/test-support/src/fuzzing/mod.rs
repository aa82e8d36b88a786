//! The checks behind the fuzz targets in `fuzz/`, kept in this crate so that
//! the integration tests (`fuzz_regressions`) replay saved inputs through
//! the very same code on the stable toolchain.
//!
//! A check panics when an invariant fails: a panic is what a fuzzer, and the
//! regression test, report as a failure. Panicking is the point here, so this
//! module (unlike the rest of the library) asserts freely.

pub mod article;
pub mod server;

use text_size::TextRange;

/// A range that lies within `text` and starts and ends on char boundaries.
#[track_caller]
fn assert_range(text: &str, range: TextRange, what: &str) {
    let (start, end) = (usize::from(range.start()), usize::from(range.end()));
    assert!(end <= text.len(), "{what}: {range:?} ends past the text ({} bytes)", text.len());
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: {range:?} is not on char boundaries"
    );
}

/// `offset`, clamped into `text` and moved back to a char boundary.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}
