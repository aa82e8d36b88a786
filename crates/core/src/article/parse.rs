//! Front matter YAML → [`Article`], by walking saphyr's event stream.
//!
//! Events rather than a document tree: they carry exact spans for valid input,
//! never expand aliases (no "billion laughs"), and stop cleanly at the first
//! syntax error while keeping everything read before it.

use std::borrow::Cow;

use arcstr::ArcStr;
use saphyr_parser::{Event, Parser, StrInput};
use text_size::TextRange;

use super::fast_yaml::{self, ByteSpan, Spanned};
use super::front_matter::{find_front_matter, offset};
use super::model::{Article, DuplicateKey, Field, RelatedLink, Scalar, ScalarStyle, SyntaxError, Value};

/// Keys whose presence makes a front matter an article rather than, say, a
/// blog post's `title`/`layout` header that merely lives in the same folder.
fn is_article_key(key: &str) -> bool {
    matches!(key, "id" | "url" | "question" | "answer") || related_number(key).is_some()
}

fn related_number(key: &str) -> Option<u32> {
    let digits = key.strip_prefix("related_article")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Front matters beyond this are not read: a real one is a few kilobytes,
/// and YAML this long would take seconds to parse on every keystroke. Only
/// this much is read to tell whether the file is an article.
pub(crate) const MAX_FRONT_MATTER_BYTES: usize = 1024 * 1024;

/// Parses `text` as an article. `None` when it is not one: no front matter, or a
/// front matter without any article key (and no YAML error to report).
pub fn parse_article(text: &str) -> Option<Article> {
    parse(text, Path::FastWhenItCan)
}

/// [`parse_article`] by saphyr alone, without the fast path: what the fuzz
/// target compares it with.
pub fn parse_article_with_saphyr(text: &str) -> Option<Article> {
    parse(text, Path::Saphyr)
}

/// Which reader of the YAML a parse takes.
#[derive(Clone, Copy)]
enum Path {
    FastWhenItCan,
    Saphyr,
}

fn parse(text: &str, path: Path) -> Option<Article> {
    let front_matter = find_front_matter(text)?;
    let yaml_start = usize::from(front_matter.yaml.start());
    let whole_yaml = &text[front_matter.yaml];
    let yaml = within_limit(whole_yaml);
    let mut walker = Walker {
        text,
        base: yaml_start,
        events: match path {
            Path::FastWhenItCan => Events::of(yaml),
            Path::Saphyr => Events::full(yaml),
        },
        error: None,
        duplicate_keys: Vec::new(),
    };
    let mut article =
        Article { open_fence: front_matter.open, front_matter: front_matter.yaml, ..Article::default() };
    let has_article_key = walker.read_document(&mut article);
    article.duplicate_keys = std::mem::take(&mut walker.duplicate_keys);

    let too_large = yaml.len() < whole_yaml.len();
    match (front_matter.close, walker.error) {
        (Some(_), _) if too_large && !has_article_key => return None,
        // What was read of a cut front matter may end mid-value: none of it
        // is kept, so that nothing half-read is taken for the article's.
        (Some(_), _) if too_large => {
            article = Article {
                open_fence: front_matter.open,
                front_matter: front_matter.yaml,
                syntax_errors: vec![SyntaxError::TooLarge {
                    range: front_matter.open,
                    bytes: whole_yaml.len(),
                    limit: MAX_FRONT_MATTER_BYTES,
                }],
                ..Article::default()
            };
        }
        (Some(_), Some((range, message))) => {
            article.syntax_errors.push(SyntaxError::Yaml { range, message });
        }
        (Some(_), None) if !has_article_key => return None,
        (Some(_), None) => {}
        // Unclosed: whatever follows the YAML (the body) is expected to be
        // invalid YAML, so only the missing fence is worth reporting.
        (None, _) if !has_article_key => return None,
        (None, _) => {
            article.syntax_errors.push(SyntaxError::UnterminatedFrontMatter { range: front_matter.open })
        }
    }
    Some(article)
}

/// `yaml`, or its start up to the last line break within the limit.
fn within_limit(yaml: &str) -> &str {
    if yaml.len() <= MAX_FRONT_MATTER_BYTES {
        return yaml;
    }
    let mut cut = MAX_FRONT_MATTER_BYTES;
    while !yaml.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &yaml[..cut];
    head.rfind(['\n', '\r']).map_or(head, |line_break| &head[..=line_break])
}

struct Walker<'a> {
    text: &'a str,
    /// Byte offset of the YAML text within the file.
    base: usize,
    events: Events<'a>,
    error: Option<(TextRange, String)>,
    /// Keys repeated in a mapping read by [`Walker::read_pairs`].
    duplicate_keys: Vec<DuplicateKey>,
}

