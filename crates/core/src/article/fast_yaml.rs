//! A fast path through the front matters writers actually have: block
//! mappings of `key: value` lines whose values are one-line plain or quoted
//! scalars, `>-`, `>`, `|` or `|-` block scalars of equally indented lines,
//! or block mappings of the same, each key on its own line.
//!
//! For such a text [`events`] yields exactly the events saphyr-parser
//! yields, with the same spans (in bytes rather than characters); the tests
//! compare the two on the seeds, on generated corpora and on random front
//! matters, and the article fuzz target compares the articles read both
//! ways. Anything else, however valid, is left to saphyr: `None` means
//! "not this shape", never "not YAML". Saphyr's scanner goes character by
//! character through a token queue; this goes line by line and borrows
//! every text but a folded one that spans several lines, which is why the
//! seeds' shape, almost every file of a workspace, parses several times
//! faster.

use std::borrow::Cow;

use saphyr_parser::{Event, ScalarStyle};

/// Where an event stands in the YAML text, in bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ByteSpan {
    pub start: usize,
    pub end: usize,
}

impl ByteSpan {
    fn at(offset: usize) -> ByteSpan {
        ByteSpan { start: offset, end: offset }
    }
}

pub(super) type Spanned<'a> = (Event<'a>, ByteSpan);

/// The events of `yaml`, when it has the shape this path reads.
pub(super) fn events(yaml: &str) -> Option<Vec<Spanned<'_>>> {
    if !has_plain_bytes(yaml) || !yaml.ends_with('\n') {
        return None;
    }
    let mut reader = Reader { yaml, events: Vec::with_capacity(64), open: Vec::with_capacity(4) };
    reader.read()?;
    Some(reader.events)
}

/// Tabs, carriage returns, other control characters and byte order marks
/// change how saphyr reads a line; none of them is in the shape.
fn has_plain_bytes(yaml: &str) -> bool {
    // Folded without short cuts, so that it runs a vector of bytes at a time:
    // almost every front matter passes, and all of it is looked at.
    let (plain, ascii) = yaml.bytes().fold((true, true), |(plain, ascii), byte| {
        (plain & ((byte >= 0x20 && byte != 0x7f) | (byte == b'\n')), ascii & (byte < 0x80))
    });
    plain && (ascii || !yaml.contains('\u{feff}'))
}

/// One line: where it starts, its indentation, where its content ends
/// (before the `\n`) and where the next line starts.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    indent: usize,
    end: usize,
    next: usize,
}

struct Reader<'a> {
    yaml: &'a str,
    events: Vec<Spanned<'a>>,
    /// Indentation of each open block mapping, outermost first.
    open: Vec<usize>,
}

/// What a `key:` line leaves to the lines after it.
enum Pending {
    Nothing,
    /// `key:` and nothing else: a nested mapping follows, or the value is
    /// empty. Holds the colon's offset.
    MappingOrEmpty(usize),
}

