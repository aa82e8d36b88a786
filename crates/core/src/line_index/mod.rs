//! Conversions between byte offsets and line/column positions.
//!
//! Line breaks are the ones LSP recognises: `\n`, `\r\n` and a lone `\r`.
//! Other Unicode separators (U+2028, U+2029, U+0085) are ordinary characters.
//!
//! Columns are counted in the units of a [`PositionEncoding`]. All conversions
//! clamp instead of panicking, because positions come from clients that may be
//! working against a slightly different version of the text.

mod starts;

use starts::LineStarts;

/// The unit in which columns are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PositionEncoding {
    /// UTF-8 bytes.
    Utf8,
    /// UTF-16 code units (the LSP default).
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

impl PositionEncoding {
    /// Width of a char, given its UTF-8 length, in this encoding's units.
    fn units(self, utf8_len: u32) -> u32 {
        match self {
            PositionEncoding::Utf8 => utf8_len,
            // Only chars outside the BMP (4 UTF-8 bytes) need a surrogate pair.
            PositionEncoding::Utf16 => {
                if utf8_len == 4 {
                    2
                } else {
                    1
                }
            }
            PositionEncoding::Utf32 => 1,
        }
    }
}

/// A zero-based position: `line` counts line breaks, `col` is in the units of
/// the encoding it was produced with or is meant for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct LineCol {
    pub line: u32,
    pub col: u32,
}

impl LineCol {
    pub fn new(line: u32, col: u32) -> LineCol {
        LineCol { line, col }
    }
}

/// A char that takes more than one UTF-8 byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct WideChar {
    /// Absolute byte offset of the char's first byte.
    start: u32,
    /// UTF-8 length: 2, 3 or 4.
    len: u8,
}

impl WideChar {
    fn end(self) -> u32 {
        self.start + u32::from(self.len)
    }
}

/// Records the multi-byte chars of `bytes[from..to]`, a run of whole chars.
fn push_wide_chars(bytes: &[u8], from: usize, to: usize, wide_chars: &mut Vec<WideChar>) {
    let mut i = from;
    while i < to {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            continue;
        }
        // The text is valid UTF-8, so the leading byte alone gives the
        // char's length.
        let len: u8 = if b >= 0xF0 {
            4
        } else if b >= 0xE0 {
            3
        } else {
            2
        };
        wide_chars.push(WideChar { start: i as u32, len });
        i += usize::from(len);
    }
}