type Item<'a> = Spanned<'a>;

impl<'a> Walker<'a> {
    fn next(&mut self) -> Option<Item<'a>> {
        if self.error.is_some() {
            return None;
        }
        match self.events.next()? {
            Ok(item) => Some(item),
            Err((at, message)) => {
                self.record_error(at, message);
                None
            }
        }
    }

    fn record_error(&mut self, at: usize, message: String) {
        let start = self.base + at;
        let end = self.text[start..]
            .chars()
            .next()
            .filter(|c| *c != '\n' && *c != '\r')
            .map_or(start, |c| start + c.len_utf8());
        self.error = Some((TextRange::new(offset(start), offset(end)), message));
    }

    fn range(&self, span: ByteSpan) -> TextRange {
        let start = self.base + span.start;
        let end = self.base + span.end;
        TextRange::new(offset(start), offset(end.max(start)))
    }

    /// Reads the root mapping; returns whether any article key was seen.
    fn read_document(&mut self, article: &mut Article) -> bool {
        let mut has_article_key = false;
        while let Some((event, span)) = self.next() {
            match event {
                Event::StreamStart | Event::DocumentStart(_) => {}
                Event::MappingStart(..) => {
                    self.read_pairs(|walker, key, key_range, event, span| {
                        has_article_key |= is_article_key(key);
                        walker.read_top_level(article, key, key_range, event, span)
                    });
                    return has_article_key;
                }
                _ => {
                    self.read_node(event, span, None);
                    return false;
                }
            }
        }
        has_article_key
    }

    /// Reads `key: value` pairs up to the mapping's end. `read_value` reads the
    /// value of each scalar key and returns where it ends. Returns where the
    /// mapping ends: its `}` for a flow mapping, its last value otherwise.
    fn read_pairs(
        &mut self,
        mut read_value: impl FnMut(&mut Self, &str, TextRange, Event<'a>, ByteSpan) -> usize,
    ) -> usize {
        let mut last_end = 0;
        let mut seen = SeenKeys::default();
        while let Some((event, span)) = self.next() {
            let key = match event {
                Event::MappingEnd => {
                    let range = self.range(span);
                    if !range.is_empty() {
                        last_end = last_end.max(usize::from(range.end()));
                    }
                    break;
                }
                Event::Scalar(key, ..) => key,
                complex_key => {
                    let (_, end) = self.read_node(complex_key, span, None);
                    last_end = last_end.max(end);
                    if let Some((value, value_span)) = self.next() {
                        let (_, end) = self.read_node(value, value_span, None);
                        last_end = last_end.max(end);
                    }
                    continue;
                }
            };
            let key_range = self.range(span);
            if let Some(first) = seen.first_or_insert(key.clone(), key_range) {
                self.duplicate_keys.push(DuplicateKey {
                    name: ArcStr::from(&*key),
                    first,
                    repeated: key_range,
                });
            }
            let Some((value_event, value_span)) = self.next() else { break };
            let end = read_value(self, &key, key_range, value_event, value_span);
            last_end = last_end.max(end).max(usize::from(key_range.end()));
        }
        last_end
    }

    fn read_top_level(
        &mut self,
        article: &mut Article,
        key: &str,
        key_range: TextRange,
        event: Event<'a>,
        span: ByteSpan,
    ) -> usize {
        if let Some(number) = related_number(key) {
            let link = self.read_related(number, key_range, event, span);
            let end = usize::from(link.range.end());
            article.related.push(link);
            return end;
        }
        let slot = match key {
            "id" => Some(&mut article.id),
            "title" => Some(&mut article.title),
            "subject" => Some(&mut article.subject),
            "url" => Some(&mut article.url),
            "file_name" => Some(&mut article.file_name),
            "question" => Some(&mut article.question),
            "answer" => Some(&mut article.answer),
            _ => None,
        };
        self.read_into(slot, key_range, event, span)
    }

    /// Reads a value, keeping it in `slot` when the model has one for its key.
    /// The first occurrence wins, as most YAML readers do; a value cut short
    /// by a syntax error says nothing reliable and is not kept.
    fn read_into(
        &mut self,
        slot: Option<&mut Option<Field>>,
        key: TextRange,
        event: Event<'a>,
        span: ByteSpan,
    ) -> usize {
        let (value, end) = self.read_node(event, span, Some(key));
        if let Some(slot) = slot
            && slot.is_none()
            && self.error.is_none()
        {
            *slot = Some(Field { key, value });
        }
        end
    }

    fn read_related(&mut self, number: u32, key: TextRange, event: Event<'a>, span: ByteSpan) -> RelatedLink {
        let mut link = RelatedLink {
            number,
            key,
            range: key,
            flow: false,
            value: Value::Mapping(key),
            id: None,
            title: None,
            subject: None,
            url: None,
        };
        if !matches!(event, Event::MappingStart(..)) {
            let (value, _) = self.read_node(event, span, Some(key));
            link.range = TextRange::new(key.start(), value.range().end().max(key.end()));
            link.value = value;
            return link;
        }
        let open = self.range(span);
        link.flow = self.text[usize::from(open.start())..].starts_with('{');
        let mut first_key: Option<TextRange> = None;
        let end = self.read_pairs(|walker, name, name_range, event, span| {
            first_key.get_or_insert(name_range);
            let slot = match name {
                "id" => Some(&mut link.id),
                "title" => Some(&mut link.title),
                "subject" => Some(&mut link.subject),
                "url" => Some(&mut link.url),
                _ => None,
            };
            walker.read_into(slot, name_range, event, span)
        });
        let start = if link.flow { open.start() } else { first_key.map_or(open.start(), |k| k.start()) };
        let end = offset(end).max(start);
        link.value = Value::Mapping(TextRange::new(start, end));
        link.range = TextRange::new(key.start(), end.max(key.end()));
        link
    }

    /// Reads one node whose first event is `event`; returns its value and the
    /// byte offset where its last character ends.
    fn read_node(&mut self, event: Event<'a>, span: ByteSpan, key: Option<TextRange>) -> (Value, usize) {
        match event {
            Event::Scalar(text, style, ..) => {
                let scalar = self.scalar(text, style, span, key);
                let end = usize::from(scalar.node.end());
                (Value::Scalar(scalar), end)
            }
            Event::Alias(_) => {
                let range = self.range(span);
                (Value::Alias(range), usize::from(range.end()))
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let is_mapping = matches!(event, Event::MappingStart(..));
                let range = self.skip_collection(span);
                let value = if is_mapping { Value::Mapping(range) } else { Value::Sequence(range) };
                (value, usize::from(range.end()))
            }
            _ => {
                let range = self.range(span);
                (Value::Scalar(empty_scalar(range)), usize::from(range.end()))
            }
        }
    }

    /// Skips a collection (any depth, without recursion) and returns its range:
    /// from its first character to the end of its last child.
    fn skip_collection(&mut self, start_span: ByteSpan) -> TextRange {
        let start = self.range(start_span);
        let mut first_child: Option<usize> = None;
        let mut end = usize::from(start.end());
        let mut depth = 1usize;
        while let Some((event, span)) = self.next() {
            let range = self.range(span);
            match event {
                Event::MappingStart(..) | Event::SequenceStart(..) => depth += 1,
                Event::MappingEnd | Event::SequenceEnd => {
                    depth -= 1;
                    // A flow collection ends at its closing bracket; a block one
                    // has an empty end span where the next node begins.
                    if !range.is_empty() {
                        end = end.max(usize::from(range.end()));
                    }
                    if depth == 0 {
                        break;
                    }
                    continue;
                }
                _ => {}
            }
            if !range.is_empty() {
                first_child.get_or_insert(usize::from(range.start()));
                end = end.max(self.trimmed_end(range));
            }
        }
        let begin = if start.is_empty() {
            first_child.unwrap_or(usize::from(start.start()))
        } else {
            usize::from(start.start())
        };
        TextRange::new(offset(begin), offset(end.max(begin)))
    }

    fn trimmed_end(&self, range: TextRange) -> usize {
        let start = usize::from(range.start());
        let slice = &self.text[range];
        start + slice.trim_end_matches([' ', '\t', '\r', '\n']).len()
    }

    fn scalar(
        &mut self,
        text: Cow<'a, str>,
        style: saphyr_parser::ScalarStyle,
        span: ByteSpan,
        key: Option<TextRange>,
    ) -> Scalar {
        let style = match style {
            saphyr_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
            saphyr_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
            saphyr_parser::ScalarStyle::Literal => ScalarStyle::Literal,
            saphyr_parser::ScalarStyle::Folded => ScalarStyle::Folded,
            _ => ScalarStyle::Plain,
        };
        let range = self.range(span);
        let start = match style {
            ScalarStyle::Literal | ScalarStyle::Folded => self.block_content_start(range),
            _ => self.skip_properties(usize::from(range.start()), usize::from(range.end())),
        };
        let end = match style {
            // An implicit null (`{title, id: 2}`) comes with the span of the
            // token after it: it has no characters of its own.
            ScalarStyle::Plain if text.is_empty() => start,
            _ => self.trimmed_end(range).max(start),
        };
        let (node_start, content) = match style {
            ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if end >= start + 2 => {
                (start, (start + 1, end - 1))
            }
            ScalarStyle::Literal | ScalarStyle::Folded => (self.block_header_start(key, start), (start, end)),
            _ => (start, (start, end)),
        };
        Scalar {
            text: ArcStr::from(text),
            style,
            node: TextRange::new(offset(node_start), offset(end)),
            content: TextRange::new(offset(content.0), offset(content.1)),
        }
    }

    /// A block scalar's span starts at its first content line, where a `&`
    /// or `!` is text; only with an anchor or tag does it start at them, and
    /// then the content starts on the line after the `|` or `>` indicator.
    fn block_content_start(&self, range: TextRange) -> usize {
        let (start, end) = (usize::from(range.start()), usize::from(range.end()));
        let after = self.skip_properties(start, end);
        let rest = &self.text[after..end];
        if after == start || !rest.starts_with(['|', '>']) {
            return start;
        }
        let header = rest.find(['\n', '\r']).unwrap_or(rest.len());
        let body = &rest[header..];
        after + header + (body.len() - body.trim_start().len())
    }

    /// A node's span includes its anchor (`&name`) and tag (`!tag`); the value starts after them.
    fn skip_properties(&self, mut start: usize, end: usize) -> usize {
        while start < end && self.text[start..end].starts_with(['&', '!']) {
            let rest = &self.text[start..end];
            let token = rest.find([' ', '\t', '\r', '\n']).unwrap_or(rest.len());
            let spaces = rest[token..].len() - rest[token..].trim_start().len();
            start += token + spaces;
        }
        start
    }

    /// A block scalar's span starts at its first content line; its node starts
    /// at the `|` or `>` indicator that follows the key's colon.
    fn block_header_start(&self, key: Option<TextRange>, content_start: usize) -> usize {
        let Some(key) = key else { return content_start };
        let key_end = usize::from(key.end());
        if key_end > content_start {
            return content_start;
        }
        self.text[key_end..content_start].find(['|', '>']).map_or(content_start, |at| key_end + at)
    }
}

