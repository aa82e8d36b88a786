//! A sanitizing pass over the client's byte stream. tower-lsp-server's
//! reader stops for good at the first frame it cannot decode (bad headers,
//! a body that is not UTF-8 or not a JSON-RPC message), which would end the
//! session on one bad message. Frames are checked here first; a bad one is
//! logged and replaced by a stand-in request that [`answer_to_stand_in`] answers
//! with the JSON-RPC error the frame deserves: `-32700` (parse error) for a
//! body that is not JSON or a frame without a usable length, `-32600`
//! (invalid request) for JSON that is not a JSON-RPC message, with the
//! message's id when it has a usable one and `null` otherwise.

mod outgoing;
mod plain;
mod uris;

pub use outgoing::{Notifier, outgoing, write_out};

use uris::encode_uris;

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};

/// Bodies are refused beyond this size; an article never comes close.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// The stand-in's method. A client sending it gets the error it names,
/// which is all the stand-in does.
const REJECTED: &str = "$/articleLsp/rejected";

/// Copies frames from `input` to `output`, replacing bad ones, until either
/// side closes.
pub async fn sanitize(input: impl AsyncRead + Unpin, output: impl AsyncWrite + Unpin) {
    sanitize_within(input, output, MAX_BODY).await;
}

async fn sanitize_within(
    input: impl AsyncRead + Unpin,
    mut output: impl AsyncWrite + Unpin,
    max_body: usize,
) {
    // Large reads: stdin is read on a blocking thread, one hand-off a read.
    let mut input = BufReader::with_capacity(1 << 16, input);
    loop {
        let Some(length) = read_headers(&mut input).await else { return };
        let body = match length {
            Some(length) if length <= max_body => {
                let mut body = vec![0; length];
                if input.read_exact(&mut body).await.is_err() {
                    return;
                }
                checked(body)
            }
            Some(length) => {
                let mut rest = (&mut input).take(length as u64);
                let skipped = tokio::io::copy(&mut rest, &mut tokio::io::sink()).await;
                if skipped.map_or(true, |bytes| bytes < length as u64) {
                    return;
                }
                let message =
                    format!("Invalid request: a {length}-byte message is over the {max_body}-byte limit");
                stand_in(Rejection { id: Value::Null, code: ErrorCode::InvalidRequest, message })
            }
            None => {
                let message = "Parse error: a message without a usable Content-Length header".to_owned();
                stand_in(Rejection { id: Value::Null, code: ErrorCode::ParseError, message })
            }
        };
        let frame = format!("Content-Length: {}\r\n\r\n", body.len());
        let written = async {
            output.write_all(frame.as_bytes()).await?;
            output.write_all(&body).await?;
            output.flush().await
        };
        if written.await.is_err() {
            return;
        }
    }
}

