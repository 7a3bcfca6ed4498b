//! The HTTP API (`sunshine serve`): axum on tokio, one file per resource.
//!
//! - [`submissions`]: the write side — one signed submission (group-committed through
//!   [`committer`]) or a JSON Lines batch (all or none); answers a receipt the client can verify
//!   offline with only the operator's verifier key.
//! - [`log`]: the published log layout, live — `log/checkpoint`, `log/operator.vkey`, hash tiles
//!   and entry bundles (C2SP tlog-tiles), plus the checkpoint as JSON.
//! - [`entries`]: entries by seq, range or leaf hash, with their exact leaf bytes.
//! - [`proofs`]: inclusion and consistency proof documents.
//! - [`cosigned`]: what receipts say about witness cosigning, and the upgrade of a receipt to
//!   the newest cosigned checkpoint.
//! - [`health`]: liveness for load balancers.
//! - [`money`]: organisations, projects, trusts, lottery grants, receipts and compliance
//!   figures, from the cached derived views (kept fresh by a debounced background refresh).
//! - [`obligations`]: disclosure obligations judged on a day the reader names.
//! - [`pages`]: the public disclosure site, live (same paths and bytes as `sunshine site build`).
//! - [`openapi`]: the OpenAPI 3 document, generated from the handlers' annotations.
//! - [`error`]: the one error type and the extractors whose rejections become it.
//! - [`ratelimit`]: per-client write rate limit.
//! - [`connections`]: the cap on connections held, and which gives way to a newcomer.
//! - [`receipt`]: receipts (inclusion proofs in the commit's checkpoint), computed per group.
//!
//! [`app`] builds the router from state (so tests can drive it with `oneshot`); [`serve`] runs
//! it on a listener until a shutdown signal, then waits for queued appends to commit.

pub mod committer;
pub mod connections;
pub mod cosigned;
pub mod cosigning;
pub mod entries;
pub mod error;
pub mod health;
pub mod import;
pub mod listener;
pub mod log;
pub mod money;
pub mod money_answers;
pub mod obligations;
pub mod openapi;
pub mod pages;
pub mod proofs;
pub mod ratelimit;
pub mod receipt;
pub mod submissions;
pub mod tlog_proof;
pub mod witness;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, header};
use axum::routing::{MethodFilter, on};
use tower_http::cors::{Any, CorsLayer};
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::append::service::LedgerService;
use crate::ledger::note;
use committer::Committer;
use ratelimit::WriteLimiter;

/// Default `time` freshness window for submissions, either side of the server clock.
pub const NONCE_WINDOW_SECS: u64 = 600;
/// Default body limit of one submission. An entry is at most 64 KiB; JSON escaping can double
/// that, and nothing legitimate is larger.
pub const MAX_SUBMISSION_BYTES: usize = 128 * 1024;
/// Default body limit of a JSON Lines batch.
pub const MAX_BATCH_BYTES: usize = 1024 * 1024;
/// Most submissions in one batch request.
pub const MAX_BATCH_LINES: usize = 1_000;
/// Most single submissions the committer puts in one durable commit.
pub const MAX_GROUP: usize = 1_000;
/// Most entries one `GET /api/v1/entries` returns.
pub const MAX_ENTRIES_PER_PAGE: u64 = 1_000;

/// Typed server configuration (the `sunshine serve` flags and their environment variables).
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// How far a submission's `time` may be from the server clock, either way.
    pub nonce_window_secs: u64,
    pub max_submission_bytes: usize,
    pub max_batch_bytes: usize,
    pub max_batch_lines: usize,
    /// Whole-request deadline: a slow client cannot hold a connection and a body buffer forever.
    pub request_timeout: Duration,
    /// Deadline for a connection's request head (request line and headers), against clients
    /// that trickle headers to hold connections open.
    pub header_timeout: Duration,
    /// Writes per second per client IP, sustained; 0 turns rate limiting off.
    pub write_rate_per_sec: u32,
    /// Writes a client may make at once before the sustained rate applies.
    pub write_burst: u32,
    /// Most single submissions per group commit.
    pub max_group: usize,
    /// Submissions that may wait for the committer before senders are slowed down.
    pub queue_depth: usize,
    /// Most connections held at once; lowered at start to fit the open-file limit.
    pub max_connections: usize,
    /// Witnesses asked to cosign checkpoints (C2SP tlog-witness); empty: none.
    pub witnesses: Vec<cosigning::WitnessEndpoint>,
    /// Cosignatures `/log/checkpoint` requires when witnesses are configured.
    pub witness_quorum: usize,
    /// The least time between two checkpoints sent to the witnesses (see [`cosigning`]).
    pub witness_interval: Duration,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            nonce_window_secs: NONCE_WINDOW_SECS,
            max_submission_bytes: MAX_SUBMISSION_BYTES,
            max_batch_bytes: MAX_BATCH_BYTES,
            max_batch_lines: MAX_BATCH_LINES,
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            write_rate_per_sec: 100,
            write_burst: 200,
            max_group: MAX_GROUP,
            queue_depth: 4 * MAX_GROUP,
            max_connections: connections::MAX_CONNECTIONS,
            witnesses: Vec::new(),
            witness_quorum: 0,
            witness_interval: cosigning::DEFAULT_ROUND_INTERVAL,
        }
    }
}

