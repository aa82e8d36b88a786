//! A summary's links as the cache stores them: one run of bytes per
//! article, each number in it a LEB128 varint in a fixed order, read back
//! by hand. Links are most of what a cache holds (four fields each, every
//! field a text and a range); decoded field by field through serde, they
//! were a fifth of a restart's reading.
//!
//! A link is its number, its key's start and length, a byte of flags (a
//! mapping, a url that is a url, a target id, then which of the four fields
//! it has), the target id's halves when it has one, then each field it has:
//! its text, its value's start and length. A text is its number in the
//! table of texts being written or read on this thread; with no table, its
//! length and UTF-8 bytes.

use serde::de::{self, Visitor};
use serde::{Deserializer, Serializer};
use text_size::{TextRange, TextSize};

use super::{LinkField, LinkSummary};
use crate::texts::{Text, TextTable, in_table};
use crate::varint;

const MAPPING: u32 = 1;
const URL_IS_VALID: u32 = 1 << 1;
const HAS_TARGET_ID: u32 = 1 << 2;
/// Field `i` (in `LinkFieldName::ALL`'s order) is present.
const FIELD_SHIFT: u32 = 3;
const KNOWN_FLAGS: u32 = (1 << (FIELD_SHIFT + 4)) - 1;

pub fn serialize<S: Serializer>(links: &[LinkSummary], serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_bytes(&pack(links))
}

fn pack(links: &[LinkSummary]) -> Vec<u8> {
    let mut out = Vec::with_capacity(links.len() * 40);
    varint::push(&mut out, len_u32(links.len()));
    for link in links {
        varint::push(&mut out, link.number);
        put_range(&mut out, link.key);
        let mut flags = 0;
        flags |= if link.is_mapping { MAPPING } else { 0 };
        flags |= if link.url_is_valid { URL_IS_VALID } else { 0 };
        flags |= if link.has_target_id { HAS_TARGET_ID } else { 0 };
        for (at, field) in link.fields.iter().enumerate() {
            if field.is_some() {
                flags |= 1 << (FIELD_SHIFT + at as u32);
            }
        }
        varint::push(&mut out, flags);
        if link.has_target_id {
            varint::push(&mut out, link.target_id[0]);
            varint::push(&mut out, link.target_id[1]);
        }
        for field in link.fields.iter().flatten() {
            match in_table::number_for_writing(field.text) {
                Some(number) => varint::push(&mut out, number),
                None => {
                    varint::push(&mut out, len_u32(field.text.len()));
                    out.extend_from_slice(field.text.as_bytes());
                }
            }
            put_range(&mut out, field.range);
        }
    }
    out
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Box<[LinkSummary]>, D::Error> {
    deserializer.deserialize_bytes(PackedLinks)
}

struct PackedLinks;

impl Visitor<'_> for PackedLinks {
    type Value = Box<[LinkSummary]>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a summary's packed links")
    }

    fn visit_bytes<E: de::Error>(self, bytes: &[u8]) -> Result<Self::Value, E> {
        in_table::reading(|table| read_links(bytes, table)).map_err(E::custom)
    }
}

fn read_links(bytes: &[u8], table: Option<&TextTable>) -> Result<Box<[LinkSummary]>, String> {
    let mut reader = Reader { bytes, at: 0 };
    let links = read_with(&mut reader, table).ok_or("corrupt: links that no writer wrote")?;
    if reader.rest() != 0 {
        return Err("corrupt: bytes after the links".to_owned());
    }
    Ok(links)
}

fn read_with(reader: &mut Reader, table: Option<&TextTable>) -> Option<Box<[LinkSummary]>> {
    let count = reader.number()? as usize;
    // Every link takes at least four bytes: a count beyond that is corrupt,
    // and must not reserve memory for it.
    if count > reader.rest() / 4 {
        return None;
    }
    let mut links = Vec::with_capacity(count);
    for _ in 0..count {
        let number = reader.number()?;
        let key = reader.range()?;
        let flags = reader.number()?;
        if flags & !KNOWN_FLAGS != 0 {
            return None;
        }
        let has_target_id = flags & HAS_TARGET_ID != 0;
        let target_id = if has_target_id { [reader.number()?, reader.number()?] } else { [0, 0] };
        let mut fields: [Option<LinkField>; 4] = Default::default();
        for (at, field) in fields.iter_mut().enumerate() {
            if flags & (1 << (FIELD_SHIFT + at as u32)) != 0 {
                let text = reader.text(table)?;
                *field = Some(LinkField { text, range: reader.range()? });
            }
        }
        links.push(LinkSummary {
            number,
            key,
            is_mapping: flags & MAPPING != 0,
            url_is_valid: flags & URL_IS_VALID != 0,
            has_target_id,
            target_id,
            fields,
        });
    }
    Some(links.into_boxed_slice())
}