/// Reads a header block. `None` at the end of input; `Some(None)` when the
/// block has no valid `Content-Length`.
async fn read_headers(input: &mut (impl AsyncBufReadExt + Unpin)) -> Option<Option<usize>> {
    let mut length = None;
    let mut seen_any = false;
    let mut line = Vec::new();
    loop {
        line.clear();
        if input.read_until(b'\n', &mut line).await.ok()? == 0 {
            return None;
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim();
        if text.is_empty() {
            // Tolerates stray blank lines between frames.
            if seen_any {
                return Some(length);
            }
            continue;
        }
        seen_any = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
}

/// Why a frame was refused, as the error its sender gets.
struct Rejection {
    id: Value,
    code: ErrorCode,
    message: String,
}

/// The body itself when it is a JSON-RPC message (its URIs spelled as the
/// server reads them), else a stand-in.
fn checked(body: Vec<u8>) -> Vec<u8> {
    if plain::passes_as_it_is(&body) {
        return body;
    }
    match verdict(&body) {
        Ok(mut value) => {
            if !encode_uris(&mut value) {
                return body;
            }
            tracing::debug!("percent-encoded the URIs of a message");
            serde_json::to_vec(&value).unwrap_or(body)
        }
        Err(rejection) => {
            tracing::warn!("refused a message ({} bytes): {}", body.len(), rejection.message);
            stand_in(rejection)
        }
    }
}

fn verdict(body: &[u8]) -> Result<Value, Rejection> {
    let value: Value = serde_json::from_slice(body).map_err(|error| Rejection {
        id: Value::Null,
        code: ErrorCode::ParseError,
        message: format!("Parse error: {error}"),
    })?;
    // Ids that tower-lsp-server cannot read would end its reader too.
    let usable_id = |id: &Value| id.is_null() || id.is_i64() || id.is_string();
    let id = value.get("id").filter(|id| usable_id(id)).cloned().unwrap_or(Value::Null);
    let invalid = |why: &str| Rejection {
        id: id.clone(),
        code: ErrorCode::InvalidRequest,
        message: format!("Invalid request: {why}"),
    };
    let Some(object) = value.as_object() else { return Err(invalid("not a JSON object")) };
    if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
        return Err(invalid("`jsonrpc` is not \"2.0\""));
    }
    if object.get("id").is_some_and(|id| !usable_id(id)) {
        return Err(invalid("`id` is not an integer or a string"));
    }
    let readable = match object.get("method") {
        Some(Value::String(method)) if !method.is_empty() => {
            serde_json::from_slice::<RequestFields>(body).is_ok()
        }
        Some(_) => return Err(invalid("`method` is not a non-empty string")),
        None => Response::deserialize(&value).is_ok(),
    };
    if readable { Ok(value) } else { Err(invalid("neither a request, a notification nor a response")) }
}

/// The fields of tower-lsp-server's `Request`, read by the same rules (a
/// repeated field is refused, which the parsed value does not show), with
/// `params` skipped rather than built: a notification of thousands of file
/// events is not copied to be checked. The values themselves are checked
/// on the parsed message.
#[derive(Deserialize)]
struct RequestFields {
    #[serde(rename = "jsonrpc")]
    _jsonrpc: IgnoredAny,
    #[serde(default, rename = "method")]
    _method: Option<IgnoredAny>,
    #[serde(default, rename = "params")]
    _params: Option<IgnoredAny>,
    #[serde(default, rename = "id")]
    _id: Option<IgnoredAny>,
}

fn stand_in(rejection: Rejection) -> Vec<u8> {
    let params = json!({ "code": rejection.code.code(), "message": rejection.message });
    json!({ "jsonrpc": "2.0", "id": rejection.id, "method": REJECTED, "params": params })
        .to_string()
        .into_bytes()
}

/// The answer to a stand-in: the error it carries; `None` for any other
/// request. Given before the LSP service sees the request, so that refused
/// frames are answered before `initialize` too.
pub fn answer_to_stand_in(request: &Request) -> Option<Response> {
    if request.method() != REJECTED {
        return None;
    }
    let params = request.params().cloned().unwrap_or_default();
    let error = Error {
        code: params["code"].as_i64().map_or(ErrorCode::InvalidRequest, ErrorCode::from),
        message: params["message"].as_str().unwrap_or("Invalid request").to_owned().into(),
        data: None,
    };
    Some(Response::from_error(request.id().cloned().unwrap_or(Id::Null), error))
}

#[cfg(test)]
mod tests {
    use super::uris::encoded_uri;
    use super::*;

    async fn run(input: &[u8]) -> String {
        let mut output = Vec::new();
        sanitize(input, &mut output).await;
        String::from_utf8(output).expect("UTF-8 frames")
    }

    #[tokio::test]
    async fn good_frames_pass_unchanged() {
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;
        let frame = format!("Content-Length: {}\r\n\r\n{body}", body.len());
        assert_eq!(run(frame.as_bytes()).await, frame);
    }

    #[tokio::test]
    async fn bad_bodies_and_frames_become_stand_ins_with_their_error() {
        let bad_json = "{ not json";
        let no_method = r#"{"jsonrpc":"2.0","id":7,"params":1}"#;
        let float_id = r#"{"jsonrpc":"2.0","id":1.5,"method":"shutdown"}"#;
        let input = format!(
            "Content-Length: {}\r\n\r\n{bad_json}X-Junk: 1\r\n\r\nContent-Length: {}\r\n\r\n{no_method}\
             Content-Length: {}\r\n\r\n{float_id}",
            bad_json.len(),
            no_method.len(),
            float_id.len(),
        );
        let output = run(input.as_bytes()).await;
        let stand_ins: Vec<Value> = output
            .split("Content-Length: ")
            .filter_map(|frame| frame.split_once("\r\n\r\n"))
            .map(|(_, body)| serde_json::from_str(body).expect("JSON stand-ins"))
            .collect();
        let summary: Vec<(Value, Value)> =
            stand_ins.iter().map(|s| (s["id"].clone(), s["params"]["code"].clone())).collect();
        assert_eq!(
            summary,
            [
                (json!(null), json!(-32700)),
                (json!(null), json!(-32700)),
                (json!(7), json!(-32600)),
                (json!(null), json!(-32600))
            ],
            "{output}"
        );
        assert!(stand_ins.iter().all(|s| s["method"] == REJECTED));
        let mut invalid_utf8 = b"Content-Length: 2\r\n\r\n".to_vec();
        invalid_utf8.extend([0xff, 0xfe]);
        assert!(run(&invalid_utf8).await.contains("-32700"));
    }

    #[tokio::test]
    async fn a_request_with_a_repeated_field_becomes_a_stand_in() {
        let repeated = r#"{"jsonrpc":"2.0","id":3,"method":"shutdown","method":"exit"}"#;
        assert!(
            serde_json::from_str::<Request>(repeated).is_err(),
            "tower-lsp-server's reader would stop at this frame"
        );
        let output = run(format!("Content-Length: {}\r\n\r\n{repeated}", repeated.len()).as_bytes()).await;
        let (_, body) = output.split_once("\r\n\r\n").expect("one frame");
        let stand_in: Value = serde_json::from_str(body).expect("a JSON stand-in");
        assert_eq!((stand_in["id"].clone(), stand_in["params"]["code"].clone()), (json!(3), json!(-32600)));
    }

    #[tokio::test]
    async fn an_oversized_body_is_skipped_whole() {
        let next = r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#;
        let limit = 1000;
        let oversized = format!("{{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"{}\"}}", "x".repeat(limit));
        let input = format!(
            "Content-Length: {}\r\n\r\n{oversized}Content-Length: {}\r\n\r\n{next}",
            oversized.len(),
            next.len()
        );
        let mut output = Vec::new();
        sanitize_within(input.as_bytes(), &mut output, limit).await;
        let output = String::from_utf8(output).expect("UTF-8 frames");
        assert!(output.contains("-32600") && output.ends_with(next), "{output}");
    }

    #[tokio::test]
    async fn raw_characters_in_uris_are_percent_encoded_and_nothing_else_is_touched() {
        let body = json!({
            "jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": { "textDocument": {
                "uri": "file:///tmp/caf\u{e9} au lait/[1].md", "languageId": "markdown", "version": 1,
                "text": "caf\u{e9} uri: file:///x y",
            } },
        })
        .to_string();
        let output = run(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes()).await;
        let (_, sent) = output.split_once("\r\n\r\n").expect("a frame");
        let sent: Value = serde_json::from_str(sent).expect("JSON");
        let document = &sent["params"]["textDocument"];
        assert_eq!(document["uri"], "file:///tmp/caf%C3%A9%20au%20lait/%5B1%5D.md");
        assert_eq!(document["text"], "caf\u{e9} uri: file:///x y");
        let fine = body.replace("caf\u{e9} au lait/[1]", "notes");
        let frame = format!("Content-Length: {}\r\n\r\n{fine}", fine.len());
        assert_eq!(run(frame.as_bytes()).await, frame, "a frame with nothing to encode passes as it is");

        // Valid URIs, URIs that encoding cannot save, and settings stay as they are.
        assert_eq!(encoded_uri("file:///tmp/caf%C3%A9.md"), None);
        assert_eq!(encoded_uri("file:///tmp/100%.md").as_deref(), Some("file:///tmp/100%25.md"));
        assert_eq!(encoded_uri("http://[::1]/a.md"), None);
        assert_eq!(encoded_uri("not a uri"), None);
        let settings = json!({ "jsonrpc": "2.0", "method": "initialize", "id": 1,
            "params": { "rootUri": "file:///h\u{e9}", "initializationOptions": { "uri": "file:///h\u{e9}" } } });
        let mut changed = settings.clone();
        assert!(encode_uris(&mut changed));
        assert_eq!(changed["params"]["rootUri"], "file:///h%C3%A9");
        assert_eq!(changed["params"]["initializationOptions"], settings["params"]["initializationOptions"]);
    }

    #[test]
    fn stand_ins_are_answered_with_their_error() {
        let body =
            stand_in(Rejection { id: json!(7), code: ErrorCode::InvalidRequest, message: "no".into() });
        let request: Request = serde_json::from_slice(&body).expect("a request");
        let (id, result) = answer_to_stand_in(&request).expect("an answer").into_parts();
        assert_eq!(id, Id::Number(7));
        assert_eq!(result.expect_err("an error").code, ErrorCode::InvalidRequest);
        assert!(answer_to_stand_in(&Request::build("shutdown").id(1).finish()).is_none());
    }
}
