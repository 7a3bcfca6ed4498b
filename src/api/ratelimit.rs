//! Per-client write rate limit: a GCRA limiter (the `governor` crate) keyed by client IP.
//!
//! Only the write routes are limited: reads are cheap, cacheable and what a public log is for,
//! while every write costs a signature check, a replay of the rules and a share of a durable
//! commit. A client over its rate gets our 429 JSON with `Retry-After`. The key is the TCP peer
//! address; behind a reverse proxy that would be the proxy, so such a deployment sets the limit
//! at the proxy instead (we do not trust `X-Forwarded-For` from arbitrary clients).

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};

use super::AppState;
use super::error::ApiError;

/// How often idle clients' limiter state is forgotten, so memory does not grow with every IP
/// ever seen.
const FORGET_IDLE_EVERY_SECS: u64 = 60;

/// The keyed limiter shared by all requests.
pub struct WriteLimiter {
    limiter: RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, DefaultClock>,
}

impl WriteLimiter {
    /// `per_sec` writes per second sustained, `burst` at once; `None` if either is zero
    /// (rate limiting off).
    pub fn new(per_sec: u32, burst: u32) -> Option<Arc<WriteLimiter>> {
        let quota =
            Quota::per_second(NonZeroU32::new(per_sec)?).allow_burst(NonZeroU32::new(burst)?);
        Some(Arc::new(WriteLimiter {
            limiter: RateLimiter::keyed(quota),
        }))
    }

    /// Seconds until `ip` may write again, or `None` if it may write now.
    fn check(&self, ip: IpAddr) -> Option<u64> {
        self.limiter.check_key(&ip).err().map(|not_until| {
            not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs_f64()
                .ceil() as u64
        })
    }

    /// Periodically drops the state of clients that are back to a full burst.
    pub fn spawn_cleanup(self: &Arc<Self>) -> tokio::task::JoinHandle<()> {
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(FORGET_IDLE_EVERY_SECS));
            loop {
                tick.tick().await;
                let Some(this) = weak.upgrade() else { break };
                this.limiter.retain_recent();
            }
        })
    }
}

/// Middleware on the write routes. Requests without a peer address (in-process tests through
/// `oneshot`) share one bucket.
pub async fn limit_writes(State(app): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(limiter) = &app.limiter {
        let ip = req
            .extensions()
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip())
            .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        if let Some(retry_after_secs) = limiter.check(ip) {
            tracing::info!(%ip, "write rate limited");
            return ApiError::RateLimited { retry_after_secs }.into_response();
        }
    }
    next.run(req).await
}