/// What every handler shares, behind one `Arc`.
pub struct Shared {
    pub service: Arc<LedgerService>,
    pub committer: Committer,
    pub config: ApiConfig,
    /// The operator's note verifier key string, from genesis.
    pub vkey: String,
    pub limiter: Option<Arc<WriteLimiter>>,
    /// The site's snapshot, re-read when the views move on.
    pub pages: pages::PageCache,
    /// Witness cosignatures being collected, when witnesses are configured.
    pub cosigning: Option<Arc<cosigning::Collector>>,
    /// Dropped with the state: tells the cosigning tasks to stop.
    _cosigning_stop: tokio::sync::watch::Sender<bool>,
}

/// Handler state: cheap to clone.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;
    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// Why the server cannot start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the ledger has no genesis entry: run `sunshine init`")]
    NoGenesis,
    #[error("genesis names an origin that cannot be a note key name: {0:?}")]
    BadOrigin(String),
}

impl AppState {
    /// Builds the state and starts the committer and view refresh tasks; await the returned
    /// handle after the last `AppState` clone is gone to know every accepted append is committed
    /// (and the views refreshed after it).
    pub async fn new(
        service: Arc<LedgerService>,
        config: ApiConfig,
    ) -> Result<(AppState, tokio::task::JoinHandle<()>), StartError> {
        let state = service.state().await;
        let origin = state.authority.origin().ok_or(StartError::NoGenesis)?;
        let key = state
            .authority
            .operator_key()
            .ok_or(StartError::NoGenesis)?;
        if !note::is_valid_key_name(origin) {
            return Err(StartError::BadOrigin(origin.to_owned()));
        }
        let vkey = note::vkey_string(origin, key.verifying_key());
        // Commits hand view refreshes to a debounced background task from now on.
        let _refresher = service.start_view_refresher();
        let (committer, committing) =
            Committer::spawn(service.clone(), config.max_group, config.queue_depth);
        let (cosigning_stop, stop) = tokio::sync::watch::channel(false);
        let cosigning = if config.witnesses.is_empty() {
            None
        } else {
            Some(
                cosigning::Collector::spawn(
                    service.store().clone(),
                    service.watch_head(),
                    config.witnesses.clone(),
                    config.witness_quorum,
                    config.witness_interval,
                    stop,
                )
                .await,
            )
        };
        // Once the committer has drained (every request dropped its handle), one last refresh
        // brings the views up to every accepted append, and the last cosigned checkpoint is
        // saved (the state, and with it the cosigning's stop signal, is gone by then).
        let last = service.clone();
        let collector = cosigning.clone();
        let handle = tokio::spawn(async move {
            if let Err(e) = committing.await {
                tracing::error!(error = %e, "the committer task failed");
            }
            if let Err(e) = last.refresh_views().await {
                tracing::error!(error = %e, "cannot refresh the derived views");
            }
            if let Err(e) = last.close().await {
                tracing::error!(error = %e, "cannot write the start snapshot");
            }
            if let Some(c) = collector {
                c.saved().await;
            }
        });
        let limiter = WriteLimiter::new(config.write_rate_per_sec, config.write_burst);
        if let Some(l) = &limiter {
            l.spawn_cleanup();
        }
        Ok((
            AppState(Arc::new(Shared {
                service,
                committer,
                config,
                vkey,
                limiter,
                pages: pages::PageCache::default(),
                cosigning,
                _cosigning_stop: cosigning_stop,
            })),
            handle,
        ))
    }

    /// The primary: for the write side (idempotent replays, receipts).
    pub fn store(&self) -> &crate::store::Store {
        self.service.store()
    }

    /// The read pool (a replica when configured): for every read route; never takes the
    /// append lock.
    pub fn reads(&self) -> &crate::store::Store {
        self.service.reads()
    }
}

/// The router plus the (method, path) of every route, so a test can check each is documented.
struct Routes {
    router: Router<AppState>,
    table: Vec<(Method, &'static str)>,
}

impl Routes {
    fn add<H, T>(mut self, method: Method, path: &'static str, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = MethodFilter::try_from(method.clone()).expect("routes use standard methods");
        self.router = self.router.route(path, on(filter, handler));
        self.table.push((method, path));
        self
    }

    /// A write route: its own body limit and the per-client rate limit.
    fn add_write<H, T>(
        mut self,
        path: &'static str,
        handler: H,
        body_limit: usize,
        state: &AppState,
    ) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let method_router = axum::routing::post(handler)
            .layer(DefaultBodyLimit::max(body_limit))
            .route_layer(axum::middleware::from_fn_with_state(
                state.clone(),
                ratelimit::limit_writes,
            ));
        self.router = self.router.route(path, method_router);
        self.table.push((Method::POST, path));
        self
    }
}

