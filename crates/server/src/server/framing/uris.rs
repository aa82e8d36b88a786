//! URIs in messages as lenient clients write them: found by their keys and
//! percent-encoded where a URI cannot hold a character as it is.

use std::fmt::Write;
use std::str::FromStr;

use serde_json::Value;
use tower_lsp_server::ls_types::Uri;

/// Keys whose string values are URIs, wherever they are in a message's params.
pub const URI_KEYS: [&str; 7] = ["uri", "rootUri", "targetUri", "scopeUri", "oldUri", "newUri", "baseUri"];

/// Values the protocol does not read (settings, data the server gave the
/// client back): never rewritten.
pub const OPAQUE_KEYS: [&str; 3] = ["initializationOptions", "settings", "data"];

/// Percent-encodes, in the URIs of a request's or notification's params,
/// the characters a URI cannot hold: clients that send `file:///…/café.md`
/// or spaces raw (as lenient servers accept) would get `-32602` for a
/// request, and a notification would be dropped. The server then names
/// those documents in the encoded spelling, which is the same URI. Only
/// URI strings are looked at, and the frame is passed on untouched, byte for
/// byte, unless one of them changed. Returns whether one did.
pub fn encode_uris(message: &mut Value) -> bool {
    let is_call = message.get("method").is_some();
    match message.get_mut("params") {
        Some(params) if is_call => encode_uris_in(params),
        _ => false,
    }
}

fn encode_uris_in(value: &mut Value) -> bool {
    match value {
        Value::Object(object) => {
            let mut changed = false;
            for (key, field) in object.iter_mut() {
                if OPAQUE_KEYS.contains(&key.as_str()) {
                    continue;
                }
                match field {
                    Value::String(text) if URI_KEYS.contains(&key.as_str()) => {
                        if let Some(encoded) = encoded_uri(text) {
                            *text = encoded;
                            changed = true;
                        }
                    }
                    _ => changed |= encode_uris_in(field),
                }
            }
            changed
        }
        Value::Array(items) => items.iter_mut().fold(false, |changed, item| encode_uris_in(item) | changed),
        _ => false,
    }
}

/// `text` with what a URI cannot hold percent-encoded (as UTF-8 bytes), when
/// it is not a URI as it is but is one so encoded.
pub fn encoded_uri(text: &str) -> Option<String> {
    // The common case: nothing a URI cannot hold (escapes aside), so
    // nothing to parse.
    let may_hold = |byte: u8| URI_BYTES[usize::from(byte)];
    if text.bytes().all(|byte| may_hold(byte) && byte != b'%') || Uri::from_str(text).is_ok() {
        return None;
    }
    let bytes = text.as_bytes();
    let mut encoded = String::with_capacity(text.len() + 16);
    for (at, &byte) in bytes.iter().enumerate() {
        let escape = byte == b'%'
            && bytes.get(at + 1..at + 3).is_some_and(|hex| hex.iter().all(u8::is_ascii_hexdigit));
        if may_hold(byte) && (byte != b'%' || escape) {
            encoded.push(char::from(byte));
        } else {
            let _ = write!(encoded, "%{byte:02X}");
        }
    }
    Uri::from_str(&encoded).is_ok().then_some(encoded)
}

/// The bytes a URI may hold as they are (`%` among them, for escapes): a
/// table, since every byte of every URI of a message is looked up.
const URI_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut byte = 0;
    while byte < 256 {
        table[byte] = (byte as u8).is_ascii_alphanumeric();
        byte += 1;
    }
    let others = b"-._~:/?#@!$&'()*+,;=%";
    let mut at = 0;
    while at < others.len() {
        table[others[at] as usize] = true;
        at += 1;
    }
    table
};