/// Offset/position lookup tables for one text, without the text itself.
///
/// The workspace keeps one of these per article, so it stores only what
/// cannot be recomputed cheaply: where lines start, which lines end in
/// `\r\n`, and where the multi-byte chars are. Pure-ASCII text costs about
/// a byte per line.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LineIndex {
    /// Byte length of the indexed text.
    len: u32,
    /// Byte offset at which each line starts; the first is always 0.
    line_starts: LineStarts,
    /// Bit `n` is set when line `n` ends in `\r\n`. Empty when no line does,
    /// which is the common case, so LF-only text pays nothing for it.
    crlf_lines: Box<[u64]>,
    /// Every multi-byte char, sorted by offset. A flat list (rather than one
    /// list per line) keeps the per-line cost zero for ASCII lines and lets
    /// a line's chars be found by binary search.
    wide_chars: Box<[WideChar]>,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        // Offsets are stored as u32. Longer texts are indexed up to the last
        // char boundary that fits, so lookups beyond that saturate instead of
        // panicking.
        let mut limit = text.len().min(u32::MAX as usize);
        while !text.is_char_boundary(limit) {
            limit -= 1;
        }
        let bytes = &text.as_bytes()[..limit];

        let mut line_starts = vec![0u32];
        let mut crlf_lines: Vec<u64> = Vec::new();
        let mut wide_chars = Vec::new();

        // Line breaks are found with memchr and the text between them is
        // checked for non-ASCII bytes a word at a time: most lines need no
        // byte-by-byte walk at all.
        let mut i = 0;
        while i < bytes.len() {
            let end = memchr::memchr2(b'\n', b'\r', &bytes[i..]).map_or(bytes.len(), |at| i + at);
            if !bytes[i..end].is_ascii() {
                push_wide_chars(bytes, i, end, &mut wide_chars);
            }
            i = end;
            match bytes.get(i) {
                None => break,
                Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => {
                    let line = line_starts.len() - 1;
                    let word = line / 64;
                    if crlf_lines.len() <= word {
                        crlf_lines.resize(word + 1, 0);
                    }
                    crlf_lines[word] |= 1 << (line % 64);
                    i += 2;
                }
                Some(_) => i += 1,
            }
            line_starts.push(i as u32);
        }

        LineIndex {
            len: limit as u32,
            line_starts: LineStarts::new(&line_starts),
            crlf_lines: crlf_lines.into_boxed_slice(),
            wide_chars: wide_chars.into_boxed_slice(),
        }
    }

    /// Byte length of the text the index was built from.
    pub fn len(&self) -> usize {
        self.len as usize
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Number of lines; a text ending in a line break has an empty last line.
    pub fn line_count(&self) -> usize {
        self.line_starts.count()
    }

    /// Where each of `ranges` starts and ends, in every encoding a client
    /// may use: two equal lists are the same places to every client.
    pub fn places_in_every_encoding(
        &self,
        ranges: impl IntoIterator<Item = text_size::TextRange>,
    ) -> Vec<LineCol> {
        let encodings = [PositionEncoding::Utf8, PositionEncoding::Utf16, PositionEncoding::Utf32];
        ranges
            .into_iter()
            .flat_map(|range| [range.start(), range.end()])
            .flat_map(|offset| encodings.map(|encoding| self.line_col(usize::from(offset), encoding)))
            .collect()
    }

    /// Byte offset -> position. Offsets past the end clamp to the end; an
    /// offset inside a multi-byte char or between `\r` and `\n` floors to the
    /// char/line-break start.
    pub fn line_col(&self, offset: usize, encoding: PositionEncoding) -> LineCol {
        let offset = offset.min(self.len as usize) as u32;
        let (line, start, next) = self.line_starts.line_of(offset);
        let mut offset = offset.min(self.content_end(line, next)).max(start);

        let wide = self.wide_chars_in(start, offset);
        let mut excess = 0;
        for (n, w) in wide.iter().enumerate() {
            if w.end() > offset {
                // Only the last char can straddle `offset`.
                debug_assert_eq!(n + 1, wide.len());
                offset = w.start;
                break;
            }
            excess += u32::from(w.len) - encoding.units(u32::from(w.len));
        }

        LineCol { line: line as u32, col: (offset - start).saturating_sub(excess) }
    }

    /// Position -> byte offset, never panicking: a line past the last clamps
    /// to the text's end; a column past the line's end clamps to the end of
    /// the line's content (before its line break); a column that falls inside
    /// a char floors to that char's start.
    pub fn offset(&self, position: LineCol, encoding: PositionEncoding) -> usize {
        let line = position.line as usize;
        let Some((start, next)) = self.line_starts.start(line) else {
            return self.len as usize;
        };
        let end = self.content_end(line, next).max(start);

        // Walk the line's multi-byte chars; the ASCII runs between them map
        // one unit to one byte.
        let mut byte = start;
        let mut remaining = position.col;
        for w in self.wide_chars_in(start, end) {
            let run = w.start - byte;
            if remaining <= run {
                return (byte + remaining) as usize;
            }
            remaining -= run;
            let units = encoding.units(u32::from(w.len));
            if remaining < units {
                return w.start as usize;
            }
            remaining -= units;
            byte = w.end();
        }
        byte.saturating_add(remaining).min(end) as usize
    }

    /// Byte offset where the content of `line` ends, i.e. where its line
    /// break starts (or the text's end for the last line), given where the
    /// next line starts.
    fn content_end(&self, line: usize, next: Option<u32>) -> u32 {
        match next {
            Some(next) => next.saturating_sub(if self.ends_in_crlf(line) { 2 } else { 1 }),
            None => self.len,
        }
    }

    fn ends_in_crlf(&self, line: usize) -> bool {
        self.crlf_lines.get(line / 64).is_some_and(|word| word & (1 << (line % 64)) != 0)
    }

    /// Multi-byte chars starting in `[from, to)`.
    fn wide_chars_in(&self, from: u32, to: u32) -> &[WideChar] {
        let lo = self.wide_chars.partition_point(|w| w.start < from);
        let hi = lo + self.wide_chars[lo..].partition_point(|w| w.start < to);
        &self.wide_chars[lo..hi]
    }
}
