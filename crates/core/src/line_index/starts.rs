//! Where each line of a text starts, stored compactly: the index keeps one
//! of these per article, and a `u32` per line was an eighth of its memory.

use serde::{Deserialize, Serialize};

/// Lines between two starts kept whole: a look-up decodes at most this
/// many lengths.
const BLOCK: usize = 32;

/// Bytes of one kept start: the start, and where its block's lengths begin.
const CHECKPOINT_BYTES: usize = 8;

/// The start of every line, as the length of each line but the last (its
/// line break included), one to five bytes each (LEB128: most lines of an
/// article are shorter than 128 bytes), after the whole start of every
/// `BLOCK`th line. A typical article's 50 lines take some 60 bytes rather
/// than 200.
///
/// Read from a cache, the bytes may be anything: every read is checked,
/// and bytes that do not decode end the text there rather than panic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(super) struct LineStarts {
    /// Lines in the text, at least one.
    count: u32,
    /// The checkpoints (the start of line `BLOCK * n` and the position of
    /// its block's first length, for each `n` from 1, both `u32` little
    /// endian), then the lengths. Stored as bytes, not as a sequence of
    /// numbers: read back in one copy.
    #[serde(with = "serde_bytes")]
    bytes: Box<[u8]>,
}

impl LineStarts {
    /// `starts` is every line's start, in order; the first is 0.
    pub(super) fn new(starts: &[u32]) -> LineStarts {
        let starts = if starts.is_empty() { &[0][..] } else { starts };
        let checkpoints = (starts.len() - 1) / BLOCK;
        let mut lengths = Vec::with_capacity(starts.len() + 8);
        let mut bytes = Vec::with_capacity(checkpoints * CHECKPOINT_BYTES);
        for (line, &start) in starts.iter().enumerate() {
            if line > 0 && line.is_multiple_of(BLOCK) {
                let at = u32::try_from(checkpoints * CHECKPOINT_BYTES + lengths.len()).unwrap_or(u32::MAX);
                bytes.extend(start.to_le_bytes());
                bytes.extend(at.to_le_bytes());
            }
            // The last line has no length of its own.
            if let Some(next) = starts.get(line + 1) {
                crate::varint::push(&mut lengths, next - start);
            }
        }
        bytes.extend(lengths);
        LineStarts { count: u32::try_from(starts.len()).unwrap_or(u32::MAX), bytes: bytes.into_boxed_slice() }
    }

    pub(super) fn count(&self) -> usize {
        self.count.max(1) as usize
    }

    /// Where `line` starts and the line after it starts; `None` past the
    /// last line.
    pub(super) fn start(&self, line: usize) -> Option<(u32, Option<u32>)> {
        if line >= self.count() {
            return None;
        }
        let (mut start, mut at) = self.checkpoint(line / BLOCK);
        for _ in 0..line % BLOCK {
            start = start.saturating_add(self.length(&mut at)?);
        }
        let next = if line + 1 < self.count() {
            self.length(&mut at).map(|length| start.saturating_add(length))
        } else {
            None
        };
        Some((start, next))
    }

    /// The last line starting at or before `offset`, its start, and where
    /// the line after it starts.
    pub(super) fn line_of(&self, offset: u32) -> (usize, u32, Option<u32>) {
        let blocks = self.checkpoints();
        // The blocks whose first line starts at or before `offset`.
        let (mut lo, mut hi) = (0, blocks);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.checkpoint(mid + 1).0 <= offset {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        let (mut start, mut at) = self.checkpoint(lo);
        let mut line = lo * BLOCK;
        while line + 1 < self.count() {
            let Some(next) = self.length(&mut at).map(|length| start.saturating_add(length)) else {
                return (line, start, None);
            };
            if next > offset {
                return (line, start, Some(next));
            }
            (line, start) = (line + 1, next);
        }
        (line, start, None)
    }

    fn checkpoints(&self) -> usize {
        (self.count() - 1) / BLOCK
    }

    /// The start of block `block`'s first line and where its lengths begin.
    fn checkpoint(&self, block: usize) -> (u32, usize) {
        if block == 0 {
            return (0, self.checkpoints() * CHECKPOINT_BYTES);
        }
        let at = (block - 1) * CHECKPOINT_BYTES;
        let word = |from: usize| {
            let bytes = self.bytes.get(from..from + 4)?;
            Some(u32::from_le_bytes(bytes.try_into().ok()?))
        };
        match (word(at), word(at + 4)) {
            (Some(start), Some(lengths_at)) => (start, lengths_at as usize),
            // Not decodable: a block with no lengths.
            _ => (u32::MAX, usize::MAX),
        }
    }

    /// The length at `at`, which moves past it.
    fn length(&self, at: &mut usize) -> Option<u32> {
        crate::varint::read(&self.bytes, at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_start_and_offset_is_found_again(lengths in proptest::collection::vec(1u32..400, 0..200)) {
            let mut starts = vec![0u32];
            for length in &lengths {
                starts.push(starts.last().copied().unwrap_or(0) + length);
            }
            let compact = LineStarts::new(&starts);
            prop_assert_eq!(compact.count(), starts.len());
            for (line, start) in starts.iter().enumerate() {
                prop_assert_eq!(compact.start(line), Some((*start, starts.get(line + 1).copied())));
            }
            prop_assert_eq!(compact.start(starts.len()), None);
            let end = starts.last().copied().unwrap_or(0) + 3;
            for offset in 0..end {
                let line = starts.partition_point(|start| *start <= offset) - 1;
                prop_assert_eq!(compact.line_of(offset), (line, starts[line], starts.get(line + 1).copied()));
            }
        }

        #[test]
        fn any_bytes_read_back_never_panic(count in 0u32..100, bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
            let read = LineStarts { count, bytes: bytes.into_boxed_slice() };
            for line in 0..(count as usize + 2) {
                let _ = read.start(line);
            }
            for offset in [0, 1, 100, 10_000, u32::MAX] {
                let _ = read.line_of(offset);
            }
        }
    }
}
