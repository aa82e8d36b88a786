//! A second implementation of position conversion, over a `ropey` rope:
//! the reference [`LineIndex`] is checked against (by the tests below, and by
//! the `article` fuzz target at every offset of every fuzzed text).

use article_core::line_index::{LineCol, PositionEncoding};
use ropey::Rope;

/// Position -> byte offset on a rope, with the same clamping rules as
/// [`LineIndex::offset`].
pub fn rope_offset(rope: &Rope, position: LineCol, encoding: PositionEncoding) -> usize {
    let line = position.line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_byte(line);
    let end = rope_content_end(rope, line);
    let col = position.col as usize;

    match encoding {
        PositionEncoding::Utf8 => {
            let target = start.saturating_add(col).min(end);
            // Floors to the start of the char containing `target`.
            rope.char_to_byte(rope.byte_to_char(target))
        }
        PositionEncoding::Utf16 => {
            let base = rope.char_to_utf16_cu(rope.byte_to_char(start));
            let limit = rope.char_to_utf16_cu(rope.byte_to_char(end));
            let target = base.saturating_add(col).min(limit);
            // Inside a surrogate pair this yields the char it belongs to.
            rope.char_to_byte(rope.utf16_cu_to_char(target))
        }
        PositionEncoding::Utf32 => {
            let base = rope.byte_to_char(start);
            let limit = rope.byte_to_char(end);
            rope.char_to_byte(base.saturating_add(col).min(limit))
        }
    }
}

/// Byte offset -> position on a rope, with the same clamping rules as
/// [`LineIndex::line_col`].
pub fn rope_line_col(rope: &Rope, offset: usize, encoding: PositionEncoding) -> LineCol {
    let offset = offset.min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let start = rope.line_to_byte(line);
    // Clamping to the content end also moves an offset between `\r` and `\n`
    // back onto the line break's start.
    let offset = offset.min(rope_content_end(rope, line));
    let char_idx = rope.byte_to_char(offset);
    let offset = rope.char_to_byte(char_idx);

    let col = match encoding {
        PositionEncoding::Utf8 => offset - start,
        PositionEncoding::Utf16 => {
            rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(rope.byte_to_char(start))
        }
        PositionEncoding::Utf32 => char_idx - rope.byte_to_char(start),
    };
    LineCol { line: saturate(line), col: saturate(col) }
}

/// Byte offset where the content of `line` ends, before its line break.
fn rope_content_end(rope: &Rope, line: usize) -> usize {
    if line + 1 >= rope.len_lines() {
        return rope.len_bytes();
    }
    let next = rope.line_to_byte(line + 1);
    // A line that is followed by another one ends in at least one break byte.
    let crlf = next >= 2 && rope.byte(next - 1) == b'\n' && rope.byte(next - 2) == b'\r';
    next - if crlf { 2 } else { 1 }
}