impl<'a> Reader<'a> {
    fn line(&self, start: usize) -> Option<Line> {
        let rest = self.yaml.get(start..).filter(|rest| !rest.is_empty())?;
        let length = memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len());
        let indent = rest[..length].len() - rest[..length].trim_start_matches(' ').len();
        Some(Line { start, indent, end: start + length, next: (start + length + 1).min(self.yaml.len()) })
    }

    fn push(&mut self, event: Event<'a>, span: ByteSpan) {
        self.events.push((event, span));
    }

    fn read(&mut self) -> Option<()> {
        self.push(Event::StreamStart, ByteSpan::at(0));
        self.push(Event::DocumentStart(false), ByteSpan::at(0));
        let mut at = 0;
        let mut pending = Pending::Nothing;
        while let Some(line) = self.line(at) {
            // Blank lines and comments are left to saphyr.
            if line.indent == line.end - line.start {
                return None;
            }
            let key_start = line.start + line.indent;
            let top = self.open.last().copied();
            match (std::mem::replace(&mut pending, Pending::Nothing), top) {
                (_, None) if line.indent == 0 => {
                    self.push(Event::MappingStart(0, None), ByteSpan::at(key_start))
                }
                (_, None) => return None,
                (Pending::MappingOrEmpty(_), Some(parent)) if line.indent > parent => {
                    self.push(Event::MappingStart(0, None), ByteSpan::at(key_start));
                }
                (Pending::MappingOrEmpty(colon), Some(_)) => {
                    self.push(
                        Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None),
                        ByteSpan::at(colon),
                    );
                    self.close_to(line.indent, key_start)?;
                }
                (Pending::Nothing, Some(_)) => self.close_to(line.indent, key_start)?,
            }
            if self.open.last() != Some(&line.indent) {
                self.open.push(line.indent);
            }
            let (next, left) = self.read_entry(line)?;
            pending = left;
            at = next;
        }
        let end = self.yaml.len();
        if let Pending::MappingOrEmpty(colon) = pending {
            self.push(Event::Scalar(Cow::Borrowed(""), ScalarStyle::Plain, 0, None), ByteSpan::at(colon));
        }
        for _ in 0..self.open.len() {
            self.push(Event::MappingEnd, ByteSpan::at(end));
        }
        self.push(Event::DocumentEnd, ByteSpan::at(end));
        self.push(Event::StreamEnd, ByteSpan::at(end));
        Some(())
    }

    /// Ends the mappings a line at `indent` closes; it must then continue
    /// one that is open.
    fn close_to(&mut self, indent: usize, at: usize) -> Option<()> {
        while self.open.last().is_some_and(|&open| open > indent) {
            self.open.pop();
            self.push(Event::MappingEnd, ByteSpan::at(at));
        }
        (self.open.last() == Some(&indent)).then_some(())
    }

    /// Reads the `key: value` on `line` (and a block scalar's lines after
    /// it); returns where the next line starts and what the entry leaves.
    fn read_entry(&mut self, line: Line) -> Option<(usize, Pending)> {
        let content = &self.yaml[line.start + line.indent..line.end];
        let key_length = content.bytes().take_while(|&byte| is_key_byte(byte)).count();
        if key_length == 0
            || content.as_bytes()[0] == b'-'
            || content.as_bytes().get(key_length) != Some(&b':')
        {
            return None;
        }
        let key_start = line.start + line.indent;
        let key = &content[..key_length];
        self.push(
            Event::Scalar(Cow::Borrowed(key), ScalarStyle::Plain, 0, None),
            ByteSpan { start: key_start, end: key_start + key_length },
        );
        let colon = key_start + key_length;
        let after = &content[key_length + 1..];
        if after.is_empty() {
            return Some((line.next, Pending::MappingOrEmpty(colon)));
        }
        let value = after.strip_prefix(' ')?.trim_start_matches(' ').trim_end_matches(' ');
        if value.is_empty() {
            return None;
        }
        let value_start = colon + 1 + (after.len() - after.trim_start_matches(' ').len());
        let span = ByteSpan { start: value_start, end: value_start + value.len() };
        if let Some(header) = block_header(value) {
            return self.read_block_scalar(line, header);
        }
        let (text, style) = scalar_text(value)?;
        self.push(Event::Scalar(text, style, 0, None), span);
        Some((line.next, Pending::Nothing))
    }

    /// Reads a block scalar's lines after its header: every one indented
    /// alike, deeper than the mapping it is a value in.
    fn read_block_scalar(&mut self, header_line: Line, header: BlockHeader) -> Option<(usize, Pending)> {
        let parent = header_line.indent;
        let first = self.line(header_line.next)?;
        let indent = first.indent;
        if indent <= parent || first.indent == first.end - first.start {
            return None;
        }
        let content_start = first.start + indent;
        let separator = if header.folded { ' ' } else { '\n' };
        let mut first_line: &'a str = "";
        // Only a text of several lines, or one that keeps its final line
        // break, is not a slice of the YAML.
        let mut joined: Option<String> = None;
        let mut at = first.start;
        let mut end = self.yaml.len();
        while let Some(line) = self.line(at) {
            let blank = line.indent == line.end - line.start;
            if line.indent < indent && !blank {
                end = line.start + line.indent;
                break;
            }
            if line.indent != indent || blank {
                return None;
            }
            let text = &self.yaml[line.start + indent..line.end];
            if at == first.start {
                first_line = text;
            } else {
                let joined = joined.get_or_insert_with(|| first_line.to_owned());
                joined.push(separator);
                joined.push_str(text);
            }
            at = line.next;
        }
        let text = match (joined, header.keep_final_break) {
            (None, false) => Cow::Borrowed(first_line),
            (joined, keep) => {
                let mut text = joined.unwrap_or_else(|| first_line.to_owned());
                if keep {
                    text.push('\n');
                }
                Cow::Owned(text)
            }
        };
        let style = if header.folded { ScalarStyle::Folded } else { ScalarStyle::Literal };
        self.push(Event::Scalar(text, style, 0, None), ByteSpan { start: content_start, end });
        Some((at, Pending::Nothing))
    }
}

fn is_key_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_' || byte == b'-'
}

struct BlockHeader {
    folded: bool,
    /// Clip chomping (`>`, `|`) keeps the final line break; strip (`>-`,
    /// `|-`) drops it.
    keep_final_break: bool,
}

fn block_header(value: &str) -> Option<BlockHeader> {
    match value {
        ">-" => Some(BlockHeader { folded: true, keep_final_break: false }),
        ">" => Some(BlockHeader { folded: true, keep_final_break: true }),
        "|-" => Some(BlockHeader { folded: false, keep_final_break: false }),
        "|" => Some(BlockHeader { folded: false, keep_final_break: true }),
        _ => None,
    }
}

/// A one-line scalar's decoded text and style, when it is in the shape.
fn scalar_text(value: &str) -> Option<(Cow<'_, str>, ScalarStyle)> {
    let bytes = value.as_bytes();
    match bytes[0] {
        b'\'' => {
            let inner = value.strip_prefix('\'')?.strip_suffix('\'')?;
            let mut quotes = inner.bytes();
            while let Some(byte) = quotes.next() {
                if byte == b'\'' && quotes.next() != Some(b'\'') {
                    return None;
                }
            }
            let text = if inner.contains('\'') {
                Cow::Owned(inner.replace("''", "'"))
            } else {
                Cow::Borrowed(inner)
            };
            Some((text, ScalarStyle::SingleQuoted))
        }
        b'"' => {
            let inner = value.strip_prefix('"')?.strip_suffix('"')?;
            (!inner.contains(['"', '\\'])).then_some((Cow::Borrowed(inner), ScalarStyle::DoubleQuoted))
        }
        first => is_plain(value, first).then_some((Cow::Borrowed(value), ScalarStyle::Plain)),
    }
}

/// A plain scalar that cannot be read as anything else: it does not open
/// with an indicator, holds no `: ` or ` #`, and does not end with `:`.
fn is_plain(value: &str, first: u8) -> bool {
    let opens_plainly = match first {
        b'-' => value.as_bytes().get(1).is_some_and(|&second| second != b' '),
        b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\''
        | b'"' | b'%' | b'@' | b'`' => false,
        _ => true,
    };
    // Pairs of bytes rather than `str::contains`: values are short, and a
    // substring search costs more to set up than to run on them.
    let reads_otherwise = value.as_bytes().windows(2).any(|pair| pair == b": " || pair == b" #");
    opens_plainly && !reads_otherwise && !value.ends_with(':')
}

#[cfg(test)]
mod tests;
