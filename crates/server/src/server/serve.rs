//! Serving: the framing around tower-lsp-server's service, on any pipe or
//! on stdio.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::io::{AsyncRead, AsyncWrite};
use tower_lsp_server::{LspService, Server};

use super::backend::Backend;
use super::shared::ServeOptions;
use super::{framing, guard};

/// Serves LSP on `input`/`output` until `exit` or the end of input, without
/// an index cache. Returns whether `shutdown` came first (the exit status
/// depends on it).
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite,
{
    serve_with(input, output, ServeOptions::default()).await
}

/// [`serve`], with options.
pub async fn serve_with<I, O>(input: I, output: O, options: ServeOptions) -> bool
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite,
{
    let (checked_input, server_input) = tokio::io::duplex(1 << 16);
    tokio::spawn(framing::sanitize(input, checked_input));
    let (outgoing, notifier, frames) = framing::outgoing();
    let ending = notifier.clone();
    let (service, socket) = LspService::new(move |client| Backend::new(client, notifier, options));
    let shutdown = Arc::new(AtomicBool::new(false));
    let service = guard::Guard::new(service, shutdown.clone());
    let serving = async move {
        Server::new(server_input, outgoing, socket).serve(service).await;
        // What was queued before `exit` still goes out.
        ending.end();
    };
    let output = std::pin::pin!(output);
    tokio::join!(serving, framing::write_out(frames, output));
    shutdown.load(Ordering::SeqCst)
}

/// Serves on stdin/stdout, on a runtime of its own, with the index cache in
/// the user's cache directory.
pub fn run_stdio() -> std::io::Result<bool> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let options =
        ServeOptions { cache_dir: article_workspace::cache::default_dir(), ..ServeOptions::default() };
    let shutdown_requested = runtime.block_on(serve_with(tokio::io::stdin(), tokio::io::stdout(), options));
    // Reading stdin blocks a thread that nothing can interrupt: after `exit`,
    // waiting for it would keep the process alive until the client closes
    // the pipe, so the runtime is not waited for.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(shutdown_requested)
}