fn empty_scalar(range: TextRange) -> Scalar {
    Scalar { text: ArcStr::default(), style: ScalarStyle::Plain, node: range, content: range }
}

/// The keys a mapping has had so far, to tell a repeated one.
#[derive(Default)]
enum SeenKeys<'a> {
    /// A list while short: a front matter's mappings have a few dozen keys
    /// at most, and comparing them costs less than hashing them.
    #[default]
    Empty,
    Few(Vec<(Cow<'a, str>, TextRange)>),
    /// Hashed once long: a hostile front matter can have a million keys.
    Many(hashbrown::HashMap<Cow<'a, str>, TextRange>),
}

/// Keys a mapping lists before they are hashed.
const FEW_KEYS: usize = 32;

impl<'a> SeenKeys<'a> {
    /// Where `key` was first seen, or `None` once it is recorded as seen at `range`.
    fn first_or_insert(&mut self, key: Cow<'a, str>, range: TextRange) -> Option<TextRange> {
        match self {
            SeenKeys::Empty => *self = SeenKeys::Few(vec![(key, range)]),
            SeenKeys::Few(few) => {
                if let Some((_, first)) = few.iter().find(|(seen, _)| *seen == key) {
                    return Some(*first);
                }
                few.push((key, range));
                if few.len() > FEW_KEYS {
                    *self = SeenKeys::Many(std::mem::take(few).into_iter().collect());
                }
            }
            SeenKeys::Many(many) => match many.get(&key) {
                Some(first) => return Some(*first),
                None => {
                    many.insert(key, range);
                }
            },
        }
        None
    }
}

/// Where the walker's events come from: the fast path's, when the front
/// matter has its shape, or saphyr's.
enum Events<'a> {
    Fast(std::vec::IntoIter<Spanned<'a>>),
    // Boxed: saphyr's parser is large, and only the files off the fast path need one.
    Full { parser: Box<Parser<'a, StrInput<'a>>>, positions: CharToByte<'a> },
}

impl<'a> Events<'a> {
    fn of(yaml: &'a str) -> Events<'a> {
        match fast_yaml::events(yaml) {
            Some(events) => Events::Fast(events.into_iter()),
            None => Events::full(yaml),
        }
    }

    fn full(yaml: &'a str) -> Events<'a> {
        Events::Full { parser: Box::new(Parser::new_from_str(yaml)), positions: CharToByte::new(yaml) }
    }

    /// The next event with its span in bytes, or the byte offset of a
    /// syntax error and saphyr's message.
    fn next(&mut self) -> Option<Result<Spanned<'a>, (usize, String)>> {
        match self {
            Events::Fast(events) => events.next().map(Ok),
            Events::Full { parser, positions } => Some(match parser.next_event()? {
                Ok((event, span)) => {
                    let start = positions.byte(span.start.index());
                    let end = positions.byte(span.end.index());
                    Ok((event, ByteSpan { start, end }))
                }
                Err(error) => Err((positions.byte(error.marker().index()), error.info().to_owned())),
            }),
        }
    }
}

/// Every event saphyr reads in `yaml`, with its span in bytes, or the
/// first syntax error's offset and message.
#[cfg(test)]
pub(super) fn saphyr_events(yaml: &str) -> Result<Vec<Spanned<'_>>, (usize, String)> {
    let mut events = Events::full(yaml);
    let mut all = Vec::new();
    while let Some(item) = events.next() {
        all.push(item?);
    }
    Ok(all)
}

/// saphyr reports positions in characters; the model speaks bytes.
struct CharToByte<'a> {
    text: &'a str,
    ascii: bool,
    char_index: usize,
    byte_index: usize,
}

impl<'a> CharToByte<'a> {
    fn new(text: &'a str) -> Self {
        CharToByte { text, ascii: text.is_ascii(), char_index: 0, byte_index: 0 }
    }

    /// Events arrive in source order, so a forward cursor makes this linear overall.
    fn byte(&mut self, char_index: usize) -> usize {
        if self.ascii {
            return char_index.min(self.text.len());
        }
        if char_index < self.char_index {
            self.char_index = 0;
            self.byte_index = 0;
        }
        let mut chars = self.text[self.byte_index..].chars();
        while self.char_index < char_index {
            let Some(c) = chars.next() else { break };
            self.byte_index += c.len_utf8();
            self.char_index += 1;
        }
        self.byte_index
    }
}
