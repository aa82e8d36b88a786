//! The server's outgoing stream. tower-lsp-server writes its responses and
//! requests into it, whole frames at a time, and the analysis loop writes
//! its `publishDiagnostics` notifications beside them, without a hand-off
//! per message: tower-lsp-server's client passes each notification through
//! a channel of one slot to its serve task, so that tens of thousands of
//! sets (a scan's end) cost a switch between threads each. One task writes
//! whatever is queued, a batch at a time: what the writer is waiting for
//! (responses, an open document's diagnostics) first, and the sets of
//! closed files in slices between them, so that a scan's tens of thousands
//! of sets never stand before an edit's.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use serde::Serialize;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};
use tokio::sync::oneshot;
use tower_lsp_server::ls_types::notification::Notification;

/// What the writer is given: bytes that are whole frames, or the end.
pub enum Chunk {
    /// Written before any waiting `Later`; one about a document (its URI)
    /// drops the `Later` ones about it still waiting, which it replaces.
    Now(Option<String>, Vec<u8>),
    /// Written when nothing waits in `Now`, about a document.
    Later(String, Vec<u8>),
    /// Told once every `Later` frame queued before it is written.
    Written(oneshot::Sender<()>),
    End,
}

/// A `Later` frame, or a promise to tell when those before it are written.
enum Waiting {
    Frame(String, Vec<u8>),
    Written(oneshot::Sender<()>),
}

/// How much of the `Later` frames is written between looks for `Now` ones.
const LATER_SLICE: usize = 64 * 1024;

/// The stream tower-lsp-server writes to. It takes every write whole, so a
/// write is always whole frames (a frame is encoded into the codec's buffer
/// before the buffer is written), and notifications never fall inside one.
pub struct Outgoing(UnboundedSender<Chunk>);

/// Writes notifications to the client directly.
#[derive(Clone)]
pub struct Notifier(UnboundedSender<Chunk>);

/// The outgoing stream, a notifier writing into it, and what the writer
/// reads (see [`write_out`]).
pub fn outgoing() -> (Outgoing, Notifier, UnboundedReceiver<Chunk>) {
    let (sender, receiver) = unbounded_channel();
    (Outgoing(sender.clone()), Notifier(sender), receiver)
}

