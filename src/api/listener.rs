//! The accept loop: HTTP/1.1 connections with a deadline on the request head, and a graceful stop.
//!
//! `axum::serve` sets no hyper timer, so a client that sends its request line and then one
//! header byte a minute holds a connection (and a task) forever: the request-timeout layer only
//! starts once hyper has a complete head to hand to the router. Here each connection gets hyper's
//! `header_read_timeout`, which needs a timer; a slowloris client is dropped after `deadline`.
//! Bodies are covered by the router's whole-request timeout (408).

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// How long a stop waits for open connections before dropping them; in-flight appends are
/// protected separately (the committer drains its queue after the connections are gone).
const DRAIN_DEADLINE: Duration = Duration::from_secs(30);

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets open
/// connections finish their current request, and returns.
pub async fn run(
    listener: TcpListener,
    router: Router,
    header_deadline: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // The rate limiter keys on the peer address, as `into_make_service_with_connect_info`
        // would provide it.
        let service = router
            .clone()
            .map_request(move |req: hyper::Request<Incoming>| {
                let mut req = req.map(Body::new);
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(header_deadline);
        let conn = builder.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(service.map_err(|e: Infallible| match e {})),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(DRAIN_DEADLINE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the drain deadline; closing them");
    }
}
