//! The wrapper around the LSP service, seeing every message in arrival order.
//!
//! It turns a panic in any handler into an error response (or, for a
//! notification, a log line) so that the server goes on: tower-lsp-server
//! polls handlers inside its own serve loop, where a panic would end it. It
//! answers the stand-ins of refused frames (see `framing`) itself, before
//! `initialize` too. And it records that `shutdown` arrived, at arrival
//! rather than when its handler runs, since `exit` may end the loop first.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tower::Service;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};

pub struct Guard<S> {
    pub inner: S,
    pub shutdown_requested: Arc<AtomicBool>,
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
        if request.method() == "shutdown" {
            self.shutdown_requested.store(true, Ordering::SeqCst);
        }
        let id = request.id().cloned();
        let method = request.method().to_owned();
        match catch_unwind(AssertUnwindSafe(|| self.inner.call(request))) {
            Ok(future) => Box::pin(Guarded { inner: Box::pin(future), id, method }),
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
}

impl<F, E> Future for Guarded<F>
where
    F: Future<Output = Result<Option<Response>, E>>,
{
    type Output = Result<Option<Response>, E>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        match catch_unwind(AssertUnwindSafe(|| this.inner.as_mut().poll(cx))) {
            Ok(poll) => poll,
            Err(panic) => Poll::Ready(Ok(panicked(&this.method, this.id.take(), panic.as_ref()))),
        }
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

    #[tokio::test]
    async fn panics_become_internal_errors_for_requests_and_nothing_for_notifications() {
        let mut service = Guard { inner: Panicky, shutdown_requested: Arc::default() };
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
