//! Entries by seq, by range and by leaf hash.
//!
//! Each entry is returned with its exact leaf bytes as a string — the bytes that are hashed, so a
//! client can recompute the leaf hash — beside the same JSON parsed, for convenience only.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, AppJson, AppPath, AppQuery};
use super::{AppState, MAX_ENTRIES_PER_PAGE};
use crate::ledger::Hash;
use crate::ledger::hash::leaf_hash;
use crate::store::StoredEntry;

/// One entry of the log.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EntryView {
    pub seq: u64,
    /// SHA-256(0x00 || leaf), hex.
    pub leaf_hash: String,
    /// The exact leaf bytes (RFC 8785 JSON of the entry).
    pub leaf: String,
    /// The leaf parsed, for convenience; `leaf` is authoritative.
    #[schema(value_type = Object)]
    pub entry: Value,
    /// On `/entries/{seq}` and `/entries/by-hash/{hash}`, for an entry a live correction amended
    /// or voided: its `entry/{seq}` view row — `correction` (by, action, notice), the body first
    /// recorded (`original`) and the one in force (`current`). The leaf never changes, so the
    /// notice goes beside it (2025 Disclosure Measures Art. 16). Absent otherwise, and in lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub correction: Option<crate::money::views::rows::EntryRow>,
}

/// A page of entries.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EntryPage {
    /// Entries in the latest checkpoint.
    pub size: u64,
    pub entries: Vec<EntryView>,
    /// `from` of the next page, if there are more entries.
    pub next: Option<u64>,
}

/// Which entries to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// First seq (default 0).
    pub from: Option<u64>,
    /// Most entries to return (default and cap 1000).
    pub limit: Option<u64>,
}

fn view(row: StoredEntry) -> Result<EntryView, ApiError> {
    // Served bytes must be what the tree commits to: a damaged row is an operator problem, never
    // something to hand out as if it were the log.
    if leaf_hash(&row.leaf).as_bytes()[..] != row.leaf_hash[..] {
        return Err(ApiError::internal(format!(
            "entry {} does not match its stored leaf hash",
            row.seq
        )));
    }
    let entry: Value = serde_json::from_slice(&row.leaf).map_err(ApiError::internal)?;
    let leaf = String::from_utf8(row.leaf).map_err(ApiError::internal)?;
    Ok(EntryView {
        seq: row.seq,
        leaf_hash: hex::encode(&row.leaf_hash),
        leaf,
        entry,
        correction: None,
    })
}

/// [`view`], with the correction of a corrected entry beside it.
async fn view_corrected(app: &AppState, row: StoredEntry) -> Result<EntryView, ApiError> {
    let mut v = view(row)?;
    v.correction = super::money::typed::<crate::money::views::rows::EntryRow>(
        app,
        &crate::money::views::keys::ENTRY.key(&[&v.seq]),
    )
    .await?
    .filter(|e| e.correction.is_some());
    Ok(v)
}

async fn size(app: &AppState) -> Result<u64, ApiError> {
    Ok(app
        .reads()
        .latest_checkpoint()
        .await?
        .map(|(s, _)| s)
        .unwrap_or(0))
}

/// Entries in seq order from `from`, at most `limit` (capped at 1000).
#[utoipa::path(
    get,
    path = "/api/v1/entries",
    tag = "entries",
    params(ListParams),
    responses((status = 200, body = EntryPage), (status = 400, body = super::error::ErrorBody))
)]
pub async fn list(
    State(app): State<AppState>,
    AppQuery(p): AppQuery<ListParams>,
) -> Result<AppJson<EntryPage>, ApiError> {
    let from = p.from.unwrap_or(0);
    let limit = p
        .limit
        .unwrap_or(MAX_ENTRIES_PER_PAGE)
        .min(MAX_ENTRIES_PER_PAGE);
    // Read the size first: entries past it may be committing right now, and a page never shows
    // entries its `size` does not cover.
    let size = size(&app).await?;
    let limit = limit.min(size.saturating_sub(from));
    let rows = if limit == 0 {
        Vec::new()
    } else {
        app.reads().entries_range(from, limit).await?
    };
    let entries = rows.into_iter().map(view).collect::<Result<Vec<_>, _>>()?;
    let end = from.saturating_add(entries.len() as u64);
    Ok(AppJson(EntryPage {
        size,
        next: (end < size).then_some(end),
        entries,
    }))
}

/// One entry by seq.
#[utoipa::path(
    get,
    path = "/api/v1/entries/{seq}",
    tag = "entries",
    params(("seq" = u64, Path, description = "0-based position in the log")),
    responses(
        (status = 200, body = EntryView),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn by_seq(
    State(app): State<AppState>,
    AppPath(seq): AppPath<String>,
) -> Result<AppJson<EntryView>, ApiError> {
    let seq: u64 = seq
        .parse()
        .map_err(|_| ApiError::malformed("seq", "seq must be a non-negative integer"))?;
    let row = app
        .reads()
        .entry(seq)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("no entry {seq}")))?;
    Ok(AppJson(view_corrected(&app, row).await?))
}

/// One entry by leaf hash (hex).
#[utoipa::path(
    get,
    path = "/api/v1/entries/by-hash/{hash}",
    tag = "entries",
    params(("hash" = String, Path, description = "Leaf hash, 64 lower-case hex digits")),
    responses(
        (status = 200, body = EntryView),
        (status = 400, body = super::error::ErrorBody),
        (status = 404, body = super::error::ErrorBody),
    )
)]
pub async fn by_hash(
    State(app): State<AppState>,
    AppPath(hash): AppPath<String>,
) -> Result<AppJson<EntryView>, ApiError> {
    let hash: Hash = hash
        .parse()
        .map_err(|_| ApiError::malformed("hash", "hash must be 64 hex digits"))?;
    let not_found = || ApiError::not_found(format!("no entry with leaf hash {hash}"));
    let seq = app
        .reads()
        .seq_by_hash(&hash)
        .await?
        .ok_or_else(not_found)?;
    let row = app.reads().entry(seq).await?.ok_or_else(not_found)?;
    Ok(AppJson(view_corrected(&app, row).await?))
}
