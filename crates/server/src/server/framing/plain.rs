//! The common case of a frame, checked without building its message: a
//! request or notification whose envelope is as tower-lsp-server reads it
//! and whose URIs need no encoding. A notification of thousands of file
//! events is read once here, borrowing, and passed on byte for byte;
//! anything else takes the full check (see the parent module), which gives
//! the exact error.

use std::fmt;

use serde::Deserialize;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::uris::{OPAQUE_KEYS, URI_KEYS, encoded_uri};

/// The top-level fields of a message. Deriving refuses a repeated field, as
/// tower-lsp-server's `Request` does.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    jsonrpc: &'a RawValue,
    #[serde(borrow)]
    method: &'a RawValue,
    #[serde(default, borrow)]
    id: Option<&'a RawValue>,
    /// Read in the same pass, looking only at URIs.
    #[serde(default)]
    params: Found,
}

/// Whether `body` is a request or notification that can be passed on as it
/// is. `false` says only that the full check must decide.
pub(super) fn passes_as_it_is(body: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(body) else { return false };
    let Ok(envelope) = serde_json::from_str::<Envelope<'_>>(text) else { return false };
    let method = envelope.method.get();
    envelope.jsonrpc.get() == r#""2.0""#
        && method.len() > 2
        && method.starts_with('"')
        && envelope.id.is_none_or(|id| usable_id(id.get()))
        && envelope.params == Found::Nothing
}

/// An id tower-lsp-server reads: null, a string, or an integer of 64 bits
/// written plainly (anything else goes to the full check).
fn usable_id(id: &str) -> bool {
    id == "null"
        || (id.starts_with('"') && !id.contains('\\'))
        || (!id.is_empty() && id.strip_prefix('-').unwrap_or(id).bytes().all(|b| b.is_ascii_digit()))
            && id.parse::<i64>().is_ok()
}

/// What a scan of params found.
#[derive(PartialEq, Default)]
enum Found {
    #[default]
    Nothing,
    /// A URI the full check would encode.
    RawUri,
}

impl Found {
    fn or(self, other: Found) -> Found {
        if self == Found::RawUri { self } else { other }
    }
}

/// Reads a value, looking at the strings under URI keys (`uri` set when the
/// value is one's), skipping what the protocol does not read.
#[derive(Clone, Copy)]
struct Scan {
    uri: bool,
}

impl<'de> Deserialize<'de> for Found {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Found, D::Error> {
        Scan { uri: false }.deserialize(deserializer)
    }
}

impl<'de> DeserializeSeed<'de> for Scan {
    type Value = Found;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Found, D::Error> {
        deserializer.deserialize_any(self)
    }
}

/// How a key's value is read.
enum Key {
    Uri,
    Opaque,
    Other,
}

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Key, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, key: &str) -> Result<Key, E> {
                Ok(if URI_KEYS.contains(&key) {
                    Key::Uri
                } else if OPAQUE_KEYS.contains(&key) {
                    Key::Opaque
                } else {
                    Key::Other
                })
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

impl<'de> Visitor<'de> for Scan {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Found, E> {
        Ok(Found::Nothing)
    }

    fn visit_i64<E>(self, _: i64) -> Result<Found, E> {
        Ok(Found::Nothing)
    }

    fn visit_u64<E>(self, _: u64) -> Result<Found, E> {
        Ok(Found::Nothing)
    }

    fn visit_f64<E>(self, _: f64) -> Result<Found, E> {
        Ok(Found::Nothing)
    }

    fn visit_unit<E>(self) -> Result<Found, E> {
        Ok(Found::Nothing)
    }

    fn visit_str<E>(self, text: &str) -> Result<Found, E> {
        Ok(if self.uri && encoded_uri(text).is_some() { Found::RawUri } else { Found::Nothing })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<Found, A::Error> {
        let mut found = Found::Nothing;
        while let Some(item) = items.next_element_seed(Scan { uri: false })? {
            found = found.or(item);
        }
        Ok(found)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<Found, A::Error> {
        let mut found = Found::Nothing;
        while let Some(key) = fields.next_key::<Key>()? {
            let field = match key {
                Key::Opaque => fields.next_value::<IgnoredAny>().map(|_| Found::Nothing)?,
                Key::Uri => fields.next_value_seed(Scan { uri: true })?,
                Key::Other => fields.next_value_seed(Scan { uri: false })?,
            };
            found = found.or(field);
        }
        Ok(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_calls_pass_as_they_are() {
        let plain = [
            r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#,
            r#"{"jsonrpc":"2.0","method":"exit","params":null}"#,
            r#"{"jsonrpc":"2.0","id":"a","method":"x","params":{"uri":"file:///a%20b.md","n":[1,2.5,true]}}"#,
            r#"{"jsonrpc":"2.0","method":"x","params":{"settings":{"uri":"raw é"},"text":"é"}}"#,
        ];
        for body in plain {
            assert!(passes_as_it_is(body.as_bytes()), "{body}");
        }
        let to_check = [
            r#"{"jsonrpc":"2.0","id":1}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":null}"#,
            r#"{"jsonrpc":"1.0","method":"x"}"#,
            r#"{"jsonrpc":"2.0","method":""}"#,
            r#"{"jsonrpc":"2.0","method":3}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#,
            r#"{"jsonrpc":"2.0","id":99999999999999999999,"method":"x"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"x","method":"y"}"#,
            r#"{"jsonrpc":"2.0","method":"x","params":{"textDocument":{"uri":"file:///café.md"}}}"#,
            r#"{"jsonrpc":"2.0","method":"x","params":[{"uri":"file:///a b.md"}]}"#,
            r#"[1]"#,
            "{ not json",
        ];
        for body in to_check {
            assert!(!passes_as_it_is(body.as_bytes()), "{body}");
        }
    }
}
