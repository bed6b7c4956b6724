//! The accept loop: axum's `serve` has no header-read timeout, no cap on
//! header size (about 400 KB got through) and no connection limit, so
//! devpath runs hyper itself with those three bounds.
//!
//! - Request headers larger than [`MAX_HEADER_BYTES`] get 431 (hyper answers it).
//! - A new connection that sends nothing within `header_timeout`, or whose
//!   first request's headers are not complete within `header_timeout` of
//!   its first byte (a byte a second), is closed.
//! - At most `max_connections` are served at once; further ones wait in the
//!   kernel's backlog rather than taking file descriptors.
//! - An accept error (e.g. EMFILE, "Too many open files") is logged and the
//!   loop pauses briefly and goes on: it neither exits nor spins.

use axum::extract::ConnectInfo;
use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::service::TowerToHyperService;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{watch, Semaphore};

/// Largest total size of a request's headers (request line included).
pub const MAX_HEADER_BYTES: usize = 32 * 1024;

/// Bounds on connections (see the module comment).
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub header_timeout: Duration,
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            max_connections: 4096,
        }
    }
}

/// Serves `app` until `shutdown` resolves, then lets requests in flight
/// finish (idle keep-alive connections are closed).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = permits.clone().acquire_owned() => p.expect("never closed"),
            _ = &mut shutdown => break,
        };
        let (stream, addr) = tokio::select! {
            r = listener.accept() => match r {
                Ok(accepted) => accepted,
                Err(e) => {
                    // EMFILE/ENFILE and friends: wait for descriptors to free up.
                    tracing::error!(error = %e, "accept failed; pausing 100 ms");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let app = app.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            // hyper's header timer starts at the first byte: a connection
            // that never sends one is closed here.
            let mut byte = [0u8; 1];
            let first = stream.peek(&mut byte);
            if !matches!(
                tokio::time::timeout(limits.header_timeout, first).await,
                Ok(Ok(1..))
            ) {
                return;
            }
            let service = tower::ServiceExt::map_request(
                app,
                move |mut req: axum::http::Request<hyper::body::Incoming>| {
                    req.extensions_mut().insert(ConnectInfo(addr));
                    req.map(axum::body::Body::new)
                },
            );
            let mut builder = Builder::new(TokioExecutor::new());
            builder
                .http1()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_timeout)
                .max_buf_size(MAX_HEADER_BYTES);
            builder
                .http2()
                .timer(TokioTimer::new())
                .max_header_list_size(MAX_HEADER_BYTES as u32);
            let conn =
                builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            let mut conn = std::pin::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                // The only change is to `true`: shutting down.
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    tracing::info!("no longer accepting connections; draining");
    let _ = stop_tx.send(true);
    // Every connection holds a permit: all returned means all finished.
    let _ = permits.acquire_many(limits.max_connections as u32).await;
    Ok(())
}
