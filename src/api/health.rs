//! `GET /healthz`: is the process up and can it read the ledger.

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::AppState;
use super::error::{ApiError, AppJson};

/// Liveness and the log size, so a monitor also sees the log grow.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: &'static str,
    /// Entries in the latest checkpoint.
    pub size: u64,
}

/// Liveness: 200 when the database answers.
#[utoipa::path(
    get,
    path = "/healthz",
    tag = "health",
    responses((status = 200, body = Health), (status = 500, body = super::error::ErrorBody))
)]
pub async fn healthz(State(app): State<AppState>) -> Result<AppJson<Health>, ApiError> {
    let size = app
        .reads()
        .latest_checkpoint()
        .await?
        .map(|(s, _)| s)
        .unwrap_or(0);
    Ok(AppJson(Health { status: "ok", size }))
}