fn routes(state: &AppState) -> Routes {
    let c = &state.config;
    Routes {
        router: Router::new(),
        table: Vec::new(),
    }
    .add_write(
        "/api/v1/submissions",
        submissions::submit,
        c.max_submission_bytes,
        state,
    )
    .add_write(
        "/api/v1/submissions:batch",
        submissions::submit_batch,
        c.max_batch_bytes,
        state,
    )
    .add_write(
        "/api/v1/import:check",
        import::check,
        c.max_batch_bytes,
        state,
    )
    .add(Method::GET, "/api/v1/checkpoint", log::checkpoint_json)
    .add(Method::GET, "/log/checkpoint", log::checkpoint_note)
    .add(Method::GET, "/api/v1/cosigning", log::cosigning)
    .add(Method::GET, "/log/operator.vkey", log::operator_vkey)
    .add(Method::GET, "/log/witnesses", cosigned::policy)
    .add(Method::GET, "/log/tile/{*path}", log::tile)
    .add(Method::GET, "/api/v1/entries", entries::list)
    .add(Method::GET, "/api/v1/entries/{seq}", entries::by_seq)
    .add(
        Method::GET,
        "/api/v1/entries/by-hash/{hash}",
        entries::by_hash,
    )
    .add(Method::GET, "/api/v1/proof/inclusion", proofs::inclusion)
    .add(
        Method::GET,
        "/api/v1/proof/consistency",
        proofs::consistency,
    )
    .add(Method::GET, "/api/v1/proof/cosigned", cosigned::upgrade)
    .add(Method::GET, "/api/v1/orgs", money::orgs)
    .add(Method::GET, "/api/v1/orgs/{org}", money::org)
    .add(Method::GET, "/api/v1/projects", money::projects)
    .add(Method::GET, "/api/v1/projects/{org}/{id}", money::project)
    .add(Method::GET, "/api/v1/trusts", money::trusts)
    .add(Method::GET, "/api/v1/trusts/{id}", money::trust)
    .add(Method::GET, "/api/v1/lottery/grants", money::grants)
    .add(
        Method::GET,
        "/api/v1/lottery/grants/{admin}/{grant}",
        money::grant,
    )
    .add(Method::GET, "/api/v1/receipts/{receipt_no}", money::receipt)
    .add(
        Method::GET,
        "/api/v1/receipts/{receipt_no}/proof",
        tlog_proof::proof,
    )
    .add(
        Method::GET,
        "/api/v1/compliance/{org}/{year}",
        money::compliance,
    )
    .add(Method::GET, "/api/v1/obligations", obligations::obligations)
    .add(Method::GET, "/healthz", health::healthz)
    .add(Method::GET, "/api/v1/openapi.json", openapi::document)
}

/// Every route the server answers, as (method, axum path); the OpenAPI test walks this list.
pub fn route_table(state: &AppState) -> Vec<(Method, &'static str)> {
    routes(state).table
}

/// Request ids: a per-process random prefix and a counter, unique without a UUID dependency.
#[derive(Clone)]
struct Counter {
    prefix: u32,
    next: Arc<AtomicU64>,
}

impl MakeRequestId for Counter {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        HeaderValue::from_str(&format!("{:08x}-{n:x}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application: routes, then (outermost last) timeout, CORS, security headers,
/// tracing with the request id, and the request id itself.
pub fn app(state: AppState) -> Router {
    let timeout = state.config.request_timeout;
    // The site's pages answer every other GET path; they are not API routes, so they stay out of
    // the route table the OpenAPI document is checked against.
    let router = routes(&state)
        .router
        .route("/", axum::routing::get(pages::page))
        .route("/{*path}", axum::routing::get(pages::page))
        .fallback(|| async { error::ApiError::not_found("no such route") });
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::HEAD]);
    let trace = TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
        let id = req
            .headers()
            .get(&X_REQUEST_ID)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-");
        tracing::info_span!("request", request_id = %id, method = %req.method(), uri = %req.uri())
    });
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    router
        .with_state(state)
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(cors)
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; frame-ancestors 'none'",
        ))
        .layer(PropagateRequestIdLayer::new(X_REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(
            X_REQUEST_ID,
            Counter {
                prefix: rand::random(),
                next: Arc::new(AtomicU64::new(0)),
            },
        ))
}

/// Serves `service` on `listener` until `shutdown` resolves, then lets in-flight requests
/// finish and waits for the committer to drain, so every append that was answered — or was
/// still queued — is committed before this returns.
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: Arc<LedgerService>,
    config: ApiConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let open_files = connections::open_files_soft();
    let limits = listener::Limits {
        header_deadline: config.header_timeout,
        max_connections: connections::cap_for(config.max_connections, open_files),
    };
    if limits.max_connections < config.max_connections {
        tracing::warn!(
            wanted = config.max_connections,
            open_files,
            cap = limits.max_connections,
            "the open-file limit allows fewer connections than configured"
        );
    }
    let (state, committer) = AppState::new(service, config).await?;
    listener::run_with(listener, app(state), limits, shutdown).await;
    // The router (and with it every Committer clone) is gone: the queue closes and drains.
    committer.await?;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %e, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests and queued appends");
}
