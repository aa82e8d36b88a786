//! An index of what a server wrote, built from the client's inbox as the
//! waits look at it: the diagnostics publications with their arrival, the
//! end of the scan's progress, the server's requests and complaints. The
//! messages stay in the inbox; this keeps where they are.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::SystemTime;

use article_test_support::Inbox;
use serde_json::Value;
use tokio::time::Instant;

/// One `publishDiagnostics`.
pub struct Publication {
    /// When the client's reader took it in.
    pub at: Instant,
    /// Where it is in the inbox's messages.
    pub message: usize,
    pub uri: String,
}

#[derive(Default)]
pub struct Seen {
    /// The next inbox message to take in.
    next: usize,
    pub publications: Vec<Publication>,
    /// The first publication of each (uri, version).
    by_version: HashMap<(String, i64), usize>,
    /// Files whose latest publication has diagnostics.
    nonempty: HashSet<String>,
    /// How many files should have diagnostics once the server is through
    /// (as many as `check` reports).
    pub expected_nonempty: Option<usize>,
    /// When the `expected_nonempty`th file got its diagnostics.
    pub diagnostics_complete: Option<Instant>,
    /// The progress tokens the server created: its scans'.
    scan_tokens: HashSet<String>,
    pub scan_end: Option<Instant>,
    /// The same moment on the wall clock, to compare with files' times.
    pub scan_end_wall: Option<SystemTime>,
    pub server_requests: BTreeMap<String, usize>,
    /// Errors and warnings the server showed or logged to the client.
    pub messages: Vec<String>,
}

impl Seen {
    /// Takes in at most `limit` messages not yet taken in; whether every
    /// message is now.
    pub fn take_in(&mut self, inbox: &Inbox, limit: usize) -> bool {
        let end = inbox.messages.len().min(self.next.saturating_add(limit));
        for index in self.next..end {
            let at = inbox.received_at(index).expect("the inbox stamps every message");
            self.take(index, &inbox.messages[index], at);
        }
        self.next = end;
        end == inbox.messages.len()
    }

    fn take(&mut self, index: usize, message: &Value, at: Instant) {
        let Some(method) = message.get("method").and_then(Value::as_str) else {
            return;
        };
        let params = &message["params"];
        if message.get("id").is_some() {
            *self.server_requests.entry(method.to_owned()).or_default() += 1;
            if method == "window/workDoneProgress/create" {
                self.scan_tokens.insert(params["token"].to_string());
            }
            return;
        }
        match method {
            "textDocument/publishDiagnostics" => self.publication(index, params, at),
            "$/progress" => {
                let ends_a_scan = params["value"]["kind"] == "end"
                    && self.scan_tokens.contains(&params["token"].to_string());
                if ends_a_scan && self.scan_end.is_none() {
                    self.scan_end = Some(at);
                    self.scan_end_wall = SystemTime::now().checked_sub(at.elapsed());
                }
            }
            // Errors and warnings only.
            "window/showMessage" | "window/logMessage" if params["type"].as_i64().unwrap_or(4) <= 2 => {
                self.messages.push(format!("{method}: {}", params["message"].as_str().unwrap_or_default()));
            }
            _ => {}
        }
    }

    fn publication(&mut self, index: usize, params: &Value, at: Instant) {
        let uri = params["uri"].as_str().unwrap_or_default().to_owned();
        let version = params["version"].as_i64();
        let empty = params["diagnostics"].as_array().is_none_or(Vec::is_empty);
        if empty {
            self.nonempty.remove(&uri);
        } else {
            self.nonempty.insert(uri.clone());
            let reached = self.expected_nonempty.is_some_and(|expected| self.nonempty.len() >= expected);
            if reached && self.diagnostics_complete.is_none() {
                self.diagnostics_complete = Some(at);
            }
        }
        if let Some(version) = version {
            self.by_version.entry((uri.clone(), version)).or_insert(self.publications.len());
        }
        self.publications.push(Publication { at, message: index, uri });
    }

    /// The first publication of `uri` at `version`.
    pub fn version(&self, uri: &str, version: i64) -> Option<&Publication> {
        self.by_version.get(&(uri.to_owned(), version)).map(|at| &self.publications[*at])
    }

    pub fn files_with_diagnostics(&self) -> usize {
        self.nonempty.len()
    }

    pub fn last_publication(&self) -> Option<Instant> {
        self.publications.last().map(|publication| publication.at)
    }
}

/// The diagnostics of a `publishDiagnostics` message.
pub fn diagnostics(message: &Value) -> &[Value] {
    message["params"]["diagnostics"].as_array().map_or(&[], Vec::as_slice)
}

/// How many of a publication's diagnostics have `code`.
pub fn count_code(message: &Value, code: &str) -> usize {
    diagnostics(message).iter().filter(|diagnostic| diagnostic["code"] == code).count()
}

/// Whether any string in `value` (a message, related information, data)
/// holds `text`.
pub fn mentions(value: &Value, text: &str) -> bool {
    match value {
        Value::String(string) => string.contains(text),
        Value::Array(items) => items.iter().any(|item| mentions(item, text)),
        Value::Object(fields) => fields.values().any(|field| mentions(field, text)),
        _ => false,
    }
}
