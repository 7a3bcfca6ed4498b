//! The accept loop: HTTP/1.1 connections with a deadline on the request head, a cap on its size
//! and on the connections held, and a graceful stop.
//!
//! `axum::serve` sets no hyper timer, so a client that sends its request line and then one
//! header byte a minute holds a connection (and a task) forever: the request-timeout layer only
//! starts once hyper has a complete head to hand to the router. Here each connection gets hyper's
//! `header_read_timeout`, which needs a timer; a slowloris client is dropped after `deadline`.
//! Bodies are covered by the router's whole-request timeout (408). A request head larger than
//! [`MAX_HEADER_BYTES`] is answered 431 by hyper (its read buffer is capped there; its default
//! of about 400 KB let an attack run send 400 KB of headers). How many connections are held, and
//! which one gives way to a newcomer, is [`super::connections`]'s business.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tower::ServiceExt as _;

use super::connections::{self, OVERLOADED_RESPONSE, Slots};

/// How long a stop waits for open connections before dropping them; in-flight appends are
/// protected separately (the committer drains its queue after the connections are gone).
const DRAIN_DEADLINE: Duration = Duration::from_secs(30);

/// Largest request head (request line and headers) read; larger ones are answered 431. Browsers
/// send a few KB; hyper's smallest allowed buffer is 8 KiB.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;

/// The limits of one listener.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Deadline for a connection's request head.
    pub header_deadline: Duration,
    /// Most connections held at once.
    pub max_connections: usize,
}

/// Serves `router` on `listener` until `shutdown` resolves, with the default connection cap
/// (lowered to fit the open-file limit).
pub async fn run(
    listener: TcpListener,
    router: Router,
    header_deadline: Duration,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let limits = Limits {
        header_deadline,
        max_connections: connections::cap_for(
            connections::MAX_CONNECTIONS,
            connections::open_files_soft(),
        ),
    };
    run_with(listener, router, limits, shutdown).await;
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets open
/// connections finish their current request, and returns.
pub async fn run_with(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let slots = Slots::new(limits.max_connections);
    // Every connection task holds a receiver: `closed()` resolves once the last one has ended.
    let (stop, stopping) = tokio::sync::watch::channel(false);
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
        let Some(slot) = slots.admit() else {
            // Logged at the 1st, 2nd, 4th, 8th... so an attack cannot flood the log.
            let shed_so_far = slots.note_shed();
            if shed_so_far.is_power_of_two() {
                tracing::warn!(
                    shed_so_far,
                    max = slots.max(),
                    "at the connection cap with every connection busy: answering 503"
                );
            }
            shed(stream);
            continue;
        };
        let conn_state = slot.conn().clone();
        let router = router.clone();
        let busy_slots = slots.clone();
        // The rate limiter keys on the peer address, as `into_make_service_with_connect_info`
        // would provide it.
        let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
            let busy = busy_slots.busy(&conn_state);
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            let call = router.clone().oneshot(req);
            async move {
                let response = call.await;
                drop(busy);
                response
            }
        });
        let mut builder = hyper::server::conn::http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(limits.header_deadline)
            .max_buf_size(MAX_HEADER_BYTES);
        let conn = builder.serve_connection(TokioIo::new(stream), service);
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let mut conn = std::pin::pin!(conn);
            let ended = tokio::select! {
                ended = conn.as_mut() => Some(ended),
                _ = stopping.wait_for(|stop| *stop) => None,
                () = slot.conn().closing() => None,
            };
            let ended = match ended {
                Some(ended) => ended,
                None => {
                    // Finish the request in flight, if any, then close.
                    conn.as_mut().graceful_shutdown();
                    conn.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(%peer, error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    drop(stopping);
    let _ = stop.send(true);
    if tokio::time::timeout(DRAIN_DEADLINE, stop.closed())
        .await
        .is_err()
    {
        tracing::warn!("connections still open after the drain deadline; closing them");
    }
}

/// Answers a connection beyond the cap 503 and closes it, without waiting for anything: the
/// socket was just accepted, so its send buffer has room for the few bytes.
fn shed(stream: TcpStream) {
    if let Err(e) = stream.try_write(OVERLOADED_RESPONSE) {
        tracing::debug!(error = %e, "cannot tell a shed connection why");
    }
}
