//! The wrapper around the LSP service, seeing every message in arrival order.
//! It makes the service keep the protocol's promises where
//! tower-lsp-server alone does not:
//!
//! - a panic in any handler becomes an error response (or, for a
//!   notification, a log line) and the server goes on: tower-lsp-server
//!   polls handlers inside its own serve loop, where a panic would end it;
//! - the stand-ins of refused frames (see `framing`) get their error, before
//!   `initialize` too;
//! - every request before a successful `initialize` gets `-32002`, unknown
//!   methods included (tower-lsp-server answers those `-32601`);
//! - every request gets a response: one the service drops (tower-lsp-server
//!   drops unknown `$/` requests as if they were notifications) gets `-32601`;
//! - `shutdown` is noted at arrival rather than when its handler runs, since
//!   `exit` may end the loop first.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tower::Service;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};

pub struct Guard<S> {
    inner: S,
    shutdown_requested: Arc<AtomicBool>,
    initialized: Arc<AtomicBool>,
}

impl<S> Guard<S> {
    pub fn new(inner: S, shutdown_requested: Arc<AtomicBool>) -> Guard<S> {
        Guard { inner, shutdown_requested, initialized: Arc::default() }
    }
}

impl<S> Service<Request> for Guard<S>
where
    S: Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        if let Some(answer) = super::framing::answer_to_stand_in(&request) {
            return Box::pin(async move { Ok(Some(answer)) });
        }
        let is_initialize = request.method() == "initialize";
        if let Some(id) = request.id().filter(|_| !is_initialize && !self.initialized.load(Ordering::SeqCst))
        {
            let error = Error {
                code: ErrorCode::ServerError(-32002),
                message: "Server not initialized".into(),
                data: None,
            };
            let response = Response::from_error(id.clone(), error);
            return Box::pin(async move { Ok(Some(response)) });
        }
        if request.method() == "shutdown" {
            self.shutdown_requested.store(true, Ordering::SeqCst);
        }
        if request.id().is_none()
            && let Some(why) = unreadable_notification(&request)
        {
            tracing::warn!("dropped a `{}` notification whose params do not read: {why}", request.method());
        }
        let id = request.id().cloned();
        let method = request.method().to_owned();
        let initialized = is_initialize.then(|| self.initialized.clone());
        match catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
            Ok(future) => Box::pin(Guarded { inner: Box::pin(future), id, method, initialized }),
            Err(panic) => {
                let response = panicked(&method, id, panic.as_ref());
                Box::pin(async move { Ok(response) })
            }
        }
    }
}

struct Guarded<F> {
    inner: Pin<Box<F>>,
    id: Option<Id>,
    method: String,
    /// Set once `initialize` (when this is it) succeeds.
    initialized: Option<Arc<AtomicBool>>,
}

impl<F, E> Future for Guarded<F>
where
    F: Future<Output = Result<Option<Response>, E>>,
{
    type Output = Result<Option<Response>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let polled = match catch_unwind(AssertUnwindSafe(|| this.inner.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(panic) => return Poll::Ready(Ok(panicked(&this.method, this.id.take(), panic.as_ref()))),
        };
        match polled {
            Poll::Ready(Ok(Some(response))) => {
                if let Some(initialized) = this.initialized.as_ref().filter(|_| response.is_ok()) {
                    initialized.store(true, Ordering::SeqCst);
                }
                Poll::Ready(Ok(Some(response)))
            }
            Poll::Ready(Ok(None)) => Poll::Ready(Ok(this.id.take().map(|id| {
                let error = Error {
                    code: ErrorCode::MethodNotFound,
                    message: format!("Method not found: {}", this.method).into(),
                    data: None,
                };
                Response::from_error(id, error)
            }))),
            other => other,
        }
    }
}

/// Why a notification's params do not read as its handler's: then
/// tower-lsp-server drops it without a word (a request gets `-32602`).
/// Read from the parsed message, as the handler will be; only the
/// notifications the server handles are tried.
fn unreadable_notification(request: &Request) -> Option<String> {
    use tower_lsp_server::ls_types::*;
    fn check<P: serde::de::DeserializeOwned>(params: Option<&serde_json::Value>) -> Option<String> {
        match params {
            Some(params) => P::deserialize(params).err().map(|error| error.to_string()),
            None => Some("no params".to_owned()),
        }
    }
    let params = request.params();
    match request.method() {
        "textDocument/didOpen" => check::<DidOpenTextDocumentParams>(params),
        "textDocument/didChange" => check::<DidChangeTextDocumentParams>(params),
        "textDocument/didSave" => check::<DidSaveTextDocumentParams>(params),
        "textDocument/didClose" => check::<DidCloseTextDocumentParams>(params),
        "workspace/didChangeWatchedFiles" => check::<DidChangeWatchedFilesParams>(params),
        "workspace/didChangeConfiguration" => check::<DidChangeConfigurationParams>(params),
        "workspace/didChangeWorkspaceFolders" => check::<DidChangeWorkspaceFoldersParams>(params),
        _ => None,
    }
}

fn panicked(method: &str, id: Option<Id>, panic: &(dyn std::any::Any + Send)) -> Option<Response> {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    tracing::error!("handler for `{method}` panicked: {what}");
    let error = Error {
        code: ErrorCode::InternalError,
        message: format!("internal error in `{method}`: {what}").into(),
        data: None,
    };
    id.map(|id| Response::from_error(id, error))
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::*;

    /// Panics in `call` for `now`, or while its future runs for `later`.
    struct Panicky;

    impl Service<Request> for Panicky {
        type Response = Option<Response>;
        type Error = Infallible;
        type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, Infallible>> + Send>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: Request) -> Self::Future {
            if request.method() == "now" {
                panic!("at once");
            }
            Box::pin(async {
                tokio::task::yield_now().await;
                panic!("while running");
            })
        }
    }

    #[test]
    fn notifications_whose_params_do_not_read_are_told_apart() {
        let open = |uri: &str| {
            let document =
                serde_json::json!({ "uri": uri, "languageId": "markdown", "version": 1, "text": "" });
            Request::build("textDocument/didOpen")
                .params(serde_json::json!({ "textDocument": document }))
                .finish()
        };
        assert_eq!(unreadable_notification(&open("file:///tmp/a.md")), None);
        assert!(unreadable_notification(&open("file:///tmp/a b.md")).is_some());
        assert!(unreadable_notification(&Request::build("textDocument/didClose").finish()).is_some());
        assert_eq!(unreadable_notification(&Request::build("$/unknown").finish()), None);
    }

    #[tokio::test]
    async fn panics_become_internal_errors_for_requests_and_nothing_for_notifications() {
        let mut service = Guard::new(Panicky, Arc::default());
        service.initialized.store(true, Ordering::SeqCst);
        for method in ["now", "later"] {
            let request = Request::build(method).id(7).finish();
            let response = service.call(request).await.expect("infallible").expect("a response");
            let (id, result) = response.into_parts();
            assert_eq!(id, Id::Number(7));
            let error = result.expect_err("an error");
            assert_eq!(error.code, ErrorCode::InternalError);
            assert!(error.message.contains(method), "{}", error.message);
            let notification = Request::build(method).finish();
            assert!(service.call(notification).await.expect("infallible").is_none());
        }
    }
}
