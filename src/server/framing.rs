//! A sanitizing pass over the client's byte stream. tower-lsp-server's
//! reader stops for good at the first frame it cannot decode (bad headers,
//! a body that is not UTF-8 or not a JSON-RPC message), which would end the
//! session on one bad message. Frames are checked here first; a bad one is
//! logged and replaced by a message the server answers harmlessly: an
//! unknown-method error for the request's id when one can be read, else a
//! notification nobody handles.

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tower_lsp_server::jsonrpc::{Request, Response};

/// Bodies are refused beyond this size; an article never comes close.
const MAX_BODY: usize = 256 * 1024 * 1024;

/// Copies frames from `input` to `output`, replacing bad ones, until either
/// side closes.
pub async fn sanitize(input: impl AsyncRead + Unpin, mut output: impl AsyncWrite + Unpin) {
    let mut input = BufReader::new(input);
    loop {
        let Some(length) = read_headers(&mut input).await else { return };
        let body = match length {
            Some(length) if length <= MAX_BODY => {
                let mut body = vec![0; length];
                if input.read_exact(&mut body).await.is_err() {
                    return;
                }
                checked(body)
            }
            _ => {
                tracing::warn!("dropped a message without a usable Content-Length header");
                continue;
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
            if length.is_some() {
                return Some(length);
            }
            continue;
        }
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
}

/// The body itself when it is a JSON-RPC message, else a stand-in.
fn checked(body: Vec<u8>) -> Vec<u8> {
    if serde_json::from_slice::<Request>(&body).is_ok() || serde_json::from_slice::<Response>(&body).is_ok() {
        return body;
    }
    let id = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|value| value.get("id").cloned())
        .filter(|id| id.is_i64() || id.is_u64() || id.is_string());
    tracing::warn!("ignored a message that is not JSON-RPC ({} bytes)", body.len());
    let stand_in = match id {
        Some(id) => serde_json::json!({ "jsonrpc": "2.0", "id": id, "method": "articleLsp/invalidMessage" }),
        None => serde_json::json!({ "jsonrpc": "2.0", "method": "$/articleLsp/invalidMessage" }),
    };
    stand_in.to_string().into_bytes()
}

#[cfg(test)]
mod tests {
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
    async fn bad_bodies_are_replaced_and_bad_headers_skipped() {
        let bad_json = "{ not json";
        let no_method = r#"{"id":7,"params":1}"#;
        let input = format!(
            "Content-Length: {}\r\n\r\n{bad_json}X-Junk: 1\r\n\r\nContent-Length: {}\r\n\r\n{no_method}",
            bad_json.len(),
            no_method.len()
        );
        let output = run(input.as_bytes()).await;
        assert!(output.contains(r#""method":"$/articleLsp/invalidMessage""#), "{output}");
        assert!(output.contains(r#""id":7"#) && output.contains(r#""method":"articleLsp/invalidMessage""#));
        let mut invalid_utf8 = b"Content-Length: 2\r\n\r\n".to_vec();
        invalid_utf8.extend([0xff, 0xfe]);
        assert!(run(&invalid_utf8).await.contains("invalidMessage"));
    }
}
