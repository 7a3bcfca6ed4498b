//! The published log layout, live: `log/checkpoint`, `log/operator.vkey` and the C2SP
//! tlog-tiles paths under `log/tile/`, byte for byte what `sunshine export` writes (both call
//! [`crate::publish::export::tile_bytes`]), plus `GET /api/v1/checkpoint` for clients that prefer JSON.
//!
//! Caching follows from what can change: a full tile never changes, so it is `immutable`; a
//! partial tile of width W never changes either, but clients poll for wider ones, so it gets a
//! short lifetime; the checkpoint changes with every commit and is not cached.

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, AppJson, AppPath};
use crate::ledger::note::Checkpoint;
use crate::ledger::tiles;
use crate::publish::export::ExportError;
use crate::publish::tiles::tile_bytes;

const TEXT: &str = "text/plain; charset=utf-8";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const SHORT: &str = "public, max-age=60";
const NO_CACHE: &str = "no-cache";

/// The latest signed checkpoint.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckpointView {
    /// Tree size: the number of entries it commits to.
    pub size: u64,
    /// RFC 9162 root hash, hex.
    pub root: String,
    /// The log's origin (the checkpoint's first line, and the note key name).
    pub origin: String,
    /// The C2SP signed note, verifiable with `/log/operator.vkey`.
    pub note: String,
}

fn with_headers(
    body: impl IntoResponse,
    content_type: &'static str,
    cache: &'static str,
) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    r
}

/// The checkpoint clients are given: with witnesses configured, the newest one carrying the
/// quorum of cosignatures (503 until one does); otherwise the newest signed one.
async fn published(app: &AppState) -> Result<(u64, String), ApiError> {
    match &app.cosigning {
        Some(c) => c
            .published()
            .ok_or_else(|| ApiError::not_found("no checkpoint has reached the witness quorum yet")),
        None => latest(app).await,
    }
}

async fn latest(app: &AppState) -> Result<(u64, String), ApiError> {
    app.reads()
        .latest_checkpoint()
        .await?
        .ok_or_else(|| ApiError::not_found("the log has no checkpoint yet"))
}

/// The latest checkpoint as JSON: size, root and the signed note.
#[utoipa::path(
    get,
    path = "/api/v1/checkpoint",
    tag = "log",
    responses((status = 200, body = CheckpointView), (status = 404, body = super::error::ErrorBody))
)]
pub async fn checkpoint_json(State(app): State<AppState>) -> Result<Response, ApiError> {
    let (size, note) = published(&app).await?;
    // Verifying (not just parsing) means a damaged stored note is never presented as signed.
    let cp = Checkpoint::verify(&note, &app.vkey).map_err(ApiError::internal)?;
    let view = CheckpointView {
        size,
        root: cp.root.to_hex(),
        origin: cp.origin,
        note,
    };
    let mut r = AppJson(view).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    Ok(r)
}

/// The latest checkpoint: a C2SP tlog-checkpoint signed note (text).
#[utoipa::path(
    get,
    path = "/log/checkpoint",
    tag = "log",
    responses((status = 200, content_type = "text/plain", body = String), (status = 404, body = super::error::ErrorBody))
)]
pub async fn checkpoint_note(State(app): State<AppState>) -> Result<Response, ApiError> {
    let (_, note) = published(&app).await?;
    Ok(with_headers(note, TEXT, NO_CACHE))
}

/// How far the witness-cosigned checkpoint is behind the newest one, and each witness's state.
#[utoipa::path(
    get,
    path = "/api/v1/cosigning",
    tag = "log",
    responses((status = 200, body = super::cosigning::CosigningStatus), (status = 404, body = super::error::ErrorBody))
)]
pub async fn cosigning(State(app): State<AppState>) -> Result<Response, ApiError> {
    let c = app
        .cosigning
        .as_ref()
        .ok_or_else(|| ApiError::not_found("this log is not configured with witnesses"))?;
    let mut r = AppJson(c.status()).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(NO_CACHE));
    Ok(r)
}

/// The operator's note verifier key, one line: `<origin>+<key id>+<base64 key>`.
///
/// This is the only thing a client needs (obtained once, out of band or pinned) to verify every
/// checkpoint, receipt and proof offline.
#[utoipa::path(
    get,
    path = "/log/operator.vkey",
    tag = "log",
    responses((status = 200, content_type = "text/plain", body = String))
)]
pub async fn operator_vkey(State(app): State<AppState>) -> Response {
    with_headers(format!("{}\n", app.vkey), TEXT, SHORT)
}

/// A hash tile or an entry bundle (C2SP tlog-tiles).
///
/// `path` is `<L>/<N>[.p/<W>]` for hash tiles (N in the `x001/234` encoding) or
/// `entries/<N>[.p/<W>]` for entry bundles. Only canonical spellings are served (400
/// otherwise); tiles beyond the latest checkpoint's tree are 404. Full tiles are immutable.
#[utoipa::path(
    get,
    path = "/log/tile/{path}",
    tag = "log",
    params(("path" = String, Path, description = "Tile path after `log/tile/`, e.g. `0/x001/234.p/7` or `entries/000`")),
    responses(
        (status = 200, content_type = "application/octet-stream", body = Vec<u8>),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn tile(
    State(app): State<AppState>,
    AppPath(path): AppPath<String>,
) -> Result<Response, ApiError> {
    let full = format!("tile/{path}");
    let tile =
        tiles::parse_tile_path(&full).map_err(|e| ApiError::malformed("path", e.to_string()))?;
    let (size, _) = latest(&app).await?;
    if !tiles::is_published(&tile, size) {
        return Err(ApiError::not_found(format!(
            "{full} is beyond the tree of size {size}"
        )));
    }
    let bytes = tile_bytes(app.reads(), &tile)
        .await
        .map_err(|e: ExportError| ApiError::internal(e))?;
    let cache = if tile.is_partial() { SHORT } else { IMMUTABLE };
    Ok(with_headers(bytes, "application/octet-stream", cache))
}