impl AsyncWrite for Outgoing {
    fn poll_write(self: Pin<&mut Self>, _: &mut Context<'_>, bytes: &[u8]) -> Poll<io::Result<usize>> {
        match self.0.send(Chunk::Now(None, bytes.to_vec())) {
            Ok(()) => Poll::Ready(Ok(bytes.len())),
            Err(_) => Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// The notification `N` as a frame.
fn frame<N: Notification>(params: N::Params) -> Option<Vec<u8>> {
    frame_of(N::METHOD, params)
}

/// The notification `method` with `params` as a frame.
fn frame_of(method: &str, params: impl Serialize) -> Option<Vec<u8>> {
    let message = Message { jsonrpc: "2.0", method, params };
    match serde_json::to_vec(&message) {
        Ok(body) => {
            let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
            frame.extend_from_slice(&body);
            Some(frame)
        }
        Err(error) => {
            tracing::error!("a {method} notification could not be written: {error}");
            None
        }
    }
}

#[derive(Serialize)]
struct Message<'a, P> {
    jsonrpc: &'static str,
    method: &'a str,
    params: P,
}

impl Notifier {
    /// Queues the notification `method` about the document `uri` (no
    /// answer is awaited, none comes): an `urgent` one before any other
    /// waiting to be written, replacing those about the same document. The
    /// parameters may be in a form of the caller's (parts of them written
    /// to JSON already, say).
    pub fn notify_about(&self, method: &str, uri: &str, params: impl Serialize, urgent: bool) {
        let Some(frame) = frame_of(method, params) else { return };
        let uri = uri.to_owned();
        self.queue(if urgent { Chunk::Now(Some(uri), frame) } else { Chunk::Later(uri, frame) });
    }

    /// Queues the notification `N` before any waiting to be written. Never
    /// waits, unlike tower-lsp-server's client, whose send waits for its
    /// serve task to take it, forever once the session has ended.
    pub fn notify<N: Notification>(&self, params: N::Params) {
        if let Some(frame) = frame::<N>(params) {
            self.queue(Chunk::Now(None, frame));
        }
    }

    fn queue(&self, chunk: Chunk) {
        // Fails only once the writer is gone, after `exit`.
        let _ = self.0.send(chunk);
    }

    /// Tells once every notification queued so far is written.
    pub fn written(&self) -> oneshot::Receiver<()> {
        let (told, written) = oneshot::channel();
        let _ = self.0.send(Chunk::Written(told));
        written
    }

    /// Ends the stream once what is queued is written.
    pub fn end(&self) {
        let _ = self.0.send(Chunk::End);
    }
}

/// Writes the queued frames to `output` until the stream is ended (or
/// the output closes): every `Now` frame queued, in one write; else a slice
/// of the `Later` ones.
pub async fn write_out(mut chunks: UnboundedReceiver<Chunk>, mut output: impl AsyncWrite + Unpin) {
    let (mut now, mut later) = (Vec::new(), VecDeque::new());
    let mut ended = false;
    loop {
        while let Ok(chunk) = chunks.try_recv() {
            take(chunk, &mut now, &mut later, &mut ended);
        }
        let (batch, tell) = if !now.is_empty() {
            (std::mem::take(&mut now), None)
        } else if !later.is_empty() {
            later_slice(&mut later)
        } else if ended {
            return;
        } else {
            match chunks.recv().await {
                Some(chunk) => take(chunk, &mut now, &mut later, &mut ended),
                None => ended = true,
            }
            continue;
        };
        if output.write_all(&batch).await.is_err() || output.flush().await.is_err() {
            return;
        }
        if let Some(tell) = tell {
            let _ = tell.send(());
        }
    }
}

/// The next `Later` frames, up to a slice's size or to a promise, which is
/// kept when met to be told once the slice is written.
fn later_slice(later: &mut VecDeque<Waiting>) -> (Vec<u8>, Option<oneshot::Sender<()>>) {
    let mut slice = Vec::with_capacity(LATER_SLICE);
    while slice.len() < LATER_SLICE
        && let Some(waiting) = later.pop_front()
    {
        match waiting {
            Waiting::Frame(_, frame) => slice.extend_from_slice(&frame),
            Waiting::Written(tell) => return (slice, Some(tell)),
        }
    }
    (slice, None)
}

fn take(chunk: Chunk, now: &mut Vec<u8>, later: &mut VecDeque<Waiting>, ended: &mut bool) {
    match chunk {
        Chunk::Now(about, bytes) => {
            if let Some(uri) = about {
                later.retain(|waiting| !matches!(waiting, Waiting::Frame(about, _) if *about == uri));
            }
            now.extend_from_slice(&bytes);
        }
        Chunk::Later(uri, bytes) => later.push_back(Waiting::Frame(uri, bytes)),
        Chunk::Written(tell) => later.push_back(Waiting::Written(tell)),
        Chunk::End => *ended = true,
    }
}

#[cfg(test)]
mod tests {
    use tower_lsp_server::ls_types::notification::LogMessage;
    use tower_lsp_server::ls_types::{LogMessageParams, MessageType};

    use super::*;

    #[tokio::test]
    async fn writes_and_notifications_come_out_whole_and_in_order() {
        let (mut outgoing, notifier, chunks) = outgoing();
        let (mut client, server) = tokio::io::duplex(1 << 16);
        let writer = tokio::spawn(write_out(chunks, server));
        outgoing.write_all(b"Content-Length: 2\r\n\r\n{}").await.expect("written");
        let params = LogMessageParams { typ: MessageType::INFO, message: "é".into() };
        notifier.notify::<LogMessage>(params);
        outgoing.write_all(b"Content-Length: 2\r\n\r\n[]").await.expect("written");
        notifier.end();
        writer.await.expect("the writer ends");
        drop(outgoing);
        let mut out = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut client, &mut out).await.expect("read");
        let note = r#"{"jsonrpc":"2.0","method":"window/logMessage","params":{"type":3,"message":"é"}}"#;
        assert_eq!(
            out,
            format!(
                "Content-Length: 2\r\n\r\n{{}}Content-Length: {}\r\n\r\n{note}Content-Length: 2\r\n\r\n[]",
                note.len()
            )
        );
    }

    #[tokio::test]
    async fn an_urgent_set_goes_first_and_replaces_the_waiting_ones_of_its_document() {
        let (_outgoing, notifier, chunks) = outgoing();
        let set = |message: &str| LogMessageParams { typ: MessageType::INFO, message: message.into() };
        notifier.notify_about(LogMessage::METHOD, "file:///a.md", set("a, older"), false);
        notifier.notify_about(LogMessage::METHOD, "file:///b.md", set("b"), false);
        notifier.notify_about(LogMessage::METHOD, "file:///a.md", set("a, newer"), true);
        notifier.end();
        let (mut client, server) = tokio::io::duplex(1 << 16);
        write_out(chunks, server).await;
        let mut out = String::new();
        tokio::io::AsyncReadExt::read_to_string(&mut client, &mut out).await.expect("read");
        let messages: Vec<&str> = ["a, older", "b", "a, newer"]
            .into_iter()
            .filter(|message| out.contains(&format!("\"message\":\"{message}\"")))
            .collect();
        assert_eq!(messages, ["b", "a, newer"], "{out}");
        assert!(out.find("a, newer") < out.find("\"b\""), "the urgent set first: {out}");
    }
}