/// Lengths and counts in an article are far below `u32::MAX` (it is
/// refused long before); one that is not saturates, and is refused when
/// read back.
fn len_u32(len: usize) -> u32 {
    u32::try_from(len).unwrap_or(u32::MAX)
}

fn put_range(out: &mut Vec<u8>, range: TextRange) {
    varint::push(out, range.start().into());
    varint::push(out, range.len().into());
}

/// Reads the numbers and texts of packed links, from `at` on; `None` for
/// bytes no writer wrote (cut short, a number past `u32::MAX`, a text not
/// in the table or not UTF-8), told once for the whole run.
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Reader<'_> {
    #[inline]
    fn number(&mut self) -> Option<u32> {
        varint::read(self.bytes, &mut self.at)
    }

    fn rest(&self) -> usize {
        self.bytes.len() - self.at
    }

    #[inline]
    fn range(&mut self) -> Option<TextRange> {
        let start = self.number()?;
        let end = start.checked_add(self.number()?)?;
        Some(TextRange::new(TextSize::from(start), TextSize::from(end)))
    }

    fn text(&mut self, table: Option<&TextTable>) -> Option<Text> {
        let number = self.number()?;
        match table {
            Some(table) => table.text(number),
            None => {
                let end = self.at.checked_add(number as usize)?;
                let text = self.bytes.get(self.at..end)?;
                self.at = end;
                std::str::from_utf8(text).ok().map(Text::new)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::summary::ArticleSummary;
    use crate::texts::TextTable;

    fn round_trips(summary: &ArticleSummary) {
        let plain = postcard::to_stdvec(summary).expect("written");
        assert_eq!(&postcard::from_bytes::<ArticleSummary>(&plain).expect("read"), summary);
        let (written, table) = in_table::with(TextTable::default(), || postcard::to_stdvec(summary));
        let table = TextTable::for_reading(table.texts().to_vec());
        let (read, _) =
            in_table::with(table, || postcard::from_bytes::<ArticleSummary>(&written.expect("written")));
        assert_eq!(&read.expect("read"), summary);
    }

    /// A related block: a mapping of some of the four fields (values of any
    /// characters, ids of any length), a scalar, or nothing.
    fn block() -> impl Strategy<Value = String> {
        let value = prop_oneof!["[0-9]{1,22}", "[a-zA-Z0-9é✓ :/._-]{0,24}", Just("''".to_owned())];
        let fields = prop::collection::vec((0..4usize, value), 0..5);
        prop_oneof![
            4 => fields.prop_map(|fields| {
                let names = ["id", "title", "subject", "url"];
                fields.iter().map(|(name, value)| format!("\n  {}: {value}", names[*name])).collect()
            }),
            1 => "[a-z ]{0,12}".prop_map(|scalar| format!(" {scalar}")),
        ]
    }

    proptest! {
        #[test]
        fn any_articles_links_read_back_as_written(
            blocks in prop::collection::vec((1..400u32, "\n{0,3}", block()), 0..8)
        ) {
            let mut text = String::from("---\nid: 1\n");
            for (number, blank, block) in &blocks {
                text.push_str(&format!("{blank}related_article{number}:{block}\n"));
            }
            text.push_str("---\n");
            let summary = ArticleSummary::of_text(&text).expect("an article");
            prop_assert_eq!(summary.links.is_empty(), blocks.is_empty());
            round_trips(&summary);
        }
    }

    fn summary() -> ArticleSummary {
        let text = "---\nid: 1\nurl: https://example.com/a\nrelated_article1:\n  id: 22\n  title: Tea\n  \
                    subject: Drinks\n  url: https://example.com/tea\nrelated_article2: plain\n\
                    related_article3:\n  title: ''\n  url: not a url\nrelated_article4:\n  id: 99999999999\n---\n";
        ArticleSummary::of_text(text).expect("an article")
    }

    #[test]
    fn links_read_back_as_written_with_a_table_and_without() {
        let summary = summary();
        assert_eq!(summary.links.len(), 4);
        round_trips(&summary);
    }

    #[test]
    fn bytes_cut_anywhere_or_changed_are_refused_without_a_panic() {
        let summary = summary();
        let links = &summary.links;
        let bytes = &pack(links)[..];
        assert_eq!(read_links(bytes, None).expect("read"), *links);
        for end in 0..bytes.len() {
            assert!(read_links(&bytes[..end], None).is_err(), "cut at {end}");
        }
        for at in 0..bytes.len() {
            let mut changed = bytes.to_vec();
            changed[at] ^= 0xff;
            // Read or refused; never a panic.
            let _ = read_links(&changed, None);
        }
    }
}