fn saturate(value: usize) -> u32 {
    u32::try_from(value).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::PositionEncoding::{Utf8, Utf16, Utf32};
    use super::*;
    use article_core::line_index::LineIndex;
    use proptest::prelude::*;

    const ENCODINGS: [PositionEncoding; 3] = [Utf8, Utf16, Utf32];

    fn pos(line: u32, col: u32) -> LineCol {
        LineCol::new(line, col)
    }

    /// Checks that `offset` and `position` convert into each other, through
    /// both the index and a rope.
    #[track_caller]
    fn assert_both_ways(text: &str, offset: usize, position: LineCol, encoding: PositionEncoding) {
        let index = LineIndex::new(text);
        let rope = Rope::from_str(text);
        assert_eq!(index.line_col(offset, encoding), position, "line_col({offset}, {encoding:?})");
        assert_eq!(index.offset(position, encoding), offset, "offset({position:?}, {encoding:?})");
        assert_eq!(rope_line_col(&rope, offset, encoding), position, "rope_line_col({offset}, {encoding:?})");
        assert_eq!(rope_offset(&rope, position, encoding), offset, "rope_offset({position:?}, {encoding:?})");
    }

    /// Checks the one-way conversion position -> offset used for clamping.
    #[track_caller]
    fn assert_offset(text: &str, position: LineCol, encoding: PositionEncoding, offset: usize) {
        let index = LineIndex::new(text);
        let rope = Rope::from_str(text);
        assert_eq!(index.offset(position, encoding), offset, "offset({position:?}, {encoding:?})");
        assert_eq!(rope_offset(&rope, position, encoding), offset, "rope_offset({position:?}, {encoding:?})");
    }

    /// Checks the one-way conversion offset -> position used for clamping.
    #[track_caller]
    fn assert_line_col(text: &str, offset: usize, encoding: PositionEncoding, position: LineCol) {
        let index = LineIndex::new(text);
        let rope = Rope::from_str(text);
        assert_eq!(index.line_col(offset, encoding), position, "line_col({offset}, {encoding:?})");
        assert_eq!(rope_line_col(&rope, offset, encoding), position, "rope_line_col({offset}, {encoding:?})");
    }

    #[test]
    fn emoji_and_cjk_on_one_line_in_every_encoding() {
        // Byte layout: "a" 0, "🦀" 1..5, "漢" 5..8, "字" 8..11, "b" 11, end 12.
        let text = "a🦀漢字b\nz";
        let cases: [(usize, [u32; 3]); 6] = [
            // offset, [utf8 col, utf16 col, utf32 col]
            (0, [0, 0, 0]),
            (1, [1, 1, 1]),
            (5, [5, 3, 2]),
            (8, [8, 4, 3]),
            (11, [11, 5, 4]),
            (12, [12, 6, 5]),
        ];
        for (offset, cols) in cases {
            for (encoding, col) in ENCODINGS.into_iter().zip(cols) {
                assert_both_ways(text, offset, pos(0, col), encoding);
            }
        }
        for encoding in ENCODINGS {
            assert_both_ways(text, 13, pos(1, 0), encoding);
            assert_both_ways(text, 14, pos(1, 1), encoding);
        }
    }

    #[test]
    fn wide_chars_on_earlier_lines_do_not_shift_later_columns() {
        let text = "🦀🦀\nab漢c";
        for encoding in ENCODINGS {
            assert_both_ways(text, 9, pos(1, 0), encoding);
            assert_both_ways(text, 11, pos(1, 2), encoding);
        }
        assert_both_ways(text, 14, pos(1, 3), Utf16);
        assert_both_ways(text, 14, pos(1, 5), Utf8);
    }

    #[test]
    fn crlf_is_one_line_break() {
        let text = "ab\r\ncd\r\n";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        for encoding in ENCODINGS {
            assert_both_ways(text, 2, pos(0, 2), encoding);
            assert_both_ways(text, 4, pos(1, 0), encoding);
            assert_both_ways(text, 6, pos(1, 2), encoding);
            assert_both_ways(text, 8, pos(2, 0), encoding);
        }
    }

    #[test]
    fn lone_cr_is_a_line_break() {
        let text = "ab\rcd\n\re";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        for encoding in ENCODINGS {
            assert_both_ways(text, 2, pos(0, 2), encoding);
            assert_both_ways(text, 3, pos(1, 0), encoding);
            assert_both_ways(text, 6, pos(2, 0), encoding);
            assert_both_ways(text, 7, pos(3, 0), encoding);
            assert_both_ways(text, 8, pos(3, 1), encoding);
        }
    }

    #[test]
    fn unicode_separators_are_not_line_breaks() {
        let text = "a\u{2028}b\u{2029}c\u{85}d";
        assert_eq!(LineIndex::new(text).line_count(), 1);
        assert_eq!(Rope::from_str(text).len_lines(), 1);
        assert_both_ways(text, text.len(), pos(0, 7), Utf16);
    }

    #[test]
    fn bom_is_an_ordinary_three_byte_char() {
        let text = "\u{FEFF}---\ntitle: x\n";
        assert_both_ways(text, 3, pos(0, 3), Utf8);
        assert_both_ways(text, 3, pos(0, 1), Utf16);
        assert_both_ways(text, 3, pos(0, 1), Utf32);
        assert_both_ways(text, 6, pos(0, 4), Utf16);
        for encoding in ENCODINGS {
            assert_both_ways(text, 7, pos(1, 0), encoding);
        }
    }

    #[test]
    fn empty_text_has_one_empty_line() {
        let index = LineIndex::new("");
        assert!(index.is_empty());
        assert_eq!(index.len(), 0);
        assert_eq!(index.line_count(), 1);
        for encoding in ENCODINGS {
            assert_both_ways("", 0, pos(0, 0), encoding);
            assert_offset("", pos(0, 5), encoding, 0);
            assert_offset("", pos(3, 0), encoding, 0);
            assert_line_col("", 10, encoding, pos(0, 0));
        }
    }

    #[test]
    fn trailing_newline_adds_an_empty_last_line() {
        assert_eq!(LineIndex::new("a\nb").line_count(), 2);
        assert_eq!(LineIndex::new("a\nb\n").line_count(), 3);
        assert_eq!(LineIndex::new("\n").line_count(), 2);
        for encoding in ENCODINGS {
            assert_both_ways("a\nb", 3, pos(1, 1), encoding);
            assert_both_ways("a\nb\n", 4, pos(2, 0), encoding);
        }
    }

    #[test]
    fn length_is_in_bytes() {
        let index = LineIndex::new("🦀\r\n漢");
        assert_eq!(index.len(), 9);
        assert!(!index.is_empty());
        assert_eq!(index.line_count(), 2);
    }

    #[test]
    fn line_past_the_end_clamps_to_the_end_of_text() {
        let text = "ab\ncd";
        for encoding in ENCODINGS {
            assert_offset(text, pos(2, 0), encoding, 5);
            assert_offset(text, pos(u32::MAX, u32::MAX), encoding, 5);
        }
    }

    #[test]
    fn column_past_the_end_clamps_before_the_line_break() {
        for encoding in ENCODINGS {
            assert_offset("ab\ncd", pos(0, 9), encoding, 2);
            assert_offset("ab\r\ncd", pos(0, 9), encoding, 2);
            assert_offset("ab\rcd", pos(0, 9), encoding, 2);
            assert_offset("ab\ncd", pos(1, 9), encoding, 5);
            assert_offset("a🦀\nb", pos(0, u32::MAX), encoding, 5);
        }
    }

    #[test]
    fn column_inside_a_surrogate_pair_floors_to_the_emoji() {
        assert_offset("a🦀b", pos(0, 2), Utf16, 1);
        assert_offset("a🦀b", pos(0, 3), Utf16, 5);
    }

    #[test]
    fn column_inside_a_utf8_sequence_floors_to_the_char() {
        for col in 1..=3 {
            assert_offset("🦀x", pos(0, col), Utf8, 0);
        }
        assert_offset("x漢", pos(0, 2), Utf8, 1);
        assert_offset("x漢", pos(0, 3), Utf8, 1);
        assert_offset("x漢", pos(0, 4), Utf8, 4);
    }

    #[test]
    fn offset_inside_a_char_floors_to_the_char() {
        for offset in 1..4 {
            assert_line_col("🦀x", offset, Utf16, pos(0, 0));
            assert_line_col("🦀x", offset, Utf8, pos(0, 0));
        }
        assert_line_col("a漢", 2, Utf32, pos(0, 1));
    }

    #[test]
    fn offset_between_cr_and_lf_floors_to_the_line_break() {
        for encoding in ENCODINGS {
            assert_line_col("ab\r\ncd", 3, encoding, pos(0, 2));
        }
        assert_line_col("漢\r\n", 4, Utf16, pos(0, 1));
    }

    #[test]
    fn offset_past_the_end_clamps_to_the_end() {
        for encoding in ENCODINGS {
            assert_line_col("ab\ncd", 99, encoding, pos(1, 2));
            assert_line_col("ab\n", usize::MAX, encoding, pos(1, 0));
        }
    }

    #[test]
    fn crlf_bitmap_spans_many_lines() {
        // Mixes CRLF and LF past the first 64 lines so more than one bitmap
        // word is in use.
        let text: String = (0..200).map(|n| if n % 3 == 0 { "x\r\n" } else { "y\n" }).collect();
        let index = LineIndex::new(&text);
        let rope = Rope::from_str(&text);
        for line in 0..=200 {
            let position = pos(line, 9);
            assert_eq!(index.offset(position, Utf16), rope_offset(&rope, position, Utf16));
        }
    }

    /// Random text built from the pieces that matter for line/column math.
    fn text_strategy() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "a", "b", " ", "\r", "\n", "\r\n", "🦀", "漢", "字", "é", "\u{FEFF}", "\u{2028}", "\u{85}",
        ]);
        prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
    }

    fn encoding_strategy() -> impl Strategy<Value = PositionEncoding> {
        prop::sample::select(ENCODINGS.to_vec())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        #[test]
        fn every_char_boundary_round_trips(text in text_strategy()) {
            let index = LineIndex::new(&text);
            for (offset, _) in text.char_indices().chain([(text.len(), ' ')]) {
                // The offset between \r and \n is a char boundary but not a
                // position; it is covered by the flooring test.
                if offset > 0 && text[..offset].ends_with('\r') && text[offset..].starts_with('\n') {
                    continue;
                }
                for encoding in ENCODINGS {
                    let position = index.line_col(offset, encoding);
                    prop_assert_eq!(index.offset(position, encoding), offset);
                }
            }
        }

        #[test]
        fn index_and_rope_agree_on_every_offset(text in text_strategy()) {
            let index = LineIndex::new(&text);
            let rope = Rope::from_str(&text);
            prop_assert_eq!(index.line_count(), rope.len_lines());
            for offset in 0..=text.len() + 2 {
                for encoding in ENCODINGS {
                    prop_assert_eq!(
                        index.line_col(offset, encoding),
                        rope_line_col(&rope, offset, encoding),
                        "offset {} {:?}", offset, encoding
                    );
                }
            }
        }

        #[test]
        fn index_and_rope_agree_on_random_positions(
            text in text_strategy(),
            positions in prop::collection::vec((0u32..12, 0u32..30, encoding_strategy()), 1..30),
        ) {
            let index = LineIndex::new(&text);
            let rope = Rope::from_str(&text);
            for (line, col, encoding) in positions {
                let position = pos(line, col);
                let offset = index.offset(position, encoding);
                prop_assert_eq!(offset, rope_offset(&rope, position, encoding), "{:?} {:?}", position, encoding);
                prop_assert!(text.is_char_boundary(offset));
            }
        }

        #[test]
        fn arbitrary_positions_and_offsets_never_panic(
            text in text_strategy(),
            line in any::<u32>(),
            col in any::<u32>(),
            offset in any::<usize>(),
            encoding in encoding_strategy(),
        ) {
            let index = LineIndex::new(&text);
            let rope = Rope::from_str(&text);
            let position = pos(line, col);
            prop_assert!(index.offset(position, encoding) <= text.len());
            prop_assert!(rope_offset(&rope, position, encoding) <= text.len());
            let found = index.line_col(offset, encoding);
            prop_assert!((found.line as usize) < index.line_count());
            prop_assert_eq!(found, rope_line_col(&rope, offset, encoding));
        }
    }
}
